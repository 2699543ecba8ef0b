//! The one place the report, the workbook and the CSV totals take a value over
//! a window of periods (a quarter, a year, the horizon): the item's roll-up of
//! LANGUAGE.md §3.2, from [`crate::eval::window_value`].

use crate::ir::Plan;
use rust_decimal::Decimal;
use std::ops::Range;

/// The value of `item` over `periods` (indices into the horizon), from one
/// scenario's `values` (per item, per period). None when the item or the window
/// does not exist, or the roll-up overflows.
pub fn window_value(
    plan: &Plan,
    values: &[Vec<Decimal>],
    item: usize,
    periods: Range<usize>,
) -> Option<Decimal> {
    if periods.is_empty() {
        return None;
    }
    crate::eval::window_value(plan, values, item, periods)
}
