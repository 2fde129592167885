//! Folding ranges: each encounter and each section, from its heading to its
//! last non-blank line.

use tower_lsp_server::lsp_types::{FoldingRange, FoldingRangeKind};

use super::document::Snapshot;
use super::pos;
use crate::span::Span;

pub fn ranges(snap: &Snapshot) -> Option<Vec<FoldingRange>> {
    let a = snap.analysis()?;
    let text = snap.text.as_str();
    let mut out = Vec::new();
    let mut add = |span: Span| {
        let end = span.start + span.text(text).trim_end().len();
        let start_line = pos::position(&snap.rope, span.start, snap.encoding).line;
        let end_line = pos::position(&snap.rope, end, snap.encoding).line;
        if end_line > start_line {
            out.push(FoldingRange {
                start_line,
                start_character: None,
                end_line,
                end_character: None,
                kind: Some(FoldingRangeKind::Region),
                collapsed_text: None,
            });
        }
    };
    for enc in &a.note.encounters {
        if enc.heading.is_some() {
            add(enc.span);
        }
        for s in &enc.sections {
            add(s.span);
        }
    }
    Some(out)
}
