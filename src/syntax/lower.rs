//! Lowering: pest pairs → AST nodes, with spans in file coordinates.
//!
//! The grammar guarantees the shape of the pairs, so a missing child only means
//! an internal mismatch; such a declaration is dropped with a `syntax` error rather
//! than a panic. Checks that need the text of a token (month 1–12, string escapes,
//! number size) happen here and become diagnostics.

use super::ast::*;
use super::plain_steps::Cut;
use super::Rule;
use crate::diagnostic::{Code, Diagnostic};
use crate::source::{FileId, Span};
use pest::iterators::Pair;
use rust_decimal::Decimal;
use std::str::FromStr;

type P<'a> = Pair<'a, Rule>;

pub(super) struct Lowerer {
    file: FileId,
    base: usize,
    pub(super) diagnostics: Vec<Diagnostic>,
    /// Set once an expression of this declaration went past a limit (reported).
    pub(super) too_deep: bool,
    /// Step bodies cut out of the text pest parsed (see `plain_steps`).
    cuts: Vec<Cut>,
}

impl Lowerer {
    pub(super) fn new(file: FileId, base: usize) -> Lowerer {
        Lowerer {
            file,
            base,
            diagnostics: Vec::new(),
            too_deep: false,
            cuts: Vec::new(),
        }
    }

    /// A lowerer for a declaration pest parsed with these step bodies cut out.
    pub(super) fn with_cuts(file: FileId, base: usize, cuts: Vec<Cut>) -> Lowerer {
        Lowerer {
            cuts,
            ..Lowerer::new(file, base)
        }
    }

    /// A position in the text pest parsed → the same place in the declaration:
    /// after every cut at or before it (a start) or before it (an end).
    fn unshift(&self, pos: usize, end: bool) -> usize {
        pos + self
            .cuts
            .iter()
            .take_while(|c| c.at < pos || (!end && c.at == pos))
            .map(|c| c.len)
            .sum::<usize>()
    }

    /// The span of a pair without the blanks and comments pest's implicit
    /// whitespace leaves at its end: it ends where its last token ends.
    fn span(&self, p: &P) -> Span {
        let s = p.as_span();
        Span::new(
            self.file,
            self.base + self.unshift(s.start(), false),
            self.base + self.unshift(last_char_end(p), true),
        )
    }

    fn ident(&self, p: P) -> Ident {
        Ident {
            name: p.as_str().to_string(),
            span: self.span(&p),
        }
    }

