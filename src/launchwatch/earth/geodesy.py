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

from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from pyproj import Geod

__all__ = [
    "WGS84_GEOD",
    "inverse",
    "direct",
    "great_circle_points",
    "segment_lengths_m",
    "densify_count",
]

#: The WGS84 ellipsoid as a pyproj Geod (same a and 1/f as :mod:`launchwatch.earth.constants`).
WGS84_GEOD = Geod(ellps="WGS84")


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
