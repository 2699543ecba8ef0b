//! Requests: `grant-model-mismatch` when the grant does not hold in the base
//! scenario (from the outcomes of [`crate::outcome::requests`]); a grant over a
//! dimensioned value holds member by member.

use crate::diagnostic::{Code, Diagnostic};
use crate::eval::{EvalError, ScenarioResult};
use crate::ir::{Expr, Plan};
use crate::outcome::requests::{side, RequestOutcome, SideOutcome};
use crate::present::{amount, decimals_for};

/// `grant-model-mismatch` for every grant the base scenario does not hold
/// (`outcomes`: the base scenario's request outcomes).
pub(crate) fn check(
    plan: &Plan,
    base: &ScenarioResult,
    outcomes: &Result<Vec<RequestOutcome>, EvalError>,
) -> Vec<Diagnostic> {
    let outcomes = match outcomes {
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
