//! The language server in-process, over in-memory pipes: one test (or a few)
//! per feature, with the JSON it answers snapshotted. Notes are synthetic.

#[path = "support/diagnostics.rs"]
mod diagnostics;
#[path = "support/lsp_client.rs"]
mod lsp_client;

use std::time::{Duration, Instant};

use diagnostics::summary;
use expect_test::{Expect, expect};
use lsp_client::{Client, apply_edits, edits_of, position_utf16};
use serde_json::{Value, json};

const E01: &str = include_str!("examples/e01-biopsy-em.derm");
const E06: &str = include_str!("examples/e06-excision-bcc-repair.derm");
const E11: &str = include_str!("examples/e11-missing-docs.derm");

/// A note with an E/M, a biopsy and a Billing section.
const BILLED: &str = "# Encounter 2026-03-14
Patient: MRN 0001
Payer: Medicare
E/M: 99213

## Assessment and plan
1. Plaque psoriasis of elbows (L40.0), worsening: start clobetasol 0.05% ointment bid.
2. Lesion of left forearm, r/o SCC: shave biopsy, see procedure 1.

## Procedure 1: shave biopsy
Site: left forearm, 5 cm distal to antecubital fossa
Lesion: 0.6 x 0.5 cm pink scaly papule
Indication: r/o SCC
Tangential biopsy with a DermaBlade.
Pathology: sent
Dx: D49.2

## Billing
- 99213-25  Dx: L40.0
- 11102-59  Dx: D49.2
";

fn uri(name: &str) -> String {
    format!("file:///notes/{name}")
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).expect("json")
}

/// The position (UTF-16) of the `nth` occurrence of `needle`, `into` bytes in.
fn at(text: &str, needle: &str, nth: usize, into: usize) -> Value {
    let offset = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("{needle:?} not in the text"))
        .0;
    position_utf16(text, offset + into)
}

fn doc(u: &str) -> Value {
    json!({ "uri": u })
}

/// Inserting `text` at the end of `current`, as an editor's incremental change.
fn append(current: &str, text: &str) -> Value {
    let end = position_utf16(current, current.len());
    json!([{ "range": { "start": end, "end": end }, "text": text }])
}

