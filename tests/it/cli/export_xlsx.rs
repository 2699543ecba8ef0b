//! `plumb export --format xlsx`, read back with calamine: every month value
//! equals `plumb run --format json`'s to 15 significant digits, every roll-up
//! formula is the right one for the item's aggregation and its cached value is
//! the roll-up of the JSON values, and the Targets sheet matches JSON's targets.

#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

use crate::common::{bin, root};
use calamine::{open_workbook, Data, Reader, Xlsx};
use rust_decimal::Decimal;
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn run_json(plan: &Path) -> Value {
    run_json_by(plan, "month")
}

fn run_json_by(plan: &Path, by: &str) -> Value {
    let out = Command::new(bin())
        .args(["run", "--format", "json", "--by", by])
        .arg(plan)
        .output()
        .expect("plumb runs");
    serde_json::from_slice(&out.stdout).expect("JSON output")
}

/// Every item's roll-up per scenario and window label, from `plumb run --format
/// json --by quarter|year` (LANGUAGE.md §3.2).
fn rolled_up(plan: &Path) -> HashMap<(String, String, String), String> {
    let mut out = HashMap::new();
    for by in ["quarter", "year"] {
        let json = run_json_by(plan, by);
        let periods = json["periods"].as_array().expect("periods").clone();
        for (name, sc) in json["scenarios"].as_object().expect("scenarios") {
            for (item, v) in sc["items"].as_object().expect("items") {
                for (p, x) in periods.iter().zip(v["values"].as_array().expect("values")) {
                    let key = (
                        name.clone(),
                        item.clone(),
                        p.as_str().unwrap_or("").to_string(),
                    );
                    out.insert(key, x.as_str().unwrap_or("").to_string());
                }
            }
        }
    }
    out
}

