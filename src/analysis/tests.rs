//! Unit tests of the editor analysis. Sources mark the cursor with `‸`.
#![allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::type_complexity)]

use super::complete::{completions, signature_help, CompletionKind};
use super::fix::{code_actions, fixes_for, minimal_edit};
use super::lex::{semantic_tokens, TokenKind};
use super::*;
use crate::compile::{compile_str, Options};
use crate::diagnostic::{Code, Diagnostic};

const CURSOR: &str = "‸";

const PLAN: &str = r#"## The plan.
plan p "Plan" {
  currency USD
  periods 2026-01 .. 2026-03
  base base
}
department sales "Sales"
role cfo "CFO" in sales
unit deal
term win "A deal won."

## Deals per month.
driver deals: deal = 10 { owner sales  means win }
driver price: USD/deal = 5K
metric revenue = deals * price
metric total: USD = cumsum(revenue)
fn double(x) = x * 2

initiative launch "Launch" {
  owner sales
  start 2026-02
  driver spend: USD = 1K
  metric twice = spend * 2
}

objective big "Big revenue" {
  owner cfo
  target sum(revenue) >= 200K
}

scenario base "Base" {}
scenario low "Low" extends base {
  deals = 5
  trigger dip "Dip" {
    when revenue < 30K
    after 1 month: set price = 4K
    owner cfo
  }
}
"#;

/// Compiles `src` with the cursor marker removed; returns the compilation and the
/// cursor's byte offset.
fn at(src: &str) -> (Compilation, u32) {
    let offset = src.find(CURSOR).unwrap_or(src.len());
    let text = src.replacen(CURSOR, "", 1);
    (
        compile_str("main.plumb", &text, &Options::default()),
        offset as u32,
    )
}

fn evaluated(src: &str) -> Evaluated {
    Evaluated::new(compile_str(
        "main.plumb",
        &src.replacen(CURSOR, "", 1),
        &Options {
            evaluate: true,
            scenarios: None,
        },
    ))
}

/// `PLAN` with the cursor placed at the `nth` occurrence of `needle`, `shift`
/// bytes in.
fn plan_at(needle: &str, nth: usize, shift: usize) -> String {
    let mut idx = 0;
    let mut from = 0;
    for _ in 0..=nth {
        idx = PLAN[from..].find(needle).expect("needle") + from;
        from = idx + 1;
    }
    let cut = idx + shift;
    format!("{}{CURSOR}{}", &PLAN[..cut], &PLAN[cut..])
}

const F: FileId = FileId(0);

#[test]
fn the_test_plan_is_clean() {
    let e = evaluated(PLAN);
    let msgs: Vec<String> = e
        .compilation
        .diagnostics
        .iter()
        .map(|d| d.message.clone())
        .collect();
    assert!(!e.compilation.has_errors(), "{msgs:?}");
    assert!(e.compilation.results.is_some());
}

#[test]
fn definitions() {
    // (needle, nth occurrence, shift into it, expected definition name or None)
    let cases: &[(&str, usize, usize, Option<&str>)] = &[
        ("deals * price", 0, 1, Some("deals")),
        ("deals * price", 0, 5, Some("deals")), // end of the name still counts
        ("deals * price", 0, 9, Some("price")),
        ("owner sales", 0, 7, Some("sales")),
        ("means win", 0, 7, Some("win")),
        ("in sales", 0, 4, Some("sales")),
        ("spend * 2", 0, 1, Some("launch.spend")),
        ("extends base", 0, 9, Some("base")),
        ("set price", 0, 5, Some("price")),
        ("base base", 0, 6, Some("base")),
        ("cumsum(revenue)", 0, 8, Some("revenue")),
        ("cumsum(revenue)", 0, 2, None), // a built-in function
        ("USD/deal", 0, 1, None),        // a predeclared unit
        ("USD/deal", 0, 5, Some("deal")),
        ("currency USD", 0, 2, None), // a keyword
    ];
    for (needle, nth, shift, want) in cases {
        let (c, o) = at(&plan_at(needle, *nth, *shift));
        let got = definition(&c, F, o).map(|s| c.sources.slice(s).to_string());
        let want_name = want.map(|w| w.rsplit('.').next().unwrap_or(w).to_string());
        assert_eq!(got, want_name, "definition at {needle:?}+{shift}");
    }
}

