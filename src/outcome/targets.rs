//! Target outcomes: every target evaluated in a scenario (projected, threshold,
//! gap, met), and the conditions requests and assumptions share.
//!
//! The gap is signed as headroom: positive means the target is met with room to
//! spare, negative is the shortfall. For `>=`/`>` it is projected − threshold, for
//! `<=`/`<` threshold − projected, for `==`/`!=` projected − threshold. A target
//! over a series (no aggregate) must hold in every period; its outcome is shown at
//! the period with the least headroom. [`cascade_order`] is the order reports list
//! objectives in.

use crate::eval::{eval_expr, EvalError, Results, ScenarioResult, Value};
use crate::ir::{Expr, ExprKind, Plan, ScenarioId};
use crate::syntax::ast::BinOp;
use crate::units::{Ty, Unit};
use rust_decimal::Decimal;

/// The outcome of one target in one scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetOutcome {
    /// Index of the objective.
    pub objective: usize,
    /// Index of the target within it.
    pub(crate) target: usize,
    /// The condition as written.
    pub(crate) text: String,
    /// Left side's value (None when the target is not a comparison).
    pub projected: Option<Decimal>,
    /// Right side's value.
    pub threshold: Option<Decimal>,
    /// Headroom (see the module docs).
    pub gap: Option<Decimal>,
    /// Whether it holds.
    pub met: bool,
    /// For a per-period target: the period index shown.
    pub(crate) period: Option<i64>,
    /// Unit of the compared values.
    pub(crate) unit: Unit,
}

/// A condition evaluated in one scenario: both sides of a comparison, the
/// headroom and whether it holds. Shared by targets, requests and assumptions.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Condition {
    /// Left side's value (None when the condition is not a comparison).
    pub projected: Option<Decimal>,
    /// Right side's value.
    pub(crate) threshold: Option<Decimal>,
    /// Headroom (see the module docs).
    pub(crate) gap: Option<Decimal>,
    /// Whether it holds (in every period, for a condition over a series).
    pub met: bool,
    /// For a per-period condition: the period with the least headroom.
    pub(crate) period: Option<i64>,
    /// Unit of the compared values.
    pub(crate) unit: Unit,
}

/// Evaluates a condition in one scenario. A comparison reports its sides at the
/// period with the least headroom (or once, when both sides are aggregates);
/// anything else only whether it holds in every period.
pub(crate) fn condition(
    plan: &Plan,
    result: &ScenarioResult,
    base: Option<&[Vec<Decimal>]>,
    e: &Expr,
) -> Result<Condition, EvalError> {
    let mut oc = Condition {
        projected: None,
        threshold: None,
        gap: None,
        met: false,
        period: None,
        unit: Unit::dimensionless(),
    };
    let gap_overflow = |p: Option<usize>| EvalError {
        code: crate::diagnostic::Code::Overflow,
        message: "the gap to this condition is too large for an exact decimal".into(),
        scenario: plan
            .scenarios
            .get(result.scenario)
            .map(|s| s.name.clone())
            .unwrap_or_default(),
        period: p.map(|x| plan.period_label(x as i64)),
        span: e.span,
    };
    match &e.kind {
        ExprKind::Binary(op, l, r) if op.is_comparison() => {
            oc.unit = sides_unit(plan, l, r);
            let lv = eval_expr(plan, result, base, l)?;
            let rv = eval_expr(plan, result, base, r)?;
            let periods = match (&lv, &rv) {
                (Value::Scalar(_), Value::Scalar(_)) => vec![None],
                _ => (0..plan.len).map(Some).collect(),
            };
            let mut worst: Option<(Decimal, Decimal, Decimal, Option<usize>)> = None;
            let mut all_met = true;
            for p in periods {
                let (a, b) = (lv.at(p.unwrap_or(0)), rv.at(p.unwrap_or(0)));
                all_met &= compare(*op, a, b);
                let gap = try_headroom(*op, a, b).ok_or_else(|| gap_overflow(p))?;
                let key = if matches!(op, BinOp::Eq | BinOp::Ne) {
                    -gap.abs()
                } else {
                    gap
                };
                if worst.as_ref().is_none_or(|w| key < w.0) {
                    worst = Some((key, a, b, p));
                }
            }
            if let Some((_, a, b, p)) = worst {
                oc.projected = Some(a);
                oc.threshold = Some(b);
                oc.gap = Some(try_headroom(*op, a, b).ok_or_else(|| gap_overflow(p))?);
                oc.period = p.map(|x| x as i64);
            }
            oc.met = all_met;
        }
        _ => {
            let v = eval_expr(plan, result, base, e)?;
            oc.met = (0..plan.len).all(|i| !v.at(i).is_zero());
        }
    }
    Ok(oc)
}

/// The unit two compared sides share (the one that has a unit).
pub fn sides_unit(plan: &Plan, l: &Expr, r: &Expr) -> Unit {
    match (
        crate::infer::units::expr_ty(plan, l),
        crate::infer::units::expr_ty(plan, r),
    ) {
        (Ty::Num(u), _) | (_, Ty::Num(u)) => u,
        _ => Unit::dimensionless(),
    }
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
            let c = condition(plan, result, base, &t.expr)?;
            out.push(TargetOutcome {
                objective: oi,
                target: ti,
                text: t.text.clone(),
                projected: c.projected,
                threshold: c.threshold,
                gap: c.gap,
                met: c.met,
                period: c.period,
                unit: c.unit,
            });
        }
    }
    Ok(out)
}

/// Whether `a op b` holds, equal meaning equal to 20 significant digits (§3).
pub(crate) fn compare(op: BinOp, a: Decimal, b: Decimal) -> bool {
    crate::eval::window::compare(op, a, b)
}

/// Headroom of `a op b`, or None when it does not fit in a decimal.
pub(crate) fn try_headroom(op: BinOp, a: Decimal, b: Decimal) -> Option<Decimal> {
    match op {
        BinOp::Lt | BinOp::Le => b.checked_sub(a),
        _ => a.checked_sub(b),
    }
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

/// Objectives in cascade order: each objective that supports nothing, followed
/// by the objectives that support it (depth 1), those that support them (depth
/// 2), …, each in declaration order. Every objective appears once.
pub(crate) fn cascade_order(plan: &Plan) -> Vec<(usize, usize)> {
    let n = plan.objectives.len();
    let mut seen = vec![false; n];
    let mut out = Vec::with_capacity(n);
    let roots: Vec<usize> = (0..n)
        .filter(|&i| {
            plan.objectives
                .get(i)
                .is_some_and(|o| o.supports.is_empty())
        })
        .chain(0..n)
        .collect();
    for root in roots {
        if seen.get(root).copied().unwrap_or(true) {
            continue;
        }
        // Depth-first with an explicit stack; children pushed in reverse so they
        // come out in declaration order.
        let mut stack = vec![(root, 0usize)];
        while let Some((o, depth)) = stack.pop() {
            match seen.get_mut(o) {
                Some(s) if !*s => *s = true,
                _ => continue,
            }
            out.push((o, depth));
            let children: Vec<usize> = (0..n)
                .filter(|&c| {
                    !seen.get(c).copied().unwrap_or(true)
                        && plan
                            .objectives
                            .get(c)
                            .is_some_and(|x| x.supports.contains(&o))
                })
                .collect();
            stack.extend(children.into_iter().rev().map(|c| (c, depth + 1)));
        }
    }
    out
}
