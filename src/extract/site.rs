//! Anatomic sites: laterality, the anatomic term, its region (and so its
//! site group in each code family), and whether it is specific enough for a
//! biopsy audit.

use crate::phrase::{Block, Needle, block_pairs, is_space, is_word};
use crate::re::Re;

use super::{cues, measure};
use crate::span::Span;
use crate::vocab::{GroupFamily, Laterality, SiteTerm, vocab};

/// A site as documented.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Site {
    /// The text the site was read from.
    pub span: Span,
    pub laterality: Option<Laterality>,
    /// The anatomic term: the vocabulary's own entry, shared rather than
    /// copied (a site names one of a fixed list).
    pub term: Option<&'static SiteTerm>,
    /// Where the anatomic term is.
    pub term_span: Option<Span>,
    /// A midline word for a midline site (`mid back`, `nasal tip`).
    pub midline: bool,
    /// A sub-site or subunit word (`posterior`, `volar`, `helix`).
    pub subsite: bool,
    /// A measured landmark (`5 cm distal to the antecubital fossa`).
    pub landmark: bool,
}

impl Site {
    /// Specific enough for a biopsy: laterality (or a midline word) and a
    /// sub-site or a measured landmark.
    pub fn is_specific(&self) -> bool {
        (self.laterality.is_some() || self.midline) && (self.subsite || self.landmark)
    }

    /// The code-family site group.
    pub fn group(&self, family: GroupFamily) -> Option<&'static str> {
        self.term?.group(family)
    }

    /// Same laterality and anatomic term.
    pub fn same_as(&self, other: &Site) -> bool {
        match (&self.term, &other.term) {
            (Some(a), Some(b)) => a.term == b.term && self.laterality == other.laterality,
            _ => false,
        }
    }

    pub fn describe(&self, text: &str) -> String {
        self.span.text(text).trim().to_string()
    }
}

static LANDMARK: Re = Re::new(
    r"(?i)\d+(?:\.\d+)?\s*(?:cm|mm)\s+(?:\w+\s+){0,2}?(?:distal|proximal|above|below|anterior|posterior|lateral|medial|superior|inferior|from|to|off|beneath|under)\b",
);

/// The words [`LANDMARK`] ends with: a direction or a preposition.
const LANDMARK_WORDS: [&[u8]; 15] = [
    b"distal",
    b"proximal",
    b"above",
    b"below",
    b"anterior",
    b"posterior",
    b"lateral",
    b"medial",
    b"superior",
    b"inferior",
    b"from",
    b"to",
    b"off",
    b"beneath",
    b"under",
];

/// Where the first match of [`LANDMARK`] in `text` starts, for the
/// tests: ASCII text is read by [`scan_ascii`], other text by the regex.
#[cfg(test)]
fn landmark_start(text: &str) -> Option<usize> {
    match text.is_ascii() {
        true => scan_ascii(text.as_bytes(), None).1,
        false => landmark_start_regex(text),
    }
}

/// Where the first match of [`LANDMARK`] in `text` starts, by the regex:
/// the path for text that is not ASCII.
fn landmark_start_regex(text: &str) -> Option<usize> {
    // A landmark distance holds a digit and `cm` or `mm`.
    (measure::may_hold_digit(text) && cues::may_contain(text, &["cm", "mm"]))
        .then(|| LANDMARK.find(text).map(|m| m.start()))
        .flatten()
}

/// [`LANDMARK`]'s first match start in ASCII text, without the regex:
/// the scan [`scan_ascii`] replaced, kept for the tests to hold it to.
///
/// Every match holds a unit, `cm` or `mm` (of any case): the text is read
/// sixteen bytes at a time for them, and most sites have none. A match
/// can only start at the first digit of a run of digits (one that starts
/// later in the run matches from the run's first digit too), and from
/// there each part of the pattern can be read only one way (each run of
/// digits, spaces or word characters is taken whole, since what follows
/// it cannot be of its own kind), so no backtracking is needed. So the
/// only starts that can reach a unit are found by walking back from it
/// (see [`number_before`]), and the first unit with a match after it
/// gives the leftmost match.
#[cfg(test)]
fn landmark_start_ascii(bytes: &[u8]) -> Option<usize> {
    let [c, m] = [b'c', b'm'].map(Needle::new);
    let mut found = None;
    block_pairs(bytes, |i, here, next| {
        let mut units = (here.find(&c) | here.find(&m)) & next.find(&m);
        while units != 0 {
            let unit = i + units.trailing_zeros() as usize;
            units &= units - 1;
            let Some(start) = number_before(bytes, unit) else {
                continue;
            };
            if landmark_follows(bytes, skip(bytes, start, |b| b.is_ascii_digit())) {
                found = Some(start);
                return true;
            }
        }
        false
    });
    found
}

/// The first digit of the number that [`LANDMARK`] would read before the
/// unit at `unit`: past the spaces before it, a run of digits, and before
/// that a `.` and another run when there is one (`1.5 cm` starts at `1`).
/// A match that starts at that run's first digit reads the same number
/// and unit as one that starts at the second run; any other start reads
/// some other number, or none.
fn number_before(bytes: &[u8], unit: usize) -> Option<usize> {
    let run_start = |mut p: usize, kind: &dyn Fn(u8) -> bool| {
        while p > 0 && kind(bytes[p - 1]) {
            p -= 1;
        }
        p
    };
    let end = run_start(unit, &is_space);
    let start = run_start(end, &|b| b.is_ascii_digit());
    if start == end {
        return None;
    }
    if start >= 2 && bytes[start - 1] == b'.' && bytes[start - 2].is_ascii_digit() {
        return Some(run_start(start - 1, &|b| b.is_ascii_digit()));
    }
    Some(start)
}

