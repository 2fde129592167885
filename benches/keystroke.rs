//! The server's work per keystroke: one `didChange` through to the
//! diagnostics notification it would write (the change applied to the
//! document store, the incremental analysis, the notification's JSON), on
//! a 300-line note and on a 2 MB generated document, typing in the middle.
//!
//! `cargo bench --bench keystroke` first types 2,000 keystrokes into each
//! document, timing each one on rayon's pool as the server does, and prints
//! p50, p99 and the slowest, until the notification is written (the server
//! sends it then) and until the analysis is settled too (the spans after
//! the change moved, which the server does after sending); then divan times the same keystrokes (from its
//! own thread, so the span moves wait for the pool to wake: a little
//! slower). `DERMLS_BENCH_SMALL=1 cargo bench
//! --bench keystroke` types a few keystrokes into a small note and runs
//! each divan bench once, as CI does.

use std::sync::LazyLock;
use std::time::Instant;

use dermls::corpus;
use dermls::lsp::testing::{Change, Editor, Published};
use divan::Bencher;

/// The allocator and its setting that `dermls serve` runs with.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

static SMALL: LazyLock<bool> = LazyLock::new(|| std::env::var_os("DERMLS_BENCH_SMALL").is_some());

/// The note of at least `lines` lines, and the 2 MB document.
fn note(lines: usize) -> String {
    let mut bytes = lines * 25;
    loop {
        let text = corpus::generate(1, bytes);
        if text.lines().count() >= lines {
            return text;
        }
        bytes += 500;
    }
}

fn document(large: bool) -> String {
    if large && !*SMALL {
        corpus::generate(1, 2_000_000)
    } else {
        note(300)
    }
}

/// Types into a document at the end of a field line in its middle: a word
/// of ten letters, then ten backspaces, over and over, each keystroke its
/// own `didChange`.
struct Typist {
    editor: Editor,
    /// The line and UTF-16 column where typing starts, the letters typed
    /// since, and whether they are being erased.
    line: u32,
    column: u32,
    typed: u32,
    erasing: bool,
}

impl Typist {
    fn new(text: &str) -> Typist {
        let middle = text.len() / 2;
        let at = text[middle..]
            .find("\nSite:")
            .map(|i| middle + i + 1)
            .unwrap_or(0);
        let line_text = &text[at..];
        let end = line_text.find(['\r', '\n']).unwrap_or(line_text.len());
        let line = text[..at].matches('\n').count() as u32
            + text[..at].matches('\r').count() as u32
            - text[..at].matches("\r\n").count() as u32;
        Typist {
            editor: Editor::open(text),
            line,
            column: line_text[..end].encode_utf16().count() as u32,
            typed: 0,
            erasing: false,
        }
    }

    /// One keystroke; returns the diagnostics the server would publish.
    fn key(&mut self) -> Published {
        let (l, c) = (self.line, self.column + self.typed);
        let change: Change = if self.erasing {
            self.typed -= 1;
            self.erasing = self.typed > 0;
            (Some([l, c - 1, l, c]), String::new())
        } else {
            self.typed += 1;
            self.erasing = self.typed == 10;
            (Some([l, c, l, c]), "x".to_string())
        };
        self.editor.change(&change)
    }
}

/// Times `n` keystrokes one by one and prints the percentiles, through
/// to the JSON of the `publishDiagnostics` notification the server would
/// write.
fn percentiles(name: &str, text: &str, n: usize) {
    let mut t = Typist::new(text);
    // Warm up: a few keystrokes before timing.
    for _ in 0..20 {
        t.key();
    }
    let mut diagnostics = 0;
    // Per keystroke: until the notification is written, and until the
    // analysis is settled too (the next keystroke can start).
    let (mut written, mut settled): (Vec<f64>, Vec<f64>) = (0..n)
        .map(|_| {
            let started = Instant::now();
            let published = divan::black_box(t.key());
            let done = started.elapsed().as_secs_f64() * 1e3;
            let written = (published.written() - started).as_secs_f64() * 1e3;
            diagnostics = published.len();
            // Dropped after the timing, as the server drops it once written.
            drop(published);
            (written, done)
        })
        .unzip();
    println!(
        "keystroke {name}: {} bytes, {} lines, {} encounters, {diagnostics} diagnostics, {n} keystrokes",
        text.len(),
        text.lines().count(),
        dermls::note::encounter_chunks(text).len(),
    );
    for (what, times) in [
        ("to the notification", &mut written),
        ("settled too        ", &mut settled),
    ] {
        times.sort_by(f64::total_cmp);
        let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
        println!(
            "  {what}  p50 {:.3} ms  p99 {:.3} ms  max {:.3} ms",
            at(0.5),
            at(0.99),
            at(1.0),
        );
    }
}

fn main() {
    // As `main.rs` sets it: freed memory is kept, not handed back.
    // SAFETY: setting an option takes no pointer.
    unsafe { libmimalloc_sys::mi_option_set(15, -1) };
    let small = note(300);
    if *SMALL {
        rayon::scope(|_| percentiles("300-line note", &small, 20));
        divan::Divan::from_args().test_benches();
        return;
    }
    let large = document(true);
    // On rayon's pool, as the server runs its analyses.
    rayon::scope(|_| {
        percentiles("300-line note", &small, 2000);
        percentiles("2 MB document", &large, 2000);
    });
    divan::Divan::from_args().main();
}

fn keystrokes(bencher: Bencher, large: bool) {
    let mut t = Typist::new(&document(large));
    bencher.bench_local(|| t.key());
}

#[divan::bench(sample_count = 200, sample_size = 1)]
fn keystroke_300_lines(bencher: Bencher) {
    keystrokes(bencher, false);
}

#[divan::bench(sample_count = 200, sample_size = 1)]
fn keystroke_2mb(bencher: Bencher) {
    keystrokes(bencher, true);
}
