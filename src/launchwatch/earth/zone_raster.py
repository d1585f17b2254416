"""A raster of *interior cells* for :mod:`launchwatch.earth.zones`: cells whose whole area has
one answer (zone kind and country), proven conservatively at build time, so that most points are
answered by one array look-up and only points in boundary cells (and outside :data:`REGION`)
take the exact path. Answers are identical to the exact path (tested on 10^6 random points).

Cells
-----
The region is tiled with cells aligned to the pixels of roaring-landmask's 15-arc-second mask
(pixel ``x = floor(240 lon + 43200.5)``, ``y = floor(240 lat + 21600.5)``, so pixel edges lie at
odd multiples of 1/480 degree): base cells of :data:`SIZES_PX`\\ [0] pixels (1/8 degree), split
into 5 x 5, 3 x 3 and 2 x 2 children down to single pixels while undecided.

Proof that a cell has one answer (every bound errs towards "undecided")
----------------------------------------------------------------------
* *Distance.* For a point far from the coast the exact path's distance is the central angle
  ``theta`` to the nearest coast vertex times a WGS84 radius of curvature between ``M`` and
  ``N`` at the mid-latitude of the point and that vertex. With ``alpha`` the largest angle
  from the cell centre to its corners (plus 1 %), every point of the cell has
  ``theta_c - alpha <= theta <= theta_c + alpha`` (triangle inequality), and the mid-latitude
  lies within half of ``theta_c + alpha`` of the cell, which bounds ``M`` below and ``N`` above.
  The cell is territorial sea, EEZ or high seas when both bounds fall on the same side of
  12 nmi and 200 nmi.
* *Whose sea.* The nearest vertex of any point in the cell lies within ``theta_c + 2 alpha`` of
  the centre; if the ``K`` nearest vertices of the centre include all of those (the ``K``-th is
  farther) and they all have one country, the nearest coast's country is uniform.
* *Land.* The land mask must be uniform over every pixel the cell covers: all sea (then no point
  is land, since the exact path only ever removes land from the mask), or all land with the
  whole cell farther than :data:`~.zones.NEAR_KM` from the coast (then the exact path takes the
  mask's answer).
* *Whose land.* All Natural Earth grid cells the cell touches agree; where one is mixed, the cell
  box lies properly inside one Natural Earth part and every part touching it has that country;
  where there is no country, the fallback to the nearest coast's country (within
  :data:`~.zones.LAND_FALLBACK_KM`) must be decided as above.

The raster is built once (about a minute on the 2-core machine, most of it reading the mask at
every pixel of the region) and cached beside the zone tables, keyed by the same package versions
and :data:`RASTER_VERSION`. Look-ups are a numba kernel over the points (plain Python for a
handful). Units: degrees, km.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from . import zones_data
from .constants import NMI_M

if TYPE_CHECKING:
    from .zones import ZoneModel

__all__ = [
    "REGION",
    "SIZES_PX",
    "KIND_BASE",
    "ZoneRaster",
    "raster",
    "cached_raster",
    "build",
    "cache_path",
]

#: Bump when the layout or the proof changes (invalidates caches). 2: the land mask's pixels
#: over the region are kept beside the raster (``mask_bits``).
RASTER_VERSION = 2
#: Raster region (lat_min, lat_max, lon_min, lon_max), degrees: Korea, Japan and its EEZ
#: (Okinotorishima 20.4 N, Minamitorishima 154 E), the Yellow and East China Seas, Taiwan and the
#: Sea of Japan / Okhotsk approaches -- where launchwatch's impact points fall. The raster starts
#: half a mask pixel below these so that its cells are whole mask pixels.
REGION = (15.0, 55.0, 115.0, 160.0)
#: Mask pixels per degree (roaring-landmask's 86400 x 43200 grid).
PX_PER_DEG = 240
#: Raster units per mask pixel (the finest cells are half a pixel).
SUB = 1
UNITS_PER_DEG = PX_PER_DEG * SUB
#: Cell edge in raster units at each level: 1/8 degree, then 5x5, 3x3, 2x2 children (the
#: look-up kernel has them as constants: integer division by a constant is a multiplication).
SIZES_PX = (30, 6, 2, 1)
#: code = kind * KIND_BASE + country index.
KIND_BASE = 4096
#: Coast vertices asked for around a cell centre (whose-sea proof).
_K = 16
#: At most this many (then the cell is left undecided).
_K_MAX = 256
_HALF_PX = 0.5 / PX_PER_DEG
_REL = 1e-9  # relative safety margin on every bound


# --------------------------------------------------------------------------------------------
# look-up


def _lookup_kernel(
    lat: np.ndarray,
    lon: np.ndarray,
    lat0: float,
    lon0: float,
    ppd: float,
    base: np.ndarray,
    flat: np.ndarray,
    kind: np.ndarray,
    country: np.ndarray,
    kind_base: int,
) -> None:
    """Kind (int8, -1 = boundary/outside) and country (int16) of each point.

    Plain Python, compiled by numba for arrays (:func:`_compiled_kernel`); a handful of points
    runs it as it is, so that one point needs no numba at all. The children of a split cell are
    found level by level (SIZES_PX as literals: integer division by a constant is a
    multiplication once compiled)."""
    nj, ni = base.shape
    s0, s1, s2, s3 = 30, 6, 2, 1  # SIZES_PX
    for k in range(lat.shape[0]):
        y = (lat[k] - lat0) * ppd
        x = (lon[k] - lon0) * ppd
        if not (y >= 0.0 and x >= 0.0 and y < nj * s0 and x < ni * s0):
            kind[k] = -1
            country[k] = 0
            continue
        py = int(y)
        px = int(x)
        v = base[py // s0, px // s0]
        if v <= -2:  # split: its 5 x 5 children
            v = flat[-v - 2 + (py // s1 - (py // s0) * 5) * 5 + (px // s1 - (px // s0) * 5)]
            if v <= -2:  # 3 x 3
                v = flat[-v - 2 + (py // s2 - (py // s1) * 3) * 3 + (px // s2 - (px // s1) * 3)]
                if v <= -2:  # 2 x 2
                    v = flat[-v - 2 + (py // s3 - (py // s2) * 2) * 2 + (px // s3 - (px // s2) * 2)]
        if v < 0:
            kind[k] = -1
            country[k] = 0
        else:
            kind[k] = v // kind_base
            country[k] = v % kind_base


#: Up to this many points the look-up runs as plain Python (no numba import: ``zone`` for one
#: point starts fast); more take the compiled kernel.
PYTHON_MAX = 16


@functools.cache
def _compiled_kernel() -> Callable[..., None]:
    from numba import njit

    return njit(cache=True, nogil=True)(_lookup_kernel)


class ZoneRaster:
    """The interior-cell raster (see the module docstring) and its look-up."""

    def __init__(self, tables: dict[str, np.ndarray]):
        self.base = np.ascontiguousarray(tables["base"], dtype=np.int32)
        self.flat = np.ascontiguousarray(tables["flat"], dtype=np.int32)
        if tuple(tables["sizes"]) != SIZES_PX:
            raise ValueError("zone raster levels differ from the kernel's")
        self.lat0, self.lon0 = (float(v) for v in tables["origin"])
        self.codes = tables["codes"]
        self.stats = {k[6:]: float(v) for k, v in tables.items() if k.startswith("stats_")}
        self.mask_bits = tables["mask_bits"]
        self.mask_y0, self.mask_x0 = (int(v) for v in tables["mask_origin"])

    def mask_at(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """roaring-landmask's answer (``RoaringMask.contains``) for flat arrays of points,
        where this raster holds it: ``(known, land)`` boolean arrays. The pixel of a point is
        computed as the mask computes it (:func:`mask_pixel`), so a known answer is the
        mask's own, read from one bit of :attr:`mask_bits` (packed rows of the mask over the
        region, sampled at pixel centres when the raster was built)."""
        px, py = mask_pixel(lon, lat)
        r = py - self.mask_y0
        c = px - self.mask_x0
        ny, nbytes = self.mask_bits.shape
        known = (r >= 0) & (r < ny) & (c >= 0) & (c < nbytes * 8)
        land = np.zeros(len(px), dtype=bool)
        k = np.flatnonzero(known)
        if len(k):
            byte = self.mask_bits[r[k], c[k] >> 3]
            land[k] = (byte >> (7 - (c[k] & 7)).astype(np.uint8)) & 1 == 1
        return known, land

    def lookup_codes(self, lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Kind (int8; -1 where the exact path must answer) and country (int16) of flat arrays of
        prepared points (degrees, longitudes in [-180, 180))."""
        kind = np.empty(len(lat), dtype=np.int8)
        country = np.empty(len(lat), dtype=np.int16)
        kernel = _lookup_kernel if len(lat) <= PYTHON_MAX else _compiled_kernel()
        kernel(
            np.ascontiguousarray(lat, dtype=np.float64),
            np.ascontiguousarray(lon, dtype=np.float64),
            self.lat0,
            self.lon0,
            float(UNITS_PER_DEG),
            self.base,
            self.flat,
            kind,
            country,
            KIND_BASE,
        )
        return kind, country