/// Whether the rest of [`LANDMARK`] (after its whole number) matches
/// `bytes` at `i`: an optional fraction, the unit, and a landmark word
/// after at most two other words.
fn landmark_follows(bytes: &[u8], mut i: usize) -> bool {
    if bytes.get(i) == Some(&b'.') && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
        i = skip(bytes, i + 1, |b| b.is_ascii_digit());
    }
    i = skip(bytes, i, is_space);
    let unit = bytes.get(i..i + 2).is_some_and(|u| {
        matches!(u[0].to_ascii_lowercase(), b'c' | b'm') && u[1].eq_ignore_ascii_case(&b'm')
    });
    if !unit {
        return false;
    }
    i += 2;
    let after_unit = skip(bytes, i, is_space);
    if after_unit == i {
        return false;
    }
    i = after_unit;
    for words in 0..=2 {
        let rest = &bytes[i..];
        // The first byte rules out all but a word or two.
        let first = rest.first().map(u8::to_ascii_lowercase);
        let landmark_word = LANDMARK_WORDS.iter().any(|w| {
            Some(w[0]) == first
                && rest.len() >= w.len()
                && rest[..w.len()].eq_ignore_ascii_case(w)
                && !rest.get(w.len()).is_some_and(|&b| is_word(b))
        });
        if landmark_word {
            return true;
        }
        if words == 2 {
            break;
        }
        let after_word = skip(bytes, i, is_word);
        let after_space = skip(bytes, after_word, is_space);
        if after_word == i || after_space == after_word {
            return false;
        }
        i = after_space;
    }
    false
}

/// The first index from `i` on whose byte is not `kind` (or the length).
fn skip(bytes: &[u8], i: usize, kind: impl Fn(u8) -> bool) -> usize {
    i + bytes[i..].iter().take_while(|&&b| kind(b)).count()
}

/// What [`parse`] reads from the words of a site besides its term: the
/// laterality (the nearest before the term, or the first), and whether a
/// midline or a sub-site word is there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Words {
    laterality: Option<Laterality>,
    midline: bool,
    subsite: bool,
}

/// [`Words`] by the vocabulary's phrase sets, one search after another:
/// the path for text that is not ASCII (and, in the tests, the measure of
/// [`words_ascii`]). `term_start` is where the anatomic term starts.
fn words_by_sets(text: &str, term_start: Option<usize>) -> Words {
    let v = vocab();
    // `r/o` is "rule out", not "right".
    let lats: Vec<_> = v
        .laterality
        .find_all(text)
        .into_iter()
        .filter(|(s, _)| !text[s.end..].starts_with('/') || s.len() > 1)
        .collect();
    let laterality = match term_start {
        Some(start) => lats
            .iter()
            .rev()
            .find(|(s, _)| s.end <= start)
            .or_else(|| lats.first())
            .map(|(_, l)| *l),
        None => lats.first().map(|(_, l)| *l),
    };
    // The phrase sets ignore ASCII case already: only other text is
    // lowered first.
    let lower = if text.is_ascii() {
        std::borrow::Cow::Borrowed(text)
    } else {
        std::borrow::Cow::Owned(text.to_lowercase())
    };
    Words {
        laterality,
        midline: v.midline.is_match(&lower),
        subsite: v.subsite.is_match(&lower),
    }
}

/// The `laterality` phrases of `grammar/vocabulary.json`, lowercase. A
/// test holds these lists to the file.
const LATERALITY_PHRASES: [(&str, Laterality); 11] = [
    ("left", Laterality::Left),
    ("lt", Laterality::Left),
    ("l", Laterality::Left),
    ("right", Laterality::Right),
    ("rt", Laterality::Right),
    ("r", Laterality::Right),
    ("bilateral", Laterality::Bilateral),
    ("bilaterally", Laterality::Bilateral),
    ("b/l", Laterality::Bilateral),
    ("bilat", Laterality::Bilateral),
    ("both", Laterality::Bilateral),
];

/// The `midline_words` of `grammar/vocabulary.json`.
const MIDLINE_PHRASES: [&str; 25] = [
    "midline",
    "mid-line",
    "central",
    "median",
    "mid back",
    "mid-back",
    "mid chest",
    "nasal tip",
    "nasal dorsum",
    "nasal bridge",
    "columella",
    "philtrum",
    "glabella",
    "vertex",
    "sternum",
    "sternal",
    "presternal",
    "umbilicus",
    "sacrum",
    "sacral",
    "chin",
    "occiput",
    "nape",
    "supratip",
    "infratip",
];

