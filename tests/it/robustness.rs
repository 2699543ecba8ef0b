//! Hardening: no input crashes, hangs, escapes or loses work.
//!
//! Every limit of Plumb is exercised here with an input past it (a diagnostic with
//! a code, never a panic or a stack overflow) and, where it matters, with an input
//! just inside it (it still works). Deep inputs run on a 2 MB stack, the size of a
//! tokio worker's, so the language server is safe too. The last part drives the
//! built binary: broken files must end with exit code 0, 1 or 2 and a diagnostic.

#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

use crate::common::plumb;
use plumb::calendar::By;
use plumb::compile::{compile, compile_str, Compilation, DiskFs, Options};
use plumb::diagnostic::{render_human, Code, JsonDiagnostic, RenderOptions};
use plumb::outcome::targets::all_outcomes;
use plumb::report::RunReport;
use plumb::syntax::limits;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A tokio worker's stack.
const SMALL_STACK: usize = 2 * 1024 * 1024;

/// Runs `f` on a thread with a 2 MB stack.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(SMALL_STACK)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap()
}

/// What a user can ask of a plan: everything compiled and evaluated, every
/// diagnostic rendered for people and as JSON, and the run report as JSON.
struct Seen {
    codes: Vec<Code>,
    errors: usize,
    messages: Vec<String>,
    rendered: String,
    json: Option<String>,
}

impl Seen {
    fn has(&self, code: Code) -> bool {
        self.codes.contains(&code)
    }
}

fn everything(c: &Compilation) -> Seen {
    let mut rendered = String::new();
    for d in &c.diagnostics {
        rendered.push_str(&render_human(
            d,
            &c.sources,
            RenderOptions {
                color: false,
                width: 100,
            },
        ));
        serde_json::to_string(&JsonDiagnostic::from_diagnostic(d, &c.sources)).unwrap();
    }
    let json = c.results.as_ref().and_then(|r| {
        let o = all_outcomes(c.plan(), r).ok()?;
        Some(RunReport::build(c.plan(), r, &o, By::Quarter).to_json())
    });
    Seen {
        codes: c.diagnostics.iter().map(|d| d.code).collect(),
        errors: c.diagnostics.iter().filter(|d| d.is_error()).count(),
        messages: c.diagnostics.iter().map(|d| d.message.clone()).collect(),
        rendered,
        json,
    }
}

/// Compiles, evaluates and renders `text` on a 2 MB stack.
fn run(text: String) -> Seen {
    on_small_stack(move || {
        let c = compile_str(
            "hardening.plumb",
            &text,
            &Options {
                evaluate: true,
                scenarios: None,
            },
        );
        everything(&c)
    })
}

/// A plan header with a six-month horizon, then `body`.
fn plan(body: &str) -> String {
    format!("plan t \"Hardening\" {{\n  currency USD\n  periods 2026-01 .. 2026-06\n}}\n\ndriver b = 2\n{body}\n")
}

/// The value of item `name` in the base scenario's first quarter, from the JSON.
fn q1(seen: &Seen, name: &str) -> String {
    let json: serde_json::Value = serde_json::from_str(seen.json.as_ref().unwrap()).unwrap();
    json["scenarios"]["base"]["items"][name]["values"][0]
        .as_str()
        .unwrap()
        .to_string()
}

fn assert_limit(seen: &Seen) {
    assert!(
        seen.has(Code::LimitExceeded),
        "expected limit-exceeded, got {:?}",
        seen.messages
    );
    assert!(seen.rendered.contains("plumb::limit-exceeded"));
}

// ------------------------------------------------------------- nesting depth

#[test]
fn a_hundred_thousand_parentheses() {
    let n = 100_000;
    let seen = run(plan(&format!(
        "metric a = {}b{}",
        "(".repeat(n),
        ")".repeat(n)
    )));
    assert_limit(&seen);
    assert!(seen
        .messages
        .iter()
        .any(|m| m.contains("nests 100000 levels")));
}

