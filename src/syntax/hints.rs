//! Syntax errors for the spellings people bring from spreadsheets and other
//! languages: `$1,450`, `1,450`, `300k`, an `if` without `else`, an unclosed `(`,
//! `'single quotes'`, `;` and `:=`.
//!
//! Takes a declaration's text and the position where the grammar stopped (with
//! what it expected there), gives back a [`Diagnostic`] that names the mistake and
//! proposes text that parses, or None when the error is not one of these.

use crate::diagnostic::{Code, Diagnostic};
use crate::source::{FileId, Span};

/// A diagnostic for a known mistake at byte `pos` of `src`, or None.
/// `expected` is what the grammar would have accepted there (in words).
pub(super) fn hint(src: &str, pos: usize, expected: &[&str], file: FileId) -> Option<Diagnostic> {
    if let Some(d) = dollar_hint(src, pos, file) {
        return Some(d);
    }
    let rest = src.get(pos..).unwrap_or("");
    // `2026-01: 1,000, …` in a `step`: the grammar reads `1` as the value and
    // stops at `000`, where the next period should be.
    let comma_before = pos
        .checked_sub(1)
        .filter(|&c| src.get(c..pos) == Some(","))
        .filter(|&c| prev_char(src, c).is_some_and(|ch| ch.is_ascii_digit()));
    let three_digits = rest.len() >= 3
        && rest.bytes().take(3).all(|b| b.is_ascii_digit())
        && !rest.as_bytes().get(3).is_some_and(u8::is_ascii_digit);
    if let (Some(comma), true) = (comma_before, three_digits) {
        return hint(src, comma, expected, file);
    }
    separator_hint(src, pos, file)
        .or_else(|| suffix_hint(src, pos, file))
        .or_else(|| quote_hint(src, pos, file))
        .or_else(|| semicolon_hint(src, pos, file))
        .or_else(|| assign_hint(src, pos, file))
        .or_else(|| operator_hint(src, pos, expected, file))
        .or_else(|| paren_hint(src, pos, expected, file))
        .or_else(|| else_hint(src, pos, expected, file))
}

/// `$1,450`: a currency sign (and thousands separators) before a number.
fn dollar_hint(src: &str, pos: usize, file: FileId) -> Option<Diagnostic> {
    let rest = src.get(pos..).unwrap_or("");
    let at = |s: usize, e: usize| Span::new(file, s, e);
    let first = rest.chars().next();
    if first == Some('$') {
        let number = number_at(src, pos + 1);
        let mut d = Diagnostic::error(
            Code::Syntax,
            at(pos, pos + 1),
            "a number is written without a currency sign",
        )
        .with_label("remove the `$`");
        d = match number {
            Some(n) => d
                .with_help(number_help(&n))
                .with_fix(
                    format!("Write `{}`", plain(&n)),
                    at(pos, pos + 1 + n.len()),
                    plain(&n),
                ),
            None => d.with_help("write the amount as a plain number (`1450`); the unit, such as `USD`, says the currency"),
        };
        return Some(d);
    }
    None
}

/// `1,450`: a thousands separator after a digit.
fn separator_hint(src: &str, pos: usize, file: FileId) -> Option<Diagnostic> {
    let rest = src.get(pos..).unwrap_or("");
    let at = |s: usize, e: usize| Span::new(file, s, e);
    let first = rest.chars().next();
    if first == Some(',')
        && prev_char(src, pos).is_some_and(|c| c.is_ascii_digit())
        && rest
            .get(1..)
            .is_some_and(|r| r.len() >= 3 && r.bytes().take(3).all(|b| b.is_ascii_digit()))
    {
        let start = src
            .get(..pos)
            .and_then(|b| b.rfind(|c: char| !(c.is_ascii_digit() || c == ',' || c == '_')))
            .map_or(0, |i| i + 1);
        if let Some(n) = number_at(src, start) {
            return Some(
                Diagnostic::error(
                    Code::Syntax,
                    at(pos, pos + 1),
                    "numbers are written without thousands separators",
                )
                .with_label("a comma here ends the number")
                .with_help(number_help(&n))
                .with_fix(
                    format!("Write `{}`", plain(&n)),
                    at(start, start + n.len()),
                    plain(&n),
                ),
            );
        }
    }
    None
}

