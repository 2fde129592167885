//! `doc/mohs-final-margin` (warning): Mohs whose final stage does not
//! document clear margins (`clear`, `negative`, `margins free`,
//! `tumor-free`, `no residual tumor`). With no stage lines, the section must
//! say the margins were cleared somewhere (`clear margins after two
//! stages`).
//!
//! Why: the last stage is where complete removal is confirmed; a procedure
//! that ends with tumour remaining, or does not say, needs its reason and
//! plan documented and draws review. Example: a last line `Stage 2: 2
//! blocks, mapped, residual BCC at the deep margin` fires; `Stage 2: 1
//! block, mapped, clear` does not.
//!
//! Source: CPT Mohs guidelines; CodingIntel "Coding for Mohs".

use crate::extract::{StageFinding, cues};
use crate::rules::{Ctx, Finding};
use crate::vocab::{ProcKind, vocab};

use super::{field_or_self, section_lines};

pub(super) const CODE: &str = "doc/mohs-final-margin";

pub(super) fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for p in &ctx.facts.procedures {
        if p.kind != ProcKind::Mohs {
            continue;
        }
        match p.stages.iter().max_by_key(|s| (s.number, s.span.start)) {
            Some(last) if last.finding == Some(StageFinding::Clear) => {}
            Some(last) => {
                let what = match last.finding {
                    Some(_) => "shows tumour remaining",
                    None => "does not say whether the margins are clear",
                };
                out.push(Finding::new(
                    CODE,
                    field_or_self(ctx.text, last.span),
                    format!(
                        "Mohs: the final stage (stage {}) {what}; document clear margins, or why the surgery stopped and the plan.",
                        last.number
                    ),
                ));
            }
            None => {
                let cleared = section_lines(ctx, p).any(|l| {
                    let body = l.body.text(ctx.text);
                    cues::clauses(body).iter().any(|c| {
                        let clause = c.text(body).to_lowercase();
                        vocab().margin_clear.is_match(&clause)
                            && !vocab().margin_residual.is_match(&clause)
                    })
                });
                if !cleared {
                    out.push(Finding::new(
                        CODE,
                        p.heading,
                        "Mohs: no stage documents clear margins; add the stages (`Stage 1: 3 blocks, mapped, clear`).".to_string(),
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fired;
    use super::CODE;

    #[test]
    fn fires_when_the_last_stage_has_tumour() {
        let text = r"# Encounter 2026-05-27
Payer: Medicare

## Procedure: Mohs
Site: left temple
Lesion: 1.1 cm biopsy-proven infiltrative BCC
Stage 1: 3 blocks, mapped, residual BCC at 12 o'clock
Stage 2: 2 blocks, mapped, residual BCC at the deep margin
Procedure stopped at the patient's request.
Dx: C44.319
";
        assert_eq!(
            fired(text, CODE),
            ["Stage 2: 2 blocks, mapped, residual BCC at the deep margin"]
        );
    }

    #[test]
    fn silent_when_the_last_stage_is_clear() {
        let text = r"## Procedure: Mohs
Site: left temple
Lesion: 1.1 cm biopsy-proven infiltrative BCC
Stage 1: 3 blocks, mapped, residual BCC at 12 o'clock
Stage 2: 1 block, mapped, tumor-free
";
        assert!(fired(text, CODE).is_empty());
        let text = r"## Procedure: Mohs
Site: left temple
Lesion: 1.1 cm biopsy-proven infiltrative BCC
Two stages; clear margins obtained.
";
        assert!(fired(text, CODE).is_empty());
    }
}
