//! Shared helpers for the data-driven tests: compile a case, render what a user
//! would see (source, diagnostics, results) as one snapshot text.
#![allow(dead_code)]

use plumb::check::objectives::all_outcomes;
use plumb::compile::{compile, Compilation, DiskFs, Options};
use plumb::diagnostic::{render_human, RenderOptions};
use plumb::report::format::exact;
use plumb::report::{By, RunReport};
use std::fmt::Write;
use std::path::Path;

/// Compiles and evaluates a plan file from disk.
pub fn compile_file(path: &Path) -> Compilation {
    // Relative paths keep snapshots identical on every machine.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let rel = path.strip_prefix(root).unwrap_or(path);
    compile(
        rel,
        &DiskFs,
        &Options {
            evaluate: true,
            scenarios: None,
        },
    )
}

/// Rendered diagnostics, no colour, fixed width.
pub fn diagnostics_text(c: &Compilation) -> String {
    let mut out = String::new();
    for d in &c.diagnostics {
        out.push_str(&render_human(
            d,
            &c.sources,
            RenderOptions {
                color: false,
                width: 100,
            },
        ));
    }
    if out.is_empty() {
        out.push_str("(no diagnostics)\n");
    }
    out
}

/// Exact results: per scenario, triggers, targets and every item's values.
pub fn results_text(c: &Compilation) -> String {
    let Some(results) = &c.results else {
        return "(not evaluated)\n".into();
    };
    let plan = c.plan();
    let outcomes = match all_outcomes(plan, results) {
        Ok(o) => o,
        Err(e) => return format!("(targets failed: {})\n", e.message),
    };
    let requests = match plumb::check::requests::all_outcomes(plan, results) {
        Ok(r) => r,
        Err(e) => return format!("(requests failed: {})\n", e.message),
    };
    let report =
        RunReport::build(plan, results, &outcomes, By::Month).with_requests(plan, &requests);
    let mut out = String::new();
    let _ = writeln!(out, "periods: {}", report.periods.join(" "));
    for sc in &report.scenarios {
        let _ = writeln!(out, "scenario {}:", sc.name);
        for t in &sc.triggers {
            let _ = writeln!(
                out,
                "  trigger {}: {}",
                t.name,
                t.fired.as_deref().unwrap_or("never")
            );
        }
        for t in &sc.targets {
            let f = |v: Option<rust_decimal::Decimal>| v.map(exact).unwrap_or_else(|| "-".into());
            let _ = writeln!(
                out,
                "  target {} `{}`: projected {} threshold {} gap {} {}",
                t.objective,
                t.target,
                f(t.projected),
                f(t.threshold),
                f(t.gap),
                if t.met { "met" } else { "MISSED" }
            );
        }
        for r in &sc.requests {
            let side = |s: &Option<plumb::report::RequestSide>| match s {
                Some(s) => format!(
                    "`{}` (model {}, threshold {}, {})",
                    s.condition,
                    s.value.map(exact).unwrap_or_else(|| "-".into()),
                    s.threshold.map(exact).unwrap_or_else(|| "-".into()),
                    if s.holds { "holds" } else { "does not hold" }
                ),
                None => "-".into(),
            };
            let _ = writeln!(
                out,
                "  request {}: ask {} grant {} gap {}",
                r.request,
                side(&r.ask),
                side(&r.grant),
                r.gap.map(exact).unwrap_or_else(|| "-".into())
            );
        }
        for it in &sc.items {
            let vals: Vec<String> = it.values.iter().map(|v| exact(*v)).collect();
            let _ = writeln!(out, "  {} [{}] = {}", it.name, it.unit, vals.join(" "));
        }
    }
    if let (Some(a), Some(f)) = (&c.actuals, &c.forecast) {
        let through = a
            .through
            .filter(|t| *t >= 0)
            .map(|t| plan.period_label(t))
            .unwrap_or_else(|| "-".into());
        let _ = writeln!(out, "actuals through {through}:");
        for (i, v) in a.values.iter().enumerate().filter(|(_, v)| !v.is_empty()) {
            let vals: Vec<String> = v
                .iter()
                .map(|x| x.map(exact).unwrap_or_else(|| "-".into()))
                .collect();
            let _ = writeln!(out, "  {} = {}", plan.items[i].name, vals.join(" "));
        }
        for r in &f.scenarios {
            let _ = writeln!(out, "forecast {}:", plan.scenarios[r.scenario].name);
            for (t, at) in &r.fired {
                let _ = writeln!(
                    out,
                    "  trigger {}: {}",
                    plan.triggers[*t].name,
                    at.map(|p| plan.period_label(p))
                        .unwrap_or_else(|| "never".into())
                );
            }
            for (i, v) in r.values.iter().enumerate() {
                let vals: Vec<String> = v.iter().map(|x| exact(*x)).collect();
                let _ = writeln!(out, "  {} = {}", plan.items[i].name, vals.join(" "));
            }
        }
    }
    out
}

/// The whole snapshot of a case: its source, diagnostics and results.
pub fn case_snapshot(path: &Path) -> String {
    let c = compile_file(path);
    let mut out = String::new();
    for (_, f) in c.sources.iter() {
        if f.name.starts_with("std.") {
            continue;
        }
        let name = Path::new(&f.name)
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let _ = writeln!(out, "=== {name}");
        out.push_str(&f.text);
        if !f.text.ends_with('\n') {
            out.push('\n');
        }
    }
    let _ = writeln!(out, "=== diagnostics");
    out.push_str(&diagnostics_text(&c));
    let _ = writeln!(out, "=== results");
    out.push_str(&results_text(&c));
    out
}
