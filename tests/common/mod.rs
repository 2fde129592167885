//! Helpers shared by the integration tests.

use dermls::note::Note;
use dermls::vocab::SectionClass;

/// The text outside the Billing sections: what a fix may not change (a
/// `|` marks where each section's items were).
pub fn outside_billing(text: &str) -> String {
    let note = Note::parse(text);
    let mut out = String::new();
    let mut pos = 0;
    for e in &note.encounters {
        for s in e
            .sections
            .iter()
            .filter(|s| s.class == SectionClass::Billing)
        {
            out.push_str(&text[pos..s.heading.end]);
            out.push('|');
            // The section runs to the end of its last line, line end
            // included.
            let rest = &text[s.span.end..];
            let term = if rest.starts_with("\r\n") {
                2
            } else if rest.starts_with(['\n', '\r']) {
                1
            } else {
                0
            };
            pos = s.span.end + term;
        }
    }
    out.push_str(&text[pos..]);
    out
}
