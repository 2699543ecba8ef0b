//! The language's keywords: one table for the declaration scan, the editor's
//! lexer (semantic tokens, and which words are never names) and completion.
//!
//! `grammar/plumb.pest` is the source of truth; `tests/it/tidy.rs` checks that every
//! keyword of the grammar (its `kw_*` rules and `keyword_any`) is in one of these
//! tables, or excused there with a reason, and that every declaration keyword is
//! a `kw_*` rule.

macro_rules! keywords {
    (
        declarations: [$($decl:literal),* $(,)?]
        expressions: [$($expr:literal),* $(,)?]
        reserved: [$($reserved:literal),* $(,)?]
    ) => {
        /// Keywords that start a top-level declaration (the declaration scan:
        /// at column 1 or brace depth 0).
        pub const DECL_KEYWORDS: &[&str] = &[$($decl),*];

        /// Keywords inside expressions (offered where an expression goes).
        pub const EXPR_KEYWORDS: &[&str] = &[$($expr),*];

        /// Every keyword of the language (declarations, statements and
        /// expressions) that is never a name to the editor: highlighted as a
        /// keyword, skipped by hover, go to definition and rename. Statement
        /// words that are fine names elsewhere (`amount`, `cost`, `map`, …) are
        /// only in [`STATEMENTS`].
        pub const KEYWORDS: &[&str] = &[$($decl,)* $($reserved,)* $($expr),*];

        /// True for a word of [`KEYWORDS`] (one `match`: the parser's short
        /// path asks it of every name, and must leave keywords to the grammar).
        pub(crate) fn is_keyword(word: &str) -> bool {
            matches!(word, $($decl)|* | $($reserved)|* | $($expr)|*)
        }
    };
}

keywords! {
    declarations: [
        "plan", "import", "unit", "department", "role", "term", "driver", "metric", "fn",
        "objective", "assumption", "dependency", "risk", "request", "raci", "initiative",
        "scenario", "trigger", "dimension", "budget", "actuals", "correlate",
    ]
    expressions: ["if", "then", "else", "and", "or", "not", "step"]
    reserved: [
        "currency", "periods", "base", "lead", "poc", "in", "stock", "flow", "average", "formula",
        "owner", "means", "range", "pert", "triangular", "uniform", "odds", "to", "supports",
        "target", "change", "from", "by", "maintain", "counterbalance", "depends", "on",
        "indicator", "evidence", "due", "confidence", "likelihood", "impact", "mitigation", "ask",
        "grant", "decision", "approved", "responsible", "accountable", "consulted", "informed",
        "start", "extends", "when", "for", "after", "month", "months", "quarters", "years",
        "period", "fiscal", "starts", "named", "set", "pause", "contingency", "reallocation",
        "draw", "reallocate", "normal",
    ]
}

/// Statement keywords of each block, by the keyword that opens it.
pub const STATEMENTS: &[(&str, &[&str])] = &[
    (
        "plan",
        &["currency", "periods", "base", "fiscal year starts", "odds"],
    ),
    ("department", &["lead", "poc"]),
    ("driver", &["owner", "means", "range", "favourable"]),
    ("metric", &["owner", "means", "range", "favourable"]),
    ("objective", &["owner", "supports", "target"]),
    (
        "assumption",
        &[
            "change",
            "maintain",
            "counterbalance",
            "depends on",
            "indicator",
            "owner",
            "evidence",
            "tolerance",
        ],
    ),
    ("dependency", &["owner", "due", "confidence", "done"]),
    (
        "risk",
        &["owner", "likelihood", "impact", "mitigation", "reviewed"],
    ),
    (
        "request",
        &[
            "from",
            "ask",
            "grant",
            "decision",
            "approved by",
            "draw",
            "reallocate",
            "cost",
            "return",
            "supports",
        ],
    ),
    (
        "budget",
        &[
            "owner",
            "spend",
            "amount",
            "contingency",
            "reallocation up to",
        ],
    ),
    (
        "raci",
        &["responsible", "accountable", "consulted", "informed"],
    ),
    ("initiative", &["owner", "start", "driver", "metric"]),
    ("actuals", &["columns", "map", "ignore", "sheet"]),
    ("scenario", &["trigger"]),
    ("trigger", &["when", "after", "owner"]),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_declarations_and_words_are_listed_once() {
        for (block, _) in STATEMENTS {
            assert!(DECL_KEYWORDS.contains(block), "{block}");
        }
        for (i, w) in KEYWORDS.iter().enumerate() {
            assert!(!KEYWORDS.iter().skip(i + 1).any(|v| v == w), "{w} twice");
        }
    }
}
