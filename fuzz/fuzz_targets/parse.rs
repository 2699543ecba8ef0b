//! Fuzz target: the parser on any text. It must never panic, and every span it
//! reports must lie inside the text on character boundaries (the language server
//! and the renderers slice the text with them).
#![no_main]

use libfuzzer_sys::fuzz_target;
use plumb::source::{FileId, Span};

fn in_bounds(text: &str, span: Span) -> bool {
    let (s, e) = (span.start as usize, span.end as usize);
    s <= e && e <= text.len() && text.is_char_boundary(s) && text.is_char_boundary(e)
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = plumb::syntax::parse(text, FileId(0));
    for d in &parsed.diagnostics {
        assert!(
            in_bounds(text, d.primary.span),
            "diagnostic span {:?} out of bounds: {d:?}",
            d.primary.span
        );
        for l in &d.secondary {
            assert!(
                in_bounds(text, l.span),
                "label span {:?} out of bounds: {d:?}",
                l.span
            );
        }
    }
    for decl in &parsed.file.decls {
        assert!(
            in_bounds(text, decl.span),
            "declaration span {:?} out of bounds",
            decl.span
        );
    }
    for c in &parsed.file.comments {
        assert!(
            in_bounds(text, c.span),
            "comment span {:?} out of bounds",
            c.span
        );
    }
});
