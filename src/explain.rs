//! Explain: where a value comes from, as a tree down to the drivers.
//!
//! [`explain`] takes an evaluated [`Compilation`], a driver, metric or objective
//! name, a scenario (default: the plan's base) and optionally a period (a month,
//! quarter or year; default: the whole horizon) and gives back an [`Explanation`]:
//! a tree of [`ExplainNode`]s. Each node is one value in one *window* of periods:
//! its formula as written, the value (a period's value, or its roll-up over the
//! window, [`crate::eval::window_value`], whose kind the node names: flows sum,
//! stocks take the last period, averages average, formulas apply the formula to
//! their operands' roll-ups), and one child per
//! driver or metric the formula reads, in the window the formula reads it
//! (`prev(x)`: the period before; `sum(x)`: the horizon or the window given;
//! `x@P`: that period; `base(x)`: the base scenario).
//!
//! Which formula produced a driver's value follows evaluation exactly: the
//! scenario's program (`eval::program`) is rebuilt with the triggers that fired,
//! and for each period the top-most layer active there is shown, with its origin —
//! the declaration, a scenario override (`from P`), a trigger's `set` or `pause`
//! (with the period it fired in). Inside an override, the driver's own name means
//! its value without the override; that shows as a child of its own.
//!
//! The tree is bounded: a value already explained is not expanded again, a value
//! that depends on itself through `prev` stops there, and depth and size are capped.

use crate::builtins::{Reads, WindowFold};
use crate::compile::Compilation;
use crate::eval::program::{Program, SlotExpr};
use crate::eval::{rollup, EvalError, Results};
use crate::ir::{self, Action, Builtin, ExprKind, ItemId, Plan, ScenarioId};
use crate::present::{amount, decimals_for, exact};
use crate::syntax::ast::{Aggregation, PeriodKind};
use crate::units::Unit;
use rust_decimal::Decimal;
use serde::{Serialize, Serializer};
use std::collections::{HashMap, HashSet};
use std::fmt::Write;

/// Deepest tree shown.
pub(crate) const MAX_DEPTH: usize = 24;
/// Most nodes in one explanation.
pub(crate) const MAX_NODES: usize = 500;

/// What to explain.
#[derive(Debug, Clone, Default)]
pub struct ExplainOptions {
    /// Scenario name (default: the plan's base scenario).
    pub scenario: Option<String>,
    /// `2026-03`, `2026-Q1`, `2026`, `FY2027` or `FY2027-Q1` (default: the
    /// whole horizon).
    pub period: Option<String>,
}

/// Why there is no explanation.
#[derive(Debug, Clone, PartialEq)]
pub enum ExplainError {
    /// The plan has errors and was not evaluated.
    NotEvaluated,
    /// No driver, metric or objective has this name.
    UnknownName {
        /// The name asked for.
        name: String,
        /// A close name, if any.
        suggestion: Option<String>,
    },
    /// No scenario has this name.
    UnknownScenario {
        /// The name asked for.
        name: String,
        /// The plan's scenarios.
        known: Vec<String>,
    },
    /// The period is not written like `2026-03`, `2026-Q1` or `2026`, or lies
    /// outside the horizon.
    BadPeriod(String),
    /// Re-running the scenario failed (it evaluated before, so this is unexpected).
    Eval(EvalError),
}

impl std::fmt::Display for ExplainError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExplainError::NotEvaluated => {
                write!(
                    f,
                    "the plan has errors, so its values cannot be explained; run `plumb check`"
                )
            }
            ExplainError::UnknownName { name, suggestion } => {
                write!(f, "no driver, metric or objective is named `{name}`")?;
                if let Some(s) = suggestion {
                    write!(f, " (did you mean `{s}`?)")?;
                }
                Ok(())
            }
            ExplainError::UnknownScenario { name, known } => write!(
                f,
                "no scenario `{name}`; the plan has: {}",
                known.join(", ")
            ),
            ExplainError::BadPeriod(m) => f.write_str(m),
            ExplainError::Eval(e) => write!(f, "{}", e.message),
        }
    }
}

/// The derivation of one value (or of each target of an objective).
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    /// The name explained.
    pub(crate) name: String,
    /// The scenario the value is explained in.
    pub scenario: String,
    /// The window: `2026-03`, or `2026-01 .. 2026-12`.
    pub(crate) window: String,
    /// One tree for an item; one per target for an objective.
    pub roots: Vec<ExplainNode>,
}

