//! Fixes as data: the text edits that repair a finding, the edit that writes
//! an encounter's `## Billing` section from its derived claim, and applying
//! edits to text. The CLI (`check --fix`, `claim --write`) and the server's
//! code actions use the same edits, so both change exactly the same bytes.
//!
//! Every edit is a byte range of the analysed text and its replacement. Edits
//! made here never reach outside the Billing section they are about.

use crate::analysis::{self, Analysis, Options};
use crate::codes::CodeTable;
use crate::extract::BillingLine;
use crate::note::Encounter;
use crate::rules::claim::{ClaimLine, EncounterClaim};
use crate::span::Span;

/// Replace the text of `span` with `new_text` (an insertion when `span` is
/// empty, a deletion when `new_text` is).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Edit {
    pub span: Span,
    pub new_text: String,
}

impl Edit {
    pub fn new(span: Span, new_text: impl Into<String>) -> Edit {
        Edit {
            span,
            new_text: new_text.into(),
        }
    }

    pub fn insert(at: usize, new_text: impl Into<String>) -> Edit {
        Edit::new(Span::new(at, at), new_text)
    }

    pub fn delete(span: Span) -> Edit {
        Edit::new(span, "")
    }
}

/// A fix: a title a user picks from ("Replace 11602 with 11603") and the
/// edits that carry it out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub title: String,
    pub edits: Vec<Edit>,
}

impl Fix {
    pub fn new(title: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix {
            title: title.into(),
            edits,
        }
    }

    /// The smallest span covering every edit.
    pub fn span(&self) -> Option<Span> {
        self.edits.iter().map(|e| e.span).reduce(Span::cover)
    }
}

/// Applies edits to `text`. Edits are taken in order of position (insertions
/// at one position in the order given); an edit that overlaps one already
/// taken, repeats one exactly, or does not fall on character boundaries is
/// skipped. Returns the new text and the number of edits applied.
pub fn apply(text: &str, edits: &[Edit]) -> (String, usize) {
    let mut order: Vec<&Edit> = edits.iter().collect();
    order.sort_by_key(|e| (e.span.start, e.span.end));
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    let mut applied = 0;
    let mut seen: std::collections::HashSet<&Edit> = std::collections::HashSet::new();
    for e in order {
        let Span { start, end } = e.span;
        if start < pos
            || end < start
            || end > text.len()
            || !text.is_char_boundary(start)
            || !text.is_char_boundary(end)
            || seen.contains(e)
        {
            continue;
        }
        out.push_str(&text[pos..start]);
        out.push_str(&e.new_text);
        pos = end;
        applied += 1;
        seen.insert(e);
    }
    out.push_str(&text[pos..]);
    (out, applied)
}

/// Applies every fix of every finding, re-analysing after each round until
/// nothing is left to fix (at most a few rounds: one fix can reveal
/// another). Returns the new text and how many edits were applied.
pub fn fix_all(text: &str, table: &CodeTable, options: &Options) -> (String, usize) {
    const ROUNDS: usize = 8;
    let mut current = text.to_string();
    let mut total = 0;
    for _ in 0..ROUNDS {
        let a = analysis::analyze(&current, table, options);
        let edits: Vec<Edit> = a
            .findings
            .iter()
            .filter_map(|f| f.fix.as_ref())
            .flat_map(|f| f.edits.iter().cloned())
            .collect();
        if edits.is_empty() {
            break;
        }
        let (next, n) = apply(&current, &edits);
        if n == 0 || next == current {
            break;
        }
        total += n;
        current = next;
    }
    (current, total)
}

/// The line ending the text uses (its first one; `\n` when it has none).
pub fn line_ending(text: &str) -> &'static str {
    first_line_ending(text).unwrap_or("\n")
}

/// The text's first line ending, if it has one.
fn first_line_ending(text: &str) -> Option<&'static str> {
    let i = text.find(['\n', '\r'])?;
    Some(if text[i..].starts_with("\r\n") {
        "\r\n"
    } else if text[i..].starts_with('\r') {
        "\r"
    } else {
        "\n"
    })
}

/// One claim line as a Billing item: `- CODE[-MOD…][ xN]  Dx: A, B`.
pub fn render_line(line: &ClaimLine) -> String {
    // Written piece by piece into one string, without `format!` and the
    // joined list of codes.
    let label = line.label();
    let dx: usize = line.dx.iter().map(|d| d.len() + 2).sum();
    let mut s = String::with_capacity(2 + label.len() + 6 + dx);
    s.push_str("- ");
    s.push_str(&label);
    if !line.dx.is_empty() {
        s.push_str("  Dx: ");
        for (i, d) in line.dx.iter().enumerate() {
            if i > 0 {
                s.push_str(", ");
            }
            s.push_str(d);
        }
    }
    s
}

