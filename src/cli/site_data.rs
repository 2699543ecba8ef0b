//! What `plumb report` and `plumb export` both read before rendering: the
//! evaluated plan (as of a close, when `--as-of` is given), every scenario's
//! target and request outcomes, the assumptions' statuses and the as-of period.

use plumb::compile::{compile_as_of, Compilation, DiskFs, Options};
use plumb::diagnostic::render_human;
use plumb::ir::ScenarioId;
use plumb::outcome::requests::RequestOutcome;
use plumb::outcome::targets::TargetOutcome;
use plumb::report::extras::{gather, SimSettings, Sources};
use plumb::report::site::{assumption_statuses, AssumptionStatus, Extras};
use std::path::Path;

/// The evaluated plan and its outcomes.
pub struct SiteData {
    /// The compilation (evaluated: `results` is set).
    pub c: Compilation,
    /// Target outcomes per scenario.
    pub targets: Vec<(ScenarioId, Vec<TargetOutcome>)>,
    /// Request outcomes per scenario.
    pub requests: Vec<(ScenarioId, Vec<RequestOutcome>)>,
    /// One status per assumption.
    pub statuses: Vec<AssumptionStatus>,
    /// `--as-of` as a period index of the horizon.
    pub as_of: Option<usize>,
}

/// Compiles and evaluates `file` as of `as_of` (a period as written), printing
/// the plan's diagnostics; Err is the exit code (1: the plan cannot be
/// evaluated, 2: usage).
pub fn load(file: &Path, as_of: Option<&str>) -> Result<SiteData, u8> {
    if !file.is_file() {
        eprintln!("error: {} is not a file", file.display());
        return Err(2);
    }
    let as_of_month = match as_of {
        None => None,
        Some(p) => match plumb::actuals::parse_as_of(p) {
            Some(m) => Some(m),
            None => {
                eprintln!("error: `{p}` is not a period (write 2026-03, 2026-Q1 or 2026)");
                return Err(2);
            }
        },
    };
    let mut c = compile_as_of(
        file,
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
    if c.results.is_none() {
        eprintln!("error: the plan has errors; nothing was evaluated");
        return Err(1);
    }
    let as_of = match as_of_month {
        None => None,
        Some(m) if (plan.start..plan.start + plan.len as i64).contains(&m) => {
            usize::try_from(m - plan.start).ok()
        }
        Some(_) => {
            eprintln!(
                "error: --as-of {} is not a month of the plan's horizon ({} – {})",
                as_of.unwrap_or(""),
                plan.period_label(0),
                plan.period_label(plan.len as i64 - 1)
            );
            return Err(2);
        }
    };
    let outcomes = c.outcomes.as_ref().map_or(Ok(Default::default()), |o| {
        o.targets().and_then(|t| o.requests().map(|r| (t, r)))
    });
    let (targets, requests) = match outcomes {
        Ok(x) => x,
        Err(e) => {
            let d = e.to_diagnostic();
            eprint!("{}", render_human(&d, &c.sources, Default::default()));
            return Err(1);
        }
    };
    let statuses = assumption_statuses(plan, &c.diagnostics);
    Ok(SiteData {
        c,
        targets,
        requests,
        statuses,
        as_of,
    })
}

impl SiteData {
    /// What the plan has beyond the model (actuals, simulation, budgets,
    /// members), with `--as-of` where the plan's actuals set none; Err is the
    /// exit code (the error is printed).
    pub fn extras(&self, sim: SimSettings) -> Result<Extras, u8> {
        let (Some(results), Some(outcomes)) = (&self.c.results, &self.c.outcomes) else {
            return Err(1);
        };
        let c = &self.c;
        let mut extras = gather(&Sources {
            plan: c.plan(),
            results,
            outcomes,
            actuals: c.actuals.as_ref(),
            forecast: c.forecast.as_ref(),
            sim,
        })
        .map_err(|e| {
            eprintln!("error: {e}");
            1u8
        })?;
        if extras.as_of.is_none() {
            extras.as_of = self.as_of;
        }
        Ok(extras)
    }
}
