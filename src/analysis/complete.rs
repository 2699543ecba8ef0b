//! Completion and signature help.
//!
//! The context comes from the text before the cursor, read with the forgiving
//! lexer ([`super::lex`]), so it works while the declaration being typed does not
//! parse yet: the first word of a line offers the keywords that can start it
//! (declarations at the top level, the statements of the enclosing block inside
//! one), the word after `owner` offers parties, after `means` terms, after `:` in
//! a driver or metric header units, and so on; anywhere else inside a formula,
//! drivers, metrics and functions (with their signatures).

use super::lex::{self, LexKind};
use crate::calendar::By;
use crate::compile::Compilation;
use crate::ir::BUILTIN_SIGNATURES;
use crate::resolve::SymbolKind;
use crate::source::FileId;
use crate::syntax::ast::DeclKind;

/// What a completion item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum CompletionKind {
    /// A keyword.
    Keyword,
    /// A driver.
    Driver,
    /// A metric.
    Metric,
    /// A function (built in or declared).
    Function,
    /// A function parameter.
    Parameter,
    /// A unit.
    Unit,
    /// A department or role.
    Party,
    /// A glossary term.
    Term,
    /// A scenario.
    Scenario,
    /// A standard-library module.
    Module,
    /// Any other declaration (objective, assumption, dependency, initiative, …).
    Other,
}

/// One completion item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    /// What is shown and, without a snippet, inserted.
    pub(crate) label: String,
    /// What it is.
    pub(crate) kind: CompletionKind,
    /// One line shown next to the label (a unit, a signature).
    pub(crate) detail: Option<String>,
    /// Longer Markdown documentation (a doc comment).
    pub(crate) documentation: Option<String>,
    /// LSP snippet text (`grow(${1:start}, ${2:rate})`), for clients that take snippets.
    pub(crate) snippet: Option<String>,
}

/// The completions at a cursor.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Completions {
    /// Byte offset where the word being typed starts (the range to replace ends at
    /// the cursor).
    pub(crate) word_start: u32,
    /// The items, best first.
    pub items: Vec<Completion>,
}

/// What the cursor position calls for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Context {
    /// Nothing (inside a comment or a string, or after a name being declared).
    Nothing,
    /// The first word of a top-level line.
    Declaration,
    /// The first word of a line inside a block opened by this keyword.
    Statement(String),
    /// Declarations of these kinds.
    Names(Vec<SymbolKind>),
    /// A unit.
    Unit,
    /// A currency code.
    Currency,
    /// A standard-library module after `import`.
    Module,
    /// A period where one is expected (`from`, `by`, `due`, `start`, `periods`):
    /// the plan's periods, quarters and years (fiscal ones when the plan has a
    /// fiscal year).
    Period,
    /// The word after a count in a trigger (`for 2 |`, `after 1 |`).
    PeriodWord,
    /// A month after `fiscal year starts`.
    Month,
    /// A member inside `item[…]`: the item's name and which of its dimensions.
    Members {
        /// The dimensioned item.
        item: String,
        /// 0 for the first dimension of its `by`, 1 for the second.
        position: usize,
    },
    /// A key of a member table: members of this dimension, and `else`.
    TableKeys(String),
    /// An expression; inside `initiative` (for sibling members) or `fn` (for
    /// parameters) when named.
    Expr {
        /// The enclosing initiative.
        initiative: Option<String>,
        /// Parameters of the enclosing `fn`.
        params: Vec<String>,
    },
}

use crate::syntax::keywords::EXPR_KEYWORDS;
pub(crate) use crate::syntax::keywords::STATEMENTS;

