"""Simplified area outlines for CAP ``<polygon>`` elements: at most :data:`MAX_POINTS` points.

Alerting authorities publish a warned area as a few coarse polygons plus its geocode (receivers
draw and geofence the polygons; Google Public Alerts, for one, asks for polygons with few
points). From an area's land (:func:`.areas.area_polygons`, lon/lat degrees): grown by
:data:`GROW_DEG` so that the outline covers the coast it simplifies, then simplified
(Douglas-Peucker, shapely) with a tolerance doubled until the kept parts have at most
``max_points`` vertices in all. Parts are kept largest first; islands too small for the budget
are left to the geocode, which names the whole area. Results are cached per process.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

__all__ = ["MAX_POINTS", "GROW_DEG", "outline"]

#: Vertex budget per area, all its polygons together (closing vertices counted).
MAX_POINTS = 100
#: Outward growth before simplifying, degrees (about 2 km).
GROW_DEG = 0.02


@lru_cache(maxsize=128)
def outline(code: str, max_points: int = MAX_POINTS) -> tuple[np.ndarray, ...]:
    """Closed (n, 2) lon/lat rings of area ``code``, largest first, ``sum(n) <= max_points``."""
    import shapely

    from .areas import area_country, area_polygons

    if max_points < 4:
        raise ValueError("max_points must be >= 4")
    geom = area_polygons((area_country(code),)).get(code)
    if geom is None:
        raise ValueError(f"unknown area code {code!r}")
    polys = shapely.get_parts(geom)
    polys = polys[shapely.get_dimensions(polys) == 2]  # drop stray lines of GeometryCollections
    grown = shapely.union_all(shapely.buffer(polys, GROW_DEG, quad_segs=2))
    tol = 0.005
    for _ in range(20):
        simple = shapely.simplify(grown, tol, preserve_topology=True)
        parts = [
            p for p in shapely.get_parts(simple) if p.geom_type == "Polygon" and not p.is_empty
        ]
        parts.sort(key=lambda p: -p.area)
        rings, used = [], 0
        for p in parts:
            xy = np.asarray(p.exterior.coords)
            if len(xy) < 4 or used + len(xy) > max_points:
                continue
            rings.append(xy)
            used += len(xy)
        if rings and parts and rings[0] is not None and len(parts[0].exterior.coords) <= max_points:
            covered = sum(shapely.area(shapely.Polygon(r)) for r in rings)
            if covered >= 0.9 * sum(p.area for p in parts):
                return tuple(rings)
        tol *= 2.0
    raise RuntimeError(f"no outline of {code} within {max_points} points")  # pragma: no cover
