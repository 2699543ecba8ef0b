//! Semantic diff: two compiled versions of a plan → what changed, in the terms a
//! reviewer cares about.
//!
//! [`diff`] takes the old and the new [`Compilation`] (either may be empty, for a
//! plan that was added or deleted) and gives back a [`PlanDiff`]:
//!
//! - **declarations** added, removed, changed (old → new canonical text, so a
//!   change of layout or comments is no change) and renamed (a removed and an
//!   added declaration of one kind whose text differs only by the name);
//! - **targets**: every objective's targets in every scenario, projected value and
//!   gap before → after, and whether the target *flips* between met and missed;
//! - **values**: every driver and metric whose values move, with its total over the
//!   compared periods (the item's roll-up, [`crate::eval::window_value`]: flows
//!   sum, stocks take the last period, averages average, formulas apply the
//!   formula to their operands' totals), the absolute and relative change,
//!   biggest movers first;
//! - **callouts**: assumptions (bets, conditions, counterbalances, dependencies),
//!   owners, RACI letters, scenarios, dependency dates and risk likelihoods that
//!   changed, named one by one;
//! - **trigger firings** that moved, and **diagnostics** the change introduces or
//!   fixes.
//!
//! When the horizon changes, values are compared over the periods both versions
//! share ([`HorizonChange`]). Renderers live in `diff/render.rs`; the JSON shape is
//! the serde form of [`PlanDiff`] (exact decimal strings).

mod render;

pub use render::{render_human, render_markdown, render_markdown_many};

use crate::compile::Compilation;
use crate::diagnostic::{Diagnostic, JsonDiagnostic};
use crate::ir::Plan;
use crate::outcome::targets::TargetOutcome;
use crate::outcome::Outcomes;
use crate::present::exact;
use crate::syntax::ast::{self, DeclKind};
use crate::units::Unit;
use rust_decimal::Decimal;
use serde::{Serialize, Serializer};
use std::collections::{BTreeMap, HashMap};

/// Labels for the two versions (file names, `REV:path`).
#[derive(Debug, Clone, Default)]
pub struct DiffOptions {
    /// How to name the old version.
    pub old_label: String,
    /// How to name the new version.
    pub new_label: String,
}

/// Everything that changed between two versions of a plan.
#[derive(Debug, Clone, Serialize)]
pub struct PlanDiff {
    /// The old version.
    pub old: Side,
    /// The new version.
    pub new: Side,
    /// One-line headlines, most important first.
    pub summary: Vec<String>,
    /// Set when the horizon changed.
    pub(crate) horizon: Option<HorizonChange>,
    /// Declarations added, removed, changed or renamed.
    pub declarations: Vec<DeclChange>,
    /// Assumptions, counterbalances, owners, RACI and other named changes.
    pub(crate) callouts: Vec<Callout>,
    /// Per scenario: targets, moved values, trigger firings.
    pub scenarios: Vec<ScenarioDiff>,
    /// Diagnostics introduced or fixed.
    pub(crate) diagnostics: DiagnosticsDiff,
    /// Why something could not be compared.
    pub(crate) notes: Vec<String>,
}

/// One version of the plan.
#[derive(Debug, Clone, Serialize)]
pub struct Side {
    /// How the version is named (`plan.plumb`, `origin/main:plan.plumb`).
    pub label: String,
    /// False when the file does not exist in this version.
    pub exists: bool,
    /// The plan's name.
    pub(crate) plan: Option<String>,
    /// The horizon, `2026-01 .. 2026-12`.
    pub(crate) periods: Option<String>,
    /// Number of errors.
    pub errors: usize,
    /// Number of warnings.
    pub(crate) warnings: usize,
}

/// A change of horizon.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct HorizonChange {
    /// Old horizon.
    pub old: String,
    /// New horizon.
    pub new: String,
    /// The periods both share, which values are compared over (None: no overlap).
    pub(crate) compared: Option<String>,
}

/// How a declaration changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// Only in the new version.
    Added,
    /// Only in the old version.
    Removed,
    /// In both, with different text.
    Changed,
    /// Same declaration under a new name.
    Renamed,
}

/// One declaration that changed.
#[derive(Debug, Clone, Serialize)]
pub struct DeclChange {
    /// What happened.
    pub change: ChangeKind,
    /// The declaration keyword (`driver`, `scenario`, …).
    pub(crate) kind: String,
    /// Its name (the new name for a rename).
    pub(crate) name: String,
    /// The old name, for a rename.
    pub(crate) old_name: Option<String>,
    /// The file it is in (the new file, or the old one when removed).
    pub(crate) file: String,
    /// Canonical old text.
    pub old: Option<String>,
    /// Canonical new text.
    pub new: Option<String>,
    /// True when the text differs only by names renamed elsewhere in the diff.
    pub(crate) only_renames: bool,
}

/// A change worth naming on its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Callout {
    /// `assumption`, `counterbalance`, `owner`, `raci`, `scenario`, `dependency`,
    /// `risk` or `objective`.
    pub(crate) topic: String,
    /// The declaration concerned.
    pub(crate) name: String,
    /// What changed, in words.
    pub(crate) text: String,
}

/// Whether a scenario is in both versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Presence {
    /// In both.
    Both,
    /// New.
    Added,
    /// Gone.
    Removed,
}

/// One scenario's changes.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioDiff {
    /// The scenario's name.
    pub name: String,
    /// True for the new version's base scenario.
    pub(crate) is_base: bool,
    /// In both versions, or only one.
    pub presence: Presence,
    /// Every target of every objective, before and after.
    pub(crate) targets: Vec<TargetChange>,
    /// Drivers and metrics whose values moved (or that appeared or vanished),
    /// biggest movers first.
    pub items: Vec<ItemChange>,
    /// Triggers whose firing moved.
    pub(crate) triggers: Vec<TriggerChange>,
}

/// One target before and after.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TargetChange {
    /// Objective name (new name when renamed).
    pub(crate) objective: String,
    /// The target as written in the new version (or the old, when removed).
    pub(crate) target: String,
    /// The old text when it changed.
    pub(crate) old_target: Option<String>,
    /// Outcome in the old version.
    pub(crate) before: Option<TargetValues>,
    /// Outcome in the new version.
    pub(crate) after: Option<TargetValues>,
    /// `met → missed` or `missed → met` when the status flips.
    pub(crate) flip: Option<String>,
    /// Unit of the values.
    #[serde(skip)]
    pub(crate) unit: Unit,
}

impl TargetChange {
    /// True when anything about the target differs.
    pub(crate) fn changed(&self) -> bool {
        self.old_target.is_some()
            || match (&self.before, &self.after) {
                (Some(a), Some(b)) => a != b,
                _ => true,
            }
    }
}

/// A target's outcome in one version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct TargetValues {
    /// Projected value.
    #[serde(serialize_with = "ser_opt")]
    pub(crate) projected: Option<Decimal>,
    /// The target's threshold (the right-hand side of its comparison).
    #[serde(serialize_with = "ser_opt")]
    pub(crate) threshold: Option<Decimal>,
    /// Headroom: positive met with room, negative short.
    #[serde(serialize_with = "ser_opt")]
    pub(crate) gap: Option<Decimal>,
    /// Whether it holds.
    pub(crate) met: bool,
}

