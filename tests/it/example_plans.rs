//! Numbers of `examples/subscription.plumb` and `examples/expansion.plumb`,
//! worked out by hand, against `plumb run`'s exact results (the snapshots hold
//! every value; these pin the ones a reader can check on paper).

#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

use plumb::compile::{compile, Compilation, DiskFs, Options};
use plumb::diagnostic::{Code, Severity};
use plumb::outcome::targets::all_outcomes;
use rust_decimal::Decimal;
use std::path::Path;
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal literal")
}

struct Example {
    c: Compilation,
}

impl Example {
    fn load(path: &str) -> Example {
        let c = compile(
            Path::new(path),
            &DiskFs,
            &Options {
                evaluate: true,
                scenarios: None,
            },
        );
        assert!(!c.has_errors(), "{path}: {:?}", c.diagnostics);
        Example { c }
    }

    fn values(&self, scenario: &str, item: &str) -> Vec<Decimal> {
        let plan = self.c.plan();
        let s = plan.scenario(scenario).expect("scenario");
        let i = plan.item(item).expect("item");
        self.c.results.as_ref().unwrap().get(s).unwrap().values[i].clone()
    }

    /// The period label a trigger fired at in a scenario, or None.
    fn fired(&self, scenario: &str, trigger: &str) -> Option<String> {
        let plan = self.c.plan();
        let s = plan.scenario(scenario).expect("scenario");
        let r = self.c.results.as_ref().unwrap().get(s).unwrap();
        let (_, at) = r
            .fired
            .iter()
            .find(|(t, _)| plan.triggers[*t].name == trigger)
            .expect("trigger");
        at.map(|p| plan.period_label(p))
    }

    /// (projected, met) of an objective's first target in a scenario.
    fn target(&self, scenario: &str, objective: &str) -> (Decimal, bool) {
        let plan = self.c.plan();
        let s = plan.scenario(scenario).expect("scenario");
        let o = plan
            .objectives
            .iter()
            .position(|o| o.name == objective)
            .expect("objective");
        let all = all_outcomes(plan, self.c.results.as_ref().unwrap()).unwrap();
        let t = all
            .iter()
            .find(|(sc, _)| *sc == s)
            .unwrap()
            .1
            .iter()
            .find(|t| t.objective == o)
            .unwrap()
            .clone();
        (t.projected.unwrap(), t.met)
    }
}

// ---------------------------------------------------------------- subscription

fn saas() -> Example {
    Example::load("examples/subscription.plumb")
}

#[test]
fn subscription_checks_with_one_warning_the_broken_counterbalance() {
    let ex = saas();
    assert_eq!(ex.c.diagnostics.len(), 1, "{:?}", ex.c.diagnostics);
    let w = &ex.c.diagnostics[0];
    assert_eq!(w.code, Code::MaintainViolated);
    assert_eq!(w.severity, Severity::Warning);
    assert!(w.message.contains("price_increase"), "{}", w.message);
}

#[test]
fn customers_are_a_stock_with_churn() {
    let ex = saas();
    let c = ex.values("base", "customers");
    // 1,200 − 2% × 1,200 + 40 = 1,216; then 1,216 − 24.32 + 40.
    assert_eq!(c[0], d("1216"));
    assert_eq!(c[1], d("1231.68"));
    assert_eq!(ex.values("base", "churned_customers")[1], d("24.32"));
    // New customers ramp from 40 (March) to 60 (September): 43⅓ in April.
    let n = ex.values("base", "new_customers");
    assert_eq!(n[3].round_dp(4), d("43.3333"));
    let year: Decimal = n.iter().sum();
    assert_eq!(year.round_dp(10), d("610")); // 3 × 40 + 250 + 4 × 60
}

#[test]
fn arpa_mrr_and_arr() {
    let ex = saas();
    // 55% × $99 + 35% × $399 + 10% × $1,500 = $344.10 per customer.
    assert_eq!(ex.values("base", "arpa")[0], d("344.1"));
    // 1,216 customers × $344.10 = $418,425.60 of MRR; ARR is 12 × that.
    assert_eq!(ex.values("base", "mrr")[0], d("418425.6"));
    assert_eq!(ex.values("base", "arr")[0], d("5021107.2"));
    let (arr, met) = ex.target("base", "arr_6m");
    assert!(met);
    assert_eq!(arr.round_dp(2), d("6172185.06"));
}

#[test]
fn unit_economics() {
    let ex = saas();
    // CAC: $240K of spend over 40 new customers, then over 60.
    let cac = ex.values("base", "blended_cac");
    assert_eq!(cac[0], d("6000"));
    assert_eq!(cac[11], d("4000"));
    // LTV: ARPA × gross margin / churn = ($344.10 − $38) / 2% = $15,305.
    assert_eq!(
        ex.values("base", "lifetime_value")[0].round_dp(6),
        d("15305")
    );
    let (ratio, met) = ex.target("base", "efficient_growth");
    assert!(met);
    assert_eq!(ratio.round_dp(6), d("3.82625")); // 15,305 / 4,000
}

