//! Tidy: the repository's rules that no compiler checks. Every diagnostic code has a
//! row in README's diagnostics table and a SARIF description of its own; every
//! keyword of the grammar is in the keywords table (`syntax::keywords`, or is
//! listed below with the reason it is not); every built-in has a row in README's
//! built-in table; every file under `src/` starts with a `//!` module doc; the
//! commands write standard output through `cli::Out`, never `print!`.

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
fn every_grammar_keyword_is_in_the_keywords_table() {
    use plumb::syntax::keywords::{DECL_KEYWORDS, EXPR_KEYWORDS, KEYWORDS, STATEMENTS};
    let mut known: BTreeSet<String> = KEYWORDS.iter().map(|w| w.to_string()).collect();
    known.extend(
        STATEMENTS
            .iter()
            .flat_map(|(_, words)| words.iter())
            .flat_map(|w| w.split(' '))
            .map(str::to_string),
    );
    known.extend(EXPR_KEYWORDS.iter().map(|w| w.to_string()));
    let excused: BTreeSet<&str> = NOT_LSP_KEYWORDS.iter().map(|(w, _)| *w).collect();
    let grammar = grammar_keywords();
    let missing: Vec<&String> = grammar
        .iter()
        .filter(|w| !known.contains(*w) && !excused.contains(w.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "grammar keywords missing from src/syntax/keywords.rs (or NOT_LSP_KEYWORDS here \
         with a reason): {missing:?}"
    );
    for (w, _) in NOT_LSP_KEYWORDS {
        assert!(
            !known.contains(*w),
            "`{w}` is excused but the keywords table lists it: drop it from NOT_LSP_KEYWORDS"
        );
    }
    let not_in_grammar: Vec<&&str> = DECL_KEYWORDS
        .iter()
        .chain(EXPR_KEYWORDS)
        .filter(|w| !grammar.contains(**w))
        .collect();
    assert!(
        not_in_grammar.is_empty(),
        "declaration or expression keywords the grammar does not have: {not_in_grammar:?}"
    );
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

/// `text` with comments, string literals and character literals blanked out (their
/// newlines kept), so that braces and `fn` are only code.
fn code_only(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let blank = |out: &mut String, s: &str| {
        out.extend(s.chars().map(|c| if c == '\n' { '\n' } else { ' ' }));
    };
    let mut i = 0;
    while i < b.len() {
        let rest = &text[i..];
        let ident_before = i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_');
        let end = if rest.starts_with("//") {
            rest.find('\n').unwrap_or(rest.len())
        } else if rest.starts_with("/*") {
            rest.find("*/").map_or(rest.len(), |e| e + 2)
        } else if !ident_before && (rest.starts_with("r\"") || rest.starts_with("r#")) {
            let hashes = rest[1..].bytes().take_while(|c| *c == b'#').count();
            let close = format!("\"{}", "#".repeat(hashes));
            let open = 1 + hashes + 1;
            if rest.as_bytes().get(open - 1) == Some(&b'"') {
                rest[open..]
                    .find(&close)
                    .map_or(rest.len(), |e| open + e + close.len())
            } else {
                0
            }
        } else if rest.starts_with('"') {
            let mut j = 1;
            while j < rest.len() && rest.as_bytes()[j] != b'"' {
                j += if rest.as_bytes()[j] == b'\\' { 2 } else { 1 };
            }
            (j + 1).min(rest.len())
        } else if let Some(after_quote) = rest.strip_prefix('\'') {
            // A character literal (`'a'`, `'\n'`, `'\u{1F600}'`), not a lifetime.
            match after_quote.chars().next() {
                Some('\\') => rest
                    .get(3..)
                    .and_then(|r| r.find('\''))
                    .map_or(0, |e| e + 4),
                Some(c) => {
                    let after = 1 + c.len_utf8();
                    if rest[after..].starts_with('\'') {
                        after + 1
                    } else {
                        0
                    }
                }
                None => 0,
            }
        } else {
            0
        };
        if end == 0 {
            let c = rest.chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        } else {
            blank(&mut out, &rest[..end]);
            i += end;
        }
    }
    out
}

/// Every function with a body in `text`: (name, first line, number of lines from
/// its `fn` line to its closing brace).
fn function_lengths(text: &str) -> Vec<(String, usize, usize)> {
    let code = code_only(text);
    let b = code.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(k) = code[from..].find("fn ") {
        let at = from + k;
        from = at + 3;
        if at > 0 && (b[at - 1].is_ascii_alphanumeric() || b[at - 1] == b'_') {
            continue;
        }
        let name: String = code[at + 3..]
            .trim_start()
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if name.is_empty() {
            continue;
        }
        let (Some(open), semi) = (code[at..].find('{'), code[at..].find(';')) else {
            continue;
        };
        if semi.is_some_and(|s| s < open) {
            continue; // a declaration without a body
        }
        let mut depth = 0usize;
        let mut close = None;
        for (j, c) in code[at + open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        close = Some(at + open + j);
                        break;
                    }
                }
                _ => {}
            }
        }
        let Some(close) = close else { continue };
        let first = code[..at].matches('\n').count() + 1;
        let last = code[..close].matches('\n').count() + 1;
        out.push((name, first, last - first + 1));
    }
    out
}

