//! The simulation benchmark: `cargo bench --bench simulate`.
//!
//! Prints runs per second of `plumb simulate`'s core (draws, evaluation with
//! triggers, targets, percentiles) on one and on two threads, for:
//! - the contract's example (`examples/fy2026.plumb`, 3 scenarios × 12 months)
//!   with UNCERTAINTY.md §1's ranges on `deal_size` and `win_rate`, 10,000 runs;
//! - a generated 500-item plan (50 drivers of which 10 ranged, 450 metrics,
//!   3 scenarios, a trigger), 10,000 runs.
//!
//! Wall time and CPU time (all threads) are both printed: on a busy machine the
//! CPU time is the steadier. Not a timed test: it prints figures, it does not
//! fail on them.
//! `PLUMB_BENCH_SAMPLES` changes the number of runs.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::expect_used)]

use plumb::calendar::By;
use plumb::compile::{compile_str, Options};
use plumb::uncertainty::simulate::{simulate, SimOptions};
use plumb::uncertainty::Model;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

/// CPU time (user + system, all threads) of this process: on a busy machine the
/// steadier figure.
fn cpu() -> Duration {
    // SAFETY: getrusage only writes into the struct we pass.
    let ru = unsafe {
        let mut ru: libc::rusage = std::mem::zeroed();
        if libc::getrusage(libc::RUSAGE_SELF, &mut ru) != 0 {
            return Duration::ZERO;
        }
        ru
    };
    let tv = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

fn example() -> String {
    let text = std::fs::read_to_string("examples/fy2026.plumb").expect("examples/fy2026.plumb");
    text.replace(
        "driver deal_size: USD/deal = 85K { owner sales }",
        "driver deal_size: USD/deal = 85K { owner sales  range 80K to 90K }",
    )
    .replace(
        "driver win_rate: deal/lead = ramp(22%, 28%, 2026-01, 2026-06) { owner sales  means conversion_rate }",
        "driver win_rate: deal/lead = ramp(22%, 28%, 2026-01, 2026-06) {\n  owner sales\n  means conversion_rate\n  range ramp(21%, 24%, 2026-01, 2026-06) to ramp(23%, 30%, 2026-01, 2026-06)\n}",
    )
}

fn big() -> String {
    let mut s = String::from(
        "plan big \"Generated\" {\n  currency USD\n  periods 2026-01 .. 2026-12\n  base base\n}\n",
    );
    for d in 0..50 {
        let range = if d % 5 == 0 {
            format!(" {{ range {} to {} }}", 90 + d, 120 + d)
        } else {
            String::new()
        };
        let _ = writeln!(s, "driver d{d}: USD = {}{range}", 100 + d);
    }
    for m in 0..450 {
        let a = m % 50;
        let b = (m * 7 + 3) % 50;
        let expr = if m < 50 {
            format!("d{a} * 1.01 + d{b}")
        } else {
            format!("m{} + d{a} - 0.5 * d{b}", m - 50)
        };
        let _ = writeln!(s, "metric m{m}: USD = {expr}");
    }
    s.push_str("objective total \"Total\" {\n  target sum(m449) >= 9M\n}\n");
    s.push_str("scenario base \"Base\" {}\n");
    s.push_str("scenario up \"Up\" {\n  d1 = 130\n}\n");
    s.push_str("scenario down \"Down\" {\n  d2 = 80 from 2026-04\n}\n");
    s.push_str(
        "trigger slump \"Slump\" {\n  when m449 < 700K for 2 months\n  after 1 month: set d3 = 90\n}\n",
    );
    s
}

fn bench(name: &str, text: &str, samples: usize) {
    let c = compile_str(
        "bench.plumb",
        text,
        &Options {
            evaluate: true,
            scenarios: None,
        },
    );
    assert!(!c.has_errors(), "{name}: the plan has errors");
    let plan = c.plan();
    let model = Model::new(plan).expect("ranges");
    for threads in [1, 2] {
        let (c0, t0) = (cpu(), Instant::now());
        let sim = simulate(
            plan,
            &model,
            &SimOptions {
                samples,
                seed: 0,
                threads,
                scenarios: (0..plan.scenarios.len()).collect(),
                by: By::Month,
                per_window: false,
                progress: None,
            },
        )
        .expect("simulation");
        let secs = t0.elapsed().as_secs_f64();
        let cpu_secs = (cpu() - c0).as_secs_f64();
        println!(
            "{name}: {samples} runs × {} scenarios on {threads} thread(s): {secs:.3} s wall ({:.0} runs/s), {cpu_secs:.3} s CPU",
            sim.scenarios.len(),
            samples as f64 / secs
        );
    }
}

fn main() {
    let samples = std::env::var("PLUMB_BENCH_SAMPLES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    bench("fy2026 example", &example(), samples);
    bench("500-item plan", &big(), samples);
}
