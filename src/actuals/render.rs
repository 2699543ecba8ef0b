//! Renderers of the variance report and of an attribution: aligned text tables,
//! Markdown (what a pull-request comment shows), CSV and JSON with exact decimals.

use super::variance::{Attribution, VarianceReport};
use crate::present::{amount, decimals_for, exact, number};
use crate::units::Unit;
use rust_decimal::Decimal;

/// A table: header and rows of cells; `right` marks right-aligned columns.
struct Grid {
    title: String,
    header: Vec<&'static str>,
    right: Vec<bool>,
    rows: Vec<Vec<String>>,
}

impl Grid {
    fn text(&self, out: &mut String) {
        if self.rows.is_empty() {
            return;
        }
        out.push_str(&self.title);
        out.push('\n');
        let n = self.header.len();
        let mut w: Vec<usize> = self.header.iter().map(|h| h.chars().count()).collect();
        for r in &self.rows {
            for (i, c) in r.iter().enumerate().take(n) {
                if let Some(x) = w.get_mut(i) {
                    *x = (*x).max(c.chars().count());
                }
            }
        }
        let line = |cells: &mut dyn Iterator<Item = &str>, out: &mut String| {
            let mut s = String::new();
            for (i, c) in cells.enumerate() {
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
            out.push_str(s.trim_end());
            out.push('\n');
        };
        line(&mut self.header.iter().copied(), out);
        let rule: Vec<String> = w.iter().map(|x| "─".repeat(*x)).collect();
        line(&mut rule.iter().map(String::as_str), out);
        for r in &self.rows {
            line(&mut r.iter().map(String::as_str), out);
        }
        out.push('\n');
    }

    fn markdown(&self, out: &mut String) {
        if self.rows.is_empty() {
            return;
        }
        out.push_str(&format!("### {}\n\n", self.title));
        out.push_str(&format!("| {} |\n", self.header.join(" | ")));
        let align: Vec<&str> = self
            .right
            .iter()
            .map(|r| if *r { "---:" } else { "---" })
            .collect();
        out.push_str(&format!("|{}|\n", align.join("|")));
        for r in &self.rows {
            let cells: Vec<String> = r.iter().map(|c| c.replace('|', "\\|")).collect();
            out.push_str(&format!("| {} |\n", cells.join(" | ")));
        }
        out.push('\n');
    }
}

fn show(v: Decimal, unit: &Unit, dp: u32) -> String {
    amount(v, unit, dp)
}

fn signed(v: Decimal, unit: &Unit, dp: u32) -> String {
    let s = amount(v, unit, dp);
    if v > Decimal::ZERO {
        format!("+{s}")
    } else {
        s
    }
}

fn pct(v: Option<Decimal>) -> String {
    match v {
        Some(p) => {
            let s = number(p, 2);
            if p > Decimal::ZERO {
                format!("+{s}%")
            } else {
                format!("{s}%")
            }
        }
        None => "—".into(),
    }
}

/// The report's tables, in the order they are shown.
fn grids(r: &VarianceReport) -> Vec<Grid> {
    let (items, outlook) = item_grids(r);
    vec![
        items,
        outlook,
        target_grid(r),
        assumption_grid(r),
        maintain_grid(r),
        trigger_grid(r),
        budget_grid(r),
    ]
}

/// Each item's plan against actual per closed period, and over the full horizon
/// its plan against the outlook.
fn item_grids(r: &VarianceReport) -> (Grid, Grid) {
    let mut items = Grid {
        title: "Plan against actuals".into(),
        header: vec!["item", "period", "plan", "actual", "variance", "var %", ""],
        right: vec![false, false, true, true, true, true, false],
        rows: Vec::new(),
    };
    let mut outlook = Grid {
        title: "Full horizon: plan against outlook".into(),
        header: vec!["item", "plan", "outlook", "outlook − plan"],
        right: vec![false, true, true, true],
        rows: Vec::new(),
    };
    for it in &r.items {
        let all: Vec<Decimal> = it
            .periods
            .iter()
            .flat_map(|p| [p.plan, p.actual])
            .chain([it.full_plan, it.outlook])
            .collect();
        let dp = decimals_for(&all, &it.unit).max(if it.unit.factors.is_empty() { 0 } else { 2 });
        for p in &it.periods {
            let label = if p.partial {
                format!("{}*", p.period)
            } else {
                p.period.clone()
            };
            items.rows.push(vec![
                it.name.clone(),
                label,
                show(p.plan, &it.unit, dp),
                show(p.actual, &it.unit, dp),
                signed(p.variance, &it.unit, dp),
                pct(p.variance_pct),
                if p.favourable {
                    "favourable"
                } else {
                    "unfavourable"
                }
                .into(),
            ]);
        }
        outlook.rows.push(vec![
            it.name.clone(),
            show(it.full_plan, &it.unit, dp),
            show(it.outlook, &it.unit, dp),
            signed(it.outlook_variance, &it.unit, dp),
        ]);
    }
    (items, outlook)
}

/// Each target: projected and outlook values, gaps, whether the outlook meets it.
fn target_grid(r: &VarianceReport) -> Grid {
    let mut targets = Grid {
        title: "Targets".into(),
        header: vec![
            "objective",
            "target",
            "projected",
            "outlook",
            "gap",
            "outlook gap",
            "outlook met",
        ],
        right: vec![false, false, true, true, true, true, false],
        rows: Vec::new(),
    };
    for t in &r.targets {
        let o = |v: Option<Decimal>| v.map(|v| show(v, &t.unit, 2)).unwrap_or_else(|| "—".into());
        let g = |v: Option<Decimal>| {
            v.map(|v| signed(v, &t.unit, 2))
                .unwrap_or_else(|| "—".into())
        };
        targets.rows.push(vec![
            t.objective.clone(),
            t.target.clone(),
            o(t.projected),
            o(t.outlook),
            g(t.gap),
            g(t.outlook_gap),
            if t.outlook_met { "yes" } else { "no" }.into(),
        ]);
    }
    targets
}

/// Each assumption's bets: assumed against actual, period by period.
fn assumption_grid(r: &VarianceReport) -> Grid {
    let mut bets = Grid {
        title: "Assumptions: assumed against actual".into(),
        header: vec![
            "assumption",
            "item",
            "period",
            "assumed",
            "actual",
            "status",
        ],
        right: vec![false, false, false, true, true, false],
        rows: Vec::new(),
    };
    for a in &r.assumptions {
        for p in &a.periods {
            let rate = super::checks::rate_like(&a.unit, &[p.assumed, p.actual]);
            let v = |x: Decimal| {
                if rate {
                    format!("{}%", number(x * Decimal::ONE_HUNDRED, 1))
                } else {
                    show(x, &a.unit, decimals_for(&[p.assumed, p.actual], &a.unit))
                }
            };
            bets.rows.push(vec![
                a.assumption.clone(),
                format!("{} ({})", a.item, a.kind),
                p.period.clone(),
                v(p.assumed),
                v(p.actual),
                p.status.into(),
            ]);
        }
    }
    bets
}

/// Each assumption's `maintain` conditions on actuals: held, or where they broke.
fn maintain_grid(r: &VarianceReport) -> Grid {
    let mut maintains = Grid {
        title: "Maintains on actuals".into(),
        header: vec!["assumption", "condition", "status"],
        right: vec![false, false, false],
        rows: Vec::new(),
    };
    for m in &r.maintains {
        let status = match (&m.broken_in, m.left, m.right) {
            (Some(p), Some(l), Some(rt)) => format!(
                "broken in {p}: {} against {}",
                show(l, &m.unit, 2),
                show(rt, &m.unit, 2)
            ),
            _ => "held".into(),
        };
        maintains
            .rows
            .push(vec![m.assumption.clone(), m.condition.clone(), status]);
    }
    maintains
}

/// The triggers that fired on actuals, against when they fire in the plan.
fn trigger_grid(r: &VarianceReport) -> Grid {
    let mut triggers = Grid {
        title: "Triggers fired on actuals".into(),
        header: vec!["trigger", "fired", "in the plan", "playbook"],
        right: vec![false, false, false, false],
        rows: Vec::new(),
    };
    for t in &r.triggers {
        triggers.rows.push(vec![
            t.trigger.clone(),
            t.fired.clone(),
            t.fired_in_plan.clone().unwrap_or_else(|| "never".into()),
            t.actions.join(", "),
        ]);
    }
    triggers
}

/// Each budget: allowance, actual to date, outlook, remaining, contingency used.
fn budget_grid(r: &VarianceReport) -> Grid {
    let mut budgets = Grid {
        title: "Budgets against actuals".into(),
        header: vec![
            "budget",
            "department",
            "window",
            "allowance",
            "actual to date",
            "outlook",
            "remaining",
            "contingency used",
        ],
        right: vec![false, false, false, true, true, true, true, true],
        rows: Vec::new(),
    };
    for b in &r.budgets {
        let dp = decimals_for(
            &[b.allowance, b.actual_to_date, b.outlook, b.contingency_used],
            &b.unit,
        );
        budgets.rows.push(vec![
            b.budget.clone(),
            b.department.clone(),
            b.window.clone(),
            show(b.allowance, &b.unit, dp),
            show(b.actual_to_date, &b.unit, dp),
            show(b.outlook, &b.unit, dp),
            show(b.remaining, &b.unit, dp),
            show(b.contingency_used, &b.unit, dp),
        ]);
    }
    budgets
}

fn heading(r: &VarianceReport) -> String {
    format!(
        "Variance of {} (scenario {}), actuals through {}",
        r.plan,
        r.scenario,
        r.actuals_through.as_deref().unwrap_or("— (nothing closed)")
    )
}

/// Aligned text tables.
pub fn table(r: &VarianceReport) -> String {
    let mut out = heading(r);
    out.push_str("\n\n");
    for g in grids(r) {
        g.text(&mut out);
    }
    if r.items.iter().any(|i| i.periods.iter().any(|p| p.partial)) {
        out.push_str("* to date: the window is not wholly closed\n");
    }
    out
}

/// Markdown, for a pull-request comment.
pub fn markdown(r: &VarianceReport) -> String {
    let mut out = format!("## {}\n\n", heading(r));
    for g in grids(r) {
        g.markdown(&mut out);
    }
    out
}

/// CSV with exact values: one row per item and period, then one `outlook` row
/// per item (plan and outlook of the full horizon); then, after a blank line, a
/// second table with one row per budget, department and window.
pub fn csv(r: &VarianceReport) -> String {
    let mut out =
        String::from("scenario,item,unit,period,plan,actual,variance,variance_pct,favourable\n");
    let q = |s: &str| {
        if s.contains([',', '"', '\n']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    };
    for it in &r.items {
        let unit = q(&it.unit.to_string());
        for p in &it.periods {
            out.push_str(&format!(
                "{},{},{unit},{},{},{},{},{},{}\n",
                q(&r.scenario),
                q(&it.name),
                p.period,
                exact(p.plan),
                exact(p.actual),
                exact(p.variance),
                p.variance_pct.map(exact).unwrap_or_default(),
                if p.favourable {
                    "favourable"
                } else {
                    "unfavourable"
                }
            ));
        }
        out.push_str(&format!(
            "{},{},{unit},outlook,{},{},{},,\n",
            q(&r.scenario),
            q(&it.name),
            exact(it.full_plan),
            exact(it.outlook),
            exact(it.outlook_variance),
        ));
    }
    if !r.budgets.is_empty() {
        out.push_str(
            "\nscenario,budget,department,window,unit,allowance,actual_to_date,outlook,remaining,contingency_used\n",
        );
        for b in &r.budgets {
            out.push_str(&format!(
                "{},{},{},{},{},{},{},{},{},{}\n",
                q(&r.scenario),
                q(&b.budget),
                q(&b.department),
                q(&b.window),
                q(&b.unit.to_string()),
                exact(b.allowance),
                exact(b.actual_to_date),
                exact(b.outlook),
                exact(b.remaining),
                exact(b.contingency_used),
            ));
        }
    }
    out
}

/// JSON with exact decimal strings.
pub fn json(r: &VarianceReport) -> String {
    serde_json::to_string_pretty(r).unwrap_or_default()
}

/// An attribution as text.
pub fn attribution_text(a: &Attribution) -> String {
    let dp = decimals_for(&[a.plan, a.actual], &a.unit).max(2);
    let mut out = format!(
        "{} over {}: plan {}, actual {}, variance {}\n",
        a.item,
        a.window,
        show(a.plan, &a.unit, dp),
        show(a.actual, &a.unit, dp),
        signed(a.variance, &a.unit, dp)
    );
    out.push_str(&format!(
        "  the model on actual inputs: {}\n",
        show(a.model, &a.unit, dp)
    ));
    let mut g = Grid {
        title: "Why the gap exists".into(),
        header: vec!["input", "kind", "plan", "actual", "contribution"],
        right: vec![false, false, true, true, true],
        rows: Vec::new(),
    };
    for c in &a.contributions {
        let cdp = decimals_for(&[c.plan, c.actual], &c.unit);
        g.rows.push(vec![
            c.name.clone(),
            c.kind.into(),
            show(c.plan, &c.unit, cdp),
            show(c.actual, &c.unit, cdp),
            signed(c.contribution, &a.unit, dp),
        ]);
    }
    g.rows.push(vec![
        "unexplained".into(),
        String::new(),
        String::new(),
        String::new(),
        signed(a.unexplained, &a.unit, dp),
    ]);
    if !a.rounding.is_zero() {
        g.rows.push(vec![
            "rounding".into(),
            String::new(),
            String::new(),
            String::new(),
            exact(a.rounding),
        ]);
    }
    out.push('\n');
    g.text(&mut out);
    if a.timing {
        out.push_str(
            "timing: the window's total is within 1% of plan while some of its periods are not\n",
        );
    }
    out
}

/// An attribution as JSON.
pub fn attribution_json(a: &Attribution) -> String {
    serde_json::to_string_pretty(a).unwrap_or_default()
}
