//! Hand-written SVG charts for `plumb report`: a line chart (scenarios, actuals
//! solid and forecast dashed, a shaded band, a threshold rule), a bullet chart,
//! a waterfall, a tornado and a trigger timeline.
//!
//! Each chart takes plain data and returns one `<svg>` element as text. Geometry
//! is computed in exact decimals and written with one decimal place, so the same
//! data gives byte-identical output. Every mark carries a `<title>` tooltip with
//! its formatted value, every chart a `<title>` and words beside its colours
//! (series names at the line ends, "met"/"missed", "+"/"−" on bars): colour is
//! never the only cue.

use super::site::{axis_label, compact, esc};
use crate::units::Unit;
use rust_decimal::prelude::*;
use std::fmt::Write;

/// Width of every chart's view box.
const W: i64 = 640;

/// Series colours (scenario order). Words accompany every colour.
const PALETTE: [&str; 6] = [
    "#1f5fa8", "#c45a00", "#2a8a4a", "#8a3fa0", "#a8323e", "#5a6470",
];

/// The colour of series `i`.
pub(crate) fn colour(i: usize) -> &'static str {
    PALETTE.get(i % PALETTE.len()).copied().unwrap_or("#000")
}

/// One line of a [`LineChart`].
#[derive(Debug, Clone)]
pub(crate) struct Series {
    /// Legend name (the scenario).
    pub(crate) name: String,
    /// One value per period.
    pub(crate) values: Vec<Decimal>,
}

/// A shaded band (P10–P90) around a chart's lines, one pair per period.
#[derive(Debug, Clone)]
pub(crate) struct Band {
    /// What the band is (`P10–P90`).
    pub(crate) label: String,
    /// Lower edge per period.
    pub(crate) low: Vec<Decimal>,
    /// Upper edge per period.
    pub(crate) high: Vec<Decimal>,
}

/// A line chart over the horizon.
#[derive(Debug, Clone)]
pub(crate) struct LineChart<'a> {
    /// Accessible title.
    pub(crate) title: String,
    /// Unit of every value.
    pub(crate) unit: &'a Unit,
    /// Period labels (x axis).
    pub(crate) labels: &'a [String],
    /// One line per scenario.
    pub(crate) series: Vec<Series>,
    /// The P10–P90 band, when simulated.
    pub(crate) band: Option<Band>,
    /// A target threshold drawn as a rule, with its label.
    pub(crate) threshold: Option<(Decimal, String)>,
    /// The last period with actuals: lines are solid up to it and dashed after,
    /// with a marker. None: every value is plan (solid).
    pub(crate) as_of: Option<usize>,
}

/// Maps `v` in `[lo, hi]` to `[a, b]`, rounded to one decimal (the middle when
/// the range is empty).
fn scale(v: Decimal, lo: Decimal, hi: Decimal, a: Decimal, b: Decimal) -> Decimal {
    let span = hi - lo;
    let t = if span.is_zero() {
        Decimal::new(5, 1)
    } else {
        (v - lo).checked_div(span).unwrap_or_default()
    };
    let out = a + (b - a).checked_mul(t).unwrap_or_default();
    out.round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero)
        .normalize()
}

/// `[lo, hi]` covering `values` and zero, with a little room above.
fn domain<'a>(values: impl Iterator<Item = &'a Decimal>) -> (Decimal, Decimal) {
    let mut lo = Decimal::ZERO;
    let mut hi = Decimal::ZERO;
    for v in values {
        lo = lo.min(*v);
        hi = hi.max(*v);
    }
    let pad = ((hi - lo) / Decimal::from(20)).max(Decimal::ZERO);
    let hi = if hi > Decimal::ZERO { hi + pad } else { hi };
    let lo = if lo < Decimal::ZERO { lo - pad } else { lo };
    if hi == lo {
        (lo, lo + Decimal::ONE)
    } else {
        (lo, hi)
    }
}

fn d(i: i64) -> Decimal {
    Decimal::from(i)
}

/// Opens an `<svg>` with a view box, an accessible title and a description.
fn open(out: &mut String, h: i64, class: &str, title: &str, desc: &str) {
    let _ = write!(
        out,
        "<svg class=\"chart {class}\" viewBox=\"0 0 {W} {h}\" role=\"img\" \
         xmlns=\"http://www.w3.org/2000/svg\"><title>{}</title><desc>{}</desc>",
        esc(title),
        esc(desc)
    );
}

