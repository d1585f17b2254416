"""Threat geometry: from an impact-prediction Assessment, the chance that each track's flight
touches each warning area's land, and when.

For every track and area (:meth:`ThreatModel.threat`):

* ``p_over`` = fraction of the S samples whose predicted ground path, from ``a.t_s`` on, touches
  the area's land (paths densified to ``densify_km`` so that no crossing is stepped over; a
  sample's impact point counts as a touch);
* ``p_fall`` = fraction of samples whose impact point is on the area's land;
* ``ellipse`` = the 95 % impact ellipse overlaps the area's land, used only once it is smaller
  than ``max_ellipse_m`` (an early, shapeless prediction is judged by its samples alone);
* ``t_entry_s`` / ``t_exit_s``: median predicted entry / exit times (s after the epoch) over the
  samples that touch it (NaN where none does).

Also the track's current ground point (:func:`ground_point`), for the warning lifecycle.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import numpy as np

from ..assess.assessment import ELLIPSE_LEVELS, Assessment
from ..earth import geodesy
from . import areas as areas_mod

if TYPE_CHECKING:
    import shapely

__all__ = ["ThreatModel", "merge_impacts", "path_hits", "ground_point"]


class ThreatModel:
    """Threat geometry over the areas of ``countries`` (module docstring)."""

    def __init__(
        self,
        countries=areas_mod.COUNTRIES,
        *,
        densify_km: float = 2.0,
        max_ellipse_m: float = 100e3,
    ):
        if densify_km <= 0 or max_ellipse_m < 0:
            raise ValueError("densify_km must be > 0 and max_ellipse_m >= 0")
        self.countries = areas_mod.check_countries(countries)
        self.densify_km, self.max_ellipse_m = float(densify_km), float(max_ellipse_m)
        self.index = areas_mod.load_index()
        self.index.land_mask(self.countries)  # built once per process and countries (~50 ms)
        self.codes = self.index.codes
        self._tree: shapely.STRtree | None = None

    def threat(self, a: Assessment, samples: np.ndarray | None = None) -> dict[str, np.ndarray]:
        """Per track and area (K, A): ``p_over``, ``p_fall``, ``ellipse`` and the median predicted
        entry/exit times ``t_entry_s``/``t_exit_s`` (NaN where no sample crosses).  ``samples``:
        (K, S) bool, the samples that count (default all); a track with none counts all."""
        K, S = np.asarray(a.path_lat_deg).shape[:2]
        A = len(self.codes)
        ks, tt, aa = path_hits(a, self.densify_km, self.index, self.countries)
        hit = np.zeros((K, S, A), dtype=bool)
        t_in = np.full((K, S, A), np.inf)
        t_out = np.full((K, S, A), -np.inf)
        if tt.size:
            # runs of consecutive hits of one (track, sample, area): their extreme times only
            key = ks * A + aa
            start = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))
            key = key[start]
            hit.ravel()[key] = True
            np.minimum.at(t_in.ravel(), key, np.minimum.reduceat(tt, start))
            np.maximum.at(t_out.ravel(), key, np.maximum.reduceat(tt, start))
        hit, fall, t_in, t_out = merge_impacts(self.index, self.countries, a, hit, t_in, t_out)
        m = np.ones((K, S), bool) if samples is None else np.asarray(samples, bool).reshape(K, S)
        m = m | ~m.any(axis=1, keepdims=True)
        hit, fall = hit & m[..., None], fall & m[..., None]
        n_m = m.sum(axis=1)[:, None]
        # medians only of the areas some sample touches (the others are all-NaN: NaN)
        t_entry = np.full((K, A), np.nan)
        t_exit = np.full((K, A), np.nan)
        cols = np.flatnonzero(hit.any(axis=(0, 1)))
        if cols.size:
            h = hit[..., cols]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns: no crossing
                t_entry[:, cols] = np.nanmedian(np.where(h, t_in[..., cols], np.nan), axis=1)
                t_exit[:, cols] = np.nanmedian(np.where(h, t_out[..., cols], np.nan), axis=1)
        return {
            "p_over": hit.sum(axis=1) / n_m,
            "p_fall": fall.sum(axis=1) / n_m,
            "ellipse": self._ellipse_hits(a),
            "t_entry_s": t_entry,
            "t_exit_s": t_exit,
        }

    def _ellipse_hits(self, a: Assessment) -> np.ndarray:
        import shapely

        K, A = a.n_tracks, len(self.codes)
        out = np.zeros((K, A), dtype=bool)
        if self.max_ellipse_m <= 0:
            return out
        j = ELLIPSE_LEVELS.index(0.95)
        semi = np.asarray(a.ellipse_semi_major_m, float).reshape(K, -1)[:, j]
        if self._tree is None:
            self._tree = shapely.STRtree(self.index.geoms)
        allowed = np.isin(self.index.country, self.countries)
        for k in np.flatnonzero(np.isfinite(semi) & (semi <= self.max_ellipse_m)):
            if not (np.isfinite(a.impact_lat_deg[k]) and np.isfinite(a.impact_lon_deg[k])):
                continue
            ring = a.ellipse_polygon(int(k), 0.95)
            # one ring about the impact: across the antimeridian its part beyond +-180 is
            # queried again shifted by 360 deg (wrapped vertex by vertex, the ring was a band
            # round the globe: an IRBM's ellipse at 179.7 E warned Aomori, Iwate and Akita)
            shifts = [0.0]
            if ring[:, 0].max() > 180.0:
                shifts.append(-360.0)
            if ring[:, 0].min() < -180.0:
                shifts.append(360.0)
            for shift in shifts:
                poly = shapely.Polygon(ring + np.array([shift, 0.0]))
                hits = self._tree.query(poly, predicate="intersects")
                out[k, hits[allowed[hits]]] = True
        return out


def merge_impacts(index, countries, a: Assessment, hit, t_in, t_out):
    """Add the sample impact points to per-(track, sample, area) path hits: ``fall`` marks the
    samples that land on an area's land, which counts as touching it at the impact time.
    Returns ``(hit, fall, t_in, t_out)``."""
    ilat = np.asarray(a.sample_impact_lat_deg, float)
    ilon = np.asarray(a.sample_impact_lon_deg, float)
    iidx = index.index_of(np.nan_to_num(ilat, nan=-90.0), ilon, countries)
    iidx[~np.isfinite(ilat)] = -1
    fall = np.zeros(hit.shape, dtype=bool)
    k2, s2 = np.nonzero(iidx >= 0)
    fall[k2, s2, iidx[k2, s2]] = True
    t_imp = np.broadcast_to(np.asarray(a.impact_t_s, float)[:, None, None], t_in.shape)
    t_in = np.where(fall & ~np.isfinite(t_in), t_imp, t_in)
    t_out = np.where(fall, np.maximum(t_out, t_imp), t_out)
    return hit | fall, fall, t_in, t_out


def path_hits(a: Assessment, densify_km: float, index, countries):
    """The land points of the predicted ground paths from ``a.t_s`` on: sample (flat index
    ``k * S + s`` over tracks and samples), time and area index (1-D arrays) of every densified
    path point on land of an area of ``countries``, in path order within each sample.

    Paths are densified linearly in lat/lon: every segment between two path times into ``n``
    points (its start and ``n - 1`` in between; the path's last point closes it), ``n`` from the
    longest segment of all samples (:func:`_n_steps`) so that no step exceeds ``densify_km``; a
    segment with a NaN end has no points. Only the segments that may touch land are densified
    and looked up: those with an end near land (:meth:`~.land_mask.LandMask.distance`) whose
    lat/lon box touches land (:meth:`~.land_mask.LandMask.may_touch`). Both tests are
    conservative and the points are computed as when densifying everything, so the result is the
    same as looking up every densified point -- at a fraction of the cost, since most of a path
    is far out at sea.
    """
    mask = index.land_mask(countries)
    t = np.asarray(a.path_t_s, float)
    keep = t >= a.t_s - 1e-9
    first = int(np.argmax(keep)) if keep.any() else t.size
    cut: np.ndarray | slice = keep
    if keep[first:].all():  # times in order: a view, not a copy
        cut = slice(first, None)
    lat = np.ascontiguousarray(np.asarray(a.path_lat_deg, float)[..., cut])
    lon = np.ascontiguousarray(np.asarray(a.path_lon_deg, float)[..., cut])
    t = t[cut]
    P = t.size
    lat_f, lon_f = lat.reshape(-1), lon.reshape(-1)  # flat indices below: sample * P + point
    n = 1
    if P >= 2:
        dlat = np.diff(lat, axis=-1)
        dlon = np.diff(lon, axis=-1) + 180.0
        wrap = ~((dlon >= 0.0) & (dlon < 360.0))
        if wrap.any():  # == (diff + 180) % 360 - 180, the modulo being the identity in [0, 360)
            dlon[wrap] %= 360.0
        dlon -= 180.0
        fin = np.isfinite(dlat) & np.isfinite(dlon)
        n = _n_steps(lat, dlat, dlon, fin, densify_km)
    dist = mask.distance(lat, lon) if lat.size else np.zeros(lat.shape, np.uint8)
    if n == 1:  # the path points themselves
        pt = np.flatnonzero((dist == 0) & np.isfinite(lat) & np.isfinite(lon))
        idx = index.index_of(lat_f.take(pt), lon_f.take(pt), countries)
        on = np.flatnonzero(idx >= 0)
        ks, q = np.divmod(pt[on], max(P, 1))
        return ks, t.take(q), idx[on].astype(np.intp)
    # a point of a segment is within half the segment's extent (deg) of one end, so within
    # ext / 2 / cell + 1 cells of it, + 1 for rounding (the mask's dilation takes another)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN: no finite segment
        ext = max(np.nanmax(np.abs(dlat)), np.nanmax(np.abs(dlon)))
    r = ext / (2.0 * mask.cell) + 2.0
    if r < mask.MAX_DIST:
        near = fin & (np.minimum(dist[..., :-1], dist[..., 1:]) <= int(r))
    else:  # huge steps (or none finite): every finite segment goes to the box test
        near = fin
    seg = np.flatnonzero(near)  # sample * (P - 1) + segment
    ks, q = np.divmod(seg, P - 1)
    pt = ks * P + q
    la0, lo0 = lat_f.take(pt), lon_f.take(pt)
    dla, dlo = dlat.reshape(-1).take(seg), dlon.reshape(-1).take(seg)
    la1, lo1 = la0 + dla, lo0 + dlo
    sel = np.flatnonzero(
        mask.may_touch(
            np.minimum(la0, la1), np.maximum(la0, la1), np.minimum(lo0, lo1), np.maximum(lo0, lo1)
        )
    )
    f = np.arange(n) / n
    # the same expressions as densifying every segment, so the same points bit for bit
    idx = index.index_of(
        la0[sel, None] + dla[sel, None] * f, lo0[sel, None] + dlo[sel, None] * f, countries
    ).reshape(-1)
    on = np.flatnonzero(idx >= 0)
    j, i = np.divmod(on, n)  # segment (of sel), point
    j = sel.take(j)
    qj = q.take(j)
    hits = [(ks.take(j), t[:-1].take(qj) + np.diff(t).take(qj) * f.take(i), idx.take(on))]
    # the paths' last points
    last = np.flatnonzero(
        (dist[..., -1] == 0) & np.isfinite(lat[..., -1]) & np.isfinite(lon[..., -1])
    )  # samples
    idx = index.index_of(lat_f.take(last * P + P - 1), lon_f.take(last * P + P - 1), countries)
    on = np.flatnonzero(idx >= 0)
    hits.append((last.take(on), np.full(on.size, t[-1]), idx.take(on)))
    ks, tq, area = (np.concatenate(v) for v in zip(*hits, strict=True))
    return ks, tq, area.astype(np.intp)


def _n_steps(lat, dlat, dlon, fin, densify_km: float) -> int:
    """Points per segment: ``ceil(worst / densify_km)`` in 1..64, ``worst`` the longest segment
    (geodesic, :func:`launchwatch.earth.geodesy.segment_lengths_m`) of all samples; ``fin``:
    finite segments.

    A float32 equirectangular estimate of every segment's length in degrees picks the few
    candidates for the longest: within 3 % + 1e-3 deg of the estimated maximum, wider than the
    spread of metres per such degree on WGS84 (110.57 km on the equator's meridian to 111.69
    km at the poles, about 1 %) plus the float32 error; their geodesic lengths decide, so ``n``
    is the one of the geodesic lengths of all segments.
    """
    with np.errstate(all="ignore"):
        c = np.cos(lat[..., :-1].astype(np.float32) * np.float32(np.pi / 180.0))
        x = dlon.astype(np.float32) * c
        y = dlat.astype(np.float32)
        est = np.sqrt(x * x + y * y)
    n_ok = np.count_nonzero(np.isfinite(est))
    if n_ok == np.count_nonzero(fin) and not np.isinf(dlat).any():
        if n_ok == 0:
            return 1
        m = float(np.nanmax(est))
        cand = est >= m - (0.03 * m + 1e-3)
    else:  # float32 overflow or infinite input: every segment
        cand = np.ones(dlat.shape, dtype=bool)
    la = lat[..., :-1][cand]
    step_m = geodesy.segment_lengths_m(la, 0.0, la + dlat[cand], dlon[cand])
    return geodesy.densify_count(step_m, densify_km * 1e3, 64)


def ground_point(a: Assessment, k: int) -> tuple[float, float]:
    """Track ``k``'s ground point at ``a.t_s`` (median over the samples' first path point, deg)."""
    t = np.asarray(a.path_t_s, float)
    j = int(np.searchsorted(t, a.t_s - 1e-9))
    if j >= t.size:
        return float("nan"), float("nan")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return (
            float(np.nanmedian(np.asarray(a.path_lat_deg)[k, :, j])),
            float(np.nanmedian(np.asarray(a.path_lon_deg)[k, :, j])),
        )
