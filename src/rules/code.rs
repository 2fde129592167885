//! The `code/*` rules: the `## Billing` section checked against the claim
//! the documentation supports. They run only for an encounter that has a
//! Billing section. One file per code (`code_excision_size.rs` for
//! `code/excision-size`, …); this module registers them and reconciles the
//! billed lines with the derived ones once, so that every discrepancy is
//! reported by exactly one rule:
//!
//! 1. A code both billed and derived is *matched*: its total units and each
//!    line's modifiers are compared.
//! 2. A billed code that is not derived is paired, where it can be, with a
//!    derived code of the same family that is not billed (`11602` billed,
//!    `11603` derived): a *wrong code*, reported by the family's rule with a
//!    fix that replaces it.
//! 3. What is left over is *extra* (billed, nothing supports it) or
//!    *missing* (documented, not billed); the reason decides the rule.
//!
//! Every `code/*` code is an error except `code/missing-code` and
//! `code/repair-missing` (warnings). Source: PRODUCT.md "Diagnostic codes",
//! CODING-RULES.md.

#[path = "code_addon_without_primary.rs"]
mod code_addon_without_primary;
#[path = "code_biopsy_technique_mismatch.rs"]
mod code_biopsy_technique_mismatch;
#[path = "code_destruction_series.rs"]
mod code_destruction_series;
#[path = "code_destruction_units.rs"]
mod code_destruction_units;
#[path = "code_dx_mismatch.rs"]
mod code_dx_mismatch;
#[path = "code_excision_size.rs"]
mod code_excision_size;
#[path = "code_missing_code.rs"]
mod code_missing_code;
#[path = "code_missing_modifier.rs"]
mod code_missing_modifier;
#[path = "code_mohs_stages.rs"]
mod code_mohs_stages;
#[path = "code_mue.rs"]
mod code_mue;
#[path = "code_ncci_bundle.rs"]
mod code_ncci_bundle;
#[path = "code_repair_code.rs"]
mod code_repair_code;
#[path = "code_repair_missing.rs"]
mod code_repair_missing;
#[path = "code_shave_size.rs"]
mod code_shave_size;
#[path = "code_unsupported_code.rs"]
mod code_unsupported_code;
#[path = "code_unsupported_modifier.rs"]
mod code_unsupported_modifier;

use super::claim::ClaimLine;
use super::registry::{Rule, Severity};
use super::{Ctx, Finding};
use crate::codes::{CodeRow, Family};
use crate::extract::{BillingLine, BillingSection};
use crate::fix::{self, Edit, Fix};
use crate::span::Span;

