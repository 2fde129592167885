//! `code/biopsy-technique-mismatch`: a biopsy code whose technique differs
//! from the documented one. 11102/11103 are tangential (shave,
//! saucerization, scoop), 11104/11105 punch, 11106/11107 incisional.
//!
//! Example: `Technique: 4 mm punch` with `- 11102` fires; the fix replaces
//! it with 11104.
//!
//! Source: CPT 2019 biopsy codes; AAD DCC "New skin biopsy codes" (2018).

use super::{Recon, wrong_code, wrong_code_finding};
use crate::codes::Family;
use crate::rules::{Ctx, Finding};

pub(super) const CODE: &str = "code/biopsy-technique-mismatch";

pub(super) fn check(ctx: &Ctx, recon: &Recon, out: &mut Vec<Finding>) {
    for issue in &recon.issues {
        let Some((b, d, row)) = wrong_code(recon, issue, |f| f == Family::Biopsy) else {
            continue;
        };
        if b.row.family != Family::Biopsy {
            continue;
        }
        let technique = |r: &crate::codes::CodeRow| r.group.clone().unwrap_or_default();
        let message = if technique(b.row) == technique(row) {
            format!(
                "{} does not match the documentation: bill {}. {}",
                b.code,
                d.label(),
                d.why
            )
        } else {
            format!(
                "{} is a {} biopsy code, but the documented technique is {}: bill {}.",
                b.code,
                technique(b.row),
                technique(row),
                d.label()
            )
        };
        out.push(wrong_code_finding(ctx, CODE, b, d, message));
    }
}

#[cfg(test)]
mod tests {
    use super::super::{fired, fixed};
    use super::CODE;

    const PUNCH: &str = "# Encounter 2026-03-02\nPayer: Medicare\n\n## Procedure: punch biopsy\nSite: left dorsal forearm, 5 cm distal to the antecubital fossa\nLesion: 0.6 cm pink scaly papule\nIndication: r/o SCC\nTechnique: 4 mm punch\nPathology: sent\nDx: D48.5\n\n## Billing\n- 11102  Dx: D48.5\n";

    #[test]
    fn fires_on_a_tangential_code_for_a_punch() {
        assert_eq!(fired(PUNCH, CODE), ["11102"]);
    }

    #[test]
    fn silent_on_the_right_code() {
        let ok = PUNCH.replace("- 11102", "- 11104");
        assert!(fired(&ok, CODE).is_empty());
    }

    #[test]
    fn fix_replaces_the_code() {
        let (after, again) = fixed(PUNCH, CODE);
        assert!(
            after.ends_with("## Billing\n- 11104  Dx: D48.5\n"),
            "{after}"
        );
        assert!(again.is_empty());
    }
}
