//! Diagnostics: errors and warnings as data, rendered in one place.
//!
//! Every stage reports problems as [`Diagnostic`] values carrying a stable
//! [`Code`] (the public contract of section 10 of the spec), a severity, a message,
//! labelled spans, an optional help line, an optional typed fix, an optional
//! suggested name (the help's "did you mean", for the rename quick fix) and an
//! optional [`Subject`] (what it is about, for the later stages that decide on
//! it: they read the code, the suggestion and the subject, never the text). This module turns them into rustc-like
//! text through miette ([`render_human`]) and into the JSON shape of `plumb check
//! --format json` ([`JsonDiagnostic`]). Other formats start from those: the
//! SARIF log (`sarif.rs`) and GitHub annotations (`cli/check.rs`) from
//! [`JsonDiagnostic`], the language server's LSP diagnostics (`lsp/convert.rs`)
//! from [`Diagnostic`]. New codes go in the `codes!` table below.

use crate::source::{SourceFile, SourceMap, Span};
use std::fmt;

macro_rules! codes {
    ($($(#[$doc:meta])* $variant:ident = $text:literal,)*) => {
        /// A stable diagnostic code. `as_str` is what users see and what JSON carries.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $($(#[$doc])* $variant,)*
        }
        impl Code {
            /// Every code, in declaration order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];
            /// The code as written in the spec (`unit-mismatch`).
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $text,)* }
            }
        }
    };
}

codes! {
    /// The text does not follow the grammar.
    Syntax = "syntax",
    /// A name is used that no declaration introduces.
    UndefinedName = "undefined-name",
    /// Two declarations share a name.
    DuplicateName = "duplicate-name",
    /// A glossary term is defined twice.
    DuplicateTerm = "duplicate-term",
    /// Two sides of `+`, `-`, a comparison or `min`/`max` have different units.
    UnitMismatch = "unit-mismatch",
    /// A unit is neither declared, a currency, a time word nor `%`.
    UnknownUnit = "unknown-unit",
    /// Values depend on each other without `prev`.
    Cycle = "cycle",
    /// A scenario overrides something that is not a driver.
    OverrideNotDriver = "override-not-driver",
    /// An imported file does not exist.
    ImportNotFound = "import-not-found",
    /// Files import each other in a circle.
    ImportCycle = "import-cycle",
    /// An import points outside the entry file's directory.
    ImportOutsideRoot = "import-outside-root",
    /// A division by zero during evaluation.
    DivisionByZero = "division-by-zero",
    /// A number grew past what an exact decimal can hold.
    Overflow = "overflow",
    /// A period lies outside the plan's horizon.
    PeriodOutOfHorizon = "period-out-of-horizon",
    /// A `change` bet disagrees with the model's numbers.
    AssumptionModelMismatch = "assumption-model-mismatch",
    /// A `maintain` condition fails in some period.
    MaintainViolated = "maintain-violated",
    /// A dependency is due after the bet it supports starts changing.
    DependencyLate = "dependency-late",
    /// A request's `grant` does not hold in the base scenario.
    GrantModelMismatch = "grant-model-mismatch",
    /// A RACI entry does not have exactly one accountable party.
    RaciAccountable = "raci-accountable",
    /// A RACI entry has no responsible party.
    RaciResponsible = "raci-responsible",
    /// A bet has no counterbalance.
    BetWithoutCounterbalance = "bet-without-counterbalance",
    /// Something that needs an owner has none.
    MissingOwner = "missing-owner",
    /// A driver nothing uses.
    UnusedDriver = "unused-driver",
    /// A target is not met in the base scenario.
    TargetMissed = "target-missed",
    /// A top objective that no other objective supports.
    ObjectiveNotCascaded = "objective-not-cascaded",
    /// The input is larger or deeper than Plumb accepts.
    LimitExceeded = "limit-exceeded",
    /// A value is used where its kind does not fit (a period where a number is needed, …).
    TypeMismatch = "type-mismatch",
    /// The plan declaration is missing or repeated, or a file cannot be read.
    InvalidPlan = "invalid-plan",
    /// A number without `%` where a percentage is meant (`attach_rate: % = 82`).
    PercentAsNumber = "percent-as-number",
    /// The plan's `periods` mix granularities or end before they start.
    BadHorizon = "bad-horizon",
    /// A `step` entry after the horizon's end (it is never used).
    StepOutsideHorizon = "step-outside-horizon",
    /// An expression's dimensions differ from where it is used (DIMENSIONS.md).
    DimensionMismatch = "dimension-mismatch",
    /// A department's planned spend exceeds its budget allowance.
    OverBudget = "over-budget",
    /// Draws add up to more than a budget's contingency.
    ContingencyOverdrawn = "contingency-overdrawn",
    /// A contingency draw is not approved by the budget's owner.
    DrawNotApproved = "draw-not-approved",
    /// A department gives away more than the reallocation cap allows.
    ReallocationOverCap = "reallocation-over-cap",
    /// A reallocation lacks the approver's or the giving department's approval.
    ReallocationNotApproved = "reallocation-not-approved",
    /// A request with a draw or reallocation states no cost and return.
    RequestUnscored = "request-unscored",
    /// A value, period or header in an actuals file cannot be read as written.
    ActualsBadValue = "actuals-bad-value",
    /// An actuals file names something that is neither an item nor mapped or ignored.
    ActualsUnknownName = "actuals-unknown-name",
    /// Several actuals for the same non-flow item and period.
    ActualsDuplicate = "actuals-duplicate",
    /// An actuals row's unit is not the item's unit.
    ActualsUnit = "actuals-unit",
    /// Actuals after the last closed period (ignored).
    ActualsAfterClose = "actuals-after-close",
    /// Actuals outside the plan's horizon (ignored).
    ActualsOutOfHorizon = "actuals-out-of-horizon",
    /// An item with actuals for some closed periods but not all.
    ActualsMissing = "actuals-missing",
    /// A bet's driver or an indicator is off its assumed path on actuals.
    AssumptionOffTrack = "assumption-off-track",
    /// A `maintain` fails on the base forecast in a closed period.
    MaintainBroken = "maintain-broken",
    /// The outlook misses a target the plan meets, or misses it by more.
    TargetAtRisk = "target-at-risk",
    /// A trigger fired on actuals.
    TriggerFired = "trigger-fired",
    /// A dependency whose due period is closed and that is not done (or done late).
    DependencyOverdue = "dependency-overdue",
    /// A risk not reviewed within a quarter of the as-of period.
    RiskReviewDue = "risk-review-due",
    /// A driver's range does not contain its planned value, or LOW is above HIGH.
    RangeExcludesPlan = "range-excludes-plan",
    /// A base-case target's simulated odds of being met lie outside the plan's odds band.
    BaseCaseOdds = "base-case-odds",
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// Makes `plumb check` fail.
    Error,
    /// Reported, but only fails `check` under `--deny-warnings`.
    Warning,
}

