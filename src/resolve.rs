//! Name resolution: parsed files → [`ir::Plan`] plus diagnostics and a symbol index.
//!
//! Takes every parsed file of one compilation (the entry file, its imports and the
//! standard library modules they name) and links names: drivers, metrics and
//! initiative members (`init.member`), functions (inlined at each call, so the IR has
//! none), scenarios and their `extends` chains, parties, terms and units. Names
//! live in one namespace; terms and units have namespaces of their own. Unknown
//! names get `undefined-name` with the closest declared name; a name declared twice
//! gets `duplicate-name` pointing at both places. Units are attached later by
//! `check::units`.

use crate::diagnostic::{Code, Diagnostic, Subject};
use crate::ir::{self, Builtin, ItemId, Party};
use crate::source::Span;
use crate::suggest::closest;
use crate::syntax::ast::{self, DeclKind, ExprKind, PeriodKind};
use crate::units::Unit;
use std::collections::HashMap;

mod budgets;
mod dims;

/// Most nested user-function calls while inlining.
pub(crate) const MAX_INLINE_DEPTH: usize = 16;
/// Largest number of expression nodes one formula may expand to after inlining.
pub(crate) const MAX_EXPANDED_NODES: usize = 100_000;
/// Longest horizon accepted, in months.
pub const MAX_HORIZON: i64 = 1200;
/// Deepest expression tree one formula may expand to after inlining (the parser
/// already bounds each written expression by
/// [`MAX_EXPR_DEPTH`](crate::syntax::limits::MAX_EXPR_DEPTH)).
pub(crate) const MAX_EXPANDED_DEPTH: usize = 2 * crate::syntax::limits::MAX_EXPR_DEPTH;
/// Most "did you mean" searches over the plan's names in one resolution: each
/// reads every name, so a plan with thousands of misspellings gets suggestions
/// for the first ones only.
pub(crate) const MAX_SUGGESTIONS: usize = 200;

/// What a name refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum SymbolKind {
    /// The plan itself.
    Plan,
    /// A driver.
    Driver,
    /// A metric.
    Metric,
    /// A user function.
    Function,
    /// An objective.
    Objective,
    /// An assumption.
    Assumption,
    /// A dependency.
    Dependency,
    /// A risk.
    Risk,
    /// A request.
    Request,
    /// A RACI entry.
    Raci,
    /// An initiative.
    Initiative,
    /// A scenario.
    Scenario,
    /// A trigger.
    Trigger,
    /// A department.
    Department,
    /// A role.
    Role,
    /// A glossary term.
    Term,
    /// A declared unit.
    Unit,
    /// A dimension.
    Dimension,
    /// A member of a dimension.
    Member,
    /// A budget.
    Budget,
}

impl SymbolKind {
    /// The keyword that declares it.
    pub fn as_str(self) -> &'static str {
        match self {
            SymbolKind::Plan => "plan",
            SymbolKind::Driver => "driver",
            SymbolKind::Metric => "metric",
            SymbolKind::Function => "fn",
            SymbolKind::Objective => "objective",
            SymbolKind::Assumption => "assumption",
            SymbolKind::Dependency => "dependency",
            SymbolKind::Risk => "risk",
            SymbolKind::Request => "request",
            SymbolKind::Raci => "raci",
            SymbolKind::Initiative => "initiative",
            SymbolKind::Scenario => "scenario",
            SymbolKind::Trigger => "trigger",
            SymbolKind::Department => "department",
            SymbolKind::Role => "role",
            SymbolKind::Term => "term",
            SymbolKind::Unit => "unit",
            SymbolKind::Dimension => "dimension",
            SymbolKind::Member => "member",
            SymbolKind::Budget => "budget",
        }
    }
}

/// A declared name, for navigation, hover and symbols.
#[derive(Debug, Clone, PartialEq)]
pub struct Definition {
    /// Full name.
    pub(crate) name: String,
    /// What it is.
    pub(crate) kind: SymbolKind,
    /// Span of the name in its declaration.
    pub(crate) name_span: Span,
    /// Span of the whole declaration.
    pub(crate) decl_span: Span,
    /// Doc comment.
    pub(crate) doc: Option<String>,
    /// Title or definition text, when it has one.
    pub(crate) title: Option<String>,
    /// Index in the matching `ir::Plan` vector (items, scenarios, …) when it has one.
    pub(crate) index: Option<usize>,
}

/// Every definition and every use of a name that resolved.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct SymbolIndex {
    /// Definitions.
    pub(crate) defs: Vec<Definition>,
    /// Uses: the span of the name and the definition it resolves to.
    pub(crate) refs: Vec<(Span, usize)>,
}

/// One parsed file handed to the resolver.
#[derive(Debug, Clone)]
pub struct ParsedFile {
    /// The file id of its source.
    pub file: crate::source::FileId,
    /// Its AST.
    pub ast: ast::File,
    /// True for the entry file (where the `plan` declaration belongs).
    pub entry: bool,
}

/// What resolution produces.
#[derive(Debug, Clone, Default)]
pub struct Resolved {
    /// The resolved plan: every reference an index.
    pub plan: ir::Plan,
    /// Names for the language server.
    pub(crate) symbols: SymbolIndex,
}

#[derive(Clone, Copy)]
struct Sym {
    kind: SymbolKind,
    def: usize,
}

struct FnDef<'a> {
    params: &'a [ast::Ident],
    body: &'a ast::Expr,
}

struct Resolver<'a> {
    diags: Vec<Diagnostic>,
    names: HashMap<String, Sym>,
    units: HashMap<String, usize>,
    terms: HashMap<String, usize>,
    /// Functions have a namespace of their own: a call `f(…)` can only mean a
    /// function, so `metric cac = cac(spend, deals)` is fine.
    fn_names: HashMap<String, usize>,
    symbols: SymbolIndex,
    fns: HashMap<String, FnDef<'a>>,
    fn_stack: Vec<String>,
    /// Depth of the expression being built (bounded by [`MAX_EXPANDED_DEPTH`]).
    depth: usize,
    /// Whether the current formula was already reported as too deep.
    depth_reported: bool,
    /// "Did you mean" searches done so far (bounded by [`MAX_SUGGESTIONS`]).
    suggestions: std::cell::Cell<usize>,
    plan: ir::Plan,
    horizon_known: bool,
    /// Period literals already reported as finer than the plan.
    granularity_reported: Vec<Span>,
    source_text: &'a dyn Fn(Span) -> String,
    /// Dimensions by name (indices into `plan.dimensions`).
    dims: HashMap<String, usize>,
    /// Dimensioned items by full name (indices into `plan.dim_items`).
    dim_groups: HashMap<String, usize>,
    /// Definition of each member of each dimension (None: not yet known).
    member_defs: Vec<Vec<Option<usize>>>,
    /// The declared unit of the item being resolved (`allocate` rounds to its
    /// currency's minor unit).
    alloc_unit: Option<Unit>,
    /// True while resolving a trigger's `when` (one truth per period).
    in_when: bool,
    /// Expression nodes built for dimensioned formulas so far (bounded by
    /// `dims::MAX_DIM_NODES`), and whether going past it was reported.
    dim_nodes: usize,
    dim_nodes_reported: bool,
    /// Dimensioned items (by name) that have no total across their members.
    no_total: std::collections::HashSet<String>,
}

#[derive(Clone, Default)]
struct Scope<'s> {
    initiative: Option<&'s str>,
    params: Option<&'s HashMap<String, ir::Expr>>,
    prior: Option<ItemId>,
    call_span: Option<Span>,
    /// Inside a dimensioned item: the member of each of its dimensions being
    /// resolved, as (dimension, member).
    members: Option<&'s [(usize, usize)]>,
    /// Resolving the total of this dimensioned item from its formula: a
    /// dimensioned name reads its total item.
    totals: Option<&'s str>,
}

/// Resolves every name of a compilation into an [`ir::Plan`].
///
/// `text` returns the source text of a span (used to keep conditions as written).
pub fn resolve(files: &[ParsedFile], text: &dyn Fn(Span) -> String) -> (Resolved, Vec<Diagnostic>) {
    let mut r = Resolver {
        diags: Vec::new(),
        names: HashMap::new(),
        units: HashMap::new(),
        terms: HashMap::new(),
        fn_names: HashMap::new(),
        symbols: SymbolIndex::default(),
        fns: HashMap::new(),
        fn_stack: Vec::new(),
        depth: 0,
        depth_reported: false,
        suggestions: std::cell::Cell::new(0),
        plan: ir::Plan::default(),
        horizon_known: false,
        granularity_reported: Vec::new(),
        source_text: text,
        dims: HashMap::new(),
        dim_groups: HashMap::new(),
        member_defs: Vec::new(),
        alloc_unit: None,
        in_when: false,
        dim_nodes: 0,
        dim_nodes_reported: false,
        no_total: Default::default(),
    };
    r.collect(files);
    r.plan_header(files);
    r.bodies(files);
    r.dedupe();
    (
        Resolved {
            plan: r.plan,
            symbols: r.symbols,
        },
        r.diags,
    )
}

fn all_decls(files: &[ParsedFile]) -> impl Iterator<Item = (&ParsedFile, &ast::Decl)> {
    files
        .iter()
        .flat_map(|f| f.ast.decls.iter().map(move |d| (f, d)))
}

impl<'a> Resolver<'a> {
    fn define(
        &mut self,
        name: &ast::Ident,
        kind: SymbolKind,
        decl_span: Span,
        doc: Option<String>,
        title: Option<String>,
        index: Option<usize>,
    ) -> bool {
        let def = Definition {
            name: name.name.clone(),
            kind,
            name_span: name.span,
            decl_span,
            doc,
            title,
            index,
        };
        let ns = match kind {
            SymbolKind::Unit => &mut self.units,
            SymbolKind::Term => &mut self.terms,
            SymbolKind::Function => &mut self.fn_names,
            _ => {
                if let Some(prev) = self.names.get(&name.name) {
                    let first = self
                        .symbols
                        .defs
                        .get(prev.def)
                        .map(|d| (d.name_span, d.kind))
                        .unwrap_or_default_pair();
                    self.diags.push(
                        Diagnostic::error(
                            Code::DuplicateName,
                            name.span,
                            format!("`{}` is declared twice", name.name),
                        )
                        .with_label(format!("second declaration of `{}`", name.name))
                        .with_secondary(
                            first.0,
                            format!("first declared here as a {}", first.1.as_str()),
                        )
                        .with_help("rename one of them; every name in a plan must be unique"),
                    );
                    return false;
                }
                self.symbols.defs.push(def);
                let id = self.symbols.defs.len() - 1;
                self.names.insert(name.name.clone(), Sym { kind, def: id });
                return true;
            }
        };
        if let Some(&prev) = ns.get(&name.name) {
            let first = self
                .symbols
                .defs
                .get(prev)
                .map(|d| d.name_span)
                .unwrap_or_default();
            if kind == SymbolKind::Term {
                self.diags.push(
                    Diagnostic::error(
                        Code::DuplicateTerm,
                        name.span,
                        format!("the term `{}` is defined twice", name.name),
                    )
                    .with_label("defined again here")
                    .with_secondary(first, "first defined here")
                    .with_help("keep one definition in the shared glossary and remove the other"),
                );
            } else {
                let what = if kind == SymbolKind::Function {
                    "function"
                } else {
                    "unit"
                };
                self.diags.push(
                    Diagnostic::error(
                        Code::DuplicateName,
                        name.span,
                        format!("the {what} `{}` is declared twice", name.name),
                    )
                    .with_secondary(first, "first declared here")
                    .with_help("remove one of the declarations"),
                );
            }
            return false;
        }
        self.symbols.defs.push(def);
        let id = self.symbols.defs.len() - 1;
        ns.insert(name.name.clone(), id);
        true
    }

