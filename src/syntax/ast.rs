//! The abstract syntax tree: what a plan file says, with a [`Span`] on every node.
//!
//! The AST holds names as written; the resolver (`resolve.rs`) links them. Numbers
//! are already exact decimals (scale suffixes `K`, `M`, `B` and `%` applied).

use crate::source::Span;
use rust_decimal::Decimal;

/// A name as written, with its span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ident {
    /// The text (`sql_leads`, or `launch.spend` for an initiative member).
    pub name: String,
    /// Where it is written.
    pub span: Span,
}

/// A string literal with escapes already applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Str {
    /// The unescaped text.
    pub(crate) value: String,
    /// Span including the quotes.
    pub span: Span,
}

/// A period as written: a month, a quarter or a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// Which calendar period.
    pub(crate) kind: PeriodKind,
    /// Where it is written.
    pub(crate) span: Span,
}

/// A calendar period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PeriodKind {
    /// `2026-03`: year and month 1..=12.
    Month(i32, u32),
    /// `2026-Q2`: year and quarter 1..=4.
    Quarter(i32, u32),
    /// `2026`.
    Year(i32),
    /// `FY2027`: the fiscal year (its months depend on the plan's `fiscal year
    /// starts`; without it, the calendar year).
    FiscalYear(i32),
    /// `FY2027-Q1`: a fiscal quarter 1..=4.
    FiscalQuarter(i32, u32),
}

impl PeriodKind {
    /// Absolute month number of the last month (fiscal periods as calendar ones).
    pub(crate) fn last_month(self) -> i64 {
        self.last_month_in(Fiscal::default())
    }

    /// Absolute month number of the first month, in a plan whose fiscal year is
    /// `fiscal`.
    pub(crate) fn first_month_in(self, fiscal: Fiscal) -> i64 {
        let fy_start = |y: i32| {
            let s = i64::from(fiscal.start_month);
            // Named by the calendar year it ends in (unless `named by start`).
            let first_year = if fiscal.named_by_start || s == 0 {
                i64::from(y)
            } else {
                i64::from(y) - 1
            };
            first_year * 12 + s
        };
        match self {
            PeriodKind::Month(y, m) => i64::from(y) * 12 + i64::from(m) - 1,
            PeriodKind::Quarter(y, q) => i64::from(y) * 12 + (i64::from(q) - 1) * 3,
            PeriodKind::Year(y) => i64::from(y) * 12,
            PeriodKind::FiscalYear(y) => fy_start(y),
            PeriodKind::FiscalQuarter(y, q) => fy_start(y) + (i64::from(q) - 1) * 3,
        }
    }

    /// Absolute month number of the last month, in a plan whose fiscal year is
    /// `fiscal`.
    pub(crate) fn last_month_in(self, fiscal: Fiscal) -> i64 {
        self.first_month_in(fiscal) + self.months() - 1
    }

    /// How many months it spans (1, 3 or 12).
    pub(crate) fn months(self) -> i64 {
        match self {
            PeriodKind::Month(..) => 1,
            PeriodKind::Quarter(..) | PeriodKind::FiscalQuarter(..) => 3,
            PeriodKind::Year(..) | PeriodKind::FiscalYear(..) => 12,
        }
    }
}

impl std::fmt::Display for PeriodKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PeriodKind::Month(y, m) => write!(f, "{y:04}-{m:02}"),
            PeriodKind::Quarter(y, q) => write!(f, "{y:04}-Q{q}"),
            PeriodKind::Year(y) => write!(f, "{y:04}"),
            PeriodKind::FiscalYear(y) => write!(f, "FY{y:04}"),
            PeriodKind::FiscalQuarter(y, q) => write!(f, "FY{y:04}-Q{q}"),
        }
    }
}

/// Formats an absolute month number as `YYYY-MM`.
pub(crate) fn month_label(abs: i64) -> String {
    format!("{:04}-{:02}", abs.div_euclid(12), abs.rem_euclid(12) + 1)
}

/// One factor of a unit expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum UnitAtom {
    /// A named unit (`USD`, `fte`, `day`).
    Name(Ident),
    /// `%`.
    Percent(Span),
    /// `1` (as in `1/month`).
    One(Span),
    /// A parenthesised unit expression.
    Group(Box<UnitExpr>),
}

