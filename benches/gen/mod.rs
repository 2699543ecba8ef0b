//! Large synthetic plans for the evaluation benchmark (`benches/eval.rs`) and its
//! correctness test (`tests/it/bench_generator.rs`).
//!
//! [`generate`] takes a [`Config`] and gives back a [`Synth`]: the plan as Plumb
//! text plus the same plan as a plain list of formulas. [`reference`] evaluates that
//! list with bare `rust_decimal` arithmetic — hand-written loops, no expression
//! trees — which is both the speed baseline the evaluator is measured against and
//! an independent answer to compare its results with.
//!
//! The plan: `items` drivers and metrics over `months` months and three scenarios.
//! 40% of the items are inputs with a value per month (`step { … }`, one entry per
//! month); the rest are formulas over earlier items: products, sums, `max`, ratios,
//! and `prev`-based running totals and compounding
//! (`x = prev(x, 100) * (1 + g) + y`). Two scenarios override some inputs, some
//! of them only `from` a period. Everything is deterministic (a fixed-seed PRNG).

#![allow(dead_code, clippy::needless_range_loop)]

use rust_decimal::Decimal;
use std::fmt::Write;

/// Size of the generated plan.
#[derive(Debug, Clone, Copy)]
pub struct Config {
    /// Drivers plus metrics.
    pub items: usize,
    /// Months in the horizon (from 2026-01).
    pub months: usize,
    /// PRNG seed.
    pub seed: u64,
}

impl Config {
    /// The benchmark's size: 10,000 items × 60 months (× 3 scenarios).
    pub fn full() -> Config {
        Config {
            items: 10_000,
            months: 60,
            seed: 0x5eed_2026,
        }
    }
}

/// What an item holds, for picking operands of the right unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// USD amounts (all positive).
    Money,
    /// A `%` growth rate (inputs only, 0.5%–5%).
    Rate,
    /// A share between 0 and 1 (`a / (a + b)`).
    Share,
}

/// One item's definition (indices are earlier items).
#[derive(Debug, Clone)]
pub enum Formula {
    /// An input with one value per month.
    Input(Vec<Decimal>),
    /// `a * (1 + r)`
    Grow { a: usize, r: usize },
    /// `a + b + c`
    Sum3 { a: usize, b: usize, c: usize },
    /// `max(a - b, c)`
    MaxDiff { a: usize, b: usize, c: usize },
    /// `a / (a + b)`
    Ratio { a: usize, b: usize },
    /// `a * q`
    Share { a: usize, q: usize },
    /// `prev(self, 100) * (1 + r) + a`
    Compound { r: usize, a: usize },
    /// `prev(self) + a`
    Running { a: usize },
}

/// A scenario override of an input: `d = d * factor [from P]` or `d = value from P`.
#[derive(Debug, Clone)]
pub enum Override {
    /// `d = d * factor`, from period index `from`.
    Scale {
        item: usize,
        factor: Decimal,
        from: usize,
    },
    /// `d = value from P`.
    Set {
        item: usize,
        value: Decimal,
        from: usize,
    },
}

/// A generated plan.
#[derive(Debug, Clone)]
pub struct Synth {
    /// The plan as Plumb source.
    pub text: String,
    /// Item names, in declaration order.
    pub names: Vec<String>,
    /// Item definitions, in declaration order.
    pub formulas: Vec<Formula>,
    /// Months in the horizon.
    pub months: usize,
    /// Scenario names: base first.
    pub scenarios: Vec<String>,
    /// Overrides per scenario (base: none; others extend base).
    pub overrides: Vec<Vec<Override>>,
    /// Inputs no formula reads (the last few): the objective watches them.
    pub watched: Vec<usize>,
    /// What each item holds.
    pub kinds: Vec<Kind>,
}

/// xorshift64*: small, deterministic, good enough to pick operands.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn month_label(i: usize) -> String {
    format!("{:04}-{:02}", 2026 + i / 12, i % 12 + 1)
}