    fn reference(&mut self, span: Span, def: usize) {
        self.symbols.refs.push((span, def));
    }

    /// Pass 1: every declared name, with placeholder IR entries in declaration order.
    fn collect(&mut self, files: &'a [ParsedFile]) {
        self.collect_dimensions(files);
        for (_, decl) in all_decls(files) {
            let doc = decl.doc.clone();
            match &decl.kind {
                DeclKind::Plan(p) => {
                    self.define(
                        &p.name,
                        SymbolKind::Plan,
                        decl.span,
                        doc,
                        p.title.as_ref().map(|t| t.value.clone()),
                        None,
                    );
                }
                DeclKind::Import(_) => {}
                DeclKind::Actuals(a) => self.collect_actuals(a),
                DeclKind::Unit(n, t) => self.collect_unit(n, t.as_ref(), decl.span, doc),
                DeclKind::Department {
                    name, title, lead, ..
                } => self.collect_department(name, title, lead.as_ref(), decl.span, doc),
                DeclKind::Role { name, title, .. } => {
                    self.collect_role(name, title, decl.span, doc)
                }
                DeclKind::Term(name, def) => self.collect_term(name, def, decl.span, doc),
                DeclKind::Item(item) => self.collect_item(item, None, decl.span, doc),
                DeclKind::Fn { name, params, body } => {
                    self.collect_fn(name, params, body, decl.span, doc)
                }
                DeclKind::Objective(o) => self.collect_objective(o, decl.span, doc),
                DeclKind::Assumption(a) => self.collect_assumption(a, decl.span, doc),
                DeclKind::Dependency(d) => self.collect_dependency(d, decl.span, doc),
                DeclKind::Risk(rk) => self.collect_risk(rk, decl.span, doc),
                DeclKind::Request(rq) => self.collect_request(rq, decl.span, doc),
                DeclKind::Raci(rc) => self.collect_raci(rc, decl.span, doc),
                DeclKind::Initiative(ini) => self.collect_initiative(ini, decl.span, doc),
                DeclKind::Scenario(sc) => self.collect_scenario(sc, decl.span, doc),
                DeclKind::Trigger(t) => self.collect_trigger(t, decl.span, doc, None),
                DeclKind::Dimension(_) => {}
                DeclKind::Budget(b) => self.collect_budget(b, decl.span, doc),

                DeclKind::Correlate(_) => {}
            }
        }
    }

    /// An `actuals` source: the file, its column roles, name mappings and ignored rows.
    fn collect_actuals(&mut self, a: &ast::ActualsDecl) {
        self.plan.actuals.push(ir::ActualsSource {
            path: a.path.value.clone(),
            span: a.path.span,
            columns: a
                .columns
                .iter()
                .map(|(o, t)| (o.name.clone(), t.value.clone()))
                .collect(),
            maps: a
                .maps
                .iter()
                .flat_map(|(names, item)| {
                    names
                        .iter()
                        .map(|n| (n.value.clone(), item.name.clone(), item.span))
                })
                .collect(),
            ignores: a.ignores.iter().map(|i| i.value.clone()).collect(),
            sheet: a.sheet.as_ref().map(|s| s.value.clone()),
        });
    }

    /// A declared unit (a currency or time word cannot be redeclared).
    fn collect_unit(
        &mut self,
        n: &ast::Ident,
        t: Option<&ast::Str>,
        span: Span,
        doc: Option<String>,
    ) {
        if crate::units::is_currency(&n.name) || crate::units::TIME_WORDS.contains(&n.name.as_str())
        {
            self.diags.push(
                Diagnostic::error(
                    Code::DuplicateName,
                    n.span,
                    format!("`{}` is a predeclared unit", n.name),
                )
                .with_help("currencies and time words are built in; remove this declaration"),
            );
        } else {
            self.define(
                n,
                SymbolKind::Unit,
                span,
                doc,
                t.as_ref().map(|t| t.value.clone()),
                None,
            );
        }
    }

    /// A department: its symbol and its IR entry.
    fn collect_department(
        &mut self,
        name: &ast::Ident,
        title: &ast::Str,
        lead: Option<&ast::Str>,
        span: Span,
        doc: Option<String>,
    ) {
        let idx = self.plan.departments.len();
        if self.define(
            name,
            SymbolKind::Department,
            span,
            doc,
            Some(title.value.clone()),
            Some(idx),
        ) {
            self.plan.departments.push(ir::Department {
                name: name.name.clone(),
                title: title.value.clone(),
                lead: lead.as_ref().map(|l| l.value.clone()),
                span: name.span,
            });
        }
    }

    /// A role: its symbol and its IR entry (the department is linked in pass 2).
    fn collect_role(
        &mut self,
        name: &ast::Ident,
        title: &ast::Str,
        span: Span,
        doc: Option<String>,
    ) {
        let idx = self.plan.roles.len();
        if self.define(
            name,
            SymbolKind::Role,
            span,
            doc,
            Some(title.value.clone()),
            Some(idx),
        ) {
            self.plan.roles.push(ir::Role {
                name: name.name.clone(),
                title: title.value.clone(),
                department: None,
                span: name.span,
            });
        }
    }

    /// A glossary term: its symbol and its definition.
    fn collect_term(&mut self, name: &ast::Ident, def: &ast::Str, span: Span, doc: Option<String>) {
        let idx = self.plan.terms.len();
        if self.define(
            name,
            SymbolKind::Term,
            span,
            doc,
            Some(def.value.clone()),
            Some(idx),
        ) {
            self.plan.terms.push(ir::Term {
                name: name.name.clone(),
                definition: def.value.clone(),
                span: name.span,
            });
        }
    }

    /// A user function, kept for inlining at each call (a built-in's name is refused).
    fn collect_fn(
        &mut self,
        name: &ast::Ident,
        params: &'a [ast::Ident],
        body: &'a ast::Expr,
        span: Span,
        doc: Option<String>,
    ) {
        let builtins: Vec<&str> = ir::BUILTIN_SIGNATURES.iter().map(|b| b.0).collect();
        if builtins.contains(&name.name.as_str()) {
            self.diags.push(
                Diagnostic::error(
                    Code::DuplicateName,
                    name.span,
                    format!("`{}` is a built-in function", name.name),
                )
                .with_help("choose another name for your function"),
            );
        } else if self.define(name, SymbolKind::Function, span, doc, None, None) {
            self.fns.insert(name.name.clone(), FnDef { params, body });
        }
    }

    /// An objective, with its owner, links and targets left for pass 2.
    fn collect_objective(&mut self, o: &ast::ObjectiveDecl, span: Span, doc: Option<String>) {
        let idx = self.plan.objectives.len();
        if self.define(
            &o.name,
            SymbolKind::Objective,
            span,
            doc,
            Some(o.title.value.clone()),
            Some(idx),
        ) {
            self.plan.objectives.push(ir::Objective {
                name: o.name.name.clone(),
                title: o.title.value.clone(),
                owner: None,
                supports: vec![],
                targets: vec![],
                span: o.name.span,
            });
        }
    }

    /// An assumption: evidence and tolerance now, its changes and links in pass 2.
    fn collect_assumption(&mut self, a: &ast::AssumptionDecl, span: Span, doc: Option<String>) {
        let idx = self.plan.assumptions.len();
        if self.define(
            &a.name,
            SymbolKind::Assumption,
            span,
            doc,
            Some(a.title.value.clone()),
            Some(idx),
        ) {
            self.plan.assumptions.push(ir::Assumption {
                name: a.name.name.clone(),
                title: a.title.value.clone(),
                changes: vec![],
                maintains: vec![],
                counterbalances: vec![],
                depends_on: vec![],
                indicators: vec![],
                owner: None,
                evidence: a.evidence.iter().map(|e| e.value.clone()).collect(),
                tolerance: a.tolerance.map(|t| t.0),
                span: a.name.span,
            });
        }
    }

    /// A dependency: its confidence now, owner and periods in pass 2.
    fn collect_dependency(&mut self, d: &ast::DependencyDecl, span: Span, doc: Option<String>) {
        let idx = self.plan.dependencies.len();
        if self.define(
            &d.name,
            SymbolKind::Dependency,
            span,
            doc,
            Some(d.title.value.clone()),
            Some(idx),
        ) {
            self.plan.dependencies.push(ir::Dependency {
                name: d.name.name.clone(),
                title: d.title.value.clone(),
                owner: None,
                due: None,
                confidence: d.confidence.map(|c| c.0),
                done: None,
                span: d.name.span,
            });
        }
    }

    /// A risk: likelihood, impact and mitigation now, owner and reviews in pass 2.
    fn collect_risk(&mut self, rk: &ast::RiskDecl, span: Span, doc: Option<String>) {
        let idx = self.plan.risks.len();
        if self.define(
            &rk.name,
            SymbolKind::Risk,
            span,
            doc,
            Some(rk.title.value.clone()),
            Some(idx),
        ) {
            self.plan.risks.push(ir::Risk {
                name: rk.name.name.clone(),
                title: rk.title.value.clone(),
                owner: None,
                likelihood: rk.likelihood.map(|l| l.0),
                impact: rk.impact.as_ref().map(|s| s.value.clone()),
                mitigation: rk.mitigation.as_ref().map(|s| s.value.clone()),
                reviewed: None,
                span: rk.name.span,
            });
        }
    }

    /// A request: its decision now, everything that names other declarations in pass 2.
    fn collect_request(&mut self, rq: &ast::RequestDecl, span: Span, doc: Option<String>) {
        let idx = self.plan.requests.len();
        if self.define(
            &rq.name,
            SymbolKind::Request,
            span,
            doc,
            Some(rq.title.value.clone()),
            Some(idx),
        ) {
            self.plan.requests.push(ir::Request {
                name: rq.name.name.clone(),
                title: rq.title.value.clone(),
                from: None,
                ask: None,
                grant: None,
                decision: rq.decision.as_ref().map(|d| d.value.clone()),
                approved_by: vec![],
                span: rq.name.span,
                draws: vec![],
                reallocations: vec![],
                cost: None,
                ret: None,
                supports: vec![],
                grant_members: vec![],
            });
        }
    }

    /// A RACI chart, with its statements' letters and spans (the names are linked
    /// in pass 2).
    fn collect_raci(&mut self, rc: &ast::RaciDecl, span: Span, doc: Option<String>) {
        let idx = self.plan.raci.len();
        if self.define(
            &rc.name,
            SymbolKind::Raci,
            span,
            doc,
            Some(rc.title.value.clone()),
            Some(idx),
        ) {
            self.plan.raci.push(ir::Raci {
                name: rc.name.name.clone(),
                title: rc.title.value.clone(),
                responsible: vec![],
                accountable: vec![],
                consulted: vec![],
                informed: vec![],
                span: rc.name.span,
                decl_span: span,
                lines: rc.lines.clone(),
            });
        }
    }

