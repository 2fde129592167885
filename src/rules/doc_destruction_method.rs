//! `doc/destruction-method` (warning): a destruction whose method is not
//! documented anywhere in its section: the title (`## Procedure:
//! cryotherapy`), a `Method:` / `Technique:` field, or a sentence (`12 AKs
//! treated with LN2`). Methods: cryotherapy (cryo, liquid nitrogen, LN2,
//! freeze-thaw), electrodesiccation and curettage (ED&C), curettage,
//! electrosurgery (hyfrecation, fulguration, cautery), laser, and chemical
//! destruction (cantharidin, TCA, podophyllin). A generic word
//! (`destruction`, `destroyed`, `ablation`) is not a method, and a method
//! after `declined`, `prior` and the like was not done today.
//!
//! Why: the procedure note must say what was done to the lesions; "lesions
//! destroyed" does not document a procedure. Example: `## Destruction` with
//! `5 SKs of the back destroyed.` fires; `Method: LN2` silences it.
//!
//! Source: CMS documentation guidelines; CPT 17000–17286.

use crate::re::Re;

use crate::extract::cues;
use crate::rules::{Ctx, Finding};
use crate::vocab::{Label, ProcKind};

use super::prose;

pub(super) const CODE: &str = "doc/destruction-method";

static METHOD: Re = Re::new(
    r"(?i)\b(?:cryo\w*|liquid\s+nitrogen|LN2|LN₂|freez\w*|frozen|freeze[\s-]thaw|ED\s*&\s*C|ED\s+and\s+C|EDC|C\s*&\s*[ED]|electro\w*|hyfrecat\w*|fulgurat\w*|cauter\w*|curett\w*|laser\w*|CO2|erbium|pulsed[\s-]dye|PDL|chemical\w*|chemodestruction|cantharidin|trichloroacetic|TCA|podophyll\w*|silver\s+nitrate|photodynamic|PDT|aminolevulinic|snip\w*|radiofrequency)\b",
);

pub(super) fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for p in &ctx.facts.procedures {
        if p.kind != ProcKind::Destruction {
            continue;
        }
        let mut sources = prose(
            ctx,
            p,
            &[
                Label::Technique,
                Label::Procedure,
                Label::Lesion,
                Label::Indication,
                Label::Count,
                Label::Site,
            ],
        );
        let documented = sources.any(|s| {
            let body = s.text(ctx.text);
            cues::clauses(body).iter().any(|c| {
                let clause = c.text(body);
                METHOD
                    .find_iter(clause)
                    .any(|m| !cues::is_negated(clause, crate::span::Span::new(m.start(), m.end())))
            })
        });
        if !documented {
            out.push(Finding::new(
                CODE,
                p.heading,
                "Destruction: the method is not documented (e.g. `Method: liquid nitrogen, two freeze-thaw cycles`, ED&C, curettage, laser, cantharidin).".to_string(),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fired;
    use super::CODE;

    #[test]
    fn fires_on_a_generic_destruction() {
        let text = r"# Encounter 2026-05-25
Payer: BCBS

## Procedure: destruction
Site: back
5 irritated SKs of the back destroyed. Patient declined cryotherapy last year.
Dx: L82.0
";
        assert_eq!(fired(text, CODE), ["## Procedure: destruction"]);
    }

    #[test]
    fn silent_with_the_method_in_the_title_or_a_sentence() {
        let text = "## Procedure: cryotherapy\nSite: scalp\n8 AKs treated.\n";
        assert!(fired(text, CODE).is_empty());
        let text = "## Procedure\n12 AKs of the scalp treated with LN2.\n";
        assert!(fired(text, CODE).is_empty());
    }
}
