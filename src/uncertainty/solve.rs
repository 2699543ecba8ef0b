//! `plumb solve`: the smallest change to one driver that makes a target hold.
//!
//! The driver is scaled by k (every period times k) or shifted by d (d added
//! to every period) in one scenario, every layer of it (declaration and overrides) alike,
//! and the scenario is evaluated with its triggers. The target must respond
//! monotonically within the bounds (checked at eleven evenly spaced points);
//! the crossing is found by bisection on exact decimals and given to six
//! significant digits, rounded towards the side where the target holds.

use super::planned;
use crate::eval::program::Layer;
use crate::eval::{evaluate_drawn, Draws, EvalError, Prepared};
use crate::ir::{ItemId, Plan, ScenarioId};
use crate::outcome::targets::outcomes;
use rust_decimal::prelude::*;

/// Scale or shift.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Every period × k.
    Scale,
    /// Every period + d.
    Shift,
}

/// What to solve.
#[derive(Debug, Clone)]
pub struct Problem {
    /// Objective index.
    pub objective: usize,
    /// Target index within it.
    pub target: usize,
    /// The driver varied.
    pub driver: ItemId,
    /// Scale or shift.
    pub mode: Mode,
    /// The scenario the target must hold in.
    pub scenario: ScenarioId,
    /// Bounds of k or d (None: the defaults).
    pub within: Option<(Decimal, Decimal)>,
}

/// How the search ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// The target holds from `value` on.
    Solved,
    /// The target already holds; `value` is how far the driver can move before it breaks.
    AlreadyHolds,
    /// The target holds anywhere within the bounds.
    HoldsThroughout,
    /// No value within the bounds makes it hold; `value` is the end that comes closest.
    NoSolution,
    /// The target does not respond monotonically within the bounds.
    NotMonotonic,
}

/// The answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Solution {
    /// How it ended.
    pub status: Status,
    /// k or d.
    pub value: Decimal,
    /// The bounds searched.
    pub bounds: (Decimal, Decimal),
    /// The target's projected value at `value`.
    pub projected: Option<Decimal>,
    /// Its gap at `value`.
    pub gap: Option<Decimal>,
    /// Whether it holds at `value`.
    pub met: bool,
    /// The driver's values at `value` (before playbooks).
    pub values: Vec<Decimal>,
}

struct Eval {
    met: bool,
    projected: Option<Decimal>,
    gap: Option<Decimal>,
}

