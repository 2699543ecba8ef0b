//! Text renderers for [`RunReport`]: aligned tables, Markdown and CSV.

use super::{RunReport, ScenarioReport};
use crate::present::{amount, decimals_for, exact};
use std::fmt::Write;

/// Options for the table renderer.
#[derive(Debug, Clone, Copy, Default)]
pub struct TableOptions {
    /// Bold headers and coloured met/missed (ANSI).
    pub color: bool,
}

struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    /// Per column: right-aligned?
    right: Vec<bool>,
}

impl Table {
    fn widths(&self) -> Vec<usize> {
        let mut w: Vec<usize> = self.header.iter().map(|h| h.chars().count()).collect();
        for r in &self.rows {
            for (i, c) in r.iter().enumerate() {
                if let Some(x) = w.get_mut(i) {
                    *x = (*x).max(c.chars().count());
                }
            }
        }
        w
    }

    fn text(&self, out: &mut String, color: bool) {
        let w = self.widths();
        let line = |cells: &[String], out: &mut String, bold: bool| {
            let mut s = String::new();
            for (i, c) in cells.iter().enumerate() {
                let width = w.get(i).copied().unwrap_or(0);
                let pad = width.saturating_sub(c.chars().count());
                if i > 0 {
                    s.push_str("  ");
                }
                if self.right.get(i).copied().unwrap_or(false) {
                    s.push_str(&" ".repeat(pad));
                    s.push_str(c);
                } else {
                    s.push_str(c);
                    s.push_str(&" ".repeat(pad));
                }
            }
            let s = s.trim_end();
            if bold && color {
                let _ = writeln!(out, "\x1b[1m{s}\x1b[0m");
            } else {
                let _ = writeln!(out, "{s}");
            }
        };
        line(&self.header, out, true);
        let rule: Vec<String> = w.iter().map(|n| "─".repeat(*n)).collect();
        line(&rule, out, false);
        for r in &self.rows {
            line(r, out, false);
        }
    }

    fn markdown(&self, out: &mut String) {
        let esc = |s: &str| s.replace('|', "\\|");
        let _ = writeln!(
            out,
            "| {} |",
            self.header
                .iter()
                .map(|h| esc(h))
                .collect::<Vec<_>>()
                .join(" | ")
        );
        let _ = writeln!(
            out,
            "|{}|",
            self.right
                .iter()
                .map(|r| if *r { "---:" } else { ":---" })
                .collect::<Vec<_>>()
                .join("|")
        );
        for r in &self.rows {
            let _ = writeln!(
                out,
                "| {} |",
                r.iter().map(|c| esc(c)).collect::<Vec<_>>().join(" | ")
            );
        }
    }
}

fn items_table(report: &RunReport, sc: &ScenarioReport) -> Table {
    let mut header = vec!["item".to_string()];
    // A quarter or year only partly inside the horizon is marked `*`.
    header.extend(
        report
            .periods
            .iter()
            .enumerate()
            .map(|(k, p)| match report.windows.get(k) {
                Some(w) if w.partial => format!("{p}*"),
                _ => p.clone(),
            }),
    );
    let total_label = if report.periods.len() > 1 {
        "total"
    } else {
        ""
    };
    if !total_label.is_empty() {
        header.push(total_label.into());
    }
    let mut right = vec![false];
    right.extend(std::iter::repeat_n(true, header.len() - 1));
    let mut parent = String::new();
    let rows = sc
        .items
        .iter()
        .map(|it| {
            let mut all = it.values.clone();
            all.push(it.total);
            let dp = decimals_for(&all, &it.unit);
            let mut row = vec![member_row_name(&it.name, &mut parent)];
            row.extend(it.values.iter().map(|v| amount(*v, &it.unit, dp)));
            if !total_label.is_empty() {
                row.push(amount(it.total, &it.unit, dp));
            }
            row
        })
        .collect();
    Table {
        header,
        rows,
        right,
    }
}

/// A member of a dimensioned item (`spend[paid]`) right under its total's row
/// shows indented as `  paid`; any other name as it is.
fn member_row_name(name: &str, parent: &mut String) -> String {
    if let Some((base, rest)) = name.split_once('[') {
        if base == parent.as_str() {
            if let Some(label) = rest.strip_suffix(']') {
                return format!("  {label}");
            }
        }
        return name.to_string();
    }
    *parent = name.to_string();
    name.to_string()
}

