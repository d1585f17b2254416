"""Single-target peers of ``launchwatch bench tracking``: FilterPy's and nrl-tracker's EKF.

Both libraries are installed only with the ``bench`` extra (never at run time). Each runs its
own extended Kalman filter -- FilterPy's ``ExtendedKalmanFilter`` (predict / update with the
Jacobian and measurement functions passed in) and nrl-tracker's (the Python port of the NRL
Tracker Component Library, ``pytcl``) ``ekf_predict`` / ``ekf_update`` -- on the *same* model,
which we give them compiled with numba so that the figure measures each library's filter and
not the speed of a Python model function:

* state ``[e, n, u, ve, vn, vu]`` in the radar's local east-north-up frame (m, m/s);
* motion: ballistic under J2 gravity with the Coriolis and centrifugal terms of the rotating
  Earth (the Stone Soup peer's physics), one RK4 step per scan interval in two sub-steps; its
  Jacobian from the point-mass gravity gradient and the Coriolis term;
* process noise: white acceleration, ``q = 1 m^2/s^3`` (as for Stone Soup);
* measurement: range, azimuth (from north, clockwise), elevation, with the analytic Jacobian;
  the azimuth of the measurement is unwrapped to the prediction's branch before the update
  (nrl-tracker's ``ekf_update`` subtracts plainly; FilterPy gets the same input).

Tracks start like Stone Soup's: from two detections one second apart. These are single-target
filters with no association, initiation or IMM: they are the per-update cost floor of an EKF in
each library, not a tracker of launchwatch's scope.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from numba import njit

from ..earth import frames
from ..earth.constants import A_M, GM_M3_S2, J2, OMEGA_RAD_S

_KJ2 = 1.5 * J2 * GM_M3_S2 * A_M * A_M


@njit(cache=True)
def _accel_enu(p, v, m, r0):
    """ENU acceleration (m/s^2) of a body at ENU position ``p`` / velocity ``v``: J2 gravity,
    Coriolis and centrifugal, in ECEF (``m`` ECEF->ENU rows, ``r0`` radar ECEF)."""
    r = m.T @ p + r0
    ve = m.T @ v
    r2 = r[0] * r[0] + r[1] * r[1] + r[2] * r[2]
    rn = np.sqrt(r2)
    inv_r3 = 1.0 / (r2 * rn)
    zr2 = r[2] * r[2] / r2
    k = _KJ2 * inv_r3 / r2
    g = -GM_M3_S2 * inv_r3
    a = np.empty(3)
    a[0] = r[0] * (g + k * (5.0 * zr2 - 1.0))
    a[1] = r[1] * (g + k * (5.0 * zr2 - 1.0))
    a[2] = r[2] * (g + k * (5.0 * zr2 - 3.0))
    w = OMEGA_RAD_S
    # -2 w x v - w x (w x r), w along z
    a[0] += 2.0 * w * ve[1] + w * w * r[0]
    a[1] += -2.0 * w * ve[0] + w * w * r[1]
    return m @ a


@njit(cache=True)
def _fx(x, dt, m, r0):
    """RK4 over ``dt`` in two sub-steps."""
    p = x[:3].copy()
    v = x[3:].copy()
    hh = 0.5 * dt
    for _ in range(2):
        k1v = _accel_enu(p, v, m, r0)
        k1p = v
        k2p = v + 0.5 * hh * k1v
        k2v = _accel_enu(p + 0.5 * hh * k1p, k2p, m, r0)
        k3p = v + 0.5 * hh * k2v
        k3v = _accel_enu(p + 0.5 * hh * k2p, k3p, m, r0)
        k4p = v + hh * k3v
        k4v = _accel_enu(p + hh * k3p, k4p, m, r0)
        p = p + hh / 6.0 * (k1p + 2.0 * k2p + 2.0 * k3p + k4p)
        v = v + hh / 6.0 * (k1v + 2.0 * k2v + 2.0 * k3v + k4v)
    out = np.empty(6)
    out[:3] = p
    out[3:] = v
    return out


@njit(cache=True)
def _jac_f(x, dt, m, r0):
    """State-transition Jacobian: point-mass gravity gradient and the Coriolis term."""
    r = m.T @ x[:3] + r0
    rn = np.sqrt(r[0] * r[0] + r[1] * r[1] + r[2] * r[2])
    u = r / rn
    gg = -GM_M3_S2 / rn**3 * (np.eye(3) - 3.0 * np.outer(u, u))
    gg_enu = m @ gg @ m.T
    w = OMEGA_RAD_S
    cor = np.zeros((3, 3))
    cor[0, 1] = 2.0 * w
    cor[1, 0] = -2.0 * w
    cor_enu = m @ cor @ m.T
    f = np.eye(6)
    for i in range(3):
        f[i, i + 3] = dt
        for j in range(3):
            f[i, j] += 0.5 * dt * dt * gg_enu[i, j]
            f[i + 3, j] += dt * gg_enu[i, j]
            f[i + 3, j + 3] += dt * cor_enu[i, j]
    return f


@njit(cache=True)
def _hx(x):
    e, n, u = x[0], x[1], x[2]
    rho = np.sqrt(e * e + n * n)
    out = np.empty(3)
    out[0] = np.sqrt(rho * rho + u * u)
    out[1] = np.arctan2(e, n) % (2.0 * np.pi)
    out[2] = np.arctan2(u, rho)
    return out


@njit(cache=True)
def _jac_h(x):
    e, n, u = x[0], x[1], x[2]
    rho2 = e * e + n * n
    rho = np.sqrt(rho2)
    r2 = rho2 + u * u
    r = np.sqrt(r2)
    h = np.zeros((3, 6))
    h[0, 0], h[0, 1], h[0, 2] = e / r, n / r, u / r
    h[1, 0], h[1, 1] = n / rho2, -e / rho2
    h[2, 0], h[2, 1], h[2, 2] = -e * u / (r2 * rho), -n * u / (r2 * rho), rho / r2
    return h


def _q(dt: float, q: float = 1.0) -> np.ndarray:
    blk = q * np.array([[dt**3 / 3, dt**2 / 2], [dt**2 / 2, dt]])
    out = np.zeros((6, 6))
    for i in range(3):
        out[np.ix_([i, i + 3], [i, i + 3])] = blk
    return out


def _unwrap(z, x):
    """The measurement with its azimuth moved to the prediction's branch."""
    zz = z.copy()
    zp = _hx(x)
    zz[1] = zp[1] + (z[1] - zp[1] + np.pi) % (2.0 * np.pi) - np.pi
    return zz


