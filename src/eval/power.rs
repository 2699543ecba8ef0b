//! Exact powers and roots for `pow(x, n)` and `root(x, n)`.
//!
//! Takes decimals and whole exponents, gives back a decimal or a [`PowerError`].
//! `pow` multiplies `x` by itself `n` times from the left, exactly as `grow`
//! compounds, so `pow(1.02, 11)` equals the factor `grow(…, 2%)` applies in its
//! 12th period digit for digit. `root` brackets the root by bisection, then
//! runs Newton's method in exact decimal arithmetic from the bracket's upper end
//! (so the iterates fall monotonically) and stops when they stop falling; a root that is exact at fewer digits (`root(1.21,
//! 2)` is `1.1`) is returned exactly. No binary floating point is involved, so
//! every machine gives the same digits.

use crate::ir::MAX_EXPONENT;
use rust_decimal::prelude::*;

/// Why a power or root has no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PowerError {
    /// The result does not fit an exact decimal.
    Overflow,
    /// `pow(0, n)` with n < 0.
    DivisionByZero,
    /// The exponent is not a whole number in the accepted range.
    BadExponent,
    /// An even root of a negative number.
    NegativeRoot,
}

/// Most Newton steps `root` takes (it converges long before for any sane input).
const MAX_STEPS: usize = 200;
/// Bisection steps before Newton: the bracket shrinks to 2^-60 of its size.
const BISECTIONS: usize = 60;

fn exponent(n: Decimal, min: i64) -> Result<i64, PowerError> {
    if !n.fract().is_zero() {
        return Err(PowerError::BadExponent);
    }
    match n.to_i64() {
        Some(k) if (min..=MAX_EXPONENT).contains(&k) => Ok(k),
        _ => Err(PowerError::BadExponent),
    }
}

/// `x` to the whole power `n` (|n| ≤ [`MAX_EXPONENT`]); `pow(x, 0)` is 1.
pub(crate) fn pow(x: Decimal, n: Decimal) -> Result<Decimal, PowerError> {
    let k = exponent(n, -MAX_EXPONENT)?;
    let mut acc = Decimal::ONE;
    for _ in 0..k.unsigned_abs() {
        acc = acc.checked_mul(x).ok_or(PowerError::Overflow)?;
    }
    if k < 0 {
        if acc.is_zero() {
            return Err(PowerError::DivisionByZero);
        }
        acc = Decimal::ONE.checked_div(acc).ok_or(PowerError::Overflow)?;
    }
    Ok(acc)
}

/// The `n`-th root of `x` (1 ≤ n ≤ [`MAX_EXPONENT`]); odd roots of negative
/// numbers are negative, even ones are an error.
pub(crate) fn root(x: Decimal, n: Decimal) -> Result<Decimal, PowerError> {
    let k = exponent(n, 1)?;
    if x.is_sign_negative() && !x.is_zero() {
        if k % 2 == 0 {
            return Err(PowerError::NegativeRoot);
        }
        return root(-x, n).map(|r| -r);
    }
    if k == 1 || x.is_zero() || x == Decimal::ONE {
        return Ok(x);
    }
    let kd = Decimal::from(k);
    let km1 = Decimal::from(k - 1);
    // Start above the root: x < 10^digits, so x^(1/k) < 10^ceil(digits/k); for
    // x < 1 the root lies below 1.
    let mut y = if x >= Decimal::ONE {
        let mut digits = 0i64;
        let mut t = x.trunc();
        while t >= Decimal::ONE {
            t = (t / Decimal::TEN).trunc();
            digits += 1;
        }
        let mut y = Decimal::ONE;
        for _ in 0..(digits + k - 1) / k {
            y = y.checked_mul(Decimal::TEN).ok_or(PowerError::Overflow)?;
        }
        y
    } else {
        Decimal::ONE
    };
    // Narrow [lo, y] around the root by bisection first, so Newton starts close
    // and converges in a few steps even for large `k`.
    let mut lo = Decimal::ZERO;
    for _ in 0..BISECTIONS {
        let Some(mid) = lo.checked_add(y).map(|s| s / Decimal::TWO) else {
            break;
        };
        if mid <= lo || mid >= y {
            break;
        }
        match pow(mid, kd) {
            Ok(p) if p <= x => lo = mid,
            _ => y = mid,
        }
    }
    for _ in 0..MAX_STEPS {
        // x / y^(k-1) by repeated division: never overflows since y ≥ the root.
        let mut q = x;
        for _ in 0..k - 1 {
            q = q.checked_div(y).ok_or(PowerError::Overflow)?;
        }
        let next = km1
            .checked_mul(y)
            .and_then(|a| a.checked_add(q))
            .and_then(|a| a.checked_div(kd))
            .ok_or(PowerError::Overflow)?;
        if next >= y {
            break;
        }
        y = next;
    }
    // A root that is exact at fewer digits comes out exact.
    for dp in 0..=24 {
        let r = y.round_dp(dp);
        if pow(r, kd).is_ok_and(|p| p == x) {
            return Ok(r.normalize());
        }
    }
    Ok(y)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn powers_are_exact() {
        assert_eq!(pow(d("1.1"), d("2")), Ok(d("1.21")));
        assert_eq!(pow(d("2"), d("-2")), Ok(d("0.25")));
        assert_eq!(pow(d("0"), d("0")), Ok(d("1")));
        assert_eq!(pow(d("0"), d("-1")), Err(PowerError::DivisionByZero));
        assert_eq!(pow(d("2"), d("0.5")), Err(PowerError::BadExponent));
        assert_eq!(pow(d("10"), d("40")), Err(PowerError::Overflow));
        // Same digits as compounding one period at a time (what `grow` does).
        let mut f = Decimal::ONE;
        for _ in 0..11 {
            f *= d("1.02");
        }
        assert_eq!(pow(d("1.02"), d("11")), Ok(f));
    }

    #[test]
    fn roots_are_exact_when_they_can_be() {
        assert_eq!(root(d("1.21"), d("2")), Ok(d("1.1")));
        assert_eq!(root(d("8"), d("3")), Ok(d("2")));
        assert_eq!(root(d("-27"), d("3")), Ok(d("-3")));
        assert_eq!(root(d("1000000"), d("6")), Ok(d("10")));
        assert_eq!(root(d("0.0001"), d("4")), Ok(d("0.1")));
        assert_eq!(root(d("-4"), d("2")), Err(PowerError::NegativeRoot));
        assert_eq!(root(d("4"), d("0")), Err(PowerError::BadExponent));
    }

    #[test]
    fn irrational_roots_are_accurate() {
        let r = root(d("2"), d("2")).unwrap();
        assert_eq!(r.round_dp(20), d("1.41421356237309504880"));
        // 1.1^(1/12): the monthly rate of 10% a year.
        let m = root(d("1.1"), d("12")).unwrap();
        assert_eq!(m.round_dp(15), d("1.007974140428904"));
        // Big and small inputs converge.
        let big = root(d("79228162514264337593543950335"), d("12")).unwrap();
        assert_eq!(big.round_dp(20), d("256"));
        let small = root(d("0.0000000000000000000000000001"), d("2")).unwrap();
        assert_eq!(small, d("0.00000000000001"));
        // The largest exponent converges too: 2^(1/1200) = 1.000577…
        let wide = root(d("2"), d("1200")).unwrap();
        assert_eq!(wide.round_dp(12), d("1.000577789507"));
        let huge = root(d("79228162514264337593543950335"), d("1200")).unwrap();
        assert_eq!(huge.round_dp(6), d("1.057018"));
    }
}
