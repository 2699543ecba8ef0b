//! The forgiving lexer: cuts any text (valid or not) into comments, strings,
//! numbers, periods, names and punctuation, each with its byte range. Every
//! scanner of plan text that is not the grammar uses it (the declaration scan,
//! comments, trailing comments, the editor's tokens), so a `#` inside a string
//! or a `{` inside a comment means the same thing everywhere.
//!
//! Its rules follow the grammar where they can without context: `#` starts a
//! comment to the end of the line (`##`: a doc comment); a string runs to its
//! closing quote, `\` escaping the next character, and ends at the end of its
//! line when it is not closed.

/// What a lexeme is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LexKind {
    /// `# …` to the end of the line.
    Comment,
    /// `## …` to the end of the line (a doc comment).
    DocComment,
    /// `"…"` (an unterminated string ends at the end of the line).
    Str,
    /// `85K`, `2.5%`, `1_150`, `2026`.
    Number,
    /// `2026-01`, `2026-Q3`.
    Period,
    /// A name, possibly qualified (`launch.spend`, `std.saas`).
    Name,
    /// Any other single character that is not white space.
    Punct,
}

/// One lexeme: its kind and byte range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lexeme {
    /// What it is.
    pub(crate) kind: LexKind,
    /// Byte offset of its first byte.
    pub(crate) start: usize,
    /// Byte offset one past its last byte.
    pub(crate) end: usize,
}

impl Lexeme {
    /// Its text in `src`.
    pub(crate) fn text<'a>(&self, src: &'a str) -> &'a str {
        src.get(self.start..self.end).unwrap_or("")
    }
}

/// True for a byte that can start a name.
pub(crate) fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

/// True for a byte that can continue a name.
pub(crate) fn is_name_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Cuts `src` into lexemes. Never fails; white space is skipped.
pub fn lex(src: &str) -> Vec<Lexeme> {
    Lexer::new(src).collect()
}

/// The lexemes of a text, one at a time (no allocation): what [`lex`] collects.
#[derive(Debug, Clone)]
pub(crate) struct Lexer<'a> {
    src: &'a str,
    i: usize,
}

impl<'a> Lexer<'a> {
    /// Lexes `src` from its start.
    pub(crate) fn new(src: &'a str) -> Lexer<'a> {
        Lexer { src, i: 0 }
    }

    /// Lexes `src` from byte `i` (which must not be inside a string or comment).
    pub(crate) fn at(src: &'a str, i: usize) -> Lexer<'a> {
        Lexer { src, i }
    }
}

impl Iterator for Lexer<'_> {
    type Item = Lexeme;

    fn next(&mut self) -> Option<Lexeme> {
        let src = self.src;
        let bytes = src.as_bytes();
        let at = |i: usize| bytes.get(i).copied().unwrap_or(0);
        let mut i = self.i;
        while i < bytes.len() {
            let b = at(i);
            let start = i;
            let kind = if b == b'#' {
                let doc = at(i + 1) == b'#';
                while i < bytes.len() && at(i) != b'\n' {
                    i += 1;
                }
                if doc {
                    LexKind::DocComment
                } else {
                    LexKind::Comment
                }
            } else if b == b'"' {
                i += 1;
                while i < bytes.len() && at(i) != b'"' && at(i) != b'\n' {
                    if at(i) == b'\\' && at(i + 1) != b'\n' {
                        i += 1;
                    }
                    i += 1;
                }
                if at(i) == b'"' {
                    i += 1;
                }
                LexKind::Str
            } else if b.is_ascii_digit() {
                let mut j = i;
                while at(j).is_ascii_digit() {
                    j += 1;
                }
                if j - i == 4
                    && at(j) == b'-'
                    && (at(j + 1).is_ascii_digit() || matches!(at(j + 1), b'Q' | b'q'))
                    && at(j + 2).is_ascii_digit()
                {
                    i = j + 3;
                    LexKind::Period
                } else {
                    i = j;
                    while at(i).is_ascii_digit() || at(i) == b'_' {
                        i += 1;
                    }
                    if at(i) == b'.' && at(i + 1).is_ascii_digit() {
                        i += 1;
                        while at(i).is_ascii_digit() {
                            i += 1;
                        }
                    }
                    if matches!(at(i), b'K' | b'M' | b'B') && !is_name_char(at(i + 1)) {
                        i += 1;
                    }
                    if at(i) == b'%' {
                        i += 1;
                    }
                    LexKind::Number
                }
            } else if is_name_start(b) {
                while is_name_char(at(i)) {
                    i += 1;
                }
                if at(i) == b'.' && is_name_start(at(i + 1)) {
                    i += 1;
                    while is_name_char(at(i)) {
                        i += 1;
                    }
                }
                LexKind::Name
            } else if b.is_ascii_whitespace() {
                i += 1;
                continue;
            } else {
                // One character, however many bytes it takes.
                i += src
                    .get(i..)
                    .and_then(|s| s.chars().next())
                    .map(char::len_utf8)
                    .unwrap_or(1);
                LexKind::Punct
            };
            self.i = i;
            return Some(Lexeme {
                kind,
                start,
                end: i,
            });
        }
        self.i = i;
        None
    }
}

/// How much `text` changes the brace depth (`{` less `}`) when it holds no
/// string and no comment, so every brace byte is a brace lexeme (a one-line step
/// body); None when it needs the lexer.
pub(crate) fn plain_brace_balance(text: &str) -> Option<i64> {
    let mut change = 0i64;
    for b in text.bytes() {
        match b {
            b'{' => change += 1,
            b'}' => change -= 1,
            b'"' | b'#' => return None,
            _ => {}
        }
    }
    Some(change)
}

/// Where the comment starting at byte `i` of `src` ends (its line's end), when
/// one starts there.
pub(crate) fn comment_end(src: &[u8], i: usize) -> Option<usize> {
    if src.get(i) != Some(&b'#') {
        return None;
    }
    let rest = src.get(i..).unwrap_or(&[]);
    Some(i + rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len()))
}

