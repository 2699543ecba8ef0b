//! A scenario as an ordered list of slots, ready to run.
//!
//! Every item has a base slot (its declaration). Each scenario override along the
//! `extends` chain, and each action of a fired trigger, stacks a new slot on top of
//! the item's current one, active from its first period; below that it copies the
//! slot underneath. Slots are grouped into strongly connected components
//! ([`crate::graph::components`]) and run in dependency order.

use super::{Draws, Ev, EvalError, Hoisted, Val};
use crate::builtins::Reads;
use crate::ir::{self, Action, Builtin, ExprKind, ItemId, Plan, ScenarioId, TriggerId};
use rust_decimal::Decimal;

/// What a slot computes.
#[derive(Debug, Clone, Copy)]
pub(crate) enum SlotExpr<'p> {
    /// An expression.
    Expr(&'p ir::Expr),
    /// Zero (a paused initiative).
    Zero,
}

/// One layer of one item.
#[derive(Debug, Clone)]
pub(crate) struct Slot<'p> {
    /// The item this slot computes one layer of.
    pub(crate) item: ItemId,
    /// What it computes from `from` on.
    pub(crate) expr: SlotExpr<'p>,
    /// First period index it is active in.
    pub(crate) from: i64,
    /// The slot it covers.
    pub(crate) below: Option<usize>,
    /// Which declaration or override it computes (for simulation draws).
    pub(crate) layer: Layer,
}

/// What a slot stands for: an item's declaration, a scenario's override (the
/// scenario and the override's index in it), or a playbook action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layer {
    /// The item's own declaration.
    Declaration,
    /// `overrides[k]` of a scenario.
    Override(ScenarioId, usize),
    /// A trigger's `set` or `pause`.
    Action,
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
pub(crate) struct Program<'p> {
    /// All slots.
    pub(crate) slots: Vec<Slot<'p>>,
    /// The top slot of each item.
    pub(crate) top: Vec<usize>,
    /// Components in evaluation order; each is a list of slots.
    groups: Vec<Group>,
    /// Cycles found: slots on each.
    pub(crate) cycles: Vec<Vec<usize>>,
    /// Initiative start per item (members are 0 before it).
    start: Vec<i64>,
    /// The edges of slot v are `adj[adj_first[v]..adj_first[v + 1]]`.
    adj: Vec<(usize, Edge)>,
    adj_first: Vec<usize>,
}

