//! Every diagnostic code with its severity and title. Nothing else spells a
//! code string; `dermls explain CODE` and hover read the texts here.

/// A finding's severity; `Info` when a code has no rule of its own.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
    #[default]
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// One diagnostic code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    pub code: &'static str,
    pub severity: Severity,
    pub title: &'static str,
    /// What it checks, why it matters, and its source.
    pub doc: &'static str,
}

/// The rules of this file; `doc` and `payer` list their own.
const BASE: &[Rule] = &[
    Rule {
        code: "code/unknown-code",
        severity: Severity::Error,
        title: "Unknown or unreadable code in the Billing section",
        doc: "A CPT code or modifier dermls does not know or cannot read, or a Dx code that is not a valid (billable) ICD-10-CM FY2026 code. A claim with one is rejected before anyone reads it. Source: CMS ICD-10-CM FY2026 code set; the built-in CPT table (src/codes/data/cpt.csv).",
    },
    Rule {
        code: "note/parse",
        severity: Severity::Info,
        title: "Text the parser could not place",
        doc: "A field whose value could not be read where one was expected (an E/M without a code, an unknown payer, a Billing line with unreadable text). Shown, never fatal: the rest of the note is still analysed.",
    },
    Rule {
        code: "note/too-large",
        severity: Severity::Info,
        title: "Note too large to analyse",
        doc: "The document is larger than the language server's size limit (8 MiB), so it gets this one diagnostic instead of a full analysis. An encounter note is a few kilobytes; split a file this large into one file per patient or visit.",
    },
];

/// Every registered rule.
pub fn all() -> impl Iterator<Item = &'static Rule> {
    BASE.iter()
        .chain(super::code::RULES.iter())
        .chain(super::doc::RULES.iter())
        .chain(super::payer::RULES.iter())
}

/// The rule of a code.
pub fn rule(code: &str) -> Option<&'static Rule> {
    all().find(|r| r.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique() {
        let mut codes: Vec<&str> = all().map(|r| r.code).collect();
        codes.sort();
        let n = codes.len();
        codes.dedup();
        assert_eq!(codes.len(), n);
    }
}
