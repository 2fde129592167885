//! The `## Billing` section: one claim line per item,
//! `- CODE[-MOD…][ xN]  Dx: A, B`.

use crate::phrase::{after_spaces, is_space, is_word};
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
    let lit = |p: usize, w: &[u8]| {
        t.get(p..p + w.len())
            .is_some_and(|x| x.eq_ignore_ascii_case(w))
    };
    // After an alternative ending at `p`: `\s*:\s*`, and where it ends.
    let colon = |p: usize| {
        let p = after_spaces(t, p);
        (t.get(p) == Some(&b':')).then(|| after_spaces(t, p + 1))
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
        if i > 0 && is_word(t[i - 1]) {
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
    let spaces = |p: usize| after_spaces(t, p);
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

/// The matches of `[A-Za-z0-9][A-Za-z0-9.]*` in `s` (the Dx codes), left
/// to right, as (start, end). The pattern has ASCII classes only, so a plain scan of the bytes finds
/// them in any text: a run of letters, digits and dots that starts with a
/// letter or a digit.
fn dx_codes(s: &str) -> impl Iterator<Item = Group> + '_ {
    let t = s.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        i += t[i..].iter().position(u8::is_ascii_alphanumeric)?;
        let start = i;
        i += t[i..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'.')
            .count();
        Some((start, i))
    })
}

/// The `1`st groups of [`MODIFIER`]'s matches in `mods`, left to right. On
/// ASCII text a `-` starts a match when spaces and then a letter or digit
/// follow it (the group takes up to three); other text goes to the regex.
fn modifiers(mods: &str) -> Vec<Group> {
    if !mods.is_ascii() {
        return MODIFIER
            .captures_iter(mods)
            .map(|c| {
                let g = c.get(1).expect("modifier group");
                (g.start(), g.end())
            })
            .collect();
    }
    let t = mods.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(dash) = t[i..].iter().position(|&b| b == b'-') {
        let start = after_spaces(t, i + dash + 1);
        let n = t[start..]
            .iter()
            .take(3)
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        if n == 0 {
            i += dash + 1;
            continue;
        }
        out.push((start, start + n));
        i = start + n;
    }
    out
}

