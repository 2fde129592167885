//! `doc/excision-closure` (warning): an excision whose closure type is not
//! documented. A type is `simple`, `intermediate` (`layered`, `in two
//! layers`) or `complex`, in a `Repair:` / `Closure:` field, a sentence, any
//! field of the section (`Technique: elliptical excisions, each closed in one
//! layer`), or a `## Repair` section that follows the excision(s); a flap, a
//! graft, a purse-string closure or healing by secondary intention also
//! documents how the wound was handled.
//!
//! Why: a simple closure is included in the excision, while intermediate and
//! complex repairs are billed separately (12031–13153); the type decides
//! which, and an auditor looks for it. Example: an excision with no
//! `Repair:` fires; `Repair: intermediate, 2.8 cm` does not; `Repair: 2.5
//! cm` fires on that line (length, but no type).
//!
//! Source: CPT repair guidelines; CODING-RULES.md "Repair".

use crate::re::Re;

use crate::note::LineKind;
use crate::rules::{Ctx, Finding};
use crate::vocab::{Label, ProcKind};

use super::{field_or_self, section_lines};

pub(super) const CODE: &str = "doc/excision-closure";

/// Words that give a closure type in free text.
static CLOSURE_TYPE: Re = Re::new(
    r"(?ix)
        \b(?:simple|intermediate|complex|layered|primary|primarily)\s+(?:[\w-]+\s+){0,2}?(?:repair|closure|closed|approximation|approximated)\b
      | \bclosed\s+(?:[\w-]+\s+){0,2}?(?:primarily|in\s+layers|in\s+(?:a\s+)?(?:single|one|two|2)\s+layers?)\b
      | \b(?:single|one|two|2|bi|multi|double)[\s-]?layer(?:ed|s)?\b
      | \bin\s+layers\b
      | \blayered\b
      | \b(?:secondary|second)\s+intention\b
      | \bheal\s+by\s+granulation\b
      | \bflap\b
      | \bgraft\b
      | \bpurse[\s-]?string\b",
);

pub(super) fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for (pi, p) in ctx.facts.procedures.iter().enumerate() {
        if p.kind != ProcKind::Excision {
            continue;
        }
        if p.repair.as_ref().is_some_and(|r| r.class.is_some()) {
            continue;
        }
        // A `## Repair` section after the excision (one after several
        // excisions may close them all).
        let repair_section = ctx.facts.procedures.iter().any(|q| {
            q.kind == ProcKind::Repair
                && q.host.is_some_and(|h| h >= pi)
                && q.repair.as_ref().is_some_and(|r| r.class.is_some())
        });
        if repair_section {
            continue;
        }
        let typed = section_lines(ctx, p).any(|l| {
            let body = match &l.kind {
                LineKind::Text => l.body,
                LineKind::Field(f)
                    if !matches!(
                        f.label,
                        Label::Pathology | Label::Dx | Label::Lesion | Label::Indication
                    ) =>
                {
                    f.value
                }
                _ => return false,
            };
            CLOSURE_TYPE.is_match(body.text(ctx.text))
        });
        if typed {
            continue;
        }
        match &p.repair {
            Some(r) => out.push(Finding::new(
                CODE,
                field_or_self(ctx.text, r.span),
                "Excision: the closure type is not stated (simple, intermediate/layered or complex); a simple closure is included, intermediate and complex repairs are billed separately.".to_string(),
            )),
            None => out.push(Finding::new(
                CODE,
                p.heading,
                "Excision: the closure is not documented (simple, intermediate/layered or complex, with its length).".to_string(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fired;
    use super::CODE;

    #[test]
    fn fires_without_a_closure() {
        let text = r"# Encounter 2026-05-22
Payer: Commercial

## Procedure: excision
Site: right upper arm, lateral
Lesion: 0.8 cm tan papule
Margins: 2 mm
Pathology: sent
";
        assert_eq!(fired(text, CODE), ["## Procedure: excision"]);
    }

    #[test]
    fn fires_on_a_repair_line_without_a_type() {
        let text = r"## Procedure: excision
Site: right upper arm, lateral
Lesion: 0.8 cm tan papule
Margins: 2 mm
Repair: 2.5 cm, 4-0 nylon
Pathology: sent
";
        assert_eq!(fired(text, CODE), ["Repair: 2.5 cm, 4-0 nylon"]);
    }

    #[test]
    fn silent_with_a_typed_closure_anywhere() {
        let text = r"## Procedure: excisions
Technique: elliptical excisions, each closed in one layer
Margins: 2 mm
(A) right upper back, 6 cm below the acromion: 0.5 cm brown papule, r/o dysplastic nevus
Pathology: junctional nevus
";
        assert!(fired(text, CODE).is_empty());
        let text = r"## Excision
Site: left posterior shoulder, 5 cm above the scapular spine
Lesion: 1.0 cm pigmented papule
Margins: 2 mm
Pathology: compound nevus

## Repair
Layered closure of the excision defect, 3.5 cm.
";
        assert!(fired(text, CODE).is_empty());
    }
}
