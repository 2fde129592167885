//! Byte offsets to line and column: lines counted from 0 at `\n`, `\r\n` or
//! a lone `\r`; columns in Unicode scalar values (what the CLI's JSON
//! reports).

use crate::note::scan::{count_line_starts, line_starts};

/// Line starts of a text, for offset to position conversion.
#[derive(Clone, Debug)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        if text.len() < PARALLEL_INDEX {
            return LineIndex {
                starts: starts_of(text.as_bytes()),
            };
        }
        LineIndex {
            starts: starts_in_pieces(text.as_bytes(), INDEX_PIECE),
        }
    }

    /// The 0-based line and the column in Unicode scalar values of a byte
    /// offset (clamped to the text, snapped back to a character boundary).
    pub fn position(&self, text: &str, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        (line, text[start..offset].chars().count())
    }

    /// [`LineIndex::position`], looking for the line from `near`, the line
    /// of an offset asked about just before, which it then holds this
    /// one's. A note's findings come in the order of their text, a few
    /// lines apart: the search steps forward from the last one's line, in
    /// strides that double, and touches a few neighbouring starts instead
    /// of a search through a long note's whole index, which misses the
    /// cache at each step.
    pub fn position_near(&self, text: &str, offset: usize, near: &mut usize) -> (usize, usize) {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let starts = &self.starts;
        let line = match starts.get(*near) {
            Some(&s) if s <= offset => {
                // `starts[from] <= offset`, and `to` is the end or a start
                // past the offset: the line lies in `from..to`.
                let (mut from, mut stride) = (*near, 1);
                let to = loop {
                    match starts.get(from + stride) {
                        Some(&s) if s <= offset => {
                            from += stride;
                            stride *= 2;
                        }
                        Some(_) => break from + stride,
                        None => break starts.len(),
                    }
                };
                from + starts[from..to].partition_point(|&s| s <= offset) - 1
            }
            _ => starts.partition_point(|&s| s <= offset) - 1,
        };
        *near = line;
        (line, text[starts[line]..offset].chars().count())
    }
}

/// Texts at least this long are indexed on all cores: on a 20 MB note
/// the index is a tenth of the work done before the analysis can start.
const PARALLEL_INDEX: usize = 1 << 20;

/// The bytes each task of the parallel indexing looks at.
const INDEX_PIECE: usize = 256 << 10;

/// Every line start of `bytes`, 0 first, in one pass: after each `\n`,
/// and after each `\r` that no `\n` follows.
fn starts_of(bytes: &[u8]) -> Vec<usize> {
    // Room for a line every 32 bytes, about a note's: most texts' index
    // then grows once at most.
    let mut starts = Vec::with_capacity(1 + bytes.len() / 32);
    starts.push(0);
    line_starts(bytes, 0, bytes.len(), |s| starts.push(s));
    starts
}

/// Every line start of `bytes`, 0 first, found on all cores: each piece
/// of `piece` bytes counts its line starts, then, once each piece's place
/// in the list is known, writes them there (each core faults in and fills
/// its share of the list, and no piece needs a list of its own).
fn starts_in_pieces(bytes: &[u8], piece: usize) -> Vec<usize> {
    use rayon::prelude::*;
    let piece = piece.max(1);
    let range = |k: usize| (k * piece, ((k + 1) * piece).min(bytes.len()));
    let counted: Vec<usize> = (0..bytes.len().div_ceil(piece))
        .into_par_iter()
        .map(|k| {
            let (from, to) = range(k);
            count_line_starts(bytes, from, to)
        })
        .collect();
    let mut starts = vec![0; 1 + counted.iter().sum::<usize>()];
    // Each piece's slot in the list, split off in order.
    let mut slots = Vec::with_capacity(counted.len());
    let mut rest = &mut starts[1..];
    for n in &counted {
        let (slot, tail) = rest.split_at_mut(*n);
        slots.push(slot);
        rest = tail;
    }
    slots.into_par_iter().enumerate().for_each(|(k, slot)| {
        let (from, to) = range(k);
        let mut n = 0;
        line_starts(bytes, from, to, |s| {
            slot[n] = s;
            n += 1;
        });
    });
    starts
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The line starts as found before: one pass over every `\n` and `\r`.
    fn reference_starts(text: &str) -> Vec<usize> {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
                starts.push(i + 1);
            }
        }
        starts
    }

    proptest! {
        #[test]
        fn starts_agree_with_a_scan_of_every_byte(text in "[a\r\n×]{0,40}") {
            prop_assert_eq!(LineIndex::new(&text).starts, reference_starts(&text));
        }
    }

    proptest! {
        /// Pieces of any size (so with a `\r`, a `\n` or a character at
        /// every boundary) give the starts of one pass.
        #[test]
        fn starts_in_pieces_agree_with_one_pass(text in "[a\r\n×]{0,40}", piece in 1usize..9) {
            prop_assert_eq!(starts_in_pieces(text.as_bytes(), piece), reference_starts(&text));
            prop_assert_eq!(starts_of(text.as_bytes()), reference_starts(&text));
        }
    }

    /// A text long enough to be indexed in parallel gets the same starts.
    #[test]
    fn a_long_text_is_indexed_in_parallel_with_the_same_starts() {
        let text = "ab\r\n×\rc\n\n\r".repeat(PARALLEL_INDEX / 8);
        assert!(text.len() >= PARALLEL_INDEX);
        assert_eq!(LineIndex::new(&text).starts, reference_starts(&text));
    }

    proptest! {
        /// From any line, before or after the offset's own or past the
        /// last, the search near it finds what the whole search does.
        #[test]
        fn positions_near_a_line_are_positions(
            text in "[a\r\n×]{0,60}",
            offsets in proptest::collection::vec(0usize..70, 1..12),
            near in 0usize..70,
        ) {
            let index = LineIndex::new(&text);
            let mut near = near;
            for offset in offsets {
                prop_assert_eq!(
                    index.position_near(&text, offset, &mut near),
                    index.position(&text, offset)
                );
                prop_assert_eq!(near, index.position(&text, offset).0);
            }
        }
    }

    #[test]
    fn positions_with_multibyte_and_crlf() {
        let text = "a×b\r\né😀x\rz";
        let idx = LineIndex::new(text);
        assert_eq!(idx.position(text, 0), (0, 0));
        assert_eq!(idx.position(text, text.find('b').unwrap()), (0, 2));
        assert_eq!(idx.position(text, text.find('x').unwrap()), (1, 2));
        assert_eq!(idx.position(text, text.find('z').unwrap()), (2, 0));
        assert_eq!(idx.position(text, 10_000), (2, 1));
        // Inside the emoji: snapped back to its start.
        assert_eq!(idx.position(text, text.find('😀').unwrap() + 1), (1, 1));
    }
}
