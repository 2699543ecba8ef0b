//! `plumb report`: the static site of REPORTS.md §1, built in memory.
//!
//! [`build_site`] takes the plan, its evaluated results, target and request
//! outcomes and the assumptions' statuses ([`SiteInput`]) and gives back the pages
//! ([`Page`]: a relative path and its HTML) — `index.html` for the company,
//! `department/NAME.html` and `role/NAME.html` for each owner. The caller writes
//! them. Capabilities a plan may not have (actuals, ranges, budgets, dimension
//! members) come in [`Extras`], each an `Option`: a section is rendered only when
//! its data is present and non-empty, so no page shows an empty section.
//!
//! Pages are self-contained (inline CSS and SVG from [`super::svg`], no script,
//! nothing fetched), deterministic (no clock, no hash order) and readable without
//! colour: every status is also a word.

use super::svg::{self, BulletRow, LineChart, Series, TimelineRow, TornadoBar};
use super::window::window_value;
use super::{format, period_groups, By};
use crate::check::objectives::TargetOutcome;
use crate::check::requests::RequestOutcome;
use crate::diagnostic::{Diagnostic, Severity};
use crate::eval::Results;
use crate::ir::{Party, Plan};
use crate::syntax::ast::Aggregation;
use crate::units::{currency_symbol, Unit};
use rust_decimal::prelude::*;
use std::fmt::Write;

/// One generated page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// Path relative to the output directory (`index.html`, `department/sales.html`).
    pub path: String,
    /// The whole HTML document.
    pub html: String,
}

/// What an assumption's check says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssumptionStatus {
    /// The model agrees with the bet or the counterbalance holds.
    Holds,
    /// The model disagrees, or a counterbalance fails in some scenario.
    Broken,
    /// With actuals: the bet is where it should be by the as-of period.
    OnTrack,
    /// With actuals: the bet lags its path.
    Behind,
}

impl AssumptionStatus {
    /// The status in words.
    pub fn as_str(self) -> &'static str {
        match self {
            AssumptionStatus::Holds => "holds",
            AssumptionStatus::Broken => "broken",
            AssumptionStatus::OnTrack => "on track",
            AssumptionStatus::Behind => "behind",
        }
    }

    fn good(self) -> bool {
        matches!(self, AssumptionStatus::Holds | AssumptionStatus::OnTrack)
    }
}

/// Per assumption (in [`Plan::assumptions`] order): broken when an error
/// diagnostic points inside it (a bet the model disagrees with, a failed
/// `maintain`), holds otherwise.
pub fn assumption_statuses(plan: &Plan, diagnostics: &[Diagnostic]) -> Vec<AssumptionStatus> {
    plan.assumptions
        .iter()
        .map(|a| {
            let broken = diagnostics.iter().any(|d| {
                d.severity == Severity::Error
                    && d.primary.span.file == a.span.file
                    && d.primary.span.start >= a.span.start
                    && d.primary.span.end <= a.span.end
            });
            if broken {
                AssumptionStatus::Broken
            } else {
                AssumptionStatus::Holds
            }
        })
        .collect()
}

/// A target's figures beyond the plan's projection, known with actuals or
/// ranges.
#[derive(Debug, Clone, Default)]
pub struct TargetExtra {
    /// Scenario index.
    pub scenario: usize,
    /// Objective index.
    pub objective: usize,
    /// Target index within the objective.
    pub target: usize,
    /// Actual to date.
    pub actual_to_date: Option<Decimal>,
    /// Actuals to date plus forecast.
    pub outlook: Option<Decimal>,
    /// P10 and P90 of the target's value.
    pub band: Option<(Decimal, Decimal)>,
    /// Probability that the target is met (0–1).
    pub probability: Option<Decimal>,
}

/// P10–P90 of one item in one scenario, per period.
#[derive(Debug, Clone)]
pub struct ItemBand {
    /// Scenario index.
    pub scenario: usize,
    /// Item index.
    pub item: usize,
    /// P10 per period.
    pub low: Vec<Decimal>,
    /// P90 per period.
    pub high: Vec<Decimal>,
}

/// A waterfall from plan to outlook for a top objective's item (ACTUALS.md §4).
#[derive(Debug, Clone)]
pub struct WaterfallData {
    /// The objective it belongs to.
    pub objective: usize,
    /// Chart title.
    pub title: String,
    /// Unit of the values.
    pub unit: Unit,
    /// The starting total (`plan`, value).
    pub start: (String, Decimal),
    /// The variance split, in order.
    pub steps: Vec<(String, Decimal)>,
    /// The end total's label (`outlook`).
    pub end_label: String,
}

/// A tornado for a top target when drivers have ranges.
#[derive(Debug, Clone)]
pub struct TornadoData {
    /// The objective it belongs to.
    pub objective: usize,
    /// Chart title.
    pub title: String,
    /// Unit of the values.
    pub unit: Unit,
    /// The target's value with every driver at its plan value.
    pub base: Decimal,
    /// One bar per driver with a range.
    pub bars: Vec<TornadoBar>,
}

/// One department's budget line.
#[derive(Debug, Clone)]
pub struct BudgetLine {
    /// Department index.
    pub department: usize,
    /// Unit of the amounts.
    pub unit: Unit,
    /// The allowance.
    pub allowance: Decimal,
    /// What the plan spends.
    pub planned: Decimal,
    /// Spent to date, with actuals.
    pub actual: Option<Decimal>,
    /// Allowance left.
    pub remaining: Decimal,
}

/// The members of a dimensioned item in one scenario, per period.
#[derive(Debug, Clone)]
pub struct MemberRows {
    /// Scenario index.
    pub scenario: usize,
    /// Item index.
    pub item: usize,
    /// Member name and its values per period.
    pub members: Vec<(String, Vec<Decimal>)>,
}

/// An item's actual values in one scenario, with actuals.
#[derive(Debug, Clone)]
pub struct ItemActuals {
    /// Scenario index.
    pub scenario: usize,
    /// Item index.
    pub item: usize,
    /// One entry per period of the horizon, None where there is no actual.
    pub values: Vec<Option<Decimal>>,
    /// True when lower is better (`favourable lower`, or bounded with `<=`).
    pub favourable_lower: bool,
}

