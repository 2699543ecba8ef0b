//! Ranges, simulation, sensitivity and solving (UNCERTAINTY.md): probabilities
//! against closed forms within a tolerance derived from the sample count,
//! determinism across runs and thread counts, the tornado's order and values,
//! and `plumb solve` against §5's closed forms.

#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

use crate::common;

use plumb::calendar::By;
use plumb::compile::{compile_str, Compilation, Options};
use plumb::ir::Plan;
use plumb::uncertainty::sensitivity::{tornado, Output};
use plumb::uncertainty::simulate::{simulate, SimOptions, Simulation};
use plumb::uncertainty::solve::{solve, Mode, Problem, Status};
use plumb::uncertainty::{odds_check, Model};
use rust_decimal::prelude::*;
use statrs::function::beta::beta_reg;
use std::str::FromStr;

fn compiled(src: &str) -> Compilation {
    let c = compile_str(
        "t.plumb",
        src,
        &Options {
            evaluate: true,
            scenarios: None,
        },
    );
    assert!(
        !c.has_errors(),
        "unexpected errors: {}",
        common::diagnostics_text(&c)
    );
    c
}

fn run(plan: &Plan, samples: usize, seed: u64, threads: usize, per_window: bool) -> Simulation {
    let model = Model::new(plan).unwrap();
    simulate(
        plan,
        &model,
        &SimOptions {
            samples,
            seed,
            threads,
            scenarios: (0..plan.scenarios.len()).collect(),
            by: By::Month,
            per_window,
            progress: None,
        },
    )
    .unwrap()
}

const HEAD: &str = "plan t \"T\" {\n  currency USD\n  periods 2026-01 .. 2026-12\n  base base\n}\n";

/// A plan with the given declarations and one objective per target.
fn plan_with(decls: &str, targets: &[&str]) -> String {
    let mut s = format!("{HEAD}{decls}\n");
    for (i, t) in targets.iter().enumerate() {
        s.push_str(&format!("objective o{i} \"O\" {{\n  target {t}\n}}\n"));
    }
    s
}

/// The simulated probability of target `k` in base.
fn probability(sim: &Simulation, k: usize) -> f64 {
    sim.scenarios[0].targets[k].probability.to_f64().unwrap()
}

/// Four standard errors of a proportion estimated from `n` runs, plus 1/n.
fn tolerance(p: f64, n: usize) -> f64 {
    4.0 * (p * (1.0 - p) / n as f64).sqrt() + 1.0 / n as f64
}

fn assert_close(got: f64, want: f64, n: usize, what: &str) {
    let tol = tolerance(want, n);
    assert!(
        (got - want).abs() <= tol,
        "{what}: simulated {got}, closed form {want}, tolerance {tol}"
    );
}

const N: usize = 20_000;

#[test]
fn uniform_triangular_pert_and_normal_match_their_closed_forms() {
    let src = plan_with(
        "driver u = 50 { range 0 to 100 uniform }\n\
         driver tri = 50 { range 0 to 100 triangular }\n\
         driver pert = 85 { range 80 to 90 }\n\
         driver nor = 85 { range 80 to 90 normal }\n",
        &[
            "sum(u) >= 12 * 70",
            "sum(tri) >= 12 * 70",
            "sum(pert) >= 12 * 86.6889013",
            "sum(nor) >= 12 * 88",
        ],
    );
    let c = compiled(&src);
    let sim = run(c.plan(), N, 7, 2, false);
    assert_close(probability(&sim, 0), 0.3, N, "uniform");
    // Triangular (0, 50, 100): P(X ≥ 70) = 30² / (100 · 50).
    assert_close(probability(&sim, 1), 0.18, N, "triangular");
    // PERT (80, 85, 90) is 80 + 10 · Beta(3, 3).
    let pert = 1.0 - beta_reg(3.0, 3.0, 0.668_890_13);
    assert_close(probability(&sim, 2), pert, N, "pert");
    // Normal: 80 and 90 are the 5th and 95th percentiles around 85.
    let sigma = 5.0 / plumb::uncertainty::Z95;
    let normal = 1.0 - plumb::uncertainty::normal_cdf(3.0 / sigma);
    assert_close(probability(&sim, 3), normal, N, "normal");
}

