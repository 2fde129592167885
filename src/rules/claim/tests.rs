use proptest::prelude::*;

use super::cm;

proptest! {
    /// The hand-written centimetres are those `measure::cm` writes.
    #[test]
    fn centimetres_agree_with_measure(um in any::<u32>()) {
        prop_assert_eq!(cm(um), crate::extract::measure::cm(um));
    }
}

#[test]
fn centimetres_at_the_edges() {
    for um in [
        0,
        1,
        9,
        10,
        999,
        1_000,
        2_500,
        9_999,
        10_000,
        10_001,
        12_340,
        99_990,
        100_000,
        u32::MAX,
    ] {
        assert_eq!(cm(um), crate::extract::measure::cm(um), "{um}");
    }
}

proptest! {
    /// Two lists of modifiers are the same for `merge` just when they are
    /// equal sorted, as they were compared before.
    #[test]
    fn same_modifiers_is_equal_when_sorted(
        a in proptest::collection::vec(proptest::sample::select(vec!["59", "XS", "58", "25", "RT"]), 0..4),
        b in proptest::collection::vec(proptest::sample::select(vec!["59", "XS", "58", "25", "RT"]), 0..4),
    ) {
        let a: Vec<String> = a.into_iter().map(String::from).collect();
        let b: Vec<String> = b.into_iter().map(String::from).collect();
        let sorted = |l: &[String]| {
            let mut l = l.to_vec();
            l.sort();
            l
        };
        prop_assert_eq!(super::same_modifiers(&a, &b), sorted(&a) == sorted(&b));
        prop_assert!(super::same_modifiers(&a, &a));
    }
}

/// An E/M beside two procedures that bundle it names both codes in its
/// why, in the claim's order and joined by a comma, as the list it was
/// once joined from did.
#[test]
fn em_why_names_every_bundling_code() {
    let text = "# Encounter 2026-01-19
Payer: Self-pay
E/M: 99215

## Assessment and plan
1. Seborrheic dermatitis of the scalp (L21.9): ketoconazole 2% shampoo three times weekly.
2. Lesion(s) of concern: see procedure.

## Procedure 1: punch biopsy
Technique: 4 mm punch, closed with one 4-0 nylon suture
(A) arm: 0.9 x 0.5 cm erythematous crusted plaque, r/o inflammatory dermatosis vs lichen planus
(B) arm: 1.0 cm pearly pink papule with telangiectasia, r/o inflammatory dermatosis vs lichen planus
Pathology: sent
Dx: L43.9

## Procedure 2: excision
Site: nasal tip
Lesion: 6 mm biopsy-proven melanoma in situ
Margins: 0.10 cm
Technique: elliptical excision to the subcutaneous fat
Repair: simple, 7.8 cm
Pathology: melanoma in situ, margins clear
Dx: D03.59
";
    let a = crate::analysis::analyze(
        text,
        crate::codes::CodeTable::builtin(),
        &crate::analysis::Options::default(),
    );
    let em = a.claims[0]
        .lines
        .iter()
        .find(|l| l.rule == "em")
        .expect("an E/M line");
    assert!(
        em.why.ends_with("beyond the procedures (11104, 11641)."),
        "{}",
        em.why
    );
}

/// A claim of one line is left as it is by `merge`.
#[test]
fn merge_keeps_a_single_line() {
    let line = super::ClaimLine::new("11102", "biopsy", "why".to_string());
    let mut lines = vec![line.clone()];
    super::merge(&mut lines);
    assert_eq!(lines, vec![line]);
}

/// A claim line with the code, modifiers and why given, for the merging
/// tests.
fn line_of(cpt: &str, modifiers: &[&str], why: &str, proc: usize) -> super::ClaimLine {
    let mut l = super::ClaimLine::new(cpt, "test", why.to_string()).for_lesion(proc, 0);
    for m in modifiers {
        l.add_modifier(m);
    }
    l
}

proptest! {
    /// Lines that all differ are left as they are without the merging
    /// loop, and lines that merge are merged as that loop does: `merge`
    /// gives what the loop alone gives.
    #[test]
    fn merging_skips_only_lines_that_all_differ(
        lines in proptest::collection::vec(
            (
                proptest::sample::select(vec!["11102", "11103", "17000", "é1"]),
                proptest::collection::vec(proptest::sample::select(vec!["59", "XS", "58"]), 0..3),
                proptest::sample::select(vec!["a", "b", "a b", "é"]),
            ),
            0..6,
        ),
    ) {
        let lines: Vec<super::ClaimLine> = lines
            .iter()
            .enumerate()
            .map(|(i, (cpt, mods, why))| line_of(cpt, mods, why, i))
            .collect();
        let mut fast = lines.clone();
        super::merge(&mut fast);
        let mut all = lines;
        super::merge_all(&mut all);
        prop_assert_eq!(fast, all);
    }
}

#[test]
fn lines_that_differ_stay_and_same_ones_merge() {
    let differ = vec![line_of("11102", &[], "a", 0), line_of("11103", &[], "b", 1)];
    let mut lines = differ.clone();
    super::merge(&mut lines);
    assert_eq!(lines, differ);
    let mut lines = vec![
        line_of("11103", &["59"], "a", 0),
        line_of("11102", &[], "b", 1),
        line_of("11103", &["59"], "c", 2),
    ];
    super::merge(&mut lines);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0].units, 2);
    assert_eq!(lines[0].why, "a c");
    assert_eq!(lines[0].procedures, vec![0, 2]);
}
