//! Properties of `plumb variance --explain` on generated plans: drivers, metrics
//! combining them with `+ - * /`, and actuals for a random set of drivers over a
//! random close. For the last metric (which has no actual of its own) over the
//! closed periods:
//!
//! - the contributions add up exactly to the variance, nothing unexplained
//!   (beyond what summing 28-digit quotients rounds away, shown as `rounding`);
//! - each contribution is the step of moving one driver from plan to actual,
//!   so a driver without actuals contributes exactly 0;
//! - the report is deterministic.

#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

use plumb::actuals::variance::{explain, Inputs};
use plumb::compile::{compile, DiskFs, Options};
use proptest::prelude::*;
use rust_decimal::Decimal;

#[derive(Debug, Clone)]
struct Gen {
    drivers: Vec<u32>,
    /// Each metric: (op, left operand index, right operand index) over
    /// drivers then earlier metrics.
    metrics: Vec<(u8, usize, usize)>,
    /// (driver, month index, value)
    actuals: Vec<(usize, usize, u32)>,
    closed: usize,
}

fn gen() -> impl Strategy<Value = Gen> {
    (2usize..5, 1usize..5, 1usize..7).prop_flat_map(|(nd, nm, closed)| {
        let drivers = proptest::collection::vec(1u32..1000, nd);
        let metrics = (0..nm)
            .map(|j| (0u8..4, 0..nd + j, 0..nd + j))
            .collect::<Vec<_>>();
        let actuals = proptest::collection::vec((0..nd, 0..closed, 1u32..2000), 0..12);
        (drivers, metrics, actuals, Just(closed)).prop_map(|(drivers, metrics, actuals, closed)| {
            Gen {
                drivers,
                metrics,
                actuals,
                closed,
            }
        })
    })
}

fn plan_text(g: &Gen) -> (String, String) {
    let mut s = format!(
        "plan p \"Generated\" {{\n  currency USD\n  periods 2026-01 .. 2026-06\n  actuals through 2026-{:02}\n}}\n\nactuals \"actuals.csv\"\n\n",
        g.closed
    );
    let name = |i: usize| {
        if i < g.drivers.len() {
            format!("d{i}")
        } else {
            format!("m{}", i - g.drivers.len())
        }
    };
    for (i, v) in g.drivers.iter().enumerate() {
        s.push_str(&format!("driver d{i} = {v}\n"));
    }
    for (j, (op, a, b)) in g.metrics.iter().enumerate() {
        let e = match op {
            0 => format!("{} + {}", name(*a), name(*b)),
            1 => format!("{} - {}", name(*a), name(*b)),
            2 => format!("{} * {}", name(*a), name(*b)),
            // Guarded: never a division by zero.
            _ => format!("{} / (1 + abs({}))", name(*a), name(*b)),
        };
        s.push_str(&format!("metric m{j} = {e}\n"));
    }
    let mut csv = String::from("period,name,value\n");
    let mut seen = std::collections::BTreeSet::new();
    for (d, t, v) in &g.actuals {
        if seen.insert((*d, *t)) {
            csv.push_str(&format!("2026-{:02},d{d},{v}\n", t + 1));
        }
    }
    (s, csv)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn contributions_add_up_to_the_variance(g in gen()) {
        let dir = tempfile::tempdir().unwrap();
        let (plan, csv) = plan_text(&g);
        std::fs::write(dir.path().join("main.plumb"), &plan).unwrap();
        std::fs::write(dir.path().join("actuals.csv"), &csv).unwrap();
        let c = compile(
            &dir.path().join("main.plumb"),
            &DiskFs,
            &Options { evaluate: true, scenarios: None },
        );
        prop_assert!(!c.has_errors(), "{plan}\n{csv}\n{:?}", c.diagnostics);
        let inp = Inputs {
            plan: c.plan(),
            results: c.results.as_ref().unwrap(),
            forecast: c.forecast.as_ref().unwrap(),
            actuals: c.actuals.as_ref().unwrap(),
        };
        let target = c.plan().item(&format!("m{}", g.metrics.len() - 1)).unwrap();
        let closed = inp.actuals.closed();
        let a = explain(inp, c.plan().base, target, 0..6, "window".into()).unwrap();
        let sum = a
            .contributions
            .iter()
            .fold(Decimal::ZERO, |s, c| s + c.contribution);
        prop_assert_eq!(sum + a.unexplained + a.rounding, a.variance);
        prop_assert_eq!(a.unexplained, Decimal::ZERO, "{}\n{}", plan, csv);
        // Rounding is the last digits of 28-digit sums, never more.
        let scale = a.plan.abs().max(a.actual.abs()).max(Decimal::ONE);
        prop_assert!(a.rounding.abs() <= scale * Decimal::new(1, 20), "{}", a.rounding);
        prop_assert_eq!(a.actual - a.plan, a.variance);
        for ct in &a.contributions {
            let d = c.plan().item(&ct.name).unwrap();
            let has = (0..closed).any(|t| inp.actuals.get(d, t).is_some());
            if !has {
                prop_assert_eq!(ct.contribution, Decimal::ZERO);
            }
            prop_assert_eq!(ct.kind, "execution");
        }
        let again = explain(inp, c.plan().base, target, 0..6, "window".into()).unwrap();
        prop_assert_eq!(
            serde_json::to_string(&a).unwrap(),
            serde_json::to_string(&again).unwrap()
        );
    }
}
