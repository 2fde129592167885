//! The `## Billing` section: one claim line per item,
//! `- CODE[-MOD…][ xN]  Dx: A, B`.

use crate::re::Re;

use crate::note::{LineKind, Section};
use crate::span::Span;

/// A parsed Billing section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BillingSection {
    pub heading: Span,
    pub span: Span,
    pub lines: Vec<BillingLine>,
}

/// One claim line as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BillingLine {
    /// The whole line, without its line end.
    pub span: Span,
    /// The item text after any list marker.
    pub body: Span,
    pub code: Option<(String, Span)>,
    pub modifiers: Vec<(String, Span)>,
    /// Units as written (`x2`), when written.
    pub units: Option<(u32, Span)>,
    /// Units text that could not be read as a number (`x-3`, an overflow).
    pub bad_units: Option<Span>,
    pub dx: Vec<(String, Span)>,
    /// Text on the line that is none of the above.
    pub unread: Vec<Span>,
}

impl BillingLine {
    pub fn units_or_one(&self) -> u32 {
        self.units.map(|u| u.0).unwrap_or(1)
    }
}

static CODE: Re = Re::new(
    r"^(?i:(?:cpt|hcpcs)\s*(?:code)?\s*[:#]?\s*)?(?P<code>[0-9A-Za-z]{4,5}[A-Za-z]?)(?P<mods>(?:\s*-\s*[0-9A-Za-z]{1,3})*)",
);
static MODIFIER: Re = Re::new(r"-\s*([0-9A-Za-z]{1,3})");
static UNITS: Re = Re::new(
    r"(?ix)^(?:
            [x×]\s*(?P<n>[^\s,;)]+)(?:\s*units?\b)?
          | \(\s*(?:[x×]\s*)?(?P<p>[^)\s]+)(?:\s*units?)?\s*\)
          | (?:units?|u)\s*[:=]?\s*(?P<u>[^\s,;]+)
          | (?P<w>[0-9]+)\s*units?\b
        )",
);
static DX: Re = Re::new(r"(?i)\b(?:dx|icd-?10(?:-cm)?|diagnos[ie]s)\s*:\s*");
static DX_CODE: Re = Re::new(r"[A-Za-z0-9][A-Za-z0-9.]*");

