//! Output: `plumb run`'s report types and their renderers — a table for
//! terminals and decks, JSON (exact), CSV, Markdown — plus the static site
//! (`site`, `svg`), the workbook (`xlsx`) and what they show beyond the model
//! (`extras`).
//!
//! [`RunReport::build`] turns evaluated results and their outcomes (computed
//! once, [`crate::outcome`]) into periods (the plan's own, or rolled up by
//! quarter or year — fiscal ones in a plan with a fiscal year — with each item's
//! roll-up, [`crate::eval::window_value`]), item values with units, target
//! outcomes and trigger firings. Nothing here computes an outcome or imports
//! `check`; numbers are worded by [`crate::present`]. Every renderer is
//! deterministic: the same plan gives byte-identical output.

mod budgets;
pub mod csv;
pub mod extras;
mod json;
mod render;
pub mod site;
pub mod svg;
mod window;
pub mod xlsx;

use crate::calendar::{period_groups, By, PeriodGroup};
pub(crate) use budgets::{BudgetReport, RankedReport};
// The windows of output and number formatting live in `calendar` and `present`;
// these names stay for the library's existing callers (tests, benches, fuzz).
pub use render::{render_csv, render_markdown, render_table, TableOptions};

use crate::eval::{window_value, Results};
use crate::ir::Plan;
use crate::outcome::requests::RequestOutcome;
use crate::outcome::targets::TargetOutcome;
use crate::present;
use crate::units::Unit;
use rust_decimal::Decimal;
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

/// `plumb run --format json`: one object.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    /// Plan name.
    pub plan: String,
    /// Plan title.
    #[serde(skip)]
    pub title: String,
    /// Period labels.
    pub periods: Vec<String>,
    /// With `--by quarter|year`: each window's first and last period and whether
    /// it lies only partly inside the horizon (empty by month).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub windows: Vec<WindowReport>,
    /// The last closed period, when the plan has actuals.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actuals_through: Option<String>,
    /// Scenario name → its report, in declaration order.
    #[serde(serialize_with = "ser_scenarios")]
    pub scenarios: Vec<ScenarioReport>,
    /// Scored requests ranked by return on cost (filled by
    /// [`RunReport::with_budgets`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ranked_requests: Vec<RankedReport>,
    /// Contingency left across budgets, with the ranking.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_opt_decimal"
    )]
    pub contingency_left: Option<Decimal>,
}

/// One rolled-up window of a report.
#[derive(Debug, Clone, Serialize)]
pub struct WindowReport {
    /// Its label, as in [`RunReport::periods`].
    pub period: String,
    /// Its first period of the plan.
    pub from: String,
    /// Its last period of the plan.
    pub to: String,
    /// True when the quarter or year lies only partly inside the horizon (shown
    /// with `*` in tables).
    pub partial: bool,
}

/// One scenario's projections.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioReport {
    /// The scenario's name as declared (`base`).
    #[serde(skip)]
    pub name: String,
    /// The scenario's quoted title.
    #[serde(skip)]
    pub title: String,
    /// True for the plan's base scenario.
    #[serde(skip)]
    pub is_base: bool,
    /// Item name → values, in declaration order.
    #[serde(serialize_with = "ser_items")]
    pub items: Vec<ItemReport>,
    /// Target outcomes.
    pub targets: Vec<TargetReport>,
    /// Trigger firings.
    pub triggers: Vec<TriggerReport>,
    /// Requests: the bottom-up ask against the grant (filled by
    /// [`RunReport::with_requests`]).
    pub requests: Vec<RequestReport>,
    /// Budgets per department (filled by [`RunReport::with_budgets`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub budgets: Vec<BudgetReport>,
    /// With actuals: per item with any, one entry per period (null: none).
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_actuals"
    )]
    pub actuals: Option<Vec<ActualsColumn>>,
    /// With actuals: the rolling forecast, shaped like the plan's values.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forecast: Option<Box<ForecastReport>>,
}

/// One item's actuals in a run report: its name and one entry per period.
pub(crate) type ActualsColumn = (String, Vec<Option<Decimal>>);

/// The rolling forecast of one scenario (ACTUALS.md §4).
#[derive(Debug, Clone, Serialize)]
pub struct ForecastReport {
    /// Item name → values.
    #[serde(serialize_with = "ser_items")]
    pub(crate) items: Vec<ItemReport>,
    /// Target outcomes on the forecast.
    pub(crate) targets: Vec<TargetReport>,
    /// Trigger firings on the forecast.
    pub(crate) triggers: Vec<TriggerReport>,
}

