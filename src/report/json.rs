//! `plumb run --format json`, written straight to a stream.
//!
//! Takes a [`RunReport`] and writes the same bytes as `serde_json`'s pretty
//! printer would for its `Serialize` impl (two-space indents, exact decimal
//! strings), but without building the whole text in memory and with decimals
//! formatted in place ([`crate::present::write_exact`]): a large plan has millions of
//! values. `tests/it/json_writer.rs` holds it to serde_json's output byte for byte.

use super::{
    ItemReport, RequestReport, RequestSide, RunReport, ScenarioReport, TargetReport, TriggerReport,
};
use crate::present::write_exact;
use rust_decimal::Decimal;
use std::io::{self, Write};

/// Bytes are gathered here and handed to the writer in pieces of this size.
const FLUSH_AT: usize = 1 << 16;

struct Out<'w> {
    buf: Vec<u8>,
    w: &'w mut dyn Write,
}

impl Out<'_> {
    fn raw(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
    }

    fn maybe_flush(&mut self) -> io::Result<()> {
        if self.buf.len() >= FLUSH_AT {
            self.w.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    fn indent(&mut self, depth: usize) {
        let new_len = self.buf.len() + 2 * depth;
        self.buf.resize(new_len, b' ');
    }

    /// `"key": ` as the first or a following entry of an object at `depth`.
    fn key(&mut self, depth: usize, first: bool, key: &str) {
        self.raw(if first { b"\n" } else { b",\n" });
        self.indent(depth);
        self.string(key);
        self.raw(b": ");
    }

    /// The start of the first or a following element of an array at `depth`.
    fn element(&mut self, depth: usize, first: bool) {
        self.raw(if first { b"\n" } else { b",\n" });
        self.indent(depth);
    }

    /// Closes an object or array whose entries sat at `depth`.
    fn close(&mut self, depth: usize, empty: bool, bracket: u8) {
        if !empty {
            self.raw(b"\n");
            self.indent(depth.saturating_sub(1));
        }
        self.buf.push(bracket);
    }

    fn string(&mut self, s: &str) {
        if s.bytes()
            .all(|b| b >= 0x20 && b != b'"' && b != b'\\' && b != 0x7f)
        {
            self.buf.push(b'"');
            self.buf.extend_from_slice(s.as_bytes());
            self.buf.push(b'"');
        } else if serde_json::to_writer(&mut self.buf, s).is_err() {
            self.raw(b"\"\"");
        }
    }

    fn decimal(&mut self, v: Decimal) {
        self.buf.push(b'"');
        write_exact(v, &mut self.buf);
        self.buf.push(b'"');
    }

    fn opt_decimal(&mut self, v: Option<Decimal>) {
        match v {
            Some(v) => self.decimal(v),
            None => self.raw(b"null"),
        }
    }
}

/// Bytes reserved per value for the half formatted in memory: a value's line
/// (indent, quotes, up to 30 digits and a sign, comma) with some to spare for
/// the names and units between them.
const TAIL_BYTES_PER_VALUE: usize = 56;

/// Reports with at least this many values are formatted on two threads.
const PARALLEL_VALUES: usize = 500_000;

/// Writes `r` as pretty JSON (no trailing newline).
pub(super) fn write(r: &RunReport, w: &mut dyn Write) -> io::Result<()> {
    // With actuals (a close's report, not a 10,000-item run's hot path) serde
    // writes the extra fields.
    if r.actuals_through.is_some() || r.scenarios.iter().any(|s| s.forecast.is_some()) {
        return serde_json::to_writer_pretty(w, r).map_err(io::Error::other);
    }
    // The text is a sequence of units: the head, each scenario's opening, each
    // item, each scenario's closing (targets, triggers), the tail.
    let units = 2 + r
        .scenarios
        .iter()
        .map(|sc| sc.items.len() + 2)
        .sum::<usize>();
    let values: usize = r
        .scenarios
        .iter()
        .flat_map(|sc| sc.items.iter().map(|it| it.values.len()))
        .sum();
    let big = values >= PARALLEL_VALUES
        && std::thread::available_parallelism().is_ok_and(|n| n.get() > 1);
    if !big {
        return emit(r, 0..units, w);
    }
    // The second half of the values is formatted into memory on another thread
    // while the first half is written; then it follows. Same bytes either way.
    let mut mid = 0;
    let mut seen = 0;
    'find: for sc in &r.scenarios {
        mid += 1;
        for it in &sc.items {
            if seen >= values / 2 {
                break 'find;
            }
            seen += it.values.len();
            mid += 1;
        }
        mid += 1;
    }
    let mid = mid + 1; // the head
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new().spawn_scoped(scope, || {
            // Room for the whole half up front: growing by doubling would copy it
            // and touch twice the memory (pages never written cost nothing).
            let mut tail: Vec<u8> = Vec::with_capacity((values - seen) * TAIL_BYTES_PER_VALUE);
            emit(r, mid..units, &mut tail).map(|()| tail)
        });
        emit(r, 0..mid, w)?;
        match worker.ok().and_then(|h| h.join().ok()) {
            Some(tail) => w.write_all(&tail?),
            None => emit(r, mid..units, w),
        }
    })
}

