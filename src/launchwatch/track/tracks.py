"""The live track set: compact arrays with a leading track axis (no object per track).

Per track: id, time of the last update ``t`` (s), IMM model-conditioned means ``x`` (N, M, 7),
covariances ``P`` (N, M, 7, 7), model probabilities ``mu`` (N, M), the IMM output estimate
``xc`` (N, 7) / ``Pc`` (N, 7, 7) at ``t``, update and consecutive-miss counts, confirmation,
whether an IR cue corroborated the track at its birth (``cued``, :mod:`.initiate`), and the
sensor that last updated it (``last_sensor``, an index) and its thrust estimate with its
variance (``thrust`` (N, 2), m/s^2, :func:`thrust_update_kernel`).  States are ECEF (see
:mod:`.models`).  Deletion compacts the arrays; track ids are never reused.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from numba import njit
from numpy.typing import ArrayLike

from ..earth.constants import OMEGA_RAD_S
from ..earth.gravity import j2_accel
from .associate import assign_sparse, candidate_pairs
from .batches import ellipsoid_radius, height_above_ellipsoid, height_kernel
from .quantiles import chi2_quantile

if TYPE_CHECKING:
    from .imm import IMM
    from .tracker import TrackerConfig

_FIELDS = (
    "ids", "t", "x", "P", "mu", "xc", "Pc", "hits", "misses", "confirmed", "cued", "last_sensor",
    "thrust",
)  # fmt: skip


class TrackSet:
    """Arrays of the live tracks (see module docstring)."""

    def __init__(self, n_models: int, n_state: int = 7, thrust_model: int = -1) -> None:
        m, n = n_models, n_state
        #: The model whose velocity gives each track's thrust estimate (-1: none kept).
        self.thrust_model = thrust_model
        #: Per track: the thrust estimate (m/s^2) and its variance (:func:`thrust_update_kernel`).
        self.ids = np.zeros(0, np.int64)
        self.t = np.zeros(0)
        self.x = np.zeros((0, m, n))
        self.P = np.zeros((0, m, n, n))
        self.mu = np.zeros((0, m))
        self.xc = np.zeros((0, n))
        self.Pc = np.zeros((0, n, n))
        self.hits = np.zeros(0, np.int64)
        self.misses = np.zeros(0, np.int64)
        self.confirmed = np.zeros(0, bool)
        self.cued = np.zeros(0, bool)
        self.last_sensor = np.zeros(0, np.int64)
        self.thrust = np.zeros((0, 2))

    @property
    def n(self) -> int:
        return int(self.ids.size)

    def add(
        self,
        ids: ArrayLike,
        x: np.ndarray,
        P: np.ndarray,
        mu: np.ndarray,
        t: ArrayLike,
        xc: np.ndarray,
        Pc: np.ndarray,
        *,
        hits: ArrayLike,
        sensor: int = -1,
    ) -> np.ndarray:
        """Append tracks; returns their row indices."""
        k = np.size(ids)
        start = self.n
        new = {
            "ids": np.asarray(ids, np.int64),
            "t": np.asarray(t, float),
            "x": x,
            "P": P,
            "mu": mu,
            "xc": xc,
            "Pc": Pc,
            "hits": np.full(k, hits, np.int64),
            "misses": np.zeros(k, np.int64),
            "confirmed": np.zeros(k, bool),
            "cued": np.zeros(k, bool),
            "last_sensor": np.full(k, sensor, np.int64),
            "thrust": np.tile([0.0, THRUST_PRIOR_SIGMA_M_S2**2], (k, 1)),
        }
        for f in _FIELDS:
            setattr(self, f, np.concatenate([getattr(self, f), new[f]]))
        return np.arange(start, start + k)

    def remove(self, dead: np.ndarray) -> None:
        keep = ~np.asarray(dead, bool)
        for f in _FIELDS:
            setattr(self, f, getattr(self, f)[keep])

    def take(self, rows: np.ndarray) -> TrackSet:
        """A new TrackSet of rows ``rows`` (copies)."""
        out = TrackSet(self.mu.shape[1], self.x.shape[2], self.thrust_model)
        for f in _FIELDS:
            setattr(out, f, getattr(self, f)[rows])
        return out

    def extend(self, other: TrackSet) -> None:
        """Append the tracks of ``other``."""
        for f in _FIELDS:
            setattr(self, f, np.concatenate([getattr(self, f), getattr(other, f)]))

    def set_state(
        self,
        rows: np.ndarray,
        x: np.ndarray,
        P: np.ndarray,
        mu: np.ndarray,
        t: ArrayLike,
        combined: tuple[np.ndarray, np.ndarray],
        thrust: np.ndarray | None = None,
    ) -> None:
        """Write rows ``rows``: an update's states at times ``t``; their thrust estimates take
        the step (:meth:`note_thrust`), or ``thrust`` (R, 2) where the states are not one
        filter step on from the rows' own (a replay, a re-acquired track's)."""
        before = self.thrust_inputs(rows) if thrust is None else None
        self.x[rows], self.P[rows], self.mu[rows], self.t[rows] = x, P, mu, t
        self.xc[rows], self.Pc[rows] = combined
        if thrust is not None:
            self.thrust[rows] = thrust
        self.note_thrust(rows, before)

    def thrust_of(self, rows: np.ndarray) -> np.ndarray | None:
        """The thrust estimates and their variances (R, 2) of rows ``rows`` for the boost
        model's predictions (None if none are kept)."""
        return self.thrust[rows] if self.thrust_model >= 0 else None

    def thrust_inputs(self, rows: np.ndarray) -> np.ndarray | None:
        """What :meth:`note_thrust` needs of rows ``rows`` before their update (K, 3:
        :func:`thrust_inputs_kernel`); None if no thrust estimate is kept."""
        if self.thrust_model < 0:
            return None
        rows = np.asarray(rows, np.int64)
        out = np.empty((rows.size, 3))
        thrust_inputs_kernel(self.x, self.P, self.t, rows, self.thrust_model, out)
        return out

    def note_thrust(self, rows: np.ndarray, before: np.ndarray | None) -> None:
        """Rows ``rows`` were updated: their thrust estimates take the boost model's speed
        change since ``before`` (:meth:`thrust_inputs`, :func:`thrust_update_kernel`)."""
        if before is None:
            return
        rows = np.asarray(rows, np.int64)
        b = self.thrust_model
        thrust_update_kernel(self.x, self.P, self.t, rows, b, before, self.thrust)

    def snapshot(self) -> np.ndarray:
        """The live tracks as a structured array: id, time, ECEF state (6), ln(beta), model
        probabilities, confirmed."""
        m = self.mu.shape[1]
        out = np.zeros(
            self.n,
            [
                ("track_id", np.int64),
                ("t_s", float),
                ("state", float, (6,)),
                ("log_beta", float),
                ("mu", float, (m,)),
                ("confirmed", bool),
            ],
        )
        out["track_id"], out["t_s"] = self.ids, self.t
        out["state"], out["log_beta"] = self.xc[:, :6], self.xc[:, 6]
        out["mu"], out["confirmed"] = self.mu, self.confirmed
        return out


