//! Evaluation: `ir::Plan` × scenario → monthly values of every driver and metric,
//! trigger firings, and the values of any condition.
//!
//! Each scenario becomes a [`program`]: one *slot* per item plus one per override
//! layer (scenario overrides, then playbook `set`s and `pause`s as triggers fire).
//! A layer's `Prior` reads the slot below it, so `set sm_spend = 0.8 * sm_spend`
//! means 80% of the value without that action. Slots are ordered by their strongly
//! connected components: a slot that depends on no cycle is computed for all
//! periods in one pass over the range (an item across all periods in one loop);
//! slots tied together through `prev` are computed period by period.
//!
//! All arithmetic is exact `rust_decimal` with checked operations: overflow,
//! division by zero and periods outside the horizon are [`EvalError`]s naming the
//! scenario, the period and the expression's span. Nothing here panics.

pub mod allocate;
pub(crate) mod power;
pub(crate) mod program;
pub mod window;

pub use window::{approx_eq, window_value};

use crate::diagnostic::{Code, Diagnostic};
use crate::ir::{self, Builtin, ExprKind, ItemId, Plan, ScenarioId, TriggerId};
use crate::source::Span;
use crate::syntax::ast::{Aggregation, BinOp, UnOp};
pub(crate) use program::Prepared;
use program::{Program, Reuse};
use rust_decimal::prelude::*;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

/// Most evaluation steps (expression nodes × periods they cover) one scenario, or
/// one condition or target, may take, trigger re-runs included. Keeps every plan's
/// evaluation bounded in time; a plan past it gets `limit-exceeded`.
pub(crate) const MAX_EVAL_STEPS: u64 = 250_000_000;

thread_local! {
    /// Steps left for the evaluation running on this thread.
    static FUEL: Cell<u64> = const { Cell::new(MAX_EVAL_STEPS) };
}

fn refuel() {
    FUEL.with(|f| f.set(MAX_EVAL_STEPS));
}

/// An error while computing values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalError {
    /// `division-by-zero`, `overflow` or `period-out-of-horizon`.
    pub(crate) code: Code,
    /// What went wrong.
    pub message: String,
    /// Scenario being evaluated.
    pub(crate) scenario: String,
    /// Period (`2026-05`) where it happened, when known.
    pub(crate) period: Option<String>,
    /// The expression that failed.
    pub(crate) span: Span,
}

impl EvalError {
    /// The error as a diagnostic.
    pub fn to_diagnostic(&self) -> Diagnostic {
        let at = match &self.period {
            Some(p) => format!(" in scenario `{}`, period {p}", self.scenario),
            None => format!(" in scenario `{}`", self.scenario),
        };
        let help = match self.code {
            Code::DivisionByZero => "guard the division, for example `if x == 0 then 0 else y / x`",
            Code::Overflow => "a value grew past 28 significant digits; check for runaway growth or units in the wrong scale",
            Code::TypeMismatch => "guard the input, for example `if x < 0 then 0 else root(x, 2)`; exponents must be whole numbers",
            Code::LimitExceeded => "shorten the horizon, use fewer triggers that fire one after another, or split the plan",
            _ => "use a period inside the plan's horizon",
        };
        Diagnostic::error(self.code, self.span, format!("{}{at}", self.message))
            .with_label(self.message.clone())
            .with_help(help)
    }
}

/// The values of one scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioResult {
    /// Which scenario.
    pub scenario: ScenarioId,
    /// Per item (same order as `Plan::items`), one value per period.
    pub values: Vec<Vec<Decimal>>,
    /// Every trigger that applies to this scenario with the period index it fired
    /// at, or None.
    pub fired: Vec<(TriggerId, Option<i64>)>,
}

/// All evaluated scenarios.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Results {
    /// In the order of `Plan::scenarios`, only those requested (base is always
    /// computed, since `base(x)` needs it, but appears only when requested).
    pub scenarios: Vec<ScenarioResult>,
}

impl Results {
    /// The result of one scenario.
    pub fn get(&self, s: ScenarioId) -> Option<&ScenarioResult> {
        self.scenarios.iter().find(|r| r.scenario == s)
    }
}

/// Simulated series that stand in for what some layers compute (UNCERTAINTY.md):
/// an item's declaration or a scenario's override, each with one value per
/// period of the horizon (periods before the layer applies are not read).
/// Everything else, playbooks included, is computed as usual from them.
#[derive(Debug, Clone, Default)]
pub(crate) struct Draws {
    /// (driver, the layer replaced, its values).
    pub(crate) layers: Vec<(ItemId, program::Layer, Vec<Decimal>)>,
}

/// Evaluates one scenario (its triggers included) with some layers replaced by
/// drawn series; `base` holds base's values under the same draws (None for base).
/// With `reuse` (a reference evaluation's item values, and per item whether it
/// may be copied from them: a plain declaration there that no draw replaces),
/// slots certain to equal the reference are copied, not computed. Also returns
/// which items are plain declarations in this evaluation.
pub(crate) fn evaluate_drawn<'p>(
    plan: &'p Plan,
    s: ScenarioId,
    base: Option<&[Vec<Decimal>]>,
    prep: &Prepared,
    draws: &Draws,
    reuse: Option<(&[Vec<Decimal>], &[bool])>,
    cache: Option<&ProgramCache<'p>>,
) -> Result<(ScenarioResult, Vec<bool>), EvalError> {
    scenario_cached(plan, s, base, prep, reuse, Some(draws), cache)
}

/// Which scenarios to evaluate.
#[derive(Debug, Clone, Default)]
pub struct EvalOptions {
    /// None: every scenario.
    pub scenarios: Option<Vec<ScenarioId>>,
}

/// Values fixed in advance, for the rolling forecast: per item (in `Plan::items`
/// order; empty for an item with none), per period, Some where the value is
/// fixed. A fixed value replaces whatever the item's formula, scenario override
/// or playbook `set` computes in that period, before anything reads it.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Pinned {
    /// Per item, per period.
    pub values: Vec<Vec<Option<Decimal>>>,
}

/// Evaluates the plan. The plan must have passed the checks without errors (a
/// cycle would otherwise be evaluated in an arbitrary order).
pub fn evaluate(plan: &Plan, opts: &EvalOptions) -> Result<Results, EvalError> {
    evaluate_with(plan, opts, &Prepared::new(plan, true))
}

