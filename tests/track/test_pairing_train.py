"""Two-point pairing in a salvo train (issue 14): a missile missed on a scan is not paired with
the train-mate that reached its place a scan later.

Missiles of one site launched seconds apart fly one path shifted in time.  When a radar misses a
missile on its next scan, the missile launched about one revisit later may be seen where the
first one was: a pair with an implied speed near zero.  Its range change still has to match the
trapezoid of the two range rates (launchwatch.track.initiate.PendingPool.pair), and the two
range rates say the object moves towards the radar at 120-160 m/s while the range hardly
changed.  The jerk allowance of that test (tracker.INIT_MAX_JERK_M_S3, measured on same-missile
pairs) now rejects the pair (d^2 41 against 36); at the earlier 30 m/s^3 it passed (d^2 9.3) and the
wrong start took neighbours' detections (campaign dense-salvos seed 1, engagement 4: 1 swap;
seed 1 engagement 8, seed 5 engagements 0 and 6: breaks).

The detections below are GreenPine-Jincheon's on that engagement (scans at 20.04, 24.04 and
28.04 s; missile 0 missed at 24.04 and 28.04, missile 2 is two launches behind it on one path).
"""

import numpy as np
import pytest

from launchwatch.sense.records import DETECTION_DTYPE
from launchwatch.track.initiate import PendingPool
from launchwatch.track.measure import Measurements
from launchwatch.track.tracker import TrackerConfig

SENSOR_ECEF = (-3106275.9037164524, 4056967.143198654, 3805171.5542866895)
SIGMA = (50.0, 3.0e-3, 3.0e-3, 3.0)
# (missile, time s, range m, azimuth rad, elevation rad, range rate m/s)
M0_20 = (0, 20.041, 324507.3, 5.808526, 0.0216123, -118.91)
M2_24 = (2, 24.041, 324490.6, 5.800574, 0.0175907, -157.43)
M1_24 = (1, 24.041, 340180.8, 5.914971, 0.0261365, -233.20)
M1_28 = (1, 28.041, 339320.4, 5.930255, 0.0449638, -183.68)
M2_28 = (2, 28.041, 324053.5, 5.816873, 0.0379529, -101.79)


def _frame(rows):
    det = np.zeros(len(rows), DETECTION_DTYPE)
    for k, (m, t, *z) in enumerate(rows):
        det[k]["det_id"] = 100 * m + k
        det[k]["sensor"] = "GreenPine-Jincheon"
        det[k]["kind"] = "radar"
        det[k]["t_s"] = t
        det[k]["z"] = z
        det[k]["sigma"] = SIGMA
        det[k]["sensor_ecef_m"] = SENSOR_ECEF
    return det


def _pairs(first, second, cfg):
    """(missile of the pending detection, missile of the new one) for every pair made."""
    pool = PendingPool(DETECTION_DTYPE)
    pool.new_frame(0)
    d1 = _frame(first)
    pos, cov = Measurements.from_detections(d1).position_ecef()
    pool.add(d1, pos, np.sqrt(np.trace(cov, axis1=1, axis2=2)), 0, np.arange(d1.size))
    pool.new_frame(0)
    d2 = _frame(second)
    pos, cov = Measurements.from_detections(d2).position_ecef()
    pi, ni = pool.pair(
        pos,
        np.sqrt(np.trace(cov, axis1=1, axis2=2)),
        d2,
        0,
        max_speed_m_s=cfg.init_max_speed_m_s,
        n_sigma=cfg.coarse_sigma,
        max_jerk_m_s3=cfg.init_max_jerk_m_s3,
        turn_accel_m_s2=cfg.init_turn_accel_m_s2,
    )
    return sorted(
        (int(d1["det_id"][p]) // 100, int(d2["det_id"][n]) // 100)
        for p, n in zip(pi, ni, strict=True)
    )


def test_missed_missile_is_not_paired_with_the_train_mate_in_its_place():
    assert _pairs([M0_20], [M2_24, M1_24], TrackerConfig()) == []
    # the earlier allowance paired them (the mechanism this guards against)
    assert _pairs([M0_20], [M2_24, M1_24], TrackerConfig(init_max_jerk_m_s3=30.0)) == [(0, 2)]


@pytest.mark.parametrize("jerk", [None, 30.0])
def test_same_missile_pairs_still_form(jerk):
    cfg = TrackerConfig() if jerk is None else TrackerConfig(init_max_jerk_m_s3=jerk)
    assert _pairs([M2_24, M1_24], [M1_28, M2_28], cfg) == [(1, 1), (2, 2)]
