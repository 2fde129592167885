//! Phototherapy: 96900 UVB (narrowband and broadband), 96910 tar or
//! petrolatum and UVB (Goeckerman), 96912 PUVA, 96913 Goeckerman or PUVA for
//! severe disease over 4–8 hours, 96920–96922 excimer laser by total area.
//! One line per session.
//!
//! Source: CPT phototherapy codes as summarised in CODING-RULES.md.

use crate::codes::{CodeTable, Family};
use crate::extract::{Area, EncounterFacts, Modality};
use crate::vocab::ProcKind;

use super::{ClaimLine, EncounterClaim};

pub(super) fn derive(facts: &EncounterFacts, table: &CodeTable, claim: &mut EncounterClaim) {
    for (pi, p) in facts.procedures.iter().enumerate() {
        if p.kind != ProcKind::Phototherapy {
            continue;
        }
        let Some(photo) = &p.photo else { continue };
        let severe = photo.hours.is_some_and(|h| h >= 4);
        let (row, why) = match photo.modality {
            Modality::Excimer => {
                let Some(Area::SqCm(area, _)) = photo.area else { continue };
                (
                    table.by_tier(Family::Phototherapy, "excimer", area),
                    format!("Excimer laser, total area {area} sq cm."),
                )
            }
            Modality::Puva | Modality::TarUvb if severe => (
                table.primary(Family::Phototherapy, "severe-4-8-hours"),
                "Goeckerman or PUVA for severe disease, 4–8 hours under supervision.".to_string(),
            ),
            Modality::Puva => (table.primary(Family::Phototherapy, "puva"), "PUVA (psoralen and UVA).".to_string()),
            Modality::TarUvb => (
                table.primary(Family::Phototherapy, "tar-uvb"),
                "Tar (or petrolatum) and UVB: Goeckerman.".to_string(),
            ),
            Modality::Uvb => (
                table.primary(Family::Phototherapy, "uvb"),
                "UVB phototherapy (narrowband or broadband) is actinotherapy, 96900 (96912 is PUVA).".to_string(),
            ),
        };
        let Some(row) = row else { continue };
        claim.lines.push(
            ClaimLine::new(&row.code, "phototherapy", why)
                .for_lesion(pi, 0)
                .source(photo.span)
                .dx(&p.dx),
        );
    }
}
