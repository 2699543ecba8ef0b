//! Per-document analysis for editors: what the language server asks of a plan.
//!
//! Takes a [`Compilation`] (parsed, resolved and checked, usually without
//! evaluation) and, for hover values, an [`Evaluated`] one; gives back plain data
//! keyed by byte offsets and [`Span`]s: the node under the cursor, its definition
//! and references, hover text (Markdown), rename edits, document and workspace
//! symbols, folding ranges, inlay hints, semantic tokens ([`lex`]), completion and
//! signature help ([`complete`]) and code actions ([`fix`]).
//!
//! Everything here is a pure function: no I/O, no LSP types, no panics on any
//! offset (offsets past the end are clamped, unknown files give empty answers).
//! Positions in UTF-16 are converted at the edge, in `lsp/`.

pub mod complete;
pub mod fix;
pub mod lex;

use crate::compile::Compilation;
use crate::ir::{self, BUILTIN_SIGNATURES};
use crate::outcome::targets::TargetOutcome;
use crate::present::{amount, decimals_for, number};
use crate::resolve::{Definition, SymbolKind};
use crate::source::{FileId, SourceFile, Span};
use crate::syntax::ast::{self, DeclKind};
use rust_decimal::Decimal;
use std::fmt::Write as _;

/// A compilation that was also evaluated, with the base scenario's target outcomes.
#[derive(Debug, Clone, Default)]
pub struct Evaluated {
    /// The compilation, with `results` when evaluation succeeded.
    pub compilation: Compilation,
    /// Every target's outcome in the base scenario (empty without results).
    pub(crate) base_targets: Vec<TargetOutcome>,
    /// The odds `plumb simulate` found for these very sources, when it was run.
    pub(crate) odds: Option<crate::uncertainty::OddsCache>,
}

impl Evaluated {
    /// Wraps a compilation that ran with `Options { evaluate: true, .. }`.
    pub fn new(compilation: Compilation) -> Evaluated {
        let plan = compilation.plan();
        let base_targets = compilation
            .outcomes
            .as_ref()
            .and_then(|o| o.get(plan.base))
            .and_then(|o| o.targets.clone().ok())
            .unwrap_or_default();
        Evaluated {
            compilation,
            base_targets,
            odds: None,
        }
    }

    /// The base scenario's values of the item named `name`.
    pub(crate) fn base_values(&self, name: &str) -> Option<(&ir::Item, &[Decimal])> {
        let plan = self.compilation.plan();
        let id = plan.item(name)?;
        let item = plan.items.get(id)?;
        let r = self.compilation.results.as_ref()?.get(plan.base)?;
        Some((item, r.values.get(id)?.as_slice()))
    }

    /// Target outcomes of the objective named `name`, in the base scenario.
    pub(crate) fn targets_of(&self, name: &str) -> Vec<&TargetOutcome> {
        let plan = self.compilation.plan();
        self.base_targets
            .iter()
            .filter(|t| plan.objectives.get(t.objective).map(|o| o.name.as_str()) == Some(name))
            .collect()
    }
}

/// What a piece of text refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// A declaration: index into the compilation's `resolved.symbols.defs`.
    Def(usize),
    /// A built-in function: its name.
    Builtin(&'static str),
    /// A predeclared unit (a currency or a time word).
    PredeclaredUnit(String),
    /// A whole file (an `import`).
    File(FileId),
}

/// The node under the cursor: its span and what it refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// The text that refers (a name, an import path).
    pub(crate) span: Span,
    /// What it refers to.
    pub(crate) target: Target,
}

/// A text replacement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// What to replace (empty for an insertion).
    pub span: Span,
    /// The new text.
    pub text: String,
}

/// The text of one file of the compilation.
pub(crate) fn file_text(c: &Compilation, file: FileId) -> &str {
    c.sources.get(file).map(|f| f.text.as_str()).unwrap_or("")
}

/// True when `file` is a standard-library module (read-only).
pub(crate) fn is_std(c: &Compilation, file: FileId) -> bool {
    c.sources.get(file).is_some_and(SourceFile::is_std)
}

/// The AST of one file.
pub(crate) fn ast_of(c: &Compilation, file: FileId) -> Option<&ast::File> {
    c.files.iter().find(|f| f.file == file).map(|f| &f.ast)
}

fn defs(c: &Compilation) -> &[Definition] {
    &c.resolved.symbols.defs
}

/// The node at byte `offset` of `file`: a resolved use, a declaration's name, a
/// built-in function, a predeclared unit, an import, or (inside text the parser
/// could not read) a word that names a declaration.
pub fn node_at(c: &Compilation, file: FileId, offset: u32) -> Option<Node> {
    let mut best: Option<(Span, usize)> = None;
    for (span, def) in &c.resolved.symbols.refs {
        if span.file == file && span.contains(offset) && best.is_none_or(|b| span.len() < b.0.len())
        {
            best = Some((*span, *def));
        }
    }
    if let Some((span, def)) = best {
        return Some(Node {
            span,
            target: Target::Def(def),
        });
    }
    for (i, d) in defs(c).iter().enumerate() {
        if d.name_span.file == file && d.name_span.contains(offset) {
            return Some(Node {
                span: d.name_span,
                target: Target::Def(i),
            });
        }
    }
    if let Some(n) = import_at(c, file, offset) {
        return Some(n);
    }
    let text = file_text(c, file);
    let (s, e) = lex::word_at(text, offset as usize)?;
    let word = text.get(s..e)?;
    let span = Span::new(file, s, e);
    if let Some(b) = BUILTIN_SIGNATURES.iter().find(|b| b.0 == word) {
        let next = text.get(e..).unwrap_or("").trim_start();
        if next.starts_with('(') {
            return Some(Node {
                span,
                target: Target::Builtin(b.0),
            });
        }
    }
    if crate::units::is_currency(word) || crate::units::TIME_WORDS.contains(&word) {
        return Some(Node {
            span,
            target: Target::PredeclaredUnit(word.to_string()),
        });
    }
    if lex::is_keyword(word) {
        return None;
    }
    let def = def_by_name(c, word, preceding_word(text, s))?;
    Some(Node {
        span,
        target: Target::Def(def),
    })
}

