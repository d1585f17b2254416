"""Vector maritime zones for report maps: land, 12 nmi territorial seas, 200 nmi EEZs and the
median lines between neighbours, as smooth shapely geometry (no raster staircase).

Built on a local azimuthal-equidistant projection (pyproj) centred on the map, so buffers are
true distances in metres: the territorial sea is the land buffered by 12 nmi, the EEZ band the
land buffered by 200 nmi, and the line between two countries' waters the set of points equally
far from both coasts (the zero contour of the difference of the distances to each country's
coast, from a k-d tree of coast points every ~2 km). Land is Natural Earth 10m (the country
polygons of :mod:`launchwatch.earth.zones`); the zone *verdicts* of launchwatch come from
:func:`launchwatch.earth.zones.classify` (GSHHG coast), which may differ from this picture by
about a kilometre along the coast. Drawing only: never used for a verdict.

A basemap takes about 2 s of CPU to build (the 200 nmi buffers and the median lines); each one
is kept in launchwatch's cache directory (``basemaps/`` beside the zone tables, as an ``.npz``
of WKB and arrays: no pickle), under a name keyed by its box, this module's source, the zone
tables' cache name and the versions of the libraries that build it, so a report drawn again
over the same box (the same scenario run again, ``launchwatch demo``) reads it back: the same
geometry, vertex for vertex (WKB keeps every double), and the same map.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..earth import zones_data
from ..earth.constants import NMI_M
from ..earth.zones import EEZ_NMI, TERRITORIAL_SEA_NMI, zone_model

__all__ = ["Basemap", "basemap", "build_basemap", "cache_folder", "cache_path"]

#: Spacing of the coast points behind the median lines, m.
COAST_STEP_M = 2000.0
#: Format of the cached basemap files (bump when it changes).
CACHE_FORMAT = 1
#: Cached basemaps kept (the most recently used; ~0.5 MB each): a report of a new box writes
#: one more, and the oldest beyond this number are removed.
CACHE_KEEP = 64


@dataclass
class Basemap:
    """Geometry in lon/lat degrees (shapely), ready to draw."""

    land: dict  # ISO3 -> (Multi)Polygon
    territorial_sea: dict  # ISO3 -> (Multi)Polygon (sea only)
    eez_outer: object  # (Multi)Polygon: everything within 200 nmi of land (sea only)
    median_lines: list  # [(lon array, lat array)] lines between two countries' waters
    labels: list  # [(lon, lat, text)] "EEZ JPN" label positions


def _projections(lon0: float, lat0: float):
    from pyproj import Transformer

    aeqd = f"+proj=aeqd +lat_0={lat0} +lon_0={lon0} +datum=WGS84 +units=m"
    fwd = Transformer.from_crs("EPSG:4326", aeqd, always_xy=True)
    inv = Transformer.from_crs(aeqd, "EPSG:4326", always_xy=True)
    return fwd, inv


def _apply(geom, transformer):
    import shapely

    return shapely.transform(
        geom, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))
    )


@functools.lru_cache(maxsize=4)
def basemap(lon0: float, lon1: float, lat0: float, lat1: float) -> Basemap:
    """Vector zones over the box ``[lon0, lon1] x [lat0, lat1]`` (degrees): read from the
    cache (module docstring) or built by :func:`build_basemap` and written there; the last few
    are also kept in memory (a report draws its map and inset from one)."""
    path = cache_path(lon0, lon1, lat0, lat1)
    kept = _read(path)
    if kept is not None:
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used: kept by the pruning below
        return kept
    made = build_basemap(lon0, lon1, lat0, lat1)
    zones_data.write_cache(path, _tables(made))
    _prune(path.parent)
    return made


def _prune(folder: Path) -> None:
    """Remove the least recently used basemap files beyond :data:`CACHE_KEEP`."""
    try:
        files = [(p.stat().st_mtime, p) for p in folder.glob("basemap-*.npz")]
    except OSError:
        return
    for _, p in sorted(files, reverse=True)[CACHE_KEEP:]:
        with contextlib.suppress(OSError):
            p.unlink()


def cache_folder() -> Path:
    """Where basemaps are kept: ``basemaps/`` in launchwatch's cache directory."""
    return zones_data.cache_dir() / "basemaps"


