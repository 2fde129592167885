//! Findings as LSP diagnostics: `code`, `source: "dermls"`, the severity,
//! related information (the other half of a conflict) and, in `data`, the
//! rule's title and the finding's fix as text edits of the version the
//! diagnostic was published for, so a quick-fix needs no server state.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tower_lsp_server::lsp_types::{
    Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString,
    Position, Range, TextEdit, Uri,
};

use super::document::{Outcome, SIZE_LIMIT, Snapshot};
use super::pos;
use super::spare;
use crate::fix::Edit;
use crate::incremental::Pending;
use crate::rules::{Finding, Severity, registry};
use crate::shift::Shift;
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

/// The diagnostics of a snapshot, converted one by one; `None` when its
/// analysis failed. What [`notification`] publishes, as values.
#[cfg(test)]
pub fn diagnostics(snap: &Snapshot) -> Option<Vec<Diagnostic>> {
    match &snap.outcome {
        Outcome::Analysed(a) => Some(a.findings.iter().map(|f| diagnostic(snap, f)).collect()),
        Outcome::TooLarge => {
            let (mut d, data) = too_large(snap);
            d.data = serde_json::to_value(data).ok();
            Some(vec![d])
        }
        Outcome::Failed => None,
    }
}

/// A document's diagnostics of each encounter's findings, as the JSON they
/// are published as, with lines counted from the encounter's first line,
/// kept while those findings stay the same (`Incremental::runs` names
/// them): a change converts only the findings of the encounters it
/// touched, and the others are copied with their lines moved.
#[derive(Default)]
pub struct Kept {
    groups: Groups,
}

/// Each encounter's JSON by the id of its findings. The ids are numbers
/// the process hands out one by one, not input: they need no protection
/// from chosen collisions, so they are hashed with one multiplication
/// instead of SipHash (a keystroke in a large document looks up and
/// stores thousands).
type Groups = HashMap<u64, Arc<Json>, BuildHasherDefault<IdHasher>>;

