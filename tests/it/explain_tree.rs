//! `plumb explain` cases: each row names a plan, a value and where to look; the
//! rendered tree is snapshotted.

#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

mod common;

use plumb::explain::{explain, render_text, ExplainError, ExplainOptions};
use std::path::Path;

/// (snapshot name, plan file, name to explain, period, scenario)
/// One explain case.
type Case = (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
);

const CASES: &[Case] = &[
    (
        "revenue_jan",
        "examples/fy2026.plumb",
        "revenue",
        Some("2026-01"),
        None,
    ),
    (
        "revenue_year",
        "examples/fy2026.plumb",
        "revenue",
        None,
        None,
    ),
    (
        "objective",
        "examples/fy2026.plumb",
        "revenue_65m",
        None,
        None,
    ),
    (
        "headcount_prev",
        "examples/fy2026.plumb",
        "headcount",
        Some("2026-03"),
        None,
    ),
    (
        "scenario_override",
        "examples/fy2026.plumb",
        "new_deals",
        Some("2026-05"),
        Some("downside"),
    ),
    (
        "override_from_period",
        "examples/fy2026.plumb",
        "win_rate",
        None,
        Some("downside"),
    ),
    (
        "trigger_set",
        "examples/fy2026.plumb",
        "payroll",
        Some("2026-07"),
        Some("downside"),
    ),
    (
        "trigger_set_prior",
        "examples/fy2026.plumb",
        "cac",
        Some("2026-Q3"),
        Some("downside"),
    ),
    (
        "initiative_cumsum",
        "tests/explain/launch.plumb",
        "cash",
        Some("2026-05"),
        None,
    ),
    (
        "paused_initiative",
        "tests/explain/launch.plumb",
        "launch.spend",
        None,
        Some("fast"),
    ),
    (
        "base_and_at",
        "tests/explain/launch.plumb",
        "vs_base",
        Some("2026-03"),
        Some("fast"),
    ),
    (
        "at_period",
        "tests/explain/launch.plumb",
        "june_mrr",
        Some("2026-01"),
        None,
    ),
];

fn compile(file: &str) -> plumb::compile::Compilation {
    common::compile_file(&Path::new(env!("CARGO_MANIFEST_DIR")).join(file))
}

#[test]
fn explain_cases() {
    for (snap, file, name, period, scenario) in CASES {
        let c = compile(file);
        assert!(!c.has_errors(), "{file}: {}", common::diagnostics_text(&c));
        let opts = ExplainOptions {
            scenario: scenario.map(str::to_string),
            period: period.map(str::to_string),
        };
        let e = explain(&c, name, &opts).unwrap_or_else(|e| panic!("{snap}: {e}"));
        let header = format!(
            "plumb explain {file} {name}{}{}\n\n",
            period.map(|p| format!(" --period {p}")).unwrap_or_default(),
            scenario
                .map(|s| format!(" --scenario {s}"))
                .unwrap_or_default()
        );
        insta::assert_snapshot!(format!("explain_{snap}"), header + &render_text(&e));
    }
}

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
