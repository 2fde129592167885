//! `doc/biopsy-site` (warning): a biopsy without a specific anatomic
//! location. Specific = laterality (or a midline word for a midline site:
//! `mid back`, `nasal tip`) and either a sub-site or subunit (`posterior`,
//! `volar`, `dorsal`, `upper`, `nasal ala`, `helix`) or a measured landmark
//! (`5 cm distal to the antecubital fossa`).
//!
//! Why: the exact spot must be findable again (for the excision that may
//! follow, and for an auditor), and it shows that two biopsies were of
//! distinct lesions. Example: `Site: left arm` fires; `Site: left dorsal
//! forearm, 5 cm distal to the antecubital fossa` does not.
//!
//! Checked per lesion: each `(A)` line of a multi-lesion section has its own
//! site. Source: AAD biopsy documentation guidance; PRODUCT.md.

use crate::extract::Site;
use crate::rules::{Ctx, Finding};
use crate::vocab::ProcKind;

use super::{field_or_self, lesion_anchor};

pub(super) const CODE: &str = "doc/biopsy-site";

pub(super) fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for p in &ctx.facts.procedures {
        if p.kind != ProcKind::Biopsy {
            continue;
        }
        let single = p.lesions.len() == 1;
        for lesion in &p.lesions {
            let site = lesion
                .site
                .as_ref()
                .or_else(|| if single { p.sites.first() } else { None });
            match site {
                None => out.push(Finding::new(
                    CODE,
                    lesion_anchor(ctx.text, p, lesion),
                    "Biopsy: the anatomic site is not documented (laterality, sub-site or a measured landmark).".to_string(),
                )),
                Some(s) if !s.is_specific() => {
                    let span = field_or_self(ctx.text, s.span);
                    // A site read from a sentence: name its anatomic term,
                    // not the whole sentence.
                    let from_sentence = span == s.span && lesion.letter.is_none();
                    let shown = match s.term_span {
                        Some(t) if from_sentence => t.text(ctx.text).to_string(),
                        _ => s.describe(ctx.text),
                    };
                    out.push(Finding::new(CODE, span, message(&shown, s)));
                }
                Some(_) => {}
            }
        }
    }
}

fn message(shown: &str, site: &Site) -> String {
    let side = site.laterality.is_some() || site.midline;
    let place = site.subsite || site.landmark;
    let what = match (side, place) {
        (false, false) => {
            "add the side (left, right, or midline) and a sub-site (e.g. upper, posterior, volar) or a measured landmark (e.g. 5 cm below the scapular spine)"
        }
        (false, true) => "add the side (left, right, or midline)",
        _ => {
            "add a sub-site (e.g. upper, posterior, volar, dorsal) or a measured landmark (e.g. 5 cm distal to the antecubital fossa)"
        }
    };
    // The most frequent finding: its message joined without `format!`.
    [
        "Biopsy: the site `",
        shown,
        "` is not specific enough to find the spot again: ",
        what,
        ".",
    ]
    .concat()
}

#[cfg(test)]
mod tests {
    use super::super::fired;
    use super::CODE;

    #[test]
    fn fires_on_a_bare_region() {
        let text = r"# Encounter 2026-05-26
Payer: Medicare

## Procedure: shave biopsy
Site: left arm
Lesion: 0.6 cm pink scaly papule
Indication: r/o SCC
Pathology: sent
";
        assert_eq!(fired(text, CODE), ["Site: left arm"]);
    }

    #[test]
    fn fires_on_an_unspecific_specimen_line() {
        let text = r"## Procedure: punch biopsies
(A) left upper arm, posterior: 1.0 cm plaque, r/o lichen planus
(B) back: 1.2 cm plaque, r/o lichen planus
";
        assert_eq!(fired(text, CODE), ["back"]);
    }

    #[test]
    fn fires_on_the_sentence_that_names_a_bare_site() {
        let text = "## Procedure\nShave biopsy of a 0.6 cm pink papule on the left arm, r/o SCC.\n";
        assert_eq!(
            fired(text, CODE),
            ["Shave biopsy of a 0.6 cm pink papule on the left arm, r/o SCC."]
        );
    }

    #[test]
    fn silent_with_laterality_and_a_landmark() {
        let text = r"## Procedure: shave biopsy
Site: left forearm, 5 cm distal to antecubital fossa
Lesion: 0.6 x 0.5 cm pink scaly papule
Indication: r/o SCC
Tangential biopsy with a DermaBlade.
";
        assert!(fired(text, CODE).is_empty());
        let text = "## Procedure\nTangential biopsy of a 0.7 cm pearly papule on the left dorsal hand, r/o BCC.\n";
        assert!(fired(text, CODE).is_empty());
    }
}