def cache_path(lon0: float, lon1: float, lat0: float, lat1: float) -> Path:
    """The cache file of the basemap over this box: its name hashes the box (every bit of the
    four floats), this module's source, the zone tables' cache name (their schema and data
    packages), the zone widths and the versions of the libraries that build the geometry."""
    import contourpy
    import pyproj
    import scipy
    import shapely

    key = hashlib.sha256(Path(__file__).read_bytes())
    for part in (
        np.array([lon0, lon1, lat0, lat1, EEZ_NMI, TERRITORIAL_SEA_NMI, NMI_M], float).tobytes(),
        zones_data.cache_path().name,
        f"{CACHE_FORMAT} {COAST_STEP_M} numpy {np.__version__} shapely {shapely.__version__} "
        f"geos {shapely.geos_version_string} pyproj {pyproj.__version__} "
        f"proj {pyproj.proj_version_str} contourpy {contourpy.__version__} "
        f"scipy {scipy.__version__}",
    ):
        key.update(part if isinstance(part, bytes) else part.encode())
    return cache_folder() / f"basemap-{key.hexdigest()[:24]}.npz"


def _packed(geoms: list) -> tuple[np.ndarray, np.ndarray]:
    """Geometries as one byte array of their WKB and the offsets (n + 1) of each."""
    import shapely

    blobs = [bytes(b) for b in shapely.to_wkb(geoms)] if geoms else []
    offsets = np.cumsum([0] + [len(b) for b in blobs]).astype(np.int64)
    return np.frombuffer(b"".join(blobs), dtype=np.uint8), offsets


def _unpacked(raw: np.ndarray, offsets: np.ndarray) -> list:
    import shapely

    data = raw.tobytes()
    n = len(offsets) - 1
    return list(shapely.from_wkb([data[offsets[i] : offsets[i + 1]] for i in range(n)]))


def _tables(bm: Basemap) -> dict[str, np.ndarray]:
    """A basemap as plain arrays (for :func:`.zones_data.write_cache`; no pickle)."""
    land_wkb, land_off = _packed(list(bm.land.values()))
    ts_wkb, ts_off = _packed(list(bm.territorial_sea.values()))
    eez_wkb, eez_off = _packed([bm.eez_outer])
    sizes = [len(lon) for lon, _ in bm.median_lines]
    return {
        "version": np.array(CACHE_FORMAT),
        "land_codes": np.array(list(bm.land), dtype=str),
        "land_wkb": land_wkb,
        "land_off": land_off,
        "ts_codes": np.array(list(bm.territorial_sea), dtype=str),
        "ts_wkb": ts_wkb,
        "ts_off": ts_off,
        "eez_wkb": eez_wkb,
        "eez_off": eez_off,
        "line_off": np.cumsum([0] + sizes).astype(np.int64),
        "line_lon": np.concatenate([lon for lon, _ in bm.median_lines] or [np.zeros(0)]),
        "line_lat": np.concatenate([lat for _, lat in bm.median_lines] or [np.zeros(0)]),
        "label_lon": np.array([x for x, _, _ in bm.labels], float),
        "label_lat": np.array([y for _, y, _ in bm.labels], float),
        "label_text": np.array([t for _, _, t in bm.labels], dtype=str),
    }


def _read(path: Path) -> Basemap | None:
    """The cached basemap at ``path``, or None (missing, unreadable or of another format)."""
    from shapely.errors import ShapelyError

    t = zones_data.read_cache(path, key="version", expected=CACHE_FORMAT)
    if t is None:
        return None
    try:
        land = _unpacked(t["land_wkb"], t["land_off"])
        ts = _unpacked(t["ts_wkb"], t["ts_off"])
        (eez,) = _unpacked(t["eez_wkb"], t["eez_off"])
        off = t["line_off"]
        lines = [
            (t["line_lon"][off[i] : off[i + 1]].copy(), t["line_lat"][off[i] : off[i + 1]].copy())
            for i in range(len(off) - 1)
        ]
        labels = [
            (float(x), float(y), str(s))
            for x, y, s in zip(t["label_lon"], t["label_lat"], t["label_text"], strict=True)
        ]
        return Basemap(
            land=dict(zip((str(c) for c in t["land_codes"]), land, strict=True)),
            territorial_sea=dict(zip((str(c) for c in t["ts_codes"]), ts, strict=True)),
            eez_outer=eez,
            median_lines=lines,
            labels=labels,
        )
    except (KeyError, ValueError, IndexError, TypeError, ShapelyError):
        return None


