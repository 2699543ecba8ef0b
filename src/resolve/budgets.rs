//! Budgets in the resolver (DIMENSIONS.md §3): `budget` declarations and the
//! `draw` and `reallocate` statements of requests.
//!
//! A budget's `spend` item must be by `department` (the built-in dimension); its
//! `amount` table is resolved once per department, like a dimensioned item's
//! formula. The checks that need numbers live in `check::budgets`.

use super::{Resolver, Scope, SymbolKind};
use crate::diagnostic::{Code, Diagnostic};
use crate::ir;
use crate::syntax::ast;

impl Resolver<'_> {
    /// Pass 2 for a `budget`.
    pub(super) fn budget(&mut self, b: &ast::BudgetDecl) {
        let Some(idx) = self
            .plan
            .budgets
            .iter()
            .position(|x| x.name == b.name.name && x.span == b.name.span)
        else {
            return;
        };
        let owner = b.owner.as_ref().and_then(|o| self.party(o));
        let spend = b.spend.as_ref().and_then(|s| self.budget_spend(s));
        let mut amounts = Vec::new();
        let mut per = ast::BudgetPer::Horizon;
        if let Some((p, table, _)) = &b.amount {
            per = *p;
            let n = self.plan.dimensions.first().map_or(0, |d| d.members.len());
            for m in 0..n {
                let ctx = [(0usize, m)];
                let scope = Scope {
                    members: Some(&ctx),
                    ..Scope::default()
                };
                amounts.push((m, self.expr(table, &scope)));
            }
        }
        let contingency = b
            .contingency
            .as_ref()
            .map(|c| self.expr(c, &Scope::default()));
        let reallocation = b
            .reallocation
            .as_ref()
            .map(|(cap, who, span)| (self.expr(cap, &Scope::default()), self.party(who), *span));
        if let Some(x) = self.plan.budgets.get_mut(idx) {
            x.owner = owner;
            x.spend = spend;
            x.per = per;
            x.amounts = amounts;
            x.contingency = contingency;
            x.reallocation = reallocation;
        }
    }

    /// The `spend` item of a budget: a dimensioned item by department.
    fn budget_spend(&mut self, s: &ast::Ident) -> Option<usize> {
        let item = self.value_name(s, &Scope::default())?;
        let g = self.plan.items.get(item).and_then(|i| i.group);
        match g.and_then(|g| self.plan.dim_items.get(g).map(|x| (g, x))) {
            Some((g, x)) if x.dims.contains(&0) => Some(g),
            _ => {
                self.diags.push(
                    Diagnostic::error(
                        Code::DimensionMismatch,
                        s.span,
                        format!(
                            "a budget caps spend per department, but `{}` is not by department",
                            s.name
                        ),
                    )
                    .with_label("not by department")
                    .with_help(format!(
                        "name an item declared `by department`, for example `metric dept_spend: USD by department = …`, or declare `{}` by department",
                        s.name
                    )),
                );
                None
            }
        }
    }

    /// A request's `draw` and `reallocate` statements.
    pub(super) fn moves(
        &mut self,
        rq: &ast::RequestDecl,
    ) -> (Vec<ir::Draw>, Vec<ir::Reallocation>) {
        let mut draws = Vec::new();
        for d in &rq.draws {
            let amount = self.expr(&d.amount, &Scope::default());
            if let Some(budget) = self.lookup_kind(&d.budget, SymbolKind::Budget) {
                draws.push(ir::Draw {
                    amount,
                    budget,
                    span: d.span,
                });
            }
        }
        let mut reallocations = Vec::new();
        for r in &rq.reallocations {
            let amount = self.expr(&r.amount, &Scope::default());
            let from = self.lookup_kind(&r.from, SymbolKind::Department);
            let to = self.lookup_kind(&r.to, SymbolKind::Department);
            let budget = self.lookup_kind(&r.budget, SymbolKind::Budget);
            if let (Some(from), Some(to), Some(budget)) = (from, to, budget) {
                reallocations.push(ir::Reallocation {
                    amount,
                    from,
                    to,
                    budget,
                    span: r.span,
                });
            }
        }
        (draws, reallocations)
    }
}
