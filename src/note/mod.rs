//! Text to syntax: encounters, header fields, sections and lines, each with
//! its byte span. Parsing never fails: any text yields a `Note`, and text the
//! parser cannot place is simply free text.

mod line;
pub(crate) mod scan;

pub use line::{Bullet, Field, Line, LineKind, line_body, parse_line};

use crate::span::Span;
use crate::vocab::{self, SectionClass};

/// A parsed note: one or more encounters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    pub encounters: Vec<Encounter>,
}

/// One encounter: from its `# Encounter` heading (or the start of the file)
/// to the next one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
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

impl Section {
    /// A section with no lines yet, headed by the line at `span` whose
    /// title is at `title` (offsets in the line, from [`section_title`]).
    fn headed(text: &str, span: Span, title: (usize, usize)) -> Section {
        let title = span.sub(title.0, title.1);
        Section {
            span,
            heading: span,
            title,
            class: vocab::classify_section(title.text(text)),
            lines: Vec::new(),
        }
    }
}

impl Note {
    /// Parses a whole note. Never fails and never panics.
    pub fn parse(text: &str) -> Note {
        Note {
            encounters: encounter_chunks(text)
                .into_iter()
                .map(|c| Encounter::parse(text, c))
                .collect(),
        }
    }
}

/// The text of one encounter: whole lines of the note, line ends included,
/// from its `# Encounter` heading (or the start of the file) up to the next
/// heading.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chunk {
    pub start: usize,
    pub end: usize,
}

/// Splits a note into its encounters' chunks, in order: one per `#
/// Encounter` heading, and one for the text before the first heading when
/// the note's first line is text (not blank, not a `# ` title), or when
/// there is no heading at all. Empty text is one empty chunk. Finding the
/// headings costs one `memchr` pass, so the chunks can then be parsed in
/// any order, or in parallel.
pub fn encounter_chunks(text: &str) -> Vec<Chunk> {
    if text.len() < PARALLEL_SCAN {
        return chunks_of(text, heading_starts(text, 0, text.len()));
    }
    chunks_of(text, heading_starts_in_pieces(text, SCAN_PIECE))
}

/// Texts at least this long have their headings found on all cores: the
/// scan of a 20 MB note is a tenth of its run when only one core does it.
const PARALLEL_SCAN: usize = 1 << 20;

/// The bytes each task of the parallel scan looks at.
const SCAN_PIECE: usize = 256 << 10;

/// [`heading_starts`] over the whole text, found in pieces of `piece`
/// bytes in parallel and joined in order. A heading is found in the piece
/// where its `#` is, whichever piece the rest of its line lies in (each
/// search looks at the whole text around its `#`), so the pieces give
/// exactly the headings of one search over the whole.
fn heading_starts_in_pieces(text: &str, piece: usize) -> Vec<usize> {
    use rayon::prelude::*;
    let piece = piece.max(1);
    let found: Vec<Vec<usize>> = (0..text.len().div_ceil(piece))
        .into_par_iter()
        .map(|k| heading_starts(text, k * piece, (k + 1) * piece))
        .collect();
    found.concat()
}

/// Where the encounter headings that start in `from..to` start: a `#` at a
/// line start whose line is an encounter heading.
pub fn heading_starts(text: &str, from: usize, to: usize) -> Vec<usize> {
    let bytes = text.as_bytes();
    let to = to.min(bytes.len());
    let from = from.min(to);
    // The `#`s at line starts are found a block of bytes at a time, those
    // of `##` (which starts a section, never an encounter: most `#`s are
    // those) left out with them.
    let mut starts = Vec::new();
    scan::line_start_hashes(bytes, from, to, |i| {
        if is_encounter_heading(line_at(text, i)) {
            starts.push(i);
        }
    });
    starts
}

