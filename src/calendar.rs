//! The calendar (LANGUAGE.md §3.1): the plan's granularity and fiscal year, and
//! the labels of quarters and years.
//!
//! A plan counts in its own periods — months, quarters or years
//! ([`Plan::months_per_period`]) — and may move its quarters and years with
//! `fiscal year starts MONTH`. Without that statement (or with January) the
//! fiscal year is the calendar year and labels stay calendar (`2026-Q1`,
//! `2026`); with it, quarters and years of output are fiscal (`FY2027-Q1`,
//! `FY2027`), a fiscal year named by the calendar year it ends in unless
//! `named by start`. The windows of output ([`By`], [`period_groups`]) — the
//! months, quarters and years every report, check and renderer groups periods
//! by — live here too. Everything here is a pure function of the plan.

use crate::ir::Plan;
use crate::syntax::ast::{month_label, Fiscal};

/// The months of the year, as `fiscal year starts` accepts them (any case,
/// full or three letters).
pub(crate) const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The month (0 = January) a written month name means: `February`, `feb`, any
/// case.
pub fn parse_month(name: &str) -> Option<u32> {
    let lower = name.to_ascii_lowercase();
    MONTH_NAMES
        .iter()
        .position(|m| {
            let m = m.to_ascii_lowercase();
            lower == m || (lower.len() == 3 && m.starts_with(&lower))
        })
        .and_then(|i| u32::try_from(i).ok())
}

/// The plan's fiscal year, for reading `FY` periods.
pub(crate) fn fiscal(plan: &Plan) -> Fiscal {
    Fiscal {
        start_month: plan.fiscal_start.unwrap_or(0),
        named_by_start: plan.fiscal_named_by_start,
    }
}

/// True when output quarters and years are fiscal (a fiscal year that does not
/// start in January).
pub(crate) fn is_fiscal(plan: &Plan) -> bool {
    plan.fiscal_start.is_some_and(|m| m != 0)
}

/// The fiscal year (its name) and the fiscal quarter (1..=4) an absolute month
/// falls in.
pub(crate) fn fiscal_year_quarter(plan: &Plan, month: i64) -> (i64, i64) {
    let s = i64::from(plan.fiscal_start.unwrap_or(0));
    let shifted = month - s;
    let first_year = shifted.div_euclid(12);
    let name = if plan.fiscal_named_by_start || s == 0 {
        first_year
    } else {
        first_year + 1
    };
    (name, shifted.rem_euclid(12) / 3 + 1)
}

/// The label of the quarter an absolute month falls in: `2026-Q1`, or
/// `FY2027-Q1` in a plan with a fiscal year.
pub(crate) fn quarter_label(plan: &Plan, month: i64) -> String {
    if is_fiscal(plan) {
        let (y, q) = fiscal_year_quarter(plan, month);
        format!("FY{y:04}-Q{q}")
    } else {
        format!(
            "{:04}-Q{}",
            month.div_euclid(12),
            month.rem_euclid(12) / 3 + 1
        )
    }
}

/// The label of the year an absolute month falls in: `2026`, or `FY2027` in a
/// plan with a fiscal year.
pub(crate) fn year_label(plan: &Plan, month: i64) -> String {
    if is_fiscal(plan) {
        format!("FY{:04}", fiscal_year_quarter(plan, month).0)
    } else {
        format!("{:04}", month.div_euclid(12))
    }
}

