//! Clauses, negation and history: whether a phrase in a sentence names
//! something done now.

use std::ops::ControlFlow;

use crate::re::Re;

use crate::span::Span;

/// Words after a procedure that date it to the past: `excised in 2019`,
/// `biopsied 2 years ago`.
static PAST_AFTER: Re = Re::new(
    r"(?i)^\W*(?:\w+\W+){0,3}?(?:in\s+(?:19|20)\d\d(?:[\s.,;)]|$)|\d+\s+(?:years?|months?|weeks?)\s+ago\b|\bago\b|last\s+(?:year|month|week)\b)",
);
use crate::phrase::{Block, Literals, Needle, block_pairs};
use crate::vocab::{PhraseSet, vocab};

/// Splits text into clauses at `.` (not between digits), `;`, `,` and `:`,
/// returning each clause's span relative to `text`. The text is read
/// sixteen bytes at a time; only the places of those four bytes are
/// looked at one by one.
pub fn clauses(text: &str) -> Vec<Span> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let marks = [b';', b',', b':', b'.'].map(Needle::new);
    block_pairs(bytes, |i, here, _| {
        let mut at = marks.iter().fold(0, |m, n| m | here.find(n));
        while at != 0 {
            let k = i + at.trailing_zeros() as usize;
            if splits(bytes, k) {
                if k > start {
                    out.push(Span::new(start, k));
                }
                start = k + 1;
            }
            at &= at - 1;
        }
        false
    });
    if start < text.len() {
        out.push(Span::new(start, text.len()));
    }
    out
}

/// [`clauses`] a byte at a time, for the tests to hold it to.
#[cfg(test)]
fn clauses_plain(text: &str) -> Vec<Span> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    for i in 0..bytes.len() {
        if splits(bytes, i) {
            if i > start {
                out.push(Span::new(start, i));
            }
            start = i + 1;
        }
    }
    if start < text.len() {
        out.push(Span::new(start, text.len()));
    }
    out
}

/// Whether [`clauses`] splits `bytes` at `i`.
fn splits(bytes: &[u8], i: usize) -> bool {
    match bytes[i] {
        b';' | b',' | b':' => true,
        b'.' => {
            let next_digit = bytes.get(i + 1).is_some_and(u8::is_ascii_digit);
            !next_digit && i != 0
        }
        _ => false,
    }
}

/// The clause of `bytes` (as [`clauses`] finds them) that holds `i`, or
/// `None` when `i` is a split. The splits on either side are looked for
/// sixteen bytes at a time, as [`clauses`] looks for them.
fn clause_around(bytes: &[u8], i: usize) -> Option<Span> {
    if splits(bytes, i) {
        return None;
    }
    let marks = [b';', b',', b':', b'.'].map(Needle::new);
    let found = |block: Block| marks.iter().fold(0, |m, n| m | block.find(n));
    // Back from `i`: the last split before it, block by block.
    let mut start = 0;
    let mut end = i;
    'back: while end > 0 {
        let from = end.saturating_sub(16);
        let mut at = found(Block::load(bytes, from)) & ((1u32 << (end - from)) - 1);
        while at != 0 {
            let top = 31 - at.leading_zeros() as usize;
            if splits(bytes, from + top) {
                start = from + top + 1;
                break 'back;
            }
            at &= !(1 << top);
        }
        end = from;
    }
    // On from `i`: the first split after it. Past the end of the text come
    // zeros, which are no marks.
    let mut end = bytes.len();
    let mut from = i + 1;
    'on: while from < bytes.len() {
        let mut at = found(Block::load(bytes, from));
        while at != 0 {
            let k = from + at.trailing_zeros() as usize;
            if splits(bytes, k) {
                end = k;
                break 'on;
            }
            at &= at - 1;
        }
        from += 16;
    }
    Some(Span::new(start, end))
}

