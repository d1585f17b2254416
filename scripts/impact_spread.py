"""Where an impact cloud's spread comes from: tracker state, ballistic coefficient, lift.

    PYTHONPATH=src python scripts/impact_spread.py single-missile --n 6 --seed 2 [--every 4]

For campaign engagements of a spec, the chain's assessments are re-made (every ``--every``-th
assessment round) four times from the same track estimates:

* ``full``  -- as the chain makes it;
* ``state`` -- only the tracker's position-velocity covariance sampled (``ln beta`` and ``ell``
  at their means, no future lift walk);
* ``beta``  -- only ``ln beta`` sampled (its marginal; state and ``ell`` at their means);
* ``lift``  -- only ``ell`` sampled (its marginal) plus the predictor's future lift walk.

The covariance blocks are cut *after* the regime's lift prior (:func:`launchwatch.assess.lift.
regime_lift`), where the predictor samples.  Each cloud's variance is split along-track
(the horizontal direction of the mean sample's last predicted path leg) and cross-track; printed
per regime of the truth (the campaign's regimes): assessments, the full cloud's RMS along / cross
(km), each part's share of the full variance along / cross (the shares need not add to 1: the
parts are not independent and the mapping is not linear), and the truth's offset from the
reported centre in units of the full cloud's sigma along / cross (median |z|; 0.67 for an
honest Gaussian axis).
"""

from __future__ import annotations

import argparse
from collections import defaultdict

import numpy as np

import launchwatch.assess.impact as impact
import launchwatch.assess.run as arun
from launchwatch.assess import lift
from launchwatch.assess.impact import east_north_m
from launchwatch.campaign.generate import generate
from launchwatch.campaign.score import REGIMES, _regimes
from launchwatch.campaign.spec import load_spec
from launchwatch.pipeline.chain import _truth_impacts, track_truth
from launchwatch.pipeline.simulate import run_simulation

VARIANTS = ("full", "state", "beta", "lift")
_KEEP = {"state": slice(0, 6), "beta": slice(6, 7), "lift": slice(7, 8)}

_sample_states = impact.sample_states
_walk = lift.future_lift_walk


def _patched(variant: str):
    """(sample_states, future_lift_walk) replacements keeping only ``variant``'s spread."""
    if variant == "full":
        return _sample_states, _walk

    def sample(mean, cov, n, rng):
        c = np.zeros_like(cov)
        s = _KEEP[variant]
        c[:, s, s] = cov[:, s, s]
        return _sample_states(mean, c, n, rng)

    def walk(t, endo, n, rng):
        out = _walk(t, endo, n, rng)
        return out if variant == "lift" else np.zeros_like(out)

    return sample, walk


def assess_variant(variant, est, t_s, epoch, n, seed):
    sample, walk = _patched(variant)
    impact.sample_states, impact.lift.future_lift_walk = sample, walk
    try:
        return impact.assess(est, t_s, epoch, n_samples=n, rng=seed)
    finally:
        impact.sample_states, impact.lift.future_lift_walk = _sample_states, _walk


def _along_unit(a, k) -> np.ndarray:
    """Unit east-north vector of the mean sample's last predicted path leg (track k)."""
    lat, lon = a.path_lat_deg[k, 0], a.path_lon_deg[k, 0]
    ok = np.flatnonzero(np.isfinite(lat) & np.isfinite(lon) & (a.path_h_m[k, 0] > -1.0))
    if ok.size < 2:
        return np.array([np.nan, np.nan])
    i, j = ok[-2], ok[-1]
    d = east_north_m(lat[i], lon[i], lat[j], lon[j])
    return d / max(np.hypot(*d), 1e-9)


def _spread(a, k, u) -> tuple[float, float]:
    """Variance (m^2) of track k's impacted samples along ``u`` and across it."""
    lat, lon = a.sample_impact_lat_deg[k], a.sample_impact_lon_deg[k]
    ok = np.isfinite(lat) & np.isfinite(lon)
    if ok.sum() < 3:
        return np.nan, np.nan
    d = east_north_m(a.impact_lat_deg[k], a.impact_lon_deg[k], lat[ok], lon[ok])
    al = d @ u
    cr = d @ np.array([u[1], -u[0]])
    return float(np.var(al)), float(np.var(cr))


