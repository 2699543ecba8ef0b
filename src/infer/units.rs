//! Unit inference and checking.
//!
//! Takes the resolved plan, infers the unit of every driver and metric that has
//! none written (in dependency order), and checks every formula, override, `set`,
//! condition and bet: `+`, `-`, comparisons, `min`/`max` and `if` branches need
//! equal units; `*` and `/` combine them; literals without a unit adopt their
//! context's. A mismatch is `unit-mismatch`, naming both units.

use crate::builtins::UnitRule;
use crate::diagnostic::{Code, Diagnostic};
use crate::ir::{self, Builtin, ExprKind, ItemId};
use crate::source::Span;
use crate::syntax::ast::{BinOp, UnOp};
use crate::units::{Ty, Unit};
use rust_decimal::prelude::ToPrimitive;

struct Ctx<'p> {
    items: Items<'p>,
    diags: Vec<Diagnostic>,
    /// Drivers and metrics with a written unit, for conversions in help lines.
    converters: &'p [(String, Unit)],
}

/// Where a context finds the unit of an item.
#[derive(Clone, Copy)]
enum Items<'p> {
    /// Inferred so far (None: not yet).
    Known(&'p [Option<Ty>]),
    /// The plan's, once inferred (read one at a time, not copied).
    Plan(&'p [ir::Item]),
}

impl Items<'_> {
    fn ty(&self, i: ItemId) -> Ty {
        match self {
            Items::Known(k) => k.get(i).cloned().flatten().unwrap_or(Ty::Any),
            Items::Plan(items) => items
                .get(i)
                .map(|it| Ty::Num(it.unit.clone()))
                .unwrap_or(Ty::Any),
        }
    }
}

/// Infers and checks units across the plan: fills `Item::unit` (in dependency
/// order), then every roll-up not written (§3.2) and the totals of dimensioned
/// items, and checks every use of an item's unit.
pub fn infer(plan: &mut ir::Plan) -> Vec<Diagnostic> {
    let converters: Vec<(String, Unit)> = plan
        .items
        .iter()
        .filter(|i| i.unit_declared && !i.unit.is_dimensionless())
        .map(|i| (i.name.clone(), i.unit.clone()))
        .collect();
    let (mut diags, known) = infer_items(plan, &converters);
    // Roll-ups not written take their default (§3.2), now that units are known.
    let defaults = crate::eval::window::default_aggregations(plan);
    for (item, d) in plan.items.iter_mut().zip(defaults) {
        if !item.aggregation_declared {
            item.aggregation = d;
        }
    }
    diags.extend(super::totals::settle(plan));
    diags.extend(check_uses(plan, &known, &converters));
    diags
}

/// Every item's unit, in dependency order: the written one, else its formula's.
/// Gives the unit errors of the definitions and what each item is known as
/// (`Ty::Any` for an item whose unit is unknown because of an error).
fn infer_items(
    plan: &mut ir::Plan,
    converters: &[(String, Unit)],
) -> (Vec<Diagnostic>, Vec<Option<Ty>>) {
    let n = plan.items.len();
    let mut known: Vec<Option<Ty>> = plan
        .items
        .iter()
        .map(|i| {
            if i.unit_declared {
                Some(Ty::Num(i.unit.clone()))
            } else {
                None
            }
        })
        .collect();
    let mut diags = Vec::new();
    // Items whose unit is unknown because of an error already reported (a value
    // that did not parse, a unit mismatch): formulas reading them are not blamed.
    let mut tainted = vec![false; n];
    for id in dependency_order(plan) {
        let Some(item) = plan.items.get(id) else {
            continue;
        };
        let mut ctx = Ctx {
            items: Items::Known(&known),
            diags: Vec::new(),
            converters,
        };
        let ty = ctx.ty(&item.expr);
        // A formula with a unit error has no unit: its users are not blamed again.
        let poisoned = ctx.diags.iter().any(|d| d.code == Code::UnitMismatch);
        let reads_tainted = item
            .expr
            .items()
            .iter()
            .any(|&i| i != id && tainted.get(i) == Some(&true));
        if !item.unit_declared && (poisoned || reads_tainted || item.expr.has_error()) {
            if let Some(t) = tainted.get_mut(id) {
                *t = true;
            }
        }
        let declared = item.unit_declared.then(|| item.unit.clone());
        diags.extend(ctx.diags);
        diags.extend(definition_error(
            item,
            declared.as_ref(),
            &ty,
            reads_tainted,
            converters,
        ));
        let unit = match (declared, ty) {
            (Some(d), _) => d,
            (None, Ty::Num(u)) => u,
            _ => Unit::dimensionless(),
        };
        if let Some(slot) = known.get_mut(id) {
            *slot = Some(if tainted.get(id) == Some(&true) {
                Ty::Any
            } else {
                Ty::Num(unit.clone())
            });
        }
        if let Some(item) = plan.items.get_mut(id) {
            item.unit = unit;
        }
    }
    debug_assert_eq!(known.len(), n);
    (diags, known)
}

