//! `plumb export --format xlsx`: the workbook of REPORTS.md §2.
//!
//! [`workbook`] takes the same [`SiteInput`] as the HTML report and gives back
//! the bytes of an `.xlsx` file: one sheet per scenario (a row per item, a column
//! per month, then quarter and year roll-ups written as formulas with their
//! values cached), then Targets, Assumptions, Requests, Budgets (when known),
//! RACI and Charts (a native line chart of each top objective's item, one series
//! per scenario). Exact decimals become binary floating point here, once, by
//! parsing their exact text; the Targets sheet says that JSON holds the exact
//! digits. The workbook's creation date is the plan's first month, so the same
//! plan gives the same bytes.

use super::site::{AssumptionStatus, ItemActuals, SiteInput};
use super::window::window_value;
use crate::calendar::{period_groups, By};
use crate::ir::{Expr, ExprKind, Party, Plan};
use crate::present as format;
use crate::syntax::ast::{Aggregation, BinOp, UnOp};
use crate::units::{currency_symbol, Unit};
use rust_decimal::Decimal;
use rust_xlsxwriter::{
    Chart, ChartType, DocProperties, ExcelDateTime, Format, FormatBorder, Formula, Workbook,
    Worksheet, XlsxError,
};
use std::ops::Range;

/// Sheet names Plumb uses besides the scenarios'.
const FIXED: [&str; 8] = [
    "Targets",
    "Assumptions",
    "Requests",
    "Budgets",
    "RACI",
    "Charts",
    "Actuals",
    "Variance",
];

/// Columns before the first month on a scenario sheet: item, kind, unit.
pub(crate) const FIRST_PERIOD_COL: u16 = 3;

/// The sheet name of a scenario: its name, cut to Excel's 31 characters, with
/// ` (scenario)` when it would clash with a fixed sheet.
pub(crate) fn scenario_sheet_name(name: &str) -> String {
    let mut n: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .take(31)
        .collect();
    if FIXED.iter().any(|f| f.eq_ignore_ascii_case(&n)) {
        n = format!("{n} (scenario)");
    }
    n
}

/// A decimal as the nearest binary float (its exact text parsed once).
fn float(v: Decimal) -> f64 {
    format::exact(v).parse().unwrap_or(0.0)
}

/// The Excel number format for a unit with `dp` decimals: currency with its
/// symbol, `0.0%`, grouped numbers otherwise.
pub(crate) fn num_format(unit: &Unit, dp: u32) -> String {
    let frac = if dp == 0 {
        String::new()
    } else {
        format!(".{}", "0".repeat(dp.min(10) as usize))
    };
    let code = unit
        .currency()
        .or_else(|| unit.currency_per().map(|(c, _)| c));
    if let Some(code) = code {
        return match currency_symbol(code) {
            Some(sym) => format!("\"{sym}\"#,##0{frac}"),
            None => format!("#,##0{frac}\" {code}\""),
        };
    }
    if unit.percent && unit.factors.is_empty() {
        return "0.0%".into();
    }
    format!("#,##0{frac}")
}

/// [`num_format`] with the decimals that suit `values`.
fn num_format_for(unit: &Unit, values: &[Decimal]) -> String {
    num_format(unit, format::decimals_for(values, unit))
}

/// `A1`-style name of a column (0 → `A`).
pub(crate) fn col_name(mut c: u16) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// The roll-up formula of a window of month cells on row `row` (0-based), for
/// the roll-ups that read the item's own cells (a `formula` roll-up reads its
/// operands' roll-up cells instead: see [`formula_rollup`]).
pub(crate) fn rollup_formula(agg: Aggregation, row: u32, months: &Range<usize>) -> String {
    let r = row + 1;
    let first = col_name(FIRST_PERIOD_COL + months.start as u16);
    let last = col_name(FIRST_PERIOD_COL + months.end.saturating_sub(1) as u16);
    match agg {
        Aggregation::Flow => format!("=SUM({first}{r}:{last}{r})"),
        Aggregation::Stock => format!("={last}{r}"),
        Aggregation::Average | Aggregation::Formula => {
            format!("=AVERAGE({first}{r}:{last}{r})")
        }
    }
}

