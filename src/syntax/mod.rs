//! Parsing: source text → [`ast::File`] plus diagnostics. Parsing never fails.
//!
//! The text is first cut into top-level declarations by a light scan (a line whose
//! first word is a declaration keyword, at brace depth 0 or in column 1). Each piece
//! is parsed on its own with the pest grammar in `grammar/plumb.pest`, so a syntax
//! error in one declaration is reported and the parser simply carries on with the
//! next one. Nesting is measured before pest sees a piece, which keeps recursion
//! bounded on any input. Pest's rule names never reach users: [`describe_rule`]
//! turns them into words.

pub mod ast;
mod fast;
mod hints;
pub mod keywords;
pub mod lex;
mod lower;
mod plain_steps;
mod salvage;
mod shift;

use shift::Shift as _;

use crate::diagnostic::{Code, Diagnostic};
use crate::source::{FileId, Span};
use lex::strip_comment;
use pest::Parser as _;

/// The pest parser generated from `grammar/plumb.pest`.
#[derive(pest_derive::Parser)]
#[grammar = "../grammar/plumb.pest"]
pub(crate) struct PlumbParser;

/// Limits that keep parsing bounded.
pub mod limits {
    /// Deepest nesting of parentheses, braces and `if` inside one declaration.
    pub const MAX_NESTING: usize = 64;
    /// Largest file accepted, in bytes.
    pub const MAX_FILE_BYTES: usize = 8 * 1024 * 1024;
    /// Most declarations in one file.
    pub const MAX_DECLS: usize = 100_000;
    /// Most entries in one `step { … }`.
    pub const MAX_STEP_ENTRIES: usize = 10_000;
    /// Deepest expression tree: every operator, parenthesis, prefix `-` or `not`,
    /// call and `@` is one level, so `a + b + c` is 3 deep. Later stages walk
    /// expressions recursively; this keeps them within a 2 MB stack.
    pub const MAX_EXPR_DEPTH: usize = 512;
}

pub use keywords::DECL_KEYWORDS;

/// The result of parsing one file.
#[derive(Debug, Clone, Default)]
pub struct Parse {
    /// What parsed.
    pub file: ast::File,
    /// Syntax errors.
    pub diagnostics: Vec<Diagnostic>,
}

/// A top-level piece of a file: byte range `start..end`.
#[derive(Debug, Clone, Copy)]
struct Chunk {
    start: usize,
    end: usize,
}

fn first_word(line: &str) -> &str {
    let t = line.trim_start();
    let end = t
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(t.len());
    t.get(..end).unwrap_or("")
}

/// Cuts the text at every line that starts a top-level declaration.
#[cfg(test)]
fn chunks(text: &str) -> Vec<Chunk> {
    scan(text, FileId(0)).0
}

/// One pass over the text: where each top-level declaration starts (a line whose
/// first word is a declaration keyword, at brace depth 0 or in column 1), and all
/// comments, with whether code precedes them on their line. Only lines holding a
/// brace or a `#` are lexed (the lexer never crosses a line end, so lexing line
/// by line reads the text as lexing it whole would).
fn scan(text: &str, file: FileId) -> (Vec<Chunk>, Vec<ast::Comment>) {
    let mut starts = Vec::new();
    let mut comments = Vec::new();
    let mut depth: i64 = 0;
    let mut offset = 0usize;
    for line in text.split_inclusive('\n') {
        let word = first_word(line);
        if DECL_KEYWORDS.contains(&word) {
            let col0 = !line.starts_with([' ', '\t']);
            // `actuals through P` is a statement of the plan block, not a declaration.
            let through = word == "actuals"
                && line
                    .trim_start()
                    .get(7..)
                    .is_some_and(|r| first_word(r) == "through");
            if (depth <= 0 || col0) && !through {
                let indent = line.len() - line.trim_start().len();
                starts.push(offset + indent);
                depth = 0;
            }
        }
        if let Some(change) = lex::plain_brace_balance(line) {
            depth += change;
        } else {
            for lx in lex::Lexer::new(line) {
                match (lx.kind, lx.text(line)) {
                    (lex::LexKind::Punct, "{") => depth += 1,
                    (lex::LexKind::Punct, "}") => depth -= 1,
                    (lex::LexKind::Comment | lex::LexKind::DocComment, _) => {
                        comments.push(comment(line, lx.start, offset, file));
                    }
                    _ => {}
                }
            }
        }
        offset += line.len();
    }
    let mut out = Vec::with_capacity(starts.len());
    for (i, &s) in starts.iter().enumerate() {
        let e = starts.get(i + 1).copied().unwrap_or(text.len());
        out.push(Chunk { start: s, end: e });
    }
    (out, comments)
}

