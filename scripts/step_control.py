"""Steps, rejections, CPU and accuracy of the flight core's step control, on the work of a
16-track assessment round and of ``bench flight``'s 700 km shot, with scipy one sample at a
time as the peer, in one run.

    PYTHONPATH=src python scripts/step_control.py [--repeats 5] [--n-ref 40] [--json]

Run it with ``PYTHONPATH`` at two source trees (e.g. a ``git archive`` of main, then this
checkout) in one command to compare revisions under the same load.

Figures:

* ``round``: the round of ``launchwatch bench assess`` (16 tracks, alternately the reference
  glide and the ballistic case, 1,000 samples each): accepted and rejected steps per sample of
  the Monte Carlo flight (per case), median process CPU and wall ms per round;
* ``accuracy``: for ``n_ref`` samples of each case, the impact point of the batch against
  scipy DOP853 at rtol 1e-10 (atol 1e-6) from the same initial state, time origin and
  controls (the flight core's own force model): median, 95th percentile and largest miss (m),
  beside the case's 95 % ellipse semi-major axis;
* ``peer``: scipy ``solve_ivp`` RK45 at the assessment's tolerances (rtol 1e-5, atol 5 m /
  5 mm/s), one sample at a time over the same samples: CPU ms per sample, scaled to a round,
  and its miss against the same DOP853 truth;
* ``flight``: ``bench flight``'s scenario (20 trajectories at the flight core's default
  tolerances): steps, rejections, impact miss against DOP853 (5 trajectories).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from datetime import UTC, datetime

import numpy as np
from scipy.integrate import solve_ivp

from launchwatch.assess import impact
from launchwatch.bench import assess as bench_assess
from launchwatch.bench import flight as bench_flight
from launchwatch.earth import frames, geodesy
from launchwatch.flight.dynamics import CTRL_BURN_FRACTION, ST_T_END, accel
from launchwatch.flight.propagate import FULL_PHYSICS, propagate
from launchwatch.flight.reference import SolverEvent, reference_trajectory

EPOCH = datetime(2025, 11, 7, 3, 35, tzinfo=UTC)


class Capture:
    """Wraps ``impact.propagate_states``: keeps the inputs and step counts of every call."""

    def __init__(self) -> None:
        self.calls: list[dict] = []
        self._orig = impact.propagate_states

    def __call__(self, vehicle, y0, t0, **kw):
        tr = self._orig(vehicle, y0, t0, **kw)
        self.calls.append(
            {
                "vehicle": vehicle,
                "y0": np.array(y0),
                "t0": np.array(t0),
                "ctrl": np.array(kw["ctrl"]),
                "kw": {k: v for k, v in kw.items() if k in ("rtol", "atol_pos_m", "atol_vel_m_s")},
                "sampled": kw.get("sample_times_s") is not None,
                "n_steps": np.array(tr.n_steps),
                "n_rejected": np.array(tr.n_rejected),
                "impact_latlon": tuple(np.array(a) for a in tr.impact_latlon_deg),
                "impacted": np.array(tr.impacted),
            }
        )
        return tr


def _segments(vehicle, t0: float, ctrl: np.ndarray, t_max: float) -> list[float]:
    """Segment ends after ``t0``: the end of the last (possibly shortened) stage when it is
    still ahead, then ``t_max`` (a coasting body's forces have no other breakpoint)."""
    st = vehicle.stages
    last_start = 0.0 if st.shape[0] == 1 else st[-2, ST_T_END]
    t_bo = last_start + ctrl[CTRL_BURN_FRACTION] * (st[-1, ST_T_END] - last_start)
    ends = [float(b) for b in st[:-1, ST_T_END].tolist() + [t_bo] if b > t0]
    return sorted(ends) + [t_max]


def fly_one(vehicle, y0, t0, ctrl, *, method="DOP853", rtol=1e-10, atol=1e-6, t_max=6000.0):
    """Impact (lat, lon deg) and rhs count of one sample by scipy ``solve_ivp``, from ``y0``
    (launch-inertial = ECEF at time 0) at ``t0``, segment by segment."""
    model = vehicle.model_arrays(FULL_PHYSICS)
    geo = np.zeros(9)
    out = np.empty(6)
    count = [0]
    y = np.array(y0, float)
    t = float(t0)
    h_start = frames.geodetic_height_m(float(np.hypot(y[0], y[1])), float(y[2]))
    for t1 in _segments(vehicle, t, ctrl, t_max):
        t_reg = t

        def rhs(tt, yy, t_reg=t_reg):
            count[0] += 1
            accel(tt, t_reg, yy, ctrl, geo, vehicle.stages, model, out)
            return out.copy()

        def ground(tt, yy):
            return frames.geodetic_height_m(float(np.hypot(yy[0], yy[1])), float(yy[2])) - min(
                0.0, h_start - 1.0
            )

        ev = SolverEvent(ground, terminal=True, direction=-1.0)
        sol = solve_ivp(rhs, (t, t1), y, method=method, rtol=rtol, atol=atol, events=[ev])
        if sol.t_events[0].size:
            ti = float(sol.t_events[0][0])
            r = frames.eci_to_ecef(sol.y_events[0][0][:3], ti)
            lat, lon, _ = frames.ecef_to_geodetic(r)
            return float(np.degrees(lat)), float(np.degrees(lon)), count[0]
        y, t = sol.y[:, -1].copy(), t1
    return np.nan, np.nan, count[0]


def _miss(lat1, lon1, lat2, lon2) -> np.ndarray:
    return np.asarray(geodesy.inverse(lat1, lon1, lat2, lon2)[2], float)


def _stats(x: np.ndarray) -> dict:
    x = np.asarray(x, float)
    return {
        "median": float(np.nanmedian(x)),
        "p95": float(np.nanpercentile(x, 95)),
        "max": float(np.nanmax(x)),
    }


def run(repeats: int, n_ref: int, seed: int) -> dict:
    cap = Capture()
    impact.propagate_states = cap
    est = bench_assess._round(16)
    t_now = float(np.max(est.t_s))
    rng = np.random.default_rng(seed)
    a = impact.assess(est, t_now, EPOCH, rng=rng)  # warm-up (compile), then the measured one
    cap.calls.clear()
    a = impact.assess(est, t_now, EPOCH, rng=np.random.default_rng(seed))
    mc = next(c for c in cap.calls if c["sampled"])
    s = a.n_samples
    case = np.repeat(np.arange(16) % 2, s)  # 0 reference glide, 1 ballistic
    out: dict = {"load_before": os.getloadavg()}
    per_case = {}
    for ci, name in enumerate(("reference_glide", "ballistic")):
        m = case == ci
        per_case[name] = {
            "steps": float(mc["n_steps"][m].mean()),
            "rejected": float(mc["n_rejected"][m].mean()),
            "ellipse95_major_m": float(
                np.median(a.ellipse_semi_major_m[np.arange(16) % 2 == ci, -1])
            ),
            "impact_fraction": float(mc["impacted"][m].mean()),
        }
    out["round"] = {
        "steps_per_sample": float(mc["n_steps"].mean()),
        "rejected_per_sample": float(mc["n_rejected"].mean()),
        "cases": per_case,
    }
    impact.propagate_states = cap._orig
    wall, cpu = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        impact.assess(est, t_now, EPOCH, rng=np.random.default_rng(seed))
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    out["round"]["cpu_ms"] = 1e3 * float(np.median(cpu))
    out["round"]["wall_ms"] = 1e3 * float(np.median(wall))

    # Accuracy against DOP853 and the peer (RK45 at the Monte Carlo's tolerances), same samples.
    lat_b, lon_b = mc["impact_latlon"]
    tol = mc["kw"]
    atol_peer = np.array([tol["atol_pos_m"]] * 3 + [tol["atol_vel_m_s"]] * 3)
    acc = {}
    peer_cpu, peer_n = 0.0, 0
    for ci, name in enumerate(("reference_glide", "ballistic")):
        idx = np.flatnonzero(case == ci)[:: max(1, (case == ci).sum() // n_ref)][:n_ref]
        ours, peer = [], []
        for i in idx:
            args = (mc["vehicle"], mc["y0"][i], mc["t0"][i], mc["ctrl"][i])
            lat_t, lon_t, _ = fly_one(*args)
            c0 = time.process_time()
            lat_p, lon_p, _ = fly_one(*args, method="RK45", rtol=tol["rtol"], atol=atol_peer)
            peer_cpu += time.process_time() - c0
            peer_n += 1
            ours.append(_miss(lat_b[i], lon_b[i], lat_t, lon_t))
            peer.append(_miss(lat_p, lon_p, lat_t, lon_t))
        acc[name] = {"ours_m": _stats(ours), "peer_m": _stats(peer), "n": int(idx.size)}
    out["accuracy"] = acc
    peer_ms = 1e3 * peer_cpu / peer_n
    out["peer"] = {
        "what": "scipy solve_ivp RK45 one sample at a time, the Monte Carlo's tolerances",
        "cpu_ms_per_sample": peer_ms,
        "cpu_ms_per_round": peer_ms * mc["y0"].shape[0],
        "ratio_cpu": peer_ms * mc["y0"].shape[0] / out["round"]["cpu_ms"],
    }

    # bench flight's scenario at the flight core's default tolerances.
    shot = bench_flight._scenario()
    ctrl, az = bench_flight._controls(shot, 20)
    veh, lat0, lon0 = shot.vehicle, shot.lat_deg, shot.lon_deg
    batch = propagate(veh, lat0, lon0, az, ctrl)
    b_lat, b_lon = batch.impact_latlon_deg
    miss = []
    for i in range(5):
        ref = reference_trajectory(veh, lat0, lon0, float(az[i]), ctrl[i])
        miss.append(_miss(b_lat[i], b_lon[i], ref.impact_lat_deg, ref.impact_lon_deg))
    out["flight"] = {
        "steps": float(batch.n_steps.mean()),
        "rejected": float(batch.n_rejected.mean()),
        "impact_miss_m": _stats(miss),
    }
    out["load_after"] = os.getloadavg()
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--n-ref", type=int, default=40)
    p.add_argument("--seed", type=int, default=5)
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    r = run(a.repeats, a.n_ref, a.seed)
    if a.json:
        print(json.dumps(r))
        return
    rd = r["round"]
    print(f"load {r['load_before'][0]:.1f} -> {r['load_after'][0]:.1f}")
    print(
        f"round of 16 x 1000: {rd['steps_per_sample']:.2f} steps + {rd['rejected_per_sample']:.2f}"
        f" rejected per sample; CPU {rd['cpu_ms']:.0f} ms, wall {rd['wall_ms']:.0f} ms"
    )
    for name, c in rd["cases"].items():
        ac = r["accuracy"][name]
        print(
            f"  {name}: {c['steps']:.2f} + {c['rejected']:.2f} rejected; miss vs DOP853 "
            f"(n={ac['n']}) median {ac['ours_m']['median']:.2f} p95 {ac['ours_m']['p95']:.2f} "
            f"max {ac['ours_m']['max']:.2f} m; peer RK45 median {ac['peer_m']['median']:.2f} "
            f"max {ac['peer_m']['max']:.2f} m; 95% ellipse major {c['ellipse95_major_m']:.0f} m"
        )
    pr = r["peer"]
    print(
        f"peer {pr['what']}: {pr['cpu_ms_per_sample']:.1f} ms CPU per sample, "
        f"{pr['cpu_ms_per_round']:.0f} ms per round, {pr['ratio_cpu']:.0f}x ours"
    )
    fl = r["flight"]
    print(
        f"bench flight shot (default tol): {fl['steps']:.2f} steps + {fl['rejected']:.2f} "
        f"rejected; miss vs DOP853 median {fl['impact_miss_m']['median']:.2f} "
        f"max {fl['impact_miss_m']['max']:.2f} m"
    )


if __name__ == "__main__":
    main()
