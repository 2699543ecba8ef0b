//! A scenario as an ordered list of slots, ready to run.
//!
//! Every item has a base slot (its declaration). Each scenario override along the
//! `extends` chain, and each action of a fired trigger, stacks a new slot on top of
//! the item's current one, active from its first period; below that it copies the
//! slot underneath. Slots are grouped into strongly connected components (Tarjan,
//! iterative, so deep plans cannot overflow the stack) and run in dependency order.

use super::{Ev, EvalError, Val};
use crate::ir::{self, Action, Builtin, ExprKind, ItemId, Plan, ScenarioId, TriggerId};
use rust_decimal::Decimal;

/// What a slot computes.
#[derive(Debug, Clone, Copy)]
pub enum SlotExpr<'p> {
    /// An expression.
    Expr(&'p ir::Expr),
    /// Zero (a paused initiative).
    Zero,
}

/// One layer of one item.
#[derive(Debug, Clone)]
pub struct Slot<'p> {
    /// The item.
    pub item: ItemId,
    /// What it computes from `from` on.
    pub expr: SlotExpr<'p>,
    /// First period index it is active in.
    pub from: i64,
    /// The slot it covers.
    pub below: Option<usize>,
}

/// How a slot reads another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Edge {
    /// Same period (or earlier and same).
    Now,
    /// Strictly earlier periods only (inside `prev`).
    Lagged,
    /// Any period (aggregates, `x@P`).
    Whole,
}

/// A scenario's slots in evaluation order.
#[derive(Debug, Clone)]
pub struct Program<'p> {
    /// All slots.
    pub slots: Vec<Slot<'p>>,
    /// The top slot of each item.
    pub top: Vec<usize>,
    /// Components in evaluation order; each is a list of slots.
    groups: Vec<Group>,
    /// Cycles found: slots on each.
    pub cycles: Vec<Vec<usize>>,
    /// Initiative start per item (members are 0 before it).
    start: Vec<i64>,
}

#[derive(Debug, Clone)]
enum Group {
    /// One slot, computed for all periods at once.
    Column(usize),
    /// Slots computed period by period, in this order within each period.
    Periodwise(Vec<usize>),
}

