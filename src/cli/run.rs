//! `plumb run`.

use crate::{ByArg, CsvSection, RunArgs, RunFormat};
use plumb::calendar::By;
use plumb::compile::{compile_as_of, Compilation, DiskFs, Options};
use plumb::outcome::budgets::{BudgetOutcome, Ranked};
use plumb::outcome::requests::RequestOutcome;
use plumb::outcome::targets::TargetOutcome;
use plumb::report::csv::{render_csv_sections, CsvOptions};
use plumb::report::{render_csv, render_markdown, render_table, RunReport, TableOptions};
use std::io::Write;

/// Runs `plumb run`.
pub fn run(args: &RunArgs) -> u8 {
    if !args.file.is_file() {
        eprintln!("error: {} is not a file", args.file.display());
        return 2;
    }
    let scenarios = if args.scenarios.is_empty() {
        None
    } else {
        Some(args.scenarios.clone())
    };
    let as_of = match &args.as_of {
        Some(p) => match plumb::actuals::parse_as_of(p) {
            Some(m) => Some(m),
            None => {
                eprintln!("error: `{p}` is not a period (write 2026-03, 2026-Q1 or 2026)");
                return 2;
            }
        },
        None => None,
    };
    let mut c = compile_as_of(
        &args.file,
        &DiskFs,
        &Options {
            evaluate: true,
            scenarios: scenarios.clone(),
        },
        as_of,
    );
    // A usage error comes first and alone: an unknown scenario is reported before
    // (and instead of) the plan's diagnostics. When the plan does not parse, the
    // scenario may be in the broken part, so the diagnostics come first (and
    // nothing was evaluated).
    let parsed = !c
        .diagnostics
        .iter()
        .any(|d| d.code == plumb::diagnostic::Code::Syntax);
    if let (Some(names), true) = (&scenarios, parsed) {
        if let Some(status) = unknown_scenario(c.plan(), names) {
            return status;
        }
    }
    super::eprint_diagnostics_capped(&c, super::RUN_WARNINGS_SHOWN, &args.file);
    if c.has_errors() && c.results.is_none() {
        eprintln!("error: the plan has errors; nothing was evaluated");
        return 1;
    }
    // The syntax trees are not needed past this point: free them while the
    // report is built, on another thread (a large plan's trees are tens of
    // megabytes in millions of pieces). No thread to be had: freed here.
    let files = std::mem::take(&mut c.files);
    let _ = std::thread::Builder::new().spawn(move || drop(files));
    let by = match args.by.unwrap_or(ByArg::Month) {
        ByArg::Month => By::Month,
        ByArg::Quarter => By::Quarter,
        ByArg::Year => By::Year,
    };
    let sections = match sections(&c) {
        Ok(s) => s,
        Err(status) => return status,
    };
    let format = match args.format {
        RunFormat::Json => return json(c, &sections, by),
        RunFormat::Table => Printed::Table,
        RunFormat::Csv => Printed::Csv,
        RunFormat::Markdown => Printed::Markdown,
    };
    print_report(args, format, &c, &sections, by)
}

/// The formats printed whole (`--format json` is streamed by [`json`]).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Printed {
    /// The terminal table.
    Table,
    /// CSV, of the values or of the sections asked for.
    Csv,
    /// A Markdown document.
    Markdown,
}

/// What the report shows beyond the values, from the compilation's outcomes:
/// targets and requests per scenario, budgets and the base scenario's ranking.
struct Sections {
    targets: Vec<(usize, Vec<TargetOutcome>)>,
    requests: Vec<(usize, Vec<RequestOutcome>)>,
    budgets: Vec<(usize, Vec<BudgetOutcome>)>,
    ranking: Option<(Vec<Ranked>, rust_decimal::Decimal)>,
}

/// The report's sections, or the exit code once the first error (targets, then
/// requests, then budgets) is printed.
fn sections(c: &Compilation) -> Result<Sections, u8> {
    let Some(outcomes) = &c.outcomes else {
        eprintln!("error: the plan could not be evaluated");
        return Err(1);
    };
    let fail = |e: plumb::eval::EvalError| {
        let d = e.to_diagnostic();
        eprint!(
            "{}",
            plumb::diagnostic::render_human(&d, &c.sources, Default::default())
        );
        1
    };
    let targets = outcomes.targets().map_err(fail)?;
    let requests = outcomes.requests().map_err(fail)?;
    let budgets = outcomes.budgets().map_err(fail)?;
    let ranking = outcomes.ranking.clone().transpose().map_err(fail)?;
    Ok(Sections {
        targets,
        requests,
        budgets,
        ranking,
    })
}

