//! Incremental analysis: each version of a text analysed from the previous
//! one, re-analysing only the encounters whose text changed.
//!
//! An encounter's syntax, facts, claim (without looking back) and findings
//! depend on its own text alone (see the invariants in `ARCHITECTURE.md`),
//! so they are kept from one version to the next, keyed by the encounter's
//! text (its chunk, line ends included), with the offset they were
//! computed at. A new version is split at its encounter headings
//! (`note::encounter_chunks`, one `memchr` pass); an encounter whose text is
//! unchanged takes its old part, every span moved to its new offset
//! (`shift`); the others are parsed, extracted and derived again. Then the
//! only thing that crosses encounters, the modifier-58 chain through
//! `PriorEncounter` summaries, is redone from the summaries: a claim that
//! looks back (`claim::uses_prior`) is derived again when the encounters
//! before it changed, and its findings are checked again when its claim did.
//! The result is exactly what `analysis::analyze` gives for the whole text.
//! It can be had in two steps (`analyze_unsettled`, then `settle`), the
//! encounters after the change moved only in the second: the server
//! publishes its diagnostics in between, since it keeps them per encounter
//! and they need none of those spans.
//!
//! Two things outside an encounter's text reach into its findings and are
//! part of the cache's key: whether it starts the text, and the text's line
//! ending (the first one; fixes write it). The configuration is the rest of
//! the key: a new generation or other options empty the cache.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::ops::Range;
use std::sync::Arc;

use rayon::prelude::*;

use crate::analysis::{self, Analysis, Options};
use crate::codes::CodeTable;
use crate::extract::{self, EncounterFacts};
use crate::fix::line_ending;
use crate::note::{self, Chunk, Encounter, Note};
use crate::rules::Finding;
use crate::rules::claim::{self, EncounterClaim, PriorEncounter};
use crate::shift::{Shift, delta};

/// The analyses of a text's versions, each computed from the one before.
#[derive(Default)]
pub struct Incremental {
    /// The configuration generation and options the cache holds results
    /// for.
    config: Option<(u64, Options)>,
    /// The line ending of the text last analysed (fix edits write it).
    eol: &'static str,
    /// The text last analysed (shared with the caller that gave it).
    text: Arc<String>,
    /// Its analysis: handed out shared, and taken apart for the next
    /// version (copied first if someone still holds it).
    analysis: Option<Arc<Analysis>>,
    /// One per encounter of `analysis`, in order.
    slots: Vec<Slot>,
    /// The summary each encounter leaves for later ones, in order.
    summaries: Vec<PriorEncounter>,
    stats: Stats,
}

/// What the last call did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub encounters: usize,
    /// Encounters whose part was kept (their spans moved).
    pub reused: usize,
    /// Encounters parsed, extracted and derived again.
    pub analysed: usize,
    /// Kept encounters whose claim was derived again because the
    /// encounters before them changed.
    pub rederived: usize,
}

/// What an analysis handed out by [`Incremental::analyze_unsettled`] has
/// not yet moved: its encounters from `encounter` on (their syntax, facts
/// and claims) and its findings from `finding` on are still at the last
/// version's offsets, `delta` bytes before (or after) where they are now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pending {
    pub encounter: usize,
    pub finding: usize,
    pub delta: isize,
}

/// From how many encounters to move the parts of an analysis in parallel.
const PARALLEL_SHIFT: usize = 256;

/// One encounter of the last version.
#[derive(Clone, Copy, Debug)]
struct Slot {
    chunk: Chunk,
    /// The hash of its text.
    hash: u64,
    /// How many findings it has (each encounter's findings are a run of
    /// the analysis's findings).
    findings: usize,
    /// Names its findings while they stay the same (moved with the text).
    id: u64,
    /// How many lines its text has (`Encounter::line_count`).
    lines: usize,
}

/// What [`Incremental::runs`] gives for an encounter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Run {
    /// Names its findings while they stay the same.
    pub id: u64,
    /// How many findings it has.
    pub findings: usize,
    /// How many lines its text has.
    pub lines: usize,
}

