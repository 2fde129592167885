//! A fast matcher for the vocabulary's phrase sets on ASCII text.
//!
//! A phrase set is one case-insensitive regex, an alternation of phrases
//! tried in order at the leftmost position where any matches (see
//! `vocab::PhraseSet`). The phrases use little regex syntax: literal words,
//! spaces that stand for `[\s\-]+`, `\d`, `\s`, the quantifiers `?`, `+`
//! and `*` on a character or a class, `(?:…|…)` groups (optional or not),
//! and word boundaries at the ends. On ASCII text, case-insensitivity is
//! plain ASCII folding and `\b`, `\s` and `\d` are ASCII classes, so each
//! phrase can be expanded into a few flat variants and matched byte by byte,
//! in the same order of preference as the regex, without the regex's
//! per-search set-up. The variants are indexed by their first two bytes,
//! and their first eight are compared in one word before a variant is
//! walked. Text with other characters, and sets with a phrase beyond this
//! syntax, keep the regex.

/// The compiled phrases of a set, in priority order.
pub(crate) struct Literals {
    variants: Vec<Variant>,
    /// The class of each byte in the index: bytes that begin a spelling, or
    /// come second in one, have a class of their own (both cases alike);
    /// every other byte is class 0.
    class: [u8; 256],
    classes: usize,
    /// Whether some variant may start with the byte.
    first: [bool; 256],
    /// For each byte, the bytes that may follow it at the start of a
    /// variant, a bit for each one's low six bits (every bit after a
    /// variant's first byte when its second is not a fixed byte; none for
    /// a byte no variant starts with): one look rules out most word starts.
    pairs: Box<[u64; 256]>,
    /// Whether some variant needs no word boundary before it.
    any_unbounded: bool,
    /// Whether every match starts a word: every variant needs a boundary
    /// before it and starts with a word byte. Then only word starts are
    /// tried.
    word_starts_only: bool,
    /// For such a set, the bytes its matches may start with (both cases)
    /// when there are no more than three: memchr finds them faster than
    /// word starts are found.
    needles: Option<Vec<u8>>,
    /// For each pair of classes (the byte at a position and the next one),
    /// the variants that may start there, in priority order: those that
    /// need a word boundary before them too, or only those that don't.
    bounded: Index,
    unbounded: Index,
}

/// Lists of variants by cell, one after another: cell `c` holds
/// `list[start[c]..start[c + 1]]`.
struct Index {
    start: Vec<u32>,
    list: Vec<u32>,
    /// The prefix test of each variant in `list`, at the same place, for
    /// the matcher to walk a cell without looking up each variant
    /// (filled by [`Index::with_tests`]).
    tests: Vec<PrefixTest>,
    /// For each cell, the third and the fourth bytes its prefix tests may
    /// pass on, in either case, a bit for each byte's low six bits (every
    /// bit when a test does not look that far): a cell whose variants
    /// cannot start as the text does is passed over without walking it.
    /// An empty cell has no bits.
    later: Vec<[u64; 2]>,
}

/// A variant's prefix test as a cell lists it, and where to go on in the
/// cell when it fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct PrefixTest {
    prefix: u64,
    mask: u64,
    variant: u32,
    /// The place in the list of the next variant of the cell whose prefix
    /// test may pass when this one fails. The variants passed over test
    /// at least this one's bytes and want the same there (`biopsy proven`
    /// after `biopsy`), so they fail too.
    on_fail: u32,
    /// The place in the list of the next variant of the cell that may
    /// match when this one's prefix test passes and its anchor fails. The
    /// variants passed over read their anchor at the same place (a prefix
    /// test as long, the same bytes before the anchor) and want at least
    /// this one's anchor there (the spellings of `N mm punch`), so they
    /// fail too.
    on_anchor_fail: u32,
}

impl Index {
    /// The index of `cells` cells from (cell, variant) pairs: each cell
    /// lists its variants in the order of the pairs. The lists are laid
    /// out by counting first, with no list of its own for each cell.
    fn new(cells: usize, pairs: &[(u32, u32)]) -> Index {
        let mut start = vec![0u32; cells + 1];
        for &(c, _) in pairs {
            start[c as usize + 1] += 1;
        }
        for c in 0..cells {
            start[c + 1] += start[c];
        }
        let mut next = start.clone();
        let mut list = vec![0u32; pairs.len()];
        for &(c, v) in pairs {
            list[next[c as usize] as usize] = v;
            next[c as usize] += 1;
        }
        Index {
            start,
            list,
            tests: Vec::new(),
            later: Vec::new(),
        }
    }

    /// The index with the prefix tests of `variants` laid out along its
    /// lists.
    fn with_tests(mut self, variants: &[Variant]) -> Index {
        self.tests = self
            .list
            .iter()
            .map(|&v| PrefixTest {
                prefix: variants[v as usize].prefix,
                mask: variants[v as usize].mask,
                variant: v,
                // Set below.
                on_fail: 0,
                on_anchor_fail: 0,
            })
            .collect();
        for c in 0..self.start.len() - 1 {
            let (from, to) = (self.start[c] as usize, self.start[c + 1] as usize);
            for k in from..to {
                let failed = self.tests[k];
                // A later test fails whenever this one does when it tests
                // all of its bytes and wants the same of them.
                let implied = |t: &PrefixTest| {
                    t.mask & failed.mask == failed.mask && t.prefix & failed.mask == failed.prefix
                };
                let next = (k + 1..to)
                    .find(|&j| !implied(&self.tests[j]))
                    .unwrap_or(to);
                self.tests[k].on_fail = next as u32;
                // A later variant fails whenever this one's anchor does
                // when it reads its anchor at the same place and wants at
                // least the same bytes there.
                let failed = &variants[failed.variant as usize];
                let anchor_implied = |t: &PrefixTest| {
                    let v = &variants[t.variant as usize];
                    match (failed.anchor, v.anchor) {
                        (Some(a), Some(b)) => {
                            v.skip.1 == failed.skip.1
                                && b.before == a.before
                                && b.mask & a.mask == a.mask
                                && b.word & a.mask == a.word
                        }
                        _ => false,
                    }
                };
                let next = (k + 1..to)
                    .find(|&j| !anchor_implied(&self.tests[j]))
                    .unwrap_or(to);
                self.tests[k].on_anchor_fail = next as u32;
            }
        }
        self.later = (0..self.start.len() - 1)
            .map(|c| {
                let cell = self.start[c] as usize..self.start[c + 1] as usize;
                let mut bits = [0u64; 2];
                for t in &self.tests[cell] {
                    for (n, b) in bits.iter_mut().enumerate() {
                        let at = 8 * (n + 2);
                        *b |= if t.mask >> at & 0xFF == 0xFF {
                            let byte = (t.prefix >> at) as u8;
                            1 << (byte & 63) | 1 << (byte.to_ascii_uppercase() & 63)
                        } else {
                            !0
                        };
                    }
                }
                bits
            })
            .collect();
        self
    }

    /// Whether some prefix test of cell `c` may pass where the text has
    /// `third` and `fourth` (in either case; zero past its end).
    #[inline(always)]
    fn may_pass(&self, c: usize, third: u8, fourth: u8) -> bool {
        let [t, f] = self.later[c];
        t >> (third & 63) & f >> (fourth & 63) & 1 == 1
    }

    #[cfg(test)]
    fn cell(&self, c: usize) -> &[u32] {
        &self.list[self.start[c] as usize..self.start[c + 1] as usize]
    }
}

