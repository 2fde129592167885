//! Shave removal 11300–11313 (lesion diameter) and excision 11400–11446 /
//! 11600–11646 (excised diameter = lesion + 2 × narrowest margin, a stated
//! excised diameter overriding; benign or malignant from pathology or a
//! prior confirmed diagnosis; pending pathology codes benign).
//!
//! Sources: CPT excision guidelines as taught by AAPC ("4 Steps for Improved
//! Excision Coding", 2020); AAD.

use super::push_cm;
use crate::codes::{CodeRow, CodeTable, Family};
use crate::extract::{EncounterFacts, Lesion, Procedure};
use crate::vocab::{GroupFamily, LesionClass, ProcKind};

use super::{ClaimLine, EncounterClaim};

pub(super) fn derive(facts: &EncounterFacts, table: &CodeTable, claim: &mut EncounterClaim) {
    for (pi, p) in facts.procedures.iter().enumerate() {
        match p.kind {
            ProcKind::ShaveRemoval => {
                for (li, lesion) in p.lesions.iter().enumerate() {
                    if let Some(line) = shave(table, pi, p, li, lesion) {
                        claim.lines.push(line);
                    }
                }
            }
            ProcKind::Excision => {
                for (li, lesion) in p.lesions.iter().enumerate() {
                    if let Some(line) = excision(table, pi, p, li, lesion) {
                        claim.lines.push(line);
                    }
                }
            }
            _ => {}
        }
    }
}

fn site_group(p: &Procedure, lesion: &Lesion) -> Option<&'static str> {
    lesion
        .site
        .as_ref()
        .and_then(|s| s.group(GroupFamily::Excision))
        .or_else(|| p.sites.iter().find_map(|s| s.group(GroupFamily::Excision)))
}

fn shave(
    table: &CodeTable,
    pi: usize,
    p: &Procedure,
    li: usize,
    lesion: &Lesion,
) -> Option<ClaimLine> {
    let size = lesion.size?;
    let group = site_group(p, lesion)?;
    let row = table.by_tier(Family::ShaveRemoval, group, size.um)?;
    Some(
        ClaimLine::new(
            &row.code,
            "shave-removal",
            sized_why(
                &["Shave removal: lesion diameter "],
                size.um,
                row,
                group,
                &["."],
            ),
        )
        .for_lesion(pi, li)
        .source(size.span)
        .dx(&p.dx),
    )
}

/// Why an excision is coded benign or malignant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Malignancy {
    /// A re-excision for positive margins.
    Staged,
    PathologyMalignant,
    PathologyBenign,
    PriorDiagnosis,
    /// No result and no prior diagnosis: benign until the report arrives.
    Pending,
}

impl Malignancy {
    pub(crate) fn is_malignant(self) -> bool {
        matches!(
            self,
            Malignancy::Staged | Malignancy::PathologyMalignant | Malignancy::PriorDiagnosis
        )
    }

    fn why(self) -> &'static str {
        match self {
            Malignancy::Staged => {
                "a re-excision for positive margins is coded malignant even when the pathology shows no residual tumour"
            }
            Malignancy::PathologyMalignant => "pathology shows a malignancy",
            Malignancy::PathologyBenign => "pathology shows a benign lesion",
            Malignancy::PriorDiagnosis => "a confirmed prior diagnosis of malignancy",
            Malignancy::Pending => {
                "pathology is pending and there is no prior diagnosis, so benign until the report says otherwise"
            }
        }
    }
}

/// Whether an excision is coded malignant, and why.
pub(crate) fn malignancy(p: &Procedure) -> Malignancy {
    let path_benign = p
        .pathology
        .as_ref()
        .is_some_and(|x| matches!(x.class, Some(c) if c != LesionClass::Malignant));
    if p.staged_cue.is_some() && (p.prior_malignant.is_some() || !path_benign) {
        return Malignancy::Staged;
    }
    match p.pathology.as_ref().and_then(|path| path.class) {
        Some(LesionClass::Malignant) => return Malignancy::PathologyMalignant,
        Some(_) => return Malignancy::PathologyBenign,
        None => {}
    }
    if p.prior_malignant.is_some() {
        return Malignancy::PriorDiagnosis;
    }
    Malignancy::Pending
}

