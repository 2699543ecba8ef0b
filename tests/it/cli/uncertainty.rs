//! `plumb simulate`, `sensitivity`, `solve` and `check --simulate` as a user runs them.

#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

use crate::common::{plumb, plumb_to_a_closed_pipe, stderr, stdout};

/// Exit code, standard output and standard error of the built binary.
fn outcome(args: &[&str]) -> (i32, String, String) {
    let out = plumb(args);
    (out.status.code().unwrap_or(-1), stdout(&out), stderr(&out))
}

const EX: &str = "examples/uncertain.plumb";

#[test]
fn simulate_json_is_byte_identical_for_any_thread_count() {
    let run = |threads: &str| {
        let (code, out, err) = outcome(&[
            "simulate",
            EX,
            "--samples",
            "300",
            "--seed",
            "9",
            "--format",
            "json",
            "--by",
            "quarter",
            "--threads",
            threads,
        ]);
        assert_eq!(code, 0, "{err}");
        out
    };
    let one = run("1");
    assert_eq!(one, run("2"));
    assert_eq!(one, run("3"));
    let v: serde_json::Value = serde_json::from_str(&one).unwrap();
    assert_eq!(v["samples"], 300);
    assert_eq!(v["periods"][0], "2026-Q1");
    let p = &v["scenarios"]["base"]["targets"][0]["probability"];
    let p: f64 = p.as_str().unwrap().parse().unwrap();
    assert!((0.0..=1.0).contains(&p));
    // Four quarters of percentiles per item.
    assert_eq!(
        v["scenarios"]["base"]["items"]["revenue"]["p50"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
}

#[test]
fn simulate_csv_and_markdown() {
    let (code, out, _) = outcome(&[
        "simulate",
        EX,
        "--samples",
        "200",
        "--format",
        "csv",
        "-s",
        "base",
    ]);
    assert_eq!(code, 0);
    assert!(out.starts_with("scenario,kind,name,period,probability,p10,p50,p90,mean\n"));
    assert!(out.contains("base,item,revenue,2026-01,,"));
    assert!(out.contains("base,trigger,soft_quarter,"));
    let (code, out, _) = outcome(&["simulate", EX, "--samples", "200", "--format", "markdown"]);
    assert_eq!(code, 0);
    assert!(out.contains("## Scenario price_war: 200 runs, seed 0"));
    let (code, _, err) = outcome(&["simulate", EX, "-s", "nope"]);
    assert_eq!(code, 2);
    assert!(err.contains("no scenario `nope`"));
}

#[test]
fn solve_prints_the_line_to_paste_and_fails_without_a_solution() {
    let (code, out, _) = outcome(&[
        "solve",
        "examples/fy2026.plumb",
        "revenue_65m",
        "--vary",
        "win_rate",
    ]);
    assert_eq!(code, 0);
    assert!(out.contains("win_rate = 1.01987 * win_rate"), "{out}");
    let (code, out, _) = outcome(&[
        "solve",
        "examples/fy2026.plumb",
        "revenue_65m",
        "--vary",
        "win_rate",
        "--shift",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["value"], "0.00528956");
    assert_eq!(v["mode"], "shift");
    assert_eq!(v["line"], "win_rate = win_rate + 0.00528956");
    let (code, out, _) = outcome(&[
        "solve",
        "examples/fy2026.plumb",
        "revenue_65m",
        "--vary",
        "deal_size",
        "--within",
        "0.5..1.01",
    ]);
    assert_eq!(code, 1);
    assert!(out.contains("the closest is the high end"), "{out}");
}

#[test]
fn sensitivity_lists_ranged_drivers_by_swing() {
    let (code, out, err) = outcome(&["sensitivity", EX, "revenue_46m", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let names: Vec<&str> = v["drivers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["driver"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 3);
    let swings: Vec<f64> = v["drivers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["swing"].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(swings.windows(2).all(|w| w[0] >= w[1]), "{swings:?}");
}

#[test]
fn check_simulate_warns_and_check_fails_on_a_bad_range() {
    let dir = tempfile::tempdir().unwrap();
    let text = crate::uncertainty::example("range 80K to 90K");
    let good = dir.path().join("good.plumb");
    std::fs::write(&good, &text).unwrap();
    let (code, out, _) = outcome(&[
        "check",
        good.to_str().unwrap(),
        "--simulate",
        "--samples",
        "2000",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let odds: Vec<_> = v
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "base-case-odds")
        .collect();
    assert_eq!(odds.len(), 1);
    assert_eq!(odds[0]["line"], 41);
    assert_eq!(odds[0]["severity"], "warning");
    let bad = dir.path().join("bad.plumb");
    std::fs::write(&bad, text.replace("range 80K to 90K", "range 86K to 90K")).unwrap();
    let (code, out, _) = outcome(&["check", bad.to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, 1);
    assert!(out.contains("\"code\": \"range-excludes-plan\""), "{out}");
    assert!(out.contains("\"line\": 26"), "{out}");
}

#[test]
fn explain_shows_a_drivers_range() {
    let (code, out, err) = outcome(&["explain", EX, "revenue"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("range 34K to 44K triangular"), "{out}");
    let (_, out, _) = outcome(&["explain", EX, "deal_size", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["roots"][0]["range"], "34K to 44K triangular");
}

#[test]
fn diff_reports_changed_ranges_and_with_simulate_the_change_in_odds() {
    let dir = tempfile::tempdir().unwrap();
    let text = crate::uncertainty::example("range 80K to 90K");
    let old = dir.path().join("old.plumb");
    let new = dir.path().join("new.plumb");
    std::fs::write(&old, &text).unwrap();
    std::fs::write(
        &new,
        text.replace("range 80K to 90K", "range 80K to 90K uniform"),
    )
    .unwrap();
    let (code, out, err) = outcome(&["diff", old.to_str().unwrap(), new.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("range 80K to 90K → 80K to 90K uniform"),
        "{out}"
    );
    let (code, out, err) = outcome(&[
        "diff",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
        "--simulate",
        "--samples",
        "4000",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let row = v["odds"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["scenario"] == "base" && r["target"] == "revenue_65m: sum(revenue) >= 65M")
        .unwrap()
        .clone();
    // PERT ≈ 20.7% → uniform ≈ 33.1%.
    let change: f64 = row["change"].as_str().unwrap().parse().unwrap();
    assert!((change - 0.124).abs() < 0.05, "{row}");
    let (_, out, _) = outcome(&[
        "diff",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
        "--simulate",
        "--samples",
        "500",
    ]);
    assert!(
        out.contains("Odds of each target (500 runs, seed 0)"),
        "{out}"
    );
}

#[test]
fn simulate_leaves_the_base_odds_for_the_language_server() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.plumb");
    // Sources of its own, so no other test's simulation writes the same entry.
    let text = std::fs::read_to_string(EX).unwrap() + "\n# cache test\n";
    std::fs::write(&plan, &text).unwrap();
    let (code, out, err) = outcome(&[
        "simulate",
        plan.to_str().unwrap(),
        "--samples",
        "300",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let c = plumb::compile::compile(
        &plan,
        &plumb::compile::DiskFs,
        &plumb::compile::Options {
            evaluate: true,
            scenarios: None,
        },
    );
    let fp = plumb::uncertainty::fingerprint(&c);
    let path = std::env::temp_dir()
        .join(plumb::uncertainty::ODDS_CACHE_DIR)
        .join(plumb::uncertainty::OddsCache::file_name(fp));
    let cache =
        plumb::uncertainty::OddsCache::parse(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!((cache.fingerprint, cache.samples, cache.seed), (fp, 300, 0));
    let p = v["scenarios"]["base"]["targets"][0]["probability"]
        .as_str()
        .unwrap();
    assert_eq!(cache.targets[0].0, "revenue_46m");
    assert_eq!(cache.targets[0].2.to_string(), p);
    // Nothing is written next to the plan.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

/// A plan of three hundred ranged drivers with long names, summed into `total`
/// through three metrics: its simulation and its tornado are each far more than
/// a pipe holds.
fn many_ranged_drivers(dir: &std::path::Path) {
    let name = crate::common::long_name;
    let mut plan = String::from(crate::common::PIPE_PLAN);
    for i in 0..300 {
        plan.push_str(&format!(
            "driver {}: USD = {} {{ range {} to {} }}\n",
            name(i),
            100 + i,
            90 + i,
            110 + i
        ));
    }
    for m in 0..3 {
        let terms: Vec<String> = (m * 100..m * 100 + 100).map(name).collect();
        plan.push_str(&format!("metric m{m}: USD = {}\n", terms.join(" + ")));
    }
    plan.push_str("metric total: USD = m0 + m1 + m2\n");
    std::fs::write(dir.join("plan.plumb"), plan).unwrap();
}

#[test]
fn simulate_to_a_reader_that_stops_early_is_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    many_ranged_drivers(dir.path());
    let args = ["simulate", "plan.plumb", "--samples", "20"];
    let (status, err) = plumb_to_a_closed_pipe(dir.path(), &args, None);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(status, Some(0), "{err}");
}

#[test]
fn sensitivity_to_a_reader_that_stops_early_is_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    many_ranged_drivers(dir.path());
    let args = ["sensitivity", "plan.plumb", "total"];
    let (status, err) = plumb_to_a_closed_pipe(dir.path(), &args, None);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(status, Some(0), "{err}");
}
