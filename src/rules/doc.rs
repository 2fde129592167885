//! The `doc/*` rules: the documentation a payer audit needs. One file per
//! code (`doc_biopsy_site.rs` for `doc/biopsy-site`, …), each with its own
//! `check`; this module registers them and holds the helpers they share.
//!
//! Every `doc/*` code is a warning except `doc/pathology-pending` (info).
//! Source: PRODUCT.md "Diagnostic codes", CODING-RULES.md.

#[path = "doc_biopsy_description.rs"]
mod doc_biopsy_description;
#[path = "doc_biopsy_indication.rs"]
mod doc_biopsy_indication;
#[path = "doc_biopsy_site.rs"]
mod doc_biopsy_site;
#[path = "doc_biopsy_technique.rs"]
mod doc_biopsy_technique;
#[path = "doc_destruction_count.rs"]
mod doc_destruction_count;
#[path = "doc_destruction_method.rs"]
mod doc_destruction_method;
#[path = "doc_destruction_site.rs"]
mod doc_destruction_site;
#[path = "doc_destruction_type.rs"]
mod doc_destruction_type;
#[path = "doc_em_separate_problem.rs"]
mod doc_em_separate_problem;
#[path = "doc_excision_closure.rs"]
mod doc_excision_closure;
#[path = "doc_excision_lesion_size.rs"]
mod doc_excision_lesion_size;
#[path = "doc_excision_margins.rs"]
mod doc_excision_margins;
#[path = "doc_excision_pathology.rs"]
mod doc_excision_pathology;
#[path = "doc_mohs_final_margin.rs"]
mod doc_mohs_final_margin;
#[path = "doc_mohs_stage.rs"]
mod doc_mohs_stage;
#[path = "doc_pathology_pending.rs"]
mod doc_pathology_pending;
#[path = "doc_phototherapy_area.rs"]
mod doc_phototherapy_area;
#[path = "doc_repair_length.rs"]
mod doc_repair_length;

use crate::re::Re;

use super::registry::{Rule, Severity};
use super::{Ctx, Finding};
use crate::extract::{Lesion, Measure, Procedure, cues, measure};
use crate::note::{Line, LineKind, parse_line};
use crate::span::Span;
use crate::vocab::Label;

