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
//!
//! Two things outside an encounter's text reach into its findings and are
//! part of the cache's key: whether it starts the text, and the text's line
//! ending (the first one; fixes write it). The configuration is the rest of
//! the key: a new generation or other options empty the cache.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};
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
    /// The text last analysed.
    text: String,
    /// Its analysis; handed out shared, and taken apart for the next
    /// version (cloned first if someone still holds it).
    analysis: Option<Arc<Analysis>>,
    /// One per encounter of `analysis`, in order.
    slots: Vec<Slot>,
    /// The summary each encounter leaves for later ones, in order.
    summaries: Vec<PriorEncounter>,
    /// The first slot of each encounter text, by the text's hash.
    by_content: HashMap<u64, usize, BuildHasherDefault<Unhashed>>,
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

/// One encounter of the last version.
#[derive(Clone, Copy, Debug)]
struct Slot {
    chunk: Chunk,
    hash: u64,
    /// How many findings it has (they are contiguous in the analysis).
    findings: usize,
}

/// One encounter of the version being built.
struct Part {
    encounter: Encounter,
    facts: EncounterFacts,
    claim: EncounterClaim,
    /// `None` while its findings are to be checked.
    findings: Option<Vec<Finding>>,
    /// Its summary and whether its claim already has the right prior
    /// encounters.
    summary: PriorEncounter,
    prior_known: bool,
}

impl Incremental {
    pub fn new() -> Incremental {
        Incremental::default()
    }

    /// Forgets everything: the next call analyses every encounter.
    pub fn clear(&mut self) {
        *self = Incremental {
            text: std::mem::take(&mut self.text),
            ..Incremental::default()
        };
        self.text.clear();
    }