/// [`clause_around`] a byte at a time, for the tests to hold it to.
#[cfg(test)]
fn clause_around_plain(bytes: &[u8], i: usize) -> Option<Span> {
    if splits(bytes, i) {
        return None;
    }
    let start = (0..i)
        .rev()
        .find(|&k| splits(bytes, k))
        .map_or(0, |k| k + 1);
    let end = (i + 1..bytes.len())
        .find(|&k| splits(bytes, k))
        .unwrap_or(bytes.len());
    Some(Span::new(start, end))
}

/// The matches of a set in each clause of ASCII `text`, left to right, as
/// `find_all` on each clause would give them, found by scanning the whole
/// text once rather than each clause.
///
/// This gives the same matches because a clause ends at a split byte, or
/// at the end: neither is a word byte, a space, a digit or a dash, so what
/// a phrase makes of it is what it makes of the end of the text. A way of
/// matching that stays inside the clause does the same in both, and one
/// that reads on into the split byte fails in the clause. So a match in
/// the whole text that ends inside its clause is the clause's match too,
/// and a position with no match in the whole text has none in the clause.
/// A match that starts on a split byte, or runs past its clause (a phrase
/// holding `.` or `,`), is looked for again in the clause alone.
struct ClauseMatches<'a> {
    fast: &'a Literals,
    bytes: &'a [u8],
    from: usize,
    /// The clause of the last match, kept for the next one.
    clause: Option<Span>,
}

impl Iterator for ClauseMatches<'_> {
    /// The clause, and the match in it: its span relative to the clause
    /// and its phrase index.
    type Item = (Span, Span, usize);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let (start, end, phrase) = self.fast.find_at(self.bytes, self.from)?;
            let clause = match self.clause {
                Some(c) if c.start <= start && start < c.end => Some(c),
                _ => clause_around(self.bytes, start),
            };
            let Some(c) = clause else {
                self.from = start + 1;
                continue;
            };
            self.clause = Some(c);
            let inside = &self.bytes[c.start..c.end];
            let found = if end <= c.end {
                Some((start - c.start, end - c.start, phrase))
            } else {
                self.fast.find_at(inside, start - c.start)
            };
            match found {
                Some((s, e, phrase)) => {
                    self.from = c.start + e;
                    return Some((c, Span::new(s, e), phrase));
                }
                None => self.from = c.end,
            }
        }
    }
}

/// The matches of `set` in each clause of `text`, as in [`ClauseMatches`]:
/// each as the clause, its span relative to the clause and its value.
/// `None` when the set's fast matcher does not take `text`.
pub(crate) fn clause_matches<'a, T: Clone>(
    text: &'a str,
    set: &'a PhraseSet<T>,
) -> Option<impl Iterator<Item = (Span, Span, &'a T)>> {
    let fast = set.fast_for(text)?;
    let found = ClauseMatches {
        fast,
        bytes: text.as_bytes(),
        from: 0,
        clause: None,
    };
    Some(found.map(|(c, m, phrase)| (c, m, set.value(phrase))))
}

/// Splits text into sentences at `.` (not inside numbers) and `;`.
pub fn clauses_sentences(text: &str) -> Vec<Span> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let split = b == b';' || (b == b'.' && !bytes.get(i + 1).is_some_and(u8::is_ascii_digit));
        if split {
            if i > start {
                out.push(Span::new(start, i));
            }
            start = i + 1;
        }
    }
    if start < text.len() {
        out.push(Span::new(start, text.len()));
    }
    out
}

/// Whether a not-done word (`declined`, `no`, `prior`) stands before `m`
/// in its clause.
pub fn is_negated_plain(clause: &str, m: Span) -> bool {
    vocab().not_done.is_match(&clause[..m.start])
}

/// Whether the phrase at `m` (relative to `clause`) is negated or refers to
/// the past: a not-done word earlier in the clause, or a history phrase that
/// covers it.
pub fn is_negated(clause: &str, m: Span) -> bool {
    is_negated_with(clause, m, &mut None)
}

