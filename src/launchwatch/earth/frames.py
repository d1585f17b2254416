"""Coordinate frames on the WGS84 ellipsoid: geodetic, ECEF, local ENU/AER, and rotating-Earth ECI.

Conventions (all functions):

* Angles in radians, lengths in metres, times in seconds; names say otherwise (``_deg``, ``_km``).
* Cartesian vectors live on the last axis, ``(..., 3)``; every other argument broadcasts against
  the leading (batch) axes, so one call handles one point or a whole salvo.
* Geodetic latitude/longitude/ellipsoidal height are on WGS84 (constants from
  :mod:`launchwatch.earth.constants`); longitudes come back in ``(-pi, pi]``.
* ECEF is the WGS84 Earth-centred, Earth-fixed frame (x to the equator at the prime meridian,
  z to the north pole).

The geodetic inverse is the exact closed form of H. Vermeille, "Computing geodetic coordinates from
geocentric coordinates", *Journal of Geodesy* 78 (2004) 94-95, valid everywhere except within
~43 km of the Earth's centre (inside the evolute of the meridian ellipse), i.e. for every height
above about -6,300 km. Its scalar kernel is compiled with numba so that propagators can call
:func:`geodetic_lat_height` / :func:`geodetic_height_m` from inside their own ``@njit`` loops.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, cast, overload

import numpy as np
from llvmlite import ir
from numba import get_num_threads, njit, prange, types
from numba.extending import intrinsic, register_jitable
from numpy.typing import ArrayLike

from launchwatch.earth.constants import A_M, E2, OMEGA_RAD_S

_E4 = E2 * E2
_INV_A2 = 1.0 / (A_M * A_M)
_ONE_THIRD = 1.0 / 3.0

__all__ = [
    "geodetic_to_ecef",
    "ecef_to_geodetic",
    "ecef_to_height",
    "geodetic_height_m",
    "geodetic_lat_height",
    "enu_matrix",
    "ecef_to_enu",
    "enu_to_ecef",
    "ecef_to_aer",
    "aer_to_ecef",
    "eci_to_ecef",
    "eci_states_to_ecef",
    "eci_states_to_ecef_parts",
    "ecef_to_eci",
    "eci_grid_to_geodetic_deg",
    "eci_positions_to_geodetic_deg",
]


def geodetic_to_ecef(lat_rad: ArrayLike, lon_rad: ArrayLike, h_m: ArrayLike) -> np.ndarray:
    """Geodetic latitude, longitude (rad) and ellipsoidal height (m) to ECEF position (m).

    Inputs broadcast against each other; the result has shape ``broadcast_shape + (3,)``.
    """
    lat = np.asarray(lat_rad, dtype=float)
    lon = np.asarray(lon_rad, dtype=float)
    h = np.asarray(h_m, dtype=float)
    sin_lat, cos_lat = np.sin(lat), np.cos(lat)
    n = A_M / np.sqrt(1.0 - E2 * sin_lat * sin_lat)  # prime-vertical radius of curvature, m
    rc = (n + h) * cos_lat
    return np.stack(
        np.broadcast_arrays(rc * np.cos(lon), rc * np.sin(lon), (n * (1.0 - E2) + h) * sin_lat),
        axis=-1,
    )


@register_jitable
def _vermeille_k_d_dz(p_m: Any, z_m: Any) -> tuple[Any, Any, Any]:
    """Vermeille (2004) closed form up to the height: ``(k, d, dz)`` from p = sqrt(x^2+y^2)
    and z (m), where ``d`` is the point's distance from the polar axis along the ellipsoid's
    normal foot (m) and ``dz = hypot(d, z)``.  Plain arithmetic: it runs on NumPy arrays and,
    inlined by numba (``register_jitable``), on scalars inside compiled kernels."""
    pp = p_m * p_m * _INV_A2
    q = (1.0 - E2) * z_m * z_m * _INV_A2
    r = (pp + q - _E4) / 6.0
    s = _E4 * pp * q / (4.0 * r * r * r)
    t = (1.0 + s + np.sqrt(s * (2.0 + s))) ** _ONE_THIRD
    u = r * (1.0 + t + 1.0 / t)
    v = np.sqrt(u * u + _E4 * q)
    w = E2 * (u + v - q) / (2.0 * v)
    k = np.sqrt(u + v + w * w) - w
    d = k * p_m / (k + E2)
    dz = np.sqrt(d * d + z_m * z_m)
    return k, d, dz


def _vermeille(p_m: Any, z_m: Any) -> tuple[Any, Any]:
    """Vermeille (2004) closed form: (geodetic latitude rad, height m) from p = sqrt(x^2+y^2), z.

    Plain arithmetic so that the same code runs on NumPy arrays and, compiled, on numba scalars;
    :func:`ecef_to_height` shares its steps up to the height (:func:`_vermeille_k_d_dz`).
    """
    k, d, dz = _vermeille_k_d_dz(p_m, z_m)
    lat = 2.0 * np.arctan2(z_m, d + dz)
    h = (k + E2 - 1.0) / k * dz
    return lat, h


# error_model="numpy": degenerate input (the Earth's centre) gives nan/inf instead of raising.
_vermeille_njit = njit(cache=True, error_model="numpy")(_vermeille)


@njit(cache=True, error_model="numpy")
def geodetic_lat_height(p: float, z: float) -> tuple[float, float]:
    """numba scalar: geodetic latitude (rad) and WGS84 ellipsoidal height (m).

    ``p = sqrt(x^2 + y^2)`` and ``z`` are ECEF components in metres (float64 scalars). Callable
    from other ``@njit`` kernels. Exact closed form (Vermeille 2004); undefined at the centre.
    """
    return _vermeille_njit(p, z)


@njit(cache=True, error_model="numpy")
def geodetic_height_m(p: float, z: float) -> float:
    """numba scalar: WGS84 ellipsoidal height (m) from ``p = sqrt(x^2 + y^2)`` and ``z`` (m)."""
    h: float = _vermeille_njit(p, z)[1]
    return h


_B_M = A_M * np.sqrt(1.0 - E2)  # semi-minor axis, m
_EP2_B = E2 / (1.0 - E2) * _B_M  # second eccentricity squared times b, m
_E2_A = E2 * A_M  # m


@njit(cache=True, inline="always", error_model="numpy")
def _bowring2(p: float, z: float) -> tuple[float, float, float]:
    """Geodetic latitude and height (m) from ``p = sqrt(x^2 + y^2)`` and ``z`` (m) by
    Bowring's iteration (B. R. Bowring, "Transformation from spatial to geographical
    coordinates", Survey Review 23 (1976) 323-327), two steps from the geocentric guess: square
    roots and divisions only, where Vermeille's closed form needs a cube root (``pow``).  One
    step (PROJ's inverse) is sub-mm only to ~100 km; two agree with the exact transform to
    under a micrometre from -10 km to 5,000 km (tests/earth/test_frames.py), and need no
    trigonometry: the reduced latitude's cosine and sine come from one square root.

    Returns ``(num, den, h_m)``: the latitude is ``atan2(num, den)``, left to the caller so
    that a whole grid's arctangents run vectorized (numpy's SIMD ``arctan2``)."""
    bz = _B_M * p  # cos u ~ b p, sin u ~ a z (the reduced latitude of the geocentric guess)
    az = A_M * z
    for _ in range(2):
        n = 1.0 / np.sqrt(bz * bz + az * az)
        cu, su = bz * n, az * n
        num = z + _EP2_B * su * su * su
        den = p - _E2_A * cu * cu * cu
        bz, az = A_M * den, _B_M * num  # tan u = (b / a) tan(lat)
    n = 1.0 / np.sqrt(num * num + den * den)
    sl, cl = num * n, den * n
    return num, den, p * cl + z * sl - A_M * np.sqrt(1.0 - E2 * sl * sl)


@njit(cache=True, inline="always", error_model="numpy")
def _grid_row(
    i: int | np.integer, p: np.ndarray, c: np.ndarray, s: np.ndarray, w: np.ndarray, lo: int
) -> None:
    """Row ``i`` of the first pass of :func:`eci_positions_to_geodetic_deg`: the rotation to
    ECEF (``c``, ``s``: cosine and sine of the Earth's rotation angle at each grid time) and
    Bowring's steps, leaving both arctangents' arguments: ``p[0]``, ``w[0]`` the latitude's,
    ``p[1]``, ``w[1]`` the longitude's (y, x); ``p[2]`` the height (``w`` holds rows from
    ``lo``).  A NaN point (a path after its impact) gets the height NaN and the arguments
    (0, 1): numpy's arctan2 takes a slow path for NaN (twice the time over a grid that is half
    NaN), and the height marks the point for the NaN put back afterwards.  No branch
    (selects): the loop vectorizes."""
    for j in range(p.shape[2]):
        x0, y0, z = p[0, i, j], p[1, i, j], p[2, i, j]
        x = c[j] * x0 + s[j] * y0
        y = -s[j] * x0 + c[j] * y0
        num, den, h = _bowring2(np.sqrt(x * x + y * y), z)
        ok = h == h
        p[0, i, j] = num if ok else 0.0
        w[0, i - lo, j] = den if ok else 1.0
        p[1, i, j] = y if ok else 0.0
        w[1, i - lo, j] = x if ok else 1.0
        p[2, i, j] = h


@njit(cache=True, parallel=True, error_model="numpy")
def _grid_pass(p: np.ndarray, c: np.ndarray, s: np.ndarray, w: np.ndarray, lo: int) -> None:
    for k in prange(w.shape[1]):
        _grid_row(lo + np.int64(k), p, c, s, w, lo)


# Serial twin for small grids (a parallel region on a loaded machine waits for every thread)
# and for conversions on helper threads beside Python work (``nogil``); a function of its
# own: numba's disk cache does not tell compilations apart by ``parallel``.
@njit(cache=True, error_model="numpy", nogil=True)
def _grid_pass_serial(p: np.ndarray, c: np.ndarray, s: np.ndarray, w: np.ndarray, lo: int) -> None:
    for k in range(w.shape[1]):
        _grid_row(lo + k, p, c, s, w, lo)


#: Points below which the conversion runs on the calling thread only.
PARALLEL_MIN_POINTS = 200_000


@functools.cache
def side_threads() -> ThreadPoolExecutor:
    """A few helper threads of the process, for numpy, pyproj or ``nogil`` numba work that
    releases the GIL and can run beside the calling thread (the numba threads idle between
    kernels): two halves of an assessment's path conversion and the other half of its
    geodesics at once."""
    return ThreadPoolExecutor(max_workers=3, thread_name_prefix="launchwatch-side")


def _atan2_deg(y: np.ndarray, x: np.ndarray, gone: np.ndarray) -> None:
    """``y = degrees(atan2(y, x))`` in place, NaN where ``gone``.  ``x * (180 / pi)`` is
    ``np.degrees`` bit for bit, at a tenth of its time (vectorized)."""
    np.arctan2(y, x, out=y)
    np.multiply(y, 180.0 / np.pi, out=y)
    np.copyto(y, np.nan, where=gone)


def eci_positions_to_geodetic_deg(
    p: np.ndarray,
    t_s: ArrayLike,
    omega_rad_s: float = OMEGA_RAD_S,
    *,
    rows: tuple[int, int] | None = None,
    serial: bool = False,
) -> np.ndarray:
    """In place: positions ``p`` (3, N, T) (C-contiguous float64: x, y, z in the
    rotating-Earth inertial frame, m; ECI = ECEF at time 0) sampled at common times ``t_s``
    (T,; s) become WGS84 latitude (deg), longitude (deg) and height (m) in ``p[0]``, ``p[1]``,
    ``p[2]``; NaN stays NaN.  Returns ``p``.  ``rows``: only rows ``lo <= i < hi`` of N.

    Two passes: a numba pass over the points (rotation and two Bowring steps,
    :func:`_bowring2`: square roots and divisions, parallel over N when the grid is large),
    then numpy's vectorized ``arctan2`` for latitude and longitude (the two on two threads).
    An assessment's predicted paths are ~10^6 points; converted per point inside the flight
    kernel (scalar ``atan2`` twice) they were ~25 % of its CPU.  numpy's ``arctan2`` is within
    one unit in the last place of libm's.  ``serial``: everything on the calling thread (helper
    threads converting parts while the caller works on; the numba pass releases the GIL)."""
    if p.ndim != 3 or p.shape[0] != 3 or p.dtype != np.float64 or not p.flags.c_contiguous:
        raise ValueError(f"p must be a C-contiguous float64 (3, N, T) array, got {p.shape}")
    t = np.asarray(t_s, dtype=float)
    if t.shape != (p.shape[2],):
        raise ValueError(f"t_s must be ({p.shape[2]},), got {t.shape}")
    lo, hi = (0, p.shape[1]) if rows is None else (int(rows[0]), int(rows[1]))
    if not 0 <= lo <= hi <= p.shape[1]:
        raise ValueError(f"rows must lie within 0..{p.shape[1]}, got {rows}")
    angle = float(omega_rad_s) * t
    c, s = np.cos(angle), np.sin(angle)
    w = np.empty((2, hi - lo, p.shape[2]))
    small = serial or w[0].size < PARALLEL_MIN_POINTS or get_num_threads() == 1
    (_grid_pass_serial if small else _grid_pass)(p, c, s, w, lo)
    lat, lon, gone = p[0, lo:hi], p[1, lo:hi], np.isnan(p[2, lo:hi])
    if small:
        _atan2_deg(lat, w[0], gone)
        _atan2_deg(lon, w[1], gone)
    else:
        other = side_threads().submit(_atan2_deg, lat, w[0], gone)
        _atan2_deg(lon, w[1], gone)
        other.result()
    return p


def eci_grid_to_geodetic_deg(
    p_eci: ArrayLike, t_s: ArrayLike, omega_rad_s: float = OMEGA_RAD_S
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Paths ``(N, T, >=3)`` in the rotating-Earth inertial frame (m; components beyond the
    third, e.g. velocities, are ignored) sampled at common times ``t_s`` (T,; s, ECI = ECEF at
    0) -> WGS84 ``(lat_deg, lon_deg, h_m)``, each ``(N, T)``; NaN stays NaN.

    The same rotation as :func:`eci_to_ecef` and two Bowring steps (equal to
    :func:`ecef_to_geodetic` to a micrometre), by :func:`eci_positions_to_geodetic_deg` on a
    ``(3, N, T)`` copy of the positions: the conversion the flight core's geodetic samples get,
    so the two agree bit for bit.
    """
    p = np.asarray(p_eci, dtype=float)
    t = np.asarray(t_s, dtype=float)
    if p.ndim != 3 or p.shape[2] < 3 or t.shape != (p.shape[1],):
        raise ValueError(f"p_eci must be (N, T, >=3) with t_s (T,), got {p.shape}, {t.shape}")
    out = np.ascontiguousarray(np.moveaxis(p[..., :3], -1, 0))
    eci_positions_to_geodetic_deg(out, t, omega_rad_s)
    return out[0], out[1], out[2]