/// The comment starting at byte `i` of `line`, which starts at byte `offset`.
fn comment(line: &str, i: usize, offset: usize, file: FileId) -> ast::Comment {
    let body = line.get(i..).unwrap_or("").trim_end_matches(['\n', '\r']);
    let trailing = !line.get(..i).unwrap_or("").trim().is_empty();
    ast::Comment {
        text: body.to_string(),
        span: Span::new(file, offset + i, offset + i + body.len()),
        trailing,
    }
}

/// The `##` doc comment directly above byte `start`, if any.
fn doc_above(text: &str, start: usize) -> Option<String> {
    let before = text.get(..start)?;
    // Walk back from the declaration lazily: collecting every line above would
    // make parsing quadratic in the number of declarations.
    let mut lines = before.lines().rev();
    // `before` ends at the keyword; its last line is the indentation before it.
    if !(before.ends_with('\n') || before.is_empty()) {
        lines.next();
    }
    let mut doc = Vec::new();
    for l in lines {
        let t = l.trim();
        if let Some(rest) = t.strip_prefix("##") {
            doc.push(rest.strip_prefix(' ').unwrap_or(rest).to_string());
        } else {
            break;
        }
    }
    if doc.is_empty() {
        return None;
    }
    doc.reverse();
    Some(doc.join("\n"))
}

/// Deepest nesting inside a chunk: brackets, braces and `if`s, ignoring strings
/// and comments; (0, 0) for a chunk too small to exceed [`limits::MAX_NESTING`].
fn nesting(text: &str) -> (usize, usize) {
    // Neither can exceed the count of opening bytes or of `if`s in the text: a
    // declaration with few of them (nearly all) need not be lexed.
    let opens = text.bytes().filter(|b| matches!(b, b'(' | b'{')).count();
    if opens <= limits::MAX_NESTING && text.matches("if").count() <= limits::MAX_NESTING {
        return (0, 0);
    }
    let mut depth = 0usize;
    let mut max = 0usize;
    let mut ifs = 0usize;
    for lx in lex::Lexer::new(text) {
        match (lx.kind, lx.text(text)) {
            (lex::LexKind::Punct, "(" | "{") => {
                depth += 1;
                max = max.max(depth);
            }
            (lex::LexKind::Punct, ")" | "}") => depth = depth.saturating_sub(1),
            (lex::LexKind::Name, "if") => ifs += 1,
            _ => {}
        }
    }
    (max, ifs)
}

/// Parses one file. Never fails: what cannot be read becomes a `syntax` diagnostic
/// and parsing resumes at the next top-level declaration.
pub fn parse(text: &str, file: FileId) -> Parse {
    parse_cached(text, file, None)
}

