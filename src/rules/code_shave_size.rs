//! `code/shave-size`: a shave removal code (11300–11313) whose size tier or
//! site group differs from the lesion diameter and site documented.
//!
//! Example: a 0.8 cm lesion of the cheek is 11311; `- 11301` fires and the
//! fix replaces it.
//!
//! Source: CPT 11300–11313 descriptors.

use super::{Recon, tier_text, wrong_code, wrong_code_finding};
use crate::codes::Family;
use crate::rules::{Ctx, Finding};

pub(super) const CODE: &str = "code/shave-size";

pub(super) fn check(ctx: &Ctx, recon: &Recon, out: &mut Vec<Finding>) {
    for issue in &recon.issues {
        let Some((b, d, row)) = wrong_code(recon, issue, |f| f == Family::ShaveRemoval) else {
            continue;
        };
        let message = format!(
            "{} is a shave removal of {}; the documentation supports {} ({}). {}",
            b.code,
            tier_text(b.row),
            d.label(),
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

    const SHAVE: &str = "# Encounter 2026-03-10\nPayer: Medicare\n\n## Procedure: shave removal\nSite: left cheek\nLesion: 0.8 cm dome-shaped flesh-colored papule, irritated\nTechnique: shave removal with a DermaBlade\nPathology: sent\nDx: D22.39\n\n## Billing\n- 11301  Dx: D22.39\n";

    #[test]
    fn fires_on_the_trunk_code_for_the_face() {
        assert_eq!(fired(SHAVE, CODE), ["11301"]);
    }

    #[test]
    fn silent_on_the_right_code() {
        assert!(fired(&SHAVE.replace("- 11301", "- 11311"), CODE).is_empty());
    }

    #[test]
    fn fix_replaces_the_code() {
        let (after, again) = fixed(SHAVE, CODE);
        assert!(after.ends_with("- 11311  Dx: D22.39\n"), "{after}");
        assert!(again.is_empty());
    }
}