/// A driver or metric whose values moved.
#[derive(Debug, Clone, Serialize)]
pub struct ItemChange {
    /// Name (new name when renamed).
    pub name: String,
    /// `driver` or `metric`.
    pub(crate) kind: String,
    /// The item's unit in the new version (the old one's when removed).
    #[serde(serialize_with = "ser_unit")]
    pub(crate) unit: Unit,
    /// Present in both versions, or only one.
    pub(crate) presence: Presence,
    /// Total (roll-up) over the compared periods before.
    #[serde(serialize_with = "ser_opt")]
    pub before: Option<Decimal>,
    /// Total after.
    #[serde(serialize_with = "ser_opt")]
    pub after: Option<Decimal>,
    /// after − before.
    #[serde(serialize_with = "ser_opt")]
    pub(crate) change: Option<Decimal>,
    /// Change in percent of |before| (None when before is 0).
    #[serde(serialize_with = "ser_opt")]
    pub(crate) change_pct: Option<Decimal>,
    /// True when the total is unchanged but months moved.
    pub(crate) phasing_only: bool,
}

/// A trigger whose firing moved.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TriggerChange {
    /// Trigger name.
    pub name: String,
    /// Firing period before (None: never fired, or absent).
    pub before: Option<String>,
    /// Firing period after.
    pub after: Option<String>,
    /// In both versions, or only one.
    pub(crate) presence: Presence,
}

/// Diagnostics that appear or disappear.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct DiagnosticsDiff {
    /// Only in the new version.
    pub(crate) introduced: Vec<JsonDiagnostic>,
    /// Only in the old version.
    pub(crate) fixed: Vec<JsonDiagnostic>,
}

impl DiagnosticsDiff {
    /// Every change, introduced ones first, each with its word (`introduced`,
    /// `fixed`), as the text and Markdown renderings list them.
    pub(crate) fn changes(&self) -> impl Iterator<Item = (&'static str, &JsonDiagnostic)> {
        let introduced = self.introduced.iter().map(|j| ("introduced", j));
        introduced.chain(self.fixed.iter().map(|j| ("fixed", j)))
    }
}

fn ser_opt<S: Serializer>(v: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(x) => s.serialize_str(&exact(*x)),
        None => s.serialize_none(),
    }
}

fn ser_unit<S: Serializer>(u: &Unit, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&u.to_string())
}

impl PlanDiff {
    /// True when nothing a reviewer would care about changed.
    pub fn is_empty(&self) -> bool {
        self.horizon.is_none()
            && self.declarations.is_empty()
            && self.callouts.is_empty()
            && self.diagnostics.introduced.is_empty()
            && self.diagnostics.fixed.is_empty()
            && self.scenarios.iter().all(|s| {
                s.presence == Presence::Both
                    && s.items.is_empty()
                    && s.triggers.is_empty()
                    && s.targets.iter().all(|t| !t.changed())
            })
    }

    /// Pretty JSON with exact decimal strings.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }
}

/// Compares two versions of a plan.
pub fn diff(old: &Compilation, new: &Compilation, opts: &DiffOptions) -> PlanDiff {
    let old_decls = decls(old);
    let new_decls = decls(new);
    let (declarations, renames) = decl_changes(&old_decls, &new_decls);
    let mut notes = Vec::new();
    let horizon = horizon_change(old, new);
    let scenarios = if fragment(old) || fragment(new) {
        notes.push(
            "this file has no `plan` declaration (it is imported by a plan), so only its declarations are compared; diff the plan's entry file to see targets and values".to_string(),
        );
        Vec::new()
    } else {
        scenario_diffs(old, new, &renames, &mut notes)
    };
    let mut callouts = callouts(&old_decls, &new_decls, &renames);
    callouts.extend(crate::actuals::changes::callouts(old, new));
    let diagnostics = diagnostics_diff(old, new);
    let mut d = PlanDiff {
        old: side(old, &opts.old_label),
        new: side(new, &opts.new_label),
        summary: Vec::new(),
        horizon,
        declarations,
        callouts,
        scenarios,
        diagnostics,
        notes,
    };
    d.summary = summary(&d);
    d
}

fn exists(c: &Compilation) -> bool {
    !c.files.is_empty()
}

/// True for a file that exists but declares no plan: a part imported by a plan.
fn fragment(c: &Compilation) -> bool {
    exists(c)
        && !c.files.iter().any(|f| {
            f.ast
                .decls
                .iter()
                .any(|d| matches!(d.kind, DeclKind::Plan(_)))
        })
}

/// `2027-Q1 .. 2027-Q4`: a plan's horizon in its own periods (named
/// `FY2027 (…)` when it is one whole fiscal year).
fn plan_horizon_label(plan: &Plan) -> String {
    crate::calendar::window_label(plan, 0..plan.len)
}

fn horizon_label(from: i64, len: usize) -> String {
    format!(
        "{} .. {}",
        ast::month_label(from),
        ast::month_label(from + len as i64 - 1)
    )
}

fn side(c: &Compilation, label: &str) -> Side {
    let plan = c.plan();
    let has_plan = exists(c) && !plan.name.is_empty();
    Side {
        label: label.to_string(),
        exists: exists(c),
        plan: has_plan.then(|| plan.name.clone()),
        periods: (has_plan && plan.len > 0).then(|| plan_horizon_label(plan)),
        // A file without a plan is missing its `plan` only because it is a part.
        errors: c
            .diagnostics
            .iter()
            .filter(|d| {
                d.is_error() && !(fragment(c) && d.code == crate::diagnostic::Code::InvalidPlan)
            })
            .count(),
        warnings: c.diagnostics.iter().filter(|d| !d.is_error()).count(),
    }
}

// ------------------------------------------------------------------ declarations

/// A declaration of one version with its canonical text.
struct DeclInfo<'a> {
    keyword: &'static str,
    name: String,
    file: String,
    text: String,
    decl: &'a ast::Decl,
}

/// A driver's `range` in canonical text (`80K to 90K triangular`).
fn item_range(i: &ast::ItemDecl) -> Option<String> {
    let (lo, hi) = i.range.as_ref()?;
    let mut t = format!(
        "{} to {}",
        crate::fmt::expr_text(lo),
        crate::fmt::expr_text(hi)
    );
    if i.range_shape.dist_written {
        t.push(' ');
        t.push_str(i.range_shape.dist.as_str());
    }
    if i.range_shape.per_period {
        t.push_str(" per period");
    }
    Some(t)
}

/// Where a declaration's name lives: glossary terms, units, imports, the plan
/// and correlations apart from each other and from the rest (items,
/// objectives, scenarios, …, which share one namespace).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Namespace {
    /// Items, objectives, scenarios and every other named declaration.
    Main,
    /// `correlate a, b`, named by its pair.
    Correlate,
    /// Glossary terms.
    Term,
    /// `unit` declarations.
    Unit,
    /// Imports, named by their path (`std.NAME` for the standard library).
    Import,
    /// The `plan` declaration.
    Plan,
}

