"""The birth alternative's parts (launchwatch.track.birth): the IMM mixture cost, the threshold
as a likelihood ratio, and the density of other objects set by a radar's recent starts."""

import math

import numpy as np
from track_helpers import midcourse_state, radar_scans

from launchwatch.track.birth import (
    BACKGROUND_DENSITY,
    BirthRate,
    birth_cost,
    mode_cost,
)
from launchwatch.track.ekf import EKF
from launchwatch.track.measure import Measurements
from launchwatch.track.models import N_STATE


def _pair():
    """One track with three model rows near a radar detection (range, az, el, range rate)."""
    y = midcourse_state()
    (det,) = radar_scans(y[None, None], [5.0], rng=np.random.default_rng(3), range_rate_sigma=5.0)
    meas = Measurements.from_detections(det)
    nm, n = 3, N_STATE
    x = np.zeros(n)
    x[:6] = y
    x[6] = np.log(6000.0)
    xp = np.repeat(x[None, None], nm, axis=1)
    xp[0, 1, :3] += 800.0  # the second model predicts 800 m off on each axis
    Pp = np.repeat((np.eye(n) * 1e4)[None, None], nm, axis=1)
    Pp[0, 2] *= 9.0  # the third is three times wider
    return xp, Pp, meas, float(meas.t_s[0])


def test_mode_cost_is_the_mixture_of_the_models_gaussians():
    xp, Pp, meas, t = _pair()
    f = EKF()
    loc, rows = np.zeros(1, np.int64), np.zeros(1, np.int64)
    d2, ld, _ = f.gate(xp[0], Pp[0], meas, rows=np.zeros(3, np.int64))
    c = d2 + ld
    for cbar in ([0.2, 0.5, 0.3], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]):
        cb = np.array([cbar])
        want = -2.0 * math.log(sum(w * math.exp(-cj / 2.0) for w, cj in zip(cbar, c, strict=True)))
        got = mode_cost(f, xp.copy(), Pp, cb, loc, meas, rows, t)
        assert np.isclose(got[0], want, rtol=1e-9, atol=1e-9)
    # a model far off does not drag the cost up as a moment-matched Gaussian would
    mixed = mode_cost(f, xp.copy(), Pp, np.array([[0.5, 0.5, 0.0]]), loc, meas, rows, t)[0]
    assert mixed <= c[0] + 2.0 * math.log(2.0) + 1e-9


def test_birth_cost_is_where_the_two_hypotheses_are_equally_likely():
    for lam, pd in ((1e-3, 0.9), (1e-6, 0.8), (BACKGROUND_DENSITY, 0.95)):
        c = float(birth_cost(np.array([lam]), pd)[0])
        h1 = pd * math.exp(-c / 2.0) / (2.0 * math.pi) ** 2
        assert math.isclose(h1, (1.0 - pd) * lam, rel_tol=1e-9)
    # more objects nearby: a lower threshold (the track must explain its detection better)
    lam = np.array([1e-4, 2e-4, 4e-4])
    assert np.all(np.diff(birth_cost(lam, 0.9)) < 0)


def test_density_counts_the_radars_other_recent_starts():
    br = BirthRate(window_s=60.0, pd=0.9)
    ids = np.array([1, 2, 3])
    assert np.all(br.density(0, 10.0, ids) == BACKGROUND_DENSITY)  # nothing started yet
    br.started(0, 10.0, np.array([1]))
    assert not br.any_other(0, 20.0, np.array([1]))  # a single missile: only its own start
    assert br.any_other(0, 20.0, np.array([2]))
    lam = br.density(0, 20.0, ids)
    assert lam[0] == BACKGROUND_DENSITY  # its own start is no other object
    assert np.allclose(lam[1:], BACKGROUND_DENSITY + br.unit)
    br.started(0, 30.0, np.array([2, 3]))
    assert np.allclose(br.density(0, 40.0, ids), BACKGROUND_DENSITY + 2 * br.unit)
    assert np.all(br.density(1, 40.0, ids) == BACKGROUND_DENSITY)  # another radar's starts
    same = br.density(0, 30.0, ids)  # starts of the frame itself are not yet counted
    assert np.allclose(same, BACKGROUND_DENSITY + np.array([0, 1, 1]) * br.unit)
    late = br.density(0, 85.0, ids)  # the start at 10 s has left the 60 s window
    assert np.allclose(late, BACKGROUND_DENSITY + np.array([2, 1, 1]) * br.unit)
