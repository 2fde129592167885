//! A text with its ASCII letters lowered once, for the many questions
//! "may this piece of it hold one of these words?" asked about it.
//!
//! [`cues::may_contain`] answers one such question by looking for each
//! word's first letter in both cases and comparing what follows, ignoring
//! case: its cost is paid again for each piece and each question. Lowered
//! once, a text answers each question with a plain substring search.

use std::borrow::Cow;
use std::sync::OnceLock;

use aho_corasick::packed;
use memchr::memmem::Finder;

use super::cues;
use crate::span::Span;

/// A word (ASCII, lower case, not empty) to look for in lowered text, with
/// its substring searcher built on first use, once for all searches.
pub(crate) struct Word {
    text: &'static str,
    finder: OnceLock<Finder<'static>>,
}

impl Word {
    pub(crate) const fn new(text: &'static str) -> Word {
        Word {
            text,
            finder: OnceLock::new(),
        }
    }

    /// The word, for the tests that check a regex or phrase needs it.
    #[cfg(test)]
    pub(crate) fn text(&self) -> &'static str {
        self.text
    }

    fn finder(&self) -> &Finder<'static> {
        self.finder
            .get_or_init(|| Finder::new(self.text.as_bytes()))
    }
}

/// Words (each a [`Word`]) looked for together: in lowered text one
/// search finds whether any of them is there, where looking for each in
/// turn pays a search's start-up cost once per word.
pub(crate) struct Words {
    words: &'static [&'static Word],
    /// The words in one searcher, built on first use (`None` when the
    /// packed searcher takes no such set; then each word is looked for).
    searcher: OnceLock<Option<packed::Searcher>>,
}

impl Words {
    pub(crate) const fn new(words: &'static [&'static Word]) -> Words {
        Words {
            words,
            searcher: OnceLock::new(),
        }
    }

    /// The words in one searcher, built on first use.
    fn searcher(&self) -> Option<&packed::Searcher> {
        self.searcher
            .get_or_init(|| {
                packed::Config::new()
                    .match_kind(packed::MatchKind::LeftmostFirst)
                    .builder()
                    .extend(self.words.iter().map(|w| w.text.as_bytes()))
                    .build()
            })
            .as_ref()
    }

    /// Whether `hay` (lowered) holds one of the words.
    fn any_in(&self, hay: &[u8]) -> bool {
        match self.searcher() {
            Some(s) => s.find(hay).is_some(),
            None => self.words.iter().any(|w| w.finder().find(hay).is_some()),
        }
    }

    /// The first place at or after `from` in `hay` (lowered) where one of
    /// the words starts. A leftmost search finds the first place where
    /// any word matches, whichever word it reports there.
    fn next_start(&self, hay: &[u8], from: usize) -> Option<usize> {
        let rest = hay.get(from..)?;
        let found = match self.searcher() {
            Some(s) => s.find(rest).map(|m| m.start()),
            None => self
                .words
                .iter()
                .filter_map(|w| w.finder().find(rest))
                .min(),
        };
        found.map(|k| from + k)
    }
}

impl std::ops::Deref for Words {
    type Target = [&'static Word];

    fn deref(&self) -> &Self::Target {
        self.words
    }
}

/// A text, and its bytes with ASCII letters lowered when it is ASCII.
pub(crate) struct Lowered<'a> {
    text: &'a str,
    /// Where `text` starts in the note: pieces are asked about by their
    /// spans in the note.
    start: usize,
    /// `None` for text that is not ASCII, where [`cues::may_contain`] is
    /// asked instead. A piece of a lowered text borrows its bytes.
    lower: Option<Cow<'a, [u8]>>,
}

impl<'a> Lowered<'a> {
    /// `span` of the note `text`, lowered.
    pub(crate) fn new(text: &'a str, span: Span) -> Lowered<'a> {
        let text = span.text(text);
        Lowered {
            text,
            start: span.start,
            lower: text
                .is_ascii()
                .then(|| Cow::Owned(text.as_bytes().to_ascii_lowercase())),
        }
    }

    /// The piece at `span` (a span of the note inside this text), lowered
    /// with no copy: a section of a lowered encounter. A piece of text
    /// that is not ASCII is asked about as that text is, through
    /// [`cues::may_contain`], which answers as the lowered piece would.
    /// `None` when `span` is not inside this text.
    pub(crate) fn piece(&self, span: Span) -> Option<Lowered<'_>> {
        let from = span.start.checked_sub(self.start)?;
        let to = span.end.checked_sub(self.start)?;
        let text = self.text.get(from..to)?;
        Some(Lowered {
            text,
            start: span.start,
            lower: self.lower.as_ref().map(|l| Cow::Borrowed(&l[from..to])),
        })
    }

