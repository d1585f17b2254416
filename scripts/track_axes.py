"""Tracker error vs claimed sigma per axis in the updating radar's own frame, per regime and sensor.

    PYTHONPATH=src python scripts/track_axes.py single-missile --n 6 --seed 2

For every confirmed history row of a track that belongs to a missile (the campaign's assignment),
the position error ``e`` (estimate - truth) and covariance ``P`` are rotated into the frame of the
sensor whose detection produced the row: range (along the line of sight), cross-range horizontal
(azimuth direction) and cross-range vertical (elevation direction); and into the velocity frame
(along-track, horizontal cross-track, the third axis "up-ish").  Printed per regime and sensor
model: rows, RMS actual error and sqrt(mean claimed variance) per axis (m), the per-axis mean
normalized error squared (1 for a consistent filter) and the measurement's own 1-sigma in that
axis (range sigma; range x angle sigma) so the claim can be compared to a single measurement.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from dataclasses import replace

import numpy as np

from launchwatch.campaign.generate import generate
from launchwatch.campaign.score import REGIMES, _regimes
from launchwatch.campaign.spec import load_spec
from launchwatch.pipeline.chain import track_truth
from launchwatch.pipeline.simulate import run_simulation
from launchwatch.track import models
from launchwatch.track.tracker import TrackerConfig


def _frames(sensor_ecef: np.ndarray, pos: np.ndarray, vel: np.ndarray):
    """(K, 3, 3) rows = unit axes: radar (los, horizontal cross, vertical cross), velocity."""
    los = pos - sensor_ecef
    los /= np.linalg.norm(los, axis=1, keepdims=True)
    up = sensor_ecef / np.linalg.norm(sensor_ecef, axis=1, keepdims=True)
    h = np.cross(up, los)
    h /= np.linalg.norm(h, axis=1, keepdims=True)
    v = np.cross(los, h)
    radar = np.stack([los, h, v], axis=1)
    a = vel / np.linalg.norm(vel, axis=1, keepdims=True)
    rup = pos / np.linalg.norm(pos, axis=1, keepdims=True)
    c = np.cross(rup, a)
    c /= np.linalg.norm(c, axis=1, keepdims=True)
    w = np.cross(a, c)
    return radar, np.stack([a, c, w], axis=1)


def _config(variant: str):
    """Tracker configuration of a named experiment (None: the default)."""
    coast, boost, glide = models.DEFAULT_MODELS
    if variant == "coast-only":
        return TrackerConfig(models=(coast,), transition=((1.0,),), initial_mode_probs=(1.0,))
    if variant == "coast-glide":
        return TrackerConfig(
            models=(coast, glide),
            transition=((0.99, 0.01), (0.005, 0.995)),
            initial_mode_probs=(0.9, 0.1),
        )
    if variant.startswith("q"):
        return TrackerConfig(models=(replace(coast, q_iso_m2_s3=float(variant[1:])), boost, glide))
    return None


def rows_of(spec, seed: int, index: int, variant: str = ""):
    eng = generate(spec, seed, index)
    sim = run_simulation(eng.scenario, config=_config(variant))
    tt = track_truth(sim)
    hist = sim.tracker.history
    keep = hist["confirmed"] & np.isin(hist["track_id"], list(tt))
    rows = hist[keep]
    if rows.size == 0:
        return None
    det = sim.detections
    order = np.argsort(det["det_id"])
    j = order[np.searchsorted(det["det_id"], rows["det_id"], sorter=order)]
    d = det[j]
    ok = (d["det_id"] == rows["det_id"]) & (d["kind"] == "radar")
    truth = sim.truth
    codes, _ = _regimes(truth)
    ms = np.array([tt[int(t)] for t in rows["track_id"]])
    xt = np.stack([truth.at(float(t))[m] for t, m in zip(rows["t_s"], ms, strict=True)])
    ok &= np.isfinite(xt[:, 0])
    rows, d, ms, xt = rows[ok], d[ok], ms[ok], xt[ok]
    model = {s.name: getattr(s, "model", s.name).split(",")[0] for s in sim.sensors}
    e = rows["state"] - xt
    P = rows["cov"]
    radar, velf = _frames(np.asarray(d["sensor_ecef_m"], float), xt[:, :3], xt[:, 3:])
    out = {}
    for name, F in (("radar", radar), ("vel", velf)):
        ef = np.einsum("kij,kj->ki", F, e[:, :3])
        Pf = np.einsum("kij,kjl,kml->kim", F, P[:, :3, :3], F)
        out[name] = (ef, np.diagonal(Pf, axis1=1, axis2=2))
        evf = np.einsum("kij,kj->ki", F, e[:, 3:])
        Pvf = np.einsum("kij,kjl,kml->kim", F, P[:, 3:, 3:], F)
        out[name + "_v"] = (evf, np.diagonal(Pvf, axis1=1, axis2=2))
    i = np.clip(np.searchsorted(truth.times_s, rows["t_s"]), 0, truth.times_s.size - 1)
    rng = np.linalg.norm(xt[:, :3] - d["sensor_ecef_m"], axis=1)
    sig = np.asarray(d["sigma"], float)
    meas = np.stack([sig[:, 0], rng * sig[:, 2], rng * sig[:, 2]], axis=1)
    return {
        "regime": codes[ms, i],
        "sensor": np.array([model.get(s, s) for s in d["sensor"]]),
        "meas": meas,
        "mu": rows["mu"],
        **out,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("spec")
    ap.add_argument("--n", type=int, default=6)
    ap.add_argument("--seed", type=int, default=2)
    ap.add_argument("--first", type=int, default=0)
    ap.add_argument("--variant", default="", help="coast-only, coast-glide, q<coast q_iso>")
    args = ap.parse_args()
    spec, _ = load_spec(args.spec)
    idx = range(args.first, args.first + args.n)
    parts = [rows_of(spec, args.seed, i, args.variant) for i in idx]
    parts = [p for p in parts if p is not None]
    cols = defaultdict(list)
    for p in parts:
        for k, v in p.items():
            cols[k].append(v)
    c = {
        k: (
            np.concatenate(v)
            if not isinstance(v[0], tuple)
            else tuple(np.concatenate(x) for x in zip(*v, strict=True))
        )
        for k, v in cols.items()
    }
    for j, rn in enumerate(REGIMES):
        s = c["regime"] == j
        if s.any():
            mu = np.array2string(c["mu"][s].mean(0), precision=4)
            print(f"{rn:8s} rows {s.sum():5d} mean mu {mu}")
    for frame, axes in (("radar", "rng xh xv"), ("vel", "along cross w")):
        for suffix, unit in (("", "m"), ("_v", "m/s")):
            e, var = c[frame + suffix]
            print(f"== {frame} frame {'velocity' if suffix else 'position'} ({unit}), axes {axes}")
            print(f"{'regime':8s} {'sensor':30s} {'n':>5s}  rms actual / claimed sigma / mean e2/P")
            for j, rn in enumerate(REGIMES):
                for sn in np.unique(c["sensor"]):
                    s = (c["regime"] == j) & (c["sensor"] == sn)
                    if s.sum() < 5:
                        continue
                    ra = np.sqrt((e[s] ** 2).mean(0))
                    cl = np.sqrt(var[s].mean(0))
                    nz = (e[s] ** 2 / var[s]).mean(0)
                    txt = "  ".join(
                        f"{a:7.1f}/{b:7.1f}/{n:5.2f}" for a, b, n in zip(ra, cl, nz, strict=True)
                    )
                    extra = ""
                    if frame == "radar" and not suffix:
                        extra = "  meas " + " ".join(
                            f"{x:.0f}" for x in np.sqrt((c["meas"][s] ** 2).mean(0))
                        )
                    print(f"{rn:8s} {sn[:30]:30s} {s.sum():5d}  {txt}{extra}")


if __name__ == "__main__":
    main()