/// A unit expression such as `USD/deal` or `USD/(fte*month)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitExpr {
    /// The first factor.
    pub(crate) first: UnitAtom,
    /// Following factors with `true` for `*` and `false` for `/`.
    pub(crate) rest: Vec<(bool, UnitAtom)>,
    /// The whole unit.
    pub(crate) span: Span,
}

/// Unary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnOp {
    /// `-x`
    Neg,
    /// `not x`
    Not,
}

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `and`
    And,
    /// `or`
    Or,
}

impl BinOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::And => "and",
            BinOp::Or => "or",
        }
    }

    /// True for the six comparisons.
    pub(crate) fn is_comparison(self) -> bool {
        matches!(
            self,
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::Eq | BinOp::Ne
        )
    }
}

/// An expression node.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What kind of expression.
    pub kind: ExprKind,
    /// The whole expression.
    pub span: Span,
}

/// A plan's fiscal year: the month it starts in and how it is named.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub(crate) struct Fiscal {
    /// 0 = January … 11 = December.
    pub(crate) start_month: u32,
    /// `named by start`: named by the calendar year it starts in.
    pub(crate) named_by_start: bool,
}

/// The kinds of expression.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A number, with the text as written and an optional unit (`85K USD`).
    Number {
        /// The exact value, suffixes applied.
        value: Decimal,
        /// The literal as written (`85K`), kept for the formatter.
        text: String,
        /// The unit written after it, if any (boxed: most literals have none,
        /// and every expression node is as large as its largest kind).
        unit: Option<Box<UnitExpr>>,
    },
    /// A period used as a value (`2026-06` as an argument of `ramp`).
    Period(Period),
    /// `2026-01 .. 2026-06`.
    Range(Period, Period),
    /// A reference to a driver, metric or function parameter.
    Name(Ident),
    /// `-x`, `not x`.
    Unary(UnOp, Box<Expr>),
    /// `a + b` and friends.
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `if c then a else b`.
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `f(a, b)`.
    Call(Ident, Vec<Expr>),
    /// `step { 2026-01: 2, 2026-09: 1 }`.
    Step(Vec<(Period, Expr)>),
    /// `x@2026-06`.
    At(Box<Expr>, Period),
    /// `( x )`, kept so the formatter can keep the user's parentheses.
    Paren(Box<Expr>),
    /// `spend[paid]`, `x[paid, emea]`: one member of a dimensioned item.
    Member(Ident, Vec<Ident>),
    /// `{ paid: 60K, events: 30K, else: 0 }`: one value per member.
    Table(Vec<(TableKey, Expr)>),
}

/// The key of a member table entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TableKey {
    /// A member's name.
    Member(Ident),
    /// `else`: every member not listed (the span of the keyword).
    Else(Span),
}

impl TableKey {
    /// The key as written (`paid`, `else`).
    pub(crate) fn text(&self) -> &str {
        match self {
            TableKey::Member(i) => &i.name,
            TableKey::Else(_) => "else",
        }
    }
}

/// How an item rolls up from months to quarters and years.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Aggregation {
    /// Sum of the months (the default).
    Flow,
    /// The last month (balances).
    Stock,
    /// The average of the months (the default for ratio and duration drivers
    /// and single-valued metrics).
    Average,
    /// The item's formula over its operands' roll-ups (`cac` over a quarter is
    /// the quarter's spend over the quarter's deals; the default for ratio and
    /// duration metrics that read only same-period values).
    Formula,
}

/// Whether an item is an input or a formula.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ItemKind {
    /// An input; scenarios may override it.
    Driver,
    /// A formula.
    Metric,
}

impl ItemKind {
    /// `driver` or `metric`.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Driver => "driver",
            ItemKind::Metric => "metric",
        }
    }
}

