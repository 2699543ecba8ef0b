//! Gathers the optional inputs of the report and the workbook ([`Extras`]) from
//! a compilation: actuals and the rolling forecast (ACTUALS.md), the
//! simulation and tornadoes of ranged drivers (UNCERTAINTY.md), budgets and
//! dimension members (DIMENSIONS.md). Every figure comes from those modules'
//! own functions; nothing here recomputes what they compute.

use super::site::{
    BudgetLine, Extras, ItemActuals, ItemBand, MemberRows, TargetExtra, TornadoData, WaterfallData,
};
use super::svg::TornadoBar;
use crate::actuals::variance::{self, Inputs};
use crate::actuals::Actuals;
use crate::calendar::By;
use crate::eval::{window_value, Results};
use crate::ir::{ExprKind, ItemId, Plan};
use crate::outcome::targets::{all_outcomes, TargetOutcome};
use crate::outcome::Outcomes;
use crate::syntax::ast::BinOp;
use crate::uncertainty::sensitivity::{self, Output};
use crate::uncertainty::simulate::{simulate, SimOptions, Simulation};
use crate::uncertainty::Model;
use rust_decimal::Decimal;
use std::ops::Range;

/// How to simulate ranged drivers.
#[derive(Debug, Clone, Copy)]
pub struct SimSettings {
    /// Runs per scenario.
    pub samples: usize,
    /// Seed of the random streams.
    pub seed: u64,
}

impl Default for SimSettings {
    fn default() -> Self {
        SimSettings {
            samples: crate::uncertainty::simulate::DEFAULT_SAMPLES,
            seed: 0,
        }
    }
}

/// Everything [`gather`] reads.
#[derive(Debug, Clone, Copy)]
pub struct Sources<'a> {
    /// The resolved plan the extras are gathered for.
    pub plan: &'a Plan,
    /// Its evaluated scenarios (the plan as written).
    pub results: &'a Results,
    /// Their outcomes (`Compilation::outcomes`).
    pub outcomes: &'a Outcomes,
    /// The actuals, when the plan has any.
    pub actuals: Option<&'a Actuals>,
    /// The rolling forecast, when the plan has actuals.
    pub forecast: Option<&'a Results>,
    /// The simulation's settings.
    pub sim: SimSettings,
}

/// Fills every [`Extras`] field the plan has data for. Err is a sentence for
/// the user (a simulation or a tornado that failed to evaluate).
pub fn gather(src: &Sources<'_>) -> Result<Extras, String> {
    let plan = src.plan;
    let mut x = Extras::default();
    let with_actuals = match (src.actuals, src.forecast) {
        (Some(a), Some(f)) if a.any() || a.through.is_some() => Some((a, f)),
        _ => None,
    };
    let closed = with_actuals.map_or(0, |(a, _)| a.closed().min(plan.len));
    let mut targets: Vec<TargetExtra> = Vec::new();
    if let Some((actuals, forecast)) = with_actuals {
        if closed > 0 {
            x.as_of = Some(closed - 1);
        }
        let outlooks = all_outcomes(plan, forecast).map_err(|e| e.message)?;
        for (s, outs) in &outlooks {
            let Some(f) = forecast.get(*s) else { continue };
            for o in outs {
                targets.push(TargetExtra {
                    scenario: *s,
                    objective: o.objective,
                    target: o.target,
                    actual_to_date: actual_to_date(plan, &f.values, o, closed),
                    outlook: o.projected,
                    outlook_met: Some(o.met),
                    band: None,
                    probability: None,
                });
            }
        }
        let inp = Inputs {
            plan,
            results: src.results,
            forecast,
            actuals,
        };
        x.waterfalls = Some(waterfalls(inp, closed));
        x.trigger_sources = Some(trigger_sources(src.results, forecast, closed));
        x.actuals = Some(item_actuals(plan, src.results, actuals));
    }
    if Model::plan_has_ranges(plan) {
        let model = Model::new(plan).map_err(|d| {
            d.first()
                .map(|d| d.message.clone())
                .unwrap_or_else(|| "the ranges cannot be simulated".into())
        })?;
        let sim = run_simulation(plan, &model, src.sim)?;
        x.bands = Some(bands(&sim));
        for sc in &sim.scenarios {
            for t in &sc.targets {
                let slot = match targets.iter_mut().find(|e| {
                    e.scenario == sc.scenario && e.objective == t.objective && e.target == t.target
                }) {
                    Some(e) => e,
                    None => {
                        targets.push(TargetExtra {
                            scenario: sc.scenario,
                            objective: t.objective,
                            target: t.target,
                            ..TargetExtra::default()
                        });
                        let last = targets.len() - 1;
                        match targets.get_mut(last) {
                            Some(e) => e,
                            None => continue,
                        }
                    }
                };
                slot.probability = Some(t.probability);
                slot.band = t.projected.map(|p| (p.p10, p.p90));
            }
        }
        x.tornadoes = Some(tornadoes(plan, &model)?);
    }
    if !targets.is_empty() {
        x.targets = Some(targets);
    }
    if !plan.budgets.is_empty() {
        x.budgets = Some(budget_lines(
            plan,
            src.outcomes,
            with_actuals.map(|(_, f)| f),
            closed,
        )?);
    }
    if !plan.dim_items.is_empty() {
        x.members = Some(members(plan, src.results));
    }
    Ok(x)
}

