//! `plumb explain`: the derivation of a value, down to the drivers.

use crate::{ExplainArgs, ExplainFormat};
use plumb::compile::{compile, DiskFs, Options};
use plumb::explain::{explain, render_text, to_json, ExplainError, ExplainOptions};

/// Runs `plumb explain`.
pub fn run(args: &ExplainArgs) -> u8 {
    if !args.file.is_file() {
        eprintln!("error: {} is not a file", args.file.display());
        return 2;
    }
    let compile_with = |scenarios: Option<Vec<String>>| {
        compile(
            &args.file,
            &DiskFs,
            &Options {
                evaluate: true,
                scenarios,
            },
        )
    };
    let mut c = compile_with(None);
    // A usage error comes first and alone.
    if let Some(s) = &args.scenario {
        let plan = c.plan();
        let parsed = !c
            .diagnostics
            .iter()
            .any(|d| d.code == plumb::diagnostic::Code::Syntax);
        if parsed && plan.scenario(s).is_none() {
            let known: Vec<&str> = plan.scenarios.iter().map(|x| x.name.as_str()).collect();
            eprintln!(
                "error: no scenario `{s}`; the plan has: {}",
                known.join(", ")
            );
            return 2;
        }
    }
    if c.results.is_none() {
        // Another scenario failed to evaluate: the one asked about alone may not.
        let wanted = args.scenario.clone().or_else(|| {
            let plan = c.plan();
            plan.scenarios.get(plan.base).map(|s| s.name.clone())
        });
        if let Some(wanted) = wanted {
            let again = compile_with(Some(vec![wanted]));
            if again.results.is_some() {
                c = again;
            }
        }
    }
    // Whenever the plan evaluates, its values can be explained, errors or not
    // (a failing `maintain` is exactly when people ask why).
    if c.results.is_none() {
        super::eprint_diagnostics(&c);
        eprintln!("error: the plan could not be evaluated; nothing can be explained");
        return 1;
    }
    let opts = ExplainOptions {
        scenario: args.scenario.clone(),
        period: args.period.clone(),
    };
    match explain(&c, &args.name, &opts) {
        Ok(e) => {
            // After the usage checks: a note, not an error.
            if c.has_errors() {
                let n = c.diagnostics.iter().filter(|d| d.is_error()).count();
                eprintln!(
                    "note: the plan has {n} error{} (`plumb check` lists them); the values below are as evaluated",
                    if n == 1 { "" } else { "s" }
                );
            }
            let closed = args
                .period
                .as_deref()
                .and_then(plumb::actuals::read::parse_month)
                .filter(|_| args.scenario.is_none())
                .and_then(|m| usize::try_from(m - c.plan().start).ok())
                .and_then(|t| plumb::actuals::notes::closed_note(&c, &args.name, t));
            let text = match args.format {
                ExplainFormat::Text => format!("{}{}", closed.unwrap_or_default(), render_text(&e)),
                ExplainFormat::Json => format!("{}\n", to_json(&e)),
            };
            if let Err(code) = super::print_stdout(&text) {
                return code;
            }
            0
        }
        Err(e @ ExplainError::NotEvaluated) | Err(e @ ExplainError::Eval(_)) => {
            eprintln!("error: {e}");
            1
        }
        Err(e) => {
            eprintln!("error: {e}");
            2
        }
    }
}