pub(super) const RULES: &[Rule] = &[
    Rule {
        code: doc_biopsy_site::CODE,
        severity: Severity::Warning,
        title: "Biopsy site not specific",
        doc: "A biopsy whose anatomic location is missing or not specific. Specific = laterality (or a midline word for a midline site: `mid back`, `nasal tip`) and either a sub-site or subunit (`posterior`, `volar`, `dorsal`, `upper`, `nasal ala`, `helix`) or a measured landmark (`5 cm distal to the antecubital fossa`). Why: an auditor, and the surgeon who may later excise the site, must be able to find the exact spot biopsied; `back` or `left arm` cannot be found again and does not show that two biopsies were distinct lesions. Example: `Site: left arm` → `Site: left dorsal forearm, 5 cm distal to the antecubital fossa`. Source: AAD biopsy documentation guidance; CMS documentation guidelines; PRODUCT.md.",
    },
    Rule {
        code: doc_biopsy_description::CODE,
        severity: Severity::Warning,
        title: "Biopsy lesion not described",
        doc: "A biopsy with no lesion description: neither a size nor a morphology (`0.6 x 0.5 cm pink scaly papule`), in a `Lesion:` field, the lesion's `(A)` line or a sentence. Why: the description is what makes the biopsy medically necessary and ties the specimen to one lesion; without it an audit cannot tell what was sampled. Example: `Site: back` alone → add `Lesion: 0.6 cm pink scaly papule`. Source: CMS documentation guidelines; AAD DCC \"New skin biopsy codes\" (2018); PRODUCT.md.",
    },
    Rule {
        code: doc_biopsy_indication::CODE,
        severity: Severity::Warning,
        title: "Biopsy indication missing",
        doc: "A biopsy with no indication: no `Indication:` (`Reason:`) field, no `r/o …` or reason on the lesion's line, and no reason (changing, bleeding, symptomatic, suspicious for …) in the section or in the assessment item that names the biopsy. Why: medical necessity; a biopsy without a reason is the first thing an audit denies. Example: add `Indication: r/o SCC` or `changing nevus`. Source: CMS medical-necessity requirement (SSA §1862(a)(1)(A)); PRODUCT.md.",
    },
    Rule {
        code: doc_biopsy_technique::CODE,
        severity: Severity::Warning,
        title: "Biopsy technique missing",
        doc: "A biopsy whose technique is not documented: tangential (shave, saucerization, scoop), punch, or incisional (wedge). Why: since 2019 the biopsy code depends on the technique (11102 tangential, 11104 punch, 11106 incisional, with their add-ons), so without it no code can be chosen. Example: `## Procedure: biopsy` with no technique → `Technique: 4 mm punch`. Source: CPT 2019 biopsy codes, AAD DCC Fall 2018 \"New skin biopsy codes\".",
    },
    Rule {
        code: doc_excision_lesion_size::CODE,
        severity: Severity::Warning,
        title: "Excision without the lesion size",
        doc: "An excision without the lesion's size (its greatest clinical diameter, measured before excision). Why: the excision code's size tier is the lesion diameter plus twice the narrowest margin; the pathology specimen size or the wound length do not substitute for it. Example: `Lesion: tan papule` → `Lesion: 0.8 cm tan papule`. Source: CPT excision guidelines as taught by AAPC (\"4 Steps for Improved Excision Coding\", 2020).",
    },
    Rule {
        code: doc_excision_margins::CODE,
        severity: Severity::Warning,
        title: "Excision without margins",
        doc: "An excision with neither the margin taken (`Margins: 0.2 cm`) nor a stated excised diameter. Why: the excised diameter (lesion + 2 × narrowest margin) picks the code; without the margin the code falls back to the lesion size alone and is usually a tier too low, and an audit cannot check the tier. Example: `Margins: 2 mm`. Source: CPT excision guidelines as taught by AAPC (2020); AAD.",
    },
    Rule {
        code: doc_excision_closure::CODE,
        severity: Severity::Warning,
        title: "Excision without the closure type",
        doc: "An excision whose closure is not documented as simple, intermediate (layered) or complex (or a flap, graft or healing by secondary intention). Why: a simple closure is included in the excision, while intermediate and complex repairs are billed separately (12031–13153); an auditor needs the type to accept either. Example: `Repair: intermediate, 2.8 cm`. Source: CPT repair guidelines; CODING-RULES.md \"Repair\".",
    },
    Rule {
        code: doc_excision_pathology::CODE,
        severity: Severity::Warning,
        title: "Excision without pathology",
        doc: "An excision that does not say the specimen went to pathology, or what pathology showed. Why: benign (11400–11446) versus malignant (11600–11646) follows the pathology; some payers (UnitedHealthcare) want the report for every excision. Example: `Pathology: sent` or `Pathology: nodular BCC, margins clear`. Source: CPT excision guidelines; CODING-RULES.md.",
    },
    Rule {
        code: doc_repair_length::CODE,
        severity: Severity::Warning,
        title: "Repair without length",
        doc: "An intermediate or complex repair whose length in centimetres is not documented. Why: repair codes are chosen by length (summed per class and site group); without it the repair cannot be billed. Example: `Repair: intermediate, layered closure` → `Repair: intermediate, 3.2 cm`. Source: CPT repair guidelines (12031–13153).",
    },
    Rule {
        code: doc_destruction_count::CODE,
        severity: Severity::Warning,
        title: "Destruction without the number of lesions",
        doc: "A destruction that does not say how many lesions were treated (`Count: 8`, `8 AKs`, `twelve actinic keratoses`). Why: 17000/17003/17004 and 17110/17111 are counted per lesion, so the count sets the codes and units (and payer thresholds such as 15). Example: `Lesions treated with LN2` → `8 AKs treated with LN2`. Source: AAD Dermatology World, Elston (Nov 2011); CMS MUE 2026.",
    },
    Rule {
        code: doc_destruction_site::CODE,
        severity: Severity::Warning,
        title: "Destruction without the lesions' location",
        doc: "A destruction that does not say where the treated lesions were. Why: an audit must be able to match the treated lesions to the exam, and malignant destructions (17260–17286) are coded by site group. Example: `Site: scalp (5), dorsal hands (3)`. Source: CMS documentation guidelines; CODING-RULES.md \"Destruction\".",
    },
    Rule {
        code: doc_destruction_method::CODE,
        severity: Severity::Warning,
        title: "Destruction without the method",
        doc: "A destruction whose method is not documented: cryotherapy (liquid nitrogen), electrodesiccation and curettage, curettage, laser, chemical (cantharidin, TCA). Why: the procedure note must say what was done; `lesions destroyed` alone does not document a procedure. Example: `## Procedure: destruction` → `Method: liquid nitrogen, two freeze-thaw cycles`. Source: CMS documentation guidelines; CPT 17000–17286.",
    },
    Rule {
        code: doc_destruction_type::CODE,
        severity: Severity::Warning,
        title: "Destruction without the lesion type",
        doc: "A destruction that does not say whether the lesions are premalignant (actinic keratoses), benign (seborrheic keratoses, warts, molluscum) or malignant (BCC, SCC), in the text or by a diagnosis code. Why: the three series are different codes (17000–17004, 17110/17111, 17260–17286), and using one for the other is a denial; skin tags and vascular lesions have no destruction code here. Example: `Lesions treated with LN2` → `6 AKs treated with LN2`. Source: AAD Dermatology World, Elston (Nov 2011); CODING-RULES.md.",
    },
    Rule {
        code: doc_mohs_stage::CODE,
        severity: Severity::Warning,
        title: "Mohs stage line incomplete",
        doc: "A Mohs `Stage N:` line without its number of blocks, its map (`mapped`), or its histologic finding (where tumour remains, or clear / negative / tumor-free). Why: Mohs codes pay for mapping and histologic examination of every stage and for blocks beyond five (+17315); a stage without them is not documented Mohs. Example: `Stage 1: 3 blocks, residual BCC at 12 o'clock` → `Stage 1: 3 blocks, mapped, residual BCC at 12 o'clock`. Source: CPT 17311–17315 descriptors; AAD DW March 2020 (Miller).",
    },
    Rule {
        code: doc_mohs_final_margin::CODE,
        severity: Severity::Warning,
        title: "Mohs final stage not clear",
        doc: "Mohs whose final stage does not document clear margins (`margins clear`, `negative`, `tumor-free`). Why: the last stage is where tumour removal is confirmed; a procedure that stops with tumour remaining, or says nothing, needs the reason and the plan documented and is often questioned. Example: `Stage 2: 2 blocks, mapped, residual BCC at the deep margin` as the last stage. Source: CPT Mohs guidelines; CodingIntel \"Coding for Mohs\".",
    },
    Rule {
        code: doc_phototherapy_area::CODE,
        severity: Severity::Warning,
        title: "Laser phototherapy without the area",
        doc: "Excimer laser (targeted) phototherapy without the total area treated in square centimetres. Why: 96920 / 96921 / 96922 are chosen by total area (< 250, 250–500, > 500 sq cm); a % BSA does not give the tier. Example: `Area: 180 sq cm`. Source: CPT 96920–96922.",
    },
    Rule {
        code: doc_em_separate_problem::CODE,
        severity: Severity::Warning,
        title: "E/M without a separately identifiable problem",
        doc: "An `E/M:` on a day with procedures, but no separately identifiable problem documented: every assessment item is the reason for a procedure, or has no plan of its own. The decision to do a minor procedure is part of the procedure, so the E/M is dropped from the claim. Why: modifier 25 on such an E/M is a top OIG finding in dermatology. Example: add the separate problem with its plan (`Plaque psoriasis (L40.0): start clobetasol`), or remove the E/M. Source: OIG reports on modifier 25 (2005; Nov 2025); CMS NCCI Policy Manual; CMS Claims Processing Manual ch. 12 §40.",
    },
    Rule {
        code: doc_pathology_pending::CODE,
        severity: Severity::Info,
        title: "Excision coded benign while pathology is pending",
        doc: "An excision coded with a benign code (11400–11446) because the pathology is pending and no prior diagnosis of malignancy is documented. The code may change to the malignant series (11600–11646) when the report arrives. Why: the excision code follows the pathology; billing before the report means a corrected claim if it shows a malignancy. Example: `Pathology: sent` with `Indication: r/o dysplastic nevus`. Source: CPT excision guidelines as taught by AAPC (2020); CODING-RULES.md.",
    },
];

