//! The `payer/*` rules: payer notes keyed off the encounter's payer (the
//! `Payer:` line, else the configured default).
//!
//! What each payer asks for is **data**, not code: `data/payer_rules.csv`
//! (compiled in, parsed once) has one row per payer rule with its code,
//! payer, scope (`applies_to`), threshold, severity, message, source and a
//! `verified` flag, so a practice can correct a rule without a release.
//! Each `payer_*.rs` file implements one code: it reads the rows of its code
//! that apply to the encounter's payer and raises one finding per match, with
//! the severity of the row (e.g. `payer/prior-auth` is a warning for UHC and
//! info for BCBS). The registry severity is the highest a code can have.
//!
//! `data/README.md` documents the columns.

#[path = "payer_cosmetic.rs"]
mod payer_cosmetic;
#[path = "payer_mohs_criteria.rs"]
mod payer_mohs_criteria;
#[path = "payer_path_report.rs"]
mod payer_path_report;
#[path = "payer_phototherapy_sessions.rs"]
mod payer_phototherapy_sessions;
#[path = "payer_prior_auth.rs"]
mod payer_prior_auth;
#[path = "payer_unknown.rs"]
mod payer_unknown;

use std::sync::LazyLock;

use crate::codes::{LoadError, csv};
use crate::extract::{Procedure, Site, cues};
use crate::note::{LineKind, parse_line};
use crate::span::Span;
use crate::vocab::{GroupFamily, Payer, ProcKind, vocab};

use super::registry::{Rule, Severity};
use super::{Ctx, Finding};

pub(super) const RULES: &[Rule] = &[
    Rule {
        code: "payer/prior-auth",
        severity: Severity::Warning,
        title: "The payer may need prior authorization for this procedure",
        doc: "What: a procedure the encounter's payer is said to pre-authorize. Built-in rows: UnitedHealthcare, more than 15 destructions in one visit (warning); UnitedHealthcare, Mohs on the trunk, arms or legs (warning, not the face); BCBS, Mohs (info: some plans). Why: without the authorization the claim is denied. Example: `Payer: UHC` with `Site: left anterior shin` on a Mohs procedure. Source: the product's source guide (Payer notes), unverified; AAD reported in 2022 that UnitedHealthcare's Mohs requirement was tied to adjacent tissue transfer and then waived. The rules are data (src/rules/data/payer_rules.csv): payer, scope, threshold, severity, source, verified.",
    },
    Rule {
        code: "payer/path-report",
        severity: Severity::Warning,
        title: "The payer expects the pathology report for this excision",
        doc: "What: UnitedHealthcare, an excision (11400-11646) whose pathology result is not documented (no `Pathology:` line, or `sent` / `pending`). Why: the payer asks for the path report with every excision claim. Example: `Payer: UHC`, an excision with `Pathology: sent`. Source: the product's source guide (Payer notes), unverified; the rule is data (src/rules/data/payer_rules.csv).",
    },
    Rule {
        code: "payer/mohs-criteria",
        severity: Severity::Warning,
        title: "The payer covers Mohs only with documented appropriate-use criteria",
        doc: "What: Aetna, Mohs surgery in an encounter that nowhere says `AUC` or `appropriate use criteria`. Why: the payer covers Mohs only when the appropriate-use criteria (tumour type, site, size) are documented. Example: `Payer: Aetna`, `## Procedure: Mohs` with no AUC statement; fixed by `Appropriate use criteria (AUC) met: nodular BCC of the nasal ala.` Source: the product's source guide (Payer notes), unverified; the rule is data (src/rules/data/payer_rules.csv).",
    },
    Rule {
        code: "payer/phototherapy-sessions",
        severity: Severity::Warning,
        title: "Phototherapy past the payer's session limit without reauthorization",
        doc: "What: Medicare, a phototherapy session number above 36 when the encounter does not document a reauthorization (`reauthorization obtained`, `reauthorized`). Why: the source guide says Medicare covers 30-36 sessions, then needs reauthorization. Example: `Payer: Medicare`, `Session: 38`. Source: the product's source guide (Payer notes), unverified; known doubt: traditional Medicare has no prior authorization for phototherapy (a contractor's LCD or a Medicare Advantage plan may still limit sessions). The rule is data (src/rules/data/payer_rules.csv).",
    },
    Rule {
        code: "payer/cosmetic",
        severity: Severity::Error,
        title: "A cosmetic procedure: no payer covers it",
        doc: "What: a procedure documented as cosmetic (`cosmetic`, `aesthetic` in its indication, sentences or title). Why: no payer covers cosmetic procedures; a claim for one is denied, and billing one as medically necessary is an audit finding. The derived claim leaves it off. Example: `Indication: cosmetic, patient dislikes the appearance`. Source: the product's source guide (Medicare: cosmetic never covered; BCBS: cosmetic excluded), PRODUCT.md; the rule is data (src/rules/data/payer_rules.csv).",
    },
    Rule {
        code: "payer/unknown",
        severity: Severity::Info,
        title: "No payer: payer rules are not checked",
        doc: "What: an encounter with no `Payer:` line when no default payer is configured (`--payer`, `dermls.defaultPayer`). Shown once per encounter, on its heading. Why: the payer rules (prior authorization, path report, Mohs criteria, session limits) depend on the payer. Example: a note with no `Payer:` line. A `Payer:` the tool does not recognise is reported by `note/parse` instead. Source: PRODUCT.md.",
    },
];

