"""Maritime zones of any point: land, territorial sea, exclusive economic zone or high seas, and
whose.

Model
-----
* **Land** is GSHHG full resolution (lakes count as land). Land/sea is decided by
  ``roaring-landmask``'s 15-arc-second mask, which errs only towards land; a point the mask
  calls land is land when it is farther than :data:`NEAR_KM` from the coast, and closer in it
  is decided exactly by the side of the nearest coast segment (land lies on the right of the
  clockwise GSHHG rings). The country of land is the Natural Earth 10m admin-0 unit containing
  it.
* **Coast** is GSHHG simplified to about 100 m and densified to :data:`~.zones_data.
  MAX_SEGMENT_KM` spacing: 3.2 million vertices, each labelled with the Natural Earth country of
  the land it bounds (:mod:`.zones_data`). Every island in GSHHG is coast, however small: e.g.
  Minamitorishima, Okinotorishima, the Ogasawara and Daito islands, Takeshima/Dokdo, Ulleungdo,
  Tsushima, Oki, Sado, Rebun/Rishiri, the Kurils.
* **Zones at sea** are distances from that coast: territorial sea within 12 nautical miles
  (UNCLOS art. 3), EEZ within 200 nautical miles (art. 57), split between neighbours by the
  equidistance line, i.e. the zone belongs to the country of the *nearest* coast; beyond, high
  seas. Nearest coast vertices come from a k-d tree on unit vectors (chord -> central angle);
  the angle becomes metres with the WGS84 radius of curvature at the mid-latitude in the
  direction of the coast (Euler's formula): within 1 m of the geodesic (pyproj) distance below
  25 km and 0.01 % beyond.
  Points closer than :data:`NEAR_KM` get the exact distance to the nearest coast segment.
  Longitudes wrap, the 180th meridian is no seam (3-D vectors), and the poles are ordinary
  points (the South Pole is Antarctic land, the North Pole high seas).

Known limitations (how far this is from the legal lines)
--------------------------------------------------------
* Legal zones are measured from *baselines*: the low-water line, straight baselines across bays
  and island fringes (Japan's run along much of Kyushu, Shikoku and the Seto Inland Sea; both
  Koreas, China and Russia draw long ones) and low-tide elevations. A distance from the GSHHG
  shoreline ignores them: the territorial sea falls short by up to tens of kilometres where
  straight baselines cut across bays, and internal waters are reported as territorial sea.
  Japan also keeps its territorial sea at 3 nmi in five straits (Soya, Tsugaru, the two
  Tsushima channels, Osumi); the model uses 12 nmi everywhere.
* Real boundaries between neighbours are agreements or claims, not pure equidistance: the
  Japan-Korea continental shelf agreements of 1974 (including the joint development zone south
  of Jeju), the provisional fishery zones of the Japan-Korea (1998), Japan-China (1997) and
  China-Korea (2000) agreements, and the unagreed lines in the East China Sea and the Sea of
  Japan are all ignored.
* Sovereignty follows Natural Earth's default point of view: Takeshima/Dokdo is South Korea's,
  the southern Kurils Russia's, the Senkakus Japan's; the Spratly Islands, Scarborough Reef and
  a few others are indeterminate (their land and sea have no country). Natural Earth omits
  Okinotorishima; GSHHG has it, so it is coast and takes the nearest Natural Earth country
  (Japan). Whether a feature generates an EEZ at all (UNCLOS art. 121(3), disputed for
  Okinotorishima) is not judged. The Caspian Sea and lakes are land (GSHHG); the Caspian has
  no country.
* Measured against the Marine Regions polygon of Japan's EEZ (tests/earth/test_zones.py, 16,794
  sea points sampled over 120-158 E, 17-48 N): 98.2 % agree. The disagreements are where Marine
  Regions follows agreements and claims: the East China Sea west of the Senkaku/Sakishima
  islands (0.74 % of the points) and the Japan-Korea joint development zone (0.61 %), where its
  line lies up to ~90 km inside the model's (equidistance) Japanese area; the Sea of Japan
  (0.23 %), where its Japan-Korea line runs a median 19 km and up to ~45 km on Korea's side of
  the model's line (which gives Takeshima/Dokdo to Korea); coastal fringes (0.04 %). Along the
  open-ocean 200-nmi limits the two lines are within 2 km over 90 % of their length (median
  0.1 km); against Russia within ~5 km over 90 %, against the Philippines within 3 km.
* Land within ~0.1 km of the shoreline follows the ~100 m simplification: 97.9 % of points within
  3 km of the coast agree with roaring-landmask's full-resolution polygons, 99.99 % globally.

The set-up (:func:`zone_model`) maps the cached tables into memory; the k-d tree and the land
mask are built on first need: about 2 s and 0.6 GB of memory (0.4 GB of it the mask). Then
about 360,000 points/s on two cores (points uniform over the globe). A few points
(:func:`zone_of`) need neither inside the interior-cell raster's region when it is cached: the
raster answers interior cells, keeps the mask's own pixels for the rest (boundary cells on
coasts), and the nearest coast vertices come from a band of z (:meth:`ZoneModel.nearest`).

Units: degrees and kilometres as the names say. Arrays broadcast; results keep the input shape.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from . import zones_data
from .constants import A_M, E2, NMI_M

__all__ = [
    "KINDS",
    "TERRITORIAL_SEA_NMI",
    "EEZ_NMI",
    "NEAR_KM",
    "Zones",
    "ZoneModel",
    "zone_model",
    "classify",
    "classify_codes",
    "country_codes",
    "exact",
    "zone_of",
]

#: Zone kinds, in the order of their integer codes.
KINDS = ("land", "territorial_sea", "eez", "high_seas")
LAND, TERRITORIAL_SEA, EEZ, HIGH_SEAS = range(4)
#: Breadth of the territorial sea, nautical miles (UNCLOS art. 3).
TERRITORIAL_SEA_NMI = 12.0
#: Breadth of the exclusive economic zone, nautical miles (UNCLOS art. 57).
EEZ_NMI = 200.0
#: Below this distance from the coast, land/sea and distance use the exact coast segments, km.
NEAR_KM = 3.0
#: Land outside every Natural Earth country takes the nearest coast's country within this, km.
LAND_FALLBACK_KM = 25.0
#: Neighbouring coast vertices examined for the exact near-coast test.
_K_NEAR = 8
#: Latitudes are clipped to this for the mask (it has no row at exactly +-90).
_LAT_MAX_MASK = 89.999999
_KINDS_ARRAY = np.array(KINDS)


@dataclass(frozen=True)
class Zones:
    """Zone verdicts for an array of points (every field has the input's broadcast shape).

    ``kind``: one of :data:`KINDS`; ``country``: ISO 3166-1 alpha-3 of the land, or of the
    territorial sea / EEZ (the nearest coast's country), "" for high seas and for areas Natural
    Earth marks indeterminate; ``distance_to_coast_km``: to the nearest coast (also on land);
    ``nearest_coast_country``: ISO3 of that coast ("" if indeterminate). The last two are
    computed (by the exact path) when first read.
    """

    kind: np.ndarray
    country: np.ndarray
    _extra: Callable[[], tuple[np.ndarray, np.ndarray]] | None = field(
        default=None, repr=False, compare=False
    )

    @functools.cached_property
    def _extras(self) -> tuple[np.ndarray, np.ndarray]:
        assert self._extra is not None, "Zones built without its distance/coast-country source"
        return self._extra()

    @property
    def distance_to_coast_km(self) -> np.ndarray:
        return self._extras[0]

    @property
    def nearest_coast_country(self) -> np.ndarray:
        return self._extras[1]

    def within(
        self, country: str, kinds: str | Sequence[str] = ("territorial_sea", "eez")
    ) -> np.ndarray:
        """Boolean array: the point lies in ``country``'s zones of the given ``kinds``."""
        if isinstance(kinds, str):
            kinds = (kinds,)
        bad = set(kinds) - set(KINDS)
        if bad:
            raise ValueError(f"unknown zone kind(s) {sorted(bad)}; expected some of {KINDS}")
        out: np.ndarray = (self.country == country) & np.isin(self.kind, list(kinds))
        return out


class ZoneModel:
    """Coast vertices, land mask and country tables (see :func:`zone_model`).

    The k-d tree over the coast and the land mask (about 2 s and 0.4 GB together) are built on
    first use: a handful of points (``zone 41.5 137.2``) finds its nearest coast vertices by
    brute force over a band of z (:meth:`nearest`, the same vertices) and, inside the
    interior-cell raster's region, reads the mask's pixels from the raster
    (:func:`_mask_contains`). :meth:`warm` builds both now."""

    def __init__(self, tables: dict[str, np.ndarray]):
        self._xyz32 = tables["coast_xyz"]
        self._next = tables["coast_next"]
        self.coast_code = tables["coast_code"]
        self.codes = tables["codes"]
        self.grid = tables["grid"]
        self._ne_wkb = tables["ne_wkb"]
        self._ne_offsets = tables["ne_offsets"]
        self.ne_code = tables["ne_code"]
        #: coast vertices the brute-force look-ups have scanned so far, and how many they may
        #: scan before the tree is built instead (:meth:`nearest`, :data:`BRUTE_BUDGET`)
        self.brute_scanned = 0
        self.brute_budget = BRUTE_BUDGET

    @functools.cached_property
    def nxt(self) -> np.ndarray:
        """Next vertex along the coast (int32), -1 at the end of an open line."""
        return np.asarray(self._next, dtype=np.int32)

    @functools.cached_property
    def prv(self) -> np.ndarray:
        """Previous vertex along the coast (int32), -1 at the start of an open line."""
        prv = np.full(len(self._next), -1, dtype=np.int32)
        has = self.nxt >= 0
        prv[self.nxt[has]] = np.flatnonzero(has)
        return prv

    def neighbours(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Previous and next vertices (int32, -1 where none) of the vertices ``idx``, as
        :attr:`prv` and :attr:`nxt` give them, without building :attr:`prv` for the whole
        coast: rings are stored in order, so a vertex's previous one is ``i - 1``, or for the
        first vertex of a ring the ring's last, found by searching forward for the vertex
        whose next it is."""
        idx = np.asarray(idx)
        nxt = self._next[idx].astype(np.int32)
        if "prv" in self.__dict__:
            return self.prv[idx], nxt
        prv = np.full(idx.shape, -1, dtype=np.int32)
        flat, out = idx.ravel(), prv.reshape(-1)
        before = np.maximum(flat - 1, 0)
        ok = (flat > 0) & (self._next[before] == flat)
        out[ok] = before[ok]
        n = len(self._next)
        for r in np.flatnonzero(~ok):  # first vertices of rings: a handful per point
            i, w = int(flat[r]), 1024
            while True:
                hit = np.flatnonzero(self._next[i : i + w] == i)
                if len(hit) or i + w >= n:
                    break
                w *= 8
            if len(hit):
                out[r] = i + int(hit[0])
            elif i > 0:  # not after it: an open line's start has none; else search before
                before_hit = np.flatnonzero(self._next[:i] == i)
                out[r] = int(before_hit[0]) if len(before_hit) else -1
        return prv, nxt

    @functools.cached_property
    def z_index(self) -> tuple[np.ndarray, np.ndarray]:
        """Coast vertices sorted by their z (unit-vector component along the axis): ``(z, order)``
        with ``z`` float64 ascending and ``order`` int32 vertex indices (read from a cache built
        once beside the tables, :func:`.zones_data.z_index`)."""
        return zones_data.z_index(self._xyz32)

    @functools.cached_property
    def xyz(self) -> np.ndarray:
        """Coast vertices as float64 unit vectors (N, 3)."""
        return _unit_rows(self._xyz32)

    @functools.cached_property
    def tree(self) -> Any:
        """k-d tree over :attr:`xyz`."""
        from scipy.spatial import cKDTree

        # unbalanced, non-compact nodes: 4x faster to query on points lying on a sphere
        return cKDTree(self.xyz, leafsize=16, balanced_tree=False, compact_nodes=False)

    @functools.cached_property
    def mask(self) -> Any:
        """roaring-landmask's GSHHG land mask."""
        from roaring_landmask import LandmaskProvider, RoaringMask

        return RoaringMask.new(LandmaskProvider.Gshhg)

    def warm(self) -> ZoneModel:
        """Build the k-d tree and load the mask now (not in the middle of later work)."""
        _ = self.tree, self.mask
        return self

    def vertices(self, idx: np.ndarray) -> np.ndarray:
        """Unit vectors (float64) of the coast vertices ``idx`` (without normalizing them all
        while :attr:`xyz` is not needed)."""
        if "xyz" in self.__dict__:
            rows: np.ndarray = self.xyz[idx]
            return rows
        return _unit_rows(self._xyz32[idx])

    def nearest(self, p: np.ndarray, k: int = 1) -> tuple[np.ndarray, np.ndarray]:
        """Chord distances and indices of the ``k`` nearest coast vertices of unit vectors
        ``p`` (n, 3), like ``cKDTree.query(p, k)``: shapes (n,) for k = 1, else (n, k).

        Up to :data:`BRUTE_MAX` points while the tree is not built: by brute force over the
        vertices whose z lies within ``w`` of the point's (:attr:`z_index`; ``w`` doubling from
        :data:`BAND_Z0` until the k-th chord found is at most ``w``: a chord is never shorter
        than the difference of z, so no vertex outside the band can be nearer), in float64
        with ties to the lower index, so the result is the tree's.

        A band of z circles the globe (every coast at that latitude); before the exact chords,
        its vertices whose stored float32 x or y lies farther than ``w`` (+ :data:`_BOX_SLACK`)
        from the point's are dropped: their chord exceeds ``w``, so they can be neither among
        the k nearest of an accepted band nor change whether it is accepted.

        A point far from every coast (a sample near an EEZ's outer limit) needs a wide band.
        Once the brute force has scanned :attr:`brute_budget` vertices in this model's life
        (about what building the tree costs), the tree is built and answers from then on: a
        rent-or-buy rule, never more than about twice the cheaper of the two."""
        if "tree" in self.__dict__ or len(p) > BRUTE_MAX or self.brute_scanned > self.brute_budget:
            found: tuple[np.ndarray, np.ndarray] = self.tree.query(p, k=k, workers=-1)
            return found
        z, order = self.z_index
        chords = np.empty((len(p), k))
        idx = np.empty((len(p), k), dtype=np.int64)
        for i in range(len(p)):  # at most BRUTE_MAX points
            w = BAND_Z0
            while True:
                lo, hi = np.searchsorted(z, [p[i, 2] - w - _Z_SLACK, p[i, 2] + w + _Z_SLACK])
                self.brute_scanned += int(hi - lo)
                if hi - lo >= k or w >= 2.0:
                    cand = order[lo:hi]
                    if w < 2.0:
                        near = self._xyz32[cand]
                        box = w + _BOX_SLACK
                        cand = cand[
                            (np.abs(near[:, 0] - p[i, 0]) <= box)
                            & (np.abs(near[:, 1] - p[i, 1]) <= box)
                        ]
                    cand = np.sort(cand).astype(np.int64)
                    ch = np.linalg.norm(self.vertices(cand) - p[i], axis=1)
                    best = np.lexsort((cand, ch))[:k]
                    if w >= 2.0 or (len(best) == k and ch[best[-1]] <= w):
                        break
                w *= 2.0
            chords[i], idx[i] = ch[best], cand[best]
        return (chords[:, 0], idx[:, 0]) if k == 1 else (chords, idx)

    @functools.cached_property
    def ne_parts(self) -> tuple[np.ndarray, Any]:
        """Natural Earth country parts (prepared shapely polygons) and their STR tree."""
        import shapely

        raw = self._ne_wkb.tobytes()
        off = self._ne_offsets
        parts = shapely.from_wkb([raw[off[i] : off[i + 1]] for i in range(len(off) - 1)])
        shapely.prepare(parts)
        return parts, shapely.STRtree(parts)


#: Most points whose nearest coast vertices are found by brute force while the tree is unbuilt.
BRUTE_MAX = 8
#: Coast vertices the brute force may scan in a model's life before the k-d tree is built
#: instead: building the tree over the 3.2 M vertices takes about 1 s (measured); the brute force
#: handles about 10 M vertices of its bands a second (estimate, same machine).
BRUTE_BUDGET = 10_000_000
#: First half-width of the band of z searched by the brute force (unit vectors; ~13 km).
BAND_Z0 = 0.002
#: Allowance for rounding in the stored z and in the chord (far above either, far below a km).
_Z_SLACK = 1e-9
#: Allowance for the stored float32 x and y against the float64 unit vector's (the table's
#: vectors are unit to 5e-8; 1e-6 is ~6 m on the Earth, so the box only ever keeps more).
_BOX_SLACK = 1e-6


def _unit_rows(xyz32: np.ndarray) -> np.ndarray:
    """float64 unit vectors of float32 vectors along the last axis."""
    xyz = xyz32.astype(np.float64)
    xyz /= np.linalg.norm(xyz, axis=-1, keepdims=True)
    return xyz


@functools.cache
def zone_model() -> ZoneModel:
    """The zone model, read on first use and kept for the process (its tree and mask are built
    when first needed: :class:`ZoneModel`)."""
    return ZoneModel(zones_data.load_tables())


# --------------------------------------------------------------------------------------------
# helpers


def _prepare(
    lat_deg: ArrayLike, lon_deg: ArrayLike
) -> tuple[np.ndarray, np.ndarray, tuple[int, ...]]:
    try:
        lat, lon = np.asarray(lat_deg, dtype=float), np.asarray(lon_deg, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"latitude and longitude must be numbers or arrays of numbers: {exc}"
        ) from None
    try:
        lat, lon = np.broadcast_arrays(lat, lon)
    except ValueError:
        raise ValueError(
            f"latitude shape {lat.shape} and longitude shape {lon.shape} do not broadcast"
        ) from None
    if not (np.all(np.isfinite(lat)) and np.all(np.isfinite(lon))):
        raise ValueError("latitude and longitude must be finite")
    if np.any(np.abs(lat) > 90.0):
        raise ValueError("latitude must be within [-90, 90] degrees")
    shape = lat.shape
    lat = np.ascontiguousarray(lat).ravel()
    lon = (np.ascontiguousarray(lon).ravel() + 180.0) % 360.0 - 180.0
    return lat, lon, shape


def radii_of_curvature(lat_rad: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Meridional (M) and prime-vertical (N) radii of curvature of WGS84, metres."""
    w2 = 1.0 - E2 * np.sin(lat_rad) ** 2
    n = A_M / np.sqrt(w2)
    return n * (1.0 - E2) / w2, n


def _arc_km(
    lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray, chord: np.ndarray
) -> np.ndarray:
    """Distance (km) for a chord between unit vectors of (lat1, lon1) and (lat2, lon2).

    Central angle times the WGS84 radius of curvature (Euler) at the mid-latitude along the
    direction between the points.
    """
    theta = 2.0 * np.arcsin(np.minimum(chord * 0.5, 1.0))
    phi = np.radians(0.5 * (lat1 + lat2))
    m, n = radii_of_curvature(phi)
    dn = np.radians(lat2 - lat1)
    de = np.radians((lon2 - lon1 + 180.0) % 360.0 - 180.0) * np.cos(phi)
    s2 = dn * dn + de * de
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.where(s2 > 0.0, s2 / (dn * dn / m + de * de / n), np.sqrt(m * n))
    out: np.ndarray = theta * r / 1000.0
    return out


def _spatial_order(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """A permutation putting nearby points together (k-d queries run ~3x faster in order)."""
    row = np.floor((lat + 90.0) * 2.0).astype(np.int64)
    col = np.floor((lon + 180.0) * 2.0).astype(np.int64)
    return np.argsort(row * 1000 + col, kind="stable")


def _cross_dot(u: np.ndarray, v: np.ndarray, w: np.ndarray) -> np.ndarray:
    """(u x v) . w along the last axis."""
    out: np.ndarray = (
        w[..., 0] * (u[..., 1] * v[..., 2] - u[..., 2] * v[..., 1])
        + w[..., 1] * (u[..., 2] * v[..., 0] - u[..., 0] * v[..., 2])
        + w[..., 2] * (u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0])
    )
    return out


def _exact_near(model: ZoneModel, p: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Exact side (land?) and chord distance to the nearest coast segment for points ``p``.

    The nearest segment is sought among those touching the ``_K_NEAR`` nearest vertices. If the
    nearest point of the segment is one of its ends, the vertex rule decides: at a convex land
    corner a point is on land if it is on the land side of both segments, at a reflex corner if
    of either. Returns ``(land, chord, nearest_point)``.
    """
    k = min(_K_NEAR, len(model.coast_code))
    _, nb = model.nearest(p, k)
    nb = nb.reshape(len(p), k)
    prv_nb, nxt_nb = model.neighbours(nb)
    a_idx = np.concatenate([nb, prv_nb], axis=1)
    b_idx = np.concatenate([nxt_nb, nb], axis=1)
    valid = (a_idx >= 0) & (b_idx >= 0)
    a_idx, b_idx = np.where(valid, a_idx, 0), np.where(valid, b_idx, 0)
    a_xyz, b_xyz = model.vertices(a_idx), model.vertices(b_idx)
    a = [a_xyz[..., c] for c in range(3)]
    ab = [b_xyz[..., c] - a[c] for c in range(3)]
    ap = [p[:, c : c + 1] - a[c] for c in range(3)]
    ab2 = np.maximum(ab[0] * ab[0] + ab[1] * ab[1] + ab[2] * ab[2], 1e-300)
    t = np.clip((ap[0] * ab[0] + ap[1] * ab[1] + ap[2] * ab[2]) / ab2, 0.0, 1.0)
    d2 = sum((ap[c] - ab[c] * t) ** 2 for c in range(3))
    d2[~valid] = np.inf
    best = np.argmin(d2, axis=1)
    rows = np.arange(len(p))
    chord = np.sqrt(d2[rows, best])
    tb = t[rows, best]
    seg = np.stack([ab[c][rows, best] for c in range(3)], axis=1)
    rel = np.stack([ap[c][rows, best] for c in range(3)], axis=1)
    start = np.stack([a[c][rows, best] for c in range(3)], axis=1)
    land = _cross_dot(seg, rel, start) < 0.0
    # vertex cases: the nearest point is an end of the segment
    at_end = (tb <= 0.0) | (tb >= 1.0)
    if np.any(at_end):
        sel = np.flatnonzero(at_end)
        v = np.where(tb[sel] <= 0.0, a_idx[sel, best[sel]], b_idx[sel, best[sel]])
        pv, nv = model.neighbours(v)
        ok = (pv >= 0) & (nv >= 0)
        if np.any(ok):
            s, v, pv, nv = sel[ok], v[ok], pv[ok], nv[ok]
            vx, px, nx_ = model.vertices(v), model.vertices(pv), model.vertices(nv)
            rel_v = p[s] - vx
            land1 = _cross_dot(vx - px, rel_v, vx) < 0.0
            land2 = _cross_dot(nx_ - vx, rel_v, vx) < 0.0
            convex = _cross_dot(vx - px, nx_ - vx, vx) < 0.0  # right turn: land corner < 180
            land[s] = np.where(convex, land1 & land2, land1 | land2)
    return land, chord, start + seg * tb[:, None]


def _land_country(
    model: ZoneModel, lat: np.ndarray, lon: np.ndarray, coast_code: np.ndarray, dist_km: np.ndarray
) -> np.ndarray:
    """Country index of land points: the Natural Earth unit containing them."""
    import shapely

    code = zones_data.grid_lookup(model.grid, lat, lon).astype(np.int64)
    fallback = np.where(dist_km <= LAND_FALLBACK_KM, coast_code, 0)
    mixed = np.flatnonzero(code == -2)
    if len(mixed):
        parts, tree = model.ne_parts
        pts = shapely.points(lon[mixed], lat[mixed])
        pt_i, part_i = tree.query(pts)
        inside = shapely.contains_xy(parts[part_i], lon[mixed][pt_i], lat[mixed][pt_i])
        found = np.full(len(mixed), -1, dtype=np.int64)
        found[pt_i[inside][::-1]] = model.ne_code[part_i[inside][::-1]]
        code[mixed] = found
    return np.where(code >= 0, code, fallback)


# --------------------------------------------------------------------------------------------
# public API


def classify(lat_deg: ArrayLike, lon_deg: ArrayLike) -> Zones:
    """Zone verdicts for points given by geodetic latitude and longitude (degrees, broadcast).

    Kind and country come from :func:`classify_codes` (the interior-cell raster, exact checks
    elsewhere); the distance to the coast and the nearest coast's country are computed by the
    exact path when first read. Raises :class:`ValueError` for non-numeric, non-finite or
    out-of-range latitudes.
    """
    lat, lon, shape = _prepare(lat_deg, lon_deg)
    kind, country = _codes(lat, lon)
    return Zones(
        kind=_KINDS_ARRAY[kind].reshape(shape),
        country=_codes_table()[country].reshape(shape),
        _extra=functools.partial(_extras, lat, lon, shape),
    )


def classify_codes(lat_deg: ArrayLike, lon_deg: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Zone kind and country as small integers (the fast path), in the input's broadcast shape.

    ``kind`` (int8) indexes :data:`KINDS`; ``country`` (int16) indexes :func:`country_codes`
    (0 = no country). Identical to the exact path: inside
    :data:`~.zone_raster.REGION` a cached raster answers for every cell whose whole area has
    one answer (proven conservatively, :mod:`.zone_raster`), and only points in boundary cells
    and outside the region take the exact path.
    """
    lat, lon, shape = _prepare(lat_deg, lon_deg)
    kind, country = _codes(lat, lon)
    return kind.reshape(shape), country.reshape(shape)


@functools.cache
def _codes_table() -> np.ndarray:
    from . import zone_raster

    return zone_raster.raster().codes


def country_codes() -> np.ndarray:
    """ISO 3166-1 alpha-3 codes indexed by the integer country of :func:`classify_codes`."""
    return _codes_table()


def _codes(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Kind (int8) and country (int16) of flat, prepared points: raster, else exact."""
    from . import zone_raster

    kind, country = zone_raster.raster().lookup_codes(lat, lon)
    todo = np.flatnonzero(kind < 0)
    if len(todo):
        k, c, _, _ = exact(zone_model(), lat[todo], lon[todo])
        kind[todo] = k
        country[todo] = c
    return kind, country


def _extras(
    lat: np.ndarray, lon: np.ndarray, shape: tuple[int, ...]
) -> tuple[np.ndarray, np.ndarray]:
    _, _, dist, coast_code = exact(zone_model(), lat, lon)
    return dist.reshape(shape), _codes_table()[coast_code].reshape(shape)


def exact(
    model: ZoneModel, lat: np.ndarray, lon: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The exact path for flat arrays of prepared points (degrees, longitudes in [-180, 180)).

    Returns ``(kind int8, country int64, distance_to_coast_km, nearest coast country int64)``
    in the order of the input; countries index ``model.codes``.
    """
    n = len(lat)
    kind = np.empty(n, dtype=np.int8)
    country = np.zeros(n, dtype=np.int64)
    if n == 0:
        return kind, country, np.empty(0), country.copy()
    order = _spatial_order(lat, lon)
    lat, lon = lat[order], lon[order]
    dist, idx, near, land_near = _coast(model, lat, lon)
    land = _mask_contains(model, lon, np.clip(lat, -_LAT_MAX_MASK, _LAT_MAX_MASK))
    if len(near):
        land[near] &= land_near  # the mask never misses land; only its "land" needs checking
    coast_code = model.coast_code[idx].astype(np.int64)
    dist_nmi = dist * (1000.0 / NMI_M)
    kind[:] = np.where(
        dist_nmi <= TERRITORIAL_SEA_NMI,
        TERRITORIAL_SEA,
        np.where(dist_nmi <= EEZ_NMI, EEZ, HIGH_SEAS),
    )
    kind[land] = LAND
    country[:] = np.where(kind == HIGH_SEAS, 0, coast_code)
    li = np.flatnonzero(land)
    if len(li):
        country[li] = _land_country(model, lat[li], lon[li], coast_code[li], dist[li])
    inverse = np.empty_like(order)
    inverse[order] = np.arange(n)
    return kind[inverse], country[inverse], dist[inverse], coast_code[inverse]


def _mask_contains(model: ZoneModel, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """roaring-landmask's land mask at flat arrays of points (bool): from the copy of its
    pixels that the cached interior-cell raster keeps over its region
    (:meth:`.zone_raster.ZoneRaster.mask_at`, the same bits), and from the mask itself (seconds
    to load) only for points elsewhere or while no raster is cached."""
    from . import zone_raster

    raster = zone_raster.cached_raster()
    if raster is None:
        return np.asarray(model.mask.contains_many(lon, lat), dtype=bool)
    known, land = raster.mask_at(lon, lat)
    rest = np.flatnonzero(~known)
    if len(rest):
        land[rest] = np.asarray(model.mask.contains_many(lon[rest], lat[rest]), dtype=bool)
    return land


def _coast(
    model: ZoneModel, lat: np.ndarray, lon: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Distance (km) to the nearest coast and that vertex's index for flat, prepared points;
    for the points nearer than NEAR_KM (indices ``near``) the exact segment distance and side
    (``land_near``: land side?). The mask is not used."""
    p = zones_data.unit_vectors(lat, lon)
    chord, idx = model.nearest(p, 1)
    clat, clon = zones_data.lat_lon(model.vertices(idx))
    dist = _arc_km(lat, lon, clat, clon, chord)
    near = np.flatnonzero(dist < NEAR_KM)
    land_near = np.zeros(0, dtype=bool)
    if len(near):
        land_near, chord_near, q = _exact_near(model, p[near])
        qlat, qlon = zones_data.lat_lon(q)
        dist[near] = _arc_km(lat[near], lon[near], qlat, qlon, chord_near)
    return dist, idx, near, land_near


def _exact_zones(lat_deg: ArrayLike, lon_deg: ArrayLike) -> Zones:
    """Every field by the exact path (no raster): for single points and the identity test."""
    lat, lon, shape = _prepare(lat_deg, lon_deg)
    model = zone_model()
    kind, country, dist, coast_code = exact(model, lat, lon)
    extras = (dist.reshape(shape), model.codes[coast_code].reshape(shape))
    return Zones(
        kind=_KINDS_ARRAY[kind].reshape(shape),
        country=model.codes[country].reshape(shape),
        _extra=lambda: extras,
    )


def zone_of(lat_deg: float, lon_deg: float) -> dict[str, Any]:
    """Zone verdict for one point, as plain Python values (for the CLI and JSON).

    Returns ``{"kind", "country", "distance_to_coast_km", "nearest_coast_country"}``; the
    countries are ISO 3166-1 alpha-3 strings or ``None``. Kind and country come from the
    interior-cell raster when it is cached and the point's cell is decided there, else from the
    exact path (which reads the land mask's pixels from the raster inside its region); the
    distance always from the exact nearest coast. Inside the region neither the land mask nor
    the k-d tree is loaded: a fraction of a second."""
    if np.ndim(lat_deg) or np.ndim(lon_deg):
        raise ValueError("zone_of takes one point; use classify() for arrays")
    from . import zone_raster

    lat, lon, _ = _prepare(lat_deg, lon_deg)
    model = zone_model()
    raster = zone_raster.cached_raster()
    kind = country = None
    if raster is not None:
        kind, country = raster.lookup_codes(lat, lon)
    if kind is None or kind[0] < 0:  # boundary cell, outside the raster, or no raster cached
        kind, country, dist, coast_code = exact(model, lat, lon)
    else:
        dist, idx, _, _ = _coast(model, lat, lon)
        coast_code = model.coast_code[idx]
    assert country is not None  # set by the raster or by the exact path
    return {
        "kind": KINDS[int(kind[0])],
        "country": str(model.codes[country[0]]) or None,
        "distance_to_coast_km": float(dist[0]),
        "nearest_coast_country": str(model.codes[coast_code[0]]) or None,
    }
