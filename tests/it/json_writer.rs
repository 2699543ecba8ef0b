//! `plumb run --format json` is written by hand for speed (`src/report/json.rs`);
//! it must stay byte-for-byte what serde_json's pretty printer makes of the same
//! report, and `format::exact` what `Decimal::normalize().to_string()` gives.

#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

use crate::common;

use plumb::calendar::By;
use plumb::outcome::targets::all_outcomes;
use plumb::present::exact;
use plumb::report::RunReport;
use rust_decimal::Decimal;
use std::str::FromStr;

#[test]
fn json_matches_serde_json_for_every_example_and_case() {
    let mut files = common::files_below("examples", "plumb");
    files.extend(common::files_below("tests/cases", "plumb"));
    let mut compared = 0;
    common::check_each(&files, |path| {
        let c = common::compile_file(path);
        let Some(results) = &c.results else { return };
        let Ok(outcomes) = all_outcomes(c.plan(), results) else {
            return;
        };
        for by in [By::Month, By::Quarter, By::Year] {
            let report = RunReport::build(c.plan(), results, &outcomes, by);
            let ours = report.to_json();
            let theirs = serde_json::to_string_pretty(&report).unwrap();
            assert_eq!(ours, theirs, "{} ({by:?})", path.display());
            compared += 1;
        }
    });
    assert!(compared >= 6, "only {compared} reports compared");
}

#[test]
fn exact_matches_normalize_to_string() {
    let mut values: Vec<Decimal> = [
        "0",
        "-0",
        "0.000",
        "1",
        "-1",
        "10",
        "100.00",
        "0.5",
        "-0.05",
        "0.0000000000000000000000000001",
        "-0.1000",
        "123456789.123456789",
        "79228162514264337593543950335",
        "-79228162514264337593543950335",
        "7922816251426433759354395033.5",
        "0.7922816251426433759354395033",
        "10000000000000000000",
        "18446744073709551615",
        "18446744073709551616",
        "1000000000000000000000000000",
        "12345678901234567890.000000001",
    ]
    .iter()
    .map(|s| Decimal::from_str(s).unwrap())
    .collect();
    // A spread of mantissas and scales, deterministic.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..20_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let hi = (x >> 32) as u32 & 0x3fff_ffff;
        let mid = x as u32;
        let lo = (x.rotate_left(21)) as u32;
        let scale = (x % 29) as u32;
        let neg = x & 1 == 1;
        let zeros = (x >> 40) % 4;
        let mut d = Decimal::from_parts(lo, mid, if x % 3 == 0 { 0 } else { hi }, neg, scale);
        for _ in 0..zeros {
            if let Some(t) = d.checked_mul(Decimal::TEN) {
                d = t;
            }
        }
        values.push(d);
    }
    // Mantissas of every length around 64 bits, the short path's edge.
    for n in [
        1u64,
        9,
        10,
        99,
        100,
        1_001,
        12_300,
        999_999_999_999,
        u64::MAX - 1,
        u64::MAX,
    ] {
        for scale in [0, 1, 2, 5, 19, 20, 28] {
            values.push(Decimal::from_i128_with_scale(i128::from(n), scale));
            values.push(Decimal::from_i128_with_scale(i128::from(n) + 1, scale));
        }
    }
    for v in values {
        assert_eq!(exact(v), v.normalize().to_string(), "{v:?}");
    }
}

#[test]
fn a_large_report_written_on_two_threads_matches_too() {
    use plumb::report::{
        ItemReport, RequestReport, RequestSide, ScenarioReport, TargetReport, TriggerReport,
        WindowReport,
    };
    use plumb::units::Unit;
    // Enough values for the two-thread path, built directly.
    let periods: Vec<String> = (0..60)
        .map(|m| format!("{}-{:02}", 2026 + m / 12, m % 12 + 1))
        .collect();
    let scenarios = (0..3)
        .map(|s| ScenarioReport {
            name: format!("s{s}"),
            title: String::new(),
            is_base: s == 0,
            items: (0..2800)
                .map(|i| ItemReport {
                    name: format!("item_{i}"),
                    kind: "metric",
                    unit: if i % 2 == 0 {
                        Unit::named("USD")
                    } else {
                        Unit::percent()
                    },
                    values: (0..60)
                        .map(|t| {
                            Decimal::new(
                                (i * 7919 + t * 104_729 + s) as i64 - 50_000,
                                (t % 5) as u32,
                            )
                        })
                        .collect(),
                    total: Decimal::ZERO,
                })
                .collect(),
            targets: vec![TargetReport {
                objective: "o".into(),
                target: "sum(x) >= 1".into(),
                projected: Some(Decimal::ONE),
                threshold: None,
                gap: Some(Decimal::new(-5, 1)),
                met: s % 2 == 0,
                outlook: None,
                outlook_gap: None,
                unit: Unit::dimensionless(),
                period: (s == 1).then(|| "2026-03".to_string()),
                owner: String::new(),
                depth: 0,
                rank: 0,
            }],
            requests: vec![RequestReport {
                request: "r".into(),
                from: (s != 1).then(|| "rnd".to_string()),
                ask: Some(RequestSide {
                    condition: "sum(hires) == 30".into(),
                    value: Some(Decimal::new(20, 0)),
                    threshold: Some(Decimal::new(30, 0)),
                    gap: Some(Decimal::new(-10, 0)),
                    holds: false,
                }),
                grant: (s == 0).then(|| RequestSide {
                    condition: "sum(hires) == 20".into(),
                    value: None,
                    threshold: Some(Decimal::new(20, 0)),
                    gap: None,
                    holds: true,
                }),
                gap: None,
                unit: Unit::dimensionless(),
            }],
            triggers: vec![TriggerReport {
                name: "t \"quoted\"".into(),
                fired: (s == 2).then(|| "2026-04".to_string()),
            }],
            budgets: Vec::new(),
            actuals: None,
            forecast: None,
        })
        .collect();
    let report = RunReport {
        plan: "big".into(),
        title: String::new(),
        periods,
        windows: vec![WindowReport {
            period: "2026-Q1".into(),
            from: "2026-01".into(),
            to: "2026-02".into(),
            partial: true,
        }],
        actuals_through: None,
        scenarios,
        ranked_requests: Vec::new(),
        contingency_left: None,
    };
    let mut streamed = Vec::new();
    report.write_json(&mut streamed).unwrap();
    let theirs = serde_json::to_string_pretty(&report).unwrap();
    assert!(streamed == theirs.as_bytes(), "the streamed JSON differs");
    assert_eq!(report.to_json(), theirs);
}
