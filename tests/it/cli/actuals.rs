//! `plumb variance` and what actuals add to `run`, through the built binary:
//! every output format, `--by`, `--as-of`, `--explain`, `.xlsx` actuals, and
//! actuals files that are only ever read.

#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

use crate::common::{plumb, plumb_in, plumb_to_a_closed_pipe, stdout};

const CLOSE: &str = "examples/close/fy2026.plumb";

#[test]
fn variance_json_has_exact_decimals() {
    let o = plumb(&["variance", CLOSE, "--format", "json", "--by", "quarter"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["actuals_through"], "2026-03");
    assert_eq!(v["scenario"], "base");
    let rev = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "revenue")
        .unwrap();
    assert_eq!(rev["periods"][0]["period"], "2026-Q1");
    assert_eq!(rev["periods"][0]["actual"], "11734500");
    assert_eq!(rev["periods"][0]["favourable"], false);
    assert_eq!(
        rev["full_plan"].as_str().unwrap().get(..11),
        Some("63733648.94")
    );
    let sm = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "sm_spend")
        .unwrap();
    assert_eq!(sm["outlook"], "12505000");
    assert_eq!(sm["outlook_variance"], "-1895000");
    assert_eq!(v["triggers"][0]["trigger"], "revenue_shortfall");
    assert_eq!(v["triggers"][0]["fired"], "2026-02");
    assert_eq!(v["triggers"][0]["fired_in_plan"], serde_json::Value::Null);
    let wr = &v["assumptions"][0];
    assert_eq!(wr["item"], "win_rate");
    assert_eq!(wr["periods"][2]["status"], "behind");
    assert_eq!(wr["tolerance"], "0.006");
    let broken: Vec<&str> = v["maintains"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["held"] == false)
        .map(|m| m["assumption"].as_str().unwrap())
        .collect();
    assert_eq!(broken, ["deal_size_holds", "cac_capped"]);
}

#[test]
fn variance_table_markdown_and_csv() {
    let t = stdout(&plumb(&["variance", CLOSE]));
    assert!(
        t.contains("Variance of fy2026 (scenario base), actuals through 2026-03"),
        "{t}"
    );
    assert!(t.contains("$3,696,000.00"), "{t}");
    assert!(t.contains("unfavourable"), "{t}");
    assert!(t.contains("$62,785,766.79"), "{t}");
    let md = stdout(&plumb(&[
        "variance", CLOSE, "--format", "markdown", "--by", "year",
    ]));
    assert!(md.starts_with("## Variance of fy2026"), "{md}");
    assert!(md.contains("| revenue | 2026* | $12,682,382.16 | $11,734,500.00 | -$947,882.16 | -7.47% | unfavourable |"), "{md}");
    assert!(md.contains("### Triggers fired on actuals"), "{md}");
    let csv = stdout(&plumb(&["variance", CLOSE, "--format", "csv"]));
    assert!(
        csv.starts_with("scenario,item,unit,period,plan,actual,variance,variance_pct,favourable\n")
    );
    assert!(
        csv.contains("base,revenue,USD,2026-01,3927000,3696000,-231000,"),
        "{csv}"
    );
    assert!(
        csv.contains("base,sm_spend,USD,outlook,14400000,12505000,-1895000,,"),
        "{csv}"
    );
}

