"""NEES of the tracker's estimates against truth, per flight regime, over campaign engagements.

    PYTHONPATH=src python scripts/track_nees.py single-missile --n 10 --seed 1

For every confirmed history row of a track that belongs to a missile (the campaign's
assignment), the normalized estimation error squared ``e^T P^-1 e`` of position (3 dof),
velocity (3 dof) and both (6 dof) against the truth at the row's time, grouped by the
campaign's flight regimes (boost, glide, exo, re-entry).  A consistent filter has a mean NEES
equal to the dimension; far below means its covariance is too large, far above too small.
Also the mean model probabilities per regime and the position/velocity RMS errors beside the
filter's claimed sigmas.
"""

from __future__ import annotations

import argparse
from dataclasses import replace

import numpy as np

from launchwatch.campaign.generate import generate
from launchwatch.campaign.score import REGIMES, _regimes
from launchwatch.campaign.spec import load_spec
from launchwatch.pipeline.chain import track_truth
from launchwatch.pipeline.simulate import run_simulation
from launchwatch.track import models
from launchwatch.track.tracker import TrackerConfig


def engagement_rows(spec, seed: int, index: int, config=None) -> dict[str, np.ndarray]:
    eng = generate(spec, seed, index)
    sim = run_simulation(eng.scenario, config=config)
    tt = track_truth(sim)
    hist = sim.tracker.history
    keep = hist["confirmed"] & np.isin(hist["track_id"], list(tt))
    rows = hist[keep]
    if rows.size == 0:
        return {}
    truth = sim.truth
    codes, _ = _regimes(truth)
    ms = np.array([tt[int(t)] for t in rows["track_id"]])
    xt = np.stack([truth.at(float(t))[m] for t, m in zip(rows["t_s"], ms, strict=True)])
    ok = np.isfinite(xt[:, 0])
    rows, ms, xt = rows[ok], ms[ok], xt[ok]
    e = rows["state"] - xt
    P = rows["cov"]
    nees6 = np.einsum("ki,ki->k", e, np.linalg.solve(P, e[..., None])[..., 0])
    ep, ev = e[:, :3], e[:, 3:]
    neesp = np.einsum("ki,ki->k", ep, np.linalg.solve(P[:, :3, :3], ep[..., None])[..., 0])
    neesv = np.einsum("ki,ki->k", ev, np.linalg.solve(P[:, 3:, 3:], ev[..., None])[..., 0])
    i = np.clip(np.searchsorted(truth.times_s, rows["t_s"]), 0, truth.times_s.size - 1)
    return {
        "regime": codes[ms, i],
        "nees6": nees6,
        "neesp": neesp,
        "neesv": neesv,
        "perr2": np.sum(ep * ep, 1),
        "verr2": np.sum(ev * ev, 1),
        "ptr": np.trace(P[:, :3, :3], axis1=1, axis2=2),
        "vtr": np.trace(P[:, 3:, 3:], axis1=1, axis2=2),
        "mu": rows["mu"],
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("spec")
    ap.add_argument("--n", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--first", type=int, default=0, help="first engagement index")
    ap.add_argument("--coast-q-iso", type=float, help="coast model q_iso (m^2/s^3) to try")
    ap.add_argument("--glide-q-iso", type=float, help="glide model q_iso (m^2/s^3) to try")
    ap.add_argument("--boost-q-iso", type=float, help="boost model q_iso (m^2/s^3) to try")
    args = ap.parse_args()
    spec, _ = load_spec(args.spec)
    config = None
    tried = (args.coast_q_iso, args.glide_q_iso, args.boost_q_iso)
    if any(q is not None for q in tried):
        coast, boost, glide = models.DEFAULT_MODELS
        if args.coast_q_iso is not None:
            coast = replace(coast, q_iso_m2_s3=args.coast_q_iso)
        if args.glide_q_iso is not None:
            glide = replace(glide, q_iso_m2_s3=args.glide_q_iso)
        if args.boost_q_iso is not None:
            boost = replace(boost, q_iso_m2_s3=args.boost_q_iso)
        config = TrackerConfig(models=(coast, boost, glide))
    idx = range(args.first, args.first + args.n)
    parts = [engagement_rows(spec, args.seed, i, config) for i in idx]
    parts = [p for p in parts if p]
    cols = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    print(
        f"{'regime':8s} {'rows':>6s} {'NEES6':>7s} {'med6':>6s} {'NEESp':>7s} {'NEESv':>7s}"
        f" {'rmsP m':>8s} {'sigP m':>8s} {'rmsV':>7s} {'sigV':>7s}  mu(coast,boost,glide)"
    )
    for j, name in enumerate(REGIMES):
        s = cols["regime"] == j
        if not s.any():
            continue
        mu = cols["mu"][s].mean(0)
        print(
            f"{name:8s} {s.sum():6d} {cols['nees6'][s].mean():7.2f}"
            f" {np.median(cols['nees6'][s]):6.2f} {cols['neesp'][s].mean():7.2f}"
            f" {cols['neesv'][s].mean():7.2f}"
            f" {np.sqrt(cols['perr2'][s].mean()):8.0f} {np.sqrt(cols['ptr'][s].mean()):8.0f}"
            f" {np.sqrt(cols['verr2'][s].mean()):7.1f} {np.sqrt(cols['vtr'][s].mean()):7.1f}"
            f"  {np.array2string(mu, precision=2)}"
        )


if __name__ == "__main__":
    main()