#[test]
fn a_series_range_draws_one_quantile_per_run_unless_per_period() {
    let range = "range ramp(0, 10, 2026-01, 2026-12) to ramp(20, 30, 2026-01, 2026-12) uniform";
    let src = plan_with(
        &format!(
            "driver w = ramp(10, 20, 2026-01, 2026-12) {{ {range} }}\n\
             driver v = ramp(10, 20, 2026-01, 2026-12) {{ {range} per period }}\n"
        ),
        &[
            "w@2026-01 >= 10 and w@2026-12 >= 20",
            "v@2026-01 >= 10 and v@2026-12 >= 20",
        ],
    );
    let c = compiled(&src);
    let sim = run(c.plan(), N, 3, 2, false);
    // Comonotonic: January high means December high.
    assert_close(probability(&sim, 0), 0.5, N, "one draw per run");
    assert_close(probability(&sim, 1), 0.25, N, "per period");
}

#[test]
fn independent_and_correlated_drivers() {
    let src = plan_with(
        "driver x = 0.5 { range 0 to 1 uniform }\n\
         driver y = 0.5 { range 0 to 1 uniform }\n\
         driver a = 0.5 { range 0 to 1 uniform }\n\
         driver b = 0.5 { range 0 to 1 uniform }\n\
         correlate a, b 0.9\n",
        &[
            "x@2026-01 + y@2026-01 >= 1.5",
            "a@2026-01 >= 0.5 and b@2026-01 >= 0.5",
        ],
    );
    let c = compiled(&src);
    let sim = run(c.plan(), N, 11, 2, false);
    // Two independent U(0, 1): P(x + y ≥ 1.5) = 0.5²/2.
    assert_close(probability(&sim, 0), 0.125, N, "independent");
    // Gaussian copula with r = 2 sin(π·0.9/6): P(both above the median) = 1/4 + asin(r)/(2π).
    let r = 2.0 * (std::f64::consts::PI * 0.9 / 6.0).sin();
    let want = 0.25 + r.asin() / (2.0 * std::f64::consts::PI);
    assert_close(probability(&sim, 1), want, N, "correlated");
}

/// The bundled example with `range` (`range 80K to 90K`, …) written on
/// `deal_size`.
pub(crate) fn example(range: &str) -> String {
    let text = std::fs::read_to_string("examples/fy2026.plumb").unwrap();
    let old = "driver deal_size: USD/deal = 85K { owner sales }";
    assert!(text.contains(old));
    text.replace(
        old,
        &format!("driver deal_size: USD/deal = 85K {{ owner sales  {range} }}"),
    )
}

fn revenue_stats(sim: &Simulation, plan: &Plan) -> [f64; 3] {
    let rev = plan.item("revenue").unwrap();
    let s = sim.scenarios[0].items[rev].total.unwrap();
    [s.p10, s.p50, s.p90].map(|v| v.to_f64().unwrap())
}

#[test]
fn the_contracts_example_has_the_odds_of_section_5() {
    let c = compiled(&example("range 80K to 90K"));
    let plan = c.plan();
    let sim = run(plan, 10_000, 0, 2, false);
    let base = sim
        .scenarios
        .iter()
        .position(|s| s.scenario == plan.base)
        .unwrap();
    let p = sim.scenarios[base].targets[0].probability.to_f64().unwrap();
    assert!((p - 0.207).abs() <= 0.015, "P(revenue_65m) = {p}");
    let [p10, p50, p90] = revenue_stats(&sim, plan);
    for (got, want) in [(p10, 61.83e6), (p50, 63.73e6), (p90, 65.63e6)] {
        assert!((got - want).abs() <= 0.1e6, "revenue {got} vs {want}");
    }
    // Uniform instead of PERT.
    let c = compiled(&example("range 80K to 90K uniform"));
    let sim = run(c.plan(), 10_000, 0, 2, false);
    let p = sim.scenarios[base].targets[0].probability.to_f64().unwrap();
    assert!((p - 0.331).abs() <= 0.015, "P(revenue_65m), uniform = {p}");
}

#[test]
fn check_simulate_warns_base_case_odds_at_the_target() {
    let c = compiled(&example("range 80K to 90K"));
    let plan = c.plan();
    let sim = run(plan, 10_000, 0, 2, false);
    let diags = odds_check(plan, &sim);
    // Only revenue_65m: new_logos does not move with deal_size.
    assert_eq!(diags.len(), 1, "{diags:?}");
    let mut c = c;
    c.diagnostics = diags;
    insta::assert_snapshot!("base_case_odds", common::diagnostics_text(&c));
}

#[test]
fn an_odds_band_in_the_plan_block_moves_the_check() {
    let text = example("range 80K to 90K").replace("  base base", "  base base\n  odds 15% to 65%");
    let c = compiled(&text);
    assert_eq!(
        c.plan().odds,
        Some((
            Decimal::from_str("0.15").unwrap(),
            Decimal::from_str("0.65").unwrap()
        ))
    );
    let sim = run(c.plan(), 10_000, 0, 2, false);
    assert!(odds_check(c.plan(), &sim).is_empty());
}

