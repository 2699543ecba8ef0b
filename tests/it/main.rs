//! Plumb's integration tests, one binary (`cargo test` links it once). Each module
//! says what it tests; the shared helpers (compiling a case, rendering it as a
//! snapshot, listing case files, running the built `plumb`) are in [`common`].
//!
//! Data lives beside the code, under `tests/`: `cases/`, `messages/`, `time/`,
//! `diff/`, `fmt/`, `explain/`, `dims/`, `report/` and `fixtures/` hold plans;
//! `tests/it/snapshots/` their insta snapshots. Cases read with `insta::glob!`
//! are one assertion each: every failing case is reported, not just the first.

#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

mod common;

mod bench_generator;
mod cli;
mod diagnostic_codes;
mod diagnostic_messages;
mod dimensions;
mod eval_properties;
mod example_plans;
mod examples;
mod explain_tree;
mod formatter;
mod import_confinement;
mod json_writer;
mod lsp_robustness;
mod parse_step;
mod plan_cases;
mod quick_fixes;
mod report_in_browser;
mod report_pages;
mod robustness;
mod semantic_diff;
mod spec_actuals_example;
mod spec_examples;
mod stdlib;
mod tidy;
mod time_rollups;
mod uncertainty;
mod variance_properties;