/// Generates the plan.
pub fn generate(cfg: Config) -> Synth {
    let mut rng = Rng(cfg.seed | 1);
    let n = cfg.items.max(8);
    let months = cfg.months.max(2);
    let mut kinds: Vec<Kind> = Vec::with_capacity(n);
    let mut formulas: Vec<Formula> = Vec::with_capacity(n);
    let mut names: Vec<String> = Vec::with_capacity(n);
    let mut by_kind: [Vec<usize>; 3] = [Vec::new(), Vec::new(), Vec::new()];
    let mut inputs: Vec<usize> = Vec::new();
    // Inputs no formula reads yet: formulas take these first, so every driver is
    // used (as in a real plan, where an unused driver is a warning).
    let mut unused: [std::collections::VecDeque<usize>; 2] = Default::default();
    let slot = |k: Kind| match k {
        Kind::Money => 0,
        Kind::Rate => 1,
        Kind::Share => 2,
    };
    for i in 0..n {
        // 2 in 5 items are inputs; the first few are, so formulas have operands.
        let input = i < 6 || i % 5 == 0 || i % 5 == 3;
        let (kind, f) = if input {
            let rate = i % 4 == 1;
            let vals: Vec<Decimal> = (0..months)
                .map(|_| {
                    if rate {
                        // 0.50% .. 5.00%
                        Decimal::new(50 + rng.below(451) as i64, 4)
                    } else {
                        // 1,000.00 .. 100,000.00
                        Decimal::new(100_000 + rng.below(9_900_001) as i64, 2)
                    }
                })
                .collect();
            let kind = if rate { Kind::Rate } else { Kind::Money };
            inputs.push(i);
            unused[usize::from(rate)].push_back(i);
            (kind, Formula::Input(vals))
        } else {
            let money = &by_kind[0];
            let pick = |rng: &mut Rng, v: &Vec<usize>| v[rng.below(v.len())];
            // The first money operand and the rate: an unused input when there is one.
            let a = unused[0]
                .pop_front()
                .unwrap_or_else(|| pick(&mut rng, money));
            let mut rate = |rng: &mut Rng| {
                unused[1]
                    .pop_front()
                    .unwrap_or_else(|| pick(rng, &by_kind[1]))
            };
            let roll = rng.below(100);
            if roll < 20 {
                let r = rate(&mut rng);
                (Kind::Money, Formula::Grow { a, r })
            } else if roll < 40 {
                let (b, c) = (pick(&mut rng, money), pick(&mut rng, money));
                (Kind::Money, Formula::Sum3 { a, b, c })
            } else if roll < 55 {
                let (b, c) = (pick(&mut rng, money), pick(&mut rng, money));
                (Kind::Money, Formula::MaxDiff { a, b, c })
            } else if roll < 65 {
                // Operands are money inputs, so the denominator is never zero.
                let a = if kinds[a] == Kind::Money && inputs.contains(&a) {
                    a
                } else {
                    pick_input(&mut rng, &inputs, &kinds, Kind::Money)
                };
                let b = pick_input(&mut rng, &inputs, &kinds, Kind::Money);
                (Kind::Share, Formula::Ratio { a, b })
            } else if roll < 80 && !by_kind[2].is_empty() {
                let q = pick(&mut rng, &by_kind[2]);
                (Kind::Money, Formula::Share { a, q })
            } else if roll < 90 {
                let r = rate(&mut rng);
                (Kind::Money, Formula::Compound { r, a })
            } else {
                (Kind::Money, Formula::Running { a })
            }
        };
        let name = match f {
            Formula::Input(_) => format!("d{i:05}"),
            _ => format!("m{i:05}"),
        };
        by_kind[slot(kind)].push(i);
        kinds.push(kind);
        formulas.push(f);
        names.push(name);
    }

    // Scenario overrides: 3% of the inputs each, half of them only from a period.
    let scenarios = vec!["base".to_string(), "high".to_string(), "low".to_string()];
    let mut overrides: Vec<Vec<Override>> = vec![Vec::new()];
    for s in 1..3 {
        let mut list = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        let count = (inputs.len() * 3).div_ceil(100);
        while list.len() < count {
            let item = inputs[rng.below(inputs.len())];
            if !seen.insert(item) {
                continue;
            }
            let from = if rng.below(2) == 0 {
                0
            } else {
                1 + rng.below(months - 1)
            };
            let o = if kinds[item] == Kind::Money && rng.below(4) == 0 {
                Override::Set {
                    item,
                    value: Decimal::new(250_000 + rng.below(1_000_000) as i64, 2),
                    from,
                }
            } else {
                let factor = if s == 1 {
                    Decimal::new(110, 2)
                } else {
                    Decimal::new(85, 2)
                };
                Override::Scale { item, factor, from }
            };
            list.push(o);
        }
        overrides.push(list);
    }

    let mut watched: Vec<usize> = unused.iter().flatten().copied().collect();
    watched.sort_unstable();
    let synth = Synth {
        text: String::new(),
        names,
        formulas,
        months,
        scenarios,
        overrides,
        watched,
        kinds,
    };
    let text = render(&synth, 0);
    Synth { text, ..synth }
}