    /// What [`cues::may_contain`] says of the piece at `piece` (a span of
    /// the note inside this text) and `words` (ASCII, lower case, none
    /// empty).
    ///
    /// In ASCII text a word ignoring ASCII case at some place is the word
    /// itself at that place in the lowered text, so the answers agree.
    pub(crate) fn may_contain(&self, piece: Span, words: &[&Word]) -> bool {
        let (from, to) = (piece.start - self.start, piece.end - self.start);
        match &self.lower {
            Some(lower) => {
                let hay = &lower[from..to];
                words.iter().any(|w| w.finder().find(hay).is_some())
            }
            None => {
                let texts: Vec<&str> = words.iter().map(|w| w.text).collect();
                cues::may_contain(&self.text[from..to], &texts)
            }
        }
    }

    /// The whole text's span in the note.
    fn whole(&self) -> Span {
        Span::new(self.start, self.start + self.text.len())
    }

    /// [`Lowered::may_contain`] for the whole text.
    #[cfg(test)]
    pub(crate) fn whole_may_contain(&self, words: &[&Word]) -> bool {
        self.may_contain(self.whole(), words)
    }

    /// [`Lowered::may_contain`] for a set of words, with one search for
    /// all of them: a place where one of them is, is a place where the
    /// searcher finds one, so the answers agree.
    pub(crate) fn may_contain_any(&self, piece: Span, words: &Words) -> bool {
        match &self.lower {
            Some(lower) => words.any_in(&lower[piece.start - self.start..piece.end - self.start]),
            None => self.may_contain(piece, words),
        }
    }

    /// [`Lowered::may_contain_any`] for the whole text.
    pub(crate) fn whole_may_contain_any(&self, words: &Words) -> bool {
        self.may_contain_any(self.whole(), words)
    }
}

/// The places of one word in a lowered text, found with one search: for
/// asking of many pieces of it (the lines of a section) whether they hold
/// the word, where a search of each piece pays a search's start-up cost
/// once per piece.
pub(crate) struct Places<'l, 'a> {
    lowered: &'l Lowered<'a>,
    word: &'static Word,
    /// Where each place of the word starts in the note, overlapping ones
    /// too; `None` for text that is not ASCII, whose pieces are asked
    /// one by one.
    starts: Option<Vec<usize>>,
}

impl<'a> Lowered<'a> {
    /// The places of `word` in this text.
    pub(crate) fn places(&self, word: &'static Word) -> Places<'_, 'a> {
        let starts = self.lower.as_ref().map(|lower| {
            let finder = word.finder();
            let mut starts = Vec::new();
            let mut from = 0;
            while let Some(k) = finder.find(&lower[from..]) {
                starts.push(self.start + from + k);
                from += k + 1;
            }
            starts
        });
        Places {
            lowered: self,
            word,
            starts,
        }
    }
}

impl Places<'_, '_> {
    /// What [`Lowered::may_contain`] says of `piece` and the word: in
    /// ASCII text, whether one of its places lies inside the piece.
    pub(crate) fn in_piece(&self, piece: Span) -> bool {
        match &self.starts {
            Some(starts) => {
                let len = self.word.text.len();
                starts
                    .iter()
                    .any(|&s| piece.start <= s && s + len <= piece.end)
            }
            None => self.lowered.may_contain(piece, &[self.word]),
        }
    }
}

/// The places of a set of words in a lowered text, found with one search:
/// for asking of many pieces of it, and of several sets among those
/// words, whether a piece holds one of them. Each question then looks
/// only at the places inside the piece, where a search of the piece pays
/// a search's start-up cost and reads the whole piece.
pub(crate) struct Hits<'l, 'a> {
    lowered: &'l Lowered<'a>,
    words: &'static Words,
    /// Each place where one of the words starts, in the note, with the
    /// word's index in `words`: every word at every place, overlapping
    /// ones too, in order of place. `None` for text that is not ASCII,
    /// whose pieces are asked one by one.
    at: Option<Vec<(usize, u8)>>,
}

impl<'a> Lowered<'a> {
    /// The places of `words` (at most 256 of them) in this text.
    pub(crate) fn hits(&self, words: &'static Words) -> Hits<'_, 'a> {
        let at = self.lower.as_ref().map(|lower| {
            let mut at = Vec::new();
            let mut from = 0;
            while let Some(s) = words.next_start(lower, from) {
                // Every word that starts here, not only the one found
                // (its first byte compared first, with no call).
                for (k, w) in words.iter().enumerate() {
                    let w = w.text.as_bytes();
                    if lower[s] == w[0] && lower[s..].starts_with(w) {
                        at.push((self.start + s, k as u8));
                    }
                }
                from = s + 1;
            }
            at
        });
        Hits {
            lowered: self,
            words,
            at,
        }
    }
}

