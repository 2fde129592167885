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
