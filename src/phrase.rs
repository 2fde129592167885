//! A fast matcher for the vocabulary's phrase sets on ASCII text.
//!
//! A phrase set is one case-insensitive regex, an alternation of phrases
//! tried in order at the leftmost position where any matches (see
//! `vocab::PhraseSet`). The phrases use little regex syntax: literal words,
//! spaces that stand for `[\s\-]+`, `\d`, `\s`, the quantifiers `?`, `+`
//! and `*` on a character or a class, `(?:…|…)` groups (optional or not),
//! and word boundaries at the ends. On ASCII text, case-insensitivity is
//! plain ASCII folding and `\b`, `\s` and `\d` are ASCII classes, so each
//! phrase can be expanded into a few flat variants and matched byte by byte,
//! in the same order of preference as the regex, without the regex's
//! per-search set-up. The variants are indexed by their first two bytes,
//! and their first eight are compared in one word before a variant is
//! walked. Text with other characters, and sets with a phrase beyond this
//! syntax, keep the regex.

/// The compiled phrases of a set, in priority order.
pub(crate) struct Literals {
    variants: Vec<Variant>,
    /// The class of each byte in the index: bytes that begin a spelling, or
    /// come second in one, have a class of their own (both cases alike);
    /// every other byte is class 0.
    class: [u8; 256],
    classes: usize,
    /// Whether some variant may start with the byte.
    first: [bool; 256],
    /// Whether some variant needs no word boundary before it.
    any_unbounded: bool,
    /// For each pair of classes (the byte at a position and the next one),
    /// the variants that may start there, in priority order: those that
    /// need a word boundary before them too, or only those that don't.
    bounded: Index,
    unbounded: Index,
}

/// Lists of variants by cell, one after another: cell `c` holds
/// `list[start[c]..start[c + 1]]`.
struct Index {
    start: Vec<u32>,
    list: Vec<u32>,
}

impl Index {
    fn cell(&self, c: usize) -> &[u32] {
        &self.list[self.start[c] as usize..self.start[c + 1] as usize]
    }
}