/// `driver` and `metric` declarations.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemDecl {
    /// Driver or metric.
    pub(crate) kind: ItemKind,
    /// The declared name (`initiative.member` is qualified later) and its span.
    pub name: Ident,
    /// `: UNIT`, when written.
    pub(crate) unit: Option<UnitExpr>,
    /// `stock`, `flow`, `average` or `formula`, when written.
    pub(crate) aggregation: Option<(Aggregation, Span)>,
    /// `by DIM, …`: the dimensions it has one series per member of.
    pub(crate) by: Vec<Ident>,
    /// The defining expression.
    pub expr: Expr,
    /// `owner P`.
    pub owner: Option<Ident>,
    /// `means TERM`.
    pub(crate) means: Option<Ident>,
    /// `range LOW to HIGH`.
    pub(crate) range: Option<(Expr, Expr)>,
    /// `favourable higher` (true) or `favourable lower` (false), with the span.
    pub(crate) favourable: Option<(bool, Span)>,
    /// The range's distribution and whether each period draws on its own.
    pub(crate) range_shape: RangeShape,
}

/// The distribution of a driver's `range` (UNCERTAINTY.md §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub(crate) enum Distribution {
    /// PERT: a Beta distribution between LOW and HIGH, most likely at the plan.
    #[default]
    Pert,
    /// Triangular between LOW and HIGH, peaking at the plan.
    Triangular,
    /// Flat between LOW and HIGH.
    Uniform,
    /// Normal with LOW and HIGH as its 5th and 95th percentiles.
    Normal,
}

impl Distribution {
    /// The keyword (`pert`, `triangular`, `uniform`, `normal`).
    pub fn as_str(self) -> &'static str {
        match self {
            Distribution::Pert => "pert",
            Distribution::Triangular => "triangular",
            Distribution::Uniform => "uniform",
            Distribution::Normal => "normal",
        }
    }
}

/// What follows `range LOW to HIGH`: the distribution and `per period`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub(crate) struct RangeShape {
    /// The distribution (`pert` when none is written).
    pub(crate) dist: Distribution,
    /// True when the distribution word was written.
    pub(crate) dist_written: bool,
    /// `per period`: every period draws on its own.
    pub(crate) per_period: bool,
}

/// `correlate A, B RHO`.
#[derive(Debug, Clone, PartialEq)]
pub struct CorrelateDecl {
    /// The first driver.
    pub(crate) a: Ident,
    /// The second driver.
    pub(crate) b: Ident,
    /// The rank correlation, as written.
    pub(crate) rho: Decimal,
    /// The rank correlation's text.
    pub(crate) rho_text: String,
    /// Where RHO is written.
    pub(crate) rho_span: Span,
}

/// `plan NAME "title" { … }`.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanDecl {
    /// The plan's name.
    pub(crate) name: Ident,
    /// Its title.
    pub(crate) title: Option<Str>,
    /// `currency CODE`.
    pub(crate) currency: Option<Ident>,
    /// `periods P .. P`.
    pub(crate) periods: Option<(Period, Period)>,
    /// `base SCENARIO`.
    pub(crate) base: Option<Ident>,
    /// `fiscal year starts MONTH [named by start]`: the month as written, and
    /// whether `named by start` follows.
    pub(crate) fiscal: Option<(Ident, bool)>,
    /// `actuals through P`: the last closed period.
    pub(crate) actuals_through: Option<Period>,
    /// `odds LOW to HIGH`: the band of even odds (values, texts, statement span).
    pub(crate) odds: Option<(Decimal, Decimal, String, String, Span)>,
}

/// What an import names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportTarget {
    /// `import "teams/sales.plumb"`.
    Path(Str),
    /// `import std.saas`.
    Std(Ident),
}

/// An objective's `target` lines and links.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectiveDecl {
    /// The declared name and its span.
    pub(crate) name: Ident,
    /// The quoted title and its span.
    pub(crate) title: Str,
    /// `owner P`.
    pub(crate) owner: Option<Ident>,
    /// `supports O, …`.
    pub(crate) supports: Vec<Ident>,
    /// `target C` lines.
    pub(crate) targets: Vec<Expr>,
}

/// `change D from A to B by P`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Change {
    /// The driver that moves.
    pub(crate) driver: Ident,
    /// Its value in the first period.
    pub(crate) from: Expr,
    /// Its value at `by`.
    pub(crate) to: Expr,
    /// When it gets there.
    pub(crate) by: Period,
    /// The whole statement.
    pub span: Span,
}

