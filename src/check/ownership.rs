//! Ownership and use: `missing-owner` and `unused-driver` (both warnings).
//!
//! Takes the resolved plan, gives back diagnostics.
//!
//! - A bet (an assumption with a `change`), a dependency, a risk, an objective or
//!   a trigger without an `owner` gets `missing-owner`: somebody must answer for it.
//! - A driver that nothing reads gets `unused-driver`. Reading means appearing in
//!   a metric's or another driver's formula, a target, a condition (`maintain`,
//!   `when`, `ask`, `grant`), a bet (`change`), a playbook `set`, a scenario
//!   override's formula, a `range` or an `indicator`. A driver that only reads
//!   itself (through `prev`) is still unused.

use crate::diagnostic::{Code, Diagnostic};
use crate::ir::{Action, ItemId, Party, Plan};
use crate::source::Span;
use crate::syntax::ast::ItemKind;

/// Both checks.
pub(crate) fn check(plan: &Plan) -> Vec<Diagnostic> {
    let mut out = missing_owners(plan);
    out.extend(unused_drivers(plan));
    out
}

fn owner_help(plan: &Plan, kind: &str) -> String {
    let example = plan
        .departments
        .iter()
        .map(|d| d.name.as_str())
        .chain(plan.roles.iter().map(|r| r.name.as_str()))
        .next();
    match example {
        Some(p) => format!("add `owner {p}` (any department or role) inside the {kind}'s block"),
        None => format!(
            "declare who answers for it (`department finance \"Finance\"`) and add `owner finance` inside the {kind}'s block"
        ),
    }
}

fn missing_owners(plan: &Plan) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut missing = |owner: Option<Party>, span: Span, kind: &str, name: &str| {
        if owner.is_none() {
            out.push(
                Diagnostic::warning(
                    Code::MissingOwner,
                    span,
                    format!("the {kind} `{name}` has no owner"),
                )
                .with_label("nobody answers for this")
                .with_help(owner_help(plan, kind)),
            );
        }
    };
    for a in plan.assumptions.iter().filter(|a| !a.changes.is_empty()) {
        missing(a.owner, a.span, "bet", &a.name);
    }
    for d in &plan.dependencies {
        missing(d.owner, d.span, "dependency", &d.name);
    }
    for r in &plan.risks {
        missing(r.owner, r.span, "risk", &r.name);
    }
    for o in &plan.objectives {
        missing(o.owner, o.span, "objective", &o.name);
    }
    for t in &plan.triggers {
        missing(t.owner, t.span, "trigger", &t.name);
    }
    out
}

