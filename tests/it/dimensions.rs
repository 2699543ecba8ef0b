//! Dimensions, allocations and budgets (DIMENSIONS.md): the spec's numbers,
//! computed by hand, against the exact results of small plans in `tests/dims/`,
//! and property tests of `allocate`.

#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

use plumb::compile::{compile, Compilation, DiskFs, Options};
use plumb::eval::allocate::split;
use proptest::prelude::*;
use rust_decimal::Decimal;
use std::path::Path;
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal literal")
}

fn load(path: &str) -> Compilation {
    let c = compile(
        Path::new(path),
        &DiskFs,
        &Options {
            evaluate: true,
            scenarios: None,
        },
    );
    let errors: Vec<_> = c.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    c
}

fn values(c: &Compilation, scenario: &str, item: &str) -> Vec<Decimal> {
    let plan = c.plan();
    let s = plan.scenario(scenario).expect("scenario");
    let i = plan.item(item).unwrap_or_else(|| panic!("no item {item}"));
    c.results
        .as_ref()
        .expect("results")
        .get(s)
        .expect("result")
        .values[i]
        .clone()
}

fn every(c: &Compilation, scenario: &str, item: &str, want: &str) {
    let v = values(c, scenario, item);
    assert!(!v.is_empty());
    for x in v {
        assert_eq!(x, d(want), "{item} in {scenario}");
    }
}

#[test]
fn one_dimension_spec_numbers() {
    let c = load("tests/dims/channels.plumb");
    // leads = spend / cost_per_lead per channel: 60K/150, 30K/400, 10K/250.
    every(&c, "base", "leads[paid]", "400");
    every(&c, "base", "leads[events]", "75");
    every(&c, "base", "leads[partners]", "40");
    // 400 + 75 + 40.
    every(&c, "base", "total_leads", "515");
    every(&c, "base", "paid_leads", "400");
    // The item's total row sums its members.
    every(&c, "base", "spend", "100000");
    every(&c, "base", "leads", "515");
}

#[test]
fn one_member_override_from_a_period() {
    let c = load("tests/dims/channels.plumb");
    // `spend[events] = 0 from 2026-04`: events leads 75 then 0.
    let ev = values(&c, "lean", "leads[events]");
    assert_eq!(ev, vec![d("75"), d("75"), d("75"), d("0"), d("0"), d("0")]);
    let tot = values(&c, "lean", "total_leads");
    assert_eq!(
        tot,
        vec![d("515"), d("515"), d("515"), d("440"), d("440"), d("440")]
    );
    // Other members untouched.
    every(&c, "lean", "spend[paid]", "60000");
    // Horizon total of spend in `lean`: 3 × 100K + 3 × 70K.
    let sum: Decimal = values(&c, "lean", "spend").iter().copied().sum();
    assert_eq!(sum, d("510000"));
}

#[test]
fn two_dimensions_and_prev_with_member_initial_values() {
    let c = load("tests/dims/two.plumb");
    // headcount = prev(headcount, { sales: 30, marketing: 12, else: 5 }) + hires.
    assert_eq!(
        values(&c, "base", "headcount[sales]"),
        vec![d("32"), d("34"), d("36")]
    );
    assert_eq!(
        values(&c, "base", "headcount[marketing]"),
        vec![d("13"), d("14"), d("15")]
    );
    assert_eq!(
        values(&c, "base", "headcount[finance]"),
        vec![d("6"), d("7"), d("8")]
    );
    // cost[sales, emea] = headcount[sales] × 80.
    assert_eq!(
        values(&c, "base", "cost[sales, emea]"),
        vec![d("2560"), d("2720"), d("2880")]
    );
    assert_eq!(
        values(&c, "base", "sales_emea"),
        vec![d("2560"), d("2720"), d("2880")]
    );
    // total(cost, department)[na] in January: 32×100 + 13×10 + 6×10 = 3390.
    assert_eq!(values(&c, "base", "cost_by_region[na]")[0], d("3390"));
    // emea: 32×80 + 13×5 + 6×5 = 2655; all: 3390 + 2655.
    assert_eq!(values(&c, "base", "cost_by_region[emea]")[0], d("2655"));
    assert_eq!(values(&c, "base", "cost_all")[0], d("6045"));
    assert_eq!(values(&c, "base", "cost")[0], d("6045"));
    // Horizon (Q1) total of cost: 6045 + 6435 + 6825.
    let q1: Decimal = values(&c, "base", "cost").iter().copied().sum();
    assert_eq!(q1, d("19305"));
    // `hires = 0.5 * hires` in `lean` halves every member.
    assert_eq!(
        values(&c, "lean", "headcount[marketing]"),
        vec![d("12.5"), d("13.0"), d("13.5")]
    );
}

