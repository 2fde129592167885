//! Applying edits and converting offsets to positions: `fix::apply` never
//! panics, whatever the ranges (out of order, overlapping, past the end,
//! inside a character), and gives what applying the acceptable edits one by
//! one from the end gives; `LineIndex` turns every offset into a position
//! that points back at the same place.

#![no_main]

use arbitrary::Arbitrary;
use dermls::Span;
use dermls::fix::{Edit, apply};
use dermls::lines::LineIndex;
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input {
    text: String,
    edits: Vec<(u16, u16, String)>,
    offsets: Vec<u16>,
}

fuzz_target!(|input: Input| {
    let text = input.text.as_str();
    let edits: Vec<Edit> = input
        .edits
        .iter()
        .map(|(a, b, t)| Edit::new(Span::new(*a as usize, *b as usize), t.clone()))
        .collect();
    let (out, applied) = apply(text, &edits);
    assert!(applied <= edits.len());
    // The edits `apply` takes: in position order, in the text, on
    // boundaries, not overlapping one taken before, not a repeat.
    let mut order: Vec<&Edit> = edits.iter().collect();
    order.sort_by_key(|e| (e.span.start, e.span.end));
    let mut taken: Vec<&Edit> = Vec::new();
    let mut pos = 0;
    for e in order {
        let Span { start, end } = e.span;
        if start < pos
            || end < start
            || end > text.len()
            || !text.is_char_boundary(start)
            || !text.is_char_boundary(end)
            || taken.contains(&e)
        {
            continue;
        }
        taken.push(e);
        pos = end;
    }
    assert_eq!(taken.len(), applied);
    let mut want = text.to_string();
    for e in taken.iter().rev() {
        want.replace_range(e.span.start..e.span.end, &e.new_text);
    }
    assert_eq!(out, want);

    let index = LineIndex::new(text);
    for o in &input.offsets {
        let mut offset = (*o as usize).min(text.len());
        let (line, col) = index.position(text, offset);
        // Inside a character, a position means the character's start.
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        // Walk the text to the same line and column.
        let mut l = 0;
        let mut line_start = 0;
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < offset {
            match bytes[i] {
                b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                    if i + 1 >= offset {
                        break;
                    }
                    i += 2;
                    l += 1;
                    line_start = i;
                }
                b'\n' | b'\r' => {
                    i += 1;
                    l += 1;
                    line_start = i;
                }
                _ => i += 1,
            }
        }
        assert_eq!(line, l, "line of offset {offset}");
        assert_eq!(
            col,
            text[line_start..offset].chars().count(),
            "column of offset {offset}"
        );
    }
});