/// [`parse`], taking the parse of each declaration whose text `cache` has seen
/// (and remembering the others): a document re-read after an edit parses only
/// the declarations that changed.
pub fn parse_cached(text: &str, file: FileId, cache: Option<&ParseCache>) -> Parse {
    let (pieces, comments) = scan(text, file);
    let mut out = Parse {
        file: ast::File {
            decls: Vec::new(),
            comments,
        },
        diagnostics: Vec::new(),
    };
    if text.len() > limits::MAX_FILE_BYTES {
        out.diagnostics.push(
            Diagnostic::error(
                Code::LimitExceeded,
                Span::new(file, 0, 0),
                format!(
                    "this file is {} bytes; Plumb reads files of at most {} bytes",
                    text.len(),
                    limits::MAX_FILE_BYTES
                ),
            )
            .with_help("split the plan into several files joined with `import`"),
        );
        return out;
    }
    // Anything before the first declaration must be blank or comments.
    let first = pieces.first().map(|c| c.start).unwrap_or(text.len());
    if let Some(junk) = leading_junk(text.get(..first).unwrap_or(""), file) {
        out.diagnostics.push(junk);
    }
    if pieces.len() > limits::MAX_DECLS {
        out.diagnostics.push(
            Diagnostic::error(
                Code::LimitExceeded,
                Span::new(file, 0, 0),
                format!(
                    "this file has {} declarations; Plumb reads at most {} per file",
                    pieces.len(),
                    limits::MAX_DECLS
                ),
            )
            .with_help("split the plan into several files joined with `import`"),
        );
        return out;
    }
    let big = text.len() >= PARALLEL_BYTES
        && pieces.len() > 1
        && std::thread::available_parallelism().is_ok_and(|n| n.get() > 1);
    if !big {
        for chunk in pieces {
            let src = text.get(chunk.start..chunk.end).unwrap_or("");
            place(&mut out, text, file, chunk, memo::chunk(src, cache));
        }
        return out;
    }
    // A large file, read once (the memo serves editors re-reading a file as it is
    // typed): declarations parse independently, the second half on another
    // thread. Joined in order, the result is the same either way.
    let half = text.len() / 2;
    let mid = pieces
        .iter()
        .position(|c| c.start >= half)
        .unwrap_or(pieces.len());
    let (first, second) = pieces.split_at(mid);
    let parse_all = |chunks: &[Chunk]| -> Parse {
        let mut part = Parse::default();
        for &chunk in chunks {
            let src = text.get(chunk.start..chunk.end).unwrap_or("");
            place(&mut part, text, file, chunk, parse_chunk(src));
        }
        part
    };
    let (head, tail) = std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .stack_size(WORKER_STACK)
            .spawn_scoped(scope, || parse_all(second));
        let head = parse_all(first);
        let tail = worker.ok().and_then(|w| w.join().ok());
        (head, tail)
    });
    // No thread to be had: the second half here.
    let tail = tail.unwrap_or_else(|| parse_all(second));
    for part in [head, tail] {
        out.file.decls.extend(part.file.decls);
        out.diagnostics.extend(part.diagnostics);
    }
    out
}

/// Files at least this large are parsed on two threads, without the memo.
const PARALLEL_BYTES: usize = 512 * 1024;
/// Stack of the second parsing thread (pest recurses; nesting is bounded).
const WORKER_STACK: usize = 16 * 1024 * 1024;

/// Moves a declaration's parse into place in `out`: its spans into the file.
fn place(out: &mut Parse, text: &str, file: FileId, chunk: Chunk, mut parsed: ChunkParse) {
    let to = shift::To {
        file,
        delta: u32::try_from(chunk.start).unwrap_or(u32::MAX),
    };
    parsed.diagnostics.shift(to);
    out.diagnostics.extend(parsed.diagnostics);
    if let Some((mut kind, end)) = parsed.decl {
        kind.shift(to);
        out.file.decls.push(ast::Decl {
            kind,
            span: Span::new(file, chunk.start, chunk.start + end),
            doc: doc_above(text, chunk.start),
        });
    }
}

/// What one declaration's text parses to, with spans from offset 0 of that text
/// in file 0 (moved into place with [`shift`]).
#[derive(Debug, Clone, Default)]
struct ChunkParse {
    /// The declaration and the length of its text without trailing comments.
    decl: Option<(ast::DeclKind, usize)>,
    /// Syntax errors.
    diagnostics: Vec<Diagnostic>,
}

