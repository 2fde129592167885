//! Loaders for the CMS files a user downloads: the PPRRVU relative value
//! file, the NCCI practitioner PTP edits and the practitioner MUE table.
//!
//! Each loader takes the file's text (the caller does the IO) and a name for
//! error messages. It tolerates a preamble, a header split over several lines,
//! quoted fields, CRLF and comma or tab separators, and finds the header row by
//! its column names. After the header, a row it cannot read is an error naming
//! the file and line; nothing is skipped silently except blank lines and the
//! continuation lines of a header block.

use super::csv::{LoadError, ReadError, Reader, Record, required};
use super::table::{Global, NcciPair};

/// How many records from the top of a file are searched for the header row.
const HEADER_SEARCH_LIMIT: usize = 200;
/// How many lines above the last header line a split header may span.
const HEADER_DEPTH: usize = 5;

/// The rows of a CMS PPRRVU file that the table uses.
#[derive(Clone, Debug, PartialEq)]
pub struct CmsRvu {
    /// The payment year, read from the file's title line (`None` when the
    /// file has no recognisable title).
    pub year: Option<u16>,
    /// One row per code; modifier rows (26, TC, 53…) are left out.
    pub rows: Vec<CmsRvuRow>,
}

/// One global (unmodified) row of a PPRRVU file.
#[derive(Clone, Debug, PartialEq)]
pub struct CmsRvuRow {
    /// HCPCS/CPT code.
    pub code: String,
    /// Work RVU.
    pub work_rvu: f64,
    /// Non-facility total RVU.
    pub nonfac_total_rvu: f64,
    /// Facility total RVU.
    pub fac_total_rvu: f64,
    /// Global surgical period (`GLOB DAYS`).
    pub global: Global,
}

/// Parses a CMS PPRRVU relative value file (CSV as CMS publishes it, or
/// tab-separated): the header row is found by the columns HCPCS, MOD, WORK
/// RVU, NON-FACILITY TOTAL, FACILITY TOTAL and GLOB DAYS (CMS splits it over
/// several lines; the words are joined per column), rows with a modifier are
/// skipped, and the year comes from the title line.
pub fn parse_cms_rvu(file: &str, text: &str) -> Result<CmsRvu, LoadError> {
    const COLUMNS: &[Column] = &[
        Column::new("HCPCS", |k| matches!(k, "HCPCS" | "HCPCSCODE")),
        Column::new("MOD", |k| matches!(k, "MOD" | "MODIFIER")),
        Column::new("WORK RVU", |k| matches!(k, "WORKRVU" | "WORKRVUS")),
        Column::new("NON-FACILITY TOTAL", |k| {
            matches!(k, "NONFACILITYTOTAL" | "NONFACTOTAL")
        }),
        Column::new("FACILITY TOTAL", |k| {
            matches!(k, "FACILITYTOTAL" | "FACTOTAL")
        }),
        Column::new("GLOB DAYS", |k| matches!(k, "GLOBDAYS" | "GLOBALDAYS")),
    ];
    let table = Table::find(file, text, COLUMNS, &[0])?;
    let year = title_year(&table.preamble);
    let [code_col, mod_col, work_col, nonfac_col, fac_col, glob_col] = table.columns[..] else {
        unreachable!("one column index per column spec")
    };
    let mut rows = Vec::new();
    for rec in table.rows() {
        let rec = rec?;
        if !rec.get(mod_col).trim().is_empty() {
            continue;
        }
        rows.push(CmsRvuRow {
            code: code(file, &rec, code_col, "HCPCS")?,
            work_rvu: decimal(file, &rec, work_col, "WORK RVU")?,
            nonfac_total_rvu: decimal(file, &rec, nonfac_col, "NON-FACILITY TOTAL")?,
            fac_total_rvu: decimal(file, &rec, fac_col, "FACILITY TOTAL")?,
            global: Global::parse(required(file, &rec, glob_col, "GLOB DAYS")?),
        });
    }
    Ok(CmsRvu { year, rows })
}

