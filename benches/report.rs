//! The report benchmark: `cargo bench --bench report`.
//!
//! Times the whole `plumb report` of the release binary (compile, evaluate,
//! render every page, write the site) on the contract's example
//! (`examples/fy2026.plumb`) and on the synthetic 10,000-item × 60-month ×
//! 3-scenario model of `benches/gen/mod.rs`, and `plumb export --format xlsx` on
//! both. Prints the median wall time of several runs; the last run of each
//! inherits stderr, so on a terminal it shows `plumb report`'s progress bar. Not
//! a timed test: it prints figures, it does not fail on them.
//! `PLUMB_BENCH_RUNS` changes the repetitions.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::expect_used)]

#[path = "gen/mod.rs"]
mod synth;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

/// Median wall time of `runs` runs of `plumb ARGS`; the last one shows stderr.
fn time(args: &[&str], runs: usize) -> Duration {
    let exe = env!("CARGO_BIN_EXE_plumb");
    let mut times = Vec::new();
    for k in 0..runs {
        let last = k + 1 == runs;
        let t0 = Instant::now();
        let status = Command::new(exe)
            .args(args)
            .stdout(Stdio::null())
            .stderr(if last {
                Stdio::inherit()
            } else {
                Stdio::null()
            })
            .status()
            .expect("plumb runs");
        times.push(t0.elapsed());
        assert!(
            status.code().is_some_and(|c| c <= 1),
            "plumb {args:?}: {status}"
        );
    }
    median(times)
}

fn ms(d: Duration) -> String {
    format!("{:8.1} ms", d.as_secs_f64() * 1e3)
}

fn main() {
    let runs: usize = std::env::var("PLUMB_BENCH_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5)
        .max(1);
    let dir = tempfile::tempdir().expect("temp dir");
    let out = |name: &str| dir.path().join(name).display().to_string();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/fy2026.plumb");
    let example = example.display().to_string();

    let r1 = time(&["report", &example, "-o", &out("fy2026")], runs);
    let x1 = time(
        &[
            "export",
            &example,
            "--format",
            "xlsx",
            "-o",
            &out("fy2026.xlsx"),
        ],
        runs,
    );

    // The contract's example after the first-quarter close (examples/close),
    // with two drivers given ranges so the report also simulates: actuals,
    // forecast, waterfall, 10,000 samples, bands and tornadoes.
    let close = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/close");
    let closed_dir = dir.path().join("close");
    std::fs::create_dir_all(&closed_dir).expect("close dir");
    std::fs::copy(close.join("actuals.csv"), closed_dir.join("actuals.csv")).expect("actuals");
    let text = std::fs::read_to_string(close.join("fy2026.plumb")).expect("close plan");
    let ranged = text
        .replace(
            "driver deal_size: USD/deal = 85K { owner sales }",
            "driver deal_size: USD/deal = 85K { owner sales  range 75K to 95K }",
        )
        .replace(
            "driver sm_spend: USD = 1.2M { owner marketing }",
            "driver sm_spend: USD = 1.2M { owner marketing  range 1.1M to 1.4M }",
        );
    assert_ne!(
        ranged, text,
        "the close example's drivers changed; update the bench"
    );
    let closed = closed_dir.join("fy2026.plumb");
    std::fs::write(&closed, ranged).expect("write the ranged close");
    let closed = closed.display().to_string();
    let r3 = time(
        &["report", &closed, "-o", &out("close"), "--samples", "10000"],
        runs,
    );

    let s = synth::generate(synth::Config::full());
    let big = dir.path().join("bench.plumb");
    std::fs::write(&big, &s.text).expect("write the synthetic plan");
    let big = big.display().to_string();
    let big_runs = runs.min(3);
    let r2 = time(&["report", &big, "-o", &out("bench")], big_runs);
    let x2 = time(
        &["export", &big, "--format", "xlsx", "-o", &out("bench.xlsx")],
        big_runs,
    );

    println!("plumb report, contract example (fy2026)        {}", ms(r1));
    println!("plumb export --format xlsx, contract example   {}", ms(x1));
    println!("plumb report, with actuals and 10,000 samples  {}", ms(r3));
    println!(
        "plumb report, {} items × {} months × {} scenarios {}",
        s.names.len(),
        s.months,
        s.scenarios.len(),
        ms(r2)
    );
    println!("plumb export --format xlsx, same model          {}", ms(x2));
}