/// One way a phrase can be spelled: its atoms after any leading boundary.
struct Variant {
    phrase: usize,
    /// A word boundary must come first.
    bounded: bool,
    /// The bytes the spelling starts with, up to eight, packed as
    /// [`pack`] packs text, and the mask of the ones it has: a quick test
    /// that rules out most spellings before they are walked.
    prefix: u64,
    mask: u64,
    /// For a spelling that is a word, a separator and more (`biopsy
    /// proven`): the length of the first word, and the bytes after the
    /// separator packed as `prefix` is, with their mask. The separator
    /// run is all taken (what follows it is no separator), so these bytes
    /// must follow it: a second quick test, for the many spellings that
    /// share a first word.
    after_separator: Option<(usize, u64, u64)>,
    atoms: Vec<Atom>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Atom {
    /// A byte, lowercase; matched ignoring ASCII case.
    Byte(u8),
    Class(Class, Rep),
    /// `\b`.
    Boundary,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    /// `\s`.
    Space,
    /// `\d`.
    Digit,
    /// `[\s\-]`: what a space in a phrase stands for.
    Separator,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Rep {
    One,
    Opt,
    Plus,
    Star,
}

/// More spellings than this and a phrase is left to the regex.
const MAX_VARIANTS: usize = 64;

impl Literals {
    /// Compiles phrases given in priority order, each with whether a word
    /// boundary comes before and after it. `None` when a phrase uses syntax
    /// this matcher does not know.
    pub(crate) fn new<'a>(
        phrases: impl IntoIterator<Item = (&'a str, bool, bool)>,
    ) -> Option<Self> {
        let mut variants = Vec::new();
        for (phrase, (text, start, end)) in phrases.into_iter().enumerate() {
            for mut atoms in spellings(text)? {
                // A phrase that could match nothing at all is left to the
                // regex.
                let consumes =
                    |a: &Atom| matches!(a, Atom::Byte(_) | Atom::Class(_, Rep::One | Rep::Plus));
                if !atoms.iter().any(consumes) {
                    return None;
                }
                if end {
                    atoms.push(Atom::Boundary);
                }
                let lead = leading_bytes(&atoms);
                let after_separator = match atoms.get(lead.len()..) {
                    Some([Atom::Class(Class::Separator, Rep::Plus), rest @ ..])
                        if lead.len() < 8 =>
                    {
                        let next = leading_bytes(rest);
                        next.first()
                            .filter(|b| !Class::Separator.has(**b))
                            .map(|_| (lead.len(), pack(&next), pack(&vec![0xFF; next.len()])))
                    }
                    _ => None,
                };
                variants.push(Variant {
                    phrase,
                    bounded: start,
                    prefix: pack(&lead),
                    mask: pack(&vec![0xFF; lead.len()]),
                    after_separator,
                    atoms,
                });
            }
        }
        // The bytes each variant may start with, and its second byte when
        // its first two atoms are plain bytes.
        let keys: Vec<([bool; 256], Option<u8>)> = variants
            .iter()
            .map(|v| {
                let second = match v.atoms.as_slice() {
                    [Atom::Byte(_), Atom::Byte(b), ..] => Some(*b),
                    _ => None,
                };
                (first_bytes(&v.atoms), second)
            })
            .collect();
        let mut class = [0u8; 256];
        let mut classes = 1;
        let starts = keys.iter().flat_map(|(firsts, _)| {
            (0..=255u8).filter(|b| firsts[usize::from(*b)] && !b.is_ascii_uppercase())
        });
        let seconds = keys.iter().filter_map(|(_, b)| *b);
        for b in starts.chain(seconds) {
            if class[usize::from(b)] == 0 && classes < 255 {
                class[usize::from(b)] = classes as u8;
                class[usize::from(b.to_ascii_uppercase())] = classes as u8;
                classes += 1;
            }
        }
        // Each variant goes in every cell whose bytes it may start with, in
        // priority order within the cell.
        let mut all: Vec<Vec<u32>> = vec![Vec::new(); classes * classes];
        let mut unbounded: Vec<Vec<u32>> = vec![Vec::new(); classes * classes];
        for (i, (firsts, second)) in keys.iter().enumerate() {
            let mut c0s: Vec<usize> = (0..256)
                .filter(|b| firsts[*b])
                .map(|b| usize::from(class[b]))
                .collect();
            c0s.sort_unstable();
            c0s.dedup();
            let c1s: Vec<usize> = match second {
                Some(b) => vec![usize::from(class[usize::from(*b)])],
                None => (0..classes).collect(),
            };
            for &c0 in &c0s {
                for &c1 in &c1s {
                    all[c0 * classes + c1].push(i as u32);
                    if !variants[i].bounded {
                        unbounded[c0 * classes + c1].push(i as u32);
                    }
                }
            }
        }
        let index = |cells: Vec<Vec<u32>>| {
            let mut start = vec![0u32];
            let mut list = Vec::new();
            for cell in cells {
                list.extend(cell);
                start.push(list.len() as u32);
            }
            Index { start, list }
        };
        let mut first = [false; 256];
        for (b, f) in first.iter_mut().enumerate() {
            let lower = (b as u8).to_ascii_lowercase();
            *f = keys.iter().any(|(firsts, _)| firsts[usize::from(lower)]);
        }
        Some(Literals {
            bounded: index(all),
            unbounded: index(unbounded),
            any_unbounded: variants.iter().any(|v| !v.bounded),
            variants,
            class,
            classes,
            first,
        })
    }

    /// The leftmost match in `text` at or after `from`, as (start, end,
    /// phrase index), preferring the earlier phrase at the same start.
    /// `text` must be ASCII.
    pub(crate) fn find_at(&self, text: &[u8], from: usize) -> Option<(usize, usize, usize)> {
        let mut prev_word = from > 0 && is_word(text[from - 1]);
        for (i, &b) in text.iter().enumerate().skip(from) {
            let word = is_word(b);
            let boundary = word != prev_word;
            prev_word = word;
            // Most positions are ruled out by their byte, or by needing a
            // word boundary that is not there.
            if !self.first[usize::from(b)] || !(boundary || self.any_unbounded) {
                continue;
            }
            if let Some(found) = self.match_here(text, i, boundary) {
                return Some(found);
            }
        }
        None
    }

    /// The match that starts at the beginning of `text`, as for
    /// [`Literals::find_at`].
    pub(crate) fn find_at_start(&self, text: &[u8]) -> Option<(usize, usize, usize)> {
        let &b = text.first()?;
        if !self.first[usize::from(b)] {
            return None;
        }
        self.match_here(text, 0, is_boundary(text, 0))
    }

    /// The first variant that matches at `i`.
    fn match_here(&self, text: &[u8], i: usize, boundary: bool) -> Option<(usize, usize, usize)> {
        let index = if boundary {
            &self.bounded
        } else {
            &self.unbounded
        };
        let c0 = usize::from(self.class[usize::from(text[i])]);
        let c1 = text
            .get(i + 1)
            .map_or(0, |b| usize::from(self.class[usize::from(*b)]));
        let cell = index.cell(c0 * self.classes + c1);
        if cell.is_empty() {
            return None;
        }
        let word = lower_word(&text[i..]);
        cell.iter().find_map(|&v| {
            let v = &self.variants[v as usize];
            if word & v.mask != v.prefix {
                return None;
            }
            if let Some((len, prefix, mask)) = v.after_separator {
                let at = i + len;
                let run = text.get(at..).map_or(0, |r| {
                    r.iter().take_while(|b| Class::Separator.has(**b)).count()
                });
                if run == 0 || lower_word(&text[at + run..]) & mask != prefix {
                    return None;
                }
            }
            match_at(&v.atoms, text, i).map(|end| (i, end, v.phrase))
        })
    }
}

/// The first eight bytes of ASCII `text` (zeros past its end) in one
/// word, as [`pack`] packs them, with capitals made lower case.
fn lower_word(text: &[u8]) -> u64 {
    let w = match text.first_chunk::<8>() {
        Some(first) => u64::from_le_bytes(*first),
        None => pack(text),
    };
    // Every byte is below 0x80, so these sums carry into no other byte:
    // the top bit of a byte says it is at least `A`, and at least `[`.
    let from_a = w + 0x3F3F_3F3F_3F3F_3F3F;
    let past_z = w + 0x2525_2525_2525_2525;
    let capitals = from_a & !past_z & 0x8080_8080_8080_8080;
    w | capitals >> 2
}

/// Up to eight bytes in one word, the first in the lowest byte.
fn pack(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .take(8)
        .enumerate()
        .fold(0, |w, (k, b)| w | u64::from(*b) << (8 * k))
}

/// The bytes (lowercase) a match of `atoms` can start with.
fn first_bytes(atoms: &[Atom]) -> [bool; 256] {
    let class = |c: Class| std::array::from_fn(|b| c.has(b as u8));
    match atoms.first() {
        None => [true; 256],
        Some(Atom::Byte(x)) => std::array::from_fn(|b| b == usize::from(*x)),
        Some(Atom::Boundary) => first_bytes(&atoms[1..]),
        Some(Atom::Class(c, Rep::One | Rep::Plus)) => class(*c),
        Some(Atom::Class(c, Rep::Opt | Rep::Star)) => {
            let (mut here, rest) = (class(*c), first_bytes(&atoms[1..]));
            for (h, r) in here.iter_mut().zip(rest) {
                *h |= r;
            }
            here
        }
    }
}

/// The end of the first way `atoms` match at `pos`, trying a quantifier's
/// longest run first, as the regex does.
fn match_at(mut atoms: &[Atom], text: &[u8], mut pos: usize) -> Option<usize> {
    loop {
        let Some((first, rest)) = atoms.split_first() else {
            return Some(pos);
        };
        match *first {
            Atom::Byte(b) => {
                if text.get(pos)?.to_ascii_lowercase() != b {
                    return None;
                }
                pos += 1;
            }
            Atom::Boundary => {
                if !is_boundary(text, pos) {
                    return None;
                }
            }
            Atom::Class(c, rep) => {
                let (min, max) = match rep {
                    Rep::One => (1, 1),
                    Rep::Opt => (0, 1),
                    Rep::Plus => (1, usize::MAX),
                    Rep::Star => (0, usize::MAX),
                };
                let run = text[pos..]
                    .iter()
                    .take(max)
                    .take_while(|b| c.has(**b))
                    .count();
                if run < min {
                    return None;
                }
                return (min..=run)
                    .rev()
                    .find_map(|n| match_at(rest, text, pos + n));
            }
        }
        atoms = rest;
    }
}

fn is_word(b: u8) -> bool {
    WORD[usize::from(b)]
}

/// `\w` on ASCII: letters, digits and the underscore.
static WORD: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || c == b'_';
        b += 1;
    }
    t
};

