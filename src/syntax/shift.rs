//! Moving parsed declarations: every span of a declaration's AST and diagnostics
//! re-based to another file and offset.
//!
//! The parser memoises each declaration's parse by its text (see `ParseCache` in
//! `syntax/mod.rs`): a declaration parsed at offset 0 is reused wherever the same
//! text appears, after [`Shift::shift`] moves its spans there. The language server
//! re-analyses a whole file on every keystroke, and this keeps that fast on large
//! plans. Every struct is destructured exhaustively, so a new field with a span
//! cannot be forgotten here without a compile error.

use super::ast::*;
use crate::diagnostic::{Diagnostic, Label};
use crate::source::{FileId, Span};

/// Where spans move to: `file`, `delta` bytes further.
#[derive(Debug, Clone, Copy)]
pub(super) struct To {
    pub(super) file: FileId,
    pub(super) delta: u32,
}

/// Something holding spans.
pub(super) trait Shift {
    /// Moves every span.
    fn shift(&mut self, to: To);
}

impl Shift for Span {
    fn shift(&mut self, to: To) {
        self.file = to.file;
        self.start = self.start.saturating_add(to.delta);
        self.end = self.end.saturating_add(to.delta);
    }
}

impl<T: Shift> Shift for Option<T> {
    fn shift(&mut self, to: To) {
        if let Some(x) = self {
            x.shift(to);
        }
    }
}

impl<T: Shift> Shift for Vec<T> {
    fn shift(&mut self, to: To) {
        for x in self {
            x.shift(to);
        }
    }
}

impl<T: Shift> Shift for Box<T> {
    fn shift(&mut self, to: To) {
        (**self).shift(to);
    }
}

impl<A: Shift, B: Shift> Shift for (A, B) {
    fn shift(&mut self, to: To) {
        self.0.shift(to);
        self.1.shift(to);
    }
}

impl<A: Shift, B: Shift, C: Shift> Shift for (A, B, C) {
    fn shift(&mut self, to: To) {
        self.0.shift(to);
        self.1.shift(to);
        self.2.shift(to);
    }
}

/// Values without spans.
macro_rules! no_spans {
    ($($t:ty),*) => {
        $(impl Shift for $t {
            fn shift(&mut self, _: To) {}
        })*
    };
}
no_spans!(
    String,
    char,
    u32,
    bool,
    rust_decimal::Decimal,
    Aggregation,
    BinOp,
    UnOp,
    ItemKind
);

impl Shift for Ident {
    fn shift(&mut self, to: To) {
        let Ident { name: _, span } = self;
        span.shift(to);
    }
}

impl Shift for Str {
    fn shift(&mut self, to: To) {
        let Str { value: _, span } = self;
        span.shift(to);
    }
}

impl Shift for Period {
    fn shift(&mut self, to: To) {
        let Period { kind: _, span } = self;
        span.shift(to);
    }
}

impl Shift for UnitAtom {
    fn shift(&mut self, to: To) {
        match self {
            UnitAtom::Name(i) => i.shift(to),
            UnitAtom::Percent(s) | UnitAtom::One(s) => s.shift(to),
            UnitAtom::Group(g) => g.shift(to),
        }
    }
}

impl Shift for UnitExpr {
    fn shift(&mut self, to: To) {
        let UnitExpr { first, rest, span } = self;
        first.shift(to);
        rest.shift(to);
        span.shift(to);
    }
}

impl Shift for Expr {
    fn shift(&mut self, to: To) {
        let Expr { kind, span } = self;
        span.shift(to);
        match kind {
            ExprKind::Number {
                value: _,
                text: _,
                unit,
            } => unit.shift(to),
            ExprKind::Period(p) => p.shift(to),
            ExprKind::Range(a, b) => {
                a.shift(to);
                b.shift(to);
            }
            ExprKind::Name(i) => i.shift(to),
            ExprKind::Unary(_, e) | ExprKind::Paren(e) => e.shift(to),
            ExprKind::Binary(_, a, b) => {
                a.shift(to);
                b.shift(to);
            }
            ExprKind::If(c, a, b) => {
                c.shift(to);
                a.shift(to);
                b.shift(to);
            }
            ExprKind::Call(n, args) => {
                n.shift(to);
                args.shift(to);
            }
            ExprKind::Step(entries) => entries.shift(to),
            ExprKind::At(e, p) => {
                e.shift(to);
                p.shift(to);
            }
            ExprKind::Member(n, ms) => {
                n.shift(to);
                ms.shift(to);
            }
            ExprKind::Table(entries) => entries.shift(to),
        }
    }
}

