//! Fixes end to end: `fix_all` on every note in `tests/` with a Billing
//! section leaves a Billing section that bills exactly the derived claim,
//! changes nothing outside the Billing sections, and is idempotent; the
//! "Insert billing codes" edit is idempotent and writes the derived claim.

use std::path::{Path, PathBuf};

use dermls::analysis::{Options, analyze};
use dermls::codes::CodeTable;
use dermls::fix::{apply, billing_edits, fix_all};

mod common;
use common::outside_billing;

fn notes() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut out = Vec::new();
    for dir in ["examples", "notes", "variants"] {
        for e in std::fs::read_dir(root.join(dir))
            .expect("fixture dir")
            .flatten()
        {
            if e.path().extension().is_some_and(|x| x == "derm") {
                out.push(e.path());
            }
        }
    }
    out.sort();
    assert!(out.len() >= 100, "fixtures not found");
    out
}

/// Each encounter's billed lines as sorted `CODE[-MOD…] xN` strings, with
/// split lines of one code and modifiers merged.
fn billed(text: &str) -> Vec<Vec<String>> {
    let a = analyze(text, CodeTable::builtin(), &Options::default());
    a.facts
        .iter()
        .map(|f| {
            let mut lines: Vec<(String, Vec<String>, u32)> = Vec::new();
            for l in f.billing.iter().flat_map(|b| &b.lines) {
                let Some((code, _)) = &l.code else { continue };
                let mut mods: Vec<String> = l.modifiers.iter().map(|m| m.0.clone()).collect();
                mods.sort();
                match lines.iter_mut().find(|x| &x.0 == code && x.1 == mods) {
                    Some(x) => x.2 += l.units_or_one(),
                    None => lines.push((code.clone(), mods, l.units_or_one())),
                }
            }
            let mut out: Vec<String> = lines
                .into_iter()
                .map(|(c, m, u)| label(&c, &m, u))
                .collect();
            out.sort();
            out
        })
        .collect()
}

fn derived(text: &str) -> Vec<Vec<String>> {
    let a = analyze(text, CodeTable::builtin(), &Options::default());
    a.claims
        .iter()
        .map(|c| {
            let mut out: Vec<String> = c
                .lines
                .iter()
                .map(|l| {
                    let mut m = l.modifiers.clone();
                    m.sort();
                    label(&l.cpt, &m, l.units)
                })
                .collect();
            out.sort();
            out
        })
        .collect()
}

fn label(code: &str, mods: &[String], units: u32) -> String {
    let mut s = code.to_string();
    for m in mods {
        s.push('-');
        s.push_str(m);
    }
    if units != 1 {
        s.push_str(&format!(" x{units}"));
    }
    s
}

#[test]
fn fix_all_bills_the_derived_claim() {
    let table = CodeTable::builtin();
    let options = Options::default();
    let mut with_billing = 0;
    for path in notes() {
        let text = std::fs::read_to_string(&path).expect("read");
        if !text.contains("## Billing") {
            continue;
        }
        with_billing += 1;
        let (fixed, _) = fix_all(&text, table, &options);
        let name = path.display();
        let encounters_with_billing: Vec<bool> = analyze(&fixed, table, &options)
            .facts
            .iter()
            .map(|f| f.billing.is_some())
            .collect();
        let want: Vec<Vec<String>> = derived(&fixed)
            .into_iter()
            .zip(&encounters_with_billing)
            .filter(|(_, b)| **b)
            .map(|(d, _)| d)
            .collect();
        let have: Vec<Vec<String>> = billed(&fixed)
            .into_iter()
            .zip(&encounters_with_billing)
            .filter(|(_, b)| **b)
            .map(|(d, _)| d)
            .collect();
        assert_eq!(have, want, "{name}: after --fix:\n{fixed}");
        assert_eq!(
            outside_billing(&fixed),
            outside_billing(&text),
            "{name}: text outside Billing changed"
        );
        assert_eq!(
            fix_all(&fixed, table, &options).1,
            0,
            "{name}: second fix changed something"
        );
        let again = analyze(&fixed, table, &options);
        let left: Vec<&str> = again
            .findings
            .iter()
            .filter(|f| f.code.starts_with("code/") && f.fix.is_some())
            .map(|f| f.code)
            .collect();
        assert!(left.is_empty(), "{name}: fixable findings left: {left:?}");
    }
    assert!(
        with_billing >= 11,
        "only {with_billing} notes with a Billing section"
    );
}

#[test]
fn insert_billing_codes_writes_the_claim_and_is_idempotent() {
    let table = CodeTable::builtin();
    let options = Options::default();
    for path in notes() {
        let text = std::fs::read_to_string(&path).expect("read");
        let a = analyze(&text, table, &options);
        let (once, _) = apply(&text, &billing_edits(&text, &a));
        let b = analyze(&once, table, &options);
        assert!(
            billing_edits(&once, &b).is_empty(),
            "{}: second insert changes text",
            path.display()
        );
        for (i, c) in b.claims.iter().enumerate() {
            if c.lines.is_empty() {
                continue;
            }
            assert_eq!(billed(&once)[i], derived(&once)[i], "{}", path.display());
            let codes: Vec<&str> = b
                .findings
                .iter()
                .filter(|f| f.code.starts_with("code/") && f.code != "code/unknown-code")
                .map(|f| f.code)
                .collect();
            assert!(
                codes.is_empty(),
                "{}: {codes:?} after inserting billing codes:\n{once}",
                path.display()
            );
        }
    }
}