/// Solves the problem.
pub fn solve(plan: &Plan, p: &Problem) -> Result<Solution, EvalError> {
    let prep = Prepared::new(plan, true);
    let s = p.scenario;
    let base = planned(plan, plan.base, None)?;
    let base_values = (s != plan.base).then_some(base.result.values.as_slice());
    let other = match base_values {
        Some(b) => Some(planned(plan, s, Some(b))?),
        None => None,
    };
    let here = other.as_ref().unwrap_or(&base);
    // Every layer of the driver in this scenario, with its planned values.
    let layers: Vec<(Layer, Vec<Decimal>)> = here
        .prog
        .slots
        .iter()
        .enumerate()
        .filter(|(_, x)| x.item == p.driver && x.layer != Layer::Action)
        .map(|(k, x)| (x.layer, here.slots.get(k).cloned().unwrap_or_default()))
        .collect();
    let planned_values = here
        .result
        .values
        .get(p.driver)
        .cloned()
        .unwrap_or_default();
    let apply = |x: Decimal, v: Decimal| -> Decimal {
        match p.mode {
            Mode::Scale => v.checked_mul(x).unwrap_or(v),
            Mode::Shift => v.checked_add(x).unwrap_or(v),
        }
    };
    let eval = |x: Decimal| -> Result<Eval, EvalError> {
        let draws = Draws {
            layers: layers
                .iter()
                .map(|(l, v)| (p.driver, *l, v.iter().map(|y| apply(x, *y)).collect()))
                .collect(),
        };
        // A value where the plan cannot be evaluated (a division by zero at
        // k = 0) counts as one where the target does not hold.
        let failed = Eval {
            met: false,
            projected: None,
            gap: None,
        };
        let Ok((r, _)) = evaluate_drawn(plan, s, base_values, &prep, &draws, None, None) else {
            return Ok(failed);
        };
        let Ok(oc) = outcomes(plan, &r, base_values) else {
            return Ok(failed);
        };
        let o = oc
            .into_iter()
            .find(|o| o.objective == p.objective && o.target == p.target);
        Ok(match o {
            Some(o) => Eval {
                met: o.met,
                projected: o.projected,
                gap: o.gap,
            },
            None => Eval {
                met: false,
                projected: None,
                gap: None,
            },
        })
    };
    let (x0, (lo, hi)) = start_and_bounds(p, &planned_values);
    let answer = |status: Status, x: Decimal, e: Eval| Solution {
        status,
        value: x,
        bounds: (lo, hi),
        projected: e.projected,
        gap: e.gap,
        met: e.met,
        values: planned_values.iter().map(|v| apply(x, *v)).collect(),
    };
    if !monotonic(&eval, lo, hi)? {
        return Ok(answer(Status::NotMonotonic, x0, eval(x0)?));
    }
    let start = x0.clamp(lo, hi);
    let e0 = eval(start)?;
    let (el, eh) = (eval(lo)?, eval(hi)?);
    if e0.met {
        // How far can it move? Towards the end where it breaks.
        let broken = if !el.met {
            Some(lo)
        } else if !eh.met {
            Some(hi)
        } else {
            None
        };
        let Some(end) = broken else {
            return Ok(answer(Status::HoldsThroughout, start, e0));
        };
        let x = bisect(&eval, end, start)?;
        return Ok(answer(Status::AlreadyHolds, x, eval(x)?));
    }
    let dist = |a: Decimal, b: Decimal| b.checked_sub(a).map(|d| d.abs()).unwrap_or(Decimal::MAX);
    let end = match (el.met, eh.met) {
        (true, true) if dist(lo, start) < dist(start, hi) => lo,
        (_, true) => hi,
        (true, false) => lo,
        (false, false) => {
            let closest = if el.gap.unwrap_or(Decimal::MIN) >= eh.gap.unwrap_or(Decimal::MIN) {
                (lo, el)
            } else {
                (hi, eh)
            };
            return Ok(answer(Status::NoSolution, closest.0, closest.1));
        }
    };
    let x = bisect(&eval, start, end)?;
    Ok(answer(Status::Solved, x, eval(x)?))
}

/// Where the search starts (the plan as written: ×1 or +0) and the bounds it
/// searches within (`within`, or 0 to 10 times, or ± ten times the driver's largest
/// planned value), low bound first.
fn start_and_bounds(p: &Problem, planned_values: &[Decimal]) -> (Decimal, (Decimal, Decimal)) {
    let (x0, (lo, hi)) = match p.mode {
        Mode::Scale => (
            Decimal::ONE,
            p.within.unwrap_or((Decimal::ZERO, Decimal::TEN)),
        ),
        Mode::Shift => {
            let m = planned_values
                .iter()
                .map(|v| v.abs())
                .max()
                .unwrap_or_default()
                .checked_mul(Decimal::TEN)
                .unwrap_or(Decimal::MAX);
            let m = if m.is_zero() { Decimal::ONE } else { m };
            (Decimal::ZERO, p.within.unwrap_or((-m, m)))
        }
    };
    (x0, if lo <= hi { (lo, hi) } else { (hi, lo) })
}