/// An assumption: a bet (`change`) or a condition to hold (`maintain`).
#[derive(Debug, Clone, PartialEq)]
pub struct AssumptionDecl {
    /// The declared name and its span.
    pub(crate) name: Ident,
    /// The sentence.
    pub(crate) title: Str,
    /// `change …` statements.
    pub(crate) changes: Vec<Change>,
    /// `maintain C` statements.
    pub(crate) maintains: Vec<Expr>,
    /// `counterbalance A, …`.
    pub(crate) counterbalances: Vec<Ident>,
    /// `depends on D, …`.
    pub(crate) depends_on: Vec<Ident>,
    /// `indicator X`.
    pub(crate) indicators: Vec<Ident>,
    /// `owner P`.
    pub(crate) owner: Option<Ident>,
    /// Where the assumption comes from: each `evidence "…"` text.
    pub(crate) evidence: Vec<Str>,
    /// `tolerance X`: how far actuals may stray before `assumption-off-track` or
    /// `maintain-broken`.
    pub(crate) tolerance: Option<(Decimal, Span)>,
}

/// `dependency NAME "title" { … }`.
#[derive(Debug, Clone, PartialEq)]
pub struct DependencyDecl {
    /// The declared name and its span.
    pub(crate) name: Ident,
    /// The quoted title and its span.
    pub(crate) title: Str,
    /// `owner P`.
    pub(crate) owner: Option<Ident>,
    /// `due P`.
    pub(crate) due: Option<Period>,
    /// `confidence PCT`.
    pub(crate) confidence: Option<(Decimal, Span)>,
    /// `done P`: the period it was delivered.
    pub(crate) done: Option<Period>,
}

/// `risk NAME "title" { … }`.
#[derive(Debug, Clone, PartialEq)]
pub struct RiskDecl {
    /// The declared name and its span.
    pub(crate) name: Ident,
    /// The quoted title and its span.
    pub(crate) title: Str,
    /// `owner P`.
    pub(crate) owner: Option<Ident>,
    /// `likelihood PCT`.
    pub(crate) likelihood: Option<(Decimal, Span)>,
    /// What happens if the risk materialises (`impact "…"`).
    pub(crate) impact: Option<Str>,
    /// What is done to make it less likely or less costly (`mitigation "…"`).
    pub(crate) mitigation: Option<Str>,
    /// `reviewed P` lines: when the risk was last reviewed.
    pub(crate) reviewed: Vec<Period>,
}

/// `actuals "PATH" { … }`: where closed-period values come from.
#[derive(Debug, Clone, PartialEq)]
pub struct ActualsDecl {
    /// The file, relative to the declaring file.
    pub(crate) path: Str,
    /// `columns period "Month", name "Account", value "Amount"`: our column
    /// (`period`, `name`, `value`, `unit`) and the header it has in the file.
    pub(crate) columns: Vec<(Ident, Str)>,
    /// `map "A", "B" -> item`: names in the file and the item they feed.
    pub(crate) maps: Vec<(Vec<Str>, Ident)>,
    /// `ignore "9*"`: patterns of names no item tracks (`*` is a wildcard).
    pub(crate) ignores: Vec<Str>,
    /// `sheet "NAME"`: the worksheet of an `.xlsx` file.
    pub(crate) sheet: Option<Str>,
}

/// `request NAME "title" { … }`.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestDecl {
    /// The declared name and its span.
    pub(crate) name: Ident,
    /// The quoted title and its span.
    pub(crate) title: Str,
    /// `from DEPARTMENT`.
    pub(crate) from: Option<Ident>,
    /// `ask C`.
    pub(crate) ask: Option<Expr>,
    /// `grant C`.
    pub(crate) grant: Option<Expr>,
    /// The decision taken on the request, as free text (`decision "…"`).
    pub(crate) decision: Option<Str>,
    /// `approved by P, …`.
    pub(crate) approved_by: Vec<Ident>,
    /// `draw X from BUDGET` statements.
    pub(crate) draws: Vec<Draw>,
    /// `reallocate X from D1 to D2 in BUDGET` statements.
    pub(crate) reallocations: Vec<Reallocation>,
    /// `cost X`.
    pub(crate) cost: Option<Expr>,
    /// `return X`.
    pub(crate) ret: Option<Expr>,
    /// `supports OBJ, …`.
    pub(crate) supports: Vec<Ident>,
}

