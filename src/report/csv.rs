//! `plumb run --format csv --section …`: the items table (the default, which
//! scripts read), and the targets, requests and budgets tables, each a CSV block
//! with its own header, blocks separated by one empty line. With `--by`, the
//! items table gains a `total` column: the horizon's value through the report's
//! one window function.

use super::window::window_value;
use super::{render_csv, RunReport};
use crate::eval::Results;
use crate::ir::Plan;
use crate::present::exact;
use rust_decimal::Decimal;
use std::fmt::Write;

/// Which CSV blocks to print.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CsvOptions {
    /// The items table.
    pub items: bool,
    /// One row per scenario and target.
    pub targets: bool,
    /// One row per scenario and request.
    pub requests: bool,
    /// One row per department budget (a header only while the plan has none).
    pub budgets: bool,
    /// A `total` column on the items table (the whole horizon rolled up).
    pub total: bool,
}

fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn opt(v: Option<Decimal>) -> String {
    v.map(exact).unwrap_or_default()
}

/// The CSV blocks `opts` asks for, in the order items, targets, requests,
/// budgets.
pub fn render_csv_sections(
    report: &RunReport,
    plan: &Plan,
    results: &Results,
    opts: &CsvOptions,
) -> String {
    let mut blocks = Vec::new();
    if opts.items {
        blocks.push(if opts.total {
            items_with_total(report, plan, results)
        } else {
            render_csv(report)
        });
    }
    if opts.targets {
        let mut out =
            String::from("scenario,objective,target,unit,projected,threshold,gap,met,period\n");
        for sc in &report.scenarios {
            for t in &sc.targets {
                let _ = writeln!(
                    out,
                    "{},{},{},{},{},{},{},{},{}",
                    field(&sc.name),
                    field(&t.objective),
                    field(&t.target),
                    field(&t.unit.to_string()),
                    opt(t.projected),
                    opt(t.threshold),
                    opt(t.gap),
                    t.met,
                    field(t.period.as_deref().unwrap_or(""))
                );
            }
        }
        blocks.push(out);
    }
    if opts.requests {
        let mut out =
            String::from("scenario,request,from,unit,ask,ask_value,grant,grant_value,gap\n");
        for sc in &report.scenarios {
            for r in &sc.requests {
                let side = |s: &Option<super::RequestSide>| match s {
                    Some(s) => (field(&s.condition), opt(s.value)),
                    None => (String::new(), String::new()),
                };
                let (ask, ask_v) = side(&r.ask);
                let (grant, grant_v) = side(&r.grant);
                let _ = writeln!(
                    out,
                    "{},{},{},{},{ask},{ask_v},{grant},{grant_v},{}",
                    field(&sc.name),
                    field(&r.request),
                    field(r.from.as_deref().unwrap_or("")),
                    field(&r.unit.to_string()),
                    opt(r.gap)
                );
            }
        }
        blocks.push(out);
    }
    if opts.budgets {
        blocks.push("scenario,department,unit,allowance,planned,actual,remaining\n".into());
    }
    blocks.join("\n")
}

fn items_with_total(report: &RunReport, plan: &Plan, results: &Results) -> String {
    let mut out = String::from("scenario,item,unit");
    for p in &report.periods {
        out.push(',');
        out.push_str(&field(p));
    }
    out.push_str(",total\n");
    for sc in &report.scenarios {
        let values = plan
            .scenario(&sc.name)
            .and_then(|s| results.get(s))
            .map(|r| r.values.as_slice())
            .unwrap_or(&[]);
        for (i, it) in sc.items.iter().enumerate() {
            let _ = write!(
                out,
                "{},{},{}",
                field(&sc.name),
                field(&it.name),
                field(&it.unit.to_string())
            );
            for v in &it.values {
                out.push(',');
                out.push_str(&exact(*v));
            }
            let total = window_value(plan, values, i, 0..plan.len);
            let _ = writeln!(out, ",{}", opt(total));
        }
    }
    out
}