#[test]
fn unclosed_parentheses_and_braces() {
    assert_limit(&run(plan(&format!("metric a = {}b", "(".repeat(100_000)))));
    assert_limit(&run(plan(&format!(
        "metric a = {}",
        "step { 2026-01: ".repeat(50_000)
    ))));
    assert_limit(&run(plan(&format!(
        "driver u: {}USD = 1",
        "(".repeat(100_000)
    ))));
}

#[test]
fn long_not_chain() {
    let seen = run(plan(&format!(
        "metric a = if {}b > 1 then 1 else 0",
        "not ".repeat(100_000)
    )));
    assert_limit(&seen);
}

#[test]
fn long_minus_chains() {
    assert_limit(&run(plan(&format!("metric a = {}b", "-".repeat(100_000)))));
    assert_limit(&run(plan(&format!("metric a = {}b", "- ".repeat(100_000)))));
    assert_limit(&run(plan(&format!(
        "metric a = 0{}",
        " - b".repeat(20_000)
    ))));
}

#[test]
fn a_hundred_thousand_term_sum() {
    let terms = vec!["b"; 100_000].join(" + ");
    let seen = run(plan(&format!("metric a = {terms}")));
    assert_limit(&seen);
    assert!(seen.messages.iter().any(|m| m.contains(&format!(
        "nests more than {} levels",
        limits::MAX_EXPR_DEPTH
    ))));
}

#[test]
fn long_product_and_boolean_chains() {
    assert_limit(&run(plan(&format!(
        "metric a = {}",
        vec!["b"; 20_000].join(" * ")
    ))));
    assert_limit(&run(plan(&format!(
        "metric a = if {} then 1 else 0",
        vec!["b > 1"; 3_000].join(" and ")
    ))));
    assert_limit(&run(plan(&format!(
        "metric a = if {} then 1 else 0",
        vec!["b > 1"; 3_000].join(" or ")
    ))));
}

#[test]
fn deep_if_else_chains_and_nested_calls() {
    assert_limit(&run(plan(&format!(
        "metric a = {}0",
        "if b > 1 then b else ".repeat(100_000)
    ))));
    assert_limit(&run(plan(&format!(
        "metric a = {}b{}",
        "prev(".repeat(100_000),
        ")".repeat(100_000)
    ))));
    assert_limit(&run(plan(&format!(
        "metric a = {}b{}",
        "max(b, ".repeat(100_000),
        ")".repeat(100_000)
    ))));
}

#[test]
fn deep_expressions_inside_scenarios_triggers_and_targets() {
    let sum = vec!["b"; 5_000].join(" + ");
    let seen = run(plan(&format!(
        "scenario s \"S\" extends base {{\n  b = {sum}\n}}\n\
         trigger t \"T\" {{\n  when {sum} > 1\n  after 1 month: set b = {sum}\n}}\n\
         objective o \"O\" {{\n  target {sum} > 1\n}}\n"
    )));
    assert_limit(&seen);
}

#[test]
fn expressions_just_inside_the_limits_evaluate() {
    // A sum as deep as allowed, on a small stack.
    let n = limits::MAX_EXPR_DEPTH;
    let seen = run(plan(&format!(
        "metric sum = {}\n\
         metric parens = {}b{}\n\
         metric nots = if {}b > 1 then 1 else 0\n\
         metric calls = {}b{}\n\
         metric prevs = {}b{}\n\
         metric deep_if = {}0",
        vec!["b"; n].join(" + "),
        "(".repeat(limits::MAX_NESTING),
        ")".repeat(limits::MAX_NESTING),
        "not ".repeat(n - 10),
        "max(b, ".repeat(limits::MAX_NESTING),
        ")".repeat(limits::MAX_NESTING),
        "prev(".repeat(limits::MAX_NESTING),
        ")".repeat(limits::MAX_NESTING),
        "if b > 1 then b else ".repeat(limits::MAX_NESTING),
    )));
    assert_eq!(seen.errors, 0, "{:?}", seen.messages);
    assert_eq!(q1(&seen, "sum"), (2 * 3 * n).to_string());
    assert_eq!(q1(&seen, "parens"), "6");
    assert_eq!(q1(&seen, "calls"), "6");
    assert_eq!(q1(&seen, "deep_if"), "6");
    // not applied an even number of times: b > 1 holds.
    assert_eq!(q1(&seen, "nots"), "3");
}