/// Runs every payer rule on one encounter.
pub(super) fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let start = out.len();
    payer_prior_auth::check(ctx, out);
    payer_path_report::check(ctx, out);
    payer_mohs_criteria::check(ctx, out);
    payer_phototherapy_sessions::check(ctx, out);
    payer_cosmetic::check(ctx, out);
    payer_unknown::check(ctx, out);
    // Two data rows may match the same text: keep the first finding.
    let mut seen: Vec<(&str, Span)> = Vec::new();
    let mut i = start;
    while i < out.len() {
        let key = (out[i].code, out[i].span);
        if seen.contains(&key) {
            out.remove(i);
        } else {
            seen.push(key);
            i += 1;
        }
    }
}

// ---------------------------------------------------------------------------
// The data.

/// The built-in payer rules, as shipped.
pub(crate) const PAYER_RULES_CSV: &str = include_str!("data/payer_rules.csv");
const BUILTIN_FILE: &str = "src/rules/data/payer_rules.csv";

static BUILTIN: LazyLock<Vec<PayerRule>> =
    LazyLock::new(|| parse_rules(BUILTIN_FILE, PAYER_RULES_CSV).unwrap_or_else(|e| panic!("{e}")));

/// What a row applies to (its `applies_to` column).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Scope {
    /// `encounter`: once per encounter.
    Encounter,
    /// `procedure`: every procedure.
    AnyProcedure,
    /// `mohs`, or `mohs@trunk-arms-legs`: procedures of a kind, optionally
    /// only those at a site of that site group (the kind's code family).
    Kind {
        kind: ProcKind,
        group: Option<String>,
    },
    /// `cpt:11400-11646`: procedures the claim bills with a code in the range.
    Cpt { from: u32, to: u32 },
}

/// One row of the payer rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PayerRule {
    /// 1-based line of the row in its file.
    pub line: usize,
    pub code: &'static str,
    /// The payers it applies to; `None` = every payer (`*`).
    pub payers: Option<Vec<Payer>>,
    pub scope: Scope,
    /// A number the documented one must exceed for the rule to fire.
    pub threshold: Option<u32>,
    pub severity: Severity,
    /// The message, with `{placeholders}` filled in by the rule.
    pub message: String,
    pub source: String,
    pub verified: bool,
}

/// Placeholders a message may use.
pub(crate) const PLACEHOLDERS: &[&str] = &[
    "threshold",
    "count",
    "session",
    "site",
    "procedure",
    "pathology",
];

/// The first `{name}` in a message that is not a known placeholder.
fn unknown_placeholder(message: &str) -> Option<String> {
    let mut rest = message;
    while let Some(open) = rest.find('{') {
        let Some(len) = rest[open..].find('}') else {
            return Some(rest[open..].to_string());
        };
        let name = &rest[open + 1..open + len];
        if !PLACEHOLDERS.contains(&name) {
            return Some(name.to_string());
        }
        rest = &rest[open + len + 1..];
    }
    None
}

impl PayerRule {
    pub fn applies_to_payer(&self, payer: Payer) -> bool {
        self.payers.as_ref().is_none_or(|p| p.contains(&payer))
    }

