//! Numbers for people: thousands separators, units, percentages, rounding for
//! display only (half away from zero, as spreadsheets do).
//!
//! A leaf: it depends only on [`crate::units`], so every stage that words a
//! number — checks' messages, reports, `diff`, `explain`, the editor, the CLI —
//! uses it without depending on the others.

use crate::units::{currency_symbol, Unit};
use rust_decimal::prelude::*;

/// Inserts thousands separators into the integer part of a plain decimal string.
pub(crate) fn group_thousands(s: &str) -> String {
    let (sign, rest) = match s.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", s),
    };
    let (int, frac) = match rest.find('.') {
        Some(i) => (rest.get(..i).unwrap_or(""), rest.get(i..).unwrap_or("")),
        None => (rest, ""),
    };
    let mut out = String::with_capacity(s.len() + int.len() / 3);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out}{frac}")
}

/// `v` rounded to `dp` decimals with separators (`1,266,351.05`).
pub fn number(v: Decimal, dp: u32) -> String {
    let r = v.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero);
    let mut s = format!("{:.*}", dp as usize, r);
    if s.starts_with('-') && s.trim_start_matches(['-', '0', '.', ',']).is_empty() {
        s.remove(0);
    }
    group_thousands(&s)
}

/// `v` as a percentage with `dp` decimals (`0.22` → `22.0`), also where `v × 100`
/// does not fit in a decimal (the point is then moved in the text).
fn percent_number(v: Decimal, dp: u32) -> String {
    if let Some(p) = v.checked_mul(Decimal::ONE_HUNDRED) {
        return number(p, dp);
    }
    let r = v.round_dp_with_strategy(dp + 2, RoundingStrategy::MidpointAwayFromZero);
    let s = format!("{:.*}", dp as usize + 2, r);
    let (int, frac) = s.split_once('.').unwrap_or((s.as_str(), ""));
    let (two, rest) = (
        frac.get(..2).unwrap_or(frac),
        frac.get(2..).unwrap_or_default(),
    );
    let moved = if rest.is_empty() {
        format!("{int}{two}")
    } else {
        format!("{int}{two}.{rest}")
    };
    group_thousands(&moved)
}

