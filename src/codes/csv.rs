//! A small CSV / TSV record reader and the error type every table loader
//! returns.
//!
//! It reads RFC 4180 style text: fields separated by one delimiter (comma or
//! tab), a field that starts with `"` is quoted (it may hold delimiters, line
//! breaks and `""` for a quote), line ends are LF or CRLF. A quote inside an
//! unquoted field is kept as an ordinary character, as CMS files need. Each
//! record remembers the 1-based line it starts on, so errors can name it.

use std::fmt;

/// A table row that could not be read: the file (as the caller named it), the
/// 1-based line and what is wrong.
///
/// Displayed as `{file}:{line}: {message}`, like a compiler error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    /// The file name the caller passed to the loader.
    pub file: String,
    /// The 1-based line where the offending row starts (1 when the whole file
    /// is at fault, e.g. no header row was found).
    pub line: usize,
    /// What is wrong, in plain words.
    pub message: String,
}

impl LoadError {
    pub(crate) fn new(file: &str, line: usize, message: impl Into<String>) -> LoadError {
        LoadError {
            file: file.to_string(),
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

impl std::error::Error for LoadError {}

/// One record: its fields and the line it starts on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Record {
    /// 1-based line of the record's first character.
    pub line: usize,
    pub fields: Vec<String>,
}

impl Record {
    /// The field at `index`, or "" when the row is shorter.
    pub fn get(&self, index: usize) -> &str {
        self.fields.get(index).map_or("", String::as_str)
    }

    /// True when every field is empty or whitespace (a blank line, or `,,,`).
    pub fn is_blank(&self) -> bool {
        self.fields.iter().all(|f| f.trim().is_empty())
    }
}

/// The field at `index` of `rec`, trimmed; an error naming the field
/// (`name`) and the record's line in `file` when it is empty.
pub(crate) fn required<'r>(
    file: &str,
    rec: &'r Record,
    index: usize,
    name: &str,
) -> Result<&'r str, LoadError> {
    let value = rec.get(index).trim();
    if value.is_empty() {
        return Err(LoadError::new(file, rec.line, format!("{name} is empty")));
    }
    Ok(value)
}

/// A record-level read failure: the line the record starts on and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ReadError {
    pub line: usize,
    pub message: String,
}

/// Iterates over the records of `text`.
pub(crate) struct Reader<'a> {
    rest: &'a str,
    line: usize,
    delimiter: char,
    /// How many fields the last record had: room for as many is made in
    /// the next one at once, as the records of a table have the same.
    width: usize,
}

impl<'a> Reader<'a> {
    /// A reader over `text` (a leading byte-order mark is skipped).
    pub fn new(text: &'a str, delimiter: char) -> Reader<'a> {
        Reader {
            rest: text.strip_prefix('\u{feff}').unwrap_or(text),
            line: 1,
            delimiter,
            width: 0,
        }
    }
}

impl Iterator for Reader<'_> {
    type Item = Result<Record, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        match u8::try_from(self.delimiter) {
            Ok(d) if d.is_ascii() && !matches!(d, b'"' | b'\r' | b'\n') => {
                Some(self.next_by_runs(d))
            }
            _ => Some(self.next_by_chars()),
        }
    }
}

