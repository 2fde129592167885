//! Sizes, lengths, areas and counts, in exact integer units: lengths in
//! micrometres (1 cm = 10,000 µm), never floating point.

use crate::phrase::{after_spaces, is_space, is_word};
use crate::re::Re;
use std::borrow::Cow;
use std::ops::ControlFlow;

use crate::span::Span;
use crate::vocab::vocab;

/// Micrometres per centimetre.
pub const UM_PER_CM: u32 = 10_000;

/// A measurement found in text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Measure {
    pub span: Span,
    pub shape: Shape,
    /// The greatest dimension, in micrometres (the larger end for a range).
    pub um: u32,
    /// The smallest value written (the smaller end of a range, the smaller
    /// dimension).
    pub min_um: u32,
    pub role: Role,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    Single,
    /// `1.2 x 0.8 cm`.
    Dims,
    /// `3-6 mm`: several lesions, not one lesion's size.
    Range,
}

/// What the words around a measurement say it measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Plain,
    /// `5 cm distal to the antecubital fossa`.
    Landmark,
    /// `0.2 cm margins`, `margins of 2 mm`.
    Margin,
    /// `4 mm punch`.
    Punch,
    /// `3 mm deep`, `depth of 2 mm`.
    Depth,
}

static SIZE_RE: Re = Re::built(|| {
    let num = r"(?:\d+(?:\.\d+)?|\.\d+)";
    let unit = r"(?:cm|mm|centimet(?:er|re)s?|millimet(?:er|re)s?)";
    let sep = r"\s*(?:x|×|\*|by)\s*";
    format!(
        r"(?ix)
        (?P<r1>{num})\s*(?P<ru1>{unit})?\s*(?:-|–|—|to)\s*(?P<r2>{num})\s*(?P<ru2>{unit})\b
        | (?P<a>{num})\s*(?P<ua>{unit})?{sep}(?P<b>{num})\s*(?P<ub>{unit})?(?:{sep}(?P<c>{num})\s*(?P<uc>{unit})?)?
        | (?P<s>{num})\s*-?\s*(?P<us>{unit})\b"
    )
});

static AREA_AFTER: Re = Re::new(r"^(?:2|²|\^2|\s*sq\b|\s*squared)");

/// One match of [`SIZE_RE`]: the span of the whole and of each named
/// group, relative to the text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct SizeCaps {
    whole: (usize, usize),
    /// A range: `r1 ru1? (-|to) r2 ru2`.
    r1: Option<(usize, usize)>,
    ru1: Option<(usize, usize)>,
    r2: Option<(usize, usize)>,
    ru2: Option<(usize, usize)>,
    /// Dimensions: `a ua? x b ub? (x c uc?)?`.
    a: Option<(usize, usize)>,
    ua: Option<(usize, usize)>,
    b: Option<(usize, usize)>,
    ub: Option<(usize, usize)>,
    c: Option<(usize, usize)>,
    uc: Option<(usize, usize)>,
    /// One size: `s -? us`.
    s: Option<(usize, usize)>,
    us: Option<(usize, usize)>,
}

/// The matches of [`SIZE_RE`] in `text`, left to right, each given to
/// `found` until it says to stop: on ASCII text by [`size_at`], which
/// finds the same matches without the regex's capture search, on any
/// other text by the regex. A caller that wants only the first of some
/// kind stops there. `ascii` says whether `text` is ASCII.
fn size_matches(text: &str, ascii: bool, mut found: impl FnMut(SizeCaps) -> ControlFlow<()>) {
    if !ascii {
        for caps in SIZE_RE.captures_iter(text) {
            if found(size_caps(&caps)).is_break() {
                return;
            }
        }
        return;
    }
    let t = text.as_bytes();
    // Every match starts with a number: a digit or a `.` (see
    // `number_at`), so the bytes before the next one are skipped.
    let mut p = next_number_byte(t, 0, true);
    while p < t.len() {
        match size_at(t, p) {
            Some(m) => {
                p = m.whole.1;
                if found(m).is_break() {
                    return;
                }
            }
            None => p += 1,
        }
        p = next_number_byte(t, p, true);
    }
}

