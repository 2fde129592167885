//! Completion: field labels at the start of a line (header labels in the
//! encounter header, procedure fields elsewhere) and a snippet per procedure
//! kind laying out every field an audit needs; sites after `Site:`; payers
//! after `Payer:`; ICD-10-CM codes after `Dx:`; in `## Billing`, CPT codes
//! (the derived claim's lines first) and, after a code and `-`, modifiers
//! (the ones the documentation supports first).

use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;
use tower_lsp_server::lsp_types::{
    CompletionItem, CompletionItemKind, CompletionList, CompletionResponse, CompletionTextEdit,
    Documentation, InsertTextFormat, MarkupContent, MarkupKind, Range, TextEdit,
};

use super::document::Snapshot;
use super::hover;
use super::pos;
use crate::codes;
use crate::fix::render_line;
use crate::note::Encounter;
use crate::rules::claim::EncounterClaim;
use crate::span::Span;
use crate::vocab::SectionClass;

const VOCABULARY: &str = include_str!("../../grammar/vocabulary.json");

/// The parts of the vocabulary completion offers.
struct Words {
    header_labels: Vec<String>,
    field_labels: Vec<String>,
    /// (phrase, anatomic term, region)
    sites: Vec<(String, String, String)>,
    laterality: Vec<String>,
    payers: Vec<String>,
}

