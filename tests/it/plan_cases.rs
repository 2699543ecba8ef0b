//! Data-driven cases: every `tests/cases/*.plumb`, and every `tests/cases/*/main.plumb`
//! for multi-file cases, is compiled and evaluated; its snapshot
//! (`tests/it/snapshots/it__plan_cases__compile_and_evaluate@NAME.snap`) holds the
//! source, the rendered diagnostics and the exact results.

#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

use crate::common;

#[test]
fn compile_and_evaluate() {
    insta::glob!("../cases", common::CASES, |path| {
        insta::assert_snapshot!(common::case_snapshot(path));
    });
}