impl Severity {
    /// `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A labelled span inside a diagnostic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What to say there (may be empty).
    pub(crate) message: String,
}

/// One problem found in a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The stable code.
    pub code: Code,
    /// Error or warning.
    pub severity: Severity,
    /// One sentence saying what is wrong.
    pub message: String,
    /// The main place.
    pub primary: Label,
    /// Other places worth showing ("first defined here").
    pub secondary: Vec<Label>,
    /// How to fix it, when known.
    pub help: Option<String>,
    /// The edit that fixes it, when one is certain (offered as a quick fix).
    pub(crate) fix: Option<Replacement>,
    /// The name the help proposes in place of the text at the primary span (a
    /// close declared name for a misspelt one), set with the help by
    /// [`Diagnostic::with_suggestion`]; the editor offers it as a rename.
    pub(crate) suggestion: Option<String>,
    /// What it is about, for the later stages that decide on it (`check::causes`,
    /// the quick fixes, the language server): typed, so nothing reads the text.
    pub(crate) subject: Option<Subject>,
}

/// What a diagnostic is about, beyond its code: set where it is made, read by
/// the stages that decide on it (never the message or help text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// `invalid-plan`: the entry file has no `plan` declaration.
    NoPlanDeclaration,
    /// An imported file that could not be read.
    UnreadableImport,
    /// `undefined-name`: no objective has the name written (the close one, if
    /// any, is the diagnostic's suggestion).
    NoSuchObjective,
    /// `objective-not-cascaded`: the top objective of this name.
    TopObjective(String),
    /// `undefined-name`: a value name that can be declared as a driver (the help
    /// proposes `driver NAME = 0`).
    UndeclaredValue,
    /// `undefined-name`: an owner, RACI party or approver that names no
    /// department or role (the close one, if any, is the diagnostic's suggestion).
    UndeclaredParty,
    /// `unknown-unit`: the unit of this name, which no declared unit is close
    /// to (the help proposes `unit NAME`).
    UndeclaredUnit(String),
}

/// A typed fix: replace the text at `span` with `text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Replacement {
    /// What the editor shows (``Write `1450` ``).
    pub(crate) title: String,
    /// The text replaced (empty to insert).
    pub span: Span,
    /// The new text (empty to delete).
    pub(crate) text: String,
}

