//! Budgets, reallocation, contingency and request scoring (DIMENSIONS.md §3–4).
//!
//! Takes the resolved plan and its evaluated scenarios. [`outcomes`] gives, per
//! budget and department, the amount, contingency draws, reallocations, the
//! allowance (amount + draws + reallocations in − out), the planned spend and the
//! headroom, over the horizon (`amount { … }`) or to the end of each quarter or
//! year (`amount per quarter|year { … }`, cumulative: draws and reallocations
//! count once). [`check`] reports:
//!
//! - `over-budget`: spend above allowance (error in base, warning elsewhere), at
//!   the department's amount, with both figures;
//! - `contingency-overdrawn`, `draw-not-approved`: at the draw;
//! - `reallocation-over-cap`, `reallocation-not-approved`: at the reallocation;
//! - `request-unscored` (warning): a draw or reallocation without `cost` and
//!   `return`.
//!
//! [`ranking`] orders scored requests by return on cost, those supporting a top
//! objective first, with the running cost against the contingency left.

use crate::diagnostic::{Code, Diagnostic};
use crate::eval::{eval_expr, EvalError, Results, ScenarioResult, Value};
use crate::ir::{Budget, Expr, Party, Plan, ScenarioId};
use crate::report::format::{amount, decimals_for};
use crate::report::{period_groups, By};
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
    pub span: Span,
}

/// A budget in one scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct BudgetOutcome {
    /// Index into `Plan::budgets`.
    pub budget: usize,
    /// Per department and window.
    pub rows: Vec<BudgetRow>,
    /// The contingency held centrally.
    pub contingency: Decimal,
    /// Drawn from it.
    pub drawn: Decimal,
    /// The spend item's unit.
    pub unit: Unit,
}

