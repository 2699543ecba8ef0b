//! The standard library against hand-computed values: every function of
//! `std.curves`, `std.saas` and `std.finance`, plus the `pow` and `root`
//! built-ins they rely on. Each module is also checked to document every function.

#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

use plumb::compile::{compile_str, Options};
use plumb::syntax::ast::DeclKind;
use rust_decimal::Decimal;
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// Compiles `body` under a plan over `months` months starting 2026-01 and
/// returns a function giving an item's base-scenario values.
fn run(months: u32, body: &str) -> impl Fn(&str) -> Vec<Decimal> {
    let text = format!(
        "plan t \"stdlib\" {{\n  currency USD\n  periods 2026-01 .. 2026-{months:02}\n}}\nimport std.curves\nimport std.saas\nimport std.finance\n{body}\n"
    );
    let c = compile_str(
        "stdlib_test.plumb",
        &text,
        &Options {
            evaluate: true,
            scenarios: None,
        },
    );
    let errors: Vec<_> = c
        .diagnostics
        .iter()
        .filter(|d| d.code != plumb::diagnostic::Code::UnusedDriver)
        .map(|d| format!("{}: {}", d.code, d.message))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let plan = c.plan().clone();
    let results = c.results.clone().unwrap();
    move |name: &str| {
        let i = plan.item(name).unwrap_or_else(|| panic!("no item {name}"));
        results.get(plan.base).unwrap().values[i].clone()
    }
}

fn ds(v: &[&str]) -> Vec<Decimal> {
    v.iter().map(|s| d(s)).collect()
}

#[test]
fn curves() {
    let v = run(
        6,
        "
metric s = scurve(0, 100, 2026-01, 2026-05)
metric steep = scurve_steep(0, 100, 2026-01, 2026-05)
metric smooth = smoothstep(0.25)
metric smoother = smootherstep(0.75)
metric up = phase_in(120, 2026-01, 2026-04)
metric down = phase_out(90, 2026-02, 2026-04)
metric from_march = starting(5, 2026-03)
metric until_march = ending(5, 2026-03)
metric feb_mar = between(7, 2026-02, 2026-04)
metric per_month: USD = monthly(1.2M)
metric shrinking = decay(1000, 10%)
metric line = linear(10, 2.5)
",
    );
    // x runs 0, 1/4, 1/2, 3/4, 1; 3x² − 2x³ = 0, 0.15625, 0.5, 0.84375, 1.
    assert_eq!(v("s"), ds(&["0", "15.625", "50", "84.375", "100", "100"]));
    // 6x⁵ − 15x⁴ + 10x³ at 1/4 = 0.103515625, at 3/4 = 0.896484375.
    assert_eq!(
        v("steep"),
        ds(&["0", "10.3515625", "50", "89.6484375", "100", "100"])
    );
    assert_eq!(v("smooth")[0], d("0.15625"));
    assert_eq!(v("smoother")[0], d("0.896484375"));
    assert_eq!(v("up"), ds(&["0", "40", "80", "120", "120", "120"]));
    assert_eq!(v("down"), ds(&["90", "90", "45", "0", "0", "0"]));
    assert_eq!(v("from_march"), ds(&["0", "0", "5", "5", "5", "5"]));
    assert_eq!(v("until_march"), ds(&["5", "5", "0", "0", "0", "0"]));
    assert_eq!(v("feb_mar"), ds(&["0", "7", "7", "0", "0", "0"]));
    assert_eq!(v("per_month")[0], d("100000"));
    assert_eq!(
        v("shrinking"),
        ds(&["1000", "900", "810", "729", "656.1", "590.49"])
    );
    assert_eq!(v("line"), ds(&["10", "12.5", "15", "17.5", "20", "22.5"]));
}