/// [`evaluate`] with some values fixed in advance (the actuals of closed periods):
/// items that read a pinned value see it, `prev` chains continue from it and
/// triggers are evaluated on it.
pub(crate) fn evaluate_pinned(
    plan: &Plan,
    opts: &EvalOptions,
    pinned: Pinned,
) -> Result<Results, EvalError> {
    let mut prep = Prepared::new(plan, true);
    prep.pinned = Some(pinned);
    evaluate_with(plan, opts, &prep)
}

/// [`evaluate`] with the plan's references already collected (`compile` builds
/// them once, for the cycle check and for evaluation).
pub(crate) fn evaluate_with(
    plan: &Plan,
    opts: &EvalOptions,
    prep: &Prepared,
) -> Result<Results, EvalError> {
    let wanted: Vec<ScenarioId> = match &opts.scenarios {
        Some(s) => s.clone(),
        None => (0..plan.scenarios.len()).collect(),
    };
    let (base, base_plain) = scenario_with(plan, plan.base, None, prep, None, None)?;
    let rest: Vec<ScenarioId> = (0..plan.scenarios.len())
        .filter(|s| *s != plan.base && wanted.contains(s))
        .collect();
    let reuse = Some((base.values.as_slice(), base_plain.as_slice()));
    let one = |s: &ScenarioId| {
        scenario_with(plan, *s, Some(&base.values), prep, reuse, None).map(|(r, _)| r)
    };
    let big = plan.items.len().saturating_mul(plan.len) >= PARALLEL_CELLS
        && rest.len() > 1
        && std::thread::available_parallelism().is_ok_and(|n| n.get() > 1);
    let others: Vec<ScenarioResult> = if big {
        // The other scenarios only read base: half of them on another thread.
        // The first error in scenario order wins, as it would one by one.
        let (mine, theirs) = rest.split_at(rest.len() / 2);
        let all = std::thread::scope(|scope| {
            let worker = std::thread::Builder::new()
                .stack_size(WORKER_STACK)
                .spawn_scoped(scope, || theirs.iter().map(one).collect::<Vec<_>>());
            let mut all: Vec<_> = mine.iter().map(one).collect();
            match worker.ok().and_then(|w| w.join().ok()) {
                Some(done) => all.extend(done),
                None => all.extend(theirs.iter().map(one)),
            }
            all
        });
        all.into_iter().collect::<Result<_, _>>()?
    } else {
        rest.iter().map(one).collect::<Result<_, _>>()?
    };
    // In scenario order, base moved in (not copied) where it belongs.
    let mut base = wanted.contains(&plan.base).then_some(base);
    let mut others = others.into_iter();
    let mut out = Vec::new();
    for s in 0..plan.scenarios.len() {
        if s == plan.base {
            out.extend(base.take());
        } else if wanted.contains(&s) {
            out.extend(others.next());
        }
    }
    Ok(Results { scenarios: out })
}

/// Plans with at least this many cells per scenario evaluate their scenarios
/// other than base on two threads.
const PARALLEL_CELLS: usize = 50_000;
/// Stack of the second evaluation thread (evaluation recurses on formulas, whose
/// depth is bounded).
const WORKER_STACK: usize = 16 * 1024 * 1024;

/// Evaluates one scenario; `base` holds the base scenario's item values (None when
/// evaluating base itself).
pub fn evaluate_scenario(
    plan: &Plan,
    s: ScenarioId,
    base: Option<&[Vec<Decimal>]>,
) -> Result<ScenarioResult, EvalError> {
    Ok(scenario_with(plan, s, base, &Prepared::new(plan, true), None, None)?.0)
}

/// Evaluates one scenario; with `reuse` (base's item values and which items are
/// plain declarations there), values certain to equal base's are copied, not
/// computed. Also returns which items are plain declarations in this scenario.
fn scenario_with(
    plan: &Plan,
    s: ScenarioId,
    base: Option<&[Vec<Decimal>]>,
    prep: &Prepared,
    reuse: Option<(&[Vec<Decimal>], &[bool])>,
    draws: Option<&Draws>,
) -> Result<(ScenarioResult, Vec<bool>), EvalError> {
    scenario_cached(plan, s, base, prep, reuse, draws, None)
}

/// Programs of one plan kept across evaluations (simulation runs): per scenario
/// and set of fired triggers, the program and which of its slots may be copied
/// from the reference (the `reuse` flags must be the same for every evaluation
/// that shares a cache).
#[derive(Default)]
pub(crate) struct ProgramCache<'p> {
    map: RefCell<HashMap<ProgramKey, Rc<CachedProgram<'p>>>>,
}

type ProgramKey = (ScenarioId, Vec<(TriggerId, i64)>);
type CachedProgram<'p> = (Program<'p>, Option<Vec<bool>>);

/// [`scenario_with`], reusing programs from `cache`.
fn scenario_cached<'p>(
    plan: &'p Plan,
    s: ScenarioId,
    base: Option<&[Vec<Decimal>]>,
    prep: &Prepared,
    reuse: Option<(&[Vec<Decimal>], &[bool])>,
    draws: Option<&Draws>,
    cache: Option<&ProgramCache<'p>>,
) -> Result<(ScenarioResult, Vec<bool>), EvalError> {
    refuel();
    let triggers = plan.triggers_for(s);
    let mut fired: Vec<(TriggerId, Option<i64>)> = triggers.iter().map(|t| (*t, None)).collect();
    let name = plan
        .scenarios
        .get(s)
        .map(|x| x.name.as_str())
        .unwrap_or("?");
    let n = plan.len;
    let mut scan_from = 0usize;
    // Each round fires at least one trigger, so this ends after at most
    // `triggers.len() + 1` rounds.
    loop {
        let firing: Vec<(TriggerId, i64)> = fired
            .iter()
            .filter_map(|(t, f)| f.map(|p| (*t, p)))
            .collect();
        let build = || {
            let prog = Program::build_with(plan, s, &firing, Some(prep));
            let same = reuse.map(|(_, plain)| prog.same_as_base(plain));
            Rc::new((prog, same))
        };
        let entry = match cache {
            Some(c) => {
                let key = (s, firing.clone());
                let hit = c.map.borrow().get(&key).cloned();
                match hit {
                    Some(e) => e,
                    None => {
                        let e = build();
                        c.map.borrow_mut().insert(key, e.clone());
                        e
                    }
                }
            }
            None => build(),
        };
        let (prog, same) = (&entry.0, &entry.1);
        let values = prog.run_with(
            plan,
            name,
            base,
            Some(prep),
            reuse
                .zip(same.as_deref())
                .map(|((values, _), same)| Reuse { values, same }),
            draws,
        )?;
        let mut newly: Vec<usize> = Vec::new();
        if fired.iter().any(|f| f.1.is_none()) {
            let ev = Ev::new(plan, &values, &prog.top, base, name, None);
            let mut conds: Vec<(usize, Vec<usize>, u32)> = Vec::new();
            for (k, (t, f)) in fired.iter().enumerate() {
                if f.is_some() {
                    continue;
                }
                let Some(trig) = plan.triggers.get(*t) else {
                    continue;
                };
                let v = ev.eval(&trig.when, 0, n)?;
                // How many periods in a row the condition has held, ending at each.
                let mut run = 0usize;
                let held: Vec<usize> = (0..n)
                    .map(|i| {
                        run = if v.at(i).is_zero() { 0 } else { run + 1 };
                        run
                    })
                    .collect();
                conds.push((k, held, trig.for_months.max(1)));
            }
            'periods: for t in scan_from..n {
                for (k, held, need) in &conds {
                    if held.get(t).copied().unwrap_or(0) >= *need as usize {
                        newly.push(*k);
                    }
                }
                if !newly.is_empty() {
                    for k in &newly {
                        if let Some(f) = fired.get_mut(*k) {
                            f.1 = Some(t as i64);
                        }
                    }
                    scan_from = t + 1;
                    break 'periods;
                }
            }
        }
        if newly.is_empty() {
            let plain = prog.plain_items();
            let values = prog.item_values_from(values);
            return Ok((
                ScenarioResult {
                    scenario: s,
                    values,
                    fired,
                },
                plain,
            ));
        }
    }
}

