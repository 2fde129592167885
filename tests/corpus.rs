//! The generated corpus: deterministic, and notes the analysis reads
//! without trouble (no `note/parse` storm, most encounters with a claim).

use dermls::analysis::{Options, analyze};
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