/// The same plan with every item declared `by seg`, a dimension of `members`
/// members (`s00`, `s01`, …): each member's series is computed by the same
/// formula as the flat item (other items are read member by member), so every
/// member equals the flat plan's item, and the work per series is the same.
pub fn with_members(s: &Synth, members: usize) -> String {
    render(s, members.max(1))
}

fn pick_input(rng: &mut Rng, inputs: &[usize], kinds: &[Kind], want: Kind) -> usize {
    loop {
        let i = inputs[rng.below(inputs.len())];
        if kinds[i] == want {
            return i;
        }
    }
}

fn render(s: &Synth, members: usize) -> String {
    let kinds = &s.kinds;
    let mut t = String::with_capacity(s.formulas.len() * 600);
    let last = month_label(s.months - 1);
    let _ = writeln!(t, "## Synthetic plan for the evaluation benchmark.");
    let _ = writeln!(t, "plan bench \"Synthetic benchmark plan\" {{");
    let _ = writeln!(t, "  currency USD");
    let _ = writeln!(t, "  periods 2026-01 .. {last}");
    let _ = writeln!(t, "  base base");
    let _ = writeln!(t, "}}");
    let _ = writeln!(t, "department ops \"Operations\"");
    // `by seg` after each item's name (and unit), and how a condition reads one
    // value per period.
    let by = if members > 0 {
        let _ = write!(t, "dimension seg \"Segment\" {{");
        for m in 0..members {
            let _ = write!(t, " s{m:02}");
        }
        let _ = writeln!(t, " }}");
        " by seg"
    } else {
        ""
    };
    let one = |name: &str| {
        if members > 0 {
            format!("total({name})")
        } else {
            name.to_string()
        }
    };
    let n = |i: usize| s.names[i].as_str();
    for (i, f) in s.formulas.iter().enumerate() {
        match f {
            Formula::Input(vals) => {
                let unit = if kinds[i] == Kind::Rate { "%" } else { "USD" };
                let _ = write!(t, "driver {}: {unit}{by} = step {{", n(i));
                for (m, v) in vals.iter().enumerate() {
                    let sep = if m == 0 { " " } else { ", " };
                    let _ = write!(t, "{sep}{}: {v}", month_label(m));
                }
                let _ = writeln!(t, " }}");
            }
            Formula::Grow { a, r } => {
                let _ = writeln!(t, "metric {}{by} = {} * (1 + {})", n(i), n(*a), n(*r));
            }
            Formula::Sum3 { a, b, c } => {
                let _ = writeln!(t, "metric {}{by} = {} + {} + {}", n(i), n(*a), n(*b), n(*c));
            }
            Formula::MaxDiff { a, b, c } => {
                let _ = writeln!(
                    t,
                    "metric {}{by} = max({} - {}, {})",
                    n(i),
                    n(*a),
                    n(*b),
                    n(*c)
                );
            }
            Formula::Ratio { a, b } => {
                let _ = writeln!(
                    t,
                    "metric {}{by} = {} / ({} + {})",
                    n(i),
                    n(*a),
                    n(*a),
                    n(*b)
                );
            }
            Formula::Share { a, q } => {
                let _ = writeln!(t, "metric {}{by} = {} * {}", n(i), n(*a), n(*q));
            }
            Formula::Compound { r, a } => {
                let _ = writeln!(
                    t,
                    "metric {}: USD{by} = prev({}, 100) * (1 + {}) + {}",
                    n(i),
                    n(i),
                    n(*r),
                    n(*a)
                );
            }
            Formula::Running { a } => {
                let _ = writeln!(t, "metric {}: USD{by} = prev({}) + {}", n(i), n(i), n(*a));
            }
        }
    }
    let total = s.names.len() - 1;
    let _ = writeln!(
        t,
        "objective stays_positive \"Every figure stays positive\" {{"
    );
    let _ = writeln!(t, "  owner ops");
    let _ = writeln!(t, "  target min({}) > 0", one(n(total)));
    for w in &s.watched {
        let _ = writeln!(t, "  target min({}) > 0", one(n(*w)));
    }
    let _ = writeln!(t, "}}");
    let _ = writeln!(t, "trigger negative \"A figure turns negative\" {{");
    let _ = writeln!(t, "  when {} < 0", one(n(total)));
    let _ = writeln!(t, "  after 1 month: set {} = 0", n(0));
    let _ = writeln!(t, "  owner ops");
    let _ = writeln!(t, "}}");
    for (k, name) in s.scenarios.iter().enumerate() {
        if k == 0 {
            let _ = writeln!(t, "scenario base \"Base\" {{}}");
            continue;
        }
        let _ = writeln!(t, "scenario {name} \"Scenario {name}\" extends base {{");
        for o in &s.overrides[k] {
            let (item, rhs, from) = match o {
                Override::Scale { item, factor, from } => {
                    (*item, format!("{} * {factor}", n(*item)), *from)
                }
                Override::Set { item, value, from } => (*item, value.to_string(), *from),
            };
            if from == 0 {
                let _ = writeln!(t, "  {} = {rhs}", n(item));
            } else {
                let _ = writeln!(t, "  {} = {rhs} from {}", n(item), month_label(from));
            }
        }
        let _ = writeln!(t, "}}");
    }
    t
}