/// The cells an `average` roll-up reads: an initiative member's from the
/// initiative's `start` when the window straddles it (before it, the member is
/// 0 and the whole window averages to 0).
fn from_start(plan: &Plan, item: usize, window: &Range<usize>) -> Range<usize> {
    let start = plan
        .items
        .get(item)
        .and_then(|it| it.initiative)
        .and_then(|i| plan.initiatives.get(i))
        .and_then(|i| i.start)
        .and_then(|s| usize::try_from(s).ok());
    match start {
        Some(s) if s > window.start && s < window.end => s..window.end,
        _ => window.clone(),
    }
}

/// A `formula` roll-up as a spreadsheet formula: the item's formula with each
/// operand replaced by that operand's roll-up cell in the same window column
/// `col` (items sit on row index + 1). None when the formula holds anything but
/// items, constants and arithmetic (the cell then holds the value alone).
pub(crate) fn formula_rollup(e: &Expr, col: &str) -> Option<String> {
    fn go(e: &Expr, col: &str, depth: usize) -> Option<String> {
        if depth > 64 {
            return None;
        }
        Some(match &e.kind {
            ExprKind::Const(v, _) => format::exact(*v),
            ExprKind::Item(j) => format!("{col}{}", j + 2),
            ExprKind::Unary(UnOp::Neg, a) => format!("(-{})", go(a, col, depth + 1)?),
            ExprKind::Binary(op, a, b) => {
                let o = match op {
                    BinOp::Add => "+",
                    BinOp::Sub => "-",
                    BinOp::Mul => "*",
                    BinOp::Div => "/",
                    _ => return None,
                };
                format!("({}{o}{})", go(a, col, depth + 1)?, go(b, col, depth + 1)?)
            }
            _ => return None,
        })
    }
    go(e, col, 0).map(|f| format!("={f}"))
}

/// The workbook's bytes.
pub fn workbook(input: &SiteInput) -> Result<Vec<u8>, XlsxError> {
    let plan = input.plan;
    let mut wb = Workbook::new();
    let start = plan.start;
    let created = ExcelDateTime::from_ymd(
        u16::try_from(start.div_euclid(12)).unwrap_or(2000),
        u8::try_from(start.rem_euclid(12) + 1).unwrap_or(1),
        1,
    )?;
    wb.set_properties(
        &DocProperties::new()
            .set_title(&plan.title)
            .set_author("Plumb")
            .set_creation_datetime(&created),
    );
    let bold = Format::new()
        .set_bold()
        .set_border_bottom(FormatBorder::Thin);
    for r in &input.results.scenarios {
        let ws = wb.add_worksheet();
        scenario_sheet(ws, input, r.scenario, &r.values, &bold)?;
    }
    targets_sheet(wb.add_worksheet(), input, &bold)?;
    if !plan.assumptions.is_empty() {
        assumptions_sheet(wb.add_worksheet(), input, &bold)?;
    }
    if !plan.requests.is_empty() {
        requests_sheet(wb.add_worksheet(), input, &bold)?;
    }
    if input.extras.budgets.as_ref().is_some_and(|b| !b.is_empty()) {
        budgets_sheet(wb.add_worksheet(), input, &bold)?;
    }
    if !plan.raci.is_empty() {
        raci_sheet(wb.add_worksheet(), plan, &bold)?;
    }
    if let Some(actuals) = input.extras.actuals.as_ref().filter(|a| !a.is_empty()) {
        actuals_sheet(wb.add_worksheet(), plan, actuals, &bold)?;
        variance_sheet(wb.add_worksheet(), input, actuals, &bold)?;
    }
    charts_sheet(wb.add_worksheet(), input, &bold)?;
    wb.save_to_buffer()
}

