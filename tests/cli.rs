//! The command line as a user runs it: exact output for a bundled note,
//! exit codes, and one clear line per bad input while the other files are
//! still processed.

#[path = "support/cli.rs"]
mod cli;

use std::path::Path;

use cli::{dermls, scratch};
use expect_test::expect;

#[test]
fn claim_json_for_the_readme_example() {
    let (code, out, err) = dermls(&[
        "claim",
        "--format",
        "json",
        "tests/examples/e01-biopsy-em.derm",
    ]);
    assert_eq!((code, err.as_str()), (0, ""));
    let v: serde_json::Value = serde_json::from_str(out.trim()).expect("one JSON object");
    let lines: Vec<String> = v["encounters"][0]["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .map(|l| {
            format!(
                "{} {} x{} {} {}",
                l["cpt"], l["modifiers"], l["units"], l["dx"], l["rvu_year"]
            )
        })
        .collect();
    expect![[r#"
        [
            "\"99213\" [\"25\"] x1 [\"L40.0\"] 2026",
            "\"11102\" [\"59\"] x1 [\"D49.2\"] 2026",
            "\"17000\" [] x1 [\"L57.0\"] 2026",
            "\"17003\" [] x7 [\"L57.0\"] 2026",
        ]
    "#]]
    .assert_debug_eq(&lines);
    expect![[r#"
        (
            Number(9.03),
            Number(301.61),
            String("medicare"),
            String("2026-03-14"),
        )
    "#]]
    .assert_debug_eq(&(
        &v["encounters"][0]["total_rvu"],
        &v["encounters"][0]["estimated_payment_usd"],
        &v["encounters"][0]["payer"],
        &v["encounters"][0]["date"],
    ));
}

#[test]
fn claim_text_table() {
    let (code, out, _) = dermls(&["claim", "tests/examples/e06-excision-bcc-repair.derm"]);
    assert_eq!(code, 0);
    expect![[r#"
        tests/examples/e06-excision-bcc-repair.derm
          encounter 1 · 2026-01-26 · payer medicare
            11602          Dx: C44.612          7.35 RVU (2025, standing in for 2026)  excision-malignant
            12032          Dx: C44.612          9.09 RVU (2025, standing in for 2026)  repair
            total 16.44 RVU · estimated $549.11 (national Medicare estimate: non-facility total RVU x conversion factor, no geographic adjustment, $33.4009/RVU); some RVUs are 2025 figures standing in for 2026
    "#]]
    .assert_eq(&out);
}

#[test]
fn check_text_like_a_compiler_and_exit_one_on_error() {
    let dir = scratch("check_text");
    let note = dir.join("bad.derm");
    std::fs::write(
        &note,
        "Payer: Medicare\n\n## Billing\n- 1110Z  Dx: L99.99\n- 17000-QQ\n",
    )
    .expect("write");
    let (code, out, _) = dermls(&["check", note.to_str().expect("path")]);
    assert_eq!(code, 1);
    let out = out.replace(note.to_str().expect("path"), "bad.derm");
    expect![[r#"
        bad.derm:4:3: error[code/unknown-code] 1110Z is not a CPT code dermls knows for dermatology; check the code.
        bad.derm:4:14: error[code/unknown-code] L99.99 is not an ICD-10-CM FY2026 code.
        bad.derm:5:3: error[code/unsupported-code] 17000 (Destruction of a premalignant lesion such as an actinic keratosis, first lesion) is not supported: no documented procedure supports it
          = fix: Remove the 17000 line
        bad.derm:5:9: error[code/unknown-code] QQ is not a modifier dermls knows.
    "#]]
    .assert_eq(&out);
}

#[test]
fn bad_inputs_are_named_and_the_rest_processed() {
    let dir = scratch("bad_inputs");
    let latin1 = dir.join("latin1.derm");
    std::fs::write(&latin1, b"Payer: Medicare\nSite: caf\xe9\n").expect("write");
    let empty_dir = dir.join("empty");
    std::fs::create_dir_all(&empty_dir).expect("mkdir");
    let (code, out, err) = dermls(&[
        "claim",
        "--format",
        "json",
        dir.join("missing.derm").to_str().expect("path"),
        latin1.to_str().expect("path"),
        empty_dir.to_str().expect("path"),
        "tests/examples/e03-aks-16.derm",
    ]);
    assert_eq!(code, 2);
    let err = err.replace(dir.to_str().expect("path"), "DIR");
    expect![[r#"
        dermls: DIR/empty: no .derm notes in this directory
        dermls: DIR/missing.derm: no such file
        dermls: DIR/latin1.derm: not UTF-8 text (invalid byte at offset 25); save the note as UTF-8
    "#]]
    .assert_eq(&err);
    assert_eq!(
        out.lines().count(),
        1,
        "the good file is still processed: {out}"
    );
    assert!(out.contains("\"17004\""));
}

#[test]
fn a_directory_means_every_note_under_it() {
    let (code, out, err) = dermls(&["claim", "--format", "json", "tests/examples"]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(out.lines().count(), 13);
}

#[test]
fn explain_a_code_a_modifier_and_an_icd10_code() {
    let (code, out, _) = dermls(&["explain", "17004"]);
    assert_eq!(code, 0);
    expect![[r#"
        17004: Destruction of fifteen or more premalignant lesions, reported alone
          family: destruction-premalignant
          work RVU 1.34 (2026); total RVU non-facility 4.86, facility 2.48 (2026)
          global period: 010
          MUE: 1
          estimated Medicare payment $162.33 (national Medicare estimate: non-facility total RVU x conversion factor, no geographic adjustment, $33.4009/RVU)
          source: work RVU and non-facility total: source guide 2026 (top-20 table); facility total: CMS PFS 2026 national rate (RVU26C/RVU26D) / CF 33.4009; MUE: CMS practitioner MUE 2026 Q3/Q4
    "#]]
    .assert_eq(&out);
    let (code, out, _) = dermls(&["explain", "L57.0"]);
    assert_eq!(code, 0);
    expect![[r#"
        L57.0: Actinic keratosis
          ICD-10-CM FY2026, billable
    "#]]
    .assert_eq(&out);
    let (code, _, err) = dermls(&["explain", "ZZZZZ"]);
    assert_eq!(code, 2);
    assert_eq!(
        err.trim(),
        "dermls: ZZZZZ: not a CPT code, modifier, ICD-10-CM code or diagnostic code dermls knows"
    );
}

#[test]
fn malformed_cms_file_names_file_and_line() {
    let dir = scratch("cms");
    let f = dir.join("mue.csv");
    std::fs::write(&f, "HCPCS/CPT Code,Practitioner Services MUE Values,MUE Adjudication Indicator,MUE Rationale\n17000,one,2 Date of Service Edit: Policy,x\n").expect("write");
    let (code, _, err) = dermls(&[
        "claim",
        "--mue",
        f.to_str().expect("path"),
        "tests/examples/e03-aks-16.derm",
    ]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with("dermls: ") && err.contains("mue.csv:2:"),
        "{err}"
    );
}

#[test]
fn check_fix_rewrites_only_the_billing_section() {
    let dir = scratch("check-fix");
    let note = dir.join("note.derm");
    let original = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/notes/67-billing-excision-size-repair-missing.derm"),
    )
    .expect("fixture");
    std::fs::write(&note, &original).expect("write scratch note");
    let path = note.to_str().expect("utf-8 path");
    let (code, out, err) = dermls(&["check", path]);
    assert_eq!((code, err.as_str()), (1, ""));
    let out = out.replace(path, "note.derm");
    expect![[r#"
        note.derm:15:1: warning[code/repair-missing] The documented repair is not billed: add 12032. Repair: intermediate repair of 5.0 cm in the scalp-axillae-trunk-extremities group.
          = fix: Add 12032
        note.derm:16:3: error[code/excision-size] 11602 is a malignant excision of over 1.0 to 2.0 cm, trunk, arms, legs; the documentation supports 11603 (malignant excision, over 2.0 to 3.0 cm, trunk, arms, legs). Excision, malignant: lesion 1.5 cm + 2 × margin 0.4 cm = 2.3 cm: excised diameter 2.3 cm (tier over 2.0 cm up to 3.0 cm), site group trunk-arms-legs; pathology shows a malignancy.
          = fix: Replace with 11603
    "#]]
    .assert_eq(&out);

    let (code, out, err) = dermls(&["check", "--fix", path]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(
        out.replace(path, "note.derm"),
        "note.derm: applied 2 fix edit(s)\n"
    );
    let fixed = std::fs::read_to_string(&note).expect("read back");
    let (head, billing) = fixed.split_once("## Billing").expect("billing section");
    assert_eq!(head, original.split_once("## Billing").expect("billing").0);
    assert_eq!(billing, "\n- 11603  Dx: C44.612\n- 12032  Dx: C44.612\n");
    // Nothing left to fix: the file is not written again, and no temporary
    // file is left behind.
    let before = std::fs::metadata(&note)
        .and_then(|m| m.modified())
        .expect("mtime");
    let (code, out, _) = dermls(&["check", "--fix", path]);
    assert_eq!((code, out.as_str()), (0, ""));
    assert_eq!(
        std::fs::metadata(&note)
            .and_then(|m| m.modified())
            .expect("mtime"),
        before
    );
    let names: Vec<String> = std::fs::read_dir(&dir)
        .expect("dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["note.derm"]);
}

#[test]
fn claim_write_inserts_the_billing_section_once() {
    let dir = scratch("claim-write");
    let note = dir.join("note.derm");
    let original = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/examples/e01-biopsy-em.derm"),
    )
    .expect("fixture");
    std::fs::write(&note, &original).expect("write scratch note");
    let path = note.to_str().expect("utf-8 path");
    let (code, _, err) = dermls(&["claim", "--write", path]);
    assert_eq!((code, err.as_str()), (0, ""));
    let written = std::fs::read_to_string(&note).expect("read back");
    assert!(written.starts_with(original.trim_end()));
    expect![[r#"


        ## Billing
        - 99213-25  Dx: L40.0
        - 11102-59  Dx: D49.2
        - 17000  Dx: L57.0
        - 17003 x7  Dx: L57.0
    "#]]
    .assert_eq(&written[original.trim_end().len()..]);
    let (code, _, _) = dermls(&["claim", "--write", path]);
    assert_eq!(code, 0);
    assert_eq!(std::fs::read_to_string(&note).expect("read back"), written);
    let (code, out, _) = dermls(&["check", path]);
    assert_eq!(code, 0);
    assert!(!out.contains("[code/"), "{out}");
}

#[test]
fn check_json_carries_fixes_and_related_text() {
    let (code, out, _) = dermls(&[
        "check",
        "--format",
        "json",
        "tests/notes/73-billing-mohs-wrong-site.derm",
    ]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(out.trim()).expect("one JSON object");
    let d = &v["diagnostics"][0];
    expect![[r#"
        {"code":"code/mohs-stages","fix":{"edits":[{"newText":"17313","range":{"end":{"character":7,"line":13},"start":{"character":2,"line":13}}}],"title":"Replace with 17313"},"related":[{"message":"17313 comes from this procedure","range":{"end":{"character":18,"line":5},"start":{"character":0,"line":5}}}]}
    "#]]
    .assert_eq(&format!(
        "{}\n",
        json_without(d, &["message", "range", "severity"])
    ));
}

fn json_without(v: &serde_json::Value, keys: &[&str]) -> serde_json::Value {
    let mut v = v.clone();
    if let Some(o) = v.as_object_mut() {
        for k in keys {
            o.remove(*k);
        }
    }
    v
}

#[test]
fn hidden_corpus_command_writes_the_generated_corpus() {
    let (code, help, _) = dermls(&["--help"]);
    assert_eq!(code, 0);
    assert!(!help.contains("corpus"), "{help}");
    let (code, out, err) = dermls(&["corpus", "--seed", "3", "--bytes", "5000"]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(out, dermls::corpus::generate(3, 5000));
    let file = scratch("corpus").join("c.derm");
    let path = file.to_str().expect("UTF-8 path");
    let (code, out, _) = dermls(&["corpus", "--bytes", "2000", "--out", path]);
    assert_eq!((code, out.as_str()), (0, ""));
    assert_eq!(
        std::fs::read_to_string(&file).expect("written"),
        dermls::corpus::generate(1, 2000)
    );
}

#[test]
fn many_files_print_in_input_order() {
    // More files than one parallel window, each a different note.
    let dir = scratch("many");
    let mut names = Vec::new();
    for i in 0..150 {
        let name = format!("n{i:03}.derm");
        std::fs::write(dir.join(&name), dermls::corpus::generate(i, 800)).expect("write");
        names.push(name);
    }
    let (code, out, err) = dermls(&["claim", "--format", "json", dir.to_str().expect("UTF-8")]);
    assert_eq!((code, err.as_str()), (0, ""));
    let files: Vec<String> = out
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("JSON line");
            v["file"].as_str().expect("file").to_string()
        })
        .collect();
    let want: Vec<String> = names
        .iter()
        .map(|n| dir.join(n).display().to_string())
        .collect();
    assert_eq!(files, want);
}
