//! The server's document store and position conversion on any text and any
//! changes (huge or reversed positions, positions inside surrogate pairs and
//! line breaks, whole-document replacements), in both encodings: never a
//! panic, always the text a plain string model gives, and every offset's
//! position maps back into the same line.

#![no_main]

use arbitrary::Arbitrary;
use dermls::lsp::testing::{Change, model_apply, model_lines, round_trip, store_apply};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input {
    text: String,
    batches: Vec<Vec<(Option<[u32; 4]>, String)>>,
    offsets: Vec<u16>,
    utf8: bool,
}

fuzz_target!(|input: Input| {
    let batches: Vec<Vec<Change>> = input.batches;
    let mut want = input.text.clone();
    for batch in &batches {
        for c in batch {
            want = model_apply(&want, c, input.utf8);
        }
    }
    assert_eq!(store_apply(&input.text, &batches, input.utf8), want);
    let lines = model_lines(&want);
    for o in input.offsets {
        let (_, back) = round_trip(&want, o as usize, input.utf8);
        let mut o = (o as usize).min(want.len());
        while !want.is_char_boundary(o) {
            o -= 1;
        }
        let &(start, end) = lines.iter().rev().find(|(s, _)| *s <= o).expect("a line");
        assert_eq!(back, o.clamp(start, end));
    }
});
