//! Hand readers for the two regexes a Mohs stage's value is read with:
//! its block count (`4 blocks`, `two tissue sections`) and whether it was
//! mapped. Every stage line is read with both, and a regex search with a
//! capture group costs far more than walking the few bytes of a stage
//! line. Text that is not ASCII keeps the regexes, whose `\b`, `\s`, `\d`
//! and case folding reach beyond ASCII.

use crate::phrase::{after_spaces, is_word};
use crate::re::Re;

/// A stage's block count: a number (as digits or a word) before `blocks`,
/// `sections`, `pieces` or `specimens`.
static BLOCKS_RE: Re = Re::new(
    r"(?i)\b(\d{1,2}|[a-z]+)\s+(?:tissue\s+|frozen\s+)?(?:blocks?|sections?|pieces?|specimens?)\b",
);
/// `map`, `mapped` or `mapping`, as a word.
static MAPPED: Re = Re::new(r"(?i)\bmap(?:ped|ping)?\b");

/// The count word of the first [`BLOCKS_RE`] match in `s` (its group 1),
/// as the regex finds it.
///
/// On ASCII text the regex's match starts where a word starts. There its
/// group is a run of one or two digits (a longer run leaves a digit where
/// the spaces must be) or the whole run of letters (a shorter one leaves a
/// letter there), and the rest either follows that run or does not: no
/// backtracking can change the answer. So the first word start whose run
/// is followed by the rest is the match, and its run the group.
pub(crate) fn blocks_word(s: &str) -> Option<&str> {
    if !s.is_ascii() {
        return BLOCKS_RE.captures(s)?.get(1).map(|m| m.as_str());
    }
    let b = s.as_bytes();
    for i in 0..b.len() {
        // `\b` before a digit or a letter: no word byte before it.
        if i > 0 && is_word(b[i - 1]) {
            continue;
        }
        let run = |f: fn(&u8) -> bool| b[i..].iter().take_while(|c| f(c)).count();
        let end = if b[i].is_ascii_digit() {
            match run(u8::is_ascii_digit) {
                n @ 1..=2 => i + n,
                _ => continue,
            }
        } else if b[i].is_ascii_alphabetic() {
            i + run(u8::is_ascii_alphabetic)
        } else {
            continue;
        };
        if blocks_after(b, end) {
            return Some(&s[i..end]);
        }
    }
    None
}

/// Whether the rest of [`BLOCKS_RE`] after its group matches at `at`:
/// spaces, maybe `tissue` or `frozen` and spaces, and a noun. Neither
/// optional word starts a noun, so trying the noun with and without it
/// answers as the regex's backtracking does.
fn blocks_after(b: &[u8], at: usize) -> bool {
    let at_noun = after_spaces(b, at);
    if at_noun == at {
        return false;
    }
    for word in [&b"tissue"[..], b"frozen"] {
        if let Some(end) = word_at(b, at_noun, word) {
            let next = after_spaces(b, end);
            if next > end && noun_at(b, next) {
                return true;
            }
        }
    }
    noun_at(b, at_noun)
}

/// Whether one of [`BLOCKS_RE`]'s nouns, maybe plural, ends a word at `at`.
fn noun_at(b: &[u8], at: usize) -> bool {
    [&b"block"[..], b"section", b"piece", b"specimen"]
        .iter()
        .any(|stem| {
            word_at(b, at, stem).is_some_and(|end| {
                ends_word(b, end)
                    || (b.get(end).is_some_and(|c| c.eq_ignore_ascii_case(&b's'))
                        && ends_word(b, end + 1))
            })
        })
}

/// The end of `word` (lowercase) at `at` in `b`, ignoring ASCII case.
fn word_at(b: &[u8], at: usize, word: &[u8]) -> Option<usize> {
    let end = at + word.len();
    b.get(at..end)
        .is_some_and(|x| x.eq_ignore_ascii_case(word))
        .then_some(end)
}

/// `\b` at `at` after a word byte: the end, or a byte that is no word byte.
fn ends_word(b: &[u8], at: usize) -> bool {
    b.get(at).is_none_or(|c| !is_word(*c))
}

/// Whether [`MAPPED`] matches `s`: `map`, `mapped` or `mapping`, ignoring
/// ASCII case, with no word byte on either side.
pub(crate) fn is_mapped(s: &str) -> bool {
    if !s.is_ascii() {
        return MAPPED.is_match(s);
    }
    let b = s.as_bytes();
    memchr::memchr2_iter(b'm', b'M', b).any(|i| {
        (i == 0 || !is_word(b[i - 1]))
            && word_at(b, i, b"map").is_some_and(|end| {
                ends_word(b, end)
                    || [&b"ped"[..], b"ping"]
                        .iter()
                        .any(|tail| word_at(b, end, tail).is_some_and(|e| ends_word(b, e)))
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn regex_blocks(s: &str) -> Option<&str> {
        BLOCKS_RE.captures(s)?.get(1).map(|m| m.as_str())
    }

    #[test]
    fn blocks_as_the_regex_reads_them() {
        for s in [
            "4 blocks, mapped, margins clear",
            "two tissue blocks",
            "three frozen sections",
            "123 blocks; 12 blocks",
            "1 block",
            "1 blockss, 2 pieces",
            "frozen sections",
            "tissue  \t specimens",
            "x3 blocks",
            "_3 blocks, 5\u{0B}SPECIMENS",
            "ab1 blocks",
            "one tissue frozen blocks",
            "",
            "6 bloc",
            "2 blocks mapped",
            "2 blocKs",
            "2 bloc\u{212A}s",
            "dos\u{a0}blocks",
        ] {
            assert_eq!(blocks_word(s), regex_blocks(s), "{s:?}");
        }
        assert_eq!(blocks_word("Stage 1: 6 blocks"), Some("6"));
        assert_eq!(blocks_word("two tissue blocks"), Some("two"));
    }

    #[test]
    fn mapped_as_the_regex_reads_it() {
        for s in [
            "mapped",
            "Map",
            "MAPPING done",
            "remapped",
            "mapped_",
            "maps",
            "mapp",
            "not mappedx, mapping.",
            "",
            "mappé",
        ] {
            assert_eq!(is_mapped(s), MAPPED.is_match(s), "{s:?}");
        }
    }

    /// Text from the words the two regexes read, numbers, spaces and
    /// punctuation, now and then with a byte that is not ASCII.
    fn stage_text() -> impl proptest::strategy::Strategy<Value = String> {
        crate::extract::text_of(
            vec![
                "1",
                "12",
                "123",
                "two",
                "Three",
                "tissue",
                "FROZEN",
                "block",
                "blocks",
                "Sections",
                "piece",
                "pieces",
                "specimen",
                "specimens",
                "s",
                "x",
                "_",
                "map",
                "mapped",
                "Mapping",
                "mapp",
                "re",
                " ",
                "  ",
                "\t",
                "\u{0B}",
                "\n",
                ",",
                ".",
                ";",
                ":",
                "-",
                "é",
                "\u{212A}",
                "\u{a0}",
            ],
            14,
            "",
        )
    }

    proptest::proptest! {
        #[test]
        fn readers_agree_with_the_regexes(s in stage_text()) {
            proptest::prop_assert_eq!(blocks_word(&s), regex_blocks(&s));
            proptest::prop_assert_eq!(is_mapped(&s), MAPPED.is_match(&s));
        }
    }
}
