//! Document symbols: encounters, each with its procedures (and its Billing
//! section); flat symbol information for clients without hierarchy.

use tower_lsp_server::lsp_types::{
    DocumentSymbol, DocumentSymbolResponse, Location, SymbolInformation, SymbolKind,
};

use super::document::Snapshot;
use super::pos;
use crate::span::Span;
use crate::vocab::SectionClass;

pub fn symbols(snap: &Snapshot, hierarchical: bool) -> Option<DocumentSymbolResponse> {
    let a = snap.analysis()?;
    let text = snap.text.as_str();
    let range = |s: Span| pos::range(&snap.rope, s, snap.encoding);
    let mut tree = Vec::new();
    for (i, (enc, facts)) in a.note.encounters.iter().zip(&a.facts).enumerate() {
        let heading = enc
            .heading
            .unwrap_or(Span::new(enc.span.start, enc.span.start));
        let name = enc
            .heading
            .map(|h| h.text(text).trim_start_matches('#').trim().to_string())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| format!("Encounter {}", i + 1));
        let claim = &a.claims[i];
        let mut children = Vec::new();
        for (pi, p) in facts.procedures.iter().enumerate() {
            let section = &enc.sections[p.section];
            let codes: Vec<String> = claim
                .lines
                .iter()
                .filter(|l| l.procedures.contains(&pi))
                .map(|l| l.label())
                .collect();
            children.push(symbol(
                section.title.text(text).trim().to_string(),
                Some(if codes.is_empty() {
                    p.kind.as_str().to_string()
                } else {
                    format!("{} → {}", p.kind.as_str(), codes.join(", "))
                }),
                SymbolKind::FUNCTION,
                range(section.span),
                range(section.heading),
                None,
            ));
        }
        for s in enc
            .sections
            .iter()
            .filter(|s| s.class == SectionClass::Billing)
        {
            children.push(symbol(
                s.title.text(text).trim().to_string(),
                Some(format!(
                    "{} line(s)",
                    s.lines.iter().filter(|l| !l.body.is_empty()).count()
                )),
                SymbolKind::OBJECT,
                range(s.span),
                range(s.heading),
                None,
            ));
        }
        tree.push(symbol(
            name,
            Some(format!(
                "{} procedure(s), payer {}",
                facts.procedures.len(),
                claim.payer.as_str()
            )),
            SymbolKind::NAMESPACE,
            range(enc.span),
            range(heading),
            Some(children),
        ));
    }
    if hierarchical {
        return Some(DocumentSymbolResponse::Nested(tree));
    }
    let mut flat = Vec::new();
    for enc in tree {
        flat.push(information(snap, &enc, None));
        for child in enc.children.iter().flatten() {
            flat.push(information(snap, child, Some(enc.name.clone())));
        }
    }
    Some(DocumentSymbolResponse::Flat(flat))
}

fn symbol(
    name: String,
    detail: Option<String>,
    kind: SymbolKind,
    range: tower_lsp_server::lsp_types::Range,
    selection_range: tower_lsp_server::lsp_types::Range,
    children: Option<Vec<DocumentSymbol>>,
) -> DocumentSymbol {
    // The LSP requires a non-empty name.
    let name = if name.is_empty() {
        "(untitled)".to_string()
    } else {
        name
    };
    #[allow(deprecated)] // `deprecated` is a required field of the struct.
    DocumentSymbol {
        name,
        detail,
        kind,
        tags: None,
        deprecated: None,
        range,
        selection_range,
        children,
    }
}

fn information(
    snap: &Snapshot,
    s: &DocumentSymbol,
    container: Option<String>,
) -> SymbolInformation {
    #[allow(deprecated)] // `deprecated` is a required field of the struct.
    SymbolInformation {
        name: s.name.clone(),
        kind: s.kind,
        tags: None,
        deprecated: None,
        location: Location::new(snap.uri.clone(), s.range),
        container_name: container,
    }
}
