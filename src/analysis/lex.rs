//! Editor features over the forgiving lexer (`syntax::lex`, which cuts any text,
//! valid or not, into comments, strings, numbers, periods, names and
//! punctuation): semantic tokens, names under the cursor, keywords. Completion
//! context and signature help use it too, so they keep working inside
//! declarations the parser could not read.

use crate::syntax::lex::{is_name_char, is_name_start};
pub use crate::syntax::lex::{lex, LexKind, Lexeme};

pub(crate) use crate::syntax::keywords::is_keyword;

/// True when `s` is a valid simple name (`[A-Za-z_][A-Za-z0-9_]*`).
pub(crate) fn is_name(s: &str) -> bool {
    let b = s.as_bytes();
    matches!(b.first(), Some(c) if is_name_start(*c)) && b.iter().all(|c| is_name_char(*c))
}

/// The byte range of the (possibly qualified) name touching `offset`, if any.
pub fn word_at(src: &str, offset: usize) -> Option<(usize, usize)> {
    let bytes = src.as_bytes();
    let ok = |i: usize| bytes.get(i).is_some_and(|b| is_name_char(*b) || *b == b'.');
    let mut s = offset.min(bytes.len());
    while s > 0 && ok(s - 1) {
        s -= 1;
    }
    let mut e = offset.min(bytes.len());
    while ok(e) {
        e += 1;
    }
    // Trim dots at either end and refuse numbers.
    while s < e && bytes.get(s) == Some(&b'.') {
        s += 1;
    }
    while e > s && bytes.get(e - 1) == Some(&b'.') {
        e -= 1;
    }
    match bytes.get(s) {
        Some(b) if is_name_start(*b) && s < e => Some((s, e)),
        _ => None,
    }
}

// ------------------------------------------------------------------ semantic tokens

use crate::compile::Compilation;
use crate::resolve::SymbolKind;
use crate::source::FileId;
use std::collections::HashMap;

/// The kind of a semantic token (named after the standard LSP token types).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum TokenKind {
    /// A keyword.
    Keyword,
    /// A comment.
    Comment,
    /// A string.
    String,
    /// A number or a period.
    Number,
    /// A driver or metric.
    Variable,
    /// A function.
    Function,
    /// A function's parameter.
    Parameter,
    /// A unit.
    Type,
    /// A department or role.
    Class,
    /// A plan, scenario, initiative or standard module.
    Namespace,
    /// An objective, assumption, dependency, risk, request or RACI entry.
    Struct,
    /// A glossary term.
    EnumMember,
    /// A trigger.
    Event,
}

#[cfg_attr(not(feature = "lsp"), allow(dead_code))] // used by the language server
impl TokenKind {
    /// Every kind, in legend order.
    pub(crate) const ALL: &'static [TokenKind] = &[
        TokenKind::Keyword,
        TokenKind::Comment,
        TokenKind::String,
        TokenKind::Number,
        TokenKind::Variable,
        TokenKind::Function,
        TokenKind::Parameter,
        TokenKind::Type,
        TokenKind::Class,
        TokenKind::Namespace,
        TokenKind::Struct,
        TokenKind::EnumMember,
        TokenKind::Event,
    ];

    /// Position in [`TokenKind::ALL`].
    pub(crate) fn index(self) -> u32 {
        TokenKind::ALL.iter().position(|k| *k == self).unwrap_or(0) as u32
    }
}

/// Token modifier bits.
pub(crate) mod modifier {
    /// The name is being declared.
    pub(crate) const DECLARATION: u32 = 1;
    /// A value computed by a formula (a metric).
    pub(crate) const READONLY: u32 = 2;
    /// Built in or from the standard library.
    pub(crate) const DEFAULT_LIBRARY: u32 = 4;
    /// A doc comment.
    pub(crate) const DOCUMENTATION: u32 = 8;
    /// Names in legend order.
    #[cfg_attr(not(feature = "lsp"), allow(dead_code))] // used by the language server
    pub(crate) const NAMES: &[&str] =
        &["declaration", "readonly", "defaultLibrary", "documentation"];
}

/// One semantic token: a byte range on one line, its kind and modifier bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// Byte offset of its start.
    pub(crate) start: u32,
    /// Byte offset one past its end.
    pub(crate) end: u32,
    /// Its kind.
    pub(crate) kind: TokenKind,
    /// [`modifier`] bits.
    pub(crate) modifiers: u32,
}

