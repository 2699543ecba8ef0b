//! `plumb simulate`: the plan run N times per scenario with every ranged driver
//! drawn, triggers included; per scenario the odds of each target, percentiles of
//! each item per window and over the horizon, and each trigger's odds of firing.
//!
//! Runs are split across threads by index (contiguous blocks, merged in index
//! order), and each run's draws depend only on the seed and its index (see the
//! module docs of [`crate::uncertainty`]), so the output is the same for any
//! number of threads. Percentiles use the nearest rank: the P-th percentile of N
//! values is the ⌈P·N/100⌉-th smallest.

use super::{window_value, Model};
use crate::calendar::By;
use crate::eval::{self, evaluate_drawn, EvalError, Prepared};
use crate::ir::{Builtin, ExprKind, ItemId, Plan, ScenarioId, TriggerId};
use crate::outcome::targets::outcomes;
use crate::units::Unit;
use rust_decimal::Decimal;
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Default number of runs.
pub const DEFAULT_SAMPLES: usize = 10_000;
/// Most runs one simulation accepts.
pub const MAX_SAMPLES: usize = 10_000_000;

/// How to simulate.
#[derive(Debug, Clone)]
pub struct SimOptions<'a> {
    /// Runs per scenario.
    pub samples: usize,
    /// Seed of the random streams.
    pub seed: u64,
    /// Threads to split the runs over (at least 1).
    pub threads: usize,
    /// Scenarios to report, in plan order.
    pub scenarios: Vec<ScenarioId>,
    /// Windows for per-window percentiles.
    pub by: By,
    /// Compute per-window percentiles (JSON, CSV) besides the horizon's.
    pub per_window: bool,
    /// Incremented once per finished run (for a progress bar).
    pub progress: Option<&'a AtomicUsize>,
}

/// P10, P50, P90 and the mean of a sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stats {
    /// 10th percentile (nearest rank).
    pub p10: Decimal,
    /// Median (nearest rank).
    pub p50: Decimal,
    /// 90th percentile (nearest rank).
    pub p90: Decimal,
    /// The mean over every run.
    pub mean: Decimal,
}

/// A target's simulated outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetSim {
    /// Objective index.
    pub objective: usize,
    /// Target index within it.
    pub(crate) target: usize,
    /// The condition as written.
    pub text: String,
    /// Unit of the compared values.
    pub(crate) unit: Unit,
    /// Fraction of runs in which it was met.
    pub probability: Decimal,
    /// Its projected value over the runs (None when not a comparison).
    pub(crate) projected: Option<Stats>,
    /// Its gap over the runs.
    pub(crate) gap: Option<Stats>,
    /// Met in the plan as written (no draws).
    pub(crate) planned_met: bool,
}

/// A trigger's simulated firing.
#[derive(Debug, Clone, PartialEq)]
pub struct TriggerSim {
    /// Which trigger these odds are of.
    pub(crate) trigger: TriggerId,
    /// Fraction of runs in which it fired.
    pub probability: Decimal,
    /// Median firing period over the runs in which it fired.
    pub median: Option<i64>,
}

/// An item's simulated values.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemSim {
    /// Which item these statistics are of.
    pub(crate) item: ItemId,
    /// Per window (empty unless per-window percentiles were asked for).
    pub windows: Vec<Option<Stats>>,
    /// Rolled up over the horizon.
    pub total: Option<Stats>,
}

/// One scenario's simulation.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioSim {
    /// Which scenario was simulated.
    pub scenario: ScenarioId,
    /// Targets in plan order.
    pub targets: Vec<TargetSim>,
    /// Items in plan order.
    pub items: Vec<ItemSim>,
    /// Triggers that apply to it.
    pub triggers: Vec<TriggerSim>,
}

/// A whole simulation.
#[derive(Debug, Clone, PartialEq)]
pub struct Simulation {
    /// Runs per scenario.
    pub(crate) samples: usize,
    /// The seed the runs were drawn with (the same seed gives the same numbers).
    pub(crate) seed: u64,
    /// The windows of the per-window percentiles.
    pub(crate) windows: Vec<(String, Range<usize>)>,
    /// Scenarios in plan order.
    pub scenarios: Vec<ScenarioSim>,
}

/// An error of a simulation: a run failed to evaluate.
#[derive(Debug, Clone, PartialEq)]
pub struct SimError {
    /// The first failing run (0-based).
    pub run: usize,
    /// What failed.
    pub error: EvalError,
}