pub(super) const RULES: &[Rule] = &[
    Rule {
        code: code_biopsy_technique_mismatch::CODE,
        severity: Severity::Error,
        title: "Biopsy code does not match the documented technique",
        doc: "A biopsy code whose technique differs from the one documented: 11102/11103 are tangential (shave, saucerization), 11104/11105 punch, 11106/11107 incisional (wedge). Why: since 2019 the technique, not the size, picks the biopsy code; a punch biopsy billed as tangential is paid at the wrong rate and fails an audit. Example: `Technique: 4 mm punch` with `- 11102` → bill 11104. Source: CPT 2019 biopsy codes; AAD DCC \"New skin biopsy codes\" (2018).",
    },
    Rule {
        code: code_addon_without_primary::CODE,
        severity: Severity::Error,
        title: "Add-on code without its primary",
        doc: "An add-on code (11103, 11105, 11107, 17003, 17312, 17314, 17315, 13102, 13122, 13133, 13153) billed without one of the primary codes it is reported with. Why: an add-on alone is denied outright. Example: `- 11103 x2` for two shave biopsies → `- 11102` and `- 11103`. Source: CPT add-on code conventions (ZZZ global); the built-in table's `addon_of` column.",
    },
    Rule {
        code: code_destruction_series::CODE,
        severity: Severity::Error,
        title: "Destruction billed with the wrong code series",
        doc: "Premalignant lesions (actinic keratoses) billed with 17110/17111, or benign lesions (warts, seborrheic keratoses, molluscum, skin tags) billed with 17000–17004. Why: the series follows the lesion type; the wrong series is denied or recouped. Example: `5 AKs treated with LN2` with `- 17110` → `- 17000` and `- 17003 x4`. Source: CPT 17000–17111 descriptors; AAD Dermatology World (Nov 2011).",
    },
    Rule {
        code: code_destruction_units::CODE,
        severity: Severity::Error,
        title: "Destruction codes or units do not match the count",
        doc: "Destruction codes or units that do not match the number of lesions documented: 17000 once for the first AK, 17003 once for each of the 2nd–14th, 17004 alone (never with 17000/17003) for 15 or more; 17110 for up to 14 benign lesions, 17111 alone for 15 or more. Why: these are counted codes; 17004 with 17000/17003, or 17110 with 17111, is a classic audit finding. Example: 20 AKs billed `17000`, `17003 x13`, `17004` → `17004` alone. Source: CPT 17000–17111 descriptors; CMS NCCI Policy Manual ch. III; CMS MUE 2026.",
    },
    Rule {
        code: code_ncci_bundle::CODE,
        severity: Severity::Error,
        title: "Bundled pair (NCCI)",
        doc: "Two billed codes that NCCI bundles, where no modifier legitimately unbundles them: the column-2 code is part of the column-1 code (a biopsy of the lesion that is then excised, an E/M for the decision to do a minor procedure, a simple repair inside an excision). Why: the column-2 line is denied, and billing it repeatedly is an audit pattern. Example: `- 11602` and `- 11102` for the same lesion → delete the 11102 line. Source: CMS NCCI procedure-to-procedure edits (practitioner, 2026) and the NCCI Policy Manual.",
    },
    Rule {
        code: code_missing_modifier::CODE,
        severity: Severity::Error,
        title: "Modifier the documentation requires is missing",
        doc: "A modifier the documentation supports and the claim needs is absent: 25 on an E/M with a separately identifiable problem on a procedure day, 59 (or XS) on a procedure at a distinct site or lesion that NCCI otherwise bundles, 58 on a staged procedure in a global period. Why: without it the line is bundled and unpaid. Example: `- 11102` beside `- 17000` for a different lesion → `- 11102-59`. Source: CMS NCCI Policy Manual; CMS Claims Processing Manual ch. 12 §40 (25, 58); CMS MLN modifier 59 / X{EPSU} article.",
    },
    Rule {
        code: code_unsupported_modifier::CODE,
        severity: Severity::Error,
        title: "Modifier the documentation does not support",
        doc: "A modifier the documentation does not support: 25 on an E/M with no separately identifiable problem, 59/XS on a code that is not bundled with anything (add-ons such as 11103) or on a biopsy of the same lesion as the other procedure, 58 with no staged procedure. Why: unsupported 25 and 59 are the top OIG audit findings in dermatology. Example: `- 11103-59` → `- 11103`. Source: OIG reports on modifier 25 (2005, Nov 2025) and modifier 59 (2005); CMS NCCI Policy Manual.",
    },
    Rule {
        code: code_excision_size::CODE,
        severity: Severity::Error,
        title: "Excision code does not match size, site or pathology",
        doc: "An excision code (11400–11646) whose size tier, site group or benign/malignant family differs from the documentation: the excised diameter (lesion + 2 × narrowest margin), the site group, and the pathology. Why: the tier is the most common excision error and is checked in audits by re-doing the arithmetic. Example: 1.5 cm BCC with 0.4 cm margins on the arm = 2.3 cm excised → 11603, not 11602. Source: CPT excision guidelines as taught by AAPC (2020).",
    },
    Rule {
        code: code_shave_size::CODE,
        severity: Severity::Error,
        title: "Shave removal code does not match size or site",
        doc: "A shave removal code (11300–11313) whose size tier or site group differs from the lesion diameter and site documented. Example: 0.8 cm lesion of the cheek → 11311, not 11301. Source: CPT 11300–11313 descriptors.",
    },
    Rule {
        code: code_repair_missing::CODE,
        severity: Severity::Warning,
        title: "Intermediate or complex repair not billed",
        doc: "An intermediate (layered) or complex repair documented with its length but absent from the Billing section. Why: money left unbilled; intermediate and complex repairs are separately reportable with an excision. Example: `Repair: intermediate, 5.0 cm` on the arm → add `- 12032`. Source: CPT repair guidelines; CMS NCCI Policy Manual ch. III.",
    },
    Rule {
        code: code_repair_code::CODE,
        severity: Severity::Error,
        title: "Repair code does not match the documentation",
        doc: "A repair code whose complexity (simple, intermediate, complex), site group or length tier differs from the documentation (lengths of the same class and site group are summed), or a repair billed where only a simple closure, which the excision includes, is documented. Example: intermediate repair 3.0 cm on the trunk → 12032, not 12031. Source: CPT repair guidelines (12001–13153); CMS NCCI Policy Manual ch. III.",
    },
    Rule {
        code: code_mohs_stages::CODE,
        severity: Severity::Error,
        title: "Mohs codes or units do not match the stages and site",
        doc: "Mohs codes or units that differ from the documented stages, blocks and site: 17311/17312 head, neck, hands, feet, genitalia; 17313/17314 trunk, arms, legs; the first stage is the primary code, each further stage one unit of the add-on, 17315 for each block beyond five in a stage. Example: two stages on the shin billed 17311 + 17312 → 17313 + 17314. Source: CPT 17311–17315 descriptors; AAD Mohs coding guidance.",
    },
    Rule {
        code: code_missing_code::CODE,
        severity: Severity::Warning,
        title: "Documented procedure not billed",
        doc: "A documented, billable procedure (or units of one) with no line in the Billing section. Why: money left unbilled. Example: three shave biopsies billed `11102` alone → add `- 11103 x2`. Source: the derived claim (CODING-RULES.md).",
    },
    Rule {
        code: code_unsupported_code::CODE,
        severity: Severity::Error,
        title: "Billed code the documentation does not support",
        doc: "A billed code (or units of one) that no documented procedure supports. Why: a code without documentation is an overpayment in any audit. Example: NB-UVB documented, 96912 (PUVA) billed → 96900. Source: CMS documentation guidelines; the derived claim (CODING-RULES.md).",
    },
    Rule {
        code: code_mue::CODE,
        severity: Severity::Error,
        title: "Units above the medically unlikely edit",
        doc: "Units of a code, summed over its lines, above the code's practitioner MUE (the most units CMS pays for one patient on one day). Why: the excess units are denied without review. Example: `- 17003 x14` (MUE 13). Source: CMS practitioner MUE table 2026.",
    },
    Rule {
        code: code_dx_mismatch::CODE,
        severity: Severity::Error,
        title: "Diagnosis contradicts the procedure code",
        doc: "A diagnosis code on a Billing line that contradicts the procedure: a benign diagnosis (L82 seborrheic keratosis, B07 wart, D22 nevus, L72 cyst) on a premalignant or malignant code, a premalignant one (L57.0 actinic keratosis) on a benign or malignant code, a malignant one (C43, C44, D03, D04) on a benign code. Why: the payer edits code against diagnosis and denies the line. Example: `- 17000  Dx: L82.1` → `Dx: L57.0`. Source: CPT descriptors; ICD-10-CM FY2026.",
    },
];

