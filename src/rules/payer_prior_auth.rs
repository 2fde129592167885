//! `payer/prior-auth` (warning for UHC, info for BCBS; the severity is the
//! data row's): a procedure the payer is said to pre-authorize. Built-in
//! rows: UnitedHealthcare, more than 15 destructions in one visit;
//! UnitedHealthcare, Mohs on the trunk, arms or legs (not the face); BCBS,
//! Mohs (some plans). Example: `Payer: UHC`, a Mohs procedure with
//! `Site: left anterior shin`.
//!
//! A row with a threshold fires once per visit when the lesions treated by
//! the procedures in its scope add up to more than the threshold; the range
//! is the count (its field or sentence) when one procedure alone exceeds it,
//! else the first procedure's heading. A row without one fires per procedure,
//! on the site that matched its site group, else the procedure heading.
//!
//! Source: the product's source guide (Payer notes), unverified; AAD
//! reported in 2022 that UnitedHealthcare's Mohs requirement was tied to
//! adjacent tissue transfer and then waived. Rows: `data/payer_rules.csv`.

use crate::extract::Procedure;
use crate::span::Span;
use crate::vocab::ProcKind;

use super::{Ctx, Finding, enclosing, in_scope, rows};

const CODE: &str = "payer/prior-auth";

pub(super) fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for row in rows(ctx, CODE, ctx.claim.payer) {
        let procs = in_scope(ctx, &row.scope, false);
        match row.threshold {
            Some(limit) => {
                let counted: Vec<(u32, Span)> =
                    procs.iter().map(|(_, p, _)| count(ctx.text, p)).collect();
                let total: u32 = counted.iter().map(|c| c.0).sum();
                if total <= limit {
                    continue;
                }
                let span = counted
                    .iter()
                    .find(|(n, _)| *n > limit)
                    .map(|(_, s)| *s)
                    .unwrap_or(procs[0].1.heading);
                out.push(row.finding(span, &[("count", total.to_string())]));
            }
            None => {
                for (_, p, site) in procs {
                    let span = site.map_or(p.heading, |s| s.span);
                    let site_text = site
                        .map_or_else(|| "site not stated".to_string(), |s| s.describe(ctx.text));
                    out.push(row.finding(
                        span,
                        &[
                            ("site", site_text),
                            ("procedure", p.kind.as_str().to_string()),
                        ],
                    ));
                }
            }
        }
    }
}

/// The lesions a procedure treats, and the text that says so: a
/// destruction's documented count, else one per lesion.
fn count(text: &str, p: &Procedure) -> (u32, Span) {
    if p.kind == ProcKind::Destruction {
        let n: u32 = p.destruction.iter().filter_map(|g| g.count).sum();
        let spans: Vec<Span> = p.destruction.iter().filter_map(|g| g.count_span).collect();
        let span = match spans.as_slice() {
            [one] => enclosing(text, *one),
            _ => p.heading,
        };
        return (n, span);
    }
    (p.lesions.len().max(1) as u32, p.heading)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::found;
    use super::*;
    use crate::rules::Severity;

    const MOHS_LEG: &str = "# Encounter 2026-01-29\nPayer: UHC\n\n## Procedure: Mohs\nSite: left anterior shin\nLesion: 1.8 cm biopsy-proven SCC in situ\nStage 1: 6 blocks, mapped, margins clear\nRepair: complex, 4.2 cm\nDx: D04.72\n";

    #[test]
    fn uhc_mohs_on_the_leg() {
        assert_eq!(
            found(MOHS_LEG, CODE),
            vec![(Severity::Warning, "left anterior shin".to_string())]
        );
    }

    #[test]
    fn uhc_mohs_on_the_face_and_other_payers_are_silent() {
        let face = MOHS_LEG.replace("left anterior shin", "nasal tip, midline");
        assert_eq!(found(&face, CODE), vec![]);
        let aetna = MOHS_LEG.replace("UHC", "Aetna AUC met");
        assert_eq!(found(&aetna, CODE), vec![]);
    }

    #[test]
    fn bcbs_mohs_is_info_on_the_heading() {
        let bcbs = MOHS_LEG.replace("UHC", "Blue Cross");
        assert_eq!(
            found(&bcbs, CODE),
            vec![(Severity::Info, "## Procedure: Mohs".to_string())]
        );
    }

    #[test]
    fn uhc_more_than_fifteen_destructions() {
        let text = "# Encounter 2026-04-15\nPayer: UHC\n\n## Procedure: cryo\nActinic keratoses x16, face (9), scalp (7), treated with LN2, two freeze-thaw cycles.\nDx: L57.0\n";
        assert_eq!(
            found(text, CODE),
            vec![(
                Severity::Warning,
                "Actinic keratoses x16, face (9), scalp (7), treated with LN2, two freeze-thaw cycles"
                    .to_string()
            )]
        );
        let count_field = "# Encounter 2026-04-15\nPayer: UHC\n\n## Procedure: cryotherapy\nSite: scalp and face\nCount: 18\nLesion: actinic keratoses\nMethod: LN2\n";
        assert_eq!(
            found(count_field, CODE),
            vec![(Severity::Warning, "18".to_string())]
        );
    }

    #[test]
    fn fifteen_destructions_are_silent() {
        let text = "# Encounter 2026-04-14\nPayer: UHC\n\n## Procedure: cryotherapy\nSite: scalp (5), forehead (4), bilateral dorsal hands (6)\nLesion: actinic keratoses, gritty hyperkeratotic papules\nMethod: liquid nitrogen, two freeze-thaw cycles\nDx: L57.0\n";
        assert_eq!(found(text, CODE), vec![]);
    }
}
