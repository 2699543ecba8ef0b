//! The numbers of section 1 of the spec, computed by hand, against `plumb run`'s
//! exact results for `examples/fy2026.plumb`.

#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

use plumb::compile::{compile, DiskFs, Options};
use plumb::diagnostic::{Code, Severity};
use plumb::outcome::targets::all_outcomes;
use rust_decimal::Decimal;
use std::path::Path;
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal literal")
}

struct Fy {
    c: plumb::compile::Compilation,
}

impl Fy {
    fn load() -> Fy {
        let c = compile(
            Path::new("examples/fy2026.plumb"),
            &DiskFs,
            &Options {
                evaluate: true,
                scenarios: None,
            },
        );
        Fy { c }
    }
    fn values(&self, scenario: &str, item: &str) -> Vec<Decimal> {
        let plan = self.c.plan();
        let s = plan.scenario(scenario).expect("scenario");
        let i = plan.item(item).expect("item");
        self.c
            .results
            .as_ref()
            .expect("results")
            .get(s)
            .expect("result")
            .values[i]
            .clone()
    }
}

#[test]
fn check_reports_exactly_one_warning_target_missed() {
    let fy = Fy::load();
    assert_eq!(fy.c.diagnostics.len(), 1, "{:?}", fy.c.diagnostics);
    assert_eq!(fy.c.diagnostics[0].code, Code::TargetMissed);
    assert_eq!(fy.c.diagnostics[0].severity, Severity::Warning);
}

#[test]
fn sql_leads_grow_two_percent() {
    let v = Fy::load().values("base", "sql_leads");
    assert_eq!(v[0], d("210"));
    // 210 × 1.02^11, exact.
    let mut f = Decimal::ONE;
    for _ in 0..11 {
        f *= d("1.02");
    }
    assert_eq!(v[11], d("210") * f);
    assert_eq!(v[11].round_dp(2), d("261.11"));
}

#[test]
fn win_rate_ramps_then_holds() {
    let v = Fy::load().values("base", "win_rate");
    let want = [
        "0.22", "0.232", "0.244", "0.256", "0.268", "0.28", "0.28", "0.28", "0.28", "0.28", "0.28",
        "0.28",
    ];
    for (got, w) in v.iter().zip(want) {
        assert_eq!(*got, d(w));
    }
}

#[test]
fn revenue_first_month_and_year() {
    let fy = Fy::load();
    let v = fy.values("base", "revenue");
    assert_eq!(v[0], d("3927000")); // 210 × 0.22 × 85,000
    let year: Decimal = v.iter().sum();
    assert_eq!(year.round_dp(2), d("63733648.95"));
}

#[test]
fn targets_missed_and_met() {
    let fy = Fy::load();
    let plan = fy.c.plan();
    let outcomes = all_outcomes(plan, fy.c.results.as_ref().expect("results")).expect("targets");
    let base = &outcomes
        .iter()
        .find(|(s, _)| *s == plan.base)
        .expect("base")
        .1;
    let rev = &base[0];
    assert!(!rev.met);
    assert_eq!(rev.gap.expect("gap").round_dp(2), d("-1266351.05"));
    let logos = &base[1];
    assert!(logos.met);
    assert_eq!(logos.projected.expect("projected").round_dp(2), d("749.81"));
    assert_eq!(logos.threshold.expect("threshold"), d("725"));
}

#[test]
fn headcount_steps() {
    let v = Fy::load().values("base", "headcount");
    let want = [122, 124, 126, 128, 130, 132, 134, 136, 137, 138, 139, 140];
    for (got, w) in v.iter().zip(want) {
        assert_eq!(*got, Decimal::from(w));
    }
}

#[test]
fn downside_trigger_fires_in_may_and_responds() {
    let fy = Fy::load();
    let plan = fy.c.plan();
    let s = plan.scenario("downside").expect("downside");
    let r =
        fy.c.results
            .as_ref()
            .expect("results")
            .get(s)
            .expect("result");
    let (t, fired) = r.fired[0];
    assert_eq!(plan.triggers[t].name, "revenue_shortfall");
    assert_eq!(
        fired.map(|p| plan.period_label(p)),
        Some("2026-05".to_string())
    );
    let hires = fy.values("downside", "hires");
    assert!(
        hires[5..].iter().all(|h| h.is_zero()),
        "hires is 0 from 2026-06"
    );
    let hc = fy.values("downside", "headcount");
    assert!(
        hc[4..].iter().all(|h| *h == Decimal::from(130)),
        "headcount stays at 130"
    );
    let sm = fy.values("downside", "sm_spend");
    assert!(sm[..7].iter().all(|x| *x == d("1200000")));
    assert!(
        sm[7..].iter().all(|x| *x == d("960000")),
        "sm_spend is 960,000 from 2026-08"
    );
    let revenue: Decimal = fy.values("downside", "revenue").iter().sum();
    assert_eq!(revenue, d("47766600"));
}
