//! One line of a note: a `Label: value` field, an `(A)` specimen line, a list
//! item, an HTML comment, or free text.

use super::scan;
use crate::phrase::is_space;
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
///
/// One pass over the line's bytes: its white space is trimmed a byte at a
/// time (the Unicode test runs only at a non-ASCII character), the first
/// bytes of the body decide its kind, and only a line with a `:` whose
/// label is short enough looks a label up. It gives what
/// [`parse_line_by_str`] gives, which is what it was before.
pub fn parse_line(text: &str, span: Span) -> Line {
    let Some(raw) = text.get(span.start..span.end) else {
        return parse_line_by_str(text, span);
    };
    let b = raw.as_bytes();
    let (bullet, start, end) = layout(raw);
    let at = |i: usize| span.start + i;
    let body = &b[start..end];
    let kind = match body.first() {
        None if bullet.is_none() => LineKind::Blank,
        None => LineKind::Text,
        Some(b'<') if body.starts_with(b"<!--") => LineKind::Comment,
        Some(b'(') if body.len() >= 3 && body[1].is_ascii_alphabetic() && body[2] == b')' => {
            LineKind::Specimen {
                letter: char::from(body[1].to_ascii_uppercase()),
                rest: Span::new(at(skip_space(raw, start + 3, end)), at(end)),
            }
        }
        Some(_) => match field_at(text.as_bytes(), span.start, raw, start, end) {
            Some((label, label_end, value_start)) => LineKind::Field(Field {
                label,
                label_span: Span::new(at(start), at(label_end)),
                value: Span::new(at(value_start), at(end)),
            }),
            None => LineKind::Text,
        },
    };
    Line {
        span,
        bullet: bullet.map(|(s, e)| Bullet {
            span: Span::new(at(s), at(e)),
        }),
        body: Span::new(at(start), at(end)),
        kind,
    }
}

/// Where the parts of a line's text `raw` lie, as offsets into it: its
/// list marker, if any, and the start and end of its body (the text after
/// the marker, trimmed).
#[inline]
fn layout(raw: &str) -> (Option<(usize, usize)>, usize, usize) {
    // Most lines start and end with ASCII other than white space: their
    // ends are then their body's, at the cost of a test each.
    let b = raw.as_bytes();
    let lead = match b.first() {
        Some(&c) if is_plain(c) => 0,
        _ => skip_space(raw, 0, raw.len()),
    };
    let end = match b.last() {
        Some(&c) if is_plain(c) => raw.len(),
        _ => back_space(raw, lead, raw.len()),
    };
    match bullet_len(&raw.as_bytes()[lead..end]) {
        Some(len) => {
            let start = skip_space(raw, lead + len, end);
            (Some((lead, lead + len)), start, end)
        }
        None => (None, lead, end),
    }
}

/// Whether a byte is ASCII and not white space: a line or a label that
/// starts (or ends) with one needs no trimming there. Every white space
/// byte of [`is_space`] is at most a space.
fn is_plain(c: u8) -> bool {
    c > b' ' && c.is_ascii()
}

/// The label, the end of the label text and the start of the value of a
/// `Label: value` body at `start..end` of `raw`, when its text before the
/// first `:` (trimmed) is a label. `raw` is the line at `at` of `text`,
/// whose bytes after the line the search for the `:` and the label
/// reader may look at (and ignore).
fn field_at(
    text: &[u8],
    at: usize,
    raw: &str,
    start: usize,
    end: usize,
) -> Option<(Label, usize, usize)> {
    let colon = colon_in(text, at + start, at + end)? - at;
    let label_end = back_space(raw, start, colon);
    if label_end == start || label_end - start > 40 {
        return None;
    }
    let label = label_at(text, at + start, &raw[start..label_end])?;
    Some((label, label_end, skip_space(raw, colon + 1, end)))
}

/// The offset of the first `:` in `text[from..to]`. The `:` of a field
/// line is near its start: one block's compare (of the bytes from `from`
/// on, those from `to` on ignored) most often finds it, where `memchr`
/// pays its set-up for each line.
fn colon_in(text: &[u8], from: usize, to: usize) -> Option<usize> {
    let len = to - from;
    if let Some(mask) = scan::full_block_mask::<b':', b':'>(text, from) {
        let mask = if len < scan::BLOCK {
            mask & ((1u32 << len) - 1)
        } else {
            mask
        };
        if mask != 0 {
            return Some(from + mask.trailing_zeros() as usize);
        }
        if len <= scan::BLOCK {
            return None;
        }
        return memchr::memchr(b':', &text[from + scan::BLOCK..to]).map(|i| from + scan::BLOCK + i);
    }
    memchr::memchr(b':', &text[from..to]).map(|i| from + i)
}