def mask_pixel(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Column and row (int64) of roaring-landmask's 15-arc-second pixel holding each point,
    computed with the mask's own floating-point steps (roaring-landmask 0.11, ``mask.rs``: the
    longitude wrapped by ``((lon + 180) % 360) - 180`` with a truncating remainder, then
    ``x = 240 lon + 43200.5``, ``y = 240 lat + 21600.5``, truncated), so that points on pixel
    edges land where the mask puts them (tests/earth/test_zone_raster.py checks this against
    the mask on edges and random points)."""
    lon = np.asarray(lon, dtype=np.float64)
    lat = np.asarray(lat, dtype=np.float64)
    x = np.fmod(lon + 180.0, 360.0) - 180.0
    px = (x * float(PX_PER_DEG) + 43200.5).astype(np.int64)
    py = (lat * float(PX_PER_DEG) + 21600.5).astype(np.int64)
    return px, py


# --------------------------------------------------------------------------------------------
# build


def _mid_radii_bounds(lat_lo: np.ndarray, lat_hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lower bound of M and upper bound of N (m) for latitudes in [lat_lo, lat_hi] degrees."""
    from .zones import radii_of_curvature

    lo, hi = np.clip(lat_lo, -90.0, 90.0), np.clip(lat_hi, -90.0, 90.0)
    min_abs = np.where((lo <= 0.0) & (hi >= 0.0), 0.0, np.minimum(np.abs(lo), np.abs(hi)))
    max_abs = np.maximum(np.abs(lo), np.abs(hi))
    m_lo, _ = radii_of_curvature(np.radians(min_abs))
    _, n_hi = radii_of_curvature(np.radians(max_abs))
    return m_lo, n_hi