/// One way a phrase can be spelled: its atoms after any leading boundary.
struct Variant {
    phrase: usize,
    /// A word boundary must come first.
    bounded: bool,
    /// The bytes the spelling starts with, up to eight, packed as
    /// [`pack`] packs text, and the mask of the ones it has: a quick test
    /// that rules out most spellings before they are walked.
    prefix: u64,
    mask: u64,
    /// Bytes the spelling must have further on, at a place the text
    /// decides: a second quick test, for the many spellings that share a
    /// first word (`biopsy proven`), or start with a number (`3 mm
    /// punch`).
    anchor: Option<Anchor>,
    /// The spelling as the matcher walks it. When it starts with bytes,
    /// its first piece is the `prefix` test and is skipped.
    pieces: Vec<Piece>,
    /// Where the walk starts after the prefix test: the index of the first
    /// piece left, and how many bytes the test took.
    skip: (usize, usize),
}

/// Bytes a spelling must have at a place its start decides. After the
/// prefix test, the spelling takes only bytes of `before` up to the
/// anchor, and the anchor's first byte is none of them (in either case):
/// so the anchor starts at the first byte that is not of `before`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Anchor {
    /// A bit for each ASCII byte that may come before the anchor: bytes
    /// below 64 in the first word, the others in the second.
    before: [u64; 2],
    /// The anchor, up to eight bytes, lowercase, packed as [`pack`] packs
    /// text, and the mask of the ones there.
    word: u64,
    mask: u64,
}

impl Anchor {
    /// The anchor of the atoms after a spelling's prefix test, if it has
    /// one: of the bytes that may serve, the one that starts the longest
    /// run of plain bytes (the earliest of those), for the surest test.
    fn of(rest: &[Atom]) -> Option<Anchor> {
        let bit = |b: u8| 1u128 << (b & 0x7F);
        let mut before = 0u128;
        let mut best: Option<(Vec<u8>, u128)> = None;
        for (k, atom) in rest.iter().enumerate() {
            match *atom {
                Atom::Boundary => break,
                Atom::Class(c, _) => {
                    before |= c.ascii_bits();
                }
                Atom::Byte(b) => {
                    let cases = bit(b) | bit(b.to_ascii_uppercase());
                    if b.is_ascii() && before & cases == 0 {
                        let bytes = leading_bytes(&rest[k..]);
                        if best
                            .as_ref()
                            .is_none_or(|(longest, _)| bytes.len() > longest.len())
                        {
                            best = Some((bytes, before));
                        }
                    }
                    before |= cases;
                }
            }
        }
        best.map(|(bytes, before)| Anchor {
            before: [before as u64, (before >> 64) as u64],
            word: pack(&bytes),
            mask: pack(&vec![0xFF; bytes.len()]),
        })
    }

    /// Whether the anchor stands where it must, for a spelling whose
    /// prefix test passed and ended at `from` in ASCII `text`.
    #[cfg(test)]
    fn holds(&self, text: &[u8], from: usize) -> bool {
        self.holds_in(self.read(text, from))
    }

    /// The eight bytes (lowercase) where the anchor must stand, for a
    /// spelling whose prefix test passed and ended at `from` in ASCII
    /// `text`: the place depends only on `from` and `before`, so spellings
    /// that share them read it once.
    fn read(&self, text: &[u8], from: usize) -> u64 {
        let mut at = from;
        while at < text.len()
            && self.before[usize::from(text[at] >> 6 & 1)] >> (text[at] & 63) & 1 == 1
        {
            at += 1;
        }
        // Text past its end reads as zeros, which no anchor byte is.
        lower_word(&text[at..])
    }

    /// Whether the anchor stands in `read`, as [`Anchor::read`] reads it.
    #[inline(always)]
    fn holds_in(&self, read: u64) -> bool {
        read & self.mask == self.word
    }
}