/// Evaluates an expression (a condition, a target side) against computed values.
pub(crate) fn eval_expr(
    plan: &Plan,
    result: &ScenarioResult,
    base: Option<&[Vec<Decimal>]>,
    e: &ir::Expr,
) -> Result<Value, EvalError> {
    refuel();
    let top: Vec<usize> = (0..plan.items.len()).collect();
    let name = plan
        .scenarios
        .get(result.scenario)
        .map(|x| x.name.as_str())
        .unwrap_or("?");
    let base = if result.scenario == plan.base {
        None
    } else {
        base
    };
    let ev = Ev::new(plan, &result.values, &top, base, name, None);
    Ok(ev.eval(e, 0, plan.len)?.into_value())
}

/// The value of an expression over the horizon.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    /// The same in every period (aggregates, constants).
    Scalar(Decimal),
    /// One value per period.
    Series(Vec<Decimal>),
}

impl Value {
    /// The value in period `t`.
    pub(crate) fn at(&self, t: usize) -> Decimal {
        match self {
            Value::Scalar(v) => *v,
            Value::Series(s) => s.get(t).copied().unwrap_or_default(),
        }
    }
}

/// Rolls months up into one value: a flow sums, a stock takes the last month,
/// an average averages (rounded half-to-even where the quotient does not fit).
/// A `formula` needs its operands: this averages; [`window_value`] applies it.
pub(crate) fn rollup(values: &[Decimal], agg: Aggregation) -> Option<Decimal> {
    match agg {
        Aggregation::Flow => values
            .iter()
            .try_fold(Decimal::ZERO, |a, v| a.checked_add(*v)),
        Aggregation::Stock => values.last().copied(),
        Aggregation::Average | Aggregation::Formula => {
            if values.is_empty() {
                return Some(Decimal::ZERO);
            }
            let s = values
                .iter()
                .try_fold(Decimal::ZERO, |a, v| a.checked_add(*v))?;
            s.checked_div(Decimal::from(values.len()))
        }
    }
}

/// A value over a range of periods `lo..hi`: the same in all of them, or one each
/// (borrowed from computed values, or computed here).
#[derive(Debug, Clone)]
pub(crate) enum Val<'a> {
    Scalar(Decimal),
    Slice(&'a [Decimal]),
    Owned(Vec<Decimal>),
}

impl Val<'_> {
    #[inline]
    fn at(&self, i: usize) -> Decimal {
        match self {
            Val::Scalar(v) => *v,
            Val::Slice(s) => s.get(i).copied().unwrap_or_default(),
            Val::Owned(s) => s.get(i).copied().unwrap_or_default(),
        }
    }

    /// The values of a series (None for a scalar).
    #[inline]
    fn series(&self) -> Option<&[Decimal]> {
        match self {
            Val::Scalar(_) => None,
            Val::Slice(s) => Some(s),
            Val::Owned(s) => Some(s),
        }
    }

    pub(crate) fn into_vec(self, len: usize) -> Vec<Decimal> {
        match self {
            Val::Scalar(v) => vec![v; len],
            Val::Slice(s) => s.to_vec(),
            Val::Owned(s) => s,
        }
    }

    fn into_value(self) -> Value {
        match self {
            Val::Scalar(v) => Value::Scalar(v),
            Val::Slice(s) => Value::Series(s.to_vec()),
            Val::Owned(s) => Value::Series(s),
        }
    }
}

/// A subexpression computed ahead over the whole horizon (see
/// `program::Program::run`): the node, by address, and its values.
pub(crate) type Hoisted = (*const ir::Expr, Vec<Decimal>);

/// The evaluator: reads slot values, computes expressions over period ranges
/// ([`Ev::eval`], one loop per node over the range) or in one period ([`Ev::at`],
/// no allocation; used where periods must be computed one by one).
pub(crate) struct Ev<'a> {
    pub(crate) plan: &'a Plan,
    pub(crate) values: &'a [Vec<Decimal>],
    pub(crate) top: &'a [usize],
    pub(crate) base: Option<&'a [Vec<Decimal>]>,
    pub scenario: &'a str,
    /// The slot a `Prior` reads.
    pub(crate) below: Option<usize>,
    /// Inside `base(…)` in a scenario other than base: items read base's values.
    pub(crate) in_base: bool,
    /// Subexpressions already computed (looked up by [`Ev::at`] only).
    pub(crate) hoisted: &'a [Hoisted],
}

const TRUE: Decimal = Decimal::ONE;
const FALSE: Decimal = Decimal::ZERO;

fn truth(b: bool) -> Decimal {
    if b {
        TRUE
    } else {
        FALSE
    }
}

/// The checked arithmetic of a binary operator (None: it overflows), or the
/// value of a comparison or logical operator.
#[inline]
fn apply(op: BinOp, p: Decimal, q: Decimal) -> Option<Decimal> {
    match op {
        BinOp::Add => p.checked_add(q),
        BinOp::Sub => p.checked_sub(q),
        BinOp::Mul => p.checked_mul(q),
        BinOp::Div => p.checked_div(q),
        _ => Some(logic(op, p, q)),
    }
}

