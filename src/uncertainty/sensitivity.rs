//! `plumb sensitivity`: a tornado. Each ranged driver in turn at its 10th and
//! 90th percentile (and its median, to tell whether the output moves
//! monotonically) with every other driver at its planned value; the output is
//! an item's roll-up over the horizon or a window, or a target's projected value.

use super::{Model, RangedLayer};
use crate::eval::{evaluate_drawn, Draws, EvalError, Prepared, ScenarioResult};
use crate::ir::{ItemId, Plan, ScenarioId};
use crate::outcome::targets::outcomes;
use rust_decimal::Decimal;
use std::ops::Range;

/// What the tornado measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// An item's roll-up over a window.
    Item(ItemId),
    /// A target's projected value: objective index and target index.
    Target(usize, usize),
}

/// One bar of the tornado.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// The ranged driver.
    pub driver: ItemId,
    /// The driver's roll-up over the window at its P10.
    pub driver_low: Option<Decimal>,
    /// The driver's roll-up over the window at its P90.
    pub driver_high: Option<Decimal>,
    /// The output with the driver at its P10.
    pub at_low: Decimal,
    /// The output with the driver at its P90.
    pub at_high: Decimal,
    /// The output with the driver at its P50.
    pub at_median: Decimal,
    /// |at_high − at_low|.
    pub swing: Decimal,
    /// False when the output at P50 does not lie between those at P10 and P90.
    pub monotonic: bool,
}

/// A whole tornado.
#[derive(Debug, Clone, PartialEq)]
pub struct Tornado {
    /// The output at planned values.
    pub planned: Decimal,
    /// Bars, widest swing first.
    pub bars: Vec<Bar>,
}

/// Draws with only `driver`'s layers, all at quantile `u`.
fn only(layers: &[RangedLayer], driver: ItemId, u: f64, n: usize) -> Draws {
    let mut d = Draws::default();
    for l in layers.iter().filter(|l| l.item == driver) {
        d.layers
            .push((l.item, l.layer, (0..n).map(|t| l.value(t, u)).collect()));
    }
    d
}

/// Evaluates scenario `s` (and base, when `s` is not base) with the given draws.
pub(crate) fn run_with(
    plan: &Plan,
    prep: &Prepared,
    s: ScenarioId,
    base_draws: &Draws,
    draws: &Draws,
) -> Result<(ScenarioResult, Option<ScenarioResult>), EvalError> {
    if s == plan.base {
        return Ok((
            evaluate_drawn(plan, s, None, prep, draws, None, None)?.0,
            None,
        ));
    }
    let base = evaluate_drawn(plan, plan.base, None, prep, base_draws, None, None)?.0;
    let r = evaluate_drawn(plan, s, Some(&base.values), prep, draws, None, None)?.0;
    Ok((r, Some(base)))
}

/// The output's value in one evaluation.
pub(crate) fn measure(
    plan: &Plan,
    out: Output,
    window: Range<usize>,
    r: &ScenarioResult,
    base: Option<&ScenarioResult>,
) -> Result<Decimal, EvalError> {
    match out {
        Output::Item(i) => Ok(super::window_value(plan, &r.values, i, window).unwrap_or_default()),
        Output::Target(o, t) => {
            let oc = outcomes(plan, r, base.map(|b| b.values.as_slice()))?;
            Ok(oc
                .iter()
                .find(|x| x.objective == o && x.target == t)
                .and_then(|x| x.projected)
                .unwrap_or_default())
        }
    }
}

/// The tornado of `out` in scenario `s` over `window`.
pub fn tornado(
    plan: &Plan,
    model: &Model,
    s: ScenarioId,
    out: Output,
    window: Range<usize>,
) -> Result<Tornado, EvalError> {
    let prep = Prepared::new(plan, true);
    let n = plan.len;
    let layers = model.layers.get(s).map(Vec::as_slice).unwrap_or(&[]);
    let base_layers = model
        .layers
        .get(plan.base)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let none = Draws::default();
    let (r0, b0) = run_with(plan, &prep, s, &none, &none)?;
    let planned = measure(plan, out, window.clone(), &r0, b0.as_ref())?;
    let mut bars = Vec::new();
    for &d in &model.drivers {
        if !layers.iter().any(|l| l.item == d) {
            continue;
        }
        let mut at = [Decimal::ZERO; 3];
        let mut driver_vals = [None; 3];
        for (k, u) in [0.1, 0.5, 0.9].into_iter().enumerate() {
            let draws = only(layers, d, u, n);
            let bd = only(base_layers, d, u, n);
            let (r, b) = run_with(plan, &prep, s, &bd, &draws)?;
            if let Some(x) = at.get_mut(k) {
                *x = measure(plan, out, window.clone(), &r, b.as_ref())?;
            }
            if let Some(x) = driver_vals.get_mut(k) {
                *x = super::window_value(plan, &r.values, d, window.clone());
            }
        }
        let [lo, mid, hi] = at;
        let [driver_low, _, driver_high] = driver_vals;
        let monotonic = (lo <= mid && mid <= hi) || (hi <= mid && mid <= lo);
        bars.push(Bar {
            driver: d,
            driver_low,
            driver_high,
            at_low: lo,
            at_high: hi,
            at_median: mid,
            swing: hi.checked_sub(lo).map(|x| x.abs()).unwrap_or(Decimal::MAX),
            monotonic,
        });
    }
    bars.sort_by(|a, b| b.swing.cmp(&a.swing).then(a.driver.cmp(&b.driver)));
    Ok(Tornado { planned, bars })
}
