//! Roll-ups (LANGUAGE.md §3.2): an item's value over a window of periods, and
//! the comparison every condition uses (§3).
//!
//! Takes the plan and one scenario's per-item series; gives back one exact
//! decimal per item and window. [`window_value`] is the single place that
//! decides what a quarter, a year or any window of an item is — tables and
//! `--by`, `x@2026-Q3`, `diff` totals, `explain`, hover and targets all call it:
//!
//! - `flow`: the sum of the window's periods;
//! - `stock`: its last period (a closing balance);
//! - `average`: the mean of its periods (an initiative member's, from the
//!   initiative's `start`);
//! - `formula`: the item's formula over its operands' roll-ups, recursively
//!   (`cac = sm_spend / new_deals` over a quarter is the quarter's spend over the
//!   quarter's deals); literals and single-valued operands stay what they are.
//!
//! [`default_aggregations`] gives every item whose roll-up is not written its
//! default: `stock` for a metric that reads its own `prev` (directly or through
//! other metrics) or is a `cumsum`; `formula` for a ratio or duration metric that
//! reads only same-period values; `average` for a ratio or duration driver, for a
//! metric that is one value for the whole horizon, and for the other ratio and
//! duration metrics; `flow` for everything else. The first of stock, formula,
//! average that fits wins.

use crate::builtins::Reads;
use crate::ir::{Builtin, Expr, ExprKind, ItemId, Plan};
use crate::syntax::ast::{Aggregation, BinOp, ItemKind, UnOp};
use crate::units::Unit;
use rust_decimal::prelude::*;
use std::collections::HashMap;
use std::ops::Range;

/// 10⁻²⁰: two values are equal when they differ by at most this share of the
/// larger (20 significant digits).
const TOLERANCE: Decimal = Decimal::from_parts(1, 0, 0, false, 20);

/// Deepest chain of `formula` roll-ups followed before giving up (the value is
/// then unknown); far beyond any real plan, and keeps the recursion bounded.
const MAX_FORMULA_DEPTH: usize = 10_000;

/// True when `a` and `b` agree to 20 significant digits:
/// |a − b| ≤ 10⁻²⁰ × max(|a|, |b|) (LANGUAGE.md §3).
#[inline]
pub fn approx_eq(a: Decimal, b: Decimal) -> bool {
    if a == b {
        return true;
    }
    if a.is_sign_negative() != b.is_sign_negative() && !a.is_zero() && !b.is_zero() {
        return false;
    }
    let Some(d) = a.checked_sub(b) else {
        return false;
    };
    let m = a.abs().max(b.abs());
    m.checked_mul(TOLERANCE).is_some_and(|t| d.abs() <= t)
}

/// Whether `a op b` holds, with [`approx_eq`]'s equality: `a < b` needs them to
/// differ, `a <= b` accepts them equal to 20 digits.
#[inline]
pub(crate) fn compare(op: BinOp, a: Decimal, b: Decimal) -> bool {
    match op {
        BinOp::Lt => a < b && !approx_eq(a, b),
        BinOp::Le => a <= b || approx_eq(a, b),
        BinOp::Gt => a > b && !approx_eq(a, b),
        BinOp::Ge => a >= b || approx_eq(a, b),
        BinOp::Eq => approx_eq(a, b),
        _ => !approx_eq(a, b),
    }
}

/// The word for a roll-up, as written in a declaration.
pub fn rollup_word(a: Aggregation) -> &'static str {
    match a {
        Aggregation::Flow => "flow",
        Aggregation::Stock => "stock",
        Aggregation::Average => "average",
        Aggregation::Formula => "formula",
    }
}

/// The roll-up [`window_value`] applies to `item`: its aggregation, except that a
/// `formula` whose expression reads more than same-period values of metrics (or
/// that is a driver, which scenarios may redefine) averages instead.
pub fn effective_rollup(plan: &Plan, item: ItemId) -> Aggregation {
    match plan.items.get(item) {
        Some(it) if it.aggregation == Aggregation::Formula => {
            if it.kind == ItemKind::Metric && same_period_only(&it.expr) {
                Aggregation::Formula
            } else {
                Aggregation::Average
            }
        }
        Some(it) => it.aggregation,
        None => Aggregation::Flow,
    }
}

/// The value of `item` over `periods` (indices into the horizon) in one scenario:
/// its roll-up (§3.2). `values` is one scenario's per-item series, as in
/// `ScenarioResult::values`. None when the window is empty or outside the
/// horizon, or the roll-up does not fit in a decimal (or divides by zero).
pub fn window_value(
    plan: &Plan,
    values: &[Vec<Decimal>],
    item: ItemId,
    periods: Range<usize>,
) -> Option<Decimal> {
    let get = |i: ItemId| values.get(i).map(Vec::as_slice);
    Window {
        plan,
        get: &get,
        periods,
        memo: HashMap::new(),
    }
    .value(item, 0)
}

