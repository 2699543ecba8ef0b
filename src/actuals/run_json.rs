//! What actuals add to `plumb run` (ACTUALS.md §4): `actuals_through`, per
//! scenario the actuals and the forecast (shaped like the plan's items, targets
//! and triggers), and each target's outlook.

use super::variance::value_over;
use super::Actuals;
use crate::calendar::{period_groups, By};
use crate::eval::Results;
use crate::ir::Plan;
use crate::outcome::targets::all_outcomes;
use crate::report::{ForecastReport, RunReport};

/// Adds the actuals and the forecast to a run report built from the plan's
/// results with the same `by`. A forecast whose targets cannot be evaluated
/// leaves the targets without an outlook.
pub fn attach(report: &mut RunReport, plan: &Plan, actuals: &Actuals, forecast: &Results, by: By) {
    report.actuals_through = Some(
        actuals
            .through
            .filter(|t| *t >= 0)
            .map(|t| plan.period_label(t))
            .unwrap_or_default(),
    );
    let groups = period_groups(plan, by);
    let outcomes = all_outcomes(plan, forecast).unwrap_or_default();
    let mut fr = RunReport::build_without_totals(plan, forecast, &outcomes, by);
    for sc in &mut report.scenarios {
        let Some(s) = plan.scenario(&sc.name) else {
            continue;
        };
        let Some(f) = forecast.get(s) else { continue };
        let cols: Vec<(String, Vec<Option<rust_decimal::Decimal>>)> = actuals
            .values
            .iter()
            .enumerate()
            .filter(|(_, v)| !v.is_empty())
            .filter_map(|(i, v)| {
                let name = plan.items.get(i)?.name.clone();
                let vals = groups
                    .iter()
                    .map(|g| {
                        let r = &g.range;
                        let all = r.clone().all(|t| v.get(t).copied().flatten().is_some());
                        if all {
                            value_over(plan, &f.values, i, r.clone())
                        } else {
                            None
                        }
                    })
                    .collect();
                Some((name, vals))
            })
            .collect();
        sc.actuals = Some(cols);
        let Some(fsc) = fr.scenarios.iter_mut().find(|x| x.name == sc.name) else {
            continue;
        };
        for (t, o) in sc.targets.iter_mut().zip(&fsc.targets) {
            t.outlook = o.projected;
            t.outlook_gap = o.gap;
        }
        sc.forecast = Some(Box::new(ForecastReport {
            items: std::mem::take(&mut fsc.items),
            targets: std::mem::take(&mut fsc.targets),
            triggers: std::mem::take(&mut fsc.triggers),
        }));
    }
}

/// For the table of `plumb run`: the columns of closed periods show what
/// happened (the forecast's value there: the actual, or the model on actuals
/// where an item has none) and their labels end in ` A`. Call after
/// [`attach`]. Returns the footnote to print under the table.
pub fn mark_actual_columns(
    report: &mut RunReport,
    plan: &Plan,
    actuals: &Actuals,
    by: By,
) -> String {
    let closed = actuals.closed().min(plan.len);
    let groups = period_groups(plan, by);
    let marked: Vec<usize> = groups
        .iter()
        .enumerate()
        .filter(|(_, g)| g.range.end <= closed)
        .map(|(k, _)| k)
        .collect();
    for &k in &marked {
        if let Some(p) = report.periods.get_mut(k) {
            p.push_str(" A");
        }
    }
    for sc in &mut report.scenarios {
        let Some(f) = sc.forecast.as_ref() else {
            continue;
        };
        for (it, fit) in sc.items.iter_mut().zip(&f.items) {
            for &k in &marked {
                if let (Some(v), Some(a)) = (it.values.get_mut(k), fit.values.get(k)) {
                    *v = *a;
                }
            }
        }
    }
    if marked.is_empty() {
        return String::new();
    }
    format!(
        "A: actual (the books are closed through {}); other columns are the plan\n",
        plan.period_label(closed as i64 - 1)
    )
}
