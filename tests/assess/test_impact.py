"""Impact prediction: against an independent high-accuracy integration, calibration of the
ellipses, zone verdicts of published shots, the lift evidence, the launch point, the class."""

from datetime import UTC, datetime

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from launchwatch.assess import lift
from launchwatch.assess.impact import (
    TrackEstimates,
    assess,
    capability_class,
    ellipse_axes,
    inside_ellipse,
    mahalanobis2,
    sample_states,
)
from launchwatch.assess.launch_point import estimate_launch
from launchwatch.earth import atmosphere, frames, geodesy
from launchwatch.flight.dynamics import accel
from launchwatch.flight.propagate import FULL_PHYSICS, make_controls, propagate
from launchwatch.flight.shaping import shape
from launchwatch.flight.vehicles import generic_boost, vehicle_model

EPOCH = datetime(2025, 11, 7, 3, 35, tzinfo=UTC)
SUNAN = (39.22389, 125.67)
TAEKWAN = (40.23, 125.23)


LOG_BETA = float(np.log(8000.0))


def _estimates(states, cov, t_s=0.0, log_beta=LOG_BETA, **kw):
    states = np.atleast_2d(states)
    k = states.shape[0]
    mean = np.concatenate([states, np.full((k, 1), log_beta)], axis=1)
    return TrackEstimates(
        track_id=np.arange(1, k + 1),
        t_s=np.full(k, t_s),
        mean=mean,
        cov=np.broadcast_to(cov, (k, 7, 7)).copy(),
        boost_prob=np.zeros(k),
        max_height_m=np.full(k, np.nan),
        **kw,
    )


def _cov(pos_m=200.0, vel_m_s=5.0, log_beta=0.3):
    return np.diag([pos_m**2] * 3 + [vel_m_s**2] * 3 + [log_beta**2])


@pytest.fixture(scope="module")
def exo_state():
    """A generic-boost MRBM 150 s after lift-off (above 100 km, climbing), ECEF."""
    tr = propagate(
        generic_boost(60.0),
        *SUNAN,
        100.0,
        make_controls(1, kick_rad=0.35),
        sample_times_s=np.array([150.0]),
    )
    return tr.samples_ecef()[0, 0]


def _dop853_impact(state_ecef, log_beta, ell=0.0):
    """Impact of one state by scipy DOP853 (rtol 1e-10) on the flight core's equations."""
    body = lift.unit_body()
    model = body.model_arrays(FULL_PHYSICS)
    mach = lift.mach_number(state_ecef[None, :3], state_ecef[None, 3:])
    ctrl = lift.controls(np.array([log_beta]), np.array([ell]), mach)[0]
    geo = np.zeros(9)
    out = np.empty(6)
    r, v = frames.ecef_to_eci(state_ecef[:3], 0.0, v_ecef=state_ecef[3:])

    def f(t, y):
        accel(t, t, y, ctrl, geo, body.stages, model, out)
        return out.copy()

    def ground(t, y):
        return float(frames.ecef_to_geodetic(frames.eci_to_ecef(y[:3], t))[2])

    ground.terminal, ground.direction = True, -1
    sol = solve_ivp(
        f, (0.0, 5000.0), np.r_[r, v], method="DOP853", rtol=1e-10, atol=1e-6, events=ground
    )
    t_hit = sol.t_events[0][0]
    r_hit = frames.eci_to_ecef(sol.y_events[0][0][:3], t_hit)
    lat, lon, _ = frames.ecef_to_geodetic(r_hit)
    return float(np.degrees(lat)), float(np.degrees(lon)), float(t_hit)


def test_sample_states_reproduce_mean_and_covariance():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(7, 7))
    cov = a @ a.T + np.eye(7)
    mean = rng.normal(size=7)
    x = sample_states(mean[None], cov[None], 40_000, rng)[0]
    assert np.allclose(x[0], mean)
    assert np.allclose(x.mean(axis=0), mean, atol=0.05 * np.sqrt(np.diag(cov)).max())
    assert np.allclose(np.cov(x.T), cov, atol=0.05 * np.abs(cov).max())


