"""``launchwatch bench flight``: batched propagation against scipy ``solve_ivp`` one at a time.

The scenario is a 700 km SRBM shot with full physics (rotating WGS84 Earth, J2, US Standard
Atmosphere 1976 drag with a Mach table, staged thrust along the pitch program): the
reconstruction of the 2025-11-07 reference launch (generic boost, minimum-energy, Taekwan to
the East Sea), flown N times with a spread of pitch-over angles and azimuths as a Monte Carlo
would.  The peer is scipy's ``solve_ivp`` (RK45) integrating the *same* force model one
trajectory at a time, the way RocketPy and most single-trajectory tools work, at the loosest
of three tolerances (rtol 1e-6, 1e-7, 1e-8) whose impact points are at least as accurate as
the batch's, both judged against scipy DOP853 at rtol 1e-10.  Both run in this process, side
by side; times are medians over repeats, compilation excluded (numba caches it on disk after
the first run).  Beside each wall figure, the process CPU time (all threads): on a shared
machine the wall time measures the load, the CPU time and the CPU ratio much less so.

The batch path is the lockstep structure-of-arrays kernel (:mod:`launchwatch.flight.lockstep`);
the integrator every other caller uses (``integrate_batch`` behind
:func:`~launchwatch.flight.propagate.propagate`) runs beside it on the same inputs, alternating
repeat by repeat, with the largest impact-point difference between the two.  ``stream_n``
(e.g. 10^6) flies that many more trajectories through the lockstep kernel in chunks, keeping
only the impact points, for the wall time and the peak memory of a Monte Carlo that size.
"""

from __future__ import annotations

import resource
import time

import numpy as np

from ..earth import geodesy
from ..flight.dynamics import CTRL_KICK
from ..flight.lockstep import propagate_lockstep
from ..flight.propagate import propagate
from ..flight.reconstruct import reconstruct
from ..flight.reference import reference_trajectory
from ..flight.sea_areas import bearing_toward
from .stages import ProgressFn, Stages

SITE = (40.22, 125.22)  # Taekwan, as in the catalog (approximate)


def _scenario():
    az = bearing_toward(*SITE, "East Sea")
    rec = reconstruct(
        lat_deg=SITE[0], lon_deg=SITE[1], range_km=700.0, azimuth_deg=az, trajectory="min-energy"
    )
    return rec.shot


def _controls(shot, n: int, seed: int = 7):
    rng = np.random.default_rng(seed)
    ctrl = np.repeat(shot.ctrl[None, :], n, axis=0)
    ctrl[:, CTRL_KICK] *= 1.0 + 0.02 * rng.standard_normal(n)
    az = shot.launch_azimuth_deg + 0.5 * rng.standard_normal(n)
    return ctrl, az


def _median_time(fn, repeats: int) -> tuple[float, float]:
    """Median wall and process-CPU seconds (all threads) of ``repeats`` calls: the CPU figure
    survives a loaded machine, where the wall figure measures the load."""
    times, cpu = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return float(np.median(times)), float(np.median(cpu))


#: Rough seconds per trajectory on the 2-core machine, for the progress bar's stage weights
#: only (estimate): batched propagation, scipy DOP853 at rtol 1e-10, RK45 at each rtol.
_COST_S = {"batched": 3e-5, "truth": 0.5, 1e-6: 0.05, 1e-7: 0.08, 1e-8: 0.15, "stream": 1e-5}


def _stream_impacts(shot, n_total: int, chunk: int) -> tuple[np.ndarray, np.ndarray]:
    """Impact latitude and longitude (deg) of ``n_total`` trajectories flown ``chunk`` at a
    time by the lockstep kernel (controls drawn per chunk): nothing else is kept."""
    lat_out = np.empty(n_total)
    lon_out = np.empty(n_total)
    for k, lo in enumerate(range(0, n_total, chunk)):
        m = min(chunk, n_total - lo)
        ctrl, az = _controls(shot, m, seed=1000 + k)
        tr = propagate_lockstep(shot.vehicle, shot.lat_deg, shot.lon_deg, az, ctrl)
        lat_out[lo : lo + m], lon_out[lo : lo + m] = tr.impact_latlon_deg
    return lat_out, lon_out