#[test]
fn definition_of_an_import_is_the_file() {
    let (c, o) = at("plan p \"P\" { periods 2026-01 .. 2026-02 }\nimport std.sa‸as\n");
    let span = definition(&c, F, o).expect("definition");
    assert_eq!(
        c.sources.get(span.file).map(|f| f.name.as_str()),
        Some("std.saas")
    );
    assert!(is_std(&c, span.file));
}

#[test]
fn references_include_every_use() {
    let (c, o) = at(&plan_at("driver price", 0, 8));
    let refs = references(&c, F, o, true);
    let texts: Vec<&str> = refs.iter().map(|s| c.sources.slice(*s)).collect();
    assert_eq!(texts, vec!["price", "price", "price"]);
    assert_eq!(references(&c, F, o, false).len(), 2);
    // Nothing for a built-in.
    let (c, o) = at(&plan_at("cumsum", 0, 1));
    assert!(references(&c, F, o, true).is_empty());
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut out = text.to_string();
    let mut sorted = edits.to_vec();
    sorted.sort_by_key(|e| std::cmp::Reverse(e.span.start));
    for e in sorted {
        out.replace_range(e.span.start as usize..e.span.end as usize, &e.text);
    }
    out
}

#[test]
fn rename_cases() {
    // (needle, shift, new name, expected: Ok(substrings present after) or Err(substring of the reason))
    let cases: &[(&str, usize, &str, Result<&[&str], &str>)] = &[
        (
            "driver price",
            8,
            "unit_price",
            Ok(&[
                "driver unit_price",
                "deals * unit_price",
                "set unit_price = 4K",
            ]),
        ),
        ("driver price", 8, "owner", Err("keyword")),
        ("driver price", 8, "deals", Err("already declared")),
        ("driver price", 8, "2x", Err("not a valid name")),
        ("driver price", 8, "price", Ok(&["driver price"])),
        (
            "metric twice",
            8,
            "double_spend",
            Ok(&["metric double_spend"]),
        ),
        (
            "spend * 2",
            1,
            "cost",
            Ok(&["driver cost: USD", "= cost * 2"]),
        ),
        (
            "initiative launch",
            12,
            "rollout",
            Ok(&["initiative rollout"]),
        ),
        ("unit deal", 6, "USD", Err("predeclared")),
        (
            "unit deal",
            6,
            "contract",
            Ok(&["unit contract", "driver deals: contract", "USD/contract"]),
        ),
        ("term win", 6, "won", Ok(&["term won", "means won"])),
        ("cumsum", 1, "x", Err("built-in")),
        ("fn double", 4, "sum", Err("built-in")),
    ];
    for (needle, shift, new, want) in cases {
        let (c, o) = at(&plan_at(needle, 0, *shift));
        let text = file_text(&c, F).to_string();
        let got = rename(&c, F, o, new).map(|e| apply(&text, &e));
        match (want, got) {
            (Ok(subs), Ok(after)) => {
                for s in subs.iter() {
                    assert!(
                        after.contains(s),
                        "rename {needle:?} → {new}: missing {s:?} in\n{after}"
                    );
                }
                let again = compile_str("main.plumb", &after, &Options::default());
                assert!(
                    !again.has_errors(),
                    "rename {needle:?} → {new} broke the plan: {:?}",
                    again.diagnostics
                );
            }
            (Err(why), Err(msg)) => assert!(msg.contains(why), "rename {needle:?} → {new}: {msg}"),
            (w, g) => panic!("rename {needle:?} → {new}: wanted {w:?}, got {g:?}"),
        }
    }
}

#[test]
fn rename_from_a_qualified_use_renames_the_member() {
    let src = format!("{PLAN}metric outside = launch.sp‸end + 1\n");
    let (c, o) = at(&src);
    let (span, placeholder) = prepare_rename(&c, F, o).expect("renameable");
    assert_eq!(placeholder, "spend");
    assert_eq!(c.sources.slice(span), "spend");
    let text = file_text(&c, F).to_string();
    let after = apply(&text, &rename(&c, F, o, "cost").expect("rename"));
    assert!(
        after.contains("launch.cost + 1") && after.contains("driver cost: USD"),
        "{after}"
    );
}

