//! Objectives: `target-missed` for each target the base scenario misses (from
//! the outcomes of [`crate::outcome::targets`]), and the static rules of the
//! objective tree (`objective-not-cascaded`, circles of `supports`).

use crate::diagnostic::{Code, Diagnostic, Subject};
use crate::ir::{Party, Plan};
use crate::outcome::targets::TargetOutcome;
use crate::present::{amount, number};
use rust_decimal::Decimal;

/// `target-missed` for each target the base scenario misses.
pub(crate) fn missed(plan: &Plan, base: &[TargetOutcome]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for oc in base.iter().filter(|o| !o.met) {
        let Some(obj) = plan.objectives.get(oc.objective) else {
            continue;
        };
        let Some(t) = obj.targets.get(oc.target) else {
            continue;
        };
        let when = oc
            .period
            .map(|p| format!(" in {}", plan.period_label(p)))
            .unwrap_or_default();
        let msg = match (oc.projected, oc.threshold, oc.gap) {
            (Some(p), Some(th), Some(g)) => {
                let (ps, ts) = (amount(p, &oc.unit, 2), amount(th, &oc.unit, 2));
                // Missed by less than the displayed precision: show it exactly.
                let gs = if amount(g.abs(), &oc.unit, 2) == amount(Decimal::ZERO, &oc.unit, 2) {
                    format!("{} exactly", crate::present::exact(g.abs()))
                } else {
                    amount(g.abs(), &oc.unit, 2)
                };
                let ts = match crate::check::assumptions::exact_difference(&ps, &ts, p, th) {
                    Some(note) => format!("{ts} {note}"),
                    None => ts,
                };
                format!(
                    "objective `{}` misses its target `{}` by {gs}{when}: the base scenario projects {ps} against {ts}",
                    obj.name, oc.text,
                )
            }
            _ => format!(
                "objective `{}` misses its target `{}` in the base scenario",
                obj.name, oc.text
            ),
        };
        let label = match oc.gap {
            Some(g) => format!("short by {}", number(g.abs(), 2)),
            None => "not met".into(),
        };
        out.push(
            Diagnostic::warning(Code::TargetMissed, t.expr.span, msg)
                .with_label(label)
                .with_help("close the gap with a bet (`assumption … { change … }`) or restate the target; `plumb run` shows the gap per scenario"),
        );
    }
    out
}

/// True for a top objective: owned by a role or by the department named `finance`,
/// and supporting no other objective.
pub(crate) fn is_top(plan: &Plan, objective: usize) -> bool {
    let Some(o) = plan.objectives.get(objective) else {
        return false;
    };
    // An objective that supports another is a team's share, not a top objective.
    if !o.supports.is_empty() {
        return false;
    }
    match o.owner {
        Some(Party::Role(_)) => true,
        Some(Party::Department(d)) => plan.departments.get(d).is_some_and(|d| d.name == "finance"),
        None => false,
    }
}

/// Static checks of the objective tree: `objective-not-cascaded` for a top
/// objective nothing supports, and `cycle` for objectives that support each other
/// in a circle.
pub(crate) fn cascade(plan: &Plan) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (i, o) in plan.objectives.iter().enumerate() {
        if !is_top(plan, i) {
            continue;
        }
        let supported = plan
            .objectives
            .iter()
            .enumerate()
            .any(|(j, x)| j != i && x.supports.contains(&i));
        if supported {
            continue;
        }
        let owner = o.owner.map(|p| plan.party_name(p)).unwrap_or("?");
        let team = plan.departments.iter().find(|d| d.name != "finance");
        let (example, declare) = match team {
            Some(d) => (d.name.as_str(), String::new()),
            None => (
                "sales",
                "declare a team (`department sales \"Sales\"`), then ".to_string(),
            ),
        };
        let title = team
            .map(|d| d.title.as_str())
            .filter(|t| !t.contains(['"', '\\']))
            .unwrap_or("Sales");
        // The team's share restates the top objective's first target, so the
        // proposed declaration parses as written.
        let share = match o.targets.first() {
            Some(t) => format!(
                "objective {example}_share \"{title} share\" {{ owner {example}  supports {}  target {} }}",
                o.name, t.text
            ),
            None => format!(
                "objective {example}_share \"{title} share\" {{ owner {example}  supports {} }}",
                o.name
            ),
        };
        out.push(
            Diagnostic::warning(
                Code::ObjectiveNotCascaded,
                o.span,
                format!(
                    "the top objective `{}` (owned by `{owner}`) is not cascaded: no objective supports it",
                    o.name
                ),
            )
            .with_label("no team objective supports this")
            .about(Subject::TopObjective(o.name.clone()))
            .with_help(format!(
                "{declare}give {} its share: `{share}`",
                if declare.is_empty() { "a team" } else { "it" }
            )),
        );
    }
    // Circles of `supports`: search from each objective for a way back to it.
    let n = plan.objectives.len();
    let mut reported = vec![false; n];
    for start in 0..n {
        if reported.get(start).copied().unwrap_or(true) {
            continue;
        }
        let Some(circle) = circle_through(plan, start) else {
            continue;
        };
        for &c in &circle {
            if let Some(r) = reported.get_mut(c) {
                *r = true;
            }
        }
        let names: Vec<&str> = circle
            .iter()
            .chain(circle.first())
            .filter_map(|&c| plan.objectives.get(c).map(|o| o.name.as_str()))
            .collect();
        let span = plan
            .objectives
            .get(start)
            .map(|o| o.span)
            .unwrap_or_default();
        out.push(
            Diagnostic::error(
                Code::Cycle,
                span,
                format!(
                    "objectives support each other in a circle: {}",
                    names.join(" → ")
                ),
            )
            .with_label("part of the circle")
            .with_help(
                "an objective supports the one above it; remove `supports` from the top one",
            ),
        );
    }
    out
}

/// A path `start → … → start` along `supports` links, if there is one
/// (breadth-first, so the shortest).
fn circle_through(plan: &Plan, start: usize) -> Option<Vec<usize>> {
    let n = plan.objectives.len();
    let mut parent: Vec<Option<usize>> = vec![None; n];
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(cur) = queue.pop_front() {
        for &next in plan
            .objectives
            .get(cur)
            .map(|o| o.supports.as_slice())
            .unwrap_or(&[])
        {
            if next == start {
                let mut path = vec![cur];
                let mut at = cur;
                while let Some(p) = parent.get(at).copied().flatten() {
                    path.push(p);
                    at = p;
                    if path.len() > n {
                        break;
                    }
                }
                path.reverse();
                return Some(path);
            }
            if next != start && parent.get(next).is_some_and(Option::is_none) {
                if let Some(slot) = parent.get_mut(next) {
                    *slot = Some(cur);
                }
                queue.push_back(next);
            }
        }
    }
    None
}