/// A comparison or logical operator on two values.
#[inline]
fn logic(op: BinOp, p: Decimal, q: Decimal) -> Decimal {
    match op {
        BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::Eq | BinOp::Ne => {
            truth(window::compare(op, p, q))
        }
        BinOp::Or => truth(!p.is_zero() || !q.is_zero()),
        // `and`, and (unreachable) arithmetic
        _ => truth(!p.is_zero() && !q.is_zero()),
    }
}

/// A built-in call's arguments. A missing one reads as a literal zero at the
/// call's span (resolve checks arities, so only a plan with an error already
/// reported gets there).
struct Args<'e> {
    list: &'e [ir::Expr],
    zero: ir::Expr,
}

impl<'e> Args<'e> {
    fn new(list: &'e [ir::Expr], span: Span) -> Args<'e> {
        Args {
            list,
            zero: ir::Expr {
                kind: ExprKind::Const(Decimal::ZERO, None),
                span,
            },
        }
    }

    /// Argument `i`, when it is written.
    fn opt(&self, i: usize) -> Option<&'e ir::Expr> {
        self.list.get(i)
    }

    /// Argument `i`, or zero.
    fn get(&self, i: usize) -> &ir::Expr {
        self.list.get(i).unwrap_or(&self.zero)
    }
}