impl Namespace {
    fn of(k: &DeclKind) -> Namespace {
        match k {
            DeclKind::Correlate(_) => Namespace::Correlate,
            DeclKind::Term(..) => Namespace::Term,
            DeclKind::Unit(..) => Namespace::Unit,
            DeclKind::Import(_) => Namespace::Import,
            DeclKind::Plan(_) => Namespace::Plan,
            _ => Namespace::Main,
        }
    }
}

/// What a declaration is known by across two versions: its namespace and name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct DeclKey {
    /// The namespace the name lives in.
    namespace: Namespace,
    /// The name (the path of an import, `a, b` for a correlation).
    name: String,
}

/// Every user declaration of one version with its key.
type Decls<'a> = Vec<(DeclKey, DeclInfo<'a>)>;

/// Every user declaration (standard library files left out), keyed by namespace
/// and name, in file and source order.
fn decls(c: &Compilation) -> Decls<'_> {
    let mut out: Decls<'_> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for pf in &c.files {
        let Some(src) = c.sources.get(pf.file) else {
            continue;
        };
        if src.is_std() {
            continue;
        }
        for d in &pf.ast.decls {
            let name = match (&d.kind, d.kind.name()) {
                (DeclKind::Import(t), _) => match t {
                    ast::ImportTarget::Path(p) => p.value.clone(),
                    ast::ImportTarget::Std(n) => format!("std.{}", n.name),
                },
                (DeclKind::Correlate(c), _) => format!("{}, {}", c.a.name, c.b.name),
                (_, Some(n)) => n.name.clone(),
                _ => continue,
            };
            let key = DeclKey {
                namespace: Namespace::of(&d.kind),
                name: name.clone(),
            };
            if !seen.insert(key.clone()) {
                continue;
            }
            out.push((
                key,
                DeclInfo {
                    keyword: d.kind.keyword(),
                    name,
                    file: src.name.clone(),
                    text: crate::fmt::decl_text(d, &src.text),
                    decl: d,
                },
            ));
        }
    }
    out
}

/// Replaces the name `from` by `to` wherever it stands as a whole name (not inside
/// strings or comments; `x.from` members count as names of their own).
fn replace_ident(text: &str, from: &str, to: &str) -> String {
    use crate::syntax::lex::{LexKind, Lexer};
    let mut out = String::with_capacity(text.len());
    let mut last_word = "";
    let mut copied = 0usize;
    for lx in Lexer::new(text) {
        match lx.kind {
            // From the first comment on, the text stays as written.
            LexKind::Comment | LexKind::DocComment => break,
            LexKind::Name => {
                out.push_str(text.get(copied..lx.start).unwrap_or(""));
                copied = lx.end;
                let word = lx.text(text);
                let after_means = last_word == "means";
                last_word = word;
                if after_means {
                    // `means T` names a glossary term: a namespace of its own.
                    out.push_str(word);
                } else if word == from {
                    out.push_str(to);
                } else if let Some(rest) = word.strip_prefix(from).filter(|r| r.starts_with('.')) {
                    // `launch.spend` when the initiative `launch` was renamed.
                    out.push_str(to);
                    out.push_str(rest);
                } else {
                    out.push_str(word);
                }
            }
            _ => {}
        }
    }
    out.push_str(text.get(copied..).unwrap_or(""));
    out
}

type Renames = Vec<(String, String)>;

fn apply_renames(text: &str, renames: &Renames) -> String {
    let mut t = text.to_string();
    for (a, b) in renames {
        t = replace_ident(&t, a, b);
    }
    t
}