/// Data from capabilities a plan may or may not use. Every field is optional;
/// `Extras::default()` is a plan with none of them.
#[derive(Debug, Clone, Default)]
pub struct Extras {
    /// The last period with actuals (index): line charts are solid up to it and
    /// dashed after, with a marker; the results then hold actuals to it.
    pub as_of: Option<usize>,
    /// Actual to date, outlook, P10–P90 and probability per target.
    pub targets: Option<Vec<TargetExtra>>,
    /// P10–P90 bands of items.
    pub bands: Option<Vec<ItemBand>>,
    /// Waterfalls from plan to outlook.
    pub waterfalls: Option<Vec<WaterfallData>>,
    /// Tornadoes per top target.
    pub tornadoes: Option<Vec<TornadoData>>,
    /// Budgets by department.
    pub budgets: Option<Vec<BudgetLine>>,
    /// Dimension members of items.
    pub members: Option<Vec<MemberRows>>,
    /// What made a trigger fire, per (scenario, trigger): `plan` or `actuals`
    /// (default `plan`).
    pub trigger_sources: Option<Vec<(usize, usize, String)>>,
    /// Actual values of items (the workbook's Actuals and Variance sheets).
    pub actuals: Option<Vec<ItemActuals>>,
}

/// Everything [`build_site`] reads.
#[derive(Debug, Clone, Copy)]
pub struct SiteInput<'a> {
    /// The plan.
    pub plan: &'a Plan,
    /// Its evaluated scenarios.
    pub results: &'a Results,
    /// Target outcomes per scenario index.
    pub targets: &'a [(usize, Vec<TargetOutcome>)],
    /// Request outcomes per scenario index.
    pub requests: &'a [(usize, Vec<RequestOutcome>)],
    /// One status per assumption (see [`assumption_statuses`]).
    pub assumptions: &'a [AssumptionStatus],
    /// Optional capabilities.
    pub extras: &'a Extras,
}

/// Escapes text for HTML and SVG.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A number short enough for a chart: `63.7M`, `85K`, `137`, `0.22`.
fn short(v: Decimal) -> String {
    let a = v.abs();
    let (div, suffix) = if a >= Decimal::from(1_000_000_000) {
        (Decimal::from(1_000_000_000), "B")
    } else if a >= Decimal::from(1_000_000) {
        (Decimal::from(1_000_000), "M")
    } else if a >= Decimal::from(10_000) {
        (Decimal::from(1_000), "K")
    } else {
        (Decimal::ONE, "")
    };
    let scaled = v.checked_div(div).unwrap_or(v);
    let dp = if !suffix.is_empty() {
        1
    } else if a >= Decimal::from(100) {
        0
    } else {
        2
    };
    let mut s = format::number(scaled, dp);
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    if s == "-0" {
        s = "0".into();
    }
    format!("{s}{suffix}")
}

fn money_short(v: Decimal, code: &str) -> String {
    match currency_symbol(code) {
        Some(sym) => {
            let n = short(v.abs());
            let neg = v.is_sign_negative() && n != "0";
            format!("{}{sym}{n}", if neg { "-" } else { "" })
        }
        None => format!("{} {code}", short(v)),
    }
}

/// A value with its unit, rounded for a chart or a headline: `$63.7M`, `24.4%`,
/// `137 fte`, `$85K/deal`. Exact values go in data tables.
pub fn compact(v: Decimal, unit: &Unit) -> String {
    if unit.factors.is_empty() {
        if unit.percent {
            return format::amount(v, unit, 1);
        }
        return short(v);
    }
    if let Some(code) = unit.currency() {
        return money_short(v, code);
    }
    if let Some((code, rest)) = unit.currency_per() {
        let inv = Unit::dimensionless().div(&rest);
        return format!("{}/{}", money_short(v, code), inv);
    }
    format!("{} {}", short(v), unit)
}

/// An axis label: [`compact`] for money and percentages (without the `/deal`
/// of a rate), the bare number otherwise (the chart's caption gives the unit).
pub fn axis_label(v: Decimal, unit: &Unit) -> String {
    if unit.factors.is_empty() {
        return compact(v, unit);
    }
    if let Some(code) = unit.currency() {
        return money_short(v, code);
    }
    if let Some((code, _)) = unit.currency_per() {
        return money_short(v, code);
    }
    short(v)
}

/// Builds every page of the site, index first, then departments and roles in
/// declaration order.
pub fn build_site(input: &SiteInput) -> Vec<Page> {
    let plan = input.plan;
    let mut pages = vec![Page {
        path: "index.html".into(),
        html: index_page(input),
    }];
    for (i, d) in plan.departments.iter().enumerate() {
        pages.push(Page {
            path: format!("department/{}.html", d.name),
            html: owner_page(input, Party::Department(i)),
        });
    }
    for (i, r) in plan.roles.iter().enumerate() {
        pages.push(Page {
            path: format!("role/{}.html", r.name),
            html: owner_page(input, Party::Role(i)),
        });
    }
    pages
}

const CSS: &str = include_str!("site.css");