impl<'p> Program<'p> {
    /// Builds the program for scenario `s` with triggers fired at the given periods.
    pub fn build(plan: &'p Plan, s: ScenarioId, fired: &[(TriggerId, i64)]) -> Program<'p> {
        let n = plan.items.len();
        let mut slots: Vec<Slot<'p>> = plan
            .items
            .iter()
            .enumerate()
            .map(|(i, it)| Slot {
                item: i,
                expr: SlotExpr::Expr(&it.expr),
                from: 0,
                below: None,
            })
            .collect();
        let mut top: Vec<usize> = (0..n).collect();
        let push = |slots: &mut Vec<Slot<'p>>,
                    top: &mut Vec<usize>,
                    item: ItemId,
                    expr: SlotExpr<'p>,
                    from: i64| {
            if let Some(t) = top.get_mut(item) {
                slots.push(Slot {
                    item,
                    expr,
                    from,
                    below: Some(*t),
                });
                *t = slots.len() - 1;
            }
        };
        for sc in plan.scenario_chain(s) {
            if let Some(scen) = plan.scenarios.get(sc) {
                for o in &scen.overrides {
                    push(
                        &mut slots,
                        &mut top,
                        o.item,
                        SlotExpr::Expr(&o.expr),
                        o.from,
                    );
                }
            }
        }
        let mut fired: Vec<(TriggerId, i64)> = fired.to_vec();
        fired.sort_by_key(|(t, p)| (*p, *t));
        for (t, at) in fired {
            let Some(trig) = plan.triggers.get(t) else {
                continue;
            };
            for step in &trig.steps {
                let from = at.saturating_add(i64::from(step.after));
                for (a, _) in &step.actions {
                    match a {
                        Action::Set(item, e) => {
                            push(&mut slots, &mut top, *item, SlotExpr::Expr(e), from)
                        }
                        Action::Pause(ini) => {
                            for m in plan
                                .initiatives
                                .get(*ini)
                                .map(|i| i.members.as_slice())
                                .unwrap_or(&[])
                            {
                                push(&mut slots, &mut top, *m, SlotExpr::Zero, from);
                            }
                        }
                    }
                }
            }
        }
        let start: Vec<i64> = plan
            .items
            .iter()
            .map(|it| {
                it.initiative
                    .and_then(|i| plan.initiatives.get(i))
                    .and_then(|i| i.start)
                    .unwrap_or(0)
            })
            .collect();
        let mut prog = Program {
            slots,
            top,
            groups: Vec::new(),
            cycles: Vec::new(),
            start,
        };
        prog.order();
        prog
    }

    /// The edges of slot `s`: (target slot, kind).
    fn edges(&self, s: usize) -> Vec<(usize, Edge)> {
        let mut out = Vec::new();
        let Some(slot) = self.slots.get(s) else {
            return out;
        };
        if let Some(b) = slot.below {
            if slot.from > 0 || matches!(slot.expr, SlotExpr::Zero) {
                out.push((b, Edge::Now));
            }
        }
        if let SlotExpr::Expr(e) = slot.expr {
            self.expr_edges(e, slot.below, Edge::Now, &mut out);
        }
        out
    }

    fn expr_edges(
        &self,
        e: &ir::Expr,
        below: Option<usize>,
        mode: Edge,
        out: &mut Vec<(usize, Edge)>,
    ) {
        // Iterative walk carrying the edge kind of the context.
        let mut stack: Vec<(&ir::Expr, Edge)> = vec![(e, mode)];
        while let Some((e, m)) = stack.pop() {
            match &e.kind {
                ExprKind::Item(i) => {
                    if let Some(t) = self.top.get(*i) {
                        out.push((*t, m));
                    }
                }
                ExprKind::Prior(i) => {
                    if let Some(t) = below.or_else(|| self.top.get(*i).copied()) {
                        out.push((t, m));
                    }
                }
                ExprKind::Unary(_, a) => stack.push((a, m)),
                ExprKind::Binary(_, a, b) => {
                    stack.push((a, m));
                    stack.push((b, m));
                }
                ExprKind::If(c, a, b) => {
                    stack.push((c, m));
                    stack.push((a, m));
                    stack.push((b, m));
                }
                ExprKind::Step(entries) => stack.extend(entries.iter().map(|(_, v)| (v, m))),
                ExprKind::At(a, _, _) => stack.push((a, Edge::Whole)),
                ExprKind::Call(b, args) => {
                    let inner = match b {
                        Builtin::Prev => {
                            if m == Edge::Whole {
                                Edge::Whole
                            } else {
                                Edge::Lagged
                            }
                        }
                        Builtin::Sum
                        | Builtin::Avg
                        | Builtin::First
                        | Builtin::Last
                        | Builtin::MinOver
                        | Builtin::MaxOver => Edge::Whole,
                        _ => m,
                    };
                    for (k, a) in args.iter().enumerate() {
                        // `prev`'s initial value is read in the first period itself.
                        let kind = if *b == Builtin::Prev && k == 1 {
                            m
                        } else {
                            inner
                        };
                        stack.push((a, kind));
                    }
                }
                _ => {}
            }
        }
    }

    /// Tarjan's strongly connected components, iteratively; fills `groups` in
    /// dependency order and `cycles` with impossible ones.
    fn order(&mut self) {
        let n = self.slots.len();
        let adj: Vec<Vec<(usize, Edge)>> = (0..n).map(|s| self.edges(s)).collect();
        let mut index = vec![usize::MAX; n];
        let mut low = vec![0usize; n];
        let mut on_stack = vec![false; n];
        let mut stack: Vec<usize> = Vec::new();
        let mut next = 0usize;
        let mut comps: Vec<Vec<usize>> = Vec::new();
        for root in 0..n {
            if index.get(root) != Some(&usize::MAX) {
                continue;
            }
            let mut call: Vec<(usize, usize)> = vec![(root, 0)];
            while let Some(&mut (v, ref mut ei)) = call.last_mut() {
                if *ei == 0 && index.get(v) == Some(&usize::MAX) {
                    set(&mut index, v, next);
                    set(&mut low, v, next);
                    next += 1;
                    stack.push(v);
                    set(&mut on_stack, v, true);
                }
                let edges = adj.get(v).map(|e| e.as_slice()).unwrap_or(&[]);
                if let Some(&(w, _)) = edges.get(*ei) {
                    *ei += 1;
                    if w >= n {
                        continue;
                    }
                    if get(&index, w) == usize::MAX {
                        call.push((w, 0));
                    } else if get(&on_stack, w) {
                        let lv = get(&low, v).min(get(&index, w));
                        set(&mut low, v, lv);
                    }
                } else {
                    call.pop();
                    if let Some(&(parent, _)) = call.last() {
                        let lp = get(&low, parent).min(get(&low, v));
                        set(&mut low, parent, lp);
                    }
                    if get(&low, v) == get(&index, v) {
                        let mut comp = Vec::new();
                        while let Some(w) = stack.pop() {
                            set(&mut on_stack, w, false);
                            comp.push(w);
                            if w == v {
                                break;
                            }
                        }
                        comps.push(comp);
                    }
                }
            }
        }
        // Tarjan emits components dependencies-first.
        for comp in comps {
            if let [single] = comp.as_slice() {
                let self_edge = adj
                    .get(*single)
                    .is_some_and(|e| e.iter().any(|(w, _)| w == single));
                if !self_edge {
                    self.groups.push(Group::Column(*single));
                    continue;
                }
            }
            // Within a component only lagged edges may close a loop.
            let members: std::collections::HashSet<usize> = comp.iter().copied().collect();
            let mut bad = false;
            let mut indeg: std::collections::HashMap<usize, usize> =
                comp.iter().map(|s| (*s, 0)).collect();
            for &s in &comp {
                for (w, kind) in adj.get(s).map(|e| e.as_slice()).unwrap_or(&[]) {
                    if members.contains(w) {
                        match kind {
                            Edge::Whole => bad = true,
                            Edge::Now => *indeg.entry(s).or_insert(0) += 1,
                            Edge::Lagged => {}
                        }
                    }
                }
            }
            // Kahn on same-period edges: s depends on w means w first.
            let mut order = Vec::new();
            let mut ready: Vec<usize> = comp
                .iter()
                .copied()
                .filter(|s| indeg.get(s) == Some(&0))
                .collect();
            ready.sort_unstable();
            while let Some(w) = ready.pop() {
                order.push(w);
                for &s in &comp {
                    let hits = adj
                        .get(s)
                        .map(|e| e.iter().filter(|(x, k)| *x == w && *k == Edge::Now).count())
                        .unwrap_or(0);
                    if hits > 0 {
                        if let Some(d) = indeg.get_mut(&s) {
                            *d -= hits;
                            if *d == 0 {
                                ready.push(s);
                            }
                        }
                    }
                }
            }
            if bad || order.len() < comp.len() {
                let mut cyc = comp.clone();
                cyc.sort_unstable();
                self.cycles.push(cyc);
            }
            for s in comp {
                if !order.contains(&s) {
                    order.push(s);
                }
            }
            self.groups.push(Group::Periodwise(order));
        }
    }

    /// Runs every slot; returns the values of all slots.
    pub fn run(
        &self,
        plan: &Plan,
        scenario: &str,
        base: Option<&[Vec<Decimal>]>,
    ) -> Result<Vec<Vec<Decimal>>, EvalError> {
        let n = plan.len;
        let mut values: Vec<Vec<Decimal>> = vec![Vec::new(); self.slots.len()];
        for g in &self.groups {
            match g {
                Group::Column(s) => {
                    let v = {
                        let ev = self.ev(plan, &values, scenario, base, *s);
                        self.column(&ev, *s, n, &values)?
                    };
                    if let Some(slot) = values.get_mut(*s) {
                        *slot = v;
                    }
                }
                Group::Periodwise(order) => {
                    for s in order {
                        if let Some(slot) = values.get_mut(*s) {
                            *slot = vec![Decimal::ZERO; n];
                        }
                    }
                    for t in 0..n {
                        for &s in order {
                            let v = {
                                let ev = self.ev(plan, &values, scenario, base, s);
                                self.cell(&ev, s, t, &values)?
                            };
                            if let Some(x) = values.get_mut(s).and_then(|v| v.get_mut(t)) {
                                *x = v;
                            }
                        }
                    }
                }
            }
        }
        Ok(values)
    }

    fn ev<'a>(
        &'a self,
        plan: &'a Plan,
        values: &'a [Vec<Decimal>],
        scenario: &'a str,
        base: Option<&'a [Vec<Decimal>]>,
        s: usize,
    ) -> Ev<'a> {
        Ev {
            plan,
            values,
            top: &self.top,
            base,
            scenario,
            below: self.slots.get(s).and_then(|x| x.below),
        }
    }

    /// First period a slot computes its own expression in (before: below or 0).
    fn bounds(&self, s: usize) -> (i64, i64) {
        let slot = self.slots.get(s);
        let from = slot.map(|x| x.from).unwrap_or(0);
        let start = slot
            .and_then(|x| self.start.get(x.item))
            .copied()
            .unwrap_or(0);
        (from, start)
    }

    fn column(
        &self,
        ev: &Ev<'_>,
        s: usize,
        n: usize,
        values: &[Vec<Decimal>],
    ) -> Result<Vec<Decimal>, EvalError> {
        let Some(slot) = self.slots.get(s) else {
            return Ok(vec![Decimal::ZERO; n]);
        };
        let (from, start) = self.bounds(s);
        let lo = from.max(start).clamp(0, n as i64) as usize;
        let mut out = Vec::with_capacity(n);
        for t in 0..lo {
            if (t as i64) < start {
                out.push(Decimal::ZERO);
            } else {
                out.push(below_at(values, slot.below, t));
            }
        }
        if lo < n {
            match slot.expr {
                SlotExpr::Zero => out.resize(n, Decimal::ZERO),
                SlotExpr::Expr(e) => match ev.eval(e, lo, n)? {
                    Val::Scalar(v) => out.resize(n, v),
                    Val::Series(sv) => out.extend_from_slice(&sv),
                },
            }
        }
        Ok(out)
    }

    fn cell(
        &self,
        ev: &Ev<'_>,
        s: usize,
        t: usize,
        values: &[Vec<Decimal>],
    ) -> Result<Decimal, EvalError> {
        let Some(slot) = self.slots.get(s) else {
            return Ok(Decimal::ZERO);
        };
        let (from, start) = self.bounds(s);
        let ti = t as i64;
        if ti < start {
            return Ok(Decimal::ZERO);
        }
        if ti < from {
            return Ok(below_at(values, slot.below, t));
        }
        match slot.expr {
            SlotExpr::Zero => Ok(Decimal::ZERO),
            SlotExpr::Expr(e) => Ok(ev.eval(e, t, t + 1)?.at(0)),
        }
    }

    /// The values of each item's top slot, in item order.
    pub fn into_item_values(&self, mut values: Vec<Vec<Decimal>>) -> Vec<Vec<Decimal>> {
        self.top
            .iter()
            .map(|&s| values.get_mut(s).map(std::mem::take).unwrap_or_default())
            .collect()
    }

    /// Items on each cycle.
    pub fn cycle_items(&self) -> Vec<Vec<ItemId>> {
        self.cycles
            .iter()
            .map(|c| {
                let mut items: Vec<ItemId> = c
                    .iter()
                    .filter_map(|s| self.slots.get(*s).map(|x| x.item))
                    .collect();
                items.sort_unstable();
                items.dedup();
                items
            })
            .collect()
    }
}

fn below_at(values: &[Vec<Decimal>], below: Option<usize>, t: usize) -> Decimal {
    below
        .and_then(|b| values.get(b))
        .and_then(|v| v.get(t))
        .copied()
        .unwrap_or_default()
}

fn get<T: Copy + Default>(v: &[T], i: usize) -> T {
    v.get(i).copied().unwrap_or_default()
}

fn set<T>(v: &mut [T], i: usize, x: T) {
    if let Some(slot) = v.get_mut(i) {
        *slot = x;
    }
}

/// Cycles in a scenario with every trigger's playbook applied: each is the list of
/// items on it. Used by the checker before anything is evaluated.
pub fn find_cycles(plan: &Plan, s: ScenarioId) -> Vec<Vec<ItemId>> {
    let all: Vec<(TriggerId, i64)> = plan.triggers_for(s).into_iter().map(|t| (t, 0)).collect();
    Program::build(plan, s, &all).cycle_items()
}