fn decl_changes(
    old: &[(DeclKey, DeclInfo<'_>)],
    new: &[(DeclKey, DeclInfo<'_>)],
) -> (Vec<DeclChange>, Renames) {
    let old_map: HashMap<&DeclKey, &DeclInfo> = old.iter().map(|(k, v)| (k, v)).collect();
    let new_map: HashMap<&DeclKey, &DeclInfo> = new.iter().map(|(k, v)| (k, v)).collect();
    let removed: Vec<&DeclInfo> = old
        .iter()
        .filter(|(k, _)| !new_map.contains_key(k))
        .map(|(_, v)| v)
        .collect();
    let added: Vec<&DeclInfo> = new
        .iter()
        .filter(|(k, _)| !old_map.contains_key(k))
        .map(|(_, v)| v)
        .collect();
    // Renames: same kind, same text once the name is swapped.
    let mut renames: Renames = Vec::new();
    let mut renamed_old = std::collections::HashSet::new();
    let mut renamed_new: HashMap<String, String> = HashMap::new();
    for a in &added {
        if matches!(a.decl.kind, DeclKind::Import(_) | DeclKind::Plan(_)) {
            continue;
        }
        let hit = removed.iter().find(|r| {
            r.keyword == a.keyword
                && !renamed_old.contains(&r.name)
                && replace_ident(&r.text, &r.name, &a.name) == a.text
        });
        if let Some(r) = hit {
            renamed_old.insert(r.name.clone());
            renamed_new.insert(a.name.clone(), r.name.clone());
            renames.push((r.name.clone(), a.name.clone()));
        }
    }
    let mut out = Vec::new();
    for (k, n) in new {
        match old_map.get(k) {
            Some(o) if o.text != n.text => {
                let only = apply_renames(&o.text, &renames) == n.text;
                out.push(DeclChange {
                    change: ChangeKind::Changed,
                    kind: n.keyword.to_string(),
                    name: n.name.clone(),
                    old_name: None,
                    file: n.file.clone(),
                    old: Some(o.text.clone()),
                    new: Some(n.text.clone()),
                    only_renames: only && !renames.is_empty(),
                });
            }
            Some(_) => {}
            None => match renamed_new.get(&n.name) {
                Some(old_name) => out.push(DeclChange {
                    change: ChangeKind::Renamed,
                    kind: n.keyword.to_string(),
                    name: n.name.clone(),
                    old_name: Some(old_name.clone()),
                    file: n.file.clone(),
                    old: old
                        .iter()
                        .find(|(_, o)| &o.name == old_name && o.keyword == n.keyword)
                        .map(|(_, o)| o.text.clone()),
                    new: Some(n.text.clone()),
                    only_renames: false,
                }),
                None => out.push(DeclChange {
                    change: ChangeKind::Added,
                    kind: n.keyword.to_string(),
                    name: n.name.clone(),
                    old_name: None,
                    file: n.file.clone(),
                    old: None,
                    new: Some(n.text.clone()),
                    only_renames: false,
                }),
            },
        }
    }
    for r in removed {
        if renamed_old.contains(&r.name) {
            continue;
        }
        out.push(DeclChange {
            change: ChangeKind::Removed,
            kind: r.keyword.to_string(),
            name: r.name.clone(),
            old_name: None,
            file: r.file.clone(),
            old: Some(r.text.clone()),
            new: None,
            only_renames: false,
        });
    }
    (out, renames)
}

// ------------------------------------------------------------------ values

fn horizon_change(old: &Compilation, new: &Compilation) -> Option<HorizonChange> {
    let (a, b) = (old.plan(), new.plan());
    if !exists(old) || !exists(new) || a.len == 0 || b.len == 0 {
        return None;
    }
    if a.start == b.start && a.len == b.len {
        return None;
    }
    let (lo, hi) = overlap(a, b);
    Some(HorizonChange {
        old: plan_horizon_label(a),
        new: plan_horizon_label(b),
        compared: (hi > lo).then(|| horizon_label(lo, (hi - lo) as usize)),
    })
}

/// The absolute months both horizons share: `lo..hi`.
fn overlap(a: &Plan, b: &Plan) -> (i64, i64) {
    let lo = a.start.max(b.start);
    let hi = a
        .first_month_of(a.len as i64)
        .min(b.first_month_of(b.len as i64));
    (lo, hi.max(lo))
}

/// The horizon indices of the absolute months `lo..hi` (clipped to the horizon).
fn range_in(plan: &Plan, lo: i64, hi: i64) -> std::ops::Range<usize> {
    let a = usize::try_from(plan.index_of_month(lo)).unwrap_or(0);
    let b = usize::try_from(plan.index_of_month(hi - 1) + 1)
        .unwrap_or(0)
        .min(plan.len);
    a..b.max(a)
}

/// The roll-up of item `id` over the absolute months `lo..hi` (§3.2).
fn total_in(plan: &Plan, values: &[Vec<Decimal>], id: usize, lo: i64, hi: i64) -> Option<Decimal> {
    crate::eval::window_value(plan, values, id, range_in(plan, lo, hi))
}

fn values_in<'v>(plan: &Plan, vals: &'v [Decimal], lo: i64, hi: i64) -> &'v [Decimal] {
    vals.get(range_in(plan, lo, hi)).unwrap_or(&[])
}

fn pct(change: Decimal, before: Decimal) -> Option<Decimal> {
    if before.is_zero() {
        return None;
    }
    change
        .checked_mul(Decimal::ONE_HUNDRED)?
        .checked_div(before.abs())
}

/// The outcome values of one target.
fn tv(o: &TargetOutcome) -> TargetValues {
    TargetValues {
        projected: o.projected,
        threshold: o.threshold,
        gap: o.gap,
        met: o.met,
    }
}

fn flip(before: Option<&TargetValues>, after: Option<&TargetValues>) -> Option<String> {
    match (before, after) {
        (Some(a), Some(b)) if a.met && !b.met => Some("met → missed".into()),
        (Some(a), Some(b)) if !a.met && b.met => Some("missed → met".into()),
        _ => None,
    }
}

/// Evaluated results and target outcomes of one version, or why there are none.
struct Evaluated<'c> {
    plan: &'c Plan,
    results: &'c crate::eval::Results,
    outcomes: Vec<(usize, Vec<TargetOutcome>)>,
}

fn evaluated<'c>(
    c: &'c Compilation,
    which: &str,
    notes: &mut Vec<String>,
) -> Option<Evaluated<'c>> {
    if !exists(c) {
        return None;
    }
    let Some(results) = &c.results else {
        notes.push(format!(
            "the {which} version has errors, so its values could not be computed; values and targets are not compared"
        ));
        return None;
    };
    match c
        .outcomes
        .as_ref()
        .map_or(Ok(Vec::new()), Outcomes::targets)
    {
        Ok(outcomes) => Some(Evaluated {
            plan: c.plan(),
            results,
            outcomes,
        }),
        Err(e) => {
            notes.push(format!(
                "the {which} version's targets could not be evaluated: {}",
                e.message
            ));
            None
        }
    }
}

fn rename_of<'r>(renames: &'r Renames, old: &'r str) -> &'r str {
    renames
        .iter()
        .find(|(a, _)| a == old)
        .map(|(_, b)| b.as_str())
        .unwrap_or(old)
}

fn scenario_diffs(
    old: &Compilation,
    new: &Compilation,
    renames: &Renames,
    notes: &mut Vec<String>,
) -> Vec<ScenarioDiff> {
    let o = evaluated(old, "old", notes);
    let n = evaluated(new, "new", notes);
    let mut out = Vec::new();
    match (&o, &n) {
        (Some(o), Some(n)) => {
            let (lo, hi) = overlap(o.plan, n.plan);
            if hi <= lo {
                notes.push(
                    "the two horizons share no period, so values are not compared".to_string(),
                );
            }
            for r in &n.results.scenarios {
                let Some(sc) = n.plan.scenarios.get(r.scenario) else {
                    continue;
                };
                let old_name = renames
                    .iter()
                    .find(|(_, b)| *b == sc.name)
                    .map(|(a, _)| a.as_str())
                    .unwrap_or(sc.name.as_str());
                let old_r = o.plan.scenario(old_name).and_then(|s| o.results.get(s));
                match old_r {
                    Some(or) => out.push(both(o, n, or, r, lo, hi, renames)),
                    None => out.push(one_side(n, r, Presence::Added)),
                }
            }
            for r in &o.results.scenarios {
                let Some(sc) = o.plan.scenarios.get(r.scenario) else {
                    continue;
                };
                if n.plan.scenario(rename_of(renames, &sc.name)).is_none() {
                    out.push(one_side(o, r, Presence::Removed));
                }
            }
        }
        (None, Some(n)) if !exists(old) => {
            for r in &n.results.scenarios {
                out.push(one_side(n, r, Presence::Added));
            }
        }
        (Some(o), None) if !exists(new) => {
            for r in &o.results.scenarios {
                out.push(one_side(o, r, Presence::Removed));
            }
        }
        _ => {}
    }
    out
}

fn one_side(e: &Evaluated, r: &crate::eval::ScenarioResult, presence: Presence) -> ScenarioDiff {
    let name = e
        .plan
        .scenarios
        .get(r.scenario)
        .map(|s| s.name.clone())
        .unwrap_or_default();
    let outcomes = e
        .outcomes
        .iter()
        .find(|(s, _)| *s == r.scenario)
        .map(|(_, o)| o.as_slice())
        .unwrap_or(&[]);
    let targets = outcomes
        .iter()
        .map(|oc| {
            let values = Some(tv(oc));
            TargetChange {
                objective: e
                    .plan
                    .objectives
                    .get(oc.objective)
                    .map(|x| x.name.clone())
                    .unwrap_or_default(),
                target: oc.text.clone(),
                old_target: None,
                before: if presence == Presence::Removed {
                    values.clone()
                } else {
                    None
                },
                after: if presence == Presence::Added {
                    values
                } else {
                    None
                },
                flip: None,
                unit: oc.unit.clone(),
            }
        })
        .collect();
    let triggers = r
        .fired
        .iter()
        .filter_map(|(t, f)| {
            let t = e.plan.triggers.get(*t)?;
            let fired = f.map(|p| e.plan.period_label(p));
            Some(TriggerChange {
                name: t.name.clone(),
                before: if presence == Presence::Removed {
                    fired.clone()
                } else {
                    None
                },
                after: if presence == Presence::Added {
                    fired
                } else {
                    None
                },
                presence,
            })
        })
        .filter(|t| t.before.is_some() || t.after.is_some())
        .collect();
    ScenarioDiff {
        name,
        is_base: r.scenario == e.plan.base && presence == Presence::Added,
        presence,
        targets,
        items: Vec::new(),
        triggers,
    }
}