/// A new id for an encounter's findings: unique in the process.
fn new_id() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// One encounter of the changed stretch of the text.
struct Part {
    encounter: Encounter,
    facts: EncounterFacts,
    claim: EncounterClaim,
    /// `None` while its findings are to be checked.
    findings: Option<Vec<Finding>>,
    summary: PriorEncounter,
    /// Kept from the last version (else analysed now).
    kept: bool,
    /// The id of its findings when they are kept too.
    id: Option<u64>,
}

/// The last version's parts of the changed stretch, each taken at most
/// once.
type Taken = Option<(Encounter, EncounterFacts, EncounterClaim, Vec<Finding>)>;

impl Incremental {
    pub fn new() -> Incremental {
        Incremental::default()
    }

    /// Forgets everything: the next call analyses every encounter.
    pub fn clear(&mut self) {
        *self = Incremental::default();
    }

    /// The text last analysed, shared (an empty one before the first).
    pub fn text(&self) -> &Arc<String> {
        &self.text
    }

    /// What the last call to [`Incremental::analyze`] did.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// For each encounter of the last analysis, in order: an id for its
    /// findings, which stays the same from one version to the next while
    /// they do (moved with the text, relative to the encounter's start),
    /// and how many they are (each encounter's findings are a run of the
    /// analysis's findings, in this order), and how many lines its text
    /// has. Lets a caller keep what it derives from an encounter's
    /// findings, and find each encounter's first line without reading the
    /// analysis.
    pub fn runs(&self) -> impl ExactSizeIterator<Item = Run> + '_ {
        self.slots.iter().map(|s| Run {
            id: s.id,
            findings: s.findings,
            lines: s.lines,
        })
    }

    /// Analyses `text` under a configuration: `generation` names the code
    /// table and options (a caller changing either passes a new one), and
    /// the options are compared too. Gives what `analysis::analyze` gives.
    pub fn analyze(
        &mut self,
        generation: u64,
        text: &str,
        table: &CodeTable,
        options: &Options,
    ) -> Arc<Analysis> {
        self.analyze_shared(generation, Arc::new(text.to_string()), table, options)
    }

    /// [`Incremental::analyze`] of a text the caller shares: it is kept
    /// for the next version as it is, not copied.
    pub fn analyze_shared(
        &mut self,
        generation: u64,
        shared: Arc<String>,
        table: &CodeTable,
        options: &Options,
    ) -> Arc<Analysis> {
        let (mut a, pending) = self.analyze_unsettled(generation, shared, table, options);
        self.settle(&mut a, pending);
        a
    }

    /// [`Incremental::analyze_shared`] in two steps: the analysis of the
    /// new version with the encounters after the change possibly not yet
    /// moved to their new offsets (`Pending` says which, and by how much),
    /// then [`Incremental::settle`] moves them. Between the two, a caller
    /// can publish what does not need those offsets (the server's
    /// diagnostics, kept per encounter: see `lsp::diagnostics`), so the
    /// moves (the larger part of a keystroke in a long document) are no
    /// longer on the way from a keystroke to its diagnostics. Until it is
    /// settled, the analysis is not kept for the next version: a caller
    /// that does not settle it makes the next version analysed whole.
    pub fn analyze_unsettled(
        &mut self,
        generation: u64,
        shared: Arc<String>,
        table: &CodeTable,
        options: &Options,
    ) -> (Arc<Analysis>, Option<Pending>) {
        let text = shared.as_str();
        let eol = line_ending(text);
        let same_config = self
            .config
            .as_ref()
            .is_some_and(|(g, o)| *g == generation && o == options);
        // A last analysis handed out unsettled and never settled is lost:
        // start again from nothing, as after a new configuration.
        let lost = self.analysis.is_none() && !self.slots.is_empty();
        if !same_config || self.eol != eol || lost {
            self.clear();
            self.config = Some((generation, options.clone()));
            self.eol = eol;
        }
        let old_text = self.text.as_bytes();
        let head = common_prefix(old_text, text.as_bytes());
        let tail_bytes = common_suffix(&old_text[head..], &text.as_bytes()[head..]);
        let moved = delta(old_text.len(), text.len());
        let chunks = self.chunks(text, head, tail_bytes, moved);
        debug_assert_eq!(chunks, note::encounter_chunks(text));
        let n = chunks.len();
        let n_old = self.slots.len();

        // The encounters before and after the changed stretch: the chunks
        // of the text both versions start with, and of the text they end
        // with, at the same places.
        let lead = (0..n.min(n_old))
            .take_while(|&i| chunks[i].end <= head && self.slots[i].chunk == chunks[i])
            .count();
        let tail = (0..n.min(n_old) - lead)
            .take_while(|&k| {
                let (c, o) = (chunks[n - 1 - k], self.slots[n_old - 1 - k].chunk);
                c.start >= text.len() - tail_bytes
                    && o.start.wrapping_add_signed(moved) == c.start
                    && o.end.wrapping_add_signed(moved) == c.end
                    && (o.start == 0) == (c.start == 0)
            })
            .count();
        let (mid, mid_old) = (lead..n - tail, lead..n_old - tail);

        // The last analysis, taken apart (a copy of it if it is still held):
        // the encounters of the changed stretch come out of it.
        let mut a = match self.analysis.take() {
            Some(a) => Arc::unwrap_or_clone(a),
            None => Analysis {
                note: Note {
                    encounters: Vec::new(),
                },
                facts: Vec::new(),
                claims: Vec::new(),
                findings: Vec::new(),
            },
        };
        // The last version's parts of the changed stretch are taken out of
        // `a`, leaving empty ones in their place until the new ones are put
        // there: nothing after them moves in memory when as many come back
        // (a keystroke), and only once otherwise.
        let f_lead: usize = self.slots[..lead].iter().map(|s| s.findings).sum();
        let f_mid: usize = self.slots[mid_old.clone()].iter().map(|s| s.findings).sum();
        let f_old = f_lead..f_lead + f_mid;
        let (found, hashes) = self.find(
            text,
            &chunks,
            mid.clone(),
            mid_old.clone(),
            &mut a,
            f_old.clone(),
        );
        let analysed = found.iter().filter(|p| p.is_none()).count();
        let part = |(k, found): (usize, Option<Part>)| {
            found.unwrap_or_else(|| fresh(text, chunks[lead + k], lead + k, table, options))
        };
        let mut parts: Vec<Part> = if analysed > 1 {
            found.into_par_iter().enumerate().map(part).collect()
        } else {
            found.into_iter().enumerate().map(part).collect()
        };

        // The summaries, and whether the encounters after the changed
        // stretch still have the same ones before them.
        let between: Vec<PriorEncounter> = parts.iter().map(|p| p.summary.clone()).collect();
        let same_before = n == n_old && self.summaries[mid_old.clone()] == between[..];
        let mut summaries = std::mem::take(&mut self.summaries);
        summaries.splice(mid_old.clone(), between);

        // The encounters after the changed stretch: moved, now when their
        // claims are to be derived again (the chain before them changed and
        // one of them looks back), else by `settle`.
        let (after, f_after) = (mid_old.end, f_old.end);
        let eager = !same_before && a.facts[after..].iter().any(claim::uses_prior);
        let mut pending = None;
        if moved != 0 && after < a.note.encounters.len() {
            if eager {
                shift_tail(&mut a, after, f_after, moved, true);
            } else {
                pending = Some(moved);
            }
        }
        if n != n_old {
            for (k, f) in a.facts[after..].iter_mut().enumerate() {
                f.index = mid.end + k;
            }
            for (k, c) in a.claims[after..].iter_mut().enumerate() {
                c.index = mid.end + k;
            }
        }
        debug_assert_eq!(a.claims.len(), n_old);

        // The modifier-58 chain: each claim that looks back derived again
        // with the summaries before it (unless they are the same as
        // before), its findings checked again when it changed.
        let payer_rules = analysis::payer_rules(options);
        let mut rederived = 0;
        for (k, p) in parts.iter_mut().enumerate() {
            if !claim::uses_prior(&p.facts) {
                continue;
            }
            let c = claim::derive(&p.facts, &summaries[..lead + k], table, &options.claim);
            if p.kept {
                rederived += 1;
                if c == p.claim {
                    continue;
                }
            }
            p.claim = c;
            p.findings = None;
            p.id = None;
        }
        let mut recheck: Vec<(usize, Vec<Finding>)> = Vec::new();
        if !same_before {
            for k in 0..tail {
                let j = after + k;
                if !claim::uses_prior(&a.facts[j]) {
                    continue;
                }
                rederived += 1;
                let prior = &summaries[..mid.end + k];
                let c = claim::derive(&a.facts[j], prior, table, &options.claim);
                if c != a.claims[j] {
                    a.claims[j] = c;
                    let f = analysis::encounter_findings(
                        text,
                        &a.note.encounters[j],
                        &a.facts[j],
                        &a.claims[j],
                        table,
                        &payer_rules,
                        options,
                    );
                    recheck.push((mid.end + k, f));
                }
            }
        }
        let check = |p: &mut Part| {
            if p.findings.is_none() {
                p.findings = Some(analysis::encounter_findings(
                    text,
                    &p.encounter,
                    &p.facts,
                    &p.claim,
                    table,
                    &payer_rules,
                    options,
                ));
            }
        };
        if analysed > 1 {
            parts.par_iter_mut().for_each(check);
        } else {
            parts.iter_mut().for_each(check);
        }

        // The changed stretch put in place, and what the next version
        // needs.
        let mut slots = std::mem::take(&mut self.slots);
        for s in &mut slots[mid_old.end..] {
            s.chunk.start = s.chunk.start.wrapping_add_signed(moved);
            s.chunk.end = s.chunk.end.wrapping_add_signed(moved);
        }
        let mut new_slots = Vec::with_capacity(parts.len());
        let mut new_findings = Vec::new();
        let mut encounters = Vec::with_capacity(parts.len());
        let mut facts = Vec::with_capacity(parts.len());
        let mut claims = Vec::with_capacity(parts.len());
        for (k, p) in parts.into_iter().enumerate() {
            let f = p.findings.unwrap_or_default();
            new_slots.push(Slot {
                chunk: chunks[lead + k],
                hash: hashes[k],
                findings: f.len(),
                id: p.id.unwrap_or_else(new_id),
                lines: p.encounter.line_count(),
            });
            new_findings.extend(f);
            encounters.push(p.encounter);
            facts.push(p.facts);
            claims.push(p.claim);
        }
        slots.splice(mid_old.clone(), new_slots);
        a.note.encounters.splice(mid_old.clone(), encounters);
        a.facts.splice(mid_old.clone(), facts);
        a.claims.splice(mid_old.clone(), claims);
        let f_new = new_findings.len();
        a.findings.splice(f_old, new_findings);
        if !recheck.is_empty() {
            // Claims after the stretch that changed: their findings replace
            // the old ones, in one pass over the findings.
            let mut old = std::mem::take(&mut a.findings).into_iter();
            let mut recheck = recheck.into_iter().peekable();
            for (i, s) in slots.iter_mut().enumerate() {
                let run = old.by_ref().take(s.findings);
                match recheck.next_if(|(r, _)| *r == i) {
                    Some((_, f)) => {
                        run.for_each(drop);
                        s.findings = f.len();
                        s.id = new_id();
                        a.findings.extend(f);
                    }
                    None => a.findings.extend(run),
                }
            }
        }
        self.stats = Stats {
            encounters: n,
            reused: n - analysed,
            analysed,
            rederived,
        };
        self.slots = slots;
        self.summaries = summaries;
        self.text = shared.clone();
        // The encounters after the stretch, and their findings, in the new
        // numbering.
        let pending = pending.map(|delta| Pending {
            encounter: mid.end,
            finding: f_lead + f_new,
            delta,
        });
        (Arc::new(a), pending)
    }

    /// Moves what [`Incremental::analyze_unsettled`] left unmoved, and
    /// keeps the analysis for the next version. On this thread only: the
    /// server calls it once the diagnostics are sent, while they are being
    /// written to the client and read there, which the other core is left
    /// to do (moved on both cores, the 2 MB keystroke's p99 as the client
    /// sees it was over 5 ms in half the runs; on one, under 5 ms in all).
    pub fn settle(&mut self, a: &mut Arc<Analysis>, pending: Option<Pending>) {
        if let Some(p) = pending {
            shift_tail(Arc::make_mut(a), p.encounter, p.finding, p.delta, false);
        }
        let sorted = a.findings.is_sorted_by_key(|f| (f.span.start, f.span.end));
        if sorted {
            self.analysis = Some(a.clone());
        } else {
            // Never expected (each finding lies within its encounter); then
            // the findings are not a run per encounter: sort them as
            // `analyze` does, and keep nothing.
            Arc::make_mut(a)
                .findings
                .sort_by_key(|f| (f.span.start, f.span.end));
            let (config, eol) = (self.config.take(), self.eol);
            self.clear();
            (self.config, self.eol) = (config, eol);
        }
    }

    /// The encounter chunks of `text` (as `note::encounter_chunks` gives
    /// them), looked for again only around the change: the old text's
    /// first `head` bytes and last `tail_bytes` are the new text's, so a
    /// heading wholly in either (with the line break before it) is where
    /// it was, moved by `moved` in the end. Only the old chunks from the
    /// one the change starts in up to the first heading in the unchanged
    /// end are looked through again.
    fn chunks(&self, text: &str, head: usize, tail_bytes: usize, moved: isize) -> Vec<Chunk> {
        if self.slots.is_empty() {
            return note::encounter_chunks(text);
        }
        let old = &self.slots;
        let unchanged_from = self.text.len() - tail_bytes;
        // From the chunk the first changed byte is in (the line of that
        // byte starts in it, so its own heading is looked at again too), or
        // from the start when it is before the first chunk (blank lines
        // before the first heading).
        let before = old.partition_point(|s| s.chunk.start <= head);
        let first = before.saturating_sub(1);
        let after = old
            .partition_point(|s| s.chunk.start <= unchanged_from)
            .max(first + 1);
        let from = if before == 0 {
            0
        } else {
            old[first].chunk.start
        };
        let to = old
            .get(after)
            .map_or(text.len(), |s| s.chunk.start.wrapping_add_signed(moved));
        let mut starts = Vec::with_capacity(old.len() + 2);
        // The chunk at 0 may be the text before the first heading, not a
        // heading: `chunks_of` adds it again when it should.
        let zero_is_heading = !note::heading_starts(text, 0, 1).is_empty();
        starts.extend(
            old[..first]
                .iter()
                .map(|s| s.chunk.start)
                .filter(|&s| s != 0 || zero_is_heading),
        );
        starts.extend(note::heading_starts(text, from, to));
        starts.extend(
            old[after..]
                .iter()
                .map(|s| s.chunk.start.wrapping_add_signed(moved)),
        );
        note::chunks_of(text, starts)
    }

    /// The encounters of the changed stretch, each kept from the last
    /// version's encounters there when one has the same text (found by the
    /// text's hash, then compared) and moved to its new offset; `None` for
    /// those to analyse. The last version's parts there are taken out of
    /// `a` (the findings at `findings`), empty ones left in their place.
    /// Also gives the hash of each one's text.
    fn find(
        &self,
        text: &str,
        chunks: &[Chunk],
        mid: Range<usize>,
        mid_old: Range<usize>,
        a: &mut Analysis,
        findings: Range<usize>,
    ) -> (Vec<Option<Part>>, Vec<u64>) {
        let old_slots = &self.slots[mid_old.clone()];
        let mut old_findings = take(&mut a.findings[findings]);
        let mut old: Vec<Taken> = take(&mut a.note.encounters[mid_old.clone()])
            .zip(take(&mut a.facts[mid_old.clone()]))
            .zip(take(&mut a.claims[mid_old.clone()]))
            .zip(old_slots)
            .map(|(((e, f), c), s)| {
                Some((e, f, c, old_findings.by_ref().take(s.findings).collect()))
            })
            .collect();
        // The first encounter of each text.
        let by_content: HashMap<u64, usize> = old_slots
            .iter()
            .enumerate()
            .rev()
            .map(|(k, s)| (s.hash, k))
            .collect();
        let hashes: Vec<u64> = chunks[mid.clone()]
            .iter()
            .map(|c| hash(c.text(text)))
            .collect();
        let found = mid
            .zip(&hashes)
            .map(|(i, h)| {
                let c = chunks[i];
                let k = *by_content.get(h)?;
                let o = old_slots[k].chunk;
                if o.text(&self.text) != c.text(text) || (o.start == 0) != (c.start == 0) {
                    return None;
                }
                let (mut encounter, mut facts, mut claim, mut findings) = old[k].take()?;
                let d = delta(o.start, c.start);
                if d != 0 {
                    encounter.shift(d);
                    facts.shift(d);
                    claim.shift(d);
                    findings.shift(d);
                }
                facts.index = i;
                claim.index = i;
                Some(Part {
                    encounter,
                    facts,
                    claim,
                    findings: Some(findings),
                    summary: self.summaries[mid_old.start + k].clone(),
                    kept: true,
                    id: Some(old_slots[k].id),
                })
            })
            .collect();
        (found, hashes)
    }
}

