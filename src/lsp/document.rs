//! Open documents: each a rope and its version, changed synchronously under
//! a `std::sync::Mutex` (never held across an `.await`), and the analysis of
//! one version, cached.
//!
//! tower-lsp-server runs up to four handlers at once, but starts them in
//! arrival order; a handler that applies its change before its first
//! `.await` therefore applies changes in the order the client sent them.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use ropey::Rope;
use tower_lsp_server::lsp_types::{TextDocumentContentChangeEvent, Uri};

use super::config::Config;
use super::diagnostics::Kept;
use super::log::{self, debug, warning};
use super::pos::{self, Encoding};
use super::spare;
use crate::analysis::Analysis;
use crate::incremental::{Incremental, Pending, Run};

/// Documents above this size get one `note/too-large` diagnostic instead of
/// an analysis. An encounter note is a few kilobytes.
pub const SIZE_LIMIT: usize = 8 * 1024 * 1024;

/// What analysing one version gave.
pub enum Outcome {
    /// Shared with the document's [`Incremental`], which takes it apart
    /// for the next version once no one holds it.
    Analysed(Arc<Analysis>),
    /// Above [`SIZE_LIMIT`].
    TooLarge,
    /// The analysis panicked (logged once by the panic hook); the client
    /// keeps the last good diagnostics.
    Failed,
}

/// One version of a document with its analysis under one configuration.
pub struct Snapshot {
    pub uri: Uri,
    pub version: i32,
    pub rope: Rope,
    pub text: Arc<String>,
    pub config: Arc<Config>,
    pub encoding: Encoding,
    pub outcome: Outcome,
    /// Each encounter's findings: an id while they stay the same, and how
    /// many (`Incremental::runs`).
    pub runs: Vec<Run>,
    /// The document's diagnostics kept by those ids.
    pub kept: Arc<Mutex<Kept>>,
    /// What the analysis has not yet moved to its offsets in this version
    /// (`Incremental::analyze_unsettled`): only while the snapshot is
    /// handed to the `early` callback of [`Snapshot::analyse`], never once
    /// it is shared.
    pub pending: Option<Pending>,
}

impl Snapshot {
    /// Analyses the rope's text (catching a panic), from the analysis of
    /// the document's last version: only the encounters whose text changed
    /// are analysed again. `early` sees the snapshot before the spans of
    /// the encounters after the change are moved (`pending` says which):
    /// the server publishes its diagnostics there, which need none of them.
    #[allow(clippy::too_many_arguments)]
    pub fn analyse(
        uri: Uri,
        version: i32,
        rope: Rope,
        config: Arc<Config>,
        encoding: Encoding,
        incremental: &mut Incremental,
        kept: Arc<Mutex<Kept>>,
        early: &mut dyn FnMut(&Snapshot),
    ) -> Snapshot {
        let mut string = spare::text(rope.len_bytes());
        for chunk in rope.chunks() {
            string.push_str(chunk);
        }
        // Shared with the incremental analysis, which keeps it to compare
        // the next version with.
        let text = Arc::new(string);
        // The last version's text: once the analysis has moved on from it,
        // this is the last hold on it after a change (which dropped the
        // cached snapshot that shared it), and its string is kept for the
        // next keystroke ([`spare`]). Texts let go of elsewhere (a document
        // closed, or analysed afresh under new settings) are simply freed.
        let last = incremental.text().clone();
        let (outcome, pending) = if text.len() > SIZE_LIMIT {
            incremental.clear();
            (Outcome::TooLarge, None)
        } else {
            let started = std::time::Instant::now();
            match log::guard("analysis", || {
                incremental.analyze_unsettled(
                    config.generation,
                    text.clone(),
                    &config.table,
                    &config.options,
                )
            }) {
                Some((a, pending)) => {
                    let stats = incremental.stats();
                    debug!(
                        "analysed {} v{version}: {} bytes, {} of {} encounters, {} findings in {:?}",
                        log::doc(&uri),
                        text.len(),
                        stats.analysed,
                        stats.encounters,
                        a.findings.len(),
                        started.elapsed()
                    );
                    (Outcome::Analysed(a), pending)
                }
                None => {
                    // The panic hook has logged where; this says which
                    // document. What the analysis had taken apart is lost:
                    // the next version is analysed whole.
                    incremental.clear();
                    debug!(
                        "analysis of {} v{version} failed; keeping its last diagnostics",
                        log::doc(&uri)
                    );
                    (Outcome::Failed, None)
                }
            }
        };
        if let Ok(last) = Arc::try_unwrap(last) {
            spare::give_text(last);
        }
        let runs = match outcome {
            Outcome::Analysed(_) => incremental.runs().collect(),
            _ => Vec::new(),
        };
        let mut snap = Snapshot {
            uri,
            version,
            rope,
            text,
            config,
            encoding,
            outcome,
            runs,
            kept,
            pending,
        };
        early(&snap);
        if let Outcome::Analysed(a) = &mut snap.outcome {
            let pending = snap.pending.take();
            if log::guard("analysis", || incremental.settle(a, pending)).is_none() {
                // Nothing is kept for the next version; this one cannot be
                // trusted either.
                incremental.clear();
                snap.outcome = Outcome::Failed;
            }
        }
        snap
    }