/// True when some expression of the plan reads `base(…)`.
fn uses_base(plan: &Plan) -> bool {
    let mut found = false;
    let mut look = |e: &crate::ir::Expr| {
        e.walk(&mut |x| {
            if matches!(x.kind, ExprKind::Call(Builtin::Base, _)) {
                found = true;
            }
        })
    };
    for it in &plan.items {
        look(&it.expr);
    }
    for s in &plan.scenarios {
        for o in &s.overrides {
            look(&o.expr);
        }
    }
    for t in &plan.triggers {
        look(&t.when);
        for st in &t.steps {
            for (a, _) in &st.actions {
                if let crate::ir::Action::Set(_, e) = a {
                    look(e);
                }
            }
        }
    }
    found
}

/// Items whose values can change from run to run in scenario `s`: those the
/// ranged drivers reach, through formulas, overrides and playbooks whose
/// condition they reach.
pub(crate) fn reached(plan: &Plan, model: &Model, s: ScenarioId) -> Vec<bool> {
    let n = plan.items.len();
    let mut reach = vec![false; n];
    for l in model.layers.get(s).map(Vec::as_slice).unwrap_or(&[]) {
        if let Some(r) = reach.get_mut(l.item) {
            *r = true;
        }
    }
    // What each item reads, in this scenario (declaration, overrides, `set`s).
    let mut reads: Vec<Vec<ItemId>> = plan.items.iter().map(|i| i.expr.items()).collect();
    for sc in plan.scenario_chain(s) {
        for o in plan
            .scenarios
            .get(sc)
            .map(|x| x.overrides.as_slice())
            .unwrap_or(&[])
        {
            if let Some(r) = reads.get_mut(o.item) {
                r.extend(o.expr.items());
            }
        }
    }
    let triggers = plan.triggers_for(s);
    for t in &triggers {
        for st in plan
            .triggers
            .get(*t)
            .map(|t| t.steps.as_slice())
            .unwrap_or(&[])
        {
            for (a, _) in &st.actions {
                if let crate::ir::Action::Set(d, e) = a {
                    if let Some(r) = reads.get_mut(*d) {
                        r.extend(e.items());
                    }
                }
            }
        }
    }
    loop {
        let mut changed = false;
        // Formulas: a fixpoint over the reads (linear passes until stable).
        loop {
            let mut more = false;
            for i in 0..n {
                if reach.get(i) == Some(&true) {
                    continue;
                }
                let hit = reads
                    .get(i)
                    .is_some_and(|r| r.iter().any(|x| reach.get(*x) == Some(&true)));
                if hit {
                    if let Some(r) = reach.get_mut(i) {
                        *r = true;
                    }
                    more = true;
                    changed = true;
                }
            }
            if !more {
                break;
            }
        }
        // Playbooks whose condition varies: everything they act on varies.
        for t in &triggers {
            let Some(trig) = plan.triggers.get(*t) else {
                continue;
            };
            if !trig
                .when
                .items()
                .iter()
                .any(|x| reach.get(*x) == Some(&true))
            {
                continue;
            }
            for st in &trig.steps {
                for (a, _) in &st.actions {
                    let targets: Vec<ItemId> = match a {
                        crate::ir::Action::Set(d, _) => vec![*d],
                        crate::ir::Action::Pause(i) => plan
                            .initiatives
                            .get(*i)
                            .map(|x| x.members.clone())
                            .unwrap_or_default(),
                    };
                    for d in targets {
                        if let Some(r) = reach.get_mut(d) {
                            if !*r {
                                *r = true;
                                changed = true;
                            }
                        }
                    }
                }
            }
        }
        if !changed {
            return reach;
        }
    }
}

/// What one block of runs collected for one scenario, column by column.
#[derive(Debug, Default)]
struct Block {
    /// Per target: met, projected, gap.
    targets: Vec<(Vec<bool>, Vec<Decimal>, Vec<Decimal>)>,
    /// Per trigger: firing period per run.
    fired: Vec<Vec<Option<i64>>>,
    /// Per tracked item × (horizon, windows…): one value per run.
    cols: Vec<Vec<Decimal>>,
}

/// Per scenario: which items are tracked, and their column positions.
struct Layout {
    scenario: ScenarioId,
    tracked: Vec<ItemId>,
    windows: usize,
    /// The scenario evaluated with no draws, and per item whether a run may
    /// copy it from there (a plain declaration there that no draw replaces).
    reference: (Vec<Vec<Decimal>>, Vec<bool>),
}

