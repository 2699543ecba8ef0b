//! Properties of evaluation, checked on generated plans.
//!
//! The generator writes well-formed plans from a small grammar: drivers and
//! metrics in plain numbers or USD, formulas with random literals, `+ - * /`
//! (divisions guarded so they cannot divide by zero), `if`, comparisons, `prev`,
//! `cumsum`, `sum`/`avg`/`first`/`last`, `min`/`max`, `round`, `abs`, `grow`,
//! `ramp`, `step` and `x@P`; scenarios with overrides, triggers with playbooks
//! and targets. Every generated plan must compile without errors, so evaluation
//! is exercised, not only rejection. Properties:
//!
//! - evaluation is deterministic: the same plan twice gives byte-identical JSON
//!   and diagnostics;
//! - a scenario that extends base and overrides nothing equals base;
//! - evaluating one scenario alone gives the same numbers as evaluating all;
//! - every reported value is an exact decimal string that parses back;
//! - `plumb fmt` is idempotent and keeps the plan's meaning (the same
//!   diagnostics and byte-identical results).

#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

use plumb::calendar::By;
use plumb::compile::{compile_str, Compilation, Options};
use plumb::diagnostic::{render_human, RenderOptions};
use plumb::fmt::format_source;
use plumb::outcome::targets::all_outcomes;
use plumb::report::RunReport;
use plumb::source::FileId;
use proptest::prelude::*;
use proptest::strategy::Union;
use rust_decimal::Decimal;
use std::str::FromStr;

/// The two unit classes a generated value can have.
#[derive(Debug, Clone, Copy, PartialEq)]
enum U {
    Plain,
    Usd,
}

/// Names available to a formula, by unit.
#[derive(Debug, Clone, Default)]
struct Scope {
    plain: Vec<String>,
    usd: Vec<String>,
    /// Month labels of the horizon.
    months: Vec<String>,
}

impl Scope {
    fn names(&self, u: U) -> &[String] {
        match u {
            U::Plain => &self.plain,
            U::Usd => &self.usd,
        }
    }
}

fn literal() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u32..1000).prop_map(|n| n.to_string()),
        (0u32..100_000).prop_map(|n| format!("{}.{:02}", n / 100, n % 100)),
        (1u32..50).prop_map(|n| format!("{n}K")),
        (1u32..10).prop_map(|n| format!("{n}.5M")),
        (0u32..100).prop_map(|n| format!("{n}%")),
        (1u32..100).prop_map(|n| format!("1_{n:03}")),
    ]
}

fn month(scope: &Scope) -> impl Strategy<Value = String> {
    proptest::sample::select(scope.months.clone())
}

/// Two months of the horizon, in order.
fn months_in_order(scope: &Scope) -> impl Strategy<Value = (String, String)> {
    let m = scope.months.clone();
    let n = m.len();
    (0..n, 0..n).prop_map(move |(a, b)| (m[a.min(b)].clone(), m[a.max(b)].clone()))
}

/// A leaf of unit `u`.
fn leaf(scope: &Scope, u: U) -> BoxedStrategy<String> {
    let lit = match u {
        U::Plain => literal().boxed(),
        // A literal in dollars says so: a bare one in a product would be a plain number.
        U::Usd => literal()
            .prop_filter("no percentages of dollars", |l| !l.ends_with('%'))
            .prop_map(|l| format!("{l} USD"))
            .boxed(),
    };
    let mut options: Vec<BoxedStrategy<String>> = vec![lit];
    let names = scope.names(u).to_vec();
    if !names.is_empty() {
        options.push(proptest::sample::select(names.clone()).boxed());
        options.push(proptest::sample::select(names).boxed());
    }
    if u == U::Plain {
        options.push(Just("period_index()".to_string()).boxed());
        options.push(
            (1u32..500, 0u32..20)
                .prop_map(|(s, r)| format!("grow({s}, {r}%)"))
                .boxed(),
        );
        options.push(
            (literal(), literal(), months_in_order(scope))
                .prop_map(|(a, b, (p, q))| format!("ramp({a}, {b}, {p}, {q})"))
                .boxed(),
        );
        options.push(
            (month(scope), literal(), month(scope), literal())
                .prop_map(|(p, a, q, b)| {
                    if p == q {
                        format!("step {{ {p}: {a} }}")
                    } else {
                        format!("step {{ {p}: {a}, {q}: {b} }}")
                    }
                })
                .boxed(),
        );
    }
    Union::new(options).boxed()
}

