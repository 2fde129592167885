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
        if memchr::memchr(b'\r', bytes).is_none() {
            // The usual case: lines end at `\n` alone.
            starts.extend(memchr::memchr_iter(b'\n', bytes).map(|i| i + 1));
        } else {
            // Only the line ends are visited: `memchr2` skips the text
            // between them a word at a time.
            for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
                if bytes[i] == b'\n' || bytes.get(i + 1) != Some(&b'\n') {
                    starts.push(i + 1);
                }
            }
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

#[cfg(test)]
mod tests {
    use super::*;

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
