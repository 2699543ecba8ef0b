//! The rolling forecast: every scenario re-run with the actuals of closed periods
//! pinned in place of the model's values (ACTUALS.md §2).
//!
//! An actual replaces the item's formula, driver value, scenario override or
//! playbook `set` in its period, before anything that reads it is computed, so
//! `prev` chains continue from reality and triggers are evaluated on it (and may
//! fire on actuals, changing the forecast from their playbook's periods on).

use super::{build, parse_file, Actuals};
use crate::diagnostic::{Code, Diagnostic};
use crate::eval::{self, EvalOptions, Pinned, Results};
use crate::ir::{ActualsSource, Plan};

/// The values the forecast pins: every actual up to `through`.
pub(crate) fn pinned(plan: &Plan, actuals: &Actuals) -> Pinned {
    let closed = actuals.closed().min(plan.len);
    Pinned {
        values: actuals
            .values
            .iter()
            .map(|v| {
                if v.is_empty() {
                    return Vec::new();
                }
                (0..plan.len)
                    .map(|t| {
                        if t < closed {
                            v.get(t).copied().flatten()
                        } else {
                            None
                        }
                    })
                    .collect()
            })
            .collect(),
    }
}

/// Evaluates every scenario on the actuals.
pub(crate) fn forecast(plan: &Plan, actuals: &Actuals) -> Result<Results, eval::EvalError> {
    eval::evaluate_pinned(
        plan,
        &EvalOptions { scenarios: None },
        pinned(plan, actuals),
    )
}

/// Reads the plan's actuals files (through `read`, which applies the path rules
/// and returns the name to show and the bytes), checks them, computes the
/// forecast and runs the checks of ACTUALS.md §3. `as_of` is an absolute month
/// number. Returns nothing when the plan declares no actuals.
pub(crate) fn run(
    plan: &Plan,
    results: &Results,
    read: impl Fn(&ActualsSource) -> Result<(String, Vec<u8>), Diagnostic>,
    as_of: Option<i64>,
) -> (Option<Actuals>, Option<Results>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    if plan.actuals.is_empty() && plan.actuals_through.is_none() && as_of.is_none() {
        return (None, None, diags);
    }
    let mut files = Vec::new();
    for src in &plan.actuals {
        match read(src) {
            Ok((display, bytes)) => match parse_file(src, display.clone(), bytes) {
                Ok(f) => files.push(f),
                Err(msg) => diags.push(
                    Diagnostic::error(Code::ActualsBadValue, src.span, format!("{display}: {msg}"))
                        .with_label(format!("in {display}"))
                        .with_help("export the ledger as CSV (UTF-8) or .xlsx"),
                ),
            },
            Err(d) => diags.push(d),
        }
    }
    let (actuals, built) = build(plan, &files, as_of.map(|m| m - plan.start));
    diags.extend(built);
    diags.extend(super::checks::commitments(plan, &actuals));
    if diags.iter().any(Diagnostic::is_error) {
        return (Some(actuals), None, diags);
    }
    match forecast(plan, &actuals) {
        Ok(f) => {
            diags.extend(super::checks::check(plan, results, &actuals, &f));
            (Some(actuals), Some(f), diags)
        }
        Err(e) => {
            diags.push(e.to_diagnostic());
            (Some(actuals), None, diags)
        }
    }
}
