//! `plumb sensitivity`: a tornado of the ranged drivers (UNCERTAINTY.md §3).

use super::simulate::{load, scenarios};
use plumb::calendar::{period_groups, By};
use plumb::ir::Plan;
use plumb::present::{amount, decimals_for, exact};
use plumb::uncertainty::sensitivity::{tornado, Output, Tornado};
use std::ops::Range;
use std::path::PathBuf;

/// Output formats of `plumb sensitivity` and `plumb solve`.
#[derive(Debug, Clone, Copy, clap::ValueEnum, PartialEq, Eq)]
pub enum UncertaintyFormat {
    /// Aligned text.
    Table,
    /// JSON with exact decimal strings.
    Json,
}

/// Arguments of `plumb sensitivity`.
#[derive(Debug, clap::Args)]
pub struct SensitivityArgs {
    /// The plan's entry file.
    pub file: PathBuf,
    /// An objective (`revenue_65m`, `revenue_65m#2` for its second target) or a
    /// driver or metric.
    pub of: String,
    /// The scenario (default: the plan's base scenario).
    #[arg(long, short = 's', value_name = "S")]
    pub scenario: Option<String>,
    /// A month, quarter or year to roll the item up over (default: the horizon).
    #[arg(long, value_name = "P")]
    pub period: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: UncertaintyFormat,
}

/// `OBJECTIVE[#N]` to (objective, target index), or a message.
pub fn objective_target(plan: &Plan, text: &str) -> Result<(usize, usize), String> {
    let (name, n) = match text.split_once('#') {
        Some((a, b)) => match b.parse::<usize>() {
            Ok(n) if n >= 1 => (a, n),
            _ => return Err(format!("`#{b}` is not a target number (1, 2, …)")),
        },
        None => (text, 1),
    };
    let Some(o) = plan.objectives.iter().position(|o| o.name == name) else {
        let names = plan.objectives.iter().map(|o| o.name.as_str());
        let hint = match plumb::suggest::closest(name, names) {
            Some(s) => format!(" (did you mean `{s}`?)"),
            None => String::new(),
        };
        return Err(format!("no objective `{name}`{hint}"));
    };
    let count = plan.objectives.get(o).map_or(0, |x| x.targets.len());
    if n > count {
        return Err(format!("objective `{name}` has {count} target(s), not {n}"));
    }
    Ok((o, n - 1))
}

/// A window label (`2026-03`, `2026-Q1`, `2026`) to its periods.
pub fn window(plan: &Plan, label: &str) -> Option<Range<usize>> {
    [By::Month, By::Quarter, By::Year]
        .into_iter()
        .flat_map(|b| period_groups(plan, b))
        .find(|g| g.label == label)
        .map(|g| g.range)
}

/// Runs `plumb sensitivity`.
pub fn run(args: &SensitivityArgs) -> u8 {
    let loaded = match load(&args.file) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let plan = loaded.c.plan();
    let s = match &args.scenario {
        Some(n) => match scenarios(plan, std::slice::from_ref(n)) {
            Ok(v) => v.first().copied().unwrap_or(plan.base),
            Err(code) => return code,
        },
        None => plan.base,
    };
    let (out, label, unit) = match output(plan, &args.of) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let range = match &args.period {
        Some(p) => match window(plan, p) {
            Some(r) => r,
            None => {
                eprintln!("error: `{p}` is not a month, quarter or year of the plan's horizon");
                return 2;
            }
        },
        None => 0..plan.len,
    };
    let t = match tornado(plan, &loaded.model, s, out, range) {
        Ok(t) => t,
        Err(e) => {
            let d = e.to_diagnostic();
            eprint!(
                "{}",
                plumb::diagnostic::render_human(&d, &loaded.c.sources, Default::default())
            );
            return 1;
        }
    };
    let scen = plan
        .scenarios
        .get(s)
        .map(|x| x.name.clone())
        .unwrap_or_default();
    let over = args.period.clone().unwrap_or_else(|| "the horizon".into());
    if args.format == UncertaintyFormat::Json {
        return print_json(plan, &t, (&label, &scen, args.period.as_deref()), &unit);
    }
    let mut stdout = super::Out::lock();
    print_table(&mut stdout, plan, &t, (&label, &scen, &over), &unit);
    if let Err(code) = stdout.finish() {
        return code;
    }
    0
}

