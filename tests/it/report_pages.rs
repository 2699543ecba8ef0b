//! `plumb report`: snapshots of every page of small plans (the inline CSS is
//! replaced by a marker: it is one static file), sections shown only when the
//! plan has them, byte-identical output, and nothing written outside the
//! output directory.

#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

use crate::common::{self, root};

use plumb::outcome::targets::all_outcomes;
use plumb::report::site::{assumption_statuses, build_site, Extras, Page, SiteInput};
use std::path::{Path, PathBuf};
use std::process::Command;

fn pages(rel: &str) -> Vec<Page> {
    let c = common::compile_file(&root().join(rel));
    let plan = c.plan();
    let results = c.results.as_ref().expect("evaluated");
    let targets = all_outcomes(plan, results).expect("targets");
    let requests = plumb::outcome::requests::all_outcomes(plan, results).expect("requests");
    let statuses = assumption_statuses(plan, &c.diagnostics);
    build_site(&SiteInput {
        plan,
        results,
        targets: &targets,
        requests: &requests,
        assumptions: &statuses,
        extras: &Extras::default(),
    })
}

fn without_css(html: &str) -> String {
    match (html.find("<style>"), html.find("</style>")) {
        (Some(a), Some(b)) if a < b => format!("{}<style>/* site.css */{}", &html[..a], &html[b..]),
        _ => html.to_string(),
    }
}

fn snapshot(rel: &str, stem: &str) {
    for p in pages(rel) {
        let name = format!("{stem}__{}", p.path.replace(['/', '.'], "_"));
        common::snapshots_in("report", || {
            insta::assert_snapshot!(name, without_css(&p.html));
        });
    }
}

#[test]
fn minimal_plan_pages() {
    let p = pages("tests/report/minimal.plumb");
    assert_eq!(p.len(), 1, "no department or role: the index only");
    let html = &p[0].html;
    // Nothing empty is shown: no objectives, triggers, assumptions, RACI, risks.
    for absent in [
        "id=\"objectives\"",
        "id=\"triggers\"",
        "id=\"assumptions\"",
        "id=\"requests\"",
        "id=\"raci\"",
        "id=\"risks\"",
        "id=\"budgets\"",
        "id=\"waterfalls\"",
        "id=\"tornadoes\"",
    ] {
        assert!(!html.contains(absent), "{absent} shown for an empty plan");
    }
    snapshot("tests/report/minimal.plumb", "minimal");
}

#[test]
fn small_plan_pages() {
    let p = pages("tests/report/small.plumb");
    let paths: Vec<&str> = p.iter().map(|x| x.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "index.html",
            "department/finance.html",
            "department/sales.html",
            "role/cfo.html"
        ]
    );
    let index = &p[0].html;
    for present in [
        "id=\"objectives\"",
        "id=\"triggers\"",
        "id=\"assumptions\"",
        "id=\"requests\"",
        "id=\"raci\"",
        "id=\"risks\"",
    ] {
        assert!(index.contains(present), "{present} missing");
    }
    // Met and missed in words, not only in colour: the base scenario makes
    // $10K..$20K a month = $90K (met); the slow one $60K (missed).
    assert!(index.contains("$90K met"));
    assert!(index.contains("$60K missed"));
    // Exact values in the data table, as JSON has them.
    assert!(index.contains("data-field=\"projected\" title=\"$90K\">90000</td>"));
    // Windows: headcount is a stock (10 + 1 a month): Q1 ends at 13, Q2 at 16;
    // deals is a flow: 10+12+14 = 36 in Q1, 16+18+20 = 54 in Q2, 90 in 2026.
    assert!(index
        .contains("<tr><th scope=\"row\">2026</th><td class=\"num\" title=\"$90K\">90000</td>"));
    let sales = &p[2].html;
    assert!(sales
        .contains("<tr><th scope=\"row\">2026-Q1</th><td class=\"num\" title=\"36 deal\">36</td>"));
    assert!(sales
        .contains("<tr><th scope=\"row\">2026-Q2</th><td class=\"num\" title=\"54 deal\">54</td>"));
    // Headcount is charted on the index (a top objective's item).
    assert!(index
        .contains("<tr><th scope=\"row\">2026-Q1</th><td class=\"num\" title=\"13 fte\">13</td>"));
    assert!(index
        .contains("<tr><th scope=\"row\">2026-Q2</th><td class=\"num\" title=\"16 fte\">16</td>"));
    // The headcount target bounds a stock: its threshold is drawn as a rule.
    assert!(index.contains("class=\"threshold\""));
    // Finance owns hires (a flow of 1 a month): 3 in Q1, 6 in 2026.
    let finance = &p[1].html;
    assert!(finance
        .contains("<tr><th scope=\"row\">2026-Q1</th><td class=\"num\" title=\"3 fte\">3</td>"));
    assert!(
        finance.contains("<tr><th scope=\"row\">2026</th><td class=\"num\" title=\"6 fte\">6</td>")
    );
    // The department page shows how its objective supports the top one.
    assert!(sales.contains("supports revenue_90k"));
    snapshot("tests/report/small.plumb", "small");
}

