//! `plumb export`.
use crate::ExportArgs;
/// Runs `plumb export`.
pub fn run(_args: &ExportArgs) -> u8 { 2 }
