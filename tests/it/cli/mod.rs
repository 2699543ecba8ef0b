//! The built `plumb` binary as a user runs it, one module per command (or per
//! concern that spans commands), through [`crate::common::plumb`].

#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

use crate::common::{plumb, stdout};

mod actuals;
mod check;
mod diagnostics_workflow;
mod diff;
mod explain;
mod export_xlsx;
mod fmt;
mod run;
mod run_csv;
mod run_warnings;
mod uncertainty;

#[test]
fn help_lists_the_review_commands() {
    let o = plumb(&["--help"]);
    let out = stdout(&o);
    for cmd in ["fmt", "diff", "explain"] {
        assert!(out.contains(cmd), "{out}");
    }
}
