//! E/M with procedures: billable with 25 only when a significant, separately
//! identifiable problem is documented; dropped otherwise. An E/M on a day
//! with no procedure takes no modifier. Whether a procedure makes the E/M
//! need 25 comes from the NCCI pairs (procedure in column 1, E/M in column
//! 2).
//!
//! Sources: OIG reports on modifier 25 in dermatology (2005; Nov 2025); CMS
//! NCCI Policy Manual; CMS Claims Processing Manual ch. 12 §40.

use crate::codes::{CodeTable, NcciCode};
use crate::extract::EncounterFacts;

use super::{ClaimLine, EncounterClaim};

pub(super) fn derive(facts: &EncounterFacts, table: &CodeTable, claim: &mut EncounterClaim) {
    let Some(em) = &facts.em else { return };
    let Some(code) = &em.code else { return };
    let em_code = NcciCode::new(code);
    // The codes that bundle the E/M, written `11102, 17000` as they are
    // found: one string for the why, without a list and a `join`.
    let mut bundling = String::new();
    let mut any_bundling = false;
    for l in &claim.lines {
        if table.ncci_of(NcciCode::new(&l.cpt), em_code).is_some() {
            if any_bundling {
                bundling.push_str(", ");
            }
            any_bundling = true;
            bundling.push_str(&l.cpt);
        }
    }
    // The separately identifiable problems, read in place: no list of
    // them is made.
    let separate = || facts.problems.iter().filter(|p| p.is_separate());
    let separate_count = separate().count();
    let mut line = ClaimLine::new(code, "em", String::new()).source(em.span);
    if !any_bundling {
        line.why = "E/M with no procedure billed today: no modifier.".to_string();
        // Room for every problem's codes at once, as `dx` gives the first.
        line.dx
            .reserve_exact(facts.problems.iter().map(|p| p.dx.len()).sum());
        for p in &facts.problems {
            line = line.dx(&p.dx);
        }
        claim.lines.insert(0, line);
        return;
    }
    if separate_count == 0 {
        line.why = [
            "E/M not billable: the decision to do a minor procedure is part of the procedure (",
            &bundling,
            "), and no separately identifiable problem with its own plan is documented.",
        ]
        .concat();
        claim.dropped.push(line);
        return;
    }
    // Room for every separate problem's codes and span at once.
    line.dx.reserve_exact(separate().map(|p| p.dx.len()).sum());
    line.sources.reserve_exact(separate_count);
    for p in separate() {
        line = line.dx(&p.dx);
        line.sources.push(p.span);
    }
    line.add_modifier("25");
    line.why = [
        "E/M with modifier 25: ",
        itoa::Buffer::new().format(separate_count),
        " separately identifiable problem(s) with their own plan, beyond the procedures (",
        &bundling,
        ").",
    ]
    .concat();
    claim.lines.insert(0, line);
}