fn scenario_sheet(
    ws: &mut Worksheet,
    input: &SiteInput,
    scenario: usize,
    values: &[Vec<Decimal>],
    bold: &Format,
) -> Result<(), XlsxError> {
    let plan = input.plan;
    let name = plan
        .scenarios
        .get(scenario)
        .map(|s| s.name.as_str())
        .unwrap_or("scenario");
    ws.set_name(scenario_sheet_name(name))?;
    ws.write_string_with_format(0, 0, "Item", bold)?;
    ws.write_string_with_format(0, 1, "Kind", bold)?;
    ws.write_string_with_format(0, 2, "Unit", bold)?;
    let months = period_groups(plan, By::Month);
    let mut windows = Vec::new();
    if plan.len > 3 {
        windows.extend(period_groups(plan, By::Quarter));
    }
    if plan.len > 1 {
        windows.extend(period_groups(plan, By::Year));
    }
    for (i, g) in months.iter().chain(windows.iter()).enumerate() {
        ws.write_string_with_format(0, FIRST_PERIOD_COL + i as u16, &g.label, bold)?;
        ws.set_column_width(FIRST_PERIOD_COL + i as u16, 15)?;
    }
    let mut widest = 10usize;
    for (row, it) in plan.items.iter().enumerate() {
        let row = row as u32 + 1;
        widest = widest.max(it.name.chars().count());
        ws.write_string(row, 0, &it.name)?;
        ws.write_string(row, 1, it.kind.as_str())?;
        ws.write_string(row, 2, it.unit.to_string())?;
        let vals = values
            .get(row as usize - 1)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let fmt = Format::new().set_num_format(num_format_for(&it.unit, vals));
        for (m, v) in vals.iter().enumerate() {
            ws.write_number_with_format(row, FIRST_PERIOD_COL + m as u16, float(*v), &fmt)?;
        }
        let wfmt = fmt.clone().set_bold();
        for (k, g) in windows.iter().enumerate() {
            let col = FIRST_PERIOD_COL + (months.len() + k) as u16;
            let value = window_value(plan, values, row as usize - 1, g.range.clone());
            let cached = value.map(format::exact).unwrap_or_default();
            let text = match crate::eval::window::effective_rollup(plan, row as usize - 1) {
                Aggregation::Formula => formula_rollup(&it.expr, &col_name(col)),
                Aggregation::Average => Some(rollup_formula(
                    Aggregation::Average,
                    row,
                    &from_start(plan, row as usize - 1, &g.range),
                )),
                agg => Some(rollup_formula(agg, row, &g.range)),
            };
            match (text, value) {
                (Some(text), _) => {
                    let f = Formula::new(text).set_result(cached);
                    ws.write_formula_with_format(row, col, f, &wfmt)?;
                }
                (None, Some(v)) => {
                    ws.write_number_with_format(row, col, float(v), &wfmt)?;
                }
                (None, None) => {}
            }
        }
    }
    // Members of a dimensioned item sit right under it (one row per item, in
    // plan order): an outline group folds them into their item's row.
    for g in &plan.dim_items {
        let rows: Vec<u32> = g.members.iter().map(|(_, id)| *id as u32 + 1).collect();
        let (Some(lo), Some(hi)) = (rows.iter().min(), rows.iter().max()) else {
            continue;
        };
        if (hi - lo) as usize + 1 == rows.len() {
            ws.group_rows(*lo, *hi)?;
        }
    }
    ws.set_column_width(0, (widest + 2).min(60) as f64)?;
    ws.set_column_width(1, 8)?;
    ws.set_column_width(2, 12)?;
    ws.set_freeze_panes(1, 1)?;
    Ok(())
}

fn scenario_label(plan: &Plan, s: usize) -> &str {
    plan.scenarios
        .get(s)
        .map(|x| x.name.as_str())
        .unwrap_or("?")
}

fn header(
    ws: &mut Worksheet,
    row: u32,
    cols: &[(&str, f64)],
    bold: &Format,
) -> Result<(), XlsxError> {
    for (i, (name, width)) in cols.iter().enumerate() {
        ws.write_string_with_format(row, i as u16, *name, bold)?;
        ws.set_column_width(i as u16, *width)?;
    }
    Ok(())
}

fn opt_number(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    v: Option<Decimal>,
    fmt: &Format,
) -> Result<(), XlsxError> {
    match v {
        Some(v) => ws
            .write_number_with_format(row, col, float(v), fmt)
            .map(|_| ()),
        None => ws.write_string(row, col, "").map(|_| ()),
    }
}

/// Row 0 of the Targets sheet is its note; the table's header is row 1.
pub(crate) const TARGETS_HEADER_ROW: u32 = 1;