/// Hashes a `u64` id by multiplying it by an odd constant (2^64 / φ): the
/// high bits, which the table takes its tags from, depend on every bit of
/// the id, and consecutive ids land far apart.
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `u64` keys are hashed; anything else is folded in a byte at
        // a time all the same.
        for &b in bytes {
            self.write_u64(u64::from(b) ^ self.0.rotate_left(8));
        }
    }

    fn write_u64(&mut self, id: u64) {
        self.0 = id.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// How a `publishDiagnostics` notification's body starts, up to its list.
const PUBLISH: &[u8] =
    br#"{"jsonrpc":"2.0","method":"textDocument/publishDiagnostics","params":{"diagnostics":"#;

/// The body of the `textDocument/publishDiagnostics` notification of a
/// snapshot; `None` when its analysis failed (the client keeps the last
/// ones). Equal, as JSON, to [`diagnostics`] sent by tower-lsp-server.
pub fn notification(snap: &Snapshot) -> Option<Vec<u8>> {
    let mut out = spare::body(PUBLISH.len() + 1024);
    out.extend_from_slice(PUBLISH);
    out.push(b'[');
    match &snap.outcome {
        Outcome::Analysed(a) => by_encounter(snap, a, &mut out),
        Outcome::TooLarge => {
            let (d, data) = too_large(snap);
            let mut json = Json::default();
            json.diagnostic(&d, Some(&data));
            json.fill(&mut out, 0, snap.version);
        }
        Outcome::Failed => return None,
    }
    out.extend_from_slice(br#"],"uri":"#);
    write_string(&mut out, snap.uri.as_str());
    out.extend_from_slice(br#","version":"#);
    out.extend_from_slice(itoa::Buffer::new().format(snap.version).as_bytes());
    out.extend_from_slice(b"}}");
    Some(out)
}

/// The body of the notification that clears a closed document's
/// diagnostics.
pub fn clear_notification(uri: &Uri) -> Vec<u8> {
    let mut out = PUBLISH.to_vec();
    out.extend_from_slice(br#"[],"uri":"#);
    write_string(&mut out, uri.as_str());
    out.extend_from_slice(b"}}");
    out
}

/// Writes the diagnostics of an analysis, an encounter at a time: the kept
/// JSON of an encounter whose findings did not change, with its lines
/// moved to the encounter's line and the version filled in; the others
/// converted (and kept for the next version).
fn by_encounter(snap: &Snapshot, a: &crate::analysis::Analysis, out: &mut Vec<u8>) {
    let runs = &snap.runs;
    let settled = |i, f| settled(snap.pending, i, f);
    if runs.len() != a.note.encounters.len()
        || runs.iter().map(|r| r.findings).sum::<usize>() != a.findings.len()
    {
        let mut json = Json::default();
        for (i, f) in a.findings.iter().enumerate() {
            json.separate();
            let (d, data) = diagnostic_and_data(snap, &settled(i, f));
            json.diagnostic(&d, Some(&data));
        }
        json.fill(out, 0, snap.version);
        return;
    }
    let mut kept = snap.kept.lock().unwrap_or_else(|e| e.into_inner());
    // Room for what the kept groups write, so the body is not copied as it
    // grows.
    out.reserve(kept.groups.values().map(|g| g.len()).sum::<usize>() + 1024);
    let mut groups = Groups::with_capacity_and_hasher(kept.groups.len(), Default::default());
    let mut at = 0;
    let mut first = true;
    // Each encounter's first line: the line of the first, then each
    // encounter's line count (its chunks follow each other), so neither
    // the text nor the encounters are read again.
    let mut line = a.note.encounters.first().map_or(0, |e| {
        let start = match snap.pending {
            Some(p) if p.encounter == 0 => e.span.start.wrapping_add_signed(p.delta),
            _ => e.span.start,
        };
        snap.rope.try_byte_to_line(start).unwrap_or(0)
    });
    for run in runs {
        let first_line = u32::try_from(line).unwrap_or(u32::MAX);
        line += run.lines;
        let (id, n) = (run.id, run.findings);
        if n == 0 {
            continue;
        }
        // Moved past whether or not the group is kept, so the next
        // encounter starts at its own findings (the sum was checked above).
        let (run, from) = (&a.findings[at..at + n], at);
        at += n;
        let group = kept.groups.remove(&id).unwrap_or_else(|| {
            let mut json = Json::default();
            for (j, f) in run.iter().enumerate() {
                json.separate();
                let (mut d, data) = diagnostic_and_data(snap, &settled(from + j, f));
                move_lines(&mut d, first_line);
                let mut data = data;
                if let Some(fix) = &mut data.fix {
                    for e in &mut fix.edits {
                        move_range(&mut e.range, first_line);
                    }
                }
                json.diagnostic(&d, Some(&data));
            }
            // Kept for as long as the encounter's findings stay the same.
            json.text.shrink_to_fit();
            json.holes.shrink_to_fit();
            Arc::new(json)
        });
        if !first {
            out.push(b',');
        }
        first = false;
        group.fill(out, first_line, snap.version);
        groups.insert(id, group);
    }
    kept.groups = groups;
}

/// The analysis's `i`th finding as it is in this version: one the analysis
/// has not moved yet (`Snapshot::pending`) is moved here, a copy.
fn settled(pending: Option<Pending>, i: usize, f: &Finding) -> Cow<'_, Finding> {
    match pending {
        Some(p) if i >= p.finding => {
            let mut f = f.clone();
            f.shift(p.delta);
            Cow::Owned(f)
        }
        _ => Cow::Borrowed(f),
    }
}

/// Moves every line of a diagnostic (its range and related ranges) up by
/// `by` lines: lines counted from the encounter's first line. A line above
/// it (a related range in an earlier encounter) stays as it was, marked
/// by [`ABSOLUTE`].
fn move_lines(d: &mut Diagnostic, by: u32) {
    move_range(&mut d.range, by);
    for r in d.related_information.iter_mut().flatten() {
        move_range(&mut r.location.range, by);
    }
}

/// Lines at or above this are not counted from the encounter but from the
/// document's start (`line - ABSOLUTE`): above any line a document under
/// [`SIZE_LIMIT`] has.
const ABSOLUTE: u32 = 1 << 31;

fn move_range(r: &mut Range, by: u32) {
    for l in [&mut r.start.line, &mut r.end.line] {
        *l = if *l >= by { *l - by } else { *l | ABSOLUTE };
    }
}

/// Diagnostics as JSON text with holes where the numbers that change from
/// one version to the next go: the lines (counted from an encounter's
/// first line) and the document version. [`Json::fill`] writes it out with
/// the holes filled.
#[derive(Default, Debug)]
pub struct Json {
    text: Vec<u8>,
    /// Where each hole is in `text`, in order.
    holes: Vec<(usize, Hole)>,
}

#[derive(Clone, Copy, Debug)]
enum Hole {
    Line(u32),
    Version,
}

impl Json {
    fn raw(&mut self, s: &str) {
        self.text.extend_from_slice(s.as_bytes());
    }

    fn string(&mut self, s: &str) {
        write_string(&mut self.text, s);
    }

    fn number(&mut self, n: u32) {
        self.text
            .extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
    }

    /// A number that [`Json::fill`] writes, here.
    fn hole(&mut self, hole: Hole) {
        self.holes.push((self.text.len(), hole));
    }

    /// A comma before every diagnostic but the first.
    fn separate(&mut self) {
        if !self.text.is_empty() {
            self.raw(",");
        }
    }

    /// A position as `lsp_types::Position` serializes.
    fn position(&mut self, p: Position) {
        self.raw(r#"{"line":"#);
        self.hole(Hole::Line(p.line));
        self.raw(r#","character":"#);
        self.number(p.character);
        self.raw("}");
    }

    fn range(&mut self, r: Range) {
        self.raw(r#"{"start":"#);
        self.position(r.start);
        self.raw(r#","end":"#);
        self.position(r.end);
        self.raw("}");
    }

    /// A position as a `serde_json::Value` serializes (keys sorted).
    fn value_position(&mut self, p: Position) {
        self.raw(r#"{"character":"#);
        self.number(p.character);
        self.raw(r#","line":"#);
        self.hole(Hole::Line(p.line));
        self.raw("}");
    }

    /// A diagnostic as `serde_json::to_vec(&Diagnostic)` writes it, its
    /// `data` (keys sorted, as a `serde_json::Value`) from `data`.
    fn diagnostic(&mut self, d: &Diagnostic, data: Option<&Data>) {
        self.raw(r#"{"range":"#);
        self.range(d.range);
        if let Some(s) = d.severity {
            self.raw(r#","severity":"#);
            let n = [
                DiagnosticSeverity::ERROR,
                DiagnosticSeverity::WARNING,
                DiagnosticSeverity::INFORMATION,
                DiagnosticSeverity::HINT,
            ]
            .iter()
            .position(|x| *x == s)
            .map_or(3, |i| i + 1);
            self.number(n as u32);
        }
        if let Some(NumberOrString::String(code)) = &d.code {
            self.raw(r#","code":"#);
            self.string(code);
        }
        if let Some(source) = &d.source {
            self.raw(r#","source":"#);
            self.string(source);
        }
        self.raw(r#","message":"#);
        self.string(&d.message);
        if let Some(related) = &d.related_information {
            self.raw(r#","relatedInformation":["#);
            for (i, r) in related.iter().enumerate() {
                if i > 0 {
                    self.raw(",");
                }
                self.raw(r#"{"location":{"uri":"#);
                self.string(r.location.uri.as_str());
                self.raw(r#","range":"#);
                self.range(r.location.range);
                self.raw(r#"},"message":"#);
                self.string(&r.message);
                self.raw("}");
            }
            self.raw("]");
        }
        if let Some(data) = data {
            self.raw(r#","data":{"#);
            if let Some(fix) = &data.fix {
                self.raw(r#""fix":{"edits":["#);
                for (i, e) in fix.edits.iter().enumerate() {
                    if i > 0 {
                        self.raw(",");
                    }
                    self.raw(r#"{"newText":"#);
                    self.string(&e.new_text);
                    self.raw(r#","range":{"end":"#);
                    self.value_position(e.range.end);
                    self.raw(r#","start":"#);
                    self.value_position(e.range.start);
                    self.raw("}}");
                }
                self.raw(r#"],"title":"#);
                self.string(&fix.title);
                self.raw("},");
            }
            self.raw(r#""title":"#);
            self.string(&data.title);
            self.raw(r#","version":"#);
            self.hole(Hole::Version);
            self.raw("}");
        }
        self.raw("}");
    }

    /// About how many bytes [`Json::fill`] writes.
    fn len(&self) -> usize {
        self.text.len() + 6 * self.holes.len()
    }

    /// Writes the text to `out` with each line moved down by `first_line`
    /// (a line marked [`ABSOLUTE`] as it is) and the version filled in.
    fn fill(&self, out: &mut Vec<u8>, first_line: u32, version: i32) {
        let mut buf = itoa::Buffer::new();
        let mut at = 0;
        out.reserve(self.len());
        for &(hole, what) in &self.holes {
            out.extend_from_slice(&self.text[at..hole]);
            let n = match what {
                Hole::Line(l) if l & ABSOLUTE != 0 => buf.format(l & !ABSOLUTE),
                Hole::Line(l) => buf.format(l.saturating_add(first_line)),
                Hole::Version => buf.format(version),
            };
            out.extend_from_slice(n.as_bytes());
            at = hole;
        }
        out.extend_from_slice(&self.text[at..]);
    }
}

/// A JSON string, escaped as `serde_json` escapes it.
fn write_string(out: &mut Vec<u8>, s: &str) {
    // Writing to a Vec cannot fail, nor can serializing a str.
    let _ = serde_json::to_writer(&mut *out, s);
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

#[cfg(test)]
fn diagnostic(snap: &Snapshot, f: &Finding) -> Diagnostic {
    let (mut d, data) = diagnostic_and_data(snap, f);
    d.data = serde_json::to_value(data).ok();
    d
}

/// A finding as a diagnostic without its `data`, and that data.
fn diagnostic_and_data(snap: &Snapshot, f: &Finding) -> (Diagnostic, Data) {
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
    let d = Diagnostic {
        range: range(snap, f.span),
        severity: Some(severity(f.severity)),
        code: Some(NumberOrString::String(f.code.to_string())),
        code_description: None,
        source: Some(SOURCE.to_string()),
        message: f.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    };
    (d, data)
}

/// The one diagnostic of a document above [`SIZE_LIMIT`], without its
/// `data`, and that data.
fn too_large(snap: &Snapshot) -> (Diagnostic, Data) {
    let rule = registry::rule(TOO_LARGE);
    let first_line =
        pos::line_content(&snap.rope, 0).map_or(Span::default(), |(s, e)| Span::new(s, e));
    let data = Data {
        title: rule.map(|r| r.title.to_string()).unwrap_or_default(),
        version: snap.version,
        fix: None,
    };
    let d = Diagnostic {
        range: range(snap, first_line),
        severity: Some(severity(rule.map_or(Severity::Info, |r| r.severity))),
        code: Some(NumberOrString::String(TOO_LARGE.to_string())),
        source: Some(SOURCE.to_string()),
        message: format!(
            "This document is {} bytes, above the {} MiB limit: it is not analysed. Split it into one note per visit.",
            snap.text.len(),
            SIZE_LIMIT / (1024 * 1024)
        ),
        ..Diagnostic::default()
    };
    (d, data)
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
    use serde_json::Value;

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
            &mut |_| {},
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

    /// The notification as tower-lsp-server would write it: the
    /// diagnostics converted one by one, as values.
    fn expected(snap: &Snapshot) -> Value {
        serde_json::json!({
            "jsonrpc": "2.0",
            "method": "textDocument/publishDiagnostics",
            "params": {
                "diagnostics": diagnostics(snap).unwrap(),
                "uri": snap.uri.as_str(),
                "version": snap.version,
            }
        })
    }

    /// The JSON written from kept encounters, with their lines moved and
    /// the version filled in, is the JSON of converting every finding
    /// again: on every test note, as it is opened and as it is edited
    /// (lines added and removed above, inside and below encounters),
    /// in UTF-8 and UTF-16, written before the analysis is settled as the
    /// server writes it, with each encounter's JSON kept and not.
    #[test]
    fn the_notification_equals_converting_every_finding() {
        use crate::lsp::document::Documents;
        use tower_lsp_server::lsp_types::TextDocumentContentChangeEvent;
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests");
        let mut paths = Vec::new();
        for sub in ["notes", "examples", "variants"] {
            for e in std::fs::read_dir(format!("{dir}/{sub}")).unwrap() {
                let p = e.unwrap().path();
                if p.extension().is_some_and(|x| x == "derm") {
                    paths.push(p);
                }
            }
        }
        paths.sort();
        assert!(paths.len() > 100, "{} notes", paths.len());
        let config = Arc::new(Config::default());
        let (mut compared, mut unsettled) = (0, 0);
        for path in &paths {
            let text = std::fs::read_to_string(path).unwrap();
            let lines = text.lines().count() as u32;
            for encoding in [Encoding::Utf8, Encoding::Utf16] {
                let docs = Documents::default();
                let uri: Uri = "file:///n%20o.derm".parse().unwrap();
                docs.open(uri.clone(), 1, &text);
                let edits = [
                    (0, "\n"),
                    (lines / 2, "Site: left 😀 cheek\n"),
                    (lines / 3, ""),
                    (lines, "\n# Encounter 2026-01-02\n"),
                    (1, ""),
                ];
                for (version, (line, new)) in (1..).zip(std::iter::once((0, "")).chain(edits)) {
                    if version > 1 {
                        let at = Position::new(line, 0);
                        let end = if new.is_empty() {
                            Position::new(line + 1, 0)
                        } else {
                            at
                        };
                        let change = TextDocumentContentChangeEvent {
                            range: Some(Range::new(at, end)),
                            range_length: None,
                            text: new.to_string(),
                        };
                        docs.change(&uri, version, &[change], encoding).unwrap();
                    }
                    // Written as the server writes them, before the analysis
                    // is settled: from nothing kept, then from what is kept.
                    let mut written = Vec::new();
                    let snap = docs
                        .snapshot_then(&uri, &config, encoding, &mut |snap| {
                            unsettled += usize::from(snap.pending.is_some());
                            let kept = std::mem::take(&mut *snap.kept.lock().unwrap());
                            written.push(notification(snap).unwrap());
                            *snap.kept.lock().unwrap() = kept;
                            written.push(notification(snap).unwrap());
                        })
                        .unwrap();
                    assert!(snap.pending.is_none());
                    assert_eq!(written.len(), 2);
                    for body in written {
                        let published: Value = serde_json::from_slice(&body).unwrap();
                        assert_eq!(
                            published,
                            expected(&snap),
                            "{} v{version} {encoding:?}",
                            path.display()
                        );
                    }
                    compared += 1;
                }
            }
        }
        assert_eq!(compared, paths.len() * 12);
        // Edits above later encounters (in the notes with several): many
        // versions were written with their spans not yet moved.
        assert!(unsettled >= paths.len(), "{unsettled} of {compared}");
    }

    /// Consecutive ids hash to distinct values whose top seven bits (the
    /// table's tags) take many values.
    #[test]
    fn ids_hash_apart() {
        let hash = |id: u64| {
            let mut h = IdHasher::default();
            h.write_u64(id);
            h.finish()
        };
        let hashes: std::collections::HashSet<u64> = (1..10_000).map(hash).collect();
        assert_eq!(hashes.len(), 9_999);
        let tags: std::collections::HashSet<u64> = (1..1_000).map(|i| hash(i) >> 57).collect();
        assert_eq!(tags.len(), 128);
    }

    #[test]
    fn a_document_too_large_and_a_closed_one() {
        let text = "x".repeat(SIZE_LIMIT + 1);
        let snap = Snapshot::analyse(
            "file:///big.derm".parse().unwrap(),
            3,
            Rope::from_str(&text),
            Arc::new(Config::default()),
            Encoding::Utf16,
            &mut crate::incremental::Incremental::new(),
            Arc::default(),
            &mut |_| {},
        );
        let published: Value = serde_json::from_slice(&notification(&snap).unwrap()).unwrap();
        assert_eq!(published, expected(&snap));
        let uri: Uri = "file:///closed.derm".parse().unwrap();
        expect![[r#"{"jsonrpc":"2.0","method":"textDocument/publishDiagnostics","params":{"diagnostics":[],"uri":"file:///closed.derm"}}"#]]
            .assert_eq(std::str::from_utf8(&clear_notification(&uri)).unwrap());
    }

    #[test]
    fn encounters_count_their_lines_as_the_rope_counts_them() {
        let text = "\n\r\n# Encounter 1\r\nSite: arm\r## Procedure\n\nx\r\r\n\
                    # Encounter 2\n## Billing\r\n- 11102\n\n# Encounter 3\r# Encounter 4";
        let rope = Rope::from_str(text);
        let note = crate::note::Note::parse(text);
        assert_eq!(note.encounters.len(), 4);
        let mut line = rope.byte_to_line(note.encounters[0].span.start);
        for e in &note.encounters {
            assert_eq!(line, rope.byte_to_line(e.span.start), "{:?}", e.heading);
            line += e.line_count();
        }
        assert_eq!(line, rope.len_lines());
    }
}
