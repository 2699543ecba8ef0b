//! The benchmark's plan generator (`benches/gen/mod.rs`) on a small plan: the
//! generated text checks without errors, and the evaluator's results equal the
//! generator's own bare-arithmetic evaluation digit for digit in every scenario
//! (which also guards the evaluator's fast paths: columns, period-by-period
//! groups with hoisted subexpressions, values computed once for every scenario).

#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

#[path = "../benches/gen/mod.rs"]
mod synth;

use plumb::compile::{compile_str, Options};

fn check(cfg: synth::Config) {
    let s = synth::generate(cfg);
    let c = compile_str(
        "bench.plumb",
        &s.text,
        &Options {
            evaluate: true,
            scenarios: None,
        },
    );
    let errors: Vec<_> = c.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    let results = c.results.as_ref().expect("evaluated");
    let reference = synth::reference(&s).expect("no overflow");
    assert_eq!(results.scenarios.len(), s.scenarios.len());
    for (k, r) in results.scenarios.iter().enumerate() {
        assert_eq!(c.plan().scenarios[r.scenario].name, s.scenarios[k]);
        for (i, col) in r.values.iter().enumerate() {
            assert_eq!(
                col, &reference[k][i],
                "scenario {} item {}",
                s.scenarios[k], s.names[i]
            );
        }
    }
}

#[test]
fn generated_plan_matches_bare_arithmetic() {
    check(synth::Config {
        items: 400,
        months: 24,
        seed: 7,
    });
}

#[test]
fn generated_plan_matches_bare_arithmetic_other_seed() {
    check(synth::Config {
        items: 150,
        months: 13,
        seed: 12345,
    });
}

#[test]
fn generated_plan_large_enough_for_two_threads_matches() {
    // 60,000 cells per scenario: the scenarios other than base run on two threads.
    check(synth::Config {
        items: 1000,
        months: 60,
        seed: 99,
    });
}

#[test]
fn generated_plan_checks_clean() {
    // No warnings either: every driver is read, the objective has an owner.
    let s = synth::generate(synth::Config {
        items: 600,
        months: 12,
        seed: 3,
    });
    let c = compile_str("bench.plumb", &s.text, &Options::default());
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
}