fn decl_snippet(kw: &str) -> Option<&'static str> {
    Some(match kw {
        "plan" => "plan ${1:name} \"${2:Title}\" {\n  currency ${3:USD}\n  periods ${4:2026-01} .. ${5:2026-12}\n  base ${6:base}\n}",
        "driver" => "driver ${1:name}: ${2:unit} = ${3:0}",
        "metric" => "metric ${1:name} = ${2:formula}",
        "objective" => "objective ${1:name} \"${2:Title}\" {\n  owner ${3:owner}\n  target ${4:condition}\n}",
        "assumption" => "assumption ${1:name} \"${2:Sentence}\" {\n  ${3:maintain condition}\n  owner ${4:owner}\n}",
        "scenario" => "scenario ${1:name} \"${2:Title}\" extends ${3:base} {\n  $0\n}",
        "trigger" => "trigger ${1:name} \"${2:Title}\" {\n  when ${3:condition}\n  after ${4:1} month: set ${5:driver} = ${6:value}\n  owner ${7:owner}\n}",
        "dependency" => "dependency ${1:name} \"${2:Title}\" {\n  owner ${3:owner}\n  due ${4:2026-01}\n  confidence ${5:80%}\n}",
        "risk" => "risk ${1:name} \"${2:Title}\" {\n  owner ${3:owner}\n  likelihood ${4:20%}\n  impact \"${5}\"\n  mitigation \"${6}\"\n}",
        "fn" => "fn ${1:name}(${2:x}) = ${3:x}",
        "import" => "import ${1:std.saas}",
        _ => return None,
    })
}

/// The text of a declared function's signature (`ltv(arpa, churn)`), its
/// parameters and doc comment.
pub(crate) fn fn_signature(
    c: &Compilation,
    name: &str,
) -> Option<(String, Vec<String>, Option<String>)> {
    for f in &c.files {
        for d in &f.ast.decls {
            if let DeclKind::Fn {
                name: n, params, ..
            } = &d.kind
            {
                if n.name == name {
                    let ps: Vec<String> = params.iter().map(|p| p.name.clone()).collect();
                    return Some((format!("{name}({})", ps.join(", ")), ps, d.doc.clone()));
                }
            }
        }
    }
    None
}

/// Block keywords open at `offset`, outermost first (`scenario`, `trigger`). Reads
/// the text from the start with the lexer; a declaration keyword in column 1
/// starts afresh, as the parser does.
fn blocks_at(text: &str, offset: usize) -> Vec<String> {
    let head = text.get(..offset).unwrap_or("");
    let mut stack: Vec<String> = Vec::new();
    let mut prev_end = 0usize;
    let mut line_first: Option<&str> = None;
    let mut opener: Option<&str> = None;
    let mut step_on_line = false;
    for lx in lex::lex(head) {
        if matches!(lx.kind, LexKind::Comment | LexKind::DocComment) {
            continue;
        }
        let word = lx.text(head);
        let new_line = prev_end == 0
            || head
                .get(prev_end..lx.start)
                .is_some_and(|g| g.contains('\n'));
        prev_end = lx.end;
        if new_line {
            line_first = Some(word);
            step_on_line = false;
            let col0 = lx.start == 0 || head.get(lx.start - 1..lx.start) == Some("\n");
            if lx.kind == LexKind::Name && col0 && crate::syntax::DECL_KEYWORDS.contains(&word) {
                stack.clear();
            }
            if STATEMENTS.iter().any(|s| s.0 == word) {
                opener = Some(word);
            }
        }
        match (lx.kind, word) {
            (LexKind::Name, "step") => step_on_line = true,
            (LexKind::Punct, "{") => {
                let kind = if step_on_line {
                    "step"
                } else {
                    match line_first {
                        Some(w) if STATEMENTS.iter().any(|s| s.0 == w) => w,
                        _ => opener.unwrap_or("step"),
                    }
                };
                stack.push(kind.to_string());
            }
            (LexKind::Punct, "}") => {
                stack.pop();
            }
            _ => {}
        }
    }
    stack
}

