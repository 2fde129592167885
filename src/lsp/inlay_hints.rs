//! Inlay hints: the codes derived for each procedure after its heading, and
//! the computed excised diameter (or shave diameter) with its code after the
//! margin or size it comes from. Each hint's tooltip says why.

use tower_lsp_server::lsp_types::{
    InlayHint, InlayHintLabel, InlayHintLabelPart, InlayHintLabelPartTooltip, InlayHintTooltip,
    MarkupContent, MarkupKind, Range,
};

use super::document::Snapshot;
use super::hover::{self, diameters, lines_for};
use super::pos;
use crate::extract::measure::cm;
use crate::vocab::ProcKind;

pub fn hints(snap: &Snapshot, range: Range) -> Option<Vec<InlayHint>> {
    let a = snap.analysis()?;
    let text = snap.text.as_str();
    let table = &*snap.config.table;
    let cf = snap.config.options.conversion_factor;
    let wanted = pos::span(&snap.rope, range, snap.encoding);
    let inside = |offset: usize| wanted.start <= offset && offset <= wanted.end;
    let mut out = Vec::new();
    for (facts, claim) in a.facts.iter().zip(&a.claims) {
        for (pi, p) in facts.procedures.iter().enumerate() {
            if inside(p.heading.end) {
                let (lines, dropped) = lines_for(claim, pi);
                let mut parts = Vec::new();
                for (i, l) in lines.iter().enumerate() {
                    parts.push(part(
                        if i == 0 {
                            format!("→ {}", l.label())
                        } else {
                            format!(", {}", l.label())
                        },
                        hover::cpt(table, &l.cpt, Some(l), text, cf),
                    ));
                }
                if lines.is_empty() {
                    let why = dropped
                        .iter()
                        .map(|l| format!("`{}`: {}", l.label(), l.why))
                        .collect::<Vec<_>>()
                        .join("\n\n");
                    parts.push(part(
                        "→ no billable code".to_string(),
                        if why.is_empty() {
                            "The documentation does not yet support a code for this procedure."
                                .to_string()
                        } else {
                            why
                        },
                    ));
                }
                out.push(hint(
                    snap,
                    p.heading.end,
                    InlayHintLabel::LabelParts(parts),
                    None,
                ));
            }
            if !matches!(p.kind, ProcKind::Excision | ProcKind::ShaveRemoval) {
                continue;
            }
            let anchor = if p.kind == ProcKind::Excision {
                p.margin.or(p.excised_diameter).map(|m| m.span.end)
            } else {
                None
            };
            for (li, um, how, line) in diameters(facts, claim, pi) {
                let at = anchor.or_else(|| p.lesions[li].size.map(|s| s.span.end));
                let Some(at) = at.filter(|at| inside(*at)) else {
                    continue;
                };
                let label = match line {
                    Some(l) => format!("⌀ {} → {}", cm(um), l.label()),
                    None => format!("⌀ {}", cm(um)),
                };
                let letter = p.lesions[li]
                    .letter
                    .map(|c| format!("({c}) "))
                    .unwrap_or_default();
                let tooltip = match line.and_then(|l| table.get(&l.cpt)) {
                    Some(r) => format!("{letter}{how}; {} tier {}", r.code, hover::tier(r)),
                    None => format!("{letter}{how}"),
                };
                out.push(hint(
                    snap,
                    at,
                    InlayHintLabel::String(format!("{letter}{label}")),
                    Some(tooltip),
                ));
            }
        }
    }
    Some(out)
}

fn part(value: String, tooltip: String) -> InlayHintLabelPart {
    InlayHintLabelPart {
        value,
        tooltip: Some(InlayHintLabelPartTooltip::MarkupContent(MarkupContent {
            kind: MarkupKind::Markdown,
            value: tooltip,
        })),
        location: None,
        command: None,
    }
}

fn hint(snap: &Snapshot, at: usize, label: InlayHintLabel, tooltip: Option<String>) -> InlayHint {
    InlayHint {
        position: pos::position(&snap.rope, at, snap.encoding),
        label,
        kind: None,
        text_edits: None,
        tooltip: tooltip.map(InlayHintTooltip::String),
        padding_left: Some(true),
        padding_right: None,
        data: None,
    }
}