impl Shift for ItemDecl {
    fn shift(&mut self, to: To) {
        let ItemDecl {
            kind: _,
            name,
            unit,
            aggregation,
            by,
            expr,
            owner,
            means,
            range,
            favourable,
            range_shape: _,
        } = self;
        by.shift(to);
        name.shift(to);
        unit.shift(to);
        aggregation.shift(to);
        expr.shift(to);
        owner.shift(to);
        means.shift(to);
        range.shift(to);
        if let Some((_, sp)) = favourable {
            sp.shift(to);
        }
    }
}

impl Shift for Change {
    fn shift(&mut self, to: To) {
        let Change {
            driver,
            from,
            to: target,
            by,
            span,
        } = self;
        driver.shift(to);
        from.shift(to);
        target.shift(to);
        by.shift(to);
        span.shift(to);
    }
}

impl Shift for TableKey {
    fn shift(&mut self, to: To) {
        match self {
            TableKey::Member(i) => i.shift(to),
            TableKey::Else(s) => s.shift(to),
        }
    }
}

impl Shift for Draw {
    fn shift(&mut self, to: To) {
        let Draw {
            amount,
            budget,
            span,
        } = self;
        amount.shift(to);
        budget.shift(to);
        span.shift(to);
    }
}

impl Shift for Reallocation {
    fn shift(&mut self, to: To) {
        let Reallocation {
            amount,
            from,
            to: target,
            budget,
            span,
        } = self;
        amount.shift(to);
        from.shift(to);
        target.shift(to);
        budget.shift(to);
        span.shift(to);
    }
}

impl Shift for Override {
    fn shift(&mut self, to: To) {
        let Override {
            target,
            members,
            expr,
            from,
            span,
            range,
            range_shape: _,
        } = self;
        target.shift(to);
        members.shift(to);
        expr.shift(to);
        from.shift(to);
        span.shift(to);
        range.shift(to);
    }
}

impl Shift for Action {
    fn shift(&mut self, to: To) {
        match self {
            Action::Set(d, ms, e) => {
                d.shift(to);
                ms.shift(to);
                e.shift(to);
            }
            Action::Pause(i) => i.shift(to),
        }
    }
}

impl Shift for Step {
    fn shift(&mut self, to: To) {
        let Step {
            after: _,
            after_span,
            unit,
            actions,
            span,
        } = self;
        after_span.shift(to);
        unit.1.shift(to);
        actions.shift(to);
        span.shift(to);
    }
}

impl Shift for TriggerDecl {
    fn shift(&mut self, to: To) {
        let TriggerDecl {
            name,
            title,
            when,
            for_months,
            for_unit,
            steps,
            owner,
        } = self;
        name.shift(to);
        title.shift(to);
        when.shift(to);
        for_months.shift(to);
        if let Some((_, sp)) = for_unit {
            sp.shift(to);
        }
        steps.shift(to);
        owner.shift(to);
    }
}

impl Shift for DeclKind {
    fn shift(&mut self, to: To) {
        match self {
            DeclKind::Plan(d) => d.shift(to),
            DeclKind::Correlate(d) => d.shift(to),
            DeclKind::Import(ImportTarget::Path(s)) => s.shift(to),
            DeclKind::Import(ImportTarget::Std(i)) => i.shift(to),
            DeclKind::Unit(n, t) => {
                n.shift(to);
                t.shift(to);
            }
            DeclKind::Term(n, d) => {
                n.shift(to);
                d.shift(to);
            }
            DeclKind::Department {
                name,
                title,
                lead,
                poc,
            } => {
                name.shift(to);
                title.shift(to);
                lead.shift(to);
                poc.shift(to);
            }
            DeclKind::Role {
                name,
                title,
                department,
            } => {
                name.shift(to);
                title.shift(to);
                department.shift(to);
            }
            DeclKind::Item(i) => i.shift(to),
            DeclKind::Fn { name, params, body } => {
                name.shift(to);
                params.shift(to);
                body.shift(to);
            }
            DeclKind::Objective(d) => d.shift(to),
            DeclKind::Assumption(d) => d.shift(to),
            DeclKind::Dependency(d) => d.shift(to),
            DeclKind::Risk(d) => d.shift(to),
            DeclKind::Actuals(d) => d.shift(to),
            DeclKind::Request(d) => d.shift(to),
            DeclKind::Raci(d) => d.shift(to),
            DeclKind::Initiative(d) => d.shift(to),
            DeclKind::Scenario(d) => d.shift(to),
            DeclKind::Trigger(t) => t.shift(to),
            DeclKind::Budget(d) => d.shift(to),
            DeclKind::Dimension(d) => d.shift(to),
        }
    }
}

