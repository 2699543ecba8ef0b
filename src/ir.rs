//! The resolved, typed plan: the contract between analysis and evaluation.
//!
//! Every name is an index here ([`ItemId`], [`ScenarioId`], …), every period is a
//! 0-based index into the plan's horizon (it may lie outside it, negative or past
//! the end, where the language allows that: `ramp` and `step` may start before the
//! horizon), user functions are inlined, and every driver and metric carries its
//! unit. Evaluation (`eval/`) and the consistency checks (`check/`) read only this.
//!
//! One exception to "complete after resolution": an item's inferred unit and
//! default roll-up ([`Item::unit`] and [`Item::aggregation`] when not written)
//! and the totals of dimensioned items are filled in by [`crate::infer`], which
//! [`crate::compile`] runs right after resolution, before anything reads the plan.

use crate::source::Span;
use crate::syntax::ast::{Aggregation, BinOp, ItemKind, PeriodKind, RangeShape, UnOp};
use crate::units::Unit;
use rust_decimal::Decimal;

/// Index of a driver or metric in [`Plan::items`].
pub(crate) type ItemId = usize;
/// Index of a scenario in [`Plan::scenarios`].
pub type ScenarioId = usize;
/// Index of a trigger in [`Plan::triggers`].
pub(crate) type TriggerId = usize;
/// Index of an initiative in [`Plan::initiatives`].
pub(crate) type InitiativeId = usize;

pub use crate::builtins::{Builtin, BUILTIN_SIGNATURES};

/// Largest exponent `pow` and `root` accept (the longest horizon, in months).
pub(crate) const MAX_EXPONENT: i64 = 1200;

/// A resolved expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What it computes.
    pub kind: ExprKind,
    /// Where it is written (for inlined function bodies: the call).
    pub span: Span,
}

/// The kinds of resolved expression.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A constant, with the unit written after it if any.
    Const(Decimal, Option<Unit>),
    /// A period as an argument: index into the horizon, and the period as written.
    Period(i64, PeriodKind),
    /// A window `a ..= b` (indices into the horizon).
    Window(i64, i64),
    /// The value of a driver or metric.
    Item(ItemId),
    /// Inside an override or a `set`: the overridden driver's value without it.
    Prior(ItemId),
    /// A unary operation.
    Unary(UnOp, Box<Expr>),
    /// A binary operation.
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `if c then a else b`.
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    /// A built-in function call.
    Call(Builtin, Vec<Expr>),
    /// `step { P: V, … }` sorted by period index.
    Step(StepBody),
    /// `x@P`: the value of `x` in one period (or rolled up over a quarter or year).
    At(Box<Expr>, i64, i64),
    /// Something that did not resolve; a diagnostic was already reported.
    Error,
}

/// The entries of a `step { P: V, … }`, sorted by period index, and whether
/// every value is a number written without a unit (a plain step: the common
/// case, a series typed in). Read as a slice of `(period index, value)`.
#[derive(Debug, Clone, PartialEq)]
pub struct StepBody {
    entries: Vec<(i64, Expr)>,
    plain: bool,
}

impl StepBody {
    /// The step of `entries` (already sorted by period index).
    pub(crate) fn new(entries: Vec<(i64, Expr)>) -> StepBody {
        let plain = entries
            .iter()
            .all(|(_, v)| matches!(v.kind, ExprKind::Const(_, None)));
        StepBody { entries, plain }
    }

    /// True when every value is a number written without a unit: the step
    /// reads no item, holds no error and brings no unit.
    pub(crate) fn is_plain(&self) -> bool {
        self.plain
    }
}

impl std::ops::Deref for StepBody {
    type Target = [(i64, Expr)];
    fn deref(&self) -> &[(i64, Expr)] {
        &self.entries
    }
}

impl<'a> IntoIterator for &'a StepBody {
    type Item = &'a (i64, Expr);
    type IntoIter = std::slice::Iter<'a, (i64, Expr)>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter()
    }
}

