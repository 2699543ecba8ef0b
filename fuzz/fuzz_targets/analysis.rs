//! Fuzz target: the language server's document analysis on any text, at cursor
//! positions inside and past it: node under the cursor, definition, references,
//! hover (with evaluated values), rename, completion, signature help, document
//! and workspace symbols, folding ranges, inlay hints, semantic tokens and code
//! actions. Nothing may panic, and every span returned must lie inside its file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plumb::analysis::{self, complete, fix, lex, Evaluated};
use plumb::compile::{compile_str, Compilation, Options};
use plumb::source::{FileId, Span};

fn in_file(c: &Compilation, s: Span) {
    let len = c.sources.get(s.file).map(|f| f.text.len()).unwrap_or(0);
    assert!(
        s.start <= s.end && s.end as usize <= len,
        "span {s:?} outside its file of {len} bytes"
    );
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let c = compile_str("doc.plumb", text, &Options::default());
    let ev = Evaluated::new(compile_str(
        "doc.plumb",
        text,
        &Options {
            evaluate: true,
            scenarios: None,
        },
    ));
    let file = FileId(0);
    let len = text.len() as u32;
    // A handful of cursor positions: spread over the text, its end, and past it.
    let mut offsets: Vec<u32> = (0..8).map(|k| len.saturating_mul(k) / 7).collect();
    offsets.extend([len + 1, u32::MAX]);
    offsets.extend(data.iter().take(8).map(|b| u32::from(*b) % (len + 2)));
    for &at in &offsets {
        let _ = analysis::node_at(&c, file, at);
        if let Some(s) = analysis::definition(&c, file, at) {
            in_file(&c, s);
        }
        for s in analysis::references(&c, file, at, true) {
            in_file(&c, s);
        }
        if let Some(h) = analysis::hover(&c, None, Some(&ev), file, at) {
            let _ = h.markdown.len();
        }
        if let Ok((s, _)) = analysis::prepare_rename(&c, file, at) {
            in_file(&c, s);
        }
        let _ = analysis::rename(&c, file, at, "renamed");
        let _ = complete::completions(&c, None, file, at);
        let _ = complete::signature_help(&c, None, file, at);
        let _ = fix::code_actions(&c, file, at, at.saturating_add(5));
        let _ = lex::word_at(text, at as usize);
    }
    let _ = analysis::document_symbols(&c, file);
    let _ = analysis::workspace_symbols(&c, "a");
    let _ = analysis::folding_ranges(&c, file);
    let _ = analysis::inlay_hints(&c, Some(&ev), file, 0, len);
    let _ = lex::semantic_tokens(&c, file);
    let _ = lex::lex(text);
});