/// The word before byte `s` on the same line (`means` in `means cac`).
fn preceding_word(text: &str, s: usize) -> &str {
    let line_start = text
        .get(..s)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |i| i + 1);
    let before = text.get(line_start..s).unwrap_or("");
    before
        .trim_end()
        .rsplit(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'))
        .next()
        .unwrap_or("")
}

/// Finds a declaration by name: units and terms when the context says so,
/// otherwise the shared namespace first.
pub(crate) fn def_by_name(c: &Compilation, name: &str, before: &str) -> Option<usize> {
    let ns = |k: SymbolKind| match k {
        SymbolKind::Term => 1,
        SymbolKind::Unit => 2,
        _ => 0,
    };
    let want = match before {
        "means" => 1,
        _ => 0,
    };
    let found = |n: u8| {
        defs(c)
            .iter()
            .position(|d| d.name == name && ns(d.kind) == n)
    };
    found(want)
        .or_else(|| found(0))
        .or_else(|| found(2))
        .or_else(|| found(1))
}

fn import_at(c: &Compilation, file: FileId, offset: u32) -> Option<Node> {
    let ast = ast_of(c, file)?;
    let from = c.sources.get(file)?;
    for d in &ast.decls {
        if !d.span.contains(offset) {
            continue;
        }
        let DeclKind::Import(t) = &d.kind else {
            continue;
        };
        let (name, span) = match t {
            ast::ImportTarget::Std(n) => (format!("std.{}", n.name), n.span),
            ast::ImportTarget::Path(s) => (imported_name(&from.name, &s.value), s.span),
        };
        let id = c.sources.find(&name)?;
        return Some(Node {
            span,
            target: Target::File(id),
        });
    }
    None
}

/// The display name the compiler gives a file imported as `rel` from `from`.
fn imported_name(from: &str, rel: &str) -> String {
    let dir = std::path::Path::new(from)
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or_default();
    let mut parts: Vec<String> = Vec::new();
    for comp in dir.join(rel).components() {
        match comp {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                parts.pop();
            }
            other => parts.push(other.as_os_str().to_string_lossy().to_string()),
        }
    }
    let joined: std::path::PathBuf = parts.iter().collect();
    joined.to_string_lossy().replace('\\', "/")
}

/// Where the thing at `offset` is declared: the declaration's name, or the start
/// of an imported file. None for built-ins and predeclared units.
pub fn definition(c: &Compilation, file: FileId, offset: u32) -> Option<Span> {
    match node_at(c, file, offset)?.target {
        Target::Def(d) => defs(c).get(d).map(|d| d.name_span),
        Target::File(id) => Some(Span::new(id, 0, 0)),
        Target::Builtin(_) | Target::PredeclaredUnit(_) => None,
    }
}

/// Every use of the declaration at `offset` (and the declaration itself when
/// `include_declaration`), sorted by file and position, without repeats.
pub fn references(
    c: &Compilation,
    file: FileId,
    offset: u32,
    include_declaration: bool,
) -> Vec<Span> {
    let Some(Node {
        target: Target::Def(def),
        ..
    }) = node_at(c, file, offset)
    else {
        return Vec::new();
    };
    references_of(c, def, include_declaration)
}

/// Every use of declaration `def`.
pub(crate) fn references_of(c: &Compilation, def: usize, include_declaration: bool) -> Vec<Span> {
    let mut out: Vec<Span> = c
        .resolved
        .symbols
        .refs
        .iter()
        .filter(|(_, d)| *d == def)
        .map(|(s, _)| *s)
        .collect();
    if include_declaration {
        if let Some(d) = defs(c).get(def) {
            out.push(d.name_span);
        }
    }
    out.sort();
    out.dedup();
    out
}

// ------------------------------------------------------------------ rename

/// The span and current text of a renameable name at `offset`, or why it cannot be
/// renamed.
pub fn prepare_rename(
    c: &Compilation,
    file: FileId,
    offset: u32,
) -> Result<(Span, String), String> {
    let node =
        node_at(c, file, offset).ok_or_else(|| "there is no name here to rename".to_string())?;
    let def = match node.target {
        Target::Def(d) => d,
        Target::Builtin(b) => return Err(format!("`{b}` is a built-in function")),
        Target::PredeclaredUnit(u) => return Err(format!("`{u}` is a predeclared unit")),
        Target::File(_) => return Err("an import cannot be renamed here".into()),
    };
    let d = defs(c).get(def).ok_or("unknown declaration")?;
    if is_std(c, d.name_span.file) {
        let module = c
            .sources
            .get(d.name_span.file)
            .map(|f| f.name.as_str())
            .unwrap_or("std");
        return Err(format!(
            "`{}` is declared in the standard library ({module}) and cannot be renamed",
            d.name
        ));
    }
    // A member used from outside as `launch.spend`: rename the member part.
    let text = c.sources.slice(node.span);
    let short = d.name.rsplit('.').next().unwrap_or(&d.name);
    let span = if text.contains('.') && text.ends_with(short) && d.kind != SymbolKind::Initiative {
        Span {
            start: node.span.end.saturating_sub(short.len() as u32),
            ..node.span
        }
    } else if text.contains('.') {
        Span {
            end: node
                .span
                .start
                .saturating_add(text.find('.').unwrap_or(text.len()) as u32),
            ..node.span
        }
    } else {
        node.span
    };
    Ok((span, c.sources.slice(span).to_string()))
}