    fn string(&mut self, p: P) -> Str {
        let span = self.span(&p);
        let p = if p.as_rule() == Rule::title {
            match p.into_inner().next() {
                Some(s) => s,
                None => {
                    return Str {
                        value: String::new(),
                        span,
                    }
                }
            }
        } else {
            p
        };
        let raw = p
            .into_inner()
            .next()
            .map(|i| i.as_str().to_string())
            .unwrap_or_default();
        let mut value = String::with_capacity(raw.len());
        let mut chars = raw.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some('"') => value.push('"'),
                    Some('\\') => value.push('\\'),
                    Some('n') => value.push('\n'),
                    Some(other) => {
                        self.diagnostics.push(
                            Diagnostic::error(
                                Code::Syntax,
                                span,
                                format!("unknown escape `\\{other}` in a string"),
                            )
                            .with_help("the escapes are `\\\"`, `\\\\` and `\\n`"),
                        );
                        value.push(other);
                    }
                    None => {}
                }
            } else {
                value.push(c);
            }
        }
        Str { value, span }
    }

    fn number(&mut self, p: &P) -> Decimal {
        let span = self.span(p);
        self.number_text(p.as_str(), span)
    }

    fn number_text(&mut self, text: &str, span: Span) -> Decimal {
        match parse_number(text) {
            Ok(v) => v,
            Err(msg) => {
                self.diagnostics.push(
                    Diagnostic::error(Code::Overflow, span, msg)
                        .with_help("numbers hold at most 28 significant digits"),
                );
                Decimal::ZERO
            }
        }
    }

    fn integer(&mut self, p: &P) -> u32 {
        match p.as_str().parse::<u32>() {
            Ok(v) => v,
            Err(_) => {
                let span = self.span(p);
                self.diagnostics.push(Diagnostic::error(
                    Code::Overflow,
                    span,
                    "this count is too large",
                ));
                0
            }
        }
    }

    fn period(&mut self, p: P) -> Option<Period> {
        let p = if matches!(p.as_rule(), Rule::period | Rule::expr_period) {
            p.into_inner().next()?
        } else {
            p
        };
        let span = self.span(&p);
        let full = p.as_str();
        let fiscal = full.starts_with("FY");
        let text = if fiscal { full.get(2..)? } else { full };
        let year: i32 = text.get(..4)?.parse().ok()?;
        let kind = match p.as_rule() {
            Rule::month_period => {
                let m: u32 = text.get(5..7)?.parse().ok()?;
                if !(1..=12).contains(&m) {
                    self.diagnostics.push(
                        Diagnostic::error(Code::Syntax, span, format!("there is no month {m}"))
                            .with_help("months run from 01 to 12, as in 2026-01"),
                    );
                }
                PeriodKind::Month(year, m.clamp(1, 12))
            }
            Rule::quarter_period => {
                let q: u32 = text.get(6..7)?.parse().ok()?;
                if !(1..=4).contains(&q) {
                    self.diagnostics.push(
                        Diagnostic::error(Code::Syntax, span, format!("there is no quarter Q{q}"))
                            .with_help("quarters are Q1 to Q4, as in 2026-Q1"),
                    );
                }
                PeriodKind::Quarter(year, q.clamp(1, 4))
            }
            Rule::fiscal_quarter_period => {
                let q: u32 = text.get(6..7)?.parse().ok()?;
                if !(1..=4).contains(&q) {
                    self.diagnostics.push(
                        Diagnostic::error(Code::Syntax, span, format!("there is no quarter Q{q}"))
                            .with_help("fiscal quarters are Q1 to Q4, as in FY2027-Q1"),
                    );
                }
                PeriodKind::FiscalQuarter(year, q.clamp(1, 4))
            }
            Rule::fiscal_year_period => PeriodKind::FiscalYear(year),
            _ => PeriodKind::Year(year),
        };
        Some(Period { kind, span })
    }

    fn names(&self, p: P) -> Vec<Ident> {
        p.into_inner().map(|n| self.ident(n)).collect()
    }

    pub(super) fn decl(&mut self, p: P) -> Option<DeclKind> {
        let rule = p.as_rule();
        let mut it = p.into_inner();
        Some(match rule {
            Rule::plan_decl => DeclKind::Plan(self.plan(it)?),
            Rule::import_decl => {
                it.next();
                let t = it.next()?;
                match t.as_rule() {
                    Rule::std_path => {
                        let span = self.span(&t);
                        let name = t.as_str().trim_start_matches("std").trim_start_matches('.');
                        DeclKind::Import(ImportTarget::Std(Ident {
                            name: name.to_string(),
                            span,
                        }))
                    }
                    _ => DeclKind::Import(ImportTarget::Path(self.string(t))),
                }
            }
            Rule::unit_decl => {
                it.next();
                let name = self.ident(it.next()?);
                let title = it.next().map(|t| self.string(t));
                DeclKind::Unit(name, title)
            }
            Rule::department_decl => self.department(it)?,
            Rule::role_decl => {
                it.next();
                let name = self.ident(it.next()?);
                let title = self.string(it.next()?);
                let department = it.nth(1).map(|d| self.ident(d));
                DeclKind::Role {
                    name,
                    title,
                    department,
                }
            }
            Rule::term_decl => {
                it.next();
                let name = self.ident(it.next()?);
                let def = self.string(it.next()?);
                DeclKind::Term(name, def)
            }
            Rule::driver_decl | Rule::metric_decl => DeclKind::Item(self.item(rule, it)?),
            Rule::fn_decl => self.function(it)?,
            Rule::objective_decl => DeclKind::Objective(self.objective(it)?),
            Rule::assumption_decl => DeclKind::Assumption(self.assumption(it)?),
            Rule::dependency_decl => DeclKind::Dependency(self.dependency(it)?),
            Rule::risk_decl => DeclKind::Risk(self.risk(it)?),
            Rule::request_decl => DeclKind::Request(self.request(it)?),
            Rule::raci_decl => DeclKind::Raci(self.raci(it)?),
            Rule::initiative_decl => DeclKind::Initiative(self.initiative(it)?),
            Rule::scenario_decl => DeclKind::Scenario(self.scenario(it)?),
            Rule::trigger_decl => DeclKind::Trigger(self.trigger(it)?),
            Rule::budget_decl => DeclKind::Budget(self.budget(it)?),
            Rule::dimension_decl => DeclKind::Dimension(self.dimension(it)?),
            Rule::actuals_decl => DeclKind::Actuals(self.actuals(it)?),
            Rule::correlate_decl => DeclKind::Correlate(self.correlate(it)?),
            _ => return None,
        })
    }

    /// `plan NAME "title" { … }`: the title and the header statements (currency,
    /// periods, base, fiscal year, actuals, odds).
    fn plan(&mut self, mut it: pest::iterators::Pairs<Rule>) -> Option<PlanDecl> {
        it.next(); // keyword
        let name = self.ident(it.next()?);
        let mut plan = PlanDecl {
            name,
            title: None,
            currency: None,
            periods: None,
            base: None,
            fiscal: None,
            actuals_through: None,
            odds: None,
        };
        for s in it {
            match s.as_rule() {
                Rule::title => plan.title = Some(self.string(s)),
                Rule::currency_stmt => plan.currency = Some(self.ident(s.into_inner().nth(1)?)),
                Rule::periods_stmt => {
                    let mut i = s.into_inner().skip(1);
                    let a = self.period(i.next()?)?;
                    let b = self.period(i.next()?)?;
                    plan.periods = Some((a, b));
                }
                Rule::base_stmt => plan.base = Some(self.ident(s.into_inner().nth(1)?)),
                Rule::fiscal_stmt => {
                    let parts: Vec<P> = s.into_inner().collect();
                    let month = self.ident(parts.get(3)?.clone());
                    plan.fiscal = Some((month, parts.len() > 4));
                }
                Rule::actuals_through_stmt => {
                    plan.actuals_through = Some(self.period(s.into_inner().nth(2)?)?)
                }
                Rule::odds_stmt => {
                    let span = self.span(&s);
                    let mut i = s.into_inner().skip(1);
                    let a = i.next()?;
                    let lo = self.number(&a);
                    let b = i.nth(1)?;
                    let hi = self.number(&b);
                    let texts = (a.as_str().to_string(), b.as_str().to_string());
                    plan.odds = Some((lo, hi, texts.0, texts.1, span));
                }
                _ => {}
            }
        }
        Some(plan)
    }

    /// `department NAME "title" { lead … poc … }`.
    fn department(&mut self, mut it: pest::iterators::Pairs<Rule>) -> Option<DeclKind> {
        it.next();
        let name = self.ident(it.next()?);
        let title = self.string(it.next()?);
        let (mut lead, mut poc) = (None, None);
        for s in it {
            let r = s.as_rule();
            let v = self.string(s.into_inner().nth(1)?);
            if r == Rule::lead_stmt {
                lead = Some(v);
            } else {
                poc = Some(v);
            }
        }
        Some(DeclKind::Department {
            name,
            title,
            lead,
            poc,
        })
    }

    /// `fn NAME(params) = EXPR`.
    fn function(&mut self, mut it: pest::iterators::Pairs<Rule>) -> Option<DeclKind> {
        it.next();
        let name = self.ident(it.next()?);
        let mut params = Vec::new();
        let mut body = None;
        for s in it {
            match s.as_rule() {
                Rule::fn_params => params = self.names(s),
                Rule::expr => body = Some(self.expr(s)?),
                _ => {}
            }
        }
        Some(DeclKind::Fn {
            name,
            params,
            body: body?,
        })
    }

    /// `objective`: owner, supported objectives, targets.
    fn objective(&mut self, mut it: pest::iterators::Pairs<Rule>) -> Option<ObjectiveDecl> {
        it.next();
        let name = self.ident(it.next()?);
        let title = self.string(it.next()?);
        let mut o = ObjectiveDecl {
            name,
            title,
            owner: None,
            supports: Vec::new(),
            targets: Vec::new(),
        };
        for s in it {
            match s.as_rule() {
                Rule::owner_stmt => o.owner = Some(self.ident(s.into_inner().nth(1)?)),
                Rule::supports_stmt => o.supports.extend(self.names(s.into_inner().nth(1)?)),
                Rule::target_stmt => o.targets.push(self.expr(s.into_inner().nth(1)?)?),
                _ => {}
            }
        }
        Some(o)
    }

    /// `assumption`: changes, maintains, counterbalances, dependencies, indicators,
    /// owner, evidence, tolerance.
    fn assumption(&mut self, mut it: pest::iterators::Pairs<Rule>) -> Option<AssumptionDecl> {
        it.next();
        let name = self.ident(it.next()?);
        let title = self.string(it.next()?);
        let mut a = AssumptionDecl {
            name,
            title,
            changes: Vec::new(),
            maintains: Vec::new(),
            counterbalances: Vec::new(),
            depends_on: Vec::new(),
            indicators: Vec::new(),
            owner: None,
            evidence: Vec::new(),
            tolerance: None,
        };
        for s in it {
            let span = self.span(&s);
            match s.as_rule() {
                Rule::change_stmt => {
                    let mut i = s.into_inner();
                    i.next();
                    let driver = self.ident(i.next()?);
                    i.next();
                    let from = self.expr(i.next()?)?;
                    i.next();
                    let to = self.expr(i.next()?)?;
                    i.next();
                    let by = self.period(i.next()?)?;
                    a.changes.push(Change {
                        driver,
                        from,
                        to,
                        by,
                        span,
                    });
                }
                Rule::maintain_stmt => a.maintains.push(self.expr(s.into_inner().nth(1)?)?),
                Rule::counterbalance_stmt => {
                    a.counterbalances.extend(self.names(s.into_inner().nth(1)?))
                }
                Rule::depends_stmt => a.depends_on.extend(self.names(s.into_inner().nth(2)?)),
                Rule::indicator_stmt => a.indicators.push(self.ident(s.into_inner().nth(1)?)),
                Rule::owner_stmt => a.owner = Some(self.ident(s.into_inner().nth(1)?)),
                Rule::evidence_stmt => {
                    let e = self.string(s.into_inner().nth(1)?);
                    a.evidence.push(e)
                }
                Rule::tolerance_stmt => {
                    let n = s.into_inner().nth(1)?;
                    a.tolerance = Some((self.number(&n), self.span(&n)));
                }
                _ => {}
            }
        }
        Some(a)
    }

    /// `dependency`: owner, due and done periods, confidence.
    fn dependency(&mut self, mut it: pest::iterators::Pairs<Rule>) -> Option<DependencyDecl> {
        it.next();
        let name = self.ident(it.next()?);
        let title = self.string(it.next()?);
        let mut d = DependencyDecl {
            name,
            title,
            owner: None,
            due: None,
            confidence: None,
            done: None,
        };
        for s in it {
            match s.as_rule() {
                Rule::owner_stmt => d.owner = Some(self.ident(s.into_inner().nth(1)?)),
                Rule::due_stmt => d.due = Some(self.period(s.into_inner().nth(1)?)?),
                Rule::done_stmt => d.done = Some(self.period(s.into_inner().nth(1)?)?),
                Rule::confidence_stmt => {
                    let n = s.into_inner().nth(1)?;
                    d.confidence = Some((self.number(&n), self.span(&n)));
                }
                _ => {}
            }
        }
        Some(d)
    }

    /// `risk`: owner, likelihood, impact, mitigation, reviews.
    fn risk(&mut self, mut it: pest::iterators::Pairs<Rule>) -> Option<RiskDecl> {
        it.next();
        let name = self.ident(it.next()?);
        let title = self.string(it.next()?);
        let mut r = RiskDecl {
            name,
            title,
            owner: None,
            likelihood: None,
            impact: None,
            mitigation: None,
            reviewed: Vec::new(),
        };
        for s in it {
            match s.as_rule() {
                Rule::owner_stmt => r.owner = Some(self.ident(s.into_inner().nth(1)?)),
                Rule::likelihood_stmt => {
                    let n = s.into_inner().nth(1)?;
                    r.likelihood = Some((self.number(&n), self.span(&n)));
                }
                Rule::impact_stmt => r.impact = Some(self.string(s.into_inner().nth(1)?)),
                Rule::reviewed_stmt => r.reviewed.push(self.period(s.into_inner().nth(1)?)?),
                Rule::mitigation_stmt => r.mitigation = Some(self.string(s.into_inner().nth(1)?)),
                _ => {}
            }
        }
        Some(r)
    }

    /// `request`: who asks, ask and grant, decision, approvals, budget draws and
    /// reallocations, cost, return, supports.
    fn request(&mut self, mut it: pest::iterators::Pairs<Rule>) -> Option<RequestDecl> {
        it.next();
        let name = self.ident(it.next()?);
        let title = self.string(it.next()?);
        let mut r = RequestDecl {
            name,
            title,
            from: None,
            ask: None,
            grant: None,
            decision: None,
            approved_by: Vec::new(),
            draws: Vec::new(),
            reallocations: Vec::new(),
            cost: None,
            ret: None,
            supports: Vec::new(),
        };
        for s in it {
            match s.as_rule() {
                Rule::from_stmt => r.from = Some(self.ident(s.into_inner().nth(1)?)),
                Rule::ask_stmt => r.ask = Some(self.expr(s.into_inner().nth(1)?)?),
                Rule::grant_stmt => r.grant = Some(self.expr(s.into_inner().nth(1)?)?),
                Rule::decision_stmt => r.decision = Some(self.string(s.into_inner().nth(1)?)),
                Rule::approved_stmt => r.approved_by.extend(self.names(s.into_inner().nth(2)?)),
                Rule::draw_stmt => {
                    let span = self.span(&s);
                    let mut i = s.into_inner().skip(1);
                    let amount = self.expr(i.next()?)?;
                    let budget = self.ident(i.nth(1)?);
                    r.draws.push(Draw {
                        amount,
                        budget,
                        span,
                    });
                }
                Rule::reallocate_stmt => {
                    let span = self.span(&s);
                    let mut i = s.into_inner().skip(1);
                    let amount = self.expr(i.next()?)?;
                    let from = self.ident(i.nth(1)?);
                    let to = self.ident(i.nth(1)?);
                    let budget = self.ident(i.nth(1)?);
                    r.reallocations.push(Reallocation {
                        amount,
                        from,
                        to,
                        budget,
                        span,
                    });
                }
                Rule::cost_stmt => r.cost = Some(self.expr(s.into_inner().nth(1)?)?),
                Rule::return_stmt => r.ret = Some(self.expr(s.into_inner().nth(1)?)?),
                Rule::supports_stmt => r.supports.extend(self.names(s.into_inner().nth(1)?)),
                _ => {}
            }
        }
        Some(r)
    }

    /// `raci`: the names per letter, and each statement's letter and span in source order.
    fn raci(&mut self, mut it: pest::iterators::Pairs<Rule>) -> Option<RaciDecl> {
        it.next();
        let name = self.ident(it.next()?);
        let title = self.string(it.next()?);
        let mut r = RaciDecl {
            name,
            title,
            responsible: Vec::new(),
            accountable: Vec::new(),
            consulted: Vec::new(),
            informed: Vec::new(),
            lines: Vec::new(),
        };
        for s in it {
            let span = self.span(&s);
            let rule = s.as_rule();
            let names = self.names(s.into_inner().nth(1)?);
            let letter = match rule {
                Rule::responsible_stmt => {
                    r.responsible.extend(names);
                    'R'
                }
                Rule::accountable_stmt => {
                    r.accountable.extend(names);
                    'A'
                }
                Rule::consulted_stmt => {
                    r.consulted.extend(names);
                    'C'
                }
                _ => {
                    r.informed.extend(names);
                    'I'
                }
            };
            r.lines.push((letter, span));
        }
        Some(r)
    }

    /// `initiative`: owner, start period and member items.
    fn initiative(&mut self, mut it: pest::iterators::Pairs<Rule>) -> Option<InitiativeDecl> {
        it.next();
        let name = self.ident(it.next()?);
        let title = self.string(it.next()?);
        let mut ini = InitiativeDecl {
            name,
            title,
            owner: None,
            start: None,
            members: Vec::new(),
        };
        for s in it {
            match s.as_rule() {
                Rule::owner_stmt => ini.owner = Some(self.ident(s.into_inner().nth(1)?)),
                Rule::start_stmt => ini.start = Some(self.period(s.into_inner().nth(1)?)?),
                Rule::driver_decl | Rule::metric_decl => {
                    let span = self.span(&s);
                    let r = s.as_rule();
                    let item = self.item(r, s.into_inner())?;
                    ini.members.push((item, span, None));
                }
                _ => {}
            }
        }
        Some(ini)
    }

    /// `scenario`: `extends`, overrides (members, ranges, start periods) and nested
    /// triggers.
    fn scenario(&mut self, mut it: pest::iterators::Pairs<Rule>) -> Option<ScenarioDecl> {
        it.next();
        let name = self.ident(it.next()?);
        let title = self.string(it.next()?);
        let mut sc = ScenarioDecl {
            name,
            title,
            extends: None,
            overrides: Vec::new(),
            triggers: Vec::new(),
        };
        let mut expect_extends = false;
        for s in it {
            match s.as_rule() {
                Rule::kw_extends => expect_extends = true,
                Rule::name if expect_extends => {
                    sc.extends = Some(self.ident(s));
                    expect_extends = false;
                }
                Rule::override_stmt => {
                    let span = self.span(&s);
                    let mut i = s.into_inner();
                    let target = self.ident(i.next()?);
                    let mut next = i.next()?;
                    let mut members = Vec::new();
                    if next.as_rule() == Rule::member_index {
                        members = self.names(next);
                        next = i.next()?;
                    }
                    let expr = self.expr(next)?;
                    let mut from = None;
                    let mut range = None;
                    let mut range_shape = RangeShape::default();
                    while let Some(x) = i.next() {
                        match x.as_rule() {
                            Rule::range_stmt => {
                                let (r, shape) = self.range(x)?;
                                range = Some(r);
                                range_shape = shape;
                            }
                            Rule::kw_from => from = Some(self.period(i.next()?)?),
                            _ => {}
                        }
                    }
                    sc.overrides.push(Override {
                        target,
                        members,
                        expr,
                        from,
                        span,
                        range,
                        range_shape,
                    });
                }
                Rule::trigger_decl => {
                    let span = self.span(&s);
                    let t = self.trigger(s.into_inner())?;
                    sc.triggers.push((t, span, None));
                }
                _ => {}
            }
        }
        Some(sc)
    }

    /// `budget`: owner, spend item, amount per horizon / quarter / year, contingency,
    /// reallocation rule.
    fn budget(&mut self, mut it: pest::iterators::Pairs<Rule>) -> Option<BudgetDecl> {
        it.next();
        let name = self.ident(it.next()?);
        let title = self.string(it.next()?);
        let mut b = BudgetDecl {
            name,
            title,
            owner: None,
            spend: None,
            amount: None,
            contingency: None,
            reallocation: None,
        };
        for s in it {
            let span = self.span(&s);
            match s.as_rule() {
                Rule::owner_stmt => b.owner = Some(self.ident(s.into_inner().nth(1)?)),
                Rule::spend_stmt => b.spend = Some(self.ident(s.into_inner().nth(1)?)),
                Rule::amount_stmt => {
                    let mut per = BudgetPer::Horizon;
                    let mut table = None;
                    for p in s.into_inner() {
                        match p.as_rule() {
                            Rule::kw_quarter => per = BudgetPer::Quarter,
                            Rule::kw_year => per = BudgetPer::Year,
                            Rule::member_table => {
                                let ps = self.span(&p);
                                table = Some(self.table(p, ps)?.0);
                            }
                            _ => {}
                        }
                    }
                    b.amount = Some((per, table?, span));
                }
                Rule::contingency_stmt => b.contingency = Some(self.expr(s.into_inner().nth(1)?)?),
                Rule::reallocation_stmt => {
                    let mut i = s.into_inner().skip(3);
                    let cap = self.expr(i.next()?)?;
                    let who = self.ident(i.nth(2)?);
                    b.reallocation = Some((cap, who, span));
                }
                _ => {}
            }
        }
        Some(b)
    }

    /// `dimension NAME "title" { MEMBER ["title"] … }`.
    fn dimension(&mut self, mut it: pest::iterators::Pairs<Rule>) -> Option<DimensionDecl> {
        it.next();
        let name = self.ident(it.next()?);
        let title = self.string(it.next()?);
        let mut members = Vec::new();
        for m in it {
            let mut i = m.into_inner();
            let id = self.ident(i.next()?);
            let t = i.next().map(|t| self.string(t));
            members.push((id, t));
        }
        Some(DimensionDecl {
            name,
            title,
            members,
        })
    }

    /// `correlate A, B RHO`: the coefficient as a number and as written.
    fn correlate(&mut self, mut it: pest::iterators::Pairs<Rule>) -> Option<CorrelateDecl> {
        it.next();
        let a = self.ident(it.next()?);
        let b = self.ident(it.next()?);
        let r = it.next()?;
        let rho_span = self.span(&r);
        let text = r.as_str().to_string();
        let rho = match text.strip_prefix('-') {
            Some(t) => -self.number_text(t, rho_span),
            None => self.number_text(&text, rho_span),
        };
        Some(CorrelateDecl {
            a,
            b,
            rho,
            rho_text: text,
            rho_span,
        })
    }
    fn trigger(&mut self, mut it: pest::iterators::Pairs<Rule>) -> Option<TriggerDecl> {
        it.next();
        let name = self.ident(it.next()?);
        let title = self.string(it.next()?);
        let mut t = TriggerDecl {
            name,
            title,
            when: None,
            for_months: None,
            for_unit: None,
            steps: Vec::new(),
            owner: None,
        };
        for s in it {
            let span = self.span(&s);
            match s.as_rule() {
                Rule::when_stmt => {
                    let mut i = s.into_inner();
                    i.next();
                    t.when = Some(self.expr(i.next()?)?);
                    if i.next().is_some() {
                        let n = i.next()?;
                        t.for_months = Some((self.integer(&n), self.span(&n)));
                        if let Some(w) = i.next() {
                            t.for_unit = Some((PeriodWord::parse(w.as_str()), self.span(&w)));
                        }
                    }
                }
                Rule::after_stmt => {
                    let mut i = s.into_inner();
                    i.next();
                    let n = i.next()?;
                    let after = self.integer(&n);
                    let after_span = self.span(&n);
                    let unit = match i.next() {
                        Some(w) => (PeriodWord::parse(w.as_str()), self.span(&w)),
                        None => (PeriodWord::Month, after_span),
                    };
                    let mut actions = Vec::new();
                    for a in i {
                        let aspan = self.span(&a);
                        match a.as_rule() {
                            Rule::set_action => {
                                let mut j = a.into_inner();
                                j.next();
                                let d = self.ident(j.next()?);
                                let mut next = j.next()?;
                                let mut members = Vec::new();
                                if next.as_rule() == Rule::member_index {
                                    members = self.names(next);
                                    next = j.next()?;
                                }
                                let e = self.expr(next)?;
                                actions.push((Action::Set(d, members, e), aspan));
                            }
                            Rule::pause_action => {
                                let d = self.ident(a.into_inner().nth(1)?);
                                actions.push((Action::Pause(d), aspan));
                            }
                            _ => {}
                        }
                    }
                    t.steps.push(Step {
                        after,
                        after_span,
                        unit,
                        actions,
                        span,
                    });
                }
                Rule::owner_stmt => t.owner = Some(self.ident(s.into_inner().nth(1)?)),
                _ => {}
            }
        }
        Some(t)
    }

    fn actuals(&mut self, mut it: pest::iterators::Pairs<Rule>) -> Option<ActualsDecl> {
        it.next();
        let mut a = ActualsDecl {
            path: self.string(it.next()?),
            columns: Vec::new(),
            maps: Vec::new(),
            ignores: Vec::new(),
            sheet: None,
        };
        for s in it {
            match s.as_rule() {
                Rule::columns_stmt => {
                    for c in s.into_inner().filter(|c| c.as_rule() == Rule::column_spec) {
                        let mut i = c.into_inner();
                        let ours = self.ident(i.next()?);
                        let theirs = self.string(i.next()?);
                        a.columns.push((ours, theirs));
                    }
                }
                Rule::map_stmt => {
                    let mut names = Vec::new();
                    let mut target = None;
                    for x in s.into_inner() {
                        match x.as_rule() {
                            Rule::string => names.push(self.string(x)),
                            Rule::actual_name => target = Some(self.ident(x)),
                            _ => {}
                        }
                    }
                    a.maps.push((names, target?));
                }
                Rule::ignore_stmt => {
                    for x in s.into_inner().filter(|x| x.as_rule() == Rule::string) {
                        let st = self.string(x);
                        a.ignores.push(st);
                    }
                }
                Rule::sheet_stmt => a.sheet = Some(self.string(s.into_inner().nth(1)?)),
                _ => {}
            }
        }
        Some(a)
    }

    fn item(&mut self, rule: Rule, mut it: pest::iterators::Pairs<Rule>) -> Option<ItemDecl> {
        it.next();
        let name = self.ident(it.next()?);
        let kind = if rule == Rule::driver_decl {
            ItemKind::Driver
        } else {
            ItemKind::Metric
        };
        let mut item = ItemDecl {
            kind,
            name,
            unit: None,
            aggregation: None,
            by: Vec::new(),
            expr: Expr {
                kind: ExprKind::Number {
                    value: Decimal::ZERO,
                    text: "0".into(),
                    unit: None,
                },
                span: Span::default(),
            },
            owner: None,
            means: None,
            range: None,
            favourable: None,
            range_shape: RangeShape::default(),
        };
        let mut have_expr = false;
        for s in it {
            match s.as_rule() {
                Rule::unit_expr => item.unit = Some(self.unit_expr(s)?),
                Rule::aggregation => {
                    let span = self.span(&s);
                    let a = match s.as_str() {
                        "stock" => Aggregation::Stock,
                        "flow" => Aggregation::Flow,
                        "formula" => Aggregation::Formula,
                        _ => Aggregation::Average,
                    };
                    item.aggregation = Some((a, span));
                }
                Rule::by_clause => item.by = self.names(s.into_inner().nth(1)?),
                Rule::expr => {
                    item.expr = self.expr(s)?;
                    have_expr = true;
                }
                Rule::item_block => {
                    for st in s.into_inner() {
                        match st.as_rule() {
                            Rule::owner_stmt => {
                                item.owner = Some(self.ident(st.into_inner().nth(1)?))
                            }
                            Rule::means_stmt => {
                                item.means = Some(self.ident(st.into_inner().nth(1)?))
                            }
                            Rule::range_stmt => {
                                let (r, shape) = self.range(st)?;
                                item.range = Some(r);
                                item.range_shape = shape;
                            }
                            Rule::favourable_stmt => {
                                let span = self.span(&st);
                                let higher = st.as_str().trim_end().ends_with("higher");
                                item.favourable = Some((higher, span));
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        have_expr.then_some(item)
    }

    /// `range LOW to HIGH [DIST] [per period]`.
    fn range(&mut self, p: P) -> Option<((Expr, Expr), RangeShape)> {
        let mut i = p.into_inner();
        i.next();
        let lo = self.expr(i.next()?)?;
        i.next();
        let hi = self.expr(i.next()?)?;
        let mut shape = RangeShape::default();
        for x in i {
            match x.as_rule() {
                Rule::range_shape => {
                    shape.dist_written = true;
                    shape.dist = match x.as_str() {
                        "triangular" => Distribution::Triangular,
                        "uniform" => Distribution::Uniform,
                        "normal" => Distribution::Normal,
                        _ => Distribution::Pert,
                    };
                }
                Rule::per_period => shape.per_period = true,
                _ => {}
            }
        }
        Some(((lo, hi), shape))
    }

    fn unit_expr(&mut self, p: P) -> Option<UnitExpr> {
        let span = self.span(&p);
        let mut it = p.into_inner();
        let first = self.unit_atom(it.next()?)?;
        let mut rest = Vec::new();
        while let Some(op) = it.next() {
            let mul = op.as_str() == "*";
            rest.push((mul, self.unit_atom(it.next()?)?));
        }
        Some(UnitExpr { first, rest, span })
    }

    fn unit_atom(&mut self, p: P) -> Option<UnitAtom> {
        let inner = p.into_inner().next()?;
        Some(match inner.as_rule() {
            Rule::unit_percent => UnitAtom::Percent(self.span(&inner)),
            Rule::unit_one => UnitAtom::One(self.span(&inner)),
            Rule::unit_expr => UnitAtom::Group(Box::new(self.unit_expr(inner)?)),
            _ => UnitAtom::Name(self.ident(inner)),
        })
    }

    /// A literal's unit (`USD/deal`), written without spaces.
    fn lit_unit(&self, p: &P) -> UnitExpr {
        let span = self.span(p);
        let text = p.as_str();
        let mut parts = Vec::new();
        let mut start = 0usize;
        let mut op = true;
        for (i, c) in text.char_indices() {
            if c == '/' || c == '*' {
                parts.push((op, start, i));
                op = c == '*';
                start = i + 1;
            }
        }
        parts.push((op, start, text.len()));
        let atom = |s: usize, e: usize| {
            UnitAtom::Name(Ident {
                name: text.get(s..e).unwrap_or("").to_string(),
                span: Span::new(self.file, span.start as usize + s, span.start as usize + e),
            })
        };
        let mut iter = parts.into_iter();
        let (_, s0, e0) = iter.next().unwrap_or((true, 0, text.len()));
        UnitExpr {
            first: atom(s0, e0),
            rest: iter.map(|(m, s, e)| (m, atom(s, e))).collect(),
            span,
        }
    }

    /// Lowers an expression. Returns None (with a `limit-exceeded` diagnostic, once
    /// per declaration) when the tree would nest deeper than
    /// [`MAX_EXPR_DEPTH`](super::limits::MAX_EXPR_DEPTH), so later stages, which
    /// walk expressions recursively, stay within a small stack.
    pub(super) fn expr(&mut self, p: P) -> Option<Expr> {
        self.expr_d(p).map(|(e, _)| e)
    }

    /// Lowers an expression and returns it with its depth (1 for a leaf).
    fn expr_d(&mut self, p: P) -> Option<(Expr, usize)> {
        crate::stack::guard(|| self.expr_step(p))
    }

    fn expr_step(&mut self, p: P) -> Option<(Expr, usize)> {
        let p = skip_wrappers(p);
        let span = self.span(&p);
        match p.as_rule() {
            Rule::expr
            | Rule::or_expr
            | Rule::and_expr
            | Rule::add_expr
            | Rule::mul_expr
            | Rule::primary => self.chain(p),
            Rule::cmp_expr => self.comparison(p, span),
            Rule::not_expr | Rule::unary => self.prefixed(p),
            Rule::postfix => self.postfix(p, span),
            Rule::paren => {
                let (inner, d) = self.expr_d(p.into_inner().next()?)?;
                self.node(ExprKind::Paren(Box::new(inner)), span, d + 1)
            }
            Rule::call => self.call(p, span),
            Rule::if_expr => self.if_expr(p, span),
            Rule::step_expr => self.step(p, span),
            Rule::member_table => self.table(p, span),
            _ => self.leaf(p, span).map(|e| (e, 1)),
        }
    }

    /// Wraps a node of depth `depth`, or reports that the expression is too deep.
    fn node(&mut self, kind: ExprKind, span: Span, depth: usize) -> Option<(Expr, usize)> {
        if depth > super::limits::MAX_EXPR_DEPTH {
            self.too_deep(span);
            return None;
        }
        Some((Expr { kind, span }, depth))
    }

    fn too_deep(&mut self, span: Span) {
        if self.too_deep {
            return;
        }
        self.too_deep = true;
        self.diagnostics.push(
            Diagnostic::error(
                Code::LimitExceeded,
                span,
                format!(
                    "this expression nests more than {} levels deep",
                    super::limits::MAX_EXPR_DEPTH
                ),
            )
            .with_label("too deep")
            .with_help(
                "each operator, parenthesis and prefix `-` or `not` is one level: name \
                 intermediate results as metrics to shorten the formula",
            ),
        );
    }

    /// `a + b - c …`, `a and b …`: a left-associated chain, built iteratively.
    #[inline(never)]
    fn chain(&mut self, p: P) -> Option<(Expr, usize)> {
        let mut it = p.into_inner();
        let (mut lhs, mut depth) = self.expr_d(it.next()?)?;
        while let Some(op) = it.next() {
            let bop = match op.as_str() {
                "+" => BinOp::Add,
                "-" => BinOp::Sub,
                "*" => BinOp::Mul,
                "/" => BinOp::Div,
                "and" => BinOp::And,
                _ => BinOp::Or,
            };
            let (rhs, rd) = self.expr_d(it.next()?)?;
            let s = lhs.span.to(rhs.span);
            let kind = ExprKind::Binary(bop, Box::new(lhs), Box::new(rhs));
            (lhs, depth) = self.node(kind, s, depth.max(rd) + 1)?;
        }
        Some((lhs, depth))
    }

    #[inline(never)]
    fn comparison(&mut self, p: P, span: Span) -> Option<(Expr, usize)> {
        let mut it = p.into_inner();
        let (lhs, ld) = self.expr_d(it.next()?)?;
        let Some(op) = it.next() else {
            return Some((lhs, ld));
        };
        let bop = match op.as_str() {
            "<" => BinOp::Lt,
            "<=" => BinOp::Le,
            ">" => BinOp::Gt,
            ">=" => BinOp::Ge,
            "==" => BinOp::Eq,
            _ => BinOp::Ne,
        };
        let (rhs, rd) = self.expr_d(it.next()?)?;
        let kind = ExprKind::Binary(bop, Box::new(lhs), Box::new(rhs));
        self.node(kind, span, ld.max(rd) + 1)
    }

    /// `not not x`, `- - x`: prefixes applied innermost first.
    #[inline(never)]
    fn prefixed(&mut self, p: P) -> Option<(Expr, usize)> {
        let parts: Vec<P> = p.into_inner().collect();
        let (last, prefix) = parts.split_last()?;
        if prefix.len() > super::limits::MAX_EXPR_DEPTH {
            self.too_deep(self.span(last));
            return None;
        }
        let (mut e, mut depth) = self.expr_d(last.clone())?;
        for op in prefix.iter().rev() {
            let op_span = self.span(op);
            let u = if op.as_rule() == Rule::neg {
                UnOp::Neg
            } else {
                UnOp::Not
            };
            let s = op_span.to(e.span);
            (e, depth) = self.node(ExprKind::Unary(u, Box::new(e)), s, depth + 1)?;
        }
        Some((e, depth))
    }

    #[inline(never)]
    fn postfix(&mut self, p: P, span: Span) -> Option<(Expr, usize)> {
        let mut it = p.into_inner();
        let (e, d) = self.expr_d(it.next()?)?;
        match it.next() {
            None => Some((e, d)),
            Some(per) => {
                let per = self.period(per)?;
                self.node(ExprKind::At(Box::new(e), per), span, d + 1)
            }
        }
    }

    #[inline(never)]
    fn call(&mut self, p: P, span: Span) -> Option<(Expr, usize)> {
        let mut it = p.into_inner();
        let name = self.ident(it.next()?);
        let mut args = Vec::new();
        let mut depth = 0;
        for a in it {
            let (e, d) = self.expr_d(a)?;
            depth = depth.max(d);
            args.push(e);
        }
        self.node(ExprKind::Call(name, args), span, depth + 1)
    }

    #[inline(never)]
    fn if_expr(&mut self, p: P, span: Span) -> Option<(Expr, usize)> {
        let mut it = p.into_inner().filter(|x| x.as_rule() == Rule::expr);
        let (c, cd) = self.expr_d(it.next()?)?;
        let (a, ad) = self.expr_d(it.next()?)?;
        let (b, bd) = self.expr_d(it.next()?)?;
        let kind = ExprKind::If(Box::new(c), Box::new(a), Box::new(b));
        self.node(kind, span, cd.max(ad).max(bd) + 1)
    }

    #[inline(never)]
    fn step(&mut self, p: P, span: Span) -> Option<(Expr, usize)> {
        let (start, end) = (p.as_span().start(), p.as_span().end());
        let mut entries = Vec::new();
        let mut depth = 0;
        let mut count = 0usize;
        for e in p.into_inner().filter(|x| x.as_rule() == Rule::step_entry) {
            count += 1;
            if entries.len() >= super::limits::MAX_STEP_ENTRIES {
                continue;
            }
            let mut it = e.into_inner();
            let per = self.period(it.next()?)?;
            let (v, d) = self.expr_d(it.next()?)?;
            depth = depth.max(d);
            entries.push((per, v));
        }
        if entries.is_empty() {
            // A plain body was cut out before pest (see `plain_steps`).
            self.cut_entries(start, end, &mut entries);
            count = entries.len();
            entries.truncate(super::limits::MAX_STEP_ENTRIES);
        }
        if count > super::limits::MAX_STEP_ENTRIES {
            self.diagnostics.push(
                Diagnostic::error(
                    Code::LimitExceeded,
                    span,
                    format!(
                        "this `step` has {count} entries; Plumb accepts at most {}",
                        super::limits::MAX_STEP_ENTRIES
                    ),
                )
                .with_help("a `step` needs at most one entry per month of the horizon"),
            );
        }
        self.node(ExprKind::Step(entries), span, depth + 1)
    }

    /// `{ paid: 60K, events: 30K, else: 0 }`.
    #[inline(never)]
    fn table(&mut self, p: P, span: Span) -> Option<(Expr, usize)> {
        let mut entries = Vec::new();
        let mut depth = 0;
        for e in p.into_inner() {
            let mut it = e.into_inner();
            let k = it.next()?;
            let key = if k.as_rule() == Rule::kw_else {
                TableKey::Else(self.span(&k))
            } else {
                TableKey::Member(self.ident(k))
            };
            let (v, d) = self.expr_d(it.next()?)?;
            depth = depth.max(d);
            entries.push((key, v));
        }
        self.node(ExprKind::Table(entries), span, depth + 1)
    }

    /// Numbers, periods, ranges and names.
    #[inline(never)]
    fn leaf(&mut self, p: P, span: Span) -> Option<Expr> {
        let kind = match p.as_rule() {
            Rule::literal => {
                let mut it = p.into_inner();
                let n = it.next()?;
                let value = self.number(&n);
                let text = n.as_str().to_string();
                let unit = it.next().map(|u| Box::new(self.lit_unit(&u)));
                ExprKind::Number { value, text, unit }
            }
            Rule::expr_period => ExprKind::Period(self.period(p)?),
            Rule::fiscal_expr | Rule::fiscal_range => {
                let inner = p.into_inner().next()?;
                return self.leaf(inner, span);
            }
            Rule::period_range => {
                let mut it = p.into_inner();
                let a = self.period(it.next()?)?;
                let b = self.period(it.next()?)?;
                ExprKind::Range(a, b)
            }
            Rule::ref_expr => {
                let mut it = p.into_inner();
                let name = self.ident(it.next()?);
                match it.next() {
                    Some(ix) => ExprKind::Member(name, self.names(ix)),
                    None => ExprKind::Name(name),
                }
            }
            Rule::step_number => {
                // The same literal `expr` would give, without the detour.
                let n = p.into_inner().next()?;
                let value = self.number(&n);
                let text = n.as_str().to_string();
                let span = self.span(&n);
                return Some(Expr {
                    kind: ExprKind::Number {
                        value,
                        text,
                        unit: None,
                    },
                    span,
                });
            }
            _ => return None,
        };
        Some(Expr { kind, span })
    }
}

impl Lowerer {
    /// The entries of the step body cut out between `start` and `end` (positions
    /// in the text pest parsed), as the general path would have lowered them.
    fn cut_entries(&mut self, start: usize, end: usize, entries: &mut Vec<(Period, Expr)>) {
        let Some(k) = self.cuts.iter().position(|c| start < c.at && c.at < end) else {
            return;
        };
        let cut = match self.cuts.get_mut(k) {
            Some(c) => std::mem::take(&mut c.entries),
            None => return,
        };
        for e in cut {
            let pstart = self.base + e.period;
            let span = Span::new(self.file, pstart, pstart + 7);
            if !(1..=12).contains(&e.month) {
                self.diagnostics.push(
                    Diagnostic::error(Code::Syntax, span, format!("there is no month {}", e.month))
                        .with_help("months run from 01 to 12, as in 2026-01"),
                );
            }
            let period = Period {
                kind: PeriodKind::Month(e.year, e.month.clamp(1, 12)),
                span,
            };
            let (ns, text) = (e.number, e.text);
            let nspan = Span::new(self.file, self.base + ns, self.base + ns + text.len());
            let value = self.number_text(&text, nspan);
            entries.push((
                period,
                Expr {
                    kind: ExprKind::Number {
                        value,
                        text,
                        unit: None,
                    },
                    span: nspan,
                },
            ));
        }
    }
}

/// Steps through the grammar's one-child layers (`expr` → `or_expr` → … →
/// `primary`) without recursion, so each level of nesting in the source costs
/// only a couple of stack frames when lowering.
fn skip_wrappers(mut p: P) -> P {
    loop {
        let wrapper = matches!(
            p.as_rule(),
            Rule::expr
                | Rule::or_expr
                | Rule::and_expr
                | Rule::not_expr
                | Rule::cmp_expr
                | Rule::add_expr
                | Rule::mul_expr
                | Rule::unary
                | Rule::postfix
                | Rule::primary
        );
        if !wrapper {
            return p;
        }
        let mut inner = p.clone().into_inner();
        match (inner.next(), inner.next()) {
            (Some(only), None) => p = only,
            _ => return p,
        }
    }
}

/// The end of a pair's text once trailing blanks and comments are dropped (for
/// closing punctuation such as `)` or `}` that is not a token of its own).
fn last_char_end(p: &P) -> usize {
    let s = p.as_span();
    let text = p.as_str();
    let mut keep = text.len();
    loop {
        let t = text.get(..keep).unwrap_or("").trim_end();
        keep = t.len();
        if !t.contains('#') {
            break;
        }
        // A trailing comment: the last line has a `#` outside a string.
        let line_start = t.rfind('\n').map(|i| i + 1).unwrap_or(0);
        let line = t.get(line_start..).unwrap_or("");
        match super::lex::comment_start(line) {
            Some(i) => keep = line_start + i,
            None => break,
        }
    }
    s.start() + keep
}

/// Parses a number literal as written (`1_150`, `85K`, `2.5%`) into an exact decimal.
pub(crate) fn parse_number(text: &str) -> Result<Decimal, String> {
    // The common case, `1200` or `1200.50` with at most 19 digits: no copy.
    if text.len() <= 19 {
        let mut mantissa: u64 = 0;
        let mut scale = 0u32;
        let (mut digits, mut dots) = (0, 0);
        for b in text.bytes() {
            match b {
                b'0'..=b'9' => {
                    mantissa = mantissa * 10 + u64::from(b - b'0');
                    digits += 1;
                    scale += dots;
                }
                b'.' => dots += 1,
                _ => {
                    dots = 2; // not plain: take the general path
                    break;
                }
            }
        }
        if digits > 0 && dots <= 1 && !text.ends_with('.') {
            return Ok(Decimal::from_i128_with_scale(i128::from(mantissa), scale).normalize());
        }
    }
    let mut s: String = text.chars().filter(|c| *c != '_').collect();
    let percent = s.ends_with('%');
    if percent {
        s.pop();
    }
    let scale = match s.chars().last() {
        Some('K') => Some(Decimal::from(1_000)),
        Some('M') => Some(Decimal::from(1_000_000)),
        Some('B') => Some(Decimal::from(1_000_000_000)),
        _ => None,
    };
    if scale.is_some() {
        s.pop();
    }
    let too_large = || format!("the number `{text}` is too large for an exact decimal");
    let too_precise = || format!("the number `{text}` has more digits than an exact decimal holds");
    let mut v = Decimal::from_str(&s).map_err(|_| too_large())?;
    // Parsing rounds digits past the 28th: refuse rather than change the number.
    if v.normalize().to_string() != plain_digits(&s) {
        return Err(too_precise());
    }
    if let Some(k) = scale {
        v = v.checked_mul(k).ok_or_else(too_large)?;
    }
    if percent {
        let p = v.checked_div(Decimal::from(100)).ok_or_else(too_large)?;
        if p.checked_mul(Decimal::from(100)) != Some(v) {
            return Err(too_precise());
        }
        v = p;
    }
    Ok(v.normalize())
}

/// A plain decimal as `Decimal::normalize` prints it: no leading zeros in the
/// integer part, no trailing zeros in the fraction (`007.50` → `7.5`).
fn plain_digits(s: &str) -> String {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let int = int.trim_start_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() {
        int.to_string()
    } else {
        format!("{int}.{frac}")
    }
}
