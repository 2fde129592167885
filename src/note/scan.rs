//! Finding the line ends (or other bytes) of a text thirty-two bytes at
//! a time, for the parser and the line index: where `memchr` is called once
//! per line and pays its set-up each time, a scan here compares a block
//! of bytes at once and then takes the bytes it found from the
//! block's mask, a few instructions each.

/// The offsets of the bytes `A` and `B` in a text from some offset on, in
/// order. Each block of [`BLOCK`] bytes is compared at once (two SSE2
/// registers on x86-64, which every x86-64 processor has; a byte at a
/// time elsewhere), and the last block, shorter, a byte at a time.
#[derive(Clone, Debug)]
pub struct Finder<'a, const A: u8, const B: u8> {
    bytes: &'a [u8],
    /// The start of the block `mask` describes.
    at: usize,
    /// The bytes of the block at `at` not yet given, bit `k` for byte
    /// `at + k`.
    mask: u32,
}

/// The line ends of a text: its `\n` and `\r` bytes.
pub type LineEnds<'a> = Finder<'a, b'\n', b'\r'>;

impl<'a, const A: u8, const B: u8> Finder<'a, A, B> {
    /// The bytes `A` and `B` of `bytes` from offset `from` on.
    pub fn new(bytes: &'a [u8], from: usize) -> Self {
        Finder {
            bytes,
            at: from,
            mask: block_mask::<A, B>(bytes, from),
        }
    }

    /// The first of the bytes still to come that is at `pos` or after,
    /// passing over those before it.
    #[inline]
    pub fn next_from(&mut self, pos: usize) -> Option<usize> {
        loop {
            let i = self.next()?;
            if i >= pos {
                return Some(i);
            }
        }
    }
}

impl<const A: u8, const B: u8> Iterator for Finder<'_, A, B> {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        while self.mask == 0 {
            let next = self.at + BLOCK;
            let rest = self.bytes.get(next..)?;
            if rest.is_empty() {
                return None;
            }
            self.at = next;
            self.mask = rest_mask::<A, B>(rest);
        }
        let k = self.mask.trailing_zeros() as usize;
        self.mask &= self.mask - 1;
        Some(self.at + k)
    }
}

/// Which of the [`BLOCK`] bytes of `bytes` from `at` are `A` or `B`, bit
/// `k` for byte `at + k`, when there are that many bytes from `at`: one
/// block's compare, for a search that most often ends in its first block
/// (such as a field line's `:`).
#[inline(always)]
pub fn full_block_mask<const A: u8, const B: u8>(bytes: &[u8], at: usize) -> Option<u32> {
    let block = bytes.get(at..)?.first_chunk::<BLOCK>()?;
    Some(full_mask::<A, B>(block))
}

/// Calls `found` with the offset of each `#` in `from..to` of `bytes`
/// that starts a line (the text's first byte, or one after a `\n` or
/// `\r`) and that no second `#` follows, in order: where an encounter
/// heading may start. Each block's `#`s, line ends and `##`s are tested
/// together, so the `#`s of section headings and of text cost nothing
/// one at a time.
pub fn line_start_hashes(bytes: &[u8], from: usize, to: usize, mut found: impl FnMut(usize)) {
    let to = to.min(bytes.len());
    let mut at = from;
    while at < to {
        let Some(block) = bytes.get(at..).and_then(|r| r.first_chunk::<BLOCK>()) else {
            break;
        };
        let hashes = full_mask::<b'#', b'#'>(block);
        if hashes != 0 {
            let ends = full_mask::<b'\n', b'\r'>(block);
            // Bit `k`: byte `at + k` starts a line; is followed by a `#`.
            let after_end = at == 0 || matches!(bytes[at - 1], b'\n' | b'\r');
            let starts = ends << 1 | u32::from(after_end);
            let before_hash =
                hashes >> 1 | u32::from(bytes.get(at + BLOCK) == Some(&b'#')) << (BLOCK - 1);
            let mut m = hashes & starts & !before_hash;
            if to - at < BLOCK {
                m &= (1u32 << (to - at)) - 1;
            }
            while m != 0 {
                found(at + m.trailing_zeros() as usize);
                m &= m - 1;
            }
        }
        at += BLOCK;
    }
    // The last bytes, fewer than a block: one at a time.
    for i in at..to {
        if bytes[i] == b'#'
            && (i == 0 || matches!(bytes[i - 1], b'\n' | b'\r'))
            && bytes.get(i + 1) != Some(&b'#')
        {
            found(i);
        }
    }
}

