//! The contract's example after the first-quarter close (ACTUALS.md §5,
//! `examples/close/`): every number of §5 against a hand-computed decimal.

#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

use crate::common;

use plumb::actuals::variance::{self, value_over, Inputs, Window};
use plumb::compile::Compilation;
use plumb::diagnostic::Code;
use rust_decimal::Decimal;
use std::path::Path;
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn close() -> Compilation {
    let c = common::compile_file(Path::new("examples/close/fy2026.plumb"));
    assert!(!c.has_errors(), "{}", common::diagnostics_text(&c));
    c
}

fn inputs(c: &Compilation) -> Inputs<'_> {
    Inputs {
        plan: c.plan(),
        results: c.results.as_ref().unwrap(),
        forecast: c.forecast.as_ref().unwrap(),
        actuals: c.actuals.as_ref().unwrap(),
    }
}

fn forecast_of<'a>(c: &'a Compilation, name: &str) -> &'a [Decimal] {
    let plan = c.plan();
    let f = c.forecast.as_ref().unwrap().get(plan.base).unwrap();
    &f.values[plan.item(name).unwrap()]
}

#[test]
fn q1_revenue_plan_actual_variance() {
    let c = close();
    let r = variance::build(inputs(&c), c.plan().base, Window::Quarter).unwrap();
    assert_eq!(r.actuals_through.as_deref(), Some("2026-03"));
    let rev = r.items.iter().find(|i| i.name == "revenue").unwrap();
    let q1 = &rev.periods[0];
    assert_eq!(q1.period, "2026-Q1");
    assert!(!q1.partial);
    // Plan: 3,927,000 + 4,224,024 + 4,531,358.16 (210·1.02^t · ramp · 85K).
    assert_eq!(q1.plan.round_dp(2), d("12682382.16"));
    // Actual: 3,696,000 + 3,971,500 + 4,067,000.
    assert_eq!(q1.actual, d("11734500"));
    assert_eq!(q1.variance.round_dp(2), d("-947882.16"));
    assert_eq!(q1.variance_pct.unwrap().round_dp(2), d("-7.47"));
    assert!(!q1.favourable);
    assert_eq!(rev.favourable, "higher");
}

#[test]
fn trigger_fires_on_actuals_in_february() {
    let c = close();
    let plan = c.plan();
    let t = plan
        .triggers
        .iter()
        .position(|t| t.name == "revenue_shortfall")
        .unwrap();
    let f = c.forecast.as_ref().unwrap().get(plan.base).unwrap();
    let fired = f.fired.iter().find(|x| x.0 == t).unwrap().1;
    assert_eq!(fired, Some(1), "fires at 2026-02 (index 1)");
    // In the plan it never fires in base.
    let p = c.results.as_ref().unwrap().get(plan.base).unwrap();
    assert_eq!(p.fired.iter().find(|x| x.0 == t).unwrap().1, None);
}

#[test]
fn forecast_hires_spend_and_headcount() {
    let c = close();
    let hires = forecast_of(&c, "hires");
    assert_eq!(&hires[..2], &[d("2"), d("2")]);
    assert!(
        hires[2..].iter().all(|h| h.is_zero()),
        "hires is 0 from 2026-03"
    );
    let sm = forecast_of(&c, "sm_spend");
    assert_eq!(
        &sm[..4],
        &[d("1180000"), d("1235000"), d("1210000"), d("1200000")]
    );
    assert!(
        sm[4..].iter().all(|v| *v == d("960000")),
        "960,000 from 2026-05"
    );
    let hc = forecast_of(&c, "headcount");
    assert_eq!(&hc[..3], &[d("122"), d("124"), d("125")]);
    assert!(hc[2..].iter().all(|v| *v == d("125")), "125 to December");
    let plan = c.plan();
    let p = c.results.as_ref().unwrap().get(plan.base).unwrap();
    assert_eq!(p.values[plan.item("headcount").unwrap()][11], d("140"));
    // Full-year spend: 1,180,000 + 1,235,000 + 1,210,000 + 1,200,000 + 8 × 960,000.
    let f = c.forecast.as_ref().unwrap().get(plan.base).unwrap();
    let sm_id = plan.item("sm_spend").unwrap();
    assert_eq!(
        value_over(plan, &f.values, sm_id, 0..12),
        Some(d("12505000"))
    );
    assert_eq!(
        value_over(plan, &p.values, sm_id, 0..12),
        Some(d("14400000"))
    );
}

