//! `plumb export --format xlsx`: writes the plan as a workbook (REPORTS.md §2).

use crate::{ExportArgs, ExportFormat};
use plumb::report::extras::SimSettings;
use plumb::report::site::SiteInput;
use std::path::PathBuf;

/// Runs `plumb export`.
pub fn run(args: &ExportArgs) -> u8 {
    let data = match super::site_data::load(&args.file, args.as_of.as_deref()) {
        Ok(d) => d,
        Err(code) => return code,
    };
    let extras = match data.extras(SimSettings::default()) {
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
    let input = SiteInput {
        plan,
        results,
        targets,
        requests,
        assumptions: statuses,
        extras: &extras,
    };
    let bytes = match args.format {
        ExportFormat::Xlsx => match plumb::report::xlsx::workbook(&input) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("error: cannot build the workbook: {e}");
                return 2;
            }
        },
    };
    let out = args
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("{}.xlsx", plan.name)));
    if let Err(e) = std::fs::write(&out, bytes) {
        eprintln!("error: cannot write {}: {e}", out.display());
        return 2;
    }
    eprintln!("wrote {}", out.display());
    if c.has_errors() {
        eprintln!("error: the plan's story disagrees with its numbers (see above)");
        return 1;
    }
    0
}
