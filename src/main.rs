//! The `plumb` command line: thin wrappers over the library that do the I/O,
//! pick a renderer and set the exit code (0 success, 1 the plan has errors, 2 usage
//! or I/O error).

mod cli;

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

/// mimalloc instead of the system allocator: compiling a large plan makes
/// millions of small allocations (syntax tree nodes, names, units), and the
/// system allocator spent about a quarter of the front end's time on them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Plumb: plan-as-code for finance teams. Check a plan's consistency, evaluate it
/// into monthly projections per scenario, review changes in pull requests.
#[derive(Debug, Parser)]
#[command(name = "plumb", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Validate plans: syntax, names, units, cycles, targets and the plan's story.
    ///
    /// Each PATH is a plan file or a directory; in a directory every `.plumb` file
    /// with a `plan` declaration is checked as an entry file. Exits 1 when a plan
    /// has errors (or warnings, with --deny-warnings).
    Check(CheckArgs),
    /// Evaluate a plan and print its projections, targets and triggers.
    ///
    /// Every scenario is shown unless --scenario picks some. Tables round for
    /// reading; --format json and csv carry every digit.
    Run(RunArgs),
    /// Rewrite plan files in the canonical layout.
    ///
    /// Each PATH is a file or a directory (every `.plumb` file below it); default:
    /// the current directory. `-` reads standard input and writes standard output.
    /// Comments and `##` doc comments stay in place, and the result always means
    /// the same plan. Files with syntax errors are reported and left untouched.
    /// With --check nothing is written: unformatted files are listed and the exit
    /// code is 1.
    Fmt(FmtArgs),
    /// Semantic diff of two versions of a plan, for review.
    ///
    /// `plumb diff OLD NEW` compares two files (`/dev/null` stands for a missing
    /// version). `plumb diff --git REV [FILE]` compares FILE as it is in git
    /// revision REV (imports read from REV too) with the work tree;
    /// `--git REV1..REV2` compares two revisions. Without FILE, every plan file below
    /// the current directory is compared. Shows declarations added, removed,
    /// changed and renamed; every target per scenario (before → after, gap, flips
    /// between met and missed); the drivers and metrics whose values move, biggest
    /// movers first; assumption, owner and RACI changes; trigger firings and
    /// diagnostics introduced or fixed. Exits 1 when the new version has errors.
    Diff(DiffArgs),
    /// Show how a value is derived, as a tree down to the drivers.
    ///
    /// NAME is a driver, a metric (initiative members as `initiative.member`) or
    /// an objective (each target is explained). Each step shows the formula as
    /// written, its value in the period (or the roll-up over the horizon when no
    /// --period is given: the item's roll-up — flow, stock, average or formula),
    /// and which scenario override or trigger `set` produced a driver's value.
    Explain(ExplainArgs),
    /// Write the plan as a static HTML site: company, department and role pages.
    ///
    /// Bullet charts for targets per scenario, a line chart per driver and metric,
    /// the trigger timeline, assumptions with their status, requests, RACI, risks
    /// and dependencies. Self-contained (inline SVG and CSS, no script, nothing
    /// fetched) and byte-identical for the same input.
    Report(ReportArgs),
    /// Export the plan as a spreadsheet (xlsx) with roll-up formulas.
    Export(ExportArgs),
    /// Plan against actuals: variance per closed period, outlook, targets,
    /// assumptions, and why the gap exists (--explain ITEM).
    ///
    /// Reads the files the plan's `actuals "PATH"` declarations name (never
    /// writing them). --as-of replays any past close. Warnings alone exit 0.
    Variance(VarianceArgs),
    /// Simulate the plan: the odds of every target, percentiles of every value.
    ///
    /// Every ranged driver is drawn in each run (one quantile per driver per run,
    /// or per period with `per period`) and the plan is evaluated with its
    /// triggers. Reproducible: the same plan, seed and sample count give the same
    /// output on any number of threads.
    Simulate(cli::simulate::SimulateArgs),
    /// A tornado: each ranged driver at its 10th and 90th percentile.
    ///
    /// The output is an objective's target (its projected value) or an item's
    /// roll-up over the horizon or --period; drivers sorted by swing, widest first.
    Sensitivity(cli::sensitivity::SensitivityArgs),
    /// What would it take: the smallest change to one driver that makes a target hold.
    ///
    /// Scales the driver (or, with --shift, adds a constant to it) in every
    /// period; prints the value to six significant digits and the line to paste
    /// into a scenario. Exits 1 when no value within the bounds works.
    Solve(cli::solve::SolveArgs),
    /// Run the language server on stdin and stdout (for editors).
    ///
    /// Diagnostics as you type, hover with values, go to definition, references,
    /// rename, symbols, completion, signature help, semantic tokens, formatting,
    /// inlay hints, quick fixes and folding. See the README for editor setup.
    #[cfg(feature = "lsp")]
    Lsp,
}

