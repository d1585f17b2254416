"""``launchwatch bench campaign``: engagements per minute serially in one process and on a Dask
LocalCluster, on the same engagements, in one run.

Both sides are warmed first (numba kernels loaded, zone and area tables built: one engagement
per process, not timed), then run engagements ``0 .. n-1`` of the spec; the figure is
engagements per minute of wall time, the ratio cluster / serial (ideally about the number of
workers on an otherwise idle machine).  Memory per worker is each worker process's resident
set after the run.  The time for 200 single-missile engagements is measured when ``n >= 200``
and otherwise extrapolated from the cluster's rate (said so in the output).  The two sides'
scores are compared: they must be identical.
"""

from __future__ import annotations

import json
import os
import time

import numpy as np

from ..campaign.engage import run_engagement
from ..campaign.execute import dask_client, default_workers
from ..campaign.spec import load_spec
from .stages import ProgressFn, Stages

#: Keys of an engagement record that measure the machine, not the engagement.
VOLATILE = ("seconds_",)


def comparable(rec: dict) -> dict:
    """A record without its run-time figures (what must be identical wherever it ran)."""
    eng = {k: v for k, v in rec["engagement"].items() if not k.startswith(VOLATILE)}
    return {**rec, "engagement": eng}


def fingerprint(rec: dict) -> str:
    """The comparable record as canonical JSON text (NaN equals NaN here, as it should)."""
    return json.dumps(comparable(rec), sort_keys=True)


def _rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def run_campaign_bench(
    *,
    spec: str = "single-missile",
    n: int = 6,
    workers: int | None = None,
    seed: int = 0,
    step: ProgressFn | None = None,
) -> dict:
    """The figures of the module docstring; ``step(stage, fraction)`` is told how far the run
    is, one step per finished engagement (the command line's bar)."""
    sp, _ = load_spec(spec)
    k = workers or default_workers()
    # stage weights in engagements' worth of time (estimate: a warm-up costs about three
    # engagements, the cluster runs about k at once)
    stages = Stages(
        step,
        {"serial warm-up": 3, "serial": n, "cluster warm-up": 4, "cluster": n / max(k, 1)},
    )
    warm_index = 10**6  # an engagement outside 0..n-1, for warming up only
    stages.at("serial warm-up")
    t0 = time.perf_counter()
    run_engagement(sp, seed, warm_index)
    serial_warm_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    serial = []
    for i in range(n):
        stages.at("serial", i / n)
        serial.append(run_engagement(sp, seed, i))
    serial_s = time.perf_counter() - t0

    from distributed import as_completed

    with dask_client(k) as client:
        stages.at("cluster warm-up")
        t0 = time.perf_counter()
        client.gather(
            [
                client.submit(run_engagement, sp, seed, warm_index + 1 + j, pure=False)
                for j in range(k)
            ]
        )
        cluster_warm_s = time.perf_counter() - t0
        stages.at("cluster")
        t0 = time.perf_counter()
        futures = [client.submit(run_engagement, sp, seed, i, pure=False) for i in range(n)]
        for j, _ in enumerate(as_completed(futures)):
            stages.at("cluster", (j + 1) / n)
        dist = client.gather(futures)
        cluster_s = time.perf_counter() - t0
        stages.done()
        mem = client.run(_rss_mb)
    same = [fingerprint(a) == fingerprint(b) for a, b in zip(serial, dist, strict=True)]
    serial_rate = 60.0 * n / serial_s
    cluster_rate = 60.0 * n / cluster_s
    t200 = 200.0 / cluster_rate * 60.0
    ok = sum(r["status"] == "ok" for r in dist)
    return {
        "spec": sp.name,
        "engagements_per_side": n,
        "workers": k,
        "cores": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "serial_engagements_per_min": round(serial_rate, 2),
        "cluster_engagements_per_min": round(cluster_rate, 2),
        "ratio_cluster_over_serial": round(cluster_rate / serial_rate, 2),
        "serial_s": round(serial_s, 2),
        "cluster_s": round(cluster_s, 2),
        "median_engagement_s": round(
            float(np.median([r["engagement"].get("seconds_total", np.nan) for r in serial])), 2
        ),
        "warm_up_s": {"serial": round(serial_warm_s, 2), "cluster": round(cluster_warm_s, 2)},
        "memory_per_worker_mb": {str(w): round(v, 1) for w, v in mem.items()},
        "main_process_mb": round(_rss_mb(), 1),
        "time_for_200_single_missile_engagements_s": round(t200, 1),
        "time_for_200_measured": n >= 200,
        "note": (
            "measured"
            if n >= 200
            else f"extrapolated from {n} engagements on the cluster (200 / its rate)"
        ),
        "ok_engagements": ok,
        "identical_results_serial_vs_cluster": all(same),
    }


__all__ = ["run_campaign_bench", "comparable", "fingerprint"]
