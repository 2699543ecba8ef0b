//! Roll-ups that do not fit: every item's quarter, year and horizon totals must be
//! exact decimals, or the reports would show a wrong number.
//!
//! Takes the plan and its evaluated results; gives back one `overflow` error per
//! item and scenario whose roll-up (the sum of a flow's months, or the sum behind
//! an average) goes past 28 significant digits, naming the scenario and the
//! period group. [`crate::compile`] runs it right after evaluation and treats an
//! error as a failed evaluation (no results), like any other overflow.

use crate::calendar::{period_groups, By};
use crate::diagnostic::{Code, Diagnostic};
use crate::eval::{window_value, Results};
use crate::ir::Plan;

/// Overflow errors for roll-ups that cannot be represented.
pub(crate) fn check(plan: &Plan, results: &Results) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let groupings = [By::Quarter, By::Year];
    let groups: Vec<_> = groupings
        .iter()
        .flat_map(|by| period_groups(plan, *by))
        .map(|g| (g.label, g.range))
        .chain(std::iter::once((
            "the whole horizon".to_string(),
            0..plan.len,
        )))
        .collect();
    for r in &results.scenarios {
        let scenario = plan
            .scenarios
            .get(r.scenario)
            .map(|s| s.name.as_str())
            .unwrap_or("?");
        for (id, (item, vals)) in plan.items.iter().zip(&r.values).enumerate() {
            if cannot_overflow(plan, id, vals) {
                continue;
            }
            let bad = groups.iter().find(|(_, range)| {
                range.len() > 1
                    && vals.get(range.clone()).is_some()
                    && window_value(plan, &r.values, id, range.clone()).is_none()
            });
            if let Some((label, _)) = bad {
                out.push(
                    Diagnostic::error(
                        Code::Overflow,
                        item.name_span,
                        format!(
                            "the total of `{}` over {label} is too large for an exact decimal in scenario `{scenario}`",
                            item.name
                        ),
                    )
                    .with_label("its roll-up overflows")
                    .with_help("a value grew past 28 significant digits; check for runaway growth or units in the wrong scale"),
                );
            }
        }
    }
    out
}

/// |v| in floating point, within a relative 1e-15 of it.
fn magnitude(v: rust_decimal::Decimal) -> f64 {
    /// 10^-s for each scale s a decimal can have.
    const TENTHS: [f64; 29] = [
        1e0, 1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10, 1e-11, 1e-12, 1e-13,
        1e-14, 1e-15, 1e-16, 1e-17, 1e-18, 1e-19, 1e-20, 1e-21, 1e-22, 1e-23, 1e-24, 1e-25, 1e-26,
        1e-27, 1e-28,
    ];
    let tenth = TENTHS.get(v.scale() as usize).copied().unwrap_or(1.0);
    v.mantissa().unsigned_abs() as f64 * tenth
}

/// True when no roll-up of `item` can overflow, without summing each window:
/// a flow's or an average's window sums are bounded by the sum of the
/// magnitudes of all its values (here far below the limit), and a stock's
/// roll-up is one of its values. A formula's roll-up has to be computed.
fn cannot_overflow(plan: &Plan, item: usize, vals: &[rust_decimal::Decimal]) -> bool {
    use crate::syntax::ast::Aggregation;
    use rust_decimal::Decimal;
    match crate::eval::window::effective_rollup(plan, item) {
        Aggregation::Stock => true,
        // In floating point first (each term within 1e-15 of its value): a total
        // under 1e27 is far from the limit (about 7.9e28); otherwise exactly.
        Aggregation::Flow | Aggregation::Average => {
            vals.iter().map(|v| magnitude(*v)).sum::<f64>() < 1e27
                || vals
                    .iter()
                    .try_fold(Decimal::ZERO, |a, v| a.checked_add(v.abs()))
                    .is_some_and(|t| t.checked_mul(Decimal::TWO).is_some())
        }
        Aggregation::Formula => false,
    }
}
