//! Actuals: closed-period values read from the files an `actuals "PATH"`
//! declaration names, and what the plan becomes once reality is known.
//!
//! ```text
//!  files (read by compile through its FileSystem) ──read──▶ tables of cells
//!      ──build──▶ Actuals { per item, per period: Option<Decimal>; through }
//!      ──forecast──▶ eval with the actuals pinned in closed periods
//!      ──checks──▶ assumption-off-track, maintain-broken, target-at-risk, …
//!      ──variance──▶ plan vs actual vs outlook, and why the gap exists
//! ```
//!
//! This module never opens a file: [`crate::compile`] reads the bytes through the
//! same path rules as imports (inside the entry file's directory, never followed
//! outside) and hands them here. Every data error is a [`Diagnostic`] on the
//! plan's `actuals` declaration whose message starts `FILE:LINE:COLUMN:`.

pub(crate) mod changes;
pub(crate) mod checks;
pub(crate) mod forecast;
pub mod notes;
pub mod read;
pub mod render;
pub mod run_json;
pub mod variance;

use crate::diagnostic::{Code, Diagnostic};
use crate::ir::{ActualsSource, ItemId, Plan};
use crate::syntax::ast::{month_label, Aggregation};
use read::{Cell, Table};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};

/// Most data diagnostics of one kind reported per file; the rest are counted.
const MAX_REPORTED: usize = 20;

/// The actuals of a plan, checked against its items and horizon.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Actuals {
    /// Per item (in `Plan::items` order): one entry per period of the horizon, None
    /// where there is no actual. Empty for an item without any actual. Values after
    /// `through` are already dropped.
    pub values: Vec<Vec<Option<Decimal>>>,
    /// Index of the last closed period (`--as-of`, else `actuals through`, else the
    /// last period with an actual). None when nothing is closed.
    pub through: Option<i64>,
}

impl Actuals {
    /// The actual of `item` in period `t`, if any.
    pub fn get(&self, item: ItemId, t: usize) -> Option<Decimal> {
        self.values
            .get(item)
            .and_then(|v| v.get(t))
            .copied()
            .flatten()
    }

    /// True when `item` has at least one actual.
    pub(crate) fn has(&self, item: ItemId) -> bool {
        self.values
            .get(item)
            .is_some_and(|v| v.iter().any(Option::is_some))
    }

    /// Number of closed periods (0 when nothing is closed).
    pub fn closed(&self) -> usize {
        self.through
            .and_then(|t| usize::try_from(t + 1).ok())
            .unwrap_or(0)
    }

    /// True when some item has an actual.
    pub fn any(&self) -> bool {
        (0..self.values.len()).any(|i| self.has(i))
    }
}

/// Reads `--as-of P` (a month `2026-03`, a quarter `2026-Q1` or a year `2026`)
/// as the absolute number of its last month (year × 12 + month − 1).
pub fn parse_as_of(text: &str) -> Option<i64> {
    let t = text.trim();
    if let Some((y, q)) = t
        .split_once(['-'])
        .filter(|(_, q)| q.starts_with(['Q', 'q']))
    {
        let y: i64 = y.parse().ok().filter(|_| y.len() == 4)?;
        let q: i64 = q.get(1..)?.parse().ok().filter(|q| (1..=4).contains(q))?;
        return Some(y * 12 + q * 3 - 1);
    }
    if t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit()) {
        return t.parse::<i64>().ok().map(|y| y * 12 + 11);
    }
    read::parse_month(t).filter(|_| t.len() <= 7)
}

/// One actuals file as read by the caller.
#[derive(Debug, Clone)]
pub struct DataFile<'a> {
    /// The declaration.
    pub(crate) source: &'a ActualsSource,
    /// How the file is named in messages (`actuals.csv`).
    pub(crate) display: String,
    /// The file's text, for CSV (line and column of a cell are computed from it).
    pub(crate) text: Option<String>,
    /// Its cells.
    pub(crate) table: Table,
}