#[tokio::test]
async fn capabilities_and_position_encoding() {
    let (c, result) = Client::initialized(json!({}), Value::Null).await;
    expect![[r#"
        {
          "capabilities": {
            "codeActionProvider": {
              "codeActionKinds": [
                "quickfix",
                "source.insertBilling",
                "source.fixAll.dermls"
              ],
              "resolveProvider": false
            },
            "codeLensProvider": {
              "resolveProvider": false
            },
            "completionProvider": {
              "triggerCharacters": [
                ":",
                "-"
              ]
            },
            "documentSymbolProvider": true,
            "executeCommandProvider": {
              "commands": [
                "dermls.insertBilling"
              ]
            },
            "foldingRangeProvider": true,
            "hoverProvider": true,
            "inlayHintProvider": true,
            "positionEncoding": "utf-16",
            "semanticTokensProvider": {
              "full": true,
              "legend": {
                "tokenModifiers": [],
                "tokenTypes": [
                  "property",
                  "enumMember",
                  "decorator",
                  "number",
                  "string",
                  "type"
                ]
              }
            },
            "textDocumentSync": {
              "change": 2,
              "openClose": true
            }
          },
          "serverInfo": {
            "name": "dermls",
            "version": "0.1.0"
          }
        }"#]]
    .assert_eq(&pretty(&result));
    c.stop().await;

    let offered = json!({"general": {"positionEncodings": ["utf-16", "utf-8"]}});
    let (c, result) = Client::initialized(offered, Value::Null).await;
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-8");
    c.stop().await;
}

#[tokio::test]
async fn diagnostics_on_open_and_after_every_change() {
    let mut c = Client::vscode_like().await;
    let u = uri("e11.derm");
    let diags = c.open_and_wait(&u, E11).await;
    expect![[r#"
        5:0-5:20 2 doc/biopsy-description Biopsy: the lesion is not described (size and morphology, e.g. `0.6 cm pink scaly papule`).
        5:0-5:20 2 doc/biopsy-indication Biopsy: the indication is not documented (why was it biopsied? e.g. `Indication: r/o BCC`, `changing nevus`).
        5:0-5:20 2 doc/biopsy-technique Biopsy: the technique is not documented (tangential/shave, punch or incisional); the biopsy code (11102, 11104 or 11106) depends on it.
        6:0-6:10 2 doc/biopsy-site Biopsy: the site `back` is not specific enough to find the spot again: add the side (left, right, or midline) and a sub-site (e.g. upper, posterior, volar) or a measured landmark (e.g. 5 cm below the scapular spine).
    "#]]
    .assert_eq(&summary(&diags));
    expect![[r#"
        {
          "code": "doc/biopsy-site",
          "data": {
            "title": "Biopsy site not specific",
            "version": 1
          },
          "message": "Biopsy: the site `back` is not specific enough to find the spot again: add the side (left, right, or midline) and a sub-site (e.g. upper, posterior, volar) or a measured landmark (e.g. 5 cm below the scapular spine).",
          "range": {
            "end": {
              "character": 10,
              "line": 6
            },
            "start": {
              "character": 0,
              "line": 6
            }
          },
          "severity": 2,
          "source": "dermls"
        }"#]]
    .assert_eq(&pretty(&diags[3]));

    // A change that leaves the findings as they are still publishes them,
    // with the new version.
    c.change(&u, 2, append(E11, "\n")).await;
    let again = c.diagnostics(&u, 2).await;
    assert_eq!(summary(&again), summary(&diags));

    // Fixing the site removes its finding.
    let site_end = at(E11, "Site: back", 0, "Site: back".len());
    c.change(
        &u,
        3,
        json!([{ "range": { "start": site_end, "end": site_end }, "text": ", left upper" }]),
    )
    .await;
    let fixed = c.diagnostics(&u, 3).await;
    assert!(
        !summary(&fixed).contains("doc/biopsy-site"),
        "{}",
        summary(&fixed)
    );

    // Closing clears them.
    c.notify("textDocument/didClose", json!({ "textDocument": doc(&u) }))
        .await;
    let cleared = c
        .wait_for(|n| {
            n["method"] == "textDocument/publishDiagnostics"
                && n["params"]["uri"] == u.as_str()
                && n["params"]["diagnostics"] == json!([])
        })
        .await;
    assert_eq!(cleared["params"]["version"], Value::Null);
    c.stop().await;
}

#[tokio::test]
async fn ranges_follow_the_negotiated_encoding() {
    let text = "## Procedure: biopsy\nSite: back × 😀 é\nPathology: sent\n";
    let mut ends = Vec::new();
    for encodings in [json!(["utf-16"]), json!(["utf-8", "utf-16"])] {
        let caps = json!({"general": {"positionEncodings": encodings}});
        let (mut c, _) = Client::initialized(caps, Value::Null).await;
        let diags = c.open_and_wait(&uri("enc.derm"), text).await;
        let site = diags
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["code"] == "doc/biopsy-site")
            .expect("a site finding")
            .clone();
        ends.push(site["range"]["end"]["character"].clone());
        c.stop().await;
    }
    // `Site: back × 😀 é`: 17 UTF-16 units, 21 bytes.
    assert_eq!(ends, [json!(17), json!(21)]);
}

/// Types `text` into an empty document one character at a time, each an
/// incremental change at the end; returns the final diagnostics.
async fn type_out(c: &mut Client, u: &str, text: &str) -> Value {
    c.open(u, 1, "").await;
    let mut current = String::new();
    let mut version = 1;
    for ch in text.chars() {
        version += 1;
        let change = append(&current, ch.encode_utf8(&mut [0; 4]));
        c.change(u, version, change).await;
        current.push(ch);
    }
    c.diagnostics(u, version).await
}

/// Diagnostics without the version their data was computed for.
fn without_versions(diags: &Value) -> Value {
    let mut d = diags.clone();
    for x in d.as_array_mut().into_iter().flatten() {
        if let Some(data) = x["data"].as_object_mut() {
            data.remove("version");
        }
    }
    d
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_note_typed_one_character_at_a_time_ends_as_one_opened_whole() {
    let mut c = Client::vscode_like().await;
    let crlf = E01.replace('\n', "\r\n");
    let unicode = "# Encounter 2026-02-03\n\
        Payer: Medicare\n\
        \n\
        ## Procedure: biopsy\n\
        Site: back — café 😀\n\
        Lesion: 0.6 × 0.5 cm papule, 500 µm deep\n\
        Pathology: sent\n\
        Dx: D49.2\n";
    for (name, text) in [
        ("e01", E01),
        ("crlf", crlf.as_str()),
        ("unicode", unicode),
        ("e11", E11),
    ] {
        let typed = type_out(&mut c, &uri(&format!("typed-{name}.derm")), text).await;
        let whole = c
            .open_and_wait(&uri(&format!("whole-{name}.derm")), text)
            .await;
        assert_eq!(without_versions(&typed), without_versions(&whole), "{name}");
    }
    c.stop().await;
}

/// Inserting `text` at byte `offset` of `current`, as an editor's change.
fn insert_at(current: &str, offset: usize, text: &str) -> Value {
    let p = position_utf16(current, offset);
    json!([{ "range": { "start": p, "end": p }, "text": text }])
}

/// Deleting `len` bytes at `offset` of `current`, as an editor's change.
fn delete_at(current: &str, offset: usize, len: usize) -> Value {
    let (a, b) = (
        position_utf16(current, offset),
        position_utf16(current, offset + len),
    );
    json!([{ "range": { "start": a, "end": b }, "text": "" }])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typing_into_one_encounter_of_many_ends_as_the_text_opened_whole() {
    // Only the encounter typed into is analysed again on each change; the
    // others are kept and moved. The result must be what opening the text
    // gives, with encounters split and joined on the way.
    let mut c = Client::vscode_like().await;
    let u = uri("typed-many.derm");
    let mut current = format!("{E01}\n{E11}\n{E06}");
    c.open(&u, 1, &current).await;
    let mut version = 1;
    let middle = E01.len() + 1;
    // Type a more specific site into the middle encounter, a character at
    // a time.
    let site_end = middle + E11.find("Site: back").unwrap() + "Site: back".len();
    for (k, ch) in ", left upper".chars().enumerate() {
        version += 1;
        c.change(
            &u,
            version,
            insert_at(&current, site_end + k, &ch.to_string()),
        )
        .await;
        current.insert(site_end + k, ch);
    }
    let typed = c.diagnostics(&u, version).await;
    let whole = c.open_and_wait(&uri("whole-many-1.derm"), &current).await;
    assert_eq!(without_versions(&typed), without_versions(&whole));
    assert!(
        !summary(&typed).contains("doc/biopsy-site"),
        "{}",
        summary(&typed)
    );
    // Break the middle heading (the encounter joins the one before), then
    // write it again.
    version += 1;
    c.change(&u, version, delete_at(&current, middle, 1)).await;
    current.remove(middle);
    let joined = c.diagnostics(&u, version).await;
    let whole = c.open_and_wait(&uri("whole-many-2.derm"), &current).await;
    assert_eq!(without_versions(&joined), without_versions(&whole));
    version += 1;
    c.change(&u, version, insert_at(&current, middle, "#"))
        .await;
    current.insert(middle, '#');
    let split = c.diagnostics(&u, version).await;
    assert_eq!(without_versions(&split), without_versions(&typed));
    // Lines added before it move every later finding down.
    version += 1;
    c.change(&u, version, insert_at(&current, 0, "\n\n")).await;
    current.insert_str(0, "\n\n");
    let moved = c.diagnostics(&u, version).await;
    let whole = c.open_and_wait(&uri("whole-many-3.derm"), &current).await;
    assert_eq!(without_versions(&moved), without_versions(&whole));
    c.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_versions_are_never_published() {
    let mut c = Client::vscode_like().await;
    let u = uri("burst.derm");
    c.open(&u, 1, "").await;
    let mut current = String::new();
    let text = E11;
    let mut version = 1;
    for ch in text.chars() {
        version += 1;
        c.change(&u, version, append(&current, &ch.to_string()))
            .await;
        current.push(ch);
    }
    // A change that is not newer than the document is ignored.
    c.change(&u, 3, json!([{ "text": "garbage" }])).await;
    // Every publication up to the last version is in version order.
    let mut published = Vec::new();
    loop {
        let n = c
            .wait_for(|n| n["method"] == "textDocument/publishDiagnostics")
            .await;
        published.push(n["params"]["version"].as_i64().unwrap());
        if published.last() == Some(&version) {
            break;
        }
    }
    assert!(published.windows(2).all(|w| w[0] <= w[1]), "{published:?}");
    // And the document is what the changes made it.
    let hover = c
        .request(
            "textDocument/hover",
            json!({"textDocument": doc(&u), "position": at(&current, "Site: back", 0, 7)}),
        )
        .await;
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("doc/biopsy-site")
    );
    c.stop().await;
}

#[tokio::test]
async fn unknown_documents_answer_nothing() {
    let mut c = Client::vscode_like().await;
    let u = uri("never-opened.derm");
    let pos = json!({"line": 0, "character": 0});
    let range = json!({"start": pos, "end": pos});
    for (method, params) in [
        (
            "textDocument/hover",
            json!({"textDocument": doc(&u), "position": pos}),
        ),
        (
            "textDocument/completion",
            json!({"textDocument": doc(&u), "position": pos}),
        ),
        (
            "textDocument/codeAction",
            json!({"textDocument": doc(&u), "range": range, "context": {"diagnostics": []}}),
        ),
        (
            "textDocument/semanticTokens/full",
            json!({"textDocument": doc(&u)}),
        ),
        (
            "textDocument/documentSymbol",
            json!({"textDocument": doc(&u)}),
        ),
        (
            "textDocument/inlayHint",
            json!({"textDocument": doc(&u), "range": range}),
        ),
        ("textDocument/codeLens", json!({"textDocument": doc(&u)})),
        (
            "textDocument/foldingRange",
            json!({"textDocument": doc(&u)}),
        ),
    ] {
        assert_eq!(c.request(method, params).await, Value::Null, "{method}");
    }
    c.change(&u, 2, json!([{ "text": "x" }])).await;
    c.notify("textDocument/didClose", json!({ "textDocument": doc(&u) }))
        .await;
    let bad = c
        .request(
            "workspace/executeCommand",
            json!({"command": "dermls.insertBilling", "arguments": []}),
        )
        .await;
    assert_eq!(bad["code"], -32602);
    // Still serving.
    let diags = c.open_and_wait(&uri("after.derm"), E11).await;
    assert_eq!(diags.as_array().map(Vec::len), Some(4));
    c.stop().await;
}

#[tokio::test]
async fn exits_promptly_after_shutdown_and_exit_while_input_stays_open() {
    let mut c = Client::vscode_like().await;
    c.open_and_wait(&uri("x.derm"), E01).await;
    assert_eq!(c.request("shutdown", Value::Null).await, Value::Null);
    c.notify("exit", Value::Null).await;
    let started = Instant::now();
    // `c` (and so the server's input) stays open while we wait.
    tokio::time::timeout(Duration::from_secs(2), &mut c.server)
        .await
        .expect("the server is still running 2 s after exit")
        .expect("server task");
    assert!(started.elapsed() < Duration::from_secs(2));
    drop(c);
}

async fn hover_at(
    c: &mut Client,
    u: &str,
    text: &str,
    needle: &str,
    nth: usize,
    into: usize,
) -> String {
    let h = c
        .request(
            "textDocument/hover",
            json!({"textDocument": doc(u), "position": at(text, needle, nth, into)}),
        )
        .await;
    if h.is_null() {
        return "(no hover)".to_string();
    }
    format!(
        "{}\n[{}:{}-{}:{}]",
        h["contents"]["value"].as_str().unwrap_or(""),
        h["range"]["start"]["line"],
        h["range"]["start"]["character"],
        h["range"]["end"]["line"],
        h["range"]["end"]["character"]
    )
}

#[tokio::test]
async fn hover_on_codes_modifiers_headings_sizes_and_findings() {
    let mut c = Client::vscode_like().await;
    let u = uri("billed.derm");
    c.open_and_wait(&u, BILLED).await;
    let check = async |c: &mut Client, needle: &str, nth: usize, into: usize, e: Expect| {
        e.assert_eq(&hover_at(c, &u, BILLED, needle, nth, into).await);
    };
    // A CPT code in the Billing section: RVUs, payment, why.
    check(&mut c, "11102", 0, 2, expect![[r#"
        **11102** · Tangential (shave-type) skin biopsy, first lesion

        - Work RVU: 0.64 (2026)
        - Total RVU: 2.86 non-facility, 1.12 facility (2026)
        - Global period: 000 (same day only)
        - MUE: not known
        - Estimated Medicare payment: $95.53 per unit (an estimate: non-facility total RVU × $33.4009/RVU, national, no geographic adjustment)

        **Why** (`biopsy-primary`, `11102`): Primary biopsy: tangential technique, the highest used this encounter (incisional > punch > tangential).

        From the note:
        > 0.6 x 0.5 cm pink scaly papule
        [19:2-19:7]"#]]).await;
    // The E/M code in the header.
    check(&mut c, "99213", 0, 0, expect![[r#"
        **99213** · Office or outpatient visit, established patient, low medical decision making

        - Work RVU: 1.30 (2025; a 2025 value standing in for 2026)
        - Total RVU: 2.85 non-facility, 1.72 facility (2026)
        - Global period: XXX (no global period)
        - MUE: 2 per day
        - Estimated Medicare payment: $95.19 per unit (an estimate: non-facility total RVU × $33.4009/RVU, national, no geographic adjustment)

        **Why** (`em`, `99213-25`): E/M with modifier 25: 1 separately identifiable problem(s) with their own plan, beyond the procedures (11102).

        From the note:
        > 99213
        > Plaque psoriasis of elbows (L40.0), worsening: start clobetasol 0.05% ointment bid.
        [3:5-3:10]"#]]).await;
    // A modifier.
    check(&mut c, "25  Dx", 0, 1, expect![[r#"
        **Modifier 25** · Significant, separately identifiable E/M service by the same physician on the day of a procedure

        Applies when: An E/M on the same day as a procedure evaluates a separate problem documented in the note; the decision to do a minor (000/010-day global) procedure is part of the procedure and does not justify it

        The documentation supports it on `99213-25`: E/M with modifier 25: 1 separately identifiable problem(s) with their own plan, beyond the procedures (11102).
        [18:8-18:10]"#]]).await;
    // An ICD-10-CM code.
    check(
        &mut c,
        "L40.0",
        1,
        3,
        expect![[r#"
        **L40.0** · Psoriasis vulgaris

        ICD-10-CM FY2026, billable
        [18:16-18:21]"#]],
    )
    .await;
    // A procedure heading.
    check(&mut c, "## Procedure 1", 0, 5, expect![[r#"
        **Procedure 1: shave biopsy** · biopsy (tangential)

        Codes derived for it:
        - `11102` Tangential (shave-type) skin biopsy, first lesion: Primary biopsy: tangential technique, the highest used this encounter (incisional > punch > tangential).
        [9:0-9:28]"#]]).await;
    // Plain text: nothing.
    check(&mut c, "DermaBlade", 0, 2, expect![[r#"(no hover)"#]]).await;

    let u6 = uri("e06.derm");
    c.open_and_wait(&u6, E06).await;
    let margin = hover_at(&mut c, &u6, E06, "0.4 cm", 0, 1).await;
    expect![[r#"
        **Excised diameter 1.7 cm**: lesion 0.9 cm + 2 × margin 0.4 cm = 1.7 cm → `11602` (over 1.0 cm up to 2.0 cm; excision-malignant, trunk-arms-legs)
        [8:9-8:15]"#]].assert_eq(&margin);

    let u11 = uri("e11.derm");
    c.open_and_wait(&u11, E11).await;
    let finding = hover_at(&mut c, &u11, E11, "Site: back", 0, 8).await;
    expect![[r#"
        **doc/biopsy-site** (warning) · Biopsy site not specific

        A biopsy whose anatomic location is missing or not specific. Specific = laterality (or a midline word for a midline site: `mid back`, `nasal tip`) and either a sub-site or subunit (`posterior`, `volar`, `dorsal`, `upper`, `nasal ala`, `helix`) or a measured landmark (`5 cm distal to the antecubital fossa`). Why: an auditor, and the surgeon who may later excise the site, must be able to find the exact spot biopsied; `back` or `left arm` cannot be found again and does not show that two biopsies were distinct lesions. Example: `Site: left arm` → `Site: left dorsal forearm, 5 cm distal to the antecubital fossa`. Source: AAD biopsy documentation guidance; CMS documentation guidelines; PRODUCT.md.
        [6:0-6:10]"#]].assert_eq(&finding);
    c.stop().await;
}

/// The first `n` labels of a completion answer, with their insert text.
async fn complete(c: &mut Client, u: &str, position: Value, n: usize) -> String {
    let r = c
        .request(
            "textDocument/completion",
            json!({"textDocument": doc(u), "position": position}),
        )
        .await;
    let items = r["items"].as_array().cloned().unwrap_or_default();
    let mut items: Vec<&Value> = items.iter().collect();
    items.sort_by_key(|i| i["sortText"].as_str().unwrap_or("").to_string());
    let mut s = format!("{} items\n", items.len());
    for i in items.iter().take(n) {
        let line = format!(
            "{} | {} | {}",
            i["label"].as_str().unwrap_or(""),
            i["textEdit"]["newText"]
                .as_str()
                .unwrap_or("")
                .replace('\n', "⏎"),
            i["detail"].as_str().unwrap_or("")
        );
        s.push_str(line.trim_end());
        s.push('\n');
    }
    s
}

#[tokio::test]
async fn completion_in_each_context() {
    let mut c = Client::vscode_like().await;
    let text = "# Encounter 2026-03-14\n\
        Pa\n\
        \n\
        ## Procedure: excision\n\
        Site: left fore\n\
        Mar\n\
        \n\
        Dx: L57\n\
        \n\
        ## Billing\n\
        - 99213-2\n\
        - \n";
    let u = uri("complete.derm");
    c.open_and_wait(&u, text).await;
    let cases = [
        ("header labels", at(text, "Pa\n", 0, 2), 4),
        ("procedure labels", at(text, "Mar\n", 0, 3), 3),
        ("snippets", at(text, "Mar\n", 0, 3), 0),
        ("sites", at(text, "left fore", 0, 9), 5),
        ("icd-10", at(text, "L57", 0, 3), 3),
        ("modifiers", at(text, "99213-2", 0, 7), 3),
        ("cpt codes", at(text, "- \n", 0, 2), 3),
    ];
    let mut out = String::new();
    for (name, position, n) in cases {
        out.push_str(&format!(
            "== {name}: {}",
            complete(&mut c, &u, position.clone(), n).await
        ));
        if name == "snippets" {
            let r = c
                .request(
                    "textDocument/completion",
                    json!({"textDocument": doc(&u), "position": position}),
                )
                .await;
            let snippet = r["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|i| i["label"] == "## Procedure: excision")
                .expect("an excision snippet")
                .clone();
            out.push_str(&format!(
                "{}\n{}\n",
                snippet["insertTextFormat"],
                snippet["textEdit"]["newText"].as_str().unwrap()
            ));
        }
    }
    expect![[r#"
        == header labels: 12 items
        Patient: | Patient:  |
        Payer: | Payer:  |
        Visit: | Visit:  |
        E/M: | E/M:  |
        == procedure labels: 26 items
        Site: | Site:  |
        Lesion: | Lesion:  |
        Size: | Size:  |
        == snippets: 26 items
        2
        ## Procedure: excision
        Site: ${1:laterality and site}
        Lesion: ${2:size and diagnosis}
        Margins: ${3:narrowest margin, e.g. 0.2 cm}
        Excised diameter: ${4:lesion plus margins, measured before excision}
        Technique: ${5:elliptical excision to subcutaneous fat}
        Repair: ${6|simple,intermediate,complex|}, ${7:length in cm}
        Pathology: ${8:sent}
        Dx: ${9:ICD-10-CM code}
        $0
        == sites: 277 items
        bilateral | bilateral | laterality
        left | left | laterality
        right | right | laterality
        abdomen | abdomen | site, region trunk
        abdominal | abdominal | abdomen, region trunk
        == icd-10: 518 items
        B07 | B07 | Viral warts
        B07.0 | B07.0 | Plantar wart
        B07.8 | B07.8 | Other viral warts
        == modifiers: 49 items
        22 | 22 | Increased procedural services
        24 | 24 | Unrelated E/M service by the same physician during a postoperative period
        25 | 25 | Significant, separately identifiable E/M service by the same physician on the day of a procedure
        == cpt codes: 157 items
        10060 | 10060 | Opening and draining a skin abscess or infected cyst, simple or single
        10061 | 10061 | Opening and draining a skin abscess or infected cyst, complicated or multiple
        11055 | 11055 | Paring or trimming of one corn or callus
    "#]].assert_eq(&out);

    // The documented lines come first in Billing.
    let u1 = uri("e01.derm");
    let with_billing = format!("{E01}\n## Billing\n- ");
    c.open_and_wait(&u1, &with_billing).await;
    let end = position_utf16(&with_billing, with_billing.len());
    expect![[r#"
        161 items
        99213-25 | 99213-25  Dx: L40.0 | derived from the documentation (em)
        11102-59 | 11102-59  Dx: D49.2 | derived from the documentation (biopsy-primary)
        17000 | 17000  Dx: L57.0 | derived from the documentation (destruction-premalignant)
        17003 x7 | 17003 x7  Dx: L57.0 | derived from the documentation (destruction-premalignant)
        10060 | 10060 | Opening and draining a skin abscess or infected cyst, simple or single
    "#]]
    .assert_eq(&complete(&mut c, &u1, end, 5).await);
    c.stop().await;
}

async fn code_actions(
    c: &mut Client,
    u: &str,
    range: Value,
    diagnostics: Value,
    only: Option<&[&str]>,
) -> Vec<Value> {
    let mut context = json!({ "diagnostics": diagnostics });
    if let Some(only) = only {
        context["only"] = json!(only);
    }
    let r = c
        .request(
            "textDocument/codeAction",
            json!({"textDocument": doc(u), "range": range, "context": context}),
        )
        .await;
    r.as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn insert_billing_codes_twice_changes_nothing_the_second_time() {
    let mut c = Client::initialized(json!({}), Value::Null).await.0;
    for (name, note) in [("lf", E01.to_string()), ("crlf", E01.replace('\n', "\r\n"))] {
        let u = uri(&format!("insert-{name}.derm"));
        c.open_and_wait(&u, &note).await;
        let cursor = at(&note, "Visit", 0, 0);
        let range = json!({"start": cursor, "end": cursor});
        let actions = code_actions(&mut c, &u, range.clone(), json!([]), Some(&["source"])).await;
        let titles: Vec<&str> = actions
            .iter()
            .map(|a| a["title"].as_str().unwrap())
            .collect();
        assert_eq!(titles, ["Insert billing codes"], "{name}");
        assert_eq!(actions[0]["kind"], "source.insertBilling");
        let edits = edits_of(&actions[0]["edit"]);
        let after = apply_edits(&note, &edits);
        // Every byte of the note before the new section is unchanged.
        assert!(after.starts_with(note.trim_end()), "{name}");
        let eol = if name == "crlf" { "\r\n" } else { "\n" };
        let section = after[note.trim_end().len()..].replace(eol, "\n");
        assert_eq!(
            section,
            "\n\n## Billing\n- 99213-25  Dx: L40.0\n- 11102-59  Dx: D49.2\n- 17000  Dx: L57.0\n- 17003 x7  Dx: L57.0\n",
            "{name}"
        );

        c.change(&u, 2, json!([{ "text": after }])).await;
        let diags = c.diagnostics(&u, 2).await;
        assert_eq!(
            diags,
            json!([]),
            "{name}: the inserted section checks clean"
        );
        let again = code_actions(
            &mut c,
            &u,
            range,
            json!([]),
            Some(&["source.insertBilling"]),
        )
        .await;
        assert_eq!(again, Vec::<Value>::new(), "{name}: nothing left to insert");
    }
    c.stop().await;
}

#[tokio::test]
async fn insert_billing_codes_per_encounter_and_for_all() {
    let mut c = Client::vscode_like().await;
    let note = format!("{E06}\n{}", E01);
    let u = uri("two.derm");
    c.open_and_wait(&u, &note).await;
    let cursor = at(&note, "Margins", 0, 0);
    let range = json!({"start": cursor, "end": cursor});
    let actions = code_actions(&mut c, &u, range, json!([]), None).await;
    let summary: Vec<String> = actions
        .iter()
        .map(|a| {
            let edits = edits_of(&a["edit"]);
            format!(
                "{} [{}] {} edit(s), version {}",
                a["title"].as_str().unwrap(),
                a["kind"].as_str().unwrap(),
                edits.len(),
                a["edit"]["documentChanges"][0]["textDocument"]["version"]
            )
        })
        .collect();
    expect![[r#"
        [
            "Insert billing codes [source.insertBilling] 1 edit(s), version 1",
            "Insert billing codes in every encounter [source.insertBilling] 2 edit(s), version 1",
        ]
    "#]]
    .assert_debug_eq(&summary);
    let all = edits_of(&actions[1]["edit"]);
    let after = apply_edits(&note, &all);
    assert_eq!(after.matches("## Billing").count(), 2);
    c.change(&u, 2, json!([{ "text": after }])).await;
    c.diagnostics(&u, 2).await;
    let cursor = json!({"line": 0, "character": 0});
    let none = code_actions(
        &mut c,
        &u,
        json!({"start": cursor, "end": cursor}),
        json!([]),
        None,
    )
    .await;
    assert_eq!(none, Vec::<Value>::new());
    c.stop().await;
}

#[tokio::test]
async fn quick_fixes_come_from_the_diagnostic_data() {
    let mut c = Client::vscode_like().await;
    let u = uri("fix.derm");
    c.open_and_wait(&u, BILLED).await;
    let edit_range =
        json!({"start": at(BILLED, "11102-59", 0, 6), "end": at(BILLED, "11102-59", 0, 8)});
    let remove = json!({"start": at(BILLED, "-59", 0, 0), "end": at(BILLED, "-59", 0, 3)});
    // A diagnostic as the server would publish it for a fixable finding.
    let diagnostic = |version: i64| {
        json!({
            "range": edit_range,
            "severity": 1,
            "code": "code/unsupported-modifier",
            "source": "dermls",
            "message": "59 is not supported",
            "data": {
                "title": "Modifier not supported",
                "version": version,
                "fix": {"title": "Remove modifier 59", "edits": [{"range": remove, "newText": ""}]},
            },
        })
    };
    let actions = code_actions(&mut c, &u, edit_range.clone(), json!([diagnostic(1)]), None).await;
    let fix = actions
        .iter()
        .find(|a| a["kind"] == "quickfix")
        .expect("a quick-fix")
        .clone();
    assert_eq!(fix["title"], "Remove modifier 59");
    assert_eq!(fix["isPreferred"], true);
    assert_eq!(fix["diagnostics"][0]["code"], "code/unsupported-modifier");
    let after = apply_edits(BILLED, &edits_of(&fix["edit"]));
    assert!(after.contains("- 11102  Dx: D49.2"));
    assert_eq!(
        fix["edit"]["documentChanges"][0]["textDocument"]["version"],
        1
    );
    // Data of another version: no quick-fix (fresh diagnostics are coming).
    let stale = code_actions(
        &mut c,
        &u,
        edit_range.clone(),
        json!([diagnostic(7)]),
        Some(&["quickfix"]),
    )
    .await;
    assert_eq!(stale, Vec::<Value>::new());
    // Another server's diagnostic: ignored.
    let mut foreign = diagnostic(1);
    foreign["source"] = json!("other");
    let none = code_actions(
        &mut c,
        &u,
        edit_range,
        json!([foreign]),
        Some(&["quickfix"]),
    )
    .await;
    assert_eq!(none, Vec::<Value>::new());
    c.stop().await;
}

#[tokio::test]
async fn the_code_lens_command_inserts_the_billing_section() {
    let mut c = Client::vscode_like().await;
    let u = uri("lens.derm");
    c.open_and_wait(&u, E01).await;
    let lenses = c
        .request("textDocument/codeLens", json!({"textDocument": doc(&u)}))
        .await;
    expect![[r#"
        [
          {
            "command": {
              "arguments": [
                "file:///notes/lens.derm",
                0
              ],
              "command": "dermls.insertBilling",
              "title": "4 lines · 9.03 RVU · est. $301.61 (Medicare estimate) · Insert billing codes"
            },
            "range": {
              "end": {
                "character": 0,
                "line": 0
              },
              "start": {
                "character": 0,
                "line": 0
              }
            }
          }
        ]"#]].assert_eq(&pretty(&lenses));
    let command = &lenses[0]["command"];
    let r = c
        .request(
            "workspace/executeCommand",
            json!({"command": command["command"], "arguments": command["arguments"]}),
        )
        .await;
    assert_eq!(r, json!({"applied": true}));
    assert_eq!(c.applied_edits.len(), 1);
    let after = apply_edits(E01, &edits_of(&c.applied_edits[0]["edit"]));
    assert!(after.ends_with("- 17003 x7  Dx: L57.0\n"), "{after}");
    c.stop().await;
}

#[tokio::test]
async fn semantic_tokens() {
    let mut c = Client::vscode_like().await;
    let u = uri("tokens.derm");
    c.open_and_wait(&u, BILLED).await;
    let r = c
        .request(
            "textDocument/semanticTokens/full",
            json!({"textDocument": doc(&u)}),
        )
        .await;
    let types = ["label", "code", "modifier", "size", "site", "lesion type"];
    let data: Vec<u64> = r["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    let lines: Vec<&str> = BILLED.lines().collect();
    let (mut line, mut col) = (0usize, 0usize);
    let mut out = String::new();
    for t in data.chunks(5) {
        if t[0] > 0 {
            line += t[0] as usize;
            col = t[1] as usize;
        } else {
            col += t[1] as usize;
        }
        let text: String = lines[line].chars().skip(col).take(t[2] as usize).collect();
        out.push_str(&format!("{line}:{col} {} {text:?}\n", types[t[3] as usize]));
    }
    expect![[r#"
        1:0 label "Patient"
        2:0 label "Payer"
        3:0 label "E/M"
        3:5 code "99213"
        6:31 code "L40.0"
        7:31 lesion type "SCC"
        10:0 label "Site"
        10:11 site "forearm"
        10:35 site "antecubital fossa"
        11:0 label "Lesion"
        11:8 size "0.6 x 0.5 cm"
        12:0 label "Indication"
        12:16 lesion type "SCC"
        14:0 label "Pathology"
        15:0 label "Dx"
        15:4 code "D49.2"
        18:2 code "99213"
        18:8 modifier "25"
        18:16 code "L40.0"
        19:2 code "11102"
        19:8 modifier "59"
        19:16 code "D49.2"
    "#]]
    .assert_eq(&out);
    c.stop().await;
}

#[tokio::test]
async fn document_symbols_folding_and_inlay_hints() {
    let mut c = Client::vscode_like().await;
    let note = format!("{E06}\n{BILLED}");
    let u = uri("outline.derm");
    c.open_and_wait(&u, &note).await;
    let symbols = c
        .request(
            "textDocument/documentSymbol",
            json!({"textDocument": doc(&u)}),
        )
        .await;
    let mut outline = String::new();
    for s in symbols.as_array().unwrap() {
        outline.push_str(&format!(
            "{} ({})\n",
            s["name"].as_str().unwrap(),
            s["detail"].as_str().unwrap()
        ));
        for k in s["children"].as_array().unwrap() {
            outline.push_str(&format!(
                "  {} ({}) lines {}-{}\n",
                k["name"].as_str().unwrap(),
                k["detail"].as_str().unwrap(),
                k["range"]["start"]["line"],
                k["range"]["end"]["line"]
            ));
        }
    }
    expect![[r#"
        Encounter 2026-01-26 (1 procedure(s), payer medicare)
          Procedure: excision (excision → 11602, 12032) lines 5-14
        Encounter 2026-03-14 (1 procedure(s), payer medicare)
          Procedure 1: shave biopsy (biopsy → 11102) lines 24-31
          Billing (2 line(s)) lines 32-34
    "#]]
    .assert_eq(&outline);

    let folds = c
        .request(
            "textDocument/foldingRange",
            json!({"textDocument": doc(&u)}),
        )
        .await;
    let folds: Vec<String> = folds
        .as_array()
        .unwrap()
        .iter()
        .map(|f| format!("{}-{}", f["startLine"], f["endLine"]))
        .collect();
    expect![[r#"
        [
            "0-13",
            "5-13",
            "15-34",
            "20-22",
            "24-30",
            "32-34",
        ]
    "#]]
    .assert_debug_eq(&folds);

    let whole = json!({"start": {"line": 0, "character": 0}, "end": {"line": 999, "character": 0}});
    let hints = c
        .request(
            "textDocument/inlayHint",
            json!({"textDocument": doc(&u), "range": whole}),
        )
        .await;
    let hints: Vec<String> = hints
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            let label = match &h["label"] {
                Value::String(s) => s.clone(),
                parts => parts
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p["value"].as_str().unwrap().to_string())
                    .collect(),
            };
            format!(
                "{}:{} {label}",
                h["position"]["line"], h["position"]["character"]
            )
        })
        .collect();
    expect![[r#"
        [
            "5:22 → 11602, 12032",
            "8:15 ⌀ 1.7 cm → 11602",
            "24:28 → 11102",
        ]
    "#]]
    .assert_debug_eq(&hints);
    c.stop().await;
}

#[tokio::test]
async fn configuration_from_initialization_options_and_changes() {
    let no_payer = "## Procedure: biopsy\n\
        Site: left upper back\n\
        Lesion: 0.5 cm papule\n\
        Indication: r/o BCC\n\
        Technique: punch\n\
        Pathology: sent\n\
        Dx: D48.5\n";
    let u = uri("config.derm");
    let codes = |d: &Value| -> Vec<String> {
        d.as_array()
            .unwrap()
            .iter()
            .map(|x| x["code"].as_str().unwrap().to_string())
            .collect()
    };

    // Defaults: no payer anywhere.
    let mut c = Client::vscode_like().await;
    assert_eq!(
        codes(&c.open_and_wait(&u, no_payer).await),
        ["payer/unknown"]
    );
    // A change of settings re-analyses open documents (same version).
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"dermls": {"disabledRules": ["payer/unknown"]}}}),
    )
    .await;
    let d = c
        .wait_for(|n| {
            n["method"] == "textDocument/publishDiagnostics"
                && n["params"]["diagnostics"] == json!([])
        })
        .await;
    assert_eq!(d["params"]["version"], 1);
    // A CMS file that does not load: one error message, the previous table
    // kept, diagnostics still published.
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"dermls.mueFile": "/nonexistent/mue.csv", "dermls.disabledRules": []}}),
    )
    .await;
    let m = c.wait_for(|n| n["method"] == "window/showMessage").await;
    assert_eq!(m["params"]["type"], 1);
    assert!(
        m["params"]["message"]
            .as_str()
            .unwrap()
            .contains("/nonexistent/mue.csv")
    );
    let d = c
        .wait_for(|n| {
            n["method"] == "textDocument/publishDiagnostics"
                && n["params"]["diagnostics"] != json!([])
        })
        .await;
    assert_eq!(codes(&d["params"]["diagnostics"]), ["payer/unknown"]);
    c.stop().await;

    // Flat initialization options; a payer-rules file that does not load is
    // one error message, and the built-in payer rules stay in use.
    let options = json!({"defaultPayer": "Aetna", "payerRulesFile": "/x/rules.csv"});
    let (mut c, _) = Client::initialized(json!({}), options).await;
    let m = c.wait_for(|n| n["method"] == "window/showMessage").await;
    assert!(
        m["params"]["message"]
            .as_str()
            .unwrap()
            .contains("/x/rules.csv")
    );
    assert_eq!(
        codes(&c.open_and_wait(&u, no_payer).await),
        Vec::<String>::new()
    );
    c.stop().await;

    // Pulled with workspace/configuration after `initialized`.
    let mut c = Client::start();
    c.configuration = json!({"distinctSiteModifier": "XS", "defaultPayer": "Medicare"});
    c.request(
        "initialize",
        json!({"capabilities": {"workspace": {"configuration": true}}}),
    )
    .await;
    c.open(&u, 1, E01).await;
    c.notify("initialized", json!({})).await;
    // The pulled settings (XS for a distinct site) show in the claim.
    let start = json!({"line": 0, "character": 0});
    let range = json!({"start": start, "end": start});
    loop {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let actions = code_actions(&mut c, &u, range.clone(), json!([]), Some(&["source"])).await;
        if Value::from(actions).to_string().contains("11102-XS") {
            break;
        }
    }
    c.stop().await;
}

#[tokio::test]
async fn a_document_above_the_size_limit_gets_one_diagnostic() {
    let mut c = Client::vscode_like().await;
    let big = "Site: back\n".repeat(dermls::lsp::SIZE_LIMIT / 11 + 10);
    let diags = c.open_and_wait(&uri("big.derm"), &big).await;
    expect![[r#"
        0:0-0:10 3 note/too-large This document is 8388710 bytes, above the 8 MiB limit: it is not analysed. Split it into one note per visit.
    "#]].assert_eq(&summary(&diags));
    c.stop().await;
}

#[tokio::test]
async fn odd_texts_and_positions_never_fail_a_request() {
    let mut c = Client::vscode_like().await;
    let crlf = E01.replace('\n', "\r\n");
    let texts = [
        "",
        "\r",
        "\n\n",
        "é😀\r\n×",
        "## Billing\n- ",
        "Site:",
        "Dx:",
        crlf.as_str(),
    ];
    for (i, text) in texts.iter().enumerate() {
        let u = uri(&format!("odd-{i}.derm"));
        c.open_and_wait(&u, text).await;
        let positions = [(0, 0), (0, 1), (0, 2), (0, 999), (1, 0), (999, 0), (3, 7)];
        for (line, character) in positions {
            let p = json!({"line": line, "character": character});
            let range = json!({"start": p, "end": {"line": 0, "character": 0}});
            for (method, params) in [
                (
                    "textDocument/hover",
                    json!({"textDocument": doc(&u), "position": p}),
                ),
                (
                    "textDocument/completion",
                    json!({"textDocument": doc(&u), "position": p}),
                ),
                (
                    "textDocument/codeAction",
                    json!({"textDocument": doc(&u), "range": range, "context": {"diagnostics": []}}),
                ),
                (
                    "textDocument/inlayHint",
                    json!({"textDocument": doc(&u), "range": range}),
                ),
            ] {
                let r = c.request(method, params).await;
                assert!(r.get("code").is_none(), "{method} on text {i} at {p}: {r}");
            }
        }
        for method in [
            "textDocument/semanticTokens/full",
            "textDocument/documentSymbol",
            "textDocument/codeLens",
            "textDocument/foldingRange",
        ] {
            let r = c.request(method, json!({"textDocument": doc(&u)})).await;
            assert!(r.get("code").is_none(), "{method} on text {i}: {r}");
        }
    }
    c.stop().await;
}

/// Real findings from the `code/*` rules: every published diagnostic with a
/// fix offers it as a quick-fix that changes only the Billing section, and
/// "Fix all" leaves a Billing section that bills the derived claim.
#[tokio::test]
async fn quick_fixes_and_fix_all_on_real_billing_findings() {
    let note = include_str!("notes/67-billing-excision-size-repair-missing.derm");
    let mut c = Client::vscode_like().await;
    let u = uri("billing.derm");
    let diags = c.open_and_wait(&u, note).await;
    let fixable: Vec<Value> = diags
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["data"]["fix"].is_object())
        .cloned()
        .collect();
    let codes: Vec<&str> = fixable
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["code/repair-missing", "code/excision-size"]);
    let billing_at = note.find("## Billing").unwrap();
    let mut titles = Vec::new();
    for d in &fixable {
        let actions = code_actions(
            &mut c,
            &u,
            d["range"].clone(),
            json!([d]),
            Some(&["quickfix"]),
        )
        .await;
        assert_eq!(actions.len(), 1, "{d}");
        titles.push(actions[0]["title"].as_str().unwrap().to_string());
        let after = apply_edits(note, &edits_of(&actions[0]["edit"]));
        assert_eq!(
            after[..billing_at],
            note[..billing_at],
            "only the Billing section changes"
        );
    }
    assert_eq!(titles, ["Add 12032", "Replace with 11603"]);
    let start = json!({"line": 0, "character": 0});
    let all = code_actions(
        &mut c,
        &u,
        json!({"start": start, "end": start}),
        json!([]),
        Some(&["source.fixAll.dermls"]),
    )
    .await;
    assert_eq!(all.len(), 1);
    let after = apply_edits(note, &edits_of(&all[0]["edit"]));
    assert_eq!(
        &after[billing_at..],
        "## Billing\n- 11603  Dx: C44.612\n- 12032  Dx: C44.612\n"
    );
    c.change(&u, 2, json!([{ "text": after }])).await;
    assert_eq!(c.diagnostics(&u, 2).await, json!([]));
    c.stop().await;
}
