//! `plumb check`.

use crate::{CheckArgs, CheckFormat};
use plumb::compile::{compile, DiskFs, Options};
use plumb::diagnostic::{
    render_human, summary, Diagnostic, JsonDiagnostic, RenderOptions, Severity,
};
use std::path::{Path, PathBuf};

/// True when the text has a top-level `plan` declaration.
fn is_entry(text: &str) -> bool {
    text.lines()
        .any(|l| l.starts_with("plan ") || l.starts_with("plan\t"))
}

/// Plan entry files below `dir`: `.plumb` files with a `plan` declaration.
fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut all = Vec::new();
    super::plumb_files(dir, &mut all, 0)?;
    out.extend(
        all.into_iter()
            .filter(|p| std::fs::read_to_string(p).is_ok_and(|t| is_entry(&t))),
    );
    Ok(())
}

/// Runs `plumb check`.
pub fn run(args: &CheckArgs) -> u8 {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let mut entries = Vec::new();
    for p in &paths {
        if p.is_dir() {
            if let Err(e) = collect(p, &mut entries) {
                eprintln!("error: cannot read directory {}: {e}", p.display());
                return 2;
            }
        } else if p.is_file() {
            entries.push(p.clone());
        } else {
            eprintln!("error: {} does not exist", p.display());
            return 2;
        }
    }
    if entries.is_empty() {
        eprintln!("error: no plan files found (a plan file has a `plan` declaration)");
        return 2;
    }
    let mut json: Vec<JsonDiagnostic> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let (mut errors, mut warnings) = (0usize, 0usize);
    let color = super::color_stdout();
    for entry in &entries {
        let mut c = compile(
            entry,
            &DiskFs,
            &Options {
                evaluate: true,
                scenarios: None,
            },
        );
        if args.simulate {
            match super::simulate::odds_diagnostics(&c, args.samples, args.seed) {
                Ok(more) => {
                    c.diagnostics.extend(more);
                    plumb::diagnostic::sort_and_dedup(&mut c.diagnostics);
                }
                Err(code) => return code,
            }
        }
        let mut mine: Vec<&Diagnostic> = Vec::new();
        for d in &c.diagnostics {
            let j = JsonDiagnostic::from_diagnostic(d, &c.sources);
            let key = (
                j.file.clone(),
                j.line,
                j.column,
                j.code.clone(),
                j.message.clone(),
            );
            if seen.insert(key) {
                mine.push(d);
                json.push(j);
            }
        }
        errors += mine
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        warnings += mine
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .count();
        match args.format {
            CheckFormat::Human => {
                for d in &mine {
                    print!(
                        "{}",
                        render_human(d, &c.sources, RenderOptions { color, width: 0 })
                    );
                }
                let owned: Vec<Diagnostic> = mine.iter().map(|d| (*d).clone()).collect();
                println!("{}: {}", entry.display(), summary(&owned));
            }
            CheckFormat::Github => {
                for d in &mine {
                    println!(
                        "{}",
                        github_annotation(&JsonDiagnostic::from_diagnostic(d, &c.sources))
                    );
                }
            }
            CheckFormat::Json | CheckFormat::Sarif => {}
        }
    }
    if args.format == CheckFormat::Json {
        println!(
            "{}",
            serde_json::to_string_pretty(&json).unwrap_or_else(|_| "[]".into())
        );
    }
    if args.format == CheckFormat::Sarif {
        println!(
            "{}",
            plumb::sarif::to_sarif(&json, env!("CARGO_PKG_VERSION"))
        );
    }
    if errors > 0 || (args.deny_warnings && warnings > 0) {
        1
    } else {
        0
    }
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_prop(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// One GitHub Actions workflow command (`::error file=…,line=…::message`).
pub fn github_annotation(j: &JsonDiagnostic) -> String {
    let level = if j.severity == "error" {
        "error"
    } else {
        "warning"
    };
    let mut msg = j.message.clone();
    if let Some(h) = &j.help {
        msg.push_str("\nhelp: ");
        msg.push_str(h);
    }
    format!(
        "::{level} file={},line={},col={},endLine={},endColumn={},title={}::{}",
        escape_prop(&j.file),
        j.line,
        j.column,
        j.end_line,
        j.end_column,
        escape_prop(&format!("plumb::{}", j.code)),
        escape_data(&msg)
    )
}