/// A billed line whose code is in the table.
pub(super) struct Billed<'a> {
    pub line: &'a BillingLine,
    pub code: &'a str,
    pub row: &'a CodeRow,
}

/// Why a billed line no documented procedure supports is there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Extra {
    /// Another billed code bundles it (column 1 with this in column 2).
    Bundled {
        by: usize,
    },
    /// An E/M with 25 that the documentation does not make separate.
    EmWith25,
    /// A destruction beside the documented destruction codes.
    Destruction,
    Mohs,
    Repair,
    Other,
}

/// One discrepancy between the Billing section and the derived claim.
pub(super) enum Issue {
    /// Billed line `billed` where derived line `derived` was expected.
    WrongCode { billed: usize, derived: usize },
    /// A code billed and derived with different total units.
    Units {
        code: String,
        billed: Vec<usize>,
        billed_units: u32,
        derived_units: u32,
    },
    /// A billed line nothing supports.
    Extra { billed: usize, why: Extra },
    /// A derived line not billed.
    Missing { derived: usize },
}

/// The Billing section reconciled with the derived claim.
pub(super) struct Recon<'a> {
    pub section: &'a BillingSection,
    pub billed: Vec<Billed<'a>>,
    pub derived: &'a [ClaimLine],
    /// The row of each derived line's code, looked up once for every rule.
    pub derived_rows: Vec<Option<&'a CodeRow>>,
    /// The indices of `billed` grouped by code: codes in order, and lines
    /// in order within a code.
    pub by_code: Vec<usize>,
    /// For each billed line, the derived line it corresponds to (same code,
    /// or the one it should be).
    pub partner: Vec<Option<usize>>,
    pub issues: Vec<Issue>,
}

/// The modifiers the claim rules decide, normalised (X{EPSU} count as 59).
pub(super) fn decided(m: &str) -> Option<&'static str> {
    match m {
        "25" => Some("25"),
        "57" => Some("57"),
        "58" => Some("58"),
        "59" | "XE" | "XP" | "XS" | "XU" => Some("59"),
        _ => None,
    }
}

/// A coarse family: codes that can stand for one another when a coder picks
/// the wrong one.
fn coarse(f: Family) -> Option<u8> {
    Some(match f {
        Family::Biopsy => 0,
        Family::ShaveRemoval => 1,
        Family::ExcisionBenign | Family::ExcisionMalignant => 2,
        Family::RepairSimple | Family::RepairIntermediate | Family::RepairComplex => 3,
        Family::DestructionPremalignant | Family::DestructionBenign => 4,
        Family::DestructionMalignant => 5,
        Family::Mohs => 6,
        Family::Phototherapy => 7,
        Family::Em => 8,
        Family::Pathology | Family::Other => return None,
    })
}

pub(super) fn is_destruction(f: Family) -> bool {
    matches!(
        f,
        Family::DestructionPremalignant | Family::DestructionBenign
    )
}

pub(super) fn is_repair(f: Family) -> bool {
    matches!(
        f,
        Family::RepairSimple | Family::RepairIntermediate | Family::RepairComplex
    )
}

pub(super) fn is_excision(f: Family) -> bool {
    matches!(f, Family::ExcisionBenign | Family::ExcisionMalignant)
}

