//! Text to syntax: encounters, header fields, sections and lines, each with
//! its byte span. Parsing never fails: any text yields a `Note`, and text the
//! parser cannot place is simply free text.

mod line;

pub use line::{Bullet, Field, Line, LineKind, parse_line};

use crate::span::Span;
use crate::vocab::{self, SectionClass};

/// A parsed note: one or more encounters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    pub encounters: Vec<Encounter>,
}

/// One encounter: from its `# Encounter` heading (or the start of the file)
/// to the next one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Encounter {
    pub span: Span,
    /// The `# Encounter …` heading line, when there is one.
    pub heading: Option<Span>,
    /// The date in the heading as written, normalised to `YYYY-MM-DD` when it
    /// can be.
    pub date: Option<String>,
    /// The lines before the first `##` section.
    pub header: Vec<Line>,
    pub sections: Vec<Section>,
}

/// A `## Title` section and its lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    pub span: Span,
    /// The whole heading line.
    pub heading: Span,
    /// The title text after `##`.
    pub title: Span,
    pub class: SectionClass,
    pub lines: Vec<Line>,
}

impl Note {
    /// Parses a whole note. Never fails and never panics.
    pub fn parse(text: &str) -> Note {
        let mut encounters: Vec<Encounter> = Vec::new();
        let mut current: Option<Encounter> = None;
        let mut preamble_has_text = false;
        for (span, content) in physical_lines(text) {
            if is_encounter_heading(content) {
                if let Some(enc) = current.take() {
                    encounters.push(enc);
                }
                current = Some(Encounter {
                    span,
                    heading: Some(span),
                    date: find_date(content),
                    header: Vec::new(),
                    sections: Vec::new(),
                });
                continue;
            }
            let enc = match current.as_mut() {
                Some(enc) => enc,
                None => {
                    // Text before any encounter heading. A file with no
                    // heading at all is one encounter; otherwise this text
                    // belongs to a first, heading-less encounter only if it
                    // holds something other than blank lines and titles.
                    if !content.trim().is_empty() && !content.trim_start().starts_with("# ") {
                        preamble_has_text = true;
                    }
                    current = Some(Encounter {
                        span: Span::new(span.start, span.start),
                        heading: None,
                        date: None,
                        header: Vec::new(),
                        sections: Vec::new(),
                    });
                    current.as_mut().expect("just set")
                }
            };
            enc.span.end = span.end;
            if let Some(title) = section_title(content) {
                let title_span = span.sub(title.0, title.1);
                enc.sections.push(Section {
                    span,
                    heading: span,
                    title: title_span,
                    class: vocab::classify_section(title_span.text(text)),
                    lines: Vec::new(),
                });
                continue;
            }
            let line = parse_line(text, span);
            match enc.sections.last_mut() {
                Some(section) => {
                    section.span.end = span.end;
                    section.lines.push(line);
                }
                None => enc.header.push(line),
            }
        }
        if let Some(enc) = current.take() {
            encounters.push(enc);
        }
        // A heading-less run of blank lines before the first real encounter
        // is not an encounter of its own.
        if encounters.len() > 1 && encounters[0].heading.is_none() && !preamble_has_text {
            encounters.remove(0);
        }
        if encounters.is_empty() {
            encounters.push(Encounter {
                span: Span::new(0, text.len()),
                heading: None,
                date: None,
                header: Vec::new(),
                sections: Vec::new(),
            });
        }
        Note { encounters }
    }
}

impl Encounter {
    /// The header field whose label is `label` (a canonical label name).
    pub fn header_field(&self, label: vocab::Label) -> Option<&Field> {
        self.header
            .iter()
            .filter_map(|l| l.field())
            .find(|f| f.label == label)
    }
}

/// Splits text into lines: each line's span without its line end (`\n`,
/// `\r\n` or a lone `\r`), and its content.
pub fn physical_lines(text: &str) -> impl Iterator<Item = (Span, &str)> {
    let bytes = text.as_bytes();
    let mut pos = 0;
    std::iter::from_fn(move || {
        if pos >= bytes.len() {
            return None;
        }
        let start = pos;
        let mut end = pos;
        while end < bytes.len() && bytes[end] != b'\n' && bytes[end] != b'\r' {
            end += 1;
        }
        let next = if end < bytes.len() && bytes[end] == b'\r' {
            if end + 1 < bytes.len() && bytes[end + 1] == b'\n' {
                end + 2
            } else {
                end + 1
            }
        } else if end < bytes.len() {
            end + 1
        } else {
            end
        };
        pos = next;
        Some((Span::new(start, end), &text[start..end]))
    })
}

