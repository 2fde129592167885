//! The parser on any text: never panics, and every span it reports lies in
//! the text on character boundaries, in order.

#![no_main]

use dermls::Span;
use dermls::note::Note;
use libfuzzer_sys::fuzz_target;

fn ok(text: &str, s: Span) {
    assert!(s.start <= s.end && s.end <= text.len(), "span out of range");
    assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let note = Note::parse(&text);
    let mut last_end = 0;
    for e in &note.encounters {
        ok(&text, e.span);
        assert!(e.span.start >= last_end, "encounters overlap");
        last_end = e.span.end;
        for l in &e.header {
            ok(&text, l.span);
            ok(&text, l.body);
        }
        for s in &e.sections {
            ok(&text, s.span);
            ok(&text, s.heading);
            ok(&text, s.title);
            for l in &s.lines {
                ok(&text, l.span);
                ok(&text, l.body);
            }
        }
    }
});
