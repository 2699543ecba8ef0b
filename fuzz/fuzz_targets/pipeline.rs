//! Fuzz target: the whole pipeline on any text, as `plumb check` and `plumb run`
//! use it: parse, resolve, check, evaluate every scenario, then every diagnostic
//! rendered (human and JSON) and the run report built and rendered in every
//! format. It must never panic, overflow the stack or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plumb::compile::{compile_str, Options};
use plumb::diagnostic::{render_human, JsonDiagnostic, RenderOptions};
use plumb::calendar::By;
use plumb::report::{render_csv, render_markdown, render_table, RunReport, TableOptions};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let c = compile_str(
        "fuzz.plumb",
        text,
        &Options {
            evaluate: true,
            scenarios: None,
        },
    );
    for d in &c.diagnostics {
        let _ = render_human(
            d,
            &c.sources,
            RenderOptions {
                color: false,
                width: 80,
            },
        );
        let _ = serde_json::to_string(&JsonDiagnostic::from_diagnostic(d, &c.sources));
    }
    let Some(results) = &c.results else {
        return;
    };
    let plan = c.plan();
    let Ok(outcomes) = plumb::outcome::targets::all_outcomes(plan, results) else {
        return;
    };
    let Ok(requests) = plumb::outcome::requests::all_outcomes(plan, results) else {
        return;
    };
    for by in [By::Month, By::Quarter, By::Year] {
        let report = RunReport::build(plan, results, &outcomes, by).with_requests(plan, &requests);
        let json = report.to_json();
        assert!(
            serde_json::from_str::<serde_json::Value>(&json).is_ok(),
            "invalid JSON"
        );
        let _ = render_table(&report, TableOptions { color: false });
        let _ = render_markdown(&report);
        let _ = render_csv(&report);
    }
});