pub(super) fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    doc_biopsy_site::check(ctx, out);
    doc_biopsy_description::check(ctx, out);
    doc_biopsy_indication::check(ctx, out);
    doc_biopsy_technique::check(ctx, out);
    doc_excision_lesion_size::check(ctx, out);
    doc_excision_margins::check(ctx, out);
    doc_excision_closure::check(ctx, out);
    doc_excision_pathology::check(ctx, out);
    doc_repair_length::check(ctx, out);
    doc_destruction_count::check(ctx, out);
    doc_destruction_site::check(ctx, out);
    doc_destruction_method::check(ctx, out);
    doc_destruction_type::check(ctx, out);
    doc_mohs_stage::check(ctx, out);
    doc_mohs_final_margin::check(ctx, out);
    doc_phototherapy_area::check(ctx, out);
    doc_em_separate_problem::check(ctx, out);
    doc_pathology_pending::check(ctx, out);
}

/// The lines of a procedure section after its heading, as parsed.
fn section_lines<'a>(ctx: &Ctx<'a>, p: &Procedure) -> impl Iterator<Item = &'a Line> {
    ctx.encounter.sections[p.section]
        .lines
        .iter()
        .filter(|l| !matches!(l.kind, LineKind::Blank | LineKind::Comment))
}

/// Whether a sentence of the section matches `word` and holds a
/// measurement that `keep` accepts (`excised with 1 cm surgical margins`,
/// `Final length 4.5 cm.`).
fn sentence_with_measure(
    ctx: &Ctx,
    p: &Procedure,
    word: &Re,
    keep: impl Fn(&Measure) -> bool,
) -> bool {
    section_lines(ctx, p)
        .filter(|l| matches!(l.kind, LineKind::Text))
        .any(|l| {
            let body = l.body.text(ctx.text);
            cues::clauses_sentences(body).iter().any(|c| {
                let clause = c.text(body);
                word.is_match(clause) && measure::measures(clause).iter().any(&keep)
            })
        })
}

