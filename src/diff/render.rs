//! Renderers of a [`PlanDiff`]: plain text for terminals and Markdown ready to post
//! as a pull-request comment (headline first, tables, long lists folded into
//! `<details>`). Both are deterministic.

use super::{ChangeKind, DeclChange, ItemChange, PlanDiff, Presence, ScenarioDiff, TargetChange};
use crate::present::{amount, decimals_for};
use crate::units::Unit;
use rust_decimal::Decimal;
use std::fmt::Write;

/// Moved items shown per scenario before the rest is folded away.
const TOP_MOVERS: usize = 10;

fn money(v: Option<Decimal>, unit: &Unit, all: &[Decimal]) -> String {
    match v {
        Some(x) => amount(x, unit, decimals_for(all, unit)),
        None => "—".into(),
    }
}

fn signed(v: Decimal, unit: &Unit, all: &[Decimal]) -> String {
    let s = amount(v, unit, decimals_for(all, unit));
    if v.is_sign_positive() && !v.is_zero() {
        format!("+{s}")
    } else {
        s
    }
}

fn item_cells(i: &ItemChange) -> [String; 4] {
    let all: Vec<Decimal> = [i.before, i.after, i.change]
        .into_iter()
        .flatten()
        .collect();
    let change = match (i.presence, i.change) {
        (Presence::Added, _) => "new".into(),
        (Presence::Removed, _) => "removed".into(),
        (_, Some(c)) if i.phasing_only => format!("{} (phasing)", signed(c, &i.unit, &all)),
        (_, Some(c)) => signed(c, &i.unit, &all),
        _ => "—".into(),
    };
    let pct = match (i.presence, i.change_pct) {
        (Presence::Both, Some(p)) => super::signed_pct(p),
        (Presence::Both, None) if i.change.is_some_and(|c| !c.is_zero()) => "from 0".into(),
        _ => String::new(),
    };
    [
        money(i.before, &i.unit, &all),
        money(i.after, &i.unit, &all),
        change,
        pct,
    ]
}

fn status(t: &TargetChange) -> String {
    let word = |m: bool| if m { "met" } else { "missed" };
    match (&t.before, &t.after) {
        (Some(a), Some(b)) if a.met != b.met => {
            format!("{} → {}", word(a.met), word(b.met).to_uppercase())
        }
        (Some(_), Some(b)) => word(b.met).into(),
        (None, Some(b)) => format!("new: {}", word(b.met)),
        (Some(a), None) => format!("removed (was {})", word(a.met)),
        (None, None) => String::new(),
    }
}

/// `before → after` of one target field, or just the value when unchanged.
fn target_pair(
    t: &TargetChange,
    f: fn(&super::TargetValues) -> Option<Decimal>,
    signed_gap: bool,
) -> String {
    let a = t.before.as_ref().and_then(f);
    let b = t.after.as_ref().and_then(f);
    // Targets show cents, as the `target-missed` message does.
    let show = |v: Option<Decimal>| match v {
        Some(x) if signed_gap && x.is_sign_positive() && !x.is_zero() => {
            format!("+{}", amount(x, &t.unit, 2))
        }
        Some(x) => amount(x, &t.unit, 2),
        None => "—".into(),
    };
    match (&t.before, &t.after) {
        (Some(_), Some(_)) if a == b => show(b),
        (Some(_), Some(_)) => format!("{} → {}", show(a), show(b)),
        (None, Some(_)) => show(b),
        (Some(_), None) => show(a),
        (None, None) => String::new(),
    }
}

fn target_text(t: &TargetChange) -> String {
    match &t.old_target {
        Some(o) => format!("{} (was {o})", t.target),
        None => t.target.clone(),
    }
}

fn fired(v: &Option<String>) -> String {
    v.clone().unwrap_or_else(|| "never".into())
}

fn trigger_text(t: &super::TriggerChange) -> String {
    match t.presence {
        Presence::Both => format!("fired {} → {}", fired(&t.before), fired(&t.after)),
        Presence::Added => format!("fires {} (new)", fired(&t.after)),
        Presence::Removed => format!("fired {} (gone)", fired(&t.before)),
    }
}

