//! Uncertainty (UNCERTAINTY.md): ranged drivers, simulation, sensitivity and solving.
//!
//! [`Model::new`] takes the resolved plan and works out, once, every *ranged
//! layer*: a driver's declaration or a scenario's override that carries
//! `range LOW to HIGH`, with LOW, HIGH and the planned value (the most likely
//! value) in every period, as exact decimals. It also checks them
//! (`range-excludes-plan`). A run draws one quantile u per ranged driver (one
//! per period with `per period`), correlated through a Gaussian copula where
//! `correlate` says so, and turns it into each period's value with that
//! period's inverse CDF; the evaluator then computes the plan from those values
//! ([`crate::eval::Draws`]), playbooks included.
//!
//! Random numbers: ChaCha8 (`rand_chacha`) seeded with the seed, one stream per
//! run index (`set_stream(run)`), so a run's draws depend only on the seed and
//! its index, never on threads or scheduling. A 64-bit output x becomes
//! u = (⌊x / 2¹¹⌋ + ½) / 2⁵³, strictly inside (0, 1). Inverse CDFs come from
//! `statrs` (the regularised incomplete beta function's inverse for PERT, the
//! inverse complementary error function for the normal). Each quantile is
//! rounded to 12 decimals before it scales the exact bounds.

pub mod report;
pub mod sensitivity;
pub mod simulate;
pub mod solve;

use crate::diagnostic::{Code, Diagnostic};
use crate::eval::program::{Layer, Program};
use crate::eval::{eval_expr, EvalError, ScenarioResult, Value};
use crate::ir::{self, ItemId, Plan, ScenarioId};
use crate::present::amount;
use crate::source::Span;
use crate::syntax::ast::{Distribution, RangeShape};
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_decimal::prelude::*;

/// A value over a window of periods: the item's roll-up. Every figure over a
/// window in this module goes through here.
fn window_value(
    plan: &Plan,
    values: &[Vec<Decimal>],
    item: ItemId,
    periods: std::ops::Range<usize>,
) -> Option<Decimal> {
    if periods.is_empty() {
        return None;
    }
    crate::eval::window_value(plan, values, item, periods)
}

/// The default odds band of `plumb check --simulate` (35% to 65%).
pub(crate) fn default_odds() -> (Decimal, Decimal) {
    (Decimal::new(35, 2), Decimal::new(65, 2))
}

/// The plan's odds band: `odds LOW to HIGH`, or the default.
pub(crate) fn odds(plan: &Plan) -> (Decimal, Decimal) {
    plan.odds.unwrap_or_else(default_odds)
}

/// One ranged layer: a driver's declaration or a scenario override with a range.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RangedLayer {
    /// The driver.
    pub(crate) item: ItemId,
    /// Which layer of it.
    pub(crate) layer: Layer,
    /// First period it applies to.
    pub(crate) from: usize,
    /// LOW per period.
    pub(crate) low: Vec<Decimal>,
    /// HIGH per period.
    pub(crate) high: Vec<Decimal>,
    /// The planned value per period (the most likely value).
    pub(crate) plan: Vec<Decimal>,
    /// Distribution and `per period`.
    pub(crate) shape: RangeShape,
    /// Where `range LOW to HIGH` is written.
    pub(crate) span: Span,
}

impl RangedLayer {
    /// The value at quantile `u` (0 < u < 1) in period `t`.
    pub(crate) fn value(&self, t: usize, u: f64) -> Decimal {
        let (Some(&a), Some(&b), Some(&m)) = (self.low.get(t), self.high.get(t), self.plan.get(t))
        else {
            return Decimal::ZERO;
        };
        quantile(a, b, m, self.shape.dist, u)
    }
}

