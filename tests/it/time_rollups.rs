//! Time and roll-ups (LANGUAGE.md §3, §3.1, §3.2): every `tests/time/*.plumb` is
//! compiled and evaluated; its snapshot
//! (`tests/it/snapshots/it__time_rollups__cases@NAME.snap`) holds the source, the
//! diagnostics, the monthly results and every item's roll-up by quarter and by
//! year (partial windows marked `*`). The tests below pin the
//! window figures against hand-computed decimals.

#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

use crate::common;

use plumb::calendar::{period_groups, By};
use plumb::compile::Compilation;
use plumb::eval::window::effective_rollup;
use plumb::eval::window_value;
use plumb::present::exact;
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
fn cases() {
    insta::glob!("../time", "*.plumb", |path| {
        let c = common::compile_file(path);
        let mut text = common::case_snapshot(path);
        text.push_str("=== roll-ups\n");
        text.push_str(&rollups_text(&c));
        insta::assert_snapshot!(text);
    });
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
    assert!(period_groups(c.plan(), By::Quarter)
        .iter()
        .all(|g| !g.partial));
    // `cac@2026-Q2 <= 45`: 600/14 ≈ 42.86 meets it.
    let s = c.plan().scenario("base").unwrap();
    let outcomes = plumb::outcome::targets::outcomes(
        c.plan(),
        c.results.as_ref().unwrap().get(s).unwrap(),
        None,
    )
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
        let formula = [
            "a / b",
            "a / b - a / (b + b)",
            "a / b * k",
            "a * k / (b + b)",
        ][form];
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

#[test]
fn quarterly_plan_counts_in_quarters() {
    let c = case("quarterly_plan");
    assert!(!c.has_errors(), "{:?}", c.diagnostics);
    let plan = c.plan();
    assert_eq!(plan.len, 8);
    assert_eq!(plan.period_label(0), "2027-Q1");
    assert_eq!(plan.period_label(7), "2028-Q4");
    let y = |s: &str, item: &str, label: &str| window(&c, s, item, By::Year, label);
    // grow compounds per quarter: 100 × 1.1^k.
    assert_eq!(y("base", "deals", "2027"), d("464.1"));
    // A 36M-a-quarter driver is 144M a year, not 432M; the trigger (revenue under
    // 150K in 2027-Q1 and Q2) fires at 2027-Q2 and halves spend from 2027-Q3.
    assert_eq!(
        y("base", "spend", "2027"),
        d("36000000") * d("2") + d("18000000") * d("2")
    );
    assert_eq!(y("base", "spend", "2028"), d("20000000") * d("4"));
    let s = plan.scenario("base").unwrap();
    let r = c.results.as_ref().unwrap().get(s).unwrap();
    assert_eq!(plan.period_label(r.fired[0].1.unwrap()), "2027-Q2");
    // ramp(1K, 2K, 2027-Q1, 2027-Q4) moves a third of the way each quarter.
    let revenue_2027 = d("100") * d("1000")
        + d("110") * (d("1000") + d("1000") / d("3"))
        + d("121") * (d("1000") + d("2000") / d("3"))
        + d("133.1") * d("2000");
    assert_eq!(y("base", "revenue", "2027"), revenue_2027);
    // cac over the year: the year's spend over the year's deals.
    assert_eq!(y("base", "cac", "2027"), d("108000000") / d("464.1"));
    // The cash balance closes the year at its fourth quarter.
    let cash_2027 = revenue_2027 - d("108000000");
    assert_eq!(y("base", "cash", "2027"), cash_2027);
    // The slump scenario's deals from 2028-Q1: 50 a quarter.
    assert_eq!(y("slump", "deals", "2028"), d("200"));
    assert_eq!(y("slump", "cac", "2028"), d("80000000") / d("200"));
}

#[test]
fn five_year_plan_counts_in_years() {
    let c = case("yearly_plan");
    assert!(!c.has_errors(), "{:?}", c.diagnostics);
    let plan = c.plan();
    assert_eq!(plan.len, 5);
    assert_eq!(plan.period_label(4), "2031");
    let s = plan.scenario("base").unwrap();
    let r = c.results.as_ref().unwrap().get(s).unwrap();
    let revenue: Vec<Decimal> = ["10000000", "12000000", "14400000", "17280000", "20736000"]
        .iter()
        .map(|x| d(x))
        .collect();
    assert_eq!(r.values[plan.item("revenue").unwrap()], revenue);
    let margins = ["0.1", "0.125", "0.15", "0.175", "0.2"].map(d);
    let ebitda: Decimal = revenue.iter().zip(margins).map(|(r, m)| *r * m).sum();
    assert_eq!(ebitda, d("11831200"));
    // The whole horizon: flows sum, the cumsum closes, the margin is a formula.
    let all = |item: &str| window_value(plan, &r.values, plan.item(item).unwrap(), 0..5).unwrap();
    assert_eq!(all("revenue"), d("74416000"));
    assert_eq!(all("cumulative"), ebitda);
    assert_eq!(all("op_margin"), ebitda / d("74416000"));
    assert_eq!(all("margin"), d("0.75") / d("5"));
    assert_eq!(plan.period_label(r.fired[0].1.unwrap()), "2027");
}

#[test]
fn february_fiscal_year_groups_and_labels() {
    let c = case("fiscal_february");
    assert!(!c.has_errors(), "{:?}", c.diagnostics);
    let plan = c.plan();
    let quarters = period_groups(plan, By::Quarter);
    let labels: Vec<(&str, bool, usize)> = quarters
        .iter()
        .map(|g| (g.label.as_str(), g.partial, g.range.len()))
        .collect();
    assert_eq!(
        labels,
        vec![
            ("FY2026-Q4", true, 1),
            ("FY2027-Q1", false, 3),
            ("FY2027-Q2", false, 3),
            ("FY2027-Q3", false, 3),
            ("FY2027-Q4", true, 2),
        ]
    );
    let q = |item: &str, label: &str| window(&c, "base", item, By::Quarter, label);
    // sales: 10 Jan–Apr, 20 May–Oct, 40 Nov–Dec.
    assert_eq!(q("sales", "FY2026-Q4"), d("10"));
    assert_eq!(q("sales", "FY2027-Q1"), d("30"));
    assert_eq!(q("sales", "FY2027-Q2"), d("60"));
    assert_eq!(q("sales", "FY2027-Q4"), d("80"));
    assert_eq!(q("cash", "FY2027-Q3"), d("160"));
    // rate: 2.2 points a month from February (10%) to December (32%).
    assert_eq!(q("rate", "FY2027-Q1"), d("0.122"));
    assert_eq!(q("rate", "FY2027-Q4"), (d("0.298") + d("0.32")) / d("2"));
    assert_eq!(window(&c, "base", "sales", By::Year, "FY2027"), d("230"));
    assert_eq!(window(&c, "base", "sales", By::Year, "FY2026"), d("10"));
    // FY periods in expressions.
    let s = plan.scenario("base").unwrap();
    let r = c.results.as_ref().unwrap().get(s).unwrap();
    assert_eq!(r.values[plan.item("total_q2").unwrap()][0], d("60"));
    assert_eq!(r.values[plan.item("at_fy_q3").unwrap()][0], d("60"));
}

#[test]
fn fiscal_quarters_named_by_start() {
    let c = case("fiscal_quarterly_by_start");
    assert!(!c.has_errors(), "{:?}", c.diagnostics);
    let plan = c.plan();
    // FY2027 named by its start: March 2027 to February 2028.
    assert_eq!(plan.start, 2027 * 12 + 2);
    assert_eq!(plan.period_label(0), "FY2027-Q1");
    assert_eq!(plan.period_label(5), "FY2028-Q2");
    let years = period_groups(plan, By::Year);
    assert_eq!(years.len(), 2);
    assert!(!years[0].partial && years[1].partial);
    assert_eq!(window(&c, "base", "spend", By::Year, "FY2027"), d("464.1"));
    assert_eq!(
        window(&c, "base", "spend", By::Year, "FY2028"),
        d("146.41") + d("161.051")
    );
}

/// `examples/retail_fy2027.plumb`: its fiscal quarters worked out by hand.
#[test]
fn retail_example_fiscal_numbers() {
    let c = common::compile_file(Path::new("examples/retail_fy2027.plumb"));
    assert!(!c.has_errors(), "{:?}", c.diagnostics);
    let q = |s: &str, item: &str, label: &str| window(&c, s, item, By::Quarter, label);
    let fy = |s: &str, item: &str| window(&c, s, item, By::Year, "FY2027");
    // Orders 40K a month in Q1 and Q2, 45K in Q3, 60K in Q4 (Nov–Jan), at $80.
    assert_eq!(q("base", "revenue", "FY2027-Q1"), d("9600000"));
    assert_eq!(q("base", "revenue", "FY2027-Q3"), d("10800000"));
    assert_eq!(q("base", "revenue", "FY2027-Q4"), d("14400000"));
    assert_eq!(fy("base", "revenue"), d("44400000"));
    // EBITDA a month: 45% of revenue less marketing and 900K of opex.
    assert_eq!(q("base", "ebitda", "FY2027-Q1"), d("720000"));
    assert_eq!(q("base", "ebitda", "FY2027-Q4"), d("2280000"));
    assert_eq!(fy("base", "ebitda"), d("4980000"));
    // The margin over a window is that window's EBITDA over its revenue.
    assert_eq!(q("base", "ebitda_margin", "FY2027-Q1"), d("0.075"));
    assert_eq!(
        q("base", "ebitda_margin", "FY2027-Q3"),
        d("1260000") / d("10800000")
    );
    assert_eq!(fy("base", "ebitda_margin"), d("4980000") / d("44400000"));
    assert_eq!(
        q("base", "cost_per_order", "FY2027-Q4"),
        d("1500000") / d("180000")
    );
    // Cash closes each quarter: 5M plus the EBITDA so far.
    assert_eq!(q("base", "cash", "FY2027-Q1"), d("5720000"));
    assert_eq!(q("base", "cash", "FY2027-Q4"), d("9980000"));
    // A soft holiday: 50K orders in Q4 misses both targets.
    assert_eq!(q("soft_holiday", "revenue", "FY2027-Q4"), d("12000000"));
    assert_eq!(
        fy("soft_holiday", "ebitda_margin"),
        d("3900000") / d("42000000")
    );
    // The calendar quarter 2026-Q4 (October to December) keeps its meaning.
    let plan = c.plan();
    let s = plan.scenario("base").unwrap();
    let r = c.results.as_ref().unwrap().get(s).unwrap();
    assert_eq!(
        r.values[plan.item("calendar_q4_revenue").unwrap()][0],
        d("3600000") + d("4800000") * d("2")
    );
}

/// `--by quarter` in every output format of the retail example: fiscal labels.
#[test]
fn fiscal_labels_in_every_format() {
    use plumb::report::{render_csv, render_markdown, render_table, RunReport, TableOptions};
    let c = common::compile_file(Path::new("examples/retail_fy2027.plumb"));
    let results = c.results.as_ref().unwrap();
    let outcomes = plumb::outcome::targets::all_outcomes(c.plan(), results).unwrap();
    let report = RunReport::build(c.plan(), results, &outcomes, By::Quarter);
    assert_eq!(
        report.periods,
        vec!["FY2027-Q1", "FY2027-Q2", "FY2027-Q3", "FY2027-Q4"]
    );
    let table = render_table(&report, TableOptions::default());
    assert!(table.contains("FY2027-Q4"), "{table}");
    assert!(table.contains("$14,400,000"), "{table}");
    let csv = render_csv(&report);
    assert!(
        csv.starts_with("scenario,item,unit,FY2027-Q1,FY2027-Q2,FY2027-Q3,FY2027-Q4\n"),
        "{csv}"
    );
    assert!(
        csv.contains("base,revenue,USD,9600000,9600000,10800000,14400000\n"),
        "{csv}"
    );
    let md = render_markdown(&report);
    assert!(md.contains("| FY2027-Q1 |"), "{md}");
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(json["periods"][3], "FY2027-Q4");
    assert_eq!(json["windows"][3]["from"], "2026-11");
    assert_eq!(json["windows"][3]["to"], "2027-01");
    assert_eq!(json["windows"][3]["partial"], false);
    assert_eq!(
        json["scenarios"]["base"]["items"]["ebitda_margin"]["values"][0],
        "0.075"
    );
    let years = RunReport::build(c.plan(), results, &outcomes, By::Year);
    assert_eq!(years.periods, vec!["FY2027"]);
}

/// Partial windows are marked `*` in tables and `"partial": true` in JSON.
#[test]
fn partial_windows_are_marked() {
    use plumb::report::{render_markdown, render_table, RunReport, TableOptions};
    let c = case("fiscal_february");
    let results = c.results.as_ref().unwrap();
    let outcomes = plumb::outcome::targets::all_outcomes(c.plan(), results).unwrap();
    let report = RunReport::build(c.plan(), results, &outcomes, By::Quarter);
    let table = render_table(&report, TableOptions::default());
    assert!(table.contains("FY2026-Q4*"), "{table}");
    assert!(table.contains("FY2027-Q4*"), "{table}");
    assert!(
        table.contains("* FY2026-Q4, FY2027-Q4 lie only partly inside the horizon"),
        "{table}"
    );
    let md = render_markdown(&report);
    assert!(md.contains("FY2027-Q4*"), "{md}");
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(json["windows"][0]["partial"], true);
    assert_eq!(json["windows"][1]["partial"], false);
    assert_eq!(json["windows"][4]["partial"], true);
    // The partial quarter rolls up over its two months inside the horizon.
    assert_eq!(
        json["scenarios"]["base"]["items"]["sales"]["values"][4],
        "80"
    );
}

/// `explain` over a fiscal quarter names the roll-up and reconciles.
#[test]
fn explain_over_a_fiscal_quarter() {
    use plumb::explain::{explain, render_text, ExplainOptions};
    let c = common::compile_file(Path::new("examples/retail_fy2027.plumb"));
    let e = explain(
        &c,
        "ebitda_margin",
        &ExplainOptions {
            period: Some("FY2027-Q4".into()),
            ..ExplainOptions::default()
        },
    )
    .unwrap();
    let text = render_text(&e);
    assert!(
        text.contains("formula over the window's roll-ups, FY2027-Q4 (2026-11 .. 2027-01)"),
        "{text}"
    );
    assert!(text.contains("ebitda = $2,280,000"), "{text}");
    assert!(text.contains("revenue = $14,400,000"), "{text}");
    assert!(text.contains("ebitda_margin = 15.83%"), "{text}");
}

/// `diff` totals over a fiscal year: each item's roll-up, the window named.
#[test]
fn diff_totals_use_rollups_and_fiscal_names() {
    use plumb::diff::{diff, render_human, DiffOptions};
    let old_text = std::fs::read_to_string("examples/retail_fy2027.plumb").unwrap();
    let new_text = old_text.replace(
        "driver basket: USD/order = 80",
        "driver basket: USD/order = 90",
    );
    assert_ne!(old_text, new_text);
    let opts = plumb::compile::Options {
        evaluate: true,
        scenarios: None,
    };
    let a = plumb::compile::compile_str("retail.plumb", &old_text, &opts);
    let b = plumb::compile::compile_str("retail.plumb", &new_text, &opts);
    let dd = diff(
        &a,
        &b,
        &DiffOptions {
            old_label: "old".into(),
            new_label: "new".into(),
        },
    );
    let text = render_human(&dd);
    assert!(text.contains("FY2027 (2026-02 .. 2027-01)"), "{text}");
    let base = dd.scenarios.iter().find(|s| s.name == "base").unwrap();
    let margin = base
        .items
        .iter()
        .find(|i| i.name == "ebitda_margin")
        .unwrap();
    // Revenue 44.4M → 49.95M; EBITDA 4.98M → 4.98M + 45% × 5.55M = 7.4775M.
    assert_eq!(margin.before, Some(d("4980000") / d("44400000")));
    assert_eq!(margin.after, Some(d("7477500") / d("49950000")));
    let cash = base.items.iter().find(|i| i.name == "cash").unwrap();
    assert_eq!(cash.before, Some(d("9980000")));
    assert_eq!(cash.after, Some(d("9980000") + d("2497500")));
}
