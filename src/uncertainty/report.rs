//! Output of `plumb simulate`: a table for people (percentages, rounded amounts),
//! JSON with exact decimals and probabilities as fractions, CSV and Markdown.

use super::simulate::{Simulation, Stats};
use crate::ir::Plan;
use crate::present::{amount, decimals_for, exact};
use crate::units::Unit;
use rust_decimal::Decimal;
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use std::fmt::Write as _;

/// Percentiles and mean as exact decimal strings.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub(crate) struct StatsJson {
    /// 10th percentile.
    pub(crate) p10: String,
    /// Median.
    pub(crate) p50: String,
    /// 90th percentile.
    pub(crate) p90: String,
    /// The mean over every run, as an exact decimal string.
    pub(crate) mean: String,
}

impl From<Stats> for StatsJson {
    fn from(s: Stats) -> Self {
        StatsJson {
            p10: exact(s.p10),
            p50: exact(s.p50),
            p90: exact(s.p90),
            mean: exact(s.mean),
        }
    }
}

/// One target in JSON.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub(crate) struct TargetJson {
    /// Objective name.
    pub(crate) objective: String,
    /// The condition as written.
    pub(crate) target: String,
    /// Fraction of runs in which it is met.
    pub(crate) probability: String,
    /// Met in the plan as written.
    pub(crate) met_in_plan: bool,
    /// Projected value over the runs.
    pub(crate) projected: Option<StatsJson>,
    /// Gap over the runs.
    pub(crate) gap: Option<StatsJson>,
}

/// One item in JSON: per window and over the horizon.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub(crate) struct ItemJson {
    /// The item's unit, as written in the plan.
    pub(crate) unit: String,
    /// P10 per window.
    pub(crate) p10: Vec<Option<String>>,
    /// P50 per window.
    pub(crate) p50: Vec<Option<String>>,
    /// P90 per window.
    pub(crate) p90: Vec<Option<String>>,
    /// Mean per window.
    pub(crate) mean: Vec<Option<String>>,
    /// Over the horizon: the percentiles of each run's roll-up.
    pub(crate) total: Option<StatsJson>,
}

/// One trigger in JSON.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub(crate) struct TriggerJson {
    /// Trigger name.
    pub(crate) name: String,
    /// Fraction of runs in which it fires.
    pub(crate) probability: String,
    /// Median firing period over the runs in which it fires.
    pub(crate) median: Option<String>,
}

/// One scenario in JSON.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub(crate) struct ScenarioJson {
    /// The odds of each target in this scenario.
    pub(crate) targets: Vec<TargetJson>,
    /// Items by name, in plan order.
    #[serde(serialize_with = "ordered")]
    pub(crate) items: Vec<(String, ItemJson)>,
    /// How often, and when, each trigger fires in this scenario.
    pub(crate) triggers: Vec<TriggerJson>,
}

/// The whole simulation in JSON.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SimulationJson {
    /// Plan name.
    pub(crate) plan: String,
    /// Runs per scenario.
    pub(crate) samples: usize,
    /// The seed the runs were drawn with (the same seed gives the same numbers).
    pub(crate) seed: u64,
    /// Window labels.
    pub(crate) periods: Vec<String>,
    /// Scenarios by name, in plan order.
    #[serde(serialize_with = "ordered")]
    pub(crate) scenarios: Vec<(String, ScenarioJson)>,
}

fn ordered<S: Serializer, T: Serialize>(v: &[(String, T)], s: S) -> Result<S::Ok, S::Error> {
    let mut m = s.serialize_map(Some(v.len()))?;
    for (k, x) in v {
        m.serialize_entry(k, x)?;
    }
    m.end()
}

