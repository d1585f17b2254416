"""Sensor-to-target geometry shared by the sensor models and the tracker.

Frames and units: positions are WGS84 ECEF metres, ``(..., 3)`` with the vector on the last
axis; angles are radians.  Azimuth is clockwise from geodetic north in ``[0, 2 pi)``, elevation
is above the tangent plane of the ellipsoid at the *sensor* (its local East-North-Up frame),
exactly as in :func:`launchwatch.earth.frames.ecef_to_aer` and in the detection records of
:mod:`launchwatch.sense.records`.  The sensor is given by its ECEF position (not lat/lon) so that
one call handles ground sites, ships and satellites alike; its geodetic latitude/longitude are
computed here with :func:`launchwatch.earth.frames.ecef_to_geodetic`.

The measurement function is ``h(target) = (range, az, el)``, the order of ``z[0:3]`` in a radar
detection; :func:`aer_jacobian` is its analytic derivative with respect to the target ECEF
position, for extended Kalman filters.
"""

from __future__ import annotations

import numpy as np

from launchwatch.earth.constants import A_M, B_M
from launchwatch.earth.frames import ecef_to_geodetic, enu_matrix

__all__ = ["aer_from", "aer_jacobian", "los_clear", "wrap_pi"]

_TWO_PI = 2.0 * np.pi


def wrap_pi(angle_rad):
    """Angle(s) wrapped to ``[-pi, pi)`` (rad), e.g. an azimuth difference."""
    return np.mod(np.asarray(angle_rad, dtype=float) + np.pi, _TWO_PI) - np.pi


def _enu_offset(sensor_ecef, target_ecef) -> tuple[np.ndarray, np.ndarray]:
    """ENU offset ``(..., 3)`` (m) of the target from the sensor, and the ECEF->ENU matrices."""
    s = np.asarray(sensor_ecef, dtype=float)
    t = np.asarray(target_ecef, dtype=float)
    if s.shape[-1:] != (3,) or t.shape[-1:] != (3,):
        raise ValueError(f"positions must have shape (..., 3), got {s.shape} and {t.shape}")
    lat, lon, _ = ecef_to_geodetic(s)
    m = enu_matrix(lat, lon)
    return (m @ (t - s)[..., None])[..., 0], m


def aer_from(sensor_ecef, target_ecef) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Slant range (m), azimuth and elevation (rad) of ECEF target(s) seen from ECEF sensor(s).

    ``sensor_ecef`` is ``(3,)`` or ``(..., 3)`` and broadcasts against ``target_ecef``
    ``(..., 3)``.  Returns ``(range_m, az_rad, el_rad)``, each of the broadcast leading shape;
    azimuth in ``[0, 2 pi)`` (0 straight up), elevation in ``[-pi/2, pi/2]``.  Agrees with
    :func:`launchwatch.earth.frames.ecef_to_aer` at the sensor's geodetic position.
    """
    d, _ = _enu_offset(sensor_ecef, target_ecef)
    e, n, u = d[..., 0], d[..., 1], d[..., 2]
    horiz = np.hypot(e, n)
    az = np.mod(np.arctan2(e, n), _TWO_PI)
    az = np.where(az >= _TWO_PI, 0.0, az)  # mod can round a tiny negative up to 2 pi
    return np.sqrt(horiz * horiz + u * u), az, np.arctan2(u, horiz)


def aer_jacobian(sensor_ecef, target_ecef) -> np.ndarray:
    """Jacobian ``d(range, az, el) / d(target ECEF)``, shape ``(..., 3, 3)``.

    Rows are range (dimensionless, m/m), azimuth and elevation (rad/m); columns are the ECEF x,
    y, z of the target.  The sensor is held fixed.  Straight above or below the sensor (a
    horizontal offset below 1e-9 of the range, i.e. within rounding of the ECEF differences)
    azimuth is undefined and elevation has a cone point: both angle rows are NaN there.
    """
    d, m = _enu_offset(sensor_ecef, target_ecef)
    e, n, u = d[..., 0], d[..., 1], d[..., 2]
    rho2 = e * e + n * n
    rho = np.sqrt(rho2)
    r2 = rho2 + u * u
    r = np.sqrt(r2)
    regular = rho > 1e-9 * r
    with np.errstate(divide="ignore", invalid="ignore"):
        inv_rho2 = np.where(regular, 1.0 / rho2, np.nan)
        k = -u / (np.where(regular, rho, np.nan) * r2)
        rows = np.stack(
            [
                np.stack([e / r, n / r, u / r], axis=-1),
                np.stack([n * inv_rho2, -e * inv_rho2, np.zeros_like(e)], axis=-1),
                np.stack([k * e, k * n, np.where(regular, rho / r2, np.nan)], axis=-1),
            ],
            axis=-2,
        )
    return rows @ m  # chain rule through the ENU rotation: d(enu)/d(target) = M


def los_clear(sensor_ecef, target_ecef, tol: float = 1e-9) -> np.ndarray:
    """True where the straight segment sensor -> target stays on or above the WGS84 ellipsoid.

    Exact for the ellipsoid: scaling x, y by ``1/a`` and z by ``1/b`` maps it to the unit sphere
    and keeps segments straight, so the segment is blocked iff its closest point to the origin
    in scaled space is inside the unit sphere (by more than ``tol``, a relative ~6 mm, so that a
    sensor standing exactly on the ellipsoid is not blocked by itself).  Handles ground sites,
    elevated sites (horizon dip) and satellites; no refraction.  Shapes broadcast as in
    :func:`aer_from`.
    """
    scale = np.array([1.0 / A_M, 1.0 / A_M, 1.0 / B_M])
    s = np.asarray(sensor_ecef, dtype=float) * scale
    t = np.asarray(target_ecef, dtype=float) * scale
    seg = t - s
    len2 = np.sum(seg * seg, axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        lam = np.clip(-np.sum(s * seg, axis=-1) / len2, 0.0, 1.0)
    lam = np.where(len2 > 0.0, lam, 0.0)
    closest = s + lam[..., None] * seg
    return np.sum(closest * closest, axis=-1) >= (1.0 - tol) ** 2