def test_ellipse_levels_hold_their_probability():
    rng = np.random.default_rng(2)
    cov = np.array([[9.0e6, 2.0e6], [2.0e6, 1.0e6]])
    pts = rng.multivariate_normal([0.0, 0.0], cov, 50_000)
    major, minor, orient = ellipse_axes(cov[None])
    th = np.radians(orient[0])
    along = pts[:, 0] * np.sin(th) + pts[:, 1] * np.cos(th)  # east, north -> major axis
    across = pts[:, 0] * np.cos(th) - pts[:, 1] * np.sin(th)
    for j, p in enumerate((0.5, 0.95)):
        inside = (along / major[0, j]) ** 2 + (across / minor[0, j]) ** 2 <= 1.0
        assert abs(inside.mean() - p) < 0.01


def test_mean_prediction_matches_independent_dop853(exo_state):
    """Sample 0 is the estimate itself: its impact must agree with scipy's DOP853 at rtol
    1e-10 from the same state, drag (beta 8000 kg/m^2) and rotating J2 Earth."""
    a = assess(_estimates(exo_state, _cov() * 1e-6), 0.0, EPOCH, n_samples=8, rng=0)
    lat, lon, t_hit = _dop853_impact(exo_state, np.log(8000.0))
    _, _, d = geodesy.inverse(
        a.sample_impact_lat_deg[0, 0], a.sample_impact_lon_deg[0, 0], lat, lon
    )
    assert d < 150.0  # Monte Carlo tolerances (MC_TOL): metres over a ~1,200 km flight
    assert abs(a.impact_t_s[0] - t_hit) < 1.0
    assert a.verdict_kind[0] in ("eez", "high_seas", "territorial_sea", "land")


@pytest.mark.slow
def test_ellipses_are_calibrated(exo_state):
    """Truth drawn from the estimate's own distribution lands inside the 95 % ellipse about
    95 % of the time and inside the 50 % one about half the time."""
    rng = np.random.default_rng(3)
    cov = _cov(pos_m=300.0, vel_m_s=8.0, log_beta=0.2)
    trials = 40
    truths = sample_states(np.r_[exo_state, np.log(8000.0)][None], cov[None], trials + 1, rng)[
        0, 1:
    ]
    # each trial: the estimate is the truth plus noise with covariance cov
    noise = sample_states(np.zeros((1, 7)), cov[None], trials + 1, rng)[0, 1:]
    est = truths + noise
    tracks = TrackEstimates(
        track_id=np.arange(trials),
        t_s=np.zeros(trials),
        mean=est,
        cov=np.broadcast_to(cov, (trials, 7, 7)).copy(),
        boost_prob=np.zeros(trials),
        max_height_m=np.full(trials, np.nan),
    )
    a = assess(tracks, 0.0, EPOCH, n_samples=400, rng=4)
    exact = assess(
        TrackEstimates(
            track_id=np.arange(trials),
            t_s=np.zeros(trials),
            mean=truths,
            cov=np.zeros((trials, 7, 7)),
            boost_prob=np.zeros(trials),
            max_height_m=np.full(trials, np.nan),
        ),
        0.0,
        EPOCH,
        n_samples=2,
        rng=5,
    )
    m2 = np.array(
        [
            mahalanobis2(a, k, exact.sample_impact_lat_deg[k, 0], exact.sample_impact_lon_deg[k, 0])
            for k in range(trials)
        ]
    )
    in50 = np.mean(
        [
            inside_ellipse(
                a, k, exact.sample_impact_lat_deg[k, 0], exact.sample_impact_lon_deg[k, 0], 0.5
            )
            for k in range(trials)
        ]
    )
    in95 = np.mean(m2 <= 5.991)  # the reported covariance's chi2 95 % ellipse is the 95 % one
    assert in95 >= 0.85, in95
    assert 0.25 <= in50 <= 0.75, in50


@pytest.fixture(scope="module")
def hwasong17():
    """The 2022-11-18 Hwasong-17 from Sunan: lofted to about 6,000 km, about 1,000 km to a
    point ~200 km west of Oshima-Oshima (Japan MoD: inside Japan's EEZ)."""
    target = (41.3, 137.0)  # estimate: Japan MoD map, ~200 km west of Oshima-Oshima
    az, _, dist = geodesy.inverse(*SUNAN, *target)
    shot = shape(vehicle_model("Hwasong-17"), *SUNAN, dist, az, trajectory="lofted", apogee_m=6.0e6)
    t = np.array([300.0, 3000.0])
    tr = propagate(shot.vehicle, *SUNAN, shot.launch_azimuth_deg, shot.ctrl[None], sample_times_s=t)
    lat, lon = shot.result.impact_latlon_deg
    return tr.samples_ecef()[0], (float(lat[0]), float(lon[0]))


