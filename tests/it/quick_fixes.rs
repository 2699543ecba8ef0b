//! Advice that compiles: every quick fix the language server offers
//! (`analysis::fix::fixes_for`) on every broken plan of the message corpus
//! (`tests/messages/`) and of the snapshot cases (`tests/cases/`) is applied to a
//! copy of the plan, which is compiled again: the edited file must not gain a
//! syntax error (and a syntax fix must remove one), and the diagnostic the fix
//! was offered for must be gone.

#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

use crate::common;

use plumb::analysis::fix::fixes_for;
use plumb::compile::{compile, Compilation, DiskFs, Options};
use plumb::diagnostic::Code;
use std::path::{Path, PathBuf};

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let dest = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).unwrap();
        }
    }
}

fn check(path: &Path) -> Compilation {
    compile(
        path,
        &DiskFs,
        &Options {
            evaluate: true,
            scenarios: None,
        },
    )
}

/// A copy of the case (its folder, for a plan of several files) in a fresh
/// temporary folder, and the copied entry file.
fn copy_case(entry: &Path) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let multi = entry.file_name().is_some_and(|n| n == "main.plumb");
    if multi {
        let dir = entry.parent().unwrap();
        let dest = tmp.path().join(dir.file_name().unwrap());
        copy_dir(dir, &dest);
        (tmp, dest.join("main.plumb"))
    } else {
        let dest = tmp.path().join(entry.file_name().unwrap());
        std::fs::copy(entry, &dest).unwrap();
        (tmp, dest)
    }
}

fn count(c: &Compilation, file: &str, code: Code, message: Option<&str>) -> usize {
    c.diagnostics
        .iter()
        .filter(|d| {
            d.code == code
                && c.sources.get(d.primary.span.file).map(|f| f.name.as_str()) == Some(file)
                && message.is_none_or(|m| d.message == m)
        })
        .count()
}

/// Applies every fix of every diagnostic of the case; returns how many fixes
/// were applied and the failures.
fn apply_all(entry: &Path) -> (usize, Vec<String>) {
    let (_tmp, copy) = copy_case(entry);
    let before = check(&copy);
    let mut applied = 0;
    let mut failures = Vec::new();
    for (i, d) in before.diagnostics.iter().enumerate() {
        for fix in fixes_for(&before, i, d) {
            let Some(first) = fix.edits.first() else {
                failures.push(format!("{}: `{}` has no edits", entry.display(), fix.title));
                continue;
            };
            let file = first.span.file;
            let name = before.sources.get(file).unwrap().name.clone();
            let original = std::fs::read_to_string(&name).unwrap();
            let mut text = original.clone();
            let mut edits = fix.edits.clone();
            edits.sort_by_key(|e| std::cmp::Reverse(e.span.start));
            for e in &edits {
                assert_eq!(e.span.file, file, "a fix edits one file");
                text.replace_range(e.span.start as usize..e.span.end as usize, &e.text);
            }
            std::fs::write(&name, &text).unwrap();
            let after = check(&copy);
            std::fs::write(&name, &original).unwrap();
            applied += 1;
            let what = format!(
                "{}: fix `{}` for `{}` ({})",
                entry.display(),
                fix.title,
                d.message,
                d.code
            );
            let syntax_before = count(&before, &name, Code::Syntax, None);
            let syntax_after = count(&after, &name, Code::Syntax, None);
            if syntax_after > syntax_before
                || (d.code == Code::Syntax && syntax_after >= syntax_before)
            {
                failures.push(format!("{what}: the result does not parse:\n{text}"));
                continue;
            }
            let d_file = before
                .sources
                .get(d.primary.span.file)
                .unwrap()
                .name
                .clone();
            if d.code != Code::Syntax
                && count(&after, &d_file, d.code, Some(&d.message))
                    >= count(&before, &d_file, d.code, Some(&d.message))
            {
                failures.push(format!("{what}: the diagnostic is still there:\n{text}"));
            }
        }
    }
    (applied, failures)
}

#[test]
fn every_quick_fix_parses_and_removes_its_diagnostic() {
    let mut applied = 0;
    let mut failures = Vec::new();
    for dir in ["tests/messages", "tests/cases"] {
        for entry in common::case_entries(dir) {
            let (n, f) = apply_all(&entry);
            applied += n;
            failures.extend(f);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(applied >= 20, "only {applied} quick fixes were tried");
}

/// The spellings people bring from spreadsheets each get a quick fix.
#[test]
fn spreadsheet_spellings_have_quick_fixes() {
    for case in [
        "spreadsheet_dollar_thousands",
        "spreadsheet_thousands_comma",
        "spreadsheet_lowercase_suffix",
        "missing_else",
        "unclosed_paren",
        "single_quotes",
        "semicolon",
        "colon_equals",
        "unit_header_without_colon",
        "spreadsheet_comma_in_step",
        "spreadsheet_if",
        "equals_in_condition",
        "and_or_symbols",
        "percent_with_space",
        "periods_with_to",
        "import_misspelt_cascade/main",
    ] {
        let path = PathBuf::from(format!("tests/messages/{case}.plumb"));
        let c = check(&path);
        let fixes: usize = c
            .diagnostics
            .iter()
            .enumerate()
            .map(|(i, d)| fixes_for(&c, i, d).len())
            .sum();
        assert!(fixes > 0, "{case}: no quick fix offered");
        let (n, failures) = apply_all(&path);
        assert_eq!(n, fixes);
        assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    }
}

/// Every declaration a help line proposes in full (a backticked snippet starting
/// with a declaration keyword, without `…` placeholders) parses as written.
#[test]
fn declarations_proposed_in_help_lines_parse() {
    let mut tried = 0;
    let mut failures = Vec::new();
    for dir in ["tests/messages", "tests/cases"] {
        for entry in common::case_entries(dir) {
            let c = check(&entry);
            for d in &c.diagnostics {
                let Some(help) = &d.help else { continue };
                for (i, snippet) in help.split('`').enumerate() {
                    let keyword = snippet.split_whitespace().next().unwrap_or("");
                    if i % 2 == 0
                        || snippet.contains('…')
                        || !plumb::syntax::DECL_KEYWORDS.contains(&keyword)
                        || snippet.split_whitespace().count() < 3
                    {
                        continue;
                    }
                    tried += 1;
                    let p = plumb::syntax::parse(snippet, plumb::source::FileId(0));
                    if !p.diagnostics.is_empty() || p.file.decls.len() != 1 {
                        failures.push(format!(
                            "{}: `{snippet}` in the help of `{}` does not parse: {:?}",
                            entry.display(),
                            d.message,
                            p.diagnostics
                        ));
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        tried >= 3,
        "only {tried} proposed declarations were checked"
    );
}