def ecef_to_geodetic(xyz: ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ECEF position(s) ``(..., 3)`` in metres to WGS84 ``(lat_rad, lon_rad, h_m)``, each ``(...)``.

    Exact closed form (Vermeille 2004); sub-micrometre agreement with the forward transform from
    -10 km to beyond geostationary heights (see ``tests/earth/test_frames.py``). Longitude is in
    ``(-pi, pi]``. Not defined within ~43 km of the Earth's centre.
    """
    xyz = np.asarray(xyz, dtype=float)
    if xyz.shape[-1:] != (3,):
        raise ValueError(f"xyz must have shape (..., 3), got {xyz.shape}")
    x, y, z = xyz[..., 0], xyz[..., 1], xyz[..., 2]
    lat, h = _vermeille(np.hypot(x, y), z)
    return lat, np.arctan2(y, x), h


def ecef_to_height(xyz: ArrayLike, where: ArrayLike | None = None) -> np.ndarray:
    """ECEF position(s) ``(..., 3)`` in metres to WGS84 ellipsoidal height (m), ``(...)``: the
    ``h_m`` of :func:`ecef_to_geodetic`, the same floats (the same operations in the same
    order, elementwise), without the latitude's and longitude's arctangents (for a caller
    that needs the heights of many points and the latitudes of a few).  ``where`` (bool,
    ``(...)``): the heights there only, NaN elsewhere (points known NaN cost the
    transcendental functions their slow paths)."""
    xyz = np.asarray(xyz, dtype=float)
    if xyz.shape[-1:] != (3,):
        raise ValueError(f"xyz must have shape (..., 3), got {xyz.shape}")
    x, y, z = xyz[..., 0], xyz[..., 1], xyz[..., 2]
    m = np.broadcast_to(np.asarray(True if where is None else where, bool), x.shape)
    out = np.full(x.shape, np.nan)
    xm, ym, zm = x[m], y[m], z[m]  # by component: a third of the gather's CPU
    hm = np.empty(xm.shape)
    for i in range(0, xm.size, _CHUNK):
        sl = slice(i, i + _CHUNK)
        hm[sl] = _height(xm[sl], ym[sl], zm[sl])
    out[m] = hm
    return out


#: Points per pass of :func:`ecef_to_height` (its temporaries stay in the cache).
_CHUNK = 8192


def _height(x: np.ndarray, y: np.ndarray, z_m: np.ndarray) -> np.ndarray:
    """:func:`ecef_to_height` of the components (m): :func:`_vermeille`'s height without its
    latitude (no arctangent)."""
    k, _, dz = _vermeille_k_d_dz(np.hypot(x, y), z_m)
    h: np.ndarray = (k + E2 - 1.0) / k * dz
    return h


def enu_matrix(lat_rad: ArrayLike, lon_rad: ArrayLike) -> np.ndarray:
    """Rotation matrices ``(..., 3, 3)``, ECEF -> local East-North-Up at ``(lat_rad, lon_rad)``.

    Rows are the unit vectors east, north and up (the ellipsoid normal) expressed in ECEF, so
    ``enu = M @ (r_ecef - r_origin)`` and ``M.T`` maps ENU back to ECEF.
    """
    lat = np.asarray(lat_rad, dtype=float)
    lon = np.asarray(lon_rad, dtype=float)
    sl, cl = np.sin(lat), np.cos(lat)
    so, co = np.sin(lon), np.cos(lon)
    zero = np.zeros(np.broadcast_shapes(lat.shape, lon.shape))
    rows = (
        (-so + zero, co + zero, zero),
        (-sl * co, -sl * so, cl + zero),
        (cl * co, cl * so, sl + zero),
    )
    return np.stack([np.stack(r, axis=-1) for r in rows], axis=-2)


def _matvec(m: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Broadcasting ``m @ v`` for matrices ``(..., 3, 3)`` and vectors ``(..., 3)``."""
    out: np.ndarray = (m @ v[..., None])[..., 0]
    return out


def ecef_to_enu(
    xyz: ArrayLike, lat0_rad: ArrayLike, lon0_rad: ArrayLike, h0_m: ArrayLike
) -> np.ndarray:
    """ECEF point(s) ``(..., 3)`` to East-North-Up (m) about a geodetic origin (rad, rad, m)."""
    xyz = np.asarray(xyz, dtype=float)
    origin = geodetic_to_ecef(lat0_rad, lon0_rad, h0_m)
    return _matvec(enu_matrix(lat0_rad, lon0_rad), xyz - origin)


def enu_to_ecef(
    enu: ArrayLike, lat0_rad: ArrayLike, lon0_rad: ArrayLike, h0_m: ArrayLike
) -> np.ndarray:
    """East-North-Up vector(s) ``(..., 3)`` in metres about a geodetic origin to ECEF (m)."""
    enu = np.asarray(enu, dtype=float)
    m_t = np.swapaxes(enu_matrix(lat0_rad, lon0_rad), -1, -2)
    out: np.ndarray = geodetic_to_ecef(lat0_rad, lon0_rad, h0_m) + _matvec(m_t, enu)
    return out


def ecef_to_aer(
    xyz_target: ArrayLike, lat0_rad: ArrayLike, lon0_rad: ArrayLike, h0_m: ArrayLike
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ECEF target(s) to azimuth, elevation (rad) and slant range (m) seen from a geodetic origin.

    Azimuth is measured clockwise from geodetic north, in ``[0, 2 pi)``; elevation is above the
    local tangent plane (normal to the ellipsoid), in ``[-pi/2, pi/2]``. Straight up gives az 0.
    """
    enu = ecef_to_enu(xyz_target, lat0_rad, lon0_rad, h0_m)
    e, n, u = enu[..., 0], enu[..., 1], enu[..., 2]
    horiz = np.hypot(e, n)
    az = np.mod(np.arctan2(e, n), 2.0 * np.pi)
    az = np.where(az >= 2.0 * np.pi, 0.0, az)  # mod can round a tiny negative up to 2 pi
    return az, np.arctan2(u, horiz), np.sqrt(horiz * horiz + u * u)


def aer_to_ecef(
    az_rad: ArrayLike,
    el_rad: ArrayLike,
    range_m: ArrayLike,
    lat0_rad: ArrayLike,
    lon0_rad: ArrayLike,
    h0_m: ArrayLike,
) -> np.ndarray:
    """Azimuth (clockwise from north), elevation (rad), range (m) from a geodetic origin -> ECEF."""
    az = np.asarray(az_rad, dtype=float)
    el = np.asarray(el_rad, dtype=float)
    rng = np.asarray(range_m, dtype=float)
    horiz = rng * np.cos(el)
    enu = np.stack(
        np.broadcast_arrays(horiz * np.sin(az), horiz * np.cos(az), rng * np.sin(el)), axis=-1
    )
    return enu_to_ecef(enu, lat0_rad, lon0_rad, h0_m)


def _rot_z(theta: np.ndarray) -> np.ndarray:
    """Rotation matrices ``(..., 3, 3)`` taking inertial components to a frame turned by +theta."""
    c, s = np.cos(theta), np.sin(theta)
    zero, one = np.zeros_like(theta), np.ones_like(theta)
    return np.stack(
        [
            np.stack([c, s, zero], axis=-1),
            np.stack([-s, c, zero], axis=-1),
            np.stack([zero, zero, one], axis=-1),
        ],
        axis=-2,
    )


def _theta(t_s: ArrayLike, theta0_rad: ArrayLike) -> np.ndarray:
    return np.asarray(theta0_rad, dtype=float) + OMEGA_RAD_S * np.asarray(t_s, dtype=float)


@overload
def eci_to_ecef(
    r_eci: ArrayLike, t_s: ArrayLike, theta0_rad: ArrayLike = ..., v_eci: None = ...
) -> np.ndarray: ...
@overload
def eci_to_ecef(
    r_eci: ArrayLike, t_s: ArrayLike, theta0_rad: ArrayLike, v_eci: ArrayLike
) -> tuple[np.ndarray, np.ndarray]: ...
@overload
def eci_to_ecef(
    r_eci: ArrayLike, t_s: ArrayLike, theta0_rad: ArrayLike = ..., *, v_eci: ArrayLike
) -> tuple[np.ndarray, np.ndarray]: ...
def eci_to_ecef(
    r_eci: ArrayLike, t_s: ArrayLike, theta0_rad: ArrayLike = 0.0, v_eci: ArrayLike | None = None
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Rotating-Earth inertial frame -> ECEF, for positions and (optionally) velocities.

    The "ECI" here is the simple frame used by the launchwatch propagator, **not** GCRF/J2000:
    it shares the z axis with ECEF, does not precess or nutate, and coincides with ECEF at
    ``t_s = 0`` when ``theta0_rad = 0``. At time ``t_s`` (s) ECEF has turned by
    ``theta = theta0_rad + OMEGA_RAD_S * t_s`` about z, so ``r_ecef = R3(theta) r_eci`` and
    ``v_ecef = R3(theta) (v_eci - omega x r_eci)`` with ``omega = (0, 0, OMEGA_RAD_S)``.

    ``r_eci``/``v_eci`` are ``(..., 3)`` in m and m/s; ``t_s`` and ``theta0_rad`` broadcast
    against the leading axes (e.g. ``t_s`` of shape ``(N,)`` with ``r_eci`` of shape ``(N, 3)``).
    Returns ``r_ecef``, or ``(r_ecef, v_ecef)`` when ``v_eci`` is given.
    """
    r = np.asarray(r_eci, dtype=float)
    rot = _rot_z(_theta(t_s, theta0_rad))
    r_ecef = _matvec(rot, r)
    if v_eci is None:
        return r_ecef
    v = np.asarray(v_eci, dtype=float)
    w_cross_r = np.stack(
        [-OMEGA_RAD_S * r[..., 1], OMEGA_RAD_S * r[..., 0], np.zeros_like(r[..., 2])], axis=-1
    )
    return r_ecef, _matvec(rot, v - w_cross_r)


def _fma_typing(typingctx: Any, a: Any, b: Any, c: Any) -> Any:
    sig = types.float64(types.float64, types.float64, types.float64)

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        fnty = ir.FunctionType(ir.DoubleType(), [ir.DoubleType()] * 3)
        return builder.call(
            builder.module.declare_intrinsic("llvm.fma", [ir.DoubleType()], fnty), args
        )

    return sig, codegen


#: numba scalar: ``a * b + c`` rounded once (LLVM's ``llvm.fma.f64``; Python 3.11 has no
#: ``math.fma``).
_fma = cast(Callable[[float, float, float], float], intrinsic(_fma_typing))


@njit(cache=True, inline="always", error_model="numpy")
def _rot3(c: float, s: float, x: float, y: float, z: float) -> tuple[float, float, float]:
    """``R3(theta) (x, y, z)`` (``c, s``: cosine and sine of theta), each row's sum in the order
    and with the rounding of the BLAS ``dgemv`` that :func:`_matvec` calls (numpy's
    ``matmul`` of a (3, 3) matrix and a vector): ``fma(m0, x, fma(m1, y, m2 * z))``, so that
    :func:`eci_states_to_ecef` equals :func:`eci_to_ecef` bit for bit."""
    return (
        _fma(c, x, _fma(s, y, 0.0 * z)),
        _fma(-s, x, _fma(c, y, 0.0 * z)),
        _fma(0.0, x, _fma(0.0, y, 1.0 * z)),
    )


def _states_and_rotation(
    states_eci: ArrayLike, t_s: ArrayLike
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """States ``(N, T, 6)`` as a C-contiguous float array and the cosine and sine (numpy's) of
    the Earth's rotation angle at each of the times ``t_s`` (T,; s), checked."""
    st = np.ascontiguousarray(states_eci, dtype=float)
    t = np.asarray(t_s, dtype=float)
    if st.ndim != 3 or st.shape[2] != 6 or t.shape != (st.shape[1],):
        raise ValueError(f"states must be (N, T, 6) with t_s (T,), got {st.shape}, {t.shape}")
    theta = _theta(t, 0.0)
    return st, np.cos(theta), np.sin(theta)


@njit(cache=True, error_model="numpy")
def _states_to_ecef(
    st: np.ndarray, c: np.ndarray, s: np.ndarray, r_out: np.ndarray, v_out: np.ndarray
) -> None:
    """ECEF positions of ``st`` (N, T, 6) into ``r_out`` (N, T, 3) and velocities of its first
    ``v_out.shape[1]`` times into ``v_out``, rotated by (``c``, ``s``) per time (:func:`_rot3`)."""
    omega = OMEGA_RAD_S
    nv = v_out.shape[1]
    for i in range(st.shape[0]):
        for k in range(st.shape[1]):
            x, y, z = st[i, k, 0], st[i, k, 1], st[i, k, 2]
            r_out[i, k, 0], r_out[i, k, 1], r_out[i, k, 2] = _rot3(c[k], s[k], x, y, z)
            if k < nv:
                # v - omega x r, as eci_to_ecef forms it
                vx = st[i, k, 3] - (-omega) * y
                vy = st[i, k, 4] - omega * x
                vz = st[i, k, 5] - 0.0
                v_out[i, k, 0], v_out[i, k, 1], v_out[i, k, 2] = _rot3(c[k], s[k], vx, vy, vz)


def eci_states_to_ecef(states_eci: ArrayLike, t_s: ArrayLike) -> np.ndarray:
    """States ``(N, T, 6)`` (m, m/s; rotating-Earth inertial frame, ECI = ECEF at time 0)
    sampled at common times ``t_s`` (T,; s) -> ECEF states ``(N, T, 6)``; NaN stays NaN.

    :func:`eci_to_ecef` (``theta0_rad = 0``, positions and velocities) for a common time grid:
    the rotation's cosine and sine once per time (numpy's, as there) and the products in one
    numba pass, in the order and rounding of the BLAS matrix-vector product ``eci_to_ecef``
    calls (:func:`_rot3`): equal to it bit for bit where that BLAS sums as the one measured
    (OpenBLAS ``dgemv``; tests/earth/test_frames.py), else within an ulp.  A fan of boost
    templates (~800 x 660 states) took 0.1 s in ``eci_to_ecef`` (one BLAS call per state),
    ~0.01 s here."""
    st, c, s = _states_and_rotation(states_eci, t_s)
    out = np.empty_like(st)
    _states_to_ecef(st, c, s, out[..., :3], out[..., 3:])
    return out


def eci_states_to_ecef_parts(
    states_eci: np.ndarray, t_s: ArrayLike, r_out: np.ndarray, v_out: np.ndarray
) -> None:
    """:func:`eci_states_to_ecef` (the same floats) written into the caller's arrays: the
    positions (m) into ``r_out`` (N, T, 3), the velocities (m/s) of the first ``Tv`` times
    only into ``v_out`` (N, Tv, 3) (both C-contiguous), for a caller that keeps them apart
    (the corridor's fan: positions on the whole grid, velocities on the fine one) without a
    whole (N, T, 6) array and its copies."""
    st, c, s = _states_and_rotation(states_eci, t_s)
    n, nt = st.shape[:2]
    if r_out.shape != (n, nt, 3) or v_out.ndim != 3 or v_out.shape[0] != n:
        raise ValueError(f"r_out must be {(n, nt, 3)} and v_out (N, Tv, 3) for states {st.shape}")
    if v_out.shape[1] > nt or v_out.shape[2] != 3:
        raise ValueError(f"v_out must be (N, Tv <= {nt}, 3), got {v_out.shape}")
    if not (r_out.flags.c_contiguous and v_out.flags.c_contiguous):
        raise ValueError("r_out and v_out must be C-contiguous")
    _states_to_ecef(st, c, s, r_out, v_out)


@overload
def ecef_to_eci(
    r_ecef: ArrayLike, t_s: ArrayLike, theta0_rad: ArrayLike = ..., v_ecef: None = ...
) -> np.ndarray: ...
@overload
def ecef_to_eci(
    r_ecef: ArrayLike, t_s: ArrayLike, theta0_rad: ArrayLike, v_ecef: ArrayLike
) -> tuple[np.ndarray, np.ndarray]: ...
@overload
def ecef_to_eci(
    r_ecef: ArrayLike, t_s: ArrayLike, theta0_rad: ArrayLike = ..., *, v_ecef: ArrayLike
) -> tuple[np.ndarray, np.ndarray]: ...
def ecef_to_eci(
    r_ecef: ArrayLike, t_s: ArrayLike, theta0_rad: ArrayLike = 0.0, v_ecef: ArrayLike | None = None
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """ECEF -> rotating-Earth inertial frame; exact inverse of :func:`eci_to_ecef`.

    ``r_eci = R3(-theta) r_ecef`` and ``v_eci = R3(-theta) v_ecef + omega x r_eci``, with the same
    frame definition, units and broadcasting as :func:`eci_to_ecef`. Returns ``r_eci``, or
    ``(r_eci, v_eci)`` when ``v_ecef`` is given.
    """
    r = np.asarray(r_ecef, dtype=float)
    rot_t = np.swapaxes(_rot_z(_theta(t_s, theta0_rad)), -1, -2)
    r_eci = _matvec(rot_t, r)
    if v_ecef is None:
        return r_eci
    v_eci = _matvec(rot_t, np.asarray(v_ecef, dtype=float))
    w_cross_r = np.stack(
        [-OMEGA_RAD_S * r_eci[..., 1], OMEGA_RAD_S * r_eci[..., 0], np.zeros_like(r_eci[..., 2])],
        axis=-1,
    )
    return r_eci, v_eci + w_cross_r
