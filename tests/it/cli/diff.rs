//! `plumb diff` through the built binary: between files, against `/dev/null`,
//! against a temporary git repository (`--git`, imports read at the revision),
//! as git's external diff driver, and its usage errors.

#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

use crate::common::{plumb, plumb_in, plumb_to_a_closed_pipe, root, stderr, stdout};
use std::path::Path;
use std::process::Command;

#[test]
fn diff_two_files_in_every_format() {
    let args = [
        "diff",
        "tests/diff/changed_driver/old.plumb",
        "tests/diff/changed_driver/new.plumb",
    ];
    let o = plumb(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("revenue_65m"));
    let mut md = args.to_vec();
    md.extend(["--format", "markdown"]);
    let o = plumb(&md);
    assert!(stdout(&o).starts_with("## Plan diff: `fy2026`"));
    assert!(stdout(&o).contains("**missed → MET**"));
    let mut js = args.to_vec();
    js.extend(["--format", "json"]);
    let o = plumb(&js);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["scenarios"][0]["targets"][0]["flip"], "missed → met");
}

#[test]
fn diff_usage_errors() {
    let o = plumb(&["diff", "examples/fy2026.plumb"]);
    assert_eq!(o.status.code(), Some(2));
    let o = plumb(&["diff", "examples/fy2026.plumb", "nope.plumb"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn diff_against_dev_null_is_a_new_plan() {
    let o = plumb(&["diff", "/dev/null", "examples/fy2026.plumb"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("new plan file"), "{}", stdout(&o));
}

fn git(dir: &Path, args: &[&str]) {
    let o = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .unwrap();
    assert!(o.status.success(), "git {args:?}: {}", stderr(&o));
}

const MAIN: &str = "plan acme \"Acme\" {\n  currency USD\n  periods 2026-01 .. 2026-03\n  base base\n}\nimport \"teams/sales.plumb\"\nmetric revenue: USD = deals * price\nscenario base \"Base\" {}\n";
const SALES_V1: &str = "unit deal\ndriver deals: deal = 10\ndriver price: USD/deal = 1K\n";
const SALES_V2: &str = "unit deal\ndriver deals: deal = 12\ndriver price: USD/deal = 1K\n";

/// A repository with a two-file plan: the first commit, then a change to the
/// imported file committed, then a further change left in the work tree.
fn repo() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    git(d, &["init", "-q", "-b", "main"]);
    std::fs::create_dir_all(d.join("plans/teams")).unwrap();
    std::fs::write(d.join("plans/main.plumb"), MAIN).unwrap();
    std::fs::write(d.join("plans/teams/sales.plumb"), SALES_V1).unwrap();
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "v1"]);
    git(d, &["tag", "v1"]);
    std::fs::write(d.join("plans/teams/sales.plumb"), SALES_V2).unwrap();
    git(d, &["commit", "-q", "-am", "v2"]);
    // Work tree: price goes up too, not committed.
    std::fs::write(
        d.join("plans/teams/sales.plumb"),
        SALES_V2.replace("1K", "1.5K"),
    )
    .unwrap();
    tmp
}

#[test]
fn diff_git_reads_imports_at_the_revision() {
    let tmp = repo();
    let plans = tmp.path().join("plans");
    // v1 → work tree: deals 10 → 12 and price 1K → 1.5K, both in the imported file.
    let o = plumb_in(&plans, &["diff", "--git", "v1", "main.plumb"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("v1:main.plumb → main.plumb"), "{out}");
    assert!(out.contains("- driver deals: deal = 10"), "{out}");
    assert!(out.contains("+ driver deals: deal = 12"), "{out}");
    assert!(out.contains("+ driver price: USD/deal = 1.5K"), "{out}");
    assert!(out.contains("teams/sales.plumb"), "{out}");
    // revenue: 3 × 10 × 1,000 = 30,000 → 3 × 12 × 1,500 = 54,000.
    assert!(out.contains("$30,000"), "{out}");
    assert!(out.contains("$54,000"), "{out}");
    assert!(out.contains("+80.0%"), "{out}");

    // Two revisions: only the committed change.
    let o = plumb_in(
        &plans,
        &[
            "diff",
            "--git",
            "v1..main",
            "main.plumb",
            "--format",
            "json",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let decls = v["declarations"].as_array().unwrap();
    assert_eq!(decls.len(), 1, "{decls:?}");
    assert_eq!(decls[0]["name"], "deals");
    assert_eq!(decls[0]["file"], "teams/sales.plumb");
    let rev = v["scenarios"][0]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "revenue")
        .unwrap()
        .clone();
    assert_eq!(rev["before"], "30000");
    assert_eq!(rev["after"], "36000");

    // Without FILE: every plan below the current directory, as one comment.
    let o = plumb_in(
        tmp.path(),
        &["diff", "--git", "HEAD", "--format", "markdown"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let md = stdout(&o);
    assert!(md.starts_with("# Plumb: plan changes"), "{md}");
    assert!(md.contains("## Plan diff: `acme`"), "{md}");
    assert!(md.contains("`price`"), "{md}");
}

#[test]
fn diff_git_bad_revision_is_a_usage_error() {
    let tmp = repo();
    let o = plumb_in(
        tmp.path(),
        &["diff", "--git", "no-such-rev", "plans/main.plumb"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not a git revision"), "{}", stderr(&o));
}

#[test]
fn diff_driver_script_works_like_git_calls_it() {
    let tmp = repo();
    let d = tmp.path();
    std::fs::write(d.join(".gitattributes"), "*.plumb diff=plumb\n").unwrap();
    let script = root().join("scripts/git-diff-plumb");
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_plumb")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    git(
        d,
        &[
            "config",
            "diff.plumb.command",
            &script.display().to_string(),
        ],
    );
    let o = Command::new("git")
        .args([
            "diff",
            "--ext-diff",
            "HEAD",
            "--",
            "plans/teams/sales.plumb",
        ])
        .current_dir(d)
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("plans/teams/sales.plumb"), "{out}");
    assert!(out.contains("+ driver price: USD/deal = 1.5K"), "{out}");
}

#[test]
fn diff_to_a_reader_that_stops_early_is_not_a_panic() {
    // `plumb diff old new | head`: fifteen hundred changed drivers, far more
    // than a pipe holds.
    let dir = tempfile::tempdir().unwrap();
    let plan = |bump: usize| {
        let mut s = String::from(crate::common::PIPE_PLAN);
        for i in 0..1500 {
            s.push_str(&format!("driver d{i:04}: USD = {}\n", i + bump));
        }
        s
    };
    std::fs::write(dir.path().join("old.plumb"), plan(0)).unwrap();
    std::fs::write(dir.path().join("new.plumb"), plan(1)).unwrap();
    let args = ["diff", "old.plumb", "new.plumb"];
    let (status, err) = plumb_to_a_closed_pipe(dir.path(), &args, None);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(status, Some(0), "{err}");
}