/// A stretch of a spelling as the matcher walks it: plain bytes are taken
/// up to eight at a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Piece {
    /// One to eight bytes, lowercase, packed as [`pack`] packs text, with
    /// the mask of the ones there and their count; matched ignoring ASCII
    /// case.
    Bytes {
        word: u64,
        mask: u64,
        len: usize,
    },
    Class(Class, Rep),
    /// `\b`.
    Boundary,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Atom {
    /// A byte, lowercase; matched ignoring ASCII case.
    Byte(u8),
    Class(Class, Rep),
    /// `\b`.
    Boundary,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    /// `\s`.
    Space,
    /// `\d`.
    Digit,
    /// `[\s\-]`: what a space in a phrase stands for.
    Separator,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Rep {
    One,
    Opt,
    Plus,
    Star,
}

/// More spellings than this and a phrase is left to the regex.
const MAX_VARIANTS: usize = 64;

impl Literals {
    /// Compiles phrases given in priority order, each with whether a word
    /// boundary comes before and after it. `None` when a phrase uses syntax
    /// this matcher does not know.
    pub(crate) fn new<'a>(
        phrases: impl IntoIterator<Item = (&'a str, bool, bool)>,
    ) -> Option<Self> {
        let mut variants = Vec::new();
        let mut keys: Vec<(Vec<u8>, Option<u8>)> = Vec::new();
        for (phrase, (text, start, end)) in phrases.into_iter().enumerate() {
            let spellings = spellings(text)?;
            // Runs of one class in a row are walked as one (`merge_runs`).
            let walked: Vec<Vec<Atom>> = spellings.iter().cloned().map(merge_runs).collect();
            if !spellings_keep_the_regex_order(&walked) {
                return None;
            }
            for mut atoms in spellings {
                // A phrase that could match nothing at all is left to the
                // regex.
                let consumes =
                    |a: &Atom| matches!(a, Atom::Byte(_) | Atom::Class(_, Rep::One | Rep::Plus));
                if !atoms.iter().any(consumes) {
                    return None;
                }
                if end {
                    atoms.push(Atom::Boundary);
                }
                let atoms = merge_runs(atoms);
                let lead = leading_bytes(&atoms);
                let anchor = Anchor::of(&atoms[lead.len()..]);
                // The bytes the variant may start with, and its second
                // byte when its first two atoms are plain bytes.
                let second = match atoms.as_slice() {
                    [Atom::Byte(_), Atom::Byte(b), ..] => Some(*b),
                    _ => None,
                };
                // Listed, in order, rather than as a table of 256: most
                // spellings start with one byte, and the lists are walked
                // below.
                let firsts: Vec<u8> = match atoms.first() {
                    Some(Atom::Byte(b)) => vec![*b],
                    _ => {
                        let table = first_bytes(&atoms);
                        (0..=255u8).filter(|b| table[usize::from(*b)]).collect()
                    }
                };
                keys.push((firsts, second));
                let skip = if lead.is_empty() {
                    (0, 0)
                } else {
                    (1, lead.len())
                };
                variants.push(Variant {
                    phrase,
                    bounded: start,
                    prefix: pack(&lead),
                    mask: pack(&vec![0xFF; lead.len()]),
                    anchor,
                    pieces: pieces(&atoms),
                    skip,
                });
            }
        }
        let mut class = [0u8; 256];
        let mut classes = 1;
        let starts = keys
            .iter()
            .flat_map(|(firsts, _)| firsts.iter().copied().filter(|b| !b.is_ascii_uppercase()));
        let seconds = keys.iter().filter_map(|(_, b)| *b);
        for b in starts.chain(seconds) {
            if class[usize::from(b)] == 0 && classes < 255 {
                class[usize::from(b)] = classes as u8;
                class[usize::from(b.to_ascii_uppercase())] = classes as u8;
                classes += 1;
            }
        }
        // Each variant goes in every cell whose bytes it may start with, in
        // priority order within the cell.
        let mut all: Vec<(u32, u32)> = Vec::new();
        let mut unbounded: Vec<(u32, u32)> = Vec::new();
        let mut first_lower = [false; 256];
        for (i, (firsts, second)) in keys.iter().enumerate() {
            let mut c0s: Vec<usize> = Vec::with_capacity(firsts.len());
            for &b in firsts {
                c0s.push(usize::from(class[usize::from(b)]));
                first_lower[usize::from(b)] = true;
            }
            c0s.sort_unstable();
            c0s.dedup();
            let c1s = match second {
                Some(b) => {
                    let c1 = usize::from(class[usize::from(*b)]);
                    c1..c1 + 1
                }
                None => 0..classes,
            };
            for c0 in c0s {
                for c1 in c1s.clone() {
                    let pair = ((c0 * classes + c1) as u32, i as u32);
                    all.push(pair);
                    if !variants[i].bounded {
                        unbounded.push(pair);
                    }
                }
            }
        }
        let mut pairs = Box::new([0u64; 256]);
        for (firsts, second) in &keys {
            let follow = match second {
                Some(b) => 1 << (b & 63) | 1 << (b.to_ascii_uppercase() & 63),
                None => !0,
            };
            for &b in firsts {
                pairs[usize::from(b)] |= follow;
                pairs[usize::from(b.to_ascii_uppercase())] |= follow;
            }
        }
        let mut first = [false; 256];
        for (b, f) in first.iter_mut().enumerate() {
            *f = first_lower[usize::from((b as u8).to_ascii_lowercase())];
        }
        let word_starts_only = variants.iter().all(|v| v.bounded)
            && (0..=255u8).all(|b| !first[usize::from(b)] || is_word(b));
        let starting: Vec<u8> = (0..=255u8).filter(|b| first[usize::from(*b)]).collect();
        let needles = (word_starts_only && starting.len() <= 3).then_some(starting);
        Some(Literals {
            word_starts_only,
            needles,
            bounded: Index::new(classes * classes, &all).with_tests(&variants),
            unbounded: Index::new(classes * classes, &unbounded).with_tests(&variants),
            any_unbounded: variants.iter().any(|v| !v.bounded),
            variants,
            class,
            classes,
            first,
            pairs,
        })
    }

    /// The leftmost match in `text` at or after `from`, as (start, end,
    /// phrase index), preferring the earlier phrase at the same start.
    /// `text` must be ASCII.
    pub(crate) fn find_at(&self, text: &[u8], from: usize) -> Option<(usize, usize, usize)> {
        if self.word_starts_only {
            return self.find_at_word_starts(text, from);
        }
        let mut prev_word = from > 0 && is_word(text[from - 1]);
        for (i, &b) in text.iter().enumerate().skip(from) {
            let word = is_word(b);
            let boundary = word != prev_word;
            prev_word = word;
            // Most positions are ruled out by their byte, or by needing a
            // word boundary that is not there.
            if !self.first[usize::from(b)] || !(boundary || self.any_unbounded) {
                continue;
            }
            if let Some(found) = self.match_here(text, i, boundary, load(&text[i..])) {
                return Some(found);
            }
        }
        None
    }

    /// [`Literals::find_at`] for a set whose matches all start a word:
    /// the word starts are found eight bytes at a time, and only they are
    /// tried.
    fn find_at_word_starts(&self, text: &[u8], from: usize) -> Option<(usize, usize, usize)> {
        if let Some(needles) = &self.needles {
            return self.find_at_needles(text, from, needles);
        }
        let mut i = from;
        // Whether the byte before `i` is a word byte.
        let mut carry = u32::from(from > 0 && is_word(text[from - 1]));
        while i < text.len() {
            // Past the end of the text come zeros, which are no word bytes.
            let words = Block::load(text, i).words();
            let mut starts = words & !(words << 1 | carry);
            carry = words >> 15 & 1;
            while starts != 0 {
                let at = i + starts.trailing_zeros() as usize;
                // Most word starts are ruled out by their first two bytes
                // without a call. Past the end of the text come zeros. The
                // eight bytes read here serve the index as well.
                let raw = load(&text[at..]);
                if self.pairs[usize::from(raw as u8)] >> (raw >> 8 & 63) & 1 == 1 {
                    if let Some(found) = self.match_here(text, at, true, raw) {
                        return Some(found);
                    }
                }
                starts &= starts - 1;
            }
            i += 16;
        }
        None
    }

    /// [`Literals::find_at_word_starts`] for a set whose matches start
    /// with one of a few `needles`: the positions of those bytes that start
    /// a word are tried.
    fn find_at_needles(
        &self,
        text: &[u8],
        from: usize,
        needles: &[u8],
    ) -> Option<(usize, usize, usize)> {
        let hay = text.get(from..)?;
        let try_at = |k: usize| {
            let at = from + k;
            // The needles are word bytes: a word starts at `at` when the
            // byte before is no word byte.
            if at > 0 && is_word(text[at - 1]) {
                return None;
            }
            self.match_here(text, at, true, load(&text[at..]))
        };
        match *needles {
            [a] => memchr::memchr_iter(a, hay).find_map(try_at),
            [a, b] => memchr::memchr2_iter(a, b, hay).find_map(try_at),
            [a, b, c] => memchr::memchr3_iter(a, b, c, hay).find_map(try_at),
            _ => None,
        }
    }

    /// The match that starts at the beginning of `text`, as for
    /// [`Literals::find_at`].
    pub(crate) fn find_at_start(&self, text: &[u8]) -> Option<(usize, usize, usize)> {
        let &b = text.first()?;
        if !self.first[usize::from(b)] {
            return None;
        }
        self.match_here(text, 0, is_boundary(text, 0), load(text))
    }

    /// The first variant that matches at `i`, where the text reads `raw`
    /// (its eight bytes from `i`, as [`load`] reads them): most positions
    /// are ruled out by the index, and the rest mostly by the prefix tests
    /// of their cell, without a call.
    #[inline(always)]
    fn match_here(
        &self,
        text: &[u8],
        i: usize,
        boundary: bool,
        raw: u64,
    ) -> Option<(usize, usize, usize)> {
        let index = if boundary {
            &self.bounded
        } else {
            &self.unbounded
        };
        // The bytes past the end of the text read as zeros, which are
        // class 0 and no third or fourth byte of a test.
        let byte = |k: usize| (raw >> (8 * k)) as u8;
        let c0 = usize::from(self.class[usize::from(byte(0))]);
        let c1 = usize::from(self.class[usize::from(byte(1))]);
        let c = c0 * self.classes + c1;
        if !index.may_pass(c, byte(2), byte(3)) {
            return None;
        }
        let (mut k, to) = (index.start[c] as usize, index.start[c + 1] as usize);
        let word = fold_word(raw);
        // The walk goes on out of line from the first prefix test that
        // passes.
        while k < to {
            let t = &index.tests[k];
            if word & t.mask == t.prefix {
                return self.match_cell(text, i, &index.tests, k..to, word);
            }
            k = t.on_fail as usize;
        }
        None
    }

    /// The first variant of a cell (the tests at `cell` in `tests`) that
    /// matches at `i`, where the text reads `word` (as [`lower_word`]
    /// reads it). A failed prefix test passes over the variants it rules
    /// out as well.
    fn match_cell(
        &self,
        text: &[u8],
        i: usize,
        tests: &[PrefixTest],
        cell: std::ops::Range<usize>,
        word: u64,
    ) -> Option<(usize, usize, usize)> {
        // The last place an anchor was read, as (where its spelling's
        // prefix test ended, the bytes that may come before it, the bytes
        // read): the spellings of a cell mostly share the first two, as
        // `biopsy proven` and `biopsy showed` do.
        let mut last: Option<(usize, [u64; 2], u64)> = None;
        let mut k = cell.start;
        while k < cell.end {
            let t = &tests[k];
            if word & t.mask != t.prefix {
                k = t.on_fail as usize;
                continue;
            }
            let v = &self.variants[t.variant as usize];
            let (piece, len) = v.skip;
            if let Some(a) = &v.anchor {
                let from = i + len;
                let read = match last {
                    Some((f, before, read)) if f == from && before == a.before => read,
                    _ => {
                        let read = a.read(text, from);
                        last = Some((from, a.before, read));
                        read
                    }
                };
                if !a.holds_in(read) {
                    k = t.on_anchor_fail as usize;
                    continue;
                }
            }
            k += 1;
            if let Some(end) = match_at(&v.pieces[piece..], text, i + len) {
                return Some((i, end, v.phrase));
            }
        }
        None
    }
}

/// The first eight bytes of ASCII `text` (zeros past its end) in one
/// word, as [`pack`] packs them, with capitals made lower case.
fn lower_word(text: &[u8]) -> u64 {
    fold_word(load(text))
}

/// Eight ASCII bytes in one word with capitals made lower case.
#[inline(always)]
fn fold_word(w: u64) -> u64 {
    // Every byte is below 0x80, so these sums carry into no other byte:
    // the top bit of a byte says it is at least `A`, and at least `[`.
    let from_a = w + 0x3F3F_3F3F_3F3F_3F3F;
    let past_z = w + 0x2525_2525_2525_2525;
    let capitals = from_a & !past_z & 0x8080_8080_8080_8080;
    w | capitals >> 2
}

/// The first eight bytes of `text` (zeros past its end) in one word, as
/// [`pack`] packs them, read a few bytes at a time: texts are often
/// shorter than eight bytes from the position read to their end.
#[inline(always)]
fn load(text: &[u8]) -> u64 {
    let n = text.len();
    let at = |k: usize| u64::from(text[k]);
    let two = |k: usize| at(k) | at(k + 1) << 8;
    let four = |k: usize| two(k) | two(k + 2) << 16;
    match text.first_chunk::<8>() {
        Some(first) => u64::from_le_bytes(*first),
        // The two reads overlap where `n` is not a power of two; the bytes
        // they both hold land in the same place.
        None if n >= 4 => four(0) | four(n - 4) << (8 * (n - 4)),
        None if n >= 2 => two(0) | two(n - 2) << (8 * (n - 2)),
        None => text.first().map_or(0, |b| u64::from(*b)),
    }
}

/// Up to eight bytes in one word, the first in the lowest byte.
fn pack(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .take(8)
        .enumerate()
        .fold(0, |w, (k, b)| w | u64::from(*b) << (8 * k))
}

/// The bytes (lowercase) a match of `atoms` can start with.
fn first_bytes(atoms: &[Atom]) -> [bool; 256] {
    let class = |c: Class| std::array::from_fn(|b| c.has(b as u8));
    match atoms.first() {
        None => [true; 256],
        Some(Atom::Byte(x)) => std::array::from_fn(|b| b == usize::from(*x)),
        Some(Atom::Boundary) => first_bytes(&atoms[1..]),
        Some(Atom::Class(c, Rep::One | Rep::Plus)) => class(*c),
        Some(Atom::Class(c, Rep::Opt | Rep::Star)) => {
            let (mut here, rest) = (class(*c), first_bytes(&atoms[1..]));
            for (h, r) in here.iter_mut().zip(rest) {
                *h |= r;
            }
            here
        }
    }
}

/// The end of the first way `pieces` match at `pos`, trying a quantifier's
/// longest run first, as the regex does.
fn match_at(mut pieces: &[Piece], text: &[u8], mut pos: usize) -> Option<usize> {
    loop {
        let Some((first, rest)) = pieces.split_first() else {
            return Some(pos);
        };
        match *first {
            Piece::Bytes { word, mask, len } => {
                // Text past its end reads as zeros, which no phrase byte is.
                if lower_word(&text[pos..]) & mask != word {
                    return None;
                }
                pos += len;
            }
            Piece::Boundary => {
                if !is_boundary(text, pos) {
                    return None;
                }
            }
            Piece::Class(c, rep) => {
                let (min, max) = match rep {
                    Rep::One => (1, 1),
                    Rep::Opt => (0, 1),
                    Rep::Plus => (1, usize::MAX),
                    Rep::Star => (0, usize::MAX),
                };
                let run = text[pos..]
                    .iter()
                    .take(max)
                    .take_while(|b| c.has(**b))
                    .count();
                if run < min {
                    return None;
                }
                // A byte the class does not hold can follow only the
                // longest run: after a shorter one comes a byte of the
                // class. So there is nothing to back off to.
                if let Some(Piece::Bytes { word, .. }) = rest.first() {
                    if !c.has(*word as u8) {
                        pos += run;
                        pieces = rest;
                        continue;
                    }
                }
                return (min..=run)
                    .rev()
                    .find_map(|n| match_at(rest, text, pos + n));
            }
        }
        pieces = rest;
    }
}

/// Atoms as the matcher walks them: plain bytes in pieces of up to eight.
fn pieces(atoms: &[Atom]) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut bytes: Vec<u8> = Vec::new();
    let flush = |bytes: &mut Vec<u8>, out: &mut Vec<Piece>| {
        if !bytes.is_empty() {
            out.push(Piece::Bytes {
                word: pack(bytes),
                mask: pack(&vec![0xFF; bytes.len()]),
                len: bytes.len(),
            });
            bytes.clear();
        }
    };
    for atom in atoms {
        match *atom {
            Atom::Byte(b) => {
                bytes.push(b);
                if bytes.len() == 8 {
                    flush(&mut bytes, &mut out);
                }
            }
            Atom::Class(c, rep) => {
                flush(&mut bytes, &mut out);
                out.push(Piece::Class(c, rep));
            }
            Atom::Boundary => {
                flush(&mut bytes, &mut out);
                out.push(Piece::Boundary);
            }
        }
    }
    flush(&mut bytes, &mut out);
    out
}

