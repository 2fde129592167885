//! Facts to claim lines: one module per code family, then the passes that
//! cross families (NCCI modifiers, E/M and 25, modifier 58, merging).
//!
//! Each line records the rule that produced it and the note text it came
//! from, for hover and `explain`.

mod biopsy;
mod destruction;
mod em;
mod excision;
mod modifiers;
mod mohs;
mod phototherapy;
mod repair;

use crate::codes::CodeTable;
use crate::extract::EncounterFacts;
use crate::span::Span;
use crate::vocab::Payer;
pub use excision::excised_diameter;
pub(crate) use excision::{Malignancy, malignancy};

/// Which modifier marks a distinct lesion or site.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DistinctModifier {
    #[default]
    M59,
    Xs,
}

impl DistinctModifier {
    pub fn as_str(self) -> &'static str {
        match self {
            DistinctModifier::M59 => "59",
            DistinctModifier::Xs => "XS",
        }
    }

    pub fn parse(s: &str) -> Option<DistinctModifier> {
        match s.trim().to_ascii_uppercase().as_str() {
            "59" => Some(DistinctModifier::M59),
            "XS" => Some(DistinctModifier::Xs),
            _ => None,
        }
    }
}

/// A lesion or wound a line is for: (procedure index, lesion index).
pub type LesionKey = (usize, usize);

/// One line of a derived claim.
#[derive(Clone, Debug, PartialEq)]
pub struct ClaimLine {
    pub cpt: String,
    pub modifiers: Vec<String>,
    pub units: u32,
    pub dx: Vec<String>,
    /// The rule that produced the line (a stable identifier).
    pub rule: &'static str,
    /// Why, in plain language: the arithmetic and the facts used.
    pub why: String,
    /// The note text the line was derived from.
    pub sources: Vec<Span>,
    /// The procedures (indices into the encounter's procedures) it codes.
    pub procedures: Vec<usize>,
    /// The lesions or wounds it codes, for distinct-lesion decisions.
    pub lesions: Vec<LesionKey>,
}

impl ClaimLine {
    pub(crate) fn new(cpt: &str, rule: &'static str, why: String) -> ClaimLine {
        ClaimLine {
            cpt: cpt.to_string(),
            modifiers: Vec::new(),
            units: 1,
            dx: Vec::new(),
            rule,
            why,
            sources: Vec::new(),
            procedures: Vec::new(),
            lesions: Vec::new(),
        }
    }

    // Inlined, so that the line built through it is not copied
    // into and out of each call.
    #[inline(always)]
    pub(crate) fn for_lesion(mut self, proc: usize, lesion: usize) -> ClaimLine {
        push_one(&mut self.procedures, proc);
        push_one(&mut self.lesions, (proc, lesion));
        self
    }

    // Inlined, so that the line built through it is not copied
    // into and out of each call.
    #[inline(always)]
    pub(crate) fn source(mut self, span: Span) -> ClaimLine {
        push_one(&mut self.sources, span);
        self
    }

    pub(crate) fn dx(mut self, dx: &[crate::extract::Dx]) -> ClaimLine {
        if self.dx.is_empty() {
            // Room for them all at once; most lines take one or two.
            self.dx.reserve_exact(dx.len());
        }
        for d in dx {
            if !self.dx.contains(&d.code) {
                self.dx.push(d.code.clone());
            }
        }
        self
    }

    pub(crate) fn add_modifier(&mut self, m: &str) {
        if !self.modifiers.iter().any(|x| x == m) {
            // Most lines take one modifier at most: room for that one.
            push_one(&mut self.modifiers, m.to_string());
        }
    }

    /// `11102-59 x2`.
    pub fn label(&self) -> String {
        // Room for the usual two-letter modifiers and units, so that the
        // pushes rarely grow it.
        let mut s = String::with_capacity(self.cpt.len() + 3 * self.modifiers.len() + 12);
        s.push_str(&self.cpt);
        for m in &self.modifiers {
            s.push('-');
            s.push_str(m);
        }
        if self.units != 1 {
            s.push_str(" x");
            s.push_str(itoa::Buffer::new().format(self.units));
        }
        s
    }
}

