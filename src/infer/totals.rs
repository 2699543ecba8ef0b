//! The totals of dimensioned items, settled once units and default roll-ups
//! are inferred (DIMENSIONS.md §1): `resolve/dims.rs` gives a total whose rule
//! depends on its unit `TotalRule::Unsettled`; [`settle`] decides it.

use crate::diagnostic::{Code, Diagnostic};
use crate::eval::window::is_duration;
use crate::ir::{Plan, TotalRule};
use crate::syntax::ast::{Aggregation, ItemKind};

/// Settles each dimensioned item's total now that units and default roll-ups are
/// known (DIMENSIONS.md §1): an item whose unit is not written but is inferred as
/// a ratio or duration totals with its formula over its operands' totals (never a
/// plain sum), or, when its members average their months or its formula cannot
/// be totalled, is `dimension-mismatch` asking for the unit. A total that sums
/// its members rolls up over time as they do (a stock total is its last month).
pub(crate) fn settle(plan: &mut Plan) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for g in 0..plan.dim_items.len() {
        let Some(grp) = plan.dim_items.get(g) else {
            continue;
        };
        let (Some(t), Some(first)) = (grp.total, grp.members.first().map(|m| m.1)) else {
            continue;
        };
        let Some(member) = plan.items.get(first) else {
            continue;
        };
        let (agg, unit, kind) = (member.aggregation, member.unit.clone(), member.kind);
        let ratio = unit.is_ratio() || is_duration(&unit);
        let mut rule = grp.total_rule.clone();
        if let TotalRule::Unsettled(candidate) = rule {
            rule = match candidate {
                _ if !ratio => TotalRule::Sum,
                Some(e) if agg != Aggregation::Average => {
                    if let Some(it) = plan.items.get_mut(t) {
                        it.expr = *e;
                    }
                    TotalRule::Formula
                }
                _ => {
                    let dims = grp
                        .dims
                        .iter()
                        .filter_map(|d| plan.dimensions.get(*d).map(|x| x.name.as_str()))
                        .collect::<Vec<_>>()
                        .join(", ");
                    let word = if kind == ItemKind::Driver {
                        "driver"
                    } else {
                        "metric"
                    };
                    diags.push(
                        Diagnostic::error(
                            Code::DimensionMismatch,
                            grp.name_span,
                            format!(
                                "`{}` is a ratio ({unit}) whose members cannot be summed, and its unit is not written",
                                grp.name
                            ),
                        )
                        .with_label("no total across members")
                        .with_help(format!(
                            "write its unit and roll-up: `{word} {}: {unit} average by {dims} = …` (an average item has no total; name one member where a single value is needed)",
                            grp.name
                        )),
                    );
                    TotalRule::None
                }
            };
        }
        if let Some(it) = plan.items.get_mut(t) {
            if !it.aggregation_declared {
                match (&rule, agg) {
                    (TotalRule::Sum, Aggregation::Flow | Aggregation::Stock) => {
                        it.aggregation = agg;
                    }
                    (TotalRule::Formula, _) => it.aggregation = Aggregation::Formula,
                    _ => {}
                }
            }
        }
        if let Some(grp) = plan.dim_items.get_mut(g) {
            grp.total_rule = rule;
        }
    }
    diags
}
