//! `code/destruction-units`: destruction codes or units that do not match
//! the number of lesions documented. 17000 once for the first premalignant
//! lesion, 17003 once for each of the 2nd–14th, 17004 alone for 15 or more;
//! 17110 for up to 14 benign lesions, 17111 alone for 15 or more.
//!
//! Example: 20 AKs billed `17000`, `17003 x13`, `17004` fire on the first
//! two lines; the fixes delete them, leaving 17004.
//!
//! Source: CPT 17000–17111 descriptors; CMS NCCI Policy Manual ch. III; CMS
//! MUE 2026.

use super::{
    Extra, Recon, extra, extra_finding, is_destruction, missing, missing_finding, units,
    units_finding, wrong_code, wrong_code_finding,
};
use crate::rules::{Ctx, Finding};

pub(super) const CODE: &str = "code/destruction-units";

pub(super) fn check(ctx: &Ctx, recon: &Recon, out: &mut Vec<Finding>) {
    let derived_families: Vec<_> = recon
        .derived_rows
        .iter()
        .flatten()
        .map(|r| r.family)
        .filter(|f| is_destruction(*f))
        .collect();
    let counted = || {
        let n: u32 = ctx
            .facts
            .procedures
            .iter()
            .flat_map(|p| &p.destruction)
            .filter_map(|g| g.count)
            .sum();
        if n > 0 {
            format!("{n} lesion(s) are documented")
        } else {
            "the documented count".to_string()
        }
    };
    for issue in &recon.issues {
        if let Some((b, d, row)) = wrong_code(recon, issue, is_destruction) {
            if row.family != b.row.family {
                continue;
            }
            let message = format!(
                "{} does not match the count: {}. Bill {}. {}",
                b.code,
                counted(),
                d.label(),
                d.why
            );
            out.push(wrong_code_finding(ctx, CODE, b, d, message));
        } else if let Some((code, billed, billed_units, derived_units)) =
            units(recon, issue, is_destruction)
        {
            let message = format!(
                "{code} is billed for {billed_units} unit(s), but {} and support {derived_units}.",
                counted()
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
        } else if let Some(b) = extra(recon, issue, Extra::Destruction) {
            if !derived_families.contains(&b.row.family) {
                continue;
            }
            let instead: Vec<String> = recon
                .derived
                .iter()
                .zip(&recon.derived_rows)
                .filter(|(_, row)| row.map(|r| r.family) == Some(b.row.family))
                .map(|(d, _)| d.label())
                .collect();
            let message = format!(
                "{} does not belong with the count: {}, billed as {} alone.",
                b.code,
                counted(),
                instead.join(" + ")
            );
            out.push(extra_finding(ctx, CODE, b, message));
        } else if let Some(d) = missing(recon, issue, is_destruction) {
            if !recon.bills(is_destruction) {
                continue;
            }
            out.push(missing_finding(
                ctx,
                recon,
                CODE,
                d,
                format!("{} is missing: {}. {}", d.label(), counted(), d.why),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{fired, fixed};
    use super::CODE;

    const AKS: &str = "# Encounter 2026-06-01\nPayer: Medicare\n\n## Procedure: cryotherapy\nCount: 20\nSite: scalp (12), forehead (8)\nLesion: actinic keratoses\nMethod: LN2\nDx: L57.0\n\n## Billing\n- 17000  Dx: L57.0\n- 17003 x13  Dx: L57.0\n- 17004  Dx: L57.0\n";

    const WARTS: &str = "# Encounter 2026-02-04\nPayer: Medicare\n\n## Procedure: cryotherapy\nCount: 30\nSite: bilateral hands and fingers\nLesion: common warts 2-5 mm\nMethod: LN2\nDx: B07.8\n\n## Billing\n- 17110\n- 17111\n";

    #[test]
    fn fires_on_17004_with_17000_and_17003() {
        assert_eq!(fired(AKS, CODE), ["17000", "17003"]);
    }

    #[test]
    fn fires_on_17110_with_17111() {
        assert_eq!(fired(WARTS, CODE), ["17110"]);
    }

    #[test]
    fn fires_on_too_few_units() {
        let few = "# Encounter 2026-06-05\nPayer: Medicare\n\n## Procedure: cryotherapy\n5 AKs of the forehead treated with liquid nitrogen.\nDx: L57.0\n\n## Billing\n- 17000  Dx: L57.0\n- 17003 x2  Dx: L57.0\n";
        assert_eq!(fired(few, CODE), ["x2"]);
        let (after, again) = fixed(few, CODE);
        assert!(after.ends_with("- 17003 x4  Dx: L57.0\n"), "{after}");
        assert!(again.is_empty());
    }

    #[test]
    fn silent_on_the_right_codes() {
        let ok = AKS.replace("- 17000  Dx: L57.0\n- 17003 x13  Dx: L57.0\n", "");
        assert!(fired(&ok, CODE).is_empty());
    }

    #[test]
    fn fix_deletes_the_extra_lines() {
        let (after, again) = fixed(AKS, CODE);
        assert!(
            after.ends_with("## Billing\n- 17004  Dx: L57.0\n"),
            "{after}"
        );
        assert!(again.is_empty());
        let (after, again) = fixed(WARTS, CODE);
        assert!(after.ends_with("## Billing\n- 17111\n"), "{after}");
        assert!(again.is_empty());
    }
}