/// Calls `found` with each line start that the line ends in `from..to`
/// of `bytes` make, in order: after each `\n`, and after each `\r` that
/// no `\n` follows (which may lie past `to`). Each block's line ends are
/// told apart from its masks, with no look at their bytes one by one.
pub fn line_starts(bytes: &[u8], from: usize, to: usize, mut found: impl FnMut(usize)) {
    let to = to.min(bytes.len());
    let mut at = from;
    while at < to {
        let Some(block) = bytes.get(at..).and_then(|r| r.first_chunk::<BLOCK>()) else {
            break;
        };
        let mut m = start_mask(bytes, block, at, to);
        while m != 0 {
            found(at + m.trailing_zeros() as usize + 1);
            m &= m - 1;
        }
        at += BLOCK;
    }
    // The last bytes, fewer than a block: one at a time.
    for i in at..to {
        if bytes[i] == b'\n' || (bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
            found(i + 1);
        }
    }
}

/// The line ends of the block at `at` of `bytes` that make a line start,
/// those from `to` on left out: bit `k` for byte `at + k`, a `\n`, or a
/// `\r` that no `\n` follows.
#[inline(always)]
fn start_mask(bytes: &[u8], block: &[u8; BLOCK], at: usize, to: usize) -> u32 {
    let lf = full_mask::<b'\n', b'\n'>(block);
    let cr = full_mask::<b'\r', b'\r'>(block);
    // Bit `k`: byte `at + k + 1` is a `\n`.
    let before_lf = lf >> 1 | u32::from(bytes.get(at + BLOCK) == Some(&b'\n')) << (BLOCK - 1);
    let m = lf | (cr & !before_lf);
    if to - at < BLOCK {
        m & ((1u32 << (to - at)) - 1)
    } else {
        m
    }
}

/// How many line starts the line ends in `from..to` of `bytes` make:
/// its `\n`s, and its `\r`s that no `\n` follows (which may lie past
/// `to`). On x86-64 sixteen bytes are tested at once and the matches
/// summed in SSE2 registers, with no mask to take apart; elsewhere (and
/// for the last bytes) each block's are counted from its masks.
pub fn count_line_starts(bytes: &[u8], from: usize, to: usize) -> usize {
    let to = to.min(bytes.len());
    #[cfg(target_arch = "x86_64")]
    let (mut at, mut count) = count_line_starts_sse2(bytes, from, to);
    #[cfg(not(target_arch = "x86_64"))]
    let (mut at, mut count) = (from, 0);
    while at < to {
        let Some(block) = bytes.get(at..).and_then(|r| r.first_chunk::<BLOCK>()) else {
            break;
        };
        // A bit at a time: the few line ends of a block cost less so
        // than a popcount does without its instruction (which x86-64's
        // baseline lacks).
        let mut m = start_mask(bytes, block, at, to);
        while m != 0 {
            count += 1;
            m &= m - 1;
        }
        at += BLOCK;
    }
    // The last bytes, fewer than a block: one at a time.
    for i in at..to {
        if bytes[i] == b'\n' || (bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
            count += 1;
        }
    }
    count
}

