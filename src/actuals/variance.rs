//! `plumb variance`: plan against actuals per closed period (or window), the
//! full-horizon outlook, targets with their outlook, the assumption section,
//! and why a gap exists (`--explain`, see [`explain`]).
//!
//! The report is built from three series of one scenario: the plan (the
//! scenario as written), the actuals, and the forecast (the model re-run from
//! reality, [`super::forecast`]). In closed periods the forecast *is* the
//! actual where one exists, and the model's value computed from actuals where
//! none does, so "actual" below is the forecast's value in a closed period.
//! Every value over a window goes through [`window_value`].

use super::Actuals;
use crate::eval::{self, eval_expr, EvalOptions, Pinned, Results, ScenarioResult};
use crate::ir::{Expr, ExprKind, ItemId, Plan, ScenarioId};
use crate::outcome::targets as objectives;
use crate::syntax::ast::{Aggregation, BinOp, ItemKind};
use crate::units::Unit;
use rust_decimal::Decimal;
use serde::Serialize;
use std::ops::Range;

/// How closed periods are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Window {
    /// One row per closed month.
    #[default]
    Month,
    /// Quarter to date.
    Quarter,
    /// Year to date.
    Year,
}

/// The whole variance report of one scenario.
#[derive(Debug, Clone, Serialize)]
pub struct VarianceReport {
    /// Plan name.
    pub(crate) plan: String,
    /// The scenario compared.
    pub(crate) scenario: String,
    /// The last closed period.
    pub actuals_through: Option<String>,
    /// Items with actuals.
    pub items: Vec<ItemVariance>,
    /// Targets: projected (plan) and outlook (forecast).
    pub targets: Vec<TargetVariance>,
    /// Bets and indicators, assumed against actual.
    pub(crate) assumptions: Vec<AssumptionTrack>,
    /// `maintain`s on actuals.
    pub(crate) maintains: Vec<MaintainTrack>,
    /// Triggers that fired on actuals.
    pub triggers: Vec<TriggerFired>,
    /// Per budget and department (DIMENSIONS.md §3): allowance against actual
    /// spend to date and the outlook.
    pub budgets: Vec<BudgetVariance>,
}

/// One item's variance.
#[derive(Debug, Clone, Serialize)]
pub struct ItemVariance {
    /// Item name.
    pub name: String,
    /// Its unit.
    #[serde(serialize_with = "ser_unit")]
    pub(crate) unit: Unit,
    /// `higher` or `lower`: which way is favourable.
    pub favourable: &'static str,
    /// Per closed period or window.
    pub periods: Vec<PeriodVariance>,
    /// The full horizon: plan roll-up.
    #[serde(serialize_with = "ser_dec")]
    pub(crate) full_plan: Decimal,
    /// The full horizon: forecast roll-up.
    #[serde(serialize_with = "ser_dec")]
    pub(crate) outlook: Decimal,
    /// outlook − plan.
    #[serde(serialize_with = "ser_dec")]
    pub(crate) outlook_variance: Decimal,
}

/// Plan against actual in one period or window.
#[derive(Debug, Clone, Serialize)]
pub struct PeriodVariance {
    /// `2026-03`, `2026-Q1`, `2026` (to date).
    pub period: String,
    /// True when the window is not wholly closed (quarter or year to date).
    pub partial: bool,
    /// Plan value.
    #[serde(serialize_with = "ser_dec")]
    pub plan: Decimal,
    /// Actual value.
    #[serde(serialize_with = "ser_dec")]
    pub actual: Decimal,
    /// actual − plan.
    #[serde(serialize_with = "ser_dec")]
    pub variance: Decimal,
    /// variance ÷ |plan| × 100; None when the plan is 0.
    #[serde(serialize_with = "ser_opt_dec")]
    pub variance_pct: Option<Decimal>,
    /// True when the variance goes the favourable way (or is 0).
    pub favourable: bool,
}

