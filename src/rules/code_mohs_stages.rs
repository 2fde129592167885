//! `code/mohs-stages`: Mohs codes or units that differ from the documented
//! stages, blocks and site. 17311/17312 are head, neck, hands, feet and
//! genitalia; 17313/17314 trunk, arms and legs; the first stage is the
//! primary code, each further stage one unit of the add-on, and 17315 one
//! unit for each block beyond five in a stage.
//!
//! Example: two stages on the shin billed `17311` + `17312` fire; the fixes
//! replace them with 17313 + 17314.
//!
//! Source: CPT 17311–17315 descriptors; AAD Mohs coding guidance.

use super::{
    Extra, Recon, extra, extra_finding, missing, missing_finding, units, units_finding, wrong_code,
    wrong_code_finding,
};
use crate::codes::Family;
use crate::rules::{Ctx, Finding};

pub(super) const CODE: &str = "code/mohs-stages";

pub(super) fn check(ctx: &Ctx, recon: &Recon, out: &mut Vec<Finding>) {
    let is_mohs = |f| f == Family::Mohs;
    for issue in &recon.issues {
        if let Some((b, d, _)) = wrong_code(recon, issue, is_mohs) {
            let message = format!(
                "{} ({}) does not match the documented Mohs surgery: bill {}. {}",
                b.code,
                b.row.description,
                d.label(),
                d.why
            );
            out.push(wrong_code_finding(ctx, CODE, b, d, message));
        } else if let Some((code, billed, billed_units, derived_units)) =
            units(recon, issue, is_mohs)
        {
            let message = format!(
                "{code} is billed for {billed_units} unit(s), but the documented stages and blocks support {derived_units}."
            );
            out.push(units_finding(
                ctx,
                recon,
                CODE,
                billed,
                billed_units,
                derived_units,
                message,
            ));
        } else if let Some(b) = extra(recon, issue, Extra::Mohs) {
            let message = format!(
                "{} is not supported by the documented Mohs stages, blocks and site.",
                b.code
            );
            out.push(extra_finding(ctx, CODE, b, message));
        } else if let Some(d) = missing(recon, issue, is_mohs) {
            if !recon.bills(is_mohs) {
                continue;
            }
            let message = format!(
                "{} is missing for the documented Mohs surgery. {}",
                d.label(),
                d.why
            );
            out.push(missing_finding(ctx, recon, CODE, d, message));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{fired, fixed};
    use super::CODE;

    const SHIN: &str = "# Encounter 2026-06-12\nPayer: Medicare\n\n## Procedure: Mohs\nSite: left anterior shin, 12 cm below the patella\nLesion: 1.6 cm biopsy-proven invasive SCC\nStage 1: 4 blocks, mapped, SCC at 7 o'clock\nStage 2: 2 blocks, mapped, clear\nDx: C44.729\n\n## Billing\n- 17311  Dx: C44.729\n- 17312  Dx: C44.729\n";

    #[test]
    fn fires_on_the_head_and_neck_codes_for_a_leg() {
        assert_eq!(fired(SHIN, CODE), ["17311", "17312"]);
    }

    #[test]
    fn fires_on_units_for_stages() {
        let extra = SHIN
            .replace("- 17311", "- 17313")
            .replace("- 17312", "- 17314 x2");
        assert_eq!(fired(&extra, CODE), ["x2"]);
    }

    #[test]
    fn silent_on_the_right_codes() {
        let ok = SHIN
            .replace("- 17311", "- 17313")
            .replace("- 17312", "- 17314");
        assert!(fired(&ok, CODE).is_empty());
    }

    #[test]
    fn fix_replaces_the_codes() {
        let (after, again) = fixed(SHIN, CODE);
        assert!(
            after.ends_with("- 17313  Dx: C44.729\n- 17314  Dx: C44.729\n"),
            "{after}"
        );
        assert!(again.is_empty());
    }

    #[test]
    fn fix_sets_the_units() {
        let extra = SHIN
            .replace("- 17311", "- 17313")
            .replace("- 17312", "- 17314 x2");
        let (after, again) = fixed(&extra, CODE);
        assert!(
            after.ends_with("- 17313  Dx: C44.729\n- 17314  Dx: C44.729\n"),
            "{after}"
        );
        assert!(again.is_empty());
    }
}
