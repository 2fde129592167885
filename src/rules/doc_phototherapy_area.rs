//! `doc/phototherapy-area` (warning): excimer laser (targeted)
//! phototherapy without the total area treated in square centimetres
//! (`Area: 180 sq cm`, `300 cm2`). A `% BSA` does not give the tier, so it
//! fires too, on that text.
//!
//! Why: 96920 / 96921 / 96922 are chosen by total area (under 250, 250 to
//! 500, over 500 sq cm); without it the session cannot be coded. Example:
//! `Excimer laser to plaques of the elbows and knees, 500 mJ/cm2.` fires;
//! `Area: 180 sq cm` silences it.
//!
//! Source: CPT 96920–96922; CODING-RULES.md "Phototherapy".

use crate::extract::{Area, Modality};
use crate::rules::{Ctx, Finding};
use crate::vocab::ProcKind;

use super::field_or_self;

pub(super) const CODE: &str = "doc/phototherapy-area";

pub(super) fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for p in &ctx.facts.procedures {
        if p.kind != ProcKind::Phototherapy {
            continue;
        }
        let Some(photo) = &p.photo else { continue };
        if photo.modality != Modality::Excimer {
            continue;
        }
        match photo.area {
            Some(Area::SqCm(..)) => {}
            Some(Area::PercentBsa(span)) => out.push(Finding::new(
                CODE,
                field_or_self(ctx.text, span),
                "Excimer laser: the area is given as % BSA; the codes (96920 / 96921 / 96922) need the total area in square centimetres (e.g. `Area: 180 sq cm`).".to_string(),
            )),
            None => out.push(Finding::new(
                CODE,
                p.heading,
                "Excimer laser: the total area treated is not documented (e.g. `Area: 180 sq cm`); 96920 / 96921 / 96922 are chosen by area.".to_string(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fired;
    use super::CODE;

    #[test]
    fn fires_without_an_area() {
        let text = r"# Encounter 2026-05-28
Payer: Commercial

## Procedure: excimer laser
Excimer laser to plaques of the elbows and knees, 500 mJ/cm2.
Session: 6
Dx: L40.0
";
        assert_eq!(fired(text, CODE), ["## Procedure: excimer laser"]);
    }

    #[test]
    fn silent_with_an_area_or_for_uvb() {
        let text = r"## Procedure: excimer laser
Excimer laser to the face and hands.
Area: 180 sq cm
Session: 10
";
        assert!(fired(text, CODE).is_empty());
        let text = "## Procedure: phototherapy\nNB-UVB full body, 650 mJ/cm2.\nSession: 12\n";
        assert!(fired(text, CODE).is_empty());
    }
}
