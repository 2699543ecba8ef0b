//! `plumb fmt`: rewrite plan files in the canonical layout, or list those that are
//! not (`--check`). `-` reads standard input and writes standard output.

use crate::FmtArgs;
use plumb::diagnostic::{render_human, RenderOptions};
use plumb::fmt::{format_source, FormatError};
use plumb::source::{SourceFile, SourceMap};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// What happened to one input.
enum Outcome {
    /// Already canonical.
    Unchanged,
    /// Rewritten (or, under `--check`, would be).
    Changed,
    /// Syntax errors or an internal error: left alone.
    Failed,
}

/// Formats `text` named `name`; prints diagnostics on failure.
fn format_text(name: &str, text: &str) -> Result<String, ()> {
    let mut sources = SourceMap::new();
    let id = sources.add(SourceFile::new(name, text));
    match format_source(text, id) {
        Ok(out) => Ok(out),
        Err(FormatError::Syntax(diags)) => {
            let opts = RenderOptions {
                color: super::color_stderr(),
                width: 0,
            };
            for d in &diags {
                eprint!("{}", render_human(d, &sources, opts));
            }
            eprintln!("error: {name} has syntax errors; it was not formatted");
            Err(())
        }
        Err(FormatError::Internal(msg)) => {
            eprintln!(
                "error: {name} was not formatted: {msg} (this is a bug in plumb fmt; please report it)"
            );
            Err(())
        }
    }
}

/// Writes `text` to `path` through a temporary file in the same directory and a
/// rename, so a crash never leaves a half-written plan. Keeps the permissions.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "plan.plumb".into());
    let tmp = dir.join(format!(".{name}.plumb-fmt-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        if let Ok(meta) = std::fs::metadata(path) {
            std::fs::set_permissions(&tmp, meta.permissions())?;
        }
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn one_file(out: &mut super::Out, path: &Path, check: bool) -> Result<Outcome, String> {
    // Opening a FIFO or a device could block forever.
    if !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
        return Err(format!(
            "cannot read {}: it is not a regular file",
            path.display()
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let text =
        String::from_utf8(bytes).map_err(|_| format!("{} is not UTF-8 text", path.display()))?;
    let name = path.display().to_string();
    let Ok(formatted) = format_text(&name, &text) else {
        return Ok(Outcome::Failed);
    };
    if formatted == text {
        return Ok(Outcome::Unchanged);
    }
    if check {
        writeln!(out, "{name}");
    } else {
        write_atomically(path, &formatted).map_err(|e| format!("cannot write {name}: {e}"))?;
    }
    Ok(Outcome::Changed)
}

fn stdin(check: bool) -> u8 {
    let mut text = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut text) {
        eprintln!("error: cannot read standard input: {e}");
        return 2;
    }
    let Ok(out) = format_text("<stdin>", &text) else {
        return 1;
    };
    if check {
        if out != text {
            if let Err(code) = super::print_stdout("<stdin>\n") {
                return code;
            }
            return 1;
        }
        return 0;
    }
    if let Err(code) = super::print_stdout(&out) {
        return code;
    }
    0
}

/// Runs `plumb fmt`.
pub fn run(args: &FmtArgs) -> u8 {
    if args.paths.iter().any(|p| p.as_os_str() == "-") {
        if args.paths.len() > 1 {
            eprintln!("error: `-` (standard input) cannot be combined with other paths");
            return 2;
        }
        return stdin(args.check);
    }
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let mut files = Vec::new();
    for p in &paths {
        if p.is_dir() {
            if let Err(e) = super::plumb_files(p, &mut files, 0) {
                eprintln!("error: cannot read directory {}: {e}", p.display());
                return 2;
            }
        } else if p.is_file() {
            files.push(p.clone());
        } else {
            eprintln!("error: {} does not exist", p.display());
            return 2;
        }
    }
    let (mut changed, mut failed, mut io_error) = (0usize, 0usize, false);
    let mut out = super::Out::lock();
    for f in &files {
        match one_file(&mut out, f, args.check) {
            Ok(Outcome::Unchanged) => {}
            Ok(Outcome::Changed) => changed += 1,
            Ok(Outcome::Failed) => failed += 1,
            Err(msg) => {
                eprintln!("error: {msg}");
                io_error = true;
            }
        }
    }
    if let Err(code) = out.finish() {
        return code;
    }
    if args.check && changed > 0 {
        eprintln!(
            "{changed} of {} file{} would be reformatted; run `plumb fmt` to fix",
            files.len(),
            if files.len() == 1 { "" } else { "s" }
        );
    }
    if io_error {
        2
    } else if failed > 0 || (args.check && changed > 0) {
        1
    } else {
        0
    }
}
