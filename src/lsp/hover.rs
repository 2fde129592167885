//! Hover: on a CPT code (in the Billing section or the `E/M:` field), a
//! modifier, an ICD-10-CM code, a procedure heading, a size or margin, and on
//! any diagnostic's text (its rule's title and explanation).

use tower_lsp_server::lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind};

use super::document::Snapshot;
use super::pos;
use crate::analysis::Analysis;
use crate::codes::{self, CodeRow, CodeTable, Global};
use crate::extract::measure::cm;
use crate::extract::{EncounterFacts, Procedure};
use crate::rules::claim::{ClaimLine, EncounterClaim, excised_diameter};
use crate::rules::registry;
use crate::span::Span;
use crate::vocab::ProcKind;

/// The year whose figures the code table is meant to hold.
const PAYMENT_YEAR: u16 = 2026;

pub fn hover(snap: &Snapshot, offset: usize) -> Option<Hover> {
    let a = snap.analysis()?;
    let (mut parts, mut span) = match item_at(snap, a, offset) {
        Some((text, span)) => (vec![text], Some(span)),
        None => (Vec::new(), None),
    };
    for f in a.findings.iter().filter(|f| touches(f.span, offset)) {
        if let Some(rule) = registry::rule(f.code) {
            parts.push(format!(
                "**{}** ({}) · {}\n\n{}",
                rule.code,
                rule.severity.as_str(),
                rule.title,
                rule.doc
            ));
            span.get_or_insert(f.span);
        }
    }
    if parts.is_empty() {
        return None;
    }
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: parts.join("\n\n---\n\n"),
        }),
        range: span.map(|s| pos::range(&snap.rope, s, snap.encoding)),
    })
}

/// The hover text of the code, modifier, heading or size at `offset`.
fn item_at(snap: &Snapshot, a: &Analysis, offset: usize) -> Option<(String, Span)> {
    let text = snap.text.as_str();
    let table = &*snap.config.table;
    let cf = snap.config.options.conversion_factor;
    let i = a
        .facts
        .iter()
        .position(|f| f.span.start <= offset && offset <= f.span.end)?;
    let (facts, claim) = (&a.facts[i], &a.claims[i]);
    if let Some(b) = &facts.billing {
        for line in &b.lines {
            if let Some((code, s)) = line.code.as_ref().filter(|(_, s)| touches(*s, offset)) {
                let mods: Vec<&str> = line.modifiers.iter().map(|m| m.0.as_str()).collect();
                let derived = derived_line(claim, code, &mods);
                let mut md = cpt(table, code, derived, text, cf);
                if derived.is_none() && table.get(code).is_some() {
                    md.push_str("\n\nThe documentation does not support this code: the derived claim has no line for it.");
                }
                return Some((md, *s));
            }
            if let Some((m, s)) = line.modifiers.iter().find(|(_, s)| touches(*s, offset)) {
                let code = line.code.as_ref().map(|c| c.0.as_str());
                let supported = code.and_then(|c| {
                    claim.lines.iter().find(|l| {
                        l.cpt == c && l.modifiers.iter().any(|x| x.eq_ignore_ascii_case(m))
                    })
                });
                return Some((modifier(table, m, supported), *s));
            }
            if let Some((d, s)) = line.dx.iter().find(|(_, s)| touches(*s, offset)) {
                return Some((icd10(d), *s));
            }
        }
    }
    if let Some(em) = &facts.em {
        if let Some(code) = &em.code {
            if let Some(at) = em.span.text(text).find(code.as_str()) {
                let s = Span::new(em.span.start + at, em.span.start + at + code.len());
                if touches(s, offset) {
                    let line = claim
                        .lines
                        .iter()
                        .chain(&claim.dropped)
                        .find(|l| l.cpt == *code);
                    return Some((cpt(table, code, line, text, cf), s));
                }
            }
        }
    }
    let dx = facts
        .problems
        .iter()
        .flat_map(|p| &p.dx)
        .chain(facts.procedures.iter().flat_map(|p| &p.dx));
    for d in dx {
        if touches(d.span, offset) {
            return Some((icd10(&d.code), d.span));
        }
    }
    for (pi, p) in facts.procedures.iter().enumerate() {
        if touches(p.heading, offset) {
            return Some((procedure(table, text, facts, claim, pi), p.heading));
        }
        if let Some(found) = size(table, facts, claim, pi, offset) {
            return Some(found);
        }
    }
    None
}

fn touches(s: Span, offset: usize) -> bool {
    s.start <= offset && offset <= s.end
}

