//! `plumb fmt` through the built binary: files and folders, `--check`, standard
//! input, refusal on syntax errors, usage errors.

#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

use crate::common::{plumb, plumb_in, plumb_stdin, plumb_to_a_closed_pipe, stderr, stdout};

const MESSY: &str =
    "plan p \"P\" {currency USD\nperiods 2026-01 .. 2026-03}\ndriver   a = 1   # one\n";

const TIDY: &str =
    "plan p \"P\" {\n  currency USD\n  periods 2026-01 .. 2026-03\n}\ndriver a = 1  # one\n";

#[test]
fn fmt_check_then_write_then_check() {
    let tmp = tempfile::tempdir().unwrap();
    let sub = tmp.path().join("team");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::write(sub.join("plan.plumb"), MESSY).unwrap();
    std::fs::write(tmp.path().join("tidy.plumb"), TIDY).unwrap();

    let o = plumb_in(tmp.path(), &["fmt", "--check"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(stdout(&o).trim(), "./team/plan.plumb");
    assert_eq!(
        std::fs::read_to_string(sub.join("plan.plumb")).unwrap(),
        MESSY
    );

    let o = plumb_in(tmp.path(), &["fmt", "."]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(sub.join("plan.plumb")).unwrap(),
        TIDY
    );
    // No temporary file is left behind.
    assert_eq!(std::fs::read_dir(&sub).unwrap().count(), 1);

    let o = plumb_in(
        tmp.path(),
        &["fmt", "--check", "team/plan.plumb", "tidy.plumb"],
    );
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "");
}

#[test]
fn fmt_stdin_to_stdout() {
    let o = plumb_stdin(&["fmt", "-"], MESSY);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), TIDY);
    let o = plumb_stdin(&["fmt", "--check", "-"], MESSY);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o).trim(), "<stdin>");
}

#[test]
fn fmt_refuses_syntax_errors_and_leaves_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let bad =
        "plan p \"P\" {\n  periods 2026-01 .. 2026-03\n}\ndriver price USD = 50\ndriver   ok = 1\n";
    let f = tmp.path().join("bad.plumb");
    std::fs::write(&f, bad).unwrap();
    let o = plumb_in(tmp.path(), &["fmt", "bad.plumb"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("plumb::syntax"), "{err}");
    assert!(
        err.contains("bad.plumb has syntax errors; it was not formatted"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&f).unwrap(), bad);
}

#[test]
fn fmt_missing_path_is_a_usage_error() {
    let o = plumb(&["fmt", "no/such/file.plumb"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn fmt_stdin_to_a_reader_that_stops_early_is_not_a_panic() {
    // `plumb fmt - < plan.plumb | head`: five thousand formatted lines, far more
    // than a pipe holds.
    let mut plan = String::from(crate::common::PIPE_PLAN);
    for i in 0..5000 {
        plan.push_str(&format!("driver   d{i:04} :USD=   {i}\n"));
    }
    let dir = tempfile::tempdir().unwrap();
    let (status, err) = plumb_to_a_closed_pipe(dir.path(), &["fmt", "-"], Some(&plan));
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(status, Some(0), "{err}");
}
