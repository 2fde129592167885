//! `doc/biopsy-description` (warning): a biopsy with no lesion description,
//! neither a size nor a morphology. A `Lesion:` field, a size, or a
//! morphology word (papule, plaque, macule, nodule, pigmented, scaly, …) in
//! the lesion's `(A)` line or in a sentence of the section each count: real
//! notes describe the lesion in any of these places.
//!
//! Why: the description ties the specimen to one lesion and shows why it
//! needed sampling; without it an audit cannot tell what was biopsied.
//! Example: a section with only `Site: back` and `Pathology: sent` fires;
//! `Lesion: 0.6 cm pink scaly papule` does not.
//!
//! Source: CMS documentation guidelines; AAD DCC "New skin biopsy codes"
//! (2018); PRODUCT.md.

use crate::re::Re;

use crate::extract::{Lesion, Procedure};
use crate::note::LineKind;
use crate::rules::{Ctx, Finding};
use crate::vocab::ProcKind;

use super::{lesion_anchor, section_lines};

pub(super) const CODE: &str = "doc/biopsy-description";

/// Morphology: primary lesions and the adjectives that describe them.
static MORPHOLOGY: Re = Re::new(
    r"(?i)\b(?:papules?|papular|plaques?|macules?|macular|patch(?:es)?|nodules?|nodular|tumou?rs?|vesicles?|bullae?|pustules?|cysts?|ulcers?|ulcerated|erosions?|eroded|crust(?:ed|s)?|scal(?:y|e|ing)|keratotic|hyperkeratotic|verrucous|pigmented|erythematous|violaceous|pearly|pink|brown|tan|black|blue|red|flesh[\s-]colou?red|skin[\s-]colou?red|umbilicated|pedunculated|dome[\s-]shaped|telangiecta\w*|rash|eruption|nevus|naevus|mole|growth|spot|indurated|annular|friable|bleeding)\b",
);

pub(super) fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for p in &ctx.facts.procedures {
        if p.kind != ProcKind::Biopsy {
            continue;
        }
        for lesion in &p.lesions {
            if !described(ctx, p, lesion) {
                out.push(Finding::new(
                    CODE,
                    lesion_anchor(ctx.text, p, lesion),
                    "Biopsy: the lesion is not described (size and morphology, e.g. `0.6 cm pink scaly papule`).".to_string(),
                ));
            }
        }
    }
}

fn described(ctx: &Ctx, p: &Procedure, lesion: &Lesion) -> bool {
    let text = ctx.text;
    if lesion.size.is_some() || p.description.is_some() {
        return true;
    }
    if lesion.letter.is_some() {
        // The `(A)` line's description, when it is more than the site.
        return lesion.description.is_some_and(|d| {
            let site = lesion.site.as_ref().map(|s| s.span);
            site != Some(d) && MORPHOLOGY.is_match(d.text(text))
        });
    }
    section_lines(ctx, p).any(|l| {
        matches!(l.kind, LineKind::Text | LineKind::Specimen { .. })
            && MORPHOLOGY.is_match(l.body.text(text))
    })
}

#[cfg(test)]
mod tests {
    use super::super::fired;
    use super::CODE;

    #[test]
    fn fires_without_size_or_morphology() {
        let text = r"# Encounter 2026-02-03
Payer: Medicare

## Procedure: biopsy
Site: back
Pathology: sent
Dx: D49.2
";
        assert_eq!(fired(text, CODE), ["## Procedure: biopsy"]);
    }

    #[test]
    fn silent_with_a_lesion_field_or_a_described_sentence() {
        let text = r"## Procedure: shave biopsy
Site: left forearm, 5 cm distal to antecubital fossa
Lesion: 0.6 x 0.5 cm pink scaly papule with irregular borders
Indication: r/o SCC
";
        assert!(fired(text, CODE).is_empty());
        let text = r"## Procedure: punch biopsy
Site: left upper back, 4 cm below the scapular spine
Punch biopsy of a pink scaly plaque, r/o psoriasis.
";
        assert!(fired(text, CODE).is_empty());
    }
}