/// One value and how it is computed.
#[derive(Debug, Clone, Serialize)]
pub struct ExplainNode {
    /// Item name, or `target …` for an objective's target.
    pub name: String,
    /// `driver`, `metric` or `target`.
    pub(crate) kind: String,
    /// How the parent reads it: `previous period`, `sum over 2026-01 .. 2026-12`,
    /// `at 2026-06`, `in scenario base`, `without this override` (None: as is).
    pub(crate) how: Option<String>,
    /// The scenario, when it differs from the parent's.
    pub(crate) scenario: Option<String>,
    /// The periods the value covers.
    pub(crate) window: String,
    /// The exact value (None for a target, or a period before the horizon).
    #[serde(serialize_with = "ser_opt")]
    pub value: Option<Decimal>,
    /// The value for people, with its unit (`$3,927,000`, `22.0%`).
    pub(crate) display: String,
    /// The formulas that produced it, with where each comes from.
    pub formulas: Vec<Formula>,
    /// Why the node is not expanded further, when it is not.
    pub(crate) note: Option<String>,
    /// What the formulas read.
    pub children: Vec<ExplainNode>,
    /// A driver's `range` as written (`80K to 90K pert`), when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) range: Option<String>,
}

/// A formula and where it comes from.
#[derive(Debug, Clone, Serialize)]
pub struct Formula {
    /// The expression as written.
    pub(crate) text: String,
    /// `declared`, `scenario downside, from 2026-04`, `trigger revenue_shortfall
    /// (fired 2026-05), from 2026-06`, …
    pub origin: String,
    /// The periods of the window it applies to, when not all of them.
    pub(crate) periods: Option<String>,
}

fn ser_opt<S: Serializer>(v: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(x) => s.serialize_str(&exact(*x)),
        None => s.serialize_none(),
    }
}

/// How a window of values folds into one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Fold {
    /// The item's own aggregation.
    Item,
    /// A window built-in's fold (`sum`, `avg`, …).
    Over(WindowFold),
}

/// Where and how a child is read.
#[derive(Debug, Clone)]
struct Ctx {
    scenario: ScenarioId,
    lo: i64,
    hi: i64,
    fold: Fold,
    how: Option<String>,
}

/// An item's layers from the top one down: (slot index, expression, first period,
/// the slot it covers).
type Layers<'c> = Vec<(usize, SlotExpr<'c>, i64, Option<usize>)>;

/// The window cut into runs of periods with the same active layer: (the active
/// slot, None before the item's initiative starts; first period; last period).
type Runs = Vec<(Option<usize>, i64, i64)>;

struct Explainer<'c> {
    c: &'c Compilation,
    plan: &'c Plan,
    results: &'c Results,
    progs: HashMap<ScenarioId, (Program<'c>, Vec<Vec<Decimal>>)>,
    seen: HashSet<(usize, ScenarioId, i64, i64, Fold)>,
    nodes: usize,
    /// The scenario asked for; nodes in another one say so.
    root: ScenarioId,
}

/// Folds the values of a window into one.
fn fold_values(plan: &Plan, vals: &[Decimal], item: ItemId, fold: Fold) -> Option<Decimal> {
    let agg = plan
        .items
        .get(item)
        .map(|i| i.aggregation)
        .unwrap_or(Aggregation::Flow);
    match fold {
        // A layer below the top (an override's prior value): no formula to
        // apply, so a formula roll-up averages here.
        Fold::Item => rollup(vals, agg),
        Fold::Over(WindowFold::Sum) => rollup(vals, Aggregation::Flow),
        Fold::Over(WindowFold::Avg) => rollup(vals, Aggregation::Average),
        Fold::Over(WindowFold::First) => vals.first().copied(),
        Fold::Over(WindowFold::Last) => vals.last().copied(),
        Fold::Over(WindowFold::Min) => vals.iter().min().copied(),
        Fold::Over(WindowFold::Max) => vals.iter().max().copied(),
    }
}

fn label(plan: &Plan, lo: i64, hi: i64) -> String {
    match (usize::try_from(lo), usize::try_from(hi)) {
        (Ok(a), Ok(b)) if a < b => crate::calendar::window_label(plan, a..b + 1),
        _ if lo == hi => plan.period_label(lo),
        _ => format!("{} .. {}", plan.period_label(lo), plan.period_label(hi)),
    }
}