/// `300k`, `1.2m`: lower-case K, M and B suffixes.
fn suffix_hint(src: &str, pos: usize, file: FileId) -> Option<Diagnostic> {
    let rest = src.get(pos..).unwrap_or("");
    let at = |s: usize, e: usize| Span::new(file, s, e);
    let first = rest.chars().next();
    if first.is_some_and(|c| c.is_ascii_digit()) {
        let word: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '_')
            .collect();
        if let Some(last) = word.chars().last() {
            let body = word.get(..word.len() - 1).unwrap_or("");
            if matches!(last, 'k' | 'm' | 'b')
                && !body.is_empty()
                && body
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == '.' || c == '_')
            {
                let fixed = format!("{body}{}", last.to_ascii_uppercase());
                return Some(
                    Diagnostic::error(
                        Code::Syntax,
                        at(pos, pos + word.len()),
                        format!("`{word}` is not a number: the suffixes K, M and B are capitals"),
                    )
                    .with_label("not a number")
                    .with_help(format!("write `{fixed}`"))
                    .with_fix(
                        format!("Write `{fixed}`"),
                        at(pos, pos + word.len()),
                        fixed.clone(),
                    ),
                );
            }
        }
    }
    None
}

/// `'Sales'`: a text in single quotes.
fn quote_hint(src: &str, pos: usize, file: FileId) -> Option<Diagnostic> {
    let rest = src.get(pos..).unwrap_or("");
    let at = |s: usize, e: usize| Span::new(file, s, e);
    let first = rest.chars().next();
    if first == Some('\'') {
        let line = rest.lines().next().unwrap_or("");
        let inner = line
            .get(1..)
            .and_then(|l| l.find('\'').and_then(|e| l.get(..e)));
        let mut d = Diagnostic::error(
            Code::Syntax,
            at(pos, pos + 1),
            "texts are written in double quotes, not single quotes",
        )
        .with_label("a single quote");
        d = match inner {
            Some(t) if !t.contains(['"', '\\']) => {
                let quoted = format!("\"{t}\"");
                d.with_help(format!("write {quoted}")).with_fix(
                    format!("Write {quoted}"),
                    at(pos, pos + t.len() + 2),
                    quoted,
                )
            }
            _ => d.with_help("write texts in double quotes, for example \"Sales\""),
        };
        return Some(d);
    }
    None
}

/// `;`: statements need no terminator.
fn semicolon_hint(src: &str, pos: usize, file: FileId) -> Option<Diagnostic> {
    let rest = src.get(pos..).unwrap_or("");
    let at = |s: usize, e: usize| Span::new(file, s, e);
    let first = rest.chars().next();
    if first == Some(';') {
        return Some(
            Diagnostic::error(Code::Syntax, at(pos, pos + 1), "Plumb does not use `;`")
                .with_label("remove this")
                .with_help(
                    "delete the `;`: statements end at the end of the line or at the next keyword",
                )
                .with_fix("Remove the `;`", at(pos, pos + 1), ""),
        );
    }
    None
}

/// `:=` (or `: =`) where Plumb writes `=`.
fn assign_hint(src: &str, pos: usize, file: FileId) -> Option<Diagnostic> {
    let rest = src.get(pos..).unwrap_or("");
    let at = |s: usize, e: usize| Span::new(file, s, e);
    let first = rest.chars().next();
    let assign = if first == Some(':') && rest.get(1..2) == Some("=") {
        Some((pos, pos + 2))
    } else if first == Some('=') {
        let before = src.get(..pos).unwrap_or("").trim_end();
        before
            .ends_with(':')
            .then(|| (before.len().saturating_sub(1), pos + 1))
    } else {
        None
    };
    if let Some((colon, end)) = assign {
        // The line as it should read, up to its block.
        let line_start = src
            .get(..colon)
            .and_then(|b| b.rfind('\n'))
            .map_or(0, |i| i + 1);
        let line_end = src
            .get(end..)
            .and_then(|r| r.find(['\n', '{', '#']))
            .map_or(src.len(), |i| end + i);
        let fixed = format!(
            "{}={}",
            src.get(line_start..colon).unwrap_or(""),
            src.get(end..line_end).unwrap_or("")
        );
        let help = if fixed.trim().is_empty() {
            "a value is given with `=`".to_string()
        } else {
            format!("a value is given with `=`: `{}`", fixed.trim())
        };
        return Some(
            Diagnostic::error(Code::Syntax, at(colon, end), "write `=`, not `:=`")
                .with_label("`:=` is not Plumb")
                .with_help(help)
                .with_fix("Write `=`", at(colon, end), "="),
        );
    }
    None
}

