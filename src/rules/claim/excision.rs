//! Shave removal 11300–11313 (lesion diameter) and excision 11400–11446 /
//! 11600–11646 (excised diameter = lesion + 2 × narrowest margin, a stated
//! excised diameter overriding; benign or malignant from pathology or a
//! prior confirmed diagnosis; pending pathology codes benign).
//!
//! Sources: CPT excision guidelines as taught by AAPC ("4 Steps for Improved
//! Excision Coding", 2020); AAD.

use super::cm;
use crate::codes::{CodeTable, Family};
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
            format!(
                "Shave removal: lesion diameter {} ({}), site group {}.",
                cm(size.um),
                tier_words(row.tier_min, row.tier_max),
                group
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
    if p.lesions.len() == 1 {
        if let Some(d) = p.excised_diameter {
            return Some((d.um, format!("stated excised diameter {}", cm(d.um))));
        }
    }
    let size = lesion.size?;
    match p.margin {
        Some(m) => {
            let d = size.um.saturating_add(m.um.saturating_mul(2));
            Some((
                d,
                format!(
                    "lesion {} + 2 × margin {} = {}",
                    cm(size.um),
                    cm(m.um),
                    cm(d)
                ),
            ))
        }
        None => Some((
            size.um,
            format!("lesion {} (no margin documented)", cm(size.um)),
        )),
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
            format!(
                "Excision, {}: {}: excised diameter {} ({}), site group {}; {}.",
                if malignant { "malignant" } else { "benign" },
                how,
                cm(diameter),
                tier_words(row.tier_min, row.tier_max),
                group,
                why_class
            ),
        )
        .for_lesion(pi, li)
        .source(source)
        .dx(&p.dx),
    )
}

/// `0.6–1.0 cm`, `over 4.0 cm`.
pub(crate) fn tier_words(min: Option<u32>, max: Option<u32>) -> String {
    match (min, max) {
        (None | Some(0), Some(hi)) => format!("tier up to {}", cm(hi)),
        (Some(lo), Some(hi)) => format!("tier over {} up to {}", cm(lo), cm(hi)),
        (Some(lo), None) => format!("tier over {}", cm(lo)),
        (None, None) => "untiered".to_string(),
    }
}
