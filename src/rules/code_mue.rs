//! `code/mue`: units of a code, summed over its Billing lines, above the
//! code's practitioner MUE (medically unlikely edit: the most units CMS pays
//! for one patient on one day). The excess is denied without review.
//!
//! Example: `- 17003 x14` (MUE 13) fires; where the documentation supports
//! fewer units the fix sets them.
//!
//! Source: CMS practitioner MUE table 2026 (src/codes/data/cpt.csv, `mue`).

use super::{Recon, code_span, units_fix};
use crate::rules::{Ctx, Finding};

pub(super) const CODE: &str = "code/mue";

pub(super) fn check(ctx: &Ctx, recon: &Recon, out: &mut Vec<Finding>) {
    // The billed lines grouped by code, as the reconciliation sorted them.
    let order = &recon.by_code;
    for lines in order.chunk_by(|&a, &b| recon.billed[a].code == recon.billed[b].code) {
        let code = recon.billed[lines[0]].code;
        // The row of every line of `code`.
        let Some(mue) = recon.billed[lines[0]].row.mue else {
            continue;
        };
        let units: u32 = lines
            .iter()
            .map(|&i| recon.billed[i].line.units_or_one())
            .fold(0, u32::saturating_add);
        if units <= mue {
            continue;
        }
        let last = recon.billed[*lines.last().expect("lines")].line;
        let span = last.units.map(|u| u.1).unwrap_or(code_span(last));
        let derived: u32 = recon
            .derived
            .iter()
            .filter(|d| d.cpt == code)
            .map(|d| d.units)
            .sum();
        let fix = (derived > 0 && derived <= mue)
            .then(|| units_fix(ctx, recon, lines, units, derived))
            .flatten();
        out.push(
            Finding::new(
                CODE,
                span,
                format!(
                    "{code} is billed for {units} units; its medically unlikely edit is {mue} per day (CMS MUE 2026), so the excess is denied."
                ),
            )
            .with_fix(fix),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::{fired, fixed};
    use super::CODE;

    const AKS: &str = "# Encounter 2026-06-05\nPayer: Medicare\n\n## Procedure: cryotherapy\n14 AKs of the scalp treated with liquid nitrogen.\nDx: L57.0\n\n## Billing\n- 17000  Dx: L57.0\n- 17003 x14  Dx: L57.0\n";

    #[test]
    fn fires_above_the_mue() {
        assert_eq!(fired(AKS, CODE), ["x14"]);
    }

    #[test]
    fn silent_at_the_mue() {
        assert!(fired(&AKS.replace("x14", "x13"), CODE).is_empty());
    }

    #[test]
    fn fix_sets_the_documented_units() {
        let (after, again) = fixed(AKS, CODE);
        assert!(after.ends_with("- 17003 x13  Dx: L57.0\n"), "{after}");
        assert!(again.is_empty());
    }
}
