//! `code/unsupported-code`: a billed code (or units of one) that no
//! documented procedure supports. Families with their own rule (biopsy
//! technique, excision and shave size, repair, Mohs, destruction, NCCI
//! bundles) report there; this rule takes the rest: a wrong phototherapy or
//! E/M code, a code with nothing documented behind it, too many units.
//!
//! Example: NB-UVB documented and `- 96912` (PUVA) billed fires; the fix
//! replaces it with 96900.
//!
//! Source: CMS documentation guidelines; the derived claim
//! (CODING-RULES.md).

use super::{
    Extra, Recon, dropped_reason, extra, extra_finding, is_destruction, is_excision, is_repair,
    plain_units, wrong_code, wrong_code_finding,
};
use crate::codes::Family;
use crate::rules::{Ctx, Finding};

pub(super) const CODE: &str = "code/unsupported-code";

/// Families whose wrong codes another rule reports.
fn owned_elsewhere(f: Family) -> bool {
    matches!(f, Family::Biopsy | Family::ShaveRemoval | Family::Mohs)
        || is_excision(f)
        || is_repair(f)
        || is_destruction(f)
}

pub(super) fn check(ctx: &Ctx, recon: &Recon, out: &mut Vec<Finding>) {
    for issue in &recon.issues {
        if let Some((b, d, _)) = wrong_code(recon, issue, |f| !owned_elsewhere(f)) {
            let message = [
                b.code,
                " (",
                &b.row.description,
                ") is not what the documentation supports: bill ",
                &d.label(),
                ". ",
                &d.why,
            ]
            .concat();
            out.push(wrong_code_finding(ctx, CODE, b, d, message));
        } else if let Some(b) = extra(recon, issue, Extra::Other) {
            let reason = dropped_reason(ctx, b.code)
                .unwrap_or_else(|| "no documented procedure supports it".to_string());
            let message = [
                b.code,
                " (",
                &b.row.description,
                ") is not supported: ",
                &reason,
            ]
            .concat();
            out.push(extra_finding(ctx, CODE, b, message));
        }
    }
    plain_units(ctx, recon, CODE, true, out);
}

#[cfg(test)]
mod tests {
    use super::super::{fired, fixed};
    use super::CODE;

    const NBUVB: &str = "# Encounter 2026-05-19\nPayer: Medicare\n\n## Procedure: phototherapy\nNB-UVB full body, 600 mJ/cm2.\nSession: 12\nIndication: plaque psoriasis\nDx: L40.0\n\n## Billing\n- 96912  Dx: L40.0\n";

    #[test]
    fn fires_on_puva_for_nbuvb() {
        assert_eq!(fired(NBUVB, CODE), ["96912"]);
    }

    #[test]
    fn fires_on_a_code_with_nothing_behind_it() {
        let extra = format!("{NBUVB}- 10060  Dx: L40.0\n").replace("- 96912", "- 96900");
        assert_eq!(fired(&extra, CODE), ["10060"]);
        let (after, again) = fixed(&extra, CODE);
        assert!(
            after.ends_with("## Billing\n- 96900  Dx: L40.0\n"),
            "{after}"
        );
        assert!(again.is_empty());
    }

    #[test]
    fn fires_on_too_many_units() {
        let two = NBUVB.replace("- 96912", "- 96900 x2");
        assert_eq!(fired(&two, CODE), ["x2"]);
        let (after, again) = fixed(&two, CODE);
        assert!(after.ends_with("- 96900  Dx: L40.0\n"), "{after}");
        assert!(again.is_empty());
    }

    #[test]
    fn silent_on_the_right_code() {
        assert!(fired(&NBUVB.replace("- 96912", "- 96900"), CODE).is_empty());
    }

    #[test]
    fn fix_replaces_the_code() {
        let (after, again) = fixed(NBUVB, CODE);
        assert!(after.ends_with("- 96900  Dx: L40.0\n"), "{after}");
        assert!(again.is_empty());
    }
}
