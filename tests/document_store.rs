//! Property tests of the server's document store: any sequence of
//! incremental edits (out-of-range positions, reversed ranges, positions
//! inside surrogate pairs and line breaks, empty and whole-document changes)
//! leaves the text a plain string model gives, in both position encodings;
//! and every offset's position maps back to the same place.

use dermls::lsp::testing::{Change, model_apply, model_lines, round_trip, store_apply};
use proptest::prelude::*;

fn text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("a".to_string()),
        Just("Site: ".to_string()),
        Just("\n".to_string()),
        Just("\r\n".to_string()),
        Just("\r".to_string()),
        Just("é".to_string()),
        Just("×".to_string()),
        Just("😀".to_string()),
        Just("µm".to_string()),
        Just("\u{2028}".to_string()),
        "[a-z ]{0,6}",
    ];
    prop::collection::vec(piece, 0..24).prop_map(|v| v.concat())
}

fn coordinate() -> impl Strategy<Value = u32> {
    prop_oneof![8 => 0u32..8, 1 => Just(u32::MAX), 1 => 8u32..100]
}

fn change() -> impl Strategy<Value = Change> {
    let range = prop::option::weighted(
        0.9,
        [coordinate(), coordinate(), coordinate(), coordinate()],
    );
    (range, text())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn edits_give_the_model_text(
        start in text(),
        batches in prop::collection::vec(prop::collection::vec(change(), 0..4), 0..6),
        utf8 in any::<bool>(),
    ) {
        let mut want = start.clone();
        for batch in &batches {
            for c in batch {
                want = model_apply(&want, c, utf8);
            }
        }
        prop_assert_eq!(store_apply(&start, &batches, utf8), want);
    }

    #[test]
    fn positions_map_back(text in text(), offset in 0usize..64, utf8 in any::<bool>()) {
        let (_, back) = round_trip(&text, offset, utf8);
        // The offset, clamped to the text, moved back to a character
        // boundary and into its line's content.
        let mut o = offset.min(text.len());
        while !text.is_char_boundary(o) {
            o -= 1;
        }
        let lines = model_lines(&text);
        let &(start, end) = lines.iter().rev().find(|(s, _)| *s <= o).expect("a line");
        prop_assert_eq!(back, o.clamp(start, end));
    }
}
