//! Diagnostics: errors and warnings as data, rendered in one place.
//!
//! Every stage reports problems as [`Diagnostic`] values carrying a stable
//! [`Code`] (the public contract of section 10 of the spec), a severity, a message,
//! labelled spans and an optional help line. This module turns them into rustc-like
//! text through miette ([`render_human`]) and into the JSON shape of `plumb check
//! --format json` ([`JsonDiagnostic`]). The language server converts them to LSP
//! in `lsp/`; nothing else formats diagnostics.

use crate::source::{SourceMap, Span};
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
    pub message: String,
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
}

impl Diagnostic {
    /// An error with `code` at `span`.
    pub fn error(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(code, Severity::Error, span, message)
    }

    /// A warning with `code` at `span`.
    pub fn warning(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
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
        }
    }

    /// Sets the primary label's text.
    pub fn with_label(mut self, message: impl Into<String>) -> Diagnostic {
        self.primary.message = message.into();
        self
    }

    /// Adds a secondary label.
    pub fn with_secondary(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.secondary.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    /// Sets the help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
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
    /// The message.
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
    source: miette::NamedSource<String>,
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

fn named_source(sources: &SourceMap, span: Span) -> miette::NamedSource<String> {
    match sources.get(span.file) {
        Some(f) => miette::NamedSource::new(f.name.clone(), f.text.clone()),
        None => miette::NamedSource::new("<unknown>", String::new()),
    }
}

fn labeled(sources: &SourceMap, label: &Label, primary: bool) -> miette::LabeledSpan {
    let len = sources
        .get(label.span.file)
        .map(|f| f.text.len())
        .unwrap_or(0);
    let start = (label.span.start as usize).min(len);
    let end = (label.span.end as usize).clamp(start, len);
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

fn to_miette(d: &Diagnostic, sources: &SourceMap) -> MietteDiag {
    let file = d.primary.span.file;
    let mut labels = vec![labeled(sources, &d.primary, true)];
    let mut related = Vec::new();
    for l in &d.secondary {
        if l.span.file == file {
            labels.push(labeled(sources, l, false));
        } else {
            related.push(MietteDiag {
                message: if l.message.is_empty() {
                    "related".into()
                } else {
                    l.message.clone()
                },
                code: String::new(),
                severity: miette::Severity::Advice,
                help: None,
                source: named_source(sources, l.span),
                labels: vec![labeled(
                    sources,
                    &Label {
                        span: l.span,
                        message: String::new(),
                    },
                    true,
                )],
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
        source: named_source(sources, d.primary.span),
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