@njit(cache=True, error_model="numpy")
def extrapolate_kernel(
    xc: np.ndarray,
    Pc: np.ndarray,
    dt: np.ndarray,
    n_sigma: float,
    max_accel: float,
    r_out: np.ndarray,
    rad_out: np.ndarray,
) -> None:
    """Coarse prediction for gating: ``r + v dt + g dt^2 / 2`` (J2 gravity only) and a radius
    ``n_sigma sqrt(tr Prr + dt^2 tr Pvv) + max_accel dt^2 / 2`` (m) per row."""
    for row in range(xc.shape[0]):
        t = dt[row]
        g = j2_accel(xc[row, 0], xc[row, 1], xc[row, 2])
        for i in range(3):
            r_out[row, i] = xc[row, i] + t * xc[row, 3 + i] + 0.5 * t * t * g[i]
        var = 0.0
        for i in range(3):
            var += Pc[row, i, i] + t * t * Pc[row, 3 + i, 3 + i]
        rad_out[row] = n_sigma * math.sqrt(max(var, 0.0)) + 0.5 * max_accel * t * t


@njit(cache=True)
def _age_miss_kernel(
    t: np.ndarray,
    confirmed: np.ndarray,
    cued: np.ndarray,
    misses: np.ndarray,
    t_now: float,
    tentative_max_misses: int,
    init_max_dt_s: float,
    cued_max_misses: int,
    cued_max_dt_s: float,
    max_coast_s: float,
    delete_after_misses: int,
    dead: np.ndarray,
) -> int:
    """The age and miss rules of :func:`deletion_mask` into ``dead``; returns the number of
    confirmed tracks with ``delete_after_misses`` misses (their sigma is checked next)."""
    n_lost = 0
    for i in range(t.shape[0]):
        dt = t_now - t[i]
        if confirmed[i]:
            dead[i] = dt > max_coast_s
            if misses[i] >= delete_after_misses:
                n_lost += 1
        elif cued[i]:
            dead[i] = misses[i] >= cued_max_misses or dt > cued_max_dt_s
        else:
            dead[i] = misses[i] >= tentative_max_misses or dt > init_max_dt_s
    return n_lost