/// Aligns rows into columns; `right[i]` right-aligns column i.
fn table(rows: &[Vec<String>], right: &[bool], indent: &str) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .map(|r| r.get(c).map(|s| s.chars().count()).unwrap_or(0))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for r in rows {
        let mut line = String::from(indent);
        for (c, cell) in r.iter().enumerate() {
            let w = widths.get(c).copied().unwrap_or(0);
            let pad = w.saturating_sub(cell.chars().count());
            if c > 0 {
                line.push_str("  ");
            }
            if right.get(c).copied().unwrap_or(false) {
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            } else {
                line.push_str(cell);
                line.push_str(&" ".repeat(pad));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn decl_lines(c: &DeclChange) -> Vec<(char, String)> {
    let old = c.old.clone().unwrap_or_default();
    let new = c.new.clone().unwrap_or_default();
    match c.change {
        ChangeKind::Added => new.lines().map(|l| ('+', l.to_string())).collect(),
        ChangeKind::Removed => old.lines().map(|l| ('-', l.to_string())).collect(),
        ChangeKind::Changed | ChangeKind::Renamed => {
            let d = similar::TextDiff::from_lines(&old, &new);
            d.iter_all_changes()
                .map(|ch| {
                    let tag = match ch.tag() {
                        similar::ChangeTag::Delete => '-',
                        similar::ChangeTag::Insert => '+',
                        similar::ChangeTag::Equal => ' ',
                    };
                    (tag, ch.value().trim_end_matches('\n').to_string())
                })
                .collect()
        }
    }
}

fn decl_title(c: &DeclChange) -> String {
    match c.change {
        ChangeKind::Renamed => format!(
            "{} {} renamed to {}",
            c.kind,
            c.old_name.as_deref().unwrap_or("?"),
            c.name
        ),
        ChangeKind::Changed if c.only_renames => {
            format!("{} {} (only follows a rename)", c.kind, c.name)
        }
        _ => format!("{} {}", c.kind, c.name),
    }
}

fn decl_mark(c: &DeclChange) -> char {
    match c.change {
        ChangeKind::Added => '+',
        ChangeKind::Removed => '-',
        ChangeKind::Changed => '~',
        ChangeKind::Renamed => '>',
    }
}

fn horizon_note(d: &PlanDiff) -> Option<String> {
    d.horizon.as_ref().map(|h| match &h.compared {
        Some(c) => format!(
            "The horizon changed from {} to {}; values are compared over the periods both share, {c}. Targets are evaluated over each version's own horizon.",
            h.old, h.new
        ),
        None => format!(
            "The horizon changed from {} to {}; the two share no period, so values are not compared.",
            h.old, h.new
        ),
    })
}

fn compared_periods(d: &PlanDiff) -> String {
    match &d.horizon {
        Some(h) => h.compared.clone().unwrap_or_default(),
        None => d
            .new
            .periods
            .clone()
            .or_else(|| d.old.periods.clone())
            .unwrap_or_default(),
    }
}

fn title(d: &PlanDiff) -> String {
    let plan = d.new.plan.clone().or_else(|| d.old.plan.clone());
    match plan {
        Some(p) => format!("plan {p}"),
        None => "a file without a `plan` declaration".into(),
    }
}

// ------------------------------------------------------------------ human

/// Plain text for a terminal.
pub fn render_human(d: &PlanDiff) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "plumb diff: {} → {}",
        side_label(&d.old),
        side_label(&d.new)
    );
    let periods = d.new.periods.clone().or_else(|| d.old.periods.clone());
    let _ = writeln!(
        s,
        "{}{}",
        title(d),
        periods.map(|p| format!(", {p}")).unwrap_or_default()
    );
    s.push('\n');
    s.push_str("Summary\n");
    for line in &d.summary {
        let _ = writeln!(s, "  - {}", line.replace('`', ""));
    }
    if let Some(h) = horizon_note(d) {
        let _ = writeln!(s, "\n{h}");
    }
    if !d.declarations.is_empty() {
        s.push_str("\nDeclarations\n");
        for c in &d.declarations {
            let _ = writeln!(s, "  {} {}  ({})", decl_mark(c), decl_title(c), c.file);
            for (tag, line) in decl_lines(c) {
                let _ = writeln!(s, "      {tag} {line}");
            }
        }
    }
    if !d.callouts.is_empty() {
        s.push_str("\nCalled out\n");
        for c in &d.callouts {
            let _ = writeln!(
                s,
                "  - {}: {} — {}",
                c.topic,
                c.name,
                c.text.replace('`', "")
            );
        }
    }
    human_targets(&mut s, d);
    human_values(&mut s, d);
    let trig: Vec<(&str, &super::TriggerChange)> = d
        .scenarios
        .iter()
        .flat_map(|sc| sc.triggers.iter().map(move |t| (sc.name.as_str(), t)))
        .collect();
    if !trig.is_empty() {
        s.push_str("\nTriggers\n");
        let mut rows = Vec::new();
        for (sc, t) in trig {
            rows.push(vec![sc.to_string(), t.name.clone(), trigger_text(t)]);
        }
        s.push_str(&table(&rows, &[], "  "));
    }
    if d.diagnostics.changes().next().is_some() {
        s.push_str("\nDiagnostics\n");
        for (what, j) in d.diagnostics.changes() {
            let _ = writeln!(
                s,
                "  {what:<10}  {}[{}] {}:{}:{}  {}",
                j.severity, j.code, j.file, j.line, j.column, j.message
            );
        }
    }
    if !d.notes.is_empty() {
        s.push_str("\nNotes\n");
        for n in &d.notes {
            let _ = writeln!(s, "  - {n}");
        }
    }
    s
}

/// The `Targets` section: one table per scenario that has targets.
fn human_targets(s: &mut String, d: &PlanDiff) {
    let with_targets: Vec<&ScenarioDiff> = d
        .scenarios
        .iter()
        .filter(|sc| !sc.targets.is_empty())
        .collect();
    if !with_targets.is_empty() {
        s.push_str("\nTargets\n");
        for sc in with_targets {
            let _ = writeln!(s, "  {}{}", sc.name, presence_note(sc.presence));
            let mut rows = vec![vec![
                "objective".to_string(),
                "target".into(),
                "projected".into(),
                "gap".into(),
                "status".into(),
            ]];
            for t in &sc.targets {
                rows.push(vec![
                    t.objective.clone(),
                    target_text(t),
                    target_pair(t, |v| v.projected, false),
                    target_pair(t, |v| v.gap, true),
                    status(t),
                ]);
            }
            s.push_str(&table(&rows, &[false, false, true, true, false], "    "));
        }
    }
}

/// The `Values` section: the biggest movers of each scenario, the rest counted.
fn human_values(s: &mut String, d: &PlanDiff) {
    let moved: Vec<&ScenarioDiff> = d
        .scenarios
        .iter()
        .filter(|sc| !sc.items.is_empty())
        .collect();
    if !moved.is_empty() {
        let _ = writeln!(s, "\nValues (totals over {})", compared_periods(d));
        for sc in moved {
            let _ = writeln!(s, "  {}", sc.name);
            let mut rows = vec![vec![
                "item".to_string(),
                "before".into(),
                "after".into(),
                "change".into(),
                "%".into(),
            ]];
            for i in sc.items.iter().take(TOP_MOVERS) {
                let [b, a, c, p] = item_cells(i);
                rows.push(vec![i.name.clone(), b, a, c, p]);
            }
            s.push_str(&table(&rows, &[false, true, true, true, true], "    "));
            if sc.items.len() > TOP_MOVERS {
                let _ = writeln!(
                    s,
                    "    … and {} more (--format json lists every one)",
                    sc.items.len() - TOP_MOVERS
                );
            }
        }
    }
}

fn side_label(s: &super::Side) -> String {
    if s.exists {
        s.label.clone()
    } else {
        format!("{} (absent)", s.label)
    }
}

fn presence_note(p: Presence) -> &'static str {
    match p {
        Presence::Both => "",
        Presence::Added => " (new scenario)",
        Presence::Removed => " (removed scenario)",
    }
}