/// Sixteen bytes of text, compared all at once: the scans ask of each
/// block which of its bytes are word bytes, or equal a byte, as a mask
/// with bit `k` for byte `k`. On x86-64 this is one SSE2 register (every
/// x86-64 processor has SSE2); elsewhere the bytes are tested one by one.
#[derive(Clone, Copy)]
pub(crate) struct Block {
    #[cfg(target_arch = "x86_64")]
    v: std::arch::x86_64::__m128i,
    #[cfg(not(target_arch = "x86_64"))]
    bytes: [u8; 16],
}

impl Block {
    /// The sixteen bytes of `text` from `i`, zeros past its end.
    #[inline(always)]
    pub(crate) fn load(text: &[u8], i: usize) -> Block {
        let rest = text.get(i..).unwrap_or_default();
        match rest.first_chunk::<16>() {
            Some(b) => Block::from_array(b),
            // The end of a text is read a few bytes at a time, as `load`
            // reads it.
            None => Block::from_halves(load(rest), load(rest.get(8..).unwrap_or_default())),
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    fn from_array(bytes: &[u8; 16]) -> Block {
        use std::arch::x86_64::{__m128i, _mm_loadu_si128};
        // SAFETY: the sixteen bytes are there to read, unaligned.
        Block {
            v: unsafe { _mm_loadu_si128(bytes.as_ptr().cast::<__m128i>()) },
        }
    }

    #[cfg(not(target_arch = "x86_64"))]
    #[inline(always)]
    fn from_array(bytes: &[u8; 16]) -> Block {
        Block { bytes: *bytes }
    }

    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    fn from_halves(lo: u64, hi: u64) -> Block {
        use std::arch::x86_64::_mm_set_epi64x;
        // SAFETY: the SSE2 intrinsics need SSE2, which every x86-64
        // processor has (here and below).
        Block {
            v: unsafe { _mm_set_epi64x(hi as i64, lo as i64) },
        }
    }

    #[cfg(not(target_arch = "x86_64"))]
    #[inline(always)]
    fn from_halves(lo: u64, hi: u64) -> Block {
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&lo.to_le_bytes());
        bytes[8..].copy_from_slice(&hi.to_le_bytes());
        Block { bytes }
    }

    /// The bytes that `needle` finds.
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    pub(crate) fn find(self, needle: &Needle) -> u32 {
        use std::arch::x86_64::*;
        unsafe {
            let folded = _mm_or_si128(self.v, needle.fold);
            _mm_movemask_epi8(_mm_cmpeq_epi8(folded, needle.byte)) as u32
        }
    }

    #[cfg(not(target_arch = "x86_64"))]
    pub(crate) fn find(self, needle: &Needle) -> u32 {
        self.mask(|x| x.eq_ignore_ascii_case(&needle.byte))
    }

    /// The bytes that are not ASCII.
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    pub(crate) fn non_ascii(self) -> u32 {
        unsafe { std::arch::x86_64::_mm_movemask_epi8(self.v) as u32 }
    }

    /// The bytes that are word bytes (`\w` on ASCII); the block must be
    /// ASCII.
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    pub(crate) fn words(self) -> u32 {
        use std::arch::x86_64::*;
        // ASCII bytes are positive as signed bytes, so signed comparisons
        // order them as bytes.
        unsafe {
            let within = |x: __m128i, lo: u8, hi: u8| {
                _mm_and_si128(
                    _mm_cmpgt_epi8(x, _mm_set1_epi8(lo as i8 - 1)),
                    _mm_cmplt_epi8(x, _mm_set1_epi8(hi as i8 + 1)),
                )
            };
            let digits = within(self.v, b'0', b'9');
            let letters = within(_mm_or_si128(self.v, _mm_set1_epi8(0x20)), b'a', b'z');
            let underscore = _mm_cmpeq_epi8(self.v, _mm_set1_epi8(b'_' as i8));
            _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(digits, letters), underscore)) as u32
        }
    }

    #[cfg(not(target_arch = "x86_64"))]
    pub(crate) fn non_ascii(self) -> u32 {
        self.mask(|x| !x.is_ascii())
    }

    #[cfg(not(target_arch = "x86_64"))]
    pub(crate) fn words(self) -> u32 {
        self.mask(is_word)
    }

    /// The bytes for which `f` holds.
    #[cfg(not(target_arch = "x86_64"))]
    fn mask(self, f: impl Fn(u8) -> bool) -> u32 {
        self.bytes
            .iter()
            .enumerate()
            .fold(0, |m, (k, b)| m | u32::from(f(*b)) << k)
    }
}