fn ser_actuals<S: Serializer>(v: &Option<Vec<ActualsColumn>>, s: S) -> Result<S::Ok, S::Error> {
    let v = v.as_deref().unwrap_or(&[]);
    let mut m = s.serialize_map(Some(v.len()))?;
    for (name, vals) in v {
        let texts: Vec<Option<String>> = vals.iter().map(|x| x.map(present::exact)).collect();
        m.serialize_entry(name, &texts)?;
    }
    m.end()
}

/// One driver or metric.
#[derive(Debug, Clone, Serialize)]
pub struct ItemReport {
    /// Full name.
    #[serde(skip)]
    pub name: String,
    /// `driver` or `metric`.
    #[serde(skip)]
    pub kind: &'static str,
    /// Unit as written (`USD/deal`).
    #[serde(serialize_with = "ser_unit")]
    pub unit: Unit,
    /// One exact value per period.
    #[serde(serialize_with = "ser_decimals")]
    pub values: Vec<Decimal>,
    /// The whole horizon rolled up.
    #[serde(skip)]
    pub total: Decimal,
}

/// One target in one scenario.
#[derive(Debug, Clone, Serialize)]
pub struct TargetReport {
    /// Objective name.
    pub objective: String,
    /// The condition as written.
    pub target: String,
    /// Projected value.
    #[serde(serialize_with = "ser_opt_decimal")]
    pub projected: Option<Decimal>,
    /// The target's threshold (the right-hand side of its comparison).
    #[serde(serialize_with = "ser_opt_decimal")]
    pub threshold: Option<Decimal>,
    /// Headroom: positive met with room, negative short.
    #[serde(serialize_with = "ser_opt_decimal")]
    pub gap: Option<Decimal>,
    /// Whether the target holds.
    pub met: bool,
    /// With actuals: the target on the forecast.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_opt_decimal"
    )]
    pub outlook: Option<Decimal>,
    /// With actuals: the outlook's headroom, signed like `gap`.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_opt_decimal"
    )]
    pub outlook_gap: Option<Decimal>,
    /// Unit of projected, threshold and gap.
    #[serde(skip)]
    pub unit: Unit,
    /// For a per-period target, the period shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
    /// The objective's owner (empty when none).
    #[serde(skip)]
    pub owner: String,
    /// Depth in the objective cascade: 0 for an objective that supports none,
    /// 1 for one that supports it, …
    #[serde(skip)]
    pub depth: usize,
    /// Position in cascade order (tables list targets top-down in this order).
    #[serde(skip)]
    pub rank: usize,
}

/// One request in one scenario.
#[derive(Debug, Clone, Serialize)]
pub struct RequestReport {
    /// Request name.
    pub request: String,
    /// The requesting department, or null.
    pub from: Option<String>,
    /// The bottom-up ask, or null.
    pub ask: Option<RequestSide>,
    /// What was granted, or null.
    pub grant: Option<RequestSide>,
    /// Granted threshold − asked threshold (negative: less was granted than
    /// asked); null when the two are not comparable.
    #[serde(serialize_with = "ser_opt_decimal")]
    pub gap: Option<Decimal>,
    /// Unit of the values.
    #[serde(skip)]
    pub unit: Unit,
}

/// The `ask` or `grant` of a request, evaluated in one scenario.
#[derive(Debug, Clone, Serialize)]
pub struct RequestSide {
    /// The condition as written.
    pub condition: String,
    /// The model's value of its left side.
    #[serde(serialize_with = "ser_opt_decimal")]
    pub value: Option<Decimal>,
    /// Its right side.
    #[serde(serialize_with = "ser_opt_decimal")]
    pub threshold: Option<Decimal>,
    /// Headroom of the model against the threshold, as for targets.
    #[serde(serialize_with = "ser_opt_decimal")]
    pub gap: Option<Decimal>,
    /// Whether the model satisfies the condition.
    pub holds: bool,
}

/// One trigger in one scenario.
#[derive(Debug, Clone, Serialize)]
pub struct TriggerReport {
    /// Trigger name.
    pub name: String,
    /// Period it fired in, or null.
    pub fired: Option<String>,
}