/// Arithmetic operations the formulas perform per scenario and period (for the
/// baseline's ops/second).
pub fn ops_per_cell_row(s: &Synth) -> usize {
    s.formulas
        .iter()
        .map(|f| match f {
            Formula::Input(_) => 0,
            Formula::Grow { .. } => 2,
            Formula::Sum3 { .. } => 2,
            Formula::MaxDiff { .. } => 2,
            Formula::Ratio { .. } => 2,
            Formula::Share { .. } => 1,
            Formula::Compound { .. } => 3,
            Formula::Running { .. } => 1,
        })
        .sum()
}

/// Evaluates every scenario with bare `rust_decimal` arithmetic: per scenario, per
/// item, one value per month. None on overflow or division by zero (the generator
/// avoids both).
pub fn reference(s: &Synth) -> Option<Vec<Vec<Vec<Decimal>>>> {
    let mut out = Vec::with_capacity(s.scenarios.len());
    for k in 0..s.scenarios.len() {
        out.push(reference_scenario(s, k)?);
    }
    Some(out)
}

fn reference_scenario(s: &Synth, k: usize) -> Option<Vec<Vec<Decimal>>> {
    let m = s.months;
    let mut vals: Vec<Vec<Decimal>> = Vec::with_capacity(s.formulas.len());
    let ovs = &s.overrides[k];
    for (i, f) in s.formulas.iter().enumerate() {
        let mut col = Vec::with_capacity(m);
        match *f {
            Formula::Input(ref v) => {
                col.extend_from_slice(v);
                for o in ovs {
                    match *o {
                        Override::Scale { item, factor, from } if item == i => {
                            for x in col.iter_mut().skip(from) {
                                *x = x.checked_mul(factor)?;
                            }
                        }
                        Override::Set { item, value, from } if item == i => {
                            for x in col.iter_mut().skip(from) {
                                *x = value;
                            }
                        }
                        _ => {}
                    }
                }
            }
            Formula::Grow { a, r } => {
                let (a, r) = (&vals[a], &vals[r]);
                for t in 0..m {
                    col.push(a[t].checked_mul(Decimal::ONE.checked_add(r[t])?)?);
                }
            }
            Formula::Sum3 { a, b, c } => {
                let (a, b, c) = (&vals[a], &vals[b], &vals[c]);
                for t in 0..m {
                    col.push(a[t].checked_add(b[t])?.checked_add(c[t])?);
                }
            }
            Formula::MaxDiff { a, b, c } => {
                let (a, b, c) = (&vals[a], &vals[b], &vals[c]);
                for t in 0..m {
                    col.push(a[t].checked_sub(b[t])?.max(c[t]));
                }
            }
            Formula::Ratio { a, b } => {
                let (a, b) = (&vals[a], &vals[b]);
                for t in 0..m {
                    col.push(a[t].checked_div(a[t].checked_add(b[t])?)?);
                }
            }
            Formula::Share { a, q } => {
                let (a, q) = (&vals[a], &vals[q]);
                for t in 0..m {
                    col.push(a[t].checked_mul(q[t])?);
                }
            }
            Formula::Compound { r, a } => {
                let (r, a) = (&vals[r], &vals[a]);
                let mut prev = Decimal::ONE_HUNDRED;
                for t in 0..m {
                    let v = prev
                        .checked_mul(Decimal::ONE.checked_add(r[t])?)?
                        .checked_add(a[t])?;
                    col.push(v);
                    prev = v;
                }
            }
            Formula::Running { a } => {
                let a = &vals[a];
                let mut prev = Decimal::ZERO;
                for t in 0..m {
                    let v = prev.checked_add(a[t])?;
                    col.push(v);
                    prev = v;
                }
            }
        }
        vals.push(col);
    }
    Some(vals)
}