/// Hands `f` each block of `text` in turn, from the start, with the block
/// one byte further on (zeros past the end), until `f` says to stop;
/// whether it did. Blocks inside the text are read from it; the last one
/// or two from a copy with zeros after it.
#[inline(always)]
pub(crate) fn block_pairs(text: &[u8], mut f: impl FnMut(usize, Block, Block) -> bool) -> bool {
    let mut i = 0;
    while let Some(chunk) = text.get(i..).and_then(|t| t.first_chunk::<17>()) {
        let (here, next) = (chunk[..16].try_into(), chunk[1..].try_into());
        if f(
            i,
            Block::from_array(here.expect("16")),
            Block::from_array(next.expect("16")),
        ) {
            return true;
        }
        i += 16;
    }
    if i < text.len() {
        let mut copy = [0u8; 33];
        copy[..text.len() - i].copy_from_slice(&text[i..]);
        let mut k = 0;
        while i + k < text.len() {
            if f(i + k, Block::load(&copy, k), Block::load(&copy, k + 1)) {
                return true;
            }
            k += 16;
        }
    }
    false
}

/// A byte to find in blocks, ignoring ASCII case, made ready once for
/// the many blocks it is compared with.
pub(crate) struct Needle {
    #[cfg(target_arch = "x86_64")]
    byte: std::arch::x86_64::__m128i,
    /// The case bit, for a letter: setting it in the text makes capitals
    /// lowercase and no other byte a lowercase letter.
    #[cfg(target_arch = "x86_64")]
    fold: std::arch::x86_64::__m128i,
    #[cfg(not(target_arch = "x86_64"))]
    byte: u8,
}

impl Needle {
    /// `b` and, for a letter, its other case.
    pub(crate) fn new(b: u8) -> Needle {
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::x86_64::_mm_set1_epi8;
            let fold = if b.is_ascii_alphabetic() { 0x20 } else { 0 };
            // SAFETY: as in `Block`.
            unsafe {
                Needle {
                    byte: _mm_set1_epi8((b | fold) as i8),
                    fold: _mm_set1_epi8(fold as i8),
                }
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        Needle { byte: b }
    }
}

pub(crate) fn is_word(b: u8) -> bool {
    WORD[usize::from(b)]
}

/// `\w` on ASCII: letters, digits and the underscore.
static WORD: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || c == b'_';
        b += 1;
    }
    t
};

/// `\b` at `pos`: a word byte on one side and not on the other.
fn is_boundary(text: &[u8], pos: usize) -> bool {
    let before = pos > 0 && is_word(text[pos - 1]);
    let after = text.get(pos).is_some_and(|b| is_word(*b));
    before != after
}

/// Whether `b` is ASCII white space as the regex's `\s` means it: Unicode
/// White_Space, whose ASCII part includes the vertical tab (which
/// `u8::is_ascii_whitespace` leaves out).
pub(crate) const fn is_space(b: u8) -> bool {
    b.is_ascii_whitespace() || b == 0x0B
}

/// The index after the run of [`is_space`] bytes at `p` in `t` (`p` itself
/// when there is none, or when `p` is past the end).
pub(crate) fn after_spaces(t: &[u8], p: usize) -> usize {
    p + t
        .get(p..)
        .map_or(0, |r| r.iter().take_while(|&&b| is_space(b)).count())
}

impl Class {
    const fn has(self, b: u8) -> bool {
        let space = is_space(b);
        match self {
            Class::Space => space,
            Class::Digit => b.is_ascii_digit(),
            Class::Separator => space || b == b'-',
        }
    }

    /// The ASCII bytes of the class, bit `b` for byte `b`: worked out once,
    /// at compile time, rather than for each spelling that has the class.
    fn ascii_bits(self) -> u128 {
        const fn bits(c: Class) -> u128 {
            let mut m = 0u128;
            let mut b = 0u8;
            while b < 0x80 {
                if c.has(b) {
                    m |= 1 << b;
                }
                b += 1;
            }
            m
        }
        const BITS: [u128; 3] = [
            bits(Class::Space),
            bits(Class::Digit),
            bits(Class::Separator),
        ];
        BITS[self as usize]
    }
}

/// Whether trying a phrase's spellings one after another, each with the
/// regex's backtracking inside it, finds what the regex finds. The regex
/// takes its choices in the order they come in the phrase: a quantified
/// class before an optional part is decided (longest run first) before
/// that part is. Spellings decide the optional part first. The orders
/// differ only where a later spelling matches with a longer run, of a run
/// it shares with an earlier spelling, than any with which the earlier one
/// matches. Then the earlier spelling matches with a run shorter than the
/// longest, which a byte of the class follows. So the orders agree when,
/// for every run two spellings share before they part, what follows it in
/// the earlier spelling cannot start with a byte of its class. A phrase
/// where it can is left to the regex. None of the vocabulary's phrases is
/// (`\d+(?:\.\d+)?\s*-?\s*mm`: `.` is no digit and `-` no space).
fn spellings_keep_the_regex_order(spellings: &[Vec<Atom>]) -> bool {
    // The first run of each spelling that could give way to what follows
    // it, if any.
    let yielding: Vec<Option<usize>> = spellings
        .iter()
        .map(|s| {
            (0..s.len()).find(|&k| match s[k] {
                Atom::Class(c, Rep::Opt | Rep::Plus | Rep::Star) => b"\t\n\x0b\x0c\r -0123456789"
                    .iter()
                    .any(|&x| c.has(x) && may_start_with(&s[k + 1..], x)),
                _ => false,
            })
        })
        .collect();
    spellings.iter().enumerate().all(|(i, earlier)| {
        let Some(k) = yielding[i] else {
            return true;
        };
        // Every later spelling must part from this one by that run.
        spellings[i + 1..].iter().all(|later| {
            earlier
                .iter()
                .zip(later)
                .take_while(|(x, y)| x == y)
                .count()
                <= k
        })
    })
}

