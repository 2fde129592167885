//! Anatomic sites: laterality, the anatomic term, its region (and so its
//! site group in each code family), and whether it is specific enough for a
//! biopsy audit.

use crate::phrase::{Needle, block_pairs, is_space, is_word};
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
    pub term: Option<SiteTerm>,
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
        let term = self.term.as_ref()?;
        vocab().group(&term.region, family)
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

/// Where the first match of [`LANDMARK`] in `text` starts. ASCII text is
/// read by [`landmark_start_ascii`], a plain scan that finds the same
/// start; other text goes to the regex.
fn landmark_start(text: &str) -> Option<usize> {
    if text.is_ascii() {
        return landmark_start_ascii(text.as_bytes());
    }
    // A landmark distance holds a digit and `cm` or `mm`.
    (measure::may_hold_digit(text) && cues::may_contain(text, &["cm", "mm"]))
        .then(|| LANDMARK.find(text).map(|m| m.start()))
        .flatten()
}

/// [`LANDMARK`]'s first match start in ASCII text, without the regex.
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

/// Reads the site in `text` (a `Site:` value, a specimen line's site part,
/// or a sentence). `offset` is where `text` starts in the note. The anatomic
/// term is the first one written (before any landmark), laterality the
/// nearest word before it or any in the text.
pub fn parse(text: &str, offset: usize) -> Option<Site> {
    parse_with(text, offset, vocab().sites.find_all_ref(text))
}

/// [`parse`], given the site terms found in `text`: callers that have
/// looked for them already do not look again.
fn parse_with(text: &str, offset: usize, terms: Vec<(Span, &SiteTerm)>) -> Option<Site> {
    let v = vocab();
    let landmark_at = landmark_start(text);
    let (term_span, term) = match terms
        .iter()
        .find(|(s, _)| landmark_at.is_none_or(|l| s.start < l))
        .or_else(|| terms.first())
    {
        Some((s, t)) => (Some(*s), Some((*t).clone())),
        None => (None, None),
    };
    // `r/o` is "rule out", not "right".
    let lats: Vec<_> = v
        .laterality
        .find_all(text)
        .into_iter()
        .filter(|(s, _)| !text[s.end..].starts_with('/') || s.len() > 1)
        .collect();
    let laterality = match term_span {
        Some(ts) => lats
            .iter()
            .rev()
            .find(|(s, _)| s.end <= ts.start)
            .or_else(|| lats.first())
            .map(|(_, l)| *l),
        None => lats.first().map(|(_, l)| *l),
    };
    if term.is_none() && laterality.is_none() {
        return None;
    }
    // The phrase sets ignore ASCII case already: only other text is
    // lowered first.
    let lower = if text.is_ascii() {
        std::borrow::Cow::Borrowed(text)
    } else {
        std::borrow::Cow::Owned(text.to_lowercase())
    };
    let midline = v.midline.is_match(&lower);
    let subsite = v.subsite.is_match(&lower);
    Some(Site {
        span: Span::new(offset, offset + text.len()),
        laterality,
        term,
        term_span: term_span.map(|s| Span::new(offset + s.start, offset + s.end)),
        midline,
        subsite,
        landmark: landmark_at.is_some(),
    })
}

/// The site in `text`, as [`parse`] reads it, when it names an anatomic
/// term. Text with no site phrase at all is passed over quickly.
pub fn parse_term(text: &str, offset: usize) -> Option<Site> {
    // With a term found, the site has it; the terms are looked for once.
    let terms = vocab().sites.find_all_ref(text);
    if terms.is_empty() {
        return None;
    }
    parse_with(text, offset, terms)
}

/// Every site named in a list such as `scalp (10), bilateral dorsal hands
/// (6)`: one per anatomic term, laterality from its own part of the list.
pub fn parse_list(text: &str, offset: usize) -> Vec<Site> {
    let mut out = Vec::new();
    for (s, e) in list_parts(text) {
        if let Some(site) = parse_term(&text[s..e], offset + s) {
            out.push(site);
        }
    }
    out
}

/// The parts [`parse_list`] reads: split at `,`, `;` and ` and `.
///
/// The text is read sixteen bytes at a time; only the places of `,`, `;`
/// and of a space before an `a` (of either case) are looked at one by one.
fn list_parts(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut parts = Vec::new();
    let [comma, semicolon, space, a] = [b',', b';', b' ', b'a'].map(Needle::new);
    block_pairs(bytes, |i, here, next| {
        let mut at =
            here.find(&comma) | here.find(&semicolon) | (here.find(&space) & next.find(&a));
        while at != 0 {
            let k = i + at.trailing_zeros() as usize;
            if splits_list(bytes, k, start) {
                parts.push((start, k));
                start = k + 1;
            }
            at &= at - 1;
        }
        false
    });
    parts.push((start, text.len()));
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
    list_parts(text).len() == 1
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