impl<'a> Ev<'a> {
    /// An evaluator over computed values with no hoisted subexpressions.
    pub(crate) fn new(
        plan: &'a Plan,
        values: &'a [Vec<Decimal>],
        top: &'a [usize],
        base: Option<&'a [Vec<Decimal>]>,
        scenario: &'a str,
        below: Option<usize>,
    ) -> Ev<'a> {
        Ev {
            plan,
            values,
            top,
            base,
            scenario,
            below,
            in_base: false,
            hoisted: &[],
        }
    }

    fn err(
        &self,
        code: Code,
        message: impl Into<String>,
        t: Option<usize>,
        span: Span,
    ) -> EvalError {
        EvalError {
            code,
            message: message.into(),
            scenario: self.scenario.to_string(),
            period: t.map(|t| self.plan.period_label(t as i64)),
            span,
        }
    }

    fn overflow(&self, t: usize, span: Span) -> EvalError {
        self.err(
            Code::Overflow,
            "the result is too large for an exact decimal",
            Some(t),
            span,
        )
    }

    fn outside(&self, t: usize, span: Span) -> EvalError {
        self.err(
            Code::PeriodOutOfHorizon,
            "a period outside the horizon was read",
            Some(t),
            span,
        )
    }

    /// The values an item reference reads: base's when inside `base(…)`, else
    /// the slot (`Prior`: the slot below the one being computed).
    #[inline]
    fn source(&self, item: ItemId, prior: bool) -> Option<&'a [Decimal]> {
        if self.in_base {
            if let Some(b) = self.base {
                return b.get(item).map(Vec::as_slice);
            }
        }
        let slot = if prior {
            self.below
                .unwrap_or_else(|| self.top.get(item).copied().unwrap_or(usize::MAX))
        } else {
            self.top.get(item).copied().unwrap_or(usize::MAX)
        };
        let values: &'a [Vec<Decimal>] = self.values;
        values.get(slot).map(Vec::as_slice)
    }

    fn read(
        &self,
        item: ItemId,
        prior: bool,
        lo: usize,
        hi: usize,
        span: Span,
    ) -> Result<Val<'a>, EvalError> {
        match self.source(item, prior).and_then(|v| v.get(lo..hi)) {
            Some(s) => Ok(Val::Slice(s)),
            None => Err(self.outside(lo, span)),
        }
    }

    /// Evaluates `e` over periods `lo..hi` (indices into the horizon).
    pub(crate) fn eval(&self, e: &ir::Expr, lo: usize, hi: usize) -> Result<Val<'a>, EvalError> {
        let cost = hi.saturating_sub(lo) as u64 + 1;
        let left = FUEL.with(|f| {
            let left = f.get();
            f.set(left.saturating_sub(cost));
            left
        });
        if left < cost {
            return Err(self.err(
                Code::LimitExceeded,
                format!(
                    "evaluation takes more than {} million steps",
                    MAX_EVAL_STEPS / 1_000_000
                ),
                None,
                e.span,
            ));
        }
        crate::stack::guard(|| self.eval_node(e, lo, hi))
    }

    fn eval_node(&self, e: &ir::Expr, lo: usize, hi: usize) -> Result<Val<'a>, EvalError> {
        let len = hi.saturating_sub(lo);
        match &e.kind {
            ExprKind::Const(v, _) => Ok(Val::Scalar(*v)),
            ExprKind::Item(i) => self.read(*i, false, lo, hi, e.span),
            ExprKind::Prior(i) => self.read(*i, true, lo, hi, e.span),
            ExprKind::Period(..) | ExprKind::Window(..) | ExprKind::Error => {
                Ok(Val::Scalar(Decimal::ZERO))
            }
            ExprKind::Unary(op, a) => {
                let v = self.eval(a, lo, hi)?;
                let f = |x: Decimal| match op {
                    UnOp::Neg => -x,
                    UnOp::Not => truth(x.is_zero()),
                };
                Ok(map1(v, len, f))
            }
            ExprKind::Binary(op, a, b) => {
                let x = self.eval(a, lo, hi)?;
                let y = self.eval(b, lo, hi)?;
                self.binary(*op, x, y, lo, len, e.span)
            }
            ExprKind::If(c, a, b) => {
                let cv = self.eval(c, lo, hi)?;
                if let Val::Scalar(cv) = cv {
                    return if cv.is_zero() {
                        self.eval(b, lo, hi)
                    } else {
                        self.eval(a, lo, hi)
                    };
                }
                let mut out = Vec::with_capacity(len);
                for i in 0..len {
                    let branch = if cv.at(i).is_zero() { b } else { a };
                    out.push(self.at(branch, lo + i)?);
                }
                Ok(Val::Owned(out))
            }
            ExprKind::Step(entries) => {
                let mut out = vec![Decimal::ZERO; len];
                for (k, (p, v)) in entries.iter().enumerate() {
                    let next = entries.get(k + 1).map(|x| x.0).unwrap_or(i64::MAX);
                    let s = (*p).max(lo as i64);
                    let en = next.min(hi as i64);
                    if s >= en {
                        continue;
                    }
                    let (s, en) = (s as usize, en as usize);
                    let val = self.eval(v, s, en)?;
                    let dst = out.get_mut(s - lo..en - lo).unwrap_or_default();
                    match val {
                        Val::Scalar(x) => dst.fill(x),
                        other => {
                            for (k, o) in dst.iter_mut().enumerate() {
                                *o = other.at(k);
                            }
                        }
                    }
                }
                Ok(scalarize(out))
            }
            ExprKind::At(x, s, en) => {
                let (s, en) = (*s, *en);
                if s < 0 || en >= self.plan.len as i64 || en < s {
                    return Err(self.err(
                        Code::PeriodOutOfHorizon,
                        "this period is outside the plan's horizon",
                        None,
                        e.span,
                    ));
                }
                let (s, en) = (s as usize, en as usize);
                let v = self.eval(x, s, en + 1)?;
                if s == en {
                    return Ok(Val::Scalar(v.at(0)));
                }
                let r = match &x.kind {
                    ExprKind::Item(i) => {
                        let get = |j: ItemId| self.source(j, false);
                        window::window_value_with(self.plan, &get, *i, s..en + 1)
                    }
                    _ => match v.series() {
                        Some(vals) => rollup(vals, Aggregation::Flow),
                        None => rollup(&v.into_vec(en + 1 - s), Aggregation::Flow),
                    },
                };
                r.map(Val::Scalar).ok_or_else(|| self.overflow(en, e.span))
            }
            ExprKind::Call(b, args) => self.call(*b, args, lo, hi, e.span),
        }
    }

    /// Evaluates `e` in period `t` alone: the same value and the same errors as
    /// `eval(e, t, t + 1)`, without allocating for the common nodes.
    pub(crate) fn at(&self, e: &ir::Expr, t: usize) -> Result<Decimal, EvalError> {
        crate::stack::guard(|| self.at_node(e, t))
    }

    fn at_node(&self, e: &ir::Expr, t: usize) -> Result<Decimal, EvalError> {
        if !self.hoisted.is_empty() {
            let p: *const ir::Expr = e;
            if let Some((_, col)) = self.hoisted.iter().find(|(h, _)| *h == p) {
                return Ok(col.get(t).copied().unwrap_or_default());
            }
        }
        match &e.kind {
            ExprKind::Const(v, _) => Ok(*v),
            ExprKind::Item(i) => self
                .source(*i, false)
                .and_then(|v| v.get(t))
                .copied()
                .ok_or_else(|| self.outside(t, e.span)),
            ExprKind::Prior(i) => self
                .source(*i, true)
                .and_then(|v| v.get(t))
                .copied()
                .ok_or_else(|| self.outside(t, e.span)),
            ExprKind::Period(..) | ExprKind::Window(..) | ExprKind::Error => Ok(Decimal::ZERO),
            ExprKind::Unary(op, a) => {
                let x = self.at(a, t)?;
                Ok(match op {
                    UnOp::Neg => -x,
                    UnOp::Not => truth(x.is_zero()),
                })
            }
            ExprKind::Binary(op, a, b) => {
                let x = self.at(a, t)?;
                let y = self.at(b, t)?;
                if *op == BinOp::Div && y.is_zero() {
                    return Err(self.fail(Code::DivisionByZero, *op, t, e.span));
                }
                apply(*op, x, y).ok_or_else(|| self.fail(Code::Overflow, *op, t, e.span))
            }
            ExprKind::If(c, a, b) => {
                if self.at(c, t)?.is_zero() {
                    self.at(b, t)
                } else {
                    self.at(a, t)
                }
            }
            ExprKind::Step(entries) => {
                let ti = t as i64;
                for (k, (p, v)) in entries.iter().enumerate() {
                    let next = entries.get(k + 1).map(|x| x.0).unwrap_or(i64::MAX);
                    if *p <= ti && ti < next {
                        return self.at(v, t);
                    }
                }
                Ok(Decimal::ZERO)
            }
            ExprKind::Call(b, args) => {
                let a0 = args.first();
                match b {
                    Builtin::Prev => {
                        let init = match args.get(1) {
                            Some(x) => Some(self.at(x, t)?),
                            None => None,
                        };
                        match (t, a0) {
                            (0, _) => Ok(init.unwrap_or_default()),
                            (_, Some(a)) => self.at(a, t - 1),
                            (_, None) => Ok(Decimal::ZERO),
                        }
                    }
                    Builtin::Min | Builtin::Max => {
                        let mut acc = match a0 {
                            Some(a) => self.at(a, t)?,
                            None => Decimal::ZERO,
                        };
                        for a in args.iter().skip(1) {
                            let y = self.at(a, t)?;
                            acc = if *b == Builtin::Min {
                                acc.min(y)
                            } else {
                                acc.max(y)
                            };
                        }
                        Ok(acc)
                    }
                    Builtin::Abs => Ok(match a0 {
                        Some(a) => self.at(a, t)?.abs(),
                        None => Decimal::ZERO,
                    }),
                    Builtin::PeriodIndex => Ok(Decimal::from(t)),
                    Builtin::Base => {
                        let Some(a) = a0 else {
                            return Ok(Decimal::ZERO);
                        };
                        match self.base {
                            Some(_) => Ev {
                                in_base: true,
                                ..*self
                            }
                            .at(a, t),
                            None => self.at(a, t),
                        }
                    }
                    _ => Ok(self.eval(e, t, t + 1)?.at(0)),
                }
            }
            ExprKind::At(..) => Ok(self.eval(e, t, t + 1)?.at(0)),
        }
    }

    fn binary(
        &self,
        op: BinOp,
        x: Val<'a>,
        y: Val<'a>,
        lo: usize,
        len: usize,
        span: Span,
    ) -> Result<Val<'a>, EvalError> {
        // One loop per operator, each with its arithmetic inlined.
        match op {
            BinOp::Add => self.arith(Decimal::checked_add, op, x, y, lo, len, span),
            BinOp::Sub => self.arith(Decimal::checked_sub, op, x, y, lo, len, span),
            BinOp::Mul => self.arith(Decimal::checked_mul, op, x, y, lo, len, span),
            BinOp::Div => self.arith(Decimal::checked_div, op, x, y, lo, len, span),
            _ => Ok(map2(x, y, len, |p, q| logic(op, p, q))),
        }
    }

    #[allow(clippy::too_many_arguments)]
    #[inline]
    fn arith(
        &self,
        f: impl Fn(Decimal, Decimal) -> Option<Decimal> + Copy,
        op: BinOp,
        x: Val<'a>,
        y: Val<'a>,
        lo: usize,
        len: usize,
        span: Span,
    ) -> Result<Val<'a>, EvalError> {
        if op == BinOp::Div {
            // Tell a zero divisor from an overflow.
            match &y {
                Val::Scalar(q) if q.is_zero() => {
                    return Err(self.fail(Code::DivisionByZero, op, lo, span))
                }
                Val::Scalar(_) => {}
                series => {
                    if let Some(i) = series
                        .series()
                        .and_then(|s| s.iter().position(|q| q.is_zero()))
                    {
                        return Err(self.fail(Code::DivisionByZero, op, lo + i, span));
                    }
                }
            }
        }
        let fail = |i: usize| self.fail(Code::Overflow, op, lo + i, span);
        match (x, y) {
            (Val::Scalar(p), Val::Scalar(q)) => f(p, q).map(Val::Scalar).ok_or_else(|| fail(0)),
            (x, y) if len == 1 => f(x.at(0), y.at(0)).map(Val::Scalar).ok_or_else(|| fail(0)),
            // Reuse a buffer computed below, in place.
            (Val::Owned(mut xs), y) if xs.len() == len => {
                match y.series() {
                    Some(ys) if ys.len() == len => {
                        for (i, (p, q)) in xs.iter_mut().zip(ys).enumerate() {
                            *p = f(*p, *q).ok_or_else(|| fail(i))?;
                        }
                    }
                    _ => {
                        for (i, p) in xs.iter_mut().enumerate() {
                            *p = f(*p, y.at(i)).ok_or_else(|| fail(i))?;
                        }
                    }
                }
                Ok(Val::Owned(xs))
            }
            (x, Val::Owned(mut ys)) if ys.len() == len => {
                match x.series() {
                    Some(xs) if xs.len() == len => {
                        for (i, (q, p)) in ys.iter_mut().zip(xs).enumerate() {
                            *q = f(*p, *q).ok_or_else(|| fail(i))?;
                        }
                    }
                    _ => {
                        for (i, q) in ys.iter_mut().enumerate() {
                            *q = f(x.at(i), *q).ok_or_else(|| fail(i))?;
                        }
                    }
                }
                Ok(Val::Owned(ys))
            }
            (x, y) => {
                let mut out = Vec::with_capacity(len);
                match (&x, &y) {
                    (Val::Slice(xs), Val::Slice(ys)) if xs.len() == len && ys.len() == len => {
                        for (i, (p, q)) in xs.iter().zip(ys.iter()).enumerate() {
                            out.push(f(*p, *q).ok_or_else(|| fail(i))?);
                        }
                    }
                    (Val::Slice(xs), Val::Scalar(q)) if xs.len() == len => {
                        for (i, p) in xs.iter().enumerate() {
                            out.push(f(*p, *q).ok_or_else(|| fail(i))?);
                        }
                    }
                    (Val::Scalar(p), Val::Slice(ys)) if ys.len() == len => {
                        for (i, q) in ys.iter().enumerate() {
                            out.push(f(*p, *q).ok_or_else(|| fail(i))?);
                        }
                    }
                    _ => {
                        for i in 0..len {
                            out.push(f(x.at(i), y.at(i)).ok_or_else(|| fail(i))?);
                        }
                    }
                }
                Ok(Val::Owned(out))
            }
        }
    }

    fn power_error(
        &self,
        e: power::PowerError,
        name: &str,
        x: Decimal,
        n: Decimal,
        t: usize,
        span: Span,
    ) -> EvalError {
        let (code, msg) = match e {
            power::PowerError::Overflow => (
                Code::Overflow,
                format!("`{name}` overflows an exact decimal"),
            ),
            power::PowerError::DivisionByZero => (
                Code::DivisionByZero,
                format!("`{name}(0, {n})` divides by zero"),
            ),
            power::PowerError::BadExponent => (
                Code::TypeMismatch,
                format!(
                    "the exponent of `{name}` must be a whole number from {} to {}, but it is {n}",
                    if name == "root" { 1 } else { -ir::MAX_EXPONENT },
                    ir::MAX_EXPONENT
                ),
            ),
            power::PowerError::NegativeRoot => (
                Code::TypeMismatch,
                format!("an even root of a negative number ({x}) has no value"),
            ),
        };
        self.err(code, msg, Some(t), span)
    }

    fn fail(&self, code: Code, op: BinOp, t: usize, span: Span) -> EvalError {
        let msg = match code {
            Code::DivisionByZero => "division by zero".to_string(),
            _ => format!("`{}` overflows an exact decimal", op.as_str()),
        };
        self.err(code, msg, Some(t), span)
    }

    fn window(&self, args: &[ir::Expr]) -> Result<(usize, usize), EvalError> {
        match args.get(1).map(|a| (&a.kind, a.span)) {
            Some((ExprKind::Window(s, e), span)) => {
                if *s < 0 || *e >= self.plan.len as i64 || e < s {
                    return Err(self.err(
                        Code::PeriodOutOfHorizon,
                        "the window is outside the plan's horizon",
                        None,
                        span,
                    ));
                }
                Ok((*s as usize, *e as usize + 1))
            }
            _ => Ok((0, self.plan.len)),
        }
    }

    fn call(
        &self,
        b: Builtin,
        args: &[ir::Expr],
        lo: usize,
        hi: usize,
        span: Span,
    ) -> Result<Val<'a>, EvalError> {
        let len = hi.saturating_sub(lo);
        let arg = Args::new(args, span);
        let a0 = arg.get(0);
        match b {
            Builtin::Grow => self.grow(args, lo, hi, span),
            Builtin::Ramp => self.ramp(args, lo, hi, span),
            Builtin::Prev => self.prev(args, lo, hi, span),
            Builtin::Cumsum => self.cumsum(args, lo, hi, span),
            Builtin::Sum
            | Builtin::Avg
            | Builtin::First
            | Builtin::Last
            | Builtin::MinOver
            | Builtin::MaxOver => self.over_window(b, args, span),
            Builtin::Min | Builtin::Max => {
                let mut acc = self.eval(a0, lo, hi)?;
                for a in args.iter().skip(1) {
                    let y = self.eval(a, lo, hi)?;
                    acc = if b == Builtin::Min {
                        map2(acc, y, len, |p, q| p.min(q))
                    } else {
                        map2(acc, y, len, |p, q| p.max(q))
                    };
                }
                Ok(acc)
            }
            Builtin::Round => self.round(args, lo, hi, span),
            Builtin::Abs => Ok(map1(self.eval(a0, lo, hi)?, len, |x| x.abs())),
            Builtin::Base => match self.base {
                Some(_) => Ev {
                    in_base: true,
                    ..*self
                }
                .eval(a0, lo, hi),
                None => self.eval(a0, lo, hi),
            },
            Builtin::PeriodIndex => Ok(Val::Owned((lo..hi).map(Decimal::from).collect())),
            Builtin::Pow | Builtin::Root => self.pow_root(b, args, lo, hi, span),
            Builtin::Allocate => self.allocate(args, lo, hi, span),
        }
    }

    /// `grow(start, rate)`: `start` × (1 + rate)^t, t the period's index from the horizon's
    /// start (a rate that varies: each period's own).
    fn grow(
        &self,
        args: &[ir::Expr],
        lo: usize,
        hi: usize,
        span: Span,
    ) -> Result<Val<'a>, EvalError> {
        let len = hi.saturating_sub(lo);
        let arg = Args::new(args, span);
        let a0 = arg.get(0);
        let start = self.eval(a0, lo, hi)?;
        let rate = self.eval(arg.get(1), lo, hi)?;
        let mut out = Vec::with_capacity(len);
        if let Val::Scalar(r) = rate {
            let factor = Decimal::ONE
                .checked_add(r)
                .ok_or_else(|| self.overflow(lo, span))?;
            let mut f = Decimal::ONE;
            for _ in 0..lo {
                f = f
                    .checked_mul(factor)
                    .ok_or_else(|| self.overflow(lo, span))?;
            }
            for i in 0..len {
                out.push(
                    start
                        .at(i)
                        .checked_mul(f)
                        .ok_or_else(|| self.overflow(lo + i, span))?,
                );
                f = f
                    .checked_mul(factor)
                    .ok_or_else(|| self.overflow(lo + i, span))?;
            }
        } else {
            for i in 0..len {
                let t = lo + i;
                let factor = Decimal::ONE
                    .checked_add(rate.at(i))
                    .ok_or_else(|| self.overflow(t, span))?;
                let mut f = Decimal::ONE;
                for _ in 0..t {
                    f = f
                        .checked_mul(factor)
                        .ok_or_else(|| self.overflow(t, span))?;
                }
                out.push(
                    start
                        .at(i)
                        .checked_mul(f)
                        .ok_or_else(|| self.overflow(t, span))?,
                );
            }
        }
        Ok(Val::Owned(out))
    }

    /// `ramp(from, to, P0, P1)`: `from` until P0, `to` from P1, a straight line between.
    fn ramp(
        &self,
        args: &[ir::Expr],
        lo: usize,
        hi: usize,
        span: Span,
    ) -> Result<Val<'a>, EvalError> {
        let len = hi.saturating_sub(lo);
        let arg = Args::new(args, span);
        let a0 = arg.get(0);
        let a = self.eval(a0, lo, hi)?;
        let bv = self.eval(arg.get(1), lo, hi)?;
        let p = |i: usize| match arg.opt(i).map(|x| &x.kind) {
            Some(ExprKind::Period(p, _)) => *p,
            _ => 0,
        };
        let (p0, p1) = (p(2), p(3));
        let mut out = Vec::with_capacity(len);
        for i in 0..len {
            let t = (lo + i) as i64;
            let (av, bvv) = (a.at(i), bv.at(i));
            let v = if t <= p0 && t < p1 {
                av
            } else if t >= p1 {
                bvv
            } else {
                let num = bvv
                    .checked_sub(av)
                    .and_then(|d| d.checked_mul(Decimal::from(t - p0)));
                let v = num
                    .and_then(|n| n.checked_div(Decimal::from(p1 - p0)))
                    .and_then(|x| av.checked_add(x));
                v.ok_or_else(|| self.overflow(lo + i, span))?
            };
            out.push(v);
        }
        Ok(scalarize(out))
    }

    /// `prev(x[, init])`: the value one period earlier; `init` (or zero) in the first
    /// period.
    fn prev(
        &self,
        args: &[ir::Expr],
        lo: usize,
        hi: usize,
        span: Span,
    ) -> Result<Val<'a>, EvalError> {
        let len = hi.saturating_sub(lo);
        let arg = Args::new(args, span);
        let a0 = arg.get(0);
        let init = match arg.opt(1) {
            Some(x) => Some(self.eval(x, lo, hi)?),
            None => None,
        };
        if len == 0 {
            return Ok(Val::Scalar(Decimal::ZERO));
        }
        if lo == 0 {
            let rest = if hi > 1 {
                Some(self.eval(a0, 0, hi - 1)?)
            } else {
                None
            };
            let mut out = Vec::with_capacity(len);
            out.push(init.as_ref().map(|v| v.at(0)).unwrap_or_default());
            match rest {
                Some(Val::Scalar(r)) => out.resize(len, r),
                Some(r) => match r.series() {
                    Some(s) if s.len() == len - 1 => out.extend_from_slice(s),
                    _ => out.extend((0..len - 1).map(|i| r.at(i))),
                },
                None => {}
            }
            Ok(Val::Owned(out))
        } else {
            self.eval(a0, lo - 1, hi - 1)
        }
    }

    /// `cumsum(x)`: the running total since the horizon's start.
    fn cumsum(
        &self,
        args: &[ir::Expr],
        lo: usize,
        hi: usize,
        span: Span,
    ) -> Result<Val<'a>, EvalError> {
        let len = hi.saturating_sub(lo);
        let arg = Args::new(args, span);
        let a0 = arg.get(0);
        let v = self.eval(a0, 0, hi)?;
        let mut acc = Decimal::ZERO;
        let mut out = Vec::with_capacity(len);
        for t in 0..hi {
            acc = acc
                .checked_add(v.at(t))
                .ok_or_else(|| self.overflow(t, span))?;
            if t >= lo {
                out.push(acc);
            }
        }
        Ok(Val::Owned(out))
    }

    /// The window aggregates (`sum`, `avg`, `first`, `last`, `min_over`, `max_over`): one
    /// scalar over the window the call names.
    fn over_window(&self, b: Builtin, args: &[ir::Expr], span: Span) -> Result<Val<'a>, EvalError> {
        let arg = Args::new(args, span);
        let a0 = arg.get(0);
        let (s, e) = self.window(args)?;
        let v = self.eval(a0, s, e)?;
        let n = e - s;
        let r = match b {
            Builtin::Sum | Builtin::Avg => {
                let mut acc = Decimal::ZERO;
                for i in 0..n {
                    acc = acc
                        .checked_add(v.at(i))
                        .ok_or_else(|| self.overflow(s + i, span))?;
                }
                if b == Builtin::Avg && n > 0 {
                    acc.checked_div(Decimal::from(n))
                        .ok_or_else(|| self.overflow(s, span))?
                } else {
                    acc
                }
            }
            Builtin::First => v.at(0),
            Builtin::Last => v.at(n.saturating_sub(1)),
            Builtin::MinOver => (0..n).map(|i| v.at(i)).min().unwrap_or_default(),
            _ => (0..n).map(|i| v.at(i)).max().unwrap_or_default(),
        };
        Ok(Val::Scalar(r))
    }

    /// `round(x[, digits])`: half away from zero, to a constant number of digits.
    fn round(
        &self,
        args: &[ir::Expr],
        lo: usize,
        hi: usize,
        span: Span,
    ) -> Result<Val<'a>, EvalError> {
        let len = hi.saturating_sub(lo);
        let arg = Args::new(args, span);
        let a0 = arg.get(0);
        let v = self.eval(a0, lo, hi)?;
        let digits = match arg.opt(1).map(|d| &d.kind) {
            Some(ExprKind::Const(d, _)) => d
                .to_i64()
                .unwrap_or(if d.is_sign_negative() { -28 } else { 28 })
                .clamp(-28, 28),
            _ => 0,
        };
        let mut err = None;
        let r = map1(v, len, |x| match round_half_away(x, digits) {
            Some(y) => y,
            None => {
                err = Some(());
                x
            }
        });
        match err {
            Some(()) => Err(self.overflow(lo, span)),
            None => Ok(r),
        }
    }

    /// `pow(x, n)` and `root(x, n)`, period by period (one value when both are constants).
    fn pow_root(
        &self,
        b: Builtin,
        args: &[ir::Expr],
        lo: usize,
        hi: usize,
        span: Span,
    ) -> Result<Val<'a>, EvalError> {
        let len = hi.saturating_sub(lo);
        let arg = Args::new(args, span);
        let a0 = arg.get(0);
        let x = self.eval(a0, lo, hi)?;
        let n = self.eval(arg.get(1), lo, hi)?;
        let f = if b == Builtin::Pow {
            power::pow
        } else {
            power::root
        };
        let name = if b == Builtin::Pow { "pow" } else { "root" };
        let one = |i: usize| {
            f(x.at(i), n.at(i))
                .map_err(|e| self.power_error(e, name, x.at(i), n.at(i), lo + i, span))
        };
        if let (Val::Scalar(_), Val::Scalar(_)) = (&x, &n) {
            return one(0).map(Val::Scalar);
        }
        let mut out = Vec::with_capacity(len);
        for i in 0..len {
            out.push(one(i)?);
        }
        Ok(Val::Owned(out))
    }

    /// `allocate(amount, digits, k, weights…)`: the `k`-th share of `amount` split by the
    /// weights, rounded to `digits` with the shares still adding up.
    fn allocate(
        &self,
        args: &[ir::Expr],
        lo: usize,
        hi: usize,
        span: Span,
    ) -> Result<Val<'a>, EvalError> {
        let len = hi.saturating_sub(lo);
        let arg = Args::new(args, span);
        let a0 = arg.get(0);
        let amount = self.eval(a0, lo, hi)?;
        let int = |i: usize| match arg.opt(i).map(|x| &x.kind) {
            Some(ExprKind::Const(v, _)) => v.to_i64().unwrap_or(0),
            _ => 0,
        };
        let digits = u32::try_from(int(1)).ok();
        let k = usize::try_from(int(2)).unwrap_or(usize::MAX);
        let weights = args
            .iter()
            .skip(3)
            .map(|w| self.eval(w, lo, hi))
            .collect::<Result<Vec<_>, _>>()?;
        let mut out = Vec::with_capacity(len);
        let mut ws = Vec::with_capacity(weights.len());
        for i in 0..len {
            ws.clear();
            ws.extend(weights.iter().map(|w| w.at(i)));
            let parts = allocate::split(amount.at(i), &ws, digits).map_err(|e| {
                let code = match e {
                    allocate::Error::ZeroWeights => Code::DivisionByZero,
                    allocate::Error::NegativeWeight => Code::TypeMismatch,
                    allocate::Error::Overflow => Code::Overflow,
                };
                self.err(code, e.message(), Some(lo + i), span)
            })?;
            out.push(parts.get(k).copied().unwrap_or_default());
        }
        Ok(scalarize(out))
    }
}

