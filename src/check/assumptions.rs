//! Assumptions against the model: bets, counterbalances, dependencies.
//!
//! Takes the resolved plan (and, after evaluation, every scenario's values) and
//! gives back diagnostics:
//!
//! - `bet-without-counterbalance` (warning, no numbers needed): a bet — an
//!   assumption with a `change` — that names no `counterbalance`.
//! - `assumption-model-mismatch` (error): `change D from A to B by P` says the
//!   driver is `A` in the first period and `B` in `P` (its last month, for a
//!   quarter or a year); the base scenario's numbers must agree. A literal is
//!   compared at the precision it is written, in its own scale (`to 261` accepts
//!   261.11, `to 30%` 29.5% … 30.5%, `to 85K` 84,500 … 85,500), anything else to
//!   20 significant digits.
//! - `dependency-late` (error): a dependency the bet `depends on` is `due` after
//!   the bet's *first changing period*, the first period where the driver's base
//!   value differs from its first-period value.
//! - `maintain-violated`: a `maintain` condition fails in some period — an error
//!   in the base scenario, a warning in any other (a stress scenario may show
//!   where the plan breaks). The message names the scenario, the first failing
//!   period and both sides' values.

use crate::diagnostic::{Code, Diagnostic};
use crate::eval::{eval_expr, EvalError, Results, ScenarioResult, Value};
use crate::ir::{Assumption, Change, Expr, ExprKind, ItemId, Plan};
use crate::outcome::targets::sides_unit;
use crate::present::{amount, decimals_for};
use crate::units::Unit;
use rust_decimal::prelude::*;

/// `bet-without-counterbalance` for every bet with no counterbalance.
pub(crate) fn rules(plan: &Plan) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for a in &plan.assumptions {
        let Some(first) = a.changes.first() else {
            continue;
        };
        if !a.counterbalances.is_empty() {
            continue;
        }
        let driver = item_name(plan, first.item);
        out.push(
            Diagnostic::warning(
                Code::BetWithoutCounterbalance,
                a.span,
                format!(
                    "the bet `{}` changes `{driver}` but names no counterbalance",
                    a.name
                ),
            )
            .with_label("a bet with nothing to keep it honest")
            .with_secondary(first.span, "the bet")
            .with_help(format!(
                "say what must stay true while `{driver}` moves: add `counterbalance NAME` and \
                 `assumption NAME \"…\" {{ maintain … }}` (pushing win rates up must not blow up CAC, for example)"
            )),
        );
    }
    out
}

/// The first period where `item` in the base scenario differs from its value in
/// the first period (None when it never changes).
pub(crate) fn first_change(base: &ScenarioResult, item: ItemId) -> Option<i64> {
    let v = base.values.get(item)?;
    let first = v.first()?;
    v.iter().position(|x| x != first).map(|p| p as i64)
}

/// Checks that need numbers: bets against the base scenario, dependencies
/// against when the bets start moving, `maintain` in every scenario.
pub(crate) fn check(plan: &Plan, results: &Results) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let Some(base) = results.get(plan.base) else {
        return out;
    };
    for a in &plan.assumptions {
        for c in &a.changes {
            if let Err(e) = bet(plan, a, c, base, &mut out) {
                out.push(e.to_diagnostic());
            }
        }
        dependencies(plan, a, base, &mut out);
    }
    for r in &results.scenarios {
        for a in &plan.assumptions {
            for (cond, text) in &a.maintains {
                if cond.has_error() {
                    continue;
                }
                if let Err(e) = maintain(plan, a, cond, text, r, Some(&base.values), &mut out) {
                    out.push(e.to_diagnostic());
                }
            }
        }
    }
    out
}

/// `(they differ by 0.000…1)` when two values look the same as displayed but
/// differ: a comparison failed by less than the displayed precision (§3).
pub(crate) fn exact_difference(
    shown_l: &str,
    shown_r: &str,
    l: Decimal,
    r: Decimal,
) -> Option<String> {
    if shown_l != shown_r || l == r {
        return None;
    }
    let d = l.checked_sub(r)?;
    Some(format!(
        "(they differ by {}{})",
        if d.is_sign_negative() { "-" } else { "" },
        crate::present::exact(d.abs())
    ))
}

fn item_name(plan: &Plan, item: ItemId) -> &str {
    plan.items.get(item).map(|i| i.name.as_str()).unwrap_or("?")
}

/// True when the model's value agrees with what the bet states: a literal at the
/// precision it is written (within half a unit of its last digit, inclusive:
/// `to 30%` accepts 29.5% to 30.5%), anything else to 20 significant digits.
fn agrees(step: Option<Decimal>, stated: Decimal, model: Decimal) -> bool {
    match step {
        Some(step) => {
            let half = step / Decimal::TWO;
            model.checked_sub(stated).is_some_and(|d| d.abs() <= half)
        }
        None => crate::eval::approx_eq(model, stated),
    }
}