/// `draw X from BUDGET` in a request.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Draw {
    /// How much.
    pub(crate) amount: Expr,
    /// From which budget's contingency.
    pub(crate) budget: Ident,
    /// The statement.
    pub span: Span,
}

/// `reallocate X from D1 to D2 in BUDGET` in a request.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Reallocation {
    /// How much.
    pub(crate) amount: Expr,
    /// The giving department.
    pub(crate) from: Ident,
    /// The receiving department.
    pub(crate) to: Ident,
    /// The budget the money moves within (`in BUDGET`).
    pub(crate) budget: Ident,
    /// The statement.
    pub span: Span,
}

/// What a budget's `amount` covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum BudgetPer {
    /// The whole horizon (`amount { … }`).
    Horizon,
    /// Each quarter (`amount per quarter { … }`).
    Quarter,
    /// Each year (`amount per year { … }`).
    Year,
}

/// `budget NAME "title" { … }`.
#[derive(Debug, Clone, PartialEq)]
pub struct BudgetDecl {
    /// The declared name and its span.
    pub(crate) name: Ident,
    /// The quoted title and its span.
    pub(crate) title: Str,
    /// `owner P`.
    pub(crate) owner: Option<Ident>,
    /// `spend ITEM`.
    pub(crate) spend: Option<Ident>,
    /// `amount [per quarter|year] { … }`: what it covers, the member table and
    /// the statement's span.
    pub(crate) amount: Option<(BudgetPer, Expr, Span)>,
    /// `contingency X`.
    pub(crate) contingency: Option<Expr>,
    /// `reallocation up to PCT approved by P`: the cap, the approver, the span.
    pub(crate) reallocation: Option<(Expr, Ident, Span)>,
}

/// `raci NAME "title" { … }`.
#[derive(Debug, Clone, PartialEq)]
pub struct RaciDecl {
    /// The declared name and its span.
    pub(crate) name: Ident,
    /// The quoted title and its span.
    pub(crate) title: Str,
    /// Responsible parties.
    pub(crate) responsible: Vec<Ident>,
    /// Accountable parties (the checks want exactly one).
    pub(crate) accountable: Vec<Ident>,
    /// Consulted parties.
    pub(crate) consulted: Vec<Ident>,
    /// Informed parties.
    pub(crate) informed: Vec<Ident>,
    /// Spans of each keyword line, for diagnostics: (letter, span).
    pub(crate) lines: Vec<(char, Span)>,
}

/// `initiative NAME "title" { … }`.
#[derive(Debug, Clone, PartialEq)]
pub struct InitiativeDecl {
    /// The declared name and its span.
    pub(crate) name: Ident,
    /// The quoted title and its span.
    pub(crate) title: Str,
    /// `owner P`.
    pub(crate) owner: Option<Ident>,
    /// `start P`.
    pub(crate) start: Option<Period>,
    /// Member drivers and metrics, with names as written inside (without prefix),
    /// each with its own span and doc comment.
    pub(crate) members: Vec<(ItemDecl, Span, Option<String>)>,
}

/// `X = E [from P]` inside a scenario.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Override {
    /// The driver replaced.
    pub(crate) target: Ident,
    /// `[m, …]` after the driver: the one member replaced (empty: all of them).
    pub(crate) members: Vec<Ident>,
    /// The new expression.
    pub expr: Expr,
    /// From which period on.
    pub(crate) from: Option<Period>,
    /// The whole statement.
    pub span: Span,
    /// `range LOW to HIGH …` of the override.
    pub(crate) range: Option<(Expr, Expr)>,
    /// The override range's distribution.
    pub(crate) range_shape: RangeShape,
}

/// `scenario NAME "title" [extends S] { … }`.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioDecl {
    /// The declared name and its span.
    pub(crate) name: Ident,
    /// The quoted title and its span.
    pub(crate) title: Str,
    /// `extends S`.
    pub(crate) extends: Option<Ident>,
    /// Driver overrides.
    pub(crate) overrides: Vec<Override>,
    /// Triggers declared inside, with their spans and docs.
    pub(crate) triggers: Vec<(TriggerDecl, Span, Option<String>)>,
}

/// One action of a playbook step.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Action {
    /// `set D = E`, or `set D[m] = E` for one member.
    Set(Ident, Vec<Ident>, Expr),
    /// `pause I`.
    Pause(Ident),
}