impl Diagnostic {
    /// An error with `code` at `span`.
    pub(crate) fn error(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(code, Severity::Error, span, message)
    }

    /// A warning with `code` at `span`.
    pub(crate) fn warning(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(code, Severity::Warning, span, message)
    }

    fn new(code: Code, severity: Severity, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity,
            message: message.into(),
            primary: Label {
                span,
                message: String::new(),
            },
            secondary: Vec::new(),
            help: None,
            fix: None,
            suggestion: None,
            subject: None,
        }
    }

    /// Sets what the diagnostic is about.
    pub(crate) fn about(mut self, subject: Subject) -> Diagnostic {
        self.subject = Some(subject);
        self
    }

    /// True when the diagnostic is about `subject`.
    pub fn is_about(&self, subject: &Subject) -> bool {
        self.subject.as_ref() == Some(subject)
    }

    /// Sets the primary label's text.
    pub(crate) fn with_label(mut self, message: impl Into<String>) -> Diagnostic {
        self.primary.message = message.into();
        self
    }

    /// Adds a secondary label.
    pub(crate) fn with_secondary(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.secondary.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    /// Sets the quick fix: replace `span` with `text`.
    pub(crate) fn with_fix(
        mut self,
        title: impl Into<String>,
        span: Span,
        text: impl Into<String>,
    ) -> Diagnostic {
        self.fix = Some(Replacement {
            title: title.into(),
            span,
            text: text.into(),
        });
        self
    }

    /// Adds secondary labels (`(span, message)` pairs).
    pub(crate) fn with_secondaries(
        mut self,
        labels: impl IntoIterator<Item = (Span, String)>,
    ) -> Diagnostic {
        for (span, message) in labels {
            self.secondary.push(Label { span, message });
        }
        self
    }

    /// Proposes `name` in place of the text at the primary span: the help
    /// ``did you mean `name`?`` and the suggestion the editor offers as a rename.
    pub(crate) fn with_suggestion(self, name: impl Into<String>) -> Diagnostic {
        self.with_suggestion_worded(name, |quoted| format!("did you mean {quoted}?"))
    }

    /// Like [`Diagnostic::with_suggestion`], with the help worded around the
    /// name: `wording` gets it in backquotes (`` `name` ``), so the help and the
    /// suggestion are made from the one value.
    pub(crate) fn with_suggestion_worded(
        mut self,
        name: impl Into<String>,
        wording: impl FnOnce(&str) -> String,
    ) -> Diagnostic {
        let name = name.into();
        self.help = Some(wording(&format!("`{name}`")));
        self.suggestion = Some(name);
        self
    }

    /// Sets the help line.
    pub(crate) fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Sorts diagnostics by file, position, code, severity (errors first) and message,
/// and drops exact repeats,
/// so output is deterministic.
pub fn sort_and_dedup(diags: &mut Vec<Diagnostic>) {
    diags.sort_by(|a, b| {
        (
            a.primary.span.file,
            a.primary.span.start,
            a.primary.span.end,
            a.code,
            a.severity,
            &a.message,
        )
            .cmp(&(
                b.primary.span.file,
                b.primary.span.start,
                b.primary.span.end,
                b.code,
                b.severity,
                &b.message,
            ))
    });
    diags.dedup();
}

/// The element shape of `plumb check --format json`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct JsonDiagnostic {
    /// Diagnostic code (`unit-mismatch`).
    pub code: String,
    /// `error` or `warning`.
    pub severity: String,
    /// The one-line message, without labels or help.
    pub message: String,
    /// File name as shown to the user.
    pub file: String,
    /// 1-based start line.
    pub line: usize,
    /// 1-based start column (characters).
    pub column: usize,
    /// 1-based end line.
    pub end_line: usize,
    /// 1-based end column (characters, exclusive).
    pub end_column: usize,
    /// The help line, or null.
    pub help: Option<String>,
}

impl JsonDiagnostic {
    /// Converts a diagnostic, resolving its primary span to lines and columns.
    pub fn from_diagnostic(d: &Diagnostic, sources: &SourceMap) -> JsonDiagnostic {
        let (file, (line, column), (end_line, end_column)) = match sources.get(d.primary.span.file)
        {
            Some(f) => (
                f.name.clone(),
                f.line_col(d.primary.span.start),
                f.line_col(d.primary.span.end),
            ),
            None => (String::new(), (1, 1), (1, 1)),
        };
        JsonDiagnostic {
            code: d.code.as_str().to_string(),
            severity: d.severity.as_str().to_string(),
            message: d.message.clone(),
            file,
            line,
            column,
            end_line,
            end_column,
            help: d.help.clone(),
        }
    }
}

