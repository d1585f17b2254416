"""Sensor geometry: AER from ECEF sensors, its analytic Jacobian, Earth blocking."""

import numpy as np
import pytest

from launchwatch.earth.constants import A_M
from launchwatch.earth.frames import aer_to_ecef, ecef_to_aer, ecef_to_geodetic, geodetic_to_ecef
from launchwatch.sense.geometry import aer_from, aer_jacobian, los_clear, wrap_pi

GEO_M = 35_786e3


def _random_geometry(rng, n):
    """Sensors on the ground, elevated or in GEO and targets 50-3000 km away above the horizon."""
    lat = rng.uniform(-1.4, 1.4, n)
    lon = rng.uniform(-np.pi, np.pi, n)
    h = np.where(np.arange(n) % 3 == 2, GEO_M, rng.uniform(0.0, 12e3, n))
    sensor = geodetic_to_ecef(lat, lon, h)
    az = rng.uniform(0.2, 2 * np.pi - 0.2, n)  # away from the azimuth cut at north
    el = np.where(h > 1e6, rng.uniform(-1.45, -1.2, n), rng.uniform(0.05, 1.3, n))
    rng_m = np.where(h > 1e6, GEO_M, rng.uniform(50e3, 3000e3, n))
    target = aer_to_ecef(az, el, rng_m, lat, lon, h)
    return sensor, target, (rng_m, az, el)


def test_aer_from_matches_frames_and_construction():
    rng = np.random.default_rng(1)
    sensor, target, (r0, az0, el0) = _random_geometry(rng, 300)
    r, az, el = aer_from(sensor, target)
    np.testing.assert_allclose(r, r0, rtol=0, atol=1e-6)
    np.testing.assert_allclose(wrap_pi(az - az0), 0.0, atol=1e-11)
    np.testing.assert_allclose(el, el0, atol=1e-11)
    lat, lon, h = ecef_to_geodetic(sensor)
    az_f, el_f, r_f = ecef_to_aer(target, lat, lon, h)
    np.testing.assert_allclose(r, r_f, atol=1e-6)
    np.testing.assert_allclose(wrap_pi(az - az_f), 0.0, atol=1e-11)
    np.testing.assert_allclose(el, el_f, atol=1e-11)


def test_aer_from_broadcasts_one_sensor_over_many_targets():
    rng = np.random.default_rng(2)
    s = geodetic_to_ecef(0.7, 2.2, 100.0)
    targets = s + rng.normal(0.0, 5e5, (4, 5, 3))
    r, az, el = aer_from(s, targets)
    assert r.shape == az.shape == el.shape == (4, 5)
    assert np.all((az >= 0) & (az < 2 * np.pi))
    assert aer_jacobian(s, targets).shape == (4, 5, 3, 3)
    with pytest.raises(ValueError, match="shape"):
        aer_from(s, targets[..., :2])


def test_jacobian_matches_central_finite_differences():
    rng = np.random.default_rng(3)
    sensor, target, _ = _random_geometry(rng, 200)
    jac = aer_jacobian(sensor, target)
    step = 1.0  # m; second-order error ~ step^2 / range^2, far below the tolerance
    fd = np.empty_like(jac)
    for j in range(3):
        d = np.zeros(3)
        d[j] = step
        rp, azp, elp = aer_from(sensor, target + d)
        rm, azm, elm = aer_from(sensor, target - d)
        fd[:, 0, j] = (rp - rm) / (2 * step)
        fd[:, 1, j] = wrap_pi(azp - azm) / (2 * step)
        fd[:, 2, j] = (elp - elm) / (2 * step)
    scale = np.linalg.norm(jac, axis=-1, keepdims=True)  # per-row magnitude
    assert np.max(np.abs(jac - fd) / scale) < 1e-5
    # Range row is a unit vector: the line of sight in ECEF.
    np.testing.assert_allclose(np.linalg.norm(jac[:, 0], axis=-1), 1.0, atol=1e-12)