impl Expr {
    /// Calls `f` on this node and every node below it (iteratively; depth is bounded
    /// by the parser's nesting limit anyway), except the values of a plain step
    /// ([`StepBody::is_plain`]): numbers without a unit, which read nothing and hold
    /// no error. A 5-year monthly plan has sixty of them per step, and walks are
    /// many.
    pub(crate) fn walk<'a>(&'a self, f: &mut dyn FnMut(&'a Expr)) {
        let mut stack = vec![self];
        while let Some(e) = stack.pop() {
            f(e);
            match &e.kind {
                ExprKind::Unary(_, a) | ExprKind::At(a, _, _) => stack.push(a),
                ExprKind::Binary(_, a, b) => {
                    stack.push(b);
                    stack.push(a);
                }
                ExprKind::If(c, a, b) => {
                    stack.push(b);
                    stack.push(a);
                    stack.push(c);
                }
                ExprKind::Call(_, args) => stack.extend(args.iter().rev()),
                // The numbers of a plain step are not visited (see the doc).
                ExprKind::Step(s) if s.is_plain() => {}
                ExprKind::Step(entries) => stack.extend(entries.iter().rev().map(|(_, v)| v)),
                _ => {}
            }
        }
    }

    /// Every item this expression reads.
    pub(crate) fn items(&self) -> Vec<ItemId> {
        let mut out = Vec::new();
        self.walk(&mut |e| {
            if let ExprKind::Item(i) | ExprKind::Prior(i) = e.kind {
                out.push(i);
            }
        });
        out
    }

    /// True when part of the expression did not resolve (a diagnostic was already
    /// reported; later checks stay quiet about it).
    pub(crate) fn has_error(&self) -> bool {
        let mut found = false;
        self.walk(&mut |e| {
            if matches!(e.kind, ExprKind::Error) {
                found = true;
            }
        });
        found
    }
}

/// A party: a department or a role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Party {
    /// Index into [`Plan::departments`].
    Department(usize),
    /// Index into [`Plan::roles`].
    Role(usize),
}

/// A driver or a metric (initiative members included, named `initiative.member`).
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// Full name (`revenue`, `launch.spend`).
    pub name: String,
    /// Driver or metric.
    pub kind: ItemKind,
    /// The unit, declared or inferred.
    pub unit: Unit,
    /// True when the unit was written in the declaration.
    pub(crate) unit_declared: bool,
    /// How months roll up.
    pub(crate) aggregation: Aggregation,
    /// True when `stock`, `flow` or `average` was written.
    pub(crate) aggregation_declared: bool,
    /// The defining expression.
    pub(crate) expr: Expr,
    /// The department or role answerable for the item (`owner`), when given.
    pub(crate) owner: Option<Party>,
    /// `means TERM`: index into [`Plan::terms`].
    pub(crate) means: Option<usize>,
    /// `range LOW to HIGH`.
    pub(crate) range: Option<(Expr, Expr)>,
    /// The range's distribution and `per period`.
    pub(crate) range_shape: RangeShape,
    /// The initiative it belongs to.
    pub(crate) initiative: Option<InitiativeId>,
    /// `favourable higher` (Some(true)) or `favourable lower` (Some(false)) as
    /// written; None: decided by the targets that bound it (ACTUALS.md §4).
    pub(crate) favourable: Option<bool>,
    /// Span of the name in the declaration.
    pub(crate) name_span: Span,
    /// Span of the whole declaration.
    pub span: Span,
    /// Doc comment.
    pub(crate) doc: Option<String>,
    /// For a member or the total of a dimensioned item: index into
    /// [`Plan::dim_items`].
    pub(crate) group: Option<usize>,
}

/// A dimension: an ordered set of members (`dimension channel { … }`, or the
/// built-in `department`, whose members are the plan's departments).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Dimension {
    /// The name members are qualified by (`channel` in `spend[channel]`).
    pub name: String,
    /// The quoted title shown in reports.
    pub(crate) title: String,
    /// Members in order: name, title, span of the name (the department's name
    /// for the built-in dimension).
    pub(crate) members: Vec<(String, Option<String>, Span)>,
    /// Span of the name (default for the built-in `department`).
    pub span: Span,
}

impl Dimension {
    /// Index of the member named `name`.
    pub(crate) fn member(&self, name: &str) -> Option<usize> {
        self.members.iter().position(|m| m.0 == name)
    }
}

