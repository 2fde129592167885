//! `code/ncci-bundle`: two billed codes that NCCI bundles where no modifier
//! legitimately separates them: the column-2 code is part of the column-1
//! code (a biopsy of the lesion that is then excised, an E/M for the
//! decision to do a minor procedure, a simple repair inside an excision).
//!
//! Example: `- 11403` and `- 11104` for a punch biopsy taken from the lesion
//! that was then excised: the 11104 line fires and the fix deletes it.
//!
//! Source: CMS NCCI procedure-to-procedure edits (practitioner, 2026) and
//! the NCCI Policy Manual ch. I, III and XI.

use super::{Extra, Issue, Recon, code_span, dropped_reason, extra_finding};
use crate::rules::{Ctx, Finding};

pub(super) const CODE: &str = "code/ncci-bundle";

pub(super) fn check(ctx: &Ctx, recon: &Recon, out: &mut Vec<Finding>) {
    for issue in &recon.issues {
        let Issue::Extra {
            billed,
            why: Extra::Bundled { by },
        } = *issue
        else {
            continue;
        };
        let b = &recon.billed[billed];
        let column1 = &recon.billed[by];
        let pair = ctx.table.ncci(column1.code, b.code);
        let never = pair.is_some_and(|p| p.modifier_indicator == 0);
        let reason = dropped_reason(ctx, b.code)
            .map(|why| format!(" {why}"))
            .unwrap_or_default();
        let message = if never {
            format!(
                "{} is bundled into {} (NCCI, modifier indicator 0: no modifier separates them): remove the {} line.{reason}",
                b.code, column1.code, b.code
            )
        } else {
            format!(
                "{} is bundled into {} (NCCI) and the documentation does not show a separate lesion, site or service: remove the {} line.{reason}",
                b.code, column1.code, b.code
            )
        };
        out.push(extra_finding(ctx, CODE, b, message).with_related(
            code_span(column1.line),
            format!("{} bundles {}", column1.code, b.code),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::{fired, fixed};
    use super::CODE;

    const SAME: &str = "# Encounter 2026-04-27\nPayer: Commercial\n\n## Procedure: excision\nSite: left lateral thigh, 12 cm above the knee\nLesion: 0.8 cm firm pink-brown papule\nIndication: enlarging and tender\nA 4 mm punch biopsy of the lesion was taken first and sent separately; the same lesion was then excised.\nMargins: 2 mm\nRepair: simple, 2.5 cm\nPathology: dermatofibroma, margins clear\nDx: D23.72\n\n## Billing\n- 11402  Dx: D23.72\n- 11104  Dx: D23.72\n";

    #[test]
    fn fires_on_a_same_lesion_biopsy() {
        assert_eq!(fired(SAME, CODE), ["11104"]);
    }

    #[test]
    fn silent_without_the_biopsy_line() {
        assert!(fired(&SAME.replace("- 11104  Dx: D23.72\n", ""), CODE).is_empty());
    }

    #[test]
    fn fix_deletes_the_bundled_line() {
        let (after, again) = fixed(SAME, CODE);
        assert!(
            after.ends_with("## Billing\n- 11402  Dx: D23.72\n"),
            "{after}"
        );
        assert!(again.is_empty());
    }
}
