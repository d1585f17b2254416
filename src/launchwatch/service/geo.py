"""Map layers the dashboard draws, as GeoJSON (RFC 7946, [lon, lat] degrees).

* :func:`sites_geojson` -- the launch sites of the catalog (points);
* :func:`zone_lines_geojson` -- maritime zone lines over the region of the scenarios: every
  country's outer limit (its EEZ against the high seas) and the lines between neighbours'
  zones, found by contouring :func:`launchwatch.earth.zones.classify` on a grid of
  :data:`GRID_DEG` with ``contourpy`` (marching squares, land masked out so that coastlines
  are not drawn). Computed once (~3 s with the zone model's load) and cached as JSON beside the
  zone tables, keyed by the zone cache's name (its package versions) and :data:`LINES_VERSION`;
* :func:`areas_geojson` -- warning areas (prefectures / provinces) simplified to ~1 km.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from functools import lru_cache

import numpy as np

#: Region of the zone lines: (lon_min, lon_max, lat_min, lat_max), degrees.
REGION = (112.0, 160.0, 18.0, 52.0)
#: Grid step of the zone lines, degrees (about 5 km).
GRID_DEG = 0.05
#: Bump when the zone-line output changes meaning.
LINES_VERSION = 1
#: Tolerance of the simplified area outlines, degrees (about 1 km).
AREA_SIMPLIFY_DEG = 0.01

_lock = threading.Lock()
_lines: dict | None = None


def sites_geojson() -> dict:
    """The catalog's launch sites as Point features (name, province, aliases)."""
    from ..flight.catalog import load_sites

    feats = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [s.lon_deg, s.lat_deg]},
            "properties": {"name": s.name, "province": s.province, "aliases": list(s.aliases)},
        }
        for s in load_sites().values()
    ]
    return {"type": "FeatureCollection", "features": feats}


def _cache_file():
    from ..earth import zones_data

    stem = zones_data.cache_path().stem
    r = "_".join(f"{v:g}" for v in REGION)
    name = f"service-zone-lines-v{LINES_VERSION}-{stem}-{r}-{GRID_DEG}.json"
    return zones_data.cache_dir() / name


def compute_zone_lines(region=REGION, step: float = GRID_DEG) -> dict:
    """Zone lines as a FeatureCollection of MultiLineStrings, one per country with properties
    ``country`` (ISO3) and ``kind`` = ``"limit"`` (its zones against the high seas) or
    ``"lateral"`` (against another country's zones)."""
    import contourpy

    from ..earth.zones import classify

    lon0, lon1, lat0, lat1 = region
    lon = np.arange(lon0, lon1 + step / 2, step)
    lat = np.arange(lat0, lat1 + step / 2, step)
    glat, glon = np.meshgrid(lat, lon, indexing="ij")
    z = classify(glat, glon)
    land = z.kind == "land"
    sea_country = np.where(land | (z.kind == "high_seas"), "", z.country.astype(str))
    high = z.kind == "high_seas"
    feats = []
    for c in sorted(set(np.unique(sea_country)) - {""}):
        mine = sea_country == c
        if mine.sum() < 4:
            continue
        # outer limit: mine against high seas (others' zones count as "mine" here)
        f = np.where(high, 0.0, 1.0)
        limit = _contour(contourpy, lon, lat, f, land | ~(mine | high) | _far(mine, 2))
        # lateral: mine against any other country's zone (high seas count as "mine")
        g = np.where(mine | high, 1.0, 0.0)
        lateral = _contour(contourpy, lon, lat, g, land | high | _far(mine, 2))
        for kind, lines in (("limit", limit), ("lateral", lateral)):
            if lines:
                feats.append(
                    {
                        "type": "Feature",
                        "geometry": {"type": "MultiLineString", "coordinates": lines},
                        "properties": {"country": c, "kind": kind},
                    }
                )
    return {
        "type": "FeatureCollection",
        "features": feats,
        "properties": {"region": list(region), "grid_deg": step},
    }


def _far(mask: np.ndarray, n: int) -> np.ndarray:
    """Cells more than ``n`` cells away from ``mask`` (so each country draws its own lines)."""
    near = mask.copy()
    for _ in range(n):
        grown = near.copy()
        grown[1:, :] |= near[:-1, :]
        grown[:-1, :] |= near[1:, :]
        grown[:, 1:] |= near[:, :-1]
        grown[:, :-1] |= near[:, 1:]
        near = grown
    return ~near


def _contour(contourpy, lon, lat, f, masked) -> list:
    gen = contourpy.contour_generator(
        lon, lat, np.ma.array(f, mask=masked), line_type=contourpy.LineType.Separate
    )
    out = []
    for seg in gen.lines(0.5):
        if len(seg) >= 2:
            out.append([[round(float(x), 3), round(float(y), 3)] for x, y in seg])
    return out


def zone_lines_geojson() -> dict:
    """:func:`compute_zone_lines` over :data:`REGION`, from memory, the disk cache, or
    computed (and cached: a read-only cache directory only costs a recomputation)."""
    global _lines
    with _lock:
        if _lines is not None:
            return _lines
        path = _cache_file()
        try:
            _lines = json.loads(path.read_text())
            return _lines
        except (OSError, ValueError):
            pass
        _lines = compute_zone_lines()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
            with os.fdopen(fd, "w") as fh:
                json.dump(_lines, fh, separators=(",", ":"))
            os.replace(tmp, path)
        except OSError:
            pass
        return _lines


@lru_cache(maxsize=1)
def _area_features() -> dict[str, dict]:
    from shapely.geometry import mapping

    from ..warn.areas import area_country, area_name, area_polygons

    out = {}
    for code, geom in area_polygons().items():
        g = geom.simplify(AREA_SIMPLIFY_DEG, preserve_topology=True)
        out[code] = {
            "type": "Feature",
            "geometry": _rounded(mapping(g)),
            "properties": {"code": code, "name": area_name(code), "country": area_country(code)},
        }
    return out


def _rounded(geom: dict) -> dict:
    def rnd(c):
        if isinstance(c[0], int | float):
            return [round(float(c[0]), 4), round(float(c[1]), 4)]
        return [rnd(x) for x in c]

    if geom["type"] == "GeometryCollection":
        return {
            "type": "GeometryCollection",
            "geometries": [_rounded(g) for g in geom["geometries"]],
        }
    return {"type": geom["type"], "coordinates": rnd(geom["coordinates"])}


def area_codes() -> list[str]:
    from ..warn.areas import area_codes as codes

    return list(codes())


class UnknownAreaError(LookupError):
    """Area codes that are not warning areas (the message lists them)."""


def areas_geojson(codes: list[str] | None = None) -> dict:
    """Warning areas (all, or those of ``codes``) as Features; unknown codes raise
    :class:`UnknownAreaError`."""
    feats = _area_features()
    if codes is None:
        chosen = list(feats.values())
    else:
        bad = [c for c in codes if c not in feats]
        if bad:
            raise UnknownAreaError(", ".join(bad))
        chosen = [feats[c] for c in dict.fromkeys(codes)]
    return {"type": "FeatureCollection", "features": chosen}
