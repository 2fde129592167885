//! For the property tests and fuzz targets: the document store's edit
//! application and position conversion behind plain types, and a reference
//! model of both written on a `String`, independently of ropey, to compare
//! them with. Not part of the API.

use ropey::Rope;
use tower_lsp_server::lsp_types::{Position, Range, TextDocumentContentChangeEvent};

use super::document::Documents;
use super::pos::{self, Encoding};

/// A change: a range as `[start line, start character, end line, end
/// character]` (or the whole text), and the new text.
pub type Change = (Option<[u32; 4]>, String);

fn encoding(utf8: bool) -> Encoding {
    if utf8 {
        Encoding::Utf8
    } else {
        Encoding::Utf16
    }
}

fn event((range, text): &Change) -> TextDocumentContentChangeEvent {
    TextDocumentContentChangeEvent {
        range: range.map(|[a, b, c, d]| Range::new(Position::new(a, b), Position::new(c, d))),
        range_length: None,
        text: text.clone(),
    }
}

/// Opens `text` in a document store, applies each batch of changes as one
/// `didChange` (versions 2, 3, …), and returns the text it holds.
pub fn store_apply(text: &str, batches: &[Vec<Change>], utf8: bool) -> String {
    let docs = Documents::default();
    let uri: tower_lsp_server::lsp_types::Uri = "file:///fuzz.derm".parse().expect("uri");
    docs.open(uri.clone(), 1, text);
    for (i, batch) in batches.iter().enumerate() {
        let events: Vec<_> = batch.iter().map(event).collect();
        let version = i32::try_from(i).unwrap_or(i32::MAX - 2) + 2;
        let _ = docs.change(&uri, version, &events, encoding(utf8));
    }
    docs.current(&uri, 0)
        .map(|(rope, _, _)| rope.to_string())
        .unwrap_or_default()
}

/// The position of a byte offset and the offset that position maps back to.
pub fn round_trip(text: &str, offset: usize, utf8: bool) -> ((u32, u32), usize) {
    let rope = Rope::from_str(text);
    let p = pos::position(&rope, offset, encoding(utf8));
    ((p.line, p.character), pos::offset(&rope, p, encoding(utf8)))
}

/// Applies one change to a rope-less copy of the text, as the reference.
pub fn model_apply(text: &str, change: &Change, utf8: bool) -> String {
    let Some([a, b, c, d]) = change.0 else {
        return change.1.clone();
    };
    let x = model_offset(text, a, b, utf8);
    let y = model_offset(text, c, d, utf8);
    let (start, end) = (x.min(y), x.max(y));
    let mut out = String::with_capacity(text.len() + change.1.len());
    out.push_str(&text[..start]);
    out.push_str(&change.1);
    out.push_str(&text[end..]);
    out
}

/// Each line's content as a byte range (without its line break); a text
/// ending in a line break has an empty last line.
pub fn model_lines(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut lines = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                lines.push((start, i));
                start = i + 1;
            }
            b'\r' => {
                lines.push((start, i));
                if bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    lines.push((start, bytes.len()));
    lines
}

/// The offset of a position: past the last line, the end; past the line's
/// content, its end; inside a character, that character's start.
pub fn model_offset(text: &str, line: u32, character: u32, utf8: bool) -> usize {
    let lines = model_lines(text);
    let Some(&(start, end)) = lines.get(line as usize) else {
        return text.len();
    };
    let mut units = 0usize;
    for (i, ch) in text[start..end].char_indices() {
        let width = if utf8 { ch.len_utf8() } else { ch.len_utf16() };
        if (character as usize) < units + width {
            return start + i;
        }
        units += width;
    }
    end
}

/// One document as the server holds it, for the keystroke benchmark: a
/// change goes in as a `didChange` does (applied to the document store),
/// and out come the diagnostics the server would publish for the new
/// version (the incremental analysis, then the conversion to LSP
/// diagnostics), without the protocol around them.
pub struct Editor {
    docs: Documents,
    config: std::sync::Arc<super::config::Config>,
    uri: tower_lsp_server::lsp_types::Uri,
    version: i32,
}

impl Editor {
    /// Opens `text` and analyses it once.
    pub fn open(text: &str) -> Editor {
        let docs = Documents::default();
        let uri: tower_lsp_server::lsp_types::Uri = "file:///bench.derm".parse().expect("uri");
        docs.open(uri.clone(), 1, text);
        let mut e = Editor {
            docs,
            config: std::sync::Arc::default(),
            uri,
            version: 1,
        };
        e.diagnostics();
        e
    }

    /// Applies one change (UTF-16 positions) as the next version; returns
    /// the diagnostics the server would publish for it (dropped by the
    /// caller, as the server drops them once sent).
    pub fn change(&mut self, change: &Change) -> Published {
        self.version += 1;
        let _ = self
            .docs
            .change(&self.uri, self.version, &[event(change)], Encoding::Utf16);
        self.diagnostics()
    }

    /// The notification as the server writes it: from the snapshot before
    /// its analysis is settled, as the server publishes.
    fn diagnostics(&mut self) -> Published {
        let mut published = None;
        self.docs
            .snapshot_then(&self.uri, &self.config, Encoding::Utf16, &mut |snap| {
                let count = snap.analysis().map_or(1, |a| a.findings.len());
                let body = super::diagnostics::notification(snap).unwrap_or_default();
                published = Some(Published(body, count, std::time::Instant::now()));
            })
            .expect("open");
        published.expect("published")
    }
}

/// The diagnostics of one version as the server would publish them: the
/// body of the `publishDiagnostics` notification, how many there are, and
/// when it was written.
pub struct Published(Vec<u8>, usize, std::time::Instant);

impl Published {
    pub fn len(&self) -> usize {
        self.1
    }

    pub fn is_empty(&self) -> bool {
        self.1 == 0
    }

    /// When the notification was written: the server would send it then,
    /// and settle the analysis (move the spans after the change) after.
    pub fn written(&self) -> std::time::Instant {
        self.2
    }

    /// The notification as a JSON value.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.0).unwrap_or_default()
    }
}
