//! `code/excision-size`: an excision code (11400–11646) whose size tier,
//! site group or benign/malignant family differs from the documentation:
//! the excised diameter (lesion + 2 × narrowest margin), the site group and
//! the pathology.
//!
//! Example: a 1.5 cm BCC with 0.4 cm margins on the arm is 2.3 cm excised:
//! 11603, so `- 11602` fires and the fix replaces it.
//!
//! Source: CPT excision guidelines as taught by AAPC, "4 Steps for Improved
//! Excision Coding" (2020).

use super::{Recon, is_excision, tier_text, wrong_code, wrong_code_finding};
use crate::codes::{CodeRow, Family};
use crate::rules::{Ctx, Finding};

pub(super) const CODE: &str = "code/excision-size";

fn kind(row: &CodeRow) -> &'static str {
    if row.family == Family::ExcisionMalignant {
        "malignant"
    } else {
        "benign"
    }
}

pub(super) fn check(ctx: &Ctx, recon: &Recon, out: &mut Vec<Finding>) {
    for issue in &recon.issues {
        let Some((b, d, row)) = wrong_code(recon, issue, is_excision) else {
            continue;
        };
        let message = format!(
            "{} is a {} excision of {}; the documentation supports {} ({} excision, {}). {}",
            b.code,
            kind(b.row),
            tier_text(b.row),
            d.label(),
            kind(row),
            tier_text(row),
            d.why
        );
        out.push(wrong_code_finding(ctx, CODE, b, d, message));
    }
}

#[cfg(test)]
mod tests {
    use super::super::{fired, fixed};
    use super::CODE;

    const BCC: &str = "# Encounter 2026-06-04\nPayer: Medicare\n\n## Procedure: excision\nSite: right upper arm, lateral, 12 cm above the elbow\nLesion: 1.5 cm biopsy-proven nodular BCC\nMargins: 0.4 cm\nTechnique: elliptical excision\nRepair: simple\nPathology: nodular basal cell carcinoma, margins clear\nDx: C44.612\n\n## Billing\n- 11602  Dx: C44.612\n";

    #[test]
    fn fires_on_a_tier_too_low() {
        assert_eq!(fired(BCC, CODE), ["11602"]);
    }

    #[test]
    fn fires_on_the_benign_family_for_a_malignancy() {
        assert_eq!(fired(&BCC.replace("- 11602", "- 11403"), CODE), ["11403"]);
    }

    #[test]
    fn silent_on_the_right_tier() {
        assert!(fired(&BCC.replace("- 11602", "- 11603"), CODE).is_empty());
    }

    #[test]
    fn fix_replaces_the_code() {
        let (after, again) = fixed(BCC, CODE);
        assert!(
            after.ends_with("## Billing\n- 11603  Dx: C44.612\n"),
            "{after}"
        );
        assert!(again.is_empty());
    }
}
