"""Measurement models: radar (range, azimuth, elevation, optional range rate) and IR (azimuth,
elevation), from a sensor position given per detection.

Every measurement uses one layout, ``z = [range m, az rad, el rad, range_rate m/s]`` with a
validity mask: a radar detection without range rate leaves slot 3 out, an IR detection (whose
record carries ``[az, el, NaN, NaN]``) fills slots 1-2 only.  Angles are in the local geodetic
East-North-Up frame at the sensor (azimuth clockwise from north in [0, 2 pi), elevation above the
tangent plane); the sensor is taken at rest in ECEF, so range rate is ``d . v / |d|`` with ``d``
the ECEF line of sight and ``v`` the target's ECEF velocity.  Azimuth innovations are wrapped to
[-pi, pi).  Near the sensor's zenith azimuth is ill-conditioned (its Jacobian grows as 1/horizontal
distance); nothing special is done there.

:func:`meas_innovation` is the numba scalar model used by the EKF kernels;
:func:`predict_measurement` evaluates the same model batched (for the UKF's sigma points).  The
independent NumPy implementation of the angles in :mod:`launchwatch.sense.geometry` is used to
test both.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, overload

import numpy as np
from numba import njit, prange
from numpy.typing import ArrayLike

from ..earth.frames import ecef_to_geodetic, enu_matrix
from ..sense.records import DETECTION_DTYPE
from .models import PARALLEL

N_MEAS = 4
_TWO_PI = 2.0 * math.pi


@dataclass(frozen=True, slots=True)
class Measurements:
    """K measurements in the unified layout (see module docstring).

    ``z``, ``sigma`` (K, 4), ``valid`` (K, 4) bool, ``sensor_ecef`` (K, 3) m, ``enu`` (K, 3, 3)
    ECEF->ENU rotation at the sensor, ``t_s`` (K,) s, ``det_id`` (K,).
    """

    z: np.ndarray
    sigma: np.ndarray
    valid: np.ndarray
    sensor_ecef: np.ndarray
    enu: np.ndarray
    t_s: np.ndarray
    det_id: np.ndarray

    def __len__(self) -> int:
        return int(self.z.shape[0])

    @classmethod
    def from_detections(cls, det: np.ndarray) -> Measurements:
        """From rows of :data:`launchwatch.sense.records.DETECTION_DTYPE` (one compiled pass
        over the records; other record layouts with those fields: :meth:`from_fields`)."""
        if det.dtype != DETECTION_DTYPE or det.ndim != 1:
            return cls.from_fields(det)
        k = det.shape[0]
        z, sg = np.empty((k, N_MEAS)), np.empty((k, N_MEAS))
        valid = np.empty((k, N_MEAS), np.bool_)
        s, t, ids = np.empty((k, 3)), np.empty(k), np.empty(k, np.int64)
        one_site = _from_records_kernel(det, z, sg, valid, s, t, ids)
        if k and one_site:  # one sensor position (a scan): one rotation
            enu = np.empty((k, 3, 3))
            enu[:] = _enu_of_site(s[0])
        else:
            lat, lon, _ = ecef_to_geodetic(s)
            enu = np.ascontiguousarray(enu_matrix(lat, lon))
        return cls(z=z, sigma=sg, valid=valid, sensor_ecef=s, enu=enu, t_s=t, det_id=ids)

    @classmethod
    def from_fields(cls, det: np.ndarray) -> Measurements:
        """:meth:`from_detections` by NumPy field operations (any record array with the
        fields of :data:`~launchwatch.sense.records.DETECTION_DTYPE`)."""
        k = det.shape[0]
        ir = det["kind"] == "ir"
        z = np.array(det["z"], dtype=float).reshape(k, N_MEAS)
        sg = np.array(det["sigma"], dtype=float).reshape(k, N_MEAS)
        if ir.any():  # IR [az, el, -, -] -> slots 1, 2
            z[ir] = np.column_stack(
                [np.full(ir.sum(), np.nan), z[ir, 0], z[ir, 1], np.full(ir.sum(), np.nan)]
            )
            sg[ir] = np.column_stack(
                [np.full(ir.sum(), np.nan), sg[ir, 0], sg[ir, 1], np.full(ir.sum(), np.nan)]
            )
        valid = np.isfinite(z) & np.isfinite(sg) & (sg > 0.0)
        s = np.ascontiguousarray(det["sensor_ecef_m"], dtype=float).reshape(k, 3)
        if k and (s == s[0]).all():  # one sensor position (a scan): one rotation
            enu = np.broadcast_to(_enu_of_site(s[0]), (k, 3, 3))
        else:
            lat, lon, _ = ecef_to_geodetic(s)
            enu = enu_matrix(lat, lon)
        return cls(
            z=np.where(valid, z, 0.0),
            sigma=np.where(valid, sg, 1.0),
            valid=valid,
            sensor_ecef=s,
            enu=np.ascontiguousarray(enu),
            t_s=np.asarray(det["t_s"], float),
            det_id=np.asarray(det["det_id"]),
        )

    def take(self, idx: np.ndarray) -> Measurements:
        return Measurements(*(getattr(self, f)[idx] for f in self.__slots__))

    def los_unit(self) -> np.ndarray:
        """(K, 3) ECEF unit line of sight of each measurement (from its azimuth/elevation)."""
        az, el = self.z[:, 1], self.z[:, 2]
        enu = np.stack([np.cos(el) * np.sin(az), np.cos(el) * np.cos(az), np.sin(el)], axis=-1)
        los: np.ndarray = np.einsum("kji,kj->ki", self.enu, enu)
        return los

    def position_ecef(self) -> tuple[np.ndarray, np.ndarray]:
        """Radar rows: (K, 3) ECEF position (m) and (K, 3, 3) its covariance (m^2), first order
        in the range/angle noise."""
        k = len(self)
        pos, cov = np.empty((k, 3)), np.empty((k, 3, 3))
        _radar_ecef_kernel(
            self.z,
            self.sigma,
            np.ascontiguousarray(self.enu),
            np.ascontiguousarray(self.sensor_ecef),
            pos,
            cov,
        )
        return pos, cov


@njit(cache=True)
def _from_records_kernel(det, z, sg, valid, s, t, ids):  # type: ignore[no-untyped-def]
    """:meth:`Measurements.from_fields` over DETECTION_DTYPE records into ``z``, ``sg``,
    ``valid`` (K, 4), ``s`` (K, 3), ``t``, ``ids`` (K,); returns whether every row has the
    first row's sensor position."""
    one_site = True
    for k in range(det.shape[0]):
        d = det[k]
        if d.kind == "ir":  # IR [az, el, -, -] -> slots 1, 2
            zz = (np.nan, d.z[0], d.z[1], np.nan)
            ss = (np.nan, d.sigma[0], d.sigma[1], np.nan)
        else:
            zz = (d.z[0], d.z[1], d.z[2], d.z[3])
            ss = (d.sigma[0], d.sigma[1], d.sigma[2], d.sigma[3])
        for j in range(N_MEAS):
            ok = math.isfinite(zz[j]) and math.isfinite(ss[j]) and ss[j] > 0.0
            valid[k, j] = ok
            z[k, j] = zz[j] if ok else 0.0
            sg[k, j] = ss[j] if ok else 1.0
        for j in range(3):
            s[k, j] = d.sensor_ecef_m[j]
            if not s[k, j] == s[0, j]:
                one_site = False
        t[k] = d.t_s
        ids[k] = d.det_id
    return one_site


