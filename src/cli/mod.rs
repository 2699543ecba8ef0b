//! Subcommand implementations: each takes its parsed arguments and returns the
//! process exit code.

pub mod check;
pub mod diff;
pub mod explain;
pub mod fmt;
pub mod run;

use std::io::IsTerminal;

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