/// Parses `2026-03`, `2026-Q1` or `2026` into a window of the horizon.
fn parse_window(plan: &Plan, p: &str) -> Result<(i64, i64), ExplainError> {
    let bad = || {
        ExplainError::BadPeriod(format!(
            "`{p}` is not a period; write a month (2026-03), a quarter (2026-Q1), a year (2026) or a fiscal period (FY2027, FY2027-Q1)"
        ))
    };
    let (fiscal_year, p) = match p.strip_prefix("FY") {
        Some(rest) => (true, rest),
        None => (false, p),
    };
    let kind = if let Some((y, rest)) = p.split_once('-') {
        let y: i32 = y.parse().map_err(|_| bad())?;
        if let Some(q) = rest.strip_prefix(['Q', 'q']) {
            let q: u32 = q.parse().map_err(|_| bad())?;
            if !(1..=4).contains(&q) {
                return Err(bad());
            }
            if fiscal_year {
                PeriodKind::FiscalQuarter(y, q)
            } else {
                PeriodKind::Quarter(y, q)
            }
        } else if fiscal_year {
            return Err(bad());
        } else {
            let m: u32 = rest.parse().map_err(|_| bad())?;
            if !(1..=12).contains(&m) {
                return Err(bad());
            }
            PeriodKind::Month(y, m)
        }
    } else if fiscal_year {
        PeriodKind::FiscalYear(p.parse().map_err(|_| bad())?)
    } else {
        PeriodKind::Year(p.parse().map_err(|_| bad())?)
    };
    let fiscal = crate::calendar::fiscal(plan);
    let lo = plan.index_of_month(kind.first_month_in(fiscal)).max(0);
    let hi = plan
        .index_of_month(kind.last_month_in(fiscal))
        .min(plan.len as i64 - 1);
    if lo > hi {
        return Err(ExplainError::BadPeriod(format!(
            "{p} is outside the plan's horizon, {}",
            label(plan, 0, plan.len as i64 - 1)
        )));
    }
    Ok((lo, hi))
}

/// Explains `name` (a driver, metric or objective) in an evaluated compilation.
pub fn explain(
    c: &Compilation,
    name: &str,
    opts: &ExplainOptions,
) -> Result<Explanation, ExplainError> {
    let Some(results) = &c.results else {
        return Err(ExplainError::NotEvaluated);
    };
    let plan = c.plan();
    let s = match &opts.scenario {
        Some(n) => plan
            .scenario(n)
            .ok_or_else(|| ExplainError::UnknownScenario {
                name: n.clone(),
                known: plan.scenarios.iter().map(|s| s.name.clone()).collect(),
            })?,
        None => plan.base,
    };
    if results.get(s).is_none() {
        return Err(ExplainError::NotEvaluated);
    }
    let (lo, hi) = match &opts.period {
        Some(p) => parse_window(plan, p)?,
        None => (0, plan.len as i64 - 1),
    };
    let mut ex = Explainer {
        c,
        plan,
        results,
        progs: HashMap::new(),
        seen: HashSet::new(),
        nodes: 0,
        root: s,
    };
    let ctx = Ctx {
        scenario: s,
        lo,
        hi,
        fold: Fold::Item,
        how: None,
    };
    let roots = if let Some(item) = plan.item(name) {
        vec![ex.item_node(item, None, &ctx, 0, &mut Vec::new())?]
    } else if let Some(oi) = plan.objectives.iter().position(|o| o.name == name) {
        ex.objective_nodes(oi, &ctx)?
    } else {
        let names = plan
            .items
            .iter()
            .map(|i| i.name.as_str())
            .chain(plan.objectives.iter().map(|o| o.name.as_str()));
        return Err(ExplainError::UnknownName {
            name: name.to_string(),
            suggestion: crate::suggest::closest(name, names).map(str::to_string),
        });
    };
    Ok(Explanation {
        name: name.to_string(),
        scenario: plan
            .scenarios
            .get(s)
            .map(|x| x.name.clone())
            .unwrap_or_default(),
        window: label(plan, lo, hi),
        roots,
    })
}

