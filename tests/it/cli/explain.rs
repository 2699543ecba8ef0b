//! `plumb explain` through the built binary: the tree, an unknown name, JSON.

#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

use crate::common::{plumb, stderr, stdout};

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
