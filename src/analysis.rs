//! One call from text to everything: the parsed note, the facts, the claim
//! of each encounter and the findings.

use std::collections::VecDeque;
use std::sync::mpsc;

use rayon::prelude::*;

use crate::codes::CodeTable;
use crate::extract::{self, EncounterFacts};
use crate::note::{self, Chunk, Encounter, Line, LineKind, Note};
use crate::rules::claim::{self, ClaimOptions, EncounterClaim, PriorEncounter};
use crate::rules::{self, Ctx, Finding, PayerRules};
use crate::span::Span;

/// 2026 Medicare conversion factor (non-qualifying APM), dollars per RVU.
pub const CONVERSION_FACTOR_2026: f64 = 33.4009;

/// Settings of an analysis.
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    pub claim: ClaimOptions,
    /// Dollars per RVU for the payment estimate.
    pub conversion_factor: f64,
    /// Diagnostic codes switched off.
    pub disabled_rules: Vec<String>,
    /// Payer rules to use instead of the built-in ones.
    pub payer_rules: Option<PayerRules>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            claim: ClaimOptions::default(),
            conversion_factor: CONVERSION_FACTOR_2026,
            disabled_rules: Vec::new(),
            payer_rules: None,
        }
    }
}

/// The result of analysing one note.
#[derive(Clone, Debug)]
pub struct Analysis {
    pub note: Note,
    pub facts: Vec<EncounterFacts>,
    pub claims: Vec<EncounterClaim>,
    pub findings: Vec<Finding>,
}

/// The claims and findings of a note, without the syntax and facts they
/// came from: what the command line prints.
#[derive(Clone, Debug)]
pub struct Report {
    pub claims: Vec<EncounterClaim>,
    pub findings: Vec<Finding>,
}

/// Analyses a note. Never fails: any text gives an analysis.
pub fn analyze(text: &str, table: &CodeTable, options: &Options) -> Analysis {
    let note = Note::parse(text);
    let facts = extract::extract(text, &note);
    let mut claims = Vec::with_capacity(facts.len());
    let mut prior: Vec<PriorEncounter> = Vec::new();
    let mut findings = Vec::new();
    let payer_rules = payer_rules(options);
    for (f, encounter) in facts.iter().zip(&note.encounters) {
        let c = claim::derive(f, &prior, table, &options.claim);
        prior.push(claim::summary(f, &c, table));
        findings.extend(encounter_findings(
            text,
            encounter,
            f,
            &c,
            table,
            &payer_rules,
            options,
        ));
        claims.push(c);
    }
    findings.sort_by_key(|f| (f.span.start, f.span.end));
    Analysis {
        note,
        facts,
        claims,
        findings,
    }
}

/// [`analyze`] on all cores: the same analysis, its encounters parsed,
/// extracted, derived and checked in parallel.
pub fn analyze_parallel(text: &str, table: &CodeTable, options: &Options) -> Analysis {
    let mut a = Analysis {
        note: Note {
            encounters: Vec::new(),
        },
        facts: Vec::new(),
        claims: Vec::new(),
        findings: Vec::new(),
    };
    each_encounter(
        text,
        table,
        options,
        Findings::Check,
        |part| part,
        |part| {
            a.note.encounters.push(part.encounter);
            a.facts.push(part.facts);
            a.claims.push(part.claim);
            a.findings.extend(part.findings);
        },
    );
    // Each encounter's findings are sorted already: this stable sort only
    // merges them, and gives the order `analyze` gives.
    a.findings.sort_by_key(|f| (f.span.start, f.span.end));
    a
}

/// The claims and findings of [`analyze`], computed on all cores in windows
/// of encounters, so that memory stays flat however long the note: only the
/// claims and findings are kept.
pub fn report(text: &str, table: &CodeTable, options: &Options) -> Report {
    let mut r = Report {
        claims: Vec::new(),
        findings: Vec::new(),
    };
    map_encounters(
        text,
        table,
        options,
        |claim, findings| (claim, findings),
        |(claim, findings)| {
            r.claims.push(claim);
            r.findings.extend(findings);
        },
    );
    r
}

