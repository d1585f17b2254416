"""Compile launchwatch's numba kernels into the cache once, before the test suite starts.

``make test`` runs this before pytest.  Without it the two pytest-xdist workers both meet an
empty cache (a fresh clone, or any edit to a kernel source: the cache folder is keyed on their
digest, ``launchwatch.kernel_source_digest``) and each compiles the same kernels at the same time,
so the compile CPU is paid twice.  Here the kernels are split into two disjoint halves, each
compiled in a process of its own, side by side: the flight core with the assessment's Monte
Carlo (``flight``), and the tracker (``track``, on synthetic straight-line radar detections,
no flight kernel).  With a warm cache each half only loads its kernels (a few seconds).

This is a speed step only: a kernel it does not reach (or reaches with other argument types)
is compiled by the test that first calls it, as before.

    python scripts/compile_kernels.py            # both halves, in parallel
    python scripts/compile_kernels.py flight     # one half, in this process
"""

from __future__ import annotations

import subprocess
import sys
import time

import numpy as np

HALVES = ("flight", "track")


def flight() -> None:
    """The integrator as the flight core and the assessment call it: a boosted vehicle sampled
    in ECI and as geodetic points, the paths to geodetic (serial and parallel), and the
    assessment's unit body with lift controls (integrate_batch, and the lockstep kernel with
    position samples).  First the kernel-cache probe (scripts/kernel_probe.py): when this
    process compiles what it runs (an empty cache), it keeps the probe's digests beside the
    cache, so tests/flight/test_kernel_cache.py need not compile the integrator once more."""
    import kernel_probe  # beside this script (its folder is on sys.path)

    kernel_probe.record_if_compiled()
    from launchwatch.assess import coastfit, lift
    from launchwatch.assess.impact import _UNIT_BODY
    from launchwatch.earth import frames, zones
    from launchwatch.flight import propagate
    from launchwatch.flight.propagate import make_controls
    from launchwatch.flight.vehicles import vehicle_model
    from launchwatch.track.measure import predict_measurement

    times = np.linspace(0.0, 400.0, 41)
    # the serial twin (n <= 64) and the parallel kernel, each with the samples' three layouts:
    # states (C), geodetic points (a transposed view: A, or F for one trajectory)
    for n, geodetic in ((1, True), (8, True), (8, False), (100, True), (100, False)):
        tr = propagate.propagate(
            vehicle_model("KN-23"),
            40.0,
            124.9,
            95.0,
            make_controls(n, kick_rad=np.linspace(0.2, 0.6, n)),
            sample_times_s=times,
            sample_geodetic=geodetic,
        )
    frames.eci_states_to_ecef(np.zeros((2, times.size, 6)), times)  # samples_ecef
    frames.eci_states_to_ecef_parts(  # the corridor's fans: into C-contiguous parts
        np.zeros((2, times.size, 6)), times, np.empty((2, times.size, 3)), np.empty((2, 3, 3))
    )
    for copies in (1, frames.PARALLEL_MIN_POINTS // tr.samples_eci[:, :, 0].size + 1):
        frames.eci_grid_to_geodetic_deg(np.tile(tr.samples_eci, (copies, 1, 1)), times)
    zones.classify_codes(np.linspace(30.0, 45.0, 100), np.linspace(125.0, 145.0, 100))
    propagate.propagate_states(
        _UNIT_BODY,
        tr.samples_eci[:, 10].copy(),
        np.full(n, 100.0),
        ctrl=lift.controls(np.full(n, np.log(5000.0)), np.full(n, 0.1)),
        t_max_s=3000.0,
        rtol=1e-5,
        atol_pos_m=5.0,
        atol_vel_m_s=5e-3,
    )
    # the assessment's coasting samples: the lockstep kernel with position samples, one work
    # item (serial) and several (parallel)
    for m in (propagate.LOCKSTEP_MIN, 4 * propagate.LOCKSTEP_MIN + 100):
        k = np.arange(m) % n
        propagate.propagate_states(
            _UNIT_BODY,
            tr.samples_eci[k, 10],
            np.full(m, 100.0),
            ctrl=lift.controls(np.full(m, np.log(5000.0)), np.full(m, 0.1)),
            t_max_s=3000.0,
            sample_times_s=times + 100.0,
            sample_positions=True,
            lockstep=True,
        )
    # the coast-arc fit's noise-free glide model (assess/coastfit.py), flown backwards
    x0 = np.array([[6.5e6, 0.0, 0.0, 0.0, 3000.0, 0.0, np.log(6000.0), 0.0]])
    coastfit.fly_arc(x0, np.array([100.0]), np.array([[99.0, 96.0, 96.0]]))
    # the measurement model alone, as the coast-arc fit's residuals call it
    predict_measurement(np.zeros((4, 6)), np.ones((4, 3)), np.tile(np.eye(3), (4, 1, 1)))


def track() -> None:
    """The tracker on radar frames from straight-line truth 300 km up (no flight kernel): one
    target (the single-target frame kernel), five with two of them 200 m apart (pairs that are
    not one-to-one: the general update), a target seen again after a 25 s gap, and two targets
    whose every update is iterated (the EKF's own kernel); infrared angles beside the radar's."""
    from launchwatch.earth import frames
    from launchwatch.sense.records import DETECTION_DTYPE
    from launchwatch.track.tracker import Tracker, TrackerConfig

    lat, lon = np.radians(40.0), np.radians(135.0)
    radar = frames.geodetic_to_ecef(lat, lon, 0.0)
    sigma = np.array([10.0, 2e-4, 2e-4, np.nan])
    sigma_ir = np.array([1e-4, 1e-4, np.nan, np.nan])
    vel = np.array([2000.0, -1500.0, 500.0])
    rng = np.random.default_rng(0)

    def frame(start: np.ndarray, t: float, k: int, ir: bool) -> np.ndarray:
        n = start.shape[0]
        az, el, rng_m = frames.ecef_to_aer(start + vel * t, lat, lon, 0.0)
        det = np.zeros(2 * n if ir else n, DETECTION_DTYPE)
        det["det_id"] = 2 * k * n + np.arange(det.size)
        det["t_s"] = t
        det["sensor_ecef_m"] = radar
        det["sensor"][:n], det["kind"][:n], det["sigma"][:n] = "R0", "radar", sigma
        z = np.stack([rng_m, az, el], axis=-1) + rng.standard_normal((n, 3)) * sigma[:3]
        det["z"][:n, :3], det["z"][:n, 3] = z, np.nan
        if ir:
            det["sensor"][n:], det["kind"][n:], det["sigma"][n:] = "IR0", "ir", sigma_ir
            det["z"][n:, :2], det["z"][n:, 2:] = z[:, 1:], np.nan
        return det

    cases = (
        (np.array([0.0]), np.arange(0.0, 12.0, 0.5), "full", False),
        (np.array([0.0, 0.5, 1.0, 1.002, 1.5]), np.arange(0.0, 12.0, 0.5), "diag", True),
        (np.array([0.0]), np.r_[np.arange(0.0, 6.0, 0.5), 31.0, 31.5, 32.0], "diag", False),
        (np.array([0.0, 1.0]), np.arange(0.0, 6.0, 0.5), "iterated", False),
    )
    for spread_deg, times, history, ir in cases:
        start = frames.geodetic_to_ecef(
            np.radians(39.0 + spread_deg), np.radians(134.0 + 0.6 * spread_deg), 3e5
        )
        if history == "iterated":  # every update iterated: the EKF's own update kernel
            tracker = Tracker(TrackerConfig(history_covariance="diag", iterate_after_s=0.4))
        else:
            tracker = Tracker(TrackerConfig(history_covariance=history))
        for k, t in enumerate(times):
            tracker.step(frame(start, float(t), k, ir))


def main(argv: list[str]) -> int:
    if argv:
        for name in argv:
            if name not in HALVES:
                print(f"compile_kernels: unknown half {name!r} (one of {HALVES})", file=sys.stderr)
                return 2
            t0 = time.process_time()
            globals()[name]()
            print(f"compile_kernels: {name} {time.process_time() - t0:.1f} s CPU")
        return 0
    procs = [subprocess.Popen([sys.executable, __file__, name]) for name in HALVES]
    return max(p.wait() for p in procs)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
