//! Clauses, negation and history: whether a phrase in a sentence names
//! something done now.

use crate::re::Re;

use crate::span::Span;

/// Words after a procedure that date it to the past: `excised in 2019`,
/// `biopsied 2 years ago`.
static PAST_AFTER: Re = Re::new(
    r"(?i)^\W*(?:\w+\W+){0,3}?(?:in\s+(?:19|20)\d\d(?:[\s.,;)]|$)|\d+\s+(?:years?|months?|weeks?)\s+ago\b|\bago\b|last\s+(?:year|month|week)\b)",
);
use crate::vocab::{PhraseSet, vocab};

/// Splits text into clauses at `.` (not between digits), `;`, `,` and `:`,
/// returning each clause's span relative to `text`.
pub fn clauses(text: &str) -> Vec<Span> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let split = match b {
            b';' | b',' | b':' => true,
            b'.' => {
                let next_digit = bytes.get(i + 1).is_some_and(u8::is_ascii_digit);
                !next_digit && i != 0
            }
            _ => false,
        };
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
    let v = vocab();
    let before = &clause[..m.start];
    if v.not_done.is_match(before) || past_after(&clause[m.end..]) {
        return true;
    }
    v.history
        .find_all(clause)
        .iter()
        .any(|(h, _)| h.start <= m.start && m.end <= h.end || (h.start < m.end && m.start < h.end))
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
pub(crate) fn may_contain(text: &str, words: &[&str]) -> bool {
    if !text.is_ascii() {
        return true;
    }
    let bytes = text.as_bytes();
    words.iter().any(|w| {
        let w = w.as_bytes();
        memchr::memchr2_iter(w[0], w[0].to_ascii_uppercase(), bytes).any(|i| {
            bytes[i..]
                .get(..w.len())
                .is_some_and(|x| x.eq_ignore_ascii_case(w))
        })
    })
}

/// Every match of `set` in `text` that is not negated, with spans relative
/// to `text`, left to right.
pub fn all_done<T: Clone>(text: &str, set: &PhraseSet<T>) -> Vec<(Span, T)> {
    let mut out = Vec::new();
    // A phrase found in a clause is found in the whole text too (clauses
    // end at punctuation, which is no word character); most texts have
    // none, and need no splitting.
    if !set.is_match(text) {
        return out;
    }
    for c in clauses(text) {
        let clause = c.text(text);
        for (m, v) in set.find_all(clause) {
            if !is_negated(clause, m) {
                out.push((Span::new(c.start + m.start, c.start + m.end), v));
            }
        }
    }
    out
}

/// The first match of `set` in `text` that is not negated.
pub fn first_done<T: Clone>(text: &str, set: &PhraseSet<T>) -> Option<(Span, T)> {
    // As in `all_done`: no phrase in the text, none in its clauses.
    if !set.is_match(text) {
        return None;
    }
    for c in clauses(text) {
        let clause = c.text(text);
        for (m, v) in set.find_all(clause) {
            if !is_negated(clause, m) {
                return Some((Span::new(c.start + m.start, c.start + m.end), v));
            }
        }
    }
    None
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
    fn decimal_points_do_not_split() {
        let text = "A 0.6 cm papule. Shave biopsy done";
        let spans: Vec<&str> = clauses(text).iter().map(|s| s.text(text)).collect();
        assert_eq!(spans, ["A 0.6 cm papule", " Shave biopsy done"]);
    }
}
