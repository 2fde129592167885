//! The release-shaped binary as an editor runs it, `dermls serve` over
//! stdio: patient text never reaches its logs, at any level, whatever a
//! client asks; hostile input leaves a live, current server with no panic in
//! its logs.

#[path = "support/diagnostics.rs"]
mod diagnostics;
#[path = "support/stdio_client.rs"]
mod stdio_client;

use diagnostics::summary;
use expect_test::expect;
use serde_json::{Value, json};
use stdio_client::Server;

const E01: &str = include_str!("examples/e01-biopsy-em.derm");
const SENTINEL: &str = "Zanzibar-Quokka-4417";

fn pos(line: u32, character: u32) -> Value {
    json!({"line": line, "character": character})
}

fn doc(uri: &str) -> Value {
    json!({ "uri": uri })
}

/// Every request a client can send about one document, at every line.
fn exercise_everything(s: &mut Server, uri: &str, lines: u32) {
    for line in 0..lines {
        for character in [0, 3, 9, 40] {
            s.request(
                "textDocument/hover",
                json!({"textDocument": doc(uri), "position": pos(line, character)}),
            );
            s.request(
                "textDocument/completion",
                json!({"textDocument": doc(uri), "position": pos(line, character)}),
            );
        }
        let range = json!({"start": pos(line, 0), "end": pos(line, 80)});
        s.request(
            "textDocument/codeAction",
            json!({"textDocument": doc(uri), "range": range, "context": {"diagnostics": []}}),
        );
    }
    let all = json!({"start": pos(0, 0), "end": pos(lines, 0)});
    for method in [
        "textDocument/semanticTokens/full",
        "textDocument/documentSymbol",
        "textDocument/codeLens",
        "textDocument/foldingRange",
    ] {
        s.request(method, json!({ "textDocument": doc(uri) }));
    }
    s.request(
        "textDocument/inlayHint",
        json!({"textDocument": doc(uri), "range": all}),
    );
    s.request(
        "textDocument/codeAction",
        json!({"textDocument": doc(uri), "range": all, "context": {"diagnostics": [], "only": ["source.fixAll.dermls"]}}),
    );
    s.request(
        "workspace/executeCommand",
        json!({"command": "dermls.insertBilling", "arguments": [uri, 0]}),
    );
}

#[test]
fn patient_text_never_reaches_the_logs_even_at_trace() {
    let mut s = Server::start("trace");
    // The sentinel is in the note (name, site, free text, a Billing line)
    // and in the file name.
    let uri = format!("file:///notes/{SENTINEL}.derm");
    let note = E01
        .replace("MRN 0045812", &format!("{SENTINEL}, MRN 0045812"))
        .replace(
            "left forearm",
            &format!("left forearm near the {SENTINEL} tattoo"),
        )
        .trim_end()
        .to_string()
        + &format!("\n\n## Billing\n- 99213-25  Dx: L40.0\n- 11102 {SENTINEL}\n");
    s.open(&uri, 1, &note);
    s.diagnostics(&uri, 1);
    s.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"range": {"start": pos(1, 0), "end": pos(1, 0)}, "text": format!("{SENTINEL} ")}]}),
    );
    s.diagnostics(&uri, 2);
    let lines = note.lines().count() as u32 + 1;
    exercise_everything(&mut s, &uri, lines);
    s.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"dermls": {"defaultPayer": "UHC", "cmsRvuFile": format!("/nowhere/{SENTINEL}.csv")}}}),
    );
    s.diagnostics(&uri, 2);
    s.notify(
        "textDocument/didClose",
        json!({ "textDocument": doc(&uri) }),
    );
    let answered: String = s.seen.iter().map(Value::to_string).collect();
    let (exited, stderr) = s.stop();
    assert!(exited, "the server exits on shutdown + exit");
    // Logging was on, at trace, for this document …
    let trace_lines = stderr
        .lines()
        .filter(|l| l.starts_with("dermls trace:"))
        .count();
    assert!(trace_lines >= 3, "{trace_lines} trace lines:\n{stderr}");
    assert!(stderr.contains("dermls debug: open doc#"), "{stderr}");
    // … the server did read the text (its answers quote it) …
    assert!(answered.contains(SENTINEL));
    // … and not a byte of it, nor the file name, is in the logs.
    assert!(!stderr.contains(SENTINEL), "{stderr}");
    assert!(!stderr.contains("Quokka"), "{stderr}");
    assert!(!stderr.contains("forearm"), "{stderr}");
    assert!(!stderr.contains("psoriasis"), "{stderr}");
}

