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

from ..earth import frames
from ..track.models import LIFT_PRIOR_MEAN, LIFT_PRIOR_SIGMA
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


def assess_history(
    history: np.ndarray,
    epoch: datetime,
    *,
    interval_s: float = 2.0,
    n_samples: int = 1000,
    seed: int = 0,
    boost_index: int = 1,
    on_assessment: Callable[[Assessment], None] | None = None,
) -> AssessmentRun:
    """Assess confirmed tracks of ``history`` as they update (see module docstring)."""
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
        est = TrackEstimates(
            track_id=sel["track_id"],
            t_s=sel["t_s"],
            mean=mean,
            cov=cov,
            boost_prob=sel["mu"][:, boost_index],
            max_height_m=max_h[last],
        )
        t0 = time.perf_counter()
        a = assess(est, float(sel["t_s"].max()), epoch, n_samples=n_samples, rng=rng)
        run.compute_s.append(time.perf_counter() - t0)
        run.assessments.append(a)
        if on_assessment is not None:
            on_assessment(a)
    return run
