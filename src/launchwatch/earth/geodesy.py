"""Geodesics on the WGS84 ellipsoid: thin, vectorized wrappers over :class:`pyproj.Geod`.

pyproj's ``Geod`` wraps GeographicLib's geodesic algorithms (C. F. F. Karney, "Algorithms for
geodesics", *Journal of Geodesy* 87 (2013) 43-55), accurate to about 15 nm on WGS84. Nothing here
is hand-written geodesy; these functions only fix launchwatch's conventions:

* arguments and results in degrees and metres (latitude first, as the names say);
* azimuths clockwise from north, degrees in ``(-180, 180]``;
* inputs broadcast against each other; results have the broadcast shape (NumPy scalars for
  scalar inputs);
* latitudes outside ``[-90, 90]`` raise :class:`ValueError` (pyproj would silently return NaN);
  NaN inputs propagate as NaN.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from pyproj import Geod

from .constants import A_M, B_M

__all__ = [
    "WGS84_GEOD",
    "inverse",
    "direct",
    "great_circle_points",
    "segment_lengths_m",
    "densify_count",
    "distances_from",
    "PathDistances",
    "wrap_lon_deg",
    "unwrap_lon_deg",
]

#: The WGS84 ellipsoid as a pyproj Geod (same a and 1/f as :mod:`launchwatch.earth.constants`).
WGS84_GEOD = Geod(ellps="WGS84")


def wrap_lon_deg(lon_deg: ArrayLike) -> np.ndarray:
    """Longitudes (deg) wrapped to [-180, 180)."""
    return (np.asarray(lon_deg, float) + 180.0) % 360.0 - 180.0


def unwrap_lon_deg(lon_deg: ArrayLike, centre_deg: float) -> np.ndarray:
    """Longitudes (deg) within 180 of ``centre_deg``: a ring of points around a centre near the
    antimeridian stays one ring (179.9 and -179.9 about 179.8 give 179.9 and 180.1), not a band
    round the globe."""
    return float(centre_deg) + wrap_lon_deg(np.asarray(lon_deg, float) - float(centre_deg))


def _prepare(*arrays: ArrayLike) -> tuple[list[np.ndarray], tuple[int, ...]]:
    """Broadcast inputs to float arrays of one shape; return (flat arrays, shape)."""
    bcast = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in arrays))
    shape = bcast[0].shape
    return [np.ascontiguousarray(b).ravel() for b in bcast], shape


def _check_lat(name: str, lat_deg: ArrayLike) -> None:
    lat = np.asarray(lat_deg, dtype=float)
    if np.any(np.abs(lat) > 90.0):
        raise ValueError(f"{name} must be within [-90, 90] degrees")


def _shaped(values: tuple[Any, ...], shape: tuple[int, ...]) -> tuple[Any, ...]:
    return tuple(np.asarray(v, dtype=float).reshape(shape)[()] for v in values)


def inverse(
    lat1_deg: ArrayLike, lon1_deg: ArrayLike, lat2_deg: ArrayLike, lon2_deg: ArrayLike
) -> tuple[Any, ...]:
    """Inverse geodesic problem between points 1 and 2 on WGS84.

    Returns ``(azimuth_deg, back_azimuth_deg, distance_m)``: the forward azimuth at point 1
    towards point 2, the azimuth at point 2 pointing back towards point 1, and the geodesic
    distance in metres.
    """
    _check_lat("lat1_deg", lat1_deg)
    _check_lat("lat2_deg", lat2_deg)
    (lat1, lon1, lat2, lon2), shape = _prepare(lat1_deg, lon1_deg, lat2_deg, lon2_deg)
    az12, az21, dist = WGS84_GEOD.inv(lon1, lat1, lon2, lat2, return_back_azimuth=True)
    return _shaped((az12, az21, dist), shape)


def direct(
    lat_deg: ArrayLike, lon_deg: ArrayLike, azimuth_deg: ArrayLike, distance_m: ArrayLike
) -> tuple[Any, ...]:
    """Direct geodesic problem: travel ``distance_m`` from a point along ``azimuth_deg``.

    Returns ``(lat_deg, lon_deg, back_azimuth_deg)`` of the end point; the back azimuth points
    from the end point back towards the start. Longitudes are wrapped to ``[-180, 180]``.
    """
    _check_lat("lat_deg", lat_deg)
    (lat, lon, az, dist), shape = _prepare(lat_deg, lon_deg, azimuth_deg, distance_m)
    lon2, lat2, az21 = WGS84_GEOD.fwd(lon, lat, az, dist, return_back_azimuth=True)
    return _shaped((lat2, lon2, az21), shape)


def great_circle_points(
    lat1_deg: ArrayLike, lon1_deg: ArrayLike, lat2_deg: ArrayLike, lon2_deg: ArrayLike, npts: int
) -> tuple[np.ndarray, np.ndarray]:
    """``npts`` points equally spaced along the WGS84 *geodesic* from point 1 to point 2.

    (The name follows common usage; on the ellipsoid the shortest path is a geodesic, not a great
    circle.) Both end points are included, so ``npts >= 2``. Returns ``(lat_deg, lon_deg)``, each
    of shape ``broadcast_shape + (npts,)``: one track per input pair, computed in one batch by
    solving the inverse problem and then the direct problem at each fraction of the distance.
    """
    npts = int(npts)
    if npts < 2:
        raise ValueError("npts must be at least 2 (both end points are included)")
    az12, _, dist = inverse(lat1_deg, lon1_deg, lat2_deg, lon2_deg)
    frac = np.linspace(0.0, 1.0, npts)
    lat1, lon1 = np.broadcast_arrays(np.asarray(lat1_deg, float), np.asarray(lon1_deg, float))
    shape = np.broadcast_shapes(lat1.shape, np.shape(az12))
    lat1, lon1, az12, dist = (
        np.broadcast_to(a, shape)[..., None] for a in (lat1, lon1, az12, dist)
    )
    lat, lon, _ = direct(lat1, lon1, az12, dist * frac)
    return lat, lon


def segment_lengths_m(
    lat1_deg: ArrayLike, lon1_deg: ArrayLike, lat2_deg: ArrayLike, lon2_deg: ArrayLike
) -> np.ndarray:
    """Geodesic lengths (m) of segments between points 1 and 2 (broadcast), for paths that may
    hold gaps: NaN where an end is NaN, ``inf`` where an end is infinite or its latitude is
    outside ``[-90, 90]`` (a segment that cannot be measured counts as too long)."""
    lat1, lon1, lat2, lon2 = np.broadcast_arrays(
        *(np.asarray(x, float) for x in (lat1_deg, lon1_deg, lat2_deg, lon2_deg))
    )
    out = np.full(lat1.shape, np.nan)
    nan = np.isnan(lat1) | np.isnan(lon1) | np.isnan(lat2) | np.isnan(lon2)
    ok = (
        ~nan
        & np.isfinite(lat1 + lon1 + lat2 + lon2)
        & (np.abs(lat1) <= 90.0)
        & (np.abs(lat2) <= 90.0)
    )
    out[~nan & ~ok] = np.inf
    if ok.any():
        _, _, out[ok] = inverse(lat1[ok], lon1[ok], lat2[ok], lon2[ok])
    return out[()] if out.ndim == 0 else out


def densify_count(lengths_m: ArrayLike, max_step_m: float, cap: int) -> int:
    """Points per segment so that no step of the longest finite-or-infinite segment in
    ``lengths_m`` exceeds ``max_step_m``: ``ceil(longest / max_step_m)`` clipped to
    ``1..cap`` (NaN lengths are ignored; none at all gives 1)."""
    lengths = np.asarray(lengths_m, float)
    known = lengths[~np.isnan(lengths)]
    if known.size == 0:
        return 1
    worst = float(known.max())
    return int(np.clip(np.ceil(worst / max_step_m), 1, cap))


def _andoyer_lambert_m(
    lat0_deg: float, lon0_deg: float, lat_deg: np.ndarray, lon_deg: np.ndarray
) -> np.ndarray:
    """Andoyer-Lambert's first-order (in the flattening ``f``) geodesic distance (m) from one
    point to points (1-D arrays, finite): the central angle ``sig`` between the reduced
    latitudes on the auxiliary sphere (from its haversine), less ``f / 2 * (X + Y)`` with
    ``X = (sig - sin sig) sin^2 P cos^2 Q / cos^2(sig / 2)`` and
    ``Y = (sig + sin sig) cos^2 P sin^2 Q / sin^2(sig / 2)`` (``P``, ``Q``: half the sum and
    difference of the reduced latitudes; ``sin P cos Q``, ``cos P sin Q`` are half the sum and
    difference of their sines). Its error grows as ``f**2`` times the distance (2.4 m at
    2,370 km from a Korean launch site); :func:`distances_from` corrects it."""
    f = 1.0 - B_M / A_M
    t1 = (1.0 - f) * np.tan(np.radians(lat0_deg))
    t2 = (1.0 - f) * np.tan(np.radians(lat_deg))
    c1, c2 = 1.0 / np.sqrt(1.0 + t1 * t1), 1.0 / np.sqrt(1.0 + t2 * t2)  # cos of reduced lat
    s1, s2 = t1 * c1, t2 * c2
    # haversine of the central angle: sin^2(db / 2) + cos b1 cos b2 sin^2(dlon / 2), the first
    # term as sin^2 db / (2 (1 + cos db)) (no cancellation for nearby points)
    sdb = s2 * c1 - c2 * s1
    hav = (
        sdb * sdb / (2.0 * (1.0 + c1 * c2 + s1 * s2))
        + c1 * c2 * np.sin(np.radians(0.5 * (lon_deg - lon0_deg))) ** 2
    )
    hav = np.clip(hav, 0.0, 1.0)
    sig = 2.0 * np.arcsin(np.sqrt(hav))
    sin_sig = 2.0 * np.sqrt(hav * (1.0 - hav))
    with np.errstate(invalid="ignore", divide="ignore"):
        x = (sig - sin_sig) * (0.5 * (s1 + s2)) ** 2 / (1.0 - hav)
        y = (sig + sin_sig) * (0.5 * (s2 - s1)) ** 2 / hav
    out: np.ndarray = A_M * (
        sig - 0.5 * f * (np.where(hav < 1.0, x, 0.0) + np.where(hav > 0.0, y, 0.0))
    )
    return out


def distances_from(
    lat0_deg: float, lon0_deg: float, lat_deg: ArrayLike, lon_deg: ArrayLike, *, every: int = 16
) -> np.ndarray:
    """Geodesic distances (m) from one point to every point of paths ``(..., N)`` (deg; NaN
    points give NaN), for densely sampled paths such as flown trajectories' ground tracks.

    The exact geodesic (:func:`inverse`) is solved at every ``every``-th finite point of each
    path and its last finite point; in between, Andoyer-Lambert's first-order formula
    (:func:`_andoyer_lambert_m`) plus its difference to the exact distances, interpolated
    linearly between those knots. The difference is ``f**2`` small and smooth along a path, so
    the result is within 2 cm of the exact distance on the corridor fans' 1 s climbs (up to
    2,400 km from the launch site, ``every`` = 16; tested) at about a third of the CPU of
    the exact geodesic at every point. Knots are exact. Shorter than
    ~10,000 km (Andoyer-Lambert is not for nearly antipodal points)."""
    if every < 1:
        raise ValueError("every must be >= 1")
    _check_lat("lat0_deg", lat0_deg)
    _check_lat("lat_deg", lat_deg)
    lat, lon = np.broadcast_arrays(np.asarray(lat_deg, float), np.asarray(lon_deg, float))
    shape = lat.shape
    if lat.size == 0:
        return np.full(shape, np.nan)
    n = shape[-1] if lat.ndim else 1
    lat2, lon2 = lat.reshape(-1, n), lon.reshape(-1, n)
    ok = np.isfinite(lat2) & np.isfinite(lon2)
    rank = np.cumsum(ok, axis=1) - 1  # index of a point among its path's finite points
    last = ok.sum(axis=1) - 1
    rows, cols = np.nonzero(ok)
    r, end = rank[rows, cols], last[rows]
    la, lo = lat2[rows, cols], lon2[rows, cols]
    approx = _andoyer_lambert_m(float(lat0_deg), float(lon0_deg), la, lo)
    kn = np.flatnonzero((r % every == 0) | (r == end))
    _, _, exact = inverse(float(lat0_deg), float(lon0_deg), la[kn], lo[kn])
    # the knots' differences by (path, knot number): every-th points, then the last
    diff = np.zeros((lat2.shape[0], n // every + 2))
    diff[rows[kn], r[kn] // every + (r[kn] % every != 0)] = exact - approx[kn]
    left = r // every
    span = np.minimum(left * every + every, end) - left * every
    w = np.where(span > 0, (r - left * every) / np.maximum(span, 1), 0.0)
    d = approx + (1.0 - w) * diff[rows, left] + w * diff[rows, left + (span > 0)]
    d[kn] = exact
    out = np.full(lat2.shape, np.nan)
    out[rows, cols] = d
    return out.reshape(shape)[()]


class PathDistances:
    """The geodesic distances (m) from one point to the points of paths ``(P, N)`` (deg; NaN
    points give NaN) that :func:`distances_from` gives, computed only where they are asked
    for (:meth:`at`), or all at once (:meth:`table`, kept).  For a caller that reads a few
    points of each of many long paths (the corridor's fan reads each template's table at the
    two points around one height): the same floats as the whole table at those points, at the
    CPU of those points and their two knots.

    Only for paths whose finite points come first (a flown path, NaN after impact): for any
    other the whole table is computed at once and :meth:`at` reads it.  The paths' points are
    given as arrays, or (:meth:`of_points`) as a function that computes them where read."""

    def __init__(
        self,
        lat0_deg: float,
        lon0_deg: float,
        lat_deg: ArrayLike,
        lon_deg: ArrayLike,
        *,
        every: int = 16,
    ):
        _check_lat("lat_deg", lat_deg)
        lat, lon = np.broadcast_arrays(np.asarray(lat_deg, float), np.asarray(lon_deg, float))
        if lat.ndim != 2:
            raise ValueError(f"paths must be (P, N), got {lat.shape}")
        #: the paths' points (deg), when given as arrays
        self.lat_deg: np.ndarray | None = lat
        self.lon_deg: np.ndarray | None = lon
        self._points: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]] | None
        self._points = None
        self._setup(lat0_deg, lon0_deg, np.isfinite(lat) & np.isfinite(lon), every)

    @classmethod
    def of_points(
        cls,
        lat0_deg: float,
        lon0_deg: float,
        points: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]],
        finite: np.ndarray,
        *,
        every: int = 16,
    ) -> PathDistances:
        """Paths ``(P, N)`` whose points are computed where read: ``points(rows, cols)``
        (integer arrays (k,)) gives their ``(lat_deg, lon_deg)`` (k,), asked only where
        ``finite`` (bool (P, N)); the points elsewhere are NaN.  The same floats as the paths
        given as arrays, for a caller whose points are costly to convert (the corridor's fan:
        ECEF positions, of which a match reads a few)."""
        ok = np.asarray(finite, bool)
        if ok.ndim != 2:
            raise ValueError(f"paths must be (P, N), got {ok.shape}")
        self = cls.__new__(cls)
        self.lat_deg = self.lon_deg = None
        self._points = points
        self._setup(lat0_deg, lon0_deg, ok, every)
        return self

    def _setup(self, lat0_deg: float, lon0_deg: float, ok: np.ndarray, every: int) -> None:
        """The attributes both constructors set, from where the points are finite (``ok``,
        bool (P, N)); paths whose finite points are not a prefix get their whole table now
        (:meth:`at` reads prefixes only)."""
        if every < 1:
            raise ValueError("every must be >= 1")
        _check_lat("lat0_deg", lat0_deg)
        self.lat0_deg, self.lon0_deg, self.every = float(lat0_deg), float(lon0_deg), int(every)
        self.shape: tuple[int, int] = (int(ok.shape[0]), int(ok.shape[1]))
        self._table: np.ndarray | None = None
        #: where the points given by a function are finite, when not a prefix of each path
        self._finite: np.ndarray | None = None
        #: index of each path's last finite point (-1: none)
        self.last = ok.sum(axis=1) - 1
        prefix = np.arange(ok.shape[1])[None, :] <= self.last[:, None]
        if not np.array_equal(ok, prefix):
            if self._points is not None:
                self._finite = ok
            self.table()

    def _latlon(self, rows: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The paths' points (deg) at ``(rows, cols)`` (finite ones)."""
        if self._points is not None:
            la, lo = self._points(rows, cols)
            return np.asarray(la, float), np.asarray(lo, float)
        assert self.lat_deg is not None and self.lon_deg is not None
        return self.lat_deg[rows, cols], self.lon_deg[rows, cols]

    def table(self) -> np.ndarray:
        """The whole ``(P, N)`` table (:func:`distances_from`), computed once."""
        if self._table is None:
            if self._points is None:
                assert self.lat_deg is not None and self.lon_deg is not None
                lat, lon = self.lat_deg, self.lon_deg
            else:
                # the finite points: a prefix of each path (else kept on construction)
                ok = self._finite
                if ok is None:
                    ok = np.arange(self.shape[1])[None, :] <= self.last[:, None]
                rows, cols = np.nonzero(ok)
                lat, lon = np.full(self.shape, np.nan), np.full(self.shape, np.nan)
                lat[rows, cols], lon[rows, cols] = self._latlon(rows, cols)
            t = distances_from(self.lat0_deg, self.lon0_deg, lat, lon, every=self.every)
            t.flags.writeable = False
            self._table = t
        return self._table

    def at(self, rows: ArrayLike, cols: ArrayLike) -> np.ndarray:
        """Distances (m) at points ``(rows, cols)`` (integer arrays, broadcast)."""
        r_i, c_i = np.broadcast_arrays(np.asarray(rows, np.intp), np.asarray(cols, np.intp))
        if self._table is not None:
            out_t: np.ndarray = self._table[r_i, c_i]
            return out_t
        every, last = self.every, self.last
        out = np.full(r_i.shape, np.nan)
        ok = c_i <= last[r_i]  # finite points come first (checked on construction)
        rw, r = r_i[ok], c_i[ok]
        end = last[rw]
        # the point and, where it is not a knot, its knots: the every-th point at or before
        # it and the next (or the path's last point)
        knot = (r % every == 0) | (r == end)
        left = r // every
        span = np.minimum(left * every + every, end) - left * every
        k_l, k_r = left * every, left * every + span
        inner = ~knot
        q_rows = np.concatenate([rw, rw[inner], rw[inner]])
        q_cols = np.concatenate([r, k_l[inner], k_r[inner]])
        la, lo = self._latlon(q_rows, q_cols)
        n, m = r.size, int(inner.sum())
        approx = _andoyer_lambert_m(self.lat0_deg, self.lon0_deg, la, lo)
        # exact geodesics: at the knots asked for and at the inner points' knots
        ex_at = np.concatenate([np.flatnonzero(knot), n + np.arange(2 * m)])
        _, _, exact = inverse(self.lat0_deg, self.lon0_deg, la[ex_at], lo[ex_at])
        d = np.empty(n)
        d[knot] = exact[: n - m]
        diff_l = exact[n - m : n] - approx[n : n + m]
        diff_r = exact[n:] - approx[n + m :]
        w = (r[inner] - k_l[inner]) / np.maximum(span[inner], 1)
        d[inner] = approx[:n][inner] + (1.0 - w) * diff_l + w * diff_r
        out[ok] = d
        return out