class _Builder:
    def __init__(self, model: ZoneModel):
        from .zones import EEZ, HIGH_SEAS, LAND, NEAR_KM, TERRITORIAL_SEA

        self.model = model
        self.kinds = (LAND, TERRITORIAL_SEA, EEZ, HIGH_SEAS)
        self.near_km = NEAR_KM
        self.ts_km = 12.0 * NMI_M / 1000.0
        self.eez_km = 200.0 * NMI_M / 1000.0
        self.flat: list[np.ndarray] = []
        self.flat_len = 0
        self.cells = np.zeros(len(SIZES_PX), dtype=np.int64)
        self.boundary = np.zeros(len(SIZES_PX), dtype=np.int64)
        self.boundary_area = 0.0
        self.total_area = 0.0

    # one batch of cells of one level ------------------------------------------------------
    def evaluate(
        self, lat0: np.ndarray, lon0: np.ndarray, d: float, m_all: np.ndarray, m_any: np.ndarray
    ) -> np.ndarray:
        from .zones import LAND_FALLBACK_KM

        land_k, ts_k, eez_k, hs_k = self.kinds
        model = self.model
        n = len(lat0)
        code = np.full(n, -1, dtype=np.int32)
        if n == 0:
            return code
        pc = zones_data.unit_vectors(lat0 + 0.5 * d, lon0 + 0.5 * d)
        alpha = np.zeros(n)
        for a in (0.0, 1.0):
            for b in (0.0, 1.0):
                q = zones_data.unit_vectors(lat0 + a * d, lon0 + b * d)
                ch = np.linalg.norm(q - pc, axis=1)
                alpha = np.maximum(alpha, 2.0 * np.arcsin(np.minimum(ch * 0.5, 1.0)))
        alpha = alpha * 1.01 + 1e-12
        chord, idx = model.tree.query(pc, k=_K, workers=-1)
        th0 = 2.0 * np.arcsin(np.minimum(chord[:, 0] * 0.5, 1.0))
        reach = np.degrees(th0 + alpha) * 0.5 * 1.01
        m_lo, n_hi = _mid_radii_bounds(lat0 - reach, lat0 + d + reach)
        d_lo = np.maximum(th0 - alpha, 0.0) * m_lo / 1000.0 * (1.0 - _REL) - 1e-6
        d_hi = (th0 + alpha) * n_hi / 1000.0 * (1.0 + _REL) + 1e-6
        # whose sea: every candidate nearest vertex has one country
        cb = 2.0 * np.sin(np.minimum(0.5 * (th0 + 2.0 * alpha), 0.5 * np.pi)) * (1 + _REL) + 1e-12
        coast_c = model.coast_code[idx[:, 0]].astype(np.int64)
        ts, eez = self.ts_km, self.eez_km
        sea_kind = np.full(n, -1)
        sea_kind[d_hi < ts * (1 - _REL)] = ts_k
        sea_kind[(d_lo > ts * (1 + _REL)) & (d_hi < eez * (1 - _REL))] = eez_k
        sea_kind[d_lo > eez * (1 + _REL)] = hs_k
        sea = ~m_any
        land = m_all & (d_lo > self.near_km * (1 + _REL))
        # whose coast: only where it can matter (owned sea, land that may fall back to it)
        need = (sea & ((sea_kind == ts_k) | (sea_kind == eez_k))) | (
            land & (d_hi < LAND_FALLBACK_KM * (1 - _REL))
        )
        uniform = np.zeros(n, dtype=bool)
        w = np.flatnonzero(need)
        uniform[w] = self._one_coast_country(pc[w], chord[w], idx[w], cb[w], coast_c[w])
        code[sea & (sea_kind == hs_k)] = hs_k * KIND_BASE
        owned = sea & ((sea_kind == ts_k) | (sea_kind == eez_k)) & uniform
        code[owned] = sea_kind[owned] * KIND_BASE + coast_c[owned]
        # land far from the coast, mask all land
        li = np.flatnonzero(land)
        if len(li):
            fb = np.full(len(li), -1, dtype=np.int64)  # fallback country when NE has none
            fb[d_lo[li] > LAND_FALLBACK_KM * (1 + _REL)] = 0
            ok = (d_hi[li] < LAND_FALLBACK_KM * (1 - _REL)) & uniform[li]
            fb[ok] = coast_c[li][ok]
            country = self._land_country(lat0[li], lon0[li], d, fb)
            good = country >= 0
            code[li[good]] = land_k * KIND_BASE + country[good]
        return code

    def _one_coast_country(
        self,
        pc: np.ndarray,
        chord: np.ndarray,
        idx: np.ndarray,
        cb: np.ndarray,
        coast_c: np.ndarray,
    ) -> np.ndarray:
        """Whether every coast vertex within chord ``cb`` of each centre has country
        ``coast_c`` (asking for more neighbours where the first ``_K`` do not reach ``cb``)."""
        code = self.model.coast_code
        if len(cb) == 0:
            return np.zeros(0, dtype=bool)
        uniform = np.all((code[idx] == coast_c[:, None]) | (chord > cb[:, None]), axis=1)
        todo = np.flatnonzero(uniform & (chord[:, -1] <= cb))
        k = _K
        while len(todo):
            k *= 4
            if k > _K_MAX:
                uniform[todo] = False
                break
            ch, ix = self.model.tree.query(
                pc[todo], k=k, workers=-1, distance_upper_bound=float(cb[todo].max())
            )
            found = ch <= cb[todo, None]
            cc = code[np.where(found, ix, 0)]
            uniform[todo] = np.all(~found | (cc == coast_c[todo, None]), axis=1)
            todo = todo[uniform[todo] & found[:, -1]]
        out: np.ndarray = uniform
        return out

    def _land_country(
        self, lat0: np.ndarray, lon0: np.ndarray, d: float, fallback: np.ndarray
    ) -> np.ndarray:
        """Country index over whole land cells, -1 if not provably one."""
        import shapely

        model = self.model
        g = np.stack(
            [
                zones_data.grid_lookup(model.grid, lat0 + a * d, lon0 + b * d)
                for a in (0.0, 1.0)
                for b in (0.0, 1.0)
            ],
            axis=1,
        ).astype(np.int64)
        shp = np.full(len(lat0), -3, dtype=np.int64)  # -3 undecided
        mixed = np.flatnonzero(np.any(g == -2, axis=1))
        if len(mixed):
            parts, tree = model.ne_parts
            boxes = shapely.box(lon0[mixed], lat0[mixed], lon0[mixed] + d, lat0[mixed] + d)
            box_i, part_i = tree.query(boxes, predicate="intersects")
            pc = model.ne_code[part_i].astype(np.int64)
            inside = shapely.contains_properly(parts[part_i], boxes[box_i])
            nb = len(mixed)
            n_parts = np.bincount(box_i, minlength=nb)
            n_inside = np.bincount(box_i, weights=inside, minlength=nb)
            cmin = np.full(nb, np.iinfo(np.int64).max)
            cmax = np.full(nb, -1)
            np.minimum.at(cmin, box_i, pc)
            np.maximum.at(cmax, box_i, pc)
            res = np.full(nb, -3, dtype=np.int64)
            res[n_parts == 0] = -1
            one = (n_parts > 0) & (n_inside > 0) & (cmin == cmax)
            res[one] = cmin[one]
            shp[mixed] = res
        # per corner: the country the exact path would give there
        r = np.where(g >= 0, g, -3)
        r = np.where(g == -1, fallback[:, None], r)
        shp_r = np.where(shp == -1, fallback, shp)
        r = np.where(g == -2, shp_r[:, None], r)
        r = np.where(r == -1, -3, r)  # an undecided fallback
        same = np.all(r == r[:, :1], axis=1) & (r[:, 0] >= 0)
        return np.where(same, r[:, 0], -1)

    # a strip of base cells, depth first ------------------------------------------------------
    def cells_at(
        self,
        lev: int,
        lat0: float,
        lon0: float,
        rows: np.ndarray,
        cols: np.ndarray,
        pyramid: list[tuple[np.ndarray, np.ndarray]],
    ) -> np.ndarray:
        """Codes (int32, pointers into ``flat`` for refined cells) of cells at level ``lev``;
        ``rows``/``cols`` index the level's cells within the strip / the region."""
        s = SIZES_PX[lev]
        d = s / UNITS_PER_DEG
        m_all, m_any = pyramid[lev]
        lat_c = lat0 + rows * d
        lon_c = lon0 + cols * d
        code = self.evaluate(lat_c, lon_c, d, m_all[rows, cols], m_any[rows, cols])
        self.cells[lev] += len(code)
        und = np.flatnonzero(code < 0)
        if lev + 1 == len(SIZES_PX) or len(und) == 0:
            self.boundary[lev] += len(und)
            area = np.cos(np.radians(lat_c[und] + 0.5 * d)) * d * d
            self.boundary_area += float(area.sum())
            return code
        f = s // SIZES_PX[lev + 1]
        sub = np.arange(f)
        ch_rows = (rows[und, None, None] * f + sub[None, :, None]).repeat(f, axis=2).ravel()
        ch_cols = (cols[und, None, None] * f + sub[None, None, :]).repeat(f, axis=1).ravel()
        child = self.cells_at(lev + 1, lat0, lon0, ch_rows, ch_cols, pyramid)
        offsets = self.flat_len + np.arange(len(und)) * f * f
        self.flat.append(child.astype(np.int32))
        self.flat_len += len(child)
        code[und] = -(2 + offsets)
        return code


