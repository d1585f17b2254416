"""Two-point pairing's range-rate test on campaign detections: how large a radial jerk
allowance same-missile pairs need (``tracker.INIT_MAX_JERK_M_S3``).

For every two radar detections of one sensor 1-10 s apart with range rates, the residual
``(r2 - r1) / dt - (rr1 + rr2) / 2`` is normalised by the pairing test's sigma (noise plus
``jerk dt^2 / 12``, :meth:`launchwatch.track.initiate.PendingPool.feasible`).  Printed per
allowance and baseline bin: the largest normalised residual of same-missile pairs (the test
refuses above ``coarse_sigma`` = 6), and the share of pairs of neighbouring missiles (launch
order within 3, both range rates under 300 m/s) it refuses.  Feeds come from
``replay_tracker.feed_of`` (cached).

    python scripts/pair_residuals.py dense-salvos:1:10 dense-salvos:4:10 [--cache DIR]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from replay_tracker import feed_of  # noqa: E402

BINS = ((1.0, 3.0), (3.0, 5.0), (5.0, 7.0), (7.0, 10.0))


def pairs(det: np.ndarray, missile: dict[int, int]) -> np.ndarray:
    """Rows (dt, residual, noise sigma, same missile, |launch order difference|, rr1)."""
    out = []
    for s in np.unique(det["sensor"]):
        d = det[(det["sensor"] == s) & (det["kind"] == "radar")]
        m = np.array([missile.get(int(i), -1) for i in d["det_id"]])
        t, z, sg = d["t_s"], d["z"], d["sigma"]
        i, j = np.nonzero((t[None, :] - t[:, None] > 1.0) & (t[None, :] - t[:, None] <= 10.0))
        ok = np.isfinite(z[i, 3]) & np.isfinite(z[j, 3]) & (m[i] >= 0) & (m[j] >= 0)
        i, j = i[ok], j[ok]
        dt = t[j] - t[i]
        resid = (z[j, 0] - z[i, 0]) / dt - 0.5 * (z[i, 3] + z[j, 3])
        noise = np.sqrt(
            (sg[i, 0] ** 2 + sg[j, 0] ** 2) / dt**2 + 0.25 * (sg[i, 3] ** 2 + sg[j, 3] ** 2)
        )
        same = (m[i] == m[j]).astype(float)
        out.append(np.column_stack([dt, resid, noise, same, np.abs(m[i] - m[j]), z[i, 3], z[j, 3]]))
    return np.concatenate(out) if out else np.zeros((0, 7))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("sets", nargs="+", help="SPEC:SEED:N")
    ap.add_argument("--cache", default="/tmp/replay_cache")
    ap.add_argument("--jerk", type=float, nargs="*", default=[3, 5, 8, 10, 15, 30])
    a = ap.parse_args()
    rows = []
    for s in a.sets:
        spec, seed, n = s.split(":")
        for i in range(int(n)):
            det, _, _, _, tid = feed_of(spec, int(seed), i, Path(a.cache))
            miss = dict(zip(tid["det_id"].tolist(), tid["missile"].tolist(), strict=True))
            rows.append(pairs(det, miss))
    R = np.concatenate(rows)
    same = R[:, 3] == 1
    mates = ~same & (R[:, 4] <= 3) & (np.abs(R[:, 5]) < 300) & (np.abs(R[:, 6]) < 300)
    print(f"same-missile pairs {int(same.sum())}, neighbour pairs {int(mates.sum())}")
    for jerk in a.jerk:
        z = np.abs(R[:, 1]) / np.sqrt(R[:, 2] ** 2 + (jerk * R[:, 0] ** 2 / 12.0) ** 2)
        cells = []
        for lo, hi in BINS:
            b = same & (R[:, 0] > lo) & (R[:, 0] <= hi)
            cells.append(f"({lo:.0f},{hi:.0f}] s max {z[b].max(initial=0):.1f}")
        print(
            f"jerk {jerk:4.0f} m/s^3: " + " | ".join(cells)
            + f" | neighbours refused {np.mean(z[mates] > 6) if mates.any() else float('nan'):.3f}"
        )  # fmt: skip


if __name__ == "__main__":
    main()