/// The longest a function under `src/` may be, in lines.
const MAX_FUNCTION_LINES: usize = 120;

/// Functions allowed to be longer: declarative tables, read one row at a time.
/// (file, function, why).
const LONG_TABLES: &[(&str, &str, &str)] = &[(
    "src/syntax/mod.rs",
    "describe_rule",
    "a table from grammar rule to the words users see, one arm per rule",
)];

#[test]
fn no_function_in_src_is_longer_than_a_reader_holds_in_their_head() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    let allowed = |file: &str, name: &str| {
        LONG_TABLES
            .iter()
            .map(|(f, n, _)| (*f, *n))
            .any(|(f, n)| f == file && n == name)
    };
    let mut long = Vec::new();
    let mut still_long = BTreeSet::new();
    for p in &files {
        let rel = p.strip_prefix(root).unwrap().display().to_string();
        let text = std::fs::read_to_string(p).unwrap();
        for (name, line, len) in function_lengths(&text) {
            if len <= MAX_FUNCTION_LINES {
                continue;
            }
            if allowed(&rel, &name) {
                still_long.insert((rel.clone(), name));
            } else {
                long.push(format!("{rel}:{line} `{name}` ({len} lines)"));
            }
        }
    }
    assert!(
        long.is_empty(),
        "functions over {MAX_FUNCTION_LINES} lines (split them by meaning: per declaration \
         kind, per concern, per section): {long:#?}"
    );
    let stale: Vec<String> = LONG_TABLES
        .iter()
        .map(|(f, n, _)| (*f, *n))
        .filter(|(f, n)| !still_long.contains(&(f.to_string(), n.to_string())))
        .map(|(f, n)| format!("{f} `{n}`"))
        .collect();
    assert!(
        stale.is_empty(),
        "listed as long but no longer over {MAX_FUNCTION_LINES} lines: drop them from the \
         lists in tests/it/tidy.rs: {stale:?}"
    );
}

#[test]
fn the_function_length_scanner_sees_through_strings_and_comments() {
    let text = "fn a() {\n    let s = \"}\";\n    // }\n    let c = '}';\n    let q = '\\'';\n    let r = r#\"{\"#;\n}\nfn b<'x>(v: &'x str) -> &'x str {\n    v\n}\nfn c();\n";
    assert_eq!(
        function_lengths(text),
        vec![("a".to_string(), 1, 7), ("b".to_string(), 8, 3)]
    );
}

/// The lowercase words of `text`, without "the", "a" and "an".
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .filter(|w| !matches!(w.as_str(), "the" | "a" | "an"))
        .collect()
}

/// The name of the public field or function declared on `line`, if it is one.
fn public_item_name(line: &str) -> Option<String> {
    let t = line.trim_start();
    let rest = t
        .strip_prefix("pub(crate) ")
        .or_else(|| t.strip_prefix("pub "))?;
    let rest = rest
        .trim_start_matches("const ")
        .trim_start_matches("async ")
        .trim_start_matches("unsafe ");
    let (name, is_item) = match rest.strip_prefix("fn ") {
        Some(f) => (f, true),
        None => (rest, false),
    };
    let ident: String = name
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    let after = name[ident.len()..].trim_start();
    let is_field = !is_item && after.starts_with(':') && !after.starts_with("::");
    (!ident.is_empty() && (is_item || is_field)).then_some(ident)
}