/// Whether a match of `atoms` may start with the byte `b` (lowercase), as
/// [`first_bytes`] says, for one byte.
fn may_start_with(atoms: &[Atom], b: u8) -> bool {
    match atoms.first() {
        None => true,
        Some(Atom::Byte(x)) => *x == b,
        Some(Atom::Boundary) => may_start_with(&atoms[1..], b),
        Some(Atom::Class(c, Rep::One | Rep::Plus)) => c.has(b),
        Some(Atom::Class(c, Rep::Opt | Rep::Star)) => c.has(b) || may_start_with(&atoms[1..], b),
    }
}

/// One element of a phrase: its alternatives, in order of preference.
type Element = Vec<Vec<Atom>>;

/// Every spelling of a phrase as flat atoms, in the order the regex would
/// prefer them; `None` for syntax this matcher does not know.
fn spellings(phrase: &str) -> Option<Vec<Vec<Atom>>> {
    let chars: Vec<char> = phrase.chars().collect();
    let (alternatives, rest) = alternation(&chars)?;
    if !rest.is_empty() {
        return None;
    }
    Some(alternatives)
}

/// Alternatives separated by `|`, up to a `)` or the end: their spellings
/// and the text after them.
fn alternation(mut s: &[char]) -> Option<(Vec<Vec<Atom>>, &[char])> {
    let mut out = Vec::new();
    loop {
        let (spellings, rest) = sequence(s)?;
        out.extend(spellings);
        match rest.first() {
            Some('|') => s = &rest[1..],
            _ => return (out.len() <= MAX_VARIANTS).then_some((out, rest)),
        }
    }
}

/// Elements one after another, up to a `|`, a `)` or the end.
fn sequence(mut s: &[char]) -> Option<(Vec<Vec<Atom>>, &[char])> {
    let mut elements: Vec<Element> = Vec::new();
    while let Some(&c) = s.first() {
        if c == '|' || c == ')' {
            break;
        }
        s = &s[1..];
        let element: Element = match c {
            ' ' => vec![vec![Atom::Class(Class::Separator, Rep::Plus)]],
            '\\' => {
                let (&e, rest) = s.split_first()?;
                s = rest;
                match e {
                    'd' => vec![vec![Atom::Class(Class::Digit, Rep::One)]],
                    's' => vec![vec![Atom::Class(Class::Space, Rep::One)]],
                    e if e.is_ascii_punctuation() => vec![vec![Atom::Byte(e as u8)]],
                    _ => return None,
                }
            }
            '(' => {
                let rest = s.strip_prefix(&['?', ':'])?;
                let (alternatives, rest) = alternation(rest)?;
                s = rest.strip_prefix(&[')'])?;
                alternatives
            }
            '?' | '+' | '*' => {
                let last = elements.pop()?;
                quantified(last, c)?
            }
            c if c.is_ascii() => {
                if ".[]{}^$".contains(c) {
                    return None;
                }
                vec![vec![Atom::Byte(c.to_ascii_lowercase() as u8)]]
            }
            c => {
                // A letter whose other cases are all outside ASCII never
                // matches ASCII text; any other character is left to the
                // regex.
                let ascii_case = c
                    .to_lowercase()
                    .chain(c.to_uppercase())
                    .any(|x| x.is_ascii());
                if ascii_case {
                    return None;
                }
                Vec::new()
            }
        };
        elements.push(element);
    }
    let mut spellings: Vec<Vec<Atom>> = vec![Vec::new()];
    for element in elements {
        // Most elements have one spelling: it goes on the end of each.
        if let [alt] = element.as_slice() {
            for s in &mut spellings {
                s.extend_from_slice(alt);
            }
            continue;
        }
        spellings = spellings
            .iter()
            .flat_map(|prefix| {
                element.iter().map(move |alt| {
                    let mut v = prefix.clone();
                    v.extend_from_slice(alt);
                    v
                })
            })
            .collect();
        if spellings.len() > MAX_VARIANTS {
            return None;
        }
    }
    Some((spellings, s))
}

/// An element with `?`, `+` or `*` after it.
fn quantified(element: Element, q: char) -> Option<Element> {
    if let [alt] = element.as_slice() {
        if let [Atom::Class(class, Rep::One)] = alt.as_slice() {
            let rep = match q {
                '?' => Rep::Opt,
                '+' => Rep::Plus,
                _ => Rep::Star,
            };
            return Some(vec![vec![Atom::Class(*class, rep)]]);
        }
    }
    if q != '?' || element.iter().any(Vec::is_empty) {
        return None;
    }
    // Optional: each alternative first, then nothing.
    let mut out = element;
    out.push(Vec::new());
    Some(out)
}

/// Joins runs of one class that follow each other, where one of them is
/// unbounded and together they may be empty or need one byte (`\s*\s*`,
/// as `\s*-?\s*` spells without its dash): one run of their sum matches
/// the same texts and prefers the same ends, longest first, without
/// trying each split of the run between the two.
fn merge_runs(atoms: Vec<Atom>) -> Vec<Atom> {
    let mut out: Vec<Atom> = Vec::with_capacity(atoms.len());
    for atom in atoms {
        if let (Some(Atom::Class(c0, r0)), Atom::Class(c1, r1)) = (out.last().copied(), atom) {
            let min = |r: Rep| usize::from(matches!(r, Rep::One | Rep::Plus));
            let unbounded = |r: Rep| matches!(r, Rep::Plus | Rep::Star);
            if c0 == c1 && (unbounded(r0) || unbounded(r1)) && min(r0) + min(r1) <= 1 {
                let rep = if min(r0) + min(r1) == 1 {
                    Rep::Plus
                } else {
                    Rep::Star
                };
                *out.last_mut().expect("just seen") = Atom::Class(c0, rep);
                continue;
            }
        }
        out.push(atom);
    }
    out
}

