"""IMM: model selection on a boosting then coasting SRBM, transition matrix over time, and the
single-model limit."""

import numpy as np
import pytest
from track_helpers import DT, radar_scans

from launchwatch.track import models
from launchwatch.track.ekf import EKF
from launchwatch.track.imm import DEFAULT_TRANSITION, IMM
from launchwatch.track.tracker import Tracker, TrackerConfig

COAST, BOOST = 0, 1  # model order of DEFAULT_MODELS


@pytest.mark.parametrize("filt", ["ekf", "ukf"])
def test_imm_picks_boost_then_coast(srbm_truth, filt):
    times, states, t_burnout = srbm_truth
    rng = np.random.default_rng(2)
    tracker = Tracker(TrackerConfig(filter=filt))
    last = int(300.0 / DT)
    for det in radar_scans(states[:, :last], times[:last], rng=rng):
        tracker.step(det)
    h = tracker.history
    assert np.unique(h["track_id"]).size == 1
    t0 = h["t_s"][0]
    assert t0 < 15.0  # visible above the radar horizon from ~10 s
    boost = (h["t_s"] > t0 + 3.0) & (h["t_s"] < t_burnout - 0.5)
    coast = h["t_s"] > t_burnout + 10.0
    assert boost.sum() > 100 and coast.sum() > 2000
    assert np.mean(h["mu"][boost, BOOST] > 0.5) > 0.9, h["mu"][boost, BOOST][::20]
    assert np.mean(h["mu"][coast, COAST] > 0.5) > 0.95
    # in vacuum the glide model is a coast model (lift vanishes with the air): it keeps a
    # share, the boost model none
    assert np.mean(h["mu"][coast, BOOST]) < 0.02
    # the filter state stays on the missile through burnout
    k = np.round(h["t_s"] / DT).astype(int)
    err = np.linalg.norm(h["state"][:, :3] - states[0, k, :3], axis=1)
    assert np.percentile(err[coast], 95) < 100.0


def test_transition_matrix_is_a_semigroup():
    imm = IMM()
    one = imm.transition_matrix(np.array([1.0]))[0]
    assert np.allclose(one, DEFAULT_TRANSITION, atol=3e-4)  # regularised generator
    a, b = imm.transition_matrix(np.array([0.3, 0.7]))
    assert np.allclose(a @ b, one, atol=1e-9)
    assert np.allclose(imm.transition_matrix(np.array([0.0]))[0], np.eye(3))
    many = imm.transition_matrix(np.array([0.1, 2.0, 0.1, 5.0]))
    assert np.allclose(many.sum(axis=-1), 1.0) and np.all(many >= 0)
    assert np.allclose(many[0], many[2])


def test_transition_matrix_must_be_stochastic():
    with pytest.raises(ValueError, match="row-stochastic"):
        IMM(transition=((0.5, 0.5, 0.1), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0)))


def test_single_model_imm_is_the_filter():
    rng = np.random.default_rng(0)
    x = np.concatenate(
        [rng.normal(6.6e6, 1e5, (4, 3)), rng.normal(0, 3e3, (4, 3)), np.full((4, 1), 8.0)], axis=1
    )
    P = np.broadcast_to(np.diag([1e4] * 3 + [1e2] * 3 + [1.0]), (4, 7, 7)).copy()
    imm = IMM((models.COAST,), transition=((1.0,),))
    xp, Pp, cbar = imm.predict(x[:, None], P[:, None], np.ones((4, 1)), np.full(4, 0.5))
    xe, Pe = EKF().predict(x, P, 0.5, models.COAST.row())
    assert np.allclose(xp[:, 0], xe) and np.allclose(Pp[:, 0], Pe)
    assert np.allclose(cbar, 1.0)
