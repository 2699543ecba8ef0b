//! The evaluation benchmark: `cargo bench --bench eval`.
//!
//! Generates a synthetic plan (10,000 items × 60 months × 3 scenarios, see
//! `benches/gen/mod.rs`) and prints:
//! - the front end's time (parse + resolve + check, no evaluation), and each stage,
//! - evaluation of all three scenarios as `plumb run` does it (a scenario takes
//!   from base what it does not change), and with every cell of every scenario
//!   computed,
//! - the same formulas in bare `rust_decimal` arithmetic (the baseline) and the ratio,
//! - the whole `plumb run --format json` of the release binary on the generated
//!   file, output to /dev/null, with its peak memory,
//! - the peak memory of the in-process compile + evaluate,
//! - the ratios the issue sets targets for: front end / baseline (≤ 2.5×), the
//!   whole run / baseline (≤ 6×) and, when `python3` is present, the whole run /
//!   a Python `decimal` evaluator of the same model (`benches/python_baseline.py`,
//!   load + evaluate; ≤ 0.5×), whose results are checked against Plumb's.
//!
//! Every figure is the median of several runs, in wall-clock time and in CPU time
//! (user + system, all threads): on a busy machine the CPU time is the steadier.
//! It also checks that the evaluator's results equal the baseline's, digit for
//! digit. Not a timed test: it prints figures, it does not fail on them.
//! `PLUMB_BENCH_ITEMS` and `PLUMB_BENCH_RUNS` change the size and the repetitions;
//! `PLUMB_BENCH_ONLY=frontend` stops after the front end, `PLUMB_BENCH_ONLY=eval`
//! times only the evaluation (for profiling).
//!
//! The dimensions variant (DIMENSIONS.md): the same generator with a fifth of the
//! items, each declared `by seg`, a dimension of `PLUMB_BENCH_DIMS` members
//! (default 20: 2,000 items × 20 members = 40,000 series), compiled, evaluated and
//! compared per series with the flat plan. `PLUMB_BENCH_DIMS=0` skips it,
//! `PLUMB_BENCH_ONLY=dims` runs only the two evaluations it compares.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::expect_used)]

#[path = "gen/mod.rs"]
mod synth;