/// The word after a count of periods in a trigger (`for 2 quarters`,
/// `after 1 month`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub(crate) enum PeriodWord {
    /// `month` / `months`.
    #[default]
    Month,
    /// `quarter` / `quarters`.
    Quarter,
    /// `year` / `years`.
    Year,
    /// `period` / `periods`: the plan's own periods.
    Period,
}

impl PeriodWord {
    /// The word as written (`month(s)` …).
    pub fn parse(s: &str) -> PeriodWord {
        match s.trim_end_matches('s') {
            "quarter" => PeriodWord::Quarter,
            "year" => PeriodWord::Year,
            "period" => PeriodWord::Period,
            _ => PeriodWord::Month,
        }
    }

    /// Months in one (None for `period`, which is whatever the plan's is).
    pub(crate) fn months(self) -> Option<i64> {
        match self {
            PeriodWord::Month => Some(1),
            PeriodWord::Quarter => Some(3),
            PeriodWord::Year => Some(12),
            PeriodWord::Period => None,
        }
    }

    /// The word for `n` of them (`1 month`, `2 quarters`).
    pub(crate) fn word(self, n: u32) -> &'static str {
        let one = n == 1;
        match self {
            PeriodWord::Month if one => "month",
            PeriodWord::Month => "months",
            PeriodWord::Quarter if one => "quarter",
            PeriodWord::Quarter => "quarters",
            PeriodWord::Year if one => "year",
            PeriodWord::Year => "years",
            PeriodWord::Period if one => "period",
            PeriodWord::Period => "periods",
        }
    }
}

/// `after N months: ACTION, …`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Step {
    /// How many periods (of `unit`) after firing.
    pub(crate) after: u32,
    /// Span of the number of periods.
    pub(crate) after_span: Span,
    /// `months`, `quarters`, `years` or `periods`, and where it is written.
    pub(crate) unit: (PeriodWord, Span),
    /// What happens.
    pub(crate) actions: Vec<(Action, Span)>,
    /// The whole statement.
    pub span: Span,
}

/// `trigger NAME "title" { … }`.
#[derive(Debug, Clone, PartialEq)]
pub struct TriggerDecl {
    /// The declared name and its span.
    pub(crate) name: Ident,
    /// The quoted title and its span.
    pub(crate) title: Str,
    /// `when C`.
    pub(crate) when: Option<Expr>,
    /// `for N months`.
    pub(crate) for_months: Option<(u32, Span)>,
    /// The word after `for N` and where it is written.
    pub(crate) for_unit: Option<(PeriodWord, Span)>,
    /// The playbook.
    pub(crate) steps: Vec<Step>,
    /// `owner P`.
    pub(crate) owner: Option<Ident>,
}

/// A top-level declaration.
#[derive(Debug, Clone, PartialEq)]
pub enum DeclKind {
    /// `plan`.
    Plan(PlanDecl),
    /// `import`.
    Import(ImportTarget),
    /// `unit NAME ["title"]`.
    Unit(Ident, Option<Str>),
    /// `department NAME "title" { lead … poc … }`.
    Department {
        /// The name.
        name: Ident,
        /// The title.
        title: Str,
        /// `lead "…"`.
        lead: Option<Str>,
        /// `poc "…"`.
        poc: Option<Str>,
    },
    /// `role NAME "title" [in DEPARTMENT]`.
    Role {
        /// The name.
        name: Ident,
        /// The title.
        title: Str,
        /// The department it sits in.
        department: Option<Ident>,
    },
    /// `term NAME "definition"`.
    Term(Ident, Str),
    /// `driver` / `metric`.
    Item(ItemDecl),
    /// `fn NAME(params) = EXPR`.
    Fn {
        /// The name.
        name: Ident,
        /// Parameters.
        params: Vec<Ident>,
        /// The body.
        body: Expr,
    },
    /// `objective`.
    Objective(ObjectiveDecl),
    /// `assumption`.
    Assumption(AssumptionDecl),
    /// `dependency`.
    Dependency(DependencyDecl),
    /// `risk`.
    Risk(RiskDecl),
    /// `request`.
    Request(RequestDecl),
    /// `raci`.
    Raci(RaciDecl),
    /// `initiative`.
    Initiative(InitiativeDecl),
    /// `scenario`.
    Scenario(ScenarioDecl),
    /// A top-level `trigger`.
    Trigger(TriggerDecl),
    /// `dimension NAME "title" { MEMBER ["title"] … }`.
    Dimension(DimensionDecl),
    /// `budget NAME "title" { … }`.
    Budget(BudgetDecl),
    /// `actuals "PATH" { … }`.
    Actuals(ActualsDecl),
    /// `correlate A, B RHO`.
    Correlate(CorrelateDecl),
}

