//! `step { … }` with plain monthly numbers is read on a short path
//! (`src/syntax/plain_steps.rs`, without pest); it must give the same syntax tree
//! — values, literal texts, spans — as the general path, which a comment forces
//! here without moving any entry.

#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

use plumb::source::FileId;
use plumb::syntax::ast::{DeclKind, ExprKind};
use plumb::syntax::parse;

/// The step's entries, as the syntax tree holds them.
fn entries(text: &str) -> String {
    let p = parse(text, FileId(0));
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    match &p.file.decls[0].kind {
        DeclKind::Item(item) => match &item.expr.kind {
            ExprKind::Step(e) => format!("{e:?}"),
            other => panic!("not a step: {other:?}"),
        },
        other => panic!("not an item: {other:?}"),
    }
}

#[test]
fn short_and_general_paths_agree() {
    for (fast, slow) in [
        (
            "driver x = step { 2026-01: 5, 2026-02: 1.50, 2027-12: 0 }",
            "driver x = step { 2026-01: 5, 2026-02: 1.50, 2027-12: 0 #\n}",
        ),
        (
            "driver x: USD = step {\n  2026-01 : 1200.25 ,\n  2026-10:3,\n}",
            "driver x: USD = step {\n  2026-01 : 1200.25 ,\n  2026-10:3,#\n}",
        ),
        (
            "driver x = step { 2026-09: 007.000 }",
            "driver x = step { 2026-09: 007.000#}\n}",
        ),
    ] {
        // Every entry sits at the same offset in both texts.
        assert_eq!(entries(fast), entries(slow), "{fast}");
    }
}

#[test]
fn month_out_of_range_still_reported() {
    let p = parse("driver x = step { 2026-13: 5 }", FileId(0));
    assert_eq!(p.diagnostics.len(), 1, "{:?}", p.diagnostics);
    assert!(p.diagnostics[0].message.contains("month 13"));
}

#[test]
fn what_follows_a_cut_step_keeps_its_place() {
    // Spans after a short-path step body must point into the original text.
    let text =
        "metric x: USD = step { 2026-01: 5, 2026-02: 6 } + step { 2026-03: 7 } * y { owner sales }";
    let p = parse(text, FileId(0));
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    let DeclKind::Item(item) = &p.file.decls[0].kind else {
        panic!("not an item")
    };
    let owner = item.owner.as_ref().unwrap();
    assert_eq!(
        &text[owner.span.start as usize..owner.span.end as usize],
        "sales"
    );
    assert_eq!(
        &text[item.expr.span.start as usize..item.expr.span.end as usize],
        "step { 2026-01: 5, 2026-02: 6 } + step { 2026-03: 7 } * y"
    );
    let ExprKind::Binary(_, a, b) = &item.expr.kind else {
        panic!("not a sum")
    };
    assert_eq!(
        &text[a.span.start as usize..a.span.end as usize],
        "step { 2026-01: 5, 2026-02: 6 }"
    );
    let ExprKind::Binary(_, c, d) = &b.kind else {
        panic!("not a product")
    };
    assert_eq!(
        &text[c.span.start as usize..c.span.end as usize],
        "step { 2026-03: 7 }"
    );
    assert_eq!(&text[d.span.start as usize..d.span.end as usize], "y");
}

#[test]
fn syntax_errors_read_as_without_the_short_path() {
    // The error is after a plain step: reported from the whole text.
    let bad = "driver x = step { 2026-01: 5 } +";
    let p = parse(bad, FileId(0));
    assert_eq!(p.diagnostics.len(), 1, "{:?}", p.diagnostics);
    let d = &p.diagnostics[0];
    assert_eq!(d.code, plumb::diagnostic::Code::Syntax);
    assert!(d.message.contains("expected"), "{}", d.message);
}

#[test]
fn a_large_file_parses_whole_and_in_order() {
    // Large files are parsed on two threads; the result is the same sequence.
    let mut text = String::new();
    let n = 800;
    let months: Vec<String> = (0..60)
        .map(|m| format!("{}-{:02}: {m}.25", 2026 + m / 12, m % 12 + 1))
        .collect();
    let body = months.join(", ");
    for i in 0..n {
        if i == n / 3 || i == 3 * n / 4 {
            text.push_str("driver broken = = 1\n");
        }
        text.push_str(&format!("driver d{i} = step {{ {body} }}\n"));
    }
    assert!(text.len() > 600 * 1024, "{}", text.len());
    let p = parse(&text, FileId(0));
    // The broken declarations still declare their names (with no value).
    assert_eq!(p.file.decls.len(), n + 2);
    let names: Vec<&str> = p
        .file
        .decls
        .iter()
        .map(|d| match &d.kind {
            DeclKind::Item(item) => item.name.name.as_str(),
            _ => panic!("not an item"),
        })
        .filter(|n| *n != "broken")
        .collect();
    assert_eq!(names.len(), n);
    for (i, name) in names.iter().enumerate() {
        assert_eq!(*name, format!("d{i}"));
    }
    assert_eq!(p.diagnostics.len(), 2, "{:?}", p.diagnostics);
    assert!(p.diagnostics[0].primary.span.start < p.diagnostics[1].primary.span.start);
}

#[test]
fn plain_numbers_read_exactly() {
    use rust_decimal::Decimal;
    use std::str::FromStr;
    for lit in [
        "0",
        "007",
        "1200.50",
        "0.000",
        "0.1",
        "12.340",
        "9999999999999999999",
        "999999999999999999.9",
        "18446744073709551615",
        "123456789012345678901234567",
        "1.2345678901234567890123",
    ] {
        let p = parse(&format!("driver x = {lit}"), FileId(0));
        let DeclKind::Item(item) = &p.file.decls[0].kind else {
            panic!("not an item")
        };
        let ExprKind::Number { value, .. } = &item.expr.kind else {
            panic!("not a number")
        };
        let want = Decimal::from_str(lit).unwrap().normalize();
        assert_eq!(
            (value.mantissa(), value.scale()),
            (want.mantissa(), want.scale()),
            "{lit}"
        );
    }
}