impl<'a> Recon<'a> {
    /// `rows`: the row of each Billing line's code, in order.
    pub(super) fn new(ctx: &Ctx<'a>, rows: &[Option<&'a CodeRow>]) -> Option<Recon<'a>> {
        let section = ctx.facts.billing.as_ref()?;
        let billed: Vec<Billed<'a>> = section
            .lines
            .iter()
            .zip(rows)
            .filter_map(|(line, row)| {
                let (code, _) = line.code.as_ref()?;
                let row = (*row)?;
                Some(Billed {
                    line,
                    code: code.as_str(),
                    row,
                })
            })
            .collect();
        let derived = &ctx.claim.lines[..];
        let derived_rows: Vec<Option<&CodeRow>> =
            derived.iter().map(|d| ctx.table.get(&d.cpt)).collect();
        let mut partner: Vec<Option<usize>> = vec![None; billed.len()];
        let mut issues = Vec::new();

        // 1. Matched codes: units and modifiers.
        // The billed lines grouped by code, codes in order and lines in
        // order within a code (a stable sort of their indices): what a map
        // from code to lines gives, in one allocation.
        let mut order: Vec<usize> = (0..billed.len()).collect();
        order.sort_by_key(|&i| billed[i].code);
        let mut derived_used = vec![false; derived.len()];
        // The derived lines of each code in turn, in one list reused.
        let mut same: Vec<usize> = Vec::new();
        for lines in order.chunk_by(|&a, &b| billed[a].code == billed[b].code) {
            let code = &billed[lines[0]].code;
            same.clear();
            same.extend((0..derived.len()).filter(|&d| derived[d].cpt == *code));
            if same.is_empty() {
                continue;
            }
            for &d in &same {
                derived_used[d] = true;
            }
            for &b in lines {
                partner[b] = Some(closest(&billed[b], derived, &same));
            }
            let billed_units: u32 = lines
                .iter()
                .map(|&b| billed[b].line.units_or_one())
                .fold(0u32, u32::saturating_add);
            let derived_units: u32 = same.iter().map(|&d| derived[d].units).sum();
            if billed_units != derived_units {
                issues.push(Issue::Units {
                    code: code.to_string(),
                    billed: lines.to_vec(),
                    billed_units,
                    derived_units,
                });
            }
        }

        // 2. Wrong codes: a billed code not derived, paired with a derived
        // code not billed of the same family (then of the same coarse
        // family), add-on with add-on first.
        let mut free_billed: Vec<usize> = (0..billed.len())
            .filter(|&b| partner[b].is_none())
            .collect();
        type Same = fn(&CodeRow, &CodeRow) -> bool;
        let passes: [Same; 3] = [
            |a, b| a.family == b.family && a.addon == b.addon,
            |a, b| {
                coarse(a.family).is_some()
                    && coarse(a.family) == coarse(b.family)
                    && a.addon == b.addon
            },
            |a, b| coarse(a.family).is_some() && coarse(a.family) == coarse(b.family),
        ];
        for same in passes {
            free_billed.retain(|&b| {
                let found = (0..derived.len()).find(|&d| {
                    !derived_used[d] && derived_rows[d].is_some_and(|row| same(billed[b].row, row))
                });
                match found {
                    Some(d) => {
                        derived_used[d] = true;
                        partner[b] = Some(d);
                        issues.push(Issue::WrongCode {
                            billed: b,
                            derived: d,
                        });
                        false
                    }
                    None => true,
                }
            });
        }

        // 3. Extra billed lines and missing derived ones.
        // What the extra lines ask of the derived codes' families, found
        // without listing them.
        let derives =
            |pred: fn(Family) -> bool| derived_rows.iter().flatten().any(|r| pred(r.family));
        let derives_destruction = derives(is_destruction);
        let derives_mohs = derives(|f| f == Family::Mohs);
        for b in free_billed {
            let this = &billed[b];
            let bundled_by = (0..billed.len()).find(|&o| {
                o != b
                    && billed[o].code != this.code
                    && ctx
                        .table
                        .ncci(billed[o].code, this.code)
                        .is_some_and(|p| p.is_active())
            });
            let family = this.row.family;
            // 17004 beside 17000/17003 is a counting error first, whatever
            // NCCI says about the pair.
            let why = if is_destruction(family) && derives_destruction {
                Extra::Destruction
            } else if family == Family::Mohs && derives_mohs {
                Extra::Mohs
            } else if family == Family::Em && this.line.modifiers.iter().any(|m| m.0 == "25") {
                Extra::EmWith25
            } else if let Some(by) = bundled_by {
                Extra::Bundled { by }
            } else if is_repair(family) {
                Extra::Repair
            } else {
                Extra::Other
            };
            issues.push(Issue::Extra { billed: b, why });
        }
        for (d, used) in derived_used.iter().enumerate() {
            if !used {
                issues.push(Issue::Missing { derived: d });
            }
        }
        Some(Recon {
            section,
            billed,
            derived,
            derived_rows,
            by_code: order,
            partner,
            issues,
        })
    }

    /// True when the Billing section bills any code of a family that
    /// `pred` accepts.
    pub(super) fn bills(&self, pred: impl Fn(Family) -> bool) -> bool {
        self.billed.iter().any(|b| pred(b.row.family))
    }
}

