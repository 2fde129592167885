//! Hand readers for two regexes run once per procedure or encounter: the
//! `Procedure 2:` prefix of a procedure section's title, and the E/M code
//! in an encounter's `E/M:` field. A regex search costs hundreds of
//! instructions to set up; these read the few bytes they need. Text that
//! is not ASCII keeps the regexes, whose `\b`, `\s`, `\d` and case folding
//! reach beyond ASCII.

use crate::phrase::{after_spaces, is_word};
use crate::re::Re;

/// The prefix a procedure title may start with.
static PROC_PREFIX: Re = Re::new(r"(?i)^procedures?\s*(?:#?\s*\d+|[a-z]\b)?\s*[:\-–—.]?\s*");
/// An office visit E/M code.
static EM_RE: Re = Re::new(r"\b99(?:20[2-5]|21[1-5])\b");

/// The length of [`PROC_PREFIX`]'s match at the start of `title` (0 when
/// there is none).
///
/// Everything after `procedure` is optional, so the regex never backs off
/// a choice it made: each part takes what it can where the last one
/// stopped. The number takes a `#` only when digits follow it, and a
/// letter only when it ends a word.
pub(crate) fn proc_prefix_len(title: &str) -> usize {
    if !title.is_ascii() {
        return PROC_PREFIX.find(title).map_or(0, |m| m.end());
    }
    let b = title.as_bytes();
    let Some(mut at) = b
        .get(..9)
        .is_some_and(|x| x.eq_ignore_ascii_case(b"procedure"))
        .then_some(9)
    else {
        return 0;
    };
    if b.get(at).is_some_and(|c| c.eq_ignore_ascii_case(&b's')) {
        at += 1;
    }
    at = after_spaces(b, at);
    let after_hash = at + usize::from(b.get(at) == Some(&b'#'));
    let digits_at = after_spaces(b, after_hash);
    let digits = b[digits_at..]
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count();
    if digits > 0 {
        at = digits_at + digits;
    } else if b.get(at).is_some_and(u8::is_ascii_alphabetic)
        && b.get(at + 1).is_none_or(|c| !is_word(*c))
    {
        at += 1;
    }
    at = after_spaces(b, at);
    if matches!(b.get(at), Some(b':' | b'-' | b'.')) {
        at += 1;
    }
    after_spaces(b, at)
}

/// The first [`EM_RE`] match in `value`: `99202`-`99205` or
/// `99211`-`99215`, with no word byte on either side.
pub(crate) fn em_code(value: &str) -> Option<&str> {
    if !value.is_ascii() {
        return EM_RE.find(value).map(|m| m.as_str());
    }
    let b = value.as_bytes();
    (0..b.len().saturating_sub(4))
        .find(|&i| {
            let code = &b[i..i + 5];
            let listed = match (code[2], code[3], code[4]) {
                (b'2', b'0', c) => (b'2'..=b'5').contains(&c),
                (b'2', b'1', c) => (b'1'..=b'5').contains(&c),
                _ => false,
            };
            code.starts_with(b"99")
                && listed
                && (i == 0 || !is_word(b[i - 1]))
                && b.get(i + 5).is_none_or(|c| !is_word(*c))
        })
        .map(|i| &value[i..i + 5])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn regex_prefix(title: &str) -> usize {
        PROC_PREFIX.find(title).map_or(0, |m| m.end())
    }

    #[test]
    fn prefixes_as_the_regex_reads_them() {
        for t in [
            "Procedure: excision",
            "Procedure 1: shave biopsy",
            "PROCEDURES #2 - Mohs",
            "procedure # 3. ED&C",
            "Procedure #: excision",
            "Procedure A: biopsy",
            "Procedure AB: biopsy",
            "Procedure a1",
            "Procedure s",
            "Proceduress",
            "Procedure\u{0B}12\t:  x",
            "Procedure – excision",
            "Procedure: \u{a0}excision",
            "Proc: excision",
            "Excision",
            "",
            "procedure",
            "Procedure_1",
        ] {
            assert_eq!(proc_prefix_len(t), regex_prefix(t), "{t:?}");
        }
        assert_eq!(proc_prefix_len("Procedure 1: shave biopsy"), 13);
    }

    #[test]
    fn em_codes_as_the_regex_reads_them() {
        for v in [
            "99214",
            "99213-25",
            "99201, 99202",
            "199214 99215",
            "99216 99211",
            "992145",
            "x99213",
            "_99213",
            "99213é",
            "é 99213",
            "",
            "9921",
        ] {
            assert_eq!(em_code(v), EM_RE.find(v).map(|m| m.as_str()), "{v:?}");
        }
    }

    /// Text from the pieces of procedure prefixes and E/M codes, spaces
    /// and punctuation, now and then with a byte that is not ASCII.
    fn head_text() -> impl proptest::strategy::Strategy<Value = String> {
        crate::extract::text_of(
            vec![
                "Procedure",
                "procedures",
                "PROCEDURE",
                "s",
                "#",
                "1",
                "12",
                "a",
                "B",
                "x1",
                "_",
                " ",
                "\t",
                "\u{0B}",
                ":",
                "-",
                ".",
                "–",
                "—",
                "\u{a0}",
                "é",
                "99",
                "20",
                "21",
                "2",
                "5",
                "6",
                "9",
                "0",
                ",",
            ],
            10,
            "",
        )
    }

    proptest::proptest! {
        #[test]
        fn readers_agree_with_the_regexes(t in head_text()) {
            proptest::prop_assert_eq!(proc_prefix_len(&t), regex_prefix(&t));
            proptest::prop_assert_eq!(em_code(&t), EM_RE.find(&t).map(|m| m.as_str()));
        }
    }
}
