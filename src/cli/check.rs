//! `plumb check`.

use crate::{CheckArgs, CheckFormat};
use plumb::compile::{compile_as_of, DiskFs, Options};
use plumb::diagnostic::{
    render_human, summary, Code, Diagnostic, JsonDiagnostic, RenderOptions, Severity, Subject,
};
use plumb::entry;
use std::path::{Path, PathBuf};

/// True when the text has a top-level `plan` declaration.
fn is_entry(text: &str) -> bool {
    entry::has_plan(text)
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
    let (entries, only) = match plan_entries(args, &paths) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let mut json: Vec<JsonDiagnostic> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let (mut errors, mut warnings) = (0usize, 0usize);
    let color = super::color_stdout();
    let mut out = super::Out::lock();
    let as_of = match &args.as_of {
        Some(p) => match plumb::actuals::parse_as_of(p) {
            Some(m) => Some(m),
            None => {
                eprintln!("error: `{p}` is not a period (write 2026-03, 2026-Q1 or 2026)");
                return 2;
            }
        },
        None => None,
    };
    for (entry, only) in entries.iter().zip(&only) {
        let mut c = compile_as_of(
            entry,
            &DiskFs,
            &Options {
                evaluate: true,
                scenarios: None,
            },
            as_of,
        );
        if let Some((file, _)) = only {
            show_only(&mut c, file);
        }
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
        let name = only.as_ref().map_or(entry, |(_, shown)| shown);
        print_entry(&mut out, args, &c, &mine, name, color);
    }
    if args.format == CheckFormat::Json {
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&json).unwrap_or_else(|_| "[]".into())
        );
    }
    if args.format == CheckFormat::Sarif {
        writeln!(
            out,
            "{}",
            plumb::sarif::to_sarif(&json, env!("CARGO_PKG_VERSION"))
        );
    }
    if let Err(code) = out.finish() {
        return code;
    }
    if errors > 0 || (args.deny_warnings && warnings > 0) {
        1
    } else {
        0
    }
}

/// For an entry checked on behalf of a file without a `plan`: that file
/// (canonical, and as the user named it), the only one whose diagnostics are shown.
type ShownOnly = Option<(PathBuf, PathBuf)>;

/// The entry files to check. A file without a `plan` is checked as part of the
/// entry that imports it (or on its own when none does), and only its own
/// diagnostics are shown: `only` holds it (canonical, as given) for such entries.
/// Err is the exit code when a path cannot be read or there is nothing to check.
fn plan_entries(args: &CheckArgs, paths: &[PathBuf]) -> Result<(Vec<PathBuf>, Vec<ShownOnly>), u8> {
    let mut entries = Vec::new();
    // Files without a `plan`: checked as part of the plan that imports them.
    let mut parts = Vec::new();
    for p in paths {
        if p.is_dir() {
            if let Err(e) = collect(p, &mut entries) {
                eprintln!("error: cannot read directory {}: {e}", p.display());
                return Err(2);
            }
        } else if p.is_file() {
            match std::fs::read_to_string(p) {
                Ok(t) if !is_entry(&t) => parts.push(p.clone()),
                _ => entries.push(p.clone()),
            }
        } else {
            eprintln!("error: {} does not exist", p.display());
            return Err(2);
        }
    }
    // Each part: the entry that imports it (or itself, checked on its own), and
    // the only file whose diagnostics are shown.
    let mut only: Vec<ShownOnly> = vec![None; entries.len()];
    for part in &parts {
        let real = std::fs::canonicalize(part).unwrap_or_else(|_| part.clone());
        let found = entry::find_entries(&real, &DiskFs, &entry::DiskDirs, 50);
        match found.first() {
            Some(e) => {
                if args.format == CheckFormat::Human {
                    eprintln!(
                        "note: {} has no `plan` declaration; checking it as part of {}",
                        part.display(),
                        relative(e)
                    );
                }
                entries.push(PathBuf::from(relative(e)));
            }
            None => {
                if args.format == CheckFormat::Human {
                    eprintln!(
                        "note: {} has no `plan` declaration and no plan in its folder or the {} above imports it; checking it on its own",
                        part.display(),
                        entry::FOLDERS_ABOVE
                    );
                }
                entries.push(part.clone());
            }
        }
        only.push(Some((real, part.clone())));
    }
    if entries.is_empty() {
        eprintln!("error: no plan files found (a plan file has a `plan` declaration)");
        return Err(2);
    }
    Ok((entries, only))
}

/// Keeps only the diagnostics of `file` (a file checked as part of the plan that
/// imports it), without the entry's missing-`plan` error.
fn show_only(c: &mut plumb::compile::Compilation, file: &Path) {
    let shown: Vec<bool> = c
        .sources
        .iter()
        .map(|(_, f)| {
            let p = PathBuf::from(&f.name);
            std::fs::canonicalize(&p).unwrap_or(p) == *file
        })
        .collect();
    c.diagnostics.retain(|d| {
        shown.get(d.primary.span.file.0 as usize) == Some(&true)
            && !(d.code == Code::InvalidPlan && d.is_about(&Subject::NoPlanDeclaration))
    });
}

/// Prints one entry's diagnostics in the chosen format (JSON and SARIF are printed
/// once, for every entry, at the end).
fn print_entry(
    out: &mut super::Out,
    args: &CheckArgs,
    c: &plumb::compile::Compilation,
    mine: &[&Diagnostic],
    name: &Path,
    color: bool,
) {
    match args.format {
        CheckFormat::Human => {
            for d in mine {
                write!(
                    out,
                    "{}",
                    render_human(d, &c.sources, RenderOptions { color, width: 0 })
                );
            }
            let owned: Vec<Diagnostic> = mine.iter().map(|d| (*d).clone()).collect();
            writeln!(out, "{}: {}", name.display(), summary(&owned));
        }
        CheckFormat::Github => {
            for d in mine {
                writeln!(
                    out,
                    "{}",
                    github_annotation(&JsonDiagnostic::from_diagnostic(d, &c.sources))
                );
            }
        }
        CheckFormat::Json | CheckFormat::Sarif => {}
    }
}

/// `path` relative to the current directory when it lies below it (how users
/// name files), else as it is.
fn relative(path: &Path) -> String {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| std::fs::canonicalize(cwd).ok())
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf())
        .display()
        .to_string()
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