/// [`is_negated`], with the history phrases of the clause kept in
/// `history` once found, for the next match in the same clause.
fn is_negated_with(clause: &str, m: Span, history: &mut Option<Vec<Span>>) -> bool {
    let v = vocab();
    let before = &clause[..m.start];
    if v.not_done.is_match(before) || past_after(&clause[m.end..]) {
        return true;
    }
    history
        .get_or_insert_with(|| {
            v.history
                .find_all_ref(clause)
                .into_iter()
                .map(|(h, _)| h)
                .collect()
        })
        .iter()
        .any(|h| h.start <= m.start && m.end <= h.end || (h.start < m.end && m.start < h.end))
}

/// Whether words after a phrase date it to the past ([`PAST_AFTER`]). Each
/// of its cues holds `ago`, `last` or a digit, so text with none of them is
/// not run through the regex.
fn past_after(after: &str) -> bool {
    let may = after.bytes().any(|b| b.is_ascii_digit()) || may_contain(after, &["ago", "last"]);
    may && PAST_AFTER.is_match(after)
}

/// Whether a case-insensitive regex that needs one of `words` (ASCII,
/// lowercase) may match `text`: one of them is in it, ignoring ASCII case,
/// or the text is not ASCII, where other letters can fold into them.
///
/// The text is read sixteen bytes at a time, once for each word: a block
/// with a byte that is not ASCII answers at once, and a word is compared
/// in full only where its first two bytes stand, ignoring case.
pub(crate) fn may_contain(text: &str, words: &[&str]) -> bool {
    let bytes = text.as_bytes();
    for (n, w) in words.iter().enumerate() {
        let w = w.as_bytes();
        let (Some(&first), Some(&second)) = (w.first(), w.get(1)) else {
            return may_contain_plain(text, words);
        };
        let (first, second) = (Needle::new(first), Needle::new(second));
        let found = block_pairs(bytes, |i, here, next| {
            // The first word's pass looks at every block.
            if n == 0 && here.non_ascii() != 0 {
                return true;
            }
            let mut at = here.find(&first) & next.find(&second);
            while at != 0 {
                let k = i + at.trailing_zeros() as usize;
                if bytes[k..]
                    .get(..w.len())
                    .is_some_and(|x| x.eq_ignore_ascii_case(w))
                {
                    return true;
                }
                at &= at - 1;
            }
            false
        });
        if found {
            return true;
        }
    }
    false
}

/// [`may_contain`] byte by byte: for words shorter than two bytes, and
/// for the tests, which hold the two to the same answers.
fn may_contain_plain(text: &str, words: &[&str]) -> bool {
    if !text.is_ascii() {
        return true;
    }
    let bytes = text.as_bytes();
    words.iter().any(|w| {
        let w = w.as_bytes();
        (0..bytes.len()).any(|i| {
            bytes[i..]
                .get(..w.len())
                .is_some_and(|x| x.eq_ignore_ascii_case(w))
        })
    })
}

/// Hands each match of `set` in `text` that is not negated, and that
/// `wanted` takes (given its span relative to `text` and its value), to
/// `keep`, with its span, left to right, until `keep` breaks. A match
/// `wanted` leaves out is not tested for negation: the test reads the
/// clause again (not-done words, words after it, history phrases), and its
/// answer would not matter.
fn each_done<T: Clone>(
    text: &str,
    set: &PhraseSet<T>,
    wanted: impl Fn(Span, &T) -> bool,
    mut keep: impl FnMut(Span, &T) -> ControlFlow<()>,
) {
    if let Some(found) = clause_matches(text, set) {
        let mut history = (Span::new(0, 0), None);
        for (c, m, v) in found {
            let span = Span::new(c.start + m.start, c.start + m.end);
            if !wanted(span, v) {
                continue;
            }
            if history.0 != c {
                history = (c, None);
            }
            if !is_negated_with(c.text(text), m, &mut history.1) && keep(span, v).is_break() {
                return;
            }
        }
        return;
    }
    // A phrase found in a clause is found in the whole text too (clauses
    // end at punctuation, which is no word character); most texts have
    // none, and need no splitting.
    if !set.is_match(text) {
        return;
    }
    for c in clauses(text) {
        let clause = c.text(text);
        for (m, v) in set.find_all_ref(clause) {
            let span = Span::new(c.start + m.start, c.start + m.end);
            if wanted(span, v) && !is_negated(clause, m) && keep(span, v).is_break() {
                return;
            }
        }
    }
}