impl Hits<'_, '_> {
    /// What [`Lowered::may_contain`] says of `piece` (a span of the note
    /// inside the text searched) and `words`, each of which is one of the
    /// words searched for: in ASCII text, whether one of them has a place
    /// that lies inside the piece.
    pub(crate) fn any_in(&self, piece: Span, words: &[&Word]) -> bool {
        debug_assert!(
            words
                .iter()
                .all(|w| self.words.iter().any(|x| std::ptr::eq(*w, *x))),
            "a word that was not searched for"
        );
        match &self.at {
            Some(at) => {
                let first = at.partition_point(|&(s, _)| s < piece.start);
                at[first..]
                    .iter()
                    .take_while(|&&(s, _)| s < piece.end)
                    .any(|&(s, k)| {
                        let w = self.words[usize::from(k)];
                        s + w.text.len() <= piece.end && words.iter().any(|x| std::ptr::eq(*x, w))
                    })
            }
            None => self.lowered.may_contain(piece, words),
        }
    }

    /// [`Hits::any_in`] for the whole text searched.
    pub(crate) fn any_in_whole(&self, words: &[&Word]) -> bool {
        self.any_in(self.lowered.whole(), words)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_piece_answers_as_its_own_lowering() {
        static MARGIN: Word = Word::new("margin");
        static SET: Words = Words::new(&[&MARGIN, &MARGIN, &MARGIN, &MARGIN]);
        for note in [
            "## Margin 2 mm. MARGINS clear",
            "## Margin 2 mm. MARGINS cléar",
        ] {
            let whole = Lowered::new(note, Span::new(3, note.len()));
            for (a, b) in [(3, 16), (9, note.len()), (17, note.len())] {
                let piece = whole.piece(Span::new(a, b)).unwrap();
                let own = Lowered::new(note, Span::new(a, b));
                for (x, y) in [(a, b), (a + 1, b), (a, b - 1)] {
                    let s = Span::new(x, y);
                    assert_eq!(
                        piece.may_contain(s, &[&MARGIN]),
                        own.may_contain(s, &[&MARGIN])
                    );
                    assert_eq!(piece.may_contain_any(s, &SET), own.may_contain_any(s, &SET));
                }
            }
            assert!(whole.piece(Span::new(2, 9)).is_none());
            assert!(whole.piece(Span::new(9, note.len() + 1)).is_none());
        }
    }

    #[test]
    fn answers_as_may_contain() {
        let note = "xx Margin 2 MM; STAGE café Stage";
        static MARGIN: Word = Word::new("margin");
        static STAGE: Word = Word::new("stage");
        static MM: Word = Word::new("mm");
        static ZZZ: Word = Word::new("zzz");
        for note in [note, &note.replace('é', "e")] {
            let l = Lowered::new(note, Span::new(3, note.len()));
            assert!(l.may_contain(Span::new(3, 9), &[&MARGIN]));
            assert!(!l.may_contain(Span::new(3, 8), &[&MARGIN]));
            assert!(l.whole_may_contain(&[&ZZZ, &MM]));
            // Text that is not ASCII may hold any word, as
            // `cues::may_contain` reads it.
            assert_eq!(l.whole_may_contain(&[&ZZZ]), !note.is_ascii());
            assert!(l.may_contain(Span::new(16, 21), &[&STAGE]));
            assert!(!l.may_contain(Span::new(3, 9), &[&STAGE]));
        }
    }

    #[test]
    fn a_set_is_searched_at_once() {
        static MARGIN: Word = Word::new("margin");
        static STAGE: Word = Word::new("stage");
        static HR: Word = Word::new("hr");
        static SET: Words = Words::new(&[&MARGIN, &STAGE, &HR]);
        let note = "## Deep MARGIN clear; two Stages, three hours of light";
        let l = Lowered::new(note, Span::new(3, note.len()));
        assert!(l.whole_may_contain_any(&SET));
        assert!(l.may_contain_any(Span::new(8, 14), &SET));
        assert!(!l.may_contain_any(Span::new(8, 13), &SET));
        assert!(l.may_contain_any(Span::new(26, 31), &SET));
        // `hr` inside `three`, as a substring search finds it.
        assert!(l.may_contain_any(Span::new(33, 38), &SET));
        assert!(!l.may_contain_any(Span::new(38, 53), &SET));
        // A long piece with the word at its end.
        let long = format!("{}margin", "x ".repeat(70));
        let l = Lowered::new(&long, Span::new(0, long.len()));
        assert!(l.whole_may_contain_any(&SET));
        assert!(!l.may_contain_any(Span::new(0, long.len() - 1), &SET));
    }

    #[test]
    fn hits_answer_for_each_set() {
        static PUNCH: Word = Word::new("punch");
        static PUNCHES: Word = Word::new("punches");
        static AUC: Word = Word::new("auc");
        static ALL: Words = Words::new(&[&PUNCH, &PUNCHES, &AUC]);
        let note = "## two PUNCHES; auc. punch";
        let l = Lowered::new(note, Span::new(3, note.len()));
        let hits = l.hits(&ALL);
        // Both words that start at one place are found.
        assert!(hits.any_in(Span::new(7, 14), &[&PUNCHES]));
        assert!(hits.any_in(Span::new(7, 12), &[&PUNCH]));
        assert!(!hits.any_in(Span::new(7, 13), &[&PUNCHES]));
        assert!(!hits.any_in(Span::new(8, 14), &[&PUNCH, &PUNCHES]));
        assert!(hits.any_in(Span::new(16, 19), &[&AUC]));
        assert!(!hits.any_in(Span::new(16, 19), &[&PUNCH]));
        assert!(hits.any_in_whole(&[&PUNCHES]));
        let other = "## two punchés";
        let l = Lowered::new(other, Span::new(3, other.len()));
        // Text that is not ASCII is asked as `cues::may_contain` asks it.
        assert!(l.hits(&ALL).any_in_whole(&[&AUC]));
    }

    /// Text from word pieces in both cases, punctuation and a few letters
    /// that are not ASCII.
    fn text() -> impl proptest::strategy::Strategy<Value = String> {
        crate::extract::text_of(
            vec![
                "mar", "gin", "MAR", "Gin", "stage", "STA", "ge", "dia", "meter", "uthori", "AUC",
                "a", "u", "c", " ", ",", ".", "é", "K", "ſ", "\n",
            ],
            40,
            "",
        )
    }

    proptest::proptest! {
        /// Every piece of every text gets `cues::may_contain`'s answer.
        #[test]
        fn agrees_with_may_contain(t in text(), lead in 0usize..3) {
            let note = format!("{}{t}", "#".repeat(lead));
            let l = Lowered::new(&note, Span::new(lead, note.len()));
            let cuts: Vec<usize> = (lead..=note.len()).filter(|&i| note.is_char_boundary(i)).collect();
            static WORDS: [Word; 8] = [
                Word::new("margin"),
                Word::new("stage"),
                Word::new("uthori"),
                Word::new("auc"),
                Word::new("appropriate"),
                Word::new("ge"),
                Word::new("gege"),
                Word::new("ge"),
            ];
            static S0: [&Word; 1] = [&WORDS[0]];
            static S1: [&Word; 2] = [&WORDS[1], &WORDS[2]];
            static S2: [&Word; 3] = [&WORDS[3], &WORDS[4], &WORDS[1]];
            static S3: [&Word; 4] = [&WORDS[5], &WORDS[0], &WORDS[2], &WORDS[3]];
            // Words that overlap themselves, alone.
            static S4: [&Word; 1] = [&WORDS[6]];
            static S5: [&Word; 1] = [&WORDS[7]];
            static SETS: [Words; 6] = [
                Words::new(&S0),
                Words::new(&S1),
                Words::new(&S2),
                Words::new(&S3),
                Words::new(&S4),
                Words::new(&S5),
            ];
            // Every word, searched for once, for `Hits`.
            static ALL: [&Word; 8] = [
                &WORDS[0], &WORDS[1], &WORDS[2], &WORDS[3], &WORDS[4], &WORDS[5], &WORDS[6],
                &WORDS[7],
            ];
            static ALL_SET: Words = Words::new(&ALL);
            let hits = l.hits(&ALL_SET);
            for words in &SETS {
                let texts: Vec<&str> = words.iter().map(|w| w.text).collect();
                for &a in &cuts {
                    for &b in cuts.iter().filter(|&&b| b >= a) {
                        let expected = cues::may_contain(&note[a..b], &texts);
                        proptest::prop_assert_eq!(
                            l.may_contain(Span::new(a, b), words),
                            expected,
                            "{:?} {:?}", &note[a..b], texts
                        );
                        // One search for the set answers as a search for
                        // each word.
                        proptest::prop_assert_eq!(
                            l.may_contain_any(Span::new(a, b), words),
                            expected,
                            "{:?} {:?}", &note[a..b], texts
                        );
                        // The places of all the words, found once,
                        // answer as a search of the piece.
                        proptest::prop_assert_eq!(
                            hits.any_in(Span::new(a, b), words),
                            expected,
                            "{:?} {:?}", &note[a..b], texts
                        );
                        // The places of a word, found once, answer as a
                        // search of the piece.
                        if let [word] = words[..] {
                            proptest::prop_assert_eq!(
                                l.places(word).in_piece(Span::new(a, b)),
                                expected,
                                "{:?} {:?}", &note[a..b], texts
                            );
                        }
                    }
                }
            }
        }
    }
}