#[test]
fn price_increase_raises_arpa_churn_and_runs_the_playbook() {
    let ex = saas();
    // +15% from April: ARPA $344.10 × 1.15 = $395.715.
    let arpa = ex.values("price_increase", "arpa");
    assert_eq!(arpa[2], d("344.1"));
    assert_eq!(arpa[3], d("395.715"));
    // Churn 3.2% in April and May: the trigger fires in May; CS spend doubles
    // from June, churn is 2.4% from August.
    assert_eq!(
        ex.fired("price_increase", "churn_spike").as_deref(),
        Some("2027-05")
    );
    let cs = ex.values("price_increase", "cs_spend");
    assert_eq!(cs[4], d("60000"));
    assert_eq!(cs[5], d("120000"));
    let churn = ex.values("price_increase", "churn");
    assert_eq!(churn[6], d("0.032"));
    assert_eq!(churn[7], d("0.024"));
    assert_eq!(ex.fired("base", "churn_spike"), None);
}

#[test]
fn discount_wins_customers_but_misses_arr() {
    let ex = saas();
    // 20% off Starter and Growth from March:
    // 55% × $79.20 + 35% × $319.20 + 10% × $1,500 = $305.28.
    let arpa = ex.values("discount", "arpa");
    assert_eq!(arpa[1], d("344.1"));
    assert_eq!(arpa[2], d("305.28"));
    assert_eq!(ex.values("discount", "new_customers")[2], d("50")); // 40 × 1.25
    let (arr, met) = ex.target("discount", "arr_6m");
    assert!(!met);
    assert!(arr < d("6000000"));
}

// ---------------------------------------------------------------- expansion

fn eu() -> Example {
    Example::load("examples/expansion.plumb")
}

#[test]
fn expansion_checks_clean() {
    let ex = eu();
    assert!(ex.c.diagnostics.is_empty(), "{:?}", ex.c.diagnostics);
}

#[test]
fn the_launch_is_zero_before_april_and_costs_euros() {
    let ex = eu();
    let p = ex.values("base", "eu_launch.profit");
    assert!(p[..3].iter().all(|x| x.is_zero()));
    // April: 12 people × €9,500 + €350K set-up + €120K marketing, no revenue yet.
    assert_eq!(p[3], d("-584000"));
    // Translated at $1.08 per euro.
    assert_eq!(ex.values("base", "eu_launch.profit_usd")[3], d("-630720"));
}

#[test]
fn cash_carries_over() {
    let ex = eu();
    let cash = ex.values("base", "cash");
    // $5M + ($2.4M − $2.35M) in January; February adds $2.424M − $2.37115M.
    assert_eq!(cash[0], d("5050000"));
    assert_eq!(cash[1], d("5102850"));
    // April: the US profit and the launch's −$630,720.
    let us = ex.values("base", "us_profit");
    assert_eq!(cash[3], cash[2] + us[3] - d("630720"));
    // The low point is July 2027, above the $3.5M floor: no guard in base.
    let (low, at) = cash.iter().enumerate().map(|(i, c)| (*c, i)).min().unwrap();
    assert_eq!(at, 6);
    assert!(low > d("3500000"));
    assert_eq!(ex.fired("base", "cash_guard"), None);
}

#[test]
fn first_year_eu_revenue() {
    let ex = eu();
    // The ramp reaches €900K in June 2028, 14 months after April 2027: the
    // first twelve months earn €900K × (0 + 1 + … + 11) / 14 = €4,242,857.14.
    let (sum, met) = ex.target("base", "eu_first_year");
    assert!(met);
    assert_eq!(sum.round_dp(2), d("4242857.14"));
}

#[test]
fn weak_euro_translates_at_the_new_rate() {
    let ex = eu();
    let rev = ex.values("weak_euro", "group_revenue");
    let us = ex.values("weak_euro", "us_revenue");
    let eur = ex.values("weak_euro", "eu_launch.revenue");
    assert_eq!(rev[5], us[5] + eur[5] * d("1.08")); // June: old rate
    assert_eq!(rev[6], us[6] + eur[6] * d("0.98")); // July: new rate
}

#[test]
fn slow_ramp_trips_the_cash_guard_in_july() {
    let ex = eu();
    assert_eq!(
        ex.fired("slow_ramp", "cash_guard").as_deref(),
        Some("2027-07")
    );
    let cash = ex.values("slow_ramp", "cash");
    assert!(cash[6] < d("3500000"));
    // Paused from August: every member of the launch is 0 from then on.
    for member in ["eu_launch.revenue", "eu_launch.costs", "eu_launch.team"] {
        let v = ex.values("slow_ramp", member);
        assert!(!v[6].is_zero(), "{member} runs in July");
        assert!(v[7..].iter().all(|x| x.is_zero()), "{member} paused");
    }
    // Then cash grows on the US business alone.
    let us = ex.values("slow_ramp", "us_profit");
    assert_eq!(cash[7], cash[6] + us[7]);
}