def deletion_mask(
    tr: TrackSet, t_now: float, cfg: TrackerConfig, *, impact: bool = False
) -> np.ndarray:
    """(N,) tracks to delete at ``t_now`` under the rules of :mod:`.tracker` (rule 5): misses,
    age, lost (predicted sigma), and with ``impact`` the predicted height below ground."""
    dead = np.empty(tr.n, bool)
    n_lost = _age_miss_kernel(
        tr.t, tr.confirmed, tr.cued, tr.misses, float(t_now), cfg.tentative_max_misses,
        cfg.init_max_dt_s, cfg.cued_max_misses, cfg.cued_max_dt_s, cfg.max_coast_s,
        cfg.delete_after_misses, dead,
    )  # fmt: skip
    if n_lost == 0 and not impact:  # the common case: one compiled pass
        return dead
    _lost_kernel(
        tr.xc, tr.Pc, tr.t, float(t_now), tr.confirmed, tr.misses, cfg.delete_after_misses,
        cfg.lost_sigma_m, impact, cfg.impact_margin_m, dead,
    )  # fmt: skip
    return dead


@njit(cache=True, error_model="numpy")
def _lost_kernel(
    xc: np.ndarray,
    Pc: np.ndarray,
    t: np.ndarray,
    t_now: float,
    confirmed: np.ndarray,
    misses: np.ndarray,
    delete_after_misses: int,
    lost_sigma_m: float,
    impact: bool,
    impact_margin_m: float,
    dead: np.ndarray,
) -> None:
    """The sigma and impact rules of :func:`deletion_mask` into ``dead``, row by row: a
    confirmed track with ``delete_after_misses`` misses whose drag-free extrapolation to
    ``t_now`` (:func:`extrapolate_kernel`, 1 sigma, no acceleration allowance) has a position
    sigma above ``lost_sigma_m``, and with ``impact`` a confirmed track extrapolated more than
    ``impact_margin_m`` below the ellipsoid (:func:`~.batches.height_above_ellipsoid`)."""
    r, sig, dt, h = np.empty((1, 3)), np.empty(1), np.empty(1), np.empty(1)
    for i in range(t.shape[0]):
        missed = misses[i] >= delete_after_misses
        if not (impact or (confirmed[i] and missed)):
            continue
        dt[0] = t_now - t[i]
        extrapolate_kernel(xc[i : i + 1], Pc[i : i + 1], dt, 1.0, 0.0, r, sig)
        lost = confirmed[i] and missed and sig[0] > lost_sigma_m
        if impact:
            height_kernel(r, h)
            lost = lost or (confirmed[i] and h[0] < -impact_margin_m)
        if lost:
            dead[i] = True


