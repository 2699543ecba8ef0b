//! The message corpus: every `tests/messages/*.plumb` (and `*/main.plumb` for a
//! plan of several files) is a plan broken the way people break plans, one
//! mistake per case, and one case per diagnostic code. Each snapshot
//! (`tests/it/snapshots/it__diagnostic_messages__one_file@NAME.snap`) holds the
//! source, the number of diagnostics and the rendered human output, so a reviewer
//! reads every message Plumb prints in one place and a cascade shows up as a
//! changed count.

#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

use crate::common;

use std::fmt::Write;
use std::path::Path;

/// Source, count and rendered diagnostics of one case.
fn message_snapshot(path: &Path) -> String {
    message_snapshot_of(&common::compile_file(path))
}

/// Source, count and rendered diagnostics of one compilation.
fn message_snapshot_of(c: &plumb::compile::Compilation) -> String {
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
    out.push_str(&common::diagnostics_text(c));
    out
}

#[test]
fn one_file() {
    insta::glob!("../messages", "*.plumb", |path| {
        insta::assert_snapshot!(message_snapshot(path));
    });
}

#[test]
fn several_files() {
    insta::glob!("../messages", "*/main.plumb", |path| {
        insta::assert_snapshot!(message_snapshot(path));
    });
}

/// `tests/messages/simulate/*.plumb`: what `plumb check --simulate` adds
/// (10,000 runs, seed 0, the same on any machine and thread count).
#[test]
fn simulated() {
    insta::glob!("../messages", "simulate/*.plumb", |path| {
        let mut c = common::compile_file(path);
        let plan = c.plan();
        let model = plumb::uncertainty::Model::new(plan).unwrap();
        let sim = plumb::uncertainty::simulate::simulate(
            plan,
            &model,
            &plumb::uncertainty::simulate::SimOptions {
                samples: 10_000,
                seed: 0,
                threads: 2,
                scenarios: vec![plan.base],
                by: plumb::calendar::By::Month,
                per_window: false,
                progress: None,
            },
        )
        .unwrap();
        let odds = plumb::uncertainty::odds_check(plan, &sim);
        c.diagnostics.extend(odds);
        insta::assert_snapshot!(message_snapshot_of(&c));
    });
}

/// The corpus shows every diagnostic code at least once (a new code needs a
/// case under `tests/messages/`).
#[test]
fn the_corpus_shows_every_code() {
    let mut seen = std::collections::BTreeSet::new();
    for e in std::fs::read_dir("tests/it/snapshots").unwrap() {
        let path = e.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if !name.starts_with("it__diagnostic_messages__") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for line in text.lines() {
            if let Some(code) = line.strip_prefix("plumb::") {
                seen.insert(code.trim().to_string());
            }
        }
    }
    let missing: Vec<&str> = plumb::diagnostic::Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !seen.contains(*c))
        .collect();
    assert!(
        missing.is_empty(),
        "no case under tests/messages shows: {}",
        missing.join(", ")
    );
}