#[test]
fn function_inlining_cannot_explode() {
    // Each level multiplies the size by ten: 10^6 nodes without the budget.
    let seen = run(plan(
        "fn f(x) = x + x + x + x + x + x + x + x + x + x\n\
         fn g(x) = f(f(f(x)))\n\
         fn h(x) = g(g(x))\n\
         metric a = h(b)",
    ));
    assert_limit(&seen);
}

#[test]
fn function_inlining_cannot_nest_too_deep() {
    // Each call adds depth through its argument: the tree after inlining is
    // deeper than any written expression.
    let body = vec!["x"; 200].join(" + ");
    let seen = run(plan(&format!(
        "fn f(x) = {body}\nfn g(x) = f(f(f(f(x))))\nmetric a = g(b)"
    )));
    assert_limit(&seen);
    // Sixteen levels of functions calling functions is the most.
    let chain: String = (0..40)
        .map(|i| format!("fn f{i}(x) = f{}(x) + 1\n", i + 1))
        .collect();
    let seen = run(plan(&format!("{chain}fn f40(x) = x\nmetric a = f0(b)")));
    assert_limit(&seen);
}

// ------------------------------------------------------------- sizes and counts

#[test]
fn file_size_limit() {
    let filler = "# padding padding padding padding padding padding padding\n";
    let mut text = plan("");
    while text.len() <= limits::MAX_FILE_BYTES {
        text.push_str(filler);
    }
    let seen = run(text);
    assert_limit(&seen);
    assert!(seen.messages.iter().any(|m| m.contains("bytes")));
}

#[test]
fn declaration_count_limit() {
    let mut text = plan("");
    for i in 0..=limits::MAX_DECLS {
        text.push_str(&format!("unit u{i}\n"));
    }
    let seen = run(text);
    assert_limit(&seen);
    assert!(seen.messages.iter().any(|m| m.contains("declarations")));
}

#[test]
fn horizon_length_limit() {
    let long = "plan t \"T\" {\n  currency USD\n  periods 2000-01 .. 2100-12\n}\ndriver x = 1\n";
    assert_limit(&run(long.to_string()));
    let longest = format!(
        "plan t \"T\" {{\n  currency USD\n  periods 2000-01 .. {}-12\n}}\ndriver x = grow(1, 0.1%)\nmetric y = cumsum(x)\n",
        2000 + plumb::resolve::MAX_HORIZON / 12 - 1
    );
    let seen = run(longest);
    assert_eq!(seen.errors, 0, "{:?}", seen.messages);
    assert!(seen.json.is_some());
    // Years far outside any horizon are refused too.
    assert!(
        run("plan t \"T\" {\n  currency USD\n  periods 0000-01 .. 9999-12\n}\n".into()).errors > 0
    );
}

#[test]
fn step_entry_limit() {
    let entries: Vec<String> = (0..=limits::MAX_STEP_ENTRIES)
        .map(|i| format!("{}-{:02}: {i}", 2026 + i / 12, i % 12 + 1))
        .collect();
    let seen = run(plan(&format!(
        "driver s = step {{ {} }}",
        entries.join(", ")
    )));
    assert_limit(&seen);
    assert!(seen.messages.iter().any(|m| m.contains("entries")));
}

