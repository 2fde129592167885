//! Moving an analysis along the text: every byte span a syntax node, fact,
//! claim line or finding holds, shifted by the same number of bytes.
//!
//! An encounter reads only its own text (see the invariants in
//! `ARCHITECTURE.md`), so when the text before it grows or shrinks, its
//! analysis is the old one with every span moved by the difference. The
//! incremental analysis relies on this; the test below checks it on every
//! note of the test suite and on generated corpora.
//!
//! Each implementation takes its value apart field by field with no `..`,
//! so a field added to any of these types fails to compile here until it is
//! shifted (or said to hold no span).

use crate::analysis::Analysis;
use crate::extract::{
    Area, BillingLine, BillingSection, DestructionGroup, Dx, EmFact, EmbeddedBiopsy,
    EncounterFacts, Lesion, Measure, Pathology, Photo, Problem, Procedure, Repair, Site, Stage,
};
use crate::fix::{Edit, Fix};
use crate::note::{Bullet, Encounter, Field, Line, LineKind, Note, Section};
use crate::rules::Finding;
use crate::rules::claim::{ClaimLine, EncounterClaim};
use crate::span::Span;

/// A value holding byte offsets into a text, moved by `delta` bytes (text
/// inserted before it when positive, removed when negative).
pub trait Shift {
    fn shift(&mut self, delta: isize);
}

impl Shift for usize {
    fn shift(&mut self, delta: isize) {
        *self = self.wrapping_add_signed(delta);
    }
}

impl Shift for Span {
    fn shift(&mut self, delta: isize) {
        let Span { start, end } = self;
        start.shift(delta);
        end.shift(delta);
    }
}

impl<T: Shift> Shift for Option<T> {
    fn shift(&mut self, delta: isize) {
        if let Some(x) = self {
            x.shift(delta);
        }
    }
}

impl<T: Shift> Shift for [T] {
    fn shift(&mut self, delta: isize) {
        if delta != 0 {
            for x in self {
                x.shift(delta);
            }
        }
    }
}

/// A span with a value that holds none: `(Payer, Span)`, `(String, Span)`,
/// `(Technique, Span)`, `(u32, Span)`, …
impl<T: NoSpan> Shift for (T, Span) {
    fn shift(&mut self, delta: isize) {
        self.1.shift(delta);
    }
}

/// `(Span, message)`: a finding's related information.
impl Shift for (Span, String) {
    fn shift(&mut self, delta: isize) {
        self.0.shift(delta);
    }
}

/// Types paired with a span that hold no offset themselves.
pub trait NoSpan {}
impl NoSpan for String {}
impl NoSpan for u32 {}
impl NoSpan for crate::vocab::Payer {}
impl NoSpan for crate::vocab::Technique {}
impl NoSpan for crate::vocab::LesionClass {}

// Syntax.

impl Shift for Note {
    fn shift(&mut self, delta: isize) {
        let Note { encounters } = self;
        encounters.shift(delta);
    }
}

impl Shift for Encounter {
    fn shift(&mut self, delta: isize) {
        let Encounter {
            span,
            heading,
            date: _,
            header,
            sections,
        } = self;
        span.shift(delta);
        heading.shift(delta);
        header.shift(delta);
        sections.shift(delta);
    }
}

impl Shift for Section {
    fn shift(&mut self, delta: isize) {
        let Section {
            span,
            heading,
            title,
            class: _,
            lines,
        } = self;
        span.shift(delta);
        heading.shift(delta);
        title.shift(delta);
        lines.shift(delta);
    }
}

impl Shift for Line {
    fn shift(&mut self, delta: isize) {
        let Line {
            span,
            bullet,
            body,
            kind,
        } = self;
        span.shift(delta);
        bullet.shift(delta);
        body.shift(delta);
        kind.shift(delta);
    }
}

impl Shift for Bullet {
    fn shift(&mut self, delta: isize) {
        let Bullet { span } = self;
        span.shift(delta);
    }
}