    pub fn analysis(&self) -> Option<&Analysis> {
        match &self.outcome {
            Outcome::Analysed(a) => Some(a.as_ref()),
            _ => None,
        }
    }
}

struct Document {
    rope: Rope,
    version: i32,
    cache: Option<Arc<Snapshot>>,
    /// The analyses of its versions, each from the one before; locked
    /// while one is computed (never while `Documents`' map is).
    incremental: Arc<Mutex<Incremental>>,
    /// Its diagnostics, kept by encounter.
    kept: Arc<Mutex<Kept>>,
    /// When its analysis was last stored (a tick of `Documents::clock`);
    /// 0 while it holds none.
    used: u64,
}

/// How many documents keep their analysis (the cached snapshot, the
/// incremental state and the kept diagnostics) once it is stored: the most
/// recently analysed ones. An analysis takes about twenty times the text
/// it is of; a client that opens a thousand notes keeps only their text
/// here, and a note that is needed again is analysed whole (a few
/// kilobytes: well under a millisecond). Typing keeps its document among
/// these, so each keystroke analyses only the encounters it touched.
pub const HOT: usize = 4;

/// Why a change was not applied.
#[derive(Debug, PartialEq, Eq)]
pub enum Rejected {
    Unknown,
    /// The change's version is not newer than the document's.
    Stale {
        have: i32,
    },
}

/// The open documents.
#[derive(Default)]
pub struct Documents {
    map: Mutex<HashMap<Uri, Document>>,
    /// Ticks once per analysis stored.
    clock: AtomicU64,
}

impl Documents {
    fn lock(&self) -> MutexGuard<'_, HashMap<Uri, Document>> {
        // A panic while holding the lock leaves consistent data (every
        // mutation is a single insert or rope edit), so take it anyway.
        self.map.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn open(&self, uri: Uri, version: i32, text: &str) {
        self.lock().insert(
            uri,
            Document {
                rope: Rope::from_str(text),
                version,
                cache: None,
                incremental: Arc::default(),
                kept: Arc::default(),
                used: 0,
            },
        );
    }

    /// Applies a `didChange`'s changes in order, each against the text the
    /// previous one left; a change without a range replaces the whole text.
    pub fn change(
        &self,
        uri: &Uri,
        version: i32,
        changes: &[TextDocumentContentChangeEvent],
        enc: Encoding,
    ) -> Result<(), Rejected> {
        let mut map = self.lock();
        let doc = map.get_mut(uri).ok_or(Rejected::Unknown)?;
        if version <= doc.version {
            return Err(Rejected::Stale { have: doc.version });
        }
        for change in changes {
            apply(&mut doc.rope, change, enc);
        }
        doc.version = version;
        doc.cache = None;
        Ok(())
    }

    pub fn close(&self, uri: &Uri) -> bool {
        self.lock().remove(uri).is_some()
    }

    pub fn is_open(&self, uri: &Uri) -> bool {
        self.lock().contains_key(uri)
    }

    pub fn version(&self, uri: &Uri) -> Option<i32> {
        self.lock().get(uri).map(|d| d.version)
    }

    pub fn uris(&self) -> Vec<Uri> {
        self.lock().keys().cloned().collect()
    }

    /// The document's current rope and version, and its cached analysis
    /// when that is of this version and configuration generation.
    pub fn current(
        &self,
        uri: &Uri,
        generation: u64,
    ) -> Option<(Rope, i32, Option<Arc<Snapshot>>)> {
        let map = self.lock();
        let doc = map.get(uri)?;
        Some((doc.rope.clone(), doc.version, cached(doc, generation)))
    }

    /// The analysed snapshot of the document's current version under
    /// `config`: the cached one, or one analysed now from the analysis of
    /// the last version, and cached. One analysis of a document runs at a
    /// time; a caller that waited for another finds its result.
    pub fn snapshot(
        &self,
        uri: &Uri,
        config: &Arc<Config>,
        encoding: Encoding,
    ) -> Option<Arc<Snapshot>> {
        self.snapshot_then(uri, config, encoding, &mut |_| {})
    }

