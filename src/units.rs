//! Units of measure: declared units, ISO 4217 currencies, time words, `%`, and
//! their products and quotients.
//!
//! A [`Unit`] is a product of named base units with integer exponents
//! (`USD/deal` is `USD¹·deal⁻¹`). `%` is dimensionless: it only changes how values
//! are shown. Literals without a unit have the type [`Ty::Any`] and adopt whatever
//! unit their context requires.

use std::fmt;

/// Predeclared currency codes (ISO 4217).
pub(crate) const CURRENCIES: &[&str] = &[
    "USD", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD", "NZD", "CNY", "HKD", "SGD", "SEK", "NOK",
    "DKK", "PLN", "CZK", "HUF", "ILS", "INR", "KRW", "TWD", "THB", "MYR", "IDR", "PHP", "BRL",
    "MXN", "ARS", "CLP", "COP", "ZAR", "TRY", "AED", "SAR", "RUB", "UAH", "NGN", "EGP", "KES",
    "VND", "PKR", "RON", "BGN", "ISK",
];

/// Predeclared time words.
pub(crate) const TIME_WORDS: &[&str] = &["day", "week", "month", "quarter", "year"];

/// True for a predeclared currency code.
pub(crate) fn is_currency(name: &str) -> bool {
    CURRENCIES.contains(&name)
}

/// Decimals of a currency's minor unit (2 for USD, 0 for JPY).
pub(crate) fn minor_digits(code: &str) -> u32 {
    match code {
        "JPY" | "KRW" | "CLP" | "ISK" | "VND" => 0,
        _ => 2,
    }
}

/// The symbol shown before amounts of a currency, when it has a common one.
pub(crate) fn currency_symbol(code: &str) -> Option<&'static str> {
    match code {
        "USD" => Some("$"),
        "EUR" => Some("€"),
        "GBP" => Some("£"),
        "JPY" => Some("¥"),
        _ => None,
    }
}

/// A unit: named base units with non-zero exponents, sorted by name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Unit {
    /// `(name, exponent)` pairs, sorted by name, no zero exponents.
    pub(crate) factors: Vec<(String, i32)>,
    /// Written as `%`: dimensionless, shown as a percentage.
    pub(crate) percent: bool,
}

impl Unit {
    /// The unit of pure numbers.
    pub fn dimensionless() -> Unit {
        Unit::default()
    }

    /// `%`.
    pub fn percent() -> Unit {
        Unit {
            factors: Vec::new(),
            percent: true,
        }
    }

    /// A single named unit.
    pub fn named(name: &str) -> Unit {
        Unit {
            factors: vec![(name.to_string(), 1)],
            percent: false,
        }
    }

    fn combine(&self, other: &Unit, sign: i32) -> Unit {
        let mut factors = self.factors.clone();
        for (n, e) in &other.factors {
            match factors.iter_mut().find(|(m, _)| m == n) {
                Some((_, x)) => *x = x.saturating_add(e.saturating_mul(sign)),
                None => factors.push((n.clone(), e.saturating_mul(sign))),
            }
        }
        factors.retain(|(_, e)| *e != 0);
        factors.sort();
        Unit {
            factors,
            percent: false,
        }
    }

    /// The product of two units.
    pub(crate) fn mul(&self, other: &Unit) -> Unit {
        self.combine(other, 1)
    }

    /// The quotient of two units.
    pub(crate) fn div(&self, other: &Unit) -> Unit {
        self.combine(other, -1)
    }

    /// Same dimension (a percentage and a plain number count as the same).
    pub(crate) fn same(&self, other: &Unit) -> bool {
        self.factors == other.factors
    }

    /// True when the unit has no named factors.
    pub(crate) fn is_dimensionless(&self) -> bool {
        self.factors.is_empty()
    }

    /// A ratio rolls up by averaging: `%` or any unit with a denominator.
    pub(crate) fn is_ratio(&self) -> bool {
        self.percent || self.factors.iter().any(|(_, e)| *e < 0)
    }

    /// The currency code when the unit is exactly one currency.
    pub(crate) fn currency(&self) -> Option<&str> {
        match self.factors.as_slice() {
            [(n, 1)] if is_currency(n) => Some(n),
            _ => None,
        }
    }

    /// When the unit is `CURRENCY/other`, the currency and the rest (`USD/deal`).
    pub(crate) fn currency_per(&self) -> Option<(&str, Unit)> {
        let cur = self
            .factors
            .iter()
            .find(|(n, e)| *e == 1 && is_currency(n))?;
        let rest = Unit {
            factors: self
                .factors
                .iter()
                .filter(|f| f.0 != cur.0)
                .cloned()
                .collect(),
            percent: false,
        };
        if rest.factors.iter().all(|(_, e)| *e < 0) {
            Some((&cur.0, rest))
        } else {
            None
        }
    }
}

fn write_factors(f: &mut fmt::Formatter<'_>, fs: &[(String, i32)]) -> fmt::Result {
    for (i, (n, e)) in fs.iter().enumerate() {
        if i > 0 {
            f.write_str("*")?;
        }
        f.write_str(n)?;
        for _ in 1..e.unsigned_abs() {
            write!(f, "*{n}")?;
        }
    }
    Ok(())
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.factors.is_empty() {
            return f.write_str(if self.percent { "%" } else { "1" });
        }
        let num: Vec<(String, i32)> = self.factors.iter().filter(|x| x.1 > 0).cloned().collect();
        let den: Vec<(String, i32)> = self.factors.iter().filter(|x| x.1 < 0).cloned().collect();
        if num.is_empty() {
            f.write_str("1")?;
        } else {
            write_factors(f, &num)?;
        }
        if !den.is_empty() {
            f.write_str("/")?;
            let many = den.len() > 1 || den.iter().any(|d| d.1 < -1);
            if many {
                f.write_str("(")?;
            }
            write_factors(f, &den)?;
            if many {
                f.write_str(")")?;
            }
        }
        Ok(())
    }
}

/// The type of an expression as the unit checker sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ty {
    /// A number in a unit.
    Num(Unit),
    /// A literal without a unit: adopts the unit its context needs.
    Any,
    /// A truth value (comparisons, `and`, `or`, `not`).
    Bool,
    /// A period (`2026-06`), only valid as a function argument.
    Period,
    /// A period range (`2026-01 .. 2026-06`), only valid as a window argument.
    Range,
}

impl Ty {}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Num(u) if u.is_dimensionless() && !u.percent => f.write_str("a plain number"),
            Ty::Num(u) => write!(f, "{u}"),
            Ty::Any => f.write_str("a plain number"),
            Ty::Bool => f.write_str("a condition"),
            Ty::Period => f.write_str("a period"),
            Ty::Range => f.write_str("a period range"),
        }
    }
}
