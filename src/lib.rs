//! Plumb: a plan-as-code compiler for Annual Operating Plans.
//!
//! ```text
//!  .plumb text ─▶ syntax::parse ─▶ ast::File ─▶ resolve (+ dims, budgets) ─▶ ir::Plan
//!  (entry + imports + std)         infer (units, roll-ups, totals) completes the plan
//!    ir::Plan ─▶ check::before_eval (cycles, the plan's rules)
//!             ─▶ eval::evaluate ─▶ Results ─▶ outcome (targets, requests, budgets, once)
//!             ─▶ check::after_eval (outcomes, bets, ranges → diagnostics: a leaf)
//!             ─▶ actuals::forecast (actuals pinned in closed periods) ─▶ forecast + checks
//!             ─▶ uncertainty (drawn ranges: simulate, sensitivity, solve)
//!  Compilation ─▶ report / site / xlsx, fmt, diff, explain, analysis ─▶ cli (main.rs), lsp
//!  (numbers for people: present; windows of output: calendar)
//! ```
//!
//! `ARCHITECTURE.md` at the repository root has the code map: each module's
//! invariant and API boundary, and checklists for adding a declaration kind, a
//! built-in, a diagnostic or a command.
//!
//! [`compile::compile`] runs the whole pipeline over a [`compile::FileSystem`];
//! every stage returns a value plus [`diagnostic::Diagnostic`]s and never fails on
//! user input. Only evaluation returns `Result` (division by zero, overflow).
//!
//! Time is one module and one function: [`calendar`] knows the plan's
//! granularity and fiscal year (labels, `FY` periods), and
//! [`eval::window_value`] is the only place a value over several periods (a
//! quarter, a year, `x@P`, a total) is computed, with the item's roll-up.
//!
//! With `actuals` declarations, [`actuals`] reads the closed periods' values
//! (through the same file system, under the import path rules), re-runs the
//! model from them (the rolling forecast) and adds its checks; `plumb variance`
//! reports plan against actual and why the gap exists.
//!
//! Review tools sit on top of the pipeline: [`fmt`] prints an `ast::File` back in
//! the canonical layout; [`diff`] compares two compilations (declarations, targets
//! per scenario, moved values, callouts, diagnostics); [`explain`] walks one value's
//! derivation through the evaluated plan; [`sarif`] turns diagnostics into a SARIF
//! log.

pub mod actuals;
pub mod analysis;
mod builtins;
pub mod calendar;
pub mod check;
pub mod compile;
pub mod diagnostic;
pub mod diff;
pub mod entry;
pub mod eval;
pub mod explain;
pub mod fmt;
mod graph;
pub mod infer;
pub mod ir;
#[cfg(feature = "lsp")]
pub mod lsp;
pub mod outcome;
pub mod present;
pub mod report;
pub mod resolve;
pub mod sarif;
pub mod source;
pub mod stack;
pub mod stdlib;
pub mod suggest;
pub mod syntax;
pub mod uncertainty;
pub mod units;
