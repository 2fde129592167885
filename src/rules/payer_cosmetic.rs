//! `payer/cosmetic` (error): a procedure documented as cosmetic (`cosmetic`,
//! `aesthetic` in its indication, sentences or title). No payer covers it;
//! the derived claim already leaves it off. The range is the field or
//! sentence that says so (`Indication: cosmetic, …`), or the heading when
//! the title does. Example: `Indication: cosmetic, patient dislikes the
//! appearance`.
//!
//! Source: the product's source guide (Payer notes: "Medicare: cosmetic
//! never covered", "BCBS: cosmetic excluded") and PRODUCT.md. Rows:
//! `data/payer_rules.csv` (one row, every payer).

use super::{Ctx, Finding, enclosing, in_scope, rows};

const CODE: &str = "payer/cosmetic";

pub(super) fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    // Only a procedure with a cosmetic cue can raise one: most encounters
    // have none, and need not gather the procedures in scope.
    if ctx.facts.procedures.iter().all(|p| p.cosmetic.is_none()) {
        return;
    }
    // The first row that applies wins: one finding per procedure.
    let Some(row) = rows(ctx, CODE, ctx.claim.payer).next() else {
        return;
    };
    for (_, p, _) in in_scope(ctx, &row.scope, true) {
        let Some(cue) = p.cosmetic else {
            continue;
        };
        let span = if p.heading.contains(cue.start) {
            p.heading
        } else {
            enclosing(ctx.text, cue)
        };
        out.push(row.finding(span, &[("procedure", p.kind.as_str().to_string())]));
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::found;
    use super::*;
    use crate::rules::Severity;

    const COSMETIC: &str = "# Encounter 2026-06-09\nPayer: BCBS\n\n## Procedure: shave removal\nSite: left cheek\nLesion: 0.7 cm flat tan stuck-on papule\nIndication: cosmetic, patient dislikes the appearance; not irritated\nTechnique: shave removal\nDx: L82.1\n";

    #[test]
    fn a_cosmetic_shave_is_an_error_on_its_indication() {
        assert_eq!(
            found(COSMETIC, CODE),
            vec![(
                Severity::Error,
                "cosmetic, patient dislikes the appearance; not irritated".to_string()
            )]
        );
        // Whatever the payer, or none.
        let none = COSMETIC.replace("Payer: BCBS\n", "");
        assert_eq!(found(&none, CODE).len(), 1);
    }

    #[test]
    fn a_medically_indicated_shave_is_silent() {
        let text = COSMETIC.replace(
            "cosmetic, patient dislikes the appearance; not irritated",
            "irritated, catching on clothing",
        );
        assert_eq!(found(&text, CODE), vec![]);
    }
}