/// A dimensioned item (`spend: USD by channel`): one item per member, named
/// `spend[paid]` (`x[paid, emea]` for two dimensions), plus the total named
/// `spend` when it has one (flow and stock items sum their members; formula items
/// apply their formula to their operands' totals; average items have none).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DimItem {
    /// The declared name.
    pub name: String,
    /// Its dimensions (indices into [`Plan::dimensions`]), in the order of `by`.
    pub(crate) dims: Vec<usize>,
    /// Member items with their member index in each dimension, first dimension
    /// outermost (row-major).
    pub(crate) members: Vec<(Vec<usize>, ItemId)>,
    /// The total item.
    pub(crate) total: Option<ItemId>,
    /// How the total item is computed.
    pub(crate) total_rule: TotalRule,
    /// Span of the name in the declaration.
    pub(crate) name_span: Span,
}

/// How a dimensioned item's total is computed (DIMENSIONS.md §1).
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) enum TotalRule {
    /// No total: an average item.
    #[default]
    None,
    /// The sum of its members: flow and stock items.
    Sum,
    /// Its formula over its operands' totals: formula items and same-period ratios
    /// (`cpl = spend / leads` totals to total spend over total leads).
    Formula,
    /// The unit is not written, so which of the two applies is known once units
    /// are inferred (`infer` settles it): the sum until then, and the
    /// formula over the operands' totals when that resolved, for a ratio.
    Unsettled(Option<Box<Expr>>),
}

/// A department.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Department {
    /// The name owners and RACI charts refer to it by.
    pub name: String,
    /// The quoted title shown in reports.
    pub(crate) title: String,
    /// Who leads the department, as free text (`lead "…"`).
    pub(crate) lead: Option<String>,
    /// Span of the name.
    pub span: Span,
}

/// A role.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Role {
    /// The name owners and RACI charts refer to it by.
    pub name: String,
    /// The quoted title shown in reports.
    pub(crate) title: String,
    /// The department it sits in.
    pub(crate) department: Option<usize>,
    /// Span of the name.
    pub span: Span,
}

/// A glossary term.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Term {
    /// The word being defined.
    pub name: String,
    /// What the term means (`term NAME "definition"`), shown on hover.
    pub(crate) definition: String,
    /// Span of the name.
    pub span: Span,
}

/// One target (key result) of an objective.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// The condition, as resolved.
    pub expr: Expr,
    /// The condition as written, for reports.
    pub text: String,
}

/// An objective.
#[derive(Debug, Clone, PartialEq)]
pub struct Objective {
    /// The name `supports` lists and `plumb solve` refer to it by.
    pub name: String,
    /// The quoted title shown in reports.
    pub(crate) title: String,
    /// The department or role accountable for it (`owner`), when given.
    pub(crate) owner: Option<Party>,
    /// Objectives it supports (indices into [`Plan::objectives`]).
    pub(crate) supports: Vec<usize>,
    /// Its `target` conditions, in the order written (`objective#2` is the second).
    pub targets: Vec<Target>,
    /// Span of the name.
    pub span: Span,
}

/// `change D from A to B by P`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Change {
    /// The driver.
    pub(crate) item: ItemId,
    /// Value expected in the first period.
    pub(crate) from: Expr,
    /// Value expected at `by`.
    pub(crate) to: Expr,
    /// When `from` is a literal: one unit of its last written digit, in value
    /// terms (`22%` → 0.01, `85K` → 1000); the model agrees within half of it.
    pub(crate) from_step: Option<Decimal>,
    /// The same for `to`.
    pub(crate) to_step: Option<Decimal>,
    /// Index of the last month of `by` (`by 2026-Q2` means by June).
    pub(crate) by: i64,
    /// `by` as written.
    pub(crate) by_label: String,
    /// The statement.
    pub span: Span,
}

/// An assumption.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Assumption {
    /// The name `counterbalance` lists refer to it by.
    pub name: String,
    /// The sentence.
    pub(crate) title: String,
    /// Bets.
    pub(crate) changes: Vec<Change>,
    /// Conditions that must hold, with their text.
    pub(crate) maintains: Vec<(Expr, String)>,
    /// Counterbalancing assumptions.
    pub(crate) counterbalances: Vec<usize>,
    /// Dependencies (indices into [`Plan::dependencies`]).
    pub(crate) depends_on: Vec<(usize, Span)>,
    /// Indicators (items).
    pub(crate) indicators: Vec<ItemId>,
    /// The department or role accountable for it (`owner`), when given.
    pub(crate) owner: Option<Party>,
    /// Evidence lines.
    pub(crate) evidence: Vec<String>,
    /// `tolerance X`: how far actuals may stray from the assumed path.
    pub(crate) tolerance: Option<Decimal>,
    /// Span of the name.
    pub span: Span,
}