/// [`window_value`] over values read through `get` (the evaluator's slots).
pub(crate) fn window_value_with<'v>(
    plan: &Plan,
    get: &dyn Fn(ItemId) -> Option<&'v [Decimal]>,
    item: ItemId,
    periods: Range<usize>,
) -> Option<Decimal> {
    Window {
        plan,
        get,
        periods,
        memo: HashMap::new(),
    }
    .value(item, 0)
}

struct Window<'p, 'g, 'v> {
    plan: &'p Plan,
    get: &'g dyn Fn(ItemId) -> Option<&'v [Decimal]>,
    periods: Range<usize>,
    /// Formula roll-ups already computed in this window.
    memo: HashMap<ItemId, Option<Decimal>>,
}

impl Window<'_, '_, '_> {
    fn value(&mut self, item: ItemId, depth: usize) -> Option<Decimal> {
        let series = (self.get)(item)?;
        let vals = series.get(self.periods.clone())?;
        match vals {
            [] => return None,
            [one] => return Some(*one),
            _ => {}
        }
        match effective_rollup(self.plan, item) {
            Aggregation::Flow => sum(vals),
            Aggregation::Stock => vals.last().copied(),
            Aggregation::Average => {
                let start = self
                    .plan
                    .items
                    .get(item)
                    .and_then(|it| it.initiative)
                    .and_then(|i| self.plan.initiatives.get(i))
                    .and_then(|i| i.start);
                let skip = match start {
                    Some(s) if s > self.periods.start as i64 => {
                        usize::try_from(s - self.periods.start as i64).unwrap_or(usize::MAX)
                    }
                    _ => 0,
                };
                match vals.get(skip..) {
                    Some(rest) if !rest.is_empty() => mean(rest),
                    // Entirely before the start: the member is 0 there.
                    _ => Some(Decimal::ZERO),
                }
            }
            Aggregation::Formula => {
                if depth > MAX_FORMULA_DEPTH {
                    return None;
                }
                if let Some(v) = self.memo.get(&item) {
                    return *v;
                }
                let expr = &self.plan.items.get(item)?.expr;
                let v = crate::stack::guard(|| self.formula(expr, depth + 1));
                self.memo.insert(item, v);
                v
            }
        }
    }

    /// A same-period expression over its operands' roll-ups.
    fn formula(&mut self, e: &Expr, depth: usize) -> Option<Decimal> {
        match &e.kind {
            ExprKind::Const(v, _) => Some(*v),
            ExprKind::Item(i) => self.value(*i, depth),
            ExprKind::Unary(op, a) => {
                let x = self.formula(a, depth)?;
                Some(match op {
                    UnOp::Neg => -x,
                    UnOp::Not => bool_value(x.is_zero()),
                })
            }
            ExprKind::Binary(op, a, b) => {
                let x = self.formula(a, depth)?;
                let y = self.formula(b, depth)?;
                match op {
                    BinOp::Add => x.checked_add(y),
                    BinOp::Sub => x.checked_sub(y),
                    BinOp::Mul => x.checked_mul(y),
                    BinOp::Div => x.checked_div(y),
                    BinOp::And => Some(bool_value(!x.is_zero() && !y.is_zero())),
                    BinOp::Or => Some(bool_value(!x.is_zero() || !y.is_zero())),
                    cmp => Some(bool_value(compare(*cmp, x, y))),
                }
            }
            ExprKind::If(c, a, b) => {
                if self.formula(c, depth)?.is_zero() {
                    self.formula(b, depth)
                } else {
                    self.formula(a, depth)
                }
            }
            ExprKind::Call(b, args) => self.call(*b, args, depth),
            _ => None,
        }
    }

    fn call(&mut self, b: Builtin, args: &[Expr], depth: usize) -> Option<Decimal> {
        let first = args.first()?;
        match b {
            Builtin::Min | Builtin::Max => {
                let mut acc = self.formula(first, depth)?;
                for a in args.get(1..).unwrap_or(&[]) {
                    let y = self.formula(a, depth)?;
                    acc = if b == Builtin::Min {
                        acc.min(y)
                    } else {
                        acc.max(y)
                    };
                }
                Some(acc)
            }
            Builtin::Abs => Some(self.formula(first, depth)?.abs()),
            Builtin::Round => {
                let x = self.formula(first, depth)?;
                let digits = match args.get(1).map(|d| &d.kind) {
                    Some(ExprKind::Const(d, _)) => d
                        .to_i64()
                        .unwrap_or(if d.is_sign_negative() { -28 } else { 28 })
                        .clamp(-28, 28),
                    _ => 0,
                };
                super::round_half_away(x, digits)
            }
            Builtin::Pow | Builtin::Root => {
                let x = self.formula(first, depth)?;
                let n = self.formula(args.get(1)?, depth)?;
                let r = if b == Builtin::Pow {
                    super::power::pow(x, n)
                } else {
                    super::power::root(x, n)
                };
                r.ok()
            }
            _ => None,
        }
    }
}