/// Options for the human renderer.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    /// Use ANSI colours.
    pub color: bool,
    /// Terminal width to wrap at (0 for the default of 100).
    pub width: usize,
}

/// A diagnostic bound to its source text, in the form miette renders.
#[derive(Debug)]
struct MietteDiag {
    message: String,
    code: String,
    severity: miette::Severity,
    help: Option<String>,
    source: Excerpt,
    labels: Vec<miette::LabeledSpan>,
    related: Vec<MietteDiag>,
}

impl fmt::Display for MietteDiag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for MietteDiag {}

impl miette::Diagnostic for MietteDiag {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        if self.code.is_empty() {
            None
        } else {
            Some(Box::new(&self.code))
        }
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(
                self.related.iter().map(|d| d as &dyn miette::Diagnostic),
            ))
        }
    }
}

/// Lines kept above and below the labels in an [`Excerpt`].
const EXCERPT_CONTEXT: usize = 3;
/// Longest line shown whole; longer lines are cut around their labels.
const MAX_SHOWN_LINE: usize = 400;
/// Bytes kept on each side of a label on a cut line.
const CUT_MARGIN: usize = 40;

/// The part of a file one diagnostic shows: the lines around its labels, with very
/// long lines cut down around the labels. Rendering then costs the size of the
/// excerpt, not of the file (whole-file copies made thousands of diagnostics
/// quadratic), and no caret sits past column 65,535 (where miette panics).
#[derive(Debug)]
struct Excerpt {
    name: String,
    text: String,
    /// 0-based line of the file where `text` begins.
    first_line: usize,
    /// Per line of `text`: its start in `text`, its start in the file, the byte
    /// of the file line where the shown part begins and the length of the `…`
    /// put before it.
    lines: Vec<ExcerptLine>,
}

#[derive(Debug, Clone, Copy)]
struct ExcerptLine {
    at: usize,
    file_start: usize,
    file_end: usize,
    from: usize,
    to: usize,
    prefix: usize,
}

impl Excerpt {
    /// The excerpt of `file` covering the byte ranges `spans` (unclamped).
    fn new(file: Option<&SourceFile>, spans: &[(usize, usize)]) -> Excerpt {
        let Some(file) = file else {
            return Excerpt {
                name: "<unknown>".into(),
                text: String::new(),
                first_line: 0,
                lines: Vec::new(),
            };
        };
        let line = |o: usize| file.line_of(u32::try_from(o).unwrap_or(u32::MAX)).0;
        let lo = spans.iter().map(|s| line(s.0)).min().unwrap_or(0);
        let hi = spans.iter().map(|s| line(s.1)).max().unwrap_or(0);
        let first = lo.saturating_sub(EXCERPT_CONTEXT);
        let last = (hi + EXCERPT_CONTEXT).min(file.line_count().saturating_sub(1));
        let mut text = String::new();
        let mut lines = Vec::new();
        for l in first..=last {
            let Some((s, e)) = file.line_range(l) else {
                break;
            };
            let whole = file.text.get(s..e).unwrap_or("");
            let (from, to) = if whole.len() <= MAX_SHOWN_LINE {
                (0, whole.len())
            } else {
                // Show the labels on this line, or the line's start.
                let on: Vec<(usize, usize)> = spans
                    .iter()
                    .filter(|(a, b)| *a <= e && *b >= s)
                    .map(|(a, b)| {
                        (
                            a.saturating_sub(s).min(whole.len()),
                            b.saturating_sub(s).min(whole.len()),
                        )
                    })
                    .collect();
                let a = on.iter().map(|x| x.0).min().unwrap_or(0);
                let b = on
                    .iter()
                    .map(|x| x.1)
                    .max()
                    .unwrap_or(0)
                    .min(a + MAX_SHOWN_LINE / 2);
                let mut from = a.saturating_sub(CUT_MARGIN);
                let mut to = (b + CUT_MARGIN).max(from + CUT_MARGIN).min(whole.len());
                while from > 0 && !whole.is_char_boundary(from) {
                    from -= 1;
                }
                while to < whole.len() && !whole.is_char_boundary(to) {
                    to += 1;
                }
                (from, to)
            };
            let prefix = if from > 0 { "…" } else { "" };
            let at = text.len();
            text.push_str(prefix);
            text.push_str(whole.get(from..to).unwrap_or(""));
            if to < whole.len() {
                text.push('…');
                if whole.ends_with('\n') {
                    text.push('\n');
                }
            }
            lines.push(ExcerptLine {
                at,
                file_start: s,
                file_end: e,
                from,
                to,
                prefix: prefix.len(),
            });
        }
        Excerpt {
            name: file.name.clone(),
            text,
            first_line: first,
            lines,
        }
    }

