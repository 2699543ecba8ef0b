//! Time and roll-ups (LANGUAGE.md §3, §3.1, §3.2): every `tests/time/*.plumb` is
//! compiled and evaluated; its snapshot (`tests/snapshots/time__NAME.snap`) holds
//! the source, the diagnostics, the monthly results and every item's roll-up by
//! quarter and by year (partial windows marked `*`). The tests below pin the
//! window figures against hand-computed decimals.

#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

mod common;

use plumb::compile::Compilation;
use plumb::eval::window::effective_rollup;
use plumb::eval::window_value;
use plumb::report::format::exact;
use plumb::report::{period_groups, By};
use rust_decimal::Decimal;
use std::fmt::Write as _;
use std::path::Path;
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn case(name: &str) -> Compilation {
    common::compile_file(&Path::new("tests/time").join(format!("{name}.plumb")))
}

/// The roll-ups of every item by quarter and year, scenario by scenario.
fn rollups_text(c: &Compilation) -> String {
    let Some(results) = &c.results else {
        return String::new();
    };
    let plan = c.plan();
    let mut out = String::new();
    for by in [By::Quarter, By::Year] {
        let groups = period_groups(plan, by);
        let labels: Vec<String> = groups
            .iter()
            .map(|g| format!("{}{}", g.label, if g.partial { "*" } else { "" }))
            .collect();
        let _ = writeln!(out, "by {by:?}: {}", labels.join(" "));
        for r in &results.scenarios {
            let sc = &plan.scenarios[r.scenario].name;
            for (i, it) in plan.items.iter().enumerate() {
                let vals: Vec<String> = groups
                    .iter()
                    .map(|g| {
                        window_value(plan, &r.values, i, g.range.clone())
                            .map(exact)
                            .unwrap_or_else(|| "-".into())
                    })
                    .collect();
                let _ = writeln!(
                    out,
                    "  {sc} {} ({}) = {}",
                    it.name,
                    plumb::eval::window::rollup_word(effective_rollup(plan, i)),
                    vals.join(" ")
                );
            }
        }
    }
    out
}

#[test]
fn time_cases() {
    let mut entries: Vec<_> = std::fs::read_dir("tests/time")
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "plumb"))
        .collect();
    entries.sort();
    assert!(!entries.is_empty());
    for path in entries {
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        let c = common::compile_file(&path);
        let mut text = common::case_snapshot(&path);
        text.push_str("=== roll-ups\n");
        text.push_str(&rollups_text(&c));
        insta::assert_snapshot!(name, text);
    }
}

/// The value of `item` over the window labelled `label` (`--by` quarter or year).
fn window(c: &Compilation, scenario: &str, item: &str, by: By, label: &str) -> Decimal {
    let plan = c.plan();
    let s = plan.scenario(scenario).unwrap();
    let r = c.results.as_ref().unwrap().get(s).unwrap();
    let g = period_groups(plan, by)
        .into_iter()
        .find(|g| g.label == label)
        .unwrap_or_else(|| panic!("no window {label}"));
    window_value(plan, &r.values, plan.item(item).unwrap(), g.range).unwrap()
}

fn rollup(c: &Compilation, item: &str) -> &'static str {
    let plan = c.plan();
    plumb::eval::window::rollup_word(effective_rollup(plan, plan.item(item).unwrap()))
}