/// Parses a CMS NCCI practitioner PTP file (`ccipra-v32XrY-fN`, text with
/// tabs or a spreadsheet saved as CSV). Header by column names (Column 1,
/// Column 2, Deletion Date…, Modifier…), also when CMS spreads it over
/// several lines. A deletion date other than `*` or blank is kept in
/// [`NcciPair::deletion_date`]; such pairs are inactive. The source of each
/// pair is `file`.
pub fn parse_ncci_ptp(file: &str, text: &str) -> Result<Vec<NcciPair>, LoadError> {
    const COLUMNS: &[Column] = &[
        Column::new("Column 1", |k| k == "COLUMN1"),
        Column::new("Column 2", |k| k == "COLUMN2"),
        Column::new("Deletion Date", |k| k.starts_with("DELETION")),
        Column::new("Modifier", |k| k.starts_with("MODIFIER")),
    ];
    let table = Table::find(file, text, COLUMNS, &[0, 1])?;
    let [col1, col2, deletion_col, modifier_col] = table.columns[..] else {
        unreachable!("one column index per column spec")
    };
    let source = format!("CMS NCCI practitioner PTP file {file}");
    let mut pairs = Vec::new();
    for rec in table.rows() {
        let rec = rec?;
        let column1 = code(file, &rec, col1, "Column 1")?;
        let column2 = code(file, &rec, col2, "Column 2")?;
        let modifier_indicator = match required(file, &rec, modifier_col, "Modifier")? {
            "0" => 0,
            "1" => 1,
            "9" => 9,
            other => {
                return Err(LoadError::new(
                    file,
                    rec.line,
                    format!("Modifier must be 0, 1 or 9, found \"{other}\""),
                ));
            }
        };
        let deletion = rec.get(deletion_col).trim();
        let deletion_date = (!deletion.is_empty() && deletion != "*").then(|| deletion.to_string());
        pairs.push(NcciPair {
            column1,
            column2,
            modifier_indicator,
            deletion_date,
            source: source.clone(),
        });
    }
    Ok(pairs)
}

/// Parses a CMS practitioner MUE table (`MCR_MUE_PractitionerServices_…csv`):
/// header by column names (`HCPCS/CPT Code`, `Practitioner Services MUE
/// Values`), returning (code, units per day) in file order.
pub fn parse_mue(file: &str, text: &str) -> Result<Vec<(String, u32)>, LoadError> {
    const COLUMNS: &[Column] = &[
        Column::new("HCPCS/CPT Code", |k| k.contains("HCPCS") || k == "CPTCODE"),
        Column::new("MUE Values", |k| k.contains("MUEVALUE")),
    ];
    let table = Table::find(file, text, COLUMNS, &[0])?;
    let [code_col, value_col] = table.columns[..] else {
        unreachable!("one column index per column spec")
    };
    let mut mues = Vec::new();
    for rec in table.rows() {
        let rec = rec?;
        let code = code(file, &rec, code_col, "HCPCS/CPT Code")?;
        let value = required(file, &rec, value_col, "MUE value")?;
        let units = value.parse().map_err(|_| {
            LoadError::new(
                file,
                rec.line,
                format!("MUE value is not a whole number: \"{value}\""),
            )
        })?;
        mues.push((code, units));
    }
    Ok(mues)
}

/// A column the header must have: its name (for messages) and a test on the
/// column's key (its header words upper-cased, letters and digits only).
struct Column {
    name: &'static str,
    matches: fn(&str) -> bool,
}

impl Column {
    const fn new(name: &'static str, matches: fn(&str) -> bool) -> Column {
        Column { name, matches }
    }
}

/// A file whose header row was found: the column index of each [`Column`],
/// the records above the header, and the reader positioned after it.
struct Table<'a> {
    file: &'a str,
    columns: Vec<usize>,
    preamble: Vec<Record>,
    reader: Reader<'a>,
    /// The columns that hold codes: rows right after the header with these
    /// all empty are continuation lines of the header block.
    code_columns: &'a [usize],
}