/// The error in an item's definition as a whole: a formula whose unit is not
/// the declared one, or that gives a condition, a period or a range.
fn definition_error(
    item: &ir::Item,
    declared: Option<&Unit>,
    ty: &Ty,
    reads_tainted: bool,
    converters: &[(String, Unit)],
) -> Option<Diagnostic> {
    match (declared, ty) {
        (Some(d), Ty::Num(u)) if !d.same(u) && !item.expr.has_error() && !reads_tainted => Some(
            Diagnostic::error(
                Code::UnitMismatch,
                item.expr.span,
                format!(
                    "`{}` is declared in {d} but its formula gives {u}",
                    item.name
                ),
            )
            .with_label(format!("this is {u}"))
            .with_secondary(item.name_span, format!("declared in {d}"))
            .with_help(help_for(
                d,
                u,
                &converters
                    .iter()
                    .filter(|(n, _)| *n != item.name)
                    .cloned()
                    .collect::<Vec<_>>(),
            )),
        ),
        (_, Ty::Bool) => Some(
            Diagnostic::error(
                Code::TypeMismatch,
                item.expr.span,
                format!("`{}` is defined by a condition, not a number", item.name),
            )
            .with_help("wrap it in `if … then 1 else 0` to count it as a number"),
        ),
        (_, Ty::Period | Ty::Range) => Some(
            Diagnostic::error(
                Code::TypeMismatch,
                item.expr.span,
                format!("`{}` is defined by {ty}, not a number", item.name),
            )
            .with_help("periods are arguments of functions such as `ramp` and `sum`"),
        ),
        _ => None,
    }
}

/// The unit errors where items are used once their units are known: ranges,
/// overrides, `set`, bets (the item's unit) and triggers, targets, `maintain`,
/// asks and grants (a condition).
fn check_uses(
    plan: &ir::Plan,
    known: &[Option<Ty>],
    converters: &[(String, Unit)],
) -> Vec<Diagnostic> {
    let mut ctx = Ctx {
        items: Items::Known(known),
        diags: Vec::new(),
        converters,
    };
    for item in &plan.items {
        if let Some((lo, hi)) = &item.range {
            ctx.expect_unit(lo, &item.unit, &format!("the range of `{}`", item.name));
            ctx.expect_unit(hi, &item.unit, &format!("the range of `{}`", item.name));
        }
    }
    for sc in &plan.scenarios {
        for o in &sc.overrides {
            if let Some(item) = plan.items.get(o.item) {
                ctx.expect_unit(
                    &o.expr,
                    &item.unit,
                    &format!("the override of `{}`", item.name),
                );
                if let Some((lo, hi)) = &o.range {
                    let what = format!("the override's range of `{}`", item.name);
                    ctx.expect_unit(lo, &item.unit, &what);
                    ctx.expect_unit(hi, &item.unit, &what);
                }
            }
        }
    }
    for t in &plan.triggers {
        ctx.expect_bool(&t.when, "a trigger's `when`");
        for s in &t.steps {
            for (a, _) in &s.actions {
                if let ir::Action::Set(i, e) = a {
                    if let Some(item) = plan.items.get(*i) {
                        ctx.expect_unit(e, &item.unit, &format!("`set {}`", item.name));
                    }
                }
            }
        }
    }
    for o in &plan.objectives {
        for t in &o.targets {
            ctx.expect_bool(&t.expr, "a target");
        }
    }
    for a in &plan.assumptions {
        for c in &a.changes {
            if let Some(item) = plan.items.get(c.item) {
                ctx.expect_unit(&c.from, &item.unit, &format!("the bet on `{}`", item.name));
                ctx.expect_unit(&c.to, &item.unit, &format!("the bet on `{}`", item.name));
            }
        }
        for (m, _) in &a.maintains {
            ctx.expect_bool(m, "`maintain`");
        }
    }
    for r in &plan.requests {
        for (e, _) in r.ask.iter().chain(r.grant.iter()) {
            ctx.expect_bool(e, "a request's ask or grant");
        }
    }
    ctx.diags
}

