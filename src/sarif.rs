//! SARIF 2.1.0: diagnostics in the Static Analysis Results Interchange Format,
//! for code-scanning dashboards (GitHub code scanning, Azure DevOps, …).
//!
//! [`to_sarif`] takes the diagnostics of `plumb check` (already resolved to files,
//! lines and columns as [`JsonDiagnostic`]s) and gives back one SARIF log: a single
//! run whose tool lists every diagnostic code as a rule (id, name, description,
//! default level), and one result per diagnostic with its rule, level, message and
//! physical location. Columns count characters (`columnKind: unicodeCodePoints`),
//! 1-based, the end exclusive, as in `plumb check --format json`.

use crate::diagnostic::{Code, JsonDiagnostic};
use serde_json::{json, Value};

/// One sentence per code: what it means.
pub fn describe(code: Code) -> &'static str {
    match code {
        Code::Syntax => "The text does not follow Plumb's grammar.",
        Code::UndefinedName => "A name is used that no declaration introduces.",
        Code::DuplicateName => "Two declarations share a name.",
        Code::DuplicateTerm => "A glossary term is defined twice.",
        Code::UnitMismatch => "Values of different units are added, compared or combined.",
        Code::UnknownUnit => "A unit is neither declared, a currency, a time word nor `%`.",
        Code::Cycle => "Values depend on each other without `prev`.",
        Code::OverrideNotDriver => "A scenario overrides something that is not a driver.",
        Code::ImportNotFound => "An imported file does not exist.",
        Code::ImportCycle => "Files import each other in a circle.",
        Code::ImportOutsideRoot => "An import points outside the entry file's directory.",
        Code::DivisionByZero => "A division by zero during evaluation.",
        Code::Overflow => "A number grew past what an exact decimal can hold.",
        Code::PeriodOutOfHorizon => "A period lies outside the plan's horizon.",
        Code::AssumptionModelMismatch => "A `change` bet disagrees with the model's numbers.",
        Code::MaintainViolated => "A `maintain` condition fails in some period.",
        Code::DependencyLate => "A dependency is due after the bet it supports starts changing.",
        Code::GrantModelMismatch => "A request's `grant` does not hold in the base scenario.",
        Code::RaciAccountable => "A RACI entry does not have exactly one accountable party.",
        Code::RaciResponsible => "A RACI entry has no responsible party.",
        Code::BetWithoutCounterbalance => "A bet has no counterbalance.",
        Code::MissingOwner => "Something that needs an owner has none.",
        Code::UnusedDriver => "A driver that no metric, target or condition uses.",
        Code::TargetMissed => "A target is not met in the base scenario.",
        Code::ObjectiveNotCascaded => "A top objective that no other objective supports.",
        Code::LimitExceeded => "The input is larger or deeper than Plumb accepts.",
        Code::TypeMismatch => "A value is used where its kind does not fit.",
        Code::InvalidPlan => {
            "The plan declaration is missing or repeated, or a file cannot be read."
        }
        Code::PercentAsNumber => "A number without `%` where a percentage is meant.",
        Code::BadHorizon => "The plan's periods mix granularities or end before they start.",
        Code::StepOutsideHorizon => "A `step` entry after the horizon's end, never used.",
        Code::DimensionMismatch => {
            "An expression's dimensions differ from where it is used, or a member belongs to another dimension."
        }
        Code::OverBudget => "A department's planned spend exceeds its budget allowance.",
        Code::ContingencyOverdrawn => "Draws add up to more than a budget's contingency.",
        Code::DrawNotApproved => "A contingency draw is not approved by the budget's owner.",
        Code::ReallocationOverCap => {
            "A department gives away more of its budget than the reallocation cap allows."
        }
        Code::ReallocationNotApproved => {
            "A reallocation lacks the approver's or the giving department's approval."
        }
        Code::RequestUnscored => "A request moves budget without stating its cost and return.",
        Code::ActualsBadValue => {
            "A value, period or header in an actuals file cannot be read as written."
        }
        Code::ActualsUnknownName => {
            "An actuals file names something that is neither an item nor mapped or ignored."
        }
        Code::ActualsDuplicate => "Several actuals for the same non-flow item and period.",
        Code::ActualsUnit => "An actuals row's unit is not the item's unit.",
        Code::ActualsAfterClose => "Actuals after the last closed period, ignored.",
        Code::ActualsOutOfHorizon => "Actuals outside the plan's horizon, ignored.",
        Code::ActualsMissing => "An item has actuals for some closed periods but not all.",
        Code::AssumptionOffTrack => {
            "A bet's driver or an indicator is off its assumed path on actuals."
        }
        Code::MaintainBroken => "A `maintain` fails on the base forecast in a closed period.",
        Code::TargetAtRisk => {
            "The outlook misses a target the plan meets, or misses it by more."
        }
        Code::TriggerFired => "A trigger fired on actuals.",
        Code::DependencyOverdue => {
            "A dependency whose due period is closed is not done, or was done late."
        }
        Code::RiskReviewDue => "A risk was not reviewed within a quarter of the as-of period.",
        Code::RangeExcludesPlan => {
            "A driver's range does not contain its planned value, or LOW is above HIGH."
        }
        Code::BaseCaseOdds => {
            "A base-case target's simulated odds of being met lie outside the plan's odds band."
        }
    }
}