#[test]
fn outlooks_of_targets() {
    let c = close();
    let r = variance::build(inputs(&c), c.plan().base, Window::Month).unwrap();
    let rev = r
        .targets
        .iter()
        .find(|t| t.objective == "revenue_65m")
        .unwrap();
    assert_eq!(rev.outlook.unwrap().round_dp(2), d("62785766.79"));
    assert_eq!(rev.projected.unwrap().round_dp(2), d("63733648.95"));
    assert_eq!(rev.outlook_gap.unwrap().round_dp(2), d("-2214233.21"));
    assert_eq!(rev.gap.unwrap().round_dp(2), d("-1266351.05"));
    assert!(!rev.outlook_met);
    let logos = r
        .targets
        .iter()
        .find(|t| t.objective == "new_logos")
        .unwrap();
    assert_eq!(logos.outlook.unwrap().round_dp(2), d("740.60"));
    assert!(logos.outlook_met);
}

#[test]
fn every_warning_of_the_example() {
    let c = close();
    let msgs = |code: Code| -> Vec<String> {
        c.diagnostics
            .iter()
            .filter(|x| x.code == code)
            .map(|x| x.message.clone())
            .collect()
    };
    let fired = msgs(Code::TriggerFired);
    assert_eq!(fired.len(), 1);
    assert!(fired[0].contains("revenue_shortfall") && fired[0].contains("2026-02"));
    assert!(
        fired[0].contains("set `hires` from 2026-03")
            && fired[0].contains("set `sm_spend` from 2026-05")
    );
    let off = msgs(Code::AssumptionOffTrack);
    assert_eq!(off.len(), 1);
    assert!(
        off[0].contains(
            "22.6% in 2026-03 against an assumed 24.4%: 1.8 points behind, tolerance 0.6"
        ),
        "{}",
        off[0]
    );
    let broken = msgs(Code::MaintainBroken);
    assert_eq!(broken.len(), 2);
    assert!(
        broken.iter().any(|m| m.contains("cac_capped")
            && m.contains("2026-01")
            && m.contains("$26,818.18/deal against $26,000.00/deal")),
        "{broken:?}"
    );
    assert!(
        broken.iter().any(|m| m.contains("deal_size_holds")
            && m.contains("2026-01")
            && m.contains("$84,000.00/deal")),
        "{broken:?}"
    );
    let risk = msgs(Code::TargetAtRisk);
    assert_eq!(risk.len(), 1);
    assert!(
        risk[0].contains("revenue_65m")
            && risk[0].contains("$2,214,233.21")
            && risk[0].contains("$1,266,351.05")
    );
    let dep = msgs(Code::DependencyOverdue);
    assert_eq!(dep.len(), 1);
    assert!(dep[0].contains("cs_platform") && dep[0].contains("due 2026-01"));
    let rev = msgs(Code::RiskReviewDue);
    assert_eq!(rev.len(), 1);
    assert!(
        rev[0].contains("senior_engineers")
            && rev[0].contains("never been reviewed")
            && rev[0].contains("2026-Q1")
    );
    // And nothing else about actuals: the data reads cleanly.
    for code in [
        Code::ActualsBadValue,
        Code::ActualsUnknownName,
        Code::ActualsDuplicate,
        Code::ActualsUnit,
        Code::ActualsAfterClose,
        Code::ActualsOutOfHorizon,
        Code::ActualsMissing,
    ] {
        assert!(msgs(code).is_empty(), "{code}");
    }
    // Warnings alone: the plan still has no error.
    assert!(!c.has_errors());
}

#[test]
fn cac_over_q1_is_a_formula_rollup() {
    let c = close();
    let plan = c.plan();
    let cac = plan.item("cac").unwrap();
    let p = c.results.as_ref().unwrap().get(plan.base).unwrap();
    let f = c.forecast.as_ref().unwrap().get(plan.base).unwrap();
    // Actuals: 3,625,000 / 140.
    assert_eq!(
        value_over(plan, &f.values, cac, 0..3).unwrap().round_dp(2),
        d("25892.86")
    );
    // Plan: 3,600,000 / 149.1996 (46.2 + 49.6944 + 53.3052…).
    assert_eq!(
        value_over(plan, &p.values, cac, 0..3).unwrap().round_dp(2),
        d("24127.96")
    );
}

