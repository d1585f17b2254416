"""Space infrared model: burning boosters above the clouds, never through the Earth."""

import numpy as np
import pytest

from launchwatch.earth.constants import A_M
from launchwatch.earth.frames import aer_to_ecef, ecef_to_geodetic, geodetic_to_ecef
from launchwatch.sense import infrared
from launchwatch.sense.geometry import aer_from, wrap_pi
from launchwatch.sense.records import IR_AZ, IR_EL
from launchwatch.sense.sensors import get_sensor


@pytest.fixture
def sbirs():
    """The catalog GEO sensor moved over 127 E, certain detection, no false alarms."""
    return get_sensor("SBIRS-GEO-1").with_overrides(
        lon_deg=127.0, pd=1.0, revisit_s=2.0, false_alarms_per_scan=0.0
    )


def _point(lat_deg, lon_deg, h_km):
    return geodetic_to_ecef(np.radians(lat_deg), np.radians(lon_deg), h_km * 1e3)


def test_sees_a_burning_booster_above_the_clouds(sbirs, make_truth, rng):
    det, ids = infrared.observe(sbirs, make_truth(_point(40.0, 127.0, 20.0)), rng)
    assert 49 <= det.size <= 51 and np.all(ids["missile"] == 0)
    assert set(det["kind"]) == {"ir"} and set(det["sensor"]) == {"SBIRS-GEO-1"}
    assert np.all(np.isnan(det["z"][:, 2:])) and np.all(np.isnan(det["sigma"][:, 2:]))
    assert np.all(det["z"][:, IR_EL] < np.radians(-75.0))  # looking down from GEO
    np.testing.assert_allclose(np.linalg.norm(det["sensor_ecef_m"], axis=1), A_M + 35_786e3)


def test_not_burning_or_too_low_is_not_seen(sbirs, make_truth, rng):
    assert (
        infrared.observe(sbirs, make_truth(_point(40.0, 127.0, 20.0), burning=False), rng)[0].size
        == 0
    )
    assert infrared.observe(sbirs, make_truth(_point(40.0, 127.0, 3.0)), rng)[0].size == 0
    truth = make_truth(_point(40.0, 127.0, 20.0), t_end_s=200.0)
    truth.burning[:, 101:] = False  # burnout at 100 s
    det, _ = infrared.observe(sbirs, truth, rng)
    assert det.size > 40 and det["t_s"].max() <= 100.5


def test_not_seen_through_the_earth(sbirs, make_truth, rng):
    far_side = _point(0.0, 127.0 - 180.0, 300.0)
    # From GEO the limb is arccos(a / r_geo) = 81.3 deg of arc from the sub-satellite point;
    # a plume 20 km up stays in view for another arccos(a / (a + 20 km)) = 4.5 deg.
    limb_visible = _point(0.0, 127.0 + 84.0, 20.0)
    limb_hidden = _point(0.0, 127.0 + 87.0, 20.0)
    det, ids = infrared.observe(sbirs, make_truth([far_side, limb_visible, limb_hidden]), rng)
    assert det.size > 45 and set(ids["missile"]) == {1}


def test_line_of_sight_noise_statistics(sbirs, make_truth, rng):
    target = _point(39.0, 125.7, 60.0)
    det, _ = infrared.observe(sbirs, make_truth(target, t_end_s=12000.0), rng)
    n = det.size
    _, az0, el0 = aer_from(sbirs.ecef_m, target)
    sig = sbirs.sigma_angle_urad * 1e-6
    np.testing.assert_allclose(det["sigma"][:, IR_EL], sig)
    np.testing.assert_allclose(det["sigma"][:, IR_AZ], sig / np.cos(el0))
    res_az = wrap_pi(det["z"][:, IR_AZ] - az0)
    res_el = det["z"][:, IR_EL] - el0
    assert abs(res_el.mean()) < 4 * sig / np.sqrt(n)
    assert abs(res_az.mean()) < 4 * det["sigma"][0, IR_AZ] / np.sqrt(n)
    assert abs(res_el.std() / sig - 1.0) < 0.05
    assert abs(res_az.std() / det["sigma"][0, IR_AZ] - 1.0) < 0.05
    # On the sky the error is isotropic: a few tens of microradians either way.
    assert abs((res_az * np.cos(el0)).std() / res_el.std() - 1.0) < 0.08


def test_false_alarms_lie_on_the_earth_disc(sbirs, make_truth, rng):
    sensor = sbirs.with_overrides(false_alarms_per_scan=3.0)
    truth = make_truth(_point(40.0, 127.0, 20.0), burning=False, t_end_s=4000.0)
    det, ids = infrared.observe(sensor, truth, rng)
    scans = 2000
    assert abs(det.size / scans - 3.0) < 4 * np.sqrt(3.0 / scans)
    assert np.all(ids["missile"] == -1)
    lat, lon, h = ecef_to_geodetic(sensor.ecef_m)
    ends = aer_to_ecef(det["z"][:, IR_AZ], det["z"][:, IR_EL], 1e7, lat, lon, h)
    dirs = (ends - sensor.ecef_m) / 1e7
    nadir = -sensor.ecef_m / np.linalg.norm(sensor.ecef_m)
    off_nadir = np.arccos(np.clip(dirs @ nadir, -1.0, 1.0))
    half_angle = np.arcsin(A_M / np.linalg.norm(sensor.ecef_m))
    assert np.all(off_nadir <= half_angle + 1e-9)
    # Uniform in solid angle: the median off-nadir angle splits the disc's solid angle in two.
    expected_median = np.arccos(0.5 * (1.0 + np.cos(half_angle)))
    assert abs(np.median(off_nadir) - expected_median) < 0.03 * half_angle


def test_deterministic_for_a_seed(sbirs, make_truth):
    sensor = sbirs.with_overrides(pd=0.8, false_alarms_per_scan=0.3)
    truth = make_truth([_point(40.0, 127.0, 20.0), _point(39.0, 126.0, 30.0)])
    a = infrared.observe(sensor, truth, np.random.default_rng(3), first_det_id=7)
    b = infrared.observe(sensor, truth, np.random.default_rng(3), first_det_id=7)
    c = infrared.observe(sensor, truth, np.random.default_rng(4), first_det_id=7)
    for name in a[0].dtype.names:  # field by field: NaN == NaN for assert_array_equal
        np.testing.assert_array_equal(a[0][name], b[0][name])
    np.testing.assert_array_equal(a[1], b[1])
    assert a[0].size != c[0].size or not np.array_equal(a[0]["z"][:, :2], c[0]["z"][:, :2])
    assert np.all(np.diff(a[0]["t_s"]) >= 0.0)
    np.testing.assert_array_equal(a[0]["det_id"], 7 + np.arange(a[0].size))


def test_wrong_sensor_type(make_radar, make_truth, rng):
    with pytest.raises(TypeError, match="IRSensor"):
        infrared.observe(make_radar(), make_truth(_point(40.0, 127.0, 20.0)), rng)
