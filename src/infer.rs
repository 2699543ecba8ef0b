//! Inference: completes the resolved plan before anything reads it.
//!
//! `resolve` leaves what depends on units open: the unit of an item declared
//! without one, the default roll-up of an item that writes none (§3.2), and how
//! the total of a dimensioned item is computed (`ir::TotalRule::Unsettled`).
//! [`infer`] fills them in, in dependency order, and reports the unit errors it
//! meets on the way (`unit-mismatch`, `type-mismatch`, `dimension-mismatch`).
//! `compile` runs it right after `resolve`; from then on `ir::Plan` is complete
//! and every later stage (checks, evaluation, reports) only reads it.

mod totals;
pub(crate) mod units;

use crate::diagnostic::Diagnostic;
use crate::ir::Plan;

/// Infers every unit, roll-up and total the plan does not write, and gives the
/// unit errors.
pub fn infer(plan: &mut Plan) -> Vec<Diagnostic> {
    units::infer(plan)
}