    /// An initiative and the items declared inside it.
    fn collect_initiative(&mut self, ini: &ast::InitiativeDecl, span: Span, doc: Option<String>) {
        let idx = self.plan.initiatives.len();
        if self.define(
            &ini.name,
            SymbolKind::Initiative,
            span,
            doc,
            Some(ini.title.value.clone()),
            Some(idx),
        ) {
            self.plan.initiatives.push(ir::Initiative {
                name: ini.name.name.clone(),
                title: ini.title.value.clone(),
                owner: None,
                start: None,
                members: vec![],
                span: ini.name.span,
            });
            for (m, span, mdoc) in &ini.members {
                self.collect_item(m, Some((&ini.name.name, idx)), *span, mdoc.clone());
            }
        }
    }

    /// A scenario and the triggers declared inside it (its overrides are resolved
    /// in pass 2).
    fn collect_scenario(&mut self, sc: &ast::ScenarioDecl, span: Span, doc: Option<String>) {
        let idx = self.plan.scenarios.len();
        if self.define(
            &sc.name,
            SymbolKind::Scenario,
            span,
            doc,
            Some(sc.title.value.clone()),
            Some(idx),
        ) {
            self.plan.scenarios.push(ir::Scenario {
                name: sc.name.name.clone(),
                title: sc.title.value.clone(),
                parent: None,
                overrides: vec![],
                span: sc.name.span,
            });
            for (t, span, tdoc) in &sc.triggers {
                self.collect_trigger(t, *span, tdoc.clone(), Some(idx));
            }
        }
    }

    /// A budget, with its amounts and rules left for pass 2.
    fn collect_budget(&mut self, b: &ast::BudgetDecl, span: Span, doc: Option<String>) {
        let idx = self.plan.budgets.len();
        if self.define(
            &b.name,
            SymbolKind::Budget,
            span,
            doc,
            Some(b.title.value.clone()),
            Some(idx),
        ) {
            self.plan.budgets.push(ir::Budget {
                name: b.name.name.clone(),
                title: b.title.value.clone(),
                owner: None,
                spend: None,
                per: ast::BudgetPer::Horizon,
                amounts: vec![],
                contingency: None,
                reallocation: None,
                span: b.name.span,
            });
        }
    }

    fn collect_trigger(
        &mut self,
        t: &ast::TriggerDecl,
        span: Span,
        doc: Option<String>,
        scope: Option<usize>,
    ) {
        let idx = self.plan.triggers.len();
        if self.define(
            &t.name,
            SymbolKind::Trigger,
            span,
            doc,
            Some(t.title.value.clone()),
            Some(idx),
        ) {
            self.plan.triggers.push(ir::Trigger {
                name: t.name.name.clone(),
                title: t.title.value.clone(),
                when: err_expr(t.name.span),
                for_months: 1,
                steps: vec![],
                owner: None,
                scope,
                span: t.name.span,
            });
        }
    }

    fn collect_item(
        &mut self,
        item: &ast::ItemDecl,
        initiative: Option<(&str, usize)>,
        span: Span,
        doc: Option<String>,
    ) {
        let full = match initiative {
            Some((ini, _)) => format!("{ini}.{}", item.name.name),
            None => item.name.name.clone(),
        };
        let kind = match item.kind {
            ast::ItemKind::Driver => SymbolKind::Driver,
            ast::ItemKind::Metric => SymbolKind::Metric,
        };
        let ident = ast::Ident {
            name: full.clone(),
            span: item.name.span,
        };
        if !item.by.is_empty() {
            self.collect_dim_item(item, &ident, kind, initiative, span, doc);
            return;
        }
        let idx = self.plan.items.len();
        if self.define(&ident, kind, span, doc.clone(), None, Some(idx)) {
            self.push_item(item, full, initiative, span, doc, None);
        }
    }

    /// The plan declaration: name, currency, horizon, base scenario.
    fn plan_header(&mut self, files: &[ParsedFile]) {
        let Some(p) = self.entry_plan(files) else {
            self.default_scenarios(None);
            return;
        };
        self.plan.name = p.name.name.clone();
        self.plan.title = p
            .title
            .as_ref()
            .map(|t| t.value.clone())
            .unwrap_or_default();
        self.plan_currency(p);
        self.plan_fiscal_year(p);
        self.plan_horizon(p);
        self.plan_odds(p);
        if let Some(t) = &p.actuals_through {
            self.plan.actuals_through = Some((t.kind.last_month() - self.plan.start, t.span));
        }
        self.default_scenarios(p.base.as_ref());
    }

