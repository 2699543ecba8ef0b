//! Reading an actuals file into a table of cells: CSV through the `csv` crate,
//! `.xlsx` through `calamine`. Every cell keeps where it was written (line and
//! column, 1-based, the header is line 1) so a value that cannot be read is
//! reported where it stands. Nothing here writes anything.

use rust_decimal::Decimal;
use std::str::FromStr;

/// Where a cell is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Loc {
    /// A CSV field: the byte offset and line of its record, and the field's index.
    Csv {
        /// Byte offset of the record's first character.
        byte: u64,
        /// Line of the record's first character (1-based).
        line: u64,
        /// Index of the field in the record.
        field: usize,
    },
    /// A worksheet cell: row and column, 1-based.
    Sheet {
        /// Row.
        row: u64,
        /// Column.
        col: u64,
    },
}

/// One cell of the table, as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cell {
    /// The text, surrounding spaces removed.
    pub(crate) text: String,
    /// Where it is.
    pub(crate) loc: Loc,
}

/// A file read as rows of cells (the first row is the header).
pub(crate) type Table = Vec<Vec<Cell>>;

/// Reads CSV text. Records may have different lengths; quoting follows RFC 4180.
pub(crate) fn csv_table(text: &str) -> Result<Table, String> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    let mut rec = csv::StringRecord::new();
    loop {
        match rdr.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {
                let (byte, line) = rec
                    .position()
                    .map(|p| (p.byte(), p.line()))
                    .unwrap_or((0, 1));
                // A blank line (one empty field) holds nothing.
                if rec.len() == 1 && rec.get(0).is_some_and(str::is_empty) {
                    continue;
                }
                out.push(
                    rec.iter()
                        .enumerate()
                        .map(|(field, t)| Cell {
                            text: t.to_string(),
                            loc: Loc::Csv { byte, line, field },
                        })
                        .collect(),
                );
            }
            Err(e) => return Err(e.to_string()),
        }
    }
    Ok(out)
}

/// Line and column (1-based, in characters) of a cell in `text` (the CSV file).
pub(crate) fn line_col(text: &str, loc: Loc) -> (u64, u64) {
    match loc {
        Loc::Sheet { row, col } => (row, col),
        Loc::Csv { byte, line, field } => {
            let start = usize::try_from(byte).unwrap_or(usize::MAX);
            let rest = text.get(start..).unwrap_or("");
            let (mut l, mut c) = (line, 1u64);
            let mut in_quotes = false;
            let mut k = 0usize;
            let mut chars = rest.chars().peekable();
            while k < field {
                let Some(ch) = chars.next() else { break };
                match ch {
                    '"' if in_quotes && chars.peek() == Some(&'"') => {
                        chars.next();
                        c += 1;
                    }
                    '"' => in_quotes = !in_quotes,
                    ',' if !in_quotes => k += 1,
                    '\n' => {
                        l += 1;
                        c = 0;
                    }
                    '\r' if !in_quotes => break,
                    _ => {}
                }
                c += 1;
            }
            (l, c)
        }
    }
}

/// Reads the first worksheet of an `.xlsx` file (or the one named `sheet`).
pub(crate) fn xlsx_table(bytes: Vec<u8>, sheet: Option<&str>) -> Result<Table, String> {
    use calamine::{Data, Reader, Xlsx};
    let mut wb: Xlsx<_> =
        Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| format!("not an xlsx workbook: {e}"))?;
    let names = wb.sheet_names();
    let name = match sheet {
        Some(s) => match names.iter().find(|n| n.as_str() == s) {
            Some(n) => n.clone(),
            None => {
                let help = match crate::suggest::closest(s, names.iter().map(String::as_str)) {
                    Some(c) => format!("did you mean `{c}`?"),
                    None => format!("its sheets are: {}", names.join(", ")),
                };
                return Err(format!("the workbook has no sheet `{s}`; {help}"));
            }
        },
        None => names
            .first()
            .cloned()
            .ok_or_else(|| "the workbook has no sheet".to_string())?,
    };
    let range = wb
        .worksheet_range(&name)
        .map_err(|e| format!("cannot read sheet `{name}`: {e}"))?;
    let (r0, c0) = range.start().unwrap_or((0, 0));
    let mut out = Vec::new();
    for (i, row) in range.rows().enumerate() {
        let cells: Vec<Cell> = row
            .iter()
            .enumerate()
            .map(|(j, d)| {
                let text = match d {
                    Data::Empty => String::new(),
                    Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => {
                        s.trim().to_string()
                    }
                    Data::Int(n) => n.to_string(),
                    // The shortest text that reads back as the same binary number:
                    // what the spreadsheet shows, not the binary expansion.
                    Data::Float(f) => format!("{f}"),
                    Data::Bool(b) => b.to_string(),
                    Data::DateTime(dt) => serial_month(dt.as_f64()).unwrap_or_default(),
                    Data::Error(e) => format!("#{e:?}"),
                };
                Cell {
                    text,
                    loc: Loc::Sheet {
                        row: u64::from(r0) + i as u64 + 1,
                        col: u64::from(c0) + j as u64 + 1,
                    },
                }
            })
            .collect();
        if cells.iter().all(|c| c.text.is_empty()) {
            continue;
        }
        out.push(cells);
    }
    Ok(out)
}

