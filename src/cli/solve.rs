//! `plumb solve`: what it would take for a target to hold (UNCERTAINTY.md §4).

use super::sensitivity::{objective_target, UncertaintyFormat};
use super::simulate::scenarios;
use plumb::compile::{compile, DiskFs, Options};
use plumb::present::{amount, decimals_for, exact};
use plumb::uncertainty::solve::{solve, Mode, Problem, Solution, Status};
use rust_decimal::Decimal;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::str::FromStr;

/// Arguments of `plumb solve`.
#[derive(Debug, clap::Args)]
pub struct SolveArgs {
    /// The plan's entry file.
    pub file: PathBuf,
    /// The objective (`revenue_65m`, or `revenue_65m#2` for its second target).
    pub objective: String,
    /// The driver to change.
    #[arg(long, value_name = "DRIVER")]
    pub vary: String,
    /// Add a constant to every period instead of scaling.
    #[arg(long)]
    pub shift: bool,
    /// The scenario (default: the plan's base scenario).
    #[arg(long, short = 's', value_name = "S")]
    pub scenario: Option<String>,
    /// Bounds of the factor (default 0..10) or, with --shift, of the constant.
    #[arg(long, value_name = "LOW..HIGH", allow_hyphen_values = true)]
    pub within: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: UncertaintyFormat,
}