/// The label named by `name`, trimmed text at `at` of `text`: what
/// [`vocab::label`] gives. A name of at most sixteen bytes with sixteen
/// bytes of text from `at` is read with one load, lower-cased eight bytes
/// at a time and looked up packed, where the general reader packs it a
/// byte at a time.
fn label_at(text: &[u8], at: usize, name: &str) -> Option<Label> {
    let n = name.len();
    let Some(bytes) = text.get(at..).and_then(|r| r.first_chunk::<16>()) else {
        return vocab::label(name);
    };
    if n > 16 {
        return vocab::label(name);
    }
    let keep = if n == 16 { !0 } else { (1u128 << (8 * n)) - 1 };
    let key = u128::from_le_bytes(*bytes) & keep;
    // Non-ASCII text, and `stage` (whose number follows), go the long
    // way.
    if key & ASCII_HIGH != 0 {
        return vocab::label(name);
    }
    let key = lower_packed(key);
    if key & 0xff_ffff_ffff == STAGE {
        return vocab::label(name);
    }
    vocab::short_label(key, n)
}

/// The high bit of each byte of a `u128`.
const ASCII_HIGH: u128 = u128::from_le_bytes([0x80; 16]);

/// `stage` packed as [`label_at`] packs a name.
const STAGE: u128 = u128::from_le_bytes(*b"stage\0\0\0\0\0\0\0\0\0\0\0");

/// The ASCII bytes packed in `key` lower-cased, all at once: a byte from
/// `A` to `Z` gets its `0x20` bit. Every byte is below `0x80`, so the
/// sums below never carry into the next byte.
fn lower_packed(key: u128) -> u128 {
    let each = |b: u8| u128::from_le_bytes([b; 16]);
    // High bit set where the byte is at least `A`, and where it is past
    // `Z`.
    let from_a = key + each(0x80 - b'A');
    let past_z = key + each(0x80 - b'Z' - 1);
    let upper = from_a & !past_z & ASCII_HIGH;
    key | (upper >> 2)
}

/// The offset of the first character of `s[from..to]` that is not white
/// space (`to` when there is none), as `str::trim_start` finds it: a byte
/// at a time while the text is ASCII, on the offsets themselves (no
/// slice is cut unless a non-ASCII character is met). `from` is on a
/// character boundary.
#[inline]
fn skip_space(s: &str, from: usize, to: usize) -> usize {
    let b = s.as_bytes();
    let mut i = from;
    while i < to && is_space(b[i]) {
        i += 1;
    }
    if i < to && !b[i].is_ascii() {
        return to - s[i..to].trim_start().len();
    }
    i
}

/// The end of `s[from..to]` without the white space at its end, as
/// `str::trim_end` finds it: a byte at a time while the text is ASCII.
/// `from` and `to` are on character boundaries.
#[inline]
fn back_space(s: &str, from: usize, to: usize) -> usize {
    let b = s.as_bytes();
    let mut j = to;
    while j > from && is_space(b[j - 1]) {
        j -= 1;
    }
    if j > from && !b[j - 1].is_ascii() {
        return from + s[from..j].trim_end().len();
    }
    j
}