/// The derived line among `candidates` whose modifiers are closest to the
/// billed line's.
fn closest(b: &Billed, derived: &[ClaimLine], candidates: &[usize]) -> usize {
    let have = modifier_set(b.line.modifiers.iter().map(|m| m.0.as_str()));
    *candidates
        .iter()
        .min_by_key(|&&d| {
            let want = modifier_set(derived[d].modifiers.iter().map(String::as_str));
            want.differences(have)
        })
        .expect("candidates are not empty")
}

/// The set of the decided modifiers (see [`decided`]) among `mods`.
pub(super) fn modifier_set<'s>(mods: impl Iterator<Item = &'s str>) -> ModifierSet {
    ModifierSet(
        mods.filter_map(decided)
            .fold(0, |set, m| set | ModifierSet::bit(m)),
    )
}

/// A set of decided modifiers, one bit each: what a set of their strings
/// tells, without allocating one for every billed and derived line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct ModifierSet(u8);

impl ModifierSet {
    /// The bit of a modifier [`decided`] gives; none for any other text.
    fn bit(m: &str) -> u8 {
        match m {
            "25" => 1,
            "57" => 2,
            "58" => 4,
            "59" => 8,
            _ => 0,
        }
    }

    /// Whether the set holds `m` (a modifier [`decided`] gives).
    pub(super) fn contains(self, m: &str) -> bool {
        let bit = ModifierSet::bit(m);
        bit != 0 && self.0 & bit != 0
    }

    /// How many modifiers one set holds and the other does not.
    fn differences(self, other: ModifierSet) -> u32 {
        (self.0 ^ other.0).count_ones()
    }
}

/// The text of the code, modifiers and units of a billed line, for a
/// replacement: from the code to the end of the last modifier or units.
pub(super) fn claim_part(line: &BillingLine) -> Option<Span> {
    let (_, code) = line.code.as_ref()?;
    let mut end = code.end;
    if let Some(m) = line.modifiers.last() {
        end = end.max(m.1.end);
    }
    if let Some(u) = line.units {
        end = end.max(u.1.end);
    }
    if let Some(u) = line.bad_units {
        end = end.max(u.end);
    }
    Some(Span::new(code.start, end))
}

/// A fix replacing a billed line's code, modifiers and units with a derived
/// line's.
fn replace_with(line: &BillingLine, with: &ClaimLine) -> Option<Fix> {
    let span = claim_part(line)?;
    Some(Fix::new(
        ["Replace with ", &with.label()].concat(),
        vec![Edit::new(span, with.label())],
    ))
}

/// A fix deleting a billed line.
pub(super) fn delete_line(text: &str, line: &BillingLine) -> Fix {
    let what = line
        .code
        .as_ref()
        .map(|c| c.0.as_str())
        .unwrap_or("the line");
    Fix::new(
        ["Remove the ", what, " line"].concat(),
        vec![fix::line::delete(text, line)],
    )
}

/// A fix inserting a derived line at the end of the Billing section.
pub(super) fn insert_line(ctx: &Ctx, section: &BillingSection, line: &ClaimLine) -> Fix {
    Fix::new(
        ["Add ", &line.label()].concat(),
        vec![fix::line::insert_item(ctx.text, section.span, line)],
    )
}

/// A fix that makes the units of `code` (billed on `lines`) total `want`:
/// the last line takes the difference; lines are removed from the end when
/// there are too many units.
pub(super) fn units_fix(
    ctx: &Ctx,
    recon: &Recon,
    lines: &[usize],
    have: u32,
    want: u32,
) -> Option<Fix> {
    let &last = lines.last()?;
    let code = recon.billed[last].code;
    let title = if want == 1 {
        ["Bill ", code, " once"].concat()
    } else {
        ["Bill ", code, " x", itoa::Buffer::new().format(want)].concat()
    };
    let mut edits = Vec::new();
    if want > have {
        let line = recon.billed[last].line;
        edits.push(fix::line::set_units(
            ctx.text,
            line,
            line.units_or_one() + (want - have),
        )?);
    } else if want == 0 {
        return None;
    } else {
        let mut excess = have - want;
        for &b in lines.iter().rev() {
            if excess == 0 {
                break;
            }
            let line = recon.billed[b].line;
            let units = line.units_or_one();
            if units <= excess {
                edits.push(fix::line::delete(ctx.text, line));
                excess -= units;
            } else {
                edits.push(fix::line::set_units(ctx.text, line, units - excess)?);
                excess = 0;
            }
        }
    }
    Some(Fix::new(title, edits))
}

