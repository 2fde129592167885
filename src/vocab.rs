//! The note vocabulary, loaded at compile time from
//! `grammar/vocabulary.json` and compiled once into phrase matchers.

use crate::re::Re;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, LazyLock, OnceLock};

use regex::{Regex, RegexSet};
use serde::Deserialize;

use crate::phrase::Literals;
use crate::span::Span;

/// Canonical field labels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Label {
    Patient,
    Payer,
    Visit,
    Em,
    Provider,
    Date,
    Site,
    Lesion,
    Size,
    Indication,
    Technique,
    Procedure,
    Count,
    Margin,
    ExcisedDiameter,
    Defect,
    Repair,
    Pathology,
    Dx,
    Area,
    Session,
    Dose,
    Anesthesia,
    Consent,
    Hemostasis,
    FollowUp,
    /// `Stage N:` of a Mohs procedure.
    Stage(u32),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SectionClass {
    Free,
    Assessment,
    Procedure,
    Billing,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProcKind {
    Biopsy,
    ShaveRemoval,
    Excision,
    Destruction,
    Mohs,
    Repair,
    Phototherapy,
}

impl ProcKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProcKind::Biopsy => "biopsy",
            ProcKind::ShaveRemoval => "shave removal",
            ProcKind::Excision => "excision",
            ProcKind::Destruction => "destruction",
            ProcKind::Mohs => "Mohs surgery",
            ProcKind::Repair => "repair",
            ProcKind::Phototherapy => "phototherapy",
        }
    }
}

/// Biopsy techniques, ordered so that the highest is the primary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Technique {
    Tangential,
    Punch,
    Incisional,
}

impl Technique {
    pub fn as_str(self) -> &'static str {
        match self {
            Technique::Tangential => "tangential",
            Technique::Punch => "punch",
            Technique::Incisional => "incisional",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LesionClass {
    Premalignant,
    /// Benign lesions for destruction: SK, warts, molluscum.
    Benign,
    Malignant,
    /// Benign lesions for excision or shave: nevi, cysts, …
    BenignExcision,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Laterality {
    Left,
    Right,
    Bilateral,
}

/// The anatomic region of a site term; each code family maps regions to its
/// own site groups.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SiteTerm {
    pub term: String,
    pub region: String,
    /// The region's site group in each code family, by
    /// [`GroupFamily::index`]: what [`Vocab::group`] gives, worked out once
    /// and shared by the region's terms, since each procedure's claim asks.
    groups: Arc<[Option<String>; GroupFamily::ALL.len()]>,
}

impl SiteTerm {
    /// The code-family site group of this term's region.
    pub fn group(&self, family: GroupFamily) -> Option<&str> {
        self.groups[family.index()].as_deref()
    }
}

/// Code families whose codes depend on the site group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GroupFamily {
    /// Excision, shave removal and malignant destruction share their groups.
    Excision,
    RepairSimple,
    RepairIntermediate,
    RepairComplex,
    Mohs,
}

impl GroupFamily {
    /// Every family, in the order of [`GroupFamily::index`].
    pub const ALL: [GroupFamily; 5] = [
        GroupFamily::Excision,
        GroupFamily::RepairSimple,
        GroupFamily::RepairIntermediate,
        GroupFamily::RepairComplex,
        GroupFamily::Mohs,
    ];

    /// The family's place in [`GroupFamily::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    fn key(self) -> &'static str {
        match self {
            GroupFamily::Excision => "excision",
            GroupFamily::RepairSimple => "repair-simple",
            GroupFamily::RepairIntermediate => "repair-intermediate",
            GroupFamily::RepairComplex => "repair-complex",
            GroupFamily::Mohs => "mohs",
        }
    }
}

/// A payer; `Unknown` when a claim names none and no default is set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Payer {
    Medicare,
    Uhc,
    Aetna,
    Bcbs,
    Medicaid,
    Commercial,
    SelfPay,
    #[default]
    Unknown,
}

impl Payer {
    pub fn as_str(self) -> &'static str {
        match self {
            Payer::Medicare => "medicare",
            Payer::Uhc => "uhc",
            Payer::Aetna => "aetna",
            Payer::Bcbs => "bcbs",
            Payer::Medicaid => "medicaid",
            Payer::Commercial => "commercial",
            Payer::SelfPay => "self-pay",
            Payer::Unknown => "unknown",
        }
    }

    fn from_key(key: &str) -> Payer {
        match key {
            "medicare" => Payer::Medicare,
            "uhc" => Payer::Uhc,
            "aetna" => Payer::Aetna,
            "bcbs" => Payer::Bcbs,
            "medicaid" => Payer::Medicaid,
            "commercial" => Payer::Commercial,
            "self-pay" => Payer::SelfPay,
            _ => Payer::Unknown,
        }
    }
}

/// A set of phrases compiled into one case-insensitive regex; each match is
/// mapped back to the value of the phrase that produced it. ASCII text, by
/// far the most common, goes through `phrase::Literals` instead, which
/// finds the same matches with much less work per search; the regex is
/// compiled only when some text needs it.
pub struct PhraseSet<T> {
    /// Each phrase, longest first. They get their word boundaries
    /// ([`bounded`]) only when the regex is built, which most sets never
    /// need.
    phrases: Vec<String>,
    fast: Option<Literals>,
    regex: OnceLock<Regexes>,
    values: Vec<T>,
}

struct Regexes {
    combined: Regex,
    /// Each phrase anchored at both ends, in the order of `values`: the
    /// first one that matches a found text names its value.
    anchored: RegexSet,
}

impl<T: Clone> PhraseSet<T> {
    pub(crate) fn new(items: Vec<(String, T)>) -> PhraseSet<T> {
        let mut items = items;
        // Longer phrases first, so that an alternation prefers them at the
        // same position.
        items.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
        let fast = Literals::new(items.iter().map(|(p, _)| {
            let (start, end) = boundaries(p);
            (p.as_str(), start, end)
        }));
        let (phrases, values) = items.into_iter().unzip();
        PhraseSet {
            phrases,
            fast,
            regex: OnceLock::new(),
            values,
        }
    }

