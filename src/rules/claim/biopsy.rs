//! Biopsy, 11102–11107 (CPT 2019): one primary per encounter, the highest
//! technique used (incisional > punch > tangential); every other biopsy takes
//! the add-on of its own technique. A biopsy of the same lesion as an
//! excision, shave removal, destruction or Mohs is not reported, except a
//! frozen section read before Mohs with no prior pathology.
//!
//! Sources: AAD DCC Fall 2018 "New skin biopsy codes"; AHA Coding Clinic for
//! HCPCS 1Q2019; NCCI Policy Manual ch. III.

use crate::codes::{CodeTable, Family};
use crate::extract::{EncounterFacts, Procedure, Site};
use crate::span::Span;
use crate::vocab::{ProcKind, Technique};

use super::{ClaimLine, EncounterClaim};

struct Item<'a> {
    proc: usize,
    lesion: usize,
    technique: Technique,
    source: Span,
    dx: &'a [crate::extract::Dx],
    /// Same lesion as a Mohs procedure, billable by the frozen-section
    /// exception: takes the distinct-site modifier.
    frozen_exception: bool,
}

pub(super) fn derive(facts: &EncounterFacts, table: &CodeTable, claim: &mut EncounterClaim) {
    let mut items: Vec<Item> = Vec::new();
    for (pi, p) in facts.procedures.iter().enumerate() {
        if p.kind == ProcKind::Biopsy {
            for (li, lesion) in p.lesions.iter().enumerate() {
                let Some(technique) = lesion.technique.or(p.technique.map(|t| t.0)) else {
                    continue;
                };
                let item = |frozen_exception| Item {
                    proc: pi,
                    lesion: li,
                    technique,
                    source: lesion.span,
                    dx: &p.dx,
                    frozen_exception,
                };
                let site = lesion.site.as_ref();
                if let Some((other, q)) = same_lesion_procedure(facts, pi, site) {
                    let exception =
                        q.kind == ProcKind::Mohs && (q.frozen_no_prior || p.frozen_no_prior);
                    if !exception {
                        claim.dropped.push(
                            ClaimLine::new(
                                primary_code(table, technique),
                                "biopsy-same-lesion",
                                format!(
                                    "Biopsy not reported: it is of the same lesion (same site) as the {} in procedure {}, which includes it (NCCI Policy Manual ch. III).",
                                    q.kind.as_str(),
                                    other + 1
                                ),
                            )
                            .for_lesion(pi, li)
                            .source(lesion.span),
                        );
                        continue;
                    }
                    items.push(item(true));
                    continue;
                }
                // `two punch biopsies` on one line: one item each.
                for _ in 0..p.biopsy_count.max(1) {
                    items.push(item(false));
                }
            }
        } else {
            for eb in &p.embedded_biopsies {
                let technique = eb.technique.unwrap_or(Technique::Tangential);
                if p.kind == ProcKind::Mohs && p.frozen_no_prior {
                    items.push(Item {
                        proc: pi,
                        lesion: 0,
                        technique,
                        source: eb.span,
                        dx: &p.dx,
                        frozen_exception: true,
                    });
                } else {
                    claim.dropped.push(
                        ClaimLine::new(
                            primary_code(table, technique),
                            "biopsy-same-lesion",
                            format!(
                                "Biopsy not reported: it is described inside the {} section, so it is of the same lesion, which the {} includes.",
                                p.kind.as_str(),
                                p.kind.as_str()
                            ),
                        )
                        .for_lesion(pi, 0)
                        .source(eb.span),
                    );
                }
            }
        }
    }
    let Some(primary_tech) = items.iter().map(|i| i.technique).max() else {
        return;
    };
    let primary_at = items
        .iter()
        .position(|i| i.technique == primary_tech)
        .expect("the max is among the items");
    for (n, item) in items.iter().enumerate() {
        let (code, rule, why) = if n == primary_at {
            (
                primary_code(table, item.technique),
                "biopsy-primary",
                [
                    "Primary biopsy: ",
                    item.technique.as_str(),
                    " technique, the highest used this encounter (incisional > punch > tangential).",
                ]
                .concat(),
            )
        } else {
            let code = table
                .primary(Family::Biopsy, item.technique.as_str())
                .and_then(|p| table.addon_for(&p.code, Family::Biopsy))
                .map_or("", |r| r.code.as_str());
            (
                code,
                "biopsy-addon",
                [
                    "Additional biopsy: the add-on of its own technique (",
                    item.technique.as_str(),
                    ").",
                ]
                .concat(),
            )
        };
        if code.is_empty() {
            continue;
        }
        let mut line = ClaimLine::new(code, rule, why)
            .for_lesion(item.proc, item.lesion)
            .source(item.source)
            .dx(item.dx);
        if item.frozen_exception {
            // The biopsy of the Mohs lesion takes the distinct modifier
            // although the lesion is the same.
            line.why.push_str(" Billable although it is of the Mohs lesion: a frozen section was read the same day with no prior pathology.");
            line.rule = "biopsy-frozen-section";
            line.add_modifier("59");
        }
        claim.lines.push(line);
        if item.frozen_exception {
            let mut path = ClaimLine::new(
                "88331",
                "biopsy-frozen-section",
                "Frozen section of the diagnostic biopsy read before Mohs, with no prior pathology.".to_string(),
            )
            .for_lesion(item.proc, item.lesion)
            .source(item.source)
            .dx(item.dx);
            path.add_modifier("59");
            claim.lines.push(path);
        }
    }
}

fn primary_code(table: &CodeTable, technique: Technique) -> &str {
    table
        .primary(Family::Biopsy, technique.as_str())
        .map(|r| r.code.as_str())
        .unwrap_or("")
}

/// A non-biopsy procedure of the encounter at the same site (same laterality
/// and anatomic term).
fn same_lesion_procedure<'a>(
    facts: &'a EncounterFacts,
    biopsy_proc: usize,
    site: Option<&Site>,
) -> Option<(usize, &'a Procedure)> {
    let site = site?;
    facts.procedures.iter().enumerate().find(|(qi, q)| {
        *qi != biopsy_proc
            && matches!(
                q.kind,
                ProcKind::Excision
                    | ProcKind::ShaveRemoval
                    | ProcKind::Destruction
                    | ProcKind::Mohs
            )
            && q.sites
                .iter()
                .chain(q.lesions.iter().filter_map(|l| l.site.as_ref()))
                .any(|s| s.same_as(site))
    })
}