#[test]
fn variance_of_another_scenario_and_as_of() {
    let o = plumb(&[
        "variance",
        CLOSE,
        "--scenario",
        "upside",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["scenario"], "upside");
    let o = plumb(&["variance", CLOSE, "--as-of", "2026-01", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["actuals_through"], "2026-01");
    assert_eq!(v["items"][0]["periods"].as_array().unwrap().len(), 1);
    let o = plumb(&["variance", CLOSE, "--scenario", "upsid"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("did you mean `upside`?"));
    let o = plumb(&["variance", CLOSE, "--as-of", "March"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn explain_splits_the_gap_exactly() {
    let o = plumb(&[
        "variance",
        CLOSE,
        "--explain",
        "revenue",
        "--period",
        "2026-Q1",
        "--format",
        "json",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        v["variance"].as_str().unwrap().get(..10),
        Some("-947882.16")
    );
    let names: Vec<&str> = v["contributions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    // new_deals has its own actual: a leaf of the split, its drivers not opened.
    assert_eq!(names, ["deal_size", "new_deals"]);
    assert_eq!(v["unexplained"], "0");
    // A driver under a bet is an assumption.
    let o = plumb(&[
        "variance",
        CLOSE,
        "--explain",
        "new_deals",
        "--period",
        "2026-03",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let kinds: Vec<(&str, &str)> = v["contributions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].as_str().unwrap(), c["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [("sql_leads", "execution"), ("win_rate", "assumption")]
    );
    // 219 × 22.6% = 49.494 against the actual 49: 0.494 unexplained.
    assert_eq!(v["unexplained"], "-0.494");
    let o = plumb(&[
        "variance",
        CLOSE,
        "--explain",
        "revenue",
        "--period",
        "2026-06",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("is not closed"));
    let o = plumb(&["variance", CLOSE, "--explain", "revnue"]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("did you mean `revenue`?"));
}

#[test]
fn run_json_gains_actuals_and_forecast() {
    let o = plumb(&["run", CLOSE, "--format", "json", "-s", "base"]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["actuals_through"], "2026-03");
    let b = &v["scenarios"]["base"];
    assert_eq!(b["actuals"]["headcount"][2], "125");
    assert_eq!(b["actuals"]["headcount"][3], serde_json::Value::Null);
    assert_eq!(b["forecast"]["items"]["headcount"]["values"][11], "125");
    assert_eq!(b["forecast"]["triggers"][0]["fired"], "2026-02");
    assert_eq!(
        b["targets"][0]["outlook"].as_str().unwrap().get(..11),
        Some("62785766.78")
    );
    assert_eq!(
        b["targets"][0]["outlook_gap"].as_str().unwrap().get(..11),
        Some("-2214233.21")
    );
    // The table marks closed columns.
    let t = stdout(&plumb(&["run", CLOSE, "-s", "base"]));
    assert!(t.contains("2026-03 A"), "{t}");
    assert!(
        t.contains("A: actual (the books are closed through 2026-03)"),
        "{t}"
    );
    // A plan without actuals is unchanged: no new keys.
    let o = plumb(&[
        "run",
        "examples/fy2026.plumb",
        "--format",
        "json",
        "-s",
        "base",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v.get("actuals_through").is_none());
    assert!(v["scenarios"]["base"].get("forecast").is_none());
}

/// A copy of the example in a temporary directory, with its actuals in `name`.
fn close_in_tmp(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let plan = std::fs::read_to_string(CLOSE)
        .unwrap()
        .replace("actuals \"actuals.csv\"", &format!("actuals \"{name}\""));
    std::fs::write(dir.path().join("fy2026.plumb"), plan).unwrap();
    dir
}

#[test]
fn xlsx_actuals_read_like_csv() {
    let dir = close_in_tmp("books.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let notes = wb.add_worksheet();
    notes.set_name("Notes").unwrap();
    notes
        .write_string(0, 0, "exported from the ledger")
        .unwrap();
    let ws = wb.add_worksheet();
    ws.set_name("Actuals").unwrap();
    let csv = std::fs::read_to_string("examples/close/actuals.csv").unwrap();
    for (r, line) in csv.lines().enumerate() {
        for (c, cell) in line.split(',').enumerate() {
            let (r, c) = (r as u32, c as u16);
            match cell.parse::<f64>() {
                Ok(n) if c == 2 => ws.write_number(r, c, n).unwrap(),
                _ if cell.ends_with('%') => ws
                    .write_number(
                        r,
                        c,
                        cell.trim_end_matches('%').parse::<f64>().unwrap() / 100.0,
                    )
                    .unwrap(),
                _ => ws.write_string(r, c, cell).unwrap(),
            };
        }
    }
    wb.save(dir.path().join("books.xlsx")).unwrap();
    let plan = std::fs::read_to_string(dir.path().join("fy2026.plumb"))
        .unwrap()
        .replace(
            "actuals \"books.xlsx\"",
            "actuals \"books.xlsx\" {\n  sheet \"Actuals\"\n}",
        );
    std::fs::write(dir.path().join("fy2026.plumb"), plan).unwrap();
    let o = plumb_in(
        dir.path(),
        &[
            "variance",
            "fy2026.plumb",
            "--format",
            "json",
            "--by",
            "quarter",
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let rev = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "revenue")
        .unwrap();
    assert_eq!(rev["periods"][0]["actual"], "11734500");
    let wr = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "win_rate")
        .unwrap();
    assert_eq!(wr["periods"][0]["actual"], "0.2203333333333333333333333333");
    // A sheet that does not exist: a data error with a suggestion.
    let plan = std::fs::read_to_string(dir.path().join("fy2026.plumb"))
        .unwrap()
        .replace("sheet \"Actuals\"", "sheet \"Actual\"");
    std::fs::write(dir.path().join("fy2026.plumb"), plan).unwrap();
    let o = plumb_in(dir.path(), &["check", "fy2026.plumb"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains("actuals-bad-value"), "{out}");
    assert!(out.contains("did you mean `Actuals`?"), "{out}");
}

#[test]
fn actuals_files_are_never_written() {
    let dir = close_in_tmp("actuals.csv");
    let csv = dir.path().join("actuals.csv");
    std::fs::copy("examples/close/actuals.csv", &csv).unwrap();
    let mut perms = std::fs::metadata(&csv).unwrap().permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&csv, perms).unwrap();
    let before = std::fs::read(&csv).unwrap();
    let mtime = std::fs::metadata(&csv).unwrap().modified().unwrap();
    for args in [
        &["check", "fy2026.plumb"][..],
        &["run", "fy2026.plumb", "--format", "json"],
        &["variance", "fy2026.plumb", "--format", "markdown"],
        &["variance", "fy2026.plumb", "--explain", "revenue"],
        &["fmt", "."],
        &["explain", "fy2026.plumb", "revenue"],
    ] {
        let o = plumb_in(dir.path(), args);
        assert!(o.status.code().is_some_and(|c| c <= 1), "{args:?}");
    }
    assert_eq!(std::fs::read(&csv).unwrap(), before);
    assert_eq!(std::fs::metadata(&csv).unwrap().modified().unwrap(), mtime);
    assert!(std::fs::metadata(&csv).unwrap().permissions().readonly());
    // Only the plan file is in the directory besides the data: nothing was created.
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["actuals.csv", "fy2026.plumb"]);
}

#[test]
fn an_actuals_file_outside_the_plan_is_never_opened() {
    let outer = tempfile::tempdir().unwrap();
    let inner = outer.path().join("plan");
    std::fs::create_dir(&inner).unwrap();
    std::fs::write(
        outer.path().join("secret.csv"),
        "period,name,value\n2026-01,revenue,1\n",
    )
    .unwrap();
    let plan = std::fs::read_to_string(CLOSE)
        .unwrap()
        .replace("actuals \"actuals.csv\"", "actuals \"../secret.csv\"");
    std::fs::write(inner.join("fy2026.plumb"), plan).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(outer.path().join("secret.csv"), inner.join("link.csv")).unwrap();
    let o = plumb_in(&inner, &["check", "fy2026.plumb"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("import-outside-root"));
    #[cfg(unix)]
    {
        let plan = std::fs::read_to_string(inner.join("fy2026.plumb"))
            .unwrap()
            .replace("../secret.csv", "link.csv");
        std::fs::write(inner.join("fy2026.plumb"), plan).unwrap();
        let o = plumb_in(&inner, &["check", "fy2026.plumb"]);
        let out = stdout(&o);
        assert!(
            out.contains("a link that points outside the plan's directory"),
            "{out}"
        );
    }
}

#[test]
fn diff_lists_restated_actuals() {
    let old = close_in_tmp("actuals.csv");
    let new = close_in_tmp("actuals.csv");
    let csv = std::fs::read_to_string("examples/close/actuals.csv").unwrap();
    std::fs::write(old.path().join("actuals.csv"), &csv).unwrap();
    let restated = csv
        .replace("2026-02,revenue,3971500", "2026-02,revenue,3980000")
        .replace("2026-03,headcount,125\n", "");
    std::fs::write(new.path().join("actuals.csv"), restated).unwrap();
    let o = plumb(&[
        "diff",
        old.path().join("fy2026.plumb").to_str().unwrap(),
        new.path().join("fy2026.plumb").to_str().unwrap(),
    ]);
    let out = stdout(&o);
    assert!(
        out.contains("actuals: revenue — 2026-02 restated: $3,971,500 → $3,980,000"),
        "{out}"
    );
    assert!(
        out.contains("actuals: headcount — 2026-03 actual removed (was 125 fte)"),
        "{out}"
    );
}

#[test]
fn run_as_of_replays_a_past_close() {
    let o = plumb(&[
        "run", CLOSE, "--format", "json", "-s", "base", "--as-of", "2026-Q1",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["actuals_through"], "2026-03");
    let o = plumb(&[
        "run", CLOSE, "--format", "json", "-s", "base", "--as-of", "2026-02",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["actuals_through"], "2026-02");
    assert_eq!(
        v["scenarios"]["base"]["actuals"]["revenue"][2],
        serde_json::Value::Null
    );
    // Revenue under $4M in January and February: it still fires in February, so
    // hires are 0 from March and headcount stays at February's 124.
    assert_eq!(
        v["scenarios"]["base"]["forecast"]["items"]["headcount"]["values"][11],
        "124"
    );
}

#[test]
fn check_as_of_and_deny_warnings() {
    // The March close: eight warnings, and --deny-warnings fails the close.
    let o = plumb(&["check", CLOSE]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stdout(&o).contains("0 errors, 8 warnings"),
        "{}",
        stdout(&o)
    );
    let o = plumb(&["check", CLOSE, "--deny-warnings"]);
    assert_eq!(o.status.code(), Some(1));
    // Replayed as of January: no trigger fired yet.
    let o = plumb(&["check", CLOSE, "--as-of", "2026-01", "--format", "json"]);
    let v: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    let codes: Vec<&str> = v.iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert!(!codes.contains(&"trigger-fired"), "{codes:?}");
    assert!(codes.contains(&"actuals-after-close"), "{codes:?}");
    let d = v
        .iter()
        .find(|d| d["code"] == "actuals-after-close")
        .unwrap();
    assert_eq!(d["file"], CLOSE);
    assert_eq!(d["line"], 10);
}

#[test]
fn variance_to_a_reader_that_stops_early_is_not_a_panic() {
    // `plumb variance plan.plumb | head`: a thousand drivers with three closed
    // months each, far more than a pipe holds.
    let dir = tempfile::tempdir().unwrap();
    let mut plan = String::from(
        "plan p \"Pipe\" {\n  currency USD\n  periods 2026-01 .. 2026-12\n  \
         actuals through 2026-03\n}\nactuals \"actuals.csv\"\n",
    );
    let mut csv = String::from("period,name,value\n");
    for i in 0..1000 {
        plan.push_str(&format!("driver d{i:04}: USD = {}\n", 100 + i));
        for m in 1..=3 {
            csv.push_str(&format!("2026-0{m},d{i:04},{}\n", 101 + i));
        }
    }
    std::fs::write(dir.path().join("plan.plumb"), plan).unwrap();
    std::fs::write(dir.path().join("actuals.csv"), csv).unwrap();
    let (status, err) = plumb_to_a_closed_pipe(dir.path(), &["variance", "plan.plumb"], None);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(status, Some(0), "{err}");
}