/// `\b` at `pos`: a word byte on one side and not on the other.
fn is_boundary(text: &[u8], pos: usize) -> bool {
    let before = pos > 0 && is_word(text[pos - 1]);
    let after = text.get(pos).is_some_and(|b| is_word(*b));
    before != after
}

impl Class {
    fn has(self, b: u8) -> bool {
        // `\s` is Unicode White_Space, whose ASCII part includes the
        // vertical tab.
        let space = b.is_ascii_whitespace() || b == 0x0B;
        match self {
            Class::Space => space,
            Class::Digit => b.is_ascii_digit(),
            Class::Separator => space || b == b'-',
        }
    }
}

/// One element of a phrase: its alternatives, in order of preference.
type Element = Vec<Vec<Atom>>;

/// Every spelling of a phrase as flat atoms, in the order the regex would
/// prefer them; `None` for syntax this matcher does not know.
fn spellings(phrase: &str) -> Option<Vec<Vec<Atom>>> {
    let chars: Vec<char> = phrase.chars().collect();
    let (alternatives, rest) = alternation(&chars)?;
    if !rest.is_empty() {
        return None;
    }
    Some(alternatives)
}

/// Alternatives separated by `|`, up to a `)` or the end: their spellings
/// and the text after them.
fn alternation(mut s: &[char]) -> Option<(Vec<Vec<Atom>>, &[char])> {
    let mut out = Vec::new();
    loop {
        let (spellings, rest) = sequence(s)?;
        out.extend(spellings);
        match rest.first() {
            Some('|') => s = &rest[1..],
            _ => return (out.len() <= MAX_VARIANTS).then_some((out, rest)),
        }
    }
}