/// Heading of the targets table: what the columns compare.
const TARGETS_HEADING: &str =
    "Targets: top-down threshold against the bottom-up projection (gap + is room to spare, - is short)";

/// Heading of the requests table.
const REQUESTS_HEADING: &str =
    "Requests: what each team asked against what was granted (gap = granted - asked)";

fn signed(s: String, v: rust_decimal::Decimal) -> String {
    if v.is_sign_positive() && !v.is_zero() {
        format!("+{s}")
    } else {
        s
    }
}

fn targets_table(sc: &ScenarioReport, color: bool) -> Table {
    let header = [
        "objective",
        "owner",
        "target",
        "projected",
        "threshold",
        "gap",
        "status",
    ]
    .map(String::from)
    .to_vec();
    let mut ordered: Vec<&super::TargetReport> = sc.targets.iter().collect();
    ordered.sort_by_key(|t| t.rank);
    let rows = ordered
        .into_iter()
        .map(|t| {
            let vals: Vec<_> = [t.projected, t.threshold, t.gap]
                .into_iter()
                .flatten()
                .collect();
            let dp =
                decimals_for(&vals, &t.unit).max(if t.unit.currency().is_some() { 0 } else { 2 });
            let f = |v: Option<rust_decimal::Decimal>| {
                v.map(|x| amount(x, &t.unit, dp))
                    .unwrap_or_else(|| "—".into())
            };
            let gap = t.gap.map(|g| signed(amount(g, &t.unit, dp), g));
            let status = match (t.met, color) {
                (true, true) => "\x1b[32m✔ met\x1b[0m".to_string(),
                (false, true) => "\x1b[31m✘ missed\x1b[0m".to_string(),
                (true, false) => "✔ met".to_string(),
                (false, false) => "✘ missed".to_string(),
            };
            let target = match &t.period {
                Some(p) => format!("{} (worst: {p})", t.target),
                None => t.target.clone(),
            };
            let name = if t.depth == 0 {
                t.objective.clone()
            } else {
                format!("{}└ {}", "  ".repeat(t.depth - 1), t.objective)
            };
            vec![
                name,
                t.owner.clone(),
                target,
                f(t.projected),
                f(t.threshold),
                gap.unwrap_or_else(|| "—".into()),
                status,
            ]
        })
        .collect();
    Table {
        header,
        rows,
        right: vec![false, false, false, true, true, true, false],
    }
}

fn requests_table(sc: &ScenarioReport, color: bool) -> Table {
    let header = [
        "request",
        "from",
        "ask",
        "grant",
        "model",
        "gap",
        "grant holds",
    ]
    .map(String::from)
    .to_vec();
    let rows = sc
        .requests
        .iter()
        .map(|r| {
            let model = r.grant.as_ref().or(r.ask.as_ref()).and_then(|s| s.value);
            let vals: Vec<_> = [model, r.gap].into_iter().flatten().collect();
            let dp = decimals_for(&vals, &r.unit);
            let cond = |s: &Option<super::RequestSide>| {
                s.as_ref()
                    .map(|s| s.condition.clone())
                    .unwrap_or_else(|| "—".into())
            };
            let status = match (r.grant.as_ref().map(|g| g.holds), color) {
                (None, _) => "—".to_string(),
                (Some(true), true) => "\x1b[32m✔ yes\x1b[0m".to_string(),
                (Some(false), true) => "\x1b[31m✘ no\x1b[0m".to_string(),
                (Some(true), false) => "✔ yes".to_string(),
                (Some(false), false) => "✘ no".to_string(),
            };
            vec![
                r.request.clone(),
                r.from.clone().unwrap_or_default(),
                cond(&r.ask),
                cond(&r.grant),
                model
                    .map(|v| amount(v, &r.unit, dp))
                    .unwrap_or_else(|| "—".into()),
                r.gap
                    .map(|g| signed(amount(g, &r.unit, dp), g))
                    .unwrap_or_else(|| "—".into()),
                status,
            ]
        })
        .collect();
    Table {
        header,
        rows,
        right: vec![false, false, false, false, true, true, false],
    }
}

/// Heading of the budgets table.
const BUDGETS_HEADING: &str =
    "Budgets: allowance = amount + contingency draws + reallocations; headroom = allowance - planned spend";