#[test]
fn numeric_literal_limits() {
    let huge = format!("1{}", "0".repeat(100_000));
    let seen = run(plan(&format!("driver x = {huge}")));
    assert!(seen.has(Code::Overflow), "{:?}", seen.messages);
    // More digits than a decimal holds: refused, not silently rounded.
    let precise = format!("0.{}1", "0".repeat(40));
    let seen = run(plan(&format!("driver x = {precise}")));
    assert!(seen.has(Code::Overflow), "{:?}", seen.messages);
    assert!(seen.messages.iter().any(|m| m.contains("more digits")));
    let seen = run(plan("driver x = 0.0000000000000000000000000001%"));
    assert!(seen.has(Code::Overflow), "{:?}", seen.messages);
    // The largest decimal and the smallest step are fine.
    let seen = run(plan(
        "driver x stock = 79_228_162_514_264_337_593_543_950_335\ndriver y = 0.0000000000000000000000000001",
    ));
    assert_eq!(seen.errors, 0, "{:?}", seen.messages);
    // A month count past u32.
    let seen = run(plan(
        "trigger t \"T\" {\n  when b > 1 for 99999999999 months\n  after 99999999999 months: set b = 1\n}",
    ));
    assert!(seen.has(Code::Overflow), "{:?}", seen.messages);
}

#[test]
fn very_long_lines_render_short() {
    // An unknown name at column 200,000: miette cannot draw a caret past column
    // 65,535, so the line is cut around the label.
    let pad = "1 + ".repeat(50_000);
    let seen = run(plan(&format!("metric a = {pad}wim_rate")));
    assert!(seen.has(Code::LimitExceeded) || seen.has(Code::UndefinedName));
    assert!(seen.rendered.len() < 10_000, "{}", seen.rendered.len());
    let long_name = "x".repeat(300_000);
    let seen = run(plan(&format!("metric a = b + {long_name}")));
    assert!(seen.has(Code::UndefinedName));
    assert!(seen.rendered.contains('…'));
    assert!(seen.rendered.contains("hardening.plumb:7:16"));
}

#[test]
fn thousands_of_diagnostics_on_one_line() {
    let entries = vec!["2026-01: 1"; limits::MAX_STEP_ENTRIES].join(", ");
    let seen = run(plan(&format!("driver s = step {{ {entries} }}")));
    assert!(seen.codes.len() > 1000);
    // Each one shows only its part of the line.
    assert!(seen.rendered.len() < seen.codes.len() * 2_000);
}

#[test]
fn evaluation_work_is_bounded() {
    // Each node evaluated over 100 years counts 1,201 steps (however cheap, as
    // these constants are), and each trigger that fires re-runs the scenario:
    // 20 formulas of 1,000 nodes re-run for 21 firings take more steps than one
    // evaluation may.
    let sum = vec!["1"; 500].join(" + ");
    let mut text = "plan t \"T\" {\n  currency USD\n  periods 2000-01 .. 2099-12\n}\n\
                    department ops \"Ops\"\ndriver d = 1\n"
        .to_string();
    for i in 0..20 {
        text.push_str(&format!("metric m{i} = {sum} + d\n"));
    }
    for k in 1..=21 {
        text.push_str(&format!(
            "trigger t{k} \"T\" {{\n  owner ops\n  when period_index() >= {k}\n  after 1 month: set d = d + 1\n}}\n"
        ));
    }
    let seen = run(text);
    assert_limit(&seen);
    assert!(seen
        .messages
        .iter()
        .any(|m| m.contains("million steps") && m.contains("scenario `base`")));
}

// ------------------------------------------------------------- files

/// A fresh directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("hardening")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn compile_disk(entry: &Path) -> Compilation {
    compile(
        entry,
        &DiskFs,
        &Options {
            evaluate: true,
            scenarios: None,
        },
    )
}

const HEADER: &str = "plan t \"T\" {\n  currency USD\n  periods 2026-01 .. 2026-03\n}\n";

