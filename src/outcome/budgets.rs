//! Budget outcomes (DIMENSIONS.md §3–4): per budget and department, the amount,
//! contingency draws, reallocations, the allowance (amount + draws +
//! reallocations in − out), the planned spend and the headroom, over the horizon
//! (`amount { … }`) or to the end of each quarter or year (`amount per
//! quarter|year { … }`, cumulative: draws and reallocations count once).
//!
//! [`ranking`] orders scored requests by return on cost, those supporting a top
//! objective first, with the running cost against the contingency left. The
//! diagnostics over these numbers are `check::budgets`'.

use crate::calendar::{period_groups, By};
use crate::eval::{eval_expr, EvalError, Results, ScenarioResult, Value};
use crate::ir::{Budget, Expr, Plan, ScenarioId};
use crate::source::Span;
use crate::syntax::ast::BudgetPer;
use crate::units::Unit;
use rust_decimal::Decimal;

/// One department of a budget over one window.
#[derive(Debug, Clone, PartialEq)]
pub struct BudgetRow {
    /// Department name.
    pub department: String,
    /// `2026-01 .. 2026-06`, or `to 2026-Q2` for per-period budgets.
    pub window: String,
    /// The amount (to date, for per-period budgets).
    pub amount: Decimal,
    /// Contingency draws to the department.
    pub draws: Decimal,
    /// Reallocations in minus out.
    pub reallocations: Decimal,
    /// amount + draws + reallocations.
    pub allowance: Decimal,
    /// Planned spend over the window.
    pub spend: Decimal,
    /// allowance − spend (negative: over budget).
    pub headroom: Decimal,
    /// The department's amount as written.
    pub(crate) span: Span,
}

/// A budget in one scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct BudgetOutcome {
    /// Index into `Plan::budgets`.
    pub(crate) budget: usize,
    /// Per department and window.
    pub rows: Vec<BudgetRow>,
    /// The contingency held centrally.
    pub(crate) contingency: Decimal,
    /// Drawn from it.
    pub(crate) drawn: Decimal,
    /// The spend item's unit.
    pub(crate) unit: Unit,
}

/// The value of `e` in scenario `r`, a series summed (0 for an expression that
/// does not resolve).
pub(crate) fn scalar(
    plan: &Plan,
    r: &ScenarioResult,
    base: Option<&[Vec<Decimal>]>,
    e: &Expr,
) -> Result<Decimal, EvalError> {
    if e.has_error() {
        return Ok(Decimal::ZERO);
    }
    Ok(match eval_expr(plan, r, base, e)? {
        Value::Scalar(v) => v,
        Value::Series(s) => s.iter().copied().sum(),
    })
}

/// Index into `Plan::departments` of member `m` of the `department` dimension.
pub(crate) fn department(plan: &Plan, m: usize) -> Option<usize> {
    let name = &plan.dimensions.first()?.members.get(m)?.0;
    plan.departments.iter().position(|d| &d.name == name)
}

/// The windows of a budget: label and the months to its end.
pub(crate) fn windows(plan: &Plan, per: BudgetPer) -> Vec<(String, usize)> {
    match per {
        BudgetPer::Horizon => vec![(
            format!(
                "{} .. {}",
                plan.period_label(0),
                plan.period_label(plan.len as i64 - 1)
            ),
            plan.len,
        )],
        BudgetPer::Quarter | BudgetPer::Year => {
            let by = if per == BudgetPer::Quarter {
                By::Quarter
            } else {
                By::Year
            };
            period_groups(plan, by)
                .into_iter()
                .map(|g| (format!("to {}", g.label), g.range.end))
                .collect()
        }
    }
}

/// Each department's draws and net reallocations in budget `b` (by department
/// index), in scenario `r`.
fn moves(
    plan: &Plan,
    r: &ScenarioResult,
    base: Option<&[Vec<Decimal>]>,
    b: usize,
) -> Result<(Vec<Decimal>, Vec<Decimal>), EvalError> {
    let n = plan.departments.len();
    let (mut draws, mut net) = (vec![Decimal::ZERO; n], vec![Decimal::ZERO; n]);
    for rq in &plan.requests {
        for d in rq.draws.iter().filter(|d| d.budget == b) {
            let v = scalar(plan, r, base, &d.amount)?;
            if let Some(slot) = rq.from.and_then(|f| draws.get_mut(f)) {
                *slot += v;
            }
        }
        for m in rq.reallocations.iter().filter(|m| m.budget == b) {
            let v = scalar(plan, r, base, &m.amount)?;
            if let Some(slot) = net.get_mut(m.from) {
                *slot -= v;
            }
            if let Some(slot) = net.get_mut(m.to) {
                *slot += v;
            }
        }
    }
    Ok((draws, net))
}