#[test]
fn doc_comments_say_more_than_the_name_of_what_they_document() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    let mut echoes = Vec::new();
    for p in &files {
        let rel = p.strip_prefix(root).unwrap().display().to_string();
        let text = std::fs::read_to_string(p).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let Some(name) = public_item_name(line) else {
                continue;
            };
            // The `///` block just above it (attributes between are skipped).
            let mut j = i;
            while j > 0 && lines[j - 1].trim_start().starts_with("#[") {
                j -= 1;
            }
            let mut doc = Vec::new();
            while j > 0 && lines[j - 1].trim_start().starts_with("///") {
                j -= 1;
                doc.insert(0, lines[j].trim_start().trim_start_matches('/'));
            }
            if doc.is_empty() {
                continue;
            }
            let said = words(&doc.join(" "));
            if said == words(&name.replace('_', " ")) {
                echoes.push(format!(
                    "{rel}:{} `{name}`: {:?}",
                    i + 1,
                    doc.join(" ").trim()
                ));
            }
        }
    }
    assert!(
        echoes.is_empty(),
        "doc comments that only repeat the name (say what it is, holds or is for): {echoes:#?}"
    );
}

/// The functions named in the first column of README's built-in table (the one
/// under `### Expressions and built-in functions`).
fn readme_builtins() -> BTreeSet<String> {
    let readme = read("README.md");
    let section = readme
        .split("\n### Expressions and built-in functions\n")
        .nth(1)
        .expect("README has an `### Expressions and built-in functions` section");
    let table = section
        .split("\n\n")
        .find(|block| block.starts_with("| function |"))
        .expect("the built-in table (`| function | meaning |`)");
    table
        .lines()
        .skip(2)
        .filter_map(|l| l.strip_prefix("| "))
        .filter_map(|l| l.split(" |").next())
        .flat_map(|cell| {
            cell.split('`')
                .enumerate()
                .filter(|(i, _)| i % 2 == 1)
                .map(|(_, code)| {
                    code.chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect::<String>()
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// README rows that are syntax rather than a built-in function.
const README_NOT_BUILTINS: &[(&str, &str)] = &[(
    "step",
    "`step { P: V, … }` is an expression form of the grammar, not a call",
)];

#[test]
fn every_builtin_has_a_row_in_the_readme_and_every_row_is_a_builtin() {
    let rows = readme_builtins();
    let table: BTreeSet<String> = plumb::ir::BUILTIN_SIGNATURES
        .iter()
        .map(|b| b.0.to_string())
        .collect();
    let missing: Vec<&String> = table.iter().filter(|b| !rows.contains(*b)).collect();
    assert!(
        missing.is_empty(),
        "README's built-in table has no row for: {missing:?}"
    );
    let excused: BTreeSet<&str> = README_NOT_BUILTINS.iter().map(|(w, _)| *w).collect();
    let stale: Vec<&String> = rows
        .iter()
        .filter(|r| !table.contains(*r) && !excused.contains(r.as_str()))
        .collect();
    assert!(
        stale.is_empty(),
        "README's built-in table lists functions that are not built-ins: {stale:?}"
    );
}

/// Every line of the Rust files under `src/` (path relative to the repository,
/// line number, text), test modules included.
fn src_lines() -> Vec<(String, usize, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    let mut out = Vec::new();
    for p in files {
        let rel = p.strip_prefix(root).unwrap().display().to_string();
        let text = std::fs::read_to_string(&p).unwrap();
        for (i, line) in text.lines().enumerate() {
            out.push((rel.clone(), i + 1, line.to_string()));
        }
    }
    out
}

#[test]
fn the_standard_library_is_known_by_origin_not_by_name() {
    // The lexer highlights `import std.NAME` from the text it colours: that is
    // reading the import syntax, not deciding where a file came from.
    const LEXING: &[&str] = &["src/analysis/lex.rs", "src/syntax/lex.rs"];
    let pattern = ["starts_with(\"std", ".\")"].concat();
    let found: Vec<String> = src_lines()
        .into_iter()
        .filter(|(f, _, l)| l.contains(&pattern) && !LEXING.contains(&f.as_str()))
        .map(|(f, n, l)| format!("{f}:{n}: {}", l.trim()))
        .collect();
    assert!(
        found.is_empty(),
        "decide on `SourceFile::origin` (`is_std`), not on the file's name:\n{}",
        found.join("\n")
    );
}

#[test]
fn no_decision_reads_a_diagnostic_message_or_help() {
    const ON_MESSAGE: &[&str] = &[
        ".message.contains(",
        ".message.starts_with(",
        ".message.ends_with(",
        ".message ==",
    ];
    let lines = src_lines();
    let mut found = Vec::new();
    for (i, (f, n, l)) in lines.iter().enumerate() {
        if f.ends_with("tests.rs") {
            continue;
        }
        let on_message = ON_MESSAGE.iter().any(|p| l.contains(p));
        // A test on the help text, written on one line or chained over a few.
        let tests_text = l.contains(".contains(") || l.contains(".starts_with(");
        let on_help = tests_text
            && lines[i.saturating_sub(3)..=i]
                .iter()
                .any(|(g, _, k)| g == f && k.contains(".help"));
        if on_message || on_help || reads_help(f, l) {
            found.push(format!("{f}:{n}: {}", l.trim()));
        }
    }
    assert!(
        found.is_empty(),
        "decide on the code, `Diagnostic::suggestion` and `Diagnostic::subject`, never on the text:\n{}",
        found.join("\n")
    );
}

/// True when `line` of `file` reads a diagnostic's help text other than to
/// render it (the renderers below) or to reword it (`d.help = …`, as
/// `check::dims` and `check::causes` do): what a help proposes is on the
/// diagnostic as data (`suggestion`, `fix`), so nothing parses the text.
fn reads_help(file: &str, line: &str) -> bool {
    const RENDERERS: &[&str] = &[
        "src/diagnostic.rs",
        "src/sarif.rs",
        "src/lsp/convert.rs",
        "src/cli/",
    ];
    let reads = line.match_indices(".help").any(|(at, m)| {
        !line[at + m.len()..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
    });
    reads
        && !line.contains(".help = ")
        && !file.ends_with("tests.rs")
        && !RENDERERS.iter().any(|r| file.starts_with(r))
}

#[test]
fn plan_text_is_scanned_by_the_one_lexer() {
    // `syntax::lex` is the one place that knows where strings and comments start
    // and end in plan text; other formats (JSON, CSV, SARIF) have their own.
    const OTHER_FORMATS: &[&str] = &["src/report/json.rs", "src/sarif.rs", "src/actuals/read.rs"];
    let patterns = ["in_str", "in_comment", "b'#'", "b'\"' =>"];
    let found: Vec<String> = src_lines()
        .into_iter()
        .filter(|(f, _, l)| {
            f != "src/syntax/lex.rs"
                && !OTHER_FORMATS.contains(&f.as_str())
                && !f.starts_with("src/cli/")
                && patterns.iter().any(|p| l.contains(p))
        })
        .map(|(f, n, l)| format!("{f}:{n}: {}", l.trim()))
        .collect();
    assert!(
        found.is_empty(),
        "scan plan text with `syntax::lex` (`Lexer`, `comment_start`, `strip_comment`):\n{}",
        found.join("\n")
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

/// The identifiers in `text` (words of letters, digits and `_`).
fn identifiers(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
}

/// A `pub` item: file, line, name, and the identifiers its signature names.
type PubItem = (String, usize, String, Vec<String>);

/// The library's `pub` items (not `pub(crate)`): file, line, the item's name and
/// the identifiers its signature names (a type's whole body); and the names
/// `pub use` re-exports.
fn library_pub_items() -> (Vec<PubItem>, Vec<String>) {
    const KINDS: &[&str] = &[
        "fn ", "struct ", "enum ", "const ", "static ", "type ", "trait ", "mod ",
    ];
    let lines = src_lines();
    let mut out = Vec::new();
    let mut reexported = Vec::new();
    for (i, (f, n, l)) in lines.iter().enumerate() {
        if f == "src/main.rs" || f == "src/lib.rs" || f.starts_with("src/cli/") {
            continue;
        }
        let Some(rest) = l.trim_start().strip_prefix("pub ") else {
            continue;
        };
        let rest = rest
            .trim_start_matches("async ")
            .trim_start_matches("unsafe ");
        if let Some(names) = rest.strip_prefix("use ") {
            // A re-export is the API's: what it names must be `pub`.
            reexported.extend(identifiers(names).map(str::to_string));
            continue;
        }
        let named = KINDS.iter().find_map(|k| rest.strip_prefix(k));
        let name_text = match named {
            Some(r) => r,
            None if !rest.starts_with("use ") && rest.contains(':') => rest,
            None => continue,
        };
        let name: String = name_text
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if name.is_empty() {
            continue;
        }
        // A type's whole body (its fields and variants name the types it
        // exposes); anything else up to the `{`, `;` or `,` that ends it.
        let indent = &l[..l.len() - l.trim_start().len()];
        let is_type = ["struct ", "enum ", "trait "]
            .iter()
            .any(|k| rest.starts_with(k));
        let mut signature = Vec::new();
        for (g, _, k) in lines[i..].iter().take(if is_type { 400 } else { 12 }) {
            if g != f {
                break;
            }
            signature.extend(identifiers(k).map(str::to_string));
            let end = k.trim_end();
            let done = if is_type {
                end == format!("{indent}}}") || (end.ends_with(';') && !end.contains('{'))
            } else if named.is_some() {
                end.ends_with('{') || end.ends_with(';')
            } else {
                end.ends_with(',') || end.ends_with('}')
            };
            if done {
                break;
            }
        }
        out.push((f.clone(), *n, name, signature));
    }
    (out, reexported)
}

/// The source files of the `plumb` binary (src/main.rs and src/cli/), which
/// uses the library through its `pub` API.
fn binary_files(root: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    rust_files(&root.join("src/cli"), &mut files);
    files.push(root.join("src/main.rs"));
    files
}

#[test]
fn every_public_item_is_used_outside_the_library_or_in_its_api() {
    // `pub` is for the library's API: what the `plumb` binary (src/main.rs,
    // src/cli/), the tests, the benchmarks and the fuzz targets use, and the types
    // that API's signatures name. Everything else is `pub(crate)`.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut outside_files = binary_files(root);
    for dir in ["tests", "benches", "fuzz/fuzz_targets"] {
        rust_files(&root.join(dir), &mut outside_files);
    }
    let mut used: BTreeSet<String> = BTreeSet::new();
    for p in &outside_files {
        let text = std::fs::read_to_string(p).unwrap();
        used.extend(identifiers(&text).map(str::to_string));
    }
    let (items, reexported) = library_pub_items();
    used.extend(reexported);
    for (_, _, name, signature) in &items {
        used.extend(signature.iter().filter(|w| *w != name).cloned());
    }
    let leaks: Vec<String> = items
        .iter()
        .filter(|(_, _, name, _)| !used.contains(name))
        .map(|(f, n, name, _)| format!("{f}:{n} `{name}`"))
        .collect();
    assert!(
        leaks.is_empty(),
        "`pub` items nothing outside the library uses: make them `pub(crate)`:\n{}",
        leaks.join("\n")
    );
}

/// Where `text` writes to standard output other than through `cli::Out`: each
/// `print!` or `println!` (not `eprint!`, `eprintln!`), and each `stdout()`
/// unless `may_open_stdout` (the file of `cli::Out` itself), as (line, text).
fn stdout_writes(text: &str, may_open_stdout: bool) -> Vec<(usize, String)> {
    let code = code_only(text);
    let mut found = Vec::new();
    for (i, line) in code.lines().enumerate() {
        // `word` where no identifier character precedes it (not `eprint!`, not
        // `color_stdout()`).
        let calls = |word: &str| {
            line.match_indices(word).any(|(at, _)| {
                let before = line[..at].chars().next_back();
                !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
            })
        };
        if calls("print!") || calls("println!") || (!may_open_stdout && calls("stdout()")) {
            found.push((i + 1, text.lines().nth(i).unwrap_or("").trim().to_string()));
        }
    }
    found
}

#[test]
fn the_commands_write_standard_output_through_cli_out() {
    // `cli::Out` (and `cli::print_stdout`) end the output quietly when the reader
    // goes away (`plumb check | head`); `print!` panics on the closed pipe.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let files = binary_files(root);
    let helper = root.join("src/cli/mod.rs");
    assert!(files.contains(&helper), "no src/cli/mod.rs");
    let mut found = Vec::new();
    for p in &files {
        let text = std::fs::read_to_string(p).unwrap();
        let rel = p.strip_prefix(root).unwrap().display().to_string();
        for (n, line) in stdout_writes(&text, *p == helper) {
            found.push(format!("{rel}:{n}: {line}"));
        }
    }
    assert!(
        found.is_empty(),
        "write standard output with `write!(out, …)` on a `cli::Out` or with \
         `cli::print_stdout`, never `print!` or `std::io::stdout()`:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_stdout_scanner_sees_print_calls_but_not_eprint_comments_or_strings() {
    let text = "fn a() {\n    eprintln!(\"x\");\n    // println!(\"x\");\n    let s = \"print!(\";\n    eprint!(\"{s}\");\n}\nfn b() {\n    println!(\"x\");\n    std::print!(\"y\");\n    let _ = std::io::stdout().lock();\n    let c = color_stdout();\n}\n";
    let lines: Vec<usize> = stdout_writes(text, false).iter().map(|(n, _)| *n).collect();
    assert_eq!(lines, [8, 9, 10]);
    let lines: Vec<usize> = stdout_writes(text, true).iter().map(|(n, _)| *n).collect();
    assert_eq!(lines, [8, 9]);
}
