//! `plumb check` through the built binary: files and directories (every entry
//! file below a directory, the files imported by them not checked on their own),
//! exit codes, JSON diagnostics pointing into the right file, and the GitHub and
//! SARIF formats.

#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

use crate::common::{plumb, plumb_to_a_closed_pipe, stderr, stdout};
use std::process::Output;

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
fn check_github_annotations() {
    let o = plumb(&["check", "examples/fy2026.plumb", "--format", "github"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 1, "{out}");
    let l = lines[0];
    assert!(
        l.starts_with("::warning file=examples/fy2026.plumb,line=41,col=10,endLine=41,endColumn=29,title=plumb%3A%3Atarget-missed::objective `revenue_65m` misses its target"),
        "{l}"
    );
    // Newlines inside the message are escaped so the command stays on one line.
    assert!(l.contains("%0Ahelp: close the gap"), "{l}");
    let o = plumb(&[
        "check",
        "examples/fy2026.plumb",
        "--format",
        "github",
        "--deny-warnings",
    ]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn check_sarif_log() {
    let o = plumb(&["check", "examples/fy2026.plumb", "--format", "sarif"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "plumb");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    let rules = driver["rules"].as_array().unwrap();
    for code in plumb::diagnostic::Code::ALL {
        assert!(
            rules.iter().any(|r| r["id"] == code.as_str()),
            "rule {} missing",
            code.as_str()
        );
    }
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 1);
    let r = &results[0];
    assert_eq!(r["ruleId"], "target-missed");
    assert_eq!(r["level"], "warning");
    let idx = r["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[idx]["id"], "target-missed");
    let loc = &r["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "examples/fy2026.plumb");
    assert_eq!(loc["region"]["startLine"], 41);
    assert_eq!(loc["region"]["startColumn"], 10);
    assert_eq!(loc["region"]["endLine"], 41);
    assert_eq!(loc["region"]["endColumn"], 29);
    assert!(r["message"]["text"]
        .as_str()
        .unwrap()
        .starts_with("objective `revenue_65m` misses its target"));
}

#[test]
fn check_sarif_with_errors_exits_1() {
    let o = plumb(&[
        "check",
        "tests/cases/unit_mismatch.plumb",
        "--format",
        "sarif",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert!(results
        .iter()
        .any(|r| r["ruleId"] == "unit-mismatch" && r["level"] == "error"));
}

#[test]
fn check_to_a_reader_that_stops_early_is_not_a_panic() {
    // `plumb check --deny-warnings | head`: three hundred warnings (far more than
    // a pipe holds) meet a closed pipe; the exit code is still the one the
    // warnings call for.
    let dir = tempfile::tempdir().unwrap();
    let mut plan = String::from(
        "plan p \"Pipe\" {\n  currency USD\n  periods 2026-01 .. 2026-12\n}\n\
         metric total: USD = 1\n",
    );
    for i in 0..300 {
        plan.push_str(&format!("driver spare_{i:04}: USD = {i}\n"));
    }
    std::fs::write(dir.path().join("plan.plumb"), plan).unwrap();
    let args = ["check", "plan.plumb", "--deny-warnings"];
    let (status, err) = plumb_to_a_closed_pipe(dir.path(), &args, None);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(status, Some(1), "{err}");
}
