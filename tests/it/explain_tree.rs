//! `plumb explain` cases: each `explain_case!` names a plan, a value and where to
//! look, and is a test of its own; the rendered tree is snapshotted.

#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

use crate::common;

use plumb::explain::{explain, render_text, ExplainError, ExplainOptions};
use std::path::Path;

fn compile(file: &str) -> plumb::compile::Compilation {
    common::compile_file(&Path::new(env!("CARGO_MANIFEST_DIR")).join(file))
}

/// One explain case, its own test: the snapshot `it__explain_tree__NAME` holds
/// the command and the tree it prints.
macro_rules! explain_case {
    ($snap:ident: $file:literal, $name:literal, $period:expr, $scenario:expr) => {
        #[test]
        fn $snap() {
            insta::assert_snapshot!(
                stringify!($snap),
                explain_text($file, $name, $period, $scenario)
            );
        }
    };
}

/// The command line that explains `name` in `file` (at `period`, in
/// `scenario`) and the tree it prints.
fn explain_text(file: &str, name: &str, period: Option<&str>, scenario: Option<&str>) -> String {
    let c = compile(file);
    assert!(!c.has_errors(), "{file}: {}", common::diagnostics_text(&c));
    let opts = ExplainOptions {
        scenario: scenario.map(str::to_string),
        period: period.map(str::to_string),
    };
    let e = explain(&c, name, &opts).unwrap_or_else(|e| panic!("{name}: {e}"));
    let header = format!(
        "plumb explain {file} {name}{}{}\n\n",
        period.map(|p| format!(" --period {p}")).unwrap_or_default(),
        scenario
            .map(|s| format!(" --scenario {s}"))
            .unwrap_or_default()
    );
    header + &render_text(&e)
}

explain_case!(revenue_jan: "examples/fy2026.plumb", "revenue", Some("2026-01"), None);
explain_case!(revenue_year: "examples/fy2026.plumb", "revenue", None, None);
explain_case!(objective: "examples/fy2026.plumb", "revenue_65m", None, None);
explain_case!(headcount_prev: "examples/fy2026.plumb", "headcount", Some("2026-03"), None);
explain_case!(scenario_override: "examples/fy2026.plumb", "new_deals", Some("2026-05"), Some("downside"));
explain_case!(override_from_period: "examples/fy2026.plumb", "win_rate", None, Some("downside"));
explain_case!(trigger_set: "examples/fy2026.plumb", "payroll", Some("2026-07"), Some("downside"));
explain_case!(trigger_set_prior: "examples/fy2026.plumb", "cac", Some("2026-Q3"), Some("downside"));
explain_case!(initiative_cumsum: "tests/explain/launch.plumb", "cash", Some("2026-05"), None);
explain_case!(paused_initiative: "tests/explain/launch.plumb", "launch.spend", None, Some("fast"));
explain_case!(base_and_at: "tests/explain/launch.plumb", "vs_base", Some("2026-03"), Some("fast"));
explain_case!(at_period: "tests/explain/launch.plumb", "june_mrr", Some("2026-01"), None);

#[test]
fn spec_numbers_in_the_tree() {
    let c = compile("examples/fy2026.plumb");
    let opts = ExplainOptions {
        scenario: None,
        period: Some("2026-01".into()),
    };
    let e = explain(&c, "revenue", &opts).unwrap();
    let root = &e.roots[0];
    assert_eq!(
        root.value.map(|v| v.normalize().to_string()),
        Some("3927000".into())
    );
    let names: Vec<&str> = root.children.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(names, ["new_deals", "deal_size"]);
    // In downside the trigger's `set` is named as the source of hires from 2026-06.
    let opts = ExplainOptions {
        scenario: Some("downside".into()),
        period: Some("2026-06".into()),
    };
    let e = explain(&c, "hires", &opts).unwrap();
    let f = &e.roots[0].formulas[0];
    assert!(f.origin.contains("revenue_shortfall"), "{f:?}");
    assert!(f.origin.contains("fired 2026-05"), "{f:?}");
}

#[test]
fn errors_name_what_is_wrong() {
    let c = compile("examples/fy2026.plumb");
    let err = |name: &str, period: Option<&str>, scenario: Option<&str>| {
        explain(
            &c,
            name,
            &ExplainOptions {
                scenario: scenario.map(str::to_string),
                period: period.map(str::to_string),
            },
        )
        .unwrap_err()
    };
    match err("revenu", None, None) {
        ExplainError::UnknownName { suggestion, .. } => {
            assert_eq!(suggestion.as_deref(), Some("revenue"))
        }
        e => panic!("{e:?}"),
    }
    assert!(matches!(
        err("revenue", None, Some("nope")),
        ExplainError::UnknownScenario { .. }
    ));
    assert!(matches!(
        err("revenue", Some("2027-01"), None),
        ExplainError::BadPeriod(_)
    ));
    assert!(matches!(
        err("revenue", Some("2026-13"), None),
        ExplainError::BadPeriod(_)
    ));
}
