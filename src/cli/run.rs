//! `plumb run`.

use crate::{ByArg, CsvSection, RunArgs, RunFormat};
use plumb::check::objectives::all_outcomes;
use plumb::compile::{compile_as_of, DiskFs, Options};
use plumb::report::csv::{render_csv_sections, CsvOptions};
use plumb::report::{render_csv, render_markdown, render_table, By, RunReport, TableOptions};
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
    // scenario may be in the broken part, so the diagnostics come first.
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
    // The syntax trees are not needed past this point: free them before the
    // report is built (a large plan's trees are tens of megabytes).
    drop(std::mem::take(&mut c.files));
    let plan = c.plan();
    if let Some(names) = &scenarios {
        if let Some(status) = unknown_scenario(plan, names) {
            return status;
        }
    }
    let Some(results) = &c.results else {
        eprintln!("error: the plan could not be evaluated");
        return 1;
    };
    let outcomes = match all_outcomes(plan, results) {
        Ok(o) => o,
        Err(e) => {
            let d = e.to_diagnostic();
            eprint!(
                "{}",
                plumb::diagnostic::render_human(&d, &c.sources, Default::default())
            );
            return 1;
        }
    };
    let by = match args.by.unwrap_or(ByArg::Month) {
        ByArg::Month => By::Month,
        ByArg::Quarter => By::Quarter,
        ByArg::Year => By::Year,
    };
    let requests = match plumb::check::requests::all_outcomes(plan, results) {
        Ok(r) => r,
        Err(e) => {
            let d = e.to_diagnostic();
            eprint!(
                "{}",
                plumb::diagnostic::render_human(&d, &c.sources, Default::default())
            );
            return 1;
        }
    };
    let budgets = match budget_sections(plan, results) {
        Ok(b) => b,
        Err(e) => {
            let d = e.to_diagnostic();
            eprint!(
                "{}",
                plumb::diagnostic::render_human(&d, &c.sources, Default::default())
            );
            return 1;
        }
    };
    if matches!(args.format, RunFormat::Json) {
        let mut report = RunReport::build_without_totals(plan, results, &outcomes, by)
            .with_requests(plan, &requests)
            .with_budgets(plan, &budgets.0, budgets.1);
        if let (Some(a), Some(f)) = (&c.actuals, &c.forecast) {
            plumb::actuals::run_json::attach(&mut report, plan, a, f, by);
        }
        // Streamed: a large plan's JSON need not sit in memory whole.
        let stdout = std::io::stdout();
        let mut w = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
        let written = report
            .write_json(&mut w)
            .and_then(|()| w.write_all(b"\n"))
            .and_then(|()| w.flush());
        match written {
            Ok(()) => {}
            // The reader went away (`plumb run … | head`): nothing to report.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
            Err(e) => {
                eprintln!("error: cannot write the report: {e}");
                return 2;
            }
        }
        let status = story_status(&c);
        // The process ends here: skip taking a large plan's values and trees
        // apart piece by piece (the memory goes back to the system at exit).
        std::mem::forget(report);
        std::mem::forget(c);
        return status;
    }
    let mut report = RunReport::build(plan, results, &outcomes, by)
        .with_requests(plan, &requests)
        .with_budgets(plan, &budgets.0, budgets.1);
    let mut footnote = String::new();
    if let (Some(a), Some(f)) = (&c.actuals, &c.forecast) {
        plumb::actuals::run_json::attach(&mut report, plan, a, f, by);
        if matches!(args.format, RunFormat::Table) {
            footnote = plumb::actuals::run_json::mark_actual_columns(&mut report, plan, a, by);
        }
    }
    let out = match args.format {
        RunFormat::Table => render_table(
            &report,
            TableOptions {
                color: super::color_stdout(),
            },
        ),
        RunFormat::Json => report.to_json() + "\n",
        RunFormat::Csv if args.section.is_empty() && args.by.is_none() => render_csv(&report),
        RunFormat::Csv => {
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
        RunFormat::Markdown => render_markdown(&report),
    };
    print!("{out}{footnote}");
    story_status(&c)
}

/// The exit code once the numbers are out: errors found after evaluation (a bet
/// the model disagrees with, a broken `maintain`, a grant not in the numbers,
/// RACI) fail the run, though the numbers were printed so they can be compared.
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

fn story_status(c: &plumb::compile::Compilation) -> u8 {
    if c.has_errors() {
        eprintln!("error: the plan's story disagrees with its numbers (see above)");
        return 1;
    }
    0
}

/// Budget outcomes per scenario and the base scenario's request ranking.
type BudgetSections = (
    Vec<(usize, Vec<plumb::check::budgets::BudgetOutcome>)>,
    Option<(Vec<plumb::check::budgets::Ranked>, rust_decimal::Decimal)>,
);

fn budget_sections(
    plan: &plumb::ir::Plan,
    results: &plumb::eval::Results,
) -> Result<BudgetSections, plumb::eval::EvalError> {
    let outcomes = plumb::check::budgets::all_outcomes(plan, results)?;
    let ranking = match results.get(plan.base) {
        Some(base) => Some(plumb::check::budgets::ranking(plan, base)?),
        None => None,
    };
    Ok((outcomes, ranking))
}
