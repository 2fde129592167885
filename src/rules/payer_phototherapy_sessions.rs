//! `payer/phototherapy-sessions` (warning): Medicare, a phototherapy session
//! number above 36 when the encounter documents no reauthorization
//! (`reauthorization obtained`, `reauthorized`). The range is the session
//! number's field (`Session: 38`) or sentence. Example: `Payer: Medicare`,
//! `Session: 38`.
//!
//! Source: the product's source guide (Payer notes: "Medicare: phototherapy
//! 30-36 sessions, then reauthorization"), unverified; known doubt:
//! traditional Medicare has no prior authorization for phototherapy. Rows:
//! `data/payer_rules.csv`.

use super::{Ctx, Finding, enclosing, in_scope, rows};

const CODE: &str = "payer/phototherapy-sessions";

pub(super) fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    if ctx.facts.reauthorized {
        return;
    }
    for row in rows(ctx, CODE, ctx.claim.payer) {
        let Some(limit) = row.threshold else {
            continue;
        };
        for (_, p, _) in in_scope(ctx, &row.scope, false) {
            let Some((n, span)) = p.photo.as_ref().and_then(|ph| ph.session) else {
                continue;
            };
            if n > limit {
                out.push(row.finding(enclosing(ctx.text, span), &[("session", n.to_string())]));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{found, messages};
    use super::*;
    use crate::rules::Severity;

    const S38: &str = "# Encounter 2026-02-02\nPayer: Medicare\n\n## Procedure: phototherapy\nNB-UVB full body, 650 mJ/cm2, no burning.\nSession: 38\nIndication: plaque psoriasis, BSA 18%\nDx: L40.0\n";

    #[test]
    fn medicare_session_38_without_reauthorization() {
        assert_eq!(
            found(S38, CODE),
            vec![(Severity::Warning, "38".to_string())]
        );
        assert!(messages(S38, CODE)[0].contains("session 38, past 36"));
    }

    #[test]
    fn a_session_in_a_sentence() {
        let text = S38.replace("Session: 38\n", "This is the 40th session of NB-UVB.\n");
        assert_eq!(
            found(&text, CODE),
            vec![(
                Severity::Warning,
                "This is the 40th session of NB-UVB".to_string()
            )]
        );
    }

    #[test]
    fn reauthorized_session_36_or_another_payer_is_silent() {
        let reauth = S38.replace(
            "Session: 38\n",
            "Session: 38\nReauthorization obtained on 2026-05-01 after documented response.\n",
        );
        assert_eq!(found(&reauth, CODE), vec![]);
        assert_eq!(found(&S38.replace("38", "36"), CODE), vec![]);
        assert_eq!(found(&S38.replace("Medicare", "Aetna"), CODE), vec![]);
    }
}
