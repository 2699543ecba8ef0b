//! The `plumb` binary end to end: `fmt` (files, `--check`, stdin, refusal on
//! syntax errors), `check --format github|sarif`, `diff` between files and against
//! a temporary git repository, and `explain`, with their exit codes.

#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output, Stdio};

fn plumb(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_plumb"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn plumb_stdin(args: &[&str], input: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_plumb"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

const MESSY: &str =
    "plan p \"P\" {currency USD\nperiods 2026-01 .. 2026-03}\ndriver   a = 1   # one\n";
const TIDY: &str =
    "plan p \"P\" {\n  currency USD\n  periods 2026-01 .. 2026-03\n}\ndriver a = 1  # one\n";

#[test]
fn fmt_check_then_write_then_check() {
    let tmp = tempfile::tempdir().unwrap();
    let sub = tmp.path().join("team");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::write(sub.join("plan.plumb"), MESSY).unwrap();
    std::fs::write(tmp.path().join("tidy.plumb"), TIDY).unwrap();

    let o = plumb(&["fmt", "--check"], tmp.path());
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(stdout(&o).trim(), "./team/plan.plumb");
    assert_eq!(
        std::fs::read_to_string(sub.join("plan.plumb")).unwrap(),
        MESSY
    );

    let o = plumb(&["fmt", "."], tmp.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(sub.join("plan.plumb")).unwrap(),
        TIDY
    );
    // No temporary file is left behind.
    assert_eq!(std::fs::read_dir(&sub).unwrap().count(), 1);

    let o = plumb(
        &["fmt", "--check", "team/plan.plumb", "tidy.plumb"],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "");
}

#[test]
fn fmt_stdin_to_stdout() {
    let o = plumb_stdin(&["fmt", "-"], MESSY);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), TIDY);
    let o = plumb_stdin(&["fmt", "--check", "-"], MESSY);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o).trim(), "<stdin>");
}

#[test]
fn fmt_refuses_syntax_errors_and_leaves_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let bad =
        "plan p \"P\" {\n  periods 2026-01 .. 2026-03\n}\ndriver price USD = 50\ndriver   ok = 1\n";
    let f = tmp.path().join("bad.plumb");
    std::fs::write(&f, bad).unwrap();
    let o = plumb(&["fmt", "bad.plumb"], tmp.path());
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("plumb::syntax"), "{err}");
    assert!(
        err.contains("bad.plumb has syntax errors; it was not formatted"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&f).unwrap(), bad);
}

#[test]
fn fmt_missing_path_is_a_usage_error() {
    let o = plumb(&["fmt", "no/such/file.plumb"], root());
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn check_github_annotations() {
    let o = plumb(
        &["check", "examples/fy2026.plumb", "--format", "github"],
        root(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 1, "{out}");
    let l = lines[0];
    assert!(
        l.starts_with("::warning file=examples/fy2026.plumb,line=41,col=10,endLine=41,endColumn=29,title=plumb%3A%3Atarget-missed::objective `revenue_65m` misses its target"),
        "{l}"
    );
    // Newlines inside the message are escaped so the command stays on one line.
    assert!(l.contains("%0Ahelp: close the gap"), "{l}");
    let o = plumb(
        &[
            "check",
            "examples/fy2026.plumb",
            "--format",
            "github",
            "--deny-warnings",
        ],
        root(),
    );
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn check_sarif_log() {
    let o = plumb(
        &["check", "examples/fy2026.plumb", "--format", "sarif"],
        root(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "plumb");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    let rules = driver["rules"].as_array().unwrap();
    for code in plumb::diagnostic::Code::ALL {
        assert!(
            rules.iter().any(|r| r["id"] == code.as_str()),
            "rule {} missing",
            code.as_str()
        );
    }
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 1);
    let r = &results[0];
    assert_eq!(r["ruleId"], "target-missed");
    assert_eq!(r["level"], "warning");
    let idx = r["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[idx]["id"], "target-missed");
    let loc = &r["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "examples/fy2026.plumb");
    assert_eq!(loc["region"]["startLine"], 41);
    assert_eq!(loc["region"]["startColumn"], 10);
    assert_eq!(loc["region"]["endLine"], 41);
    assert_eq!(loc["region"]["endColumn"], 29);
    assert!(r["message"]["text"]
        .as_str()
        .unwrap()
        .starts_with("objective `revenue_65m` misses its target"));
}

#[test]
fn check_sarif_with_errors_exits_1() {
    let o = plumb(
        &[
            "check",
            "tests/cases/unit_mismatch.plumb",
            "--format",
            "sarif",
        ],
        root(),
    );
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert!(results
        .iter()
        .any(|r| r["ruleId"] == "unit-mismatch" && r["level"] == "error"));
}

#[test]
fn diff_two_files_in_every_format() {
    let args = [
        "diff",
        "tests/diff/changed_driver/old.plumb",
        "tests/diff/changed_driver/new.plumb",
    ];
    let o = plumb(&args, root());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("revenue_65m"));
    let mut md = args.to_vec();
    md.extend(["--format", "markdown"]);
    let o = plumb(&md, root());
    assert!(stdout(&o).starts_with("## Plan diff: `fy2026`"));
    assert!(stdout(&o).contains("**missed → MET**"));
    let mut js = args.to_vec();
    js.extend(["--format", "json"]);
    let o = plumb(&js, root());
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["scenarios"][0]["targets"][0]["flip"], "missed → met");
}

#[test]
fn diff_usage_errors() {
    let o = plumb(&["diff", "examples/fy2026.plumb"], root());
    assert_eq!(o.status.code(), Some(2));
    let o = plumb(&["diff", "examples/fy2026.plumb", "nope.plumb"], root());
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn diff_against_dev_null_is_a_new_plan() {
    let o = plumb(&["diff", "/dev/null", "examples/fy2026.plumb"], root());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("new plan file"), "{}", stdout(&o));
}

fn git(dir: &Path, args: &[&str]) {
    let o = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .unwrap();
    assert!(o.status.success(), "git {args:?}: {}", stderr(&o));
}

const MAIN: &str = "plan acme \"Acme\" {\n  currency USD\n  periods 2026-01 .. 2026-03\n  base base\n}\nimport \"teams/sales.plumb\"\nmetric revenue: USD = deals * price\nscenario base \"Base\" {}\n";
const SALES_V1: &str = "unit deal\ndriver deals: deal = 10\ndriver price: USD/deal = 1K\n";
const SALES_V2: &str = "unit deal\ndriver deals: deal = 12\ndriver price: USD/deal = 1K\n";

/// A repository with a two-file plan: the first commit, then a change to the
/// imported file committed, then a further change left in the work tree.
fn repo() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    git(d, &["init", "-q", "-b", "main"]);
    std::fs::create_dir_all(d.join("plans/teams")).unwrap();
    std::fs::write(d.join("plans/main.plumb"), MAIN).unwrap();
    std::fs::write(d.join("plans/teams/sales.plumb"), SALES_V1).unwrap();
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "v1"]);
    git(d, &["tag", "v1"]);
    std::fs::write(d.join("plans/teams/sales.plumb"), SALES_V2).unwrap();
    git(d, &["commit", "-q", "-am", "v2"]);
    // Work tree: price goes up too, not committed.
    std::fs::write(
        d.join("plans/teams/sales.plumb"),
        SALES_V2.replace("1K", "1.5K"),
    )
    .unwrap();
    tmp
}

