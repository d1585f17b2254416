"""Batch least-squares estimate of a coasting track's arc (differential correction).

Why: the tracker's IMM carries white process noise (the coast model's floor, and the boost and
glide models' noise that comes back through mixing).  On a missile that truly coasts that noise
is not there, and a steady-state filter's covariance then stays wider than its actual error by a
fixed factor (measured: the truth's median squared Mahalanobis distance of the impact was
0.3-0.45 exo-atmospheric and in re-entry against chi-square's 1.39: 50 % ellipses that held the
truth 64-93 % of the time).  A batch fit of the measurements of the coast arc under the motion
model *without* process noise has the covariance ``(J^T W J + P0^-1)^-1``, which is the honest one
when the body flies that model -- and the chi-square test of its residuals says when it does not.

The model: the tracker's glide model (:data:`launchwatch.track.models.GLIDE`: J2 gravity, Earth
rotation, drag with ``ln beta``, the pull-up lift law with ``ell``; ballistic when ``ell = 0``)
with no noise, RK4 in 1 s substeps.  The parameters are the 8-state ``[r, v, ln beta, ell]`` at
the reference time ``t_ref`` (the track's latest estimate); ``ln beta`` and ``ell`` carry the
tracker's own priors (:data:`launchwatch.track.tracker.INIT_LOG_BETA`, ``..._SIGMA`` and
:data:`launchwatch.track.models.LIFT_PRIOR_MEAN`, ``..._SIGMA``) as pseudo-measurements, so
that above the atmosphere, where nothing measures them, they keep those priors.  The
measurements are the track's own detections (range, azimuth, elevation, range rate, each with
its reported sigma) over the arc since the motor was last seen burning, at most
:data:`WINDOW_S` back and :data:`MAX_MEAS` detections.  Gauss-Newton from the tracker's estimate;
the Jacobian by forward differences, every track's nominal and 8 perturbed states flown together
through one compiled pass over the measurement times (backwards from ``t_ref``).

A fit is used only if it converged and the sum of its squared normalised residuals passes the
chi-square test at :data:`CHI2_LEVEL` (``m + 2 - 8`` degrees of freedom for ``m`` scalar
measurements and the two priors): a thrusting or manoeuvring body fails it and keeps the
tracker's estimate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from numba import njit

from ..track.measure import Measurements, predict_measurement, wrap_pi
from ..track.models import (
    GLIDE,
    LIFT_PRIOR_MEAN,
    LIFT_PRIOR_SIGMA,
    atmosphere_args,
    rk4_step,
)
from ..track.quantiles import chi2_quantile
from ..track.tracker import INIT_LOG_BETA, INIT_LOG_BETA_SIGMA
from .beta_prior import MIN_BURN_SEEN_S, log_beta_prior

#: Longest arc (s) and most detections per fit (estimates: 60 s of a radar's 1-4 s revisits;
#: J3 and higher harmonics move a 60 s arc by well under a metre).
WINDOW_S = 60.0
MAX_MEAS = 48
#: Fewest radar detections with range and shortest arc (s) a fit needs (estimate: 8 detections
#: over 8 s pin the six state components of a coast with several times as many scalar
#: measurements).
MIN_MEAS = 8
MIN_SPAN_S = 8.0
#: Burn probability (the assessment's burn evidence) above which a row counts as powered: the
#: arc starts after the last such row.
BURN_MAX = 0.05
#: Chi-square level of the residual test (a fit above it does not fit the coast model).
CHI2_LEVEL = 0.999
#: Gauss-Newton iterations at most, and the convergence test on the last step's squared
#: Mahalanobis length under the fit's own covariance.
MAX_ITER = 6
STEP_TOL = 1e-4
#: Smallest eigenvalue of the fit's information in correlation form (scaled to a unit
#: diagonal) below which the arc does not determine the state.
MIN_EIG = 1e-12
#: Forward-difference steps of ``[r (m), v (m/s), ln beta, ell]``.
FD_STEP = np.array([1.0, 1.0, 1.0, 1e-3, 1e-3, 1e-3, 1e-3, 1e-3])
#: RK4 substep (s) of the arc (the tracker's prediction step).
MAX_STEP_S = 1.0

_N = 8
_PRIOR_IDX = np.array([6, 7])
_PRIOR_MEAN = np.array([INIT_LOG_BETA, LIFT_PRIOR_MEAN])
_PRIOR_INFO = np.array([1.0 / INIT_LOG_BETA_SIGMA**2, 1.0 / LIFT_PRIOR_SIGMA**2])


@dataclass(frozen=True, slots=True)
class ArcFit:
    """Fits of K tracks: means (K, 8), covariances (K, 8, 8) at their ``t_ref``, ``ok`` (K,)
    bool (converged and passed the residual test), the residual chi-square (K,), its degrees of
    freedom (K,) and the number of detections used (K,)."""

    mean: np.ndarray
    cov: np.ndarray
    ok: np.ndarray
    chi2: np.ndarray
    dof: np.ndarray
    n_meas: np.ndarray


@njit(cache=True, error_model="numpy")
def _arc_kernel(
    x0: np.ndarray,
    dt: np.ndarray,
    params: np.ndarray,
    max_step_s: float,
    logrho: np.ndarray,
    h0: float,
    dh: float,
    out: np.ndarray,
) -> None:
    """Fly rows of ``x0`` (N, 8) through the steps ``dt`` (N, M) (s, each from the previous
    point), writing the state after every step into ``out`` (N, M, 8)."""
    n_rows, n = x0.shape
    k1 = np.empty(n)
    k2 = np.empty(n)
    k3 = np.empty(n)
    k4 = np.empty(n)
    tmp = np.empty(n)
    s = np.empty(n)
    for row in range(n_rows):
        s[:] = x0[row]
        for j in range(dt.shape[1]):
            t = dt[row, j]
            if t != 0.0:
                n_sub = max(1, int(math.ceil(abs(t) / max_step_s)))
                h = t / n_sub
                for _ in range(n_sub):
                    rk4_step(s, h, params, logrho, h0, dh, k1, k2, k3, k4, tmp)
            out[row, j] = s


def fly_arc(x0: np.ndarray, t_ref: np.ndarray, t_meas: np.ndarray) -> np.ndarray:
    """States (K, M, 8) at ``t_meas`` (K, M) (s; each row descending from ``t_ref`` (K,), padded
    entries repeat the previous time) of the noise-free glide model flown from ``x0`` (K, 8) at
    ``t_ref``."""
    x0 = np.ascontiguousarray(x0, dtype=float)
    steps = np.diff(np.concatenate([t_ref[:, None], t_meas], axis=1), axis=1)
    out = np.empty(t_meas.shape + (x0.shape[1],))
    _arc_kernel(x0, np.ascontiguousarray(steps), GLIDE.row(), MAX_STEP_S, *atmosphere_args(), out)
    return out


def fit_arcs(
    x0: np.ndarray,
    t_ref: np.ndarray,
    meas: Measurements,
    present: np.ndarray,
    prior_mean: np.ndarray | None = None,
    prior_info: np.ndarray | None = None,
) -> ArcFit:
    """Batch fits of K arcs (module docstring).

    ``x0`` (K, 8) first guesses at ``t_ref`` (K,); ``meas`` K*M measurements laid out (K, M)
    row-major, each track's in descending time from ``t_ref`` (padding: any measurement, with
    ``present`` (K, M) False and its time equal to the previous one's).  ``prior_mean`` and
    ``prior_info`` (K, 2): each track's prior on ``[ln beta, ell]`` (mean, 1 / sigma^2); the
    tracker's by default."""
    k = x0.shape[0]
    p_mean = np.broadcast_to(_PRIOR_MEAN if prior_mean is None else prior_mean, (k, 2))
    p_info = np.broadcast_to(_PRIOR_INFO if prior_info is None else prior_info, (k, 2))
    m = present.shape[1]
    t_meas = meas.t_s.reshape(k, m)
    valid = meas.valid.reshape(k, m, 4) & present[:, :, None]
    n_scalar = valid.sum(axis=(1, 2))
    x = np.array(x0, float)
    eye = np.eye(_N)
    prior_w = np.zeros((k, _N, _N))
    prior_w[:, _PRIOR_IDX, _PRIOR_IDX] = p_info
    converged = np.zeros(k, bool)
    cost = np.full(k, np.inf)
    cov = np.zeros((k, _N, _N))
    act = np.arange(k)  # rows still iterating
    offsets = np.concatenate([np.zeros((1, _N)), eye * FD_STEP], axis=0)
    for _ in range(MAX_ITER):
        ka = act.size
        pert = x[act, None, :] + offsets
        flown = fly_arc(
            pert.reshape(-1, _N),
            np.repeat(t_ref[act], _N + 1),
            np.repeat(t_meas[act], _N + 1, axis=0),
        ).reshape(ka, _N + 1, m, _N)
        res = _residuals_batch(flown, meas, valid, act)  # (Ka, 9, M, 4)
        r0 = res[:, 0].reshape(ka, -1)
        # residual = (z - h) / sigma: its derivative is -dh/dx / sigma
        jac = -(res[:, 1:].reshape(ka, _N, -1) - r0[:, None, :]) / FD_STEP[None, :, None]
        jt = np.swapaxes(jac, 1, 2)  # (Ka, 4M, 8)
        info = np.einsum("kni,knj->kij", jt, jt) + prior_w[act]
        dev = x[act][:, _PRIOR_IDX] - p_mean[act]
        grad = np.einsum("kni,kn->ki", jt, r0)
        grad[:, _PRIOR_IDX] -= dev * p_info[act]
        bad = ~(np.isfinite(info).all(axis=(1, 2)) & np.isfinite(grad).all(axis=1))
        info[bad], grad[bad] = eye, 0.0
        # unobservable (e.g. angles alone): the information's correlation form is singular
        dg = np.sqrt(np.einsum("kii->ki", info))
        bad |= np.linalg.eigvalsh(info / dg[:, :, None] / dg[:, None, :])[:, 0] < MIN_EIG
        info[bad], grad[bad] = eye, 0.0
        cost[act] = np.where(
            bad, np.inf, np.einsum("kn,kn->k", r0, r0) + np.sum(dev**2 * p_info[act], axis=1)
        )
        step = np.linalg.solve(info, grad[..., None])[..., 0]
        cov[act] = np.linalg.inv(info)
        done = (np.einsum("ki,kij,kj->k", step, info, step) < STEP_TOL) & ~bad
        converged[act[done]] = True
        # damped where ln beta or ell would jump by more than one (far from the solution)
        damp = np.minimum(1.0, 1.0 / np.maximum(np.abs(step[:, _PRIOR_IDX]).max(axis=1), 1e-9))
        go = ~done & ~bad
        x[act[go]] += step[go] * damp[go, None]
        act = act[go]
        if act.size == 0:
            break
    dof = n_scalar + _PRIOR_IDX.size - _N
    ok = converged & (dof > 0) & (cost <= chi2_quantile(CHI2_LEVEL, np.maximum(dof, 1)))
    return ArcFit(
        mean=x,
        cov=0.5 * (cov + np.swapaxes(cov, 1, 2)),
        ok=ok,
        chi2=cost,
        dof=dof,
        n_meas=present.sum(axis=1),
    )


