"""Assessment over a track history: an updated impact prediction as the tracks update.

:func:`assess_history` walks the tracker's history (rows of
:func:`launchwatch.track.history.history_dtype`) in time order.  Every ``interval_s`` of
scenario time in which confirmed tracks were updated, it assesses all of them together (one
batched Monte Carlo, :func:`.impact.assess`) from their latest estimates ``[r, v, ln beta,
ell]`` with their full covariance (the lift state of the tracker, :mod:`.lift`) and the highest
height seen so far.
Each track's launch point is estimated once, from its earliest confirmed ascending estimate
(:mod:`.launch_point`).  A callback receives each assessment as it is made (the warning policy
listens there), as a live system would.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from scipy.special import ndtr

from ..earth import frames
from ..earth.constants import GM_M3_S2
from ..track.models import LIFT_PRIOR_MEAN, LIFT_PRIOR_SIGMA
from . import coastfit
from .assessment import Assessment
from .impact import TrackEstimates, assess
from .launch_point import LaunchEstimate, estimate_launch


@dataclass
class AssessmentRun:
    """The assessments of a run, the per-track launch estimates and the compute times (s)."""

    assessments: list[Assessment] = field(default_factory=list)
    launch: dict[int, dict[str, Any]] = field(default_factory=dict)
    compute_s: list[float] = field(default_factory=list)

    def latest_for(self, track_id: int) -> tuple[Assessment, int] | None:
        """The last assessment of ``track_id`` and the track's row in it (None if never)."""
        return _find(reversed(self.assessments), track_id)

    def first_for(self, track_id: int) -> tuple[Assessment, int] | None:
        """The first assessment of ``track_id`` and the track's row in it (None if never)."""
        return _find(self.assessments, track_id)


def _find(assessments: Iterable[Assessment], track_id: int) -> tuple[Assessment, int] | None:
    for a in assessments:
        hit = np.flatnonzero(a.track_id == track_id)
        if hit.size:
            return a, int(hit[0])
    return None


