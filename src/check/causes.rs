//! One cause, one error: the last pass over a compilation's diagnostics, which
//! drops the ones that only repeat a cause already reported.
//!
//! Takes the parsed files, their sources and every diagnostic of the earlier
//! stages; edits the list in place. What it folds:
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

use crate::diagnostic::{Code, Diagnostic};
use crate::resolve::ParsedFile;
use crate::source::{SourceMap, Span};
use crate::syntax::ast::DeclKind;

/// Label of an `undefined-name` for an owner, RACI party or approver.
pub const PARTY_LABEL: &str = "not a declared party";

/// Most names listed in an import's help.
const LISTED: usize = 8;

/// Drops the diagnostics that repeat another's cause (see the module docs).
pub fn one_cause(files: &[ParsedFile], sources: &SourceMap, diags: &mut Vec<Diagnostic>) {
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
        || (d.is_error() && d.message.starts_with("cannot read `"))
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
                if d.primary.message == PARTY_LABEL
                    && d.help
                        .as_deref()
                        .is_some_and(|h| h.starts_with("did you mean")) =>
            {
                return true;
            }
            Code::UndefinedName => &mut names,
            // A unit no declared unit is close to (a near one is a typo).
            Code::UnknownUnit
                if d.help
                    .as_deref()
                    .is_some_and(|h| h.starts_with("declare it: `unit ")) =>
            {
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

/// The spans of every declaration, nested ones (scenario triggers, initiative
/// members) included.
fn decl_spans(files: &[ParsedFile]) -> Vec<Span> {
    let mut out = Vec::new();
    for f in files {
        for d in &f.ast.decls {
            out.push(d.span);
            match &d.kind {
                DeclKind::Scenario(s) => out.extend(s.triggers.iter().map(|t| t.1)),
                DeclKind::Initiative(i) => out.extend(i.members.iter().map(|m| m.1)),
                _ => {}
            }
        }
    }
    out
}

fn inside(inner: Span, outer: Span) -> bool {
    inner.file == outer.file && outer.start <= inner.start && inner.end <= outer.end
}

fn drop_owner_echoes(files: &[ParsedFile], diags: &mut Vec<Diagnostic>) {
    let undefined: Vec<(Span, bool)> = diags
        .iter()
        .filter(|d| d.code == Code::UndefinedName)
        .map(|d| (d.primary.span, d.primary.message == PARTY_LABEL))
        .collect();
    if undefined.is_empty() {
        return;
    }
    // Objectives a misspelt `supports` probably meant: not reported as lacking support.
    let meant: Vec<String> = diags
        .iter()
        .filter(|d| d.code == Code::UndefinedName && d.message.starts_with("no objective is named"))
        .filter_map(|d| d.help.as_deref())
        .filter_map(crate::analysis::fix::suggested_name)
        .map(|n| format!("`{n}`"))
        .collect();
    let spans = decl_spans(files);
    diags.retain(|d| {
        if d.code == Code::ObjectiveNotCascaded
            && meant
                .iter()
                .any(|m| d.message.contains(&format!("objective {m} ")))
        {
            return false;
        }
        // A warning about what a declaration lacks, when what it wrote for it
        // names nothing: `missing-owner` next to an undeclared owner, a top
        // objective whose `supports` is misspelt, a bet whose counterbalance is.
        let party_only = match d.code {
            Code::MissingOwner => true,
            Code::ObjectiveNotCascaded | Code::BetWithoutCounterbalance => false,
            _ => return true,
        };
        // The innermost declaration holding the warning.
        let decl = spans
            .iter()
            .filter(|s| inside(d.primary.span, **s))
            .min_by_key(|s| s.end - s.start);
        !decl.is_some_and(|decl| {
            undefined
                .iter()
                .any(|(b, party)| (*party || !party_only) && inside(*b, *decl))
        })
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
    let written = sources.get(entry).is_some_and(|s| {
        s.text.lines().any(|l| {
            let t = l.trim_start();
            t.strip_prefix("plan")
                .is_some_and(|r| r.starts_with([' ', '\t']))
        })
    });
    if broken && written {
        diags.retain(|d| {
            !(d.code == Code::InvalidPlan
                && d.primary.span.file == entry
                && d.message == "this file has no `plan` declaration")
        });
    }
}

fn fold_undeclared_units(diags: &mut Vec<Diagnostic>) {
    let mut first: Vec<(usize, Diagnostic)> = Vec::new();
    let mut keep: Vec<Diagnostic> = Vec::with_capacity(diags.len());
    for d in diags.drain(..) {
        let declare = d.code == Code::UnknownUnit
            && d.help
                .as_deref()
                .is_some_and(|h| h.starts_with("declare it: `unit "));
        if declare {
            let same = first.iter().find(|(_, f)| {
                f.primary.span.file == d.primary.span.file
                    && f.message == d.message
                    && f.help == d.help
            });
            if let Some(&(at, _)) = same {
                if let Some(kept) = keep.get_mut(at) {
                    kept.secondary.push(crate::diagnostic::Label {
                        span: d.primary.span,
                        message: "also used here".into(),
                    });
                }
                continue;
            }
            first.push((keep.len(), d.clone()));
        }
        keep.push(d);
    }
    *diags = keep;
}

/// The byte range of the top-level declaration around byte `at`: from the last
/// line at or before it that starts (in column 1) with a declaration keyword to
/// the next such line.
fn declaration_range(text: &str, at: usize) -> (usize, usize) {
    let mut start = 0usize;
    let mut end = text.len();
    let mut offset = 0usize;
    for line in text.split_inclusive('\n') {
        let word: String = line
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if crate::syntax::DECL_KEYWORDS.contains(&word.as_str()) {
            if offset <= at {
                start = offset;
            } else {
                end = offset;
                break;
            }
        }
        offset += line.len();
    }
    (start, end)
}

/// The ranges of the declarations that have a syntax error. An error at the
/// very end of a declaration (`found the end of the declaration`) sits at the
/// start of the next line: it belongs to the declaration before.
fn broken_ranges(sources: &SourceMap, diags: &[Diagnostic]) -> Vec<Span> {
    diags
        .iter()
        .filter(|d| d.code == Code::Syntax)
        .filter_map(|d| {
            let s = d.primary.span;
            let f = sources.get(s.file)?;
            let at = if s.start == s.end {
                s.start.saturating_sub(1)
            } else {
                s.start
            };
            let (a, b) = declaration_range(&f.text, at as usize);
            Some(Span::new(s.file, a, b))
        })
        .collect()
}

fn drop_unused_read_by_broken(sources: &SourceMap, diags: &mut Vec<Diagnostic>) {
    let broken = broken_ranges(sources, diags);
    if broken.is_empty() {
        return;
    }
    diags.retain(|d| {
        if d.code != Code::UnusedDriver {
            return true;
        }
        let name = sources.slice(d.primary.span);
        !broken.iter().any(|r| {
            sources
                .slice(*r)
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
                .any(|w| w == name || w.rsplit('.').next() == Some(name))
        })
    });
}

fn drop_warnings_on_broken(sources: &SourceMap, diags: &mut Vec<Diagnostic>) {
    let broken = broken_ranges(sources, diags);
    if broken.is_empty() {
        return;
    }
    diags.retain(|d| d.is_error() || !broken.iter().any(|r| inside(d.primary.span, *r)));
}
