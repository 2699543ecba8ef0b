//! The checks actuals add (ACTUALS.md §3): bets and indicators off their assumed
//! path, `maintain`s broken on actuals, targets at risk on the outlook, triggers
//! fired on actuals, overdue dependencies and risks due a review. All are
//! warnings about the base scenario's forecast: there is one reality.

use super::Actuals;
use crate::diagnostic::{Code, Diagnostic};
use crate::eval::{eval_expr, Results, ScenarioResult, Value};
use crate::ir::{Action, ExprKind, Plan, Trigger};
use crate::outcome::targets::{self as objectives, compare, TargetOutcome};
use crate::present::{amount, decimals_for};
use crate::syntax::ast::BinOp;
use crate::units::Unit;
use rust_decimal::Decimal;

/// `dependency-overdue` and `risk-review-due`: the plan's calendar of
/// commitments held against the as-of period.
pub(crate) fn commitments(plan: &Plan, actuals: &Actuals) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let Some(through) = actuals.through.filter(|t| *t >= 0) else {
        return out;
    };
    let asof = plan.period_label(through);
    for d in &plan.dependencies {
        let Some((due, due_label)) = &d.due else {
            continue;
        };
        if *due > through {
            continue;
        }
        match &d.done {
            None => out.push(
                Diagnostic::warning(
                    Code::DependencyOverdue,
                    d.span,
                    format!(
                        "dependency `{}` was due {due_label} and is not marked done (the books are closed through {asof})",
                        d.name
                    ),
                )
                .with_label("overdue")
                .with_help(format!(
                    "write `done PERIOD` in `{}` once it is delivered, or move `due` and the bets that depend on it",
                    d.name
                )),
            ),
            Some((done, done_label)) if done > due => {
                let late = done - due;
                out.push(
                    Diagnostic::warning(
                        Code::DependencyOverdue,
                        d.span,
                        format!(
                            "dependency `{}` was delivered {done_label}, {late} period{} late (due {due_label})",
                            d.name,
                            if late == 1 { "" } else { "s" }
                        ),
                    )
                    .with_label("delivered late")
                    .with_help("check the bets that depend on it: their first periods assumed it on time"),
                );
            }
            Some(_) => {}
        }
    }
    // The last quarter-end month (March, June, …) that is closed.
    let closed_quarter = (0..=through)
        .rev()
        .map(|t| plan.start + t)
        .find(|m| m.rem_euclid(3) == 2);
    for r in &plan.risks {
        let msg = match &r.reviewed {
            Some((at, label)) if through - at > 3 => format!(
                "risk `{}` was last reviewed {label}, more than a quarter before {asof}",
                r.name
            ),
            Some(_) => continue,
            None => match closed_quarter {
                Some(m) => format!(
                    "risk `{}` has never been reviewed and {}-Q{} is closed",
                    r.name,
                    m.div_euclid(12),
                    m.rem_euclid(12) / 3 + 1
                ),
                None => continue,
            },
        };
        out.push(
            Diagnostic::warning(Code::RiskReviewDue, r.span, msg)
                .with_label("review due")
                .with_help(format!(
                    "review likelihood and mitigation, then write `reviewed {asof}` in the risk"
                )),
        );
    }
    out
}

/// The checks that compare the plan with its forecast.
pub(crate) fn check(
    plan: &Plan,
    results: &Results,
    actuals: &Actuals,
    forecast: &Results,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let (Some(p), Some(f)) = (results.get(plan.base), forecast.get(plan.base)) else {
        return out;
    };
    let closed = actuals.closed().min(plan.len);
    if closed == 0 {
        return out;
    }
    triggers(plan, f, closed, &mut out);
    off_track(plan, p, actuals, closed, &mut out);
    maintains(plan, f, closed, &mut out);
    at_risk(plan, p, f, &mut out);
    out
}

/// Each action of a trigger's playbook when it fired at period `at`: the verb
/// (`set`, `pause`), the driver or initiative it acts on, and the period it
/// takes effect from.
pub(crate) fn playbook<'p>(
    plan: &'p Plan,
    trig: &'p Trigger,
    at: i64,
) -> Vec<(&'static str, &'p str, String)> {
    let mut out = Vec::new();
    for step in &trig.steps {
        let from = plan.period_label(at + i64::from(step.after));
        for (a, _) in &step.actions {
            out.push(match a {
                Action::Set(i, _) => (
                    "set",
                    plan.items.get(*i).map_or("?", |x| x.name.as_str()),
                    from.clone(),
                ),
                Action::Pause(i) => (
                    "pause",
                    plan.initiatives.get(*i).map_or("?", |x| x.name.as_str()),
                    from.clone(),
                ),
            });
        }
    }
    out
}