    /// What the last call to [`Incremental::analyze`] did.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// Analyses `text` under a configuration: `generation` names the
    /// table and options (a caller changing either passes a new one), and
    /// the options are compared too. Gives what `analysis::analyze` gives.
    pub fn analyze(
        &mut self,
        generation: u64,
        text: &str,
        table: &CodeTable,
        options: &Options,
    ) -> Arc<Analysis> {
        let eol = line_ending(text);
        let same_config = self
            .config
            .as_ref()
            .is_some_and(|(g, o)| *g == generation && o == options);
        if !same_config || self.eol != eol {
            self.clear();
            self.config = Some((generation, options.clone()));
            self.eol = eol;
        }
        let chunks = note::encounter_chunks(text);
        let sources = self.match_chunks(text, &chunks);
        let old = self.take_old();
        let payer_rules = analysis::payer_rules(options);
        let n = chunks.len();

        // Encounters not found: parsed, extracted and derived without
        // looking back, on all cores when there are several.
        let fresh_at: Vec<usize> = (0..n).filter(|&i| sources[i].is_none()).collect();
        let analyse = |i: usize| -> Part {
            let encounter = Encounter::parse(text, chunks[i]);
            let facts = extract::encounter(text, i, &encounter);
            let claim = claim::derive(&facts, &[], table, &options.claim);
            let summary = claim::summary(&facts, &claim, table);
            Part {
                encounter,
                facts,
                claim,
                findings: None,
                summary,
                prior_known: false,
            }
        };
        let fresh: Vec<Part> = if fresh_at.len() > 1 {
            fresh_at.par_iter().map(|&i| analyse(i)).collect()
        } else {
            fresh_at.iter().map(|&i| analyse(i)).collect()
        };

        // Which kept encounters still have the same encounters before them:
        // those of the unchanged start, and those of the unchanged end when
        // what lies between left the same summaries.
        let n_old = self.slots.len();
        let lead = (0..n).take_while(|&i| sources[i] == Some(i)).count();
        let tail = (0..n.min(n_old) - lead)
            .take_while(|&k| sources[n - 1 - k] == Some(n_old - 1 - k))
            .count();

        // The summaries between them, before the kept ones are taken.
        let old_between: Option<Vec<PriorEncounter>> =
            (n == n_old).then(|| self.summaries[lead..n_old - tail].to_vec());

        // The parts in order: kept ones moved, fresh ones as analysed.
        let mut old = old;
        let mut fresh = fresh.into_iter();
        let mut parts: Vec<Part> = Vec::with_capacity(n);
        let mut reused = 0;
        for (i, source) in sources.iter().enumerate() {
            let part = match *source {
                Some(o) => {
                    reused += 1;
                    let mut p = old.take(o, &self.slots, &mut self.summaries);
                    let d = delta(self.slots[o].chunk.start, chunks[i].start);
                    if d != 0 {
                        p.encounter.shift(d);
                        p.facts.shift(d);
                        p.claim.shift(d);
                        if let Some(f) = &mut p.findings {
                            f.shift(d);
                        }
                    }
                    p.facts.index = i;
                    p.claim.index = i;
                    p.prior_known = i < lead;
                    p
                }
                None => fresh.next().expect("a fresh part per chunk not found"),
            };
            parts.push(part);
        }
        let summaries: Vec<PriorEncounter> = parts.iter_mut().map(|p| p.summary.take()).collect();
        if old_between.is_some_and(|b| summaries[lead..n - tail] == b[..]) {
            for p in &mut parts[n - tail..] {
                p.prior_known = p.findings.is_some();
            }
        }

        // The modifier-58 chain: claims that look back, derived again with
        // the summaries before them; their findings checked again when the
        // claim changed.
        let mut rederived = 0;
        for (i, p) in parts.iter_mut().enumerate() {
            if p.prior_known || !claim::uses_prior(&p.facts) {
                continue;
            }
            let c = claim::derive(&p.facts, &summaries[..i], table, &options.claim);
            if p.findings.is_some() {
                rederived += 1;
                if c == p.claim {
                    continue;
                }
            }
            p.claim = c;
            p.findings = None;
        }
        let check = |p: &mut Part| {
            if p.findings.is_none() {
                let mut f = analysis::encounter_findings(
                    text,
                    &p.encounter,
                    &p.facts,
                    &p.claim,
                    table,
                    &payer_rules,
                    options,
                );
                f.sort_by_key(|f| (f.span.start, f.span.end));
                p.findings = Some(f);
            }
        };
        if n - reused > 1 {
            parts.par_iter_mut().for_each(check);
        } else {
            parts.iter_mut().for_each(check);
        }

        // The analysis, and what the next version needs of it.
        let mut a = Analysis {
            note: Note {
                encounters: Vec::with_capacity(n),
            },
            facts: Vec::with_capacity(n),
            claims: Vec::with_capacity(n),
            findings: Vec::new(),
        };
        let mut slots = Vec::with_capacity(n);
        for (i, p) in parts.into_iter().enumerate() {
            let findings = p.findings.unwrap_or_default();
            let hash = match sources[i] {
                Some(o) => self.slots[o].hash,
                None => hash(chunks[i].text(text)),
            };
            slots.push(Slot {
                chunk: chunks[i],
                hash,
                findings: findings.len(),
            });
            a.note.encounters.push(p.encounter);
            a.facts.push(p.facts);
            a.claims.push(p.claim);
            a.findings.extend(findings);
        }
        let sorted = a.findings.is_sorted_by_key(|f| (f.span.start, f.span.end));
        if !sorted {
            // Never expected (each finding lies within its encounter), but
            // then the findings are not an encounter's run each: sort as
            // `analyze` does and keep nothing.
            a.findings.sort_by_key(|f| (f.span.start, f.span.end));
        }
        self.stats = Stats {
            encounters: n,
            reused,
            analysed: n - reused,
            rederived,
        };
        self.by_content.clear();
        for (i, s) in slots.iter().enumerate() {
            self.by_content.entry(s.hash).or_insert(i);
        }
        self.slots = slots;
        self.summaries = summaries;
        self.text.clear();
        self.text.push_str(text);
        let a = Arc::new(a);
        if sorted {
            self.analysis = Some(a.clone());
        } else {
            let (config, eol) = (self.config.take(), self.eol);
            self.clear();
            (self.config, self.eol) = (config, eol);
        }
        a
    }