/// Opens a page: head with inline CSS, the navigation, the header.
fn head(input: &SiteInput, title: &str, root: &str, subtitle: &str) -> String {
    let plan = input.plan;
    let mut out = String::with_capacity(64 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} · {}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<nav aria-label=\"Pages\">\
         <a href=\"{root}index.html\">Company</a>",
        esc(title),
        esc(&plan.title)
    );
    if !plan.departments.is_empty() {
        out.push_str(" <span class=\"navgroup\">Departments:</span>");
        for d in &plan.departments {
            let _ = write!(
                out,
                " <a href=\"{root}department/{}.html\">{}</a>",
                esc(&d.name),
                esc(&d.title)
            );
        }
    }
    if !plan.roles.is_empty() {
        out.push_str(" <span class=\"navgroup\">Roles:</span>");
        for r in &plan.roles {
            let _ = write!(
                out,
                " <a href=\"{root}role/{}.html\">{}</a>",
                esc(&r.name),
                esc(&r.title)
            );
        }
    }
    let labels = plan.period_labels();
    let horizon = format!(
        "{} – {} ({} months)",
        labels.first().map(String::as_str).unwrap_or(""),
        labels.last().map(String::as_str).unwrap_or(""),
        plan.len
    );
    let as_of = match input.extras.as_of {
        Some(a) => format!(
            " · actuals to {}",
            esc(labels.get(a).map(String::as_str).unwrap_or(""))
        ),
        None => " · plan only, no actuals".into(),
    };
    let scenarios: Vec<String> = input
        .results
        .scenarios
        .iter()
        .filter_map(|r| {
            let s = plan.scenarios.get(r.scenario)?;
            Some(if r.scenario == plan.base {
                format!("{} (base)", esc(&s.name))
            } else {
                esc(&s.name)
            })
        })
        .collect();
    let _ = write!(
        out,
        "</nav>\n<header>\n<h1>{}</h1>\n<p class=\"sub\">{}</p>\n<p class=\"meta\">Plan <code>{}</code> · {}{as_of} · scenarios: {}</p>\n</header>\n<main>\n",
        esc(title),
        esc(subtitle),
        esc(&plan.name),
        esc(&horizon),
        scenarios.join(", ")
    );
    out
}

fn foot(out: &mut String, plan: &Plan) {
    let _ = write!(
        out,
        "</main>\n<footer>Generated by Plumb from plan <code>{}</code>. Charts round for \
         reading; the data tables under them hold the exact values.</footer>\n</body>\n</html>\n",
        esc(&plan.name)
    );
}

fn index_page(input: &SiteInput) -> String {
    let plan = input.plan;
    let mut out = head(input, &plan.title, "", "Company view");
    let all: Vec<usize> = (0..plan.objectives.len()).collect();
    objectives_section(&mut out, input, &all, "Objectives and targets");
    let top: Vec<usize> = crate::check::objectives::cascade_order(plan)
        .into_iter()
        .filter(|(_, depth)| *depth == 0)
        .map(|(o, _)| o)
        .collect();
    let mut items = Vec::new();
    for o in &top {
        if let Some(ob) = plan.objectives.get(*o) {
            for t in &ob.targets {
                for i in t.expr.items() {
                    if !items.contains(&i) {
                        items.push(i);
                    }
                }
            }
        }
    }
    charts_section(
        &mut out,
        input,
        &items,
        "Top objectives' drivers and metrics",
    );
    extras_charts(&mut out, input, &top);
    triggers_section(&mut out, input);
    let all_a: Vec<usize> = (0..plan.assumptions.len()).collect();
    assumptions_section(&mut out, input, &all_a);
    let all_r: Vec<usize> = (0..plan.requests.len()).collect();
    requests_section(&mut out, input, &all_r);
    budgets_section(&mut out, input, None);
    raci_section(&mut out, input, None);
    risks_section(&mut out, input, None);
    foot(&mut out, plan);
    out
}

fn owns(owner: Option<Party>, p: Party) -> bool {
    owner == Some(p)
}

fn owner_page(input: &SiteInput, party: Party) -> String {
    let plan = input.plan;
    let (title, subtitle) = match party {
        Party::Department(d) => {
            let dep = plan.departments.get(d);
            let lead = dep
                .and_then(|x| x.lead.clone())
                .map(|l| format!(" · led by {l}"))
                .unwrap_or_default();
            let roles: Vec<&str> = plan
                .roles
                .iter()
                .filter(|r| r.department == Some(d))
                .map(|r| r.title.as_str())
                .collect();
            let roles = if roles.is_empty() {
                String::new()
            } else {
                format!(" · roles: {}", roles.join(", "))
            };
            (
                dep.map(|x| x.title.clone()).unwrap_or_default(),
                format!("Department{lead}{roles}"),
            )
        }
        Party::Role(r) => {
            let role = plan.roles.get(r);
            let dep = role
                .and_then(|x| x.department)
                .and_then(|d| plan.departments.get(d))
                .map(|d| format!(" in {}", d.title))
                .unwrap_or_default();
            (
                role.map(|x| x.title.clone()).unwrap_or_default(),
                format!("Role{dep}"),
            )
        }
    };
    let mut out = head(input, &title, "../", &subtitle);
    let objs: Vec<usize> = (0..plan.objectives.len())
        .filter(|o| {
            plan.objectives
                .get(*o)
                .is_some_and(|x| owns(x.owner, party))
        })
        .collect();
    let items: Vec<usize> = (0..plan.items.len())
        .filter(|i| plan.items.get(*i).is_some_and(|x| owns(x.owner, party)))
        .collect();
    let before = out.len();
    objectives_section(
        &mut out,
        input,
        &objs,
        "Objectives and how they support the top ones",
    );
    charts_section(&mut out, input, &items, "Drivers and metrics owned");
    let asm: Vec<usize> = (0..plan.assumptions.len())
        .filter(|a| {
            plan.assumptions
                .get(*a)
                .is_some_and(|x| owns(x.owner, party))
        })
        .collect();
    assumptions_section(&mut out, input, &asm);
    let reqs: Vec<usize> = match party {
        Party::Department(d) => (0..plan.requests.len())
            .filter(|r| plan.requests.get(*r).is_some_and(|x| x.from == Some(d)))
            .collect(),
        Party::Role(_) => (0..plan.requests.len())
            .filter(|r| {
                plan.requests
                    .get(*r)
                    .is_some_and(|x| x.approved_by.contains(&party))
            })
            .collect(),
    };
    requests_section(&mut out, input, &reqs);
    if let Party::Department(d) = party {
        budgets_section(&mut out, input, Some(d));
    }
    raci_section(&mut out, input, Some(party));
    risks_section(&mut out, input, Some(party));
    if out.len() == before {
        out.push_str("<p class=\"quiet\">Nothing in the plan is owned by or assigned to this owner yet.</p>\n");
    }
    foot(&mut out, plan);
    out
}

/// The scenario's name.
fn scenario_name(plan: &Plan, s: usize) -> &str {
    plan.scenarios
        .get(s)
        .map(|x| x.name.as_str())
        .unwrap_or("?")
}