static WORDS: LazyLock<Words> = LazyLock::new(|| {
    let v: Value = serde_json::from_str(VOCABULARY).unwrap_or(Value::Null);
    let list = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut header_labels = Vec::new();
    let mut field_labels = Vec::new();
    for l in v["labels"].as_array().into_iter().flatten() {
        let Some(name) = l["names"]
            .as_array()
            .and_then(|n| n.first())
            .and_then(Value::as_str)
        else {
            continue;
        };
        let display = display_label(name);
        match l["label"].as_str() {
            Some("patient" | "payer" | "visit" | "em" | "provider" | "date") => {
                header_labels.push(display)
            }
            _ => field_labels.push(display),
        }
    }
    let mut sites = Vec::new();
    for s in v["sites"].as_array().into_iter().flatten() {
        let term = s["term"].as_str().unwrap_or_default().to_string();
        let region = s["region"].as_str().unwrap_or_default().to_string();
        for phrase in list(&s["phrases"]) {
            if !sites
                .iter()
                .any(|(p, _, _): &(String, String, String)| *p == phrase)
            {
                sites.push((phrase, term.clone(), region.clone()));
            }
        }
    }
    let mut laterality = Vec::new();
    for side in ["left", "right", "bilateral"] {
        laterality.push(side.to_string());
    }
    let payers = v["payers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["payer"].as_str().map(display_payer))
        .collect();
    Words {
        header_labels,
        field_labels,
        sites,
        laterality,
        payers,
    }
});

/// `e/m` → `E/M`, `excised diameter` → `Excised diameter`.
fn display_label(name: &str) -> String {
    if name.contains('/') && name.len() <= 3 {
        return name.to_uppercase();
    }
    let mut c = name.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// A payer key of the vocabulary as the note format writes it.
fn display_payer(key: &str) -> String {
    match key {
        "uhc" => "UnitedHealthcare".to_string(),
        "bcbs" => "BCBS".to_string(),
        _ => display_label(key),
    }
}

/// Procedure snippets: every field an audit of that kind looks for.
const SNIPPETS: &[(&str, &str)] = &[
    (
        "biopsy",
        "## Procedure: ${1|shave biopsy,punch biopsy,incisional biopsy|}\nSite: ${2:laterality, site and sub-site or a measured landmark}\nLesion: ${3:size and morphology}\nIndication: ${4:reason, e.g. r/o BCC}\nTechnique: ${5|tangential,punch,incisional|}\nPathology: ${6:sent}\nDx: ${7:ICD-10-CM code}\n$0",
    ),
    (
        "shave removal",
        "## Procedure: shave removal\nSite: ${1:laterality and site}\nLesion: ${2:diameter and morphology}\nIndication: ${3:reason, e.g. symptomatic, irritated}\nTechnique: shave removal, ${4:depth}\nPathology: ${5:sent}\nDx: ${6:ICD-10-CM code}\n$0",
    ),
    (
        "excision",
        "## Procedure: excision\nSite: ${1:laterality and site}\nLesion: ${2:size and diagnosis}\nMargins: ${3:narrowest margin, e.g. 0.2 cm}\nExcised diameter: ${4:lesion plus margins, measured before excision}\nTechnique: ${5:elliptical excision to subcutaneous fat}\nRepair: ${6|simple,intermediate,complex|}, ${7:length in cm}\nPathology: ${8:sent}\nDx: ${9:ICD-10-CM code}\n$0",
    ),
    (
        "destruction",
        "## Procedure: ${1|cryotherapy,ED&C,laser ablation,chemical destruction|}\nCount: ${2:number of lesions}\nSite: ${3:sites}\nLesion: ${4|actinic keratoses (premalignant),seborrheic keratoses (benign),warts (benign),molluscum (benign)|}\nMethod: ${5:LN2, two freeze-thaw cycles}\nIndication: ${6:reason}\nDx: ${7:ICD-10-CM code}\n$0",
    ),
    (
        "Mohs",
        "## Procedure: Mohs micrographic surgery\nSite: ${1:laterality and site}\nLesion: ${2:biopsy-proven tumour and its pre-operative size}\nIndication: ${3:appropriate use criteria met}\nStage 1: ${4:number} blocks, mapped, ${5:residual tumour at … / clear}\nStage 2: ${6:number} blocks, mapped, ${7:clear}\nDefect: ${8:size}\nRepair: ${9|simple,intermediate,complex|}, ${10:length in cm}\nDx: ${11:ICD-10-CM code}\n$0",
    ),
    (
        "phototherapy",
        "## Procedure: ${1|narrowband UVB,excimer laser,PUVA,Goeckerman|}\nArea: ${2:area treated, e.g. 180 sq cm or 12% BSA}\nSession: ${3:session number}\nDose: ${4:dose}\nIndication: ${5:diagnosis and severity}\nDx: ${6:ICD-10-CM code}\n$0",
    ),
];

static FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(site|location|sites|payer|insurance)\s*:").expect("field regex")
});
static DX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:dx|icd-?10(?:-cm)?|diagnos[ie]s)\s*:").expect("dx regex")
});
static BILLING_CODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[0-9A-Za-z]{4,5}[A-Za-z]?(?:\s*-\s*[0-9A-Za-z]{1,3})*\s*-\s*[0-9A-Za-z]{0,2}$")
        .expect("billing modifier regex")
});
static LABEL_PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[A-Za-z][A-Za-z /&-]*$|^$|^#{1,2}\s*[A-Za-z ]*$").expect("label regex")
});