fn export(plan: &Path, dir: &Path) -> PathBuf {
    let path = dir.join("plan.xlsx");
    let out = Command::new(bin())
        .args(["export", "--format", "xlsx", "-o"])
        .arg(&path)
        .arg(plan)
        .output()
        .expect("plumb export runs");
    assert!(
        path.is_file(),
        "no workbook: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    path
}

fn dec(s: &str) -> Decimal {
    s.parse::<Decimal>()
        .or_else(|_| Decimal::from_scientific(s))
        .expect("a decimal")
}

/// 15 significant digits.
fn sig15(x: f64) -> String {
    format!("{x:.14e}")
}

fn exact_f64(s: &str) -> f64 {
    s.parse().expect("a number")
}

fn cell_f64(d: Option<&Data>) -> Option<f64> {
    match d? {
        Data::Float(f) => Some(*f),
        Data::Int(i) => Some(*i as f64),
        _ => None,
    }
}

fn cell_str(d: Option<&Data>) -> String {
    match d {
        Some(Data::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

/// The column of a cell reference like `D2` or `AB7`.
fn col_of(cell: &str) -> usize {
    let letters: String = cell
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    letters
        .bytes()
        .fold(0usize, |acc, b| acc * 26 + (b - b'A' + 1) as usize)
        - 1
}

/// Checks one plan's workbook against its JSON; returns how many roll-up cells
/// were compared.
fn check_plan(rel: &str) -> usize {
    let dir = tempfile::tempdir().expect("temp dir");
    let plan = root().join(rel);
    let json = run_json(&plan);
    let rolled = rolled_up(&plan);
    let path = export(&plan, dir.path());
    check_workbook(rel, &path, &json, &rolled, Same::Sig15)
}

/// How close a workbook's number must be to the exact value.
#[derive(Clone, Copy)]
enum Same {
    /// Equal to 15 significant digits (the value written, or cached, by Plumb).
    Sig15,
    /// Within a relative 1e-12: recomputed by a spreadsheet in binary floating
    /// point and saved again (LibreOffice writes 15 significant digits, rounded
    /// from its own binary value, so the last digit may differ).
    Recomputed,
}

fn same(how: Same, got: f64, exact: f64) -> bool {
    match how {
        Same::Sig15 => sig15(got) == sig15(exact),
        Same::Recomputed => (got - exact).abs() <= 1e-12 * exact.abs().max(1e-300),
    }
}

fn check_workbook(
    rel: &str,
    path: &Path,
    json: &Value,
    rolled: &HashMap<(String, String, String), String>,
    how: Same,
) -> usize {
    let mut wb: Xlsx<_> = open_workbook(path).expect("opens");
    let periods: Vec<String> = json["periods"]
        .as_array()
        .expect("periods")
        .iter()
        .map(|p| p.as_str().unwrap_or("").to_string())
        .collect();
    let scenarios = json["scenarios"].as_object().expect("scenarios");
    let mut rollups = 0;
    for (name, sc) in scenarios {
        let range = wb.worksheet_range(name).expect("scenario sheet");
        let formulas = wb.worksheet_formula(name).expect("formulas");
        let items = sc["items"].as_object().expect("items");
        // Header: Item, Kind, Unit, months…, quarters…, years….
        for (k, p) in periods.iter().enumerate() {
            assert_eq!(cell_str(range.get_value((0, 3 + k as u32))), *p);
        }
        let width = range.get_size().1;
        let height = range.get_size().0 as u32;
        assert_eq!(
            height as usize,
            items.len() + 1,
            "{rel} {name}: one row per item"
        );
        for (item, v) in items {
            let row = (1..height)
                .find(|r| cell_str(range.get_value((*r, 0))) == *item)
                .unwrap_or_else(|| panic!("{rel} {name}: no row for {item}"));
            assert_eq!(
                cell_str(range.get_value((row, 2))),
                v["unit"].as_str().unwrap_or("")
            );
            let values: Vec<&str> = v["values"]
                .as_array()
                .expect("values")
                .iter()
                .map(|x| x.as_str().unwrap_or(""))
                .collect();
            for (k, s) in values.iter().enumerate() {
                let got = cell_f64(range.get_value((row, 3 + k as u32)))
                    .unwrap_or_else(|| panic!("{rel} {name} {item} month {k}: no number"));
                assert!(
                    same(how, got, exact_f64(s)),
                    "{rel} {name} {item} {}: {got} against {s}",
                    periods[k]
                );
            }
            // Roll-up columns: a formula over month cells of this row.
            for col in 3 + values.len()..width {
                let f = formulas
                    .get_value((row, col as u32))
                    .cloned()
                    .unwrap_or_default();
                let f = f.trim_start_matches('=');
                let label = cell_str(range.get_value((0, col as u32)));
                let json_rollup = rolled
                    .get(&(name.clone(), item.clone(), label.clone()))
                    .unwrap_or_else(|| panic!("{rel} {name} {item} {label}: no JSON roll-up"));
                let got = cell_f64(range.get_value((row, col as u32)))
                    .unwrap_or_else(|| panic!("{rel} {name} {item} {label}: no cached value"));
                // Every cached roll-up equals the JSON's roll-up of the window.
                assert!(
                    same(how, got, exact_f64(json_rollup)),
                    "{rel} {name} {item} {label} ({f}): {got} against the JSON's {json_rollup}"
                );
                if f.starts_with('(') {
                    // A `formula` roll-up: the item's formula over its operands'
                    // roll-up cells in the same column.
                    assert!(
                        !f.contains(':'),
                        "{rel} {name} {item} {label}: a formula roll-up reads cells, not ranges: {f}"
                    );
                    rollups += 1;
                    continue;
                }
                let (kind, args) = f
                    .split_once('(')
                    .map(|(k, a)| (k, a.trim_end_matches(')')))
                    .unwrap_or(("LAST", f));
                let (a, b) = args.split_once(':').unwrap_or((args, args));
                let (ca, cb) = (col_of(a) - 3, col_of(b) - 3);
                assert!(a.ends_with(&(row + 1).to_string()), "{f} on row {row}");
                let window: Vec<Decimal> = values[ca..=cb].iter().map(|s| dec(s)).collect();
                let expected = match kind {
                    "SUM" => window.iter().sum::<Decimal>(),
                    "AVERAGE" => window.iter().sum::<Decimal>() / Decimal::from(window.len()),
                    "LAST" => {
                        assert_eq!(ca, cb, "a stock takes one cell: {f}");
                        window[0]
                    }
                    other => panic!("unexpected formula {other}: {f}"),
                };
                let want = exact_f64(&expected.normalize().to_string());
                assert!(
                    same(how, got, want),
                    "{rel} {name} {item} {label} ({f}): {got} against {want}"
                );
                rollups += 1;
            }
        }
    }
    // Targets: scenario, objective, target, unit, projected, threshold, gap, met.
    let t = wb.worksheet_range("Targets").expect("Targets sheet");
    assert!(cell_str(t.get_value((0, 0))).contains("JSON holds the exact digits"));
    let rows = t.get_size().0 as u32;
    let mut seen = 0;
    for (name, sc) in scenarios {
        for tg in sc["targets"].as_array().expect("targets") {
            let objective = tg["objective"].as_str().unwrap_or("");
            let text = tg["target"].as_str().unwrap_or("");
            let row = (2..rows)
                .find(|r| {
                    cell_str(t.get_value((*r, 0))) == *name
                        && cell_str(t.get_value((*r, 1))) == objective
                        && cell_str(t.get_value((*r, 2))) == text
                })
                .unwrap_or_else(|| panic!("{rel}: no Targets row for {name} {objective}"));
            for (col, key) in [(4, "projected"), (5, "threshold"), (6, "gap")] {
                if let Some(s) = tg[key].as_str() {
                    let got = cell_f64(t.get_value((row, col))).expect("a number");
                    assert!(same(how, got, exact_f64(s)), "{rel} {name} {key}");
                }
            }
            let met = if tg["met"].as_bool() == Some(true) {
                "met"
            } else {
                "missed"
            };
            assert_eq!(cell_str(t.get_value((row, 7))), met);
            seen += 1;
        }
    }
    assert_eq!(seen as u32 + 2, rows, "{rel}: one Targets row per target");
    rollups
}

#[test]
fn workbooks_match_json_for_every_example() {
    for rel in [
        "examples/fy2026.plumb",
        "examples/subscription.plumb",
        "examples/expansion.plumb",
        "examples/company/main.plumb",
        "examples/close/fy2026.plumb",
        "examples/uncertain.plumb",
    ] {
        let n = check_plan(rel);
        assert!(n > 0, "{rel}: no roll-up compared");
    }
}

/// Roll-ups of the contract example, computed by hand: revenue over 2026 is the
/// figure `plumb check` reports against the $65M target; headcount starts at
/// 120 and hires 2 a month to August, then 1 a month.
#[test]
fn fy2026_rollups_hand_computed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = export(&root().join("examples/fy2026.plumb"), dir.path());
    let mut wb: Xlsx<_> = open_workbook(&path).expect("opens");
    let r = wb.worksheet_range("base").expect("base sheet");
    let f = wb.worksheet_formula("base").expect("formulas");
    let col = |label: &str| {
        (0..r.get_size().1 as u32)
            .find(|c| cell_str(r.get_value((0, *c))) == label)
            .expect("column")
    };
    let row = |item: &str| {
        (1..r.get_size().0 as u32)
            .find(|x| cell_str(r.get_value((*x, 0))) == item)
            .expect("row")
    };
    let (rev, hc) = (row("revenue"), row("headcount"));
    let year = col("2026");
    let q1 = col("2026-Q1");
    // $63,733,648.95 to the cent, as `plumb check` reports it.
    let got = cell_f64(r.get_value((rev, year))).expect("revenue 2026");
    assert_eq!((got * 100.0).round(), 6_373_364_895.0);
    assert_eq!(
        f.get_value((rev, year)).map(String::as_str),
        Some(format!("SUM(D{0}:O{0})", rev + 1).as_str())
    );
    // 120 + 2 + 2 + 2 at the end of March; 120 + 8 × 2 + 4 × 1 at year end.
    assert_eq!(cell_f64(r.get_value((hc, q1))), Some(126.0));
    assert_eq!(cell_f64(r.get_value((hc, year))), Some(140.0));
    assert_eq!(
        f.get_value((hc, q1)).map(String::as_str),
        Some(format!("F{}", hc + 1).as_str())
    );
}

#[test]
fn export_is_byte_identical() {
    let dir = tempfile::tempdir().expect("temp dir");
    let plan = root().join("examples/fy2026.plumb");
    let a = std::fs::read(export(&plan, dir.path())).expect("read");
    let dir2 = tempfile::tempdir().expect("temp dir");
    let b = std::fs::read(export(&plan, dir2.path())).expect("read");
    assert!(a == b, "two exports of the same plan differ");
}

fn soffice() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    ["soffice", "libreoffice"]
        .iter()
        .flat_map(|n| std::env::split_paths(&path).map(move |d| d.join(n)))
        .find(|p| p.is_file())
}

/// Opens `input` in headless LibreOffice with recalculation on load forced, and
/// saves it again as xlsx (the cached values are then LibreOffice's).
fn recalc(soffice: &Path, input: &Path, work: &Path) -> PathBuf {
    let profile = work.join("profile");
    std::fs::create_dir_all(profile.join("user")).expect("profile");
    std::fs::write(
        profile.join("user/registrymodifications.xcu"),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"#,
    )
    .expect("profile settings");
    let out = work.join("recalculated");
    let status = Command::new(soffice)
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            "xlsx",
            "--outdir",
        ])
        .arg(&out)
        .arg(input)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("soffice runs");
    let file = out.join(input.file_name().expect("file name"));
    assert!(file.is_file(), "LibreOffice wrote nothing ({status})");
    file
}