/// The `subsite_words` of `grammar/vocabulary.json`.
const SUBSITE_PHRASES: [&str; 66] = [
    "anterior",
    "posterior",
    "volar",
    "dorsal",
    "dorsum",
    "upper",
    "lower",
    "mid",
    "middle",
    "lateral",
    "medial",
    "proximal",
    "distal",
    "superior",
    "inferior",
    "extensor",
    "flexor",
    "palmar",
    "plantar",
    "frontal",
    "parietal",
    "temporal",
    "occipital",
    "vertex",
    "crown",
    "nasal tip",
    "nasal ala",
    "ala",
    "alar",
    "sidewall",
    "side wall",
    "dorsum",
    "helix",
    "helical",
    "antihelix",
    "lobe",
    "lobule",
    "tragus",
    "concha",
    "preauricular",
    "postauricular",
    "malar",
    "vermilion",
    "canthus",
    "glabella",
    "columella",
    "philtrum",
    "infraorbital",
    "submental",
    "supraclavicular",
    "scapular",
    "interscapular",
    "paraspinal",
    "deltoid",
    "antecubital",
    "olecranon",
    "pretibial",
    "thenar",
    "hypothenar",
    "web space",
    "nail fold",
    "heel",
    "instep",
    "buccal",
    "inframammary",
    "periumbilical",
];

/// Which set a phrase of [`WORD_TABLE`] belongs to.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Laterality(Laterality),
    Midline,
    Subsite,
}

/// A phrase of [`WORD_TABLE`]: its bytes (lowercase), the length of its
/// first word, that word as [`folded_word`] packs it, and its set.
struct Entry {
    phrase: &'static [u8],
    first_word: usize,
    key: u128,
    kind: Kind,
}

/// The word of `len` bytes (1 to 15) at `start` of `bytes`, packed into
/// one number with the case bit of each byte set (zeros after it), so
/// that a word is compared with a phrase's first word at once.
///
/// Setting the case bit makes capitals lowercase and leaves digits as
/// they are; `_`, the only other word byte, becomes no letter. So a word
/// packs as a lowercase first word of letters exactly when it is that
/// word, ignoring ASCII case.
fn folded_word(bytes: &[u8], start: usize, len: usize) -> u128 {
    let raw = match bytes.get(start..start + 16) {
        Some(b) => u128::from_le_bytes(b.try_into().expect("16 bytes")),
        // Near the end of the text: the last sixteen bytes, moved down.
        None if bytes.len() >= 16 => {
            let from = bytes.len() - 16;
            u128::from_le_bytes(bytes[from..].try_into().expect("16 bytes")) >> (8 * (start - from))
        }
        None => {
            let mut copy = [0u8; 16];
            copy[..bytes.len() - start].copy_from_slice(&bytes[start..]);
            u128::from_le_bytes(copy)
        }
    };
    (raw | u128::from_le_bytes([0x20; 16])) & (u128::MAX >> (128 - 8 * len))
}

/// First words this long or longer are in no phrase of [`WORD_TABLE`]
/// (the longest, `supraclavicular`, has 15 letters).
const WORD_LIMIT: usize = 16;

/// The laterality, midline and sub-site phrases by their first letter
/// (`a` to `z`: every one starts with a letter) and the length of their
/// first word, at `letter * WORD_LIMIT + length`: most words find no
/// phrase to compare at all.
static WORD_TABLE: std::sync::LazyLock<Vec<Vec<Entry>>> = std::sync::LazyLock::new(|| {
    let mut table: Vec<Vec<Entry>> = (0..26 * WORD_LIMIT).map(|_| Vec::new()).collect();
    let all = LATERALITY_PHRASES
        .iter()
        .map(|&(p, l)| (p, Kind::Laterality(l)))
        .chain(MIDLINE_PHRASES.iter().map(|&p| (p, Kind::Midline)))
        .chain(SUBSITE_PHRASES.iter().map(|&p| (p, Kind::Subsite)));
    for (p, kind) in all {
        let phrase = p.as_bytes();
        let first_word = phrase.iter().take_while(|&&b| is_word(b)).count();
        assert!(first_word < WORD_LIMIT, "{p}: a first word too long");
        table[usize::from(phrase[0] - b'a') * WORD_LIMIT + first_word].push(Entry {
            phrase,
            first_word,
            key: folded_word(phrase, 0, first_word),
            kind,
        });
    }
    table
});

/// [`words_by_sets`] for ASCII text in one pass over its words (see
/// [`scan_ascii`]), for the tests.
#[cfg(test)]
fn words_ascii(bytes: &[u8], term_start: Option<usize>) -> Words {
    scan_ascii(bytes, term_start).0
}