fn targets_sheet(ws: &mut Worksheet, input: &SiteInput, bold: &Format) -> Result<(), XlsxError> {
    let plan = input.plan;
    ws.set_name("Targets")?;
    ws.write_string(
        0,
        0,
        "Numbers here are binary floating point for the spreadsheet; JSON holds the exact digits (plumb run --format json).",
    )?;
    let has_extra = input.extras.targets.is_some();
    let mut cols = vec![
        ("Scenario", 12.0),
        ("Objective", 20.0),
        ("Target", 34.0),
        ("Unit", 10.0),
        ("Projected", 16.0),
        ("Threshold", 16.0),
        ("Gap", 16.0),
        ("Met", 8.0),
    ];
    if has_extra {
        cols.extend([("Outlook", 16.0), ("Probability", 12.0)]);
    }
    header(ws, TARGETS_HEADER_ROW, &cols, bold)?;
    let mut row = TARGETS_HEADER_ROW + 1;
    let cascade = crate::outcome::targets::cascade_order(plan);
    for (s, outcomes) in input.targets {
        let mut sorted: Vec<_> = outcomes.iter().collect();
        sorted.sort_by_key(|o| {
            (
                cascade
                    .iter()
                    .position(|c| c.0 == o.objective)
                    .unwrap_or(usize::MAX),
                o.target,
            )
        });
        for o in sorted {
            let vals: Vec<Decimal> = [o.projected, o.threshold, o.gap]
                .into_iter()
                .flatten()
                .collect();
            let fmt = Format::new().set_num_format(num_format_for(&o.unit, &vals));
            ws.write_string(row, 0, scenario_label(plan, *s))?;
            ws.write_string(
                row,
                1,
                plan.objectives
                    .get(o.objective)
                    .map(|x| x.name.as_str())
                    .unwrap_or("?"),
            )?;
            ws.write_string(row, 2, &o.text)?;
            ws.write_string(row, 3, o.unit.to_string())?;
            opt_number(ws, row, 4, o.projected, &fmt)?;
            opt_number(ws, row, 5, o.threshold, &fmt)?;
            opt_number(ws, row, 6, o.gap, &fmt)?;
            ws.write_string(row, 7, if o.met { "met" } else { "missed" })?;
            if has_extra {
                let ex = input.extras.targets.iter().flatten().find(|x| {
                    x.scenario == *s && x.objective == o.objective && x.target == o.target
                });
                opt_number(ws, row, 8, ex.and_then(|e| e.outlook), &fmt)?;
                let pct = Format::new().set_num_format("0.0%");
                opt_number(ws, row, 9, ex.and_then(|e| e.probability), &pct)?;
            }
            row += 1;
        }
    }
    ws.set_freeze_panes(TARGETS_HEADER_ROW + 1, 1)?;
    Ok(())
}

fn party(plan: &Plan, p: Option<Party>) -> String {
    p.map(|p| plan.party_name(p).to_string())
        .unwrap_or_default()
}

fn assumptions_sheet(
    ws: &mut Worksheet,
    input: &SiteInput,
    bold: &Format,
) -> Result<(), XlsxError> {
    let plan = input.plan;
    ws.set_name("Assumptions")?;
    header(
        ws,
        0,
        &[
            ("Assumption", 22.0),
            ("Title", 48.0),
            ("Status", 10.0),
            ("Owner", 12.0),
            ("Counterbalanced by", 20.0),
            ("Depends on", 20.0),
            ("Evidence", 48.0),
        ],
        bold,
    )?;
    for (i, a) in plan.assumptions.iter().enumerate() {
        let row = i as u32 + 1;
        let status = input
            .assumptions
            .get(i)
            .copied()
            .unwrap_or(AssumptionStatus::Holds);
        ws.write_string(row, 0, &a.name)?;
        ws.write_string(row, 1, &a.title)?;
        ws.write_string(row, 2, status.as_str())?;
        ws.write_string(row, 3, party(plan, a.owner))?;
        let cb: Vec<&str> = a
            .counterbalances
            .iter()
            .filter_map(|c| plan.assumptions.get(*c).map(|x| x.name.as_str()))
            .collect();
        ws.write_string(row, 4, cb.join(", "))?;
        let deps: Vec<&str> = a
            .depends_on
            .iter()
            .filter_map(|(d, _)| plan.dependencies.get(*d).map(|x| x.name.as_str()))
            .collect();
        ws.write_string(row, 5, deps.join(", "))?;
        ws.write_string(row, 6, a.evidence.join(" "))?;
    }
    ws.set_freeze_panes(1, 1)?;
    Ok(())
}