use plumb::compile::{compile_str, Options};
use plumb::eval::{evaluate, evaluate_scenario, EvalOptions};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The allocator the `plumb` binary uses (src/main.rs), so the in-process
/// figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// CPU time (user + system) of this process or of its waited-for children.
fn cpu(who: libc::c_int) -> Duration {
    // SAFETY: getrusage only writes into the struct we pass.
    let ru = unsafe {
        let mut ru: libc::rusage = std::mem::zeroed();
        if libc::getrusage(who, &mut ru) != 0 {
            return Duration::ZERO;
        }
        ru
    };
    let tv = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

/// Wall and CPU times of repeated runs.
#[derive(Default)]
struct Times {
    wall: Vec<Duration>,
    cpu: Vec<Duration>,
}

impl Times {
    /// Runs `f` once, timing it (CPU time of `who`).
    fn once<T>(&mut self, who: libc::c_int, f: impl FnOnce() -> T) -> T {
        let (c0, t0) = (cpu(who), Instant::now());
        let r = f();
        self.wall.push(t0.elapsed());
        self.cpu.push(cpu(who).saturating_sub(c0));
        r
    }

    fn median(v: &[Duration]) -> Duration {
        let mut v = v.to_vec();
        v.sort();
        v.get(v.len() / 2).copied().unwrap_or_default()
    }

    fn wall(&self) -> Duration {
        Times::median(&self.wall)
    }

    fn cpu(&self) -> Duration {
        Times::median(&self.cpu)
    }

    fn line(&self, what: &str) -> String {
        let min = self.wall.iter().min().copied().unwrap_or_default();
        format!(
            "{what:<40} median {} (min {}), CPU {}",
            ms(self.wall()),
            ms(min).trim(),
            ms(self.cpu()).trim()
        )
    }
}

fn ms(d: Duration) -> String {
    format!("{:7.1} ms", d.as_secs_f64() * 1e3)
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

fn mb(kb: u64) -> String {
    format!("{:.0} MB", kb as f64 / 1024.0)
}

fn main() {
    let env = |k: &str| std::env::var(k).ok().and_then(|v| v.parse::<usize>().ok());
    let items = env("PLUMB_BENCH_ITEMS").unwrap_or(synth::Config::full().items);
    let runs = env("PLUMB_BENCH_RUNS").unwrap_or(7).max(1);
    let only = std::env::var("PLUMB_BENCH_ONLY").unwrap_or_default();
    let me = libc::RUSAGE_SELF;

    let s = synth::generate(synth::Config {
        items,
        ..synth::Config::full()
    });
    let scenarios = s.scenarios.len();
    let cells = s.formulas.len() * s.months * scenarios;
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("eval_bench_plan.plumb");
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
    println!(
        "machine: {} CPUs, load average {}",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );

    if only == "dims" {
        let c = compile_str("bench.plumb", &s.text, &Options::default());
        let mut full = Times::default();
        for _ in 0..runs {
            full.once(me, || every_cell(c.plan()));
        }
        println!("{}", full.line("flat: every cell computed, one thread"));
        dims_variant(&s, runs, &full);
        return;
    }

    if only == "eval" {
        // For profiling: the evaluation alone, many times.
        let c = compile_str("bench.plumb", &s.text, &Options::default());
        let mut t = Times::default();
        for _ in 0..runs {
            t.once(me, || evaluate(c.plan(), &EvalOptions::default()).unwrap());
        }
        println!("{}", t.line("evaluation, 3 scenarios"));
        return;
    }

    // Front end: parse + resolve + check (no evaluation).
    let mut fe = Times::default();
    let mut c = None;
    for _ in 0..runs {
        c = Some(fe.once(me, || {
            compile_str("bench.plumb", &s.text, &Options::default())
        }));
    }
    let c = c.expect("compiled");
    let errors: Vec<&str> = c
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .take(3)
        .map(|d| d.message.as_str())
        .collect();
    assert!(
        errors.is_empty(),
        "the generated plan has errors: {errors:?}"
    );
    println!("{}", fe.line("front end (parse + resolve + check)"));
    {
        // Its stages, once each.
        use plumb::resolve::{resolve, ParsedFile};
        use plumb::source::{FileId, Span};
        let (mut p, mut r, mut k) = (Times::default(), Times::default(), Times::default());
        let parsed = p.once(me, || plumb::syntax::parse(&s.text, FileId(0)));
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
        let (mut resolved, _) = r.once(me, || resolve(&files, &text));
        k.once(me, || {
            let inferred = plumb::infer::infer(&mut resolved.plan);
            plumb::check::before_eval(&resolved.plan, inferred)
        });
        println!("{}", p.line("  parse (two threads)"));
        println!("{}", r.line("  resolve"));
        println!("{}", k.line("  check (units, cycles, …)"));
    }
    if only == "frontend" {
        return;
    }

    // Evaluation of every scenario, and the baseline: the same formulas as
    // hand-written loops over Vec<Decimal>. Runs alternate, so that a busy
    // machine slows all of them alike.
    //
    // `evaluate` takes from base what a scenario does not change and runs the
    // scenarios after base on two threads; "every cell" evaluates each scenario
    // on its own, one after the other (`evaluate_scenario`), computing all 1.8M
    // cells like the baseline does.
    let plan = c.plan();
    let (mut ev, mut full, mut bl) = (Times::default(), Times::default(), Times::default());
    let (mut results, mut reference) = (None, None);
    for _ in 0..runs {
        results = Some(ev.once(me, || evaluate(plan, &EvalOptions::default()).unwrap()));
        full.once(me, || every_cell(plan));
        reference = Some(bl.once(me, || synth::reference(&s).expect("no overflow")));
    }
    let (results, reference) = (results.unwrap(), reference.unwrap());
    let ops = synth::ops_per_cell_row(&s) * s.months * scenarios;
    println!("{}", ev.line("evaluation, 3 scenarios (as plumb run)"));
    println!("{}", full.line("  every cell computed, one thread"));
    println!(
        "{}",
        bl.line(&format!("bare rust_decimal baseline ({ops} ops)"))
    );
    println!(
        "every cell / baseline                    {:.2}× wall, {:.2}× CPU",
        full.wall().as_secs_f64() / bl.wall().as_secs_f64(),
        full.cpu().as_secs_f64() / bl.cpu().as_secs_f64()
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
    // A sample of Plumb's results, for the Python baseline's check.
    let sample: Vec<(usize, usize, Vec<rust_decimal::Decimal>)> = (0..scenarios)
        .flat_map(|k| (0..s.formulas.len()).step_by(PY_EVERY).map(move |i| (k, i)))
        .map(|(k, i)| (k, i, results.scenarios[k].values[i].to_vec()))
        .collect();
    drop((results, reference, c));

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
            "peak memory, in process (compile + eval) {} ({} above the {} held before)",
            mb(hwm),
            mb(hwm.saturating_sub(rss_before)),
            mb(rss_before)
        );
    }

    // The whole `plumb run --format json` of the release binary. Its peak memory
    // comes from /usr/bin/time (a child forked from this large process would
    // report this process's memory as its own).
    let exe = env!("CARGO_BIN_EXE_plumb");
    let gnu_time = std::path::Path::new("/usr/bin/time").is_file();
    let peak_file = std::env::temp_dir().join(format!("plumb-bench-peak-{}", std::process::id()));
    let mut run = Times::default();
    let mut peak_kb = 0u64;
    for _ in 0..runs {
        let mut cmd = if gnu_time {
            let mut c = Command::new("/usr/bin/time");
            c.arg("-f").arg("%M").arg("-o").arg(&peak_file).arg(exe);
            c
        } else {
            Command::new(exe)
        };
        cmd.args(["run", "--format", "json"])
            .arg(&path)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let status = run.once(libc::RUSAGE_CHILDREN, || cmd.status().expect("run plumb"));
        assert!(status.success(), "plumb run failed: {status}");
        if let Some(kb) = std::fs::read_to_string(&peak_file)
            .ok()
            .and_then(|t| t.trim().parse::<u64>().ok())
        {
            peak_kb = peak_kb.max(kb);
        }
    }
    let _ = std::fs::remove_file(&peak_file);
    let json_bytes = Command::new(exe)
        .args(["run", "--format", "json"])
        .arg(&path)
        .output()
        .map(|o| o.stdout.len())
        .unwrap_or(0);
    println!(
        "{}   ({:.1} MB of JSON)",
        run.line("plumb run --format json > /dev/null"),
        json_bytes as f64 / 1e6
    );
    if peak_kb > 0 {
        println!("peak memory, plumb run --format json     {}", mb(peak_kb));
    }
    let ratio = |a: &Times, b: &Times, what: &str, target: &str| {
        println!(
            "{what:<40} {:.2}× wall, {:.2}× CPU (target ≤ {target})",
            a.wall().as_secs_f64() / b.wall().as_secs_f64(),
            a.cpu().as_secs_f64() / b.cpu().as_secs_f64()
        );
    };
    ratio(&fe, &bl, "front end / baseline", "2.5×");
    ratio(&run, &bl, "plumb run / baseline", "6×");
    if let Some(py) = python_baseline(&s, runs.min(3), &sample) {
        ratio(&run, &py, "plumb run / Python", "0.5×");
    }
    dims_variant(&s, runs, &full);
}

/// Every how many items the Python baseline's results are compared with Plumb's.
const PY_EVERY: usize = 97;

/// Runs `benches/python_baseline.py` on the same model (written as JSON to the
/// target's temporary directory): its times, or None without `python3`. Checks
/// that its results equal Plumb's (`sample`: scenario, item, values) to 20
/// significant digits (Python computes with 40, Plumb's decimals hold 28).
fn python_baseline(
    s: &synth::Synth,
    runs: usize,
    sample: &[(usize, usize, Vec<rust_decimal::Decimal>)],
) -> Option<Times> {
    use rust_decimal::Decimal;
    let python = Command::new("python3")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !python {
        println!("Python baseline                          skipped: python3 not found");
        return None;
    }
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let model = dir.join("eval_bench_model.json");
    let out = dir.join("eval_bench_python_sample.txt");
    std::fs::write(&model, synth::to_json(s)).expect("write the model");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/python_baseline.py");
    let mut py = Times::default();
    for _ in 0..runs {
        let status = py.once(libc::RUSAGE_CHILDREN, || {
            Command::new("python3")
                .arg(script)
                .arg(&model)
                .arg(&out)
                .arg(PY_EVERY.to_string())
                .status()
                .expect("run python3")
        });
        assert!(status.success(), "the Python baseline failed: {status}");
    }
    println!("{}", py.line("Python decimal: load + evaluate (script)"));
    let text = std::fs::read_to_string(&out).unwrap_or_default();
    let theirs: std::collections::HashMap<(usize, usize, usize), Decimal> = text
        .lines()
        .filter_map(|l| {
            let mut w = l.split(' ');
            let mut n = || w.next().and_then(|x| x.parse::<usize>().ok());
            let key = (n()?, n()?, n()?);
            Some((key, w.next()?.parse::<Decimal>().ok()?))
        })
        .collect();
    let tolerance = Decimal::new(1, 20);
    let (mut compared, mut differ) = (0usize, 0usize);
    for (k, i, col) in sample {
        for (t, ours) in col.iter().enumerate() {
            compared += 1;
            let close = theirs
                .get(&(*k, *i, t))
                .is_some_and(|p| (*ours - *p).abs() <= ours.abs().max(Decimal::ONE) * tolerance);
            if !close {
                if differ == 0 {
                    eprintln!(
                        "MISMATCH with Python: scenario {k} item {i} month {t}: {ours} vs {:?}",
                        theirs.get(&(*k, *i, t))
                    );
                }
                differ += 1;
            }
        }
    }
    println!(
        "results equal Python's                   {}",
        if differ == 0 && compared > 0 {
            format!("yes, {compared} cells to 20 significant digits")
        } else {
            format!("NO: {differ} of {compared} cells differ")
        }
    );
    Some(py)
}

/// Every scenario evaluated on its own, one after the other: every cell computed.
fn every_cell(plan: &plumb::ir::Plan) {
    let base = evaluate_scenario(plan, plan.base, None).unwrap();
    for k in (0..plan.scenarios.len()).filter(|k| *k != plan.base) {
        evaluate_scenario(plan, k, Some(&base.values)).unwrap();
    }
}

/// The dimensions variant: a fifth of the items, each by a dimension of
/// `PLUMB_BENCH_DIMS` members, against the flat plan's time per series.
fn dims_variant(flat: &synth::Synth, runs: usize, flat_full: &Times) {
    let members = std::env::var("PLUMB_BENCH_DIMS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(20);
    if members == 0 {
        return;
    }
    let me = libc::RUSAGE_SELF;
    let s = synth::generate(synth::Config {
        items: (flat.formulas.len() / 5).max(8),
        months: flat.months,
        ..synth::Config::full()
    });
    let text = synth::with_members(&s, members);
    let series = s.formulas.len() * members;
    println!();
    println!(
        "dimensions variant: {} items by a {members}-member dimension = {series} series (+ {} totals) × {} months; {:.1} MB of source",
        s.formulas.len(),
        s.formulas.len(),
        s.months,
        text.len() as f64 / 1e6
    );
    let mut fe = Times::default();
    let mut c = None;
    for _ in 0..runs.min(3) {
        c = Some(fe.once(me, || compile_str("dims.plumb", &text, &Options::default())));
    }
    let c = c.expect("compiled");
    let errors: Vec<&str> = c
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .take(3)
        .map(|d| d.message.as_str())
        .collect();
    assert!(
        errors.is_empty(),
        "the dimensioned plan has errors: {errors:?}"
    );
    println!("{}", fe.line("front end (parse + resolve + check)"));
    let plan = c.plan();
    let (mut ev, mut full) = (Times::default(), Times::default());
    for _ in 0..runs {
        ev.once(me, || evaluate(plan, &EvalOptions::default()).unwrap());
        full.once(me, || every_cell(plan));
    }
    println!("{}", ev.line("evaluation, 3 scenarios (as plumb run)"));
    println!("{}", full.line("  every cell computed, one thread"));
    let per = |t: Duration, n: usize| t.as_secs_f64() * 1e6 / n as f64;
    let flat_series = flat.formulas.len();
    let (fw, fc) = (
        per(flat_full.wall(), flat_series),
        per(flat_full.cpu(), flat_series),
    );
    let (dw, dc) = (per(full.wall(), series), per(full.cpu(), series));
    println!(
        "per series, every cell, 3 scenarios       flat {fw:.2} µs wall / {fc:.2} µs CPU; by dimension {dw:.2} µs wall / {dc:.2} µs CPU ({:.2}× / {:.2}× flat)",
        dw / fw,
        dc / fc
    );
}
