//! A code lens per encounter: its claim's lines, total RVUs and estimated
//! payment; clicking it writes the encounter's `## Billing` section
//! (`dermls.insertBilling`).

use serde_json::Value;
use tower_lsp_server::lsp_types::{CodeLens, Command};

use super::code_action::INSERT_BILLING_COMMAND;
use super::document::Snapshot;
use super::pos;
use crate::analysis::total_rvu;
use crate::fix;
use crate::span::Span;

pub fn lenses(snap: &Snapshot) -> Option<Vec<CodeLens>> {
    let a = snap.analysis()?;
    let table = &*snap.config.table;
    let cf = snap.config.options.conversion_factor;
    let mut out = Vec::new();
    for (i, (enc, claim)) in a.note.encounters.iter().zip(&a.claims).enumerate() {
        let at = enc
            .heading
            .unwrap_or(Span::new(enc.span.start, enc.span.start));
        let n = claim.lines.len();
        let rvu = total_rvu(claim, table);
        let pending = fix::billing_edit(&snap.text, enc, claim).is_some();
        let title = if n == 0 {
            "No billable lines documented".to_string()
        } else {
            format!(
                "{n} line{} · {rvu:.2} RVU · est. ${:.2} (Medicare estimate){}",
                if n == 1 { "" } else { "s" },
                rvu * cf,
                if pending {
                    " · Insert billing codes"
                } else {
                    " · Billing up to date"
                }
            )
        };
        out.push(CodeLens {
            range: pos::range(&snap.rope, Span::new(at.start, at.start), snap.encoding),
            command: Some(Command {
                title,
                command: INSERT_BILLING_COMMAND.to_string(),
                arguments: Some(vec![Value::from(snap.uri.as_str()), Value::from(i)]),
            }),
            data: None,
        });
    }
    Some(out)
}