fn requests_sheet(ws: &mut Worksheet, input: &SiteInput, bold: &Format) -> Result<(), XlsxError> {
    let plan = input.plan;
    ws.set_name("Requests")?;
    header(
        ws,
        0,
        &[
            ("Request", 20.0),
            ("Scenario", 12.0),
            ("From", 12.0),
            ("Ask", 26.0),
            ("Ask value", 16.0),
            ("Grant", 26.0),
            ("Grant value", 16.0),
            ("Gap", 14.0),
            ("Decision", 48.0),
        ],
        bold,
    )?;
    let mut row = 1;
    for (s, outcomes) in input.requests {
        for o in outcomes {
            let Some(rq) = plan.requests.get(o.request) else {
                continue;
            };
            let unit = o
                .grant
                .as_ref()
                .or(o.ask.as_ref())
                .map(|x| x.condition.unit.clone())
                .unwrap_or_default();
            let fmt = Format::new().set_num_format(num_format(&unit, 2));
            ws.write_string(row, 0, &rq.name)?;
            ws.write_string(row, 1, scenario_label(plan, *s))?;
            ws.write_string(
                row,
                2,
                rq.from
                    .and_then(|d| plan.departments.get(d))
                    .map(|d| d.name.as_str())
                    .unwrap_or(""),
            )?;
            for (col, side) in [(3u16, &o.ask), (5u16, &o.grant)] {
                if let Some(sd) = side {
                    ws.write_string(row, col, &sd.text)?;
                    opt_number(ws, row, col + 1, sd.condition.projected, &fmt)?;
                }
            }
            opt_number(ws, row, 7, o.gap, &fmt)?;
            ws.write_string(row, 8, rq.decision.as_deref().unwrap_or(""))?;
            row += 1;
        }
    }
    ws.set_freeze_panes(1, 1)?;
    Ok(())
}

fn budgets_sheet(ws: &mut Worksheet, input: &SiteInput, bold: &Format) -> Result<(), XlsxError> {
    let plan = input.plan;
    ws.set_name("Budgets")?;
    header(
        ws,
        0,
        &[
            ("Department", 16.0),
            ("Allowance", 16.0),
            ("Planned", 16.0),
            ("Actual", 16.0),
            ("Remaining", 16.0),
        ],
        bold,
    )?;
    for (i, b) in input.extras.budgets.iter().flatten().enumerate() {
        let row = i as u32 + 1;
        let fmt = Format::new().set_num_format(num_format(&b.unit, 2));
        ws.write_string(
            row,
            0,
            plan.departments
                .get(b.department)
                .map(|d| d.name.as_str())
                .unwrap_or("?"),
        )?;
        opt_number(ws, row, 1, Some(b.allowance), &fmt)?;
        opt_number(ws, row, 2, Some(b.planned), &fmt)?;
        opt_number(ws, row, 3, b.actual, &fmt)?;
        opt_number(ws, row, 4, Some(b.remaining), &fmt)?;
    }
    ws.set_freeze_panes(1, 1)?;
    Ok(())
}

