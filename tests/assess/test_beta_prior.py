"""The coast fit's ln beta prior as a mixture of the catalog's bodies (assess/beta_prior.py).

The checks are against the catalog itself: which bodies a range class holds, what a burnout
time says, and that the Gaussian is the mixture's own mean and spread."""

import math

import numpy as np

from launchwatch.assess import beta_prior as bp
from launchwatch.assess.impact import capability_class
from launchwatch.earth.constants import GM_M3_S2, OMEGA_RAD_S
from launchwatch.flight.catalog import load_vehicles
from launchwatch.flight.classes import RANGE_CLASS_NAMES
from launchwatch.track.tracker import INIT_LOG_BETA_SIGMA

IRBM = RANGE_CLASS_NAMES.index("IRBM")
SRBM = RANGE_CLASS_NAMES.index("SRBM")


def _coasting(specific_energy: float) -> tuple[np.ndarray, np.ndarray]:
    """An ECEF state 300 km over the equator, flying north, with this inertial energy."""
    r = np.array([[6378137.0 + 300e3, 0.0, 0.0]])
    speed = math.sqrt(2.0 * (specific_energy + GM_M3_S2 / r[0, 0]))
    v_inertial = np.array([[0.0, 0.0, speed]])
    return r, v_inertial - np.cross([0.0, 0.0, OMEGA_RAD_S], r)


def _state_of_class(cls: int) -> tuple[np.ndarray, np.ndarray]:
    for e in np.linspace(-5.8e7, -3.2e7, 200):
        r, v = _coasting(e)
        _, c = capability_class(r, v + np.cross([0.0, 0.0, OMEGA_RAD_S], r))
        if c[0] == cls:
            return r, v
    raise AssertionError("no state of that class")


def test_class_weights_sum_to_one_and_favour_the_class_members():
    _, member, _ = bp.catalog_bodies()
    w = bp.class_weights(np.arange(len(RANGE_CLASS_NAMES)))
    np.testing.assert_allclose(w.sum(axis=1), 1.0)
    for c in range(len(RANGE_CLASS_NAMES)):
        inside, outside = w[c, member[:, c]], w[c, ~member[:, c]]
        assert inside.size and (outside.size == 0 or inside.min() > outside.max())


def test_every_catalog_vehicle_is_a_body_of_its_class():
    ln_beta, member, burn = bp.catalog_bodies()
    vehicles = list(load_vehicles().values())
    assert ln_beta.size == len(vehicles) + 1  # and the generic body
    for j, v in enumerate(vehicles):
        assert member[j, RANGE_CLASS_NAMES.index(v.range_class)]
        assert burn[j] == sum(s.burn_time_s for s in v.stages)
    assert member[-1].all() and np.isnan(burn[-1])


def test_an_irbm_burning_85_s_gets_a_narrower_prior_among_the_irbm_bodies():
    """An IRBM-energy coast whose motor stopped 85 s after launch (the Hwasong-12's catalog
    burn): the prior leaves out the short-burning SRBMs and the long-burning ICBMs, so it is
    narrower than the tracker's one-for-all prior and centred inside the IRBM bodies' span."""
    ln_beta, member, _ = bp.catalog_bodies()
    r, v = _state_of_class(IRBM)
    mean, sigma, cls = bp.log_beta_prior(r, v, np.array([85.0]))
    assert cls[0] == IRBM
    lo, hi = ln_beta[member[:, IRBM]].min(), ln_beta[member[:, IRBM]].max()
    assert lo <= mean[0] <= hi
    assert sigma[0] < 0.85 * INIT_LOG_BETA_SIGMA
    # unknown burnout: the class alone, wider
    _, sigma_unknown, _ = bp.log_beta_prior(r, v, np.array([np.nan]))
    assert sigma_unknown[0] > sigma[0]


def test_prior_is_the_mixture_moments():
    ln_beta, _, _ = bp.catalog_bodies()
    r, v = _state_of_class(SRBM)
    r2, v2 = np.repeat(r, 3, axis=0), np.repeat(v, 3, axis=0)
    burnout = np.array([20.0, np.nan, -500.0])  # KN-25-like, unknown, before launch
    mean, sigma, cls = bp.log_beta_prior(r2, v2, burnout)
    w_class = bp.class_weights(cls)
    reach, _ = capability_class(r2, v2 + np.cross([0.0, 0.0, OMEGA_RAD_S], r2))
    w = w_class * bp.burn_likelihood(burnout, reach)
    w[1:] = w_class[1:]  # unknown burnouts: the class weights
    w /= w.sum(axis=1, keepdims=True)
    m = w @ ln_beta
    s = np.sqrt(np.einsum("kb,kb->k", w, (ln_beta - m[:, None]) ** 2) + bp.WITHIN_SIGMA**2)
    np.testing.assert_allclose(mean, m)
    np.testing.assert_allclose(sigma, s)
