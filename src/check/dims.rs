//! Diagnostics about dimensioned items, as the user wrote them.
//!
//! A dimensioned item is checked as one IR item per member (`spend[paid]`), so a
//! mistake in its formula is found once per member. [`tidy`] names the declared
//! item instead of its members (`spend`) and keeps one copy of each diagnostic.
//! (How the total of an item whose unit is not written is computed is decided
//! by the infer stage, [`crate::infer`].)

use crate::diagnostic::Diagnostic;
use crate::ir::Plan;
use std::collections::{HashMap, HashSet};

/// Rewrites member names to their item's name and drops the repeats.
pub(crate) fn tidy(plan: &Plan, diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
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
        d.suggestion = d
            .suggestion
            .map(|s| names.get(s.as_str()).map(|n| n.to_string()).unwrap_or(s));
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