/// Elements one after another, up to a `|`, a `)` or the end.
fn sequence(mut s: &[char]) -> Option<(Vec<Vec<Atom>>, &[char])> {
    let mut elements: Vec<Element> = Vec::new();
    while let Some(&c) = s.first() {
        if c == '|' || c == ')' {
            break;
        }
        s = &s[1..];
        let element: Element = match c {
            ' ' => vec![vec![Atom::Class(Class::Separator, Rep::Plus)]],
            '\\' => {
                let (&e, rest) = s.split_first()?;
                s = rest;
                match e {
                    'd' => vec![vec![Atom::Class(Class::Digit, Rep::One)]],
                    's' => vec![vec![Atom::Class(Class::Space, Rep::One)]],
                    e if e.is_ascii_punctuation() => vec![vec![Atom::Byte(e as u8)]],
                    _ => return None,
                }
            }
            '(' => {
                let rest = s.strip_prefix(&['?', ':'])?;
                let (alternatives, rest) = alternation(rest)?;
                s = rest.strip_prefix(&[')'])?;
                alternatives
            }
            '?' | '+' | '*' => {
                let last = elements.pop()?;
                quantified(last, c)?
            }
            c if c.is_ascii() => {
                if ".[]{}^$".contains(c) {
                    return None;
                }
                vec![vec![Atom::Byte(c.to_ascii_lowercase() as u8)]]
            }
            c => {
                // A letter whose other cases are all outside ASCII never
                // matches ASCII text; any other character is left to the
                // regex.
                let ascii_case = c
                    .to_lowercase()
                    .chain(c.to_uppercase())
                    .any(|x| x.is_ascii());
                if ascii_case {
                    return None;
                }
                Vec::new()
            }
        };
        elements.push(element);
    }
    let mut spellings: Vec<Vec<Atom>> = vec![Vec::new()];
    for element in elements {
        spellings = spellings
            .iter()
            .flat_map(|prefix| {
                element.iter().map(move |alt| {
                    let mut v = prefix.clone();
                    v.extend_from_slice(alt);
                    v
                })
            })
            .collect();
        if spellings.len() > MAX_VARIANTS {
            return None;
        }
    }
    Some((spellings, s))
}