/// What the cursor at `offset` of `text` calls for, and where the word being typed
/// starts.
pub(crate) fn context_at(text: &str, offset: usize) -> (Context, usize) {
    let offset = offset.min(text.len());
    let mut offset = offset;
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let line_start = text
        .get(..offset)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |i| i + 1);
    let before = text.get(line_start..offset).unwrap_or("");
    let word_len = before
        .bytes()
        .rev()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'.')
        .count();
    let word_start = offset - word_len;
    let head = before.get(..before.len() - word_len).unwrap_or("");
    let lexed = lex::lex(head);
    // Inside a comment or an unterminated string: nothing to offer.
    if let Some(last) = lexed.last() {
        let t = last.text(head);
        let open_string = last.kind == LexKind::Str && (t.len() < 2 || !t.ends_with('"'));
        if matches!(last.kind, LexKind::Comment | LexKind::DocComment) || open_string {
            return (Context::Nothing, word_start);
        }
    }
    let typed = text.get(word_start..offset).unwrap_or("");
    if typed.starts_with(|c: char| c.is_ascii_digit()) {
        return (Context::Nothing, word_start);
    }
    let blocks = blocks_at(text, line_start);
    let words: Vec<&str> = lexed.iter().map(|l| l.text(head)).collect();
    let first = words.first().copied();
    if words.is_empty() {
        return match blocks.last() {
            None => (Context::Declaration, word_start),
            Some(b) if b == "step" => (Context::Nothing, word_start),
            Some(b) => (Context::Statement(b.clone()), word_start),
        };
    }
    let (kw, prev) = keyword_before(&words);
    if let Some(ctx) = member_context(&words) {
        return (ctx, word_start);
    }
    if let Some(ctx) = keyword_context(kw, prev, &words, &blocks) {
        return (ctx, word_start);
    }
    // Declaring a new name: nothing to offer.
    if words.len() == 1 && first.is_some_and(|w| crate::syntax::DECL_KEYWORDS.contains(&w)) {
        return (Context::Nothing, word_start);
    }
    // The unit of a driver or metric header: after `:` and before `=`.
    let header = matches!(first, Some("driver" | "metric"));
    if header && words.contains(&":") && !words.contains(&"=") {
        return (Context::Unit, word_start);
    }
    // `for 2 …` and `after 1 …` in a trigger: months, quarters, years, periods.
    if matches!(prev, "for" | "after")
        && lexed.last().is_some_and(|l| l.kind == LexKind::Number)
        && blocks.last().map(String::as_str) == Some("trigger")
    {
        return (Context::PeriodWord, word_start);
    }
    // A number followed by a unit: `85K USD`.
    if let Some(last) = lexed.last() {
        if last.kind == LexKind::Number && head.ends_with(' ') && !typed.is_empty() {
            return (Context::Unit, word_start);
        }
    }
    (
        expr_context(text, line_start, offset, first, &blocks),
        word_start,
    )
}

/// The nearest keyword before the word being typed, skipping a list of names
/// (`owner a, b, `), and the word before that keyword.
fn keyword_before<'w>(words: &[&'w str]) -> (&'w str, &'w str) {
    let mut i = words.len();
    let mut after_comma = false;
    while i > 0 {
        let w = words.get(i - 1).copied().unwrap_or("");
        if w == "," {
            after_comma = true;
            i -= 1;
            continue;
        }
        if after_comma && lex::is_name(w) && !lex::is_keyword(w) {
            i -= 1;
            after_comma = false;
            continue;
        }
        break;
    }
    let kw = if i > 0 {
        words.get(i - 1).copied().unwrap_or("")
    } else {
        ""
    };
    let prev = if i > 1 {
        words.get(i - 2).copied().unwrap_or("")
    } else {
        ""
    };
    (kw, prev)
}

