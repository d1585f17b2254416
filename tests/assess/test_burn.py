"""Boost-phase predictions say how little they know: samples that may still burn fly a remaining
burn (assess/burn.py), so a state in mid-boost no longer excludes the truth with a small
ellipse -- where the same state flown ballistic does (the confidently wrong answer)."""

from datetime import UTC, datetime

import numpy as np
import pytest

from launchwatch.assess.burn import catalog_burn_times_s, remaining_burn
from launchwatch.assess.impact import TrackEstimates, assess, mahalanobis2
from launchwatch.earth.constants import GM_M3_S2
from launchwatch.flight.propagate import propagate
from launchwatch.flight.shaping import shape
from launchwatch.flight.vehicles import vehicle_model

EPOCH = datetime(2017, 8, 28, 20, 58, tzinfo=UTC)
SUNAN = (39.22389, 125.67)


@pytest.fixture(scope="module")
def irbm():
    """A Hwasong-12 from Sunan, 2,700 km to the east-north-east (the 2017-08-29 overflight's
    figures): ECEF states at 50 and 51 s (boosting; burnout at 85 s) and the truth impact."""
    shot = shape(vehicle_model("Hwasong-12"), *SUNAN, 2.7e6, 75.0, trajectory="min-energy")
    t = np.array([50.0, 51.0])
    tr = propagate(shot.vehicle, *SUNAN, shot.launch_azimuth_deg, shot.ctrl[None], sample_times_s=t)
    lat, lon = shot.result.impact_latlon_deg
    return tr.samples_ecef()[0], (float(lat[0]), float(lon[0]))


def _estimate(state, *, burn_prob, accel, accel_sigma=5.0, t_since_launch=50.0):
    cov = np.diag([300.0**2] * 3 + [30.0**2] * 3 + [0.3**2])
    return TrackEstimates(
        track_id=np.array([1]),
        t_s=np.array([0.0]),
        mean=np.concatenate([state, [np.log(3000.0)]])[None],
        cov=cov[None],
        boost_prob=np.array([burn_prob]),
        max_height_m=np.array([np.nan]),
        burn_prob=np.array([burn_prob]),
        t_since_launch_s=np.array([t_since_launch]),
        accel_m_s2=np.array([accel]),
        accel_sigma_m_s2=np.array([accel_sigma]),
    )


def _thrust_accel(states):
    """Thrust acceleration along the velocity from two states 1 s apart (speed slope plus
    gravity's loss), as the assessment run measures it from a track."""
    r, v = states[0, :3], states[0, 3:]
    sin_g = r @ v / (np.linalg.norm(r) * np.linalg.norm(v))
    dv = np.linalg.norm(states[1, 3:]) - np.linalg.norm(v)
    return dv + GM_M3_S2 / (r @ r) * sin_g


def test_boosting_state_covers_the_truth_where_ballistic_excludes_it(irbm):
    states, (lat, lon) = irbm
    a0 = _thrust_accel(states)
    assert 30.0 < a0 < 120.0
    ballistic = assess(_estimate(states[0], burn_prob=0.0, accel=a0), 0.0, EPOCH, rng=1)
    burning = assess(_estimate(states[0], burn_prob=1.0, accel=a0), 0.0, EPOCH, rng=1)
    # the lower bound: far short, with an ellipse that excludes the truth
    assert mahalanobis2(ballistic, 0, lat, lon) > 30.0
    assert ballistic.ellipse_semi_major_m[0, 1] < 300e3
    # the fan: the truth inside the 95 % ellipse, which is wide (it spans the remaining burn)
    assert mahalanobis2(burning, 0, lat, lon) <= 5.991
    assert burning.ellipse_semi_major_m[0, 1] > 500e3
    # and the class is no longer a lower bound only: IRBM or beyond on most samples
    assert burning.capability_range_m[0] > ballistic.capability_range_m[0]


def test_remaining_burn_draws():
    rng = np.random.default_rng(3)
    cat = catalog_burn_times_s()
    assert cat.min() < 40.0 and cat.max() > 300.0  # SRBM motors to ICBM stacks
    n = 4000
    burning, t_rem, dv = remaining_burn(
        np.array([0.0, 0.5, 1.0, 1.0]),
        np.array([2000.0, 2000.0, 2000.0, 7000.0]),
        np.array([60.0, 60.0, 60.0, 60.0]),
        np.array([40.0, 40.0, np.nan, 40.0]),
        np.array([5.0, 5.0, np.nan, 5.0]),
        n,
        rng,
    )
    assert not burning[:, 0].any()  # the mean never burns
    assert not burning[0].any() and abs(burning[1].mean() - 0.5) < 0.03 and burning[2, 1:].all()
    assert (t_rem[~burning] == 0).all() and (dv[~burning] == 0).all()
    # burns still alive at 60 s: remaining times from the catalog (x0.8-1.25), none negative
    assert (t_rem >= 0).all() and t_rem[2].max() <= 1.25 * cat.max() - 60.0 + 1e-9
    # speed gains bounded by the rocket equation's cap and by an ICBM's burnout speed
    assert dv.max() <= -310.0 * 9.80665 * np.log(0.15) + 1e-6
    assert (2000.0 + dv[2]).max() <= 7300.0 + 1e-6 and dv[3].max() <= 300.0 + 1e-6