/// A dependency.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Dependency {
    /// The name `depends on` refers to it by.
    pub name: String,
    /// The quoted title shown in reports.
    pub(crate) title: String,
    /// The department or role accountable for it (`owner`), when given.
    pub(crate) owner: Option<Party>,
    /// Due period: index of its last month (`due 2026-Q1` means by March) and label.
    pub(crate) due: Option<(i64, String)>,
    /// Confidence (0..1).
    pub(crate) confidence: Option<Decimal>,
    /// `done P`: index of the last month of the period it was delivered, and label.
    pub(crate) done: Option<(i64, String)>,
    /// Span of the name.
    pub span: Span,
}

/// A risk.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Risk {
    /// The name it is declared under.
    pub name: String,
    /// The quoted title shown in reports.
    pub(crate) title: String,
    /// The department or role accountable for it (`owner`), when given.
    pub(crate) owner: Option<Party>,
    /// Likelihood (0..1).
    pub(crate) likelihood: Option<Decimal>,
    /// What happens if the risk materialises (`impact "…"`).
    pub(crate) impact: Option<String>,
    /// What is done to make it less likely or less costly (`mitigation "…"`).
    pub(crate) mitigation: Option<String>,
    /// The latest `reviewed P`: index of its last month, and label.
    pub(crate) reviewed: Option<(i64, String)>,
    /// Span of the name.
    pub span: Span,
}

/// A request: what a department asked and what it got.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Request {
    /// The name it is declared under.
    pub name: String,
    /// The quoted title shown in reports.
    pub(crate) title: String,
    /// Requesting department.
    pub(crate) from: Option<usize>,
    /// The ask, with its text.
    pub(crate) ask: Option<(Expr, String)>,
    /// The grant, with its text.
    pub(crate) grant: Option<(Expr, String)>,
    /// Decision text.
    pub(crate) decision: Option<String>,
    /// Approvers.
    pub(crate) approved_by: Vec<Party>,
    /// Span of the name.
    pub span: Span,
    /// `draw X from BUDGET` statements.
    pub(crate) draws: Vec<Draw>,
    /// `reallocate X from D1 to D2 in BUDGET` statements.
    pub(crate) reallocations: Vec<Reallocation>,
    /// `cost X`, with its text.
    pub(crate) cost: Option<(Expr, String)>,
    /// `return X`, with its text.
    pub(crate) ret: Option<(Expr, String)>,
    /// `supports OBJ, …` (indices into [`Plan::objectives`]).
    pub(crate) supports: Vec<usize>,
    /// A `grant` over dimensioned values: one condition per member, its text
    /// ending in the member (`… [paid]`); `grant` is then None.
    pub(crate) grant_members: Vec<(Expr, String)>,
}

/// `draw X from BUDGET`: X moves from the budget's contingency to the request's
/// department.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Draw {
    /// How much.
    pub(crate) amount: Expr,
    /// Index into [`Plan::budgets`].
    pub(crate) budget: usize,
    /// The statement.
    pub span: Span,
}

/// `reallocate X from D1 to D2 in BUDGET`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Reallocation {
    /// How much.
    pub(crate) amount: Expr,
    /// Giving department (index into [`Plan::departments`]).
    pub(crate) from: usize,
    /// Receiving department.
    pub(crate) to: usize,
    /// Index into [`Plan::budgets`].
    pub(crate) budget: usize,
    /// The statement.
    pub span: Span,
}

/// A budget: per department, a cap on the spend of an item by department.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Budget {
    /// The name draws and reallocations refer to it by.
    pub name: String,
    /// The quoted title shown in reports.
    pub(crate) title: String,
    /// Owner (approves contingency draws).
    pub(crate) owner: Option<Party>,
    /// The spend item (index into [`Plan::dim_items`]; by department).
    pub(crate) spend: Option<usize>,
    /// What each amount covers.
    pub(crate) per: crate::syntax::ast::BudgetPer,
    /// Amount per department: (department, amount).
    pub(crate) amounts: Vec<(usize, Expr)>,
    /// The contingency held centrally.
    pub(crate) contingency: Option<Expr>,
    /// `reallocation up to PCT approved by P`: the cap, its approver, the span.
    pub(crate) reallocation: Option<(Expr, Option<Party>, Span)>,
    /// Span of the name.
    pub span: Span,
}

