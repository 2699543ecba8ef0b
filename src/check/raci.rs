//! RACI: every entry needs exactly one accountable party (`raci-accountable`)
//! and at least one responsible party (`raci-responsible`).
//!
//! Takes the resolved plan, gives back diagnostics. Parties that did not resolve
//! were already reported as `undefined-name`; a line naming only such parties
//! does not count as missing here.

use crate::diagnostic::{Code, Diagnostic};
use crate::ir::Plan;

/// Checks every RACI entry.
pub(crate) fn check(plan: &Plan) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for r in &plan.raci {
        let line = |letter: char| r.lines.iter().find(|l| l.0 == letter).map(|l| l.1);
        let a_lines: Vec<_> = r.lines.iter().filter(|l| l.0 == 'A').collect();
        match r.accountable.len() {
            0 if a_lines.is_empty() => out.push(
                Diagnostic::error(
                    Code::RaciAccountable,
                    r.span,
                    format!("`{}` has no accountable party", r.name),
                )
                .with_label("nobody is accountable")
                .with_help(format!(
                    "name exactly one owner of the outcome: `accountable {}`",
                    plan.roles
                        .first()
                        .map(|x| x.name.as_str())
                        .or(plan.departments.first().map(|x| x.name.as_str()))
                        .unwrap_or("cfo")
                )),
            ),
            0 | 1 => {}
            n => {
                let names: Vec<String> = r
                    .accountable
                    .iter()
                    .map(|p| format!("`{}`", plan.party_name(*p)))
                    .collect();
                let mut d = Diagnostic::error(
                    Code::RaciAccountable,
                    line('A').unwrap_or(r.span),
                    format!(
                        "`{}` has {n} accountable parties ({}); exactly one is accountable",
                        r.name,
                        names.join(", ")
                    ),
                )
                .with_label(format!("{n} accountable"))
                .with_help(
                    "keep one accountable party; move the others to `responsible` or `consulted`",
                );
                for l in a_lines.iter().skip(1) {
                    d = d.with_secondary(l.1, "more accountable parties");
                }
                out.push(d);
            }
        }
        if r.responsible.is_empty() && line('R').is_none() {
            out.push(
                Diagnostic::error(
                    Code::RaciResponsible,
                    r.span,
                    format!("`{}` has no responsible party", r.name),
                )
                .with_label("nobody does the work")
                .with_help("name who does the work: `responsible DEPARTMENT_OR_ROLE, …`"),
            );
        }
    }
    out
}