/// [`count_line_starts`] over the sixteen-byte steps from `from` that lie
/// before `to` and have a byte after them in `bytes` (whether a `\r`
/// ends a line depends on its next byte): how far it got, and the count.
#[cfg(target_arch = "x86_64")]
fn count_line_starts_sse2(bytes: &[u8], from: usize, to: usize) -> (usize, usize) {
    use std::arch::x86_64::*;
    // A step reads bytes `at..at + 17`.
    let fits = |at: usize| at + 16 <= to && at + 17 <= bytes.len();
    let mut at = from;
    let mut count = 0;
    // SAFETY: each load reads sixteen bytes from `at` or `at + 1`, and
    // `fits(at)` keeps `at + 17` within `bytes`; the SSE2 intrinsics need
    // SSE2, which every x86-64 processor has.
    unsafe {
        let p = bytes.as_ptr();
        let lf = _mm_set1_epi8(b'\n' as i8);
        let cr = _mm_set1_epi8(b'\r' as i8);
        while fits(at) {
            // Each byte lane counts up to 255 steps' line starts (a
            // match is -1, subtracted), then the lanes are summed.
            let mut lanes = _mm_setzero_si128();
            let mut steps = 0;
            while steps < 255 && fits(at) {
                let v = _mm_loadu_si128(p.add(at).cast());
                let next = _mm_loadu_si128(p.add(at + 1).cast());
                let is_lf = _mm_cmpeq_epi8(v, lf);
                let lone_cr = _mm_andnot_si128(_mm_cmpeq_epi8(next, lf), _mm_cmpeq_epi8(v, cr));
                lanes = _mm_sub_epi8(lanes, _mm_or_si128(is_lf, lone_cr));
                at += 16;
                steps += 1;
            }
            let sums = _mm_sad_epu8(lanes, _mm_setzero_si128());
            count += _mm_cvtsi128_si64(sums) as usize
                + _mm_cvtsi128_si64(_mm_unpackhi_epi64(sums, sums)) as usize;
        }
    }
    (at, count)
}

/// The bytes a block holds: two SSE2 registers' worth, about one line of
/// a note, so that most lines cost one block's set-up.
pub const BLOCK: usize = 32;

/// Which of the first (at most) [`BLOCK`] bytes of `bytes` from `at` are
/// `A` or `B`: bit `k` for byte `at + k`.
#[inline(always)]
fn block_mask<const A: u8, const B: u8>(bytes: &[u8], at: usize) -> u32 {
    rest_mask::<A, B>(bytes.get(at..).unwrap_or_default())
}

/// Which of the first (at most) [`BLOCK`] bytes of `rest` are `A` or `B`.
#[inline(always)]
fn rest_mask<const A: u8, const B: u8>(rest: &[u8]) -> u32 {
    match rest.first_chunk::<BLOCK>() {
        Some(block) => full_mask::<A, B>(block),
        None => rest
            .iter()
            .enumerate()
            .fold(0, |m, (k, &b)| m | u32::from(b == A || b == B) << k),
    }
}

#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn full_mask<const A: u8, const B: u8>(block: &[u8; BLOCK]) -> u32 {
    use std::arch::x86_64::*;
    // SAFETY: the loads read the bytes of `block`, sixteen at a time and
    // unaligned; the SSE2 intrinsics need SSE2, which every x86-64
    // processor has.
    unsafe {
        let half = |v: __m128i| {
            let a = _mm_cmpeq_epi8(v, _mm_set1_epi8(A as i8));
            let b = _mm_cmpeq_epi8(v, _mm_set1_epi8(B as i8));
            _mm_movemask_epi8(_mm_or_si128(a, b)) as u32
        };
        let p = block.as_ptr().cast::<__m128i>();
        half(_mm_loadu_si128(p)) | half(_mm_loadu_si128(p.add(1))) << 16
    }
}