/// A line chart: axes with compact labels, one polyline per series (solid to
/// the as-of period, dashed after), the band shaded, the threshold rule dashed
/// grey with its label, a dot with a tooltip per value, and each series' name at
/// its end.
pub(crate) fn line_chart(c: &LineChart) -> String {
    let (h, left, right, top, bottom) = (d(260), d(64), d(W - 96), d(16), d(226));
    let mut all: Vec<&Decimal> = c.series.iter().flat_map(|s| s.values.iter()).collect();
    if let Some(b) = &c.band {
        all.extend(b.low.iter().chain(b.high.iter()));
    }
    if let Some((t, _)) = &c.threshold {
        all.push(t);
    }
    let (lo, hi) = domain(all.into_iter());
    let n = c.labels.len().max(1);
    let x = |i: usize| {
        if n == 1 {
            ((left + right) / d(2)).normalize()
        } else {
            scale(d(i as i64), Decimal::ZERO, d(n as i64 - 1), left, right)
        }
    };
    let y = |v: Decimal| scale(v, lo, hi, bottom, top);
    let mut out = String::with_capacity(4096);
    let desc = format!(
        "{} over {} periods, {} line(s){}{}",
        c.title,
        c.labels.len(),
        c.series.len(),
        if c.as_of.is_some() {
            "; solid is actual, dashed is forecast"
        } else {
            ""
        },
        if c.band.is_some() {
            "; the shaded band is the P10–P90 range"
        } else {
            ""
        }
    );
    open(&mut out, h.to_i64().unwrap_or(260), "line", &c.title, &desc);
    // Grid and y labels: five evenly spaced values.
    for k in 0..=4 {
        let v = lo + (hi - lo) * d(k) / d(4);
        let yy = y(v);
        let _ = write!(
            out,
            "<line class=\"grid\" x1=\"{left}\" y1=\"{yy}\" x2=\"{right}\" y2=\"{yy}\"/>\
             <text class=\"ylab\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            left - d(6),
            yy + d(4),
            esc(&axis_label(v, c.unit))
        );
    }
    // X labels: about six, always the first and the last.
    let stride = n.div_ceil(6).max(1);
    for (i, l) in c.labels.iter().enumerate() {
        if i + 1 == n || (i % stride == 0 && n - 1 - i >= stride) {
            let _ = write!(
                out,
                "<text class=\"xlab\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                x(i),
                bottom + d(18),
                esc(l)
            );
        }
    }
    line_marks(&mut out, c, (&x, &y), (left, right, top, bottom));
    line_series(&mut out, c, (&x, &y));
    out.push_str("</svg>");
    out
}

/// The scale of a line chart: a period's index to its x, a value to its y.
type Scales<'s> = (&'s dyn Fn(usize) -> Decimal, &'s dyn Fn(Decimal) -> Decimal);

/// The marks behind the lines: the P10–P90 band, the threshold line and the
/// "as of" line between actuals and forecast.
fn line_marks(
    out: &mut String,
    c: &LineChart,
    (x, y): Scales,
    (left, right, top, bottom): (Decimal, Decimal, Decimal, Decimal),
) {
    if let Some(b) = &c.band {
        let mut pts: Vec<String> = b
            .high
            .iter()
            .enumerate()
            .map(|(i, v)| format!("{},{}", x(i), y(*v)))
            .collect();
        pts.extend(
            b.low
                .iter()
                .enumerate()
                .rev()
                .map(|(i, v)| format!("{},{}", x(i), y(*v))),
        );
        let _ = write!(
            out,
            "<polygon class=\"band\" points=\"{}\"><title>{}</title></polygon>",
            pts.join(" "),
            esc(&b.label)
        );
    }
    if let Some((t, label)) = &c.threshold {
        let yy = y(*t);
        let _ = write!(
            out,
            "<line class=\"threshold\" x1=\"{left}\" y1=\"{yy}\" x2=\"{right}\" y2=\"{yy}\">\
             <title>{}: {}</title></line>\
             <text class=\"thlab\" x=\"{right}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            esc(label),
            esc(&compact(*t, c.unit)),
            yy - d(4),
            esc(label)
        );
    }
    if let Some(a) = c.as_of {
        let xx = x(a);
        let _ = write!(
            out,
            "<line class=\"asof\" x1=\"{xx}\" y1=\"{top}\" x2=\"{xx}\" y2=\"{bottom}\"/>\
             <text class=\"asoflab\" x=\"{}\" y=\"{}\">as of {}</text>",
            xx + d(3),
            top + d(10),
            esc(c.labels.get(a).map(String::as_str).unwrap_or(""))
        );
    }
}