/// An expression of unit `u`, at most `depth` levels of operators deep.
fn expr(scope: &Scope, u: U, depth: u32) -> BoxedStrategy<String> {
    if depth == 0 {
        return leaf(scope, u);
    }
    let same = || expr(scope, u, depth - 1);
    let plain = || expr(scope, U::Plain, depth - 1);
    // `x@P` reads one period; `(1)@P` when no name of this unit exists yet.
    let at_names = match (scope.names(u), u) {
        ([], U::Plain) => vec!["(1)".to_string()],
        ([], U::Usd) => vec!["(1 USD)".to_string()],
        (names, _) => names.to_vec(),
    };
    let mut options: Vec<BoxedStrategy<String>> = vec![
        leaf(scope, u),
        (same(), same())
            .prop_map(|(a, b)| format!("{a} + {b}"))
            .boxed(),
        (same(), same())
            .prop_map(|(a, b)| format!("{a} - ({b})"))
            .boxed(),
        (same(), plain())
            .prop_map(|(a, b)| format!("({a}) * ({b})"))
            .boxed(),
        (same(), plain())
            .prop_map(|(a, b)| format!("({a}) / (abs({b}) + 1)"))
            .boxed(),
        same().prop_map(|a| format!("-({a})")).boxed(),
        same().prop_map(|a| format!("({a})")).boxed(),
        (cond(scope, depth - 1), same(), same())
            .prop_map(|(c, a, b)| format!("(if {c} then {a} else {b})"))
            .boxed(),
        (same(), same())
            .prop_map(|(a, b)| format!("max({a}, {b})"))
            .boxed(),
        (same(), same(), same())
            .prop_map(|(a, b, c)| format!("min({a}, {b}, {c})"))
            .boxed(),
        same().prop_map(|a| format!("abs({a})")).boxed(),
        (same(), 0u32..4)
            .prop_map(|(a, k)| format!("round({a}, {k})"))
            .boxed(),
        same().prop_map(|a| format!("prev({a})")).boxed(),
        (same(), leaf(scope, u))
            .prop_map(|(a, i)| format!("prev({a}, {i})"))
            .boxed(),
        same().prop_map(|a| format!("cumsum({a})")).boxed(),
        (
            prop_oneof![
                Just("sum"),
                Just("avg"),
                Just("first"),
                Just("last"),
                Just("max")
            ],
            same(),
        )
            .prop_map(|(f, a)| format!("{f}({a})"))
            .boxed(),
        (same(), months_in_order(scope))
            .prop_map(|(a, (p, q))| format!("sum({a}, {p} .. {q})"))
            .boxed(),
        (proptest::sample::select(at_names), month(scope))
            .prop_map(|(x, p)| format!("{x}@{p}"))
            .boxed(),
    ];
    if u == U::Usd {
        options.push(
            (plain(), same())
                .prop_map(|(a, b)| format!("({a}) * ({b})"))
                .boxed(),
        );
    }
    Union::new(options).boxed()
}

/// A condition over values of either unit.
fn cond(scope: &Scope, depth: u32) -> BoxedStrategy<String> {
    let cmp = prop_oneof![
        Just("<"),
        Just("<="),
        Just(">"),
        Just(">="),
        Just("=="),
        Just("!=")
    ];
    let u = prop_oneof![Just(U::Plain), Just(U::Usd)];
    let scope = scope.clone();
    let simple = (u, cmp)
        .prop_flat_map(move |(u, op)| {
            let d = depth.min(1);
            (expr(&scope, u, d), Just(op), expr(&scope, u, d))
        })
        .prop_map(|(a, op, b)| format!("({a}) {op} ({b})"))
        .boxed();
    let s = simple.clone();
    prop_oneof![
        4 => simple,
        1 => (s.clone(), s.clone()).prop_map(|(a, b)| format!("{a} and {b}")),
        1 => (s.clone(), s.clone()).prop_map(|(a, b)| format!("({a}) or not ({b})")),
    ]
    .boxed()
}

/// A generated plan: its text and the names of its scenarios.
#[derive(Debug, Clone)]
struct Generated {
    text: String,
}