/// Output formats of `plumb check`.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum CheckFormat {
    /// rustc-style diagnostics with source excerpts.
    Human,
    /// One JSON array of diagnostics.
    Json,
    /// GitHub Actions workflow annotations.
    Github,
    /// A SARIF 2.1.0 log, for code-scanning dashboards.
    Sarif,
}

/// Arguments of `plumb check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Plan files or directories (default: the current directory).
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: CheckFormat,
    /// Fail (exit 1) on warnings too.
    #[arg(long)]
    pub deny_warnings: bool,
    /// The last closed period for plans with actuals (wins over `actuals through`).
    #[arg(long, value_name = "P")]
    pub as_of: Option<String>,
    /// Also simulate the plan and warn (`base-case-odds`) about base-case
    /// targets whose odds lie outside the plan's `odds` band.
    #[arg(long)]
    pub simulate: bool,
    /// Runs for --simulate.
    #[arg(long, default_value_t = plumb::uncertainty::simulate::DEFAULT_SAMPLES, value_name = "N", requires = "simulate")]
    pub samples: usize,
    /// Seed for --simulate.
    #[arg(long, default_value_t = 0, value_name = "S", requires = "simulate")]
    pub seed: u64,
}

/// Output formats of `plumb run`.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum RunFormat {
    /// Aligned tables with units and thousands separators.
    Table,
    /// One JSON object with exact decimal strings.
    Json,
    /// CSV with exact values, one row per scenario and item.
    Csv,
    /// Markdown tables, ready for a pull request or a doc.
    Markdown,
}

/// Period grouping of `plumb run`.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ByArg {
    /// One column per month.
    Month,
    /// Quarters (fiscal ones when the plan has a fiscal year), each item rolled up
    /// by its roll-up (flow, stock, average or formula).
    Quarter,
    /// Years (fiscal ones when the plan has a fiscal year), rolled up the same way.
    Year,
}

/// Arguments of `plumb run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The plan's entry file.
    pub file: PathBuf,
    /// Only these scenarios (repeatable); default: all.
    #[arg(long = "scenario", short = 's', value_name = "S")]
    pub scenarios: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: RunFormat,
    /// Group periods by month, quarter or year (default: month). With CSV, an
    /// explicit --by also adds a `total` column (the horizon rolled up).
    #[arg(long, value_enum)]
    pub by: Option<ByArg>,
    /// With --format csv: print these tables instead of the items table
    /// (repeatable; `items` and `all` include it). Each is a CSV block with its
    /// own header, blocks separated by an empty line.
    #[arg(long, value_enum, value_name = "SECTION")]
    pub section: Vec<CsvSection>,
    /// The last closed period (wins over the plan's `actuals through`).
    #[arg(long, value_name = "P")]
    pub as_of: Option<String>,
}

/// Tables of `plumb run --format csv --section`.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum CsvSection {
    /// The items table (the default).
    Items,
    /// Targets per scenario: projected, threshold, gap, met.
    Targets,
    /// Requests per scenario: ask, grant, gap.
    Requests,
    /// Budgets by department (a header only while the plan has none).
    Budgets,
    /// Every table.
    All,
}

/// Arguments of `plumb report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// The plan's entry file.
    pub file: PathBuf,
    /// Output directory (default: `plumb-report`).
    #[arg(long, short = 'o', value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// The last month with actuals (`2026-06`): charts are solid to it and dashed
    /// after. Applies to plans with actuals.
    #[arg(long, value_name = "P")]
    pub as_of: Option<String>,
    /// Monte Carlo samples for drivers with ranges (applies to plans with ranges).
    #[arg(long, value_name = "N")]
    pub samples: Option<u32>,
    /// Random seed of the simulation (applies to plans with ranges).
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
}

/// Export formats of `plumb export`.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ExportFormat {
    /// An Excel workbook (Office Open XML).
    Xlsx,
}

/// Arguments of `plumb export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The plan's entry file.
    pub file: PathBuf,
    /// Output format.
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// Output file (default: `PLAN.xlsx`, after the plan's name).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The last month with actuals (applies to plans with actuals).
    #[arg(long, value_name = "P")]
    pub as_of: Option<String>,
}

