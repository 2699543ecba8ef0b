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
    let c = compile(
        &args.file,
        &DiskFs,
        &Options {
            evaluate: true,
            scenarios: None,
        },
    );
    if c.has_errors() {
        super::eprint_diagnostics(&c);
        eprintln!("error: the plan has errors; nothing can be explained");
        return 1;
    }
    let opts = ExplainOptions {
        scenario: args.scenario.clone(),
        period: args.period.clone(),
    };
    match explain(&c, &args.name, &opts) {
        Ok(e) => {
            let closed = args
                .period
                .as_deref()
                .and_then(plumb::actuals::read::parse_month)
                .filter(|_| args.scenario.is_none())
                .and_then(|m| usize::try_from(m - c.plan().start).ok())
                .and_then(|t| plumb::actuals::notes::closed_note(&c, &args.name, t));
            match args.format {
                ExplainFormat::Text => print!("{}{}", closed.unwrap_or_default(), render_text(&e)),
                ExplainFormat::Json => println!("{}", to_json(&e)),
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