/// The edits that rename the declaration at `offset` to `new_name` everywhere, or
/// why not: the new name is not a name, is a keyword, or is already taken.
pub fn rename(
    c: &Compilation,
    file: FileId,
    offset: u32,
    new_name: &str,
) -> Result<Vec<Edit>, String> {
    prepare_rename(c, file, offset)?;
    let Some(Node {
        target: Target::Def(def),
        ..
    }) = node_at(c, file, offset)
    else {
        return Err("there is no name here to rename".into());
    };
    let d = defs(c).get(def).ok_or("unknown declaration")?.clone();
    let (prefix, old_short) = match d.name.rsplit_once('.') {
        Some((p, s)) => (Some(p.to_string()), s.to_string()),
        None => (None, d.name.clone()),
    };
    let new_short = match (&prefix, new_name.rsplit_once('.')) {
        (Some(p), Some((np, ns))) if np == p => ns,
        (_, Some(_)) => return Err(format!("`{new_name}` is not a valid name")),
        (_, None) => new_name,
    };
    if !lex::is_name(new_short) {
        return Err(format!(
            "`{new_name}` is not a valid name: use letters, digits and `_`, starting with a letter"
        ));
    }
    if lex::is_keyword(new_short) {
        return Err(format!("`{new_short}` is a keyword of the language"));
    }
    let new_full = match &prefix {
        Some(p) => format!("{p}.{new_short}"),
        None => new_short.to_string(),
    };
    if new_full == d.name {
        return Ok(Vec::new());
    }
    let same_ns = |k: SymbolKind| match d.kind {
        SymbolKind::Unit => k == SymbolKind::Unit,
        SymbolKind::Term => k == SymbolKind::Term,
        SymbolKind::Member => k == SymbolKind::Member,
        _ => !matches!(k, SymbolKind::Unit | SymbolKind::Term | SymbolKind::Member),
    };
    if let Some(other) = defs(c)
        .iter()
        .find(|o| o.name == new_full && same_ns(o.kind))
    {
        return Err(format!(
            "`{new_full}` is already declared (a {})",
            other.kind.as_str()
        ));
    }
    if d.kind == SymbolKind::Unit
        && (crate::units::is_currency(new_short) || crate::units::TIME_WORDS.contains(&new_short))
    {
        return Err(format!("`{new_short}` is a predeclared unit"));
    }
    if d.kind == SymbolKind::Function && BUILTIN_SIGNATURES.iter().any(|b| b.0 == new_short) {
        return Err(format!("`{new_short}` is a built-in function"));
    }
    let mut edits = vec![Edit {
        span: d.name_span,
        text: new_short.to_string(),
    }];
    for span in references_of(c, def, false) {
        let text = c.sources.slice(span);
        if text == d.name {
            edits.push(Edit {
                span,
                text: new_full.clone(),
            });
        } else if text == old_short {
            edits.push(Edit {
                span,
                text: new_short.to_string(),
            });
        }
    }
    if d.kind == SymbolKind::Initiative {
        let dotted = format!("{}.", d.name);
        for (span, _) in &c.resolved.symbols.refs {
            if c.sources.slice(*span).starts_with(&dotted) {
                edits.push(Edit {
                    span: Span {
                        end: span.start.saturating_add(d.name.len() as u32),
                        ..*span
                    },
                    text: new_short.to_string(),
                });
            }
        }
    }
    edits.sort_by_key(|e| e.span);
    edits.dedup();
    Ok(edits)
}

// ------------------------------------------------------------------ hover

/// Hover text: the span it is about and Markdown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoverText {
    /// The name hovered.
    pub span: Span,
    /// What to show.
    pub markdown: String,
}

/// Hover for the node at `offset`: its doc comment, kind, unit, formula and, from
/// `eval`, the base scenario's first, last and total values (for an objective,
/// each target's projected value, gap and whether it is met). Without a node in
/// `c`, the word under the cursor is looked up in `fallback` (the last analysis
/// that parsed cleanly).
pub fn hover(
    c: &Compilation,
    fallback: Option<&Compilation>,
    eval: Option<&Evaluated>,
    file: FileId,
    offset: u32,
) -> Option<HoverText> {
    if let Some(node) = node_at(c, file, offset) {
        let markdown = describe(c, eval, &node.target)?;
        return Some(HoverText {
            span: node.span,
            markdown,
        });
    }
    let fb = fallback?;
    let text = file_text(c, file);
    let (s, e) = lex::word_at(text, offset as usize)?;
    let word = text.get(s..e)?;
    if lex::is_keyword(word) {
        return None;
    }
    let def = def_by_name(fb, word, preceding_word(text, s))?;
    let markdown = describe(fb, eval, &Target::Def(def))?;
    Some(HoverText {
        span: Span::new(file, s, e),
        markdown,
    })
}

