//! Throughput of each stage of the analysis, in bytes per second, on
//! generated corpora of 10 KB, 1 MB and 20 MB (`dermls::corpus`).
//!
//! `cargo bench --bench throughput` runs them all; `DERMLS_BENCH_SMALL=1
//! cargo bench --bench throughput` runs each once on 10 KB, as CI does, so
//! that they keep compiling and working without timing anything.

use std::sync::LazyLock;

use dermls::analysis::{self, Options};
use dermls::codes::CodeTable;
use dermls::corpus;
use dermls::extract;
use dermls::note::Note;
use dermls::rules::claim::{self, PriorEncounter};
use divan::Bencher;
use divan::counter::BytesCount;

/// Sizes of the 10 KB and 1 MB corpora; the 20 MB one has benchmarks of
/// its own with few samples.
const SIZES: &[usize] = &[10_000, 1_000_000];
const LARGE: usize = 20_000_000;

static SMALL: LazyLock<bool> = LazyLock::new(|| std::env::var_os("DERMLS_BENCH_SMALL").is_some());

fn main() {
    let divan = divan::Divan::from_args();
    if *SMALL {
        divan.test_benches();
    } else {
        divan.main();
    }
}

/// The corpus of `bytes` bytes (10 KB in the small mode).
fn text(bytes: usize) -> String {
    corpus::generate(1, if *SMALL { bytes.min(10_000) } else { bytes })
}

fn parse(bencher: Bencher, bytes: usize) {
    let text = text(bytes);
    bencher
        .counter(BytesCount::new(text.len()))
        .bench(|| Note::parse(divan::black_box(&text)));
}

fn extract(bencher: Bencher, bytes: usize) {
    let text = text(bytes);
    let note = Note::parse(&text);
    bencher
        .counter(BytesCount::new(text.len()))
        .bench(|| extract::extract(divan::black_box(&text), &note));
}

fn derive(bencher: Bencher, bytes: usize) {
    let text = text(bytes);
    let facts = extract::extract(&text, &Note::parse(&text));
    let table = CodeTable::builtin();
    let options = Options::default();
    bencher.counter(BytesCount::new(text.len())).bench(|| {
        let mut prior: Vec<PriorEncounter> = Vec::with_capacity(facts.len());
        let mut claims = Vec::with_capacity(facts.len());
        for f in divan::black_box(&facts) {
            let c = claim::derive(f, &prior, table, &options.claim);
            prior.push(claim::summary(f, &c, table));
            claims.push(c);
        }
        claims
    });
}

/// The whole analysis on one core: parse, extract, derive and the rules.
fn check(bencher: Bencher, bytes: usize) {
    let text = text(bytes);
    let table = CodeTable::builtin();
    let options = Options::default();
    bencher
        .counter(BytesCount::new(text.len()))
        .bench(|| analysis::analyze(divan::black_box(&text), table, &options));
}

/// The whole analysis on all cores, as `dermls check` runs it.
fn check_parallel(bencher: Bencher, bytes: usize) {
    let text = text(bytes);
    let table = CodeTable::builtin();
    let options = Options::default();
    bencher
        .counter(BytesCount::new(text.len()))
        .bench(|| analysis::report(divan::black_box(&text), table, &options));
}

mod corpus_10kb_1mb {
    use super::*;

    #[divan::bench(args = SIZES, sample_count = 20)]
    fn parse(bencher: Bencher, bytes: usize) {
        super::parse(bencher, bytes);
    }

    #[divan::bench(args = SIZES, sample_count = 20)]
    fn extract(bencher: Bencher, bytes: usize) {
        super::extract(bencher, bytes);
    }

    #[divan::bench(args = SIZES, sample_count = 20)]
    fn derive(bencher: Bencher, bytes: usize) {
        super::derive(bencher, bytes);
    }

    #[divan::bench(args = SIZES, sample_count = 20)]
    fn check(bencher: Bencher, bytes: usize) {
        super::check(bencher, bytes);
    }

    #[divan::bench(args = SIZES, sample_count = 20)]
    fn check_parallel(bencher: Bencher, bytes: usize) {
        super::check_parallel(bencher, bytes);
    }
}

mod corpus_20mb {
    use super::*;

    #[divan::bench(sample_count = 3, sample_size = 1)]
    fn parse(bencher: Bencher) {
        super::parse(bencher, LARGE);
    }

    #[divan::bench(sample_count = 3, sample_size = 1)]
    fn extract(bencher: Bencher) {
        super::extract(bencher, LARGE);
    }

    #[divan::bench(sample_count = 3, sample_size = 1)]
    fn derive(bencher: Bencher) {
        super::derive(bencher, LARGE);
    }

    #[divan::bench(sample_count = 3, sample_size = 1)]
    fn check(bencher: Bencher) {
        super::check(bencher, LARGE);
    }

    #[divan::bench(sample_count = 3, sample_size = 1)]
    fn check_parallel(bencher: Bencher) {
        super::check_parallel(bencher, LARGE);
    }
}