/// [`Words`] and the start of the first landmark ([`LANDMARK`]'s first
/// match) in ASCII text, read in one pass over its words.
///
/// The words are found sixteen bytes at a time: each block gives a mask
/// of its word bytes, and from it the places where words start and end,
/// so only those places are looked at one by one.
///
/// Every phrase of the three sets starts and ends with a letter and has a
/// word boundary at both ends, so a match starts at a word start and its
/// first word is the whole word there. Each word is looked up once among
/// the phrases that start with its letter; the rest of a phrase is read
/// as its regex reads it (a space stands for `[\s\-]+`, other bytes for
/// themselves, ASCII case ignored), then a boundary. At most one
/// laterality phrase can match at a word start (each is a whole word, or
/// `b/l`, whose first word `b` is no phrase), so the laterality matches
/// are those of the set's leftmost-first search, which goes on after the
/// end of each match; the midline and sub-site sets are only asked
/// whether they match anywhere.
///
/// A landmark's unit (`cm` or `mm`, any case) has white space after it,
/// so it ends a word: only words that end so are read further, as
/// [`landmark_start_ascii`] reads a unit (see [`number_before`]). The
/// words come left to right, so the first unit with a match after it
/// gives the leftmost match, as there.
fn scan_ascii(bytes: &[u8], term_start: Option<usize>) -> (Words, Option<usize>) {
    let table = &*WORD_TABLE;
    let mut out = Words {
        laterality: None,
        midline: false,
        subsite: false,
    };
    let mut landmark = None;
    // The first laterality kept, and the last one that ends by the term.
    let mut first_lat = None;
    let mut lat_before_term = None;
    // Where the laterality search goes on: after its last match.
    let mut lat_from = 0;
    // Where the word being read started.
    let mut start = 0;
    // Whether the byte before the block is a word byte.
    let mut carry = 0u32;
    let mut i = 0;
    while i < bytes.len() {
        // Past the end of the text come zeros, which are no word bytes.
        let words = Block::load(bytes, i).words();
        let starts = words & !(words << 1 | carry);
        let after = u32::from(bytes.get(i + 16).is_some_and(|&b| is_word(b)));
        let ends = words & !(words >> 1 | after << 15);
        carry = words >> 15 & 1;
        let mut marks = starts | ends;
        let block = i;
        i += 16;
        while marks != 0 {
            let k = marks.trailing_zeros();
            marks &= marks - 1;
            if starts >> k & 1 == 1 {
                start = block + k as usize;
            }
            if ends >> k & 1 == 0 {
                continue;
            }
            let end = block + k as usize + 1;
            let word = &bytes[start..end];
            if landmark.is_none()
                && word.len() >= 2
                && word[word.len() - 1] | 0x20 == b'm'
                && matches!(word[word.len() - 2] | 0x20, b'c' | b'm')
            {
                landmark = number_before(bytes, end - 2)
                    .filter(|&s| landmark_follows(bytes, skip(bytes, s, |b| b.is_ascii_digit())));
            }
            // Setting the case bit makes capitals lowercase and leaves
            // digits digits; `_` becomes no letter.
            let lower = word[0] | 0x20;
            if !lower.is_ascii_lowercase() || word.len() >= WORD_LIMIT {
                continue;
            }
            let entries = &table[usize::from(lower - b'a') * WORD_LIMIT + word.len()];
            if entries.is_empty() {
                continue;
            }
            let key = folded_word(bytes, start, word.len());
            for e in entries {
                if e.key != key {
                    continue;
                }
                let Some(m_end) = phrase_rest(bytes, end, &e.phrase[e.first_word..]) else {
                    continue;
                };
                match e.kind {
                    Kind::Laterality(l) if start >= lat_from => {
                        lat_from = m_end;
                        // `r/o` is "rule out", not "right".
                        if m_end - start == 1 && bytes.get(m_end) == Some(&b'/') {
                            continue;
                        }
                        first_lat.get_or_insert(l);
                        if term_start.is_some_and(|t| m_end <= t) {
                            lat_before_term = Some(l);
                        }
                    }
                    Kind::Laterality(_) => {}
                    Kind::Midline => out.midline = true,
                    Kind::Subsite => out.subsite = true,
                }
            }
        }
    }
    out.laterality = lat_before_term.or(first_lat);
    (out, landmark)
}

/// Where the rest of a phrase (after its first word) ends when it matches
/// `bytes` at `i`, with a word boundary after it: a space in the phrase
/// takes one or more white-space bytes or hyphens, any other byte itself
/// in either case.
fn phrase_rest(bytes: &[u8], mut i: usize, rest: &[u8]) -> Option<usize> {
    for &p in rest {
        if p == b' ' {
            let after = skip(bytes, i, |b| is_space(b) || b == b'-');
            if after == i {
                return None;
            }
            i = after;
        } else if bytes.get(i).map(u8::to_ascii_lowercase) == Some(p) {
            i += 1;
        } else {
            return None;
        }
    }
    (!bytes.get(i).is_some_and(|&b| is_word(b))).then_some(i)
}

/// Reads the site in `text` (a `Site:` value, a specimen line's site part,
/// or a sentence). `offset` is where `text` starts in the note. The anatomic
/// term is the first one written (before any landmark), laterality the
/// nearest word before it or any in the text.
pub fn parse(text: &str, offset: usize) -> Option<Site> {
    parse_with(text, offset, first_term(text))
}

/// The first site term in `text`, as [`crate::vocab::PhraseSet::find_all_ref`]
/// lists it first. The terms are listed left to right, so the one written
/// first, before any landmark, is the first of them when there is one,
/// and the first of them otherwise too: [`parse`] never needs the others.
/// On ASCII text the search stops at the first; other text keeps the
/// listing.
fn first_term(text: &str) -> Option<(Span, &'static SiteTerm)> {
    let sites = &vocab().sites;
    match sites.fast_for(text) {
        Some(fast) => fast
            .find_at(text.as_bytes(), 0)
            .map(|(start, end, phrase)| (Span::new(start, end), sites.value(phrase))),
        None => sites.find_all_ref(text).into_iter().next(),
    }
}

