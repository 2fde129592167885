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
