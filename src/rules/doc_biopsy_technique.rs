//! `doc/biopsy-technique` (warning): a biopsy whose technique is not
//! documented: tangential (shave, saucerization, scoop), punch, or
//! incisional (wedge). The technique may be in the title
//! (`## Procedure: punch biopsy`), a `Technique:` / `Method:` /
//! `Procedure:` field, a sentence, or the lesion's `(A)` line.
//!
//! Why: since 2019 the biopsy code is chosen by technique (11102 / 11104 /
//! 11106 and their add-ons); without it no code can be derived, and the
//! biopsy is left off the claim. Example: `## Procedure: biopsy` with no
//! technique fires; `Technique: 4 mm punch` silences it.
//!
//! A biopsy described inside another procedure's section is of the same
//! lesion and is not billed, so its technique is not checked; the one
//! exception, a same-day biopsy with frozen section before Mohs (billed),
//! is checked.
//!
//! Source: CPT 2019 biopsy codes; AAD DCC Fall 2018 "New skin biopsy codes".

use crate::rules::{Ctx, Finding};
use crate::vocab::ProcKind;

use super::lesion_anchor;

pub(super) const CODE: &str = "doc/biopsy-technique";

const MESSAGE: &str = "Biopsy: the technique is not documented (tangential/shave, punch or incisional); the biopsy code (11102, 11104 or 11106) depends on it.";

pub(super) fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for p in &ctx.facts.procedures {
        if p.kind == ProcKind::Biopsy {
            // Extraction reads a bare `shave` in a biopsy section as
            // tangential, so a technique is missing only when neither is set.
            for lesion in &p.lesions {
                if lesion.technique.is_none() && p.technique.is_none() {
                    out.push(Finding::new(
                        CODE,
                        lesion_anchor(ctx.text, p, lesion),
                        MESSAGE.to_string(),
                    ));
                }
            }
        } else if p.kind == ProcKind::Mohs && p.frozen_no_prior {
            for eb in p.embedded_biopsies.iter().filter(|b| b.technique.is_none()) {
                out.push(Finding::new(
                    CODE,
                    eb.span,
                    format!(
                        "{MESSAGE} It is billed as tangential until the technique is documented."
                    ),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fired;
    use super::CODE;

    #[test]
    fn fires_on_a_generic_biopsy() {
        let text = r"# Encounter 2026-02-03
Payer: Medicare

## Procedure: biopsy
Site: left upper back, 4 cm below the scapular spine
Lesion: 0.6 cm pink papule
Indication: r/o BCC
Pathology: sent
";
        assert_eq!(fired(text, CODE), ["## Procedure: biopsy"]);
    }

    #[test]
    fn silent_when_a_sentence_or_the_title_says_it() {
        let text = r"## Procedure: biopsy
Site: left upper back, 4 cm below the scapular spine
Lesion: 0.6 cm pink papule
Indication: r/o BCC
Saucerization performed with a DermaBlade.
";
        assert!(fired(text, CODE).is_empty());
        let text = r"## Procedure: biopsy
Site: right medial cheek, 2 cm lateral to the nasal ala
Lesion: 0.5 cm pearly papule
Indication: r/o BCC
Technique: shave, hemostasis with aluminum chloride
";
        assert!(fired(text, CODE).is_empty());
        let text = r"## Procedure: excision
Site: left lateral thigh, 12 cm above the knee
Lesion: 0.8 cm firm papule
A biopsy of the lesion was taken first; the same lesion was then excised.
Margins: 2 mm
Repair: simple, 2.5 cm
Pathology: dermatofibroma
";
        assert!(fired(text, CODE).is_empty());
    }
}