    /// Where byte `offset` of the file is in the excerpt (clamped to what is shown).
    fn map(&self, offset: usize) -> usize {
        let Some(l) = self
            .lines
            .iter()
            .rev()
            .find(|l| l.file_start <= offset)
            .or_else(|| self.lines.first())
        else {
            return 0;
        };
        let within = offset
            .saturating_sub(l.file_start)
            .min(l.file_end.saturating_sub(l.file_start));
        let within = within.clamp(l.from, l.to);
        l.at + l.prefix + (within - l.from)
    }
}

impl miette::SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let inner = self.text.as_bytes().read_span(span, before, after)?;
        // Line numbers and columns of the file, not of the excerpt.
        let column = match self.lines.get(inner.line()) {
            Some(l) if inner.column() > 0 => l.from + inner.column().saturating_sub(l.prefix),
            _ => inner.column(),
        };
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.first_line,
            column,
            // miette counts lines from the start of the file here (and merges
            // snippets by it): do the same, so output matches a whole-file render.
            inner.line_count() + self.first_line,
        )))
    }
}

fn excerpt(sources: &SourceMap, labels: &[&Label]) -> Excerpt {
    let file = labels.first().map(|l| l.span.file);
    let spans: Vec<(usize, usize)> = labels
        .iter()
        .map(|l| (l.span.start as usize, l.span.end as usize))
        .collect();
    Excerpt::new(file.and_then(|f| sources.get(f)), &spans)
}

fn labeled(source: &Excerpt, label: &Label, primary: bool) -> miette::LabeledSpan {
    let start = source.map(label.span.start as usize);
    let end = source.map(label.span.end as usize).max(start);
    let text = if label.message.is_empty() {
        None
    } else {
        Some(label.message.clone())
    };
    if primary {
        miette::LabeledSpan::new_primary_with_span(text, start..end)
    } else {
        miette::LabeledSpan::new_with_span(text, start..end)
    }
}

/// A secondary label further than this many lines from the primary one is shown
/// in its own snippet after the diagnostic (like a label in another file), so a
/// snippet never spans the lines between two distant places.
const NEAR_LINES: usize = 60;

fn to_miette(d: &Diagnostic, sources: &SourceMap) -> MietteDiag {
    let file = d.primary.span.file;
    let line = |s: Span| {
        sources
            .get(s.file)
            .map(|f| f.line_of(s.start).0)
            .unwrap_or(0)
    };
    let primary_line = line(d.primary.span);
    let near = |l: &Label| l.span.file == file && line(l.span).abs_diff(primary_line) <= NEAR_LINES;
    let here: Vec<&Label> = std::iter::once(&d.primary)
        .chain(d.secondary.iter().filter(|l| near(l)))
        .collect();
    let source = excerpt(sources, &here);
    let mut labels = vec![labeled(&source, &d.primary, true)];
    let mut related = Vec::new();
    for l in &d.secondary {
        if near(l) {
            labels.push(labeled(&source, l, false));
        } else {
            let bare = Label {
                span: l.span,
                message: String::new(),
            };
            let there = excerpt(sources, &[&bare]);
            related.push(MietteDiag {
                message: if l.message.is_empty() {
                    "related".into()
                } else {
                    l.message.clone()
                },
                code: String::new(),
                severity: miette::Severity::Advice,
                help: None,
                labels: vec![labeled(&there, &bare, true)],
                source: there,
                related: Vec::new(),
            });
        }
    }
    MietteDiag {
        message: d.message.clone(),
        code: format!("plumb::{}", d.code.as_str()),
        severity: match d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        },
        help: d.help.clone(),
        source,
        labels,
        related,
    }
}

/// Renders one diagnostic the way rustc would: code, message, the source line
/// with carets and labels, then help.
pub fn render_human(d: &Diagnostic, sources: &SourceMap, opts: RenderOptions) -> String {
    let theme = if opts.color {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    let handler = miette::GraphicalReportHandler::new_themed(theme)
        .with_width(if opts.width == 0 { 100 } else { opts.width })
        .with_links(false);
    let md = to_miette(d, sources);
    let mut out = String::new();
    if handler.render_report(&mut out, &md).is_err() {
        out = format!("{}: {} [{}]\n", d.severity.as_str(), d.message, d.code);
    }
    out
}

/// A one-line summary such as `2 errors, 1 warning`.
pub fn summary(diags: &[Diagnostic]) -> String {
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}
