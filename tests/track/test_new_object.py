"""The association's "new object" alternative (track/newobject.py): a detection that fits a
young track only moderately while an earlier unassociated detection says another object is
rising behind it starts a new track instead of being taken."""

import numpy as np
import pytest

from launchwatch.earth.frames import geodetic_to_ecef
from launchwatch.earth.gravity import gravity_j2
from launchwatch.sense.geometry import aer_from
from launchwatch.sense.records import DETECTION_DTYPE
from launchwatch.track import history as hist
from launchwatch.track.ekf import EKF
from launchwatch.track.measure import Measurements
from launchwatch.track.newobject import join_edges, new_object_cost
from launchwatch.track.tracker import Tracker, TrackerConfig

SITE = geodetic_to_ecef(np.radians(37.0), np.radians(127.5), 100.0)
R0 = geodetic_to_ecef(np.radians(39.8), np.radians(125.8), 30e3)
_UP = R0 / np.linalg.norm(R0)
_EAST = np.cross([0.0, 0.0, 1.0], _UP) / np.linalg.norm(np.cross([0.0, 0.0, 1.0], _UP))
V0 = 1200.0 * (0.8 * _EAST + 0.6 * _UP)  # m/s, climbing east
ACC = gravity_j2(R0[None])[0] + 30.0 * V0 / np.linalg.norm(V0)  # gravity + 30 m/s^2 thrust
SIGMA = (150.0, 2e-3, 2e-3, 20.0)  # range m, az rad, el rad, range rate m/s (a coarse radar)


def _state(t):
    return R0 + V0 * t + 0.5 * ACC * t * t, V0 + ACC * t


def _scan(objs, t):
    """Noise-free detections at ``t`` of objects ``(id, launch delay s)`` on one path."""
    out = np.zeros(len(objs), DETECTION_DTYPE)
    for i, (oid, delay) in enumerate(objs):
        r, v = _state(t - delay)
        rng, az, el = aer_from(SITE, r[None])
        d = r - SITE
        out[i]["z"] = (rng[0], az[0], el[0], d @ v / np.linalg.norm(d))
        out[i]["det_id"] = int(round(t * 100)) * 10 + oid
    out["sigma"], out["sensor"], out["kind"], out["t_s"] = SIGMA, "R", "radar", t
    out["sensor_ecef_m"] = SITE
    return out


def _train(alternative: bool, delay: float) -> np.ndarray:
    """Object 0 tracked from 0 s (4 s scans); object 1, ``delay`` s behind on the same path,
    first seen at 8 s; at 12 s the radar misses object 0.  The last ledger rows.  Without the
    deferred decision (launchwatch.track.hold): the stream ends at 12 s, a held detection
    would still be pending, and this file tests the one-scan rule alone."""
    tr = Tracker(TrackerConfig(new_object_alternative=alternative, hold_young=False))
    for t, objs in [(0, [(0, 0)]), (4, [(0, 0)]), (8, [(0, 0), (1, delay)]), (12, [(1, delay)])]:
        tr.step(_scan(objs, float(t)))
    led = tr.ledger()
    return led[np.isin(led["det_id"], [8001, 12001])]


def test_train_neighbour_starts_a_track_instead_of_being_taken():
    led = _train(True, 2.0)
    assert (led["outcome"] == hist.STARTED).all(), led
    assert (led["track_id"] == led["track_id"][0]).all() and led["track_id"][0] != 1, led


def test_without_the_alternative_the_young_track_takes_the_neighbour():
    """The control: plain GNN gives object 1's detection (2.4 km behind) to object 0's track."""
    led = _train(False, 2.0)
    late = led[led["det_id"] == 12001][0]
    assert late["outcome"] == hist.UPDATED and late["track_id"] == 1, led


@pytest.mark.parametrize("alternative", [False, True])
def test_own_object_close_behind_still_updates(alternative):
    """A detection 1 s behind the prediction (1.2 km) is the track's own: kept either way."""
    led = _train(alternative, 1.0)
    late = led[led["det_id"] == 12001][0]
    assert late["outcome"] == hist.UPDATED and late["track_id"] == 1


def test_join_edges_matches_a_double_loop():
    rng = np.random.default_rng(3)
    ed, pd = rng.integers(0, 6, 40), rng.integers(0, 8, 15)
    e, p = join_edges(ed, pd)
    want = sorted((i, j) for i in range(ed.size) for j in range(pd.size) if ed[i] == pd[j])
    assert sorted(zip(e.tolist(), p.tolist(), strict=True)) == want


def _meas(t, delay):
    return Measurements.from_detections(_scan([(1, delay)], t))


def test_cost_prefers_the_explanation_that_predicts_the_detection():
    """A track 2.4 km ahead of the detection against a partner detection 4 s earlier on the
    detection's own object: the new object is the better explanation; a partner on the track's
    own object (its earlier position) is the worse one; no partner: inf."""
    r, v = _state(12.0)
    x = np.concatenate([r, v, [np.log(6000.0)]])[None]
    P = np.diag([1500.0**2] * 3 + [300.0**2] * 3 + [0.5])[None]
    meas = _meas(12.0, 2.0)
    d2, logdet, _ = EKF().gate(x, P, meas, rows=np.zeros(1, np.int64))
    own = (d2 + logdet)[0]
    cov = np.diag([200.0**2] * 3)[None]
    p_new = (np.zeros(1, np.int64), _state(8.0 - 2.0)[0][None], cov, np.array([8.0]))
    p_old = (np.zeros(1, np.int64), _state(8.0)[0][None], cov, np.array([8.0]))
    rows, t = np.zeros(1, np.int64), np.array([12.0])
    alt_new = new_object_cost(x, P, rows, t, p_new, EKF(), meas)[0]
    alt_old = new_object_cost(x, P, rows, t, p_old, EKF(), meas)[0]
    assert alt_new < own < alt_old
    none = (np.array([5]), p_new[1], cov, np.array([8.0]))
    assert np.isinf(new_object_cost(x, P, rows, t, none, EKF(), meas)[0])