/// LibreOffice recalculates the workbook to the same figures. A canary with a
/// wrong cached value proves the recalculation happens. Skipped, with a message,
/// where LibreOffice is not installed, except under `CI=true`.
#[test]
fn libreoffice_recalculates_to_the_same_figures() {
    let Some(soffice) = soffice() else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("CI=true but no soffice: install libreoffice-calc-nogui");
        }
        println!("skipped: LibreOffice (soffice) is not installed");
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let canary = dir.path().join("canary.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_number(0, 0, 1.0).unwrap();
    ws.write_number(1, 0, 2.0).unwrap();
    ws.write_formula(
        2,
        0,
        rust_xlsxwriter::Formula::new("=SUM(A1:A2)").set_result("0"),
    )
    .unwrap();
    wb.save(&canary).unwrap();
    let work = dir.path().join("lo");
    let back = recalc(&soffice, &canary, &work);
    let mut wb: Xlsx<_> = open_workbook(&back).expect("opens");
    let first = wb.sheet_names()[0].clone();
    let r = wb.worksheet_range(&first).expect("sheet");
    assert_eq!(cell_f64(r.get_value((2, 0))), Some(3.0), "not recalculated");

    let plan = root().join("examples/fy2026.plumb");
    let json = run_json(&plan);
    let path = export(&plan, dir.path());
    let back = recalc(&soffice, &path, &work);
    let rolled = rolled_up(&plan);
    let n = check_workbook(
        "examples/fy2026.plumb",
        &back,
        &json,
        &rolled,
        Same::Recomputed,
    );
    assert!(n > 0);
    println!("LibreOffice recalculated {n} roll-up cells to the same figures");
}