impl Clone for Ev<'_> {
    fn clone(&self) -> Self {
        *self
    }
}
impl Copy for Ev<'_> {}

/// Rounds half away from zero to `digits` decimals (negative: tens, hundreds, …).
pub(crate) fn round_half_away(x: Decimal, digits: i64) -> Option<Decimal> {
    if digits >= 0 {
        return Some(
            x.round_dp_with_strategy(digits as u32, RoundingStrategy::MidpointAwayFromZero),
        );
    }
    let mut scale = Decimal::ONE;
    for _ in 0..(-digits) {
        scale = scale.checked_mul(Decimal::TEN)?;
    }
    let q = x
        .checked_div(scale)?
        .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
    q.checked_mul(scale)
}

/// A one-period series becomes a scalar (saves work downstream).
fn scalarize(v: Vec<Decimal>) -> Val<'static> {
    if v.len() == 1 {
        return Val::Scalar(v.first().copied().unwrap_or_default());
    }
    Val::Owned(v)
}

#[inline]
fn map1<'a>(v: Val<'a>, len: usize, mut f: impl FnMut(Decimal) -> Decimal) -> Val<'a> {
    match v {
        Val::Scalar(x) => Val::Scalar(f(x)),
        v if len == 1 => Val::Scalar(f(v.at(0))),
        Val::Owned(mut s) => {
            for x in s.iter_mut() {
                *x = f(*x);
            }
            Val::Owned(s)
        }
        Val::Slice(s) => Val::Owned(s.iter().map(|x| f(*x)).collect()),
    }
}

#[inline]
fn map2<'a>(
    x: Val<'a>,
    y: Val<'a>,
    len: usize,
    f: impl Fn(Decimal, Decimal) -> Decimal,
) -> Val<'a> {
    match (&x, &y) {
        (Val::Scalar(p), Val::Scalar(q)) => Val::Scalar(f(*p, *q)),
        _ if len == 1 => Val::Scalar(f(x.at(0), y.at(0))),
        (Val::Slice(xs), Val::Slice(ys)) if xs.len() == len && ys.len() == len => {
            Val::Owned(xs.iter().zip(ys.iter()).map(|(p, q)| f(*p, *q)).collect())
        }
        _ => Val::Owned((0..len).map(|i| f(x.at(i), y.at(i))).collect()),
    }
}
