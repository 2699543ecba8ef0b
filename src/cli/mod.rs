//! Subcommand implementations: each takes its parsed arguments and returns the
//! process exit code.

pub mod check;
pub mod diff;
pub mod explain;
pub mod export;
pub mod fmt;
pub mod report;
pub mod run;
pub mod sensitivity;
pub mod simulate;
pub mod site_data;
pub mod solve;
pub mod variance;

use std::io::{IsTerminal, Write};

/// Colour only on a terminal, never with `NO_COLOR` set.
pub fn use_color(stream_is_tty: bool) -> bool {
    stream_is_tty
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::env::var("TERM").map(|t| t != "dumb").unwrap_or(true)
}

/// Colour for stdout.
pub fn color_stdout() -> bool {
    use_color(std::io::stdout().is_terminal())
}

/// Colour for stderr.
pub fn color_stderr() -> bool {
    use_color(std::io::stderr().is_terminal())
}

/// Standard output, the one way the commands write to it: `write!(out, …)` and
/// `writeln!(out, …)` (through [`Out::write_fmt`]) or [`Out::stream`]. The first
/// failed write is kept and later writes are skipped, so a reader that went away
/// early (`plumb check | head`) ends the output quietly while the command
/// carries on to its exit code; [`Out::finish`] tells what the writing came to.
pub struct Out {
    stdout: std::io::StdoutLock<'static>,
    written: std::io::Result<()>,
}

impl Out {
    /// Standard output, locked for the command (line-buffered, as `print!` is).
    pub fn lock() -> Out {
        Out {
            stdout: std::io::stdout().lock(),
            written: Ok(()),
        }
    }

    /// Writes formatted text, unless an earlier write failed: what `write!`
    /// and `writeln!` call, with nothing to check at each call.
    pub fn write_fmt(&mut self, args: std::fmt::Arguments<'_>) {
        if self.written.is_ok() {
            self.written = self.stdout.write_fmt(args);
        }
    }

    /// Lets `write` stream into standard output (a large JSON document), unless
    /// an earlier write failed.
    pub fn stream(&mut self, write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) {
        if self.written.is_ok() {
            self.written = write(&mut self.stdout);
        }
    }

    /// Flushes, then what the writing came to, as [`stdout_written`] tells it.
    pub fn finish(mut self) -> Result<(), u8> {
        let flushed = self.stdout.flush();
        stdout_written(self.written.and(flushed))
    }
}

/// Prints `text` whole to standard output through [`Out`]: nothing to say
/// when it was written or the reader went away early, else the exit code 2.
pub fn print_stdout(text: &str) -> Result<(), u8> {
    let mut out = Out::lock();
    write!(out, "{text}");
    out.finish()
}

/// What writing a report to standard output came to: nothing to say when it
/// was written or the reader went away early (`plumb run … | head`), else the
/// error, printed, as exit code 2.
pub fn stdout_written(written: std::io::Result<()>) -> Result<(), u8> {
    match written {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => {
            eprintln!("error: cannot write the report: {e}");
            Err(2)
        }
    }
}

/// Prints diagnostics to stderr in the human format.
pub fn eprint_diagnostics(c: &plumb::compile::Compilation) {
    let opts = plumb::diagnostic::RenderOptions {
        color: color_stderr(),
        width: 0,
    };
    for d in &c.diagnostics {
        eprint!("{}", plumb::diagnostic::render_human(d, &c.sources, opts));
    }
}

/// How many warnings `plumb run` shows before it only counts the rest.
pub const RUN_WARNINGS_SHOWN: usize = 20;

/// Prints diagnostics to stderr in the human format, every error but only the
/// first `max_warnings` warnings; the rest are counted in a closing line that
/// points to `plumb check FILE`, which lists them all.
pub fn eprint_diagnostics_capped(
    c: &plumb::compile::Compilation,
    max_warnings: usize,
    file: &std::path::Path,
) {
    let opts = plumb::diagnostic::RenderOptions {
        color: color_stderr(),
        width: 0,
    };
    let mut warnings = 0usize;
    for d in &c.diagnostics {
        if !d.is_error() {
            warnings += 1;
            if warnings > max_warnings {
                continue;
            }
        }
        eprint!("{}", plumb::diagnostic::render_human(d, &c.sources, opts));
    }
    if warnings > max_warnings {
        eprintln!(
            "note: {warnings} warnings in all; the first {max_warnings} are shown above. \
             `plumb check {}` lists them all",
            file.display()
        );
    }
}

/// Every `.plumb` file below `dir`, sorted, skipping hidden folders and `target`,
/// at most 32 folders deep.
pub fn plumb_files(
    dir: &std::path::Path,
    out: &mut Vec<std::path::PathBuf>,
    depth: usize,
) -> std::io::Result<()> {
    if depth > 32 {
        return Ok(());
    }
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let p = e.path();
        let ft = e.file_type()?;
        let name = e.file_name();
        let hidden = name.to_string_lossy().starts_with('.') || name == "target";
        if ft.is_dir() && !hidden {
            plumb_files(&p, out, depth + 1)?;
        } else if ft.is_file() && p.extension().is_some_and(|x| x == "plumb") {
            out.push(p);
        }
    }
    Ok(())
}
