//! `plumb run` through the built binary: the `requests` of `--format json`, the
//! cascade and requests in the table, numbers printed but exit code 1 when a
//! `maintain` fails, and no output for a plan that cannot be evaluated.

#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

use crate::common::{plumb, plumb_to_a_closed_pipe, stdout};

#[test]
fn run_json_reports_requests() {
    let o = plumb(&["run", "examples/fy2026.plumb", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let r = &v["scenarios"]["base"]["requests"][0];
    assert_eq!(r["request"], "rnd_engineers");
    assert_eq!(r["from"], "rnd");
    assert_eq!(r["ask"]["value"], "20");
    assert_eq!(r["ask"]["threshold"], "30");
    assert_eq!(r["grant"]["threshold"], "20");
    assert_eq!(r["grant"]["holds"], true);
    assert_eq!(r["gap"], "-10");
    // In the downside the hiring freeze breaks the grant: reported, not an error.
    let d = &v["scenarios"]["downside"]["requests"][0];
    assert_eq!(d["grant"]["value"], "10");
    assert_eq!(d["grant"]["holds"], false);
}

#[test]
fn run_table_shows_the_cascade_and_requests() {
    let o = plumb(&["run", "examples/fy2026.plumb", "--scenario", "base"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(out.contains("Targets: top-down threshold against the bottom-up projection"));
    assert!(out.contains("└ new_logos"), "{out}");
    assert!(out.contains("Requests: what each team asked against what was granted"));
    assert!(out.contains("rnd_engineers"), "{out}");
}

#[test]
fn run_prints_numbers_but_fails_when_the_story_disagrees() {
    let o = plumb(&[
        "run",
        "tests/cases/maintain_violated.plumb",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["scenarios"]["base"]["items"]["deals"]["values"][3], "3");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("plumb::maintain-violated"), "{err}");
}

#[test]
fn run_refuses_a_plan_that_cannot_be_evaluated() {
    let o = plumb(&["run", "tests/cases/cycle.plumb"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
}

#[test]
fn run_table_to_a_reader_that_stops_early_is_not_a_panic() {
    // `plumb run plan.plumb | head -1`: the reader closes the pipe after its
    // first bytes; the rest of the table (far more than a pipe holds) is dropped
    // quietly, with the plan's own exit status, never Rust's panic on a broken
    // pipe.
    let dir = tempfile::tempdir().unwrap();
    let mut plan =
        String::from("plan p \"Pipe\" {\n  currency USD\n  periods 2026-01 .. 2027-12\n}\n");
    for i in 0..400 {
        plan.push_str(&format!("driver d{i}: USD = {i}\n"));
    }
    std::fs::write(dir.path().join("plan.plumb"), plan).unwrap();
    let (status, err) = plumb_to_a_closed_pipe(dir.path(), &["run", "plan.plumb"], None);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(status, Some(0), "{err}");
}