/// The names or words a statement keyword calls for (`owner` → parties,
/// `supports` → objectives, `currency` → currencies, …), or None.
fn keyword_context(kw: &str, prev: &str, words: &[&str], blocks: &[String]) -> Option<Context> {
    let in_request = blocks.last().map(String::as_str) == Some("request");
    let names = |k: &[SymbolKind]| Some(Context::Names(k.to_vec()));
    let parties = [SymbolKind::Department, SymbolKind::Role];
    let first = words.first().copied();
    match kw {
        "owner" | "responsible" | "accountable" | "consulted" | "informed" => names(&parties),
        "by" if prev == "approved" => names(&parties),
        "from" if in_request && words.len() == 1 => names(&[SymbolKind::Department]),
        "in" if first == Some("role") => names(&[SymbolKind::Department]),
        "means" => names(&[SymbolKind::Term]),
        "supports" => names(&[SymbolKind::Objective]),
        "counterbalance" => names(&[SymbolKind::Assumption]),
        "on" if prev == "depends" => names(&[SymbolKind::Dependency]),
        "indicator" if words.len() == 1 => names(&[SymbolKind::Driver, SymbolKind::Metric]),
        "change" if words.len() == 1 => names(&[SymbolKind::Driver]),
        "set" => names(&[SymbolKind::Driver]),
        "pause" => names(&[SymbolKind::Initiative]),
        "extends" => names(&[SymbolKind::Scenario]),
        "base" if blocks.last().map(String::as_str) == Some("plan") => {
            names(&[SymbolKind::Scenario])
        }
        "currency" => Some(Context::Currency),
        "starts" if prev == "year" => Some(Context::Month),
        "periods" | "due" | "start" | ".." => Some(Context::Period),
        "from" if !in_request && first != Some("change") => Some(Context::Period),
        "by" if first == Some("change") => Some(Context::Period),
        "import" => Some(Context::Module),
        _ => None,
    }
}

/// An expression (or a scenario's override target, the first word of a line in a
/// scenario): the items, functions and keywords, plus the short names of the
/// enclosing initiative's items and the parameters of the enclosing `fn`.
fn expr_context(
    text: &str,
    line_start: usize,
    offset: usize,
    first: Option<&str>,
    blocks: &[String],
) -> Context {
    let enclosing_decl = || {
        // The top-level declaration keyword this line belongs to.
        let upto = text.get(..line_start).unwrap_or("");
        upto.lines().rev().find_map(|l| {
            let w = l
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .next()
                .unwrap_or("");
            (!l.starts_with([' ', '\t']) && crate::syntax::DECL_KEYWORDS.contains(&w))
                .then(|| w.to_string())
        })
    };
    let initiative = if blocks.first().map(String::as_str) == Some("initiative") {
        // The initiative's name: the word after `initiative` on its line.
        let upto = text.get(..line_start).unwrap_or("");
        upto.lines().rev().find_map(|l| {
            let t = l.trim_start();
            t.strip_prefix("initiative ").map(|r| {
                r.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .next()
                    .unwrap_or("")
                    .to_string()
            })
        })
    } else {
        None
    };
    let mut params = Vec::new();
    if enclosing_decl().as_deref() == Some("fn") || first == Some("fn") {
        // Parameters between the first `(` and `)` of the declaration line.
        let upto = text.get(..offset).unwrap_or("");
        if let Some(l) = upto.lines().rev().find(|l| l.starts_with("fn ")) {
            if let (Some(a), Some(b)) = (l.find('('), l.find(')')) {
                if a < b {
                    params = l
                        .get(a + 1..b)
                        .unwrap_or("")
                        .split(',')
                        .map(|p| p.trim().to_string())
                        .filter(|p| lex::is_name(p))
                        .collect();
                }
            }
        }
    }
    Context::Expr { initiative, params }
}

