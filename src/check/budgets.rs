//! Budget diagnostics (DIMENSIONS.md §3–4), over the outcomes of
//! [`crate::outcome::budgets`]:
//!
//! - `over-budget`: spend above allowance (error in base, warning elsewhere), at
//!   the department's amount, with both figures;
//! - `contingency-overdrawn`, `draw-not-approved`: at the draw;
//! - `reallocation-over-cap`, `reallocation-not-approved`: at the reallocation;
//! - `request-unscored` (warning): a draw or reallocation without `cost` and
//!   `return`.

use crate::diagnostic::{Code, Diagnostic};
use crate::eval::{EvalError, Results, ScenarioResult};
use crate::ir::{Budget, Party, Plan, ScenarioId};
use crate::outcome::budgets::{department, scalar, windows, BudgetRow};
use crate::outcome::Outcomes;
use crate::present::{amount, decimals_for};
use crate::syntax::ast::BudgetPer;
use crate::units::Unit;
use rust_decimal::Decimal;

fn money(v: Decimal, unit: &Unit) -> String {
    amount(v, unit, decimals_for(&[v], unit))
}

/// Every budget diagnostic, over the outcomes of `results`.
pub(crate) fn check(plan: &Plan, results: &Results, outcomes: &Outcomes) -> Vec<Diagnostic> {
    if plan.budgets.is_empty() {
        return unscored(plan);
    }
    let mut out = Vec::new();
    let all = match outcomes.budgets() {
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
        crate::present::exact(-row.headroom)
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
    for (bi, budget) in plan.budgets.iter().enumerate() {
        let unit = budget
            .spend
            .and_then(|g| plan.dim_items.get(g))
            .and_then(|g| g.members.first())
            .and_then(|m| plan.items.get(m.1))
            .map(|i| i.unit.clone())
            .unwrap_or_default();
        let mut st = Moved {
            contingency: match &budget.contingency {
                Some(c) => scalar(plan, base, None, c)?,
                None => Decimal::ZERO,
            },
            drawn: Decimal::ZERO,
            overdrawn: false,
            given: vec![Decimal::ZERO; plan.departments.len()],
            over_cap: vec![false; plan.departments.len()],
        };
        for rq in &plan.requests {
            for d in rq.draws.iter().filter(|d| d.budget == bi) {
                draw_rules(plan, base, budget, &unit, rq, d, &mut st, &mut out)?;
            }
            for m in rq.reallocations.iter().filter(|m| m.budget == bi) {
                reallocation_rules(plan, base, budget, &unit, rq, m, &mut st, &mut out)?;
            }
        }
    }
    Ok(out)
}

/// What has moved in one budget so far, in request order.
struct Moved {
    /// The contingency it holds.
    contingency: Decimal,
    /// Drawn from it so far.
    drawn: Decimal,
    /// True once `contingency-overdrawn` is reported.
    overdrawn: bool,
    /// Per department: reallocated out of it so far.
    given: Vec<Decimal>,
    /// Per department: true once `reallocation-over-cap` is reported.
    over_cap: Vec<bool>,
}

/// `contingency-overdrawn`, a draw without `from`, `draw-not-approved`.
#[allow(clippy::too_many_arguments)]
fn draw_rules(
    plan: &Plan,
    base: &ScenarioResult,
    budget: &Budget,
    unit: &Unit,
    rq: &crate::ir::Request,
    d: &crate::ir::Draw,
    st: &mut Moved,
    out: &mut Vec<Diagnostic>,
) -> Result<(), EvalError> {
    let f = |v| money(v, unit);
    let v = scalar(plan, base, None, &d.amount)?;
    let available = (st.contingency - st.drawn).max(Decimal::ZERO);
    st.drawn += v;
    if st.drawn > st.contingency && !st.overdrawn {
        st.overdrawn = true;
        out.push(
            Diagnostic::error(
                Code::ContingencyOverdrawn,
                d.span,
                format!(
                    "draws from `{}`'s contingency reach {}, more than the {} it holds",
                    budget.name,
                    f(st.drawn),
                    f(st.contingency)
                ),
            )
            .with_label(format!("{} over", f(st.drawn - st.contingency)))
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
    Ok(())
}

/// `reallocation-over-cap`, `reallocation-not-approved`.
#[allow(clippy::too_many_arguments)]
fn reallocation_rules(
    plan: &Plan,
    base: &ScenarioResult,
    budget: &Budget,
    unit: &Unit,
    rq: &crate::ir::Request,
    m: &crate::ir::Reallocation,
    st: &mut Moved,
    out: &mut Vec<Diagnostic>,
) -> Result<(), EvalError> {
    let f = |v| money(v, unit);
    let v = scalar(plan, base, None, &m.amount)?;
    let dep = plan
        .departments
        .get(m.from)
        .map(|d| d.name.clone())
        .unwrap_or_default();
    let slot = st.given.get_mut(m.from);
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
    if total > limit && !st.over_cap.get(m.from).copied().unwrap_or(true) {
        if let Some(x) = st.over_cap.get_mut(m.from) {
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
                    crate::present::exact(cap * Decimal::ONE_HUNDRED),
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
    Ok(())
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
