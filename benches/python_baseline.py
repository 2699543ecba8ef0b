#!/usr/bin/env python3
"""The Python baseline of the evaluation benchmark (benches/eval.rs).

What a finance team would otherwise write: a straightforward script that loads
the generated model (benches/gen/mod.rs, `to_json`: inputs with a value per
month, formulas over earlier items, per-scenario overrides) and evaluates every
item over every month of every scenario with exact `decimal.Decimal`
arithmetic.

Usage: python_baseline.py MODEL.json SAMPLE_OUT [EVERY]

Writes one line per month of every EVERY-th item (default 97) in every
scenario to SAMPLE_OUT: `scenario item month value`, the value in plain
notation to 24 significant digits, so the benchmark can check that the
results equal Plumb's.
"""

import decimal
import json
import sys
from decimal import Decimal


def load(path):
    with open(path) as f:
        model = json.load(f)
    for item in model["items"]:
        if item[0] == "input":
            item[1] = [Decimal(v) for v in item[1]]
    for overrides in model["overrides"]:
        for o in overrides:
            o[2] = Decimal(o[2])
    return model


def evaluate_scenario(model, overrides):
    months = model["months"]
    one = Decimal(1)
    by_item = {}
    for o in overrides:
        by_item.setdefault(o[1], []).append(o)
    values = []
    for i, item in enumerate(model["items"]):
        op = item[0]
        if op == "input":
            col = list(item[1])
            for kind, _, x, start in by_item.get(i, ()):
                for t in range(start, months):
                    col[t] = col[t] * x if kind == "scale" else x
        elif op == "grow":
            a, r = values[item[1]], values[item[2]]
            col = [x * (one + y) for x, y in zip(a, r)]
        elif op == "sum3":
            a, b, c = values[item[1]], values[item[2]], values[item[3]]
            col = [x + y + z for x, y, z in zip(a, b, c)]
        elif op == "maxdiff":
            a, b, c = values[item[1]], values[item[2]], values[item[3]]
            col = [max(x - y, z) for x, y, z in zip(a, b, c)]
        elif op == "ratio":
            a, b = values[item[1]], values[item[2]]
            col = [x / (x + y) for x, y in zip(a, b)]
        elif op == "share":
            a, q = values[item[1]], values[item[2]]
            col = [x * y for x, y in zip(a, q)]
        elif op == "compound":
            r, a = values[item[1]], values[item[2]]
            col, prev = [], Decimal(100)
            for y, z in zip(r, a):
                prev = prev * (one + y) + z
                col.append(prev)
        elif op == "running":
            a = values[item[1]]
            col, prev = [], Decimal(0)
            for z in a:
                prev = prev + z
                col.append(prev)
        else:
            raise ValueError(f"unknown formula {op!r}")
        values.append(col)
    return values


def main():
    model_path, sample_path = sys.argv[1], sys.argv[2]
    every = int(sys.argv[3]) if len(sys.argv) > 3 else 97
    # More digits than Plumb's decimals hold (28), so nothing is lost here.
    decimal.getcontext().prec = 40
    model = load(model_path)
    results = [evaluate_scenario(model, o) for o in model["overrides"]]
    out = decimal.Context(prec=24)
    with open(sample_path, "w") as f:
        for k, values in enumerate(results):
            for i in range(0, len(values), every):
                for t, v in enumerate(values[i]):
                    f.write(f"{k} {i} {t} {out.plus(v):f}\n")


if __name__ == "__main__":
    main()