/// Inside `x[…]` or at a key of a member table, the members to offer.
fn member_context(words: &[&str]) -> Option<Context> {
    // `x[a, ` : the members of x's dimension at this position.
    let mut commas = 0;
    for (k, w) in words.iter().enumerate().rev() {
        match *w {
            "," => commas += 1,
            "[" => {
                let item = words.get(k.checked_sub(1)?)?;
                return lex::is_name(item).then(|| Context::Members {
                    item: item.to_string(),
                    position: commas,
                });
            }
            w if lex::is_name(w) && !lex::is_keyword(w) => {}
            _ => break,
        }
    }
    // A key of a member table: after `{` or `,` with a `{` still open.
    let last = *words.last()?;
    if last != "{" && last != "," {
        return None;
    }
    let mut depth = 0i32;
    let mut open = 0usize;
    for w in words.iter().rev() {
        match *w {
            "}" => depth += 1,
            "{" if depth == 0 => open += 1,
            "{" => depth -= 1,
            _ => {}
        }
    }
    if open == 0 {
        return None;
    }
    if words.first() == Some(&"amount") {
        return Some(Context::TableKeys("department".into()));
    }
    // The header's `by a, b`: nesting picks the dimension.
    let by = words.iter().position(|w| *w == "by")?;
    let eq = words.iter().position(|w| *w == "=")?;
    let dims: Vec<&str> = words
        .get(by + 1..eq)?
        .iter()
        .copied()
        .filter(|w| *w != ",")
        .collect();
    let dim = dims.get(open - 1).or(dims.last())?;
    Some(Context::TableKeys(dim.to_string()))
}

fn keyword(label: &str, detail: &str) -> Completion {
    Completion {
        label: label.to_string(),
        kind: CompletionKind::Keyword,
        detail: Some(detail.to_string()),
        documentation: None,
        snippet: None,
    }
}

fn kind_of(k: SymbolKind) -> CompletionKind {
    match k {
        SymbolKind::Driver => CompletionKind::Driver,
        SymbolKind::Metric => CompletionKind::Metric,
        SymbolKind::Function => CompletionKind::Function,
        SymbolKind::Unit => CompletionKind::Unit,
        SymbolKind::Department | SymbolKind::Role => CompletionKind::Party,
        SymbolKind::Term => CompletionKind::Term,
        SymbolKind::Scenario => CompletionKind::Scenario,
        _ => CompletionKind::Other,
    }
}

fn declared(c: &Compilation, kinds: &[SymbolKind], out: &mut Vec<Completion>) {
    let mut seen: std::collections::HashSet<String> = out.iter().map(|o| o.label.clone()).collect();
    for d in &c.resolved.symbols.defs {
        if !kinds.contains(&d.kind) || !seen.insert(d.name.clone()) {
            continue;
        }
        let detail = match (d.kind, d.index) {
            (SymbolKind::Driver | SymbolKind::Metric, Some(i)) => c
                .plan()
                .items
                .get(i)
                .map(|it| format!("{} · {}", d.kind.as_str(), it.unit)),
            (SymbolKind::Function, _) => fn_signature(c, &d.name).map(|s| format!("fn {}", s.0)),
            _ => Some(match &d.title {
                Some(t) => format!("{} · {t}", d.kind.as_str()),
                None => d.kind.as_str().to_string(),
            }),
        };
        let snippet = if d.kind == SymbolKind::Function {
            fn_signature(c, &d.name).map(|(_, ps, _)| call_snippet(&d.name, &ps))
        } else {
            None
        };
        out.push(Completion {
            label: d.name.clone(),
            kind: kind_of(d.kind),
            detail,
            documentation: d.doc.clone(),
            snippet,
        });
    }
}

fn call_snippet(name: &str, params: &[String]) -> String {
    let args: Vec<String> = params
        .iter()
        .enumerate()
        .map(|(i, p)| format!("${{{}:{p}}}", i + 1))
        .collect();
    format!("{name}({})", args.join(", "))
}