fn target_extra<'a>(
    input: &SiteInput<'a>,
    s: usize,
    o: usize,
    t: usize,
) -> Option<&'a TargetExtra> {
    input
        .extras
        .targets
        .as_ref()?
        .iter()
        .find(|x| x.scenario == s && x.objective == o && x.target == t)
}

fn opt_exact(v: Option<Decimal>) -> String {
    v.map(format::exact).unwrap_or_else(|| "—".into())
}

fn opt_compact(v: Option<Decimal>, unit: &Unit) -> String {
    v.map(|x| compact(x, unit)).unwrap_or_else(|| "—".into())
}

/// Objectives (in cascade order, among `objs`) with a bullet chart per target
/// and its data table.
fn objectives_section(out: &mut String, input: &SiteInput, objs: &[usize], heading: &str) {
    let plan = input.plan;
    if objs.is_empty() {
        return;
    }
    let order = crate::check::objectives::cascade_order(plan);
    let _ = write!(
        out,
        "<section id=\"objectives\">\n<h2>{}</h2>\n",
        esc(heading)
    );
    for (o, depth) in order.iter().filter(|(o, _)| objs.contains(o)) {
        let Some(ob) = plan.objectives.get(*o) else {
            continue;
        };
        let owner = ob
            .owner
            .map(|p| format!(" · owner {}", esc(plan.party_name(p))))
            .unwrap_or_default();
        let chain = support_chain(plan, *o);
        let _ = write!(
            out,
            "<article class=\"objective depth{}\" id=\"objective-{}\">\n<h3>{}</h3>\n<p class=\"meta\"><code>{}</code>{owner}{}</p>\n",
            (*depth).min(4),
            esc(&ob.name),
            esc(&ob.title),
            esc(&ob.name),
            if chain.is_empty() {
                String::new()
            } else {
                format!(" · supports {}", esc(&chain.join(" → ")))
            }
        );
        for (ti, t) in ob.targets.iter().enumerate() {
            target_block(out, input, *o, ti, &t.text);
        }
        out.push_str("</article>\n");
    }
    out.push_str("</section>\n");
}

/// `new_logos` → [`revenue_65m`]: the objectives this one supports, up the
/// cascade (first parent at each step, bounded by the number of objectives).
fn support_chain(plan: &Plan, o: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = o;
    for _ in 0..plan.objectives.len() {
        let Some(p) = plan.objectives.get(cur).and_then(|x| x.supports.first()) else {
            break;
        };
        let Some(po) = plan.objectives.get(*p) else {
            break;
        };
        if out.contains(&po.name) {
            break;
        }
        out.push(po.name.clone());
        cur = *p;
    }
    out
}

fn target_block(out: &mut String, input: &SiteInput, o: usize, ti: usize, text: &str) {
    let plan = input.plan;
    let mut rows = Vec::new();
    let mut table = String::new();
    let mut unit = Unit::dimensionless();
    for (s, outcomes) in input.targets {
        let Some(to) = outcomes.iter().find(|x| x.objective == o && x.target == ti) else {
            continue;
        };
        unit = to.unit.clone();
        let ex = target_extra(input, *s, o, ti);
        let shown = ex.and_then(|e| e.outlook).or(to.projected);
        let word = if to.met { "met" } else { "missed" };
        if let (Some(v), Some(th)) = (shown, to.threshold) {
            rows.push(BulletRow {
                label: scenario_name(plan, *s).to_string(),
                value: v,
                threshold: th,
                met: to.met,
                actual: ex.and_then(|e| e.actual_to_date),
                band: ex.and_then(|e| e.band),
                probability: ex.and_then(|e| e.probability),
            });
        }
        let sname = scenario_name(plan, *s);
        let _ = writeln!(
            table,
            "<tr data-objective=\"{}\" data-target=\"{ti}\" data-scenario=\"{}\"><th scope=\"row\">{}</th>\
             <td class=\"num\" data-field=\"projected\" title=\"{}\">{}</td>\
             <td class=\"num\" data-field=\"threshold\" title=\"{}\">{}</td>\
             <td class=\"num\" data-field=\"gap\" title=\"{}\">{}</td>\
             <td class=\"{word}\" data-field=\"met\">{word}</td>{}</tr>",
            esc(&plan.objectives.get(o).map(|x| x.name.clone()).unwrap_or_default()),
            esc(sname),
            esc(sname),
            esc(&opt_compact(to.projected, &to.unit)),
            opt_exact(to.projected),
            esc(&opt_compact(to.threshold, &to.unit)),
            opt_exact(to.threshold),
            esc(&to.gap.map(|g| svg::signed(g, &to.unit)).unwrap_or_else(|| "—".into())),
            opt_exact(to.gap),
            extra_cells(ex, &to.unit)
        );
    }
    if table.is_empty() {
        return;
    }
    let period = input
        .targets
        .iter()
        .flat_map(|(_, v)| v.iter())
        .find(|x| x.objective == o && x.target == ti)
        .and_then(|x| x.period)
        .map(|p| format!(" (shown for {})", plan.period_label(p)))
        .unwrap_or_default();
    let _ = write!(
        out,
        "<figure class=\"target\">\n<figcaption><code>{}</code>{}</figcaption>\n",
        esc(text),
        esc(&period)
    );
    if !rows.is_empty() {
        out.push_str(&svg::bullet(text, &unit, &rows));
    }
    let has_extra = target_extra_any(input, o, ti);
    let _ = write!(
        out,
        "\n<details><summary>Exact values</summary><div class=\"scroll\"><table class=\"targets\">\
         <thead><tr><th scope=\"col\">Scenario</th><th scope=\"col\">Projected</th><th scope=\"col\">Threshold</th>\
         <th scope=\"col\">Gap</th><th scope=\"col\">Status</th>{}</tr></thead><tbody>\n{table}</tbody></table></div>\
         <p class=\"note\">Exact decimals, as <code>plumb run --format json</code> gives them ({}); the chart rounds.</p></details>\n</figure>\n",
        if has_extra {
            "<th scope=\"col\">Actual to date</th><th scope=\"col\">Outlook</th><th scope=\"col\">P10–P90</th><th scope=\"col\">Probability</th>"
        } else {
            ""
        },
        esc(&unit.to_string())
    );
}