/// The chunks of a text whose encounter headings start at `starts` (in
/// order): as [`encounter_chunks`] gives them.
pub fn chunks_of(text: &str, mut starts: Vec<usize>) -> Vec<Chunk> {
    if starts.first() != Some(&0) {
        let first_line = line_at(text, 0);
        let preamble_has_text =
            !first_line.trim().is_empty() && !first_line.trim_start().starts_with("# ");
        if preamble_has_text || starts.is_empty() {
            starts.insert(0, 0);
        }
    }
    let ends = starts.iter().skip(1).copied().chain([text.len()]);
    starts
        .iter()
        .zip(ends)
        .map(|(&start, end)| Chunk { start, end })
        .collect()
}

impl Encounter {
    /// Parses one encounter from its chunk of the note.
    ///
    /// One walk over its lines, their ends found sixteen bytes at a time
    /// and each line looked at as bytes: only a line that starts with
    /// `##` is tested for a section heading. The walk notes the lines'
    /// spans; the header's and each section's lines are then parsed into
    /// lists made at their size.
    pub fn parse(text: &str, chunk: Chunk) -> Encounter {
        let bytes = text.as_bytes();
        let mut ends = scan::LineEnds::new(bytes, chunk.start);
        let mut pos = chunk.start;
        let mut heading = None;
        if pos < chunk.end {
            // The first line is read again below when it is no heading:
            // its end is looked for on a copy of the scan.
            let mut probe = ends.clone();
            let (span, next) = next_line(bytes, &mut probe, pos);
            if is_encounter_heading(span.text(text)) {
                heading = Some(span);
                pos = next;
                ends = probe;
            }
        }
        let start = heading.map_or(chunk.start, |h| h.start);
        let mut enc = Encounter {
            span: heading.unwrap_or(Span::new(start, start)),
            heading,
            date: heading.and_then(|h| find_date(h.text(text))),
            header: Vec::new(),
            sections: Vec::new(),
        };
        // First the lines' spans, and where each section heading is
        // among them; then each list of lines is made at its size and
        // its lines parsed straight into it. A line is parsed once and
        // moved once, and no list grows.
        let (mut spans, mut heads) = WALK.take();
        spans.clear();
        heads.clear();
        while pos < chunk.end {
            let (span, next) = next_line(bytes, &mut ends, pos);
            pos = next;
            if bytes[span.start..span.end].starts_with(b"##") {
                if let Some(title) = section_title(span.text(text)) {
                    heads.push(Head {
                        at: spans.len(),
                        span,
                        title,
                    });
                    continue;
                }
            }
            spans.push(span);
        }
        let first = heads.first().map_or(spans.len(), |h| h.at);
        enc.header = parse_lines(text, &spans[..first]);
        enc.sections = Vec::with_capacity(heads.len());
        for (k, head) in heads.iter().enumerate() {
            let to = heads.get(k + 1).map_or(spans.len(), |h| h.at);
            let mut section = Section::headed(text, head.span, head.title);
            section.lines = parse_lines(text, &spans[head.at..to]);
            if let Some(last) = section.lines.last() {
                section.span.end = last.span.end;
            }
            enc.sections.push(section);
        }
        // The encounter ends with its last line, heading or not.
        let last_line = spans.last().map_or(0, |s| s.end);
        let last_head = heads.last().map_or(0, |h| h.span.end);
        enc.span.end = enc.span.end.max(last_line).max(last_head);
        WALK.set((spans, heads));
        enc
    }

    /// How many lines its text has: one per line parsed (the heading,
    /// the header, each section's heading and lines), which is every line
    /// of its chunk.
    pub fn line_count(&self) -> usize {
        usize::from(self.heading.is_some())
            + self.header.len()
            + self
                .sections
                .iter()
                .map(|s| 1 + s.lines.len())
                .sum::<usize>()
    }

    /// The header field whose label is `label` (a canonical label name).
    pub fn header_field(&self, label: vocab::Label) -> Option<&Field> {
        self.header
            .iter()
            .filter_map(|l| l.field())
            .find(|f| f.label == label)
    }
}

/// A section heading met by [`Encounter::parse`]: how many of the
/// encounter's other lines come before it, its line, and its title's
/// offsets in that line.
struct Head {
    at: usize,
    span: Span,
    title: (usize, usize),
}

