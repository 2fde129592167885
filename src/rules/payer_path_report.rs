//! `payer/path-report` (warning): UnitedHealthcare, an excision
//! (11400-11646) whose pathology result is not documented: no `Pathology:`
//! line, or one that only says `sent` or `pending`. Example: `Payer: UHC`,
//! an excision with `Pathology: sent`. The range is the `Pathology:` value,
//! else the procedure heading.
//!
//! Source: the product's source guide (Payer notes: "path report for all
//! excisions"), unverified. Rows: `data/payer_rules.csv`.

use super::{Ctx, Finding, has_path_result, in_scope, rows};

const CODE: &str = "payer/path-report";

pub(super) fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for row in rows(ctx, CODE, ctx.claim.payer) {
        for (_, p, _) in in_scope(ctx, &row.scope, false) {
            if has_path_result(ctx.text, p) {
                continue;
            }
            let (span, pathology) = match &p.pathology {
                Some(path) => (
                    path.span,
                    format!("Pathology: {}", path.span.text(ctx.text).trim()),
                ),
                None => (p.heading, "no Pathology: line".to_string()),
            };
            out.push(row.finding(
                span,
                &[
                    ("procedure", p.kind.as_str().to_string()),
                    ("pathology", pathology),
                ],
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{found, messages};
    use super::*;
    use crate::rules::Severity;

    const SENT: &str = "# Encounter 2026-06-10\nPayer: UHC\n\n## Procedure: excision\nSite: right lower back, 4 cm above the iliac crest\nLesion: 0.5 cm irregular brown papule\nIndication: changing nevus, r/o dysplastic nevus\nMargins: 0.2 cm\nTechnique: elliptical excision\nRepair: simple, 2.0 cm\nPathology: sent\nDx: D49.2\n";

    #[test]
    fn uhc_excision_with_pathology_sent() {
        assert_eq!(
            found(SENT, CODE),
            vec![(Severity::Warning, "sent".to_string())]
        );
        assert!(messages(SENT, CODE)[0].contains("Pathology: sent"));
    }

    #[test]
    fn uhc_excision_without_a_pathology_line_is_on_the_heading() {
        let none = SENT.replace("Pathology: sent\n", "");
        assert_eq!(
            found(&none, CODE),
            vec![(Severity::Warning, "## Procedure: excision".to_string())]
        );
    }

    #[test]
    fn a_result_or_another_payer_is_silent() {
        let result = SENT.replace(
            "Pathology: sent",
            "Pathology: compound nevus, margins clear",
        );
        assert_eq!(found(&result, CODE), vec![]);
        let sentence = SENT.replace(
            "Pathology: sent",
            "Pathology report: junctional nevus with clear margins.",
        );
        assert_eq!(found(&sentence, CODE), vec![]);
        let medicare = SENT.replace("UHC", "Medicare");
        assert_eq!(found(&medicare, CODE), vec![]);
    }
}
