//! `doc/excision-lesion-size` (warning): an excision without the lesion's
//! size, its greatest clinical diameter measured before excision (in the
//! `Lesion:` or `Size:` field, the lesion's `(A)` line, or a sentence that
//! is not about the defect, the repair or the margins).
//!
//! Why: the excision code's size tier is the excised diameter, the lesion
//! diameter plus twice the narrowest margin; the wound length and the
//! pathology specimen size do not stand in for it. A stated excised
//! diameter gives the tier but still leaves the lesion undescribed, so the
//! rule fires then too. Example: `Lesion: tan papule` fires; `Lesion: 0.8 cm
//! tan papule` does not.
//!
//! Source: CPT excision guidelines as taught by AAPC ("4 Steps for Improved
//! Excision Coding", 2020); CODING-RULES.md.

use crate::rules::{Ctx, Finding};
use crate::vocab::ProcKind;

use super::lesion_anchor;

pub(super) const CODE: &str = "doc/excision-lesion-size";

pub(super) fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for p in &ctx.facts.procedures {
        if p.kind != ProcKind::Excision {
            continue;
        }
        for lesion in p.lesions.iter().filter(|l| l.size.is_none()) {
            let message = if p.excised_diameter.is_some() && p.lesions.len() == 1 {
                "Excision: the lesion's own size (greatest clinical diameter before excision) is not documented; only the excised diameter is."
            } else {
                "Excision: the lesion's size (greatest clinical diameter before excision) is not documented; the excision code's size tier depends on it."
            };
            out.push(Finding::new(
                CODE,
                lesion_anchor(ctx.text, p, lesion),
                message.to_string(),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fired;
    use super::CODE;

    #[test]
    fn fires_without_a_size() {
        let text = r"# Encounter 2026-05-22
Payer: Commercial

## Procedure: excision
Site: right upper arm, lateral
Lesion: tan papule
Margins: 2 mm
Repair: simple, 2.0 cm
Pathology: sent
";
        assert_eq!(fired(text, CODE), ["## Procedure: excision"]);
    }

    #[test]
    fn silent_with_a_size_in_the_lesion_field() {
        let text = r"## Procedure: excision
Site: right upper arm, lateral
Lesion: 0.8 cm tan papule
Margins: 2 mm
Repair: simple, 2.0 cm
Pathology: sent
";
        assert!(fired(text, CODE).is_empty());
    }
}
