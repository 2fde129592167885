//! Code actions: a quick-fix per fixable diagnostic (its edits come from the
//! diagnostic's `data`, so no server state is needed), "Insert billing
//! codes" (`source.insertBilling`) for the encounter at the cursor and for
//! every encounter, and "Fix all" (`source.fixAll.dermls`) as one minimal
//! edit.

use std::collections::HashMap;

use serde_json::Value;
use tower_lsp_server::lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, DocumentChanges, OneOf,
    OptionalVersionedTextDocumentIdentifier, TextDocumentEdit, TextEdit, Uri, WorkspaceEdit,
};

use super::diagnostics::{self, text_edit};
use super::document::Snapshot;
use super::pos;
use super::server::ClientInfo;
use crate::fix::{self, Edit};
use crate::span::Span;

/// The kind of "Insert billing codes".
pub const INSERT_BILLING: &str = "source.insertBilling";
/// The kind of "Fix all".
pub const FIX_ALL: &str = "source.fixAll.dermls";
/// The command a code lens runs: `[uri, encounter index or null for all]`.
pub const INSERT_BILLING_COMMAND: &str = "dermls.insertBilling";

pub fn actions(
    snap: &Snapshot,
    params: &CodeActionParams,
    info: &ClientInfo,
) -> Vec<CodeActionOrCommand> {
    let only = params.context.only.as_deref();
    let mut out = Vec::new();
    if wanted(only, CodeActionKind::QUICKFIX.as_str()) {
        for d in &params.context.diagnostics {
            let Some(data) = diagnostics::data_of(d) else {
                continue;
            };
            // Edits of another version would land in the wrong place; fresh
            // diagnostics with fresh edits are on their way.
            if data.version != snap.version {
                continue;
            }
            let Some(fix) = data.fix else {
                continue;
            };
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: fix.title,
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![d.clone()]),
                edit: Some(workspace_edit(snap, fix.edits, info)),
                is_preferred: Some(true),
                ..CodeAction::default()
            }));
        }
    }
    let Some(a) = snap.analysis() else {
        return out;
    };
    if wanted(only, INSERT_BILLING) {
        let span = pos::span(&snap.rope, params.range, snap.encoding);
        let here = encounters_at(snap, span);
        let edits = billing_edits(snap, Some(&here));
        let every = billing_edits(snap, None);
        if !edits.is_empty() {
            out.push(action(
                snap,
                "Insert billing codes",
                INSERT_BILLING,
                edits.clone(),
                info,
            ));
        }
        if a.note.encounters.len() > 1 && every.len() > edits.len() {
            out.push(action(
                snap,
                "Insert billing codes in every encounter",
                INSERT_BILLING,
                every,
                info,
            ));
        }
    }
    if wanted(only, FIX_ALL) && a.findings.iter().any(|f| f.fix.is_some()) {
        let config = &snap.config;
        let (fixed, _) = fix::fix_all(&snap.text, &config.table, &config.options);
        if let Some(edit) = minimal_edit(&snap.text, &fixed) {
            out.push(action(
                snap,
                "Fix all dermls problems",
                FIX_ALL,
                vec![edit],
                info,
            ));
        }
    }
    out
}

/// The workspace edit of `dermls.insertBilling` for one encounter or all.
pub fn insert_billing_edit(
    snap: &Snapshot,
    encounter: Option<usize>,
    info: &ClientInfo,
) -> Option<WorkspaceEdit> {
    let only = encounter.map(|i| vec![i]);
    let edits = billing_edits(snap, only.as_deref());
    (!edits.is_empty()).then(|| {
        let edits = edits.iter().map(|e| text_edit(snap, e)).collect();
        workspace_edit(snap, edits, info)
    })
}

/// Reads `[uri, index | null]`.
pub fn command_args(args: &[Value]) -> Option<(Uri, Option<usize>)> {
    let uri: Uri = args.first()?.as_str()?.parse().ok()?;
    let index = match args.get(1) {
        None | Some(Value::Null) => None,
        Some(v) => Some(usize::try_from(v.as_u64()?).ok()?),
    };
    Some((uri, index))
}

/// Edits to `snap`'s text as a workspace edit: versioned when the client
/// supports document changes, so a client drops it for a changed document.
pub fn workspace_edit(snap: &Snapshot, edits: Vec<TextEdit>, info: &ClientInfo) -> WorkspaceEdit {
    if info.document_changes {
        WorkspaceEdit {
            document_changes: Some(DocumentChanges::Edits(vec![TextDocumentEdit {
                text_document: OptionalVersionedTextDocumentIdentifier {
                    uri: snap.uri.clone(),
                    version: Some(snap.version),
                },
                edits: edits.into_iter().map(OneOf::Left).collect(),
            }])),
            ..WorkspaceEdit::default()
        }
    } else {
        WorkspaceEdit {
            changes: Some(HashMap::from([(snap.uri.clone(), edits)])),
            ..WorkspaceEdit::default()
        }
    }
}

