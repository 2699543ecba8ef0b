//! Every example in `examples/` is checked and run: no errors, evaluation
//! succeeds, and the snapshot `tests/snapshots/examples__NAME.snap` holds its
//! diagnostics and exact results. Files without a `plan` declaration are parts of
//! a multi-file example and are reached through its imports.

#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};

fn plan_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("examples/")
        .filter_map(Result::ok)
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let p = e.path();
        if p.is_dir() {
            plan_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "plumb") {
            let text = std::fs::read_to_string(&p).unwrap_or_default();
            if text.lines().any(|l| l.starts_with("plan ")) {
                out.push(p);
            }
        }
    }
}

#[test]
fn examples_check_and_run() {
    let mut files = Vec::new();
    plan_files(Path::new("examples"), &mut files);
    assert!(!files.is_empty(), "no examples found");
    for path in files {
        let c = common::compile_file(&path);
        assert!(
            !c.has_errors(),
            "{} has errors:\n{}",
            path.display(),
            common::diagnostics_text(&c)
        );
        assert!(c.results.is_some(), "{} was not evaluated", path.display());
        let name = path
            .strip_prefix("examples")
            .unwrap_or(&path)
            .with_extension("")
            .to_string_lossy()
            .replace(['/', '\\'], "__");
        let snap = format!(
            "=== diagnostics\n{}=== results\n{}",
            common::diagnostics_text(&c),
            common::results_text(&c)
        );
        insta::assert_snapshot!(name, snap);
    }
}