/// The item a target bounds and the window it reads: `x`, `agg(x)`,
/// `agg(x, WINDOW)` or `x@P` on the left of a comparison.
fn subject(plan: &Plan, o: &TargetOutcome) -> Option<(ItemId, Range<usize>)> {
    let t = plan.objectives.get(o.objective)?.targets.get(o.target)?;
    let ExprKind::Binary(op, l, _) = &t.expr.kind else {
        return None;
    };
    if !matches!(op, BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge) {
        return None;
    }
    let all = 0..plan.len;
    let clamp = |a: i64, b: i64| -> Range<usize> {
        let lo = a.clamp(0, plan.len as i64) as usize;
        let hi = (b + 1).clamp(0, plan.len as i64) as usize;
        lo..hi.max(lo)
    };
    match &l.kind {
        ExprKind::Item(i) => Some((*i, all)),
        ExprKind::At(a, lo, hi) => match a.kind {
            ExprKind::Item(i) => Some((i, clamp(*lo, *hi))),
            _ => None,
        },
        ExprKind::Call(_, args) => {
            let (first, rest) = args.split_first()?;
            let ExprKind::Item(i) = first.kind else {
                return None;
            };
            match rest {
                [] => Some((i, all)),
                [w] => match w.kind {
                    ExprKind::Window(a, b) => Some((i, clamp(a, b))),
                    ExprKind::Period(p, _) => Some((i, clamp(p, p))),
                    _ => None,
                },
                _ => None,
            }
        }
        _ => None,
    }
}

/// The target's item over the closed periods of its window, from the forecast
/// (which holds the actuals there).
fn actual_to_date(
    plan: &Plan,
    forecast: &[Vec<Decimal>],
    o: &TargetOutcome,
    closed: usize,
) -> Option<Decimal> {
    let (item, w) = subject(plan, o)?;
    let end = w.end.min(closed);
    if w.start >= end {
        return None;
    }
    window_value(plan, forecast, item, w.start..end)
}

