"""``launchwatch bench tracking``: launchwatch's tracker against Stone Soup's, side by side.

Three measurements in one run:

1. **Throughput at scale**: :func:`launchwatch.track.bench.bench_tracker`: 1,000 simultaneous
   coasting ballistic targets, radar scans at 10 Hz for 5 minutes (one detection per target per
   scan), measurement updates per second of tracker wall time.
2. **Side by side with peers** on identical data: 1 and 100 targets of the same kind seen
   by one radar at 10 Hz (range 10 m, angles 0.2 mrad), the *same* noisy detections fed to all;
   launchwatch starts its tracks itself (two-point initiation), the peers' from two detections
   one second apart. Peers (see :mod:`.stonesoup_peer`, :mod:`.filter_peers`):

   * Stone Soup ``ExtendedKalmanPredictor``/``Updater`` with ``GNNWith2DAssignment`` over
     every track-detection pair (the earlier peer, kept: ``stonesoup``), 1 and 100 targets;
   * Stone Soup as its documentation offers for many targets: ``DetectionKDTreeGNN2D`` (k-d
     tree in measurement space) over a Mahalanobis ``DistanceGater`` (``stonesoup_kdtree``),
     100 targets;
   * FilterPy's ``ExtendedKalmanFilter`` and nrl-tracker's (``pytcl``) ``ekf_predict`` /
     ``ekf_update``, one target, on the same ballistic model compiled with numba
     (``filterpy``, ``nrl_tracker``): single-target EKFs with no association, initiation or
     IMM.

   The peers' speed limits the windows to a few seconds of data.
3. RMSE of both over the last part of the window (after every track has settled), position
   against truth.

Optionally (``large_targets``) a scale run first: the scenario of 1. with 10,000 targets (say)
over a shorter window, in a fresh process of its own (:func:`run_large`) so that its peak
resident set is that run's alone (the interpreter, numba and the truth included).
"""

from __future__ import annotations

import multiprocessing
import resource
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from ..earth import frames
from ..sense.records import DETECTION_DTYPE
from ..track.bench import SIGMA, bench_tracker, make_targets
from ..track.tracker import Tracker, TrackerConfig
from .stages import ProgressFn

RADAR_LAT_LON = (40.0, 135.0)  # one radar at the centre of the targets' box


def _visible_targets(n: int, times: np.ndarray, seed: int):
    """``n`` targets that stay above 5 deg elevation from the radar for the whole window."""
    radar = frames.geodetic_to_ecef(np.radians(RADAR_LAT_LON[0]), np.radians(RADAR_LAT_LON[1]), 0.0)
    truth = make_targets(4 * n + 20, times, seed)
    lat, lon = np.radians(RADAR_LAT_LON[0]), np.radians(RADAR_LAT_LON[1])
    az, el, rng_m = frames.ecef_to_aer(truth[..., :3], lat, lon, 0.0)
    ok = np.all(np.isfinite(el) & (el > np.radians(5.0)), axis=1)
    keep = np.flatnonzero(ok)[:n]
    if keep.size < n:
        raise RuntimeError("not enough visible targets; raise the oversampling")
    return truth[keep], radar, np.stack([rng_m, az, el], axis=-1)[keep]