impl<'a> Reader<'a> {
    /// The next record, read a run of ordinary text at a time: `memchr3`
    /// finds the next delimiter, line end or quote, and the text before it
    /// joins the field at once. Every byte it stops at is ASCII, so each
    /// run ends on a character boundary. It reads what
    /// [`Reader::next_by_chars`] reads, for an ASCII delimiter other than a
    /// quote or a line end.
    fn next_by_runs(&mut self, delimiter: u8) -> Result<Record, ReadError> {
        let start_line = self.line;
        let text = self.rest;
        let b = text.as_bytes();
        let mut fields = Vec::with_capacity(self.width);
        let mut field = String::new();
        let mut in_quotes = false;
        let mut at_field_start = true;
        let mut consumed = b.len();
        let mut i = 0;
        while i < b.len() {
            if in_quotes {
                let Some(j) = memchr::memchr3(b'"', b'\r', b'\n', &b[i..]).map(|j| i + j) else {
                    field.push_str(&text[i..]);
                    break;
                };
                field.push_str(&text[i..j]);
                i = j + 1;
                match (b[j], b.get(j + 1)) {
                    (b'"', Some(b'"')) => {
                        field.push('"');
                        i += 1;
                    }
                    (b'"', _) => in_quotes = false,
                    (b'\r', Some(b'\n')) => {}
                    (b'\n', _) => {
                        self.line += 1;
                        field.push('\n');
                    }
                    _ => field.push('\r'),
                }
                continue;
            }
            if at_field_start && b[i] == b'"' {
                in_quotes = true;
                at_field_start = false;
                i += 1;
                continue;
            }
            let Some(j) = memchr::memchr3(delimiter, b'\r', b'\n', &b[i..]).map(|j| i + j) else {
                field.push_str(&text[i..]);
                break;
            };
            if j > i {
                // Most fields are one run: copied into a string of their
                // size, rather than pushed into an empty one that grows.
                if field.is_empty() {
                    field = text[i..j].to_string();
                } else {
                    field.push_str(&text[i..j]);
                }
                at_field_start = false;
            }
            i = j + 1;
            match (b[j], b.get(j + 1)) {
                (b'\n', _) => {
                    self.line += 1;
                    consumed = j + 1;
                    break;
                }
                (b'\r', Some(b'\n')) => {}
                (b'\r', _) => {
                    field.push('\r');
                    at_field_start = false;
                }
                _ => {
                    fields.push(std::mem::take(&mut field));
                    at_field_start = true;
                }
            }
        }
        self.finish(text, consumed, in_quotes, start_line, fields, field)
    }

    /// The next record, read a character at a time: for any delimiter.
    fn next_by_chars(&mut self) -> Result<Record, ReadError> {
        let start_line = self.line;
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut in_quotes = false;
        let mut at_field_start = true;
        let text = self.rest;
        let mut chars = text.char_indices().peekable();
        let mut consumed = text.len();
        while let Some((i, c)) = chars.next() {
            if in_quotes {
                match c {
                    '"' if chars.peek().map(|&(_, n)| n) == Some('"') => {
                        chars.next();
                        field.push('"');
                    }
                    '"' => in_quotes = false,
                    '\r' if chars.peek().map(|&(_, n)| n) == Some('\n') => {}
                    '\n' => {
                        self.line += 1;
                        field.push('\n');
                    }
                    _ => field.push(c),
                }
                continue;
            }
            match c {
                '"' if at_field_start => {
                    in_quotes = true;
                    at_field_start = false;
                }
                '\n' => {
                    self.line += 1;
                    consumed = i + 1;
                    break;
                }
                '\r' if chars.peek().map(|&(_, n)| n) == Some('\n') => {}
                c if c == self.delimiter => {
                    fields.push(std::mem::take(&mut field));
                    at_field_start = true;
                }
                _ => {
                    field.push(c);
                    at_field_start = false;
                }
            }
        }
        self.finish(text, consumed, in_quotes, start_line, fields, field)
    }

    /// Ends a record read from `text`: `consumed` bytes of it are used up,
    /// and `field` is its last field.
    fn finish(
        &mut self,
        text: &'a str,
        consumed: usize,
        in_quotes: bool,
        start_line: usize,
        mut fields: Vec<String>,
        field: String,
    ) -> Result<Record, ReadError> {
        self.rest = &text[consumed..];
        if in_quotes {
            self.rest = "";
            return Err(ReadError {
                line: start_line,
                message: "unterminated quoted field".to_string(),
            });
        }
        fields.push(field);
        self.width = fields.len();
        Ok(Record {
            line: start_line,
            fields,
        })
    }
}

