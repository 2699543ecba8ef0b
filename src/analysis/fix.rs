//! Code actions (quick fixes for common diagnostics) and the edit that applies a
//! formatted text (formatting itself is `crate::fmt`).
//!
//! Fixes are derived from the diagnostics' data, never their text: a
//! diagnostic's typed fix is offered as is, its suggestion (the name of a
//! ``did you mean `win_rate`?``) becomes "replace with `win_rate`", an
//! `unknown-unit` becomes "declare `unit seats`", a `missing-owner` becomes one
//! "add `owner P`" per declared party, an undefined value becomes "declare
//! `driver x = 0`", a `percent-as-number` becomes "write `82%`".

use super::{ast_of, file_text, Edit};
use crate::compile::Compilation;
use crate::diagnostic::{Code, Diagnostic, Subject};
use crate::source::{FileId, Span};
use crate::syntax::ast::DeclKind;

/// One quick fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// What the editor shows (`Replace with \`win_rate\``).
    pub title: String,
    /// Index of the diagnostic it fixes in `Compilation::diagnostics`.
    pub(crate) diagnostic: usize,
    /// The edits, all in the diagnostic's file.
    pub edits: Vec<Edit>,
    /// True for the one obvious fix.
    pub(crate) preferred: bool,
}

/// Quick fixes for the diagnostics whose primary span in `file` touches the byte
/// range `start..=end`.
pub fn code_actions(c: &Compilation, file: FileId, start: u32, end: u32) -> Vec<Fix> {
    let mut out = Vec::new();
    for (i, d) in c.diagnostics.iter().enumerate() {
        let s = d.primary.span;
        if s.file != file || s.end < start || s.start > end {
            continue;
        }
        out.extend(fixes_for(c, i, d));
    }
    out
}

/// Quick fixes for one diagnostic (`index` is its position in the compilation).
pub fn fixes_for(c: &Compilation, index: usize, d: &Diagnostic) -> Vec<Fix> {
    let mut out = Vec::new();
    let span = d.primary.span;
    if let Some(f) = &d.fix {
        out.push(Fix {
            title: f.title.clone(),
            diagnostic: index,
            edits: vec![Edit {
                span: f.span,
                text: f.text.clone(),
            }],
            preferred: true,
        });
    }
    let written = c.sources.slice(span);
    let is_written_name = !written.is_empty() && written.split('.').all(super::lex::is_name);
    if let Some(name) = d.suggestion.as_deref() {
        if is_written_name && name != written && name.split('.').all(super::lex::is_name) {
            out.push(Fix {
                title: format!("Replace `{written}` with `{name}`"),
                diagnostic: index,
                edits: vec![Edit {
                    span,
                    text: name.to_string(),
                }],
                preferred: true,
            });
        }
    }
    match d.code {
        Code::PercentAsNumber if !written.is_empty() && !written.contains('%') => {
            out.push(Fix {
                title: format!("Write `{written}%`"),
                diagnostic: index,
                edits: vec![Edit {
                    span,
                    text: format!("{written}%"),
                }],
                preferred: true,
            });
        }
        Code::UnknownUnit if is_written_name && !crate::units::is_currency(written) => {
            let at = unit_insertion_point(c, span.file);
            out.push(Fix {
                title: format!("Declare `unit {written}`"),
                diagnostic: index,
                edits: vec![Edit {
                    span: Span::new(span.file, at as usize, at as usize),
                    text: format!("unit {written}\n"),
                }],
                preferred: out.is_empty(),
            });
        }
        Code::UndefinedName
            if is_written_name
                && d.is_about(&Subject::UndeclaredValue)
                && !written.contains('.') =>
        {
            if let Some(at) = after_declaration(c, span) {
                out.push(Fix {
                    title: format!("Declare `driver {written} = 0`"),
                    diagnostic: index,
                    edits: vec![Edit {
                        span: Span::new(span.file, at as usize, at as usize),
                        text: format!("driver {written} = 0\n"),
                    }],
                    preferred: out.is_empty(),
                });
            }
        }
        Code::MissingOwner => {
            let mut parties: Vec<&str> = c
                .plan()
                .departments
                .iter()
                .map(|d| d.name.as_str())
                .chain(c.plan().roles.iter().map(|r| r.name.as_str()))
                .collect();
            parties.sort_unstable();
            parties.dedup();
            for p in parties.iter().take(12) {
                if let Some(edit) = add_statement(c, span, &format!("owner {p}")) {
                    out.push(Fix {
                        title: format!("Add `owner {p}`"),
                        diagnostic: index,
                        edits: vec![edit],
                        preferred: false,
                    });
                }
            }
        }
        _ => {}
    }
    out
}

