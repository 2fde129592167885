//! `code/addon-without-primary`: an add-on code (11103, 11105, 11107, 17003,
//! 17312, 17314, 17315, 13102, 13122, 13133, 13153) billed without any of
//! the primary codes it is reported with. An add-on alone is denied.
//!
//! Example: `- 11103 x2` for two shave biopsies fires; the fix adds the
//! primary the documentation supports (`- 11102`).
//!
//! Source: CPT add-on code conventions (global period ZZZ); the built-in
//! table's `addon_of` column.

use super::{Recon, code_span, insert_line};
use crate::rules::{Ctx, Finding};

pub(super) const CODE: &str = "code/addon-without-primary";

pub(super) fn check(ctx: &Ctx, recon: &Recon, out: &mut Vec<Finding>) {
    for b in &recon.billed {
        if !b.row.addon || b.row.addon_of.is_empty() {
            continue;
        }
        if recon
            .billed
            .iter()
            .any(|o| b.row.addon_of.iter().any(|p| p == o.code))
        {
            continue;
        }
        // The primary the documentation supports, when it derives one.
        let primary = recon
            .derived
            .iter()
            .find(|d| b.row.addon_of.contains(&d.cpt));
        let message = match primary {
            Some(p) => format!(
                "{} is an add-on code and needs its primary on the claim: add {}.",
                b.code,
                p.label()
            ),
            None => format!(
                "{} is an add-on code and needs one of {} on the claim.",
                b.code,
                b.row.addon_of.join(", ")
            ),
        };
        out.push(
            Finding::new(CODE, code_span(b.line), message)
                .with_fix(primary.map(|p| insert_line(ctx, recon.section, p))),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::{fired, fixed};
    use super::CODE;

    const TWO: &str = "# Encounter 2026-06-11\nPayer: Commercial\n\n## Procedure: shave biopsies\nTechnique: shave biopsy\n(A) left upper back, 3 cm below the scapular spine: 0.6 cm irregular brown macule, r/o dysplastic nevus\n(B) right lateral thigh, 10 cm above the knee: 0.5 cm scaly pink papule, r/o SCC in situ\nPathology: sent\nDx: D49.2\n\n## Billing\n- 11103 x2  Dx: D49.2\n";

    #[test]
    fn fires_on_an_add_on_alone() {
        assert_eq!(fired(TWO, CODE), ["11103"]);
    }

    #[test]
    fn silent_with_the_primary() {
        let ok = TWO.replace("- 11103 x2", "- 11102  Dx: D49.2\n- 11103");
        assert!(fired(&ok, CODE).is_empty());
    }

    #[test]
    fn fix_adds_the_primary() {
        let (after, again) = fixed(TWO, CODE);
        assert!(
            after.ends_with("- 11103 x2  Dx: D49.2\n- 11102  Dx: D49.2\n"),
            "{after}"
        );
        assert!(again.is_empty());
    }
}