#[test]
fn allocate_spec_numbers() {
    let c = load("tests/dims/alloc.plumb");
    every(&c, "base", "it_charge[marketing]", "22580.65");
    every(&c, "base", "it_charge[sales]", "41935.48");
    every(&c, "base", "it_charge[finance]", "35483.87");
    every(&c, "base", "it_charge", "100000.00");
    // Over the horizon: six months of 22,580.65.
    let h: Decimal = values(&c, "base", "it_charge[marketing]")
        .iter()
        .copied()
        .sum();
    assert_eq!(h, d("135483.90"));
}

/// An item's roll-up over `periods` (indices into the horizon) in `scenario`.
fn window(c: &Compilation, scenario: &str, item: &str, periods: std::ops::Range<usize>) -> Decimal {
    let plan = c.plan();
    let s = plan.scenario(scenario).expect("scenario");
    let i = plan.item(item).unwrap_or_else(|| panic!("no item {item}"));
    let r = c.results.as_ref().expect("results").get(s).expect("result");
    plumb::eval::window::window_value(plan, &r.values, i, periods).expect("window value")
}

#[test]
fn formula_item_totals_its_operands_totals() {
    let c = load("tests/dims/cpl.plumb");
    // January: paid 60K / 400 leads, events 30K / 75 leads.
    assert_eq!(values(&c, "base", "cpl[paid]")[0], d("150"));
    assert_eq!(values(&c, "base", "cpl[events]")[0], d("400"));
    // The total is total spend over total leads: 90K / 475 (not 150 + 400).
    let jan = d("90000") / d("475");
    for item in ["cpl", "cpl_formula", "cpl_inferred", "blended"] {
        assert_eq!(values(&c, "base", item)[0], jan, "{item}");
    }
    // June: leads 900 + 200.
    assert_eq!(values(&c, "base", "cpl")[5], d("90000") / d("1100"));
    // Q1: 270K over 400 + 500 + 600 + 75 + 100 + 125 = 1,800 leads: 150.
    for item in ["cpl", "cpl_formula", "cpl_inferred", "blended"] {
        assert_eq!(window(&c, "base", item, 0..3), d("150"), "{item}");
    }
    // Q2: 270K over 700 + 800 + 900 + 150 + 175 + 200 = 2,925 leads.
    assert_eq!(window(&c, "base", "cpl", 3..6), d("270000") / d("2925"));
    // A member over Q1: 180K / 1,500 paid leads.
    assert_eq!(window(&c, "base", "cpl[paid]", 0..3), d("120"));
    // The horizon: 540K over 4,725 leads.
    assert_eq!(window(&c, "base", "cpl", 0..6), d("540000") / d("4725"));
    // `explain` shows the formula over the totals.
    let opts = plumb::explain::ExplainOptions {
        scenario: None,
        period: Some("2026-01".into()),
    };
    let e = plumb::explain::explain(&c, "cpl", &opts).unwrap();
    let text = plumb::explain::render_text(&e);
    assert!(text.starts_with("cpl = $189.47/lead"), "{text}");
    assert!(
        text.contains("= spend / leads") && text.contains("spend = $90,000"),
        "{text}"
    );
}

#[test]
fn formula_item_totals_over_two_dimensions() {
    let c = load("tests/dims/cpl2.plumb");
    // January: 40K/250, 20K/150, 20K/75, 10K/25.
    assert_eq!(values(&c, "base", "cpl[paid, na]")[0], d("160"));
    assert_eq!(values(&c, "base", "cpl[events, emea]")[0], d("400"));
    // 90K over 250 + 150 + 75 + 25 = 500 leads: 180.
    assert_eq!(values(&c, "base", "cpl")[0], d("180"));
    // February: 90K over 300 + 200 + 100 + 25 = 625: 144.
    assert_eq!(values(&c, "base", "cpl")[1], d("144"));
    // Q1: 270K over 500 + 625 + 750 leads = 1,875: 144.
    assert_eq!(window(&c, "base", "leads", 0..3), d("1875"));
    assert_eq!(window(&c, "base", "cpl", 0..3), d("144"));
}