_ENU_CACHE: dict[bytes, np.ndarray] = {}


def _enu_of_site(site_ecef: np.ndarray) -> np.ndarray:
    """ECEF -> ENU rotation (3, 3) at a sensor site, cached by the site's exact coordinates
    (sensors do not move between scans; the cache is bounded)."""
    key = site_ecef.tobytes()
    m = _ENU_CACHE.get(key)
    if m is None:
        lat, lon, _ = ecef_to_geodetic(site_ecef)
        m = enu_matrix(lat, lon)
        m.flags.writeable = False
        if len(_ENU_CACHE) >= 4096:
            _ENU_CACHE.clear()
        _ENU_CACHE[key] = m
    return m


@njit(cache=True, error_model="numpy")
def _radar_ecef_kernel(
    z: np.ndarray,
    sg: np.ndarray,
    E: np.ndarray,
    sensor: np.ndarray,
    pos: np.ndarray,
    cov: np.ndarray,
) -> None:
    """ECEF position and covariance of (range, az, el) measurements: ``s + E^T enu`` with
    ``enu = range (cos el sin az, cos el cos az, sin el)``; ``J R J^T`` with ``J = E^T d enu``."""
    J = np.empty((3, 3))
    Jx = np.empty((3, 3))
    for row in range(z.shape[0]):
        rng, az, el = z[row, 0], z[row, 1], z[row, 2]
        ca, sa, ce, se = math.cos(az), math.sin(az), math.cos(el), math.sin(el)
        enu = (rng * ce * sa, rng * ce * ca, rng * se)
        J[0, 0], J[0, 1], J[0, 2] = ce * sa, rng * ce * ca, -rng * se * sa
        J[1, 0], J[1, 1], J[1, 2] = ce * ca, -rng * ce * sa, -rng * se * ca
        J[2, 0], J[2, 1], J[2, 2] = se, 0.0, rng * ce
        for i in range(3):
            acc = sensor[row, i]
            for k in range(3):
                acc += E[row, k, i] * enu[k]
            pos[row, i] = acc
            for j in range(3):
                acc = 0.0
                for k in range(3):
                    acc += E[row, k, i] * J[k, j]
                Jx[i, j] = acc
        for i in range(3):
            for j in range(i, 3):
                acc = 0.0
                for k in range(3):
                    acc += Jx[i, k] * sg[row, k] * sg[row, k] * Jx[j, k]
                cov[row, i, j] = acc
                cov[row, j, i] = acc