#[test]
fn diff_git_reads_imports_at_the_revision() {
    let tmp = repo();
    let plans = tmp.path().join("plans");
    // v1 → work tree: deals 10 → 12 and price 1K → 1.5K, both in the imported file.
    let o = plumb(&["diff", "--git", "v1", "main.plumb"], &plans);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("v1:main.plumb → main.plumb"), "{out}");
    assert!(out.contains("- driver deals: deal = 10"), "{out}");
    assert!(out.contains("+ driver deals: deal = 12"), "{out}");
    assert!(out.contains("+ driver price: USD/deal = 1.5K"), "{out}");
    assert!(out.contains("teams/sales.plumb"), "{out}");
    // revenue: 3 × 10 × 1,000 = 30,000 → 3 × 12 × 1,500 = 54,000.
    assert!(out.contains("$30,000"), "{out}");
    assert!(out.contains("$54,000"), "{out}");
    assert!(out.contains("+80.0%"), "{out}");

    // Two revisions: only the committed change.
    let o = plumb(
        &[
            "diff",
            "--git",
            "v1..main",
            "main.plumb",
            "--format",
            "json",
        ],
        &plans,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let decls = v["declarations"].as_array().unwrap();
    assert_eq!(decls.len(), 1, "{decls:?}");
    assert_eq!(decls[0]["name"], "deals");
    assert_eq!(decls[0]["file"], "teams/sales.plumb");
    let rev = v["scenarios"][0]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "revenue")
        .unwrap()
        .clone();
    assert_eq!(rev["before"], "30000");
    assert_eq!(rev["after"], "36000");

    // Without FILE: every plan below the current directory, as one comment.
    let o = plumb(
        &["diff", "--git", "HEAD", "--format", "markdown"],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let md = stdout(&o);
    assert!(md.starts_with("# Plumb: plan changes"), "{md}");
    assert!(md.contains("## Plan diff: `acme`"), "{md}");
    assert!(md.contains("`price`"), "{md}");
}

#[test]
fn diff_git_bad_revision_is_a_usage_error() {
    let tmp = repo();
    let o = plumb(
        &["diff", "--git", "no-such-rev", "plans/main.plumb"],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not a git revision"), "{}", stderr(&o));
}

#[test]
fn diff_driver_script_works_like_git_calls_it() {
    let tmp = repo();
    let d = tmp.path();
    std::fs::write(d.join(".gitattributes"), "*.plumb diff=plumb\n").unwrap();
    let script = root().join("scripts/git-diff-plumb");
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_plumb")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    git(
        d,
        &[
            "config",
            "diff.plumb.command",
            &script.display().to_string(),
        ],
    );
    let o = Command::new("git")
        .args([
            "diff",
            "--ext-diff",
            "HEAD",
            "--",
            "plans/teams/sales.plumb",
        ])
        .current_dir(d)
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("plans/teams/sales.plumb"), "{out}");
    assert!(out.contains("+ driver price: USD/deal = 1.5K"), "{out}");
}

#[test]
fn explain_prints_the_tree_and_rejects_unknown_names() {
    let o = plumb(
        &[
            "explain",
            "examples/fy2026.plumb",
            "revenue",
            "--period",
            "2026-01",
        ],
        root(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with("revenue = $3,927,000"), "{out}");
    assert!(out.contains("├─ new_deals = 46.2 deal"), "{out}");
    let o = plumb(&["explain", "examples/fy2026.plumb", "revenu"], root());
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("did you mean `revenue`?"),
        "{}",
        stderr(&o)
    );
    let o = plumb(
        &[
            "explain",
            "examples/fy2026.plumb",
            "hires",
            "-s",
            "downside",
            "--period",
            "2026-07",
            "--format",
            "json",
        ],
        root(),
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["roots"][0]["value"], "0");
}

#[test]
fn help_lists_the_review_commands() {
    let o = plumb(&["--help"], root());
    let out = stdout(&o);
    for cmd in ["fmt", "diff", "explain"] {
        assert!(out.contains(cmd), "{out}");
    }
}