/// A RACI entry.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Raci {
    /// The name it is declared under.
    pub name: String,
    /// The quoted title shown in reports.
    pub(crate) title: String,
    /// Who does the work (`responsible`).
    pub(crate) responsible: Vec<Party>,
    /// Who answers for the outcome (`accountable`).
    pub(crate) accountable: Vec<Party>,
    /// Who is asked before a decision (`consulted`).
    pub(crate) consulted: Vec<Party>,
    /// Who is told after a decision (`informed`).
    pub(crate) informed: Vec<Party>,
    /// Span of the name.
    pub span: Span,
    /// Span of the whole declaration.
    pub(crate) decl_span: Span,
    /// Each statement as written: its letter (`R`, `A`, `C`, `I`) and span.
    pub(crate) lines: Vec<(char, Span)>,
}

/// An initiative.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Initiative {
    /// The name its members are qualified by (`hiring.ramp`) and `pause` uses.
    pub name: String,
    /// The quoted title shown in reports.
    pub(crate) title: String,
    /// The department or role accountable for it (`owner`), when given.
    pub(crate) owner: Option<Party>,
    /// Start index: members are 0 before it.
    pub(crate) start: Option<i64>,
    /// Member items.
    pub(crate) members: Vec<ItemId>,
    /// Span of the name.
    pub span: Span,
}

/// A scenario override `X = E [from P]`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Override {
    /// The driver replaced.
    pub(crate) item: ItemId,
    /// The replacement; `Prior(item)` stands for the value it replaces.
    pub expr: Expr,
    /// First period index it applies to (0 when no `from`).
    pub(crate) from: i64,
    /// The statement.
    pub span: Span,
    /// `range LOW to HIGH` of the override (None: certain when simulated).
    pub(crate) range: Option<(Expr, Expr)>,
    /// The override range's distribution.
    pub(crate) range_shape: RangeShape,
}

/// `correlate A, B RHO`: a rank correlation between two ranged drivers.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Correlation {
    /// First driver.
    pub(crate) a: ItemId,
    /// Second driver.
    pub(crate) b: ItemId,
    /// Spearman rank correlation (−1 .. 1).
    pub(crate) rho: Decimal,
    /// The declaration.
    pub span: Span,
}

/// A scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// The name `extends`, `--scenario` and reports use.
    pub name: String,
    /// The quoted title shown in reports.
    pub(crate) title: String,
    /// The scenario it extends (None for base).
    pub(crate) parent: Option<ScenarioId>,
    /// Its own overrides, in order.
    pub(crate) overrides: Vec<Override>,
    /// Span of the name.
    pub span: Span,
}

/// A playbook action.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Action {
    /// `set D = E`; `Prior(D)` inside `E` is D without this action.
    Set(ItemId, Expr),
    /// `pause I`.
    Pause(InitiativeId),
}

/// `after N months: …`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Step {
    /// Months after firing.
    pub(crate) after: u32,
    /// What the step does when it runs (`set` a driver, `pause` an initiative), each with
    /// its span.
    pub(crate) actions: Vec<(Action, Span)>,
}

/// A trigger with its playbook.
#[derive(Debug, Clone, PartialEq)]
pub struct Trigger {
    /// The name reports and firing notes use.
    pub name: String,
    /// The quoted title shown in reports.
    pub(crate) title: String,
    /// Condition.
    pub(crate) when: Expr,
    /// Periods the condition must hold in a row.
    pub(crate) for_months: u32,
    /// Playbook.
    pub(crate) steps: Vec<Step>,
    /// The department or role accountable for it (`owner`), when given.
    pub(crate) owner: Option<Party>,
    /// The scenario it is declared in (None: every scenario).
    pub(crate) scope: Option<ScenarioId>,
    /// Span of the name.
    pub span: Span,
}