def _residuals_batch(
    flown: np.ndarray, meas: Measurements, valid: np.ndarray, rows: np.ndarray
) -> np.ndarray:
    """Normalised residuals (K', P, M, 4) of flown states (K', P, M, 8) against the
    measurements of tracks ``rows`` (K',) of the (K, M) layout; zero where not ``valid``
    (K, M, 4)."""
    k, p, m, n = flown.shape
    full = valid.shape[0]
    sen = meas.sensor_ecef.reshape(full, m, 3)[rows]
    # repeated into fresh (writable) arrays: a read-only broadcast view, which reshape returns
    # when p == 1, is another argument type to the numba kernel (a second compile)
    sensor = np.repeat(sen[:, None], p, axis=1).reshape(-1, 3)
    enu = np.repeat(meas.enu.reshape(full, m, 3, 3)[rows][:, None], p, axis=1).reshape(-1, 3, 3)
    h = predict_measurement(np.ascontiguousarray(flown.reshape(-1, n)[:, :6]), sensor, enu).reshape(
        k, p, m, 4
    )
    d = meas.z.reshape(full, m, 4)[rows][:, None] - h
    d[..., 1] = wrap_pi(d[..., 1])
    sig = meas.sigma.reshape(full, m, 4)[rows][:, None]
    out: np.ndarray = np.where(valid[rows][:, None], d / sig, 0.0)
    return out


