//! `plumb explain` through the built binary: the tree, an unknown name, JSON.

#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

use crate::common::{plumb, plumb_to_a_closed_pipe, stderr, stdout};

#[test]
fn explain_prints_the_tree_and_rejects_unknown_names() {
    let o = plumb(&[
        "explain",
        "examples/fy2026.plumb",
        "revenue",
        "--period",
        "2026-01",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with("revenue = $3,927,000"), "{out}");
    assert!(out.contains("├─ new_deals = 46.2 deal"), "{out}");
    let o = plumb(&["explain", "examples/fy2026.plumb", "revenu"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("did you mean `revenue`?"),
        "{}",
        stderr(&o)
    );
    let o = plumb(&[
        "explain",
        "examples/fy2026.plumb",
        "hires",
        "-s",
        "downside",
        "--period",
        "2026-07",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["roots"][0]["value"], "0");
}

#[test]
fn explain_to_a_reader_that_stops_early_is_not_a_panic() {
    // `plumb explain plan.plumb total | head`: four hundred drivers with long
    // names in a tree (cut short, as long trees are) that is still far more than
    // a pipe holds.
    let dir = tempfile::tempdir().unwrap();
    let name = crate::common::long_name;
    let mut plan = String::from(crate::common::PIPE_PLAN);
    for i in 0..400 {
        plan.push_str(&format!("driver {}: USD = {i}\n", name(i)));
    }
    for m in 0..4 {
        let terms: Vec<String> = (m * 100..m * 100 + 100).map(name).collect();
        plan.push_str(&format!("metric m{m}: USD = {}\n", terms.join(" + ")));
    }
    plan.push_str("metric total: USD = m0 + m1 + m2 + m3\n");
    std::fs::write(dir.path().join("plan.plumb"), plan).unwrap();
    let args = ["explain", "plan.plumb", "total"];
    let (status, err) = plumb_to_a_closed_pipe(dir.path(), &args, None);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(status, Some(0), "{err}");
}
