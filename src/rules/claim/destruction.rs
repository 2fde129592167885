//! Destruction: premalignant 17000 / +17003 (2nd–14th) / 17004 (15 or more,
//! alone); benign 17110 (up to 14) / 17111 (15 or more, alone), counted per
//! encounter; malignant 17260–17286 by site group and lesion diameter, one
//! line per lesion.
//!
//! Sources: AAD Dermatology World, Elston, "Destruction codes for
//! pre-malignant and malignant lesions" (Nov 2011); CMS NCCI practitioner PTP
//! v32.2/32.3; CMS MUE 2026; CMS RVU25D.

use crate::codes::{CodeTable, Family};
use crate::extract::{Dx, EncounterFacts};
use crate::span::Span;
use crate::vocab::{GroupFamily, LesionClass, ProcKind};

use super::{ClaimLine, EncounterClaim};

pub(super) fn derive(facts: &EncounterFacts, table: &CodeTable, claim: &mut EncounterClaim) {
    let mut premalignant: Vec<(usize, u32, Option<Span>, &[Dx])> = Vec::new();
    let mut benign: Vec<(usize, u32, Option<Span>, &[Dx])> = Vec::new();
    for (pi, p) in facts.procedures.iter().enumerate() {
        if p.kind != ProcKind::Destruction {
            continue;
        }
        for group in &p.destruction {
            let class = group
                .class
                .or_else(|| crate::extract::dx_lesion_class(&p.dx));
            // An uncounted destruction treated at least one lesion.
            let count = group.count.unwrap_or(1);
            match class {
                Some(LesionClass::Premalignant) => {
                    premalignant.push((pi, count, group.count_span, &p.dx))
                }
                Some(LesionClass::Benign) => benign.push((pi, count, group.count_span, &p.dx)),
                Some(LesionClass::Malignant) => {
                    for (li, lesion) in p.lesions.iter().enumerate() {
                        let Some(size) = lesion.size else { continue };
                        let Some(site_group) = lesion
                            .site
                            .as_ref()
                            .and_then(|s| s.group(GroupFamily::Excision))
                            .or_else(|| {
                                p.sites.iter().find_map(|s| s.group(GroupFamily::Excision))
                            })
                        else {
                            continue;
                        };
                        let Some(row) =
                            table.by_tier(Family::DestructionMalignant, site_group, size.um)
                        else {
                            continue;
                        };
                        let mut line = ClaimLine::new(
                            &row.code,
                            "destruction-malignant",
                            super::excision::sized_why(
                                &["Destruction of a malignant lesion: diameter "],
                                size.um,
                                row,
                                site_group,
                                &["."],
                            ),
                        )
                        .for_lesion(pi, li)
                        .source(size.span)
                        .dx(&p.dx);
                        // One lesion described, several counted: the same
                        // code for each.
                        if p.lesions.len() == 1 && count > 1 {
                            line.units = count;
                        }
                        claim.lines.push(line);
                    }
                }
                // Skin tags, vascular lesions and unknown types have no
                // destruction code here; doc/destruction-type says so.
                _ => {}
            }
        }
    }
    let total: u32 = premalignant.iter().map(|x| x.1).sum();
    if total > 0 {
        let procs: Vec<usize> = premalignant.iter().map(|x| x.0).collect();
        let sources: Vec<Span> = premalignant.iter().filter_map(|x| x.2).collect();
        let dx: Vec<Dx> = premalignant
            .iter()
            .flat_map(|x| x.3.iter().cloned())
            .collect();
        let mk = |code: &str, rule: &'static str, why: String, units: u32| {
            let mut l = ClaimLine::new(code, rule, why).dx(&dx);
            l.units = units;
            for p in &procs {
                l = l.for_lesion(*p, 0);
            }
            l.lesions.dedup();
            l.procedures.dedup();
            l.sources.extend(sources.iter().copied());
            l
        };
        // The whys begin with the count: joined without `format!`.
        let count = itoa::Buffer::new().format(total).to_string();
        if total >= 15 {
            claim.lines.push(mk("17004", "destruction-premalignant", [&count, " premalignant lesions destroyed: 15 or more is 17004 alone, one unit, never with 17000/17003."].concat(), 1));
        } else {
            claim.lines.push(mk(
                "17000",
                "destruction-premalignant",
                [
                    &count,
                    " premalignant lesion(s) destroyed: 17000 for the first.",
                ]
                .concat(),
                1,
            ));
            if total > 1 {
                claim.lines.push(mk(
                    "17003",
                    "destruction-premalignant",
                    [
                        &count,
                        " premalignant lesions: 17003 for each of the 2nd to 14th (",
                        itoa::Buffer::new().format(total - 1),
                        " units).",
                    ]
                    .concat(),
                    total - 1,
                ));
            }
        }
    }
    let total: u32 = benign.iter().map(|x| x.1).sum();
    if total > 0 {
        let code = if total >= 15 { "17111" } else { "17110" };
        let dx: Vec<Dx> = benign.iter().flat_map(|x| x.3.iter().cloned()).collect();
        let mut l = ClaimLine::new(
            code,
            "destruction-benign",
            [
                itoa::Buffer::new().format(total),
                if total >= 15 {
                    " benign lesions destroyed: 15 or more is 17111 alone, one unit."
                } else {
                    " benign lesion(s) destroyed: 17110 covers up to 14, one unit."
                },
            ]
            .concat(),
        )
        .dx(&dx);
        for x in &benign {
            l = l.for_lesion(x.0, 0);
            l.sources.extend(x.2);
        }
        l.lesions.dedup();
        l.procedures.dedup();
        claim.lines.push(l);
    }
}
