"""Two-point pairing's range-rate test on campaign detections: how large a radial jerk
allowance same-missile pairs need (``tracker.INIT_MAX_JERK_M_S3``).

For every two radar detections of one sensor 1-10 s apart with range rates, the residual
``(r2 - r1) / dt - (rr1 + rr2) / 2`` is normalised by the pairing test's sigma (noise plus
``jerk dt^2 / 12``, :meth:`launchwatch.track.initiate.PendingPool.feasible`).  Printed per
allowance and baseline bin: the largest normalised residual of same-missile pairs (the test
refuses above ``coarse_sigma`` = 6), and the share of pairs of neighbouring missiles (launch
order within 3, both range rates under 300 m/s) it refuses.  Feeds come from
``replay_tracker.feed_of`` (cached).

With ``--turn`` it measures the range-rate turn test instead
(:func:`launchwatch.track.initiate.range_rate_turn_d2`, ``tracker.INIT_TURN_ACCEL_M_S2``) on
the pairs 1-10 s apart that pass the range-change test: per (along, across) acceleration
allowance, the same-missile pairs' largest normalised mismatch and how many exceed 4 and 6,
and for neighbouring missiles (launch order within 3) the median and the share above 2 (the
pairing cost it adds).

    python scripts/pair_residuals.py dense-salvos:1:10 dense-salvos:4:10 [--cache DIR]
    python scripts/pair_residuals.py dense-salvos:2:10 dense-salvos:5:10 --turn
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from replay_tracker import feed_of  # noqa: E402

from launchwatch.track.initiate import range_change_residual, range_rate_turn_d2  # noqa: E402
from launchwatch.track.measure import Measurements  # noqa: E402
from launchwatch.track.tracker import INIT_MAX_JERK_M_S3  # noqa: E402

BINS = ((1.0, 3.0), (3.0, 5.0), (5.0, 7.0), (7.0, 10.0))
TURN_GRID = (
    (50.0, 20.0, 2.0),
    (100.0, 20.0, 2.0),
    (150.0, 20.0, 2.0),
    (100.0, 30.0, 2.0),
    (100.0, 20.0, 5.0),
)


def _sensor_pairs(det: np.ndarray, missile: dict[int, int]):
    """Per radar: its detections ``d``, their missiles ``m``, and the pairs ``i``, ``j`` 1-10 s
    apart with range rates, their ``dt``, range-change residual and its noise sigma."""
    for s in np.unique(det["sensor"]):
        d = det[(det["sensor"] == s) & (det["kind"] == "radar")]
        m = np.array([missile.get(int(i), -1) for i in d["det_id"]])
        t, z, sg = d["t_s"], d["z"], d["sigma"]
        i, j = np.nonzero((t[None, :] - t[:, None] > 1.0) & (t[None, :] - t[:, None] <= 10.0))
        ok = np.isfinite(z[i, 3]) & np.isfinite(z[j, 3]) & (m[i] >= 0) & (m[j] >= 0)
        i, j = i[ok], j[ok]
        dt = t[j] - t[i]
        resid, var = range_change_residual(z[i], z[j], sg[i], sg[j], dt)
        yield d, m, i, j, dt, resid, np.sqrt(var)


def turn_pairs(det: np.ndarray, missile: dict[int, int], grid=TURN_GRID) -> dict:
    """Per allowance of ``grid``: (normalised turn mismatch, same missile, |launch order
    difference|) of the pairs 1-10 s apart of one radar that pass the range-change test."""
    out: dict = {g: [] for g in grid}
    for d, m, i, j, dt, resid, noise in _sensor_pairs(det, missile):
        pos, cov = Measurements.from_detections(d).position_ecef()
        rad = np.sqrt(np.trace(cov, axis1=1, axis2=2))
        z, sg = d["z"], d["sigma"]
        ok = resid**2 / (noise**2 + (INIT_MAX_JERK_M_S3 * dt**2 / 12.0) ** 2) <= 36.0
        i, j, dt = i[ok], j[ok], dt[ok]
        for g in grid:
            d2 = range_rate_turn_d2(
                pos[i], pos[j], d["sensor_ecef_m"][i], d["sensor_ecef_m"][j], z[i, 3], z[j, 3],
                sg[i], sg[j], rad[i], rad[j], dt,
                along_m_s2=g[0], pitch_m_s2=g[1], lateral_m_s2=g[2],
            )  # fmt: skip
            out[g].append(np.column_stack([np.sqrt(d2), m[i] == m[j], np.abs(m[i] - m[j])]))
    return out


def report_turn(sets: list[dict]) -> None:
    for g in TURN_GRID:
        R = np.concatenate([x for s in sets for x in s[g]])
        z, same, order = R[:, 0], R[:, 1] == 1, R[:, 2]
        mates = ~same & (order <= 3)
        print(
            f"along {g[0]:4.0f} pitch {g[1]:3.0f} side {g[2]:3.1f} m/s^2: same {int(same.sum())}"
            f" max {z[same].max(initial=0):.1f}, > 4: {int((z[same] > 4).sum())},"
            f" > 6: {int((z[same] > 6).sum())} | neighbours {int(mates.sum())} median"
            f" {np.median(z[mates]) if mates.any() else float('nan'):.2f},"
            f" > 2: {np.mean(z[mates] > 2) if mates.any() else float('nan'):.2f}"
        )


def pairs(det: np.ndarray, missile: dict[int, int]) -> np.ndarray:
    """Rows (dt, residual, noise sigma, same missile, |launch order difference|, rr1)."""
    out = []
    for d, m, i, j, dt, resid, noise in _sensor_pairs(det, missile):
        z = d["z"]
        same = (m[i] == m[j]).astype(float)
        out.append(np.column_stack([dt, resid, noise, same, np.abs(m[i] - m[j]), z[i, 3], z[j, 3]]))
    return np.concatenate(out) if out else np.zeros((0, 7))


def _feeds(sets: list[str], cache: Path):
    """(detections, {detection id: missile}) of every engagement of ``SPEC:SEED:N`` sets."""
    for s in sets:
        spec, seed, n = s.split(":")
        for i in range(int(n)):
            det, _, _, _, tid = feed_of(spec, int(seed), i, cache)
            yield det, dict(zip(tid["det_id"].tolist(), tid["missile"].tolist(), strict=True))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("sets", nargs="+", help="SPEC:SEED:N")
    ap.add_argument("--cache", default="/tmp/replay_cache")
    ap.add_argument("--jerk", type=float, nargs="*", default=[3, 5, 8, 10, 15, 30])
    ap.add_argument("--turn", action="store_true", help="measure the range-rate turn test")
    a = ap.parse_args()
    feeds = list(_feeds(a.sets, Path(a.cache)))
    if a.turn:
        report_turn([turn_pairs(det, miss) for det, miss in feeds])
        return
    rows = [pairs(det, miss) for det, miss in feeds]
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