/// A ranged driver's range as written and, with an evaluation, its P10 and P90
/// over the horizon.
fn range_line(
    c: &Compilation,
    eval: Option<&Evaluated>,
    index: Option<usize>,
    name: &str,
) -> Option<String> {
    let it = index.and_then(|i| c.plan().items.get(i))?;
    if it.kind != ast::ItemKind::Driver {
        return None;
    }
    let (lo, hi) = it.range.as_ref()?;
    let mut line = format!(
        "range `{} to {}` ({}{})",
        c.sources.slice(lo.span),
        c.sources.slice(hi.span),
        it.range_shape.dist.as_str(),
        if it.range_shape.per_period {
            ", per period"
        } else {
            ""
        }
    );
    let plan = eval
        .filter(|e| e.compilation.results.is_some())
        .map(|e| e.compilation.plan());
    if let Some((_, p10, p90)) = plan.and_then(|p| {
        p.item(name)
            .and_then(|i| crate::uncertainty::driver_range(p, i))
    }) {
        let unit = &it.unit;
        let dp = crate::present::decimals_for(&[p10, p90], unit);
        let _ = write!(
            line,
            " · P10 {} · P90 {}",
            crate::present::amount(p10, unit, dp),
            crate::present::amount(p90, unit, dp)
        );
    }
    Some(line)
}

fn one_line(s: &str, max: usize) -> String {
    let joined = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if joined.chars().count() > max {
        let cut: String = joined.chars().take(max).collect();
        format!("{cut} …")
    } else {
        joined
    }
}

fn agg_word(a: ast::Aggregation) -> &'static str {
    match a {
        ast::Aggregation::Flow => "flow (quarters and years sum its periods)",
        ast::Aggregation::Stock => "stock (quarters and years take the last period)",
        ast::Aggregation::Average => "average (quarters and years average its periods)",
        ast::Aggregation::Formula => {
            "formula (quarters and years apply the formula to its operands' roll-ups)"
        }
    }
}

/// Markdown describing a target.
pub(crate) fn describe(
    c: &Compilation,
    eval: Option<&Evaluated>,
    target: &Target,
) -> Option<String> {
    let mut md = String::new();
    match target {
        Target::Builtin(name) => {
            let b = BUILTIN_SIGNATURES.iter().find(|b| b.0 == *name)?;
            let _ = write!(md, "```plumb\n{}\n```\nbuilt-in function\n\n{}", b.1, b.2);
        }
        Target::PredeclaredUnit(u) => {
            if crate::units::is_currency(u) {
                let _ = write!(
                    md,
                    "```plumb\n{u}\n```\npredeclared unit: ISO 4217 currency"
                );
            } else {
                let _ = write!(md, "```plumb\n{u}\n```\npredeclared unit of time");
            }
        }
        Target::File(id) => {
            let f = c.sources.get(*id)?;
            let count = ast_of(c, *id).map_or(0, |a| a.decls.len());
            let _ = write!(md, "`{}` — {count} declarations", f.name);
            if let Some(doc) = ast_of(c, *id)
                .and_then(|a| a.decls.first())
                .and_then(|d| d.doc.as_ref())
            {
                let _ = write!(md, "\n\n{doc}");
            }
        }
        Target::Def(def) => describe_def(c, eval, *def, &mut md)?,
    }
    Some(md)
}