    fn regex(&self) -> &Regexes {
        self.regex.get_or_init(|| {
            let patterns: Vec<String> = self.phrases.iter().map(|p| bounded(p)).collect();
            Regexes {
                combined: Regex::new(&format!("(?i)(?:{})", patterns.join("|")))
                    .expect("vocabulary phrases form a valid regex"),
                anchored: RegexSet::new(patterns.iter().map(|p| format!("(?i)^(?:{p})$")))
                    .expect("vocabulary phrases are valid regexes"),
            }
        })
    }

    /// Every non-overlapping match, left to right, as (span relative to
    /// `text`, value).
    pub fn find_all(&self, text: &str) -> Vec<(Span, T)> {
        match self.fast_for(text) {
            Some(fast) => {
                let mut out = Vec::new();
                let mut from = 0;
                while let Some((start, end, phrase)) = fast.find_at(text.as_bytes(), from) {
                    out.push((Span::new(start, end), self.values[phrase].clone()));
                    from = end;
                }
                out
            }
            None => self.find_all_regex(text),
        }
    }

    /// [`PhraseSet::find_all`] with the values borrowed: nothing is cloned
    /// for matches the caller passes over.
    pub fn find_all_ref(&self, text: &str) -> Vec<(Span, &T)> {
        match self.fast_for(text) {
            Some(fast) => {
                let mut out = Vec::new();
                let mut from = 0;
                while let Some((start, end, phrase)) = fast.find_at(text.as_bytes(), from) {
                    out.push((Span::new(start, end), &self.values[phrase]));
                    from = end;
                }
                out
            }
            None => self
                .regex()
                .combined
                .find_iter(text)
                .filter_map(|m| {
                    let v = self.value_ref_of(m.as_str())?;
                    Some((Span::new(m.start(), m.end()), v))
                })
                .collect(),
        }
    }

    /// The leftmost match.
    pub fn find(&self, text: &str) -> Option<(Span, T)> {
        match self.fast_for(text) {
            Some(fast) => {
                let (start, end, phrase) = fast.find_at(text.as_bytes(), 0)?;
                Some((Span::new(start, end), self.values[phrase].clone()))
            }
            None => {
                let m = self.regex().combined.find(text)?;
                Some((Span::new(m.start(), m.end()), self.value_of(m.as_str())?))
            }
        }
    }

    /// The leftmost match, when it starts at the beginning of `text`.
    pub fn find_at_start(&self, text: &str) -> Option<(Span, T)> {
        match self.fast_for(text) {
            Some(fast) => {
                let (start, end, phrase) = fast.find_at_start(text.as_bytes())?;
                Some((Span::new(start, end), self.values[phrase].clone()))
            }
            None => self.find(text).filter(|(m, _)| m.start == 0),
        }
    }

    pub fn is_match(&self, text: &str) -> bool {
        match self.fast_for(text) {
            Some(fast) => fast.find_at(text.as_bytes(), 0).is_some(),
            None => self.regex().combined.is_match(text),
        }
    }

    /// The fast matcher, when it applies to `text`.
    pub(crate) fn fast_for(&self, text: &str) -> Option<&Literals> {
        self.fast.as_ref().filter(|_| text.is_ascii())
    }

    /// The value of the phrase with this index, as [`Literals`] numbers
    /// them.
    pub(crate) fn value(&self, phrase: usize) -> &T {
        &self.values[phrase]
    }

    fn find_all_regex(&self, text: &str) -> Vec<(Span, T)> {
        self.regex()
            .combined
            .find_iter(text)
            .filter_map(|m| {
                let v = self.value_of(m.as_str())?;
                Some((Span::new(m.start(), m.end()), v))
            })
            .collect()
    }

    fn value_of(&self, matched: &str) -> Option<T> {
        self.value_ref_of(matched).cloned()
    }

    fn value_ref_of(&self, matched: &str) -> Option<&T> {
        let first = self.regex().anchored.matches(matched).into_iter().next()?;
        Some(&self.values[first])
    }
}

/// Wraps a phrase in word boundaries where it begins or ends with a word
/// character.
fn bounded(phrase: &str) -> String {
    let (start, end) = boundaries(phrase);
    let body = phrase.replace(' ', r"[\s\-]+");
    format!(
        "{}(?:{}){}",
        if start { r"\b" } else { "" },
        body,
        if end { r"\b" } else { "" }
    )
}

/// Whether a phrase takes a word boundary before and after it: when it
/// begins or ends with a word character.
fn boundaries(phrase: &str) -> (bool, bool) {
    let first_word = phrase
        .chars()
        .next()
        .is_some_and(|c| c.is_alphanumeric() || c == '\\');
    let last_word = phrase
        .chars()
        .last()
        .is_some_and(|c| c.is_alphanumeric() || c == '?' || c == ')');
    (first_word, last_word)
}

#[derive(Deserialize)]
struct RawVocab {
    labels: Vec<RawLabel>,
    free_sections: Vec<String>,
    sections: Vec<RawSection>,
    procedures: Vec<RawProcedure>,
    section_kind_prefixes: HashMap<String, serde_json::Value>,
    lesion_types: Vec<RawLesionType>,
    lesion_nouns: Vec<String>,
    number_words: Vec<String>,
    not_count_units: Vec<String>,
    regions: Vec<RawRegion>,
    sites: Vec<RawSite>,
    laterality: HashMap<String, Vec<String>>,
    midline_words: Vec<String>,
    subsite_words: Vec<String>,
    landmark_directions: Vec<String>,
    not_done: Vec<String>,
    history: Vec<String>,
    done_now_verbs: Vec<String>,
    plan_words: Vec<String>,
    see_procedure: Vec<String>,
    payers: Vec<RawPayer>,
    modifier58_cues: Vec<String>,
    cosmetic: Vec<String>,
    reauthorized: Vec<String>,
    pathology_pending: Vec<String>,
    margin_clear: Vec<String>,
    margin_residual: Vec<String>,
    mohs_deep_structures: Vec<String>,
    frozen_section: Vec<String>,
    hedges: Vec<String>,
}

