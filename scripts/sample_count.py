"""How many Monte Carlo samples an assessment needs: the noise the sample count adds to the
reported ellipses and zone probabilities, measured on ``bench assess``'s two cases.

    PYTHONPATH=src python scripts/sample_count.py [--seeds 12] [--n-ref 8000] [--json]

For each case (the reference glide, the ballistic shot), one assessment with ``n_ref`` samples
is the reference cloud of predicted impacts.  Then, for each sample count n and ``seeds``
independent seeds, the assessment with n samples reports its 50 % and 95 % ellipses and its
zone probabilities; printed per n:

* coverage: the share of the reference cloud inside each reported ellipse (mean and standard
  deviation over the seeds: the ellipse's Monte Carlo error in probability);
* the 95 % ellipse's semi-major axis relative to the reference assessment's (spread);
* the largest zone probability's error against the reference cloud's (mean absolute);
* median process CPU ms per assessment.

This measures only the Monte Carlo part of containment: whether the truth falls inside at the
stated rate is the prediction model's honesty (the campaign's containment), which the sample
count changes only through this noise.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from datetime import UTC, datetime

import numpy as np

from launchwatch.assess.impact import assess, ellipse_r2
from launchwatch.bench import assess as bench_assess

EPOCH = datetime(2025, 11, 7, 3, 35, tzinfo=UTC)


def _top_zone(a) -> tuple[str, float]:
    probs = a.zone_probs[0]
    key = max(probs, key=probs.get) if probs else ""
    return key, probs.get(key, 0.0)


def run(counts: list[int], seeds: int, n_ref: int) -> dict:
    out: dict = {"load_before": os.getloadavg(), "n_ref": n_ref, "cases": {}}
    for name in ("reference_glide", "ballistic"):
        est = bench_assess._case(name)
        t_now = float(est.t_s[0])
        ref = assess(est, t_now, EPOCH, n_samples=n_ref, rng=10_000)
        ok = np.isfinite(ref.sample_impact_lat_deg[0])
        lat_r, lon_r = ref.sample_impact_lat_deg[0, ok], ref.sample_impact_lon_deg[0, ok]
        key_ref, _ = _top_zone(ref)
        rows = {}
        for n in counts:
            cov50, cov95, major, zone_err, cpu = [], [], [], [], []
            for seed in range(seeds):
                c0 = time.process_time()
                a = assess(est, t_now, EPOCH, n_samples=n, rng=seed)
                cpu.append(time.process_time() - c0)
                r2 = ellipse_r2(
                    np.full(lat_r.size, a.impact_lat_deg[0]),
                    np.full(lat_r.size, a.impact_lon_deg[0]),
                    np.broadcast_to(a.ellipse_semi_major_m[0], (lat_r.size, 2)),
                    np.broadcast_to(a.ellipse_semi_minor_m[0], (lat_r.size, 2)),
                    np.full(lat_r.size, a.ellipse_orientation_deg[0]),
                    lat_r,
                    lon_r,
                )
                cov50.append(float(np.mean(r2[:, 0] <= 1.0)))
                cov95.append(float(np.mean(r2[:, 1] <= 1.0)))
                major.append(float(a.ellipse_semi_major_m[0, 1] / ref.ellipse_semi_major_m[0, 1]))
                zone_err.append(abs(a.zone_probs[0].get(key_ref, 0.0) - ref.zone_probs[0][key_ref]))
            rows[n] = {
                "coverage50_mean": float(np.mean(cov50)),
                "coverage50_sd": float(np.std(cov50, ddof=1)),
                "coverage95_mean": float(np.mean(cov95)),
                "coverage95_sd": float(np.std(cov95, ddof=1)),
                "major95_ratio_sd": float(np.std(major, ddof=1)),
                "top_zone": key_ref,
                "top_zone_abs_err": float(np.mean(zone_err)),
                "cpu_ms": 1e3 * float(np.median(cpu)),
            }
        out["cases"][name] = rows
    out["load_after"] = os.getloadavg()
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--counts", default="250,500,1000")
    p.add_argument("--seeds", type=int, default=12)
    p.add_argument("--n-ref", type=int, default=8000)
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    r = run([int(c) for c in a.counts.split(",")], a.seeds, a.n_ref)
    if a.json:
        print(json.dumps(r))
        return
    print(f"load {r['load_before'][0]:.1f} -> {r['load_after'][0]:.1f}; reference {r['n_ref']}")
    for name, rows in r["cases"].items():
        for n, x in rows.items():
            print(
                f"{name:16s} n={n:5d}: 50% ellipse holds {100 * x['coverage50_mean']:.1f} "
                f"+- {100 * x['coverage50_sd']:.1f} %, 95% holds {100 * x['coverage95_mean']:.2f}"
                f" +- {100 * x['coverage95_sd']:.2f} % of the reference cloud; 95% major axis "
                f"+- {100 * x['major95_ratio_sd']:.1f} %; P({x['top_zone']}) error "
                f"{100 * x['top_zone_abs_err']:.2f} pts; CPU {x['cpu_ms']:.0f} ms"
            )


if __name__ == "__main__":
    main()
