//! `doc/em-separate-problem` (warning): an `E/M:` on a day with procedures,
//! but no significant, separately identifiable problem documented: every
//! assessment item is the reason for a procedure done today, or has no plan
//! of its own. The claim then drops the E/M (`EncounterClaim::dropped`, rule
//! `em`); this finding says why.
//!
//! Why: the decision to do a minor (000/010-global) procedure is part of
//! the procedure; an E/M with modifier 25 needs its own problem and plan,
//! and unsupported 25s are a standing OIG finding in dermatology. Example:
//! `E/M: 99213` with one assessment item `r/o bullous pemphigoid: punch
//! biopsies, see procedure` fires.
//!
//! Source: OIG reports on modifier 25 (2005; Nov 2025); CMS NCCI Policy
//! Manual; CMS Claims Processing Manual ch. 12 §40.

use crate::rules::{Ctx, Finding};

use super::field_or_self;

pub(super) const CODE: &str = "doc/em-separate-problem";

pub(super) fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let Some(em) = &ctx.facts.em else { return };
    let Some(dropped) = ctx.claim.dropped.iter().find(|l| l.rule == "em") else {
        return;
    };
    out.push(Finding::new(
        CODE,
        field_or_self(ctx.text, em.span),
        format!(
            "E/M {} is not billable with today's procedure(s): no separately identifiable problem with its own plan is documented (deciding to do a minor procedure is part of the procedure). Document the separate problem and its plan, or remove the E/M.",
            dropped.cpt
        ),
    ));
}

#[cfg(test)]
mod tests {
    use super::super::fired;
    use super::CODE;

    #[test]
    fn fires_when_every_problem_is_the_procedure() {
        let text = r"# Encounter 2026-03-09
Payer: Medicare
E/M: 99213

## Assessment and plan
1. Tense bullae of the trunk, r/o bullous pemphigoid: punch biopsy, see procedure.

## Procedure: punch biopsy
Site: left lateral thigh, 15 cm above the knee
Lesion: 1.2 cm tense bulla
Indication: r/o bullous pemphigoid
Technique: 4 mm punch
Pathology: sent
";
        assert_eq!(fired(text, CODE), ["E/M: 99213"]);
    }

    #[test]
    fn silent_with_a_separate_problem() {
        let text = r"# Encounter 2026-03-09
Payer: Medicare
E/M: 99213

## Assessment and plan
1. Plaque psoriasis of elbows (L40.0): start clobetasol 0.05% ointment bid.
2. Tense bulla of the thigh, r/o bullous pemphigoid: punch biopsy, see procedure.

## Procedure: punch biopsy
Site: left lateral thigh, 15 cm above the knee
Lesion: 1.2 cm tense bulla
Indication: r/o bullous pemphigoid
Technique: 4 mm punch
Pathology: sent
";
        assert!(fired(text, CODE).is_empty());
    }
}
