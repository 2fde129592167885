//! Syntax to facts: per encounter its payer, E/M, problems and procedures;
//! per procedure its kind, technique, lesions, sizes, sites, margins,
//! repairs, pathology, Mohs stages, phototherapy and diagnoses. Every fact
//! keeps the byte span of the text it came from.

pub mod billing;
pub mod cues;
mod heads;
mod lowered;
pub mod measure;
pub mod site;
mod stage_words;

use crate::re::Re;

use crate::note::{Encounter, Field, Line, LineKind, Note, Section};
use crate::span::Span;
use crate::vocab::{self, Label, LesionClass, Payer, ProcKind, SectionClass, Technique, vocab};
pub use billing::{BillingLine, BillingSection};
use lowered::{Hits, Lowered, Word, Words};
pub use measure::{Area, Measure, Role, Shape};
pub use site::Site;

/// Everything extracted from one encounter.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EncounterFacts {
    pub index: usize,
    pub span: Span,
    pub heading: Option<Span>,
    pub date: Option<String>,
    /// The payer named in the header, with the span of its value.
    pub payer: Option<(Payer, Span)>,
    pub em: Option<EmFact>,
    pub problems: Vec<Problem>,
    pub procedures: Vec<Procedure>,
    pub billing: Option<BillingSection>,
    /// `reauthorization obtained` anywhere in the encounter.
    pub reauthorized: bool,
    /// `AUC` / `appropriate use criteria` anywhere in the encounter.
    pub auc: bool,
}

impl EncounterFacts {
    /// Gives back the room its lists were given up front beyond what they
    /// hold. For facts kept while a document stays open (the server's
    /// incremental analysis); a run that drops them at once has no need.
    pub fn shrink_to_fit(&mut self) {
        self.problems.shrink_to_fit();
        for p in &mut self.procedures {
            p.sites.shrink_to_fit();
            p.dx.shrink_to_fit();
            p.stages.shrink_to_fit();
        }
        if let Some(b) = &mut self.billing {
            b.lines.shrink_to_fit();
        }
    }
}

/// The `E/M:` header field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmFact {
    /// The E/M code (99202–99205, 99211–99215) when one is written.
    pub code: Option<String>,
    pub span: Span,
}

/// One item of an Assessment/Plan section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub span: Span,
    /// Names a procedure done in this encounter, or says `see procedure`.
    pub linked: bool,
    /// Has a plan (treatment, labs, referral, counselling, follow-up, …).
    pub has_plan: bool,
    pub dx: Vec<Dx>,
}

impl Problem {
    /// A separately identifiable problem: not procedure-linked, with a plan.
    pub fn is_separate(&self) -> bool {
        !self.linked && self.has_plan
    }
}

/// An ICD-10-CM code as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dx {
    pub code: String,
    pub span: Span,
}

/// One procedure section.
#[derive(Clone, Debug, PartialEq)]
pub struct Procedure {
    /// Index of the section in the encounter.
    pub section: usize,
    pub heading: Span,
    pub span: Span,
    pub kind: ProcKind,
    /// The text that names the kind.
    pub kind_span: Span,
    pub technique: Option<(Technique, Span)>,
    pub lesions: Vec<Lesion>,
    /// Every site named (a destruction may list several).
    pub sites: Vec<Site>,
    pub margin: Option<Measure>,
    pub excised_diameter: Option<Measure>,
    pub defect: Option<Measure>,
    pub repair: Option<Repair>,
    pub pathology: Option<Pathology>,
    /// A confirmed malignant diagnosis from before this procedure
    /// (`biopsy-proven BCC`, or a malignant Dx code).
    pub prior_malignant: Option<Span>,
    pub stages: Vec<Stage>,
    /// `3 stages` written in a sentence, when there are no stage lines.
    pub stage_count: Option<u32>,
    /// Mohs directly involving cartilage, muscle, bone, tendon, nerves or
    /// vessels.
    pub deep_structures: bool,
    pub photo: Option<Photo>,
    pub destruction: Vec<DestructionGroup>,
    pub dx: Vec<Dx>,
    pub indication: Option<Span>,
    pub description: Option<Span>,
    pub cosmetic: Option<Span>,
    /// A modifier-58 cue: re-excision, staged, positive margins.
    pub staged_cue: Option<Span>,
    /// A biopsy described inside this (non-biopsy) procedure's section: the
    /// same lesion.
    pub embedded_biopsies: Vec<EmbeddedBiopsy>,
    /// Frozen section read the same day, with no prior pathology.
    pub frozen_no_prior: bool,
    /// For a repair section: the procedure it closes.
    pub host: Option<usize>,
    /// The lesion type the section documents.
    pub lesion_class: Option<(LesionClass, Span)>,
    /// How many biopsies one described lesion line stands for (`two punch
    /// biopsies`, `biopsies x3`); 1 unless written.
    pub biopsy_count: u32,
}