/// A target with its outlook.
#[derive(Debug, Clone, Serialize)]
pub struct TargetVariance {
    /// Objective name.
    pub objective: String,
    /// The condition as written.
    pub(crate) target: String,
    /// Unit of the values.
    #[serde(serialize_with = "ser_unit")]
    pub(crate) unit: Unit,
    /// The plan's projected value.
    #[serde(serialize_with = "ser_opt_dec")]
    pub projected: Option<Decimal>,
    /// The forecast's value.
    #[serde(serialize_with = "ser_opt_dec")]
    pub outlook: Option<Decimal>,
    /// The target's threshold (the right-hand side of its comparison).
    #[serde(serialize_with = "ser_opt_dec")]
    pub(crate) threshold: Option<Decimal>,
    /// Plan headroom (negative: short).
    #[serde(serialize_with = "ser_opt_dec")]
    pub gap: Option<Decimal>,
    /// Outlook headroom.
    #[serde(serialize_with = "ser_opt_dec")]
    pub outlook_gap: Option<Decimal>,
    /// Met in the plan.
    pub(crate) met: bool,
    /// Met on the outlook.
    pub outlook_met: bool,
}

/// A bet's driver or an indicator, assumed against actual.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct AssumptionTrack {
    /// Assumption name.
    pub(crate) assumption: String,
    /// `bet` or `indicator`.
    pub(crate) kind: &'static str,
    /// The item watched.
    pub(crate) item: String,
    /// Its unit.
    #[serde(serialize_with = "ser_unit")]
    pub(crate) unit: Unit,
    /// The tolerance applied.
    #[serde(serialize_with = "ser_dec")]
    pub(crate) tolerance: Decimal,
    /// Per closed period with an actual.
    pub periods: Vec<TrackPoint>,
}

/// One closed period of an [`AssumptionTrack`].
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TrackPoint {
    /// The period's label (`2026-03`).
    pub(crate) period: String,
    /// The base plan's value.
    #[serde(serialize_with = "ser_dec")]
    pub(crate) assumed: Decimal,
    /// The value the actuals give the item in that period.
    #[serde(serialize_with = "ser_dec")]
    pub(crate) actual: Decimal,
    /// `on track`, `ahead` or `behind`.
    pub(crate) status: &'static str,
}

/// A `maintain` on actuals.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct MaintainTrack {
    /// Assumption name.
    pub(crate) assumption: String,
    /// The condition as written.
    pub(crate) condition: String,
    /// Held in every closed period.
    pub(crate) held: bool,
    /// The first closed period it fails in.
    pub(crate) broken_in: Option<String>,
    /// Its left side there.
    #[serde(serialize_with = "ser_opt_dec")]
    pub(crate) left: Option<Decimal>,
    /// Its right side there.
    #[serde(serialize_with = "ser_opt_dec")]
    pub(crate) right: Option<Decimal>,
    /// Unit of the sides.
    #[serde(serialize_with = "ser_unit")]
    pub(crate) unit: Unit,
}

/// A trigger that fired on actuals.
#[derive(Debug, Clone, Serialize)]
pub struct TriggerFired {
    /// Trigger name.
    pub(crate) trigger: String,
    /// The closed period it fired in.
    pub(crate) fired: String,
    /// When it fires in the plan (None: never).
    pub fired_in_plan: Option<String>,
    /// Each playbook action with the period it takes effect.
    pub(crate) actions: Vec<String>,
}

/// One department of a budget over one window, with actuals: the allowance
/// (amount, draws, reallocations, as planned), the spend to date on the forecast
/// (actuals where there are some), the outlook (the forecast's spend over the
/// window), what remains of the allowance after the spend to date, and the
/// contingency drawn to the department.
#[derive(Debug, Clone, Serialize)]
pub struct BudgetVariance {
    /// Budget name.
    pub budget: String,
    /// Department name.
    pub department: String,
    /// `2026-01 .. 2026-06`, or `to 2026-Q2` for per-period budgets.
    pub window: String,
    /// The spend item's unit.
    #[serde(serialize_with = "ser_unit")]
    pub(crate) unit: Unit,
    /// amount + draws + reallocations.
    #[serde(serialize_with = "ser_dec")]
    pub allowance: Decimal,
    /// Spend over the window's closed periods.
    #[serde(serialize_with = "ser_dec")]
    pub actual_to_date: Decimal,
    /// The forecast's spend over the window.
    #[serde(serialize_with = "ser_dec")]
    pub outlook: Decimal,
    /// allowance − actual to date.
    #[serde(serialize_with = "ser_dec")]
    pub remaining: Decimal,
    /// Contingency drawn to the department.
    #[serde(serialize_with = "ser_dec")]
    pub contingency_used: Decimal,
}