#[derive(Deserialize)]
struct RawLabel {
    label: String,
    names: Vec<String>,
}

#[derive(Deserialize)]
struct RawSection {
    class: String,
    prefixes: Vec<String>,
}

#[derive(Deserialize)]
struct RawProcedure {
    kind: String,
    technique: Option<String>,
    phrases: Vec<String>,
}

#[derive(Deserialize)]
struct RawLesionType {
    #[serde(rename = "type")]
    kind: String,
    phrases: Vec<String>,
}

#[derive(Deserialize)]
struct RawRegion {
    region: String,
    groups: HashMap<String, String>,
}

#[derive(Deserialize)]
struct RawSite {
    term: String,
    region: String,
    phrases: Vec<String>,
}

#[derive(Deserialize)]
struct RawPayer {
    payer: String,
    names: Vec<String>,
}

/// The compiled vocabulary.
pub struct Vocab {
    /// Each label name, lower-cased, as bytes: a label is looked up
    /// without checking again that its bytes are UTF-8.
    labels: HashMap<Box<[u8]>, Label, BuildHasherDefault<Fnv>>,
    /// The length in bytes of the longest label name: longer ASCII text
    /// is no label (unless a stage) and is not looked up.
    longest_label: usize,
    /// The section title prefixes, by the first byte of each.
    section_prefixes: SectionPrefixes,
    pub procedures: PhraseSet<(ProcKind, Option<Technique>)>,
    repair_titles: Vec<String>,
    pub lesion_types: PhraseSet<LesionClass>,
    pub lesion_nouns: PhraseSet<()>,
    pub number_words: Vec<String>,
    pub not_count_units: PhraseSet<()>,
    regions: HashMap<String, HashMap<String, String>>,
    pub sites: PhraseSet<SiteTerm>,
    pub laterality: PhraseSet<Laterality>,
    pub midline: PhraseSet<()>,
    pub subsite: PhraseSet<()>,
    pub landmark_directions: PhraseSet<()>,
    pub not_done: PhraseSet<()>,
    pub history: PhraseSet<()>,
    pub done_now: PhraseSet<()>,
    pub plan: PhraseSet<()>,
    pub see_procedure: PhraseSet<()>,
    payers: PhraseSet<Payer>,
    pub modifier58: PhraseSet<()>,
    pub cosmetic: PhraseSet<()>,
    pub reauthorized: PhraseSet<()>,
    pub pathology_pending: PhraseSet<()>,
    pub margin_clear: PhraseSet<()>,
    pub margin_residual: PhraseSet<()>,
    pub mohs_deep: PhraseSet<()>,
    pub frozen_section: PhraseSet<()>,
    pub hedges: PhraseSet<()>,
}

const VOCABULARY_JSON: &str = include_str!("../grammar/vocabulary.json");

static VOCAB: LazyLock<Vocab> = LazyLock::new(|| build(VOCABULARY_JSON));

/// The vocabulary (compiled on first use).
pub fn vocab() -> &'static Vocab {
    &VOCAB
}

fn unit_set(list: &[String]) -> PhraseSet<()> {
    PhraseSet::new(list.iter().map(|p| (p.clone(), ())).collect())
}

