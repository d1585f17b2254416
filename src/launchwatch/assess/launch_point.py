"""Launch point and launch time by back-propagation along boost templates.

A ballistic back-propagation of an early track state misses the launch point by tens of
kilometres (the powered flight is not ballistic), so the earliest ascending estimate of a track
(height ``h``, Earth-relative speed ``s``, flight-path angle ``gamma``, ground point and ground
heading) is matched against a fleet of boost templates flown once by the flight core: the
generic one-stage boost (:func:`launchwatch.flight.vehicles.generic_boost`) over burn times of
SRBM to ICBM class, pitch-over (kick) angles from steep to flat, and thrust scales.  Each
template gives, at the first time it climbs through ``h``, its downrange distance ``d`` and its
time since lift-off ``t``; templates are weighted by how well their speed and flight-path angle
at ``h`` match the track's (Gaussian, the track's own uncertainty plus a template-scatter floor),
and the launch point is ``d`` behind the ground point along the reversed ground heading.

Uncertainty comes from Monte Carlo: template draws by weight, the track's position and heading
uncertainty; the result is a mean point, a 95 % ellipse (chi-square 2 dof) and a launch-time
sigma.  Limits: templates are one-stage gravity turns over a non-rotating ground track, so a
multi-stage missile with an unusual pitch program is matched only as well as its speed and angle
resemble one; an estimate from a descending state is not attempted (``nan``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from ..earth import frames, geodesy
from ..earth.arrays import read_only
from ..flight.propagate import make_controls, propagate
from ..flight.vehicles import generic_boost
from .impact import east_north_m, ellipse_axes

#: Template fleet (estimates covering SRBM to ICBM boosts): burn times (s), pitch-over angles
#: (rad from vertical) and thrust scales of the generic boost.
TEMPLATE_BURN_S = (20.0, 30.0, 45.0, 60.0, 85.0, 120.0, 180.0, 250.0)
TEMPLATE_KICK_RAD = tuple(np.linspace(0.03, 0.9, 12))
TEMPLATE_THRUST_SCALE = (0.45, 0.6, 0.8, 1.0)
#: Template-scatter floors of the match: speed (m/s) and flight-path angle (rad).
SIGMA_SPEED_FLOOR_M_S = 120.0
SIGMA_GAMMA_FLOOR_RAD = np.radians(4.0)
TEMPLATE_DT_S = 1.0


@dataclass(frozen=True, slots=True)
class LaunchEstimate:
    """Per track (K,): launch point (deg), 95 % ellipse semi-axes (m) and orientation (deg from
    north), launch time (s after the epoch) and its sigma; NaN where not estimable."""

    lat_deg: np.ndarray
    lon_deg: np.ndarray
    semi_major_95_m: np.ndarray
    semi_minor_95_m: np.ndarray
    orientation_deg: np.ndarray
    t_s: np.ndarray
    t_sigma_s: np.ndarray


@functools.cache
def templates() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(J, T) height (m), downrange (m), speed (m/s), flight-path angle (rad) on a common time
    grid (s since lift-off) of the template fleet, NaN after impact."""
    times = np.arange(0.0, 400.0 + TEMPLATE_DT_S, TEMPLATE_DT_S)
    out = []
    kick, scale = np.meshgrid(TEMPLATE_KICK_RAD, TEMPLATE_THRUST_SCALE)
    for burn in TEMPLATE_BURN_S:  # one vehicle per call; each call flies 48 templates at once
        tr = propagate(
            generic_boost(burn),
            0.0,
            0.0,
            90.0,
            make_controls(kick.size, kick_rad=kick.ravel(), thrust_scale=scale.ravel()),
            sample_times_s=times,
            t_max_s=float(times[-1]),
        )
        out.append(tr.samples_ecef())
    st = np.concatenate(out)  # (J, T, 6), launched from (0, 0) towards the east
    lat, lon, h = frames.ecef_to_geodetic(st[..., :3])
    _, _, d = geodesy.inverse(
        np.zeros_like(lat),
        np.zeros_like(lon),
        np.nan_to_num(np.degrees(lat)),
        np.nan_to_num(np.degrees(lon)),
    )
    d = np.where(np.isnan(h), np.nan, d)
    up = st[..., :3] / np.linalg.norm(st[..., :3], axis=-1, keepdims=True)
    speed = np.linalg.norm(st[..., 3:], axis=-1)
    gamma = np.arcsin(
        np.clip(np.sum(up * st[..., 3:], axis=-1) / np.maximum(speed, 1e-9), -1.0, 1.0)
    )
    read_only(times, h, d, speed, gamma)  # cached: shared by every caller
    return times, h, d, speed, gamma