/// For each item, whether something other than itself reads it.
pub(crate) fn used_items(plan: &Plan) -> Vec<bool> {
    let mut used = vec![false; plan.items.len()];
    let mut mark = |reader: Option<ItemId>, items: Vec<ItemId>| {
        for i in items {
            if Some(i) != reader {
                if let Some(u) = used.get_mut(i) {
                    *u = true;
                }
            }
        }
    };
    for (id, it) in plan.items.iter().enumerate() {
        // A dimensioned item's total reads its members: that is not a use.
        if plan.dim_item(id).is_some_and(|g| g.total == Some(id)) {
            continue;
        }
        mark(Some(id), it.expr.items());
        if let Some((lo, hi)) = &it.range {
            mark(Some(id), lo.items());
            mark(Some(id), hi.items());
        }
    }
    for o in &plan.objectives {
        for t in &o.targets {
            mark(None, t.expr.items());
        }
    }
    for a in &plan.assumptions {
        for c in &a.changes {
            mark(None, vec![c.item]);
            mark(None, c.from.items());
            mark(None, c.to.items());
        }
        for (m, _) in &a.maintains {
            mark(None, m.items());
        }
        mark(None, a.indicators.clone());
    }
    for r in &plan.requests {
        for (e, _) in r.ask.iter().chain(r.grant.iter()) {
            mark(None, e.items());
        }
    }
    for t in &plan.triggers {
        mark(None, t.when.items());
        for s in &t.steps {
            for (a, _) in &s.actions {
                if let Action::Set(d, e) = a {
                    mark(None, vec![*d]);
                    mark(Some(*d), e.items());
                }
            }
        }
    }
    for s in &plan.scenarios {
        for o in &s.overrides {
            mark(Some(o.item), o.expr.items());
        }
    }
    // A budget's `spend`, and the money a request states, read their items.
    for b in &plan.budgets {
        if let Some(g) = b.spend.and_then(|g| plan.dim_items.get(g)) {
            mark(None, g.members.iter().map(|m| m.1).collect());
        }
    }
    for r in &plan.requests {
        for (e, _) in r.cost.iter().chain(r.ret.iter()).chain(&r.grant_members) {
            mark(None, e.items());
        }
    }
    // Reading a dimensioned item's total, or one member, uses the item.
    for g in &plan.dim_items {
        let any = g
            .total
            .iter()
            .chain(g.members.iter().map(|m| &m.1))
            .any(|i| used.get(*i).copied().unwrap_or(false));
        if any {
            for i in g.total.iter().chain(g.members.iter().map(|m| &m.1)) {
                if let Some(u) = used.get_mut(*i) {
                    *u = true;
                }
            }
        }
    }
    used
}

/// True when some formula or condition has a name that did not resolve: the
/// driver it meant may look unused, so `unused-driver` waits for the fix.
fn has_unresolved(plan: &Plan) -> bool {
    let items = plan
        .items
        .iter()
        .flat_map(|i| std::iter::once(&i.expr).chain(i.range.iter().flat_map(|(a, b)| [a, b])));
    let targets = plan
        .objectives
        .iter()
        .flat_map(|o| o.targets.iter().map(|t| &t.expr));
    let bets = plan.assumptions.iter().flat_map(|a| {
        a.changes
            .iter()
            .flat_map(|c| [&c.from, &c.to])
            .chain(a.maintains.iter().map(|m| &m.0))
    });
    let requests = plan
        .requests
        .iter()
        .flat_map(|r| r.ask.iter().chain(r.grant.iter()).map(|x| &x.0));
    let triggers = plan.triggers.iter().flat_map(|t| {
        std::iter::once(&t.when).chain(t.steps.iter().flat_map(|s| {
            s.actions.iter().filter_map(|(a, _)| match a {
                Action::Set(_, e) => Some(e),
                Action::Pause(_) => None,
            })
        }))
    });
    let overrides = plan
        .scenarios
        .iter()
        .flat_map(|s| s.overrides.iter().map(|o| &o.expr));
    items
        .chain(targets)
        .chain(bets)
        .chain(requests)
        .chain(triggers)
        .chain(overrides)
        .any(|e| e.has_error())
}

fn unused_drivers(plan: &Plan) -> Vec<Diagnostic> {
    if has_unresolved(plan) {
        return Vec::new();
    }
    let used = used_items(plan);
    let mut reported = Vec::new();
    plan.items
        .iter()
        .enumerate()
        .zip(used)
        .filter(|((_, it), used)| it.kind == ItemKind::Driver && !used)
        .filter_map(|((id, it), _)| {
            // One warning per dimensioned driver, under its declared name.
            let name = match plan.dim_item(id) {
                Some(_) if reported.contains(&it.group) => return None,
                Some(g) => {
                    reported.push(it.group);
                    g.name.clone()
                }
                None => it.name.clone(),
            };
            Some(
                Diagnostic::warning(
                    Code::UnusedDriver,
                    it.name_span,
                    format!("the driver `{name}` is not used by any metric, target or condition"),
                )
                .with_label("nothing reads this")
                .with_help(format!(
                    "use it in a formula (for example `metric … = … * {name}`), watch it with `maintain`, or remove it"
                )),
            )
        })
        .collect()
}