fn raci_sheet(ws: &mut Worksheet, plan: &Plan, bold: &Format) -> Result<(), XlsxError> {
    ws.set_name("RACI")?;
    let mut cols: Vec<Party> = (0..plan.departments.len())
        .map(Party::Department)
        .chain((0..plan.roles.len()).map(Party::Role))
        .collect();
    cols.retain(|p| {
        plan.raci.iter().any(|r| {
            r.responsible.contains(p)
                || r.accountable.contains(p)
                || r.consulted.contains(p)
                || r.informed.contains(p)
        })
    });
    ws.write_string_with_format(0, 0, "Activity", bold)?;
    ws.write_string_with_format(0, 1, "Title", bold)?;
    ws.set_column_width(0, 24)?;
    ws.set_column_width(1, 40)?;
    let centre = Format::new().set_align(rust_xlsxwriter::FormatAlign::Center);
    for (i, p) in cols.iter().enumerate() {
        ws.write_string_with_format(0, 2 + i as u16, plan.party_name(*p), bold)?;
        ws.set_column_width(2 + i as u16, 11)?;
    }
    for (ri, r) in plan.raci.iter().enumerate() {
        let row = ri as u32 + 1;
        ws.write_string(row, 0, &r.name)?;
        ws.write_string(row, 1, &r.title)?;
        for (i, p) in cols.iter().enumerate() {
            let mut letters = String::new();
            for (l, v) in [
                ('R', &r.responsible),
                ('A', &r.accountable),
                ('C', &r.consulted),
                ('I', &r.informed),
            ] {
                if v.contains(p) {
                    letters.push(l);
                }
            }
            ws.write_string_with_format(row, 2 + i as u16, letters, &centre)?;
        }
    }
    ws.set_freeze_panes(1, 1)?;
    Ok(())
}

fn actuals_sheet(
    ws: &mut Worksheet,
    plan: &Plan,
    actuals: &[ItemActuals],
    bold: &Format,
) -> Result<(), XlsxError> {
    ws.set_name("Actuals")?;
    header(
        ws,
        0,
        &[("Scenario", 12.0), ("Item", 24.0), ("Unit", 12.0)],
        bold,
    )?;
    for (i, l) in plan.period_labels().iter().enumerate() {
        ws.write_string_with_format(0, FIRST_PERIOD_COL + i as u16, l, bold)?;
        ws.set_column_width(FIRST_PERIOD_COL + i as u16, 15)?;
    }
    for (r, a) in actuals.iter().enumerate() {
        let row = r as u32 + 1;
        let Some(it) = plan.items.get(a.item) else {
            continue;
        };
        let known: Vec<Decimal> = a.values.iter().flatten().copied().collect();
        let fmt = Format::new().set_num_format(num_format_for(&it.unit, &known));
        ws.write_string(row, 0, scenario_label(plan, a.scenario))?;
        ws.write_string(row, 1, &it.name)?;
        ws.write_string(row, 2, it.unit.to_string())?;
        for (p, v) in a.values.iter().enumerate() {
            if let Some(v) = v {
                ws.write_number_with_format(row, FIRST_PERIOD_COL + p as u16, float(*v), &fmt)?;
            }
        }
    }
    ws.set_freeze_panes(1, 2)?;
    Ok(())
}

/// Actual − plan per closed period, as ACTUALS.md §4 states it.
pub fn variance(
    plan: Decimal,
    actual: Decimal,
    lower_is_better: bool,
) -> (Decimal, Option<Decimal>, &'static str) {
    let v = actual - plan;
    let pct = v.checked_div(plan.abs());
    let word = if v.is_zero() {
        "on plan"
    } else if v.is_sign_positive() != lower_is_better {
        "favourable"
    } else {
        "unfavourable"
    };
    (v, pct, word)
}