std::thread_local! {
    /// The line spans and section headings of the encounter
    /// [`Encounter::parse`] is parsing: lists kept by each thread between
    /// encounters, so that an encounter needs none of its own.
    static WALK: std::cell::Cell<(Vec<Span>, Vec<Head>)> =
        const { std::cell::Cell::new((Vec::new(), Vec::new())) };
}

/// The lines at `spans` of `text`, parsed into a list of their number.
fn parse_lines(text: &str, spans: &[Span]) -> Vec<Line> {
    let mut lines = Vec::with_capacity(spans.len());
    lines.extend(spans.iter().map(|&span| parse_line(text, span)));
    lines
}

/// Splits text into lines: each line's span without its line end (`\n`,
/// `\r\n` or a lone `\r`), and its content.
pub fn physical_lines(text: &str) -> impl Iterator<Item = (Span, &str)> {
    lines_between(text, 0, text.len())
}

/// The lines that start in `start..end` (`start` at a line start), as
/// [`physical_lines`] gives them.
fn lines_between(text: &str, start: usize, end: usize) -> impl Iterator<Item = (Span, &str)> {
    let mut pos = start;
    std::iter::from_fn(move || {
        if pos >= end {
            return None;
        }
        let (span, next) = line_from(text.as_bytes(), pos);
        pos = next;
        Some((span, &text[span.start..span.end]))
    })
}

/// The line that starts at `pos`: its span without its line end (`\n`,
/// `\r\n` or a lone `\r`), and where the next line starts.
fn line_from(bytes: &[u8], pos: usize) -> (Span, usize) {
    // `memchr2` finds the line end a word at a time.
    let Some(i) = memchr::memchr2(b'\n', b'\r', &bytes[pos..]) else {
        return (Span::new(pos, bytes.len()), bytes.len());
    };
    let end = pos + i;
    let next = if bytes[end] == b'\r' && bytes.get(end + 1) == Some(&b'\n') {
        end + 2
    } else {
        end + 1
    };
    (Span::new(pos, end), next)
}

/// The line that starts at `pos`, as [`line_from`] gives it, its end
/// found by `ends` (which has given no end at or after `pos` yet).
#[inline]
fn next_line(bytes: &[u8], ends: &mut scan::LineEnds, pos: usize) -> (Span, usize) {
    let Some(end) = ends.next_from(pos) else {
        return (Span::new(pos, bytes.len()), bytes.len());
    };
    let next = if bytes[end] == b'\r' && bytes.get(end + 1) == Some(&b'\n') {
        end + 2
    } else {
        end + 1
    };
    (Span::new(pos, end), next)
}

/// The line that starts at byte `start`, without its line end.
fn line_at(text: &str, start: usize) -> &str {
    let rest = &text[start..];
    let len = memchr::memchr2(b'\n', b'\r', rest.as_bytes()).unwrap_or(rest.len());
    &rest[..len]
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
    if !line.is_ascii() {
        return find_date_by_regex(line);
    }
    let (y, m, d) = date_parts(line)?;
    // `{century}{y}-{m:0>2}-{d:0>2}`, built by hand: the month and day are
    // one or two ASCII digits, so padding is one `0` before a single digit.
    let mut date = String::with_capacity(10);
    if y.len() == 2 {
        date.push_str("20");
    }
    date.push_str(y);
    for part in [m, d] {
        date.push('-');
        if part.len() < 2 {
            date.push('0');
        }
        date.push_str(part);
    }
    Some(date)
}