fn run_report(plan: &Path, cwd: &Path, out: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_plumb"))
        .current_dir(cwd)
        .args(["report", "-o", out])
        .arg(plan)
        .output()
        .expect("plumb report runs")
}

fn files_below(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("read dir")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files_below(&p, out);
        } else {
            out.push(p);
        }
    }
}

#[test]
fn report_writes_only_its_directory_and_is_byte_identical() {
    let plan = root().join("examples/fy2026.plumb");
    let cwd = tempfile::tempdir().expect("temp dir");
    let first = run_report(&plan, cwd.path(), "site");
    assert_eq!(
        first.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let second = run_report(&plan, cwd.path(), "again");
    assert_eq!(second.status.code(), Some(0));
    let top: Vec<String> = std::fs::read_dir(cwd.path())
        .expect("read")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(top, ["again", "site"], "nothing written beside the output");
    let (mut a, mut b) = (Vec::new(), Vec::new());
    files_below(&cwd.path().join("site"), &mut a);
    files_below(&cwd.path().join("again"), &mut b);
    let rel = |v: &[PathBuf], base: &Path| -> Vec<PathBuf> {
        v.iter()
            .map(|p| p.strip_prefix(base).unwrap_or(p).to_path_buf())
            .collect()
    };
    assert_eq!(
        rel(&a, &cwd.path().join("site")),
        rel(&b, &cwd.path().join("again"))
    );
    assert_eq!(a.len(), 8, "index, 5 departments, 2 roles");
    for (x, y) in a.iter().zip(&b) {
        assert!(
            std::fs::read(x).ok() == std::fs::read(y).ok(),
            "{} differs",
            x.display()
        );
    }
    // Self-contained: no script, no external reference.
    for p in &a {
        let html = std::fs::read_to_string(p).expect("utf-8");
        assert!(!html.contains("<script"), "{}", p.display());
        assert!(
            !html.contains("http://")
                || !html
                    .replace("http://www.w3.org/2000/svg", "")
                    .contains("http://")
        );
        assert!(!html.contains("https://"), "{}", p.display());
        assert!(!html.contains("src="), "{}", p.display());
    }
}

#[test]
fn report_rejects_an_as_of_outside_the_horizon() {
    let plan = root().join("examples/fy2026.plumb");
    let cwd = tempfile::tempdir().expect("temp dir");
    let out = Command::new(env!("CARGO_BIN_EXE_plumb"))
        .current_dir(cwd.path())
        .args(["report", "--as-of", "2030-01", "-o", "site"])
        .arg(&plan)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a month of the plan's horizon"));
}

/// The seams for capabilities this plan language does not have yet (actuals,
/// ranges, budgets, dimensions): given data, each section appears.
#[test]
fn optional_sections_render_when_their_data_is_given() {
    use plumb::report::site::{
        BudgetLine, ItemBand, MemberRows, TargetExtra, TornadoData, WaterfallData,
    };
    use plumb::report::svg::TornadoBar;
    use plumb::units::Unit;
    use rust_decimal::Decimal;
    let d = |s: &str| s.parse::<Decimal>().unwrap();
    let c = common::compile_file(&root().join("tests/report/small.plumb"));
    let plan = c.plan();
    let results = c.results.as_ref().expect("evaluated");
    let targets = all_outcomes(plan, results).expect("targets");
    let requests = plumb::outcome::requests::all_outcomes(plan, results).expect("requests");
    let statuses = assumption_statuses(plan, &c.diagnostics);
    let revenue = plan.item("revenue").unwrap();
    let usd = Unit::named("USD");
    let extras = Extras {
        as_of: Some(2),
        targets: Some(vec![TargetExtra {
            scenario: plan.base,
            objective: 0,
            target: 0,
            actual_to_date: Some(d("35000")),
            outlook: Some(d("88000")),
            outlook_met: None,
            band: Some((d("80000"), d("95000"))),
            probability: Some(d("0.42")),
        }]),
        bands: Some(vec![ItemBand {
            scenario: plan.base,
            item: revenue,
            low: vec![d("9000"); 6],
            high: vec![d("21000"); 6],
        }]),
        waterfalls: Some(vec![WaterfallData {
            objective: 0,
            title: "revenue: plan to outlook".into(),
            unit: usd.clone(),
            start: ("plan".into(), d("90000")),
            steps: vec![("volume".into(), d("-4000")), ("price".into(), d("2000"))],
            end_label: "outlook".into(),
        }]),
        tornadoes: Some(vec![TornadoData {
            objective: 0,
            title: "sum(revenue)".into(),
            unit: usd.clone(),
            base: d("90000"),
            bars: vec![TornadoBar {
                name: "deals".into(),
                low: d("70000"),
                high: d("110000"),
            }],
        }]),
        budgets: Some(vec![BudgetLine {
            department: 1,
            unit: usd,
            allowance: d("50000"),
            planned: d("56000"),
            actual: Some(d("20000")),
            remaining: d("-6000"),
        }]),
        members: Some(vec![MemberRows {
            scenario: plan.base,
            item: revenue,
            members: vec![("emea".into(), vec![d("5000"); 6])],
        }]),
        trigger_sources: Some(vec![(1, 0, "actuals".into())]),
        actuals: None,
    };
    let pages = build_site(&SiteInput {
        plan,
        results,
        targets: &targets,
        requests: &requests,
        assumptions: &statuses,
        extras: &extras,
    });
    let index = &pages[0].html;
    for want in [
        "actuals to 2026-03",
        "as of 2026-03",
        "class=\"line forecast\"",
        "<polygon class=\"band\"",
        "$88K met · 42% likely",
        "actual to date: $35K",
        "id=\"waterfalls\"",
        "<title>volume: −$4,000</title>",
        // 90,000 − 4,000 + 2,000.
        "<tr><th scope=\"row\">outlook</th><td class=\"num\">88000</td></tr>",
        "id=\"tornadoes\"",
        "$70K to $110K",
        "id=\"budgets\"",
        "over budget",
        "Members (base)",
        "fired 2026-02 (actuals)",
    ] {
        assert!(index.contains(want), "missing {want}");
    }
    // The sales page shows its own budget line only.
    assert!(pages[2].html.contains("id=\"budgets\""));
    assert!(!pages[1].html.contains("id=\"budgets\""));
}

/// Markup characters in titles, docs, leads and risk texts are escaped exactly
/// once, in the page templates and in the charts alike.
#[test]
fn plan_text_is_escaped_exactly_once() {
    let p = pages("tests/report/escaping.plumb");
    assert_eq!(p.len(), 3);
    for page in &p {
        let html = &page.html;
        for double in [
            "&amp;amp;",
            "&amp;lt;",
            "&amp;gt;",
            "&amp;quot;",
            "&amp;#39;",
        ] {
            assert!(!html.contains(double), "{}: {double}", page.path);
        }
        for raw in [
            "<plan>", "<lab>", "<tech>", "<R&D>", "<x>", "<b>", "\"FY\"", "\"Bo\"",
        ] {
            assert!(!html.contains(raw), "{}: unescaped {raw}", page.path);
        }
        assert!(html.contains(" · R&amp;D &lt;plan&gt; &quot;FY&quot;</title>"));
    }
    let index = &p[0].html;
    for want in [
        "<a href=\"department/rnd.html\">R&amp;D &lt;lab&gt;</a>",
        "<h3>Keep &lt;R&amp;D&gt; &amp; &quot;labs&quot; under $5K</h3>",
        "<p class=\"doc\">Cost of &lt;R&amp;D&gt; &amp; &quot;labs&quot;.</p>",
        "<td>&lt;b&gt;loss&lt;/b&gt; &amp; more</td><td>a &quot;plan&quot; it's</td>",
        // The bullet chart (hand-written SVG) escapes the target's text itself.
        "<title>sum(spend) &lt;= 5K</title>",
    ] {
        assert!(index.contains(want), "missing {want}");
    }
    assert!(p[1].html.contains("led by Ann &amp; &quot;Bo&quot;"));
    snapshot("tests/report/escaping.plumb", "escaping");
}

/// Runs `plumb report ARGS` on an example into a fresh directory; returns the
/// directory and its index page.
fn report_cli(rel: &str, args: &[&str]) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = Command::new(env!("CARGO_BIN_EXE_plumb"))
        .args(["report", "-o"])
        .arg(dir.path().join("site"))
        .arg(root().join(rel))
        .args(args)
        .output()
        .expect("plumb report runs");
    let index = dir.path().join("site/index.html");
    assert!(
        index.is_file(),
        "{rel}: no index: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(index).expect("index");
    (dir, html)
}

/// The text of cell `field` in the row of a target in a scenario.
fn target_cell(html: &str, objective: &str, scenario: &str, field: &str) -> String {
    let row =
        format!("data-objective=\"{objective}\" data-target=\"0\" data-scenario=\"{scenario}\"");
    let at = html.find(&row).unwrap_or_else(|| panic!("no row {row}"));
    let rest = &html[at..];
    let rest = &rest[..rest.find("</tr>").expect("row end")];
    let cell = format!("data-field=\"{field}\"");
    let c = &rest[rest
        .find(&cell)
        .unwrap_or_else(|| panic!("no {field} in {row}"))..];
    let open = c.find('>').expect("cell open") + 1;
    let close = c.find("</td>").expect("cell close");
    c[open..close].to_string()
}

fn dec(s: &str) -> rust_decimal::Decimal {
    s.trim()
        .parse()
        .unwrap_or_else(|_| panic!("not a decimal: {s:?}"))
}

/// With actuals (examples/close, books closed through March): each target shows
/// its actual to date and outlook, revenue has a waterfall from plan to outlook
/// built from the variance attribution, and the charts mark the as-of month.
#[test]
fn report_with_actuals_shows_actual_to_date_outlook_and_waterfall() {
    let (_d, html) = report_cli("examples/close/fy2026.plumb", &[]);
    // ACTUALS.md: outlook of revenue_65m 62,785,766.79.
    let outlook = dec(&target_cell(&html, "revenue_65m", "base", "outlook"));
    assert_eq!(outlook.round_dp(2), dec("62785766.79"));
    // Revenue booked January to March: 3,696,000 + 3,971,500 + 4,067,000.
    let to_date = dec(&target_cell(&html, "revenue_65m", "base", "actual_to_date"));
    assert_eq!(to_date, dec("11734500"));
    // new_logos: 44 + 47 + 49 deals to date.
    let deals = dec(&target_cell(&html, "new_logos", "base", "actual_to_date"));
    assert_eq!(deals, dec("140"));
    assert!(html.contains("id=\"waterfalls\""), "a waterfall section");
    assert!(html.contains("revenue: plan to outlook"));
    for step in ["deal_size", "new_deals", "outlook"] {
        assert!(html.contains(&format!(">{step}<")), "waterfall step {step}");
    }
    assert!(html.contains("as of 2026-03"), "the as-of marker");
    // The target rows and the waterfall's data, as text.
    let mut text = String::new();
    for (at, _) in html.match_indices("<tr data-objective=") {
        let row = &html[at..];
        let row = &row[..row.find("</tr>").expect("row end")];
        text.push_str(&strip_tags(row));
        text.push('\n');
    }
    let w = &html[html.find("id=\"waterfalls\"").expect("waterfalls")..];
    let w = &w[..w.find("</section>").expect("end")];
    text.push_str(&strip_tags(&w[w.find("<table").expect("waterfall data")..]));
    common::snapshots_in("report", || {
        insta::assert_snapshot!("close__targets_and_waterfall", text);
    });
    // --as-of moves the close back to February: the to-date figure follows.
    let (_d2, feb) = report_cli("examples/close/fy2026.plumb", &["--as-of", "2026-02"]);
    let to_feb = dec(&target_cell(&feb, "revenue_65m", "base", "actual_to_date"));
    assert_eq!(to_feb, dec("7667500"));
    assert!(feb.contains("as of 2026-02"));
}

/// With ranged drivers the report simulates once: each target's probability is
/// the one `plumb simulate` prints for the same seed and samples, with its
/// P10–P90; items get bands and the top target a tornado.
#[test]
fn report_with_ranges_matches_simulate() {
    let plan = root().join("examples/uncertain.plumb");
    let sim = Command::new(env!("CARGO_BIN_EXE_plumb"))
        .args([
            "simulate",
            "--format",
            "json",
            "--samples",
            "2000",
            "--seed",
            "7",
        ])
        .arg(&plan)
        .output()
        .expect("plumb simulate runs");
    let json: serde_json::Value = serde_json::from_slice(&sim.stdout).expect("JSON");
    let (_d, html) = report_cli(
        "examples/uncertain.plumb",
        &["--samples", "2000", "--seed", "7"],
    );
    let mut compared = 0;
    for t in json["scenarios"]["base"]["targets"]
        .as_array()
        .expect("targets")
    {
        let objective = t["objective"].as_str().expect("objective");
        let row =
            format!("data-objective=\"{objective}\" data-target=\"0\" data-scenario=\"base\"");
        let at = html.find(&row).expect("row");
        let rest = &html[at..];
        let p = rest
            .find("data-field=\"probability\" data-value=\"")
            .expect("probability")
            + 38;
        let v = &rest[p..p + rest[p..].find('"').expect("end")];
        assert_eq!(
            dec(v),
            dec(t["probability"].as_str().expect("p")),
            "{objective}"
        );
        let band = target_cell(&html, objective, "base", "band");
        let p10 = t["projected"]["p10"].as_str().expect("p10");
        let p90 = t["projected"]["p90"].as_str().expect("p90");
        assert_eq!(
            band,
            format!("{} – {}", dec(p10).normalize(), dec(p90).normalize())
        );
        compared += 1;
    }
    assert!(compared >= 2, "every target compared");
    assert!(html.contains("P10–P90 (base)"), "a band on the line charts");
    assert!(html.contains("id=\"tornadoes\""), "a tornado section");
    // Deterministic: the same seed gives the same pages.
    let (_d2, again) = report_cli(
        "examples/uncertain.plumb",
        &["--samples", "2000", "--seed", "7"],
    );
    assert_eq!(html, again);
}

/// Budgets and dimensions (examples/company): budget lines per department on
/// the index, the members of dimensioned items on their owners' pages.
#[test]
fn report_with_budgets_and_dimensions() {
    let (d, html) = report_cli("examples/company/main.plumb", &[]);
    let budgets = &html[html.find("<section id=\"budgets\">").expect("budgets")..];
    let budgets = &budgets[..budgets.find("</section>").expect("end")];
    // Sales: 9.4M + the 300K reallocated from R&D; R&D: 24.9M − 300K.
    assert!(budgets.contains("title=\"9700000\""), "{budgets}");
    assert!(budgets.contains("title=\"24600000\""), "{budgets}");
    let marketing =
        std::fs::read_to_string(d.path().join("site/department/marketing.html")).expect("page");
    assert!(marketing.contains("Members (base)"));
}

/// The text of an HTML fragment, one space between cells.
fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in html.chars() {
        match c {
            '<' => {
                inside = true;
                if !out.ends_with(' ') && !out.is_empty() {
                    out.push(' ');
                }
            }
            '>' => inside = false,
            _ if !inside => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}