/// The literal bytes an atom sequence starts with, at most 8.
fn leading_bytes(atoms: &[Atom]) -> Vec<u8> {
    atoms
        .iter()
        .map_while(|a| match a {
            Atom::Byte(b) => Some(*b),
            _ => None,
        })
        .take(8)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find_all(phrases: &[(&str, bool, bool)], text: &str) -> Vec<(String, usize)> {
        let l = Literals::new(phrases.iter().copied()).expect("compiles");
        let mut out = Vec::new();
        let mut from = 0;
        while let Some((s, e, p)) = l.find_at(text.as_bytes(), from) {
            out.push((text[s..e].to_string(), p));
            from = e;
        }
        out
    }

    /// Spellings of a cell whose anchors stand at the same place read it
    /// once; each still tests its own anchor, and a spelling whose anchor
    /// stands elsewhere reads its own place.
    #[test]
    fn spellings_that_share_an_anchor_place_each_test_their_anchor() {
        let phrases = [
            ("biopsy proven", true, true),
            ("biopsy showed", true, true),
            (r"biopsy\d+ shown", true, true),
            ("biopsy", true, true),
            (r"\d+(?:\.\d+)? mm punch", true, true),
            (r"\d+ mm shave", true, true),
        ];
        let text = "biopsy - - showed; BIOPSY proven, biopsy3 shown, biopsy  x, \
                    4.5 mm shave 4 mm shave 4.5 - MM punch";
        let found = regex_matches(&phrases, text);
        assert_eq!(find_all(&phrases, text), found);
        assert_eq!(
            found.iter().map(|(_, p)| *p).collect::<Vec<_>>(),
            [1, 0, 2, 3, 5, 5, 4]
        );
    }

    #[test]
    fn a_run_before_an_optional_part_it_could_give_way_to_keeps_the_regex() {
        // The regex takes the space before `-` first and then finds `ab `
        // after it ( - ab , to the end); trying the spelling with `-`
        // before the one without would find ` - ` alone. Found by the
        // proptest below.
        assert!(Literals::new([(r"\s* -?(?:ab |b)? \s*", false, false)]).is_none());
        assert!(Literals::new([(r"x\s*(?: a)?\s*y", true, true)]).is_none());
        // A run that what follows cannot continue has one way to go on.
        assert!(Literals::new([(r"\d+(?:\.\d+)? ?mm", true, true)]).is_some());
        assert!(Literals::new([(r"x\s*(?:-)?\s*y", true, true)]).is_some());
        assert!(Literals::new([(r"a\s*(?:b)?c", true, true)]).is_some());
    }

    #[test]
    fn spellings_in_order_of_preference() {
        assert_eq!(
            spellings("keratoses?").map(|s| s.len()),
            Some(2),
            "with the s, then without"
        );
        let s = spellings("back of (?:the )?hands").unwrap();
        assert_eq!(s.len(), 2);
        assert!(s[0].len() > s[1].len());
        assert!(spellings("a.b").is_none());
        assert!(spellings("(?:a|b").is_none());
        assert_eq!(spellings("décolletage").map(|s| s.len()), Some(0));
    }

    #[test]
    fn leftmost_then_first_phrase() {
        let phrases = [
            ("shave biopsy", true, true),
            ("biopsy", true, true),
            ("\\d+(?:\\.\\d+)?\\s*-?\\s*mm punch(?:es)?", true, true),
            ("punch(?:es)?", true, true),
        ];
        assert_eq!(
            find_all(&phrases, "A Shave-Biopsy, then 4.5 mm punches; punch"),
            [
                ("Shave-Biopsy".to_string(), 0),
                ("4.5 mm punches".to_string(), 2),
                ("punch".to_string(), 3)
            ]
        );
        assert_eq!(find_all(&phrases, "biopsyx xbiopsy"), []);
    }

    #[test]
    fn load_reads_as_pack_packs() {
        let text: Vec<u8> = (1..=12).collect();
        for from in 0..text.len() {
            for to in from..=text.len() {
                assert_eq!(load(&text[from..to]), pack(&text[from..to]), "{from}..{to}");
            }
        }
    }

    /// A block's masks, byte by byte.
    fn block_masks(bytes: &[u8], i: usize) -> (u32, u32, u32, [u32; 3]) {
        let at = |k: usize| bytes.get(i + k).copied().unwrap_or(0);
        let mask = |f: &dyn Fn(u8) -> bool| (0..16).fold(0, |m, k| m | u32::from(f(at(k))) << k);
        (
            mask(&|b| b.is_ascii() && is_word(b)),
            mask(&|b| !b.is_ascii()),
            mask(&|b| b == b'-'),
            [
                mask(&|b| b.eq_ignore_ascii_case(&b'a')),
                mask(&|b| b.eq_ignore_ascii_case(&b'z')),
                mask(&|b| b == b'3'),
            ],
        )
    }

    #[test]
    fn blocks_agree_with_bytes() {
        let mut bytes: Vec<u8> = (0..=255u8).collect();
        bytes.extend(b"aZzA_09@[`{/:-3");
        for i in 0..bytes.len() + 2 {
            let b = Block::load(&bytes, i);
            let (words, non_ascii, dash, folded) = block_masks(&bytes, i);
            if non_ascii == 0 {
                assert_eq!(b.words(), words, "at {i}");
            }
            assert_eq!(b.non_ascii(), non_ascii, "at {i}");
            assert_eq!(b.find(&Needle::new(b'-')), dash, "at {i}");
            assert_eq!(
                [b'a', b'Z', b'3'].map(|n| b.find(&Needle::new(n))),
                folded,
                "at {i}"
            );
        }
        // Every ASCII byte at every place in a block.
        for c in 0..0x80u8 {
            for k in 0..16 {
                let mut text = [b'.'; 16];
                text[k] = c;
                assert_eq!(
                    Block::load(&text, 0).words(),
                    u32::from(is_word(c)) << k,
                    "{c:#x} at {k}"
                );
            }
        }
    }

    #[test]
    fn anchors_come_after_what_may_precede_them() {
        let anchor = |phrase: &str| {
            let atoms = merge_runs(spellings(phrase).unwrap().remove(0));
            let lead = leading_bytes(&atoms);
            Anchor::of(&atoms[lead.len()..])
        };
        let text = |a: &Anchor| {
            (0..8)
                .map(|k| (a.word >> (8 * k)) as u8)
                .take_while(|b| *b != 0)
                .collect::<Vec<u8>>()
        };
        let a = anchor(r"\d+(?:\.\d+)?\s*-?\s*mm punch").unwrap();
        assert_eq!(text(&a), b"punch");
        assert!(a.holds(b"4.5 mm punch", 0));
        assert!(a.holds(b"4.5 - MM-Punch", 0));
        assert!(!a.holds(b"4.5 cm punch", 0));
        let a = anchor("shave biopsy").unwrap();
        assert_eq!(text(&a), b"biopsy");
        assert!(a.holds(b"shave - biopsy", 5));
        assert!(!a.holds(b"shave bx", 5));
        assert_eq!(anchor("biopsy"), None);
        assert_eq!(anchor(r"\d+"), None);
    }

    #[test]
    fn block_pairs_hand_over_every_block_and_the_next() {
        for len in 0..70usize {
            let text: Vec<u8> = (0..len).map(|k| b'a' + (k % 26) as u8).collect();
            let mut seen = Vec::new();
            block_pairs(&text, |i, here, next| {
                let lookups = |b: Block| {
                    (b'a'..=b'z')
                        .map(|c| b.find(&Needle::new(c)))
                        .collect::<Vec<u32>>()
                };
                assert_eq!(
                    lookups(here),
                    lookups(Block::load(&text, i)),
                    "{len} at {i}"
                );
                assert_eq!(
                    lookups(next),
                    lookups(Block::load(&text, i + 1)),
                    "{len} at {i}"
                );
                seen.push(i);
                false
            });
            assert_eq!(seen, (0..len).step_by(16).collect::<Vec<_>>());
            // Stopping stops.
            let mut calls = 0;
            let stopped = block_pairs(&text, |_, _, _| {
                calls += 1;
                true
            });
            assert_eq!((stopped, calls), (len > 0, usize::from(len > 0)));
        }
    }

    #[test]
    fn class_bits_hold_the_bytes_of_the_class() {
        for c in [Class::Space, Class::Digit, Class::Separator] {
            for b in 0..0x80u8 {
                assert_eq!(c.ascii_bits() >> b & 1 == 1, c.has(b), "{c:?} {b}");
            }
        }
    }

    #[test]
    fn index_cells_keep_the_order_of_their_pairs() {
        let index = Index::new(4, &[(2, 7), (0, 1), (2, 3), (3, 0), (2, 5)]);
        assert_eq!(index.cell(0), &[1]);
        assert_eq!(index.cell(1), &[] as &[u32]);
        assert_eq!(index.cell(2), &[7, 3, 5]);
        assert_eq!(index.cell(3), &[0]);
    }

    /// A failed anchor passes over only variants whose anchor stands at
    /// the same place and holds at least its bytes; the others are tried.
    #[test]
    fn a_failed_anchor_passes_over_the_anchors_it_rules_out() {
        let phrases = [
            (r"\d+ mm punch biopsy", true, true),
            (r"\d+\.\d+ mm punch", true, true),
            (r"\d+ mm punch", true, true),
            (r"\d+ mm punch", true, true),
            (r"\d+ cm", true, true),
            (r"\d+ mm", true, true),
        ];
        let fast = Literals::new(phrases).unwrap();
        let index = &fast.bounded;
        let mut passed_over = 0;
        for c in 0..index.start.len() - 1 {
            let cell = index.start[c] as usize..index.start[c + 1] as usize;
            for k in cell.clone() {
                let t = index.tests[k];
                let next = t.on_anchor_fail as usize;
                assert!(k < next && next <= cell.end);
                let a = fast.variants[t.variant as usize].anchor.unwrap();
                for u in &index.tests[k + 1..next] {
                    let b = fast.variants[u.variant as usize].anchor.unwrap();
                    assert_eq!(b.before, a.before);
                    assert_eq!((b.mask & a.mask, b.word & a.mask), (a.mask, a.word));
                }
                passed_over += next - k - 1;
            }
        }
        assert!(passed_over > 0);
        let text = "4 mm punch biopsy, 4.5 mm punch, 3 mm punches, 2 cm, 2 mm, 7 MM-punch";
        let found = regex_matches(&phrases, text);
        assert_eq!(find_all(&phrases, text), found);
    }

    #[test]
    fn a_failed_prefix_test_passes_over_the_tests_it_rules_out() {
        let fast = Literals::new([
            ("biopsy", true, true),
            ("biopsy proven", true, true),
            ("bi", true, true),
            ("biopsied", true, true),
            ("biopsy-proven", true, true),
        ])
        .unwrap();
        let index = &fast.bounded;
        let cell = |c: usize| index.start[c] as usize..index.start[c + 1] as usize;
        let mut passed_over = 0;
        for c in 0..index.start.len() - 1 {
            for k in cell(c) {
                let (t, next) = (index.tests[k], index.tests[k].on_fail as usize);
                assert_eq!(t.variant, index.list[k]);
                assert!(k < next && next <= cell(c).end);
                for u in &index.tests[k + 1..next] {
                    assert_eq!(u.mask & t.mask, t.mask);
                    assert_eq!(u.prefix & t.mask, t.prefix);
                }
                passed_over += next - k - 1;
                // The cell lets through the third and fourth bytes the
                // test wants, in either case.
                for (n, bits) in index.later[c].iter().enumerate() {
                    let byte = (t.prefix >> (8 * (n + 2))) as u8;
                    for b in [byte, byte.to_ascii_uppercase()] {
                        assert!(t.mask >> (8 * (n + 2)) == 0 || bits >> (b & 63) & 1 == 1);
                    }
                }
            }
            if cell(c).is_empty() {
                assert_eq!(index.later[c], [0, 0]);
            }
        }
        // The first two bytes of a variant, in either case, pass the
        // look at word starts; other first bytes pass nothing.
        for (a, b) in [(b'b', b'i'), (b'B', b'I'), (b'b', b'I')] {
            assert_eq!(fast.pairs[usize::from(a)] >> (b & 63) & 1, 1);
        }
        assert_eq!(fast.pairs[usize::from(b'x')], 0);
        // `biopsy proven` after `biopsy`, and `biopsied` after `bi`.
        assert!(passed_over >= 2, "{passed_over}");
        assert_eq!(fast.find_at(b"a biopsied site", 0), Some((2, 10, 3)));
        assert_eq!(fast.find_at(b"bi-proven biopsy", 0), Some((0, 2, 2)));
        assert_eq!(fast.find_at(b"biopsy-proven", 0), Some((0, 6, 0)));
    }

    #[test]
    fn runs_of_one_class_merge() {
        let star = Atom::Class(Class::Space, Rep::Star);
        let opt = Atom::Class(Class::Space, Rep::Opt);
        let one = Atom::Class(Class::Space, Rep::One);
        let plus = Atom::Class(Class::Space, Rep::Plus);
        assert_eq!(merge_runs(vec![star, star]), [star]);
        assert_eq!(merge_runs(vec![opt, star]), [star]);
        assert_eq!(merge_runs(vec![star, one]), [plus]);
        assert_eq!(merge_runs(vec![opt, opt]), [opt, opt]);
        assert_eq!(merge_runs(vec![plus, plus]), [plus, plus]);
        let digits = Atom::Class(Class::Digit, Rep::Star);
        assert_eq!(merge_runs(vec![star, digits]), [star, digits]);
    }

    /// [`regex_find_all`] on phrases written as `&str`, each match as its
    /// text and the phrase's place in the list.
    fn regex_matches(phrases: &[(&str, bool, bool)], text: &str) -> Vec<(String, usize)> {
        let owned: Vec<(String, bool, bool)> = phrases
            .iter()
            .map(|(p, s, e)| (p.to_string(), *s, *e))
            .collect();
        regex_find_all(&owned, text)
            .into_iter()
            .map(|(s, e, p)| (text[s..e].to_string(), p))
            .collect()
    }

    /// Every match of `phrases` in `text` by the regex `PhraseSet` builds,
    /// with a group for each phrase to tell which one matched.
    fn regex_find_all(phrases: &[(String, bool, bool)], text: &str) -> Vec<(usize, usize, usize)> {
        let alternatives: Vec<String> = phrases
            .iter()
            .map(|(p, start, end)| {
                format!(
                    "({}(?:{}){})",
                    if *start { r"\b" } else { "" },
                    p.replace(' ', r"[\s\-]+"),
                    if *end { r"\b" } else { "" }
                )
            })
            .collect();
        let re = regex::Regex::new(&format!("(?i)(?:{})", alternatives.join("|"))).unwrap();
        re.captures_iter(text)
            .map(|c| {
                let m = c.get(0).unwrap();
                let phrase = (1..c.len()).find(|g| c.get(*g).is_some()).unwrap() - 1;
                (m.start(), m.end(), phrase)
            })
            .collect()
    }

    /// A phrase of the syntax the matcher knows, from a few words and
    /// pieces that overlap often.
    fn phrase() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let piece = prop::sample::select(vec![
            "ab",
            "b",
            "a1",
            "mm",
            "abab",
            "bbbbbbbbba",
            r"\d+",
            r"\d",
            r"\s*",
            r"\s?",
            r"-?",
            "s?",
            r"(?:\.\d+)?",
            "(?:ab |b)?",
            "(?:a|ab)",
            r"\.",
            ",",
            "_",
            "1",
            "-",
        ]);
        prop::collection::vec(piece, 1..5).prop_map(|ps| {
            let mut out = String::new();
            for (k, p) in ps.iter().enumerate() {
                // Words apart, or run together.
                if k > 0 && k % 2 == 1 {
                    out.push(' ');
                }
                out.push_str(p);
            }
            out
        })
    }

    /// Text from pieces of the phrases and what may come between them.
    fn text() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let piece = prop::sample::select(vec![
            "ab",
            "AB",
            "aB",
            "b",
            "a1",
            "1",
            "22",
            " ",
            "  ",
            "-",
            ".",
            ",",
            "mm",
            "s",
            "_",
            "x",
            "\t",
            "bbbbbbbbbA",
        ]);
        prop::collection::vec(piece, 0..24).prop_map(|ps| ps.concat())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 2000, ..Default::default() })]

        /// The matcher finds what the regex finds: the same spans, by the
        /// same phrases.
        #[test]
        fn agrees_with_the_regex(
            phrases in proptest::collection::vec(phrase(), 1..6),
            text in text(),
        ) {
            let phrases: Vec<(String, bool, bool)> = phrases
                .into_iter()
                .map(|p| {
                    let start = p.starts_with(|c: char| c.is_alphanumeric() || c == '\\');
                    let end = p.ends_with(|c: char| c.is_alphanumeric() || c == '?' || c == ')');
                    (p, start, end)
                })
                .collect();
            let Some(l) = Literals::new(phrases.iter().map(|(p, s, e)| (p.as_str(), *s, *e))) else {
                return Ok(());
            };
            let mut found = Vec::new();
            let mut from = 0;
            while let Some(m) = l.find_at(text.as_bytes(), from) {
                found.push(m);
                from = m.1;
            }
            proptest::prop_assert_eq!(found, regex_find_all(&phrases, &text));
        }
    }
}
