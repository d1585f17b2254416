"""``launchwatch bench assess``: track update -> updated impact prediction with zone probabilities.

Two cases, each the work of one live update: a track estimate with a typical radar-track
covariance (200 m, 10 m/s per axis, ln beta sigma 0.5, the tracker's lift prior):

* ``reference_glide`` (the headline figure): the reference shot of 2025-11-07 as shipped, a
  KN-23-class depressed 700 km flight with a 50 km apogee, 150 s after lift-off, descending
  into its pull-up -- endo-atmospheric, so the samples fly the lift prior (many glide);
* ``ballistic``: a KN-23 on a steep ballistic arc (629 km apogee), 100 s after lift-off --
  exo-atmospheric, ballistic lift prior.  Each repeat is one call of
:func:`launchwatch.assess.impact.assess` (sampling, the batched flight-core
Monte Carlo to impact with predicted paths, ellipses, zone classification of every sample
impact), timed end to end; median and 99th percentile over ``repeats`` (after one warm-up).
The tables an assessment builds once per process on first need (:func:`launchwatch.assess.warm.
warm_up`: the zones' coast tree, the launch-point templates) are built first and their load time
reported on its own (``tables_load_s``): counted inside one timed repeat they made the p99.

Peer, measured in the same run: the same Monte Carlo written the obvious way, each sample flown
by scipy ``solve_ivp`` (RK45, rtol 1e-6) on the same force model (the flight core's reference
integrator, :func:`launchwatch.flight.reference`-style, ballistic unit body), timed on
``peer_samples`` samples and scaled to ``n_samples``.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import numpy as np

from ..assess import lift
from ..assess.impact import TrackEstimates, assess
from ..assess.sampling import sample_states
from ..assess.warm import warm_up
from ..earth import frames
from ..flight.propagate import FULL_PHYSICS, make_controls, propagate
from ..flight.reference import SolverEvent
from ..flight.shaping import shape
from ..flight.vehicles import vehicle_model
from .stages import ProgressFn, Stages


def _case(name: str = "ballistic"):
    vm = vehicle_model("KN-23")
    if name == "reference_glide":
        shot = shape(vm, 40.23, 125.23, 700e3, 95.0, trajectory="depressed", apogee_m=50e3)
        times = np.array([90.0, 150.0])
        tr = propagate(
            vm, 40.23, 125.23, shot.launch_azimuth_deg, shot.ctrl[None], sample_times_s=times
        )
    else:
        times = np.array([40.0, 100.0])
        tr = propagate(vm, 40.0, 124.9, 95.0, make_controls(1, kick_rad=0.5), sample_times_s=times)
    st = tr.samples_ecef()[0]  # (2, 6) ECEF
    cov = np.diag([200.0**2] * 3 + [10.0**2] * 3 + [0.5**2])
    mean = np.concatenate([st, np.full((2, 1), np.log(5000.0))], axis=1)
    return TrackEstimates(
        track_id=np.array([1]),
        t_s=times[1:],
        mean=mean[1:],
        cov=cov[None],
        boost_prob=np.zeros(1),
        max_height_m=np.array([np.nan]),
    )


def _round(k: int) -> TrackEstimates:
    """A round of ``k`` tracks updated together, alternating the two cases (a salvo)."""
    cases = (_case("reference_glide"), _case("ballistic"))
    pick = [cases[i % 2] for i in range(k)]
    return TrackEstimates(
        track_id=np.arange(1, k + 1),
        **{
            name: np.concatenate([getattr(c, name) for c in pick])
            for name in ("t_s", "mean", "cov", "boost_prob", "max_height_m")
        },
    )


def _peer(est: TrackEstimates, n: int, rng) -> float:
    """Seconds for n samples flown one by one with scipy solve_ivp on the same equations."""
    from scipy.integrate import solve_ivp

    from ..flight.dynamics import accel

    body = lift.unit_body()
    model = body.model_arrays(FULL_PHYSICS)
    x = sample_states(est.mean, est.cov, n, rng)[0]
    geo = np.zeros(9)
    out = np.empty(6)
    r0, v0 = frames.ecef_to_eci(x[:, :3], 0.0, v_ecef=x[:, 3:6])

    def height(t: float, y: np.ndarray) -> float:
        _, _, h = frames.ecef_to_geodetic(frames.eci_to_ecef(y[:3], t))
        return float(h)

    hit_ground = SolverEvent(height, terminal=True, direction=-1.0)
    t0 = time.perf_counter()
    for i in range(n):
        ctrl = lift.controls(
            x[i : i + 1, 6], np.zeros(1), lift.mach_number(x[i : i + 1, :3], x[i : i + 1, 3:6])
        )[0]

        def f(t, y, ctrl=ctrl):
            accel(t, t, y, ctrl, geo, body.stages, model, out)
            return out.copy()

        solve_ivp(
            f,
            (0.0, 3000.0),
            np.r_[r0[i], v0[i]],
            method="RK45",
            rtol=1e-6,
            atol=1.0,
            events=hit_ground,
        )
    return time.perf_counter() - t0


def _time(est, epoch, n_samples, repeats, rng, tick=None) -> tuple[np.ndarray, np.ndarray]:
    """Wall and process-CPU milliseconds (all threads) of ``repeats`` assessments (after one
    warm-up); ``tick(fraction)`` before each."""
    t_now = float(np.max(est.t_s))
    assess(est, t_now, epoch, n_samples=n_samples, rng=rng)  # warm-up / compile
    wall, cpu = [], []
    for i in range(repeats):
        if tick is not None:
            tick((i + 1) / (repeats + 1))
        t0, c0 = time.perf_counter(), time.process_time()
        assess(est, t_now, epoch, n_samples=n_samples, rng=rng)
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return 1e3 * np.asarray(wall), 1e3 * np.asarray(cpu)


def run_assess_bench(
    n_samples: int = 1000,
    repeats: int = 40,
    peer_samples: int = 20,
    seed: int = 5,
    round_tracks: int = 16,
    round_repeats: int = 5,
    step: ProgressFn | None = None,
) -> dict:
    """The figures of the module docstring; ``step(stage, fraction)`` is told how far the run
    is (the command line's bar)."""
    epoch = datetime(2025, 11, 7, 3, 35, tzinfo=UTC)
    rng = np.random.default_rng(seed)
    # stage weights: rough seconds (estimate): ~40 ms per 1000-sample assessment, plus set-up
    per = 0.04 * n_samples / 1000 * (repeats + 1)
    stages = Stages(
        step,
        {
            "reference_glide": 3.0 + per,
            "ballistic": 1.0 + per,
            "round": 2.0 + 0.04 * n_samples / 1000 * round_tracks * (round_repeats + 1),
            "peer": 3 * peer_samples * 0.05,
        },
    )
    tables_load_s = warm_up()  # once per process, reported on its own (module docstring)
    cases = {}
    for name in ("reference_glide", "ballistic"):
        stages.at(name)
        ms, cpu = _time(
            _case(name), epoch, n_samples, repeats, rng, lambda f, n=name: stages.at(n, f)
        )
        cases[name] = {
            "median_ms": float(np.median(ms)),
            "p99_ms": float(np.percentile(ms, 99)),
            "cpu_median_ms": float(np.median(cpu)),
        }
    # A round: ``round_tracks`` tracks assessed together (one batched flight call).
    stages.at("round")
    ms, cpu = _time(
        _round(round_tracks),
        epoch,
        n_samples,
        round_repeats,
        rng,
        lambda f: stages.at("round", f),
    )
    cases["round"] = {
        "tracks": round_tracks,
        "median_ms": float(np.median(ms)),
        "p99_ms": float(np.percentile(ms, 99)),
        "cpu_median_ms": float(np.median(cpu)),
        "per_track_ms": float(np.median(ms)) / round_tracks,
    }
    est = _case("ballistic")
    peer_runs = []
    for k in range(3):
        stages.at("peer", k / 3)
        peer_runs.append(_peer(est, peer_samples, rng))
    stages.done()
    peer_ms = 1e3 * float(np.median(peer_runs)) * n_samples / peer_samples
    head = cases["reference_glide"]
    return {
        "n_samples": n_samples,
        "repeats": repeats,
        "tables_load_s": tables_load_s,
        "median_ms": head["median_ms"],
        "p99_ms": head["p99_ms"],
        "cases": cases,
        "peer": f"scipy solve_ivp RK45 one sample at a time ({peer_samples} timed, scaled; "
        "ballistic case, no lift evidence)",
        "peer_median_ms": peer_ms,
        "ratio": peer_ms / cases["ballistic"]["median_ms"],
    }
