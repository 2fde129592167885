//! `payer/unknown` (info): an encounter with no `Payer:` line when no
//! default payer is configured (`--payer`, `dermls.defaultPayer`), so the
//! payer rules cannot be checked. Once per encounter, on its `# Encounter`
//! heading (or its first line). A `Payer:` value the tool does not recognise
//! is `note/parse`'s to report, not this rule's.
//!
//! Source: PRODUCT.md. Row: `data/payer_rules.csv`.

use crate::span::Span;
use crate::vocab::Payer;

use super::{Ctx, Finding, rows};

const CODE: &str = "payer/unknown";

pub(super) fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    if ctx.claim.payer != Payer::Unknown || ctx.facts.payer.is_some() {
        return;
    }
    let Some(row) = rows(ctx, CODE, Payer::Unknown).next() else {
        return;
    };
    let span = ctx
        .facts
        .heading
        .unwrap_or_else(|| first_line(ctx.text, ctx.facts.span));
    out.push(row.finding(span, &[]));
}

/// The first non-blank line of `span`, trimmed.
fn first_line(text: &str, span: Span) -> Span {
    let mut at = span.start;
    for line in span.text(text).split_inclusive('\n') {
        let trimmed = line.trim();
        if !trimmed.is_empty() {
            let lead = line.len() - line.trim_start().len();
            return Span::new(at + lead, at + lead + trimmed.len());
        }
        at += line.len();
    }
    Span::new(span.start, span.start)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::found;
    use super::*;
    use crate::analysis::{Options, analyze};
    use crate::codes::CodeTable;
    use crate::rules::Severity;

    const NO_PAYER: &str = "# Encounter 2026-03-14\nPatient: MRN 1\nVisit: established\n\n# Encounter 2026-03-20\nPatient: MRN 1\nPayer: Aetna\n";

    #[test]
    fn once_per_encounter_without_a_payer() {
        assert_eq!(
            found(NO_PAYER, CODE),
            vec![(Severity::Info, "# Encounter 2026-03-14".to_string())]
        );
        let headless = "\n  Patient: MRN 1\nVisit: new\n";
        assert_eq!(
            found(headless, CODE),
            vec![(Severity::Info, "Patient: MRN 1".to_string())]
        );
    }

    #[test]
    fn silent_with_a_default_payer_or_an_unrecognised_one() {
        let mut options = Options::default();
        options.claim.default_payer = Some(Payer::Medicare);
        let a = analyze(NO_PAYER, CodeTable::builtin(), &options);
        assert!(a.findings.iter().all(|f| f.code != CODE));
        let odd = NO_PAYER.replace("Visit: established", "Payer: Tricare");
        assert_eq!(found(&odd, CODE), vec![]);
    }
}