/// Completions at byte `offset` of `file`. Names come from `c` and, for those the
/// current text lost to a syntax error, from `fallback` (the last clean analysis).
pub fn completions(
    c: &Compilation,
    fallback: Option<&Compilation>,
    file: FileId,
    offset: u32,
) -> Completions {
    let text = super::file_text(c, file);
    let (ctx, word_start) = context_at(text, offset as usize);
    let mut items = Vec::new();
    let sources: Vec<&Compilation> = std::iter::once(c).chain(fallback).collect();
    match ctx {
        Context::Nothing => {}
        Context::Declaration => {
            for kw in crate::syntax::DECL_KEYWORDS {
                let mut k = keyword(kw, "declaration");
                k.snippet = decl_snippet(kw).map(str::to_string);
                items.push(k);
            }
        }
        Context::Statement(block) => {
            if let Some((_, kws)) = STATEMENTS.iter().find(|s| s.0 == block) {
                for kw in kws.iter() {
                    items.push(keyword(kw, &format!("{block} statement")));
                }
            }
            if block == "scenario" {
                for s in &sources {
                    declared(s, &[SymbolKind::Driver], &mut items);
                }
            }
        }
        Context::Names(kinds) => {
            for s in &sources {
                declared(s, &kinds, &mut items);
            }
        }
        Context::Currency => {
            for cur in crate::units::CURRENCIES {
                items.push(Completion {
                    label: cur.to_string(),
                    kind: CompletionKind::Unit,
                    detail: Some("currency".into()),
                    documentation: None,
                    snippet: None,
                });
            }
        }
        Context::Unit => unit_items(&sources, &mut items),
        Context::Period => period_items(c, &mut items),
        Context::PeriodWord => period_word_items(c, &mut items),
        Context::Month => {
            for m in crate::calendar::MONTH_NAMES {
                items.push(keyword(m, "the month the fiscal year starts in"));
            }
        }
        Context::Module => module_items(&mut items),
        Context::Members { item, position } => {
            for s in &sources {
                let plan = s.plan();
                let dim = plan
                    .dim_items
                    .iter()
                    .find(|g| g.name == item || g.name.ends_with(&format!(".{item}")))
                    .and_then(|g| g.dims.get(position))
                    .and_then(|d| plan.dimensions.get(*d));
                if let Some(d) = dim {
                    member_items(d, &mut items);
                    break;
                }
            }
        }
        Context::TableKeys(dim) => {
            for s in &sources {
                if let Some(d) = s.plan().dimensions.iter().find(|d| d.name == dim) {
                    member_items(d, &mut items);
                    items.push(keyword("else", "every member not listed"));
                    break;
                }
            }
        }
        Context::Expr { initiative, params } => {
            expr_items(&sources, initiative, &params, &mut items)
        }
    }
    Completions {
        word_start: word_start as u32,
        items,
    }
}

/// Units: the declared ones, then the predeclared currencies, time words and `%`.
fn unit_items(sources: &[&Compilation], items: &mut Vec<Completion>) {
    for s in sources {
        declared(s, &[SymbolKind::Unit], items);
    }
    let pre = crate::units::CURRENCIES.iter().map(|c| (*c, "currency"));
    let time = crate::units::TIME_WORDS.iter().map(|c| (*c, "time"));
    for (u, what) in pre.chain(time).chain(std::iter::once(("%", "percentage"))) {
        items.push(Completion {
            label: u.to_string(),
            kind: CompletionKind::Unit,
            detail: Some(format!("predeclared unit · {what}")),
            documentation: None,
            snippet: None,
        });
    }
}

/// The plan's periods: every month, quarter and year label once, with its span.
fn period_items(c: &Compilation, items: &mut Vec<Completion>) {
    let plan = c.plan();
    let mut seen = std::collections::HashSet::new();
    let groups = [By::Month, By::Quarter, By::Year]
        .into_iter()
        .flat_map(|by| crate::calendar::period_groups(plan, by));
    for g in groups {
        if !seen.insert(g.label.clone()) {
            continue;
        }
        let detail = if g.range.len() == 1 {
            format!("period {} of the plan", g.range.start + 1)
        } else {
            format!(
                "{} .. {}",
                plan.period_label(g.range.start as i64),
                plan.period_label(g.range.end as i64 - 1)
            )
        };
        items.push(Completion {
            label: g.label,
            kind: CompletionKind::Other,
            detail: Some(detail),
            documentation: None,
            snippet: None,
        });
    }
}