    /// The entry file's `plan` declaration. A plan in an imported file, a second plan
    /// and a missing plan are errors; until a horizon is read it is the 12 months of 2026.
    fn entry_plan<'f>(&mut self, files: &'f [ParsedFile]) -> Option<&'f ast::PlanDecl> {
        let plans: Vec<(&ParsedFile, &ast::Decl, &ast::PlanDecl)> = all_decls(files)
            .filter_map(|(f, d)| match &d.kind {
                DeclKind::Plan(p) => Some((f, d, p)),
                _ => None,
            })
            .collect();
        let entry_plans: Vec<_> = plans.iter().filter(|p| p.0.entry).collect();
        for extra in plans.iter().filter(|p| !p.0.entry) {
            self.diags.push(
                Diagnostic::error(
                    Code::InvalidPlan,
                    extra.2.name.span,
                    "an imported file declares a plan",
                )
                .with_help("only the entry file has a `plan` declaration; remove this one"),
            );
        }
        for extra in entry_plans.iter().skip(1) {
            self.diags.push(
                Diagnostic::error(
                    Code::InvalidPlan,
                    extra.2.name.span,
                    "a file may declare only one plan",
                )
                .with_help("keep one `plan` declaration per entry file"),
            );
        }
        self.plan.start = 2026 * 12;
        self.plan.len = 12;
        let Some((_, _, p)) = entry_plans.first().map(|x| **x) else {
            let span = files
                .iter()
                .find(|f| f.entry)
                .map(|f| Span::new(f.file, 0, 0))
                .unwrap_or_default();
            self.diags.push(
                Diagnostic::error(Code::InvalidPlan, span, "this file has no `plan` declaration")
                    .about(Subject::NoPlanDeclaration)
                    .with_help("start the entry file with `plan NAME \"Title\" { currency USD  periods 2026-01 .. 2026-12  base base }`"),
            );
            return None;
        };
        Some(p)
    }

    /// `currency CODE`: an ISO 4217 code; an unknown one is an error and the plan falls
    /// back to USD, as it does when the statement is missing.
    fn plan_currency(&mut self, p: &ast::PlanDecl) {
        match &p.currency {
            Some(c) if crate::units::is_currency(&c.name) => self.plan.currency = c.name.clone(),
            Some(c) => {
                let d = Diagnostic::error(
                    Code::UnknownUnit,
                    c.span,
                    format!("`{}` is not a currency code", c.name),
                );
                self.diags.push(
                    match closest(&c.name, crate::units::CURRENCIES.iter().copied()) {
                        Some(s) => d.with_suggestion(s),
                        None => d.with_help("use an ISO 4217 code such as USD, EUR or GBP"),
                    },
                );
                self.plan.currency = "USD".into();
            }
            None => self.plan.currency = "USD".into(),
        }
    }

    /// `fiscal year starts MONTH [named by start]`.
    fn plan_fiscal_year(&mut self, p: &ast::PlanDecl) {
        if let Some((m, by_start)) = &p.fiscal {
            match crate::calendar::parse_month(&m.name) {
                Some(month) => {
                    self.plan.fiscal_start = Some(month);
                    self.plan.fiscal_named_by_start = *by_start;
                }
                None => self.diags.push(
                    Diagnostic::error(
                        Code::InvalidPlan,
                        m.span,
                        format!("`{}` is not a month", m.name),
                    )
                    .with_help("write a month's name, for example `fiscal year starts February` (or `feb`)"),
                ),
            }
        }
    }

    /// `periods A .. B`: the horizon's start, granularity and length, when both ends
    /// are alike, in order and within `MAX_HORIZON` months.
    fn plan_horizon(&mut self, p: &ast::PlanDecl) {
        match &p.periods {
            Some((a, b)) => {
                let fiscal = crate::calendar::fiscal(&self.plan);
                let s = a.kind.first_month_in(fiscal);
                let e = b.kind.last_month_in(fiscal);
                let months = a.kind.months();
                if months != b.kind.months() {
                    self.diags.push(
                        Diagnostic::error(
                            Code::BadHorizon,
                            a.span.to(b.span),
                            format!(
                                "the horizon starts with {} and ends with {}: both ends must be months, quarters or years",
                                granularity_noun(a.kind),
                                granularity_noun(b.kind)
                            ),
                        )
                        .with_help(format!(
                            "write both ends alike: `periods {} .. {}`",
                            a.kind,
                            same_granularity(a.kind, b.kind)
                        )),
                    );
                } else if e < s {
                    self.diags.push(
                        Diagnostic::error(
                            Code::BadHorizon,
                            b.span,
                            format!(
                                "the horizon ends ({}) before it starts ({})",
                                b.kind, a.kind
                            ),
                        )
                        .with_help(format!(
                            "write the earlier period first: `periods {} .. {}`",
                            b.kind, a.kind
                        )),
                    );
                } else if e - s + 1 > MAX_HORIZON {
                    self.diags.push(
                        Diagnostic::error(
                            Code::LimitExceeded,
                            a.span.to(b.span),
                            format!(
                                "the horizon has {} months; Plumb accepts at most {MAX_HORIZON}",
                                e - s + 1
                            ),
                        )
                        .with_help("plan a shorter horizon, for example one or a few fiscal years"),
                    );
                } else {
                    self.plan.start = s;
                    self.plan.period_months = months;
                    self.plan.len = ((e - s + 1) / months) as usize;
                    self.horizon_known = true;
                }
            }
            None => self.diags.push(
                Diagnostic::error(Code::InvalidPlan, p.name.span, "the plan has no `periods`")
                    .with_help("add `periods 2026-01 .. 2026-12` inside the plan block"),
            ),
        }
    }

    /// `odds LO to HI`: the probability band reported for simulations.
    fn plan_odds(&mut self, p: &ast::PlanDecl) {
        if let Some((lo, hi, lo_text, hi_text, span)) = &p.odds {
            if lo > hi || *hi > rust_decimal::Decimal::ONE {
                self.diags.push(
                    Diagnostic::error(
                        Code::InvalidPlan,
                        *span,
                        format!(
                            "the odds band {lo_text} to {hi_text} is not a band of probabilities"
                        ),
                    )
                    .with_help(
                        "write the lower probability first, both at most 100%: `odds 35% to 65%`",
                    ),
                );
            } else {
                self.plan.odds = Some((*lo, *hi));
            }
        }
    }

    /// Fixes the base scenario, creating an implicit one when none is declared.
    fn default_scenarios(&mut self, base: Option<&ast::Ident>) {
        let wanted = base.map(|b| b.name.as_str()).unwrap_or("base");
        if self.plan.scenarios.is_empty() {
            self.plan.scenarios.push(ir::Scenario {
                name: wanted.to_string(),
                title: "Base case".into(),
                parent: None,
                overrides: vec![],
                span: base.map(|b| b.span).unwrap_or_default(),
            });
            self.plan.base = 0;
            return;
        }
        match self.plan.scenario(wanted) {
            Some(i) => {
                self.plan.base = i;
                if let (Some(b), Some(sym)) = (base, self.names.get(wanted).copied()) {
                    self.reference(b.span, sym.def);
                }
            }
            None => {
                let names: Vec<String> =
                    self.plan.scenarios.iter().map(|s| s.name.clone()).collect();
                let span = base.map(|b| b.span).unwrap_or_else(|| {
                    self.plan
                        .scenarios
                        .first()
                        .map(|s| s.span)
                        .unwrap_or_default()
                });
                let d = Diagnostic::error(
                    Code::UndefinedName,
                    span,
                    format!("the base scenario `{wanted}` is not declared"),
                );
                self.diags
                    .push(match closest(wanted, names.iter().map(String::as_str)) {
                        Some(s) => d.with_suggestion(s),
                        None => d.with_help(format!(
                            "declare `scenario {wanted} \"Base case\" {{}}` or name one of: {}",
                            names.join(", ")
                        )),
                    });
                self.plan.base = 0;
            }
        }
    }

    fn party(&mut self, id: &ast::Ident) -> Option<Party> {
        match self.names.get(&id.name).copied() {
            Some(Sym {
                kind: SymbolKind::Department,
                def,
            }) => {
                self.reference(id.span, def);
                self.symbols
                    .defs
                    .get(def)
                    .and_then(|d| d.index)
                    .map(Party::Department)
            }
            Some(Sym {
                kind: SymbolKind::Role,
                def,
            }) => {
                self.reference(id.span, def);
                self.symbols
                    .defs
                    .get(def)
                    .and_then(|d| d.index)
                    .map(Party::Role)
            }
            other => {
                let parties: Vec<String> = self
                    .names
                    .iter()
                    .filter(|(_, s)| matches!(s.kind, SymbolKind::Department | SymbolKind::Role))
                    .map(|(n, _)| n.clone())
                    .collect();
                let msg = match other {
                    Some(s) => format!(
                        "`{}` is a {}, not a department or role",
                        id.name,
                        s.kind.as_str()
                    ),
                    None => format!("no department or role is named `{}`", id.name),
                };
                let suggested = closest(&id.name, parties.iter().map(String::as_str))
                    .or_else(|| party_by_part(&id.name, &parties));
                let d = Diagnostic::error(Code::UndefinedName, id.span, msg)
                    .with_label(crate::check::causes::PARTY_LABEL)
                    .about(Subject::UndeclaredParty);
                self.diags.push(match suggested {
                    Some(s) => d.with_suggestion(s),
                    None => d.with_help(format!(
                        "declare it: `department {} \"…\"` or `role {} \"…\"`",
                        id.name, id.name
                    )),
                });
                None
            }
        }
    }

    fn lookup_kind(&mut self, id: &ast::Ident, kind: SymbolKind) -> Option<usize> {
        match self.names.get(&id.name).copied() {
            Some(s) if s.kind == kind => {
                self.reference(id.span, s.def);
                self.symbols.defs.get(s.def).and_then(|d| d.index)
            }
            other => {
                let candidates: Vec<&str> = if self.suggestions.get() < MAX_SUGGESTIONS {
                    self.names
                        .iter()
                        .filter(|(_, s)| s.kind == kind)
                        .map(|(n, _)| n.as_str())
                        .collect()
                } else {
                    Vec::new()
                };
                let msg = match other {
                    Some(s) => format!(
                        "`{}` is a {}, not a {}",
                        id.name,
                        s.kind.as_str(),
                        kind.as_str()
                    ),
                    None => format!("no {} is named `{}`", kind.as_str(), id.name),
                };
                let mut d = Diagnostic::error(Code::UndefinedName, id.span, msg);
                if let Some(s) = self.suggest(&id.name, &candidates) {
                    d = d.with_suggestion(s);
                }
                if other.is_none() && kind == SymbolKind::Objective {
                    d = d.about(Subject::NoSuchObjective);
                }
                self.diags.push(d);
                None
            }
        }
    }

    /// The closest of `candidates` to `word`, while the search budget lasts.
    fn suggest(&self, word: &str, candidates: &[&str]) -> Option<String> {
        if self.suggestions.get() >= MAX_SUGGESTIONS {
            return None;
        }
        self.suggestions.set(self.suggestions.get() + 1);
        closest(word, candidates.iter().copied()).map(str::to_string)
    }

    fn term(&mut self, id: &ast::Ident) -> Option<usize> {
        match self.terms.get(&id.name).copied() {
            Some(def) => {
                self.reference(id.span, def);
                self.symbols.defs.get(def).and_then(|d| d.index)
            }
            None => {
                let names: Vec<String> = self.terms.keys().cloned().collect();
                let d = Diagnostic::error(
                    Code::UndefinedName,
                    id.span,
                    format!("no term `{}` in the glossary", id.name),
                );
                self.diags
                    .push(match closest(&id.name, names.iter().map(String::as_str)) {
                        Some(s) => d.with_suggestion(s),
                        None => d.with_help(format!(
                            "define it in the glossary: `term {} \"…\"`",
                            id.name
                        )),
                    });
                None
            }
        }
    }

    /// Resolves a unit expression; unknown names are `unknown-unit`.
    pub(crate) fn unit(&mut self, u: &ast::UnitExpr) -> Option<Unit> {
        let mut acc = self.unit_atom(&u.first)?;
        for (mul, atom) in &u.rest {
            let x = self.unit_atom(atom)?;
            acc = if *mul { acc.mul(&x) } else { acc.div(&x) };
        }
        Some(acc)
    }

    fn unit_atom(&mut self, a: &ast::UnitAtom) -> Option<Unit> {
        match a {
            ast::UnitAtom::Percent(_) => Some(Unit::percent()),
            ast::UnitAtom::One(_) => Some(Unit::dimensionless()),
            ast::UnitAtom::Group(g) => self.unit(g),
            ast::UnitAtom::Name(n) => {
                if crate::units::is_currency(&n.name)
                    || crate::units::TIME_WORDS.contains(&n.name.as_str())
                {
                    return Some(Unit::named(&n.name));
                }
                if let Some(&def) = self.units.get(&n.name) {
                    self.reference(n.span, def);
                    return Some(Unit::named(&n.name));
                }
                let mut known: Vec<String> = self.units.keys().cloned().collect();
                known.extend(crate::units::CURRENCIES.iter().map(|s| s.to_string()));
                known.extend(crate::units::TIME_WORDS.iter().map(|s| s.to_string()));
                let singular = n.name.strip_suffix('s').filter(|s| {
                    self.units.contains_key(*s) || crate::units::TIME_WORDS.contains(s)
                });
                let near = closest(&n.name, known.iter().map(String::as_str));
                // The rest of the plan is checked as if the likely fix were made
                // (the unit meant, or the unit declared), so its uses do not fail
                // again.
                let assumed = Unit::named(singular.or(near).unwrap_or(&n.name));
                let d = Diagnostic::error(
                    Code::UnknownUnit,
                    n.span,
                    format!("unknown unit `{}`", n.name),
                )
                .with_label("not a declared unit, a currency or a time word");
                self.diags.push(match (singular, near) {
                    (Some(s), _) => {
                        d.with_suggestion_worded(s, |s| format!("units are singular: write {s}"))
                    }
                    (None, Some(s)) => d.with_suggestion_worded(s, |s| {
                        format!("did you mean {s}? Otherwise declare it: `unit {}`", n.name)
                    }),
                    (None, None) => d
                        .with_help(format!("declare it: `unit {}`", n.name))
                        .about(Subject::UndeclaredUnit(n.name.clone())),
                });
                Some(assumed)
            }
        }
    }

    /// `N months|quarters|years|periods` as a count of the plan's periods: a
    /// coarser word counts its months in a monthly plan (`1 quarter` = 3); a
    /// word finer than the plan is `unit-mismatch`.
    fn count_periods(&mut self, n: u32, word: ast::PeriodWord, span: Span) -> u32 {
        let mpp = self.plan.months_per_period();
        match word.months() {
            None => n,
            Some(w) if w < mpp => {
                let g = crate::calendar::granularity_word(&self.plan);
                let plan_word = if mpp == 3 {
                    ast::PeriodWord::Quarter
                } else {
                    ast::PeriodWord::Year
                };
                self.diags.push(
                    Diagnostic::error(
                        Code::UnitMismatch,
                        span,
                        format!(
                            "`{n} {}` is finer than this {g} plan's periods",
                            word.word(n)
                        ),
                    )
                    .with_label(format!("this plan counts in {}", plan_word.word(2)))
                    .with_help(format!(
                        "this plan is {g}: count in {} or periods, for example `1 {}`",
                        plan_word.word(2),
                        plan_word.word(1)
                    )),
                );
                n
            }
            Some(w) => n.saturating_mul(u32::try_from(w / mpp).unwrap_or(1)),
        }
    }

    /// The index of the plan period a period literal starts in (a quarter or
    /// year where one period is meant: its first period).
    fn period_index(&mut self, p: &ast::Period) -> i64 {
        self.check_granularity(p);
        self.first_index(p.kind)
    }

    /// Index of the plan period holding `k`'s first month.
    fn first_index(&self, k: PeriodKind) -> i64 {
        self.plan
            .index_of_month(k.first_month_in(crate::calendar::fiscal(&self.plan)))
    }

    /// Index of the plan period holding `k`'s last month.
    fn last_index(&self, k: PeriodKind) -> i64 {
        self.plan
            .index_of_month(k.last_month_in(crate::calendar::fiscal(&self.plan)))
    }

    /// A period literal finer than the plan (`2027-02` in a quarterly plan), or
    /// one that does not line up with the plan's periods, is
    /// `period-out-of-horizon` with a help naming the plan's granularity.
    fn check_granularity(&mut self, p: &ast::Period) -> bool {
        let mpp = self.plan.months_per_period();
        if !self.horizon_known || mpp == 1 {
            return true;
        }
        let first = p.kind.first_month_in(crate::calendar::fiscal(&self.plan));
        let finer = p.kind.months() < mpp;
        let aligned = (first - self.plan.start).rem_euclid(mpp) == 0;
        if !finer && aligned {
            return true;
        }
        if !self.granularity_reported.contains(&p.span) {
            self.granularity_reported.push(p.span);
            let word = crate::calendar::granularity_word(&self.plan);
            let (msg, label) = if finer {
                (
                    format!(
                        "{} is finer than the plan's periods: this plan is {word}",
                        p.kind
                    ),
                    format!("{} in a {word} plan", granularity_noun(p.kind)),
                )
            } else {
                (
                    format!("{} does not line up with the plan's {word} periods", p.kind),
                    "straddles two of the plan's periods".to_string(),
                )
            };
            self.diags.push(
                Diagnostic::error(Code::PeriodOutOfHorizon, p.span, msg)
                    .with_label(label)
                    .with_help(format!(
                        "this plan is {word}: write one of its periods, such as `{}`",
                        crate::calendar::example_period(&self.plan)
                    )),
            );
        }
        false
    }

    fn check_in_horizon(&mut self, p: &ast::Period, what: &str) -> bool {
        if !self.horizon_known {
            return true;
        }
        if !self.check_granularity(p) {
            return false;
        }
        let s = self.first_index(p.kind);
        let e = self.last_index(p.kind);
        if s < 0 || e >= self.plan.len as i64 {
            self.diags.push(
                Diagnostic::error(
                    Code::PeriodOutOfHorizon,
                    p.span,
                    format!(
                        "{what} {} is outside the plan's horizon {} .. {}",
                        p.kind,
                        self.plan.period_label(0),
                        self.plan.period_label(self.plan.len as i64 - 1)
                    ),
                )
                .with_help("use a period inside the horizon, or widen `periods` in the plan"),
            );
            return false;
        }
        true
    }

    /// Pass 2: every body.
    fn bodies(&mut self, files: &'a [ParsedFile]) {
        for (_, decl) in all_decls(files) {
            match &decl.kind {
                DeclKind::Item(item) => self.item_body(item, None),
                DeclKind::Role {
                    name,
                    department: Some(d),
                    ..
                } => {
                    let dep = self.lookup_kind(d, SymbolKind::Department);
                    if let Some(r) = self.plan.roles.iter_mut().find(|r| r.name == name.name) {
                        r.department = dep;
                    }
                }
                DeclKind::Fn { name, params, body } => self.fn_body(name, params, body),
                DeclKind::Objective(o) => self.objective(o),
                DeclKind::Assumption(a) => self.assumption(a),
                DeclKind::Dependency(d) => {
                    let owner = d.owner.as_ref().and_then(|o| self.party(o));
                    let due = d.due.map(|p| (self.last_index(p.kind), p.kind.to_string()));
                    let done = d
                        .done
                        .map(|p| (self.last_index(p.kind), p.kind.to_string()));
                    if let Some(x) = self
                        .plan
                        .dependencies
                        .iter_mut()
                        .find(|x| x.name == d.name.name)
                    {
                        x.owner = owner;
                        x.due = due;
                        x.done = done;
                    }
                }
                DeclKind::Risk(rk) => {
                    let owner = rk.owner.as_ref().and_then(|o| self.party(o));
                    let reviewed = rk
                        .reviewed
                        .iter()
                        .max_by_key(|p| p.kind.last_month())
                        .map(|p| (p.kind.last_month() - self.plan.start, p.kind.to_string()));
                    if let Some(x) = self.plan.risks.iter_mut().find(|x| x.name == rk.name.name) {
                        x.owner = owner;
                        x.reviewed = reviewed;
                    }
                }
                DeclKind::Request(rq) => self.request(rq),
                DeclKind::Raci(rc) => {
                    let mut lists: [Vec<Party>; 4] = Default::default();
                    for (i, l) in [
                        &rc.responsible,
                        &rc.accountable,
                        &rc.consulted,
                        &rc.informed,
                    ]
                    .iter()
                    .enumerate()
                    {
                        for p in l.iter() {
                            if let (Some(party), Some(slot)) = (self.party(p), lists.get_mut(i)) {
                                slot.push(party);
                            }
                        }
                    }
                    if let Some(x) = self.plan.raci.iter_mut().find(|x| x.name == rc.name.name) {
                        let [r, a, c, i] = lists;
                        x.responsible = r;
                        x.accountable = a;
                        x.consulted = c;
                        x.informed = i;
                    }
                }
                DeclKind::Initiative(ini) => {
                    let owner = ini.owner.as_ref().and_then(|o| self.party(o));
                    let start = ini.start.map(|p| self.period_index(&p));
                    if let Some(x) = self
                        .plan
                        .initiatives
                        .iter_mut()
                        .find(|x| x.name == ini.name.name)
                    {
                        x.owner = owner;
                        x.start = start;
                    }
                    for (m, _, _) in &ini.members {
                        self.item_body(m, Some(&ini.name.name));
                    }
                }
                DeclKind::Scenario(sc) => self.scenario(sc),
                DeclKind::Trigger(t) => self.trigger(t),
                DeclKind::Budget(b) => self.budget(b),
                DeclKind::Correlate(c) => self.correlate(c, decl.span),
                _ => {}
            }
        }
        self.scenario_parents();
    }

    fn item_body(&mut self, item: &ast::ItemDecl, initiative: Option<&str>) {
        let full = match initiative {
            Some(i) => format!("{i}.{}", item.name.name),
            None => item.name.name.clone(),
        };
        // Through the name table: a linear `Plan::item` here is quadratic in big plans.
        let Some(id) = self
            .names
            .get(&full)
            .filter(|s| matches!(s.kind, SymbolKind::Driver | SymbolKind::Metric))
            .and_then(|s| self.symbols.defs.get(s.def))
            .and_then(|d| d.index)
        else {
            return;
        };
        if self.plan.items.get(id).map(|i| i.name_span) != Some(item.name.span) {
            return; // a duplicate: the first declaration wins
        }
        if let Some(g) = self.plan.items.get(id).and_then(|i| i.group) {
            self.dim_item_body(item, g, initiative);
            return;
        }

        let scope = Scope {
            initiative,
            ..Scope::default()
        };
        // `by` whose dimensions did not resolve (reported): the formula stays an
        // error, without follow-on diagnostics.
        let expr = if item.by.is_empty() {
            self.expr(&item.expr, &scope)
        } else {
            err_expr(item.expr.span)
        };
        let unit = item.unit.as_ref().and_then(|u| self.unit(u));
        let owner = item.owner.as_ref().and_then(|o| self.party(o));
        let means = item.means.as_ref().and_then(|m| self.term(m));
        let range = item
            .range
            .as_ref()
            .map(|(lo, hi)| (self.expr(lo, &scope), self.expr(hi, &scope)));
        if let (Some((lo, hi)), ast::ItemKind::Metric) = (&item.range, item.kind) {
            self.diags.push(
                Diagnostic::error(
                    Code::TypeMismatch,
                    lo.span.to(hi.span),
                    format!("`{}` is a metric; only a driver can have a range", full),
                )
                .with_label("a range on a metric")
                .with_help("give the range to the drivers it is computed from, or declare it as a `driver`"),
            );
        }
        if let Some(it) = self.plan.items.get_mut(id) {
            it.expr = expr;
            if let Some(u) = unit {
                it.unit = u;
            } else if item.unit.is_some() {
                it.unit_declared = false;
            }
            it.owner = owner;
            it.means = means;
            it.range = range;
            it.range_shape = item.range_shape;
        }
    }

    fn fn_body(&mut self, name: &ast::Ident, params: &[ast::Ident], body: &ast::Expr) {
        // Check the body once on its own, so mistakes show even when it is never called.
        let mut bound = HashMap::new();
        for p in params {
            bound.insert(
                p.name.clone(),
                ir::Expr {
                    kind: ir::ExprKind::Const(rust_decimal::Decimal::ONE, None),
                    span: p.span,
                },
            );
        }
        let scope = Scope {
            params: Some(&bound),
            ..Scope::default()
        };
        self.fn_stack.push(name.name.clone());
        let _ = self.expr(body, &scope);
        self.fn_stack.pop();
    }

    fn condition_text(&self, e: &ast::Expr) -> String {
        let t = (self.source_text)(e.span);
        t.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    fn objective(&mut self, o: &ast::ObjectiveDecl) {
        let owner = o.owner.as_ref().and_then(|p| self.party(p));
        let supports: Vec<usize> = o
            .supports
            .iter()
            .filter_map(|s| self.lookup_kind(s, SymbolKind::Objective))
            .collect();
        let mut targets: Vec<ir::Target> = Vec::new();
        for t in &o.targets {
            let text = self.condition_text(t);
            for (expr, member) in self.per_member(t) {
                let text = match member {
                    Some(m) => format!("{text} [{m}]"),
                    None => text.clone(),
                };
                targets.push(ir::Target { expr, text });
            }
        }
        if let Some(x) = self
            .plan
            .objectives
            .iter_mut()
            .find(|x| x.name == o.name.name)
        {
            x.owner = owner;
            x.supports = supports;
            x.targets = targets;
        }
    }

    fn assumption(&mut self, a: &ast::AssumptionDecl) {
        let mut changes = Vec::new();
        for c in &a.changes {
            let Some(item) = self.value_name(&c.driver, &Scope::default()) else {
                continue;
            };
            self.check_in_horizon(&c.by, "the period");
            changes.push(ir::Change {
                item,
                from: self.expr(&c.from, &Scope::default()),
                to: self.expr(&c.to, &Scope::default()),
                from_step: literal_step(&c.from),
                to_step: literal_step(&c.to),
                by: self.last_index(c.by.kind),
                by_label: c.by.kind.to_string(),
                span: c.span,
            });
        }
        let mut maintains = Vec::new();
        for m in &a.maintains {
            let text = self.condition_text(m);
            for (expr, member) in self.per_member(m) {
                let text = match member {
                    Some(x) => format!("{text} [{x}]"),
                    None => text.clone(),
                };
                maintains.push((expr, text));
            }
        }
        let counterbalances = a
            .counterbalances
            .iter()
            .filter_map(|c| self.lookup_kind(c, SymbolKind::Assumption))
            .collect();
        let depends_on = a
            .depends_on
            .iter()
            .filter_map(|d| {
                self.lookup_kind(d, SymbolKind::Dependency)
                    .map(|i| (i, d.span))
            })
            .collect();
        let indicators = a
            .indicators
            .iter()
            .filter_map(|i| self.value_name(i, &Scope::default()))
            .collect();
        let owner = a.owner.as_ref().and_then(|p| self.party(p));
        if let Some(x) = self
            .plan
            .assumptions
            .iter_mut()
            .find(|x| x.name == a.name.name)
        {
            x.changes = changes;
            x.maintains = maintains;
            x.counterbalances = counterbalances;
            x.depends_on = depends_on;
            x.indicators = indicators;
            x.owner = owner;
        }
    }

    fn request(&mut self, rq: &ast::RequestDecl) {
        let from = rq
            .from
            .as_ref()
            .and_then(|d| self.lookup_kind(d, SymbolKind::Department));
        let ask = rq
            .ask
            .as_ref()
            .map(|e| (self.expr(e, &Scope::default()), self.condition_text(e)));
        let mut grant = None;
        let mut grant_members = Vec::new();
        if let Some(e) = &rq.grant {
            let text = self.condition_text(e);
            for (expr, member) in self.per_member(e) {
                match member {
                    Some(m) => grant_members.push((expr, format!("{text} [{m}]"))),
                    None => grant = Some((expr, text.clone())),
                }
            }
        }
        let approved_by = rq
            .approved_by
            .iter()
            .filter_map(|p| self.party(p))
            .collect();
        let (draws, reallocations) = self.moves(rq);
        let cost = rq
            .cost
            .as_ref()
            .map(|e| (self.expr(e, &Scope::default()), self.condition_text(e)));
        let ret = rq
            .ret
            .as_ref()
            .map(|e| (self.expr(e, &Scope::default()), self.condition_text(e)));
        let supports = rq
            .supports
            .iter()
            .filter_map(|s| self.lookup_kind(s, SymbolKind::Objective))
            .collect();
        if let Some(x) = self
            .plan
            .requests
            .iter_mut()
            .find(|x| x.name == rq.name.name)
        {
            x.from = from;
            x.ask = ask;
            x.grant = grant;
            x.approved_by = approved_by;
            x.draws = draws;
            x.reallocations = reallocations;
            x.cost = cost;
            x.ret = ret;
            x.supports = supports;
            x.grant_members = grant_members;
        }
    }

    fn scenario(&mut self, sc: &ast::ScenarioDecl) {
        let Some(sid) = self.plan.scenario(&sc.name.name) else {
            return;
        };
        if self.plan.scenarios.get(sid).map(|s| s.span) != Some(sc.name.span) {
            return;
        }
        let mut overrides = Vec::new();
        for o in &sc.overrides {
            let Some(item) = self.override_target(&o.target) else {
                continue;
            };
            let Some(targets) = self.override_members(item, &o.target, &o.members) else {
                continue;
            };
            let from = match &o.from {
                Some(p) => {
                    self.check_in_horizon(p, "the period");
                    self.period_index(p).max(0)
                }
                None => 0,
            };
            for (item, ctx) in targets {
                let scope = Scope {
                    prior: Some(item),
                    members: (!ctx.is_empty()).then_some(ctx.as_slice()),
                    ..Scope::default()
                };
                let expr = self.expr(&o.expr, &scope);
                let range = o
                    .range
                    .as_ref()
                    .map(|(lo, hi)| (self.expr(lo, &scope), self.expr(hi, &scope)));
                overrides.push(ir::Override {
                    item,
                    expr,
                    from,
                    span: o.span,
                    range,
                    range_shape: o.range_shape,
                });
            }
        }
        let parent = match &sc.extends {
            Some(p) => self.lookup_kind(p, SymbolKind::Scenario),
            None => None,
        };
        if let Some(s) = self.plan.scenarios.get_mut(sid) {
            s.overrides = overrides;
            s.parent = parent;
        }
        for (t, _, _) in &sc.triggers {
            self.trigger(t);
        }
    }

    /// `correlate A, B RHO`: two ranged drivers and a rank correlation in −1 .. 1.
    fn correlate(&mut self, c: &ast::CorrelateDecl, span: Span) {
        let a = self.correlated(&c.a);
        let b = self.correlated(&c.b);
        if c.rho.abs() > rust_decimal::Decimal::ONE {
            self.diags.push(
                Diagnostic::error(
                    Code::TypeMismatch,
                    c.rho_span,
                    format!(
                        "a rank correlation lies between -1 and 1, not {}",
                        c.rho_text
                    ),
                )
                .with_help(format!(
                    "write a correlation such as `correlate {}, {} 0.6`",
                    c.a.name, c.b.name
                )),
            );
            return;
        }
        if let (Some(a), Some(b)) = (a, b) {
            if a == b {
                self.diags.push(
                    Diagnostic::error(
                        Code::TypeMismatch,
                        c.b.span,
                        format!("`{}` is correlated with itself", c.b.name),
                    )
                    .with_help("name two different ranged drivers"),
                );
                return;
            }
            self.plan.correlations.push(ir::Correlation {
                a,
                b,
                rho: c.rho,
                span,
            });
        }
    }

    /// A name in `correlate`: a driver.
    fn correlated(&mut self, id: &ast::Ident) -> Option<ItemId> {
        let item = self.value_name(id, &Scope::default())?;
        let it = self.plan.items.get(item)?;
        if it.kind != ast::ItemKind::Driver {
            self.diags.push(
                Diagnostic::error(
                    Code::TypeMismatch,
                    id.span,
                    format!(
                        "`{}` is a metric; only ranged drivers can be correlated",
                        id.name
                    ),
                )
                .with_help("correlate the ranged drivers it is computed from"),
            );
            return None;
        }
        Some(item)
    }

    /// A scenario override or `set` target: must be a driver.
    fn override_target(&mut self, id: &ast::Ident) -> Option<ItemId> {
        let item = self.value_name(id, &Scope::default())?;
        // A dimensioned item: its members say what was declared.
        let declared = self
            .plan
            .dim_item(item)
            .and_then(|g| g.members.first())
            .map_or(item, |m| m.1);
        let it = self.plan.items.get(declared)?;
        if it.kind != ast::ItemKind::Driver {
            self.diags.push(
                Diagnostic::error(
                    Code::OverrideNotDriver,
                    id.span,
                    format!("`{}` is a metric; only drivers can be overridden", id.name),
                )
                .with_label("overridden here")
                .with_secondary(it.name_span, "declared as a metric here")
                .with_help("override the drivers it is computed from, or declare it as a `driver`"),
            );
            return None;
        }
        Some(item)
    }

    fn scenario_parents(&mut self) {
        // Done after all scenarios are known; `extends` is read back from the symbols.
        let base = self.plan.base;
        let n = self.plan.scenarios.len();
        for i in 0..n {
            if let Some(s) = self.plan.scenarios.get_mut(i) {
                if i == base {
                    if let Some(p) = s.parent.take() {
                        let _ = p;
                        let span = s.span;
                        self.diags.push(
                            Diagnostic::error(
                                Code::Cycle,
                                span,
                                format!(
                                    "the base scenario `{}` cannot extend another scenario",
                                    s.name
                                ),
                            )
                            .with_help("remove `extends` from the base scenario"),
                        );
                    }
                } else if s.parent.is_none() {
                    s.parent = Some(base);
                }
            }
        }
        // `extends` chains must end at base.
        for i in 0..n {
            let mut seen = vec![i];
            let mut cur = i;
            while let Some(p) = self.plan.scenarios.get(cur).and_then(|s| s.parent) {
                if seen.contains(&p) {
                    let names: Vec<String> = seen
                        .iter()
                        .chain(std::iter::once(&p))
                        .filter_map(|x| self.plan.scenarios.get(*x).map(|s| s.name.clone()))
                        .collect();
                    let span = self
                        .plan
                        .scenarios
                        .get(i)
                        .map(|s| s.span)
                        .unwrap_or_default();
                    self.diags.push(
                        Diagnostic::error(
                            Code::Cycle,
                            span,
                            format!(
                                "scenarios extend each other in a circle: {}",
                                names.join(" → ")
                            ),
                        )
                        .with_help("make one of them extend the base scenario"),
                    );
                    if let Some(s) = self.plan.scenarios.get_mut(i) {
                        s.parent = Some(base);
                    }
                    break;
                }
                seen.push(p);
                cur = p;
            }
        }
    }

    fn trigger(&mut self, t: &ast::TriggerDecl) {
        let Some(tid) = self
            .plan
            .triggers
            .iter()
            .position(|x| x.name == t.name.name && x.span == t.name.span)
        else {
            return;
        };
        let when = match &t.when {
            Some(w) => {
                self.in_when = true;
                let e = self.expr(w, &Scope::default());
                self.in_when = false;
                e
            }
            None => {
                self.diags.push(
                    Diagnostic::error(
                        Code::Syntax,
                        t.name.span,
                        format!("the trigger `{}` has no `when` condition", t.name.name),
                    )
                    .with_help("add a condition, for example `when revenue < 4M for 2 months`"),
                );
                err_expr(t.name.span)
            }
        };
        let for_months = match t.for_months {
            Some((0, span)) => {
                self.diags.push(
                    Diagnostic::error(Code::Syntax, span, "`for 0 months` can never hold")
                        .with_help("use `for 1 month` or leave `for` out"),
                );
                1
            }
            Some((n, span)) => {
                let (word, wspan) = t.for_unit.unwrap_or((ast::PeriodWord::Month, span));
                self.count_periods(n, word, wspan)
            }
            None => 1,
        };
        let mut steps = Vec::new();
        for st in &t.steps {
            if st.after == 0 {
                self.diags.push(
                    Diagnostic::error(
                        Code::Syntax,
                        st.after_span,
                        "a response takes effect at least 1 month after the trigger fires",
                    )
                    .with_help("write `after 1 month:`"),
                );
            }
            let mut actions = Vec::new();
            for (a, span) in &st.actions {
                match a {
                    ast::Action::Set(d, ms, e) => {
                        let Some(item) = self.override_target(d) else {
                            continue;
                        };
                        let Some(targets) = self.override_members(item, d, ms) else {
                            continue;
                        };
                        for (item, ctx) in targets {
                            let expr = self.expr(
                                e,
                                &Scope {
                                    prior: Some(item),
                                    members: (!ctx.is_empty()).then_some(ctx.as_slice()),
                                    ..Scope::default()
                                },
                            );
                            actions.push((ir::Action::Set(item, expr), *span));
                        }
                    }
                    ast::Action::Pause(i) => {
                        if let Some(ini) = self.lookup_kind(i, SymbolKind::Initiative) {
                            actions.push((ir::Action::Pause(ini), *span));
                        }
                    }
                }
            }
            let after = self.count_periods(st.after, st.unit.0, st.unit.1);
            steps.push(ir::Step {
                after: after.max(1),
                actions,
            });
        }
        let owner = t.owner.as_ref().and_then(|o| self.party(o));
        if let Some(x) = self.plan.triggers.get_mut(tid) {
            x.when = when;
            x.for_months = for_months;
            x.steps = steps;
            x.owner = owner;
        }
    }

    /// Resolves a name that must be a driver or metric.
    fn value_name(&mut self, id: &ast::Ident, scope: &Scope) -> Option<ItemId> {
        if let Some(ini) = scope.initiative {
            let full = format!("{ini}.{}", id.name);
            if let Some(s) = self.names.get(&full).copied() {
                if matches!(s.kind, SymbolKind::Driver | SymbolKind::Metric) {
                    self.reference(id.span, s.def);
                    return self.symbols.defs.get(s.def).and_then(|d| d.index);
                }
            }
        }
        match self.names.get(&id.name).copied() {
            Some(s) if matches!(s.kind, SymbolKind::Driver | SymbolKind::Metric) => {
                self.reference(id.span, s.def);
                self.symbols.defs.get(s.def).and_then(|d| d.index)
            }
            Some(s) => {
                self.diags.push(
                    Diagnostic::error(
                        Code::TypeMismatch,
                        id.span,
                        format!("`{}` is a {}, not a value", id.name, s.kind.as_str()),
                    )
                    .with_help(
                        "only drivers, metrics and function parameters can be used in a formula",
                    ),
                );
                None
            }
            None => {
                // Borrowed, not cloned and sorted: `closest` breaks ties by name, and
                // a plan with thousands of misspellings must not copy every name
                // for each of them.
                let mut candidates: Vec<&str> = Vec::new();
                if self.suggestions.get() < MAX_SUGGESTIONS {
                    candidates.extend(
                        self.names
                            .iter()
                            .filter(|(_, s)| {
                                matches!(s.kind, SymbolKind::Driver | SymbolKind::Metric)
                            })
                            .map(|(n, _)| n.as_str()),
                    );
                    if let Some(p) = scope.params {
                        candidates.extend(p.keys().map(String::as_str));
                    }
                }
                let mut d = Diagnostic::error(
                    Code::UndefinedName,
                    id.span,
                    format!("`{}` is not defined", id.name),
                )
                .with_label("no driver or metric has this name");
                if self.fn_names.contains_key(&id.name) {
                    d = d.with_help(format!(
                        "`{}` is a function: call it with its arguments, as in `{}(…)`",
                        id.name, id.name
                    ));
                } else if let Some(s) = self.suggest(&id.name, &candidates) {
                    d = d.with_suggestion(s);
                } else if self.units.contains_key(&id.name) || crate::units::is_currency(&id.name) {
                    d = d.with_help(format!(
                        "`{}` is a unit: write it after a number, as in `5 {}`",
                        id.name, id.name
                    ));
                } else {
                    d = d
                        .with_help(format!("declare it, for example `driver {} = 0`", id.name))
                        .about(Subject::UndeclaredValue);
                }
                self.diags.push(d);
                None
            }
        }
    }

    fn expr(&mut self, e: &ast::Expr, scope: &Scope) -> ir::Expr {
        let mut budget = MAX_EXPANDED_NODES;
        self.depth_reported = false;
        self.expr_b(e, scope, &mut budget)
    }

    /// Reports (once per formula) an expression nested too deep after inlining.
    fn too_deep(&mut self, span: Span) -> ir::Expr {
        if !self.depth_reported {
            self.depth_reported = true;
            self.diags.push(
                Diagnostic::error(
                    Code::LimitExceeded,
                    span,
                    format!(
                        "this formula nests more than {MAX_EXPANDED_DEPTH} levels deep once functions are inlined"
                    ),
                )
                .with_help("name intermediate results as metrics to flatten the formula"),
            );
        }
        ir::Expr {
            kind: ir::ExprKind::Error,
            span,
        }
    }

    fn expr_b(&mut self, e: &ast::Expr, scope: &Scope, budget: &mut usize) -> ir::Expr {
        if self.depth >= MAX_EXPANDED_DEPTH {
            return self.too_deep(scope.call_span.unwrap_or(e.span));
        }
        self.depth += 1;
        let out = crate::stack::guard(|| self.expr_node(e, scope, budget));
        self.depth -= 1;
        out
    }

    fn expr_node(&mut self, e: &ast::Expr, scope: &Scope, budget: &mut usize) -> ir::Expr {
        use ir::ExprKind as K;
        let span = scope.call_span.unwrap_or(e.span);
        if *budget == 0 {
            return ir::Expr {
                kind: K::Error,
                span,
            };
        }
        *budget -= 1;
        let kind = match &e.kind {
            ExprKind::Number { value, unit, .. } => {
                let u = unit.as_ref().and_then(|u| self.unit(u));
                K::Const(*value, u)
            }
            ExprKind::Period(p) => K::Period(self.period_index(p), p.kind),
            ExprKind::Range(a, b) => {
                self.check_granularity(a);
                self.check_granularity(b);
                K::Window(self.first_index(a.kind), self.last_index(b.kind))
            }
            ExprKind::Paren(inner) => return self.expr_b(inner, scope, budget),
            // The value of a declaration that did not parse (syntax::BROKEN_VALUE):
            // its syntax error is reported; it has no value and no unit.
            ExprKind::Name(id) if id.name.is_empty() => K::Error,
            ExprKind::Name(id) => return self.name_node(id, scope, span, budget),
            ExprKind::Member(id, members) => return self.member_ref(id, members, scope, span),
            ExprKind::Table(entries) => return self.table(entries, e.span, scope, budget),
            ExprKind::Unary(op, a) => {
                let inner = self.expr_b(a, scope, budget);
                match (op, inner.kind) {
                    // Fold `-5` into a constant so it can stand where a literal is needed.
                    (ast::UnOp::Neg, K::Const(v, u)) => K::Const(-v, u),
                    (_, kind) => K::Unary(
                        *op,
                        Box::new(ir::Expr {
                            kind,
                            span: inner.span,
                        }),
                    ),
                }
            }
            ExprKind::Binary(op, a, b) => K::Binary(
                *op,
                Box::new(self.expr_b(a, scope, budget)),
                Box::new(self.expr_b(b, scope, budget)),
            ),
            ExprKind::If(c, a, b) => K::If(
                Box::new(self.expr_b(c, scope, budget)),
                Box::new(self.expr_b(a, scope, budget)),
                Box::new(self.expr_b(b, scope, budget)),
            ),
            ExprKind::Step(entries) => self.step_node(entries, scope, budget),
            ExprKind::At(x, p) => {
                let inner = self.expr_b(x, scope, budget);
                if self.check_in_horizon(p, "the period") {
                    K::At(
                        Box::new(inner),
                        self.first_index(p.kind),
                        self.last_index(p.kind),
                    )
                } else {
                    K::Error
                }
            }
            ExprKind::Call(name, args) => return self.call(name, args, e.span, scope, budget),
        };
        ir::Expr { kind, span }
    }

    /// A name in an expression: a function's argument (copied in whole, its size and
    /// depth charged), the overridden item's own value without the override (in a
    /// scenario override), or an item.
    fn name_node(
        &mut self,
        id: &ast::Ident,
        scope: &Scope,
        span: Span,
        budget: &mut usize,
    ) -> ir::Expr {
        use ir::ExprKind as K;
        if let Some(p) = scope.params.and_then(|p| p.get(&id.name)) {
            // An argument is copied in whole: charge its size and depth.
            let (nodes, depth) = shape(p);
            if self.depth + depth > MAX_EXPANDED_DEPTH {
                return self.too_deep(span);
            }
            if nodes > *budget {
                *budget = 0;
                return ir::Expr {
                    kind: K::Error,
                    span,
                };
            }
            *budget -= nodes;
            return p.clone();
        }
        if let Some(prior) = scope.prior {
            if self.plan.items.get(prior).map(|i| i.name.as_str()) == Some(id.name.as_str()) {
                if let Some(s) = self.names.get(&id.name).copied() {
                    self.reference(id.span, s.def);
                }
                return ir::Expr {
                    kind: K::Prior(prior),
                    span,
                };
            }
        }
        match self.value_name(id, scope) {
            Some(i) => self.item_ref(i, id, scope, span),
            None => ir::Expr {
                kind: K::Error,
                span,
            },
        }
    }

    /// `step { PERIOD: VALUE … }`: each period once (a repeated one is an error), a
    /// warning for periods after the horizon, sorted by period.
    fn step_node(
        &mut self,
        entries: &[(ast::Period, ast::Expr)],
        scope: &Scope,
        budget: &mut usize,
    ) -> ir::ExprKind {
        let mut out: Vec<(i64, ir::Expr)> = Vec::with_capacity(entries.len());
        // Periods seen so far, sorted (entries are usually in order: a push).
        let mut seen: Vec<i64> = Vec::with_capacity(entries.len());
        for (p, v) in entries {
            let idx = self.period_index(p);
            let new = match seen.last() {
                Some(&last) if last >= idx => match seen.binary_search(&idx) {
                    Ok(_) => false,
                    Err(at) => {
                        seen.insert(at, idx);
                        true
                    }
                },
                _ => {
                    seen.push(idx);
                    true
                }
            };
            if !new {
                self.diags.push(
                    Diagnostic::error(
                        Code::Syntax,
                        p.span,
                        format!("{} appears twice in this step", p.kind),
                    )
                    .with_help("give each period one value"),
                );
                continue;
            }
            if self.horizon_known && idx >= self.plan.len as i64 {
                self.diags.push(
                    Diagnostic::warning(
                        Code::StepOutsideHorizon,
                        p.span,
                        format!(
                            "{} is after the horizon's end ({}): this step entry is never used",
                            p.kind,
                            self.plan.period_label(self.plan.len as i64 - 1)
                        ),
                    )
                    .with_label("after the last period")
                    .with_help("remove the entry, or widen `periods` in the plan to include it"),
                );
            }
            let value = match self.plain_number(v, scope, budget) {
                Some(c) => c,
                None => self.expr_b(v, scope, budget),
            };
            out.push((idx, value));
        }
        // Entries are usually written in order; sorting would allocate.
        if !out.is_sorted_by_key(|(i, _)| *i) {
            out.sort_by_key(|(i, _)| *i);
        }
        ir::ExprKind::Step(ir::StepBody::new(out))
    }

    /// A number literal without a unit (most step entries), resolved as
    /// [`Resolver::expr_b`] would resolve it, without its general dispatch; None
    /// for anything else, or when the depth or the node budget is spent (the
    /// general path reports that).
    fn plain_number(&self, v: &ast::Expr, scope: &Scope, budget: &mut usize) -> Option<ir::Expr> {
        match &v.kind {
            ExprKind::Number {
                value, unit: None, ..
            } if *budget > 0 && self.depth < MAX_EXPANDED_DEPTH => {
                *budget -= 1;
                Some(ir::Expr {
                    kind: ir::ExprKind::Const(*value, None),
                    span: scope.call_span.unwrap_or(v.span),
                })
            }
            _ => None,
        }
    }

    fn call(
        &mut self,
        name: &ast::Ident,
        args: &[ast::Expr],
        span: Span,
        scope: &Scope,
        budget: &mut usize,
    ) -> ir::Expr {
        use ir::ExprKind as K;
        let outer_span = scope.call_span.unwrap_or(span);
        let err = ir::Expr {
            kind: K::Error,
            span: outer_span,
        };
        if name.name == "total" {
            return self.total_call(name, args, span, scope, budget);
        }
        if name.name == "allocate" {
            return self.allocate_call(args, span, scope, budget);
        }
        if let Some((b, row)) = Builtin::named(&name.name) {
            return self.builtin_call(b, row, name, args, span, scope, budget);
        }
        // A user function: inline it.
        let Some(def) = self.fn_names.get(&name.name).copied() else {
            self.not_a_function(name, args, span, scope);
            return err;
        };
        self.reference(name.span, def);
        let Some((params, body)) = self.fns.get(&name.name).map(|f| (f.params, f.body)) else {
            return err;
        };
        if params.len() != args.len() {
            let sig = format!(
                "{}({})",
                name.name,
                params
                    .iter()
                    .map(|p| p.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            self.diags.push(
                Diagnostic::error(
                    Code::TypeMismatch,
                    span,
                    format!(
                        "`{}` takes {} argument{}, not {}",
                        name.name,
                        params.len(),
                        if params.len() == 1 { "" } else { "s" },
                        args.len()
                    ),
                )
                .with_help(format!("write `{sig}`")),
            );
            return err;
        }
        if self.fn_stack.contains(&name.name) {
            let mut names = self.fn_stack.clone();
            names.push(name.name.clone());
            self.diags.push(
                Diagnostic::error(
                    Code::Cycle,
                    name.span,
                    format!("functions call themselves: {}", names.join(" → ")),
                )
                .with_help(
                    "functions cannot be recursive; write the repetition with `prev` or `cumsum`",
                ),
            );
            return err;
        }
        if self.fn_stack.len() >= MAX_INLINE_DEPTH {
            self.diags.push(Diagnostic::error(
                Code::LimitExceeded,
                span,
                format!("functions nest more than {MAX_INLINE_DEPTH} calls deep"),
            ));
            return err;
        }
        let mut bound = HashMap::new();
        for (p, a) in params.iter().zip(args) {
            bound.insert(p.name.clone(), self.expr_b(a, scope, budget));
        }
        self.fn_stack.push(name.name.clone());
        let inner = Scope {
            initiative: None,
            params: Some(&bound),
            prior: None,
            call_span: Some(outer_span),
            members: scope.members,
            totals: scope.totals,
        };
        let out = self.expr_b(body, &inner, budget);
        self.fn_stack.pop();
        if *budget == 0 {
            self.diags.push(Diagnostic::error(Code::LimitExceeded, span, format!("this formula expands to more than {MAX_EXPANDED_NODES} operations once functions are inlined")));
            return err;
        }
        out
    }

    /// A call of a built-in: its arity (from the table), windows and periods
    /// in their places, and `min`/`max` over time told from per period.
    #[allow(clippy::too_many_arguments)]
    fn builtin_call(
        &mut self,
        mut b: Builtin,
        row: &crate::builtins::BuiltinFn,
        name: &ast::Ident,
        args: &[ast::Expr],
        span: Span,
        scope: &Scope,
        budget: &mut usize,
    ) -> ir::Expr {
        use ir::ExprKind as K;
        let outer_span = scope.call_span.unwrap_or(span);
        let (lo, hi, sig) = (row.min_args, row.max_args, row.signature);
        if args.len() < lo || args.len() > hi {
            let want = if lo == hi {
                format!("{lo}")
            } else if hi == usize::MAX {
                format!("at least {lo}")
            } else {
                format!("{lo} or {hi}")
            };
            self.diags.push(
                Diagnostic::error(
                    Code::TypeMismatch,
                    span,
                    format!(
                        "`{}` takes {want} argument{}, not {}",
                        name.name,
                        if want == "1" { "" } else { "s" },
                        args.len()
                    ),
                )
                .with_help(format!("write `{sig}`")),
            );
            return ir::Expr {
                kind: K::Error,
                span: outer_span,
            };
        }
        let mut ir_args: Vec<ir::Expr> = Vec::with_capacity(args.len());
        for (i, a) in args.iter().enumerate() {
            let window_pos = i == 1
                && matches!(
                    b,
                    Builtin::Sum
                        | Builtin::Avg
                        | Builtin::First
                        | Builtin::Last
                        | Builtin::Min
                        | Builtin::Max
                )
                && args.len() == 2;
            if window_pos {
                if let Some(w) = self.window(a) {
                    ir_args.push(w);
                    continue;
                }
            }
            // `ramp(a, b, 2027, 2031)`: a bare year is a period here.
            if b == Builtin::Ramp && i >= 2 {
                if let Some(p) = bare_year(a) {
                    let idx = self.period_index(&p);
                    ir_args.push(ir::Expr {
                        kind: K::Period(idx, p.kind),
                        span: a.span,
                    });
                    continue;
                }
            }
            ir_args.push(self.expr_b(a, scope, budget));
        }
        // min/max over time: one argument, or a series and a window.
        if matches!(b, Builtin::Min | Builtin::Max)
            && (ir_args.len() == 1
                || ir_args
                    .get(1)
                    .is_some_and(|a| matches!(a.kind, K::Window(..))))
        {
            b = if b == Builtin::Min {
                Builtin::MinOver
            } else {
                Builtin::MaxOver
            };
        }
        ir::Expr {
            kind: K::Call(b, ir_args),
            span: outer_span,
        }
    }

    /// The diagnostic for a call of a name that is not a function: a value, a
    /// misspelling, or a spreadsheet's `IF(c, a, b)`.
    fn not_a_function(&mut self, name: &ast::Ident, args: &[ast::Expr], span: Span, scope: &Scope) {
        if let Some(s) = self.names.get(&name.name).copied() {
            self.diags.push(
                Diagnostic::error(
                    Code::TypeMismatch,
                    name.span,
                    format!("`{}` is a {}, not a function", name.name, s.kind.as_str()),
                )
                .with_help(
                    "only built-ins, `fn` declarations and the standard library can be called",
                ),
            );
            return;
        }
        let mut cands: Vec<String> = self.fns.keys().cloned().collect();
        cands.extend(ir::BUILTIN_SIGNATURES.iter().map(|b| b.0.to_string()));
        cands.sort();
        let mut d = Diagnostic::error(
            Code::UndefinedName,
            name.span,
            format!("there is no function `{}`", name.name),
        );
        let spreadsheet_if = name.name.eq_ignore_ascii_case("if") && args.len() == 3;
        d = match closest(&name.name, cands.iter().map(String::as_str)) {
            _ if spreadsheet_if => {
                let arg = |i: usize| {
                    args.get(i)
                        .map(|a| (self.source_text)(a.span))
                        .unwrap_or_default()
                };
                let choice = format!("if {} then {} else {}", arg(0), arg(1), arg(2));
                let d = d.with_help(format!("a choice is written `{choice}`"));
                // Parenthesised, so the text around it keeps its meaning.
                match scope.call_span {
                    None => d.with_fix("Write `if … then … else …`", span, format!("({choice})")),
                    Some(_) => d,
                }
            }
            Some(s) => d.with_suggestion(s),
            None => d.with_help(
                "functions come from the built-ins, `fn` declarations and `import std.NAME`",
            ),
        };
        self.diags.push(d);
    }

    /// A window argument: a period, a range, or a bare year.
    fn window(&mut self, a: &ast::Expr) -> Option<ir::Expr> {
        let (s, e, span) = match &a.kind {
            ExprKind::Period(p) => {
                if !self.check_in_horizon(p, "the window") {
                    return Some(ir::Expr {
                        kind: ir::ExprKind::Error,
                        span: a.span,
                    });
                }
                (self.first_index(p.kind), self.last_index(p.kind), a.span)
            }
            ExprKind::Range(p, q) => {
                let ok = self.check_in_horizon(p, "the window start")
                    & self.check_in_horizon(q, "the window end");
                if !ok {
                    return Some(ir::Expr {
                        kind: ir::ExprKind::Error,
                        span: a.span,
                    });
                }
                (self.first_index(p.kind), self.last_index(q.kind), a.span)
            }
            ExprKind::Number {
                value,
                text,
                unit: None,
            } if text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit()) => {
                let y = i32::try_from(value.mantissa()).ok()?;
                let p = ast::Period {
                    kind: PeriodKind::Year(y),
                    span: a.span,
                };
                if !self.check_in_horizon(&p, "the window") {
                    return Some(ir::Expr {
                        kind: ir::ExprKind::Error,
                        span: a.span,
                    });
                }
                (self.first_index(p.kind), self.last_index(p.kind), a.span)
            }
            _ => return None,
        };
        Some(ir::Expr {
            kind: ir::ExprKind::Window(s, e),
            span,
        })
    }
}

/// Node count and depth of an expression, without recursion.
fn shape(e: &ir::Expr) -> (usize, usize) {
    use ir::ExprKind as K;
    let (mut nodes, mut deepest) = (0usize, 0usize);
    let mut stack = vec![(e, 1usize)];
    while let Some((e, d)) = stack.pop() {
        nodes += 1;
        deepest = deepest.max(d);
        match &e.kind {
            K::Unary(_, a) | K::At(a, _, _) => stack.push((a, d + 1)),
            K::Binary(_, a, b) => stack.extend([(&**a, d + 1), (&**b, d + 1)]),
            K::If(c, a, b) => stack.extend([(&**c, d + 1), (&**a, d + 1), (&**b, d + 1)]),
            K::Call(_, args) => stack.extend(args.iter().map(|a| (a, d + 1))),
            K::Step(entries) => stack.extend(entries.iter().map(|(_, v)| (v, d + 1))),
            _ => {}
        }
    }
    (nodes, deepest)
}

fn err_expr(span: Span) -> ir::Expr {
    ir::Expr {
        kind: ir::ExprKind::Error,
        span,
    }
}

trait DefaultPair {
    fn unwrap_or_default_pair(self) -> (Span, SymbolKind);
}

impl DefaultPair for Option<(Span, SymbolKind)> {
    fn unwrap_or_default_pair(self) -> (Span, SymbolKind) {
        self.unwrap_or((Span::default(), SymbolKind::Driver))
    }
}

/// A party whose name is a whole `_`-separated part of `word` (`cfo` for
/// `cfo_office`, `sales` for `team_sales`), the longest first; for did-you-mean
/// on owners, where people add a suffix to a department or role.
fn party_by_part<'a>(word: &str, parties: &'a [String]) -> Option<&'a str> {
    let parts: Vec<&str> = word.split('_').collect();
    parties
        .iter()
        .filter(|p| {
            let n = p.split('_').count();
            parts.windows(n).any(|w| w.join("_") == **p)
        })
        .max_by(|a, b| a.len().cmp(&b.len()).then_with(|| b.cmp(a)))
        .map(String::as_str)
}

