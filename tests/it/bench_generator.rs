//! The benchmark's plan generator (`benches/gen/mod.rs`) on a small plan: the
//! generated text checks without errors, and the evaluator's results equal the
//! generator's own bare-arithmetic evaluation digit for digit in every scenario
//! (which also guards the evaluator's fast paths: columns, period-by-period
//! groups with hoisted subexpressions, values computed once for every scenario).

#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

#[path = "../../benches/gen/mod.rs"]
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

#[test]
fn dimensioned_variant_matches_the_flat_plan_member_by_member() {
    // The benchmark's variant with every item `by seg`: each member is computed by
    // the same formula as the flat item, so it equals the bare arithmetic.
    let s = synth::generate(synth::Config {
        items: 120,
        months: 12,
        seed: 5,
    });
    let text = synth::with_members(&s, 4);
    let c = compile_str(
        "bench.plumb",
        &text,
        &Options {
            evaluate: true,
            scenarios: None,
        },
    );
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    let plan = c.plan();
    let results = c.results.as_ref().expect("evaluated");
    let reference = synth::reference(&s).expect("no overflow");
    for (k, r) in results.scenarios.iter().enumerate() {
        for (i, name) in s.names.iter().enumerate() {
            for m in ["s00", "s03"] {
                let id = plan.item(&format!("{name}[{m}]")).expect("member item");
                assert_eq!(
                    r.values[id], reference[k][i],
                    "{name}[{m}] in {}",
                    s.scenarios[k]
                );
            }
            // The total of a flow sums its four members; `%` rates average, no total.
            if s.kinds[i] == synth::Kind::Rate {
                assert!(plan.item(name).is_none(), "{name} has a total");
                continue;
            }
            let total = plan.item(name).expect("total item");
            // Summed pairwise, (s00 + s01) + (s02 + s03), as decimals round.
            let want: Vec<_> = reference[k][i]
                .iter()
                .map(|v| (*v + *v) + (*v + *v))
                .collect();
            assert_eq!(r.values[total], want, "{name} in {}", s.scenarios[k]);
        }
    }
}
