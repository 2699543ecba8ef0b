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
//!
//! The pages are `maud` templates, one function per page part and section, each
//! returning [`Markup`]. Escaping happens once, in the template: plan text is
//! passed to it raw, never pre-escaped. The only markup spliced in unescaped is
//! the inline CSS and the charts of [`super::svg`] (which escape their own text
//! with [`esc`]), through [`PreEscaped`] at one seam each.

use super::svg::{self, BulletRow, LineChart, Series, TimelineRow, TornadoBar};
use super::window::window_value;
use crate::calendar::{period_groups, By};
use crate::diagnostic::{Diagnostic, Severity};
use crate::eval::Results;
use crate::ir::{Party, Plan};
use crate::outcome::requests::{RequestOutcome, SideOutcome};
use crate::outcome::targets::TargetOutcome;
use crate::present as format;
use crate::syntax::ast::Aggregation;
use crate::units::{currency_symbol, Unit};
use maud::{html, Markup, PreEscaped, DOCTYPE};
use rust_decimal::prelude::*;

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
    /// The target's value on actuals alone, through the last closed period.
    pub actual_to_date: Option<Decimal>,
    /// Actuals to date plus forecast.
    pub outlook: Option<Decimal>,
    /// Whether the target holds on the outlook.
    pub outlook_met: Option<bool>,
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
    /// What the department may spend: its amount plus draws and reallocations.
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
    pub(crate) scenario: usize,
    /// Item index.
    pub(crate) item: usize,
    /// One entry per period of the horizon, None where there is no actual.
    pub(crate) values: Vec<Option<Decimal>>,
    /// True when lower is better (`favourable lower`, or bounded with `<=`).
    pub(crate) favourable_lower: bool,
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
    /// The resolved plan the site shows.
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
pub(crate) fn esc(s: &str) -> String {
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
pub(crate) fn compact(v: Decimal, unit: &Unit) -> String {
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
pub(crate) fn axis_label(v: Decimal, unit: &Unit) -> String {
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

/// The seam to the hand-written SVG of [`super::svg`]: those functions escape
/// every string they are given (with [`esc`]) and return finished markup, so it
/// is embedded as is, never escaped again.
fn chart(svg: String) -> Markup {
    PreEscaped(svg)
}

/// A line break between elements, so the HTML reads (and diffs) line by line.
const NL: &str = "\n";

/// A whole page: head with inline CSS, the navigation, the header, `body`
/// (the sections) and the footer.
fn page(input: &SiteInput, title: &str, root: &str, subtitle: &str, body: Markup) -> String {
    let plan = input.plan;
    html! {
        (DOCTYPE) (NL)
        html lang="en" {
            (NL)
            head {
                (NL) meta charset="utf-8";
                (NL) meta name="viewport" content="width=device-width, initial-scale=1";
                (NL) title { (title) " · " (plan.title) }
                (NL) style { (PreEscaped(CSS)) }
                (NL)
            }
            (NL)
            body {
                (NL) (nav(plan, root))
                (NL) (header(input, title, subtitle))
                (NL) main { (NL) (body) }
                (NL)
                footer {
                    "Generated by Plumb from plan " code { (plan.name) }
                    ". Charts round for reading; the data tables under them hold the exact values."
                }
                (NL)
            }
            (NL)
        }
        (NL)
    }
    .into_string()
}

/// Links to the company page and every department's and role's page.
fn nav(plan: &Plan, root: &str) -> Markup {
    html! {
        nav aria-label="Pages" {
            a href={ (root) "index.html" } { "Company" }
            @if !plan.departments.is_empty() {
                " " span class="navgroup" { "Departments:" }
                @for d in &plan.departments {
                    " " a href={ (root) "department/" (d.name) ".html" } { (d.title) }
                }
            }
            @if !plan.roles.is_empty() {
                " " span class="navgroup" { "Roles:" }
                @for r in &plan.roles {
                    " " a href={ (root) "role/" (r.name) ".html" } { (r.title) }
                }
            }
        }
    }
}

/// The page's title, subtitle and the plan's horizon, actuals and scenarios.
fn header(input: &SiteInput, title: &str, subtitle: &str) -> Markup {
    let plan = input.plan;
    let labels = plan.period_labels();
    let horizon = format!(
        "{} – {} ({} months)",
        labels.first().map(String::as_str).unwrap_or(""),
        labels.last().map(String::as_str).unwrap_or(""),
        plan.len
    );
    let as_of = input
        .extras
        .as_of
        .map(|a| labels.get(a).map(String::as_str).unwrap_or(""));
    let scenarios: Vec<String> = input
        .results
        .scenarios
        .iter()
        .filter_map(|r| {
            let s = plan.scenarios.get(r.scenario)?;
            Some(if r.scenario == plan.base {
                format!("{} (base)", s.name)
            } else {
                s.name.clone()
            })
        })
        .collect();
    html! {
        header {
            (NL) h1 { (title) }
            (NL) p class="sub" { (subtitle) }
            (NL)
            p class="meta" {
                "Plan " code { (plan.name) } " · " (horizon)
                @match as_of {
                    Some(l) => { " · actuals to " (l) }
                    None => { " · plan only, no actuals" }
                }
                " · scenarios: " (scenarios.join(", "))
            }
            (NL)
        }
    }
}

fn index_page(input: &SiteInput) -> String {
    let plan = input.plan;
    let all: Vec<usize> = (0..plan.objectives.len()).collect();
    let top: Vec<usize> = crate::outcome::targets::cascade_order(plan)
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
    let all_a: Vec<usize> = (0..plan.assumptions.len()).collect();
    let all_r: Vec<usize> = (0..plan.requests.len()).collect();
    let body = html! {
        (objectives_section(input, &all, "Objectives and targets"))
        (charts_section(input, &items, "Top objectives' drivers and metrics"))
        (waterfalls_section(input, &top))
        (tornadoes_section(input, &top))
        (triggers_section(input))
        (assumptions_section(input, &all_a))
        (requests_section(input, &all_r))
        (budgets_section(input, None))
        (raci_section(input, None))
        (risks_section(input, None))
    };
    page(input, &plan.title, "", "Company view", body)
}

fn owns(owner: Option<Party>, p: Party) -> bool {
    owner == Some(p)
}

/// An owner page's title and subtitle (`Department · led by … · roles: …`,
/// `Role in …`), plain text.
fn owner_titles(plan: &Plan, party: Party) -> (String, String) {
    match party {
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
    }
}

fn owner_page(input: &SiteInput, party: Party) -> String {
    let plan = input.plan;
    let (title, subtitle) = owner_titles(plan, party);
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
    let asm: Vec<usize> = (0..plan.assumptions.len())
        .filter(|a| {
            plan.assumptions
                .get(*a)
                .is_some_and(|x| owns(x.owner, party))
        })
        .collect();
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
    let budgets = match party {
        Party::Department(d) => budgets_section(input, Some(d)),
        Party::Role(_) => html! {},
    };
    let sections = html! {
        (objectives_section(input, &objs, "Objectives and how they support the top ones"))
        (charts_section(input, &items, "Drivers and metrics owned"))
        (assumptions_section(input, &asm))
        (requests_section(input, &reqs))
        (budgets)
        (raci_section(input, Some(party)))
        (risks_section(input, Some(party)))
    };
    let body = if sections.0.is_empty() {
        html! {
            p class="quiet" { "Nothing in the plan is owned by or assigned to this owner yet." } (NL)
        }
    } else {
        sections
    };
    page(input, &title, "../", &subtitle, body)
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

/// `<td class="num" title="rounded">exact</td>`: an exact value with its
/// rounded reading on hover.
fn exact_cell(v: Decimal, unit: &Unit) -> Markup {
    html! { td class="num" title=(compact(v, unit)) { (format::exact(v)) } }
}

/// `<td class="num" title="exact">rounded</td>`: a rounded value with its
/// exact one on hover.
fn rounded_cell(v: Option<Decimal>, unit: &Unit) -> Markup {
    html! { td class="num" title=(opt_exact(v)) { (opt_compact(v, unit)) } }
}

/// Objectives (in cascade order, among `objs`) with a bullet chart per target
/// and its data table.
fn objectives_section(input: &SiteInput, objs: &[usize], heading: &str) -> Markup {
    let plan = input.plan;
    if objs.is_empty() {
        return html! {};
    }
    let order = crate::outcome::targets::cascade_order(plan);
    html! {
        section id="objectives" {
            (NL) h2 { (heading) } (NL)
            @for (o, depth) in order.iter().filter(|(o, _)| objs.contains(o)) {
                @if let Some(ob) = plan.objectives.get(*o) {
                    @let chain = support_chain(plan, *o);
                    article class={ "objective depth" ((*depth).min(4)) } id={ "objective-" (ob.name) } {
                        (NL) h3 { (ob.title) } (NL)
                        p class="meta" {
                            code { (ob.name) }
                            @if let Some(p) = ob.owner { " · owner " (plan.party_name(p)) }
                            @if !chain.is_empty() { " · supports " (chain.join(" → ")) }
                        }
                        (NL)
                        @for (ti, t) in ob.targets.iter().enumerate() {
                            (target_block(input, *o, ti, &t.text))
                        }
                    }
                    (NL)
                }
            }
        }
        (NL)
    }
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

/// One target: its bullet chart and the exact values per scenario.
fn target_block(input: &SiteInput, o: usize, ti: usize, text: &str) -> Markup {
    let plan = input.plan;
    let outcomes: Vec<(usize, &TargetOutcome, Option<&TargetExtra>)> = input
        .targets
        .iter()
        .filter_map(|(s, v)| {
            let to = v.iter().find(|x| x.objective == o && x.target == ti)?;
            Some((*s, to, target_extra(input, *s, o, ti)))
        })
        .collect();
    let cols = target_extra_cols(input, o, ti);
    let Some(unit) = outcomes.last().map(|(_, to, _)| to.unit.clone()) else {
        return html! {};
    };
    let rows: Vec<BulletRow> = outcomes
        .iter()
        .filter_map(|(s, to, ex)| {
            let shown = ex.and_then(|e| e.outlook).or(to.projected)?;
            Some(BulletRow {
                label: scenario_name(plan, *s).to_string(),
                value: shown,
                threshold: to.threshold?,
                met: ex
                    .filter(|e| e.outlook.is_some())
                    .and_then(|e| e.outlook_met)
                    .unwrap_or(to.met),
                actual: ex.and_then(|e| e.actual_to_date),
                band: ex.and_then(|e| e.band),
                probability: ex.and_then(|e| e.probability),
            })
        })
        .collect();
    let period = outcomes
        .first()
        .and_then(|(_, to, _)| to.period)
        .map(|p| format!(" (shown for {})", plan.period_label(p)));
    let objective = plan
        .objectives
        .get(o)
        .map(|x| x.name.as_str())
        .unwrap_or("");
    html! {
        figure class="target" {
            (NL) figcaption { code { (text) } (period.unwrap_or_default()) } (NL)
            @if !rows.is_empty() { (chart(svg::bullet(text, &unit, &rows))) }
            (NL)
            details {
                summary { "Exact values" }
                div class="scroll" {
                    table class="targets" {
                        thead { tr {
                            th scope="col" { "Scenario" } th scope="col" { "Projected" }
                            th scope="col" { "Threshold" } th scope="col" { "Gap" }
                            th scope="col" { "Status" }
                            @if cols.0 {
                                th scope="col" { "Actual to date" } th scope="col" { "Outlook" }
                            }
                            @if cols.1 {
                                th scope="col" { "P10–P90" } th scope="col" { "Probability" }
                            }
                        } }
                        tbody {
                            (NL)
                            @for (s, to, ex) in &outcomes {
                                (target_row(plan, objective, ti, *s, to, *ex, cols)) (NL)
                            }
                        }
                    }
                }
                p class="note" {
                    "Exact decimals, as " code { "plumb run --format json" }
                    " gives them (" (unit) "); the chart rounds."
                }
            }
            (NL)
        }
        (NL)
    }
}

/// A target's row in one scenario; the `data-` attributes let the browser
/// test compare each figure with `plumb run --format json`.
fn target_row(
    plan: &Plan,
    objective: &str,
    ti: usize,
    s: usize,
    to: &TargetOutcome,
    ex: Option<&TargetExtra>,
    cols: (bool, bool),
) -> Markup {
    let sname = scenario_name(plan, s);
    let word = if to.met { "met" } else { "missed" };
    let gap = to
        .gap
        .map(|g| svg::signed(g, &to.unit))
        .unwrap_or_else(|| "—".into());
    html! {
        tr data-objective=(objective) data-target=(ti) data-scenario=(sname) {
            th scope="row" { (sname) }
            td class="num" data-field="projected" title=(opt_compact(to.projected, &to.unit)) {
                (opt_exact(to.projected))
            }
            td class="num" data-field="threshold" title=(opt_compact(to.threshold, &to.unit)) {
                (opt_exact(to.threshold))
            }
            td class="num" data-field="gap" title=(gap) { (opt_exact(to.gap)) }
            td class=(word) data-field="met" { (word) }
            (extra_cells(ex, &to.unit, cols))
        }
    }
}

/// Which extra columns a target's table has: (actual to date and outlook,
/// P10–P90 and probability).
fn target_extra_cols(input: &SiteInput, o: usize, ti: usize) -> (bool, bool) {
    let mine = || {
        input
            .extras
            .targets
            .iter()
            .flatten()
            .filter(move |x| x.objective == o && x.target == ti)
    };
    (
        mine().any(|x| x.outlook.is_some() || x.actual_to_date.is_some()),
        mine().any(|x| x.probability.is_some() || x.band.is_some()),
    )
}

/// The exact extra figures of one target row, in the columns `cols` asks for.
fn extra_cells(e: Option<&TargetExtra>, unit: &Unit, cols: (bool, bool)) -> Markup {
    let cell = |field: &'static str, v: Option<Decimal>| {
        html! {
            td class="num" data-field=(field) title=(opt_compact(v, unit)) { (opt_exact(v)) }
        }
    };
    let band = e
        .and_then(|e| e.band)
        .map(|(l, h)| format!("{} – {}", format::exact(l), format::exact(h)))
        .unwrap_or_else(|| "—".into());
    let prob = e.and_then(|e| e.probability);
    html! {
        @if cols.0 {
            (cell("actual_to_date", e.and_then(|e| e.actual_to_date)))
            (cell("outlook", e.and_then(|e| e.outlook)))
        }
        @if cols.1 {
            td class="num" data-field="band" { (band) }
            td class="num" data-field="probability" data-value=(opt_exact(prob)) {
                (prob.map(|p| format::amount(p, &Unit::percent(), 1))
                    .unwrap_or_else(|| "—".into()))
            }
        }
    }
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
fn charts_section(input: &SiteInput, items: &[usize], heading: &str) -> Markup {
    if items.is_empty() || input.results.scenarios.is_empty() {
        return html! {};
    }
    html! {
        section id="charts" {
            (NL) h2 { (heading) } (NL)
            div class="grid" {
                (NL)
                @for &i in items { (item_figure(input, i)) }
            }
            (NL)
        }
        (NL)
    }
}

/// One item's line chart (scenarios, P10–P90 band, threshold, actuals to the
/// as-of period) with its data and member tables.
fn item_figure(input: &SiteInput, i: usize) -> Markup {
    let plan = input.plan;
    let Some(it) = plan.items.get(i) else {
        return html! {};
    };
    let labels = plan.period_labels();
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
    let svg = svg::line_chart(&LineChart {
        title: format!("{} ({})", it.name, it.unit),
        unit: &it.unit,
        labels: &labels,
        series,
        band,
        threshold: threshold_for(input, i),
        as_of: input.extras.as_of,
    });
    html! {
        figure class="item" id={ "item-" (it.name) } {
            (NL)
            figcaption {
                code { (it.name) } " " (it.kind.as_str()) " · " (it.unit)
                @if let Some(p) = it.owner { " · owner " (plan.party_name(p)) }
            }
            @if let Some(d) = &it.doc { p class="doc" { (d) } }
            (NL) (chart(svg)) (NL)
            (item_table(input, i))
            (members_table(input, i))
        }
        (NL)
    }
}

fn item_table(input: &SiteInput, i: usize) -> Markup {
    let plan = input.plan;
    let Some(it) = plan.items.get(i) else {
        return html! {};
    };
    let mut groups = period_groups(plan, By::Month);
    if plan.len > 3 {
        groups.extend(period_groups(plan, By::Quarter));
    }
    if plan.len > 12 || plan.len > 3 {
        groups.extend(period_groups(plan, By::Year));
    }
    let agg = match crate::eval::window::effective_rollup(plan, i) {
        Aggregation::Flow => "quarters and years sum the months",
        Aggregation::Stock => "quarters and years take the last month",
        Aggregation::Average => "quarters and years average the months",
        Aggregation::Formula => "quarters and years apply the formula to its operands' roll-ups",
    };
    html! {
        details {
            summary { "Data: " (it.name) " (" (it.unit) "), exact; " (agg) }
            div class="scroll" { table {
                thead { tr {
                    th scope="col" { "Period" }
                    @for r in &input.results.scenarios {
                        th scope="col" { (scenario_name(plan, r.scenario)) }
                    }
                } }
                tbody {
                    (NL)
                    @for g in groups {
                        tr {
                            th scope="row" { (g.label) }
                            @for r in &input.results.scenarios {
                                @match window_value(plan, &r.values, i, g.range.clone()) {
                                    Some(v) => { (exact_cell(v, &it.unit)) }
                                    None => { td class="num" { "—" } }
                                }
                            }
                        }
                        (NL)
                    }
                }
            } }
        }
        (NL)
    }
}

fn members_table(input: &SiteInput, i: usize) -> Markup {
    let plan = input.plan;
    let Some(rows) = input.extras.members.as_ref() else {
        return html! {};
    };
    let labels = plan.period_labels();
    html! {
        @for m in rows.iter().filter(|m| m.item == i && !m.members.is_empty()) {
            details {
                summary { "Members (" (scenario_name(plan, m.scenario)) ")" }
                div class="scroll" { table {
                    thead { tr {
                        th scope="col" { "Member" }
                        @for l in &labels { th scope="col" { (l) } }
                    } }
                    tbody {
                        (NL)
                        @for (name, vals) in &m.members {
                            tr {
                                th scope="row" { (name) }
                                @for v in vals { td class="num" { (format::exact(*v)) } }
                            }
                            (NL)
                        }
                    }
                } }
            }
            (NL)
        }
    }
}

/// `<tr><th scope="row">label</th><td class="num">exact</td></tr>` and a line break.
fn label_row(label: &str, v: Decimal) -> Markup {
    html! {
        tr { th scope="row" { (label) } td class="num" { (format::exact(v)) } } (NL)
    }
}

/// Waterfalls from plan to outlook of the top objectives, when their data exists.
fn waterfalls_section(input: &SiteInput, top: &[usize]) -> Markup {
    let wf: Vec<&WaterfallData> = input
        .extras
        .waterfalls
        .iter()
        .flatten()
        .filter(|w| top.contains(&w.objective))
        .collect();
    if wf.is_empty() {
        return html! {};
    }
    html! {
        section id="waterfalls" {
            (NL) h2 { "Plan to outlook" } (NL)
            @for w in wf {
                @let total = w.steps.iter().fold(w.start.1, |t, (_, v)| t.checked_add(*v).unwrap_or(t));
                figure {
                    (chart(svg::waterfall(&w.title, &w.unit, (w.start.0.as_str(), w.start.1), &w.steps, &w.end_label)))
                    (NL)
                    details {
                        summary { "Exact values" }
                        div class="scroll" { table { tbody {
                            tr { th scope="row" { (w.start.0) } td class="num" { (format::exact(w.start.1)) } }
                            (NL)
                            @for (l, v) in &w.steps { (label_row(l, *v)) }
                            (label_row(&w.end_label, total))
                        } } }
                    }
                }
                (NL)
            }
        }
        (NL)
    }
}

/// Tornadoes of the top targets, when drivers have ranges.
fn tornadoes_section(input: &SiteInput, top: &[usize]) -> Markup {
    let tn: Vec<&TornadoData> = input
        .extras
        .tornadoes
        .iter()
        .flatten()
        .filter(|t| top.contains(&t.objective) && !t.bars.is_empty())
        .collect();
    if tn.is_empty() {
        return html! {};
    }
    html! {
        section id="tornadoes" {
            (NL) h2 { "What moves the top targets" } (NL)
            @for t in tn {
                figure {
                    (chart(svg::tornado(&t.title, &t.unit, t.base, &t.bars)))
                    (NL)
                    details {
                        summary { "Exact values" }
                        div class="scroll" { table {
                            thead { tr {
                                th scope="col" { "Driver" } th scope="col" { "Low end" }
                                th scope="col" { "High end" }
                            } }
                            tbody {
                                (NL)
                                @for b in &t.bars {
                                    tr {
                                        th scope="row" { (b.name) }
                                        td class="num" { (format::exact(b.low)) }
                                        td class="num" { (format::exact(b.high)) }
                                    }
                                    (NL)
                                }
                            }
                        } }
                    }
                }
                (NL)
            }
        }
        (NL)
    }
}

fn triggers_section(input: &SiteInput) -> Markup {
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
            let sname = scenario_name(plan, r.scenario);
            rows.push((
                tr,
                sname,
                TimelineRow {
                    label: format!("{} · {sname}", tr.name),
                    fired: fired.and_then(|p| usize::try_from(p).ok()),
                    source,
                },
            ));
        }
    }
    if rows.is_empty() {
        return html! {};
    }
    let timeline: Vec<TimelineRow> = rows.iter().map(|r| r.2.clone()).collect();
    html! {
        section id="triggers" {
            (NL) h2 { "Trigger timeline" } (NL)
            figure {
                (chart(svg::timeline("Trigger timeline", &labels, &timeline)))
                (NL)
                div class="scroll" { table {
                    thead { tr {
                        th scope="col" { "Trigger" } th scope="col" { "Scenario" }
                        th scope="col" { "Fired" } th scope="col" { "From" }
                        th scope="col" { "Owner" }
                    } }
                    tbody {
                        (NL)
                        @for (tr, sname, row) in &rows {
                            tr {
                                th scope="row" title=(tr.title) { (tr.name) }
                                td { (sname) }
                                td {
                                    @match row.fired.and_then(|p| labels.get(p)) {
                                        Some(l) => { "fired " (l) }
                                        None => { "did not fire" }
                                    }
                                }
                                td { @if row.fired.is_some() { (row.source) } @else { "—" } }
                                td { (tr.owner.map(|p| plan.party_name(p)).unwrap_or("—")) }
                            }
                            (NL)
                        }
                    }
                } }
            }
            (NL)
        }
        (NL)
    }
}

/// `Title<br><small><code>name</code></small>`: a declaration's title over its
/// name, the head of its row.
fn titled(title: &str, name: &str) -> Markup {
    html! { (title) br; small { code { (name) } } }
}

fn assumptions_section(input: &SiteInput, which: &[usize]) -> Markup {
    if which.is_empty() {
        return html! {};
    }
    html! {
        section id="assumptions" {
            (NL) h2 { "Assumptions" } (NL)
            div class="scroll" { table {
                thead { tr {
                    th scope="col" { "Assumption" } th scope="col" { "Kind" }
                    th scope="col" { "Status" } th scope="col" { "Owner" }
                    th scope="col" { "Counterbalanced by" } th scope="col" { "Depends on" }
                } }
                tbody {
                    (NL)
                    @for &a in which { (assumption_row(input, a)) }
                }
            } }
            (NL)
        }
        (NL)
    }
}

fn assumption_row(input: &SiteInput, a: usize) -> Markup {
    let plan = input.plan;
    let Some(asm) = plan.assumptions.get(a) else {
        return html! {};
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
    html! {
        tr {
            th scope="row" {
                (titled(&asm.title, &asm.name))
                @for e in &asm.evidence { br; small { "Evidence: " (e) } }
            }
            td { (kind) }
            td class=(if status.good() { "met" } else { "missed" }) {
                (if status.good() { "✓" } else { "✗" }) " " (status.as_str())
            }
            td { (asm.owner.map(|p| plan.party_name(p)).unwrap_or("—")) }
            td { (or_dash(cb.join(", "))) }
            td { (or_dash(deps.join(", "))) }
        }
        (NL)
    }
}

fn or_dash(s: String) -> String {
    if s.is_empty() {
        "—".into()
    } else {
        s
    }
}

fn requests_section(input: &SiteInput, which: &[usize]) -> Markup {
    if which.is_empty() {
        return html! {};
    }
    html! {
        section id="requests" {
            (NL) h2 { "Requests" } (NL)
            @for &rq in which { (request_article(input, rq)) }
        }
        (NL)
    }
}

/// One request: who asks and approves, the decision, and ask, grant and gap
/// per scenario.
fn request_article(input: &SiteInput, rq: usize) -> Markup {
    let plan = input.plan;
    let Some(req) = plan.requests.get(rq) else {
        return html! {};
    };
    let from = req.from.and_then(|d| plan.departments.get(d));
    let approved: Vec<&str> = req
        .approved_by
        .iter()
        .map(|p| plan.party_name(*p))
        .collect();
    html! {
        article class="request" {
            h3 { (req.title) }
            p class="meta" {
                code { (req.name) }
                @if let Some(d) = from { " · from " (d.name) }
                @if !approved.is_empty() { " · approved by " (approved.join(", ")) }
            }
            @if let Some(d) = &req.decision { p { "Decision: " (d) } }
            div class="scroll" { table {
                thead { tr {
                    th scope="col" { "Scenario" } th scope="col" { "Ask" }
                    th scope="col" { "Grant" } th scope="col" { "Gap (grant − ask)" }
                } }
                tbody {
                    (NL)
                    @for (s, outcomes) in input.requests {
                        @if let Some(o) = outcomes.iter().find(|x| x.request == rq) {
                            (request_row(plan, *s, o)) (NL)
                        }
                    }
                }
            } }
        }
        (NL)
    }
}

fn request_row(plan: &Plan, s: usize, o: &RequestOutcome) -> Markup {
    let side = |x: &Option<SideOutcome>| match x {
        Some(sd) => html! {
            code { (sd.text) } br; "model: "
            span title=(opt_exact(sd.condition.projected)) {
                (opt_compact(sd.condition.projected, &sd.condition.unit))
            }
        },
        None => html! { "—" },
    };
    let unit = o
        .grant
        .as_ref()
        .or(o.ask.as_ref())
        .map(|x| x.condition.unit.clone())
        .unwrap_or_default();
    let gap = o
        .gap
        .map(|g| svg::signed(g, &unit))
        .unwrap_or_else(|| "—".into());
    html! {
        tr {
            th scope="row" { (scenario_name(plan, s)) }
            td { (side(&o.ask)) }
            td { (side(&o.grant)) }
            td class="num" title=(opt_exact(o.gap)) { (gap) }
        }
    }
}

fn budgets_section(input: &SiteInput, dept: Option<usize>) -> Markup {
    let plan = input.plan;
    let lines: Vec<&BudgetLine> = input
        .extras
        .budgets
        .iter()
        .flatten()
        .filter(|b| dept.is_none_or(|d| b.department == d))
        .collect();
    if lines.is_empty() {
        return html! {};
    }
    // The actual-to-date column only when the plan has actuals.
    let actuals = lines.iter().any(|b| b.actual.is_some());
    html! {
        section id="budgets" {
            (NL) h2 { "Budgets" } (NL)
            div class="scroll" { table {
                thead { tr {
                    th scope="col" { "Department" } th scope="col" { "Allowance" }
                    th scope="col" { "Planned" }
                    @if actuals { th scope="col" { "Actual to date" } }
                    th scope="col" { "Remaining" }
                } }
                tbody {
                    (NL)
                    @for b in lines {
                        tr {
                            th scope="row" {
                                (plan.departments.get(b.department).map(|d| d.name.as_str()).unwrap_or("?"))
                            }
                            (rounded_cell(Some(b.allowance), &b.unit))
                            (rounded_cell(Some(b.planned), &b.unit))
                            @if actuals {
                                @match b.actual {
                                    Some(a) => { (rounded_cell(Some(a), &b.unit)) }
                                    None => { td class="num" { "—" } }
                                }
                            }
                            td class="num" title=(format::exact(b.remaining)) {
                                (compact(b.remaining, &b.unit))
                                @if b.remaining.is_sign_negative() && !b.remaining.is_zero() {
                                    " " span class="missed" { "over budget" }
                                }
                            }
                        }
                        (NL)
                    }
                }
            } }
            (NL)
        }
        (NL)
    }
}

/// The RACI letters of `party` in a row: `RA`, `C`, or empty.
fn raci_letters(r: &crate::ir::Raci, party: Party) -> String {
    [
        ('R', &r.responsible),
        ('A', &r.accountable),
        ('C', &r.consulted),
        ('I', &r.informed),
    ]
    .iter()
    .filter(|(_, v)| v.contains(&party))
    .map(|(l, _)| *l)
    .collect()
}

fn raci_section(input: &SiteInput, party: Option<Party>) -> Markup {
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
        return html! {};
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
    html! {
        section id="raci" {
            (NL) h2 { "RACI matrix" } (NL)
            p class="note" { "R responsible · A accountable · C consulted · I informed" } (NL)
            div class="scroll" { table class="raci" {
                thead { tr {
                    th scope="col" { "Activity" }
                    @for c in &cols { th scope="col" { (plan.party_name(*c)) } }
                } }
                tbody {
                    (NL)
                    @for r in rows {
                        tr {
                            th scope="row" { (titled(&r.title, &r.name)) }
                            @for c in &cols { td class="raci-cell" { (raci_letters(r, *c)) } }
                        }
                        (NL)
                    }
                }
            } }
            (NL)
        }
        (NL)
    }
}

fn risks_section(input: &SiteInput, party: Option<Party>) -> Markup {
    let plan = input.plan;
    let mine = |o: Option<Party>| party.is_none_or(|p| o == Some(p));
    let risks: Vec<&crate::ir::Risk> = plan.risks.iter().filter(|r| mine(r.owner)).collect();
    let deps: Vec<&crate::ir::Dependency> =
        plan.dependencies.iter().filter(|d| mine(d.owner)).collect();
    if risks.is_empty() && deps.is_empty() {
        return html! {};
    }
    let pct = Unit::percent();
    let owner = |o: Option<Party>| o.map(|p| plan.party_name(p)).unwrap_or("—");
    let share = |v: Option<Decimal>| {
        v.map(|l| format::amount(l, &pct, 0))
            .unwrap_or_else(|| "—".into())
    };
    html! {
        section id="risks" {
            (NL) h2 { "Risks and dependencies" } (NL)
            @if !risks.is_empty() {
                div class="scroll" { table {
                    thead { tr {
                        th scope="col" { "Risk" } th scope="col" { "Owner" }
                        th scope="col" { "Likelihood" } th scope="col" { "Impact" }
                        th scope="col" { "Mitigation" }
                    } }
                    tbody {
                        (NL)
                        @for r in risks {
                            tr {
                                th scope="row" { (titled(&r.title, &r.name)) }
                                td { (owner(r.owner)) }
                                td class="num" { (share(r.likelihood)) }
                                td { (r.impact.as_deref().unwrap_or("—")) }
                                td { (r.mitigation.as_deref().unwrap_or("—")) }
                            }
                            (NL)
                        }
                    }
                } }
                (NL)
            }
            @if !deps.is_empty() {
                div class="scroll" { table {
                    thead { tr {
                        th scope="col" { "Dependency" } th scope="col" { "Owner" }
                        th scope="col" { "Due" } th scope="col" { "Confidence" }
                    } }
                    tbody {
                        (NL)
                        @for d in deps {
                            tr {
                                th scope="row" { (titled(&d.title, &d.name)) }
                                td { (owner(d.owner)) }
                                td { (d.due.as_ref().map(|x| x.1.as_str()).unwrap_or("—")) }
                                td class="num" { (share(d.confidence)) }
                            }
                            (NL)
                        }
                    }
                } }
                (NL)
            }
        }
        (NL)
    }
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
