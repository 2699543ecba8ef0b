//! The Budgets and ranked Requests sections of `plumb run` (DIMENSIONS.md §3–4):
//! report rows built from [`crate::outcome::budgets`]' outcomes.

use super::RunReport;
use crate::ir::Plan;
use crate::outcome::budgets::{BudgetOutcome, Ranked};
use crate::units::Unit;
use rust_decimal::Decimal;
use serde::{Serialize, Serializer};

/// One department of a budget over one window, in one scenario.
#[derive(Debug, Clone, Serialize)]
pub struct BudgetReport {
    /// Budget name.
    pub(crate) budget: String,
    /// The department the amount is allotted to.
    pub(crate) department: String,
    /// The window (`2026-01 .. 2026-06`, `to 2026-Q2`).
    pub(crate) window: String,
    /// The budget's amount for the department over the window, before draws and
    /// reallocations.
    #[serde(serialize_with = "ser_decimal")]
    pub(crate) amount: Decimal,
    /// Contingency draws to the department.
    #[serde(serialize_with = "ser_decimal")]
    pub(crate) draws: Decimal,
    /// Reallocations in minus out.
    #[serde(serialize_with = "ser_decimal")]
    pub(crate) reallocations: Decimal,
    /// amount + draws + reallocations.
    #[serde(serialize_with = "ser_decimal")]
    pub(crate) allowance: Decimal,
    /// Planned spend.
    #[serde(serialize_with = "ser_decimal")]
    pub(crate) spend: Decimal,
    /// allowance − spend (negative: over budget).
    #[serde(serialize_with = "ser_decimal")]
    pub(crate) headroom: Decimal,
    /// Unit of the figures.
    #[serde(skip)]
    pub(crate) unit: Unit,
}

/// One scored request, in ranking order (base scenario).
#[derive(Debug, Clone, Serialize)]
pub struct RankedReport {
    /// Request name.
    pub(crate) request: String,
    /// True when it supports a top objective directly.
    pub(crate) top: bool,
    /// Its cost.
    #[serde(serialize_with = "super::ser_opt_decimal")]
    pub(crate) cost: Option<Decimal>,
    /// Its return.
    #[serde(rename = "return", serialize_with = "super::ser_opt_decimal")]
    pub(crate) ret: Option<Decimal>,
    /// return / cost.
    #[serde(serialize_with = "super::ser_opt_decimal")]
    pub(crate) roi: Option<Decimal>,
    /// Running total of cost down the ranking.
    #[serde(serialize_with = "ser_decimal")]
    pub(crate) running: Decimal,
    /// True while the running cost fits the contingency left.
    pub(crate) funded: bool,
    /// Unit of the figures.
    #[serde(skip)]
    pub(crate) unit: Unit,
}

pub(super) fn ser_decimal<S: Serializer>(v: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&crate::present::exact(*v))
}

fn currency(plan: &Plan) -> Unit {
    if plan.currency.is_empty() {
        Unit::default()
    } else {
        Unit::named(&plan.currency)
    }
}

impl RunReport {
    /// Adds each scenario's budgets (as from
    /// [`crate::outcome::budgets::all_outcomes`]) and the base scenario's request
    /// ranking with the contingency left.
    pub fn with_budgets(
        mut self,
        plan: &Plan,
        budgets: &[(usize, Vec<BudgetOutcome>)],
        ranking: Option<(Vec<Ranked>, Decimal)>,
    ) -> RunReport {
        for sc in self.scenarios.iter_mut() {
            let Some(s) = plan.scenario(&sc.name) else {
                continue;
            };
            let Some((_, outs)) = budgets.iter().find(|(x, _)| *x == s) else {
                continue;
            };
            sc.budgets = outs
                .iter()
                .flat_map(|o| {
                    let name = plan
                        .budgets
                        .get(o.budget)
                        .map(|b| b.name.clone())
                        .unwrap_or_default();
                    o.rows.iter().map(move |r| BudgetReport {
                        budget: name.clone(),
                        department: r.department.clone(),
                        window: r.window.clone(),
                        amount: r.amount,
                        draws: r.draws,
                        reallocations: r.reallocations,
                        allowance: r.allowance,
                        spend: r.spend,
                        headroom: r.headroom,
                        unit: o.unit.clone(),
                    })
                })
                .collect();
        }
        if let Some((ranked, left)) = ranking {
            if !ranked.is_empty() {
                let unit = currency(plan);
                self.ranked_requests = ranked
                    .iter()
                    .filter_map(|r| {
                        Some(RankedReport {
                            request: plan.requests.get(r.request)?.name.clone(),
                            top: r.top,
                            cost: r.cost,
                            ret: r.ret,
                            roi: r.roi,
                            running: r.running,
                            funded: r.funded,
                            unit: unit.clone(),
                        })
                    })
                    .collect();
                self.contingency_left = Some(left);
            }
        }
        self
    }
}
