//! A short path for the bulk of a large plan: `step { … }` bodies made only of
//! months and plain numbers (`step { 2026-01: 1200.50, 2026-02: 980 }`).
//!
//! Takes one declaration's text and gives back the text pest should parse, with
//! each such body cut out (`step {}`), plus the cut entries, read here by a
//! byte scanner. The lowering splices the entries back in and maps pest's
//! positions to the original text, so the syntax tree — values, literal texts,
//! spans — is exactly what the grammar would give (`tests/it/parse_step.rs`). Only
//! shapes the grammar accepts inside `step { }` are cut: months `YYYY-MM`,
//! numbers `123` or `123.45`, commas between entries, an optional trailing comma,
//! blanks. Anything else (quarters, units, formulas, comments) stays for pest. A
//! declaration that fails to parse is parsed again uncut, so syntax errors read
//! the same.

use super::lex::{LexKind, Lexer};

/// One cut-out entry; offsets are into the original declaration text.
#[derive(Debug, Clone)]
pub(super) struct Entry {
    pub(super) year: i32,
    pub(super) month: u32,
    /// Offset of the month (7 bytes: `2026-01`).
    pub(super) period: usize,
    /// Offset of the number.
    pub(super) number: usize,
    /// The number as written.
    pub(super) text: String,
}

/// One cut: `len` bytes removed at `at` (a position in the cut text, just after
/// the step's `{`).
#[derive(Debug, Clone)]
pub(super) struct Cut {
    pub(super) at: usize,
    pub(super) len: usize,
    pub(super) entries: Vec<Entry>,
}

/// Cuts plain step bodies out of `src`; None when there is none.
pub(super) fn cut(src: &str) -> Option<(String, Vec<Cut>)> {
    let b = src.as_bytes();
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut out = String::new();
    let mut cuts: Vec<Cut> = Vec::new();
    let mut copied = 0usize;
    let mut removed = 0usize;
    // Strings and comments are skipped by the lexer; `step` is a name of its own.
    let mut lexer = Lexer::new(src);
    while let Some(lx) = lexer.next() {
        let i = lx.start;
        let step = lx.kind == LexKind::Name
            && lx.text(src) == "step"
            && (i == 0 || !(ident(at(i - 1)) || at(i - 1) == b'.'));
        if !step {
            continue;
        }
        let mut j = lx.end;
        while matches!(at(j), b' ' | b'\t' | b'\r' | b'\n') {
            j += 1;
        }
        if at(j) == b'{' {
            if let Some((close, entries)) = entries(b, j + 1) {
                let body = j + 1;
                out.push_str(src.get(copied..body)?);
                copied = close;
                cuts.push(Cut {
                    at: body - removed,
                    len: close - body,
                    entries,
                });
                removed += close - body;
                lexer = Lexer::at(src, close);
            }
        }
    }
    if cuts.is_empty() {
        return None;
    }
    out.push_str(src.get(copied..)?);
    Some((out, cuts))
}

/// Reads `2026-01: 12.5, …` from `i` up to the closing `}`: its position and the
/// entries, or None when the body is anything else.
pub(super) fn entries(b: &[u8], mut i: usize) -> Option<(usize, Vec<Entry>)> {
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let blank = |i: &mut usize| {
        while matches!(at(*i), b' ' | b'\t' | b'\r' | b'\n') {
            *i += 1;
        }
    };
    let digits = |i: &mut usize| -> usize {
        let s = *i;
        while at(*i).is_ascii_digit() {
            *i += 1;
        }
        *i - s
    };
    let mut out = Vec::new();
    blank(&mut i);
    loop {
        // YYYY-MM, not followed by a name character.
        let p = i;
        let y = b.get(p..p + 4)?;
        if !y.iter().all(u8::is_ascii_digit)
            || at(p + 4) != b'-'
            || !at(p + 5).is_ascii_digit()
            || !at(p + 6).is_ascii_digit()
            || at(p + 7).is_ascii_alphanumeric()
            || at(p + 7) == b'_'
        {
            return None;
        }
        let num = |s: &[u8]| s.iter().fold(0u32, |a, d| a * 10 + u32::from(d - b'0'));
        let year = num(y) as i32;
        let month = num(b.get(p + 5..p + 7)?);
        i = p + 7;
        blank(&mut i);
        if at(i) != b':' {
            return None;
        }
        i += 1;
        blank(&mut i);
        // 123 or 123.45, then a blank, `,` or `}`.
        let n = i;
        if digits(&mut i) == 0 {
            return None;
        }
        if at(i) == b'.' {
            i += 1;
            if digits(&mut i) == 0 {
                return None;
            }
        }
        if !matches!(at(i), b' ' | b'\t' | b'\r' | b'\n' | b',' | b'}') {
            return None;
        }
        out.push(Entry {
            year,
            month,
            period: p,
            number: n,
            text: std::str::from_utf8(b.get(n..i)?).ok()?.to_owned(),
        });
        blank(&mut i);
        match at(i) {
            b'}' => return Some((i, out)),
            b',' => {
                i += 1;
                blank(&mut i);
                if at(i) == b'}' {
                    return Some((i, out));
                }
            }
            _ => return None,
        }
    }
}
