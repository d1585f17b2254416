"""Where the time of an assessment round goes: the ``bench assess`` round (16 tracks x 1,000
samples) with its main calls wrapped, wall and CPU per call summed over a round, median over
repeats.  ``process CPU`` is the whole process's (numba's flight threads and the path
conversion's helper threads included while the call runs); the path conversion is timed by its
own threads' CPU.  A profile to read beside ``launchwatch bench assess``, not a benchmark.

    python scripts/profile_assess.py [REPEATS]
"""

from __future__ import annotations

import collections
import sys
import time
from datetime import UTC, datetime

import numpy as np

from launchwatch.assess import impact
from launchwatch.bench.assess import _round
from launchwatch.earth import frames, geodesy, zones


def main(repeats: int = 9) -> None:
    est = _round(16)
    epoch = datetime(2025, 11, 7, 3, 35, tzinfo=UTC)
    t_now = float(np.max(est.t_s))
    rng = np.random.default_rng(5)
    acc: dict[str, list[float]] = collections.defaultdict(list)
    cur: collections.Counter[str] = collections.Counter()

    def wrap(mod, name: str, label: str | None = None, thread: bool = False) -> None:
        f = getattr(mod, name)
        clock = time.thread_time if thread else time.process_time

        def g(*a, **k):
            t0, c0 = time.perf_counter(), clock()
            r = f(*a, **k)
            lab = label or name
            if name == "propagate_states":
                lab = "flight, samples" if k.get("sample_times_s") is not None else "flight, means"
            cur[lab + " wall"] += time.perf_counter() - t0
            cur[lab + (" thread CPU" if thread else " process CPU")] += clock() - c0
            return r

        setattr(mod, name, g)

    for name in (
        "sample_states",
        "propagate_states",
        "east_north_m",
        "level_radii2",
        "capability_class",
        "_zone_probs",
        "remaining_burn",
        "ellipse_axes",
    ):
        wrap(impact, name)
    wrap(frames, "eci_positions_to_geodetic_deg", "paths to geodetic (helper threads)", True)
    wrap(geodesy, "direct", "geodesic direct")
    wrap(zones, "classify_codes", "zone classification")
    impact.assess(est, t_now, epoch, rng=rng)  # compile / load
    for _ in range(repeats):
        cur.clear()
        t0, c0 = time.perf_counter(), time.process_time()
        impact.assess(est, t_now, epoch, rng=rng)
        cur["TOTAL wall"] = time.perf_counter() - t0
        cur["TOTAL process CPU"] = time.process_time() - c0
        for k, v in cur.items():
            acc[k].append(v)
    print(f"16-track round, ms (median of {repeats}):")
    for k in sorted(acc, key=lambda k: -float(np.median(acc[k]))):
        print(f"  {1e3 * float(np.median(acc[k])):8.2f}  {k}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 9)
