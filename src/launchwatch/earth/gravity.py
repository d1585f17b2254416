"""Gravity of the WGS84 Earth: point mass plus the J2 zonal harmonic.

Valid in any frame whose z axis is the Earth's spin axis (ECEF or the Earth-rotation-only
inertial frame of :mod:`launchwatch.earth.frames`); positions in metres, accelerations in m/s^2.

a_J2 = (3/2) J2 mu R^2 / r^4 * [(x/r)(5 z^2/r^2 - 1), (y/r)(5 z^2/r^2 - 1), (z/r)(5 z^2/r^2 - 3)]
(Curtis, *Orbital Mechanics for Engineering Students*, eq. 12.30).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .constants import A_M, GM_M3_S2, J2, OMEGA_RAD_S

_K_J2 = 1.5 * J2 * GM_M3_S2 * A_M * A_M
_OMEGA = np.array([0.0, 0.0, OMEGA_RAD_S])


@njit(cache=True, inline="always", error_model="numpy")
def j2_accel(x: float, y: float, z: float, j2_scale: float = 1.0) -> tuple[float, float, float]:
    """Point-mass + J2 gravitational acceleration (m/s^2) at position (x, y, z) in metres.

    ``j2_scale`` multiplies the J2 term (1 for the WGS84 Earth, 0 for a Keplerian point mass:
    the closed-form checks use that).
    """
    r2 = x * x + y * y + z * z
    r = np.sqrt(r2)
    inv_r3 = 1.0 / (r2 * r)
    zr2 = z * z / r2
    k = j2_scale * _K_J2 * inv_r3 / r2  # (3/2) J2 mu R^2 / r^5
    c_xy = k * (5.0 * zr2 - 1.0)
    c_z = k * (5.0 * zr2 - 3.0)
    g = -GM_M3_S2 * inv_r3
    return x * (g + c_xy), y * (g + c_xy), z * (g + c_z)


def gravity_j2(r_m: np.ndarray) -> np.ndarray:
    """Vectorized point-mass + J2 acceleration for positions ``r_m`` of shape (..., 3), metres."""
    r_m = np.asarray(r_m, dtype=float)
    x, y, z = r_m[..., 0], r_m[..., 1], r_m[..., 2]
    r2 = x * x + y * y + z * z
    r = np.sqrt(r2)
    inv_r3 = 1.0 / (r2 * r)
    zr2 = z * z / r2
    k = _K_J2 * inv_r3 / r2
    g = -GM_M3_S2 * inv_r3
    c_xy = g + k * (5.0 * zr2 - 1.0)
    c_z = g + k * (5.0 * zr2 - 3.0)
    return np.stack([x * c_xy, y * c_xy, z * c_z], axis=-1)


def ecef_accel(r_m: np.ndarray, v_m_s: np.ndarray) -> np.ndarray:
    """Acceleration (m/s^2) of a body moving only under gravity, seen in ECEF: J2 gravity at
    positions ``r_m`` (..., 3) m plus the Coriolis (velocities ``v_m_s`` (..., 3) m/s, relative
    to the rotating Earth) and centrifugal terms of the frame's rotation."""
    return gravity_j2(r_m) - 2.0 * np.cross(_OMEGA, v_m_s) - np.cross(_OMEGA, np.cross(_OMEGA, r_m))