#: Prior sigma (m/s^2) of a new track's thrust estimate, around zero (estimate: the generic
#: boosts' axial accelerations span 0-230 m/s^2, launchwatch.flight.vehicles).
THRUST_PRIOR_SIGMA_M_S2 = 100.0
#: Random-walk intensity (m^2/s^5) of the thrust between updates (estimate: a stage's
#: acceleration rises by ~100 m/s^2 over its 60-70 s burn and drops to zero at burnout: a
#: 20 m/s^2 change in a second is allowed at one sigma).
THRUST_WALK_M2_S5 = 400.0
#: Largest thrust estimate (m/s^2; the generic boosts reach 230, launchwatch.flight.vehicles).
THRUST_MAX_M_S2 = 300.0


@njit(cache=True, inline="always", error_model="numpy")
def _speed_var(x: np.ndarray, P: np.ndarray) -> tuple[float, float]:
    """Speed (m/s) of state ``x`` and its variance along the velocity from covariance ``P``."""
    s = math.sqrt(x[3] * x[3] + x[4] * x[4] + x[5] * x[5])
    if not s > 0.0:
        return 0.0, math.inf
    var = 0.0
    for i in range(3):
        for j in range(3):
            var += x[3 + i] * P[3 + i, 3 + j] * x[3 + j]
    return s, var / (s * s)


@njit(cache=True, error_model="numpy")
def thrust_inputs_kernel(
    X: np.ndarray, P: np.ndarray, T: np.ndarray, rows: np.ndarray, b: int, out: np.ndarray
) -> None:
    """Before an update: per track row ``rows[k]`` of the arrays ``X`` (N, M, n), ``P`` (N, M,
    n, n), ``T`` (N,), model ``b``'s speed, its variance along the velocity and the time into
    ``out[k]`` (K, 3)."""
    for k in range(rows.shape[0]):
        r = rows[k]
        out[k, 0], out[k, 1] = _speed_var(X[r, b], P[r, b])
        out[k, 2] = T[r]


@njit(cache=True, error_model="numpy")
def thrust_update_kernel(
    X: np.ndarray,
    P: np.ndarray,
    T: np.ndarray,
    rows: np.ndarray,
    b: int,
    before: np.ndarray,
    A: np.ndarray,
) -> None:
    """Each track's thrust acceleration along its velocity (m/s^2), a scalar Kalman filter
    beside the IMM, updated in place in ``A`` (N, 2: estimate, variance) for track rows
    ``rows`` after their update (arrays as :func:`thrust_inputs_kernel`; ``before`` its
    output).  The observation is model ``b``'s speed change over the step less gravity's and
    the frame's share along the velocity (the Coriolis term has none), with the variance of
    the two speeds' difference over dt^2 (their correlation ignored: conservative); the
    estimate walks with :data:`THRUST_WALK_M2_S5` between updates and is kept in [0,
    THRUST_MAX_M_S2].  An angles-only update that leaves the speed unknown moves it little; a
    radar revisit during a burn brings it within ~10-30 m/s^2 after a few updates.  Unchanged
    over steps under 0.2 s or at speeds under 50 m/s."""
    om2 = OMEGA_RAD_S * OMEGA_RAD_S
    for k in range(rows.shape[0]):
        r = rows[k]
        s0, var0, t0 = before[k, 0], before[k, 1], before[k, 2]
        x = X[r, b]
        s1, var1 = _speed_var(x, P[r, b])
        dt = T[r] - t0
        if not (dt > 0.2 and s0 > 50.0 and s1 > 50.0):
            continue
        gx, gy, gz = j2_accel(x[0], x[1], x[2])
        g_along = (gx * x[3] + gy * x[4] + gz * x[5] + om2 * (x[0] * x[3] + x[1] * x[4])) / s1
        obs = (s1 - s0) / dt - g_along
        R = (var0 + var1) / (dt * dt)
        var = A[r, 1] + THRUST_WALK_M2_S5 * dt
        gain = var / (var + R)
        A[r, 0] = min(max(A[r, 0] + gain * (obs - A[r, 0]), 0.0), THRUST_MAX_M_S2)
        A[r, 1] = (1.0 - gain) * var


