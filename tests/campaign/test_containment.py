"""Containment as the campaign scores it: the reported ellipses (not chi-square radii on a
covariance), the truth's rank among the predicted samples, and the first predictions."""

import types

import numpy as np
import pytest

from launchwatch.campaign.report import first_predictions, inside
from launchwatch.campaign.score import _sample_rank
from launchwatch.earth import geodesy


def test_inside_reads_the_reported_ellipses_and_falls_back_to_chi_square():
    ass = {"r2_50": [0.5, 1.5, 3.0], "r2_95": [0.2, 0.6, 1.2], "d2": [0.1, 0.1, 0.1]}
    assert inside(ass, 0.5).tolist() == [True, False, False]
    assert inside(ass, 0.95).tolist() == [True, True, False]
    old = {"d2": [1.0, 2.0, 7.0]}  # records written before the r2 columns
    assert inside(old, 0.5).tolist() == [True, False, False]
    assert inside(old, 0.95).tolist() == [True, True, False]


def test_first_predictions_count_those_excluding_the_truth():
    mis = {
        "first_in95": [True, False, False, True],
        "first_error_km": [1.0, 250.0, 40.0, None],
        "first_semi_major_95_km": [5.0, 30.0, 400.0, None],
        "first_regime": ["exo", "boost", "glide", ""],
    }
    f = first_predictions(mis)
    assert f["n"] == 3
    assert f["truth_in_95"] == pytest.approx(1 / 3, abs=1e-3)
    assert f["excluding_truth"] == 2
    assert f["excluding_error_km_max"] == 250.0
    assert f["excluding_semi_major_95_km_min"] == 30.0
    assert f["excluding_by_regime"] == {"boost": 1, "glide": 1}


def test_sample_rank_is_the_share_of_samples_nearer_than_the_truth():
    """Samples on a line east of the centre at 1..100 km with a round covariance: a truth at
    30.5 km east has 30 samples nearer; a NaN sample (not impacted) does not count."""
    lat0, lon0 = 40.0, 135.0
    dist = np.arange(1.0, 101.0) * 1e3
    lat, lon, _ = geodesy.direct(np.full(100, lat0), np.full(100, lon0), 90.0, dist)
    lat, lon = lat.copy(), lon.copy()
    lat[99] = lon[99] = np.nan
    a = types.SimpleNamespace(
        impact_lat_deg=np.array([lat0]),
        impact_lon_deg=np.array([lon0]),
        sample_impact_lat_deg=lat[None],
        sample_impact_lon_deg=lon[None],
    )
    cov = np.eye(2)[None] * 1e6
    d2 = np.array([(30.5e3) ** 2 / 1e6])
    rank = _sample_rank(a, np.array([0]), cov, d2)
    assert rank[0] == pytest.approx(30 / 99)