/// The u-quantile of a range: LOW `a`, HIGH `b`, planned value `m`.
pub(crate) fn quantile(a: Decimal, b: Decimal, m: Decimal, dist: Distribution, u: f64) -> Decimal {
    let Some(width) = b.checked_sub(a).filter(|w| *w > Decimal::ZERO) else {
        return a;
    };
    let u = u.clamp(f64::MIN_POSITIVE, 1.0 - f64::EPSILON);
    match dist {
        Distribution::Normal => {
            let half = width / Decimal::TWO;
            let mid = a.checked_add(half).unwrap_or(a);
            let f = normal_inv(u) / Z95;
            let f = to_decimal(f);
            half.checked_mul(f)
                .and_then(|x| mid.checked_add(x))
                .unwrap_or(mid)
        }
        _ => {
            let c = m
                .checked_sub(a)
                .and_then(|x| x.checked_div(width))
                .and_then(|x| x.to_f64())
                .unwrap_or(0.5)
                .clamp(0.0, 1.0);
            let q = unit_quantile(dist, c, u);
            width
                .checked_mul(to_decimal(q))
                .and_then(|x| a.checked_add(x))
                .unwrap_or(a)
        }
    }
}

/// The 95th percentile of the standard normal distribution.
pub const Z95: f64 = 1.644_853_626_951_472_2;

/// The u-quantile on [0, 1] of a bounded distribution with its mode at `c`.
fn unit_quantile(dist: Distribution, c: f64, u: f64) -> f64 {
    match dist {
        Distribution::Uniform | Distribution::Normal => u,
        Distribution::Triangular => {
            if u < c {
                (c * u).sqrt()
            } else {
                1.0 - ((1.0 - c) * (1.0 - u)).sqrt()
            }
        }
        Distribution::Pert => {
            let (alpha, beta) = (1.0 + 4.0 * c, 1.0 + 4.0 * (1.0 - c));
            statrs::function::beta::inv_beta_reg(alpha, beta, u).clamp(0.0, 1.0)
        }
    }
}

/// Φ⁻¹(u), the standard normal quantile.
pub(crate) fn normal_inv(u: f64) -> f64 {
    -std::f64::consts::SQRT_2 * statrs::function::erf::erfc_inv(2.0 * u)
}

/// Φ(z), the standard normal CDF.
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * statrs::function::erf::erfc(-z / std::f64::consts::SQRT_2)
}

/// A quantile as an exact decimal, rounded to 12 places.
fn to_decimal(q: f64) -> Decimal {
    Decimal::from_f64(q)
        .map(|d| d.round_dp(12))
        .unwrap_or_default()
}

/// Everything a simulation needs from the plan, worked out once.
#[derive(Debug, Clone, Default)]
pub struct Model {
    /// Per scenario (indexed like `Plan::scenarios`): the ranged layers that apply.
    pub(crate) layers: Vec<Vec<RangedLayer>>,
    /// The ranged drivers, in item order: the order of the draws.
    pub(crate) drivers: Vec<ItemId>,
    /// Per driver: whether any of its layers draws per period.
    pub(crate) per_period: Vec<bool>,
    /// Lower-triangular Cholesky factor of the copula's correlation matrix over
    /// the correlated drivers (indices into `drivers`), when there are any.
    pub(crate) copula: Option<(Vec<usize>, Vec<Vec<f64>>)>,
}

/// The values of one scenario with no trigger fired, slot by slot.
struct Planned<'p> {
    prog: Program<'p>,
    slots: Vec<Vec<Decimal>>,
    result: ScenarioResult,
}

fn planned<'p>(
    plan: &'p Plan,
    s: ScenarioId,
    base: Option<&[Vec<Decimal>]>,
) -> Result<Planned<'p>, EvalError> {
    let prog = Program::build(plan, s, &[]);
    let name = plan
        .scenarios
        .get(s)
        .map(|x| x.name.as_str())
        .unwrap_or("?");
    let slots = prog.run(plan, name, base)?;
    let values = prog.item_values_from(slots.clone());
    Ok(Planned {
        prog,
        slots,
        result: ScenarioResult {
            scenario: s,
            values,
            fired: Vec::new(),
        },
    })
}

impl Model {
    /// True when the plan has any range.
    pub(crate) fn plan_has_ranges(plan: &Plan) -> bool {
        plan.items
            .iter()
            .any(|i| i.range.is_some() && i.kind == crate::syntax::ast::ItemKind::Driver)
            || plan
                .scenarios
                .iter()
                .any(|s| s.overrides.iter().any(|o| o.range.is_some()))
    }