/// The derived line for a billed code: same code and modifiers, else same
/// code.
fn derived_line<'a>(claim: &'a EncounterClaim, code: &str, mods: &[&str]) -> Option<&'a ClaimLine> {
    let same = |l: &&ClaimLine| l.cpt.eq_ignore_ascii_case(code);
    claim
        .lines
        .iter()
        .filter(same)
        .find(|l| {
            l.modifiers.len() == mods.len()
                && l.modifiers
                    .iter()
                    .all(|m| mods.iter().any(|x| x.eq_ignore_ascii_case(m)))
        })
        .or_else(|| claim.lines.iter().find(same))
}

/// The year flag of a figure.
fn year(y: u16) -> String {
    if y < PAYMENT_YEAR {
        format!("{y}; a {y} value standing in for {PAYMENT_YEAR}")
    } else {
        y.to_string()
    }
}

fn global(g: &Global) -> String {
    match g {
        Global::Days0 => "000 (same day only)".to_string(),
        Global::Days10 => "010 (10 days after the procedure)".to_string(),
        Global::Days90 => "090 (90 days after the procedure)".to_string(),
        Global::Xxx => "XXX (no global period)".to_string(),
        Global::Zzz => "ZZZ (an add-on: within its primary code's global period)".to_string(),
        Global::Other(s) => s.clone(),
    }
}

/// A tier in words: `over 1.0 cm up to 2.0 cm`.
pub fn tier(row: &CodeRow) -> String {
    match (row.tier_min, row.tier_max) {
        (None | Some(0), Some(hi)) => format!("up to {}", cm(hi)),
        (Some(lo), Some(hi)) => format!("over {} up to {}", cm(lo), cm(hi)),
        (Some(lo), None) => format!("over {}", cm(lo)),
        (None, None) => "untiered".to_string(),
    }
}

/// A quotation of note text for a hover, on one line and not too long.
fn quote(text: &str, span: Span) -> String {
    const MAX: usize = 120;
    let s: String = span
        .text(text)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if s.chars().count() > MAX {
        format!("{}…", s.chars().take(MAX).collect::<String>())
    } else {
        s
    }
}

/// A CPT code's hover: description, RVUs with their years, global period,
/// MUE, the payment estimate, and why the claim has it.
pub fn cpt(table: &CodeTable, code: &str, line: Option<&ClaimLine>, text: &str, cf: f64) -> String {
    let Some(r) = table.get(code) else {
        return format!("**{code}**: not a CPT code dermls knows.");
    };
    let mut s = format!("**{}** · {}\n\n", r.code, r.description);
    s.push_str(&format!(
        "- Work RVU: {:.2} ({})\n",
        r.work_rvu,
        year(r.work_year)
    ));
    s.push_str(&format!(
        "- Total RVU: {:.2} non-facility, {:.2} facility ({})\n",
        r.nonfac_total_rvu,
        r.fac_total_rvu,
        year(r.total_year)
    ));
    s.push_str(&format!("- Global period: {}\n", global(&r.global)));
    s.push_str(&format!(
        "- MUE: {}\n",
        r.mue
            .map_or_else(|| "not known".to_string(), |m| format!("{m} per day"))
    ));
    s.push_str(&format!(
        "- Estimated Medicare payment: ${:.2} per unit (an estimate: non-facility total RVU × ${cf}/RVU, national, no geographic adjustment)\n",
        r.nonfac_total_rvu * cf
    ));
    if r.addon {
        s.push_str(&format!("- Add-on to {}\n", r.addon_of.join(", ")));
    }
    if let Some(l) = line {
        s.push_str(&format!(
            "\n**Why** (`{}`, `{}`): {}\n",
            l.rule,
            l.label(),
            l.why
        ));
        let quotes: Vec<String> = l
            .sources
            .iter()
            .map(|sp| quote(text, *sp))
            .filter(|q| !q.is_empty())
            .collect();
        if !quotes.is_empty() {
            s.push_str("\nFrom the note:\n");
            for q in quotes {
                s.push_str(&format!("> {q}\n"));
            }
        }
    }
    s.trim_end().to_string()
}

fn modifier(table: &CodeTable, m: &str, supported: Option<&ClaimLine>) -> String {
    let Some(x) = table.modifier(m) else {
        return format!("**-{m}**: not a modifier dermls knows.");
    };
    let mut s = format!(
        "**Modifier {}** · {}\n\nApplies when: {}",
        x.modifier, x.meaning, x.applies_when
    );
    match supported {
        Some(l) => s.push_str(&format!(
            "\n\nThe documentation supports it on `{}`: {}",
            l.label(),
            l.why
        )),
        None => s.push_str("\n\nThe derived claim does not put this modifier on this code."),
    }
    s
}

fn icd10(code: &str) -> String {
    match codes::icd10_title(code) {
        Some(title) => format!(
            "**{}** · {title}\n\nICD-10-CM FY2026, {}",
            code.to_uppercase(),
            if codes::icd10_is_billable(code) {
                "billable"
            } else {
                "a category: not billable without more characters"
            }
        ),
        None => format!("**{code}**: not an ICD-10-CM FY2026 code."),
    }
}