/// The smallest single edit turning `old` into `new`: the common prefix and
/// suffix are left alone, and the edit's range is exactly the text it
/// replaces. Its ends never split a character or a `\r\n`.
pub fn minimal_edit(old: &str, new: &str) -> Option<Edit> {
    if old == new {
        return None;
    }
    let (a, b) = (old.as_bytes(), new.as_bytes());
    let mut prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    while !old.is_char_boundary(prefix)
        || !new.is_char_boundary(prefix)
        || splits_crlf(old, prefix)
        || splits_crlf(new, prefix)
    {
        prefix -= 1;
    }
    let room = (a.len() - prefix).min(b.len() - prefix);
    let mut suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take(room)
        .take_while(|(x, y)| x == y)
        .count();
    while !old.is_char_boundary(a.len() - suffix)
        || !new.is_char_boundary(b.len() - suffix)
        || splits_crlf(old, a.len() - suffix)
        || splits_crlf(new, b.len() - suffix)
    {
        suffix -= 1;
    }
    Some(Edit::new(
        Span::new(prefix, a.len() - suffix),
        &new[prefix..b.len() - suffix],
    ))
}

fn splits_crlf(s: &str, at: usize) -> bool {
    at > 0 && s.as_bytes().get(at - 1) == Some(&b'\r') && s.as_bytes().get(at) == Some(&b'\n')
}

/// Whether a requested `only` list admits `kind` (equal, or a parent of it).
fn wanted(only: Option<&[CodeActionKind]>, kind: &str) -> bool {
    only.is_none_or(|only| {
        only.iter().any(|k| {
            let k = k.as_str();
            kind == k
                || kind
                    .strip_prefix(k)
                    .is_some_and(|rest| rest.starts_with('.'))
        })
    })
}

/// The encounters a range touches; the nearest one when it touches none.
fn encounters_at(snap: &Snapshot, span: Span) -> Vec<usize> {
    let Some(a) = snap.analysis() else {
        return Vec::new();
    };
    let encs = &a.note.encounters;
    let touching: Vec<usize> = encs
        .iter()
        .enumerate()
        .filter(|(_, e)| e.span.start <= span.end && span.start <= e.span.end)
        .map(|(i, _)| i)
        .collect();
    if !touching.is_empty() {
        return touching;
    }
    let next = encs.iter().position(|e| e.span.start >= span.start);
    next.or(encs.len().checked_sub(1)).into_iter().collect()
}

/// The billing edits of some encounters (all when `None`).
fn billing_edits(snap: &Snapshot, only: Option<&[usize]>) -> Vec<Edit> {
    let Some(a) = snap.analysis() else {
        return Vec::new();
    };
    a.note
        .encounters
        .iter()
        .zip(&a.claims)
        .enumerate()
        .filter(|(i, _)| only.is_none_or(|o| o.contains(i)))
        .filter_map(|(_, (e, c))| fix::billing_edit(&snap.text, e, c))
        .collect()
}

fn action(
    snap: &Snapshot,
    title: &str,
    kind: &'static str,
    edits: Vec<Edit>,
    info: &ClientInfo,
) -> CodeActionOrCommand {
    let edits = edits.iter().map(|e| text_edit(snap, e)).collect();
    CodeActionOrCommand::CodeAction(CodeAction {
        title: title.to_string(),
        kind: Some(CodeActionKind::new(kind)),
        edit: Some(workspace_edit(snap, edits, info)),
        ..CodeAction::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(old: &str, new: &str) {
        let e = minimal_edit(old, new).expect("differs");
        assert_eq!(
            fix::apply(old, std::slice::from_ref(&e)).0,
            new,
            "{old:?} -> {new:?}"
        );
        // Nothing outside the edit changes, and the edit does not reach
        // over common text on either side more than a character or a
        // line break.
        assert!(e.span.start <= old.len() && e.span.end <= old.len());
    }

    #[test]
    fn minimal_edits() {
        assert_eq!(minimal_edit("same", "same"), None);
        assert_eq!(
            minimal_edit("- 11602\n", "- 11603\n"),
            Some(Edit::new(Span::new(6, 7), "3"))
        );
        check("a × b", "a µ b");
        check("ab", "a😀b");
        check("é", "è");
        check("x\r\ny", "x\ry");
        check("x\ry", "x\r\ny");
        check("aaa", "aa");
        check("", "new");
        check("old", "");
        // Never inside `\r\n`: the edit starts before the `\r`.
        let e = minimal_edit("a\r\nb", "a\rb").unwrap();
        assert_eq!(e.span, Span::new(1, 3));
    }

    #[test]
    fn kinds() {
        let only = [CodeActionKind::SOURCE];
        assert!(wanted(Some(&only), INSERT_BILLING));
        assert!(wanted(Some(&only), FIX_ALL));
        assert!(!wanted(Some(&only), "quickfix"));
        assert!(wanted(Some(&[CodeActionKind::SOURCE_FIX_ALL]), FIX_ALL));
        assert!(!wanted(Some(&[CodeActionKind::new("source.fix")]), FIX_ALL));
        assert!(wanted(None, "quickfix"));
    }

    #[test]
    fn command_arguments() {
        let args = [Value::from("file:///a.derm"), Value::from(2)];
        assert_eq!(command_args(&args).map(|a| a.1), Some(Some(2)));
        assert_eq!(command_args(&args[..1]).map(|a| a.1), Some(None));
        assert_eq!(command_args(&[Value::from(3)]), None);
    }
}