def _first_crossing(h_tab: np.ndarray, h: np.ndarray) -> np.ndarray:
    """For each of K heights and J templates: fractional time index of the first upward
    crossing of ``h`` (NaN if never): (K, J)."""
    above = h_tab[None, :, :] >= h[:, None, None]  # (K, J, T)
    idx = np.argmax(above, axis=2)
    found = above.any(axis=2) & (idx > 0)
    i1 = np.maximum(idx, 1)
    h0 = np.take_along_axis(h_tab[None], (i1 - 1)[..., None], axis=2)[..., 0]
    h1 = np.take_along_axis(h_tab[None], i1[..., None], axis=2)[..., 0]
    frac = (h[:, None] - h0) / np.where(h1 > h0, h1 - h0, 1.0)
    return np.where(found, i1 - 1 + np.clip(frac, 0.0, 1.0), np.nan)


def _at(tab: np.ndarray, fidx: np.ndarray) -> np.ndarray:
    """Linear interpolation of (J, T) ``tab`` at (K, J) fractional indices."""
    ok = np.isfinite(fidx)
    f = np.where(ok, fidx, 0.0)
    i0 = np.floor(f).astype(int)
    i1 = np.minimum(i0 + 1, tab.shape[1] - 1)
    w = f - i0
    j = np.arange(tab.shape[0])[None, :]
    val = tab[j, i0] * (1.0 - w) + tab[j, i1] * w
    return np.where(ok, val, np.nan)