#[test]
fn rename_refuses_the_standard_library() {
    let src = "plan p \"P\" { periods 2026-01 .. 2026-02 }\nimport std.saas\nunit ‸\n";
    let (c, o) = at(src);
    assert!(prepare_rename(&c, F, o).is_err());
}

#[test]
fn hover_shows_kind_unit_formula_doc_and_values() {
    let e = evaluated(PLAN);
    let h = |needle: &str, nth: usize, shift: usize| {
        let (c, o) = at(&plan_at(needle, nth, shift));
        hover(&c, None, Some(&e), F, o)
            .map(|h| h.markdown)
            .unwrap_or_default()
    };
    let m = h("deals * price", 0, 1);
    assert!(m.contains("driver deals: deal = 10"), "{m}");
    assert!(m.contains("Deals per month."), "{m}");
    assert!(
        m.contains("**Base scenario** (`base`): 2026-01 10 deal · 2026-03 10 deal · total 30 deal"),
        "{m}"
    );
    let m = h("metric revenue", 0, 8);
    assert!(m.contains("unit `USD` (inferred)"), "{m}");
    assert!(m.contains("total $150,000"), "{m}");
    let m = h("metric total", 0, 8);
    assert!(m.contains("metric total: USD = cumsum(revenue)"), "{m}");
    let m = h("objective big", 0, 11);
    assert!(
        m.contains("projected $150,000, short by $50,000, **missed**"),
        "{m}"
    );
    let m = h("trigger dip", 0, 9);
    assert!(
        m.contains("`low`: never fires") || m.contains("`low`: fires in"),
        "{m}"
    );
    let m = h("cumsum", 0, 1);
    assert!(
        m.contains("cumsum(x)") && m.contains("running total"),
        "{m}"
    );
    let m = h("USD/deal", 0, 1);
    assert!(m.contains("ISO 4217"), "{m}");
    let m = h("owner sales", 0, 7);
    assert!(m.contains("department sales") && m.contains("Sales"), "{m}");
    let m = h("means win", 0, 7);
    assert!(m.contains("A deal won."), "{m}");
    let m = h("fn double", 0, 4);
    assert!(m.contains("fn double(x) = x * 2"), "{m}");
    // Without an evaluation: no values, the rest is there.
    let (c, o) = at(&plan_at("deals * price", 0, 1));
    let m = hover(&c, None, None, F, o)
        .map(|h| h.markdown)
        .unwrap_or_default();
    assert!(
        m.contains("driver deals") && !m.contains("Base scenario"),
        "{m}"
    );
}

#[test]
fn hover_names_the_rollup_and_its_value() {
    let src = format!("{PLAN}metric per_deal: USD/deal = revenue / deals\n");
    let e = evaluated(&src);
    let m = |needle: &str| {
        let marked = src.replacen(needle, &format!("{}‸{}", &needle[..8], &needle[8..]), 1);
        let (c, o) = at(&marked);
        hover(&c, None, Some(&e), F, o)
            .map(|h| h.markdown)
            .unwrap_or_default()
    };
    let h = m("metric per_deal");
    assert!(
        h.contains("formula (quarters and years apply the formula"),
        "{h}"
    );
    // The horizon's revenue over its deals: 150,000 / 30.
    assert!(h.contains("over the horizon $5,000/deal"), "{h}");
    let h = m("metric total");
    assert!(
        h.contains("stock (quarters and years take the last period)"),
        "{h}"
    );
    assert!(h.contains("end of horizon $150,000"), "{h}");
}

#[test]
fn hover_and_definition_survive_a_syntax_error() {
    let broken = PLAN.replace(
        "metric total: USD = cumsum(revenue)",
        "metric total: USD = cumsum(revenue +",
    );
    let good = compile_str("main.plumb", PLAN, &Options::default());
    let src = broken.replacen("cumsum(revenue +", "cumsum(rev‸enue +", 1);
    let (c, o) = at(&src);
    assert!(c
        .diagnostics
        .iter()
        .any(|d| d.primary.span.file == F && d.code == Code::Syntax));
    // By name in the current analysis.
    let d = definition(&c, F, o).expect("definition by name");
    assert_eq!(c.sources.slice(d), "revenue");
    // A name only the last clean analysis knows.
    let src = broken.replacen("cumsum(revenue +", "cumsum(revenue + tot‸al", 1);
    let (c, o) = at(&src);
    // The broken declaration still declares `total` (with no value).
    let m = hover(&c, None, None, F, o).expect("hover").markdown;
    assert!(m.contains("metric total"), "{m}");
    let m = hover(&c, Some(&good), None, F, o)
        .expect("fallback hover")
        .markdown;
    assert!(m.contains("metric total"), "{m}");
}