fn build(json: &str) -> Vocab {
    let raw: RawVocab = serde_json::from_str(json).expect("grammar/vocabulary.json is valid");
    let mut labels = HashMap::default();
    for l in &raw.labels {
        let label = match l.label.as_str() {
            "patient" => Label::Patient,
            "payer" => Label::Payer,
            "visit" => Label::Visit,
            "em" => Label::Em,
            "provider" => Label::Provider,
            "date" => Label::Date,
            "site" => Label::Site,
            "lesion" => Label::Lesion,
            "size" => Label::Size,
            "indication" => Label::Indication,
            "technique" => Label::Technique,
            "procedure" => Label::Procedure,
            "count" => Label::Count,
            "margin" => Label::Margin,
            "excised_diameter" => Label::ExcisedDiameter,
            "defect" => Label::Defect,
            "repair" => Label::Repair,
            "pathology" => Label::Pathology,
            "dx" => Label::Dx,
            "area" => Label::Area,
            "session" => Label::Session,
            "dose" => Label::Dose,
            "anesthesia" => Label::Anesthesia,
            "consent" => Label::Consent,
            "hemostasis" => Label::Hemostasis,
            "followup" => Label::FollowUp,
            other => panic!("unknown label {other} in grammar/vocabulary.json"),
        };
        for n in &l.names {
            labels.insert(n.to_lowercase().into_bytes().into_boxed_slice(), label);
        }
    }
    let longest_label = labels.keys().map(|k| k.len()).max().unwrap_or(0);
    let sections: Vec<(SectionClass, &[String])> = raw
        .sections
        .iter()
        .map(|s| (section_class(&s.class), s.prefixes.as_slice()))
        .collect();
    let section_prefixes = SectionPrefixes::new(&raw.free_sections, &sections);
    let mut procs = Vec::new();
    for p in &raw.procedures {
        let kind = match p.kind.as_str() {
            "biopsy" => ProcKind::Biopsy,
            "shave_removal" => ProcKind::ShaveRemoval,
            "excision" => ProcKind::Excision,
            "destruction" => ProcKind::Destruction,
            "mohs" => ProcKind::Mohs,
            "repair" => ProcKind::Repair,
            "phototherapy" => ProcKind::Phototherapy,
            other => panic!("unknown procedure kind {other}"),
        };
        let tech = p.technique.as_deref().map(|t| match t {
            "tangential" => Technique::Tangential,
            "punch" => Technique::Punch,
            "incisional" => Technique::Incisional,
            other => panic!("unknown technique {other}"),
        });
        for ph in &p.phrases {
            procs.push((ph.clone(), (kind, tech)));
        }
    }
    let repair_titles = raw
        .section_kind_prefixes
        .get("repair")
        .and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let mut lesion_types = Vec::new();
    for t in &raw.lesion_types {
        let class = match t.kind.as_str() {
            "premalignant" => LesionClass::Premalignant,
            "benign" => LesionClass::Benign,
            "malignant" => LesionClass::Malignant,
            "benign_excision" => LesionClass::BenignExcision,
            other => panic!("unknown lesion type {other}"),
        };
        for ph in &t.phrases {
            lesion_types.push((ph.clone(), class));
        }
    }
    let regions: HashMap<String, HashMap<String, String>> = raw
        .regions
        .iter()
        .map(|r| (r.region.clone(), r.groups.clone()))
        .collect();
    let mut region_groups: HashMap<&str, Arc<[Option<String>; GroupFamily::ALL.len()]>> =
        HashMap::new();
    let mut sites = Vec::new();
    for s in &raw.sites {
        let groups = region_groups.entry(&s.region).or_insert_with(|| {
            let of_region = regions.get(&s.region);
            Arc::new(
                GroupFamily::ALL.map(|family| of_region.and_then(|g| g.get(family.key()).cloned())),
            )
        });
        for ph in &s.phrases {
            sites.push((
                ph.clone(),
                SiteTerm {
                    term: s.term.clone(),
                    region: s.region.clone(),
                    groups: groups.clone(),
                },
            ));
        }
    }
    let mut lat = Vec::new();
    for (k, names) in &raw.laterality {
        let l = match k.as_str() {
            "left" => Laterality::Left,
            "right" => Laterality::Right,
            _ => Laterality::Bilateral,
        };
        for n in names {
            lat.push((n.clone(), l));
        }
    }
    let mut payers = Vec::new();
    for p in &raw.payers {
        for n in &p.names {
            payers.push((n.clone(), Payer::from_key(&p.payer)));
        }
    }
    Vocab {
        labels,
        longest_label,
        section_prefixes,
        procedures: PhraseSet::new(procs),
        repair_titles,
        lesion_types: PhraseSet::new(lesion_types),
        lesion_nouns: unit_set(&raw.lesion_nouns),
        number_words: raw.number_words,
        not_count_units: unit_set(&raw.not_count_units),
        regions,
        sites: PhraseSet::new(sites),
        laterality: PhraseSet::new(lat),
        midline: unit_set(&raw.midline_words),
        subsite: unit_set(&raw.subsite_words),
        landmark_directions: unit_set(&raw.landmark_directions),
        not_done: unit_set(&raw.not_done),
        history: unit_set(&raw.history),
        done_now: unit_set(&raw.done_now_verbs),
        plan: unit_set(&raw.plan_words),
        see_procedure: unit_set(&raw.see_procedure),
        payers: PhraseSet::new(payers),
        modifier58: unit_set(&raw.modifier58_cues),
        cosmetic: unit_set(&raw.cosmetic),
        reauthorized: unit_set(&raw.reauthorized),
        pathology_pending: unit_set(&raw.pathology_pending),
        margin_clear: unit_set(&raw.margin_clear),
        margin_residual: unit_set(&raw.margin_residual),
        mohs_deep: unit_set(&raw.mohs_deep_structures),
        frozen_section: unit_set(&raw.frozen_section),
        hedges: unit_set(&raw.hedges),
    }
}

/// FNV-1a, for the label map: a label is a few bytes, which SipHash takes
/// longer to set up for than to look up, and the map's keys are fixed (it
/// is only read with the text of a note).
pub(crate) struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// The longest label text, in bytes, that [`ShortLabels`] looks up.
const SHORT_LABEL: usize = 16;

/// The label names of at most [`SHORT_LABEL`] bytes, each packed into a
/// `u128` (its bytes in order, zeros after), in an open-addressed table:
/// the text of a field label is packed and lower-cased in one pass and
/// found with one multiply and a compare or two, where the map hashes a
/// byte at a time and compares the bytes again.
struct ShortLabels {
    /// `(packed name, its length, label)`; a length of 0 marks an empty
    /// slot (no label name is empty).
    slots: Vec<(u128, usize, Label)>,
}

impl ShortLabels {
    /// The table size is a power of two, at least four times the number of
    /// names: probes stay short, and a miss meets an empty slot soon.
    fn new(labels: &HashMap<Box<[u8]>, Label, BuildHasherDefault<Fnv>>) -> ShortLabels {
        let short: Vec<(&[u8], Label)> = labels
            .iter()
            .filter(|(k, _)| !k.is_empty() && k.len() <= SHORT_LABEL)
            .map(|(k, l)| (&k[..], *l))
            .collect();
        let size = (short.len() * 4).next_power_of_two().max(16);
        let mut slots = vec![(0u128, 0usize, Label::Patient); size];
        for (name, label) in short {
            let key = pack(name);
            let mut i = slot_of(key, name.len(), size);
            while slots[i].1 != 0 {
                i = (i + 1) & (size - 1);
            }
            slots[i] = (key, name.len(), label);
        }
        ShortLabels { slots }
    }

    /// The label whose name is the `len` bytes packed in `key`.
    fn get(&self, key: u128, len: usize) -> Option<Label> {
        let mask = self.slots.len() - 1;
        let mut i = slot_of(key, len, self.slots.len());
        loop {
            let (k, n, label) = self.slots[i];
            if n == 0 {
                return None;
            }
            if k == key && n == len {
                return Some(label);
            }
            i = (i + 1) & mask;
        }
    }
}