def engagement_rows(spec, seed: int, index: int, every: int):
    eng = generate(spec, seed, index)
    sim = run_simulation(eng.scenario)
    tt = track_truth(sim)
    impacts = _truth_impacts(sim)
    codes, _ = _regimes(sim.truth)
    calls = []
    real = arun.assess

    def capture(est, t_s, epoch, **kw):
        calls.append((est, t_s, epoch))
        return real(est, t_s, epoch, **kw)

    arun.assess = capture
    try:
        arun.assess_history(
            sim.tracker.history,
            eng.scenario.epoch,
            interval_s=eng.chain["interval_s"],
            n_samples=eng.chain["n_samples"],
            seed=eng.scenario.seed,
        )
    finally:
        arun.assess = real
    out = []
    for c, (est, t_s, epoch) in enumerate(calls[::every]):
        res = {v: assess_variant(v, est, t_s, epoch, eng.chain["n_samples"], c) for v in VARIANTS}
        full = res["full"]
        i = np.clip(np.searchsorted(sim.truth.times_s, t_s), 0, sim.truth.times_s.size - 1)
        for k, tid in enumerate(full.track_id):
            if int(tid) not in tt:
                continue
            m = tt[int(tid)]
            u = _along_unit(full, k)
            if not np.isfinite(u).all():
                continue
            var = {v: _spread(res[v], k, u) for v in VARIANTS}
            d = east_north_m(
                full.impact_lat_deg[k], full.impact_lon_deg[k], impacts[m]["lat"], impacts[m]["lon"]
            )
            z = (d @ u, d @ np.array([u[1], -u[0]]))
            lat, lon = full.sample_impact_lat_deg[k], full.sample_impact_lon_deg[k]
            ok = np.isfinite(lat) & np.isfinite(lon)
            al = east_north_m(full.impact_lat_deg[k], full.impact_lon_deg[k], lat[ok], lon[ok]) @ u
            extra = {
                "cls": eng.missiles[m]["threat_class"],
                "log_beta": float(est.mean[k, 6]),
                "log_beta_sigma": float(np.sqrt(est.cov[k, 6, 6])),
                "rank_al": float(np.mean(al < z[0])) if al.size else np.nan,
            }
            out.append((int(codes[m, i]), var, z, extra))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("spec")
    ap.add_argument("--n", type=int, default=6)
    ap.add_argument("--seed", type=int, default=2)
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--every", type=int, default=4)
    args = ap.parse_args()
    spec, _ = load_spec(args.spec)
    by = defaultdict(list)
    by_cls = defaultdict(list)
    for idx in range(args.start, args.start + args.n):
        for reg, var, z, extra in engagement_rows(spec, args.seed, idx, args.every):
            by[reg].append((var, z))
            by_cls[(reg, extra["cls"])].append(extra)
    print(
        f"{'regime':8} {'n':>4} {'rms_al':>8} {'rms_cr':>8} "
        + " ".join(f"{v + '_al':>8} {v + '_cr':>8}" for v in VARIANTS[1:])
        + f" {'|z_al|':>7} {'|z_cr|':>7}"
    )
    for reg in sorted(by):
        rows = by[reg]
        va = {v: np.array([r[0][v] for r in rows]) for v in VARIANTS}  # (n, 2)
        full = va["full"]
        ok = np.all(np.isfinite(full), axis=1) & np.all(full > 0, axis=1)
        share = {
            v: np.nanmedian(va[v][ok] / full[ok], axis=0) if ok.any() else (np.nan, np.nan)
            for v in VARIANTS[1:]
        }
        z = np.array([r[1] for r in rows])[ok] / np.sqrt(full[ok])
        rms = np.sqrt(np.nanmedian(full[ok], axis=0)) / 1e3 if ok.any() else (np.nan, np.nan)
        print(
            f"{REGIMES[reg]:8} {int(ok.sum()):>4} {rms[0]:8.2f} {rms[1]:8.2f} "
            + " ".join(f"{share[v][0]:8.2f} {share[v][1]:8.2f}" for v in VARIANTS[1:])
            + f" {np.median(np.abs(z[:, 0])):7.2f} {np.median(np.abs(z[:, 1])):7.2f}"
        )
    print(f"\n{'regime':8} {'class':22} {'n':>4} {'ln_beta':>8} {'sigma':>6} rank_al q25/50/75")
    for (reg, cls), ex in sorted(by_cls.items()):
        lb = np.array([e["log_beta"] for e in ex])
        sg = np.array([e["log_beta_sigma"] for e in ex])
        rk = np.array([e["rank_al"] for e in ex])
        q = np.nanquantile(rk, [0.25, 0.5, 0.75]) if np.isfinite(rk).any() else [np.nan] * 3
        print(
            f"{REGIMES[reg]:8} {cls:22} {lb.size:>4} {np.median(lb):8.2f} {np.median(sg):6.2f} "
            f"{q[0]:.2f}/{q[1]:.2f}/{q[2]:.2f}"
        )


if __name__ == "__main__":
    main()
