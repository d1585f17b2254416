"""Impact prediction with uncertainty: track estimates -> Monte Carlo samples -> flight core.

For K tracks, each with an ECEF estimate ``x = [r (m), v (m/s, Earth-relative), ln beta, ell]``
and its 8x8 covariance at its own time ``t_k`` (s after the scenario epoch), :func:`assess`

1. draws S samples per track from N(x, P) (one batched eigen-decomposition, no loop per track),
   after the lift prior of the track's flight regime (:func:`.lift.regime_lift`: ballistic for
   exo-atmospheric tracks); ``ell`` is the lift-to-drag ratio of the pull-up law the tracker
   estimates (:mod:`launchwatch.track.models`), plus a random walk for the predictor's model
   error over the rest of the flight (:func:`.lift.future_lift_walk`), clipped to
   ``[0, ELL_MAX]``;
2. flies all K*S samples to impact in **one call** of the flight core's batched propagator
   (:func:`launchwatch.flight.propagate.propagate_states`): J2 gravity, rotating Earth, US
   Standard Atmosphere 1976, drag with each sample's own ballistic coefficient (a unit body with
   aerodynamic scale ``1 / beta``, the same drag law as the tracker's coast model) and its own
   lift (the same pull-up law as the tracker's glide model), adaptive
   Dormand-Prince with the impact located exactly on the ellipsoid.  The launch inertial frame
   of that call coincides with ECEF at the assessment time ``t_s``;
3. reduces the samples: mean impact point and time, the east-north covariance of the impact
   points about their mean (local tangent plane, geodesic offsets), the 50 % and 95 % ellipses
   of that shape about the mean, each sized to hold its share of the samples
   (:func:`level_radii2`: an impact cloud is far from Gaussian, so the ``chi2(2)`` radii were
   wrong at both levels; the samples themselves are kept, so a banana-shaped cloud is still
   judged sample by sample), the zone of every sample impact
   (:func:`launchwatch.earth.zones.classify`) and from them the zone probabilities, and every
   sample's predicted ground path on a common time grid (for the warning policy);
4. classifies the range by *capability*: the minimum-energy (Kepler) range reachable with each
   sample's inertial speed at its radius, so a lofted ICBM is an ICBM although it lands 1,000 km
   away; the class probability is the fraction of samples in the most probable class.  While a
   track is still boosting (``boost_prob`` high) both the impact and the class are lower bounds:
   the prediction assumes the motor has burnt out -- for samples that do not burn: each sample
   still burns with the track's burn probability and flies a remaining burn (:mod:`.burn`);
   the assessment's ``boost_prob`` is that probability (a warning policy reads it as "the
   prediction spans what the burn may still add").

Honest uncertainty has two limits here, both stated with the result: a vehicle whose lift does
not follow the pull-up law (a manoeuvring re-entry vehicle, a glide vehicle) is predicted with
the law, and a boosting track's future thrust is unknown.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ..earth import frames, geodesy, zones
from ..earth.constants import A_M, B_M, GM_M3_S2
from ..flight import kepler
from ..flight.classes import RANGE_CLASSES
from ..flight.propagate import FULL_PHYSICS, propagate_states
from . import lift
from .assessment import ELLIPSE_LEVELS, Assessment
from .burn import remaining_burn, widen_heading
from .sampling import sample_states

#: Bounds on a sampled ballistic coefficient, kg/m^2 (a sample outside is clipped): light
#: debris to a dense re-entry vehicle.
LOG_BETA_BOUNDS = (math.log(30.0), math.log(3.0e5))
#: Spacing of the predicted-path grid (s) and its largest number of points.  10 s is 20-70 km
#: of ground track, where a ballistic path is a great circle to well under 1 km; the warning
#: policy densifies it to 2 km (the geodetic conversion of the 1,000 paths is half the cost of an
#: assessment, so the grid is no finer than that).
PATH_DT_S = 10.0
PATH_MAX_POINTS = 120
#: Longest flight the predictor follows from an assessment, s.
T_MAX_S = 6000.0
#: Integration tolerances of the Monte Carlo (relative; m; m/s): 30x looser than the flight
#: core's defaults.  Measured (scripts/step_control.py's samples: 300 each of the reference
#: glide and the ballistic case of ``bench assess``, impact against scipy DOP853 at rtol
#: 1e-10): median / 95th percentile / largest miss 12.8 / 138 / 254 m (glide; its 95 % ellipse
#: is 180 km long) and 0.23 / 0.42 / 5.5 m (ballistic; 18 km), with 24.8 and 21.6 step attempts
#: per sample.  The previous 10x (1e-5, 5 m, 5 mm/s) with the former plain step controller:
#: 8.6 / 99 / 162 m and 1.7 / 1.9 / 2.2 m for 30.7 and 24.5 attempts.
MC_TOL: dict[str, Any] = {"rtol": 3e-5, "atol_pos_m": 15.0, "atol_vel_m_s": 1.5e-2}

#: Size (m: mean offset from the mean-state sample plus the cloud's RMS radius) from which the
#: impact covariance is computed in the tangent plane at the mean impact point itself.
FAR_CLOUD_M = 200e3

_UNIT_BODY = lift.unit_body()
_BURNING_BODY = lift.burning_body()


def _opt(x: ArrayLike | None, k: int, fill: float) -> np.ndarray:
    return np.full(k, fill) if x is None else np.asarray(x, float).reshape(k)


def _fly(y0: np.ndarray, t0: np.ndarray, ctrl: np.ndarray, burning: np.ndarray, **kw: Any) -> Any:
    """Fly samples: those ``burning`` with the burning body, the rest coasting (two calls of
    the flight core, results merged back into sample order).  The coasting samples fly the
    lockstep kernel's SIMD lanes (the same floats as ``integrate_batch``, lifting or not); the
    burning ones ``integrate_batch`` (the lanes' thrust series differ from libm by ulps)."""
    if not burning.any():
        return propagate_states(_UNIT_BODY, y0, t0, ctrl=ctrl, lockstep=True, **kw)
    parts = {}
    for flag, body in ((False, _UNIT_BODY), (True, _BURNING_BODY)):
        idx = np.flatnonzero(burning == flag)
        if idx.size:
            parts[flag] = (
                idx,
                propagate_states(body, y0[idx], t0[idx], ctrl=ctrl[idx], lockstep=not flag, **kw),
            )
    n = y0.shape[0]
    merged: dict[str, Any] = {}
    for name in ("impacted", "t_impact_s", "impact_eci", "apogee_m", "samples_positions"):
        ref = next(iter(parts.values()))[1]
        val = getattr(ref, name)
        if val is None:
            merged[name] = None
            continue
        axis = 1 if name == "samples_positions" else 0  # (3, N, T)
        shape = list(val.shape)
        shape[axis] = n
        out = np.empty(shape, val.dtype)
        for idx, tr in parts.values():
            if axis:
                out[:, idx] = getattr(tr, name)
            else:
                out[idx] = getattr(tr, name)
        merged[name] = out
    return _Flown(**merged)


@dataclass(frozen=True, slots=True)
class _Flown:
    """What :func:`assess` reads of the flown samples (merged :class:`Trajectories`)."""

    impacted: np.ndarray
    t_impact_s: np.ndarray
    impact_eci: np.ndarray
    apogee_m: np.ndarray
    samples_positions: np.ndarray | None  # (3, N, T) positions (m, launch inertial frame)

    @property
    def impact_latlon_deg(self) -> tuple[np.ndarray, np.ndarray]:
        r, _ = frames.eci_to_ecef(
            self.impact_eci[:, :3], self.t_impact_s, v_eci=self.impact_eci[:, 3:]
        )
        lat, lon, _ = frames.ecef_to_geodetic(r)
        return np.degrees(lat), np.degrees(lon)


@dataclass(frozen=True, slots=True)
class TrackEstimates:
    """What the predictor needs of K tracks (ECEF, SI): ids, times (s after epoch), means
    (K, 8) ``[r, v, ln beta, ell]``, covariances (K, 8, 8), boost-model probability (K,),
    highest height seen so far (K,, m; NaN if unknown).  Means (K, 7) without ``ell`` get the
    tracker's lift prior (:func:`.lift.with_lift`)."""

    track_id: np.ndarray
    t_s: np.ndarray
    mean: np.ndarray
    cov: np.ndarray
    boost_prob: np.ndarray
    max_height_m: np.ndarray
    #: (K,) probability that the motor still burns (None: ``boost_prob``), time since launch
    #: (s), thrust acceleration along the velocity now and its sigma (m/s^2); NaN = unknown
    #: (:mod:`.burn`).
    burn_prob: np.ndarray | None = None
    t_since_launch_s: np.ndarray | None = None
    accel_m_s2: np.ndarray | None = None
    accel_sigma_m_s2: np.ndarray | None = None


def ellipse_axes(
    cov_en: np.ndarray, levels: ArrayLike = ELLIPSE_LEVELS, radii2: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Semi-axes (K, L) and major-axis orientation (K,; deg clockwise from north) of the
    probability-``levels`` ellipses of (K, 2, 2) east-north covariances: squared Mahalanobis
    radii ``radii2`` (K, L), or (None) the chi-square quantiles of 2 dof (exact for a
    Gaussian)."""
    w, v = np.linalg.eigh(cov_en)  # ascending
    if radii2 is None:
        scale = np.sqrt(-2.0 * np.log1p(-np.asarray(levels, float)))  # sqrt(chi2.ppf(p, 2))
    else:
        scale = np.sqrt(np.asarray(radii2, float))
    major = np.sqrt(np.clip(w[:, 1], 0.0, None))[:, None] * scale
    minor = np.sqrt(np.clip(w[:, 0], 0.0, None))[:, None] * scale
    east, north = v[:, 0, 1], v[:, 1, 1]
    orientation = np.mod(np.degrees(np.arctan2(east, north)), 180.0)
    return major, minor, orientation


def ellipse_r2(
    center_lat_deg: ArrayLike,
    center_lon_deg: ArrayLike,
    semi_major_m: np.ndarray,
    semi_minor_m: np.ndarray,
    orientation_deg: ArrayLike,
    lat_deg: ArrayLike,
    lon_deg: ArrayLike,
) -> np.ndarray:
    """(n, L) squared normalized radius of points (n,) in n reported ellipses (centres (n,),
    semi-axes (n, L) in m, major-axis orientation (n,) deg clockwise from north): <= 1 inside
    the level's ellipse.  Read from the reported figures alone (a partner's record too), in
    the local east-north plane at the centre (geodesic distance and azimuth kept)."""
    d = east_north_m(center_lat_deg, center_lon_deg, lat_deg, lon_deg)
    rot = np.radians(np.asarray(orientation_deg, float))
    along = d[..., 0] * np.sin(rot) + d[..., 1] * np.cos(rot)  # along the major axis
    across = d[..., 0] * np.cos(rot) - d[..., 1] * np.sin(rot)
    a = np.maximum(np.asarray(semi_major_m, float), 1e-9)
    b = np.maximum(np.asarray(semi_minor_m, float), 1e-9)
    out: np.ndarray = (along[..., None] / a) ** 2 + (across[..., None] / b) ** 2
    return out


def inside_ellipse(
    assessment: Assessment, k: int, lat_deg: float, lon_deg: float, level: float = 0.95
) -> bool:
    """Whether a point lies inside track ``k``'s reported ``level`` impact ellipse."""
    j = ELLIPSE_LEVELS.index(level)
    r2 = ellipse_r2(
        assessment.impact_lat_deg[k],
        assessment.impact_lon_deg[k],
        assessment.ellipse_semi_major_m[k],
        assessment.ellipse_semi_minor_m[k],
        assessment.ellipse_orientation_deg[k],
        lat_deg,
        lon_deg,
    )
    return bool(np.asarray(r2).reshape(-1)[j] <= 1.0)


def east_north_m(
    lat0_deg: ArrayLike, lon0_deg: ArrayLike, lat_deg: ArrayLike, lon_deg: ArrayLike
) -> np.ndarray:
    """(..., 2) east and north offsets (m) of points from origins along the WGS84 geodesic
    (distance and azimuth kept: the local tangent-plane picture of a cloud of points)."""
    lat0, lon0, lat, lon = np.broadcast_arrays(lat0_deg, lon0_deg, lat_deg, lon_deg)
    n = lat.size
    if n < SPLIT_MIN_POINTS:
        az, _, dist = geodesy.inverse(lat0, lon0, lat, lon)
    else:  # two halves at once: pyproj releases the GIL (the numba threads idle meanwhile)
        flat = [np.ravel(a) for a in (lat0, lon0, lat, lon)]
        half = n // 2
        other = frames.side_threads().submit(geodesy.inverse, *(a[half:] for a in flat))
        az0, _, dist0 = geodesy.inverse(*(a[:half] for a in flat))
        az1, _, dist1 = other.result()
        az = np.concatenate([az0, az1]).reshape(lat.shape)
        dist = np.concatenate([dist0, dist1]).reshape(lat.shape)
    az = np.radians(az)
    return np.stack([dist * np.sin(az), dist * np.cos(az)], axis=-1)


#: Points from which :func:`east_north_m` solves its geodesics in two threads.
SPLIT_MIN_POINTS = 4096


def mahalanobis2(assessment: Assessment, k: int, lat_deg: float, lon_deg: float) -> float:
    """Squared Mahalanobis distance of a point from track ``k``'s predicted impact
    distribution (<= 5.991 inside the 95 % ellipse)."""
    d = east_north_m(assessment.impact_lat_deg[k], assessment.impact_lon_deg[k], lat_deg, lon_deg)
    return float(d @ np.linalg.solve(assessment.impact_cov_en_m2[k], d))


def capability_class(r_eci: np.ndarray, v_eci: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Minimum-energy range (m) of the states' energy, and its class index into
    ``RANGE_CLASSES`` per row.

    The specific orbital energy ``v^2/2 - GM/r`` (conserved outside the atmosphere) is carried
    down to the ellipsoid's geocentric radius under the state, and the range is that of the
    minimum-energy arc from there (spherical Earth of that radius).  Every state of a coast
    therefore gives the same capability: the speed at one point alone does not (at the apogee of
    a 3,400 km IRBM it reads about 2,300 km, an MRBM).  Launched from the surface with the
    burnout energy, the figure is a few per cent above the range from the burnout point.
    """
    r = np.linalg.norm(r_eci, axis=-1)
    v = np.linalg.norm(v_eci, axis=-1)
    sin_lat = np.clip(np.asarray(r_eci)[..., 2] / np.where(r > 0, r, 1.0), -1.0, 1.0)
    cos_lat = np.sqrt(1.0 - sin_lat * sin_lat)
    r0 = A_M * B_M / np.hypot(B_M * cos_lat, A_M * sin_lat)  # geocentric radius of the ellipsoid
    v0_sq = v * v + 2.0 * GM_M3_S2 * (1.0 / r0 - 1.0 / np.where(r > 0, r, r0))
    escape = v0_sq >= 2.0 * GM_M3_S2 / r0
    v0 = np.sqrt(np.clip(np.where(escape, 0.0, v0_sq), 0.0, None))
    psi = np.where(escape, np.pi, kepler.max_range_angle(r0, v0))
    reach_m = psi * r0
    limits = np.array([lim for lim, _ in RANGE_CLASSES]) * 1e3
    return reach_m, np.searchsorted(limits, reach_m, side="right")


#: Fewest impacted samples from which the ellipses' radii are the samples' own quantiles
#: (below: the chi-square radii of a Gaussian); the 50 % / 95 % quantiles of 20 samples hold
#: their share to about +-11 / +-5 percentage points (one sigma), of 300 to +-3 / +-1.3.
MIN_QUANTILE_SAMPLES = 20


def level_radii2(d: np.ndarray, ok: np.ndarray, cov_en: np.ndarray) -> np.ndarray:
    """(K, L) squared Mahalanobis radii (under the (K, 2, 2) covariances ``cov_en``) of the
    ellipses holding the ``ELLIPSE_LEVELS`` shares of the samples: the quantiles of the
    samples' own squared distances (``d`` (K, S, 2) offsets from the ellipse centre, ``ok``
    (K, S) the samples that impacted).

    The chi-square radii (1.39 / 5.99) are right only for a Gaussian cloud.  An impact cloud
    is not one: an unmeasured ballistic coefficient spreads it along the track (nearly one
    dimension: chi2(1), whose 50 % radius is 0.45, not 1.39: the chi2(2) 50 % ellipse held 76 %
    of such a cloud) with a skewed, heavy end, and a boosting track's fan of remaining burns
    bends with the Earth's rotation (its short end lay outside the moment ellipse).  Each
    level's ellipse therefore holds that share of the predicted cloud by construction; whether
    the truth falls inside at that rate is the cloud's own honesty (the campaign's
    containment).  Tracks with fewer than :data:`MIN_QUANTILE_SAMPLES` impacted samples keep
    the chi-square radii."""
    levels = np.asarray(ELLIPSE_LEVELS, float)
    chi2 = -2.0 * np.log1p(-levels)
    inv = np.linalg.inv(cov_en)
    d2 = np.where(ok, np.einsum("ksi,kij,ksj->ks", d, inv, d), np.nan)
    out = np.broadcast_to(chi2, (d.shape[0], levels.size)).copy()
    enough = ok.sum(axis=1) >= MIN_QUANTILE_SAMPLES
    if enough.any():
        q = row_nanquantile(d2[enough], levels)  # (k, L)
        out[enough] = np.where(np.isfinite(q) & (q > 0), q, chi2)
    return out


def row_nanquantile(x: np.ndarray, q: np.ndarray) -> np.ndarray:
    """(K, L) quantiles ``q`` (L,) of each row of ``x`` (K, S) ignoring NaN: the numbers of
    ``np.nanquantile(x, q, axis=1).T`` (its default linear method, the same floating-point
    operations: tests/assess/test_impact_reduce.py), from one sort of the whole array instead
    of numpy's loop over rows.  A row of NaN only gives NaN."""
    x = np.sort(x, axis=1)  # NaN last
    n = np.sum(~np.isnan(x), axis=1)[:, None].astype(float)  # (K, 1)
    q = np.asarray(q, float)[None, :]
    # numpy's linear method (its _quantile, _get_indexes and _lerp), operation for operation
    vi = (n - 1.0) * q
    prev = np.floor(vi)
    gamma = vi - prev
    nxt = prev + 1.0
    above = vi >= n - 1.0
    prev[above] = nxt[above] = -1.0  # the last valid value
    below = vi < 0.0
    prev[below] = nxt[below] = 0.0
    last = np.broadcast_to(n - 1.0, vi.shape)
    prev = np.where(prev < 0.0, last, prev)
    nxt = np.where(nxt < 0.0, last, nxt)
    rows = np.arange(x.shape[0])[:, None]
    a = x[rows, np.clip(prev, 0.0, None).astype(np.intp)]
    b = x[rows, np.clip(nxt, 0.0, None).astype(np.intp)]
    diff = b - a
    out = a + diff * gamma
    hi = gamma >= 0.5
    out[hi] = (b - diff * (1.0 - gamma))[hi]
    out[n[:, 0] == 0] = np.nan
    return np.asarray(out, dtype=float)


