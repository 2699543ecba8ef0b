//! `plumb simulate`: the odds of every target (UNCERTAINTY.md §2).

use crate::{ByArg, RunFormat};
use plumb::calendar::By;
use plumb::compile::{compile, Compilation, DiskFs, Options};
use plumb::ir::ScenarioId;
use plumb::uncertainty::simulate::{simulate, SimOptions, Simulation, DEFAULT_SAMPLES};
use plumb::uncertainty::{report, Model};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Arguments of `plumb simulate`.
#[derive(Debug, clap::Args)]
pub struct SimulateArgs {
    /// The plan's entry file.
    pub file: PathBuf,
    /// Runs per scenario.
    #[arg(long, default_value_t = DEFAULT_SAMPLES, value_name = "N")]
    pub samples: usize,
    /// Seed of the random streams (the same seed gives the same output).
    #[arg(long, default_value_t = 0, value_name = "S")]
    pub seed: u64,
    /// Only these scenarios (repeatable); default: all.
    #[arg(long = "scenario", short = 's', value_name = "S")]
    pub scenarios: Vec<String>,
    /// Windows of the per-period percentiles (JSON, CSV).
    #[arg(long, value_enum, default_value = "month")]
    pub by: ByArg,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: RunFormat,
    /// Threads to run on (default: the machine's cores; the output is the same).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
}

/// A compiled plan ready for simulation, or the exit code to return.
pub struct Loaded {
    /// The compilation (evaluated, without errors).
    pub c: Compilation,
    /// Its ranged layers.
    pub model: Model,
}

/// Compiles and checks `file` and builds its model; prints diagnostics and
/// returns the exit code on failure.
pub fn load(file: &Path) -> Result<Loaded, u8> {
    if !file.is_file() {
        eprintln!("error: {} is not a file", file.display());
        return Err(2);
    }
    let c = compile(
        file,
        &DiskFs,
        &Options {
            evaluate: true,
            scenarios: None,
        },
    );
    if c.has_errors() || c.results.is_none() {
        super::eprint_diagnostics(&c);
        eprintln!("error: the plan has errors; nothing was simulated");
        return Err(1);
    }
    match Model::new(c.plan()) {
        Ok(model) => Ok(Loaded { c, model }),
        Err(ds) => {
            for d in &ds {
                eprint!(
                    "{}",
                    plumb::diagnostic::render_human(d, &c.sources, Default::default())
                );
            }
            Err(1)
        }
    }
}