impl Shift for LineKind {
    fn shift(&mut self, delta: isize) {
        match self {
            LineKind::Blank | LineKind::Comment | LineKind::Text => {}
            LineKind::Field(f) => f.shift(delta),
            LineKind::Specimen { letter: _, rest } => rest.shift(delta),
        }
    }
}

impl Shift for Field {
    fn shift(&mut self, delta: isize) {
        let Field {
            label: _,
            label_span,
            value,
        } = self;
        label_span.shift(delta);
        value.shift(delta);
    }
}

// Facts.

impl Shift for EncounterFacts {
    fn shift(&mut self, delta: isize) {
        let EncounterFacts {
            index: _,
            span,
            heading,
            date: _,
            payer,
            em,
            problems,
            procedures,
            billing,
            reauthorized: _,
            auc: _,
        } = self;
        span.shift(delta);
        heading.shift(delta);
        payer.shift(delta);
        em.shift(delta);
        problems.shift(delta);
        procedures.shift(delta);
        billing.shift(delta);
    }
}

impl Shift for EmFact {
    fn shift(&mut self, delta: isize) {
        let EmFact { code: _, span } = self;
        span.shift(delta);
    }
}

impl Shift for Problem {
    fn shift(&mut self, delta: isize) {
        let Problem {
            span,
            linked: _,
            has_plan: _,
            dx,
        } = self;
        span.shift(delta);
        dx.shift(delta);
    }
}

impl Shift for Dx {
    fn shift(&mut self, delta: isize) {
        let Dx { code: _, span } = self;
        span.shift(delta);
    }
}

impl Shift for Procedure {
    fn shift(&mut self, delta: isize) {
        let Procedure {
            section: _,
            heading,
            span,
            kind: _,
            kind_span,
            technique,
            lesions,
            sites,
            margin,
            excised_diameter,
            defect,
            repair,
            pathology,
            prior_malignant,
            stages,
            stage_count: _,
            deep_structures: _,
            photo,
            destruction,
            dx,
            indication,
            description,
            cosmetic,
            staged_cue,
            embedded_biopsies,
            frozen_no_prior: _,
            host: _,
            lesion_class,
            biopsy_count: _,
        } = self;
        heading.shift(delta);
        span.shift(delta);
        kind_span.shift(delta);
        technique.shift(delta);
        lesions.shift(delta);
        sites.shift(delta);
        margin.shift(delta);
        excised_diameter.shift(delta);
        defect.shift(delta);
        repair.shift(delta);
        pathology.shift(delta);
        prior_malignant.shift(delta);
        stages.shift(delta);
        photo.shift(delta);
        destruction.shift(delta);
        dx.shift(delta);
        indication.shift(delta);
        description.shift(delta);
        cosmetic.shift(delta);
        staged_cue.shift(delta);
        embedded_biopsies.shift(delta);
        lesion_class.shift(delta);
    }
}

impl Shift for Lesion {
    fn shift(&mut self, delta: isize) {
        let Lesion {
            span,
            letter: _,
            site,
            size,
            description,
            indication,
            technique: _,
            class: _,
        } = self;
        span.shift(delta);
        site.shift(delta);
        size.shift(delta);
        description.shift(delta);
        indication.shift(delta);
    }
}

impl Shift for Site {
    fn shift(&mut self, delta: isize) {
        let Site {
            span,
            laterality: _,
            term: _,
            term_span,
            midline: _,
            subsite: _,
            landmark: _,
        } = self;
        span.shift(delta);
        term_span.shift(delta);
    }
}

impl Shift for Measure {
    fn shift(&mut self, delta: isize) {
        let Measure {
            span,
            shape: _,
            um: _,
            min_um: _,
            role: _,
        } = self;
        span.shift(delta);
    }
}

impl Shift for Area {
    fn shift(&mut self, delta: isize) {
        match self {
            Area::SqCm(_, span) | Area::PercentBsa(span) => span.shift(delta),
        }
    }
}

impl Shift for Repair {
    fn shift(&mut self, delta: isize) {
        let Repair {
            span,
            class: _,
            length,
        } = self;
        span.shift(delta);
        length.shift(delta);
    }
}