/// `dimension NAME "title" { MEMBER ["title"] … }`.
#[derive(Debug, Clone, PartialEq)]
pub struct DimensionDecl {
    /// The declared name and its span.
    pub(crate) name: Ident,
    /// The quoted title and its span.
    pub(crate) title: Str,
    /// Members in order, each with its title when written.
    pub(crate) members: Vec<(Ident, Option<Str>)>,
}

impl DeclKind {
    /// The declaration keyword (`driver`, `scenario`, …).
    pub(crate) fn keyword(&self) -> &'static str {
        match self {
            DeclKind::Plan(_) => "plan",
            DeclKind::Import(_) => "import",
            DeclKind::Unit(..) => "unit",
            DeclKind::Department { .. } => "department",
            DeclKind::Role { .. } => "role",
            DeclKind::Term(..) => "term",
            DeclKind::Item(i) => i.kind.as_str(),
            DeclKind::Fn { .. } => "fn",
            DeclKind::Objective(_) => "objective",
            DeclKind::Assumption(_) => "assumption",
            DeclKind::Dependency(_) => "dependency",
            DeclKind::Risk(_) => "risk",
            DeclKind::Request(_) => "request",
            DeclKind::Raci(_) => "raci",
            DeclKind::Initiative(_) => "initiative",
            DeclKind::Scenario(_) => "scenario",
            DeclKind::Trigger(_) => "trigger",
            DeclKind::Dimension(_) => "dimension",
            DeclKind::Budget(_) => "budget",
            DeclKind::Actuals(_) => "actuals",
            DeclKind::Correlate(_) => "correlate",
        }
    }

    /// The declared name, if the declaration has one.
    pub(crate) fn name(&self) -> Option<&Ident> {
        match self {
            DeclKind::Plan(p) => Some(&p.name),
            DeclKind::Import(_) | DeclKind::Actuals(_) => None,
            DeclKind::Unit(n, _) | DeclKind::Term(n, _) => Some(n),
            DeclKind::Department { name, .. }
            | DeclKind::Role { name, .. }
            | DeclKind::Fn { name, .. } => Some(name),
            DeclKind::Item(i) => Some(&i.name),
            DeclKind::Objective(o) => Some(&o.name),
            DeclKind::Assumption(a) => Some(&a.name),
            DeclKind::Dependency(d) => Some(&d.name),
            DeclKind::Risk(r) => Some(&r.name),
            DeclKind::Request(r) => Some(&r.name),
            DeclKind::Raci(r) => Some(&r.name),
            DeclKind::Initiative(i) => Some(&i.name),
            DeclKind::Scenario(s) => Some(&s.name),
            DeclKind::Trigger(t) => Some(&t.name),
            DeclKind::Dimension(d) => Some(&d.name),
            DeclKind::Budget(b) => Some(&b.name),
            DeclKind::Correlate(_) => None,
        }
    }
}

/// A top-level declaration with its span and doc comment.
#[derive(Debug, Clone, PartialEq)]
pub struct Decl {
    /// What is declared.
    pub kind: DeclKind,
    /// From the keyword to the end of the declaration.
    pub span: Span,
    /// The `##` lines directly above, without the `## ` markers.
    pub doc: Option<String>,
}

/// A comment in the source, kept for the formatter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// The comment text including the leading `#`.
    pub(crate) text: String,
    /// Where it is.
    pub span: Span,
    /// True when code precedes it on the same line.
    pub(crate) trailing: bool,
}

/// One parsed file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct File {
    /// Declarations that parsed, in source order.
    pub decls: Vec<Decl>,
    /// Every comment in the file, in source order.
    pub comments: Vec<Comment>,
}
