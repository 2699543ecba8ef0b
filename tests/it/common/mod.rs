//! Shared helpers of the integration tests: compile a case and render what a user
//! would see (source, diagnostics, results) as one snapshot text, list the case
//! files, keep snapshots in a folder of their own, and run the built `plumb`.
#![allow(dead_code)]

use plumb::calendar::By;
use plumb::compile::{compile, Compilation, DiskFs, Options};
use plumb::diagnostic::{render_human, RenderOptions};
use plumb::outcome::targets::all_outcomes;
use plumb::present::exact;
use plumb::report::RunReport;
use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Compiles and evaluates a plan file from disk.
pub fn compile_file(path: &Path) -> Compilation {
    // Relative paths keep snapshots identical on every machine.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let rel = path.strip_prefix(root).unwrap_or(path);
    compile(
        rel,
        &DiskFs,
        &Options {
            evaluate: true,
            scenarios: None,
        },
    )
}

/// Rendered diagnostics, no colour, fixed width.
pub fn diagnostics_text(c: &Compilation) -> String {
    let mut out = String::new();
    for d in &c.diagnostics {
        out.push_str(&render_human(
            d,
            &c.sources,
            RenderOptions {
                color: false,
                width: 100,
            },
        ));
    }
    if out.is_empty() {
        out.push_str("(no diagnostics)\n");
    }
    out
}

/// Exact results: per scenario, triggers, targets and every item's values.
pub fn results_text(c: &Compilation) -> String {
    let Some(results) = &c.results else {
        return "(not evaluated)\n".into();
    };
    let plan = c.plan();
    let outcomes = match all_outcomes(plan, results) {
        Ok(o) => o,
        Err(e) => return format!("(targets failed: {})\n", e.message),
    };
    let requests = match plumb::outcome::requests::all_outcomes(plan, results) {
        Ok(r) => r,
        Err(e) => return format!("(requests failed: {})\n", e.message),
    };
    let report =
        RunReport::build(plan, results, &outcomes, By::Month).with_requests(plan, &requests);
    let mut out = String::new();
    let _ = writeln!(out, "periods: {}", report.periods.join(" "));
    for sc in &report.scenarios {
        let _ = writeln!(out, "scenario {}:", sc.name);
        for t in &sc.triggers {
            let _ = writeln!(
                out,
                "  trigger {}: {}",
                t.name,
                t.fired.as_deref().unwrap_or("never")
            );
        }
        for t in &sc.targets {
            let f = |v: Option<rust_decimal::Decimal>| v.map(exact).unwrap_or_else(|| "-".into());
            let _ = writeln!(
                out,
                "  target {} `{}`: projected {} threshold {} gap {} {}",
                t.objective,
                t.target,
                f(t.projected),
                f(t.threshold),
                f(t.gap),
                if t.met { "met" } else { "MISSED" }
            );
        }
        for r in &sc.requests {
            let side = |s: &Option<plumb::report::RequestSide>| match s {
                Some(s) => format!(
                    "`{}` (model {}, threshold {}, {})",
                    s.condition,
                    s.value.map(exact).unwrap_or_else(|| "-".into()),
                    s.threshold.map(exact).unwrap_or_else(|| "-".into()),
                    if s.holds { "holds" } else { "does not hold" }
                ),
                None => "-".into(),
            };
            let _ = writeln!(
                out,
                "  request {}: ask {} grant {} gap {}",
                r.request,
                side(&r.ask),
                side(&r.grant),
                r.gap.map(exact).unwrap_or_else(|| "-".into())
            );
        }
        for it in &sc.items {
            let vals: Vec<String> = it.values.iter().map(|v| exact(*v)).collect();
            let _ = writeln!(out, "  {} [{}] = {}", it.name, it.unit, vals.join(" "));
        }
    }
    if let (Some(a), Some(f)) = (&c.actuals, &c.forecast) {
        let through = a
            .through
            .filter(|t| *t >= 0)
            .map(|t| plan.period_label(t))
            .unwrap_or_else(|| "-".into());
        let _ = writeln!(out, "actuals through {through}:");
        for (i, v) in a.values.iter().enumerate().filter(|(_, v)| !v.is_empty()) {
            let vals: Vec<String> = v
                .iter()
                .map(|x| x.map(exact).unwrap_or_else(|| "-".into()))
                .collect();
            let _ = writeln!(out, "  {} = {}", plan.items[i].name, vals.join(" "));
        }
        for r in &f.scenarios {
            let _ = writeln!(out, "forecast {}:", plan.scenarios[r.scenario].name);
            for (t, at) in &r.fired {
                let _ = writeln!(
                    out,
                    "  trigger {}: {}",
                    plan.triggers[*t].name,
                    at.map(|p| plan.period_label(p))
                        .unwrap_or_else(|| "never".into())
                );
            }
            for (i, v) in r.values.iter().enumerate() {
                let vals: Vec<String> = v.iter().map(|x| exact(*x)).collect();
                let _ = writeln!(out, "  {} = {}", plan.items[i].name, vals.join(" "));
            }
        }
    }
    out
}

/// The whole snapshot of a case: its source, diagnostics and results.
pub fn case_snapshot(path: &Path) -> String {
    let c = compile_file(path);
    let mut out = String::new();
    for (_, f) in c.sources.iter() {
        if f.name.starts_with("std.") {
            continue;
        }
        let name = Path::new(&f.name)
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let _ = writeln!(out, "=== {name}");
        out.push_str(&f.text);
        if !f.text.ends_with('\n') {
            out.push('\n');
        }
    }
    let _ = writeln!(out, "=== diagnostics");
    out.push_str(&diagnostics_text(&c));
    let _ = writeln!(out, "=== results");
    out.push_str(&results_text(&c));
    out
}

