//! The one place where byte offsets become LSP positions and back, in the
//! position encoding negotiated with the client (UTF-8 or UTF-16).
//!
//! Lines end at `\n`, `\r\n` or a lone `\r`, as in the LSP and in the core's
//! parser (ropey is built with `cr_lines` only, so U+2028 and friends are
//! not line breaks). Positions from a client are untrusted: a character past
//! the line's end means the line's end, a line past the document's end means
//! the document's end, a position inside a character (a UTF-16 surrogate pair,
//! a UTF-8 sequence) snaps back to the start of that character, and a range
//! whose start is after its end is swapped. Nothing here panics on any input.

use ropey::Rope;
use tower_lsp_server::lsp_types::{Position, PositionEncodingKind, Range};

use crate::span::Span;

/// The unit of `Position::character`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    /// The LSP's default, which every client supports.
    #[default]
    Utf16,
}

impl Encoding {
    /// UTF-8 when the client offers it, else UTF-16.
    pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Encoding {
        match offered {
            Some(kinds) if kinds.contains(&PositionEncodingKind::UTF8) => Encoding::Utf8,
            _ => Encoding::Utf16,
        }
    }

    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }
    }
}

/// The position of a byte offset. An offset past the end is the end; one
/// inside a character is that character's start; one inside a line break
/// is the end of the line's content.
pub fn position(rope: &Rope, offset: usize, enc: Encoding) -> Position {
    let offset = snap(rope, offset);
    let line = rope.try_byte_to_line(offset).unwrap_or(0);
    let (start, end) = line_content(rope, line).unwrap_or((offset, offset));
    let offset = offset.clamp(start, end);
    let character = match enc {
        Encoding::Utf8 => offset - start,
        Encoding::Utf16 => utf16_between(rope, start, offset),
    };
    Position::new(to_u32(line), to_u32(character))
}

/// The byte offset of a client's position, clamped and snapped as the
/// module documentation says.
pub fn offset(rope: &Rope, pos: Position, enc: Encoding) -> usize {
    let Some((start, end)) = line_content(rope, pos.line as usize) else {
        return rope.len_bytes();
    };
    let character = pos.character as usize;
    match enc {
        Encoding::Utf8 => snap(rope, start + character.min(end - start)),
        Encoding::Utf16 => {
            let line_units = utf16_at(rope, start);
            let target = line_units
                .saturating_add(character)
                .min(utf16_at(rope, end));
            rope.try_utf16_cu_to_char(target)
                .and_then(|c| rope.try_char_to_byte(c))
                .map_or(end, |b| b.clamp(start, end))
        }
    }
}

/// The range of a span.
pub fn range(rope: &Rope, span: Span, enc: Encoding) -> Range {
    Range::new(
        position(rope, span.start, enc),
        position(rope, span.end, enc),
    )
}

/// The span of a client's range; a reversed range is swapped.
pub fn span(rope: &Rope, range: Range, enc: Encoding) -> Span {
    let a = offset(rope, range.start, enc);
    let b = offset(rope, range.end, enc);
    Span::new(a.min(b), a.max(b))
}

/// The byte range of line `line` without its line break; `None` past the
/// last line.
pub fn line_content(rope: &Rope, line: usize) -> Option<(usize, usize)> {
    if line >= rope.len_lines() {
        return None;
    }
    let start = rope.try_line_to_byte(line).ok()?;
    let slice = rope.get_line(line)?;
    let chars = slice.len_chars();
    let mut len = slice.len_bytes();
    if chars > 0 {
        match slice.char(chars - 1) {
            '\n' => {
                len -= 1;
                if chars > 1 && slice.char(chars - 2) == '\r' {
                    len -= 1;
                }
            }
            '\r' => len -= 1,
            _ => {}
        }
    }
    Some((start, start + len))
}

/// `offset` clamped to the text and moved back to a character boundary.
fn snap(rope: &Rope, offset: usize) -> usize {
    let offset = offset.min(rope.len_bytes());
    rope.try_byte_to_char(offset)
        .and_then(|c| rope.try_char_to_byte(c))
        .unwrap_or(offset)
}

/// UTF-16 code units before the character boundary `byte`.
fn utf16_at(rope: &Rope, byte: usize) -> usize {
    rope.try_byte_to_char(byte)
        .and_then(|c| rope.try_char_to_utf16_cu(c))
        .unwrap_or(0)
}