fn months_from(len: usize) -> Vec<String> {
    (0..len)
        .map(|i| format!("{}-{:02}", 2026 + i / 12, i % 12 + 1))
        .collect()
}

fn plan() -> impl Strategy<Value = Generated> {
    (3usize..=18, 1usize..=4, 1usize..=5, any::<[bool; 9]>()).prop_flat_map(
        |(len, n_drivers, n_metrics, usd)| {
            let months = months_from(len);
            let mut scope = Scope {
                months: months.clone(),
                ..Scope::default()
            };
            let mut parts: Vec<BoxedStrategy<String>> = Vec::new();
            let unit = |i: usize| if usd[i % 9] { U::Usd } else { U::Plain };
            let decl = |u: U| if u == U::Usd { ": USD" } else { "" };
            for i in 0..n_drivers {
                let u = unit(i);
                let name = format!("d{i}");
                parts.push(
                    expr(&scope, u, 1)
                        .prop_map(move |e| format!("driver {name}{} = {e}\n", decl(u)))
                        .boxed(),
                );
                match u {
                    U::Plain => scope.plain.push(format!("d{i}")),
                    U::Usd => scope.usd.push(format!("d{i}")),
                }
            }
            // Overrides and playbook actions on `d0` read only `d0` itself (its
            // value without them) and literals: reading another item could close
            // a loop through `d0`.
            let mut drivers = Scope {
                months: months.clone(),
                ..Scope::default()
            };
            match unit(0) {
                U::Plain => drivers.plain.push("d0".into()),
                U::Usd => drivers.usd.push("d0".into()),
            }
            for i in 0..n_metrics {
                let u = unit(n_drivers + i);
                let name = format!("m{i}");
                // A metric may read itself through `prev`.
                let self_ref = format!("prev({name}, 1)");
                let body = expr(&scope, u, 2);
                parts.push(
                    (body, any::<bool>())
                        .prop_map(move |(e, compounding)| {
                            if compounding {
                                format!("metric {name}{} = {self_ref} * 1.01 + ({e})\n", decl(u))
                            } else {
                                format!("metric {name}{} = {e}\n", decl(u))
                            }
                        })
                        .boxed(),
                );
                match u {
                    U::Plain => scope.plain.push(format!("m{i}")),
                    U::Usd => scope.usd.push(format!("m{i}")),
                }
            }
            // A scenario overriding some drivers from some month, a trigger with a
            // playbook, and a target.
            let d0_unit = unit(0);
            let over = (expr(&drivers, d0_unit, 2), month(&scope))
                .prop_map(|(e, p)| format!("  d0 = {e} from {p}\n"));
            let trig = (cond(&scope, 2), 1u32..3, 1u32..3, expr(&drivers, d0_unit, 1)).prop_map(
                |(c, n, after, e)| {
                    format!(
                        "trigger t \"T\" {{\n  owner ops\n  when {c} for {n} months\n  after {after} months: set d0 = ({e}) + d0\n}}\n"
                    )
                },
            );
            let target_item = scope.plain.iter().chain(&scope.usd).last().cloned().unwrap_or_default();
            let target = literal().prop_map(move |l| {
                format!("objective o \"O\" {{\n  owner ops\n  target sum({target_item}) >= {l}\n}}\n")
            });
            let header = format!(
                "plan g \"Generated\" {{\n  currency USD\n  periods {} .. {}\n}}\ndepartment ops \"Operations\"\n",
                months[0],
                months[len - 1]
            );
            (parts, over, trig, target, any::<bool>()).prop_map(
                move |(parts, over, trig, target, trigger_in_scenario)| {
                    let mut text = header.clone();
                    for p in parts {
                        text.push_str(&p);
                    }
                    text.push_str(&target);
                    text.push_str("scenario base \"Base\" {}\n");
                    text.push_str("scenario same \"No overrides\" extends base {}\n");
                    if trigger_in_scenario {
                        // Triggers inside a scenario apply to it alone.
                        let nested: String = trig.lines().map(|l| format!("  {l}\n")).collect();
                        text.push_str(&format!("scenario alt \"Alt\" extends base {{\n{over}{nested}}}\n"));
                    } else {
                        text.push_str(&format!("scenario alt \"Alt\" extends base {{\n{over}}}\n"));
                        text.push_str(&trig);
                    }
                    Generated { text }
                },
            )
        },
    )
}

