//! Language-server latency on a large plan: `cargo bench --bench lsp_latency`.
//!
//! Generates a plan of about 5,000 lines, then measures what the server does on
//! every keystroke (a full re-analysis: parse, resolve, check, no evaluation) and
//! on a hover, plus completion, semantic tokens and the background evaluation for
//! reference. Prints medians and worst cases; asserts nothing about time.

use plumb::analysis::{self, complete, lex, Evaluated};
use plumb::compile::{compile_str_cached, Options};
use plumb::source::FileId;
use plumb::syntax::ParseCache;
use std::fmt::Write;
use std::time::{Duration, Instant};

/// A plan of about `lines` lines: drivers feeding chained metrics, owners,
/// objectives and scenarios.
fn generate(lines: usize) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "## Generated plan for latency measurements.\nplan big \"Big plan\" {{\n  currency USD\n  periods 2026-01 .. 2027-12\n  base base\n}}\n"
    );
    for d in 0..10 {
        let _ = writeln!(s, "department dept{d} \"Department {d}\"");
    }
    let _ = writeln!(s, "unit seat\nunit deal\n");
    let groups = lines.saturating_sub(120) / 5;
    for i in 0..groups {
        let _ = writeln!(s, "## Input {i} of department {}.", i % 10);
        let _ = writeln!(
            s,
            "driver d{i}: USD = grow({}, 1%) {{ owner dept{} }}",
            100 + i,
            i % 10
        );
        if i == 0 {
            let _ = writeln!(s, "metric m{i} = d{i} * 2");
        } else {
            let _ = writeln!(s, "metric m{i} = d{i} * 2 + m{} / 4", i - 1);
        }
        let _ = writeln!(s, "metric r{i}: USD/seat = d{i} / 10 seat");
        s.push('\n');
    }
    for o in 0..20 {
        let k = (o * 37) % groups.max(1);
        let _ = writeln!(
            s,
            "objective o{o} \"Objective {o}\" {{\n  owner dept{}\n  target sum(m{k}) >= 1M\n}}",
            o % 10
        );
    }
    let _ = writeln!(s, "\nscenario base \"Base\" {{}}");
    for sc in 0..3 {
        let _ = writeln!(s, "scenario s{sc} \"Scenario {sc}\" extends base {{");
        for i in (sc..groups).step_by(groups.max(1) / 10 + 1) {
            let _ = writeln!(s, "  d{i} = grow({}, 2%)", 90 + i);
        }
        let _ = writeln!(s, "}}");
    }
    s
}

fn stats(mut xs: Vec<Duration>) -> (Duration, Duration) {
    xs.sort();
    let median = xs.get(xs.len() / 2).copied().unwrap_or_default();
    let worst = xs.last().copied().unwrap_or_default();
    (median, worst)
}

/// CPU time this thread has used (user + system), from `/proc/thread-self/stat`
/// (Linux; 10 ms ticks): on a busy machine it shows the work itself rather than
/// the time spent waiting for a core.
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(Duration::from_millis((utime + stime) * 10))
}

/// Runs `f` `n` times; returns the wall-clock times and the mean CPU time.
fn measure(n: u32, mut f: impl FnMut(u32)) -> (Vec<Duration>, Option<Duration>) {
    let cpu0 = cpu_time();
    let mut walls = Vec::new();
    for k in 0..n {
        let t = Instant::now();
        f(k);
        walls.push(t.elapsed());
    }
    let cpu = match (cpu0, cpu_time()) {
        (Some(a), Some(b)) => Some(b.saturating_sub(a) / n.max(1)),
        _ => None,
    };
    (walls, cpu)
}