/// Reads a file's bytes as a table: `.xlsx` through calamine, anything else as
/// UTF-8 CSV. The error is a sentence saying why it cannot be read.
pub fn parse_file<'a>(
    source: &'a ActualsSource,
    display: String,
    bytes: Vec<u8>,
) -> Result<DataFile<'a>, String> {
    let xlsx = source.path.to_ascii_lowercase().ends_with(".xlsx");
    if xlsx {
        let table = read::xlsx_table(bytes, source.sheet.as_deref())?;
        return Ok(DataFile {
            source,
            display,
            text: None,
            table,
        });
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        format!(
            "the file is not UTF-8 text (byte {})",
            e.utf8_error().valid_up_to()
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text).to_string();
    let table = read::csv_table(&text)?;
    Ok(DataFile {
        source,
        display,
        text: Some(text),
        table,
    })
}

/// One value read: where it came from.
#[derive(Debug, Clone)]
struct Seen {
    value: Decimal,
    at: String,
    file: usize,
    /// More than one row was summed into it.
    summed: bool,
}

/// Checks every file's rows against the plan and gathers the actuals.
/// `as_of` (an index into the horizon) wins over the plan's `actuals through`.
pub fn build(
    plan: &Plan,
    files: &[DataFile<'_>],
    as_of: Option<i64>,
) -> (Actuals, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let names: HashMap<&str, ItemId> = plan
        .items
        .iter()
        .enumerate()
        .map(|(i, it)| (it.name.as_str(), i))
        .collect();
    let mut cells: BTreeMap<(ItemId, i64), Seen> = BTreeMap::new();
    for (fi, f) in files.iter().enumerate() {
        let mut r = FileReader {
            plan,
            names: &names,
            file: f,
            index: fi,
            diags: &mut diags,
            counts: HashMap::new(),
        };
        r.read(&mut cells);
    }
    let n = plan.len as i64;
    let mut values: Vec<Vec<Option<Decimal>>> = vec![Vec::new(); plan.items.len()];
    let mut outside: BTreeMap<usize, (usize, String)> = BTreeMap::new();
    let mut last: Option<i64> = None;
    for (&(item, month), seen) in &cells {
        let t = month - plan.start;
        if !(0..n).contains(&t) {
            let e = outside
                .entry(seen.file)
                .or_insert_with(|| (0, format!("{} ({})", seen.at, month_label(month))));
            e.0 += 1;
            continue;
        }
        last = Some(last.map_or(t, |l| l.max(t)));
        if let Some(v) = values.get_mut(item) {
            if v.is_empty() {
                *v = vec![None; plan.len];
            }
            if let Some(slot) = v.get_mut(t as usize) {
                *slot = Some(seen.value);
            }
        }
    }
    for (fi, (count, first)) in outside {
        if let Some(f) = files.get(fi) {
            diags.push(
                Diagnostic::warning(
                    Code::ActualsOutOfHorizon,
                    f.source.span,
                    format!(
                        "{count} value{} in {} {} outside the plan's horizon ({} .. {}) and {} ignored; the first is {first}",
                        plural(count),
                        f.display,
                        if count == 1 { "lies" } else { "lie" },
                        plan.period_label(0),
                        plan.period_label(n - 1),
                        if count == 1 { "is" } else { "are" },
                    ),
                )
                .with_label("outside the horizon")
                .with_help("remove them from the export, or widen `periods` in the plan"),
            );
        }
    }
    let through = as_of
        .or(plan.actuals_through.map(|t| t.0))
        .or(last)
        .map(|t| t.min(n - 1));
    let mut actuals = Actuals { values, through };
    after_close(plan, files, &cells, &mut actuals, &mut diags);
    missing(plan, files, &cells, &actuals, &mut diags);
    (actuals, diags)
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Drops values after `through` with one warning per file.
fn after_close(
    plan: &Plan,
    files: &[DataFile<'_>],
    cells: &BTreeMap<(ItemId, i64), Seen>,
    actuals: &mut Actuals,
    diags: &mut Vec<Diagnostic>,
) {
    let through = actuals.through.unwrap_or(-1);
    let mut per_file: BTreeMap<usize, (usize, String)> = BTreeMap::new();
    for (&(item, month), seen) in cells {
        let t = month - plan.start;
        if t <= through || t >= plan.len as i64 {
            continue;
        }
        let e = per_file.entry(seen.file).or_insert_with(|| {
            let name = plan.items.get(item).map(|i| i.name.as_str()).unwrap_or("?");
            (0, format!("{} (`{name}`, {})", seen.at, month_label(month)))
        });
        e.0 += 1;
        if let Some(slot) = actuals
            .values
            .get_mut(item)
            .and_then(|v| v.get_mut(t as usize))
        {
            *slot = None;
        }
    }
    let close = if through < 0 {
        "no period is closed".to_string()
    } else {
        format!(
            "the books are closed through {}",
            plan.period_label(through)
        )
    };
    for (fi, (count, first)) in per_file {
        if let Some(f) = files.get(fi) {
            diags.push(
                Diagnostic::warning(
                    Code::ActualsAfterClose,
                    f.source.span,
                    format!(
                        "{count} value{} in {} {} after the close and {} ignored ({close}); the first is {first}",
                        plural(count),
                        f.display,
                        if count == 1 { "comes" } else { "come" },
                        if count == 1 { "is" } else { "are" },
                    ),
                )
                .with_label("values after the close")
                .with_help("bump `actuals through` in the plan block when the month is closed"),
            );
        }
    }
    for v in &mut actuals.values {
        if v.iter().all(Option::is_none) {
            v.clear();
        }
    }
}

/// `actuals-missing`: an item with actuals for some closed periods but not all.
fn missing(
    plan: &Plan,
    files: &[DataFile<'_>],
    cells: &BTreeMap<(ItemId, i64), Seen>,
    actuals: &Actuals,
    diags: &mut Vec<Diagnostic>,
) {
    let closed = actuals.closed();
    for (item, v) in actuals.values.iter().enumerate() {
        if v.is_empty() {
            continue;
        }
        let gaps: Vec<String> = (0..closed)
            .filter(|t| v.get(*t).copied().flatten().is_none())
            .map(|t| plan.period_label(t as i64))
            .collect();
        if gaps.is_empty() {
            continue;
        }
        let file = cells
            .range((item, i64::MIN)..=(item, i64::MAX))
            .next()
            .map(|(_, s)| s.file)
            .unwrap_or(0);
        let Some(f) = files.get(file) else { continue };
        let name = plan.items.get(item).map(|i| i.name.as_str()).unwrap_or("?");
        diags.push(
            Diagnostic::warning(
                Code::ActualsMissing,
                f.source.span,
                format!(
                    "`{name}` has actuals for some closed periods but none for {}; the model's value stands in",
                    gaps.join(", ")
                ),
            )
            .with_label(format!("no actual of `{name}` for {}", gaps.join(", ")))
            .with_help(format!(
                "add a row for `{name}` in {} for each closed period",
                f.display
            )),
        );
    }
}

/// Reads one file's rows.
struct FileReader<'a, 'p> {
    plan: &'p Plan,
    names: &'a HashMap<&'p str, ItemId>,
    file: &'a DataFile<'a>,
    index: usize,
    diags: &'a mut Vec<Diagnostic>,
    /// Diagnostics reported per code (the rest are counted, not shown).
    counts: HashMap<Code, usize>,
}

/// The columns of a long layout, or the period columns of a wide one.
enum Layout {
    Long {
        period: usize,
        name: usize,
        value: usize,
        unit: Option<usize>,
    },
    Wide {
        periods: Vec<(usize, i64)>,
    },
}

impl FileReader<'_, '_> {
    fn at(&self, cell: &Cell) -> String {
        let (l, c) = read::line_col(self.file.text.as_deref().unwrap_or(""), cell.loc);
        format!("{}:{l}:{c}", self.file.display)
    }

    fn line_of(&self, cell: &Cell) -> String {
        let (l, _) = read::line_col(self.file.text.as_deref().unwrap_or(""), cell.loc);
        format!("{}:{l}", self.file.display)
    }

    fn report(&mut self, d: Diagnostic) {
        let n = self.counts.entry(d.code).or_insert(0);
        *n += 1;
        if *n <= MAX_REPORTED {
            self.diags.push(d);
        }
    }

    fn error(&mut self, code: Code, message: String, help: String) {
        let d = Diagnostic::error(code, self.file.source.span, message)
            .with_label(format!("in {}", self.file.display))
            .with_help(help);
        self.report(d);
    }

    fn read(&mut self, cells: &mut BTreeMap<(ItemId, i64), Seen>) {
        let Some(header) = self.file.table.first() else {
            self.error(
                Code::ActualsBadValue,
                format!("{}: the file is empty", self.file.display),
                "start it with a header row `period,name,value`".into(),
            );
            return;
        };
        let Some(layout) = self.layout(header) else {
            return;
        };
        for row in self.file.table.iter().skip(1) {
            self.row(row, &layout, cells);
        }
        for (code, n) in self.counts.clone() {
            if n > MAX_REPORTED {
                let d = Diagnostic::error(
                    code,
                    self.file.source.span,
                    format!(
                        "{}: {} more `{code}` problems like the ones above",
                        self.file.display,
                        n - MAX_REPORTED
                    ),
                )
                .with_help("fix the export and check again");
                self.diags.push(d);
            }
        }
    }

    /// Works out the layout from the header (with `columns` renames).
    fn layout(&mut self, header: &[Cell]) -> Option<Layout> {
        let find = |ours: &str, this: &Self| -> Option<usize> {
            let wanted = this
                .file
                .source
                .columns
                .iter()
                .find(|(o, _)| o.eq_ignore_ascii_case(ours))
                .map(|(_, t)| t.as_str())
                .unwrap_or(ours);
            header
                .iter()
                .position(|c| c.text.eq_ignore_ascii_case(wanted))
        };
        for (ours, theirs) in &self.file.source.columns {
            let ours_ok = ["period", "name", "value", "unit"]
                .iter()
                .any(|o| o.eq_ignore_ascii_case(ours));
            if !ours_ok {
                self.error(
                    Code::ActualsBadValue,
                    format!(
                        "`columns` names `{ours}`, which is not one of period, name, value, unit"
                    ),
                    "write `columns period \"Month\", name \"Account\", value \"Amount\"`".into(),
                );
                continue;
            }
            if !header.iter().any(|c| c.text.eq_ignore_ascii_case(theirs)) {
                let heads: Vec<&str> = header.iter().map(|c| c.text.as_str()).collect();
                let help = match crate::suggest::closest(theirs, heads.iter().copied()) {
                    Some(s) => format!("did you mean `columns {ours} \"{s}\"`?"),
                    None => format!("the header has: {}", heads.join(", ")),
                };
                let at = header.first().map(|c| self.line_of(c)).unwrap_or_default();
                self.error(
                    Code::ActualsBadValue,
                    format!("{at}:1: the header has no column \"{theirs}\""),
                    help,
                );
                return None;
            }
        }
        if let (Some(period), Some(name), Some(value)) = (
            find("period", self),
            find("name", self),
            find("value", self),
        ) {
            return Some(Layout::Long {
                period,
                name,
                value,
                unit: find("unit", self),
            });
        }
        // Wide: `name, 2026-01, 2026-02, …`.
        let first_is_name = header.first().is_some_and(|c| {
            let wanted = self
                .file
                .source
                .columns
                .iter()
                .find(|(o, _)| o.eq_ignore_ascii_case("name"))
                .map(|(_, t)| t.as_str())
                .unwrap_or("name");
            c.text.eq_ignore_ascii_case(wanted)
        });
        let mut periods = Vec::new();
        let mut bad = None;
        for (i, c) in header.iter().enumerate().skip(1) {
            match read::parse_month(&c.text) {
                Some(m) => periods.push((i, m)),
                None => {
                    bad = bad.or(Some(c.clone()));
                }
            }
        }
        if first_is_name && bad.is_none() && !periods.is_empty() {
            return Some(Layout::Wide { periods });
        }
        let (at, what) = match (&bad, first_is_name) {
            (Some(c), true) => (self.at(c), format!("`{}` is not a period", c.text)),
            _ => (
                header.first().map(|c| self.at(c)).unwrap_or_default(),
                "the header names no `period`, `name` and `value` columns and is not `name, 2026-01, 2026-02, …`".to_string(),
            ),
        };
        self.error(
            Code::ActualsBadValue,
            format!("{at}: {what}"),
            "use a header `period,name,value` (long), `name,2026-01,2026-02,…` (wide), or say which columns hold them: `columns period \"Month\", name \"Account\", value \"Amount\"`".into(),
        );
        None
    }

    fn row(&mut self, row: &[Cell], layout: &Layout, cells: &mut BTreeMap<(ItemId, i64), Seen>) {
        match layout {
            Layout::Long {
                period,
                name,
                value,
                unit,
            } => {
                let Some(name_cell) = row.get(*name) else {
                    return;
                };
                let Some(item) = self.item(name_cell) else {
                    return;
                };
                let Some(pc) = row.get(*period) else {
                    let at = self.line_of(name_cell);
                    self.error(
                        Code::ActualsBadValue,
                        format!("{at}: the row has no period"),
                        "every row needs a period, a name and a value".into(),
                    );
                    return;
                };
                let Some(month) = read::parse_month(&pc.text) else {
                    let at = self.at(pc);
                    self.error(
                        Code::ActualsBadValue,
                        format!("{at}: `{}` is not a period", pc.text),
                        "write months as `2026-03`".into(),
                    );
                    return;
                };
                let Some(vc) = row.get(*value).filter(|c| !c.text.is_empty()) else {
                    return;
                };
                if let Some(uc) = unit.and_then(|u| row.get(u)) {
                    if !self.unit_ok(item, uc) {
                        return;
                    }
                }
                if let Some(v) = self.value(vc) {
                    self.add(cells, item, month, v, vc);
                }
            }
            Layout::Wide { periods } => {
                let Some(name_cell) = row.first() else {
                    return;
                };
                let Some(item) = self.item(name_cell) else {
                    return;
                };
                for (col, month) in periods {
                    let Some(vc) = row.get(*col).filter(|c| !c.text.is_empty()) else {
                        continue;
                    };
                    if let Some(v) = self.value(vc) {
                        self.add(cells, item, *month, v, vc);
                    }
                }
            }
        }
    }

    /// The item a name stands for; None (reported, unless ignored) otherwise.
    fn item(&mut self, cell: &Cell) -> Option<ItemId> {
        let name = cell.text.as_str();
        if name.is_empty() {
            return None;
        }
        let src = self.file.source;
        if src.ignores.iter().any(|p| read::matches_pattern(p, name)) {
            return None;
        }
        if let Some((_, target, span)) = src.maps.iter().find(|(from, _, _)| from == name) {
            return match self.names.get(target.as_str()) {
                Some(i) => Some(*i),
                None => {
                    let d = Diagnostic::error(
                        Code::ActualsUnknownName,
                        *span,
                        format!(
                            "`map` sends \"{name}\" to `{target}`, which is not a driver or metric"
                        ),
                    )
                    .with_label("not an item of the plan");
                    let d = match crate::suggest::closest(
                        target,
                        self.plan.items.iter().map(|i| i.name.as_str()),
                    ) {
                        Some(s) => d.with_suggestion(s),
                        None => d.with_help("map it to a driver or metric of the plan"),
                    };
                    self.report(d);
                    None
                }
            };
        }
        if let Some(i) = self.names.get(name) {
            return Some(*i);
        }
        let at = self.line_of(cell);
        let candidates = self
            .plan
            .items
            .iter()
            .map(|i| i.name.as_str())
            .chain(src.maps.iter().map(|m| m.0.as_str()));
        let help = match crate::suggest::closest(name, candidates) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!(
                "name a driver or metric, add `map \"{name}\" -> ITEM`, or `ignore \"{name}\"` in the `actuals` block"
            ),
        };
        self.error(
            Code::ActualsUnknownName,
            format!("{at}: `{name}` is not a driver or metric of the plan"),
            help,
        );
        None
    }

    fn value(&mut self, cell: &Cell) -> Option<Decimal> {
        match read::parse_value(&cell.text) {
            Some(v) => Some(v),
            None => {
                let at = self.at(cell);
                let digits: String = cell
                    .text
                    .chars()
                    .filter(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '%'))
                    .collect();
                let help = match read::parse_value(&digits) {
                    Some(v) if !digits.is_empty() => format!(
                        "did you mean `{v}`? values are written `1234.5`, `-1234.5`, `\"1,234.50\"`, `(1,234.50)` or `22.5%`"
                    ),
                    _ => "values are written `1234.5`, `-1234.5`, `\"1,234.50\"`, `(1,234.50)` or `22.5%`".into(),
                };
                self.error(
                    Code::ActualsBadValue,
                    format!("{at}: `{}` is not a number", cell.text),
                    help,
                );
                None
            }
        }
    }

    fn unit_ok(&mut self, item: ItemId, cell: &Cell) -> bool {
        let Some(it) = self.plan.items.get(item) else {
            return true;
        };
        let want = it.unit.to_string();
        let norm = |s: &str| s.replace(' ', "");
        if cell.text.is_empty() || norm(&cell.text).eq_ignore_ascii_case(&norm(&want)) {
            return true;
        }
        let at = self.at(cell);
        self.error(
            Code::ActualsUnit,
            format!(
                "{at}: `{}` is in {}, but `{}` is in {want}",
                it.name, cell.text, it.name
            ),
            format!("convert the value to {want}, or write `{want}` in the unit column"),
        );
        false
    }

    fn add(
        &mut self,
        cells: &mut BTreeMap<(ItemId, i64), Seen>,
        item: ItemId,
        month: i64,
        v: Decimal,
        cell: &Cell,
    ) {
        let flow = self
            .plan
            .items
            .get(item)
            .is_some_and(|i| i.aggregation == Aggregation::Flow);
        let here = self.line_of(cell);
        match cells.get_mut(&(item, month)) {
            None => {
                cells.insert(
                    (item, month),
                    Seen {
                        value: v,
                        at: here,
                        file: self.index,
                        summed: false,
                    },
                );
            }
            Some(seen) if flow => match seen.value.checked_add(v) {
                Some(sum) => {
                    seen.value = sum;
                    seen.summed = true;
                }
                None => {
                    let at = self.at(cell);
                    self.error(
                        Code::ActualsBadValue,
                        format!("{at}: the sum of the rows for this item and period overflows"),
                        "check the export for values in the wrong scale".into(),
                    );
                }
            },
            Some(seen) => {
                let name = self
                    .plan
                    .items
                    .get(item)
                    .map(|i| i.name.as_str())
                    .unwrap_or("?");
                let first = seen.at.clone();
                let _ = seen.summed;
                self.error(
                    Code::ActualsDuplicate,
                    format!(
                        "{here}: a second actual of `{name}` for {} (the first is at {first}); `{name}` is not a flow, so its rows cannot be summed",
                        month_label(month)
                    ),
                    "keep one row per item and period (a balance or a ratio is not added up)".into(),
                );
            }
        }
    }
}
