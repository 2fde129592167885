//! The incremental analysis is the whole one: for random sequences of
//! edits on generated notes (characters inserted and deleted anywhere,
//! headings broken and made so that encounters split and merge, dates
//! changed under a modifier-58 chain, text cut and pasted elsewhere),
//! `Incremental::analyze` after each edit gives exactly what
//! `analysis::analyze` gives for the same text, compared as `Debug` text.

use std::sync::Arc;

use dermls::analysis::{Analysis, Options, analyze};
use dermls::codes::CodeTable;
use dermls::corpus::generate;
use dermls::incremental::{Incremental, Pending};
use dermls::shift::Shift;
use proptest::prelude::*;

fn assert_same(got: &Analysis, text: &str, options: &Options, step: usize) {
    let want = analyze(text, CodeTable::builtin(), options);
    let d = |x: &dyn std::fmt::Debug| format!("{x:?}");
    assert_eq!(d(&got.note), d(&want.note), "step {step}: note");
    assert_eq!(d(&got.facts), d(&want.facts), "step {step}: facts");
    assert_eq!(d(&got.claims), d(&want.claims), "step {step}: claims");
    assert_eq!(d(&got.findings), d(&want.findings), "step {step}: findings");
}

#[derive(Clone, Debug)]
enum Edit {
    Insert(String),
    Delete(usize),
    /// Cut this many characters and paste them at another place.
    Move(usize, u32),
    /// Change the digit of a heading's date at or after the place.
    Date(char),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => prop::sample::select(vec![
            "a", "x", " ", "\n", "\r", "\r\n", "#", "# ", "1", "9", "-", "é", "😀", ":",
        ])
        .prop_map(|s| Edit::Insert(s.to_string())),
        2 => prop::sample::select(vec![
            "# Encounter 2026-03-21\n",
            "\n# Encounter ",
            "# Encounter 2026-05-02 re-excision\nPayer: Medicare\n## Procedure: re-excision\nSite: left forearm\nRepair: intermediate, 7.5 cm\nPathology: margins clear\nDx: C44.529\n",
            "## Procedure: excision\nLesion: 1.2 cm BCC\nMargins: 4 mm\n",
            "## Billing\n- 11602\n",
            "re-excision for positive margins ",
            "Encounter",
        ])
        .prop_map(|s| Edit::Insert(s.to_string())),
        3 => (1usize..30).prop_map(Edit::Delete),
        1 => (20usize..600, any::<u32>()).prop_map(|(n, to)| Edit::Move(n, to)),
        1 => prop::sample::select(vec!['0', '1', '3', '9']).prop_map(Edit::Date),
    ]
}

/// The character boundary at or before `at`.
fn boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The byte offset `n` characters after `at` (or the end).
fn chars_after(text: &str, at: usize, n: usize) -> usize {
    text[at..]
        .char_indices()
        .nth(n)
        .map_or(text.len(), |(i, _)| at + i)
}

fn apply(text: &mut String, edit: &Edit, place: u32) {
    let at = boundary(text, (place as usize) % (text.len() + 1));
    match edit {
        Edit::Insert(s) => text.insert_str(at, s),
        Edit::Delete(n) => {
            let end = chars_after(text, at, *n);
            text.replace_range(at..end, "");
        }
        Edit::Move(n, to) => {
            let end = chars_after(text, at, *n);
            let cut: String = text[at..end].to_string();
            text.replace_range(at..end, "");
            let to = boundary(text, (*to as usize) % (text.len() + 1));
            text.insert_str(to, &cut);
        }
        Edit::Date(d) => {
            if let Some(h) = text[at..].find("# Encounter 20") {
                let digit = at + h + "# Encounter 20".len() + 3;
                if text
                    .get(digit..digit + 1)
                    .is_some_and(|c| c.as_bytes()[0].is_ascii_digit())
                {
                    text.replace_range(digit..digit + 1, &d.to_string());
                }
            }
        }
    }
}

/// How a step's analysis is asked for.
#[derive(Clone, Copy, Debug)]
enum Ask {
    /// `Incremental::analyze`.
    Whole,
    /// In two steps, the unsettled analysis checked too.
    TwoSteps,
    /// Unsettled and never settled: the next step starts from nothing.
    Dropped,
}

fn ask() -> impl Strategy<Value = Ask> {
    prop_oneof![2 => Just(Ask::Whole), 2 => Just(Ask::TwoSteps), 1 => Just(Ask::Dropped)]
}

/// Asserts that an analysis not yet settled is the whole analysis of
/// `text` with the parts `pending` names still at their old offsets.
fn assert_unsettled(got: &Analysis, pending: Option<Pending>, text: &str, options: &Options) {
    let mut want = analyze(text, CodeTable::builtin(), options);
    if let Some(p) = pending {
        want.note.encounters[p.encounter..].shift(-p.delta);
        want.facts[p.encounter..].shift(-p.delta);
        want.claims[p.encounter..].shift(-p.delta);
        want.findings[p.finding..].shift(-p.delta);
    }
    let d = |x: &dyn std::fmt::Debug| format!("{x:?}");
    assert_eq!(d(got), d(&want), "unsettled, {pending:?}");
}

