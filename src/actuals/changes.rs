//! Actuals in `plumb diff`: every actual that was added, removed or restated
//! between two versions of a plan (a restated month is a reviewable fact), and a
//! moved close (`actuals through`).

use crate::compile::Compilation;
use crate::diff::Callout;
use crate::present::{amount, decimals_for};

/// Most restated values listed one by one; the rest are counted.
const MAX_LISTED: usize = 50;

/// One callout (topic `actuals`) per changed actual, by item and month.
pub(crate) fn callouts(old: &Compilation, new: &Compilation) -> Vec<Callout> {
    let (Some(a), Some(b)) = (&old.actuals, &new.actuals) else {
        return Vec::new();
    };
    let (po, pn) = (old.plan(), new.plan());
    let mut out = Vec::new();
    let label = |t: Option<i64>, p: &crate::ir::Plan| {
        t.filter(|t| *t >= 0)
            .map(|t| p.period_label(t))
            .unwrap_or_else(|| "nothing".into())
    };
    let (lo, ln) = (label(a.through, po), label(b.through, pn));
    if lo != ln {
        out.push(Callout {
            topic: "actuals".into(),
            name: "actuals through".into(),
            text: format!("the close moved from {lo} to {ln}"),
        });
    }
    let mut changed = 0usize;
    for (i, it) in pn.items.iter().enumerate() {
        let Some(j) = po.item(&it.name) else { continue };
        for t in 0..pn.len {
            let month = pn.start + t as i64;
            let to = month - po.start;
            let was = usize::try_from(to).ok().and_then(|to| a.get(j, to));
            let now = b.get(i, t);
            if was == now {
                continue;
            }
            changed += 1;
            if changed > MAX_LISTED {
                continue;
            }
            let vals: Vec<_> = was.iter().chain(now.iter()).copied().collect();
            let dp = decimals_for(&vals, &it.unit);
            let show = |v: rust_decimal::Decimal| amount(v, &it.unit, dp);
            let text = match (was, now) {
                (Some(x), Some(y)) => format!(
                    "{} restated: {} → {}",
                    pn.period_label(t as i64),
                    show(x),
                    show(y)
                ),
                (None, Some(y)) => {
                    format!("{} actual added: {}", pn.period_label(t as i64), show(y))
                }
                (Some(x), None) => format!(
                    "{} actual removed (was {})",
                    pn.period_label(t as i64),
                    show(x)
                ),
                (None, None) => continue,
            };
            out.push(Callout {
                topic: "actuals".into(),
                name: it.name.clone(),
                text,
            });
        }
    }
    if changed > MAX_LISTED {
        out.push(Callout {
            topic: "actuals".into(),
            name: "…".into(),
            text: format!("{} more actuals changed", changed - MAX_LISTED),
        });
    }
    out
}
