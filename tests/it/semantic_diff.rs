//! Semantic diff cases: every folder in `tests/diff/` holds an `old.plumb` and a
//! `new.plumb` (or `old/main.plumb` and `new/main.plumb` for multi-file plans);
//! the human and Markdown outputs are snapshotted, and one case's JSON pins the
//! shape.

#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

use crate::common;

use plumb::diff::{diff, render_human, render_markdown, DiffOptions, PlanDiff};
use std::path::{Path, PathBuf};

fn version(dir: &Path, which: &str) -> PathBuf {
    let single = dir.join(format!("{which}.plumb"));
    if single.is_file() {
        single
    } else {
        dir.join(which).join("main.plumb")
    }
}

fn run_case(dir: &Path) -> PlanDiff {
    let old = version(dir, "old");
    let new = version(dir, "new");
    let a = common::compile_file(&old);
    let b = common::compile_file(&new);
    diff(
        &a,
        &b,
        &DiffOptions {
            old_label: "old".into(),
            new_label: "new".into(),
        },
    )
}

/// Every folder of `tests/diff/` is a case (found through its `old.plumb` or
/// `old/main.plumb`), its snapshot named after the folder.
#[test]
fn cases() {
    insta::glob!("../diff", "{*/old.plumb,*/old/main.plumb}", |path| {
        // `NAME/old.plumb` or `NAME/old/main.plumb`: the case is the folder NAME.
        let old = if path.ends_with("old/main.plumb") {
            path.parent().unwrap()
        } else {
            path
        };
        let dir = old.parent().unwrap();
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let d = run_case(dir);
        assert!(!d.is_empty(), "{name}: the diff found no change");
        let snap = format!(
            "=== human\n{}\n=== markdown\n{}",
            render_human(&d),
            render_markdown(&d)
        );
        insta::with_settings!({snapshot_suffix => name}, {
            insta::assert_snapshot!(snap);
        });
    });
}

#[test]
fn json_shape() {
    let d = run_case(Path::new("tests/diff/changed_driver"));
    insta::assert_snapshot!("changed_driver_json", d.to_json());
}

#[test]
fn identical_versions_have_no_change() {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/fy2026.plumb");
    let a = common::compile_file(&p);
    let d = diff(&a, &a, &DiffOptions::default());
    assert!(d.is_empty(), "{d:#?}");
    assert_eq!(d.summary, vec!["no semantic change".to_string()]);
}

#[test]
fn formatting_only_is_no_change() {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/fy2026.plumb");
    let text = std::fs::read_to_string(&p).unwrap();
    let formatted = plumb::fmt::format_source(&text, plumb::source::FileId(0)).unwrap();
    assert_ne!(
        text, formatted,
        "the example is hand-aligned; fmt changes it"
    );
    let opts = plumb::compile::Options {
        evaluate: true,
        scenarios: None,
    };
    let a = plumb::compile::compile_str("plan.plumb", &text, &opts);
    let b = plumb::compile::compile_str("plan.plumb", &formatted, &opts);
    let d = diff(&a, &b, &DiffOptions::default());
    assert!(d.is_empty(), "{}", render_human(&d));
}

#[test]
fn added_plan_lists_everything_as_new() {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/diff/new_scenario/new.plumb");
    let b = common::compile_file(&p);
    let d = diff(
        &plumb::compile::Compilation::default(),
        &b,
        &DiffOptions::default(),
    );
    assert!(!d.old.exists);
    assert_eq!(d.summary.first().map(String::as_str), Some("new plan file"));
    assert!(d
        .declarations
        .iter()
        .all(|c| c.change == plumb::diff::ChangeKind::Added));
    assert!(d
        .scenarios
        .iter()
        .all(|s| s.presence == plumb::diff::Presence::Added));
}