// ------------------------------------------------------------------ markdown

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn code(s: &str) -> String {
    if s.is_empty() {
        String::new()
    } else {
        format!("`{}`", s.replace('`', "'"))
    }
}

fn md_targets(s: &mut String, rows: &[(&ScenarioDiff, &TargetChange)]) {
    s.push_str("| scenario | objective | target | projected | gap | status |\n");
    s.push_str("|---|---|---|---:|---:|---|\n");
    for (sc, t) in rows {
        let st = status(t);
        let st = if t.flip.is_some() {
            format!("**{st}**")
        } else {
            st
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} |",
            code(&sc.name),
            code(&t.objective),
            cell(&code(&target_text(t))),
            cell(&target_pair(t, |v| v.projected, false)),
            cell(&target_pair(t, |v| v.gap, true)),
            cell(&st)
        );
    }
}

fn md_items(s: &mut String, items: &[ItemChange]) {
    s.push_str("| item | before | after | change | % |\n");
    s.push_str("|---|---:|---:|---:|---:|\n");
    for i in items {
        let [b, a, c, p] = item_cells(i);
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} |",
            code(&i.name),
            cell(&b),
            cell(&a),
            cell(&c),
            cell(&p)
        );
    }
}

fn md_scenario_items(s: &mut String, sc: &ScenarioDiff) {
    let top: Vec<ItemChange> = sc.items.iter().take(TOP_MOVERS).cloned().collect();
    md_items(s, &top);
    if sc.items.len() > TOP_MOVERS {
        let rest: Vec<ItemChange> = sc.items.iter().skip(TOP_MOVERS).cloned().collect();
        let _ = writeln!(
            s,
            "\n<details><summary>{} more in <code>{}</code></summary>\n",
            rest.len(),
            sc.name
        );
        md_items(s, &rest);
        s.push_str("\n</details>\n");
    }
}

