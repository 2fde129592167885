//! Regexes that are quick to build and to run on ASCII text.
//!
//! Unicode `\w`, `\b`, `\d` and `\s` are large classes: a pattern that uses
//! them takes milliseconds to compile, and a Unicode word boundary keeps
//! the fastest engines out of some searches. Notes are nearly always ASCII,
//! and on ASCII text each of these classes means the same as its ASCII
//! counterpart. So an [`Re`] holds its pattern twice: rewritten with ASCII
//! classes (`\w` as `[0-9A-Za-z_]`, `\b` as `(?-u:\b)`, …), for ASCII text,
//! and as written, for any other text. Each is compiled on first use, and
//! both find exactly what the pattern as written finds.

use std::sync::OnceLock;

use regex::{CaptureMatches, Captures, Match, Matches, Regex};

/// A pattern compiled on first use: with ASCII classes for ASCII text, as
/// written for other text.
pub(crate) struct Re {
    pattern: Pattern,
    /// `None` when the pattern has no ASCII rewriting (see [`ascii`]).
    ascii: OnceLock<Option<Regex>>,
    unicode: OnceLock<Regex>,
}

/// A pattern as written, or built from parts on first use.
enum Pattern {
    Static(&'static str),
    Built(fn() -> String),
}

impl Re {
    pub(crate) const fn new(pattern: &'static str) -> Re {
        Re {
            pattern: Pattern::Static(pattern),
            ascii: OnceLock::new(),
            unicode: OnceLock::new(),
        }
    }

    /// A pattern that `build` writes.
    pub(crate) const fn built(build: fn() -> String) -> Re {
        Re {
            pattern: Pattern::Built(build),
            ascii: OnceLock::new(),
            unicode: OnceLock::new(),
        }
    }

    fn pattern(&self) -> std::borrow::Cow<'static, str> {
        match self.pattern {
            Pattern::Static(p) => p.into(),
            Pattern::Built(build) => build().into(),
        }
    }

    /// The compiled regex to search `text` with.
    pub(crate) fn regex(&self, text: &str) -> &Regex {
        if text.is_ascii() {
            let ascii = self.ascii.get_or_init(|| {
                ascii(&self.pattern()).map(|p| Regex::new(&p).expect("an ASCII rewriting compiles"))
            });
            if let Some(r) = ascii {
                return r;
            }
        }
        self.unicode
            .get_or_init(|| Regex::new(&self.pattern()).expect("a valid regex"))
    }

    pub(crate) fn is_match(&self, text: &str) -> bool {
        self.regex(text).is_match(text)
    }

    pub(crate) fn find<'t>(&self, text: &'t str) -> Option<Match<'t>> {
        self.regex(text).find(text)
    }

    pub(crate) fn find_iter<'r, 't>(&'r self, text: &'t str) -> Matches<'r, 't> {
        self.regex(text).find_iter(text)
    }

    pub(crate) fn captures<'t>(&self, text: &'t str) -> Option<Captures<'t>> {
        self.regex(text).captures(text)
    }

    pub(crate) fn captures_iter<'r, 't>(&'r self, text: &'t str) -> CaptureMatches<'r, 't> {
        self.regex(text).captures_iter(text)
    }
}

/// The ASCII members of `\s` (Unicode White_Space), as a class body (the
/// space escaped, for patterns in verbose mode).
const SPACE: &str = r"\t\n\x0B\x0C\r\x20";
const WORD: &str = "0-9A-Za-z_";
const DIGIT: &str = "0-9";

