//! `note/parse` (info): text the parser could not place where a field was
//! expected: an `E/M:` with no E/M code, a `Payer:` it does not recognise,
//! unreadable text on a Billing line. Never fatal; the rest of the note is
//! still analysed.

use crate::vocab::Payer;

use super::{Ctx, Finding};

const CODE: &str = "note/parse";

pub(super) fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let f = ctx.facts;
    if let Some(em) = &f.em {
        if em.code.is_none() {
            out.push(Finding::new(
                CODE,
                em.span,
                "E/M: no E/M code (99202–99205, 99211–99215) could be read here.".to_string(),
            ));
        }
    }
    if let Some((Payer::Unknown, span)) = f.payer {
        out.push(Finding::new(
            CODE,
            span,
            "Payer: not one dermls knows (Medicare, UnitedHealthcare, Aetna, BCBS, Medicaid, Commercial, Self-pay); payer rules are not applied.".to_string(),
        ));
    }
    if let Some(billing) = &f.billing {
        for line in &billing.lines {
            for span in &line.unread {
                out.push(Finding::new(
                    CODE,
                    *span,
                    format!(
                        "`{}` on this Billing line could not be read.",
                        span.text(ctx.text)
                    ),
                ));
            }
        }
    }
}