/// The claim for one encounter.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EncounterClaim {
    pub index: usize,
    pub date: Option<String>,
    pub payer: Payer,
    pub lines: Vec<ClaimLine>,
    /// Lines the rules considered and left off, with why (a same-lesion
    /// biopsy, an E/M without a separate problem, an included simple
    /// repair).
    pub dropped: Vec<ClaimLine>,
}

impl EncounterClaim {
    /// Gives back the room its lists were given up front beyond what they
    /// hold (see [`EncounterFacts::shrink_to_fit`]).
    pub fn shrink_to_fit(&mut self) {
        self.lines.shrink_to_fit();
        self.dropped.shrink_to_fit();
    }
}

/// Settings that change a claim.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ClaimOptions {
    pub default_payer: Option<Payer>,
    pub distinct_modifier: DistinctModifier,
}

/// What an earlier encounter of the same file leaves behind for later ones:
/// its date and the global periods of its procedures.
#[derive(Clone, Debug, PartialEq)]
pub struct PriorEncounter {
    pub date: Option<String>,
    /// The longest global period (days) among its billed procedures.
    pub global_days: Option<u32>,
    pub has_excision_or_mohs: bool,
}

/// Derives the claim of one encounter. `prior` holds the earlier encounters
/// of the same file, oldest first.
pub fn derive(
    facts: &EncounterFacts,
    prior: &[PriorEncounter],
    table: &CodeTable,
    options: &ClaimOptions,
) -> EncounterClaim {
    let payer = match facts.payer {
        Some((p, _)) if p != Payer::Unknown => p,
        _ => options.default_payer.unwrap_or(Payer::Unknown),
    };
    // Room for the lines at once: a line or two per procedure (one per
    // lesion for most, a second for an add-on), and the E/M. Grown a push
    // at a time, the list would be copied as it doubled.
    let room = facts
        .procedures
        .iter()
        .map(|p| p.lesions.len().max(1) + 1)
        .sum::<usize>()
        + usize::from(facts.em.is_some());
    let mut claim = EncounterClaim {
        index: facts.index,
        date: facts.date.clone(),
        payer,
        lines: Vec::with_capacity(room),
        dropped: Vec::new(),
    };
    biopsy::derive(facts, table, &mut claim);
    excision::derive(facts, table, &mut claim);
    destruction::derive(facts, table, &mut claim);
    mohs::derive(facts, table, &mut claim);
    repair::derive(facts, table, &mut claim);
    phototherapy::derive(facts, table, &mut claim);
    // Cosmetic procedures are not billed to any payer. Most encounters have
    // none, and then every line stays where it is.
    let is_cosmetic = |l: &ClaimLine| {
        l.procedures
            .iter()
            .any(|p| facts.procedures[*p].cosmetic.is_some())
    };
    let cosmetic: Vec<ClaimLine> = if claim.lines.iter().any(is_cosmetic) {
        let (cosmetic, billed): (Vec<ClaimLine>, Vec<ClaimLine>) =
            claim.lines.drain(..).partition(is_cosmetic);
        claim.lines = billed;
        cosmetic
    } else {
        Vec::new()
    };
    for mut l in cosmetic {
        l.why = format!(
            "{} Not billed: the procedure is documented as cosmetic, which no payer covers.",
            l.why
        );
        claim.dropped.push(l);
    }
    modifiers::distinct(table, options.distinct_modifier, &mut claim);
    modifiers::staged(facts, prior, &mut claim);
    em::derive(facts, table, &mut claim);
    merge(&mut claim.lines);
    claim
}

/// Whether the claim of an encounter depends on the encounters before it.
/// Only modifier 58 looks back, and only onto the lines of a procedure with
/// a staged cue; so without one, `derive` with no prior encounters gives
/// the same claim. Neither the codes of the lines nor [`summary`] ever
/// depend on them, which lets the encounters of a note be derived in any
/// order once their summaries are known.
pub fn uses_prior(facts: &EncounterFacts) -> bool {
    facts.procedures.iter().any(|p| p.staged_cue.is_some())
}

/// What this encounter leaves for later ones.
pub fn summary(
    facts: &EncounterFacts,
    claim: &EncounterClaim,
    table: &CodeTable,
) -> PriorEncounter {
    PriorEncounter {
        date: facts.date.clone(),
        global_days: claim
            .lines
            .iter()
            .filter_map(|l| table.get(&l.cpt).and_then(|r| r.global.days()))
            .max(),
        has_excision_or_mohs: facts.procedures.iter().any(|p| {
            matches!(
                p.kind,
                crate::vocab::ProcKind::Excision | crate::vocab::ProcKind::Mohs
            )
        }),
    }
}