fn ser_decimals<S: Serializer>(v: &[Decimal], s: S) -> Result<S::Ok, S::Error> {
    let mut seq = s.serialize_seq(Some(v.len()))?;
    for x in v {
        seq.serialize_element(&present::exact(*x))?;
    }
    seq.end()
}

fn ser_opt_decimal<S: Serializer>(v: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(x) => s.serialize_str(&present::exact(*x)),
        None => s.serialize_none(),
    }
}

fn ser_unit<S: Serializer>(u: &Unit, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&u.to_string())
}

fn ser_items<S: Serializer>(v: &[ItemReport], s: S) -> Result<S::Ok, S::Error> {
    let mut m = s.serialize_map(Some(v.len()))?;
    for i in v {
        m.serialize_entry(&i.name, i)?;
    }
    m.end()
}

fn ser_scenarios<S: Serializer>(v: &[ScenarioReport], s: S) -> Result<S::Ok, S::Error> {
    let mut m = s.serialize_map(Some(v.len()))?;
    for i in v {
        m.serialize_entry(&i.name, i)?;
    }
    m.end()
}

impl RunReport {
    /// Builds the report from results and target outcomes (per scenario, in the
    /// order of `results`).
    pub fn build(
        plan: &Plan,
        results: &Results,
        targets: &[(usize, Vec<TargetOutcome>)],
        by: By,
    ) -> RunReport {
        RunReport::build_with(plan, results, targets, by, true)
    }

    /// [`RunReport::build`] without the horizon totals (every
    /// [`ItemReport::total`] is 0): enough for JSON and CSV, which do not show
    /// them, and quicker on a large plan.
    pub fn build_without_totals(
        plan: &Plan,
        results: &Results,
        targets: &[(usize, Vec<TargetOutcome>)],
        by: By,
    ) -> RunReport {
        RunReport::build_with(plan, results, targets, by, false)
    }

    fn build_with(
        plan: &Plan,
        results: &Results,
        targets: &[(usize, Vec<TargetOutcome>)],
        by: By,
        totals: bool,
    ) -> RunReport {
        let groups = period_groups(plan, by);
        let cascade = crate::outcome::targets::cascade_order(plan);
        let scenarios = results
            .scenarios
            .iter()
            .map(|r| {
                let sc = plan.scenarios.get(r.scenario);
                let outcomes = targets
                    .iter()
                    .find(|(s, _)| *s == r.scenario)
                    .map(|(_, o)| o.as_slice())
                    .unwrap_or(&[]);
                let triggers = r
                    .fired
                    .iter()
                    .map(|(t, f)| TriggerReport {
                        name: plan
                            .triggers
                            .get(*t)
                            .map(|x| x.name.clone())
                            .unwrap_or_default(),
                        fired: f.map(|p| plan.period_label(p)),
                    })
                    .collect();
                ScenarioReport {
                    name: sc.map(|s| s.name.clone()).unwrap_or_default(),
                    title: sc.map(|s| s.title.clone()).unwrap_or_default(),
                    is_base: r.scenario == plan.base,
                    items: item_reports(plan, &r.values, &groups, totals),
                    targets: target_reports(plan, &cascade, outcomes),
                    triggers,
                    requests: Vec::new(),
                    budgets: Vec::new(),
                    actuals: None,
                    forecast: None,
                }
            })
            .collect();
        RunReport {
            plan: plan.name.clone(),
            title: plan.title.clone(),
            windows: if by == By::Month || groups.iter().all(|g| g.range.len() == 1 && !g.partial) {
                Vec::new()
            } else {
                groups
                    .iter()
                    .map(|g| WindowReport {
                        period: g.label.clone(),
                        from: plan.period_label(g.range.start as i64),
                        to: plan.period_label(g.range.end.saturating_sub(1) as i64),
                        partial: g.partial,
                    })
                    .collect()
            },
            periods: groups.into_iter().map(|g| g.label).collect(),
            actuals_through: None,
            scenarios,
            ranked_requests: Vec::new(),
            contingency_left: None,
        }
    }