/// Parses one declaration's text on its own, at offset 0 of file 0.
fn parse_chunk(src: &str) -> ChunkParse {
    let file = FileId(0);
    let mut out = ChunkParse::default();
    let (depth, ifs) = nesting(src);
    if depth > limits::MAX_NESTING || ifs > limits::MAX_NESTING {
        let end = src.find('\n').unwrap_or(src.len());
        out.diagnostics.push(
            Diagnostic::error(
                Code::LimitExceeded,
                Span::new(file, 0, end),
                format!(
                    "this declaration nests {} levels deep; Plumb accepts at most {}",
                    depth.max(ifs),
                    limits::MAX_NESTING
                ),
            )
            .with_help("name intermediate results as metrics to flatten the formula"),
        );
        return out;
    }
    // Trivially shaped items are read without pest (see `fast`).
    if let Some(parsed) = fast::chunk(src) {
        return parsed;
    }
    // Plain `step` bodies are read without pest (see `plain_steps`); if the rest
    // does not parse, the declaration is parsed again whole so the error reads as
    // usual.
    let (cut_text, cuts) = match plain_steps::cut(src) {
        Some((text, cuts)) => (Some(text), cuts),
        None => (None, Vec::new()),
    };
    let (parsed, cuts) = match cut_text
        .as_deref()
        .map(|text| PlumbParser::parse(Rule::declaration, text))
    {
        Some(Ok(pairs)) => (Ok(pairs), cuts),
        _ => (PlumbParser::parse(Rule::declaration, src), Vec::new()),
    };
    match parsed {
        Ok(mut pairs) => {
            let Some(decl_pair) = pairs.next().and_then(|p| p.into_inner().next()) else {
                return out;
            };
            let mut lw = lower::Lowerer::with_cuts(file, 0, cuts);
            match lw.decl(decl_pair) {
                Some(mut kind) => {
                    nested_docs(&mut kind, src);
                    let end = src.trim_end().len().min(decl_end(src));
                    out.decl = Some((kind, end));
                }
                // Too deep: already reported as `limit-exceeded`.
                None if lw.too_deep => {}
                None => out.diagnostics.push(Diagnostic::error(
                    Code::Syntax,
                    Span::new(file, 0, first_word(src).len()),
                    "this declaration could not be read",
                )),
            }
            out.diagnostics.extend(lw.diagnostics);
        }
        Err(e) => {
            out.diagnostics.push(pest_error(e, src, file, 0));
            // One cause, one error: the declaration still declares its name (and
            // its unit, when written), so its uses do not report it as undefined.
            if let Some(kind) = salvage::salvage(src) {
                let end = src.trim_end().len().min(decl_end(src));
                out.decl = Some((kind, end));
            }
        }
    }
    out
}

pub use memo::ParseCache;

/// The memo of declaration parses: the same text always parses the same way, so
/// a file re-analysed after an edit parses only the declarations that changed.
mod memo {
    use super::{parse_chunk, ChunkParse};
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};

    /// Bytes of declaration text kept before the memo starts afresh (the ASTs
    /// take a few times as much).
    const MAX_BYTES: usize = 16 * 1024 * 1024;
    /// Declarations longer than this are parsed every time.
    const MAX_TEXT: usize = 64 * 1024;

    #[derive(Default)]
    struct Memo {
        parses: HashMap<String, Arc<ChunkParse>>,
        bytes: usize,
    }

    /// Declaration parses kept between parses of the same document: owned by
    /// whoever re-reads a document (the language server keeps one per entry
    /// file; `plumb fmt` one for its two parses). Clones share the memo.
    #[derive(Clone, Default)]
    pub struct ParseCache {
        memo: Arc<Mutex<Memo>>,
    }

    impl ParseCache {
        /// How many declaration parses it holds.
        #[cfg(test)]
        pub fn len(&self) -> usize {
            self.memo.lock().map(|m| m.parses.len()).unwrap_or(0)
        }

        /// True when it holds no parse yet.
        #[cfg(test)]
        pub fn is_empty(&self) -> bool {
            self.len() == 0
        }
    }

    impl std::fmt::Debug for ParseCache {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            let n = self.memo.lock().map(|m| m.parses.len()).unwrap_or(0);
            write!(f, "ParseCache({n} declarations)")
        }
    }

    /// The parse of one declaration's text (from the cache when seen before).
    pub(super) fn chunk(src: &str, cache: Option<&ParseCache>) -> ChunkParse {
        let Some(cache) = cache.filter(|_| src.len() <= MAX_TEXT) else {
            return parse_chunk(src);
        };
        let memo = &cache.memo;
        let hit = memo.lock().ok().and_then(|m| m.parses.get(src).cloned());
        if let Some(p) = hit {
            return (*p).clone();
        }
        let parsed = parse_chunk(src);
        if let Ok(mut m) = memo.lock() {
            if m.bytes + src.len() > MAX_BYTES {
                *m = Memo::default();
            }
            m.bytes += src.len();
            m.parses.insert(src.to_string(), Arc::new(parsed.clone()));
        }
        parsed
    }
}