#[test]
fn as_of_wins_over_actuals_through() {
    use plumb::compile::{compile_as_of, DiskFs, Options};
    let opts = Options {
        evaluate: true,
        scenarios: None,
    };
    let jan = plumb::actuals::parse_as_of("2026-01").unwrap();
    let c = compile_as_of(
        Path::new("examples/close/fy2026.plumb"),
        &DiskFs,
        &opts,
        Some(jan),
    );
    let a = c.actuals.as_ref().unwrap();
    assert_eq!(a.through, Some(0));
    // February and March are after the close: ignored, with one warning.
    assert_eq!(
        c.diagnostics
            .iter()
            .filter(|x| x.code == Code::ActualsAfterClose)
            .count(),
        1
    );
    // One month under $4M is not two: the trigger does not fire on actuals.
    assert!(!c.diagnostics.iter().any(|x| x.code == Code::TriggerFired));
    // Headcount continues from January's actual 122 with the planned hires.
    let plan = c.plan();
    let f = c.forecast.as_ref().unwrap().get(plan.base).unwrap();
    assert_eq!(f.values[plan.item("headcount").unwrap()][11], d("140"));
}

/// A stock, a ratio, a trigger firing on actuals and one firing in the plan but
/// not in reality (`tests/cases/actuals_forecast/`), against hand-computed values.
#[test]
fn forecast_against_hand_computed_values() {
    let c = common::compile_file(Path::new("tests/cases/actuals_forecast/main.plumb"));
    assert!(!c.has_errors(), "{}", common::diagnostics_text(&c));
    let plan = c.plan();
    let f = c.forecast.as_ref().unwrap().get(plan.base).unwrap();
    let p = c.results.as_ref().unwrap().get(plan.base).unwrap();
    let series = |r: &plumb::eval::ScenarioResult, n: &str| r.values[plan.item(n).unwrap()].clone();
    let trig = |r: &plumb::eval::ScenarioResult, n: &str| {
        let t = plan.triggers.iter().position(|t| t.name == n).unwrap();
        r.fired.iter().find(|x| x.0 == t).unwrap().1
    };
    // churn_spike fires on February's 8% in reality only; slow_growth fires in
    // the plan (10 new customers in January and February) but not on 15 and 14.
    assert_eq!(trig(f, "churn_spike"), Some(1));
    assert_eq!(trig(p, "churn_spike"), None);
    assert_eq!(trig(p, "slow_growth"), Some(1));
    assert_eq!(trig(f, "slow_growth"), None);
    // new_customers: actuals, then the playbook's 20 from March.
    assert_eq!(
        series(f, "new_customers"),
        ["15", "14", "20", "20", "20", "20"].map(d).to_vec()
    );
    // The stock continues from February's actual 115: 115 × 0.95 + 20 = 129.25,
    // 129.25 × 0.95 + 20 = 142.7875, then 155.648125 and 167.86571875.
    assert_eq!(
        series(f, "customers"),
        [
            "110",
            "115",
            "129.25",
            "142.7875",
            "155.648125",
            "167.86571875"
        ]
        .map(d)
        .to_vec()
    );
    // The plan's price drops to 90 from March (slow_growth); reality keeps 100.
    assert_eq!(series(p, "price")[2], d("90"));
    assert!(series(f, "price").iter().all(|v| *v == d("100")));
    // mrr has no actual of its own: computed from the actual customers.
    assert_eq!(&series(f, "mrr")[..3], &["11000", "11500", "12925"].map(d));
    // Plan: 105 → 109.75 → 109.75 × 0.95 + 10 = 114.2625 at $90.
    assert_eq!(series(p, "mrr")[2], d("10283.625"));
    // Over the quarter: the stock is March's, the ratio the mean of its months.
    let cust = plan.item("customers").unwrap();
    let churn = plan.item("churn").unwrap();
    assert_eq!(value_over(plan, &f.values, cust, 0..3), Some(d("129.25")));
    assert_eq!(value_over(plan, &f.values, churn, 0..3), Some(d("0.06")));
    // churn is better lower: February's +3 points are unfavourable.
    let r = variance::build(inputs(&c), plan.base, Window::Month).unwrap();
    let ch = r.items.iter().find(|i| i.name == "churn").unwrap();
    assert_eq!(ch.favourable, "lower");
    assert_eq!(ch.periods[1].variance, d("0.03"));
    assert!(!ch.periods[1].favourable);
    assert_eq!(r.triggers.len(), 1);
    assert_eq!(r.triggers[0].fired_in_plan, None);
}