#[allow(clippy::too_many_arguments)]
fn both(
    o: &Evaluated,
    n: &Evaluated,
    or: &crate::eval::ScenarioResult,
    nr: &crate::eval::ScenarioResult,
    lo: i64,
    hi: i64,
    renames: &Renames,
) -> ScenarioDiff {
    let name = n
        .plan
        .scenarios
        .get(nr.scenario)
        .map(|s| s.name.clone())
        .unwrap_or_default();
    let items = item_changes((o, or), (n, nr), lo, hi, renames);
    let targets = target_changes((o, or.scenario), (n, nr.scenario), renames);
    let triggers = trigger_changes((o, or), (n, nr), renames);
    ScenarioDiff {
        name,
        is_base: nr.scenario == n.plan.base,
        presence: Presence::Both,
        targets,
        items,
        triggers,
    }
}

/// The items whose values in the window changed (kept, added or removed), the
/// biggest movers first.
fn item_changes(
    (o, or): (&Evaluated, &crate::eval::ScenarioResult),
    (n, nr): (&Evaluated, &crate::eval::ScenarioResult),
    lo: i64,
    hi: i64,
    renames: &Renames,
) -> Vec<ItemChange> {
    let mut items = Vec::new();
    let mut matched_old = std::collections::HashSet::new();
    for (ni, it) in n.plan.items.iter().enumerate() {
        let old_name = renames
            .iter()
            .find(|(_, b)| *b == it.name)
            .map(|(a, _)| a.as_str())
            .unwrap_or(it.name.as_str());
        let nv = nr.values.get(ni).map(|v| v.as_slice()).unwrap_or(&[]);
        let nslice = values_in(n.plan, nv, lo, hi);
        let after = total_in(n.plan, &nr.values, ni, lo, hi);
        match o.plan.item(old_name) {
            Some(oi) => {
                matched_old.insert(oi);
                let ov = or.values.get(oi).map(|v| v.as_slice()).unwrap_or(&[]);
                let oslice = values_in(o.plan, ov, lo, hi);
                if oslice == nslice {
                    continue;
                }
                let before = total_in(o.plan, &or.values, oi, lo, hi);
                let change = match (before, after) {
                    (Some(b), Some(a)) => a.checked_sub(b),
                    _ => None,
                };
                items.push(ItemChange {
                    name: it.name.clone(),
                    kind: it.kind.as_str().into(),
                    unit: it.unit.clone(),
                    presence: Presence::Both,
                    before,
                    after,
                    change,
                    change_pct: match (change, before) {
                        (Some(c), Some(b)) => pct(c, b),
                        _ => None,
                    },
                    phasing_only: change.is_some_and(|c| c.is_zero()),
                });
            }
            None => items.push(ItemChange {
                name: it.name.clone(),
                kind: it.kind.as_str().into(),
                unit: it.unit.clone(),
                presence: Presence::Added,
                before: None,
                after,
                change: None,
                change_pct: None,
                phasing_only: false,
            }),
        }
    }
    for (oi, it) in o.plan.items.iter().enumerate() {
        if matched_old.contains(&oi) {
            continue;
        }
        items.push(ItemChange {
            name: it.name.clone(),
            kind: it.kind.as_str().into(),
            unit: it.unit.clone(),
            presence: Presence::Removed,
            before: total_in(o.plan, &or.values, oi, lo, hi),
            after: None,
            change: None,
            change_pct: None,
            phasing_only: false,
        });
    }
    items.sort_by(|a, b| {
        mover_key(b)
            .cmp(&mover_key(a))
            .then_with(|| a.name.cmp(&b.name))
    });
    items
}

/// Every target's outcome before and after, matched through renames (a target only
/// one version has is added or removed).
fn target_changes(
    (o, os): (&Evaluated, usize),
    (n, ns): (&Evaluated, usize),
    renames: &Renames,
) -> Vec<TargetChange> {
    let outcomes = |e: &Evaluated, s: usize| -> Vec<TargetOutcome> {
        e.outcomes
            .iter()
            .find(|(x, _)| *x == s)
            .map(|(_, o)| o.clone())
            .unwrap_or_default()
    };
    let old_oc = outcomes(o, os);
    let new_oc = outcomes(n, ns);
    let obj_name = |e: &Evaluated, i: usize| {
        e.plan
            .objectives
            .get(i)
            .map(|x| x.name.clone())
            .unwrap_or_default()
    };
    let mut targets = Vec::new();
    let mut used_old = std::collections::HashSet::new();
    for nc in &new_oc {
        let nobj = obj_name(n, nc.objective);
        let hit = old_oc.iter().enumerate().find(|(_, oc)| {
            rename_of(renames, &obj_name(o, oc.objective)) == nobj && oc.target == nc.target
        });
        let before = hit.map(|(k, oc)| {
            used_old.insert(k);
            tv(oc)
        });
        let after = Some(tv(nc));
        targets.push(TargetChange {
            objective: nobj,
            target: nc.text.clone(),
            old_target: hit
                .map(|(_, oc)| oc.text.clone())
                .filter(|t| apply_renames(t, renames) != nc.text),
            flip: flip(before.as_ref(), after.as_ref()),
            before,
            after,
            unit: nc.unit.clone(),
        });
    }
    for (k, oc) in old_oc.iter().enumerate() {
        if used_old.contains(&k) {
            continue;
        }
        targets.push(TargetChange {
            objective: obj_name(o, oc.objective),
            target: oc.text.clone(),
            old_target: None,
            before: Some(tv(oc)),
            after: None,
            flip: None,
            unit: oc.unit.clone(),
        });
    }
    targets
}

/// The triggers whose firing period changed, or that only one version has.
fn trigger_changes(
    (o, or): (&Evaluated, &crate::eval::ScenarioResult),
    (n, nr): (&Evaluated, &crate::eval::ScenarioResult),
    renames: &Renames,
) -> Vec<TriggerChange> {
    let mut triggers = Vec::new();
    let fired =
        |e: &Evaluated, r: &crate::eval::ScenarioResult| -> BTreeMap<String, Option<String>> {
            r.fired
                .iter()
                .filter_map(|(t, f)| {
                    Some((
                        e.plan.triggers.get(*t)?.name.clone(),
                        f.map(|p| e.plan.period_label(p)),
                    ))
                })
                .collect()
        };
    let (of, nf) = (fired(o, or), fired(n, nr));
    for (name, after) in &nf {
        let before = of.get(rename_of_back(renames, name));
        match before {
            Some(b) if b != after => triggers.push(TriggerChange {
                name: name.clone(),
                before: b.clone(),
                after: after.clone(),
                presence: Presence::Both,
            }),
            Some(_) => {}
            None => triggers.push(TriggerChange {
                name: name.clone(),
                before: None,
                after: after.clone(),
                presence: Presence::Added,
            }),
        }
    }
    for (name, before) in &of {
        if !nf.contains_key(rename_of(renames, name)) {
            triggers.push(TriggerChange {
                name: name.clone(),
                before: before.clone(),
                after: None,
                presence: Presence::Removed,
            });
        }
    }
    triggers
}