/// Doc comments of declarations nested in a block (initiative members, scenario
/// triggers).
fn nested_docs(kind: &mut ast::DeclKind, text: &str) {
    match kind {
        ast::DeclKind::Initiative(i) => {
            for (_, span, doc) in &mut i.members {
                *doc = doc_above(text, span.start as usize);
            }
        }
        ast::DeclKind::Scenario(sc) => {
            for (_, span, doc) in &mut sc.triggers {
                *doc = doc_above(text, span.start as usize);
            }
        }
        _ => {}
    }
}

/// Byte length of a chunk without trailing comments and blank lines.
fn decl_end(src: &str) -> usize {
    let mut end = 0usize;
    let mut offset = 0usize;
    for line in src.split_inclusive('\n') {
        let code = strip_comment(line).trim_end();
        if !code.is_empty() {
            end = offset + code.len();
        }
        offset += line.len();
    }
    end
}

fn leading_junk(text: &str, file: FileId) -> Option<Diagnostic> {
    let mut offset = 0usize;
    for line in text.split_inclusive('\n') {
        let code = strip_comment(line);
        let t = code.trim();
        if !t.is_empty() {
            let indent = code.len() - code.trim_start().len();
            let start = offset + indent;
            let word = first_word(t);
            let len = if word.is_empty() {
                t.chars().next().map(char::len_utf8).unwrap_or(1)
            } else {
                word.len()
            };
            let mut d = Diagnostic::error(
                Code::Syntax,
                Span::new(file, start, start + len),
                format!(
                    "expected a declaration, found `{}`",
                    if word.is_empty() {
                        t.chars().next().map(String::from).unwrap_or_default()
                    } else {
                        word.to_string()
                    }
                ),
            )
            .with_label("not a declaration");
            let close = crate::suggest::closest(word, DECL_KEYWORDS.iter().copied());
            d = match close {
                Some(k) => d.with_suggestion(k),
                None => d.with_help(format!(
                    "a declaration starts with one of: {}",
                    DECL_KEYWORDS.join(", ")
                )),
            };
            return Some(d);
        }
        offset += line.len();
    }
    None
}