/// `--format json`, streamed: a large plan's JSON need not sit in memory whole.
fn json(c: Compilation, s: &Sections, by: By) -> u8 {
    let (plan, Some(results)) = (c.plan(), &c.results) else {
        return 1;
    };
    let mut report = RunReport::build_without_totals(plan, results, &s.targets, by)
        .with_requests(plan, &s.requests)
        .with_budgets(plan, &s.budgets, s.ranking.clone());
    if let (Some(a), Some(f)) = (&c.actuals, &c.forecast) {
        plumb::actuals::run_json::attach(&mut report, plan, a, f, by);
    }
    let mut out = super::Out::lock();
    out.stream(|stdout| {
        let mut w = std::io::BufWriter::with_capacity(1 << 16, stdout);
        report
            .write_json(&mut w)
            .and_then(|()| w.write_all(b"\n"))
            .and_then(|()| w.flush())
    });
    if let Err(code) = out.finish() {
        return code;
    }
    let status = story_status(&c);
    // The process ends here: skip taking a large plan's values and trees
    // apart piece by piece (the memory goes back to the system at exit).
    std::mem::forget(report);
    std::mem::forget(c);
    status
}

/// The table, Markdown or CSV report, printed whole.
fn print_report(args: &RunArgs, format: Printed, c: &Compilation, s: &Sections, by: By) -> u8 {
    let (plan, Some(results)) = (c.plan(), &c.results) else {
        return 1;
    };
    let mut report = RunReport::build(plan, results, &s.targets, by)
        .with_requests(plan, &s.requests)
        .with_budgets(plan, &s.budgets, s.ranking.clone());
    let mut footnote = String::new();
    if let (Some(a), Some(f)) = (&c.actuals, &c.forecast) {
        plumb::actuals::run_json::attach(&mut report, plan, a, f, by);
        if format == Printed::Table {
            footnote = plumb::actuals::run_json::mark_actual_columns(&mut report, plan, a, by);
        }
    }
    let out = match format {
        Printed::Table => render_table(
            &report,
            TableOptions {
                color: super::color_stdout(),
            },
        ),
        Printed::Csv if args.section.is_empty() && args.by.is_none() => render_csv(&report),
        Printed::Csv => {
            let has = |s: CsvSection| {
                args.section.contains(&s) || args.section.contains(&CsvSection::All)
            };
            let opts = CsvOptions {
                items: args.section.is_empty() || has(CsvSection::Items),
                targets: has(CsvSection::Targets),
                requests: has(CsvSection::Requests),
                budgets: has(CsvSection::Budgets),
                total: args.by.is_some(),
            };
            render_csv_sections(&report, plan, results, &opts)
        }
        Printed::Markdown => render_markdown(&report),
    };
    let mut stdout = super::Out::lock();
    write!(stdout, "{out}{footnote}");
    if let Err(code) = stdout.finish() {
        return code;
    }
    story_status(c)
}

/// Exit status 2 with a message when a named scenario does not exist.
fn unknown_scenario(plan: &plumb::ir::Plan, names: &[String]) -> Option<u8> {
    for n in names {
        if plan.scenario(n).is_none() {
            let all: Vec<&str> = plan.scenarios.iter().map(|s| s.name.as_str()).collect();
            let hint = match plumb::suggest::closest(n, all.iter().copied()) {
                Some(s) => format!(" (did you mean `{s}`?)"),
                None => String::new(),
            };
            eprintln!(
                "error: no scenario `{n}`{hint}; the plan has: {}",
                all.join(", ")
            );
            return Some(2);
        }
    }
    None
}

/// The exit code once the numbers are out: errors found after evaluation (a bet
/// the model disagrees with, a broken `maintain`, a grant not in the numbers,
/// RACI) fail the run, though the numbers were printed so they can be compared.
fn story_status(c: &Compilation) -> u8 {
    if c.has_errors() {
        eprintln!("error: the plan's story disagrees with its numbers (see above)");
        return 1;
    }
    0
}
