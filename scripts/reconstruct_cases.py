"""Run ``launchwatch reconstruct``'s figures (``reconstruct_figures``, the ``--json`` object) on
a fixed set of varied inputs, with each case's CPU time, and compare two such runs field by
field: the check that a change to the reconstruction's mechanism leaves its answers alone.

    python scripts/reconstruct_cases.py run --out before.json [--only 3,7]
    python scripts/reconstruct_cases.py compare before.json after.json

The cases span ranges of 100-15,000 km and apogees of 15-6,518 km, with and without flight
times, ballistic and quasi-ballistic classes, landing descriptions, and figures no boost flies
(their one-line errors are compared as text).  ``compare`` prints, per JSON field (a path such
as ``fit.burn_scale``), the largest absolute difference of numbers and the count of other
differences, and per case the CPU time of both runs.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from typing import Any

CASES: list[dict[str, Any]] = [
    # joint three-figure fits (2022-11-18 figures; the same with a conflicting time)
    {"site": "Sunan", "range_km": 1000.0, "apogee_km": 6000.0, "flight_time_s": 4140.0},
    {"site": "Sunan", "range_km": 1000.0, "apogee_km": 6000.0},
    {"site": "Sunan", "range_km": 1000.0, "apogee_km": 6000.0, "flight_time_s": 3000.0},
    {"lat": 39.13, "lon": 125.96, "range_km": 1002.3, "apogee_km": 6518.2, "toward": "East Sea"},
    {"site": "Sunan", "apogee_km": 6000.0, "flight_time_s": 4180.0},
    {"site": "Sunan", "apogee_km": 6000.0, "flight_time_s": 4140.0},
    {"site": "Sunan", "range_km": 1000.0, "flight_time_s": 150.0},
    # quasi-ballistic classes
    {"site": "Sunan", "range_km": 875.0, "apogee_km": 50.0},
    {"site": "Sunan", "range_km": 700.0, "apogee_km": 50.0},
    {"site": "Sunan", "range_km": 875.0, "apogee_km": 50.0, "flight_time_s": 400.0},
    {"site": "Sunan", "range_km": 875.0, "apogee_km": 50.0, "flight_time_s": 480.0},
    {"site": "Sunan", "range_km": 875.0, "apogee_km": 50.0, "flight_time_s": 800.0},
    {"site": "Sunan", "range_km": 950.0, "apogee_km": 15.0},
    {"site": "Sunan", "range_km": 990.0, "apogee_km": 30.0},
    {"site": "Taekwan", "range_km": 700.0, "apogee_km": 50.0, "flight_time_s": 420.0},
    # short and low
    {"site": "Sunan", "range_km": 100.0, "apogee_km": 20.0},
    {"site": "Sunan", "range_km": 800.0, "apogee_km": 20.0},
    {"site": "Sunan", "range_km": 300.0, "apogee_km": 20.0},
    {"site": "Wonsan", "range_km": 450.0, "apogee_km": 120.0},
    {"site": "Wonsan", "range_km": 450.0, "apogee_km": 120.0, "flight_time_s": 360.0},
    {"site": "Wonsan", "range_km": 600.0, "apogee_km": 100.0, "flight_time_s": 420.0},
    # the reach sweep's pairs (Kepler times rounded to 10 s) and what no boost flies
    {"site": "Sunan", "range_km": 1500.0, "apogee_km": 300.0, "flight_time_s": 690.0},
    {"site": "Sunan", "range_km": 8000.0, "apogee_km": 1000.0, "flight_time_s": 2190.0},
    {"site": "Sunan", "range_km": 15000.0, "apogee_km": 300.0},
    {"site": "Sunan", "range_km": 8000.0, "apogee_km": 20.0},
    {"site": "Sunan", "range_km": 12000.0, "apogee_km": 1200.0, "flight_time_s": 2700.0},
    {"site": "Sunan", "range_km": 13000.0, "trajectory": "min-energy"},
    # published-figure shapes (generic boost and catalog vehicles)
    {"site": "Pyongsong", "range_km": 950.0, "apogee_km": 4475.0, "propellant": "liquid"},
    {"site": "Pyongsong", "range_km": 950.0, "apogee_km": 4475.0, "vehicle": "Hwasong-15"},
    {"site": "Sunan", "range_km": 2700.0, "apogee_km": 550.0},
    {"site": "Sunan", "range_km": 3700.0, "apogee_km": 770.0, "flight_time_s": 1140.0},
    {"site": "Kusong", "range_km": 787.0, "apogee_km": 2111.5},
    {"site": "Mupyong-ri", "range_km": 4600.0, "apogee_km": 1000.0, "vehicle": "Hwasong-12"},
    {"site": "Sunan", "range_km": 3000.0, "apogee_km": 3000.0},
    {"site": "Sunan", "range_km": 5000.0, "apogee_km": 1500.0, "flight_time_s": 1800.0},
    {"site": "Sunan", "range_km": 300.0, "trajectory": "depressed"},
    {"site": "Sunan", "range_km": 5000.0, "trajectory": "min-energy"},
    {"site": "Wonsan", "range_km": 1000.0, "flight_time_s": 600.0},
    # landing descriptions
    {
        "site": "Sunan",
        "apogee_km": 6000.0,
        "flight_time_s": 4260.0,
        "landing": "about 200 km west of Oshima-Oshima",
    },
    {"site": "Sunan", "apogee_km": 50.0, "landing": "about 250 km north-west of Hegura-jima"},
]


def run(out: str, only: list[int] | None) -> None:
    from launchwatch.cli.common import UsageError
    from launchwatch.cli.reconstruct import reconstruct_figures

    results = []
    total = 0.0
    for i, kw in enumerate(CASES):
        if only is not None and i not in only:
            continue
        c0 = time.process_time()
        try:
            res: Any = {"ok": reconstruct_figures(**kw)}
        except UsageError as exc:
            res = {"error": str(exc)}
        cpu = time.process_time() - c0
        total += cpu
        results.append({"case": i, "args": kw, "cpu_s": round(cpu, 3), **res})
        print(f"{i:3d} {cpu:7.2f} s  {'ok' if 'ok' in res else 'error'}  {kw}", flush=True)
    print(f"total {total:.1f} s cpu")
    with open(out, "w") as fh:
        json.dump(results, fh, indent=1)


def _walk(a: Any, b: Any, path: str, num: dict[str, float], other: dict[str, int]) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            _walk(a.get(k), b.get(k), f"{path}.{k}" if path else k, num, other)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for x, y in zip(a, b, strict=True):
            _walk(x, y, f"{path}[]", num, other)
    elif (
        isinstance(a, int | float)
        and isinstance(b, int | float)
        and not isinstance(a, bool)
        and not isinstance(b, bool)
    ):
        d = abs(float(a) - float(b)) if math.isfinite(a) and math.isfinite(b) else 0.0
        num[path] = max(num.get(path, 0.0), d)
    elif a != b:
        other[path] = other.get(path, 0) + 1
        print(f"    differs {path}: {str(a)[:160]!r} -> {str(b)[:160]!r}")


def compare(before: str, after: str) -> None:
    with open(before) as fh:
        a_runs = {r["case"]: r for r in json.load(fh)}
    with open(after) as fh:
        b_runs = {r["case"]: r for r in json.load(fh)}
    num: dict[str, float] = {}
    other: dict[str, int] = {}
    ta = tb = 0.0
    for i in sorted(set(a_runs) & set(b_runs)):
        a, b = a_runs[i], b_runs[i]
        ta += a["cpu_s"]
        tb += b["cpu_s"]
        print(f"case {i:3d}: cpu {a['cpu_s']:7.2f} -> {b['cpu_s']:7.2f} s  {a['args']}")
        _walk(
            {k: a.get(k) for k in ("ok", "error")},
            {k: b.get(k) for k in ("ok", "error")},
            "",
            num,
            other,
        )
    print(f"total cpu {ta:.1f} -> {tb:.1f} s ({tb / max(ta, 1e-9):.2f}x)")
    print("largest numeric differences per field (nonzero only):")
    for k, v in sorted(num.items(), key=lambda kv: -kv[1]):
        if v > 0.0:
            print(f"  {k:60s} {v:.6g}")
    print(f"fields compared: {len(num)} numeric; other differences: {other or 'none'}")


def main() -> None:
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--out", required=True)
    r.add_argument("--only", default=None, help="comma-separated case numbers")
    c = sub.add_parser("compare")
    c.add_argument("before")
    c.add_argument("after")
    a = ap.parse_args()
    if a.cmd == "run":
        only = None if a.only is None else [int(x) for x in a.only.split(",")]
        run(a.out, only)
    else:
        compare(a.before, a.after)


if __name__ == "__main__":
    main()