/// The budgets of scenario `s` against actuals; empty when a budget does not
/// evaluate (the plan's own checks report why).
fn budget_variance(inp: Inputs<'_>, s: ScenarioId, closed: usize) -> Vec<BudgetVariance> {
    use crate::outcome::budgets::{outcomes, outcomes_to};
    let plan = inp.plan;
    let (Some(p), Some(f)) = (inp.results.get(s), inp.forecast.get(s)) else {
        return Vec::new();
    };
    let pbase = inp.results.get(plan.base).map(|r| r.values.as_slice());
    let fbase = inp.forecast.get(plan.base).map(|r| r.values.as_slice());
    let (Ok(planned), Ok(outlook), Ok(to_date)) = (
        outcomes(plan, p, pbase),
        outcomes(plan, f, fbase),
        outcomes_to(plan, f, fbase, closed),
    ) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for ((po, fo), to) in planned.iter().zip(&outlook).zip(&to_date) {
        let name = plan
            .budgets
            .get(po.budget)
            .map(|b| b.name.clone())
            .unwrap_or_default();
        for ((pr, fr), tr) in po.rows.iter().zip(&fo.rows).zip(&to.rows) {
            out.push(BudgetVariance {
                budget: name.clone(),
                department: pr.department.clone(),
                window: pr.window.clone(),
                unit: po.unit.clone(),
                allowance: pr.allowance,
                actual_to_date: tr.spend,
                outlook: fr.spend,
                remaining: pr.allowance - tr.spend,
                contingency_used: pr.draws,
            });
        }
    }
    out
}

fn ser_dec<S: serde::Serializer>(v: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&crate::present::exact(*v))
}

fn ser_opt_dec<S: serde::Serializer>(v: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => ser_dec(v, s),
        None => s.serialize_none(),
    }
}

fn ser_unit<S: serde::Serializer>(u: &Unit, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&u.to_string())
}

/// The value of `item` over the periods `periods` of `values` (one series per
/// item): its roll-up (LANGUAGE.md §3.2). Every figure over a window in this
/// module goes through here.
fn window_value(
    plan: &Plan,
    values: &[Vec<Decimal>],
    item: ItemId,
    periods: Range<usize>,
) -> Option<Decimal> {
    if periods.is_empty() {
        return None;
    }
    eval::window_value(plan, values, item, periods)
}

/// The value of `item` over `periods` of a scenario's values (public for tests
/// and other reports: the same roll-up the variance report uses).
pub fn value_over(
    plan: &Plan,
    values: &[Vec<Decimal>],
    item: ItemId,
    periods: Range<usize>,
) -> Option<Decimal> {
    window_value(plan, values, item, periods)
}

/// True when `item` is better lower: `favourable lower`, or bounded from above
/// by a target or a `maintain` (`x <= …`, `sum(x) <= …`, `… >= x`) without
/// `favourable higher`.
pub(crate) fn better_lower(plan: &Plan, item: ItemId) -> bool {
    if let Some(h) = plan.items.get(item).and_then(|i| i.favourable) {
        return !h;
    }
    let reads = |e: &Expr| {
        let mut hit = false;
        e.walk(&mut |x| hit |= matches!(x.kind, ExprKind::Item(i) if i == item));
        hit
    };
    let bounded = |e: &Expr| match &e.kind {
        ExprKind::Binary(BinOp::Le | BinOp::Lt, l, _) => reads(l),
        ExprKind::Binary(BinOp::Ge | BinOp::Gt, _, r) => reads(r),
        _ => false,
    };
    plan.objectives
        .iter()
        .flat_map(|o| o.targets.iter().map(|t| &t.expr))
        .chain(
            plan.assumptions
                .iter()
                .flat_map(|a| a.maintains.iter().map(|m| &m.0)),
        )
        .any(bounded)
}

