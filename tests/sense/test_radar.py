"""Radar model: visibility (horizon, range, field of regard, Earth), noise, Pd, false alarms."""

import numpy as np
import pytest

from launchwatch.earth.frames import aer_to_ecef, ecef_to_geodetic, geodetic_to_ecef
from launchwatch.sense import radar
from launchwatch.sense.geometry import aer_from, wrap_pi
from launchwatch.sense.records import DETECTION_DTYPE, TRUTH_ID_DTYPE, Z_AZ, Z_EL, Z_RANGE

LAT, LON = np.radians(35.0), np.radians(135.0)


def _at(az_deg, el_deg, range_km, h0=0.0):
    """ECEF point at the given azimuth, elevation and slant range from the test radar site."""
    return aer_to_ecef(np.radians(az_deg), np.radians(el_deg), range_km * 1e3, LAT, LON, h0)


def _count(sensor, truth, rng, **kw):
    det, ids = radar.observe(sensor, truth, rng, **kw)
    return det.size, det, ids


def test_target_straight_above_is_seen(make_radar, make_truth, rng):
    sensor = make_radar()
    target = geodetic_to_ecef(LAT, LON, 100e3)
    det, ids = radar.observe(sensor, make_truth(target), rng, rcs_m2=1.0)
    assert det.dtype == DETECTION_DTYPE and ids.dtype == TRUTH_ID_DTYPE
    assert 99 <= det.size <= 101  # one per 1 s scan over 100 s
    assert np.all(ids["missile"] == 0)
    assert np.all(np.abs(det["z"][:, Z_RANGE] - 100e3) < 6 * sensor.sigma_range_m)
    assert np.all(det["z"][:, Z_EL] > np.radians(89.0))
    np.testing.assert_allclose(det["sensor_ecef_m"], np.broadcast_to(sensor.ecef_m, (det.size, 3)))
    assert set(det["sensor"]) == {"TestRadar"} and set(det["kind"]) == {"radar"}


def test_below_horizon_and_below_min_elevation_not_seen(make_radar, make_truth, rng):
    below = _at(40.0, -1.0, 300.0)
    low = _at(40.0, 0.5, 300.0)
    assert _count(make_radar(), make_truth(below), rng)[0] == 0
    assert _count(make_radar(min_elevation_deg=1.0), make_truth(low), rng)[0] == 0
    assert _count(make_radar(min_elevation_deg=0.0), make_truth(low), rng)[0] > 90


def test_range_limit_follows_radar_equation(make_radar, make_truth, rng):
    sensor = make_radar()  # 1000 km on 1 m^2
    target = _at(10.0, 30.0, 1100.0)
    assert _count(sensor, make_truth(target), rng, rcs_m2=1.0)[0] == 0
    assert _count(sensor, make_truth(target), rng, rcs_m2=1.5)[0] > 90  # 1000 * 1.5^0.25 = 1107
    assert _count(sensor, make_truth(_at(10.0, 30.0, 990.0)), rng, rcs_m2=1.0)[0] > 90
    # Per-missile RCS: two missiles at the same place, only the brighter one is seen.
    _, _, ids = _count(sensor, make_truth([target, target]), rng, rcs_m2=[1.0, 2.0])
    assert ids.size > 90 and np.all(ids["missile"] == 1)


def test_rcs_may_change_along_the_flight(make_radar, make_truth, rng):
    """An (M, T) RCS table: a bright booster for the first 50 s, a faint RV afterwards."""
    target = _at(10.0, 30.0, 1100.0)
    truth = make_truth([target, target])
    rcs = np.where(truth.times_s < 50.0, 2.0, 0.5)[None, :] * np.ones((2, 1))
    rcs[1] = 0.5  # the second is faint throughout
    det, ids = radar.observe(make_radar(), truth, rng, rcs_m2=rcs)
    assert np.all(ids["missile"] == 0) and 45 <= det.size <= 51
    assert det["t_s"].max() < 50.5


@pytest.mark.parametrize(
    ("bore_az", "half_az", "target_az", "seen"),
    [
        (90.0, 30.0, 100.0, True),
        (90.0, 30.0, 150.0, False),
        (350.0, 20.0, 5.0, True),
        (350.0, 20.0, 30.0, False),
        (10.0, 20.0, 355.0, True),
    ],
)
def test_azimuth_field_of_regard_with_wrap(
    make_radar, make_truth, rng, bore_az, half_az, target_az, seen
):
    sensor = make_radar(boresight_az_deg=bore_az, fov_half_az_deg=half_az)
    n = _count(sensor, make_truth(_at(target_az, 20.0, 500.0)), rng)[0]
    assert (n > 90) if seen else (n == 0)