/// The JSON shape of a simulation.
pub fn to_json(plan: &Plan, sim: &Simulation) -> SimulationJson {
    let col = |w: &[Option<Stats>], f: fn(&Stats) -> Decimal| -> Vec<Option<String>> {
        w.iter().map(|s| s.as_ref().map(|s| exact(f(s)))).collect()
    };
    SimulationJson {
        plan: plan.name.clone(),
        samples: sim.samples,
        seed: sim.seed,
        periods: sim.windows.iter().map(|(l, _)| l.clone()).collect(),
        scenarios: sim
            .scenarios
            .iter()
            .map(|sc| {
                let name = scenario_name(plan, sc.scenario);
                let targets = sc
                    .targets
                    .iter()
                    .map(|t| TargetJson {
                        objective: objective_name(plan, t.objective),
                        target: t.text.clone(),
                        probability: exact(t.probability),
                        met_in_plan: t.planned_met,
                        projected: t.projected.map(Into::into),
                        gap: t.gap.map(Into::into),
                    })
                    .collect();
                let items = sc
                    .items
                    .iter()
                    .filter_map(|i| {
                        let it = plan.items.get(i.item)?;
                        Some((
                            it.name.clone(),
                            ItemJson {
                                unit: it.unit.to_string(),
                                p10: col(&i.windows, |s| s.p10),
                                p50: col(&i.windows, |s| s.p50),
                                p90: col(&i.windows, |s| s.p90),
                                mean: col(&i.windows, |s| s.mean),
                                total: i.total.map(Into::into),
                            },
                        ))
                    })
                    .collect();
                let triggers = sc
                    .triggers
                    .iter()
                    .map(|t| TriggerJson {
                        name: plan
                            .triggers
                            .get(t.trigger)
                            .map(|x| x.name.clone())
                            .unwrap_or_default(),
                        probability: exact(t.probability),
                        median: t.median.map(|p| plan.period_label(p)),
                    })
                    .collect();
                (
                    name,
                    ScenarioJson {
                        targets,
                        items,
                        triggers,
                    },
                )
            })
            .collect(),
    }
}

fn scenario_name(plan: &Plan, s: usize) -> String {
    plan.scenarios
        .get(s)
        .map(|x| x.name.clone())
        .unwrap_or_default()
}

fn objective_name(plan: &Plan, o: usize) -> String {
    plan.objectives
        .get(o)
        .map(|x| x.name.clone())
        .unwrap_or_default()
}

/// A probability for people: `20.7%`.
pub fn percent(p: Decimal) -> String {
    amount(p, &Unit::percent(), 1)
}

fn show(v: Decimal, unit: &Unit, dp: u32) -> String {
    amount(v, unit, dp)
}

/// Rows of text cells; the first column left-aligned, the others right-aligned.
#[derive(Debug, Default)]
pub(crate) struct Grid {
    pub(crate) rows: Vec<Vec<String>>,
}

