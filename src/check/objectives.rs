//! Objectives: every target evaluated in every scenario (projected, threshold,
//! gap, met), and `target-missed` for the base scenario.
//!
//! The gap is signed as headroom: positive means the target is met with room to
//! spare, negative is the shortfall. For `>=`/`>` it is projected − threshold, for
//! `<=`/`<` threshold − projected, for `==`/`!=` projected − threshold. A target
//! over a series (no aggregate) must hold in every period; its outcome is shown at
//! the period with the least headroom.

use crate::diagnostic::{Code, Diagnostic};
use crate::eval::{eval_expr, EvalError, Results, ScenarioResult, Value};
use crate::ir::{ExprKind, Plan, ScenarioId};
use crate::report::format::{amount, number};
use crate::syntax::ast::BinOp;
use crate::units::{Ty, Unit};
use rust_decimal::Decimal;

/// The outcome of one target in one scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetOutcome {
    /// Index of the objective.
    pub objective: usize,
    /// Index of the target within it.
    pub target: usize,
    /// The condition as written.
    pub text: String,
    /// Left side's value (None when the target is not a comparison).
    pub projected: Option<Decimal>,
    /// Right side's value.
    pub threshold: Option<Decimal>,
    /// Headroom (see the module docs).
    pub gap: Option<Decimal>,
    /// Whether it holds.
    pub met: bool,
    /// For a per-period target: the period index shown.
    pub period: Option<i64>,
    /// Unit of the compared values.
    pub unit: Unit,
}

/// Evaluates every target of the plan in one scenario.
pub fn outcomes(
    plan: &Plan,
    result: &ScenarioResult,
    base: Option<&[Vec<Decimal>]>,
) -> Result<Vec<TargetOutcome>, EvalError> {
    let mut out = Vec::new();
    for (oi, o) in plan.objectives.iter().enumerate() {
        for (ti, t) in o.targets.iter().enumerate() {
            if matches!(t.expr.kind, ExprKind::Error) {
                continue;
            }
            let mut oc = TargetOutcome {
                objective: oi,
                target: ti,
                text: t.text.clone(),
                projected: None,
                threshold: None,
                gap: None,
                met: false,
                period: None,
                unit: Unit::dimensionless(),
            };
            match &t.expr.kind {
                ExprKind::Binary(op, l, r) if op.is_comparison() => {
                    oc.unit = match (
                        crate::check::units::expr_ty(plan, l),
                        crate::check::units::expr_ty(plan, r),
                    ) {
                        (Ty::Num(u), _) | (_, Ty::Num(u)) => u,
                        _ => Unit::dimensionless(),
                    };
                    let lv = eval_expr(plan, result, base, l)?;
                    let rv = eval_expr(plan, result, base, r)?;
                    let periods = match (&lv, &rv) {
                        (Value::Scalar(_), Value::Scalar(_)) => vec![None],
                        _ => (0..plan.len).map(Some).collect(),
                    };
                    let mut worst: Option<(Decimal, Decimal, Decimal, bool, Option<usize>)> = None;
                    let mut all_met = true;
                    for p in periods {
                        let (a, b) = (lv.at(p.unwrap_or(0)), rv.at(p.unwrap_or(0)));
                        let met = compare(*op, a, b);
                        all_met &= met;
                        let gap = headroom(*op, a, b);
                        let key = if matches!(op, BinOp::Eq | BinOp::Ne) {
                            -gap.abs()
                        } else {
                            gap
                        };
                        if worst.as_ref().is_none_or(|w| key < w.0) {
                            worst = Some((key, a, b, met, p));
                        }
                    }
                    if let Some((_, a, b, _, p)) = worst {
                        oc.projected = Some(a);
                        oc.threshold = Some(b);
                        oc.gap = Some(headroom(*op, a, b));
                        oc.period = p.map(|x| x as i64);
                    }
                    oc.met = all_met;
                }
                _ => {
                    let v = eval_expr(plan, result, base, &t.expr)?;
                    oc.met = (0..plan.len).all(|i| !v.at(i).is_zero());
                }
            }
            out.push(oc);
        }
    }
    Ok(out)
}

fn compare(op: BinOp, a: Decimal, b: Decimal) -> bool {
    match op {
        BinOp::Lt => a < b,
        BinOp::Le => a <= b,
        BinOp::Gt => a > b,
        BinOp::Ge => a >= b,
        BinOp::Eq => a == b,
        _ => a != b,
    }
}

fn headroom(op: BinOp, a: Decimal, b: Decimal) -> Decimal {
    match op {
        BinOp::Lt | BinOp::Le => b.checked_sub(a),
        _ => a.checked_sub(b),
    }
    .unwrap_or_default()
}

/// Every scenario's target outcomes, in the order of `results`.
pub fn all_outcomes(
    plan: &Plan,
    results: &Results,
) -> Result<Vec<(ScenarioId, Vec<TargetOutcome>)>, EvalError> {
    let base = results.get(plan.base).map(|r| r.values.as_slice());
    results
        .scenarios
        .iter()
        .map(|r| outcomes(plan, r, base).map(|o| (r.scenario, o)))
        .collect()
}

/// `target-missed` for each target the base scenario misses.
pub fn missed(plan: &Plan, base: &[TargetOutcome]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for oc in base.iter().filter(|o| !o.met) {
        let Some(obj) = plan.objectives.get(oc.objective) else {
            continue;
        };
        let Some(t) = obj.targets.get(oc.target) else {
            continue;
        };
        let when = oc
            .period
            .map(|p| format!(" in {}", plan.period_label(p)))
            .unwrap_or_default();
        let msg = match (oc.projected, oc.threshold, oc.gap) {
            (Some(p), Some(th), Some(g)) => format!(
                "objective `{}` misses its target `{}` by {}{when}: the base scenario projects {} against {}",
                obj.name,
                oc.text,
                amount(g.abs(), &oc.unit, 2),
                amount(p, &oc.unit, 2),
                amount(th, &oc.unit, 2),
            ),
            _ => format!("objective `{}` misses its target `{}` in the base scenario", obj.name, oc.text),
        };
        let label = match oc.gap {
            Some(g) => format!("short by {}", number(g.abs(), 2)),
            None => "not met".into(),
        };
        out.push(
            Diagnostic::warning(Code::TargetMissed, t.expr.span, msg)
                .with_label(label)
                .with_help("close the gap with a bet (`assumption … { change … }`) or restate the target; `plumb run` shows the gap per scenario"),
        );
    }
    out
}