def test_hwasong17_verdict_inside_japan_eez(hwasong17):
    states, (lat, lon) = hwasong17
    a = assess(
        _estimates(states[1], _cov(), log_beta=np.log(6000.0)), 3000.0, EPOCH, n_samples=500, rng=6
    )
    assert (a.verdict_kind[0], a.verdict_country[0]) == ("eez", "JPN")
    assert a.zone_probs[0].get("eez:JPN", 0.0) > 0.9
    _, _, err = geodesy.inverse(a.impact_lat_deg[0], a.impact_lon_deg[0], lat, lon)
    assert err < 20e3
    assert a.lift_to_drag[0] < 0.06  # exo-atmospheric: a ballistic re-entry vehicle


def test_capability_class_of_a_lofted_icbm(hwasong17):
    """Landing 1,000 km away, the Hwasong-17 is an ICBM by the energy it had."""
    states, _ = hwasong17
    r, v = frames.ecef_to_eci(states[0, :3][None], 0.0, v_ecef=states[0, 3:][None])
    reach_m, cls = capability_class(r, v)
    assert reach_m[0] > 5.5e6 and cls[0] == 3


@pytest.fixture(scope="module")
def kn23():
    """The reference KN-23-class shot: Taekwan, 700 km, 50 km apogee, depressed, pull-up."""
    shot = shape(
        vehicle_model("KN-23"), *TAEKWAN, 700e3, 95.0, trajectory="depressed", apogee_m=50e3
    )
    t = np.array([200.0, 260.0])
    tr = propagate(
        shot.vehicle, *TAEKWAN, shot.launch_azimuth_deg, shot.ctrl[None], sample_times_s=t
    )
    lat, lon = shot.result.impact_latlon_deg
    return t, tr.samples_ecef()[0], (float(lat[0]), float(lon[0])), shot


def test_lift_state_is_flown(kn23):
    """A glide-phase estimate whose lift state carries the truth's lift-to-drag ratio (as the
    tracker estimates it, with a 0.15 sigma) lands near the truth and holds it in its 95 %
    ellipse, where the same estimate flown ballistic falls far short."""
    t, states, (lat, lon), shot = kn23
    cov = _cov(pos_m=150.0, vel_m_s=3.0, log_beta=0.1)
    # the ballistic coefficient a tracker would see: drag table at the current Mach number
    # plus the induced drag of the pull-up angle of attack; the law's commanded ratio
    vm = shot.vehicle
    _, _, h = frames.ecef_to_geodetic(states[1, :3])
    mach = np.linalg.norm(states[1, 3:]) / atmosphere.speed_of_sound(h)
    alpha = shot.ctrl[4]
    cd = np.interp(mach, vm.mach, vm.cd) + vm.vs[3] * alpha**2
    beta = np.log(vm.vs[2] / (cd * vm.vs[1]))
    ell_true = vm.vs[3] * alpha / cd
    cov8 = np.zeros((8, 8))
    cov8[:7, :7] = cov
    cov8[7, 7] = 0.15**2
    est = TrackEstimates(
        track_id=np.array([1]),
        t_s=t[1:],
        mean=np.r_[states[1], beta, ell_true][None],
        cov=cov8[None],
        boost_prob=np.zeros(1),
        max_height_m=np.array([50e3]),
    )
    a = assess(est, t[1], EPOCH, n_samples=500, rng=7)
    assert abs(a.lift_to_drag[0] - ell_true) < 0.05
    _, _, err = geodesy.inverse(a.impact_lat_deg[0], a.impact_lon_deg[0], lat, lon)
    flat = est.mean.copy()
    flat[0, 7] = 0.0
    ballistic = assess(
        TrackEstimates(
            track_id=est.track_id,
            t_s=est.t_s,
            mean=flat,
            cov=est.cov * np.r_[np.ones(7), 1e-6][None, :, None],
            boost_prob=est.boost_prob,
            max_height_m=est.max_height_m,
        ),
        t[1],
        EPOCH,
        n_samples=40,
        rng=8,
    )
    _, _, err_b = geodesy.inverse(
        ballistic.impact_lat_deg[0], ballistic.impact_lon_deg[0], lat, lon
    )
    # the body's generic drag-rise shape is not the KN-23's table: measured 21 km over the
    # remaining 235 s, inside the ellipse the lift sigma spans
    assert err < 30e3, err
    assert err_b > 3 * err, (err_b, err)  # measured 77 km against 21 km
    assert mahalanobis2(a, 0, lat, lon) <= 5.991, (a.ellipse_semi_major_m, err)