/// Writes the units `range` of the text of `r`.
fn emit(r: &RunReport, range: std::ops::Range<usize>, w: &mut dyn Write) -> io::Result<()> {
    let mut o = Out {
        buf: Vec::with_capacity(FLUSH_AT + 4096),
        w,
    };
    let mut u = 0;
    if range.contains(&u) {
        o.raw(b"{");
        o.key(1, true, "plan");
        o.string(&r.plan);
        o.key(1, false, "periods");
        o.raw(b"[");
        for (k, p) in r.periods.iter().enumerate() {
            o.element(2, k == 0);
            o.string(p);
        }
        o.close(2, r.periods.is_empty(), b']');
        if !r.windows.is_empty() {
            o.key(1, false, "windows");
            o.raw(b"[");
            for (k, w) in r.windows.iter().enumerate() {
                o.element(2, k == 0);
                o.raw(b"{");
                o.key(3, true, "period");
                o.string(&w.period);
                o.key(3, false, "from");
                o.string(&w.from);
                o.key(3, false, "to");
                o.string(&w.to);
                o.key(3, false, "partial");
                o.raw(if w.partial { b"true" } else { b"false" });
                o.close(3, false, b'}');
            }
            o.close(2, false, b']');
        }
        o.key(1, false, "scenarios");
        o.raw(b"{");
    }
    u += 1;
    for (k, sc) in r.scenarios.iter().enumerate() {
        if u >= range.end {
            break;
        }
        if u + sc.items.len() + 2 <= range.start {
            u += sc.items.len() + 2;
            continue;
        }
        if range.contains(&u) {
            o.key(2, k == 0, &sc.name);
            o.raw(b"{");
            o.key(3, true, "items");
            o.raw(b"{");
        }
        u += 1;
        for (i, it) in sc.items.iter().enumerate() {
            if range.contains(&u) {
                o.key(4, i == 0, &it.name);
                item(&mut o, it);
                o.maybe_flush()?;
            }
            u += 1;
        }
        if range.contains(&u) {
            scenario_end(&mut o, sc);
        }
        u += 1;
    }
    if range.contains(&u) {
        o.close(2, r.scenarios.is_empty(), b'}');
        ranked(&mut o, r);
        o.close(1, false, b'}');
    }
    o.w.write_all(&o.buf)
}

/// The end of a scenario object: its items closed, targets, triggers.
fn scenario_end(o: &mut Out<'_>, sc: &ScenarioReport) {
    o.close(4, sc.items.is_empty(), b'}');
    o.key(3, false, "targets");
    o.raw(b"[");
    for (k, t) in sc.targets.iter().enumerate() {
        o.element(4, k == 0);
        target(o, t);
    }
    o.close(4, sc.targets.is_empty(), b']');
    o.key(3, false, "triggers");
    o.raw(b"[");
    for (k, t) in sc.triggers.iter().enumerate() {
        o.element(4, k == 0);
        trigger(o, t);
    }
    o.close(4, sc.triggers.is_empty(), b']');
    o.key(3, false, "requests");
    o.raw(b"[");
    for (k, rq) in sc.requests.iter().enumerate() {
        o.element(4, k == 0);
        request(o, rq);
    }
    o.close(4, sc.requests.is_empty(), b']');
    if !sc.budgets.is_empty() {
        o.key(3, false, "budgets");
        o.raw(b"[");
        for (k, b) in sc.budgets.iter().enumerate() {
            o.element(4, k == 0);
            budget(o, b);
        }
        o.close(4, false, b']');
    }
    o.close(3, false, b'}');
}