def _zone_probs(
    kind: np.ndarray, country: np.ndarray, valid: np.ndarray
) -> tuple[tuple[dict[str, float], ...], np.ndarray, np.ndarray]:
    """Per track, the fractions of valid samples in each zone key, and the most probable.

    ``kind`` and ``country`` (K, S) are the integer codes of
    :func:`launchwatch.earth.zones.classify_codes`; a key is ``"high_seas"`` or
    ``"<kind>:<country>"``, the probabilities listed from the most probable down (ties in the
    keys' order).  The samples are counted per distinct code pair in one pass (a handful of
    pairs, not a string per sample)."""
    k_tracks = kind.shape[0]
    kind_f = kind.reshape(-1).astype(np.int64)
    country_f = np.where(kind_f == zones.HIGH_SEAS, 0, country.reshape(-1).astype(np.int64))
    pair = kind_f * (int(country_f.max(initial=0)) + 1) + country_f
    pairs, first, inverse = np.unique(pair, return_index=True, return_inverse=True)
    n_pairs = max(pairs.size, 1)
    table = zones.country_codes()
    names = [
        "high_seas" if k == zones.HIGH_SEAS else f"{zones.KINDS[k]}:{table[c]}"
        for k, c in zip(kind_f[first].tolist(), country_f[first].tolist(), strict=True)
    ]
    slot = (np.arange(k_tracks)[:, None] * n_pairs + inverse.reshape(kind.shape))[valid]
    counts = np.bincount(slot, minlength=k_tracks * n_pairs).reshape(k_tracks, n_pairs)
    probs: list[dict[str, float]] = []
    verdict_kind: list[str] = []
    verdict_country: list[str] = []
    for k in range(k_tracks):  # per track: a handful of distinct zone keys each
        seen = np.flatnonzero(counts[k])
        total = counts[k].sum()
        if total == 0:
            probs.append({})
            verdict_kind.append("unknown")
            verdict_country.append("")
            continue
        row = counts[k]
        order = sorted(seen.tolist(), key=lambda i: (-int(row[i]), str(names[i])))
        probs.append({str(names[i]): round(float(counts[k, i] / total), 4) for i in order})
        best = str(names[order[0]])
        kind_k, _, country_k = best.partition(":")
        verdict_kind.append(kind_k)
        verdict_country.append(country_k)
    return tuple(probs), np.array(verdict_kind), np.array(verdict_country)