/// [`report`] an encounter at a time, to write it out and let it go: each
/// encounter's claim and findings (sorted) go through `map` on any core,
/// and the results reach `emit` in the encounters' order. One after
/// another, the findings are in the order [`analyze`] gives them, since
/// each finding lies within its encounter.
pub fn map_encounters<T: Send>(
    text: &str,
    table: &CodeTable,
    options: &Options,
    map: impl Fn(EncounterClaim, Vec<Finding>) -> T + Sync,
    emit: impl FnMut(T),
) {
    each_encounter(
        text,
        table,
        options,
        Findings::Check,
        |part| map(part.claim, part.findings),
        emit,
    );
}

/// [`map_encounters`] for the claims alone: the rules are not run, so
/// each encounter's findings are empty. The claims are the same, since no
/// claim depends on a finding; `dermls claim` spends a tenth less.
pub fn map_claims<T: Send>(
    text: &str,
    table: &CodeTable,
    options: &Options,
    map: impl Fn(EncounterClaim) -> T + Sync,
    emit: impl FnMut(T),
) {
    each_encounter(
        text,
        table,
        options,
        Findings::Skip,
        |part| map(part.claim),
        emit,
    );
}

/// Whether [`each_encounter`] runs the rules.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Findings {
    Check,
    Skip,
}

/// Encounters analysed together by [`each_encounter`]: enough to keep every
/// core busy, few enough that the syntax and facts held at once stay small.
const WINDOW: usize = 512;

/// One encounter's share of an analysis.
struct Part {
    encounter: Encounter,
    facts: EncounterFacts,
    claim: EncounterClaim,
    /// Sorted by span.
    findings: Vec<Finding>,
}

/// An encounter after the parallel pass: finished, or waiting for the
/// summaries of the encounters before it to derive its claim.
enum Pass<T> {
    Done(T),
    /// Boxed: few encounters wait.
    Waiting(Box<(Encounter, EncounterFacts)>),
}

/// A window after the parallel pass: each encounter's summary, and its part
/// or what it waits with.
type Window<T> = Vec<(PriorEncounter, Pass<T>)>;