/// An element with `?`, `+` or `*` after it.
fn quantified(element: Element, q: char) -> Option<Element> {
    if let [alt] = element.as_slice() {
        if let [Atom::Class(class, Rep::One)] = alt.as_slice() {
            let rep = match q {
                '?' => Rep::Opt,
                '+' => Rep::Plus,
                _ => Rep::Star,
            };
            return Some(vec![vec![Atom::Class(*class, rep)]]);
        }
    }
    if q != '?' || element.iter().any(Vec::is_empty) {
        return None;
    }
    // Optional: each alternative first, then nothing.
    let mut out = element;
    out.push(Vec::new());
    Some(out)
}

/// The literal bytes an atom sequence starts with, at most 8.
fn leading_bytes(atoms: &[Atom]) -> Vec<u8> {
    atoms
        .iter()
        .map_while(|a| match a {
            Atom::Byte(b) => Some(*b),
            _ => None,
        })
        .take(8)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find_all(phrases: &[(&str, bool, bool)], text: &str) -> Vec<(String, usize)> {
        let l = Literals::new(phrases.iter().copied()).expect("compiles");
        let mut out = Vec::new();
        let mut from = 0;
        while let Some((s, e, p)) = l.find_at(text.as_bytes(), from) {
            out.push((text[s..e].to_string(), p));
            from = e;
        }
        out
    }

    #[test]
    fn spellings_in_order_of_preference() {
        assert_eq!(
            spellings("keratoses?").map(|s| s.len()),
            Some(2),
            "with the s, then without"
        );
        let s = spellings("back of (?:the )?hands").unwrap();
        assert_eq!(s.len(), 2);
        assert!(s[0].len() > s[1].len());
        assert!(spellings("a.b").is_none());
        assert!(spellings("(?:a|b").is_none());
        assert_eq!(spellings("décolletage").map(|s| s.len()), Some(0));
    }

    #[test]
    fn leftmost_then_first_phrase() {
        let phrases = [
            ("shave biopsy", true, true),
            ("biopsy", true, true),
            ("\\d+(?:\\.\\d+)?\\s*-?\\s*mm punch(?:es)?", true, true),
            ("punch(?:es)?", true, true),
        ];
        assert_eq!(
            find_all(&phrases, "A Shave-Biopsy, then 4.5 mm punches; punch"),
            [
                ("Shave-Biopsy".to_string(), 0),
                ("4.5 mm punches".to_string(), 2),
                ("punch".to_string(), 3)
            ]
        );
        assert_eq!(find_all(&phrases, "biopsyx xbiopsy"), []);
    }
}