@njit(cache=True, error_model="numpy")
def radar_gate_kernel(
    z: np.ndarray,
    sg: np.ndarray,
    E: np.ndarray,
    sensor: np.ndarray,
    t_s: np.ndarray,
    t_ref: float,
    n_sigma: float,
    max_speed: float,
    pos: np.ndarray,
    radius: np.ndarray,
) -> None:
    """Coarse gate of radar rows: ECEF positions ``pos`` (:func:`_radar_ecef_kernel`) and radii
    ``n_sigma sqrt(tr cov) + max_speed |t - t_ref|`` (m)."""
    k = z.shape[0]
    cov = np.empty((k, 3, 3))
    _radar_ecef_kernel(z, sg, E, sensor, pos, cov)
    for row in range(k):
        tr = cov[row, 0, 0] + cov[row, 1, 1] + cov[row, 2, 2]
        radius[row] = n_sigma * np.sqrt(tr) + np.abs(t_s[row] - t_ref) * max_speed


@njit(cache=True, inline="always", error_model="numpy")
def meas_predict(
    x: np.ndarray, sensor: np.ndarray, E: np.ndarray, out: np.ndarray, H: np.ndarray
) -> None:
    """Predicted [range, az, el, range_rate] of state ``x`` into ``out`` (4,) and, if ``H`` has
    rows, its Jacobian (4, 7) with respect to the state."""
    d0, d1, d2 = x[0] - sensor[0], x[1] - sensor[1], x[2] - sensor[2]
    e = E[0, 0] * d0 + E[0, 1] * d1 + E[0, 2] * d2
    n = E[1, 0] * d0 + E[1, 1] * d1 + E[1, 2] * d2
    u = E[2, 0] * d0 + E[2, 1] * d1 + E[2, 2] * d2
    hor2 = e * e + n * n
    hor = math.sqrt(hor2)
    r2 = hor2 + u * u
    rng = math.sqrt(r2)
    rr = (d0 * x[3] + d1 * x[4] + d2 * x[5]) / rng
    az = math.atan2(e, n)
    if az < 0.0:
        az += _TWO_PI
    out[0], out[1], out[2], out[3] = rng, az, math.atan2(u, hor), rr
    if H.shape[0] == 0:
        return
    H[:, :] = 0.0
    d = (d0, d1, d2)
    ga = (n / hor2, -e / hor2, 0.0)  # d az / d enu
    k = -u / (hor * r2)
    ge = (k * e, k * n, hor / r2)  # d el / d enu
    for j in range(3):
        H[0, j] = d[j] / rng
        H[1, j] = ga[0] * E[0, j] + ga[1] * E[1, j]
        H[2, j] = ge[0] * E[0, j] + ge[1] * E[1, j] + ge[2] * E[2, j]
        H[3, j] = (x[3 + j] - rr * d[j] / rng) / rng
        H[3, 3 + j] = d[j] / rng