fn cpu(d: Option<Duration>) -> String {
    d.map(|d| format!(", CPU {} per run", ms(d)))
        .unwrap_or_default()
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let text = generate(5000);
    let lines = text.lines().count();
    let opts = Options::default();
    // The server keeps one parse cache per entry file: so does this document.
    let parses = ParseCache::default();
    let compile_str = |name: &str, text: &str, opts: &Options| {
        compile_str_cached(name, text, opts, Some(&parses))
    };
    let t = Instant::now();
    let first = compile_str("big.plumb", &text, &opts);
    let cold = t.elapsed();
    assert!(
        !first.has_errors(),
        "the generated plan must be clean: {:?}",
        first.diagnostics.first()
    );
    println!(
        "plan: {lines} lines, {} bytes, {} items",
        text.len(),
        first.plan().items.len()
    );
    println!(
        "first analysis on opening (nothing memoised yet): {}",
        ms(cold)
    );

    // A full re-analysis after an edit: a different number each time.
    let edits: Vec<String> = (0..30)
        .map(|k| text.replacen("grow(100, 1%)", &format!("grow({}, 1%)", 100 + k), 1))
        .collect();
    let (walls, cpu_each) = measure(30, |k| {
        let c = compile_str(
            "big.plumb",
            edits.get(k as usize).map_or("", String::as_str),
            &opts,
        );
        assert!(!c.has_errors());
    });
    let (med, worst) = stats(walls);
    println!(
        "re-analysis after an edit (parse, resolve, check): median {}, worst {}{}  [target ≤ 50 ms]",
        ms(med),
        ms(worst),
        cpu(cpu_each)
    );

    // Where a re-analysis spends its time (CPU per run).
    let (_, parse_cpu) = measure(10, |_| {
        let _ = plumb::syntax::parse_cached(&text, FileId(0), Some(&parses));
    });
    let parsed = plumb::syntax::parse_cached(&text, FileId(0), Some(&parses));
    let files = vec![plumb::resolve::ParsedFile {
        file: FileId(0),
        ast: parsed.file,
        entry: true,
    }];
    let src = text.clone();
    let slice = move |sp: plumb::source::Span| {
        src.get(sp.start as usize..sp.end as usize)
            .unwrap_or("")
            .to_string()
    };
    let (_, resolve_cpu) = measure(10, |_| {
        let _ = plumb::resolve::resolve(&files, &slice);
    });
    let (resolved, _) = plumb::resolve::resolve(&files, &slice);
    let (_, check_cpu) = measure(10, |_| {
        let mut plan = resolved.plan.clone();
        let inferred = plumb::infer::infer(&mut plan);
        let _ = plumb::check::before_eval(&plan, inferred);
    });
    let show = |d: Option<Duration>| d.map(ms).unwrap_or_else(|| "?".into());
    println!(
        "  of which parse {}, resolve {}, checks {} (CPU per run)",
        show(parse_cpu),
        show(resolve_cpu),
        show(check_cpu)
    );

    // Background evaluation (not on any request's path).
    let t = Instant::now();
    let ev = Evaluated::new(compile_str(
        "big.plumb",
        &text,
        &Options {
            evaluate: true,
            scenarios: None,
        },
    ));
    println!(
        "evaluation, all scenarios (background): {}",
        ms(t.elapsed())
    );
    assert!(ev.compilation.results.is_some());

    // Hover on a metric in the middle of the file, with values.
    let c = &first;
    let mid = text.find(&format!("metric m{} =", lines / 10)).unwrap_or(0) + "metric m".len();
    let mut shown = String::new();
    let (walls, cpu_each) = measure(500, |_| {
        if let Some(h) = analysis::hover(c, None, Some(&ev), FileId(0), mid as u32) {
            shown = h.markdown;
        }
    });
    let (med, worst) = stats(walls);
    println!(
        "hover with base-scenario values: median {}, worst {}{}  [target ≤ 10 ms]",
        ms(med),
        ms(worst),
        cpu(cpu_each)
    );
    assert!(shown.contains("Base scenario"), "{shown}");

    // Completion in a formula at the end of the file, and semantic tokens.
    let with_line = format!("{text}metric z = m1 + \n");
    let cz = compile_str("big.plumb", &with_line, &opts);
    let at = with_line.len() as u32 - 1;
    let mut comp = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        let items = complete::completions(&cz, None, FileId(0), at).items.len();
        comp.push(t.elapsed());
        assert!(items > 1000);
    }
    let (med, _) = stats(comp);
    println!("completion in a formula: median {}", ms(med));
    let mut toks = Vec::new();
    for _ in 0..10 {
        let t = Instant::now();
        let n = lex::semantic_tokens(c, FileId(0)).len();
        toks.push(t.elapsed());
        assert!(n > 10_000);
    }
    let (med, _) = stats(toks);
    println!("semantic tokens, whole file: median {}", ms(med));
}