/// [`UNITS`] matched at the start of `s`: where its value group is (the
/// one of `n`, `p`, `u` and `w` that took part) and where the match ends.
/// ASCII text is read by hand: each alternative starts with a byte of its
/// own (`x`, `(`, `u`, a digit), and in each every run takes all it can
/// (what follows a run cannot start with a byte of its kind, or the
/// pattern has nothing after it), so trying the few ways an alternative
/// can be read, in the regex's order, finds what the regex finds. Other
/// text goes to the regex.
fn units(s: &str) -> Option<(Group, usize)> {
    if !s.is_ascii() {
        let u = UNITS.captures(s)?;
        let g = u
            .name("n")
            .or(u.name("p"))
            .or(u.name("u"))
            .or(u.name("w"))
            .expect("units group");
        return Some(((g.start(), g.end()), u.get(0).expect("match").end()));
    }
    let t = s.as_bytes();
    let word = |p: usize| t.get(p).is_some_and(|&b| is_word(b));
    let lit = |p: usize, w: &[u8]| {
        t.get(p..p + w.len())
            .is_some_and(|x| x.eq_ignore_ascii_case(w))
    };
    // The end of a run from `p` of bytes that `keep` keeps.
    let run =
        |p: usize, keep: &dyn Fn(u8) -> bool| p + t[p..].iter().take_while(|&&b| keep(b)).count();
    let spaces = |p: usize| after_spaces(t, p);
    // `units?` at `p` (`units` before `unit`), followed by `\b` when
    // `bounded`: where it ends.
    let unit_word = |p: usize, bounded: bool| {
        if !lit(p, b"unit") {
            return None;
        }
        let ok = |e: usize| !bounded || !word(e);
        [p + 5, p + 4]
            .into_iter()
            .filter(|&e| e == p + 4 || lit(p + 4, b"s"))
            .find(|&e| ok(e))
    };
    match t.first()? {
        // `[x×]\s*(?P<n>[^\s,;)]+)(?:\s*units?\b)?`
        b'x' | b'X' => {
            let n = spaces(1);
            let n_end = run(n, &|b| !(is_space(b) || matches!(b, b',' | b';' | b')')));
            if n_end > n {
                let end = unit_word(spaces(n_end), true).unwrap_or(n_end);
                return Some(((n, n_end), end));
            }
            None
        }
        // `\(\s*(?:[x×]\s*)?(?P<p>[^)\s]+)(?:\s*units?)?\s*\)`
        b'(' => {
            let q = spaces(1);
            // The value from `p` to its end, and where the match ends.
            let value_at = |p: usize| {
                let p_end = run(p, &|b| !(is_space(b) || b == b')'));
                if p_end == p {
                    return None;
                }
                let close = |e: usize| {
                    let e = spaces(e);
                    (t.get(e) == Some(&b')')).then_some(e + 1)
                };
                let end = unit_word(spaces(p_end), false)
                    .and_then(close)
                    .or_else(|| close(p_end))?;
                Some(((p, p_end), end))
            };
            let with_x = matches!(t.get(q), Some(b'x' | b'X'))
                .then(|| value_at(spaces(q + 1)))
                .flatten();
            with_x.or_else(|| value_at(q))
        }
        // `(?:units?|u)\s*[:=]?\s*(?P<u>[^\s,;]+)`
        b'u' | b'U' => {
            let value_at = |p: usize| {
                let p_end = run(p, &|b| !(is_space(b) || matches!(b, b',' | b';')));
                (p_end > p).then_some(((p, p_end), p_end))
            };
            let after_word = |w: usize| {
                let q = spaces(w);
                matches!(t.get(q), Some(b':' | b'='))
                    .then(|| value_at(spaces(q + 1)))
                    .flatten()
                    .or_else(|| value_at(q))
            };
            let words = [
                lit(0, b"units").then_some(5),
                lit(0, b"unit").then_some(4),
                Some(1),
            ];
            words.into_iter().flatten().find_map(after_word)
        }
        // `(?P<w>[0-9]+)\s*units?\b`
        b'0'..=b'9' => {
            let w_end = run(0, &|b| b.is_ascii_digit());
            let end = unit_word(spaces(w_end), true)?;
            Some(((0, w_end), end))
        }
        _ => None,
    }
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
        for (start, end) in dx_codes(&s[at..]) {
            let code = s[at + start..at + end].trim_end_matches('.');
            line.dx.push((
                code.to_string(),
                body.sub(at + start, at + start + code.len()),
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
    // The code and the modifiers are ASCII letters and digits.
    line.code = Some((
        claim_part[code.0..code.1].to_ascii_uppercase(),
        body.sub(code.0, code.1),
    ));
    for (start, end) in modifiers(&claim_part[mods.0..mods.1]) {
        line.modifiers.push((
            claim_part[mods.0 + start..mods.0 + end].to_ascii_uppercase(),
            body.sub(mods.0 + start, mods.0 + end),
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
        if let Some((value, end)) = units(trimmed) {
            let value = &trimmed[value.0..value.1];
            match value.parse::<u32>() {
                Ok(n) if n > 0 && line.units.is_none() => {
                    line.units = Some((n, body.sub(pos, pos + end)))
                }
                _ => line.bad_units = Some(body.sub(pos, pos + end)),
            }
            pos += end;
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

    proptest::proptest! {
        /// The hand reading of `UNITS` finds the regex's value group and
        /// match end.
        #[test]
        fn units_agree_with_the_regex(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    "x", "X", "(", ")", " ", "\t", "\u{b}", "unit", "Units", "s", "u", "U", ":", "=", ",",
                    ";", "7", "12", "0", "-3", "x2", "_", "a", "\u{d7}", "\u{a0}", "é",
                ]),
                0..7,
            ),
        ) {
            let t = pieces.concat();
            let want = UNITS.captures(&t).map(|u| {
                let g = u
                    .name("n")
                    .or(u.name("p"))
                    .or(u.name("u"))
                    .or(u.name("w"))
                    .unwrap();
                ((g.start(), g.end()), u.get(0).unwrap().end())
            });
            proptest::prop_assert_eq!(units(&t), want, "{:?}", t);
        }

        /// The modifier scan finds the regex's groups.
        #[test]
        fn modifiers_agree_with_the_regex(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    "-", " ", "\t", "\u{b}", "25", "XS", "59x1", "a", "_", "\u{a0}", "é", "--",
                ]),
                0..8,
            ),
        ) {
            let t = pieces.concat();
            let want: Vec<Group> = MODIFIER
                .captures_iter(&t)
                .map(|c| (c.get(1).unwrap().start(), c.get(1).unwrap().end()))
                .collect();
            proptest::prop_assert_eq!(modifiers(&t), want, "{:?}", t);
        }

        /// The Dx code scan finds what its regex finds.
        #[test]
        fn dx_codes_agree_with_the_regex(t in "([A-Za-z0-9]{1,3}|[.]{1,2}|[ ,;]|[-_é\u{a0}]){0,10}") {
            static DX_CODE: Re = Re::new(r"[A-Za-z0-9][A-Za-z0-9.]*");
            let want: Vec<Group> = DX_CODE.find_iter(&t).map(|m| (m.start(), m.end())).collect();
            proptest::prop_assert_eq!(dx_codes(&t).collect::<Vec<_>>(), want, "{:?}", t);
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