fn bool_value(b: bool) -> Decimal {
    if b {
        Decimal::ONE
    } else {
        Decimal::ZERO
    }
}

fn sum(vals: &[Decimal]) -> Option<Decimal> {
    vals.iter()
        .try_fold(Decimal::ZERO, |a, v| a.checked_add(*v))
}

fn mean(vals: &[Decimal]) -> Option<Decimal> {
    sum(vals)?.checked_div(Decimal::from(vals.len()))
}

/// True when `e` reads only same-period values: no `prev`, `cumsum`, `grow`,
/// `ramp`, `step`, window aggregates, `@`, `period_index` (nor `base`, which
/// reads another scenario).
pub(crate) fn same_period_only(e: &Expr) -> bool {
    let mut ok = true;
    e.walk(&mut |n| match &n.kind {
        ExprKind::Const(..)
        | ExprKind::Item(_)
        | ExprKind::Unary(..)
        | ExprKind::Binary(..)
        | ExprKind::If(..) => {}
        ExprKind::Call(b, _) => {
            if !matches!(
                b,
                Builtin::Min
                    | Builtin::Max
                    | Builtin::Round
                    | Builtin::Abs
                    | Builtin::Pow
                    | Builtin::Root
            ) {
                ok = false;
            }
        }
        _ => ok = false,
    });
    ok
}

/// A unit measuring time (`day`, `week`, `month`, `quarter`, `year`).
pub(crate) fn is_duration(u: &Unit) -> bool {
    match u.factors.as_slice() {
        [(n, 1)] => matches!(n.as_str(), "day" | "week" | "month" | "quarter" | "year"),
        _ => false,
    }
}

/// The default roll-up of every item (§3.2), whether or not one is written.
pub(crate) fn default_aggregations(plan: &Plan) -> Vec<Aggregation> {
    let stock = on_prev_cycle(plan);
    let mut single: Vec<Option<bool>> = vec![None; plan.items.len()];
    (0..plan.items.len())
        .map(|i| {
            let Some(it) = plan.items.get(i) else {
                return Aggregation::Flow;
            };
            let ratio = it.unit.is_ratio() || is_duration(&it.unit);
            match it.kind {
                ItemKind::Metric => {
                    if stock.get(i).copied().unwrap_or(false) || is_cumsum(&it.expr) {
                        Aggregation::Stock
                    } else if ratio && same_period_only(&it.expr) {
                        Aggregation::Formula
                    } else if ratio || single_valued(plan, i, &mut single, 0) {
                        Aggregation::Average
                    } else {
                        Aggregation::Flow
                    }
                }
                ItemKind::Driver if ratio => Aggregation::Average,
                ItemKind::Driver => Aggregation::Flow,
            }
        })
        .collect()
}

/// `cumsum(x)`, or a sum or difference with a `cumsum` term (`1M + cumsum(net)`).
fn is_cumsum(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Call(Builtin::Cumsum, _) => true,
        ExprKind::Binary(BinOp::Add | BinOp::Sub, a, b) => is_cumsum(a) || is_cumsum(b),
        _ => false,
    }
}

/// True when metric `i`'s formula is one value for the whole horizon (aggregates,
/// `x@P`, constants, and metrics that are).
fn single_valued(plan: &Plan, i: ItemId, memo: &mut [Option<bool>], depth: usize) -> bool {
    if let Some(Some(v)) = memo.get(i) {
        return *v;
    }
    let Some(it) = plan.items.get(i) else {
        return false;
    };
    if it.kind != ItemKind::Metric || depth > MAX_FORMULA_DEPTH {
        return false;
    }
    // Provisional answer while in progress (a cycle is not single-valued).
    if let Some(slot) = memo.get_mut(i) {
        *slot = Some(false);
    }
    let v = crate::stack::guard(|| expr_single(plan, &it.expr, memo, depth + 1));
    if let Some(slot) = memo.get_mut(i) {
        *slot = Some(v);
    }
    v
}