/// Micrometres as centimetres, exactly as [`crate::extract::measure::cm`]
/// writes them (`1.0 cm`, `0.25 cm`): the digits are written by hand into
/// one string, without the two `format!` calls that one makes. Claims
/// write several sizes per excision and repair line.
pub(crate) fn cm(um: u32) -> String {
    let mut s = String::with_capacity(16);
    push_cm(&mut s, um);
    s
}

/// [`cm`] written at the end of `s`, for text that holds sizes among
/// other words (an excision's why), built without a `format!`.
pub(crate) fn push_cm(s: &mut String, um: u32) {
    let whole = um / crate::extract::measure::UM_PER_CM;
    let frac = um % crate::extract::measure::UM_PER_CM;
    // The whole centimetres: at most six digits for a `u32`.
    let mut digits = [0u8; 10];
    let mut n = digits.len();
    let mut w = whole;
    loop {
        n -= 1;
        digits[n] = b'0' + (w % 10) as u8;
        w /= 10;
        if w == 0 {
            break;
        }
    }
    for &d in &digits[n..] {
        s.push(char::from(d));
    }
    s.push('.');
    if frac == 0 {
        s.push('0');
    } else {
        // Four decimals, trailing zeros dropped.
        let places = [frac / 1000, frac / 100 % 10, frac / 10 % 10, frac % 10];
        let keep = 4 - places.iter().rev().take_while(|&&d| d == 0).count();
        for &d in &places[..keep] {
            s.push(char::from(b'0' + d as u8));
        }
    }
    s.push_str(" cm");
}

/// Pushes `x` onto `v`. The first push onto an empty list allocates room
/// for that one element at once: most of a line's lists hold one, and
/// `Vec::push` would take its slower path to grow an empty list to four.
fn push_one<T>(v: &mut Vec<T>, x: T) {
    if v.capacity() == 0 {
        *v = vec![x];
    } else {
        v.push(x);
    }
}

/// Lines with the same code and modifiers become one, units added.
fn merge(lines: &mut Vec<ClaimLine>) {
    // A single line has nothing to merge with: no new list is made.
    if lines.len() < 2 {
        return;
    }
    // Nor does a claim whose lines all differ, the usual case: then each
    // line would be moved into a new list as it is. A line's code and
    // modifiers do not change as lines merge, so comparing the lines as
    // they are tells whether any would.
    let mergeable = lines.iter().enumerate().any(|(i, l)| {
        lines[..i]
            .iter()
            .any(|o| o.cpt == l.cpt && same_modifiers(&o.modifiers, &l.modifiers))
    });
    if mergeable {
        merge_all(lines);
    }
}

/// [`merge`]'s work once some two lines are known to merge: each line
/// joins the first one before it with the same code and modifiers, or is
/// kept.
fn merge_all(lines: &mut Vec<ClaimLine>) {
    let mut out: Vec<ClaimLine> = Vec::with_capacity(lines.len());
    for l in lines.drain(..) {
        // The code first: the modifiers are compared only for a line of
        // the same code.
        if let Some(existing) = out
            .iter_mut()
            .find(|o| o.cpt == l.cpt && same_modifiers(&o.modifiers, &l.modifiers))
        {
            existing.units += l.units;
            for d in l.dx {
                if !existing.dx.contains(&d) {
                    existing.dx.push(d);
                }
            }
            existing.sources.extend(l.sources);
            existing.procedures.extend(l.procedures);
            existing.lesions.extend(l.lesions);
            if !existing.why.contains(&l.why) {
                existing.why.push(' ');
                existing.why.push_str(&l.why);
            }
        } else {
            out.push(l);
        }
    }
    *lines = out;
}

/// Whether two lists hold the same modifiers, in any order, each as many
/// times: what comparing them sorted tells, without copying either. A
/// line has a few modifiers at most.
fn same_modifiers(a: &[String], b: &[String]) -> bool {
    a.len() == b.len()
        && a.iter().all(|m| {
            let times = |list: &[String]| list.iter().filter(|x| *x == m).count();
            times(a) == times(b)
        })
}

#[cfg(test)]
mod tests;
