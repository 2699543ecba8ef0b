//! `plumb report` in a real browser: Debian's headless Chromium loads every page
//! of the example reports. Each page must load with no console message and no
//! network request (Chromium's net log and the page's resource timing both
//! checked), every SVG must have a non-zero rendered size, and every target's
//! figures on the page must equal `plumb run --format json`'s. A screenshot of
//! each page is written (paths printed in the log; CI keeps them as an
//! artifact).
//!
//! Locally the test is skipped, with a message, when no Chromium is installed;
//! with `CI=true` a missing Chromium fails it. A canary page with a console error
//! and an external image proves the harness detects both.

#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
    "--hide-scrollbars",
];

/// Appended to a copy of each page: measures every SVG, counts fetched
/// resources and reads the target rows, into `<pre id="probe">` for
/// `--dump-dom`. The page itself has no script.
const PROBE: &str = r#"<script>
(function () {
  var svgs = Array.prototype.map.call(document.querySelectorAll("svg"), function (e) {
    var r = e.getBoundingClientRect();
    return [r.width, r.height];
  });
  var rows = Array.prototype.map.call(document.querySelectorAll("tr[data-objective]"), function (tr) {
    var cell = function (f) { var c = tr.querySelector('[data-field="' + f + '"]'); return c ? [c.textContent, c.getAttribute("title")] : null; };
    return { objective: tr.dataset.objective, target: Number(tr.dataset.target), scenario: tr.dataset.scenario,
             projected: cell("projected"), threshold: cell("threshold"), gap: cell("gap"), met: cell("met"),
             outlook: cell("outlook") };
  });
  var verdicts = Array.prototype.map.call(document.querySelectorAll("svg.bullet text.verdict"), function (t) { return t.textContent; });
  var p = document.createElement("pre");
  p.id = "probe";
  p.hidden = true;
  p.textContent = JSON.stringify({ svgs: svgs, resources: performance.getEntriesByType("resource").length, rows: rows, verdicts: verdicts });
  document.body.appendChild(p);
})();
</script>"#;

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("PLUMB_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for name in ["chromium-headless-shell", "chromium", "chromium-browser"] {
        for dir in std::env::split_paths(&path) {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

struct Load {
    dom: String,
    stderr: String,
    net_urls: Vec<String>,
}

/// Loads `page` once: DOM after load, Chromium's log, the URLs in its net log,
/// and a screenshot when asked.
fn load(chrome: &Path, page: &Path, work: &Path, screenshot: Option<&Path>) -> Load {
    let profile = tempfile::tempdir_in(work).expect("profile dir");
    let netlog = work.join("netlog.json");
    let _ = std::fs::remove_file(&netlog);
    let mut cmd = Command::new(chrome);
    cmd.args(FLAGS)
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--log-net-log={}", netlog.display()))
        .arg("--window-size=1280,2000")
        .arg("--dump-dom");
    if let Some(s) = screenshot {
        cmd.arg(format!("--screenshot={}", s.display()));
    }
    cmd.arg(format!("file://{}", page.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("chromium starts");
    // Read both pipes on threads so a full pipe cannot stall Chromium.
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let t_out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut out, &mut s);
        s
    });
    let t_err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut err, &mut s);
        s
    });
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(90) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish loading {} in 90 s", page.display());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let dom = t_out.join().unwrap_or_default();
    let stderr = t_err.join().unwrap_or_default();
    let mut net_urls = Vec::new();
    if let Ok(text) = std::fs::read_to_string(&netlog) {
        let mut rest = text.as_str();
        while let Some(i) = rest.find("\"url\":\"") {
            rest = &rest[i + 7..];
            let end = rest.find('"').unwrap_or(rest.len());
            net_urls.push(rest[..end].to_string());
        }
    }
    Load {
        dom,
        stderr,
        net_urls,
    }
}

fn console_lines(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| l.contains(":CONSOLE")).collect()
}

fn probe(dom: &str) -> Value {
    let at = dom.find("<pre id=\"probe\"").expect("probe ran");
    let start = at + dom[at..].find('>').expect("tag end") + 1;
    let end = start + dom[start..].find("</pre>").expect("probe end");
    let text = dom[start..end]
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    serde_json::from_str(&text).expect("probe JSON")
}