/// The level a code has by default (some codes are errors in the base scenario and
/// warnings elsewhere: those default to error).
fn default_level(code: Code) -> &'static str {
    match code {
        Code::BetWithoutCounterbalance
        | Code::MissingOwner
        | Code::UnusedDriver
        | Code::TargetMissed
        | Code::ObjectiveNotCascaded
        | Code::PercentAsNumber
        | Code::StepOutsideHorizon
        | Code::RequestUnscored
        | Code::ActualsAfterClose
        | Code::ActualsOutOfHorizon
        | Code::ActualsMissing
        | Code::AssumptionOffTrack
        | Code::MaintainBroken
        | Code::TargetAtRisk
        | Code::TriggerFired
        | Code::DependencyOverdue
        | Code::RiskReviewDue
        | Code::BaseCaseOdds => "warning",
        _ => "error",
    }
}

/// `unit-mismatch` → `UnitMismatch`.
fn rule_name(id: &str) -> String {
    id.split('-')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().chain(c).collect::<String>(),
                None => String::new(),
            }
        })
        .collect()
}

/// A file name as a relative URI reference (`/` separators, spaces and `%`
/// escaped).
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for ch in path.chars() {
        match ch {
            '\\' => out.push('/'),
            '%' => out.push_str("%25"),
            ' ' => out.push_str("%20"),
            '#' => out.push_str("%23"),
            '?' => out.push_str("%3F"),
            c => out.push(c),
        }
    }
    out
}

/// The SARIF log (pretty JSON) for `diags`, produced by `plumb` at `version`.
pub fn to_sarif(diags: &[JsonDiagnostic], version: &str) -> String {
    let rules: Vec<Value> = Code::ALL
        .iter()
        .map(|c| {
            json!({
                "id": c.as_str(),
                "name": rule_name(c.as_str()),
                "shortDescription": { "text": describe(*c) },
                "fullDescription": { "text": describe(*c) },
                "defaultConfiguration": { "level": default_level(*c) },
            })
        })
        .collect();
    let results: Vec<Value> = diags
        .iter()
        .map(|d| {
            let index = Code::ALL.iter().position(|c| c.as_str() == d.code);
            let mut text = d.message.clone();
            if let Some(h) = &d.help {
                text.push_str("\nhelp: ");
                text.push_str(h);
            }
            let level = if d.severity == "error" {
                "error"
            } else {
                "warning"
            };
            let mut r = json!({
                "ruleId": d.code,
                "level": level,
                "message": { "text": text },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri(&d.file) },
                        "region": {
                            "startLine": d.line,
                            "startColumn": d.column,
                            "endLine": d.end_line,
                            "endColumn": d.end_column,
                        }
                    }
                }],
            });
            if let (Some(i), Some(obj)) = (index, r.as_object_mut()) {
                obj.insert("ruleIndex".into(), json!(i));
            }
            r
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "plumb",
                    "version": version,
                    "semanticVersion": version,
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    serde_json::to_string_pretty(&log).unwrap_or_else(|_| "{}".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_uris() {
        assert_eq!(rule_name("unit-mismatch"), "UnitMismatch");
        assert_eq!(uri("plans\\my plan.plumb"), "plans/my%20plan.plumb");
    }
}
