//! Reading what can be read of a declaration that does not parse, so one
//! mistake gives one error: a `driver` or `metric` whose value (or header) has a
//! syntax error still declares its name, and its unit when written; any other
//! named declaration keeps its header (name, title, `extends`, `in`).
//!
//! Takes the declaration's text (the syntax error is reported by the caller),
//! gives back its AST with the value replaced by a name with no text, which
//! resolves to an error value with no unit.

use super::{ast, decl_end, first_word, lower, PlumbParser, Rule};
use crate::source::{FileId, Span};
use pest::Parser as _;

/// A `driver` or `metric` whose value does not parse, read with its value left
/// out: the header (name, unit, `stock`) and, when it still parses, the block.
/// The value becomes a name with no text, which resolves to an error value
/// with no unit (the syntax error is already reported).
pub(super) fn salvage(src: &str) -> Option<ast::DeclKind> {
    match first_word(src) {
        "driver" | "metric" => {}
        "objective" | "assumption" | "dependency" | "risk" | "request" | "raci" | "initiative"
        | "scenario" | "trigger" | "department" | "role" | "term" => return salvage_header(src),
        _ => return None,
    }
    let Some(assign) = header_assignment(src) else {
        return salvage_name(src);
    };
    let mut text: Vec<u8> = src.as_bytes().to_vec();
    // `:=` (a spreadsheet or Pascal habit) reads as `=`.
    if assign > 0 && src.as_bytes().get(assign - 1) == Some(&b':') {
        *text.get_mut(assign - 1)? = b' ';
    }
    let value_start = assign + 1;
    let end = decl_end(src);
    // The block is the `{ … }` that closes the declaration, when there is one.
    let block = block_start(src.get(..end)?).filter(|&b| b > value_start);
    for value_end in [block, None] {
        let mut t = text.clone();
        let stop = value_end.unwrap_or(end);
        if stop <= value_start {
            continue;
        }
        for b in t.get_mut(value_start..stop)?.iter_mut() {
            if *b != b'\n' {
                *b = b' ';
            }
        }
        // Multi-byte characters were blanked byte by byte: still valid UTF-8.
        *t.get_mut(value_start)? = b'0';
        let Ok(t) = String::from_utf8(t) else {
            continue;
        };
        let Ok(mut pairs) = PlumbParser::parse(Rule::declaration, &t) else {
            continue;
        };
        let decl_pair = pairs.next().and_then(|p| p.into_inner().next())?;
        let mut lw = lower::Lowerer::with_cuts(FileId(0), 0, Vec::new());
        let Some(mut kind) = lw.decl(decl_pair) else {
            continue;
        };
        if let ast::DeclKind::Item(item) = &mut kind {
            item.expr = broken_value(Span::new(FileId(0), value_start, stop));
            return Some(kind);
        }
        return None;
    }
    salvage_name(src)
}

/// The value of a declaration that did not parse: a name with no text.
fn broken_value(span: Span) -> ast::Expr {
    ast::Expr {
        kind: ast::ExprKind::Name(ast::Ident {
            name: String::new(),
            span,
        }),
        span,
    }
}

/// The last resort of [`salvage`]: `driver NAME` or `metric NAME` alone, with no
/// unit and a broken value (for a header such as `driver price USD = 50`).
fn salvage_name(src: &str) -> Option<ast::DeclKind> {
    let kw = first_word(src);
    let rest = src.get(kw.len()..)?;
    let gap = rest.len() - rest.trim_start().len();
    let name = first_word(rest);
    if name.is_empty() || gap == 0 {
        return None;
    }
    let end = kw.len() + gap + name.len();
    let text = format!("{} = 0", src.get(..end)?);
    let mut pairs = PlumbParser::parse(Rule::declaration, &text).ok()?;
    let decl_pair = pairs.next().and_then(|p| p.into_inner().next())?;
    let mut lw = lower::Lowerer::with_cuts(FileId(0), 0, Vec::new());
    let mut kind = lw.decl(decl_pair)?;
    let ast::DeclKind::Item(item) = &mut kind else {
        return None;
    };
    item.expr = broken_value(Span::new(FileId(0), end, decl_end(src).max(end)));
    Some(kind)
}

/// Byte offset of the `=` that ends a driver's or metric's header (`driver x: U =`),
/// outside comments; `:=` counts.
fn header_assignment(src: &str) -> Option<usize> {
    use super::lex::{LexKind, Lexer};
    for lx in Lexer::new(src) {
        match (lx.kind, lx.text(src)) {
            (LexKind::Punct, "=") => {
                return (src.as_bytes().get(lx.start + 1) != Some(&b'=')).then_some(lx.start);
            }
            (LexKind::Str, _) | (LexKind::Punct, "{" | "(") => return None,
            _ => {}
        }
    }
    None
}

/// Start of the `{ … }` block that closes `src` (which ends at its last code
/// character), found by matching the final `}` backwards; None when `src` does
/// not end with `}`.
fn block_start(src: &str) -> Option<usize> {
    let bytes = src.as_bytes();
    if bytes.last() != Some(&b'}') {
        return None;
    }
    let mut depth = 0usize;
    for (i, &b) in bytes.iter().enumerate().rev() {
        match b {
            b'}' => depth += 1,
            b'{' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    // `step { … }` is a value, not the block.
                    let before = src.get(..i)?.trim_end();
                    return (!before.ends_with("step")).then_some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// Any other named declaration: its header (`objective NAME "title"`, `scenario
/// NAME "title" extends base`, `role NAME "title" in D`) with an empty block, so
/// the name is declared; what the block said is lost (and warnings about it are
/// dropped, see `check::causes`).
fn salvage_header(src: &str) -> Option<ast::DeclKind> {
    let end = decl_end(src);
    let code = src.get(..end)?;
    // The header ends at the block, else at the end of the first line.
    let header = match code.find('{') {
        Some(i) => code.get(..i)?,
        None => code.lines().next()?,
    };
    let header = header.trim_end();
    for text in [format!("{header} {{}}"), header.to_string()] {
        let Ok(mut pairs) = PlumbParser::parse(Rule::declaration, &text) else {
            continue;
        };
        let decl_pair = pairs.next().and_then(|p| p.into_inner().next())?;
        let mut lw = lower::Lowerer::with_cuts(FileId(0), 0, Vec::new());
        if let Some(kind) = lw.decl(decl_pair) {
            return Some(kind);
        }
    }
    None
}