/// The first index from `from` on whose byte is an ASCII digit, a `.`
/// (when `dot`) or not ASCII; the length of `t` when there is none.
///
/// Eight bytes are tested at a time, in one `u64`: with each byte's top
/// bit cleared, adding `0x80 - b` to it sets the top bit exactly when it
/// is `b` or more (no byte carries into the next), which tells digits,
/// and a byte is `.` when its bits differ from `.`'s nowhere. The top
/// bits left are those of the bytes looked for.
pub(crate) fn next_number_byte(t: &[u8], from: usize, dot: bool) -> usize {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const TOPS: u64 = ONES * 0x80;
    let mut i = from;
    while let Some(chunk) = t.get(i..i + 8) {
        let x = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
        let low = x & !TOPS;
        let at_least_0 = low + ONES * u64::from(0x80 - b'0');
        let past_9 = low + ONES * u64::from(0x80 - b'9' - 1);
        let mut found = (at_least_0 & !past_9) | x;
        if dot {
            let differs = low ^ (ONES * u64::from(b'.'));
            found |= !(differs + ONES * 0x7F);
        }
        let found = found & TOPS;
        if found != 0 {
            return i + (found.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    let rest = t.get(i..).unwrap_or_default();
    i + rest
        .iter()
        .position(|&b| b.is_ascii_digit() || (dot && b == b'.') || !b.is_ascii())
        .unwrap_or(rest.len())
}

/// The groups of one match of the size regex.
fn size_caps(caps: &regex::Captures) -> SizeCaps {
    let span = |name: &str| caps.name(name).map(|m| (m.start(), m.end()));
    let whole = caps.get(0).expect("match");
    SizeCaps {
        whole: (whole.start(), whole.end()),
        r1: span("r1"),
        ru1: span("ru1"),
        r2: span("r2"),
        ru2: span("ru2"),
        a: span("a"),
        ua: span("ua"),
        b: span("b"),
        ub: span("ub"),
        c: span("c"),
        uc: span("uc"),
        s: span("s"),
        us: span("us"),
    }
}

/// The match of [`SIZE_RE`] that starts at `p` of ASCII text, as the regex
/// finds it: its three alternatives in order. Every quantifier in it is
/// followed by something its own characters cannot start, so the greedy
/// longest run is the only one that can succeed and no backtracking is
/// needed.
fn size_at(t: &[u8], p: usize) -> Option<SizeCaps> {
    let n = number_at(t, p)?;
    let q = after_spaces(t, n);
    // A range: `3-6 mm`, `3 mm to 6 mm`.
    let range = || {
        let (ru1, q) = match unit_at(t, q) {
            Some(u) => (Some((q, u)), after_spaces(t, u)),
            None => (None, q),
        };
        let q = match t.get(q..q + 2) {
            _ if t.get(q) == Some(&b'-') => q + 1,
            Some(w) if w.eq_ignore_ascii_case(b"to") => q + 2,
            _ => return None,
        };
        let r2 = after_spaces(t, q);
        let r2_end = number_at(t, r2)?;
        let u = after_spaces(t, r2_end);
        let u_end = unit_at(t, u).filter(|&e| !t.get(e).is_some_and(|&b| is_word(b)))?;
        Some(SizeCaps {
            whole: (p, u_end),
            r1: Some((p, n)),
            ru1,
            r2: Some((r2, r2_end)),
            ru2: Some((u, u_end)),
            ..SizeCaps::default()
        })
    };
    // Dimensions: `1.2 x 0.8 cm`, `12 mm by 8 mm`.
    let dims = || {
        let (ua, q) = match unit_at(t, q) {
            Some(u) => (Some((q, u)), u),
            None => (None, q),
        };
        let b = size_separator(t, q)?;
        let b_end = number_at(t, b)?;
        let q = after_spaces(t, b_end);
        let (ub, mut end) = match unit_at(t, q) {
            Some(u) => (Some((q, u)), u),
            None => (None, q),
        };
        let mut third = (None, None);
        if let Some(c) = size_separator(t, end) {
            if let Some(c_end) = number_at(t, c) {
                let q = after_spaces(t, c_end);
                third = match unit_at(t, q) {
                    Some(u) => {
                        end = u;
                        (Some((c, c_end)), Some((q, u)))
                    }
                    None => {
                        end = q;
                        (Some((c, c_end)), None)
                    }
                };
            }
        }
        Some(SizeCaps {
            whole: (p, end),
            a: Some((p, n)),
            ua,
            b: Some((b, b_end)),
            ub,
            c: third.0,
            uc: third.1,
            ..SizeCaps::default()
        })
    };
    // One size: `0.6 cm`, `4-mm`.
    let single = || {
        let q = if t.get(q) == Some(&b'-') {
            after_spaces(t, q + 1)
        } else {
            q
        };
        let u_end = unit_at(t, q).filter(|&e| !t.get(e).is_some_and(|&b| is_word(b)))?;
        Some(SizeCaps {
            whole: (p, u_end),
            s: Some((p, n)),
            us: Some((q, u_end)),
            ..SizeCaps::default()
        })
    };
    range().or_else(dims).or_else(single)
}

/// The end of `\d+(?:\.\d+)?|\.\d+` at `p`.
fn number_at(t: &[u8], p: usize) -> Option<usize> {
    let digits = |from: usize| {
        t.get(from..)
            .map_or(0, |r| r.iter().take_while(|b| b.is_ascii_digit()).count())
    };
    let whole = digits(p);
    let fraction = |dot: usize| match (t.get(dot), digits(dot + 1)) {
        (Some(b'.'), n) if n > 0 => Some(dot + 1 + n),
        _ => None,
    };
    if whole > 0 {
        Some(fraction(p + whole).unwrap_or(p + whole))
    } else {
        fraction(p)
    }
}

/// The end of the longest unit at `p`: `cm`, `mm`, `centimeters`, …
/// (ignoring ASCII case).
fn unit_at(t: &[u8], p: usize) -> Option<usize> {
    let rest = t.get(p..)?;
    let starts = |w: &[u8]| {
        rest.get(..w.len())
            .is_some_and(|x| x.eq_ignore_ascii_case(w))
    };
    if starts(b"cm") || starts(b"mm") {
        return Some(p + 2);
    }
    if !(starts(b"centimet") || starts(b"millimet")) {
        return None;
    }
    let q = p + 8;
    let ending = t.get(q..q + 2)?;
    if !(ending.eq_ignore_ascii_case(b"er") || ending.eq_ignore_ascii_case(b"re")) {
        return None;
    }
    Some(if matches!(t.get(q + 2), Some(b's' | b'S')) {
        q + 3
    } else {
        q + 2
    })
}

/// After `\s*(?:x|×|\*|by)\s*` at `p`: where the next number must start.
fn size_separator(t: &[u8], p: usize) -> Option<usize> {
    let q = after_spaces(t, p);
    let q = match t.get(q)? {
        b'x' | b'X' | b'*' => q + 1,
        _ if t.get(q..q + 2)?.eq_ignore_ascii_case(b"by") => q + 2,
        _ => return None,
    };
    Some(after_spaces(t, q))
}

/// Every length measurement in `text`, spans relative to it. Areas
/// (`180 sq cm`, `cm2`, `cm²`) are not lengths and are left out.
pub fn measures(text: &str) -> Vec<Measure> {
    let mut out = Vec::new();
    each_measure(text, |m| {
        out.push(m);
        ControlFlow::Continue(())
    });
    out
}

/// The first measurement [`measures`] lists for which `keep` holds, found
/// without reading the sizes after it or building the list: for callers
/// that want `measures(text).into_iter().find(keep)`.
pub fn find_measure(text: &str, mut keep: impl FnMut(&Measure) -> bool) -> Option<Measure> {
    let mut first = None;
    each_measure(text, |m| {
        if keep(&m) {
            first = Some(m);
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    });
    first
}

/// The measurements [`measures`] lists, each given to `found` until it
/// says to stop.
fn each_measure(text: &str, mut found: impl FnMut(Measure) -> ControlFlow<()>) {
    if !may_hold_digit(text) {
        return;
    }
    let ascii = text.is_ascii();
    size_matches(text, ascii, |caps| match measure_of(text, caps, ascii) {
        Some(m) => found(m),
        None => ControlFlow::Continue(()),
    });
}

/// The measurement one size match in `text` stands for, if it is a length.
/// `ascii` says whether `text` is ASCII.
fn measure_of(text: &str, caps: SizeCaps, ascii: bool) -> Option<Measure> {
    let (start, end) = caps.whole;
    let after = &text[end..];
    if area_after(after) {
        return None;
    }
    if area_word_before(text, start, ascii) {
        return None;
    }
    let g = |x: Option<(usize, usize)>| x.map(|(s, e)| &text[s..e]);
    let (shape, um, min_um) = if let Some(r2) = g(caps.r2) {
        let unit2 = g(caps.ru2).unwrap_or("cm");
        let unit1 = g(caps.ru1).unwrap_or(unit2);
        let a = to_um(g(caps.r1).unwrap_or(""), unit1)?;
        let b = to_um(r2, unit2)?;
        (Shape::Range, a.max(b), a.min(b))
    } else if let Some(a) = g(caps.a) {
        let units = [g(caps.ua), g(caps.ub), g(caps.uc)];
        let last_unit = units.iter().rev().flatten().next().copied()?;
        let mut max = None::<u32>;
        let mut min = None::<u32>;
        for (n, u) in [
            (Some(a), g(caps.ua)),
            (g(caps.b), g(caps.ub)),
            (g(caps.c), g(caps.uc)),
        ] {
            if let Some(n) = n {
                let unit = u.unwrap_or(last_unit);
                if let Some(v) = to_um(n, unit) {
                    max = Some(max.map_or(v, |m| m.max(v)));
                    min = Some(min.map_or(v, |m| m.min(v)));
                }
            }
        }
        (Shape::Dims, max?, min?)
    } else {
        let v = to_um(g(caps.s)?, g(caps.us)?)?;
        (Shape::Single, v, v)
    };
    let span = Span::new(start, end);
    let role = if ascii {
        role_ascii(text, span)
    } else {
        role(text, span)
    };
    Some(Measure {
        span,
        shape,
        um,
        min_um,
        role,
    })
}

/// Whether the text before a size at `start`, white space trimmed, ends
/// with `sq` or `square` in lower case: then the size is an area's. On
/// ASCII text (`ascii`) the trimmed white space is [`is_space`] and the
/// words compare ignoring ASCII case, read from the bytes without going
/// through `trim_end`'s characters.
fn area_word_before(text: &str, start: usize, ascii: bool) -> bool {
    if !ascii {
        let before = text[..start].trim_end();
        return ends_with_lowercase(before, "sq") || ends_with_lowercase(before, "square");
    }
    let bytes = text.as_bytes();
    let before = &bytes[..end_of_words(bytes, start)];
    let ends = |w: &[u8]| {
        before.len() >= w.len() && before[before.len() - w.len()..].eq_ignore_ascii_case(w)
    };
    ends(b"sq") || ends(b"square")
}

/// Where the text of ASCII `bytes` before `end` ends with its trailing
/// white space trimmed, as `trim_end` trims it: on ASCII text its white
/// space is [`is_space`].
fn end_of_words(bytes: &[u8], end: usize) -> usize {
    bytes[..end]
        .iter()
        .rposition(|&b| !is_space(b))
        .map_or(0, |k| k + 1)
}

/// Whether `s` in lower case ends with `suffix` (ASCII, lower case): when
/// the end of `s` is ASCII, its lower case ends with those bytes lowered,
/// and nothing else need be lowered.
fn ends_with_lowercase(s: &str, suffix: &str) -> bool {
    let Some(tail) = s.as_bytes().get(s.len().saturating_sub(suffix.len())..) else {
        return false;
    };
    if tail.len() == suffix.len() && tail.is_ascii() {
        return tail.eq_ignore_ascii_case(suffix.as_bytes());
    }
    lowercase(s).ends_with(suffix)
}

fn role(text: &str, span: Span) -> Role {
    let after = lowercase(text[span.end..].trim_start());
    let before = lowercase(text[..span.start].trim_end());
    let first_word = prefix_while(&after, |c| c.is_alphabetic() || c == '-');
    let second_word = prefix_while(
        after.split_whitespace().nth(1).unwrap_or(""),
        char::is_alphabetic,
    );
    let margin_adjective = matches!(
        first_word,
        "surgical"
            | "clinical"
            | "peripheral"
            | "circumferential"
            | "lateral"
            | "deep"
            | "excision"
    ) && second_word.starts_with("margin");
    if first_word.starts_with("margin")
        || margin_adjective
        || before.ends_with("margin")
        || before.ends_with("margins")
        || before.ends_with("margins of")
        || before.ends_with("margin of")
    {
        return Role::Margin;
    }
    if first_word == "punch" || first_word == "punches" {
        return Role::Punch;
    }
    if first_word == "deep" || first_word == "depth" || before.ends_with("depth of") {
        return Role::Depth;
    }
    let v = vocab();
    // `5 cm distal to …`, `2 cm above the brow`, but not `1.2 cm of …`
    // describing a lesion.
    if v.landmark_directions.find_at_start(&after).is_some()
        && first_word != "of"
        && first_word != "over"
    {
        return Role::Landmark;
    }
    Role::Plain
}

/// [`role`] for ASCII `text`, without lowering it: on ASCII text the
/// lowered words compare as the words themselves compare ignoring ASCII
/// case, and the phrase set ignores ASCII case already. Only the words
/// next to the size are looked at, not the whole text on each side.
fn role_ascii(text: &str, span: Span) -> Role {
    // On ASCII text `trim_start` and `trim_end` take off `is_space` bytes.
    let bytes = text.as_bytes();
    let after = &text[after_spaces(bytes, span.end)..];
    let before = &bytes[..end_of_words(bytes, span.start)];
    let is = |word: &[u8], w: &str| word.eq_ignore_ascii_case(w.as_bytes());
    let starts = |word: &[u8], w: &str| word.get(..w.len()).is_some_and(|x| is(x, w));
    let ends = |w: &str| before.len() >= w.len() && is(&before[before.len() - w.len()..], w);
    let a = after.as_bytes();
    let first_word = &a[..a
        .iter()
        .position(|&b| !(b.is_ascii_alphabetic() || b == b'-'))
        .unwrap_or(a.len())];
    let second = &a[second_token(a)..];
    let second_word = &second[..second
        .iter()
        .position(|b| !b.is_ascii_alphabetic())
        .unwrap_or(second.len())];
    let margin_adjective = [
        "surgical",
        "clinical",
        "peripheral",
        "circumferential",
        "lateral",
        "deep",
        "excision",
    ]
    .iter()
    .any(|w| is(first_word, w))
        && starts(second_word, "margin");
    if starts(first_word, "margin")
        || margin_adjective
        || ends("margin")
        || ends("margins")
        || ends("margins of")
        || ends("margin of")
    {
        return Role::Margin;
    }
    if is(first_word, "punch") || is(first_word, "punches") {
        return Role::Punch;
    }
    if is(first_word, "deep") || is(first_word, "depth") || ends("depth of") {
        return Role::Depth;
    }
    if vocab().landmark_directions.find_at_start(after).is_some()
        && !is(first_word, "of")
        && !is(first_word, "over")
    {
        return Role::Landmark;
    }
    Role::Plain
}

/// Where the second white-space-separated word of ASCII `a` starts (its
/// length when there is none), as `split_whitespace().nth(1)` finds it:
/// on ASCII text its white space is [`is_space`]. `a` starts with no
/// white space. Read a byte at a time, with no iterator to build.
fn second_token(a: &[u8]) -> usize {
    let first_end = a.iter().position(|&b| is_space(b)).unwrap_or(a.len());
    after_spaces(a, first_end)
}

/// `s` in lower case, borrowed when it is already.
fn lowercase(s: &str) -> Cow<'_, str> {
    if s.is_ascii() && !s.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.to_lowercase())
    }
}

/// The longest start of `s` whose characters all pass `keep`.
fn prefix_while(s: &str, keep: impl Fn(char) -> bool) -> &str {
    let end = s.find(|c: char| !keep(c)).unwrap_or(s.len());
    &s[..end]
}

/// Whether [`AREA_AFTER`] matches `after`, the text after a size. Each
/// way it matches starts with `2`, `²`, `^2`, or spaces and then `s`: so
/// past the ASCII spaces at the start, a byte that is none of `2`, `^`
/// (with no spaces before either), `s` and a byte of a character that is
/// not ASCII (`²`, or a space of another kind) rules it out without the
/// regex. Most sizes are followed by a space and a word, or punctuation.
fn area_after(after: &str) -> bool {
    let bytes = after.as_bytes();
    let spaces = after_spaces(bytes, 0);
    let may = match bytes.get(spaces) {
        None => false,
        Some(b'2' | b'^') => spaces == 0,
        Some(b) => *b == b's' || !b.is_ascii(),
    };
    may && AREA_AFTER.is_match(after)
}

/// Whether `text` may hold a `\d`: an ASCII digit, or any other character,
/// which could be a digit of another script. The regexes that need one are
/// not run on text without, most of the note's sentences.
pub(crate) fn may_hold_digit(text: &str) -> bool {
    next_number_byte(text.as_bytes(), 0, false) < text.len()
}

/// A decimal number with a unit, in micrometres; exact for up to four
/// decimal places of a centimetre.
pub fn to_um(number: &str, unit: &str) -> Option<u32> {
    // Whether the unit in lower case starts with `mm` or `milli`: only `M`
    // and `m` lower to `m`, `L` and `l` to `l`, and `I` and `i` to `i`
    // (`İ` to `i` and a combining dot, which can only end the five), so
    // comparing the first bytes ignoring ASCII case tells the same,
    // without lowering the unit.
    let u = unit.as_bytes();
    let starts = |w: &[u8]| u.get(..w.len()).is_some_and(|x| x.eq_ignore_ascii_case(w));
    let milli = starts(b"milli") || (starts(b"mill") && u[4..].starts_with("İ".as_bytes()));
    let scale: u64 = if starts(b"mm") || milli {
        1_000
    } else {
        10_000
    };
    to_um_ascii(number.as_bytes(), scale).unwrap_or_else(|| to_um_plain(number, scale))
}

/// A number's value in micrometres at `scale` per unit, read through
/// `str::parse` and `chars`: any digits they accept (other scripts'
/// included), fraction digits past the unit's precision not read.
/// [`to_um_ascii`] reads the usual numbers faster and is held to this.
fn to_um_plain(number: &str, scale: u64) -> Option<u32> {
    let (int, frac) = match number.split_once('.') {
        Some((i, f)) => (i, f),
        None => (number, ""),
    };
    let int: u64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let mut value = int.checked_mul(scale)?;
    let mut place = scale;
    for c in frac.chars() {
        place /= 10;
        if place == 0 {
            break;
        }
        value = value.checked_add(u64::from(c.to_digit(10)?) * place)?;
    }
    u32::try_from(value).ok()
}

/// [`to_um`]'s value for a number of ASCII digits with at most one `.`,
/// the numbers sizes are written with, read digit by digit instead of
/// through `str::parse` and `chars`: `None` for any other number, which
/// [`to_um`] reads its own way, and `Some` of its result otherwise (an
/// overflow of the whole part gives `Some(None)`, as `parse` fails there).
/// As there, fraction digits past the unit's precision are not read.
fn to_um_ascii(number: &[u8], scale: u64) -> Option<Option<u32>> {
    let dot = number.iter().position(|&b| b == b'.');
    let (int, frac) = match dot {
        Some(d) => (&number[..d], &number[d + 1..]),
        None => (number, &[][..]),
    };
    if !int.iter().chain(frac).all(u8::is_ascii_digit) {
        return None;
    }
    let mut whole = 0u64;
    for &b in int {
        match whole
            .checked_mul(10)
            .and_then(|w| w.checked_add(u64::from(b - b'0')))
        {
            Some(w) => whole = w,
            None => return Some(None),
        }
    }
    let Some(mut value) = whole.checked_mul(scale) else {
        return Some(None);
    };
    let mut place = scale;
    for &b in frac {
        place /= 10;
        if place == 0 {
            break;
        }
        match value.checked_add(u64::from(b - b'0') * place) {
            Some(v) => value = v,
            None => return Some(None),
        }
    }
    Some(u32::try_from(value).ok())
}

/// Formats micrometres as centimetres: `1.3 cm`, `0.55 cm`.
pub fn cm(um: u32) -> String {
    let whole = um / UM_PER_CM;
    let frac = um % UM_PER_CM;
    if frac == 0 {
        return format!("{whole}.0 cm");
    }
    let s = format!("{frac:04}");
    format!("{whole}.{} cm", s.trim_end_matches('0'))
}

/// The lesion size in a field value or sentence: the first measurement that
/// is one lesion's size (not a range, a landmark distance, a margin, a punch
/// diameter or a depth), as its greatest dimension.
pub fn lesion_size(text: &str) -> Option<Measure> {
    if !may_hold_digit(text) {
        return None;
    }
    let ascii = text.is_ascii();
    let mut first = None;
    size_matches(text, ascii, |caps| {
        // A range (a match with a second number after `-` or `to`) is
        // never one lesion's size: its measure is not worked out.
        if caps.r2.is_some() {
            return ControlFlow::Continue(());
        }
        match measure_of(text, caps, ascii) {
            Some(m) if m.role == Role::Plain => {
                first = Some(m);
                ControlFlow::Break(())
            }
            _ => ControlFlow::Continue(()),
        }
    });
    first
}

static AREA_RE: Re = Re::new(
    r"(?i)(?P<n>\d+(?:\.\d+)?)\s*(?:sq\.?\s*cm|square\s+cent\w*|cm\s*2|cm²|cm\^2|cm\s+sq)|(?P<p>\d+(?:\.\d+)?)\s*%\s*(?:of\s+)?(?:bsa|body)?",
);

/// An area: square centimetres, or a percentage of body surface.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Area {
    SqCm(u32, Span),
    PercentBsa(Span),
}

