//! The whole analysis on any text: never panics; every finding, fix and
//! claim source lies in the text; fixing everything changes nothing outside
//! the Billing sections and reaches a fixed point; "Insert billing codes"
//! applied twice changes nothing the second time.

#![no_main]

use dermls::analysis::{Options, analyze};
use dermls::codes::CodeTable;
use dermls::fix::{apply, billing_edits, fix_all};
use libfuzzer_sys::fuzz_target;

/// The integration tests' helpers: `outside_billing`.
#[path = "../../tests/common/mod.rs"]
mod common;
use common::outside_billing;

fn in_text(text: &str, s: dermls::Span) -> bool {
    s.start <= s.end
        && s.end <= text.len()
        && text.is_char_boundary(s.start)
        && text.is_char_boundary(s.end)
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