pub fn complete(snap: &Snapshot, offset: usize, snippets: bool) -> Option<CompletionResponse> {
    let a = snap.analysis()?;
    let text = snap.text.as_str();
    let offset = offset.min(text.len());
    let line_start = text[..offset].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let line = &text[line_start..offset];
    let lead = line.len() - line.trim_start().len();
    let (bullet, body) = strip_bullet(&line[lead..]);
    let body_start = line_start + lead + bullet;
    let i = a
        .note
        .encounters
        .iter()
        .rposition(|e| e.span.start <= line_start)
        .unwrap_or(0);
    let (enc, claim) = (&a.note.encounters[i], &a.claims[i]);
    let section = section_at(enc, line_start);
    let items = if let Some(m) = DX.find_iter(body).last() {
        let token = token_start(text, offset);
        if token < body_start + m.end() {
            return None;
        }
        icd10(snap, claim, Span::new(token, offset))
    } else if let Some(c) = FIELD.captures(body) {
        let token = token_start(text, offset).max(body_start + c.get(0).map_or(0, |m| m.end()));
        let field = c[1].to_ascii_lowercase();
        if field.starts_with("payer") || field.starts_with("insurance") {
            payers(snap, Span::new(token, offset))
        } else {
            sites(
                snap,
                Span::new(word_start(text, offset, body_start), offset),
            )
        }
    } else if section == Some(SectionClass::Billing) {
        if BILLING_CODE.is_match(body) {
            let dash = text[..offset].rfind('-').map_or(offset, |d| d + 1);
            modifiers(snap, claim, body, Span::new(dash, offset))
        } else if body.chars().all(|c| c.is_ascii_alphanumeric()) {
            cpt_codes(snap, claim, bullet > 0, Span::new(body_start, offset))
        } else {
            return None;
        }
    } else if bullet == 0 && LABEL_PREFIX.is_match(body) {
        let mut items = labels(snap, enc, line_start, Span::new(body_start, offset));
        items.extend(procedure_snippets(
            snap,
            Span::new(body_start, offset),
            snippets,
        ));
        items
    } else {
        return None;
    };
    (!items.is_empty()).then_some(CompletionResponse::List(CompletionList {
        is_incomplete: false,
        items,
    }))
}

/// The length of a list marker and its spaces, and the rest.
fn strip_bullet(s: &str) -> (usize, &str) {
    let marker = if s.starts_with(['-', '*', '+']) {
        1
    } else {
        let digits = s.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && s[digits..].starts_with(['.', ')']) && s[digits + 1..].starts_with(' ') {
            digits + 1
        } else {
            0
        }
    };
    if marker == 0 || !s[marker..].starts_with([' ', '\t']) {
        return (0, s);
    }
    let rest = &s[marker..];
    let n = marker + rest.len() - rest.trim_start().len();
    (n, &s[n..])
}

/// The class of the section a line is in (`None` in the header).
fn section_at(enc: &Encounter, line_start: usize) -> Option<SectionClass> {
    enc.sections
        .iter()
        .rev()
        .find(|s| s.heading.start < line_start)
        .map(|s| s.class)
}

/// Where the code being typed starts: letters, digits and dots.
fn token_start(text: &str, offset: usize) -> usize {
    let before = &text[..offset];
    before
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '.'))
        .map_or(0, |i| i + 1)
}

/// Where the word being typed starts (after a space, `:`, `,` or `;`).
fn word_start(text: &str, offset: usize, line_body: usize) -> usize {
    let before = &text[line_body..offset];
    line_body
        + before
            .rfind([':', ',', ';', ' ', '\t'])
            .map_or(0, |i| i + 1)
}

fn edit(snap: &Snapshot, span: Span, new_text: String) -> Option<CompletionTextEdit> {
    let range: Range = pos::range(&snap.rope, span, snap.encoding);
    Some(CompletionTextEdit::Edit(TextEdit::new(range, new_text)))
}

fn markdown(value: String) -> Option<Documentation> {
    Some(Documentation::MarkupContent(MarkupContent {
        kind: MarkupKind::Markdown,
        value,
    }))
}

fn labels(snap: &Snapshot, enc: &Encounter, line_start: usize, span: Span) -> Vec<CompletionItem> {
    let in_header = enc.sections.iter().all(|s| s.heading.start >= line_start);
    let list = if in_header {
        &WORDS.header_labels
    } else {
        &WORDS.field_labels
    };
    list.iter()
        .enumerate()
        .map(|(i, l)| CompletionItem {
            label: format!("{l}:"),
            kind: Some(CompletionItemKind::FIELD),
            sort_text: Some(format!("0{i:03}")),
            filter_text: Some(l.clone()),
            text_edit: edit(snap, span, format!("{l}: ")),
            ..CompletionItem::default()
        })
        .collect()
}

