//! `doc/excision-pathology` (warning): an excision that does not document
//! pathology: neither a `Pathology:` (`Path:`, `Specimen:`) field that says
//! it was sent or gives the result, nor a sentence that sends the specimen
//! (`Specimen sent to pathology.`). A field that says none was sent
//! (`Pathology: not sent`) fires on that line.
//!
//! Why: benign (11400–11446) or malignant (11600–11646) follows the
//! pathology, and UnitedHealthcare asks for the report on every excision.
//! Example: an excision with no pathology line fires; `Pathology: sent` or
//! `Pathology: nodular BCC, margins clear` does not.
//!
//! Source: CPT excision guidelines as taught by AAPC (2020); CODING-RULES.md.

use crate::rules::{Ctx, Finding};
use crate::vocab::ProcKind;

use super::{field_or_self, pathology_at};

pub(super) const CODE: &str = "doc/excision-pathology";

pub(super) fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for p in &ctx.facts.procedures {
        if p.kind != ProcKind::Excision || pathology_at(ctx, p).is_some() {
            continue;
        }
        let span = p
            .pathology
            .as_ref()
            .map_or(p.heading, |path| field_or_self(ctx.text, path.span));
        out.push(Finding::new(
            CODE,
            span,
            "Excision: pathology is not documented (write `Pathology: sent`, or the result); benign or malignant coding follows the pathology.".to_string(),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::fired;
    use super::CODE;

    #[test]
    fn fires_without_pathology() {
        let text = r"# Encounter 2026-05-22
Payer: Commercial

## Procedure: excision
Site: right upper arm, lateral
Lesion: 0.8 cm tan papule
Margins: 2 mm
Repair: simple, 2.0 cm
";
        assert_eq!(fired(text, CODE), ["## Procedure: excision"]);
    }

    #[test]
    fn silent_with_a_field_or_a_sentence() {
        let text = r"## Procedure: excision
Site: right upper arm, lateral
Lesion: 0.8 cm tan papule
Margins: 2 mm
Repair: simple, 2.0 cm
Pathology: sent
";
        assert!(fired(text, CODE).is_empty());
        let text = r"## Procedure: excision
Site: right upper arm, lateral
Lesion: 0.8 cm tan papule
Margins: 2 mm
Repair: simple, 2.0 cm
The specimen was sent to dermatopathology.
";
        assert!(fired(text, CODE).is_empty());
    }
}