/// Budget `b` in scenario `r`, spend counted over the first `upto` periods
/// (None when it has no spend item or amounts).
fn one(
    plan: &Plan,
    r: &ScenarioResult,
    base: Option<&[Vec<Decimal>]>,
    b: usize,
    budget: &Budget,
    upto: usize,
) -> Result<Option<BudgetOutcome>, EvalError> {
    let Some(g) = budget.spend.and_then(|g| plan.dim_items.get(g)) else {
        return Ok(None);
    };
    if budget.amounts.is_empty() {
        return Ok(None);
    }
    let Some(pos) = g.dims.iter().position(|d| *d == 0) else {
        return Ok(None);
    };
    let unit = g
        .members
        .first()
        .and_then(|m| plan.items.get(m.1))
        .map(|i| i.unit.clone())
        .unwrap_or_default();
    let (draws, net) = moves(plan, r, base, b)?;
    let contingency = match &budget.contingency {
        Some(c) => scalar(plan, r, base, c)?,
        None => Decimal::ZERO,
    };
    let drawn: Decimal = draws.iter().copied().sum();
    let mut rows = Vec::new();
    for (m, amount_expr) in &budget.amounts {
        let Some(dep) = department(plan, *m) else {
            continue;
        };
        let name = plan
            .departments
            .get(dep)
            .map(|d| d.name.clone())
            .unwrap_or_default();
        let per_window = scalar(plan, r, base, amount_expr)?;
        // Monthly spend of this department: its members summed.
        let mut monthly = vec![Decimal::ZERO; plan.len];
        for (tuple, id) in &g.members {
            if tuple.get(pos) != Some(m) {
                continue;
            }
            if let Some(vals) = r.values.get(*id) {
                for (acc, v) in monthly.iter_mut().zip(vals) {
                    *acc += *v;
                }
            }
        }
        let d = draws.get(dep).copied().unwrap_or_default();
        let re = net.get(dep).copied().unwrap_or_default();
        for (k, (label, end)) in windows(plan, budget.per).into_iter().enumerate() {
            let amount = per_window * Decimal::from(k + 1);
            let spend: Decimal = monthly.iter().take(end.min(upto)).copied().sum();
            let allowance = amount + d + re;
            rows.push(BudgetRow {
                department: name.clone(),
                window: label,
                amount,
                draws: d,
                reallocations: re,
                allowance,
                spend,
                headroom: allowance - spend,
                span: amount_expr.span,
            });
        }
    }
    Ok(Some(BudgetOutcome {
        budget: b,
        rows,
        contingency,
        drawn,
        unit,
    }))
}

/// Every budget evaluated in one scenario.
pub(crate) fn outcomes(
    plan: &Plan,
    r: &ScenarioResult,
    base: Option<&[Vec<Decimal>]>,
) -> Result<Vec<BudgetOutcome>, EvalError> {
    let mut out = Vec::new();
    for (b, budget) in plan.budgets.iter().enumerate() {
        out.extend(one(plan, r, base, b, budget, plan.len)?);
    }
    Ok(out)
}

/// [`outcomes`] with each row's spend counted only over the first `upto`
/// periods (those the actuals have closed): spend to date, for `plumb variance`.
pub(crate) fn outcomes_to(
    plan: &Plan,
    r: &ScenarioResult,
    base: Option<&[Vec<Decimal>]>,
    upto: usize,
) -> Result<Vec<BudgetOutcome>, EvalError> {
    let mut out = Vec::new();
    for (b, budget) in plan.budgets.iter().enumerate() {
        out.extend(one(plan, r, base, b, budget, upto)?);
    }
    Ok(out)
}

/// [`outcomes`] for every evaluated scenario.
pub fn all_outcomes(
    plan: &Plan,
    results: &Results,
) -> Result<Vec<(ScenarioId, Vec<BudgetOutcome>)>, EvalError> {
    let base = results.get(plan.base).map(|r| r.values.as_slice());
    results
        .scenarios
        .iter()
        .map(|r| outcomes(plan, r, base).map(|o| (r.scenario, o)))
        .collect()
}

/// One scored request in the ranking.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked {
    /// Index into `Plan::requests`.
    pub(crate) request: usize,
    /// True when it supports a top objective directly.
    pub(crate) top: bool,
    /// `cost`, in the base scenario.
    pub(crate) cost: Option<Decimal>,
    /// `return`, in the base scenario.
    pub(crate) ret: Option<Decimal>,
    /// return / cost.
    pub roi: Option<Decimal>,
    /// Running total of cost down the ranking.
    pub running: Decimal,
    /// True while the running cost fits the contingency left.
    pub funded: bool,
}

/// Requests with a `cost` or `return`, ranked; and the contingency left across
/// budgets (contingency minus draws), in the base scenario.
pub fn ranking(plan: &Plan, base: &ScenarioResult) -> Result<(Vec<Ranked>, Decimal), EvalError> {
    let mut left = Decimal::ZERO;
    for b in plan.budgets.iter() {
        if let Some(c) = &b.contingency {
            left += scalar(plan, base, None, c)?;
        }
    }
    for rq in &plan.requests {
        for d in &rq.draws {
            left -= scalar(plan, base, None, &d.amount)?;
        }
    }
    let mut out = Vec::new();
    for (i, rq) in plan.requests.iter().enumerate() {
        if rq.cost.is_none() && rq.ret.is_none() {
            continue;
        }
        let cost = match &rq.cost {
            Some((e, _)) => Some(scalar(plan, base, None, e)?),
            None => None,
        };
        let ret = match &rq.ret {
            Some((e, _)) => Some(scalar(plan, base, None, e)?),
            None => None,
        };
        let roi = match (ret, cost) {
            (Some(r), Some(c)) if !c.is_zero() => r.checked_div(c),
            _ => None,
        };
        let top = rq.supports.iter().any(|o| {
            plan.objectives
                .get(*o)
                .is_some_and(|x| x.supports.is_empty())
        });
        out.push(Ranked {
            request: i,
            top,
            cost,
            ret,
            roi,
            running: Decimal::ZERO,
            funded: false,
        });
    }
    out.sort_by(|a, b| {
        b.top
            .cmp(&a.top)
            .then_with(|| match (a.roi, b.roi) {
                (Some(x), Some(y)) => y.cmp(&x),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            })
            .then(a.request.cmp(&b.request))
    });
    let mut running = Decimal::ZERO;
    for r in &mut out {
        running += r.cost.unwrap_or_default();
        r.running = running;
        r.funded = running <= left;
    }
    Ok((out, left))
}