/// Runs the simulation.
pub fn simulate(plan: &Plan, model: &Model, opts: &SimOptions<'_>) -> Result<Simulation, SimError> {
    let n = plan.len;
    let samples = opts.samples.clamp(1, MAX_SAMPLES);
    let windows = if opts.per_window {
        crate::calendar::period_groups(plan, opts.by)
            .into_iter()
            .map(|g| (g.label, g.range))
            .collect()
    } else {
        Vec::new()
    };
    let prep = Prepared::new(plan, true);
    let all_items = uses_base(plan);
    let need_base = opts.scenarios.iter().any(|s| *s != plan.base) && all_items;
    let layouts = reference_layouts(
        plan,
        model,
        opts,
        &prep,
        (need_base, all_items),
        windows.len(),
    )?;
    // The plan as written, for items no draw reaches and for `planned_met`.
    let planned = eval::evaluate(
        plan,
        &eval::EvalOptions {
            scenarios: Some(opts.scenarios.clone()),
        },
    )
    .map_err(|error| SimError { run: 0, error })?;
    let run_block = |range: Range<usize>| -> Result<Vec<Block>, SimError> {
        let mut blocks: Vec<Block> = layouts
            .iter()
            .map(|l| Block {
                cols: vec![Vec::with_capacity(range.len()); l.tracked.len() * l.windows],
                ..Block::default()
            })
            .collect();
        // Programs per scenario and set of fired triggers, built once per thread.
        let cache = eval::ProgramCache::default();
        for run in range {
            let u = model.quantiles(opts.seed, run as u64, n);
            let fail = |error| SimError { run, error };
            let drawn = model.draws_all(&u, n);
            let base_values = if need_base {
                let d = model.draws_from(plan.base, &drawn);
                Some(
                    evaluate_drawn(plan, plan.base, None, &prep, &d, None, Some(&cache))
                        .map_err(fail)?
                        .0,
                )
            } else {
                None
            };
            for (layout, block) in layouts.iter().zip(blocks.iter_mut()) {
                let s = layout.scenario;
                let result = match &base_values {
                    Some(b) if s == plan.base => b.clone(),
                    _ => {
                        let d = model.draws_from(s, &drawn);
                        let base = base_values.as_ref().filter(|_| s != plan.base);
                        let reuse =
                            Some((layout.reference.0.as_slice(), layout.reference.1.as_slice()));
                        let base = base.map(|b| b.values.as_slice());
                        evaluate_drawn(plan, s, base, &prep, &d, reuse, Some(&cache))
                            .map_err(fail)?
                            .0
                    }
                };
                record(plan, layout, block, &result, base_values.as_ref(), &windows)
                    .map_err(fail)?;
            }
            if let Some(p) = opts.progress {
                p.fetch_add(1, Ordering::Relaxed);
            }
        }
        Ok(blocks)
    };
    let results = in_threads(samples, opts.threads, &run_block);
    // Merge in index order; the first failing block has the first failing run.
    let mut merged: Vec<Block> = layouts.iter().map(|_| Block::default()).collect();
    for r in results {
        for (m, b) in merged.iter_mut().zip(r?) {
            append(m, b);
        }
    }
    let scenarios = layouts
        .iter()
        .zip(merged)
        .map(|(layout, block)| summarize(plan, &planned, layout, block, &windows, samples))
        .collect();
    Ok(Simulation {
        samples,
        seed: opts.seed,
        windows,
        scenarios,
    })
}

/// Per scenario, what a run records and the scenario evaluated once with no draws
/// (with `base(…)` in play, `need_base`, against the base scenario's reference).
/// `all_items`: `base(…)` appears somewhere, so every item is tracked and none is
/// copied from the reference.
fn reference_layouts(
    plan: &Plan,
    model: &Model,
    opts: &SimOptions<'_>,
    prep: &Prepared,
    (need_base, all_items): (bool, bool),
    windows: usize,
) -> Result<Vec<Layout>, SimError> {
    let fail0 = |error| SimError { run: 0, error };
    let none = eval::Draws::default();
    let base_reference = if need_base {
        Some(evaluate_drawn(plan, plan.base, None, prep, &none, None, None).map_err(fail0)?)
    } else {
        None
    };
    let mut layouts: Vec<Layout> = Vec::new();
    for &s in &opts.scenarios {
        let reach = reached(plan, model, s);
        let base_values = base_reference
            .as_ref()
            .filter(|_| s != plan.base)
            .map(|b| b.0.values.as_slice());
        let (r, mut plain) =
            evaluate_drawn(plan, s, base_values, prep, &none, None, None).map_err(fail0)?;
        for l in model.layers.get(s).map(Vec::as_slice).unwrap_or(&[]) {
            if let Some(p) = plain.get_mut(l.item) {
                *p = false;
            }
        }
        // With `base(…)` in play, values may depend on base's draws: no copying.
        if all_items {
            plain.iter_mut().for_each(|p| *p = false);
        }
        layouts.push(Layout {
            scenario: s,
            tracked: (0..plan.items.len())
                .filter(|i| all_items || reach.get(*i) == Some(&true))
                .collect(),
            windows: 1 + windows,
            reference: (r.values, plain),
        });
    }
    Ok(layouts)
}