/// `trigger-fired`: a trigger that fired on actuals (in a closed period).
fn triggers(plan: &Plan, f: &ScenarioResult, closed: usize, out: &mut Vec<Diagnostic>) {
    for (t, fired) in &f.fired {
        let Some(at) = fired.filter(|a| (*a as usize) < closed) else {
            continue;
        };
        let Some(trig) = plan.triggers.get(*t) else {
            continue;
        };
        let actions: Vec<String> = playbook(plan, trig, at)
            .into_iter()
            .map(|(verb, name, from)| format!("{verb} `{name}` from {from}"))
            .collect();
        out.push(
            Diagnostic::warning(
                Code::TriggerFired,
                trig.span,
                format!(
                    "trigger `{}` fired on actuals in {}: {}",
                    trig.name,
                    plan.period_label(at),
                    if actions.is_empty() {
                        "its playbook has no action".to_string()
                    } else {
                        actions.join(", ")
                    }
                ),
            )
            .with_label(format!("fired in {}", plan.period_label(at)))
            .with_help(
                "the forecast now runs the playbook; carry out its actions or change the playbook",
            ),
        );
    }
}

/// `assumption-off-track`: a bet's driver or an indicator, in the latest closed
/// period with an actual, further from its base plan path than the tolerance, on
/// the wrong side.
fn off_track(
    plan: &Plan,
    p: &ScenarioResult,
    actuals: &Actuals,
    closed: usize,
    out: &mut Vec<Diagnostic>,
) {
    let at = |item: usize, t: usize| p.values.get(item).and_then(|v| v.get(t)).copied();
    for a in &plan.assumptions {
        // (item, higher is the right side, default tolerance)
        let mut watched: Vec<(usize, bool, Decimal)> = Vec::new();
        for c in &a.changes {
            let by = usize::try_from(c.by)
                .unwrap_or(0)
                .min(plan.len.saturating_sub(1));
            let (Some(from), Some(to)) = (at(c.item, 0), at(c.item, by)) else {
                continue;
            };
            let whole = (to - from).abs();
            watched.push((c.item, to >= from, whole / Decimal::TEN));
        }
        for &i in &a.indicators {
            let higher = plan.items.get(i).and_then(|x| x.favourable).unwrap_or(true);
            let t = closed - 1;
            let tol = at(i, t).map(|v| v.abs() / Decimal::TEN).unwrap_or_default();
            watched.push((i, higher, tol));
        }
        for (item, higher, default_tol) in watched {
            let Some(t) = (0..closed).rev().find(|t| actuals.get(item, *t).is_some()) else {
                continue;
            };
            let (Some(actual), Some(assumed)) = (actuals.get(item, t), at(item, t)) else {
                continue;
            };
            let tol = a.tolerance.unwrap_or(default_tol);
            let off = if higher {
                assumed - actual
            } else {
                actual - assumed
            };
            if off <= tol {
                continue;
            }
            let Some(it) = plan.items.get(item) else {
                continue;
            };
            let (show, points) = off_track_text(&it.unit, actual, assumed, off, tol);
            out.push(
                Diagnostic::warning(
                    Code::AssumptionOffTrack,
                    a.span,
                    format!(
                        "assumption `{}` is off track: `{}` is {} in {} against an assumed {}: {points}",
                        a.name,
                        it.name,
                        show(actual),
                        plan.period_label(t as i64),
                        show(assumed),
                    ),
                )
                .with_label("off track on actuals")
                .with_help("revisit the bet (its evidence, its counterbalances) or restate it; `tolerance X` in the assumption sets how far actuals may stray"),
            );
        }
    }
}

/// True for a unit whose values read best as percentages: `%`, or a ratio of two
/// counts (`deal/lead`) with every value within ±1.
pub(crate) fn rate_like(unit: &Unit, values: &[Decimal]) -> bool {
    if unit.percent && unit.factors.is_empty() {
        return true;
    }
    let counts = unit.factors.len() == 2
        && unit.factors.iter().map(|f| f.1).sum::<i32>() == 0
        && unit
            .factors
            .iter()
            .all(|f| f.1.abs() == 1 && !crate::units::is_currency(&f.0));
    counts && values.iter().all(|v| v.abs() <= Decimal::ONE)
}