/// The rows of a sheet as strings (numbers in Rust's shortest form).
fn sheet_rows(path: &Path, name: &str) -> Vec<Vec<Data>> {
    let mut wb: Xlsx<_> = open_workbook(path).expect("open workbook");
    let range = wb
        .worksheet_range(name)
        .unwrap_or_else(|e| panic!("no sheet {name}: {e}"));
    range.rows().map(<[Data]>::to_vec).collect()
}

fn find_row<'a>(rows: &'a [Vec<Data>], keys: &[(usize, &str)]) -> &'a [Data] {
    rows.iter()
        .find(|r| keys.iter().all(|(c, k)| cell_str(r.get(*c)) == *k))
        .unwrap_or_else(|| panic!("no row {keys:?}"))
}

/// With actuals (examples/close): the Targets sheet has the outlook, the
/// Actuals sheet the booked values, and the Variance sheet is there.
#[test]
fn workbook_with_actuals_has_outlook_actuals_and_variance() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = export(&root().join("examples/close/fy2026.plumb"), dir.path());
    let targets = sheet_rows(&path, "Targets");
    let header = targets
        .iter()
        .find(|r| cell_str(r.first()) == "Scenario")
        .expect("header");
    let col = |name: &str| {
        header
            .iter()
            .position(|c| cell_str(Some(c)) == name)
            .expect(name)
    };
    let row = find_row(&targets, &[(0, "base"), (1, "revenue_65m")]);
    // ACTUALS.md: the outlook of revenue_65m is 62,785,766.79.
    let outlook = cell_f64(row.get(col("Outlook"))).expect("outlook");
    assert_eq!(
        sig15(outlook),
        sig15(exact_f64("62785766.7853080750435938304"))
    );
    let actuals = sheet_rows(&path, "Actuals");
    let rev = find_row(&actuals, &[(0, "base"), (1, "revenue")]);
    let booked: Vec<f64> = (3..6).filter_map(|c| cell_f64(rev.get(c))).collect();
    assert_eq!(booked, vec![3_696_000.0, 3_971_500.0, 4_067_000.0]);
    assert!(cell_f64(rev.get(6)).is_none(), "April is not closed");
    let variance = sheet_rows(&path, "Variance");
    let v = find_row(&variance, &[(0, "base"), (1, "revenue"), (3, "2026-01")]);
    // Plan for January: 210 leads × 22% × $85K = 3,927,000; actual 3,696,000.
    assert_eq!(cell_f64(v.get(4)), Some(3_927_000.0));
    assert_eq!(cell_f64(v.get(6)), Some(-231_000.0));
}