#[test]
fn import_depth_limit() {
    let dir = scratch("import_depth");
    std::fs::write(
        dir.join("main.plumb"),
        format!("{HEADER}import \"f0.plumb\"\n"),
    )
    .unwrap();
    for i in 0..40 {
        std::fs::write(
            dir.join(format!("f{i}.plumb")),
            format!("import \"f{}.plumb\"\ndriver d{i} = {i}\n", i + 1),
        )
        .unwrap();
    }
    std::fs::write(dir.join("f40.plumb"), "driver last = 1\n").unwrap();
    let c = compile_disk(&dir.join("main.plumb"));
    assert!(
        c.diagnostics
            .iter()
            .any(|d| d.code == Code::LimitExceeded && d.message.contains("imports nest")),
        "{:#?}",
        c.diagnostics
    );
    assert!(c.sources.len() <= plumb::compile::MAX_IMPORT_DEPTH + 2);
}

#[test]
fn import_file_count_limit() {
    let dir = scratch("import_count");
    let n = plumb::compile::MAX_FILES + 5;
    let mut main = HEADER.to_string();
    for i in 0..n {
        main.push_str(&format!("import \"f{i}.plumb\"\n"));
        std::fs::write(
            dir.join(format!("f{i}.plumb")),
            format!("driver d{i} = 1\n"),
        )
        .unwrap();
    }
    std::fs::write(dir.join("main.plumb"), main).unwrap();
    let c = compile_disk(&dir.join("main.plumb"));
    assert!(c.diagnostics.iter().any(|d| d.code == Code::LimitExceeded));
    assert!(c.sources.len() <= plumb::compile::MAX_FILES + 1);
}

#[test]
fn imports_never_leave_the_plan_directory() {
    let dir = scratch("escape");
    let plan_dir = dir.join("plan");
    let secret = dir.join("secret");
    std::fs::create_dir_all(plan_dir.join("sub")).unwrap();
    std::fs::create_dir_all(&secret).unwrap();
    std::fs::write(secret.join("s.plumb"), "driver stolen = 1\n").unwrap();
    #[cfg(unix)]
    {
        // A directory link and a file link, both pointing out.
        std::os::unix::fs::symlink(&secret, plan_dir.join("linkdir")).unwrap();
        std::os::unix::fs::symlink(secret.join("s.plumb"), plan_dir.join("sub/l.plumb")).unwrap();
    }
    let abs = secret.join("s.plumb");
    std::fs::write(
        plan_dir.join("main.plumb"),
        format!(
            "{HEADER}import \"../secret/s.plumb\"\n\
             import \"sub/../../secret/s.plumb\"\n\
             import \"./sub/./../../secret/s.plumb\"\n\
             import \"{}\"\n\
             import \"linkdir/s.plumb\"\n\
             import \"sub/l.plumb\"\n\
             import \"/etc/passwd\"\n",
            abs.display()
        ),
    )
    .unwrap();
    let c = compile_disk(&plan_dir.join("main.plumb"));
    let outside = c
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::ImportOutsideRoot)
        .count();
    let expected = if cfg!(unix) { 7 } else { 5 };
    assert_eq!(outside, expected, "{:#?}", c.diagnostics);
    // Nothing outside was loaded.
    assert_eq!(c.sources.len(), 1);
    assert!(c.plan().items.iter().all(|i| i.name != "stolen"));
}

#[cfg(unix)]
#[test]
fn an_entry_file_reached_through_a_link_is_confined_to_its_real_directory() {
    let dir = scratch("entry_link");
    let real = dir.join("real");
    let other = dir.join("other");
    std::fs::create_dir_all(&real).unwrap();
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("o.plumb"), "driver o = 1\n").unwrap();
    std::fs::write(
        real.join("main.plumb"),
        format!("{HEADER}import \"../other/o.plumb\"\n"),
    )
    .unwrap();
    std::os::unix::fs::symlink(real.join("main.plumb"), other.join("main.plumb")).unwrap();
    // Through the link, `../other` would lexically stay beside the link, but the
    // plan's directory is the real one.
    let c = compile_disk(&other.join("main.plumb"));
    assert!(
        c.diagnostics
            .iter()
            .any(|d| d.code == Code::ImportOutsideRoot),
        "{:#?}",
        c.diagnostics
    );
    assert_eq!(c.sources.len(), 1);
}