    /// The message with its placeholders filled, and a caution when the row
    /// is not verified.
    pub fn message(&self, vars: &[(&str, String)]) -> String {
        let mut threshold = itoa::Buffer::new();
        let threshold = self.threshold.map(|t| threshold.format(t));
        let mut m = match fill_once(&self.message, threshold, vars) {
            Some(m) => m,
            None => self.filled_in_turn(threshold, vars),
        };
        if !self.verified {
            m.push_str(" (Payer note from the source guide, not verified: check the payer's current policy.)");
        }
        m
    }

    /// The message with each placeholder replaced in turn, the threshold
    /// first: what [`fill_once`] gives in one pass when it can.
    fn filled_in_turn(&self, threshold: Option<&str>, vars: &[(&str, String)]) -> String {
        let mut m = self.message.clone();
        // Each placeholder is replaced in turn, as before, but only when
        // the message holds it: a replacement that finds nothing copies
        // the message for nothing.
        if let Some(t) = threshold {
            m = fill(m, "{threshold}", t);
        }
        let mut placeholder = String::new();
        for (k, v) in vars {
            placeholder.clear();
            placeholder.push('{');
            placeholder.push_str(k);
            placeholder.push('}');
            m = fill(m, &placeholder, v);
        }
        m
    }

    /// A finding for this row, with the row's severity.
    pub fn finding(&self, span: Span, vars: &[(&str, String)]) -> Finding {
        let mut f = Finding::new(self.code, span, self.message(vars));
        f.severity = self.severity;
        f
    }
}

/// `template` with each `{name}` replaced by the threshold (`{threshold}`,
/// when there is one) or by the first of `vars` of that name, in one pass
/// over it: what replacing the placeholders one after another gives, with
/// one copy of the message instead of one per placeholder found.
///
/// `None` when the two could differ: when a name or a value (the threshold
/// included) holds a brace
/// (a value could then make a placeholder that a later one fills), or when
/// the template opens a brace inside another (`{a{b}c}`: filling `{b}`
/// could make `{ac}`). Otherwise every placeholder is the template's own
/// text, between a `{` and the next `}`, and none overlaps another.
fn fill_once(template: &str, threshold: Option<&str>, vars: &[(&str, String)]) -> Option<String> {
    let brace = |s: &str| s.contains(['{', '}']);
    if threshold.is_some_and(brace) || vars.iter().any(|(k, v)| brace(k) || brace(v)) {
        return None;
    }
    let room = template.len() + vars.iter().map(|(_, v)| v.len()).sum::<usize>();
    let mut out = String::with_capacity(room);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find(['{', '}']) else {
            break;
        };
        if after.as_bytes()[close] == b'{' {
            return None;
        }
        let name = &after[..close];
        let value = match threshold {
            Some(t) if name == "threshold" => Some(t),
            _ => vars
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.as_str()),
        };
        // The text before the placeholder, then its value, or the
        // placeholder itself when nothing fills it.
        out.push_str(&rest[..open]);
        out.push_str(value.unwrap_or(&rest[open..open + close + 2]));
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// `m` with every `placeholder` replaced by `value`, as `str::replace`
/// writes it (left to right, matches not overlapping), and `m` itself,
/// not a copy, when it holds none. The first match found is where the
/// copy starts: the message is not searched once to see whether it holds
/// one and again to replace it.
fn fill(m: String, placeholder: &str, value: &str) -> String {
    // An empty pattern matches between every character: left to `replace`.
    if placeholder.is_empty() {
        return m.replace(placeholder, value);
    }
    let Some(first) = m.find(placeholder) else {
        return m;
    };
    let mut out = String::with_capacity(m.len() + value.len());
    out.push_str(&m[..first]);
    out.push_str(value);
    let mut rest = &m[first + placeholder.len()..];
    while let Some(i) = rest.find(placeholder) {
        out.push_str(&rest[..i]);
        out.push_str(value);
        rest = &rest[i + placeholder.len()..];
    }
    out.push_str(rest);
    out
}

/// A set of payer rules: the built-in rows, or a practice's own file in the
/// same format (`--payer-rules FILE`, `dermls.payerRulesFile`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PayerRules(std::sync::Arc<Vec<PayerRule>>);

impl PayerRules {
    /// The rules shipped in `src/rules/data/payer_rules.csv`.
    pub fn builtin() -> PayerRules {
        static SHARED: LazyLock<PayerRules> =
            LazyLock::new(|| PayerRules(std::sync::Arc::new(BUILTIN.clone())));
        SHARED.clone()
    }