/// Moves the encounters of `a` from `encounter` on, and its findings from
/// `finding` on, by `delta` bytes: on both cores when `parallel` and there
/// are enough to be worth it (typing in the middle of a large document
/// moves thousands), else on this thread.
fn shift_tail(a: &mut Analysis, encounter: usize, finding: usize, delta: isize, parallel: bool) {
    // Four independent walks over memory.
    let Analysis {
        note,
        facts,
        claims,
        findings,
    } = a;
    let (encounters, facts, claims) = (
        &mut note.encounters[encounter..],
        &mut facts[encounter..],
        &mut claims[encounter..],
    );
    let findings = &mut findings[finding..];
    if parallel && encounters.len() >= PARALLEL_SHIFT {
        let chunk = PARALLEL_SHIFT / 4;
        rayon::join(
            || {
                encounters
                    .par_chunks_mut(chunk)
                    .for_each(|e| e.shift(delta));
                facts.par_chunks_mut(chunk).for_each(|f| f.shift(delta));
            },
            || {
                claims.par_chunks_mut(chunk).for_each(|c| c.shift(delta));
                findings.par_chunks_mut(chunk).for_each(|f| f.shift(delta));
            },
        );
    } else {
        encounters.shift(delta);
        facts.shift(delta);
        claims.shift(delta);
        findings.shift(delta);
    }
}