/// A plan header and its statements (the fiscal month, the odds band's span).
impl Shift for PlanDecl {
    fn shift(&mut self, to: To) {
        let PlanDecl {
            name,
            title,
            currency,
            periods,
            base,
            fiscal,
            actuals_through,
            odds,
        } = self;
        name.shift(to);
        title.shift(to);
        currency.shift(to);
        periods.shift(to);
        base.shift(to);
        if let Some((m, _)) = fiscal {
            m.shift(to);
        }
        actuals_through.shift(to);
        if let Some((_, _, _, _, sp)) = odds {
            sp.shift(to);
        }
    }
}

/// A `correlate` declaration: both names and the coefficient as written.
impl Shift for CorrelateDecl {
    fn shift(&mut self, to: To) {
        let CorrelateDecl {
            a,
            b,
            rho: _,
            rho_text: _,
            rho_span,
        } = self;
        a.shift(to);
        b.shift(to);
        rho_span.shift(to);
    }
}

/// An objective, its links and targets.
impl Shift for ObjectiveDecl {
    fn shift(&mut self, to: To) {
        let ObjectiveDecl {
            name,
            title,
            owner,
            supports,
            targets,
        } = self;
        name.shift(to);
        title.shift(to);
        owner.shift(to);
        supports.shift(to);
        targets.shift(to);
    }
}

/// An assumption and every statement in it.
impl Shift for AssumptionDecl {
    fn shift(&mut self, to: To) {
        let AssumptionDecl {
            name,
            title,
            changes,
            maintains,
            counterbalances,
            depends_on,
            indicators,
            owner,
            evidence,
            tolerance,
        } = self;
        name.shift(to);
        title.shift(to);
        changes.shift(to);
        maintains.shift(to);
        counterbalances.shift(to);
        depends_on.shift(to);
        indicators.shift(to);
        owner.shift(to);
        evidence.shift(to);
        tolerance.shift(to);
    }
}

/// A dependency and its statements.
impl Shift for DependencyDecl {
    fn shift(&mut self, to: To) {
        let DependencyDecl {
            name,
            title,
            owner,
            due,
            confidence,
            done,
        } = self;
        name.shift(to);
        title.shift(to);
        owner.shift(to);
        due.shift(to);
        confidence.shift(to);
        done.shift(to);
    }
}

/// A risk and its statements.
impl Shift for RiskDecl {
    fn shift(&mut self, to: To) {
        let RiskDecl {
            name,
            title,
            owner,
            likelihood,
            impact,
            mitigation,
            reviewed,
        } = self;
        name.shift(to);
        title.shift(to);
        owner.shift(to);
        likelihood.shift(to);
        impact.shift(to);
        mitigation.shift(to);
        reviewed.shift(to);
    }
}

/// An `actuals` source: its path, columns, mappings, ignored rows and sheet.
impl Shift for ActualsDecl {
    fn shift(&mut self, to: To) {
        let ActualsDecl {
            path,
            columns,
            maps,
            ignores,
            sheet,
        } = self;
        path.shift(to);
        columns.shift(to);
        maps.shift(to);
        ignores.shift(to);
        sheet.shift(to);
    }
}

/// A request and every statement in it.
impl Shift for RequestDecl {
    fn shift(&mut self, to: To) {
        let RequestDecl {
            name,
            title,
            from,
            ask,
            grant,
            decision,
            approved_by,
            draws,
            reallocations,
            cost,
            ret,
            supports,
        } = self;
        name.shift(to);
        title.shift(to);
        from.shift(to);
        ask.shift(to);
        grant.shift(to);
        decision.shift(to);
        approved_by.shift(to);
        draws.shift(to);
        reallocations.shift(to);
        cost.shift(to);
        ret.shift(to);
        supports.shift(to);
    }
}