/// Items in an order where each comes after the items it reads
/// ([`crate::graph::acyclic_order`]): items on a cycle, or reading one, come
/// last in index order (the cycle check reports them).
fn dependency_order(plan: &ir::Plan) -> Vec<ItemId> {
    let deps: Vec<Vec<ItemId>> = plan.items.iter().map(|i| i.expr.items()).collect();
    crate::graph::acyclic_order(deps.len(), |v| deps.get(v).map_or(&[], Vec::as_slice))
}

fn help_for(want: &Unit, got: &Unit, converters: &[(String, Unit)]) -> String {
    let q = want.div(got);
    if q.is_dimensionless() {
        return "the units differ only in how they are written".into();
    }
    match convert(got, want, converters) {
        Some(how) => format!("{how}, or change the declared unit to {got}"),
        None if simple(&q) => {
            format!("multiply by a driver in {q} to convert, or change the declared unit to {got}")
        }
        None => format!("change the declared unit to {got}, or check the formula"),
    }
}

/// The help for a value that must be in `want` but is in `got` (an override, a
/// `set`, a bet's value, a range), where the declared unit is not in question.
fn conversion_help(want: &Unit, got: &Unit, converters: &[(String, Unit)]) -> String {
    let q = want.div(got);
    if q.is_dimensionless() {
        return "the units differ only in how they are written".into();
    }
    match convert(got, want, converters) {
        Some(how) => how,
        None if simple(&q) => format!("multiply by a driver in {q} to get {want}"),
        None => format!("write a value in {want}"),
    }
}

/// True for a unit a person would declare for a conversion: every factor to the
/// power 1 or -1 (`USD/fte`, not `fte*fte/USD`).
fn simple(u: &Unit) -> bool {
    !u.is_dimensionless() && u.factors.iter().all(|(_, e)| e.abs() == 1)
}

/// How to turn a value in `from` into `to` with a declared driver or metric:
/// "multiply by `loaded_cost` (USD/fte)" or "divide by `loaded_cost` (USD/fte)".
fn convert(from: &Unit, to: &Unit, converters: &[(String, Unit)]) -> Option<String> {
    let q = to.div(from);
    if let Some((n, u)) = converters.iter().find(|(_, u)| u.same(&q)) {
        return Some(format!("multiply by `{n}` ({u}) to get {to}"));
    }
    let inv = from.div(to);
    converters
        .iter()
        .find(|(_, u)| u.same(&inv))
        .map(|(n, u)| format!("divide by `{n}` ({u}) to get {to}"))
}