/// Records one run of one scenario in its block: each target's outcome, each
/// trigger's firing period, each tracked item's total over the horizon and over
/// every window.
fn record(
    plan: &Plan,
    layout: &Layout,
    block: &mut Block,
    result: &eval::ScenarioResult,
    base_values: Option<&eval::ScenarioResult>,
    windows: &[(String, Range<usize>)],
) -> Result<(), EvalError> {
    let n = plan.len;
    let s = layout.scenario;
    let base = base_values
        .filter(|_| s != plan.base)
        .map(|b| b.values.as_slice());
    let oc = outcomes(plan, result, base)?;
    if block.targets.is_empty() {
        block.targets = oc.iter().map(|_| Default::default()).collect();
    }
    for (col, o) in block.targets.iter_mut().zip(&oc) {
        col.0.push(o.met);
        col.1.push(o.projected.unwrap_or_default());
        col.2.push(o.gap.unwrap_or_default());
    }
    if block.fired.is_empty() {
        block.fired = result.fired.iter().map(|_| Vec::new()).collect();
    }
    for (col, (_, f)) in block.fired.iter_mut().zip(&result.fired) {
        col.push(*f);
    }
    let mut c = 0usize;
    for &item in &layout.tracked {
        let total = window_value(plan, &result.values, item, 0..n);
        if let Some(col) = block.cols.get_mut(c) {
            col.push(total.unwrap_or_default());
        }
        c += 1;
        for (_, w) in windows {
            let v = window_value(plan, &result.values, item, w.clone());
            if let Some(col) = block.cols.get_mut(c) {
                col.push(v.unwrap_or_default());
            }
            c += 1;
        }
    }
    Ok(())
}

/// Runs `run_block` over the sample indexes, cut into one range per thread (at
/// most 64, in order); a thread that cannot start runs its range here.
fn in_threads<F>(samples: usize, threads: usize, run_block: &F) -> Vec<Result<Vec<Block>, SimError>>
where
    F: Fn(Range<usize>) -> Result<Vec<Block>, SimError> + Sync,
{
    let threads = threads.clamp(1, 64).min(samples);
    let chunk = samples.div_ceil(threads);
    let ranges: Vec<Range<usize>> = (0..threads)
        .map(|k| (k * chunk).min(samples)..((k + 1) * chunk).min(samples))
        .filter(|r| !r.is_empty())
        .collect();
    if ranges.len() <= 1 {
        ranges.iter().map(|r| run_block(r.clone())).collect()
    } else {
        std::thread::scope(|scope| {
            let handles: Vec<_> = ranges
                .iter()
                .map(|r| {
                    let r = r.clone();
                    let f = run_block;
                    std::thread::Builder::new()
                        .stack_size(16 * 1024 * 1024)
                        .spawn_scoped(scope, move || f(r.clone()))
                })
                .collect();
            handles
                .into_iter()
                .zip(&ranges)
                .map(|(h, r)| match h.ok().and_then(|h| h.join().ok()) {
                    Some(x) => x,
                    // A thread that could not start (or died): its runs here.
                    None => run_block(r.clone()),
                })
                .collect()
        })
    }
}

fn append(m: &mut Block, b: Block) {
    if m.targets.is_empty() {
        m.targets = b.targets;
    } else {
        for (x, y) in m.targets.iter_mut().zip(b.targets) {
            x.0.extend(y.0);
            x.1.extend(y.1);
            x.2.extend(y.2);
        }
    }
    if m.fired.is_empty() {
        m.fired = b.fired;
    } else {
        for (x, y) in m.fired.iter_mut().zip(b.fired) {
            x.extend(y);
        }
    }
    if m.cols.is_empty() {
        m.cols = b.cols;
    } else {
        for (x, y) in m.cols.iter_mut().zip(b.cols) {
            x.extend(y);
        }
    }
}