/// One line per series (solid up to the "as of" period, dashed after it), a dot
/// with a tooltip per value, and the series' name at its end.
fn line_series(out: &mut String, c: &LineChart, (x, y): Scales) {
    for (si, s) in c.series.iter().enumerate() {
        let col = colour(si);
        let pts: Vec<String> = s
            .values
            .iter()
            .enumerate()
            .map(|(i, v)| format!("{},{}", x(i), y(*v)))
            .collect();
        let split = c.as_of.map(|a| (a + 1).min(pts.len()));
        let (solid, dashed) = match split {
            Some(k) => (
                pts.get(..k).unwrap_or(&[]),
                pts.get(k.saturating_sub(1)..).unwrap_or(&[]),
            ),
            None => (pts.as_slice(), &[][..]),
        };
        if solid.len() > 1 {
            let _ = write!(
                out,
                "<polyline class=\"line\" stroke=\"{col}\" points=\"{}\"/>",
                solid.join(" ")
            );
        }
        if dashed.len() > 1 {
            let _ = write!(
                out,
                "<polyline class=\"line forecast\" stroke=\"{col}\" points=\"{}\"/>",
                dashed.join(" ")
            );
        }
        for (i, v) in s.values.iter().enumerate() {
            let _ = write!(
                out,
                "<circle cx=\"{}\" cy=\"{}\" r=\"2.5\" fill=\"{col}\"><title>{} {}: {}</title></circle>",
                x(i),
                y(*v),
                esc(&s.name),
                esc(c.labels.get(i).map(String::as_str).unwrap_or("")),
                esc(&compact(*v, c.unit))
            );
        }
        if let Some(last) = s.values.last() {
            let _ = write!(
                out,
                "<text class=\"end\" x=\"{}\" y=\"{}\" fill=\"{col}\">{}</text>",
                x(s.values.len().saturating_sub(1)) + d(6),
                y(*last) + d(4) + d(si as i64 * 11) - d(c.series.len() as i64 * 11 / 2),
                esc(&s.name)
            );
        }
    }
}

/// One row of a bullet chart: a target in one scenario.
#[derive(Debug, Clone)]
pub(crate) struct BulletRow {
    /// Row label (the scenario).
    pub(crate) label: String,
    /// The projected value (or the outlook, with actuals).
    pub(crate) value: Decimal,
    /// Where the target's line is drawn: its threshold.
    pub(crate) threshold: Decimal,
    /// Whether the target holds.
    pub(crate) met: bool,
    /// Actual to date, drawn as a thin inner bar.
    pub(crate) actual: Option<Decimal>,
    /// P10–P90 of the value, drawn as a whisker.
    pub(crate) band: Option<(Decimal, Decimal)>,
    /// Probability of being met (0–1), written beside the row.
    pub(crate) probability: Option<Decimal>,
}

