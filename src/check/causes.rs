//! One cause, one error: the last pass over a compilation's diagnostics, which
//! drops the ones that only repeat a cause already reported.
//!
//! Takes the parsed files, their sources and every diagnostic of the earlier
//! stages; edits the list in place, deciding on each diagnostic's code,
//! [`Subject`](crate::diagnostic::Subject) and suggestion (never its text).
//! What it folds:
//!
//! - an import that cannot be read (`import-not-found`, `import-outside-root`, an
//!   unreadable file): the names and units it would have defined are not reported
//!   one by one as `undefined-name` or `unknown-unit`; the import's help counts
//!   and names them instead (an owner close to a declared party stays: a typo);
//! - `missing-owner` on a declaration whose `owner` names an undeclared party
//!   (that is already `undefined-name`, with a did-you-mean), and likewise
//!   `objective-not-cascaded` or `bet-without-counterbalance` on a declaration
//!   with an undefined name (a misspelt `supports` or `counterbalance`);
//! - "this file has no `plan` declaration" when the entry file's `plan` block is
//!   there but has a syntax error;
//! - a warning on a declaration that has a syntax error (what it lacks may be in
//!   the part that did not parse);
//! - `unused-driver` for a driver named in a declaration that does not parse
//!   (it may well read it);
//! - the same undeclared unit used again in the same file: one `unknown-unit`
//!   (whose fix, declaring the unit, fixes every use), the other uses labelled.

use crate::diagnostic::{Code, Diagnostic, Subject};
use crate::resolve::ParsedFile;
use crate::source::{SourceMap, Span};
use crate::syntax::ast::DeclKind;
use std::collections::{HashMap, HashSet};

/// Label of an `undefined-name` for an owner, RACI party or approver.
pub(crate) const PARTY_LABEL: &str = "not a declared party";

/// Most other uses labelled on a folded `unknown-unit`.
const MAX_ALSO: usize = 8;

/// Most names listed in an import's help.
const LISTED: usize = 8;

/// Drops the diagnostics that repeat another's cause (see the module docs).
pub(crate) fn one_cause(files: &[ParsedFile], sources: &SourceMap, diags: &mut Vec<Diagnostic>) {
    drop_owner_echoes(files, diags);
    fold_failed_imports(sources, diags);
    fold_undeclared_units(diags);
    drop_missing_plan_after_syntax(files, sources, diags);
    drop_unused_read_by_broken(sources, diags);
    drop_warnings_on_broken(sources, diags);
}

/// True for the diagnostic of an import whose file could not be read.
fn is_failed_import(d: &Diagnostic) -> bool {
    matches!(d.code, Code::ImportNotFound | Code::ImportOutsideRoot)
        || (d.is_error() && d.is_about(&Subject::UnreadableImport))
}

