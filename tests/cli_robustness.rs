//! The command line on hostile inputs: a thousand files at once with
//! unreadable, non-UTF-8 and empty ones among them, and a 200 MB note. Each
//! bad file gets one line on stderr naming it; every other file is
//! processed, in order; the exit code is 2 when any file could not be read.

#[path = "support/cli.rs"]
mod cli;

use std::path::{Path, PathBuf};

use cli::{dermls, scratch};

fn examples() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/examples");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("examples")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "derm"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("read"))
        .collect()
}

#[test]
fn a_thousand_files_with_bad_ones_among_them() {
    let dir = scratch("thousand");
    let notes = examples();
    for i in 0..1000 {
        let text = &notes[i % notes.len()];
        std::fs::write(dir.join(format!("n{i:04}.derm")), text).expect("write note");
    }
    std::fs::write(dir.join("n0500a-empty.derm"), "").expect("write");
    std::fs::write(dir.join("n0500b-latin1.derm"), b"Site: caf\xe9\n").expect("write");
    // A socket cannot be read, even by root.
    let _socket = std::os::unix::net::UnixListener::bind(dir.join("n0500c-socket.derm"))
        .expect("bind a socket");
    let (code, out, err) = dermls(&["claim", "--format", "json", dir.to_str().expect("path")]);
    assert_eq!(code, 2, "{err}");
    let err = err.replace(dir.to_str().expect("path"), "DIR");
    let err: Vec<&str> = err.lines().collect();
    assert_eq!(err.len(), 2, "{err:?}");
    assert_eq!(
        err[0],
        "dermls: DIR/n0500b-latin1.derm: not UTF-8 text (invalid byte at offset 9); save the note as UTF-8"
    );
    assert!(
        err[1].starts_with("dermls: DIR/n0500c-socket.derm: "),
        "{}",
        err[1]
    );
    // Every readable file, the empty one included, is reported, in order.
    let files: Vec<String> = out
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("one JSON object per line");
            let f = v["file"].as_str().expect("file").to_string();
            f.rsplit('/').next().expect("name").to_string()
        })
        .collect();
    assert_eq!(files.len(), 1001);
    assert_eq!(files[0], "n0000.derm");
    assert_eq!(files[500], "n0500.derm");
    assert_eq!(files[501], "n0500a-empty.derm");
    assert_eq!(files[1000], "n0999.derm");
    let mut sorted = files.clone();
    sorted.sort();
    assert_eq!(files, sorted);
}

/// 200 MB in a release build (`.ci/run` runs this file with `--release`);
/// 20 MB in a debug build, where 200 MB would take minutes.
const HUGE: usize = if cfg!(debug_assertions) {
    20 * 1024 * 1024
} else {
    200 * 1024 * 1024
};

#[test]
fn a_200_mb_note() {
    let dir = scratch("huge");
    let notes = examples().concat();
    let mut big = String::with_capacity(HUGE + notes.len());
    while big.len() < HUGE {
        big.push_str(&notes);
        big.push('\n');
    }
    let path = dir.join("big.derm");
    std::fs::write(&path, &big).expect("write");
    let encounters = big.matches("# Encounter").count();
    drop(big);
    let (code, out, err) = dermls(&["claim", "--format", "json", path.to_str().expect("path")]);
    assert_eq!((code, err.as_str()), (0, ""));
    let v: serde_json::Value = serde_json::from_str(out.trim()).expect("one JSON object");
    assert_eq!(
        v["encounters"].as_array().expect("encounters").len(),
        encounters
    );
    let _ = std::fs::remove_file(&path);
}
