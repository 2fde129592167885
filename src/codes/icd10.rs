//! ICD-10-CM FY2026 (April 1 2026 update): the full code set for validation
//! and titles, and the dermatology subset for completion.

use std::borrow::Cow;
use std::sync::{LazyLock, OnceLock};

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

/// The full code set, by first character. Finding where each character's
/// lines lie is one memchr pass over the text; the entries of a character
/// are parsed on the first lookup of a code that begins with it. Notes name
/// few chapters (dermatology's L, C and D most), so most of the 47,000 lines
/// are never parsed.
static ALL: LazyLock<Chapters> = LazyLock::new(|| Chapters::new(ALL_FILE, ALL_CSV));

/// The lines of the full code set, grouped by the first byte of their key.
struct Chapters {
    file: &'static str,
    text: &'static str,
    /// By the first byte of the key (an ASCII letter or digit, upper-case);
    /// the last is for lines that start with anything else, whose key may
    /// begin with any byte.
    by_first: Vec<Chapter>,
}

/// The lines whose keys begin with one byte.
#[derive(Default)]
struct Chapter {
    /// Byte ranges of the text holding them, each with the 1-based number
    /// of its first line.
    ranges: Vec<(usize, usize, usize)>,
    /// Their entries, sorted by key: parsed on first use.
    entries: OnceLock<Vec<Entry>>,
}

/// The place in [`Chapters::by_first`] of lines that start with no ASCII
/// letter or digit.
const OTHER: usize = 256;

impl Chapters {
    fn new(file: &'static str, text: &'static str) -> Chapters {
        let mut by_first: Vec<Chapter> = (0..=OTHER).map(|_| Chapter::default()).collect();
        let header = lines_of(text).next();
        assert_eq!(
            header,
            Some("code,billable_leaf,description"),
            "{file}:1: unexpected header"
        );
        let bytes = text.as_bytes();
        let mut start = memchr::memchr(b'\n', bytes).map_or(bytes.len(), |i| i + 1);
        let mut line = 2;
        // The chapter of the line before, to extend its last range.
        let mut last = None;
        while start < bytes.len() {
            let end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |i| start + i + 1);
            let first = match bytes[start] {
                b if b.is_ascii_alphanumeric() => usize::from(b.to_ascii_uppercase()),
                _ => OTHER,
            };
            let ranges = &mut by_first[first].ranges;
            match ranges.last_mut() {
                Some(range) if last == Some(first) => range.1 = end,
                _ => ranges.push((start, end, line)),
            }
            last = Some(first);
            start = end;
            line += 1;
        }
        Chapters {
            file,
            text,
            by_first,
        }
    }

    /// The entries of one chapter, parsed and sorted on first use.
    fn entries(&self, first: usize) -> &[Entry] {
        let chapter = &self.by_first[first];
        chapter.entries.get_or_init(|| {
            let mut entries = Vec::new();
            for &(start, end, line) in &chapter.ranges {
                parse_lines(self.file, &self.text[start..end], line, &mut entries);
            }
            // CMS order is sorted but for a few blocks (C4A before C44): a
            // stable sort merges its runs in about one pass, and keys
            // compared as integers need no memcmp.
            entries.sort_by_key(|e| order(&e.key));
            entries
        })
    }

    /// The entry of `key`: in its first byte's chapter, or among the lines
    /// that start with something else.
    fn get(&self, key: &Key) -> Option<&Entry> {
        [usize::from(key[0]), OTHER].into_iter().find_map(|first| {
            let entries = self.entries(first);
            let i = entries
                .binary_search_by_key(&order(key), |e| order(&e.key))
                .ok()?;
            Some(&entries[i])
        })
    }

    /// How many entries there are, every chapter parsed.
    #[cfg(test)]
    fn len(&self) -> usize {
        (0..=OTHER).map(|first| self.entries(first).len()).sum()
    }
}

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
    let all: &'static Chapters = &ALL;
    all.get(&key)
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

/// Reads lines of the full code set (`code,billable_leaf,description`,
/// the header left out) into `entries`, borrowing each code and title from
/// the text; `first_line` is the 1-based number of the first. Malformed
/// built-in data panics with the file and line (the table test keeps it
/// well formed). The lines are found with memchr and split by hand.
fn parse_lines(file: &str, text: &'static str, first_line: usize, entries: &mut Vec<Entry>) {
    for (n, l) in lines_of(text).enumerate() {
        if l.trim().is_empty() {
            continue;
        }
        let line = first_line + n;
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

    /// Every line of the full set is found by chapter as it is in the whole
    /// set parsed and sorted at once, and so are codes near them that are
    /// not in it.
    #[test]
    fn chapters_find_what_the_whole_set_finds() {
        let body = &ALL_CSV[ALL_CSV.find('\n').unwrap() + 1..];
        let mut whole = Vec::new();
        parse_lines(ALL_FILE, body, 2, &mut whole);
        whole.sort_by_key(|e| order(&e.key));
        let find = |key: &Key| {
            let i = whole
                .binary_search_by_key(&order(key), |e| order(&e.key))
                .ok()?;
            Some((whole[i].title.as_ref(), whole[i].billable))
        };
        let by_chapter = |key: &Key| ALL.get(key).map(|e| (e.title.as_ref(), e.billable));
        for e in &whole {
            assert_eq!(by_chapter(&e.key), find(&e.key));
            let mut near = e.key;
            let last = near.iter().rposition(|&b| b != 0).unwrap();
            near[last] = near[last].wrapping_add(1);
            assert_eq!(by_chapter(&near), find(&near));
        }
        for code in ["", "0", "a", "é", "L57.0", "U07.1", "Z99.89", ".L57", "~1"] {
            if let Some(key) = key(code) {
                assert_eq!(by_chapter(&key), find(&key), "{code}");
            }
        }
    }
}
