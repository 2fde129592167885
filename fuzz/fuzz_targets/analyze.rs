//! The whole analysis on any text: never panics; every finding, fix and
//! claim source lies in the text; fixing everything changes nothing outside
//! the Billing sections and reaches a fixed point; "Insert billing codes"
//! applied twice changes nothing the second time.

#![no_main]

use dermls::analysis::{Options, analyze};
use dermls::codes::CodeTable;
use dermls::fix::{apply, billing_edits, fix_all};
use dermls::note::Note;
use dermls::vocab::SectionClass;
use libfuzzer_sys::fuzz_target;

fn in_text(text: &str, s: dermls::Span) -> bool {
    s.start <= s.end
        && s.end <= text.len()
        && text.is_char_boundary(s.start)
        && text.is_char_boundary(s.end)
}

/// The text with each Billing section's items (to the end of its last line,
/// line end included) cut out.
fn outside_billing(text: &str) -> String {
    let note = Note::parse(text);
    let mut out = String::new();
    let mut pos = 0;
    for e in &note.encounters {
        for s in e
            .sections
            .iter()
            .filter(|s| s.class == SectionClass::Billing)
        {
            out.push_str(&text[pos..s.heading.end]);
            out.push('|');
            let rest = &text[s.span.end..];
            let term = if rest.starts_with("\r\n") {
                2
            } else if rest.starts_with(['\n', '\r']) {
                1
            } else {
                0
            };
            pos = s.span.end + term;
        }
    }
    out.push_str(&text[pos..]);
    out
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let table = CodeTable::builtin();
    let options = Options::default();
    let a = analyze(&text, table, &options);
    for f in &a.findings {
        assert!(in_text(&text, f.span), "finding span");
        for e in f.fix.iter().flat_map(|x| &x.edits) {
            assert!(in_text(&text, e.span), "fix span");
        }
    }
    for c in &a.claims {
        for l in &c.lines {
            assert!(l.sources.iter().all(|s| in_text(&text, *s)), "claim source");
        }
    }
    let (fixed, _) = fix_all(&text, table, &options);
    assert_eq!(
        outside_billing(&fixed),
        outside_billing(&text),
        "fix outside Billing"
    );
    let (inserted, _) = apply(&text, &billing_edits(&text, &a));
    let b = analyze(&inserted, table, &options);
    assert!(
        billing_edits(&inserted, &b).is_empty(),
        "insert not idempotent"
    );
});
