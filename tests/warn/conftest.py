"""Synthetic Assessments for the warning tests: geodesic ground paths with noisy impact points."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from launchwatch.assess.assessment import Assessment
from launchwatch.earth import geodesy
from launchwatch.pipeline.chain import chain_policy, run_chain
from launchwatch.sense.scenario import load_scenario
from launchwatch.track.history import history_dtype

EPOCH = datetime(2017, 8, 28, 20, 57, 0, tzinfo=UTC)  # 05:57 JST, 2017-08-29
SUNAN = (39.03, 125.67)  # Pyongyang Sunan airport (public reports of the 2017-08-29 launch)
DATA = Path(__file__).parent / "data"


def make_assessment(
    t_s,
    launch,
    impacts,
    flight_time_s,
    *,
    track_id=1,
    dt_s=5.0,
    apogee_m=550e3,
    impact_t_jitter=None,
):
    """One-track Assessment at ``t_s``: sample s flies the geodesic from ``launch`` to
    ``impacts[s]`` (lat, lon deg) at uniform ground speed, landing at ``flight_time_s`` (+jitter).
    """
    impacts = np.asarray(impacts, float).reshape(-1, 2)
    S = impacts.shape[0]
    T = np.full(S, float(flight_time_s)) + (0 if impact_t_jitter is None else impact_t_jitter)
    lat0 = np.full(S, launch[0])
    lon0 = np.full(S, launch[1])
    az, _, dist = geodesy.inverse(lat0, lon0, impacts[:, 0], impacts[:, 1])
    t_grid = np.arange(t_s, T.max() + dt_s, dt_s) if t_s < T.max() else np.array([t_s])
    t_grid[-1] = max(min(t_grid[-1], T.max()), t_s)
    frac = t_grid[None, :] / T[:, None]
    lat, lon, _ = geodesy.direct(
        np.repeat(lat0[:, None], t_grid.size, 1),
        np.repeat(lon0[:, None], t_grid.size, 1),
        np.repeat(az[:, None], t_grid.size, 1),
        dist[:, None] * np.minimum(frac, 1.0),
    )
    h = 4 * apogee_m * frac * (1 - frac)
    gone = frac > 1.0 + 1e-12
    lat, lon, h = (np.where(gone, np.nan, v) for v in (lat, lon, h))
    # impact statistics in a local east-north plane at the mean impact point
    mlat, mlon = impacts[:, 0].mean(), impacts[:, 1].mean()
    e = np.radians(impacts[:, 1] - mlon) * 6371e3 * np.cos(np.radians(mlat))
    n = np.radians(impacts[:, 0] - mlat) * 6371e3
    cov = np.cov(np.stack([e, n])) if S > 1 else np.eye(2)
    w, v = np.linalg.eigh(cov + np.eye(2) * 1.0)
    major = v[:, 1]
    orient = np.degrees(np.arctan2(major[0], major[1])) % 180.0
    semi_major = np.sqrt(w[1]) * np.sqrt([1.386, 5.991])
    semi_minor = np.sqrt(w[0]) * np.sqrt([1.386, 5.991])
    return Assessment(
        t_s=float(t_s),
        epoch=EPOCH,
        track_id=np.array([track_id]),
        n_samples=S,
        impact_lat_deg=np.array([mlat]),
        impact_lon_deg=np.array([mlon]),
        impact_t_s=np.array([T.mean()]),
        impact_t_sigma_s=np.array([T.std()]),
        ellipse_semi_major_m=semi_major[None],
        ellipse_semi_minor_m=semi_minor[None],
        ellipse_orientation_deg=np.array([orient]),
        impact_cov_en_m2=cov[None],
        sample_impact_lat_deg=impacts[None, :, 0],
        sample_impact_lon_deg=impacts[None, :, 1],
        zone_probs=({"high_seas": 1.0},),
        verdict_kind=np.array(["high_seas"]),
        verdict_country=np.array([""]),
        path_t_s=t_grid,
        path_lat_deg=lat[None],
        path_lon_deg=lon[None],
        path_h_m=h[None],
    )


def noisy_impacts(center, sigma_m, n, rng):
    """``n`` impact points around ``center`` (lat, lon) with isotropic sigma (m)."""
    az = rng.uniform(0, 360, n)
    r = np.abs(rng.normal(0, sigma_m, n)) * np.sqrt(2)
    lat, lon, _ = geodesy.direct(np.full(n, center[0]), np.full(n, center[1]), az, r)
    return np.stack([lat, lon], axis=1)


@pytest.fixture
def rng():
    return np.random.default_rng(20170829)


@pytest.fixture
def epoch():
    return EPOCH + timedelta(0)


def truth_rows(truth, times_s, boost=0.95):
    """Confirmed track rows exactly on the truth at ``times_s`` (1 km, 60 m/s sigma) with the
    boost model's probability ``boost``: the corridor's input without a tracker."""
    rows = np.zeros(len(times_s), history_dtype(3))
    for i, t in enumerate(times_s):
        rows[i]["state"] = truth.at(float(t))[0]
    rows["t_s"] = times_s
    rows["track_id"] = 1
    rows["cov"] = np.diag([1e6] * 3 + [3600.0] * 3)
    rows["mu"] = np.array([1.0 - boost, boost, 0.0])
    rows["confirmed"] = True
    return rows


def no_threat(n_areas):
    """A threat of one track over ``n_areas`` areas with nothing predicted: the ballistic
    side of the corridor's blend, empty."""
    return {
        "p_over": np.zeros((1, n_areas)),
        "p_fall": np.zeros((1, n_areas)),
        "ellipse": np.zeros((1, n_areas), bool),
        "t_entry_s": np.full((1, n_areas), np.nan),
        "t_exit_s": np.full((1, n_areas), np.nan),
    }


def campaign_chain(name: str, p_issue: float):
    """``(scenario, chain run)`` of a campaign engagement saved under ``data/`` (``name``.yaml),
    run with the campaign's warning settings (its header: ``p_issue``; keep 0.03, the 100 km
    ellipse rule, a 5 s assessment interval, 300 samples)."""
    sc = load_scenario(DATA / f"{name}.yaml")
    policy = chain_policy(sc.seed, p_issue=p_issue, p_keep=0.03, max_ellipse_m=100e3)
    return sc, run_chain(sc, interval_s=5.0, n_samples=300, policy=policy)
