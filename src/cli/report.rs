//! `plumb report`: writes the static site of REPORTS.md §1 into one directory.

use crate::ReportArgs;
use plumb::report::extras::SimSettings;
use plumb::report::site::{build_site, SiteInput};
use std::io::IsTerminal;
use std::path::Path;

/// Runs `plumb report`.
pub fn run(args: &ReportArgs) -> u8 {
    let progress = Progress::new(std::io::stderr().is_terminal());
    progress.step("compiling and evaluating the plan");
    let data = match super::site_data::load(&args.file, args.as_of.as_deref()) {
        Ok(d) => d,
        Err(code) => return code,
    };
    progress.step("gathering actuals, simulation and budgets");
    let extras = match data.extras(SimSettings {
        samples: args
            .samples
            .map_or(SimSettings::default().samples, |n| n as usize),
        seed: args.seed.unwrap_or(0),
    }) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let super::site_data::SiteData {
        c,
        targets,
        requests,
        statuses,
        ..
    } = &data;
    let plan = c.plan();
    let Some(results) = &c.results else {
        return 1;
    };
    progress.step("rendering pages");
    // With actuals the charts show the forecast: actuals to the as-of period,
    // solid, and the model after it, dashed. Targets stay the plan's.
    let shown = match (&c.forecast, c.actuals.as_ref().map(|a| a.closed())) {
        (Some(f), Some(n)) if n > 0 => f,
        _ => results,
    };
    let pages = build_site(&SiteInput {
        plan,
        results: shown,
        targets,
        requests,
        assumptions: statuses,
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
