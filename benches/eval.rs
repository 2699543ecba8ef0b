//! The evaluation benchmark: `cargo bench --bench eval`.
//!
//! Generates a synthetic plan (10,000 items × 60 months × 3 scenarios, see
//! `benches/gen/mod.rs`) and prints:
//! - the front end's time (parse + resolve + check, no evaluation),
//! - evaluation of all three scenarios (median of several runs),
//! - the same formulas in bare `rust_decimal` arithmetic (the baseline) and the ratio,
//! - the whole `plumb run --format json` of the release binary on the generated
//!   file, output to /dev/null, with its peak memory,
//! - the peak memory of the in-process compile + evaluate.
//!
//! It also checks that the evaluator's results equal the baseline's, digit for
//! digit. Not a timed test: it prints figures, it does not fail on them.
//! `PLUMB_BENCH_ITEMS` and `PLUMB_BENCH_RUNS` change the size and the repetitions;
//! `PLUMB_BENCH_ONLY=frontend` stops after the front end, `PLUMB_BENCH_ONLY=eval`
//! times only the evaluation (for profiling).

#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::expect_used)]

#[path = "gen/mod.rs"]
mod synth;

use plumb::compile::{compile_str, Options};
use plumb::eval::{evaluate, evaluate_scenario, EvalOptions};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:8.1} ms", d.as_secs_f64() * 1e3)
}

/// Runs `f` `runs` times; the median time and the last result.
fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, Duration, T) {
    let mut times = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        let r = f();
        times.push(t.elapsed());
        last = Some(r);
    }
    let min = times.iter().min().copied().unwrap_or_default();
    (median(times), min, last.expect("at least one run"))
}