/// What the tornado is of: an item, or an objective's target (`revenue_65m#2`),
/// with its label and unit. Err is the exit code when `of` names neither.
fn output(plan: &Plan, of: &str) -> Result<(Output, String, plumb::units::Unit), u8> {
    match plan.item(of) {
        Some(i) => Ok((
            Output::Item(i),
            of.to_string(),
            plan.items
                .get(i)
                .map(|x| x.unit.clone())
                .unwrap_or_default(),
        )),
        None => match objective_target(plan, of) {
            Ok((o, t)) => {
                let text = plan
                    .objectives
                    .get(o)
                    .and_then(|x| x.targets.get(t))
                    .map(|x| x.text.clone())
                    .unwrap_or_default();
                let unit = plan
                    .objectives
                    .get(o)
                    .and_then(|x| x.targets.get(t))
                    .and_then(|x| match &x.expr.kind {
                        plumb::ir::ExprKind::Binary(_, l, r) => {
                            Some(plumb::outcome::targets::sides_unit(plan, l, r))
                        }
                        _ => None,
                    })
                    .unwrap_or_default();
                let name = plan
                    .objectives
                    .get(o)
                    .map(|x| x.name.clone())
                    .unwrap_or_default();
                Ok((Output::Target(o, t), format!("{name}: {text}"), unit))
            }
            Err(msg) => {
                eprintln!(
                    "error: `{}` is neither a driver, a metric nor an objective: {msg}",
                    of
                );
                Err(2)
            }
        },
    }
}

/// The tornado as JSON, with exact decimal strings; returns the exit code.
fn print_json(
    plan: &Plan,
    t: &Tornado,
    (label, scen, period): (&str, &str, Option<&str>),
    unit: &plumb::units::Unit,
) -> u8 {
    let bars: Vec<serde_json::Value> = t
        .bars
        .iter()
        .map(|b| {
            serde_json::json!({
                "driver": plan.items.get(b.driver).map(|i| i.name.clone()).unwrap_or_default(),
                "driver_p10": b.driver_low.map(exact),
                "driver_p90": b.driver_high.map(exact),
                "at_p10": exact(b.at_low),
                "at_p50": exact(b.at_median),
                "at_p90": exact(b.at_high),
                "swing": exact(b.swing),
                "monotonic": b.monotonic,
            })
        })
        .collect();
    let v = serde_json::json!({
        "of": label,
        "scenario": scen,
        "period": period,
        "unit": unit.to_string(),
        "planned": exact(t.planned),
        "drivers": bars,
    });
    match serde_json::to_string_pretty(&v) {
        Ok(s) => {
            if let Err(code) = super::print_stdout(&format!("{s}\n")) {
                return code;
            }
        }
        Err(e) => {
            eprintln!("error: cannot write JSON: {e}");
            return 2;
        }
    }
    0
}

/// The tornado as an aligned table: the planned value, then one row per ranged
/// driver.
fn print_table(
    out: &mut super::Out,
    plan: &Plan,
    t: &Tornado,
    (label, scen, over): (&str, &str, &str),
    unit: &plumb::units::Unit,
) {
    let all: Vec<_> = t
        .bars
        .iter()
        .flat_map(|b| [b.at_low, b.at_high, b.swing])
        .chain([t.planned])
        .collect();
    let dp = decimals_for(&all, unit);
    writeln!(
        out,
        "Sensitivity of {label} in scenario {scen}, over {over}"
    );
    writeln!(out, "planned: {}", amount(t.planned, unit, dp));
    if t.bars.is_empty() {
        writeln!(out, "No ranged driver affects it in this scenario.");
        return;
    }
    writeln!(out);
    let mut rows = vec![["driver", "P10", "P90", "at P10", "at P90", "swing"]
        .map(String::from)
        .to_vec()];
    for b in &t.bars {
        let Some(it) = plan.items.get(b.driver) else {
            continue;
        };
        let ddp = decimals_for(
            &[
                b.driver_low.unwrap_or_default(),
                b.driver_high.unwrap_or_default(),
            ],
            &it.unit,
        );
        let mut name = it.name.clone();
        if !b.monotonic {
            name.push_str(" (non-monotonic)");
        }
        rows.push(vec![
            name,
            b.driver_low
                .map(|v| amount(v, &it.unit, ddp))
                .unwrap_or_default(),
            b.driver_high
                .map(|v| amount(v, &it.unit, ddp))
                .unwrap_or_default(),
            amount(b.at_low, unit, dp),
            amount(b.at_high, unit, dp),
            amount(b.swing, unit, dp),
        ]);
    }
    write!(out, "{}", super::solve::aligned(&rows));
}