@njit(cache=True, inline="always", error_model="numpy")
def meas_innovation(
    x: np.ndarray,
    P: np.ndarray,
    z: np.ndarray,
    sg: np.ndarray,
    valid: np.ndarray,
    sensor: np.ndarray,
    E: np.ndarray,
    hx: np.ndarray,
    Hfull: np.ndarray,
    nu: np.ndarray,
    H: np.ndarray,
    S: np.ndarray,
    PHt: np.ndarray,
) -> int:
    """Compact innovation of the valid slots: fills ``nu[:m]``, ``H[:m]``, ``PHt[:, :m] =
    P H^T`` and ``S[:m, :m] = H P H^T + R``; returns ``m`` (azimuth wrapped).  Only the
    position columns of H (and the velocity ones for range rate) are non-zero."""
    meas_predict(x, sensor, E, hx, Hfull)
    n = x.shape[0]
    m = 0
    for i in range(4):
        if not valid[i]:
            continue
        v = z[i] - hx[i]
        if i == 1:
            v = (v + math.pi) % _TWO_PI - math.pi
        nu[m] = v
        for j in range(n):
            H[m, j] = Hfull[i, j]
        ncol = 6 if i == 3 else 3
        for r in range(n):
            acc = 0.0
            for j in range(ncol):
                acc += P[r, j] * Hfull[i, j]
            PHt[r, m] = acc
        m += 1
    k = 0
    for a in range(m):
        for b in range(a, m):
            acc = 0.0
            for j in range(6):
                acc += H[a, j] * PHt[j, b]
            S[a, b] = acc
            S[b, a] = acc
    for i in range(4):
        if valid[i]:
            S[k, k] += sg[i] * sg[i]
            k += 1
    return m


@njit(cache=True, inline="always")
def cholesky_inplace(S: np.ndarray, m: int) -> bool:
    """Lower Cholesky factor of ``S[:m, :m]`` in place; False if not positive definite."""
    for j in range(m):
        acc = S[j, j]
        for k in range(j):
            acc -= S[j, k] * S[j, k]
        if not acc > 0.0:
            return False
        d = math.sqrt(acc)
        S[j, j] = d
        for i in range(j + 1, m):
            acc = S[i, j]
            for k in range(j):
                acc -= S[i, k] * S[j, k]
            S[i, j] = acc / d
    return True


@njit(cache=True, inline="always")
def chol_solve(L: np.ndarray, m: int, b: np.ndarray) -> None:
    """Solve (L L^T) y = b for ``b[:m]`` in place."""
    for i in range(m):
        acc = b[i]
        for k in range(i):
            acc -= L[i, k] * b[k]
        b[i] = acc / L[i, i]
    for i in range(m - 1, -1, -1):
        acc = b[i]
        for k in range(i + 1, m):
            acc -= L[k, i] * b[k]
        b[i] = acc / L[i, i]


@njit(cache=True, parallel=PARALLEL, error_model="numpy")
def _predict_meas_kernel(x: np.ndarray, sensor: np.ndarray, E: np.ndarray, out: np.ndarray) -> None:
    for row in prange(x.shape[0]):
        meas_predict(x[row], sensor[row], E[row], out[row], np.empty((0, 7)))


@njit(cache=True, parallel=PARALLEL, error_model="numpy")
def _jac_meas_kernel(
    x: np.ndarray, sensor: np.ndarray, E: np.ndarray, hx: np.ndarray, H: np.ndarray
) -> None:
    for row in prange(x.shape[0]):
        meas_predict(x[row], sensor[row], E[row], hx[row], H[row])


@overload
def predict_measurement(
    x: ArrayLike, sensor_ecef: ArrayLike, enu: ArrayLike, *, jacobian: Literal[False] = ...
) -> np.ndarray: ...
@overload
def predict_measurement(
    x: ArrayLike, sensor_ecef: ArrayLike, enu: ArrayLike, *, jacobian: Literal[True]
) -> tuple[np.ndarray, np.ndarray]: ...
def predict_measurement(
    x: ArrayLike, sensor_ecef: ArrayLike, enu: ArrayLike, *, jacobian: bool = False
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Batched model: states ``x`` (K, 7), sensors (K, 3), ENU rotations (K, 3, 3) ->
    (K, 4) ``[range, az, el, range_rate]``, and the (K, 4, 7) Jacobian on request."""
    x = np.ascontiguousarray(x, dtype=float)
    out = np.empty((x.shape[0], N_MEAS))
    s = np.ascontiguousarray(sensor_ecef, dtype=float)
    E = np.ascontiguousarray(enu, dtype=float)
    if not jacobian:
        _predict_meas_kernel(x, s, E, out)
        return out
    H = np.empty((x.shape[0], N_MEAS, x.shape[1]))
    _jac_meas_kernel(x, s, E, out, H)
    return out, H


def wrap_pi(a: np.ndarray) -> np.ndarray:
    """Angle(s) wrapped to [-pi, pi) (rad)."""
    wrapped: np.ndarray = np.mod(a + np.pi, _TWO_PI) - np.pi
    return wrapped
