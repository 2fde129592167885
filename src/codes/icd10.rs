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

/// The full code set, by first character. Where each character's lines lie
/// is found by galloping over the text (see [`Chapters::new`]); the entries
/// of a character are parsed on the first lookup of a code that begins with
/// it. Notes name few chapters (dermatology's L, C and D most), so most of
/// the 47,000 lines are never parsed, nor even read.
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
    /// Byte ranges of the text holding them.
    ranges: Vec<(usize, usize)>,
    /// Their entries, sorted by key: parsed on first use.
    entries: OnceLock<Vec<Entry>>,
}

/// The place in [`Chapters::by_first`] of lines that start with no ASCII
/// letter or digit.
const OTHER: usize = 256;

impl Chapters {
    /// Finds the runs of lines that share a first character. The built-in
    /// file is grouped by chapter (one run per character, in CMS order), so
    /// the end of each run is found by galloping: lines ever further ahead
    /// are probed until one begins with another character, then the step
    /// back to the run's end is a binary search. That reads a few hundred
    /// lines of the 47,000. A line skipped over is taken to be in the run it
    /// lies in; `runs_match_a_scan_of_every_line` checks that this gives
    /// the runs a scan of every line gives.
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
        while start < bytes.len() {
            let first = chapter_of(bytes, start);
            let end = run_end(bytes, start, first);
            by_first[first].ranges.push((start, end));
            start = end;
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
            for &(start, end) in &chapter.ranges {
                parse_lines(self.file, self.text, start, end, &mut entries);
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

/// The place in [`Chapters::by_first`] of the line that starts at `start`.
fn chapter_of(bytes: &[u8], start: usize) -> usize {
    match bytes[start] {
        b if b.is_ascii_alphanumeric() => usize::from(b.to_ascii_uppercase()),
        _ => OTHER,
    }
}

/// The start of the first line at or after `at` (`bytes.len()` when there is
/// none).
fn line_start_from(bytes: &[u8], at: usize) -> usize {
    if at == 0 || at >= bytes.len() || bytes[at - 1] == b'\n' {
        return at.min(bytes.len());
    }
    memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |i| at + i + 1)
}

/// The end of the run of lines of chapter `first` that starts with the
/// line at `start`, taking the lines of a chapter to be contiguous: the
/// start of the first line of another chapter, or the end of the text.
fn run_end(bytes: &[u8], start: usize, first: usize) -> usize {
    // `lo` starts a line of the chapter; `hi` starts a line of another
    // one, or is the end of the text.
    let mut lo = start;
    let mut step = 4096;
    let mut hi = loop {
        let probe = line_start_from(bytes, lo + step);
        if probe >= bytes.len() || chapter_of(bytes, probe) != first {
            break probe;
        }
        lo = probe;
        step *= 2;
    };
    loop {
        let next = line_start_from(bytes, lo + 1);
        if next >= hi {
            return hi;
        }
        // Probe the middle when a line starts there; otherwise the lines
        // between are few, and the next one is probed.
        let mid = line_start_from(bytes, lo + (hi - lo) / 2);
        let probe = if mid < hi && mid > lo { mid } else { next };
        if chapter_of(bytes, probe) == first {
            lo = probe;
        } else {
            hi = probe;
        }
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
    // Most codes are ASCII letters, digits and a dot, and short enough to
    // fit: nothing to trim, nothing to check but the bytes themselves.
    let b = code.as_bytes();
    if b.len() <= 8 && b.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'.') {
        for &c in b {
            if c != b'.' {
                key[len] = c.to_ascii_uppercase();
                len += 1;
            }
        }
        return (len > 0).then_some(key);
    }
    for b in code.trim().bytes().filter(|&b| b != b'.') {
        if b == 0 {
            return None;
        }
        *key.get_mut(len)? = b.to_ascii_uppercase();
        len += 1;
    }
    (len > 0).then_some(key)
}

/// Reads the lines of the full code set (`code,billable_leaf,description`)
/// between byte offsets `start` and `end` of `whole`, which start lines and
/// leave out the header, into `entries`, borrowing each code and title from
/// the text. Malformed built-in data panics with the file and line (the
/// table test keeps it well formed); the line's number is counted only
/// then. The lines are found with memchr and split by hand.
fn parse_lines(
    file: &str,
    whole: &'static str,
    start: usize,
    end: usize,
    entries: &mut Vec<Entry>,
) {
    for l in lines_of(&whole[start..end]) {
        if l.trim().is_empty() {
            continue;
        }
        // Where the line starts in `whole`, for its number.
        let line = LineNumber(whole, l.as_ptr() as usize - whole.as_ptr() as usize);
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

/// The 1-based number of the line of a text that starts at a byte offset,
/// counted when displayed (only in a panic message).
struct LineNumber<'a>(&'a str, usize);

impl std::fmt::Display for LineNumber<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = 1 + memchr::memchr_iter(b'\n', &self.0.as_bytes()[..self.1]).count();
        write!(f, "{n}")
    }
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

    /// The runs found by galloping are those a scan of every line finds:
    /// the built-in file keeps each chapter's lines together.
    #[test]
    fn runs_match_a_scan_of_every_line() {
        let bytes = ALL_CSV.as_bytes();
        let mut scanned: Vec<(usize, usize, usize)> = Vec::new();
        let mut start = ALL_CSV.find('\n').unwrap() + 1;
        while start < bytes.len() {
            let end = line_start_from(bytes, start + 1);
            let first = chapter_of(bytes, start);
            match scanned.last_mut() {
                Some(run) if run.0 == first => run.2 = end,
                _ => scanned.push((first, start, end)),
            }
            start = end;
        }
        let mut galloped: Vec<(usize, usize, usize)> = ALL
            .by_first
            .iter()
            .enumerate()
            .flat_map(|(first, c)| c.ranges.iter().map(move |&(s, e)| (first, s, e)))
            .collect();
        galloped.sort_by_key(|r| r.1);
        assert_eq!(galloped, scanned);
        // One run per chapter.
        assert!(ALL.by_first.iter().all(|c| c.ranges.len() <= 1));
    }

    /// Galloping finds every run of a text whose chapters are contiguous,
    /// whatever the lengths of its lines and runs.
    #[test]
    fn runs_of_made_up_texts() {
        let mut rng = crate::corpus::Rng(7);
        let mut below = |n: u64| (rng.next() % n) as usize;
        for _ in 0..300 {
            let mut text = String::new();
            let mut want = Vec::new();
            for first in ["A", "B", "\r", "C", "7"].iter().take(1 + below(5)) {
                let start = text.len();
                for _ in 0..below(400) + 1 {
                    text.push_str(first);
                    for _ in 0..below(120) {
                        text.push('x');
                    }
                    text.push('\n');
                }
                want.push((start, text.len()));
            }
            if below(2) == 0 {
                text.pop();
                want.last_mut().unwrap().1 = text.len();
            }
            let bytes = text.as_bytes();
            let mut got = Vec::new();
            let mut start = 0;
            while start < bytes.len() {
                let end = run_end(bytes, start, chapter_of(bytes, start));
                got.push((start, end));
                start = end;
            }
            assert_eq!(got, want);
        }
    }

    /// The key as built before its ASCII fast path.
    fn reference_key(code: &str) -> Option<Key> {
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

    proptest::proptest! {
        #[test]
        fn keys_agree_with_the_reference(code in "[ .0-9A-Za-z\u{a0}\0é]{0,11}") {
            proptest::prop_assert_eq!(key(&code), reference_key(&code));
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
        let body = ALL_CSV.find('\n').unwrap() + 1;
        let mut whole = Vec::new();
        parse_lines(ALL_FILE, ALL_CSV, body, ALL_CSV.len(), &mut whole);
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