/// Byte offset of the `#` that starts a comment on `line` (outside strings).
pub(crate) fn comment_start(line: &str) -> Option<usize> {
    Lexer::new(line)
        .find(|l| matches!(l.kind, LexKind::Comment | LexKind::DocComment))
        .map(|l| l.start)
}

/// The offset of the first byte at or after `i` that is neither a blank nor in a
/// comment: what the grammar's implicit `WHITESPACE` (space, tab, line breaks)
/// and `COMMENT` (`#` to the end of the line) skip between tokens.
pub(crate) fn skip_trivia(bytes: &[u8], mut i: usize) -> usize {
    loop {
        match bytes.get(i) {
            Some(b' ' | b'\t' | b'\r' | b'\n') => i += 1,
            Some(b'#') => i = comment_end(bytes, i).unwrap_or(bytes.len()),
            _ => return i,
        }
    }
}

/// `line` without its comment.
pub(crate) fn strip_comment(line: &str) -> &str {
    match comment_start(line) {
        Some(i) => line.get(..i).unwrap_or(line),
        None => line,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn plain_brace_balance_agrees_with_the_lexer() {
        let by_lexer = |t: &str| {
            lex(t)
                .iter()
                .map(|l| match (l.kind, l.text(t)) {
                    (LexKind::Punct, "{") => 1,
                    (LexKind::Punct, "}") => -1,
                    _ => 0,
                })
                .sum::<i64>()
        };
        for t in [
            "driver d: USD = step { 2026-01: 5, 2026-02: 6 }\n",
            "metric m = {\n",
            "}}",
            "",
        ] {
            assert_eq!(plain_brace_balance(t), Some(by_lexer(t)), "{t:?}");
        }
        // A string or a comment may hold a brace the lexer does not count.
        assert_eq!(plain_brace_balance("title \"{\" {"), None);
        assert_eq!(plain_brace_balance("x = 1 # }"), None);
    }

    #[test]
    fn comments_strings_and_braces() {
        let kinds: Vec<(LexKind, &str)> = lex(r#"a "x # \" y" { # c"#)
            .iter()
            .map(|l| (l.kind, l.text(r#"a "x # \" y" { # c"#)))
            .collect();
        assert_eq!(
            kinds,
            vec![
                (LexKind::Name, "a"),
                (LexKind::Str, r#""x # \" y""#),
                (LexKind::Punct, "{"),
                (LexKind::Comment, "# c"),
            ]
        );
        assert_eq!(comment_start(r#"x = "a#b" # note"#), Some(10));
        assert_eq!(strip_comment("driver x = 1 ## doc"), "driver x = 1 ");
        assert_eq!(comment_start(r#""unterminated # "#), None);
    }
}
