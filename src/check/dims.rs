//! Diagnostics about dimensioned items, as the user wrote them.
//!
//! A dimensioned item is checked as one IR item per member (`spend[paid]`), so a
//! mistake in its formula is found once per member. [`tidy`] names the declared
//! item instead of its members (`spend`) and keeps one copy of each diagnostic.
//! [`settle_totals`] decides, once units are inferred, how the total of an item
//! whose unit is not written is computed, and gives every total its roll-up.

use crate::diagnostic::{Code, Diagnostic};
use crate::eval::window::is_duration;
use crate::ir::{Plan, TotalRule};
use crate::syntax::ast::{Aggregation, ItemKind};
use std::collections::{HashMap, HashSet};

/// Rewrites member names to their item's name and drops the repeats.
pub fn tidy(plan: &Plan, diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    if plan.dim_items.is_empty() {
        return diags;
    }
    let mut names: HashMap<&str, &str> = HashMap::new();
    for g in &plan.dim_items {
        for (_, id) in &g.members {
            if let Some(it) = plan.items.get(*id) {
                names.insert(it.name.as_str(), g.name.as_str());
            }
        }
    }
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(diags.len());
    for mut d in diags {
        d.message = rename(&d.message, &names);
        d.primary.message = rename(&d.primary.message, &names);
        for l in &mut d.secondary {
            l.message = rename(&l.message, &names);
        }
        d.help = d.help.map(|h| rename(&h, &names));
        let key = (
            d.code,
            d.primary.span,
            d.message.clone(),
            d.secondary.iter().map(|l| l.span).collect::<Vec<_>>(),
        );
        if seen.insert(key) {
            out.push(d);
        }
    }
    out
}

/// `text` with every `` `member` `` name in backquotes replaced by its item's.
fn rename(text: &str, names: &HashMap<&str, &str>) -> String {
    if !text.contains('[') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut parts = text.split('`');
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    for (i, p) in parts.enumerate() {
        out.push('`');
        // Odd pieces (0-based even here) sit inside backquotes.
        if i % 2 == 0 {
            out.push_str(names.get(p).copied().unwrap_or(p));
        } else {
            out.push_str(p);
        }
    }
    out
}

/// Settles each dimensioned item's total now that units and default roll-ups are
/// known (DIMENSIONS.md §1): an item whose unit is not written but is inferred as
/// a ratio or duration totals with its formula over its operands' totals (never a
/// plain sum), or, when its members average their months or its formula cannot
/// be totalled, is `dimension-mismatch` asking for the unit. A total that sums
/// its members rolls up over time as they do (a stock total is its last month).
pub fn settle_totals(plan: &mut Plan) -> Vec<Diagnostic> {
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