impl<'a> Table<'a> {
    /// Finds the header row (comma-separated first, then tab-separated).
    fn find(
        file: &'a str,
        text: &'a str,
        columns: &[Column],
        code_columns: &'a [usize],
    ) -> Result<Table<'a>, LoadError> {
        for delimiter in [',', '\t'] {
            let mut reader = Reader::new(text, delimiter);
            let mut seen: Vec<Record> = Vec::new();
            while seen.len() < HEADER_SEARCH_LIMIT {
                let Some(Ok(rec)) = reader.next() else {
                    break;
                };
                seen.push(rec);
                if let Some(found) = match_header(&seen, columns) {
                    seen.pop();
                    return Ok(Table {
                        file,
                        columns: found,
                        preamble: seen,
                        reader,
                        code_columns,
                    });
                }
            }
        }
        let names: Vec<&str> = columns.iter().map(|c| c.name).collect();
        Err(LoadError::new(
            file,
            1,
            format!(
                "no header row found (expected the columns {})",
                names.join(", ")
            ),
        ))
    }

    /// The data rows: blank rows and header continuation lines are skipped,
    /// a read error or a row too short for the columns is an error. A
    /// continuation line comes before the first data row, has its code cells
    /// empty and holds no number (CMS PTP files put `Date`, `*=no data`,
    /// `0=not allowed`… under the first header line).
    fn rows(self) -> impl Iterator<Item = Result<Record, LoadError>> + 'a {
        let Table {
            file,
            columns,
            reader,
            code_columns,
            ..
        } = self;
        let code_indices: Vec<usize> = code_columns.iter().map(|&i| columns[i]).collect();
        let needed = columns.iter().max().map_or(0, |m| m + 1);
        let mut continuation_lines = 0;
        let mut in_header = true;
        reader.filter_map(move |rec| {
            let rec = match rec {
                Ok(rec) => rec,
                Err(ReadError { line, message }) => {
                    return Some(Err(LoadError::new(file, line, message)));
                }
            };
            if rec.is_blank() {
                return None;
            }
            if in_header
                && continuation_lines < HEADER_DEPTH
                && code_indices.iter().all(|&i| rec.get(i).trim().is_empty())
                && rec.fields.iter().all(|f| f.trim().parse::<f64>().is_err())
            {
                continuation_lines += 1;
                return None;
            }
            in_header = false;
            if rec.fields.len() < needed {
                return Some(Err(LoadError::new(
                    file,
                    rec.line,
                    format!(
                        "expected at least {needed} fields, found {}",
                        rec.fields.len()
                    ),
                )));
            }
            Some(Ok(rec))
        })
    }
}

/// If the last record of `seen` ends a header block holding every column,
/// the index of each column. A column's name is read bottom-up: its cell on
/// the last line, then that cell with the ones above it joined in (up to
/// [`HEADER_DEPTH`] lines), so `WORK` over `RVU` is `WORK RVU`.
fn match_header(seen: &[Record], columns: &[Column]) -> Option<Vec<usize>> {
    let window = &seen[seen.len().saturating_sub(HEADER_DEPTH + 1)..];
    let width = window.iter().map(|r| r.fields.len()).max().unwrap_or(0);
    let mut found: Vec<usize> = Vec::with_capacity(columns.len());
    for column in columns {
        let index = (0..window.len()).find_map(|depth| {
            let lines = &window[window.len() - 1 - depth..];
            (0..width).find(|i| {
                !found.contains(i) && {
                    let key: String = lines.iter().map(|r| key(r.get(*i))).collect();
                    !key.is_empty() && (column.matches)(&key)
                }
            })
        })?;
        found.push(index);
    }
    Some(found)
}

/// A header cell's key: upper-case letters and digits only
/// (`"HCPCS/\nCPT Code"` → `"HCPCSCPTCODE"`).
fn key(cell: &str) -> String {
    cell.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The year in the title line of a preamble: the first line that names the
/// fee schedule or relative value file, else the first non-blank line.
fn title_year(preamble: &[Record]) -> Option<u16> {
    let lines: Vec<String> = preamble
        .iter()
        .filter(|r| !r.is_blank())
        .map(|r| r.fields.join(" "))
        .collect();
    let title = lines
        .iter()
        .find(|l| {
            let upper = l.to_ascii_uppercase();
            upper.contains("FEE SCHEDULE") || upper.contains("RELATIVE VALUE")
        })
        .or(lines.first())?;
    title
        .split(|c: char| !c.is_ascii_digit())
        .filter(|w| w.len() == 4)
        .filter_map(|w| w.parse::<u16>().ok())
        .find(|y| (1990..=2099).contains(y))
}

/// A HCPCS/CPT code: five letters or digits, upper-cased.
fn code(file: &str, rec: &Record, index: usize, name: &str) -> Result<String, LoadError> {
    let value = required(file, rec, index, name)?;
    if value.len() != 5 || !value.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(LoadError::new(
            file,
            rec.line,
            format!("{name} is not a 5-character HCPCS/CPT code: \"{value}\""),
        ));
    }
    Ok(value.to_ascii_uppercase())
}