def test_elevation_field_of_regard(make_radar, make_truth, rng):
    sensor = make_radar(boresight_el_deg=10.0, fov_half_el_deg=10.0)
    assert _count(sensor, make_truth(_at(0.0, 40.0, 500.0)), rng)[0] == 0
    assert _count(sensor, make_truth(_at(0.0, 15.0, 500.0)), rng)[0] > 90


def test_elevated_radar_sees_below_horizontal_but_not_through_the_earth(
    make_radar, make_truth, rng
):
    sensor = make_radar(
        height_m=10e3, min_elevation_deg=-10.0, boresight_el_deg=0.0, fov_half_el_deg=20.0
    )

    def low_target(ground_km):
        p = aer_to_ecef(0.0, 0.0, ground_km * 1e3, LAT, LON, 0.0)
        return geodetic_to_ecef(*ecef_to_geodetic(p)[:2], 500.0)

    near, far = low_target(200.0), low_target(800.0)
    assert aer_from(sensor.ecef_m, near)[2] < 0.0 and aer_from(sensor.ecef_m, far)[2] > -0.17
    assert _count(sensor, make_truth(near), rng)[0] > 90
    assert _count(sensor, make_truth(far), rng)[0] == 0  # hidden by the bulge of the Earth


def test_not_in_flight_is_not_seen(make_radar, make_truth, rng):
    truth = make_truth(_at(0.0, 30.0, 300.0))
    truth.states_ecef[:, :50] = np.nan  # launched at t = 50 s
    det, _ = radar.observe(make_radar(), truth, rng)
    assert det.size > 40 and det["t_s"].min() > 49.0


def test_measurement_noise_statistics(make_radar, make_truth, rng):
    sensor = make_radar(sigma_range_m=25.0, sigma_angle_mrad=2.0, sigma_range_rate_m_s=3.0)
    target = _at(60.0, 30.0, 500.0)
    det, _ = radar.observe(sensor, make_truth(target, t_end_s=6000.0), rng)
    n = det.size
    assert n > 5900
    r0, az0, el0 = aer_from(sensor.ecef_m, target)
    res = np.stack(
        [det["z"][:, 0] - r0, wrap_pi(det["z"][:, 1] - az0), det["z"][:, 2] - el0, det["z"][:, 3]],
        axis=-1,
    )
    sig = det["sigma"]
    np.testing.assert_allclose(sig[:, 1], 2e-3 / np.cos(el0))  # isotropic angular error on sky
    for j in range(4):
        assert abs(res[:, j].mean()) < 4 * sig[0, j] / np.sqrt(n), j
        assert abs(res[:, j].std() / sig[0, j] - 1.0) < 0.05, j


def test_azimuth_wraps_near_north(make_radar, make_truth, rng):
    sensor = make_radar(sigma_angle_mrad=1.0)
    target = aer_to_ecef(3e-4, np.radians(20.0), 400e3, LAT, LON, 0.0)  # 0.3 mrad east of north
    det, _ = radar.observe(sensor, make_truth(target, t_end_s=4000.0), rng)
    az = det["z"][:, Z_AZ]
    assert np.all((az >= 0.0) & (az < 2 * np.pi))
    assert np.mean(az > np.pi) > 0.2  # many draws fall just west of north, near 2 pi
    res = wrap_pi(az - aer_from(sensor.ecef_m, target)[1])
    assert abs(res.mean()) < 4 * det["sigma"][0, Z_AZ] / np.sqrt(az.size)
    assert abs(res.std() / det["sigma"][0, Z_AZ] - 1.0) < 0.05


def test_range_rate_is_the_radial_velocity(make_radar, make_truth, rng):
    sensor = make_radar(sigma_range_rate_m_s=0.5)
    p0 = _at(30.0, 20.0, 400.0)
    los = (p0 - sensor.ecef_m) / np.linalg.norm(p0 - sensor.ecef_m)
    across = np.cross(los, [0.0, 0.0, 1.0])
    across /= np.linalg.norm(across)
    vel = np.array([1500.0 * los, 1500.0 * across])
    det, ids = radar.observe(sensor, make_truth([p0, p0], vel, t_end_s=60.0), rng)
    m = ids["missile"]
    offset = p0 + vel[m] * det["t_s"][:, None] - sensor.ecef_m  # exact straight-line truth
    expected = np.sum(offset * vel[m], axis=1) / np.linalg.norm(offset, axis=1)
    res = det["z"][:, 3] - expected
    assert abs(res.mean()) < 4 * 0.5 / np.sqrt(res.size) and abs(res.std() / 0.5 - 1) < 0.3
    np.testing.assert_allclose(expected[m == 0], 1500.0)  # receding along the line of sight
    assert abs(expected[m == 1][0]) < 10.0  # crossing: ~0 at first, v^2 t / r later