#[test]
fn hostile_input_leaves_a_live_current_server() {
    let mut s = Server::start("debug");
    let u = "file:///notes/hostile.derm";
    s.open(u, 5, E01);
    assert_eq!(s.diagnostics(u, 5), json!([]), "E01 checks clean");

    // Malformed positions: negative (not a valid position at all), huge,
    // inside a surrogate pair, reversed ranges.
    let negative = s.request(
        "textDocument/hover",
        json!({"textDocument": doc(u), "position": {"line": -1, "character": -5}}),
    );
    assert!(negative.get("error").is_some(), "{negative}");
    for p in [pos(u32::MAX, u32::MAX), pos(0, u32::MAX), pos(10_000, 0)] {
        for method in ["textDocument/hover", "textDocument/completion"] {
            let r = s.request(method, json!({"textDocument": doc(u), "position": p}));
            assert!(r.get("error").is_none(), "{method} {p}: {r}");
        }
    }
    let reversed = json!({"start": pos(30, 0), "end": pos(2, 3)});
    let r = s.request(
        "textDocument/codeAction",
        json!({"textDocument": doc(u), "range": reversed, "context": {"diagnostics": []}}),
    );
    assert!(r.get("error").is_none(), "{r}");

    // Requests and changes for a document never opened.
    let ghost = "file:///notes/never-opened.derm";
    for method in [
        "textDocument/semanticTokens/full",
        "textDocument/documentSymbol",
        "textDocument/codeLens",
        "textDocument/foldingRange",
    ] {
        let r = s.request(method, json!({ "textDocument": doc(ghost) }));
        assert!(r.get("error").is_none(), "{method}: {r}");
    }
    s.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": ghost, "version": 2}, "contentChanges": [{"text": "x"}]}),
    );
    s.notify(
        "textDocument/didClose",
        json!({ "textDocument": doc(ghost) }),
    );

    // Versions going backwards: ignored, the document stays at version 5.
    s.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": u, "version": 3}, "contentChanges": [{"text": "# Encounter\n"}]}),
    );
    // Changes with ranges past the end, reversed, and inside an emoji.
    let edits = json!([
        {"range": {"start": pos(9_999, 9_999), "end": pos(9_999, 9_999)}, "text": "\nTail 😀 text\n"},
        {"range": {"start": pos(3, 9), "end": pos(3, 2)}, "text": ""},
        {"range": {"start": pos(0, 1), "end": pos(0, 1)}, "text": ""},
    ]);
    s.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": u, "version": 6}, "contentChanges": edits}),
    );
    s.diagnostics(u, 6);

    // Garbage fields, NUL bytes and an unreadable Billing line.
    let garbage = "# Encounter \u{0}2026-99-99\nPayer: \u{0}\u{1}~~~%%%\nE/M: 9999999999999999999999 banana\n\n## Procedure: biopsy\u{0}\nSite: \u{0}\n\n## Billing\n- 11102-ZZ-59-25-XS x-3 x99999999999999999999\n- \u{0}\n";
    let g = "file:///notes/garbage.derm";
    s.open(g, 1, garbage);
    let d = s.diagnostics(g, 1);
    expect![[r#"
        1:7-1:15 3 note/parse Payer: not one dermls knows (Medicare, UnitedHealthcare, Aetna, BCBS, Medicaid, Commercial, Self-pay); payer rules are not applied.
        2:5-2:34 3 note/parse E/M: no E/M code (99202–99205, 99211–99215) could be read here.
        4:0-4:21 2 doc/biopsy-site Biopsy: the anatomic site is not documented (laterality, sub-site or a measured landmark).
        4:0-4:21 2 doc/biopsy-description Biopsy: the lesion is not described (size and morphology, e.g. `0.6 cm pink scaly papule`).
        4:0-4:21 2 doc/biopsy-indication Biopsy: the indication is not documented (why was it biopsied? e.g. `Indication: r/o BCC`, `changing nevus`).
        4:0-4:21 2 doc/biopsy-technique Biopsy: the technique is not documented (tangential/shave, punch or incisional); the biopsy code (11102, 11104 or 11106) depends on it.
        8:2-8:7 1 code/unsupported-code 11102 (Tangential (shave-type) skin biopsy, first lesion) is not supported: no documented procedure supports it
        8:8-8:10 1 code/unknown-code ZZ is not a modifier dermls knows.
        8:24-8:45 1 code/unknown-code Units `x99999999999999999999` are not a whole number of at least 1.
        9:2-9:3 3 note/parse `\u{0}` on this Billing line could not be read.
        9:2-9:3 1 code/unknown-code This Billing line has no CPT code dermls can read (expected `- CODE[-MOD] [xN]  Dx: …`).
    "#]].assert_eq(&summary(&d));

    // 100,000 sections.
    let sections = "## S\nText.\n".repeat(100_000);
    let many = "file:///notes/many.derm";
    s.open(many, 1, &format!("# Encounter 2026-01-01\n{sections}"));
    s.diagnostics(many, 1);

    // A 10 MB single line: above the size limit, one informational
    // diagnostic instead of an analysis.
    let huge = "file:///notes/huge.derm";
    s.open(huge, 1, &"x".repeat(10 * 1024 * 1024));
    let d = s.diagnostics(huge, 1);
    let codes: Vec<&str> = d
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["note/too-large"]);
    assert_eq!(d[0]["severity"], 3);
    s.notify(
        "textDocument/didClose",
        json!({ "textDocument": doc(huge) }),
    );

    // Malformed JSON-RPC: a body that is not JSON, an unknown method, a
    // request with the wrong parameters.
    s.send_raw(b"Content-Length: 7\r\n\r\n{oops!}");
    let unknown = s.request("dermls/nothing", json!({}));
    assert!(unknown.get("error").is_some(), "{unknown}");
    let wrong = s.request("textDocument/hover", json!({"nonsense": true}));
    assert!(wrong.get("error").is_some(), "{wrong}");

    // Still live and current: a normal edit is analysed and published at
    // its version, and hover answers.
    s.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": u, "version": 7}, "contentChanges": [{"text": E01}]}),
    );
    let d = s.diagnostics(u, 7);
    assert_eq!(d, json!([]), "E01 checks clean");
    let hover = s.request(
        "textDocument/hover",
        json!({"textDocument": doc(u), "position": pos(4, 6)}),
    );
    assert!(
        hover["result"]["contents"]["value"]
            .as_str()
            .is_some_and(|v| v.contains("99213")),
        "{hover}"
    );
    let (exited, stderr) = s.stop();
    assert!(exited, "the server exits on shutdown + exit");
    assert!(!stderr.to_lowercase().contains("panic"), "{stderr}");
}
