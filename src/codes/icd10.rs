//! ICD-10-CM FY2026 (April 1 2026 update): the full code set for validation
//! and titles, and the dermatology subset for completion.

use std::borrow::Cow;
use std::sync::LazyLock;

use super::csv::builtin_records;

const ALL_FILE: &str = "src/codes/data/icd10cm_fy2026_all.csv";
const ALL_CSV: &str = include_str!("data/icd10cm_fy2026_all.csv");
const DERM_CSV: &str = include_str!("data/icd10cm_fy2026_derm.csv");

/// One ICD-10-CM code: the code as written, its title and whether it is a
/// valid billable code (a leaf) rather than a category or subcategory
/// header.
struct Entry {
    key: Key,
    title: Cow<'static, str>,
    billable: bool,
}

/// A code without its dot, upper-case, padded with zero bytes: codes are at
/// most seven characters without the dot.
type Key = [u8; 8];

/// The full code set, sorted by the code without its dot. It borrows the
/// compiled-in text, so building it is one pass over the lines with no
/// allocation per row; it is built on the first lookup only.
static ALL: LazyLock<Vec<Entry>> = LazyLock::new(|| {
    let mut entries = parse_all(ALL_FILE, ALL_CSV);
    // The file is in CMS order, sorted but for a few blocks (C4A before
    // C44): a stable sort merges its runs in about one pass, and keys
    // compared as integers need no memcmp.
    entries.sort_by_key(|e| order(&e.key));
    entries
});

/// A key as an integer that orders as the key's bytes do.
fn order(key: &Key) -> u64 {
    u64::from_be_bytes(*key)
}

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
    lookup(code).map(|e| e.title.as_ref())
}

/// True when `code` is a valid billable ICD-10-CM FY2026 code (a leaf, not a
/// category or subcategory header). Dot and case as for [`icd10_title`].
pub fn icd10_is_billable(code: &str) -> bool {
    lookup(code).is_some_and(|e| e.billable)
}

/// The dermatology subset as (code with its dot, title), in file order, for
/// completion. It holds headers as well as billable codes.
pub fn icd10_derm() -> impl Iterator<Item = (&'static str, &'static str)> {
    let derm: &'static Vec<(String, String)> = &DERM;
    derm.iter().map(|(c, t)| (c.as_str(), t.as_str()))
}

fn lookup(code: &str) -> Option<&'static Entry> {
    let key = key(code)?;
    let all: &'static Vec<Entry> = &ALL;
    let i = all
        .binary_search_by_key(&order(&key), |e| order(&e.key))
        .ok()?;
    Some(&all[i])
}

/// The key of `code` (trimmed), or `None` when it is empty or too long to be
/// a code.
fn key(code: &str) -> Option<Key> {
    let mut key = [0u8; 8];
    let mut len = 0;
    for b in code.trim().bytes().filter(|&b| b != b'.') {
        if b == 0 {
            return None;
        }
        *key.get_mut(len)? = b.to_ascii_uppercase();
        len += 1;
    }
    (len > 0).then_some(key)
}

/// Reads the full code set (`code,billable_leaf,description`) line by line,
/// borrowing each code and title from the text. Malformed built-in data
/// panics with the file and line (the table test keeps it well formed).
/// The lines are found with memchr and split by hand: this runs once, on
/// 47,000 lines, before the first lookup.
fn parse_all(file: &'static str, text: &'static str) -> Vec<Entry> {
    let mut lines = lines_of(text).enumerate();
    let header = lines.next().map(|(_, l)| l);
    assert_eq!(
        header,
        Some("code,billable_leaf,description"),
        "{file}:1: unexpected header"
    );
    let mut entries = Vec::with_capacity(memchr::memchr_iter(b'\n', text.as_bytes()).count());
    for (n, l) in lines {
        if l.trim().is_empty() {
            continue;
        }
        let line = n + 1;
        // A code holds no comma, and the flag is one letter.
        let (code, rest) = match l.bytes().position(|b| b == b',') {
            Some(i) => (&l[..i], &l[i + 1..]),
            None => (l, ""),
        };
        let (billable, title) = match rest.as_bytes() {
            [flag, b',', ..] => (*flag, &rest[2..]),
            _ => (0, ""),
        };
        let billable = match billable {
            b'Y' => true,
            b'N' => false,
            _ => {
                let other = rest.split_once(',').map_or(rest, |(b, _)| b);
                panic!("{file}:{line}: billable_leaf must be Y or N, found \"{other}\"")
            }
        };
        let title = unquote(title);
        assert!(
            !code.is_empty() && !title.is_empty(),
            "{file}:{line}: expected code, billable_leaf and description"
        );
        entries.push(Entry {
            key: key(code).unwrap_or_else(|| panic!("{file}:{line}: not a code: {code}")),
            title,
            billable,
        });
    }
    entries
}

/// The lines of `text`, split at `\n` with any `\r` at their ends dropped,
/// found with memchr.
fn lines_of(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let (line, after) = match memchr::memchr(b'\n', rest.as_bytes()) {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, ""),
        };
        rest = after;
        Some(line.trim_end_matches('\r'))
    })
}

/// A CSV field as text: a quoted field loses its quotes, and `""` inside it
/// stands for one quote.
fn unquote(field: &'static str) -> Cow<'static, str> {
    match field.strip_prefix('"').and_then(|f| f.strip_suffix('"')) {
        Some(inner) if inner.contains('"') => Cow::Owned(inner.replace("\"\"", "\"")),
        Some(inner) => Cow::Borrowed(inner),
        None => Cow::Borrowed(field),
    }
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