/// Reads all records of built-in, comma-separated data; a read error panics
/// (the built-in tables are validated by tests, so this never happens).
pub(crate) fn builtin_records(file: &str, text: &str) -> Vec<Record> {
    Reader::new(text, ',')
        .map(|r| r.unwrap_or_else(|e| panic!("{}", LoadError::new(file, e.line, e.message))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, delimiter: char) -> Vec<Result<Record, ReadError>> {
        Reader::new(text, delimiter).collect()
    }

    fn fields(text: &str, delimiter: char) -> Vec<Vec<String>> {
        read(text, delimiter)
            .into_iter()
            .map(|r| r.unwrap().fields)
            .collect()
    }

    #[test]
    fn plain_rows_with_lf_and_crlf() {
        assert_eq!(
            fields("a,b\r\nc,d\n", ','),
            vec![vec!["a", "b"], vec!["c", "d"]]
        );
        assert_eq!(fields("a,b", ','), vec![vec!["a", "b"]]);
    }

    #[test]
    fn empty_text_has_no_records() {
        assert!(read("", ',').is_empty());
        assert!(read("\u{feff}", ',').is_empty());
    }

    #[test]
    fn quoted_fields_hold_delimiters_quotes_and_line_breaks() {
        let recs: Vec<Record> = read(
            "\"x, y\",\"say \"\"hi\"\"\"\n\"two\r\nlines\",z\nlast,1\n",
            ',',
        )
        .into_iter()
        .map(Result::unwrap)
        .collect();
        assert_eq!(recs[0].fields, vec!["x, y", "say \"hi\""]);
        assert_eq!(recs[0].line, 1);
        assert_eq!(recs[1].fields, vec!["two\nlines", "z"]);
        assert_eq!(recs[1].line, 2);
        assert_eq!(recs[2].fields, vec!["last", "1"]);
        assert_eq!(recs[2].line, 4);
    }

    #[test]
    fn a_quote_inside_an_unquoted_field_is_literal() {
        assert_eq!(fields("12\" wide,b\n", ','), vec![vec!["12\" wide", "b"]]);
    }

    #[test]
    fn tabs_split_and_commas_do_not() {
        assert_eq!(fields("a,b\tc\n", '\t'), vec![vec!["a,b", "c"]]);
    }

    #[test]
    fn blank_lines_are_blank_records() {
        let recs = read("a\n\n,,\n", ',');
        assert_eq!(recs.len(), 3);
        assert!(!recs[0].as_ref().unwrap().is_blank());
        assert!(recs[1].as_ref().unwrap().is_blank());
        assert!(recs[2].as_ref().unwrap().is_blank());
    }

    #[test]
    fn unterminated_quote_is_an_error_at_the_record_start() {
        let recs = read("a,b\n\"open,\nstill open\n", ',');
        assert_eq!(recs.len(), 2);
        assert_eq!(
            recs[1],
            Err(ReadError {
                line: 2,
                message: "unterminated quoted field".to_string()
            })
        );
    }

    /// Every record by runs, and by characters.
    fn both_ways(text: &str, delimiter: char) -> [Vec<Result<Record, ReadError>>; 2] {
        let mut runs = Reader::new(text, delimiter);
        let mut chars = Reader::new(text, delimiter);
        let d = u8::try_from(delimiter).unwrap();
        [
            std::iter::from_fn(|| (!runs.rest.is_empty()).then(|| runs.next_by_runs(d))).collect(),
            std::iter::from_fn(|| (!chars.rest.is_empty()).then(|| chars.next_by_chars()))
                .collect(),
        ]
    }

    #[test]
    fn runs_read_the_built_in_tables_as_characters_do() {
        for text in [
            include_str!("data/cpt.csv"),
            include_str!("data/ncci.csv"),
            include_str!("data/modifiers.csv"),
            include_str!("data/icd10cm_fy2026_derm.csv"),
        ] {
            let [runs, chars] = both_ways(text, ',');
            assert_eq!(runs, chars);
        }
    }

    proptest::proptest! {
        /// Quotes, delimiters and line ends of every kind, anywhere.
        #[test]
        fn runs_read_as_characters_do(text in "[ab,\t\"\r\né ]{0,24}") {
            for delimiter in [',', '\t'] {
                let [runs, chars] = both_ways(&text, delimiter);
                proptest::prop_assert_eq!(runs, chars);
            }
        }
    }

    #[test]
    fn load_error_displays_like_a_compiler() {
        let e = LoadError::new("f.csv", 7, "bad");
        assert_eq!(e.to_string(), "f.csv:7: bad");
    }
}