/// A value as a Plumb literal (`28%`, `85000`).
fn literal(v: Decimal, unit: &Unit) -> String {
    if unit.percent && unit.factors.is_empty() {
        let pct = v.checked_mul(Decimal::ONE_HUNDRED).unwrap_or(v);
        format!("{}%", pct.normalize())
    } else {
        v.normalize().to_string()
    }
}

fn bet(
    plan: &Plan,
    a: &Assumption,
    c: &Change,
    base: &ScenarioResult,
    out: &mut Vec<Diagnostic>,
) -> Result<(), EvalError> {
    if c.from.has_error() || c.to.has_error() || c.by < 0 || c.by >= plan.len as i64 {
        return Ok(());
    }
    let Some(item) = plan.items.get(c.item) else {
        return Ok(());
    };
    let Some(values) = base.values.get(c.item) else {
        return Ok(());
    };
    let by = c.by as usize;
    let stated_from = eval_expr(plan, base, None, &c.from)?.at(0);
    let stated_to = eval_expr(plan, base, None, &c.to)?.at(by);
    let (Some(&model_from), Some(&model_to)) = (values.first(), values.get(by)) else {
        return Ok(());
    };
    let from_ok = agrees(c.from_step, stated_from, model_from);
    let to_ok = agrees(c.to_step, stated_to, model_to);
    if from_ok && to_ok {
        return Ok(());
    }
    let unit = &item.unit;
    let dp = decimals_for(&[stated_from, stated_to, model_from, model_to], unit);
    let f = |v: Decimal| amount(v, unit, dp);
    let first = plan.period_label(0);
    let by_month = plan.period_label(c.by);
    let wrong = match (from_ok, to_ok) {
        (false, true) => format!("{} in {first}", f(model_from)),
        (true, false) => format!("{} in {by_month}", f(model_to)),
        _ => format!(
            "{} in {first} and {} in {by_month}",
            f(model_from),
            f(model_to),
        ),
    };
    let playbook = playbook_cause(plan, c.item, base, c.by);
    let suggestion = if let Some((_, _, why)) = &playbook {
        format!("{why}; restate the bet (or the trigger) so they agree")
    } else if item.kind == crate::syntax::ast::ItemKind::Driver {
        // Only the value is proposed: the declaration keeps its unit and block
        // (and an initiative member stays inside its initiative).
        format!(
            "make the model say what the bet says, for example give `{}` the value `ramp({}, {}, {first}, {})` (keeping its unit and block), or restate the bet to match the model",
            item.name,
            literal(stated_from, unit),
            literal(stated_to, unit),
            plan.period_label(c.by),
        )
    } else {
        "change the drivers it is computed from so the model reaches the bet's values, or restate the bet".to_string()
    };
    out.push(
        Diagnostic::error(
            Code::AssumptionModelMismatch,
            c.span,
            format!(
                "the bet `{}` says `{}` goes from {} to {} by {}, but the base scenario has {wrong}",
                a.name,
                item.name,
                f(stated_from),
                f(stated_to),
                c.by_label
            ),
        )
        .with_label(format!(
            "the model: {} in {first}, {} in {by_month}",
            f(model_from),
            f(model_to),
        ))
        .with_secondary(item.name_span, format!("`{}` is defined here", item.name))
        .with_secondaries(playbook.map(|(span, label, _)| (span, label)))
        .with_help(suggestion),
    );
    Ok(())
}

/// A trigger action that changes `item` (a `set` of it or of a driver it is
/// computed from, or a `pause` of its initiative) in the base scenario from a
/// period up to `by`: its span, a label for it and a sentence saying so.
fn playbook_cause(
    plan: &Plan,
    item: ItemId,
    base: &ScenarioResult,
    by: i64,
) -> Option<(crate::source::Span, String, String)> {
    // Everything `item` is computed from, itself included.
    let mut reads = vec![false; plan.items.len()];
    let mut stack = vec![item];
    while let Some(i) = stack.pop() {
        match reads.get_mut(i) {
            Some(r) if !*r => *r = true,
            _ => continue,
        }
        if let Some(it) = plan.items.get(i) {
            stack.extend(it.expr.items());
        }
    }
    let initiative = plan.items.get(item).and_then(|i| i.initiative);
    for &(t, fired) in &base.fired {
        let (Some(trigger), Some(fired)) = (plan.triggers.get(t), fired) else {
            continue;
        };
        for step in &trigger.steps {
            let from = fired + i64::from(step.after);
            if from > by {
                continue;
            }
            for (action, span) in &step.actions {
                let what = match action {
                    crate::ir::Action::Set(d, _) if reads.get(*d) == Some(&true) => {
                        format!("`set {}`", plan.items.get(*d)?.name)
                    }
                    crate::ir::Action::Pause(i) if Some(*i) == initiative => {
                        format!("`pause {}`", plan.initiatives.get(*i)?.name)
                    }
                    _ => continue,
                };
                let label = format!(
                    "{what} takes effect from {} in the base scenario",
                    plan.period_label(from)
                );
                let why = format!(
                    "the trigger `{}` fires in {} in the base scenario, and its {what} changes `{}` from {}, before the bet's {}",
                    trigger.name,
                    plan.period_label(fired),
                    plan.items.get(item)?.name,
                    plan.period_label(from),
                    plan.period_label(by)
                );
                return Some((*span, label, why));
            }
        }
    }
    None
}

