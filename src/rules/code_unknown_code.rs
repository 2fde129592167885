//! `code/unknown-code`: a CPT code or modifier in the Billing section that
//! the tool does not know or cannot read, or a `Dx:` code that is not a
//! valid ICD-10-CM code (the full FY2026 code set; a category header such as
//! `L57` is not billable). Example: `- 1110 Dx: L99.99`.
//!
//! Source: CMS ICD-10-CM FY2026; the built-in CPT table.

use crate::codes::{CodeRow, icd10_is_billable, icd10_title};

use super::{Ctx, Finding};

const CODE: &str = "code/unknown-code";

/// `rows`: the row of each Billing line's code, in order.
pub(super) fn check(ctx: &Ctx, rows: &[Option<&CodeRow>], out: &mut Vec<Finding>) {
    let Some(billing) = &ctx.facts.billing else {
        return;
    };
    for (line, row) in billing.lines.iter().zip(rows) {
        match &line.code {
            Some((code, span)) if row.is_none() => out.push(Finding::new(
                CODE,
                *span,
                format!("{code} is not a CPT code dermls knows for dermatology; check the code."),
            )),
            None => out.push(Finding::new(
                CODE,
                line.body,
                "This Billing line has no CPT code dermls can read (expected `- CODE[-MOD] [xN]  Dx: …`).".to_string(),
            )),
            _ => {}
        }
        for (m, span) in &line.modifiers {
            if ctx.table.modifier(m).is_none() {
                out.push(Finding::new(
                    CODE,
                    *span,
                    format!("{m} is not a modifier dermls knows."),
                ));
            }
        }
        if let Some(span) = line.bad_units {
            out.push(Finding::new(
                CODE,
                span,
                format!(
                    "Units `{}` are not a whole number of at least 1.",
                    span.text(ctx.text)
                ),
            ));
        }
        for (dx, span) in &line.dx {
            if icd10_is_billable(dx) {
                continue;
            }
            let message = match icd10_title(dx) {
                Some(title) => format!(
                    "{dx} ({title}) is a category, not a billable ICD-10-CM code: add the characters that complete it."
                ),
                None => format!("{dx} is not an ICD-10-CM FY2026 code."),
            };
            out.push(Finding::new(CODE, *span, message));
        }
    }
}