/// The windows of closed periods: (label, periods, partial).
fn windows(plan: &Plan, closed: usize, by: Window) -> Vec<(String, Range<usize>, bool)> {
    let mut out: Vec<(String, Range<usize>, bool)> = Vec::new();
    for t in 0..closed {
        let m = plan.start + t as i64;
        let (y, mo) = (m.div_euclid(12), m.rem_euclid(12));
        let (label, size) = match by {
            Window::Month => (format!("{y:04}-{:02}", mo + 1), 1),
            Window::Quarter => (format!("{y:04}-Q{}", mo / 3 + 1), 3),
            Window::Year => (format!("{y:04}"), 12),
        };
        match out.last_mut() {
            Some(w) if w.0 == label => w.1.end = t + 1,
            _ => out.push((label, t..t + 1, false)),
        }
        let _ = size;
    }
    // A window is partial when the horizon or the close cuts it.
    for w in &mut out {
        let first = plan.start + w.1.start as i64;
        let last = plan.start + w.1.end as i64 - 1;
        let (a, b) = match by {
            Window::Month => (first, last),
            Window::Quarter => (first - first.rem_euclid(3), first - first.rem_euclid(3) + 2),
            Window::Year => (
                first - first.rem_euclid(12),
                first - first.rem_euclid(12) + 11,
            ),
        };
        w.2 = first != a || last != b;
    }
    out
}

/// Everything `variance` needs.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    /// The resolved plan both results were computed from.
    pub plan: &'a Plan,
    /// The plan's results.
    pub results: &'a Results,
    /// The forecast's results.
    pub forecast: &'a Results,
    /// The actuals read from the plan's sources, and the last closed period.
    pub actuals: &'a Actuals,
}

/// Builds the variance report of scenario `s`.
pub fn build(inp: Inputs<'_>, s: ScenarioId, by: Window) -> Option<VarianceReport> {
    let plan = inp.plan;
    let p = inp.results.get(s)?;
    let f = inp.forecast.get(s)?;
    let closed = inp.actuals.closed().min(plan.len);
    let wins = windows(plan, closed, by);
    let mut items = Vec::new();
    for (i, it) in plan.items.iter().enumerate() {
        if !inp.actuals.has(i) {
            continue;
        }
        let lower = better_lower(plan, i);
        let periods = wins
            .iter()
            .filter_map(|(label, r, partial)| {
                let pv = window_value(plan, &p.values, i, r.clone())?;
                let av = window_value(plan, &f.values, i, r.clone())?;
                Some(period_variance(label.clone(), *partial, pv, av, lower))
            })
            .collect();
        let full_plan = window_value(plan, &p.values, i, 0..plan.len).unwrap_or_default();
        let outlook = window_value(plan, &f.values, i, 0..plan.len).unwrap_or_default();
        items.push(ItemVariance {
            name: it.name.clone(),
            unit: it.unit.clone(),
            favourable: if lower { "lower" } else { "higher" },
            periods,
            full_plan,
            outlook,
            outlook_variance: outlook.checked_sub(full_plan).unwrap_or_default(),
        });
    }
    let base = |r: &'_ Results| {
        (s != plan.base)
            .then(|| r.get(plan.base).map(|b| b.values.clone()))
            .flatten()
    };
    let (pb, fb) = (base(inp.results), base(inp.forecast));
    let targets = targets(plan, p, f, pb.as_deref(), fb.as_deref());
    Some(VarianceReport {
        plan: plan.name.clone(),
        scenario: plan
            .scenarios
            .get(s)
            .map(|x| x.name.clone())
            .unwrap_or_default(),
        actuals_through: inp
            .actuals
            .through
            .filter(|t| *t >= 0)
            .map(|t| plan.period_label(t)),
        items,
        targets,
        assumptions: tracks(plan, p, inp.actuals, closed),
        maintains: maintains(plan, f, closed, fb.as_deref()),
        triggers: fired(plan, p, f, closed),
        budgets: budget_variance(inp, s, closed),
    })
}

fn period_variance(
    label: String,
    partial: bool,
    plan: Decimal,
    actual: Decimal,
    lower: bool,
) -> PeriodVariance {
    let variance = actual.checked_sub(plan).unwrap_or_default();
    let variance_pct = if plan.is_zero() {
        None
    } else {
        variance
            .checked_mul(Decimal::ONE_HUNDRED)
            .and_then(|v| v.checked_div(plan.abs()))
    };
    let favourable = if lower {
        variance <= Decimal::ZERO
    } else {
        variance >= Decimal::ZERO
    };
    PeriodVariance {
        period: label,
        partial,
        plan,
        actual,
        variance,
        variance_pct,
        favourable,
    }
}

