//! Whole-note golden tests: every `expected.json` under `tests/` (the public
//! examples, `tests/notes`, `tests/variants`) names notes with the claim each
//! encounter must have, the diagnostics that must appear, and whether the
//! note must be clean. Claims compare as the scorer does: a multiset of
//! CPT + modifiers + units per encounter, 59 and the X modifiers alike.
//! `must` and `clean` are checked for the diagnostic codes the registry
//! has, so the check grows with the rule set.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use dermls::analysis::{Options, analyze};
use dermls::codes::CodeTable;
use dermls::rules::{Severity, registry};

fn norm_mods(mods: &[String]) -> Vec<String> {
    const IGNORED: &[&str] = &["51", "RT", "LT", "E1", "E2", "E3", "E4", "FA", "TA"];
    let mut out: Vec<String> = mods
        .iter()
        .map(|m| m.trim().to_uppercase())
        .filter(|m| !IGNORED.contains(&m.as_str()))
        .map(|m| {
            if matches!(m.as_str(), "XS" | "XE" | "XP" | "XU") {
                "59".to_string()
            } else {
                m
            }
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

fn parse_expected(line: &str) -> (String, u32) {
    let (code, units) = match line.split_once(" x") {
        Some((c, u)) => (c, u.parse().expect("units")),
        None => (line, 1),
    };
    let mut parts = code.split('-');
    let cpt = parts.next().unwrap_or("").to_string();
    let mods: Vec<String> = parts.map(str::to_string).collect();
    (
        format!(
            "{cpt}{}",
            norm_mods(&mods)
                .iter()
                .map(|m| format!("-{m}"))
                .collect::<String>()
        ),
        units,
    )
}

fn multiset(items: impl IntoIterator<Item = (String, u32)>) -> BTreeMap<String, u32> {
    let mut m = BTreeMap::new();
    for (k, u) in items {
        *m.entry(k).or_insert(0) += u;
    }
    m
}

fn expected_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut out = Vec::new();
    for dir in std::fs::read_dir(&root).expect("tests dir").flatten() {
        let p = dir.path().join("expected.json");
        if p.exists() {
            out.push(p);
        }
    }
    out.sort();
    out
}

#[test]
fn golden_notes() {
    let table = CodeTable::builtin();
    let options = Options::default();
    let mut failures = Vec::new();
    let mut checked = 0;
    for exp_path in expected_files() {
        let dir = exp_path.parent().expect("dir");
        let exp: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&exp_path).expect("read")).expect("json");
        for (case, e) in exp.as_object().expect("object") {
            if case.starts_with('_') {
                continue;
            }
            let file = dir.join(e["file"].as_str().expect("file"));
            let text = std::fs::read_to_string(&file).expect("note");
            let a = analyze(&text, table, &options);
            checked += 1;
            if let Some(claims) = e["claims"].as_array() {
                let want: Vec<_> = claims
                    .iter()
                    .map(|enc| {
                        multiset(
                            enc.as_array()
                                .expect("list")
                                .iter()
                                .map(|l| parse_expected(l.as_str().expect("str"))),
                        )
                    })
                    .collect();
                let have: Vec<_> = a
                    .claims
                    .iter()
                    .map(|c| {
                        multiset(c.lines.iter().map(|l| {
                            (
                                format!(
                                    "{}{}",
                                    l.cpt,
                                    norm_mods(&l.modifiers)
                                        .iter()
                                        .map(|m| format!("-{m}"))
                                        .collect::<String>()
                                ),
                                l.units,
                            )
                        }))
                    })
                    .collect();
                if want != have {
                    failures.push(format!(
                        "{}: claim want {want:?} got {have:?}",
                        file.display()
                    ));
                }
            }
            let codes: Vec<&str> = a.findings.iter().map(|f| f.code).collect();
            for m in e["must"].as_array().into_iter().flatten() {
                let m = m.as_str().expect("str");
                if registry::rule(m).is_some() && !codes.contains(&m) {
                    failures.push(format!(
                        "{}: missing diagnostic {m}; got {codes:?}",
                        file.display()
                    ));
                }
            }
            if e["clean"].as_bool() == Some(true) {
                let loud: Vec<String> = a
                    .findings
                    .iter()
                    .filter(|f| {
                        ["doc/", "code/", "payer/"]
                            .iter()
                            .any(|p| f.code.starts_with(p))
                            && matches!(f.severity, Severity::Error | Severity::Warning)
                    })
                    .map(|f| format!("{}: {}", f.code, f.message))
                    .collect();
                if !loud.is_empty() {
                    failures.push(format!("{}: false alarms {loud:?}", file.display()));
                }
            }
        }
    }
    assert!(checked >= 80, "only {checked} golden notes found");
    assert!(
        failures.is_empty(),
        "{} golden failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