/// Words for a grammar rule, as used in "expected …" messages.
pub(crate) fn describe_rule(rule: Rule) -> &'static str {
    use Rule as R;
    match rule {
        R::name | R::qname | R::ref_expr | R::name_list | R::fn_params => "a name",
        R::string | R::string_inner | R::title => "a text in double quotes",
        R::number | R::integer | R::literal | R::step_number => "a number",
        R::period | R::month_period | R::quarter_period | R::year_period | R::expr_period => {
            "a period such as 2026-01"
        }
        R::period_range => "a period range such as 2026-01 .. 2026-06",
        R::unit_expr | R::unit_factor | R::unit_percent | R::unit_one | R::lit_unit => "a unit",
        R::unit_op => "`*` or `/`",
        R::expr
        | R::or_expr
        | R::and_expr
        | R::not_expr
        | R::cmp_expr
        | R::add_expr
        | R::mul_expr
        | R::unary
        | R::postfix
        | R::primary
        | R::paren
        | R::call
        | R::if_expr
        | R::step_expr => "an expression",
        R::step_entry => "a step entry such as `2026-01: 5`",
        R::neg | R::add_op => "`+` or `-`",
        R::mul_op => "`*` or `/`",
        R::cmp_op => "a comparison (`<`, `<=`, `>`, `>=`, `==`, `!=`)",
        R::aggregation => "`=`",
        R::item_block => "`{`",
        R::declaration
        | R::plan_decl
        | R::import_decl
        | R::unit_decl
        | R::department_decl
        | R::role_decl
        | R::term_decl
        | R::fn_decl
        | R::objective_decl
        | R::assumption_decl
        | R::dependency_decl
        | R::risk_decl
        | R::request_decl
        | R::raci_decl
        | R::initiative_decl
        | R::scenario_decl
        | R::dimension_decl
        | R::budget_decl => "a declaration",
        R::spend_stmt | R::kw_spend => "`spend`",
        R::amount_stmt | R::kw_amount => "`amount`",
        R::contingency_stmt | R::kw_contingency => "`contingency`",
        R::reallocation_stmt | R::kw_reallocation => "`reallocation`",
        R::draw_stmt | R::kw_draw => "`draw`",
        R::reallocate_stmt | R::kw_reallocate => "`reallocate`",
        R::cost_stmt | R::kw_cost => "`cost`",
        R::return_stmt | R::kw_return => "`return`",
        R::kw_budget => "`budget`",
        R::kw_per => "`per`",
        R::kw_quarter => "`quarter`",
        R::kw_year => "`year`",
        R::kw_up => "`up`",
        R::member_decl => "a member such as `paid \"Paid search\"`",
        R::member_table | R::member_entry => "a member table such as `{ paid: 60K, else: 0 }`",
        R::member_index => "`[member]`",
        R::by_clause => "`by`",
        R::kw_dimension => "`dimension`",
        R::driver_decl | R::kw_driver => "`driver`",
        R::metric_decl | R::kw_metric => "`metric`",
        R::trigger_decl | R::kw_trigger => "`trigger`",
        R::override_stmt => "an override such as `name = value`",
        R::std_path => "`std.NAME`",
        R::EOI => "the end of the declaration",
        R::currency_stmt | R::kw_currency => "`currency`",
        R::periods_stmt | R::kw_periods => "`periods`",
        R::base_stmt | R::kw_base => "`base`",
        R::lead_stmt | R::kw_lead => "`lead`",
        R::poc_stmt | R::kw_poc => "`poc`",
        R::owner_stmt | R::kw_owner => "`owner`",
        R::means_stmt | R::kw_means => "`means`",
        R::range_stmt | R::kw_range => "`range`",
        R::supports_stmt | R::kw_supports => "`supports`",
        R::target_stmt | R::kw_target => "`target`",
        R::change_stmt | R::kw_change => "`change`",
        R::maintain_stmt | R::kw_maintain => "`maintain`",
        R::counterbalance_stmt | R::kw_counterbalance => "`counterbalance`",
        R::depends_stmt | R::kw_depends => "`depends on`",
        R::indicator_stmt | R::kw_indicator => "`indicator`",
        R::evidence_stmt | R::kw_evidence => "`evidence`",
        R::due_stmt | R::kw_due => "`due`",
        R::confidence_stmt | R::kw_confidence => "`confidence`",
        R::likelihood_stmt | R::kw_likelihood => "`likelihood`",
        R::impact_stmt | R::kw_impact => "`impact`",
        R::mitigation_stmt | R::kw_mitigation => "`mitigation`",
        R::from_stmt | R::kw_from => "`from`",
        R::ask_stmt | R::kw_ask => "`ask`",
        R::grant_stmt | R::kw_grant => "`grant`",
        R::decision_stmt | R::kw_decision => "`decision`",
        R::approved_stmt | R::kw_approved => "`approved by`",
        R::responsible_stmt | R::kw_responsible => "`responsible`",
        R::accountable_stmt | R::kw_accountable => "`accountable`",
        R::consulted_stmt | R::kw_consulted => "`consulted`",
        R::informed_stmt | R::kw_informed => "`informed`",
        R::start_stmt | R::kw_start => "`start`",
        R::when_stmt | R::kw_when => "`when`",
        R::after_stmt | R::kw_after => "`after`",
        R::set_action | R::kw_set => "`set`",
        R::pause_action | R::kw_pause => "`pause`",
        R::kw_plan => "`plan`",
        R::kw_import => "`import`",
        R::kw_unit => "`unit`",
        R::kw_department => "`department`",
        R::kw_role => "`role`",
        R::kw_in => "`in`",
        R::kw_term => "`term`",
        R::kw_stock => "`stock`",
        R::kw_flow => "`flow`",
        R::kw_average => "`average`",
        R::kw_formula => "`formula`",
        R::kw_to => "`to`",
        R::kw_fn => "`fn`",
        R::kw_objective => "`objective`",
        R::kw_assumption => "`assumption`",
        R::kw_by => "`by`",
        R::kw_on => "`on`",
        R::kw_dependency => "`dependency`",
        R::kw_risk => "`risk`",
        R::kw_request => "`request`",
        R::kw_raci => "`raci`",
        R::kw_initiative => "`initiative`",
        R::kw_scenario => "`scenario`",
        R::kw_extends => "`extends`",
        R::kw_for => "`for`",
        R::kw_month => "`months`, `quarters`, `years` or `periods`",
        R::kw_if => "`if`",
        R::kw_then => "`then`",
        R::kw_else => "`else`",
        R::kw_and => "`and`",
        R::kw_or => "`or`",
        R::kw_not => "`not`",
        R::kw_step => "`step`",
        _ => "something else",
    }
}

