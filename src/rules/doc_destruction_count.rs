//! `doc/destruction-count` (warning): a destruction that does not say how
//! many lesions were treated: a `Count:` (`Number:`) field, a count attached
//! to a lesion noun (`8 AKs`, `twelve actinic keratoses`, `AKs x8`), a
//! per-site breakdown (`scalp (5), hands (3)`), one `(A)` line per lesion,
//! or one lesion described with its size.
//!
//! Why: 17000 / 17003 / 17004 and 17110 / 17111 are counted per lesion, so
//! the count sets the codes and units (and payer thresholds such as more
//! than 15); without it the claim can only assume one lesion. Example:
//! `Lesions treated without complication.` fires; `8 AKs treated with LN2`
//! does not.
//!
//! Source: AAD Dermatology World, Elston, "Destruction codes for
//! pre-malignant and malignant lesions" (Nov 2011); CMS MUE 2026.

use crate::extract::measure;
use crate::rules::{Ctx, Finding};
use crate::vocab::{Label, ProcKind};

use super::prose;

pub(super) const CODE: &str = "doc/destruction-count";

pub(super) fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for p in &ctx.facts.procedures {
        if p.kind != ProcKind::Destruction || p.destruction.iter().all(|g| g.count.is_some()) {
            continue;
        }
        // A per-site breakdown written in a sentence (`AKs treated with LN2:
        // scalp (5), forehead (4)`) counts too.
        let breakdown = prose(
            ctx,
            p,
            &[Label::Lesion, Label::Technique, Label::Indication],
        )
        .any(|s| measure::breakdown_sum(s.text(ctx.text)).is_some_and(|n| n > 0));
        if !breakdown {
            out.push(Finding::new(
                CODE,
                p.heading,
                "Destruction: the number of lesions treated is not documented (e.g. `Count: 8` or `8 AKs treated`); destruction codes and units are counted per lesion, so the claim assumes one.".to_string(),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fired;
    use super::CODE;

    #[test]
    fn fires_without_a_count() {
        let text = r"# Encounter 2026-05-25
Payer: Medicare

## Cryotherapy
Site: left dorsal hand
Method: liquid nitrogen, two freeze-thaw cycles
Actinic keratoses treated without complication.
";
        assert_eq!(fired(text, CODE), ["## Cryotherapy"]);
    }

    #[test]
    fn silent_with_a_count_in_a_sentence_or_a_breakdown() {
        let text = "## Cryotherapy\n12 AKs of the scalp treated with LN2.\n";
        assert!(fired(text, CODE).is_empty());
        let text =
            "## Cryotherapy\nAKs treated with LN2: scalp (5), forehead (4), dorsal hands (3).\n";
        assert!(fired(text, CODE).is_empty());
        let text = r"## Procedure: cryotherapy
Site: scalp (5), forehead (4), bilateral dorsal hands (6)
Lesion: actinic keratoses
Method: liquid nitrogen
";
        assert!(fired(text, CODE).is_empty());
    }
}
