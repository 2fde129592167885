//! `code/repair-missing` (warning): an intermediate or complex repair
//! documented with its length but not billed: money left unbilled.
//!
//! Example: `Repair: intermediate, 5.0 cm` on the arm with only `- 11602`
//! billed fires; the fix adds `- 12032`.
//!
//! Source: CPT repair guidelines; CMS NCCI Policy Manual ch. III
//! (intermediate and complex repairs are reported with the excision).

use super::{Recon, is_repair, missing, missing_finding};
use crate::rules::{Ctx, Finding};

pub(super) const CODE: &str = "code/repair-missing";

pub(super) fn check(ctx: &Ctx, recon: &Recon, out: &mut Vec<Finding>) {
    for issue in &recon.issues {
        let Some(d) = missing(recon, issue, is_repair) else {
            continue;
        };
        let message = format!(
            "The documented repair is not billed: add {}. {}",
            d.label(),
            d.why
        );
        out.push(missing_finding(ctx, recon, CODE, d, message));
    }
}

#[cfg(test)]
mod tests {
    use super::super::{fired, fixed};
    use super::CODE;

    const EXC: &str = "# Encounter 2026-06-04\nPayer: Medicare\n\n## Procedure: excision\nSite: right upper arm, lateral, 12 cm above the elbow\nLesion: 1.5 cm biopsy-proven nodular BCC\nMargins: 0.4 cm\nRepair: intermediate, 5.0 cm\nPathology: nodular basal cell carcinoma, margins clear\nDx: C44.612\n\n## Billing\n- 11603  Dx: C44.612\n";

    #[test]
    fn fires_on_the_billing_heading() {
        assert_eq!(fired(EXC, CODE), ["## Billing"]);
    }

    #[test]
    fn silent_when_billed() {
        let ok = format!("{EXC}- 12032  Dx: C44.612\n");
        assert!(fired(&ok, CODE).is_empty());
    }

    #[test]
    fn fix_adds_the_line() {
        let (after, again) = fixed(EXC, CODE);
        assert!(
            after.ends_with("- 11603  Dx: C44.612\n- 12032  Dx: C44.612\n"),
            "{after}"
        );
        assert!(again.is_empty());
    }
}