fn rename_of_back<'r>(renames: &'r Renames, new: &'r str) -> &'r str {
    renames
        .iter()
        .find(|(_, b)| b == new)
        .map(|(a, _)| a.as_str())
        .unwrap_or(new)
}

/// Sort key for movers: relative change first (a change from zero counts as the
/// biggest), then the absolute change.
fn mover_key(i: &ItemChange) -> (u8, Decimal, Decimal) {
    let rank = match i.presence {
        Presence::Both => 2,
        Presence::Added => 1,
        Presence::Removed => 0,
    };
    let abs = i.change.map(|c| c.abs()).unwrap_or_default();
    let rel = match (i.change_pct, i.change) {
        (Some(p), _) => p.abs(),
        (None, Some(c)) if !c.is_zero() => Decimal::MAX,
        _ => Decimal::ZERO,
    };
    (rank, rel, abs)
}

// ------------------------------------------------------------------ callouts

fn owner_of(k: &DeclKind) -> Option<Option<&str>> {
    let o = match k {
        DeclKind::Item(i) => &i.owner,
        DeclKind::Objective(o) => &o.owner,
        DeclKind::Assumption(a) => &a.owner,
        DeclKind::Dependency(d) => &d.owner,
        DeclKind::Risk(r) => &r.owner,
        DeclKind::Initiative(i) => &i.owner,
        DeclKind::Trigger(t) => &t.owner,
        _ => return None,
    };
    Some(o.as_ref().map(|i| i.name.as_str()))
}

fn names(v: &[ast::Ident]) -> Vec<String> {
    v.iter().map(|i| i.name.clone()).collect()
}

