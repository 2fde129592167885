//! Facts to claim lines and findings. `claim` derives the claim; each
//! diagnostic rule lives in its own file, named after its code, and is
//! listed in `registry`.

pub mod claim;
pub mod registry;

mod code;
mod code_unknown_code;
mod doc;
mod note_parse;
mod payer;

pub use payer::PayerRules;

use crate::codes::CodeTable;
use crate::extract::EncounterFacts;
use crate::fix::Fix;
use crate::span::Span;
pub use registry::{Rule, Severity, rule};

/// A diagnostic the rules raise.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Finding {
    pub code: &'static str,
    pub severity: Severity,
    pub span: Span,
    pub message: String,
    /// Other text that explains the finding (the other half of a conflict).
    pub related: Vec<(Span, String)>,
    /// The edits that fix it, when there is one obvious fix.
    pub fix: Option<Fix>,
}

impl Finding {
    pub fn new(code: &'static str, span: Span, message: String) -> Finding {
        let severity = rule(code).map(|r| r.severity).unwrap_or_default();
        Finding {
            code,
            severity,
            span,
            message,
            related: Vec::new(),
            fix: None,
        }
    }

    pub fn with_fix(mut self, fix: Option<Fix>) -> Finding {
        self.fix = fix;
        self
    }

    pub fn with_related(mut self, span: Span, message: impl Into<String>) -> Finding {
        self.related.push((span, message.into()));
        self
    }
}

/// Context handed to every diagnostic rule.
pub struct Ctx<'a> {
    pub text: &'a str,
    /// The parsed encounter the facts came from (its sections' lines).
    pub encounter: &'a crate::note::Encounter,
    pub facts: &'a EncounterFacts,
    pub claim: &'a claim::EncounterClaim,
    pub table: &'a CodeTable,
    /// The payer rules in force.
    pub(crate) payer_rules: &'a [payer::PayerRule],
}

/// Runs every diagnostic rule on one encounter.
pub fn check(ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    let rows = billing_rows(ctx);
    note_parse::check(ctx, &mut out);
    code_unknown_code::check(ctx, &rows, &mut out);
    code::check(ctx, &rows, &mut out);
    doc::check(ctx, &mut out);
    payer::check(ctx, &mut out);
    out
}

/// The row of each Billing line's code (none for a line without a code or
/// with one the table lacks), in the lines' order: looked up once for the
/// rules that read them. Empty without a Billing section.
fn billing_rows<'a>(ctx: &Ctx<'a>) -> Vec<Option<&'a crate::codes::CodeRow>> {
    ctx.facts.billing.as_ref().map_or_else(Vec::new, |billing| {
        billing
            .lines
            .iter()
            .map(|l| l.code.as_ref().and_then(|(code, _)| ctx.table.get(code)))
            .collect()
    })
}

/// The findings of `code` raised on `text`, as the text each points at, in
/// order (the rules' unit tests).
#[cfg(test)]
pub(crate) fn fired<'a>(text: &'a str, code: &str) -> Vec<&'a str> {
    let a = crate::analysis::analyze(
        text,
        crate::codes::CodeTable::builtin(),
        &crate::analysis::Options::default(),
    );
    a.findings
        .iter()
        .filter(|f| f.code == code)
        .map(|f| &text[f.span.start..f.span.end])
        .collect()
}
