"""Measure the warning trade-off: first-warning time vs false alarms vs misses over the policy's
settings, on the shipped and history scenarios.

Each scenario runs through sense -> track -> assess once; its assessments are then replayed
through warning policies with other settings (the assessments do not depend on the policy), and
each replay is scored against the truth. Prints one row per (scenario, setting).

    python scripts/warn_tradeoff.py [scenario ...] [--samples 300]
"""

from __future__ import annotations

import argparse
import itertools
import json

import numpy as np

from launchwatch.pipeline.chain import run_chain
from launchwatch.sense.scenario import load_scenario
from launchwatch.warn.policy import WarningPolicy
from launchwatch.warn.score import score_warnings

DEFAULT = ["overflight", "reference-2025-11-07", "salvo", "lofted-icbm", "jalert-2017-08-29",
           "jalert-2017-09-15", "jalert-2022-10-04", "jalert-2022-11-03", "jalert-2023-04-13"]
BOOST = (0.3, 0.5, 0.7, 1.0)
P_ISSUE = (0.05, 0.10, 0.20)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("scenarios", nargs="*", default=DEFAULT)
    ap.add_argument("--samples", type=int, default=300)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    rows = []
    for name in args.scenarios:
        chain = run_chain(load_scenario(name), n_samples=args.samples)
        truth = chain.sim.truth
        end = float(truth.times_s[-1])
        for boost, p_issue in itertools.product(BOOST, P_ISSUE):
            pol = WarningPolicy(max_boost_prob=boost, p_issue=p_issue,
                                p_keep=min(0.03, p_issue))
            for a in chain.run.assessments:
                pol.update(a)
            pol.finish(end)
            s = score_warnings(pol.events, truth, truth.launch_time_s)
            lat = [v for v in s["passed_over_latency_s"].values() if v is not None]
            rows.append({"scenario": name, "max_boost_prob": boost, "p_issue": p_issue,
                         "first_warning_s": s["first_warning_s"],
                         "false_alarms": s["false_alarms"], "misses": s["misses"],
                         "passed_over_latency_max_s": max(lat) if lat else None,
                         "wrong": len(s["wrong_messages"])})
            r = rows[-1]
            if not args.json:
                fw = r["first_warning_s"]
                print(f"{name:22s} boost<={boost:.1f} p_issue={p_issue:.2f}  first "
                      f"{'-' if fw is None else f'{fw:6.1f}'} s  false {len(r['false_alarms'])}"
                      f" {','.join(r['false_alarms'])}  misses {len(r['misses'])}  wrong "
                      f"{r['wrong']}", flush=True)
    if args.json:
        print(json.dumps(rows, default=lambda x: float(x) if isinstance(x, np.floating)
                         else str(x)))


if __name__ == "__main__":
    main()