/// Each value of `values` taken out, an empty one (its `Default`, which
/// allocates nothing) left in its place until the new one is put there.
fn take<T: Default>(values: &mut [T]) -> impl Iterator<Item = T> + '_ {
    values.iter_mut().map(std::mem::take)
}

/// An encounter parsed, extracted and derived without looking back.
fn fresh(text: &str, chunk: Chunk, i: usize, table: &CodeTable, options: &Options) -> Part {
    let encounter = Encounter::parse(text, chunk);
    let mut facts = extract::encounter(text, i, &encounter);
    let mut claim = claim::derive(&facts, &[], table, &options.claim);
    let summary = claim::summary(&facts, &claim, table);
    // Kept until the encounter changes: its lists were sized for speed
    // (3.4 MB more than they hold on a 2 MB document).
    facts.shrink_to_fit();
    claim.shrink_to_fit();
    Part {
        encounter,
        facts,
        claim,
        findings: None,
        summary,
        kept: false,
        id: None,
    }
}

impl Chunk {
    fn text(self, text: &str) -> &str {
        text.get(self.start..self.end).unwrap_or("")
    }
}

/// The hash an encounter's text is kept under.
fn hash(text: &str) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

/// How many bytes `a` and `b` start with in common, compared a block at a
/// time.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    const BLOCK: usize = 256;
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + BLOCK <= n && a[i..i + BLOCK] == b[i..i + BLOCK] {
        i += BLOCK;
    }
    i + a[i..n]
        .iter()
        .zip(&b[i..n])
        .take_while(|(x, y)| x == y)
        .count()
}