/// A wrong-code issue whose derived line is in a family `pred` accepts:
/// the billed line, the derived line and the derived code's row.
pub(super) fn wrong_code<'r>(
    recon: &'r Recon,
    issue: &Issue,
    pred: impl Fn(Family) -> bool,
) -> Option<(&'r Billed<'r>, &'r ClaimLine, &'r CodeRow)> {
    let Issue::WrongCode { billed, derived } = *issue else {
        return None;
    };
    let d = &recon.derived[derived];
    let row = recon.derived_rows[derived]?;
    pred(row.family).then(|| (&recon.billed[billed], d, row))
}

/// An extra-line issue whose reason is `why`: the billed line nothing
/// supports.
pub(super) fn extra<'r>(recon: &'r Recon, issue: &Issue, why: Extra) -> Option<&'r Billed<'r>> {
    match *issue {
        Issue::Extra { billed, why: w } if w == why => Some(&recon.billed[billed]),
        _ => None,
    }
}

/// A units issue whose code is in a family `pred` accepts: the code, its
/// billed lines, and the units billed and derived.
pub(super) fn units<'r>(
    recon: &Recon,
    issue: &'r Issue,
    pred: impl Fn(Family) -> bool,
) -> Option<(&'r str, &'r [usize], u32, u32)> {
    let Issue::Units {
        code,
        billed,
        billed_units,
        derived_units,
    } = issue
    else {
        return None;
    };
    // The billed lines' row: the row of `code`, looked up once already.
    let row = recon.billed[*billed.first()?].row;
    pred(row.family).then_some((code.as_str(), &billed[..], *billed_units, *derived_units))
}

/// A missing-line issue whose derived line is in a family `pred` accepts:
/// the derived line.
pub(super) fn missing<'r>(
    recon: &'r Recon,
    issue: &Issue,
    pred: impl Fn(Family) -> bool,
) -> Option<&'r ClaimLine> {
    let Issue::Missing { derived } = *issue else {
        return None;
    };
    let d = &recon.derived[derived];
    let row = recon.derived_rows[derived]?;
    pred(row.family).then_some(d)
}

/// The finding on a wrong code: at the billed code, with the fix that
/// replaces it with the derived line and the procedures that line comes
/// from.
pub(super) fn wrong_code_finding(
    ctx: &Ctx,
    rule: &'static str,
    b: &Billed,
    d: &ClaimLine,
    message: String,
) -> Finding {
    let f = Finding::new(rule, code_span(b.line), message).with_fix(replace_with(b.line, d));
    with_sources(f, ctx, d)
}

/// The finding on a billed line nothing supports: at its code, with the fix
/// that deletes the line.
pub(super) fn extra_finding(ctx: &Ctx, rule: &'static str, b: &Billed, message: String) -> Finding {
    Finding::new(rule, code_span(b.line), message).with_fix(Some(delete_line(ctx.text, b.line)))
}

/// The finding on a derived line not billed: at the Billing heading, with
/// the fix that adds the line and the procedures it comes from.
pub(super) fn missing_finding(
    ctx: &Ctx,
    recon: &Recon,
    rule: &'static str,
    d: &ClaimLine,
    message: String,
) -> Finding {
    let f = Finding::new(rule, recon.section.heading, message).with_fix(Some(insert_line(
        ctx,
        recon.section,
        d,
    )));
    with_sources(f, ctx, d)
}

/// Why the claim left a billed code off, when it considered it.
pub(super) fn dropped_reason(ctx: &Ctx, code: &str) -> Option<String> {
    ctx.claim
        .dropped
        .iter()
        .find(|l| l.cpt == code)
        .map(|l| l.why.clone())
}

/// A finding on the units of a code billed and derived with different
/// totals, with the fix that sets them.
pub(super) fn units_finding(
    ctx: &Ctx,
    recon: &Recon,
    rule: &'static str,
    lines: &[usize],
    have: u32,
    want: u32,
    message: String,
) -> Finding {
    let last = recon.billed[*lines.last().expect("billed lines")].line;
    let span = last.units.map(|u| u.1).unwrap_or(code_span(last));
    Finding::new(rule, span, message).with_fix(units_fix(ctx, recon, lines, have, want))
}

/// The units findings of codes without a counting rule of their own (not a
/// destruction, not Mohs): too few units (`too_many` false) or too many.
pub(super) fn plain_units(
    ctx: &Ctx,
    recon: &Recon,
    rule: &'static str,
    too_many: bool,
    out: &mut Vec<Finding>,
) {
    // Destruction and Mohs units have rules of their own.
    let plain = |f| !is_destruction(f) && f != Family::Mohs;
    for issue in &recon.issues {
        let Some((code, billed, billed_units, derived_units)) = units(recon, issue, plain) else {
            continue;
        };
        if (billed_units > derived_units) != too_many {
            continue;
        }
        out.push(units_finding(
            ctx,
            recon,
            rule,
            billed,
            billed_units,
            derived_units,
            [
                code,
                " is billed for ",
                itoa::Buffer::new().format(billed_units),
                " unit(s), but the documentation supports ",
                itoa::Buffer::new().format(derived_units),
                ".",
            ]
            .concat(),
        ));
    }
}