def predicted_height(tr: TrackSet, rows: np.ndarray, t_now: float, imm: IMM) -> np.ndarray:
    """(R, M) height (m, along the radius above the ellipsoid) of each model-conditioned mean of
    tracks ``rows`` predicted to ``t_now`` by its own model (no covariance: one mean
    propagation per model row)."""
    m, n = tr.x.shape[1], tr.x.shape[2]
    x = tr.x[rows].reshape(-1, n)
    dt = np.repeat(t_now - tr.t[rows], m)
    prm = np.tile(imm.params, (rows.size, 1))
    xp = imm.filter.predict(x, np.broadcast_to(np.eye(n), (x.shape[0], n, n)), dt, prm)[0]
    r = xp[:, :3]
    height: np.ndarray = (np.linalg.norm(r, axis=1) - ellipsoid_radius(r)).reshape(rows.size, m)
    return height


def duplicates(
    tr: TrackSet, t_now: float, chi2_limit: float, max_accel_m_s2: float
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of confirmed tracks whose positions and velocities, carried to ``t_now``, are equal
    within ``d^2 < chi2_limit`` (6 dof, sum of the two covariances).  Returns (loser, winner)
    row indices: the loser has fewer updates (or is younger); each track loses at most once."""
    conf = np.flatnonzero(tr.confirmed)
    none = np.zeros(0, np.int64)
    if conf.size < 2:
        return none, none
    r, rad = np.empty((conf.size, 3)), np.empty(conf.size)
    extrapolate_kernel(tr.xc[conf], tr.Pc[conf], t_now - tr.t[conf], 3.0, max_accel_m_s2, r, rad)
    i, j = candidate_pairs(r, rad, r, rad)
    keep = i < j
    i, j = i[keep], j[keep]
    if i.size == 0:
        return none, none
    d = np.concatenate([r[i] - r[j], tr.xc[conf[i], 3:6] - tr.xc[conf[j], 3:6]], axis=1)
    S = tr.Pc[conf[i], :6, :6] + tr.Pc[conf[j], :6, :6]
    d2 = np.einsum("ki,ki->k", d, np.linalg.solve(S, d[..., None])[..., 0])
    dup = np.flatnonzero(d2 < chi2_limit)
    gone = np.zeros(tr.n, bool)
    lose: list[int] = []
    win: list[int] = []
    for e in dup[np.argsort(d2[dup])]:  # the few duplicate pairs, best first
        a, b = conf[i[e]], conf[j[e]]
        if gone[a] or gone[b]:
            continue
        lo, hi = (a, b) if (tr.hits[a], -tr.ids[a]) < (tr.hits[b], -tr.ids[b]) else (b, a)
        gone[lo] = True
        lose.append(lo)
        win.append(hi)
    return np.array(lose, np.int64), np.array(win, np.int64)


class MissDeleter:
    """The tracker's default :class:`~.parts.Deleter`: the rules of :mod:`.tracker` (rule 5)
    with the thresholds of ``config`` (a :class:`~.tracker.TrackerConfig`)."""

    def __init__(self, config: TrackerConfig) -> None:
        self.config = config

    def dead(self, tracks: TrackSet, t_now: float, imm: IMM, *, full: bool = False) -> np.ndarray:
        dead = deletion_mask(tracks, t_now, self.config, impact=full)
        if full and dead.any():
            # A predicted impact by the drag-free extrapolation is confirmed with every model's
            # own prediction (a gliding body stays up): the track ends when all are below.
            cand = np.flatnonzero(
                dead & tracks.confirmed & (t_now - tracks.t <= self.config.max_coast_s)
            )
            if cand.size:
                dead[cand] = (
                    predicted_height(tracks, cand, t_now, imm).max(axis=1)
                    < -self.config.impact_margin_m
                )
                dead |= deletion_mask(tracks, t_now, self.config, impact=False)
        return dead


class ChiSquareMerger:
    """The tracker's default :class:`~.parts.Merger`: duplicates by a chi-square test of
    position and velocity (:func:`duplicates`); re-acquisition by the same test against older
    confirmed tracks not updated for ``reacquire_min_gap_s`` (:func:`reacquired`)."""

    def __init__(self, config: TrackerConfig) -> None:
        self.config = config
        self._chi2 = float(chi2_quantile(config.merge_probability, 6))
        self._chi2_re = float(chi2_quantile(config.reacquire_probability, 6))

    def duplicates(self, tracks: TrackSet, t_now: float, imm: IMM) -> tuple[np.ndarray, np.ndarray]:
        return duplicates(tracks, t_now, self._chi2, self.config.max_accel_m_s2)

    def reacquire(
        self, tracks: TrackSet, new_rows: np.ndarray, imm: IMM
    ) -> tuple[np.ndarray, np.ndarray]:
        return reacquired(
            tracks,
            new_rows,
            imm,
            self._chi2_re,
            min_gap_s=self.config.reacquire_min_gap_s,
            max_gap_s=self.config.dormant_max_s,
            ground_margin_m=self.config.impact_margin_m,
        )


#: Gap (s) from which re-acquisition also tests the new track carried back to the old one's
#: time (:func:`_backward_d2`).
BACKWARD_MIN_GAP_S = 120.0


def _d2(d: np.ndarray, S: np.ndarray) -> np.ndarray:
    """``d^T S^-1 d`` per row of ``d`` (k, n), ``S`` (k, n, n); inf where not finite."""
    with np.errstate(all="ignore"):
        out = np.einsum("ki,ki->k", d, np.linalg.solve(S, d[..., None])[..., 0])
    return np.where(np.isfinite(out), out, np.inf)


def _backward_d2(
    tr: TrackSet, new: np.ndarray, old: np.ndarray, imm: IMM, ground_margin_m: float
) -> np.ndarray:
    """``d^2`` (6 dof) of pairs of new tracks carried back by the coast model (first model
    named ``coast``, else the first) to the last update of old tracks, against the old
    estimates.  Over a long gap the forward IMM prediction of an old track lost while boosting
    is useless (its boost model has no thrust to fly and a covariance that a linear propagation
    over an hour does not represent: measured, a lofted Hwasong-17 lost near burnout at 329 s
    and found again at 4,041 s was predicted 950 km off, d^2 = 214); the new track, a coasting
    body seen by a radar, flies back to the old time with the old track's errors plus its own
    propagated ones.  The carried-back track must be flying then: no more than
    ``ground_margin_m`` under the ellipsoid (the tracker's ``impact_margin_m``, its test of a
    track on the ground) and under :data:`BACKWARD_MAX_HEIGHT_M`."""
    names = [m.name for m in imm.models]
    j = names.index("coast") if "coast" in names else 0
    with np.errstate(all="ignore"):
        xb, Pb = imm.filter.predict(
            tr.xc[new], tr.Pc[new], tr.t[old] - tr.t[new], np.tile(imm.params[j], (new.size, 1))
        )
        h = height_above_ellipsoid(xb[:, :3])
    d2 = _d2(xb[:, :6] - tr.xc[old, :6], Pb[:, :6, :6] + tr.Pc[old, :6, :6])
    # the old track flew then: a new track carried back under the ground (a salvo member seen
    # in its boost, flown back past its own launch) is not it, and drag in the ground's
    # density diverges -- measured, dense-salvos seed 3 e9: a new track at 25 km carried back
    # 128 s came out 1.5e15 km up with a 2e22 km sigma and d^2 = -0.0, and took the identity
    # of a member lost 128 s before (a swap)
    flying = np.isfinite(h) & (h >= -ground_margin_m) & (h <= BACKWARD_MAX_HEIGHT_M)
    return np.where(flying & (d2 >= 0.0), d2, np.inf)


#: A new track carried back (:func:`_backward_d2`) must be no higher than this (m; above any
#: ballistic apogee, a lofted ICBM's ~6,000 km) at the old track's time.
BACKWARD_MAX_HEIGHT_M = 4.0e7


#: Model probability below which an old track's model is left out of its forward prediction
#: over a long gap (:func:`_forward`).
FORWARD_MIN_PROB = 0.01


def _forward(
    tr: TrackSet, o: np.ndarray, t_ref: float, imm: IMM
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Old tracks ``o`` predicted to ``t_ref``: by the IMM (mixing, every model) over gaps
    under :data:`BACKWARD_MIN_GAP_S`; over longer gaps each model from its own state without
    switching, combined with the old track's model probabilities after dropping models under
    :data:`FORWARD_MIN_PROB`.  Over an hour the IMM's switching gives the boost model a few
    per cent (its stationary share), and its covariance (white thrust noise 5e4 m^2/s^3 over
    the gap, ~1e15 m^2) made every old track's prediction cover the whole sky: a lofted ICBM
    found again at re-entry took the identity of the salvo partner launched 157 s after it
    (campaign regional-2019-2025, seed 1, engagement 10: forward d^2 under the carried-back
    test's 7.6 against its own old track).  Returns the combined estimates ``(x (n, 7), P (n, 7,
    7))`` and each model's ``(x (n, M, 7), P (n, M, 7, 7))``."""
    dt = t_ref - tr.t[o]
    thr = tr.thrust_of(o)
    xp, Pp, cbar = imm.predict(tr.x[o], tr.P[o], tr.mu[o], dt, thr)
    long = dt >= BACKWARD_MIN_GAP_S
    if long.any():
        lo = o[long]
        xl, Pl = imm.predict_mixed(
            tr.x[lo].copy(), tr.P[lo].copy(), dt[long], None if thr is None else thr[long]
        )
        mu = np.where(tr.mu[lo] >= FORWARD_MIN_PROB, tr.mu[lo], 0.0)
        mu = np.where(mu.sum(axis=1, keepdims=True) > 0, mu, tr.mu[lo])
        xp[long], Pp[long], cbar[long] = xl, Pl, mu / mu.sum(axis=1, keepdims=True)
    xc, Pc = imm.combine(xp, Pp, cbar)
    return xc, Pc, xp, Pp


#: Longest gap (s) over which re-acquisition also tests each model's own prediction (estimate:
#: the young IRBM tracks it finds again were lost 11.6-20.9 s; the boost model's position sigma
#: from its thrust noise alone, sqrt(5e4 dt^3 / 3), is 21 km at 30 s and 92 km at 80 s).
MODEL_GATE_MAX_GAP_S = 30.0


def _alone_in_model_gates(
    tr: TrackSet,
    o: np.ndarray,
    new_rows: np.ndarray,
    xm: np.ndarray,
    Pm: np.ndarray,
    t_ref: float,
    chi2_limit: float,
) -> np.ndarray:
    """Per old track ``o`` (n,): no other confirmed track (the new ones ``new_rows`` and ``o``
    itself apart), carried to ``t_ref`` along its velocity, within ``chi2_limit`` of any of its
    models' predictions ``xm`` (n, M, 7), ``Pm`` (n, M, 7, 7)."""
    others = np.flatnonzero(tr.confirmed)
    others = others[~np.isin(others, new_rows)]
    alone = np.ones(o.size, bool)
    if others.size < 2:
        return alone
    xr = tr.xc[others, :6].copy()
    xr[:, :3] += xr[:, 3:6] * (t_ref - tr.t[others])[:, None]
    Pr = tr.Pc[others, :6, :6]
    for k in range(o.size):  # the few old tracks of a frame's re-acquisition
        rest = others != o[k]
        for m in range(xm.shape[1]):
            d2 = _d2(xr[rest] - xm[k, m, :6], Pr[rest] + Pm[k, m, :6, :6])
            if np.any(d2 < chi2_limit):
                alone[k] = False
                break
    return alone


def reacquired(
    tr: TrackSet,
    new_rows: np.ndarray,
    imm: IMM,
    chi2_limit: float,
    *,
    min_gap_s: float,
    max_gap_s: float,
    ground_margin_m: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Track-to-track association of newly confirmed tracks ``new_rows`` with older confirmed
    tracks last updated ``min_gap_s`` to ``max_gap_s`` before them: each old track is predicted
    once by the IMM (mixing, every model, process noise) to the latest new track's time (the
    new ones, from one frame, are carried there along their velocity) and compared in position
    and velocity, ``d^2 = d^T (P_new + P_old)^-1 d`` (6 dof; the two estimates share no
    measurement, so their errors are independent), against the IMM's combined estimate and,
    over gaps under :data:`BACKWARD_MIN_GAP_S`, each model's own prediction (the smallest
    counts: the union of the models' gates); pairs with ``d^2 < chi2_limit`` are assigned
    globally (least total ``d^2``).  Over gaps of :data:`BACKWARD_MIN_GAP_S` or more
    the new track carried back to the old one's time is tested too (:func:`_backward_d2`, which
    it must be flying at: at most ``ground_margin_m`` under the ellipsoid; the smaller ``d^2``
    counts).  Returns (new rows, old rows)."""
    none = np.zeros(0, np.int64)
    new_rows = np.asarray(new_rows, np.int64)
    t_new = tr.t[new_rows]
    old = np.flatnonzero(tr.confirmed)
    old = old[~np.isin(old, new_rows)]
    if old.size == 0 or new_rows.size == 0:
        return none, none
    gap = t_new[:, None] - tr.t[old][None, :]  # (A, B)
    a, b = np.nonzero((gap >= min_gap_s) & (gap <= max_gap_s))
    if a.size == 0:
        return none, none
    t_ref = float(t_new.max())
    ub, b_loc = np.unique(b, return_inverse=True)
    o = old[ub]
    xo, Po, xm, Pm = _forward(tr, o, t_ref, imm)
    xn = tr.xc[new_rows[a], :6].copy()
    xn[:, :3] += xn[:, 3:6] * (t_ref - t_new[a])[:, None]
    Pn = tr.Pc[new_rows[a], :6, :6]
    d2 = _d2(xn - xo[b_loc, :6], Pn + Po[b_loc, :6, :6])
    long_gap = gap[a, b] >= BACKWARD_MIN_GAP_S
    # over a short gap also each model's own prediction: the old track's estimate is a mixture,
    # and its moment-matched Gaussian misses where one unlikely model is right (a young
    # Hwasong-12 track whose boost model had 0.01-0.27 of the probability, lost at +48-62 s
    # while burning: its boost model alone put the new track at d^2 8.8-22.1, the combined
    # estimate at 27-136, four breaks in 30 japan-overflights engagements) -- unless another
    # confirmed track lies in one of those models' gates too: a salvo neighbour there makes the
    # wide boost-model gate ambiguous (dense salvos: two new tracks took a lost neighbour's
    # identity 24-32 km off its boost-model prediction), and only over gaps up to
    # MODEL_GATE_MAX_GAP_S (a lost salvo member's boost model, 80 s on, took a new track 80 km
    # off its prediction)
    short = np.flatnonzero(
        (gap[a, b] <= MODEL_GATE_MAX_GAP_S)
        & _alone_in_model_gates(tr, o, new_rows, xm, Pm, t_ref, chi2_limit)[b_loc]
    )
    if short.size:
        bs = b_loc[short]
        for m in range(xm.shape[1]):  # the IMM's few models
            dm = _d2(xn[short] - xm[bs, m, :6], Pn[short] + Pm[bs, m, :6, :6])
            d2[short] = np.fmin(d2[short], dm)
    if long_gap.any():
        d2[long_gap] = np.fmin(
            d2[long_gap], _backward_d2(tr, new_rows[a], old[b], imm, ground_margin_m)[long_gap]
        )
    ok = d2 < chi2_limit
    if not ok.any():
        return none, none
    ia, ib = assign_sparse(a[ok], b[ok], d2[ok], new_rows.size, old.size)
    return new_rows[ia], old[ib]
