//! `plumb run` on a plan with hundreds of warnings shows the first few and a count;
//! `plumb check` lists them all.

#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

use crate::common::plumb;

/// A plan with `n` drivers nothing reads (each an `unused-driver` warning) and one
/// metric that the report shows.
fn plan_with_unused_drivers(n: usize) -> String {
    let mut s = String::from(
        "plan t \"Many warnings\" {\n  currency USD\n  periods 2026-01 .. 2026-03\n}\n\n\
         driver price: USD = 50\nmetric revenue: USD = price * 2\n",
    );
    for i in 0..n {
        s.push_str(&format!("driver spare_{i:04}: USD = {i}\n"));
    }
    s
}

fn write_plan(n: usize) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.plumb");
    std::fs::write(&path, plan_with_unused_drivers(n)).unwrap();
    let p = path.to_string_lossy().into_owned();
    (dir, p)
}

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

#[test]
fn run_shows_the_first_twenty_warnings_and_counts_the_rest() {
    let (_dir, path) = write_plan(300);
    let out = plumb(&["run", &path]);
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(count(&err, "plumb::unused-driver"), 20, "{err}");
    // The first twenty in order, not the last.
    let warned = |i: usize| err.contains(&format!("the driver `spare_{i:04}` is not used"));
    assert!(warned(0) && warned(19), "{err}");
    assert!(!warned(20) && !warned(299), "{err}");
    assert!(
        err.contains(&format!(
            "note: 300 warnings in all; the first 20 are shown above. `plumb check {path}` lists them all"
        )),
        "{err}"
    );
    // The report itself is complete.
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("revenue"), "{stdout}");
}

#[test]
fn check_lists_every_warning() {
    let (_dir, path) = write_plan(300);
    let out = plumb(&["check", &path]);
    let err = String::from_utf8_lossy(&out.stderr);
    let all = format!("{err}{}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(count(&all, "plumb::unused-driver"), 300, "{all}");
    assert!(all.contains("the driver `spare_0299` is not used"), "{all}");
    assert!(!all.contains("warnings in all"), "{all}");
}

#[test]
fn run_with_few_warnings_shows_them_all_without_a_count() {
    let (_dir, path) = write_plan(20);
    let out = plumb(&["run", &path]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(count(&err, "plumb::unused-driver"), 20, "{err}");
    assert!(!err.contains("warnings in all"), "{err}");
}