/// The trimmed body of the line that holds `span`'s start.
fn line_body(text: &str, span: Span) -> Span {
    let at = span.start.min(text.len());
    let Some(before) = text.get(..at) else {
        return span;
    };
    // Line ends are single bytes that no other character's bytes hold, so
    // they are found among bytes, a word at a time, rather than a
    // character at a time.
    let start = memchr::memrchr2(b'\n', b'\r', before.as_bytes()).map_or(0, |i| i + 1);
    let end = memchr::memchr2(b'\n', b'\r', &text.as_bytes()[at..]).map_or(text.len(), |i| at + i);
    crate::note::line_body(text, Span::new(start, end))
}

/// The whole `Label: value` line when `span` lies in a field's value;
/// otherwise `span` itself (a sentence or part of one).
fn field_or_self(text: &str, span: Span) -> Span {
    let line = line_body(text, span);
    let parsed = parse_line(text, line);
    match parsed.field() {
        Some(f) if f.value.start <= span.start && span.end <= f.value.end => line,
        _ => span,
    }
}

/// Where to point when something about one lesion is missing: its `(A)`
/// line when it has one, else the procedure's heading.
fn lesion_anchor(text: &str, p: &Procedure, lesion: &Lesion) -> Span {
    if lesion.letter.is_some() {
        line_body(text, lesion.span)
    } else {
        p.heading
    }
}

/// The lines of a section a free-text search may read: sentences, `(A)`
/// lines and fields other than those whose value is about something else
/// (`Dx`, `Pathology`, `Session`, …), plus the title. Yielded one at a
/// time, in order: the rules stop at the first that tells them what they
/// look for, and no list is built for them.
fn prose<'a>(
    ctx: &'a Ctx,
    p: &'a Procedure,
    labels: &'a [Label],
) -> impl Iterator<Item = Span> + 'a {
    let title = std::iter::once_with(move || line_body(ctx.text, p.heading));
    title.chain(section_lines(ctx, p).filter_map(move |l| match &l.kind {
        LineKind::Text | LineKind::Specimen { .. } => Some(l.body),
        LineKind::Field(f) if labels.contains(&f.label) => Some(f.value),
        _ => None,
    }))
}