/// A four-digit number without a unit, read as a year (`2027`).
fn bare_year(a: &ast::Expr) -> Option<ast::Period> {
    match &a.kind {
        ExprKind::Number {
            value,
            text,
            unit: None,
        } if text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit()) => {
            let y = i32::try_from(value.mantissa()).ok()?;
            Some(ast::Period {
                kind: PeriodKind::Year(y),
                span: a.span,
            })
        }
        _ => None,
    }
}

/// `a month`, `a quarter`, `a year` for messages.
fn granularity_noun(k: PeriodKind) -> &'static str {
    match k.months() {
        1 => "a month",
        3 => "a quarter",
        _ => "a year",
    }
}

/// `b` written in `a`'s granularity (for the `bad-horizon` help): its last
/// month, quarter or year.
fn same_granularity(a: PeriodKind, b: PeriodKind) -> PeriodKind {
    let last = b.last_month();
    let y = i32::try_from(last.div_euclid(12)).unwrap_or(0);
    let m = u32::try_from(last.rem_euclid(12)).unwrap_or(0);
    match a {
        PeriodKind::Month(..) => PeriodKind::Month(y, m + 1),
        PeriodKind::Quarter(..) | PeriodKind::FiscalQuarter(..) => {
            PeriodKind::Quarter(y, m / 3 + 1)
        }
        PeriodKind::Year(..) | PeriodKind::FiscalYear(..) => PeriodKind::Year(y),
    }
}