/// The whole resolved plan.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Plan {
    /// Name of the plan.
    pub name: String,
    /// The plan's quoted title, shown in report headings.
    pub(crate) title: String,
    /// Reporting currency.
    pub(crate) currency: String,
    /// Absolute month number of the first period.
    pub start: i64,
    /// Number of periods (months, quarters or years: see `period_months`).
    pub len: usize,
    /// Months in one period: 1 (a monthly plan), 3 (quarterly) or 12 (yearly);
    /// 0 is read as 1.
    pub(crate) period_months: i64,
    /// `fiscal year starts MONTH`: the month (0 = January … 11 = December) the
    /// fiscal year starts in, when written.
    pub(crate) fiscal_start: Option<u32>,
    /// `… named by start`: a fiscal year is named by the calendar year it starts
    /// in (by default, the one it ends in).
    pub(crate) fiscal_named_by_start: bool,
    /// Index of the base scenario.
    pub base: ScenarioId,
    /// Drivers and metrics in declaration order.
    pub items: Vec<Item>,
    /// Every `department`, in declaration order ([`Party::Department`] indexes it).
    pub(crate) departments: Vec<Department>,
    /// Every `role`, in declaration order ([`Party::Role`] indexes it).
    pub(crate) roles: Vec<Role>,
    /// Glossary.
    pub(crate) terms: Vec<Term>,
    /// Every `objective` with its targets, in declaration order.
    pub objectives: Vec<Objective>,
    /// Every `assumption` with its bets and conditions, in declaration order.
    pub(crate) assumptions: Vec<Assumption>,
    /// Every `dependency`, in declaration order.
    pub(crate) dependencies: Vec<Dependency>,
    /// Every `risk`, in declaration order.
    pub(crate) risks: Vec<Risk>,
    /// Every budget `request`, with its ask, grant, draws and reallocations.
    pub(crate) requests: Vec<Request>,
    /// RACI entries.
    pub(crate) raci: Vec<Raci>,
    /// Every `initiative`; its member items point back to it.
    pub(crate) initiatives: Vec<Initiative>,
    /// Scenarios; `base` first among equals, parents before children is not
    /// guaranteed: follow `parent`.
    pub scenarios: Vec<Scenario>,
    /// Triggers, top-level and scenario-scoped.
    pub triggers: Vec<Trigger>,
    /// Dimensions; the built-in `department` first.
    pub(crate) dimensions: Vec<Dimension>,
    /// Dimensioned items.
    pub(crate) dim_items: Vec<DimItem>,
    /// Every `budget`, with its amounts per department.
    pub(crate) budgets: Vec<Budget>,
    /// `actuals through P`: index of the last closed month, and the statement's span.
    pub(crate) actuals_through: Option<(i64, Span)>,
    /// `actuals "PATH"` declarations, in file and source order.
    pub actuals: Vec<ActualsSource>,
    /// `odds LOW to HIGH` of the plan block (None: the default 35% to 65%).
    pub odds: Option<(Decimal, Decimal)>,
    /// `correlate` declarations.
    pub(crate) correlations: Vec<Correlation>,
}

/// One `actuals "PATH" { … }` declaration, as written (the file is read by
/// [`crate::actuals`] through the compile's file system).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ActualsSource {
    /// The path as written, relative to the declaring file.
    pub path: String,
    /// Span of the path string (data errors are reported here).
    pub span: Span,
    /// `columns`: our column name (`period`, `name`, `value`, `unit`) → header in the file.
    pub(crate) columns: Vec<(String, String)>,
    /// `map "A" -> item`: each name in the file with the item it feeds and the
    /// span of the item's name.
    pub(crate) maps: Vec<(String, String, Span)>,
    /// `ignore` patterns (`*` is a wildcard).
    pub(crate) ignores: Vec<String>,
    /// `sheet "NAME"` of an `.xlsx` file.
    pub(crate) sheet: Option<String>,
}

impl Plan {
    /// Months in one of the plan's periods (1, 3 or 12).
    pub(crate) fn months_per_period(&self) -> i64 {
        self.period_months.max(1)
    }

    /// Absolute month number of the first month of period index `i`.
    pub(crate) fn first_month_of(&self, i: i64) -> i64 {
        self.start + i * self.months_per_period()
    }

    /// The period index an absolute month falls in (it may lie outside the
    /// horizon).
    pub(crate) fn index_of_month(&self, month: i64) -> i64 {
        (month - self.start).div_euclid(self.months_per_period())
    }

