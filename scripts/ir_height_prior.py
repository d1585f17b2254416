"""Measure the IR-only heading error with and without the fit's height prior
(:func:`launchwatch.warn.corridor_ir.height_log_prior`).

Runs sense and track on each scenario, then fits every IR chain (:mod:`launchwatch.warn.corridor_ir`)
at each of its scan reads up to ``--until`` s after the launch of the missile it follows, while
no confirmed radar track owns the chain (the reads the warning policy judges alone).  At each
read the fit's log-likelihood per (template, launch delay) from the chosen site is taken once
without the prior; the heading is the weighted median of the templates' headings, as the
pseudo-track's, with every template equally likely (before) and weighed by the prior (after).
Prints one row per read (error = fitted - true bearing from the launch point, clockwise
positive) and a summary for the second detection's read and for the later ones.

    python scripts/ir_height_prior.py SCENARIO.yaml [...] [--until 75]
"""

from __future__ import annotations

import argparse

import numpy as np

from launchwatch.earth import frames, geodesy
from launchwatch.pipeline.simulate import run_simulation
from launchwatch.sense.scenario import load_scenario, outage_windows
from launchwatch.warn import corridor as cor
from launchwatch.warn import corridor_ir
from launchwatch.warn.corridor import Corridor


def _median_heading_error(fit: dict, extra: np.ndarray, true_deg: float) -> float:
    ll = fit["logl"] + extra
    w = np.exp(ll - np.nanmax(ll))
    w = np.where(np.isfinite(w), w, 0.0).ravel()
    err = ((fit["psi_deg"] - true_deg + 180.0) % 360.0 - 180.0).ravel()
    order = np.argsort(err)
    c = np.cumsum(w[order])
    return float(err[order][np.searchsorted(c, 0.5 * c[-1])])


def reads(path: str, until_s: float) -> list[dict]:
    scen = load_scenario(path)
    feed = run_simulation(scen)
    truth = feed.truth
    c = Corridor(seed=scen.seed)
    c.set_ir_sensors(feed.sensors, outage_windows(scen, [s.name for s in feed.sensors]))
    det_all = feed.detections
    c.feed(feed.tracker.history, det_all[det_all["kind"] == "ir"])
    cues = c.cues
    det, chain = cues._chains()  # noqa: SLF001 (a measurement script may look inside)
    if det is None:
        return []
    missile_of = dict(
        zip(feed.truth_ids["det_id"].tolist(), feed.truth_ids["missile"].tolist(), strict=True)
    )
    miss = np.array([missile_of.get(int(d), -1) for d in det["det_id"]])
    prior = corridor_ir.height_log_prior
    out = []
    for ch in np.unique(chain[chain >= 0]):
        idx = np.flatnonzero(chain == ch)
        votes = miss[idx][miss[idx] >= 0]
        if idx.size < 2 or not votes.size:
            continue
        m = int(np.bincount(votes).argmax())
        t_launch = float(truth.launch_time_s[m])
        st = truth.states_ecef[m]
        k0 = int(np.flatnonzero(np.isfinite(st[:, 0]))[0])
        la0, lo0 = np.degrees(frames.ecef_to_geodetic(st[k0, :3])[:2])
        for n in range(corridor_ir.MIN_DETECTIONS, idx.size + 1):
            mine = det[idx[:n]]
            t = float(mine["t_s"][-1]) + cor.IR_READ_LAG_S
            if t - t_launch > until_s or int(ch) in cues.owned(t):
                break
            info: dict = {"t_s": t}
            before_ref = dict(cues._az_ref)  # noqa: SLF001
            if cues._continuations(int(ch), mine, t, info) is None:  # noqa: SLF001
                continue
            site = info["launch"]
            ref = before_ref.get((int(ch), site[2]), cues._az_ref[(int(ch), site[2])])  # noqa: SLF001
            la, lo = np.degrees(
                frames.ecef_to_geodetic(truth.at(float(mine["t_s"][-1]))[m, :3])[:2]
            )
            true_deg = float(geodesy.inverse(la0, lo0, float(la), float(lo))[0])
            los = (
                mine
                if mine.size <= corridor_ir.MAX_LOS
                else np.concatenate([mine[:1], mine[-corridor_ir.MAX_LOS + 1 :]])
            )
            # the fit without the prior, then the prior's term on its own
            corridor_ir.height_log_prior = lambda tau, h, step: np.zeros(np.shape(h))
            try:
                f = cues._fit(site, los, ref, cues._scans_missed(mine, t))  # noqa: SLF001
            finally:
                corridor_ir.height_log_prior = prior
            fan_t = cor.fan(round(site[0], 4), round(site[1], 4), float(ref))
            tau = f["tau_first"] + float(mine["t_s"][-1] - mine["t_s"][0])
            step = float(cor.T_FINE[1] - cor.T_FINE[0])
            h = corridor_ir._interp_fine(fan_t[2][:, : cor.T_FINE.size], tau, step)  # noqa: SLF001
            h = np.where(f["burn"][:, None] > tau, h, np.nan)
            h = np.where(h >= c.ir_min_height_m, h, np.nan)
            extra = prior(tau, h, step)
            out.append(
                {
                    "scenario": scen.name,
                    "chain": int(ch),
                    "n_los": n,
                    "t_after_launch_s": round(t - t_launch, 1),
                    "site": site[2],
                    "before_deg": round(_median_heading_error(f, 0.0, true_deg), 1),
                    "after_deg": round(_median_heading_error(f, extra, true_deg), 1),
                }
            )
    return out


def _summary(e: np.ndarray) -> str:
    if not e.size:
        return "none"
    return (
        f"mean {e.mean():+.1f}, median |err| {np.median(np.abs(e)):.1f}, "
        f"RMS {np.sqrt(np.mean(e**2)):.1f}, > 20 deg {int(np.sum(np.abs(e) > 20))}"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("scenarios", nargs="+")
    ap.add_argument("--until", type=float, default=75.0)
    args = ap.parse_args()
    rows = []
    for path in args.scenarios:
        for r in reads(path, args.until):
            rows.append(r)
            print(
                f"{r['scenario']:26s} ch{r['chain']} n{r['n_los']} +{r['t_after_launch_s']:5.1f} s "
                f"{r['site']:12s} before {r['before_deg']:+7.1f}  after {r['after_deg']:+7.1f}",
                flush=True,
            )
    for label, sel in (("2nd detection", 2), ("3rd and later", 3)):
        pick = [r for r in rows if (r["n_los"] == 2) == (sel == 2)]
        for k in ("before_deg", "after_deg"):
            e = np.array([r[k] for r in pick])
            print(f"{label} ({len(pick)} reads) {k[:-4]}: {_summary(e)}")


if __name__ == "__main__":
    main()
