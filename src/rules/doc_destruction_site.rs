//! `doc/destruction-site` (warning): a destruction that does not say where
//! the treated lesions were: no anatomic term in the `Site:` field, the
//! `(A)` lines, the sentences, the title or the other fields of the section
//! (`12 AKs of the scalp`, `Lesion: warts of the left index finger`).
//!
//! Why: an auditor matches the treated lesions to the exam, and malignant
//! destructions (17260–17286) are coded by site group. Example: `6 AKs
//! treated with LN2.` with no site fires; `Site: scalp (5), dorsal hands (1)`
//! does not.
//!
//! Source: CMS documentation guidelines; CODING-RULES.md "Destruction".

use crate::extract::site;
use crate::rules::{Ctx, Finding};
use crate::vocab::{Label, ProcKind};

use super::prose;

pub(super) const CODE: &str = "doc/destruction-site";

pub(super) fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for p in &ctx.facts.procedures {
        if p.kind != ProcKind::Destruction {
            continue;
        }
        let named = p.sites.iter().any(|s| s.term.is_some())
            || p.lesions
                .iter()
                .any(|l| l.site.as_ref().is_some_and(|s| s.term.is_some()));
        if named {
            continue;
        }
        let in_text = prose(
            ctx,
            p,
            &[
                Label::Site,
                Label::Lesion,
                Label::Indication,
                Label::Technique,
                Label::Count,
                Label::Procedure,
                Label::Size,
            ],
        )
        .any(|s| !site::parse_list(s.text(ctx.text), s.start).is_empty());
        if !in_text {
            out.push(Finding::new(
                CODE,
                p.heading,
                "Destruction: the location of the treated lesions is not documented (e.g. `Site: scalp (5), left dorsal hand (3)`).".to_string(),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fired;
    use super::CODE;

    #[test]
    fn fires_without_a_site() {
        let text = r"# Encounter 2026-05-25
Payer: Medicare

## Procedure: cryotherapy
6 AKs treated with LN2, two freeze-thaw cycles.
Dx: L57.0
";
        assert_eq!(fired(text, CODE), ["## Procedure: cryotherapy"]);
    }

    #[test]
    fn silent_with_a_site_in_a_sentence_or_a_field() {
        let text = "## Cryotherapy\n12 AKs of the scalp treated with LN2.\n";
        assert!(fired(text, CODE).is_empty());
        let text = r"## Procedure: cryotherapy
Lesion: 3 common warts of the left index finger
Method: LN2
";
        assert!(fired(text, CODE).is_empty());
    }
}