#[test]
fn average_items_and_inferred_ratios_have_no_sum() {
    let compile = |body: &str| {
        let text = format!(
            "plan p \"P\" {{\n  currency USD\n  periods 2026-01 .. 2026-03\n}}\nunit lead\n\
             dimension channel \"Channel\" {{ paid  events }}\n\
             driver spend: USD by channel = {{ paid: 60K, events: 30K }}\n\
             driver leads: lead by channel = {{ paid: 400, events: 75 }}\n{body}\nscenario base \"Base\" {{}}\n"
        );
        plumb::compile::compile_str("p.plumb", &text, &Options::default())
    };
    let codes = |c: &Compilation| {
        c.diagnostics
            .iter()
            .filter(|x| x.is_error())
            .map(|x| (x.code, x.message.clone()))
            .collect::<Vec<_>>()
    };
    // `total()` of an average item is a mismatch.
    let c = compile(
        "metric a: USD/lead average by channel = spend / leads\nmetric t: USD/lead = total(a)",
    );
    let e = codes(&c);
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].0, plumb::diagnostic::Code::DimensionMismatch);
    // A formula total reads its operands' totals: an operand without one is named.
    let c = compile("metric a: USD/lead average by channel = spend / leads\nmetric b: USD/lead formula by channel = a * 2");
    let e = codes(&c);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].1.contains("`a` has no total"), "{e:?}");
    // A ratio over other months (an average) whose unit is not written is not
    // summed: its unit is asked for.
    let c = compile("metric lag by channel = spend / prev(leads, 1)");
    let e = codes(&c);
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].0, plumb::diagnostic::Code::DimensionMismatch);
    assert!(e[0].1.contains("`lag` is a ratio (USD/lead)"), "{e:?}");
    // With the unit written, the same metric has no total and compiles.
    let c = compile("metric lag: USD/lead by channel = spend / prev(leads, 1)");
    assert!(codes(&c).is_empty(), "{:?}", codes(&c));
    assert!(c.plan().item("lag").is_none());
    assert!(c.plan().item("lag[paid]").is_some());
    // So has a ratio driver.
    let c = compile("driver conv: % by channel = { paid: 5%, events: 10% }");
    assert!(codes(&c).is_empty(), "{:?}", codes(&c));
    assert!(c.plan().item("conv").is_none());
    // A ratio without a roll-up word over such a driver has no total either.
    let c = compile(
        "driver conv: % by channel = { paid: 5%, events: 10% }\nmetric lost: % by channel = 1 - conv",
    );
    assert!(codes(&c).is_empty(), "{:?}", codes(&c));
    assert!(c.plan().item("lost").is_none());
    assert!(c.plan().item("lost[paid]").is_some());
}

fn amount() -> impl Strategy<Value = Decimal> {
    (any::<i64>(), 0u32..=4).prop_map(|(m, s)| Decimal::new(m % 1_000_000_000_000, s))
}

fn weights() -> impl Strategy<Value = Vec<Decimal>> {
    prop::collection::vec(
        (0i64..1_000_000, 0u32..=3).prop_map(|(m, s)| Decimal::new(m, s)),
        1..40,
    )
    .prop_filter("some weight", |w| w.iter().any(|x| !x.is_zero()))
}

proptest! {
    #[test]
    fn allocated_parts_sum_exactly(a in amount(), w in weights(), digits in 0u32..=4) {
        // An amount with at most `digits` decimals splits into parts that add up to it.
        let a = a.round_dp_with_strategy(digits, rust_decimal::RoundingStrategy::ToZero);
        let parts = split(a, &w, Some(digits)).unwrap();
        prop_assert_eq!(parts.len(), w.len());
        let sum: Decimal = parts.iter().copied().sum();
        prop_assert_eq!(sum, a);
        for p in &parts {
            prop_assert!(p.scale() <= digits);
            // Each part is within one unit of its exact share.
            prop_assert!(p.abs() <= a.abs());
        }
    }

    #[test]
    fn unrounded_parts_sum_exactly(a in amount(), w in weights()) {
        let parts = split(a, &w, None).unwrap();
        let sum: Decimal = parts.iter().copied().sum();
        prop_assert_eq!(sum, a);
    }
}