/// The help of a mismatch between sides in `a` and `b`.
fn mismatch_help(a: &Unit, b: &Unit, converters: &[(String, Unit)]) -> String {
    if let Some(how) = convert(b, a, converters) {
        return format!("both sides need the same unit: on the {b} side, {how}");
    }
    if let Some(how) = convert(a, b, converters) {
        return format!("both sides need the same unit: on the {a} side, {how}");
    }
    let (ab, ba) = (a.div(b), b.div(a));
    if simple(&ab) {
        format!("both sides need the same unit: multiply the {b} side by a driver in {ab}")
    } else if simple(&ba) {
        format!("both sides need the same unit: multiply the {a} side by a driver in {ba}")
    } else {
        format!("both sides need the same unit; {a} and {b} measure different things, so check the formula (`*` or `/` where `+` or `-` is written?)")
    }
}

impl Ctx<'_> {
    fn mismatch(
        &mut self,
        _span: Span,
        what: &str,
        a: &Unit,
        a_span: Span,
        b: &Unit,
        b_span: Span,
    ) {
        let d = Diagnostic::error(
            Code::UnitMismatch,
            b_span,
            format!("cannot {what} {a} and {b}"),
        )
        .with_label(format!("this is {b}"))
        .with_secondary(a_span, format!("this is {a}"))
        .with_help(mismatch_help(a, b, self.converters));
        self.diags.push(d);
    }

    fn expect_unit(&mut self, e: &ir::Expr, want: &Unit, what: &str) {
        if e.has_error() {
            return;
        }
        match self.ty(e) {
            Ty::Num(u) if !u.same(want) => self.diags.push(
                Diagnostic::error(
                    Code::UnitMismatch,
                    e.span,
                    format!("{what} must be in {want}, but this is {u}"),
                )
                .with_label(format!("this is {u}"))
                .with_help(conversion_help(want, &u, self.converters)),
            ),
            Ty::Bool | Ty::Period | Ty::Range => {
                let t = self.ty(e);
                self.diags.push(Diagnostic::error(
                    Code::TypeMismatch,
                    e.span,
                    format!("{what} must be a number in {want}, but this is {t}"),
                ));
            }
            _ => {}
        }
    }

    fn expect_bool(&mut self, e: &ir::Expr, what: &str) {
        let t = self.ty(e);
        if !matches!(t, Ty::Bool) && !matches!(e.kind, ExprKind::Error) {
            self.diags.push(
                Diagnostic::error(
                    Code::TypeMismatch,
                    e.span,
                    format!("{what} must be a condition, but this is {t}"),
                )
                .with_help("write a comparison, for example `sum(revenue) >= 65M`"),
            );
        }
    }

    fn num(&mut self, e: &ir::Expr) -> Ty {
        let t = self.ty(e);
        match t {
            Ty::Bool | Ty::Period | Ty::Range => {
                self.diags.push(
                    Diagnostic::error(Code::TypeMismatch, e.span, format!("expected a number, found {t}"))
                        .with_help(match t {
                            Ty::Bool => "use `if … then … else …` to turn a condition into a number",
                            _ => "periods are only arguments of `ramp`, `step` and the window of `sum`, `avg`, …",
                        }),
                );
                Ty::Any
            }
            other => other,
        }
    }

    /// Same-unit operands (`+`, `-`, comparisons, `min`, `max`, `if` branches).
    fn same(&mut self, span: Span, what: &str, a: &ir::Expr, b: &ir::Expr) -> Ty {
        let ta = self.num(a);
        let tb = self.num(b);
        match (ta, tb) {
            (Ty::Num(x), Ty::Num(y)) => {
                if !x.same(&y) {
                    self.mismatch(span, what, &x, a.span, &y, b.span);
                    // Reported here, the innermost place: the result has no unit.
                    return Ty::Any;
                }
                let mut u = x;
                u.percent = u.percent || (y.percent && u.factors.is_empty());
                Ty::Num(u)
            }
            (Ty::Num(x), _) | (_, Ty::Num(x)) => Ty::Num(x),
            _ => Ty::Any,
        }
    }

    fn ty(&mut self, e: &ir::Expr) -> Ty {
        crate::stack::guard(|| self.ty_node(e))
    }

    fn ty_node(&mut self, e: &ir::Expr) -> Ty {
        match &e.kind {
            ExprKind::Const(_, Some(u)) => Ty::Num(u.clone()),
            ExprKind::Const(_, None) => Ty::Any,
            ExprKind::Period(..) => Ty::Period,
            ExprKind::Window(..) => Ty::Range,
            ExprKind::Error => Ty::Any,
            ExprKind::Item(i) | ExprKind::Prior(i) => self.items.ty(*i),
            ExprKind::Unary(UnOp::Neg, a) => self.num(a),
            ExprKind::Unary(UnOp::Not, a) => {
                self.expect_bool(a, "`not`");
                Ty::Bool
            }
            ExprKind::Binary(op, a, b) => match op {
                BinOp::Add => self.same(e.span, "add", a, b),
                BinOp::Sub => self.same(e.span, "subtract", a, b),
                BinOp::Mul | BinOp::Div => {
                    let ta = self.num(a);
                    let tb = self.num(b);
                    match (ta, tb) {
                        (Ty::Any, Ty::Any) => Ty::Any,
                        (Ty::Num(x), Ty::Any) => Ty::Num(Unit {
                            percent: false,
                            ..x
                        }),
                        (Ty::Any, Ty::Num(y)) => {
                            if *op == BinOp::Mul {
                                Ty::Num(Unit {
                                    percent: false,
                                    ..y
                                })
                            } else {
                                Ty::Num(Unit::dimensionless().div(&y))
                            }
                        }
                        (Ty::Num(x), Ty::Num(y)) => Ty::Num(if *op == BinOp::Mul {
                            x.mul(&y)
                        } else {
                            x.div(&y)
                        }),
                        _ => Ty::Any,
                    }
                }
                BinOp::And | BinOp::Or => {
                    self.expect_bool(a, &format!("`{}`", op.as_str()));
                    self.expect_bool(b, &format!("`{}`", op.as_str()));
                    Ty::Bool
                }
                _ => {
                    self.same(e.span, "compare", a, b);
                    Ty::Bool
                }
            },
            ExprKind::If(c, a, b) => {
                self.expect_bool(c, "the condition of `if`");
                self.same(e.span, "choose between", a, b)
            }
            // Numbers without a unit (most steps) bring none.
            ExprKind::Step(s) if s.is_plain() => Ty::Any,
            ExprKind::Step(entries) => {
                let mut acc = Ty::Any;
                for (_, v) in entries {
                    let t = self.num(v);
                    match (&acc, t) {
                        (Ty::Num(x), Ty::Num(y)) if !x.same(&y) => {
                            let (x, y) = (x.clone(), y.clone());
                            self.mismatch(v.span, "mix", &x, e.span, &y, v.span);
                        }
                        (Ty::Any, t @ Ty::Num(_)) => acc = t,
                        _ => {}
                    }
                }
                acc
            }
            ExprKind::At(x, _, _) => self.num(x),
            ExprKind::Call(b, args) => self.call(*b, args, e),
        }
    }

    fn call(&mut self, b: Builtin, args: &[ir::Expr], e: &ir::Expr) -> Ty {
        let arg = |i: usize| args.get(i);
        match b.unit_rule() {
            UnitRule::PlainRate => {
                let t = arg(0).map(|a| self.num(a)).unwrap_or(Ty::Any);
                if let Some(r) = arg(1) {
                    if let Ty::Num(u) = self.num(r) {
                        if !u.is_dimensionless() {
                            self.diags.push(
                                Diagnostic::error(Code::UnitMismatch, r.span, format!("a growth rate must be a plain number or %, but this is {u}"))
                                    .with_help("write the rate as a percentage, for example `2%`"),
                            );
                        }
                    }
                }
                t
            }
            UnitRule::Ramp => {
                for i in [2, 3] {
                    if let Some(p) = arg(i) {
                        if !matches!(p.kind, ExprKind::Period(..))
                            && !matches!(p.kind, ExprKind::Error)
                        {
                            self.diags.push(
                                Diagnostic::error(
                                    Code::TypeMismatch,
                                    p.span,
                                    "`ramp` needs periods for its last two arguments",
                                )
                                .with_help("write `ramp(22%, 28%, 2026-01, 2026-06)`"),
                            );
                        }
                    }
                }
                match (arg(0), arg(1)) {
                    (Some(a), Some(c)) => self.same(e.span, "ramp between", a, c),
                    _ => Ty::Any,
                }
            }
            UnitRule::WithInit => match (arg(0), arg(1)) {
                (Some(x), Some(init)) => self.same(e.span, "combine", x, init),
                (Some(x), None) => self.num(x),
                _ => Ty::Any,
            },
            UnitRule::FirstArg => arg(0).map(|a| self.num(a)).unwrap_or(Ty::Any),
            UnitRule::OverWindow => {
                if let Some(w) = arg(1) {
                    if !matches!(w.kind, ExprKind::Window(..) | ExprKind::Error) {
                        self.diags.push(
                            Diagnostic::error(
                                Code::TypeMismatch,
                                w.span,
                                "the window must be a period or a range",
                            )
                            .with_help("write `2026-Q4`, `2026` or `2026-01 .. 2026-06`"),
                        );
                    }
                }
                arg(0).map(|a| self.num(a)).unwrap_or(Ty::Any)
            }
            UnitRule::SameAsArgs => {
                let mut acc = Ty::Any;
                let mut first: Option<&ir::Expr> = None;
                for a in args {
                    let t = self.num(a);
                    match (&acc, t) {
                        (Ty::Num(x), Ty::Num(y)) if !x.same(&y) => {
                            let (x, y) = (x.clone(), y.clone());
                            let fs = first.map(|f| f.span).unwrap_or(e.span);
                            self.mismatch(e.span, "compare", &x, fs, &y, a.span);
                            // Reported once, here: the result has no unit.
                            return Ty::Any;
                        }
                        (Ty::Any, t @ Ty::Num(_)) => {
                            acc = t;
                            first = Some(a);
                        }
                        _ => {}
                    }
                }
                acc
            }
            UnitRule::Rounded => {
                if let Some(d) = arg(1) {
                    if !matches!(d.kind, ExprKind::Const(v, None) if v.fract().is_zero()) {
                        self.diags.push(
                            Diagnostic::error(
                                Code::TypeMismatch,
                                d.span,
                                "`round` needs a whole number of digits",
                            )
                            .with_help(
                                "write `round(x, 2)` for cents or `round(x, -3)` for thousands",
                            ),
                        );
                    }
                }
                arg(0).map(|a| self.num(a)).unwrap_or(Ty::Any)
            }
            UnitRule::Any => Ty::Any,
            UnitRule::Power => self.power(b, args),
            UnitRule::Allocated => {
                for w in args.iter().skip(3) {
                    self.num(w);
                }
                arg(0).map(|a| self.num(a)).unwrap_or(Ty::Any)
            }
        }
    }

    /// `pow(x, n)` and `root(x, n)`: the exponent is a plain whole number; a value
    /// with a unit needs a fixed exponent (its unit is raised with it), and `root`
    /// of a unit needs exponents the root divides (`root(x, 2)` of `m*m` is `m`).
    fn power(&mut self, b: Builtin, args: &[ir::Expr]) -> Ty {
        let name = if b == Builtin::Pow { "pow" } else { "root" };
        let (Some(x), Some(n)) = (args.first(), args.get(1)) else {
            return Ty::Any;
        };
        let tx = self.num(x);
        let tn = self.num(n);
        if let Ty::Num(u) = &tn {
            if !u.is_dimensionless() {
                self.diags.push(
                    Diagnostic::error(
                        Code::UnitMismatch,
                        n.span,
                        format!("the exponent of `{name}` must be a plain number, but this is {u}"),
                    )
                    .with_help(format!("write a whole number, for example `{name}(x, 12)`")),
                );
            }
        }
        let fixed = match &n.kind {
            ExprKind::Const(v, _) => {
                let whole = v.fract().is_zero();
                let min = if b == Builtin::Root {
                    1
                } else {
                    -ir::MAX_EXPONENT
                };
                let k = if whole { v.to_i64() } else { None };
                match k {
                    Some(k) if (min..=ir::MAX_EXPONENT).contains(&k) => Some(k),
                    _ => {
                        let want = if b == Builtin::Root {
                            format!("a whole number from 1 to {}", ir::MAX_EXPONENT)
                        } else {
                            format!("a whole number from -{m} to {m}", m = ir::MAX_EXPONENT)
                        };
                        self.diags.push(
                            Diagnostic::error(
                                Code::TypeMismatch,
                                n.span,
                                format!("the exponent of `{name}` must be {want}"),
                            )
                            .with_help(
                                "for a fractional power write a root of a power: `root(pow(x, 3), 2)` is x^1.5",
                            ),
                        );
                        return Ty::Any;
                    }
                }
            }
            _ => None,
        };
        let u = match tx {
            Ty::Num(u) => u,
            other => return other,
        };
        if u.is_dimensionless() {
            return Ty::Num(Unit::dimensionless());
        }
        let Some(k) = fixed else {
            self.diags.push(
                Diagnostic::error(
                    Code::UnitMismatch,
                    x.span,
                    format!("`{name}` of a value in {u} needs a fixed exponent, so the result has a unit"),
                )
                .with_label(format!("this is {u}"))
                .with_help("write the exponent as a number, or divide the value by a driver in its unit first"),
            );
            return Ty::Any;
        };
        let k = k as i32;
        if b == Builtin::Pow {
            return Ty::Num(Unit {
                factors: u
                    .factors
                    .iter()
                    .map(|(f, p)| (f.clone(), p.saturating_mul(k)))
                    .filter(|(_, p)| *p != 0)
                    .collect(),
                percent: false,
            });
        }
        if u.factors.iter().all(|(_, p)| k != 0 && p % k == 0) {
            return Ty::Num(Unit {
                factors: u.factors.iter().map(|(f, p)| (f.clone(), p / k)).collect(),
                percent: false,
            });
        }
        self.diags.push(
            Diagnostic::error(
                Code::UnitMismatch,
                x.span,
                format!("`root(…, {k})` of a value in {u} has no unit"),
            )
            .with_label(format!("this is {u}"))
            .with_help("take roots of plain ratios: divide by a value in the same unit first, as in `root(end / start, 3)`"),
        );
        Ty::Any
    }
}