fn fold_failed_imports(sources: &SourceMap, diags: &mut Vec<Diagnostic>) {
    let Some(first) = diags.iter().position(is_failed_import) else {
        return;
    };
    let mut names: Vec<String> = Vec::new();
    let mut units: Vec<String> = Vec::new();
    let mut uses = 0usize;
    diags.retain(|d| {
        let list = match d.code {
            // An owner close to a declared party is a typo, whatever the import held.
            Code::UndefinedName
                if d.is_about(&Subject::UndeclaredParty) && d.suggestion.is_some() =>
            {
                return true;
            }
            Code::UndefinedName => &mut names,
            // A unit no declared unit is close to (a near one is a typo).
            Code::UnknownUnit if matches!(d.subject, Some(Subject::UndeclaredUnit(_))) => {
                &mut units
            }
            _ => return true,
        };
        uses += 1;
        let name = sources.slice(d.primary.span).to_string();
        if !list.contains(&name) {
            list.push(name);
        }
        false
    });
    if names.is_empty() && units.is_empty() {
        return;
    }
    let Some(d) = diags.get_mut(first) else {
        return;
    };
    let all: Vec<String> = names
        .iter()
        .map(|n| format!("`{n}`"))
        .chain(units.iter().map(|u| format!("unit `{u}`")))
        .collect();
    let shown = all
        .iter()
        .take(LISTED)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    let more = match all.len().saturating_sub(LISTED) {
        0 => String::new(),
        n => format!(" and {n} more"),
    };
    let count = match (names.len(), units.len()) {
        (n, 0) => plural(n, "name"),
        (0, u) => plural(u, "unit"),
        (n, u) => format!("{} and {}", plural(n, "name"), plural(u, "unit")),
    };
    let note = format!(
        "until it is imported, {count} the plan uses ({} in all) are not defined: {shown}{more}",
        plural(uses, "use")
    );
    d.help = Some(match d.help.take() {
        Some(h) => format!("{h}; {note}"),
        None => note,
    });
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Every declaration's span, for finding the innermost declaration around a
/// span in logarithmic time: top-level declarations sorted by place, each with
/// its nested ones (scenario triggers, initiative members).
struct Decls(Vec<(Span, Vec<Span>)>);

impl Decls {
    fn new(files: &[ParsedFile]) -> Decls {
        let mut out = Vec::new();
        for f in files {
            for d in &f.ast.decls {
                let nested = match &d.kind {
                    DeclKind::Scenario(s) => s.triggers.iter().map(|t| t.1).collect(),
                    DeclKind::Initiative(i) => i.members.iter().map(|m| m.1).collect(),
                    _ => Vec::new(),
                };
                out.push((d.span, nested));
            }
        }
        out.sort_by_key(|(s, _)| (s.file, s.start));
        Decls(out)
    }

    /// The innermost declaration holding `span`.
    fn innermost(&self, span: Span) -> Option<Span> {
        let i = self
            .0
            .partition_point(|(s, _)| (s.file, s.start) <= (span.file, span.start));
        let (top, nested) = self.0.get(i.checked_sub(1)?)?;
        if !inside(span, *top) {
            return None;
        }
        Some(
            nested
                .iter()
                .copied()
                .find(|n| inside(span, *n))
                .unwrap_or(*top),
        )
    }
}

fn inside(inner: Span, outer: Span) -> bool {
    inner.file == outer.file && outer.start <= inner.start && inner.end <= outer.end
}

fn drop_owner_echoes(files: &[ParsedFile], diags: &mut Vec<Diagnostic>) {
    if !diags.iter().any(|d| d.code == Code::UndefinedName) {
        return;
    }
    let decls = Decls::new(files);
    // Declarations with an undefined name, and those where it is a party.
    let mut with_undefined = HashSet::new();
    let mut with_bad_party = HashSet::new();
    // Objectives a misspelt `supports` probably meant: not reported as lacking support.
    let mut meant = HashSet::new();
    for d in diags.iter().filter(|d| d.code == Code::UndefinedName) {
        if let Some(decl) = decls.innermost(d.primary.span) {
            with_undefined.insert(decl);
            if d.is_about(&Subject::UndeclaredParty) {
                with_bad_party.insert(decl);
            }
        }
        if let (true, Some(n)) = (d.is_about(&Subject::NoSuchObjective), &d.suggestion) {
            meant.insert(n.clone());
        }
    }
    diags.retain(|d| {
        // A warning about what a declaration lacks, when what it wrote for it
        // names nothing: `missing-owner` next to an undeclared owner, a top
        // objective whose `supports` is misspelt, a bet whose counterbalance is.
        let set = match d.code {
            Code::MissingOwner => &with_bad_party,
            Code::ObjectiveNotCascaded => {
                if let Some(Subject::TopObjective(n)) = &d.subject {
                    if meant.contains(n) {
                        return false;
                    }
                }
                &with_undefined
            }
            Code::BetWithoutCounterbalance => &with_undefined,
            _ => return true,
        };
        !decls
            .innermost(d.primary.span)
            .is_some_and(|decl| set.contains(&decl))
    });
}

fn drop_missing_plan_after_syntax(
    files: &[ParsedFile],
    sources: &SourceMap,
    diags: &mut Vec<Diagnostic>,
) {
    let Some(entry) = files.iter().find(|f| f.entry).map(|f| f.file) else {
        return;
    };
    let broken = diags
        .iter()
        .any(|d| d.code == Code::Syntax && d.primary.span.file == entry);
    let missing = diags
        .iter()
        .any(|d| d.code == Code::InvalidPlan && d.is_about(&Subject::NoPlanDeclaration));
    if !(broken && missing) {
        return;
    }
    let written = sources.get(entry).is_some_and(|s| {
        s.text.lines().any(|l| {
            let t = l.trim_start();
            t.strip_prefix("plan")
                .is_some_and(|r| r.starts_with([' ', '\t']))
        })
    });
    if written {
        diags.retain(|d| {
            !(d.code == Code::InvalidPlan
                && d.primary.span.file == entry
                && d.is_about(&Subject::NoPlanDeclaration))
        });
    }
}

fn fold_undeclared_units(diags: &mut Vec<Diagnostic>) {
    // (file, unit) of the first report → its index in `keep`.
    let mut first: HashMap<(crate::source::FileId, String), usize> = HashMap::new();
    let mut keep: Vec<Diagnostic> = Vec::with_capacity(diags.len());
    for d in diags.drain(..) {
        let unit = match (&d.code, &d.subject) {
            (Code::UnknownUnit, Some(Subject::UndeclaredUnit(unit))) => Some(unit.clone()),
            _ => None,
        };
        if let Some(unit) = unit {
            let key = (d.primary.span.file, unit);
            if let Some(kept) = first.get(&key).and_then(|&at| keep.get_mut(at)) {
                if kept.secondary.len() >= MAX_ALSO {
                    continue;
                }
                kept.secondary.push(crate::diagnostic::Label {
                    span: d.primary.span,
                    message: "also used here".into(),
                });
                continue;
            }
            first.insert(key, keep.len());
        }
        keep.push(d);
    }
    *diags = keep;
}

/// Where each top-level declaration starts: every line that starts (in column
/// 1) with a declaration keyword.
fn decl_starts(text: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut offset = 0usize;
    for line in text.split_inclusive('\n') {
        let end = line
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(line.len());
        if crate::syntax::DECL_KEYWORDS.contains(&line.get(..end).unwrap_or("")) {
            out.push(offset);
        }
        offset += line.len();
    }
    out
}

/// The ranges of the declarations that have a syntax error (from a line starting
/// with a declaration keyword to the next), sorted. An error at the very end of
/// a declaration (`found the end of the declaration`) sits at the start of the
/// next line: it belongs to the declaration before.
fn broken_ranges(sources: &SourceMap, diags: &[Diagnostic]) -> Vec<Span> {
    let mut starts: HashMap<crate::source::FileId, Vec<usize>> = HashMap::new();
    let mut out: Vec<Span> = Vec::new();
    for d in diags.iter().filter(|d| d.code == Code::Syntax) {
        let s = d.primary.span;
        let Some(f) = sources.get(s.file) else {
            continue;
        };
        let starts = starts.entry(s.file).or_insert_with(|| decl_starts(&f.text));
        let at = if s.start == s.end {
            s.start.saturating_sub(1)
        } else {
            s.start
        } as usize;
        let i = starts.partition_point(|&x| x <= at);
        let a = i
            .checked_sub(1)
            .and_then(|j| starts.get(j))
            .copied()
            .unwrap_or(0);
        let b = starts.get(i).copied().unwrap_or(f.text.len());
        out.push(Span::new(s.file, a, b));
    }
    out.sort_by_key(|r| (r.file, r.start));
    out.dedup();
    out
}

/// True when `span` lies in one of the sorted, disjoint `ranges`.
fn in_ranges(span: Span, ranges: &[Span]) -> bool {
    let i = ranges.partition_point(|r| (r.file, r.start) <= (span.file, span.start));
    i.checked_sub(1)
        .and_then(|j| ranges.get(j))
        .is_some_and(|r| inside(span, *r))
}

fn drop_unused_read_by_broken(sources: &SourceMap, diags: &mut Vec<Diagnostic>) {
    let broken = broken_ranges(sources, diags);
    if broken.is_empty() {
        return;
    }
    // Every word of the broken declarations (and the last part of `a.b`).
    let mut words: HashSet<&str> = HashSet::new();
    for r in &broken {
        for w in sources
            .slice(*r)
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
        {
            words.insert(w);
            if let Some(last) = w.rsplit('.').next() {
                words.insert(last);
            }
        }
    }
    diags
        .retain(|d| d.code != Code::UnusedDriver || !words.contains(sources.slice(d.primary.span)));
}

fn drop_warnings_on_broken(sources: &SourceMap, diags: &mut Vec<Diagnostic>) {
    let broken = broken_ranges(sources, diags);
    if broken.is_empty() {
        return;
    }
    diags.retain(|d| d.is_error() || !in_ranges(d.primary.span, &broken));
}