    /// Label of period index `i` in the plan's granularity: `2026-03`,
    /// `2027-Q1` (or `FY2027-Q1` when the quarters are fiscal), `2027`.
    pub fn period_label(&self, i: i64) -> String {
        crate::calendar::period_label(self, self.first_month_of(i))
    }

    /// Labels of every period of the horizon.
    pub fn period_labels(&self) -> Vec<String> {
        (0..self.len as i64).map(|i| self.period_label(i)).collect()
    }

    /// The chain of scenarios from base down to `s` (inclusive), base first.
    pub(crate) fn scenario_chain(&self, s: ScenarioId) -> Vec<ScenarioId> {
        let mut chain = vec![s];
        let mut cur = s;
        while let Some(p) = self.scenarios.get(cur).and_then(|x| x.parent) {
            if chain.contains(&p) || chain.len() > self.scenarios.len() {
                break;
            }
            chain.push(p);
            cur = p;
        }
        chain.reverse();
        chain
    }

    /// Triggers that apply in scenario `s`: top-level ones and those declared in it
    /// or a scenario it extends.
    pub(crate) fn triggers_for(&self, s: ScenarioId) -> Vec<TriggerId> {
        let chain = self.scenario_chain(s);
        self.triggers
            .iter()
            .enumerate()
            .filter(|(_, t)| t.scope.is_none_or(|sc| chain.contains(&sc)))
            .map(|(i, _)| i)
            .collect()
    }

    /// Index of the item named `name`.
    pub fn item(&self, name: &str) -> Option<ItemId> {
        self.items.iter().position(|i| i.name == name)
    }

    /// The dimensioned item `item` is a member or the total of, if any.
    pub(crate) fn dim_item(&self, item: ItemId) -> Option<&DimItem> {
        self.items
            .get(item)
            .and_then(|i| i.group)
            .and_then(|g| self.dim_items.get(g))
    }

    /// The display label of a member tuple (`paid`, `paid, emea`).
    pub(crate) fn member_label(&self, dims: &[usize], members: &[usize]) -> String {
        dims.iter()
            .zip(members)
            .map(|(d, m)| {
                self.dimensions
                    .get(*d)
                    .and_then(|x| x.members.get(*m))
                    .map(|x| x.0.as_str())
                    .unwrap_or("?")
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Index of the scenario named `name`.
    pub fn scenario(&self, name: &str) -> Option<ScenarioId> {
        self.scenarios.iter().position(|s| s.name == name)
    }

    /// Name of a party.
    pub(crate) fn party_name(&self, p: Party) -> &str {
        match p {
            Party::Department(i) => self
                .departments
                .get(i)
                .map(|d| d.name.as_str())
                .unwrap_or("?"),
            Party::Role(i) => self.roles.get(i).map(|d| d.name.as_str()).unwrap_or("?"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(kind: ExprKind) -> Expr {
        Expr {
            kind,
            span: Span::default(),
        }
    }

    fn count(e: &Expr) -> usize {
        let mut n = 0;
        e.walk(&mut |_| n += 1);
        n
    }

    #[test]
    fn a_plain_step_is_walked_without_its_numbers() {
        let plain = StepBody::new(vec![
            (0, node(ExprKind::Const(Decimal::ONE, None))),
            (3, node(ExprKind::Const(Decimal::TWO, None))),
        ]);
        assert!(plain.is_plain());
        assert_eq!(plain.len(), 2);
        let e = node(ExprKind::Step(plain));
        assert_eq!(count(&e), 1);
        assert!(e.items().is_empty());
        assert!(!e.has_error());
    }

    #[test]
    fn a_step_with_a_unit_a_name_or_an_error_is_walked_in_full() {
        let with = |v: ExprKind| {
            node(ExprKind::Step(StepBody::new(vec![
                (0, node(ExprKind::Const(Decimal::ONE, None))),
                (1, node(v)),
            ])))
        };
        let unit = with(ExprKind::Const(Decimal::ONE, Some(Unit::percent())));
        let name = with(ExprKind::Item(7));
        let error = with(ExprKind::Error);
        for e in [&unit, &name, &error] {
            assert!(matches!(&e.kind, ExprKind::Step(s) if !s.is_plain()));
            assert_eq!(count(e), 3);
        }
        assert_eq!(name.items(), vec![7]);
        assert!(error.has_error());
        assert!(!unit.has_error() && unit.items().is_empty());
    }
}
