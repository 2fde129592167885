//! `payer/mohs-criteria` (warning): Aetna, Mohs surgery in an encounter that
//! nowhere documents the appropriate-use criteria (`AUC`, `appropriate use
//! criteria`). The range is the Mohs procedure's heading. Example:
//! `Payer: Aetna`, `## Procedure: Mohs` with no AUC statement.
//!
//! Source: the product's source guide (Payer notes: "Aetna: Mohs only with
//! documented appropriate-use criteria"), unverified. Rows:
//! `data/payer_rules.csv`.

use super::{Ctx, Finding, in_scope, rows};

const CODE: &str = "payer/mohs-criteria";

pub(super) fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    if ctx.facts.auc {
        return;
    }
    for row in rows(ctx, CODE, ctx.claim.payer) {
        for (_, p, _) in in_scope(ctx, &row.scope, false) {
            out.push(row.finding(p.heading, &[("procedure", p.kind.as_str().to_string())]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::found;
    use super::*;
    use crate::rules::Severity;

    const NO_AUC: &str = "# Encounter 2026-04-08\nPayer: Aetna\n\n## Procedure: Mohs\nSite: left nasal ala\nLesion: 0.8 cm biopsy-proven nodular BCC\nStage 1: 3 blocks, mapped, BCC at the deep margin\nStage 2: 1 block, mapped, clear\nRepair: complex, 2.0 cm\nDx: C44.311\n";

    #[test]
    fn aetna_mohs_without_auc() {
        assert_eq!(
            found(NO_AUC, CODE),
            vec![(Severity::Warning, "## Procedure: Mohs".to_string())]
        );
    }

    #[test]
    fn aetna_mohs_with_auc_or_another_payer_is_silent() {
        let auc = NO_AUC.replace(
            "Stage 1:",
            "Appropriate use criteria (AUC) met: nodular BCC of the nasal ala.\nStage 1:",
        );
        assert_eq!(found(&auc, CODE), vec![]);
        let medicare = NO_AUC.replace("Aetna", "Medicare");
        assert_eq!(found(&medicare, CODE), vec![]);
    }
}
