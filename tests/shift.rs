//! Every span moves with the text before it: analysing `prefix + note`
//! gives, for the note's encounters, exactly the analysis of `note` alone
//! shifted by the prefix's length (`dermls::shift`). Compared as `Debug`
//! text, so a span that `Shift` misses anywhere in the syntax, the facts,
//! the claims or the findings (their related text and fix edits) fails.

use std::path::Path;

use dermls::analysis::{Options, analyze};
use dermls::codes::CodeTable;
use dermls::fix::line_ending;
use dermls::rules::Finding;
use dermls::shift::{Shift, delta};

fn dbg<T: std::fmt::Debug + ?Sized>(x: &T) -> String {
    format!("{x:?}")
}

/// Analyses `note` alone and after a prefix that is an encounter of its
/// own (with the note's line ends and a non-ASCII character), and compares
/// the note's part of the second analysis with the first one moved. Text
/// before the note's first heading joins the prefix's encounter, so that
/// encounter is left out of the comparison.
fn check(name: &str, note: &str) {
    let table = CodeTable::builtin();
    let options = Options::default();
    let eol = line_ending(note);
    let prefix = format!("# Encounter 2001-02-03{eol}Comment: padding Ω{eol}{eol}");
    let whole = format!("{prefix}{note}");
    let mut alone = analyze(note, table, &options);
    let preamble = usize::from(alone.note.encounters[0].heading.is_none());
    alone.shift(delta(0, prefix.len()));
    // Without a preamble, the note's encounters come one later.
    for c in &mut alone.claims {
        c.index += 1 - preamble;
    }
    for f in &mut alone.facts {
        f.index += 1 - preamble;
    }
    let after = analyze(&whole, table, &options);
    assert_eq!(
        after.note.encounters.len(),
        alone.note.encounters.len() + 1 - preamble,
        "{name}: the prefix is one encounter"
    );
    let (a, b) = (1, preamble);
    assert_eq!(
        dbg(&after.note.encounters[a..]),
        dbg(&alone.note.encounters[b..]),
        "{name}: encounters"
    );
    assert_eq!(
        dbg(&after.facts[a..]),
        dbg(&alone.facts[b..]),
        "{name}: facts"
    );
    assert_eq!(
        dbg(&after.claims[a..]),
        dbg(&alone.claims[b..]),
        "{name}: claims"
    );
    let from = after
        .note
        .encounters
        .get(1)
        .map_or(usize::MAX, |e| e.span.start);
    let in_note = |f: &&Finding| f.span.start >= from;
    let findings: Vec<&Finding> = after.findings.iter().filter(in_note).collect();
    let expected: Vec<&Finding> = alone.findings.iter().filter(in_note).collect();
    assert_eq!(dbg(&findings), dbg(&expected), "{name}: findings");
}

fn notes_under(dir: &Path, out: &mut Vec<(String, String)>) {
    for e in std::fs::read_dir(dir).expect("read dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            notes_under(&p, out);
        } else if p.extension().is_some_and(|x| x == "derm") {
            let text = std::fs::read_to_string(&p).expect("read note");
            out.push((p.display().to_string(), text));
        }
    }
}

#[test]
fn every_note_of_the_test_suite() {
    let mut notes = Vec::new();
    notes_under(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests"),
        &mut notes,
    );
    assert!(notes.len() >= 40, "{} notes found", notes.len());
    for (name, text) in &notes {
        check(name, text);
    }
}

/// Billing items with text the parser cannot read, bad units, specimen
/// lines, bullets and ignore comments, after a preamble of text.
const ODD: &str = "Payer: Medicare
# Encounter 2026-04-01
<!-- dermls-ignore: payer/unknown -->
## Procedure: shave biopsy
(A) left upper arm: 0.4 cm papule, r/o BCC
(B) right cheek 5 mm from the alar crease: 3 mm pink macule
* tangential technique
## Billing
- 11102 something x-3  Dx: D48.5 more
- 11103 x99999999999
- 1110
";

#[test]
fn odd_lines() {
    check("odd", ODD);
    check("odd crlf", &ODD.replace('\n', "\r\n"));
}

#[test]
fn generated_corpora() {
    for seed in 0..4 {
        check(
            &format!("corpus seed {seed}"),
            &dermls::corpus::generate(seed, 80_000),
        );
    }
}

#[test]
fn the_check_would_catch_a_missed_span() {
    // A finding whose related span is left behind does not compare equal.
    let note = include_str!("examples/e12-billing-errors.derm");
    let table = CodeTable::builtin();
    let a = analyze(note, table, &Options::default());
    let mut moved = a.clone();
    moved.shift(10);
    let mut missed = moved.clone();
    let f = missed
        .findings
        .iter_mut()
        .find(|f| !f.related.is_empty() || f.fix.is_some())
        .expect("a finding with related text or a fix");
    if let Some((span, _)) = f.related.first_mut() {
        span.shift(-10);
    } else if let Some(fix) = &mut f.fix {
        fix.edits[0].span.shift(-10);
    }
    assert_ne!(dbg(&missed.findings), dbg(&moved.findings));
}
