//! Anatomic sites: laterality, the anatomic term, its region (and so its
//! site group in each code family), and whether it is specific enough for a
//! biopsy audit.

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
    // A landmark distance holds a digit and `cm` or `mm`.
    let landmark_at = (measure::may_hold_digit(text) && cues::may_contain(text, &["cm", "mm"]))
        .then(|| LANDMARK.find(text).map(|m| m.start()))
        .flatten();
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
fn list_parts(text: &str) -> Vec<(usize, usize)> {
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut parts = Vec::new();
    for (i, b) in bytes.iter().enumerate() {
        if matches!(b, b',' | b';') || (*b == b' ' && i > start && bytes[i..].starts_with(b" and "))
        {
            parts.push((start, i));
            start = i + 1;
        }
    }
    parts.push((start, text.len()));
    parts
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