#[test]
fn saas() {
    let v = run(
        1,
        "
unit customer
metric arr_: USD = arr(100K)
metric nrr = net_revenue_retention(1M, 150K, 20K, 30K)
metric grr = gross_revenue_retention(1M, 20K, 30K)
metric cac_: USD/customer = cac(600K USD, 40 customer)
metric payback = cac_payback(15K, 1250, 80%)
metric ltv_ = ltv(1250, 80%, 2%)
metric ltv_cac = ltv_to_cac(45K, 15K)
metric burn = burn_multiple(1.5M, 1M)
metric r40: % = rule_of_40(30%, 15%)
metric quick = quick_ratio(40K, 20K, 5K, 10K)
metric magic = magic_number(300K, 400K)
",
    );
    assert_eq!(v("arr_"), ds(&["1200000"])); // 100,000 × 12
    assert_eq!(v("nrr"), ds(&["1.1"])); // (1M + 150K − 20K − 30K) / 1M
    assert_eq!(v("grr"), ds(&["0.95"])); // (1M − 20K − 30K) / 1M
    assert_eq!(v("cac_"), ds(&["15000"])); // 600,000 / 40
    assert_eq!(v("payback"), ds(&["15"])); // 15,000 / (1,250 × 0.8)
    assert_eq!(v("ltv_"), ds(&["50000"])); // 1,250 × 0.8 / 0.02
    assert_eq!(v("ltv_cac"), ds(&["3"])); // 45,000 / 15,000
    assert_eq!(v("burn"), ds(&["1.5"])); // 1.5M / 1M
    assert_eq!(v("r40"), ds(&["0.45"])); // 30% + 15%
    assert_eq!(v("quick"), ds(&["4"])); // (40K + 20K) / (5K + 10K)
    assert_eq!(v("magic"), ds(&["0.75"])); // 300K / 400K
}

#[test]
fn finance() {
    let v = run(
        2,
        "
driver cash: USD = 121
driver principal: USD = 21000
metric npv_: USD = npv(10%, cash)
metric pv: USD = present_value(121 USD, 10%, 2)
metric fv: USD = future_value(100 USD, 10%, 2)
metric cagr_two = cagr(100, 121, 2)
metric cagr_three = cagr(1M, 8M, 3)
metric monthly = monthly_rate(10%)
metric pay: USD = loan_payment(principal, 10%, 2)
metric pay_free: USD = loan_payment(principal, 0, 4)
metric pay_odd: USD = loan_payment(1000 USD, 10%, 2)
metric gm = gross_margin(1000, 250)
driver sales: USD = grow(100, 5%)
metric growth = period_growth(sales)
",
    );
    // 121 / 1.1 + 121 / 1.21 = 110 + 100.
    assert_eq!(v("npv_")[0], d("210"));
    assert_eq!(v("pv")[0], d("100")); // 121 / 1.1²
    assert_eq!(v("fv")[0], d("121")); // 100 × 1.1²
    assert_eq!(v("cagr_two")[0], d("0.1")); // √1.21 − 1
    assert_eq!(v("cagr_three")[0], d("1")); // ∛8 − 1
                                            // 1.1^(1/12) − 1 = 0.00797414042890374…
    assert_eq!(v("monthly")[0].round_dp(15), d("0.007974140428904"));
    // 21,000 × 0.1 × 1.21 / 0.21 = 12,100; with no interest 21,000 / 4.
    assert_eq!(v("pay")[0], d("12100"));
    assert_eq!(v("pay_free")[0], d("5250"));
    // 1,000 × 0.1 × 1.21 / 0.21 = 576.190476…
    assert_eq!(v("pay_odd")[0].round_dp(10), d("576.1904761905"));
    assert_eq!(v("gm")[0], d("0.75"));
    assert_eq!(v("growth"), ds(&["0", "0.05"]));
}

#[test]
fn pow_and_root_builtins() {
    let v = run(
        3,
        "
metric p = pow(2, 10)
metric inv = pow(4, -1)
metric r = root(1.21, 2)
metric cube = root(-27, 3)
metric by_period = pow(2, period_index())
unit m
driver side: m = 3
metric area: m*m = pow(side, 2)
metric back: m = root(area, 2)
",
    );
    assert_eq!(v("p")[0], d("1024"));
    assert_eq!(v("inv")[0], d("0.25"));
    assert_eq!(v("r")[0], d("1.1"));
    assert_eq!(v("cube")[0], d("-3"));
    assert_eq!(v("by_period"), ds(&["1", "2", "4"]));
    assert_eq!(v("area")[0], d("9"));
    assert_eq!(v("back")[0], d("3"));
}

#[test]
fn every_function_is_documented() {
    for (name, text) in plumb::stdlib::MODULES {
        let parsed = plumb::syntax::parse(text, plumb::source::FileId(0));
        assert!(
            parsed.diagnostics.is_empty(),
            "std.{name}: {:?}",
            parsed.diagnostics
        );
        let mut fns = 0;
        for decl in &parsed.file.decls {
            if let DeclKind::Fn { name: f, .. } = &decl.kind {
                fns += 1;
                assert!(
                    decl.doc.as_deref().is_some_and(|d| !d.trim().is_empty()),
                    "std.{name}: `{}` has no ## doc comment",
                    f.name
                );
            }
        }
        assert!(fns > 0, "std.{name} defines no functions");
    }
}
