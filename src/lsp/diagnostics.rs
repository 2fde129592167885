//! Findings as LSP diagnostics: `code`, `source: "dermls"`, the severity,
//! related information (the other half of a conflict) and, in `data`, the
//! rule's title and the finding's fix as text edits of the version the
//! diagnostic was published for, so a quick-fix needs no server state.

use std::collections::HashMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;
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
        Outcome::Analysed(a) => Some(by_encounter(snap, a)),
        Outcome::TooLarge => Some(vec![too_large(snap)]),
        Outcome::Failed => None,
    }
}

/// A document's diagnostics of each encounter's findings, with lines
/// counted from the encounter's first line, kept while those findings stay
/// the same (`Incremental::runs` names them): a change converts only the
/// findings of the encounters it touched.
#[derive(Default)]
pub struct Kept {
    groups: HashMap<u64, Arc<[Diagnostic]>>,
}

/// The findings as diagnostics, an encounter at a time: the kept
/// diagnostics of an encounter whose findings did not change, moved to the
/// encounter's line and stamped with the version; the others converted.
fn by_encounter(snap: &Snapshot, a: &crate::analysis::Analysis) -> Vec<Diagnostic> {
    let runs = &snap.runs;
    if runs.len() != a.note.encounters.len()
        || runs.iter().map(|r| r.1).sum::<usize>() != a.findings.len()
    {
        return a.findings.iter().map(|f| diagnostic(snap, f)).collect();
    }
    let mut kept = snap.kept.lock().unwrap_or_else(|e| e.into_inner());
    let mut groups = HashMap::with_capacity(kept.groups.len());
    let mut out = Vec::with_capacity(a.findings.len());
    let mut findings = a.findings.iter();
    for (&(id, n), encounter) in runs.iter().zip(&a.note.encounters) {
        if n == 0 {
            continue;
        }
        let first_line = pos::position(&snap.rope, encounter.span.start, snap.encoding).line;
        let run = findings.by_ref().take(n);
        let group = kept.groups.remove(&id).unwrap_or_else(|| {
            run.map(|f| {
                let mut d = diagnostic(snap, f);
                move_lines(&mut d, first_line, false);
                d
            })
            .collect()
        });
        out.extend(group.iter().map(|d| {
            let mut d = d.clone();
            move_lines(&mut d, first_line, true);
            if let Some(Value::Object(data)) = &mut d.data {
                if let Some(v) = data.get_mut("version") {
                    *v = Value::from(snap.version);
                }
            }
            d
        }));
        groups.insert(id, group);
    }
    kept.groups = groups;
    out
}

/// Moves every line of a diagnostic (its range, related ranges and fix
/// edits) down by `by` lines (`down`), or up.
fn move_lines(d: &mut Diagnostic, by: u32, down: bool) {
    let line = |l: &mut u32| {
        *l = if down {
            l.saturating_add(by)
        } else {
            l.saturating_sub(by)
        }
    };
    let range = |r: &mut Range| {
        line(&mut r.start.line);
        line(&mut r.end.line);
    };
    range(&mut d.range);
    for r in d.related_information.iter_mut().flatten() {
        range(&mut r.location.range);
    }
    let edits = d
        .data
        .as_mut()
        .and_then(|v| v.get_mut("fix"))
        .and_then(|v| v.get_mut("edits"))
        .and_then(Value::as_array_mut);
    for e in edits.into_iter().flatten() {
        for end in ["start", "end"] {
            let at = e
                .get_mut("range")
                .and_then(|r| r.get_mut(end))
                .and_then(|p| p.get_mut("line"));
            if let Some(v) = at {
                if let Some(mut l) = v.as_u64().and_then(|l| u32::try_from(l).ok()) {
                    line(&mut l);
                    *v = Value::from(l);
                }
            }
        }
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
            Arc::default(),
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