/// Where a new `unit` declaration goes: after the file's last `unit` declaration,
/// else after its `plan` and `import` declarations, else at the start.
fn unit_insertion_point(c: &Compilation, file: FileId) -> u32 {
    let text = file_text(c, file);
    let (Some(ast), Some(src)) = (ast_of(c, file), c.sources.get(file)) else {
        return 0;
    };
    let last = |pred: &dyn Fn(&DeclKind) -> bool| {
        ast.decls
            .iter()
            .filter(|d| pred(&d.kind))
            .map(|d| d.span)
            .last()
    };
    let span = last(&|k| matches!(k, DeclKind::Unit(..)))
        .or_else(|| last(&|k| matches!(k, DeclKind::Plan(_) | DeclKind::Import(_))));
    match span {
        Some(s) => line_after(text, super::trim_end(src, s)),
        None => 0,
    }
}

/// Start of the line after byte `offset` (the end of text when there is none).
fn line_after(text: &str, offset: u32) -> u32 {
    let o = offset as usize;
    match text.get(o..).and_then(|t| t.find('\n')) {
        Some(i) => (o + i + 1) as u32,
        None => text.len() as u32,
    }
}

/// Start of the line after the top-level declaration containing `span`.
fn after_declaration(c: &Compilation, span: Span) -> Option<u32> {
    let ast = ast_of(c, span.file)?;
    let decl = ast
        .decls
        .iter()
        .find(|d| d.span.start <= span.start && span.end <= d.span.end)?;
    let src = c.sources.get(span.file)?;
    let end = super::trim_end(src, decl.span);
    let at = line_after(&src.text, end);
    Some(at)
}

/// An edit adding `stmt` to the block of the declaration whose name is at `span`
/// (creating `{ … }` when it has none).
fn add_statement(c: &Compilation, span: Span, stmt: &str) -> Option<Edit> {
    let src = c.sources.get(span.file)?;
    let ast = ast_of(c, span.file)?;
    // The innermost declaration containing the span: a nested trigger or member first.
    let mut best: Option<Span> = None;
    for d in &ast.decls {
        if d.span.start <= span.start && span.end <= d.span.end {
            best = Some(d.span);
            match &d.kind {
                DeclKind::Scenario(s) => {
                    for (_, ts, _) in &s.triggers {
                        if ts.start <= span.start && span.end <= ts.end {
                            best = Some(*ts);
                        }
                    }
                }
                DeclKind::Initiative(i) => {
                    for (_, ms, _) in &i.members {
                        if ms.start <= span.start && span.end <= ms.end {
                            best = Some(*ms);
                        }
                    }
                }
                _ => {}
            }
        }
    }
    let decl = best?;
    let end = super::trim_end(src, decl);
    let body = src.text.get(decl.start as usize..end as usize)?;
    if !body.ends_with('}') {
        return Some(Edit {
            span: Span::new(span.file, end as usize, end as usize),
            text: format!(" {{ {stmt} }}"),
        });
    }
    let close = end as usize - 1;
    let line_start = src
        .text
        .get(..close)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |i| i + 1);
    let before_close = src.text.get(line_start..close).unwrap_or("");
    if before_close.trim().is_empty() {
        // `}` on its own line: a new line above it, indented like the block.
        let indent = format!("{before_close}  ");
        Some(Edit {
            span: Span::new(span.file, line_start, line_start),
            text: format!("{indent}{stmt}\n"),
        })
    } else {
        let pad = if before_close.ends_with(' ') { "" } else { " " };
        Some(Edit {
            span: Span::new(span.file, close, close),
            text: format!("{pad}{stmt} "),
        })
    }
}

/// Edits turning `text` into `formatted`: one replacement of the differing middle
/// (empty when nothing changes), so the cursor and folds outside it stay put.
#[cfg_attr(not(feature = "lsp"), allow(dead_code))] // used by the language server
pub(crate) fn minimal_edit(file: FileId, text: &str, formatted: &str) -> Vec<Edit> {
    if text == formatted {
        return Vec::new();
    }
    let a = text.as_bytes();
    let b = formatted.as_bytes();
    let mut pre = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    while pre > 0 && !(text.is_char_boundary(pre) && formatted.is_char_boundary(pre)) {
        pre -= 1;
    }
    let max_suf = a.len().min(b.len()) - pre;
    let mut suf = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take(max_suf)
        .take_while(|(x, y)| x == y)
        .count();
    while suf > 0
        && !(text.is_char_boundary(a.len() - suf) && formatted.is_char_boundary(b.len() - suf))
    {
        suf -= 1;
    }
    vec![Edit {
        span: Span::new(file, pre, a.len() - suf),
        text: formatted.get(pre..b.len() - suf).unwrap_or("").to_string(),
    }]
}
