//! Semantic tokens (whole document): field labels, codes (CPT, E/M, ICD-10),
//! modifiers, sizes, sites and lesion types, with standard token types so
//! every theme colours them.

use tower_lsp_server::lsp_types::{
    SemanticToken, SemanticTokenType, SemanticTokens, SemanticTokensLegend,
};

use super::document::Snapshot;
use super::pos;
use crate::note::{Line, LineKind};
use crate::span::Span;
use crate::vocab::{SectionClass, vocab};

/// The token kinds, in legend order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Label,
    Code,
    Modifier,
    Size,
    Site,
    LesionType,
}

const LEGEND: [(Kind, SemanticTokenType); 6] = [
    (Kind::Label, SemanticTokenType::PROPERTY),
    (Kind::Code, SemanticTokenType::ENUM_MEMBER),
    (Kind::Modifier, SemanticTokenType::DECORATOR),
    (Kind::Size, SemanticTokenType::NUMBER),
    (Kind::Site, SemanticTokenType::STRING),
    (Kind::LesionType, SemanticTokenType::TYPE),
];

pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: LEGEND.iter().map(|(_, t)| t.clone()).collect(),
        token_modifiers: Vec::new(),
    }
}

pub fn tokens(snap: &Snapshot) -> Option<SemanticTokens> {
    let a = snap.analysis()?;
    let text = snap.text.as_str();
    let mut found: Vec<(Span, Kind)> = Vec::new();
    for enc in &a.note.encounters {
        let lines = enc.header.iter().map(|l| (l, SectionClass::Free)).chain(
            enc.sections
                .iter()
                .flat_map(|s| s.lines.iter().map(move |l| (l, s.class))),
        );
        for (line, class) in lines {
            if let LineKind::Field(f) = &line.kind {
                found.push((f.label_span, Kind::Label));
            }
            if class != SectionClass::Billing {
                lesion_types(text, line, &mut found);
            }
        }
    }
    for facts in &a.facts {
        if let Some(em) = &facts.em {
            if let Some(code) = &em.code {
                if let Some(at) = em.span.text(text).find(code.as_str()) {
                    let s = em.span.start + at;
                    found.push((Span::new(s, s + code.len()), Kind::Code));
                }
            }
        }
        for d in facts.problems.iter().flat_map(|p| &p.dx) {
            found.push((d.span, Kind::Code));
        }
        for p in &facts.procedures {
            found.extend(p.dx.iter().map(|d| (d.span, Kind::Code)));
            let sizes = p
                .lesions
                .iter()
                .filter_map(|l| l.size)
                .chain(p.margin)
                .chain(p.excised_diameter)
                .chain(p.defect)
                .chain(p.repair.as_ref().and_then(|r| r.length));
            found.extend(sizes.map(|m| (m.span, Kind::Size)));
            let sites = p
                .sites
                .iter()
                .chain(p.lesions.iter().filter_map(|l| l.site.as_ref()));
            found.extend(sites.filter_map(|s| s.term_span).map(|s| (s, Kind::Site)));
            if let Some((_, s)) = p.lesion_class {
                found.push((s, Kind::LesionType));
            }
        }
        if let Some(b) = &facts.billing {
            for l in &b.lines {
                found.extend(l.code.iter().map(|c| (c.1, Kind::Code)));
                found.extend(l.modifiers.iter().map(|m| (m.1, Kind::Modifier)));
                found.extend(l.dx.iter().map(|d| (d.1, Kind::Code)));
            }
        }
    }
    Some(SemanticTokens {
        result_id: None,
        data: encode(snap, found),
    })
}

/// Lesion-type phrases in a line's text.
fn lesion_types(text: &str, line: &Line, found: &mut Vec<(Span, Kind)>) {
    let body = line.body;
    for (m, _) in vocab().lesion_types.find_all(body.text(text)) {
        found.push((
            Span::new(body.start + m.start, body.start + m.end),
            Kind::LesionType,
        ));
    }
}

/// Sorts, drops empty and overlapping tokens (the first wins), and encodes
/// them relative to each other in the negotiated encoding.
fn encode(snap: &Snapshot, mut found: Vec<(Span, Kind)>) -> Vec<SemanticToken> {
    found.retain(|(s, _)| !s.is_empty());
    found.sort_by_key(|(s, k)| (s.start, s.end, *k));
    let mut out = Vec::with_capacity(found.len());
    let (mut last_end, mut last_line, mut last_char) = (0usize, 0u32, 0u32);
    for (span, kind) in found {
        if span.start < last_end {
            continue;
        }
        last_end = span.end;
        let start = pos::position(&snap.rope, span.start, snap.encoding);
        let end = pos::position(&snap.rope, span.end, snap.encoding);
        // Tokens stay on one line; the core's spans never cross one.
        if end.line != start.line || end.character <= start.character {
            continue;
        }
        let delta_line = start.line - last_line;
        let delta_start = if delta_line == 0 {
            start.character - last_char
        } else {
            start.character
        };
        let token_type = LEGEND.iter().position(|(k, _)| *k == kind).unwrap_or(0) as u32;
        out.push(SemanticToken {
            delta_line,
            delta_start,
            length: end.character - start.character,
            token_type,
            token_modifiers_bitset: 0,
        });
        last_line = start.line;
        last_char = start.character;
    }
    out
}