#[test]
fn completion_contexts() {
    // (source with cursor, labels that must be offered, labels that must not)
    let cases: &[(&str, &[&str], &[&str])] = &[
        ("‸", &["plan", "driver", "metric", "scenario"], &["owner"]),
        ("driver x = 1\n‸", &["driver", "objective"], &["deals"]),
        (
            "objective o \"O\" {\n  ‸\n}",
            &["owner", "supports", "target"],
            &["driver"],
        ),
        (
            "assumption a \"A\" {\n  ‸\n}",
            &["change", "maintain", "depends on"],
            &["target"],
        ),
        (
            "trigger t \"T\" {\n  ‸\n}",
            &["when", "after", "owner"],
            &[],
        ),
        (
            "scenario s \"S\" {\n  ‸\n}",
            &["trigger", "deals", "price"],
            &["revenue", "plan"],
        ),
        (
            "scenario s \"S\" {\n  trigger t \"T\" {\n    ‸\n  }\n}",
            &["when", "after"],
            &["deals"],
        ),
        (
            "driver y = 1 { owner ‸ }",
            &["sales", "cfo"],
            &["deals", "win"],
        ),
        (
            "driver y = 1 { owner sales  means ‸ }",
            &["win"],
            &["sales"],
        ),
        (
            "raci r \"R\" {\n  consulted sales, ‸\n}",
            &["sales", "cfo"],
            &["deals"],
        ),
        (
            "request q \"Q\" {\n  approved by ‸\n}",
            &["cfo"],
            &["deals"],
        ),
        ("request q \"Q\" {\n  from ‸\n}", &["sales"], &["cfo"]),
        ("objective o \"O\" {\n  supports ‸\n}", &["big"], &["sales"]),
        (
            "scenario s \"S\" extends ‸ {}",
            &["base", "low"],
            &["deals"],
        ),
        (
            "driver y: ‸ = 1",
            &["USD", "deal", "month", "%"],
            &["deals"],
        ),
        ("driver y: USD/‸ = 1", &["deal"], &["deals"]),
        (
            "metric y = deals * ‸",
            &[
                "deals",
                "price",
                "revenue",
                "launch.spend",
                "grow",
                "double",
                "if",
            ],
            &["plan", "sales"],
        ),
        ("metric y = launch.‸", &["launch.spend"], &[]),
        (
            "import ‸",
            &["std.saas", "std.curves", "std.finance"],
            &["deals"],
        ),
        ("fn f(a, b) = ‸", &["a", "b", "deals"], &[]),
        ("# a comment ‸", &[], &["deals", "plan"]),
        ("driver z = 1 # owner ‸", &[], &["sales"]),
        ("term t \"‸", &[], &["deals"]),
        ("driver ‸", &[], &["deals", "plan"]),
        ("metric y = 12‸", &[], &["deals"]),
        (
            "initiative i \"I\" {\n  driver a = 1\n  metric b = ‸1\n}",
            &["a", "deals"],
            &[],
        ),
    ];
    for (src, want, not) in cases {
        let full = format!("{PLAN}{src}\n");
        let (c, o) = at(&full);
        let got = completions(&c, None, F, o);
        let labels: Vec<&str> = got.items.iter().map(|i| i.label.as_str()).collect();
        for w in want.iter() {
            assert!(labels.contains(w), "{src:?}: missing {w:?} in {labels:?}");
        }
        for n in not.iter() {
            assert!(
                !labels.contains(n),
                "{src:?}: unexpected {n:?} in {labels:?}"
            );
        }
    }
}