/// With ranges (examples/uncertain): the Targets sheet's probability is what
/// `plumb simulate` prints for the default seed and samples.
#[test]
fn workbook_with_ranges_has_probabilities() {
    let plan = root().join("examples/uncertain.plumb");
    let sim = Command::new(bin())
        .args(["simulate", "--format", "json"])
        .arg(&plan)
        .output()
        .expect("plumb simulate runs");
    let json: Value = serde_json::from_slice(&sim.stdout).expect("JSON");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = export(&plan, dir.path());
    let targets = sheet_rows(&path, "Targets");
    let header = targets
        .iter()
        .find(|r| cell_str(r.first()) == "Scenario")
        .expect("header");
    let pcol = header
        .iter()
        .position(|c| cell_str(Some(c)) == "Probability")
        .expect("Probability column");
    let mut n = 0;
    for t in json["scenarios"]["base"]["targets"]
        .as_array()
        .expect("targets")
    {
        let row = find_row(
            &targets,
            &[(0, "base"), (1, t["objective"].as_str().expect("o"))],
        );
        let p = cell_f64(row.get(pcol)).expect("probability");
        assert_eq!(
            sig15(p),
            sig15(exact_f64(t["probability"].as_str().expect("p")))
        );
        n += 1;
    }
    assert!(n >= 2);
}

/// With budgets (examples/company): one line per department; Sales gets the
/// 300K reallocated from R&D (9.4M + 0.3M, 24.9M − 0.3M); remaining is
/// allowance − planned.
#[test]
fn workbook_with_budgets_has_budget_lines() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = export(&root().join("examples/company/main.plumb"), dir.path());
    let rows = sheet_rows(&path, "Budgets");
    let sales = find_row(&rows, &[(0, "sales")]);
    assert_eq!(cell_f64(sales.get(1)), Some(9_700_000.0));
    let rnd = find_row(&rows, &[(0, "rnd")]);
    assert_eq!(cell_f64(rnd.get(1)), Some(24_600_000.0));
    for r in rows.iter().skip(1) {
        let (a, p, left) = (cell_f64(r.get(1)), cell_f64(r.get(2)), cell_f64(r.get(4)));
        let (Some(a), Some(p), Some(left)) = (a, p, left) else {
            panic!("incomplete budget line {r:?}");
        };
        assert_eq!(sig15(a - p), sig15(left), "{r:?}");
    }
}