/// The formula as written: the source text of the expression without comments,
/// on one line.
fn formula_text(c: &Compilation, e: &ir::Expr) -> String {
    let raw = c.sources.slice(e.span);
    let mut out = String::new();
    for line in raw.lines() {
        let code = crate::syntax::lex::strip_comment(line);
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(code.trim());
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl<'c> Explainer<'c> {
    fn scenario_name(&self, s: ScenarioId) -> String {
        self.plan
            .scenarios
            .get(s)
            .map(|x| x.name.clone())
            .unwrap_or_default()
    }

    /// The program of scenario `s` with its triggers fired as in the results, and
    /// the values of every slot.
    fn prog(&mut self, s: ScenarioId) -> Result<&(Program<'c>, Vec<Vec<Decimal>>), ExplainError> {
        if !self.progs.contains_key(&s) {
            let fired: Vec<(usize, i64)> = self
                .results
                .get(s)
                .map(|r| {
                    r.fired
                        .iter()
                        .filter_map(|(t, f)| f.map(|p| (*t, p)))
                        .collect()
                })
                .unwrap_or_default();
            let prog = Program::build(self.plan, s, &fired);
            let base = if s == self.plan.base {
                None
            } else {
                self.results
                    .get(self.plan.base)
                    .map(|r| r.values.as_slice())
            };
            let values = prog
                .run(self.plan, &self.scenario_name(s), base)
                .map_err(ExplainError::Eval)?;
            self.progs.insert(s, (prog, values));
        }
        self.progs.get(&s).ok_or(ExplainError::NotEvaluated)
    }

    fn window_word(&self, item: ItemId, ctx: &Ctx) -> String {
        let w = label(self.plan, ctx.lo, ctx.hi);
        if ctx.lo == ctx.hi {
            return w;
        }
        let agg = crate::eval::window::effective_rollup(self.plan, item);
        let word = match (ctx.fold, agg) {
            (Fold::Item, Aggregation::Flow) => "flow: total",
            (Fold::Item, Aggregation::Stock) => "stock: last period",
            (Fold::Item, Aggregation::Average) => "average",
            (Fold::Item, Aggregation::Formula) => "formula over the window's roll-ups",
            (Fold::Over(WindowFold::Sum), _) => "total",
            (Fold::Over(WindowFold::Last), _) => "last month",
            (Fold::Over(WindowFold::Avg), _) => "average",
            (Fold::Over(WindowFold::First), _) => "first month",
            (Fold::Over(WindowFold::Min), _) => "smallest",
            (Fold::Over(WindowFold::Max), _) => "largest",
        };
        format!("{word}, {w}")
    }

    /// Where slot `slot` (an override or a playbook action) comes from.
    fn origin(&self, s: ScenarioId, slot_expr: SlotExpr<'_>, from: i64, item: ItemId) -> String {
        let from_text = if from > 0 {
            format!(", from {}", self.plan.period_label(from))
        } else {
            String::new()
        };
        let fired_at = |t: usize| {
            self.results
                .get(s)
                .and_then(|r| r.fired.iter().find(|(x, _)| *x == t))
                .and_then(|(_, f)| *f)
                .map(|p| self.plan.period_label(p))
                .unwrap_or_else(|| "?".into())
        };
        match slot_expr {
            SlotExpr::Expr(e) => {
                if self
                    .plan
                    .items
                    .get(item)
                    .is_some_and(|i| std::ptr::eq(e, &i.expr))
                {
                    return "declared".into();
                }
                for sc in &self.plan.scenarios {
                    if sc.overrides.iter().any(|o| std::ptr::eq(&o.expr, e)) {
                        return format!("scenario `{}` overrides it{from_text}", sc.name);
                    }
                }
                for (ti, t) in self.plan.triggers.iter().enumerate() {
                    for st in &t.steps {
                        for (a, _) in &st.actions {
                            if let Action::Set(_, x) = a {
                                if std::ptr::eq(x, e) {
                                    return format!(
                                        "set by trigger `{}` (fired {}){from_text}",
                                        t.name,
                                        fired_at(ti)
                                    );
                                }
                            }
                        }
                    }
                }
                "declared".into()
            }
            SlotExpr::Zero => {
                let ini = self.plan.items.get(item).and_then(|i| i.initiative);
                for (ti, t) in self.plan.triggers.iter().enumerate() {
                    let pauses = t.steps.iter().any(|st| {
                        st.actions
                            .iter()
                            .any(|(a, _)| matches!(a, Action::Pause(i) if Some(*i) == ini))
                    });
                    if pauses && fired_at(ti) != "?" {
                        return format!(
                            "paused by trigger `{}` (fired {}){from_text}",
                            t.name,
                            fired_at(ti)
                        );
                    }
                }
                format!("paused{from_text}")
            }
        }
    }

    /// The node for item `item` (its top slot, or `slot` when given: the value
    /// under an override) read in `ctx`.
    fn item_node(
        &mut self,
        item: ItemId,
        slot: Option<usize>,
        ctx: &Ctx,
        depth: usize,
        path: &mut Vec<ItemId>,
    ) -> Result<ExplainNode, ExplainError> {
        self.nodes += 1;
        let it = self.plan.items.get(item).cloned();
        let unit = it
            .as_ref()
            .map(|i| i.unit.clone())
            .unwrap_or_else(Unit::dimensionless);
        let name = it.as_ref().map(|i| i.name.clone()).unwrap_or_default();
        let kind = it
            .as_ref()
            .map(|i| i.kind.as_str())
            .unwrap_or("driver")
            .to_string();
        let n = self.plan.len as i64;
        let scenario_note = (ctx.scenario != self.root).then(|| self.scenario_name(ctx.scenario));
        let mut node = ExplainNode {
            name: name.clone(),
            kind,
            how: ctx.how.clone(),
            scenario: scenario_note,
            window: String::new(),
            value: None,
            display: String::new(),
            formulas: Vec::new(),
            note: None,
            children: Vec::new(),
            range: None,
        };
        if ctx.hi < 0 || ctx.lo >= n {
            node.window = "before the first period".into();
            node.display = "—".into();
            node.note = Some("outside the horizon: `prev` uses its initial value here".into());
            return Ok(node);
        }
        let (lo, hi) = (ctx.lo.max(0), ctx.hi.min(n - 1));
        let ctx = Ctx {
            lo,
            hi,
            ..ctx.clone()
        };
        node.window = self.window_word(item, &ctx);
        let (top, slots_info, value) = self.value_and_layers(item, slot, &ctx)?;
        node.range = it
            .as_ref()
            .filter(|i| i.kind == crate::syntax::ast::ItemKind::Driver)
            .and_then(|i| {
                let (lo, hi) = i.range.as_ref()?;
                Some(range_text(self.c, lo, hi, i.range_shape))
            });
        node.value = value;
        node.display = value
            .map(|v| amount(v, &unit, decimals_for(&[v], &unit)))
            .unwrap_or_else(|| "—".into());
        let key = (top.unwrap_or(usize::MAX), ctx.scenario, lo, hi, ctx.fold);
        if path.contains(&item) && slot.is_none() {
            node.note = Some(
                "depends on its own earlier values (through `prev`); not expanded again".into(),
            );
            return Ok(node);
        }
        if !self.seen.insert(key) {
            node.note = Some("explained above".into());
            return Ok(node);
        }
        if depth >= MAX_DEPTH || self.nodes >= MAX_NODES {
            node.note = Some("not expanded: the explanation is already long".into());
            return Ok(node);
        }
        let runs = self.active_layers(it.as_ref(), &slots_info, lo, hi);
        let child_ctxs = self.layer_formulas(
            &mut node,
            item,
            it.as_ref(),
            &slots_info,
            &runs,
            ctx.scenario,
        );
        path.push(item);
        self.expand_children(&mut node, child_ctxs, depth, path)?;
        path.pop();
        Ok(node)
    }

    /// The item's value over the window (its roll-up when the item itself is asked
    /// for, otherwise its values folded as `ctx` says), its top slot, and the chain
    /// of its layers from the top one down: (slot index, expr, from, below).
    fn value_and_layers(
        &mut self,
        item: ItemId,
        slot: Option<usize>,
        ctx: &Ctx,
    ) -> Result<(Option<usize>, Layers<'c>, Option<Decimal>), ExplainError> {
        let (lo, hi) = (ctx.lo, ctx.hi);
        let plan = self.plan;
        // The item itself over a window: its roll-up (§3.2), the same as every
        // other output's.
        let results = self.results;
        let rolled = (ctx.fold == Fold::Item && slot.is_none()).then(|| {
            results.get(ctx.scenario).and_then(|r| {
                crate::eval::window_value(plan, &r.values, item, lo as usize..hi as usize + 1)
            })
        });
        let (prog, values) = self.prog(ctx.scenario)?;
        let top = slot.or_else(|| prog.top.get(item).copied());
        let vals = top
            .and_then(|t| values.get(t))
            .and_then(|v| v.get(lo as usize..=hi as usize))
            .unwrap_or(&[]);
        let value = match rolled {
            Some(v) => v,
            None => fold_values(plan, vals, item, ctx.fold),
        };
        // The chain of layers from `top` down: (slot index, expr, from, below).
        let mut chain = Vec::new();
        let mut cur = top;
        while let Some(sx) = cur {
            let Some(sl) = prog.slots.get(sx) else { break };
            chain.push((sx, sl.expr, sl.from, sl.below));
            cur = sl.below;
            if chain.len() > prog.slots.len() {
                break;
            }
        }
        Ok((top, chain, value))
    }

    /// Which layer is active in each period of the window, as runs of periods
    /// (none before the item's initiative starts); also the initiative's start.
    fn active_layers(
        &self,
        it: Option<&ir::Item>,
        slots_info: &Layers<'c>,
        lo: i64,
        hi: i64,
    ) -> (i64, Runs) {
        let start = it
            .and_then(|i| i.initiative)
            .and_then(|i| self.plan.initiatives.get(i))
            .and_then(|i| i.start)
            .unwrap_or(0);
        let mut runs: Runs = Vec::new();
        for t in lo..=hi {
            let active = if t < start {
                None
            } else {
                slots_info
                    .iter()
                    .find(|(_, _, from, _)| *from <= t)
                    .map(|(k, _, _, _)| *k)
            };
            match runs.last_mut() {
                Some((a, _, e)) if *a == active => *e = t,
                _ => runs.push((active, t, t)),
            }
        }
        (start, runs)
    }

    /// One formula per run of periods (with where it comes from), pushed onto `node`;
    /// returns the expressions to expand, each with the window it is read over and
    /// the slot it covers.
    fn layer_formulas(
        &self,
        node: &mut ExplainNode,
        item: ItemId,
        it: Option<&ir::Item>,
        slots_info: &Layers<'c>,
        (start, runs): &(i64, Runs),
        scenario: ScenarioId,
    ) -> Vec<(&'c ir::Expr, Ctx, Option<usize>)> {
        let whole = runs.len() == 1;
        let mut child_ctxs: Vec<(&ir::Expr, Ctx, Option<usize>)> = Vec::new();
        for (active, a, b) in runs {
            let periods = (!whole).then(|| label(self.plan, *a, *b));
            let Some(k) = active else {
                let ini = it
                    .and_then(|i| i.initiative)
                    .and_then(|i| self.plan.initiatives.get(i));
                node.formulas.push(Formula {
                    text: "0".into(),
                    origin: format!(
                        "before initiative `{}` starts in {}",
                        ini.map(|i| i.name.as_str()).unwrap_or("?"),
                        self.plan.period_label(*start)
                    ),
                    periods,
                });
                continue;
            };
            let Some((_, expr, from, below)) = slots_info.iter().find(|(x, ..)| x == k) else {
                continue;
            };
            let origin = self.origin(scenario, *expr, *from, item);
            match expr {
                SlotExpr::Expr(e) => {
                    // A dimensioned item's total is the sum of its members
                    // (a formula item's applies its formula to its operands' totals).
                    let total_of = self.plan.dim_item(item).filter(|g| {
                        g.total == Some(item)
                            && g.total_rule != ir::TotalRule::Formula
                            && matches!(e.kind, ir::ExprKind::Binary(..) | ir::ExprKind::Item(_))
                    });
                    node.formulas.push(Formula {
                        text: match total_of {
                            Some(g) => format!("total({})", g.name),
                            None => formula_text(self.c, e),
                        },
                        origin,
                        periods,
                    });
                    child_ctxs.push((
                        e,
                        // What the formula reads is folded by its own aggregation.
                        Ctx {
                            lo: *a,
                            hi: *b,
                            fold: Fold::Item,
                            how: None,
                            scenario,
                        },
                        *below,
                    ));
                }
                SlotExpr::Zero => node.formulas.push(Formula {
                    text: "0".into(),
                    origin,
                    periods,
                }),
            }
        }
        child_ctxs
    }

    /// The nodes of the items the formulas read, each once; an item read through the
    /// override it is under (`prior`) is the value without this change.
    fn expand_children(
        &mut self,
        node: &mut ExplainNode,
        child_ctxs: Vec<(&'c ir::Expr, Ctx, Option<usize>)>,
        depth: usize,
        path: &mut Vec<ItemId>,
    ) -> Result<(), ExplainError> {
        let mut seen_children = HashSet::new();
        for (e, cctx, below) in child_ctxs {
            for (child, sub, prior) in self.reads(e, &cctx) {
                let slot = if prior { below } else { None };
                if prior && slot.is_none() {
                    continue;
                }
                let key = (
                    child,
                    slot,
                    sub.scenario,
                    sub.lo,
                    sub.hi,
                    sub.fold,
                    sub.how.clone(),
                );
                if !seen_children.insert(key) {
                    continue;
                }
                let sub = if prior {
                    Ctx {
                        how: Some(match &sub.how {
                            Some(h) => format!("{h}, without this change"),
                            None => "without this change".into(),
                        }),
                        ..sub
                    }
                } else {
                    sub
                };
                let ch = self.item_node(child, slot, &sub, depth + 1, path)?;
                node.children.push(ch);
            }
        }
        Ok(())
    }

    /// Every item an expression reads, with the context it reads it in; `true`
    /// marks a read of the value under the current layer (`Prior`).
    fn reads(&self, e: &ir::Expr, ctx: &Ctx) -> Vec<(ItemId, Ctx, bool)> {
        let mut out = Vec::new();
        let mut stack: Vec<(&ir::Expr, Ctx)> = vec![(e, ctx.clone())];
        while let Some((e, c)) = stack.pop() {
            match &e.kind {
                ExprKind::Item(i) => out.push((*i, c, false)),
                ExprKind::Prior(i) => out.push((*i, c, true)),
                ExprKind::Unary(_, a) => stack.push((a, c)),
                ExprKind::Binary(_, a, b) => {
                    stack.push((b, c.clone()));
                    stack.push((a, c));
                }
                ExprKind::If(x, a, b) => {
                    stack.push((b, c.clone()));
                    stack.push((a, c.clone()));
                    stack.push((x, c));
                }
                ExprKind::Step(es) => {
                    for (_, v) in es.iter().rev() {
                        stack.push((v, c.clone()));
                    }
                }
                ExprKind::At(a, p, q) => stack.push((
                    a,
                    Ctx {
                        lo: *p,
                        hi: *q,
                        fold: Fold::Item,
                        how: None,
                        ..c
                    },
                )),
                ExprKind::Call(b, args) => self.call_reads(*b, args, c, &mut stack),
                _ => {}
            }
        }
        out
    }

    /// What a built-in call reads, pushed onto `stack` with the context each operand
    /// is read in: `prev` one period earlier (and its initial value in the first
    /// period), the window aggregates and `cumsum` folded over their window, `base`
    /// in the base scenario, anything else as the call itself is read.
    fn call_reads<'e>(
        &self,
        b: Builtin,
        args: &'e [ir::Expr],
        c: Ctx,
        stack: &mut Vec<(&'e ir::Expr, Ctx)>,
    ) {
        let n = self.plan.len as i64;
        let window = |args: &[ir::Expr]| match args.get(1).map(|a| &a.kind) {
            Some(ExprKind::Window(a, b)) => (*a, *b),
            Some(ExprKind::Period(p, _)) => (*p, *p),
            _ => (0, n - 1),
        };
        // The window word says how it folds (`total`, `average`, …).
        let agg = |fold: Fold| {
            let (a, b) = window(args);
            Ctx {
                lo: a,
                hi: b,
                fold,
                how: None,
                ..c.clone()
            }
        };
        match b.reads() {
            Reads::Previous => {
                if let Some(x) = args.first() {
                    let how = "previous period".to_string();
                    stack.push((
                        x,
                        Ctx {
                            lo: c.lo - 1,
                            hi: c.hi - 1,
                            how: Some(how),
                            ..c.clone()
                        },
                    ));
                }
                // The initial value only counts in the first period.
                if let Some(init) = args.get(1).filter(|_| c.lo <= 0) {
                    stack.push((
                        init,
                        Ctx {
                            lo: 0,
                            hi: 0,
                            fold: Fold::Item,
                            how: Some("initial value of prev".into()),
                            ..c
                        },
                    ));
                }
            }
            Reads::Window(fold) => {
                if let Some(x) = args.first() {
                    stack.push((x, agg(Fold::Over(fold))));
                }
            }
            Reads::ToDate => {
                if let Some(x) = args.first() {
                    stack.push((
                        x,
                        Ctx {
                            lo: 0,
                            hi: c.hi,
                            fold: Fold::Over(WindowFold::Sum),
                            how: None,
                            ..c.clone()
                        },
                    ));
                }
            }
            Reads::BaseScenario => {
                if let Some(x) = args.first() {
                    stack.push((
                        x,
                        Ctx {
                            scenario: self.plan.base,
                            how: Some("in the base scenario".into()),
                            ..c.clone()
                        },
                    ));
                }
            }
            Reads::SamePeriod => {
                for a in args.iter().rev() {
                    stack.push((a, c.clone()));
                }
            }
        }
    }

    fn objective_nodes(&mut self, oi: usize, ctx: &Ctx) -> Result<Vec<ExplainNode>, ExplainError> {
        let Some(obj) = self.plan.objectives.get(oi) else {
            return Ok(Vec::new());
        };
        let outcomes = self.c.outcomes.as_ref().and_then(|o| o.get(ctx.scenario));
        let Some(outcomes) = outcomes else {
            return Err(ExplainError::NotEvaluated);
        };
        let ocs = outcomes
            .targets
            .as_ref()
            .map_err(|e| ExplainError::Eval(e.clone()))?;
        let mut out = Vec::new();
        for (ti, t) in obj.targets.iter().enumerate() {
            let oc = ocs.iter().find(|o| o.objective == oi && o.target == ti);
            let display = match oc {
                Some(o) => match (o.projected, o.threshold, o.gap) {
                    (Some(p), Some(th), Some(g)) => format!(
                        "{}: projected {} against {}, {} {}{}",
                        if o.met { "met" } else { "missed" },
                        amount(p, &o.unit, 2),
                        amount(th, &o.unit, 2),
                        if g.is_sign_negative() {
                            "short by"
                        } else {
                            "headroom"
                        },
                        amount(g.abs(), &o.unit, 2),
                        o.period
                            .map(|p| format!(" (worst period {})", self.plan.period_label(p)))
                            .unwrap_or_default()
                    ),
                    _ => (if o.met { "met" } else { "missed" }).to_string(),
                },
                None => "not evaluated".into(),
            };
            let mut node = ExplainNode {
                name: format!("target {}", t.text),
                kind: "target".into(),
                how: None,
                scenario: None,
                window: label(self.plan, ctx.lo, ctx.hi),
                value: oc.and_then(|o| o.projected),
                display,
                formulas: Vec::new(),
                note: None,
                children: Vec::new(),
                range: None,
            };
            let mut seen = HashSet::new();
            for (child, sub, _) in self.reads(&t.expr, ctx) {
                if seen.insert((child, sub.lo, sub.hi, sub.fold, sub.scenario)) {
                    node.children
                        .push(self.item_node(child, None, &sub, 1, &mut Vec::new())?);
                }
            }
            out.push(node);
        }
        Ok(out)
    }
}

// ------------------------------------------------------------------ text

/// The explanation as an indented tree for a terminal.
pub fn render_text(e: &Explanation) -> String {
    let mut s = String::new();
    for (i, root) in e.roots.iter().enumerate() {
        if i > 0 {
            s.push('\n');
        }
        if root.kind == "target" {
            let _ = writeln!(
                s,
                "{} (objective {}, scenario {}, {})",
                root.name, e.name, e.scenario, root.window
            );
            let _ = writeln!(s, "  {}", root.display);
        } else {
            let _ = writeln!(
                s,
                "{} = {}  ({} in scenario {}, {})",
                root.name, root.display, root.kind, e.scenario, root.window
            );
            formulas(&mut s, root, "");
        }
        children(&mut s, &root.children, "");
    }
    s
}

/// `LOW to HIGH DIST [per period]` as written.
fn range_text(
    c: &Compilation,
    lo: &crate::ir::Expr,
    hi: &crate::ir::Expr,
    shape: crate::syntax::ast::RangeShape,
) -> String {
    format!(
        "{} to {} {}{}",
        c.sources.slice(lo.span),
        c.sources.slice(hi.span),
        shape.dist.as_str(),
        if shape.per_period { " per period" } else { "" }
    )
}

fn formulas(s: &mut String, n: &ExplainNode, prefix: &str) {
    for f in &n.formulas {
        let origin = if f.origin == "declared" {
            String::new()
        } else {
            format!("   ← {}", f.origin.replace('`', ""))
        };
        let periods = f
            .periods
            .as_ref()
            .map(|p| format!("   [{p}]"))
            .unwrap_or_default();
        let _ = writeln!(s, "{prefix}  = {}{origin}{periods}", f.text);
    }
    if let Some(r) = &n.range {
        let _ = writeln!(s, "{prefix}  range {r}");
    }
    if let Some(note) = &n.note {
        let _ = writeln!(s, "{prefix}  ({})", note.replace('`', ""));
    }
}

fn children(s: &mut String, list: &[ExplainNode], prefix: &str) {
    for (i, c) in list.iter().enumerate() {
        let last = i + 1 == list.len();
        let (branch, cont) = if last {
            ("└─ ", "   ")
        } else {
            ("├─ ", "│  ")
        };
        let mut extra = Vec::new();
        if let Some(h) = &c.how {
            extra.push(h.clone());
        }
        extra.push(c.window.clone());
        if let Some(sc) = &c.scenario {
            if c.how
                .as_deref()
                .is_none_or(|h| !h.contains("base scenario"))
            {
                extra.push(format!("scenario {sc}"));
            }
        }
        let _ = writeln!(
            s,
            "{prefix}{branch}{} = {}  ({}; {})",
            c.name,
            c.display,
            c.kind,
            extra.join(", ").replace('`', "")
        );
        let next = format!("{prefix}{cont}");
        formulas(s, c, &next);
        children(s, &c.children, &next);
    }
}

/// The explanation as pretty JSON (exact decimals).
pub fn to_json(e: &Explanation) -> String {
    serde_json::to_string_pretty(e).unwrap_or_else(|err| format!("{{\"error\": \"{err}\"}}"))
}
