"""Deferred decision for a young track's doubtful detection (launchwatch.track.hold): the two
hypotheses' costs against a brute-force enumeration, and what they decide in the two cases that
matter (a salvo's next missile seen again; a single missile whose own detection was doubtful)."""

import itertools
import math

import numpy as np
import pytest
from test_new_object import _scan

from launchwatch.sense.records import DETECTION_DTYPE
from launchwatch.track import history as hist
from launchwatch.track.hold import Holds, hypothesis_costs
from launchwatch.track.tracker import Tracker, TrackerConfig

PD = 0.9
MISS, HIT = -2.0 * math.log(1.0 - PD), -2.0 * math.log(PD)


def _brute(c1, c_a, c_b, c_n, birth):
    """Every hypothesis spelt out: each detection of the next frame is the track's, the new
    object's (H_b only) or a birth (cost ``birth``); misses cost ``MISS``."""
    u = c_a.size
    best_a = math.inf
    for j in [None, *range(u)]:
        cost = c1 + HIT + (MISS if j is None else c_a[j] + HIT)
        cost += birth * (u - (j is not None))
        best_a = min(best_a, cost)
    best_b = math.inf
    for jb, jn in itertools.product([None, *range(u)], repeat=2):
        if jb is not None and jb == jn:
            continue
        cost = MISS + birth  # the track missed, the held detection is a birth
        cost += MISS if jb is None else c_b[jb] + HIT
        cost += MISS if jn is None else c_n[jn] + HIT
        cost += birth * (u - (jb is not None) - (jn is not None))
        best_b = min(best_b, cost)
    return best_a, best_b


@pytest.mark.parametrize("seed", range(6))
def test_costs_match_an_enumeration_of_every_hypothesis(seed):
    rng = np.random.default_rng(seed)
    k, u = 5, 4
    c1 = rng.uniform(-8, 14, k)
    c_a, c_b, c_n = (rng.uniform(-8, 20, (k, u)) for _ in range(3))
    for c in (c_a, c_b, c_n):  # some detections outside a gate
        c[rng.random((k, u)) < 0.3] = np.inf
    c_b[0], c_n[0] = 1.0, 1.0  # track and new object like one detection best
    birth = rng.uniform(0.0, 45.0, k)
    h_a, h_b = hypothesis_costs(c1, c_a, c_b, c_n, birth, PD)
    for i in range(k):
        a, b = _brute(c1[i], c_a[i], c_b[i], c_n[i], birth[i])
        # costs are defined up to terms common to both hypotheses: compare the differences
        assert h_b[i] - h_a[i] == pytest.approx(b - a, abs=1e-9)


def test_a_salvo_neighbour_seen_again_is_a_new_object():
    """The held detection (cost 13.9) was the next missile's first sighting: at the next scan
    the track without it takes its own missile (cost -2) and a new object started at it takes
    the neighbour (cost -1); the track updated with it explains neither well."""
    c1 = np.array([13.9])
    c_a = np.array([[np.inf, 9.0]])
    c_b = np.array([[-2.0, 12.0]])
    c_n = np.array([[15.0, -1.0]])
    h_a, h_b = hypothesis_costs(c1, c_a, c_b, c_n, np.array([42.0]), PD)
    assert h_b[0] < h_a[0]


def test_a_single_missiles_doubtful_detection_stays_its_own():
    """A boosting missile's own detection at cost 14 under its young track (the boost model's
    wide mixture): at the next scan only the missile is seen again; explaining the held
    detection as a new object leaves that object unseen and a birth unexplained."""
    c1 = np.array([14.0])
    c_a = np.array([[-3.0]])
    c_b = np.array([[4.0]])
    c_n = np.array([[6.0]])
    h_a, h_b = hypothesis_costs(c1, c_a, c_b, c_n, np.array([42.0]), PD)
    assert h_a[0] < h_b[0]


def test_holds_store_keeps_rows_together():
    h = Holds()
    det = np.zeros(3, DETECTION_DTYPE)
    det["t_s"] = [1.0, 2.0, 3.0]
    h.add(np.array([7, 8, 9]), det, np.array([10, 11, 12]), 2, np.array([5.0, 6.0, 7.0]))
    out = h.take(np.array([False, True, False]))
    assert out["track_id"].tolist() == [8] and out["ledger"].tolist() == [11]
    assert out["t_s"].tolist() == [2.0] and out["sensor"].tolist() == [2]
    assert h.track_id.tolist() == [7, 9] and h.cost.tolist() == [5.0, 7.0] and len(h) == 2


def _first_sighting(hold: bool, delay: float) -> np.ndarray:
    """Object 0 tracked from 0 s (4 s scans, test_new_object's path and coarse radar); at 12 s
    the radar misses it and sees object 1, ``delay`` s behind on the same path, for the first
    time (no earlier detection: the "new object" alternative has no partner); at 16 s both.
    The ledger rows of object 1's detections."""
    tr = Tracker(TrackerConfig(hold_young=hold))
    scans = [(0, [(0, 0)]), (4, [(0, 0)]), (8, [(0, 0)]), (12, [(1, delay)])]
    for t, objs in [*scans, (16, [(0, 0), (1, delay)])]:
        tr.step(_scan(objs, float(t)))
    tr.flush()
    led = tr.ledger()
    return led[np.isin(led["det_id"], [12001, 16001])]


def test_first_sighting_of_a_train_neighbour_starts_its_own_track():
    led = _first_sighting(True, 2.0)
    assert (led["outcome"] == hist.STARTED).all(), led
    assert (led["track_id"] == led["track_id"][0]).all() and led["track_id"][0] != 1, led


def test_without_the_deferred_decision_the_young_track_takes_it():
    """The control: decided on its own scan, object 1's first sighting goes to track 1."""
    led = _first_sighting(False, 2.0)
    first = led[led["det_id"] == 12001][0]
    assert first["outcome"] == hist.UPDATED and first["track_id"] == 1, led


def test_own_detection_held_goes_to_its_track():
    """Object 0 alone: a held detection of its own is given to its track at the next scan."""
    tr = Tracker(TrackerConfig(hold_cost=-np.inf))  # every young detection held
    tr.hold_log = []
    for t in (0, 4, 8, 12, 16):
        tr.step(_scan([(0, 0)], float(t)))
    tr.flush()
    led = tr.ledger()
    assert tr.hold_log, "nothing was held"
    assert (led["outcome"][2:] == hist.UPDATED).all() and (led["track_id"] == 1).all(), led