/// One unit of a number literal's last written digit, in value terms: `30%` →
/// 0.01, `28.5%` → 0.001, `249` → 1, `85K` → 1000, `1.2M` → 100000 (§6: a bet's
/// literal is compared at the precision it is written). None for anything but a
/// literal (or a negated one).
pub(crate) fn literal_step(e: &ast::Expr) -> Option<rust_decimal::Decimal> {
    use rust_decimal::Decimal;
    match &e.kind {
        ExprKind::Paren(x) | ExprKind::Unary(ast::UnOp::Neg, x) => literal_step(x),
        ExprKind::Number { text, .. } => {
            let t: String = text.chars().filter(|c| *c != '_').collect();
            let (t, pct) = match t.strip_suffix('%') {
                Some(r) => (r.to_string(), true),
                None => (t, false),
            };
            let (t, scale) = match t.chars().last() {
                Some('K') => (t.get(..t.len() - 1)?.to_string(), 3),
                Some('M') => (t.get(..t.len() - 1)?.to_string(), 6),
                Some('B') => (t.get(..t.len() - 1)?.to_string(), 9),
                _ => (t, 0),
            };
            let decimals = t.split_once('.').map(|(_, f)| f.len() as i64).unwrap_or(0);
            let exp = scale - decimals - if pct { 2 } else { 0 };
            if exp >= 0 {
                let mut v = Decimal::ONE;
                for _ in 0..exp {
                    v = v.checked_mul(Decimal::TEN)?;
                }
                Some(v)
            } else {
                let digits = u32::try_from(-exp).ok().filter(|d| *d <= 28)?;
                Some(Decimal::new(1, digits))
            }
        }
        _ => None,
    }
}
