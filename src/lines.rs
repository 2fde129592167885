//! Byte offsets to line and column: lines counted from 0 at `\n`, `\r\n` or
//! a lone `\r`; columns in Unicode scalar values (what the CLI's JSON
//! reports).

/// Line starts of a text, for offset to position conversion.
#[derive(Clone, Debug)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        // Sized by a first count of the line feeds, which a long text's
        // index would otherwise grow into, copy after copy.
        let mut starts = Vec::with_capacity(1 + memchr::memchr_iter(b'\n', bytes).count());
        starts.push(0);
        // A line starts after each `\n`, and after each `\r` that no `\n`
        // follows. Those lone `\r`s are rare (a `\r\n` text has none), so
        // the `\n`s are taken in one pass and the lone `\r`s, if any, merged
        // in after: cheaper than visiting every `\r` of a `\r\n` text in
        // the same pass as the `\n`s.
        starts.extend(memchr::memchr_iter(b'\n', bytes).map(|i| i + 1));
        let lone: Vec<usize> = memchr::memchr_iter(b'\r', bytes)
            .filter(|&i| bytes.get(i + 1) != Some(&b'\n'))
            .map(|i| i + 1)
            .collect();
        if !lone.is_empty() {
            starts = merge(&starts, &lone);
        }
        LineIndex { starts }
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
}

/// Two increasing lists of offsets with none in common, merged.
fn merge(a: &[usize], b: &[usize]) -> Vec<usize> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i] < b[j] {
            out.push(a[i]);
            i += 1;
        } else {
            out.push(b[j]);
            j += 1;
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
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