class CoastArcs:
    """The coast arcs of a track history for :func:`fit_arcs`.

    ``rows``: confirmed history rows sorted by track, then time; ``burn_prob`` (rows,) the
    probability that the motor still burns at each row; ``detections``: the detection records
    the rows' ``det_id`` refer to (:data:`launchwatch.sense.records.DETECTION_DTYPE`)."""

    def __init__(self, rows: np.ndarray, burn_prob: np.ndarray, detections: np.ndarray):
        det = detections[np.unique(detections["det_id"], return_index=True)[1]]
        self.meas = Measurements.from_detections(det)
        ids = np.asarray(det["det_id"])
        pos = np.clip(np.searchsorted(ids, rows["det_id"]), 0, max(ids.size - 1, 0))
        self.meas_idx = np.where(ids.size and ids[pos] == rows["det_id"], pos, -1)
        n = rows.size
        idx = np.arange(n)
        tid = rows["track_id"]
        self.t = np.asarray(rows["t_s"], float)
        new = np.r_[True, tid[1:] != tid[:-1]] if n else np.zeros(0, bool)
        first = np.maximum.accumulate(np.where(new, idx, 0))
        powered = np.maximum.accumulate(np.where(burn_prob >= BURN_MAX, idx, -1))
        # each row's track's first row and its last burning row so far (-1: none in this track)
        self.first = first
        self.powered = np.where(powered >= first, powered, -1)
        rank = np.cumsum(new).astype(float)
        key = rank * 1e7 + (self.t - (self.t.min() if n else 0.0))
        in_window = np.searchsorted(key, key - WINDOW_S, side="left")
        self.start = np.maximum.reduce([first, powered + 1, in_window, idx - MAX_MEAS + 1])
        ranged = (self.meas_idx >= 0) & self.meas.valid[np.maximum(self.meas_idx, 0), 0]
        self.ranged_before = np.concatenate([[0], np.cumsum(ranged)])  # ranged rows < i

    def refine(
        self,
        last: np.ndarray,
        mean: np.ndarray,
        cov: np.ndarray,
        launch_t_s: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Means (K, 8) and covariances (K, 8, 8) of the tracks whose latest rows are ``last``
        (K,): the arc fit's where it is usable, the given ones elsewhere; and (K,) bool which.
        With the tracks' launch times ``launch_t_s`` (K,) s (NaN: unknown), the ``ln beta``
        prior is the catalog's bodies that explain each track's class and burnout time
        (:mod:`.beta_prior`); without, the tracker's."""
        start = self.start[last]
        n = last - start + 1
        span = self.t[last] - self.t[np.minimum(start, last)]
        n_ranged = self.ranged_before[last + 1] - self.ranged_before[np.minimum(start, last)]
        cand = np.flatnonzero((n_ranged >= MIN_MEAS) & (span >= MIN_SPAN_S))
        used = np.zeros(last.size, bool)
        if cand.size == 0:
            return mean, cov, used
        m = int(n[cand].max())
        rows = np.maximum(last[cand, None] - np.arange(m)[None, :], start[cand, None])
        mi = self.meas_idx[rows]
        present = (np.arange(m)[None, :] < n[cand, None]) & (mi >= 0)
        meas = self.meas.take(np.where(mi >= 0, mi, 0).reshape(-1))
        # step through the rows' times (a padding entry repeats the earliest row: no step)
        meas = replace(meas, t_s=self.t[rows].reshape(-1))
        p_mean = p_info = None
        if launch_t_s is not None:
            seen = self.powered[last[cand]]
            burnout = np.where(
                (seen >= 0)
                & (self.t[np.maximum(seen, 0)] - self.t[self.first[last[cand]]] >= MIN_BURN_SEEN_S),
                self.t[np.maximum(seen, 0)] - np.asarray(launch_t_s, float)[cand],
                np.nan,
            )
            mu, sig, _ = log_beta_prior(mean[cand, :3], mean[cand, 3:6], burnout)
            p_mean = np.stack([mu, np.full(cand.size, LIFT_PRIOR_MEAN)], axis=1)
            p_info = np.stack([1.0 / sig**2, np.full(cand.size, _PRIOR_INFO[1])], axis=1)
        fit = fit_arcs(mean[cand], self.t[last[cand]], meas, present, p_mean, p_info)
        good = cand[fit.ok]
        mean = mean.copy()
        cov = cov.copy()
        mean[good] = fit.mean[fit.ok]
        cov[good] = fit.cov[fit.ok]
        used[good] = True
        return mean, cov, used
