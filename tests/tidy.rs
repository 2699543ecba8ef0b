//! Tidy: the repository's rules that no compiler checks. Every diagnostic code has a
//! row in README's diagnostics table and a SARIF description of its own; every
//! keyword of the grammar is known to the language server's lexer or completion
//! tables (or is listed below with the reason it is not); every file under `src/`
//! starts with a `//!` module doc.

#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

use plumb::diagnostic::Code;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn read(rel: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).unwrap()
}

/// The codes in the first column of README's `## Diagnostics` table.
fn readme_codes() -> BTreeSet<String> {
    let readme = read("README.md");
    let section = readme
        .split("\n## Diagnostics\n")
        .nth(1)
        .expect("README has a `## Diagnostics` section");
    let section = section.split("\n## ").next().unwrap_or(section);
    section
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split('`').next())
        .map(str::to_string)
        .collect()
}

#[test]
fn every_code_has_a_row_in_the_readme_diagnostics_table() {
    let rows = readme_codes();
    let missing: Vec<&str> = Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !rows.contains(*c))
        .collect();
    assert!(
        missing.is_empty(),
        "README's `## Diagnostics` table has no row for: {missing:?}"
    );
    let known: BTreeSet<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
    let stale: Vec<&String> = rows
        .iter()
        .filter(|r| !known.contains(r.as_str()))
        .collect();
    assert!(
        stale.is_empty(),
        "README rows for codes that do not exist: {stale:?}"
    );
}

#[test]
fn every_code_has_its_own_sarif_description() {
    let mut seen = BTreeSet::new();
    for &code in Code::ALL {
        let d = plumb::sarif::describe(code);
        assert!(
            d.len() > 20 && d.ends_with('.') && d != "A Plumb diagnostic.",
            "`{code}` has no SARIF description of its own: {d:?}"
        );
        assert!(
            seen.insert(d),
            "`{code}` shares its SARIF description: {d:?}"
        );
    }
}

/// Every word the grammar reserves: the `kw_*` rules and the `keyword_any` list.
fn grammar_keywords() -> BTreeSet<String> {
    let grammar = read("grammar/plumb.pest");
    let mut out = BTreeSet::new();
    for line in grammar.lines() {
        if line.starts_with("kw_") {
            if let Some(word) = line.split('"').nth(1) {
                out.insert(word.to_string());
            }
        }
    }
    let any = grammar
        .split("keyword_any = _{")
        .nth(1)
        .and_then(|s| s.split('}').next())
        .expect("the grammar has `keyword_any`");
    for (i, part) in any.split('"').enumerate() {
        if i % 2 == 1 {
            out.insert(part.to_string());
        }
    }
    out
}

/// The string literals of the Rust item that starts with `start` in `text`, up to
/// the `];` that closes it.
fn literals_of(text: &str, start: &str) -> BTreeSet<String> {
    let body = text
        .split(start)
        .nth(1)
        .and_then(|s| s.split("];").next())
        .unwrap_or_else(|| panic!("`{start}` not found"));
    body.split('"')
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .flat_map(|(_, s)| s.split(' ').map(str::to_string).collect::<Vec<_>>())
        .collect()
}

/// Grammar words the language server does not list as keywords, and why. Words
/// in `KEYWORDS` are never names to the editor (hover, go to definition and
/// rename skip them), so a word that only has a meaning right after another
/// keyword, and is a fine name elsewhere, stays out of it.
const NOT_LSP_KEYWORDS: &[(&str, &str)] = &[
    (
        "quarter",
        "a time unit, highlighted as a type (units::TIME_WORDS); a keyword only in `amount per quarter`",
    ),
    ("per", "only in `per period` and `amount per quarter|year`, after `range` and `amount`"),
    ("through", "only in `actuals through PERIOD`, after `actuals`"),
    ("higher", "only in `favourable higher`, after `favourable`"),
    ("lower", "only in `favourable lower`, after `favourable`"),
];

#[test]
fn every_grammar_keyword_is_known_to_the_language_server() {
    let lex = read("src/analysis/lex.rs");
    let complete = read("src/analysis/complete.rs");
    let mut known = literals_of(&lex, "pub const KEYWORDS: &[&str] = &[");
    known.extend(literals_of(
        &complete,
        "pub const STATEMENTS: &[(&str, &[&str])] = &[",
    ));
    known.extend(literals_of(&complete, "const EXPR_KEYWORDS: &[&str] = &["));
    let excused: BTreeSet<&str> = NOT_LSP_KEYWORDS.iter().map(|(w, _)| *w).collect();
    let missing: Vec<String> = grammar_keywords()
        .into_iter()
        .filter(|w| !known.contains(w) && !excused.contains(w.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "grammar keywords missing from src/analysis/lex.rs KEYWORDS (or complete.rs's \
         tables, or NOT_LSP_KEYWORDS here with a reason): {missing:?}"
    );
    for (w, _) in NOT_LSP_KEYWORDS {
        assert!(
            !known.contains(*w),
            "`{w}` is excused but the language server knows it: drop it from NOT_LSP_KEYWORDS"
        );
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn every_source_file_starts_with_a_module_doc() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    assert!(
        files.len() > 50,
        "found only {} files under src/",
        files.len()
    );
    let undocumented: Vec<String> = files
        .iter()
        .filter(|p| {
            let text = std::fs::read_to_string(p).unwrap();
            !text.starts_with("//!")
        })
        .map(|p| p.strip_prefix(root).unwrap().display().to_string())
        .collect();
    assert!(
        undocumented.is_empty(),
        "files under src/ without a leading `//!` doc: {undocumented:?}"
    );
}

/// The files under `src/DIR/` (and `src/DIR.rs`) whose text names `path`.
fn files_naming(dir: &str, path: &str) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src").join(dir), &mut files);
    let module = root.join("src").join(format!("{dir}.rs"));
    if module.is_file() {
        files.push(module);
    }
    assert!(!files.is_empty(), "no files under src/{dir}/");
    files
        .iter()
        .filter(|p| std::fs::read_to_string(p).unwrap().contains(path))
        .map(|p| p.strip_prefix(root).unwrap().display().to_string())
        .collect()
}

#[test]
fn checks_and_reports_do_not_import_each_other() {
    // Stages have one direction: eval (values and outcomes) → check (a leaf that
    // only words diagnostics) and → report (presentation). Number formatting is
    // `crate::present`, windows of output `crate::calendar`, outcomes
    // `crate::outcome`.
    let check_uses_report = files_naming("check", "crate::report");
    assert!(
        check_uses_report.is_empty(),
        "files under src/check/ use `crate::report`: {check_uses_report:?}"
    );
    let report_uses_check = files_naming("report", "crate::check");
    assert!(
        report_uses_check.is_empty(),
        "files under src/report/ use `crate::check`: {report_uses_check:?}"
    );
}