/// Applies the edits one by one and compares after each; `hold` keeps the
/// previous analysis alive during the next call (the analysis is then
/// copied instead of taken apart).
fn run(mut text: String, edits: &[(Edit, u32, bool, Ask)], options: &Options) {
    let table = CodeTable::builtin();
    let mut inc = Incremental::new();
    let first = inc.analyze(0, &text, table, options);
    assert_same(&first, &text, options, 0);
    let mut held: Option<Arc<Analysis>> = None;
    for (step, (edit, place, hold, ask)) in edits.iter().enumerate() {
        apply(&mut text, edit, *place);
        let shared = Arc::new(text.clone());
        let a = match ask {
            Ask::Whole => inc.analyze(0, &text, table, options),
            Ask::TwoSteps => {
                let (mut a, pending) = inc.analyze_unsettled(0, shared, table, options);
                assert_unsettled(&a, pending, &text, options);
                inc.settle(&mut a, pending);
                a
            }
            Ask::Dropped => {
                let (a, pending) = inc.analyze_unsettled(0, shared, table, options);
                assert_unsettled(&a, pending, &text, options);
                held = None;
                continue;
            }
        };
        assert_same(&a, &text, options, step + 1);
        held = hold.then_some(a);
    }
    drop(held);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    #[test]
    fn every_version_is_analysed_as_a_whole(
        seed in 0u64..10_000,
        bytes in 200usize..6_000,
        edits in prop::collection::vec((edit(), any::<u32>(), any::<bool>(), ask()), 1..25),
    ) {
        run(generate(seed, bytes), &edits, &Options::default());
    }
}

#[test]
fn a_modifier_58_chain_follows_the_dates_before_it() {
    // The corpus's re-excisions take 58 from an earlier excision's global
    // period; moving that excision's date away, and back, changes the claim
    // of the re-excision, which is not edited itself.
    let text = generate(11, 120_000);
    let options = Options::default();
    let table = CodeTable::builtin();
    let mut inc = Incremental::new();
    let a = inc.analyze(0, &text, table, &options);
    let (i, _) = a
        .claims
        .iter()
        .enumerate()
        .find(|(_, c)| {
            c.lines
                .iter()
                .any(|l| l.modifiers.iter().any(|m| m == "58"))
        })
        .expect("a claim with modifier 58");
    let earlier = &a.facts[i - 1];
    let heading = earlier.heading.expect("a heading");
    let year = text[heading.start..heading.end].find("20").unwrap() + heading.start;
    let mut edited = text.clone();
    edited.replace_range(year..year + 4, "2019");
    let b = inc.analyze(0, &edited, table, &options);
    assert_same(&b, &edited, &options, 1);
    assert!(
        !b.claims[i]
            .lines
            .iter()
            .any(|l| l.modifiers.iter().any(|m| m == "58")),
        "58 gone with the earlier excision's date"
    );
    assert_eq!(inc.stats().analysed, 1);
    let c = inc.analyze(0, &text, table, &options);
    assert_same(&c, &text, &options, 2);
    assert_eq!(inc.stats().analysed, 1);
    assert!(inc.stats().rederived >= 1, "{:?}", inc.stats());
}

#[test]
fn options_and_line_ends_of_the_whole_text() {
    let options = Options {
        disabled_rules: vec!["doc/biopsy-site".into()],
        ..Options::default()
    };
    let table = CodeTable::builtin();
    let text = generate(5, 8_000);
    let mut inc = Incremental::new();
    inc.analyze(0, &text, table, &Options::default());
    let a = inc.analyze(1, &text, table, &options);
    assert_same(&a, &text, &options, 1);
    // The first line end decides the line end fixes write, in every
    // encounter.
    let crlf = format!("x\r\n{text}");
    let b = inc.analyze(1, &crlf, table, &options);
    assert_same(&b, &crlf, &options, 2);
    let lf = format!("x\n{text}");
    let c = inc.analyze(1, &lf, table, &options);
    assert_same(&c, &lf, &options, 3);
}

#[test]
fn a_re_excision_that_becomes_the_first_encounter_looks_back_no_more() {
    // Blank lines first, so the first encounter does not start the text.
    let excision = "# Encounter 2026-03-01\nPayer: Medicare\n\n## Procedure: excision\nSite: left cheek\nLesion: 1.0 cm BCC\nMargins: 4 mm\nRepair: intermediate, 3 cm\nPathology: BCC, positive deep margin\nDx: C44.319\n\n";
    let re_excision = "# Encounter 2026-03-08 re-excision\nPayer: Medicare\n\n## Procedure: re-excision\nSite: left cheek\nLesion: 2.5 cm healing excision scar with a positive deep margin\nMargins: 0.5 cm\nTechnique: re-excision for positive margins\nRepair: intermediate, layered closure, 7.5 cm\nPathology: margins clear\nDx: C44.319\n";
    let table = CodeTable::builtin();
    let options = Options::default();
    let mut inc = Incremental::new();
    let before = format!("\n\n{excision}{re_excision}");
    let a = inc.analyze(0, &before, table, &options);
    assert_same(&a, &before, &options, 0);
    assert!(
        a.claims[1]
            .lines
            .iter()
            .any(|l| l.modifiers.iter().any(|m| m == "58"))
    );
    let after = format!("\n\n{re_excision}");
    let b = inc.analyze(0, &after, table, &options);
    assert_same(&b, &after, &options, 1);
    assert_eq!(inc.stats().analysed, 0, "kept, and derived again");
    assert!(
        !b.claims[0]
            .lines
            .iter()
            .any(|l| l.modifiers.iter().any(|m| m == "58"))
    );
}