/// One plan's diff as a Markdown section (heading level 2).
pub fn render_markdown(d: &PlanDiff) -> String {
    let mut s = String::new();
    let plan = d
        .new
        .plan
        .clone()
        .or_else(|| d.old.plan.clone())
        .unwrap_or_default();
    let _ = writeln!(s, "## Plan diff: {}\n", code(&plan));
    let _ = writeln!(
        s,
        "{} → {}{}\n",
        code(&side_label(&d.old)),
        code(&side_label(&d.new)),
        d.new
            .periods
            .as_ref()
            .map(|p| format!(" · {p}"))
            .unwrap_or_default()
    );
    for line in &d.summary {
        let bold = line.contains(" flips ") || line.contains(" has ") && line.contains("error");
        if bold {
            let _ = writeln!(s, "- **{line}**");
        } else {
            let _ = writeln!(s, "- {line}");
        }
    }
    if let Some(h) = horizon_note(d) {
        let _ = writeln!(s, "\n> {h}");
    }
    md_targets_section(&mut s, d);
    md_values_section(&mut s, d);
    let trig: Vec<(&str, &super::TriggerChange)> = d
        .scenarios
        .iter()
        .flat_map(|sc| sc.triggers.iter().map(move |t| (sc.name.as_str(), t)))
        .collect();
    if !trig.is_empty() {
        s.push_str("\n### Triggers\n\n| scenario | trigger | firing |\n|---|---|---|\n");
        for (sc, t) in trig {
            let _ = writeln!(
                s,
                "| {} | {} | {} |",
                code(sc),
                code(&t.name),
                trigger_text(t)
            );
        }
    }
    if !d.callouts.is_empty() {
        s.push_str("\n### Called out\n\n");
        for c in &d.callouts {
            let _ = writeln!(s, "- **{}** {} — {}", c.topic, code(&c.name), c.text);
        }
    }
    md_declarations_section(&mut s, d);
    if d.diagnostics.changes().next().is_some() {
        s.push_str("\n### Diagnostics\n\n");
        for (what, j) in d.diagnostics.changes() {
            let _ = writeln!(
                s,
                "- {what}: **{}** `{}` at `{}:{}` — {}",
                j.severity, j.code, j.file, j.line, j.message
            );
        }
    }
    if !d.notes.is_empty() {
        s.push('\n');
        for n in &d.notes {
            let _ = writeln!(s, "> {n}");
        }
    }
    s
}