fn target_extra_any(input: &SiteInput, o: usize, ti: usize) -> bool {
    input
        .extras
        .targets
        .as_ref()
        .is_some_and(|v| v.iter().any(|x| x.objective == o && x.target == ti))
}

fn extra_cells(ex: Option<&TargetExtra>, unit: &Unit) -> String {
    let Some(e) = ex else {
        return String::new();
    };
    let band = e
        .band
        .map(|(l, h)| format!("{} – {}", format::exact(l), format::exact(h)))
        .unwrap_or_else(|| "—".into());
    let prob = e
        .probability
        .map(|p| format::amount(p, &Unit::percent(), 1))
        .unwrap_or_else(|| "—".into());
    format!(
        "<td class=\"num\" title=\"{}\">{}</td><td class=\"num\" title=\"{}\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>",
        opt_exact(e.actual_to_date),
        esc(&opt_compact(e.actual_to_date, unit)),
        opt_exact(e.outlook),
        esc(&opt_compact(e.outlook, unit)),
        esc(&band),
        esc(&prob)
    )
}

/// The threshold of a target that bounds `item` period by period: a target on
/// this item alone, per period or over a stock or average.
fn threshold_for(input: &SiteInput, item: usize) -> Option<(Decimal, String)> {
    let plan = input.plan;
    let it = plan.items.get(item)?;
    for (o, ob) in plan.objectives.iter().enumerate() {
        for (ti, t) in ob.targets.iter().enumerate() {
            let refs = t.expr.items();
            if refs.is_empty() || refs.iter().any(|r| *r != item) {
                continue;
            }
            let outcome = input
                .targets
                .iter()
                .find(|(s, _)| *s == plan.base)
                .and_then(|(_, v)| v.iter().find(|x| x.objective == o && x.target == ti));
            let Some(out) = outcome else { continue };
            if out.period.is_some() || it.aggregation != Aggregation::Flow {
                if let Some(th) = out.threshold {
                    return Some((th, format!("target: {}", t.text)));
                }
            }
        }
    }
    None
}

/// A line chart per item with its data table (periods by scenario, then the
/// quarter and year windows).
fn charts_section(out: &mut String, input: &SiteInput, items: &[usize], heading: &str) {
    let plan = input.plan;
    if items.is_empty() || input.results.scenarios.is_empty() {
        return;
    }
    let labels = plan.period_labels();
    let _ = write!(
        out,
        "<section id=\"charts\">\n<h2>{}</h2>\n<div class=\"grid\">\n",
        esc(heading)
    );
    for &i in items {
        let Some(it) = plan.items.get(i) else {
            continue;
        };
        let series: Vec<Series> = input
            .results
            .scenarios
            .iter()
            .map(|r| Series {
                name: scenario_name(plan, r.scenario).to_string(),
                values: r.values.get(i).cloned().unwrap_or_default(),
            })
            .collect();
        let band = input.extras.bands.as_ref().and_then(|b| {
            b.iter()
                .find(|x| x.item == i && x.scenario == plan.base)
                .map(|x| svg::Band {
                    label: format!("P10–P90 ({})", scenario_name(plan, plan.base)),
                    low: x.low.clone(),
                    high: x.high.clone(),
                })
        });
        let chart = svg::line_chart(&LineChart {
            title: format!("{} ({})", it.name, it.unit),
            unit: &it.unit,
            labels: &labels,
            series,
            band,
            threshold: threshold_for(input, i),
            as_of: input.extras.as_of,
        });
        let doc = it
            .doc
            .as_ref()
            .map(|d| format!("<p class=\"doc\">{}</p>", esc(d)))
            .unwrap_or_default();
        let owner = it
            .owner
            .map(|p| format!(" · owner {}", esc(plan.party_name(p))))
            .unwrap_or_default();
        let _ = write!(
            out,
            "<figure class=\"item\" id=\"item-{}\">\n<figcaption><code>{}</code> {} · {}{owner}</figcaption>{doc}\n{chart}\n",
            esc(&it.name),
            esc(&it.name),
            it.kind.as_str(),
            esc(&it.unit.to_string()),
        );
        item_table(out, input, i);
        members_table(out, input, i);
        out.push_str("</figure>\n");
    }
    out.push_str("</div>\n</section>\n");
}

fn item_table(out: &mut String, input: &SiteInput, i: usize) {
    let plan = input.plan;
    let Some(it) = plan.items.get(i) else {
        return;
    };
    let mut head = String::from("<th scope=\"col\">Period</th>");
    for r in &input.results.scenarios {
        let _ = write!(
            head,
            "<th scope=\"col\">{}</th>",
            esc(scenario_name(plan, r.scenario))
        );
    }
    let mut body = String::new();
    let mut groups = period_groups(plan, By::Month);
    if plan.len > 3 {
        groups.extend(period_groups(plan, By::Quarter));
    }
    if plan.len > 12 || plan.len > 3 {
        groups.extend(period_groups(plan, By::Year));
    }
    for g in groups {
        let _ = write!(body, "<tr><th scope=\"row\">{}</th>", esc(&g.label));
        for r in &input.results.scenarios {
            match window_value(plan, &r.values, i, g.range.clone()) {
                Some(v) => {
                    let _ = write!(
                        body,
                        "<td class=\"num\" title=\"{}\">{}</td>",
                        esc(&compact(v, &it.unit)),
                        format::exact(v)
                    );
                }
                None => body.push_str("<td class=\"num\">—</td>"),
            }
        }
        body.push_str("</tr>\n");
    }
    let agg = match crate::eval::window::effective_rollup(plan, i) {
        Aggregation::Flow => "quarters and years sum the months",
        Aggregation::Stock => "quarters and years take the last month",
        Aggregation::Average => "quarters and years average the months",
        Aggregation::Formula => "quarters and years apply the formula to its operands' roll-ups",
    };
    let _ = write!(
        out,
        "<details><summary>Data: {} ({}), exact; {agg}</summary><div class=\"scroll\"><table>\
         <thead><tr>{head}</tr></thead><tbody>\n{body}</tbody></table></div></details>\n",
        esc(&it.name),
        esc(&it.unit.to_string())
    );
}