def _noisy(z_true: np.ndarray, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    z = z_true + rng.standard_normal(z_true.shape) * SIGMA[:3]
    z[..., 1] = np.mod(z[..., 1], 2.0 * np.pi)
    return z


def _run_launchwatch(truth, times, radar, z) -> dict:
    """Our tracker on the side-by-side frames, timed as the peers are: the detection batches
    built first, process CPU time read around the loop of frames (once at its start, once where
    the peers' frames begin, once at its end) rather than three times per frame; wall time
    summed per frame.  (Per-frame reads also caught, in 4 ms lumps, the CPU of an OpenBLAS
    worker left spinning by the tracker's construction: see ``imm._logm``.)"""
    n, n_t = truth.shape[:2]
    tracker = Tracker(TrackerConfig(history_covariance="diag"))
    batches = []
    for k in range(n_t):  # built before the clock starts (the peers' inputs are arrays too)
        det = np.zeros(n, DETECTION_DTYPE)
        det["sensor"], det["kind"] = "R0", "radar"
        det["sigma"], det["sensor_ecef_m"] = SIGMA, radar
        det["det_id"] = k * n + np.arange(n)
        det["t_s"] = times[k]
        det["z"][:, :3] = z[:, k]
        det["z"][:, 3] = np.nan
        batches.append(det)
    # the frames the single-target peers are timed on: after their start from two detections
    # 1 s apart (.filter_peers); ours include the track's own start before them
    late_from = min(int(np.searchsorted(times, times[0] + 1.0 - 1e-9)) + 1, n_t)
    wall = 0.0
    c_all = c_late = time.process_time()
    u_late = 0
    for k in range(n_t):
        if k == late_from:
            c_late, u_late = time.process_time(), tracker.n_updates
        t0 = time.perf_counter()
        tracker.step(batches[k])
        wall += time.perf_counter() - t0
    c_end = time.process_time()
    cpu, late_cpu = c_end - c_all, c_end - c_late
    late_upd = tracker.n_updates - u_late if late_from < n_t else 0
    h = tracker.history
    h = h[h["confirmed"] & (h["t_s"] >= times[n_t // 2])]
    err = h["state"][:, :3] - truth[h["det_id"] % n, h["det_id"] // n, :3]
    return {
        "updates": tracker.n_updates,
        "seconds": wall,
        "updates_per_s": tracker.n_updates / wall,
        "updates_per_cpu_s": tracker.n_updates / max(cpu, 1e-9),
        "peer_frames_updates_per_cpu_s": late_upd / max(late_cpu, 1e-9),
        "rmse_m": float(np.sqrt(np.mean(np.sum(err**2, axis=1)))),
    }


def run_large(n_targets: int, duration_s: float) -> dict:
    """The throughput scenario (:func:`~launchwatch.track.bench.bench_tracker`, 10 Hz, seed 0)
    with ``n_targets`` over ``duration_s``: updates per wall and per CPU second inside
    ``Tracker.step`` (and its wall time per phase, ``timing_s``), total wall time of the run
    (truth included) and the process's peak resident set (MB; call it in a fresh process, :func:`run_tracking_bench` does)."""
    t0 = time.perf_counter()
    res = bench_tracker(n_targets=n_targets, rate_hz=10.0, duration_s=duration_s, seed=0)
    return {
        "n_targets": n_targets,
        "duration_s": duration_s,
        "updates": res.n_updates,
        "step_wall_s": res.wall_s,
        "step_cpu_s": res.cpu_s,
        "updates_per_s": res.updates_per_s,
        "updates_per_cpu_s": res.updates_per_cpu_s,
        "run_wall_s": time.perf_counter() - t0,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
        "steady_position_rmse_m": res.steady_pos_rmse_m,
        "tracks_started": res.n_tracks_started,
        "timing_s": res.timing_s,
    }


def run_tracking_bench(
    *,
    n_targets: int = 1000,
    duration_s: float = 300.0,
    peer_window_s: tuple[float, float] = (20.0, 5.0),
    peer_targets: int = 100,
    progress: bool = False,
    step: ProgressFn | None = None,
    large_targets: int = 0,
    large_duration_s: float = 30.0,
) -> dict:
    """The three measurements of the module docstring; ``peer_window_s`` is the data window
    (s) of the 1-target and the many-target side-by-side cases, ``peer_targets`` the targets of
    the latter (100; its results are ``hundred_targets``). ``progress`` prints a line per
    measurement; ``step(stage, fraction)`` is told how far the whole run is.  ``large_targets``
    > 0 adds the scale run of the module docstring (``large``: :func:`run_large` over
    ``large_duration_s``, in a fresh process)."""
    from .filter_peers import run_single_target_peers
    from .stages import Stages
    from .stonesoup_peer import run_stonesoup

    # stage weights: rough shares of the wall time at the defaults (estimate; the peers,
    # Stone Soup above all, take most of it)
    weights = {"large run": 4e-6 * large_targets * large_duration_s * 10.0 + 20.0}
    stages = Stages(
        step,
        (weights if large_targets > 0 else {})
        | {
            "launchwatch, many targets": 2e-6 * n_targets * duration_s * 10.0 + 5.0,
            "1 target, side by side": 1.0 * peer_window_s[0],
            "100 targets, side by side": 20.0 * peer_window_s[1],
        },
    )
    large = None
    if large_targets > 0:
        stages.at("large run")
        ctx = multiprocessing.get_context("spawn")  # a fresh process: its peak is the run's own
        with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
            large = pool.submit(run_large, large_targets, large_duration_s).result()
        if progress:
            print(
                f"  launchwatch, {large_targets:,} targets, {large_duration_s:.0f} s at 10 Hz: "
                f"{large['updates_per_s']:,.0f} updates/s, {large['updates_per_cpu_s']:,.0f} per "
                f"CPU s; run {large['run_wall_s']:.0f} s, peak {large['peak_rss_mb']:,.0f} MB",
                flush=True,
            )
    big = bench_tracker(
        n_targets=n_targets,
        rate_hz=10.0,
        duration_s=duration_s,
        seed=0,
        progress=lambda f: stages.at("launchwatch, many targets", f),
    )
    if progress:
        print(
            f"  launchwatch, {n_targets} targets, {duration_s:.0f} s at 10 Hz: "
            f"{big.updates_per_s:,.0f} updates/s",
            flush=True,
        )
    cases = {}
    if peer_targets < 2:
        raise ValueError("peer_targets must be at least 2 (1 target is the other case)")
    for n, window in ((1, peer_window_s[0]), (peer_targets, peer_window_s[1])):
        stages.at("1 target, side by side" if n == 1 else "100 targets, side by side")
        times = np.arange(0.0, window + 0.05, 0.1)
        truth, radar, z_true = _visible_targets(n, times, seed=n)
        z = _noisy(z_true, seed=100 + n)
        # one untimed run first: numba loads a kernel from its cache on first use (about
        # 15 ms of linking), and which kernels the many-target run happened to load depends
        # on its paths (a young salvo track takes the general one), not on this case
        _run_launchwatch(truth, times, radar, z)
        ours = _run_launchwatch(truth, times, radar, z)
        peer = run_stonesoup(truth, times, radar, z, tuple(SIGMA[:3]))
        cases[n] = {
            "launchwatch": ours,
            "stonesoup": peer,
            "ratio": ours["updates_per_s"] / peer["updates_per_s"],
            "window_s": window,
            "n_targets": n,
        }
        if n == 1:
            cases[n].update(run_single_target_peers(truth[0], times, radar, z[0], tuple(SIGMA[:3])))
        else:
            cases[n]["stonesoup_kdtree"] = run_stonesoup(
                truth, times, radar, z, tuple(SIGMA[:3]), associator="kdtree"
            )
        if progress:
            print(
                f"  {n} target(s), {window:.0f} s: launchwatch {ours['updates_per_s']:,.0f} "
                f"updates/s (RMSE {ours['rmse_m']:.1f} m), Stone Soup "
                f"{peer['updates_per_s']:,.0f} updates/s (RMSE {peer['rmse_m']:.1f} m)",
                flush=True,
            )
    stages.done()
    c100 = cases[peer_targets]
    return {
        "n_targets": n_targets,
        "updates_per_s": big.updates_per_s,
        "updates_per_cpu_s": big.updates_per_cpu_s,
        "updates": big.n_updates,
        "wall_s": big.wall_s,
        "steady_position_rmse_m": big.steady_pos_rmse_m,
        "timing_s": big.timing_s,
        "stonesoup_updates_per_s": c100["stonesoup"]["updates_per_s"],
        "launchwatch_100_updates_per_s": c100["launchwatch"]["updates_per_s"],
        "ratio": c100["ratio"],
        "rmse_m": c100["launchwatch"]["rmse_m"],
        "stonesoup_rmse_m": c100["stonesoup"]["rmse_m"],
        "single_target": cases[1],
        "hundred_targets": c100,
        **({"large": large} if large is not None else {}),
    }