impl Shift for Pathology {
    fn shift(&mut self, delta: isize) {
        let Pathology {
            span,
            pending: _,
            class: _,
        } = self;
        span.shift(delta);
    }
}

impl Shift for Stage {
    fn shift(&mut self, delta: isize) {
        let Stage {
            number: _,
            span,
            blocks: _,
            mapped: _,
            finding: _,
        } = self;
        span.shift(delta);
    }
}

impl Shift for Photo {
    fn shift(&mut self, delta: isize) {
        let Photo {
            modality: _,
            span,
            area,
            session,
            hours: _,
        } = self;
        span.shift(delta);
        area.shift(delta);
        session.shift(delta);
    }
}

impl Shift for DestructionGroup {
    fn shift(&mut self, delta: isize) {
        let DestructionGroup {
            class: _,
            count: _,
            count_span,
        } = self;
        count_span.shift(delta);
    }
}

impl Shift for EmbeddedBiopsy {
    fn shift(&mut self, delta: isize) {
        let EmbeddedBiopsy { span, technique: _ } = self;
        span.shift(delta);
    }
}

impl Shift for BillingSection {
    fn shift(&mut self, delta: isize) {
        let BillingSection {
            heading,
            span,
            lines,
        } = self;
        heading.shift(delta);
        span.shift(delta);
        lines.shift(delta);
    }
}

impl Shift for BillingLine {
    fn shift(&mut self, delta: isize) {
        let BillingLine {
            span,
            body,
            code,
            modifiers,
            units,
            bad_units,
            dx,
            unread,
        } = self;
        span.shift(delta);
        body.shift(delta);
        code.shift(delta);
        modifiers.shift(delta);
        units.shift(delta);
        bad_units.shift(delta);
        dx.shift(delta);
        unread.shift(delta);
    }
}

// Claims and findings.

impl Shift for EncounterClaim {
    fn shift(&mut self, delta: isize) {
        let EncounterClaim {
            index: _,
            date: _,
            payer: _,
            lines,
            dropped,
        } = self;
        lines.shift(delta);
        dropped.shift(delta);
    }
}

impl Shift for ClaimLine {
    fn shift(&mut self, delta: isize) {
        let ClaimLine {
            cpt: _,
            modifiers: _,
            units: _,
            dx: _,
            rule: _,
            why: _,
            sources,
            procedures: _,
            lesions: _,
        } = self;
        sources.shift(delta);
    }
}

impl Shift for Finding {
    fn shift(&mut self, delta: isize) {
        let Finding {
            code: _,
            severity: _,
            span,
            message: _,
            related,
            fix,
        } = self;
        span.shift(delta);
        related.shift(delta);
        fix.shift(delta);
    }
}

impl Shift for Fix {
    fn shift(&mut self, delta: isize) {
        let Fix { title: _, edits } = self;
        edits.shift(delta);
    }
}

impl Shift for Edit {
    fn shift(&mut self, delta: isize) {
        let Edit { span, new_text: _ } = self;
        span.shift(delta);
    }
}

impl Shift for Analysis {
    fn shift(&mut self, delta: isize) {
        let Analysis {
            note,
            facts,
            claims,
            findings,
        } = self;
        note.shift(delta);
        facts.shift(delta);
        claims.shift(delta);
        findings.shift(delta);
    }
}

/// The byte distance from `from` to `to`, as a shift.
pub fn delta(from: usize, to: usize) -> isize {
    (to as isize).wrapping_sub(from as isize)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{Options, analyze};
    use crate::codes::CodeTable;

    // `tests/shift.rs` checks every span against a real move of the text,
    // on every note of the test suite and on generated corpora.

    #[test]
    fn a_shift_and_its_inverse_cancel() {
        let text = crate::corpus::generate(7, 20_000);
        let a = analyze(&text, CodeTable::builtin(), &Options::default());
        let mut b = a.clone();
        b.shift(1234);
        assert_ne!(format!("{:?}", b.findings), format!("{:?}", a.findings));
        assert_eq!(
            b.note.encounters[0].span.start,
            a.note.encounters[0].span.start + 1234
        );
        b.shift(-1234);
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
        assert_eq!(delta(10, 4), -6);
    }
}