fn members_table(out: &mut String, input: &SiteInput, i: usize) {
    let plan = input.plan;
    let Some(rows) = input.extras.members.as_ref() else {
        return;
    };
    let labels = plan.period_labels();
    for m in rows.iter().filter(|m| m.item == i && !m.members.is_empty()) {
        let mut head = String::from("<th scope=\"col\">Member</th>");
        for l in &labels {
            let _ = write!(head, "<th scope=\"col\">{}</th>", esc(l));
        }
        let mut body = String::new();
        for (name, vals) in &m.members {
            let _ = write!(body, "<tr><th scope=\"row\">{}</th>", esc(name));
            for v in vals {
                let _ = write!(body, "<td class=\"num\">{}</td>", format::exact(*v));
            }
            body.push_str("</tr>\n");
        }
        let _ = write!(
            out,
            "<details><summary>Members ({})</summary><div class=\"scroll\"><table><thead><tr>{head}</tr></thead>\
             <tbody>\n{body}</tbody></table></div></details>\n",
            esc(scenario_name(plan, m.scenario))
        );
    }
}

/// Waterfalls and tornadoes of the top objectives, when their data exists.
fn extras_charts(out: &mut String, input: &SiteInput, top: &[usize]) {
    let wf: Vec<&WaterfallData> = input
        .extras
        .waterfalls
        .iter()
        .flatten()
        .filter(|w| top.contains(&w.objective))
        .collect();
    if !wf.is_empty() {
        out.push_str("<section id=\"waterfalls\">\n<h2>Plan to outlook</h2>\n");
        for w in wf {
            let start = (w.start.0.as_str(), w.start.1);
            let _ = write!(
                out,
                "<figure>{}\n<details><summary>Exact values</summary><div class=\"scroll\"><table><tbody>\
                 <tr><th scope=\"row\">{}</th><td class=\"num\">{}</td></tr>\n",
                svg::waterfall(&w.title, &w.unit, start, &w.steps, &w.end_label),
                esc(&w.start.0),
                format::exact(w.start.1)
            );
            let mut total = w.start.1;
            for (l, v) in &w.steps {
                total = total.checked_add(*v).unwrap_or(total);
                let _ = writeln!(
                    out,
                    "<tr><th scope=\"row\">{}</th><td class=\"num\">{}</td></tr>",
                    esc(l),
                    format::exact(*v)
                );
            }
            let _ = write!(
                out,
                "<tr><th scope=\"row\">{}</th><td class=\"num\">{}</td></tr>\n</tbody></table></div></details></figure>\n",
                esc(&w.end_label),
                format::exact(total)
            );
        }
        out.push_str("</section>\n");
    }
    let tn: Vec<&TornadoData> = input
        .extras
        .tornadoes
        .iter()
        .flatten()
        .filter(|t| top.contains(&t.objective) && !t.bars.is_empty())
        .collect();
    if !tn.is_empty() {
        out.push_str("<section id=\"tornadoes\">\n<h2>What moves the top targets</h2>\n");
        for t in tn {
            let _ = write!(
                out,
                "<figure>{}\n<details><summary>Exact values</summary><div class=\"scroll\"><table><thead><tr>\
                 <th scope=\"col\">Driver</th><th scope=\"col\">Low end</th><th scope=\"col\">High end</th></tr></thead><tbody>\n",
                svg::tornado(&t.title, &t.unit, t.base, &t.bars)
            );
            for b in &t.bars {
                let _ = writeln!(
                    out,
                    "<tr><th scope=\"row\">{}</th><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                    esc(&b.name),
                    format::exact(b.low),
                    format::exact(b.high)
                );
            }
            out.push_str("</tbody></table></div></details></figure>\n");
        }
        out.push_str("</section>\n");
    }
}

fn triggers_section(out: &mut String, input: &SiteInput) {
    let plan = input.plan;
    let labels = plan.period_labels();
    let mut rows = Vec::new();
    for r in &input.results.scenarios {
        for (t, fired) in &r.fired {
            let Some(tr) = plan.triggers.get(*t) else {
                continue;
            };
            let source = input
                .extras
                .trigger_sources
                .as_ref()
                .and_then(|v| v.iter().find(|x| x.0 == r.scenario && x.1 == *t))
                .map(|x| x.2.clone())
                .unwrap_or_else(|| "plan".into());
            rows.push((
                tr,
                TimelineRow {
                    label: format!("{} · {}", tr.name, scenario_name(plan, r.scenario)),
                    fired: fired.and_then(|p| usize::try_from(p).ok()),
                    source,
                },
            ));
        }
    }
    if rows.is_empty() {
        return;
    }
    let timeline: Vec<TimelineRow> = rows.iter().map(|r| r.1.clone()).collect();
    let _ = write!(
        out,
        "<section id=\"triggers\">\n<h2>Trigger timeline</h2>\n<figure>{}\n<div class=\"scroll\"><table><thead><tr>\
         <th scope=\"col\">Trigger</th><th scope=\"col\">Scenario</th><th scope=\"col\">Fired</th><th scope=\"col\">From</th>\
         <th scope=\"col\">Owner</th></tr></thead><tbody>\n",
        svg::timeline("Trigger timeline", &labels, &timeline)
    );
    for (tr, row) in &rows {
        let (name, sc) = row.label.split_once(" · ").unwrap_or((&row.label, ""));
        let _ = writeln!(
            out,
            "<tr><th scope=\"row\" title=\"{}\">{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&tr.title),
            esc(name),
            esc(sc),
            row.fired
                .and_then(|p| labels.get(p))
                .map(|l| format!("fired {}", esc(l)))
                .unwrap_or_else(|| "did not fire".into()),
            if row.fired.is_some() { esc(&row.source) } else { "—".into() },
            esc(tr.owner.map(|p| plan.party_name(p)).unwrap_or("—"))
        );
    }
    out.push_str("</tbody></table></div></figure>\n</section>\n");
}

