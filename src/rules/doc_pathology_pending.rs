//! `doc/pathology-pending` (info): an excision coded benign (11400–11446)
//! because its pathology is pending (`Pathology: sent`, `pending`) and no
//! prior diagnosis of malignancy is documented (`biopsy-proven BCC`, a
//! malignant Dx code). The code may change to the malignant series
//! (11600–11646) when the report arrives.
//!
//! Why: benign or malignant follows the pathology; a claim sent before the
//! report may need correcting. Example: `Indication: r/o dysplastic nevus`
//! with `Pathology: sent` and `Dx: D49.2`.
//!
//! Source: CPT excision guidelines as taught by AAPC ("4 Steps for Improved
//! Excision Coding", 2020); CODING-RULES.md "Excision".

use crate::rules::claim::{Malignancy, malignancy};
use crate::rules::{Ctx, Finding};
use crate::vocab::{ProcKind, vocab};

use super::pathology_documented;

pub(super) const CODE: &str = "doc/pathology-pending";

pub(super) fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for (pi, p) in ctx.facts.procedures.iter().enumerate() {
        // Only where the claim's own reasoning found no result and no prior
        // diagnosis, and the pathology (if a field) says sent or pending.
        if p.kind != ProcKind::Excision
            || malignancy(p) != Malignancy::Pending
            || p.pathology.as_ref().is_some_and(|path| !path.pending)
        {
            continue;
        }
        let coded_benign = ctx
            .claim
            .lines
            .iter()
            .any(|l| l.rule == "excision-benign" && l.procedures.contains(&pi));
        if !coded_benign {
            continue;
        }
        let Some(span) = pathology_documented(ctx, p) else {
            continue;
        };
        // Without a field, only a sentence that sends the specimen, not one
        // that gives a result.
        if p.pathology.is_none() && vocab().lesion_types.is_match(span.text(ctx.text)) {
            continue;
        }
        out.push(Finding::new(
            CODE,
            span,
            "Excision coded benign (11400–11446) because pathology is pending and no prior diagnosis is documented; if the report shows a malignancy, the code changes to 11600–11646.".to_string(),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::fired;
    use super::CODE;

    #[test]
    fn fires_while_pathology_is_pending() {
        let text = r"# Encounter 2026-03-16
Payer: Aetna

## Procedure: excision
Site: right posterior neck, 3 cm below the occipital hairline
Lesion: 4mm irregularly pigmented papule
Indication: r/o dysplastic nevus
Margins: 1mm
Repair: intermediate (layered), 1.5 cm
Pathology: pending
Dx: D49.2
";
        assert_eq!(fired(text, CODE), ["Pathology: pending"]);
    }

    #[test]
    fn silent_with_a_result_or_a_prior_diagnosis() {
        let text = r"## Procedure: excision
Site: right posterior neck, 3 cm below the occipital hairline
Lesion: 4mm irregularly pigmented papule
Margins: 1mm
Repair: simple, 1.5 cm
Pathology: compound nevus, margins clear
";
        assert!(fired(text, CODE).is_empty());
        let text = r"## Procedure: excision
Site: left dorsal forearm, 8 cm distal to the elbow crease
Lesion: 1.0 cm biopsy-proven invasive melanoma
Margins: 1.0 cm
Repair: intermediate, 7.5 cm
Pathology: sent
Dx: C43.62
";
        assert!(fired(text, CODE).is_empty());
    }
}