#[test]
fn completion_of_period_words() {
    let fiscal = "plan p \"P\" {\n  currency USD\n  periods 2026-02 .. 2027-01\n  fiscal year starts February\n}\ndriver x = step { 2026-02: 1 }\nscenario s \"S\" {\n  x = 2 from ‸\n}\n";
    let (c, o) = at(fiscal);
    let labels: Vec<String> = completions(&c, None, F, o)
        .items
        .into_iter()
        .map(|i| i.label)
        .collect();
    for w in ["2026-02", "FY2027-Q1", "FY2027-Q4", "FY2027"] {
        assert!(labels.contains(&w.to_string()), "missing {w} in {labels:?}");
    }
    assert!(!labels.contains(&"2026-Q1".to_string()), "{labels:?}");
    let quarterly = "plan p \"P\" {\n  currency USD\n  periods 2027-Q1 .. 2027-Q4\n}\ndepartment f \"F\"\ndriver x = 1\ntrigger t \"T\" {\n  when x > 0 for 2 ‸\n  owner f\n}\n";
    let (c, o) = at(quarterly);
    let labels: Vec<String> = completions(&c, None, F, o)
        .items
        .into_iter()
        .map(|i| i.label)
        .collect();
    assert!(labels.contains(&"quarters".to_string()), "{labels:?}");
    assert!(labels.contains(&"periods".to_string()), "{labels:?}");
    assert!(!labels.contains(&"months".to_string()), "{labels:?}");
    let month = "plan p \"P\" {\n  periods 2026-01 .. 2026-12\n  fiscal year starts ‸\n}\n";
    let (c, o) = at(month);
    let labels: Vec<String> = completions(&c, None, F, o)
        .items
        .into_iter()
        .map(|i| i.label)
        .collect();
    assert!(labels.contains(&"February".to_string()), "{labels:?}");
}

#[test]
fn completion_details_and_snippets() {
    let (c, o) = at(&format!("{PLAN}metric y = gr‸\n"));
    let got = completions(&c, None, F, o);
    assert_eq!(got.word_start, o - 2);
    let grow = got.items.iter().find(|i| i.label == "grow").expect("grow");
    assert_eq!(grow.kind, CompletionKind::Function);
    assert_eq!(grow.detail.as_deref(), Some("grow(start, rate)"));
    assert_eq!(grow.snippet.as_deref(), Some("grow(${1:start}, ${2:rate})"));
    let deals = got
        .items
        .iter()
        .find(|i| i.label == "deals")
        .expect("deals");
    assert_eq!(deals.detail.as_deref(), Some("driver · deal"));
    assert_eq!(deals.documentation.as_deref(), Some("Deals per month."));
    let double = got
        .items
        .iter()
        .find(|i| i.label == "double")
        .expect("double");
    assert_eq!(double.detail.as_deref(), Some("fn double(x)"));
}

#[test]
fn completion_uses_the_last_clean_analysis() {
    let good = compile_str(
        "main.plumb",
        &format!("{PLAN}driver extra = 1\n"),
        &Options::default(),
    );
    let (c, o) = at(&format!("{PLAN}driver extra = (1 +\nmetric y = ‸\n"));
    let labels: Vec<String> = completions(&c, Some(&good), F, o)
        .items
        .into_iter()
        .map(|i| i.label)
        .collect();
    assert!(labels.contains(&"extra".to_string()), "{labels:?}");
}

#[test]
fn signature_help_cases() {
    // (source, label of the active signature, active parameter)
    let cases: &[(&str, Option<(&str, usize)>)] = &[
        ("metric y = grow(‸", Some(("grow(start, rate)", 0))),
        ("metric y = grow(1, ‸", Some(("grow(start, rate)", 1))),
        (
            "metric y = ramp(1, 2, 2026-01, ‸)",
            Some(("ramp(a, b, p0, p1)", 3)),
        ),
        (
            "metric y = grow(sum(deals, ‸), 1)",
            Some(("sum(x, window)", 1)),
        ),
        (
            "metric y = grow(sum(deals), ‸",
            Some(("grow(start, rate)", 1)),
        ),
        ("metric y = min(‸", Some(("min(x)", 0))),
        ("metric y = min(deals, ‸", Some(("min(a, b, …)", 1))),
        ("metric y = double(‸", Some(("double(x)", 0))),
        ("metric y = deals ‸", None),
        ("metric y = (deals + ‸", None),
        ("metric y = nope(‸", None),
    ];
    for (src, want) in cases {
        let (c, o) = at(&format!("{PLAN}{src}\n"));
        let got = signature_help(&c, None, F, o).map(|h| {
            let s = h.signatures.get(h.active_signature).expect("active");
            (s.label.clone(), h.active_parameter)
        });
        assert_eq!(got, want.map(|(l, p)| (l.to_string(), p)), "{src:?}");
    }
}