/// How an off-track value reads: a formatter for values, and the distance and
/// tolerance (`1.8 points behind, tolerance 0.6` for rates).
fn off_track_text(
    unit: &Unit,
    actual: Decimal,
    assumed: Decimal,
    off: Decimal,
    tol: Decimal,
) -> (Box<dyn Fn(Decimal) -> String>, String) {
    if rate_like(unit, &[actual, assumed]) {
        let pts = |v: Decimal| {
            let p = v.checked_mul(Decimal::ONE_HUNDRED).unwrap_or(v);
            let dp = decimals_for(&[p], &Unit::dimensionless()).clamp(1, 2);
            crate::present::number(p, dp)
        };
        let show = Box::new(move |v: Decimal| format!("{}%", pts(v)));
        return (
            show,
            format!("{} points behind, tolerance {}", pts(off), pts(tol)),
        );
    }
    let dp = decimals_for(&[actual, assumed], unit);
    let u = unit.clone();
    let text = format!(
        "{} behind, tolerance {}",
        amount(off, unit, dp),
        amount(tol, unit, dp)
    );
    (Box::new(move |v: Decimal| amount(v, &u, dp)), text)
}

/// `maintain-broken`: a `maintain` that fails on the base forecast in a closed
/// period (`tolerance X` loosens it).
fn maintains(plan: &Plan, f: &ScenarioResult, closed: usize, out: &mut Vec<Diagnostic>) {
    for a in &plan.assumptions {
        let tol = a.tolerance.unwrap_or_default();
        for (e, text) in &a.maintains {
            let ExprKind::Binary(op, l, r) = &e.kind else {
                continue;
            };
            if !op.is_comparison() {
                continue;
            }
            let (Ok(lv), Ok(rv)) = (eval_expr(plan, f, None, l), eval_expr(plan, f, None, r))
            else {
                continue;
            };
            let holds = |x: Decimal, y: Decimal| match op {
                BinOp::Le => x <= y + tol,
                BinOp::Lt => x < y + tol,
                BinOp::Ge => x >= y - tol,
                BinOp::Gt => x > y - tol,
                BinOp::Eq if !tol.is_zero() => (x - y).abs() <= tol,
                _ => compare(*op, x, y),
            };
            let scalar = matches!((&lv, &rv), (Value::Scalar(_), Value::Scalar(_)));
            let Some(t) = (0..closed).find(|t| !holds(lv.at(*t), rv.at(*t))) else {
                continue;
            };
            let unit = objectives::sides_unit(plan, l, r);
            let (x, y) = (lv.at(t), rv.at(t));
            let dp = decimals_for(&[x, y], &unit).max(2);
            let when = if scalar {
                "on the forecast".to_string()
            } else {
                format!("in {} on actuals", plan.period_label(t as i64))
            };
            out.push(
                Diagnostic::warning(
                    Code::MaintainBroken,
                    e.span,
                    format!(
                        "assumption `{}`: `{text}` is broken {when}: {} against {}",
                        a.name,
                        amount(x, &unit, dp),
                        amount(y, &unit, dp)
                    ),
                )
                .with_label("broken on actuals")
                .with_help("act on it (the counterbalance no longer holds) or loosen it with `tolerance X` in the assumption"),
            );
        }
    }
}

/// `target-at-risk`: the outlook misses a target the plan meets, or misses it by more.
fn at_risk(plan: &Plan, p: &ScenarioResult, f: &ScenarioResult, out: &mut Vec<Diagnostic>) {
    let (Ok(po), Ok(fo)) = (
        objectives::outcomes(plan, p, None),
        objectives::outcomes(plan, f, None),
    ) else {
        return;
    };
    for (pl, ol) in po.iter().zip(fo.iter()) {
        if ol.met {
            continue;
        }
        let worse = pl.met || matches!((ol.gap, pl.gap), (Some(o), Some(g)) if o < g);
        if !worse {
            continue;
        }
        out.push(at_risk_diag(plan, pl, ol));
    }
}

fn at_risk_diag(plan: &Plan, pl: &TargetOutcome, ol: &TargetOutcome) -> Diagnostic {
    let obj = plan.objectives.get(ol.objective);
    let name = obj.map(|o| o.name.as_str()).unwrap_or("?");
    let span = obj
        .and_then(|o| o.targets.get(ol.target))
        .map(|t| t.expr.span)
        .unwrap_or_default();
    let by = |g: Option<Decimal>| {
        g.map(|g| amount(g.abs(), &ol.unit, 2))
            .unwrap_or_else(|| "?".into())
    };
    let plan_side = if pl.met {
        "the plan meets it".to_string()
    } else {
        format!("the plan misses it by {}", by(pl.gap))
    };
    Diagnostic::warning(
        Code::TargetAtRisk,
        span,
        format!(
            "target `{}` of `{name}` is at risk: the outlook misses it by {} ({plan_side}); outlook {} against {}",
            ol.text,
            by(ol.gap),
            ol.projected.map(|v| amount(v, &ol.unit, 2)).unwrap_or_default(),
            ol.threshold.map(|v| amount(v, &ol.unit, 2)).unwrap_or_default(),
        ),
    )
    .with_label("at risk on the outlook")
    .with_help("`plumb variance` shows where the gap comes from; a playbook or a new bet can close it")
}