/// The span a finding about a billed line points at: its code.
pub(super) fn code_span(line: &BillingLine) -> Span {
    line.code.as_ref().map(|c| c.1).unwrap_or(line.body)
}

/// Related information: the procedure headings a derived line comes from.
fn with_sources(mut f: Finding, ctx: &Ctx, line: &ClaimLine) -> Finding {
    for p in &line.procedures {
        if let Some(proc) = ctx.facts.procedures.get(*p) {
            f = f.with_related(
                proc.heading,
                [line.cpt.as_str(), " comes from this procedure"].concat(),
            );
        }
    }
    f
}

/// `1.1 to 2.0 cm, trunk, arms or legs` for a tiered code.
pub(super) fn tier_text(row: &CodeRow) -> String {
    // Written piece by piece into one string: the tier, then the group
    // with its `-`s as `, `, joined by `, ` when there are both.
    let mut s = String::with_capacity(48 + 2 * row.group.as_ref().map_or(0, String::len));
    match (row.tier_min.filter(|&m| m > 0), row.tier_max) {
        (None, Some(max)) => {
            s.push_str("up to ");
            push_cm_one_decimal(&mut s, max);
            s.push_str(" cm");
        }
        (Some(min), Some(max)) => {
            s.push_str("over ");
            push_cm_one_decimal(&mut s, min);
            s.push_str(" to ");
            push_cm_one_decimal(&mut s, max);
            s.push_str(" cm");
        }
        (Some(min), None) => {
            s.push_str("over ");
            push_cm_one_decimal(&mut s, min);
            s.push_str(" cm");
        }
        (None, None) => {}
    }
    if let Some(group) = row.group.as_deref().filter(|g| !g.is_empty()) {
        if !s.is_empty() {
            s.push_str(", ");
        }
        // Each `-` as `, `, found among the bytes (it is one byte, which no
        // other character's bytes hold) rather than split a character at
        // a time.
        let mut start = 0;
        for (i, &b) in group.as_bytes().iter().enumerate() {
            if b == b'-' {
                s.push_str(&group[start..i]);
                s.push_str(", ");
                start = i + 1;
            }
        }
        s.push_str(&group[start..]);
    }
    s
}

/// Micrometres as centimetres with one decimal, written onto the end of
/// `s` as `{:.1}` writes the `f64` quotient. Tier bounds are whole tenths
/// of a centimetre, which that writes exactly, so they are written from
/// integers without the float formatter; other values go through it.
fn push_cm_one_decimal(s: &mut String, um: u32) {
    if um % 1_000 == 0 {
        let tenths = um / 1_000;
        s.push_str(itoa::Buffer::new().format(tenths / 10));
        s.push('.');
        s.push(char::from(b'0' + (tenths % 10) as u8));
    } else {
        use std::fmt::Write as _;
        let _ = write!(s, "{:.1}", f64::from(um) / 10_000.0);
    }
}

/// Runs every `code/*` rule on an encounter with a Billing section.
/// `rows`: the row of each Billing line's code, in order.
pub(super) fn check<'a>(ctx: &Ctx<'a>, rows: &[Option<&'a CodeRow>], out: &mut Vec<Finding>) {
    let Some(recon) = Recon::new(ctx, rows) else {
        return;
    };
    code_biopsy_technique_mismatch::check(ctx, &recon, out);
    code_excision_size::check(ctx, &recon, out);
    code_shave_size::check(ctx, &recon, out);
    code_repair_code::check(ctx, &recon, out);
    code_repair_missing::check(ctx, &recon, out);
    code_mohs_stages::check(ctx, &recon, out);
    code_destruction_series::check(ctx, &recon, out);
    code_destruction_units::check(ctx, &recon, out);
    code_ncci_bundle::check(ctx, &recon, out);
    code_missing_modifier::check(ctx, &recon, out);
    code_unsupported_modifier::check(ctx, &recon, out);
    code_addon_without_primary::check(ctx, &recon, out);
    code_missing_code::check(ctx, &recon, out);
    code_unsupported_code::check(ctx, &recon, out);
    code_mue::check(ctx, &recon, out);
    code_dx_mismatch::check(ctx, &recon, out);
}

#[cfg(test)]
use super::fired;