/// [`parse_line`] as it was written first, a `&str` at a time: what the
/// fast path must agree with, and what a span that is not on character
/// boundaries of the text still gets.
pub fn parse_line_by_str(text: &str, span: Span) -> Line {
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
    match text.get(span.start..span.end) {
        Some(raw) => {
            let (_, start, end) = layout(raw);
            Span::new(span.start + start, span.start + end)
        }
        None => bullet_and_body(text, span).1,
    }
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
    if let Some(len) = bullet_len(trimmed.as_bytes()) {
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
fn bullet_len(b: &[u8]) -> Option<usize> {
    let space = |i: usize| b.get(i).is_none_or(|c| *c == b' ' || *c == b'\t');
    match *b.first()? {
        b'-' | b'*' | b'+' if space(1) => Some(1),
        // The bullet character `•` (three bytes).
        0xE2 if b.starts_with("•".as_bytes()) => Some('•'.len_utf8()),
        b'0'..=b'9' => {
            // At most three digits, then `.` or `)`, then the end or a
            // space.
            let digits = 1 + b[1..b.len().min(4)]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .count();
            (digits <= 3 && matches!(b.get(digits), Some(b'.' | b')')) && space(digits + 1))
                .then_some(digits + 1)
        }
        _ => None,
    }
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

        /// The trims on offsets trim what `str`'s do, between any
        /// character boundaries.
        #[test]
        fn offset_trims_agree_with_str(
            s in "[ \t\n\x0B\x0C\r\x1C\u{85}\u{A0}\u{3000}aé:]{0,12}",
            a in 0usize..13,
            b in 0usize..13,
        ) {
            let ends: Vec<usize> = (0..=s.len()).filter(|&i| s.is_char_boundary(i)).collect();
            let (from, to) = (ends[a % ends.len()], ends[b % ends.len()]);
            let (from, to) = (from.min(to), from.max(to));
            let part = &s[from..to];
            prop_assert_eq!(skip_space(&s, from, to), to - part.trim_start().len());
            prop_assert_eq!(back_space(&s, from, to), from + part.trim_end().len());
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

    /// Lines made of the parts that decide a line's kind: markers, white
    /// space of every kind, labels, colons, specimen letters, comments and
    /// non-ASCII text.
    fn line_text() -> impl Strategy<Value = String> {
        let part = prop_oneof![
            Just("- ".to_string()),
            Just("•".to_string()),
            Just("12. ".to_string()),
            Just("1)".to_string()),
            Just("1234.".to_string()),
            Just("(A) ".to_string()),
            Just("(é)".to_string()),
            Just("<!--".to_string()),
            Just("Site".to_string()),
            Just("stage 2".to_string()),
            Just("Location".to_string()),
            Just(": ".to_string()),
            Just("x".repeat(39)),
            "[ \t\x0B\x0C\u{85}\u{A0}\u{3000}]{1,3}",
            "[a-zA-Z:()<!*+.0-9 é×-]{0,8}",
        ];
        proptest::collection::vec(part, 0..8).prop_map(|v| v.concat())
    }

    proptest! {
        /// The byte parser gives what the `&str` one gives, on any line
        /// and on any span of it (on character boundaries or not).
        #[test]
        fn lines_by_bytes_agree_with_lines_by_str(s in line_text(), cut in 0usize..4) {
            let whole = Span::new(0, s.len());
            prop_assert_eq!(parse_line(&s, whole), parse_line_by_str(&s, whole));
            prop_assert_eq!(line_body(&s, whole), bullet_and_body(&s, whole).1);
            let part = Span::new(cut.min(s.len()), s.len().saturating_sub(cut));
            prop_assert_eq!(parse_line(&s, part), parse_line_by_str(&s, part));
            prop_assert_eq!(line_body(&s, part), bullet_and_body(&s, part).1);
        }

        #[test]
        fn lines_by_bytes_agree_with_lines_by_str_on_any_text(s in any::<String>()) {
            let whole = Span::new(0, s.len());
            prop_assert_eq!(parse_line(&s, whole), parse_line_by_str(&s, whole));
        }
    }

    proptest! {
        /// A line with more text after it (which the block reads look at)
        /// parses as the `&str` parser parses it.
        #[test]
        fn lines_followed_by_text_agree_with_lines_by_str(
            s in line_text(),
            after in "[\r\n]?[a-zA-Z: é\t\n]{0,40}",
        ) {
            let text = format!("{s}{after}");
            let span = Span::new(0, s.len());
            prop_assert_eq!(parse_line(&text, span), parse_line_by_str(&text, span));
            let later = format!("{after}{s}{after}");
            let span = Span::new(after.len(), after.len() + s.len());
            prop_assert_eq!(parse_line(&later, span), parse_line_by_str(&later, span));
        }

        /// The block search for a `:` finds what `memchr` finds, the
        /// bytes past its end ignored.
        #[test]
        fn colon_in_is_memchr(text in "[a: é]{0,80}", from in 0usize..80, len in 0usize..80) {
            let b = text.as_bytes();
            let from = from.min(b.len());
            let to = (from + len).min(b.len());
            let want = memchr::memchr(b':', &b[from..to]).map(|i| from + i);
            prop_assert_eq!(colon_in(b, from, to), want);
        }

        /// The packed label reader gives the label [`vocab::label`] gives,
        /// on names of every case and length, in text with more after them.
        #[test]
        fn packed_labels_are_vocab_labels(
            name in "(Site|LOCATION|e/M|Stage 2|stage|STAGE iv|Dx|dx codes|pT|[a-zA-Z@\\[`{/# é-]{1,18})",
            after in "[: a]{0,17}",
        ) {
            let text = format!("{name}{after}");
            prop_assert_eq!(label_at(text.as_bytes(), 0, &name), vocab::label(&name));
        }
    }

    #[test]
    fn lower_packed_lowers_ascii() {
        let all: Vec<u8> = (0u8..0x80).collect();
        for bytes in all.chunks(16) {
            let mut buf = [0u8; 16];
            buf[..bytes.len()].copy_from_slice(bytes);
            let lower = buf.map(|b| b.to_ascii_lowercase());
            assert_eq!(
                lower_packed(u128::from_le_bytes(buf)),
                u128::from_le_bytes(lower)
            );
        }
    }

    #[test]
    fn kinds_at_the_edges() {
        for s in [
            "-",
            "- ",
            "-x",
            "1.",
            "1234. x",
            "12)x",
            "• ",
            "•\u{A0}x",
            "(A)",
            "(a)x",
            "(1) x",
            "<!-",
            "Site:",
            "Site :",
            " : x",
            "stage 2:",
            "\u{3000}Site:\u{A0}x\u{3000}",
            &format!("{}:", "x".repeat(41)),
            &format!("Site{}:", " ".repeat(40)),
        ] {
            let whole = Span::new(0, s.len());
            assert_eq!(parse_line(s, whole), parse_line_by_str(s, whole), "{s:?}");
        }
        // A span off the text, or not on character boundaries.
        let s = "é: x";
        for span in [Span::new(1, 4), Span::new(0, 99), Span::new(3, 2)] {
            assert_eq!(parse_line(s, span), parse_line_by_str(s, span), "{span:?}");
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