/// A snippet without its tab stops, for clients without snippet support:
/// `${1:text}` and `${1|a,b|}` become `text` and `a`, `$0` goes.
fn plain(snippet: &str) -> String {
    static STOP: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\$\{\d+:([^}]*)\}|\$\{\d+\|([^,|]*)[^}]*\}|\$\d+").expect("snippet regex")
    });
    STOP.replace_all(snippet, |c: &regex::Captures| {
        c.get(1)
            .or(c.get(2))
            .map_or(String::new(), |m| m.as_str().to_string())
    })
    .into_owned()
}

fn procedure_snippets(snap: &Snapshot, span: Span, snippets: bool) -> Vec<CompletionItem> {
    SNIPPETS
        .iter()
        .enumerate()
        .map(|(i, (kind, body))| {
            let (text, format) = if snippets {
                (body.to_string(), InsertTextFormat::SNIPPET)
            } else {
                (plain(body), InsertTextFormat::PLAIN_TEXT)
            };
            CompletionItem {
                label: format!("## Procedure: {kind}"),
                kind: Some(CompletionItemKind::SNIPPET),
                detail: Some(format!("a {kind} section with every field an audit needs")),
                documentation: markdown(format!("```\n{}```", plain(body))),
                sort_text: Some(format!("1{i:03}")),
                filter_text: Some(format!("## Procedure {kind}")),
                insert_text_format: Some(format),
                text_edit: edit(snap, span, text),
                ..CompletionItem::default()
            }
        })
        .collect()
}

fn sites(snap: &Snapshot, span: Span) -> Vec<CompletionItem> {
    let sides = WORDS.laterality.iter().map(|l| CompletionItem {
        label: l.clone(),
        kind: Some(CompletionItemKind::KEYWORD),
        detail: Some("laterality".to_string()),
        sort_text: Some(format!("0{l}")),
        ..CompletionItem::default()
    });
    let places = WORDS
        .sites
        .iter()
        .map(|(phrase, term, region)| CompletionItem {
            label: phrase.clone(),
            kind: Some(CompletionItemKind::VALUE),
            detail: Some(if phrase == term {
                format!("site, region {region}")
            } else {
                format!("{term}, region {region}")
            }),
            sort_text: Some(format!("1{phrase}")),
            ..CompletionItem::default()
        });
    sides
        .chain(places)
        .map(|mut item| {
            item.text_edit = edit(snap, span, item.label.clone());
            item.filter_text = Some(item.label.clone());
            item
        })
        .collect()
}

fn payers(snap: &Snapshot, span: Span) -> Vec<CompletionItem> {
    WORDS
        .payers
        .iter()
        .map(|p| CompletionItem {
            label: p.clone(),
            kind: Some(CompletionItemKind::ENUM_MEMBER),
            text_edit: edit(snap, span, p.clone()),
            ..CompletionItem::default()
        })
        .collect()
}

fn icd10(snap: &Snapshot, claim: &EncounterClaim, span: Span) -> Vec<CompletionItem> {
    let derived: Vec<&str> = claim
        .lines
        .iter()
        .flat_map(|l| l.dx.iter().map(String::as_str))
        .collect();
    let mut items: Vec<CompletionItem> = Vec::new();
    for (i, code) in derived.iter().enumerate() {
        if items.iter().any(|x| x.label == *code) {
            continue;
        }
        items.push(CompletionItem {
            label: code.to_string(),
            kind: Some(CompletionItemKind::ENUM_MEMBER),
            detail: codes::icd10_title(code).map(str::to_string),
            documentation: markdown("Documented in this encounter.".to_string()),
            sort_text: Some(format!("0{i:04}")),
            ..CompletionItem::default()
        });
    }
    for (i, (code, title)) in codes::icd10_derm().enumerate() {
        if items.iter().any(|x| x.label == code) {
            continue;
        }
        items.push(CompletionItem {
            label: code.to_string(),
            kind: Some(CompletionItemKind::ENUM_MEMBER),
            detail: Some(title.to_string()),
            sort_text: Some(format!("1{i:04}")),
            deprecated: None,
            ..CompletionItem::default()
        });
    }
    for item in &mut items {
        item.text_edit = edit(snap, span, item.label.clone());
        // Match the typed text against the code and its title.
        item.filter_text = Some(item.label.clone());
    }
    items
}

