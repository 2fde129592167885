//! The command line as a user runs it: exact output for a bundled note,
//! exit codes, and one clear line per bad input while the other files are
//! still processed.

use std::path::Path;
use std::process::Command;

use expect_test::expect;

fn dermls(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_dermls"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run dermls");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

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