#[test]
fn output_is_the_same_for_any_thread_count_and_every_time() {
    let c = compiled(&example("range 80K to 90K triangular per period"));
    let plan = c.plan();
    let one = run(plan, 997, 42, 1, true);
    let two = run(plan, 997, 42, 2, true);
    let five = run(plan, 997, 42, 5, true);
    assert_eq!(one, two);
    assert_eq!(one, five);
    assert_eq!(one, run(plan, 997, 42, 2, true));
    let json = |s: &Simulation| {
        serde_json::to_string(&plumb::uncertainty::report::to_json(plan, s)).unwrap()
    };
    assert_eq!(json(&one), json(&five));
    // Another seed gives other draws.
    assert_ne!(one, run(plan, 997, 43, 2, true));
}

#[test]
fn triggers_are_simulated_inside_each_run() {
    // Downside's trigger fires when revenue is under $4M two months running;
    // with a wide deal size range it fires in some runs, not all.
    let c = compiled(&example("range 60K to 100K uniform"));
    let plan = c.plan();
    let sim = run(plan, 2_000, 0, 2, false);
    let base = plan.scenario("base").unwrap();
    let sc = sim.scenarios.iter().find(|s| s.scenario == base).unwrap();
    let t = &sc.triggers[0];
    let p = t.probability.to_f64().unwrap();
    // Fires when 210 · 22% · deal_size < 4M in January and (later) another month:
    // deal_size < 4M / 46.2 ≈ 86,580 and also in February (214.2 · 23.2%).
    assert!(p > 0.3 && p < 0.9, "P(fires) = {p}");
    assert_eq!(
        t.median.map(|m| plan.period_label(m)).as_deref(),
        Some("2026-02")
    );
}

#[test]
fn nearest_rank_percentiles() {
    let mut v: Vec<Decimal> = (1..=10).rev().map(Decimal::from).collect();
    let s = plumb::uncertainty::simulate::stats(&mut v);
    // ⌈0.1·10⌉ = 1st, ⌈0.5·10⌉ = 5th, ⌈0.9·10⌉ = 9th smallest; mean 5.5.
    assert_eq!(
        (s.p10, s.p50, s.p90, s.mean),
        (
            Decimal::from(1),
            Decimal::from(5),
            Decimal::from(9),
            Decimal::from_str("5.5").unwrap()
        )
    );
}

#[test]
fn rolled_up_percentiles_are_percentiles_of_each_runs_roll_up() {
    // One quantile per run: the horizon's sum is 12 × the monthly value, so
    // its P50 is 12 × the monthly P50 (not a roll-up of per-period percentiles,
    // which would coincide here only because the draw is shared).
    let src = plan_with(
        "driver x = 50 { range 0 to 100 uniform per period }\n",
        &["sum(x) >= 0"],
    );
    let c = compiled(&src);
    let plan = c.plan();
    let sim = run(plan, 4_000, 5, 2, true);
    let x = &sim.scenarios[0].items[plan.item("x").unwrap()];
    let monthly_p90: Decimal = x.windows.iter().map(|w| w.unwrap().p90).sum();
    let total = x.total.unwrap();
    // Independent months: the sum's P90 is far below the sum of monthly P90s
    // (≈ 12 × 90 = 1,080), near 600 + 1.28 · sqrt(12 · 833.3) ≈ 728.
    assert!(monthly_p90 > Decimal::from(1_000));
    assert!(
        total.p90 < Decimal::from(760) && total.p90 > Decimal::from(700),
        "{total:?}"
    );
}

