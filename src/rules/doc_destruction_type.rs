//! `doc/destruction-type` (warning): a destruction that does not say whether
//! the lesions are premalignant (actinic keratoses), benign (seborrheic
//! keratoses, warts, molluscum) or malignant (BCC, SCC, in situ forms),
//! neither in the text nor by a diagnosis code (L57.0; L82, B07, B08.1;
//! C43, C44, D03, D04). A lesion the destruction codes do not cover (a skin
//! tag, an angioma, a nevus) fires too, naming it.
//!
//! Why: the three series are different codes (17000–17004, 17110/17111,
//! 17260–17286); using one for another is a denial, and without the type
//! the destruction cannot be coded at all. Example: `Lesions treated with
//! LN2` fires; `8 AKs treated with LN2` does not.
//!
//! Source: AAD Dermatology World, Elston, "Destruction codes for
//! pre-malignant and malignant lesions" (Nov 2011); CODING-RULES.md
//! "Destruction".

use crate::rules::{Ctx, Finding};
use crate::vocab::{LesionClass, ProcKind};

pub(super) const CODE: &str = "doc/destruction-type";

pub(super) fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for p in &ctx.facts.procedures {
        if p.kind != ProcKind::Destruction {
            continue;
        }
        let from_dx = crate::extract::dx_lesion_class(&p.dx);
        let untyped = p.destruction.iter().any(|g| match g.class {
            Some(LesionClass::Premalignant | LesionClass::Benign | LesionClass::Malignant) => false,
            Some(LesionClass::BenignExcision) => true,
            None => from_dx.is_none(),
        });
        if !untyped {
            continue;
        }
        let message = match p.lesion_class {
            Some((LesionClass::BenignExcision, span)) => format!(
                "Destruction: `{}` is not a lesion type the destruction codes cover; document whether the lesions are premalignant (AKs), benign (SKs, warts, molluscum) or malignant (skin tags are removed with 11200, not destroyed with 17110).",
                span.text(ctx.text)
            ),
            _ => "Destruction: the lesion type is not documented: premalignant (actinic keratoses), benign (seborrheic keratoses, warts, molluscum) or malignant; each has its own codes.".to_string(),
        };
        out.push(Finding::new(CODE, p.heading, message));
    }
}

#[cfg(test)]
mod tests {
    use super::super::fired;
    use super::CODE;

    #[test]
    fn fires_without_a_lesion_type() {
        let text = r"# Encounter 2026-05-25
Payer: Medicare

## Cryotherapy
Site: left dorsal hand
Method: liquid nitrogen, two freeze-thaw cycles
Lesions treated without complication.
";
        assert_eq!(fired(text, CODE), ["## Cryotherapy"]);
    }

    #[test]
    fn silent_with_a_type_or_a_diagnosis_code() {
        let text = "## Cryotherapy\n12 AKs of the scalp treated with LN2.\n";
        assert!(fired(text, CODE).is_empty());
        let text = r"## Cryotherapy
Count: 3
Site: left dorsal hand
Method: LN2
Dx: B07.8
";
        assert!(fired(text, CODE).is_empty());
    }
}