fn summarize(
    plan: &Plan,
    planned: &eval::Results,
    layout: &Layout,
    mut block: Block,
    windows: &[(String, Range<usize>)],
    samples: usize,
) -> ScenarioSim {
    let s = layout.scenario;
    let n = plan.len;
    let planned_result = planned.get(s);
    let planned_base = planned.get(plan.base).map(|r| r.values.as_slice());
    let planned_outcomes = planned_result
        .and_then(|r| outcomes(plan, r, planned_base.filter(|_| s != plan.base)).ok())
        .unwrap_or_default();
    let total = Decimal::from(samples);
    let targets = planned_outcomes
        .iter()
        .enumerate()
        .map(|(k, o)| {
            let cols = block.targets.get_mut(k);
            let (met, projected, gap) = match cols {
                Some((m, p, g)) => (
                    Decimal::from(m.iter().filter(|x| **x).count()),
                    o.projected.map(|_| stats(p)),
                    o.gap.map(|_| stats(g)),
                ),
                None => (Decimal::ZERO, None, None),
            };
            TargetSim {
                objective: o.objective,
                target: o.target,
                text: o.text.clone(),
                unit: o.unit.clone(),
                probability: met / total,
                projected,
                gap,
                planned_met: o.met,
            }
        })
        .collect();
    let triggers = planned_result
        .map(|r| r.fired.as_slice())
        .unwrap_or(&[])
        .iter()
        .enumerate()
        .map(|(k, (t, _))| {
            let col = block.fired.get(k).map(Vec::as_slice).unwrap_or(&[]);
            let mut periods: Vec<i64> = col.iter().filter_map(|x| *x).collect();
            let probability = Decimal::from(periods.len()) / total;
            let median = (!periods.is_empty()).then(|| {
                let r = rank(periods.len(), 50);
                *periods.select_nth_unstable(r).1
            });
            TriggerSim {
                trigger: *t,
                probability,
                median,
            }
        })
        .collect();
    let mut cols = std::mem::take(&mut block.cols).into_iter();
    let mut tracked = layout.tracked.iter().peekable();
    let items = (0..plan.items.len())
        .map(|item| {
            if tracked.peek() == Some(&&item) {
                tracked.next();
                let total = cols.next().map(|mut c| stats(&mut c));
                let per = windows
                    .iter()
                    .map(|_| cols.next().map(|mut c| stats(&mut c)))
                    .collect();
                ItemSim {
                    item,
                    windows: per,
                    total,
                }
            } else {
                // No draw reaches it: the plan's own value in every run.
                let values = planned_result.map(|r| r.values.as_slice()).unwrap_or(&[]);
                let fixed = |w: Range<usize>| window_value(plan, values, item, w).map(constant);
                ItemSim {
                    item,
                    windows: windows.iter().map(|(_, w)| fixed(w.clone())).collect(),
                    total: fixed(0..n),
                }
            }
        })
        .collect();
    ScenarioSim {
        scenario: s,
        targets,
        items,
        triggers,
    }
}

fn constant(v: Decimal) -> Stats {
    Stats {
        p10: v,
        p50: v,
        p90: v,
        mean: v,
    }
}

/// 0-based index of the nearest-rank `p`-th percentile of `n` values.
fn rank(n: usize, p: usize) -> usize {
    (p * n).div_ceil(100).max(1).min(n.max(1)) - 1
}

/// Nearest-rank percentiles and the mean (reorders `v`).
pub fn stats(v: &mut [Decimal]) -> Stats {
    let n = v.len();
    if n == 0 {
        return Stats::default();
    }
    let mean = v
        .iter()
        .try_fold(Decimal::ZERO, |a, x| a.checked_add(*x))
        .and_then(|s| s.checked_div(Decimal::from(n)))
        .unwrap_or_default();
    let (r10, r50, r90) = (rank(n, 10), rank(n, 50), rank(n, 90));
    let p90 = *v.select_nth_unstable(r90).1;
    let p50 = v
        .get_mut(..=r90)
        .map(|x| *x.select_nth_unstable(r50).1)
        .unwrap_or_default();
    let p10 = v
        .get_mut(..=r50)
        .map(|x| *x.select_nth_unstable(r10).1)
        .unwrap_or_default();
    Stats {
        p10,
        p50,
        p90,
        mean,
    }
}