fn budgets_table(sc: &ScenarioReport, color: bool) -> Table {
    let header = [
        "budget",
        "department",
        "window",
        "amount",
        "draws",
        "reallocations",
        "allowance",
        "planned spend",
        "headroom",
    ]
    .map(String::from)
    .to_vec();
    let rows = sc
        .budgets
        .iter()
        .map(|b| {
            let vals = [
                b.amount,
                b.draws,
                b.reallocations,
                b.allowance,
                b.spend,
                b.headroom,
            ];
            let dp = decimals_for(&vals, &b.unit);
            let f = |v| amount(v, &b.unit, dp);
            let head = signed(f(b.headroom), b.headroom);
            let head = match (
                b.headroom.is_sign_negative() && !b.headroom.is_zero(),
                color,
            ) {
                (true, true) => format!("\x1b[31m{head} ✘ over\x1b[0m"),
                (true, false) => format!("{head} ✘ over"),
                _ => head,
            };
            vec![
                b.budget.clone(),
                b.department.clone(),
                b.window.clone(),
                f(b.amount),
                signed(f(b.draws), b.draws),
                signed(f(b.reallocations), b.reallocations),
                f(b.allowance),
                f(b.spend),
                head,
            ]
        })
        .collect();
    Table {
        header,
        rows,
        right: vec![false, false, false, true, true, true, true, true, true],
    }
}

fn ranked_heading(report: &RunReport) -> String {
    let left = match (report.contingency_left, report.ranked_requests.first()) {
        (Some(l), Some(r)) => format!(
            "; contingency left {}",
            amount(l, &r.unit, decimals_for(&[l], &r.unit))
        ),
        _ => String::new(),
    };
    format!(
        "Requests ranked by return on cost (base scenario), top-objective supporters first{left}"
    )
}

fn ranked_table(report: &RunReport) -> Table {
    let header = [
        "#",
        "request",
        "top objective",
        "cost",
        "return",
        "ROI",
        "running cost",
        "funded",
    ]
    .map(String::from)
    .to_vec();
    let rows = report
        .ranked_requests
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let vals: Vec<_> = [r.cost, r.ret]
                .into_iter()
                .flatten()
                .chain([r.running])
                .collect();
            let dp = decimals_for(&vals, &r.unit);
            let f = |v: Option<rust_decimal::Decimal>| {
                v.map(|v| amount(v, &r.unit, dp))
                    .unwrap_or_else(|| "—".into())
            };
            vec![
                format!("{}", i + 1),
                r.request.clone(),
                if r.top { "yes" } else { "—" }.into(),
                f(r.cost),
                f(r.ret),
                r.roi
                    .map(|x| format!("{}×", x.round_dp(2)))
                    .unwrap_or_else(|| "—".into()),
                f(Some(r.running)),
                if r.funded { "yes" } else { "below the line" }.into(),
            ]
        })
        .collect();
    Table {
        header,
        rows,
        right: vec![true, false, false, true, true, true, true, false],
    }
}

