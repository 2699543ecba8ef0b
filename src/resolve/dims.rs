//! Dimensions in the resolver (DIMENSIONS.md §1).
//!
//! A dimensioned item `spend: USD by channel` becomes one IR item per member,
//! named `spend[paid]` (`x[paid, emea]` for two dimensions), plus a total item
//! named `spend` when it has one (flow and stock items sum their members; average
//! items have none). The declared formula is resolved once per member with that
//! member as context: a name of another item with the same dimension reads the
//! same member's item (broadcasting), an item without it is shared, a member table
//! picks the member's entry, `x[m]` reads one member and `total(x[, DIM])` sums
//! member items. So evaluation sees plain items only: a dimensioned item costs
//! what as many flat items cost.
//!
//! The total ([`ir::TotalRule`]): flow and stock items sum their members; a
//! `formula` item, and a ratio or duration metric of same-period values (which
//! gets the `formula` roll-up by default), resolves its formula once more with
//! every dimensioned name read as its total (`cpl = spend / leads` totals to total
//! spend over total leads). When the unit is not written, the sum stands until
//! `infer::units` knows whether the unit is a ratio.
//!
//! Errors: `dimension-mismatch` (an expression's dimensions differ from where it
//! is used, a member of the wrong dimension, a missing member), `undefined-name`
//! (unknown dimension or member), `duplicate-name` (a member declared or listed
//! twice). Each names `total()` or a member in its help.

use super::{err_expr, ParsedFile, Resolver, Scope, SymbolKind};
use crate::diagnostic::{Code, Diagnostic};
use crate::ir::{self, ItemId};
use crate::source::Span;
use crate::syntax::ast::{self, Aggregation, DeclKind, ExprKind, TableKey, UnitAtom};
use crate::units::Unit;
use std::collections::HashSet;

/// The member of each dimension being resolved: (dimension, member).
pub(super) type MemberContext = Vec<(usize, usize)>;

/// Most members one dimensioned item may have (the product over its dimensions),
/// and most terms one `total` or one condition over members may expand to.
pub(crate) const MAX_MEMBERS: usize = 10_000;
/// Most expression nodes all dimensioned formulas of a plan may expand to, once
/// per member: keeps resolution bounded in time and memory.
pub(crate) const MAX_DIM_NODES: usize = 4_000_000;

impl<'a> Resolver<'a> {
    /// Pass 0: the built-in `department` dimension and every `dimension`
    /// declaration, so items declared before them can use them.
    pub(super) fn collect_dimensions(&mut self, files: &'a [ParsedFile]) {
        let mut departments: Vec<(String, Option<String>, Span)> = Vec::new();
        for (_, decl) in super::all_decls(files) {
            if let DeclKind::Department { name, title, .. } = &decl.kind {
                if !departments.iter().any(|d| d.0 == name.name) {
                    departments.push((name.name.clone(), Some(title.value.clone()), name.span));
                }
            }
        }
        let n = departments.len();
        self.plan.dimensions.push(ir::Dimension {
            name: "department".into(),
            title: "Department".into(),
            members: departments,
            span: Span::default(),
        });
        self.member_defs.push(vec![None; n]);
        self.dims.insert("department".into(), 0);
        self.no_total = no_total(files);
        for (_, decl) in super::all_decls(files) {
            let DeclKind::Dimension(d) = &decl.kind else {
                continue;
            };
            if d.name.name == "department" {
                self.diags.push(
                    Diagnostic::error(
                        Code::DuplicateName,
                        d.name.span,
                        "`department` is a built-in dimension",
                    )
                    .with_label("declared again here")
                    .with_help(
                        "its members are the plan's `department` declarations; give this dimension another name",
                    ),
                );
                continue;
            }
            let idx = self.plan.dimensions.len();
            if !self.define(
                &d.name,
                SymbolKind::Dimension,
                decl.span,
                decl.doc.clone(),
                Some(d.title.value.clone()),
                Some(idx),
            ) {
                continue;
            }
            let mut members: Vec<(String, Option<String>, Span)> = Vec::new();
            let mut defs = Vec::new();
            for (m, t) in &d.members {
                if let Some(first) = members.iter().find(|x| x.0 == m.name) {
                    self.diags.push(
                        Diagnostic::error(
                            Code::DuplicateName,
                            m.span,
                            format!(
                                "the member `{}` is declared twice in `{}`",
                                m.name, d.name.name
                            ),
                        )
                        .with_label("declared again here")
                        .with_secondary(first.2, "first declared here")
                        .with_help("remove one of them; each member of a dimension is unique"),
                    );
                    continue;
                }
                self.symbols.defs.push(super::Definition {
                    name: m.name.clone(),
                    kind: SymbolKind::Member,
                    name_span: m.span,
                    decl_span: m.span,
                    doc: None,
                    title: t.as_ref().map(|t| t.value.clone()),
                    index: Some(idx),
                });
                defs.push(Some(self.symbols.defs.len() - 1));
                members.push((m.name.clone(), t.as_ref().map(|t| t.value.clone()), m.span));
            }
            self.plan.dimensions.push(ir::Dimension {
                name: d.name.name.clone(),
                title: d.title.value.clone(),
                members,
                span: d.name.span,
            });
            self.member_defs.push(defs);
            self.dims.insert(d.name.name.clone(), idx);
        }
    }

    /// The definition of member `m` of dimension `d` (departments: the
    /// department's own definition).
    fn member_def(&self, d: usize, m: usize) -> Option<usize> {
        if d == 0 {
            let name = self.plan.dimensions.first()?.members.get(m)?.0.clone();
            return self.names.get(&name).map(|s| s.def);
        }
        self.member_defs.get(d)?.get(m).copied().flatten()
    }

    fn member_reference(&mut self, span: Span, d: usize, m: usize) {
        if let Some(def) = self.member_def(d, m) {
            self.reference(span, def);
        }
    }

    fn dim_name(&self, d: usize) -> &str {
        self.plan
            .dimensions
            .get(d)
            .map(|x| x.name.as_str())
            .unwrap_or("?")
    }