/// Bytes (at most 16) packed into a `u128`, the first lowest.
fn pack(bytes: &[u8]) -> u128 {
    bytes
        .iter()
        .rev()
        .fold(0u128, |key, &b| (key << 8) | u128::from(b))
}

/// The first slot to probe for a packed name of `len` bytes in a table of
/// `size` slots (a power of two).
fn slot_of(key: u128, len: usize, size: usize) -> usize {
    let folded = (key as u64) ^ ((key >> 64) as u64).rotate_left(29) ^ len as u64;
    let h = folded.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    (h >> (64 - size.trailing_zeros())) as usize
}

/// The short label names, packed: built from the vocabulary's map on first
/// use.
static SHORT_LABELS: LazyLock<ShortLabels> = LazyLock::new(|| ShortLabels::new(&vocab().labels));

/// The canonical label for a field label as written (`Location`, `Stage 2`).
pub fn label(text: &str) -> Option<Label> {
    let text = trim(text);
    let bytes = text.as_bytes();
    if bytes.len() <= SHORT_LABEL {
        // Packed and lower-cased in one pass; a non-ASCII byte, or a
        // `stage`, goes the long way below.
        let mut key = 0u128;
        let mut all = 0u8;
        for &b in bytes.iter().rev() {
            all |= b;
            key = (key << 8) | u128::from(b.to_ascii_lowercase());
        }
        if all.is_ascii() && key & 0xff_ffff_ffff != pack(b"stage") {
            return SHORT_LABELS.get(key, bytes.len());
        }
    }
    label_long(text)
}

/// The label whose name is the `len` bytes (1 to 16) packed in `key`, as
/// [`label`] packs them: lower-cased ASCII, the first byte lowest, zeros
/// after, and not starting with `stage` (which [`label`] reads another
/// way). For the line parser, which packs a field's label from its line.
pub(crate) fn short_label(key: u128, len: usize) -> Option<Label> {
    debug_assert!((1..=SHORT_LABEL).contains(&len));
    SHORT_LABELS.get(key, len)
}

/// `text.trim()`, at the cost of two byte tests when text starts and ends
/// with ASCII other than white space (as a field label cut from a line
/// does).
fn trim(text: &str) -> &str {
    let edge = |b: Option<&u8>| b.is_some_and(|&b| b.is_ascii() && !crate::phrase::is_space(b));
    let b = text.as_bytes();
    if edge(b.first()) && edge(b.last()) {
        text
    } else {
        text.trim()
    }
}

/// [`label`] for trimmed text that is long, non-ASCII or starts with
/// `stage`: lower-cased on the stack when short and ASCII, and looked up in
/// the map.
fn label_long(text: &str) -> Option<Label> {
    let v = vocab();
    // Labels are short: an ASCII one is lower-cased on the stack.
    let mut buf = [0u8; 64];
    let owned;
    let lower: &[u8] = if text.is_ascii() {
        let bytes = text.as_bytes();
        // Longer than every label name, and not a stage: no label. Most
        // `text: more` lines of a note end here, at no more cost.
        if bytes.len() > v.longest_label && !starts_with_stage(bytes) {
            return None;
        }
        match buf.get_mut(..bytes.len()) {
            Some(b) => {
                b.copy_from_slice(bytes);
                b.make_ascii_lowercase();
                b
            }
            None => {
                owned = text.to_ascii_lowercase();
                owned.as_bytes()
            }
        }
    } else {
        owned = text.to_lowercase();
        owned.as_bytes()
    };
    if let Some(rest) = lower.strip_prefix(b"stage") {
        // After the ASCII `stage`: at a character boundary of the
        // lower-cased text, which is UTF-8.
        let rest = std::str::from_utf8(rest).expect("lower-cased text is UTF-8");
        if let Some(n) = stage_number(rest) {
            return Some(Label::Stage(n));
        }
    }
    v.labels.get(lower).copied()
}

/// Whether ASCII text starts with `stage` in any case.
fn starts_with_stage(bytes: &[u8]) -> bool {
    bytes
        .get(..5)
        .is_some_and(|b| b.eq_ignore_ascii_case(b"stage"))
}

/// The class of a section by its name in `grammar/vocabulary.json`.
fn section_class(name: &str) -> SectionClass {
    match name {
        "billing" => SectionClass::Billing,
        "assessment" => SectionClass::Assessment,
        "procedure" => SectionClass::Procedure,
        _ => SectionClass::Free,
    }
}

/// The number after `stage` in a label: digits, or a Roman numeral.
fn stage_number(rest: &str) -> Option<u32> {
    let rest = rest.trim();
    let digits = &rest[..rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len())];
    digits.parse::<u32>().ok().or_else(|| roman(rest))
}

fn roman(s: &str) -> Option<u32> {
    match s.trim() {
        "i" => Some(1),
        "ii" => Some(2),
        "iii" => Some(3),
        "iv" => Some(4),
        "v" => Some(5),
        "vi" => Some(6),
        _ => None,
    }
}

/// Classifies a `##` section title.
pub fn classify_section(title: &str) -> SectionClass {
    let trimmed = title.trim();
    // Titles are short: an ASCII one is lower-cased on the stack.
    let mut buf = [0u8; 64];
    let owned;
    let lower: &str = match buf.get_mut(..trimmed.len()) {
        Some(b) if trimmed.is_ascii() => {
            b.copy_from_slice(trimmed.as_bytes());
            b.make_ascii_lowercase();
            std::str::from_utf8(b).expect("ASCII")
        }
        _ => {
            owned = trimmed.to_lowercase();
            &owned
        }
    };
    if let Some(class) = vocab().section_prefixes.class(lower) {
        return class;
    }
    if title_kind(title).is_some() {
        return SectionClass::Procedure;
    }
    SectionClass::Free
}

