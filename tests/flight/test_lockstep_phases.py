"""The lockstep kernel's two phases (powered flights first, the parked trajectories' coast
after): a work item mixing launches and coasting starts, time-outs and step limits inside the
boost gives integrate_batch's results; and the shared step helpers of integrate.py."""

import numpy as np
import pytest

from launchwatch.flight import integrate, lockstep, propagate
from launchwatch.flight.propagate import FULL_PHYSICS, make_controls


def _mixed(vehicle, n, seed=1):
    """Launches interleaved with coasting starts (burnout states of the same launches, t0 at
    burnout: these park at once and fly only in the coast phase)."""
    rng = np.random.default_rng(seed)
    kick = rng.uniform(0.2, 0.7, n)
    ctrl = make_controls(n, kick_rad=kick)
    geo = propagate.launch_geometry(40.0, 124.9, 70.0 + rng.normal(0.0, 2.0, n))
    y0 = propagate.launch_states(geo, FULL_PHYSICS.omega_rad_s)
    t0 = np.zeros(n)
    flown = propagate.propagate(vehicle, 40.0, 124.9, 70.0, ctrl)
    coast = np.arange(n) % 3 == 1
    y0[coast] = flown.burnout_eci[coast]
    t0[coast] = flown.t_burnout_s[coast]
    return y0, t0, ctrl, np.ascontiguousarray(geo), coast


@pytest.mark.parametrize("group", [None, 45, 200])
def test_mixed_batch_matches_integrate_batch(srbm, group, kernels_both):
    y0, t0, ctrl, geo, coast = _mixed(srbm, 150)
    ref, ev = kernels_both(srbm, y0, t0, ctrl, geo, group=group)
    assert (ref[:, integrate.EV_STATUS] == integrate.STATUS_IMPACT).all()
    # Coasting starts: the same operations as accel, bit for bit.
    np.testing.assert_array_equal(ev[coast], ref[coast])
    # Launches: the thrust direction by series, millimetres; the same step counts.
    np.testing.assert_array_equal(
        ev[:, integrate.EV_N_STEPS : integrate.EV_N_REJECT + 1],
        ref[:, integrate.EV_N_STEPS : integrate.EV_N_REJECT + 1],
    )
    imp = slice(integrate.EV_Y_IMPACT, integrate.EV_Y_IMPACT + 3)
    assert np.linalg.norm(ev[:, imp] - ref[:, imp], axis=1).max() < 0.05


def test_limits_inside_the_boost(srbm, kernels_both):
    """t_max or the step limit reached before burnout: the trajectory ends in the powered
    phase (never parked), as integrate_batch ends it; the coasting starts run out too."""
    y0, t0, ctrl, geo, coast = _mixed(srbm, 70, seed=2)
    t_bo = float(np.min(t0[coast]))
    for kw in ({"t_max": 0.5 * t_bo}, {"max_steps": 6}):
        ref, ev = kernels_both(srbm, y0, t0, ctrl, geo, **kw)
        np.testing.assert_array_equal(ev[:, integrate.EV_STATUS], ref[:, integrate.EV_STATUS])
        np.testing.assert_array_equal(
            ev[:, integrate.EV_N_STEPS : integrate.EV_N_REJECT + 1],
            ref[:, integrate.EV_N_STEPS : integrate.EV_N_REJECT + 1],
        )
        np.testing.assert_array_equal(ev[coast], ref[coast])
    assert (ref[:, integrate.EV_STATUS] == integrate.STATUS_STEP_LIMIT).all()


def test_park_row_holds_the_lane():
    """A lane parked and taken back is the lane it was: every carried row, the integer rows,
    the stage table and the breakpoints."""
    n_st = 2
    L = lockstep.LANES
    rng = np.random.default_rng(4)
    B = rng.normal(size=lockstep.N_ROWS * L)
    I_ = rng.integers(-1, 1000, size=(lockstep.N_I, L))
    stages_l = rng.normal(size=(L, n_st, 4))
    breaks_l = rng.normal(size=(L, 2 + n_st))
    row = np.empty(lockstep.n_park(n_st))
    lockstep._park_lane(5, row, B, I_, stages_l, breaks_l)
    B2, I2 = rng.normal(size=B.shape), rng.integers(0, 9, size=I_.shape)
    s2, b2 = rng.normal(size=stages_l.shape), rng.normal(size=breaks_l.shape)
    lockstep._unpark_lane(5, row, B2, I2, s2, b2)
    rows = lockstep._PARK_ROWS
    np.testing.assert_array_equal(B2[rows * L + 5], B[rows * L + 5])
    np.testing.assert_array_equal(I2[:, 5], I_[:, 5])
    np.testing.assert_array_equal(s2[5], stages_l[5])
    np.testing.assert_array_equal(b2[5], breaks_l[5])