    /// Adds each scenario's requests (outcomes per scenario, as from
    /// [`crate::outcome::requests::all_outcomes`]).
    pub fn with_requests(
        mut self,
        plan: &Plan,
        requests: &[(usize, Vec<RequestOutcome>)],
    ) -> RunReport {
        let ids = plan_scenarios(plan, &self.scenarios);
        for (sc, r) in self.scenarios.iter_mut().zip(ids) {
            let Some(r) = r else { continue };
            let Some((_, outcomes)) = requests.iter().find(|(s, _)| *s == r) else {
                continue;
            };
            sc.requests = outcomes
                .iter()
                .filter_map(|o| {
                    let rq = plan.requests.get(o.request)?;
                    let side = |s: &Option<crate::outcome::requests::SideOutcome>| {
                        s.as_ref().map(|s| RequestSide {
                            condition: s.text.clone(),
                            value: s.condition.projected,
                            threshold: s.condition.threshold,
                            gap: s.condition.gap,
                            holds: s.condition.met,
                        })
                    };
                    let unit = o
                        .grant
                        .as_ref()
                        .or(o.ask.as_ref())
                        .map(|s| s.condition.unit.clone())
                        .unwrap_or_default();
                    Some(RequestReport {
                        request: rq.name.clone(),
                        from: rq
                            .from
                            .and_then(|d| plan.departments.get(d))
                            .map(|d| d.name.clone()),
                        ask: side(&o.ask),
                        grant: side(&o.grant),
                        gap: o.gap,
                        unit,
                    })
                })
                .collect();
        }
        self
    }

    /// Pretty JSON, exact decimals (the same text as serde_json's pretty printer).
    pub fn to_json(&self) -> String {
        let mut out = Vec::new();
        match self.write_json(&mut out) {
            Ok(()) => String::from_utf8(out).unwrap_or_default(),
            Err(e) => format!("{{\"error\": \"{e}\"}}"),
        }
    }

    /// Writes [`RunReport::to_json`]'s text to `w` as it goes, without holding it
    /// all in memory (no trailing newline).
    pub fn write_json(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        json::write(self, w)
    }
}

/// The scenario index of each report, by name.
fn plan_scenarios(plan: &Plan, reports: &[ScenarioReport]) -> Vec<Option<usize>> {
    reports.iter().map(|r| plan.scenario(&r.name)).collect()
}

/// Every item's values in one scenario, rolled up per window of `groups` (and
/// over the horizon, with `totals`).
fn item_reports(
    plan: &Plan,
    all: &[Vec<Decimal>],
    groups: &[PeriodGroup],
    totals: bool,
) -> Vec<ItemReport> {
    plan.items
        .iter()
        .zip(all)
        .enumerate()
        .map(|(id, (it, vals))| {
            let values = groups
                .iter()
                .map(|g| match vals.get(g.range.clone()).unwrap_or(&[]) {
                    // One period rolls up to itself.
                    [one] => *one,
                    _ => window_value(plan, all, id, g.range.clone()).unwrap_or_default(),
                })
                .collect();
            ItemReport {
                name: it.name.clone(),
                kind: it.kind.as_str(),
                unit: it.unit.clone(),
                values,
                total: if totals {
                    window_value(plan, all, id, 0..vals.len()).unwrap_or_default()
                } else {
                    Decimal::ZERO
                },
            }
        })
        .collect()
}

/// One scenario's target outcomes as report rows, with each objective's owner
/// and its place in `cascade` (as [`crate::outcome::targets::cascade_order`]).
fn target_reports(
    plan: &Plan,
    cascade: &[(usize, usize)],
    outcomes: &[TargetOutcome],
) -> Vec<TargetReport> {
    outcomes
        .iter()
        .map(|o| TargetReport {
            objective: plan
                .objectives
                .get(o.objective)
                .map(|x| x.name.clone())
                .unwrap_or_default(),
            owner: plan
                .objectives
                .get(o.objective)
                .and_then(|x| x.owner)
                .map(|p| plan.party_name(p).to_string())
                .unwrap_or_default(),
            depth: cascade
                .iter()
                .find(|c| c.0 == o.objective)
                .map(|c| c.1)
                .unwrap_or(0),
            rank: cascade
                .iter()
                .position(|c| c.0 == o.objective)
                .unwrap_or(usize::MAX),
            target: o.text.clone(),
            projected: o.projected,
            threshold: o.threshold,
            gap: o.gap,
            met: o.met,
            outlook: None,
            outlook_gap: None,
            unit: o.unit.clone(),
            period: o.period.map(|p| plan.period_label(p)),
        })
        .collect()
}