/// The section title prefixes in the order [`classify_section`] tries
/// them (the Billing ones, the free sections', then every class's), kept
/// by first byte: a title is compared only with the prefixes that begin
/// as it does, and the first of them it starts with names its class.
struct SectionPrefixes {
    /// For each first byte, and last for the empty title, the prefixes
    /// that can match, in order. An empty prefix matches every title, so
    /// it is in every list.
    by_first: Vec<Vec<(String, SectionClass)>>,
}

impl SectionPrefixes {
    fn new(free: &[String], sections: &[(SectionClass, &[String])]) -> SectionPrefixes {
        let billing = sections
            .iter()
            .filter(|(class, _)| *class == SectionClass::Billing)
            .flat_map(|(class, prefixes)| prefixes.iter().map(move |p| (p, *class)));
        let free = free.iter().map(|p| (p, SectionClass::Free));
        let all = sections
            .iter()
            .flat_map(|(class, prefixes)| prefixes.iter().map(move |p| (p, *class)));
        let mut by_first = vec![Vec::new(); 257];
        for (p, class) in billing.chain(free).chain(all) {
            match p.as_bytes().first() {
                Some(&b) => by_first[usize::from(b)].push((p.clone(), class)),
                None => by_first
                    .iter_mut()
                    .for_each(|list| list.push((p.clone(), class))),
            }
        }
        SectionPrefixes { by_first }
    }

    /// The class of the first prefix that the lower-cased title starts
    /// with, not followed by a letter.
    fn class(&self, lower: &str) -> Option<SectionClass> {
        let list = &self.by_first[lower.as_bytes().first().map_or(256, |&b| usize::from(b))];
        list.iter()
            .find(|(p, _)| {
                lower.starts_with(p.as_str())
                    && !lower[p.len()..]
                        .chars()
                        .next()
                        .is_some_and(|c| c.is_alphabetic())
            })
            .map(|(_, class)| *class)
    }
}

/// What [`title_kind`] answers for a title.
type TitleKind = Option<(ProcKind, Option<Technique>, Span)>;

/// The most titles [`title_kind`] remembers on one thread. Notes are
/// written from templates, so a few titles come back again and again;
/// past this many, new titles are worked out each time.
const TITLE_MEMO: usize = 4096;

thread_local! {
    /// The answers of [`title_kind_plain`] for the titles seen on this
    /// thread. Its answer depends only on the title (the vocabulary is
    /// fixed), so an answer remembered is the answer it would give again.
    static TITLE_KINDS: std::cell::RefCell<HashMap<Box<str>, TitleKind, BuildHasherDefault<Fnv>>> =
        std::cell::RefCell::new(HashMap::default());
}

/// The procedure kind a section title names directly, if any.
///
/// Each section's title is read twice (to class the section, then for its
/// procedure), and most titles recur from note to note, while working one
/// out runs the phrase set, the clause split and the negation tests: the
/// answers are remembered per thread, keyed by the title's text.
pub fn title_kind(title: &str) -> TitleKind {
    TITLE_KINDS.with(|memo| {
        if let Some(&known) = memo.borrow().get(title) {
            return known;
        }
        let kind = title_kind_plain(title);
        let mut memo = memo.borrow_mut();
        if memo.len() < TITLE_MEMO {
            memo.insert(title.into(), kind);
        }
        kind
    })
}

/// [`title_kind`] worked out afresh.
fn title_kind_plain(title: &str) -> TitleKind {
    let v = vocab();
    if let Some((span, (kind, tech))) = crate::extract::cues::first_done(title, &v.procedures) {
        return Some((kind, tech, span));
    }
    let lower = title.trim().to_lowercase();
    if v.repair_titles
        .iter()
        .any(|p| lower.starts_with(p.as_str()))
    {
        return Some((ProcKind::Repair, None, Span::new(0, title.len())));
    }
    None
}

impl Vocab {
    /// The site group of `region` in a code family.
    pub fn group(&self, region: &str, family: GroupFamily) -> Option<&str> {
        self.regions
            .get(region)
            .and_then(|g| g.get(family.key()))
            .map(String::as_str)
    }

    /// The payer named in a `Payer:` value.
    pub fn payer(&self, text: &str) -> Payer {
        self.payers
            .find(text)
            .map(|(_, p)| p)
            .unwrap_or(Payer::Unknown)
    }

    /// A count word (`one` … `twenty`) as a number.
    pub fn number_word(&self, word: &str) -> Option<u32> {
        let lower = word.to_lowercase();
        self.number_words
            .iter()
            .position(|w| *w == lower)
            .map(|i| i as u32)
    }
}