    /// Works out every ranged layer and checks it. Errors (`range-excludes-plan`,
    /// evaluation errors) come back as diagnostics.
    pub fn new(plan: &Plan) -> Result<Model, Vec<Diagnostic>> {
        let mut diags = Vec::new();
        let mut model = Model {
            layers: vec![Vec::new(); plan.scenarios.len()],
            ..Model::default()
        };
        if !Model::plan_has_ranges(plan) {
            return Ok(model);
        }
        let base = planned(plan, plan.base, None).map_err(|e| vec![e.to_diagnostic()])?;
        // Declarations: planned values from base (a declaration is the same slot
        // in every scenario).
        let mut decls = Vec::new();
        for (i, it) in plan.items.iter().enumerate() {
            if it.kind != crate::syntax::ast::ItemKind::Driver {
                continue;
            }
            let Some((lo, hi)) = &it.range else { continue };
            let planned_values = base.slots.get(i).cloned().unwrap_or_default();
            match layer(
                plan,
                &base.result,
                None,
                (i, Layer::Declaration, 0),
                (lo, hi),
                it.range_shape,
                planned_values,
            ) {
                Ok(Ok(l)) => decls.push(l),
                Ok(Err(d)) => diags.push(d),
                Err(e) => diags.push(e.to_diagnostic()),
            }
        }
        // Overrides: planned values in the scenario that declares them.
        let mut overrides: Vec<RangedLayer> = Vec::new();
        for (s, sc) in plan.scenarios.iter().enumerate() {
            if !sc.overrides.iter().any(|o| o.range.is_some()) {
                continue;
            }
            let base_values = (s != plan.base).then_some(base.result.values.as_slice());
            let p = match planned(plan, s, base_values) {
                Ok(p) => p,
                Err(e) => {
                    diags.push(e.to_diagnostic());
                    continue;
                }
            };
            for (k, o) in sc.overrides.iter().enumerate() {
                let Some((lo, hi)) = &o.range else { continue };
                let slot = p
                    .prog
                    .slots
                    .iter()
                    .position(|x| x.item == o.item && x.layer == Layer::Override(s, k));
                let planned_values = slot
                    .and_then(|x| p.slots.get(x))
                    .cloned()
                    .unwrap_or_default();
                let from = o.from.clamp(0, plan.len as i64) as usize;
                match layer(
                    plan,
                    &p.result,
                    base_values,
                    (o.item, Layer::Override(s, k), from),
                    (lo, hi),
                    o.range_shape,
                    planned_values,
                ) {
                    Ok(Ok(l)) => overrides.push(l),
                    Ok(Err(d)) => diags.push(d),
                    Err(e) => diags.push(e.to_diagnostic()),
                }
            }
        }
        if !diags.is_empty() {
            return Err(diags);
        }
        for s in 0..plan.scenarios.len() {
            let chain = plan.scenario_chain(s);
            let mut ls: Vec<RangedLayer> = decls.clone();
            ls.extend(
                overrides
                    .iter()
                    .filter(|l| matches!(l.layer, Layer::Override(sc, _) if chain.contains(&sc)))
                    .cloned(),
            );
            if let Some(slot) = model.layers.get_mut(s) {
                *slot = ls;
            }
        }
        let mut drivers: Vec<ItemId> = decls
            .iter()
            .chain(overrides.iter())
            .map(|l| l.item)
            .collect();
        drivers.sort_unstable();
        drivers.dedup();
        model.per_period = drivers
            .iter()
            .map(|d| {
                decls
                    .iter()
                    .chain(overrides.iter())
                    .any(|l| l.item == *d && l.shape.per_period)
            })
            .collect();
        model.drivers = drivers;
        model.copula = copula(plan, &model.drivers).map_err(|d| vec![d])?;
        Ok(model)
    }

