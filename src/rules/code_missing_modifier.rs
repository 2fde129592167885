//! `code/missing-modifier`: a modifier the documentation supports and the
//! claim needs is absent: 25 on an E/M with a separately identifiable
//! problem on a procedure day, 59 (or XS) on a procedure at a distinct site
//! or lesion that NCCI otherwise bundles, 58 on a staged procedure in a
//! global period.
//!
//! Example: `- 99213` on a day with a biopsy and a separately managed
//! psoriasis fires; the fix makes it `- 99213-25`.
//!
//! Source: CMS Claims Processing Manual ch. 12 §40 (25, 58); CMS NCCI Policy
//! Manual; CMS MLN "Proper use of modifiers 59, XE, XP, XS, XU".

use super::{Recon, code_span, decided, modifier_set};
use crate::fix::{self, Fix};
use crate::rules::{Ctx, Finding};

pub(super) const CODE: &str = "code/missing-modifier";

pub(super) fn check(_ctx: &Ctx, recon: &Recon, out: &mut Vec<Finding>) {
    for (i, b) in recon.billed.iter().enumerate() {
        let Some(d) = recon.partner[i].map(|d| &recon.derived[d]) else {
            continue;
        };
        if d.cpt != b.code {
            continue;
        }
        let have = modifier_set(b.line.modifiers.iter().map(|m| m.0.as_str()));
        for m in &d.modifiers {
            let Some(norm) = decided(m) else { continue };
            if have.contains(norm) {
                continue;
            }
            let why = match norm {
                "25" => "the E/M addresses a separately identifiable problem on a procedure day",
                "58" => "the procedure is a planned, staged procedure within a global period",
                _ => {
                    "the procedure is of a separate lesion or site from the one it is bundled with"
                }
            };
            out.push(
                Finding::new(
                    CODE,
                    code_span(b.line),
                    [b.code, " needs modifier ", m, ": ", why, ". ", &d.why].concat(),
                )
                .with_fix(
                    fix::line::add_modifier(b.line, m)
                        .map(|e| Fix::new(["Add modifier ", m, " to ", b.code].concat(), vec![e])),
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{fired, fixed};
    use super::CODE;

    const NOTE: &str = "# Encounter 2026-06-03\nPayer: Medicare\nE/M: 99213\n\n## Assessment and plan\n1. Plaque psoriasis of the elbows and knees (L40.0): continue calcipotriene-betamethasone ointment daily, follow up in 3 months.\n2. Lesion of the right forearm, r/o SCC: shave biopsy, see procedure 1.\n3. Actinic keratosis of the left cheek: cryotherapy, see procedure 2.\n\n## Procedure 1: shave biopsy\nSite: right dorsal forearm, 6 cm proximal to the wrist\nLesion: 0.8 cm keratotic pink papule\nIndication: r/o SCC\nTechnique: tangential biopsy with a DermaBlade\nPathology: sent\nDx: D49.2\n\n## Procedure 2: cryotherapy\n1 AK on the left cheek treated with LN2.\nDx: L57.0\n\n## Billing\n- 99213  Dx: L40.0\n- 11102  Dx: D49.2\n- 17000  Dx: L57.0\n";

    #[test]
    fn fires_on_the_e_m_and_the_distinct_biopsy() {
        assert_eq!(fired(NOTE, CODE), ["99213", "11102"]);
    }

    #[test]
    fn silent_with_the_modifiers() {
        let ok = NOTE
            .replace("- 99213 ", "- 99213-25 ")
            .replace("- 11102 ", "- 11102-XS ");
        assert!(fired(&ok, CODE).is_empty());
    }

    #[test]
    fn fix_adds_the_modifiers() {
        let (after, again) = fixed(NOTE, CODE);
        assert!(
            after.ends_with("- 99213-25  Dx: L40.0\n- 11102-59  Dx: D49.2\n- 17000  Dx: L57.0\n"),
            "{after}"
        );
        assert!(again.is_empty());
    }
}