/// The `YYYY-MM` of a spreadsheet date serial (days since 1899-12-30).
fn serial_month(serial: f64) -> Option<String> {
    if !serial.is_finite() || !(0.0..3_000_000.0).contains(&serial) {
        return None;
    }
    // Days from 1970-01-01 (serial 25569), then the civil date (Howard Hinnant).
    let days = serial.floor() as i64 - 25_569;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    Some(format!("{y:04}-{m:02}"))
}

/// Reads a value as an accounting export writes it: `1234.5`, `-1234.5`,
/// `1,234.50`, `(1,234.50)` (negative), `22.5%`, `+12`. None for anything else.
pub(crate) fn parse_value(text: &str) -> Option<Decimal> {
    let mut s = text.trim();
    let mut negative = false;
    if let Some(inner) = s.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        negative = true;
        s = inner.trim();
    }
    let mut percent = false;
    if let Some(inner) = s.strip_suffix('%') {
        percent = true;
        s = inner.trim_end();
    }
    if let Some(inner) = s.strip_prefix('-') {
        if negative {
            return None;
        }
        negative = true;
        s = inner;
    } else if let Some(inner) = s.strip_prefix('+') {
        s = inner;
    }
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    if int.is_empty() || !int.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    // Thousands separators: groups of three after the first group.
    let digits: String = if int.contains(',') {
        let mut groups = int.split(',');
        let first = groups.next()?;
        if first.is_empty() || first.len() > 3 {
            return None;
        }
        let mut d = first.to_string();
        for g in groups {
            if g.len() != 3 {
                return None;
            }
            d.push_str(g);
        }
        d
    } else {
        int.to_string()
    };
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if let Some(f) = frac {
        if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
    }
    let text = match frac {
        Some(f) => format!("{digits}.{f}"),
        None => digits,
    };
    let mut v = Decimal::from_str(&text).ok()?;
    if percent {
        v = v.checked_div(Decimal::ONE_HUNDRED)?;
    }
    if negative {
        v = -v;
    }
    Some(v)
}

/// Reads a period as an export writes it: `2026-03`, `2026-3`, `2026/03` or a
/// date `2026-03-31`. Returns the absolute month number (year × 12 + month − 1).
pub fn parse_month(text: &str) -> Option<i64> {
    let s = text.trim();
    let mut parts = s.split(['-', '/']);
    let y = parts.next()?;
    let m = parts.next()?;
    let d = parts.next();
    if parts.next().is_some() || y.len() != 4 || m.is_empty() || m.len() > 2 {
        return None;
    }
    if !y.bytes().all(|b| b.is_ascii_digit()) || !m.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if let Some(d) = d {
        let day: u32 = d.parse().ok()?;
        if d.len() > 2 || !(1..=31).contains(&day) {
            return None;
        }
    }
    let y: i64 = y.parse().ok()?;
    let m: i64 = m.parse().ok()?;
    if !(1..=12).contains(&m) {
        return None;
    }
    Some(y * 12 + m - 1)
}

/// True when `name` matches an `ignore` pattern (`*` stands for any text).
pub(crate) fn matches_pattern(pattern: &str, name: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == name;
    }
    let mut rest = name;
    for (i, p) in parts.iter().enumerate() {
        if i == 0 {
            match rest.strip_prefix(p) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == parts.len() - 1 {
            return rest.ends_with(p);
        } else {
            match rest.find(p) {
                Some(at) => rest = rest.get(at + p.len()..).unwrap_or(""),
                None => return false,
            }
        }
    }
    true
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn accounting_spellings() {
        assert_eq!(parse_value("1234.5"), Some(d("1234.5")));
        assert_eq!(parse_value("-1234.5"), Some(d("-1234.5")));
        assert_eq!(parse_value(" 1,234.50 "), Some(d("1234.50")));
        assert_eq!(parse_value("(1,234.50)"), Some(d("-1234.50")));
        assert_eq!(parse_value("22.5%"), Some(d("0.225")));
        assert_eq!(parse_value("1,23"), None);
        assert_eq!(parse_value("12x"), None);
        assert_eq!(parse_value("(-5)"), None);
        assert_eq!(parse_value(""), None);
    }

    #[test]
    fn months_and_patterns() {
        assert_eq!(parse_month("2026-03"), Some(2026 * 12 + 2));
        assert_eq!(parse_month("2026-03-31"), Some(2026 * 12 + 2));
        assert_eq!(parse_month("2026-13"), None);
        assert_eq!(serial_month(46_112.0).as_deref(), Some("2026-03"));
        assert!(matches_pattern("9*", "9100 Suspense"));
        assert!(!matches_pattern("9*", "4000 Revenue"));
        assert!(matches_pattern("*Suspense", "9100 Suspense"));
        assert!(matches_pattern("a*c*e", "abcde"));
    }

    #[test]
    fn csv_columns() {
        let text = "period,name,value\n2026-01,\"x, y\",12x\n";
        let t = csv_table(text).unwrap();
        let cell = &t[1][2];
        assert_eq!(cell.text, "12x");
        assert_eq!(line_col(text, cell.loc), (2, 16));
    }
}