def _start(z_aer, times_s, sigma):
    def to_enu(zz):
        rr, az, el = zz[0], zz[1], zz[2]
        return np.array(
            [rr * np.cos(el) * np.sin(az), rr * np.cos(el) * np.cos(az), rr * np.sin(el)]
        )

    k1 = int(np.searchsorted(times_s, times_s[0] + 1.0 - 1e-9))
    p0, p1 = to_enu(z_aer[0]), to_enu(z_aer[k1])
    dt01 = float(times_s[k1] - times_s[0])
    s_pos = max(sigma[0], float(z_aer[k1, 0]) * max(sigma[1], sigma[2]))
    s_vel = np.sqrt(2.0) * s_pos / dt01
    x = np.r_[p1, (p1 - p0) / dt01]
    p = np.diag([s_pos**2] * 3 + [s_vel**2] * 3)
    return k1, x, p


def _rmse(est, enu_truth, times_s, k_first):
    half = len(times_s) // 2
    ks = np.arange(k_first, len(times_s))
    keep = ks >= half
    d = np.linalg.norm(est[keep] - enu_truth[ks[keep]], axis=1)
    return float(np.sqrt(np.mean(d**2)))


def run_single_target_peers(
    truth_ecef: np.ndarray,
    times_s: np.ndarray,
    radar_ecef: np.ndarray,
    z_aer: np.ndarray,
    sigma: tuple[float, float, float],
) -> dict:
    """FilterPy and nrl-tracker EKFs on one target's detections (``truth_ecef`` (T, 6),
    ``z_aer`` (T, 3) range/azimuth/elevation in the radar's ENU frame). Returns, per library,
    updates, seconds, updates per second and position RMSE over the second half (m); a library
    that is not installed is reported as ``{"missing": ...}``."""
    lat, lon, _ = frames.ecef_to_geodetic(radar_ecef[None, :])
    m = np.ascontiguousarray(frames.enu_matrix(lat[0], lon[0]))
    r0 = np.ascontiguousarray(radar_ecef, dtype=float)
    enu = (m @ (truth_ecef[:, :3] - r0).T).T
    rr = np.diag(np.asarray(sigma, float) ** 2)
    k1, x0, p0 = _start(z_aer, times_s, sigma)
    dts = np.diff(times_s)
    # compile the model once, outside the timings
    _fx(x0, 0.1, m, r0), _jac_f(x0, 0.1, m, r0), _hx(x0), _jac_h(x0)
    qs = {round(float(d), 9): _q(float(d)) for d in dts}
    out: dict[str, Any] = {}

    try:
        from filterpy.kalman import ExtendedKalmanFilter
    except ImportError as exc:
        out["filterpy"] = {"missing": str(exc)}
    else:

        class BallisticEKF(ExtendedKalmanFilter):
            dt = 0.1

            def predict_x(self, u=0):
                self.x = _fx(self.x, self.dt, m, r0)

        kf = BallisticEKF(dim_x=6, dim_z=3)
        kf.x, kf.P, kf.R = x0.copy(), p0.copy(), rr
        est = np.empty((len(times_s) - k1 - 1, 3))
        t0, c0 = time.perf_counter(), time.process_time()
        for i, k in enumerate(range(k1 + 1, len(times_s))):
            dt = float(times_s[k] - times_s[k - 1])
            kf.dt = dt
            kf.F = _jac_f(kf.x, dt, m, r0)
            kf.Q = qs[round(dt, 9)]
            kf.predict()
            kf.update(_unwrap(z_aer[k], kf.x), _jac_h, _hx)
            est[i] = kf.x[:3]
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        out["filterpy"] = {
            "updates": len(est),
            "seconds": wall,
            "updates_per_s": len(est) / wall,
            "updates_per_cpu_s": len(est) / max(cpu, 1e-9),
            "rmse_m": _rmse(est, enu, times_s, k1 + 1),
        }

    try:
        from pytcl.dynamic_estimation.kalman.extended import ekf_predict, ekf_update
    except ImportError as exc:
        out["nrl_tracker"] = {"missing": str(exc)}
    else:
        x, p = x0.copy(), p0.copy()
        est = np.empty((len(times_s) - k1 - 1, 3))
        t0, c0 = time.perf_counter(), time.process_time()
        for i, k in enumerate(range(k1 + 1, len(times_s))):
            dt = float(times_s[k] - times_s[k - 1])
            pred = ekf_predict(
                x, p, lambda s, dt=dt: _fx(s, dt, m, r0), _jac_f(x, dt, m, r0), qs[round(dt, 9)]
            )
            upd = ekf_update(pred.x, pred.P, _unwrap(z_aer[k], pred.x), _hx, _jac_h(pred.x), rr)
            x, p = upd.x, upd.P
            est[i] = x[:3]
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        out["nrl_tracker"] = {
            "updates": len(est),
            "seconds": wall,
            "updates_per_s": len(est) / wall,
            "updates_per_cpu_s": len(est) / max(cpu, 1e-9),
            "rmse_m": _rmse(est, enu, times_s, k1 + 1),
        }
    return out