/// The unit of an expression over a checked plan (for reports: the unit of a
/// target's sides). Plain numbers come back as [`Ty::Any`].
pub(crate) fn expr_ty(plan: &ir::Plan, e: &ir::Expr) -> Ty {
    let mut ctx = Ctx {
        items: Items::Plan(&plan.items),
        diags: Vec::new(),
        converters: &[],
    };
    ctx.ty(e)
}

#[cfg(test)]
mod tests {
    use super::dependency_order;
    use crate::compile::{compile_str, Options};

    #[test]
    fn items_on_a_cycle_and_downstream_of_one_come_last_in_index_order() {
        let text = "plan t \"T\" {\n  currency USD\n  periods 2026-01 .. 2026-03\n}\n\
            metric down = a + 1\n\
            driver base: USD = 100\n\
            metric a = b + base\n\
            metric b = a * 2\n\
            metric running: USD = prev(running, 0) + base\n\
            metric fine = base * 2\n";
        let c = compile_str("main.plumb", text, &Options::default());
        let plan = &c.resolved.plan;
        let id = |n: &str| plan.items.iter().position(|i| i.name == n);
        let order: Vec<Option<usize>> = dependency_order(plan).into_iter().map(Some).collect();
        let (settled, skipped) = order.split_at(3);
        // Read before: `base` before what reads it; an item reading itself
        // (through `prev`) is not on a cycle.
        assert_eq!(settled, [id("base"), id("running"), id("fine")]);
        // On the cycle (`a`, `b`) or reading it (`down`): last, in index order.
        assert_eq!(skipped, [id("down"), id("a"), id("b")]);
    }
}