/// A RACI chart: its names and each statement's span.
impl Shift for RaciDecl {
    fn shift(&mut self, to: To) {
        let RaciDecl {
            name,
            title,
            responsible,
            accountable,
            consulted,
            informed,
            lines,
        } = self;
        name.shift(to);
        title.shift(to);
        responsible.shift(to);
        accountable.shift(to);
        consulted.shift(to);
        informed.shift(to);
        lines.shift(to);
    }
}

/// An initiative and its member items.
impl Shift for InitiativeDecl {
    fn shift(&mut self, to: To) {
        let InitiativeDecl {
            name,
            title,
            owner,
            start,
            members,
        } = self;
        name.shift(to);
        title.shift(to);
        owner.shift(to);
        start.shift(to);
        members.shift(to);
    }
}

/// A scenario, its overrides and nested triggers.
impl Shift for ScenarioDecl {
    fn shift(&mut self, to: To) {
        let ScenarioDecl {
            name,
            title,
            extends,
            overrides,
            triggers,
        } = self;
        name.shift(to);
        title.shift(to);
        extends.shift(to);
        overrides.shift(to);
        triggers.shift(to);
    }
}

/// A budget: its amount table, contingency and reallocation rule.
impl Shift for BudgetDecl {
    fn shift(&mut self, to: To) {
        let BudgetDecl {
            name,
            title,
            owner,
            spend,
            amount,
            contingency,
            reallocation,
        } = self;
        name.shift(to);
        title.shift(to);
        owner.shift(to);
        spend.shift(to);
        if let Some((_, e, s)) = amount {
            e.shift(to);
            s.shift(to);
        }
        contingency.shift(to);
        if let Some((e, who, s)) = reallocation {
            e.shift(to);
            who.shift(to);
            s.shift(to);
        }
    }
}

/// A dimension and its members.
impl Shift for DimensionDecl {
    fn shift(&mut self, to: To) {
        let DimensionDecl {
            name,
            title,
            members,
        } = self;
        name.shift(to);
        title.shift(to);
        members.shift(to);
    }
}

impl Shift for Label {
    fn shift(&mut self, to: To) {
        let Label { span, message: _ } = self;
        span.shift(to);
    }
}

impl Shift for Diagnostic {
    fn shift(&mut self, to: To) {
        let Diagnostic {
            code: _,
            severity: _,
            message: _,
            primary,
            secondary,
            help: _,
            fix,
            suggestion: _,
            subject: _,
        } = self;
        primary.shift(to);
        secondary.shift(to);
        if let Some(f) = fix {
            f.span.shift(to);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::super::{chunks, lower, parse_cached, ParseCache, PlumbParser, Rule};
    use crate::source::FileId;
    use pest::Parser as _;

    /// Parses each declaration in place, without the memo: the reference.
    fn direct(text: &str, file: FileId) -> Vec<crate::syntax::ast::DeclKind> {
        let mut out = Vec::new();
        for c in chunks(text) {
            let src = &text[c.start..c.end];
            if let Ok(mut pairs) = PlumbParser::parse(Rule::declaration, src) {
                let pair = pairs.next().unwrap().into_inner().next().unwrap();
                let mut lw = lower::Lowerer::new(file, c.start);
                if let Some(mut kind) = lw.decl(pair) {
                    super::super::nested_docs(&mut kind, text);
                    out.push(kind);
                }
            }
        }
        out
    }

    #[test]
    fn memoised_declarations_land_where_a_fresh_parse_puts_them() {
        let sources = [
            include_str!("../../examples/fy2026.plumb"),
            include_str!("../../tests/cases/triggers_and_initiatives.plumb"),
            include_str!("../../tests/cases/builtins.plumb"),
        ];
        let mut texts = Vec::new();
        // The same declarations again, moved by text of every width above them.
        for example in sources {
            for pad in ["", "\n", "# é ☕ 😀\n\n", "unit extra\n"] {
                texts.push(format!("{pad}{example}"));
            }
        }
        // One cache for every text: later texts take their declarations from it.
        let cache = ParseCache::default();
        for (i, text) in texts.iter().enumerate() {
            for file in [FileId(0), FileId(7)] {
                let got: Vec<_> = parse_cached(text, file, Some(&cache))
                    .file
                    .decls
                    .into_iter()
                    .map(|d| d.kind)
                    .collect();
                assert_eq!(got, direct(text, file), "text {i}, file {file:?}");
            }
        }
    }
}
