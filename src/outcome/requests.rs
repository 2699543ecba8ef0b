//! Request outcomes: the bottom-up `ask` against the `grant`, per scenario.
//!
//! Takes the resolved plan and a scenario's values, gives back a
//! [`RequestOutcome`] per request: each side's evaluated left side and threshold
//! (see [`crate::outcome::targets::condition`]) and the gap between what was
//! asked and what was granted, `grant threshold − ask threshold` (negative: less
//! was granted than asked). The ask may differ from the model — that difference
//! is what the report shows; the grant is a decision the model must reflect
//! (`check::requests`).

use crate::eval::{EvalError, ScenarioResult};
use crate::ir::{Expr, Plan, ScenarioId};
use crate::outcome::targets::{condition, Condition};
use rust_decimal::Decimal;

/// One side (`ask` or `grant`) of a request, evaluated.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SideOutcome {
    /// The condition as written.
    pub(crate) text: String,
    /// Its evaluation.
    pub(crate) condition: Condition,
}

/// A request in one scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestOutcome {
    /// Index into `Plan::requests`.
    pub(crate) request: usize,
    /// The ask, when written.
    pub(crate) ask: Option<SideOutcome>,
    /// The grant, when written.
    pub(crate) grant: Option<SideOutcome>,
    /// Grant threshold − ask threshold, when both are comparisons in one unit.
    pub(crate) gap: Option<Decimal>,
}

/// One side of a request evaluated in scenario `r` (None when it is not
/// written or does not resolve).
pub(crate) fn side(
    plan: &Plan,
    r: &ScenarioResult,
    base: Option<&[Vec<Decimal>]>,
    s: Option<&(Expr, String)>,
) -> Result<Option<SideOutcome>, EvalError> {
    let Some((e, text)) = s else {
        return Ok(None);
    };
    if e.has_error() {
        return Ok(None);
    }
    Ok(Some(SideOutcome {
        text: text.clone(),
        condition: condition(plan, r, base, e)?,
    }))
}

/// Every request evaluated in one scenario.
pub(crate) fn outcomes(
    plan: &Plan,
    r: &ScenarioResult,
    base: Option<&[Vec<Decimal>]>,
) -> Result<Vec<RequestOutcome>, EvalError> {
    let mut out = Vec::new();
    for (i, rq) in plan.requests.iter().enumerate() {
        let ask = side(plan, r, base, rq.ask.as_ref())?;
        let grant = side(plan, r, base, rq.grant.as_ref())?;
        let gap = match (&ask, &grant) {
            (Some(a), Some(g)) if a.condition.unit.same(&g.condition.unit) => {
                match (a.condition.threshold, g.condition.threshold) {
                    (Some(at), Some(gt)) => gt.checked_sub(at),
                    _ => None,
                }
            }
            _ => None,
        };
        out.push(RequestOutcome {
            request: i,
            ask,
            grant,
            gap,
        });
    }
    Ok(out)
}

/// Every scenario's request outcomes, in the order of `results`.
pub fn all_outcomes(
    plan: &Plan,
    results: &crate::eval::Results,
) -> Result<Vec<(ScenarioId, Vec<RequestOutcome>)>, EvalError> {
    let base = results.get(plan.base).map(|r| r.values.as_slice());
    results
        .scenarios
        .iter()
        .map(|r| outcomes(plan, r, base).map(|o| (r.scenario, o)))
        .collect()
}