    /// For each chunk of the new text, the encounter of the last version
    /// with the same text (and the same place at the start or not), if
    /// there is one not already taken. Chunks in the text both versions
    /// start with, or end with, are found by their offset; the others by
    /// their text's hash, then compared.
    fn match_chunks(&self, text: &str, chunks: &[Chunk]) -> Vec<Option<usize>> {
        let old = self.text.as_str();
        if self.slots.is_empty() {
            return vec![None; chunks.len()];
        }
        let head = common_prefix(old.as_bytes(), text.as_bytes());
        let tail = common_suffix(
            &old.as_bytes()[head..],
            &text.as_bytes()[head.min(text.len())..],
        );
        let moved = delta(old.len(), text.len());
        let mut taken = vec![false; self.slots.len()];
        let at = |start: usize| {
            self.slots
                .binary_search_by_key(&start, |s| s.chunk.start)
                .ok()
        };
        chunks
            .iter()
            .map(|c| {
                let len = c.end - c.start;
                let by_place = if c.end <= head {
                    at(c.start)
                } else if c.start >= text.len() - tail {
                    at(c.start.wrapping_add_signed(-moved))
                } else {
                    None
                };
                let found = by_place
                    .filter(|&o| self.slots[o].chunk.end - self.slots[o].chunk.start == len)
                    .or_else(|| {
                        let o = *self.by_content.get(&hash(c.text(text)))?;
                        (self.slots[o].chunk.text(old) == c.text(text)).then_some(o)
                    })
                    .filter(|&o| !taken[o] && (self.slots[o].chunk.start == 0) == (c.start == 0));
                if let Some(o) = found {
                    taken[o] = true;
                }
                found
            })
            .collect()
    }

    /// The last version's parts, to take apart: its own if no one else
    /// holds it, else a copy.
    fn take_old(&mut self) -> OldParts {
        let Some(a) = self.analysis.take() else {
            return OldParts::default();
        };
        let a = Arc::unwrap_or_clone(a);
        OldParts {
            encounters: a.note.encounters.into_iter().map(Some).collect(),
            facts: a.facts.into_iter().map(Some).collect(),
            claims: a.claims.into_iter().map(Some).collect(),
            findings: a.findings.into_iter().map(Some).collect(),
            first_finding: Vec::new(),
        }
    }
}

/// The last version's parts, each taken once.
#[derive(Default)]
struct OldParts {
    encounters: Vec<Option<Encounter>>,
    facts: Vec<Option<EncounterFacts>>,
    claims: Vec<Option<EncounterClaim>>,
    findings: Vec<Option<Finding>>,
    /// Where each slot's findings start, computed on first use.
    first_finding: Vec<usize>,
}

impl OldParts {
    fn take(&mut self, o: usize, slots: &[Slot], summaries: &mut [PriorEncounter]) -> Part {
        if self.first_finding.is_empty() {
            let mut at = 0;
            self.first_finding = slots
                .iter()
                .map(|s| {
                    let start = at;
                    at += s.findings;
                    start
                })
                .collect();
        }
        let from = self.first_finding[o];
        let findings = self.findings[from..from + slots[o].findings]
            .iter_mut()
            .map(|f| f.take().expect("a finding taken once"))
            .collect();
        Part {
            encounter: self.encounters[o].take().expect("taken once"),
            facts: self.facts[o].take().expect("taken once"),
            claim: self.claims[o].take().expect("taken once"),
            findings: Some(findings),
            summary: summaries[o].take(),
            prior_known: false,
        }
    }
}

/// Moving a summary out, leaving an empty one behind.
trait Take {
    fn take(&mut self) -> Self;
}

impl Take for PriorEncounter {
    fn take(&mut self) -> PriorEncounter {
        std::mem::replace(
            self,
            PriorEncounter {
                date: None,
                global_days: None,
                has_excision_or_mohs: false,
            },
        )
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

/// Keys that are hashes already.
#[derive(Default)]
struct Unhashed(u64);

impl Hasher for Unhashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
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

    fn same(name: &str, got: &Analysis, text: &str, table: &CodeTable, options: &Options) {
        let want = analyze(text, table, options);
        assert_eq!(
            format!("{:?}", got.note),
            format!("{:?}", want.note),
            "{name}: note"
        );
        assert_eq!(
            format!("{:?}", got.facts),
            format!("{:?}", want.facts),
            "{name}: facts"
        );
        assert_eq!(
            format!("{:?}", got.claims),
            format!("{:?}", want.claims),
            "{name}: claims"
        );
        assert_eq!(
            format!("{:?}", got.findings),
            format!("{:?}", want.findings),
            "{name}: findings"
        );
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