fn list(v: &[String]) -> String {
    v.iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Items of `a` missing from `b`.
fn minus(a: &[String], b: &[String]) -> Vec<String> {
    a.iter().filter(|x| !b.contains(x)).cloned().collect()
}

fn callout(out: &mut Vec<Callout>, topic: &str, name: &str, text: String) {
    out.push(Callout {
        topic: topic.into(),
        name: name.into(),
        text,
    });
}

/// Statements of an assumption as text: bets and conditions.
fn bets(a: &ast::AssumptionDecl) -> Vec<String> {
    a.changes
        .iter()
        .map(|c| {
            format!(
                "change {} from {} to {} by {}",
                c.driver.name,
                crate::fmt::expr_text(&c.from),
                crate::fmt::expr_text(&c.to),
                c.by.kind
            )
        })
        .collect()
}

fn maintains(a: &ast::AssumptionDecl) -> Vec<String> {
    a.maintains
        .iter()
        .map(|m| format!("maintain {}", crate::fmt::expr_text(m)))
        .collect()
}

fn set_change(
    out: &mut Vec<Callout>,
    topic: &str,
    name: &str,
    what: &str,
    old: &[String],
    new: &[String],
) {
    let gone = minus(old, new);
    let came = minus(new, old);
    match (gone.as_slice(), came.as_slice()) {
        ([], []) => {}
        ([a], [b]) => callout(out, topic, name, format!("{what} `{a}` → `{b}`")),
        _ => {
            if !gone.is_empty() {
                callout(out, topic, name, format!("{what} removed: {}", list(&gone)));
            }
            if !came.is_empty() {
                callout(out, topic, name, format!("{what} added: {}", list(&came)));
            }
        }
    }
}

fn assumption_callouts(
    out: &mut Vec<Callout>,
    name: &str,
    a: &ast::AssumptionDecl,
    b: &ast::AssumptionDecl,
) {
    if a.title.value != b.title.value {
        callout(
            out,
            "assumption",
            name,
            format!("now reads “{}” (was “{}”)", b.title.value, a.title.value),
        );
    }
    set_change(out, "assumption", name, "bet", &bets(a), &bets(b));
    set_change(
        out,
        "assumption",
        name,
        "condition",
        &maintains(a),
        &maintains(b),
    );
    let (ca, cb) = (names(&a.counterbalances), names(&b.counterbalances));
    let gone = minus(&ca, &cb);
    let came = minus(&cb, &ca);
    if !gone.is_empty() {
        callout(
            out,
            "counterbalance",
            name,
            format!("no longer counterbalanced by {}", list(&gone)),
        );
    }
    if !came.is_empty() {
        callout(
            out,
            "counterbalance",
            name,
            format!("now counterbalanced by {}", list(&came)),
        );
    }
    let (da, db) = (names(&a.depends_on), names(&b.depends_on));
    let gone = minus(&da, &db);
    let came = minus(&db, &da);
    if !gone.is_empty() {
        callout(
            out,
            "assumption",
            name,
            format!("no longer depends on {}", list(&gone)),
        );
    }
    if !came.is_empty() {
        callout(
            out,
            "assumption",
            name,
            format!("now depends on {}", list(&came)),
        );
    }
    let (ea, eb): (Vec<String>, Vec<String>) = (
        a.evidence.iter().map(|s| s.value.clone()).collect(),
        b.evidence.iter().map(|s| s.value.clone()).collect(),
    );
    if ea != eb {
        callout(out, "assumption", name, "evidence changed".into());
    }
}

fn raci_callouts(out: &mut Vec<Callout>, name: &str, a: &ast::RaciDecl, b: &ast::RaciDecl) {
    for (letter, x, y) in [
        ("responsible", &a.responsible, &b.responsible),
        ("accountable", &a.accountable, &b.accountable),
        ("consulted", &a.consulted, &b.consulted),
        ("informed", &a.informed, &b.informed),
    ] {
        let (x, y) = (names(x), names(y));
        let gone = minus(&x, &y);
        let came = minus(&y, &x);
        if gone.is_empty() && came.is_empty() {
            continue;
        }
        let text = if x.len() == 1 && y.len() == 1 {
            format!("{letter}: {} → {}", list(&x), list(&y))
        } else {
            let mut parts = Vec::new();
            if !came.is_empty() {
                parts.push(format!("adds {}", list(&came)));
            }
            if !gone.is_empty() {
                parts.push(format!("drops {}", list(&gone)));
            }
            format!("{letter}: {}", parts.join(", "))
        };
        callout(out, "raci", name, text);
    }
}

fn pct_text(v: &Option<(Decimal, crate::source::Span)>) -> String {
    v.map(|(d, _)| format!("{}%", exact(d * Decimal::ONE_HUNDRED)))
        .unwrap_or_else(|| "none".into())
}

fn callouts(
    old: &[(DeclKey, DeclInfo<'_>)],
    new: &[(DeclKey, DeclInfo<'_>)],
    renames: &Renames,
) -> Vec<Callout> {
    let mut out = Vec::new();
    let old_map: HashMap<&str, &DeclInfo> = old
        .iter()
        .filter(|(k, _)| k.namespace == Namespace::Main)
        .map(|(_, v)| (v.name.as_str(), v))
        .collect();
    let mut seen_old = std::collections::HashSet::new();
    for (k, n) in new {
        if k.namespace != Namespace::Main {
            continue;
        }
        let old_name = rename_of_back(renames, &n.name);
        let Some(o) = old_map.get(old_name) else {
            added_callout(&mut out, n);
            continue;
        };
        seen_old.insert(o.name.clone());
        if let (Some(a), Some(b)) = (owner_of(&o.decl.kind), owner_of(&n.decl.kind)) {
            if a != b {
                callout(
                    &mut out,
                    "owner",
                    &n.name,
                    format!(
                        "{} owner {} → {}",
                        n.keyword,
                        a.map(|x| format!("`{x}`")).unwrap_or_else(|| "none".into()),
                        b.map(|x| format!("`{x}`")).unwrap_or_else(|| "none".into())
                    ),
                );
            }
        }
        match (&o.decl.kind, &n.decl.kind) {
            (DeclKind::Assumption(a), DeclKind::Assumption(b)) => {
                assumption_callouts(&mut out, &n.name, a, b)
            }
            (DeclKind::Raci(a), DeclKind::Raci(b)) => raci_callouts(&mut out, &n.name, a, b),
            (DeclKind::Initiative(a), DeclKind::Initiative(b)) => {
                initiative_callouts(&mut out, &n.name, a, b)
            }
            (DeclKind::Dependency(a), DeclKind::Dependency(b)) => {
                dependency_callouts(&mut out, &n.name, a, b)
            }
            (DeclKind::Risk(a), DeclKind::Risk(b))
                if a.likelihood.map(|c| c.0) != b.likelihood.map(|c| c.0) =>
            {
                callout(
                    &mut out,
                    "risk",
                    &n.name,
                    format!(
                        "likelihood {} → {}",
                        pct_text(&a.likelihood),
                        pct_text(&b.likelihood)
                    ),
                );
            }
            (DeclKind::Objective(a), DeclKind::Objective(b)) => {
                objective_callouts(&mut out, &n.name, a, b)
            }
            (DeclKind::Scenario(a), DeclKind::Scenario(b)) => {
                scenario_callouts(&mut out, &n.name, a, b)
            }
            (DeclKind::Item(a), DeclKind::Item(b)) => range_callouts(&mut out, &n.name, a, b),
            _ => {}
        }
    }
    for (k, o) in old {
        if k.namespace != Namespace::Main || seen_old.contains(&o.name) {
            continue;
        }
        match &o.decl.kind {
            DeclKind::Assumption(a) => callout(
                &mut out,
                "assumption",
                &o.name,
                format!("removed: “{}”", a.title.value),
            ),
            DeclKind::Scenario(_) => callout(&mut out, "scenario", &o.name, "removed".into()),
            DeclKind::Raci(_) => callout(&mut out, "raci", &o.name, "removed".into()),
            _ => {}
        }
    }
    out
}

/// The call-out for a declaration the new version adds: an assumption with its bets,
/// a scenario with what it extends, a RACI chart.
fn added_callout(out: &mut Vec<Callout>, n: &DeclInfo) {
    match &n.decl.kind {
        DeclKind::Assumption(a) => {
            let mut what: Vec<String> = bets(a).into_iter().chain(maintains(a)).collect();
            what.retain(|s| !s.is_empty());
            callout(
                out,
                "assumption",
                &n.name,
                format!(
                    "added: “{}”{}",
                    a.title.value,
                    if what.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", what.join("; "))
                    }
                ),
            );
        }
        DeclKind::Scenario(s) => callout(
            out,
            "scenario",
            &n.name,
            format!(
                "added: “{}”{}",
                s.title.value,
                s.extends
                    .as_ref()
                    .map(|e| format!(", extends `{}`", e.name))
                    .unwrap_or_default()
            ),
        ),
        DeclKind::Raci(_) => callout(out, "raci", &n.name, "added".into()),
        _ => {}
    }
}

/// An initiative's member items whose owner changed.
fn initiative_callouts(
    out: &mut Vec<Callout>,
    name: &str,
    a: &ast::InitiativeDecl,
    b: &ast::InitiativeDecl,
) {
    for (m, _, _) in &b.members {
        let before = a
            .members
            .iter()
            .find(|(x, _, _)| x.name.name == m.name.name);
        if let Some((x, _, _)) = before {
            let (p, q) = (
                x.owner.as_ref().map(|i| i.name.as_str()),
                m.owner.as_ref().map(|i| i.name.as_str()),
            );
            if p != q {
                callout(
                    out,
                    "owner",
                    &format!("{}.{}", name, m.name.name),
                    format!(
                        "{} owner {} → {}",
                        m.kind.as_str(),
                        p.map(|x| format!("`{x}`")).unwrap_or_else(|| "none".into()),
                        q.map(|x| format!("`{x}`")).unwrap_or_else(|| "none".into())
                    ),
                );
            }
        }
    }
}

/// A dependency whose due period or confidence changed.
fn dependency_callouts(
    out: &mut Vec<Callout>,
    name: &str,
    a: &ast::DependencyDecl,
    b: &ast::DependencyDecl,
) {
    let (x, y) = (
        a.due.map(|p| p.kind.to_string()),
        b.due.map(|p| p.kind.to_string()),
    );
    if x != y {
        callout(
            out,
            "dependency",
            name,
            format!(
                "due {} → {}",
                x.unwrap_or_else(|| "none".into()),
                y.unwrap_or_else(|| "none".into())
            ),
        );
    }
    if a.confidence.map(|c| c.0) != b.confidence.map(|c| c.0) {
        callout(
            out,
            "dependency",
            name,
            format!(
                "confidence {} → {}",
                pct_text(&a.confidence),
                pct_text(&b.confidence)
            ),
        );
    }
}

/// An objective whose list of supported objectives changed.
fn objective_callouts(
    out: &mut Vec<Callout>,
    name: &str,
    a: &ast::ObjectiveDecl,
    b: &ast::ObjectiveDecl,
) {
    let (x, y) = (names(&a.supports), names(&b.supports));
    if x != y {
        callout(
            out,
            "objective",
            name,
            format!(
                "supports {} → {}",
                if x.is_empty() {
                    "nothing".into()
                } else {
                    list(&x)
                },
                if y.is_empty() {
                    "nothing".into()
                } else {
                    list(&y)
                }
            ),
        );
    }
}

/// A scenario that now extends another scenario.
fn scenario_callouts(
    out: &mut Vec<Callout>,
    name: &str,
    a: &ast::ScenarioDecl,
    b: &ast::ScenarioDecl,
) {
    let (x, y) = (
        a.extends.as_ref().map(|e| e.name.clone()),
        b.extends.as_ref().map(|e| e.name.clone()),
    );
    if x != y {
        callout(
            out,
            "scenario",
            name,
            format!(
                "extends {} → {}",
                x.unwrap_or_else(|| "base".into()),
                y.unwrap_or_else(|| "base".into())
            ),
        );
    }
}

/// A driver or metric whose uncertainty range changed.
fn range_callouts(out: &mut Vec<Callout>, name: &str, a: &ast::ItemDecl, b: &ast::ItemDecl) {
    let (x, y) = (item_range(a), item_range(b));
    if x != y {
        let show = |r: Option<String>| r.map(|t| format!("`{t}`")).unwrap_or_else(|| "none".into());
        callout(
            out,
            "range",
            name,
            format!("range {} → {}", show(x), show(y)),
        );
    }
}

// ------------------------------------------------------------------ diagnostics

/// A diagnostic's identity across versions: code, severity, file and the text it
/// points at. The entry file may have another name in each version (`old.plumb`,
/// `new.plumb`), so it is keyed as the entry; imported files by their path
/// relative to the entry's folder.
fn diag_key(d: &Diagnostic, c: &Compilation) -> (String, String, String, String) {
    let entry = c
        .files
        .iter()
        .find(|f| f.entry)
        .and_then(|f| c.sources.get(f.file))
        .map(|f| f.name.clone())
        .unwrap_or_default();
    let dir = std::path::Path::new(&entry)
        .parent()
        .map(|p| p.to_string_lossy().to_string())
        .unwrap_or_default();
    let name = c
        .sources
        .get(d.primary.span.file)
        .map(|f| f.name.clone())
        .unwrap_or_default();
    let file = if name == entry {
        "<entry>".to_string()
    } else if !dir.is_empty() {
        name.strip_prefix(&dir)
            .map(|r| r.trim_start_matches('/').to_string())
            .unwrap_or(name)
    } else {
        name
    };
    (
        d.code.as_str().to_string(),
        d.severity.as_str().to_string(),
        file,
        c.sources.slice(d.primary.span).to_string(),
    )
}

fn diagnostics_diff(old: &Compilation, new: &Compilation) -> DiagnosticsDiff {
    let count = |c: &Compilation| {
        let mut m: HashMap<(String, String, String, String), usize> = HashMap::new();
        for d in &c.diagnostics {
            *m.entry(diag_key(d, c)).or_insert(0) += 1;
        }
        m
    };
    let (mut oc, mut nc) = (count(old), count(new));
    let mut out = DiagnosticsDiff::default();
    for d in &new.diagnostics {
        let k = diag_key(d, new);
        match oc.get_mut(&k) {
            Some(n) if *n > 0 => *n -= 1,
            _ => out
                .introduced
                .push(JsonDiagnostic::from_diagnostic(d, &new.sources)),
        }
    }
    for d in &old.diagnostics {
        let k = diag_key(d, old);
        match nc.get_mut(&k) {
            Some(n) if *n > 0 => *n -= 1,
            _ => out
                .fixed
                .push(JsonDiagnostic::from_diagnostic(d, &old.sources)),
        }
    }
    out
}

// ------------------------------------------------------------------ summary

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn summary(d: &PlanDiff) -> Vec<String> {
    let mut out = Vec::new();
    if !d.old.exists && d.new.exists {
        out.push("new plan file".to_string());
    } else if d.old.exists && !d.new.exists {
        out.push("plan file removed".to_string());
    }
    if let Some(h) = &d.horizon {
        out.push(format!("horizon {} → {}", h.old, h.new));
    }
    // Target flips first: they are what a reviewer must not miss.
    for s in &d.scenarios {
        for t in &s.targets {
            if let Some(f) = &t.flip {
                out.push(format!(
                    "target `{}` of `{}` flips {f} in `{}`",
                    t.target, t.objective, s.name
                ));
            }
        }
    }
    let n = |k: ChangeKind| d.declarations.iter().filter(|c| c.change == k).count();
    let mut parts = Vec::new();
    for (k, word) in [
        (ChangeKind::Changed, "changed"),
        (ChangeKind::Added, "added"),
        (ChangeKind::Removed, "removed"),
        (ChangeKind::Renamed, "renamed"),
    ] {
        let c = n(k);
        if c > 0 {
            parts.push(format!("{c} {word}"));
        }
    }
    if d.old.exists && d.new.exists && !parts.is_empty() {
        out.push(format!("declarations: {}", parts.join(", ")));
    }
    if let Some(base) = d
        .scenarios
        .iter()
        .find(|s| s.is_base && s.presence == Presence::Both)
    {
        let movers: Vec<String> = base
            .items
            .iter()
            .filter(|i| i.presence == Presence::Both && !i.phasing_only)
            .take(3)
            .map(|i| match i.change_pct {
                Some(p) => format!("`{}` {}", i.name, signed_pct(p)),
                None => format!("`{}` moves from zero", i.name),
            })
            .collect();
        if !movers.is_empty() {
            out.push(format!("in `{}`: {}", base.name, movers.join(", ")));
        }
    }
    for s in d.scenarios.iter().filter(|s| s.presence == Presence::Both) {
        for t in s.triggers.iter().filter(|t| t.presence == Presence::Both) {
            let when = |v: &Option<String>| v.clone().unwrap_or_else(|| "never".into());
            out.push(format!(
                "trigger `{}` in `{}` fires {} (was {})",
                t.name,
                s.name,
                when(&t.after),
                when(&t.before)
            ));
        }
    }
    if !d.callouts.is_empty() {
        let mut topics: Vec<(&str, usize)> = Vec::new();
        for c in &d.callouts {
            match topics.iter_mut().find(|(t, _)| *t == c.topic) {
                Some((_, n)) => *n += 1,
                None => topics.push((&c.topic, 1)),
            }
        }
        let parts: Vec<String> = topics.iter().map(|(t, n)| format!("{t} ({n})")).collect();
        out.push(format!("called out: {}", parts.join(", ")));
    }
    let (i, f) = (d.diagnostics.introduced.len(), d.diagnostics.fixed.len());
    if i + f > 0 {
        let mut p = Vec::new();
        if i > 0 {
            p.push(format!(
                "{} introduced",
                plural(i, "diagnostic", "diagnostics")
            ));
        }
        if f > 0 {
            p.push(format!("{} fixed", plural(f, "diagnostic", "diagnostics")));
        }
        out.push(p.join(", "));
    }
    if d.new.errors > 0 {
        out.push(format!(
            "the new version has {}",
            plural(d.new.errors, "error", "errors")
        ));
    }
    if out.is_empty() {
        out.push("no semantic change".to_string());
    }
    out
}

/// `+3.7%`, `-12.0%`.
pub(crate) fn signed_pct(p: Decimal) -> String {
    let r = p.round_dp_with_strategy(1, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    let s = crate::present::number(r, 1);
    if r.is_sign_positive() && !r.is_zero() {
        format!("+{s}%")
    } else if r.is_zero() {
        "±0.0%".to_string()
    } else {
        format!("{s}%")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replace_ident_whole_names_only() {
        assert_eq!(
            replace_ident(
                "metric rev = rev_x + rev * 2 { means rev } \"rev\"",
                "rev",
                "revenue"
            ),
            "metric revenue = rev_x + revenue * 2 { means rev } \"rev\""
        );
        assert_eq!(
            replace_ident("x = launch.spend", "launch", "go"),
            "x = go.spend"
        );
    }
}