/// Arguments of `plumb fmt`.
#[derive(Debug, clap::Args)]
pub struct FmtArgs {
    /// Plan files or directories, or `-` for standard input (default: the current
    /// directory).
    pub paths: Vec<PathBuf>,
    /// Write nothing; list the files that are not formatted and exit 1 if any.
    #[arg(long)]
    pub check: bool,
}

/// Output formats of `plumb diff`.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum DiffFormat {
    /// Plain text for a terminal.
    Human,
    /// Markdown ready to post as a pull-request comment.
    Markdown,
    /// JSON with exact decimal strings (an array when several plans are compared).
    Json,
}

/// Arguments of `plumb diff`.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// OLD and NEW plan files; with --git, an optional FILE or directory.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Read the old version from this git revision (`origin/main`, `HEAD~1`), or
    /// both versions from `OLD..NEW`.
    #[arg(long, value_name = "REV")]
    pub git: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: DiffFormat,
    /// How to name the old version in the output (for diff drivers, which pass
    /// temporary files).
    #[arg(long, value_name = "NAME")]
    pub old_label: Option<String>,
    /// How to name the new version in the output.
    #[arg(long, value_name = "NAME")]
    pub new_label: Option<String>,
    /// Also simulate both versions and show the change in each target's odds.
    #[arg(long)]
    pub simulate: bool,
    /// Runs for --simulate.
    #[arg(long, default_value_t = plumb::uncertainty::simulate::DEFAULT_SAMPLES, value_name = "N", requires = "simulate")]
    pub samples: usize,
    /// Seed for --simulate.
    #[arg(long, default_value_t = 0, value_name = "S", requires = "simulate")]
    pub seed: u64,
}

/// Output formats of `plumb variance`.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum VarianceFormat {
    /// Aligned tables with units and thousands separators.
    Table,
    /// One JSON object with exact decimal strings.
    Json,
    /// CSV with exact values, one row per item and period.
    Csv,
    /// Markdown tables, for a pull-request comment.
    Markdown,
}

/// Arguments of `plumb variance`.
#[derive(Debug, clap::Args)]
pub struct VarianceArgs {
    /// The plan's entry file.
    pub file: PathBuf,
    /// The last closed period (wins over the plan's `actuals through`).
    #[arg(long, value_name = "P")]
    pub as_of: Option<String>,
    /// The scenario (default: the plan's base scenario).
    #[arg(long, short = 's', value_name = "S")]
    pub scenario: Option<String>,
    /// Group closed periods by month, quarter (to date) or year (to date).
    #[arg(long, value_enum, default_value = "month")]
    pub by: ByArg,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: VarianceFormat,
    /// Split this item's variance into its drivers.
    #[arg(long, value_name = "ITEM")]
    pub explain: Option<String>,
    /// With `--explain`: a month, quarter or year (default: every closed period).
    #[arg(long, value_name = "P", requires = "explain")]
    pub period: Option<String>,
}

/// Output formats of `plumb explain`.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ExplainFormat {
    /// An indented tree.
    Text,
    /// JSON with exact decimal strings.
    Json,
}

/// Arguments of `plumb explain`.
#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// The plan's entry file.
    pub file: PathBuf,
    /// The driver, metric or objective to explain.
    pub name: String,
    /// A month (2026-03), quarter (2026-Q1), year (2026) or fiscal period (FY2027,
    /// FY2027-Q1); default: the horizon.
    #[arg(long, value_name = "P")]
    pub period: Option<String>,
    /// The scenario (default: the plan's base scenario).
    #[arg(long, short = 's', value_name = "S")]
    pub scenario: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: ExplainFormat,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Check(a) => cli::check::run(&a),
        Command::Run(a) => cli::run::run(&a),
        Command::Fmt(a) => cli::fmt::run(&a),
        Command::Diff(a) => cli::diff::run(&a),
        Command::Explain(a) => cli::explain::run(&a),
        Command::Report(a) => cli::report::run(&a),
        Command::Export(a) => cli::export::run(&a),
        Command::Variance(a) => cli::variance::run(&a),
        Command::Simulate(a) => cli::simulate::run(&a),
        Command::Sensitivity(a) => cli::sensitivity::run(&a),
        Command::Solve(a) => cli::solve::run(&a),
        #[cfg(feature = "lsp")]
        Command::Lsp => plumb::lsp::serve(),
    };
    ExitCode::from(code)
}