fn budgets(c: &Compilation, scenario: &str) -> Vec<plumb::outcome::budgets::BudgetRow> {
    let plan = c.plan();
    let s = plan.scenario(scenario).unwrap();
    let all = plumb::outcome::budgets::all_outcomes(plan, c.results.as_ref().unwrap()).unwrap();
    let (_, outs) = all.into_iter().find(|(x, _)| *x == s).unwrap();
    outs.into_iter().flat_map(|o| o.rows).collect()
}

#[test]
fn budget_spec_numbers() {
    let c = compile(
        Path::new("tests/dims/budget.plumb"),
        &DiskFs,
        &Options {
            evaluate: true,
            scenarios: None,
        },
    );
    let rows = budgets(&c, "base");
    let row = |d: &str| rows.iter().find(|r| r.department == d).unwrap().clone();
    // Marketing: 6 × 100K = 600K against 620K + 40K − 20K = 640K.
    let m = row("marketing");
    assert_eq!(
        (m.spend, m.allowance, m.headroom),
        (d("600000"), d("640000"), d("40000"))
    );
    assert_eq!(
        (m.amount, m.draws, m.reallocations),
        (d("620000"), d("40000"), d("-20000"))
    );
    // Sales: 6 × 190K = 1.14M against 1.2M + 20K = 1.22M.
    let s = row("sales");
    assert_eq!((s.spend, s.allowance), (d("1140000"), d("1220000")));
    // Finance: 6 × 50K = 300K against 300K.
    let f = row("finance");
    assert_eq!(
        (f.spend, f.allowance, f.headroom),
        (d("300000"), d("300000"), d("0"))
    );
    // events at 40K a month: marketing 660K, over by 20K (a warning there).
    let up = budgets(&c, "events_up");
    let m = up.iter().find(|r| r.department == "marketing").unwrap();
    assert_eq!((m.spend, m.headroom), (d("660000"), d("-20000")));
    let over: Vec<_> = c
        .diagnostics
        .iter()
        .filter(|x| x.code == plumb::diagnostic::Code::OverBudget)
        .collect();
    assert_eq!(over.len(), 1);
    assert_eq!(over[0].severity, plumb::diagnostic::Severity::Warning);
    assert!(
        over[0].message.contains("$20,000 over"),
        "{}",
        over[0].message
    );
    // The contingency: 100K − 40K drawn = 60K left; requests ranked by ROI.
    let base = c.results.as_ref().unwrap().get(c.plan().base).unwrap();
    let (ranked, left) = plumb::outcome::budgets::ranking(c.plan(), base).unwrap();
    assert_eq!(left, d("60000"));
    assert_eq!(ranked[0].roi, Some(d("2.5")));
    assert_eq!(ranked[1].running, d("60000"));
    assert!(ranked.iter().all(|r| r.funded));
}

#[test]
fn budget_json_matches_serde_and_csv_is_exact() {
    let c = load("tests/dims/budget.plumb");
    let plan = c.plan();
    let results = c.results.as_ref().unwrap();
    let outcomes = plumb::outcome::targets::all_outcomes(plan, results).unwrap();
    let b = plumb::outcome::budgets::all_outcomes(plan, results).unwrap();
    let ranking = plumb::outcome::budgets::ranking(plan, results.get(plan.base).unwrap()).unwrap();
    let report =
        plumb::report::RunReport::build(plan, results, &outcomes, plumb::calendar::By::Month)
            .with_budgets(plan, &b, Some(ranking));
    let ours = report.to_json();
    assert_eq!(ours, serde_json::to_string_pretty(&report).unwrap());
    assert!(ours.contains("\"budgets\""));
    assert!(ours.contains("\"contingency_left\": \"60000\""));
    let csv = plumb::report::render_csv(&report);
    assert!(
        csv.contains(
            "base,opex,marketing,2026-01 .. 2026-06,620000,40000,-20000,640000,600000,40000"
        ),
        "{csv}"
    );
    let md = plumb::report::render_markdown(&report);
    assert!(md.contains("| opex | sales | 2026-01 .. 2026-06 |"), "{md}");
}