pub fn area(text: &str) -> Option<Area> {
    if !may_hold_digit(text) {
        return None;
    }
    let (start, end, number) = if text.is_ascii() {
        area_ascii(text.as_bytes())?
    } else {
        let caps = AREA_RE.captures(text)?;
        let whole = caps.get(0)?;
        let n = caps.name("n").map(|n| (n.start(), n.end()));
        (whole.start(), whole.end(), n)
    };
    let span = Span::new(start, end);
    if let Some((s, e)) = number {
        let v: f64 = text[s..e].parse().ok()?;
        return Some(Area::SqCm(v.round() as u32, span));
    }
    Some(Area::PercentBsa(span))
}

/// A match of [`AREA_RE`]: its start, its end and its `n` group.
type AreaMatch = (usize, usize, Option<(usize, usize)>);

/// The first match of [`AREA_RE`] in ASCII text, without the regex: its
/// start, its end and its `n` group (the number of square centimetres;
/// `None` for a percentage).
///
/// A match starts at the first digit of a run of digits (one that starts
/// later in the run matches from its first digit too). From there the
/// number takes all the digits it can (a digit cannot start what follows
/// it), and so do the spaces; then the words are tried in the regex's
/// order, each of which can be read only one way.
fn area_ascii(t: &[u8]) -> Option<AreaMatch> {
    let lit = |p: usize, w: &[u8]| {
        t.get(p..p + w.len())
            .is_some_and(|x| x.eq_ignore_ascii_case(w))
    };
    let digits = |p: usize| p + t[p..].iter().take_while(|b| b.is_ascii_digit()).count();
    // `sq\.?\s*cm|square\s+cent\w*|cm\s*2|cm²|cm\^2|cm\s+sq` at `q`: its end.
    let square_cm = |q: usize| {
        if lit(q, b"sq") {
            let r = q + 2 + usize::from(t.get(q + 2) == Some(&b'.'));
            let r = after_spaces(t, r);
            if lit(r, b"cm") {
                return Some(r + 2);
            }
        }
        if lit(q, b"square") {
            let r = after_spaces(t, q + 6);
            if r > q + 6 && lit(r, b"cent") {
                return Some(r + 4 + t[r + 4..].iter().take_while(|&&b| is_word(b)).count());
            }
        }
        if lit(q, b"cm") {
            let r = after_spaces(t, q + 2);
            if t.get(r) == Some(&b'2') {
                return Some(r + 1);
            }
            if t[q + 2..].starts_with(b"^2") {
                return Some(q + 4);
            }
            if r > q + 2 && lit(r, b"sq") {
                return Some(r + 2);
            }
        }
        None
    };
    // `%\s*(?:of\s+)?(?:bsa|body)?` at `q`: its end.
    let percent = |q: usize| {
        if t.get(q) != Some(&b'%') {
            return None;
        }
        let mut r = after_spaces(t, q + 1);
        if lit(r, b"of") && after_spaces(t, r + 2) > r + 2 {
            r = after_spaces(t, r + 2);
        }
        if lit(r, b"bsa") {
            r += 3;
        } else if lit(r, b"body") {
            r += 4;
        }
        Some(r)
    };
    let mut i = 0;
    while i < t.len() {
        if !t[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        let mut e = digits(i);
        i = e;
        if t.get(e) == Some(&b'.') && t.get(e + 1).is_some_and(u8::is_ascii_digit) {
            e = digits(e + 1);
        }
        let q = after_spaces(t, e);
        if let Some(end) = square_cm(q) {
            return Some((start, end, Some((start, e))));
        }
        if let Some(end) = percent(q) {
            return Some((start, end, None));
        }
    }
    None
}

static COUNT_BEFORE: Re =
    Re::new(r"(?i)(?:^|[^\w.])(?:x|#|no\.?\s*)?\s*(\d{1,3}|[a-z]+)[\s\-]+(?:[a-z\-']+[\s]+){0,3}$");
static COUNT_AFTER: Re = Re::new(
    r"(?i)^\s*(?:(?:x|×|#)\s*(\d{1,3})\b|\((\d{1,3})\)|,?\s*(?:count|number|total|n)\s*[:=]?\s*(\d{1,3})\b)",
);
static FIRST_NUMBER: Re = Re::new(r"(?i)(?:^|[^\w.])(?:x|#)?(\d{1,4})(?:[^\w.]|$)|\b([a-z]+)\b");
static BREAKDOWN: Re = Re::new(r"\(\s*(?:x|#)?\s*(\d{1,3})\s*\)");

/// A number written in digits or as a word up to twenty.
pub fn number(word: &str) -> Option<u32> {
    word.parse().ok().or_else(|| vocab().number_word(word))
}

/// The count in a `Count:` value: a leading number, or the sum of a
/// per-site breakdown in parentheses.
pub fn count_value(text: &str) -> Option<u32> {
    let mut found = None;
    first_numbers(text, |digits, word| {
        if let Some((s, e)) = digits {
            // A number inside a breakdown's parentheses is not the total.
            let before = &text[..s];
            if before.trim_end().ends_with('(') {
                return ControlFlow::Break(());
            }
            found = Some(text[s..e].parse().ok());
            return ControlFlow::Break(());
        }
        if let Some((s, e)) = word {
            if let Some(n) = vocab().number_word(&text[s..e]) {
                found = Some(Some(n));
                return ControlFlow::Break(());
            }
        }
        ControlFlow::Continue(())
    });
    match found {
        Some(n) => n,
        None => breakdown_sum(text),
    }
}

/// The spans of the two groups of a match of [`FIRST_NUMBER`]: the
/// digits, or the word.
type NumberGroups = (Option<(usize, usize)>, Option<(usize, usize)>);

/// The matches of [`FIRST_NUMBER`] in `text`, left to right, as the spans
/// of its two groups (the digits, or the word), each given to `found`
/// until it says to stop: on ASCII text by [`first_number_at`], without
/// the regex's capture search; on other text by the regex.
fn first_numbers(
    text: &str,
    mut found: impl FnMut(Option<(usize, usize)>, Option<(usize, usize)>) -> ControlFlow<()>,
) {
    if !text.is_ascii() {
        for caps in FIRST_NUMBER.captures_iter(text) {
            let span = |k: usize| caps.get(k).map(|m| (m.start(), m.end()));
            if found(span(1), span(2)).is_break() {
                return;
            }
        }
        return;
    }
    let t = text.as_bytes();
    let mut p = 0;
    while p < t.len() {
        let Some(((digits, word), end)) = first_number_at(t, p) else {
            p += 1;
            continue;
        };
        if found(digits, word).is_break() {
            return;
        }
        p = end;
    }
}

/// The match of [`FIRST_NUMBER`] that starts at `p` of ASCII text, as the
/// regex reads it: its groups and where it ends.
///
/// The first alternative starts at the start of the text (`^`) or with a
/// byte that is neither a word byte nor `.`, tried in that order; then
/// an `x` or `#` when there is one (without it, the digits would have to
/// start on it), and a run of one to four digits that the run must end
/// (fewer digits would leave a digit, a word byte, after them), followed
/// by the end of the text or a byte that is neither a word byte nor `.`.
/// The second is a word of letters at a word start that ends a word
/// (fewer letters would leave a letter after them).
fn first_number_at(t: &[u8], p: usize) -> Option<(NumberGroups, usize)> {
    let other = |b: u8| !is_word(b) && b != b'.';
    let digits_at = |q: usize| {
        let q = match t.get(q) {
            Some(b'x' | b'X' | b'#') => q + 1,
            _ => q,
        };
        let run = t
            .get(q..)?
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if !(1..=4).contains(&run) {
            return None;
        }
        let e = q + run;
        match t.get(e) {
            None => Some((q, e, e)),
            Some(&b) if other(b) => Some((q, e, e + 1)),
            Some(_) => None,
        }
    };
    let first = (p == 0).then(|| digits_at(p)).flatten().or_else(|| {
        t.get(p)
            .filter(|&&b| other(b))
            .and_then(|_| digits_at(p + 1))
    });
    if let Some((s, e, end)) = first {
        return Some(((Some((s, e)), None), end));
    }
    if !t.get(p).is_some_and(u8::is_ascii_alphabetic) || (p > 0 && is_word(t[p - 1])) {
        return None;
    }
    let e = p + t[p..]
        .iter()
        .take_while(|b| b.is_ascii_alphabetic())
        .count();
    if t.get(e).is_some_and(|&b| is_word(b)) {
        return None;
    }
    Some(((None, Some((p, e))), e))
}

/// `scalp (5), hands (3)` → 8.
pub fn breakdown_sum(text: &str) -> Option<u32> {
    if !may_hold_digit(text) {
        return None;
    }
    let mut total = 0;
    let mut any = false;
    let mut add = |n: &str| {
        if let Ok(n) = n.parse::<u32>() {
            total += n;
            any = true;
        }
    };
    if text.is_ascii() {
        for (s, e) in breakdown_numbers_ascii(text.as_bytes()) {
            add(&text[s..e]);
        }
    } else {
        for caps in BREAKDOWN.captures_iter(text) {
            if let Some(n) = caps.get(1) {
                add(n.as_str());
            }
        }
    }
    any.then_some(total)
}

/// The numbers [`BREAKDOWN`] finds in ASCII text, without the regex: at
/// each `(`, spaces, an optional `x` or `#`, spaces, one to three digits
/// (not followed by a fourth), spaces and `)`. Each part can be read only
/// one way, and the next match is looked for after the last one's `)`.
fn breakdown_numbers_ascii(t: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(open) = memchr::memchr(b'(', &t[i..]) {
        let open = i + open;
        i = open + 1;
        let mut p = after_spaces(t, open + 1);
        if matches!(t.get(p), Some(b'x' | b'#')) {
            p = after_spaces(t, p + 1);
        }
        let n = t[p..].iter().take_while(|b| b.is_ascii_digit()).count();
        if n == 0 || n > 3 {
            continue;
        }
        let close = after_spaces(t, p + n);
        if t.get(close) == Some(&b')') {
            out.push((p, p + n));
            i = close + 1;
        }
    }
    out
}

/// The number or word [`COUNT_BEFORE`] captures at the end of `before`:
/// its start and end.
fn count_before(before: &str) -> Option<(usize, usize)> {
    if before.is_ascii() {
        return count_before_ascii(before.as_bytes());
    }
    let g = COUNT_BEFORE.captures(before)?.get(1)?;
    Some((g.start(), g.end()))
}

/// [`COUNT_BEFORE`] on ASCII text, without the regex, working back from
/// the end: the start and end of its group.
///
/// The regex is anchored at the end, so it finds the leftmost start from
/// which a match reaches the end. A match holds at most five runs of
/// non-space that are not all hyphens (the `x`, `#` or `no.`, the number,
/// three words), so it cannot start before the end of the sixth such run
/// from the end, less one for the character before the number. From there
/// each start is tried in turn, and at each the regex's alternatives in
/// its order: each of them can be read only one way.
fn count_before_ascii(t: &[u8]) -> Option<(usize, usize)> {
    let n = t.len();
    // The lowest start: after the sixth run from the end, less one.
    let mut p = n;
    let mut runs = 0;
    while p > 0 {
        let end = p;
        while p > 0 && !is_space(t[p - 1]) {
            p -= 1;
        }
        if p < end && t[p..end].iter().any(|&b| b != b'-') {
            runs += 1;
            if runs == 6 {
                p = end;
                break;
            }
        }
        while p > 0 && is_space(t[p - 1]) {
            p -= 1;
        }
    }
    let lo = p.saturating_sub(1);
    (lo..n).find_map(|s| {
        // `^` first, then `[^\w.]`.
        let mut found = None;
        if s == 0 {
            found = count_group_at(t, 0);
        }
        if found.is_none() && !(is_word(t[s]) || t[s] == b'.') {
            found = count_group_at(t, s + 1);
        }
        found
    })
}

/// After the start of [`COUNT_BEFORE`] at `a`: `(?:x|#|no\.?\s*)?\s*`,
/// the group and the rest to the end, tried in the regex's order. The
/// group's start and end.
fn count_group_at(t: &[u8], a: usize) -> Option<(usize, usize)> {
    let lit = |p: usize, w: &[u8]| {
        t.get(p..p + w.len())
            .is_some_and(|x| x.eq_ignore_ascii_case(w))
    };
    let mut prefixes = [None; 3];
    if matches!(t.get(a), Some(b'x' | b'X' | b'#')) {
        prefixes[0] = Some(a + 1);
    }
    if lit(a, b"no") {
        prefixes[1] = Some(if t.get(a + 2) == Some(&b'.') {
            a + 3
        } else {
            a + 2
        });
    }
    prefixes[2] = Some(a);
    prefixes.into_iter().flatten().find_map(|b| {
        let gs = after_spaces(t, b);
        let first = *t.get(gs)?;
        let ge = if first.is_ascii_digit() {
            let ge = gs + t[gs..].iter().take_while(|b| b.is_ascii_digit()).count();
            if ge - gs > 3 {
                return None;
            }
            ge
        } else if first.is_ascii_alphabetic() {
            gs + t[gs..]
                .iter()
                .take_while(|b| b.is_ascii_alphabetic())
                .count()
        } else {
            return None;
        };
        count_tail_ok(t, ge).then_some((gs, ge))
    })
}

/// Whether `[\s\-]+(?:[a-z\-']+[\s]+){0,3}$` matches at `e`. The hyphens
/// and spaces first can all be taken (taking fewer leaves a word to
/// start with a hyphen, one more word); then what is left must be at
/// most three words of letters, hyphens and quotes, each followed by
/// spaces.
fn count_tail_ok(t: &[u8], e: usize) -> bool {
    let dash_or_space = |b: u8| b == b'-' || is_space(b);
    if !t.get(e).is_some_and(|&b| dash_or_space(b)) {
        return false;
    }
    let r = e + t[e..].iter().take_while(|&&b| dash_or_space(b)).count();
    let rest = &t[r..];
    if rest.last().is_some_and(|&b| !is_space(b)) {
        return false;
    }
    let mut words = 0;
    let mut prev_space = true;
    for &b in rest {
        if is_space(b) {
            prev_space = true;
        } else if b.is_ascii_alphabetic() || b == b'-' || b == b'\'' {
            words += usize::from(prev_space);
            prev_space = false;
        } else {
            return false;
        }
    }
    words <= 3
}

/// Counts attached to lesion nouns in a sentence: `8 AKs`, `twelve actinic
/// keratoses`, `AKs x8`, `warts (3)`. Returns (noun span, count).
pub fn noun_counts(text: &str) -> Vec<(Span, u32)> {
    let v = vocab();
    let mut out = Vec::new();
    for (m, ()) in v.lesion_nouns.find_all(text) {
        let before = &text[..m.start];
        let mut found = None;
        if let Some((gs, ge)) = count_before(before) {
            let word = &before[gs..ge];
            let between = &before[ge..];
            // `3-6 mm AKs` or `two cycles on 4 AKs`: the number must not be
            // attached to a unit word in between.
            let unit_between = v
                .not_count_units
                .find(between)
                .is_some_and(|(s, ())| s.start <= 1);
            let range_before = before[..gs].trim_end().ends_with('-');
            if !unit_between && !range_before {
                found = number(word);
            }
        }
        if found.is_none() {
            if let Some(caps) = COUNT_AFTER.captures(&text[m.end..]) {
                found = caps
                    .iter()
                    .skip(1)
                    .flatten()
                    .next()
                    .and_then(|g| g.as_str().parse().ok());
            }
        }
        if let Some(n) = found {
            if n > 0 {
                out.push((m, n));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The matches [`first_numbers`] reads, as a list.
    fn first_number_list(text: &str) -> Vec<NumberGroups> {
        let mut out = Vec::new();
        first_numbers(text, |d, w| {
            out.push((d, w));
            ControlFlow::Continue(())
        });
        out
    }

    /// The matches of [`FIRST_NUMBER`] by the regex.
    fn first_number_regex(text: &str) -> Vec<NumberGroups> {
        FIRST_NUMBER
            .captures_iter(text)
            .map(|c| {
                let span = |k: usize| c.get(k).map(|m| (m.start(), m.end()));
                (span(1), span(2))
            })
            .collect()
    }

    #[test]
    fn first_numbers_read_as_the_regex() {
        let texts = [
            "3 lesions",
            "x3 lesions",
            "#12",
            " 12345 and 6",
            "(4) AKs",
            "three AKs",
            "a1 b_2 c.3 4.5 x 6x",
            ".7, 8.",
            "x",
            "",
            "AK2 x#3 ##4",
            "café 3",
        ];
        for t in texts {
            assert_eq!(first_number_list(t), first_number_regex(t), "{t:?}");
        }
    }

    proptest::proptest! {
        /// The hand reading finds the regex's matches and groups.
        #[test]
        fn first_numbers_agree_with_the_regex(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    "1", "23", "4567", "89012", "x", "X", "#", ".", " ", "(", ")", ",", "_",
                    "a", "AK", "three", "lesions", "é", "\u{a0}", "-", "\t",
                ]),
                0..10,
            ),
        ) {
            let t = pieces.concat();
            proptest::prop_assert_eq!(first_number_list(&t), first_number_regex(&t), "{:?}", t);
            if t.is_ascii() {
                let mut ascii = Vec::new();
                let mut p = 0;
                while p < t.len() {
                    match first_number_at(t.as_bytes(), p) {
                        Some((groups, end)) => {
                            ascii.push(groups);
                            p = end;
                        }
                        None => p += 1,
                    }
                }
                proptest::prop_assert_eq!(ascii, first_number_regex(&t), "{:?}", t);
            }
        }
    }

    /// [`next_number_byte`] a byte at a time.
    fn next_number_byte_plain(t: &[u8], from: usize, dot: bool) -> usize {
        (from..t.len())
            .find(|&i| t[i].is_ascii_digit() || (dot && t[i] == b'.') || !t[i].is_ascii())
            .unwrap_or(t.len().max(from))
    }

    #[test]
    fn number_bytes_found_eight_at_a_time() {
        let texts: [&[u8]; 8] = [
            b"",
            b"no digits here at all, none",
            b"abcdefgh9",
            b"abcdefg.",
            b"/:-,.0",
            b"caf\xc3\xa9 left",
            b"\x7f\x2f\x3a\x40\xff\x80",
            b"x 1.5 cm",
        ];
        for t in texts {
            for from in 0..=t.len() {
                for dot in [false, true] {
                    assert_eq!(
                        next_number_byte(t, from, dot),
                        next_number_byte_plain(t, from, dot),
                        "{t:?} {from} {dot}"
                    );
                }
            }
        }
    }

    proptest::proptest! {
        /// The eight-byte test finds the byte the plain scan finds, in any
        /// bytes, from anywhere.
        #[test]
        fn number_bytes_agree_with_the_plain_scan(
            t in proptest::collection::vec(proptest::num::u8::ANY, 0..40),
            from in 0usize..45,
            dot in proptest::bool::ANY,
        ) {
            let from = from.min(t.len());
            proptest::prop_assert_eq!(
                next_number_byte(&t, from, dot),
                next_number_byte_plain(&t, from, dot)
            );
        }
    }

    proptest::proptest! {
        /// The precheck before [`AREA_AFTER`] passes over no text the
        /// regex matches.
        #[test]
        fn area_after_agrees_with_the_regex(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    "2", "²", "^", " ", "\t", "\u{b}", "\n", "s", "q", "sq", "squared", "x", "\u{a0}", "é", ".", "S",
                ]),
                0..6,
            ),
        ) {
            let text = pieces.concat();
            proptest::prop_assert_eq!(area_after(&text), AREA_AFTER.is_match(&text), "{:?}", text);
        }
    }

    fn sizes(text: &str) -> Vec<(Shape, u32, Role)> {
        measures(text)
            .iter()
            .map(|m| (m.shape, m.um, m.role))
            .collect()
    }

    #[test]
    fn size_forms() {
        assert_eq!(sizes("0.6 cm"), [(Shape::Single, 6000, Role::Plain)]);
        assert_eq!(sizes("6mm"), [(Shape::Single, 6000, Role::Plain)]);
        assert_eq!(sizes("1.2 x 0.8 cm"), [(Shape::Dims, 12000, Role::Plain)]);
        assert_eq!(sizes("1.2 × 0.8 cm"), [(Shape::Dims, 12000, Role::Plain)]);
        assert_eq!(sizes("1.2x0.8cm"), [(Shape::Dims, 12000, Role::Plain)]);
        assert_eq!(sizes("12 x 8 mm"), [(Shape::Dims, 12000, Role::Plain)]);
        assert_eq!(sizes("each 3-6 mm"), [(Shape::Range, 6000, Role::Plain)]);
        assert_eq!(sizes("180 sq cm"), []);
        assert_eq!(sizes("650 mJ/cm2"), []);
        assert_eq!(
            sizes("5 cm distal to antecubital fossa"),
            [(Shape::Single, 50000, Role::Landmark)]
        );
        assert_eq!(
            sizes("0.2 cm margins"),
            [(Shape::Single, 2000, Role::Margin)]
        );
        assert_eq!(sizes("4 mm punch"), [(Shape::Single, 4000, Role::Punch)]);
        assert_eq!(sizes("4-mm punch"), [(Shape::Single, 4000, Role::Punch)]);
        assert_eq!(sizes(".5 cm"), [(Shape::Single, 5000, Role::Plain)]);
    }

    /// The scanner finds what the regex finds, groups and all, on generated
    /// notes and on sizes run together every which way.
    #[test]
    fn size_scanner_agrees_with_the_regex() {
        let regex = |text: &str| -> Vec<SizeCaps> {
            let re = SIZE_RE.regex(text);
            re.captures_iter(text)
                .map(|caps| size_caps(&caps))
                .collect()
        };
        let mut texts: Vec<String> = crate::corpus::generate(7, 200_000)
            .lines()
            .map(str::to_string)
            .collect();
        let parts = [
            "1",
            "2.5",
            ".5",
            "12",
            "3.",
            "..",
            " ",
            "  ",
            "\t",
            "-",
            "to",
            "TO",
            "x",
            "X",
            "*",
            "by",
            "By",
            "cm",
            "CM",
            "mm",
            "centimeter",
            "centimetres",
            "Millimeters",
            "millimetre",
            "s",
            "a",
            "_",
            "sq",
            "2",
            ",",
            "(",
            "\u{0B}",
        ];
        let mut rng = crate::corpus::Rng(7);
        for _ in 0..20_000 {
            let mut t = String::new();
            for _ in 0..8 {
                t.push_str(rng.pick::<&str>(&parts));
            }
            texts.push(t);
        }
        for t in &texts {
            let mut found = Vec::new();
            size_matches(t, t.is_ascii(), |m| {
                found.push(m);
                ControlFlow::Continue(())
            });
            assert_eq!(found, regex(t), "{t:?}");
        }
    }

    proptest::proptest! {
        /// The role read from ASCII text as it is is the role read from it
        /// lowered.
        #[test]
        fn ascii_role_agrees_with_the_lowered_one(
            before in proptest::collection::vec(
                proptest::sample::select(vec![
                    "Margin", "margins", " of", "OF", " ", "\t", "\u{b}", "Depth", "sq", "x", ",", "deep",
                ]),
                0..4,
            ),
            after in proptest::collection::vec(
                proptest::sample::select(vec![
                    "Margin", "margins", "MARGIN", " ", "\t", "\u{b}", "\n", "surgical", "Deep", "depth",
                    "punch", "Punches", "Distal", "to", "of", "Over", "right", "Left of", "superolateral",
                    "-", "x", ",", "lateral", "excision", "clinical",
                ]),
                0..5,
            ),
        ) {
            let before = before.concat();
            let text = format!("{before}3 mm{}", after.concat());
            let span = Span::new(before.len(), before.len() + 4);
            proptest::prop_assert_eq!(role_ascii(&text, span), role(&text, span), "{:?}", text);
        }

        /// `to_um` reads the unit as it did lowering it first.
        #[test]
        fn unit_scale_agrees_with_lowering(
            unit in "(?i)(mm|cm|milli|centi|m|mi|mİlli|MİLLI|millİ|\u{212a}m|ſ)[a-z]{0,3}",
            number in "[0-9]{0,3}([.][0-9]{0,5})?",
        ) {
            proptest::prop_assert_eq!(to_um(&number, &unit), to_um_lowering(&number, &unit), "{:?}", unit);
        }
    }

    /// `to_um` as it was, lowering the unit: for the test above.
    fn to_um_lowering(number: &str, unit: &str) -> Option<u32> {
        let unit = unit.to_lowercase();
        let mm = unit.starts_with("mm") || unit.starts_with("milli");
        to_um(number, if mm { "mm" } else { "cm" })
    }

    /// The lines of a generated corpus, and a line of every kind of size
    /// (a range, a margin, plain sizes) in ASCII and not.
    fn size_texts(seed: u64) -> Vec<String> {
        let mut texts: Vec<String> = crate::corpus::generate(seed, 100_000)
            .lines()
            .map(str::to_string)
            .collect();
        texts.push("3-6 mm, 0.2 cm margins, then 4 mm punch and a 5 mm papule".into());
        texts.push("Café 3-6 mm, 0.2 cm margins, then 4 mm punch and a 5 mm papule".into());
        texts
    }

    /// The first size of a kind is the one the list of all sizes gives
    /// first.
    #[test]
    fn find_measure_is_the_first_listed() {
        let texts = size_texts(9);
        let kinds: [fn(&Measure) -> bool; 4] = [
            |m| m.shape != Shape::Range,
            |m| m.role == Role::Margin,
            |m| m.shape == Shape::Single && m.role == Role::Plain,
            |_| true,
        ];
        for t in &texts {
            for keep in kinds {
                let want = measures(t).into_iter().find(keep);
                assert_eq!(find_measure(t, keep), want, "{t:?}");
            }
        }
    }

    /// The first plain size is the one the list of all sizes gives first.
    #[test]
    fn lesion_size_is_the_first_plain_measure() {
        let texts = size_texts(5);
        for t in &texts {
            let want = measures(t)
                .into_iter()
                .find(|m| m.shape != Shape::Range && m.role == Role::Plain);
            assert_eq!(lesion_size(t), want, "{t:?}");
        }
    }

    proptest::proptest! {
        /// The hand reading of [`AREA_RE`] finds the regex's first match
        /// and number.
        #[test]
        fn area_agrees_with_the_regex(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    "1", "12", ".", "5", " ", "\t", "\u{b}", "sq", "SQ", "square", "cent", "cm", "CM", "2",
                    "^", "%", "of", "bsa", "Body", "x", "_", "a", "\u{b2}", "é", "mm",
                ]),
                0..8,
            ),
        ) {
            let t = pieces.concat();
            let want = AREA_RE.captures(&t).map(|c| {
                let w = c.get(0).unwrap();
                (w.start(), w.end(), c.name("n").map(|n| (n.start(), n.end())))
            });
            if t.is_ascii() {
                proptest::prop_assert_eq!(area_ascii(t.as_bytes()), want, "{:?}", t);
            }
            let want = want.map(|(s, e, n)| match n {
                Some((a, b)) => Area::SqCm(t[a..b].parse::<f64>().unwrap().round() as u32, Span::new(s, e)),
                None => Area::PercentBsa(Span::new(s, e)),
            });
            proptest::prop_assert_eq!(area(&t), want, "{:?}", t);
        }

        /// The breakdown scan finds the numbers [`BREAKDOWN`] finds.
        #[test]
        fn breakdown_agrees_with_the_regex(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    "(", ")", " ", "\t", "x", "X", "#", "1", "23", "4567", "a", ",", "é",
                ]),
                0..9,
            ),
        ) {
            let t = pieces.concat();
            let want: Vec<(usize, usize)> = BREAKDOWN
                .captures_iter(&t)
                .map(|c| (c.get(1).unwrap().start(), c.get(1).unwrap().end()))
                .collect();
            if t.is_ascii() {
                proptest::prop_assert_eq!(breakdown_numbers_ascii(t.as_bytes()), want.clone(), "{:?}", t);
            }
            let sum: Option<u32> = (!want.is_empty())
                .then(|| want.iter().map(|&(s, e)| t[s..e].parse::<u32>().unwrap()).sum());
            proptest::prop_assert_eq!(breakdown_sum(&t), sum, "{:?}", t);
        }
    }

    /// The hand reading of [`COUNT_BEFORE`] finds the regex's group before
    /// each place in generated notes and in random mixes of pieces.
    #[test]
    fn count_before_agrees_on_many_texts() {
        let mut texts: Vec<String> = crate::corpus::generate(11, 30_000)
            .lines()
            .flat_map(|l| {
                (0..=l.len())
                    .filter(|&i| l.is_char_boundary(i))
                    .map(|i| l[..i].to_string())
            })
            .collect();
        let parts = [
            "1", "23", "4567", "x", "X", "#", "no", "NO", ".", " ", "\t", "\u{b}", "-", "'",
            "five", "a", "of", "(", "_",
        ];
        let mut rng = crate::corpus::Rng(11);
        for _ in 0..20_000 {
            let mut t = String::new();
            for _ in 0..10 {
                t.push_str(rng.pick::<&str>(&parts));
            }
            texts.push(t);
        }
        for t in &texts {
            let want = COUNT_BEFORE
                .captures(t)
                .map(|c| (c.get(1).unwrap().start(), c.get(1).unwrap().end()));
            assert_eq!(count_before(t), want, "{t:?}");
        }
    }

    proptest::proptest! {
        /// The hand reading of [`COUNT_BEFORE`] finds the regex's group.
        #[test]
        fn count_before_agrees_with_the_regex(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    "1", "23", "4567", "x", "X", "#", "no", "No", ".", "no.", " ", "  ", "\t", "\u{b}", "\n", "-",
                    "'", "five", "Twelve", "a", "AKs", "of", "the", "_", ",", "(", ")", "é", "\u{212a}", "x5",
                ]),
                0..12,
            ),
        ) {
            let t = pieces.concat();
            let want = COUNT_BEFORE
                .captures(&t)
                .map(|c| (c.get(1).unwrap().start(), c.get(1).unwrap().end()));
            if t.is_ascii() {
                proptest::prop_assert_eq!(count_before_ascii(t.as_bytes()), want, "{:?}", t);
            }
            proptest::prop_assert_eq!(count_before(&t), want, "{:?}", t);
        }
    }

    #[test]
    fn exact_units() {
        assert_eq!(to_um("0.55", "cm"), Some(5500));
        assert_eq!(to_um("2.5", "mm"), Some(2500));
        // `İ` lowers to `i` and a combining dot: `millİ` lowered starts
        // with `milli`, `mİlli` does not.
        assert_eq!(to_um("1", "miLLİ"), Some(1000));
        assert_eq!(to_um("1", "mİlli"), Some(10000));
        assert_eq!(to_um("99999999999999999999", "cm"), None);
        assert_eq!(cm(13000), "1.3 cm");
        assert_eq!(cm(5500), "0.55 cm");
        assert_eq!(cm(20000), "2.0 cm");
    }

    #[test]
    fn counts() {
        assert_eq!(count_value("16"), Some(16));
        assert_eq!(count_value("sixteen lesions"), Some(16));
        assert_eq!(count_value("scalp (5), hands (3)"), Some(8));
        let n: Vec<u32> = noun_counts("8 AKs, each 3-6 mm, two freeze-thaw cycles")
            .iter()
            .map(|c| c.1)
            .collect();
        assert_eq!(n, [8]);
        let n: Vec<u32> = noun_counts("Actinic keratoses x8, scalp")
            .iter()
            .map(|c| c.1)
            .collect();
        assert_eq!(n, [8]);
        let n: Vec<u32> = noun_counts("twelve actinic keratoses of the scalp")
            .iter()
            .map(|c| c.1)
            .collect();
        assert_eq!(n, [12]);
        let n: Vec<u32> = noun_counts("2-5 mm warts").iter().map(|c| c.1).collect();
        assert_eq!(n, Vec::<u32>::new());
    }

    #[test]
    fn areas() {
        assert!(matches!(area("Area: 180 sq cm"), Some(Area::SqCm(180, _))));
        assert!(matches!(area("300 cm2"), Some(Area::SqCm(300, _))));
        assert!(matches!(area("12% BSA"), Some(Area::PercentBsa(_))));
    }

    #[test]
    fn numbers_read_digit_by_digit() {
        for scale in [1_000, 10_000] {
            for n in [
                "",
                ".",
                "0",
                "1",
                "1.5",
                ".5",
                "5.",
                "0.123456",
                "12.3.4",
                "1.2345x",
                "1.2x",
                "+5",
                "-5",
                "5+",
                "4294967",
                "429497",
                "18446744073709551615",
                "18446744073709551616",
                "99999999999999999999999",
                "\u{663}",
                "1\u{663}",
                "1.\u{663}",
            ] {
                let fast = to_um_ascii(n.as_bytes(), scale);
                if let Some(v) = fast {
                    assert_eq!(v, to_um_plain(n, scale), "{n:?} {scale}");
                }
                let unit = if scale == 1_000 { "mm" } else { "cm" };
                assert_eq!(to_um(n, unit), to_um_plain(n, scale), "{n:?} {scale}");
            }
        }
        assert_eq!(to_um_ascii(b"1.5", 10_000), Some(Some(15_000)));
        assert_eq!(to_um_ascii(b"+5", 10_000), None);
        assert_eq!(to_um_ascii(b"99999999999999999999999", 10_000), Some(None));
    }

    #[test]
    fn area_words_before_a_size() {
        for (text, want) in [
            ("180 sq cm", false),
            ("sq 180 cm", true),
            ("SQUARE \t 4 cm", true),
            ("sq\u{b}4 cm", true),
            ("squ 4 cm", false),
            ("4 cm", false),
        ] {
            let start = text.find(|c: char| c.is_ascii_digit()).expect("a digit");
            assert_eq!(area_word_before(text, start, true), want, "{text:?}");
            assert_eq!(area_word_before(text, start, false), want, "{text:?}");
        }
    }

    #[test]
    fn second_tokens() {
        assert_eq!(second_token(b""), 0);
        assert_eq!(second_token(b"one"), 3);
        assert_eq!(second_token(b"one two"), 4);
        assert_eq!(second_token(b"one \t\x0b two"), 7);
        assert_eq!(second_token(b"one "), 4);
    }

    proptest::proptest! {
        /// Numbers read digit by digit have the value `str::parse` and
        /// `chars` give them, whatever the text and the unit.
        #[test]
        fn to_um_agrees_with_the_plain_reading(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    "0", "1", "5", "9", "12", "4294", "99999999", ".", "+", "-", "x", " ", "é", "\u{663}",
                ]),
                0..8,
            ),
            mm in proptest::bool::ANY,
        ) {
            let n = pieces.concat();
            let (unit, scale) = if mm { ("mm", 1_000) } else { ("cm", 10_000) };
            proptest::prop_assert_eq!(to_um(&n, unit), to_um_plain(&n, scale), "{:?}", n);
            if let Some(v) = to_um_ascii(n.as_bytes(), scale) {
                proptest::prop_assert_eq!(v, to_um_plain(&n, scale), "{:?}", n);
            }
        }

        /// The area words before a size are read from ASCII bytes as
        /// `trim_end` and lowering read them.
        #[test]
        fn area_words_ascii_agree_with_trim_end(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    "sq", "SQ", "Square", "squar", "e", "q", " ", "\t", "\u{b}", "\n", "\u{c}", "\r", "\u{1c}",
                    "x", ".", "4",
                ]),
                0..6,
            ),
        ) {
            let before = pieces.concat();
            let text = format!("{before}4 cm");
            let start = before.len();
            proptest::prop_assert_eq!(
                area_word_before(&text, start, true),
                area_word_before(&text, start, false),
                "{:?}", text
            );
        }
    }
}