def test_jacobian_detects_a_wrong_derivative():
    """The finite-difference check can fail: a sign slip in one row is caught."""
    rng = np.random.default_rng(4)
    sensor, target, _ = _random_geometry(rng, 20)
    jac = aer_jacobian(sensor, target)
    jac[:, 2] *= -1.0
    rp, _, elp = aer_from(sensor, target + [1.0, 0, 0])
    rm, _, elm = aer_from(sensor, target - [1.0, 0, 0])
    fd = (elp - elm) / 2.0
    assert np.max(np.abs(jac[:, 2, 0] - fd)) > 1e-9


def test_jacobian_at_zenith_has_undefined_angle_rows():
    s = geodetic_to_ecef(0.6, 2.0, 0.0)
    t = geodetic_to_ecef(0.6, 2.0, 300e3)
    jac = aer_jacobian(s, t)
    assert np.all(np.isnan(jac[1:]))
    np.testing.assert_allclose(jac[0], (t - s) / np.linalg.norm(t - s), atol=1e-12)


def test_los_clear_cases():
    seoul = geodetic_to_ecef(np.radians(37.5), np.radians(127.0), 0.0)
    above = geodetic_to_ecef(np.radians(38.0), np.radians(127.0), 100e3)
    far_side = geodetic_to_ecef(np.radians(-37.5), np.radians(-53.0), 100e3)
    geo = geodetic_to_ecef(0.0, np.radians(127.0), GEO_M)
    assert los_clear(seoul, above)
    assert not los_clear(seoul, far_side)
    assert los_clear(geo, above)
    assert not los_clear(geo, far_side)
    # Elevated sensor: 10 km up sees a low target 200 km away below its local horizontal
    # (horizon dip ~3.2 deg) but not one 800 km away behind the bulge of the Earth.
    high = geodetic_to_ecef(np.radians(35.0), np.radians(135.0), 10e3)
    near = aer_to_ecef(0.0, 0.0, 200e3, np.radians(35.0), np.radians(135.0), 0.0)
    near = geodetic_to_ecef(*ecef_to_geodetic(near)[:2], 500.0)
    far = aer_to_ecef(0.0, 0.0, 800e3, np.radians(35.0), np.radians(135.0), 0.0)
    far = geodetic_to_ecef(*ecef_to_geodetic(far)[:2], 500.0)
    assert aer_from(high, near)[2] < 0.0
    assert los_clear(high, near)
    assert not los_clear(high, far)
    # A sensor on the ellipsoid does not block itself; vectorized, NaN is not clear.
    both = np.stack([above, far_side, np.full(3, np.nan)])
    np.testing.assert_array_equal(los_clear(seoul, both), [True, False, False])


def test_los_clear_tangent_ray_at_the_equatorial_limb():
    """A ray grazing the ellipsoid at the equator: ~0.5 km above clears, ~0.5 km below not."""
    r_geo = A_M + GEO_M
    geo = np.array([r_geo, 0.0, 0.0])
    tangent = np.array([A_M**2 / r_geo, A_M * np.sqrt(1.0 - (A_M / r_geo) ** 2), 0.0])
    assert np.isclose(np.linalg.norm(tangent), A_M)
    assert abs(np.dot(tangent - geo, tangent)) < 1e-3 * A_M  # perpendicular: a tangent ray
    beyond = geo + 2.0 * (tangent - geo)  # the chord's closest point is the tangent point
    up = tangent / A_M
    assert los_clear(geo, beyond + 1e3 * up)
    assert not los_clear(geo, beyond - 1e3 * up)


def test_wrap_pi():
    np.testing.assert_allclose(
        wrap_pi([0.0, np.pi + 0.1, -np.pi - 0.1, 2 * np.pi - 0.01]),
        [0.0, -np.pi + 0.1, np.pi - 0.1, -0.01],
        atol=1e-12,
    )