/// A bullet chart, one row per scenario: a bar for the value, a tick for the
/// threshold, "met"/"missed" in words at the right.
pub(crate) fn bullet(title: &str, unit: &Unit, rows: &[BulletRow]) -> String {
    let row_h = 30i64;
    let h = row_h * rows.len() as i64 + 8;
    let (left, right) = (d(110), d(W - 150));
    let mut vals: Vec<&Decimal> = Vec::new();
    for r in rows {
        vals.push(&r.value);
        vals.push(&r.threshold);
        if let Some(a) = &r.actual {
            vals.push(a);
        }
        if let Some((l, h)) = &r.band {
            vals.push(l);
            vals.push(h);
        }
    }
    let (lo, hi) = domain(vals.into_iter());
    let x = |v: Decimal| scale(v, lo, hi, left, right);
    let mut out = String::with_capacity(1024);
    let desc = format!("{title}: projected against the threshold, one row per scenario");
    open(&mut out, h, "bullet", title, &desc);
    let _ = write!(
        out,
        "<rect class=\"range\" x=\"{left}\" y=\"2\" width=\"{}\" height=\"{}\"/>",
        right - left,
        h - 4
    );
    for (i, r) in rows.iter().enumerate() {
        let y0 = d(row_h * i as i64 + 4);
        let word = if r.met { "met" } else { "missed" };
        let x0 = x(Decimal::ZERO.max(lo));
        let (a, b) = (x0.min(x(r.value)), x0.max(x(r.value)));
        let _ = write!(
            out,
            "<text class=\"rowlab\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\
             <rect class=\"bar {word}\" x=\"{a}\" y=\"{}\" width=\"{}\" height=\"12\">\
             <title>{}: {} ({word})</title></rect>",
            left - d(6),
            y0 + d(16),
            esc(&r.label),
            y0 + d(6),
            b - a,
            esc(&r.label),
            esc(&compact(r.value, unit)),
        );
        if let Some(act) = r.actual {
            let (a, b) = (x0.min(x(act)), x0.max(x(act)));
            let _ = write!(
                out,
                "<rect class=\"actual\" x=\"{a}\" y=\"{}\" width=\"{}\" height=\"4\">\
                 <title>actual to date: {}</title></rect>",
                y0 + d(10),
                b - a,
                esc(&compact(act, unit))
            );
        }
        if let Some((l, h)) = r.band {
            let _ = write!(
                out,
                "<line class=\"whisker\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\">\
                 <title>P10–P90: {} to {}</title></line>",
                x(l),
                y0 + d(12),
                x(h),
                y0 + d(12),
                esc(&compact(l, unit)),
                esc(&compact(h, unit))
            );
        }
        let tx = x(r.threshold);
        let _ = write!(
            out,
            "<line class=\"tick\" x1=\"{tx}\" y1=\"{}\" x2=\"{tx}\" y2=\"{}\">\
             <title>threshold: {}</title></line>",
            y0 + d(2),
            y0 + d(22),
            esc(&compact(r.threshold, unit))
        );
        let prob = r
            .probability
            .map(|p| {
                let pct = (p * Decimal::ONE_HUNDRED)
                    .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
                format!(" · {pct}% likely")
            })
            .unwrap_or_default();
        let _ = write!(
            out,
            "<text class=\"verdict {word}\" x=\"{}\" y=\"{}\">{} {word}{prob}</text>",
            right + d(6),
            y0 + d(16),
            esc(&compact(r.value, unit))
        );
    }
    out.push_str("</svg>");
    out
}

/// A waterfall from a start total through signed steps to the end total.
pub(crate) fn waterfall(
    title: &str,
    unit: &Unit,
    start: (&str, Decimal),
    steps: &[(String, Decimal)],
    end_label: &str,
) -> String {
    let mut running = start.1;
    let mut bars: Vec<(String, Decimal, Decimal, &str)> =
        vec![(start.0.to_string(), Decimal::ZERO, start.1, "total")];
    for (l, delta) in steps {
        let next = running.checked_add(*delta).unwrap_or(running);
        let kind = if delta.is_sign_negative() {
            "down"
        } else {
            "up"
        };
        bars.push((l.clone(), running, next, kind));
        running = next;
    }
    bars.push((end_label.to_string(), Decimal::ZERO, running, "total"));
    let h = 240i64;
    let (top, bottom, left, right) = (d(16), d(196), d(64), d(W - 16));
    let (lo, hi) = domain(bars.iter().flat_map(|b| [&b.1, &b.2]));
    let y = |v: Decimal| scale(v, lo, hi, bottom, top);
    let slot = (right - left) / d(bars.len().max(1) as i64);
    let mut out = String::with_capacity(2048);
    open(
        &mut out,
        h,
        "waterfall",
        title,
        &format!("{title}: from {} to {end_label}, step by step", start.0),
    );
    let zero = y(Decimal::ZERO);
    let _ = write!(
        out,
        "<line class=\"grid\" x1=\"{left}\" y1=\"{zero}\" x2=\"{right}\" y2=\"{zero}\"/>"
    );
    for (i, (label, from, to, kind)) in bars.iter().enumerate() {
        let x0 = (left + slot * d(i as i64) + slot / d(8))
            .round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero)
            .normalize();
        let w = (slot * d(3) / d(4))
            .round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero)
            .normalize();
        let (ya, yb) = (y(*from).min(y(*to)), y(*from).max(y(*to)));
        let shown = if *kind == "total" {
            compact(*to, unit)
        } else {
            signed(*to - *from, unit)
        };
        let _ = write!(
            out,
            "<rect class=\"wf {kind}\" x=\"{x0}\" y=\"{ya}\" width=\"{w}\" height=\"{}\">\
             <title>{}: {}</title></rect>\
             <text class=\"wflab\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\
             <text class=\"xlab\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            yb - ya,
            esc(label),
            esc(&shown),
            (x0 + w / d(2)).normalize(),
            ya - d(4),
            esc(&shown),
            (x0 + w / d(2)).normalize(),
            bottom + d(18 + 12 * (i as i64 % 2)),
            esc(label)
        );
    }
    out.push_str("</svg>");
    out
}

