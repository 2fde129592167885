//! Repairs 12001–13153: reported with excisions and with Mohs. A simple
//! repair is included in an excision (or a biopsy); with Mohs every repair is
//! billable. Lengths of the same class in the same site group are added
//! before the code is chosen. A complex repair of 1.0 cm or less is coded as
//! intermediate; past 7.5 cm a complex repair takes its add-on for each
//! further 5 cm or part of it.
//!
//! Source: CPT repair guidelines as summarised in CODING-RULES.md.

use super::cm;
use crate::codes::{CodeTable, Family};
use crate::extract::measure::UM_PER_CM;
use crate::extract::{EncounterFacts, Procedure, RepairClass, Site};
use crate::span::Span;
use crate::vocab::{GroupFamily, ProcKind};

use super::{ClaimLine, EncounterClaim, LesionKey};

struct Wound {
    class: RepairClass,
    group: &'static str,
    length: u32,
    key: LesionKey,
    proc: usize,
    source: Span,
    dx: Vec<crate::extract::Dx>,
}

fn site_of(p: &Procedure) -> Option<&Site> {
    p.lesions
        .iter()
        .find_map(|l| l.site.as_ref())
        .or(p.sites.first())
}

pub(super) fn derive(facts: &EncounterFacts, table: &CodeTable, claim: &mut EncounterClaim) {
    let mut wounds: Vec<Wound> = Vec::new();
    for (pi, p) in facts.procedures.iter().enumerate() {
        let Some(r) = &p.repair else { continue };
        let (host_index, host) = match (p.kind, p.host) {
            (ProcKind::Repair, Some(h)) => (h, Some(&facts.procedures[h])),
            (ProcKind::Repair, None) => (pi, None),
            _ => (pi, Some(p)),
        };
        let Some(mut class) = r.class else { continue };
        let Some(length) = r.length else { continue };
        if class == RepairClass::Complex && length.um <= UM_PER_CM {
            class = RepairClass::Intermediate;
        }
        let host_kind = host.map(|h| h.kind);
        if class == RepairClass::Simple
            && matches!(
                host_kind,
                Some(
                    ProcKind::Excision
                        | ProcKind::Biopsy
                        | ProcKind::ShaveRemoval
                        | ProcKind::Destruction
                )
            )
        {
            claim.dropped.push(
                ClaimLine::new(
                    "",
                    "repair-simple-included",
                    format!(
                        "Simple repair ({}) not reported: a simple closure is included in the {}.",
                        cm(length.um),
                        host_kind.map(ProcKind::as_str).unwrap_or("procedure")
                    ),
                )
                .for_lesion(host_index, 0)
                .source(r.span),
            );
            continue;
        }
        let family = match class {
            RepairClass::Simple => GroupFamily::RepairSimple,
            RepairClass::Intermediate => GroupFamily::RepairIntermediate,
            RepairClass::Complex => GroupFamily::RepairComplex,
        };
        let site = site_of(p).or_else(|| host.and_then(site_of));
        let Some(group) = site.and_then(|s| s.group(family)) else {
            continue;
        };
        let dx = if p.dx.is_empty() {
            host.map(|h| h.dx.clone()).unwrap_or_default()
        } else {
            p.dx.clone()
        };
        wounds.push(Wound {
            class,
            group,
            length: length.um,
            key: (host_index, 0),
            proc: pi,
            source: r.span,
            dx,
        });
    }
    // Add lengths per class and group, in first-seen order.
    let mut sums: Vec<(RepairClass, &'static str, u32, Vec<usize>)> = Vec::new();
    for (i, w) in wounds.iter().enumerate() {
        match sums.iter_mut().find(|s| s.0 == w.class && s.1 == w.group) {
            Some(s) => {
                s.2 += w.length;
                s.3.push(i);
            }
            None => sums.push((w.class, w.group, w.length, vec![i])),
        }
    }
    for (class, group, total, members) in sums {
        let family = match class {
            RepairClass::Simple => Family::RepairSimple,
            RepairClass::Intermediate => Family::RepairIntermediate,
            RepairClass::Complex => Family::RepairComplex,
        };
        let summed = if members.len() > 1 {
            [
                itoa::Buffer::new().format(members.len()),
                " ",
                class.as_str(),
                " repairs in the ",
                group,
                " group added: ",
                &cm(total),
                " in all",
            ]
            .concat()
        } else {
            [
                class.as_str(),
                " repair of ",
                &cm(total),
                " in the ",
                group,
                " group",
            ]
            .concat()
        };
        let base_len = if class == RepairClass::Complex {
            total.min(75_000)
        } else {
            total
        };
        let Some(row) = table.by_tier(family, group, base_len) else {
            continue;
        };
        let mut line = ClaimLine::new(&row.code, "repair", ["Repair: ", &summed, "."].concat());
        for &m in &members {
            let w = &wounds[m];
            line.lesions.push(w.key);
            line.procedures.push(w.proc);
            line.sources.push(w.source);
            line = line.dx(&w.dx);
        }
        let add_units = if class == RepairClass::Complex && total > 75_000 {
            (total - 75_000).div_ceil(50_000)
        } else {
            0
        };
        let addon = if add_units > 0 {
            table.addon_for(&row.code, Family::RepairComplex)
        } else {
            None
        };
        // The line is copied only for an add-on line.
        let copy = addon.map(|_| line.clone());
        claim.lines.push(line);
        if let (Some(add), Some(mut l)) = (addon, copy) {
            l.cpt = add.code.clone();
            l.rule = "repair-complex-addon";
            l.why = format!(
                "Complex repair of {} exceeds 7.5 cm: {} unit(s) of the add-on for each further 5 cm or part of it.",
                cm(total),
                add_units
            );
            l.units = add_units;
            claim.lines.push(l);
        }
    }
}
