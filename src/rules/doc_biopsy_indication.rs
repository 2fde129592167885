//! `doc/biopsy-indication` (warning): a biopsy without an indication. An
//! indication is an `Indication:` (`Reason:`) field, a reason on the
//! lesion's `(A)` line (`r/o BCC` or the text after its last comma), a hedge
//! or a reason in the section's sentences or `Lesion:` field (`r/o`,
//! `suspicious for`, `changing`, `bleeding`, `symptomatic`, …), or the
//! assessment item that names the biopsy when it gives one
//! (`Lesion of left forearm, r/o SCC: shave biopsy`).
//!
//! Why: medical necessity; a biopsy without a documented reason is the
//! first thing an audit denies. Example: a biopsy with only a site and a
//! technique fires; `Indication: r/o SCC` silences it.
//!
//! Source: SSA §1862(a)(1)(A) (reasonable and necessary); CMS documentation
//! guidelines; PRODUCT.md.

use crate::re::Re;

use crate::extract::{Lesion, Procedure, cues};
use crate::rules::{Ctx, Finding};
use crate::vocab::{Label, ProcKind, vocab};

use super::{lesion_anchor, prose};

pub(super) const CODE: &str = "doc/biopsy-indication";

/// Reasons a lesion is biopsied, besides the hedges of the vocabulary.
static REASON: Re = Re::new(
    r"(?i)\b(?:chang(?:ing|ed|e\s+in)|enlarg\w*|grow\w*|grew|new|bleed\w*|symptomatic|irritated|inflamed|itch\w*|pruritic|painful|tender|non[\s-]?healing|evolving|atypical|suspicious|concern\w*|worri\w*|recurr\w*|persistent|refractory|ugly\s+duckling|to\s+(?:evaluate|confirm|establish|exclude|diagnose|assess)|for\s+(?:diagnosis|histolog\w*|confirmation|evaluation|DIF|immunofluorescence|culture)|diagnos\w*|confirm\w*)\b",
);

pub(super) fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    // Each reason is looked for only when a lesion still lacks one: the
    // lesions' own first (their lines are short, and usually give one),
    // then the assessment's once per encounter, then the section's once
    // per procedure. A finding needs all three to fail, so the order
    // changes nothing but the work.
    let mut from_assessment = None;
    for p in &ctx.facts.procedures {
        if p.kind != ProcKind::Biopsy || p.indication.is_some() || p.lesions.is_empty() {
            continue;
        }
        let lacking: Vec<&Lesion> = p
            .lesions
            .iter()
            .filter(|lesion| !has_reason(ctx, p, lesion))
            .collect();
        if lacking.is_empty() {
            continue;
        }
        // A reason in the assessment covers every biopsy of the encounter.
        if *from_assessment.get_or_insert_with(|| assessment_gives_reason(ctx)) {
            break;
        }
        if section_gives_reason(ctx, p) {
            continue;
        }
        for lesion in lacking {
            out.push(Finding::new(
                CODE,
                lesion_anchor(ctx.text, p, lesion),
                "Biopsy: the indication is not documented (why was it biopsied? e.g. `Indication: r/o BCC`, `changing nevus`).".to_string(),
            ));
        }
    }
}

fn is_reason(s: &str) -> bool {
    vocab().hedges.is_match(s) || REASON.is_match(s)
}

/// The lesion's own indication: on its `(A)` line, or the one read from a
/// sentence for a single lesion.
fn has_reason(ctx: &Ctx, p: &Procedure, lesion: &Lesion) -> bool {
    let text = ctx.text;
    match lesion.indication {
        Some(span) if lesion.letter.is_none() => !span.is_empty(),
        Some(span) => {
            is_reason(span.text(text))
                || lesion.description.is_some_and(|d| is_reason(d.text(text)))
        }
        None => {
            lesion.letter.is_some() && is_reason(lesion.span.text(text))
                || p.description.is_some_and(|d| is_reason(d.text(text)))
        }
    }
}

/// A reason for every lesion of the section: in its sentences, title or
/// `Lesion:` field (not in one lesion's `(A)` line).
fn section_gives_reason(ctx: &Ctx, p: &Procedure) -> bool {
    let text = ctx.text;
    prose(ctx, p, &[Label::Lesion, Label::Size, Label::Procedure])
        .filter(|s| {
            !p.lesions
                .iter()
                .any(|l| l.letter.is_some() && s.contains(l.span.start))
        })
        .any(|s| is_reason(s.text(text)))
}

/// An assessment item that names a biopsy done today and gives its reason.
fn assessment_gives_reason(ctx: &Ctx) -> bool {
    ctx.facts.problems.iter().any(|prob| {
        let s = prob.span.text(ctx.text);
        prob.linked
            && cues::all_done(s, &vocab().procedures)
                .iter()
                .any(|(_, (k, _))| *k == ProcKind::Biopsy)
            && is_reason(s)
    })
}

#[cfg(test)]
mod tests {
    use super::super::fired;
    use super::CODE;

    #[test]
    fn fires_without_a_reason() {
        let text = r"# Encounter 2026-02-03
Payer: Medicare

## Procedure: shave biopsy
Site: left upper back, 4 cm below the scapular spine
Lesion: 0.6 cm pink papule
Technique: tangential biopsy
Pathology: sent
";
        assert_eq!(fired(text, CODE), ["## Procedure: shave biopsy"]);
    }

    #[test]
    fn fires_on_the_specimen_line_without_a_reason() {
        let text = r"## Procedure: shave biopsies
(A) left upper back, 4 cm below the scapular spine: 0.6 cm pink papule, r/o BCC
(B) right volar forearm, 6 cm proximal to the wrist: 0.5 cm pink papule
";
        assert_eq!(
            fired(text, CODE),
            ["(B) right volar forearm, 6 cm proximal to the wrist: 0.5 cm pink papule"]
        );
    }

    #[test]
    fn silent_with_a_field_a_hedge_or_the_assessment() {
        let text = r"## Procedure: shave biopsy
Site: left forearm, 5 cm distal to antecubital fossa
Lesion: 0.6 cm pink papule
Indication: r/o SCC
";
        assert!(fired(text, CODE).is_empty());
        let text = r"## Assessment and plan
1. Lesion of left forearm, r/o SCC: shave biopsy, see procedure.

## Procedure: shave biopsy
Site: left forearm, 5 cm distal to antecubital fossa
Lesion: 0.6 cm pink papule
";
        assert!(fired(text, CODE).is_empty());
    }
}
