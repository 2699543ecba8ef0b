//! `cycle`: values that depend on themselves other than through `prev`.
//!
//! Builds each scenario's evaluation program with every playbook action applied
//! and reports each strongly connected group of items that cannot be computed
//! period by period, listing the names on it.

use crate::diagnostic::{Code, Diagnostic};
use crate::eval::program::{find_cycles_with, Prepared};
use crate::ir::Plan;

/// Reports every cycle once, however many scenarios show it (`prep`: the
/// plan's references, as evaluation uses them).
pub(crate) fn check(plan: &Plan, prep: &Prepared) -> Vec<Diagnostic> {
    let mut seen: Vec<Vec<usize>> = Vec::new();
    let mut out = Vec::new();
    for s in 0..plan.scenarios.len() {
        for cyc in find_cycles_with(plan, s, Some(prep)) {
            if seen.contains(&cyc) {
                continue;
            }
            seen.push(cyc.clone());
            let names: Vec<&str> = cyc
                .iter()
                .filter_map(|i| plan.items.get(*i).map(|x| x.name.as_str()))
                .collect();
            let Some(first) = cyc.first().and_then(|i| plan.items.get(*i)) else {
                continue;
            };
            let scen = plan
                .scenarios
                .get(s)
                .map(|x| x.name.as_str())
                .unwrap_or("?");
            let ring = if names.len() == 1 {
                format!("`{}` depends on itself", first.name)
            } else {
                format!(
                    "{} depend on each other",
                    names
                        .iter()
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            let where_ = if s == plan.base {
                String::new()
            } else {
                format!(" in scenario `{scen}`")
            };
            let mut d = Diagnostic::error(
                Code::Cycle,
                first.expr.span,
                format!("{ring}{where_}: {} → {}", names.join(" → "), first.name),
            )
            .with_label("this formula is part of the cycle")
            .with_help("break the loop, or read the earlier period with `prev(x)`");
            for i in cyc.iter().skip(1) {
                if let Some(it) = plan.items.get(*i) {
                    d = d.with_secondary(it.expr.span, format!("`{}` is on the cycle", it.name));
                }
            }
            out.push(d);
        }
    }
    out
}