    /// Reads a payer rules file; a bad row is an error naming the file and
    /// line.
    pub fn parse(file: &str, text: &str) -> Result<PayerRules, LoadError> {
        Ok(PayerRules(std::sync::Arc::new(parse_rules(file, text)?)))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(crate) fn rows(&self) -> &[PayerRule] {
        &self.0
    }
}

/// The rows of `code` that apply to `payer`, from the rules in force.
pub(super) fn rows<'a>(
    ctx: &Ctx<'a>,
    code: &'a str,
    payer: Payer,
) -> impl Iterator<Item = &'a PayerRule> {
    ctx.payer_rules
        .iter()
        .filter(move |r| r.code == code && r.applies_to_payer(payer))
}

/// Which scopes (and thresholds) each code understands.
fn scope_ok(code: &str, scope: &Scope, threshold: Option<u32>) -> Result<(), String> {
    let procedure_scope = !matches!(scope, Scope::Encounter);
    let ok = match code {
        "payer/prior-auth" => procedure_scope,
        "payer/path-report" | "payer/mohs-criteria" | "payer/cosmetic" => {
            procedure_scope && threshold.is_none()
        }
        "payer/phototherapy-sessions" => {
            matches!(
                scope,
                Scope::Kind {
                    kind: ProcKind::Phototherapy,
                    group: None
                }
            ) && threshold.is_some()
        }
        "payer/unknown" => *scope == Scope::Encounter && threshold.is_none(),
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{code} cannot use applies_to {scope:?} with threshold {threshold:?} (see src/rules/data/README.md)"
        ))
    }
}

fn parse_payers(s: &str) -> Result<Option<Vec<Payer>>, String> {
    let s = s.trim();
    if s == "*" {
        return Ok(None);
    }
    const ALL: [Payer; 8] = [
        Payer::Medicare,
        Payer::Uhc,
        Payer::Aetna,
        Payer::Bcbs,
        Payer::Medicaid,
        Payer::Commercial,
        Payer::SelfPay,
        Payer::Unknown,
    ];
    let mut out = Vec::new();
    for part in s.split('|').map(str::trim) {
        let p = ALL
            .iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(part))
            .ok_or_else(|| {
                format!("payer `{part}` is not one of * medicare uhc aetna bcbs medicaid commercial self-pay unknown")
            })?;
        out.push(*p);
    }
    Ok(Some(out))
}

fn parse_kind(s: &str) -> Option<ProcKind> {
    Some(match s {
        "biopsy" => ProcKind::Biopsy,
        "shave-removal" => ProcKind::ShaveRemoval,
        "excision" => ProcKind::Excision,
        "destruction" => ProcKind::Destruction,
        "mohs" => ProcKind::Mohs,
        "repair" => ProcKind::Repair,
        "phototherapy" => ProcKind::Phototherapy,
        _ => return None,
    })
}

/// The code family whose site groups a kind's `@group` names.
fn family(kind: ProcKind) -> Option<GroupFamily> {
    match kind {
        ProcKind::Mohs => Some(GroupFamily::Mohs),
        ProcKind::Excision | ProcKind::ShaveRemoval | ProcKind::Destruction => {
            Some(GroupFamily::Excision)
        }
        _ => None,
    }
}

fn parse_scope(s: &str) -> Result<Scope, String> {
    let s = s.trim().to_ascii_lowercase();
    match s.as_str() {
        "encounter" => return Ok(Scope::Encounter),
        "procedure" => return Ok(Scope::AnyProcedure),
        _ => {}
    }
    if let Some(range) = s.strip_prefix("cpt:") {
        let (a, b) = range.split_once('-').unwrap_or((range, range));
        let from: u32 = a
            .trim()
            .parse()
            .map_err(|_| format!("bad CPT range `{range}`"))?;
        let to: u32 = b
            .trim()
            .parse()
            .map_err(|_| format!("bad CPT range `{range}`"))?;
        if from > to {
            return Err(format!("CPT range `{range}` is backwards"));
        }
        return Ok(Scope::Cpt { from, to });
    }
    let (kind, group) = match s.split_once('@') {
        Some((k, g)) => (k, Some(g.trim().to_string())),
        None => (s.as_str(), None),
    };
    let kind = parse_kind(kind.trim()).ok_or_else(|| {
        format!("applies_to `{s}`: expected encounter, procedure, cpt:FROM-TO, or a procedure kind (biopsy, shave-removal, excision, destruction, mohs, repair, phototherapy) with an optional @site-group")
    })?;
    if group.is_some() && family(kind).is_none() {
        return Err(format!(
            "applies_to `{s}`: {} has no site groups",
            kind.as_str()
        ));
    }
    Ok(Scope::Kind { kind, group })
}