/// How many bytes `a` and `b` end with in common.
fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    const BLOCK: usize = 256;
    let n = a.len().min(b.len());
    let (a, b) = (&a[a.len() - n..], &b[b.len() - n..]);
    let mut k = 0;
    while k + BLOCK <= n && a[n - k - BLOCK..n - k] == b[n - k - BLOCK..n - k] {
        k += BLOCK;
    }
    k + a[..n - k]
        .iter()
        .rev()
        .zip(b[..n - k].iter().rev())
        .take_while(|(x, y)| x == y)
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::analyze;

    /// Asserts that `got` is, part by part, what a fresh analysis of `text`
    /// gives; a failure names the part that differs.
    fn same(name: &str, got: &Analysis, text: &str, table: &CodeTable, options: &Options) {
        let want = analyze(text, table, options);
        let parts = |a: &Analysis| {
            [
                ("note", format!("{:?}", a.note)),
                ("facts", format!("{:?}", a.facts)),
                ("claims", format!("{:?}", a.claims)),
                ("findings", format!("{:?}", a.findings)),
            ]
        };
        for ((part, got), (_, want)) in parts(got).into_iter().zip(parts(&want)) {
            assert_eq!(got, want, "{name}: {part}");
        }
    }

    #[test]
    fn common_ends() {
        let a: Vec<u8> = (0..2000u32).map(|i| (i % 251) as u8).collect();
        let mut b = a.clone();
        b[700] ^= 1;
        assert_eq!(common_prefix(&a, &b), 700);
        assert_eq!(common_suffix(&a, &b), 1299);
        assert_eq!(common_prefix(&a, &a[..10]), 10);
        assert_eq!(common_suffix(&a, &a[1990..]), 10);
        assert_eq!(common_suffix(b"", b"x"), 0);
    }

    #[test]
    fn one_keystroke_analyses_one_encounter() {
        let table = CodeTable::builtin();
        let options = Options::default();
        let text = crate::corpus::generate(3, 40_000);
        let mut inc = Incremental::new();
        inc.analyze(0, &text, table, &options);
        let n = inc.stats().encounters;
        assert_eq!(inc.stats().analysed, n);
        let mid = text[text.len() / 2..].find("Site:").unwrap() + text.len() / 2;
        let mut edited = text.clone();
        edited.insert(mid + 5, 'x');
        let a = inc.analyze(0, &edited, table, &options);
        same("keystroke", &a, &edited, table, &options);
        assert_eq!(inc.stats().analysed, 1, "{:?}", inc.stats());
        assert_eq!(inc.stats().reused, n - 1);
        // The same text again: nothing analysed.
        let again = inc.analyze(0, &edited, table, &options);
        assert_eq!(inc.stats().analysed, 0);
        same("again", &again, &edited, table, &options);
        // A new configuration: everything analysed.
        let other = Options {
            disabled_rules: vec!["doc/biopsy-site".into()],
            ..Options::default()
        };
        let a = inc.analyze(0, &edited, table, &other);
        assert_eq!(inc.stats().analysed, n);
        same("options", &a, &edited, table, &other);
        inc.analyze(1, &edited, table, &other);
        assert_eq!(inc.stats().analysed, n, "generation");
    }
}
