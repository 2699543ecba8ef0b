//! The workflow around diagnostics, through the built binary: `check` of a file
//! without a `plan` checks the plan that imports it and shows that file's
//! diagnostics; `explain` works whenever the plan evaluates; `run --scenario S`
//! prints S when only another scenario fails; a usage error comes first and
//! alone.

#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

use crate::common::{plumb, stderr, stdout};

#[test]
fn check_of_a_team_file_checks_the_plan_that_imports_it() {
    let o = plumb(&[
        "check",
        "tests/fixtures/workflow/team_plan/depts/sales.plumb",
    ]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    // The team file's own error, with a did-you-mean …
    assert!(
        out.contains("no department or role is named `salse`"),
        "{out}"
    );
    assert!(out.contains("did you mean `sales`?"), "{out}");
    // … no complaint about the missing `plan` and nothing from the entry file.
    assert!(!out.contains("plan` declaration"), "{out}");
    assert!(!out.contains("unused_here"), "{out}");
    assert!(
        out.contains("tests/fixtures/workflow/team_plan/depts/sales.plumb: 1 error, 0 warnings"),
        "{out}"
    );
    assert!(
        stderr(&o).contains("checking it as part of tests/fixtures/workflow/team_plan/main.plumb"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn check_of_a_file_no_plan_imports_checks_it_on_its_own() {
    let o = plumb(&["check", "tests/fixtures/workflow/orphan/team.plumb"]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("no department or role is named `opz`"),
        "{out}"
    );
    assert!(!out.contains("plan` declaration"), "{out}");
    assert!(
        stderr(&o).contains("checking it on its own"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn run_prints_the_wanted_scenario_when_only_another_fails() {
    let o = plumb(&[
        "run",
        "tests/fixtures/workflow/stress.plumb",
        "--scenario",
        "base",
    ]);
    let out = stdout(&o);
    assert!(out.contains("Scenario base"), "{out}\n{}", stderr(&o));
    assert!(!out.contains("Scenario downside"), "{out}");
    // The other scenario's failure is still reported.
    let err = stderr(&o);
    assert!(
        err.contains("division by zero in scenario `downside`"),
        "{err}"
    );
}

#[test]
fn an_unknown_scenario_is_reported_first_and_alone() {
    let o = plumb(&[
        "run",
        "tests/fixtures/workflow/stress.plumb",
        "--scenario",
        "nosuch",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "error: no scenario `nosuch`; the plan has: base, downside\n"
    );
    assert_eq!(stdout(&o), "");
}

#[test]
fn explain_works_when_a_maintain_fails_and_another_scenario_does_not_evaluate() {
    let o = plumb(&[
        "explain",
        "tests/fixtures/workflow/stress.plumb",
        "revenue",
        "--period",
        "2026-01",
    ]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}\n{}", stderr(&o));
    assert!(out.contains("revenue = $1,000"), "{out}");
    assert!(out.contains("deals * price"), "{out}");
}

#[test]
fn explain_reports_an_unknown_name_alone() {
    let o = plumb(&["explain", "tests/fixtures/workflow/stress.plumb", "nosuch"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("error: no driver, metric or objective is named `nosuch`"),
        "{err}"
    );
}