fn assumptions_section(out: &mut String, input: &SiteInput, which: &[usize]) {
    let plan = input.plan;
    if which.is_empty() {
        return;
    }
    out.push_str(
        "<section id=\"assumptions\">\n<h2>Assumptions</h2>\n<div class=\"scroll\"><table><thead><tr>\
         <th scope=\"col\">Assumption</th><th scope=\"col\">Kind</th><th scope=\"col\">Status</th>\
         <th scope=\"col\">Owner</th><th scope=\"col\">Counterbalanced by</th><th scope=\"col\">Depends on</th></tr></thead><tbody>\n",
    );
    for &a in which {
        let Some(asm) = plan.assumptions.get(a) else {
            continue;
        };
        let status = input
            .assumptions
            .get(a)
            .copied()
            .unwrap_or(AssumptionStatus::Holds);
        let kind = match (asm.changes.is_empty(), asm.maintains.is_empty()) {
            (false, true) => "bet",
            (true, false) => "counterbalance",
            (false, false) => "bet and counterbalance",
            (true, true) => "statement",
        };
        let cb: Vec<String> = asm
            .counterbalances
            .iter()
            .filter_map(|c| plan.assumptions.get(*c).map(|x| x.name.clone()))
            .collect();
        let deps: Vec<String> = asm
            .depends_on
            .iter()
            .filter_map(|(d, _)| plan.dependencies.get(*d).map(|x| x.name.clone()))
            .collect();
        let evidence = asm
            .evidence
            .iter()
            .map(|e| format!("<br><small>Evidence: {}</small>", esc(e)))
            .collect::<String>();
        let _ = writeln!(
            out,
            "<tr><th scope=\"row\">{}<br><small><code>{}</code></small>{evidence}</th><td>{kind}</td>\
             <td class=\"{}\">{} {}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&asm.title),
            esc(&asm.name),
            if status.good() { "met" } else { "missed" },
            if status.good() { "✓" } else { "✗" },
            status.as_str(),
            esc(asm.owner.map(|p| plan.party_name(p)).unwrap_or("—")),
            esc(&or_dash(cb.join(", "))),
            esc(&or_dash(deps.join(", ")))
        );
    }
    out.push_str("</tbody></table></div>\n</section>\n");
}

fn or_dash(s: String) -> String {
    if s.is_empty() {
        "—".into()
    } else {
        s
    }
}

fn requests_section(out: &mut String, input: &SiteInput, which: &[usize]) {
    let plan = input.plan;
    if which.is_empty() {
        return;
    }
    out.push_str("<section id=\"requests\">\n<h2>Requests</h2>\n");
    for &rq in which {
        let Some(req) = plan.requests.get(rq) else {
            continue;
        };
        let from = req
            .from
            .and_then(|d| plan.departments.get(d))
            .map(|d| format!(" · from {}", esc(&d.name)))
            .unwrap_or_default();
        let approved: Vec<&str> = req
            .approved_by
            .iter()
            .map(|p| plan.party_name(*p))
            .collect();
        let _ = writeln!(
            out,
            "<article class=\"request\"><h3>{}</h3><p class=\"meta\"><code>{}</code>{from}{}</p>{}\
             <div class=\"scroll\"><table><thead><tr><th scope=\"col\">Scenario</th><th scope=\"col\">Ask</th>\
             <th scope=\"col\">Grant</th><th scope=\"col\">Gap (grant − ask)</th></tr></thead><tbody>",
            esc(&req.title),
            esc(&req.name),
            if approved.is_empty() {
                String::new()
            } else {
                format!(" · approved by {}", esc(&approved.join(", ")))
            },
            req.decision
                .as_ref()
                .map(|d| format!("<p>Decision: {}</p>", esc(d)))
                .unwrap_or_default()
        );
        for (s, outcomes) in input.requests {
            let Some(o) = outcomes.iter().find(|x| x.request == rq) else {
                continue;
            };
            let side = |x: &Option<crate::check::requests::SideOutcome>| match x {
                Some(sd) => format!(
                    "<code>{}</code><br>model: <span title=\"{}\">{}</span>",
                    esc(&sd.text),
                    opt_exact(sd.condition.projected),
                    esc(&opt_compact(sd.condition.projected, &sd.condition.unit))
                ),
                None => "—".into(),
            };
            let unit = o
                .grant
                .as_ref()
                .or(o.ask.as_ref())
                .map(|x| x.condition.unit.clone())
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td class=\"num\" title=\"{}\">{}</td></tr>",
                esc(scenario_name(plan, *s)),
                side(&o.ask),
                side(&o.grant),
                opt_exact(o.gap),
                esc(&o.gap.map(|g| svg::signed(g, &unit)).unwrap_or_else(|| "—".into()))
            );
        }
        out.push_str("</tbody></table></div></article>\n");
    }
    out.push_str("</section>\n");
}

fn budgets_section(out: &mut String, input: &SiteInput, dept: Option<usize>) {
    let plan = input.plan;
    let lines: Vec<&BudgetLine> = input
        .extras
        .budgets
        .iter()
        .flatten()
        .filter(|b| dept.is_none_or(|d| b.department == d))
        .collect();
    if lines.is_empty() {
        return;
    }
    out.push_str(
        "<section id=\"budgets\">\n<h2>Budgets</h2>\n<div class=\"scroll\"><table><thead><tr>\
         <th scope=\"col\">Department</th><th scope=\"col\">Allowance</th><th scope=\"col\">Planned</th>\
         <th scope=\"col\">Actual</th><th scope=\"col\">Remaining</th></tr></thead><tbody>\n",
    );
    for b in lines {
        let cell = |v: Decimal| {
            format!(
                "<td class=\"num\" title=\"{}\">{}</td>",
                format::exact(v),
                esc(&compact(v, &b.unit))
            )
        };
        let over = if b.remaining.is_sign_negative() && !b.remaining.is_zero() {
            " <span class=\"missed\">over budget</span>"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "<tr><th scope=\"row\">{}</th>{}{}{}<td class=\"num\" title=\"{}\">{}{over}</td></tr>",
            esc(plan
                .departments
                .get(b.department)
                .map(|d| d.name.as_str())
                .unwrap_or("?")),
            cell(b.allowance),
            cell(b.planned),
            b.actual
                .map(cell)
                .unwrap_or_else(|| "<td class=\"num\">—</td>".into()),
            format::exact(b.remaining),
            esc(&compact(b.remaining, &b.unit))
        );
    }
    out.push_str("</tbody></table></div>\n</section>\n");
}

