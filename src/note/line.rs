//! One line of a note: a `Label: value` field, an `(A)` specimen line, a list
//! item, an HTML comment, or free text.

use crate::span::Span;
use crate::vocab::{self, Label};

/// A parsed line. `span` excludes the line end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub span: Span,
    /// The list marker (`-`, `*`, `1.`) when the line is a list item.
    pub bullet: Option<Bullet>,
    /// The text after the list marker, trimmed.
    pub body: Span,
    pub kind: LineKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bullet {
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LineKind {
    Blank,
    /// `<!-- … -->` on a line of its own.
    Comment,
    Field(Field),
    /// `(A) site: description` — one lesion of several in a procedure.
    Specimen {
        letter: char,
        rest: Span,
    },
    /// Anything else: sentences.
    Text,
}

/// A `Label: value` line with a recognised label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    pub label: Label,
    pub label_span: Span,
    pub value: Span,
}

impl Line {
    pub fn field(&self) -> Option<&Field> {
        match &self.kind {
            LineKind::Field(f) => Some(f),
            _ => None,
        }
    }
}

/// Parses the line at `span` of `text`.
pub fn parse_line(text: &str, span: Span) -> Line {
    let (bullet, body) = bullet_and_body(text, span);
    let body_text = body.text(text);
    let kind = if body_text.is_empty() && bullet.is_none() {
        LineKind::Blank
    } else if body_text.starts_with("<!--") {
        LineKind::Comment
    } else if let Some((letter, rest_off)) = specimen_prefix(body_text) {
        LineKind::Specimen {
            letter,
            rest: Span::new(body.start + rest_off, body.end),
        }
    } else if let Some(field) = field(text, body) {
        LineKind::Field(field)
    } else {
        LineKind::Text
    };
    Line {
        span,
        bullet,
        body,
        kind,
    }
}

/// The body of the line at `span` of `text`: what [`parse_line`] gives as
/// its `body`, without reading what kind of line it is (which looks up a
/// field's label).
pub fn line_body(text: &str, span: Span) -> Span {
    bullet_and_body(text, span).1
}

/// The list marker of the line at `span`, if any, and the body after it,
/// trimmed.
fn bullet_and_body(text: &str, span: Span) -> (Option<Bullet>, Span) {
    let raw = span.text(text);
    let from_lead = trim_start(raw);
    let lead = raw.len() - from_lead.len();
    let trimmed = trim_end(from_lead);
    let mut body_start = span.start + lead;
    let body_end = span.start + lead + trimmed.len();
    let mut bullet = None;
    if let Some(len) = bullet_len(trimmed) {
        bullet = Some(Bullet {
            span: Span::new(body_start, body_start + len),
        });
        let after = &trimmed[len..];
        body_start += len + (after.len() - trim_start(after).len());
    }
    (bullet, Span::new(body_start.min(body_end), body_end))
}

/// Length of a list marker and its following space: `- `, `* `, `+ `, `1. `,
/// `12) `.
fn bullet_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    if matches!(b.first(), Some(b'-' | b'*' | b'+'))
        && (b.len() == 1 || b.get(1).is_some_and(|c| *c == b' ' || *c == b'\t'))
    {
        return Some(1);
    }
    // The bullet character `•` (three bytes).
    if s.starts_with('•') {
        return Some('•'.len_utf8());
    }
    let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if (1..=3).contains(&digits)
        && matches!(b.get(digits), Some(b'.' | b')'))
        && b.get(digits + 1).is_none_or(|c| *c == b' ' || *c == b'\t')
    {
        return Some(digits + 1);
    }
    None
}

/// `(A) …` or `(b) …`: the letter and the offset of the text after it.
fn specimen_prefix(s: &str) -> Option<(char, usize)> {
    let b = s.as_bytes();
    if b.len() >= 3 && b[0] == b'(' && b[1].is_ascii_alphabetic() && b[2] == b')' {
        let after = &s[3..];
        let off = 3 + (after.len() - trim_start(after).len());
        return Some(((b[1] as char).to_ascii_uppercase(), off));
    }
    None
}