fn variance_sheet(
    ws: &mut Worksheet,
    input: &SiteInput,
    actuals: &[ItemActuals],
    bold: &Format,
) -> Result<(), XlsxError> {
    let plan = input.plan;
    ws.set_name("Variance")?;
    header(
        ws,
        0,
        &[
            ("Scenario", 12.0),
            ("Item", 24.0),
            ("Unit", 12.0),
            ("Period", 10.0),
            ("Plan", 16.0),
            ("Actual", 16.0),
            ("Variance", 16.0),
            ("Variance %", 12.0),
            ("Direction", 14.0),
        ],
        bold,
    )?;
    let pct = Format::new().set_num_format("0.0%");
    let mut row = 1u32;
    for a in actuals {
        let Some(it) = plan.items.get(a.item) else {
            continue;
        };
        let planned = input
            .results
            .get(a.scenario)
            .and_then(|r| r.values.get(a.item))
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        for (p, v) in a.values.iter().enumerate() {
            let (Some(actual), Some(pl)) = (v, planned.get(p)) else {
                continue;
            };
            let (var, var_pct, word) = variance(*pl, *actual, a.favourable_lower);
            let fmt = Format::new().set_num_format(num_format_for(&it.unit, &[*pl, *actual, var]));
            ws.write_string(row, 0, scenario_label(plan, a.scenario))?;
            ws.write_string(row, 1, &it.name)?;
            ws.write_string(row, 2, it.unit.to_string())?;
            ws.write_string(row, 3, plan.period_label(p as i64))?;
            ws.write_number_with_format(row, 4, float(*pl), &fmt)?;
            ws.write_number_with_format(row, 5, float(*actual), &fmt)?;
            ws.write_number_with_format(row, 6, float(var), &fmt)?;
            opt_number(ws, row, 7, var_pct, &pct)?;
            ws.write_string(row, 8, word)?;
            row += 1;
        }
    }
    if row > 1 {
        let good = Format::new().set_font_color(rust_xlsxwriter::Color::RGB(0x1d7a3e));
        let bad = Format::new().set_font_color(rust_xlsxwriter::Color::RGB(0xb3261e));
        for (word, fmt) in [("favourable", good), ("unfavourable", bad)] {
            let cf = rust_xlsxwriter::ConditionalFormatFormula::new()
                .set_rule(format!("=$I2=\"{word}\"").as_str())
                .set_format(fmt);
            ws.add_conditional_format(1, 6, row - 1, 8, &cf)?;
        }
    }
    ws.set_freeze_panes(1, 2)?;
    Ok(())
}

/// The items of the top objectives' targets, in order.
pub(crate) fn top_items(plan: &Plan) -> Vec<usize> {
    let mut items = Vec::new();
    for (o, depth) in crate::outcome::targets::cascade_order(plan) {
        if depth != 0 {
            continue;
        }
        for t in plan
            .objectives
            .get(o)
            .map(|x| x.targets.as_slice())
            .unwrap_or(&[])
        {
            for i in t.expr.items() {
                if !items.contains(&i) {
                    items.push(i);
                }
            }
        }
    }
    items
}

