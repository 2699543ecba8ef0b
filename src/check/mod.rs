//! Checks on the resolved plan, one file per family.
//!
//! [`before_eval`] runs what needs no numbers (units, cycles); [`after_eval`] runs
//! what compares the plan's story with its numbers (targets, …). Both return
//! diagnostics and never fail.

pub mod cycles;
pub mod objectives;
pub mod units;

use crate::diagnostic::Diagnostic;
use crate::eval::Results;
use crate::ir::Plan;

/// Checks that need no evaluation. Fills in inferred units.
pub fn before_eval(plan: &mut Plan) -> Vec<Diagnostic> {
    let mut d = units::check(plan);
    d.extend(cycles::check(plan));
    d
}

/// Checks that compare the plan with its evaluated numbers.
pub fn after_eval(plan: &Plan, results: &Results) -> Vec<Diagnostic> {
    let mut d = Vec::new();
    let base = results.get(plan.base).map(|r| r.values.as_slice());
    if let Some(r) = results.get(plan.base) {
        match objectives::outcomes(plan, r, base) {
            Ok(o) => d.extend(objectives::missed(plan, &o)),
            Err(e) => d.push(e.to_diagnostic()),
        }
    }
    d
}