#[test]
fn semantic_tokens_classify_names() {
    let (c, _) = at(PLAN);
    let toks = semantic_tokens(&c, F);
    let text = file_text(&c, F);
    let find = |word: &str, nth: usize| {
        let idx = text.match_indices(word).nth(nth).expect("word").0 as u32;
        toks.iter()
            .find(|t| t.start == idx)
            .map(|t| (t.kind, t.modifiers))
    };
    use super::lex::modifier::*;
    assert_eq!(
        find("## The plan.", 0),
        Some((TokenKind::Comment, DOCUMENTATION))
    );
    assert_eq!(find("plan", 1), Some((TokenKind::Keyword, 0)));
    assert_eq!(find("deals", 0), Some((TokenKind::Variable, DECLARATION)));
    assert_eq!(
        find("revenue", 0),
        Some((TokenKind::Variable, READONLY | DECLARATION))
    );
    assert_eq!(find("deals", 1), Some((TokenKind::Variable, 0)));
    assert_eq!(
        find("cumsum", 0),
        Some((TokenKind::Function, DEFAULT_LIBRARY))
    );
    assert_eq!(find("USD", 0), Some((TokenKind::Type, DEFAULT_LIBRARY)));
    assert_eq!(find("sales", 1), Some((TokenKind::Class, 0)));
    assert_eq!(find("5K", 0), Some((TokenKind::Number, 0)));
    assert_eq!(find("2026-01", 0), Some((TokenKind::Number, 0)));
    assert_eq!(find("\"Plan\"", 0), Some((TokenKind::String, 0)));
    assert_eq!(find("x * 2", 0), Some((TokenKind::Parameter, 0)));
    assert_eq!(find("low", 0), Some((TokenKind::Namespace, DECLARATION)));
    assert_eq!(find("dip", 0), Some((TokenKind::Event, DECLARATION)));
    // In order, not overlapping, each on one line.
    for w in toks.windows(2) {
        assert!(w[0].end <= w[1].start);
    }
    assert!(toks
        .iter()
        .all(|t| !text[t.start as usize..t.end as usize].contains('\n')));
}

#[test]
fn semantic_tokens_in_broken_text() {
    let (c, _) = at("plan p \"P\" {\ndriver x: USD = (1 +\n# ok\n");
    let toks = semantic_tokens(&c, F);
    assert!(toks.iter().any(|t| t.kind == TokenKind::Keyword));
    assert!(toks.iter().any(|t| t.kind == TokenKind::Comment));
}

#[test]
fn document_symbols_are_grouped_and_nested() {
    let (c, _) = at(PLAN);
    let groups = document_symbols(&c, F);
    let summary: Vec<(&str, Vec<&str>)> = groups
        .iter()
        .map(|g| (g.label, g.symbols.iter().map(|s| s.name.as_str()).collect()))
        .collect();
    assert_eq!(
        summary,
        vec![
            ("Plan", vec!["p"]),
            ("Units", vec!["deal"]),
            ("Departments", vec!["sales"]),
            ("Roles", vec!["cfo"]),
            ("Glossary", vec!["win"]),
            ("Drivers", vec!["deals", "price"]),
            ("Metrics", vec!["revenue", "total"]),
            ("Functions", vec!["double"]),
            ("Objectives", vec!["big"]),
            ("Initiatives", vec!["launch"]),
            ("Scenarios", vec!["base", "low"]),
        ]
    );
    let launch = &groups[9].symbols[0];
    let members: Vec<&str> = launch.children.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(members, vec!["launch.spend", "launch.twice"]);
    let low = &groups[10].symbols[1];
    assert_eq!(
        low.children
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>(),
        vec!["dip"]
    );
    assert_eq!(groups[5].symbols[0].detail.as_deref(), Some("deal"));
    // Workspace symbols match fuzzily.
    let names: Vec<&str> = workspace_symbols(&c, "rvn")
        .iter()
        .map(|d| d.name.as_str())
        .collect();
    assert_eq!(names, vec!["revenue"]);
}

#[test]
fn folding_ranges_cover_blocks_and_comment_runs() {
    let (c, _) = at(
        "# one\n# two\n# three\nplan p \"P\" {\n  periods 2026-01 .. 2026-02\n}\ndriver x = 1\n",
    );
    let folds = folding_ranges(&c, F);
    assert_eq!(
        folds,
        vec![
            Fold {
                start_line: 0,
                end_line: 2,
                kind: FoldKind::Comment
            },
            Fold {
                start_line: 3,
                end_line: 5,
                kind: FoldKind::Region
            },
        ]
    );
}

