//! `doc/repair-length` (warning): an intermediate or complex repair without
//! its length in centimetres, with an excision, with Mohs or in a
//! `## Repair` section of its own.
//!
//! Why: repair codes are chosen by length (lengths of the same class and
//! site group are added first); without it the repair cannot be coded and
//! is left off the claim. Example: `Repair: intermediate, layered closure`
//! fires; `Repair: intermediate, 3.2 cm` does not.
//!
//! Source: CPT repair guidelines (12031–12057, 13100–13153);
//! CODING-RULES.md "Repair".

use crate::re::Re;

use crate::extract::{Procedure, RepairClass, Role, Shape};
use crate::rules::{Ctx, Finding};

use super::{field_or_self, sentence_with_measure};

static LENGTH_WORD: Re =
    Re::new(r"(?i)\b(?:length|long|linear|final\s+(?:closure|repair|wound))\b");

pub(super) const CODE: &str = "doc/repair-length";

pub(super) fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for p in &ctx.facts.procedures {
        let Some(r) = &p.repair else { continue };
        let Some(class @ (RepairClass::Intermediate | RepairClass::Complex)) = r.class else {
            continue;
        };
        if r.length.is_some() || length_in_sentence(ctx, p) {
            continue;
        }
        out.push(Finding::new(
            CODE,
            field_or_self(ctx.text, r.span),
            format!(
                "Repair: the {} repair's length is not documented (e.g. `{}, 3.2 cm`); repair codes are chosen by length, so it cannot be billed.",
                class.as_str(),
                class.as_str()
            ),
        ));
    }
}

/// A sentence that gives the repair's length on its own (`Final length
/// 4.5 cm.`, `a 3 cm long layered closure`).
fn length_in_sentence(ctx: &Ctx, p: &Procedure) -> bool {
    sentence_with_measure(ctx, p, &LENGTH_WORD, |m| {
        m.shape == Shape::Single && m.role == Role::Plain
    })
}

#[cfg(test)]
mod tests {
    use super::super::fired;
    use super::CODE;

    #[test]
    fn fires_without_a_length() {
        let text = r"# Encounter 2026-05-29
Payer: Commercial

## Procedure: excision
Site: mid upper back, over the T2 spinous process
Lesion: 1.5 cm mobile subcutaneous cyst
Margins: 0.1 cm
Repair: intermediate, layered closure
Pathology: epidermoid cyst
";
        assert_eq!(fired(text, CODE), ["Repair: intermediate, layered closure"]);
    }

    #[test]
    fn silent_with_a_length_or_a_simple_repair() {
        let text = r"## Procedure: excision
Site: mid upper back, over the T2 spinous process
Lesion: 1.5 cm mobile subcutaneous cyst
Margins: 0.1 cm
Repair: intermediate, 3.2 cm
Pathology: epidermoid cyst
";
        assert!(fired(text, CODE).is_empty());
        let text = r"## Procedure: excision
Site: left axilla, anterior axillary fold
Lesion: 1.0 cm scaly pink plaque
Margins: 0.4 cm
The wound was closed in layers with 4-0 Vicryl and 5-0 nylon. Final length 4.5 cm.
Pathology: sent
";
        assert!(fired(text, CODE).is_empty());
        let text = r"## Procedure: MMS
Site: right nasal ala
Lesion: 0.9 cm biopsy-proven nodular BCC
Stage 1: 1 block, mapped, tumor-free
The defect was repaired with a complex closure, 1.8 cm.
";
        assert!(fired(text, CODE).is_empty());
    }
}
