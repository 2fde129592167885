//! Passes across families: the distinct-site modifier on the column-2 code of
//! an NCCI pair whose two lines are for different lesions, indicator-0 pairs
//! that can never be unbundled, and modifier 58 on a re-excision in an
//! earlier procedure's global period.
//!
//! Sources: CMS NCCI Policy Manual; First Coast Service Options "Be sure you
//! are billing correctly for biopsy services" (59 goes on the biopsy, the
//! column-2 code); CMS 2015 X{EPSU} modifiers.

use crate::codes::{CodeTable, Family, NcciCode};
use crate::extract::EncounterFacts;

use super::{DistinctModifier, EncounterClaim, PriorEncounter};

pub(super) fn distinct(table: &CodeTable, modifier: DistinctModifier, claim: &mut EncounterClaim) {
    let n = claim.lines.len();
    // A pair needs two lines.
    if n < 2 {
        return;
    }
    // Each line's code read once: each is looked up against every other.
    let codes: Vec<NcciCode> = claim.lines.iter().map(|l| NcciCode::new(&l.cpt)).collect();
    let mut add: Vec<usize> = Vec::new();
    let mut drop: Vec<(usize, usize)> = Vec::new();
    for j in 0..n {
        let col2 = &claim.lines[j];
        let Some(row2) = table.get_of(codes[j]) else {
            continue;
        };
        if row2.addon || row2.family == Family::Em {
            continue;
        }
        for i in 0..n {
            if i == j {
                continue;
            }
            let col1 = &claim.lines[i];
            let Some(pair) = table.ncci_of(codes[i], codes[j]) else {
                continue;
            };
            let disjoint = !col1.lesions.iter().any(|k| col2.lesions.contains(k));
            match pair.modifier_indicator {
                0 => drop.push((j, i)),
                1 if disjoint => add.push(j),
                _ => {}
            }
        }
    }
    for j in add {
        let m = modifier.as_str();
        let line = &mut claim.lines[j];
        if !line.modifiers.iter().any(|x| x == "59" || x == "XS") {
            line.add_modifier(m);
            line.why.push_str(" Modifier ");
            line.why.push_str(m);
            line.why.push_str(
                ": a different lesion from another procedure billed today (NCCI pair, column-2 code).",
            );
        }
    }
    drop.sort();
    drop.dedup_by_key(|d| d.0);
    for (j, i) in drop.into_iter().rev() {
        let mut l = claim.lines.remove(j);
        let other = if i > j { i - 1 } else { i };
        l.why = format!(
            "{} Not reported: NCCI bundles it into {} with modifier indicator 0, which no modifier can unbundle.",
            l.why, claim.lines[other].cpt
        );
        claim.dropped.push(l);
    }
}

/// Modifier 58: a re-excision, staged procedure or one for positive margins
/// that follows an earlier procedure of the same file within its global
/// period.
pub(super) fn staged(facts: &EncounterFacts, prior: &[PriorEncounter], claim: &mut EncounterClaim) {
    let Some(earlier) = prior
        .iter()
        .rev()
        .find(|p| p.has_excision_or_mohs || p.global_days.is_some_and(|d| d > 0))
    else {
        return;
    };
    if let (Some(days), Some(a), Some(b)) = (
        earlier.global_days,
        earlier.date.as_deref(),
        facts.date.as_deref(),
    ) {
        if let (Some(a), Some(b)) = (day_number(a), day_number(b)) {
            if b < a || b - a > i64::from(days.max(10)) {
                return;
            }
        }
    }
    for line in claim.lines.iter_mut() {
        let staged = line
            .procedures
            .iter()
            .any(|p| facts.procedures[*p].staged_cue.is_some());
        if staged && !line.modifiers.iter().any(|m| m == "58") {
            line.add_modifier("58");
            line.why.push_str(
                " Modifier 58: a staged or related procedure (re-excision for positive margins) in the global period of the earlier procedure in this file.",
            );
        }
    }
}

/// Days since 1970-01-01 for `YYYY-MM-DD`.
fn day_number(date: &str) -> Option<i64> {
    let mut parts = date.split('-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let d: i64 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    // Howard Hinnant's days-from-civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

#[cfg(test)]
mod tests {
    use super::day_number;

    #[test]
    fn days() {
        assert_eq!(day_number("1970-01-01"), Some(0));
        assert_eq!(
            day_number("2026-03-14")
                .zip(day_number("2026-03-04"))
                .map(|(a, b)| a - b),
            Some(10)
        );
        assert_eq!(day_number("2026-13-01"), None);
    }
}