/// Plan to outlook of each top objective's target items, in the base scenario:
/// the plan over the horizon, each input's share of the variance to date
/// (ACTUALS.md §4, [`variance::explain`]), what the inputs do not explain, the
/// forecast's change of the open periods, and the outlook.
fn waterfalls(inp: Inputs<'_>, closed: usize) -> Vec<WaterfallData> {
    let plan = inp.plan;
    let s = plan.base;
    let (Some(p), Some(f)) = (inp.results.get(s), inp.forecast.get(s)) else {
        return Vec::new();
    };
    let mut seen: Vec<ItemId> = Vec::new();
    let mut out = Vec::new();
    for (oi, o) in plan.objectives.iter().enumerate() {
        if !o.supports.is_empty() {
            continue;
        }
        for ti in 0..o.targets.len() {
            let Some((item, _)) = subject(plan, &probe(oi, ti)) else {
                continue;
            };
            if seen.contains(&item) || !inp.actuals.has(item) {
                continue;
            }
            seen.push(item);
            let Some(it) = plan.items.get(item) else {
                continue;
            };
            let all = 0..plan.len;
            let (Some(full), Some(outlook)) = (
                window_value(plan, &p.values, item, all.clone()),
                window_value(plan, &f.values, item, all.clone()),
            ) else {
                continue;
            };
            let Ok(a) = variance::explain(inp, s, item, 0..closed, "to date".into()) else {
                continue;
            };
            let mut steps: Vec<(String, Decimal)> = a
                .contributions
                .iter()
                .map(|c| (c.name.clone(), c.contribution))
                .collect();
            if !a.unexplained.is_zero() {
                steps.push(("unexplained".into(), a.unexplained));
            }
            if !a.rounding.is_zero() {
                steps.push(("rounding".into(), a.rounding));
            }
            steps.push(("forecast".into(), outlook - full - a.variance));
            out.push(WaterfallData {
                objective: oi,
                title: format!("{}: plan to outlook", it.name),
                unit: it.unit.clone(),
                start: ("plan".into(), full),
                steps,
                end_label: "outlook".into(),
            });
        }
    }
    out
}

/// `actuals` for a trigger the forecast fires in a closed period, `plan`
/// otherwise.
fn trigger_sources(
    results: &Results,
    forecast: &Results,
    closed: usize,
) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    for r in &results.scenarios {
        let f = forecast.get(r.scenario);
        for (trigger, _) in &r.fired {
            let at = f
                .and_then(|f| f.fired.iter().find(|(t, _)| t == trigger))
                .and_then(|(_, p)| *p);
            let source = match at {
                Some(p) if p >= 0 && (p as usize) < closed => "actuals",
                _ => "plan",
            };
            out.push((r.scenario, *trigger, source.to_string()));
        }
    }
    out
}

/// Each item with actuals, per scenario.
fn item_actuals(plan: &Plan, results: &Results, actuals: &Actuals) -> Vec<ItemActuals> {
    let mut out = Vec::new();
    for r in &results.scenarios {
        for i in 0..plan.items.len() {
            if !actuals.has(i) {
                continue;
            }
            out.push(ItemActuals {
                scenario: r.scenario,
                item: i,
                values: (0..plan.len).map(|t| actuals.get(i, t)).collect(),
                favourable_lower: variance::better_lower(plan, i),
            });
        }
    }
    out
}

fn run_simulation(plan: &Plan, model: &Model, sim: SimSettings) -> Result<Simulation, String> {
    let opts = SimOptions {
        samples: sim
            .samples
            .clamp(1, crate::uncertainty::simulate::MAX_SAMPLES),
        seed: sim.seed,
        threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
        scenarios: (0..plan.scenarios.len()).collect(),
        by: By::Month,
        per_window: true,
        progress: None,
    };
    simulate(plan, model, &opts).map_err(|e| {
        format!(
            "the simulation failed in run {}: {}",
            e.run + 1,
            e.error.message
        )
    })
}

/// P10–P90 per month of every simulated item.
fn bands(sim: &Simulation) -> Vec<ItemBand> {
    let mut out = Vec::new();
    for sc in &sim.scenarios {
        for it in &sc.items {
            if it.windows.is_empty() || it.windows.iter().any(Option::is_none) {
                continue;
            }
            let stats: Vec<_> = it.windows.iter().flatten().collect();
            let (low, high) = stats.iter().map(|s| (s.p10, s.p90)).unzip();
            out.push(ItemBand {
                scenario: sc.scenario,
                item: it.item,
                low,
                high,
            });
        }
    }
    out
}

/// A tornado per target of each top objective (base scenario, whole horizon).
fn tornadoes(plan: &Plan, model: &Model) -> Result<Vec<TornadoData>, String> {
    let mut out = Vec::new();
    for (oi, o) in plan.objectives.iter().enumerate() {
        if !o.supports.is_empty() {
            continue;
        }
        for (ti, t) in o.targets.iter().enumerate() {
            let tor =
                sensitivity::tornado(plan, model, plan.base, Output::Target(oi, ti), 0..plan.len)
                    .map_err(|e| e.message)?;
            if tor.bars.is_empty() {
                continue;
            }
            let unit = target_unit(plan, oi, ti);
            out.push(TornadoData {
                objective: oi,
                title: format!("{}: {}", o.name, t.text),
                unit,
                base: tor.planned,
                bars: tor
                    .bars
                    .iter()
                    .map(|b| TornadoBar {
                        name: plan
                            .items
                            .get(b.driver)
                            .map(|i| i.name.clone())
                            .unwrap_or_default(),
                        low: b.at_low,
                        high: b.at_high,
                    })
                    .collect(),
            });
        }
    }
    Ok(out)
}