/// The text after applying the fixes of `code`'s findings, and whether
/// `code` still fires on it (tests).
#[cfg(test)]
fn fixed(text: &str, code: &str) -> (String, Vec<String>) {
    let table = crate::codes::CodeTable::builtin();
    let options = crate::analysis::Options::default();
    let a = crate::analysis::analyze(text, table, &options);
    let edits: Vec<Edit> = a
        .findings
        .iter()
        .filter(|f| f.code == code)
        .filter_map(|f| f.fix.as_ref())
        .flat_map(|f| f.edits.iter().cloned())
        .collect();
    assert!(!edits.is_empty(), "{code} offers no fix");
    let (after, _) = fix::apply(text, &edits);
    let again: Vec<String> = fired(&after, code).iter().map(|s| s.to_string()).collect();
    (after, again)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_with_their_severity() {
        assert_eq!(RULES.len(), 16);
        for r in RULES {
            let want = if matches!(r.code, "code/missing-code" | "code/repair-missing") {
                Severity::Warning
            } else {
                Severity::Error
            };
            assert_eq!(r.severity, want, "{}", r.code);
        }
    }

    #[test]
    fn tiers_read_in_centimetres() {
        let t = crate::codes::CodeTable::builtin();
        assert_eq!(
            tier_text(t.get("11603").unwrap()),
            "over 2.0 to 3.0 cm, trunk, arms, legs"
        );
        assert_eq!(
            tier_text(t.get("11300").unwrap()),
            "up to 0.5 cm, trunk, arms, legs"
        );
    }

    /// The tier text as it was written with `format!`.
    fn reference_tier_text(row: &CodeRow) -> String {
        let cm = |um: u32| format!("{:.1}", f64::from(um) / 10_000.0);
        let tier = match (row.tier_min.filter(|&m| m > 0), row.tier_max) {
            (None, Some(max)) => format!("up to {} cm", cm(max)),
            (Some(min), Some(max)) => format!("over {} to {} cm", cm(min), cm(max)),
            (Some(min), None) => format!("over {} cm", cm(min)),
            (None, None) => String::new(),
        };
        let group = row
            .group
            .as_deref()
            .map(|g| g.replace('-', ", "))
            .unwrap_or_default();
        match (tier.is_empty(), group.is_empty()) {
            (false, false) => format!("{tier}, {group}"),
            (false, true) => tier,
            (true, false) => group,
            (true, true) => String::new(),
        }
    }

    #[test]
    fn tier_texts_agree_with_format() {
        let t = crate::codes::CodeTable::builtin();
        let groups = [
            None,
            Some(""),
            Some("a"),
            Some("-"),
            Some("a--b-"),
            Some("face"),
            Some("é-×-"),
        ];
        let bounds = [None, Some(0), Some(5_000), Some(12_345), Some(u32::MAX)];
        for row in t.rows() {
            assert_eq!(tier_text(row), reference_tier_text(row), "{}", row.code);
            for group in groups {
                for min in bounds {
                    for max in bounds {
                        let mut r = row.clone();
                        r.group = group.map(str::to_string);
                        r.tier_min = min;
                        r.tier_max = max;
                        assert_eq!(tier_text(&r), reference_tier_text(&r));
                    }
                }
            }
        }
    }

    /// The modifier set as it was: the decided modifiers' strings.
    fn reference_set<'s>(
        mods: impl Iterator<Item = &'s str>,
    ) -> std::collections::BTreeSet<&'static str> {
        mods.filter_map(decided).collect()
    }

    proptest::proptest! {
        /// The bits hold what the set of strings held: the same members
        /// and the same count of modifiers in one set but not the other.
        #[test]
        fn modifier_sets_agree_with_sets_of_strings(
            a in proptest::collection::vec("25|57|58|59|XE|XP|XS|XU|76|LT|xs|5|é|", 0..5),
            b in proptest::collection::vec("25|57|58|59|XE|XP|XS|XU|76|LT|xs|5|é|", 0..5),
            probe in "25|57|58|59|XS|76|",
        ) {
            let (sa, sb) = (modifier_set(a.iter().map(String::as_str)), modifier_set(b.iter().map(String::as_str)));
            let (ra, rb) = (reference_set(a.iter().map(String::as_str)), reference_set(b.iter().map(String::as_str)));
            proptest::prop_assert_eq!(
                sa.differences(sb) as usize,
                ra.symmetric_difference(&rb).count()
            );
            proptest::prop_assert_eq!(sa.contains(&probe), ra.contains(probe.as_str()));
        }
    }

    /// The integer path writes what the float formatter writes.
    #[test]
    fn centimetres_agree_with_the_float_formatter() {
        let values = (0..200_000u32)
            .step_by(7)
            .chain((0..2_000).map(|i| i * 1_000))
            .chain([u32::MAX, u32::MAX - 999, 4_294_967_000]);
        for um in values {
            let mut s = String::new();
            push_cm_one_decimal(&mut s, um);
            assert_eq!(s, format!("{:.1}", f64::from(um) / 10_000.0), "{um}");
        }
    }
}