fn targets(
    plan: &Plan,
    p: &ScenarioResult,
    f: &ScenarioResult,
    pb: Option<&[Vec<Decimal>]>,
    fb: Option<&[Vec<Decimal>]>,
) -> Vec<TargetVariance> {
    let (Ok(po), Ok(fo)) = (
        objectives::outcomes(plan, p, pb),
        objectives::outcomes(plan, f, fb),
    ) else {
        return Vec::new();
    };
    po.iter()
        .zip(fo.iter())
        .map(|(a, b)| TargetVariance {
            objective: plan
                .objectives
                .get(a.objective)
                .map(|o| o.name.clone())
                .unwrap_or_default(),
            target: a.text.clone(),
            unit: a.unit.clone(),
            projected: a.projected,
            outlook: b.projected,
            threshold: a.threshold,
            gap: a.gap,
            outlook_gap: b.gap,
            met: a.met,
            outlook_met: b.met,
        })
        .collect()
}

/// Bets and indicators: assumed (base plan) against actual in every closed period.
fn tracks(
    plan: &Plan,
    p: &ScenarioResult,
    actuals: &Actuals,
    closed: usize,
) -> Vec<AssumptionTrack> {
    let at = |i: usize, t: usize| p.values.get(i).and_then(|v| v.get(t)).copied();
    let mut out = Vec::new();
    for a in &plan.assumptions {
        let mut watched: Vec<(&'static str, usize, bool, Decimal)> = Vec::new();
        for c in &a.changes {
            let by = usize::try_from(c.by)
                .unwrap_or(0)
                .min(plan.len.saturating_sub(1));
            if let (Some(from), Some(to)) = (at(c.item, 0), at(c.item, by)) {
                watched.push(("bet", c.item, to >= from, (to - from).abs() / Decimal::TEN));
            }
        }
        for &i in &a.indicators {
            let higher = !better_lower(plan, i);
            let last = closed.saturating_sub(1);
            let tol = at(i, last)
                .map(|v| v.abs() / Decimal::TEN)
                .unwrap_or_default();
            watched.push(("indicator", i, higher, tol));
        }
        for (kind, item, higher, default_tol) in watched {
            let tol = a.tolerance.unwrap_or(default_tol);
            let periods: Vec<TrackPoint> = (0..closed)
                .filter_map(|t| {
                    let actual = actuals.get(item, t)?;
                    let assumed = at(item, t)?;
                    let ahead = if higher {
                        actual - assumed
                    } else {
                        assumed - actual
                    };
                    let status = if ahead.abs() <= tol {
                        "on track"
                    } else if ahead > Decimal::ZERO {
                        "ahead"
                    } else {
                        "behind"
                    };
                    Some(TrackPoint {
                        period: plan.period_label(t as i64),
                        assumed,
                        actual,
                        status,
                    })
                })
                .collect();
            let Some(it) = plan.items.get(item) else {
                continue;
            };
            out.push(AssumptionTrack {
                assumption: a.name.clone(),
                kind,
                item: it.name.clone(),
                unit: it.unit.clone(),
                tolerance: tol,
                periods,
            });
        }
    }
    out
}

fn maintains(
    plan: &Plan,
    f: &ScenarioResult,
    closed: usize,
    fb: Option<&[Vec<Decimal>]>,
) -> Vec<MaintainTrack> {
    let mut out = Vec::new();
    for a in &plan.assumptions {
        let tol = a.tolerance.unwrap_or_default();
        for (e, text) in &a.maintains {
            let ExprKind::Binary(op, l, r) = &e.kind else {
                continue;
            };
            let (Ok(lv), Ok(rv)) = (eval_expr(plan, f, fb, l), eval_expr(plan, f, fb, r)) else {
                continue;
            };
            let holds = |x: Decimal, y: Decimal| match op {
                BinOp::Le => x <= y + tol,
                BinOp::Lt => x < y + tol,
                BinOp::Ge => x >= y - tol,
                BinOp::Gt => x > y - tol,
                BinOp::Eq if !tol.is_zero() => (x - y).abs() <= tol,
                _ => objectives::compare(*op, x, y),
            };
            let broken = (0..closed).find(|t| !holds(lv.at(*t), rv.at(*t)));
            out.push(MaintainTrack {
                assumption: a.name.clone(),
                condition: text.clone(),
                held: broken.is_none(),
                broken_in: broken.map(|t| plan.period_label(t as i64)),
                left: broken.map(|t| lv.at(t)),
                right: broken.map(|t| rv.at(t)),
                unit: objectives::sides_unit(plan, l, r),
            });
        }
    }
    out
}

fn fired(plan: &Plan, p: &ScenarioResult, f: &ScenarioResult, closed: usize) -> Vec<TriggerFired> {
    let mut out = Vec::new();
    for (t, at) in &f.fired {
        let Some(at) = at.filter(|a| (*a as usize) < closed) else {
            continue;
        };
        let Some(trig) = plan.triggers.get(*t) else {
            continue;
        };
        let in_plan = p
            .fired
            .iter()
            .find(|(x, _)| x == t)
            .and_then(|(_, a)| *a)
            .map(|a| plan.period_label(a));
        let actions: Vec<String> = super::checks::playbook(plan, trig, at)
            .into_iter()
            .map(|(verb, name, from)| format!("{verb} {name} from {from}"))
            .collect();
        out.push(TriggerFired {
            trigger: trig.name.clone(),
            fired: plan.period_label(at),
            fired_in_plan: in_plan,
            actions,
        });
    }
    out
}

// ------------------------------------------------------------------ explain

/// Why an item's variance exists over a window: one contribution per driver
/// (or metric with its own actual) it reads, in declaration order.
#[derive(Debug, Clone, Serialize)]
pub struct Attribution {
    /// The item explained.
    pub(crate) item: String,
    /// Its unit.
    #[serde(serialize_with = "ser_unit")]
    pub(crate) unit: Unit,
    /// The period or window.
    pub(crate) window: String,
    /// Plan value over the window.
    #[serde(serialize_with = "ser_dec")]
    pub plan: Decimal,
    /// Actual value over the window.
    #[serde(serialize_with = "ser_dec")]
    pub actual: Decimal,
    /// actual − plan = Σ contributions + unexplained, exactly.
    #[serde(serialize_with = "ser_dec")]
    pub variance: Decimal,
    /// Each input's share.
    pub contributions: Vec<Contribution>,
    /// What the inputs do not explain (the item's own actual against its formula
    /// applied to the actual inputs).
    #[serde(serialize_with = "ser_dec")]
    pub unexplained: Decimal,
    /// What exact 28-digit arithmetic rounds away when per-period values are
    /// summed over a window (usually 0; at most a few units of the 28th digit):
    /// contributions + unexplained + rounding = variance, exactly.
    #[serde(serialize_with = "ser_dec")]
    pub rounding: Decimal,
    /// The window's total is within 1% of plan while some of its periods are not.
    pub timing: bool,
    /// The model's own value (what it would have said) over the window: the plan
    /// with every input at its actual, the item itself not pinned.
    #[serde(serialize_with = "ser_dec")]
    pub(crate) model: Decimal,
}

/// One input's share of a variance.
#[derive(Debug, Clone, Serialize)]
pub struct Contribution {
    /// The input (a driver, or a metric with its own actual).
    pub name: String,
    /// `assumption` (the subject of a bet) or `execution`.
    pub kind: &'static str,
    /// Its unit.
    #[serde(serialize_with = "ser_unit")]
    pub(crate) unit: Unit,
    /// Its plan value over the window.
    #[serde(serialize_with = "ser_dec")]
    pub plan: Decimal,
    /// Its actual value over the window.
    #[serde(serialize_with = "ser_dec")]
    pub actual: Decimal,
    /// The change of the explained item when it moves from plan to actual.
    #[serde(serialize_with = "ser_dec")]
    pub contribution: Decimal,
}

/// Splits `item`'s variance in scenario `s` over the closed periods of
/// `window` into its inputs (ACTUALS.md §4, "Why the gap exists"). Each period:
/// the inputs move from plan to actual one at a time in declaration order, and
/// each step's change of the item is that input's contribution; over a window
/// the contributions are summed. Err is a sentence for the user.
pub fn explain(
    inp: Inputs<'_>,
    s: ScenarioId,
    item: ItemId,
    window: Range<usize>,
    label: String,
) -> Result<Attribution, String> {
    let plan = inp.plan;
    let p = inp.results.get(s).ok_or("no such scenario")?;
    let f = inp.forecast.get(s).ok_or("no such scenario")?;
    let it = plan.items.get(item).ok_or("no such item")?;
    let closed = inp.actuals.closed().min(plan.len);
    let periods: Vec<usize> = window.clone().filter(|t| *t < closed).collect();
    if periods.is_empty() {
        return Err(format!(
            "{label} is not closed (the books are closed through {}); nothing to explain yet",
            inp.actuals
                .through
                .filter(|t| *t >= 0)
                .map(|t| plan.period_label(t))
                .unwrap_or_else(|| "no period".into())
        ));
    }
    let range = periods.first().copied().unwrap_or(0)..periods.last().map_or(0, |l| l + 1);
    // A stock over a window is its last period: that period is the split.
    let periods = if it.aggregation == Aggregation::Stock {
        periods.last().map(|l| vec![*l]).unwrap_or_default()
    } else {
        periods
    };
    let bets: Vec<ItemId> = plan
        .assumptions
        .iter()
        .flat_map(|a| a.changes.iter().map(|c| c.item))
        .collect();
    let mut contribs: Vec<Contribution> = Vec::new();
    let mut model_per: Vec<Decimal> = Vec::new();
    let mut unexplained_per: Vec<Decimal> = Vec::new();
    let mut var_per: Vec<(Decimal, Decimal)> = Vec::new();
    for &t in &periods {
        let (model_value, pv, av) = walk_period(inp, (s, item, t), (p, f), &bets, &mut contribs)?;
        model_per.push(model_value);
        unexplained_per.push(av.checked_sub(model_value).ok_or("overflow")?);
        var_per.push((pv, av));
    }
    for c in &mut contribs {
        if let Some(i) = plan.item(&c.name) {
            c.plan = window_value(plan, &p.values, i, range.clone()).unwrap_or_default();
            c.actual = window_value(plan, &f.values, i, range.clone()).unwrap_or_default();
        }
    }
    let pv = window_value(plan, &p.values, item, range.clone()).unwrap_or_default();
    let av = window_value(plan, &f.values, item, range.clone()).unwrap_or_default();
    let variance = av.checked_sub(pv).ok_or("the variance overflows")?;
    let agg = if periods.len() > 1 {
        it.aggregation
    } else {
        Aggregation::Flow
    };
    // Per-period contributions combine like the item's values: summed for a flow,
    // the last period's for a stock, averaged otherwise; what that leaves over is
    // shown as unexplained, so the parts always add up to the variance.
    if agg != Aggregation::Flow {
        rescale(&mut contribs, agg, periods.len());
    }
    let explained = contribs
        .iter()
        .try_fold(Decimal::ZERO, |a, c| a.checked_add(c.contribution))
        .ok_or("the contributions overflow")?;
    let unexplained = match agg {
        Aggregation::Average => unexplained_per
            .iter()
            .try_fold(Decimal::ZERO, |a, u| a.checked_add(*u))
            .and_then(|s| s.checked_div(Decimal::from(unexplained_per.len().max(1)))),
        _ => unexplained_per
            .iter()
            .try_fold(Decimal::ZERO, |a, u| a.checked_add(*u)),
    }
    .ok_or("overflow")?;
    let rounding = variance
        .checked_sub(explained)
        .and_then(|v| v.checked_sub(unexplained))
        .ok_or("overflow")?;
    let one_pct = |v: Decimal, base: Decimal| v.abs() * Decimal::ONE_HUNDRED <= base.abs();
    let timing = periods.len() > 1
        && one_pct(variance, pv)
        && var_per.iter().any(|(pl, ac)| !one_pct(*ac - *pl, *pl));
    let model = eval::rollup(&model_per, agg).unwrap_or_default();
    Ok(Attribution {
        item: it.name.clone(),
        unit: it.unit.clone(),
        window: label,
        plan: pv,
        actual: av,
        variance,
        contributions: contribs,
        unexplained,
        rounding,
        timing,
        model,
    })
}

/// One closed period `t`: pins the item's leaves to their actuals one by one; each
/// leaf's contribution is how far pinning it moves the item (added to `contribs`).
/// Returns the item's value with every leaf pinned, then its plan and actual values.
fn walk_period(
    inp: Inputs<'_>,
    (s, item, t): (ScenarioId, ItemId, usize),
    (p, f): (&ScenarioResult, &ScenarioResult),
    bets: &[ItemId],
    contribs: &mut Vec<Contribution>,
) -> Result<(Decimal, Decimal, Decimal), String> {
    let plan = inp.plan;
    let leaves = leaves(plan, inp.actuals, item, t);
    let mut pins = Pinned {
        values: vec![Vec::new(); plan.items.len()],
    };
    let value_now = |pins: &Pinned| -> Result<Decimal, String> {
        let r = eval::evaluate_pinned(
            plan,
            &EvalOptions {
                scenarios: Some(vec![s]),
            },
            pins.clone(),
        )
        .map_err(|e| e.message)?;
        Ok(r.get(s)
            .and_then(|x| x.values.get(item))
            .and_then(|v| v.get(t))
            .copied()
            .unwrap_or_default())
    };
    let mut prev = p
        .values
        .get(item)
        .and_then(|v| v.get(t))
        .copied()
        .unwrap_or_default();
    for leaf in leaves {
        let actual = f
            .values
            .get(leaf)
            .and_then(|v| v.get(t))
            .copied()
            .unwrap_or_default();
        if let Some(v) = pins.values.get_mut(leaf) {
            *v = vec![None; plan.len];
            if let Some(x) = v.get_mut(t) {
                *x = Some(actual);
            }
        }
        let now = value_now(&pins)?;
        let step = now.checked_sub(prev).ok_or("the contribution overflows")?;
        prev = now;
        let name = plan
            .items
            .get(leaf)
            .map(|x| x.name.clone())
            .unwrap_or_default();
        match contribs.iter_mut().find(|c| c.name == name) {
            Some(c) => c.contribution = c.contribution.checked_add(step).ok_or("overflow")?,
            None => contribs.push(Contribution {
                name,
                kind: if bets.contains(&leaf) {
                    "assumption"
                } else {
                    "execution"
                },
                unit: plan
                    .items
                    .get(leaf)
                    .map(|x| x.unit.clone())
                    .unwrap_or_default(),
                plan: Decimal::ZERO,
                actual: Decimal::ZERO,
                contribution: step,
            }),
        }
    }
    let pv = p
        .values
        .get(item)
        .and_then(|v| v.get(t))
        .copied()
        .unwrap_or_default();
    let av = f
        .values
        .get(item)
        .and_then(|v| v.get(t))
        .copied()
        .unwrap_or_default();
    Ok((prev, pv, av))
}

/// Over a window of a stock or average item: contributions of the last period
/// (stock) or their mean (average). Only the rounding of a mean can be lost; the
/// caller puts any remainder in `unexplained`.
fn rescale(contribs: &mut [Contribution], agg: Aggregation, n: usize) {
    if agg == Aggregation::Average && n > 0 {
        for c in contribs.iter_mut() {
            c.contribution = c
                .contribution
                .checked_div(Decimal::from(n))
                .unwrap_or_default();
        }
    }
}

/// The inputs of `item` in period `t`, in declaration order: the drivers it
/// reads through its metrics, a metric with its own actual standing for its
/// inputs. An item that is itself a driver is its own input.
fn leaves(plan: &Plan, actuals: &Actuals, item: ItemId, t: usize) -> Vec<ItemId> {
    let mut seen = vec![false; plan.items.len()];
    let mut out = Vec::new();
    let mut stack = vec![item];
    let mut first = true;
    while let Some(i) = stack.pop() {
        let Some(it) = plan.items.get(i) else {
            continue;
        };
        if seen.get(i).copied().unwrap_or(true) {
            continue;
        }
        if let Some(s) = seen.get_mut(i) {
            *s = true;
        }
        let leaf = it.kind == ItemKind::Driver || (!first && actuals.get(i, t).is_some());
        first = false;
        if leaf {
            out.push(i);
            continue;
        }
        let mut reads = Vec::new();
        it.expr.walk(&mut |x| {
            if let ExprKind::Item(j) | ExprKind::Prior(j) = x.kind {
                if j != i {
                    reads.push(j);
                }
            }
        });
        stack.extend(reads);
    }
    out.sort_unstable();
    out.dedup();
    out
}
