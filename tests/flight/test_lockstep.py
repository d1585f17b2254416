"""The lockstep structure-of-arrays kernel (flight/lockstep.py) against ``integrate_batch`` (bit
for bit where it evaluates the same libm-free formulas, within millimetres where its thrust
direction uses series for libm's functions) and against scipy DOP853."""

import dataclasses

import numpy as np
import pytest

from launchwatch.earth import geodesy
from launchwatch.flight import integrate, lockstep, propagate
from launchwatch.flight.propagate import FULL_PHYSICS, VehicleModel, make_controls
from launchwatch.flight.reference import reference_trajectory

TOL = (propagate.DEFAULT_RTOL, propagate.DEFAULT_ATOL_POS_M, propagate.DEFAULT_ATOL_VEL_M_S)


def _launch(vehicle, n, kick, az, t0=None):
    geo, y0 = propagate.launch_start(40.0, 124.9, az, 0.0, n, FULL_PHYSICS.omega_rad_s)
    return y0, np.zeros(n) if t0 is None else t0, make_controls(n, kick_rad=kick), geo


def test_coasting_bit_identical_with_refill_and_limits(srbm, kernels_both):
    """After burnout the lanes evaluate the same operations as accel: every event field equal
    bit for bit, across lane refills (work items of 50 through 32 or 64 lanes), time-outs and
    step limits."""
    n = 130
    y0, t0, ctrl, geo = _launch(srbm, n, np.linspace(0.2, 0.6, n), 80.0)
    boosted = propagate.propagate(srbm, 40.0, 124.9, 80.0, ctrl)
    coast = VehicleModel.coasting_body(
        mass_kg=srbm.vs[2], area_m2=srbm.vs[1], mach=srbm.mach, cd=srbm.cd
    )
    y0 = np.ascontiguousarray(boosted.burnout_eci)
    t0 = np.ascontiguousarray(boosted.t_burnout_s)
    no_ctrl = make_controls(n, t_vertical_s=0.0, kick_rad=0.0, t_kick_s=0.0)
    no_ctrl[::7, 6] = 3.0  # some heavier drag
    geo0 = np.zeros((n, 9))
    ref, ev = kernels_both(coast, y0, t0, no_ctrl, geo0, group=50)
    assert (ref[:, integrate.EV_STATUS] == integrate.STATUS_IMPACT).all()
    np.testing.assert_array_equal(ev, ref)
    # Time-outs part-way (t_max inside the flight of some) and a step limit.
    ref, ev = kernels_both(coast, y0, t0, no_ctrl, geo0, t_max=float(np.median(t0) + 150.0))
    assert (ref[:, integrate.EV_STATUS] == integrate.STATUS_TIMEOUT).any()
    np.testing.assert_array_equal(ev, ref)
    ref, ev = kernels_both(coast, y0, t0, no_ctrl, geo0, max_steps=9)
    assert (ref[:, integrate.EV_STATUS] == integrate.STATUS_STEP_LIMIT).all()
    np.testing.assert_array_equal(ev, ref)


@pytest.mark.parametrize("vehicle_name", ["srbm", "icbm"])
def test_powered_flights_match_integrate_batch(vehicle_name, request, kernels_both):
    """From lift-off (thrust direction by series): same statuses and step counts, impact and
    burnout within millimetres of integrate_batch, over a spread of pitch-over angles."""
    vehicle = request.getfixturevalue(vehicle_name)
    n = 97
    y0, t0, ctrl, geo = _launch(vehicle, n, np.linspace(0.15, 0.9, n), 45.0)
    ref, ev = kernels_both(vehicle, y0, t0, ctrl, geo)
    hit = ref[:, integrate.EV_STATUS] == integrate.STATUS_IMPACT
    assert hit.mean() > 0.9  # the flattest ICBM shots do not come down within t_max
    np.testing.assert_array_equal(ev[:, integrate.EV_STATUS], ref[:, integrate.EV_STATUS])
    ref, ev = ref[hit], ev[hit]
    steps = integrate.EV_N_STEPS
    assert np.abs(ev[:, steps] - ref[:, steps]).max() <= 1
    imp = slice(integrate.EV_Y_IMPACT, integrate.EV_Y_IMPACT + 3)
    assert np.linalg.norm(ev[:, imp] - ref[:, imp], axis=1).max() < 0.05
    bo = slice(integrate.EV_T_BURNOUT, integrate.EV_Y_BURNOUT + 3)  # NaN where both have none
    np.testing.assert_allclose(ev[:, bo], ref[:, bo], rtol=0, atol=1e-3)
    np.testing.assert_allclose(
        ev[:, integrate.EV_H_APOGEE], ref[:, integrate.EV_H_APOGEE], rtol=0, atol=0.05
    )


