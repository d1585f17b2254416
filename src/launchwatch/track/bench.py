"""Tracker throughput benchmark: many coasting ballistic targets, radar detections, one tracker.

Scenario (synthetic, stated so that the figure can be reproduced): ``n_targets`` mid-course
bodies spread uniformly over a 20 deg x 30 deg box (lat 30-50 N, lon 120-150 E) at 200-400 km,
horizontal speed 2.5-4 km/s in random directions and vertical speed 1.2-1.8 km/s, so that all stay
above ~130 km for 300 s (a realistic but *well-separated* crowd: mean spacing ~70 km, with the
occasional close crossing).  Truth is flown by the launchwatch flight propagator (adaptive
Dormand-Prince, J2, rotation, drag; a 1,000 kg, 0.1 m^2 body), independent of the tracker's RK4.
``n_radars`` ground radars on a grid over the box scan synchronously at ``rate_hz``; each target
is measured once per scan by the radar that sees it highest (range 10 m, angles 0.2 mrad, Pd = 1,
no false alarms): one frame per radar per scan.

The figure is measurement updates per second of wall time spent inside ``Tracker.step``
(initiation, association, IMM-EKF updates, history and ledger included; truth and detection
generation excluded), with the position/velocity RMSE of confirmed estimates against truth: all
of them, and in steady state (more than ``STEADY_AFTER_S`` after the track's first estimate; a
two-point start at 0.1 s with ~300 m cross-range noise gives km/s velocity errors that take a
few seconds to settle).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..earth.frames import ecef_to_eci, enu_matrix, geodetic_to_ecef
from ..flight.propagate import VehicleModel, propagate_states
from ..sense.geometry import aer_from
from ..sense.records import DETECTION_DTYPE
from .tracker import Tracker, TrackerConfig

SIGMA = np.array([10.0, 2e-4, 2e-4, np.nan])  # range m, az rad, el rad, no range rate
#: Estimates older than this after their track's first one count as steady state (s).
STEADY_AFTER_S = 10.0


@dataclass(frozen=True, slots=True, kw_only=True)
class BenchResult:
    n_targets: int
    n_scans: int
    n_updates: int
    wall_s: float
    updates_per_s: float
    #: Process CPU time (s, every thread) spent inside ``Tracker.step``, and updates per CPU s.
    cpu_s: float
    updates_per_cpu_s: float
    pos_rmse_m: float
    vel_rmse_m_s: float
    steady_pos_rmse_m: float
    steady_vel_rmse_m_s: float
    n_tracks_started: int
    timing_s: dict[str, float] = field(default_factory=dict)


def make_targets(n: int, times_s: np.ndarray, seed: int = 0) -> np.ndarray:
    """(n, T, 6) ECEF truth of ``n`` coasting bodies at ``times_s`` (see module docstring)."""
    rng = np.random.default_rng(seed)
    lat = np.radians(rng.uniform(30.0, 50.0, n))
    lon = np.radians(rng.uniform(120.0, 150.0, n))
    r = geodetic_to_ecef(lat, lon, rng.uniform(200e3, 400e3, n))
    heading = rng.uniform(0.0, 2.0 * np.pi, n)
    v_h = rng.uniform(2500.0, 4000.0, n)
    v_enu = np.stack(
        [v_h * np.sin(heading), v_h * np.cos(heading), rng.uniform(1200.0, 1800.0, n)], axis=-1
    )
    v = np.einsum("kji,kj->ki", enu_matrix(lat, lon), v_enu)
    r_i, v_i = ecef_to_eci(r, 0.0, v_ecef=v)
    body = VehicleModel.coasting_body(mass_kg=1000.0, area_m2=0.1)
    traj = propagate_states(
        body,
        np.concatenate([r_i, v_i], axis=1),
        0.0,
        sample_times_s=times_s,
        t_max_s=float(times_s[-1]) + 1.0,
    )
    return traj.samples_ecef()


def radar_sites(n_radars: int) -> np.ndarray:
    """(n_radars, 3) ECEF positions on a grid over the scenario box, on the ground."""
    k = int(np.ceil(np.sqrt(n_radars)))
    lat = np.linspace(33.0, 47.0, k) if k > 1 else np.array([40.0])
    lon = np.linspace(124.0, 146.0, k) if k > 1 else np.array([135.0])
    la, lo = np.meshgrid(lat, lon, indexing="ij")
    return geodetic_to_ecef(
        np.radians(la.ravel()[:n_radars]), np.radians(lo.ravel()[:n_radars]), 0.0
    )


def scan_detections(
    truth_k: np.ndarray, t_s: float, sites: np.ndarray, first_id: int, rng: np.random.Generator
) -> np.ndarray:
    """Detections of one scan: targets (n, 6) ECEF, each seen by its highest-elevation radar."""
    n = truth_k.shape[0]
    alive = np.flatnonzero(np.isfinite(truth_k[:, 0]))
    rng_m, az, el = aer_from(sites[None, :, :], truth_k[alive, None, :3])  # (n, R)
    best = np.argmax(el, axis=1)
    j = np.arange(alive.size)
    det = np.zeros(alive.size, DETECTION_DTYPE)
    det["det_id"] = first_id + alive
    det["sensor"] = np.char.add("R", best.astype(str))
    det["kind"] = "radar"
    det["t_s"] = t_s
    noise = rng.standard_normal((alive.size, 3)) * SIGMA[:3]
    det["z"][:, 0] = rng_m[j, best] + noise[:, 0]
    det["z"][:, 1] = np.mod(az[j, best] + noise[:, 1], 2.0 * np.pi)
    det["z"][:, 2] = el[j, best] + noise[:, 2]
    det["z"][:, 3] = np.nan
    det["sigma"] = SIGMA
    det["sensor_ecef_m"] = sites[best]
    del n
    return det


def bench_tracker(
    n_targets: int = 1000,
    rate_hz: float = 10.0,
    duration_s: float = 300.0,
    seed: int = 0,
    *,
    n_radars: int = 4,
    config: TrackerConfig | None = None,
    progress: Callable[[float], None] | None = None,
) -> BenchResult:
    """Run the scenario of the module docstring; return throughput and accuracy.
    ``progress(fraction)``, when given, is told how far the scans are (every 1 %)."""
    times = np.arange(0.0, duration_s + 0.5 / rate_hz, 1.0 / rate_hz)
    truth = make_targets(n_targets, times, seed)
    sites = radar_sites(n_radars)
    rng = np.random.default_rng(seed + 1)
    cfg = config if config is not None else TrackerConfig(history_covariance="diag")
    _warm_up(cfg)
    tracker = Tracker(cfg)
    wall = cpu = 0.0
    every = max(1, times.size // 100)
    for k, t in enumerate(times):
        if progress is not None and k % every == 0:
            progress(k / times.size)
        det = scan_detections(truth[:, k], float(t), sites, k * n_targets, rng)
        t0, c0 = time.perf_counter(), time.process_time()
        tracker.step(det)
        wall += time.perf_counter() - t0
        cpu += time.process_time() - c0
    h = tracker.history
    h = h[h["confirmed"]]
    target = h["det_id"] % n_targets
    scan = h["det_id"] // n_targets
    err = h["state"] - truth[target, scan]
    ids, first = np.unique(h["track_id"], return_index=True)
    age = h["t_s"] - h["t_s"][first][np.searchsorted(ids, h["track_id"])]
    steady = age > STEADY_AFTER_S
    return BenchResult(
        n_targets=n_targets,
        n_scans=times.size,
        n_updates=tracker.n_updates,
        wall_s=wall,
        updates_per_s=tracker.n_updates / wall,
        cpu_s=cpu,
        updates_per_cpu_s=tracker.n_updates / max(cpu, 1e-9),
        pos_rmse_m=_rms(err[:, :3]),
        vel_rmse_m_s=_rms(err[:, 3:]),
        steady_pos_rmse_m=_rms(err[steady, :3]),
        steady_vel_rmse_m_s=_rms(err[steady, 3:]),
        n_tracks_started=int(tracker.history["track_id"].max(initial=0)),
        timing_s=dict(tracker.timing),
    )


def _rms(e: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.sum(e**2, axis=1)))) if e.size else float("nan")


def _warm_up(cfg: TrackerConfig) -> None:
    """Compile (or load) every kernel before the clock starts."""
    times = np.arange(0.0, 1.0, 0.1)
    truth = make_targets(3, times, 99)
    sites = radar_sites(1)
    tr = Tracker(cfg)
    rng = np.random.default_rng(0)
    for k, t in enumerate(times):
        tr.step(scan_detections(truth[:, k], float(t), sites, 3 * k, rng))


if __name__ == "__main__":  # pragma: no cover
    res = bench_tracker()
    print(
        f"{res.n_updates} updates in {res.wall_s:.2f} s: {res.updates_per_s:,.0f} updates/s; "
        f"position RMSE {res.pos_rmse_m:.1f} m (steady {res.steady_pos_rmse_m:.1f} m), "
        f"velocity RMSE {res.vel_rmse_m_s:.2f} m/s (steady {res.steady_vel_rmse_m_s:.2f}); "
        f"{res.n_tracks_started} tracks started for {res.n_targets} targets"
    )
    print({k: round(v, 2) for k, v in res.timing_s.items()})
