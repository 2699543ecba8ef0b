//! `allocate(amount, weights[, digits])`: an amount split over members in
//! proportion to their weights, exactly (DIMENSIONS.md §2).
//!
//! Each part is rounded toward zero to `digits` decimals; the units left over go
//! one at a time to the parts with the largest discarded remainder (compared
//! exactly, as integers; ties to the member declared first), so the parts add up
//! to the amount exactly whenever the amount itself has at most `digits`
//! decimals. Without `digits` the parts are exact quotients and the last units of
//! the 28th decimal go to the largest weight.

use rust_decimal::Decimal;

/// Why a split failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error {
    /// Every weight is zero (`division-by-zero`).
    ZeroWeights,
    /// A weight is negative.
    NegativeWeight,
    /// The computation does not fit exact integers.
    Overflow,
}

impl Error {
    /// What went wrong, in words.
    pub(crate) fn message(self) -> &'static str {
        match self {
            Error::ZeroWeights => "`allocate` has weights that add up to zero",
            Error::NegativeWeight => "`allocate` has a negative weight",
            Error::Overflow => "`allocate` has an amount or weights too large to split exactly",
        }
    }
}

/// Splits `amount` over `weights`; `digits` is the rounding (None: none).
pub fn split(
    amount: Decimal,
    weights: &[Decimal],
    digits: Option<u32>,
) -> Result<Vec<Decimal>, Error> {
    if weights.iter().any(|w| w.is_sign_negative() && !w.is_zero()) {
        return Err(Error::NegativeWeight);
    }
    if weights.iter().all(|w| w.is_zero()) {
        return Err(Error::ZeroWeights);
    }
    match digits {
        Some(d) => rounded(amount, weights, d.min(28)),
        None => exact(amount, weights),
    }
}

fn pow10(n: u32) -> Option<i128> {
    10i128.checked_pow(n)
}

/// Largest remainder in units of 10^-digits.
fn rounded(amount: Decimal, weights: &[Decimal], digits: u32) -> Result<Vec<Decimal>, Error> {
    let negative = amount.is_sign_negative();
    let a = amount.abs();
    // a = A / 10^sa; every weight brought to the common scale sw.
    let (big_a, sa) = (a.mantissa(), a.scale());
    let sw = weights.iter().map(|w| w.scale()).max().unwrap_or(0);
    let ws: Vec<i128> = weights
        .iter()
        .map(|w| {
            pow10(sw - w.scale())
                .and_then(|f| w.mantissa().checked_mul(f))
                .ok_or(Error::Overflow)
        })
        .collect::<Result<_, _>>()?;
    let sum_w = ws
        .iter()
        .try_fold(0i128, |s, w| s.checked_add(*w))
        .ok_or(Error::Overflow)?;
    // Part j in units: floor(A × 10^digits × Wj / (10^sa × ΣW)).
    let n = big_a
        .checked_mul(pow10(digits).ok_or(Error::Overflow)?)
        .ok_or(Error::Overflow)?;
    let scale_a = pow10(sa).ok_or(Error::Overflow)?;
    let den = scale_a.checked_mul(sum_w).ok_or(Error::Overflow)?;
    let mut q = Vec::with_capacity(ws.len());
    let mut r = Vec::with_capacity(ws.len());
    for w in &ws {
        let num = n.checked_mul(*w).ok_or(Error::Overflow)?;
        q.push(num / den);
        r.push(num % den);
    }
    let units = n / scale_a;
    let given = q
        .iter()
        .try_fold(0i128, |s, x| s.checked_add(*x))
        .ok_or(Error::Overflow)?;
    let left = usize::try_from(units.saturating_sub(given).max(0)).unwrap_or(0);
    let mut order: Vec<usize> = (0..ws.len()).collect();
    order.sort_by(|x, y| {
        let rx = r.get(*x).copied().unwrap_or(0);
        let ry = r.get(*y).copied().unwrap_or(0);
        ry.cmp(&rx).then(x.cmp(y))
    });
    for j in order.into_iter().take(left) {
        if let Some(p) = q.get_mut(j) {
            *p += 1;
        }
    }
    q.into_iter()
        .map(|units| {
            let v = if negative { -units } else { units };
            Decimal::try_from_i128_with_scale(v, digits).map_err(|_| Error::Overflow)
        })
        .collect()
}

/// Without rounding: parts to as many decimals as an exact decimal holds next to
/// the amount's integer digits, split by the largest-remainder rule so they still
/// add up to the amount.
fn exact(amount: Decimal, weights: &[Decimal]) -> Result<Vec<Decimal>, Error> {
    let int_digits = amount
        .abs()
        .trunc()
        .to_string()
        .trim_start_matches('0')
        .len() as u32;
    let cap = 27u32.saturating_sub(int_digits).max(amount.scale());
    for digits in (amount.scale()..=cap).rev() {
        if let Ok(parts) = rounded(amount, weights, digits) {
            return Ok(parts);
        }
    }
    Err(Error::Overflow)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap_or_default()
    }

    #[test]
    fn spec_it_charge() {
        let parts = split(d("100000"), &[d("7"), d("13"), d("11")], Some(2));
        assert_eq!(parts, Ok(vec![d("22580.65"), d("41935.48"), d("35483.87")]));
    }

    #[test]
    fn ties_go_to_the_first_member() {
        let parts = split(d("1"), &[d("1"), d("1"), d("1")], Some(2));
        assert_eq!(parts, Ok(vec![d("0.34"), d("0.33"), d("0.33")]));
    }

    #[test]
    fn negative_amounts_round_toward_zero() {
        let parts = split(d("-1"), &[d("1"), d("1"), d("1")], Some(2));
        assert_eq!(parts, Ok(vec![d("-0.34"), d("-0.33"), d("-0.33")]));
    }

    #[test]
    fn zero_weights_fail() {
        assert_eq!(
            split(d("5"), &[d("0"), d("0")], Some(2)),
            Err(Error::ZeroWeights)
        );
    }
}
