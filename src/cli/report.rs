//! `plumb report`: writes the static site of REPORTS.md §1 into one directory.

use crate::ReportArgs;
use plumb::check::objectives::all_outcomes;
use plumb::compile::{compile, DiskFs, Options};
use plumb::report::site::{assumption_statuses, build_site, Extras, SiteInput};
use std::io::IsTerminal;
use std::path::Path;

/// Runs `plumb report`.
pub fn run(args: &ReportArgs) -> u8 {
    if !args.file.is_file() {
        eprintln!("error: {} is not a file", args.file.display());
        return 2;
    }
    let progress = Progress::new(std::io::stderr().is_terminal());
    progress.step("compiling and evaluating the plan");
    let mut c = compile(
        &args.file,
        &DiskFs,
        &Options {
            evaluate: true,
            scenarios: None,
        },
    );
    super::eprint_diagnostics(&c);
    drop(std::mem::take(&mut c.files));
    let plan = c.plan();
    let Some(results) = &c.results else {
        eprintln!("error: the plan has errors; nothing was evaluated");
        return 1;
    };
    let as_of = match &args.as_of {
        None => None,
        Some(p) => match plan.period_labels().iter().position(|l| l == p) {
            Some(i) => Some(i),
            None => {
                eprintln!(
                    "error: --as-of {p} is not a month of the plan's horizon ({} – {})",
                    plan.period_label(0),
                    plan.period_label(plan.len as i64 - 1)
                );
                return 2;
            }
        },
    };
    let targets = match all_outcomes(plan, results) {
        Ok(o) => o,
        Err(e) => {
            let d = e.to_diagnostic();
            eprint!(
                "{}",
                plumb::diagnostic::render_human(&d, &c.sources, Default::default())
            );
            return 1;
        }
    };
    let requests = match plumb::check::requests::all_outcomes(plan, results) {
        Ok(r) => r,
        Err(e) => {
            let d = e.to_diagnostic();
            eprint!(
                "{}",
                plumb::diagnostic::render_human(&d, &c.sources, Default::default())
            );
            return 1;
        }
    };
    let statuses = assumption_statuses(plan, &c.diagnostics);
    // Actuals and ranges are not in this plan's language yet: --as-of only marks
    // the period on the charts, and --samples/--seed apply once ranges exist.
    let _ = (args.samples, args.seed);
    let extras = Extras {
        as_of,
        ..Extras::default()
    };
    progress.step("rendering pages");
    let pages = build_site(&SiteInput {
        plan,
        results,
        targets: &targets,
        requests: &requests,
        assumptions: &statuses,
        extras: &extras,
    });
    let out = args
        .output
        .clone()
        .unwrap_or_else(|| Path::new("plumb-report").to_path_buf());
    progress.length(pages.len() as u64);
    for p in &pages {
        let path = out.join(&p.path);
        if let Some(dir) = path.parent() {
            if let Err(e) = std::fs::create_dir_all(dir) {
                eprintln!("error: cannot create {}: {e}", dir.display());
                return 2;
            }
        }
        if let Err(e) = std::fs::write(&path, &p.html) {
            eprintln!("error: cannot write {}: {e}", path.display());
            return 2;
        }
        progress.inc();
    }
    progress.finish();
    eprintln!(
        "wrote {} page(s) to {}",
        pages.len(),
        out.join("index.html").display()
    );
    if c.has_errors() {
        eprintln!("error: the plan's story disagrees with its numbers (see above)");
        return 1;
    }
    0
}

/// A progress bar on stderr when it is a terminal; silent otherwise.
struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    fn new(tty: bool) -> Progress {
        if !tty {
            return Progress(None);
        }
        let bar = indicatif::ProgressBar::new_spinner();
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("{spinner} {msg} {bar:30} {pos}/{len}")
        {
            bar.set_style(style);
        }
        Progress(Some(bar))
    }

    fn step(&self, msg: &'static str) {
        if let Some(b) = &self.0 {
            b.set_message(msg);
            b.tick();
        }
    }

    fn length(&self, n: u64) {
        if let Some(b) = &self.0 {
            b.set_length(n);
            b.set_message("writing pages");
        }
    }

    fn inc(&self) {
        if let Some(b) = &self.0 {
            b.inc(1);
        }
    }

    fn finish(&self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}
