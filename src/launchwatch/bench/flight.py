"""``launchwatch bench flight``: batched propagation against scipy ``solve_ivp`` one at a time.

The scenario is a 700 km SRBM shot with full physics (rotating WGS84 Earth, J2, US Standard
Atmosphere 1976 drag with a Mach table, staged thrust along the pitch program): the
reconstruction of the 2025-11-07 reference launch (generic boost, minimum-energy, Taekwan to
the East Sea), flown N times with a spread of pitch-over angles and azimuths as a Monte Carlo
would.  The peer is scipy's ``solve_ivp`` (RK45 at rtol 1e-6, atol 1 m / 1 mm/s, comparable to
the batch's tolerances) integrating the *same* force model one trajectory at a time, the way
RocketPy and most single-trajectory tools work.  Both run in this process, side by side; times
are medians over repeats, compilation excluded (numba caches it on disk after the first run).
"""

from __future__ import annotations

import resource
import time

import numpy as np

from ..earth import geodesy
from ..flight.dynamics import CTRL_KICK
from ..flight.propagate import propagate
from ..flight.reconstruct import bearing_toward, reconstruct
from ..flight.reference import reference_trajectory

SITE = (40.22, 125.22)  # Taekwan, as in the catalog (approximate)


def _scenario():
    az = bearing_toward(*SITE, "East Sea")
    rec = reconstruct(lat_deg=SITE[0], lon_deg=SITE[1], range_km=700.0, azimuth_deg=az,
                      trajectory="min-energy")
    return rec.shot


def _controls(shot, n: int, seed: int = 7):
    rng = np.random.default_rng(seed)
    ctrl = np.repeat(shot.ctrl[None, :], n, axis=0)
    ctrl[:, CTRL_KICK] *= 1.0 + 0.02 * rng.standard_normal(n)
    az = shot.launch_azimuth_deg + 0.5 * rng.standard_normal(n)
    return ctrl, az


def _median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def run_flight_bench(*, n_max: int = 100_000, baseline_n: int = 20, repeats: int = 3,
                     progress: bool = False) -> dict:
    shot = _scenario()
    veh, lat, lon = shot.vehicle, shot.lat_deg, shot.lon_deg
    sizes = sorted({1, min(1000, n_max), n_max})
    rows = []
    for n in sizes:
        ctrl, az = _controls(shot, n)
        propagate(veh, lat, lon, az[:1], ctrl[:1])  # warm (compiled and cached)
        secs = _median_time(lambda ctrl=ctrl, az=az: propagate(veh, lat, lon, az, ctrl),
                            repeats if n < n_max else max(1, min(repeats, 3)))
        rows.append({"n": n, "seconds": secs, "trajectories_per_s": n / secs})
        if progress:
            print(f"  batched N = {n:,}: {n / secs:,.0f} traj/s", flush=True)

    ctrl, az = _controls(shot, baseline_n)
    batch = propagate(veh, lat, lon, az, ctrl)
    b_lat, b_lon = batch.impact_latlon_deg
    diffs = []
    t0 = time.perf_counter()
    for i in range(baseline_n):
        ref = reference_trajectory(veh, lat, lon, float(az[i]), ctrl[i], method="RK45",
                                   rtol=1e-6, atol=np.array([1.0] * 3 + [1e-3] * 3))
        _, _, d = geodesy.inverse(b_lat[i], b_lon[i], ref.impact_lat_deg, ref.impact_lon_deg)
        diffs.append(float(d))
    base_secs = time.perf_counter() - t0
    base_rate = baseline_n / base_secs
    if progress:
        print(f"  solve_ivp one at a time: {base_rate:,.1f} traj/s", flush=True)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    top = rows[-1]
    return {
        "scenario": "700 km SRBM, generic 61 s boost, min-energy, Taekwan -> East Sea, "
                    "full physics",
        "n": top["n"],
        "trajectories_per_s": top["trajectories_per_s"],
        "seconds": top["seconds"],
        "baseline": "scipy solve_ivp RK45 rtol 1e-6, one at a time, same force model",
        "baseline_n": baseline_n,
        "baseline_trajectories_per_s": base_rate,
        "ratio": top["trajectories_per_s"] / base_rate,
        "peak_memory_mb": peak_mb,
        "peak_memory_note": "peak resident set of the whole process (includes numba/LLVM)",
        "max_impact_difference_m": max(diffs),
        "median_steps": float(np.median(batch.n_steps)),
        "rows": rows,
    }