def estimate_launch(
    t_s: ArrayLike,
    mean: ArrayLike,
    cov: ArrayLike,
    rng: np.random.Generator | int | None = None,
    n_draws: int = 500,
) -> LaunchEstimate:
    """Launch points of K tracks from their earliest estimates: times (K,) s after the epoch,
    ECEF means (K, >=6) and covariances (K, >=6, >=6)."""
    rng = np.random.default_rng(rng)
    mean = np.atleast_2d(np.asarray(mean, float))[:, :6]
    cov = np.asarray(cov, float).reshape(mean.shape[0], *np.shape(cov)[-2:])[:, :6, :6]
    k = mean.shape[0]
    times, h_tab, d_tab, s_tab, g_tab = templates()
    r, v = mean[:, :3], mean[:, 3:]
    lat, lon, h = frames.ecef_to_geodetic(r)
    enu = frames.enu_matrix(lat, lon)  # (K, 3, 3) rows east, north, up
    v_enu = np.einsum("kij,kj->ki", enu, v)
    speed = np.linalg.norm(v, axis=1)
    gamma = np.arcsin(np.clip(v_enu[:, 2] / np.maximum(speed, 1e-9), -1.0, 1.0))
    heading = np.degrees(np.arctan2(v_enu[:, 0], v_enu[:, 1]))
    horiz = np.hypot(v_enu[:, 0], v_enu[:, 1])
    cov_v_enu = np.einsum("kij,kjl,kml->kim", enu, cov[:, 3:, 3:], enu)
    sig_s = np.sqrt(
        np.clip(
            np.einsum("ki,kij,kj->k", v / speed[:, None], cov[:, 3:, 3:], v / speed[:, None]),
            0.0,
            None,
        )
    )
    sig_g = np.sqrt(np.clip(cov_v_enu[:, 2, 2], 0.0, None)) / np.maximum(speed, 1.0)
    sig_az = np.sqrt(np.clip(cov_v_enu[:, 0, 0] + cov_v_enu[:, 1, 1], 0.0, None)) / np.maximum(
        horiz, 1.0
    )

    fidx = _first_crossing(h_tab, h)  # (K, J)
    d_j, t_j = _at(d_tab, fidx), _at(times[None, :].repeat(h_tab.shape[0], 0), fidx)
    s_j, g_j = _at(s_tab, fidx), _at(g_tab, fidx)
    ss = np.hypot(sig_s, SIGMA_SPEED_FLOOR_M_S)[:, None]
    sg = np.hypot(sig_g, SIGMA_GAMMA_FLOOR_RAD)[:, None]
    logw = -0.5 * (((speed[:, None] - s_j) / ss) ** 2 + ((gamma[:, None] - g_j) / sg) ** 2)
    logw = np.where(np.isfinite(logw), logw, -np.inf)
    usable = np.isfinite(logw).any(axis=1) & (gamma > 0.0)
    logw = np.where(usable[:, None], logw, 0.0)
    w = np.exp(logw - logw.max(axis=1, keepdims=True))
    w = np.where(np.isfinite(d_j), w, 0.0)
    w /= np.maximum(w.sum(axis=1, keepdims=True), 1e-300)

    # Monte Carlo: template by weight, ground point and heading from the track's uncertainty.
    cdf = np.cumsum(w, axis=1)
    pick = np.minimum(
        (rng.random((k, n_draws))[..., None] > cdf[:, None, :]).sum(-1), w.shape[1] - 1
    )
    d = np.take_along_axis(np.nan_to_num(d_j), pick, axis=1)
    t_back = np.take_along_axis(np.nan_to_num(t_j), pick, axis=1)
    cov_r_enu = np.einsum("kij,kjl,kml->kim", enu, cov[:, :3, :3], enu)
    pos_std = np.sqrt(np.clip(0.5 * (cov_r_enu[:, 0, 0] + cov_r_enu[:, 1, 1]), 0.0, None))
    az = heading[:, None] + np.degrees(sig_az)[:, None] * rng.standard_normal((k, n_draws))
    g_lat, g_lon = np.degrees(lat), np.degrees(lon)
    jitter_az = rng.uniform(0.0, 360.0, (k, n_draws))
    jitter_d = pos_std[:, None] * np.sqrt(-2.0 * np.log1p(-rng.random((k, n_draws))))
    s_lat, s_lon, _ = geodesy.direct(
        np.broadcast_to(g_lat[:, None], (k, n_draws)),
        np.broadcast_to(g_lon[:, None], (k, n_draws)),
        jitter_az,
        jitter_d,
    )
    l_lat, l_lon, _ = geodesy.direct(s_lat, s_lon, az + 180.0, d)
    # Mean and east-north covariance about the mean launch point.
    m_lat, m_lon = np.mean(l_lat, axis=1), np.mean(l_lon, axis=1)
    en = east_north_m(m_lat[:, None], m_lon[:, None], l_lat, l_lon)
    c = np.einsum("kni,knj->kij", en, en) / (n_draws - 1) + np.eye(2)

    major, minor, orient = ellipse_axes(c, levels=(0.95,))
    t_launch = np.asarray(t_s, float) - np.mean(t_back, axis=1)
    nan = np.where(usable, 1.0, np.nan)
    return LaunchEstimate(
        lat_deg=m_lat * nan,
        lon_deg=m_lon * nan,
        semi_major_95_m=major[:, 0] * nan,
        semi_minor_95_m=minor[:, 0] * nan,
        orientation_deg=orient * nan,
        t_s=t_launch * nan,
        t_sigma_s=np.std(t_back, axis=1) * nan,
    )