/// The plan as plain data for other evaluators (`benches/python_baseline.py`):
/// a JSON object with `months`, `scenarios`, `names`, `items` (one array per item:
/// `["input", ["1234.5", …]]`, `["grow", a, r]`, `["sum3", a, b, c]`,
/// `["maxdiff", a, b, c]`, `["ratio", a, b]`, `["share", a, q]`,
/// `["compound", r, a]`, `["running", a]`, operands being earlier items' indices)
/// and `overrides` (per scenario: `["scale", item, "1.10", from]` or
/// `["set", item, "2500.00", from]`, `from` a month index).
pub fn to_json(s: &Synth) -> String {
    let mut t = String::with_capacity(s.formulas.len() * 400);
    let _ = write!(t, "{{\"months\": {}, \"scenarios\": [", s.months);
    let list = |t: &mut String, v: &[String]| {
        for (k, x) in v.iter().enumerate() {
            let _ = write!(t, "{}\"{x}\"", if k == 0 { "" } else { ", " });
        }
    };
    list(&mut t, &s.scenarios);
    t.push_str("],\n\"names\": [");
    list(&mut t, &s.names);
    t.push_str("],\n\"items\": [\n");
    for (i, f) in s.formulas.iter().enumerate() {
        if i > 0 {
            t.push_str(",\n");
        }
        let _ = match f {
            Formula::Input(vals) => {
                let vals: Vec<String> = vals.iter().map(|v| v.to_string()).collect();
                t.push_str("[\"input\", [");
                list(&mut t, &vals);
                write!(t, "]]")
            }
            Formula::Grow { a, r } => write!(t, "[\"grow\", {a}, {r}]"),
            Formula::Sum3 { a, b, c } => write!(t, "[\"sum3\", {a}, {b}, {c}]"),
            Formula::MaxDiff { a, b, c } => write!(t, "[\"maxdiff\", {a}, {b}, {c}]"),
            Formula::Ratio { a, b } => write!(t, "[\"ratio\", {a}, {b}]"),
            Formula::Share { a, q } => write!(t, "[\"share\", {a}, {q}]"),
            Formula::Compound { r, a } => write!(t, "[\"compound\", {r}, {a}]"),
            Formula::Running { a } => write!(t, "[\"running\", {a}]"),
        };
    }
    t.push_str("],\n\"overrides\": [");
    for (k, list) in s.overrides.iter().enumerate() {
        t.push_str(if k == 0 { "\n[" } else { ",\n[" });
        for (j, o) in list.iter().enumerate() {
            let sep = if j == 0 { "" } else { ", " };
            let _ = match o {
                Override::Scale { item, factor, from } => {
                    write!(t, "{sep}[\"scale\", {item}, \"{factor}\", {from}]")
                }
                Override::Set { item, value, from } => {
                    write!(t, "{sep}[\"set\", {item}, \"{value}\", {from}]")
                }
            };
        }
        t.push(']');
    }
    t.push_str("]}\n");
    t
}