def _lifting(srbm):
    return VehicleModel.from_stages(
        name="test-qb",
        burn_time_s=[60.0],
        propellant_mass_kg=[4000.0],
        dry_mass_kg=[800.0],
        isp_vac_s=[250.0],
        payload_mass_kg=500.0,
        area_boost_m2=0.5,
        area_coast_m2=0.3,
        mach=srbm.mach,
        cd=srbm.cd,
        cl_alpha_per_rad=2.0,
        quasi_ballistic=True,
        max_alpha_rad=0.2,
    )


def test_lifting_powered_flights_match_integrate_batch(srbm, kernels_both):
    """Lifting trajectories from lift-off (angle of attack after burnout): close to
    integrate_batch as the powered flights are."""
    lifting = _lifting(srbm)
    n = 40
    y0, t0, ctrl, geo = _launch(lifting, n, np.linspace(0.3, 0.7, n), 100.0)
    ctrl[::2, 4] = 0.1  # every other one lifts
    ref, ev = kernels_both(lifting, y0, t0, ctrl, geo)
    assert (ref[:, integrate.EV_STATUS] == integrate.STATUS_IMPACT).all()
    imp = slice(integrate.EV_Y_IMPACT, integrate.EV_Y_IMPACT + 3)
    assert np.linalg.norm(ev[:, imp] - ref[:, imp], axis=1).max() < 0.05


@pytest.mark.parametrize("n_comp", [3, 6])
def test_lifting_coasts_and_samples_bit_identical(srbm, n_comp):
    """Coasts with and without lift (the vectorized pull-up law) and the sampled output
    (positions alone, an assessment's paths, or full states; NaN before the start and after
    impact or t_max): equal to integrate_batch bit for bit, across lane refills (work items of
    50 through 64 lanes) and time-outs."""
    lifting = _lifting(srbm)
    n = 130
    y0, t0, ctrl, geo = _launch(lifting, n, np.linspace(0.2, 0.6, n), 80.0)
    boosted = propagate.propagate(lifting, 40.0, 124.9, 80.0, ctrl)
    coast = VehicleModel.coasting_body(
        mass_kg=lifting.vs[2], area_m2=lifting.vs[1], mach=lifting.mach, cd=lifting.cd
    )
    vs = coast.vs.copy()
    vs[3] = lifting.vs[3]  # the lift slope
    coast = dataclasses.replace(coast, vs=vs)
    y0 = np.ascontiguousarray(boosted.burnout_eci)
    t0 = np.ascontiguousarray(boosted.t_burnout_s)
    no_ctrl = make_controls(n, t_vertical_s=0.0, kick_rad=0.0, t_kick_s=0.0)
    no_ctrl[::2, 4] = np.linspace(0.02, 0.2, n)[::2]  # every other one lifts
    no_ctrl[::7, 6] = 3.0  # some heavier drag
    geo0 = np.zeros((n, 9))
    model = coast.model_arrays(FULL_PHYSICS)
    times = np.linspace(float(t0.min()) - 30.0, float(t0.max()) + 300.0, 41)
    for t_max in (7200.0, float(np.median(t0) + 150.0)):
        args = (y0, t0, no_ctrl, geo0, coast.stages, model, t_max, *TOL, 20_000)
        ref = np.full((n, integrate.N_EV), np.nan)
        out_ref = np.full((n_comp, n, times.size), -1.0).transpose(1, 2, 0)
        integrate.integrate_batch_serial(*args, times, out_ref, ref)
        ev = np.full((n, integrate.N_EV), np.nan)
        out = np.full((n_comp, n, times.size), -2.0).transpose(1, 2, 0)
        lockstep.lockstep_batch(*args, ev, out_times=times, out_states=out, group=50)
        np.testing.assert_array_equal(ev, ref)
        np.testing.assert_array_equal(out, out_ref)
        assert np.isnan(out[:, 0]).all() and np.isfinite(out).any(axis=(0, 2)).sum() >= 5
    assert (ref[:, integrate.EV_STATUS] == integrate.STATUS_TIMEOUT).any()
    assert coast.vs[3] > 0.0 and (no_ctrl[:, 4] > 0.0).any()