#[test]
fn odd_import_targets_are_diagnostics() {
    let dir = scratch("odd_imports");
    std::fs::create_dir_all(dir.join("adir")).unwrap();
    std::fs::write(
        dir.join("main.plumb"),
        format!(
            "{HEADER}import \"\"\nimport \".\"\nimport \"adir\"\nimport \"adir/\"\nimport \"nul\\u0000.plumb\"\nimport \"main.plumb\"\n"
        ),
    )
    .unwrap();
    let c = compile_disk(&dir.join("main.plumb"));
    let errors = c.diagnostics.iter().filter(|d| d.is_error()).count();
    assert!(errors >= 5, "{:#?}", c.diagnostics);
    everything(&c);
}

#[cfg(unix)]
#[test]
fn importing_a_fifo_does_not_hang() {
    let dir = scratch("fifo");
    let ok = Command::new("mkfifo")
        .arg(dir.join("pipe.plumb"))
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        // No mkfifo on this machine: nothing to test.
        assert!(!dir.join("pipe.plumb").exists());
        return;
    }
    std::fs::write(
        dir.join("main.plumb"),
        format!("{HEADER}import \"pipe.plumb\"\n"),
    )
    .unwrap();
    let c = compile_disk(&dir.join("main.plumb"));
    assert!(c.has_errors(), "{:#?}", c.diagnostics);
    // Named on the command line, too.
    let fifo = dir.join("pipe.plumb");
    for args in [
        vec!["check", fifo.to_str().unwrap()],
        vec!["run", fifo.to_str().unwrap()],
        vec!["fmt", fifo.to_str().unwrap()],
        vec!["fmt", "--check", fifo.to_str().unwrap()],
        vec!["explain", fifo.to_str().unwrap(), "x"],
    ] {
        let o = plumb(&args);
        assert_graceful(&o);
        assert_ne!(o.status.code(), Some(0), "{args:?}");
    }
}

#[test]
fn an_imported_file_past_the_size_limit_is_not_read_whole() {
    let dir = scratch("big_import");
    let big = vec![b'#'; limits::MAX_FILE_BYTES + 10];
    std::fs::write(dir.join("big.plumb"), big).unwrap();
    std::fs::write(
        dir.join("main.plumb"),
        format!("{HEADER}import \"big.plumb\"\n"),
    )
    .unwrap();
    let c = compile_disk(&dir.join("main.plumb"));
    assert!(
        c.diagnostics.iter().any(|d| d.code == Code::LimitExceeded),
        "{:#?}",
        c.diagnostics
    );
}

// ------------------------------------------------------------- the binary