    /// The quantiles of run `run`: per driver (in [`Model::drivers`] order), one u,
    /// then one per period for a driver drawn `per period`.
    pub(crate) fn quantiles(&self, seed: u64, run: u64, periods: usize) -> Vec<Vec<f64>> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(run);
        let mut next = || ((rng.next_u64() >> 11) as f64 + 0.5) * (1.0 / 9_007_199_254_740_992.0);
        let mut out: Vec<Vec<f64>> = self
            .per_period
            .iter()
            .map(|pp| {
                let k = if *pp { 1 + periods } else { 1 };
                (0..k).map(|_| next()).collect()
            })
            .collect();
        if let Some((members, l)) = &self.copula {
            let width = out.iter().map(Vec::len).max().unwrap_or(1);
            for j in 0..width {
                // A driver drawn once per run takes part with its one quantile.
                let z: Vec<f64> = members
                    .iter()
                    .map(|m| {
                        let v = out.get(*m).map(Vec::as_slice).unwrap_or(&[]);
                        normal_inv(v.get(j).or(v.first()).copied().unwrap_or(0.5))
                    })
                    .collect();
                for (r, m) in members.iter().enumerate() {
                    let row = l.get(r).map(Vec::as_slice).unwrap_or(&[]);
                    let zc: f64 = row.iter().zip(&z).map(|(a, b)| a * b).sum();
                    if let Some(x) = out.get_mut(*m).and_then(|v| v.get_mut(j)) {
                        *x = normal_cdf(zc).clamp(f64::MIN_POSITIVE, 1.0 - f64::EPSILON);
                    }
                }
            }
        }
        out
    }

    /// Every ranged layer's values for the given quantiles (each computed once
    /// per run, whichever scenarios share it).
    pub(crate) fn draws_all(
        &self,
        u: &[Vec<f64>],
        periods: usize,
    ) -> Vec<(ItemId, Layer, Vec<Decimal>)> {
        let mut out: Vec<(ItemId, Layer, Vec<Decimal>)> = Vec::new();
        for ls in &self.layers {
            for l in ls {
                if out.iter().any(|(i, k, _)| *i == l.item && *k == l.layer) {
                    continue;
                }
                if let Some(v) = self.layer_values(l, u, periods) {
                    out.push((l.item, l.layer, v));
                }
            }
        }
        out
    }

    /// Scenario `s`'s layers out of [`Model::draws_all`]'s.
    pub(crate) fn draws_from(
        &self,
        s: ScenarioId,
        all: &[(ItemId, Layer, Vec<Decimal>)],
    ) -> crate::eval::Draws {
        let mut d = crate::eval::Draws::default();
        for l in self.layers.get(s).map(Vec::as_slice).unwrap_or(&[]) {
            if let Some(x) = all.iter().find(|(i, k, _)| *i == l.item && *k == l.layer) {
                d.layers.push(x.clone());
            }
        }
        d
    }

    /// One layer's values for the given quantiles.
    fn layer_values(
        &self,
        l: &RangedLayer,
        u: &[Vec<f64>],
        periods: usize,
    ) -> Option<Vec<Decimal>> {
        {
            let k = self.drivers.iter().position(|x| *x == l.item)?;
            let us = u.get(k).map(Vec::as_slice).unwrap_or(&[]);
            let u0 = us.first().copied().unwrap_or(0.5);
            let mut values = Vec::with_capacity(periods);
            let mut last: Option<(Decimal, Decimal, Decimal, f64, Decimal)> = None;
            for t in 0..periods {
                let u = if l.shape.per_period {
                    us.get(1 + t).copied().unwrap_or(u0)
                } else {
                    u0
                };
                let key = (
                    l.low.get(t).copied().unwrap_or_default(),
                    l.high.get(t).copied().unwrap_or_default(),
                    l.plan.get(t).copied().unwrap_or_default(),
                );
                // Most ranges are the same every period: one inverse CDF each.
                let v = match last {
                    Some((a, b, m, lu, v)) if (a, b, m) == key && lu == u => v,
                    _ => l.value(t, u),
                };
                last = Some((key.0, key.1, key.2, u, v));
                values.push(v);
            }
            Some(values)
        }
    }
}

