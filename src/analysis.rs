//! One call from text to everything: the parsed note, the facts, the claim
//! of each encounter and the findings.

use crate::codes::CodeTable;
use crate::extract::{self, EncounterFacts};
use crate::note::Note;
use crate::rules::claim::{self, ClaimOptions, EncounterClaim, PriorEncounter};
use crate::rules::{self, Ctx, Finding};

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
}

impl Default for Options {
    fn default() -> Self {
        Options {
            claim: ClaimOptions::default(),
            conversion_factor: CONVERSION_FACTOR_2026,
            disabled_rules: Vec::new(),
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

/// Analyses a note. Never fails: any text gives an analysis.
pub fn analyze(text: &str, table: &CodeTable, options: &Options) -> Analysis {
    let note = Note::parse(text);
    let facts = extract::extract(text, &note);
    let mut claims = Vec::with_capacity(facts.len());
    let mut prior: Vec<PriorEncounter> = Vec::new();
    let mut findings = Vec::new();
    for (f, encounter) in facts.iter().zip(&note.encounters) {
        let c = claim::derive(f, &prior, table, &options.claim);
        prior.push(claim::summary(f, &c, table));
        let ctx = Ctx {
            text,
            encounter,
            facts: f,
            claim: &c,
            table,
        };
        findings.extend(
            rules::check(&ctx)
                .into_iter()
                .filter(|x| !options.disabled_rules.iter().any(|d| d == x.code)),
        );
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
