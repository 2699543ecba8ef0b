//! Numbers for people: thousands separators, units, percentages, rounding for
//! display only (half away from zero, as spreadsheets do).

use crate::units::{currency_symbol, Unit};
use rust_decimal::prelude::*;

/// Inserts thousands separators into the integer part of a plain decimal string.
pub fn group_thousands(s: &str) -> String {
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
pub fn write_exact(v: Decimal, out: &mut Vec<u8>) {
    let m = v.mantissa();
    if m == 0 {
        out.push(b'0');
        return;
    }
    // |m| < 2^96 as three 32-bit limbs, most significant first, cut into base-10^9
    // chunks by dividing with u64 arithmetic (divisions by a constant are cheap).
    let u = m.unsigned_abs();
    let mut limbs = [(u >> 64) as u32, (u >> 32) as u32, u as u32];
    let mut chunks = [0u32; 4];
    let mut count = 0;
    while limbs.iter().any(|l| *l != 0) {
        let mut rem = 0u64;
        for l in limbs.iter_mut() {
            let cur = (rem << 32) | u64::from(*l);
            *l = (cur / 1_000_000_000) as u32;
            rem = cur % 1_000_000_000;
        }
        if let Some(c) = chunks.get_mut(count) {
            *c = rem as u32;
        }
        count += 1;
    }
    // The digits, most significant first, at digits[pos..].
    let mut digits = [b'0'; 40];
    let mut pos = digits.len();
    for k in 0..count {
        let mut c = chunks.get(k).copied().unwrap_or(0);
        let last = k + 1 == count;
        let mut written = 0;
        while c != 0 || (!last && written < 9) {
            let pair = (c % 100) as usize * 2;
            c /= 100;
            let (hi, lo) = (
                PAIRS.get(pair).copied().unwrap_or(b'0'),
                PAIRS.get(pair + 1).copied().unwrap_or(b'0'),
            );
            if let Some(d) = digits.get_mut(pos - 1) {
                *d = lo;
            }
            if let Some(d) = digits.get_mut(pos - 2) {
                *d = hi;
            }
            pos -= 2;
            written += 2;
        }
        if written > 9 || (last && pos < digits.len() && digits.get(pos) == Some(&b'0')) {
            // An odd count: the pair wrote one digit too many (a leading zero).
            pos += 1;
        }
    }
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