fn cpt_codes(
    snap: &Snapshot,
    claim: &EncounterClaim,
    has_bullet: bool,
    span: Span,
) -> Vec<CompletionItem> {
    let table = &*snap.config.table;
    let cf = snap.config.options.conversion_factor;
    let item_text = |rendered: String| {
        if has_bullet {
            rendered.trim_start_matches("- ").to_string()
        } else {
            rendered
        }
    };
    let mut items: Vec<CompletionItem> = claim
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| CompletionItem {
            label: l.label(),
            kind: Some(CompletionItemKind::VALUE),
            detail: Some(format!("derived from the documentation ({})", l.rule)),
            documentation: markdown(hover::cpt(table, &l.cpt, Some(l), &snap.text, cf)),
            sort_text: Some(format!("0{i:03}")),
            filter_text: Some(l.cpt.clone()),
            preselect: (i == 0).then_some(true),
            text_edit: edit(snap, span, item_text(render_line(l))),
            ..CompletionItem::default()
        })
        .collect();
    items.extend(table.rows().map(|r| CompletionItem {
        label: r.code.clone(),
        kind: Some(CompletionItemKind::CONSTANT),
        detail: Some(r.description.clone()),
        sort_text: Some(format!("1{}", r.code)),
        filter_text: Some(r.code.clone()),
        text_edit: edit(snap, span, r.code.clone()),
        ..CompletionItem::default()
    }));
    items
}

fn modifiers(
    snap: &Snapshot,
    claim: &EncounterClaim,
    body: &str,
    span: Span,
) -> Vec<CompletionItem> {
    let table = &*snap.config.table;
    let code: String = body
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect();
    let supported: Vec<&str> = claim
        .lines
        .iter()
        .filter(|l| l.cpt.eq_ignore_ascii_case(&code))
        .flat_map(|l| l.modifiers.iter().map(String::as_str))
        .collect();
    table
        .modifiers()
        .iter()
        .map(|m| {
            let documented = supported
                .iter()
                .any(|s| s.eq_ignore_ascii_case(&m.modifier));
            CompletionItem {
                label: m.modifier.clone(),
                kind: Some(CompletionItemKind::ENUM_MEMBER),
                detail: Some(if documented {
                    format!("supported by the documentation: {}", m.meaning)
                } else {
                    m.meaning.clone()
                }),
                documentation: markdown(format!("Applies when: {}", m.applies_when)),
                sort_text: Some(format!("{}{}", if documented { 0 } else { 1 }, m.modifier)),
                filter_text: Some(m.modifier.clone()),
                preselect: documented.then_some(true),
                text_edit: edit(snap, span, m.modifier.clone()),
                ..CompletionItem::default()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_without_tab_stops() {
        assert_eq!(
            plain("Site: ${1:where}\nTechnique: ${2|punch,shave|}\n$0"),
            "Site: where\nTechnique: punch\n"
        );
        for (_, s) in SNIPPETS {
            assert!(!plain(s).contains('$'), "{s}");
        }
    }

    #[test]
    fn vocabulary_words() {
        assert!(WORDS.header_labels.contains(&"E/M".to_string()));
        assert!(WORDS.field_labels.contains(&"Excised diameter".to_string()));
        assert!(WORDS.sites.iter().any(|s| s.0 == "forearm"));
        assert!(WORDS.payers.contains(&"UnitedHealthcare".to_string()));
        assert!(WORDS.payers.contains(&"Self-pay".to_string()));
    }

    #[test]
    fn bullets() {
        assert_eq!(strip_bullet("- 11102"), (2, "11102"));
        assert_eq!(strip_bullet("12. x"), (4, "x"));
        assert_eq!(strip_bullet("-11102"), (0, "-11102"));
        assert_eq!(strip_bullet("Site: a"), (0, "Site: a"));
    }
}