fn raci_section(out: &mut String, input: &SiteInput, party: Option<Party>) {
    let plan = input.plan;
    let rows: Vec<&crate::ir::Raci> = plan
        .raci
        .iter()
        .filter(|r| {
            party.is_none_or(|p| {
                r.responsible.contains(&p)
                    || r.accountable.contains(&p)
                    || r.consulted.contains(&p)
                    || r.informed.contains(&p)
            })
        })
        .collect();
    if rows.is_empty() {
        return;
    }
    // Columns: every party named in these rows, departments then roles, in
    // declaration order.
    let mut cols: Vec<Party> = Vec::new();
    for r in &rows {
        for p in r
            .responsible
            .iter()
            .chain(&r.accountable)
            .chain(&r.consulted)
            .chain(&r.informed)
        {
            if !cols.contains(p) {
                cols.push(*p);
            }
        }
    }
    cols.sort_by_key(|p| match p {
        Party::Department(i) => (0, *i),
        Party::Role(i) => (1, *i),
    });
    out.push_str(
        "<section id=\"raci\">\n<h2>RACI matrix</h2>\n<p class=\"note\">R responsible · A accountable · C consulted · I informed</p>\n<div class=\"scroll\"><table class=\"raci\"><thead><tr><th scope=\"col\">Activity</th>",
    );
    for c in &cols {
        let _ = write!(out, "<th scope=\"col\">{}</th>", esc(plan.party_name(*c)));
    }
    out.push_str("</tr></thead><tbody>\n");
    for r in rows {
        let _ = write!(
            out,
            "<tr><th scope=\"row\">{}<br><small><code>{}</code></small></th>",
            esc(&r.title),
            esc(&r.name)
        );
        for c in &cols {
            let mut letters = String::new();
            for (l, v) in [
                ('R', &r.responsible),
                ('A', &r.accountable),
                ('C', &r.consulted),
                ('I', &r.informed),
            ] {
                if v.contains(c) {
                    letters.push(l);
                }
            }
            let _ = write!(out, "<td class=\"raci-cell\">{letters}</td>");
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n</section>\n");
}

fn risks_section(out: &mut String, input: &SiteInput, party: Option<Party>) {
    let plan = input.plan;
    let mine = |o: Option<Party>| party.is_none_or(|p| o == Some(p));
    let risks: Vec<&crate::ir::Risk> = plan.risks.iter().filter(|r| mine(r.owner)).collect();
    let deps: Vec<&crate::ir::Dependency> =
        plan.dependencies.iter().filter(|d| mine(d.owner)).collect();
    if risks.is_empty() && deps.is_empty() {
        return;
    }
    out.push_str("<section id=\"risks\">\n<h2>Risks and dependencies</h2>\n");
    let pct = Unit::percent();
    if !risks.is_empty() {
        out.push_str(
            "<div class=\"scroll\"><table><thead><tr><th scope=\"col\">Risk</th><th scope=\"col\">Owner</th>\
             <th scope=\"col\">Likelihood</th><th scope=\"col\">Impact</th><th scope=\"col\">Mitigation</th></tr></thead><tbody>\n",
        );
        for r in risks {
            let _ = writeln!(
                out,
                "<tr><th scope=\"row\">{}<br><small><code>{}</code></small></th><td>{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td></tr>",
                esc(&r.title),
                esc(&r.name),
                esc(r.owner.map(|p| plan.party_name(p)).unwrap_or("—")),
                r.likelihood
                    .map(|l| format::amount(l, &pct, 0))
                    .unwrap_or_else(|| "—".into()),
                esc(r.impact.as_deref().unwrap_or("—")),
                esc(r.mitigation.as_deref().unwrap_or("—"))
            );
        }
        out.push_str("</tbody></table></div>\n");
    }
    if !deps.is_empty() {
        out.push_str(
            "<div class=\"scroll\"><table><thead><tr><th scope=\"col\">Dependency</th><th scope=\"col\">Owner</th>\
             <th scope=\"col\">Due</th><th scope=\"col\">Confidence</th></tr></thead><tbody>\n",
        );
        for d in deps {
            let _ = writeln!(
                out,
                "<tr><th scope=\"row\">{}<br><small><code>{}</code></small></th><td>{}</td><td>{}</td><td class=\"num\">{}</td></tr>",
                esc(&d.title),
                esc(&d.name),
                esc(d.owner.map(|p| plan.party_name(p)).unwrap_or("—")),
                esc(d.due.as_ref().map(|x| x.1.as_str()).unwrap_or("—")),
                d.confidence
                    .map(|l| format::amount(l, &pct, 0))
                    .unwrap_or_else(|| "—".into()),
            );
        }
        out.push_str("</tbody></table></div>\n");
    }
    out.push_str("</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn compact_formats_by_unit() {
        assert_eq!(compact(dec("63712345.6"), &Unit::named("USD")), "$63.7M");
        assert_eq!(compact(dec("0.244"), &Unit::percent()), "24.4%");
        assert_eq!(compact(dec("137"), &Unit::named("fte")), "137 fte");
        assert_eq!(
            compact(dec("85000"), &Unit::named("USD").div(&Unit::named("deal"))),
            "$85K/deal"
        );
        assert_eq!(compact(dec("-1500000"), &Unit::named("USD")), "-$1.5M");
        assert_eq!(compact(dec("0.22"), &Unit::dimensionless()), "0.22");
        assert_eq!(compact(dec("2500000000"), &Unit::named("EUR")), "€2.5B");
        let per = Unit::named("deal").div(&Unit::named("lead"));
        assert_eq!(axis_label(dec("0.22"), &per), "0.22");
        assert_eq!(
            axis_label(dec("85000"), &Unit::named("USD").div(&Unit::named("deal"))),
            "$85K"
        );
    }

    #[test]
    fn esc_escapes_markup() {
        assert_eq!(esc("a<b & \"c\"'"), "a&lt;b &amp; &quot;c&quot;&#39;");
    }
}