/// `pattern` with its Perl classes and word boundaries made ASCII: a
/// pattern that matches, on ASCII text, exactly what `pattern` matches.
/// `None` for syntax this rewriting leaves alone (Unicode properties, a
/// negated class or `\b` inside brackets).
fn ascii(pattern: &str) -> Option<String> {
    let mut out = String::with_capacity(pattern.len() + 16);
    // Inside `[...]`: how deep, and whether the next `]` would be a
    // literal (right after `[` or `[^`).
    let mut depth = 0usize;
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let e = chars.next()?;
                let class = match e {
                    'w' => WORD,
                    'd' => DIGIT,
                    's' => SPACE,
                    'W' | 'D' | 'S' if depth == 0 => {
                        let body = match e {
                            'W' => WORD,
                            'D' => DIGIT,
                            _ => SPACE,
                        };
                        out.push_str("[^");
                        out.push_str(body);
                        out.push(']');
                        continue;
                    }
                    'b' | 'B' if depth == 0 => {
                        out.push_str("(?-u:\\");
                        out.push(e);
                        out.push(')');
                        continue;
                    }
                    'W' | 'D' | 'S' | 'b' | 'B' | 'p' | 'P' => return None,
                    _ => {
                        out.push('\\');
                        out.push(e);
                        continue;
                    }
                };
                if depth == 0 {
                    out.push('[');
                    out.push_str(class);
                    out.push(']');
                } else {
                    out.push_str(class);
                }
            }
            '[' => {
                // `[[:alpha:]]` and friends are ASCII already.
                if depth > 0 && chars.peek() == Some(&':') {
                    return None;
                }
                out.push('[');
                depth += 1;
                // A `]` first in a class (after any `^`) is a literal.
                if chars.peek() == Some(&'^') {
                    out.push(chars.next()?);
                }
                if chars.peek() == Some(&']') {
                    out.push(chars.next()?);
                }
            }
            ']' if depth > 0 => {
                out.push(']');
                depth -= 1;
            }
            c => out.push(c),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrites_perl_classes_and_boundaries() {
        assert_eq!(
            ascii(r"(?i)\bab\s+\d[\s\-]\w*\W\b").as_deref(),
            Some(
                r"(?i)(?-u:\b)ab[\t\n\x0B\x0C\r\x20]+[0-9][\t\n\x0B\x0C\r\x20\-][0-9A-Za-z_]*[^0-9A-Za-z_](?-u:\b)"
            )
        );
        assert_eq!(ascii(r"[^\W]"), None);
        assert_eq!(ascii(r"\p{L}"), None);
        assert_eq!(ascii(r"[]a]\.").as_deref(), Some(r"[]a]\."));
        assert_eq!(ascii(r"[:=]\d").as_deref(), Some(r"[:=][0-9]"));
        assert_eq!(ascii(r"[[:alpha:]]"), None);
    }

    /// On ASCII text the rewriting finds what the pattern finds, and text
    /// with other characters goes to the pattern as written.
    #[test]
    fn same_matches_as_the_pattern() {
        let patterns = [
            r"(?i)\bAUC\b|appropriate[\s-]+use[\s-]+criteria",
            r"(?i)^\W*(?:\w+\W+){0,3}?(?:in\s+(?:19|20)\d\d(?:[\s.,;)]|$)|\d+\s+(?:years?|months?)\s+ago\b)",
            r"\(([A-Za-z])\)\s*([^;()]*)",
            r"(?i)\b(\d{1,2}|[a-z]+)\s+(?:blocks?|sections?)\b",
        ];
        let texts = [
            "AUC met",
            "xAUC auc_ AUC.",
            "Appropriate - use  criteria",
            "excised in 2019.",
            "  biopsied 3 years ago",
            "(a) left cheek; (B) nose",
            "2 blocks, three sections",
            "café 2 blocks ago",
            "AUCé",
            "éAUC",
            "in 2019é",
        ];
        for p in patterns {
            let want = Regex::new(p).unwrap();
            let re = Re::new(p);
            for t in texts {
                let got: Vec<_> = re.find_iter(t).map(|m| m.range()).collect();
                let expected: Vec<_> = want.find_iter(t).map(|m| m.range()).collect();
                assert_eq!(got, expected, "{p} on {t:?}");
                let caps = |c: Option<Captures>| {
                    c.map(|c| c.iter().map(|m| m.map(|m| m.range())).collect::<Vec<_>>())
                };
                assert_eq!(caps(re.captures(t)), caps(want.captures(t)), "{p} on {t:?}");
            }
        }
    }
}