/// [`parse`], given the first site term in `text` (see [`first_term`]):
/// callers that have looked for it already do not look again.
fn parse_with(text: &str, offset: usize, term: Option<(Span, &'static SiteTerm)>) -> Option<Site> {
    let (term_span, term) = match term {
        Some((s, t)) => (Some(s), Some(t)),
        None => (None, None),
    };
    let term_start = term_span.map(|s| s.start);
    // ASCII text is read in one pass, landmark and all; other text goes
    // to the phrase sets and (for a site that is kept) the regex.
    let ascii = text.is_ascii();
    let (
        Words {
            laterality,
            midline,
            subsite,
        },
        landmark_ascii,
    ) = if ascii {
        scan_ascii(text.as_bytes(), term_start)
    } else {
        (words_by_sets(text, term_start), None)
    };
    if term.is_none() && laterality.is_none() {
        return None;
    }
    let landmark = match ascii {
        true => landmark_ascii.is_some(),
        false => landmark_start_regex(text).is_some(),
    };
    Some(Site {
        span: Span::new(offset, offset + text.len()),
        laterality,
        term,
        term_span: term_span.map(|s| Span::new(offset + s.start, offset + s.end)),
        midline,
        subsite,
        landmark,
    })
}

/// The site in `text`, as [`parse`] reads it, when it names an anatomic
/// term. Text with no site phrase at all is passed over quickly.
pub fn parse_term(text: &str, offset: usize) -> Option<Site> {
    // With a term found, the site has it; the term is looked for once.
    let term = first_term(text)?;
    parse_with(text, offset, Some(term))
}

/// Every site named in a list such as `scalp (10), bilateral dorsal hands
/// (6)`: one per anatomic term, laterality from its own part of the list.
///
/// On ASCII text the terms are looked for in the whole text, from the
/// start of the first part that has not had one yet (see
/// [`PartTerms`]), rather than in each part from its start.
pub fn parse_list(text: &str, offset: usize) -> Vec<Site> {
    let mut out = Vec::new();
    let mut terms = vocab().sites.fast_for(text).map(|fast| PartTerms {
        text,
        fast,
        next: None,
    });
    each_part(text, |s, e| {
        let part = &text[s..e];
        let site = match &mut terms {
            Some(terms) => match terms.first_in(s, e) {
                Ok(term) => term.and_then(|t| parse_with(part, offset + s, Some(t))),
                // No part from here on names a term.
                Err(()) => return true,
            },
            None => parse_term(part, offset + s),
        };
        out.extend(site);
        false
    });
    out
}

/// The first site term of each part of an ASCII list, for [`parse_list`]:
/// the terms are looked for in the whole text, from the start of the
/// first part that has not had one yet, rather than in each part alone.
///
/// The parts are split at `,`, `;` and spaces, which are no word bytes,
/// and a match of the set depends only on its own bytes and whether the
/// bytes next to it are word bytes. So a match inside a part is a match
/// in the whole text too, and the other way round. The leftmost match in
/// the whole text from a part's start is then the part's first term when
/// it ends within the part; when it starts past the part, the part has
/// none; when it runs on past the part's end (a phrase with a space, read
/// across ` and `), the part is searched alone. A match past a part
/// serves the parts after it without another search.
struct PartTerms<'a> {
    text: &'a str,
    fast: &'a crate::phrase::Literals,
    /// The leftmost match (start, end, phrase) of the last search, from
    /// the start of an earlier part or this one; `None` before the first.
    next: Option<Option<(usize, usize, usize)>>,
}

impl PartTerms<'_> {
    /// The first term of the part from `s` to `e`, as [`first_term`] finds
    /// it in the part alone, for parts asked for left to right; `Err` when
    /// neither this part nor any after it has one.
    fn first_in(&mut self, s: usize, e: usize) -> Result<Option<(Span, &'static SiteTerm)>, ()> {
        let found = match self.next {
            Some(found) if found.is_none_or(|(start, _, _)| start >= s) => found,
            _ => {
                let found = self.fast.find_at(self.text.as_bytes(), s);
                self.next = Some(found);
                found
            }
        };
        let Some((start, end, phrase)) = found else {
            return Err(());
        };
        if start >= e {
            return Ok(None);
        }
        if end <= e {
            let term = vocab().sites.value(phrase);
            return Ok(Some((Span::new(start - s, end - s), term)));
        }
        Ok(first_term(&self.text[s..e]))
    }
}

/// Hands `each` the parts [`parse_list`] reads, in order, as (start, end):
/// split at `,`, `;` and ` and `; stops when `each` says to, and says
/// whether it did.
///
/// The text is read sixteen bytes at a time; only the places of `,`, `;`
/// and of a space before an `a` (of either case) are looked at one by one.
fn each_part(text: &str, mut each: impl FnMut(usize, usize) -> bool) -> bool {
    let bytes = text.as_bytes();
    let mut start = 0;
    let [comma, semicolon, space, a] = [b',', b';', b' ', b'a'].map(Needle::new);
    let stopped = block_pairs(bytes, |i, here, next| {
        let mut at =
            here.find(&comma) | here.find(&semicolon) | (here.find(&space) & next.find(&a));
        while at != 0 {
            let k = i + at.trailing_zeros() as usize;
            if splits_list(bytes, k, start) {
                if each(start, k) {
                    return true;
                }
                start = k + 1;
            }
            at &= at - 1;
        }
        false
    });
    stopped || each(start, text.len())
}