/// Exact value as JSON carries it: every digit, no trailing zeros.
pub fn exact(v: Decimal) -> String {
    let mut out = Vec::with_capacity(32);
    write_exact(v, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// Appends [`exact`]'s text of `v` (the same as `v.normalize().to_string()`) to
/// `out`, without allocating: reports write millions of them.
pub(crate) fn write_exact(v: Decimal, out: &mut Vec<u8>) {
    let m = v.mantissa();
    if m == 0 {
        out.push(b'0');
        return;
    }
    const B: u64 = 1_000_000_000;
    let u = m.unsigned_abs();
    let mut digits = [b'0'; 36];
    let pos = match u64::try_from(u) {
        // Most values fit in 64 bits: their digits straight from the end.
        Ok(n) => small_digits(n, &mut digits),
        Err(_) => {
            // |m| < 2^96 = hi·2^64 + mid·2^32 + lo, turned into four base-10^9 digits
            // with 2^32 and 2^64 written in base 10^9 (no wide division needed):
            // 2^32 = 4·10^9 + 294967296, 2^64 = 18·10^18 + 446744073·10^9 + 709551616.
            let (hi, mid, lo) = (
                u64::from((u >> 64) as u32),
                u64::from((u >> 32) as u32),
                u64::from(u as u32),
            );
            let d0 = lo + mid * 294_967_296 + hi * 709_551_616;
            let d1 = d0 / B + mid * 4 + hi * 446_744_073;
            let d2 = d1 / B + hi * 18;
            let chunks = [d2 / B, d2 % B, d1 % B, d0 % B];
            // 36 digits, most significant first, then skip the leading zeros.
            for (k, c) in chunks.iter().enumerate() {
                let c = *c as usize;
                let (top, rest) = (c / 100_000_000, c % 100_000_000);
                let (a, b) = (rest / 10_000, rest % 10_000);
                let at = k * 9;
                if let Some(d) = digits.get_mut(at) {
                    *d = b'0' + top as u8;
                }
                for (n, pair) in [a / 100, a % 100, b / 100, b % 100].iter().enumerate() {
                    let src = PAIRS.get(pair * 2..pair * 2 + 2).unwrap_or(b"00");
                    if let Some(dst) = digits.get_mut(at + 1 + 2 * n..at + 3 + 2 * n) {
                        dst.copy_from_slice(src);
                    }
                }
            }
            digits
                .iter()
                .position(|d| *d != b'0')
                .unwrap_or(digits.len() - 1)
        }
    };
    let all = digits.get(pos..).unwrap_or(&[]);
    // No trailing zeros after the point.
    let mut scale = v.scale() as usize;
    let mut end = all.len();
    while scale > 0 && end > 0 && all.get(end - 1) == Some(&b'0') {
        end -= 1;
        scale -= 1;
    }
    let s = all.get(..end).unwrap_or(&[]);
    if m < 0 {
        out.push(b'-');
    }
    if scale == 0 {
        out.extend_from_slice(s);
    } else if s.len() > scale {
        let (int, frac) = s.split_at(s.len() - scale);
        out.extend_from_slice(int);
        out.push(b'.');
        out.extend_from_slice(frac);
    } else {
        out.extend_from_slice(b"0.");
        out.resize(out.len() + (scale - s.len()), b'0');
        out.extend_from_slice(s);
    }
}

/// Writes the digits of `n` (not 0) at the end of `digits`; returns where they start.
fn small_digits(mut n: u64, digits: &mut [u8; 36]) -> usize {
    let mut at = digits.len();
    let mut put = |at: usize, pair: usize| {
        if let (Some(dst), Some(src)) = (
            digits.get_mut(at..at + 2),
            PAIRS.get(pair * 2..pair * 2 + 2),
        ) {
            dst.copy_from_slice(src);
        }
    };
    while n >= 100 {
        at -= 2;
        put(at, (n % 100) as usize);
        n /= 100;
    }
    if n >= 10 {
        at -= 2;
        put(at, n as usize);
    } else {
        at -= 1;
        if let Some(d) = digits.get_mut(at) {
            *d = b'0' + n as u8;
        }
    }
    at
}

/// "00" "01" … "99".
const PAIRS: &[u8; 200] = b"\
0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// Decimals that suit a row of values in `unit`: enough to tell the values apart
/// (up to 4 for small values, 2 from 100 on, none from 10,000 on), one for whole
/// tenths of a percent.
pub fn decimals_for(values: &[Decimal], unit: &Unit) -> u32 {
    let percent = unit.percent && unit.factors.is_empty();
    let scaled: Vec<Decimal> = if percent {
        values
            .iter()
            .map(|v| v.checked_mul(Decimal::ONE_HUNDRED).unwrap_or(*v))
            .collect()
    } else {
        values.to_vec()
    };
    let needed = scaled
        .iter()
        .map(|v| v.normalize().scale())
        .max()
        .unwrap_or(0);
    let max_abs = scaled.iter().map(|v| v.abs()).max().unwrap_or_default();
    let cap = if max_abs >= Decimal::from(10_000) {
        0
    } else if max_abs >= Decimal::from(100) {
        2
    } else {
        4
    };
    if percent {
        return needed.clamp(1, 2);
    }
    needed.min(cap)
}

/// A value with its unit, for tables and messages: `$3,927,000`, `22.0%`,
/// `130 fte`, `$85,000/deal`, `1,234 CHF`.
pub fn amount(v: Decimal, unit: &Unit, dp: u32) -> String {
    if unit.factors.is_empty() {
        if unit.percent {
            return format!("{}%", percent_number(v, dp));
        }
        return number(v, dp);
    }
    if let Some(code) = unit.currency() {
        return money(v, code, dp);
    }
    if let Some((code, rest)) = unit.currency_per() {
        let inv = Unit::dimensionless().div(&rest);
        return format!("{}/{}", money(v, code, dp), inv);
    }
    format!("{} {}", number(v, dp), unit)
}

fn money(v: Decimal, code: &str, dp: u32) -> String {
    match currency_symbol(code) {
        Some(sym) => {
            let n = number(v.abs(), dp);
            let neg = v.is_sign_negative()
                && n.trim_start_matches(['0', '.', ','])
                    .chars()
                    .any(|c| c.is_ascii_digit());
            format!("{}{sym}{n}", if neg { "-" } else { "" })
        }
        None => format!("{} {code}", number(v, dp)),
    }
}