fn run_json(plan: &Path) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_plumb"))
        .args(["run", "--format", "json"])
        .arg(plan)
        .output()
        .expect("plumb run");
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// Checks one loaded page; returns how many target rows were compared.
fn check_page(name: &str, l: &Load, json: &Value) -> usize {
    let console = console_lines(&l.stderr);
    assert!(console.is_empty(), "{name}: console messages: {console:?}");
    let external: Vec<&String> = l
        .net_urls
        .iter()
        .filter(|u| !u.starts_with("file://"))
        .collect();
    assert!(
        external.is_empty(),
        "{name}: network requests: {external:?}"
    );
    let p = probe(&l.dom);
    assert_eq!(p["resources"], 0, "{name}: the page fetched resources");
    let svgs = p["svgs"].as_array().expect("svgs");
    for (i, s) in svgs.iter().enumerate() {
        let (w, h) = (s[0].as_f64().unwrap_or(0.0), s[1].as_f64().unwrap_or(0.0));
        assert!(w > 0.0 && h > 0.0, "{name}: svg #{i} renders {w}×{h}");
    }
    let rows = p["rows"].as_array().expect("rows");
    let verdicts: Vec<&str> = p["verdicts"]
        .as_array()
        .expect("verdicts")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for r in rows {
        let (obj, sc, k) = (
            r["objective"].as_str().unwrap_or(""),
            r["scenario"].as_str().unwrap_or(""),
            r["target"].as_u64().unwrap_or(0) as usize,
        );
        let targets: Vec<&Value> = json["scenarios"][sc]["targets"]
            .as_array()
            .expect("targets")
            .iter()
            .filter(|t| t["objective"] == obj)
            .collect();
        let t = targets
            .get(k)
            .unwrap_or_else(|| panic!("{name}: no JSON target {obj}#{k} in {sc}"));
        for f in ["projected", "threshold", "gap"] {
            let shown = r[f][0].as_str().unwrap_or("");
            let want = t[f].as_str().unwrap_or("—");
            assert_eq!(shown, want, "{name}: {obj}#{k} {sc} {f}");
        }
        let met = if t["met"] == true { "met" } else { "missed" };
        assert_eq!(r["met"][0].as_str(), Some(met), "{name}: {obj}#{k} {sc}");
        // The bullet chart states the same rounded figure and verdict in words:
        // the outlook's when the plan has actuals, the projection's otherwise.
        if let Some(outlook) = t["outlook"].as_str() {
            assert_eq!(
                r["outlook"][0].as_str(),
                Some(outlook),
                "{name}: {obj}#{k} {sc} outlook"
            );
        }
        let shown = match t["outlook"].as_str() {
            Some(_) => {
                let gap = t["outlook_gap"].as_str().unwrap_or("0");
                let ok = !gap.starts_with('-');
                r["outlook"][1]
                    .as_str()
                    .map(|s| (s, if ok { "met" } else { "missed" }))
            }
            None => r["projected"][1].as_str().map(|s| (s, met)),
        };
        if let Some((rounded, met)) = shown {
            let phrase = format!("{rounded} {met}");
            assert!(
                verdicts.iter().any(|v| v.starts_with(&phrase)),
                "{name}: no bullet saying `{phrase}` in {verdicts:?}"
            );
        }
    }
    rows.len()
}

#[test]
fn every_example_page_in_headless_chromium() {
    let Some(chrome) = chromium() else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("CI=true but no headless Chromium: install chromium-headless-shell");
        }
        println!("skipped: no chromium-headless-shell or chromium on PATH (set PLUMB_CHROMIUM)");
        return;
    };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("browser");
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(&base).expect("work dir");
    let work = base.join("work");
    std::fs::create_dir_all(&work).expect("work dir");

    // The harness can fail: a console error and an external image are caught.
    let canary = work.join("canary.html");
    std::fs::write(
        &canary,
        "<!DOCTYPE html><html><body><img src=\"http://192.0.2.1/x.png\" alt=\"\">\
         <script>console.error(\"canary\")</script></body></html>",
    )
    .expect("canary");
    let c = load(&chrome, &canary, &work, None);
    assert_eq!(console_lines(&c.stderr).len(), 1, "console not seen");
    assert!(
        c.net_urls
            .iter()
            .any(|u| u.starts_with("http://192.0.2.1/")),
        "network request not seen: {:?}",
        c.net_urls
    );

    let mut pages = 0;
    let mut rows = 0;
    for (stem, rel) in [
        ("fy2026", "examples/fy2026.plumb"),
        ("subscription", "examples/subscription.plumb"),
        ("expansion", "examples/expansion.plumb"),
        ("company", "examples/company/main.plumb"),
        ("close", "examples/close/fy2026.plumb"),
        ("uncertain", "examples/uncertain.plumb"),
    ] {
        let plan = root.join(rel);
        let site = base.join("site").join(stem);
        let status = Command::new(env!("CARGO_BIN_EXE_plumb"))
            .args(["report", "-o"])
            .arg(&site)
            .arg(&plan)
            .stderr(Stdio::null())
            .status()
            .expect("plumb report");
        assert!(site.join("index.html").is_file(), "{rel}: {status}");
        let json = run_json(&plan);
        for page in crate::common::files_below(&site, "html") {
            let rel_page = page.strip_prefix(&site).unwrap_or(&page).to_path_buf();
            let name = format!("{stem}/{}", rel_page.display());
            // The probe runs on a copy, beside the original so links resolve alike.
            let text = std::fs::read_to_string(&page).expect("page");
            let probed = page.with_extension("probe.html");
            std::fs::write(&probed, text.replace("</body>", &format!("{PROBE}</body>")))
                .expect("probe copy");
            let shot = base
                .join("screenshots")
                .join(stem)
                .join(rel_page.with_extension("png"));
            std::fs::create_dir_all(shot.parent().expect("parent")).expect("shot dir");
            let l = load(&chrome, &probed, &work, Some(&shot));
            let _ = std::fs::remove_file(&probed);
            rows += check_page(&name, &l, &json);
            assert!(shot.is_file(), "{name}: no screenshot");
            println!("screenshot: {}", shot.display());
            pages += 1;
        }
    }
    println!(
        "checked {pages} pages and {rows} target rows in {}",
        chrome.display()
    );
    assert!(pages >= 4 && rows > 0);
}