/// An unclosed `(`, when the grammar stopped at the end of a line or the text, or
/// expected a `)`.
fn paren_hint(src: &str, pos: usize, expected: &[&str], file: FileId) -> Option<Diagnostic> {
    let rest = src.get(pos..).unwrap_or("");
    let at = |s: usize, e: usize| Span::new(file, s, e);
    let first = rest.chars().next();
    let at_end = first.is_none() || src.get(pos..).is_some_and(|r| r.trim().is_empty());
    let at_line_end = at_end || matches!(first, Some('\n' | '\r'));
    if at_line_end || at_end || expected.contains(&"`)`") {
        if let Some(open) = unclosed_paren(src.get(..pos).unwrap_or("")) {
            let call = src
                .get(..open)
                .map(|b| {
                    b.chars()
                        .rev()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .count()
                })
                .unwrap_or(0);
            let what = match src.get(open.saturating_sub(call)..open) {
                Some(f) if !f.is_empty() => format!("the `(` of `{f}(` is not closed"),
                _ => "this `(` is not closed".to_string(),
            };
            let end = pos.min(src.trim_end().len());
            return Some(
                Diagnostic::error(Code::Syntax, at(open, open + 1), what)
                    .with_label("opened here")
                    .with_secondary(at(end, end), "expected `)` before here")
                    .with_help("add the matching `)`")
                    .with_fix("Add `)`", at(end, end), ")"),
            );
        }
    }
    None
}

/// `if … then A` with no `else`.
fn else_hint(src: &str, pos: usize, expected: &[&str], file: FileId) -> Option<Diagnostic> {
    let at = |s: usize, e: usize| Span::new(file, s, e);
    if expected.contains(&"`else`") {
        let end = src.get(..pos).unwrap_or("").trim_end().len();
        return Some(
            Diagnostic::error(Code::Syntax, at(end, end), "this `if` has no `else`")
                .with_label("expected `else` here")
                .with_help("an `if` gives a value in both cases: `if C then A else B` (write `else 0` when nothing else applies)")
                .with_fix("Add `else 0`", at(end, end), " else 0"),
        );
    }
    None
}