#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn full_mask<const A: u8, const B: u8>(block: &[u8; BLOCK]) -> u32 {
    block
        .iter()
        .enumerate()
        .fold(0, |m, (k, &b)| m | u32::from(b == A || b == B) << k)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The line ends found are those of a look at every byte, from
        /// any offset, on texts of any length (so with the last block
        /// full or short).
        #[test]
        fn line_ends_are_every_cr_and_lf(text in "[a\r\n×]{0,80}", from in 0usize..90) {
            let bytes = text.as_bytes();
            let found: Vec<usize> = LineEnds::new(bytes, from).collect();
            let every: Vec<usize> = (from..bytes.len())
                .filter(|&i| matches!(bytes[i], b'\n' | b'\r'))
                .collect();
            prop_assert_eq!(found, every);
        }

        /// `next_from` gives the first end at or after its offset, as
        /// `memchr2` finds it.
        #[test]
        fn next_from_is_memchr2(text in "[a\r\n]{0,70}", steps in proptest::collection::vec(0usize..20, 0..8)) {
            let bytes = text.as_bytes();
            let mut ends = LineEnds::new(bytes, 0);
            let mut pos = 0;
            for step in steps {
                pos += step;
                let want = bytes
                    .get(pos..)
                    .and_then(|rest| memchr::memchr2(b'\n', b'\r', rest))
                    .map(|i| pos + i);
                prop_assert_eq!(ends.next_from(pos), want);
                pos = want.map_or(pos, |i| i + 1);
            }
        }
    }

    proptest! {
        /// The `#`s at line starts are those of a look at every byte, in
        /// any range of texts of any length.
        #[test]
        fn line_start_hashes_are_every_lone_hash_after_a_line_end(
            text in "[a#\r\n×]{0,100}",
            from in 0usize..110,
            len in 0usize..110,
        ) {
            let bytes = text.as_bytes();
            let to = from + len;
            let mut found = Vec::new();
            line_start_hashes(bytes, from, to, |i| found.push(i));
            let every: Vec<usize> = (from..to.min(bytes.len()))
                .filter(|&i| {
                    bytes[i] == b'#'
                        && (i == 0 || matches!(bytes[i - 1], b'\n' | b'\r'))
                        && bytes.get(i + 1) != Some(&b'#')
                })
                .collect();
            prop_assert_eq!(found, every);
        }

        /// The line starts found and counted are those of a look at every
        /// byte.
        #[test]
        fn line_starts_are_after_every_lf_and_lone_cr(
            text in "[a\r\n×]{0,100}",
            from in 0usize..110,
            len in 0usize..110,
        ) {
            let bytes = text.as_bytes();
            let to = from + len;
            let mut found = Vec::new();
            line_starts(bytes, from, to, |s| found.push(s));
            let every: Vec<usize> = (from..to.min(bytes.len()))
                .filter(|&i| ends_line(bytes, i))
                .map(|i| i + 1)
                .collect();
            prop_assert_eq!(count_line_starts(bytes, from, to), every.len());
            prop_assert_eq!(found, every);
            // And on long texts, whose lanes fill (255 steps) and are
            // summed more than once.
            let long = text.repeat(60);
            let bytes = long.as_bytes();
            let every = (from..bytes.len()).filter(|&i| ends_line(bytes, i)).count();
            prop_assert_eq!(count_line_starts(bytes, from, bytes.len()), every);
        }
    }

    /// Whether a line ends at byte `i`: a `\n`, or a `\r` with no `\n`
    /// after it.
    fn ends_line(bytes: &[u8], i: usize) -> bool {
        bytes[i] == b'\n' || (bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n'))
    }

    #[test]
    fn other_bytes_and_the_edges() {
        let text = b"#a##b\n#";
        let hashes: Vec<usize> = Finder::<b'#', b'#'>::new(text, 0).collect();
        assert_eq!(hashes, [0, 2, 3, 6]);
        assert_eq!(LineEnds::new(b"", 0).next(), None);
        assert_eq!(LineEnds::new(b"a\n", 5).next(), None);
        let long = [
            b"x".repeat(31),
            b"\n".to_vec(),
            b"y".repeat(16),
            b"\r".to_vec(),
        ]
        .concat();
        assert_eq!(LineEnds::new(&long, 3).collect::<Vec<_>>(), [31, 48]);
    }
}
