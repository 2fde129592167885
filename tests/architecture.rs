//! The core knows nothing of the protocol and does no IO: `note`, `extract`,
//! `codes`, `rules`, `vocab`, `span`, `lines`, `analysis`, `shift` and
//! `incremental` import no tower-lsp, lsp-types, tokio or ropey, and touch
//! no files, network or processes. This test reads their sources and fails if that breaks.

use std::path::{Path, PathBuf};

const CORE: &[&str] = &[
    "src/note",
    "src/extract",
    "src/codes",
    "src/corpus.rs",
    "src/rules",
    "src/vocab.rs",
    "src/phrase.rs",
    "src/re.rs",
    "src/span.rs",
    "src/lines.rs",
    "src/analysis.rs",
    "src/fix.rs",
    "src/shift.rs",
    "src/incremental.rs",
];

const FORBIDDEN: &[&str] = &[
    "tower_lsp",
    "lsp_types",
    "tokio",
    "ropey",
    "std::fs",
    "std::net",
    "std::process",
    "std::env",
    "File::",
    "read_to_string(",
    "println!",
    "eprintln!",
];

fn rust_files(p: &Path, out: &mut Vec<PathBuf>) {
    if p.is_dir() {
        for e in std::fs::read_dir(p).expect("read dir").flatten() {
            rust_files(&e.path(), out);
        }
    } else if p.extension().is_some_and(|x| x == "rs") {
        out.push(p.to_path_buf());
    }
}

#[test]
fn core_has_no_protocol_and_no_io() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for c in CORE {
        rust_files(&root.join(c), &mut files);
    }
    assert!(files.len() >= 20, "core files not found: {files:?}");
    let mut hits = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).expect("read");
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for bad in FORBIDDEN {
                if code.contains(bad) {
                    hits.push(format!("{}:{}: {bad}", f.display(), n + 1));
                }
            }
        }
    }
    assert!(
        hits.is_empty(),
        "the core must stay protocol- and IO-free:\n{}",
        hits.join("\n")
    );
}

#[test]
fn the_check_would_catch_a_violation() {
    // The scan above is only worth something if it matches what it forbids.
    let line = "use tokio::sync::Mutex; let t = std::fs::read(p);";
    assert!(FORBIDDEN.iter().filter(|b| line.contains(*b)).count() == 2);
}
