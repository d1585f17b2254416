"""Vectorised point -> warning-area lookup over the tables of :mod:`.area_tables`.

A point's raster cell gives its area directly unless the cell is mixed (coasts, borders); points
in mixed cells are tested exactly against the prepared polygons of the candidate areas (in area
order: the first area wins where two overlap, e.g. Takeshima/Dokdo).

Areas that ``make_valid`` turned into GeometryCollections (polygons plus stray lines), which GEOS
does not index when prepared, are tested against their polygons first; only points on a polygon
boundary or a stray line go to the collection itself (same answers, several times faster).
"""

from __future__ import annotations

import numpy as np

from .area_names import COUNTRIES, area_table, check_countries
from .area_tables import MIXED
from .land_mask import LandMask

__all__ = ["AreaIndex"]


class AreaIndex:
    """Vectorised point -> area lookup (raster + exact test in mixed cells)."""

    def __init__(self, tables: dict[str, np.ndarray]):
        import shapely

        self.codes = tuple(str(c) for c in tables["codes"])
        self.grid = np.ascontiguousarray(tables["grid"])
        self.lon0, self.lat0, self.cell = (float(v) for v in tables["origin"])
        wkb, off = tables["wkb"].tobytes(), tables["wkb_offsets"]
        self.geoms = [shapely.from_wkb(wkb[off[i] : off[i + 1]]) for i in range(len(self.codes))]
        for g in self.geoms:
            shapely.prepare(g)
        self.bounds = np.array([g.bounds for g in self.geoms])
        self._split = [_split_collection(g) for g in self.geoms]
        rows = {r[0]: r[2] for r in area_table()}
        self.country = np.array([rows[c] for c in self.codes])
        self._masks: dict[tuple[str, ...], LandMask] = {}
        self._grid_flat = self.grid.ravel()
        g = self.grid
        self._empty_border = not (g[0].any() or g[-1].any() or g[:, 0].any() or g[:, -1].any())

    def land_mask(self, countries=COUNTRIES) -> LandMask:
        """The coarse :class:`LandMask` of ``countries`` (built on first use, then cached)."""
        countries = check_countries(countries)
        mask = self._masks.get(countries)
        if mask is None:
            mask = self._masks[countries] = LandMask(self, countries)
        return mask

    def _contains_xy(self, a: int, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """``shapely.contains_xy(self.geoms[a], x, y)``, fast for geometry collections too."""
        import shapely

        split = self._split[a]
        if split is None:
            return shapely.contains_xy(self.geoms[a], x, y)
        # a GeometryCollection (polygons and stray lines, from make_valid) is not indexed when
        # prepared: test its polygons, then the whole only for points on their boundaries or on
        # the lines (a point in a polygon's interior is in the collection's)
        polys, lines = split
        out = shapely.contains_xy(polys, x, y)
        rest = np.flatnonzero(~out)
        if rest.size:
            rx, ry = x[rest], y[rest]
            edge = shapely.intersects_xy(polys, rx, ry)
            if lines is not None:
                edge |= shapely.intersects_xy(lines, rx, ry)
            e = rest[edge]
            if e.size:
                out[e] = shapely.contains_xy(self.geoms[a], x[e], y[e])
        return out

    def index_of(self, lat_deg, lon_deg, countries=COUNTRIES) -> np.ndarray:
        """Area index (into :attr:`codes`) of each point, -1 outside every area (int16)."""
        countries = check_countries(countries)
        lat = np.asarray(lat_deg, dtype=float)
        lon = np.asarray(lon_deg, dtype=float)
        if lat.shape != lon.shape:
            raise ValueError(f"lat_deg {lat.shape} and lon_deg {lon.shape} differ in shape")
        shape = lat.shape
        lat, lon = lat.ravel(), lon.ravel()
        lon = lon + 180.0
        wrap = ~((lon >= 0.0) & (lon < 360.0))
        if wrap.any():  # the modulo is the identity in [0, 360): same as applying it to all
            lon[wrap] %= 360.0
        lon -= 180.0
        ny, nx = self.grid.shape
        with np.errstate(invalid="ignore"):
            fi = np.floor((lon - self.lon0) / self.cell)
            fj = np.floor((lat - self.lat0) / self.cell)
        if self._empty_border:  # outside (and NaN) -> a border cell, which holds no area
            fj = np.fmin(np.fmax(fj, 0.0), ny - 1).astype(np.intp)
            fi = np.fmin(np.fmax(fi, 0.0), nx - 1).astype(np.intp)
            fj *= nx
            fj += fi
            val = self._grid_flat.take(fj).astype(np.int16)
        else:
            inside = (fi >= 0) & (fi < nx) & (fj >= 0) & (fj < ny)
            val = np.zeros(lat.size, dtype=np.int16)
            val[inside] = self.grid[fj[inside].astype(np.intp), fi[inside].astype(np.intp)]
        out = val - 1
        mixed = np.flatnonzero(val == MIXED)
        out[mixed] = -1
        allowed = np.isin(self.country, countries)
        if not allowed.all():
            out[(out >= 0) & ~allowed[np.maximum(out, 0)]] = -1
        if mixed.size:
            mx, my = lon[mixed], lat[mixed]
            res = np.full(mixed.size, -1, dtype=np.int16)
            # in area order (the first area wins), the areas whose bounds meet the points' box
            b = self.bounds
            near = (
                (b[:, 0] <= mx.max())
                & (b[:, 2] >= mx.min())
                & (b[:, 1] <= my.max())
                & (b[:, 3] >= my.min())
            )
            for a in np.flatnonzero(allowed & near):
                x0, y0, x1, y1 = b[a]
                cand = np.flatnonzero((res < 0) & (mx >= x0) & (mx <= x1) & (my >= y0) & (my <= y1))
                if cand.size:
                    hit = self._contains_xy(int(a), mx[cand], my[cand])
                    res[cand[hit]] = a
            out[mixed] = res
        return out.reshape(shape)


def _split_collection(g):
    """(polygons, other parts) of a GeometryCollection, both prepared; None for other types or
    when its polygons overlap (then only the collection itself answers point queries)."""
    import shapely

    if g.geom_type != "GeometryCollection":
        return None
    parts = shapely.get_parts(g)
    dim = shapely.get_dimensions(parts)
    polys = shapely.get_parts(parts[dim == 2])  # MultiPolygon members into Polygons
    if not polys.size or not all(p.geom_type == "Polygon" for p in polys):
        return None
    mp = shapely.multipolygons(polys)
    if not shapely.is_valid(mp):
        return None
    shapely.prepare(mp)
    other = parts[dim < 2]
    lines = shapely.geometrycollections(other) if other.size else None
    if lines is not None:
        shapely.prepare(lines)
    return mp, lines