def run_flight_bench(
    *,
    n_max: int = 100_000,
    baseline_n: int = 20,
    repeats: int = 3,
    stream_n: int = 0,
    stream_chunk: int = 100_000,
    progress: bool = False,
    step: ProgressFn | None = None,
) -> dict:
    """The figures of the module docstring. ``progress`` prints a line per measurement;
    ``step(stage, fraction)`` is told how far the whole run is (the command line's bar)."""
    shot = _scenario()
    veh, lat, lon = shot.vehicle, shot.lat_deg, shot.lon_deg
    sizes = sorted({1, min(1000, n_max), n_max})
    weights = {f"batched N = {n:,}": 0.05 + n * _COST_S["batched"] * (repeats + 1) for n in sizes}
    weights["DOP853 reference"] = min(5, baseline_n) * _COST_S["truth"]
    for rtol in (1e-6, 1e-7, 1e-8):
        weights[f"solve_ivp rtol {rtol:g}"] = baseline_n * _COST_S[rtol]
    if stream_n > 0:
        weights[f"lockstep stream N = {stream_n:,}"] = stream_n * _COST_S["stream"]
    stages = Stages(step, weights)
    rows = []
    for n in sizes:
        stages.at(f"batched N = {n:,}")
        ctrl, az = _controls(shot, n)
        # Warm (compiled and cached): both the serial and the parallel kernels of each path.
        for m in (1, min(n, 2049)):
            propagate(veh, lat, lon, az[:m], ctrl[:m])
            propagate_lockstep(veh, lat, lon, az[:m], ctrl[:m])
        reps = repeats if n < n_max else max(1, min(repeats, 3))
        t_ours, c_ours, t_old, c_old = [], [], [], []
        for _ in range(reps):  # alternating, so that both see the same load
            secs, cpu = _median_time(
                lambda ctrl=ctrl, az=az: propagate_lockstep(veh, lat, lon, az, ctrl), 1
            )
            t_ours.append(secs)
            c_ours.append(cpu)
            secs, cpu = _median_time(lambda ctrl=ctrl, az=az: propagate(veh, lat, lon, az, ctrl), 1)
            t_old.append(secs)
            c_old.append(cpu)
        secs, cpu = float(np.median(t_ours)), float(np.median(c_ours))
        secs_old, cpu_old = float(np.median(t_old)), float(np.median(c_old))
        rows.append(
            {
                "n": n,
                "seconds": secs,
                "trajectories_per_s": n / secs,
                "cpu_seconds": cpu,
                "cpu_us_per_trajectory": 1e6 * cpu / n,
                "integrate_batch_seconds": secs_old,
                "integrate_batch_cpu_us_per_trajectory": 1e6 * cpu_old / n,
                "cpu_speedup_over_integrate_batch": cpu_old / cpu,
            }
        )
        if progress:
            print(
                f"  N = {n:,}: lockstep {n / secs:,.0f} traj/s (CPU {1e6 * cpu / n:.2f} us/traj), "
                f"integrate_batch {n / secs_old:,.0f} traj/s (CPU {1e6 * cpu_old / n:.2f} us/traj)",
                flush=True,
            )

    # Accuracy truth: scipy DOP853 at rtol 1e-10 on the first few trajectories.
    ctrl, az = _controls(shot, baseline_n)
    batch = propagate_lockstep(veh, lat, lon, az, ctrl)
    old = propagate(veh, lat, lon, az, ctrl)
    n_truth = min(5, baseline_n)
    truth = []
    for i in range(n_truth):
        stages.at("DOP853 reference", i / n_truth)
        truth.append(reference_trajectory(veh, lat, lon, float(az[i]), ctrl[i]))

    def miss(lat1, lon1, ref):
        return float(geodesy.inverse(lat1, lon1, ref.impact_lat_deg, ref.impact_lon_deg)[2])

    b_lat, b_lon = batch.impact_latlon_deg
    o_lat, o_lon = old.impact_latlon_deg
    our_err = float(np.median([miss(b_lat[i], b_lon[i], truth[i]) for i in range(n_truth)]))
    old_err = float(np.median([miss(o_lat[i], o_lon[i], truth[i]) for i in range(n_truth)]))
    kernel_diff = float(np.max(geodesy.inverse(b_lat, b_lon, o_lat, o_lon)[2]))
    # The peer, one trajectory at a time, at three tolerances; the figure that counts is the
    # loosest one at least as accurate as the batch (same accuracy, fair speed).
    baselines = []
    for rtol in (1e-6, 1e-7, 1e-8):
        atol = np.array([rtol * 1e6] * 3 + [rtol * 1e3] * 3)
        errs = []
        t0, c0 = time.perf_counter(), time.process_time()
        for i in range(baseline_n):
            stages.at(f"solve_ivp rtol {rtol:g}", i / baseline_n)
            ref = reference_trajectory(
                veh, lat, lon, float(az[i]), ctrl[i], method="RK45", rtol=rtol, atol=atol
            )
            if i < n_truth:
                errs.append(miss(ref.impact_lat_deg, ref.impact_lon_deg, truth[i]))
        secs = time.perf_counter() - t0
        cpu = time.process_time() - c0
        baselines.append(
            {
                "rtol": rtol,
                "trajectories_per_s": baseline_n / secs,
                "cpu_us_per_trajectory": 1e6 * cpu / baseline_n,
                "median_impact_error_m": float(np.median(errs)),
            }
        )
        if progress:
            print(
                f"  solve_ivp RK45 rtol {rtol:g}, one at a time: "
                f"{baseline_n / secs:,.1f} traj/s, impact error "
                f"{np.median(errs):.1f} m",
                flush=True,
            )
    stream = None
    if stream_n > 0:
        stages.at(f"lockstep stream N = {stream_n:,}")
        rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
        secs, cpu = _median_time(lambda: _stream_impacts(shot, stream_n, stream_chunk), 1)
        stream = {
            "n": stream_n,
            "chunk": stream_chunk,
            "seconds": secs,
            "cpu_us_per_trajectory": 1e6 * cpu / stream_n,
            "peak_memory_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
            "peak_memory_mb_before": rss0,
        }
        if progress:
            print(
                f"  lockstep stream N = {stream_n:,}: {secs:.2f} s "
                f"(CPU {1e6 * cpu / stream_n:.2f} us/traj), peak RSS {stream['peak_memory_mb']:,.0f} MB",
                flush=True,
            )
    stages.done()
    matched = next((b for b in baselines if b["median_impact_error_m"] <= our_err), baselines[-1])
    base_rate = matched["trajectories_per_s"]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    top = rows[-1]
    return {
        "scenario": f"700 km SRBM ({veh.name}, min-energy, Taekwan -> East Sea), full physics",
        "n": top["n"],
        "trajectories_per_s": top["trajectories_per_s"],
        "seconds": top["seconds"],
        "baseline": f"scipy solve_ivp RK45 rtol {matched['rtol']:g}, one at a time, same "
        "force model, no less accurate than the batch",
        "baseline_n": baseline_n,
        "baseline_rtol": matched["rtol"],
        "baseline_trajectories_per_s": base_rate,
        "ratio": top["trajectories_per_s"] / base_rate,
        "cpu_us_per_trajectory": top["cpu_us_per_trajectory"],
        "baseline_cpu_us_per_trajectory": matched["cpu_us_per_trajectory"],
        "cpu_ratio": matched["cpu_us_per_trajectory"] / top["cpu_us_per_trajectory"],
        "impact_error_m": our_err,
        "integrate_batch_impact_error_m": old_err,
        "max_impact_difference_to_integrate_batch_m": kernel_diff,
        "integrate_batch_cpu_us_per_trajectory": top["integrate_batch_cpu_us_per_trajectory"],
        "integrate_batch_seconds": top["integrate_batch_seconds"],
        "cpu_speedup_over_integrate_batch": top["cpu_speedup_over_integrate_batch"],
        "baseline_impact_error_m": matched["median_impact_error_m"],
        "baselines": baselines,
        "peak_memory_mb": peak_mb,
        "peak_memory_note": "peak resident set of the whole process (includes numba/LLVM)",
        "median_steps": float(np.median(batch.n_steps)),
        "median_rejected_steps": float(np.median(batch.n_rejected)),
        "stream": stream,
        "rows": rows,
    }