#[test]
fn hover_shows_plan_actual_and_variance_of_closed_periods() {
    use plumb::analysis::{hover, Evaluated};
    let c = close();
    let e = Evaluated::new(c.clone());
    let file = c.files.iter().find(|f| f.entry).unwrap().file;
    let text = &c.sources.get(file).unwrap().text;
    let at = text.find("metric revenue").unwrap() + "metric ".len() + 2;
    let h = hover(&c, None, Some(&e), file, at as u32).unwrap();
    assert!(
        h.markdown.contains("**Actuals** (closed through 2026-03)"),
        "{}",
        h.markdown
    );
    assert!(
        h.markdown
            .contains("- 2026-01: plan $3,927,000 · actual $3,696,000 · variance -$231,000"),
        "{}",
        h.markdown
    );
}

#[test]
fn explain_on_a_closed_period_says_it_is_an_actual() {
    let c = close();
    let note = plumb::actuals::notes::closed_note(&c, "revenue", 1).unwrap();
    assert!(
        note.starts_with("2026-02 is closed: `revenue` is an actual, $3,971,500.00."),
        "{note}"
    );
    assert!(
        note.contains("would have said $4,224,024.00 on the plan's inputs"),
        "{note}"
    );
    // Open periods and items without actuals have no note.
    assert!(plumb::actuals::notes::closed_note(&c, "revenue", 3).is_none());
    assert!(plumb::actuals::notes::closed_note(&c, "payroll", 1).is_none());
}

#[test]
fn data_errors_sit_on_the_plans_actuals_line() {
    let c = common::compile_file(Path::new("tests/cases/actuals_bad_value/main.plumb"));
    let d = c
        .diagnostics
        .iter()
        .find(|d| d.code == Code::ActualsBadValue)
        .unwrap();
    let src = c.sources.get(d.primary.span.file).unwrap();
    assert!(src.name.ends_with("main.plumb"));
    let (line, _) = src.line_col(d.primary.span.start);
    let text = src.text.lines().nth(line - 1).unwrap();
    assert_eq!(text, "actuals \"actuals.csv\"");
    assert!(
        d.message
            .starts_with("actuals.csv:5:15: `12x` is not a number"),
        "{}",
        d.message
    );
    assert!(d.help.as_deref().unwrap().starts_with("did you mean `12`?"));
}

#[test]
fn timing_and_bounded_items_are_better_lower() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.plumb"),
        "plan p \"Timing\" {\n  currency USD\n  periods 2026-01 .. 2026-06\n  actuals through 2026-03\n}\n\nactuals \"a.csv\"\n\ndepartment ops \"Ops\"\ndriver bookings: USD = 100\ndriver hosting: USD = 40\nmetric margin: USD = bookings - hosting\nobjective lean \"Lean\" {\n  owner ops\n  target sum(hosting) <= 300\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("a.csv"),
        "name,2026-01,2026-02,2026-03\nbookings,90,110,100\nhosting,41,41,41\n",
    )
    .unwrap();
    let c = plumb::compile::compile(
        &dir.path().join("main.plumb"),
        &plumb::compile::DiskFs,
        &plumb::compile::Options {
            evaluate: true,
            scenarios: None,
        },
    );
    assert!(!c.has_errors(), "{}", common::diagnostics_text(&c));
    let inp = inputs(&c);
    let plan = c.plan();
    // Q1 bookings: 300 against 300, but January and February are 10% off.
    let a = variance::explain(
        inp,
        plan.base,
        plan.item("bookings").unwrap(),
        0..3,
        "2026-Q1".into(),
    )
    .unwrap();
    assert!(a.variance.is_zero());
    assert!(a.timing);
    // margin: bookings +0, hosting +3 over the quarter (41 × 3 − 40 × 3).
    let m = variance::explain(
        inp,
        plan.base,
        plan.item("margin").unwrap(),
        0..3,
        "2026-Q1".into(),
    )
    .unwrap();
    assert_eq!(m.variance, d("-3"));
    let contrib: Vec<(String, Decimal)> = m
        .contributions
        .iter()
        .map(|c| (c.name.clone(), c.contribution))
        .collect();
    assert_eq!(
        contrib,
        [
            ("bookings".to_string(), d("0")),
            ("hosting".to_string(), d("-3"))
        ]
    );
    // hosting is bounded from above by a target: an overrun is unfavourable.
    let r = variance::build(inp, plan.base, Window::Month).unwrap();
    let h = r.items.iter().find(|i| i.name == "hosting").unwrap();
    assert_eq!(h.favourable, "lower");
    assert!(!h.periods[0].favourable);
    let b = r.items.iter().find(|i| i.name == "bookings").unwrap();
    assert_eq!(b.favourable, "higher");
    assert!(b.periods[1].favourable);
}