/// Builds one ranged layer: LOW and HIGH evaluated, checked against the plan.
/// `Ok(Err(d))` is `range-excludes-plan`.
fn layer(
    plan: &Plan,
    result: &ScenarioResult,
    base: Option<&[Vec<Decimal>]>,
    (item, which, from): (ItemId, Layer, usize),
    (lo, hi): (&ir::Expr, &ir::Expr),
    shape: RangeShape,
    planned: Vec<Decimal>,
) -> Result<Result<RangedLayer, Diagnostic>, EvalError> {
    let n = plan.len;
    let series = |v: Value| (0..n).map(|t| v.at(t)).collect::<Vec<_>>();
    let low = series(eval_expr(plan, result, base, lo)?);
    let high = series(eval_expr(plan, result, base, hi)?);
    let span = lo.span.to(hi.span);
    let it = plan.items.get(item);
    let name = it.map(|i| i.name.as_str()).unwrap_or("?");
    let unit = it.map(|i| i.unit.clone()).unwrap_or_default();
    let show = |v: Decimal| amount(v, &unit, crate::present::decimals_for(&[v], &unit));
    for t in from..n {
        let (a, b, m) = (
            low.get(t).copied().unwrap_or_default(),
            high.get(t).copied().unwrap_or_default(),
            planned.get(t).copied().unwrap_or_default(),
        );
        let period = plan.period_label(t as i64);
        let problem = if a > b {
            Some(format!(
                "the range of `{name}` runs backwards in {period}: LOW {} is above HIGH {}",
                show(a),
                show(b)
            ))
        } else if m < a || m > b {
            Some(format!(
                "the range of `{name}` ({} to {}) excludes its planned value {} in {period}",
                show(a),
                show(b),
                show(m)
            ))
        } else {
            None
        };
        if let Some(msg) = problem {
            return Ok(Err(Diagnostic::error(Code::RangeExcludesPlan, span, msg)
                .with_label(format!("first fails in {period}"))
                .with_help("write LOW first and make LOW .. HIGH contain the planned value in every period (bounds included)")));
        }
    }
    Ok(Ok(RangedLayer {
        item,
        layer: which,
        from,
        low,
        high,
        plan: planned,
        shape,
        span,
    }))
}

/// The copula's Cholesky factor over the correlated drivers.
#[allow(clippy::type_complexity, clippy::result_large_err)]
fn copula(
    plan: &Plan,
    drivers: &[ItemId],
) -> Result<Option<(Vec<usize>, Vec<Vec<f64>>)>, Diagnostic> {
    if plan.correlations.is_empty() {
        return Ok(None);
    }
    let mut members: Vec<usize> = Vec::new();
    for c in &plan.correlations {
        for item in [c.a, c.b] {
            let Some(k) = drivers.iter().position(|d| *d == item) else {
                let name = plan.items.get(item).map(|i| i.name.as_str()).unwrap_or("?");
                return Err(Diagnostic::error(
                    Code::TypeMismatch,
                    c.span,
                    format!("`{name}` has no range, so it cannot be correlated"),
                )
                .with_help(format!("give `{name}` a `range LOW to HIGH` in its block")));
            };
            if !members.contains(&k) {
                members.push(k);
            }
        }
    }
    members.sort_unstable();
    let m = members.len();
    let mut r = vec![vec![0.0f64; m]; m];
    for (i, row) in r.iter_mut().enumerate() {
        if let Some(x) = row.get_mut(i) {
            *x = 1.0;
        }
    }
    for c in &plan.correlations {
        let pos = |item: ItemId| {
            drivers
                .iter()
                .position(|d| *d == item)
                .and_then(|k| members.iter().position(|x| *x == k))
        };
        let (Some(i), Some(j)) = (pos(c.a), pos(c.b)) else {
            continue;
        };
        let rho = c.rho.to_f64().unwrap_or(0.0);
        let g = 2.0 * (std::f64::consts::PI * rho / 6.0).sin();
        for (x, y) in [(i, j), (j, i)] {
            if let Some(v) = r.get_mut(x).and_then(|row| row.get_mut(y)) {
                *v = g;
            }
        }
    }
    // Cholesky: r = l lᵀ.
    let mut l = vec![vec![0.0f64; m]; m];
    for i in 0..m {
        for j in 0..=i {
            let mut sum = r.get(i).and_then(|row| row.get(j)).copied().unwrap_or(0.0);
            for k in 0..j {
                let a = l.get(i).and_then(|row| row.get(k)).copied().unwrap_or(0.0);
                let b = l.get(j).and_then(|row| row.get(k)).copied().unwrap_or(0.0);
                sum -= a * b;
            }
            let v = if i == j {
                if sum <= 1e-12 {
                    let span = plan.correlations.last().map(|c| c.span).unwrap_or_default();
                    return Err(Diagnostic::error(
                        Code::TypeMismatch,
                        span,
                        "these correlations cannot hold together (their matrix is not positive definite)",
                    )
                    .with_help("weaken one of the correlations"));
                }
                sum.sqrt()
            } else {
                let d = l.get(j).and_then(|row| row.get(j)).copied().unwrap_or(1.0);
                sum / d
            };
            if let Some(x) = l.get_mut(i).and_then(|row| row.get_mut(j)) {
                *x = v;
            }
        }
    }
    Ok(Some((members, l)))
}