/// Values a scenario may take from base instead of computing them: base's item
/// values, and per slot of this scenario's program whether it is certain to equal
/// them (see [`Program::same_as_base`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reuse<'r> {
    pub(crate) values: &'r [Vec<Decimal>],
    pub(crate) same: &'r [bool],
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
        Program::build_with(plan, s, fired, None)
    }

    /// [`Program::build`] reusing what [`Prepared`] worked out for the plan.
    pub(crate) fn build_with(
        plan: &'p Plan,
        s: ScenarioId,
        fired: &[(TriggerId, i64)],
        prep: Option<&Prepared>,
    ) -> Program<'p> {
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
                layer: Layer::Declaration,
            })
            .collect();
        let mut top: Vec<usize> = (0..n).collect();
        let push = |slots: &mut Vec<Slot<'p>>,
                    top: &mut Vec<usize>,
                    item: ItemId,
                    expr: SlotExpr<'p>,
                    from: i64,
                    layer: Layer| {
            if let Some(t) = top.get_mut(item) {
                slots.push(Slot {
                    item,
                    expr,
                    from,
                    below: Some(*t),
                    layer,
                });
                *t = slots.len() - 1;
            }
        };
        for sc in plan.scenario_chain(s) {
            if let Some(scen) = plan.scenarios.get(sc) {
                for (k, o) in scen.overrides.iter().enumerate() {
                    push(
                        &mut slots,
                        &mut top,
                        o.item,
                        SlotExpr::Expr(&o.expr),
                        o.from,
                        Layer::Override(sc, k),
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
                        Action::Set(item, e) => push(
                            &mut slots,
                            &mut top,
                            *item,
                            SlotExpr::Expr(e),
                            from,
                            Layer::Action,
                        ),
                        Action::Pause(ini) => {
                            for m in plan
                                .initiatives
                                .get(*ini)
                                .map(|i| i.members.as_slice())
                                .unwrap_or(&[])
                            {
                                push(
                                    &mut slots,
                                    &mut top,
                                    *m,
                                    SlotExpr::Zero,
                                    from,
                                    Layer::Action,
                                );
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
            adj: Vec::new(),
            adj_first: Vec::new(),
        };
        prog.order(prep);
        prog
    }

    /// Appends the edges of slot `s` to `out`: (target slot, kind). `stack` is
    /// scratch space kept between calls.
    fn edges_into(
        &self,
        s: usize,
        out: &mut Vec<(usize, Edge)>,
        scratch: &mut Scratch<'p>,
        prep: Option<&Prepared>,
    ) {
        let Some(slot) = self.slots.get(s) else {
            return;
        };
        if let Some(b) = slot.below {
            if slot.from > 0 || matches!(slot.expr, SlotExpr::Zero) {
                out.push((b, Edge::Now));
            }
        }
        if let SlotExpr::Expr(e) = slot.expr {
            // An item's own declaration (slot = item index): its references were
            // collected once for the plan.
            let refs = match prep {
                Some(p) if s < self.start.len() => p.refs(s),
                _ => {
                    scratch.refs.clear();
                    expr_refs(e, Edge::Now, &mut scratch.refs, &mut scratch.stack);
                    &scratch.refs
                }
            };
            for r in refs {
                let target = if r.prior {
                    slot.below.or_else(|| self.top.get(r.item).copied())
                } else {
                    self.top.get(r.item).copied()
                };
                if let Some(t) = target {
                    out.push((t, r.kind));
                }
            }
        }
    }
}

/// One reference of an expression to an item, with how it is read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ref {
    item: ItemId,
    /// A `Prior`: the slot below the one being computed.
    prior: bool,
    kind: Edge,
}

/// Scratch buffers for collecting references.
#[derive(Default)]
struct Scratch<'p> {
    refs: Vec<Ref>,
    stack: Vec<(&'p ir::Expr, Edge)>,
}

/// The references of `e`, in a fixed order (which fixes the evaluation order).
fn expr_refs<'p>(
    e: &'p ir::Expr,
    mode: Edge,
    out: &mut Vec<Ref>,
    stack: &mut Vec<(&'p ir::Expr, Edge)>,
) {
    // Iterative walk carrying the edge kind of the context.
    stack.clear();
    stack.push((e, mode));
    while let Some((e, m)) = stack.pop() {
        match &e.kind {
            ExprKind::Item(i) => out.push(Ref {
                item: *i,
                prior: false,
                kind: m,
            }),
            ExprKind::Prior(i) => out.push(Ref {
                item: *i,
                prior: true,
                kind: m,
            }),
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
            // A plain step reads nothing.
            ExprKind::Step(s) if s.is_plain() => {}
            ExprKind::Step(entries) => stack.extend(entries.iter().map(|(_, v)| (v, m))),
            ExprKind::At(a, _, _) => stack.push((a, Edge::Whole)),
            ExprKind::Call(b, args) => {
                let reads = b.reads();
                let inner = match reads {
                    Reads::Previous if m != Edge::Whole => Edge::Lagged,
                    Reads::Previous | Reads::Window(_) => Edge::Whole,
                    Reads::SamePeriod | Reads::ToDate | Reads::BaseScenario => m,
                };
                for (k, a) in args.iter().enumerate() {
                    // `prev`'s initial value is read in the first period itself.
                    let kind = if reads == Reads::Previous && k == 1 {
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

/// What evaluating any scenario of a plan needs from the item declarations,
/// worked out once: their references (so building each scenario's program does
/// not walk every formula again) and the values of declarations that read no
/// other item (`step { … }`, `grow(…)`, constants: the same in every scenario).
#[derive(Debug, Default)]
pub(crate) struct Prepared {
    /// The references of item i are `refs[first[i]..first[i + 1]]`.
    first: Vec<usize>,
    refs: Vec<Ref>,
    /// Per item: its values over the whole horizon when it reads no item.
    pure: Vec<Option<Vec<Decimal>>>,
    /// The strongly connected components of the items, dependencies first: the
    /// order of every program with no slot stacked on a declaration (the base
    /// scenario without triggers), worked out once.
    components: Vec<Vec<usize>>,
    /// Values fixed in advance (actuals in closed periods), see [`super::Pinned`].
    pub(crate) pinned: Option<super::Pinned>,
}

impl Prepared {
    /// Collects the references of every item; with `values`, also computes the
    /// declarations that read no item (one that fails is left to the scenario's
    /// run, which reports the error).
    pub(crate) fn new(plan: &Plan, values: bool) -> Prepared {
        let mut p = Prepared {
            first: Vec::with_capacity(plan.items.len() + 1),
            ..Prepared::default()
        };
        let mut stack = Vec::new();
        for it in &plan.items {
            p.first.push(p.refs.len());
            expr_refs(&it.expr, Edge::Now, &mut p.refs, &mut stack);
        }
        p.first.push(p.refs.len());
        p.components =
            crate::graph::components(plan.items.len(), |v, k| p.refs(v).get(k).map(|r| r.item));
        if values {
            p = p.with_values(plan);
        }
        p
    }

    /// Computes the values of the declarations that read no item, when not yet
    /// done: what evaluation adds to what the cycle check needs.
    pub(crate) fn with_values(mut self, plan: &Plan) -> Prepared {
        if !self.pure.is_empty() {
            return self;
        }
        let ev = Ev::new(plan, &[], &[], None, "", None);
        self.pure = plan
            .items
            .iter()
            .enumerate()
            .map(|(i, it)| {
                if !self.refs(i).is_empty() {
                    return None;
                }
                ev.eval(&it.expr, 0, plan.len)
                    .ok()
                    .map(|v| v.into_vec(plan.len))
            })
            .collect();
        self
    }

    fn refs(&self, item: ItemId) -> &[Ref] {
        match (self.first.get(item), self.first.get(item + 1)) {
            (Some(&a), Some(&b)) => self.refs.get(a..b).unwrap_or(&[]),
            _ => &[],
        }
    }

    fn pure(&self, item: ItemId) -> Option<&[Decimal]> {
        self.pure.get(item).and_then(|v| v.as_deref())
    }
}

impl<'p> Program<'p> {
    /// The strongly connected components of the slots ([`crate::graph`]); fills
    /// `groups` in dependency order and `cycles` with impossible ones. Linear in slots and
    /// edges.
    fn order(&mut self, prep: Option<&Prepared>) {
        let n = self.slots.len();
        // Adjacency in one buffer: the edges of slot v are adj[first[v]..first[v + 1]].
        let mut adj: Vec<(usize, Edge)> = Vec::with_capacity(n * 2);
        let mut first: Vec<usize> = Vec::with_capacity(n + 1);
        let mut scratch = Scratch::default();
        for s in 0..n {
            first.push(adj.len());
            self.edges_into(s, &mut adj, &mut scratch, prep);
        }
        first.push(adj.len());
        let edges_of = |v: usize| -> &[(usize, Edge)] {
            match (first.get(v), first.get(v + 1)) {
                (Some(&a), Some(&b)) => adj.get(a..b).unwrap_or(&[]),
                _ => &[],
            }
        };
        // With no slot stacked on a declaration, the slots' edges are the
        // items' references: their order was worked out once for the plan.
        let owned;
        let comps: &[Vec<usize>] = match prep {
            Some(p)
                if n == self.start.len()
                    && p.components.iter().map(Vec::len).sum::<usize>() == n =>
            {
                &p.components
            }
            _ => {
                owned = crate::graph::components(n, |v, k| edges_of(v).get(k).map(|e| e.0));
                &owned
            }
        };
        // Position of each slot inside the component being ordered (usize::MAX:
        // outside it), reset after each component so the whole pass stays linear.
        let mut local = vec![usize::MAX; n];
        // Tarjan emits components dependencies-first.
        for comp in comps {
            if let [single] = comp.as_slice() {
                let self_edge = edges_of(*single).iter().any(|(w, _)| w == single);
                if !self_edge {
                    self.groups.push(Group::Column(*single));
                    continue;
                }
            }
            for (k, &s) in comp.iter().enumerate() {
                set(&mut local, s, k);
            }
            // Within a component only lagged edges may close a loop.
            let m = comp.len();
            let mut bad = false;
            let mut indeg = vec![0usize; m];
            // users[w]: the members that read member w in the same period, once
            // per edge, in component order.
            let mut users: Vec<Vec<usize>> = vec![Vec::new(); m];
            for (ks, &s) in comp.iter().enumerate() {
                for &(w, kind) in edges_of(s) {
                    let kw = get(&local, w);
                    if kw == usize::MAX {
                        continue;
                    }
                    match kind {
                        Edge::Whole => bad = true,
                        Edge::Now => {
                            if let Some(d) = indeg.get_mut(ks) {
                                *d += 1;
                            }
                            if let Some(u) = users.get_mut(kw) {
                                u.push(ks);
                            }
                        }
                        Edge::Lagged => {}
                    }
                }
            }
            // Kahn on same-period edges: s depends on w means w first.
            let mut order = Vec::with_capacity(m);
            let mut placed = vec![false; m];
            let mut ready: Vec<usize> = comp
                .iter()
                .enumerate()
                .filter(|(k, _)| indeg.get(*k) == Some(&0))
                .map(|(_, s)| *s)
                .collect();
            ready.sort_unstable();
            while let Some(w) = ready.pop() {
                order.push(w);
                let kw = get(&local, w);
                set(&mut placed, kw, true);
                for &ks in users.get(kw).map(Vec::as_slice).unwrap_or(&[]) {
                    if let Some(d) = indeg.get_mut(ks) {
                        *d -= 1;
                        if *d == 0 {
                            if let Some(&s) = comp.get(ks) {
                                ready.push(s);
                            }
                        }
                    }
                }
            }
            if bad || order.len() < m {
                let mut cyc = comp.clone();
                cyc.sort_unstable();
                self.cycles.push(cyc);
            }
            for (k, &s) in comp.iter().enumerate() {
                if !get(&placed, k) {
                    order.push(s);
                }
            }
            for &s in comp {
                set(&mut local, s, usize::MAX);
            }
            self.groups.push(Group::Periodwise(order));
        }
        self.adj = adj;
        self.adj_first = first;
    }

    fn edges_of(&self, v: usize) -> &[(usize, Edge)] {
        match (self.adj_first.get(v), self.adj_first.get(v + 1)) {
            (Some(&a), Some(&b)) => self.adj.get(a..b).unwrap_or(&[]),
            _ => &[],
        }
    }

    /// True for each item whose value is its own declaration here (no override,
    /// no playbook action on it).
    pub(crate) fn plain_items(&self) -> Vec<bool> {
        self.top.iter().enumerate().map(|(i, t)| *t == i).collect()
    }

    /// Per slot: certain to hold the same values as in base, because it is an
    /// item's own declaration in both programs (`base_plain`) and reads only
    /// slots that are. A scenario that overrides a few drivers then computes only
    /// what depends on them.
    pub(crate) fn same_as_base(&self, base_plain: &[bool]) -> Vec<bool> {
        let items = self.start.len();
        let mut same = vec![false; self.slots.len()];
        let own =
            |s: usize| s < items && self.top.get(s) == Some(&s) && base_plain.get(s) == Some(&true);
        for g in &self.groups {
            match g {
                Group::Column(s) => {
                    let ok = own(*s) && self.edges_of(*s).iter().all(|(t, _)| get(&same, *t));
                    set(&mut same, *s, ok);
                }
                Group::Periodwise(order) => {
                    // Optimistic inside the group: all of it, or none.
                    for &s in order {
                        set(&mut same, s, true);
                    }
                    let ok = order
                        .iter()
                        .all(|&s| own(s) && self.edges_of(s).iter().all(|(t, _)| get(&same, *t)));
                    for &s in order {
                        set(&mut same, s, ok);
                    }
                }
            }
        }
        same
    }

    /// Runs every slot; returns the values of all slots.
    pub(crate) fn run(
        &self,
        plan: &Plan,
        scenario: &str,
        base: Option<&[Vec<Decimal>]>,
    ) -> Result<Vec<Vec<Decimal>>, EvalError> {
        self.run_with(plan, scenario, base, None, None, None)
    }

    /// Per slot: the drawn series standing in for what it computes, if any.
    fn drawn<'d>(&self, draws: Option<&'d Draws>) -> Vec<Option<&'d [Decimal]>> {
        let Some(d) = draws.filter(|d| !d.layers.is_empty()) else {
            return Vec::new();
        };
        self.slots
            .iter()
            .map(|slot| {
                d.layers
                    .iter()
                    .find(|(item, layer, _)| *item == slot.item && *layer == slot.layer)
                    .map(|(_, _, v)| v.as_slice())
            })
            .collect()
    }

    /// [`Program::run`] reusing the values [`Prepared`] computed, and base's
    /// values where they are certain to be the same.
    pub(crate) fn run_with(
        &self,
        plan: &Plan,
        scenario: &str,
        base: Option<&[Vec<Decimal>]>,
        prep: Option<&Prepared>,
        reuse: Option<Reuse<'_>>,
        draws: Option<&Draws>,
    ) -> Result<Vec<Vec<Decimal>>, EvalError> {
        let drawn = self.drawn(draws);
        let drawn_at = |s: usize| drawn.get(s).copied().flatten();
        let reused = |s: usize| -> Option<Vec<Decimal>> {
            let r = reuse?;
            if !get(r.same, s) {
                return None;
            }
            let item = self.slots.get(s)?.item;
            r.values.get(item).cloned()
        };
        let n = plan.len;
        let mut values: Vec<Vec<Decimal>> = vec![Vec::new(); self.slots.len()];
        // Which group a slot belongs to (for hoisting), stamped per group.
        let mut group_of: Vec<usize> = vec![usize::MAX; self.slots.len()];
        for (g, group) in self.groups.iter().enumerate() {
            match group {
                Group::Column(s) => {
                    if let Some(v) = reused(*s) {
                        if let Some(slot) = values.get_mut(*s) {
                            *slot = v;
                        }
                        continue;
                    }
                    let mut v = if let Some(d) = drawn_at(*s) {
                        self.drawn_column(*s, n, &values, d)
                    } else {
                        let ev = self.ev(plan, &values, scenario, base, *s);
                        let pure = prep.and_then(|p| p.pure(*s));
                        self.column(&ev, *s, n, &values, pure)?
                    };
                    if let Some(pins) = self.pins(prep, *s) {
                        for (x, p) in v.iter_mut().zip(pins) {
                            if let Some(p) = p {
                                *x = *p;
                            }
                        }
                    }
                    if let Some(slot) = values.get_mut(*s) {
                        *slot = v;
                    }
                }
                Group::Periodwise(order) => {
                    if order.iter().all(|&s| reuse.is_some_and(|r| get(r.same, s))) {
                        for &s in order {
                            if let (Some(v), true) = (reused(s), s < values.len()) {
                                set(&mut values, s, v);
                            }
                        }
                        continue;
                    }
                    for s in order {
                        if let Some(slot) = values.get_mut(*s) {
                            *slot = vec![Decimal::ZERO; n];
                        }
                        set(&mut group_of, *s, g);
                    }
                    let hoisted = self.hoist(plan, &values, scenario, base, order, |s| {
                        get(&group_of, s) == g
                    });
                    for t in 0..n {
                        for (k, &s) in order.iter().enumerate() {
                            let v = {
                                let mut ev = self.ev(plan, &values, scenario, base, s);
                                if let Some(h) = hoisted.as_ref().and_then(|h| h.get(k)) {
                                    ev.hoisted = h;
                                }
                                match (
                                    self.pins(prep, s).and_then(|p| p.get(t)).copied().flatten(),
                                    drawn_at(s),
                                ) {
                                    (Some(pinned), _) => pinned,
                                    (None, Some(d)) => self.drawn_cell(s, t, &values, d),
                                    (None, None) => self.cell(&ev, s, t, &values)?,
                                }
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

    /// The values pinned for slot `s` when it is its item's top slot (what every
    /// reader of the item sees): per period, Some where the value is fixed.
    fn pins<'x>(&self, prep: Option<&'x Prepared>, s: usize) -> Option<&'x [Option<Decimal>]> {
        let item = self.slots.get(s)?.item;
        if self.top.get(item) != Some(&s) {
            return None;
        }
        let v = prep?.pinned.as_ref()?.values.get(item)?;
        (!v.is_empty()).then_some(v.as_slice())
    }

    /// For a group computed period by period: the subexpressions of each slot
    /// that read no slot of the group, computed ahead over the whole horizon, so
    /// that each period only walks what truly changes from period to period
    /// (`prev(x, 100) * (1 + g) + y` computes `1 + g` once, as a column). None
    /// when computing ahead fails (an error in a period the slot would not have
    /// computed, or in an `if` branch not taken): the group then runs without it,
    /// which gives exactly the errors of a plain period-by-period run.
    fn hoist(
        &self,
        plan: &Plan,
        values: &[Vec<Decimal>],
        scenario: &str,
        base: Option<&[Vec<Decimal>]>,
        order: &[usize],
        in_group: impl Fn(usize) -> bool + Copy,
    ) -> Option<Vec<Vec<Hoisted>>> {
        let n = plan.len;
        let mut out = Vec::with_capacity(order.len());
        let mut found: Vec<&ir::Expr> = Vec::new();
        for &s in order {
            let slot = self.slots.get(s)?;
            let mut cols: Vec<Hoisted> = Vec::new();
            if let SlotExpr::Expr(e) = slot.expr {
                found.clear();
                self.collect_hoistable(e, slot.below, in_group, &mut found);
                let ev = self.ev(plan, values, scenario, base, s);
                for h in &found {
                    let v = ev.eval(h, 0, n).ok()?.into_vec(n);
                    let p: *const ir::Expr = *h;
                    cols.push((p, v));
                }
            }
            out.push(cols);
        }
        Some(out)
    }

    /// Pushes the largest subexpressions of `e` that read no slot of the group and
    /// are worth computing ahead (not a constant or a plain reference).
    fn collect_hoistable<'e>(
        &self,
        e: &'e ir::Expr,
        below: Option<usize>,
        in_group: impl Fn(usize) -> bool + Copy,
        out: &mut Vec<&'e ir::Expr>,
    ) {
        if !self.reads_group(e, below, in_group) {
            if !matches!(
                e.kind,
                ExprKind::Const(..)
                    | ExprKind::Item(_)
                    | ExprKind::Prior(_)
                    | ExprKind::Period(..)
                    | ExprKind::Window(..)
                    | ExprKind::Error
            ) {
                out.push(e);
            }
            return;
        }
        match &e.kind {
            ExprKind::Unary(_, a) => self.collect_hoistable(a, below, in_group, out),
            ExprKind::Binary(_, a, b) => {
                self.collect_hoistable(a, below, in_group, out);
                self.collect_hoistable(b, below, in_group, out);
            }
            ExprKind::If(c, a, b) => {
                self.collect_hoistable(c, below, in_group, out);
                self.collect_hoistable(a, below, in_group, out);
                self.collect_hoistable(b, below, in_group, out);
            }
            ExprKind::Step(s) if s.is_plain() => {}
            ExprKind::Step(entries) => {
                for (_, v) in entries {
                    self.collect_hoistable(v, below, in_group, out);
                }
            }
            // Inside `base(…)` values come from elsewhere: no hoisting there.
            ExprKind::Call(Builtin::Base, _) => {}
            ExprKind::Call(_, args) => {
                for a in args {
                    self.collect_hoistable(a, below, in_group, out);
                }
            }
            _ => {}
        }
    }

    /// True when `e` reads a slot of the group (as the edges see it).
    fn reads_group(
        &self,
        e: &ir::Expr,
        below: Option<usize>,
        in_group: impl Fn(usize) -> bool,
    ) -> bool {
        let mut found = false;
        e.walk(&mut |x| {
            let hit = match x.kind {
                ExprKind::Item(i) => self.top.get(i).is_none_or(|t| in_group(*t)),
                ExprKind::Prior(i) => below
                    .or_else(|| self.top.get(i).copied())
                    .is_none_or(&in_group),
                _ => false,
            };
            found |= hit;
        });
        found
    }

    fn ev<'a>(
        &'a self,
        plan: &'a Plan,
        values: &'a [Vec<Decimal>],
        scenario: &'a str,
        base: Option<&'a [Vec<Decimal>]>,
        s: usize,
    ) -> Ev<'a> {
        Ev::new(
            plan,
            values,
            &self.top,
            base,
            scenario,
            self.slots.get(s).and_then(|x| x.below),
        )
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
        pure: Option<&[Decimal]>,
    ) -> Result<Vec<Decimal>, EvalError> {
        let Some(slot) = self.slots.get(s) else {
            return Ok(vec![Decimal::ZERO; n]);
        };
        let (from, start) = self.bounds(s);
        let lo = from.max(start).clamp(0, n as i64) as usize;
        // A declaration that reads no item (slot = item index, so `from` is 0):
        // computed once for every scenario.
        if let (Some(col), true) = (pure, s < self.start.len()) {
            if col.len() == n {
                let mut out = col.to_vec();
                if let Some(head) = out.get_mut(..lo) {
                    head.fill(Decimal::ZERO);
                }
                return Ok(out);
            }
        }
        if lo == 0 {
            // The common case: the expression's own result is the column.
            return Ok(match slot.expr {
                SlotExpr::Zero => vec![Decimal::ZERO; n],
                SlotExpr::Expr(e) => ev.eval(e, 0, n)?.into_vec(n),
            });
        }
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
                    other => out.extend((0..n - lo).map(|i| other.at(i))),
                },
            }
        }
        Ok(out)
    }

    /// A slot whose own periods take drawn values (below them: the slot it covers).
    fn drawn_column(
        &self,
        s: usize,
        n: usize,
        values: &[Vec<Decimal>],
        drawn: &[Decimal],
    ) -> Vec<Decimal> {
        (0..n)
            .map(|t| self.drawn_cell(s, t, values, drawn))
            .collect()
    }

    fn drawn_cell(
        &self,
        s: usize,
        t: usize,
        values: &[Vec<Decimal>],
        drawn: &[Decimal],
    ) -> Decimal {
        let (from, start) = self.bounds(s);
        let ti = t as i64;
        if ti < start {
            return Decimal::ZERO;
        }
        if ti < from {
            return below_at(values, self.slots.get(s).and_then(|x| x.below), t);
        }
        drawn.get(t).copied().unwrap_or_default()
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
            SlotExpr::Expr(e) => ev.at(e, t),
        }
    }

    /// The values of each item's top slot, in item order.
    pub(crate) fn item_values_from(&self, mut values: Vec<Vec<Decimal>>) -> Vec<Vec<Decimal>> {
        self.top
            .iter()
            .map(|&s| values.get_mut(s).map(std::mem::take).unwrap_or_default())
            .collect()
    }

    /// Items on each cycle.
    pub(crate) fn cycle_items(&self) -> Vec<Vec<ItemId>> {
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

/// [`find_cycles`] reusing the plan's references.
pub(crate) fn find_cycles_with(
    plan: &Plan,
    s: ScenarioId,
    prep: Option<&Prepared>,
) -> Vec<Vec<ItemId>> {
    let all: Vec<(TriggerId, i64)> = plan.triggers_for(s).into_iter().map(|t| (t, 0)).collect();
    Program::build_with(plan, s, &all, prep).cycle_items()
}

#[cfg(test)]
mod tests {
    use super::{Prepared, Program};
    use crate::compile::{compile_str, Options};

    /// The order kept on [`Prepared`] is the one each program would work out.
    #[test]
    fn the_prepared_order_is_the_programs_own() {
        let text = "plan t \"T\" {\n  currency USD\n  periods 2026-01 .. 2026-03\n}\n\
            metric down: USD = a + 1\n\
            driver cost: USD = 100\n\
            metric a: USD = b + cost\n\
            metric b: USD = a * 2\n\
            metric running: USD = prev(running, 0) + cost\n\
            metric fine: USD = cost * 2\n\
            scenario base \"Base\" {}\n\
            scenario high \"High\" extends base {\n  cost = 120\n}\n";
        let c = compile_str("main.plumb", text, &Options::default());
        let plan = &c.resolved.plan;
        let prep = Prepared::new(plan, false);
        assert_eq!(plan.scenarios.len(), 2, "{:?}", c.diagnostics);
        for s in 0..plan.scenarios.len() {
            let shared = Program::build_with(plan, s, &[], Some(&prep));
            let own = Program::build(plan, s, &[]);
            assert_eq!(format!("{:?}", shared.groups), format!("{:?}", own.groups));
            assert_eq!(shared.cycle_items(), own.cycle_items());
            assert_eq!(own.cycle_items().len(), 1);
        }
    }
}