fn compile(text: &str, scenarios: Option<Vec<String>>) -> Compilation {
    compile_str(
        "generated.plumb",
        text,
        &Options {
            evaluate: true,
            scenarios,
        },
    )
}

fn diagnostics(c: &Compilation) -> String {
    c.diagnostics
        .iter()
        .map(|d| {
            render_human(
                d,
                &c.sources,
                RenderOptions {
                    color: false,
                    width: 100,
                },
            )
        })
        .collect()
}

fn report_json(c: &Compilation) -> String {
    let r = c.results.as_ref().unwrap();
    let o = all_outcomes(c.plan(), r).unwrap();
    RunReport::build(c.plan(), r, &o, By::Month).to_json()
}

/// Only arithmetic the generator cannot rule out (an overflow after long
/// compounding) may fail a generated plan.
fn evaluated(c: &Compilation) -> bool {
    let unexpected: Vec<_> = c
        .diagnostics
        .iter()
        .filter(|d| d.is_error() && d.code != plumb::diagnostic::Code::Overflow)
        .collect();
    assert!(
        unexpected.is_empty(),
        "generated plan rejected:\n{}",
        diagnostics(c)
    );
    c.results.is_some()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn evaluation_is_deterministic(g in plan()) {
        let a = compile(&g.text, None);
        let b = compile(&g.text, None);
        prop_assert_eq!(diagnostics(&a), diagnostics(&b));
        if evaluated(&a) {
            prop_assert_eq!(report_json(&a), report_json(&b));
        }
    }

    #[test]
    fn a_scenario_without_overrides_equals_base(g in plan()) {
        let c = compile(&g.text, None);
        if evaluated(&c) {
            let json: serde_json::Value = serde_json::from_str(&report_json(&c)).unwrap();
            let scenarios = &json["scenarios"];
            prop_assert_eq!(&scenarios["same"]["items"], &scenarios["base"]["items"]);
            prop_assert_eq!(&scenarios["same"]["triggers"], &scenarios["base"]["triggers"]);
            prop_assert_eq!(&scenarios["same"]["targets"], &scenarios["base"]["targets"]);
        }
    }

    #[test]
    fn one_scenario_alone_gives_the_same_numbers(g in plan()) {
        let all = compile(&g.text, None);
        if evaluated(&all) {
            let alone = compile(&g.text, Some(vec!["alt".into()]));
            let all: serde_json::Value = serde_json::from_str(&report_json(&all)).unwrap();
            let alone: serde_json::Value = serde_json::from_str(&report_json(&alone)).unwrap();
            prop_assert_eq!(&all["scenarios"]["alt"], &alone["scenarios"]["alt"]);
        }
    }

    #[test]
    fn every_value_is_an_exact_decimal(g in plan()) {
        let c = compile(&g.text, None);
        if evaluated(&c) {
            let json: serde_json::Value = serde_json::from_str(&report_json(&c)).unwrap();
            for (_, sc) in json["scenarios"].as_object().unwrap() {
                for (_, item) in sc["items"].as_object().unwrap() {
                    for v in item["values"].as_array().unwrap() {
                        let s = v.as_str().unwrap();
                        let d = Decimal::from_str(s).unwrap();
                        prop_assert_eq!(d.normalize().to_string(), s);
                    }
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn formatting_is_idempotent_and_keeps_the_meaning(g in plan()) {
        let once = format_source(&g.text, FileId(0)).unwrap();
        let twice = format_source(&once, FileId(0)).unwrap();
        prop_assert_eq!(&twice, &once);
        let before = compile(&g.text, None);
        let after = compile(&once, None);
        let codes = |c: &Compilation| c.diagnostics.iter().map(|d| d.code).collect::<Vec<_>>();
        prop_assert_eq!(codes(&before), codes(&after));
        if evaluated(&before) {
            prop_assert_eq!(report_json(&before), report_json(&after));
        }
    }
}

/// The generator itself: most plans it writes evaluate (so the properties above
/// test evaluation, not rejection).
#[test]
fn generated_plans_mostly_evaluate() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strategy = plan();
    let mut ok = 0;
    for _ in 0..50 {
        let g = strategy.new_tree(&mut runner).unwrap().current();
        if evaluated(&compile(&g.text, None)) {
            ok += 1;
        }
    }
    assert!(ok >= 40, "only {ok} of 50 generated plans evaluated");
}