/// `range-excludes-plan` (and correlation errors) for `plumb check`.
pub(crate) fn check(plan: &Plan) -> Vec<Diagnostic> {
    match Model::new(plan) {
        Ok(_) => Vec::new(),
        Err(d) => d
            .into_iter()
            .filter(|d| matches!(d.code, Code::RangeExcludesPlan | Code::TypeMismatch))
            .collect(),
    }
}

/// `base-case-odds`: a warning at each base-scenario target whose simulated
/// probability of being met lies outside the plan's odds band.
pub fn odds_check(plan: &Plan, sim: &simulate::Simulation) -> Vec<Diagnostic> {
    let (lo, hi) = odds(plan);
    let mut out = Vec::new();
    let Some(sc) = sim.scenarios.iter().find(|s| s.scenario == plan.base) else {
        return out;
    };
    for t in &sc.targets {
        let p = t.probability;
        if p >= lo && p <= hi {
            continue;
        }
        // No ranged driver moves it: the simulation says nothing about its odds.
        let fixed = t.projected.is_none_or(|s| s.p10 == s.p90);
        if fixed && (p.is_zero() || p == Decimal::ONE) {
            continue;
        }
        let Some(target) = plan
            .objectives
            .get(t.objective)
            .and_then(|o| o.targets.get(t.target))
        else {
            continue;
        };
        let obj = plan
            .objectives
            .get(t.objective)
            .map(|o| o.name.as_str())
            .unwrap_or("?");
        let verdict = if p < lo {
            "under the band: the base case is inflated"
        } else {
            "above the band: the base case is sandbagged"
        };
        let pct = report::percent;
        let values = match t.projected {
            Some(s) => {
                let dp = crate::present::decimals_for(&[s.p10, s.p50, s.p90], &t.unit);
                format!(
                    "; P10 / P50 / P90 of its value: {} / {} / {}",
                    amount(s.p10, &t.unit, dp),
                    amount(s.p50, &t.unit, dp),
                    amount(s.p90, &t.unit, dp)
                )
            }
            None => String::new(),
        };
        let msg = format!(
            "`{obj}`: `{}` is met in {} of {} simulated runs, outside the odds band {} to {} ({verdict}){values}",
            t.text,
            pct(p),
            crate::present::number(Decimal::from(sim.samples), 0),
            pct(lo),
            pct(hi),
        );
        let help = if p < lo {
            "plan a base case you would take even odds on: lower the target, or revisit the drivers' planned values and ranges"
        } else {
            "a base case met this often is too safe: raise the target, or revisit the drivers' planned values and ranges"
        };
        out.push(
            Diagnostic::warning(Code::BaseCaseOdds, target.expr.span, msg)
                .with_label(format!("met in {} of runs", pct(p)))
                .with_help(help),
        );
    }
    out
}

