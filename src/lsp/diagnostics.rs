//! Findings as LSP diagnostics: `code`, `source: "dermls"`, the severity,
//! related information (the other half of a conflict) and, in `data`, the
//! rule's title and the finding's fix as text edits of the version the
//! diagnostic was published for, so a quick-fix needs no server state.

use serde::{Deserialize, Serialize};
use tower_lsp_server::lsp_types::{
    Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Range,
    TextEdit,
};

use super::document::{Outcome, SIZE_LIMIT, Snapshot};
use super::pos;
use crate::fix::Edit;
use crate::rules::{Finding, Severity, registry};
use crate::span::Span;

pub const SOURCE: &str = "dermls";
const TOO_LARGE: &str = "note/too-large";

/// What a diagnostic carries in `data`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Data {
    /// The rule's title from the registry.
    pub title: String,
    /// The document version the ranges are for.
    pub version: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<FixData>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct FixData {
    pub title: String,
    pub edits: Vec<TextEdit>,
}

/// The diagnostics of a snapshot; `None` when its analysis failed (the
/// client keeps the last ones).
pub fn diagnostics(snap: &Snapshot) -> Option<Vec<Diagnostic>> {
    match &snap.outcome {
        Outcome::Analysed(a) => Some(a.findings.iter().map(|f| diagnostic(snap, f)).collect()),
        Outcome::TooLarge => Some(vec![too_large(snap)]),
        Outcome::Failed => None,
    }
}

pub fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    }
}

/// An edit of the analysed text as an LSP text edit.
pub fn text_edit(snap: &Snapshot, edit: &Edit) -> TextEdit {
    TextEdit::new(
        pos::range(&snap.rope, edit.span, snap.encoding),
        edit.new_text.clone(),
    )
}

fn range(snap: &Snapshot, span: Span) -> Range {
    pos::range(&snap.rope, span, snap.encoding)
}

fn diagnostic(snap: &Snapshot, f: &Finding) -> Diagnostic {
    let related: Vec<DiagnosticRelatedInformation> = f
        .related
        .iter()
        .map(|(span, message)| DiagnosticRelatedInformation {
            location: Location::new(snap.uri.clone(), range(snap, *span)),
            message: message.clone(),
        })
        .collect();
    let data = Data {
        title: registry::rule(f.code)
            .map(|r| r.title.to_string())
            .unwrap_or_default(),
        version: snap.version,
        fix: f.fix.as_ref().map(|fix| FixData {
            title: fix.title.clone(),
            edits: fix.edits.iter().map(|e| text_edit(snap, e)).collect(),
        }),
    };
    Diagnostic {
        range: range(snap, f.span),
        severity: Some(severity(f.severity)),
        code: Some(NumberOrString::String(f.code.to_string())),
        code_description: None,
        source: Some(SOURCE.to_string()),
        message: f.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: serde_json::to_value(data).ok(),
    }
}

fn too_large(snap: &Snapshot) -> Diagnostic {
    let rule = registry::rule(TOO_LARGE);
    let first_line =
        pos::line_content(&snap.rope, 0).map_or(Span::default(), |(s, e)| Span::new(s, e));
    let data = Data {
        title: rule.map(|r| r.title.to_string()).unwrap_or_default(),
        version: snap.version,
        fix: None,
    };
    Diagnostic {
        range: range(snap, first_line),
        severity: Some(severity(rule.map_or(Severity::Info, |r| r.severity))),
        code: Some(NumberOrString::String(TOO_LARGE.to_string())),
        source: Some(SOURCE.to_string()),
        message: format!(
            "This document is {} bytes, above the {} MiB limit: it is not analysed. Split it into one note per visit.",
            snap.text.len(),
            SIZE_LIMIT / (1024 * 1024)
        ),
        data: serde_json::to_value(data).ok(),
        ..Diagnostic::default()
    }
}

/// The data of a diagnostic this server published, if it is one.
pub fn data_of(d: &Diagnostic) -> Option<Data> {
    if d.source.as_deref() != Some(SOURCE) {
        return None;
    }
    serde_json::from_value(d.data.clone()?).ok()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use expect_test::expect;
    use ropey::Rope;

    use super::*;
    use crate::fix::Fix;
    use crate::lsp::config::Config;
    use crate::lsp::pos::Encoding;

    #[test]
    fn related_information_and_fix_edits_in_the_client_encoding() {
        let text = "## Billing\n- 11602 × 1  Dx: C44.612\n- 😀 12032\n";
        let snap = Snapshot::analyse(
            "file:///n.derm".parse().unwrap(),
            4,
            Rope::from_str(text),
            Arc::new(Config::default()),
            Encoding::Utf16,
            &mut crate::incremental::Incremental::new(),
        );
        let code = text.find("11602").unwrap();
        let other = text.find("12032").unwrap();
        let f = Finding::new(
            "code/unknown-code",
            Span::new(code, code + 5),
            "a message".to_string(),
        )
        .with_related(Span::new(other, other + 5), "the other line")
        .with_fix(Some(Fix::new(
            "Replace 11602 with 11603",
            vec![Edit::new(Span::new(code + 4, code + 5), "3")],
        )));
        let d = diagnostic(&snap, &f);
        expect![[r#"
            {
              "range": {
                "start": {
                  "line": 1,
                  "character": 2
                },
                "end": {
                  "line": 1,
                  "character": 7
                }
              },
              "severity": 1,
              "code": "code/unknown-code",
              "source": "dermls",
              "message": "a message",
              "relatedInformation": [
                {
                  "location": {
                    "uri": "file:///n.derm",
                    "range": {
                      "start": {
                        "line": 2,
                        "character": 5
                      },
                      "end": {
                        "line": 2,
                        "character": 10
                      }
                    }
                  },
                  "message": "the other line"
                }
              ],
              "data": {
                "fix": {
                  "edits": [
                    {
                      "newText": "3",
                      "range": {
                        "end": {
                          "character": 7,
                          "line": 1
                        },
                        "start": {
                          "character": 6,
                          "line": 1
                        }
                      }
                    }
                  ],
                  "title": "Replace 11602 with 11603"
                },
                "title": "Unknown or unreadable code in the Billing section",
                "version": 4
              }
            }"#]]
        .assert_eq(&serde_json::to_string_pretty(&d).unwrap());
        assert_eq!(
            data_of(&d).and_then(|x| x.fix).map(|x| x.edits.len()),
            Some(1)
        );
    }
}