/// Every match of `set` in `text` that is not negated, with spans relative
/// to `text`, left to right.
pub fn all_done<T: Clone>(text: &str, set: &PhraseSet<T>) -> Vec<(Span, T)> {
    all_done_where(text, set, |_, _| true)
}

/// The matches of [`all_done`] that `wanted` takes, given each one's span
/// (relative to `text`) and value: the matches it leaves out are not
/// tested for negation.
pub fn all_done_where<T: Clone>(
    text: &str,
    set: &PhraseSet<T>,
    wanted: impl Fn(Span, &T) -> bool,
) -> Vec<(Span, T)> {
    let mut out = Vec::new();
    each_done(text, set, wanted, |span, v| {
        out.push((span, v.clone()));
        ControlFlow::Continue(())
    });
    out
}

/// The first match of `set` in `text` that is not negated.
pub fn first_done<T: Clone>(text: &str, set: &PhraseSet<T>) -> Option<(Span, T)> {
    first_done_where(text, set, |_| true)
}

/// The first match of [`all_done`] whose value `wanted` takes: the
/// matches it passes over are not tested for negation, and none after it
/// is looked at.
pub fn first_done_where<T: Clone>(
    text: &str,
    set: &PhraseSet<T>,
    wanted: impl Fn(&T) -> bool,
) -> Option<(Span, T)> {
    let mut first = None;
    each_done(
        text,
        set,
        |_, v| wanted(v),
        |span, v| {
            first = Some((span, v.clone()));
            ControlFlow::Break(())
        },
    );
    first
}

/// Whether any phrase of `set` occurs in `text` un-negated.
pub fn any_done<T: Clone>(text: &str, set: &PhraseSet<T>) -> bool {
    first_done(text, set).is_some()
}