/// The token found at `pos`, for "found …" in messages.
fn found_at(src: &str, pos: usize) -> String {
    let rest = src.get(pos..).unwrap_or("");
    let Some(ch) = rest.chars().next() else {
        return "the end of the declaration".into();
    };
    if ch.is_ascii_alphanumeric() || ch == '_' {
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
            .unwrap_or(rest.len());
        format!("`{}`", rest.get(..end).unwrap_or(""))
    } else if ch == '\n' || ch == '\r' {
        "the end of the line".into()
    } else {
        format!("`{ch}`")
    }
}

/// The token just before `pos` (skipping blanks and comments), for "after …".
fn token_before(src: &str, pos: usize) -> Option<String> {
    let before = src.get(..pos)?;
    // Drop comments on the lines before.
    let mut code = String::new();
    for line in before.split_inclusive('\n') {
        code.push_str(strip_comment(line));
        if line.ends_with('\n') && !strip_comment(line).ends_with('\n') {
            code.push('\n');
        }
    }
    let t = code.trim_end();
    let last = t.chars().last()?;
    if last.is_ascii_alphanumeric() || last == '_' || last == '%' || last == '"' {
        let start = t
            .rfind(|c: char| c.is_whitespace() || "(){},:=+-*/<>".contains(c))
            .map(|i| i + 1)
            .unwrap_or(0);
        let word = t.get(start..)?;
        if word.chars().count() > 24 {
            return None;
        }
        Some(format!("`{word}`"))
    } else {
        Some(format!("`{last}`"))
    }
}