fn expr_single(plan: &Plan, e: &Expr, memo: &mut [Option<bool>], depth: usize) -> bool {
    match &e.kind {
        ExprKind::Const(..) | ExprKind::Period(..) | ExprKind::Window(..) | ExprKind::At(..) => {
            true
        }
        ExprKind::Item(j) => single_valued(plan, *j, memo, depth),
        ExprKind::Unary(_, a) => expr_single(plan, a, memo, depth),
        ExprKind::Binary(_, a, b) => {
            expr_single(plan, a, memo, depth) && expr_single(plan, b, memo, depth)
        }
        ExprKind::If(c, a, b) => {
            expr_single(plan, c, memo, depth)
                && expr_single(plan, a, memo, depth)
                && expr_single(plan, b, memo, depth)
        }
        // A window built-in folds its window into one value.
        ExprKind::Call(b, _) if matches!(b.reads(), Reads::Window(_)) => true,
        ExprKind::Call(
            Builtin::Min
            | Builtin::Max
            | Builtin::Round
            | Builtin::Abs
            | Builtin::Pow
            | Builtin::Root,
            args,
        ) => args.iter().all(|a| expr_single(plan, a, memo, depth)),
        _ => false,
    }
}

/// Metrics on a cycle of metric reads (every such cycle passes through `prev`,
/// or the plan would have a `cycle` error): they read their own `prev`.
fn on_prev_cycle(plan: &Plan) -> Vec<bool> {
    let n = plan.items.len();
    let is_metric = |j: usize| {
        plan.items
            .get(j)
            .is_some_and(|it| it.kind == ItemKind::Metric)
    };
    // The metric-to-metric reads, flat (one allocation for the whole graph);
    // no metric with a `prev` means no cycle at all.
    let mut offsets: Vec<usize> = Vec::with_capacity(n + 1);
    let mut targets: Vec<usize> = Vec::new();
    let mut any_prev = false;
    for it in &plan.items {
        offsets.push(targets.len());
        if it.kind != ItemKind::Metric {
            continue;
        }
        let from = targets.len();
        it.expr.walk(&mut |e| match &e.kind {
            ExprKind::Item(j) if is_metric(*j) => targets.push(*j),
            ExprKind::Call(Builtin::Prev, _) => any_prev = true,
            _ => {}
        });
        if let Some(new) = targets.get_mut(from..) {
            new.sort_unstable();
        }
        let mut k = from;
        let mut w = from;
        while let Some(&x) = targets.get(k) {
            if w == from || targets.get(w - 1) != Some(&x) {
                set(&mut targets, w, x);
                w += 1;
            }
            k += 1;
        }
        targets.truncate(w);
    }
    offsets.push(targets.len());
    let mut out = vec![false; n];
    if !any_prev {
        return out;
    }
    let succ = |v: usize, k: usize| -> Option<usize> {
        let a = offsets.get(v).copied()?;
        let b = offsets.get(v + 1).copied()?;
        if a + k < b {
            targets.get(a + k).copied()
        } else {
            None
        }
    };
    // Iterative Tarjan.
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0usize; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<usize> = Vec::new();
    let mut next = 0usize;
    for root in 0..n {
        if index.get(root).copied() != Some(usize::MAX) {
            continue;
        }
        let mut call: Vec<(usize, usize)> = vec![(root, 0)];
        while let Some(&mut (v, ref mut k)) = call.last_mut() {
            if *k == 0 && index.get(v).copied() == Some(usize::MAX) {
                set(&mut index, v, next);
                set(&mut low, v, next);
                next += 1;
                stack.push(v);
                set(&mut on_stack, v, true);
            }
            match succ(v, *k) {
                Some(w) => {
                    *k += 1;
                    if index.get(w).copied() == Some(usize::MAX) {
                        call.push((w, 0));
                    } else if on_stack.get(w).copied().unwrap_or(false) {
                        let lw = index.get(w).copied().unwrap_or(0);
                        let lv = low.get(v).copied().unwrap_or(0);
                        set(&mut low, v, lv.min(lw));
                    }
                }
                None => {
                    call.pop();
                    let lv = low.get(v).copied().unwrap_or(0);
                    if let Some(&(p, _)) = call.last() {
                        let lp = low.get(p).copied().unwrap_or(0);
                        set(&mut low, p, lp.min(lv));
                    }
                    if Some(lv) == index.get(v).copied() {
                        let mut comp = Vec::new();
                        while let Some(w) = stack.pop() {
                            set(&mut on_stack, w, false);
                            comp.push(w);
                            if w == v {
                                break;
                            }
                        }
                        let self_loop = (0..).map_while(|k| succ(v, k)).any(|w| w == v);
                        if comp.len() > 1 || self_loop {
                            for w in comp {
                                set(&mut out, w, true);
                            }
                        }
                    }
                }
            }
        }
    }
    out
}

fn set<T>(v: &mut [T], i: usize, x: T) {
    if let Some(s) = v.get_mut(i) {
        *s = x;
    }
}