/// Exit code 0, 1 or 2, no panic, and something said on failure.
fn assert_graceful(o: &Output) {
    let stderr = String::from_utf8_lossy(&o.stderr);
    let code = o.status.code();
    assert!(
        matches!(code, Some(0..=2)),
        "exit {code:?}, stderr: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("RUST_BACKTRACE"), "{stderr}");
    if code != Some(0) {
        assert!(!stderr.trim().is_empty() || !o.stdout.is_empty());
    }
}

#[test]
fn invalid_utf8_is_a_diagnostic() {
    let dir = scratch("utf8");
    let mut bytes = HEADER.as_bytes().to_vec();
    bytes.extend_from_slice(b"driver x = 1 # caf\xe9\n\xff\xfe\x00\x80");
    std::fs::write(dir.join("bad.plumb"), &bytes).unwrap();
    for args in [
        vec!["check"],
        vec!["check", "--format", "json"],
        vec!["check", "--format", "github"],
        vec!["run"],
        vec!["run", "--format", "json"],
    ] {
        let path = dir.join("bad.plumb");
        let mut all: Vec<&str> = args.clone();
        all.push(path.to_str().unwrap());
        let o = plumb(&all);
        assert_graceful(&o);
        assert!(matches!(o.status.code(), Some(1 | 2)), "{args:?}");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(text.contains("invalid-plan"), "{args:?}: {text}");
        assert!(text.contains("UTF-8"), "{args:?}: {text}");
    }
    // An imported file that is not UTF-8.
    std::fs::write(
        dir.join("main.plumb"),
        format!("{HEADER}import \"bad.plumb\"\n"),
    )
    .unwrap();
    let o = plumb(&["check", dir.join("main.plumb").to_str().unwrap()]);
    assert_graceful(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stdout).contains("UTF-8"));
}

#[test]
fn binary_garbage_and_odd_paths() {
    let dir = scratch("garbage");
    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(dir.join("garbage.plumb"), &garbage).unwrap();
    std::fs::write(dir.join("empty.plumb"), "").unwrap();
    std::fs::write(dir.join("nul.plumb"), "plan \0 {\n").unwrap();
    std::fs::write(dir.join("bom.plumb"), format!("\u{feff}{HEADER}")).unwrap();
    std::fs::write(dir.join("crlf.plumb"), HEADER.replace('\n', "\r\n")).unwrap();
    std::fs::write(dir.join("cr.plumb"), HEADER.replace('\n', "\r")).unwrap();
    for f in [
        "garbage.plumb",
        "empty.plumb",
        "nul.plumb",
        "bom.plumb",
        "crlf.plumb",
        "cr.plumb",
        "missing.plumb",
    ] {
        let p = dir.join(f);
        let p = p.to_str().unwrap();
        for args in [
            vec!["check", p],
            vec!["check", "--format", "json", p],
            vec!["run", p],
            vec!["run", "--format", "csv", "--by", "year", p],
        ] {
            assert_graceful(&plumb(&args));
        }
    }
    // A directory where a file belongs, and a directory with nothing in it.
    assert_eq!(
        plumb(&["run", dir.to_str().unwrap()]).status.code(),
        Some(2)
    );
    let empty = scratch("garbage_empty_dir");
    assert_eq!(
        plumb(&["check", empty.to_str().unwrap()]).status.code(),
        Some(2)
    );
}

#[test]
fn deep_inputs_through_the_binary() {
    let dir = scratch("deep_binary");
    let cases = [
        (
            "parens",
            format!("metric a = {}b{}", "(".repeat(100_000), ")".repeat(100_000)),
        ),
        (
            "sum",
            format!("metric a = {}", vec!["b"; 20_000].join(" + ")),
        ),
        (
            "nots",
            format!(
                "metric a = if {}b > 1 then 1 else 0",
                "not ".repeat(100_000)
            ),
        ),
        ("negs", format!("metric a = {}b", "-".repeat(100_000))),
    ];
    for (name, body) in cases {
        let p = dir.join(format!("{name}.plumb"));
        std::fs::write(&p, plan(&body)).unwrap();
        let o = plumb(&["run", "--format", "json", p.to_str().unwrap()]);
        assert_graceful(&o);
        assert_eq!(o.status.code(), Some(1), "{name}");
        assert!(String::from_utf8_lossy(&o.stderr).contains("limit-exceeded"));
    }
}

// ------------------------------------------------------------- plumb fmt