fn field(text: &str, body: Span) -> Option<Field> {
    let s = body.text(text);
    let colon = memchr::memchr(b':', s.as_bytes())?;
    let label_text = trim_end(&s[..colon]);
    if label_text.is_empty() || label_text.len() > 40 {
        return None;
    }
    let label = vocab::label(label_text)?;
    let after = &s[colon + 1..];
    let value_start = colon + 1 + (after.len() - trim_start(after).len());
    Some(Field {
        label,
        label_span: body.sub(0, label_text.len()),
        value: Span::new(body.start + value_start.min(s.len()), body.end),
    })
}

/// Whether an ASCII byte is white space to `char::is_whitespace` (which
/// takes the vertical tab and form feed too, unlike
/// `u8::is_ascii_whitespace`).
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r')
}

/// `s.trim_start()`, a byte at a time while the text is ASCII: the
/// Unicode white space test runs only from a non-ASCII character on.
fn trim_start(s: &str) -> &str {
    let b = s.as_bytes();
    let n = b.iter().take_while(|&&c| is_space(c)).count();
    match b.get(n) {
        Some(&c) if !c.is_ascii() => s[n..].trim_start(),
        _ => &s[n..],
    }
}

/// `s.trim_end()`, a byte at a time while the text is ASCII.
fn trim_end(s: &str) -> &str {
    let b = s.as_bytes();
    let mut n = b.len();
    while n > 0 && is_space(b[n - 1]) {
        n -= 1;
    }
    if n > 0 && !b[n - 1].is_ascii() {
        s[..n].trim_end()
    } else {
        &s[..n]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The ASCII trims trim what `str`'s do, white space of every kind
        /// included.
        #[test]
        fn trims_agree_with_str(s in "[ \t\n\x0B\x0C\r\x1C\u{85}\u{A0}\u{2028}\u{3000}aé:]{0,12}") {
            prop_assert_eq!(trim_start(&s), s.trim_start());
            prop_assert_eq!(trim_end(&s), s.trim_end());
        }

        #[test]
        fn trims_agree_with_str_on_any_text(s in any::<String>()) {
            prop_assert_eq!(trim_start(&s), s.trim_start());
            prop_assert_eq!(trim_end(&s), s.trim_end());
        }
    }

    fn parse(s: &str) -> Line {
        parse_line(s, Span::new(0, s.len()))
    }

    proptest! {
        /// The body alone is the body of the parsed line.
        #[test]
        fn body_alone_is_the_parsed_body(s in "[ \t•*+\\-1.)(A:a<!é]{0,14}") {
            prop_assert_eq!(line_body(&s, Span::new(0, s.len())), parse(&s).body);
        }
    }

    #[test]
    fn field_with_synonym_and_spans() {
        let s = "  Location:  left cheek ";
        let line = parse(s);
        let f = line.field().expect("field");
        assert_eq!(f.label, Label::Site);
        assert_eq!(f.label_span.text(s), "Location");
        assert_eq!(f.value.text(s), "left cheek");
    }

    #[test]
    fn stage_label_carries_its_number() {
        let line = parse("Stage 2: 3 blocks, mapped, clear");
        assert_eq!(line.field().map(|f| f.label), Some(Label::Stage(2)));
    }

    #[test]
    fn specimen_line() {
        let s = "(b) right cheek: 0.5 cm papule";
        match parse(s).kind {
            LineKind::Specimen { letter, rest } => {
                assert_eq!(letter, 'B');
                assert_eq!(rest.text(s), "right cheek: 0.5 cm papule");
            }
            other => panic!("not a specimen: {other:?}"),
        }
    }

    #[test]
    fn list_item_with_field_and_plain_item() {
        let s = "- Dx: L57.0";
        let line = parse(s);
        assert!(line.bullet.is_some());
        assert_eq!(line.field().map(|f| f.label), Some(Label::Dx));
        let s = "1. Psoriasis (L40.0): start clobetasol";
        let line = parse(s);
        assert_eq!(line.body.text(s), "Psoriasis (L40.0): start clobetasol");
        assert_eq!(line.kind, LineKind::Text);
    }

    #[test]
    fn unknown_label_is_text_and_multibyte_is_safe() {
        assert_eq!(parse("Tolerated well: yes").kind, LineKind::Text);
        assert_eq!(parse("é: ×").kind, LineKind::Text);
        assert_eq!(parse("•").kind, LineKind::Text);
        assert_eq!(parse("").kind, LineKind::Blank);
        assert_eq!(parse("<!-- dermls-ignore: x -->").kind, LineKind::Comment);
    }
}
