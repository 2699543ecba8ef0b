//! Fuzz target: the actuals reader on any bytes, as CSV (and as `.xlsx` when the
//! bytes start like a zip file), through a plain declaration and one with
//! `columns`, `map` and `ignore`. It must never panic; every value it keeps is
//! inside the horizon and not after the close, and the same input reads the
//! same way twice.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plumb::actuals::{build, parse_file};
use plumb::compile::{compile_str, Options};
use std::sync::OnceLock;

const PLAN: &str = r#"plan p "Fuzz" {
  currency USD
  periods 2026-01 .. 2026-06
}

actuals "actuals.csv"
actuals "ledger.csv" {
  columns period "Month", name "Account", value "Amount", unit "Unit"
  map "4000 Widgets", "4010 Widgets online" -> units
  map "5000 List price" -> price
  ignore "9*", "*Suspense"
}

unit widget
driver price: USD/widget = 10
driver units: widget = 100
metric sales: USD = price * units
"#;

fn plan() -> &'static plumb::compile::Compilation {
    static C: OnceLock<plumb::compile::Compilation> = OnceLock::new();
    C.get_or_init(|| compile_str("fuzz.plumb", PLAN, &Options::default()))
}

fuzz_target!(|data: &[u8]| {
    let c = plan();
    let plan = c.plan();
    for (k, src) in plan.actuals.iter().enumerate() {
        let mut src = src.clone();
        if data.starts_with(b"PK") && k == 0 {
            src.path = "actuals.xlsx".into();
        }
        let Ok(file) = parse_file(&src, src.path.clone(), data.to_vec()) else {
            continue;
        };
        let files = [file];
        let (a, _diags) = build(plan, &files, None);
        let (b, _) = build(plan, &files, None);
        assert_eq!(a, b, "the same bytes read differently");
        let closed = a.closed();
        assert!(closed <= plan.len);
        for v in &a.values {
            assert!(v.is_empty() || v.len() == plan.len);
            for (t, x) in v.iter().enumerate() {
                assert!(x.is_none() || t < closed, "a value after the close was kept");
            }
        }
    }
});