fn utf16_between(rope: &Rope, from: usize, to: usize) -> usize {
    utf16_at(rope, to).saturating_sub(utf16_at(rope, from))
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    const U8: Encoding = Encoding::Utf8;
    const U16: Encoding = Encoding::Utf16;

    fn p(line: u32, character: u32) -> Position {
        Position::new(line, character)
    }

    /// Every character boundary converts to a position and back to itself.
    fn round_trips(text: &str) {
        let rope = Rope::from_str(text);
        for (i, _) in text.char_indices().chain([(text.len(), ' ')]) {
            // Offsets inside a line break map to the line's end, not back.
            let in_break = text[..i].ends_with('\r') && text[i..].starts_with('\n');
            for enc in [U8, U16] {
                let pos = position(&rope, i, enc);
                if !in_break {
                    assert_eq!(offset(&rope, pos, enc), i, "{text:?} at {i} in {enc:?}");
                }
            }
        }
    }

    #[test]
    fn non_ascii_columns() {
        // × and µ and é are 2 bytes and 1 UTF-16 unit; 😀 is 4 bytes and 2 units.
        let text = "1.2 × 0.8 cm, 500 µm, café 😀 x";
        let rope = Rope::from_str(text);
        let x = text.rfind('x').unwrap();
        assert_eq!(position(&rope, x, U8), p(0, x as u32));
        assert_eq!(position(&rope, x, U16), p(0, 30));
        assert_eq!(offset(&rope, p(0, 30), U16), x);
        let after_times = text.find('×').unwrap() + '×'.len_utf8();
        assert_eq!(position(&rope, after_times, U16), p(0, 5));
        assert_eq!(position(&rope, after_times, U8), p(0, 6));
        round_trips(text);
    }

    #[test]
    fn line_breaks_crlf_and_lone_cr() {
        let text = "a×\r\nµb\rcé\n😀\r\n";
        let rope = Rope::from_str(text);
        assert_eq!(position(&rope, text.find('µ').unwrap(), U16), p(1, 0));
        assert_eq!(position(&rope, text.find('c').unwrap(), U16), p(2, 0));
        assert_eq!(position(&rope, text.find('😀').unwrap(), U16), p(3, 0));
        // The end of the text is the start of the empty last line.
        assert_eq!(position(&rope, text.len(), U16), p(4, 0));
        // Inside `\r\n`: the end of the line's content.
        assert_eq!(position(&rope, text.find('\n').unwrap(), U16), p(0, 2));
        assert_eq!(position(&rope, text.find('\n').unwrap(), U8), p(0, 3));
        // `µb` ends at byte 8, before the lone `\r`.
        assert_eq!(offset(&rope, p(1, 2), U16), 8);
        round_trips(text);
        round_trips("\r\r\n\n\r");
        round_trips("");
    }

    #[test]
    fn untrusted_positions_are_clamped_and_snapped() {
        let text = "ab😀c\r\nxyz";
        let rope = Rope::from_str(text);
        let emoji = text.find('😀').unwrap();
        // Past the line's end: the line's end (before `\r\n`).
        assert_eq!(offset(&rope, p(0, 99), U16), text.find('\r').unwrap());
        assert_eq!(offset(&rope, p(0, 99), U8), text.find('\r').unwrap());
        // Past the document's end: the document's end.
        assert_eq!(offset(&rope, p(7, 0), U16), text.len());
        assert_eq!(offset(&rope, p(u32::MAX, u32::MAX), U8), text.len());
        assert_eq!(offset(&rope, p(1, u32::MAX), U16), text.len());
        // Inside the surrogate pair: the emoji's start.
        assert_eq!(offset(&rope, p(0, 3), U16), emoji);
        assert_eq!(offset(&rope, p(0, 4), U16), emoji + 4);
        // Inside the UTF-8 sequence: the emoji's start.
        for inside in 1..4 {
            assert_eq!(offset(&rope, p(0, (emoji + inside) as u32), U8), emoji);
        }
        // A reversed range is swapped.
        let r = Range::new(p(1, 2), p(0, 1));
        assert_eq!(span(&rope, r, U16), Span::new(1, text.len() - 1));
        // Byte offsets past the end or inside a character.
        assert_eq!(position(&rope, 10_000, U16), p(1, 3));
        assert_eq!(position(&rope, emoji + 1, U16), p(0, 2));
        assert_eq!(position(&rope, emoji + 1, U8), p(0, 2));
    }

    #[test]
    fn unicode_line_separators_are_not_line_breaks() {
        // U+2028, NEL and form feed stay inside the line, as in the LSP.
        let text = "a\u{2028}b\u{85}c\u{c}d\ne";
        let rope = Rope::from_str(text);
        assert_eq!(position(&rope, text.find('d').unwrap(), U16), p(0, 6));
        assert_eq!(position(&rope, text.find('e').unwrap(), U16), p(1, 0));
        round_trips(text);
    }

    #[test]
    fn negotiation() {
        assert_eq!(Encoding::negotiate(None), U16);
        assert_eq!(
            Encoding::negotiate(Some(&[
                PositionEncodingKind::UTF16,
                PositionEncodingKind::UTF8
            ])),
            U8
        );
        assert_eq!(
            Encoding::negotiate(Some(&[PositionEncodingKind::UTF32])),
            U16
        );
        assert_eq!(U8.kind(), PositionEncodingKind::UTF8);
    }
}
