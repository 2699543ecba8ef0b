//! `plumb export --format xlsx`: writes the plan as a workbook (REPORTS.md §2).

use crate::{ExportArgs, ExportFormat};
use plumb::check::objectives::all_outcomes;
use plumb::compile::{compile_as_of, DiskFs, Options};
use plumb::report::extras::{gather, SimSettings, Sources};
use plumb::report::site::{assumption_statuses, SiteInput};
use std::path::PathBuf;

/// Runs `plumb export`.
pub fn run(args: &ExportArgs) -> u8 {
    if !args.file.is_file() {
        eprintln!("error: {} is not a file", args.file.display());
        return 2;
    }
    let as_of_month = match &args.as_of {
        None => None,
        Some(p) => match plumb::actuals::parse_as_of(p) {
            Some(m) => Some(m),
            None => {
                eprintln!("error: `{p}` is not a period (write 2026-03, 2026-Q1 or 2026)");
                return 2;
            }
        },
    };
    let mut c = compile_as_of(
        &args.file,
        &DiskFs,
        &Options {
            evaluate: true,
            scenarios: None,
        },
        as_of_month,
    );
    super::eprint_diagnostics(&c);
    drop(std::mem::take(&mut c.files));
    let plan = c.plan();
    let Some(results) = &c.results else {
        eprintln!("error: the plan has errors; nothing was evaluated");
        return 1;
    };
    let as_of = match as_of_month {
        None => None,
        Some(m) if (plan.start..plan.start + plan.len as i64).contains(&m) => {
            Some((m - plan.start) as usize)
        }
        Some(_) => {
            eprintln!(
                "error: --as-of {} is not a month of the plan's horizon ({} – {})",
                args.as_of.as_deref().unwrap_or(""),
                plan.period_label(0),
                plan.period_label(plan.len as i64 - 1)
            );
            return 2;
        }
    };
    let targets = match all_outcomes(plan, results) {
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
    let statuses = assumption_statuses(plan, &c.diagnostics);
    let mut extras = match gather(&Sources {
        plan,
        results,
        actuals: c.actuals.as_ref(),
        forecast: c.forecast.as_ref(),
        sim: SimSettings::default(),
    }) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("error: {e}");
            return 1;
        }
    };
    if extras.as_of.is_none() {
        extras.as_of = as_of;
    }
    let input = SiteInput {
        plan,
        results,
        targets: &targets,
        requests: &requests,
        assumptions: &statuses,
        extras: &extras,
    };
    let bytes = match args.format {
        ExportFormat::Xlsx => match plumb::report::xlsx::workbook(&input) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("error: cannot build the workbook: {e}");
                return 2;
            }
        },
    };
    let out = args
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("{}.xlsx", plan.name)));
    if let Err(e) = std::fs::write(&out, bytes) {
        eprintln!("error: cannot write {}: {e}", out.display());
        return 2;
    }
    eprintln!("wrote {}", out.display());
    if c.has_errors() {
        eprintln!("error: the plan's story disagrees with its numbers (see above)");
        return 1;
    }
    0
}
