//! `code/destruction-series`: premalignant lesions (actinic keratoses)
//! billed with 17110/17111, or benign lesions (warts, seborrheic keratoses,
//! molluscum) billed with 17000–17004.
//!
//! Example: `5 AKs of the forehead treated with liquid nitrogen` with `-
//! 17110` fires; the fix replaces it with 17000 (and
//! `code/destruction-units` then asks for 17003 x4).
//!
//! Source: CPT 17000–17111 descriptors; AAD Dermatology World, Elston (Nov
//! 2011).

use super::{Extra, Recon, extra, extra_finding, is_destruction, wrong_code, wrong_code_finding};
use crate::codes::Family;
use crate::rules::{Ctx, Finding};

pub(super) const CODE: &str = "code/destruction-series";

fn series(f: Family) -> &'static str {
    if f == Family::DestructionPremalignant {
        "premalignant-lesion (17000–17004)"
    } else {
        "benign-lesion (17110–17111)"
    }
}

pub(super) fn check(ctx: &Ctx, recon: &Recon, out: &mut Vec<Finding>) {
    let derived_families: Vec<Family> = recon
        .derived_rows
        .iter()
        .flatten()
        .map(|r| r.family)
        .filter(|f| is_destruction(*f))
        .collect();
    for issue in &recon.issues {
        if let Some((b, d, row)) = wrong_code(recon, issue, is_destruction) {
            if row.family != b.row.family {
                let message = format!(
                    "{} is in the {} series, but the lesions documented call for the {} series: bill {}. {}",
                    b.code,
                    series(b.row.family),
                    series(row.family),
                    d.label(),
                    d.why
                );
                out.push(wrong_code_finding(ctx, CODE, b, d, message));
            }
        } else if let Some(b) = extra(recon, issue, Extra::Destruction) {
            if derived_families.contains(&b.row.family) {
                continue;
            }
            let message = format!(
                "{} is in the {} series, which the lesions documented do not support.",
                b.code,
                series(b.row.family)
            );
            out.push(extra_finding(ctx, CODE, b, message));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{fired, fixed};
    use super::CODE;

    const AKS: &str = "# Encounter 2026-06-05\nPayer: Medicare\n\n## Procedure: cryotherapy\n5 AKs of the forehead treated with liquid nitrogen.\nDx: L57.0\n\n## Billing\n- 17110  Dx: L57.0\n";

    #[test]
    fn fires_on_the_benign_series_for_aks() {
        assert_eq!(fired(AKS, CODE), ["17110"]);
    }

    #[test]
    fn fires_on_the_premalignant_series_for_warts() {
        let warts = "# Encounter 2026-06-05\nPayer: Medicare\n\n## Procedure: cryotherapy\n3 common warts of the left hand treated with liquid nitrogen.\nDx: B07.8\n\n## Billing\n- 17000  Dx: B07.8\n";
        assert_eq!(fired(warts, CODE), ["17000"]);
    }

    #[test]
    fn silent_on_the_right_series() {
        let ok = AKS.replace(
            "- 17110  Dx: L57.0",
            "- 17000  Dx: L57.0\n- 17003 x4  Dx: L57.0",
        );
        assert!(fired(&ok, CODE).is_empty());
    }

    #[test]
    fn fix_replaces_the_code() {
        let (after, again) = fixed(AKS, CODE);
        assert!(after.ends_with("- 17000  Dx: L57.0\n"), "{after}");
        assert!(again.is_empty());
    }
}
