//! Benchmark of actuals: the 10,000-item synthetic model (`benches/gen`) over 12
//! months with a year of actuals for 40% of its items. Measures the release
//! binary's `plumb variance --format json` against `plumb run --format json` on
//! the same plan and data (the contract: within 1.5×), and reading a 12-month,
//! 10,000-row ledger export in process.
//!
//! `cargo bench --bench actuals`; `PLUMB_BENCH_RUNS` sets the runs (default 5).

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

#[path = "gen/mod.rs"]
mod synth;

use plumb::actuals::{build, parse_file};
use plumb::compile::{compile_str, Options};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn time_cmd(args: &[&str], runs: usize) -> Duration {
    let exe = env!("CARGO_BIN_EXE_plumb");
    let mut times = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let st = Command::new(exe)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap();
        times.push(t.elapsed());
        assert!(st.code().is_some_and(|c| c <= 1), "{args:?} failed: {st}");
    }
    median(times)
}

fn main() {
    let runs = std::env::var("PLUMB_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(5)
        .max(1);
    let s = synth::generate(synth::Config {
        items: 10_000,
        months: 12,
        ..synth::Config::full()
    });
    let reference = synth::reference(&s).expect("no overflow");
    let base = &reference[0];
    // 40% of the items (every item i with i % 5 < 2): the model's value off by
    // a few percent, as a close would have it, to the cent.
    let mut csv = String::from("period,name,value\n");
    let mut rows = 0usize;
    for (i, name) in s.names.iter().enumerate() {
        if i % 5 >= 2 {
            continue;
        }
        for (t, v) in base[i].iter().enumerate() {
            let f = rust_decimal::Decimal::new(97 + ((i + t) % 7) as i64, 2);
            let a = (*v * f).round_dp(2);
            csv.push_str(&format!("2026-{:02},{name},{a}\n", t + 1));
            rows += 1;
        }
    }
    let text = s.text.replacen(
        "  periods 2026-01 .. 2026-12",
        "  periods 2026-01 .. 2026-12\n  actuals through 2026-12",
        1,
    ) + "\nactuals \"actuals.csv\"\n";
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("actuals_bench");
    std::fs::create_dir_all(&dir).unwrap();
    let plan = dir.join("plan.plumb");
    std::fs::write(&plan, &text).unwrap();
    std::fs::write(dir.join("actuals.csv"), &csv).unwrap();
    println!(
        "plumb actuals benchmark: {} items × 12 months, actuals for {} items ({rows} rows, {:.1} MB)",
        s.names.len(),
        s.names.len() * 2 / 5,
        csv.len() as f64 / 1e6
    );

    // Reading a 12-month, 10,000-row ledger export (parse + check against the plan).
    let c = compile_str("bench.plumb", &text, &Options::default());
    let p = c.plan();
    let ledger: String = csv.lines().take(10_001).map(|l| format!("{l}\n")).collect();
    let src = p.actuals.first().unwrap();
    let mut times = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let f = parse_file(src, "actuals.csv".into(), ledger.clone().into_bytes()).unwrap();
        let (a, d) = build(p, &[f], None);
        times.push(t.elapsed());
        assert!(a.any() && !d.iter().any(|x| x.is_error()));
    }
    println!(
        "read a 10,000-row ledger (in process)    {}",
        ms(median(times))
    );

    let path = plan.to_str().unwrap();
    let run = time_cmd(&["run", path, "--format", "json"], runs);
    let var = time_cmd(&["variance", path, "--format", "json"], runs);
    println!("plumb run --format json                  {}", ms(run));
    println!("plumb variance --format json             {}", ms(var));
    let ratio = var.as_secs_f64() / run.as_secs_f64();
    println!(
        "variance / run                           {ratio:.2}× ({})",
        if ratio <= 1.5 {
            "within 1.5×"
        } else {
            "OVER 1.5×"
        }
    );
}