/// Operators from other languages: `&&`, `||`, `=` in a condition, `^`, a space
/// before `%`, `to` in a range of periods.
fn operator_hint(src: &str, pos: usize, expected: &[&str], file: FileId) -> Option<Diagnostic> {
    let rest = src.get(pos..).unwrap_or("");
    let at = |s: usize, e: usize| Span::new(file, s, e);
    for (op, word) in [("&&", "and"), ("||", "or")] {
        if rest.starts_with(op) {
            return Some(
                Diagnostic::error(
                    Code::Syntax,
                    at(pos, pos + 2),
                    format!("write `{word}`, not `{op}`"),
                )
                .with_label(format!("`{op}` is not Plumb"))
                .with_help(format!(
                    "conditions are joined with `and` and `or`: `a > 1 {word} b < 2`"
                ))
                .with_fix(format!("Write `{word}`"), at(pos, pos + 2), word),
            );
        }
    }
    let comparison = expected.iter().any(|e| e.starts_with("a comparison"));
    if comparison && rest.starts_with('=') && !rest.starts_with("==") {
        return Some(
            Diagnostic::error(
                Code::Syntax,
                at(pos, pos + 1),
                "a comparison is written `==`",
            )
            .with_label("`=` gives a value; `==` compares")
            .with_help("write `==` to say two values are equal")
            .with_fix("Write `==`", at(pos, pos + 1), "=="),
        );
    }
    if rest.starts_with('^') {
        let left = src
            .get(..pos)
            .unwrap_or("")
            .trim_end()
            .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
            .next()
            .unwrap_or("");
        let right: String = rest
            .get(1..)
            .unwrap_or("")
            .trim_start()
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '.')
            .collect();
        let help = if !left.is_empty() && !right.is_empty() {
            format!("write `pow({left}, {right})`")
        } else {
            "write powers with `pow(x, n)`".to_string()
        };
        return Some(
            Diagnostic::error(Code::Syntax, at(pos, pos + 1), "Plumb has no `^` operator")
                .with_label("not an operator")
                .with_help(help),
        );
    }
    // `50 %`: a percentage is written against the number.
    if rest.starts_with('%') {
        let before = src.get(..pos).unwrap_or("");
        let gap = before.len() - before.trim_end().len();
        if gap > 0 && before.trim_end().ends_with(|c: char| c.is_ascii_digit()) {
            let start = pos - gap;
            return Some(
                Diagnostic::error(
                    Code::Syntax,
                    at(start, pos + 1),
                    "a percentage is written with no space before `%`",
                )
                .with_label("remove the space")
                .with_help("write `50%`, not `50 %`")
                .with_fix("Write `%` against the number", at(start, pos + 1), "%"),
            );
        }
    }
    // `periods 2026-01 to 2026-12`: the error may sit on `periods` or on a
    // period after it, so the whole line is read.
    let line_start = src
        .get(..pos)
        .and_then(|b| b.rfind('\n'))
        .map_or(0, |i| i + 1);
    let line = src
        .get(line_start..)
        .and_then(|l| l.lines().next())
        .unwrap_or("");
    if let Some(after) = line.trim_start().strip_prefix("periods") {
        let words: Vec<&str> = after.split_whitespace().collect();
        if let [from, "to", to] = words.as_slice() {
            let fixed = format!("periods {from} .. {to}");
            let start = line_start + (line.len() - line.trim_start().len());
            let end = line_start + line.trim_end().len();
            return Some(
                Diagnostic::error(
                    Code::Syntax,
                    at(start, end),
                    "a range of periods is written with `..`",
                )
                .with_label("`to` is not a range")
                .with_help(format!("write `{fixed}`"))
                .with_fix(
                    format!("Write `{fixed}`"),
                    at(start, end),
                    fixed.clone(),
                ),
            );
        }
    }
    None
}

/// A number without thousands separators.
fn plain(n: &str) -> String {
    n.chars().filter(|c| *c != ',').collect()
}

/// The help for a number written with commas or a currency sign.
fn number_help(n: &str) -> String {
    let plain: String = n.chars().filter(|c| *c != ',' && *c != '_').collect();
    let grouped = n.replace(',', "_");
    if grouped != plain && !grouped.starts_with('_') {
        format!("write `{plain}` or `{grouped}`")
    } else {
        format!("write `{plain}`")
    }
}

/// The number written at `start` (digits, `,` and `_` groups, a decimal part and
/// a `K`/`M`/`B` suffix), or None.
fn number_at(src: &str, start: usize) -> Option<String> {
    let rest = src.get(start..)?;
    let mut out = String::new();
    let mut chars = rest.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_ascii_digit() || c == '_' || c == '.' {
            out.push(c);
        } else if c == ',' {
            // A comma followed by three digits is a thousands separator.
            let after = rest.get(out.len() + 1..).unwrap_or("");
            if after.len() >= 3 && after.bytes().take(3).all(|b| b.is_ascii_digit()) {
                out.push(c);
            } else {
                break;
            }
        } else if matches!(c, 'K' | 'M' | 'B') {
            out.push(c);
            break;
        } else {
            break;
        }
        chars.next();
    }
    out.chars()
        .next()
        .is_some_and(|c| c.is_ascii_digit())
        .then_some(out)
}

fn prev_char(src: &str, pos: usize) -> Option<char> {
    src.get(..pos)?.chars().last()
}

/// Byte offset of the last `(` in `text` that no `)` closes, outside strings and
/// comments.
fn unclosed_paren(text: &str) -> Option<usize> {
    let mut open: Vec<usize> = Vec::new();
    for lx in super::lex::Lexer::new(text) {
        match (lx.kind, lx.text(text)) {
            (super::lex::LexKind::Punct, "(") => open.push(lx.start),
            (super::lex::LexKind::Punct, ")") => {
                open.pop();
            }
            _ => {}
        }
    }
    open.pop()
}