/// The excised diameter in micrometres, and how it was found.
pub fn excised_diameter(p: &Procedure, lesion: &Lesion) -> Option<(u32, String)> {
    // Each text is written piece by piece into one string: an excision
    // line writes several sizes, and `format!` costs more than the copies.
    let mut how = String::with_capacity(64);
    if p.lesions.len() == 1 {
        if let Some(d) = p.excised_diameter {
            how.push_str("stated excised diameter ");
            push_cm(&mut how, d.um);
            return Some((d.um, how));
        }
    }
    let size = lesion.size?;
    how.push_str("lesion ");
    push_cm(&mut how, size.um);
    match p.margin {
        Some(m) => {
            let d = size.um.saturating_add(m.um.saturating_mul(2));
            how.push_str(" + 2 × margin ");
            push_cm(&mut how, m.um);
            how.push_str(" = ");
            push_cm(&mut how, d);
            Some((d, how))
        }
        None => {
            how.push_str(" (no margin documented)");
            Some((size.um, how))
        }
    }
}

fn excision(
    table: &CodeTable,
    pi: usize,
    p: &Procedure,
    li: usize,
    lesion: &Lesion,
) -> Option<ClaimLine> {
    let (diameter, how) = excised_diameter(p, lesion)?;
    let group = site_group(p, lesion)?;
    let class = malignancy(p);
    let (malignant, why_class) = (class.is_malignant(), class.why());
    let family = if malignant {
        Family::ExcisionMalignant
    } else {
        Family::ExcisionBenign
    };
    let row = table.by_tier(family, group, diameter)?;
    let source = lesion
        .size
        .map(|s| s.span)
        .or(p.excised_diameter.map(|d| d.span))
        .unwrap_or(p.heading);
    Some(
        ClaimLine::new(
            &row.code,
            if malignant {
                "excision-malignant"
            } else {
                "excision-benign"
            },
            sized_why(
                &[
                    "Excision, ",
                    if malignant { "malignant" } else { "benign" },
                    ": ",
                    &how,
                    ": excised diameter ",
                ],
                diameter,
                row,
                group,
                &["; ", why_class, "."],
            ),
        )
        .for_lesion(pi, li)
        .source(source)
        .dx(&p.dx),
    )
}

/// `{lead}{cm} ({tier}), site group {group}{tail}`, the lead and the tail
/// given in pieces: the why of a line coded by one size, written piece by
/// piece rather than by `format!`.
pub(super) fn sized_why(
    lead: &[&str],
    um: u32,
    row: &CodeRow,
    group: &str,
    tail: &[&str],
) -> String {
    let pieces = lead.iter().chain(tail).map(|p| p.len()).sum::<usize>();
    let mut why = String::with_capacity(96 + pieces + group.len());
    lead.iter().for_each(|p| why.push_str(p));
    push_cm(&mut why, um);
    why.push_str(" (");
    push_tier_words(&mut why, row.tier_min, row.tier_max);
    why.push_str("), site group ");
    why.push_str(group);
    tail.iter().for_each(|p| why.push_str(p));
    why
}

/// `tier up to 1.0 cm`, `tier over 0.5 cm up to 1.0 cm`, `tier over
/// 4.0 cm`, written at the end of `s`.
fn push_tier_words(s: &mut String, min: Option<u32>, max: Option<u32>) {
    match (min, max) {
        (None | Some(0), Some(hi)) => {
            s.push_str("tier up to ");
            push_cm(s, hi);
        }
        (Some(lo), Some(hi)) => {
            s.push_str("tier over ");
            push_cm(s, lo);
            s.push_str(" up to ");
            push_cm(s, hi);
        }
        (Some(lo), None) => {
            s.push_str("tier over ");
            push_cm(s, lo);
        }
        (None, None) => s.push_str("untiered"),
    }
}