/// Analyses the encounters of a note in parallel, a window at a time, maps
/// each one's part with `map` (on any core), and hands the results to
/// `keep` in order. The claims chain through `PriorEncounter` for modifier
/// 58, but only the few encounters that [`claim::uses_prior`] can take it,
/// and no summary depends on the encounters before: every encounter of a
/// window is analysed in parallel without looking back, and those few are
/// finished afterwards, in order, with the summaries before them.
fn each_encounter<T: Send>(
    text: &str,
    table: &CodeTable,
    options: &Options,
    rules: Findings,
    map: impl Fn(Part) -> T + Sync,
    mut keep: impl FnMut(T),
) {
    let payer_rules = payer_rules(options);
    let finish = |encounter: Encounter, facts: EncounterFacts, claim: EncounterClaim| {
        let findings = match rules {
            Findings::Check => encounter_findings(
                text,
                &encounter,
                &facts,
                &claim,
                table,
                &payer_rules,
                options,
            ),
            Findings::Skip => Vec::new(),
        };
        map(Part {
            encounter,
            facts,
            claim,
            findings,
        })
    };
    let chunks: Vec<Chunk> = note::encounter_chunks(text);
    let mut prior: Vec<PriorEncounter> = Vec::with_capacity(chunks.len());
    // The parallel pass over a window: each encounter's summary, and its
    // part or what it waits with.
    let analyse = |base: usize, window: &[Chunk]| -> Window<T> {
        window
            .par_iter()
            .enumerate()
            .map(|(k, chunk)| {
                let encounter = Encounter::parse(text, *chunk);
                let facts = extract::encounter(text, base + k, &encounter);
                let claim = claim::derive(&facts, &[], table, &options.claim);
                let summary = claim::summary(&facts, &claim, table);
                if base + k > 0 && claim::uses_prior(&facts) {
                    return (summary, Pass::Waiting(Box::new((encounter, facts))));
                }
                (summary, Pass::Done(finish(encounter, facts, claim)))
            })
            .collect()
    };
    // The serial pass over an analysed window, in order: the waiting
    // encounters finished with the summaries before them, and every part
    // handed to `keep`.
    let mut emit = |base: usize, done: Window<T>| {
        // Each summary joins `prior` after its encounter is finished (moved,
        // not copied): a waiting encounter reads only those before it.
        for (k, (summary, pass)) in done.into_iter().enumerate() {
            debug_assert_eq!(prior.len(), base + k);
            let t = match pass {
                Pass::Done(t) => t,
                Pass::Waiting(waiting) => {
                    let (encounter, facts) = *waiting;
                    let claim = claim::derive(&facts, &prior[..base + k], table, &options.claim);
                    finish(encounter, facts, claim)
                }
            };
            prior.push(summary);
            keep(t);
        }
    };
    if rayon::current_thread_index().is_some() {
        // On a pool thread (one of many notes analysed at once): each window
        // analysed while this thread emits the one before, and waits for it
        // by doing the pool's other work, as a pool thread must. A pool
        // thread blocked waiting for a window could leave none to analyse
        // it; the other notes keep the cores busy meanwhile.
        let mut analysed: Option<(usize, Window<T>)> = None;
        for (w, window) in chunks.chunks(WINDOW).enumerate() {
            let base = w * WINDOW;
            let mut next = None;
            rayon::in_place_scope(|scope| {
                scope.spawn(|_| next = Some(analyse(base, window)));
                if let Some((base, done)) = analysed.take() {
                    emit(base, done);
                }
            });
            analysed = next.map(|done| (base, done));
        }
        if let Some((base, done)) = analysed {
            emit(base, done);
        }
        return;
    }
    // Off the pool (one long note, say): the windows are analysed on the
    // pool, up to `AHEAD` of them at once, while this thread emits the
    // oldest in order: the cores do not wait for the output, and the next
    // window's analysis is already queued when one ends, so no core waits
    // for this thread to start it. The parallel pass looks at no summary,
    // so it may run ahead of the serial one.
    rayon::in_place_scope(|scope| {
        let analyse = &analyse;
        let mut windows = chunks.chunks(WINDOW).enumerate();
        let mut ahead: VecDeque<mpsc::Receiver<(usize, Window<T>)>> = VecDeque::new();
        let mut start_next = |ahead: &mut VecDeque<_>| {
            if let Some((w, window)) = windows.next() {
                let (done, analysed) = mpsc::sync_channel(1);
                scope.spawn(move |_| {
                    let base = w * WINDOW;
                    // The receiver is gone only if this thread stopped.
                    let _ = done.send((base, analyse(base, window)));
                });
                ahead.push_back(analysed);
            }
        };
        for _ in 0..AHEAD {
            start_next(&mut ahead);
        }
        while let Some(analysed) = ahead.pop_front() {
            // A window's sender is dropped unsent only when its analysis
            // panicked; the scope then passes the panic on. Blocking here
            // is safe: this thread is not one the pool needs.
            let Ok((base, done)) = analysed.recv() else {
                break;
            };
            start_next(&mut ahead);
            emit(base, done);
        }
    });
}

/// Windows analysed at once, besides the one being emitted: two, so that a
/// core that finishes its share of one finds the next waiting.
const AHEAD: usize = 2;

/// The payer rules in force: the options' own, or the built-in ones.
pub(crate) fn payer_rules(options: &Options) -> PayerRules {
    options
        .payer_rules
        .clone()
        .unwrap_or_else(PayerRules::builtin)
}

/// The findings of the rules on one encounter, less those switched off by
/// the options or silenced by `dermls-ignore` comments, sorted by span.
pub(crate) fn encounter_findings(
    text: &str,
    encounter: &Encounter,
    facts: &EncounterFacts,
    claim: &EncounterClaim,
    table: &CodeTable,
    payer_rules: &PayerRules,
    options: &Options,
) -> Vec<Finding> {
    let ctx = Ctx {
        text,
        encounter,
        facts,
        claim,
        table,
        payer_rules: payer_rules.rows(),
    };
    let mut findings = rules::check(&ctx);
    debug_assert!(
        findings
            .iter()
            .all(|f| encounter.span.start <= f.span.start && f.span.end <= encounter.span.end),
        "a finding outside its encounter"
    );
    // Nothing to silence: the comments need not be read.
    if findings.is_empty() {
        return findings;
    }
    let ignores = Ignores::of(text, encounter);
    findings
        .retain(|x| !options.disabled_rules.iter().any(|d| d == x.code) && !ignores.silences(x));
    findings.sort_by_key(|f| (f.span.start, f.span.end));
    findings
}

