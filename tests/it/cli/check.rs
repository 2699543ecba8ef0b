//! The built `plumb` binary: `check` on files and directories (every entry file
//! below a directory, the files imported by them not checked on their own), exit
//! codes, JSON diagnostics pointing into the right file, and the `requests` of
//! `run --format json`.

#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

use std::process::{Command, Output};

fn plumb(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_plumb"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn json(o: &Output) -> Vec<serde_json::Value> {
    serde_json::from_slice::<Vec<serde_json::Value>>(&o.stdout).unwrap()
}

#[test]
fn check_a_directory_checks_each_entry_file_once() {
    let o = plumb(&["check", "tests/cases/imports_basic"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let out = stdout(&o);
    assert!(
        out.contains("tests/cases/imports_basic/main.plumb: 0 errors, 0 warnings"),
        "{out}"
    );
    // teams/sales.plumb has no `plan`: it is checked through main.plumb only.
    assert!(!out.contains("sales.plumb:"), "{out}");
}

#[test]
fn check_examples_directory_passes() {
    let o = plumb(&["check", "examples"]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.contains("examples/fy2026.plumb: 0 errors, 1 warning"),
        "{out}"
    );
    assert!(
        out.contains("examples/company/main.plumb: 0 errors"),
        "{out}"
    );
    assert!(!out.contains("teams/sales.plumb:"), "{out}");
}

#[test]
fn deny_warnings_fails_on_the_target_missed_warning() {
    let o = plumb(&["check", "--deny-warnings", "examples/fy2026.plumb"]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn json_diagnostics_name_the_file_they_are_in() {
    let o = plumb(&["check", "tests/cases/duplicate_term", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let diags = json(&o);
    let term = diags
        .iter()
        .find(|d| d["code"] == "duplicate-term")
        .unwrap();
    assert_eq!(term["file"], "tests/cases/duplicate_term/teams/sales.plumb");
    assert_eq!(
        (term["line"].as_u64(), term["column"].as_u64()),
        (Some(2), Some(6))
    );
    assert_eq!(term["severity"], "error");
    let dup = diags
        .iter()
        .find(|d| d["code"] == "duplicate-name")
        .unwrap();
    assert_eq!(dup["file"], "tests/cases/duplicate_term/teams/sales.plumb");
}

#[test]
fn check_finds_entry_files_in_nested_directories() {
    let o = plumb(&["check", "tests/cases", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let diags = json(&o);
    let files: Vec<&str> = diags.iter().filter_map(|d| d["file"].as_str()).collect();
    assert!(
        files.contains(&"tests/cases/import_cycle/teams/b.plumb"),
        "{files:?}"
    );
    assert!(files.contains(&"tests/cases/raci.plumb"), "{files:?}");
    // The fixture outside every case is never reached.
    assert!(!files.iter().any(|f| f.contains("fixtures")), "{files:?}");
}

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
