//! Checks on the resolved plan, one file per family.
//!
//! Checks only read the plan: units, roll-ups and totals are inferred before
//! them ([`crate::infer`]). [`before_eval`] runs what needs no numbers: cycles
//! (errors there, like unit errors, stop evaluation), then the plan's own rules
//! — counterbalances, the objective cascade, RACI, owners and unused drivers
//! (see [`blocks_evaluation`]).
//! [`after_eval`] runs what compares the plan's story with its numbers: targets,
//! bets, `maintain` conditions, dependencies, grants, budgets and drivers'
//! ranges (`uncertainty::check`). Both return diagnostics and never fail.
//! `causes::one_cause` runs last over every stage's diagnostics and drops the
//! ones that only repeat a cause already reported; `rollups` runs right after
//! evaluation. The outcomes `after_eval` reads (targets, requests, budgets) are
//! computed once by [`crate::outcome`]; checks only turn them into diagnostics.
//! A leaf: nothing but `compile` (and the language server's "can this be
//! evaluated") depends on it, and it depends on no presentation module but
//! [`crate::present`].

pub(crate) mod assumptions;
pub mod budgets;
pub(crate) mod causes;
pub(crate) mod cycles;
pub(crate) mod dims;
pub(crate) mod objectives;
pub(crate) mod ownership;
pub mod percent;
pub(crate) mod raci;
pub mod requests;
pub(crate) mod rollups;

use crate::diagnostic::{Code, Diagnostic};
use crate::eval::program::Prepared;
use crate::eval::Results;
use crate::ir::Plan;
use crate::outcome::Outcomes;

/// Checks that need no evaluation, on the complete plan ([`crate::infer::infer`]
/// has run). `inferred` is the inference's diagnostics: they come first and, like
/// these, name a dimensioned item rather than its members ([`dims::tidy`]).
pub fn before_eval(plan: &Plan, inferred: Vec<Diagnostic>) -> Vec<Diagnostic> {
    before_eval_with(plan, &Prepared::new(plan, false), inferred)
}

/// [`before_eval`] with the plan's references already collected (`compile`
/// builds them once, for the cycle check and for evaluation).
pub(crate) fn before_eval_with(
    plan: &Plan,
    prep: &Prepared,
    inferred: Vec<Diagnostic>,
) -> Vec<Diagnostic> {
    let mut d = inferred;
    d.extend(cycles::check(plan, prep));
    d.extend(assumptions::rules(plan));
    d.extend(objectives::cascade(plan));
    d.extend(raci::check(plan));
    d.extend(ownership::check(plan));
    dims::tidy(plan, d)
}

/// True when an error with this code means the plan cannot be evaluated. The
/// plan's own rules (RACI) are reported but the numbers can still be computed,
/// so `plumb check` goes on to the checks that need them.
pub(crate) fn blocks_evaluation(code: Code) -> bool {
    !matches!(code, Code::RaciAccountable | Code::RaciResponsible)
}

/// Checks that compare the plan with its evaluated numbers (`outcomes`: those
/// of `results`, as [`Outcomes::of`] computes them).
pub(crate) fn after_eval(plan: &Plan, results: &Results, outcomes: &Outcomes) -> Vec<Diagnostic> {
    let mut d = Vec::new();
    if let (Some(r), Some(o)) = (results.get(plan.base), outcomes.get(plan.base)) {
        match &o.targets {
            Ok(o) => d.extend(objectives::missed(plan, o)),
            Err(e) => d.push(e.to_diagnostic()),
        }
        d.extend(requests::check(plan, r, &o.requests));
    }
    d.extend(assumptions::check(plan, results));
    d.extend(budgets::check(plan, results, outcomes));
    d.extend(crate::uncertainty::check(plan));
    d
}