def _pyramid(mask_strip: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """(all, any) of the mask over the cells of every level of one strip of base cells."""
    out: list[tuple[np.ndarray, np.ndarray]] = []
    h, w = mask_strip.shape
    for s in SIZES_PX:
        blk = mask_strip.reshape(h // s, s, w // s, s)
        out.append((np.asarray(blk.all(axis=(1, 3))), np.asarray(blk.any(axis=(1, 3)))))
    return out


def build(
    model: ZoneModel | None = None, region: tuple[float, float, float, float] = REGION
) -> dict[str, np.ndarray]:
    """Build the raster tables (about a minute). Keys: ``base`` (base cells' codes), ``flat``
    (child blocks), ``sizes``, ``origin`` (lat, lon of the south-west corner), ``codes`` and
    ``stats_*`` (cells examined, boundary cells and their area share)."""
    from .zones import zone_model

    model = model or zone_model()
    t0 = time.perf_counter()
    lat_min, lat_max, lon_min, lon_max = region
    s0 = SIZES_PX[0]
    p0 = s0 // SUB  # mask pixels per base cell
    nj = round((lat_max - lat_min) * PX_PER_DEG / p0)
    ni = round((lon_max - lon_min) * PX_PER_DEG / p0)
    lat0, lon0 = lat_min - _HALF_PX, lon_min - _HALF_PX
    b = _Builder(model)
    base = np.empty((nj, ni), dtype=np.int32)
    # centres of the mask pixels of one strip (a row of base cells)
    px_lon = lon0 + (np.arange(ni * p0) + 0.5) / PX_PER_DEG
    # the mask's own pixels of the region, kept (packed) for the exact path's land test
    mx, my = mask_pixel(px_lon[[0, -1]], np.array([lat0, lat0 + nj * p0 / PX_PER_DEG]) + _HALF_PX)
    my[1] -= 1  # the last row's centre: one pixel below the region's top edge + half a pixel
    if mx[1] - mx[0] != ni * p0 - 1 or my[1] - my[0] != nj * p0 - 1:
        raise ValueError("zone raster cells are not aligned with the land mask's pixels")
    bits: list[np.ndarray] = []
    for j in range(nj):
        px_lat = lat0 + (j * p0 + np.arange(p0) + 0.5) / PX_PER_DEG
        la, lo = np.meshgrid(px_lat, px_lon, indexing="ij")
        strip = np.asarray(model.mask.contains_many(lo.ravel(), la.ravel()), dtype=bool).reshape(
            p0, ni * p0
        )
        bits.append(np.packbits(strip, axis=1))
        pyr = _pyramid(strip.repeat(SUB, axis=0).repeat(SUB, axis=1))
        strip_lat0 = lat0 + j * p0 / PX_PER_DEG
        cols = np.arange(ni)
        base[j] = b.cells_at(0, strip_lat0, lon0, np.zeros(ni, dtype=np.int64), cols, pyr)
        b.total_area += float(
            np.cos(np.radians(strip_lat0 + p0 / PX_PER_DEG / 2)) * ni * (p0 / PX_PER_DEG) ** 2
        )
    flat = np.concatenate(b.flat) if b.flat else np.zeros(0, dtype=np.int32)
    stats = {
        "stats_build_s": time.perf_counter() - t0,
        "stats_boundary_area_share": b.boundary_area / b.total_area,
        "stats_boundary_cells": float(b.boundary.sum()),
        "stats_cells_examined": float(b.cells.sum()),
    }
    return {
        "version": np.array(RASTER_VERSION),
        "base": base,
        "flat": flat,
        "sizes": np.array(SIZES_PX, dtype=np.int64),
        "origin": np.array([lat0, lon0]),
        "codes": model.codes,
        "mask_bits": np.concatenate(bits, axis=0),
        "mask_origin": np.array([my[0], mx[0]], dtype=np.int64),
        **{k: np.array(v) for k, v in stats.items()},
    }


# --------------------------------------------------------------------------------------------
# cache


def cache_path(region: tuple[float, float, float, float] = REGION) -> Path:
    """Cache file for this raster version, region and the zone tables' key."""
    tables = zones_data.cache_path().stem
    reg = "_".join(f"{v:g}" for v in region)
    return zones_data.cache_dir() / f"zone-raster-v{RASTER_VERSION}-{reg}-{tables}.npz"


def cached_raster() -> ZoneRaster | None:
    """The raster if it is built (in this process or cached on disk), else ``None`` (never
    builds it: for callers that have a slower answer without it)."""
    if raster.cache_info().currsize:
        return raster()
    if not cache_path().exists():
        return None
    return raster()


@functools.cache
def raster() -> ZoneRaster:
    """The raster, read from the cache or built (and cached) on first use in the process."""
    path = cache_path()
    tables = zones_data.read_cache(path, key="version", expected=RASTER_VERSION, mmap=True)
    if tables is None:
        tables = build()
        zones_data.write_cache(path, tables)
    return ZoneRaster(tables)