/// The lines of a claim that code procedure `pi`, and those left off.
pub fn lines_for(claim: &EncounterClaim, pi: usize) -> (Vec<&ClaimLine>, Vec<&ClaimLine>) {
    let of = |l: &&ClaimLine| l.procedures.contains(&pi);
    (
        claim.lines.iter().filter(of).collect(),
        claim.dropped.iter().filter(of).collect(),
    )
}

fn procedure(
    table: &CodeTable,
    text: &str,
    facts: &EncounterFacts,
    claim: &EncounterClaim,
    pi: usize,
) -> String {
    let p = &facts.procedures[pi];
    let mut s = format!(
        "**{}** · {}{}\n\n",
        quote(text, p.heading).trim_start_matches('#').trim(),
        p.kind.as_str(),
        p.technique
            .map(|(t, _)| format!(" ({})", t.as_str()))
            .unwrap_or_default()
    );
    let (lines, dropped) = lines_for(claim, pi);
    if lines.is_empty() {
        s.push_str("No billable code is derived from this procedure's documentation.\n");
    } else {
        s.push_str("Codes derived for it:\n");
        for l in lines {
            let desc = table
                .get(&l.cpt)
                .map(|r| r.description.as_str())
                .unwrap_or("");
            s.push_str(&format!("- `{}` {desc}: {}\n", l.label(), l.why));
        }
    }
    if !dropped.is_empty() {
        s.push_str("\nLeft off:\n");
        for l in dropped {
            s.push_str(&format!("- `{}`: {}\n", l.label(), l.why));
        }
    }
    s.trim_end().to_string()
}

/// The excised diameter (excision) or lesion diameter (shave removal) of
/// each lesion of a procedure, with the derived code: `(lesion index,
/// diameter µm, how, line)`.
pub fn diameters<'a>(
    facts: &EncounterFacts,
    claim: &'a EncounterClaim,
    pi: usize,
) -> Vec<(usize, u32, String, Option<&'a ClaimLine>)> {
    let p = &facts.procedures[pi];
    let line_for = |li: usize| {
        claim.lines.iter().chain(&claim.dropped).find(|l| {
            l.lesions.contains(&(pi, li))
                && matches!(
                    l.rule,
                    "excision-benign" | "excision-malignant" | "shave-removal"
                )
        })
    };
    p.lesions
        .iter()
        .enumerate()
        .filter_map(|(li, lesion)| {
            let (um, how) = match p.kind {
                ProcKind::Excision => excised_diameter(p, lesion)?,
                ProcKind::ShaveRemoval => {
                    let s = lesion.size?;
                    (s.um, format!("lesion diameter {}", cm(s.um)))
                }
                _ => return None,
            };
            Some((li, um, how, line_for(li)))
        })
        .collect()
}

/// The spans whose hover explains the diameter: margin, stated excised
/// diameter, lesion sizes.
fn size_spans(p: &Procedure) -> Vec<Span> {
    p.margin
        .iter()
        .chain(p.excised_diameter.iter())
        .map(|m| m.span)
        .chain(p.lesions.iter().filter_map(|l| l.size.map(|s| s.span)))
        .collect()
}

fn size(
    table: &CodeTable,
    facts: &EncounterFacts,
    claim: &EncounterClaim,
    pi: usize,
    offset: usize,
) -> Option<(String, Span)> {
    let p = &facts.procedures[pi];
    if !matches!(p.kind, ProcKind::Excision | ProcKind::ShaveRemoval) {
        return None;
    }
    let span = size_spans(p).into_iter().find(|s| touches(*s, offset))?;
    let what = if p.kind == ProcKind::Excision {
        "Excised diameter"
    } else {
        "Lesion diameter"
    };
    let mut s = String::new();
    for (li, um, how, line) in diameters(facts, claim, pi) {
        if !s.is_empty() {
            s.push('\n');
        }
        let lesion = p.lesions[li]
            .letter
            .map(|c| format!(" ({c})"))
            .unwrap_or_default();
        s.push_str(&format!("**{what}{lesion} {}**: {how}", cm(um)));
        match line.and_then(|l| table.get(&l.cpt).map(|r| (l, r))) {
            Some((l, r)) => s.push_str(&format!(
                " → `{}` ({}; {}, {})\n",
                l.label(),
                tier(r),
                r.family.as_str(),
                r.group.as_deref().unwrap_or("any site")
            )),
            None => s.push_str(" → no code (the site group or size tier could not be read)\n"),
        }
    }
    (!s.is_empty()).then(|| (s.trim_end().to_string(), span))
}