    fn dims_text(&self, dims: &[usize]) -> String {
        dims.iter()
            .map(|d| self.dim_name(*d).to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The first member of each dimension, as written in `x[…]` examples.
    fn first_members(&self, dims: &[usize]) -> String {
        dims.iter()
            .map(|d| {
                self.plan
                    .dimensions
                    .get(*d)
                    .and_then(|x| x.members.first())
                    .map(|m| m.0.clone())
                    .unwrap_or_else(|| "member".into())
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// A dimensioned `driver`/`metric`: its member items and total.
    pub(super) fn collect_dim_item(
        &mut self,
        item: &ast::ItemDecl,
        ident: &ast::Ident,
        kind: SymbolKind,
        initiative: Option<(&str, usize)>,
        span: Span,
        doc: Option<String>,
    ) {
        let (dims, ok) = self.item_dims(item);
        let sizes: Vec<usize> = dims
            .iter()
            .map(|d| self.plan.dimensions.get(*d).map_or(0, |x| x.members.len()))
            .collect();
        let ok = ok && self.member_count_ok(ident, &dims, &sizes);
        if !ok {
            // Keep the name so its uses resolve; it is an error item.
            let idx = self.plan.items.len();
            if self.define(ident, kind, span, doc.clone(), None, Some(idx)) {
                self.push_item(item, ident.name.clone(), initiative, span, doc, None);
            }
            return;
        }
        let rule = if initiative.is_none() && self.no_total.contains(&ident.name) {
            ir::TotalRule::None
        } else {
            total_rule(item)
        };
        let has_total = rule != ir::TotalRule::None;
        let group = self.plan.dim_items.len();
        let first = self.plan.items.len();
        let head = if has_total { first } else { first + 1 };
        if !self.define(ident, kind, span, doc.clone(), None, Some(head)) {
            return;
        }
        let mut members = Vec::new();
        let mut total = None;
        if has_total {
            total = Some(self.plan.items.len());
            self.push_item(
                item,
                ident.name.clone(),
                initiative,
                span,
                doc.clone(),
                Some(group),
            );
            if let Some(t) = self.plan.items.last_mut() {
                t.kind = ast::ItemKind::Metric;
            }
        }
        for tuple in product(&sizes) {
            let label = self.plan.member_label(&dims, &tuple);
            let id = self.plan.items.len();
            self.push_item(
                item,
                format!("{}[{label}]", ident.name),
                initiative,
                span,
                doc.clone(),
                Some(group),
            );
            members.push((tuple, id));
        }
        self.dim_groups.insert(ident.name.clone(), group);
        self.plan.dim_items.push(ir::DimItem {
            name: ident.name.clone(),
            dims,
            members,
            total,
            total_rule: rule,
            name_span: item.name.span,
        });
    }

    /// The dimensions after `by`, as indexes; false when one is unknown or listed
    /// twice (each reported).
    fn item_dims(&mut self, item: &ast::ItemDecl) -> (Vec<usize>, bool) {
        let mut dims = Vec::new();
        let mut ok = true;
        for d in &item.by {
            match self.dims.get(&d.name).copied() {
                Some(i) if dims.contains(&i) => {
                    ok = false;
                    self.diags.push(
                        Diagnostic::error(
                            Code::DuplicateName,
                            d.span,
                            format!("`{}` is listed twice after `by`", d.name),
                        )
                        .with_help("list each dimension once"),
                    );
                }
                Some(i) => {
                    if let Some(s) = self.names.get(&d.name).copied() {
                        self.reference(d.span, s.def);
                    }
                    dims.push(i);
                }
                None => {
                    ok = false;
                    let names: Vec<&str> = self.dims.keys().map(String::as_str).collect();
                    let mut diag = Diagnostic::error(
                        Code::UndefinedName,
                        d.span,
                        format!("there is no dimension `{}`", d.name),
                    )
                    .with_label("not a dimension");
                    diag = match self.suggest(&d.name, &names) {
                        Some(s) => diag.with_suggestion(s),
                        None => diag.with_help(format!(
                            "declare it, for example `dimension {} \"{}\" {{ a  b }}`",
                            d.name, d.name
                        )),
                    };
                    self.diags.push(diag);
                }
            }
        }
        (dims, ok)
    }

    /// Whether a dimensioned item's member count is reasonable: at most
    /// `MAX_MEMBERS`, and not zero (an empty dimension); otherwise reports it.
    fn member_count_ok(&mut self, ident: &ast::Ident, dims: &[usize], sizes: &[usize]) -> bool {
        let count = sizes.iter().try_fold(1usize, |a, b| a.checked_mul(*b));
        if count.is_none_or(|c| c > MAX_MEMBERS) {
            self.diags.push(Diagnostic::error(
                Code::LimitExceeded,
                ident.span,
                format!(
                    "`{}` would have more than {MAX_MEMBERS} members",
                    ident.name
                ),
            ));
            return false;
        }
        if count == Some(0) {
            let empty = dims
                .iter()
                .zip(sizes)
                .find(|(_, s)| **s == 0)
                .map(|(d, _)| self.dim_name(*d).to_string())
                .unwrap_or_default();
            let help = if empty == "department" {
                "declare the departments, for example `department sales \"Sales\"`".to_string()
            } else {
                format!("give `{empty}` at least one member")
            };
            self.diags.push(
                Diagnostic::error(
                    Code::DimensionMismatch,
                    ident.span,
                    format!("the dimension `{empty}` has no members"),
                )
                .with_help(help),
            );
            return false;
        }
        true
    }

    /// Pushes the IR item `name` for `item` (its formula is resolved in pass 2)
    /// and makes it a member of its initiative. Used for plain items and for
    /// each member and total of a dimensioned one.
    pub(super) fn push_item(
        &mut self,
        item: &ast::ItemDecl,
        name: String,
        initiative: Option<(&str, usize)>,
        span: Span,
        doc: Option<String>,
        group: Option<usize>,
    ) {
        let idx = self.plan.items.len();
        self.plan.items.push(ir::Item {
            name,
            kind: item.kind,
            unit: Unit::dimensionless(),
            unit_declared: item.unit.is_some(),
            aggregation: item.aggregation.map(|a| a.0).unwrap_or(Aggregation::Flow),
            aggregation_declared: item.aggregation.is_some(),
            expr: err_expr(item.expr.span),
            owner: None,
            means: None,
            range: None,
            range_shape: Default::default(),
            favourable: item.favourable.map(|f| f.0),
            initiative: initiative.map(|i| i.1),
            name_span: item.name.span,
            span,
            doc,
            group,
        });
        if let Some((_, ini)) = initiative {
            if let Some(i) = self.plan.initiatives.get_mut(ini) {
                i.members.push(idx);
            }
        }
    }

    /// Pass 2 for a dimensioned item: the formula once per member, the total.
    pub(super) fn dim_item_body(
        &mut self,
        item: &ast::ItemDecl,
        group: usize,
        initiative: Option<&str>,
    ) {
        let Some(g) = self.plan.dim_items.get(group).cloned() else {
            return;
        };
        let unit = item.unit.as_ref().and_then(|u| self.unit(u));
        let owner = item.owner.as_ref().and_then(|o| self.party(o));
        let means = item.means.as_ref().and_then(|m| self.term(m));
        self.alloc_unit = unit.clone();
        for (tuple, id) in &g.members {
            let ctx: Vec<(usize, usize)> =
                g.dims.iter().copied().zip(tuple.iter().copied()).collect();
            let scope = Scope {
                initiative,
                members: Some(&ctx),
                ..Scope::default()
            };
            let expr = self.expr_counted(&item.expr, &scope);
            let range = item
                .range
                .as_ref()
                .map(|(lo, hi)| (self.expr_counted(lo, &scope), self.expr_counted(hi, &scope)));
            if let Some(it) = self.plan.items.get_mut(*id) {
                it.expr = expr;
                it.range = range;
            }
        }
        self.alloc_unit = None;
        let ids: Vec<ItemId> = g.members.iter().map(|m| m.1).collect();
        let total_expr = match &g.total_rule {
            ir::TotalRule::Formula => self.formula_total(item, initiative),
            ir::TotalRule::Unsettled(_) => {
                // Resolved quietly: used only if the inferred unit is a ratio.
                let (diags, refs) = (self.diags.len(), self.symbols.refs.len());
                let reported = self.dim_nodes_reported;
                let e = self.formula_total(item, initiative);
                let clean = self.diags.len() == diags && !has_error(&e);
                self.diags.truncate(diags);
                self.symbols.refs.truncate(refs);
                // A limit reached here is reported by the next formula that meets it.
                self.dim_nodes_reported = reported;
                if let Some(x) = self.plan.dim_items.get_mut(group) {
                    x.total_rule = ir::TotalRule::Unsettled(clean.then(|| Box::new(e)));
                }
                sum_items(&ids, item.name.span)
            }
            _ => sum_items(&ids, item.name.span),
        };
        let mut targets = ids;
        if let Some(t) = g.total {
            targets.push(t);
            if let Some(it) = self.plan.items.get_mut(t) {
                it.expr = total_expr;
            }
        }
        for id in targets {
            if let Some(it) = self.plan.items.get_mut(id) {
                if let Some(u) = &unit {
                    it.unit = u.clone();
                } else if item.unit.is_some() {
                    it.unit_declared = false;
                }
                it.owner = owner;
                it.means = means;
            }
        }
    }

    /// The total of a formula item: its formula with every dimensioned name
    /// read as its total.
    fn formula_total(&mut self, item: &ast::ItemDecl, initiative: Option<&str>) -> ir::Expr {
        let scope = Scope {
            initiative,
            totals: Some(&item.name.name),
            ..Scope::default()
        };
        self.expr_counted(&item.expr, &scope)
    }

    /// A name that resolved to item `item`: a dimensioned item reads the member
    /// of the current context (its total in a formula item's total).
    pub(super) fn item_ref(
        &mut self,
        item: ItemId,
        id: &ast::Ident,
        scope: &Scope,
        span: Span,
    ) -> ir::Expr {
        let Some(g) = self.plan.items.get(item).and_then(|i| i.group) else {
            return self.prior_or_item(item, scope, span);
        };
        let Some(grp) = self.plan.dim_items.get(g) else {
            return err_expr(span);
        };
        let dims = grp.dims.clone();
        let ctx = scope.members.unwrap_or(&[]);
        let mut tuple = Vec::new();
        for d in &dims {
            match ctx.iter().find(|(cd, _)| cd == d) {
                Some((_, m)) => tuple.push(*m),
                None if ctx.is_empty() && scope.totals.is_some() => {
                    if let Some(t) = grp.total {
                        return self.prior_or_item(t, scope, span);
                    }
                    let of = scope.totals.unwrap_or_default();
                    let example = format!("{}[{}]", id.name, self.first_members(&dims));
                    self.diags.push(
                        Diagnostic::error(
                            Code::DimensionMismatch,
                            id.span,
                            format!(
                                "the total of `{of}` applies its formula to its operands' totals, but `{}` has no total",
                                id.name
                            ),
                        )
                        .with_label("an average item")
                        .with_help(format!(
                            "name one member, as in `{example}`, or write `average` after the unit of `{of}` (it then has no total either)"
                        )),
                    );
                    return err_expr(span);
                }
                None => {
                    let total = grp.total.is_some();
                    let what = self.dims_text(&dims);
                    let example = format!("{}[{}]", id.name, self.first_members(&dims));
                    let help = if total {
                        format!(
                            "write `total({})` for the sum over its members, or `{example}` for one member",
                            id.name
                        )
                    } else {
                        format!("write `{example}` for one member (an average item has no total)")
                    };
                    let here = if self.in_when {
                        "a trigger's `when` needs one truth per period".to_string()
                    } else if ctx.is_empty() {
                        "this expression has no dimensions".to_string()
                    } else {
                        let cd: Vec<usize> = ctx.iter().map(|c| c.0).collect();
                        format!("this item is by {}", self.dims_text(&cd))
                    };
                    self.diags.push(
                        Diagnostic::error(
                            Code::DimensionMismatch,
                            id.span,
                            format!("`{}` is by {what}, but {here}", id.name),
                        )
                        .with_label(format!("one value per {what}"))
                        .with_help(help),
                    );
                    return err_expr(span);
                }
            }
        }
        match member_item(grp, &tuple) {
            Some(m) => self.prior_or_item(m, scope, span),
            None => err_expr(span),
        }
    }

    fn prior_or_item(&self, item: ItemId, scope: &Scope, span: Span) -> ir::Expr {
        let kind = if scope.prior == Some(item) {
            ir::ExprKind::Prior(item)
        } else {
            ir::ExprKind::Item(item)
        };
        ir::Expr { kind, span }
    }

    /// The member tuple written in `x[a, b]` for a dimensioned item, with
    /// diagnostics for a wrong count, unknown members or members of another
    /// dimension.
    fn member_tuple(
        &mut self,
        group: usize,
        id: &ast::Ident,
        members: &[ast::Ident],
    ) -> Option<Vec<usize>> {
        let dims = self.plan.dim_items.get(group)?.dims.clone();
        if members.len() != dims.len() {
            let example = format!("{}[{}]", id.name, self.first_members(&dims));
            self.diags.push(
                Diagnostic::error(
                    Code::DimensionMismatch,
                    id.span,
                    if dims.len() == 1 {
                        format!(
                            "`{}` is by {}: name one member",
                            id.name,
                            self.dims_text(&dims)
                        )
                    } else {
                        format!(
                            "`{}` is by {}: name one member of each, in that order",
                            id.name,
                            self.dims_text(&dims)
                        )
                    },
                )
                .with_help(format!("write `{example}`")),
            );
            return None;
        }
        let mut tuple = Vec::new();
        for (m, d) in members.iter().zip(&dims) {
            tuple.push(self.member_of(*d, m)?);
        }
        Some(tuple)
    }

    /// Index of member `m` in dimension `d`, or a diagnostic.
    fn member_of(&mut self, d: usize, m: &ast::Ident) -> Option<usize> {
        let dim = self.plan.dimensions.get(d)?;
        if let Some(i) = dim.member(&m.name) {
            self.member_reference(m.span, d, i);
            return Some(i);
        }
        let dname = dim.name.clone();
        let first = dim.members.first().map(|x| x.0.clone()).unwrap_or_default();
        let other = self
            .plan
            .dimensions
            .iter()
            .find(|x| x.member(&m.name).is_some())
            .map(|x| x.name.clone());
        let diag = match other {
            Some(o) => Diagnostic::error(
                Code::DimensionMismatch,
                m.span,
                format!("`{}` is a member of `{o}`, not of `{dname}`", m.name),
            )
            .with_label(format!("a {o}"))
            .with_help(format!("name a member of `{dname}`, for example `{first}`")),
            None => {
                let cands: Vec<&str> = dim.members.iter().map(|x| x.0.as_str()).collect();
                let d = Diagnostic::error(
                    Code::UndefinedName,
                    m.span,
                    format!("`{dname}` has no member `{}`", m.name),
                )
                .with_label("not a member");
                match self.suggest(&m.name, &cands) {
                    Some(s) => d.with_suggestion(s),
                    None => {
                        d.with_help(format!("the members of `{dname}` are {}", cands.join(", ")))
                    }
                }
            }
        };
        self.diags.push(diag);
        None
    }

    /// `x[m]`, `x[m1, m2]`.
    pub(super) fn member_ref(
        &mut self,
        id: &ast::Ident,
        members: &[ast::Ident],
        scope: &Scope,
        span: Span,
    ) -> ir::Expr {
        let Some(item) = self.value_name(id, scope) else {
            return err_expr(span);
        };
        let Some(g) = self.plan.items.get(item).and_then(|i| i.group) else {
            self.diags.push(
                Diagnostic::error(
                    Code::DimensionMismatch,
                    id.span,
                    format!("`{}` has no dimensions, so it has no members", id.name),
                )
                .with_help(format!("write `{}`", id.name)),
            );
            return err_expr(span);
        };
        let Some(tuple) = self.member_tuple(g, id, members) else {
            return err_expr(span);
        };
        match self
            .plan
            .dim_items
            .get(g)
            .and_then(|grp| member_item(grp, &tuple))
        {
            Some(m) => self.prior_or_item(m, scope, span),
            None => err_expr(span),
        }
    }

    /// A member table: the entry of the context's member.
    pub(super) fn table(
        &mut self,
        entries: &[(TableKey, ast::Expr)],
        span: Span,
        scope: &Scope,
        budget: &mut usize,
    ) -> ir::Expr {
        let ctx: Vec<(usize, usize)> = scope.members.map(<[_]>::to_vec).unwrap_or_default();
        if ctx.is_empty() {
            self.diags.push(
                Diagnostic::error(
                    Code::DimensionMismatch,
                    span,
                    "a member table gives one value per member, but this expression has no dimensions",
                )
                .with_label("one value per member")
                .with_help("declare the item with its dimension, for example `driver spend: USD by channel = { … }`, or pick one value"),
            );
            return err_expr(span);
        }
        let dim = self.table_dimension(entries, &ctx);
        let Some(dim) = dim else {
            return err_expr(span);
        };
        let Some(current) = ctx.iter().find(|c| c.0 == dim).map(|c| c.1) else {
            return err_expr(span);
        };
        let size = self.plan.dimensions.get(dim).map_or(0, |d| d.members.len());
        let mut seen: Vec<Option<Span>> = vec![None; size];
        let mut chosen = None;
        let mut fallback = None;
        let mut ok = true;
        for (k, v) in entries {
            match k {
                TableKey::Else(s) => {
                    if fallback.is_some() {
                        ok = false;
                        self.diags.push(
                            Diagnostic::error(
                                Code::DuplicateName,
                                *s,
                                "`else` appears twice in this table",
                            )
                            .with_help("keep one `else` entry"),
                        );
                    } else {
                        fallback = Some(v);
                    }
                }
                TableKey::Member(m) => match self.member_of(dim, m) {
                    Some(i) => {
                        if let Some(Some(first)) = seen.get(i) {
                            ok = false;
                            self.diags.push(
                                Diagnostic::error(
                                    Code::DuplicateName,
                                    m.span,
                                    format!("`{}` appears twice in this table", m.name),
                                )
                                .with_label("listed again here")
                                .with_secondary(*first, "first listed here")
                                .with_help("give each member one value"),
                            );
                            continue;
                        }
                        if let Some(slot) = seen.get_mut(i) {
                            *slot = Some(m.span);
                        }
                        if i == current {
                            chosen = Some(v);
                        }
                    }
                    None => ok = false,
                },
            }
        }
        if fallback.is_none() && ok {
            self.missing_members(&seen, dim, span);
        }
        match chosen.or(fallback) {
            Some(v) => self.expr_b(v, scope, budget),
            None => err_expr(span),
        }
    }

    /// A member table's dimension: the first of the context's dimensions that has
    /// the table's first key as a member (else the context's first).
    fn table_dimension(
        &self,
        entries: &[(TableKey, ast::Expr)],
        ctx: &[(usize, usize)],
    ) -> Option<usize> {
        let first_key = entries.iter().find_map(|(k, _)| match k {
            TableKey::Member(i) => Some(i),
            TableKey::Else(_) => None,
        });
        match first_key {
            Some(k) => ctx
                .iter()
                .map(|c| c.0)
                .find(|d| {
                    self.plan
                        .dimensions
                        .get(*d)
                        .is_some_and(|x| x.member(&k.name).is_some())
                })
                .or_else(|| ctx.first().map(|c| c.0)),
            None => ctx.first().map(|c| c.0),
        }
    }

    /// A table without `else` must list every member of its dimension: reports the
    /// ones it does not list.
    fn missing_members(&mut self, seen: &[Option<Span>], dim: usize, span: Span) {
        let missing: Vec<String> = seen
            .iter()
            .enumerate()
            .filter(|(_, s)| s.is_none())
            .filter_map(|(i, _)| {
                self.plan
                    .dimensions
                    .get(dim)
                    .and_then(|d| d.members.get(i))
                    .map(|m| m.0.clone())
            })
            .collect();
        if !missing.is_empty() {
            let list = missing
                .iter()
                .map(|m| format!("`{m}`"))
                .collect::<Vec<_>>()
                .join(", ");
            self.diags.push(
                Diagnostic::error(
                    Code::DimensionMismatch,
                    span,
                    format!(
                        "this table has no value for {list} of `{}`",
                        self.dim_name(dim)
                    ),
                )
                .with_label("members missing")
                .with_help(format!(
                    "add `{}: …` for each, or `else: …` for all the others",
                    missing.first().map(String::as_str).unwrap_or("member")
                )),
            );
        }
    }

    /// `total(x)`, `total(x, DIM)`, `total(EXPR[, DIM])`.
    pub(super) fn total_call(
        &mut self,
        name: &ast::Ident,
        args: &[ast::Expr],
        span: Span,
        scope: &Scope,
        budget: &mut usize,
    ) -> ir::Expr {
        let outer = scope.call_span.unwrap_or(span);
        let (arg, dim_arg) = match args {
            [a] => (a, None),
            [a, d] => (a, Some(d)),
            _ => {
                self.diags.push(
                    Diagnostic::error(
                        Code::TypeMismatch,
                        span,
                        format!("`total` takes 1 or 2 arguments, not {}", args.len()),
                    )
                    .with_help("write `total(x)` or `total(x, DIM)`"),
                );
                return err_expr(outer);
            }
        };
        let _ = name;
        // The dimensions summed over.
        let over: Vec<usize> = match dim_arg {
            Some(d) => match self.total_dims(d) {
                Some(over) => over,
                None => return err_expr(outer),
            },
            None => {
                // A plain dimensioned name: its total item.
                if let Some(e) = self.name_total(arg, scope, outer) {
                    return e;
                }
                self.expr_dims(arg, scope)
            }
        };
        if over.is_empty() {
            self.diags.push(
                Diagnostic::error(
                    Code::DimensionMismatch,
                    arg.span,
                    "this expression has no dimensions to sum over",
                )
                .with_help("`total` sums a dimensioned item over its members; write the expression without `total`"),
            );
            return err_expr(outer);
        }
        // Every combination of members of `over`, the context's other members kept.
        let sizes: Vec<usize> = over
            .iter()
            .map(|d| self.plan.dimensions.get(*d).map_or(0, |x| x.members.len()))
            .collect();
        let base: Vec<(usize, usize)> = scope
            .members
            .unwrap_or(&[])
            .iter()
            .filter(|c| !over.contains(&c.0))
            .copied()
            .collect();
        let Some(tuples) = self.tuples(&sizes, arg.span) else {
            return err_expr(outer);
        };
        let mut parts = Vec::new();
        for tuple in tuples {
            let mut ctx = base.clone();
            ctx.extend(over.iter().copied().zip(tuple));
            let inner = Scope {
                members: Some(&ctx),
                ..scope.clone()
            };
            parts.push(self.expr_b(arg, &inner, budget));
            if *budget == 0 {
                self.diags.push(Diagnostic::error(
                    Code::LimitExceeded,
                    span,
                    format!(
                        "this `total` expands to more than {} operations",
                        super::MAX_EXPANDED_NODES
                    ),
                ));
                return err_expr(outer);
            }
        }
        balanced_sum(parts, outer)
    }

    /// `total(x, DIM)`: the dimension named as the second argument; None (reported)
    /// when it is not a dimension's name.
    fn total_dims(&mut self, d: &ast::Expr) -> Option<Vec<usize>> {
        let ExprKind::Name(dn) = &d.kind else {
            self.diags.push(
                Diagnostic::error(
                    Code::TypeMismatch,
                    d.span,
                    "the second argument of `total` is a dimension",
                )
                .with_help("write `total(x, DIM)` with DIM one of the item's dimensions"),
            );
            return None;
        };
        match self.dims.get(&dn.name).copied() {
            Some(i) => {
                if let Some(s) = self.names.get(&dn.name).copied() {
                    self.reference(dn.span, s.def);
                }
                Some(vec![i])
            }
            None => {
                let names: Vec<&str> = self.dims.keys().map(String::as_str).collect();
                let mut diag = Diagnostic::error(
                    Code::UndefinedName,
                    dn.span,
                    format!("there is no dimension `{}`", dn.name),
                );
                diag = match self.suggest(&dn.name, &names) {
                    Some(s) => diag.with_suggestion(s),
                    None => diag.with_help("write `total(x)` to sum over every dimension"),
                };
                self.diags.push(diag);
                None
            }
        }
    }

    /// `total(x)` of a plain dimensioned name: its total item (an average item has
    /// none: reported), or None when `x` is not such a name.
    fn name_total(&mut self, arg: &ast::Expr, scope: &Scope, outer: Span) -> Option<ir::Expr> {
        if let ExprKind::Name(id) = &arg.kind {
            if let Some(item) = self.lookup_item_quiet(id, scope) {
                if let Some(g) = self.plan.items.get(item).and_then(|i| i.group) {
                    let grp = self.plan.dim_items.get(g).cloned();
                    if let Some(grp) = grp {
                        self.value_name(id, scope);
                        return Some(match grp.total {
                            Some(t) => ir::Expr {
                                kind: ir::ExprKind::Item(t),
                                span: outer,
                            },
                            None => {
                                let example =
                                    format!("{}[{}]", id.name, self.first_members(&grp.dims));
                                self.diags.push(
                                    Diagnostic::error(
                                        Code::DimensionMismatch,
                                        arg.span,
                                        format!(
                                            "`{}` averages its members' months, so it has no total",
                                            id.name
                                        ),
                                    )
                                    .with_label("an average item")
                                    .with_help(format!("name one member, as in `{example}`")),
                                );
                                err_expr(outer)
                            }
                        });
                    }
                }
            }
        }
        None
    }

    /// A driver or metric named `id`, without reporting anything.
    fn lookup_item_quiet(&self, id: &ast::Ident, scope: &Scope) -> Option<ItemId> {
        let full = scope
            .initiative
            .map(|i| format!("{i}.{}", id.name))
            .filter(|f| self.names.contains_key(f))
            .unwrap_or_else(|| id.name.clone());
        let s = self.names.get(&full)?;
        if !matches!(s.kind, SymbolKind::Driver | SymbolKind::Metric) {
            return None;
        }
        self.symbols.defs.get(s.def)?.index
    }

    /// The dimensions of an expression's dimensioned names that `x[m]` or a
    /// nested `total` does not already fix, in order of appearance.
    fn expr_dims(&self, e: &ast::Expr, scope: &Scope) -> Vec<usize> {
        let mut out = Vec::new();
        let mut stack = vec![e];
        while let Some(e) = stack.pop() {
            match &e.kind {
                ExprKind::Name(id) => {
                    if let Some(g) = self
                        .lookup_item_quiet(id, scope)
                        .and_then(|i| self.plan.items.get(i))
                        .and_then(|i| i.group)
                        .and_then(|g| self.plan.dim_items.get(g))
                    {
                        for d in &g.dims {
                            if !out.contains(d) {
                                out.push(*d);
                            }
                        }
                    }
                }
                ExprKind::Unary(_, a) | ExprKind::At(a, _) | ExprKind::Paren(a) => stack.push(a),
                ExprKind::Binary(_, a, b) => {
                    stack.push(b);
                    stack.push(a);
                }
                ExprKind::If(c, a, b) => {
                    stack.push(b);
                    stack.push(a);
                    stack.push(c);
                }
                ExprKind::Call(n, args) if n.name != "total" => stack.extend(args.iter().rev()),
                ExprKind::Step(es) => stack.extend(es.iter().rev().map(|(_, v)| v)),
                ExprKind::Table(es) => stack.extend(es.iter().rev().map(|(_, v)| v)),
                _ => {}
            }
        }
        out
    }

    /// Removes exact repeats of diagnostics and references: a dimensioned item's
    /// formula is resolved once per member and would report each mistake, and
    /// record each use, that many times.
    pub(super) fn dedupe(&mut self) {
        let mut seen = HashSet::new();
        self.diags
            .retain(|d| seen.insert((d.code, d.primary.span, d.message.clone())));
        let mut refs = HashSet::new();
        self.symbols.refs.retain(|r| refs.insert(*r));
    }

    /// The member items an override or `set` of `id[members]` replaces, each
    /// with its member context; None after a diagnostic.
    pub(super) fn override_members(
        &mut self,
        item: ItemId,
        id: &ast::Ident,
        members: &[ast::Ident],
    ) -> Option<Vec<(ItemId, MemberContext)>> {
        let group = self.plan.items.get(item).and_then(|i| i.group);
        let Some(g) = group else {
            if members.is_empty() {
                return Some(vec![(item, Vec::new())]);
            }
            self.diags.push(
                Diagnostic::error(
                    Code::DimensionMismatch,
                    id.span,
                    format!("`{}` has no dimensions, so it has no members", id.name),
                )
                .with_help(format!("write `{} = …`", id.name)),
            );
            return None;
        };
        let grp = self.plan.dim_items.get(g)?.clone();
        let ctx = |tuple: &[usize]| -> Vec<(usize, usize)> {
            grp.dims
                .iter()
                .copied()
                .zip(tuple.iter().copied())
                .collect()
        };
        if members.is_empty() {
            return Some(grp.members.iter().map(|(t, i)| (*i, ctx(t))).collect());
        }
        let tuple = self.member_tuple(g, id, members)?;
        let m = member_item(&grp, &tuple)?;
        Some(vec![(m, ctx(&tuple))])
    }
}

/// How an item declared like `item` totals its members: `flow` and `stock` sum
/// them; `formula`, and a ratio or duration metric of same-period values without
/// a roll-up word, apply the formula to the operands' totals; `average` (written,
/// or the default of a ratio driver or of a ratio metric over other periods) has
/// no total, nor has a formula whose members differ (a member table, `allocate`).
/// Without a written unit, the rule waits for the inferred unit.
fn total_rule(item: &ast::ItemDecl) -> ir::TotalRule {
    use ir::TotalRule;
    let formula = || {
        if per_member(&item.expr) {
            TotalRule::None
        } else {
            TotalRule::Formula
        }
    };
    match item.aggregation.map(|a| a.0) {
        Some(Aggregation::Average) => TotalRule::None,
        Some(Aggregation::Flow | Aggregation::Stock) => TotalRule::Sum,
        Some(Aggregation::Formula) => formula(),
        None => match &item.unit {
            None => TotalRule::Unsettled(None),
            Some(u) if unit_is_ratio(u) || unit_is_duration(u) => {
                if item.kind == ast::ItemKind::Metric && same_period(&item.expr) {
                    formula()
                } else {
                    TotalRule::None
                }
            }
            Some(_) => TotalRule::Sum,
        },
    }
}

/// The dimensioned items declared at the top level that have no total: those
/// whose [`total_rule`] is none, and the ratios without a roll-up word whose
/// formula reads one of them (their formula cannot be totalled), transitively.
fn no_total(files: &[super::ParsedFile]) -> HashSet<String> {
    let decls: Vec<&ast::ItemDecl> = super::all_decls(files)
        .filter_map(|(_, d)| match &d.kind {
            DeclKind::Item(i) if !i.by.is_empty() => Some(i),
            _ => None,
        })
        .collect();
    let mut out: HashSet<String> = decls
        .iter()
        .filter(|d| total_rule(d) == ir::TotalRule::None)
        .map(|d| d.name.name.clone())
        .collect();
    let by_default: Vec<&ast::ItemDecl> = decls
        .into_iter()
        .filter(|d| d.aggregation.is_none() && total_rule(d) == ir::TotalRule::Formula)
        .collect();
    // Each round adds at least one name, or stops.
    for _ in 0..=by_default.len() {
        let mut changed = false;
        for d in &by_default {
            if out.contains(&d.name.name) {
                continue;
            }
            let mut reads = false;
            walk_ast(&d.expr, &mut |x| {
                reads |= matches!(&x.kind, ExprKind::Name(n) if out.contains(&n.name));
            });
            if reads {
                out.insert(d.name.name.clone());
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    out
}

/// A unit of time written alone (`month`, `day`): a duration.
fn unit_is_duration(u: &ast::UnitExpr) -> bool {
    u.rest.is_empty()
        && matches!(&u.first, UnitAtom::Name(n)
            if matches!(n.name.as_str(), "day" | "week" | "month" | "quarter" | "year"))
}

/// True when `e` has a member table or an `allocate`: a value that is only
/// defined member by member.
fn per_member(e: &ast::Expr) -> bool {
    let mut found = false;
    walk_ast(e, &mut |x| {
        found |= matches!(&x.kind, ExprKind::Table(_))
            || matches!(&x.kind, ExprKind::Call(n, _) if n.name == "allocate");
    });
    found
}

/// True when `e`, as written, reads only same-period values (the syntactic
/// twin of `eval::window::same_period_only`; a function's body is not opened).
fn same_period(e: &ast::Expr) -> bool {
    let mut ok = true;
    walk_ast(e, &mut |x| match &x.kind {
        ExprKind::Call(n, _) => {
            let builtin = ir::BUILTIN_SIGNATURES.iter().any(|b| b.0 == n.name);
            if builtin
                && !matches!(
                    n.name.as_str(),
                    "min" | "max" | "round" | "abs" | "pow" | "root" | "total"
                )
            {
                ok = false;
            }
        }
        ExprKind::At(..) | ExprKind::Step(_) | ExprKind::Period(_) | ExprKind::Range(..) => {
            ok = false
        }
        _ => {}
    });
    ok
}

/// Calls `f` on every node of `e` (iteratively: no recursion on user input).
fn walk_ast(e: &ast::Expr, f: &mut dyn FnMut(&ast::Expr)) {
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        f(e);
        match &e.kind {
            ExprKind::Unary(_, a) | ExprKind::At(a, _) | ExprKind::Paren(a) => stack.push(a),
            ExprKind::Binary(_, a, b) => {
                stack.push(a);
                stack.push(b);
            }
            ExprKind::If(c, a, b) => {
                stack.push(c);
                stack.push(a);
                stack.push(b);
            }
            ExprKind::Call(_, args) => stack.extend(args.iter()),
            ExprKind::Step(es) => stack.extend(es.iter().map(|(_, v)| v)),
            ExprKind::Table(es) => stack.extend(es.iter().map(|(_, v)| v)),
            _ => {}
        }
    }
}

/// True when an IR expression has an unresolved part.
fn has_error(e: &ir::Expr) -> bool {
    let mut found = false;
    e.walk(&mut |n| found |= matches!(n.kind, ir::ExprKind::Error));
    found
}

fn unit_is_ratio(u: &ast::UnitExpr) -> bool {
    let atom = |a: &UnitAtom| match a {
        UnitAtom::Percent(_) => true,
        UnitAtom::Group(g) => unit_is_ratio(g),
        _ => false,
    };
    atom(&u.first) || u.rest.iter().any(|(mul, a)| !mul || atom(a))
}

/// Every tuple of member indices for dimensions of these sizes, first outermost.
pub(crate) fn product(sizes: &[usize]) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = vec![Vec::new()];
    for &n in sizes {
        let mut next = Vec::with_capacity(out.len().saturating_mul(n));
        for prefix in &out {
            for m in 0..n {
                let mut t = prefix.clone();
                t.push(m);
                next.push(t);
            }
        }
        out = next;
    }
    out
}

/// The member item for a tuple (members are stored row-major).
fn member_item(grp: &ir::DimItem, tuple: &[usize]) -> Option<ItemId> {
    grp.members
        .iter()
        .find(|(t, _)| t.as_slice() == tuple)
        .map(|(_, i)| *i)
}

/// The sum of these items, as a balanced tree (shallow for many members).
fn sum_items(ids: &[ItemId], span: Span) -> ir::Expr {
    balanced_sum(
        ids.iter()
            .map(|i| ir::Expr {
                kind: ir::ExprKind::Item(*i),
                span,
            })
            .collect(),
        span,
    )
}

/// `a + b + …` as a balanced tree.
fn balanced_sum(mut parts: Vec<ir::Expr>, span: Span) -> ir::Expr {
    if parts.is_empty() {
        return err_expr(span);
    }
    while parts.len() > 1 {
        let mut next = Vec::with_capacity(parts.len().div_ceil(2));
        let mut it = parts.into_iter();
        while let Some(a) = it.next() {
            match it.next() {
                Some(b) => next.push(ir::Expr {
                    kind: ir::ExprKind::Binary(ast::BinOp::Add, Box::new(a), Box::new(b)),
                    span,
                }),
                None => next.push(a),
            }
        }
        parts = next;
    }
    parts.pop().unwrap_or_else(|| err_expr(span))
}

impl Resolver<'_> {
    /// A condition (`target`, `maintain`) over dimensioned values: one condition
    /// per member of the dimensions it reads, each with its member label
    /// (`paid`, `paid, emea`); a condition without dimensions is one, unlabelled.
    pub(super) fn per_member(&mut self, e: &ast::Expr) -> Vec<(ir::Expr, Option<String>)> {
        let dims = self.expr_dims(e, &Scope::default());
        if dims.is_empty() {
            return vec![(self.expr(e, &Scope::default()), None)];
        }
        let sizes: Vec<usize> = dims
            .iter()
            .map(|d| self.plan.dimensions.get(*d).map_or(0, |x| x.members.len()))
            .collect();
        let Some(tuples) = self.tuples(&sizes, e.span) else {
            return vec![(err_expr(e.span), None)];
        };
        let mut out = Vec::new();
        for tuple in tuples {
            let ctx: Vec<(usize, usize)> =
                dims.iter().copied().zip(tuple.iter().copied()).collect();
            let scope = Scope {
                members: Some(&ctx),
                ..Scope::default()
            };
            let label = self.plan.member_label(&dims, &tuple);
            out.push((self.expr_counted(e, &scope), Some(label)));
        }
        out
    }

    /// Every member tuple for dimensions of these sizes, or `limit-exceeded`
    /// when there are more than [`MAX_MEMBERS`].
    fn tuples(&mut self, sizes: &[usize], span: Span) -> Option<Vec<Vec<usize>>> {
        let count = sizes.iter().try_fold(1usize, |a, b| a.checked_mul(*b));
        if count.is_none_or(|c| c > MAX_MEMBERS) {
            self.diags.push(
                Diagnostic::error(
                    Code::LimitExceeded,
                    span,
                    format!("this expression spans more than {MAX_MEMBERS} member combinations"),
                )
                .with_help("sum over fewer dimensions at once, for example `total(x, DIM)`"),
            );
            return None;
        }
        Some(product(sizes))
    }

    /// [`Resolver::expr`] for one member, counted against [`MAX_DIM_NODES`]: past
    /// it, `limit-exceeded` (once) and the formula does not resolve.
    fn expr_counted(&mut self, e: &ast::Expr, scope: &Scope) -> ir::Expr {
        if self.dim_nodes > MAX_DIM_NODES {
            if !self.dim_nodes_reported {
                self.dim_nodes_reported = true;
                self.diags.push(
                    Diagnostic::error(
                        Code::LimitExceeded,
                        e.span,
                        format!(
                            "the plan's dimensioned formulas expand to more than {MAX_DIM_NODES} operations, one copy per member"
                        ),
                    )
                    .with_help("use fewer members, or name shared parts as items without dimensions"),
                );
            }
            return err_expr(e.span);
        }
        let mut budget = super::MAX_EXPANDED_NODES;
        self.depth_reported = false;
        let out = self.expr_b(e, scope, &mut budget);
        self.dim_nodes += super::MAX_EXPANDED_NODES - budget;
        out
    }
}

impl Resolver<'_> {
    /// `allocate(amount, weights[, digits])` for the context's member of the
    /// weights' dimension.
    pub(super) fn allocate_call(
        &mut self,
        args: &[ast::Expr],
        span: Span,
        scope: &Scope,
        budget: &mut usize,
    ) -> ir::Expr {
        let outer = scope.call_span.unwrap_or(span);
        let (amount, weights, digits) = match args {
            [a, w] => (a, w, None),
            [a, w, d] => (a, w, Some(d)),
            _ => {
                self.diags.push(
                    Diagnostic::error(
                        Code::TypeMismatch,
                        span,
                        format!("`allocate` takes 2 or 3 arguments, not {}", args.len()),
                    )
                    .with_help(
                        "write `allocate(amount, weights)` or `allocate(amount, weights, digits)`",
                    ),
                );
                return err_expr(outer);
            }
        };
        let wdims = self.expr_dims(weights, scope);
        let [dim] = wdims.as_slice() else {
            self.diags.push(
                Diagnostic::error(
                    Code::DimensionMismatch,
                    weights.span,
                    if wdims.is_empty() {
                        "the weights of `allocate` need one value per member".to_string()
                    } else {
                        format!("the weights of `allocate` are by {}: split over one dimension", self.dims_text(&wdims))
                    },
                )
                .with_help("give weights by one dimension, for example `allocate(it_cost, seats)` with `seats` by department"),
            );
            return err_expr(outer);
        };
        let dim = *dim;
        let ctx = scope.members.unwrap_or(&[]);
        let Some(k) = ctx.iter().find(|c| c.0 == dim).map(|c| c.1) else {
            self.diags.push(
                Diagnostic::error(
                    Code::DimensionMismatch,
                    span,
                    format!(
                        "`allocate` splits over `{}`, but this item is not by `{}`",
                        self.dim_name(dim),
                        self.dim_name(dim)
                    ),
                )
                .with_help(format!("declare the item `by {}`", self.dim_name(dim))),
            );
            return err_expr(outer);
        };
        if self.expr_dims(amount, scope).contains(&dim) {
            self.diags.push(
                Diagnostic::error(
                    Code::DimensionMismatch,
                    amount.span,
                    format!(
                        "the amount of `allocate` is already by `{}`",
                        self.dim_name(dim)
                    ),
                )
                .with_help("allocate one amount, for example `total(x)`"),
            );
            return err_expr(outer);
        }
        let Some(digits) = self.allocate_digits(digits) else {
            return err_expr(outer);
        };
        let konst = |v: rust_decimal::Decimal| ir::Expr {
            kind: ir::ExprKind::Const(v, None),
            span: outer,
        };
        let mut out = vec![
            self.expr_b(amount, scope, budget),
            konst(digits),
            konst(rust_decimal::Decimal::from(k)),
        ];
        let size = self.plan.dimensions.get(dim).map_or(0, |d| d.members.len());
        for j in 0..size {
            let mut c: Vec<(usize, usize)> = ctx.to_vec();
            if let Some(slot) = c.iter_mut().find(|x| x.0 == dim) {
                slot.1 = j;
            }
            let inner = Scope {
                members: Some(&c),
                ..scope.clone()
            };
            out.push(self.expr_b(weights, &inner, budget));
        }
        ir::Expr {
            kind: ir::ExprKind::Call(ir::Builtin::Allocate, out),
            span: outer,
        }
    }

    /// The digits `allocate` rounds to: the third argument (a whole number from 0 to
    /// 28, else reported and None), or the currency's minor digits, or -1 (no rounding)
    /// when the item's unit is not a currency.
    fn allocate_digits(&mut self, digits: Option<&ast::Expr>) -> Option<rust_decimal::Decimal> {
        match digits {
            Some(d) => match &d.kind {
                ExprKind::Number {
                    value, unit: None, ..
                } if value.fract().is_zero()
                    && *value >= rust_decimal::Decimal::ZERO
                    && *value <= rust_decimal::Decimal::from(28) =>
                {
                    Some(*value)
                }
                _ => {
                    self.diags.push(
                        Diagnostic::error(
                            Code::TypeMismatch,
                            d.span,
                            "the digits of `allocate` are a whole number from 0 to 28",
                        )
                        .with_help("write `allocate(amount, weights, 2)` for cents"),
                    );
                    None
                }
            },
            None => match self.alloc_unit.as_ref().and_then(Unit::currency) {
                Some(c) => Some(rust_decimal::Decimal::from(crate::units::minor_digits(c))),
                None => Some(rust_decimal::Decimal::NEGATIVE_ONE),
            },
        }
    }
}