fn pest_error(e: pest::error::Error<Rule>, src: &str, file: FileId, base: usize) -> Diagnostic {
    use pest::error::{ErrorVariant, InputLocation};
    let pos = match e.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let mut expected: Vec<&'static str> = match &e.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            positives.iter().map(|r| describe_rule(*r)).collect()
        }
        ErrorVariant::CustomError { .. } => Vec::new(),
    };
    // `a declaration` comes from the SOI; say something more useful.
    let mut seen = std::collections::HashSet::new();
    expected.retain(|x| seen.insert(*x) && *x != "something else");
    if expected.contains(&"an expression") {
        expected.retain(|x| {
            !matches!(
                *x,
                "a name"
                    | "a number"
                    | "a period such as 2026-01"
                    | "`if`"
                    | "`step`"
                    | "`not`"
                    | "`+` or `-`"
            ) || *x == "an expression"
        });
    }
    if base == 0 {
        if let Some(d) = hints::hint(src, pos, &expected, file) {
            return d;
        }
    }
    let found = found_at(src, pos);
    let list = match expected.len() {
        0 => "something else".to_string(),
        1 => expected.first().copied().unwrap_or_default().to_string(),
        _ => {
            let shown: Vec<&str> = expected.iter().take(6).copied().collect();
            let (last, init) = shown
                .split_last()
                .map(|(l, i)| (*l, i.to_vec()))
                .unwrap_or(("", vec![]));
            format!("{} or {}", init.join(", "), last)
        }
    };
    let after = token_before(src, pos)
        .map(|t| format!(" after {t}"))
        .unwrap_or_default();
    let len = match src.get(pos..).and_then(|r| r.chars().next()) {
        Some(c) if c.is_ascii_alphanumeric() || c == '_' => src
            .get(pos..)
            .and_then(|r| r.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')))
            .unwrap_or(1),
        Some(c) if c != '\n' => c.len_utf8(),
        _ => 0,
    };
    let span = Span::new(file, base + pos, base + pos + len);
    let mut d = Diagnostic::error(
        Code::Syntax,
        span,
        format!("expected {list}{after}, found {found}"),
    )
    .with_label(format!("expected {list}"));
    if found == "the end of the declaration" && src.matches('{').count() > src.matches('}').count()
    {
        d = d.with_help("a `{` is not closed: add the matching `}`");
    } else if (list == "`=`" || list == "`by` or `=`")
        && found.starts_with('`')
        && found.chars().nth(1).is_some_and(|c| c.is_alphabetic())
    {
        let before = src.get(..pos).unwrap_or("");
        let name_end = before.trim_end().len();
        d = d.with_help(format!(
            "a unit goes after a colon: `NAME: {} = …`",
            found.trim_matches('`')
        ));
        // In a driver's or metric's header (`driver price USD = 50`) the fix is sure.
        if matches!(first_word(src), "driver" | "metric") && !before.contains(['=', ':', '{']) {
            // The header as it should read, up to its block.
            let line = strip_comment(src.lines().next().unwrap_or(""));
            let line = line.split('{').next().unwrap_or("").trim_end();
            if let (Some(head), Some(tail)) = (line.get(..name_end), line.get(name_end..)) {
                if tail.contains('=') {
                    d = d.with_help(format!("a unit goes after a colon: `{head}:{tail}`"));
                }
            }
            d = d.with_fix(
                "Add `:` before the unit",
                Span::new(file, base + name_end, base + name_end),
                ":",
            );
        }
    } else if list.contains("a unit") {
        d = d.with_help("units are written like `USD`, `fte`, `USD/deal` or `%`");
    } else if list.contains("a period") {
        d = d.with_help(
            "periods are written `2026-01` (a month), `2026-Q1` (a quarter) or `2026` (a year)",
        );
    } else if list.contains("a text in double quotes") {
        d = d.with_help("write the title in double quotes, for example \"Revenue target\"");
    }
    d
}

#[cfg(test)]
mod tests {
    use super::{parse, parse_cached, ParseCache};
    use crate::source::FileId;

    #[test]
    fn a_parse_cache_belongs_to_its_owner() {
        let text = "plan p \"P\" {\n  currency USD\n  periods 2026-01 .. 2026-03\n  base base\n}\ndriver a = 1\ndriver b = a * 2\n";
        let cache = ParseCache::default();
        let first = parse_cached(text, FileId(0), Some(&cache));
        assert_eq!(cache.len(), 3);
        // An edit: only the changed declaration is new to the cache.
        let edited = text.replace("driver a = 1", "driver a = 2");
        let again = parse_cached(&edited, FileId(0), Some(&cache));
        assert_eq!(cache.len(), 4);
        assert_eq!(again.file.decls.len(), first.file.decls.len());
        assert_eq!(
            again.file.decls.get(2).map(|d| &d.kind),
            parse(&edited, FileId(0)).file.decls.get(2).map(|d| &d.kind)
        );
        // Another owner starts empty: nothing is shared through the process.
        let other = ParseCache::default();
        assert_eq!(other.len(), 0);
    }
}