def test_lift_prior_by_regime():
    """Exo-atmospheric tracks exchange the tracker's lift prior for the ballistic one, keeping
    what the measurements said; endo-atmospheric ones fly the state as it is."""
    mean = np.zeros((3, 8))
    mean[:, 7] = [lift.LIFT_PRIOR_MEAN, lift.LIFT_PRIOR_MEAN, 1.0]
    cov = np.broadcast_to(np.eye(8), (3, 8, 8)).copy()
    cov[:, 7, 7] = [lift.LIFT_PRIOR_SIGMA**2, lift.LIFT_PRIOR_SIGMA**2, 0.01**2]
    cov[:, 3, 7] = cov[:, 7, 3] = 0.5 * np.sqrt(cov[:, 7, 7])  # velocity correlated with ell
    m, c = lift.regime_lift(mean, cov, np.array([False, True, True]))
    assert np.allclose(m[0], mean[0]) and np.allclose(c[0], cov[0])
    assert abs(m[1, 7]) < 1e-9 and np.sqrt(c[1, 7, 7]) == pytest.approx(
        lift.BALLISTIC_LIFT_SIGMA, rel=1e-6
    )
    assert m[2, 7] > 0.9 and np.sqrt(c[2, 7, 7]) < 0.011  # well measured: kept
    assert m[1, 3] == pytest.approx(0.5 * (0.0 - lift.LIFT_PRIOR_MEAN) / lift.LIFT_PRIOR_SIGMA)
    assert np.all(np.linalg.eigvalsh(c) > 0)


def test_launch_point_from_an_early_track_state():
    tr = propagate(
        generic_boost(45.0),
        *SUNAN,
        80.0,
        make_controls(1, kick_rad=0.3),
        sample_times_s=np.array([45.0]),
    )
    st = tr.samples_ecef()[0, 0]
    cov = np.diag([300.0**2] * 3 + [20.0**2] * 3)
    le = estimate_launch(np.array([45.0]), st[None], cov[None], rng=9)
    _, _, err = geodesy.inverse(le.lat_deg[0], le.lon_deg[0], *SUNAN)
    assert err < 15e3
    assert err < le.semi_major_95_m[0]
    assert abs(le.t_s[0] - 0.0) < 3 * le.t_sigma_s[0] + 5.0
    # a descending state is not used
    st_down = st.copy()
    st_down[3:] *= -1
    assert np.isnan(estimate_launch(np.array([45.0]), st_down[None], cov[None]).lat_deg[0])


def test_capability_is_the_energy_of_the_coast_not_the_speed_at_one_point():
    """A state 500 km up over the equator with the energy of a 4.8 km/s surface launch: its reach
    is the minimum-energy arc of 4.8 km/s from the surface, 2 asin(nu / (2 - nu)) R with
    nu = v^2 R / GM (the textbook closed form), whatever the altitude and direction of the state."""
    from launchwatch.earth.constants import A_M, GM_M3_S2

    v0 = 4800.0
    nu = v0 * v0 * A_M / GM_M3_S2
    want_m = 2.0 * np.arcsin(nu / (2.0 - nu)) * A_M  # about 2,910 km: an MRBM
    rows = []
    for h in (0.0, 100e3, 500e3, 900e3):
        r = A_M + h
        v = np.sqrt(v0 * v0 - 2.0 * GM_M3_S2 * (1.0 / A_M - 1.0 / r))
        rows.append(([r, 0.0, 0.0], [0.3 * v, np.sqrt(1 - 0.09) * v, 0.0]))
    r_eci = np.array([a for a, _ in rows])
    v_eci = np.array([b for _, b in rows])
    reach_m, cls = capability_class(r_eci, v_eci)
    np.testing.assert_allclose(reach_m, want_m, rtol=1e-9)
    assert set(cls.tolist()) == {1} and 2.8e6 < want_m < 3.0e6