/// Text rows aligned: the first column left, the others right.
pub fn aligned(rows: &[Vec<String>]) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let width: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .map(|r| r.get(c).map_or(0, |s| s.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for r in rows {
        let mut line = String::new();
        for (c, cell) in r.iter().enumerate() {
            let w = width.get(c).copied().unwrap_or(0);
            if c == 0 {
                let _ = write!(line, "{cell:<w$}");
            } else {
                let _ = write!(line, "  {cell:>w$}");
            }
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
    out
}

fn parse_within(text: &str) -> Option<(Decimal, Decimal)> {
    let (a, b) = text.split_once("..")?;
    let num = |s: &str| {
        let s = s.trim();
        match s.strip_suffix('%') {
            Some(p) => Decimal::from_str(p).ok().map(|v| v / Decimal::ONE_HUNDRED),
            None => Decimal::from_str(s).ok(),
        }
    };
    Some((num(a)?, num(b)?))
}

/// The line to paste into a scenario.
fn line(driver: &str, mode: Mode, v: Decimal) -> String {
    let v = v.normalize();
    match mode {
        Mode::Scale => format!("{driver} = {v} * {driver}"),
        Mode::Shift if v.is_sign_negative() => format!("{driver} = {driver} - {}", v.abs()),
        Mode::Shift => format!("{driver} = {driver} + {v}"),
    }
}

/// Runs `plumb solve`.
pub fn run(args: &SolveArgs) -> u8 {
    if !args.file.is_file() {
        eprintln!("error: {} is not a file", args.file.display());
        return 2;
    }
    let c = compile(
        &args.file,
        &DiskFs,
        &Options {
            evaluate: true,
            scenarios: None,
        },
    );
    if c.has_errors() || c.results.is_none() {
        super::eprint_diagnostics(&c);
        eprintln!("error: the plan has errors; nothing was solved");
        return 1;
    }
    let plan = c.plan();
    let problem = match problem_of(args, plan) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let Problem {
        objective,
        target,
        driver,
        mode,
        ..
    } = problem;
    let sol = match solve(plan, &problem) {
        Ok(s) => s,
        Err(e) => {
            let d = e.to_diagnostic();
            eprint!(
                "{}",
                plumb::diagnostic::render_human(&d, &c.sources, Default::default())
            );
            return 1;
        }
    };
    let status = match sol.status {
        Status::NoSolution | Status::NotMonotonic => 1,
        _ => 0,
    };
    let obj = plan.objectives.get(objective);
    let text = obj
        .and_then(|o| o.targets.get(target))
        .map(|t| t.text.clone())
        .unwrap_or_default();
    let item = plan.items.get(driver);
    let name = item.map(|i| i.name.clone()).unwrap_or_default();
    let pasted = line(&name, mode, sol.value);
    if args.format == UncertaintyFormat::Json {
        let v = serde_json::json!({
            "objective": obj.map(|o| o.name.clone()).unwrap_or_default(),
            "target": text,
            "driver": name,
            "mode": if mode == Mode::Scale { "scale" } else { "shift" },
            "status": status_word(sol.status),
            "value": exact(sol.value),
            "projected": sol.projected.map(exact),
            "gap": sol.gap.map(exact),
            "met": sol.met,
            "values": sol.values.iter().map(|v| exact(*v)).collect::<Vec<_>>(),
            "line": pasted,
        });
        match serde_json::to_string_pretty(&v) {
            Ok(s) => {
                if let Err(code) = super::print_stdout(&format!("{s}\n")) {
                    return code;
                }
            }
            Err(e) => {
                eprintln!("error: cannot write JSON: {e}");
                return 2;
            }
        }
        return status;
    }
    if let Err(code) = super::print_stdout(&human(plan, &problem, &sol, &text, &pasted)) {
        return code;
    }
    status
}

/// The question `plumb solve` asks: the target, the driver to vary (a driver, not
/// a metric), the scenario, scale or shift, and the bounds. Err is the exit code
/// when an argument names nothing usable.
fn problem_of(args: &SolveArgs, plan: &plumb::ir::Plan) -> Result<Problem, u8> {
    let (objective, target) = match objective_target(plan, &args.objective) {
        Ok(x) => x,
        Err(msg) => {
            eprintln!("error: {msg}");
            return Err(2);
        }
    };
    let driver = match plan.item(&args.vary) {
        Some(i)
            if plan
                .items
                .get(i)
                .is_some_and(|x| x.kind == plumb::syntax::ast::ItemKind::Driver) =>
        {
            i
        }
        Some(_) => {
            eprintln!(
                "error: `{}` is a metric; only a driver can be varied",
                args.vary
            );
            return Err(2);
        }
        None => {
            eprintln!("error: no driver `{}`", args.vary);
            return Err(2);
        }
    };
    let scenario = match &args.scenario {
        Some(n) => match scenarios(plan, std::slice::from_ref(n)) {
            Ok(v) => v.first().copied().unwrap_or(plan.base),
            Err(code) => return Err(code),
        },
        None => plan.base,
    };
    let within = match &args.within {
        Some(w) => match parse_within(w) {
            Some(x) => Some(x),
            None => {
                eprintln!("error: --within takes LOW..HIGH, for example 0.5..2");
                return Err(2);
            }
        },
        None => None,
    };
    let mode = if args.shift { Mode::Shift } else { Mode::Scale };
    Ok(Problem {
        objective,
        target,
        driver,
        mode,
        scenario,
        within,
    })
}

fn status_word(s: Status) -> &'static str {
    match s {
        Status::Solved => "solved",
        Status::AlreadyHolds => "already-holds",
        Status::HoldsThroughout => "holds-throughout",
        Status::NoSolution => "no-solution",
        Status::NotMonotonic => "not-monotonic",
    }
}

fn human(plan: &plumb::ir::Plan, p: &Problem, sol: &Solution, text: &str, pasted: &str) -> String {
    let mut out = String::new();
    let item = plan.items.get(p.driver);
    let name = item.map(|i| i.name.as_str()).unwrap_or("?");
    let unit = item.map(|i| i.unit.clone()).unwrap_or_default();
    let obj = plan
        .objectives
        .get(p.objective)
        .map(|o| o.name.as_str())
        .unwrap_or("?");
    let scen = plan
        .scenarios
        .get(p.scenario)
        .map(|s| s.name.as_str())
        .unwrap_or("?");
    let what = match p.mode {
        Mode::Scale => format!("k = {}", sol.value.normalize()),
        Mode::Shift => {
            let dp = decimals_for(&[sol.value], &unit).max(2);
            let sign = if sol.value.is_sign_negative() {
                ""
            } else {
                "+"
            };
            format!(
                "d = {sign}{} ({sign}{})",
                sol.value.normalize(),
                amount(sol.value, &unit, dp)
            )
        }
    };
    let verb = match p.mode {
        Mode::Scale => format!("scaling `{name}`"),
        Mode::Shift => format!("shifting `{name}`"),
    };
    let (lo, hi) = sol.bounds;
    let _ = match sol.status {
        Status::Solved => writeln!(out, "{obj}: `{text}` holds in scenario {scen} {verb} with {what}"),
        Status::AlreadyHolds => writeln!(
            out,
            "{obj}: `{text}` already holds in scenario {scen}; it breaks {verb} past {what}"
        ),
        Status::HoldsThroughout => writeln!(
            out,
            "{obj}: `{text}` holds in scenario {scen} for any value from {} to {}",
            lo.normalize(),
            hi.normalize()
        ),
        Status::NoSolution => writeln!(
            out,
            "error: no value from {} to {} makes `{text}` hold in scenario {scen}; the closest is the {} end, {what}",
            lo.normalize(),
            hi.normalize(),
            if sol.value == lo { "low" } else { "high" }
        ),
        Status::NotMonotonic => writeln!(
            out,
            "error: `{text}` does not respond monotonically to {verb} from {} to {}; narrow the search with --within",
            lo.normalize(),
            hi.normalize()
        ),
    };
    if sol.status == Status::NotMonotonic {
        return out;
    }
    let dp = decimals_for(&sol.values, &unit);
    let periods = plan.period_labels();
    let mut rows = vec![vec!["period".to_string(), name.to_string()]];
    let mut last: Option<Decimal> = None;
    for (l, v) in periods.iter().zip(&sol.values) {
        if last != Some(*v) {
            rows.push(vec![l.clone(), amount(*v, &unit, dp)]);
        }
        last = Some(*v);
    }
    out.push('\n');
    out.push_str(&aligned(&rows));
    if let (Some(pr), Some(g)) = (sol.projected, sol.gap) {
        let tunit = plan
            .objectives
            .get(p.objective)
            .and_then(|o| o.targets.get(p.target))
            .and_then(|t| match &t.expr.kind {
                plumb::ir::ExprKind::Binary(_, l, r) => {
                    Some(plumb::outcome::targets::sides_unit(plan, l, r))
                }
                _ => None,
            })
            .unwrap_or_default();
        let tdp = decimals_for(&[pr, g], &tunit);
        let _ = writeln!(
            out,
            "\nprojected {}, gap {}",
            amount(pr, &tunit, tdp),
            amount(g, &tunit, tdp)
        );
    }
    if matches!(sol.status, Status::Solved | Status::AlreadyHolds) {
        let _ = writeln!(out, "\nPaste into a scenario:\n  {pasted}");
    }
    out
}