#[test]
fn inlay_hints_show_inferred_units_and_target_values() {
    let e = evaluated(PLAN);
    let c = &e.compilation;
    let hints = inlay_hints(c, Some(&e), F, 0, u32::MAX);
    let text = file_text(c, F);
    let shown: Vec<(String, &str)> = hints
        .iter()
        .map(|h| {
            (
                h.label.clone(),
                text[..h.offset as usize]
                    .rsplit(['\n', ' '])
                    .next()
                    .unwrap_or(""),
            )
        })
        .collect();
    assert!(
        shown.contains(&(": USD".to_string(), "revenue")),
        "{shown:?}"
    );
    assert!(
        shown.iter().any(|(l, _)| l == "✗ $150,000 (-50,000)"),
        "{shown:?}"
    );
    // Declared units get no hint; a range restricts.
    assert!(!shown.iter().any(|(_, w)| *w == "deals:"));
    assert!(inlay_hints(c, Some(&e), F, 0, 10).is_empty());
}

#[test]
fn quick_fixes() {
    let src = format!(
        "{PLAN}metric m = dels * 2\ndriver seats: seat = 3\nmetric n = nothing_like_it + 1\n"
    );
    let (c, _) = at(&src);
    let text = file_text(&c, F).to_string();
    let fixes = code_actions(&c, F, 0, text.len() as u32);
    let titles: Vec<&str> = fixes.iter().map(|f| f.title.as_str()).collect();
    assert!(
        titles.contains(&"Replace `dels` with `deals`"),
        "{titles:?}"
    );
    assert!(titles.contains(&"Declare `unit seat`"), "{titles:?}");
    assert!(
        titles.contains(&"Declare `driver nothing_like_it = 0`"),
        "{titles:?}"
    );
    // Applying all of them leaves a clean plan.
    let edits: Vec<Edit> = fixes.iter().flat_map(|f| f.edits.clone()).collect();
    let after = apply(&text, &edits);
    let again = compile_str("main.plumb", &after, &Options::default());
    assert!(!again.has_errors(), "{after}\n{:?}", again.diagnostics);
    assert!(after.contains("unit deal\nunit seat\n"), "{after}");
}

#[test]
fn percent_as_number_fix_adds_the_percent_sign() {
    let src = format!("{PLAN}driver attach_rate: % = 82\nmetric m: % = attach_rate + 5\n");
    let (c, _) = at(&src);
    let text = file_text(&c, F).to_string();
    let fixes = code_actions(&c, F, 0, text.len() as u32);
    let titles: Vec<&str> = fixes.iter().map(|f| f.title.as_str()).collect();
    assert!(titles.contains(&"Write `82%`"), "{titles:?}");
    assert!(titles.contains(&"Write `5%`"), "{titles:?}");
    let edits: Vec<Edit> = fixes.iter().flat_map(|f| f.edits.clone()).collect();
    let after = apply(&text, &edits);
    assert!(after.contains("attach_rate: % = 82%\n"), "{after}");
    assert!(after.contains("attach_rate + 5%\n"), "{after}");
    let again = compile_str("main.plumb", &after, &Options::default());
    assert!(
        !again
            .diagnostics
            .iter()
            .any(|d| d.code == Code::PercentAsNumber),
        "{:?}",
        again.diagnostics
    );
}

#[test]
fn missing_owner_fix_adds_an_owner_line() {
    let src = "plan p \"P\" { periods 2026-01 .. 2026-02 }\ndepartment ops \"Ops\"\nrisk r \"R\" {\n  likelihood 10%\n}\nrisk q \"Q\" {}\ndriver d = 1\n";
    for (name, want) in [
        ("risk r", "risk r \"R\" {\n  likelihood 10%\n  owner ops\n}"),
        ("risk q", "risk q \"Q\" { owner ops }"),
    ] {
        let (c, _) = at(src);
        let at_name = src.find(name).expect("name") + 5;
        let d = Diagnostic::warning(
            Code::MissingOwner,
            Span::new(F, at_name, at_name + 1),
            "no owner",
        );
        let fixes = fixes_for(&c, 0, &d);
        assert_eq!(fixes.len(), 1);
        assert_eq!(fixes[0].title, "Add `owner ops`");
        let after = apply(src, &fixes[0].edits);
        assert!(after.contains(want), "{after}");
    }
}

