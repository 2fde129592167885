//! `code/missing-code` (warning): a documented, billable procedure (or
//! units of one) with no line in the Billing section: money left unbilled.
//! Repairs, destruction counts and Mohs stages have their own codes
//! (`code/repair-missing`, `code/destruction-units`, `code/mohs-stages`).
//!
//! Example: three shave biopsies billed `- 11102` alone fire; the fix adds
//! `- 11103 x2`.
//!
//! Source: the derived claim (CODING-RULES.md).

use super::{Recon, is_destruction, is_repair, missing, missing_finding, plain_units};
use crate::codes::Family;
use crate::rules::{Ctx, Finding};

pub(super) const CODE: &str = "code/missing-code";

/// Whether another rule reports a gap in this family.
pub(super) fn owned_elsewhere(recon: &Recon, family: Family) -> bool {
    is_repair(family)
        || (is_destruction(family) && recon.bills(is_destruction))
        || (family == Family::Mohs && recon.bills(|f| f == Family::Mohs))
}

pub(super) fn check(ctx: &Ctx, recon: &Recon, out: &mut Vec<Finding>) {
    for issue in &recon.issues {
        let Some(d) = missing(recon, issue, |f| !owned_elsewhere(recon, f)) else {
            continue;
        };
        let message = [
            "A documented procedure is not billed: add ",
            &d.label(),
            ". ",
            &d.why,
        ]
        .concat();
        out.push(missing_finding(ctx, recon, CODE, d, message));
    }
    plain_units(ctx, recon, CODE, false, out);
}

#[cfg(test)]
mod tests {
    use super::super::{fired, fixed};
    use super::CODE;

    const THREE: &str = "# Encounter 2026-03-05\nPayer: Medicare\n\n## Procedure: shave biopsies\nTechnique: shave biopsy with a DermaBlade\n(A) right nasal ala: 0.5 cm pearly papule, r/o BCC\n(B) left upper back, 4 cm lateral to the spine at T3: 0.9 cm irregularly pigmented macule, r/o melanoma\n(C) right volar forearm, 6 cm proximal to the wrist crease: 0.6 cm scaly erythematous papule, r/o SCC\nPathology: sent\nDx: D49.2\n\n## Billing\n- 11102  Dx: D49.2\n";

    #[test]
    fn fires_on_the_billing_heading() {
        assert_eq!(fired(THREE, CODE), ["## Billing"]);
    }

    #[test]
    fn fires_on_too_few_units() {
        let one = format!("{THREE}- 11103  Dx: D49.2\n");
        assert_eq!(fired(&one, CODE), ["11103"]);
        let (after, again) = fixed(&one, CODE);
        assert!(
            after.ends_with("- 11102  Dx: D49.2\n- 11103 x2  Dx: D49.2\n"),
            "{after}"
        );
        assert!(again.is_empty());
    }

    #[test]
    fn silent_when_billed() {
        let ok = format!("{THREE}- 11103 x2  Dx: D49.2\n");
        assert!(fired(&ok, CODE).is_empty());
    }

    #[test]
    fn fix_adds_the_line() {
        let (after, again) = fixed(THREE, CODE);
        assert!(
            after.ends_with("- 11102  Dx: D49.2\n- 11103 x2  Dx: D49.2\n"),
            "{after}"
        );
        assert!(again.is_empty());
    }
}