#[test]
fn rollup_kinds_and_defaults() {
    let c = case("rollup_kinds");
    assert!(!c.has_errors(), "{:?}", c.diagnostics);
    let q = |item: &str, label: &str| window(&c, "base", item, By::Quarter, label);
    let y = |item: &str| window(&c, "base", item, By::Year, "2026");
    for (item, kind) in [
        ("spend", "flow"),
        ("deals", "flow"),
        ("win", "average"),
        ("cycle", "average"),
        ("cac", "formula"),
        ("cost_per_win", "formula"),
        ("cash", "stock"),
        ("spent", "stock"),
        ("bal", "stock"),
        ("open_bal", "stock"),
        ("dso", "formula"),
        ("half_spend", "average"),
        ("cac_q1", "average"),
        ("growth", "average"),
        ("arpa", "average"),
        ("per_deal", "flow"),
        ("payroll", "flow"),
        ("launch.rate", "average"),
    ] {
        assert_eq!(rollup(&c, item), kind, "{item}");
    }
    // spend 100 100 100 200 200 200; deals 2 2 4 4 5 5.
    assert_eq!(q("spend", "2026-Q1"), d("300"));
    assert_eq!(q("spend", "2026-Q2"), d("600"));
    assert_eq!(q("deals", "2026-Q2"), d("14"));
    // cac: the quarter's spend over the quarter's deals, not the mean of the months.
    assert_eq!(q("cac", "2026-Q1"), d("300") / d("8"));
    assert_eq!(q("cac", "2026-Q2"), d("600") / d("14"));
    assert_eq!(y("cac"), d("900") / d("22"));
    // win: 10% 12% 14% 16% 18% 20% averages to 12% and 18%.
    assert_eq!(q("win", "2026-Q1"), d("0.12"));
    assert_eq!(q("win", "2026-Q2"), d("0.18"));
    // cost_per_win = cac × win over the window's roll-ups.
    assert_eq!(q("cost_per_win", "2026-Q1"), d("37.5") * d("0.12"));
    assert_eq!(
        q("cost_per_win", "2026-Q2"),
        (d("600") / d("14")) * d("0.18")
    );
    // Stocks: the closing balance.
    assert_eq!(q("cash", "2026-Q1"), d("1300"));
    assert_eq!(q("cash", "2026-Q2"), d("1900"));
    assert_eq!(q("spent", "2026-Q2"), d("900"));
    assert_eq!(q("bal", "2026-Q1"), d("800"));
    assert_eq!(q("open_bal", "2026-Q2"), d("1200"));
    // Constants stay what they are.
    assert_eq!(q("dso", "2026-Q2"), d("52"));
    assert_eq!(y("dso"), d("52"));
    assert_eq!(q("cycle", "2026-Q1"), d("3"));
    assert_eq!(q("half_spend", "2026-Q1"), d("900"));
    assert_eq!(q("cac_q1", "2026-Q2"), d("37.5"));
    // growth: 0 0 0 1 0 0 averages.
    assert_eq!(q("growth", "2026-Q2"), d("1") / d("3"));
    // Written roll-ups: the mean of 50 50 25, the sum of the monthly ratios.
    assert_eq!(q("arpa", "2026-Q1"), d("125") / d("3"));
    assert_eq!(q("per_deal", "2026-Q1"), d("125"));
    assert_eq!(q("payroll", "2026-Q2"), d("1200"));
    // The member averages from the initiative's start (February), not from January.
    assert_eq!(q("launch.rate", "2026-Q1"), d("0.5"));
    // The year is only half inside the horizon: partial.
    let groups = period_groups(c.plan(), By::Year);
    assert_eq!(groups.len(), 1);
    assert!(groups[0].partial);
    assert!(period_groups(c.plan(), By::Quarter).iter().all(|g| !g.partial));
    // `cac@2026-Q2 <= 45`: 600/14 ≈ 42.86 meets it.
    let s = c.plan().scenario("base").unwrap();
    let outcomes =
        plumb::check::objectives::outcomes(c.plan(), c.results.as_ref().unwrap().get(s).unwrap(), None)
            .unwrap();
    assert_eq!(outcomes[0].projected, Some(d("600") / d("14")));
    assert!(outcomes[0].met);
}

mod formula_property {
    use super::*;
    use proptest::prelude::*;

    fn plan(a: &[u32], b: &[u32], k: &[u32], form: usize, quarter: u32) -> String {
        let step = |v: &[u32]| {
            v.iter()
                .enumerate()
                .map(|(i, x)| format!("2026-0{}: {x}", i + 1))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let formula = ["a / b", "a / b - a / (b + b)", "a / b * k", "a * k / (b + b)"][form];
        format!(
            "plan p \"P\" {{\n  currency USD\n  periods 2026-01 .. 2026-06\n}}\n\
             unit deal\n\
             driver a: USD = step {{ {} }}\n\
             driver b: deal = step {{ {} }}\n\
             driver k: % = step {{ {} }}\n\
             metric r: USD/deal = {formula}\n\
             metric rq: USD/deal = r@2026-Q{quarter}\n\
             metric aq: USD = a@2026-Q{quarter}\n\
             metric bq: deal = b@2026-Q{quarter}\n\
             metric kq: % = k@2026-Q{quarter}\n",
            step(a),
            step(b),
            step(k)
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

        /// For a `formula` metric, `x@window` is its formula applied to its
        /// operands' `@window` values.
        #[test]
        fn formula_rollup_is_the_formula_of_the_rollups(
            a in proptest::collection::vec(1u32..100_000, 6),
            b in proptest::collection::vec(1u32..500, 6),
            k in proptest::collection::vec(0u32..100, 6),
            form in 0usize..4,
            quarter in 1u32..3,
        ) {
            let text = plan(&a, &b, &k, form, quarter);
            let c = plumb::compile::compile_str("p.plumb", &text, &plumb::compile::Options { evaluate: true, scenarios: None });
            prop_assert!(!c.has_errors(), "{:?}", c.diagnostics);
            let plan = c.plan();
            let r = &c.results.as_ref().unwrap().scenarios[0].values;
            let at = |n: &str| r[plan.item(n).unwrap()][0];
            prop_assert_eq!(effective_rollup(plan, plan.item("r").unwrap()), plumb::syntax::ast::Aggregation::Formula);
            let (aq, bq, kq) = (at("aq"), at("bq"), at("kq"));
            let expected = match form {
                0 => aq / bq,
                1 => aq / bq - aq / (bq + bq),
                2 => aq / bq * kq,
                _ => aq * kq / (bq + bq),
            };
            prop_assert_eq!(at("rq"), expected);
        }
    }
}