#[test]
fn fmt_formats_expressions_at_the_limits_on_a_small_stack() {
    let n = limits::MAX_EXPR_DEPTH;
    let text = plan(&format!(
        "metric sum = {}\n\
         metric parens = {}b{}\n\
         metric nots = if {}b > 1 then 1 else 0\n\
         metric calls = {}b{}\n\
         metric deep_if = {}0",
        vec!["b"; n].join(" + "),
        "(".repeat(limits::MAX_NESTING),
        ")".repeat(limits::MAX_NESTING),
        "not ".repeat(n - 10),
        "max(b, ".repeat(limits::MAX_NESTING),
        ")".repeat(limits::MAX_NESTING),
        "if b > 1 then b else ".repeat(limits::MAX_NESTING),
    ));
    let (once, twice) = on_small_stack(move || {
        let fmt = |t: &str| {
            plumb::fmt::format_source(t, plumb::source::FileId(0)).map_err(|e| format!("{e:?}"))
        };
        let once = fmt(&text).unwrap();
        let twice = fmt(&once).unwrap();
        (once, twice)
    });
    assert_eq!(once, twice);
}

#[test]
fn fmt_refuses_inputs_past_the_limits() {
    for body in [
        format!("metric a = {}", vec!["b"; 20_000].join(" + ")),
        format!("metric a = {}b{}", "(".repeat(100_000), ")".repeat(100_000)),
        format!("metric a = {}b", "- ".repeat(20_000)),
    ] {
        let text = plan(&body);
        let r: Vec<Code> = on_small_stack(move || {
            match plumb::fmt::format_source(&text, plumb::source::FileId(0)) {
                Err(plumb::fmt::FormatError::Syntax(d)) => d.iter().map(|d| d.code).collect(),
                other => panic!("expected syntax errors, got {other:?}"),
            }
        });
        assert!(r.contains(&Code::LimitExceeded), "{r:?}");
    }
}

#[test]
fn fmt_replaces_a_file_atomically() {
    let dir = scratch("fmt_atomic");
    let messy = format!("{HEADER}driver   x=1\nmetric y   =x*2   # doubled\n");
    let file = dir.join("plan.plumb");
    std::fs::write(&file, &messy).unwrap();
    // A second name for the same file: an in-place rewrite would change it too,
    // a rename of a fresh temporary file does not.
    let link = dir.join("plan-link.plumb.bak");
    std::fs::hard_link(&file, &link).unwrap();
    let o = plumb(&["fmt", file.to_str().unwrap()]);
    assert_graceful(&o);
    assert_eq!(o.status.code(), Some(0));
    let formatted = std::fs::read_to_string(&file).unwrap();
    assert_ne!(formatted, messy);
    assert!(formatted.contains("driver x = 1"), "{formatted}");
    assert_eq!(std::fs::read_to_string(&link).unwrap(), messy);
    // No temporary file is left behind.
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["plan-link.plumb.bak", "plan.plumb"]);
}

#[test]
fn fmt_leaves_broken_files_alone() {
    let dir = scratch("fmt_broken");
    let broken = format!("{HEADER}driver x = (1 +\nmetric y = x\n");
    std::fs::write(dir.join("broken.plumb"), &broken).unwrap();
    let mut bad = HEADER.as_bytes().to_vec();
    bad.extend_from_slice(b"driver x = 1 # \xff\n");
    std::fs::write(dir.join("bad.plumb"), &bad).unwrap();
    let deep = plan(&format!("metric a = {}b", "-".repeat(100_000)));
    std::fs::write(dir.join("deep.plumb"), &deep).unwrap();
    for (name, before) in [
        ("broken.plumb", broken.into_bytes()),
        ("bad.plumb", bad),
        ("deep.plumb", deep.into_bytes()),
    ] {
        let p = dir.join(name);
        for args in [vec!["fmt"], vec!["fmt", "--check"]] {
            let mut all = args.clone();
            all.push(p.to_str().unwrap());
            let o = plumb(&all);
            assert_graceful(&o);
            assert!(matches!(o.status.code(), Some(1 | 2)), "{name} {args:?}");
            assert_eq!(std::fs::read(&p).unwrap(), before, "{name} was changed");
        }
    }
}