fn charts_sheet(ws: &mut Worksheet, input: &SiteInput, bold: &Format) -> Result<(), XlsxError> {
    let plan = input.plan;
    ws.set_name("Charts")?;
    let items = top_items(plan);
    if items.is_empty() {
        ws.write_string(
            0,
            0,
            "The plan has no top objective with a target to chart.",
        )?;
        return Ok(());
    }
    ws.write_string_with_format(0, 0, "Top objectives' items, per scenario", bold)?;
    let last_col = FIRST_PERIOD_COL + plan.len.saturating_sub(1) as u16;
    for (k, item) in items.iter().enumerate() {
        let Some(it) = plan.items.get(*item) else {
            continue;
        };
        let mut chart = Chart::new(ChartType::Line);
        chart
            .title()
            .set_name(&format!("{} ({})", it.name, it.unit));
        chart.y_axis().set_num_format(num_format(&it.unit, 0));
        let row = *item as u32 + 1;
        for r in &input.results.scenarios {
            let sheet = scenario_sheet_name(scenario_label(plan, r.scenario));
            chart
                .add_series()
                .set_name(scenario_label(plan, r.scenario))
                .set_categories((sheet.as_str(), 0, FIRST_PERIOD_COL, 0, last_col))
                .set_values((sheet.as_str(), row, FIRST_PERIOD_COL, row, last_col));
        }
        chart.set_width(720).set_height(320);
        ws.insert_chart(2 + k as u32 * 17, 0, &chart)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variance_is_actual_minus_plan_with_direction() {
        let d = |s: &str| s.parse::<Decimal>().unwrap_or_default();
        // ACTUALS.md §5: Q1 revenue plan 12,682,382.16, actual 11,734,500.
        let (v, pct, word) = variance(d("12682382.16"), d("11734500"), false);
        assert_eq!(v, d("-947882.16"));
        assert_eq!(
            pct.map(|p| p.round_dp(4)),
            Some(d("-0.0747")),
            "−7.47% of plan"
        );
        assert_eq!(word, "unfavourable");
        assert_eq!(variance(d("100"), d("90"), true).2, "favourable");
        assert_eq!(variance(d("100"), d("100"), true).2, "on plan");
        assert_eq!(variance(d("0"), d("5"), false).1, None);
    }

    #[test]
    fn actuals_and_variance_sheets_read_back() {
        use calamine::{Data, Reader, Xlsx};
        let c = crate::compile::compile_str(
            "t.plumb",
            "plan t \"T\" {\n  currency USD\n  periods 2026-01 .. 2026-03\n  base base\n}\n\
             driver revenue: USD = 100\nscenario base \"Base\" {}\n",
            &crate::compile::Options {
                evaluate: true,
                scenarios: None,
            },
        );
        let plan = c.plan();
        let Some(results) = c.results.as_ref() else {
            panic!("not evaluated");
        };
        let d = |s: &str| s.parse::<Decimal>().unwrap_or_default();
        let extras = super::super::site::Extras {
            actuals: Some(vec![ItemActuals {
                scenario: 0,
                item: 0,
                values: vec![Some(d("90")), Some(d("112.5")), None],
                favourable_lower: false,
            }]),
            ..Default::default()
        };
        let bytes = workbook(&SiteInput {
            plan,
            results,
            targets: &[],
            requests: &[],
            assumptions: &[],
            extras: &extras,
        });
        let Ok(bytes) = bytes else {
            panic!("no workbook");
        };
        let Ok(mut wb) = Xlsx::new(std::io::Cursor::new(bytes)) else {
            panic!("unreadable");
        };
        let Ok(v) = wb.worksheet_range("Variance") else {
            panic!("no Variance sheet");
        };
        let row = |r: u32| -> Vec<Data> {
            (0..9)
                .map(|c| v.get_value((r, c)).cloned().unwrap_or(Data::Empty))
                .collect()
        };
        // Two closed periods: 90 − 100 = −10 (−10%), 112.5 − 100 = +12.5 (+12.5%).
        assert_eq!(
            row(1),
            [
                Data::String("base".into()),
                Data::String("revenue".into()),
                Data::String("USD".into()),
                Data::String("2026-01".into()),
                Data::Float(100.0),
                Data::Float(90.0),
                Data::Float(-10.0),
                Data::Float(-0.1),
                Data::String("unfavourable".into()),
            ]
        );
        assert_eq!(row(2).get(6), Some(&Data::Float(12.5)));
        assert_eq!(row(2).get(7), Some(&Data::Float(0.125)));
        assert_eq!(row(2).get(8), Some(&Data::String("favourable".into())));
        assert_eq!(v.get_size().0, 3, "no row for a period without actuals");
        let Ok(a) = wb.worksheet_range("Actuals") else {
            panic!("no Actuals sheet");
        };
        assert_eq!(a.get_value((1, 4)), Some(&Data::Float(112.5)));
    }

    #[test]
    fn column_names() {
        assert_eq!(col_name(0), "A");
        assert_eq!(col_name(25), "Z");
        assert_eq!(col_name(26), "AA");
        assert_eq!(col_name(27), "AB");
        assert_eq!(col_name(701), "ZZ");
        assert_eq!(col_name(702), "AAA");
    }

    #[test]
    fn rollup_formulas_by_aggregation() {
        assert_eq!(rollup_formula(Aggregation::Flow, 1, &(0..3)), "=SUM(D2:F2)");
        assert_eq!(rollup_formula(Aggregation::Stock, 1, &(3..6)), "=I2");
        assert_eq!(
            rollup_formula(Aggregation::Average, 4, &(0..12)),
            "=AVERAGE(D5:O5)"
        );
    }

    #[test]
    fn formats_from_units() {
        assert_eq!(num_format(&Unit::named("USD"), 2), "\"$\"#,##0.00");
        assert_eq!(num_format(&Unit::percent(), 1), "0.0%");
        assert_eq!(num_format(&Unit::named("fte"), 0), "#,##0");
        assert_eq!(num_format(&Unit::named("CHF"), 0), "#,##0\" CHF\"");
        assert_eq!(scenario_sheet_name("targets"), "targets (scenario)");
        assert_eq!(scenario_sheet_name("base"), "base");
    }
}