/// `VmHWM` / `VmRSS` of this process, in kB (Linux only; 0 elsewhere).
fn proc_status(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// Resets `VmHWM` to the current RSS (Linux ≥ 4.0).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Largest peak RSS of any waited-for child process, in kB.
fn children_peak_kb() -> u64 {
    // SAFETY: getrusage only writes into the struct we pass.
    unsafe {
        let mut ru: libc::rusage = std::mem::zeroed();
        if libc::getrusage(libc::RUSAGE_CHILDREN, &mut ru) == 0 {
            ru.ru_maxrss as u64
        } else {
            0
        }
    }
}

fn mb(kb: u64) -> String {
    format!("{:.0} MB", kb as f64 / 1024.0)
}

fn main() {
    let items: usize = std::env::var("PLUMB_BENCH_ITEMS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(synth::Config::full().items);
    let runs: usize = std::env::var("PLUMB_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(7);
    let cfg = synth::Config {
        items,
        ..synth::Config::full()
    };
    let s = synth::generate(cfg);
    let scenarios = s.scenarios.len();
    let cells = s.formulas.len() * s.months * scenarios;
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let path = dir.join("eval_bench_plan.plumb");
    std::fs::write(&path, &s.text).expect("write the generated plan");
    println!(
        "plumb eval benchmark: {} items × {} months × {} scenarios = {} cells; {:.1} MB of source ({})",
        s.formulas.len(),
        s.months,
        scenarios,
        cells,
        s.text.len() as f64 / 1e6,
        path.display()
    );

    let only = std::env::var("PLUMB_BENCH_ONLY").unwrap_or_default();
    if only == "eval" {
        // For profiling: the evaluation alone, many times.
        let c = compile_str("bench.plumb", &s.text, &Options::default());
        let (ev, ev_min, _) = time(runs, || {
            evaluate(c.plan(), &EvalOptions::default()).expect("evaluation succeeds")
        });
        println!("evaluation median {}   min {}", ms(ev), ms(ev_min));
        return;
    }

    // Front end: parse + resolve + check (no evaluation).
    let (fe, fe_min, c) = time(runs.min(5), || {
        compile_str("bench.plumb", &s.text, &Options::default())
    });
    let errors: Vec<String> = c
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .take(3)
        .map(|d| d.message.clone())
        .collect();
    assert!(
        errors.is_empty(),
        "the generated plan has errors: {errors:?}"
    );
    println!(
        "front end (parse + resolve + check)      median {}   min {}",
        ms(fe),
        ms(fe_min)
    );
    // Its stages, once each.
    {
        use plumb::resolve::{resolve, ParsedFile};
        use plumb::source::{FileId, Span};
        let t = Instant::now();
        let parsed = plumb::syntax::parse(&s.text, FileId(0));
        let parse = t.elapsed();
        let files = vec![ParsedFile {
            file: FileId(0),
            ast: parsed.file,
            entry: true,
        }];
        let text = |sp: Span| {
            s.text
                .get(sp.start as usize..sp.end as usize)
                .unwrap_or("")
                .to_string()
        };
        let t = Instant::now();
        let (mut resolved, _) = resolve(&files, &text);
        let res = t.elapsed();
        let t = Instant::now();
        let _ = plumb::check::before_eval(&mut resolved.plan);
        let chk = t.elapsed();
        println!(
            "  of which parse {}, resolve {}, check {}",
            ms(parse).trim(),
            ms(res).trim(),
            ms(chk).trim()
        );
    }

    if only == "frontend" {
        return;
    }

    // Evaluation of every scenario, and the baseline: the same formulas as
    // hand-written loops over Vec<Decimal>. Runs alternate, so that a busy
    // machine slows both alike.
    //
    // `evaluate` takes from base what a scenario does not change; "every cell"
    // evaluates each scenario on its own (`evaluate_scenario`), computing all
    // 1.8M cells like the baseline does.
    let plan = c.plan();
    let (mut ev_times, mut full_times, mut bl_times) = (Vec::new(), Vec::new(), Vec::new());
    let (mut results, mut reference) = (None, None);
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        results = Some(evaluate(plan, &EvalOptions::default()).expect("evaluation succeeds"));
        ev_times.push(t.elapsed());
        let t = Instant::now();
        let base = evaluate_scenario(plan, plan.base, None).expect("base");
        for k in 0..plan.scenarios.len() {
            if k != plan.base {
                evaluate_scenario(plan, k, Some(&base.values)).expect("scenario");
            }
        }
        full_times.push(t.elapsed());
        let t = Instant::now();
        reference = Some(synth::reference(&s).expect("no overflow"));
        bl_times.push(t.elapsed());
    }
    let (results, reference) = (results.expect("ran"), reference.expect("ran"));
    let min = |v: &[Duration]| v.iter().min().copied().unwrap_or_default();
    let (ev_min, full_min, bl_min) = (min(&ev_times), min(&full_times), min(&bl_times));
    let (ev, full, bl) = (median(ev_times), median(full_times), median(bl_times));
    println!(
        "evaluation, {scenarios} scenarios                  median {}   min {}",
        ms(ev),
        ms(ev_min)
    );
    println!(
        "  every cell computed (no reuse)         median {}   min {}",
        ms(full),
        ms(full_min)
    );
    let ops = synth::ops_per_cell_row(&s) * s.months * scenarios;
    println!(
        "bare rust_decimal baseline               median {}   min {}   ({ops} operations)",
        ms(bl),
        ms(bl_min)
    );
    println!(
        "every cell / baseline                    {:8.2}×   (min / min {:.2}×)",
        full.as_secs_f64() / bl.as_secs_f64(),
        full_min.as_secs_f64() / bl_min.as_secs_f64()
    );

    // Same digits as the baseline.
    let mut mismatches = 0usize;
    for (k, r) in results.scenarios.iter().enumerate() {
        for (i, col) in r.values.iter().enumerate() {
            if *col != reference[k][i] {
                if mismatches == 0 {
                    eprintln!(
                        "MISMATCH: scenario {} item {}: {:?} vs {:?}",
                        s.scenarios[k],
                        s.names[i],
                        &col[..col.len().min(3)],
                        &reference[k][i][..3]
                    );
                }
                mismatches += 1;
            }
        }
    }
    println!(
        "results equal the baseline's             {}",
        if mismatches == 0 {
            "yes, digit for digit".to_string()
        } else {
            format!("NO: {mismatches} items differ")
        }
    );
    drop(results);
    drop(reference);
    drop(c);

    // Peak memory of an in-process compile + evaluate.
    let rss_before = proc_status("VmRSS:");
    reset_peak();
    let c = compile_str(
        "bench.plumb",
        &s.text,
        &Options {
            evaluate: true,
            scenarios: None,
        },
    );
    assert!(c.results.is_some());
    let hwm = proc_status("VmHWM:");
    drop(c);
    if hwm > 0 {
        println!(
            "peak memory, in process (compile + eval) {:>8}   ({} above the {} held before)",
            mb(hwm),
            mb(hwm.saturating_sub(rss_before)),
            mb(rss_before)
        );
    }

    // The whole `plumb run --format json` of the release binary.
    let exe = env!("CARGO_BIN_EXE_plumb");
    let mut times = Vec::new();
    for _ in 0..runs.min(5) {
        let t = Instant::now();
        let status = Command::new(exe)
            .args(["run", "--format", "json"])
            .arg(&path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("run the plumb binary");
        times.push(t.elapsed());
        assert!(status.success(), "plumb run failed: {status}");
    }
    let min = times.iter().min().copied().unwrap_or_default();
    let json_bytes = Command::new(exe)
        .args(["run", "--format", "json"])
        .arg(&path)
        .output()
        .map(|o| o.stdout.len())
        .unwrap_or(0);
    println!(
        "plumb run --format json > /dev/null      median {}   min {}   ({:.1} MB of JSON)",
        ms(median(times)),
        ms(min),
        json_bytes as f64 / 1e6
    );
    println!(
        "peak memory, plumb run --format json     {:>8}",
        mb(children_peak_kb())
    );
}