def test_impacts_against_dop853(srbm):
    """The accuracy that counts: impact points against scipy DOP853 at rtol 1e-10, no worse
    than integrate_batch's (the two agree to millimetres, the error budget is metres)."""
    kicks = np.array([0.3, 0.55])
    ctrl = make_controls(2, kick_rad=kicks)
    ours = lockstep.propagate_lockstep(srbm, 40.0, 124.9, 80.0, ctrl)
    old = propagate.propagate(srbm, 40.0, 124.9, 80.0, ctrl)
    o_lat, o_lon = ours.impact_latlon_deg
    b_lat, b_lon = old.impact_latlon_deg
    for i in range(2):
        ref = reference_trajectory(srbm, 40.0, 124.9, 80.0, ctrl[i])
        e_ours = geodesy.inverse(o_lat[i], o_lon[i], ref.impact_lat_deg, ref.impact_lon_deg)[2]
        e_old = geodesy.inverse(b_lat[i], b_lon[i], ref.impact_lat_deg, ref.impact_lon_deg)[2]
        assert e_ours < 50.0
        assert abs(e_ours - e_old) < 0.05
    assert ours.impacted.all() and np.isfinite(ours.t_burnout_s).all()
    np.testing.assert_allclose(ours.ground_range_m, old.ground_range_m, rtol=0, atol=0.05)


def test_series_against_libm():
    rng = np.random.default_rng(3)
    x = rng.uniform(-lockstep.SINCOS_MAX, lockstep.SINCOS_MAX, 2000)
    small = rng.uniform(-lockstep.SINCOS_SMALL_MAX, lockstep.SINCOS_SMALL_MAX, 2000)
    y, v = rng.uniform(-1e4, 1e4, 2000), rng.uniform(1e-6, 1e4, 2000)
    u = rng.uniform(-40.0, 0.0, 2000)
    w = rng.uniform(0.0, 1.0, 2000)
    for i in range(2000):
        s, c = lockstep._sincos(x[i])
        assert abs(s - np.sin(x[i])) < 1e-15 and abs(c - np.cos(x[i])) < 1e-15
        s, c = lockstep._sincos_small(small[i])
        assert abs(s - np.sin(small[i])) <= 1.5 * np.spacing(abs(np.sin(small[i])))
        assert abs(c - np.cos(small[i])) <= 2.3e-16
        assert abs(lockstep._atan2_hpos(y[i], v[i]) - np.arctan2(y[i], v[i])) < 2e-15
        assert abs(lockstep._exp_neg(u[i]) / np.exp(u[i]) - 1.0) < 5e-14
        assert abs(lockstep._log1p_unit(w[i]) - np.log1p(w[i])) <= 4e-16 * max(w[i], 1e-300)


def test_model_must_carry_the_kernel_atmosphere(srbm):
    n = 2
    y0, t0, ctrl, geo = _launch(srbm, n, np.full(n, 0.4), 80.0)
    model = list(srbm.model_arrays(FULL_PHYSICS))
    model[5] = model[5] * 1.01  # another density table
    with pytest.raises(ValueError, match="kernel_tables"):
        lockstep.lockstep_batch(
            y0, t0, ctrl, geo, srbm.stages, tuple(model), 7200.0, *TOL, 20_000,
            np.empty((n, integrate.N_EV)),
        )  # fmt: skip
