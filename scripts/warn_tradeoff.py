"""Measure the warning trade-off: first-warning time vs false alarms vs misses over the policy's
settings, on the shipped and history scenarios.

Each scenario runs through sense -> track -> assess once; its assessments are then replayed
through warning policies with other settings (the assessments do not depend on the policy), and
each replay is scored against the truth. Prints one row per (scenario, setting):

* ``gate`` rows: no launch corridor, boosting tracks (boost probability above the gate) not
  judged -- the policy before the corridor;
* ``corridor`` rows: boosting tracks judged by their launch corridor
  (:mod:`launchwatch.warn.corridor`), issuing at the corridor's ``p_issue``, without the IR-only
  pseudo-tracks;
* ``ir`` rows: the corridor at its default ``p_issue`` (0.6) *and* the IR-only pseudo-tracks
  (:mod:`launchwatch.warn.corridor_ir`: warnings before any radar track), theirs issuing at
  ``ir_p_issue``.

    python scripts/warn_tradeoff.py [scenario ...] [--samples 300] [--only ir] [--json]
"""

from __future__ import annotations

import argparse
import json

import numpy as np

from launchwatch.pipeline.chain import feed_corridor, run_chain
from launchwatch.sense.scenario import load_scenario
from launchwatch.warn.corridor import Corridor
from launchwatch.warn.policy import WarningPolicy
from launchwatch.warn.score import score_warnings

DEFAULT = [
    "overflight",
    "reference-2025-11-07",
    "reference-ballistic",
    "salvo",
    "lofted-icbm",
    "jalert-2017-08-29",
    "jalert-2017-09-15",
    "jalert-2022-10-04",
    "jalert-2022-11-03",
    "jalert-2023-04-13",
]
GATES = (0.3, 1.0)
CORRIDOR_P_ISSUE = (0.3, 0.4, 0.5, 0.6, 0.7)
IR_P_ISSUE = (0.3, 0.4, 0.5, 0.6, 0.7)


def settings():
    for gate in GATES:
        yield f"gate {gate:.1f}", lambda sim, g=gate: WarningPolicy(max_boost_prob=g)
    for p in CORRIDOR_P_ISSUE:

        def make(sim, p=p):
            corridor = Corridor(p_issue=p, seed=sim.scenario.seed, ir_only=False)
            feed_corridor(corridor, sim)
            return WarningPolicy(early=corridor)

        yield f"corridor {p:.1f}", make
    for p in IR_P_ISSUE:

        def make_ir(sim, p=p):
            corridor = Corridor(seed=sim.scenario.seed, ir_p_issue=p)
            feed_corridor(corridor, sim)
            return WarningPolicy(early=corridor)

        yield f"ir {p:.1f}", make_ir


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("scenarios", nargs="*", default=DEFAULT)
    ap.add_argument("--samples", type=int, default=300)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--only", default="", help="only the settings whose label starts with this")
    args = ap.parse_args()
    rows = []
    for name in args.scenarios:
        chain = run_chain(load_scenario(name), n_samples=args.samples)
        truth = chain.sim.truth
        end = float(truth.times_s[-1])
        for label, make in settings():
            if not label.startswith(args.only):
                continue
            pol = make(chain.sim)
            for a in chain.run.assessments:
                pol.update(a)
            pol.finish(end)
            s = score_warnings(pol.events, truth, truth.launch_time_s)
            lat = [v for v in s["passed_over_latency_s"].values() if v is not None]
            rows.append(
                {
                    "scenario": name,
                    "setting": label,
                    "first_warning_s": s["first_warning_s"],
                    "reached": sorted(set(s["overflown"]) | set(s["impacted"])),
                    "false_alarms": s["false_alarms"],
                    "misses": s["misses"],
                    "passed_over_latency_max_s": max(lat) if lat else None,
                    "wrong": len(s["wrong_messages"]),
                }
            )
            r = rows[-1]
            if not args.json:
                fw = r["first_warning_s"]
                po = r["passed_over_latency_max_s"]
                print(
                    f"{name:22s} {label:13s} first {'-' if fw is None else f'{fw:6.1f}'} s"
                    f"  reached {','.join(r['reached']) or '-'}"
                    f"  false {len(r['false_alarms'])} {','.join(r['false_alarms'])}"
                    f"  misses {len(r['misses'])}  wrong {r['wrong']}"
                    f"  passed-over {'-' if po is None else f'{po:.1f}'} s",
                    flush=True,
                )
    if args.json:
        print(
            json.dumps(rows, default=lambda x: float(x) if isinstance(x, np.floating) else str(x))
        )


if __name__ == "__main__":
    main()