fn scalar(
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
fn department(plan: &Plan, m: usize) -> Option<usize> {
    let name = &plan.dimensions.first()?.members.get(m)?.0;
    plan.departments.iter().position(|d| &d.name == name)
}

/// The windows of a budget: label and the months to its end.
fn windows(plan: &Plan, per: BudgetPer) -> Vec<(String, usize)> {
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
pub fn outcomes(
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
pub fn outcomes_to(
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

fn money(v: Decimal, unit: &Unit) -> String {
    amount(v, unit, decimals_for(&[v], unit))
}

/// Every budget diagnostic.
pub fn check(plan: &Plan, results: &Results) -> Vec<Diagnostic> {
    if plan.budgets.is_empty() {
        return unscored(plan);
    }
    let mut out = Vec::new();
    let all = match all_outcomes(plan, results) {
        Ok(a) => a,
        Err(e) => return vec![e.to_diagnostic()],
    };
    for (s, budgets) in &all {
        let scenario = plan
            .scenarios
            .get(*s)
            .map(|x| x.name.as_str())
            .unwrap_or("?");
        for o in budgets {
            let name = plan
                .budgets
                .get(o.budget)
                .map(|b| b.name.as_str())
                .unwrap_or("?");
            let mut reported: Vec<&str> = Vec::new();
            for row in o.rows.iter().filter(|r| r.headroom < Decimal::ZERO) {
                if reported.contains(&row.department.as_str()) {
                    continue;
                }
                reported.push(&row.department);
                out.push(over_budget(plan, *s, scenario, name, row, &o.unit));
            }
        }
    }
    if let Some(base) = results.get(plan.base) {
        match rules(plan, base) {
            Ok(d) => out.extend(d),
            Err(e) => out.push(e.to_diagnostic()),
        }
    }
    out.extend(unscored(plan));
    out
}

fn over_budget(
    plan: &Plan,
    s: ScenarioId,
    scenario: &str,
    budget: &str,
    row: &BudgetRow,
    unit: &Unit,
) -> Diagnostic {
    let f = |v| money(v, unit);
    let message = format!(
        "`{}` plans {} of spend in {} against an allowance of {} in budget `{budget}` (scenario `{scenario}`): {} over",
        row.department,
        f(row.spend),
        row.window,
        f(row.allowance),
        f(-row.headroom)
    );
    let (sign, moved) = if row.reallocations < Decimal::ZERO {
        ("−", -row.reallocations)
    } else {
        ("+", row.reallocations)
    };
    let label = format!(
        "allowance {} = amount {} + draws {} {sign} reallocations {}",
        f(row.allowance),
        f(row.amount),
        f(row.draws),
        f(moved)
    );
    let help = format!(
        "lower the planned spend, raise `{}`'s amount in `{budget}`, or draw from its contingency with a request from `{}` (`draw {} from {budget}`)",
        row.department,
        row.department,
        crate::report::format::exact(-row.headroom)
    );
    let d = if s == plan.base {
        Diagnostic::error(Code::OverBudget, row.span, message)
    } else {
        Diagnostic::warning(Code::OverBudget, row.span, message)
    };
    d.with_label(label).with_help(help)
}

/// True when `approved` holds `party`, or (for a department) a role in it.
fn approves(plan: &Plan, approved: &[Party], party: Party) -> bool {
    approved.iter().any(|p| {
        *p == party
            || match (party, p) {
                (Party::Department(d), Party::Role(r)) => {
                    plan.roles.get(*r).and_then(|x| x.department) == Some(d)
                }
                _ => false,
            }
    })
}

/// The rules that need no scenario: contingency, approvals, the cap.
fn rules(plan: &Plan, base: &ScenarioResult) -> Result<Vec<Diagnostic>, EvalError> {
    let mut out = Vec::new();
    let unit_of = |b: &Budget| {
        b.spend
            .and_then(|g| plan.dim_items.get(g))
            .and_then(|g| g.members.first())
            .and_then(|m| plan.items.get(m.1))
            .map(|i| i.unit.clone())
            .unwrap_or_default()
    };
    for (bi, budget) in plan.budgets.iter().enumerate() {
        let unit = unit_of(budget);
        let f = |v| money(v, &unit);
        let contingency = match &budget.contingency {
            Some(c) => scalar(plan, base, None, c)?,
            None => Decimal::ZERO,
        };
        let mut drawn = Decimal::ZERO;
        let mut overdrawn = false;
        let mut given = vec![Decimal::ZERO; plan.departments.len()];
        let mut over_cap = vec![false; plan.departments.len()];
        for rq in &plan.requests {
            for d in rq.draws.iter().filter(|d| d.budget == bi) {
                let v = scalar(plan, base, None, &d.amount)?;
                let available = (contingency - drawn).max(Decimal::ZERO);
                drawn += v;
                if drawn > contingency && !overdrawn {
                    overdrawn = true;
                    out.push(
                        Diagnostic::error(
                            Code::ContingencyOverdrawn,
                            d.span,
                            format!(
                                "draws from `{}`'s contingency reach {}, more than the {} it holds",
                                budget.name,
                                f(drawn),
                                f(contingency)
                            ),
                        )
                        .with_label(format!("{} over", f(drawn - contingency)))
                        .with_help(format!(
                            "draw at most {} here, or raise the budget's `contingency`",
                            f(available)
                        )),
                    );
                }
                if rq.from.is_none() {
                    out.push(
                        Diagnostic::error(
                            Code::UndefinedName,
                            d.span,
                            format!(
                                "a draw goes to the request's department, but `{}` has no `from`",
                                rq.name
                            ),
                        )
                        .with_help("add `from DEPARTMENT` to the request"),
                    );
                }
                if let Some(owner) = budget.owner {
                    if !rq.approved_by.contains(&owner) {
                        let who = plan.party_name(owner);
                        out.push(
                            Diagnostic::error(
                                Code::DrawNotApproved,
                                d.span,
                                format!(
                                    "the draw from `{}` is not approved by its owner `{who}`",
                                    budget.name
                                ),
                            )
                            .with_label("needs the budget owner's approval")
                            .with_help(format!(
                                "add `approved by {who}` to the request `{}`",
                                rq.name
                            )),
                        );
                    }
                }
            }
            for m in rq.reallocations.iter().filter(|m| m.budget == bi) {
                let v = scalar(plan, base, None, &m.amount)?;
                let dep = plan
                    .departments
                    .get(m.from)
                    .map(|d| d.name.clone())
                    .unwrap_or_default();
                let slot = given.get_mut(m.from);
                let total = match slot {
                    Some(s) => {
                        *s += v;
                        *s
                    }
                    None => v,
                };
                let amount_expr = budget
                    .amounts
                    .iter()
                    .find(|(mm, _)| department(plan, *mm) == Some(m.from));
                let mut amount = match amount_expr {
                    Some((_, e)) => scalar(plan, base, None, e)?,
                    None => Decimal::ZERO,
                };
                if budget.per != BudgetPer::Horizon {
                    amount *= Decimal::from(windows(plan, budget.per).len());
                }
                let cap = match &budget.reallocation {
                    Some((c, _, _)) => scalar(plan, base, None, c)?,
                    None => Decimal::ZERO,
                };
                let limit = cap * amount;
                if total > limit && !over_cap.get(m.from).copied().unwrap_or(true) {
                    if let Some(x) = over_cap.get_mut(m.from) {
                        *x = true;
                    }
                    let help = if budget.reallocation.is_some() {
                        format!(
                            "move at most {} out of `{dep}` in `{}`",
                            f(limit),
                            budget.name
                        )
                    } else {
                        format!(
                            "`{}` allows no reallocation: add `reallocation up to 10% approved by …` to it",
                            budget.name
                        )
                    };
                    out.push(
                        Diagnostic::error(
                            Code::ReallocationOverCap,
                            m.span,
                            format!(
                                "`{dep}` gives {} of `{}`, more than its cap of {} ({}% of its {})",
                                f(total),
                                budget.name,
                                f(limit),
                                crate::report::format::exact(cap * Decimal::ONE_HUNDRED),
                                f(amount)
                            ),
                        )
                        .with_label(format!("{} over the cap", f(total - limit)))
                        .with_help(help),
                    );
                }
                let approver = budget.reallocation.as_ref().and_then(|r| r.1);
                let mut missing = Vec::new();
                if let Some(a) = approver {
                    if !rq.approved_by.contains(&a) {
                        missing.push(plan.party_name(a).to_string());
                    }
                }
                if !approves(plan, &rq.approved_by, Party::Department(m.from)) {
                    missing.push(dep.clone());
                }
                if !missing.is_empty() {
                    let mut all: Vec<String> = rq
                        .approved_by
                        .iter()
                        .map(|p| plan.party_name(*p).to_string())
                        .collect();
                    for x in &missing {
                        if !all.contains(x) {
                            all.push(x.clone());
                        }
                    }
                    out.push(
                        Diagnostic::error(
                            Code::ReallocationNotApproved,
                            m.span,
                            format!(
                                "moving budget out of `{dep}` needs the approval of {}",
                                missing
                                    .iter()
                                    .map(|x| format!("`{x}`"))
                                    .collect::<Vec<_>>()
                                    .join(" and ")
                            ),
                        )
                        .with_label("not approved")
                        .with_help(format!(
                            "the budget's reallocation approver and the giving department (or a role in it) approve: write `approved by {}`",
                            all.join(", ")
                        )),
                    );
                }
            }
        }
    }
    Ok(out)
}

/// `request-unscored` for requests that move money without `cost` and `return`.
fn unscored(plan: &Plan) -> Vec<Diagnostic> {
    plan.requests
        .iter()
        .filter(|rq| !rq.draws.is_empty() || !rq.reallocations.is_empty())
        .filter(|rq| rq.cost.is_none() || rq.ret.is_none())
        .map(|rq| {
            Diagnostic::warning(
                Code::RequestUnscored,
                rq.span,
                format!(
                    "the request `{}` moves budget but states no {}",
                    rq.name,
                    match (&rq.cost, &rq.ret) {
                        (None, None) => "`cost` and `return`",
                        (None, Some(_)) => "`cost`",
                        _ => "`return`",
                    }
                ),
            )
            .with_label("cannot be ranked")
            .with_help("add `cost …` and `return …` (in money, for example `cost 40K` and `return 120K`) so it can be ranked by return on cost")
        })
        .collect()
}

/// One scored request in the ranking.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked {
    /// Index into `Plan::requests`.
    pub request: usize,
    /// True when it supports a top objective directly.
    pub top: bool,
    /// `cost`, in the base scenario.
    pub cost: Option<Decimal>,
    /// `return`, in the base scenario.
    pub ret: Option<Decimal>,
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