// ------------------------------------------------------------- case files

/// Every file below `dir` (recursively) whose name ends in `.{ext}`, sorted by path.
pub fn files_below(dir: impl AsRef<Path>, ext: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    collect(dir.as_ref(), ext, &mut out);
    out
}

fn collect(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect(&p, ext, out);
        } else if p.extension().is_some_and(|x| x == ext) {
            out.push(p);
        }
    }
}

/// The `.plumb` files below `dir` that declare a `plan` (the entry files; the
/// others are parts of a plan of several files, reached through its imports).
pub fn plan_files(dir: impl AsRef<Path>) -> Vec<PathBuf> {
    files_below(dir, "plumb")
        .into_iter()
        .filter(|p| {
            let text = std::fs::read_to_string(p).unwrap_or_default();
            text.lines().any(|l| l.starts_with("plan "))
        })
        .collect()
}

/// The cases of a case directory (`tests/cases`, `tests/messages`): every
/// `DIR/*.plumb` and, for a plan of several files, every `DIR/*/main.plumb`.
pub fn case_entries(dir: impl AsRef<Path>) -> Vec<PathBuf> {
    let dir = dir.as_ref();
    let mut all: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    all.sort();
    let mut out = Vec::new();
    for p in all {
        if p.is_dir() && p.join("main.plumb").is_file() {
            out.push(p.join("main.plumb"));
        } else if p.extension().is_some_and(|x| x == "plumb") {
            out.push(p);
        }
    }
    out
}

/// The glob (for `insta::glob!` from `tests/it/`) that matches the same cases
/// as [`case_entries`] in `tests/{dir}`.
pub const CASES: &str = "{*.plumb,*/main.plumb}";

/// Runs `check` on every file and, if it panics on some, fails naming all of
/// them (each panic's message is printed as it happens), not only the first:
/// for loops over case files that assert without a snapshot.
pub fn check_each(files: &[PathBuf], mut check: impl FnMut(&Path)) {
    let failed: Vec<String> = files
        .iter()
        .filter(|f| {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(f.as_path()))).is_err()
        })
        .map(|f| f.display().to_string())
        .collect();
    assert!(
        failed.is_empty(),
        "{} of {} files failed: {}",
        failed.len(),
        files.len(),
        failed.join(", ")
    );
}

// ------------------------------------------------------------- snapshots

/// Runs `f` with its snapshots kept in `tests/it/snapshots/{dir}/`, named without
/// the module path (the HTML pages of `plumb report`).
pub fn snapshots_in(dir: &str, f: impl FnOnce()) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(format!("snapshots/{dir}"));
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(f);
}

// ------------------------------------------------------------- the binary

/// The built `plumb` binary.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_plumb")
}

/// The repository's root, where the tests run and relative paths start.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the built binary at the repository's root, without colour.
pub fn plumb(args: &[&str]) -> Output {
    plumb_in(root(), args)
}

/// Runs the built binary in `dir`, without colour.
pub fn plumb_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap_or_else(|e| panic!("plumb {args:?}: {e}"))
}

/// Runs the built binary with `input` on its standard input.
pub fn plumb_stdin(args: &[&str], input: &str) -> Output {
    use std::io::Write as _;
    let mut child = Command::new(bin())
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("plumb {args:?}: {e}"));
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(input.as_bytes()).expect("write stdin");
    }
    child.wait_with_output().expect("plumb exits")
}

/// What the binary printed on standard output.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// What the binary printed on standard error.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The plan block of the plans the closed-pipe tests generate (a year, USD).
pub const PIPE_PLAN: &str = "plan p \"Pipe\" {\n  currency USD\n  periods 2026-01 .. 2026-12\n}\n";

/// The `i`-th of the long item names (over 300 characters) that make a
/// closed-pipe test's output larger than a pipe holds with a few hundred items.
pub fn long_name(i: usize) -> String {
    format!(
        "{}{i:04}",
        "revenue_from_the_customers_in_the_region_".repeat(8)
    )
}

/// Runs the built binary in `dir` (with `input` on its standard input, if any)
/// for a reader that stops early, as `plumb … | head -c 16` does: it reads the
/// first bytes of standard output and closes the pipe. Returns the exit code and
/// standard error. The command's output must be larger than a pipe holds
/// (64 KiB) for its writes to meet the closed pipe.
pub fn plumb_to_a_closed_pipe(
    dir: &Path,
    args: &[&str],
    input: Option<&str>,
) -> (Option<i32>, String) {
    use std::io::{Read as _, Write as _};
    let mut child = Command::new(bin())
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("plumb {args:?}: {e}"));
    let mut stderr = child.stderr.take().expect("stderr is piped");
    let errors = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    if let (Some(mut stdin), Some(text)) = (child.stdin.take(), input) {
        // A command that fails before reading its input closes it: not this test's
        // failure.
        let _ = stdin.write_all(text.as_bytes());
    }
    let mut first = Vec::new();
    let read = child
        .stdout
        .take()
        .expect("stdout is piped")
        .take(16)
        .read_to_end(&mut first);
    // The read end is dropped here: the pipe closes mid-output.
    let status = child.wait().expect("plumb exits");
    let errors = errors.join().expect("stderr is read");
    assert!(
        read.is_ok() && first.len() == 16,
        "plumb {args:?} printed {} bytes ({read:?}); stderr:\n{errors}",
        first.len()
    );
    (status.code(), errors)
}
