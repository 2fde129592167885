//! `doc/excision-margins` (warning): an excision with neither the margin
//! taken around the lesion (`Margins: 0.2 cm`, `excised with 2 mm
//! margins`) nor a stated excised diameter (`Excised diameter: 1.4 cm`).
//!
//! Why: the excised diameter, lesion + 2 × the narrowest margin, chooses the
//! code's size tier. Without a margin the tier falls back to the lesion
//! alone (usually one tier low), and an auditor cannot check it. Example:
//! `Lesion: 0.8 cm tan papule` with no `Margins:` fires.
//!
//! Source: CPT excision guidelines as taught by AAPC ("4 Steps for Improved
//! Excision Coding", 2020); AAD.

use crate::re::Re;

use crate::extract::{Procedure, Role};
use crate::rules::{Ctx, Finding};
use crate::vocab::ProcKind;

use super::sentence_with_measure;

static MARGIN_WORD: Re = Re::new(r"(?i)\bmargins?\b");

pub(super) const CODE: &str = "doc/excision-margins";

pub(super) fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for p in &ctx.facts.procedures {
        if p.kind == ProcKind::Excision
            && p.margin.is_none()
            && p.excised_diameter.is_none()
            && !margin_in_sentence(ctx, p)
        {
            out.push(Finding::new(
                CODE,
                p.heading,
                "Excision: neither the margins (e.g. `Margins: 2 mm`) nor the excised diameter are documented; the code's size tier is the lesion plus twice the narrowest margin.".to_string(),
            ));
        }
    }
}

/// A sentence clause that gives a measured margin in other words (`excised
/// with 1 cm surgical margins`, `a margin of clinically normal skin of 2
/// mm`).
fn margin_in_sentence(ctx: &Ctx, p: &Procedure) -> bool {
    sentence_with_measure(ctx, p, &MARGIN_WORD, |m| {
        m.role != Role::Landmark && m.role != Role::Depth
    })
}

#[cfg(test)]
mod tests {
    use super::super::fired;
    use super::CODE;

    #[test]
    fn fires_without_margins() {
        let text = r"# Encounter 2026-05-22
Payer: Commercial

## Procedure: excision
Site: right upper arm, lateral
Lesion: 0.8 cm tan papule
Technique: elliptical excision
Repair: simple, 2.0 cm
Pathology: sent
";
        assert_eq!(fired(text, CODE), ["## Procedure: excision"]);
    }

    #[test]
    fn silent_with_margins_in_a_sentence_or_an_excised_diameter() {
        let text = r"## Procedure: excisional bx
Site: right shin, 12 cm below the tibial tuberosity
Lesion: 7mm changing dark brown papule
Elliptical excisional biopsy performed with 2 mm margins.
Closure: simple
Pathology: sent
";
        assert!(fired(text, CODE).is_empty());
        let text = r"## Procedure: wide local excision
Site: left upper back, 6 cm below the scapular spine
Lesion: 1.2 cm scar at the site of a biopsy-proven invasive melanoma
The scar was excised with 1 cm surgical margins down to the fascia.
Repair: intermediate, 8.0 cm
Pathology: sent
";
        assert!(fired(text, CODE).is_empty());
        let text = r"## Excision
Site: posterior neck, midline, 3 cm below the occipital protuberance
Lesion: 0.8 cm epidermoid cyst
Excised diameter: 1.4 cm
Repair: intermediate, 3.0 cm
Pathology: epidermoid cyst
";
        assert!(fired(text, CODE).is_empty());
    }
}
