//! Editor analysis of dimensions: members completed after `[` and in member
//! tables, hover with per-member values, a member renamed across files, member
//! tokens. Sources mark the cursor with `‸`.
#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

use super::complete::completions;
use super::lex::{semantic_tokens, TokenKind};
use super::*;
use crate::compile::{compile, compile_str, FileSystem, Options};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

const PLAN: &str = r#"plan p "Plan" {
  currency USD
  periods 2026-01 .. 2026-03
}
department sales "Sales"
dimension channel "Marketing channel" {
  paid   "Paid search"
  events "Events"
}
dimension region "Region" { na  emea }
driver spend: USD by channel = { paid: 60K, events: 30K } { owner sales }
driver price: USD by channel, region = { paid: { na: 1, emea: 2 }, else: 3 }
metric paid_spend: USD = spend[paid]
metric all_spend: USD = total(spend) + total(price)
scenario base "Base" {}
"#;

const F: FileId = FileId(0);

fn at(src: &str) -> (Compilation, u32) {
    let offset = src.find('‸').unwrap_or(src.len());
    let text = src.replacen('‸', "", 1);
    (
        compile_str("main.plumb", &text, &Options::default()),
        offset as u32,
    )
}

fn labels(src: &str) -> Vec<String> {
    let full = format!("{PLAN}{src}\n");
    let (c, o) = at(&full);
    completions(&c, None, F, o)
        .items
        .into_iter()
        .map(|i| i.label)
        .collect()
}

#[test]
fn the_plan_is_clean() {
    let (c, _) = at(PLAN);
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
}

#[test]
fn members_are_completed_after_a_bracket_and_in_tables() {
    let l = labels("metric x: USD = spend[‸");
    assert!(
        l.contains(&"paid".to_string()) && l.contains(&"events".to_string()),
        "{l:?}"
    );
    assert!(!l.contains(&"spend".to_string()), "{l:?}");
    // The second position of a two-dimension item: regions.
    let l = labels("metric x: USD = price[paid, ‸");
    assert!(
        l.contains(&"emea".to_string()) && !l.contains(&"paid".to_string()),
        "{l:?}"
    );
    // Keys of a member table, and `else`; nested tables take the next dimension.
    let l = labels("driver y: USD by channel = { ‸");
    assert!(
        l.contains(&"paid".to_string()) && l.contains(&"else".to_string()),
        "{l:?}"
    );
    let l = labels("driver y: USD by channel = { paid: 1, ‸");
    assert!(l.contains(&"events".to_string()), "{l:?}");
    let l = labels("driver y: USD by channel, region = { paid: { ‸");
    assert!(
        l.contains(&"na".to_string()) && !l.contains(&"paid".to_string()),
        "{l:?}"
    );
    // A budget's amount is by department.
    let l = labels("budget b \"B\" {\n  amount { ‸\n}");
    assert!(l.contains(&"sales".to_string()), "{l:?}");
}

#[test]
fn hover_shows_each_members_values() {
    let src = PLAN.replacen(
        "metric paid_spend: USD = spend",
        "metric paid_spend: USD = sp‸end",
        1,
    );
    let offset = src.find('‸').unwrap() as u32;
    let e = Evaluated::new(compile_str(
        "main.plumb",
        &src.replacen('‸', "", 1),
        &Options {
            evaluate: true,
            scenarios: None,
        },
    ));
    let h = hover(&e.compilation, None, Some(&e), F, offset).expect("hover");
    assert!(h.markdown.contains("by channel"), "{}", h.markdown);
    assert!(
        h.markdown.contains("- `paid`: 2026-01 $60,000"),
        "{}",
        h.markdown
    );
    assert!(
        h.markdown.contains("- `events`: 2026-01 $30,000"),
        "{}",
        h.markdown
    );
    // The total first: $90,000 a month.
    assert!(h.markdown.contains("2026-01 $90,000"), "{}", h.markdown);
    // A member: its dimension and title.
    let src = PLAN.replacen("spend[paid]", "spend[pa‸id]", 1);
    let (c, o) = at(&src);
    let h = hover(&c, None, None, F, o).expect("hover on a member");
    assert!(
        h.markdown
            .contains("member of dimension `channel`: **Paid search**"),
        "{}",
        h.markdown
    );
}

#[test]
fn member_tokens_are_enum_members() {
    let (c, _) = at(PLAN);
    let text = file_text(&c, F).to_string();
    let toks = semantic_tokens(&c, F);
    let at_member = |needle: &str, shift: usize| {
        let start = (text.find(needle).unwrap() + shift) as u32;
        toks.iter().find(|t| t.start == start).map(|t| t.kind)
    };
    assert_eq!(at_member("spend[paid]", 6), Some(TokenKind::EnumMember));
    assert_eq!(at_member("{ paid: 60K", 2), Some(TokenKind::EnumMember));
}

/// Files in memory.
struct Mem(HashMap<PathBuf, String>);

impl FileSystem for Mem {
    fn read(&self, path: &Path) -> std::io::Result<String> {
        self.0
            .get(path)
            .cloned()
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"))
    }
    fn canonicalize(&self, path: &Path) -> std::io::Result<PathBuf> {
        if self.0.contains_key(path) {
            Ok(path.to_path_buf())
        } else {
            Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "no such file",
            ))
        }
    }
}

#[test]
fn a_member_renames_across_files() {
    let main = "plan p \"P\" {\n  currency USD\n  periods 2026-01 .. 2026-02\n}\nimport \"dims.plumb\"\nmetric paid_spend: USD = spend[paid]\nscenario base \"Base\" {\n  spend[paid] = 0\n}\n";
    let dims = "dimension channel \"Channel\" {\n  paid   \"Paid search\"\n  events \"Events\"\n}\ndriver spend: USD by channel = { paid: 60K, else: 10K }\n";
    let fs = Mem(HashMap::from([
        (PathBuf::from("/p/main.plumb"), main.to_string()),
        (PathBuf::from("/p/dims.plumb"), dims.to_string()),
    ]));
    let c = compile(Path::new("/p/main.plumb"), &fs, &Options::default());
    assert!(!c.has_errors(), "{:?}", c.diagnostics);
    let offset = main.find("spend[paid]").unwrap() as u32 + 7;
    let edits = rename(&c, F, offset, "search").expect("rename");
    let mut by_file: HashMap<FileId, Vec<Edit>> = HashMap::new();
    for e in edits {
        by_file.entry(e.span.file).or_default().push(e);
    }
    let mut after = HashMap::new();
    for (file, es) in by_file {
        let mut text = c.sources.get(file).unwrap().text.clone();
        let mut es = es;
        es.sort_by_key(|e| std::cmp::Reverse(e.span.start));
        for e in es {
            text.replace_range(e.span.start as usize..e.span.end as usize, &e.text);
        }
        after.insert(c.sources.get(file).unwrap().name.clone(), text);
    }
    let m = after.values().find(|t| t.contains("plan p")).unwrap();
    let d = after
        .values()
        .find(|t| t.contains("dimension channel"))
        .unwrap();
    assert!(m.contains("spend[search]") && !m.contains("[paid]"), "{m}");
    assert!(
        d.contains("  search   \"Paid search\"") && d.contains("{ search: 60K"),
        "{d}"
    );
}
