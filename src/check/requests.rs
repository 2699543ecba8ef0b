//! Requests: the bottom-up `ask` against the `grant`, per scenario, and
//! `grant-model-mismatch` when the grant does not hold in the base scenario.
//!
//! Takes the resolved plan and a scenario's values, gives back a
//! [`RequestOutcome`] per request: each side's evaluated left side and threshold
//! (see [`crate::check::objectives::condition`]) and the gap between what was
//! asked and what was granted, `grant threshold − ask threshold` (negative: less
//! was granted than asked). The ask may differ from the model — that difference
//! is what the report shows; the grant is a decision the model must reflect.

use crate::check::objectives::{condition, Condition};
use crate::diagnostic::{Code, Diagnostic};
use crate::eval::{EvalError, ScenarioResult};
use crate::ir::{Expr, Plan, ScenarioId};
use crate::report::format::{amount, decimals_for};
use rust_decimal::Decimal;

/// One side (`ask` or `grant`) of a request, evaluated.
#[derive(Debug, Clone, PartialEq)]
pub struct SideOutcome {
    /// The condition as written.
    pub text: String,
    /// Its evaluation.
    pub condition: Condition,
}

/// A request in one scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestOutcome {
    /// Index into `Plan::requests`.
    pub request: usize,
    /// The ask, when written.
    pub ask: Option<SideOutcome>,
    /// The grant, when written.
    pub grant: Option<SideOutcome>,
    /// Grant threshold − ask threshold, when both are comparisons in one unit.
    pub gap: Option<Decimal>,
}

fn side(
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
pub fn outcomes(
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

/// `grant-model-mismatch` for every grant the base scenario does not hold.
pub fn check(plan: &Plan, base: &ScenarioResult) -> Vec<Diagnostic> {
    let outcomes = match outcomes(plan, base, None) {
        Ok(o) => o,
        Err(e) => return vec![e.to_diagnostic()],
    };
    let mut out = Vec::new();
    for o in outcomes {
        let Some(rq) = plan.requests.get(o.request) else {
            continue;
        };
        if let (Some(g), Some((expr, _))) = (&o.grant, &rq.grant) {
            out.extend(mismatch(plan, rq, g, expr));
        }
        // A grant over a dimensioned value holds member by member.
        for m in &rq.grant_members {
            match side(plan, base, None, Some(m)) {
                Ok(Some(g)) => out.extend(mismatch(plan, rq, &g, &m.0)),
                Ok(None) => {}
                Err(e) => out.push(e.to_diagnostic()),
            }
        }
    }
    out
}

/// `grant-model-mismatch` when the evaluated grant `g` does not hold.
fn mismatch(
    plan: &Plan,
    rq: &crate::ir::Request,
    g: &SideOutcome,
    expr: &Expr,
) -> Option<Diagnostic> {
    {
        if g.condition.met {
            return None;
        }
        let c = &g.condition;
        let when = c
            .period
            .map(|p| format!(" in {}", plan.period_label(p)))
            .unwrap_or_default();
        let (msg, label) = match (c.projected, c.threshold) {
            (Some(p), Some(t)) => {
                let dp = decimals_for(&[p, t], &c.unit);
                let (ps, ts) = (amount(p, &c.unit, dp), amount(t, &c.unit, dp));
                let ts = match crate::check::assumptions::exact_difference(&ps, &ts, p, t) {
                    Some(note) => format!("{ts} {note}"),
                    None => ts,
                };
                (
                    format!(
                        "the grant of `{}` does not hold in the base scenario: `{}` but the model has {ps}{when} against {ts}",
                        rq.name,
                        g.text,
                    ),
                    format!("the model has {}{when}", amount(p, &c.unit, dp)),
                )
            }
            _ => (
                format!(
                    "the grant of `{}` does not hold in the base scenario: `{}`",
                    rq.name, g.text
                ),
                "does not hold in the base scenario".to_string(),
            ),
        };
        let mut d = Diagnostic::error(Code::GrantModelMismatch, expr.span, msg)
            .with_label(label)
            .with_help(
                "the grant is a decision the plan must reflect: change the drivers so the model matches it, or correct the grant",
            );
        if let Some((ask, _)) = &rq.ask {
            d = d.with_secondary(ask.span, "what was asked");
        }
        Some(d)
    }
}