def _estimates(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Means (K, 8) ``[r, v, ln beta, ell]`` and covariances (K, 8, 8) of history rows.  With a
    full history the rows ``ln beta`` and ``ell`` of the covariance come from ``cov_aux``;
    otherwise (diagonal history) they are independent of the state with their own sigmas."""
    k = rows.size
    names = rows.dtype.names or ()
    lift = rows["lift"] if "lift" in names else np.full(k, LIFT_PRIOR_MEAN)
    mean = np.concatenate([rows["state"], rows["log_beta"][:, None], lift[:, None]], axis=1)
    cov = np.zeros((k, 8, 8))
    cov[:, :6, :6] = rows["cov"] if rows["cov"].ndim == 3 else _diag(rows["cov"])
    if "cov_aux" in names and np.any(rows["cov_aux"]):
        cov[:, 6:8, :] = rows["cov_aux"]
        cov[:, :6, 6:8] = np.swapaxes(rows["cov_aux"][:, :, :6], 1, 2)
    else:
        sig = rows["log_beta_sigma"] if "log_beta_sigma" in names else np.ones(k)
        cov[:, 6, 6] = sig**2
        cov[:, 7, 7] = (
            rows["lift_sigma"] if "lift_sigma" in names else np.full(k, LIFT_PRIOR_SIGMA)
        ) ** 2
    cov[:, 6, 6] = np.maximum(cov[:, 6, 6], 0.05**2)
    return mean, cov


def _diag(d: np.ndarray) -> np.ndarray:
    out = np.zeros(d.shape + (d.shape[-1],))
    idx = np.arange(d.shape[-1])
    out[:, idx, idx] = d
    return out


#: Window (s) of the slope of a track's speed that estimates its thrust acceleration.
ACCEL_WINDOW_S = 10.0
#: Thrust accelerations a burning missile may have (uniform, m/s^2; estimate: the catalog's
#: stages from lift-off thrust-to-weight ~1.5 to ~14 g at burnout) and the along-track
#: acceleration of a coasting one (sigma, m/s^2; estimate: drag of a dense body at 20-60 km).
BURN_ACCEL_M_S2 = (5.0, 150.0)
COAST_ACCEL_SIGMA_M_S2 = 3.0
#: Prior probability that a new track still burns (the tracker's initial boost probability).
BURN_PRIOR = 0.45
#: A track younger than this (s since its first row) keeps the largest boost probability it
#: has had (the warning corridor's window, :data:`launchwatch.warn.corridor.BOOST_WINDOW_S`):
#: in its first seconds neither its model probabilities nor its speed slope can tell a burning
#: missile from a coasting one (measured: an IRBM accelerating at ~55 m/s^2 had 0.17 and a
#: speed falling by 21 m/s^2 at its first assessment; a coasting KN-23 +26 +- 29 m/s^2).
YOUNG_S = 12.0


def _prefix(x: np.ndarray) -> np.ndarray:
    return np.concatenate([[0.0], np.cumsum(x)])


def burn_evidence(rows: np.ndarray, boost_index: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row of ``rows`` (history rows sorted by track, then time): the probability that the
    motor still burns, and the thrust acceleration along the velocity (m/s^2) with its sigma.

    The acceleration is the least-squares slope of the speed over the last
    :data:`ACCEL_WINDOW_S` plus gravity's loss ``g sin(gamma)`` (NaN where the window has fewer
    than three rows or spans under 2 s); its sigma is ``sqrt(2) sigma_v / span`` from the
    filter's speed sigma (its errors are not independent from row to row).  The burn
    probability is the larger of the tracker's boost-model probability and the posterior of
    burning given that acceleration (prior :data:`BURN_PRIOR`; burning: uniform over
    :data:`BURN_ACCEL_M_S2`; coasting: ``N(0, COAST_ACCEL_SIGMA_M_S2^2)``): a young track's
    model probabilities are still its prior and swing (an IRBM track accelerating at ~55 m/s^2
    had 0.17 at its first assessment, 0.98 eight seconds later); in its first
    :data:`YOUNG_S` the largest boost probability so far counts and the acceleration is
    unknown (NaN)."""
    n = rows.size
    tid, t = rows["track_id"], rows["t_s"]
    key = np.unique(tid, return_inverse=True)[1].astype(float) * 1e7 + (t - t.min())
    mu_b = rows["mu"][:, boost_index]
    r, v = rows["state"][:, :3], rows["state"][:, 3:6]
    speed = np.linalg.norm(v, axis=1)
    rn = np.linalg.norm(r, axis=1)
    sin_g = np.einsum("ij,ij->i", r, v) / np.maximum(rn * speed, 1e-9)
    start = np.searchsorted(key, key - ACCEL_WINDOW_S, side="left")
    tt = t - t.min()
    ps = [_prefix(q) for q in (np.ones(n), tt, speed, tt * tt, tt * speed)]
    m, st, sv, stt, stv = (p[np.arange(n) + 1] - p[start] for p in ps)
    den = m * stt - st * st
    span = tt - tt[start]
    ok = (m >= 3) & (span >= 2.0) & (den > 0)
    slope = np.where(ok, (m * stv - st * sv) / np.where(ok, den, 1.0), np.nan)
    accel = slope + GM_M3_S2 / rn**2 * sin_g
    cov = rows["cov"]
    var_v = (
        np.einsum("ki,kij,kj->k", v, cov[:, 3:6, 3:6], v) / np.maximum(speed, 1e-9) ** 2
        if cov.ndim == 3
        else np.einsum("ki,ki->k", v * v, cov[:, 3:6]) / np.maximum(speed, 1e-9) ** 2
    )
    sigma = np.where(ok, np.sqrt(2.0 * np.clip(var_v, 0.0, None)) / np.where(ok, span, 1.0), np.nan)
    a = np.where(ok, accel, 0.0)
    sg = np.where(ok, np.maximum(sigma, 1e-3), 1.0)
    lo, hi = BURN_ACCEL_M_S2
    like_burn = (ndtr((hi - a) / sg) - ndtr((lo - a) / sg)) / (hi - lo)
    s_c = np.hypot(sg, COAST_ACCEL_SIGMA_M_S2)
    like_coast = np.exp(-0.5 * (a / s_c) ** 2) / (np.sqrt(2.0 * np.pi) * s_c)
    post = BURN_PRIOR * like_burn / (BURN_PRIOR * like_burn + (1.0 - BURN_PRIOR) * like_coast)
    burn = np.where(ok, np.fmax(mu_b, np.nan_to_num(post)), mu_b)
    first = np.r_[True, tid[1:] != tid[:-1]]
    t_first = t[np.flatnonzero(first)][np.cumsum(first) - 1]
    so_far = np.maximum.accumulate(mu_b + key_rank(tid) * 10.0) - key_rank(tid) * 10.0
    young = t - t_first < YOUNG_S
    burn = np.where(young, np.fmax(burn, so_far), burn)
    # a young track's speed slope is its filter settling, not the missile: unknown
    return burn, np.where(young, np.nan, accel), np.where(young, np.nan, sigma)


def key_rank(tid: np.ndarray) -> np.ndarray:
    """Rank of each row's track id among the sorted ids (0, 1, ...)."""
    return np.unique(tid, return_inverse=True)[1].astype(float)


def assess_history(
    history: np.ndarray,
    epoch: datetime,
    *,
    interval_s: float = 2.0,
    n_samples: int = 1000,
    seed: int = 0,
    boost_index: int = 1,
    on_assessment: Callable[[Assessment], None] | None = None,
    detections: np.ndarray | None = None,
) -> AssessmentRun:
    """Assess confirmed tracks of ``history`` as they update (see module docstring).  With the
    ``detections`` the history's ``det_id`` refer to, a coasting track's estimate is the batch
    fit of its arc (:mod:`.coastfit`) where that fit is usable; without them (a side-by-side
    measurement, a partner node) the tracker's estimates alone."""
    rng = np.random.default_rng(seed)
    run = AssessmentRun()
    conf = history[history["confirmed"]]
    if conf.size == 0:
        return run
    # Sorted by (track, time): per-track running maximum height.
    order = np.lexsort((conf["t_s"], conf["track_id"]))
    rows = conf[order]
    _, _, height = frames.ecef_to_geodetic(rows["state"][:, :3])
    rank = np.unique(rows["track_id"], return_inverse=True)[1]
    max_h = np.maximum.accumulate(height + rank * 1e9) - rank * 1e9

    # burn evidence over every row of the tracks (the tentative ones too: a young track's
    # first model probabilities are the filter's prior, which the window keeps)
    full = history[np.lexsort((history["t_s"], history["track_id"]))]
    burn_p, accel, accel_sig = (e[full["confirmed"]] for e in burn_evidence(full, boost_index))

    arcs = (
        coastfit.CoastArcs(rows, burn_p, detections)
        if detections is not None and detections.size
        else None
    )

    # Launch point per track from its earliest confirmed estimate (one batched call).
    first = np.flatnonzero(np.r_[True, rank[1:] != rank[:-1]])
    mean0, cov0 = _estimates(rows[first])
    le: LaunchEstimate = estimate_launch(rows["t_s"][first], mean0, cov0, rng=rng)
    for j, i in enumerate(first):
        run.launch[int(rows["track_id"][i])] = {
            "lat_deg": float(le.lat_deg[j]),
            "lon_deg": float(le.lon_deg[j]),
            "semi_major_95_m": float(le.semi_major_95_m[j]),
            "semi_minor_95_m": float(le.semi_minor_95_m[j]),
            "orientation_deg": float(le.orientation_deg[j]),
            "t_s": float(le.t_s[j]),
            "t_sigma_s": float(le.t_sigma_s[j]),
            "from_t_s": float(rows["t_s"][i]),
        }

    # time since launch: from the launch estimate, less its sigma (a later launch keeps
    # more catalog burns alive: the wider fan); NaN where unknown
    launch_t = np.full(first.size, np.nan)
    launch_t[:] = le.t_s + np.nan_to_num(le.t_sigma_s)
    t_all = rows["t_s"]
    edges = np.arange(np.floor(t_all.min()), t_all.max() + interval_s, interval_s)
    time_order = np.argsort(t_all, kind="stable")
    bin_of = np.searchsorted(edges, t_all[time_order], side="right") - 1
    cuts = np.flatnonzero(np.diff(bin_of)) + 1
    for chunk in np.split(time_order, cuts):  # one assessment per time bin with updates
        # latest row of each track in this bin
        tid = rows["track_id"][chunk]
        last = chunk[::-1][np.unique(tid[::-1], return_index=True)[1]]
        sel = rows[last]
        mean, cov = _estimates(sel)
        if arcs is not None:
            mean, cov, _ = arcs.refine(last, mean, cov, le.t_s[rank[last]])
        est = TrackEstimates(
            track_id=sel["track_id"],
            t_s=sel["t_s"],
            mean=mean,
            cov=cov,
            boost_prob=sel["mu"][:, boost_index],
            max_height_m=max_h[last],
            burn_prob=burn_p[last],
            t_since_launch_s=sel["t_s"] - launch_t[rank[last]],
            accel_m_s2=accel[last],
            accel_sigma_m_s2=accel_sig[last],
        )
        t0 = time.perf_counter()
        a = assess(est, float(sel["t_s"].max()), epoch, n_samples=n_samples, rng=rng)
        run.compute_s.append(time.perf_counter() - t0)
        run.assessments.append(a)
        if on_assessment is not None:
            on_assessment(a)
    return run
