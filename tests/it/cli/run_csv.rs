//! `plumb run --format csv`: the items table stays the default; `--section`
//! prints targets, requests and budgets blocks; an explicit `--by` adds a total
//! column. Totals are hand-computed from tests/report/small.plumb.

#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

use crate::common::plumb;

fn csv(args: &[&str]) -> String {
    let mut all = vec!["run", "tests/report/small.plumb", "--format", "csv"];
    all.extend_from_slice(args);
    let out = plumb(&all);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn items_table_is_the_default() {
    let out = csv(&[]);
    assert!(out.starts_with("scenario,item,unit,2026-01,2026-02,2026-03,2026-04,2026-05,2026-06\n"));
    assert!(!out.contains("total"));
    assert!(!out.contains("objective"));
    assert_eq!(out.lines().count(), 1 + 2 * 6);
}

#[test]
fn by_adds_a_total_column() {
    let out = csv(&["--by", "quarter"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines.first().copied(),
        Some("scenario,item,unit,2026-Q1,2026-Q2,total")
    );
    // deals ramps 10, 12, …, 20: 36 + 54 = 90 (a flow sums).
    assert!(lines.contains(&"base,deals,deal,36,54,90"));
    // headcount is a stock: 13 at the end of Q1, 16 at the end of Q2 and of the horizon.
    assert!(lines.contains(&"base,headcount,fte,13,16,16"));
    // margin is a ratio: the average of 40% every month.
    assert!(lines.contains(&"base,margin,%,0.4,0.4,0.4"));
    // revenue 10K … 20K a month: 36K + 54K = 90K.
    assert!(lines.contains(&"base,revenue,USD,36000,54000,90000"));
    // In `slow` the trigger stops hiring from March: 1 + 1 hires in all.
    assert!(lines.contains(&"slow,hires,fte,2,0,2"));
}

#[test]
fn sections_print_blocks_with_their_own_header() {
    let out = csv(&["--section", "targets", "--section", "requests"]);
    assert_eq!(
        out,
        "scenario,objective,target,unit,projected,threshold,gap,met,period\n\
         base,revenue_90k,sum(revenue) >= 90K,USD,90000,90000,0,true,\n\
         base,sales_deals,sum(deals) >= 90,deal,90,90,0,true,\n\
         base,team,headcount <= 20,fte,16,20,4,true,2026-06\n\
         slow,revenue_90k,sum(revenue) >= 90K,USD,60000,90000,-30000,false,\n\
         slow,sales_deals,sum(deals) >= 90,deal,60,90,-30,false,\n\
         slow,team,headcount <= 20,fte,12,20,8,true,2026-02\n\
         \n\
         scenario,request,from,unit,ask,ask_value,grant,grant_value,gap\n\
         base,sales_hires,sales,fte,sum(hires) == 8,6,sum(hires) == 6,6,-2\n\
         slow,sales_hires,sales,fte,sum(hires) == 8,2,sum(hires) == 6,2,-2\n"
    );
}

#[test]
fn all_sections_include_the_items_and_budgets() {
    let out = csv(&["--section", "all"]);
    let blocks: Vec<&str> = out.split("\n\n").collect();
    assert_eq!(blocks.len(), 4);
    assert!(blocks[0].starts_with("scenario,item,unit,2026-01"));
    assert!(blocks[1].starts_with("scenario,objective,target"));
    assert!(blocks[2].starts_with("scenario,request,from"));
    assert_eq!(
        blocks[3],
        "scenario,department,unit,allowance,planned,actual,remaining\n"
    );
}