/// A target's position, for [`subject`].
fn probe(objective: usize, target: usize) -> TargetOutcome {
    TargetOutcome {
        objective,
        target,
        text: String::new(),
        projected: None,
        threshold: None,
        gap: None,
        met: false,
        period: None,
        unit: Default::default(),
    }
}

/// The unit of a target's compared values: its subject item's, else none.
fn target_unit(plan: &Plan, oi: usize, ti: usize) -> crate::units::Unit {
    subject(plan, &probe(oi, ti))
        .and_then(|(i, _)| plan.items.get(i))
        .map(|i| i.unit.clone())
        .unwrap_or_default()
}

/// One line per budget and department in the base scenario over the whole
/// horizon (the last window of its [`crate::outcome::budgets`] outcomes), with
/// the department's spend to date from the forecast when actuals exist.
fn budget_lines(
    plan: &Plan,
    outcomes: &Outcomes,
    forecast: Option<&Results>,
    closed: usize,
) -> Result<Vec<BudgetLine>, String> {
    let Some(base) = outcomes.get(plan.base) else {
        return Ok(Vec::new());
    };
    let outs = base.budgets.as_ref().map_err(|e| e.message.clone())?;
    let f = forecast.and_then(|f| f.get(plan.base));
    let mut out = Vec::new();
    for b in outs {
        let mut deps: Vec<&str> = Vec::new();
        for row in b.rows.iter().rev() {
            if deps.contains(&row.department.as_str()) {
                continue;
            }
            deps.push(&row.department);
            let Some(dep) = plan
                .departments
                .iter()
                .position(|d| d.name == row.department)
            else {
                continue;
            };
            let actual = f
                .filter(|_| closed > 0)
                .and_then(|f| spent_to_date(plan, b.budget, dep, &f.values, closed));
            out.push(BudgetLine {
                department: dep,
                unit: b.unit.clone(),
                allowance: row.allowance,
                planned: row.spend,
                actual,
                remaining: row.headroom,
            });
        }
    }
    out.sort_by_key(|l| l.department);
    Ok(out)
}

/// A department's spend in budget `b` over the closed periods: its members of
/// the spend item, each rolled up over them.
fn spent_to_date(
    plan: &Plan,
    b: usize,
    dep: usize,
    values: &[Vec<Decimal>],
    closed: usize,
) -> Option<Decimal> {
    let g = plan
        .budgets
        .get(b)?
        .spend
        .and_then(|g| plan.dim_items.get(g))?;
    let pos = g.dims.iter().position(|d| *d == 0)?;
    let name = &plan.departments.get(dep)?.name;
    let m = plan
        .dimensions
        .first()?
        .members
        .iter()
        .position(|x| &x.0 == name)?;
    let mut sum = Decimal::ZERO;
    for (tuple, id) in &g.members {
        if tuple.get(pos) != Some(&m) {
            continue;
        }
        sum += window_value(plan, values, *id, 0..closed)?;
    }
    Some(sum)
}

/// The members of each dimensioned item's total, per scenario.
fn members(plan: &Plan, results: &Results) -> Vec<MemberRows> {
    let mut out = Vec::new();
    for r in &results.scenarios {
        for g in &plan.dim_items {
            let Some(total) = g.total else { continue };
            let members = g
                .members
                .iter()
                .map(|(tuple, id)| {
                    (
                        plan.member_label(&g.dims, tuple),
                        r.values.get(*id).cloned().unwrap_or_default(),
                    )
                })
                .collect();
            out.push(MemberRows {
                scenario: r.scenario,
                item: total,
                members,
            });
        }
    }
    out
}
