//! Every example in `examples/` is checked and run: no errors, evaluation
//! succeeds, and the snapshot holds its diagnostics and exact results.

#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

mod common;

#[test]
fn examples_check_and_run() {
    insta::glob!("../examples", "**/*.plumb", |path| {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        if !text.lines().any(|l| l.starts_with("plan ")) {
            return; // a file imported by an example plan
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
