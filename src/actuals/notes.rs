//! What actuals add to hover and `plumb explain`: for closed periods, the plan,
//! the actual and the variance, and that a value is an actual (with what the
//! model would have said).

use super::variance::{explain, Inputs};
use crate::compile::Compilation;
use crate::present::{amount, decimals_for};
use std::fmt::Write;

/// Markdown lines for a hover on `name`: one per closed period with an actual,
/// `2026-01: plan $3,927,000 · actual $3,696,000 · variance -$231,000`. None
/// when the item has no actual.
pub(crate) fn hover_lines(c: &Compilation, name: &str) -> Option<String> {
    let plan = c.plan();
    let item = plan.item(name)?;
    let a = c.actuals.as_ref()?;
    let p = c.results.as_ref()?.get(plan.base)?;
    let it = plan.items.get(item)?;
    let mut md = String::new();
    for t in 0..a.closed().min(plan.len) {
        let Some(actual) = a.get(item, t) else {
            continue;
        };
        let pv = *p.values.get(item)?.get(t)?;
        let dp = decimals_for(&[pv, actual], &it.unit);
        let _ = writeln!(
            md,
            "- {}: plan {} · actual {} · variance {}",
            plan.period_label(t as i64),
            amount(pv, &it.unit, dp),
            amount(actual, &it.unit, dp),
            amount(actual - pv, &it.unit, dp)
        );
    }
    (!md.is_empty()).then(|| {
        format!(
            "\n**Actuals** (closed through {}):\n{md}",
            plan.period_label(a.closed() as i64 - 1)
        )
    })
}

/// For `plumb explain NAME --period P` on a closed period where the item has an
/// actual: a sentence saying the value is an actual, what the plan said and what
/// the model says on the actual inputs. `period` is an index of the horizon.
pub fn closed_note(c: &Compilation, name: &str, period: usize) -> Option<String> {
    let plan = c.plan();
    let item = plan.item(name)?;
    let a = c.actuals.as_ref()?;
    if period >= a.closed() {
        return None;
    }
    let actual = a.get(item, period)?;
    let it = plan.items.get(item)?;
    let inp = Inputs {
        plan,
        results: c.results.as_ref()?,
        forecast: c.forecast.as_ref()?,
        actuals: a,
    };
    let label = plan.period_label(period as i64);
    let attr = explain(inp, plan.base, item, period..period + 1, label.clone()).ok()?;
    let dp = decimals_for(&[actual, attr.plan, attr.model], &it.unit).max(2);
    let show = |v| amount(v, &it.unit, dp);
    Some(format!(
        "{label} is closed: `{name}` is an actual, {}. The model would have said {} on the plan's inputs (the derivation below) and {} on the actual inputs.\n",
        show(actual),
        show(attr.plan),
        show(attr.model)
    ))
}