/// The parts [`parse_list`] reads (see [`each_part`]), as a list.
#[cfg(test)]
fn list_parts(text: &str) -> Vec<(usize, usize)> {
    let mut parts = Vec::new();
    each_part(text, |s, e| {
        parts.push((s, e));
        false
    });
    parts
}

/// [`list_parts`] a byte at a time, for the tests to hold it to.
#[cfg(test)]
fn list_parts_plain(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut parts = Vec::new();
    for i in 0..bytes.len() {
        if splits_list(bytes, i, start) {
            parts.push((start, i));
            start = i + 1;
        }
    }
    parts.push((start, text.len()));
    parts
}

/// Whether [`list_parts`] splits `bytes` at `i`, in a part that starts at
/// `start`: at `,` and `;`, and at the space of ` and ` (not at the start
/// of a part).
fn splits_list(bytes: &[u8], i: usize, start: usize) -> bool {
    match bytes[i] {
        b',' | b';' => true,
        b' ' => i > start && bytes[i..].starts_with(b" and "),
        _ => false,
    }
}

/// Whether [`parse_list`] reads `text` as one part: then it finds what
/// [`parse`] finds on the whole, when that names an anatomic term.
pub fn is_one_part(text: &str) -> bool {
    // The first part ends before the end of the text when there are more.
    let len = text.len();
    !each_part(text, |_, e| e < len)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(text: &str) -> Site {
        parse(text, 0).expect("a site")
    }

    #[test]
    fn terms_and_laterality() {
        let s = site("left forearm, 5 cm distal to antecubital fossa");
        assert_eq!(s.term.as_ref().map(|t| t.term.as_str()), Some("forearm"));
        assert_eq!(s.laterality, Some(Laterality::Left));
        assert!(s.is_specific());
        let s = site("right preauricular cheek, 1 cm anterior to the tragus");
        assert_eq!(s.term.as_ref().map(|t| t.term.as_str()), Some("cheek"));
        assert_eq!(
            s.group(GroupFamily::Excision),
            Some("face-ears-eyelids-nose-lips-mucosa")
        );
        let s = site("back");
        assert!(!s.is_specific());
        let s = site("left arm");
        assert!(!s.is_specific());
        let s = site("left helix, superior");
        assert!(s.is_specific());
        assert_eq!(
            s.group(GroupFamily::RepairComplex),
            Some("eyelids-nose-ears-lips")
        );
        let s = site("nasal tip");
        assert!(s.is_specific());
    }

    #[test]
    fn same_site() {
        assert!(site("left forearm").same_as(&site("L forearm, volar")));
        assert!(!site("left forearm").same_as(&site("right forearm")));
        assert!(!site("left forearm").same_as(&site("left upper arm")));
    }

    /// A text of one part lists what `parse` reads from it whole, when
    /// that names a term: `procedure` relies on it to read a `Site:` field
    /// once.
    #[test]
    fn one_part_lists_the_whole() {
        let texts = [
            "left forearm",
            "and left forearm",
            "left forearm and right cheek",
            "scalp (10), bilateral dorsal hands (6)",
            "R preauricular cheek; 3 cm anterior to the tragus",
            "left",
            "mid back 5 cm below the scapula",
            "r/o BCC",
            "",
            " and ",
            "nasal tip and",
            "café left helix",
        ];
        for t in texts {
            let whole: Vec<Site> = parse(t, 7)
                .filter(|s| s.term.is_some())
                .into_iter()
                .collect();
            if is_one_part(t) {
                assert_eq!(parse_list(t, 7), whole, "{t:?}");
            } else {
                assert!(list_parts(t).len() > 1, "{t:?}");
            }
        }
        assert!(is_one_part("and left forearm"));
        assert!(!is_one_part("left forearm and right cheek"));
    }

    #[test]
    fn landmarks() {
        let cases = [
            ("left forearm, 5 cm distal to antecubital fossa", Some(14)),
            ("1.5mm  from", Some(0)),
            ("1.2.5 CM To", Some(2)),
            ("3 cm tomorrow", None),
            ("3 cm the big lateral", Some(0)),
            ("3 cm a b c lateral", None),
            ("3 cm. lateral", None),
            ("x12 mm_under 4 mm under", Some(13)),
            ("3 cm\tthe\x0Bunder_", None),
            ("3 cm\tthe\x0Bunder-", Some(0)),
            ("2 cm\u{a0}below", Some(0)),
            ("2 cm below caf\u{e9}", Some(0)),
            ("", None),
        ];
        for (text, start) in cases {
            assert_eq!(landmark_start(text), start, "{text:?}");
            assert_eq!(LANDMARK.find(text).map(|m| m.start()), start, "{text:?}");
        }
    }

    proptest::proptest! {
        /// The scan finds the regex's first match start on any text.
        #[test]
        fn landmark_scan_agrees_with_the_regex(
            t in "([0-9]{1,3}|[.]|[ \t]{1,2}|(?i)(cm|mm|c|m|to|off|from|under|posterior|s)|[a-z_]{1,4}|[-,;é\u{a0}]){0,14}"
        ) {
            proptest::prop_assert_eq!(landmark_start(&t), LANDMARK.find(&t).map(|m| m.start()));
        }
    }

    /// The phrase lists of the word reader are the vocabulary's.
    #[test]
    fn word_lists_are_the_vocabulary() {
        let raw: serde_json::Value =
            serde_json::from_str(include_str!("../../grammar/vocabulary.json")).unwrap();
        let list = |key: &str| -> Vec<String> {
            raw[key]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p.as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(list("midline_words"), MIDLINE_PHRASES);
        assert_eq!(list("subsite_words"), SUBSITE_PHRASES);
        let mut lats: Vec<(String, Laterality)> = Vec::new();
        for (key, names) in raw["laterality"].as_object().unwrap() {
            let l = match key.as_str() {
                "left" => Laterality::Left,
                "right" => Laterality::Right,
                _ => Laterality::Bilateral,
            };
            for n in names.as_array().unwrap() {
                lats.push((n.as_str().unwrap().to_string(), l));
            }
        }
        let mut ours: Vec<(String, Laterality)> = LATERALITY_PHRASES
            .iter()
            .map(|&(p, l)| (p.to_string(), l))
            .collect();
        lats.sort_by(|a, b| a.0.cmp(&b.0));
        ours.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(lats, ours);
        // Every phrase starts and ends with a lowercase letter, as the
        // reader assumes.
        for p in LATERALITY_PHRASES
            .iter()
            .map(|(p, _)| *p)
            .chain(MIDLINE_PHRASES)
            .chain(SUBSITE_PHRASES)
        {
            let b = p.as_bytes();
            assert!(
                b[0].is_ascii_lowercase() && b[b.len() - 1].is_ascii_lowercase(),
                "{p}"
            );
        }
    }

    proptest::proptest! {
        /// Packed words are equal exactly when the words are, ignoring
        /// ASCII case, wherever the word is in the text.
        #[test]
        fn folded_words_compare_as_words(
            t in "([a-zA-Z0-9_ /-]|(?i)(left|lt|mid|nasal|supraclavicular)){0,40}",
            phrase in "[a-z]{1,15}|left|lt|mid|nasal|supraclavicular",
        ) {
            let bytes = t.as_bytes();
            let mut start = 0;
            while start < bytes.len() {
                let len = skip(bytes, start, is_word) - start;
                if len == 0 || len >= WORD_LIMIT {
                    start += len.max(1);
                    continue;
                }
                let word = &bytes[start..start + len];
                let mut copy = [0u8; 16];
                copy[..len].copy_from_slice(word);
                let key = folded_word(bytes, start, len);
                proptest::prop_assert_eq!(key, folded_word(&copy, 0, len));
                if phrase.len() == len {
                    proptest::prop_assert_eq!(
                        key == folded_word(phrase.as_bytes(), 0, len),
                        word.eq_ignore_ascii_case(phrase.as_bytes())
                    );
                }
                start += len;
            }
        }
    }

    #[test]
    fn words_in_one_pass() {
        let cases = [
            ("left forearm", Some(5)),
            ("r/o BCC, L forearm", Some(8)),
            ("r/o", None),
            ("b/l hands", Some(4)),
            ("B/L", None),
            ("b/lx forearm", None),
            ("mid-back", Some(0)),
            ("mid -\t back", None),
            ("nasal  tip", Some(0)),
            ("nasal tips", Some(0)),
            ("left cheek, right forearm", Some(17)),
            ("right cheek and left", Some(6)),
            ("l/r arm", Some(4)),
            ("left2 lt_ x-rt", None),
            ("web-space, side wall", None),
            ("", None),
        ];
        for (text, term) in cases {
            assert_eq!(
                words_ascii(text.as_bytes(), term),
                words_by_sets(text, term),
                "{text:?}"
            );
        }
        let w = words_ascii(b"r/o BCC, b/l mid back", None);
        assert_eq!(w.laterality, Some(Laterality::Bilateral));
        assert!(w.midline && w.subsite);
    }

    proptest::proptest! {
        /// The one pass reads what the phrase sets find, on any ASCII text.
        #[test]
        fn words_agree_with_the_phrase_sets(
            t in "([ \t]{1,2}|[-/,_0-9]|(?i)(l|r|b|lt|rt|left|right|both|bilat|bilateral|bilaterally|mid|back|line|nasal|tip|ala|side|wall|web|space|chin|helix|sacral|o|x)){0,12}",
            term in proptest::option::of(0usize..60),
        ) {
            let term = term.filter(|&t2| t2 <= t.len());
            // `(?i)` may spell `s` as `ſ`: only ASCII text is read so.
            proptest::prop_assume!(t.is_ascii());
            proptest::prop_assert_eq!(words_ascii(t.as_bytes(), term), words_by_sets(&t, term));
        }
    }

    /// [`parse`] as it read sites before [`first_term`]: every term
    /// listed, then the first written before any landmark, or else the
    /// first.
    fn parse_listing_all(text: &str, offset: usize) -> Option<Site> {
        let terms = vocab().sites.find_all_ref(text);
        let landmark_at = landmark_start(text);
        let chosen = terms
            .iter()
            .find(|(s, _)| landmark_at.is_none_or(|l| s.start < l))
            .or_else(|| terms.first())
            .copied();
        parse_with(text, offset, chosen)
    }

    #[test]
    fn first_term_is_the_chosen_one() {
        let texts = [
            "left forearm, 5 cm distal to antecubital fossa",
            "3 cm anterior to the tragus, right cheek",
            "scalp and face",
            "café left helix",
            "right décolletage and left cheek",
            "no site here",
            "",
        ];
        for t in texts {
            assert_eq!(parse(t, 3), parse_listing_all(t, 3), "{t:?}");
            assert_eq!(
                first_term(t),
                vocab().sites.find_all_ref(t).first().copied(),
                "{t:?}"
            );
        }
    }

    proptest::proptest! {
        /// Reading only the first term gives the site that listing them
        /// all gave, on any text.
        #[test]
        fn first_term_agrees_with_the_listing(
            t in "([ ]{1,2}|[0-9]{1,2}|(?i)(cm|mm|to|from|left|r|b/l|mid|back|nasal|tip|scalp|face|cheek|helix|forearm|hands|of the|anterior|tragus|décolletage)|[,;é]){0,12}"
        ) {
            proptest::prop_assert_eq!(parse(&t, 5), parse_listing_all(&t, 5));
            proptest::prop_assert_eq!(
                first_term(&t),
                vocab().sites.find_all_ref(&t).first().copied()
            );
        }
    }

    /// [`parse_list`] as it read lists before [`PartTerms`]: each
    /// part searched alone.
    fn parse_list_by_parts(text: &str, offset: usize) -> Vec<Site> {
        list_parts(text)
            .into_iter()
            .filter_map(|(s, e)| parse_term(&text[s..e], offset + s))
            .collect()
    }

    #[test]
    fn list_terms_from_the_whole_text() {
        let texts = [
            "scalp (10), bilateral dorsal hands (6)",
            "left cheek and right forearm; nasal tip, back of the hand",
            "no term, none here; and left forearm",
            "back of the left hand and back of hands",
            "scalp,,; and  and face",
            "left, right, and both",
            ", ; and ",
            "",
            "café left helix, right cheek",
        ];
        for t in texts {
            assert_eq!(parse_list(t, 9), parse_list_by_parts(t, 9), "{t:?}");
        }
        let sites = parse_list("left cheek, x, right forearm and scalp", 0);
        let spans: Vec<_> = sites.iter().map(|s| s.term_span).collect();
        assert_eq!(
            spans,
            [
                Some(Span::new(5, 10)),
                Some(Span::new(21, 28)),
                Some(Span::new(33, 38))
            ]
        );
    }

    proptest::proptest! {
        /// Reading the terms from the whole text lists the sites that
        /// reading each part alone listed, on any text.
        #[test]
        fn list_terms_agree_with_each_part_alone(
            t in "([ ]{1,2}|(?i)(and|an|a)|[,;]|(?i)(left|r|b/l|scalp|face|cheek|hand|hands|dorsal|back|of|the|neck|nasal|tip|forearm|upper|arm|helix)|[a-z]{1,3}|[-é\u{a0}]){0,30}"
        ) {
            proptest::prop_assert_eq!(parse_list(&t, 4), parse_list_by_parts(&t, 4));
        }
    }

    proptest::proptest! {
        /// The one pass finds the landmark that the scan it replaced and
        /// the regex find, on ASCII text of several blocks.
        #[test]
        fn scan_finds_the_landmark(
            t in "([0-9]{1,3}|[.]|[ \t]{1,2}|cm|CM|Cm|mm|mM|c|m|to|TO|off|from|under|Under|posterior|left|mid|back|[a-zA-Z_]{1,20}|[-,;]){0,30}"
        ) {
            let (_, at) = scan_ascii(t.as_bytes(), None);
            proptest::prop_assert_eq!(at, landmark_start_ascii(t.as_bytes()));
            proptest::prop_assert_eq!(at, LANDMARK.find(&t).map(|m| m.start()));
        }

        /// The one pass reads the words the phrase sets find on ASCII text
        /// of several blocks, with words across their ends and words too
        /// long for any phrase.
        #[test]
        fn words_agree_on_long_text(
            t in "([ \t]{1,3}|[-/,_0-9]|l|L|r|R|b/l|B/L|left|Left|RIGHT|right|bilateral|mid|Mid|back|nasal|tip|side|wall|web|space|supraclavicular|helix|HELIX|[a-zA-Z]{1,20}){0,40}",
            term in proptest::option::of(0usize..200),
        ) {
            let term = term.filter(|&t2| t2 <= t.len());
            proptest::prop_assert_eq!(words_ascii(t.as_bytes(), term), words_by_sets(&t, term));
        }
    }

    proptest::proptest! {
        /// The block scan splits any text where the plain one does.
        #[test]
        fn list_parts_agree_with_the_plain_scan(
            t in "([ ]{1,2}|(?i)(and|an|a)|[,;]|[a-z]{1,3}|[éA\u{a0}]){0,40}"
        ) {
            proptest::prop_assert_eq!(list_parts(&t), list_parts_plain(&t));
        }
    }

    #[test]
    fn lists() {
        let sites = parse_list("scalp (10), bilateral dorsal hands (6)", 0);
        let terms: Vec<_> = sites
            .iter()
            .map(|s| (s.term.as_ref().map(|t| t.term.clone()), s.laterality))
            .collect();
        assert_eq!(
            terms,
            [
                (Some("scalp".to_string()), None),
                (Some("hand".to_string()), Some(Laterality::Bilateral))
            ]
        );
    }
}