/// The end of the last non-blank text in `span`.
fn trimmed_end(text: &str, span: Span) -> usize {
    span.start + span.text(text).trim_end().len()
}

/// The edit that writes the encounter's `## Billing` section from its
/// derived claim: it replaces the items of an existing Billing section
/// (keeping its heading and its comment lines) or appends a new section after
/// the encounter's last line. `None` when there is nothing to change: the
/// section already says exactly this, or there is no section and nothing to
/// bill. Applying the edit and asking again gives `None`.
pub fn billing_edit(text: &str, encounter: &Encounter, claim: &EncounterClaim) -> Option<Edit> {
    // The encounter's own line ending, so that a second run finds the
    // same one: an edit elsewhere can remove the text's first line end (a
    // Billing section before the first encounter emptied), but not the
    // first of an encounter whose Billing section comes after its heading.
    let eol = first_line_ending(encounter.span.text(text))
        .or_else(|| first_line_ending(text))
        .unwrap_or("\n");
    let items: Vec<String> = claim.lines.iter().map(render_line).collect();
    let section = encounter
        .sections
        .iter()
        .find(|s| s.class == crate::vocab::SectionClass::Billing);
    match section {
        Some(section) => {
            let start = section.heading.end;
            let end = trimmed_end(text, section.span).max(start);
            let mut new_text = String::new();
            for l in &section.lines {
                if matches!(l.kind, crate::note::LineKind::Comment) {
                    new_text.push_str(eol);
                    new_text.push_str(l.span.text(text).trim_end());
                }
            }
            for item in &items {
                new_text.push_str(eol);
                new_text.push_str(item);
            }
            let span = Span::new(start, end);
            (span.text(text) != new_text).then(|| Edit::new(span, new_text))
        }
        None if items.is_empty() => None,
        None => {
            let at = trimmed_end(text, encounter.span);
            let mut new_text = String::new();
            if at > 0 {
                new_text.push_str(eol);
                new_text.push_str(eol);
            }
            new_text.push_str("## Billing");
            for item in &items {
                new_text.push_str(eol);
                new_text.push_str(item);
            }
            if at == 0 && !text.is_empty() {
                new_text.push_str(eol);
            }
            Some(Edit::insert(at, new_text))
        }
    }
}

/// The "Insert billing codes" edits of every encounter of an analysis.
pub fn billing_edits(text: &str, a: &Analysis) -> Vec<Edit> {
    a.note
        .encounters
        .iter()
        .zip(&a.claims)
        .filter_map(|(e, c)| billing_edit(text, e, c))
        .collect()
}

/// Edits on one Billing line, for the `code/*` rules' fixes.
pub(crate) mod line {
    use super::*;

    /// The span of the whole line with its line end, or with the line end
    /// before it when it is the last line of the text.
    pub(crate) fn whole(text: &str, line: &BillingLine) -> Span {
        let end = line.span.end;
        let rest = &text.as_bytes()[end.min(text.len())..];
        let term = if rest.starts_with(b"\r\n") {
            2
        } else if rest.starts_with(b"\n") || rest.starts_with(b"\r") {
            1
        } else {
            0
        };
        if term > 0 || line.span.start == 0 {
            return Span::new(line.span.start, end + term);
        }
        let before = &text.as_bytes()[..line.span.start];
        let back = if before.ends_with(b"\r\n") { 2 } else { 1 };
        Span::new(line.span.start - back.min(line.span.start), end)
    }

    /// Deletes the line.
    pub(crate) fn delete(text: &str, line: &BillingLine) -> Edit {
        Edit::delete(whole(text, line))
    }

    /// Where text after the code and its modifiers goes.
    fn after_modifiers(line: &BillingLine) -> Option<usize> {
        let (_, code) = line.code.as_ref()?;
        Some(line.modifiers.last().map(|m| m.1.end).unwrap_or(code.end))
    }

    /// Adds a modifier after the last one.
    pub(crate) fn add_modifier(line: &BillingLine, modifier: &str) -> Option<Edit> {
        Some(Edit::insert(after_modifiers(line)?, format!("-{modifier}")))
    }