def build_basemap(lon0: float, lon1: float, lat0: float, lat1: float) -> Basemap:
    """The vector zones over the box ``[lon0, lon1] x [lat0, lat1]`` (degrees), built."""
    import contourpy
    import shapely
    from scipy.spatial import cKDTree

    model = zone_model()
    parts, tree = model.ne_parts
    reach = EEZ_NMI * NMI_M / 111_000.0 + 1.0  # degrees of margin: land that makes an EEZ here
    box = shapely.box(lon0 - reach * 1.5, lat0 - reach, lon1 + reach * 1.5, lat1 + reach)
    idx = tree.query(box, predicate="intersects")
    fwd, inv = _projections(0.5 * (lon0 + lon1), 0.5 * (lat0 + lat1))
    by_country: dict[str, list] = {}
    for i in idx:
        code = str(model.codes[model.ne_code[i]]) if model.ne_code[i] >= 0 else ""
        by_country.setdefault(code, []).append(shapely.intersection(parts[i], box))
    land_m = {
        c: shapely.make_valid(_apply(shapely.union_all(g), fwd)).simplify(500.0)
        for c, g in by_country.items()
    }
    land_m = {c: g for c, g in land_m.items() if not g.is_empty}
    all_land = shapely.union_all(list(land_m.values())) if land_m else shapely.Polygon()
    ts = {
        c: shapely.difference(g.buffer(TERRITORIAL_SEA_NMI * NMI_M, 16), all_land)
        for c, g in land_m.items()
    }
    # each land part buffered on its own, then the union: the same band as buffering the whole
    # MultiPolygon at once (GEOS's union of offset curves there took ~3.4 s of CPU for the
    # Japan-Korea box, this ~1 s; boundaries within 0.1 m of each other)
    eez_all = shapely.union_all(
        shapely.buffer(shapely.get_parts(all_land), EEZ_NMI * NMI_M, quad_segs=16)
    )
    eez = shapely.difference(eez_all, all_land)

    # median lines: zero contours of d_c - min_other d on a grid over the view
    view = _apply(shapely.box(lon0, lat0, lon1, lat1), fwd)
    x0, y0, x1, y1 = view.bounds
    gx, gy = np.meshgrid(np.linspace(x0, x1, 260), np.linspace(y0, y1, 220))
    pts = np.column_stack([gx.ravel(), gy.ravel()])
    dist = {}
    for c, g in land_m.items():
        if not c:
            continue
        line = g.boundary
        n = max(int(line.length / COAST_STEP_M), 2)
        coast = shapely.get_coordinates(
            shapely.line_interpolate_point(line, np.linspace(0, line.length, n))
        )
        dist[c] = cKDTree(coast).query(pts, workers=-1)[0].reshape(gx.shape)
    lines, labels = [], []
    on_land = shapely.contains_xy(all_land, pts[:, 0], pts[:, 1]).reshape(gx.shape)
    if len(dist) > 1:
        stack = np.stack(list(dist.values()))
        nearest = np.where(on_land, np.inf, stack.min(axis=0))
        for k in range(len(dist) - 1):  # each border is the zero line of one of its sides
            others = np.delete(stack, k, axis=0).min(axis=0)
            f = np.where(nearest <= EEZ_NMI * NMI_M, stack[k] - others, np.nan)
            for line in contourpy.contour_generator(gx, gy, f).lines(0.0):
                seg = np.asarray(line)
                if len(seg) > 1:
                    lon, lat = inv.transform(seg[:, 0], seg[:, 1])
                    lines.append((np.asarray(lon), np.asarray(lat)))
    if dist:
        stack = np.stack(list(dist.values()))
        owner = np.argmin(stack, axis=0)
        within = stack.min(axis=0) <= EEZ_NMI * NMI_M
        for k, c in enumerate(dist):
            sel = (owner == k) & within & ~on_land & (stack[k] > TERRITORIAL_SEA_NMI * NMI_M)
            if sel.sum() > 200:
                lon, lat = inv.transform(gx[sel].mean(), gy[sel].mean())
                labels.append((float(lon), float(lat), f"EEZ {c}"))
    back = {c: _apply(g, inv) for c, g in land_m.items()}
    return Basemap(
        land=back,
        territorial_sea={c: _apply(g, inv) for c, g in ts.items()},
        eez_outer=_apply(eez, inv),
        median_lines=lines,
        labels=labels,
    )