/// The leftmost match of [`DX`] in `s`, as (start, end). ASCII text, all
/// but always, is scanned by hand: the regex's alternatives each begin
/// with a word character after a word boundary and take their optional
/// parts whenever they are there (`-cm` not followed by `:` leaves `-`,
/// which cannot start `\s*:`), so trying each in order at each boundary
/// finds what the regex finds. Other text goes to the regex.
fn dx_label(s: &str) -> Option<(usize, usize)> {
    if !s.is_ascii() {
        return DX.find(s).map(|m| (m.start(), m.end()));
    }
    let t = s.as_bytes();
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let space = |b: u8| matches!(b, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ');
    let lit = |p: usize, w: &[u8]| {
        t.get(p..p + w.len())
            .is_some_and(|x| x.eq_ignore_ascii_case(w))
    };
    // After an alternative ending at `p`: `\s*:\s*`, and where it ends.
    let colon = |mut p: usize| {
        while p < t.len() && space(t[p]) {
            p += 1;
        }
        if t.get(p) != Some(&b':') {
            return None;
        }
        p += 1;
        while p < t.len() && space(t[p]) {
            p += 1;
        }
        Some(p)
    };
    let icd = |mut p: usize| {
        p += 3;
        if t.get(p) == Some(&b'-') {
            p += 1;
        }
        if !lit(p, b"10") {
            return None;
        }
        p += 2;
        if lit(p, b"-cm") {
            p += 3;
        }
        colon(p)
    };
    let diagnosis = |p: usize| {
        (lit(p, b"diagnos") && matches!(t.get(p + 7), Some(b'i' | b'I' | b'e' | b'E')))
            .then_some(p + 8)
            .filter(|&q| lit(q, b"s"))
            .and_then(|q| colon(q + 1))
    };
    for i in 0..t.len() {
        if i > 0 && word(t[i - 1]) {
            continue;
        }
        let end = match t[i] {
            b'd' | b'D' => lit(i, b"dx")
                .then(|| colon(i + 2))
                .flatten()
                .or_else(|| diagnosis(i)),
            b'i' | b'I' if lit(i, b"icd") => icd(i),
            _ => None,
        };
        if let Some(end) = end {
            return Some((i, end));
        }
    }
    None
}

/// Where a regex group matched: (start, end).
type Group = (usize, usize);

/// The `code` and `mods` groups of [`CODE`] matched at the start of `s`.
/// ASCII text is read by hand: the code and the modifiers take all they
/// can (nothing after them can fail), and of the prefix only `code` may
/// have to be given back to the code itself (`CPT code` → `code`); so
/// trying the prefix with and without it, then no prefix, finds what the
/// regex finds. Other text goes to the regex.
fn code_and_mods(s: &str) -> Option<(Group, Group)> {
    if !s.is_ascii() {
        let caps = CODE.captures(s)?;
        let code = caps.name("code").expect("code group");
        let mods = caps.name("mods").expect("mods group");
        return Some(((code.start(), code.end()), (mods.start(), mods.end())));
    }
    let t = s.as_bytes();
    let space = |b: u8| matches!(b, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ');
    let spaces = |mut p: usize| {
        while p < t.len() && space(t[p]) {
            p += 1;
        }
        p
    };
    let alnum = |p: usize, most: usize| {
        t.get(p..).map_or(0, |r| {
            r.iter()
                .take(most)
                .take_while(|b| b.is_ascii_alphanumeric())
                .count()
        })
    };
    let lit = |p: usize, w: &[u8]| {
        t.get(p..p + w.len())
            .is_some_and(|x| x.eq_ignore_ascii_case(w))
    };
    // `[0-9A-Za-z]{4,5}[A-Za-z]?` at `p`, then the modifiers.
    let code_at = |p: usize| {
        let n = alnum(p, 5);
        if n < 4 {
            return None;
        }
        let mut end = p + n;
        if t.get(end).is_some_and(u8::is_ascii_alphabetic) {
            end += 1;
        }
        let mut q = end;
        loop {
            let r = spaces(q);
            if t.get(r) != Some(&b'-') {
                break;
            }
            let r = spaces(r + 1);
            let k = alnum(r, 3);
            if k == 0 {
                break;
            }
            q = r + k;
        }
        Some(((p, end), (end, q)))
    };
    let prefix = if lit(0, b"cpt") {
        Some(3)
    } else if lit(0, b"hcpcs") {
        Some(5)
    } else {
        None
    };
    if let Some(a) = prefix {
        let b = spaces(a);
        let with_code_word = lit(b, b"code").then_some(b + 4);
        for b in with_code_word.into_iter().chain([b]) {
            let mut c = spaces(b);
            if matches!(t.get(c), Some(b':' | b'#')) {
                c += 1;
            }
            if let Some(found) = code_at(spaces(c)) {
                return Some(found);
            }
        }
    }
    code_at(0)
}

/// Parses the lines of a Billing section.
pub fn parse(text: &str, section: &Section) -> BillingSection {
    let mut lines = Vec::new();
    for l in &section.lines {
        if matches!(l.kind, LineKind::Blank | LineKind::Comment) {
            continue;
        }
        lines.push(parse_line(text, l.span, l.body));
    }
    BillingSection {
        heading: section.heading,
        span: section.span,
        lines,
    }
}

fn parse_line(text: &str, span: Span, body: Span) -> BillingLine {
    let s = body.text(text);
    let mut line = BillingLine {
        span,
        body,
        code: None,
        modifiers: Vec::new(),
        units: None,
        bad_units: None,
        dx: Vec::new(),
        unread: Vec::new(),
    };
    // The Dx part first: everything after `Dx:`.
    let (claim_part, dx_at) = match dx_label(s) {
        Some((start, end)) => (&s[..start], Some(end)),
        None => (s, None),
    };
    if let Some(at) = dx_at {
        for m in DX_CODE.find_iter(&s[at..]) {
            line.dx.push((
                m.as_str().trim_end_matches('.').to_string(),
                body.sub(
                    at + m.start(),
                    at + m.start() + m.as_str().trim_end_matches('.').len(),
                ),
            ));
        }
    }
    let Some((code, mods)) = code_and_mods(claim_part) else {
        if !claim_part.trim().is_empty() {
            let lead = claim_part.len() - claim_part.trim_start().len();
            line.unread
                .push(body.sub(lead, lead + claim_part.trim().len()));
        }
        return line;
    };
    line.code = Some((
        claim_part[code.0..code.1].to_uppercase(),
        body.sub(code.0, code.1),
    ));
    for m in MODIFIER.captures_iter(&claim_part[mods.0..mods.1]) {
        let g = m.get(1).expect("modifier group");
        line.modifiers.push((
            g.as_str().to_uppercase(),
            body.sub(mods.0 + g.start(), mods.0 + g.end()),
        ));
    }
    // The match ends where the modifiers do.
    let mut pos = mods.1;
    loop {
        let rest = &claim_part[pos..];
        let trimmed = rest.trim_start();
        if trimmed.is_empty() {
            break;
        }
        pos += rest.len() - trimmed.len();
        if let Some(u) = UNITS.captures(trimmed) {
            let g = u
                .name("n")
                .or(u.name("p"))
                .or(u.name("u"))
                .or(u.name("w"))
                .expect("units group");
            let whole = u.get(0).expect("match");
            let value = g.as_str();
            match value.parse::<u32>() {
                Ok(n) if n > 0 && line.units.is_none() => {
                    line.units = Some((n, body.sub(pos, pos + whole.end())))
                }
                _ => line.bad_units = Some(body.sub(pos, pos + whole.end())),
            }
            pos += whole.end();
            continue;
        }
        // Anything else up to the next space is unread text.
        let word_len = trimmed.find(char::is_whitespace).unwrap_or(trimmed.len());
        line.unread.push(body.sub(pos, pos + word_len));
        pos += word_len;
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::note::Note;

    fn lines(src: &str) -> Vec<BillingLine> {
        let note = Note::parse(src);
        let section = &note.encounters[0].sections[0];
        parse(src, section).lines
    }

    fn show(src: &str, l: &BillingLine) -> String {
        format!(
            "code={:?} mods={:?} units={:?} bad={:?} dx={:?} unread={:?}",
            l.code.as_ref().map(|c| c.0.as_str()),
            l.modifiers.iter().map(|m| m.0.as_str()).collect::<Vec<_>>(),
            l.units.map(|u| u.0),
            l.bad_units.map(|s| s.text(src)),
            l.dx.iter().map(|d| d.0.as_str()).collect::<Vec<_>>(),
            l.unread.iter().map(|s| s.text(src)).collect::<Vec<_>>(),
        )
    }

    /// `dx_label` finds what the `DX` regex finds.
    #[test]
    fn dx_label_agrees_with_the_regex() {
        let parts = [
            "dx",
            "DX",
            "Dx",
            "icd",
            "ICD",
            "-",
            "10",
            "-cm",
            "-CM",
            "diagnosis",
            "Diagnoses",
            "diagnosas",
            ":",
            " ",
            "\t",
            "x",
            "_",
            "L40.0",
            "- 11102",
            "é",
            "a",
            "1",
        ];
        let mut texts: Vec<String> = Vec::new();
        for a in parts {
            for b in parts {
                for c in parts {
                    texts.push(format!("{a}{b}{c}"));
                    texts.push(format!("{a}{b} {c}: x"));
                    texts.push(format!("- 11102 {a}{b}{c}:"));
                }
            }
        }
        texts.extend(
            crate::corpus::generate(9, 100_000)
                .lines()
                .map(str::to_string),
        );
        for t in &texts {
            let want = DX.find(t).map(|m| (m.start(), m.end()));
            assert_eq!(dx_label(t), want, "{t:?}");
        }
    }

    /// `code_and_mods` finds the groups the `CODE` regex finds.
    #[test]
    fn code_and_mods_agree_with_the_regex() {
        let parts = [
            "cpt", "CPT", "hcpcs", "code", "Code", " ", ":", "#", "1110", "11102", "1110A",
            "11102A", "11102AB", "-", "- ", "25", "XS", "59x1", "x2", "é", "abc", "J7",
        ];
        let mut texts: Vec<String> = Vec::new();
        for a in parts {
            for b in parts {
                for c in parts {
                    texts.push(format!("{a}{b}{c}"));
                    texts.push(format!("{a} {b}{c}-25 x2"));
                    texts.push(format!("{a}{b} {c} -XS"));
                }
            }
        }
        texts.extend(
            crate::corpus::generate(11, 100_000)
                .lines()
                .map(str::to_string),
        );
        for t in &texts {
            let want = CODE.captures(t).map(|c| {
                let g = |n: &str| c.name(n).map(|m| (m.start(), m.end())).unwrap();
                (g("code"), g("mods"))
            });
            assert_eq!(code_and_mods(t), want, "{t:?}");
        }
    }

    #[test]
    fn billing_lines() {
        let src = "## Billing\n- 99213-25  Dx: L40.0\n- 11103 x2  Dx: D49.2, L57.0\n* 17003 ×7\n- 11102-ZZ-59-25-XS x-3 x99999999999999999999\n- hello\n- CPT 17003 (7 units)\n- 17003 x 7 units\n- 17003 7 units\n- 17003 units: 7\n";
        let got: Vec<String> = lines(src).iter().map(|l| show(src, l)).collect();
        assert_eq!(
            got,
            [
                r#"code=Some("99213") mods=["25"] units=None bad=None dx=["L40.0"] unread=[]"#,
                r#"code=Some("11103") mods=[] units=Some(2) bad=None dx=["D49.2", "L57.0"] unread=[]"#,
                r#"code=Some("17003") mods=[] units=Some(7) bad=None dx=[] unread=[]"#,
                r#"code=Some("11102") mods=["ZZ", "59", "25", "XS"] units=None bad=Some("x99999999999999999999") dx=[] unread=[]"#,
                r#"code=Some("HELLO") mods=[] units=None bad=None dx=[] unread=[]"#,
                r#"code=Some("17003") mods=[] units=Some(7) bad=None dx=[] unread=[]"#,
                r#"code=Some("17003") mods=[] units=Some(7) bad=None dx=[] unread=[]"#,
                r#"code=Some("17003") mods=[] units=Some(7) bad=None dx=[] unread=[]"#,
                r#"code=Some("17003") mods=[] units=Some(7) bad=None dx=[] unread=[]"#,
            ]
        );
    }
}
