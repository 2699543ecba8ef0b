//! `plumb variance`: plan against actuals, outlook, assumptions, and why the gap
//! exists.

use crate::{ByArg, VarianceArgs, VarianceFormat};
use plumb::actuals::variance::{self, Inputs, Window};
use plumb::actuals::{parse_as_of, render};
use plumb::compile::{compile_as_of, DiskFs, Options};

/// Runs `plumb variance`.
pub fn run(args: &VarianceArgs) -> u8 {
    if !args.file.is_file() {
        eprintln!("error: {} is not a file", args.file.display());
        return 2;
    }
    let as_of = match &args.as_of {
        Some(p) => match parse_as_of(p) {
            Some(m) => Some(m),
            None => {
                eprintln!("error: `{p}` is not a period (write 2026-03, 2026-Q1 or 2026)");
                return 2;
            }
        },
        None => None,
    };
    let opts = Options {
        evaluate: true,
        scenarios: None,
    };
    let c = compile_as_of(&args.file, &DiskFs, &opts, as_of);
    super::eprint_diagnostics(&c);
    let plan = c.plan();
    let (Some(results), Some(forecast), Some(actuals)) = (&c.results, &c.forecast, &c.actuals)
    else {
        if c.has_errors() {
            eprintln!("error: the plan or its actuals have errors; no variance to show");
            return 1;
        }
        eprintln!(
            "error: the plan declares no actuals; add `actuals \"actuals.csv\"` and `actuals through P` in the plan block"
        );
        return 2;
    };
    let s = match &args.scenario {
        None => plan.base,
        Some(n) => match plan.scenario(n) {
            Some(s) => s,
            None => {
                let all: Vec<&str> = plan.scenarios.iter().map(|s| s.name.as_str()).collect();
                let hint = match plumb::suggest::closest(n, all.iter().copied()) {
                    Some(s) => format!(" (did you mean `{s}`?)"),
                    None => String::new(),
                };
                eprintln!(
                    "error: no scenario `{n}`{hint}; the plan has: {}",
                    all.join(", ")
                );
                return 2;
            }
        },
    };
    let inp = Inputs {
        plan,
        results,
        forecast,
        actuals,
    };
    if let Some(name) = &args.explain {
        return explain(args, inp, s, name);
    }
    let by = match args.by {
        ByArg::Month => Window::Month,
        ByArg::Quarter => Window::Quarter,
        ByArg::Year => Window::Year,
    };
    let Some(report) = variance::build(inp, s, by) else {
        eprintln!("error: the scenario was not evaluated");
        return 1;
    };
    let out = match args.format {
        VarianceFormat::Table => render::table(&report),
        VarianceFormat::Json => render::json(&report) + "\n",
        VarianceFormat::Csv => render::csv(&report),
        VarianceFormat::Markdown => render::markdown(&report),
    };
    if let Err(code) = super::print_stdout(&out) {
        return code;
    }
    u8::from(c.has_errors())
}

fn explain(args: &VarianceArgs, inp: Inputs<'_>, s: usize, name: &str) -> u8 {
    let plan = inp.plan;
    let Some(item) = plan.item(name) else {
        let hint = match plumb::suggest::closest(name, plan.items.iter().map(|i| i.name.as_str())) {
            Some(s) => format!(" (did you mean `{s}`?)"),
            None => String::new(),
        };
        eprintln!("error: `{name}` is not a driver or metric{hint}");
        return 2;
    };
    let (range, label) = match &args.period {
        None => {
            let closed = inp.actuals.closed().min(plan.len);
            let label = if closed == 0 {
                "the closed periods".to_string()
            } else {
                format!(
                    "{} .. {}",
                    plan.period_label(0),
                    plan.period_label(closed as i64 - 1)
                )
            };
            (0..closed, label)
        }
        Some(p) => {
            let Some((a, b)) = window_of(p) else {
                eprintln!("error: `{p}` is not a period (write 2026-03, 2026-Q1 or 2026)");
                return 2;
            };
            let lo = (a - plan.start).clamp(0, plan.len as i64) as usize;
            let hi = (b - plan.start + 1).clamp(0, plan.len as i64) as usize;
            if lo >= hi {
                eprintln!("error: {p} is outside the plan's horizon");
                return 2;
            }
            (lo..hi, p.clone())
        }
    };
    match variance::explain(inp, s, item, range, label) {
        Ok(a) => {
            let text = match args.format {
                VarianceFormat::Json => format!("{}\n", render::attribution_json(&a)),
                _ => render::attribution_text(&a),
            };
            if let Err(code) = super::print_stdout(&text) {
                return code;
            }
            0
        }
        Err(e) => {
            eprintln!("error: {e}");
            2
        }
    }
}

/// First and last absolute month of a month, quarter or year.
fn window_of(p: &str) -> Option<(i64, i64)> {
    let last = parse_as_of(p)?;
    let t = p.trim();
    let len = if t.contains(['Q', 'q']) {
        3
    } else if t.len() == 4 {
        12
    } else {
        1
    };
    Some((last - len + 1, last))
}
