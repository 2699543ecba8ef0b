//! The message corpus: every `tests/messages/*.plumb` (and `*/main.plumb` for a
//! plan of several files) is a plan broken the way people break plans, one
//! mistake per case, and one case per diagnostic code. Each snapshot
//! (`tests/snapshots/messages__messages@NAME.snap`) holds the source, the number
//! of diagnostics and the rendered human output, so a reviewer reads every
//! message Plumb prints in one place and a cascade shows up as a changed count.

#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

mod common;

use std::fmt::Write;
use std::path::Path;

/// Source, count and rendered diagnostics of one case.
fn message_snapshot(path: &Path) -> String {
    let c = common::compile_file(path);
    let mut out = String::new();
    for (_, f) in c.sources.iter() {
        if f.name.starts_with("std.") {
            continue;
        }
        let _ = writeln!(out, "=== {}", f.name);
        out.push_str(&f.text);
        if !f.text.ends_with('\n') {
            out.push('\n');
        }
    }
    let errors = c.diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = c.diagnostics.len() - errors;
    let _ = writeln!(
        out,
        "=== {} diagnostics: {errors} errors, {warnings} warnings",
        c.diagnostics.len()
    );
    out.push_str(&common::diagnostics_text(&c));
    out
}

#[test]
fn messages() {
    insta::glob!("messages/*.plumb", |path| {
        insta::assert_snapshot!(message_snapshot(path));
    });
}

#[test]
fn multi_file_messages() {
    insta::glob!("messages/*/main.plumb", |path| {
        insta::assert_snapshot!(message_snapshot(path));
    });
}