/// One lesion of a procedure.
#[derive(Clone, Debug, PartialEq)]
pub struct Lesion {
    pub span: Span,
    /// `A`, `B`, … for specimen lines.
    pub letter: Option<char>,
    pub site: Option<Site>,
    pub size: Option<Measure>,
    pub description: Option<Span>,
    pub indication: Option<Span>,
    pub technique: Option<Technique>,
    pub class: Option<LesionClass>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RepairClass {
    Simple,
    Intermediate,
    Complex,
}

impl RepairClass {
    pub fn as_str(self) -> &'static str {
        match self {
            RepairClass::Simple => "simple",
            RepairClass::Intermediate => "intermediate",
            RepairClass::Complex => "complex",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Repair {
    pub span: Span,
    pub class: Option<RepairClass>,
    pub length: Option<Measure>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Pathology {
    pub span: Span,
    /// Sent or pending, no result yet.
    pub pending: bool,
    /// What the result says the lesion is.
    pub class: Option<LesionClass>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StageFinding {
    Clear,
    Residual,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Stage {
    pub number: u32,
    pub span: Span,
    pub blocks: Option<u32>,
    pub mapped: bool,
    pub finding: Option<StageFinding>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Modality {
    Uvb,
    TarUvb,
    Puva,
    Excimer,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Photo {
    pub modality: Modality,
    pub span: Span,
    pub area: Option<Area>,
    pub session: Option<(u32, Span)>,
    /// Hours under supervision (Goeckerman/PUVA for severe disease).
    pub hours: Option<u32>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DestructionGroup {
    pub class: Option<LesionClass>,
    pub count: Option<u32>,
    pub count_span: Option<Span>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EmbeddedBiopsy {
    pub span: Span,
    pub technique: Option<Technique>,
}

/// Extracts the facts of every encounter of a parsed note.
pub fn extract(text: &str, note: &Note) -> Vec<EncounterFacts> {
    note.encounters
        .iter()
        .enumerate()
        .map(|(i, enc)| encounter(text, i, enc))
        .collect()
}

/// Extracts one encounter's facts.
pub fn encounter(text: &str, index: usize, enc: &Encounter) -> EncounterFacts {
    let v = vocab();
    let payer = enc
        .header_field(Label::Payer)
        .map(|f| (v.payer(f.value.text(text)), f.value));
    let em = enc.header_field(Label::Em).map(|f| EmFact {
        code: heads::em_code(f.value.text(text)).map(str::to_string),
        span: f.value,
    });
    // The encounter lowered once: for its own guards below, and each
    // procedure section a piece of it.
    let lowered = Lowered::new(text, enc.span);
    // The places of the words of the guards asked about the whole
    // encounter and whole sections, found with one search of it.
    let hits = lowered.hits(&HIT_WORDS);
    let mut scratch = Scratch::default();
    // Sized for every procedure section: a `Procedure` is large, and each
    // growth of the Vec would copy those before it.
    let mut procedures: Vec<Procedure> = Vec::with_capacity(
        enc.sections
            .iter()
            .filter(|s| s.class == SectionClass::Procedure)
            .count(),
    );
    for (i, section) in enc.sections.iter().enumerate() {
        if section.class == SectionClass::Procedure {
            if let Some(mut p) = procedure(text, i, section, &lowered, &hits, &mut scratch) {
                if p.kind == ProcKind::Repair {
                    p.host = procedures.iter().rposition(|h| {
                        matches!(
                            h.kind,
                            ProcKind::Excision
                                | ProcKind::Mohs
                                | ProcKind::Biopsy
                                | ProcKind::ShaveRemoval
                        )
                    });
                }
                procedures.push(p);
            }
        }
    }
    let kinds = procedures
        .iter()
        .fold(KindSet::default(), |set, p| set.with(p.kind));
    let mut problems = Vec::new();
    for section in &enc.sections {
        if section.class == SectionClass::Assessment {
            assessment(text, section, kinds, &mut problems);
        }
    }
    let billing = enc
        .sections
        .iter()
        .find(|s| s.class == SectionClass::Billing)
        .map(|s| billing::parse(text, s));
    let whole = enc.span.text(text);
    EncounterFacts {
        index,
        span: enc.span,
        heading: enc.heading,
        date: enc.date.clone(),
        payer,
        em,
        problems,
        procedures,
        billing,
        reauthorized: reauthorized_in(whole, &hits),
        auc: auc_in(whole, &hits),
    }
}

/// The kinds of an encounter's procedures, one bit each: asked whether it
/// holds a kind, as a list of them would be, with no list allocated.
#[derive(Clone, Copy, Default)]
struct KindSet(u8);

impl KindSet {
    /// The bit of `kind`.
    fn bit(kind: ProcKind) -> u8 {
        // Each kind's priority is its own number below 8.
        1 << kind_priority(kind)
    }

    /// This set with `kind` in it.
    fn with(self, kind: ProcKind) -> KindSet {
        KindSet(self.0 | KindSet::bit(kind))
    }

    fn contains(self, kind: ProcKind) -> bool {
        self.0 & KindSet::bit(kind) != 0
    }

    fn is_empty(self) -> bool {
        self.0 == 0
    }
}

/// Vecs that the procedures of one encounter fill in turn, each emptied
/// first: one allocation for them all, where each procedure would make
/// its own.
#[derive(Default)]
struct Scratch<'e> {
    /// The section's sentence lines.
    sentence_lines: Vec<&'e Line>,
    /// The texts the lesion class is read from.
    class_sources: Vec<Span>,
}

/// Whether a `reauthorized` phrase is in the encounter un-negated.
#[cfg(test)]
fn reauthorized(whole: &str) -> bool {
    let lowered = Lowered::new(whole, Span::new(0, whole.len()));
    reauthorized_in(whole, &lowered.hits(&HIT_WORDS))
}

/// [`reauthorized`], with the places of [`HIT_WORDS`] in the encounter.
/// Each phrase holds `uthori` (see the test): text without it is not
/// searched.
fn reauthorized_in(whole: &str, hits: &Hits) -> bool {
    hits.any_in_whole(&[&W_UTHORI]) && cues::any_done(whole, &vocab().reauthorized)
}

/// Whether the encounter names the appropriate use criteria.
#[cfg(test)]
fn auc(whole: &str) -> bool {
    let lowered = Lowered::new(whole, Span::new(0, whole.len()));
    auc_in(whole, &lowered.hits(&HIT_WORDS))
}

/// [`auc`], with the places of [`HIT_WORDS`] in the encounter. `AUC_RE`
/// needs `auc` or `appropriate`: text without them is not searched.
fn auc_in(whole: &str, hits: &Hits) -> bool {
    hits.any_in_whole(&AUC_WORDS) && AUC_RE.is_match(whole)
}

/// Words looked for in lowered text before a regex that needs one of
/// them is run.
static W_AESTHETIC: Word = Word::new("aesthetic");
static W_APPROPRIATE: Word = Word::new("appropriate");
static W_AUC: Word = Word::new("auc");
static W_BIOPSIES: Word = Word::new("biopsies");
static W_BXS: Word = Word::new("bxs");
static W_88331: Word = Word::new("88331");
static W_BIOPS: Word = Word::new("biops");
static W_BX: Word = Word::new("bx");
static W_CLOS: Word = Word::new("clos");
static W_DERMA: Word = Word::new("derma");
static W_COSMETIC: Word = Word::new("cosmetic");
static W_DIAMETER: Word = Word::new("diameter");
static W_EXCIS: Word = Word::new("excis");
static W_FROZEN: Word = Word::new("frozen");
static W_GLOBAL: Word = Word::new("global");
static W_HOUR: Word = Word::new("hour");
static W_INCISION: Word = Word::new("incision");
static W_HR: Word = Word::new("hr");
static W_LAYERED: Word = Word::new("layered");
static W_LENGTH: Word = Word::new("length");
static W_LONG: Word = Word::new("long");
static W_MARGIN: Word = Word::new("margin");
static W_PATH: Word = Word::new("path");
static W_POSITIVE: Word = Word::new("positive");
static W_PREVIOUS: Word = Word::new("previous");
static W_PRIOR: Word = Word::new("prior");
static W_PUNCH: Word = Word::new("punch");
static W_PUNCHES: Word = Word::new("punches");
static W_REPAIR: Word = Word::new("repair");
static W_SAUCERI: Word = Word::new("sauceri");
static W_SCOOP: Word = Word::new("scoop");
static W_SESSION: Word = Word::new("session");
static W_SHAVE: Word = Word::new("shave");
static W_STAGE: Word = Word::new("stage");
static W_STAGED: Word = Word::new("staged");
static W_SUTURED: Word = Word::new("sutured");
static W_TANGENTIAL: Word = Word::new("tangential");
static W_TREATMENT: Word = Word::new("treatment");
static W_TX: Word = Word::new("tx");
static W_UTHORI: Word = Word::new("uthori");
static W_WEDGE: Word = Word::new("wedge");
/// One of these is in each biopsy phrase (see the test). The words that
/// name a technique come last: they are [`TECHNIQUE_WORDS`].
static BIOPSY_WORDS: Words = Words::new(&BIOPSY_LIST);
/// The words of [`BIOPSY_WORDS`], in order.
static BIOPSY_LIST: [&Word; 10] = [
    &W_BIOPS,
    &W_BX,
    &W_INCISION,
    &W_WEDGE,
    &W_PUNCH,
    &W_SHAVE,
    &W_TANGENTIAL,
    &W_SAUCERI,
    &W_SCOOP,
    &W_DERMA,
];
/// One of these is in each biopsy phrase that names a technique (see the
/// test).
static TECHNIQUE_WORDS: Words = Words::new(BIOPSY_LIST.split_at(2).1);
/// One of these is in each cosmetic phrase (see the test).
static COSMETIC_WORDS: Words = Words::new(&[&W_COSMETIC, &W_AESTHETIC]);
/// One of these is in each history cue (see the test).
static HISTORY_WORDS: Words = Words::new(&[&W_BIOPS, &W_BX, &W_PRIOR, &W_PREVIOUS, &W_PATH]);
/// One of these is in each frozen section phrase (see the test).
static FROZEN_WORDS: Words = Words::new(&[&W_FROZEN, &W_88331]);
/// One of these is in each modifier-58 cue (see the test).
static MODIFIER58_WORDS: Words = Words::new(&[&W_EXCIS, &W_STAGED, &W_POSITIVE, &W_GLOBAL]);
/// The words of the guards asked about the whole encounter and about
/// whole procedure sections, found in the encounter with one search
/// ([`Lowered::hits`]). They are rare: the one search, and a few places,
/// cost less than a search of each section for each set. Common words
/// (`excis`, `margin`, `stage`, `biops`, ...) are looked for section by
/// section or line by line: each place found costs a step of the one
/// search.
static HIT_WORDS: Words = Words::new(&[
    &W_UTHORI,
    &W_AUC,
    &W_APPROPRIATE,
    &W_COSMETIC,
    &W_AESTHETIC,
    &W_FROZEN,
    &W_88331,
    &W_BIOPSIES,
    &W_BXS,
    &W_PUNCHES,
]);
/// One of these is in each `AUC_RE` match.
static AUC_WORDS: Words = Words::new(&[&W_AUC, &W_APPROPRIATE]);
/// One of these is in each `BIOPSY_COUNT` match.
static BIOPSY_COUNT_WORDS: Words = Words::new(&[&W_BIOPSIES, &W_BXS, &W_PUNCHES]);
/// One of these is in each `LENGTH_WORD` match.
static LENGTH_WORDS: Words = Words::new(&[&W_LENGTH, &W_LONG]);
/// One of these is in each `SESSION_RE` match.
static SESSION_WORDS: Words = Words::new(&[&W_SESSION, &W_TREATMENT, &W_TX]);
/// One of these is in each `HOURS_RE` match.
static HOURS_WORDS: Words = Words::new(&[&W_HOUR, &W_HR]);

static AUC_RE: Re = Re::new(r"(?i)\bAUC\b|appropriate[\s-]+use[\s-]+criteria");
static ICD_RE: Re = Re::new(r"\b[A-TV-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?\b");
static STAGES_RE: Re = Re::new(
    r"(?i)\b(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten)\s+(?:total\s+)?(?:mohs\s+)?stages?\b",
);
static SESSION_RE: Re = Re::new(
    r"(?i)\b(?:session|treatment|tx)\s*(?:number|no\.?|#)?\s*:?\s*#?(\d{1,4})\b|\b(\d{1,4})(?:st|nd|rd|th)\s+(?:session|treatment)\b",
);
static HOURS_RE: Re = Re::new(r"(?i)\b(\d{1,2})\s*(?:-|–|to)?\s*(?:\d{1,2})?\s*(?:hours?|hrs?)\b");
static REPAIR_COMPLEX: Re = Re::new(r"(?i)\bcomplex\b");
static REPAIR_INTERMEDIATE: Re = Re::new(
    r"(?i)\bintermediate\b|\blayered\b|\bin\s+(?:two\s+|2\s+)?layers\b|\b(?:two|2|bi)[\s-]?layer(?:ed)?\b|\bmulti[\s-]?layer",
);
static REPAIR_SIMPLE: Re = Re::new(
    r"(?i)\bsimple\b|\bsingle[\s-]layer|\bone[\s-]layer|\bprimary\s+closure\b|\bclosed\s+primarily\b|\bsimple\s+interrupted\b",
);
static REPAIR_WORD: Re = Re::new(r"(?i)\b(?:repair|repaired|closure|closed|layered|sutured)\b");
static NOT_SIZE_CLAUSE: Re = Re::new(
    r"(?i)\b(?:defect|wound|repair|repaired|closure|closed|length|long|excised\s+diameter|specimen|margins?)\b",
);
static EXCISED_DIAMETER: Re = Re::new(r"(?i)\b(?:excised|excision|total)\s+diameter\b");

/// The ICD-10 codes in `text` ([`ICD_RE`]), with spans shifted by
/// `offset`. ASCII text is read by [`icd_at`], which finds what the regex
/// finds without starting a regex search for each field and line.
fn icd_codes(text: &str, offset: usize) -> Vec<Dx> {
    let mut out = Vec::new();
    icd_codes_into(text, offset, &mut out);
    out
}

/// [`icd_codes`], appended to `out`: the codes of several lines go into
/// one Vec with no Vec of their own for each line.
fn icd_codes_into(text: &str, offset: usize, out: &mut Vec<Dx>) {
    let dx = |s: usize, e: usize| Dx {
        code: text[s..e].to_string(),
        span: Span::new(offset + s, offset + e),
    };
    if !text.is_ascii() {
        out.extend(icd_codes_by_regex(text, offset));
        return;
    }
    let mut from = 0;
    while let Some((s, e)) = icd_at(text.as_bytes(), from) {
        out.push(dx(s, e));
        from = e;
    }
}

/// [`icd_codes`] through [`ICD_RE`]: for text that is not ASCII, where a
/// letter of another script is a word character to the regex's `\b`, and
/// for the tests, which hold the two to the same answers.
fn icd_codes_by_regex(text: &str, offset: usize) -> Vec<Dx> {
    // A code holds an ASCII digit.
    if !text.bytes().any(|b| b.is_ascii_digit()) {
        return Vec::new();
    }
    ICD_RE
        .find_iter(text)
        .map(|m| Dx {
            code: m.as_str().to_string(),
            span: Span::new(offset + m.start(), offset + m.end()),
        })
        .collect()
}

/// The first match of [`ICD_RE`] in ASCII `bytes` that starts at or after
/// `from`, as the regex's `find_iter` gives it after a match ending at
/// `from` (the byte before `from` still counts for the word boundary).
///
/// A code is a letter other than `U`, a digit, a digit or capital, then
/// optionally `.` and one to four digits or capitals, with a word boundary
/// at both ends. The regex prefers the longest tail: after the longest run
/// of digits and capitals (four at most), a boundary follows only if no
/// word byte does; a shorter run is followed by a digit or capital, so it
/// never ends at a boundary. With no tail the code ends before the `.`,
/// which is a boundary.
fn icd_at(bytes: &[u8], from: usize) -> Option<(usize, usize)> {
    let is_word = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_';
    let is_code = |b: &u8| b.is_ascii_digit() || b.is_ascii_uppercase();
    let mut s = from;
    while s + 3 <= bytes.len() {
        // A code's second byte is a digit: the next place with a digit
        // there, found eight bytes at a time (`bytes` is ASCII, so the
        // reader stops at nothing else).
        match measure::next_number_byte(bytes, s + 1, false) {
            d if d + 2 <= bytes.len() => s = d - 1,
            _ => return None,
        }
        let starts = bytes[s + 1].is_ascii_digit()
            && matches!(bytes[s], b'A'..=b'T' | b'V'..=b'Z')
            && is_code(&bytes[s + 2])
            && (s == 0 || !is_word(&bytes[s - 1]));
        if starts {
            let e = s + 3;
            if bytes.get(e) == Some(&b'.') {
                let tail = bytes[e + 1..]
                    .iter()
                    .take(4)
                    .take_while(|b| is_code(b))
                    .count();
                if tail > 0 && !bytes.get(e + 1 + tail).is_some_and(is_word) {
                    return Some((s, e + 1 + tail));
                }
                return Some((s, e));
            }
            if !bytes.get(e).is_some_and(is_word) {
                return Some((s, e));
            }
        }
        s += 1;
    }
    None
}

/// The lines of a section that are sentences (not fields, not comments).
fn text_lines(section: &Section) -> impl Iterator<Item = &Line> {
    section
        .lines
        .iter()
        .filter(|l| matches!(l.kind, LineKind::Text))
}

fn field(section: &Section, label: Label) -> Option<&Field> {
    section
        .lines
        .iter()
        .filter_map(Line::field)
        .find(|f| f.label == label)
}

/// The first field of each label a procedure reads, found in one pass over
/// the section's lines, where [`field`] reads the lines again for each
/// label.
struct Fields<'s> {
    section: &'s Section,
    /// The first field of each label [`Fields::slot`] numbers.
    first: [Option<&'s Field>; Fields::SLOTS],
}

impl<'s> Fields<'s> {
    const SLOTS: usize = 12;

    /// Where the first field of `label` is kept, for the labels kept.
    fn slot(label: Label) -> Option<usize> {
        Some(match label {
            Label::Site => 0,
            Label::Lesion => 1,
            Label::Size => 2,
            Label::Indication => 3,
            Label::Technique => 4,
            Label::Procedure => 5,
            Label::Count => 6,
            Label::Margin => 7,
            Label::ExcisedDiameter => 8,
            Label::Defect => 9,
            Label::Repair => 10,
            Label::Pathology => 11,
            _ => return None,
        })
    }

    fn of(section: &'s Section) -> Fields<'s> {
        let mut first = [None; Fields::SLOTS];
        for f in section.lines.iter().filter_map(Line::field) {
            if let Some(k) = Fields::slot(f.label) {
                first[k].get_or_insert(f);
            }
        }
        Fields { section, first }
    }

    /// What [`field`] gives for the section and `label`.
    fn get(&self, label: Label) -> Option<&'s Field> {
        match Fields::slot(label) {
            Some(k) => self.first[k],
            None => field(self.section, label),
        }
    }
}

fn shift(m: Measure, offset: usize) -> Measure {
    Measure {
        span: Span::new(m.span.start + offset, m.span.end + offset),
        ..m
    }
}

/// The first un-hedged lesion class named in `text`.
fn lesion_class(text: &str) -> Option<(LesionClass, Span)> {
    let types = &vocab().lesion_types;
    // ASCII text is scanned once for the matches of every clause (see
    // `cues::clause_matches`): the first un-hedged one is the answer.
    if let Some(found) = cues::clause_matches(text, types) {
        for (c, m, class) in found {
            let clause = c.text(text);
            if !cues::is_hedged(clause, m) && !cues::is_negated_plain(clause, m) {
                return Some((*class, Span::new(c.start + m.start, c.start + m.end)));
            }
        }
        return None;
    }
    lesion_class_by_clauses(text)
}

/// [`lesion_class`], finding the matches clause by clause: for text that
/// is not ASCII, and for the tests, which hold the two to the same answers.
fn lesion_class_by_clauses(text: &str) -> Option<(LesionClass, Span)> {
    let types = &vocab().lesion_types;
    // A lesion type in a clause is one in the whole text too, so none
    // starts before the first one in the whole text.
    let (first, first_class) = types.find(text)?;
    let clauses = cues::clauses(text);
    // Text of one clause: its first type is the clause's first.
    if let [only] = clauses[..] {
        if only.start == 0
            && only.end == text.len()
            && !cues::is_hedged(text, first)
            && !cues::is_negated_plain(text, first)
        {
            return Some((first_class, first));
        }
    }
    for c in clauses {
        if c.end <= first.start {
            continue;
        }
        let clause = c.text(text);
        for (m, class) in types.find_all(clause) {
            if !cues::is_hedged(clause, m) && !cues::is_negated_plain(clause, m) {
                return Some((class, Span::new(c.start + m.start, c.start + m.end)));
            }
        }
    }
    None
}

/// The lesion class a pathology result gives. A malignancy anywhere in it,
/// not negated (as `cues::all_done` reads it), outranks the benign lesion
/// named with it ("SK with an associated SCC in situ"); else the class is
/// [`lesion_class`]'s. One pass over the clauses serves both.
fn pathology_class(value: &str) -> Option<LesionClass> {
    // ASCII text is scanned once for the matches of every clause (see
    // `cues::clause_matches`).
    if let Some(found) = cues::clause_matches(value, &vocab().lesion_types) {
        return pathology_class_of(value, found.map(|(c, m, class)| (c, m, *class)));
    }
    pathology_class_by_clauses(value)
}

/// [`pathology_class`], finding the matches clause by clause: for text
/// that is not ASCII, and for the tests, which hold the two to the same
/// answers.
fn pathology_class_by_clauses(value: &str) -> Option<LesionClass> {
    let types = &vocab().lesion_types;
    // A lesion type in a clause is one in the whole text too.
    if !types.is_match(value) {
        return None;
    }
    let found = cues::clauses(value).into_iter().flat_map(|c| {
        types
            .find_all(c.text(value))
            .into_iter()
            .map(move |(m, class)| (c, m, class))
    });
    pathology_class_of(value, found)
}

/// [`pathology_class`] from the lesion types found in `value`: each as its
/// clause, its span relative to the clause and its class, clause by
/// clause, left to right.
fn pathology_class_of(
    value: &str,
    found: impl Iterator<Item = (Span, Span, LesionClass)>,
) -> Option<LesionClass> {
    let mut first = None;
    for (c, m, class) in found {
        let clause = c.text(value);
        if class == LesionClass::Malignant && !cues::is_negated(clause, m) {
            return Some(LesionClass::Malignant);
        }
        if first.is_none() && !cues::is_hedged(clause, m) && !cues::is_negated_plain(clause, m) {
            first = Some(class);
        }
    }
    first
}

/// One procedure section's facts; `encounter` holds the encounter
/// lowered.
fn procedure<'e>(
    text: &str,
    index: usize,
    section: &'e Section,
    encounter: &Lowered,
    hits: &Hits,
    scratch: &mut Scratch<'e>,
) -> Option<Procedure> {
    let Scratch {
        sentence_lines,
        class_sources,
    } = scratch;
    let v = vocab();
    // The section lowered once, for the words looked for in its lines
    // before a regex, a phrase set or a measurement is run on them.
    // (A section is inside its encounter; one that is not is lowered on
    // its own, and the encounter's `hits` do not cover it.)
    let (lowered, hits) = match encounter.piece(section.span) {
        Some(piece) => (piece, Some(hits)),
        None => (Lowered::new(text, section.span), None),
    };
    // Whether a piece of the section may hold one of `words` (some of
    // `HIT_WORDS`), as `Lowered::may_contain_any` says.
    let may_hold = |piece: Span, words: &Words| match hits {
        Some(h) => h.any_in(piece, words),
        None => lowered.may_contain_any(piece, words),
    };
    let fields = Fields::of(section);
    let title = section.title.text(text);
    let stripped_len = heads::proc_prefix_len(title);
    let rest = &title[stripped_len..];
    let rest_offset = section.title.start + stripped_len;

    // The kind: the title, then a Procedure/Technique/Method field, then the
    // first sentence that says a procedure was done.
    let mut kind: Option<(ProcKind, Option<Technique>, Span)> = vocab::title_kind(rest)
        .map(|(k, t, s)| (k, t, Span::new(rest_offset + s.start, rest_offset + s.end)));
    let field_kind = |label: Label| {
        fields.get(label).and_then(|f| {
            cues::first_done(f.value.text(text), &v.procedures).map(|(s, (k, t))| {
                (
                    k,
                    t,
                    Span::new(f.value.start + s.start, f.value.start + s.end),
                )
            })
        })
    };
    // The fields are read only when the title leaves the kind open: no kind
    // at all, or a biopsy with no technique.
    if matches!(kind, None | Some((ProcKind::Biopsy, None, _))) {
        let technique_field = field_kind(Label::Technique).or_else(|| field_kind(Label::Procedure));
        match (&kind, &technique_field) {
            (None, Some(_)) => kind = technique_field,
            // A title that only says "biopsy" and a technique that says
            // "excisional biopsy": an excision.
            (
                Some((ProcKind::Biopsy, None, _)),
                Some((ProcKind::Excision | ProcKind::ShaveRemoval, _, _)),
            ) => kind = technique_field,
            _ => {}
        }
    }
    if kind.is_none() {
        // The sentences: a biopsy described with another procedure ("a punch
        // biopsy was taken first; the same lesion was then excised") is part
        // of that procedure, so the other kind wins.
        let found: Vec<(ProcKind, Option<Technique>, Span)> = section
            .lines
            .iter()
            .filter(|l| matches!(l.kind, LineKind::Text | LineKind::Specimen { .. }))
            .flat_map(|l| {
                sentence_kinds(l.body.text(text))
                    .into_iter()
                    .map(|(s, (k, t))| {
                        (
                            k,
                            t,
                            Span::new(l.body.start + s.start, l.body.start + s.end),
                        )
                    })
            })
            .collect();
        kind = found
            .iter()
            .min_by_key(|(k, _, _)| kind_priority(*k))
            .map(|(k, t, s)| {
                let tech = t.or_else(|| found.iter().filter(|f| f.0 == *k).find_map(|f| f.1));
                (*k, tech, *s)
            });
    }
    let (kind, title_tech, kind_span) = kind?;

    // Every procedure phrase in the section, for techniques and embedded
    // biopsies.
    let mut technique = title_tech.map(|t| (t, kind_span));
    if kind == ProcKind::Biopsy && technique.is_none() {
        for line in &section.lines {
            let body = match &line.kind {
                LineKind::Field(f)
                    if matches!(
                        f.label,
                        Label::Technique | Label::Procedure | Label::Lesion | Label::Indication
                    ) =>
                {
                    f.value
                }
                LineKind::Text | LineKind::Specimen { .. } => line.body,
                _ => continue,
            };
            // The first biopsy done that names its technique: each such
            // phrase holds one of `TECHNIQUE_WORDS`.
            if !lowered.may_contain_any(body, &TECHNIQUE_WORDS) {
                continue;
            }
            let found = cues::first_done_where(body.text(text), &v.procedures, |(k, t)| {
                *k == ProcKind::Biopsy && t.is_some()
            })
            .and_then(|(s, (_, t))| {
                t.map(|t| (t, Span::new(body.start + s.start, body.start + s.end)))
            });
            if found.is_some() {
                technique = found;
                break;
            }
        }
    }

    if kind == ProcKind::Biopsy && technique.is_none() {
        static SHAVE: Re = Re::new(r"(?i)\bshav(?:e|ed|ing)\b");
        technique = std::iter::once(section.title)
            .chain(section.lines.iter().map(|l| l.body))
            .find_map(|s| {
                SHAVE.find(s.text(text)).map(|m| {
                    (
                        Technique::Tangential,
                        Span::new(s.start + m.start(), s.start + m.end()),
                    )
                })
            });
    }
    let site_field = fields.get(Label::Site);
    let lesion_field = fields.get(Label::Lesion);
    let size_field = fields.get(Label::Size);
    let indication_field = fields.get(Label::Indication);

    // Lesions: one per specimen line, or one for the section.
    let letter_sites: Vec<(char, Site)> = site_field
        .map(|f| letter_sites(text, f.value))
        .unwrap_or_default();
    // One lesion per specimen line, or one for the section: allocated
    // once at its size.
    let specimen_lines = section
        .lines
        .iter()
        .filter(|l| matches!(l.kind, LineKind::Specimen { .. }))
        .count();
    let mut lesions = Vec::with_capacity(specimen_lines.max(1));
    // The lesion class of each specimen line's description, as
    // `lesion_class` reads it, with its span in the note: the class
    // sources below hold these descriptions, and do not read them again.
    let mut specimen_classes: Vec<(Span, Option<(LesionClass, Span)>)> = Vec::new();
    for line in &section.lines {
        if let LineKind::Specimen { letter, rest } = line.kind {
            let (lesion, class) = specimen_lesion(text, letter, rest, &letter_sites, &lowered);
            if let Some(d) = lesion.description {
                specimen_classes.push((d, class));
            }
            lesions.push(lesion);
        }
    }
    sentence_lines.clear();
    sentence_lines.extend(text_lines(section));
    let sentence_lines: &[&Line] = sentence_lines;
    // Whether the `Site:` field, read whole for the one lesion, gave its
    // site (`None` when it was not read so).
    let mut field_gave_site: Option<bool> = None;
    if lesions.is_empty() {
        let from_field = site_field.and_then(|f| site::parse(f.value.text(text), f.value.start));
        field_gave_site = site_field.map(|_| from_field.is_some());
        let site = from_field.or_else(|| {
            sentence_lines
                .iter()
                .find_map(|l| site::parse_term(l.body.text(text), l.body.start))
        });
        let size = size_field
            .and_then(|f| measure::lesion_size(f.value.text(text)).map(|m| shift(m, f.value.start)))
            .or_else(|| {
                lesion_field.and_then(|f| {
                    measure::lesion_size(f.value.text(text)).map(|m| shift(m, f.value.start))
                })
            })
            .or_else(|| sentence_size(text, sentence_lines));
        let description = lesion_field.map(|f| f.value).or_else(|| {
            size.and_then(|s| {
                sentence_lines
                    .iter()
                    .find(|l| l.body.contains(s.span.start))
                    .map(|l| l.body)
            })
        });
        let indication = indication_field.map(|f| f.value).or_else(|| {
            sentence_lines.iter().find_map(|l| {
                let body = l.body.text(text);
                v.hedges.find(body).map(|(s, ())| {
                    let clause_end = body[s.start..]
                        .find([',', ';', '.'])
                        .map(|e| s.start + e)
                        .unwrap_or(body.len());
                    Span::new(l.body.start + s.start, l.body.start + clause_end)
                })
            })
        });
        let span = description
            .or(site.as_ref().map(|s| s.span))
            .unwrap_or(section.heading);
        lesions.push(Lesion {
            span,
            letter: None,
            site,
            size,
            description,
            indication,
            technique: technique.map(|t| t.0),
            class: None,
        });
    }

    // All sites named in the section (destructions list several).
    let mut sites: Vec<Site> = match (site_field, field_gave_site) {
        // A field of one part lists the site read from it whole, when that
        // names a term; it is not read again.
        (Some(f), Some(gave)) if site::is_one_part(f.value.text(text)) => match gave {
            true => lesions[0]
                .site
                .clone()
                .filter(|s| s.term.is_some())
                .into_iter()
                .collect(),
            false => Vec::new(),
        },
        (Some(f), _) => site::parse_list(f.value.text(text), f.value.start),
        (None, _) => Vec::new(),
    };
    if sites.is_empty() {
        sites = lesions.iter().filter_map(|l| l.site.clone()).collect();
    }
    if sites.is_empty() {
        for l in sentence_lines {
            sites.extend(site::parse_list(l.body.text(text), l.body.start));
        }
    }

    // Lesion class: fields first, then sentences, specimen lines, title.
    // A source that is the same text as an earlier one (the one lesion's
    // description is the `Lesion:` field or a sentence) is left out: it
    // has the class the earlier one has, which was asked for first.
    class_sources.clear();
    let sources = (lesion_field.map(|f| f.value).into_iter())
        .chain(indication_field.map(|f| f.value))
        .chain(size_field.map(|f| f.value))
        .chain(sentence_lines.iter().map(|l| l.body))
        .chain(lesions.iter().filter_map(|l| l.description))
        .chain(fields.get(Label::Count).map(|f| f.value))
        .chain(std::iter::once(section.title));
    for s in sources {
        if !class_sources.contains(&s) {
            class_sources.push(s);
        }
    }
    // The class of each source, from the first on, as far as it is asked
    // for: no source is read twice.
    let class_of = |k: usize| {
        let s = class_sources[k];
        if let Some((_, class)) = specimen_classes.iter().find(|(d, _)| *d == s) {
            return *class;
        }
        lesion_class(s.text(text)).map(|(c, m)| (c, Span::new(s.start + m.start, s.start + m.end)))
    };
    let first_class = (0..class_sources.len()).find_map(|k| Some((k, class_of(k)?)));
    let section_class = first_class.map(|(_, c)| c);

    let section_text = section.span.text(text);
    let margin = fields
        .get(Label::Margin)
        .and_then(|f| {
            measure::measures(f.value.text(text))
                .into_iter()
                .filter(|m| m.role != Role::Landmark)
                .min_by_key(|m| m.min_um)
                .map(|m| {
                    let m = shift(m, f.value.start);
                    Measure { um: m.min_um, ..m }
                })
        })
        .or_else(|| {
            // The places of `margin` in the section, found once.
            let margins = lowered.places(&W_MARGIN);
            section.lines.iter().find_map(|l| {
                // A margin's size has the word `margin` next to it.
                if !margins.in_piece(l.body) {
                    return None;
                }
                let body = l.body.text(text);
                measure::find_measure(body, |m| m.role == Role::Margin).map(|m| {
                    let m = shift(m, l.body.start);
                    Measure { um: m.min_um, ..m }
                })
            })
        });
    let excised_diameter = fields
        .get(Label::ExcisedDiameter)
        .and_then(|f| {
            measure::find_measure(f.value.text(text), |m| m.shape != Shape::Range)
                .map(|m| shift(m, f.value.start))
        })
        .or_else(|| {
            let diameters = lowered.places(&W_DIAMETER);
            sentence_lines.iter().find_map(|l| {
                // `EXCISED_DIAMETER` needs the word `diameter`.
                if !diameters.in_piece(l.body) {
                    return None;
                }
                let body = l.body.text(text);
                let at = EXCISED_DIAMETER.find(body)?;
                measure::find_measure(&body[at.end()..], |m| {
                    m.shape != Shape::Range && m.role == Role::Plain
                })
                .map(|m| shift(m, l.body.start + at.end()))
            })
        });
    let defect = fields.get(Label::Defect).and_then(|f| {
        measure::find_measure(f.value.text(text), |m| m.shape != Shape::Range)
            .map(|m| shift(m, f.value.start))
    });
    let repair = repair(text, section, &fields, kind, &lowered);
    let pathology = fields.get(Label::Pathology).map(|f| {
        let value = f.value.text(text);
        let class = pathology_class(value);
        Pathology {
            span: f.value,
            pending: class.is_none() && v.pathology_pending.is_match(value),
            class,
        }
    });

    let mut dx = Vec::new();
    for f in section.lines.iter().filter_map(Line::field) {
        if f.label == Label::Dx {
            icd_codes_into(f.value.text(text), f.value.start, &mut dx);
        }
    }
    if dx.is_empty() {
        for l in &section.lines {
            if !matches!(l.kind, LineKind::Field(ref f) if f.label == Label::Pathology) {
                icd_codes_into(l.body.text(text), l.body.start, &mut dx);
            }
        }
    }

    // A history cue in the section, looked for only when it can matter:
    // with a lesion class in the sources, or a frozen section.
    let history = std::cell::OnceCell::new();
    // Each history cue holds one of `HISTORY_WORDS` (see the test).
    let has_history = || {
        *history.get_or_init(|| {
            lowered.whole_may_contain_any(&HISTORY_WORDS) && v.history.is_match(section_text)
        })
    };
    let prior_malignant = {
        let dx_malignant = dx.iter().find(|d| is_malignant_dx(&d.code)).map(|d| d.span);
        // A malignant lesion in the sources counts only with a history cue:
        // the first source whose class is malignant.
        let lesion_malignant = || {
            let (k, (class, span)) = first_class?;
            if class == LesionClass::Malignant {
                return Some(span);
            }
            (k + 1..class_sources.len()).find_map(|k| {
                class_of(k)
                    .filter(|(c, _)| *c == LesionClass::Malignant)
                    .map(|(_, s)| s)
            })
        };
        // With no class in any source there is no malignant one.
        if first_class.is_some() && has_history() {
            lesion_malignant().or(dx_malignant)
        } else {
            dx_malignant
        }
    };

    let stages: Vec<Stage> = section
        .lines
        .iter()
        .filter_map(|l| match l.field() {
            Some(Field {
                label: Label::Stage(n),
                value,
                ..
            }) => Some(stage(text, *n, *value)),
            _ => None,
        })
        .collect();
    let stage_count = if stages.is_empty() {
        let stage_words = lowered.places(&W_STAGE);
        sentence_lines.iter().find_map(|l| {
            // Every stage count holds the word `stage`.
            if !stage_words.in_piece(l.body) {
                return None;
            }
            let body = l.body.text(text);
            STAGES_RE
                .captures(body)
                .and_then(|c| measure::number(c.get(1)?.as_str()))
        })
    } else {
        None
    };
    let deep_structures = kind == ProcKind::Mohs
        && (sentence_lines
            .iter()
            .any(|l| cues::any_done(l.body.text(text), &v.mohs_deep))
            || stages
                .iter()
                .any(|s| cues::any_done(s.span.text(text), &v.mohs_deep)));

    let photo = (kind == ProcKind::Phototherapy).then(|| photo(text, section, kind_span, &lowered));
    let destruction = if kind == ProcKind::Destruction {
        destruction_groups(
            text,
            section,
            sentence_lines,
            section_class.map(|c| c.0),
            &lesions,
        )
    } else {
        Vec::new()
    };

    // Each cosmetic phrase holds one of `COSMETIC_WORDS` (see the test):
    // a section without them names none.
    let cosmetic = if may_hold(section.span, &COSMETIC_WORDS) {
        [indication_field.map(|f| f.value)]
            .into_iter()
            .flatten()
            .chain(sentence_lines.iter().map(|l| l.body))
            .chain(std::iter::once(section.title))
            .find_map(|s| {
                cues::first_done(s.text(text), &v.cosmetic)
                    .map(|(m, ())| Span::new(s.start + m.start, s.start + m.end))
            })
    } else {
        None
    };
    // Likewise each modifier-58 cue holds one of `MODIFIER58_WORDS`: only
    // the lines holding one are searched.
    let staged_cue = if lowered.whole_may_contain_any(&MODIFIER58_WORDS) {
        std::iter::once(section.title)
            .chain(section.lines.iter().map(|l| l.body))
            .filter(|s| lowered.may_contain_any(*s, &MODIFIER58_WORDS))
            .find_map(|s| {
                v.modifier58
                    .find(s.text(text))
                    .map(|(m, ())| Span::new(s.start + m.start, s.start + m.end))
            })
    } else {
        None
    };
    let embedded_biopsies = if kind == ProcKind::Biopsy {
        Vec::new()
    } else {
        sentence_lines
            .iter()
            // Each biopsy phrase holds one of `BIOPSY_WORDS` (see the test):
            // a line without them has no biopsy to find.
            .filter(|l| {
                lowered.may_contain_any(l.body, &BIOPSY_WORDS)
                    && v.done_now.is_match(l.body.text(text))
            })
            // The first biopsy done in each line.
            .filter_map(|l| {
                cues::first_done_where(l.body.text(text), &v.procedures, |(k, _)| {
                    *k == ProcKind::Biopsy
                })
                .map(|(s, (_, t))| EmbeddedBiopsy {
                    span: Span::new(l.body.start + s.start, l.body.start + s.end),
                    technique: t,
                })
            })
            .collect()
    };
    // A history cue already found rules the frozen section out unread.
    // Each frozen section phrase holds one of `FROZEN_WORDS` (see the test).
    let frozen_no_prior = history.get() != Some(&true)
        && may_hold(section.span, &FROZEN_WORDS)
        && v.frozen_section.is_match(section_text)
        && !has_history();
    let biopsy_count = if kind == ProcKind::Biopsy && lesions.len() == 1 {
        biopsy_count(section_text, may_hold(section.span, &BIOPSY_COUNT_WORDS)).unwrap_or(1)
    } else {
        1
    };

    Some(Procedure {
        section: index,
        heading: section.heading,
        span: section.span,
        kind,
        kind_span,
        technique,
        lesions,
        sites,
        margin,
        excised_diameter,
        defect,
        repair,
        pathology,
        prior_malignant,
        stages,
        stage_count,
        deep_structures,
        photo,
        destruction,
        dx,
        indication: indication_field.map(|f| f.value),
        description: lesion_field.map(|f| f.value),
        cosmetic,
        staged_cue,
        embedded_biopsies,
        frozen_no_prior,
        host: None,
        lesion_class: section_class,
        biopsy_count,
    })
}

static BIOPSY_COUNT: Re = Re::new(
    r"(?i)\b(\d{1,2}|two|three|four|five|six|seven|eight|nine|ten)\s+(?:[a-z0-9\-]+\s+){0,3}?(?:biopsies|bxs|punches)\b|\b(?:biopsies|bxs)\s*(?:x|×|#)\s*(\d{1,2})\b",
);

/// `two punch biopsies`, `4 mm punch biopsies x2`, in `text`.
/// `may_hold` says whether `text` may hold one of `BIOPSY_COUNT_WORDS`,
/// one of which each match holds: when not, it is not searched.
fn biopsy_count(text: &str, may_hold: bool) -> Option<u32> {
    if !may_hold {
        return None;
    }
    let c = cues::clauses(text).into_iter().find_map(|cl| {
        let clause = cl.text(text);
        BIOPSY_COUNT.captures(clause).filter(|c| {
            !cues::is_negated_plain(
                clause,
                Span::new(
                    c.get(0).map_or(0, |m| m.end()),
                    c.get(0).map_or(0, |m| m.end()),
                ),
            )
        })
    })?;
    let n = measure::number(c.get(1).or(c.get(2))?.as_str())?;
    (n > 1 && n <= 20).then_some(n)
}

static LENGTH_WORD: Re = Re::new(r"(?i)\blength\b|\blong\b");
static DEFECT_AFTER: Re = Re::new(r"(?i)^\s*(?:\w+\s+)?(?:defect|wound)\b");

/// A repair's length in a phrase: the size after `length`, else the last
/// single size that is not the defect.
fn repair_length(s: &str, offset: usize) -> Option<Measure> {
    repair_length_in(s, &measure::measures(s), offset)
}

/// [`repair_length`], given the sizes `measure::measures` finds in `s`.
fn repair_length_in(s: &str, measures: &[Measure], offset: usize) -> Option<Measure> {
    let ms: Vec<Measure> = measures
        .iter()
        .filter(|m| m.role == Role::Plain && m.shape == Shape::Single)
        .copied()
        .collect();
    // With no size there is nothing to pick, and `LENGTH_WORD` needs
    // `length` or `long`.
    if ms.is_empty() {
        return None;
    }
    if let Some(at) = cues::may_contain(s, &["length", "long"])
        .then(|| LENGTH_WORD.find(s))
        .flatten()
    {
        if let Some(m) = ms.iter().find(|m| m.span.start >= at.end()) {
            return Some(shift(*m, offset));
        }
    }
    // `DEFECT_AFTER` needs `defect` or `wound`.
    ms.into_iter()
        .rfind(|m| {
            let after = &s[m.span.end..];
            !(cues::may_contain(after, &["defect", "wound"]) && DEFECT_AFTER.is_match(after))
        })
        .map(|m| shift(m, offset))
}

/// Which kind a section is when its sentences name several.
fn kind_priority(kind: ProcKind) -> u8 {
    match kind {
        ProcKind::Mohs => 0,
        ProcKind::Excision => 1,
        ProcKind::ShaveRemoval => 2,
        ProcKind::Destruction => 3,
        ProcKind::Phototherapy => 4,
        ProcKind::Biopsy => 5,
        ProcKind::Repair => 6,
    }
}

static HEMOSTASIS: Re = Re::new(r"(?i)\bhemosta|\bhaemosta|\bbleeding\b");

/// Procedures a sentence says were done now, leaving out clauses about
/// hemostasis (`hemostasis with electrodesiccation` is no destruction).
/// A match in such a clause is left out before it is tested for negation,
/// which would not change whether it is kept.
fn sentence_kinds(text: &str) -> Vec<(Span, (ProcKind, Option<Technique>))> {
    // Most sentences name no procedure, and need no clauses.
    let clauses = std::cell::OnceCell::new();
    cues::all_done_where(text, &vocab().procedures, |s, _| {
        clauses
            .get_or_init(|| cues::clauses(text))
            .iter()
            .find(|c| c.start <= s.start && s.end <= c.end)
            .is_none_or(|c| !is_hemostasis(c.text(text)))
    })
}

/// Whether a clause is about hemostasis.
fn is_hemostasis(clause: &str) -> bool {
    // Each `HEMOSTASIS` match holds one of these.
    cues::may_contain(clause, &["hemosta", "haemosta", "bleeding"]) && HEMOSTASIS.is_match(clause)
}

/// [`sentence_kinds`] as it was: every un-negated match, then those
/// outside hemostasis clauses, for the tests to hold it to.
#[cfg(test)]
fn sentence_kinds_plain(text: &str) -> Vec<(Span, (ProcKind, Option<Technique>))> {
    let clauses = cues::clauses(text);
    cues::all_done(text, &vocab().procedures)
        .into_iter()
        .filter(|(s, _)| {
            clauses
                .iter()
                .find(|c| c.start <= s.start && s.end <= c.end)
                .is_none_or(|c| !is_hemostasis(c.text(text)))
        })
        .collect()
}

/// The lesion class diagnosis codes imply: L57.0 premalignant; L82, B07,
/// B08.1 benign; C43/C4A/C44/D03/D04 malignant.
pub fn dx_lesion_class(dx: &[Dx]) -> Option<LesionClass> {
    dx.iter().find_map(|d| {
        let c = d.code.to_ascii_uppercase();
        if c.starts_with("L57.0") {
            Some(LesionClass::Premalignant)
        } else if c.starts_with("L82") || c.starts_with("B07") || c.starts_with("B08.1") {
            Some(LesionClass::Benign)
        } else if is_malignant_dx(&c) {
            Some(LesionClass::Malignant)
        } else {
            None
        }
    })
}

/// Malignant (or in situ) diagnoses: C43, C4A, C44, D03, D04.
pub fn is_malignant_dx(code: &str) -> bool {
    // The prefixes are ASCII upper case: comparing the code's first bytes
    // ignoring ASCII case is comparing its upper case, with no copy.
    ["C43", "C4A", "C44", "D03", "D04"].iter().any(|p| {
        code.as_bytes()
            .get(..p.len())
            .is_some_and(|c| c.eq_ignore_ascii_case(p.as_bytes()))
    })
}

/// The lesion size in sentences: the first plain measurement in a clause
/// that is not about the defect, the repair, the margins or the specimen.
fn sentence_size(text: &str, lines: &[&Line]) -> Option<Measure> {
    for l in lines {
        let body = l.body.text(text);
        for c in cues::clauses(body) {
            let clause = c.text(body);
            // No size without a number.
            if !measure::may_hold_digit(clause) {
                continue;
            }
            // The size first: a clause without one is passed over whatever
            // it is about, and needs no more searching.
            let Some(m) = measure::lesion_size(clause) else {
                continue;
            };
            if NOT_SIZE_CLAUSE.is_match(clause) && !vocab().lesion_types.is_match(clause) {
                continue;
            }
            return Some(shift(m, l.body.start + c.start));
        }
    }
    None
}

/// `Site: (A) right cheek; (B) left forearm`.
fn letter_sites(text: &str, value: Span) -> Vec<(char, Site)> {
    static RE: Re = Re::new(r"\(([A-Za-z])\)\s*([^;()]*)");
    let s = value.text(text);
    // Each match starts with `(`.
    if !s.contains('(') {
        return Vec::new();
    }
    RE.captures_iter(s)
        .filter_map(|c| {
            let letter = c.get(1)?.as_str().chars().next()?.to_ascii_uppercase();
            let part = c.get(2)?;
            let site = site::parse(
                part.as_str().trim_end_matches([',', ' ']),
                value.start + part.start(),
            )?;
            Some((letter, site))
        })
        .collect()
}

/// One specimen line's lesion, and the lesion class of its description
/// with its span in the note. `lowered` holds the section lowered.
fn specimen_lesion(
    text: &str,
    letter: char,
    rest: Span,
    letter_sites: &[(char, Site)],
    lowered: &Lowered,
) -> (Lesion, Option<(LesionClass, Span)>) {
    let v = vocab();
    let body = rest.text(text);
    let mapped = letter_sites
        .iter()
        .find(|(l, _)| *l == letter)
        .map(|(_, s)| s.clone());
    let (site, desc) = match (mapped, body.find(':')) {
        (Some(site), _) => (Some(site), rest),
        (None, Some(colon)) => (
            site::parse(&body[..colon], rest.start),
            Span::new(rest.start + colon + 1, rest.end),
        ),
        (None, None) => (site::parse(body, rest.start), rest),
    };
    let desc_text = desc.text(text);
    let size = measure::lesion_size(desc_text).map(|m| shift(m, desc.start));
    let indication = desc_text
        .rfind(',')
        .map(|c| {
            let after = &desc_text[c + 1..];
            let lead = after.len() - after.trim_start().len();
            Span::new(desc.start + c + 1 + lead, desc.end)
        })
        .or_else(|| {
            v.hedges
                .find(desc_text)
                .map(|(s, ())| Span::new(desc.start + s.start, desc.end))
        });
    // Only a biopsy phrase that names a technique gives one, and each
    // holds one of `TECHNIQUE_WORDS` (see the test).
    let technique = if lowered.may_contain_any(rest, &TECHNIQUE_WORDS) {
        cues::first_done_where(body, &v.procedures, |(k, t)| {
            *k == ProcKind::Biopsy && t.is_some()
        })
        .and_then(|(_, (_, t))| t)
    } else {
        None
    };
    let class = lesion_class(desc_text)
        .map(|(c, m)| (c, Span::new(desc.start + m.start, desc.start + m.end)));
    let lesion = Lesion {
        span: rest,
        letter: Some(letter),
        site,
        size,
        description: Some(desc),
        indication,
        technique,
        class: class.map(|c| c.0),
    };
    (lesion, class)
}

/// The repair a section describes; `fields` holds its fields, `lowered`
/// the section lowered.
fn repair(
    text: &str,
    section: &Section,
    fields: &Fields,
    kind: ProcKind,
    lowered: &Lowered,
) -> Option<Repair> {
    // Each regex's matches hold one of the words looked for first: text
    // without them is not run through it.
    let classify = |s: &str| {
        if cues::may_contain(s, &["complex"]) && REPAIR_COMPLEX.is_match(s) {
            Some(RepairClass::Complex)
        } else if cues::may_contain(s, &["intermediate", "layer"])
            && REPAIR_INTERMEDIATE.is_match(s)
        {
            Some(RepairClass::Intermediate)
        } else if cues::may_contain(s, &["simple", "layer", "primar"]) && REPAIR_SIMPLE.is_match(s)
        {
            Some(RepairClass::Simple)
        } else {
            None
        }
    };
    let length_in = |ms: Vec<Measure>, offset: usize| {
        ms.into_iter()
            .filter(|m| m.shape != Shape::Range && matches!(m.role, Role::Plain))
            .max_by_key(|m| {
                // Prefer a length over the first of two dimensions.
                (m.shape == Shape::Single) as u8
            })
            .map(|m| shift(m, offset))
    };
    if let Some(f) = fields.get(Label::Repair) {
        let value = f.value.text(text);
        // The value's sizes, read once for both ways of finding the length.
        let ms = measure::measures(value);
        return Some(Repair {
            span: f.value,
            class: classify(value),
            length: repair_length_in(value, &ms, f.value.start)
                .or_else(|| length_in(ms, f.value.start)),
        });
    }
    // A repair section's own title says its class.
    if kind == ProcKind::Repair {
        let title = section.title.text(text);
        let mut class = classify(title);
        let mut length = None;
        let mut span = section.title;
        for l in &section.lines {
            let body = l.body.text(text);
            if class.is_none() {
                class = classify(body);
                if class.is_some() {
                    span = l.body;
                }
            }
            if length.is_none()
                && !matches!(l.field(), Some(f) if f.label == Label::Defect || f.label == Label::Margin)
            {
                length = measure::find_measure(body, |m| {
                    m.shape == Shape::Single && m.role == Role::Plain
                })
                .map(|m| shift(m, l.body.start));
            }
        }
        return Some(Repair {
            span,
            class,
            length,
        });
    }
    // A sentence that describes the closure.
    for l in section
        .lines
        .iter()
        .filter(|l| matches!(l.kind, LineKind::Text))
    {
        // Each `REPAIR_WORD` holds one of these: a line without them has no
        // sentence about the closure.
        static REPAIR_WORDS: Words = Words::new(&[&W_REPAIR, &W_CLOS, &W_LAYERED, &W_SUTURED]);
        if !lowered.may_contain_any(l.body, &REPAIR_WORDS) {
            continue;
        }
        let body = l.body.text(text);
        for c in cues::clauses_sentences(body) {
            let sentence = c.text(body);
            let at = Span::new(l.body.start + c.start, l.body.start + c.end);
            if !lowered.may_contain_any(at, &REPAIR_WORDS) || !REPAIR_WORD.is_match(sentence) {
                continue;
            }
            let Some(class) = classify(sentence) else {
                continue;
            };
            if cues::is_negated_plain(sentence, Span::new(sentence.len(), sentence.len()))
                && sentence.to_lowercase().contains("no ")
            {
                continue;
            }
            let length = repair_length(sentence, l.body.start + c.start).or_else(|| {
                // "Closed in layers. Final length 4.5 cm."
                section
                    .lines
                    .iter()
                    .filter(|x| x.body.start >= l.body.start + c.start)
                    .find_map(|x| {
                        if !lowered.may_contain_any(x.body, &LENGTH_WORDS) {
                            return None;
                        }
                        let t = x.body.text(text);
                        let at = LENGTH_WORD.find(t)?;
                        repair_length(&t[at.start()..], x.body.start + at.start())
                    })
            });
            return Some(Repair {
                span: Span::new(l.body.start + c.start, l.body.start + c.end),
                class: Some(class),
                length,
            });
        }
    }
    None
}

fn stage(text: &str, number: u32, value: Span) -> Stage {
    let v = vocab();
    let s = value.text(text);
    let blocks = stage_words::blocks_word(s).and_then(measure::number);
    // The phrase sets ignore ASCII case already: only other text is
    // lowered first.
    let lower = if s.is_ascii() {
        std::borrow::Cow::Borrowed(s)
    } else {
        std::borrow::Cow::Owned(s.to_lowercase())
    };
    let finding = if v.margin_clear.is_match(&lower) {
        Some(StageFinding::Clear)
    } else if v.margin_residual.is_match(&lower)
        || lesion_class(s).is_some_and(|c| c.0 == LesionClass::Malignant)
        || v.lesion_types.is_match(s)
    {
        Some(StageFinding::Residual)
    } else {
        None
    };
    Stage {
        number,
        span: value,
        blocks,
        mapped: stage_words::is_mapped(s),
        finding,
    }
}

/// A phototherapy section's facts; `lowered` holds the section lowered.
fn photo(text: &str, section: &Section, kind_span: Span, lowered: &Lowered) -> Photo {
    let v = vocab();
    let all = section.span.text(text);
    // The modality from what the section says was done now ("previously
    // treated with PUVA" and "tar shampoo at home" are not today's).
    // Which words the phrases done hold, lowered: an excimer word decides
    // the modality whatever else is done, so no line after it is read.
    let (mut excimer, mut puva, mut tar) = (false, false, false);
    for s in std::iter::once(section.title).chain(section.lines.iter().map(|l| l.body)) {
        if excimer {
            break;
        }
        let t = s.text(text);
        for (m, _) in cues::all_done(t, &v.procedures) {
            let done = m.text(t);
            let has = |w: &str| lowered_contains(done, w);
            excimer |= has("excimer") || has("xtrac") || has("targeted");
            puva |= has("puva") || has("psoralen");
            tar |= has("goeckerman") || has("tar");
        }
    }
    let modality = if excimer {
        Modality::Excimer
    } else if puva {
        Modality::Puva
    } else if tar {
        Modality::TarUvb
    } else {
        Modality::Uvb
    };
    let area = field(section, Label::Area)
        .and_then(|f| match measure::area(f.value.text(text)) {
            Some(Area::SqCm(n, s)) => Some(Area::SqCm(
                n,
                Span::new(f.value.start + s.start, f.value.start + s.end),
            )),
            Some(Area::PercentBsa(s)) => Some(Area::PercentBsa(Span::new(
                f.value.start + s.start,
                f.value.start + s.end,
            ))),
            None => None,
        })
        .or_else(|| {
            section
                .lines
                .iter()
                .find_map(|l| match measure::area(l.body.text(text)) {
                    Some(Area::SqCm(n, s)) => Some(Area::SqCm(
                        n,
                        Span::new(l.body.start + s.start, l.body.start + s.end),
                    )),
                    _ => None,
                })
        });
    let session = field(section, Label::Session)
        .and_then(|f| {
            let s = f.value.text(text);
            let n = measure::count_value(s)?;
            Some((n, f.value))
        })
        .or_else(|| {
            section.lines.iter().find_map(|l| {
                // Each `SESSION_RE` match holds one of these words.
                if !lowered.may_contain_any(l.body, &SESSION_WORDS) {
                    return None;
                }
                let body = l.body.text(text);
                let c = SESSION_RE.captures(body)?;
                let g = c.get(1).or(c.get(2))?;
                Some((
                    g.as_str().parse().ok()?,
                    Span::new(l.body.start + g.start(), l.body.start + g.end()),
                ))
            })
        });
    // Each `HOURS_RE` match holds `hour` or `hr`.
    let hours = lowered
        .whole_may_contain_any(&HOURS_WORDS)
        .then(|| HOURS_RE.captures(all))
        .flatten()
        .and_then(|c| c.get(1)?.as_str().parse().ok());
    Photo {
        modality,
        span: kind_span,
        area,
        session,
        hours,
    }
}

/// Whether `text`, lowered, holds `word` (ASCII, lower case): ASCII text
/// is compared ignoring ASCII case, with no lowered copy.
fn lowered_contains(text: &str, word: &str) -> bool {
    if text.is_ascii() {
        text.as_bytes()
            .windows(word.len())
            .any(|w| w.eq_ignore_ascii_case(word.as_bytes()))
    } else {
        text.to_lowercase().contains(word)
    }
}

fn destruction_groups(
    text: &str,
    section: &Section,
    sentence_lines: &[&Line],
    class: Option<LesionClass>,
    lesions: &[Lesion],
) -> Vec<DestructionGroup> {
    let v = vocab();
    // `Count:` wins; then a per-site breakdown; then counts attached to
    // lesion nouns in sentences and fields.
    if let Some(f) = field(section, Label::Count) {
        if let Some(n) = measure::count_value(f.value.text(text)) {
            return vec![DestructionGroup {
                class,
                count: Some(n),
                count_span: Some(f.value),
            }];
        }
    }
    let mut pairs: Vec<(Option<LesionClass>, u32, Span)> = Vec::new();
    let mut sources: Vec<Span> = sentence_lines.iter().map(|l| l.body).collect();
    for label in [
        Label::Lesion,
        Label::Indication,
        Label::Site,
        Label::Technique,
        Label::Size,
    ] {
        if let Some(f) = field(section, label) {
            sources.push(f.value);
        }
    }
    sources.push(section.title);
    for s in &sources {
        let body = s.text(text);
        for (m, n) in measure::noun_counts(body) {
            let noun = m.text(body);
            let noun_class = v.lesion_types.find(noun).map(|(_, c)| c);
            pairs.push((noun_class, n, Span::new(s.start + m.start, s.start + m.end)));
        }
    }
    let distinct: Vec<LesionClass> = {
        let mut d: Vec<LesionClass> = pairs.iter().filter_map(|p| p.0).collect();
        d.dedup();
        d
    };
    if distinct.len() > 1 {
        // Several lesion types counted separately: one group each.
        let mut groups: Vec<DestructionGroup> = Vec::new();
        for (c, n, span) in &pairs {
            let Some(c) = c else { continue };
            match groups.iter_mut().find(|g| g.class == Some(*c)) {
                Some(g) => {
                    g.count = Some(g.count.unwrap_or(0).max(*n));
                }
                None => groups.push(DestructionGroup {
                    class: Some(*c),
                    count: Some(*n),
                    count_span: Some(*span),
                }),
            }
        }
        return groups;
    }
    if let Some(f) = field(section, Label::Site) {
        if let Some(n) = measure::breakdown_sum(f.value.text(text)) {
            return vec![DestructionGroup {
                class,
                count: Some(n),
                count_span: Some(f.value),
            }];
        }
    }
    // Counts in separate sentences add up ("5 AKs of the scalp …", "3 AKs
    // of the hand …"), one count per sentence line.
    let mut per_line: Vec<(u32, Span)> = Vec::new();
    for l in sentence_lines {
        if let Some((_, n, span)) = pairs.iter().find(|(_, _, sp)| l.body.contains(sp.start)) {
            per_line.push((*n, *span));
        }
    }
    if !per_line.is_empty() {
        return vec![DestructionGroup {
            class,
            count: Some(per_line.iter().map(|x| x.0).sum()),
            count_span: Some(per_line[0].1),
        }];
    }
    // Only a breakdown in a sentence: its sum is the count.
    for l in sentence_lines {
        if let Some(n) = measure::breakdown_sum(l.body.text(text)) {
            return vec![DestructionGroup {
                class,
                count: Some(n),
                count_span: Some(l.body),
            }];
        }
    }
    if let Some((_, n, span)) = pairs.first() {
        return vec![DestructionGroup {
            class,
            count: Some(*n),
            count_span: Some(*span),
        }];
    }
    // Specimen lines, one lesion each; or one lesion described with its size.
    let count = if lesions.len() > 1 {
        Some(lesions.len() as u32)
    } else if lesions.first().is_some_and(|l| l.size.is_some()) {
        Some(1)
    } else {
        None
    };
    vec![DestructionGroup {
        class,
        count,
        count_span: None,
    }]
}

/// The items of an Assessment/Plan section, appended to `out` (the
/// encounter's problems, with no Vec of their own).
fn assessment(text: &str, section: &Section, kinds: KindSet, out: &mut Vec<Problem>) {
    let v = vocab();
    // Items: list entries, with following plain lines as continuations
    // (at most one per line: room for them all, allocated once).
    let mut items: Vec<Span> = Vec::with_capacity(section.lines.len());
    for l in &section.lines {
        match l.kind {
            LineKind::Blank | LineKind::Comment => continue,
            _ => {}
        }
        if l.bullet.is_some() || items.is_empty() {
            items.push(l.body);
        } else if let Some(last) = items.last_mut() {
            last.end = l.body.end;
        }
    }
    out.extend(items.into_iter().map(|span| {
        let s = span.text(text);
        // With no procedure in the encounter, none can be named.
        let named = !kinds.is_empty()
            && cues::first_done_where(s, &v.procedures, |(k, _)| kinds.contains(*k)).is_some();
        let linked = named || v.see_procedure.is_match(s);
        Problem {
            span,
            linked,
            has_plan: v.plan.is_match(s),
            dx: icd_codes(s, span.start),
        }
    }));
}

/// Text for the property tests: up to `most` pieces picked from `pieces`
/// (words of the vocabulary, numbers, the bytes clauses split at),
/// joined by `sep`.
#[cfg(test)]
pub(crate) fn text_of(
    pieces: Vec<&'static str>,
    most: usize,
    sep: &'static str,
) -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    prop::collection::vec(prop::sample::select(pieces), 0..most).prop_map(move |ps| ps.join(sep))
}

#[cfg(test)]
mod tests;
