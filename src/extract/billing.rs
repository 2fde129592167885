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
    let (claim_part, dx_at) = match DX.find(s) {
        Some(m) => (&s[..m.start()], Some(m.end())),
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
    let Some(caps) = CODE.captures(claim_part) else {
        if !claim_part.trim().is_empty() {
            let lead = claim_part.len() - claim_part.trim_start().len();
            line.unread
                .push(body.sub(lead, lead + claim_part.trim().len()));
        }
        return line;
    };
    let code = caps.name("code").expect("code group");
    line.code = Some((
        code.as_str().to_uppercase(),
        body.sub(code.start(), code.end()),
    ));
    if let Some(mods) = caps.name("mods") {
        for m in MODIFIER.captures_iter(mods.as_str()) {
            let g = m.get(1).expect("modifier group");
            line.modifiers.push((
                g.as_str().to_uppercase(),
                body.sub(mods.start() + g.start(), mods.start() + g.end()),
            ));
        }
    }
    let mut pos = caps.get(0).expect("match").end();
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
