//! Every example in `examples/` is checked and run: no errors, evaluation
//! succeeds, and the snapshot `tests/it/snapshots/it__examples__check_and_run@NAME.snap`
//! holds its diagnostics and exact results. Files without a `plan` declaration are
//! parts of a multi-file example and are reached through its imports.

#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

use crate::common;

#[test]
fn check_and_run() {
    assert!(
        !common::plan_files("examples").is_empty(),
        "no examples found"
    );
    insta::glob!("../../examples", "**/*.plumb", |path| {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        if !text.lines().any(|l| l.starts_with("plan ")) {
            return;
        }
        let c = common::compile_file(path);
        assert!(
            !c.has_errors(),
            "{} has errors:\n{}",
            path.display(),
            common::diagnostics_text(&c)
        );
        assert!(c.results.is_some(), "{} was not evaluated", path.display());
        let snap = format!(
            "=== diagnostics\n{}=== results\n{}",
            common::diagnostics_text(&c),
            common::results_text(&c)
        );
        insta::assert_snapshot!(snap);
    });
}