#[test]
fn company_example_by_department() {
    let c = load("examples/company/main.plumb");
    // Headcount by department in January: R&D 110 + 3 hires, the others flat.
    assert_eq!(values(&c, "base", "headcount[rnd]")[0], d("113"));
    assert_eq!(values(&c, "base", "headcount")[0], d("213"));
    // A stock: the year's figure is December's, 15 + 60 + 25 + 140.
    assert_eq!(*values(&c, "base", "headcount").last().unwrap(), d("240"));
    // IT's 120K charged back by seats in January, to the cent: shares of 213
    // seats in cents are 845070.42…, 3380281.69…, 1408450.70…, 6366197.18…;
    // the two cents left go to marketing (.70) and sales (.69).
    assert_eq!(values(&c, "base", "it_charge[finance]")[0], d("8450.70"));
    assert_eq!(values(&c, "base", "it_charge[sales]")[0], d("33802.82"));
    assert_eq!(values(&c, "base", "it_charge[marketing]")[0], d("14084.51"));
    assert_eq!(values(&c, "base", "it_charge[rnd]")[0], d("63661.97"));
    assert_eq!(values(&c, "base", "it_charge")[0], d("120000.00"));
    // Opex is the sum of the departments: 500K + 800K + 600K + 113 × 16K.
    assert_eq!(values(&c, "base", "opex")[0], d("3708000"));
    // Marketing's channels add up to the 600K a month it had before.
    assert_eq!(values(&c, "base", "marketing_spend")[0], d("600000"));
    // The budget: R&D spends 1,533 engineer-months × 16K = 24,528,000 against
    // 24.9M − 300K given to sales; marketing 7.2M against 7M + 240K drawn.
    let rows = budgets(&c, "base");
    let row = |dep: &str| rows.iter().find(|r| r.department == dep).unwrap().clone();
    assert_eq!(
        (row("rnd").spend, row("rnd").allowance),
        (d("24528000"), d("24600000"))
    );
    assert_eq!(
        (row("marketing").spend, row("marketing").allowance),
        (d("7200000"), d("7240000"))
    );
    assert_eq!(
        (row("sales").spend, row("sales").allowance),
        (d("9600000"), d("9700000"))
    );
    assert_eq!(row("finance").headroom, d("0"));
    let base = c.results.as_ref().unwrap().get(c.plan().base).unwrap();
    let (_, left) = plumb::outcome::budgets::ranking(c.plan(), base).unwrap();
    assert_eq!(left, d("260000"));
}

#[test]
fn per_quarter_budget_is_checked_to_date() {
    let text = r#"plan q "Quarterly" {
  currency USD
  periods 2026-01 .. 2026-06
}
department marketing "Marketing"
role cfo "CFO"
driver dept_spend: USD by department = { marketing: 100K }
budget opex "Opex" {
  owner cfo
  spend dept_spend
  amount per quarter { marketing: 290K }
  contingency 50K
}
request boost "Boost" {
  from marketing
  draw 15K from opex
  approved by cfo
  cost 15K
  return 20K
}
scenario base "Base" {}
"#;
    let c = plumb::compile::compile_str(
        "q.plumb",
        text,
        &Options {
            evaluate: true,
            scenarios: None,
        },
    );
    let rows = budgets(&c, "base");
    // To Q1: 290K + 15K drawn = 305K against 300K spent.
    assert_eq!(rows[0].window, "to 2026-Q1");
    assert_eq!(
        (rows[0].allowance, rows[0].spend),
        (d("305000"), d("300000"))
    );
    // To Q2: 580K + 15K = 595K against 600K: 5K over.
    assert_eq!(rows[1].window, "to 2026-Q2");
    assert_eq!(
        (rows[1].allowance, rows[1].headroom),
        (d("595000"), d("-5000"))
    );
    let over: Vec<_> = c
        .diagnostics
        .iter()
        .filter(|x| x.code == plumb::diagnostic::Code::OverBudget)
        .collect();
    assert_eq!(over.len(), 1, "{:?}", c.diagnostics);
    assert!(over[0].is_error());
    assert!(
        over[0].message.contains("to 2026-Q2") && over[0].message.contains("$5,000 over"),
        "{}",
        over[0].message
    );
}

#[test]
fn explain_a_member_and_a_total() {
    let c = load("tests/dims/channels.plumb");
    let opts = plumb::explain::ExplainOptions {
        scenario: None,
        period: Some("2026-01".into()),
    };
    let e = plumb::explain::explain(&c, "leads[events]", &opts).unwrap();
    let text = plumb::explain::render_text(&e);
    // 30K / 400 = 75 leads in January, from the events members.
    assert!(text.starts_with("leads[events] = 75 lead"), "{text}");
    assert!(text.contains("spend[events] = $30,000"), "{text}");
    assert!(text.contains("cost_per_lead[events] = $400/lead"), "{text}");
    let e = plumb::explain::explain(&c, "leads", &opts).unwrap();
    let text = plumb::explain::render_text(&e);
    assert!(text.starts_with("leads = 515 lead"), "{text}");
    assert!(
        text.contains("= total(leads)") && text.contains("leads[paid] = 400 lead"),
        "{text}"
    );
}

