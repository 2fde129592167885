//! Mohs 17311–17315: first stage by site (head, neck, hands, feet, genitalia,
//! or deep structures: 17311; trunk, arms, legs: 17313), each additional
//! stage the add-on, and +17315 for each block beyond five in any stage.
//!
//! Sources: CPT descriptors as quoted by AAPC Pathology/Lab Coding Alert;
//! CodingIntel "Coding for Mohs"; AAD DW March 2020 (Miller).

use crate::codes::{CodeTable, Family};
use crate::extract::EncounterFacts;
use crate::vocab::{GroupFamily, ProcKind};

use super::{ClaimLine, EncounterClaim};

const HEAD_GROUP: &str = "head-neck-hands-feet-genitalia";

pub(super) fn derive(facts: &EncounterFacts, table: &CodeTable, claim: &mut EncounterClaim) {
    for (pi, p) in facts.procedures.iter().enumerate() {
        if p.kind != ProcKind::Mohs {
            continue;
        }
        let site = p
            .lesions
            .first()
            .and_then(|l| l.site.as_ref())
            .or(p.sites.first());
        let Some(mut group) = site.and_then(|s| s.group(GroupFamily::Mohs)) else {
            continue;
        };
        // The why of the first stage, `Mohs, first stage: {why_site}.`,
        // joined without `format!`.
        let mut why_site = ["site group ", group].concat();
        if p.deep_structures && group != HEAD_GROUP {
            group = HEAD_GROUP;
            why_site = "surgery directly involves muscle, cartilage, bone, tendon, major nerves or vessels".to_string();
        }
        let stages = if p.stages.is_empty() {
            p.stage_count.unwrap_or(1)
        } else {
            p.stages.len() as u32
        };
        let Some(first) = table.primary(Family::Mohs, group) else {
            continue;
        };
        let source = p.stages.first().map(|s| s.span).unwrap_or(p.kind_span);
        claim.lines.push(
            ClaimLine::new(
                &first.code,
                "mohs-first-stage",
                ["Mohs, first stage: ", &why_site, "."].concat(),
            )
            .for_lesion(pi, 0)
            .source(source)
            .dx(&p.dx),
        );
        if stages > 1 {
            if let Some(add) = table.addon_for(&first.code, Family::Mohs) {
                let mut l = ClaimLine::new(
                    &add.code,
                    "mohs-additional-stage",
                    [
                        "Mohs: ",
                        itoa::Buffer::new().format(stages),
                        " stages documented, so ",
                        itoa::Buffer::new().format(stages - 1),
                        " additional stage(s).",
                    ]
                    .concat(),
                )
                .for_lesion(pi, 0)
                .dx(&p.dx);
                l.units = stages - 1;
                for s in p.stages.iter().skip(1) {
                    l.sources.push(s.span);
                }
                claim.lines.push(l);
            }
        }
        let extra: u32 = p
            .stages
            .iter()
            .map(|s| s.blocks.unwrap_or(0).saturating_sub(5))
            .sum();
        if extra > 0 {
            let mut l = ClaimLine::new(
                "17315",
                "mohs-additional-blocks",
                format!("Mohs: {extra} block(s) beyond the first five in a stage (17315 applies in any stage)."),
            )
            .for_lesion(pi, 0)
            .dx(&p.dx);
            l.units = extra;
            for s in p.stages.iter().filter(|s| s.blocks.unwrap_or(0) > 5) {
                l.sources.push(s.span);
            }
            claim.lines.push(l);
        }
    }
}