/// Whether the target's gap moves one way only across the bounds, judged at eleven
/// points.
fn monotonic(
    eval: &dyn Fn(Decimal) -> Result<Eval, EvalError>,
    lo: Decimal,
    hi: Decimal,
) -> Result<bool, EvalError> {
    // Eleven points, lo + (hi − lo)·i/10, in checked arithmetic (bounds may be
    // as wide as a decimal allows).
    let step = (hi / Decimal::TEN)
        .checked_sub(lo / Decimal::TEN)
        .unwrap_or(Decimal::ZERO);
    let mut gaps = Vec::new();
    for i in 0..=10i64 {
        let x = step
            .checked_mul(Decimal::from(i))
            .and_then(|d| lo.checked_add(d))
            .unwrap_or(hi)
            .min(hi);
        gaps.extend(eval(x)?.gap);
    }
    let up = gaps.windows(2).all(|w| w.first() <= w.get(1));
    let down = gaps.windows(2).all(|w| w.first() >= w.get(1));
    Ok(up || down)
}

/// Bisection between `bad` (target fails) and `good` (target holds); the result
/// is `good`'s side of the crossing, at six significant digits.
fn bisect(
    eval: &dyn Fn(Decimal) -> Result<Eval, EvalError>,
    mut bad: Decimal,
    mut good: Decimal,
) -> Result<Decimal, EvalError> {
    for _ in 0..200 {
        let scale = good.abs().max(bad.abs()).max(Decimal::new(1, 12));
        // Half of each, so that the midpoint cannot overflow.
        let (hb, hg) = (bad / Decimal::TWO, good / Decimal::TWO);
        let half_width = hg.checked_sub(hb).map(|d| d.abs()).unwrap_or(Decimal::MAX);
        if half_width <= scale / Decimal::TWO * Decimal::new(1, 12) {
            break;
        }
        let Some(mid) = hb.checked_add(hg) else { break };
        if mid == bad || mid == good {
            break;
        }
        if eval(mid)?.met {
            good = mid;
        } else {
            bad = mid;
        }
    }
    let up = good > bad;
    let mut x = round_sig(good, 6, up);
    // Rounding moved away from the crossing, so it holds; make sure.
    for _ in 0..3 {
        if eval(x)?.met {
            return Ok(x);
        }
        x = step_sig(x, 6, up);
    }
    Ok(good)
}

/// Decimal exponent of |v| (floor(log10|v|)); 0 for 0.
fn exponent(v: Decimal) -> i64 {
    let v = v.abs().normalize();
    if v.is_zero() {
        return 0;
    }
    let digits = v.mantissa().unsigned_abs().to_string().len() as i64;
    digits - 1 - i64::from(v.scale())
}

/// `v` to `sig` significant digits, rounded up (towards +∞) or down.
pub(crate) fn round_sig(v: Decimal, sig: i64, up: bool) -> Decimal {
    if v.is_zero() {
        return v;
    }
    let strategy = if up {
        RoundingStrategy::ToPositiveInfinity
    } else {
        RoundingStrategy::ToNegativeInfinity
    };
    let dp = sig - 1 - exponent(v);
    if dp >= 0 {
        v.round_dp_with_strategy(dp.min(28) as u32, strategy)
            .normalize()
    } else {
        let f = Decimal::from_i128_with_scale(10i128.pow((-dp).min(27) as u32), 0);
        v.checked_div(f)
            .map(|x| x.round_dp_with_strategy(0, strategy))
            .and_then(|x| x.checked_mul(f))
            .unwrap_or(v)
    }
}

/// One unit in the `sig`-th significant digit further up or down.
fn step_sig(v: Decimal, sig: i64, up: bool) -> Decimal {
    let e = exponent(v) - (sig - 1);
    let unit = if e >= 0 {
        Decimal::from_i128_with_scale(10i128.pow(e.min(27) as u32), 0)
    } else {
        Decimal::new(1, (-e).min(28) as u32)
    };
    let next = if up {
        v.checked_add(unit)
    } else {
        v.checked_sub(unit)
    };
    next.unwrap_or(v)
}