/// The words after `for N` / `after N` in a trigger, none finer than the plan's
/// periods.
fn period_word_items(c: &Compilation, items: &mut Vec<Completion>) {
    let mpp = c.plan().months_per_period();
    let words = [
        ("months", 1, "months"),
        ("quarters", 3, "quarters (3 months each in a monthly plan)"),
        ("years", 12, "years (12 months each in a monthly plan)"),
        ("periods", 0, "the plan's own periods"),
    ];
    for (w, months, detail) in words {
        // A word finer than the plan's periods would be `unit-mismatch`.
        if months != 0 && months < mpp {
            continue;
        }
        items.push(keyword(w, detail));
    }
}

/// The standard library's modules, each documented by its leading comment.
fn module_items(items: &mut Vec<Completion>) {
    for (m, src) in crate::stdlib::MODULES {
        let doc: String = src
            .lines()
            .take_while(|l| l.starts_with('#'))
            .map(|l| l.trim_start_matches('#').trim())
            .collect::<Vec<_>>()
            .join(" ");
        items.push(Completion {
            label: format!("std.{m}"),
            kind: CompletionKind::Module,
            detail: Some("standard library".into()),
            documentation: (!doc.is_empty()).then_some(doc),
            snippet: None,
        });
    }
}

/// In an expression: the enclosing `fn`'s parameters, items (also by their short
/// name inside an initiative), built-ins, user functions and expression keywords.
fn expr_items(
    sources: &[&Compilation],
    initiative: Option<String>,
    params: &[String],
    items: &mut Vec<Completion>,
) {
    for p in params {
        items.push(Completion {
            label: p.clone(),
            kind: CompletionKind::Parameter,
            detail: Some("parameter".into()),
            documentation: None,
            snippet: None,
        });
    }
    for s in sources {
        declared(s, &[SymbolKind::Driver, SymbolKind::Metric], items);
    }
    if let Some(ini) = initiative {
        let prefix = format!("{ini}.");
        let short: Vec<Completion> = items
            .iter()
            .filter_map(|i| {
                i.label.strip_prefix(&prefix).map(|s| Completion {
                    label: s.to_string(),
                    ..i.clone()
                })
            })
            .collect();
        items.extend(short);
    }
    for (name, sig, doc) in BUILTIN_SIGNATURES {
        let first = sig.split(" | ").next().unwrap_or(sig);
        let ps: Vec<String> = params_of(first)
            .iter()
            .map(|(a, b)| first.get(*a..*b).unwrap_or("").to_string())
            .collect();
        items.push(Completion {
            label: name.to_string(),
            kind: CompletionKind::Function,
            detail: Some(sig.to_string()),
            documentation: Some(doc.to_string()),
            snippet: Some(if *name == "step" {
                String::new()
            } else {
                call_snippet(name, &ps)
            }),
        });
    }
    for s in sources {
        declared(s, &[SymbolKind::Function], items);
    }
    for kw in EXPR_KEYWORDS {
        let mut k = keyword(kw, "expression");
        if *kw == "step" {
            k.snippet = Some("step { ${1:2026-01}: ${2:0} }".into());
        }
        if *kw == "if" {
            k.snippet = Some("if ${1:condition} then ${2:a} else ${3:b}".into());
        }
        items.push(k);
    }
}

// ------------------------------------------------------------------ signature help

/// One signature: its label and the byte ranges of its parameters in the label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Signature {
    /// `grow(start, rate)`.
    pub(crate) label: String,
    /// Byte ranges of each parameter inside `label`.
    pub(crate) params: Vec<(usize, usize)>,
    /// What it does.
    pub(crate) documentation: Option<String>,
}

/// Signature help at a cursor inside a call's parentheses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureHelp {
    /// Every signature (two for `min` and `max`).
    pub(crate) signatures: Vec<Signature>,
    /// Which one fits the arguments written so far.
    pub(crate) active_signature: usize,
    /// The parameter the cursor is in.
    pub(crate) active_parameter: usize,
}