impl Grid {
    pub(crate) fn text(&self, out: &mut String) {
        let cols = self.rows.iter().map(Vec::len).max().unwrap_or(0);
        let width: Vec<usize> = (0..cols)
            .map(|c| {
                self.rows
                    .iter()
                    .map(|r| r.get(c).map(|s| s.chars().count()).unwrap_or(0))
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        for r in &self.rows {
            let mut line = String::new();
            for (c, cell) in r.iter().enumerate() {
                let w = width.get(c).copied().unwrap_or(0);
                if c == 0 {
                    let _ = write!(line, "{cell:<w$}");
                } else {
                    let _ = write!(line, "  {cell:>w$}");
                }
            }
            let _ = writeln!(out, "{}", line.trim_end());
        }
    }

    pub fn markdown(&self, out: &mut String) {
        for (i, r) in self.rows.iter().enumerate() {
            let _ = writeln!(out, "| {} |", r.join(" | "));
            if i == 0 {
                let seps: Vec<&str> = r
                    .iter()
                    .enumerate()
                    .map(|(c, _)| if c == 0 { "---" } else { "---:" })
                    .collect();
                let _ = writeln!(out, "| {} |", seps.join(" | "));
            }
        }
    }
}

/// The sections of one scenario as grids: targets, items, triggers.
fn grids(plan: &Plan, sim: &Simulation, k: usize) -> (Grid, Grid, Grid) {
    let mut targets = Grid::default();
    let mut items = Grid::default();
    let mut triggers = Grid::default();
    let Some(sc) = sim.scenarios.get(k) else {
        return (targets, items, triggers);
    };
    targets.rows.push(
        ["target", "P(met)", "P10", "P50", "P90"]
            .map(String::from)
            .to_vec(),
    );
    for t in &sc.targets {
        let name = format!("{}: {}", objective_name(plan, t.objective), t.text);
        let mut row = vec![name, percent(t.probability)];
        if let Some(p) = t.projected {
            let dp = decimals_for(&[p.p10, p.p50, p.p90], &t.unit);
            row.extend([p.p10, p.p50, p.p90].map(|v| show(v, &t.unit, dp)));
        }
        targets.rows.push(row);
        if let Some(g) = t.gap {
            let dp = decimals_for(&[g.p10, g.p50, g.p90], &t.unit);
            let mut row = vec!["  gap".to_string(), String::new()];
            row.extend([g.p10, g.p50, g.p90].map(|v| show(v, &t.unit, dp)));
            targets.rows.push(row);
        }
    }
    items.rows.push(
        ["item (over the horizon)", "P10", "P50", "P90", "mean"]
            .map(String::from)
            .to_vec(),
    );
    for i in &sc.items {
        let (Some(it), Some(s)) = (plan.items.get(i.item), i.total) else {
            continue;
        };
        let dp = decimals_for(&[s.p10, s.p50, s.p90], &it.unit);
        let mut row = vec![it.name.clone()];
        row.extend([s.p10, s.p50, s.p90, s.mean].map(|v| show(v, &it.unit, dp)));
        items.rows.push(row);
    }
    triggers.rows.push(
        ["trigger", "P(fires)", "median period"]
            .map(String::from)
            .to_vec(),
    );
    for t in &sc.triggers {
        let name = plan
            .triggers
            .get(t.trigger)
            .map(|x| x.name.clone())
            .unwrap_or_default();
        let median = t
            .median
            .map(|p| plan.period_label(p))
            .unwrap_or_else(|| "-".into());
        triggers
            .rows
            .push(vec![name, percent(t.probability), median]);
    }
    (targets, items, triggers)
}

fn heading(plan: &Plan, sim: &Simulation, k: usize) -> String {
    let name = sim
        .scenarios
        .get(k)
        .map(|s| scenario_name(plan, s.scenario))
        .unwrap_or_default();
    format!(
        "Scenario {name}: {} runs, seed {}",
        crate::present::number(Decimal::from(sim.samples), 0),
        sim.seed
    )
}

/// The table for terminals.
pub fn render_table(plan: &Plan, sim: &Simulation) -> String {
    let mut out = String::new();
    for k in 0..sim.scenarios.len() {
        if k > 0 {
            out.push('\n');
        }
        let _ = writeln!(out, "{}", heading(plan, sim, k));
        let (t, i, g) = grids(plan, sim, k);
        for grid in [t, i, g] {
            if grid.rows.len() > 1 {
                out.push('\n');
                grid.text(&mut out);
            }
        }
    }
    out
}

/// Markdown tables.
pub fn render_markdown(plan: &Plan, sim: &Simulation) -> String {
    let mut out = String::new();
    for k in 0..sim.scenarios.len() {
        if k > 0 {
            out.push('\n');
        }
        let _ = writeln!(out, "## {}", heading(plan, sim, k));
        let (t, i, g) = grids(plan, sim, k);
        for grid in [t, i, g] {
            if grid.rows.len() > 1 {
                out.push('\n');
                grid.markdown(&mut out);
            }
        }
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

/// CSV: one row per target, target gap, item window (and horizon) and trigger.
pub fn render_csv(plan: &Plan, sim: &Simulation) -> String {
    let mut out = String::from("scenario,kind,name,period,probability,p10,p50,p90,mean\n");
    let stats = |s: Option<Stats>| match s {
        Some(s) => format!(
            "{},{},{},{}",
            exact(s.p10),
            exact(s.p50),
            exact(s.p90),
            exact(s.mean)
        ),
        None => ",,,".into(),
    };
    for sc in &sim.scenarios {
        let name = csv_field(&scenario_name(plan, sc.scenario));
        for t in &sc.targets {
            let label = csv_field(&format!(
                "{}: {}",
                objective_name(plan, t.objective),
                t.text
            ));
            let p = exact(t.probability);
            let _ = writeln!(out, "{name},target,{label},,{p},{}", stats(t.projected));
            let _ = writeln!(out, "{name},gap,{label},,,{}", stats(t.gap));
        }
        for i in &sc.items {
            let Some(it) = plan.items.get(i.item) else {
                continue;
            };
            let item = csv_field(&it.name);
            for ((label, _), s) in sim.windows.iter().zip(&i.windows) {
                let _ = writeln!(out, "{name},item,{item},{label},,{}", stats(*s));
            }
            let _ = writeln!(out, "{name},item,{item},total,,{}", stats(i.total));
        }
        for t in &sc.triggers {
            let tn = plan
                .triggers
                .get(t.trigger)
                .map(|x| csv_field(&x.name))
                .unwrap_or_default();
            let median = t.median.map(|p| plan.period_label(p)).unwrap_or_default();
            let _ = writeln!(
                out,
                "{name},trigger,{tn},{median},{},,,,",
                exact(t.probability)
            );
        }
    }
    out
}