/// The year (four digits or two), month and day of the first date in ASCII
/// text: what [`vocab::date_regex`] captures there, found without it. At
/// each digit that starts a word, left to right, `YYYY-M-D` is tried, then
/// `M/D/YY` or `M/D/YYYY`. Each part is a whole run of digits: the
/// regex's `\d{1,2}` must be followed by `-`, `/` or a word boundary, which
/// a third digit is not.
fn date_parts(line: &str) -> Option<(&str, &str, &str)> {
    let b = line.as_bytes();
    let word = |i: usize| {
        b.get(i)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
    };
    let digits = |i: usize| {
        b.get(i..).map_or(0, |rest| {
            rest.iter().take_while(|c| c.is_ascii_digit()).count()
        })
    };
    let short = |n: usize| (1..=2).contains(&n);
    for s in 0..b.len() {
        if !b[s].is_ascii_digit() || (s > 0 && word(s - 1)) {
            continue;
        }
        let run = digits(s);
        if run == 4 && b.get(s + 4) == Some(&b'-') {
            let m = s + 5;
            let m_len = digits(m);
            let d = m + m_len + 1;
            let d_len = digits(d);
            if short(m_len) && b.get(m + m_len) == Some(&b'-') && short(d_len) && !word(d + d_len) {
                return Some((&line[s..s + 4], &line[m..m + m_len], &line[d..d + d_len]));
            }
        }
        if short(run) && b.get(s + run) == Some(&b'/') {
            let d = s + run + 1;
            let d_len = digits(d);
            let y = d + d_len + 1;
            let y_len = digits(y);
            if short(d_len)
                && b.get(d + d_len) == Some(&b'/')
                && (y_len == 4 || y_len == 2)
                && !word(y + y_len)
            {
                return Some((&line[y..y + y_len], &line[s..s + run], &line[d..d + d_len]));
            }
        }
    }
    None
}