#[test]
fn sensitivity_orders_by_swing_and_marks_non_monotonic_drivers() {
    let src = "plan t \"T\" {\n  currency USD\n  periods 2026-01 .. 2026-01\n  base base\n}\n\
         driver a = 10 { range 8 to 12 uniform }\n\
         driver b = 5 { range 4 to 7 uniform }\n\
         metric r = a * b\n\
         metric bowl = (a - 10) * (a - 10) + b\n";
    let c = compiled(src);
    let plan = c.plan();
    let model = Model::new(plan).unwrap();
    let r = plan.item("r").unwrap();
    let t = tornado(plan, &model, plan.base, Output::Item(r), 0..1).unwrap();
    let d = |s: &str| Decimal::from_str(s).unwrap();
    assert_eq!(t.planned, d("50"));
    let names: Vec<&str> = t
        .bars
        .iter()
        .map(|b| plan.items[b.driver].name.as_str())
        .collect();
    assert_eq!(names, ["b", "a"]);
    // b at P10 = 4.3, P90 = 6.7: r = 43 and 67; a at 8.4 and 11.6: 42 and 58.
    assert_eq!(
        (t.bars[0].at_low, t.bars[0].at_high, t.bars[0].swing),
        (d("43"), d("67"), d("24"))
    );
    assert_eq!(
        (t.bars[1].at_low, t.bars[1].at_high, t.bars[1].swing),
        (d("42"), d("58"), d("16"))
    );
    assert!(t.bars.iter().all(|b| b.monotonic));
    let bowl = plan.item("bowl").unwrap();
    let t = tornado(plan, &model, plan.base, Output::Item(bowl), 0..1).unwrap();
    let a = t
        .bars
        .iter()
        .find(|b| plan.items[b.driver].name == "a")
        .unwrap();
    assert!(!a.monotonic, "{a:?}");
    assert_eq!(
        (a.at_low, a.at_median, a.at_high),
        (d("7.56"), d("5"), d("7.56"))
    );
}

fn solve_example(driver: &str, mode: Mode) -> plumb::uncertainty::solve::Solution {
    let c = compiled(&std::fs::read_to_string("examples/fy2026.plumb").unwrap());
    let plan = c.plan();
    solve(
        plan,
        &Problem {
            objective: plan
                .objectives
                .iter()
                .position(|o| o.name == "revenue_65m")
                .unwrap(),
            target: 0,
            driver: plan.item(driver).unwrap(),
            mode,
            scenario: plan.base,
            within: None,
        },
    )
    .unwrap()
}

#[test]
fn solve_gives_section_5s_answers() {
    let d = |s: &str| Decimal::from_str(s).unwrap();
    let k = solve_example("win_rate", Mode::Scale);
    assert_eq!((k.status, k.value), (Status::Solved, d("1.01987")));
    assert!(k.met);
    // 28% × 1.01987 from June.
    assert_eq!(k.values[5], d("0.2855636"));
    let s = solve_example("win_rate", Mode::Shift);
    assert_eq!((s.status, s.value), (Status::Solved, d("0.00528956")));
    let k = solve_example("deal_size", Mode::Scale);
    assert_eq!((k.status, k.value), (Status::Solved, d("1.01987")));
    assert_eq!(k.values[0], d("86688.95"));
    // 749.8076… deals × 86,688.95 clears $65M.
    assert!(k.gap.unwrap() >= Decimal::ZERO);
}

#[test]
fn solve_reports_the_closest_end_or_the_boundary() {
    let c = compiled(&std::fs::read_to_string("examples/fy2026.plumb").unwrap());
    let plan = c.plan();
    let obj = |n: &str| plan.objectives.iter().position(|o| o.name == n).unwrap();
    // Deal size scaled at most 1.01: no solution; the high end comes closest.
    let p = Problem {
        objective: obj("revenue_65m"),
        target: 0,
        driver: plan.item("deal_size").unwrap(),
        mode: Mode::Scale,
        scenario: plan.base,
        within: Some((Decimal::ZERO, Decimal::from_str("1.01").unwrap())),
    };
    let s = solve(plan, &p).unwrap();
    assert_eq!(
        (s.status, s.value),
        (Status::NoSolution, Decimal::from_str("1.01").unwrap())
    );
    // new_logos already holds (749.81 ≥ 725): win_rate can fall to 725 / 749.8076… ≈ 0.966915.
    let p = Problem {
        objective: obj("new_logos"),
        target: 0,
        driver: plan.item("win_rate").unwrap(),
        mode: Mode::Scale,
        scenario: plan.base,
        within: None,
    };
    let s = solve(plan, &p).unwrap();
    assert_eq!(s.status, Status::AlreadyHolds);
    assert_eq!(s.value, Decimal::from_str("0.966915").unwrap());
}

#[test]
fn ranges_survive_formatting() {
    let src = "driver churn: % = 2% {\n  range 1% to 4% triangular per period\n}\n\
               correlate churn, churn2 -0.3\n\
               scenario s \"S\" {\n  churn = 3% range 2% to 5% uniform from 2026-03\n}\n";
    let out = plumb::fmt::format_source(src, plumb::source::FileId::default()).unwrap();
    assert!(
        out.contains("range 1% to 4% triangular per period"),
        "{out}"
    );
    assert!(out.contains("correlate churn, churn2 -0.3"), "{out}");
    assert!(
        out.contains("churn = 3% range 2% to 5% uniform from 2026-03"),
        "{out}"
    );
    assert_eq!(
        plumb::fmt::format_source(&out, plumb::source::FileId::default()).unwrap(),
        out
    );
}