def assess(
    tracks: TrackEstimates,
    t_s: float,
    epoch: datetime,
    *,
    n_samples: int = 1000,
    rng: np.random.Generator | int | None = None,
    path_dt_s: float = PATH_DT_S,
) -> Assessment:
    """Predict the impacts of K tracks at time ``t_s`` (see module docstring)."""
    rng = np.random.default_rng(rng)
    k_tracks = int(np.size(tracks.track_id))
    s = int(n_samples)
    if k_tracks == 0 or s < 2:
        raise ValueError("assess needs at least one track and two samples")
    mean, cov = lift.with_lift(tracks.mean, tracks.cov)
    apogee_now = np.fmax(
        np.asarray(tracks.max_height_m, float),
        lift.kepler_apogee_height_m(mean[:, :3], mean[:, 3:6]),
    )
    exo = apogee_now >= lift.ENDO_APOGEE_M
    mean, cov = lift.regime_lift(mean, cov, exo)
    burn_p = _opt(tracks.burn_prob, k_tracks, np.nan)
    burn_p = np.where(np.isfinite(burn_p), burn_p, np.asarray(tracks.boost_prob, float))
    cov = widen_heading(mean, cov, burn_p)
    x = sample_states(mean, cov, s, rng)  # (K, S, 8)
    x[..., 6] = np.clip(x[..., 6], *LOG_BETA_BOUNDS)
    dt = np.asarray(tracks.t_s, float) - float(t_s)  # <= 0: each track's age
    t0 = np.repeat(dt, s)
    r_eci, v_eci = frames.ecef_to_eci(
        x[..., :3].reshape(-1, 3), t0, v_ecef=x[..., 3:6].reshape(-1, 3)
    )
    y0 = np.concatenate([r_eci, v_eci], axis=1)
    mach = lift.mach_number(x[..., :3].reshape(-1, 3), x[..., 3:6].reshape(-1, 3))
    # The path grid must reach the last impact: fly the K means first (cheap) for its length.
    ctrl0 = lift.controls(x[:, 0, 6], np.clip(x[:, 0, 7], 0.0, lift.ELL_MAX), mach[::s])
    means = propagate_states(_UNIT_BODY, y0[::s], t0[::s], ctrl=ctrl0, t_max_s=T_MAX_S, **MC_TOL)
    ell = np.clip(
        x[..., 7] + lift.future_lift_walk(means.t_impact_s - dt, ~exo, s, rng), 0.0, lift.ELL_MAX
    )
    ctrl = lift.controls(x[..., 6].reshape(-1), ell.reshape(-1), mach)
    # While the motor may still burn, samples fly a remaining burn too (.burn).
    speed = np.linalg.norm(mean[:, 3:6], axis=1)
    burning, t_burn, dv = remaining_burn(
        burn_p,
        speed,
        _opt(tracks.t_since_launch_s, k_tracks, np.nan),
        _opt(tracks.accel_m_s2, k_tracks, np.nan),
        _opt(tracks.accel_sigma_m_s2, k_tracks, np.nan),
        s,
        rng,
    )
    burning = burning.reshape(-1)
    if burning.any():
        b = np.flatnonzero(burning)
        ctrl[b] = lift.burn_controls(ctrl[b], t0[b], t_burn.reshape(-1)[b], dv.reshape(-1)[b])
    t_end = np.nanmax(np.where(means.impacted, means.t_impact_s, T_MAX_S))
    t_end = min(T_MAX_S, 1.3 * t_end + 30.0)
    n_path = int(min(PATH_MAX_POINTS, max(8, math.ceil(t_end / path_dt_s) + 1)))
    grid = np.linspace(0.0, t_end, n_path)
    traj = _fly(
        y0, t0, ctrl, burning, t_max_s=T_MAX_S, sample_times_s=grid, sample_positions=True, **MC_TOL
    )
    # The paths' geodetic conversion (~10^6 points) runs on two helper threads, half of the
    # samples each, while this one reduces the impacts (the conversion's numba pass and
    # arctangents release the GIL): both cores stay busy.
    pos = traj.samples_positions
    assert pos is not None  # flown with sample_times_s
    half = pos.shape[1] // 2
    paths = [
        frames.side_threads().submit(
            frames.eci_positions_to_geodetic_deg,
            pos,
            grid,
            FULL_PHYSICS.omega_rad_s,
            rows=rows,
            serial=True,
        )
        for rows in ((0, half), (half, pos.shape[1]))
    ]

    impacted = traj.impacted.reshape(k_tracks, s)
    lat, lon = traj.impact_latlon_deg
    lat = np.where(impacted, lat.reshape(k_tracks, s), np.nan)
    lon = np.where(impacted, lon.reshape(k_tracks, s), np.nan)
    t_imp = traj.t_impact_s.reshape(k_tracks, s) + float(t_s)

    # Mean impact point: the geodesic offsets' mean about the mean-state sample, then back.
    lat0, lon0 = lat[:, 0].copy(), lon[:, 0].copy()
    fallback = np.flatnonzero(np.isnan(lat0))
    if fallback.size:  # the mean-state sample did not land: the samples' median
        lat0[fallback] = np.nanmedian(lat[fallback], axis=1)
        lon0[fallback] = np.nanmedian(lon[fallback], axis=1)
    en = east_north_m(
        lat0[:, None], lon0[:, None], np.nan_to_num(lat, nan=0.0), np.nan_to_num(lon, nan=0.0)
    )
    en[~impacted] = np.nan
    mean_en = np.nanmean(en, axis=1)
    c_lat, c_lon, _ = geodesy.direct(
        lat0,
        lon0,
        np.degrees(np.arctan2(mean_en[:, 0], mean_en[:, 1])),
        np.hypot(mean_en[:, 0], mean_en[:, 1]),
    )
    d = np.nan_to_num(en - mean_en[:, None, :])
    # Clouds far from the mean-state sample (a boosting track's fan spans thousands of km):
    # offsets again about the mean itself, the frame the ellipse is read in (the tangent-plane
    # picture of a 5,000 km cloud depends on where it is drawn from).
    far = np.flatnonzero(
        np.hypot(*mean_en.T) + np.sqrt(np.nanmean(np.sum(d * d, axis=2), 1)) > FAR_CLOUD_M
    )
    if far.size:
        en_f = east_north_m(
            c_lat[far, None],
            c_lon[far, None],
            np.nan_to_num(lat[far], nan=0.0),
            np.nan_to_num(lon[far], nan=0.0),
        )
        en_f[~impacted[far]] = np.nan
        d[far] = np.nan_to_num(en_f - np.nanmean(en_f, axis=1)[:, None, :])
    n_ok = impacted.sum(axis=1)
    cov_en = np.einsum("ksi,ksj->kij", d, d) / np.maximum(n_ok - 1, 1)[:, None, None]
    cov_en += np.eye(2) * 1.0  # 1 m floor: a degenerate cloud still has an ellipse
    # Each level's radius from the samples' own quantiles; the covariance reported is scaled
    # so that its chi-square 95 % ellipse is the 95 % ellipse (mahalanobis2 <= 5.991 inside).
    radii2 = level_radii2(d, impacted, cov_en)
    chi2_top = -2.0 * np.log1p(-ELLIPSE_LEVELS[-1])
    scale = radii2[:, -1] / chi2_top
    cov_en *= scale[:, None, None]
    major, minor, orient = ellipse_axes(cov_en, radii2=radii2 / scale[:, None])

    z_kind, z_country = zones.classify_codes(
        np.nan_to_num(lat, nan=0.0), np.nan_to_num(lon, nan=0.0)
    )
    zone_probs, v_kind, v_country = _zone_probs(z_kind, z_country, impacted)

    # capability: a burning sample's burnout speed is its speed now plus the burn's gain
    v_cap = v_eci * (1.0 + dv.reshape(-1) / np.maximum(np.linalg.norm(v_eci, axis=1), 1.0))[:, None]
    reach_m, cls = capability_class(r_eci, v_cap)
    cls = cls.reshape(k_tracks, s)
    counts = np.stack([(cls == j).sum(axis=1) for j in range(len(RANGE_CLASSES))], axis=1)
    best = np.argmax(counts, axis=1)
    apogee_pred = np.where(np.isfinite(traj.apogee_m), traj.apogee_m, -np.inf)
    apogee_pred = apogee_pred.reshape(k_tracks, s)[:, 0]  # of the estimate itself (sample 0)
    apogee = np.fmax(np.asarray(tracks.max_height_m, float), apogee_pred)
    for part in paths:
        part.result()
    plat, plon, ph = pos
    shape = (k_tracks, s, n_path)

    return Assessment(
        t_s=float(t_s),
        epoch=epoch,
        track_id=np.asarray(tracks.track_id),
        n_samples=s,
        impact_lat_deg=np.asarray(c_lat),
        impact_lon_deg=np.asarray(c_lon),
        impact_t_s=np.nanmean(t_imp, axis=1),
        impact_t_sigma_s=np.nanstd(t_imp, axis=1),
        ellipse_semi_major_m=major,
        ellipse_semi_minor_m=minor,
        ellipse_orientation_deg=orient,
        impact_cov_en_m2=cov_en,
        sample_impact_lat_deg=lat,
        sample_impact_lon_deg=lon,
        zone_probs=zone_probs,
        verdict_kind=v_kind,
        verdict_country=v_country,
        path_t_s=grid + float(t_s),
        path_lat_deg=plat.reshape(shape),
        path_lon_deg=plon.reshape(shape),
        path_h_m=ph.reshape(shape),
        apogee_m=apogee,
        range_class=tuple(RANGE_CLASSES[j][1] for j in best),
        range_class_prob=counts[np.arange(k_tracks), best] / s,
        impact_fraction=n_ok / s,
        boost_prob=burn_p,
        capability_range_m=np.median(reach_m.reshape(k_tracks, s), axis=1),
        lift_to_drag=ell.mean(axis=1),
        lift_sigma=ell.std(axis=1),
        sample_burning=burning.reshape(k_tracks, s),
    )
