//! ICD-10-CM FY2026 (April 1 2026 update): the full code set for validation
//! and titles, and the dermatology subset for completion.

use std::collections::HashMap;
use std::sync::LazyLock;

use super::csv::builtin_records;

const ALL_CSV: &str = include_str!("data/icd10cm_fy2026_all.csv");
const DERM_CSV: &str = include_str!("data/icd10cm_fy2026_derm.csv");

/// One ICD-10-CM code: its title and whether it is a valid billable code
/// (a leaf) rather than a category or subcategory header.
struct Entry {
    title: String,
    billable: bool,
}

/// The full code set, keyed by the code without its dot, upper-case.
static ALL: LazyLock<HashMap<String, Entry>> = LazyLock::new(|| {
    parse("src/codes/data/icd10cm_fy2026_all.csv", ALL_CSV)
        .into_iter()
        .map(|(code, title, billable)| (key(&code), Entry { title, billable }))
        .collect()
});

/// The dermatology subset as (code with dot, title), in file order.
static DERM: LazyLock<Vec<(String, String)>> = LazyLock::new(|| {
    parse("src/codes/data/icd10cm_fy2026_derm.csv", DERM_CSV)
        .into_iter()
        .map(|(code, title, _)| (code, title))
        .collect()
});

/// The title of an ICD-10-CM FY2026 code, billable or header. The code may be
/// written with or without its dot, in any case (`"l57.0"`, `"L570"`).
pub fn icd10_title(code: &str) -> Option<&'static str> {
    let all: &'static HashMap<String, Entry> = &ALL;
    all.get(&key(code)).map(|e| e.title.as_str())
}

/// True when `code` is a valid billable ICD-10-CM FY2026 code (a leaf, not a
/// category or subcategory header). Dot and case as for [`icd10_title`].
pub fn icd10_is_billable(code: &str) -> bool {
    ALL.get(&key(code)).is_some_and(|e| e.billable)
}

/// The dermatology subset as (code with its dot, title), in file order, for
/// completion. It holds headers as well as billable codes.
pub fn icd10_derm() -> impl Iterator<Item = (&'static str, &'static str)> {
    let derm: &'static Vec<(String, String)> = &DERM;
    derm.iter().map(|(c, t)| (c.as_str(), t.as_str()))
}

/// `code` trimmed, without dots, upper-case.
fn key(code: &str) -> String {
    code.trim()
        .chars()
        .filter(|&c| c != '.')
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Parses an ICD file (`code,billable_leaf,description`); malformed built-in
/// data panics with the file and line (the table test keeps it well formed).
fn parse(file: &str, text: &str) -> Vec<(String, String, bool)> {
    let mut records = builtin_records(file, text).into_iter();
    let header = records.next().map(|r| r.fields).unwrap_or_default();
    assert_eq!(
        header,
        ["code", "billable_leaf", "description"],
        "{file}:1: unexpected header"
    );
    records
        .filter(|r| !r.is_blank())
        .map(|r| {
            let billable = match r.get(1) {
                "Y" => true,
                "N" => false,
                other => panic!(
                    "{file}:{}: billable_leaf must be Y or N, found \"{other}\"",
                    r.line
                ),
            };
            assert!(
                r.fields.len() == 3 && !r.get(0).is_empty() && !r.get(2).is_empty(),
                "{file}:{}: expected code, billable_leaf and description",
                r.line
            );
            (r.get(0).to_string(), r.get(2).to_string(), billable)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_with_or_without_dot_and_in_any_case() {
        assert_eq!(icd10_title("L57.0"), Some("Actinic keratosis"));
        assert_eq!(icd10_title("l570"), Some("Actinic keratosis"));
        assert_eq!(icd10_title(" L57.0 "), Some("Actinic keratosis"));
        assert_eq!(icd10_title("A00"), Some("Cholera"));
        assert_eq!(icd10_title("L57.00"), None);
        assert_eq!(icd10_title(""), None);
    }

    #[test]
    fn billable_leaves_and_headers() {
        assert!(icd10_is_billable("L57.0"));
        assert!(icd10_is_billable("d492"));
        assert!(!icd10_is_billable("C44"));
        assert!(icd10_title("C44").is_some());
        assert!(!icd10_is_billable("Z99.999"));
    }

    #[test]
    fn derm_subset_is_in_the_full_set_with_the_same_titles() {
        let derm: Vec<(&str, &str)> = icd10_derm().collect();
        assert_eq!(derm.len(), 518);
        assert_eq!(derm[0], ("B07", "Viral warts"));
        for (code, title) in derm {
            assert_eq!(icd10_title(code), Some(title), "{code}");
        }
    }

    #[test]
    fn full_set_size() {
        assert_eq!(ALL.len(), 46_881);
    }
}
