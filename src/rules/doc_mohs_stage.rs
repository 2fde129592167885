//! `doc/mohs-stage` (warning): a Mohs `Stage N:` line without its number of
//! blocks, its map (`mapped`), or its histologic finding: where tumour
//! remains (`residual BCC at 2 o'clock`, `SCC at deep margin`, `positive`)
//! or that none does (`clear`, `negative`, `tumor-free`).
//!
//! Why: Mohs codes pay for the surgeon's mapping and histologic examination
//! of every stage, and for blocks beyond five (+17315); a stage without
//! them is not documented Mohs. Example: `Stage 1: 3 blocks, residual BCC at
//! 12 o'clock` fires (no map); `Stage 1: 3 blocks, mapped, residual BCC at
//! 12 o'clock` does not.
//!
//! Source: CPT 17311–17315 descriptors as quoted by AAPC; AAD DW March 2020
//! (Miller).

use crate::rules::{Ctx, Finding};
use crate::vocab::ProcKind;

use super::field_or_self;

pub(super) const CODE: &str = "doc/mohs-stage";

pub(super) fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for p in &ctx.facts.procedures {
        if p.kind != ProcKind::Mohs {
            continue;
        }
        for stage in &p.stages {
            let mut missing = Vec::new();
            if stage.blocks.is_none() {
                missing.push("the number of blocks");
            }
            if !stage.mapped {
                missing.push("the map (`mapped`)");
            }
            if stage.finding.is_none() {
                missing.push("the histologic finding (clear, or where tumour remains)");
            }
            if missing.is_empty() {
                continue;
            }
            out.push(Finding::new(
                CODE,
                field_or_self(ctx.text, stage.span),
                format!(
                    "Mohs stage {}: {} not documented.",
                    stage.number,
                    join(&missing)
                ),
            ));
        }
    }
}

/// `a`, `a and b`, `a, b and c`.
fn join(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => format!("{one} is"),
        [init @ .., last] => format!("{} and {last} are", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::super::fired;
    use super::CODE;

    #[test]
    fn fires_on_a_stage_without_its_map() {
        let text = r"# Encounter 2026-05-27
Payer: Medicare

## Procedure: Mohs
Site: left temple
Lesion: 1.1 cm biopsy-proven infiltrative BCC
Stage 1: 3 blocks, residual BCC at 12 o'clock
Stage 2: 2 blocks, mapped, clear
Dx: C44.319
";
        assert_eq!(
            fired(text, CODE),
            ["Stage 1: 3 blocks, residual BCC at 12 o'clock"]
        );
    }

    #[test]
    fn silent_on_complete_stages() {
        let text = r"## Procedure: Mohs micrographic surgery
Site: left helix, superior
Lesion: 1.1 cm biopsy-proven invasive SCC
Stage 1: 4 blocks, mapped, frozen sections show SCC at the deep margin
Stage 2: 1 block, mapped, margins clear
";
        assert!(fired(text, CODE).is_empty());
    }
}