fn describe_def(
    c: &Compilation,
    eval: Option<&Evaluated>,
    def: usize,
    md: &mut String,
) -> Option<()> {
    let d = defs(c).get(def)?;
    let plan = c.plan();
    let decl_text = c.sources.slice(d.decl_span);
    let where_ = shown_name(c, d.name_span.file);
    match d.kind {
        SymbolKind::Driver | SymbolKind::Metric => describe_item(c, eval, d, md),
        SymbolKind::Member => {
            let dim = d
                .index
                .and_then(|i| plan.dimensions.get(i))
                .map(|x| x.name.as_str())
                .unwrap_or("?");
            let _ = writeln!(
                md,
                "```plumb
{}
```",
                d.name
            );
            match &d.title {
                Some(t) => {
                    let _ = writeln!(md, "member of dimension `{dim}`: **{t}**");
                }
                None => {
                    let _ = writeln!(md, "member of dimension `{dim}`");
                }
            }
        }
        SymbolKind::Objective => describe_objective(plan, eval, d, md),
        SymbolKind::Trigger => describe_trigger(eval, d, decl_text, md),
        SymbolKind::Scenario => describe_scenario(plan, d, md),
        SymbolKind::Function => {
            let sig = complete::fn_signature(c, &d.name)
                .map(|s| s.0)
                .unwrap_or_else(|| d.name.clone());
            let body = decl_text
                .split_once('=')
                .map(|x| one_line(x.1, 240))
                .unwrap_or_default();
            let _ = writeln!(md, "```plumb\nfn {sig} = {body}\n```");
            if let Some(doc) = &d.doc {
                let _ = writeln!(md, "{doc}\n");
            }
            let _ = writeln!(md, "*function* from `{where_}`");
        }
        SymbolKind::Unit => {
            let _ = writeln!(md, "```plumb\nunit {}\n```", d.name);
            if let Some(t) = &d.title {
                let _ = writeln!(md, "{t}\n");
            }
            if let Some(doc) = &d.doc {
                let _ = writeln!(md, "{doc}\n");
            }
        }
        SymbolKind::Term => {
            let _ = writeln!(md, "```plumb\nterm {}\n```", d.name);
            if let Some(t) = &d.title {
                let _ = writeln!(md, "{t}\n");
            }
            if let Some(doc) = &d.doc {
                let _ = writeln!(md, "{doc}\n");
            }
            let _ = writeln!(md, "*glossary term*");
        }
        kind => {
            let _ = writeln!(md, "```plumb\n{} {}\n```", kind.as_str(), d.name);
            if let Some(t) = &d.title {
                let _ = writeln!(md, "**{t}**\n");
            }
            if let Some(doc) = &d.doc {
                let _ = writeln!(md, "{doc}\n");
            }
            // Statements worth showing as they are written (owner, due, lead, …).
            for line in decl_text.lines().skip(1).take(12) {
                let t = line.trim();
                if t.is_empty() || t == "}" || t.starts_with('#') {
                    continue;
                }
                let _ = writeln!(md, "- `{}`", one_line(t.trim_end_matches('}'), 160));
            }
        }
    }
    let _ = write!(md, "\n\n*declared in* `{where_}`");
    Some(())
}

/// A driver or metric: its formula and unit, its values in the base scenario, its
/// range, its actuals notes and its members' values.
fn describe_item(c: &Compilation, eval: Option<&Evaluated>, d: &Definition, md: &mut String) {
    let plan = c.plan();
    let decl_text = c.sources.slice(d.decl_span);
    let item = d.index.and_then(|i| plan.items.get(i));
    let (unit, declared, agg) = match item {
        Some(it) => (it.unit.to_string(), it.unit_declared, it.aggregation),
        None => ("?".into(), false, ast::Aggregation::Flow),
    };
    let formula = item
        .filter(|it| it.group.is_none())
        .map(|it| c.sources.slice(it.expr.span))
        .filter(|s| !s.is_empty())
        .map(|s| one_line(s, 240))
        .unwrap_or_else(|| one_line(decl_text.split('=').nth(1).unwrap_or(""), 240));
    let _ = writeln!(
        md,
        "```plumb\n{} {}: {} = {}\n```",
        d.kind.as_str(),
        d.name,
        unit,
        formula
    );
    if let Some(doc) = &d.doc {
        let _ = writeln!(md, "{doc}\n");
    }
    let _ = writeln!(
        md,
        "*{}* · unit `{unit}`{} · {}",
        d.kind.as_str(),
        if declared { "" } else { " (inferred)" },
        agg_word(agg)
    );
    if let Some((it, values)) = eval.and_then(|e| e.base_values(&d.name)) {
        let _ = write!(md, "\n{}", values_line(eval, it, values));
    }
    if let Some(line) = range_line(c, eval, d.index, &d.name) {
        let _ = write!(md, "\n{line}");
    }
    if let Some(lines) =
        eval.and_then(|e| crate::actuals::notes::hover_lines(&e.compilation, &d.name))
    {
        md.push_str(&lines);
    }
    member_values(eval, &d.name, md);
}

/// An objective: its title, owner and targets, each with its outcome and, after a
/// simulation, the share of runs that meet it.
fn describe_objective(plan: &ir::Plan, eval: Option<&Evaluated>, d: &Definition, md: &mut String) {
    let _ = writeln!(md, "```plumb\nobjective {}\n```", d.name);
    if let Some(t) = &d.title {
        let _ = writeln!(md, "**{t}**\n");
    }
    if let Some(doc) = &d.doc {
        let _ = writeln!(md, "{doc}\n");
    }
    if let Some(o) = d.index.and_then(|i| plan.objectives.get(i)) {
        if let Some(owner) = o.owner {
            let _ = writeln!(md, "owner `{}`\n", plan.party_name(owner));
        }
        let outcomes = eval.map(|e| e.targets_of(&d.name)).unwrap_or_default();
        for (i, t) in o.targets.iter().enumerate() {
            let _ = write!(md, "- target `{}`", t.text);
            if let Some(oc) = outcomes
                .iter()
                .find(|oc| oc.target == i && oc.text == t.text)
            {
                let _ = write!(md, ": {}", outcome_text(eval, oc));
            }
            if let Some((odds, p)) = eval.and_then(|e| e.odds.as_ref()).and_then(|c| {
                c.targets
                    .iter()
                    .find(|(o, k, _)| *o == d.name && *k == i)
                    .map(|x| (c, x.2))
            }) {
                let _ = write!(
                    md,
                    " · met in {} of {} simulated runs (seed {})",
                    crate::uncertainty::report::percent(p),
                    crate::present::number(Decimal::from(odds.samples), 0),
                    odds.seed
                );
            }
            md.push('\n');
        }
    }
}

/// A trigger: its title, its `when` condition and the period it fires in, scenario
/// by scenario.
fn describe_trigger(eval: Option<&Evaluated>, d: &Definition, decl_text: &str, md: &mut String) {
    let _ = writeln!(md, "```plumb\ntrigger {}\n```", d.name);
    if let Some(t) = &d.title {
        let _ = writeln!(md, "**{t}**\n");
    }
    if let Some(doc) = &d.doc {
        let _ = writeln!(md, "{doc}\n");
    }
    if let Some(when) = decl_text
        .lines()
        .find(|l| l.trim_start().starts_with("when "))
    {
        let _ = writeln!(md, "`{}`\n", when.trim());
    }
    if let Some(ev) = eval {
        let ep = ev.compilation.plan();
        if let (Some(tid), Some(results)) = (
            ep.triggers.iter().position(|t| t.name == d.name),
            ev.compilation.results.as_ref(),
        ) {
            for r in &results.scenarios {
                let Some((_, fired)) = r.fired.iter().find(|(t, _)| *t == tid) else {
                    continue;
                };
                let sname = ep
                    .scenarios
                    .get(r.scenario)
                    .map(|s| s.name.as_str())
                    .unwrap_or("?");
                match fired {
                    Some(p) => {
                        let _ = writeln!(md, "- `{sname}`: fires in {}", ep.period_label(*p));
                    }
                    None => {
                        let _ = writeln!(md, "- `{sname}`: never fires");
                    }
                }
            }
        }
    }
}

/// A scenario: its title, the chain it extends and how many overrides it has.
fn describe_scenario(plan: &ir::Plan, d: &Definition, md: &mut String) {
    let _ = writeln!(md, "```plumb\nscenario {}\n```", d.name);
    if let Some(t) = &d.title {
        let _ = writeln!(md, "**{t}**\n");
    }
    if let Some(doc) = &d.doc {
        let _ = writeln!(md, "{doc}\n");
    }
    if let Some(sid) = d.index {
        let chain: Vec<&str> = plan
            .scenario_chain(sid)
            .iter()
            .filter_map(|s| plan.scenarios.get(*s).map(|x| x.name.as_str()))
            .collect();
        if sid == plan.base {
            let _ = writeln!(md, "the plan's base scenario");
        } else {
            let _ = writeln!(md, "extends {}", chain.join(" → "));
        }
        if let Some(s) = plan.scenarios.get(sid) {
            let _ = writeln!(md, "\n{} override(s)", s.overrides.len());
        }
    }
}

/// A file's name as a reader wants it: relative to the entry file's folder.
fn shown_name(c: &Compilation, file: FileId) -> String {
    let Some(f) = c.sources.get(file) else {
        return String::new();
    };
    let dir = c.sources.get(FileId(0)).and_then(|e| {
        std::path::Path::new(&e.name)
            .parent()
            .map(std::path::Path::to_path_buf)
    });
    match dir {
        Some(d) if !d.as_os_str().is_empty() => std::path::Path::new(&f.name)
            .strip_prefix(&d)
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_else(|_| f.name.clone()),
        _ => f.name.clone(),
    }
}

/// One line per member of a dimensioned item with its base-scenario values.
fn member_values(eval: Option<&Evaluated>, name: &str, md: &mut String) {
    let Some(ev) = eval else {
        return;
    };
    let plan = ev.compilation.plan();
    let Some(g) = plan.dim_items.iter().find(|g| g.name == name) else {
        return;
    };
    let _ = writeln!(md, "\n\nby {}:", {
        let dims: Vec<&str> = g
            .dims
            .iter()
            .filter_map(|d| plan.dimensions.get(*d).map(|x| x.name.as_str()))
            .collect();
        dims.join(", ")
    });
    for (tuple, id) in g.members.iter().take(50) {
        let Some(it) = plan.items.get(*id) else {
            continue;
        };
        let Some((_, values)) = ev.base_values(&it.name) else {
            continue;
        };
        let label = plan.member_label(&g.dims, tuple);
        let line = values_line(eval, it, values);
        let line = line.split_once("): ").map_or(line.as_str(), |x| x.1);
        let _ = writeln!(md, "- `{label}`: {line}");
    }
    if g.members.len() > 50 {
        let _ = writeln!(md, "- … {} more members", g.members.len() - 50);
    }
}

fn values_line(eval: Option<&Evaluated>, it: &ir::Item, values: &[Decimal]) -> String {
    let Some(ev) = eval else {
        return String::new();
    };
    let plan = ev.compilation.plan();
    let base = plan
        .scenarios
        .get(plan.base)
        .map(|s| s.name.as_str())
        .unwrap_or("base");
    let dp = decimals_for(values, &it.unit);
    let first = values.first().copied().unwrap_or_default();
    let last = values.last().copied().unwrap_or_default();
    let id = plan.item(&it.name);
    let all = ev
        .compilation
        .results
        .as_ref()
        .and_then(|r| r.get(plan.base))
        .map(|r| r.values.as_slice())
        .unwrap_or(&[]);
    let total = id.and_then(|i| crate::eval::window_value(plan, all, i, 0..values.len()));
    let rollup = id
        .map(|i| crate::eval::window::effective_rollup(plan, i))
        .unwrap_or(it.aggregation);
    let total_word = match rollup {
        ast::Aggregation::Flow => "total",
        ast::Aggregation::Stock => "end of horizon",
        ast::Aggregation::Average => "average",
        ast::Aggregation::Formula => "over the horizon",
    };
    let mut s = format!(
        "**Base scenario** (`{base}`): {} {} · {} {}",
        plan.period_label(0),
        amount(first, &it.unit, dp),
        plan.period_label(values.len().saturating_sub(1) as i64),
        amount(last, &it.unit, dp),
    );
    if let Some(t) = total {
        let tdp = decimals_for(&[t], &it.unit).min(dp.max(2));
        let _ = write!(s, " · {total_word} {}", amount(t, &it.unit, tdp));
    }
    s
}

/// One target outcome in words: projected value, gap and whether it is met.
pub(crate) fn outcome_text(eval: Option<&Evaluated>, oc: &TargetOutcome) -> String {
    let fmt = |v: Decimal| {
        let dp = decimals_for(&[v], &oc.unit).min(2);
        amount(v, &oc.unit, dp)
    };
    let period = match (oc.period, eval) {
        (Some(p), Some(ev)) => format!(" (worst period {})", ev.compilation.plan().period_label(p)),
        _ => String::new(),
    };
    match (oc.projected, oc.gap) {
        (Some(p), Some(g)) => {
            let status = if oc.met { "met" } else { "**missed**" };
            let gap = if g.is_sign_negative() {
                format!("short by {}", fmt(-g))
            } else {
                format!("headroom {}", fmt(g))
            };
            format!("projected {}{period}, {gap}, {status}", fmt(p))
        }
        _ => (if oc.met { "met" } else { "**missed**" }).to_string(),
    }
}

// ------------------------------------------------------------------ symbols

/// A declaration for the outline, with nested declarations (initiative members,
/// triggers inside a scenario).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Symbol {
    /// Full name.
    pub(crate) name: String,
    /// What it is.
    pub(crate) kind: SymbolKind,
    /// A short description (the unit of a driver or metric, else the title).
    pub(crate) detail: Option<String>,
    /// The whole declaration.
    pub span: Span,
    /// Its name.
    pub(crate) name_span: Span,
    /// Nested declarations.
    pub(crate) children: Vec<Symbol>,
}

/// Symbols of one kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SymbolGroup {
    /// Plural label (`Drivers`).
    pub(crate) label: &'static str,
    /// What every symbol of the group is (`Driver`, `Objective`, …).
    pub(crate) kind: SymbolKind,
    /// Its declarations in source order.
    pub(crate) symbols: Vec<Symbol>,
}

/// Outline order and labels.
pub(crate) const GROUPS: &[(SymbolKind, &str)] = &[
    (SymbolKind::Plan, "Plan"),
    (SymbolKind::Unit, "Units"),
    (SymbolKind::Department, "Departments"),
    (SymbolKind::Role, "Roles"),
    (SymbolKind::Term, "Glossary"),
    (SymbolKind::Driver, "Drivers"),
    (SymbolKind::Metric, "Metrics"),
    (SymbolKind::Function, "Functions"),
    (SymbolKind::Objective, "Objectives"),
    (SymbolKind::Assumption, "Assumptions"),
    (SymbolKind::Dependency, "Dependencies"),
    (SymbolKind::Risk, "Risks"),
    (SymbolKind::Request, "Requests"),
    (SymbolKind::Raci, "RACI"),
    (SymbolKind::Initiative, "Initiatives"),
    (SymbolKind::Scenario, "Scenarios"),
    (SymbolKind::Trigger, "Triggers"),
];

fn symbol_of(c: &Compilation, d: &Definition) -> Symbol {
    let detail = match (d.kind, d.index) {
        (SymbolKind::Driver | SymbolKind::Metric, Some(i)) => {
            c.plan().items.get(i).map(|it| it.unit.to_string())
        }
        _ => d.title.clone(),
    };
    Symbol {
        name: d.name.clone(),
        kind: d.kind,
        detail,
        span: d.decl_span,
        name_span: d.name_span,
        children: Vec::new(),
    }
}

/// The outline of one file, grouped by kind in [`GROUPS`] order.
pub fn document_symbols(c: &Compilation, file: FileId) -> Vec<SymbolGroup> {
    let in_file: Vec<&Definition> = defs(c)
        .iter()
        .filter(|d| d.name_span.file == file)
        .collect();
    let containers: Vec<&Definition> = in_file
        .iter()
        .filter(|d| matches!(d.kind, SymbolKind::Initiative | SymbolKind::Scenario))
        .copied()
        .collect();
    let parent_of = |d: &Definition| {
        containers.iter().position(|p| {
            p.decl_span != d.decl_span
                && p.decl_span.start <= d.decl_span.start
                && d.decl_span.end <= p.decl_span.end
        })
    };
    let mut groups: Vec<SymbolGroup> = Vec::new();
    for (kind, label) in GROUPS {
        let mut symbols = Vec::new();
        for d in in_file
            .iter()
            .filter(|d| d.kind == *kind && parent_of(d).is_none())
        {
            let mut s = symbol_of(c, d);
            if matches!(d.kind, SymbolKind::Initiative | SymbolKind::Scenario) {
                s.children = in_file
                    .iter()
                    .filter(|m| {
                        parent_of(m)
                            .and_then(|p| containers.get(p))
                            .is_some_and(|p| p.name_span == d.name_span)
                    })
                    .map(|m| symbol_of(c, m))
                    .collect();
            }
            symbols.push(s);
        }
        symbols.sort_by_key(|s| s.span.start);
        if !symbols.is_empty() {
            groups.push(SymbolGroup {
                label,
                kind: *kind,
                symbols,
            });
        }
    }
    groups
}

/// True when every character of `query` appears in `name` in order (ignoring case).
pub(crate) fn fuzzy_match(query: &str, name: &str) -> bool {
    let mut chars = name.chars().flat_map(char::to_lowercase);
    query
        .chars()
        .flat_map(char::to_lowercase)
        .all(|q| chars.any(|n| n == q))
}

/// Declarations of the whole compilation whose names match `query` (see
/// [`fuzzy_match`]), standard library included, in declaration order.
pub fn workspace_symbols<'c>(c: &'c Compilation, query: &str) -> Vec<&'c Definition> {
    defs(c)
        .iter()
        .filter(|d| fuzzy_match(query, &d.name))
        .collect()
}

// ------------------------------------------------------------------ folding

/// What a folding range covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FoldKind {
    /// A declaration's block.
    Region,
    /// A run of comment lines.
    Comment,
}

/// A foldable range of 0-based lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fold {
    /// First line.
    pub(crate) start_line: u32,
    /// Last line.
    pub(crate) end_line: u32,
    /// What it is.
    pub(crate) kind: FoldKind,
}

/// Folding ranges: every declaration that spans lines (members and nested
/// triggers too) and every run of two or more comment lines.
pub fn folding_ranges(c: &Compilation, file: FileId) -> Vec<Fold> {
    let Some(src) = c.sources.get(file) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let push = |span: Span, kind: FoldKind, out: &mut Vec<Fold>| {
        let end = trim_end(src, span);
        let (a, _) = src.utf16_position(span.start);
        let (b, _) = src.utf16_position(end);
        if b > a {
            out.push(Fold {
                start_line: a,
                end_line: b,
                kind,
            });
        }
    };
    if let Some(ast) = ast_of(c, file) {
        for d in &ast.decls {
            push(d.span, FoldKind::Region, &mut out);
            match &d.kind {
                DeclKind::Initiative(i) => {
                    for (_, span, _) in &i.members {
                        push(*span, FoldKind::Region, &mut out);
                    }
                }
                DeclKind::Scenario(s) => {
                    for (_, span, _) in &s.triggers {
                        push(*span, FoldKind::Region, &mut out);
                    }
                }
                _ => {}
            }
        }
        // Runs of whole-line comments.
        let mut run: Option<(u32, u32)> = None;
        for cm in ast.comments.iter().filter(|c| !c.trailing) {
            let (line, _) = src.utf16_position(cm.span.start);
            run = match run {
                Some((s, e)) if line == e + 1 => Some((s, line)),
                Some((s, e)) => {
                    if e > s {
                        out.push(Fold {
                            start_line: s,
                            end_line: e,
                            kind: FoldKind::Comment,
                        });
                    }
                    Some((line, line))
                }
                None => Some((line, line)),
            };
        }
        if let Some((s, e)) = run {
            if e > s {
                out.push(Fold {
                    start_line: s,
                    end_line: e,
                    kind: FoldKind::Comment,
                });
            }
        }
    }
    out.sort_by_key(|f| (f.start_line, f.end_line));
    out.dedup();
    out
}

/// The end of a span without trailing white space and comments-only lines.
fn trim_end(src: &SourceFile, span: Span) -> u32 {
    let text = src.slice(span);
    let mut keep = text.len();
    for line in text.lines().rev() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            keep = keep.saturating_sub(line.len() + 1);
        } else {
            break;
        }
    }
    let trimmed = text.get(..keep.min(text.len())).unwrap_or("").trim_end();
    span.start.saturating_add(trimmed.len() as u32)
}

// ------------------------------------------------------------------ inlay hints

/// What an inlay hint shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HintKind {
    /// An inferred unit after a name.
    Unit,
    /// A computed value.
    Value,
}

/// A hint shown inline at a byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    /// Where it goes.
    pub(crate) offset: u32,
    /// The text (`: USD`).
    pub(crate) label: String,
    /// What it is.
    pub(crate) kind: HintKind,
    /// A longer explanation.
    pub(crate) tooltip: Option<String>,
}

/// Inlay hints inside byte range `start..=end` of `file`: the inferred unit of each
/// driver or metric written without one, and, from `eval`, each target's
/// projected value and gap in the base scenario.
pub fn inlay_hints(
    c: &Compilation,
    eval: Option<&Evaluated>,
    file: FileId,
    start: u32,
    end: u32,
) -> Vec<Hint> {
    let mut out = Vec::new();
    let inside = |o: u32| start <= o && o <= end;
    for it in &c.plan().items {
        if it.name_span.file != file
            || it.unit_declared
            || it.expr.has_error()
            || !inside(it.name_span.end)
        {
            continue;
        }
        if it.unit.is_dimensionless() && !it.unit.percent {
            continue;
        }
        out.push(Hint {
            offset: it.name_span.end,
            label: format!(": {}", it.unit),
            kind: HintKind::Unit,
            tooltip: Some(format!("unit inferred from the formula of `{}`", it.name)),
        });
    }
    if let (Some(ev), Some(ast)) = (eval, ast_of(c, file)) {
        for d in &ast.decls {
            let DeclKind::Objective(o) = &d.kind else {
                continue;
            };
            let outcomes = ev.targets_of(&o.name.name);
            for (i, t) in o.targets.iter().enumerate() {
                let text = one_line(c.sources.slice(t.span), usize::MAX);
                let Some(oc) = outcomes.iter().find(|oc| oc.target == i && oc.text == text) else {
                    continue;
                };
                if !inside(t.span.end) {
                    continue;
                }
                let label = match (oc.projected, oc.gap) {
                    (Some(p), Some(g)) => {
                        let dp = decimals_for(&[p], &oc.unit).min(2);
                        let mark = if oc.met { "✓" } else { "✗" };
                        let sign = if g.is_sign_negative() { "" } else { "+" };
                        format!(
                            "{mark} {} ({sign}{})",
                            amount(p, &oc.unit, dp),
                            number(g, dp)
                        )
                    }
                    _ => (if oc.met { "✓ met" } else { "✗ missed" }).to_string(),
                };
                out.push(Hint {
                    offset: t.span.end,
                    label,
                    kind: HintKind::Value,
                    tooltip: Some(format!(
                        "base scenario: {}",
                        outcome_text(Some(ev), oc).replace("**", "")
                    )),
                });
            }
        }
    }
    out.sort_by_key(|h| h.offset);
    out
}

#[cfg(test)]
mod dims_tests;
#[cfg(test)]
mod tests;