fn decimal(file: &str, rec: &Record, index: usize, name: &str) -> Result<f64, LoadError> {
    let value = required(file, rec, index, name)?;
    value
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| {
            LoadError::new(
                file,
                rec.line,
                format!("{name} is not a number: \"{value}\""),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const RVU_SAMPLE: &str =
        include_str!("../../tests/fixtures/cms/PPRRVU2025_Oct_derm_no_descriptors.csv");
    const PTP_SAMPLE: &str = include_str!("../../tests/fixtures/cms/ccipra-sample.txt");
    const MUE_SAMPLE: &str = include_str!("../../tests/fixtures/cms/mue-practitioner-sample.csv");

    fn err(result: Result<impl std::fmt::Debug, LoadError>) -> String {
        result.unwrap_err().to_string()
    }

    #[test]
    fn rvu_sample_reads_every_global_row() {
        let rvu = parse_cms_rvu("PPRRVU2025_Oct.csv", RVU_SAMPLE).unwrap();
        assert_eq!(rvu.year, Some(2025));
        // 163 rows less the 26 and TC rows of 88305, 88331 and 88332.
        assert_eq!(rvu.rows.len(), 157);
        assert_eq!(
            rvu.rows[0],
            CmsRvuRow {
                code: "10060".to_string(),
                work_rvu: 1.22,
                nonfac_total_rvu: 3.84,
                fac_total_rvu: 3.24,
                global: Global::Days10,
            }
        );
        let r88305: Vec<&CmsRvuRow> = rvu.rows.iter().filter(|r| r.code == "88305").collect();
        assert_eq!(r88305.len(), 1);
        assert_eq!(
            (
                r88305[0].work_rvu,
                r88305[0].nonfac_total_rvu,
                r88305[0].fac_total_rvu
            ),
            (0.75, 2.15, 2.15)
        );
        assert_eq!(r88305[0].global, Global::Xxx);
        let g2211 = rvu.rows.last().unwrap();
        assert_eq!(g2211.code, "G2211");
        assert_eq!(g2211.global, Global::Zzz);
    }

    #[test]
    fn rvu_sample_matches_the_builtin_2025_rows() {
        let rvu = parse_cms_rvu("PPRRVU2025_Oct.csv", RVU_SAMPLE).unwrap();
        let table = crate::codes::CodeTable::builtin();
        for row in &rvu.rows {
            let builtin = table.get(&row.code).unwrap();
            assert_eq!(builtin.global, row.global, "{}", row.code);
            if builtin.work_year == 2025 {
                assert_eq!(builtin.work_rvu, row.work_rvu, "{}", row.code);
            }
            if builtin.total_year == 2025 {
                assert_eq!(
                    builtin.nonfac_total_rvu, row.nonfac_total_rvu,
                    "{}",
                    row.code
                );
                assert_eq!(builtin.fac_total_rvu, row.fac_total_rvu, "{}", row.code);
            }
        }
        assert_eq!(rvu.rows.len(), table.rows().count());
    }

    #[test]
    fn rvu_tab_separated_single_line_header() {
        let text = "2026 National Physician Fee Schedule Relative Value File January Release\n\
                    HCPCS\tMOD\tWORK RVU\tNON-FACILITY TOTAL\tFACILITY TOTAL\tGLOB DAYS\n\
                    11102\t\t0.64\t2.86\t1.10\t000\n\
                    88305\t26\t0.75\t1.08\t1.08\tXXX\n";
        let rvu = parse_cms_rvu("rvu.txt", text).unwrap();
        assert_eq!(rvu.year, Some(2026));
        assert_eq!(
            rvu.rows,
            vec![CmsRvuRow {
                code: "11102".to_string(),
                work_rvu: 0.64,
                nonfac_total_rvu: 2.86,
                fac_total_rvu: 1.10,
                global: Global::Days0,
            }]
        );
    }

    #[test]
    fn rvu_without_title_has_no_year() {
        let text = "HCPCS,MOD,WORK RVU,NON-FACILITY TOTAL,FACILITY TOTAL,GLOB DAYS\n17000,,0.61,2.05,1.66,010\n";
        let rvu = parse_cms_rvu("rvu.csv", text).unwrap();
        assert_eq!(rvu.year, None);
        assert_eq!(rvu.rows.len(), 1);
    }

    #[test]
    fn rvu_errors_name_file_and_line() {
        let header = "HCPCS,MOD,WORK RVU,NON-FACILITY TOTAL,FACILITY TOTAL,GLOB DAYS\r\n";
        assert_eq!(
            err(parse_cms_rvu(
                "rvu.csv",
                &format!("title\r\n{header}17000,,0.61,abc,1.66,010\r\n")
            )),
            "rvu.csv:3: NON-FACILITY TOTAL is not a number: \"abc\""
        );
        assert_eq!(
            err(parse_cms_rvu(
                "rvu.csv",
                &format!("{header}17000,,0.61,2.05\r\n")
            )),
            "rvu.csv:2: expected at least 6 fields, found 4"
        );
        assert_eq!(
            err(parse_cms_rvu(
                "rvu.csv",
                &format!("{header}17000,,0.61,2.05,1.66,010\r\nEnd of file,,,,,\r\n")
            )),
            "rvu.csv:3: HCPCS is not a 5-character HCPCS/CPT code: \"End of file\""
        );
        assert_eq!(
            err(parse_cms_rvu(
                "rvu.csv",
                &format!("{header}17000,,0.61,2.05,1.66,010\r\n,,1.0,2.0,3.0,000\r\n")
            )),
            "rvu.csv:3: HCPCS is empty"
        );
        assert_eq!(
            err(parse_cms_rvu(
                "rvu.csv",
                &format!("{header}17000,,,2.05,1.66,010\r\n")
            )),
            "rvu.csv:2: WORK RVU is empty"
        );
        assert_eq!(
            err(parse_cms_rvu(
                "rvu.csv",
                &format!("{header}\"17000,,0.61,2.05,1.66,010\r\n")
            )),
            "rvu.csv:2: unterminated quoted field"
        );
        assert_eq!(
            err(parse_cms_rvu(
                "rvu.csv",
                "HCPCS,MOD,WORK RVU,FACILITY TOTAL\n17000,,1,1\n"
            )),
            "rvu.csv:1: no header row found (expected the columns HCPCS, MOD, WORK RVU, \
             NON-FACILITY TOTAL, FACILITY TOTAL, GLOB DAYS)"
        );
        assert_eq!(
            err(parse_cms_rvu("empty.csv", "")),
            "empty.csv:1: no header row found (expected the columns HCPCS, MOD, WORK RVU, \
             NON-FACILITY TOTAL, FACILITY TOTAL, GLOB DAYS)"
        );
    }

    #[test]
    fn ptp_sample_with_split_header() {
        let pairs = parse_ncci_ptp("ccipra-sample.txt", PTP_SAMPLE).unwrap();
        let summary: Vec<(&str, &str, u8, Option<&str>)> = pairs
            .iter()
            .map(|p| {
                (
                    p.column1.as_str(),
                    p.column2.as_str(),
                    p.modifier_indicator,
                    p.deletion_date.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                ("11600", "11102", 1, None),
                ("17004", "17000", 0, None),
                ("17004", "17003", 0, None),
                ("17110", "11200", 1, None),
                ("12001", "12011", 1, Some("20191231")),
                ("99213", "99211", 9, None),
            ]
        );
        assert_eq!(
            pairs[0].source,
            "CMS NCCI practitioner PTP file ccipra-sample.txt"
        );
    }

    #[test]
    fn ptp_comma_separated_one_line_header() {
        let text = "\"CPT only copyright 2025 American Medical Association. All rights reserved.\"\n\
                    Column 1,Column 2,\"*=in existence prior to 1996\",Effective Date,Deletion Date *=no data,\
                    Modifier 0=not allowed 1=allowed 9=not applicable,PTP Edit Rationale\n\
                    11602,11104,,20190101,*,1,\"Standards of medical, surgical practice\"\n\
                    11602,12001,,20190101,,1,Standards\n";
        let pairs = parse_ncci_ptp("ptp.csv", text).unwrap();
        assert_eq!(pairs.len(), 2);
        assert_eq!(pairs[1].deletion_date, None);
        assert_eq!(pairs[1].column2, "12001");
    }

    #[test]
    fn ptp_loaded_pairs_replace_the_builtin_set() {
        let pairs = parse_ncci_ptp("ccipra-sample.txt", PTP_SAMPLE).unwrap();
        let table = crate::codes::CodeTable::builtin().with_cms(None, Some(&pairs), None);
        assert_eq!(
            table.ncci("17004", "17003").map(|p| p.modifier_indicator),
            Some(0)
        );
        assert_eq!(table.ncci("12001", "12011"), None);
        assert_eq!(table.ncci("17000", "99213"), None);
        assert_eq!(table.ncci_pairs().len(), 6);
    }

    #[test]
    fn ptp_errors_name_file_and_line() {
        let header = "Column 1\tColumn 2\t*=in existence prior to 1996\tEffective Date\t\
                      Deletion Date *=no data\tModifier 0=not allowed 1=allowed 9=not applicable\tPTP Edit Rationale\n";
        assert_eq!(
            err(parse_ncci_ptp(
                "ptp.txt",
                &format!("{header}17004\t17000\t\t19980401\t*\t7\tx\n")
            )),
            "ptp.txt:2: Modifier must be 0, 1 or 9, found \"7\""
        );
        assert_eq!(
            err(parse_ncci_ptp(
                "ptp.txt",
                &format!("{header}17004\t17000\t\t19980401\t*\t0\tx\nbad row\n")
            )),
            "ptp.txt:3: expected at least 6 fields, found 1"
        );
        assert_eq!(
            err(parse_ncci_ptp(
                "ptp.txt",
                &format!("{header}17004\t\t\t19980401\t*\t0\tx\n")
            )),
            "ptp.txt:2: Column 2 is empty"
        );
        assert_eq!(
            err(parse_ncci_ptp(
                "ptp.txt",
                &format!("{header}17004\t17000\t\t19980401\t*\t\tx\n")
            )),
            "ptp.txt:2: Modifier is empty"
        );
        assert_eq!(
            err(parse_ncci_ptp(
                "ptp.txt",
                "Column 1\tColumn 2\n17004\t17000\n"
            )),
            "ptp.txt:1: no header row found (expected the columns Column 1, Column 2, \
             Deletion Date, Modifier)"
        );
    }

    #[test]
    fn mue_sample_with_quoted_preamble_and_header() {
        let mues = parse_mue(
            "MCR_MUE_PractitionerServices_Eff_10-01-2026.csv",
            MUE_SAMPLE,
        )
        .unwrap();
        assert_eq!(
            mues,
            vec![
                ("11102".to_string(), 1),
                ("11103".to_string(), 6),
                ("17000".to_string(), 1),
                ("17003".to_string(), 13),
                ("17004".to_string(), 1),
                ("99213".to_string(), 2),
            ]
        );
    }

    #[test]
    fn mue_errors_name_file_and_line() {
        let header = "HCPCS/CPT Code,Practitioner Services MUE Values,MUE Adjudication Indicator,MUE Rationale\n";
        assert_eq!(
            err(parse_mue(
                "mue.csv",
                &format!("{header}17000,1,2 Date of Service Edit: Policy,x\n17003,thirteen,2,x\n")
            )),
            "mue.csv:3: MUE value is not a whole number: \"thirteen\""
        );
        assert_eq!(
            err(parse_mue("mue.csv", &format!("{header}17000,-1,2,x\n"))),
            "mue.csv:2: MUE value is not a whole number: \"-1\""
        );
        assert_eq!(
            err(parse_mue("mue.csv", &format!("{header}1700,1,2,x\n"))),
            "mue.csv:2: HCPCS/CPT Code is not a 5-character HCPCS/CPT code: \"1700\""
        );
        assert_eq!(
            err(parse_mue("mue.csv", "code,units\n17000,1\n")),
            "mue.csv:1: no header row found (expected the columns HCPCS/CPT Code, MUE Values)"
        );
    }

    #[test]
    fn loaded_mues_overlay_the_builtin_ones() {
        let mues = parse_mue("mue.csv", MUE_SAMPLE).unwrap();
        let table = crate::codes::CodeTable::builtin().with_cms(None, None, Some(&mues));
        assert_eq!(table.mue("11103"), Some(6));
        assert_eq!(table.mue("17003"), Some(13));
        assert_eq!(table.mue("12001"), Some(1));
    }

    #[test]
    fn header_keys_ignore_case_space_and_punctuation() {
        assert_eq!(key("HCPCS/\nCPT Code"), "HCPCSCPTCODE");
        assert_eq!(key(" Non-Facility "), "NONFACILITY");
    }
}