/// The label of the plan period starting at absolute month `month`: a month,
/// or the quarter or year it is — fiscal when it lines up with the fiscal year,
/// else calendar, else (a period that lines up with neither) its first month.
pub fn period_label(plan: &Plan, month: i64) -> String {
    let mpp = plan.months_per_period();
    if mpp == 1 {
        return month_label(month);
    }
    let fs = i64::from(plan.fiscal_start.unwrap_or(0));
    let fiscal_aligned = is_fiscal(plan) && (month - fs).rem_euclid(mpp) == 0;
    let calendar_aligned = month.rem_euclid(mpp) == 0;
    match (mpp, fiscal_aligned, calendar_aligned) {
        (3, true, _) => {
            let (y, q) = fiscal_year_quarter(plan, month);
            format!("FY{y:04}-Q{q}")
        }
        (3, false, true) => format!(
            "{:04}-Q{}",
            month.div_euclid(12),
            month.rem_euclid(12) / 3 + 1
        ),
        (12, true, _) => format!("FY{:04}", fiscal_year_quarter(plan, month).0),
        (12, false, true) => format!("{:04}", month.div_euclid(12)),
        _ => month_label(month),
    }
}

/// The word for the plan's periods: `monthly`, `quarterly` or `yearly`.
pub(crate) fn granularity_word(plan: &Plan) -> &'static str {
    match plan.months_per_period() {
        3 => "quarterly",
        12 => "yearly",
        _ => "monthly",
    }
}

/// An example period of the plan's granularity, for helps (`2027-Q1`).
pub(crate) fn example_period(plan: &Plan) -> String {
    match plan.months_per_period() {
        3 | 12 => plan.period_label(0),
        _ => month_label(plan.start),
    }
}

/// A window of the plan's periods in words: `2026-02 .. 2026-04`, prefixed with
/// its name when the plan has a fiscal year and the window is one whole fiscal
/// quarter or year (`FY2027-Q1 (2026-02 .. 2026-04)`), as output names it.
pub(crate) fn window_label(plan: &Plan, range: std::ops::Range<usize>) -> String {
    let (lo, hi) = (range.start as i64, range.end as i64 - 1);
    if lo >= hi {
        return plan.period_label(lo);
    }
    let span = format!("{} .. {}", plan.period_label(lo), plan.period_label(hi));
    if !is_fiscal(plan) {
        return span;
    }
    let whole = [By::Quarter, By::Year]
        .into_iter()
        .flat_map(|by| period_groups(plan, by))
        .find(|g| !g.partial && g.range == range);
    match whole {
        Some(g) => format!("{} ({span})", g.label),
        None => span,
    }
}

/// How to group months in output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum By {
    /// One column per month.
    #[default]
    Month,
    /// Calendar quarters.
    Quarter,
    /// Calendar years.
    Year,
}

/// One window of output: a month, or a quarter or year rolled up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodGroup {
    /// Its label (`2026-03`, `2026-Q1`, `2026`).
    pub label: String,
    /// The plan's periods inside it (indices into the horizon).
    pub range: std::ops::Range<usize>,
    /// True when the quarter or year lies only partly inside the horizon.
    pub partial: bool,
}

/// The windows of output for `by`, with their labels: the single source of
/// quarters and years for every report, check and renderer. Quarters and years
/// are fiscal when the plan says `fiscal year starts` (labelled `FY2027-Q1`,
/// `FY2027`); `by` finer than the plan's periods gives the plan's periods. A
/// window only partly inside the horizon keeps its label and is `partial`.
pub fn period_groups(plan: &Plan, by: By) -> Vec<PeriodGroup> {
    let mut out: Vec<PeriodGroup> = Vec::new();
    let mpp = plan.months_per_period();
    let months = match by {
        By::Month => 1,
        By::Quarter => 3,
        By::Year => 12,
    }
    .max(mpp);
    for i in 0..plan.len {
        let m = plan.first_month_of(i as i64);
        let label = match months {
            // The plan's own periods keep their own labels.
            _ if months == mpp => plan.period_label(i as i64),
            3 => quarter_label(plan, m),
            12 => year_label(plan, m),
            _ => month_label(m),
        };
        match out.last_mut() {
            Some(g) if g.label == label => g.range.end = i + 1,
            _ => out.push(PeriodGroup {
                label,
                range: i..i + 1,
                partial: false,
            }),
        }
    }
    for g in &mut out {
        g.partial = (g.range.len() as i64) * mpp < months;
    }
    out
}