/// `+$1.2M` / `−$0.4M`: a change with its sign in words.
pub(crate) fn signed(v: Decimal, unit: &Unit) -> String {
    if v.is_sign_negative() && !v.is_zero() {
        format!("−{}", compact(-v, unit))
    } else {
        format!("+{}", compact(v, unit))
    }
}

/// One bar of a tornado: the value when the driver is at its low and high end.
#[derive(Debug, Clone)]
pub struct TornadoBar {
    /// The driver.
    pub name: String,
    /// The output with the driver at its low end.
    pub low: Decimal,
    /// The output with the driver at its high end.
    pub high: Decimal,
}

/// A tornado around `base`: one bar per driver, widest swing first.
pub fn tornado(title: &str, unit: &Unit, base: Decimal, bars: &[TornadoBar]) -> String {
    let mut sorted: Vec<&TornadoBar> = bars.iter().collect();
    sorted.sort_by(|a, b| {
        let sa = (a.high - a.low).abs();
        let sb = (b.high - b.low).abs();
        sb.cmp(&sa).then_with(|| a.name.cmp(&b.name))
    });
    let row = 26i64;
    let h = row * sorted.len() as i64 + 30;
    let (left, right) = (d(150), d(W - 110));
    let (mut lo, mut hi) = (base, base);
    for b in &sorted {
        lo = lo.min(b.low).min(b.high);
        hi = hi.max(b.low).max(b.high);
    }
    if lo == hi {
        hi += Decimal::ONE;
    }
    let x = |v: Decimal| scale(v, lo, hi, left, right);
    let mut out = String::with_capacity(1024);
    open(
        &mut out,
        h,
        "tornado",
        title,
        &format!("{title}: how far each driver's range moves the result"),
    );
    let bx = x(base);
    for (i, b) in sorted.iter().enumerate() {
        let y0 = d(row * i as i64 + 6);
        let (a, z) = (x(b.low).min(x(b.high)), x(b.low).max(x(b.high)));
        let _ = write!(
            out,
            "<text class=\"rowlab\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\
             <rect class=\"tbar\" x=\"{a}\" y=\"{y0}\" width=\"{}\" height=\"16\">\
             <title>{}: {} at its low end, {} at its high end</title></rect>\
             <text class=\"tlab\" x=\"{}\" y=\"{}\">{} to {}</text>",
            left - d(6),
            y0 + d(12),
            esc(&b.name),
            z - a,
            esc(&b.name),
            esc(&compact(b.low, unit)),
            esc(&compact(b.high, unit)),
            right + d(6),
            y0 + d(12),
            esc(&compact(b.low, unit)),
            esc(&compact(b.high, unit)),
        );
    }
    let _ = write!(
        out,
        "<line class=\"base\" x1=\"{bx}\" y1=\"2\" x2=\"{bx}\" y2=\"{}\"/>\
         <text class=\"xlab\" x=\"{bx}\" y=\"{}\" text-anchor=\"middle\">base {}</text>",
        h - 20,
        h - 6,
        esc(&compact(base, unit))
    );
    out.push_str("</svg>");
    out
}