/// [`find_date`] by [`vocab::date_regex`]: for text that is not ASCII,
/// where `\d` and `\b` are Unicode's.
fn find_date_by_regex(line: &str) -> Option<String> {
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
    fn the_first_line_decides_whether_a_preamble_is_an_encounter() {
        let kept = "Payer: Aetna\n# Encounter 2026-01-01\n";
        assert_eq!(Note::parse(kept).encounters.len(), 2);
        let titled = "# Notes of 2026\n\nPayer: Aetna\n# Encounter 2026-01-01\n";
        assert_eq!(Note::parse(titled).encounters.len(), 1);
        let chunks = encounter_chunks("a\r# Encounter 1\r\n## x\n# encounter 2");
        assert_eq!(
            chunks,
            [
                Chunk { start: 0, end: 2 },
                Chunk { start: 2, end: 22 },
                Chunk { start: 22, end: 35 }
            ]
        );
    }

    #[test]
    fn empty_text_is_one_empty_encounter() {
        let note = Note::parse("");
        assert_eq!(note.encounters.len(), 1);
        assert!(note.encounters[0].sections.is_empty());
    }

    /// The date found by hand is the one the regex finds.
    #[test]
    fn dates_by_hand_agree_with_the_regex() {
        for t in [
            "# Encounter 2026-03-14",
            "# Encounter 03/20/26 follow-up",
            "# Encounter 3/4/2026",
            "# Encounter 2026-3-4T10:00",
            "# Encounter 12026-03-14 and 1/2/03",
            "# Encounter 2026-03-145 then 2026-03-1_",
            "2026-03-14x 2026-03-14",
            "1/2/345 1/2/3456 1/22/33 123/4/56 1/2/26",
            "x1/2/26 _1/2/26 -1/2/26",
            "",
        ] {
            assert_eq!(find_date(t), find_date_by_regex(t), "{t:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn dates_by_hand_agree_with_the_regex_on_any_text(t in "[0-9/ \\-_aT]{0,24}") {
            proptest::prop_assert_eq!(find_date(&t), find_date_by_regex(&t));
        }
    }

    /// Texts of `fixed` pieces and of pieces matching the regex `free`, at
    /// most `most` of them joined in any order; each fixed piece is as
    /// likely as a free one.
    fn pieces_text(
        fixed: &'static [&'static str],
        free: &'static str,
        most: usize,
    ) -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let part = prop_oneof![
            fixed.len() as u32 => prop::sample::select(fixed).prop_map(str::to_string),
            1 => free,
        ];
        proptest::collection::vec(part, 0..most).prop_map(|v| v.concat())
    }

    /// Texts of headings, sections, CRLF, lone CR and non-ASCII text, in
    /// any order.
    fn headed_text() -> impl proptest::strategy::Strategy<Value = String> {
        pieces_text(
            &[
                "# Encounter 1",
                "#encounter",
                "# Enc",
                "## Billing",
                "#",
                "# ",
                "\n",
                "\r",
                "\r\n",
                "é#",
                "x",
            ],
            "[#a\r\n é×]{0,6}",
            24,
        )
    }

    proptest::proptest! {
        /// The headings found in pieces of any size (so with a `#`, a line
        /// end or a character at every boundary) are those of one search.
        #[test]
        fn headings_in_pieces_are_those_of_one_search(text in headed_text(), piece in 1usize..12) {
            let whole = heading_starts(&text, 0, text.len());
            proptest::prop_assert_eq!(heading_starts_in_pieces(&text, piece), whole.clone());
            proptest::prop_assert_eq!(
                chunks_of(&text, heading_starts_in_pieces(&text, piece)),
                chunks_of(&text, whole)
            );
        }
    }

    /// A text long enough to be scanned in parallel gives the chunks of
    /// one search over it.
    #[test]
    fn a_long_note_is_scanned_in_parallel_with_the_same_chunks() {
        let enc = "# Encounter 2026-03-14\r\nPayer: Medicare\n## Billing\r- 11102 é\n#\n";
        let mut text = String::from("preamble ×\n");
        let mut encounters = 0;
        while text.len() < PARALLEL_SCAN + SCAN_PIECE {
            text.push_str(enc);
            encounters += 1;
        }
        let chunks = encounter_chunks(&text);
        assert_eq!(
            chunks,
            chunks_of(&text, heading_starts(&text, 0, text.len()))
        );
        // The preamble, then one chunk per encounter (a lone `#` heads
        // none).
        assert_eq!(chunks.len(), 1 + encounters);
        assert_eq!(chunks[1].start, "preamble ×\n".len());
    }

    /// [`Encounter::parse`] as it was: its lines from [`lines_between`],
    /// each parsed by [`line::parse_line_by_str`].
    fn parse_by_lines(text: &str, chunk: Chunk) -> Encounter {
        let mut lines = lines_between(text, chunk.start, chunk.end).peekable();
        let heading = lines
            .next_if(|(_, content)| is_encounter_heading(content))
            .map(|(span, _)| span);
        let start = heading.map_or(chunk.start, |h| h.start);
        let mut enc = Encounter {
            span: heading.unwrap_or(Span::new(start, start)),
            heading,
            date: heading.and_then(|h| find_date(h.text(text))),
            header: Vec::new(),
            sections: Vec::new(),
        };
        for (span, content) in lines {
            enc.span.end = span.end;
            if let Some(title) = section_title(content) {
                enc.sections.push(Section::headed(text, span, title));
                continue;
            }
            let line = line::parse_line_by_str(text, span);
            match enc.sections.last_mut() {
                Some(section) => {
                    section.span.end = span.end;
                    section.lines.push(line);
                }
                None => enc.header.push(line),
            }
        }
        enc
    }

    /// Notes of headings, sections, fields, list items and line ends of
    /// every kind, with lines long enough to cross a scan's blocks.
    fn note_text() -> impl proptest::strategy::Strategy<Value = String> {
        pieces_text(
            &[
                "# Encounter 2026-03-14",
                "# encounter 3/4/26 ×",
                "## Procedure: shave biopsy ",
                "##Billing",
                "### detail",
                "Site: left cheek",
                "- 11102 Dx: L57.0",
                "(A) right arm: 5 mm",
                "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
                "\n",
                "\r",
                "\r\n",
            ],
            "[#a:\r\n é×\t-]{0,6}",
            30,
        )
    }

    proptest::proptest! {
        /// The encounters parsed are those parsed line by line as before.
        #[test]
        fn encounters_agree_with_parsing_line_by_line(text in note_text()) {
            for chunk in encounter_chunks(&text) {
                proptest::prop_assert_eq!(
                    Encounter::parse(&text, chunk),
                    parse_by_lines(&text, chunk)
                );
            }
        }
    }

    #[test]
    fn lone_cr_line_ends() {
        let lines: Vec<_> = physical_lines("a\rb\r\nc\n\nd").map(|(_, l)| l).collect();
        assert_eq!(lines, ["a", "b", "c", "", "d"]);
    }
}
