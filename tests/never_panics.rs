//! Property tests: parsing and the whole analysis never panic, whatever the
//! text, and every span they report lies inside the text on character
//! boundaries; fixes and "Insert billing codes" never change a byte outside
//! the Billing sections and reach a fixed point.

use dermls::analysis::{Options, analyze};
use dermls::codes::CodeTable;
use dermls::fix::{apply, billing_edits, fix_all};
use proptest::prelude::*;

mod common;
use common::outside_billing;

/// Text built from note-like pieces, so the search reaches deep into the
/// parser and the rules, mixed with arbitrary characters.
fn note_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("# Encounter 2026-03-14\n".to_string()),
        Just("## Procedure: ".to_string()),
        Just("## Billing\n".to_string()),
        Just("## Assessment and plan\n".to_string()),
        Just("Payer: ".to_string()),
        Just("E/M: 99213\n".to_string()),
        Just("Site: left forearm, 5 cm distal to the elbow\n".to_string()),
        Just("Lesion: 0.6 × 0.5 cm papule\n".to_string()),
        Just("Margins: 2 mm\n".to_string()),
        Just("Repair: intermediate, 3.2 cm\n".to_string()),
        Just("Stage 1: 7 blocks, mapped, clear\n".to_string()),
        Just("(A) right cheek: 0.5 cm papule, r/o BCC\n".to_string()),
        Just("- 11102-59 x2  Dx: D49.2\n".to_string()),
        Just("- 11102-ZZ-59-25-XS x-3 x99999999999999999999\n".to_string()),
        Just("12 AKs treated with LN2. ".to_string()),
        Just("- 17000\n- 17003 x13\n- 17004  Dx: L82.1\n".to_string()),
        Just("- 99213-25\n<!-- dermls-ignore: code/mue -->\n".to_string()),
        Just("- 11603 x3\n- 12032-59\n- 17313\n- 17312 x2\n".to_string()),
        Just("punch biopsy excision cryo Mohs NB-UVB shave removal ".to_string()),
        Just("\r\n".to_string()),
        Just("\r".to_string()),
        Just("é😀µ×".to_string()),
        "[a-zA-Z0-9 .,:;()#/x×-]{0,12}",
        any::<String>(),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

fn check(text: &str) {
    let a = analyze(text, CodeTable::builtin(), &Options::default());
    for f in &a.findings {
        assert!(
            f.span.start <= f.span.end && f.span.end <= text.len(),
            "span out of range"
        );
        assert!(text.is_char_boundary(f.span.start) && text.is_char_boundary(f.span.end));
    }
    for c in &a.claims {
        for l in &c.lines {
            for s in &l.sources {
                assert!(
                    s.end <= text.len()
                        && text.is_char_boundary(s.start)
                        && text.is_char_boundary(s.end)
                );
            }
        }
    }
}

fn check_fixes(text: &str) {
    let table = CodeTable::builtin();
    let options = Options::default();
    let (fixed, _) = fix_all(text, table, &options);
    if text.contains("## Billing") {
        assert_eq!(outside_billing(&fixed), outside_billing(text));
    }
    let a = analyze(text, table, &options);
    let (inserted, _) = apply(text, &billing_edits(text, &a));
    let b = analyze(&inserted, table, &options);
    assert!(
        billing_edits(&inserted, &b).is_empty(),
        "second insert changes text"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 600, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        check(&text);
    }

    #[test]
    fn note_like_text_never_panics(text in note_like()) {
        check(&text);
    }

    #[test]
    fn fixes_stay_in_the_billing_section(text in note_like()) {
        check_fixes(&text);
    }
}

/// Found by `fixes_stay_in_the_billing_section`: emptying a Billing section
/// before the first encounter removed the text's first line end, and the
/// second insert took the next one (`\r\n`) for the encounter's lines.
#[test]
fn a_second_insert_keeps_each_encounters_line_ending() {
    check_fixes("## Billing\né😀µ×\r\n# Encounter 2026-03-14\nE/M: 99213\n");
}