    /// [`Documents::snapshot`], giving the snapshot to `early` as soon as
    /// it can be: a new one before its analysis is settled and cached
    /// (see [`Snapshot::analyse`]), a cached one as it is. `early` is
    /// called once, unless the document is not open.
    pub fn snapshot_then(
        &self,
        uri: &Uri,
        config: &Arc<Config>,
        encoding: Encoding,
        early: &mut dyn FnMut(&Snapshot),
    ) -> Option<Arc<Snapshot>> {
        // `early` is called with the map unlocked: changes keep coming.
        let first = self.cached_or(uri, config.generation, |doc| {
            (doc.incremental.clone(), doc.kept.clone())
        })?;
        let (incremental, kept) = match first {
            Ok(s) => {
                early(&s);
                return Some(s);
            }
            Err(parts) => parts,
        };
        let mut incremental = incremental.lock().unwrap_or_else(|e| e.into_inner());
        let again = self.cached_or(uri, config.generation, |doc| {
            (doc.rope.clone(), doc.version)
        })?;
        let (rope, version) = match again {
            Ok(s) => {
                drop(incremental);
                early(&s);
                return Some(s);
            }
            Err(current) => current,
        };
        let snap = Arc::new(Snapshot::analyse(
            uri.clone(),
            version,
            rope,
            config.clone(),
            encoding,
            &mut incremental,
            kept,
            early,
        ));
        self.store(&snap);
        Some(snap)
    }

    /// The document's cached snapshot of its current version, or what
    /// `f` takes from the document to analyse it; `None` when it is not
    /// open.
    fn cached_or<T>(
        &self,
        uri: &Uri,
        generation: u64,
        f: impl FnOnce(&Document) -> T,
    ) -> Option<Result<Arc<Snapshot>, T>> {
        let map = self.lock();
        let doc = map.get(uri)?;
        Some(cached(doc, generation).ok_or_else(|| f(doc)))
    }

    /// Caches an analysis if the document is still at its version, and
    /// lets the documents analysed longest ago drop theirs, so that at most
    /// [`HOT`] hold one.
    pub fn store(&self, snapshot: &Arc<Snapshot>) {
        let mut map = self.lock();
        if let Some(doc) = map.get_mut(&snapshot.uri) {
            doc.used = self.clock.fetch_add(1, Ordering::Relaxed) + 1;
            if doc.version == snapshot.version {
                let newer = doc
                    .cache
                    .as_ref()
                    .is_some_and(|c| c.config.generation > snapshot.config.generation);
                if !newer {
                    doc.cache = Some(snapshot.clone());
                }
            }
        }
        if map.values().filter(|d| d.used > 0).count() <= HOT {
            return;
        }
        let mut hot: Vec<(u64, &Uri)> = map
            .iter()
            .filter(|(_, d)| d.used > 0)
            .map(|(u, d)| (d.used, u))
            .collect();
        hot.sort_unstable_by_key(|&(used, _)| std::cmp::Reverse(used));
        let cold: Vec<Uri> = hot[HOT..].iter().map(|(_, u)| (*u).clone()).collect();
        for uri in cold {
            if let Some(doc) = map.get_mut(&uri) {
                // An analysis of it still running holds the old ones and
                // stores its result as usual.
                doc.cache = None;
                doc.incremental = Arc::default();
                doc.kept = Arc::default();
                doc.used = 0;
            }
        }
    }

    /// How many documents hold an analysis.
    #[cfg(test)]
    fn holding(&self) -> usize {
        self.lock().values().filter(|d| d.used > 0).count()
    }
}

/// The document's cached analysis, when it is of its current version and
/// configuration generation.
fn cached(doc: &Document, generation: u64) -> Option<Arc<Snapshot>> {
    doc.cache
        .as_ref()
        .filter(|s| s.version == doc.version && s.config.generation == generation)
        .cloned()
}