static PATH_WORD: Re = Re::new(
    r"(?i)\b(?:path|pathology|histopath\w*|histolog\w*|dermpath|dermatopath\w*|specimens?|permanent\s+sections?|h&e)\b",
);
static PATH_SENT: Re = Re::new(
    r"(?i)\b(?:sent|submitted|pending|to\s+follow|awaiting|awaited|shows?|showed|revealed|demonstrat\w+|confirmed|consistent\s+with|read\s+as)\b",
);
static NOT_SENT: Re =
    Re::new(r"(?i)^\s*(?:none|n/?a|not\s+(?:sent|submitted|done)|no\b|discarded)");

/// How the section documents pathology: the `Pathology:` field (unless it
/// says none was sent), or a sentence that sends the specimen or gives a
/// result (`Specimen sent to pathology.`). The span is the field's line or
/// the sentence.
fn pathology_documented(ctx: &Ctx, p: &Procedure) -> Option<Span> {
    match pathology_at(ctx, p)? {
        PathologyAt::Field(value) => Some(field_or_self(ctx.text, value)),
        PathologyAt::Sentence(sentence) => Some(sentence),
    }
}

/// Where [`pathology_documented`] finds pathology, before a field's value
/// is widened to its line: for a rule that asks only whether it is there.
enum PathologyAt {
    /// The `Pathology:` field's value.
    Field(Span),
    /// A sentence of the section.
    Sentence(Span),
}

/// Whether the section documents pathology, and where (see
/// [`pathology_documented`]).
fn pathology_at(ctx: &Ctx, p: &Procedure) -> Option<PathologyAt> {
    let text = ctx.text;
    if let Some(path) = &p.pathology {
        if NOT_SENT.is_match(path.span.text(text)) {
            return None;
        }
        return Some(PathologyAt::Field(path.span));
    }
    for l in section_lines(ctx, p) {
        if !matches!(l.kind, LineKind::Text) {
            continue;
        }
        let body = l.body.text(text);
        for c in cues::clauses_sentences(body) {
            let sentence = c.text(body);
            if PATH_WORD.is_match(sentence)
                && PATH_SENT.is_match(sentence)
                && !NOT_SENT.is_match(sentence)
                && !sentence.to_lowercase().contains("not sent")
            {
                return Some(PathologyAt::Sentence(l.body.sub(c.start, c.end)));
            }
        }
    }
    None
}

#[cfg(test)]
use super::fired;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_with_their_severity() {
        assert_eq!(RULES.len(), 18);
        for r in RULES {
            assert!(r.code.starts_with("doc/"));
            let want = if r.code == doc_pathology_pending::CODE {
                Severity::Info
            } else {
                Severity::Warning
            };
            assert_eq!(r.severity, want, "{}", r.code);
        }
    }

    #[test]
    fn field_lines_and_sentences() {
        let text = "## X\nSite: left arm\nA sentence here. Another.\n";
        let value = Span::new(11, 19);
        assert_eq!(field_or_self(text, value).text(text), "Site: left arm");
        let sentence = Span::new(37, 45);
        assert_eq!(field_or_self(text, sentence).text(text), "Another.");
    }

    /// [`line_body`] as it was: the line ends looked for a character at a
    /// time.
    fn line_body_by_chars(text: &str, span: Span) -> Span {
        let at = span.start.min(text.len());
        let Some(before) = text.get(..at) else {
            return span;
        };
        let start = before.rfind(['\n', '\r']).map_or(0, |i| i + 1);
        let end = text[at..].find(['\n', '\r']).map_or(text.len(), |i| at + i);
        crate::note::line_body(text, Span::new(start, end))
    }

    proptest::proptest! {
        #[test]
        fn line_bodies_found_by_bytes_are_those_by_characters(
            text in "[a \r\n×-]{0,24}",
            start in 0usize..30,
        ) {
            let span = Span::new(start, start);
            proptest::prop_assert_eq!(line_body(&text, span), line_body_by_chars(&text, span));
        }
    }
}
