"""Closed-form Keplerian free flight over a spherical Earth (non-rotating unless named).

Bate, Mueller and White, *Fundamentals of Astrodynamics* (1971), ch. 6.  Burnout radius ``r``
(m), speed ``v`` (m/s), flight-path angle ``phi`` (rad above the local horizontal), ``Q =
v^2 r / mu``; free-flight range angle ``psi`` (rad) between burnout and re-entry at the same
radius.  Used as an independent check of the propagator and for first guesses in shaping and
reconstruction; all functions broadcast over NumPy arrays.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ..earth.arrays import ArrayOrScalar
from ..earth.constants import GM_M3_S2, OMEGA_RAD_S


def q_parameter(r_m: ArrayLike, v_m_s: ArrayLike) -> ArrayOrScalar:
    """Dimensionless ``Q = v^2 r / mu``."""
    q: ArrayOrScalar = np.asarray(v_m_s, float) ** 2 * np.asarray(r_m, float) / GM_M3_S2
    return q


def range_angle(r_m: ArrayLike, v_m_s: ArrayLike, phi_rad: ArrayLike) -> ArrayOrScalar:
    """Free-flight range angle (rad) of a symmetric arc (re-entry at the burnout radius).

    Free-flight range equation: cos(psi/2) = (1 - Q cos^2 phi) / sqrt(1 + Q (Q - 2) cos^2 phi).
    """
    q = q_parameter(r_m, v_m_s)
    c2 = np.cos(phi_rad) ** 2
    psi: ArrayOrScalar = 2.0 * np.arccos((1.0 - q * c2) / np.sqrt(1.0 + q * (q - 2.0) * c2))
    return psi


def flight_time(r_m: ArrayLike, v_m_s: ArrayLike, phi_rad: ArrayLike) -> ArrayOrScalar:
    """Flight time (s) of the symmetric arc from burnout radius back to the same radius.

    a = r / (2 - Q); e = sqrt(1 + Q (Q - 2) cos^2 phi); cos E1 = (e - cos(psi/2)) /
    (1 - e cos(psi/2)); t = 2 sqrt(a^3 / mu) (pi - E1 + e sin E1).
    """
    q = q_parameter(r_m, v_m_s)
    a = np.asarray(r_m, float) / (2.0 - q)
    e = np.sqrt(1.0 + q * (q - 2.0) * np.cos(phi_rad) ** 2)
    half = 0.5 * range_angle(r_m, v_m_s, phi_rad)
    e1 = np.arccos((e - np.cos(half)) / (1.0 - e * np.cos(half)))
    t: ArrayOrScalar = 2.0 * np.sqrt(a**3 / GM_M3_S2) * (np.pi - e1 + e * np.sin(e1))
    return t


def apogee_radius(r_m: ArrayLike, v_m_s: ArrayLike, phi_rad: ArrayLike) -> ArrayOrScalar:
    """Apogee radius (m) of the conic through the burnout state: a (1 + e)."""
    q = q_parameter(r_m, v_m_s)
    a = np.asarray(r_m, float) / (2.0 - q)
    e = np.sqrt(1.0 + q * (q - 2.0) * np.cos(phi_rad) ** 2)
    ra: ArrayOrScalar = a * (1.0 + e)
    return ra


def min_energy(r_m: ArrayLike, psi_rad: ArrayLike) -> tuple[ArrayOrScalar, ArrayOrScalar]:
    """Minimum-energy burnout for range angle ``psi``: (speed m/s, flight-path angle rad).

    Q = 2 sin(psi/2) / (1 + sin(psi/2)); optimum phi = (pi - psi) / 4.
    """
    psi = np.asarray(psi_rad, float)
    s = np.sin(0.5 * psi)
    q = 2.0 * s / (1.0 + s)
    v: ArrayOrScalar = np.sqrt(q * GM_M3_S2 / np.asarray(r_m, float))
    phi: ArrayOrScalar = 0.25 * (np.pi - psi)
    return v, phi


def max_range_angle(r_m: ArrayLike, v_m_s: ArrayLike) -> ArrayOrScalar:
    """Largest range angle (rad) reachable with burnout speed ``v`` (the minimum-energy one),
    from Q = 2 s / (1 + s), s = sin(psi/2):  s = Q / (2 - Q)."""
    q = q_parameter(r_m, v_m_s)
    psi: ArrayOrScalar = 2.0 * np.arcsin(np.clip(q / (2.0 - q), -1.0, 1.0))
    return psi


def arc_from_apogee(
    r0_m: ArrayLike, apogee_height_m: ArrayLike, psi_rad: ArrayLike
) -> tuple[ArrayOrScalar, ArrayOrScalar, ArrayOrScalar]:
    """Symmetric arc from re-entry radius ``r0`` with apogee height ``h`` and range angle
    ``psi``: returns (speed m/s, flight-path angle rad, flight time s) at ``r0``.

    r_a = r0 + h; e = (r_a - r0) / (r_a - r0 cos(psi/2)); a = r_a / (1 + e).
    """
    r0 = np.asarray(r0_m, float)
    ra = r0 + np.asarray(apogee_height_m, float)
    e = (ra - r0) / (ra - r0 * np.cos(0.5 * np.asarray(psi_rad, float)))
    a = ra / (1.0 + e)
    v = np.sqrt(GM_M3_S2 * (2.0 / r0 - 1.0 / a))
    h_ang = np.sqrt(GM_M3_S2 * a * (1.0 - e * e))  # specific angular momentum
    phi = np.arccos(np.clip(h_ang / (r0 * v), -1.0, 1.0))
    return v, phi, flight_time(r0, v, phi)


def apogee_for_flight_time(r0_m: float, psi_rad: float, flight_time_s: float) -> float:
    """Apogee height (m) of the symmetric arc of range angle ``psi`` that lasts
    ``flight_time_s`` (lofted branch, or depressed below the minimum-energy time); bisection on
    :func:`arc_from_apogee`, whose flight time grows with the apogee."""
    lo, hi = 1.0, 50.0 * r0_m
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if float(arc_from_apogee(r0_m, mid, psi_rad)[2]) < flight_time_s:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1.0:
            break
    return 0.5 * (lo + hi)


def rotating_arc_time(
    r0_m: ArrayLike,
    apogee_height_m: ArrayLike,
    ground_psi_rad: ArrayLike,
    lat_deg: ArrayLike,
    azimuth_deg: ArrayLike,
    omega_rad_s: float = OMEGA_RAD_S,
    iterations: int = 12,
) -> ArrayOrScalar:
    """Flight time (s) of the symmetric surface-to-surface arc through apogee height ``h`` that
    joins a launch point at latitude ``lat_deg`` to the ground point ``ground_psi_rad`` away on
    bearing ``azimuth_deg`` *on the rotating Earth*.

    The arc is Keplerian in the inertial frame; the ground point moves with the Earth, so the
    arc must reach where the point is at impact: inertial range angle psi_i = angle(u_L,
    Rz(omega T) u_T), T = :func:`arc_from_apogee` time of psi_i (fixed point; dT/dpsi is a few
    s per 100 km, so each step shrinks the error by ~1e-3).  Longitude does not matter (the
    launch meridian is taken as x).  ``omega_rad_s = 0`` gives the non-rotating arc.
    """
    lat = np.radians(np.asarray(lat_deg, float))
    az = np.radians(np.asarray(azimuth_deg, float))
    psi_g = np.asarray(ground_psi_rad, float)
    u_l = np.stack(np.broadcast_arrays(np.cos(lat), 0.0 * lat, np.sin(lat)), axis=-1)
    north = np.stack(np.broadcast_arrays(-np.sin(lat), 0.0 * lat, np.cos(lat)), axis=-1)
    east = np.stack(np.broadcast_arrays(0.0 * lat, 1.0 + 0.0 * lat, 0.0 * lat), axis=-1)
    heading = np.cos(az)[..., None] * north + np.sin(az)[..., None] * east
    u_t = np.cos(psi_g)[..., None] * u_l + np.sin(psi_g)[..., None] * heading
    psi_i = psi_g
    t = arc_from_apogee(r0_m, apogee_height_m, psi_i)[2]
    for _ in range(iterations):
        th = omega_rad_s * np.asarray(t, float)
        c, s = np.cos(th), np.sin(th)
        x = c * u_t[..., 0] - s * u_t[..., 1]
        y = s * u_t[..., 0] + c * u_t[..., 1]
        dot = u_l[..., 0] * x + u_l[..., 1] * y + u_l[..., 2] * u_t[..., 2]
        psi_i = np.arccos(np.clip(dot, -1.0, 1.0))
        t = arc_from_apogee(r0_m, apogee_height_m, psi_i)[2]
    out: ArrayOrScalar = t
    return out