/// A driver's declared range, worked out in the base scenario: the layer and its
/// 10th and 90th percentiles rolled up over the horizon (for hover and reports).
/// None when the driver has no range or the plan cannot be evaluated.
pub(crate) fn driver_range(plan: &Plan, item: ItemId) -> Option<(RangedLayer, Decimal, Decimal)> {
    let it = plan.items.get(item)?;
    if it.kind != crate::syntax::ast::ItemKind::Driver {
        return None;
    }
    let (lo, hi) = it.range.as_ref()?;
    let base = planned(plan, plan.base, None).ok()?;
    let values = base.slots.get(item).cloned().unwrap_or_default();
    let l = layer(
        plan,
        &base.result,
        None,
        (item, Layer::Declaration, 0),
        (lo, hi),
        it.range_shape,
        values,
    )
    .ok()?
    .ok()?;
    let at = |u: f64| {
        let mut vals: Vec<Vec<Decimal>> = vec![Vec::new(); plan.items.len()];
        if let Some(v) = vals.get_mut(item) {
            *v = (0..plan.len).map(|t| l.value(t, u)).collect();
        }
        window_value(plan, &vals, item, 0..plan.len)
    };
    let (p10, p90) = (at(0.1)?, at(0.9)?);
    Some((l, p10, p90))
}

/// Folder (under the OS temporary directory) where `plumb simulate` leaves the
/// odds the language server shows on hover.
pub const ODDS_CACHE_DIR: &str = "plumb-odds";

/// The base scenario's target odds from the last `plumb simulate` of a plan,
/// for the language server's hover (which never simulates). Identified by a
/// fingerprint of every source text of the compilation, so a changed plan never
/// shows stale odds.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OddsCache {
    /// [`fingerprint`] of the sources simulated.
    pub fingerprint: u64,
    /// Runs.
    pub samples: usize,
    /// The seed the runs were drawn with.
    pub seed: u64,
    /// (objective name, target index, probability of being met).
    pub targets: Vec<(String, usize, Decimal)>,
}

/// FNV-1a over every source text of a compilation, in load order.
pub fn fingerprint(c: &crate::compile::Compilation) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (_, f) in c.sources.iter() {
        for b in f.text.bytes().chain([0u8]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

impl OddsCache {
    /// The cache of a simulation of `c` (its base scenario), if it ran.
    pub fn of(c: &crate::compile::Compilation, sim: &simulate::Simulation) -> Option<OddsCache> {
        let plan = c.plan();
        let sc = sim.scenarios.iter().find(|s| s.scenario == plan.base)?;
        Some(OddsCache {
            fingerprint: fingerprint(c),
            samples: sim.samples,
            seed: sim.seed,
            targets: sc
                .targets
                .iter()
                .filter_map(|t| {
                    let o = plan.objectives.get(t.objective)?;
                    Some((o.name.clone(), t.target, t.probability))
                })
                .collect(),
        })
    }

    /// The file name the cache is kept under.
    pub fn file_name(fingerprint: u64) -> String {
        format!("{fingerprint:016x}.odds")
    }

    /// As text: a header line, then one `objective<TAB>index<TAB>probability` per target.
    pub fn to_text(&self) -> String {
        let mut s = format!(
            "plumb-odds 1 {:016x} {} {}\n",
            self.fingerprint, self.samples, self.seed
        );
        for (o, i, p) in &self.targets {
            s.push_str(&format!("{o}\t{i}\t{p}\n"));
        }
        s
    }

    /// Reads [`OddsCache::to_text`]'s text (None when it is not one).
    pub fn parse(text: &str) -> Option<OddsCache> {
        let mut lines = text.lines();
        let head: Vec<&str> = lines.next()?.split(' ').collect();
        let [magic, version, fp, samples, seed] = head.as_slice() else {
            return None;
        };
        if *magic != "plumb-odds" || *version != "1" {
            return None;
        }
        let mut c = OddsCache {
            fingerprint: u64::from_str_radix(fp, 16).ok()?,
            samples: samples.parse().ok()?,
            seed: seed.parse().ok()?,
            targets: Vec::new(),
        };
        for l in lines {
            let mut f = l.split('\t');
            let (o, i, p) = (f.next()?, f.next()?, f.next()?);
            c.targets
                .push((o.to_string(), i.parse().ok()?, p.parse().ok()?));
        }
        Some(c)
    }
}