fn parse_severity(s: &str) -> Option<Severity> {
    match s.trim().to_ascii_lowercase().as_str() {
        "error" => Some(Severity::Error),
        "warning" => Some(Severity::Warning),
        "info" => Some(Severity::Info),
        _ => None,
    }
}

fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" => Some(true),
        "false" | "no" | "0" | "" => Some(false),
        _ => None,
    }
}

const COLUMNS: [&str; 8] = [
    "code",
    "payer",
    "applies_to",
    "threshold",
    "severity",
    "message",
    "source",
    "verified",
];

/// Reads a payer-rules CSV (the built-in one, or a practice's corrected copy
/// handed in as text). Columns are found by their header names; blank lines
/// are skipped. Every row must name a registered `payer/*` code, a severity
/// no higher than the code's, a scope the code understands and a source.
pub(crate) fn parse_rules(file: &str, text: &str) -> Result<Vec<PayerRule>, LoadError> {
    let recs: Vec<(usize, Vec<String>)> = csv::Reader::new(text, ',')
        .map(|r| {
            r.map(|rec| (rec.line, rec.fields))
                .map_err(|e| LoadError::new(file, e.line, e.message))
        })
        .collect::<Result<_, _>>()?;
    let mut recs = recs
        .into_iter()
        .filter(|(_, f)| f.iter().any(|x| !x.trim().is_empty()));
    let (hline, header) = recs
        .next()
        .ok_or_else(|| LoadError::new(file, 1, "no header row"))?;
    let mut idx = [0usize; 8];
    for (i, name) in COLUMNS.iter().enumerate() {
        idx[i] = header
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
            .ok_or_else(|| LoadError::new(file, hline, format!("no `{name}` column")))?;
    }
    let mut out = Vec::new();
    for (line, f) in recs {
        let get = |i: usize| f.get(idx[i]).map_or("", |s| s.trim());
        let err = |m: String| LoadError::new(file, line, m);
        let code_text = get(0);
        let rule = RULES
            .iter()
            .find(|r| r.code == code_text)
            .ok_or_else(|| err(format!("`{code_text}` is not a payer/* diagnostic code")))?;
        let payers = parse_payers(get(1)).map_err(err)?;
        let scope = parse_scope(get(2)).map_err(err)?;
        let threshold = match get(3) {
            "" => None,
            t => Some(
                t.parse::<u32>()
                    .map_err(|_| err(format!("threshold `{t}` is not a whole number")))?,
            ),
        };
        let severity = parse_severity(get(4)).ok_or_else(|| {
            err(format!(
                "severity `{}` is not error, warning or info",
                get(4)
            ))
        })?;
        if severity < rule.severity {
            return Err(err(format!(
                "severity {} is above {}'s {}",
                severity.as_str(),
                rule.code,
                rule.severity.as_str()
            )));
        }
        scope_ok(rule.code, &scope, threshold).map_err(err)?;
        let message = get(5).to_string();
        if message.is_empty() {
            return Err(err("no message".to_string()));
        }
        if let Some(bad) = unknown_placeholder(&message) {
            return Err(err(format!(
                "message uses {{{bad}}}; the placeholders are {}",
                PLACEHOLDERS.join(", ")
            )));
        }
        let source = get(6).to_string();
        if source.is_empty() {
            return Err(err(
                "no source: every payer rule names where it comes from".to_string()
            ));
        }
        let verified = parse_bool(get(7))
            .ok_or_else(|| err(format!("verified `{}` is not true or false", get(7))))?;
        out.push(PayerRule {
            line,
            code: rule.code,
            payers,
            scope,
            threshold,
            severity,
            message,
            source,
            verified,
        });
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// Helpers the payer rules share.

/// The procedures a row's scope covers, each with the site that matched a
/// `@group` scope. Cosmetic procedures are left out unless `with_cosmetic`
/// (they are not billed, so payer coverage rules do not apply to them).
pub(super) fn in_scope<'a>(
    ctx: &'a Ctx,
    scope: &Scope,
    with_cosmetic: bool,
) -> Vec<(usize, &'a Procedure, Option<&'a Site>)> {
    let mut out = Vec::new();
    for (i, p) in ctx.facts.procedures.iter().enumerate() {
        if p.cosmetic.is_some() && !with_cosmetic {
            continue;
        }
        match scope {
            Scope::Encounter => {}
            Scope::AnyProcedure => out.push((i, p, None)),
            Scope::Kind { kind, group } if p.kind == *kind => match group {
                None => out.push((i, p, None)),
                Some(g) => {
                    let fam = family(*kind);
                    let site = p
                        .lesions
                        .iter()
                        .filter_map(|l| l.site.as_ref())
                        .chain(p.sites.iter())
                        .find(|s| fam.and_then(|f| s.group(f)) == Some(g.as_str()));
                    if let Some(s) = site {
                        out.push((i, p, Some(s)));
                    }
                }
            },
            Scope::Kind { .. } => {}
            Scope::Cpt { from, to } => {
                let billed = ctx.claim.lines.iter().any(|l| {
                    l.procedures.contains(&i)
                        && l.cpt.parse::<u32>().is_ok_and(|c| *from <= c && c <= *to)
                });
                if billed {
                    out.push((i, p, None));
                }
            }
        }
    }
    out
}

/// The field or sentence that holds `span`: a field's value when `span` is
/// on a `Label: value` line, else the sentence around it (without its final
/// full stop), else the trimmed line.
pub(super) fn enclosing(text: &str, span: Span) -> Span {
    let at = span.start.min(text.len());
    let line_start = text[..at].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let line_end = text[at..].find(['\n', '\r']).map_or(text.len(), |i| at + i);
    let line = parse_line(text, Span::new(line_start, line_end));
    let body = match &line.kind {
        LineKind::Field(f) if f.value.start <= span.start => return f.value,
        LineKind::Specimen { rest, .. } => *rest,
        _ => line.body,
    };
    let body_text = body.text(text);
    for s in cues::clauses_sentences(body_text) {
        let s = body.sub(s.start, s.end);
        if s.start <= span.start && span.start <= s.end {
            let t = s.text(text);
            let lead = t.len() - t.trim_start().len();
            return Span::new(s.start + lead, s.start + lead + t.trim().len());
        }
    }
    body
}

/// Whether the procedure documents a pathology result (not just `sent` or
/// `pending`): a `Pathology:` value that is not pending, or a sentence that
/// names pathology and a lesion type with no pending cue.
pub(super) fn has_path_result(text: &str, p: &Procedure) -> bool {
    if let Some(path) = &p.pathology {
        return !path.pending;
    }
    let v = vocab();
    p.span.text(text).lines().any(|l| {
        let lower = l.to_lowercase();
        (lower.contains("patholog") || lower.contains("histolog") || lower.contains("path "))
            && v.lesion_types.is_match(l)
            && !v.pathology_pending.is_match(l)
    })
}

#[cfg(test)]
pub(super) mod test_support {
    use crate::analysis::{Options, analyze};
    use crate::codes::CodeTable;
    use crate::rules::Severity;

    /// The findings of `code` in `text`: (severity, text of the range).
    pub fn found(text: &str, code: &str) -> Vec<(Severity, String)> {
        let a = analyze(text, CodeTable::builtin(), &Options::default());
        a.findings
            .iter()
            .filter(|f| f.code == code)
            .map(|f| (f.severity, f.span.text(text).to_string()))
            .collect()
    }

    /// Every finding's message for `code`.
    pub fn messages(text: &str, code: &str) -> Vec<String> {
        let a = analyze(text, CodeTable::builtin(), &Options::default());
        a.findings
            .iter()
            .filter(|f| f.code == code)
            .map(|f| f.message.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::registry;

    proptest::proptest! {
        /// A placeholder filled in one pass gives what checking for it and
        /// then `str::replace` gave, overlapping and repeated ones included.
        #[test]
        fn filling_is_replacing(
            m in "[a{}xé]{0,16}",
            placeholder in "[a{}xé]{0,3}",
            value in "[a{}xé]{0,4}",
        ) {
            let want = if m.contains(placeholder.as_str()) {
                m.replace(placeholder.as_str(), &value)
            } else {
                m.clone()
            };
            proptest::prop_assert_eq!(fill(m, &placeholder, &value), want);
        }
    }

    /// The placeholders filled one after another, the threshold first, as
    /// the message was written before [`fill_once`].
    fn filled_in_turn(template: &str, threshold: Option<&str>, vars: &[(&str, String)]) -> String {
        let mut m = template.to_string();
        if let Some(t) = threshold {
            m = fill(m, "{threshold}", t);
        }
        for (k, v) in vars {
            m = fill(m, &format!("{{{k}}}"), v);
        }
        m
    }

    proptest::proptest! {
        /// Filled in one pass, a message is what filling its placeholders
        /// in turn gives, whenever the one pass takes it on; and it takes
        /// on every message without nested braces whose names and values
        /// hold none.
        #[test]
        fn filling_once_is_filling_in_turn(
            template in "([a{}é]|\\{threshold\\}|\\{a\\}|\\{ab\\}){0,8}",
            threshold in proptest::option::of("[0-9{]{0,2}"),
            vars in proptest::collection::vec(
                (
                    proptest::sample::select(vec!["a", "b", "ab", "threshold", "", "a}"]),
                    "[ab{}é]{0,3}",
                ),
                0..3,
            ),
        ) {
            let vars: Vec<(&str, String)> = vars;
            let want = filled_in_turn(&template, threshold.as_deref(), &vars);
            match fill_once(&template, threshold.as_deref(), &vars) {
                Some(got) => proptest::prop_assert_eq!(got, want),
                None => {
                    let brace = |s: &str| s.contains(['{', '}']);
                    let braces = threshold.as_deref().is_some_and(brace)
                        || vars.iter().any(|(k, v)| brace(k) || brace(v));
                    let nested = template
                        .split('}')
                        .any(|piece| piece.matches('{').count() > 1);
                    proptest::prop_assert!(braces || nested);
                }
            }
        }
    }

    #[test]
    fn placeholders_filled_once() {
        let vars = [("code", "11102".to_string()), ("code", "x".to_string())];
        let got = fill_once("{code} and {threshold}, {other} {", Some("3"), &vars);
        assert_eq!(got.as_deref(), Some("11102 and 3, {other} {"));
        assert_eq!(fill_once("{a{code}}", None, &vars), None);
        assert_eq!(
            fill_once("{code}", None, &[("code", "{x}".to_string())]),
            None
        );
    }

    #[test]
    fn builtin_rows_are_valid() {
        let rows = parse_rules(BUILTIN_FILE, PAYER_RULES_CSV).expect("valid payer rules");
        assert_eq!(rows.len(), 8);
        for r in &rows {
            // The code is registered, with a severity at least the row's.
            let rule = registry::rule(r.code).expect("registered code");
            assert!(r.severity >= rule.severity, "line {}", r.line);
            assert!(!r.source.trim().is_empty(), "line {} has no source", r.line);
            // Every placeholder the message uses is one the rules fill.
            assert_eq!(unknown_placeholder(&r.message), None, "line {}", r.line);
        }
        // Every payer code has at least one row.
        for rule in RULES {
            assert!(
                rows.iter().any(|r| r.code == rule.code),
                "{} has no row",
                rule.code
            );
        }
        // The rows from the source guide are unverified, and the sources
        // name the known doubts.
        let guide: Vec<_> = rows.iter().filter(|r| r.code != "payer/unknown").collect();
        assert!(guide.iter().all(|r| !r.verified));
        assert!(rows.iter().any(|r| r.payers == Some(vec![Payer::Uhc])
            && matches!(
                r.scope,
                Scope::Kind {
                    kind: ProcKind::Mohs,
                    ..
                }
            )
            && r.source.contains("AAD reported in 2022")
            && r.source.contains("adjacent tissue transfer")));
        assert!(rows.iter().any(|r| {
            r.code == "payer/phototherapy-sessions"
                && r.source
                    .contains("traditional Medicare has no prior authorization")
        }));
    }

    #[test]
    fn severities_follow_the_data() {
        let rows = |code: &'static str, payer: Payer| {
            BUILTIN
                .iter()
                .filter(move |r| r.code == code && r.applies_to_payer(payer))
        };
        let uhc: Vec<_> = rows("payer/prior-auth", Payer::Uhc).collect();
        assert!(uhc.iter().all(|r| r.severity == Severity::Warning));
        let bcbs: Vec<_> = rows("payer/prior-auth", Payer::Bcbs).collect();
        assert_eq!(bcbs.len(), 1);
        assert_eq!(bcbs[0].severity, Severity::Info);
        assert_eq!(rows("payer/cosmetic", Payer::SelfPay).count(), 1);
        assert_eq!(rows("payer/prior-auth", Payer::Medicare).count(), 0);
    }

    #[test]
    fn a_practice_file_replaces_the_builtin_rules() {
        let file = "code,payer,applies_to,threshold,severity,message,source,verified\npayer/prior-auth,medicare,destruction,10,warning,More than {threshold} destructions: prior authorization.,Practice policy 2026,true\n";
        let rules = PayerRules::parse("practice.csv", file).expect("valid file");
        assert_eq!(rules.len(), 1);
        let note = "# Encounter 2026-06-01\nPayer: Medicare\n\n## Procedure: cryotherapy\n12 AKs of the scalp treated with LN2.\nDx: L57.0\n";
        let options = crate::analysis::Options {
            payer_rules: Some(rules),
            ..Default::default()
        };
        let a = crate::analysis::analyze(note, crate::codes::CodeTable::builtin(), &options);
        let got: Vec<&str> = a
            .findings
            .iter()
            .filter(|f| f.code.starts_with("payer/"))
            .map(|f| f.message.as_str())
            .collect();
        assert_eq!(got, ["More than 10 destructions: prior authorization."]);
        let bad = PayerRules::parse("practice.csv", "code,payer\npayer/nope,medicare\n");
        assert!(bad.unwrap_err().to_string().starts_with("practice.csv:"));
    }

    #[test]
    fn the_mohs_site_group_is_a_vocabulary_group() {
        assert_eq!(
            vocab().group("trunk", GroupFamily::Mohs),
            Some("trunk-arms-legs")
        );
        assert_eq!(
            vocab().group("leg", GroupFamily::Mohs),
            Some("trunk-arms-legs")
        );
        assert_ne!(
            vocab().group("hand", GroupFamily::Mohs),
            Some("trunk-arms-legs")
        );
    }

    #[test]
    fn bad_rows_are_rejected_with_their_line() {
        let header = "code,payer,applies_to,threshold,severity,message,source,verified\n";
        let bad = [
            "payer/nope,uhc,mohs,,warning,m,s,false",
            "payer/prior-auth,united,mohs,,warning,m,s,false",
            "payer/prior-auth,uhc,mohs,,loud,m,s,false",
            "payer/prior-auth,uhc,mohs,,warning,m,,false",
            "payer/unknown,*,encounter,,warning,m,s,false",
            "payer/phototherapy-sessions,medicare,phototherapy,,warning,m,s,false",
            "payer/prior-auth,uhc,biopsy@face,,warning,m,s,false",
            "payer/prior-auth,uhc,cpt:2-1,,warning,m,s,false",
            "payer/prior-auth,uhc,mohs,x,warning,m,s,false",
            "payer/prior-auth,uhc,mohs,,warning,m,s,maybe",
            "payer/prior-auth,uhc,mohs,,warning,see {sites},s,false",
        ];
        for row in bad {
            let e = parse_rules("t.csv", &format!("{header}{row}\n")).expect_err(row);
            assert_eq!(e.line, 2, "{row}: {e}");
        }
        let ok = parse_rules(
            "t.csv",
            &format!(
                "{header}\npayer/prior-auth,uhc|aetna,\"mohs@trunk-arms-legs\",,info,\"a, \"\"b\"\"\",s,yes\r\n"
            ),
        )
        .expect("valid");
        assert_eq!(ok[0].line, 3);
        assert_eq!(ok[0].payers, Some(vec![Payer::Uhc, Payer::Aetna]));
        assert_eq!(ok[0].message, "a, \"b\"");
        assert!(ok[0].verified);
        assert!(parse_rules("t.csv", "").is_err());
        assert!(parse_rules("t.csv", "code,payer\n").is_err());
    }

    #[test]
    fn enclosing_finds_the_field_or_sentence() {
        let text =
            "Site: left shin\nFirst one. Then 16 AKs treated.\n- (A) left arm: 0.5 cm papule";
        let at = |s: &str| {
            let i = text.find(s).unwrap();
            enclosing(text, Span::new(i, i + s.len()))
                .text(text)
                .to_string()
        };
        assert_eq!(at("shin"), "left shin");
        assert_eq!(at("16 AKs"), "Then 16 AKs treated");
        assert_eq!(at("papule"), "left arm: 0.5 cm papule");
    }
}