fn kind_of(k: SymbolKind) -> (TokenKind, u32) {
    match k {
        SymbolKind::Driver => (TokenKind::Variable, 0),
        SymbolKind::Metric => (TokenKind::Variable, modifier::READONLY),
        SymbolKind::Function => (TokenKind::Function, 0),
        SymbolKind::Unit => (TokenKind::Type, 0),
        SymbolKind::Department | SymbolKind::Role => (TokenKind::Class, 0),
        SymbolKind::Term | SymbolKind::Member => (TokenKind::EnumMember, 0),
        SymbolKind::Dimension => (TokenKind::Type, 0),
        SymbolKind::Budget => (TokenKind::Struct, 0),
        SymbolKind::Plan | SymbolKind::Scenario | SymbolKind::Initiative => {
            (TokenKind::Namespace, 0)
        }
        SymbolKind::Trigger => (TokenKind::Event, 0),
        SymbolKind::Objective
        | SymbolKind::Assumption
        | SymbolKind::Dependency
        | SymbolKind::Risk
        | SymbolKind::Request
        | SymbolKind::Raci => (TokenKind::Struct, 0),
    }
}

/// Semantic tokens of one file, in order, never overlapping, each on one line.
/// Names are classified by what they resolve to; text the parser could not read
/// still gets keywords, literals and comments.
pub fn semantic_tokens(c: &Compilation, file: FileId) -> Vec<Token> {
    let Some(src) = c.sources.get(file) else {
        return Vec::new();
    };
    let text = src.text.as_str();
    let defs = &c.resolved.symbols.defs;
    let std_file = |f: FileId| super::is_std(c, f);
    let mut named: HashMap<u32, (u32, TokenKind, u32)> = HashMap::new();
    for (span, def) in &c.resolved.symbols.refs {
        if span.file != file {
            continue;
        }
        if let Some(d) = defs.get(*def) {
            let (k, mut m) = kind_of(d.kind);
            if std_file(d.name_span.file) {
                m |= modifier::DEFAULT_LIBRARY;
            }
            named.insert(span.start, (span.end, k, m));
        }
    }
    for d in defs.iter().filter(|d| d.name_span.file == file) {
        let (k, m) = kind_of(d.kind);
        named.insert(
            d.name_span.start,
            (d.name_span.end, k, m | modifier::DECLARATION),
        );
    }
    // Function parameters, by declaration.
    let mut params: Vec<(u32, u32, Vec<&str>)> = Vec::new();
    if let Some(ast) = super::ast_of(c, file) {
        for d in &ast.decls {
            if let crate::syntax::ast::DeclKind::Fn { params: ps, .. } = &d.kind {
                params.push((
                    d.span.start,
                    d.span.end,
                    ps.iter().map(|p| p.name.as_str()).collect(),
                ));
            }
        }
    }
    let lexemes = lex(text);
    let mut out = Vec::with_capacity(lexemes.len());
    let mut prev_word = "";
    for (i, lx) in lexemes.iter().enumerate() {
        let word = lx.text(text);
        let tok = match lx.kind {
            LexKind::Comment => Some((TokenKind::Comment, 0)),
            LexKind::DocComment => Some((TokenKind::Comment, modifier::DOCUMENTATION)),
            LexKind::Str => Some((TokenKind::String, 0)),
            LexKind::Number | LexKind::Period => Some((TokenKind::Number, 0)),
            LexKind::Punct => None,
            LexKind::Name => {
                let start = lx.start as u32;
                let next_is_paren = lexemes
                    .get(i + 1)
                    .is_some_and(|n| n.kind == LexKind::Punct && n.text(text) == "(");
                if let Some((_, k, m)) = named.get(&start) {
                    Some((*k, *m))
                } else if params
                    .iter()
                    .any(|(s, e, ps)| *s <= start && start < *e && ps.contains(&word))
                {
                    Some((TokenKind::Parameter, 0))
                } else if next_is_paren && crate::ir::BUILTIN_SIGNATURES.iter().any(|b| b.0 == word)
                {
                    Some((TokenKind::Function, modifier::DEFAULT_LIBRARY))
                } else if word.starts_with("std.") && prev_word == "import" {
                    Some((TokenKind::Namespace, modifier::DEFAULT_LIBRARY))
                } else if is_keyword(word) {
                    Some((TokenKind::Keyword, 0))
                } else if crate::units::is_currency(word)
                    || crate::units::TIME_WORDS.contains(&word)
                {
                    Some((TokenKind::Type, modifier::DEFAULT_LIBRARY))
                } else {
                    None
                }
            }
        };
        if lx.kind == LexKind::Name {
            prev_word = word;
        }
        if let Some((kind, modifiers)) = tok {
            out.push(Token {
                start: lx.start as u32,
                end: lx.end as u32,
                kind,
                modifiers,
            });
        }
    }
    out
}
