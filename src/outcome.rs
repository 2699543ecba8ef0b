//! Outcomes: what the plan's statements come to in numbers — every target
//! (projected, threshold, gap, met), every request's ask and grant, every
//! budget's allowance and spend — per evaluated scenario, and the base
//! scenario's ranking of scored requests.
//!
//! Part of evaluation: it reads `ir::Plan` and `eval::Results` and never words a
//! message. `compile` computes [`Outcomes`] once, right after evaluation, and
//! keeps them on the `Compilation`; `check::after_eval` turns them into
//! diagnostics, and the reports, `diff`, `explain`, the editor and the CLI show
//! them. Where outcomes are wanted over other results (the forecast with actuals
//! pinned, a simulated run, a solver's trial) the same functions are called:
//! [`Outcomes::of`], [`targets::outcomes`], [`requests::outcomes`],
//! [`budgets::outcomes`].

pub mod budgets;
pub mod requests;
pub mod targets;

use crate::eval::{EvalError, Results};
use crate::ir::{Plan, ScenarioId};
use budgets::{BudgetOutcome, Ranked};
use requests::RequestOutcome;
use rust_decimal::Decimal;
use targets::TargetOutcome;

/// One scenario's outcomes. Each family is evaluated on its own, so an
/// arithmetic error in one (a gap too large for a decimal) leaves the others.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioOutcomes {
    /// The scenario these outcomes were evaluated in.
    pub scenario: ScenarioId,
    /// Every target of the plan, in declaration order.
    pub targets: Result<Vec<TargetOutcome>, EvalError>,
    /// Every request, in declaration order.
    pub requests: Result<Vec<RequestOutcome>, EvalError>,
    /// Every budget with a spend item and amounts, in declaration order.
    pub budgets: Result<Vec<BudgetOutcome>, EvalError>,
}

/// The outcomes of one set of evaluated scenarios.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Outcomes {
    /// Per scenario, in the order of the results they were computed from.
    pub scenarios: Vec<ScenarioOutcomes>,
    /// Scored requests ranked, with the contingency left across budgets, in the
    /// base scenario (None when base is not among the results).
    pub ranking: Option<Result<(Vec<Ranked>, Decimal), EvalError>>,
}

/// A family of outcomes per scenario, or the first scenario's error.
pub type PerScenario<T> = Result<Vec<(ScenarioId, Vec<T>)>, EvalError>;

impl Outcomes {
    /// Every outcome of `results` (base's values are what `base(…)` reads in the
    /// other scenarios, when base is among them).
    pub fn of(plan: &Plan, results: &Results) -> Outcomes {
        let base = results.get(plan.base).map(|r| r.values.as_slice());
        let scenarios = results
            .scenarios
            .iter()
            .map(|r| ScenarioOutcomes {
                scenario: r.scenario,
                targets: targets::outcomes(plan, r, base),
                requests: requests::outcomes(plan, r, base),
                budgets: budgets::outcomes(plan, r, base),
            })
            .collect();
        Outcomes {
            scenarios,
            ranking: results.get(plan.base).map(|b| budgets::ranking(plan, b)),
        }
    }

    /// Only the outcomes of the scenarios in `keep` (in their order here); the
    /// ranking goes with the base scenario `base`.
    pub(crate) fn keep(mut self, keep: &[ScenarioId], base: ScenarioId) -> Outcomes {
        self.scenarios.retain(|s| keep.contains(&s.scenario));
        if !keep.contains(&base) {
            self.ranking = None;
        }
        self
    }

    /// The outcomes of scenario `s`.
    pub fn get(&self, s: ScenarioId) -> Option<&ScenarioOutcomes> {
        self.scenarios.iter().find(|o| o.scenario == s)
    }

    /// Every scenario's target outcomes, or the first error.
    pub fn targets(&self) -> PerScenario<TargetOutcome> {
        self.collect(|s| &s.targets)
    }

    /// Every scenario's request outcomes, or the first error.
    pub fn requests(&self) -> PerScenario<RequestOutcome> {
        self.collect(|s| &s.requests)
    }

    /// Every scenario's budget outcomes, or the first error.
    pub fn budgets(&self) -> PerScenario<BudgetOutcome> {
        self.collect(|s| &s.budgets)
    }

    fn collect<T: Clone>(
        &self,
        family: impl Fn(&ScenarioOutcomes) -> &Result<Vec<T>, EvalError>,
    ) -> PerScenario<T> {
        self.scenarios
            .iter()
            .map(|s| match family(s) {
                Ok(v) => Ok((s.scenario, v.clone())),
                Err(e) => Err(e.clone()),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::Outcomes;
    use crate::compile::{compile_str, Options};

    /// A target that reads `base(…)`: in `pricey` it compares with base's
    /// revenue when base is evaluated, with its own otherwise.
    const PLAN: &str = r#"plan t "Test plan" {
  currency USD
  periods 2026-01 .. 2026-03
}
department finance "Finance"
driver price: USD = 100
metric revenue: USD = price * 3
objective hold "Hold revenue" {
  owner finance
  target revenue >= base(revenue)
}
scenario base "Base" {
  price = 100
}
scenario pricey "Lower price" {
  price = 90
}
"#;

    fn compiled(scenarios: Option<&[&str]>) -> crate::compile::Compilation {
        compile_str(
            "t.plumb",
            PLAN,
            &Options {
                evaluate: true,
                scenarios: scenarios.map(|s| s.iter().map(|x| x.to_string()).collect()),
            },
        )
    }

    #[test]
    fn the_compilation_carries_the_outcomes_of_its_results() {
        for wanted in [None, Some(&["base", "pricey"][..]), Some(&["pricey"][..])] {
            let c = compiled(wanted);
            let results = c.results.as_ref().unwrap();
            assert_eq!(
                c.outcomes.as_ref().unwrap(),
                &Outcomes::of(c.plan(), results),
                "scenarios {wanted:?}"
            );
        }
    }

    #[test]
    fn a_scenario_kept_without_base_reads_its_own_values() {
        let all = compiled(None);
        let pricey = all.plan().scenario("pricey").unwrap();
        let with_base = all.outcomes.as_ref().unwrap().get(pricey).unwrap();
        let t = &with_base.targets.as_ref().unwrap()[0];
        // 270 a month against base's 300.
        assert_eq!(t.threshold, Some(rust_decimal::Decimal::from(300)));
        assert_eq!(t.gap, Some(rust_decimal::Decimal::from(-30)));
        assert!(!t.met);
        let alone = compiled(Some(&["pricey"]));
        let o = alone.outcomes.as_ref().unwrap();
        assert!(o.get(alone.plan().base).is_none());
        assert!(o.ranking.is_none());
        let t = &o.get(pricey).unwrap().targets.as_ref().unwrap()[0];
        assert_eq!(t.threshold, Some(rust_decimal::Decimal::from(270)));
        assert_eq!(t.gap, Some(rust_decimal::Decimal::ZERO));
        assert!(t.met);
    }
}