#[test]
fn too_many_member_combinations_are_refused_not_expanded() {
    let members = |p: &str| {
        (0..200)
            .map(|i| format!("{p}{i}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let text = format!(
        "plan big \"Big\" {{\n  currency USD\n  periods 2026-01 .. 2026-03\n}}\n\
         dimension d1 \"D1\" {{ {} }}\ndimension d2 \"D2\" {{ {} }}\n\
         driver a: USD by d1 = 1\ndriver b: USD by d2 = 2\n\
         metric x: USD = total(a * b)\nmetric y: USD by d1, d2 = a * b\nscenario base \"Base\" {{}}\n",
        members("p"),
        members("q")
    );
    let start = std::time::Instant::now();
    let c = plumb::compile::compile_str("big.plumb", &text, &Options::default());
    let codes: Vec<_> = c.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(
        codes,
        vec![
            plumb::diagnostic::Code::LimitExceeded,
            plumb::diagnostic::Code::LimitExceeded
        ],
        "{:?}",
        c.diagnostics
    );
    assert!(start.elapsed() < std::time::Duration::from_secs(20));
}

#[test]
fn budgets_against_actuals_in_variance() {
    use plumb::actuals::{render, variance};
    let c = load("tests/dims/budget_actuals/main.plumb");
    let inp = variance::Inputs {
        plan: c.plan(),
        results: c.results.as_ref().unwrap(),
        forecast: c.forecast.as_ref().unwrap(),
        actuals: c.actuals.as_ref().unwrap(),
    };
    let r = variance::build(inp, c.plan().base, variance::Window::Month).unwrap();
    let row = |dep: &str| r.budgets.iter().find(|b| b.department == dep).unwrap();
    // Marketing: allowance 560K + 40K drawn = 600K. To date (January and
    // February closed, events from the actuals, paid from the model):
    // (60K + 35K) + (60K + 45K) = 200K. Outlook: 200K + 4 × (60K + 30K) = 560K.
    let m = row("marketing");
    assert_eq!(m.budget, "opex");
    assert_eq!(m.window, "2026-01 .. 2026-06");
    assert_eq!(
        (m.allowance, m.actual_to_date, m.outlook),
        (d("600000"), d("200000"), d("560000"))
    );
    // Remaining: 600K − 200K; the contingency drawn to marketing: 40K.
    assert_eq!((m.remaining, m.contingency_used), (d("400000"), d("40000")));
    // Sales: no actuals, 190K a month: 380K to date, 1.14M outlook, 1.2M − 380K left.
    let s = row("sales");
    assert_eq!(
        (
            s.allowance,
            s.actual_to_date,
            s.outlook,
            s.remaining,
            s.contingency_used
        ),
        (d("1200000"), d("380000"), d("1140000"), d("820000"), d("0"))
    );
    // Every output carries the figures.
    let table = render::table(&r);
    assert!(table.contains("Budgets against actuals"), "{table}");
    assert!(
        table.contains("opex    marketing   2026-01 .. 2026-06    $600,000        $200,000    $560,000   $400,000           $40,000"),
        "{table}"
    );
    let csv = render::csv(&r);
    assert!(
        csv.contains(
            "base,opex,marketing,2026-01 .. 2026-06,USD,600000,200000,560000,400000,40000\n"
        ),
        "{csv}"
    );
    let md = render::markdown(&r);
    assert!(
        md.contains("| opex | sales | 2026-01 .. 2026-06 | $1,200,000 | $380,000 | $1,140,000 | $820,000 | $0 |"),
        "{md}"
    );
    let json: serde_json::Value = serde_json::from_str(&render::json(&r)).unwrap();
    let b = &json["budgets"][0];
    assert_eq!(b["department"], "marketing");
    assert_eq!(b["actual_to_date"], "200000");
    assert_eq!(b["outlook"], "560000");
    assert_eq!(b["remaining"], "400000");
    assert_eq!(b["contingency_used"], "40000");
}