/// `### Targets`: changed targets (and every base target) in view, the rest folded.
fn md_targets_section(s: &mut String, d: &PlanDiff) {
    // Targets: changed ones (and every base target) in view, the rest folded.
    let mut shown = Vec::new();
    let mut folded = Vec::new();
    for sc in &d.scenarios {
        for t in &sc.targets {
            if t.changed() || sc.is_base {
                shown.push((sc, t));
            } else {
                folded.push((sc, t));
            }
        }
    }
    if !shown.is_empty() || !folded.is_empty() {
        s.push_str("\n### Targets\n\n");
        if !shown.is_empty() {
            md_targets(s, &shown);
        }
        if !folded.is_empty() {
            let _ = writeln!(
                s,
                "\n<details><summary>{} unchanged target{} in other scenarios</summary>\n",
                folded.len(),
                if folded.len() == 1 { "" } else { "s" }
            );
            md_targets(s, &folded);
            s.push_str("\n</details>\n");
        }
    }
}

/// `### Values`: the base scenario's movers in view, other scenarios folded.
fn md_values_section(s: &mut String, d: &PlanDiff) {
    let moved: Vec<&ScenarioDiff> = d
        .scenarios
        .iter()
        .filter(|sc| !sc.items.is_empty())
        .collect();
    if !moved.is_empty() {
        let _ = writeln!(
            s,
            "\n### Values\n\nTotals over {}; biggest movers first.\n",
            compared_periods(d)
        );
        let (first, rest) = match moved.iter().position(|sc| sc.is_base) {
            Some(i) => (
                moved.get(i).copied(),
                moved
                    .iter()
                    .enumerate()
                    .filter(|(k, _)| *k != i)
                    .map(|(_, v)| *v)
                    .collect::<Vec<_>>(),
            ),
            None => (None, moved.clone()),
        };
        if let Some(sc) = first {
            let _ = writeln!(s, "**{}** (base scenario)\n", code(&sc.name));
            md_scenario_items(s, sc);
        }
        if !rest.is_empty() {
            let names: Vec<String> = rest
                .iter()
                .map(|sc| format!("<code>{}</code>", sc.name))
                .collect();
            let _ = writeln!(
                s,
                "\n<details><summary>Other scenarios: {}</summary>\n",
                names.join(", ")
            );
            for sc in rest {
                let _ = writeln!(s, "\n**{}**\n", code(&sc.name));
                md_scenario_items(s, sc);
            }
            s.push_str("\n</details>\n");
        }
    }
}

/// `### Declarations`: counts by kind of change, then the declarations as a diff
/// (folded when long).
fn md_declarations_section(s: &mut String, d: &PlanDiff) {
    if !d.declarations.is_empty() {
        let count = |k: ChangeKind| d.declarations.iter().filter(|c| c.change == k).count();
        let mut parts = Vec::new();
        for (k, w) in [
            (ChangeKind::Changed, "changed"),
            (ChangeKind::Added, "added"),
            (ChangeKind::Removed, "removed"),
            (ChangeKind::Renamed, "renamed"),
        ] {
            let n = count(k);
            if n > 0 {
                parts.push(format!("{n} {w}"));
            }
        }
        let mut body = String::from("```diff\n");
        for c in &d.declarations {
            let _ = writeln!(body, "# {}  ({})", decl_title(c), c.file);
            for (tag, line) in decl_lines(c) {
                let _ = writeln!(body, "{tag} {line}");
            }
        }
        body.push_str("```\n");
        let long = body.lines().count() > 24;
        let _ = writeln!(s, "\n### Declarations\n");
        if long {
            let _ = writeln!(
                s,
                "<details><summary>{}</summary>\n\n{body}\n</details>",
                parts.join(", ")
            );
        } else {
            let _ = write!(s, "{}\n\n{body}", parts.join(", "));
        }
    }
}

/// Several plans' diffs as one Markdown comment: plans without any change are
/// named in one line at the end.
pub fn render_markdown_many(diffs: &[PlanDiff]) -> String {
    let mut s = String::from("# Plumb: plan changes\n\n");
    let (changed, same): (Vec<&PlanDiff>, Vec<&PlanDiff>) =
        diffs.iter().partition(|d| !d.is_empty());
    if changed.is_empty() {
        s.push_str("No semantic change in any plan.\n");
    }
    for d in &changed {
        s.push_str(&render_markdown(d));
        s.push('\n');
    }
    if !same.is_empty() && !changed.is_empty() {
        let names: Vec<String> = same.iter().map(|d| code(&d.new.label)).collect();
        let _ = writeln!(s, "Unchanged: {}", names.join(", "));
    }
    s
}