/// Dates in encounter headings.
pub(crate) fn date_regex() -> &'static Re {
    static RE: Re = Re::new(
        r"\b(?:(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})|(?P<m2>\d{1,2})/(?P<d2>\d{1,2})/(?P<y2>\d{4}|\d{2}))\b",
    );
    &RE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabulary_loads_and_every_region_has_every_group() {
        let v = vocab();
        for site in &v.sites.values {
            for fam in GroupFamily::ALL {
                assert!(
                    v.group(&site.region, fam).is_some(),
                    "{} has no {:?} group",
                    site.term,
                    fam
                );
                // The term's own copy is the region's group.
                assert_eq!(site.group(fam), v.group(&site.region, fam));
            }
        }
        for (k, fam) in GroupFamily::ALL.into_iter().enumerate() {
            assert_eq!(fam.index(), k);
        }
    }

    #[test]
    fn longest_phrase_wins() {
        let v = vocab();
        let (_, (kind, tech)) = v.procedures.find("Excisional biopsy of the back").unwrap();
        assert_eq!((kind, tech), (ProcKind::Excision, None));
        let (_, (kind, tech)) = v.procedures.find("shave removal").unwrap();
        assert_eq!((kind, tech), (ProcKind::ShaveRemoval, None));
        let (_, site) = v.sites.find("back of the hand").unwrap();
        assert_eq!(site.term, "hand");
        let (_, (kind, tech)) = v.procedures.find("a 4 mm punch was used").unwrap();
        assert_eq!((kind, tech), (ProcKind::Biopsy, Some(Technique::Punch)));
    }

    /// The fast matcher finds exactly what the regex finds, on every phrase
    /// set, over generated notes cut into lines and clauses and over
    /// scrambled vocabulary.
    #[test]
    fn fast_matcher_agrees_with_the_regex() {
        fn same<T: Clone + PartialEq + std::fmt::Debug>(
            name: &str,
            set: &PhraseSet<T>,
            texts: &[String],
        ) {
            assert!(set.fast.is_some(), "{name}: no fast matcher");
            for t in texts {
                let want = set.find_all_regex(t);
                assert_eq!(set.find_all(t), want, "{name} in {t:?}");
                let by_ref: Vec<(Span, T)> = set
                    .find_all_ref(t)
                    .into_iter()
                    .map(|(s, v)| (s, v.clone()))
                    .collect();
                assert_eq!(by_ref, want, "{name} in {t:?}");
                assert_eq!(set.find(t), want.first().cloned(), "{name} in {t:?}");
                let at_start = want.first().filter(|(m, _)| m.start == 0).cloned();
                assert_eq!(set.find_at_start(t), at_start, "{name} in {t:?}");
                assert_eq!(
                    set.is_match(t),
                    set.regex().combined.is_match(t),
                    "{name} in {t:?}"
                );
            }
        }
        let corpus = crate::corpus::generate(5, 300_000);
        let mut texts: Vec<String> = Vec::new();
        for line in corpus.lines() {
            texts.push(line.to_string());
            texts.extend(line.split([',', ';', ':', '.']).map(str::to_string));
        }
        texts.sort();
        texts.dedup();
        // Scrambled vocabulary: phrases run together, cut mid-word, joined
        // by separators and digits.
        let json = VOCABULARY_JSON.replace(['"', '[', ']', '{', '}'], " ");
        let words: Vec<&str> = json.split_whitespace().collect();
        let mut rng = crate::corpus::Rng(1);
        for _ in 0..4000 {
            let mut t = String::new();
            for _ in 0..6 {
                let w = *rng.pick::<&str>(&words);
                let cut = rng.next() as usize % (w.len() + 2);
                t.push_str(w.get(..cut).unwrap_or(w));
                t.push_str(rng.pick::<&str>(&[" ", "-", "  ", "", ".", " 4 mm ", "s ", "\t", "_"]));
            }
            texts.push(t);
        }
        let v = vocab();
        same("procedures", &v.procedures, &texts);
        same("lesion_types", &v.lesion_types, &texts);
        same("lesion_nouns", &v.lesion_nouns, &texts);
        same("not_count_units", &v.not_count_units, &texts);
        same("sites", &v.sites, &texts);
        same("laterality", &v.laterality, &texts);
        same("midline", &v.midline, &texts);
        same("subsite", &v.subsite, &texts);
        same("landmark_directions", &v.landmark_directions, &texts);
        same("not_done", &v.not_done, &texts);
        same("history", &v.history, &texts);
        same("done_now", &v.done_now, &texts);
        same("plan", &v.plan, &texts);
        same("see_procedure", &v.see_procedure, &texts);
        same("payers", &v.payers, &texts);
        same("modifier58", &v.modifier58, &texts);
        same("cosmetic", &v.cosmetic, &texts);
        same("reauthorized", &v.reauthorized, &texts);
        same("pathology_pending", &v.pathology_pending, &texts);
        same("margin_clear", &v.margin_clear, &texts);
        same("margin_residual", &v.margin_residual, &texts);
        same("mohs_deep", &v.mohs_deep, &texts);
        same("frozen_section", &v.frozen_section, &texts);
        same("hedges", &v.hedges, &texts);
    }

    #[test]
    fn sections_classify() {
        assert_eq!(classify_section("Procedure 2"), SectionClass::Procedure);
        assert_eq!(classify_section("Shave biopsy"), SectionClass::Procedure);
        assert_eq!(classify_section("Cryotherapy"), SectionClass::Procedure);
        assert_eq!(
            classify_section("Assessment and plan"),
            SectionClass::Assessment
        );
        assert_eq!(classify_section("A/P"), SectionClass::Assessment);
        assert_eq!(classify_section("Billing"), SectionClass::Billing);
        assert_eq!(classify_section("History"), SectionClass::Free);
        assert_eq!(classify_section("Physical exam"), SectionClass::Free);
        assert_eq!(classify_section("Repair"), SectionClass::Procedure);
        assert_eq!(classify_section("Social"), SectionClass::Free);
    }

    /// [`label`] as it was written first: the text lower-cased whole and
    /// looked up, whatever its length.
    fn label_reference(text: &str) -> Option<Label> {
        let lower = text.trim().to_lowercase();
        if let Some(rest) = lower.strip_prefix("stage") {
            if let Some(n) = stage_number(rest) {
                return Some(Label::Stage(n));
            }
        }
        vocab().labels.get(lower.as_bytes()).copied()
    }

    /// [`classify_section`] as it was written first: each list of
    /// prefixes tried in turn.
    fn classify_reference(title: &str) -> SectionClass {
        let raw: RawVocab = serde_json::from_str(VOCABULARY_JSON).unwrap();
        let sections: Vec<(SectionClass, Vec<String>)> = raw
            .sections
            .iter()
            .map(|s| (section_class(&s.class), s.prefixes.clone()))
            .collect();
        let lower = title.trim().to_lowercase();
        let starts = |p: &String| {
            lower.starts_with(p.as_str())
                && !lower[p.len()..]
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_alphabetic())
        };
        for (class, prefixes) in &sections {
            if *class == SectionClass::Billing && prefixes.iter().any(starts) {
                return SectionClass::Billing;
            }
        }
        if raw.free_sections.iter().any(starts) {
            return SectionClass::Free;
        }
        for (class, prefixes) in &sections {
            if prefixes.iter().any(starts) {
                return *class;
            }
        }
        if title_kind(title).is_some() {
            return SectionClass::Procedure;
        }
        SectionClass::Free
    }

    /// Label names, section prefixes and their near misses: changed case,
    /// letters added, spaces around, non-ASCII letters (the Kelvin sign
    /// lower-cases to an ASCII `k`), long text.
    fn label_and_title_texts() -> Vec<String> {
        let json = VOCABULARY_JSON.replace(['"', '[', ']', '{', '}', ','], "\n");
        let mut texts: Vec<String> = Vec::new();
        for name in json.lines().map(str::trim).filter(|l| !l.is_empty()) {
            for t in [
                name.to_string(),
                name.to_uppercase(),
                format!("  {name} "),
                format!("{name}s"),
                format!("{name}:"),
                format!("{name} 2"),
                format!("{name}é"),
                format!("É{name}"),
                name.replace('k', "\u{212A}"),
                name.repeat(4),
            ] {
                texts.push(t);
            }
        }
        for t in [
            "",
            " ",
            "Stage",
            "stage 2",
            "STAGE iv",
            "Stage II ",
            "stage 12 blocks",
            "stagex",
            "Stage   3: x",
            "stage vii",
            "Stage \u{212A}",
            "stage ٣",
            "Procedure 1: shave",
            "Assessment & Plan",
            "A/P",
            "Billing/claim",
            "Procedures performed",
            "Repair of defect",
            "Wound closure",
            "ÉXAM",
            "Exam:",
            "a very long title that is longer than sixty four bytes of ASCII text, and more",
        ] {
            texts.push(t.to_string());
        }
        texts
    }

    #[test]
    fn labels_agree_with_the_reference() {
        for t in label_and_title_texts() {
            assert_eq!(label(&t), label_reference(&t), "{t:?}");
        }
    }

    #[test]
    fn section_classes_agree_with_the_reference() {
        for t in label_and_title_texts() {
            assert_eq!(classify_section(&t), classify_reference(&t), "{t:?}");
        }
    }

    /// Every vocabulary phrase (procedure phrases and repair titles among
    /// them) and its near misses: the remembered answer, asked for a
    /// first time and again, is the one worked out afresh.
    #[test]
    fn title_kinds_agree_with_the_plain_answer() {
        for t in label_and_title_texts() {
            assert_eq!(title_kind(&t), title_kind_plain(&t), "{t:?}");
            assert_eq!(title_kind(&t), title_kind_plain(&t), "{t:?} again");
        }
    }

    /// More titles than the memo keeps: those past it are still answered
    /// right.
    #[test]
    fn title_kinds_past_the_memo_are_right() {
        for n in 0..TITLE_MEMO + 100 {
            let t = format!("Shave biopsy {n}");
            assert_eq!(title_kind(&t), title_kind_plain(&t), "{t:?}");
        }
        assert!(TITLE_KINDS.with(|m| m.borrow().len()) <= TITLE_MEMO);
        assert_eq!(
            title_kind("Shave biopsy 1"),
            title_kind_plain("Shave biopsy 1")
        );
    }

    proptest::proptest! {
        /// Titles with procedure words, negations and history words.
        #[test]
        fn title_kinds_agree_on_any_text(
            t in "(?i)(procedure|declined|prior|no|shave|punch|biopsy|excision|repair|closure|ed&c|cryo|mohs|[ .,;:é-]|[a-z]{1,4}){0,6}"
        ) {
            proptest::prop_assert_eq!(title_kind(&t), title_kind_plain(&t));
            proptest::prop_assert_eq!(title_kind(&t), title_kind_plain(&t));
        }
    }

    proptest::proptest! {
        #[test]
        fn labels_and_sections_agree_on_any_text(t in "(?i)(stage|site|plan|a/p|[a-z &/#é\u{212A}]){0,6}[ -~]{0,30}") {
            proptest::prop_assert_eq!(label(&t), label_reference(&t));
            proptest::prop_assert_eq!(classify_section(&t), classify_reference(&t));
        }
    }

    proptest::proptest! {
        /// Short texts around label names, with white space of every kind
        /// (and the NUL byte, which packs like the padding) at either end.
        #[test]
        fn short_labels_agree_with_the_reference(
            t in "[ \t\n\x0B\x0C\r\x1C\u{85}\u{A0}\x00]{0,2}(?i)(dx|e/m|site|pt|margins|stage|cc|loc|a|\u{212A})?[ \x00sé]{0,2}(?i)(size|dos|path|[ -~]){0,3}[ \t\r\x0B\u{A0}\x00]{0,2}"
        ) {
            proptest::prop_assert_eq!(label(&t), label_reference(&t));
        }
    }

    #[test]
    fn short_label_table_holds_every_short_name() {
        for (name, l) in &vocab().labels {
            if name.len() <= SHORT_LABEL {
                assert_eq!(SHORT_LABELS.get(pack(name), name.len()), Some(*l));
            }
        }
        assert_eq!(label("Site\0"), None);
        assert_eq!(label(" DX\t"), Some(Label::Dx));
    }

    #[test]
    fn labels() {
        assert_eq!(label("Stage 3"), Some(Label::Stage(3)));
        assert_eq!(label("stage II"), Some(Label::Stage(2)));
        assert_eq!(label("E/M"), Some(Label::Em));
        assert_eq!(label("Margins"), Some(Label::Margin));
        assert_eq!(label("Unknown thing"), None);
    }
}