def test_detection_probability_statistics(make_radar, make_truth, rng):
    pd, n_scans = 0.7, 8000
    sensor = make_radar(pd=pd)
    det, _ = radar.observe(sensor, make_truth(_at(0.0, 30.0, 300.0), t_end_s=n_scans), rng)
    frac = det.size / n_scans
    assert abs(frac - pd) < 4 * np.sqrt(pd * (1 - pd) / n_scans)


def test_false_alarm_rate_and_placement(make_radar, make_truth, rng):
    sensor = make_radar(
        false_alarms_per_scan=2.0,
        boresight_az_deg=350.0,
        fov_half_az_deg=30.0,
        boresight_el_deg=20.0,
        fov_half_el_deg=15.0,
        min_elevation_deg=8.0,
    )
    truth = make_truth(_at(0.0, 30.0, 300.0), t_end_s=3000.0)
    truth.states_ecef[:] = np.nan  # no missile in flight: false alarms only
    det, ids = radar.observe(sensor, truth, rng, rcs_m2=16.0)
    scans = 3000  # 1 s revisit over 3000 s, random phase
    assert abs(det.size / scans - 2.0) < 4 * np.sqrt(2.0 / scans)
    per_scan = np.bincount(np.round(det["t_s"] - det["t_s"][0]).astype(int), minlength=scans)
    assert abs(per_scan.var() / per_scan.mean() - 1.0) < 0.15  # Poisson: variance = mean
    assert np.all(ids["missile"] == -1)
    z = det["z"]
    r_max = 2000e3  # 1000 km * 16^(1/4)
    assert np.all((z[:, Z_RANGE] >= 0.1 * r_max) & (z[:, Z_RANGE] <= r_max))
    assert np.all(np.abs(wrap_pi(z[:, Z_AZ] - np.radians(350.0))) <= np.radians(30.0))
    assert np.all((z[:, Z_EL] >= np.radians(8.0)) & (z[:, Z_EL] <= np.radians(35.0)))
    # Uniform in azimuth over the sector: both halves equally populated.
    west = np.mean(wrap_pi(z[:, Z_AZ] - np.radians(350.0)) < 0.0)
    assert abs(west - 0.5) < 4 * 0.5 / np.sqrt(det.size)


def test_deterministic_for_a_seed_and_time_ordered(make_radar, make_truth):
    sensor = make_radar(pd=0.8, false_alarms_per_scan=0.5)
    truth = make_truth([_at(0.0, 30.0, 300.0), _at(90.0, 30.0, 300.0)])
    a = radar.observe(sensor, truth, np.random.default_rng(7), first_det_id=100)
    b = radar.observe(sensor, truth, np.random.default_rng(7), first_det_id=100)
    c = radar.observe(sensor, truth, np.random.default_rng(8), first_det_id=100)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert a[0].size != c[0].size or not np.array_equal(a[0]["z"], c[0]["z"])
    det, ids = a
    assert np.all(np.diff(det["t_s"]) >= 0.0)
    np.testing.assert_array_equal(det["det_id"], 100 + np.arange(det.size))
    np.testing.assert_array_equal(ids["det_id"], det["det_id"])


def test_scan_phase_and_start_time(make_radar, make_truth, rng):
    det, _ = radar.observe(
        make_radar(revisit_s=10.0), make_truth(_at(0.0, 30.0, 300.0)), rng, t_start_s=35.0
    )
    t = np.unique(det["t_s"])
    assert t.min() >= 35.0 and t.min() < 45.0
    np.testing.assert_allclose(np.diff(t), 10.0)


def test_bad_inputs(make_radar, make_truth, rng):
    truth = make_truth(_at(0.0, 30.0, 300.0))
    for bad in (0.0, -1.0, np.nan, [1.0, 2.0], np.ones((1, 7)), np.ones((1, 101, 2))):
        with pytest.raises(ValueError, match="rcs_m2"):
            radar.observe(make_radar(), truth, rng, rcs_m2=bad)
    from launchwatch.sense.sensors import get_sensor

    with pytest.raises(TypeError, match="RadarSensor"):
        radar.observe(get_sensor("SBIRS-GEO-1"), truth, rng)
