//! A short path for the bulk of a large plan: `driver` and `metric` declarations
//! whose shape is trivial — `NAME [: UNIT] = EXPR` and nothing else — read by a
//! byte scanner instead of pest.
//!
//! The grammar stays the source of truth: the short path reads only a subset
//! whose syntax tree is obvious, and gives up (None) on anything else, which then
//! goes to pest as before. What it reads: units made of names and `%` joined by
//! `*` and `/`; expressions of names, plain numbers (`12`, `1_000.5`, `85K`, `5%`
//! with no unit after them), `+ - * /`, prefix `-`, parentheses, calls and plain
//! `step { 2026-01: 5, … }` bodies (as [`plain_steps`] reads them); blanks and
//! comments between tokens. It gives up on keywords, periods, member indices,
//! qualified names, `@`, comparisons, an item block, a number followed by a word
//! (a unit), a month out of range, a number that does not fit, and expressions
//! deeper than [`MAX_DEPTH`]: every case where pest's reading needs the grammar
//! or reports a diagnostic. The tree it gives — kinds, literal texts, spans — is
//! exactly pest's (`tests` below compares the two on generated declarations).

use super::ast::{
    BinOp, DeclKind, Expr, ExprKind, Ident, ItemDecl, ItemKind, Period, PeriodKind, RangeShape,
    UnOp, UnitAtom, UnitExpr,
};
use super::plain_steps;
use super::ChunkParse;
use crate::source::{FileId, Span};

/// Deepest expression tree the short path builds (well under the limit pest's
/// lowering reports, `limits::MAX_EXPR_DEPTH`).
const MAX_DEPTH: usize = 200;

/// Words the grammar reads as something other than a name in an expression.
const KEYWORDS: &[&str] = &[
    "and", "or", "not", "if", "then", "else", "to", "by", "from", "for", "step",
];

/// The parse of one declaration's text (at offset 0 of file 0, as
/// `parse_chunk` gives it), when it is a trivially shaped item.
pub(super) fn chunk(src: &str) -> Option<ChunkParse> {
    let mut r = Reader {
        src,
        b: src.as_bytes(),
        i: 0,
        end: 0,
    };
    let kind = if r.keyword("driver") {
        ItemKind::Driver
    } else if r.keyword("metric") {
        ItemKind::Metric
    } else {
        return None;
    };
    r.ws();
    let name = r.ident()?;
    r.ws();
    let unit = if r.at(r.i) == b':' {
        r.i += 1;
        r.ws();
        let u = r.unit()?;
        r.ws();
        Some(u)
    } else {
        None
    };
    if r.at(r.i) != b'=' {
        return None;
    }
    r.i += 1;
    r.ws();
    let (expr, _) = r.sum()?;
    r.ws();
    if r.i != r.b.len() {
        return None;
    }
    let item = ItemDecl {
        kind,
        name,
        unit,
        aggregation: None,
        by: Vec::new(),
        expr,
        owner: None,
        means: None,
        range: None,
        favourable: None,
        range_shape: RangeShape::default(),
    };
    Some(ChunkParse {
        decl: Some((DeclKind::Item(item), r.end)),
        diagnostics: Vec::new(),
    })
}

/// A position in one declaration's text.
struct Reader<'a> {
    src: &'a str,
    b: &'a [u8],
    i: usize,
    /// The end of the last token read.
    end: usize,
}

fn ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

fn span(start: usize, end: usize) -> Span {
    Span::new(FileId(0), start, end)
}

