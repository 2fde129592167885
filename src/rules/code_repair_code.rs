//! `code/repair-code`: a repair code whose complexity, site group or length
//! tier differs from the documentation (lengths of one class and site group
//! summed), or a repair billed where the documentation supports none (a
//! simple closure, which the excision includes).
//!
//! Example: an intermediate repair of 3.0 cm on the trunk is 12032; `-
//! 12031` fires and the fix replaces it.
//!
//! Source: CPT repair guidelines (12001–13153); CMS NCCI Policy Manual
//! ch. III (simple repair included in excision).

use super::{
    Extra, Recon, dropped_reason, extra, extra_finding, is_repair, tier_text, wrong_code,
    wrong_code_finding,
};
use crate::codes::Family;
use crate::rules::{Ctx, Finding};

pub(super) const CODE: &str = "code/repair-code";

/// A repair family's name without its `repair-` prefixes (`simple`), as
/// `trim_start_matches` leaves it, without building a string searcher.
fn class_of(family: Family) -> &'static str {
    let mut s = family.as_str();
    while let Some(rest) = s.strip_prefix("repair-") {
        s = rest;
    }
    s
}

pub(super) fn check(ctx: &Ctx, recon: &Recon, out: &mut Vec<Finding>) {
    for issue in &recon.issues {
        if let Some((b, d, row)) = wrong_code(recon, issue, is_repair) {
            // Joined without `format!`: every piece is text already.
            let message = [
                b.code,
                " is a ",
                class_of(b.row.family),
                " repair of ",
                &tier_text(b.row),
                "; the documentation supports ",
                &d.label(),
                " (",
                class_of(row.family),
                ", ",
                &tier_text(row),
                "). ",
                &d.why,
            ]
            .concat();
            out.push(wrong_code_finding(ctx, CODE, b, d, message));
        } else if let Some(b) = extra(recon, issue, Extra::Repair) {
            let reason = dropped_reason(ctx, b.code)
                .unwrap_or_else(|| {
                    "no intermediate or complex repair with its length is documented (a simple closure is part of the excision)".to_string()
                });
            out.push(extra_finding(
                ctx,
                CODE,
                b,
                [b.code, " is not supported: ", &reason].concat(),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{fired, fixed};
    use super::CODE;

    /// The class is what `trim_start_matches` left of every family name.
    #[test]
    fn classes_are_the_trimmed_family_names() {
        for family in super::Family::ALL {
            assert_eq!(
                super::class_of(family),
                family.as_str().trim_start_matches("repair-")
            );
        }
    }

    const EXC: &str = "# Encounter 2026-04-01\nPayer: Medicare\n\n## Procedure: excision\nSite: left upper back, 6 cm lateral to the spine\nLesion: 1.0 cm biopsy-proven SCC\nMargins: 0.4 cm\nRepair: intermediate, layered closure, 3.0 cm\nPathology: SCC, margins clear\nDx: C44.529\n\n## Billing\n- 11603  Dx: C44.529\n- 12031  Dx: C44.529\n";

    #[test]
    fn fires_on_a_length_tier_too_low() {
        assert_eq!(fired(EXC, CODE), ["12031"]);
    }

    #[test]
    fn fires_on_a_repair_where_the_closure_was_simple() {
        let simple = EXC.replace(
            "Repair: intermediate, layered closure, 3.0 cm",
            "Repair: simple, 3.0 cm",
        );
        assert_eq!(fired(&simple, CODE), ["12031"]);
    }

    #[test]
    fn silent_on_the_right_code() {
        assert!(fired(&EXC.replace("- 12031", "- 12032"), CODE).is_empty());
    }

    #[test]
    fn fix_replaces_the_code() {
        let (after, again) = fixed(EXC, CODE);
        assert!(
            after.ends_with("- 11603  Dx: C44.529\n- 12032  Dx: C44.529\n"),
            "{after}"
        );
        assert!(again.is_empty());
    }
}