/// Completion items for the members of a dimension.
fn member_items(d: &crate::ir::Dimension, items: &mut Vec<Completion>) {
    for (name, title, _) in &d.members {
        items.push(Completion {
            label: name.clone(),
            kind: CompletionKind::Other,
            detail: Some(match title {
                Some(t) => format!("{} · {t}", d.name),
                None => format!("member of {}", d.name),
            }),
            documentation: None,
            snippet: None,
        });
    }
}

/// Byte ranges of the parameters in a label such as `ramp(a, b, p0, p1)`.
fn params_of(label: &str) -> Vec<(usize, usize)> {
    let (Some(open), Some(close)) = (label.find('('), label.rfind(')')) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut start = open + 1;
    let inner = label.get(open + 1..close).unwrap_or("");
    if inner.trim().is_empty() {
        return out;
    }
    for part in inner.split(',') {
        let lead = part.len() - part.trim_start().len();
        let s = start + lead;
        let e = start + part.trim_end().len();
        out.push((s, e));
        start += part.len() + 1;
    }
    out
}

/// Signature help at byte `offset` of `file`: the innermost open call before the
/// cursor, the function's signatures and the argument the cursor is in.
pub fn signature_help(
    c: &Compilation,
    fallback: Option<&Compilation>,
    file: FileId,
    offset: u32,
) -> Option<SignatureHelp> {
    let text = super::file_text(c, file);
    let mut offset = (offset as usize).min(text.len());
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    // Look back at most over the current declaration (to the previous line
    // starting in column 1).
    let start = text
        .get(..offset)
        .and_then(|t| {
            let mut pos = t.len();
            loop {
                let p = t.get(..pos)?.rfind('\n')?;
                let next = t.get(p + 1..p + 2).unwrap_or(" ");
                if next != " " && next != "\t" && p + 1 < offset {
                    return Some(p + 1);
                }
                pos = p;
            }
        })
        .unwrap_or(0);
    let window = text.get(start..offset)?;
    let lexed = lex::lex(window);
    // Innermost unclosed `(` and the commas after it at its depth.
    let mut stack: Vec<(usize, usize)> = Vec::new(); // (lexeme index of `(`, commas)
    for (i, lx) in lexed.iter().enumerate() {
        if lx.kind != LexKind::Punct {
            continue;
        }
        match lx.text(window) {
            "(" => stack.push((i, 0)),
            ")" => {
                stack.pop();
            }
            "," => {
                if let Some(top) = stack.last_mut() {
                    top.1 += 1;
                }
            }
            _ => {}
        }
    }
    let (open, commas) = *stack.last()?;
    let name_lx = lexed.get(open.checked_sub(1)?)?;
    if name_lx.kind != LexKind::Name {
        return None;
    }
    let name = name_lx.text(window);
    let mut signatures = Vec::new();
    if let Some((_, sig, doc)) = BUILTIN_SIGNATURES.iter().find(|b| b.0 == name) {
        for s in sig.split(" | ") {
            signatures.push(Signature {
                label: s.to_string(),
                params: params_of(s),
                documentation: Some(doc.to_string()),
            });
        }
    } else if let Some((label, _, doc)) =
        fn_signature(c, name).or_else(|| fallback.and_then(|f| fn_signature(f, name)))
    {
        signatures.push(Signature {
            params: params_of(&label),
            label,
            documentation: doc,
        });
    } else {
        return None;
    }
    let active_signature = if signatures.len() > 1 && commas > 0 {
        1
    } else {
        0
    };
    let n = signatures
        .get(active_signature)
        .map_or(0, |s| s.params.len());
    let active_parameter = if name == "min" || name == "max" {
        commas.min(n.saturating_sub(1))
    } else {
        commas
    };
    Some(SignatureHelp {
        signatures,
        active_signature,
        active_parameter,
    })
}
