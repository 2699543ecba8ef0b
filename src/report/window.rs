//! The one place the report, the workbook and the CSV totals take a value over
//! a window of periods (a quarter, a year, the horizon).
//!
//! Today this is the item's plain roll-up (flows sum, stocks take the last
//! period, averages average). When the finance-correct roll-up of LANGUAGE.md
//! §3.2 lands, point [`window_value`] at it and every window figure follows.

use crate::eval::rollup;
use crate::ir::Plan;
use rust_decimal::Decimal;
use std::ops::Range;

/// The value of `item` over `periods` (indices into the horizon), from one
/// scenario's `values` (per item, per period). None when the item or the window
/// does not exist, or the roll-up overflows.
pub(crate) fn window_value(
    plan: &Plan,
    values: &[Vec<Decimal>],
    item: usize,
    periods: Range<usize>,
) -> Option<Decimal> {
    let it = plan.items.get(item)?;
    let vals = values.get(item)?.get(periods)?;
    if vals.is_empty() {
        return None;
    }
    rollup(vals, it.aggregation)
}