/// `{"budget", "department", "window", "amount", …}` with entries at depth 5.
fn budget(o: &mut Out<'_>, b: &super::BudgetReport) {
    o.raw(b"{");
    o.key(5, true, "budget");
    o.string(&b.budget);
    o.key(5, false, "department");
    o.string(&b.department);
    o.key(5, false, "window");
    o.string(&b.window);
    for (k, v) in [
        ("amount", b.amount),
        ("draws", b.draws),
        ("reallocations", b.reallocations),
        ("allowance", b.allowance),
        ("spend", b.spend),
        ("headroom", b.headroom),
    ] {
        o.key(5, false, k);
        o.decimal(v);
    }
    o.close(5, false, b'}');
}

/// The ranked requests and the contingency left, after the scenarios.
fn ranked(o: &mut Out<'_>, r: &RunReport) {
    if r.ranked_requests.is_empty() {
        return;
    }
    o.key(1, false, "ranked_requests");
    o.raw(b"[");
    for (k, q) in r.ranked_requests.iter().enumerate() {
        o.element(2, k == 0);
        o.raw(b"{");
        o.key(3, true, "request");
        o.string(&q.request);
        o.key(3, false, "top");
        o.raw(if q.top { b"true" } else { b"false" });
        o.key(3, false, "cost");
        o.opt_decimal(q.cost);
        o.key(3, false, "return");
        o.opt_decimal(q.ret);
        o.key(3, false, "roi");
        o.opt_decimal(q.roi);
        o.key(3, false, "running");
        o.decimal(q.running);
        o.key(3, false, "funded");
        o.raw(if q.funded { b"true" } else { b"false" });
        o.close(3, false, b'}');
    }
    o.close(2, false, b']');
    if let Some(left) = r.contingency_left {
        o.key(1, false, "contingency_left");
        o.decimal(left);
    }
}

fn request(o: &mut Out<'_>, r: &RequestReport) {
    o.raw(b"{");
    o.key(5, true, "request");
    o.string(&r.request);
    o.key(5, false, "from");
    match &r.from {
        Some(f) => o.string(f),
        None => o.raw(b"null"),
    }
    for (name, side) in [("ask", &r.ask), ("grant", &r.grant)] {
        o.key(5, false, name);
        match side {
            Some(sd) => request_side(o, sd),
            None => o.raw(b"null"),
        }
    }
    o.key(5, false, "gap");
    o.opt_decimal(r.gap);
    o.close(5, false, b'}');
}

/// `{"condition", "value", "threshold", "gap", "holds"}` with entries at depth 6.
fn request_side(o: &mut Out<'_>, s: &RequestSide) {
    o.raw(b"{");
    o.key(6, true, "condition");
    o.string(&s.condition);
    o.key(6, false, "value");
    o.opt_decimal(s.value);
    o.key(6, false, "threshold");
    o.opt_decimal(s.threshold);
    o.key(6, false, "gap");
    o.opt_decimal(s.gap);
    o.key(6, false, "holds");
    o.raw(if s.holds { b"true" } else { b"false" });
    o.close(6, false, b'}');
}

/// `{"unit", "values"}` with entries at depth 5.
fn item(o: &mut Out<'_>, it: &ItemReport) {
    o.raw(b"{");
    o.key(5, true, "unit");
    o.string(&it.unit.to_string());
    o.key(5, false, "values");
    o.raw(b"[");
    for (k, v) in it.values.iter().enumerate() {
        o.element(6, k == 0);
        o.decimal(*v);
    }
    o.close(6, it.values.is_empty(), b']');
    o.close(5, false, b'}');
}

fn target(o: &mut Out<'_>, t: &TargetReport) {
    o.raw(b"{");
    o.key(5, true, "objective");
    o.string(&t.objective);
    o.key(5, false, "target");
    o.string(&t.target);
    o.key(5, false, "projected");
    o.opt_decimal(t.projected);
    o.key(5, false, "threshold");
    o.opt_decimal(t.threshold);
    o.key(5, false, "gap");
    o.opt_decimal(t.gap);
    o.key(5, false, "met");
    o.raw(if t.met { b"true" } else { b"false" });
    if let Some(p) = &t.period {
        o.key(5, false, "period");
        o.string(p);
    }
    o.close(5, false, b'}');
}

fn trigger(o: &mut Out<'_>, t: &TriggerReport) {
    o.raw(b"{");
    o.key(5, true, "name");
    o.string(&t.name);
    o.key(5, false, "fired");
    match &t.fired {
        Some(p) => o.string(p),
        None => o.raw(b"null"),
    }
    o.close(5, false, b'}');
}