fn is_encounter_heading(line: &str) -> bool {
    let Some(rest) = line.strip_prefix('#') else {
        return false;
    };
    if rest.starts_with('#') {
        return false;
    }
    let rest = rest.trim_start();
    rest.len() >= 9
        && rest
            .get(..9)
            .is_some_and(|w| w.eq_ignore_ascii_case("encounter"))
}

/// The byte range of the title in a `## Title` line, relative to the line.
fn section_title(line: &str) -> Option<(usize, usize)> {
    let rest = line.strip_prefix("##")?;
    if rest.starts_with('#') {
        // `###` and deeper are sub-headings: free text within the section.
        return None;
    }
    let lead = rest.len() - rest.trim_start().len();
    let start = 2 + lead;
    let end = 2 + rest.trim_end().len();
    Some((start, end.max(start)))
}

/// Finds a date in an encounter heading: `2026-03-14`, `03/14/2026` or
/// `3/14/26`, returned as `YYYY-MM-DD`.
fn find_date(line: &str) -> Option<String> {
    let re = vocab::date_regex();
    let caps = re.captures(line)?;
    if let (Some(y), Some(m), Some(d)) = (caps.name("y"), caps.name("m"), caps.name("d")) {
        return Some(format!(
            "{}-{:0>2}-{:0>2}",
            y.as_str(),
            m.as_str(),
            d.as_str()
        ));
    }
    let (m, d, y) = (caps.name("m2")?, caps.name("d2")?, caps.name("y2")?);
    let year = if y.as_str().len() == 2 {
        format!("20{}", y.as_str())
    } else {
        y.as_str().to_string()
    };
    Some(format!("{}-{:0>2}-{:0>2}", year, m.as_str(), d.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::expect;

    fn outline(text: &str) -> String {
        let note = Note::parse(text);
        let mut out = String::new();
        for enc in &note.encounters {
            out.push_str(&format!(
                "encounter {:?} date={:?} header={}\n",
                enc.span.text(text).lines().next().unwrap_or(""),
                enc.date,
                enc.header.iter().filter(|l| l.field().is_some()).count()
            ));
            for s in &enc.sections {
                out.push_str(&format!(
                    "  section {:?} {:?} lines={}\n",
                    s.title.text(text),
                    s.class,
                    s.lines.len()
                ));
            }
        }
        out
    }

    #[test]
    fn encounters_and_sections() {
        let text = "# Encounter 2026-03-14\nPatient: X\nPayer: Medicare\n\n## HPI\nItchy.\n## Procedure 1: shave biopsy\nSite: left arm\n### detail\n# Encounter 03/20/26 follow-up\n## Billing\n- 11102\n";
        expect![[r##"
            encounter "# Encounter 2026-03-14" date=Some("2026-03-14") header=2
              section "HPI" Free lines=1
              section "Procedure 1: shave biopsy" Procedure lines=2
            encounter "# Encounter 03/20/26 follow-up" date=Some("2026-03-20") header=0
              section "Billing" Billing lines=1
        "##]]
        .assert_eq(&outline(text));
    }

    #[test]
    fn no_heading_is_one_encounter_and_crlf_is_stripped() {
        let text = "Payer: UHC\r\n\r\n## Procedure: cryo\r\nCount: 3\r\n";
        let note = Note::parse(text);
        assert_eq!(note.encounters.len(), 1);
        let enc = &note.encounters[0];
        assert_eq!(enc.header[0].span.text(text), "Payer: UHC");
        assert_eq!(enc.sections[0].lines[0].span.text(text), "Count: 3");
        assert_eq!(enc.span, Span::new(0, text.len() - 2));
    }

    #[test]
    fn blank_preamble_is_not_an_encounter() {
        let text = "\n\n# Encounter 2026-01-01\nPayer: Aetna\n";
        assert_eq!(Note::parse(text).encounters.len(), 1);
    }

    #[test]
    fn empty_text_is_one_empty_encounter() {
        let note = Note::parse("");
        assert_eq!(note.encounters.len(), 1);
        assert!(note.encounters[0].sections.is_empty());
    }

    #[test]
    fn lone_cr_line_ends() {
        let lines: Vec<_> = physical_lines("a\rb\r\nc\n\nd").map(|(_, l)| l).collect();
        assert_eq!(lines, ["a", "b", "c", "", "d"]);
    }
}
