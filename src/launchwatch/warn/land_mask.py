"""Pruning for path look-ups: where the land of some countries' warning areas may be.

A :class:`LandMask` (:meth:`.area_index.AreaIndex.land_mask`, one per set of countries, derived
from the lookup raster in ~50 ms and kept) is a coarse boolean raster of :data:`COARSE_DEG`
cells holding land or coast of those countries, dilated by one cell against rounding. It tells,
for many points or lat/lon boxes at once (e.g. path segments), how far a point is from such land
(:meth:`LandMask.distance`, in cells) and whether a box may hold any (:meth:`LandMask.may_touch`,
O(1) per box through a summed-area table), so that a caller densifies and looks up only what
may be on land. It is conservative: "no" means :meth:`~.area_index.AreaIndex.index_of` finds no
area of those countries there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .area_names import COUNTRIES, check_countries
from .area_tables import MIXED

if TYPE_CHECKING:
    from .area_index import AreaIndex

__all__ = ["COARSE_DEG", "LandMask"]

#: Cell size of the coarse "may touch land" raster, degrees (a multiple of the lookup raster's
#: cell, :data:`.area_tables.CELL_DEG`).
COARSE_DEG = 0.1


class LandMask:
    """Where land of the areas of some countries may be, on :data:`COARSE_DEG` cells (module
    docstring): built from an :class:`AreaIndex`'s raster, so that "no land here" agrees with
    :meth:`AreaIndex.index_of`.

    A coarse cell is land when one of its raster cells is covered by an area of ``countries``, or
    mixed (coast, border) within the bounds of one; the land cells are then dilated by one cell
    so that rounding at cell edges cannot lose a point.
    """

    #: Largest Chebyshev distance (cells) kept in :attr:`dist`; farther cells hold this value.
    MAX_DIST = 64

    def __init__(self, index: AreaIndex, countries=COUNTRIES):
        self.countries = check_countries(countries)
        grid = index.grid
        allowed = np.isin(index.country, self.countries)
        lut = np.zeros(256, dtype=bool)
        lut[1 : len(index.codes) + 1] = allowed
        land = lut[grid]
        mixed = grid == MIXED
        for a in np.flatnonzero(allowed):
            x0, y0, x1, y1 = index.bounds[a]
            i0 = max(int((x0 - index.lon0) // index.cell) - 1, 0)
            j0 = max(int((y0 - index.lat0) // index.cell) - 1, 0)
            i1 = int((x1 - index.lon0) // index.cell) + 2
            j1 = int((y1 - index.lat0) // index.cell) + 2
            land[j0:j1, i0:i1] |= mixed[j0:j1, i0:i1]
        r = max(int(round(COARSE_DEG / index.cell)), 1)
        ny, nx = land.shape
        pad = np.zeros((-(-ny // r) * r, -(-nx // r) * r), dtype=bool)
        pad[:ny, :nx] = land
        coarse = np.asarray(
            pad.reshape(pad.shape[0] // r, r, pad.shape[1] // r, r).any(axis=(1, 3))
        )
        self.cell = r * index.cell
        self.lat0, self.lon0 = index.lat0, index.lon0
        self.land = _dilate(coarse)
        self.ny, self.nx = self.land.shape
        # Chebyshev distance (cells) to the nearest land cell, capped at MAX_DIST
        dist = np.full(self.land.shape, self.MAX_DIST, dtype=np.uint8)
        cur = self.land
        for d in range(self.MAX_DIST):
            dist[cur & (dist == self.MAX_DIST)] = d
            if cur.all():
                break
            cur = _dilate(cur)
        self.dist = dist
        self._dist_flat = dist.ravel()
        sat = np.zeros((self.ny + 1, self.nx + 1), dtype=np.int32)
        sat[1:, 1:] = self.land.cumsum(axis=0, dtype=np.int32).cumsum(axis=1, dtype=np.int32)
        self._sat = sat

    def distance(self, lat_deg, lon_deg) -> np.ndarray:
        """Per point, the Chebyshev distance in cells (uint8, at most :attr:`MAX_DIST`) from its
        cell to the nearest land cell; a lower bound outside the raster. NaN points give an
        arbitrary value."""
        lat = np.asarray(lat_deg, dtype=float)
        lon = np.asarray(lon_deg, dtype=float)
        out_of_range = (lon < -180.0) | (lon >= 180.0)
        if out_of_range.any():
            lon = np.where(out_of_range, (lon + 180.0) % 360.0 - 180.0, lon)
        # clipping onto the raster only brings a point nearer to every cell of it; fmax also
        # maps NaN into it; truncation is the floor once non-negative
        j = np.fmax((lat - self.lat0) * (1.0 / self.cell), 0.0)
        i = np.fmax((lon - self.lon0) * (1.0 / self.cell), 0.0)
        j = np.fmin(j, self.ny - 1).astype(np.intp)
        i = np.fmin(i, self.nx - 1).astype(np.intp)
        j *= self.nx
        j += i
        return self._dist_flat.take(j)

    def may_touch(self, lat_min, lat_max, lon_min, lon_max) -> np.ndarray:
        """Whether the box [lat_min, lat_max] x [lon_min, lon_max] (deg) may hold a point on land;
        False guarantees that :meth:`AreaIndex.index_of` (with these countries) gives -1 for every
        point of the box.
        ``lon_min <= lon_max`` need not be normalised (a box may cross the antimeridian, e.g.
        179..181); NaN gives False. Arrays of any equal shape; O(1) per box.
        """
        y0, y1, x0, x1 = np.broadcast_arrays(
            *(np.asarray(v, dtype=float) for v in (lat_min, lat_max, lon_min, lon_max))
        )
        shape = y0.shape
        y0, y1, x0, x1 = (v.ravel() for v in (y0, y1, x0, x1))
        out = np.zeros(y0.size, dtype=bool)
        ok = np.flatnonzero(np.isfinite(y0) & np.isfinite(y1) & np.isfinite(x0) & np.isfinite(x1))
        if not ok.size:
            return out.reshape(shape)
        y0, y1, x0, x1 = y0[ok], y1[ok], x0[ok], x1[ok]
        xn = x0 + 180.0  # lon_min in [-180, 180), as index_of does
        wrap = ~((xn >= 0.0) & (xn < 360.0))
        if wrap.any():
            xn[wrap] %= 360.0
        xn -= 180.0
        x0, x1 = xn, x1 - (x0 - xn)
        hit = self._box_hits(y0, y1, x0, np.minimum(x1, 180.0))
        over = np.flatnonzero(x1 >= 180.0)
        if over.size:  # the part beyond the antimeridian; the whole globe if the box is wider
            hit[over] |= self._box_hits(
                y0[over], y1[over], np.full(over.size, -180.0), x1[over] - 360.0
            )
            hit[over[x1[over] - x0[over] >= 360.0]] = True
        out[ok] = hit
        return out.reshape(shape)

    def _box_hits(self, y0, y1, x0, x1) -> np.ndarray:
        ny, nx, sat = self.ny, self.nx, self._sat
        j0 = np.floor((y0 - self.lat0) / self.cell)
        j1 = np.floor((y1 - self.lat0) / self.cell)
        i0 = np.floor((x0 - self.lon0) / self.cell)
        i1 = np.floor((x1 - self.lon0) / self.cell)
        some = (j1 >= 0) & (j0 < ny) & (i1 >= 0) & (i0 < nx) & (j0 <= j1) & (i0 <= i1)
        w = nx + 1  # row length of the summed-area table
        j0 = np.clip(j0, 0, ny - 1).astype(np.intp) * w
        j1 = (np.clip(j1, 0, ny - 1).astype(np.intp) + 1) * w
        i0 = np.clip(i0, 0, nx - 1).astype(np.intp)
        i1 = np.clip(i1, 0, nx - 1).astype(np.intp) + 1
        sat = sat.reshape(-1)
        total = sat.take(j1 + i1) - sat.take(j0 + i1) - sat.take(j1 + i0) + sat.take(j0 + i0)
        return some & (total > 0)


def _dilate(m: np.ndarray) -> np.ndarray:
    """Boolean dilation by one cell (8-neighbourhood)."""
    out = m.copy()
    out[1:, :] |= m[:-1, :]
    out[:-1, :] |= m[1:, :]
    rows = out.copy()
    out[:, 1:] |= rows[:, :-1]
    out[:, :-1] |= rows[:, 1:]
    return out
