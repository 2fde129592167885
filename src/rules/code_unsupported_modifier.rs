//! `code/unsupported-modifier`: a modifier the documentation does not
//! support: 25 on an E/M with no separately identifiable problem, 59/XS on
//! a code that is not bundled with anything (an add-on such as 11103) or on
//! a biopsy of the same lesion as the other procedure, 58 with no staged
//! procedure.
//!
//! Example: `- 11103-59` for further biopsies fires; the fix removes the 59.
//!
//! Source: OIG, "Use of modifier 25" (2005) and the Nov 2025 dermatology
//! E/M report; OIG, "Use of modifier 59" (2005); CMS NCCI Policy Manual.

use super::{Extra, Issue, Recon, decided, delete_line, modifier_set};
use crate::fix::{self, Fix};
use crate::rules::{Ctx, Finding};

pub(super) const CODE: &str = "code/unsupported-modifier";

pub(super) fn check(ctx: &Ctx, recon: &Recon, out: &mut Vec<Finding>) {
    // Modifiers on a code the documentation supports, beyond what it needs.
    for (i, b) in recon.billed.iter().enumerate() {
        let Some(d) = recon.partner[i].map(|d| &recon.derived[d]) else {
            continue;
        };
        if d.cpt != b.code {
            continue;
        }
        let want = modifier_set(d.modifiers.iter().map(String::as_str));
        for (k, (m, span)) in b.line.modifiers.iter().enumerate() {
            let Some(norm) = decided(m) else { continue };
            if want.contains(norm) {
                continue;
            }
            let why = match norm {
                "25" => "no separately identifiable problem beyond the procedures is documented"
                    .to_string(),
                "58" => "no staged procedure within a global period is documented".to_string(),
                "57" => "57 (decision for surgery) belongs on an E/M before a major, 090-day-global procedure; skin excisions and biopsies have 0- or 10-day globals, so a separately identifiable E/M takes 25".to_string(),
                _ if b.row.addon => format!(
                    "{} is an add-on code, which NCCI does not bundle with its primary",
                    b.code
                ),
                _ => format!(
                    "nothing billed today bundles {} for a separate lesion or site",
                    b.code
                ),
            };
            out.push(
                Finding::new(
                    CODE,
                    *span,
                    format!("Modifier {m} is not supported: {why}."),
                )
                .with_fix(
                    fix::line::remove_modifier(ctx.text, b.line, k)
                        .map(|e| Fix::new(format!("Remove modifier {m}"), vec![e])),
                ),
            );
        }
    }
    // A modifier that tries to unbundle what the documentation bundles.
    for issue in &recon.issues {
        let Issue::Extra { billed, why } = *issue else {
            continue;
        };
        let b = &recon.billed[billed];
        for (m, span) in &b.line.modifiers {
            let message = match (why, decided(m)) {
                (Extra::EmWith25, Some("25")) => format!(
                    "Modifier 25 is not supported: no separately identifiable problem beyond the procedures is documented, so the E/M {} is part of the procedure and not billable.",
                    b.code
                ),
                (Extra::Bundled { by }, Some("59")) => format!(
                    "Modifier {m} is not supported: {} is of the same lesion or site as {}, which includes it.",
                    b.code, recon.billed[by].code
                ),
                _ => continue,
            };
            out.push(
                Finding::new(CODE, *span, message).with_fix(Some(delete_line(ctx.text, b.line))),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{fired, fixed};
    use super::CODE;

    const ADDONS: &str = "# Encounter 2026-06-02\nPayer: Medicare\n\n## Procedure: shave biopsies\nTechnique: tangential biopsy with a DermaBlade\n(A) right upper back, 5 cm below the acromion: 0.7 cm pearly papule, r/o BCC\n(B) left upper arm, posterior, 12 cm above the olecranon: 0.6 cm scaly pink papule, r/o SCC\n(C) right anterior thigh, 20 cm above the patella: 0.8 cm irregular brown macule, r/o dysplastic nevus\nPathology: sent\nDx: D49.2\n\n## Billing\n- 11102  Dx: D49.2\n- 11103-59  Dx: D49.2\n- 11103-59  Dx: D49.2\n";

    const EM: &str = "# Encounter 2026-06-03\nPayer: Medicare\nE/M: 99213\n\n## Procedure: shave biopsy\nSite: right dorsal forearm, 6 cm proximal to the wrist\nLesion: 0.8 cm keratotic pink papule\nIndication: r/o SCC\nTechnique: tangential biopsy with a DermaBlade\nPathology: sent\nDx: D49.2\n\n## Billing\n- 99213-25  Dx: D49.2\n- 11102  Dx: D49.2\n";

    #[test]
    fn fires_on_59_on_add_ons() {
        assert_eq!(fired(ADDONS, CODE), ["59", "59"]);
    }

    #[test]
    fn fires_on_25_without_a_separate_problem() {
        assert_eq!(fired(EM, CODE), ["25"]);
    }

    #[test]
    fn silent_without_the_modifiers() {
        assert!(fired(&ADDONS.replace("-59", ""), CODE).is_empty());
    }

    #[test]
    fn fix_removes_the_modifier() {
        let (after, again) = fixed(ADDONS, CODE);
        assert!(
            after.ends_with("- 11102  Dx: D49.2\n- 11103  Dx: D49.2\n- 11103  Dx: D49.2\n"),
            "{after}"
        );
        assert!(again.is_empty());
    }

    #[test]
    fn fix_removes_an_unbillable_e_m() {
        let (after, again) = fixed(EM, CODE);
        assert!(
            after.ends_with("## Billing\n- 11102  Dx: D49.2\n"),
            "{after}"
        );
        assert!(again.is_empty());
    }
}
