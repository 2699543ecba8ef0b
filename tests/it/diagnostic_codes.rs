//! Every diagnostic code has at least one snapshot test case, with the severity
//! the spec gives it (section 10): errors as errors, warnings as warnings, and
//! `maintain-violated` and `over-budget` as both (an error in the base scenario, a warning in any
//! other).

#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

use plumb::diagnostic::Code;
use std::collections::BTreeSet;

/// (code, "error" | "warning") for every rendered diagnostic in every snapshot.
fn rendered() -> BTreeSet<(String, &'static str)> {
    let mut seen = BTreeSet::new();
    let mut entries: Vec<_> = std::fs::read_dir("tests/it/snapshots")
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "snap"))
        .collect();
    entries.sort();
    for path in entries {
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (i, l) in lines.iter().enumerate() {
            let Some(code) = l.strip_prefix("plumb::") else {
                continue;
            };
            // The message line follows: `  × …` for errors, `  ⚠ …` for warnings.
            let severity = lines[i + 1..]
                .iter()
                .map(|m| m.trim_start())
                .find(|m| !m.is_empty())
                .map(|m| {
                    if m.starts_with('×') {
                        "error"
                    } else if m.starts_with('⚠') {
                        "warning"
                    } else {
                        "other"
                    }
                })
                .unwrap_or("other");
            seen.insert((code.trim().to_string(), severity));
        }
    }
    seen
}

const WARNINGS: &[Code] = &[
    Code::BetWithoutCounterbalance,
    Code::MissingOwner,
    Code::UnusedDriver,
    Code::TargetMissed,
    Code::ObjectiveNotCascaded,
    Code::PercentAsNumber,
    Code::StepOutsideHorizon,
    Code::RequestUnscored,
    Code::ActualsAfterClose,
    Code::ActualsOutOfHorizon,
    Code::ActualsMissing,
    Code::AssumptionOffTrack,
    Code::MaintainBroken,
    Code::TargetAtRisk,
    Code::TriggerFired,
    Code::DependencyOverdue,
    Code::RiskReviewDue,
    Code::BaseCaseOdds,
];

#[test]
fn every_code_has_a_snapshot_with_its_severity() {
    let seen = rendered();
    let mut missing = Vec::new();
    for code in Code::ALL {
        let name = code.as_str().to_string();
        let wanted: &[&str] = if matches!(code, Code::MaintainViolated | Code::OverBudget) {
            &["error", "warning"]
        } else if WARNINGS.contains(code) {
            &["warning"]
        } else {
            &["error"]
        };
        for sev in wanted {
            if !seen.contains(&(name.clone(), *sev)) {
                missing.push(format!("{name} ({sev})"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "no snapshot under tests/it/snapshots shows: {}",
        missing.join(", ")
    );
    // And no code shows up with the wrong severity.
    for (code, sev) in &seen {
        let c = Code::ALL.iter().find(|c| c.as_str() == code);
        let c = c.unwrap_or_else(|| panic!("unknown code `{code}` in a snapshot"));
        if matches!(c, Code::MaintainViolated | Code::OverBudget) {
            continue;
        }
        let want = if WARNINGS.contains(c) {
            "warning"
        } else {
            "error"
        };
        assert_eq!(*sev, want, "`{code}` is rendered as {sev}");
    }
}