/// Applies one content change to a rope. Positions are clamped and snapped
/// (`pos`), a reversed range is swapped.
pub fn apply(rope: &mut Rope, change: &TextDocumentContentChangeEvent, enc: Encoding) {
    let Some(range) = change.range else {
        *rope = Rope::from_str(&change.text);
        return;
    };
    let span = pos::span(rope, range, enc);
    let (Ok(start), Ok(end)) = (
        rope.try_byte_to_char(span.start),
        rope.try_byte_to_char(span.end),
    ) else {
        warning!("a change's range could not be applied; skipped");
        return;
    };
    if start < end && rope.try_remove(start..end).is_err() {
        warning!("a change's range could not be removed; skipped");
        return;
    }
    if !change.text.is_empty() && rope.try_insert(start, &change.text).is_err() {
        warning!("a change's text could not be inserted; skipped");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower_lsp_server::lsp_types::{Position, Range};

    fn edit(range: Option<((u32, u32), (u32, u32))>, text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: range
                .map(|((a, b), (c, d))| Range::new(Position::new(a, b), Position::new(c, d))),
            range_length: None,
            text: text.to_string(),
        }
    }

    #[test]
    fn changes_apply_in_order_against_the_previous_result() {
        let docs = Documents::default();
        let uri: Uri = "file:///n.derm".parse().unwrap();
        docs.open(uri.clone(), 1, "Size: 1 × 2 cm\r\nSite: arm");
        let changes = [
            // Replace `2` (UTF-16 column 10) with `3`.
            edit(Some(((0, 10), (0, 11))), "3"),
            // Insert at the end of the second line.
            edit(Some(((1, 9), (1, 9))), ", left 😀"),
            // Delete the emoji, given as a reversed range.
            edit(Some(((1, 18), (1, 16))), ""),
            // Past the end: appended.
            edit(Some(((9, 0), (9, 0))), "\n"),
        ];
        docs.change(&uri, 2, &changes, Encoding::Utf16).unwrap();
        let (rope, version, _) = docs.current(&uri, 0).unwrap();
        assert_eq!(version, 2);
        assert_eq!(rope.to_string(), "Size: 1 × 3 cm\r\nSite: arm, left \n");
        // Not newer: rejected, nothing applied.
        assert_eq!(
            docs.change(&uri, 2, &[edit(None, "x")], Encoding::Utf16),
            Err(Rejected::Stale { have: 2 })
        );
        // A change without a range replaces the text.
        docs.change(&uri, 3, &[edit(None, "new")], Encoding::Utf8)
            .unwrap();
        assert_eq!(docs.current(&uri, 0).unwrap().0.to_string(), "new");
        let other: Uri = "file:///other.derm".parse().unwrap();
        assert_eq!(
            docs.change(&other, 1, &[edit(None, "x")], Encoding::Utf8),
            Err(Rejected::Unknown)
        );
    }

    #[test]
    fn splitting_and_joining_crlf() {
        let mut rope = Rope::from_str("a\r\nb");
        // Insert between `\r` and `\n`: a position inside the line break
        // means the line's end, before `\r`.
        apply(
            &mut rope,
            &edit(Some(((0, 5), (0, 5))), "x"),
            Encoding::Utf8,
        );
        assert_eq!(rope.to_string(), "ax\r\nb");
        apply(&mut rope, &edit(Some(((0, 2), (1, 0))), ""), Encoding::Utf8);
        assert_eq!(rope.to_string(), "axb");
    }

    /// A thousand notes opened and analysed: only the last [`HOT`] keep
    /// their analysis; one that dropped it is analysed whole when it is
    /// needed again, and gives what it gave before.
    #[test]
    fn only_the_most_recently_analysed_documents_keep_their_analysis() {
        let docs = Documents::default();
        let config = Arc::new(Config::default());
        let uri = |k: usize| -> Uri { format!("file:///n/{k}.derm").parse().unwrap() };
        let text = "# Encounter 2026-01-02\n## Procedure\nShave biopsy, left arm, 0.6 cm.\n";
        let mut first = None;
        for k in 0..1000 {
            docs.open(uri(k), 1, text);
            let snap = docs.snapshot(&uri(k), &config, Encoding::Utf16).unwrap();
            first.get_or_insert_with(|| snap.analysis().unwrap().findings.clone());
            assert!(docs.holding() <= HOT);
        }
        assert_eq!(docs.holding(), HOT);
        let (_, _, cached) = docs.current(&uri(0), config.generation).unwrap();
        assert!(cached.is_none(), "the first note dropped its analysis");
        let again = docs.snapshot(&uri(0), &config, Encoding::Utf16).unwrap();
        assert_eq!(Some(&again.analysis().unwrap().findings), first.as_ref());
        assert!(
            docs.current(&uri(0), config.generation)
                .unwrap()
                .2
                .is_some()
        );
        assert!(
            docs.current(&uri(996), config.generation)
                .unwrap()
                .2
                .is_none()
        );
        assert_eq!(docs.holding(), HOT);
    }
}
