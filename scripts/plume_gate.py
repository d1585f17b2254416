"""Measure how far an IR line of sight misses the radar track it belongs to, and how far a salvo
neighbour's misses it: the data behind the corridor's on-track gate
(:data:`launchwatch.warn.corridor.ASSOC_BURN_KM`, :data:`~launchwatch.warn.corridor.ASSOC_BURN_KM_S`).

Runs sense and track on each engagement (campaign draws, as ``launchwatch campaign SPEC --seed S
--replay I`` writes them, and scenario files), then, for every confirmed track and every IR
detection from one revisit before its first row to its last, the miss the corridor measures
(:func:`launchwatch.warn.corridor._sight_miss_m`: the line of sight put at the track's height,
against the track's row nearest in time carried by its velocity), labelled by the simulation's
truth: the track's own missile (the one it is assigned to most) or another (within 60 km).
Prints the percentiles of both, and each own miss beyond the gate with its carry.

    python scripts/plume_gate.py --campaign japan-overflights:1:10 --campaign dense-salvos:2:4 \\
        [SCENARIO.yaml ...]
"""

from __future__ import annotations

import argparse

import numpy as np

from launchwatch.campaign.generate import generate
from launchwatch.campaign.spec import load_spec
from launchwatch.pipeline.simulate import run_simulation
from launchwatch.sense.scenario import load_scenario
from launchwatch.warn import corridor as cor


def misses(sim) -> tuple[list, list]:
    """``(own, other)``: per (track, IR detection) ``(miss m, carry s, name)`` of the track's own
    missile's plumes and of other missiles' plumes within 60 km."""
    det, missile = sim.detections, sim.truth_ids["missile"]
    ir = det["kind"] == "ir"
    det, missile = det[ir], missile[ir]
    order = np.argsort(det["t_s"], kind="stable")
    det, missile = det[order], missile[order]
    hist = sim.tracker.history
    own, other = [], []
    for tid in np.unique(hist["track_id"][hist["confirmed"]]):
        mine = hist[hist["track_id"] == tid]
        _, m_of = np.nonzero(sim.score.assignment == tid)
        if not m_of.size:
            continue
        m = int(np.bincount(m_of).argmax())
        sel = (det["t_s"] >= mine["t_s"][0] - 10.0) & (det["t_s"] <= mine["t_s"][-1])
        ts = det["t_s"][sel].astype(float)
        d = cor._sight_miss_m(cor._track_at(mine, ts), det[sel])
        carry = cor._nearest_row(mine, ts)[1]
        gate = cor._burn_gate_m(mine, ts)
        for dd, mm, c, g in zip(d, missile[sel], carry, gate, strict=True):
            if mm == m:
                own.append((dd, c, g))
            elif dd < 60e3:
                other.append((dd, c, g))
    return own, other


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenarios", nargs="*", help="scenario YAML files")
    ap.add_argument(
        "--campaign", action="append", default=[], help="SPEC:SEED:N (engagements 0..N-1)"
    )
    args = ap.parse_args()
    own, other = [], []
    runs: list = [(f, None) for f in args.scenarios]
    for ref in args.campaign:
        name, seed, n = ref.rsplit(":", 2)
        spec, _ = load_spec(name)
        runs += [(f"{name} seed {seed} e{i}", (spec, int(seed), i)) for i in range(int(n))]
    for label, draw in runs:
        scenario = load_scenario(label) if draw is None else generate(*draw).scenario
        sim = run_simulation(scenario)
        o, x = misses(sim)
        own += o
        other += x
        for dd, c, g in o:
            if dd > g:
                print(
                    f"{label}: own plume {dd / 1e3:.1f} km off, carried {c:+.1f} s (gate {g / 1e3:.1f})"
                )
    o, x = np.array(own).reshape(-1, 3), np.array(other).reshape(-1, 3)
    pct = (50, 90, 99, 100)
    print(f"engagements {len(runs)}")
    if o.size:
        print(
            f"own plumes {len(o)}: miss km p50/p90/p99/max",
            np.percentile(o[:, 0] / 1e3, pct).round(1),
        )
        print(f"  outside the gate: {int(np.sum(o[:, 0] > o[:, 2]))}")
    if x.size:
        print(
            f"other missiles' plumes within 60 km {len(x)}: miss km p1/p5/p10/p50",
            np.percentile(x[:, 0] / 1e3, (1, 5, 10, 50)).round(1),
        )
        print(f"  inside the gate: {int(np.sum(x[:, 0] <= x[:, 2]))}")


if __name__ == "__main__":
    main()
