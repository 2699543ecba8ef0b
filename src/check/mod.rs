//! Checks on the resolved plan, one file per family.
//!
//! [`before_eval`] runs what needs no numbers: units and cycles (errors there stop
//! evaluation), then the plan's own rules — counterbalances, the objective
//! cascade, RACI, owners and unused drivers (see [`blocks_evaluation`]).
//! [`after_eval`] runs what compares the plan's story with its numbers: targets,
//! bets, `maintain` conditions, dependencies, grants, budgets and drivers'
//! ranges (`uncertainty::check`). Both return diagnostics and never fail.
//! `causes::one_cause` runs last over every stage's diagnostics and drops the
//! ones that only repeat a cause already reported; `rollups` runs right after
//! evaluation. Target and request outcomes (`objectives::outcomes`,
//! `requests::outcomes`) are also what the reports, `diff` and the editor show.

pub mod assumptions;
pub mod budgets;
pub mod causes;
pub mod cycles;
pub mod dims;
pub mod objectives;
pub mod ownership;
pub mod percent;
pub mod raci;
pub mod requests;
pub mod rollups;
pub mod units;

use crate::diagnostic::{Code, Diagnostic};
use crate::eval::Results;
use crate::ir::Plan;
use crate::outcome::Outcomes;

/// Checks that need no evaluation. Fills in inferred units.
pub fn before_eval(plan: &mut Plan) -> Vec<Diagnostic> {
    let mut d = units::check(plan);
    d.extend(cycles::check(plan));
    d.extend(assumptions::rules(plan));
    d.extend(objectives::cascade(plan));
    d.extend(raci::check(plan));
    d.extend(ownership::check(plan));
    dims::tidy(plan, d)
}

/// True when an error with this code means the plan cannot be evaluated. The
/// plan's own rules (RACI) are reported but the numbers can still be computed,
/// so `plumb check` goes on to the checks that need them.
pub fn blocks_evaluation(code: Code) -> bool {
    !matches!(code, Code::RaciAccountable | Code::RaciResponsible)
}

/// Checks that compare the plan with its evaluated numbers (`outcomes`: those
/// of `results`, as [`Outcomes::of`] computes them).
pub fn after_eval(plan: &Plan, results: &Results, outcomes: &Outcomes) -> Vec<Diagnostic> {
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