    /// Removes the modifier at `index`, with its dash and the spaces around
    /// the dash.
    pub(crate) fn remove_modifier(text: &str, line: &BillingLine, index: usize) -> Option<Edit> {
        let (_, span) = line.modifiers.get(index)?;
        let bytes = text.as_bytes();
        let mut i = span.start;
        while i > line.body.start && bytes[i - 1].is_ascii_whitespace() {
            i -= 1;
        }
        if i > line.body.start && bytes[i - 1] == b'-' {
            i -= 1;
        }
        while i > line.body.start && bytes[i - 1].is_ascii_whitespace() {
            i -= 1;
        }
        Some(Edit::delete(Span::new(i, span.end)))
    }

    /// Sets the units: rewrites `xN`, drops it for one unit, or adds it.
    pub(crate) fn set_units(text: &str, line: &BillingLine, units: u32) -> Option<Edit> {
        let written = line.units.map(|u| u.1).or(line.bad_units);
        match written {
            Some(span) if units == 1 => {
                let bytes = text.as_bytes();
                let mut i = span.start;
                while i > line.body.start && bytes[i - 1] == b' ' {
                    i -= 1;
                }
                Some(Edit::delete(Span::new(i, span.end)))
            }
            Some(span) => Some(Edit::new(span, format!("x{units}"))),
            None if units == 1 => None,
            None => Some(Edit::insert(after_modifiers(line)?, format!(" x{units}"))),
        }
    }

    /// Replaces the line's Dx codes (or adds a `Dx:` part).
    pub(crate) fn replace_dx(line: &BillingLine, dx: &[String]) -> Option<Edit> {
        if dx.is_empty() {
            return None;
        }
        match (line.dx.first(), line.dx.last()) {
            (Some(first), Some(last)) => Some(Edit::new(first.1.cover(last.1), dx.join(", "))),
            _ => Some(Edit::insert(
                line.body.end,
                format!("  Dx: {}", dx.join(", ")),
            )),
        }
    }

    /// Inserts a new item after the section's last line.
    pub(crate) fn insert_item(text: &str, section: Span, line: &ClaimLine) -> Edit {
        let at = trimmed_end(text, section);
        Edit::insert(at, [line_ending(text), &render_line(line)].concat())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apply_sorts_and_skips_overlaps() {
        let text = "abcdef";
        let edits = [
            Edit::new(Span::new(4, 6), "EF"),
            Edit::new(Span::new(0, 2), "AB"),
            Edit::new(Span::new(1, 3), "zz"),
            Edit::insert(3, "-"),
            Edit::insert(3, "-"),
        ];
        assert_eq!(apply(text, &edits), ("ABc-dEF".to_string(), 3));
    }

    #[test]
    fn apply_rejects_bad_ranges() {
        let text = "é";
        let edits = [
            Edit::new(Span::new(1, 2), "x"),
            Edit::new(Span::new(0, 9), "x"),
        ];
        assert_eq!(apply(text, &edits), ("é".to_string(), 0));
    }

    proptest::proptest! {
        /// A rendered line (and its label) is what `format!` and `join`
        /// wrote.
        #[test]
        fn rendered_lines_are_what_format_wrote(
            cpt in "[0-9A-Za-zé]{0,6}",
            modifiers in proptest::collection::vec("[0-9A-Z]{1,3}", 0..3),
            units in 0u32..30,
            dx in proptest::collection::vec("[A-Z][0-9.é]{0,6}", 0..3),
        ) {
            let mut l = ClaimLine::new(&cpt, "test", String::new());
            l.modifiers = modifiers;
            l.units = units;
            l.dx = dx;
            let mut label = l.cpt.clone();
            for m in &l.modifiers {
                label.push('-');
                label.push_str(m);
            }
            if l.units != 1 {
                label.push_str(&format!(" x{}", l.units));
            }
            proptest::prop_assert_eq!(l.label(), label.clone());
            let mut want = format!("- {label}");
            if !l.dx.is_empty() {
                want.push_str("  Dx: ");
                want.push_str(&l.dx.join(", "));
            }
            proptest::prop_assert_eq!(render_line(&l), want);
        }
    }

    #[test]
    fn line_endings() {
        assert_eq!(line_ending("a\r\nb"), "\r\n");
        assert_eq!(line_ending("a\rb"), "\r");
        assert_eq!(line_ending("a\nb"), "\n");
        assert_eq!(line_ending("ab"), "\n");
    }
}
