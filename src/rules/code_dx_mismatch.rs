//! `code/dx-mismatch`: a diagnosis code on a Billing line that contradicts
//! the procedure code: a benign diagnosis (L82 seborrheic keratosis, B07
//! wart, D22 nevus, D23 benign neoplasm, L72 cyst) on a premalignant or
//! malignant code, a premalignant one (L57.0 actinic keratosis) on a benign
//! or malignant code, a malignant one (C43, C4A, C44, D03, D04) on a benign
//! code.
//!
//! Example: `- 17000  Dx: L82.1` fires; the fix puts the documented
//! diagnosis (`L57.0`).
//!
//! Source: CPT 17000–17286, 11400–11646, 17311–17315 descriptors;
//! ICD-10-CM FY2026.

use super::Recon;
use crate::codes::Family;
use crate::extract::is_malignant_dx;
use crate::fix::{self, Fix};
use crate::rules::{Ctx, Finding};

pub(super) const CODE: &str = "code/dx-mismatch";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Benign,
    Premalignant,
    Malignant,
}

impl Class {
    fn as_str(self) -> &'static str {
        match self {
            Class::Benign => "benign",
            Class::Premalignant => "premalignant",
            Class::Malignant => "malignant",
        }
    }
}

fn dx_class(code: &str) -> Option<Class> {
    let c = code.to_ascii_uppercase();
    if c.starts_with("L57.0") {
        Some(Class::Premalignant)
    } else if is_malignant_dx(&c) {
        Some(Class::Malignant)
    } else if ["L82", "B07", "B08.1", "D22", "D23", "L72", "D17", "D18"]
        .iter()
        .any(|p| c.starts_with(p))
    {
        Some(Class::Benign)
    } else {
        None
    }
}

/// The diagnosis classes a code family contradicts.
fn contradicts(family: Family, class: Class) -> bool {
    match family {
        Family::DestructionPremalignant => class != Class::Premalignant,
        Family::DestructionBenign => class != Class::Benign,
        Family::DestructionMalignant | Family::Mohs | Family::ExcisionMalignant => {
            class != Class::Malignant
        }
        Family::ExcisionBenign => class == Class::Malignant,
        _ => false,
    }
}

/// Whether any diagnosis class contradicts a code of `family`: the codes
/// of other families need no diagnosis read.
fn can_contradict(family: Family) -> bool {
    matches!(
        family,
        Family::DestructionPremalignant
            | Family::DestructionBenign
            | Family::DestructionMalignant
            | Family::Mohs
            | Family::ExcisionMalignant
            | Family::ExcisionBenign
    )
}

fn code_kind(family: Family) -> &'static str {
    match family {
        Family::DestructionPremalignant => "a premalignant-lesion destruction code",
        Family::DestructionBenign => "a benign-lesion destruction code",
        Family::DestructionMalignant => "a malignant-lesion destruction code",
        Family::Mohs => "a Mohs code (malignant lesions)",
        Family::ExcisionMalignant => "a malignant excision code",
        _ => "a benign excision code",
    }
}

pub(super) fn check(_ctx: &Ctx, recon: &Recon, out: &mut Vec<Finding>) {
    for (i, b) in recon.billed.iter().enumerate() {
        if !can_contradict(b.row.family) {
            continue;
        }
        let partner = recon.partner[i].map(|d| &recon.derived[d]);
        for (dx, span) in &b.line.dx {
            let Some(class) = dx_class(dx) else { continue };
            if !contradicts(b.row.family, class) {
                continue;
            }
            // The documented diagnoses, when they do not contradict the code.
            let documented = partner
                .filter(|d| d.cpt == b.code && !d.dx.is_empty())
                .map(|d| &d.dx)
                .filter(|dx| {
                    dx.iter()
                        .all(|x| dx_class(x).is_none_or(|c| !contradicts(b.row.family, c)))
                });
            let fix = documented.and_then(|d| {
                fix::line::replace_dx(b.line, d)
                    .map(|e| Fix::new(format!("Use Dx {}", d.join(", ")), vec![e]))
            });
            let advice = match documented {
                Some(d) => format!(" The note documents {}.", d.join(", ")),
                None => String::new(),
            };
            out.push(
                Finding::new(
                    CODE,
                    *span,
                    format!(
                        "{dx} is a {} diagnosis, which contradicts {} ({}).{advice}",
                        class.as_str(),
                        b.code,
                        code_kind(b.row.family)
                    ),
                )
                .with_fix(fix),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{fired, fixed};
    use super::CODE;

    /// The gate skips only families no class contradicts.
    #[test]
    fn only_families_no_class_contradicts_are_skipped() {
        use super::{Class, Family, can_contradict, contradicts};
        for family in Family::ALL {
            let any = [Class::Benign, Class::Premalignant, Class::Malignant]
                .into_iter()
                .any(|c| contradicts(family, c));
            assert_eq!(can_contradict(family), any, "{family}");
        }
    }

    const AK: &str = "# Encounter 2026-06-08\nPayer: Medicare\n\n## Procedure: cryotherapy\n1 actinic keratosis of the right temple treated with LN2, two freeze-thaw cycles.\nDx: L57.0\n\n## Billing\n- 17000  Dx: L82.1\n";

    #[test]
    fn fires_on_a_seborrheic_keratosis_on_17000() {
        assert_eq!(fired(AK, CODE), ["L82.1"]);
    }

    #[test]
    fn silent_on_the_documented_diagnosis() {
        assert!(fired(&AK.replace("Dx: L82.1", "Dx: L57.0"), CODE).is_empty());
    }

    #[test]
    fn fix_uses_the_documented_diagnosis() {
        let (after, again) = fixed(AK, CODE);
        assert!(after.ends_with("- 17000  Dx: L57.0\n"), "{after}");
        assert!(again.is_empty());
    }
}