fn triggers_line(sc: &ScenarioReport) -> String {
    sc.triggers
        .iter()
        .map(|t| match &t.fired {
            Some(p) => format!("{} fired {p}", t.name),
            None => format!("{} did not fire", t.name),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn heading(sc: &ScenarioReport) -> String {
    let base = if sc.is_base { " (base)" } else { "" };
    if sc.title.is_empty() {
        format!("Scenario {}{base}", sc.name)
    } else {
        format!("Scenario {}{base}: {}", sc.name, sc.title)
    }
}

/// The footnote for windows marked `*`, when there are any.
fn partial_note(report: &RunReport) -> Option<String> {
    let partial: Vec<&str> = report
        .windows
        .iter()
        .filter(|w| w.partial)
        .map(|w| w.period.as_str())
        .collect();
    if partial.is_empty() {
        return None;
    }
    Some(
        format!(
            "* {} only partly inside the horizon: rolled up over the periods inside it",
            if partial.len() == 1 { "lies" } else { "lie" }
        )
        .replacen("* ", &format!("* {} ", partial.join(", ")), 1),
    )
}

/// Aligned plain-text tables: per scenario the items, the targets and the triggers.
pub fn render_table(report: &RunReport, opts: TableOptions) -> String {
    let mut out = String::new();
    let title = if report.title.is_empty() {
        report.plan.clone()
    } else {
        format!("{} — {}", report.plan, report.title)
    };
    let _ = writeln!(out, "{title}");
    if let Some(note) = partial_note(report) {
        let _ = writeln!(out, "{note}");
    }
    for sc in &report.scenarios {
        let _ = writeln!(out);
        let h = heading(sc);
        if opts.color {
            let _ = writeln!(out, "\x1b[1;36m{h}\x1b[0m");
        } else {
            let _ = writeln!(out, "{h}");
        }
        let _ = writeln!(out);
        items_table(report, sc).text(&mut out, opts.color);
        if !sc.targets.is_empty() {
            let _ = writeln!(out);
            let _ = writeln!(out, "{TARGETS_HEADING}");
            targets_table(sc, opts.color).text(&mut out, opts.color);
        }
        if !sc.requests.is_empty() {
            let _ = writeln!(out);
            let _ = writeln!(out, "{REQUESTS_HEADING}");
            requests_table(sc, opts.color).text(&mut out, opts.color);
        }
        if !sc.budgets.is_empty() {
            let _ = writeln!(out);
            let _ = writeln!(out, "{BUDGETS_HEADING}");
            budgets_table(sc, opts.color).text(&mut out, opts.color);
        }
        if !sc.triggers.is_empty() {
            let _ = writeln!(out);
            let _ = writeln!(out, "Triggers: {}", triggers_line(sc));
        }
    }
    if !report.ranked_requests.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "{}", ranked_heading(report));
        ranked_table(report).text(&mut out, opts.color);
    }
    out
}

/// Markdown tables, ready to paste into a pull-request comment or a doc.
pub fn render_markdown(report: &RunReport) -> String {
    let mut out = String::new();
    let title = if report.title.is_empty() {
        report.plan.clone()
    } else {
        report.title.clone()
    };
    let _ = writeln!(out, "# {title}");
    if let Some(note) = partial_note(report) {
        let _ = writeln!(out);
        let _ = writeln!(out, "{}", note.replace('*', "\\*"));
    }
    for sc in &report.scenarios {
        let _ = writeln!(out);
        let _ = writeln!(out, "## {}", heading(sc));
        let _ = writeln!(out);
        items_table(report, sc).markdown(&mut out);
        if !sc.targets.is_empty() {
            let _ = writeln!(out);
            let _ = writeln!(out, "**{TARGETS_HEADING}**");
            let _ = writeln!(out);
            targets_table(sc, false).markdown(&mut out);
        }
        if !sc.requests.is_empty() {
            let _ = writeln!(out);
            let _ = writeln!(out, "**{REQUESTS_HEADING}**");
            let _ = writeln!(out);
            requests_table(sc, false).markdown(&mut out);
        }
        if !sc.budgets.is_empty() {
            let _ = writeln!(out);
            let _ = writeln!(out, "**{BUDGETS_HEADING}**");
            let _ = writeln!(out);
            budgets_table(sc, false).markdown(&mut out);
        }
        if !sc.triggers.is_empty() {
            let _ = writeln!(out);
            let _ = writeln!(out, "**Triggers:** {}", triggers_line(sc));
        }
    }
    if !report.ranked_requests.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "**{}**", ranked_heading(report));
        let _ = writeln!(out);
        ranked_table(report).markdown(&mut out);
    }
    out
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// CSV, one row per scenario and item, exact values: `scenario,item,unit,<periods…>`.
pub fn render_csv(report: &RunReport) -> String {
    let mut out = String::new();
    let mut header = vec!["scenario".to_string(), "item".into(), "unit".into()];
    header.extend(report.periods.iter().cloned());
    let _ = writeln!(
        out,
        "{}",
        header
            .iter()
            .map(|h| csv_field(h))
            .collect::<Vec<_>>()
            .join(",")
    );
    for sc in &report.scenarios {
        for it in &sc.items {
            let mut row = vec![
                csv_field(&sc.name),
                csv_field(&it.name),
                csv_field(&it.unit.to_string()),
            ];
            row.extend(it.values.iter().map(|v| exact(*v)));
            let _ = writeln!(out, "{}", row.join(","));
        }
    }
    if report.scenarios.iter().any(|sc| !sc.budgets.is_empty()) {
        // A second table: the budgets, exact.
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "scenario,budget,department,window,amount,draws,reallocations,allowance,spend,headroom"
        );
        for sc in &report.scenarios {
            for b in &sc.budgets {
                let mut row = vec![
                    csv_field(&sc.name),
                    csv_field(&b.budget),
                    csv_field(&b.department),
                    csv_field(&b.window),
                ];
                row.extend(
                    [
                        b.amount,
                        b.draws,
                        b.reallocations,
                        b.allowance,
                        b.spend,
                        b.headroom,
                    ]
                    .iter()
                    .map(|v| exact(*v)),
                );
                let _ = writeln!(out, "{}", row.join(","));
            }
        }
    }
    out
}