/// One row of a trigger timeline: a trigger in a scenario and when it fired.
#[derive(Debug, Clone)]
pub(crate) struct TimelineRow {
    /// `trigger · scenario`.
    pub(crate) label: String,
    /// Period index it fired in, or None.
    pub(crate) fired: Option<usize>,
    /// `plan` or `actuals`: what made it fire.
    pub(crate) source: String,
}

/// A timeline: periods across, one row per trigger and scenario, a diamond
/// where it fired (with the period in words), "did not fire" otherwise.
pub(crate) fn timeline(title: &str, labels: &[String], rows: &[TimelineRow]) -> String {
    // Each row: its label above a track across the periods.
    let row = 36i64;
    let h = row * rows.len() as i64 + 30;
    let (left, right) = (d(24), d(W - 40));
    let n = labels.len().max(1);
    let x = |i: usize| {
        if n == 1 {
            ((left + right) / d(2)).normalize()
        } else {
            scale(d(i as i64), Decimal::ZERO, d(n as i64 - 1), left, right)
        }
    };
    let mut out = String::with_capacity(1024);
    open(
        &mut out,
        h,
        "timeline",
        title,
        &format!("{title}: when each trigger fired, per scenario"),
    );
    let bottom = d(h - 22);
    let stride = n.div_ceil(6).max(1);
    for (i, l) in labels.iter().enumerate() {
        if i + 1 == n || (i % stride == 0 && n - 1 - i >= stride) {
            let _ = write!(
                out,
                "<text class=\"xlab\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                x(i),
                bottom + d(16),
                esc(l)
            );
        }
    }
    for (i, r) in rows.iter().enumerate() {
        let yy = d(row * i as i64 + 28);
        let status = match r.fired.and_then(|p| labels.get(p)) {
            Some(when) => format!("fired {when} ({})", r.source),
            None => "did not fire".to_string(),
        };
        let _ = write!(
            out,
            "<text class=\"rowlab\" x=\"{left}\" y=\"{}\">{} · {}</text>\
             <line class=\"grid\" x1=\"{left}\" y1=\"{yy}\" x2=\"{right}\" y2=\"{yy}\"/>",
            yy - d(10),
            esc(&r.label),
            esc(&status)
        );
        if let Some(p) = r.fired {
            let xx = x(p);
            let _ = write!(
                out,
                "<path class=\"fired\" d=\"M{xx} {} l6 6 l-6 6 l-6 -6 z\">\
                 <title>{}: {}</title></path>",
                yy - d(6),
                esc(&r.label),
                esc(&status)
            );
        }
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap_or_default()
    }

    fn usd() -> Unit {
        Unit::named("USD")
    }

    fn labels(n: usize) -> Vec<String> {
        (1..=n).map(|m| format!("2026-{m:02}")).collect()
    }

    #[test]
    fn line_chart_solid_then_dashed_with_band_and_threshold() {
        let unit = usd();
        let l = labels(4);
        let svg = line_chart(&LineChart {
            title: "revenue".into(),
            unit: &unit,
            labels: &l,
            series: vec![Series {
                name: "base".into(),
                values: vec![dec("0"), dec("100"), dec("200"), dec("300")],
            }],
            band: Some(Band {
                label: "P10–P90".into(),
                low: vec![dec("0"), dec("90"), dec("150"), dec("200")],
                high: vec![dec("0"), dec("110"), dec("250"), dec("400")],
            }),
            threshold: Some((dec("250"), "target ≥ $250".into())),
            as_of: Some(1),
        });
        // Domain 0..400 padded by 20 → 0..420; y: 226 at 0, 16 at 420.
        // Solid through the as-of period, dashed from it on.
        assert!(
            svg.contains("<polyline class=\"line\" stroke=\"#1f5fa8\" points=\"64,226 224,176\"/>")
        );
        assert!(svg.contains(
            "<polyline class=\"line forecast\" stroke=\"#1f5fa8\" points=\"224,176 384,126 544,76\"/>"
        ));
        assert!(svg.contains("<polygon class=\"band\""));
        assert!(svg.contains("class=\"threshold\""));
        assert!(svg.contains("as of 2026-02"));
        assert!(svg.contains("<title>base 2026-04: $300</title>"));
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    }

    #[test]
    fn line_chart_without_actuals_is_all_solid() {
        let unit = Unit::percent();
        let l = labels(3);
        let svg = line_chart(&LineChart {
            title: "win rate".into(),
            unit: &unit,
            labels: &l,
            series: vec![
                Series {
                    name: "base".into(),
                    values: vec![dec("0.22"), dec("0.25"), dec("0.28")],
                },
                Series {
                    name: "downside".into(),
                    values: vec![dec("0.22"), dec("0.22"), dec("0.22")],
                },
            ],
            band: None,
            threshold: None,
            as_of: None,
        });
        assert!(!svg.contains("forecast"));
        assert!(!svg.contains("band"));
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert!(svg.contains(">downside</text>"));
        assert!(svg.contains("<title>base 2026-03: 28.0%</title>"));
    }

    #[test]
    fn waterfall_steps_run_from_start_to_end() {
        let unit = usd();
        let svg = waterfall(
            "revenue: plan to outlook",
            &unit,
            ("plan", dec("1000")),
            &[("volume".into(), dec("-300")), ("price".into(), dec("100"))],
            "outlook",
        );
        assert_eq!(svg.matches("<rect class=\"wf").count(), 4);
        assert!(svg.contains("<title>volume: −$300</title>"));
        assert!(svg.contains("<title>price: +$100</title>"));
        // The end total is 1000 − 300 + 100.
        assert!(svg.contains("<title>outlook: $800</title>"));
        assert!(svg.contains("class=\"wf down\""));
    }

    #[test]
    fn tornado_sorts_by_swing() {
        let unit = usd();
        let svg = tornado(
            "revenue",
            &unit,
            dec("100"),
            &[
                TornadoBar {
                    name: "small".into(),
                    low: dec("95"),
                    high: dec("105"),
                },
                TornadoBar {
                    name: "big".into(),
                    low: dec("60"),
                    high: dec("150"),
                },
            ],
        );
        let big = svg.find(">big</text>").unwrap_or(usize::MAX);
        let small = svg.find(">small</text>").unwrap_or(0);
        assert!(big < small, "{svg}");
        assert!(svg.contains("$60 to $150"));
        assert!(svg.contains("base $100"));
    }

    #[test]
    fn bullet_says_met_and_missed_in_words() {
        let unit = usd();
        let svg = bullet(
            "revenue ≥ $65M",
            &unit,
            &[
                BulletRow {
                    label: "base".into(),
                    value: dec("63700000"),
                    threshold: dec("65000000"),
                    met: false,
                    actual: Some(dec("10000000")),
                    band: Some((dec("60000000"), dec("67000000"))),
                    probability: Some(dec("0.31")),
                },
                BulletRow {
                    label: "upside".into(),
                    value: dec("70000000"),
                    threshold: dec("65000000"),
                    met: true,
                    actual: None,
                    band: None,
                    probability: None,
                },
            ],
        );
        assert!(svg.contains("$63.7M missed · 31% likely"));
        assert!(svg.contains("$70M met"));
        assert!(svg.contains("actual to date: $10M"));
        assert!(svg.contains("P10–P90: $60M to $67M"));
    }

    #[test]
    fn timeline_marks_firings_and_quiet_rows() {
        let l = labels(12);
        let svg = timeline(
            "triggers",
            &l,
            &[
                TimelineRow {
                    label: "shortfall · downside".into(),
                    fired: Some(4),
                    source: "plan".into(),
                },
                TimelineRow {
                    label: "shortfall · base".into(),
                    fired: None,
                    source: "plan".into(),
                },
            ],
        );
        assert!(svg.contains("shortfall · downside: fired 2026-05 (plan)"));
        assert!(svg.contains("did not fire"));
    }

    #[test]
    fn scale_maps_ends_and_empty_ranges() {
        assert_eq!(
            scale(dec("5"), dec("0"), dec("10"), dec("0"), dec("100")),
            dec("50")
        );
        assert_eq!(
            scale(dec("3"), dec("3"), dec("3"), dec("0"), dec("100")),
            dec("50")
        );
    }
}