#[test]
fn minimal_edit_replaces_only_the_middle() {
    let e = minimal_edit(F, "abcXYZdef", "abc12def");
    assert_eq!(
        e,
        vec![Edit {
            span: Span::new(F, 3, 6),
            text: "12".into()
        }]
    );
    assert!(minimal_edit(F, "same", "same").is_empty());
    let e = minimal_edit(F, "é1é", "é22é");
    assert_eq!(apply("é1é", &e), "é22é");
}

#[test]
fn no_offset_panics_anywhere() {
    let samples = [
        PLAN.to_string(),
        "plan p \"Überplan 🚀\" {\n  periods 2026-01 .. 2026-02\n}\n# café ☕ 😀\ndriver x = 1 # ü\nmetric y = x * (1 +\n".to_string(),
        "\"unterminated 😀\n{{{ ) ] # \n".to_string(),
        String::new(),
    ];
    for s in &samples {
        let e = evaluated(s);
        let c = &e.compilation;
        let len = s.len() as u32;
        for o in 0..=len + 3 {
            let _ = node_at(c, F, o);
            let _ = hover(c, Some(c), Some(&e), F, o);
            let _ = definition(c, F, o);
            let _ = references(c, F, o, true);
            let _ = prepare_rename(c, F, o);
            let _ = rename(c, F, o, "fresh_name");
            let _ = completions(c, Some(c), F, o);
            let _ = signature_help(c, Some(c), F, o);
            let _ = code_actions(c, F, o, o + 5);
            let _ = inlay_hints(c, Some(&e), F, o, o + 10);
        }
        let _ = semantic_tokens(c, F);
        let _ = folding_ranges(c, F);
        let _ = document_symbols(c, F);
        // An unknown file answers empty.
        assert!(node_at(c, FileId(99), 0).is_none());
        assert!(semantic_tokens(c, FileId(99)).is_empty());
        assert!(document_symbols(c, FileId(99)).is_empty());
    }
}

#[test]
fn word_at_handles_non_ascii_neighbours() {
    let t = "é x.y ü";
    assert_eq!(lex::word_at(t, 3), Some((3, 6)));
    assert_eq!(lex::word_at(t, 0), None);
    assert_eq!(lex::word_at(t, t.len() + 4), None);
}

#[test]
fn hover_on_a_ranged_driver_shows_its_range_and_p10_p90() {
    let src = "plan p \"Plan\" {\n  currency USD\n  periods 2026-01 .. 2026-03\n}\nunit deal\n\
               driver price: USD/deal = 85K { range 80K to 90K uniform }\n\
               driver deals: deal = 10\nmetric revenue: USD = deals * pr‸ice\n";
    let e = evaluated(src);
    let (c, o) = at(src);
    let m = hover(&c, None, Some(&e), F, o).unwrap().markdown;
    // Uniform 80K .. 90K: P10 81K, P90 89K.
    assert!(
        m.contains("range `80K to 90K` (uniform) · P10 $81,000/deal · P90 $89,000/deal"),
        "{m}"
    );
    let m = hover(&c, None, None, F, o).unwrap().markdown;
    assert!(m.contains("range `80K to 90K` (uniform)"), "{m}");
    assert!(!m.contains("P10"), "{m}");
}

#[test]
fn hover_on_an_objective_shows_its_simulated_odds_only_when_a_simulation_left_them() {
    let mut e = evaluated(PLAN);
    let (c, o) = at(&plan_at("objective big", 0, 11));
    let m = hover(&c, None, Some(&e), F, o).unwrap().markdown;
    assert!(!m.contains("simulated runs"), "{m}");
    e.odds = Some(crate::uncertainty::OddsCache {
        fingerprint: crate::uncertainty::fingerprint(&e.compilation),
        samples: 10_000,
        seed: 0,
        targets: vec![("big".into(), 0, Decimal::new(2066, 4))],
    });
    let m = hover(&c, None, Some(&e), F, o).unwrap().markdown;
    assert!(
        m.contains("· met in 20.7% of 10,000 simulated runs (seed 0)"),
        "{m}"
    );
}