fn dependencies(plan: &Plan, a: &Assumption, base: &ScenarioResult, out: &mut Vec<Diagnostic>) {
    if a.depends_on.is_empty() {
        return;
    }
    // The earliest period any of the bet's drivers starts moving.
    let Some((start, item)) = a
        .changes
        .iter()
        .filter_map(|c| first_change(base, c.item).map(|p| (p, c.item)))
        .min()
    else {
        return;
    };
    let driver = item_name(plan, item);
    let start_label = plan.period_label(start);
    for (d, span) in &a.depends_on {
        let Some(dep) = plan.dependencies.get(*d) else {
            continue;
        };
        let Some((due, due_label)) = &dep.due else {
            continue;
        };
        if *due <= start {
            continue;
        }
        out.push(
            Diagnostic::error(
                Code::DependencyLate,
                *span,
                format!(
                    "`{}` is due {due_label}, after the bet `{}` starts moving `{driver}` in {start_label}",
                    dep.name, a.name
                ),
            )
            .with_label(format!("due {due_label}, needed by {start_label}"))
            .with_secondary(dep.span, format!("due {due_label}"))
            .with_help(format!(
                "bring `due` forward to {start_label} or earlier, or start moving `{driver}` only once `{}` is done",
                dep.name
            )),
        );
    }
}

fn maintain(
    plan: &Plan,
    a: &Assumption,
    cond: &Expr,
    text: &str,
    r: &ScenarioResult,
    base: Option<&[Vec<Decimal>]>,
    out: &mut Vec<Diagnostic>,
) -> Result<(), EvalError> {
    let v = eval_expr(plan, r, base, cond)?;
    let (first_fail, fails) = match &v {
        Value::Scalar(x) => (if x.is_zero() { Some(None) } else { None }, 1),
        Value::Series(s) => {
            let failing: Vec<usize> = (0..s.len())
                .filter(|&i| s.get(i).is_some_and(|x| x.is_zero()))
                .collect();
            (failing.first().map(|&p| Some(p)), failing.len())
        }
    };
    let Some(period) = first_fail else {
        return Ok(());
    };
    let is_base = r.scenario == plan.base;
    let scenario = plan
        .scenarios
        .get(r.scenario)
        .map(|s| s.name.as_str())
        .unwrap_or("?");
    let when = match period {
        Some(p) => {
            let more = if fails > 1 {
                format!(
                    " (and {} more period{})",
                    fails - 1,
                    if fails == 2 { "" } else { "s" }
                )
            } else {
                String::new()
            };
            format!(" in {}{more}", plan.period_label(p as i64))
        }
        None => String::new(),
    };
    let sides = match &cond.kind {
        ExprKind::Binary(op, l, rt) if op.is_comparison() => {
            let unit: Unit = sides_unit(plan, l, rt);
            let t = period.unwrap_or(0);
            let lv = eval_expr(plan, r, base, l)?.at(t);
            let rv = eval_expr(plan, r, base, rt)?.at(t);
            let dp = decimals_for(&[lv, rv], &unit);
            let (ls, rs) = (amount(lv, &unit, dp), amount(rv, &unit, dp));
            // Equal as displayed but not to 20 digits: show the exact difference.
            let rs = match exact_difference(&ls, &rs, lv, rv) {
                Some(note) => format!("{rs} {note}"),
                None => rs,
            };
            Some((ls, rs))
        }
        _ => None,
    };
    let where_ = if is_base {
        "the base scenario".to_string()
    } else {
        format!("scenario `{scenario}`")
    };
    let msg = match &sides {
        Some((l, rt)) => format!(
            "`{}` is violated in {where_}{when}: `{text}` has {l} against {rt}",
            a.name
        ),
        None => format!(
            "`{}` is violated in {where_}{when}: `{text}` does not hold",
            a.name
        ),
    };
    let label = match (&sides, period) {
        (Some((l, _)), Some(p)) => format!("{l} in {} ({scenario})", plan.period_label(p as i64)),
        (Some((l, _)), None) => format!("{l} ({scenario})"),
        (None, _) => format!("fails in {scenario}"),
    };
    let d = if is_base {
        Diagnostic::error(Code::MaintainViolated, cond.span, msg).with_help(
            "the plan breaks its own assumption: change the drivers so it holds, or restate what must stay true",
        )
    } else {
        Diagnostic::warning(Code::MaintainViolated, cond.span, msg).with_help(format!(
            "if `{scenario}` is a stress test, this shows where the plan breaks; add a trigger whose playbook restores `{}`",
            a.name
        ))
    };
    out.push(d.with_label(label));
    Ok(())
}