/// The `<!-- dermls-ignore: CODE[, CODE] -->` lines of an encounter: in
/// its header they silence the codes for the whole encounter, in a section
/// for that section. A code ending in `/*` (`doc/*`) silences its family.
struct Ignores {
    /// (the section's span, or `None` for the whole encounter; the codes).
    scopes: Vec<(Option<Span>, Vec<String>)>,
}

impl Ignores {
    fn of<'a>(text: &str, encounter: &'a Encounter) -> Ignores {
        let mut scopes = Vec::new();
        let codes_of = |line: &Line| -> Option<Vec<String>> {
            if line.kind != LineKind::Comment {
                return None;
            }
            let inner = line.span.text(text).trim();
            let inner = inner
                .strip_prefix("<!--")?
                .trim_end()
                .strip_suffix("-->")?
                .trim();
            let rest = inner
                .strip_prefix("dermls-ignore")?
                .trim_start()
                .strip_prefix(':')?;
            Some(
                rest.split([',', ' '])
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map(str::to_string)
                    .collect(),
            )
        };
        // Only comments are read: the kind is checked here, where it is
        // cheap, before the call for each line.
        let comments = |lines: &'a [Line]| lines.iter().filter(|l| l.kind == LineKind::Comment);
        for l in comments(&encounter.header) {
            if let Some(codes) = codes_of(l) {
                scopes.push((None, codes));
            }
        }
        for s in &encounter.sections {
            for l in comments(&s.lines) {
                if let Some(codes) = codes_of(l) {
                    scopes.push((Some(s.span), codes));
                }
            }
        }
        Ignores { scopes }
    }

    fn silences(&self, f: &Finding) -> bool {
        self.scopes.iter().any(|(scope, codes)| {
            scope.is_none_or(|s| s.start <= f.span.start && f.span.start <= s.end)
                && codes.iter().any(|c| match c.strip_suffix('*') {
                    Some(prefix) => f.code.starts_with(prefix),
                    None => c == f.code,
                })
        })
    }
}

/// Total non-facility RVUs of a claim (each line's RVU times its units).
pub fn total_rvu(claim: &EncounterClaim, table: &CodeTable) -> f64 {
    claim
        .lines
        .iter()
        .map(|l| table.get(&l.cpt).map(|r| r.nonfac_total_rvu).unwrap_or(0.0) * f64::from(l.units))
        .sum()
}

/// Rounds to cents.
pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(text: &str) -> Vec<&'static str> {
        analyze(text, CodeTable::builtin(), &Options::default())
            .findings
            .iter()
            .map(|f| f.code)
            .collect()
    }

    const NOTE: &str = "# Encounter 2026-03-02\nPayer: Medicare\n\n## Procedure: punch biopsy\nSite: back\nLesion: 0.6 cm pink scaly papule\nIndication: r/o SCC\nTechnique: 4 mm punch\nDx: D48.5\n\n## Billing\n- 11102  Dx: D48.5\n";

    #[test]
    fn ignore_comments_silence_their_section_or_encounter() {
        assert_eq!(
            codes(NOTE),
            ["doc/biopsy-site", "code/biopsy-technique-mismatch"]
        );
        // In the Billing section: only the Billing finding goes.
        let billing = NOTE.replace(
            "## Billing\n",
            "## Billing\n<!-- dermls-ignore: code/biopsy-technique-mismatch, doc/biopsy-site -->\n",
        );
        assert_eq!(codes(&billing), ["doc/biopsy-site"]);
        // In the procedure section: the procedure's finding goes.
        let section = NOTE.replace(
            "Site: back\n",
            "Site: back\n<!-- dermls-ignore: doc/biopsy-site -->\n",
        );
        assert_eq!(codes(&section), ["code/biopsy-technique-mismatch"]);
        // In the header: the whole encounter, families with `/*`.
        let header = NOTE.replace(
            "Payer: Medicare\n",
            "Payer: Medicare\n<!-- dermls-ignore: doc/*, code/biopsy-technique-mismatch -->\n",
        );
        assert!(codes(&header).is_empty());
    }

    #[test]
    fn disabled_rules_are_switched_off() {
        let options = Options {
            disabled_rules: vec!["doc/biopsy-site".to_string()],
            ..Options::default()
        };
        let a = analyze(NOTE, CodeTable::builtin(), &options);
        let got: Vec<&str> = a.findings.iter().map(|f| f.code).collect();
        assert_eq!(got, ["code/biopsy-technique-mismatch"]);
    }
}
