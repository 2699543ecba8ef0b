//! The formatter: canonical output snapshotted for messy inputs, and two
//! properties over every example and every test case — formatting twice changes
//! nothing more than formatting once, and the formatted plan means the same
//! (byte-identical `plumb run --format json`, the same diagnostic codes).

#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

use crate::common;

use plumb::calendar::By;
use plumb::compile::{compile, Compilation, DiskFs, FileSystem, Options};
use plumb::fmt::{format_source, FormatError};
use plumb::outcome::targets::all_outcomes;
use plumb::report::RunReport;
use plumb::source::FileId;
use std::path::{Path, PathBuf};

fn fmt(text: &str) -> Result<String, FormatError> {
    format_source(text, FileId(0))
}

fn run_json(c: &Compilation) -> String {
    let Some(results) = &c.results else {
        return "(not evaluated)".into();
    };
    let outcomes = match all_outcomes(c.plan(), results) {
        Ok(o) => o,
        // A target that divides by zero (tests/cases/arith_division_by_zero_in_target).
        Err(e) => return format!("(targets failed: {})", e.message),
    };
    RunReport::build(c.plan(), results, &outcomes, By::Month).to_json()
}

fn codes(c: &Compilation) -> Vec<(String, String)> {
    c.diagnostics
        .iter()
        .map(|d| (d.code.as_str().to_string(), d.severity.as_str().to_string()))
        .collect()
}

/// The disk, but every file read comes back formatted (files with syntax errors
/// as they are). Paths, links and folders stay the real ones, so imports resolve
/// exactly as they do for the original.
struct FormattedFs;

impl FileSystem for FormattedFs {
    fn read(&self, path: &Path) -> std::io::Result<String> {
        let text = DiskFs.read(path)?;
        Ok(match fmt(&text) {
            Ok(o) => o,
            Err(FormatError::Syntax(_)) => text,
            Err(FormatError::Internal(m)) => panic!("{}: {m}", path.display()),
        })
    }
    fn canonicalize(&self, path: &Path) -> std::io::Result<PathBuf> {
        DiskFs.canonicalize(path)
    }
}

/// Every file: idempotent, or refused for syntax errors that the parser reports.
#[test]
fn idempotent_on_every_example_and_case() {
    let mut files = Vec::new();
    for dir in [
        "examples",
        "tests/cases",
        "tests/diff",
        "tests/explain",
        "tests/fmt",
    ] {
        files.extend(common::files_below(dir, "plumb"));
    }
    assert!(files.len() > 10);
    let mut formatted = 0;
    common::check_each(&files, |f| {
        let text = std::fs::read_to_string(f).unwrap();
        match fmt(&text) {
            Ok(once) => {
                let twice = fmt(&once).unwrap_or_else(|e| panic!("{}: {e:?}", f.display()));
                assert_eq!(once, twice, "{}: formatting is not idempotent", f.display());
                formatted += 1;
            }
            Err(FormatError::Syntax(d)) => {
                assert!(!d.is_empty());
                let parsed = plumb::syntax::parse(&text, FileId(0));
                assert!(parsed.diagnostics.iter().any(|d| d.is_error()));
            }
            Err(FormatError::Internal(m)) => panic!("{}: {m}", f.display()),
        }
    });
    assert!(formatted > 10);
}

/// Every plan: the formatted plan evaluates to the same JSON and diagnostics.
#[test]
fn meaning_preserved_on_every_example_and_case() {
    let mut entries: Vec<PathBuf> = Vec::new();
    for dir in ["examples", "tests/cases"] {
        entries.extend(common::plan_files(dir));
    }
    assert!(entries.len() > 5);
    let opts = Options {
        evaluate: true,
        scenarios: None,
    };
    common::check_each(&entries, |entry| {
        let before = compile(entry, &DiskFs, &opts);
        let after = compile(entry, &FormattedFs, &opts);
        let name = entry.display().to_string();
        assert_eq!(codes(&before), codes(&after), "{name}: diagnostics differ");
        assert_eq!(
            run_json(&before),
            run_json(&after),
            "{name}: results differ"
        );
    });
}

/// Every `tests/fmt/*.plumb` (messy inputs): the canonical output is snapshotted.
#[test]
fn canonical_output() {
    insta::glob!("../fmt", "*.plumb", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let out = fmt(&text).unwrap();
        insta::assert_snapshot!(out);
    });
}

#[test]
fn spec_example_keeps_its_style() {
    let text = std::fs::read_to_string("examples/fy2026.plumb").unwrap();
    let out = fmt(&text).unwrap();
    // Inline blocks stay inline, two spaces between their statements.
    assert!(out.contains(
        "driver win_rate: deal/lead = ramp(22%, 28%, 2026-01, 2026-06) { owner sales  means conversion_rate }\n"
    ));
    assert!(out.contains("scenario base \"Base case: our honest best estimate\" {}\n"));
    assert!(out.starts_with("## FY2026 plan: top-down intent, bottom-up realism.\nplan fy2026"));
    // The department table stays aligned.
    assert!(out.contains("department finance   \"Finance\"          { lead \"CFO\" }\n"));
    assert!(out.contains("department cs        \"Customer Success\"\n"));
    // Apart from the columns of its trailing comments, the example is canonical.
    let squeeze = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    assert_eq!(squeeze(&text), squeeze(&out));
}

#[test]
fn refuses_syntax_errors() {
    let text = std::fs::read_to_string("tests/cases/syntax_recovery.plumb").unwrap();
    match fmt(&text) {
        Err(FormatError::Syntax(d)) => assert!(d.iter().all(|d| d.code.as_str() == "syntax")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn long_step_tables_break_one_entry_per_line() {
    let entries: Vec<String> = (1..=9).map(|m| format!("2026-0{m}: {}", m + 10)).collect();
    let text = format!(
        "driver hires = step {{ {} }} {{ owner rnd }}\n",
        entries.join(", ")
    );
    assert!(text.len() > plumb::fmt::MAX_WIDTH);
    let out = fmt(&text).unwrap();
    let lines: Vec<String> = entries.iter().map(|e| format!("  {e},\n")).collect();
    assert_eq!(
        out,
        format!(
            "driver hires = step {{\n{}}} {{ owner rnd }}\n",
            lines.concat()
        )
    );
    // A short table stays on its line.
    assert_eq!(
        fmt("driver h = step { 2026-01: 2, 2026-09: 1 }\n").unwrap(),
        "driver h = step { 2026-01: 2, 2026-09: 1 }\n"
    );
}
