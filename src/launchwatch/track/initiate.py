"""Track initiation: two-point radar pairs, and IR cues that confirm a new track at birth.

* A radar detection (range, azimuth, elevation) that no track takes waits in the
  :class:`PendingPool` for the next ``init_max_frames`` frames of its sensor (so one missed
  detection is tolerated, whatever the sensor's revisit time), at most ``init_max_dt_s``.  A
  later unassociated detection of the *same sensor* pairs with it if the implied speed is
  physical (``<= init_max_speed_m_s``, with the position noise added) and, where both carry a
  range rate, the range change agrees with them and so does the range rate's change with the
  pair's velocity (:meth:`PendingPool.pair`, :func:`range_rate_turn_d2`); pairs are chosen
  globally (least total mismatch, :func:`~.associate.assign_sparse`).  The new track starts at
  the second detection by two-point differencing (:func:`two_point_state`, exact covariance);
  a measured range rate of the second detection is then fused as an ordinary update of that
  slot alone.  (A first
  version used the difference as the mean of a "diffuse" velocity prior and the second
  detection as an update: that counts the second detection twice, and at 0.1 s baselines the
  prior was far from diffuse -- velocity errors of 5 sigma; the bench caught it.)
* IR detections (angles only) never start a track alone: no range.  One that no track takes is
  kept as a *cue* (:class:`CuePool`) for ``cue_window_s``; a radar-born track whose position
  lies on a cue's line of sight (within ``cue_sigma`` of the cue's angular noise plus the
  track's own uncertainty at the cue's time) is confirmed at birth instead of after
  ``confirm_hits`` updates, and the cue is recorded as ``CUED`` to that track -- provided its
  velocity is already known to ``cue_confirm_max_vel_sigma_m_s`` (1-sigma per axis): a
  two-point start from a radar revisiting every 4 s has velocity errors of hundreds of m/s,
  and reported at once it drifted onto its neighbour in a salvo (measured on a 24-missile
  salvo: a new track 1.6 km and 870 m/s off, a scoring swap within a second).  The track is
  carried back to the cue's time with its own velocity and the test widens with its own
  uncertainty then.  (A first version widened it by ``|v| dt`` with the new track's own
  two-point velocity: over a 30 s window that is a cone of several milliradians at GEO range,
  which almost any clutter pair would match.)  A cue read after a track's birth, while the
  track is tentative, lies on it by the same test (the track carried forward,
  :meth:`TwoPointInitiator.cue_young`): it holds the track as a cue before birth does, but
  never confirms it.

Units: metres, seconds, radians; positions ECEF.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from ..earth.gravity import ecef_accel, gravity_j2
from ..sense.records import DETECTION_DTYPE
from . import history as hist
from .associate import assign_sparse, candidate_pairs
from .measure import Measurements
from .parts import Births

if TYPE_CHECKING:
    from .imm import IMM
    from .tracker import TrackerConfig

_EMPTY = np.zeros(0, np.int64)


class PendingPool:
    """Unassociated radar detections awaiting an initiation partner."""

    def __init__(self, det_dtype: np.dtype[np.void]) -> None:
        self.det = np.zeros(0, det_dtype)
        self.pos = np.zeros((0, 3))
        self.sig = np.zeros(0)
        self.sensor = np.zeros(0, np.int64)
        self.ledger = np.zeros(0, np.int64)
        self.frame = np.zeros(0, np.int64)  # the sensor's frame count when the row arrived
        self._frames: dict[int, int] = {}  # frames seen per sensor

    _F = ("det", "pos", "sig", "sensor", "ledger", "frame")

    def __len__(self) -> int:
        return int(self.det.size)

    def new_frame(self, sensor: int) -> None:
        """Count one more frame of ``sensor`` (call once per frame, before pairing)."""
        self._frames[sensor] = self._frames.get(sensor, 0) + 1

    def add(
        self, det: np.ndarray, pos: np.ndarray, sig: np.ndarray, sensor: int, ledger: np.ndarray
    ) -> None:
        self.det = np.concatenate([self.det, det])
        self.pos = np.concatenate([self.pos, pos])
        self.sig = np.concatenate([self.sig, sig])
        self.sensor = np.concatenate([self.sensor, np.broadcast_to(sensor, det.shape)])
        self.ledger = np.concatenate([self.ledger, ledger])
        self.frame = np.concatenate([self.frame, np.full(det.size, self._frames.get(sensor, 0))])

    def _keep(self, keep: np.ndarray) -> None:
        for f in self._F:
            setattr(self, f, getattr(self, f)[keep])

    def expire(self, t_now: float, max_dt_s: float, max_frames: int) -> np.ndarray:
        """Drop detections older than ``max_dt_s`` or ``max_frames`` frames of their sensor;
        returns their ledger indices."""
        if self.det.size == 0:  # the common case once every target is tracked
            return self.ledger
        count = np.array([self._frames.get(int(c), 0) for c in np.unique(self.sensor)])
        now = (
            count[np.searchsorted(np.unique(self.sensor), self.sensor)]
            if self.sensor.size
            else self.frame
        )
        old = (self.det["t_s"] < t_now - max_dt_s) | (now - self.frame > max_frames)
        out = self.ledger[old]
        if old.any():
            self._keep(~old)
        return out

    def pair(
        self,
        pos: np.ndarray,
        sig: np.ndarray,
        det: np.ndarray,
        sensor: int,
        *,
        max_speed_m_s: float,
        n_sigma: float,
        max_jerk_m_s3: float,
        turn_accel_m_s2: tuple[float, float, float] = (0.0, 0.0, 0.0),
        min_dt_s: float = 1e-3,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Pair new detections (positions (K, 3), 1-sigma position radii (K,), their records)
        of one sensor with pending ones.  Where both carry a range rate, the range change over
        the interval must match the trapezoid of the two range rates within ``n_sigma`` (noise
        plus a jerk allowance ``max_jerk dt^2 / 12``), and the squared normalised mismatch is
        the pairing cost (plus ``(distance / (max_speed dt))^2 <= 1``): in a train of missiles
        on one path the nearest detection a scan later is often the *next* missile (measured on
        the salvo scenario: 123 m/s mismatch against 6 m/s for the right partner).  With
        ``turn_accel_m_s2`` (the unknown acceleration along the velocity, across it in the
        vertical plane, sideways; zeros: off) the range rate's *change* must match the pair's
        velocity too (:func:`range_rate_turn_d2`), its squared mismatch added to the cost.
        Returns matched (pending index, new index); the caller removes the pending rows with
        :meth:`take`."""
        pi, ni, cost = self.feasible(
            pos, sig, det, sensor, max_speed_m_s=max_speed_m_s, n_sigma=n_sigma,
            max_jerk_m_s3=max_jerk_m_s3, turn_accel_m_s2=turn_accel_m_s2, min_dt_s=min_dt_s,
        )  # fmt: skip
        return assign_sparse(pi, ni, cost, len(self), pos.shape[0])

    def feasible(
        self,
        pos: np.ndarray,
        sig: np.ndarray,
        det: np.ndarray,
        sensor: int,
        *,
        max_speed_m_s: float,
        n_sigma: float,
        max_jerk_m_s3: float,
        turn_accel_m_s2: tuple[float, float, float] = (0.0, 0.0, 0.0),
        min_dt_s: float = 1e-3,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every physically possible (pending index, new index) pair of :meth:`pair` and its
        pairing cost, before the global choice."""
        if len(self) == 0 or pos.shape[0] == 0:
            return _EMPTY, _EMPTY, np.zeros(0)
        t_s = det["t_s"]
        t_ref = float(np.max(t_s))
        p_r = max_speed_m_s * np.clip(t_ref - self.det["t_s"], 0.0, None) + n_sigma * self.sig
        pi, ni = candidate_pairs(self.pos, p_r, pos, n_sigma * sig)
        dt = t_s[ni] - self.det["t_s"][pi]
        dist = np.linalg.norm(pos[ni] - self.pos[pi], axis=1)
        ok = (
            (self.sensor[pi] == sensor)
            & (dt > min_dt_s)
            & (dist <= max_speed_m_s * dt + n_sigma * (sig[ni] + self.sig[pi]))
        )
        zp, zn = self.det["z"][pi], det["z"][ni]
        sp, sn = self.det["sigma"][pi], det["sigma"][ni]
        rr = np.isfinite(zp[:, 3]) & np.isfinite(zn[:, 3]) & np.isfinite(sp[:, 3] + sn[:, 3])
        with np.errstate(invalid="ignore", divide="ignore"):
            cost = (dist / (max_speed_m_s * dt)) ** 2  # <= 1: prefers slower pairs, mildly
            resid, var = range_change_residual(zp, zn, sp, sn, dt)
            var = var + (max_jerk_m_s3 * dt**2 / 12.0) ** 2
            d2 = np.where(rr, resid**2 / var, 0.0)
        ok &= d2 <= n_sigma**2
        if rr.any() and any(a > 0.0 for a in turn_accel_m_s2):
            k = np.flatnonzero(ok & rr)
            dp, dn = self.det[pi[k]], det[ni[k]]
            d2t = range_rate_turn_d2(
                self.pos[pi[k]], pos[ni[k]], dp["sensor_ecef_m"], dn["sensor_ecef_m"],
                zp[k, 3], zn[k, 3], sp[k], sn[k], self.sig[pi[k]], sig[ni[k]], dt[k],
                along_m_s2=turn_accel_m_s2[0], pitch_m_s2=turn_accel_m_s2[1],
                lateral_m_s2=turn_accel_m_s2[2],
            )  # fmt: skip
            d2[k] += d2t
            ok[k] &= d2t <= n_sigma**2
        keep = np.flatnonzero(ok)
        return pi[keep], ni[keep], (cost + d2)[keep]

    def take(self, idx: np.ndarray) -> dict[str, np.ndarray]:
        """Remove rows ``idx`` and return them as a dict of arrays."""
        out = {f: getattr(self, f)[idx] for f in self._F}
        keep = np.ones(len(self), bool)
        keep[idx] = False
        self._keep(keep)
        return out


class CuePool:
    """Unassociated IR lines of sight kept as cues."""

    def __init__(self) -> None:
        self.t = np.zeros(0)
        self.sensor_pos = np.zeros((0, 3))
        self.los = np.zeros((0, 3))
        self.sig = np.zeros(0)
        self.ledger = np.zeros(0, np.int64)

    def __len__(self) -> int:
        return int(self.t.size)

    def add(
        self,
        t: np.ndarray,
        sensor_pos: np.ndarray,
        los: np.ndarray,
        sig: np.ndarray,
        ledger: np.ndarray,
    ) -> None:
        self.t = np.concatenate([self.t, t])
        self.sensor_pos = np.concatenate([self.sensor_pos, sensor_pos])
        self.los = np.concatenate([self.los, los])
        self.sig = np.concatenate([self.sig, sig])
        self.ledger = np.concatenate([self.ledger, ledger])

    def _keep(self, keep: np.ndarray) -> None:
        for f in ("t", "sensor_pos", "los", "sig", "ledger"):
            setattr(self, f, getattr(self, f)[keep])

    def expire(self, t_now: float, window_s: float) -> np.ndarray:
        old = self.t < t_now - window_s
        out = self.ledger[old]
        if old.any():
            self._keep(~old)
        return out

    def match(
        self,
        r: np.ndarray,
        v: np.ndarray,
        Prr: np.ndarray,
        Pvv: np.ndarray,
        t_s: np.ndarray,
        *,
        window_s: float,
        n_sigma: float,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Cues on the lines of sight of new tracks: positions (K, 3) m and velocities (K, 3)
        m/s at times ``t_s`` (K,), with position and velocity covariances (K, 3, 3).  Each track
        is carried back to the cue time (``r - v dt``) and must lie within ``n_sigma`` of the
        cue's angular noise plus its own position uncertainty at that time
        (``sqrt(tr Prr + dt^2 tr Pvv)``).  Returns (track index, ledger index of the cue), one
        cue per track at most; matched cues are removed."""
        if len(self) == 0 or r.shape[0] == 0:
            return _EMPTY, _EMPTY
        dt = t_s[:, None] - self.t[None, :]  # (K, C)
        back = r[:, None, :] - v[:, None, :] * dt[..., None]
        d = back - self.sensor_pos[None, :, :]
        dist = np.linalg.norm(d, axis=-1)
        cos = np.einsum("kci,ci->kc", d, self.los) / dist
        ang = np.arccos(np.clip(cos, -1.0, 1.0))
        sig = np.sqrt(
            np.trace(Prr, axis1=1, axis2=2)[:, None]
            + dt**2 * np.trace(Pvv, axis1=1, axis2=2)[:, None]
        )
        tol = n_sigma * (self.sig[None, :] + sig / dist)
        k, c = np.nonzero((ang <= tol) & (np.abs(dt) <= window_s))
        if k.size == 0:
            return _EMPTY, _EMPTY
        a_k, a_c = assign_sparse(k, c, ang[k, c] / tol[k, c], r.shape[0], len(self))
        out = self.ledger[a_c]
        keep = np.ones(len(self), bool)
        keep[a_c] = False
        self._keep(keep)
        return a_k, out


def range_change_residual(
    z1: np.ndarray, z2: np.ndarray, sig1: np.ndarray, sig2: np.ndarray, dt: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Two radar detections ``dt`` (K,) s apart (measurements ``z1``, ``z2`` and sigmas
    ``sig1``, ``sig2`` (K, 4): range m, angles rad, range rate m/s): the range change per
    second less the trapezoid of the two range rates (m/s), and that residual's noise variance
    (m^2/s^2); NaN where a range rate is missing.  :meth:`PendingPool.feasible` adds the jerk
    allowance."""
    resid = (z2[:, 0] - z1[:, 0]) / dt - 0.5 * (z1[:, 3] + z2[:, 3])
    var = (sig1[:, 0] ** 2 + sig2[:, 0] ** 2) / dt**2 + 0.25 * (sig1[:, 3] ** 2 + sig2[:, 3] ** 2)
    return resid, var


def range_rate_turn_d2(
    pos1: np.ndarray,
    pos2: np.ndarray,
    sensor1: np.ndarray,
    sensor2: np.ndarray,
    rr1: np.ndarray,
    rr2: np.ndarray,
    sig1: np.ndarray,
    sig2: np.ndarray,
    rad1: np.ndarray,
    rad2: np.ndarray,
    dt: np.ndarray,
    *,
    along_m_s2: float,
    pitch_m_s2: float,
    lateral_m_s2: float,
) -> np.ndarray:
    """Squared normalised mismatch (K,) of the range rate's change between two radar
    detections of one object, ``dt`` (K,) s apart: ECEF positions ``pos1``, ``pos2`` (K, 3) m
    seen from ``sensor1``, ``sensor2`` (K, 3) m, range rates ``rr1``, ``rr2`` (K,) m/s,
    measurement sigmas ``sig1``, ``sig2`` (K, 4) (range m, angles rad, range rate m/s) and
    1-sigma position radii ``rad1``, ``rad2`` (K,) m (square root of the covariance's trace).

    The range rate ``u . v`` turns with the line of sight ``u`` (for small turns its
    derivative is ``(|v|^2 - rr^2) / r + u . a``).  The pair's mean velocity
    ``(pos2 - pos1) / dt`` and the known acceleration ``a`` (J2 gravity, Coriolis, centrifugal
    at the midpoint) predict the change exactly for a constant acceleration:
    ``u2 . (v + a dt/2) - u1 . (v - a dt/2)``, ``u1``, ``u2`` the two lines of sight (close to
    a radar they turn by tens of degrees within a scan).  The variance holds the range-rate
    noise, the positions' (cross-range sigma ``sqrt((rad^2 - sigma_range^2) / 2)`` per axis,
    through the prediction's gradients) and the unknown rest of the acceleration (1-sigma,
    each times its part along the line of sight): thrust or drag along the velocity
    (``along_m_s2``), steering or lift across it in the vertical plane (``pitch_m_s2``: a
    boost's pitch programme, a glider's pull-up) and sideways (``lateral_m_s2``).  It is the
    test the range change (:meth:`PendingPool.feasible`) cannot make where a missile flies
    across the radar's line of sight: there the range barely changes, but the detection of a
    train-mate paired with this one implies a velocity that turns the line of sight at
    another rate; and there the thrust and the steering barely project on the line of sight
    either (measured in ``scripts/pair_residuals.py --turn``)."""
    dt = np.asarray(dt, float)
    v = (pos2 - pos1) / dt[:, None]  # the mean velocity, exact for a constant acceleration
    mid = 0.5 * (pos1 + pos2)
    half = 0.5 * dt[:, None] * ecef_accel(mid, v)
    los1, los2 = pos1 - sensor1, pos2 - sensor2
    r1, r2 = np.linalg.norm(los1, axis=1), np.linalg.norm(los2, axis=1)
    u1, u2 = los1 / r1[:, None], los2 / r2[:, None]
    v1, v2 = v - half, v + half
    p1, p2 = np.einsum("ij,ij->i", u1, v1), np.einsum("ij,ij->i", u2, v2)  # predicted rates
    resid = (rr2 - rr1) - (p2 - p1)
    # the prediction's error from the positions' (each line of sight turns, the velocity
    # changes): gradients g_k of u2 . v2 - u1 . v1 with respect to pos_k
    du = (u2 - u1) / dt[:, None]
    g2 = (v2 - p2[:, None] * u2) / r2[:, None] + du
    g1 = (v1 - p1[:, None] * u1) / r1[:, None] + du
    var_pos = np.zeros(dt.size)
    for g, u, sig, rad in ((g1, u1, sig1, rad1), (g2, u2, sig2, rad2)):
        g_los = np.einsum("ij,ij->i", g, u)
        cross2 = 0.5 * np.maximum(rad**2 - sig[:, 0] ** 2, 0.0)  # per cross-range axis
        var_pos += g_los**2 * sig[:, 0] ** 2 + (np.einsum("ij,ij->i", g, g) - g_los**2) * cross2
    # the unknown acceleration's part along the line of sight: thrust or drag along the
    # velocity, steering or lift in the vertical plane across it (pitch), and sideways
    u = 0.5 * (u1 + u2)
    speed = np.maximum(np.linalg.norm(v, axis=1), 1.0)
    e_v = v / speed[:, None]
    up = mid / np.linalg.norm(mid, axis=1)[:, None]
    n = up - np.einsum("ij,ij->i", up, e_v)[:, None] * e_v
    n /= np.maximum(np.linalg.norm(n, axis=1), 1e-9)[:, None]
    side = np.cross(e_v, n)
    u_v, u_pitch, u_side = (np.einsum("ij,ij->i", u, e) for e in (e_v, n, side))
    a_los2 = (along_m_s2 * u_v) ** 2 + (pitch_m_s2 * u_pitch) ** 2 + (lateral_m_s2 * u_side) ** 2
    var = sig1[:, 3] ** 2 + sig2[:, 3] ** 2 + var_pos + dt**2 * a_los2
    d2: np.ndarray = resid**2 / var
    return d2


def two_point_state(
    pos1: np.ndarray,
    cov1: np.ndarray,
    pos2: np.ndarray,
    cov2: np.ndarray,
    dt: np.ndarray,
    *,
    accel: np.ndarray,
    accel_sigma_m_s2: float,
    cross_accel_sigma_m_s2: float,
    log_beta: float,
    log_beta_sigma: float,
    mode_probs: ArrayLike,
    lift: float | None = None,
    lift_sigma: float = 0.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """IMM state of K new tracks at the second detection by two-point differencing.

    Positions (K, 3) m and covariances (K, 3, 3) m^2 of two detections ``dt`` (K,) s apart,
    ``accel`` (K, 3) the known (gravity) acceleration.  ``r = r2``,
    ``v = (r2 - r1)/dt + a dt/2``; covariance exact for independent detection errors
    (``Prr = R2, Prv = R2/dt, Pvv = (R1 + R2)/dt^2``) plus an unknown acceleration over half
    the baseline: ``accel_sigma_m_s2`` along the velocity (thrust), ``cross_accel_sigma_m_s2``
    across it (lift).  (Isotropic 300 m/s^2 gave 1 km/s velocity sigmas from 4 s baselines,
    and such a track took a neighbour's detection in the salvo scenario.)  With ``lift`` the
    state has an eighth component, the lift-to-drag ratio, with prior ``N(lift, lift_sigma^2)``
    independent of the rest.  Returns means (K, M, n), covariances (K, M, n, n) and model
    probabilities (K, M).
    """
    k = pos1.shape[0]
    mu = np.asarray(mode_probs, float)
    m = mu.size
    dt = np.asarray(dt, float)[:, None]
    n = 7 if lift is None else 8
    x = np.empty((k, n))
    x[:, :3] = pos2
    x[:, 3:6] = (pos2 - pos1) / dt + 0.5 * accel * dt
    x[:, 6] = log_beta
    P = np.zeros((k, n, n))
    P[:, :3, :3] = cov2
    P[:, :3, 3:6] = P[:, 3:6, :3] = cov2 / dt[..., None]
    v = x[:, 3:6]
    u = v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-9)
    half = (0.5 * dt[..., None]) ** 2
    P[:, 3:6, 3:6] = (cov1 + cov2) / dt[..., None] ** 2 + half * (
        cross_accel_sigma_m_s2**2 * np.eye(3)
        + (accel_sigma_m_s2**2 - cross_accel_sigma_m_s2**2) * u[:, :, None] * u[:, None, :]
    )
    P[:, 6, 6] = log_beta_sigma**2
    if lift is not None:
        x[:, 7] = lift
        P[:, 7, 7] = lift_sigma**2
    return (
        np.repeat(x[:, None], m, axis=1),
        np.repeat(P[:, None], m, axis=1),
        np.broadcast_to(mu / mu.sum(), (k, m)).copy(),
    )


class TwoPointInitiator:
    """The tracker's default :class:`~.parts.Initiator` (module docstring): two-point radar
    initiation from the :class:`PendingPool`, IR cues from the :class:`CuePool`.  ``config``:
    a :class:`~.tracker.TrackerConfig` (its ``init_*``, ``cue_*``, ``confirm_hits``,
    ``coarse_sigma``, ``max_accel_m_s2`` and ``initial_mode_probs``)."""

    def __init__(self, config: TrackerConfig) -> None:
        self.config = config
        self.pending = PendingPool(DETECTION_DTYPE)
        self.cues = CuePool()

    def new_frame(self, sensor: int) -> None:
        self.pending.new_frame(sensor)

    def expire(self, t_now: float) -> np.ndarray:
        cfg = self.config
        if len(self.pending) == 0 and self.cues.t.size == 0:  # every target tracked
            return self.pending.ledger
        return np.concatenate(
            [
                self.pending.expire(t_now, cfg.init_max_dt_s, cfg.init_max_frames),
                self.cues.expire(t_now, cfg.cue_window_s),
            ]
        )

    def initiate(
        self, det: np.ndarray, meas: Measurements, ledger_idx: np.ndarray, sensor: int, imm: IMM
    ) -> Births:
        cfg = self.config
        radar = meas.valid[:, :3].all(axis=1) & (det["kind"] == "radar")
        ir = ~radar
        if ir.any():  # angle-only detections wait as cues
            sel = np.flatnonzero(ir)
            m = meas.take(sel)
            self.cues.add(
                m.t_s,
                m.sensor_ecef,
                m.los_unit(),
                np.hypot(m.sigma[:, 1], m.sigma[:, 2]),
                ledger_idx[sel],
            )
        if not radar.any():
            return self._none(imm, sensor)
        sel = np.flatnonzero(radar)
        m = meas.take(sel)
        pos, cov = m.position_ecef()
        sig = np.sqrt(np.trace(cov, axis1=1, axis2=2))
        pi, ni = self.pending.pair(
            pos,
            sig,
            det[sel],
            sensor,
            max_speed_m_s=cfg.init_max_speed_m_s,
            n_sigma=cfg.coarse_sigma,
            max_jerk_m_s3=cfg.init_max_jerk_m_s3,
            turn_accel_m_s2=cfg.init_turn_accel_m_s2,
        )
        rest = np.ones(sel.size, bool)
        rest[ni] = False
        r = np.flatnonzero(rest)
        births = self._none(imm, sensor)
        if ni.size:
            first = self.pending.take(pi)
            births = self._start(
                first, m.take(ni), pos[ni], cov[ni], ledger_idx[sel[ni]], sensor, imm
            )
        self.pending.add(det[sel[r]], pos[r], sig[r], sensor, ledger_idx[sel[r]])
        return births

    def cue_young(
        self, r: np.ndarray, v: np.ndarray, Prr: np.ndarray, Pvv: np.ndarray, t_s: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """IR cues that lie on tentative tracks born before them (:class:`~.parts.LateCues`):
        the test of a cue at birth (:meth:`CuePool.match`), the track carried forward to the
        cue's time.  The evidence is the same whichever came first: the plume seen a scan
        after the radar's two-point start, not before it (japan-overflights seed 2 e0: a
        start at +50.3 s, the plume at +52.1 s, two radar scans missed, the start deleted
        and the missile tracked again only at +79.5 s)."""
        cfg = self.config
        return self.cues.match(
            r, v, Prr, Pvv, t_s, window_s=cfg.cue_window_s, n_sigma=cfg.cue_sigma
        )

    def wait(
        self, det: np.ndarray, meas: Measurements, ledger_idx: np.ndarray, sensor: int
    ) -> None:
        """Radar detections ``det`` (their measurements ``meas``, ledger indices) of ``sensor``
        join the pending pool without pairing now (:class:`~.parts.HeldDetections`: a young
        track's held detection, possibly a new object's first point)."""
        pos, cov = meas.position_ecef()
        self.pending.add(det, pos, np.sqrt(np.trace(cov, axis1=1, axis2=2)), sensor, ledger_idx)

    def withdraw(self, ledger_idx: np.ndarray) -> None:
        """Pending detections with ledger indices ``ledger_idx`` leave the pool (a held
        detection given to its track)."""
        gone = np.isin(self.pending.ledger, ledger_idx)
        if gone.any():
            self.pending.take(np.flatnonzero(gone))

    def partners(
        self, det: np.ndarray, meas: Measurements, sensor: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
        """Launch evidence for the association's "new object" alternative
        (:class:`~.parts.BirthEvidence`): for detections ``det`` of one frame of ``sensor``
        (their measurements ``meas``), every pending detection of the same sensor that could
        start a track with one of them (the tests of :meth:`PendingPool.pair`).  Returns
        ``(k, pos, cov, t_s)``: the frame row (P,), the pending detection's ECEF position
        (P, 3) m, its covariance (P, 3, 3) m^2 and its time (P,) s; None when no pending
        detection of ``sensor`` waits (the common case once every object is tracked)."""
        pend = self.pending
        if len(pend) == 0 or not (pend.sensor == sensor).any():
            return None
        cfg = self.config
        radar = meas.valid[:, :3].all(axis=1) & (det["kind"] == "radar")
        if not radar.any():
            return None
        sel = np.flatnonzero(radar)
        pos, cov = meas.take(sel).position_ecef()
        pi, ni, _ = pend.feasible(
            pos,
            np.sqrt(np.trace(cov, axis1=1, axis2=2)),
            det[sel],
            sensor,
            max_speed_m_s=cfg.init_max_speed_m_s,
            n_sigma=cfg.coarse_sigma,
            max_jerk_m_s3=cfg.init_max_jerk_m_s3,
            turn_accel_m_s2=cfg.init_turn_accel_m_s2,
        )
        if pi.size == 0:
            return None
        p_pos, p_cov = Measurements.from_detections(pend.det[pi]).position_ecef()
        return sel[ni], p_pos, p_cov, pend.det["t_s"][pi]

    @staticmethod
    def _none(imm: IMM, sensor: int) -> Births:
        m, n = imm.n_models, imm.n_state
        return Births(
            x=np.zeros((0, m, n)),
            P=np.zeros((0, m, n, n)),
            mu=np.zeros((0, m)),
            t_s=np.zeros(0),
            hits=_EMPTY,
            confirmed=np.zeros(0, bool),
            det_id=_EMPTY,
            sensor=sensor,
        )

    def _start(
        self,
        first: dict[str, np.ndarray],
        second: Measurements,
        pos2: np.ndarray,
        cov2: np.ndarray,
        led2: np.ndarray,
        sensor: int,
        imm: IMM,
    ) -> Births:
        cfg = self.config
        pos1, cov1 = Measurements.from_detections(first["det"]).position_ecef()
        x, P, mu = two_point_state(
            pos1,
            cov1,
            pos2,
            cov2,
            second.t_s - first["det"]["t_s"],
            accel=gravity_j2(pos2),
            accel_sigma_m_s2=cfg.max_accel_m_s2,
            cross_accel_sigma_m_s2=cfg.init_cross_accel_m_s2,
            log_beta=cfg.init_log_beta,
            log_beta_sigma=cfg.init_log_beta_sigma,
            mode_probs=cfg.initial_mode_probs,
            lift=cfg.init_lift if imm.n_state > 7 else None,
            lift_sigma=cfg.init_lift_sigma,
        )
        ll = np.zeros(x.shape[0])
        rr = np.flatnonzero(second.valid[:, 3])
        if rr.size:  # fuse the range rate of the second detection (its position is used)
            m_rr = second.take(rr)
            m_rr.valid[:, :3] = False
            x[rr], P[rr], mu[rr], ll[rr] = imm.update(x[rr], P[rr], mu[rr], m_rr)
        ok = np.isfinite(ll)
        n_new = int(ok.sum())
        hits = np.full(n_new, 2, np.int64)
        confirmed = hits >= cfg.confirm_hits
        xc, Pc = imm.combine(x[ok], P[ok], mu[ok])
        k, cue_led = self.cues.match(
            xc[:, :3],
            xc[:, 3:6],
            Pc[:, :3, :3],
            Pc[:, 3:6, 3:6],
            second.t_s[ok],
            window_s=cfg.cue_window_s,
            n_sigma=cfg.cue_sigma,
        )
        vel_sig = np.sqrt(np.trace(Pc[k, 3:6, 3:6], axis1=1, axis2=2) / 3.0)
        confirmed[k[vel_sig <= cfg.cue_confirm_max_vel_sigma_m_s]] = True
        cued = np.zeros(n_new, bool)
        cued[k] = True  # confirmed or not: held through more misses (tracker rule 5)
        births = np.arange(n_new)
        led = np.concatenate(
            [cue_led, first["ledger"][ok], led2[ok], first["ledger"][~ok], led2[~ok]]
        )
        n_bad = int((~ok).sum())
        outcome = np.concatenate(
            [
                np.full(cue_led.size, hist.CUED),
                np.full(2 * n_new, hist.STARTED),
                np.full(2 * n_bad, hist.UNASSOCIATED),
            ]
        )
        birth = np.concatenate([k, births, births, np.full(2 * n_bad, -1)])
        return Births(
            x=x[ok],
            P=P[ok],
            mu=mu[ok],
            t_s=second.t_s[ok],
            hits=hits,
            confirmed=confirmed,
            det_id=second.det_id[ok],
            sensor=sensor,
            cued=cued,
            ledger_idx=led.astype(np.int64),
            ledger_outcome=outcome.astype(np.int64),
            ledger_birth=birth.astype(np.int64),
        )