/// Scenario names to indices (all when empty), or exit code 2 with a message.
pub fn scenarios(plan: &plumb::ir::Plan, names: &[String]) -> Result<Vec<ScenarioId>, u8> {
    if names.is_empty() {
        return Ok((0..plan.scenarios.len()).collect());
    }
    let mut out = Vec::new();
    for n in names {
        match plan.scenario(n) {
            Some(s) => out.push(s),
            None => {
                let all: Vec<&str> = plan.scenarios.iter().map(|s| s.name.as_str()).collect();
                let hint = match plumb::suggest::closest(n, all.iter().copied()) {
                    Some(s) => format!(" (did you mean `{s}`?)"),
                    None => String::new(),
                };
                eprintln!(
                    "error: no scenario `{n}`{hint}; the plan has: {}",
                    all.join(", ")
                );
                return Err(2);
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// Runs a simulation with a progress bar on a terminal; prints errors.
pub fn run_simulation(
    loaded: &Loaded,
    scenarios: Vec<ScenarioId>,
    samples: usize,
    seed: u64,
    by: By,
    per_window: bool,
    threads: Option<usize>,
) -> Result<Simulation, u8> {
    if samples == 0 || samples > plumb::uncertainty::simulate::MAX_SAMPLES {
        eprintln!(
            "error: --samples must be between 1 and {}",
            plumb::uncertainty::simulate::MAX_SAMPLES
        );
        return Err(2);
    }
    let threads = threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    let done = AtomicUsize::new(0);
    let finished = AtomicBool::new(false);
    let total = samples as u64;
    let show = std::io::stderr().is_terminal() && samples >= 1000;
    let plan = loaded.c.plan();
    let opts = SimOptions {
        samples,
        seed,
        threads,
        scenarios,
        by,
        per_window,
        progress: Some(&done),
    };
    let result = std::thread::scope(|scope| {
        if show {
            scope.spawn(|| {
                let bar = indicatif::ProgressBar::new(total);
                bar.set_style(
                    indicatif::ProgressStyle::with_template("simulating {bar:40} {pos}/{len} runs")
                        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
                );
                while !finished.load(Ordering::Relaxed) {
                    bar.set_position(done.load(Ordering::Relaxed) as u64);
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                bar.finish_and_clear();
            });
        }
        let r = simulate(plan, &loaded.model, &opts);
        finished.store(true, Ordering::Relaxed);
        r
    });
    result.map_err(|e| {
        let d = e.error.to_diagnostic();
        eprint!(
            "{}",
            plumb::diagnostic::render_human(&d, &loaded.c.sources, Default::default())
        );
        eprintln!("error: run {} of the simulation failed", e.run + 1);
        1
    })
}

/// Converts `--by`.
pub fn by(b: ByArg) -> By {
    match b {
        ByArg::Month => By::Month,
        ByArg::Quarter => By::Quarter,
        ByArg::Year => By::Year,
    }
}

/// Runs `plumb simulate`.
pub fn run(args: &SimulateArgs) -> u8 {
    let loaded = match load(&args.file) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let plan = loaded.c.plan();
    let scen = match scenarios(plan, &args.scenarios) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let per_window = matches!(args.format, RunFormat::Json | RunFormat::Csv);
    let sim = match run_simulation(
        &loaded,
        scen,
        args.samples,
        args.seed,
        by(args.by),
        per_window,
        args.threads,
    ) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let out = match args.format {
        RunFormat::Table => report::render_table(plan, &sim),
        RunFormat::Markdown => report::render_markdown(plan, &sim),
        RunFormat::Csv => report::render_csv(plan, &sim),
        RunFormat::Json => match serde_json::to_string_pretty(&report::to_json(plan, &sim)) {
            Ok(s) => s + "\n",
            Err(e) => {
                eprintln!("error: cannot write JSON: {e}");
                return 2;
            }
        },
    };
    if let Err(code) = super::print_stdout(&out) {
        return code;
    }
    remember_odds(&loaded.c, &sim);
    0
}

/// Leaves the base scenario's odds in the OS temporary directory, keyed by a
/// fingerprint of the plan's sources, for the language server's hover (which
/// never simulates). Nothing next to the plan is written; failures are ignored.
fn remember_odds(c: &Compilation, sim: &Simulation) {
    let Some(cache) = plumb::uncertainty::OddsCache::of(c, sim) else {
        return;
    };
    let dir = std::env::temp_dir().join(plumb::uncertainty::ODDS_CACHE_DIR);
    if std::fs::create_dir_all(&dir).is_err() {
        return;
    }
    let path = dir.join(plumb::uncertainty::OddsCache::file_name(cache.fingerprint));
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    if std::fs::write(&tmp, cache.to_text()).is_ok() && std::fs::rename(&tmp, &path).is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
}

/// `base-case-odds` for `plumb check --simulate` (nothing when the plan has
/// errors: those are reported as they are).
pub fn odds_diagnostics(
    c: &Compilation,
    samples: usize,
    seed: u64,
) -> Result<Vec<plumb::diagnostic::Diagnostic>, u8> {
    if c.has_errors() || c.results.is_none() {
        return Ok(Vec::new());
    }
    let plan = c.plan();
    let model = match Model::new(plan) {
        Ok(m) => m,
        // Reported by the check itself (`range-excludes-plan`).
        Err(_) => return Ok(Vec::new()),
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if samples == 0 || samples > plumb::uncertainty::simulate::MAX_SAMPLES {
        eprintln!(
            "error: --samples must be between 1 and {}",
            plumb::uncertainty::simulate::MAX_SAMPLES
        );
        return Err(2);
    }
    let opts = SimOptions {
        samples,
        seed,
        threads,
        scenarios: vec![plan.base],
        by: By::Month,
        per_window: false,
        progress: None,
    };
    match simulate(plan, &model, &opts) {
        Ok(sim) => Ok(plumb::uncertainty::odds_check(plan, &sim)),
        Err(e) => Ok(vec![e.error.to_diagnostic()]),
    }
}

/// One target's odds in two versions of a plan.
#[derive(Debug, Clone)]
pub struct OddsRow {
    /// Scenario name.
    pub scenario: String,
    /// `objective: target`.
    pub target: String,
    /// Probability in the old version (None: absent or not simulated).
    pub before: Option<rust_decimal::Decimal>,
    /// Probability in the new version.
    pub after: Option<rust_decimal::Decimal>,
}

/// The change in every target's odds between two versions.
#[derive(Debug, Clone, Default)]
pub struct OddsDiff {
    /// Runs per scenario.
    pub samples: usize,
    /// The seed both versions' runs were drawn with.
    pub seed: u64,
    /// Rows in the new version's order, then targets only the old one has.
    pub rows: Vec<OddsRow>,
}

/// Every target's probability in every scenario of one version (empty when the
/// plan has errors or cannot be simulated).
fn odds_of(
    c: &Compilation,
    samples: usize,
    seed: u64,
) -> Vec<(String, String, rust_decimal::Decimal)> {
    if c.has_errors() || c.results.is_none() {
        return Vec::new();
    }
    let plan = c.plan();
    let Ok(model) = Model::new(plan) else {
        return Vec::new();
    };
    let opts = SimOptions {
        samples: samples.clamp(1, plumb::uncertainty::simulate::MAX_SAMPLES),
        seed,
        threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
        scenarios: (0..plan.scenarios.len()).collect(),
        by: By::Month,
        per_window: false,
        progress: None,
    };
    let Ok(sim) = simulate(plan, &model, &opts) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for sc in &sim.scenarios {
        let name = plan
            .scenarios
            .get(sc.scenario)
            .map(|s| s.name.clone())
            .unwrap_or_default();
        for t in &sc.targets {
            let obj = plan
                .objectives
                .get(t.objective)
                .map(|o| o.name.as_str())
                .unwrap_or("?");
            out.push((name.clone(), format!("{obj}: {}", t.text), t.probability));
        }
    }
    out
}

/// Simulates both versions and pairs their targets by scenario, objective and text.
pub fn odds_diff(old: &Compilation, new: &Compilation, samples: usize, seed: u64) -> OddsDiff {
    let a = odds_of(old, samples, seed);
    let b = odds_of(new, samples, seed);
    let mut rows: Vec<OddsRow> = b
        .iter()
        .map(|(s, t, p)| OddsRow {
            scenario: s.clone(),
            target: t.clone(),
            before: a.iter().find(|x| &x.0 == s && &x.1 == t).map(|x| x.2),
            after: Some(*p),
        })
        .collect();
    for (s, t, p) in &a {
        if !b.iter().any(|x| &x.0 == s && &x.1 == t) {
            rows.push(OddsRow {
                scenario: s.clone(),
                target: t.clone(),
                before: Some(*p),
                after: None,
            });
        }
    }
    OddsDiff {
        samples,
        seed,
        rows,
    }
}

impl OddsDiff {
    /// JSON: `[{"scenario", "target", "before", "after", "change"}]`, fractions.
    pub fn to_json(&self) -> serde_json::Value {
        let ex = |v: Option<rust_decimal::Decimal>| v.map(plumb::present::exact);
        serde_json::Value::Array(
            self.rows
                .iter()
                .map(|r| {
                    let change = r.before.zip(r.after).map(|(a, b)| b - a);
                    serde_json::json!({
                        "scenario": r.scenario,
                        "target": r.target,
                        "before": ex(r.before),
                        "after": ex(r.after),
                        "change": ex(change),
                    })
                })
                .collect(),
        )
    }

    /// A table (Markdown or text) of the odds before and after.
    pub fn render(&self, markdown: bool) -> String {
        use std::fmt::Write as _;
        let pct =
            |v: Option<rust_decimal::Decimal>| v.map(report::percent).unwrap_or_else(|| "-".into());
        let mut rows = vec![["scenario", "target", "before", "after", "change"]
            .map(String::from)
            .to_vec()];
        for r in &self.rows {
            let change = match (r.before, r.after) {
                (Some(a), Some(b)) => {
                    let d = (b - a) * rust_decimal::Decimal::ONE_HUNDRED;
                    let sign = if d.is_sign_negative() { "" } else { "+" };
                    format!("{sign}{} points", plumb::present::number(d, 1))
                }
                _ => "-".into(),
            };
            rows.push(vec![
                r.scenario.clone(),
                r.target.clone(),
                pct(r.before),
                pct(r.after),
                change,
            ]);
        }
        let mut out = String::new();
        let title = format!(
            "Odds of each target ({} runs, seed {})",
            plumb::present::number(rust_decimal::Decimal::from(self.samples), 0),
            self.seed
        );
        if markdown {
            let _ = writeln!(out, "### {title}\n");
            for (i, r) in rows.iter().enumerate() {
                let _ = writeln!(out, "| {} |", r.join(" | "));
                if i == 0 {
                    let _ = writeln!(out, "|---|---|---:|---:|---:|");
                }
            }
        } else {
            let _ = writeln!(out, "{title}");
            out.push_str(&super::solve::aligned(&rows));
        }
        out
    }
}
