//! The generated corpus: deterministic, and notes the analysis reads
//! without trouble (no `note/parse` storm, most encounters with a claim).

use dermls::analysis::{Options, analyze, analyze_parallel, report};
use dermls::codes::CodeTable;
use dermls::corpus::generate;

#[test]
fn the_same_seed_gives_the_same_corpus() {
    assert_eq!(generate(42, 50_000), generate(42, 50_000));
    assert_ne!(generate(42, 50_000), generate(43, 50_000));
}

#[test]
fn generated_notes_analyse_cleanly() {
    for seed in 0..4 {
        let text = generate(seed, 60_000);
        let a = analyze(&text, CodeTable::builtin(), &Options::default());
        let encounters = a.claims.len();
        assert!(encounters > 50, "seed {seed}: {encounters} encounters");
        let parse_errors = a.findings.iter().filter(|f| f.code == "note/parse").count();
        assert!(
            parse_errors * 50 < encounters,
            "seed {seed}: {parse_errors} note/parse findings in {encounters} encounters"
        );
        let with_lines = a.claims.iter().filter(|c| !c.lines.is_empty()).count();
        assert!(
            with_lines * 10 >= encounters * 9,
            "seed {seed}: {with_lines} of {encounters} encounters have claim lines"
        );
        for family in [
            "1110", "1130", "114", "116", "1700", "1711", "1731", "969", "992",
        ] {
            assert!(
                a.claims
                    .iter()
                    .flat_map(|c| &c.lines)
                    .any(|l| l.cpt.starts_with(family)),
                "seed {seed}: no {family}… line"
            );
        }
        assert!(text.contains("\r\n"), "seed {seed}: no CRLF encounter");
        assert!(text.contains("## Billing"));
    }
}

#[test]
fn parallel_analysis_is_the_sequential_one() {
    // More encounters than one parallel window, with re-excisions that take
    // modifier 58 from the encounter before.
    let text = generate(11, 700_000);
    let table = CodeTable::builtin();
    let options = Options::default();
    let seq = analyze(&text, table, &options);
    let par = analyze_parallel(&text, table, &options);
    assert!(seq.claims.len() > 600, "{} encounters", seq.claims.len());
    assert!(
        seq.claims
            .iter()
            .flat_map(|c| &c.lines)
            .any(|l| l.modifiers.iter().any(|m| m == "58"))
    );
    assert!(par.note == seq.note);
    assert!(par.facts == seq.facts);
    assert!(par.claims == seq.claims);
    assert!(par.findings == seq.findings);
    let r = report(&text, table, &options);
    assert!(r.claims == seq.claims);
    assert!(r.findings == seq.findings);
}