impl Reader<'_> {
    fn at(&self, i: usize) -> u8 {
        self.b.get(i).copied().unwrap_or(0)
    }

    /// Skips blanks and comments (the grammar's implicit `WHITESPACE`, `COMMENT`).
    fn ws(&mut self) {
        loop {
            match self.at(self.i) {
                b' ' | b'\t' | b'\r' | b'\n' => self.i += 1,
                _ => match super::lex::comment_end(self.b, self.i) {
                    Some(end) => self.i = end,
                    None => return,
                },
            }
        }
    }

    /// `word` as a whole word at the current position.
    fn keyword(&mut self, word: &str) -> bool {
        let end = self.i + word.len();
        if self.b.get(self.i..end) == Some(word.as_bytes()) && !ident_char(self.at(end)) {
            self.i = end;
            self.end = end;
            return true;
        }
        false
    }

    /// A name (`name` in the grammar).
    fn ident(&mut self) -> Option<Ident> {
        let start = self.i;
        let c = self.at(start);
        if !(c.is_ascii_alphabetic() || c == b'_') {
            return None;
        }
        let mut j = start + 1;
        while ident_char(self.at(j)) {
            j += 1;
        }
        self.i = j;
        self.end = j;
        Some(Ident {
            name: self.src.get(start..j)?.to_string(),
            span: span(start, j),
        })
    }

    /// `USD`, `USD/deal`, `%`: names and `%` joined by `*` and `/`.
    fn unit(&mut self) -> Option<UnitExpr> {
        let start = self.i;
        let first = self.unit_atom()?;
        let mut rest = Vec::new();
        loop {
            let save = (self.i, self.end);
            self.ws();
            let mul = match self.at(self.i) {
                b'*' => true,
                b'/' => false,
                _ => {
                    (self.i, self.end) = save;
                    break;
                }
            };
            self.i += 1;
            self.ws();
            rest.push((mul, self.unit_atom()?));
        }
        Some(UnitExpr {
            first,
            rest,
            span: span(start, self.end),
        })
    }

    fn unit_atom(&mut self) -> Option<UnitAtom> {
        if self.at(self.i) == b'%' {
            self.i += 1;
            self.end = self.i;
            return Some(UnitAtom::Percent(span(self.i - 1, self.i)));
        }
        Some(UnitAtom::Name(self.ident()?))
    }

    /// Guards the depth of a new node.
    fn node(kind: ExprKind, span: Span, depth: usize) -> Option<(Expr, usize)> {
        (depth <= MAX_DEPTH).then_some((Expr { kind, span }, depth))
    }

    /// `a + b - c`: a left-associated chain (`add_expr`).
    fn sum(&mut self) -> Option<(Expr, usize)> {
        let (mut lhs, mut depth) = self.product()?;
        loop {
            self.ws();
            let op = match self.at(self.i) {
                b'+' => BinOp::Add,
                b'-' => BinOp::Sub,
                _ => return Some((lhs, depth)),
            };
            self.i += 1;
            self.ws();
            let (rhs, rd) = self.product()?;
            let s = lhs.span.to(rhs.span);
            let kind = ExprKind::Binary(op, Box::new(lhs), Box::new(rhs));
            (lhs, depth) = Reader::node(kind, s, depth.max(rd) + 1)?;
        }
    }

    /// `a * b / c` (`mul_expr`).
    fn product(&mut self) -> Option<(Expr, usize)> {
        let (mut lhs, mut depth) = self.unary()?;
        loop {
            self.ws();
            let op = match self.at(self.i) {
                b'*' => BinOp::Mul,
                b'/' => BinOp::Div,
                _ => return Some((lhs, depth)),
            };
            self.i += 1;
            self.ws();
            let (rhs, rd) = self.unary()?;
            let s = lhs.span.to(rhs.span);
            let kind = ExprKind::Binary(op, Box::new(lhs), Box::new(rhs));
            (lhs, depth) = Reader::node(kind, s, depth.max(rd) + 1)?;
        }
    }

    /// `- - x`: prefixes applied innermost first (`unary`); `@` after the operand
    /// is left to pest.
    fn unary(&mut self) -> Option<(Expr, usize)> {
        let mut negs = Vec::new();
        while self.at(self.i) == b'-' {
            negs.push(self.i);
            self.i += 1;
            self.ws();
        }
        if negs.len() > MAX_DEPTH {
            return None;
        }
        let (mut e, mut depth) = self.primary()?;
        let save = self.i;
        self.ws();
        if self.at(self.i) == b'@' {
            return None;
        }
        self.i = save;
        for &at in negs.iter().rev() {
            let s = span(at, at + 1).to(e.span);
            (e, depth) = Reader::node(ExprKind::Unary(UnOp::Neg, Box::new(e)), s, depth + 1)?;
        }
        Some((e, depth))
    }

    fn primary(&mut self) -> Option<(Expr, usize)> {
        let start = self.i;
        let c = self.at(start);
        if c == b'(' {
            self.i += 1;
            self.ws();
            let (inner, d) = self.sum()?;
            self.ws();
            if self.at(self.i) != b')' {
                return None;
            }
            self.i += 1;
            self.end = self.i;
            return Reader::node(ExprKind::Paren(Box::new(inner)), span(start, self.i), d + 1);
        }
        if c.is_ascii_digit() {
            return self.number().map(|e| (e, 1));
        }
        let name = self.ident()?;
        if name.name == "step" {
            return self.step(start);
        }
        if KEYWORDS.contains(&name.name.as_str()) || name.name.starts_with("FY") {
            return None;
        }
        // `a.b` (a qualified name) is left to pest.
        if self.at(self.i) == b'.' {
            return None;
        }
        let after = self.i;
        self.ws();
        match self.at(self.i) {
            b'(' => self.call(name, start),
            b'[' => None,
            _ => {
                self.i = after;
                Some((
                    Expr {
                        span: name.span,
                        kind: ExprKind::Name(name),
                    },
                    1,
                ))
            }
        }
    }

    /// `f(a, b)`, from its `(`.
    fn call(&mut self, name: Ident, start: usize) -> Option<(Expr, usize)> {
        self.i += 1;
        self.ws();
        let mut args = Vec::new();
        let mut depth = 0;
        if self.at(self.i) != b')' {
            loop {
                let (e, d) = self.sum()?;
                depth = depth.max(d);
                args.push(e);
                self.ws();
                match self.at(self.i) {
                    b',' => {
                        self.i += 1;
                        self.ws();
                    }
                    b')' => break,
                    _ => return None,
                }
            }
        }
        self.i += 1;
        self.end = self.i;
        Reader::node(ExprKind::Call(name, args), span(start, self.i), depth + 1)
    }

    /// A plain number with no unit after it (`literal` without `lit_unit`).
    fn number(&mut self) -> Option<Expr> {
        let start = self.i;
        let mut j = start;
        while self.at(j).is_ascii_digit() || (j > start && self.at(j) == b'_') {
            j += 1;
        }
        let leading = self
            .b
            .get(start..j)?
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        // `2026-01`, `2026-Q1` are periods.
        if leading == 4 && self.at(j) == b'-' {
            return None;
        }
        if self.at(j) == b'.' && self.at(j + 1).is_ascii_digit() {
            j += 1;
            while self.at(j).is_ascii_digit() {
                j += 1;
            }
        }
        if matches!(self.at(j), b'K' | b'M' | b'B') {
            j += 1;
        }
        if self.at(j) == b'%' {
            j += 1;
        }
        if ident_char(self.at(j)) {
            return None;
        }
        // A unit after the number, `..` of a range, or a stray `.`: pest's.
        let mut k = j;
        while matches!(self.at(k), b' ' | b'\t') {
            k += 1;
        }
        if self.at(k).is_ascii_alphabetic() || self.at(k) == b'_' {
            return None;
        }
        self.i = j;
        self.ws();
        if self.at(self.i) == b'.' {
            return None;
        }
        self.i = j;
        self.end = j;
        let text = self.src.get(start..j)?;
        let value = super::lower::parse_number(text).ok()?;
        Some(Expr {
            kind: ExprKind::Number {
                value,
                text: text.to_string(),
                unit: None,
            },
            span: span(start, j),
        })
    }

    /// `step { 2026-01: 5, … }` with a plain body, after the keyword.
    fn step(&mut self, start: usize) -> Option<(Expr, usize)> {
        self.ws();
        if self.at(self.i) != b'{' {
            return None;
        }
        let (close, cut) = plain_steps::entries(self.b, self.i + 1)?;
        if cut.len() > super::limits::MAX_STEP_ENTRIES {
            return None;
        }
        let mut entries = Vec::with_capacity(cut.len());
        for e in cut {
            if !(1..=12).contains(&e.month) {
                return None;
            }
            let period = Period {
                kind: PeriodKind::Month(e.year, e.month),
                span: span(e.period, e.period + 7),
            };
            let value = super::lower::parse_number(&e.text).ok()?;
            let nspan = span(e.number, e.number + e.text.len());
            let kind = ExprKind::Number {
                value,
                text: e.text,
                unit: None,
            };
            entries.push((period, Expr { kind, span: nspan }));
        }
        self.i = close + 1;
        self.end = self.i;
        let depth = if entries.is_empty() { 1 } else { 2 };
        Reader::node(ExprKind::Step(entries), span(start, self.i), depth)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::super::{lower, PlumbParser, Rule};
    use super::*;
    use pest::Parser as _;
    use proptest::prelude::*;

    /// The general path: pest and the lowering, as `parse_chunk` runs them.
    fn pest_path(src: &str) -> Option<(DeclKind, usize)> {
        let mut pairs = PlumbParser::parse(Rule::declaration, src).ok()?;
        let pair = pairs.next()?.into_inner().next()?;
        let mut lw = lower::Lowerer::new(FileId(0), 0);
        let kind = lw.decl(pair)?;
        assert!(lw.diagnostics.is_empty(), "{src:?}: {:?}", lw.diagnostics);
        Some((kind, src.trim_end().len().min(super::super::decl_end(src))))
    }

    /// When the short path reads a declaration, pest reads the same tree.
    fn agree(src: &str) -> bool {
        match chunk(src) {
            Some(fast) => {
                assert!(fast.diagnostics.is_empty());
                let slow = pest_path(src);
                assert_eq!(fast.decl, slow, "{src:?}");
                true
            }
            None => false,
        }
    }

    #[test]
    fn common_shapes_take_the_short_path() {
        for src in [
            "driver x = 5",
            "driver x: USD = 1_200.50",
            "metric m00010 = d00005 * (1 + d00001)",
            "metric m = max(a - b, c)\n\n## the next one's doc\n",
            "metric m: USD = prev(m, 100) * (1 + r) + a # note\n",
            "metric m: USD/month*fte = -a / - -b",
            "metric r: % = 5% + 85K - f()",
            "driver d: USD = step { 2026-01: 1.5, 2026-02: 3, }",
            "driver d = step {\n 2026-01 : 1 } * 2",
            "metric m = a # c\n + ( b\n )",
            "metric s = stepper + iffy + toto + FOO",
        ] {
            assert!(agree(src), "not on the short path: {src:?}");
        }
    }

    #[test]
    fn other_shapes_are_left_to_pest() {
        for src in [
            "driver x = 5 USD",
            "driver x = 2026-01",
            "driver x = 2026 .. 2027",
            "metric m = a.b",
            "metric m = a[p]",
            "metric m = a @ 2026-01",
            "metric m = a > b",
            "metric m = not a",
            "metric m = if a then b else c",
            "metric m: USD stock = a",
            "metric m by seg = a",
            "metric m = a { owner ops }",
            "metric m = FY2027",
            "driver x = step { 2026-13: 5 }",
            "driver x = step { 2026-01: 5 USD }",
            "metric m = 99999999999999999999999999999999",
            "metric m = a b",
            "metric m = f(a,)",
            "driver x: 1/month = 5",
            "objective o \"t\" { }",
        ] {
            assert!(chunk(src).is_none(), "taken: {src:?}");
        }
    }

    /// Tokens, valid and not, to build declarations from.
    fn token() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "a",
            "b1",
            "_c",
            "step",
            "and",
            "not",
            "FY2027",
            "x.y",
            "f(",
            "(",
            ")",
            ",",
            "+",
            "-",
            "*",
            "/",
            "@",
            "<",
            "5",
            "1_000",
            "2.50",
            "85K",
            "5%",
            "2026-01",
            "2026",
            "..",
            "USD",
            "#c\n",
            "\n",
            " ",
            "[",
            "]",
            "{",
            "}",
            ":",
            "step { 2026-01: 5 }",
            ".",
            "3.",
        ])
    }

    proptest! {
        #[test]
        fn short_path_and_pest_agree(
            head in prop::sample::select(vec![
                "driver x = ", "metric y: USD = ", "metric z: USD/fte = ", "driver w: % =",
                "metric v:%*b = ",
            ]),
            body in prop::collection::vec(token(), 1..12),
            gaps in prop::collection::vec(prop::sample::select(vec!["", " ", "  ", "\n"]), 12),
        ) {
            let mut src = head.to_string();
            for (t, g) in body.iter().zip(gaps.iter()) {
                src.push_str(t);
                src.push_str(g);
            }
            agree(&src);
        }

        #[test]
        fn well_formed_formulas_take_the_short_path(
            terms in prop::collection::vec(
                prop::sample::select(vec![
                    "a", "b1", "(c + 2)", "f(a, 3.5)", "-d", "g()", "12_000", "7%",
                    "step { 2026-01: 5 }",
                ]),
                1..8,
            ),
            ops in prop::collection::vec(prop::sample::select(vec![" + ", "-", " * ", "/"]), 8),
        ) {
            let mut src = "metric m: USD = ".to_string();
            for (k, t) in terms.iter().enumerate() {
                if k > 0 {
                    src.push_str(ops[k]);
                }
                src.push_str(t);
            }
            prop_assert!(agree(&src), "not on the short path: {src:?}");
        }
    }
}
