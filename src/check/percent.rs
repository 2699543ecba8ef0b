//! `percent-as-number` (LANGUAGE.md §3): a literal written without `%`, above 1
//! in magnitude, where a percentage is meant — the whole value of an item
//! declared in `%` (`attach_rate: % = 82`, which is 8,200%), or an operand of
//! `+`, `-`, a comparison, `min`/`max` or an `if` branch whose other side is in
//! `%`. A factor (`1.25 * 580`) is not one.
//!
//! Takes the plan, after units are inferred, and the source text of a span; gives
//! back one warning per such literal, whose help proposes the literal with `%`
//! (the language server turns it into a quick fix).

use crate::diagnostic::{Code, Diagnostic};
use crate::ir::{Builtin, Expr, ExprKind, Plan};
use crate::source::Span;
use crate::syntax::ast::{BinOp, UnOp};
use crate::units::{Ty, Unit};
use rust_decimal::Decimal;

/// Every `percent-as-number` warning of the plan.
pub(crate) fn check(plan: &Plan, text: &dyn Fn(Span) -> String) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut seen: Vec<Span> = Vec::new();
    let mut warn = |e: &Expr, out: &mut Vec<Diagnostic>| {
        let Some((span, written, v)) = bare_number(e, text) else {
            return;
        };
        let pct = v.checked_mul(Decimal::ONE_HUNDRED).unwrap_or(v).normalize();
        let shown = crate::present::number(pct, pct.scale());
        if seen.contains(&span) {
            return;
        }
        seen.push(span);
        out.push(
            Diagnostic::warning(
                Code::PercentAsNumber,
                span,
                format!("`{written}` is {shown}% here: a percentage is written with `%`"),
            )
            .with_label("a plain number where a percentage is meant")
            .with_help(format!("write `{written}%`")),
        );
    };
    for item in &plan.items {
        if is_percent(&item.unit) {
            warn(&item.expr, &mut out);
        }
    }
    let mut exprs: Vec<&Expr> = plan.items.iter().map(|i| &i.expr).collect();
    for s in &plan.scenarios {
        exprs.extend(s.overrides.iter().map(|o| &o.expr));
    }
    for t in &plan.triggers {
        exprs.push(&t.when);
        for st in &t.steps {
            for (a, _) in &st.actions {
                if let crate::ir::Action::Set(_, e) = a {
                    exprs.push(e);
                }
            }
        }
    }
    for o in &plan.objectives {
        exprs.extend(o.targets.iter().map(|t| &t.expr));
    }
    for a in &plan.assumptions {
        exprs.extend(a.maintains.iter().map(|(e, _)| e));
    }
    for r in &plan.requests {
        exprs.extend(r.ask.iter().chain(r.grant.iter()).map(|(e, _)| e));
    }
    for root in exprs {
        root.walk(&mut |e| match &e.kind {
            ExprKind::Binary(op, a, b)
                if matches!(op, BinOp::Add | BinOp::Sub) || op.is_comparison() =>
            {
                pair(plan, a, b, &mut |x| warn(x, &mut out));
            }
            ExprKind::If(_, a, b) => pair(plan, a, b, &mut |x| warn(x, &mut out)),
            ExprKind::Call(Builtin::Min | Builtin::Max, args) if args.iter().any(candidate) => {
                if let Some(p) = args.iter().find(|x| in_percent(plan, x)) {
                    for x in args {
                        if !std::ptr::eq(x, p) {
                            warn(x, &mut out);
                        }
                    }
                }
            }
            _ => {}
        });
    }
    out.sort_by_key(|d| (d.primary.span.file, d.primary.span.start));
    out
}

/// Warns about `a` when `b` is in `%` and the reverse (the type of a side is
/// worked out only when the other is a candidate literal: cheap on long sums).
fn pair(plan: &Plan, a: &Expr, b: &Expr, warn: &mut dyn FnMut(&Expr)) {
    if candidate(a) && in_percent(plan, b) {
        warn(a);
    }
    if candidate(b) && in_percent(plan, a) {
        warn(b);
    }
}

/// A literal without a unit above 1 in magnitude (its text is checked later).
fn candidate(e: &Expr) -> bool {
    bare_value(e).is_some_and(|v| v.abs() > Decimal::ONE)
}

fn is_percent(u: &Unit) -> bool {
    u.percent && u.factors.is_empty()
}

fn in_percent(plan: &Plan, e: &Expr) -> bool {
    bare_value(e).is_none()
        && matches!(crate::infer::units::expr_ty(plan, e), Ty::Num(u) if is_percent(&u))
}

/// The value of a literal without a unit (negated or not).
fn bare_value(e: &Expr) -> Option<Decimal> {
    match &e.kind {
        ExprKind::Const(v, None) => Some(*v),
        ExprKind::Unary(UnOp::Neg, x) => bare_value(x).map(|v| -v),
        _ => None,
    }
}

/// A literal without a unit and without `%`, above 1 in magnitude: its span and
/// text.
fn bare_number(e: &Expr, text: &dyn Fn(Span) -> String) -> Option<(Span, String, Decimal)> {
    let lit = match &e.kind {
        ExprKind::Unary(UnOp::Neg, x) => x,
        _ => e,
    };
    let v = bare_value(lit)?;
    if v.abs() <= Decimal::ONE {
        return None;
    }
    let written = text(lit.span);
    let plain = !written.is_empty()
        && !written.contains('%')
        && written
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | '_' | 'K' | 'M' | 'B'));
    plain.then_some((lit.span, written, v))
}