/// Whether a phrase of `set` is hedged in its clause (`r/o BCC`,
/// `suspicious for melanoma`).
pub fn is_hedged(clause: &str, m: Span) -> bool {
    vocab().hedges.is_match(&clause[..m.start])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::ProcKind;

    fn kinds(text: &str) -> Vec<ProcKind> {
        all_done(text, &vocab().procedures)
            .into_iter()
            .map(|(_, (k, _))| k)
            .collect()
    }

    #[test]
    fn negation_and_history() {
        assert_eq!(kinds("Patient declined excision."), vec![]);
        assert_eq!(kinds("0.9 cm biopsy-proven BCC"), vec![]);
        assert_eq!(kinds("recurrent nevus at prior shave biopsy site"), vec![]);
        assert_eq!(
            kinds("ED&C, three cycles. Patient declined excision"),
            vec![ProcKind::Destruction]
        );
        assert_eq!(
            kinds("Tangential biopsy performed with a DermaBlade."),
            // "Tangential biopsy", then "DermaBlade".
            vec![ProcKind::Biopsy, ProcKind::Biopsy]
        );
    }

    #[test]
    fn first_done_where_passes_over_what_it_does_not_want() {
        let biopsy = |(k, _): &(ProcKind, Option<crate::vocab::Technique>)| *k == ProcKind::Biopsy;
        for text in [
            "Excision done; declined punch biopsy, shave biopsy performed.",
            // Text that is not ASCII takes the regex path.
            "Excisión done; declined punch biopsy, shave biopsy performed.",
        ] {
            let (span, (kind, _)) = first_done_where(text, &vocab().procedures, biopsy).unwrap();
            assert_eq!((span.text(text), kind), ("shave biopsy", ProcKind::Biopsy));
            let first = all_done(text, &vocab().procedures)
                .into_iter()
                .find(|(_, v)| biopsy(v));
            assert_eq!(first, Some((span, (kind, first.as_ref().unwrap().1.1))));
            assert_eq!(first_done_where(text, &vocab().procedures, |_| false), None);
        }
    }

    #[test]
    fn decimal_points_do_not_split() {
        let text = "A 0.6 cm papule. Shave biopsy done";
        let spans: Vec<&str> = clauses(text).iter().map(|s| s.text(text)).collect();
        assert_eq!(spans, ["A 0.6 cm papule", " Shave biopsy done"]);
    }

    /// Each clause scanned on its own, as `all_done` used to.
    fn by_clauses<T: Clone>(text: &str, set: &PhraseSet<T>) -> Vec<(Span, Span, T)> {
        let mut out = Vec::new();
        for c in clauses(text) {
            for (m, v) in set.find_all(c.text(text)) {
                out.push((c, m, v));
            }
        }
        out
    }

    fn by_whole_text<T: Clone>(text: &str, set: &PhraseSet<T>) -> Vec<(Span, Span, T)> {
        clause_matches(text, set)
            .expect("ASCII")
            .map(|(c, m, v)| (c, m, v.clone()))
            .collect()
    }

    #[test]
    fn clause_matches_where_phrases_hold_splits() {
        let v = vocab();
        for text in [
            "",
            ".",
            "3.5 mm punch biopsy; 4. mm punch, 2 mm punch.",
            "shave biopsy:excision,. ,destruction",
            "declined. biopsy was done 2 years ago; prior excision",
        ] {
            assert_eq!(
                by_whole_text(text, &v.procedures),
                by_clauses(text, &v.procedures)
            );
        }
    }

    #[test]
    fn clause_matches_where_phrases_hold_splits_of_their_own() {
        let set = PhraseSet::new(
            ["b, c", "c", ", d", "b", r"d\. e", "e"]
                .iter()
                .enumerate()
                .map(|(k, p)| (p.to_string(), k))
                .collect(),
        );
        for text in ["a b, c", "b, c, d. e", ",d, b,c,, d.e b", "x, d. e; b:c. e"] {
            assert_eq!(by_whole_text(text, &set), by_clauses(text, &set), "{text}");
        }
    }

    /// Text from words of the vocabulary, numbers and the bytes clauses
    /// split at.
    fn note_text() -> impl proptest::strategy::Strategy<Value = String> {
        crate::extract::text_of(
            vec![
                "shave",
                "Biopsy",
                "punch",
                "excision",
                "mm",
                "3",
                "4.5",
                ".",
                ",",
                ";",
                ":",
                " ",
                "-",
                "declined",
                "prior",
                "no",
                "ago",
                "2019",
                "in",
                "site",
                "ED&C",
                "x",
                ".5",
                "AK",
                "SCC",
                " in situ",
                "nevus",
                "r/o",
                "actinic",
                "keratosis",
            ],
            30,
            "",
        )
    }

    #[test]
    fn may_contain_finds_words_across_blocks() {
        let words = ["uc", "use", "x"];
        assert!(!may_contain("", &words));
        assert!(!may_contain("abcdefghijklmnopqrstuvw", &["uc", "use"]));
        assert!(may_contain("abcdefghijklmnoU", &["uc", "u"]));
        assert!(may_contain("abcdefghijklmnoUC", &["uc"]));
        assert!(!may_contain("abcdefghijklmnoUS", &["use"]));
        assert!(may_contain("abcdefghijklmnopqrstuvwxyz USE", &["use"]));
        assert!(may_contain("plain text with é", &["zz"]));
        assert!(may_contain("ED&C done", &["d&c"]));
    }

    /// Text for [`may_contain`]: pieces of its words, in both cases, with
    /// now and then a letter that is not ASCII.
    fn cue_text() -> impl proptest::strategy::Strategy<Value = String> {
        crate::extract::text_of(
            vec![
                "u",
                "U",
                "c",
                "s",
                "e",
                "uS",
                "La",
                "st",
                "ago",
                "AG",
                "o",
                " ",
                "x",
                "2",
                ".",
                "é",
                "mm",
                "Cm",
                "&",
                "abcdefghijk",
            ],
            40,
            "",
        )
    }

    /// Text of clause marks, digits, decimals, spaces, words and non-ASCII
    /// letters, in any order, for the block-wise readers' proptests.
    fn clause_text() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::strategy::Strategy;
        proptest::collection::vec(
            proptest::sample::select(vec![
                ".",
                ",",
                ";",
                ":",
                "5",
                "a",
                " ",
                "é",
                "中",
                ".5",
                "abcdefghij",
            ]),
            0..50,
        )
        .prop_map(|pieces| pieces.concat())
    }

    proptest::proptest! {
        /// The block-wise [`clauses`] splits as reading byte by byte does,
        /// on any text.
        #[test]
        fn clauses_agree_with_plain_split(text in clause_text()) {
            proptest::prop_assert_eq!(clauses(&text), clauses_plain(&text));
        }

        /// The block-wise [`clause_around`] finds the clause around each
        /// byte as reading byte by byte does.
        #[test]
        fn clause_around_agrees_with_plain(text in clause_text()) {
            for i in 0..text.len() {
                proptest::prop_assert_eq!(
                    clause_around(text.as_bytes(), i),
                    clause_around_plain(text.as_bytes(), i)
                );
            }
        }
    }

    proptest::proptest! {
        /// The one-pass [`may_contain`] answers as looking for each word
        /// on its own does.
        #[test]
        fn may_contain_agrees_with_plain_search(text in cue_text(), set in 0..4usize) {
            let words: &[&str] = [
                &["uc", "use"][..],
                &["ago", "last"],
                &["cm", "mm", "u"],
                &["d&c", "s2"],
            ][set];
            proptest::prop_assert_eq!(may_contain(&text, words), may_contain_plain(&text, words));
        }
    }

    proptest::proptest! {
        /// Scanning the whole text finds in each clause what scanning the
        /// clause finds, and `all_done` keeps the same of them.
        #[test]
        fn whole_text_scan_agrees_with_clauses(text in note_text(), spaced in proptest::bool::ANY) {
            let text = if spaced { text.replace('.', ". ") } else { text };
            let v = vocab();
            proptest::prop_assert_eq!(clauses(&text), clauses_plain(&text));
            proptest::prop_assert_eq!(by_whole_text(&text, &v.procedures), by_clauses(&text, &v.procedures));
            proptest::prop_assert_eq!(by_whole_text(&text, &v.not_done), by_clauses(&text, &v.not_done));
            proptest::prop_assert_eq!(by_whole_text(&text, &v.history), by_clauses(&text, &v.history));
            proptest::prop_assert_eq!(by_whole_text(&text, &v.lesion_types), by_clauses(&text, &v.lesion_types));
            let done: Vec<(Span, (ProcKind, Option<crate::vocab::Technique>))> = by_clauses(&text, &v.procedures)
                .into_iter()
                .filter(|(c, m, _)| !is_negated(c.text(&text), *m))
                .map(|(c, m, k)| (Span::new(c.start + m.start, c.start + m.end), k))
                .collect();
            proptest::prop_assert_eq!(all_done(&text, &v.procedures), done.clone());
            proptest::prop_assert_eq!(first_done(&text, &v.procedures), done.first().cloned());
            // Filtered, the first is the first of `all_done` kept by the
            // filter, for filters that keep none, some or all.
            for kinds in [
                &[][..],
                &[ProcKind::Biopsy],
                &[ProcKind::Excision, ProcKind::Destruction],
                &[ProcKind::Biopsy, ProcKind::Excision, ProcKind::ShaveRemoval, ProcKind::Destruction],
            ] {
                let wanted = |&(k, t): &(ProcKind, Option<crate::vocab::Technique>)| {
                    kinds.contains(&k) && (k != ProcKind::Biopsy || t.is_some())
                };
                proptest::prop_assert_eq!(
                    first_done_where(&text, &v.procedures, wanted),
                    done.iter().find(|(_, kt)| wanted(kt)).cloned()
                );
            }
        }
    }
}
