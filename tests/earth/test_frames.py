"""Frames: geodetic/ECEF against PROJ (EPSG:4979 <-> EPSG:4978), ENU against PROJ topocentric,
AER against an independent construction from the ellipsoid normal, ECI/ECEF against a finite
difference of the rotation."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numba import njit
from pyproj import Transformer

from launchwatch.earth import frames as fr
from launchwatch.earth.constants import A_M, B_M, OMEGA_RAD_S

MM = 1e-3
TO_ECEF = Transformer.from_crs("EPSG:4979", "EPSG:4978")  # WGS84 3-D geographic (deg) -> ECEF
TO_GEO = Transformer.from_crs("EPSG:4978", "EPSG:4979")


def random_geodetic(n, h_low, h_high, seed):
    rng = np.random.default_rng(seed)
    lat = np.arcsin(rng.uniform(-1.0, 1.0, n))  # uniform on the sphere
    lon = rng.uniform(-np.pi, np.pi, n)
    h = rng.uniform(h_low, h_high, n)
    return lat, lon, h


def horizontal_error_m(lat, lon, lat_ref, lon_ref, h):
    dlon = np.angle(np.exp(1j * (lon - lon_ref)))
    return (A_M + h) * np.hypot(lat - lat_ref, np.cos(lat_ref) * dlon)


def test_known_points():
    np.testing.assert_allclose(fr.geodetic_to_ecef(0.0, 0.0, 0.0), [A_M, 0.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(fr.geodetic_to_ecef(np.pi / 2, 0.0, 0.0), [0, 0, B_M], atol=1e-9)
    np.testing.assert_allclose(
        fr.geodetic_to_ecef(-np.pi / 2, 1.0, 10.0), [0, 0, -B_M - 10.0], atol=1e-9
    )
    lat, lon, h = fr.ecef_to_geodetic([0.0, 0.0, B_M + 1000.0])
    assert lat == pytest.approx(np.pi / 2, abs=1e-15) and h == pytest.approx(1000.0, abs=1e-8)
    lat, lon, h = fr.ecef_to_geodetic([0.0, -A_M - 5.0, 0.0])
    assert lat == 0.0 and lon == pytest.approx(-np.pi / 2) and h == pytest.approx(5.0, abs=1e-8)


@pytest.mark.parametrize(("h_low", "h_high"), [(-10e3, 100e3), (100e3, 2e6), (2e6, 5e7)])
def test_forward_matches_proj(h_low, h_high):
    lat, lon, h = random_geodetic(20_000, h_low, h_high, seed=1)
    ref = np.stack(TO_ECEF.transform(np.degrees(lat), np.degrees(lon), h), axis=-1)
    assert np.abs(fr.geodetic_to_ecef(lat, lon, h) - ref).max() < MM


@pytest.mark.parametrize(("h_low", "h_high"), [(-10e3, 100e3), (100e3, 2e6), (2e6, 5e7)])
def test_inverse_recovers_truth_from_proj_ecef(h_low, h_high):
    """PROJ's forward transform is exact, so (lat, lon, h) -> PROJ ECEF -> ours must return them."""
    lat, lon, h = random_geodetic(20_000, h_low, h_high, seed=2)
    xyz = np.stack(TO_ECEF.transform(np.degrees(lat), np.degrees(lon), h), axis=-1)
    lat2, lon2, h2 = fr.ecef_to_geodetic(xyz)
    assert np.abs(h2 - h).max() < MM
    assert horizontal_error_m(lat2, lon2, lat, lon, h).max() < MM


def test_inverse_matches_proj_inverse_below_100_km():
    # PROJ's inverse is Bowring's one-step formula: sub-mm only up to ~100 km (0.3 m at GEO), so
    # the direct comparison is limited to that band; higher heights are covered above.
    lat, lon, h = random_geodetic(20_000, -10e3, 100e3, seed=3)
    xyz = fr.geodetic_to_ecef(lat, lon, h)
    lat_p, lon_p, h_p = TO_GEO.transform(xyz[:, 0], xyz[:, 1], xyz[:, 2])
    lat2, lon2, h2 = fr.ecef_to_geodetic(xyz)
    assert np.abs(h2 - h_p).max() < MM
    assert horizontal_error_m(lat2, lon2, np.radians(lat_p), np.radians(lon_p), h).max() < MM


@settings(max_examples=300, deadline=None)
@given(
    lat=st.floats(-np.pi / 2, np.pi / 2),
    lon=st.floats(-np.pi, np.pi),
    h=st.floats(-10e3, 5e7),
)
def test_round_trip_hypothesis(lat, lon, h):
    lat2, lon2, h2 = fr.ecef_to_geodetic(fr.geodetic_to_ecef(lat, lon, h))
    assert abs(h2 - h) < MM
    assert horizontal_error_m(lat2, lon2, lat, lon, h) < MM


def test_shapes_and_broadcasting():
    assert fr.geodetic_to_ecef(0.1, 0.2, 3.0).shape == (3,)
    lat = np.linspace(-1.0, 1.0, 4)[:, None]
    lon = np.linspace(-3.0, 3.0, 5)
    xyz = fr.geodetic_to_ecef(lat, lon, 100.0)
    assert xyz.shape == (4, 5, 3)
    lat2, lon2, h2 = fr.ecef_to_geodetic(xyz)
    assert lat2.shape == lon2.shape == h2.shape == (4, 5)
    np.testing.assert_allclose(h2, 100.0, atol=1e-6)
    np.testing.assert_allclose(lat2, np.broadcast_to(lat, (4, 5)), atol=1e-12)
    with pytest.raises(ValueError, match="shape"):
        fr.ecef_to_geodetic(np.zeros((4, 2)))


def test_ecef_to_height_is_ecef_to_geodetic_height_bit_for_bit():
    """``ecef_to_height`` (the heights alone) gives ``ecef_to_geodetic``'s heights, the same
    floats, on points from under the surface to beyond GEO, on a strided view too (NaN stays
    NaN)."""
    lat, lon, h = random_geodetic(5000, -10e3, 5e7, seed=7)
    xyz = fr.geodetic_to_ecef(lat, lon, h)
    xyz[::37] = np.nan
    want = fr.ecef_to_geodetic(xyz)[2]
    assert np.array_equal(fr.ecef_to_height(xyz), want, equal_nan=True)
    wide = np.concatenate([xyz, np.zeros_like(xyz)], axis=1)[:, :3]  # not contiguous
    assert np.array_equal(fr.ecef_to_height(wide), want, equal_nan=True)
    assert fr.ecef_to_height(xyz[:20].reshape(4, 5, 3)).shape == (4, 5)
    where = np.isfinite(xyz[:, 0]) & (np.arange(xyz.shape[0]) % 3 > 0)
    got = fr.ecef_to_height(wide, where=where)
    assert np.array_equal(got[where], want[where]) and np.all(np.isnan(got[~where]))
    with pytest.raises(ValueError, match="shape"):
        fr.ecef_to_height(np.zeros((4, 2)))


def test_eci_states_to_ecef_parts_is_eci_states_to_ecef_bit_for_bit():
    """The positions and the first velocities written apart are ``eci_states_to_ecef``'s
    floats (NaN stays NaN); shapes are checked."""
    rng = np.random.default_rng(11)
    lat, lon, h = random_geodetic(4 * 50, 0.0, 2e6, seed=12)
    r = fr.geodetic_to_ecef(lat, lon, h).reshape(4, 50, 3)
    st = np.concatenate([r, rng.normal(0.0, 3e3, r.shape)], axis=-1)
    st[1, 30:] = np.nan
    t = np.linspace(0.0, 600.0, 50)
    want = fr.eci_states_to_ecef(st, t)
    r_out, v_out = np.empty((4, 50, 3)), np.empty((4, 20, 3))
    fr.eci_states_to_ecef_parts(st, t, r_out, v_out)
    assert np.array_equal(r_out, want[..., :3], equal_nan=True)
    assert np.array_equal(v_out, want[:, :20, 3:], equal_nan=True)
    with pytest.raises(ValueError):
        fr.eci_states_to_ecef_parts(st, t, np.empty((4, 49, 3)), v_out)
    with pytest.raises(ValueError):
        fr.eci_states_to_ecef_parts(st, t, r_out, np.empty((4, 51, 3)))


def test_numba_scalar_helpers_match_and_compile_in_kernels():
    @njit
    def heights(xyz):
        out = np.empty(xyz.shape[0])
        for i in range(xyz.shape[0]):
            p = np.sqrt(xyz[i, 0] ** 2 + xyz[i, 1] ** 2)
            lat, h = fr.geodetic_lat_height(p, xyz[i, 2])
            out[i] = fr.geodetic_height_m(p, xyz[i, 2]) - h + lat * 0.0
        return out

    lat, lon, h = random_geodetic(500, -10e3, 5e7, seed=4)
    xyz = fr.geodetic_to_ecef(lat, lon, h)
    assert np.all(heights(xyz) == 0.0)
    lat_v, _, h_v = fr.ecef_to_geodetic(xyz)
    for i in range(0, 500, 7):
        lat_s, h_s = fr.geodetic_lat_height(np.hypot(xyz[i, 0], xyz[i, 1]), xyz[i, 2])
        assert lat_s == pytest.approx(lat_v[i], abs=1e-14)
        assert h_s == pytest.approx(h_v[i], abs=1e-7)
        assert abs(h_s - h[i]) < MM


def test_enu_matrix_is_a_proper_rotation():
    lat, lon, _ = random_geodetic(100, 0, 1, seed=5)
    m = fr.enu_matrix(lat, lon)
    assert m.shape == (100, 3, 3)
    np.testing.assert_allclose(
        m @ np.swapaxes(m, -1, -2), np.broadcast_to(np.eye(3), m.shape), atol=1e-15
    )
    np.testing.assert_allclose(np.linalg.det(m), 1.0, atol=1e-14)


@pytest.mark.parametrize("origin", [(37.5, 127.0, 100.0), (-80.0, -170.0, -50.0), (0.0, 0.0, 0.0)])
def test_enu_matches_proj_topocentric(origin):
    lat0, lon0, h0 = origin
    topo = Transformer.from_pipeline(
        f"+proj=pipeline +step +proj=topocentric +ellps=WGS84 +lat_0={lat0} +lon_0={lon0} +h_0={h0}"
    )
    lat, lon, h = random_geodetic(1000, 0.0, 2e6, seed=6)
    xyz = fr.geodetic_to_ecef(lat, lon, h)
    ref = np.stack(topo.transform(xyz[:, 0], xyz[:, 1], xyz[:, 2]), axis=-1)
    enu = fr.ecef_to_enu(xyz, np.radians(lat0), np.radians(lon0), h0)
    assert np.abs(enu - ref).max() < MM
    back = fr.enu_to_ecef(enu, np.radians(lat0), np.radians(lon0), h0)
    assert np.abs(back - xyz).max() < MM


def test_aer_against_ellipsoid_normal_construction():
    lat0, lon0, h0 = random_geodetic(300, -100.0, 3000.0, seed=8)
    xyz_t = fr.geodetic_to_ecef(*random_geodetic(300, 0.0, 1.5e6, seed=9))
    # Independent local frame: up is the gradient of x^2/a^2 + y^2/a^2 + z^2/b^2 at the foot
    # point, north is the projection of the polar axis onto the tangent plane.
    foot = fr.geodetic_to_ecef(lat0, lon0, 0.0)
    up = foot / np.array([A_M**2, A_M**2, B_M**2])
    up /= np.linalg.norm(up, axis=-1, keepdims=True)
    north = np.array([0.0, 0.0, 1.0]) - up * up[:, 2:3]
    north /= np.linalg.norm(north, axis=-1, keepdims=True)
    east = np.cross(north, up)
    d = xyz_t - fr.geodetic_to_ecef(lat0, lon0, h0)
    rng_ref = np.linalg.norm(d, axis=-1)
    az_ref = np.mod(np.arctan2(np.sum(d * east, -1), np.sum(d * north, -1)), 2 * np.pi)
    el_ref = np.arcsin(np.sum(d * up, -1) / rng_ref)
    az, el, r = fr.ecef_to_aer(xyz_t, lat0, lon0, h0)
    assert np.all((az >= 0.0) & (az < 2 * np.pi))
    np.testing.assert_allclose(r, rng_ref, rtol=1e-12)
    assert np.abs(np.angle(np.exp(1j * (az - az_ref)))).max() < 1e-9
    assert np.abs(el - el_ref).max() < 1e-9
    back = fr.aer_to_ecef(az, el, r, lat0, lon0, h0)
    assert np.abs(back - xyz_t).max() < MM


def test_aer_known_geometry():
    lat0, lon0 = np.radians(40.0), np.radians(125.0)
    above = fr.geodetic_to_ecef(lat0, lon0, 5000.0)
    az, el, r = fr.ecef_to_aer(above, lat0, lon0, 1000.0)
    assert el == pytest.approx(np.pi / 2) and r == pytest.approx(4000.0)
    east_pt = fr.enu_to_ecef([1000.0, 0.0, 0.0], lat0, lon0, 0.0)
    az, el, r = fr.ecef_to_aer(east_pt, lat0, lon0, 0.0)
    assert az == pytest.approx(np.pi / 2) and el == pytest.approx(0.0, abs=1e-12)
    west_pt = fr.aer_to_ecef(np.radians(270.0), 0.1, 2e5, lat0, lon0, 0.0)
    az, el, r = fr.ecef_to_aer(west_pt, lat0, lon0, 0.0)
    assert az == pytest.approx(1.5 * np.pi) and el == pytest.approx(0.1) and r == pytest.approx(2e5)


def test_eci_ecef_rotation_and_velocity():
    rng = np.random.default_rng(10)
    r_eci = rng.normal(size=(50, 3)) * 7e6
    v_eci = rng.normal(size=(50, 3)) * 5e3
    t = rng.uniform(0.0, 86400.0, 50)
    r0 = fr.eci_to_ecef(r_eci, 0.0)
    np.testing.assert_array_equal(r0, r_eci)  # frames coincide at t = 0
    r_ecef, v_ecef = fr.eci_to_ecef(r_eci, t, v_eci=v_eci)
    assert r_ecef.shape == v_ecef.shape == (50, 3)
    r_back, v_back = fr.ecef_to_eci(r_ecef, t, v_ecef=v_ecef)
    np.testing.assert_allclose(r_back, r_eci, atol=1e-6)
    np.testing.assert_allclose(v_back, v_eci, atol=1e-9)
    # A quarter turn of the Earth: the inertial x axis is seen along ECEF -y.
    quarter = 0.5 * np.pi / OMEGA_RAD_S
    np.testing.assert_allclose(fr.eci_to_ecef([1.0, 0.0, 0.0], quarter), [0, -1, 0], atol=1e-12)
    np.testing.assert_allclose(
        fr.eci_to_ecef([1.0, 0.0, 0.0], 0.0, theta0_rad=np.pi / 2), [0, -1, 0], atol=1e-12
    )
    # v_ecef is the time derivative of r_ecef along the inertial straight line r + v t.
    dt = 1e-3
    plus = fr.eci_to_ecef(r_eci + v_eci * dt, t + dt)
    minus = fr.eci_to_ecef(r_eci - v_eci * dt, t - dt)
    np.testing.assert_allclose((plus - minus) / (2 * dt), v_ecef, rtol=0, atol=1e-4)
    # A point fixed on the Earth moves at omega x r in inertial space.
    site = fr.geodetic_to_ecef(0.3, 2.0, 0.0)
    r_i, v_i = fr.ecef_to_eci(site, 1234.0, v_ecef=np.zeros(3))
    np.testing.assert_allclose(v_i, np.cross([0, 0, OMEGA_RAD_S], r_i), atol=1e-12)
    # t broadcasting: one position at many times.
    many = fr.eci_to_ecef(r_eci[0], t)
    assert many.shape == (50, 3)
    np.testing.assert_allclose(np.linalg.norm(many, axis=-1), np.linalg.norm(r_eci[0]), rtol=1e-14)


def test_eci_grid_to_geodetic_matches_the_general_path():
    """The fused path conversion equals rotation + ecef_to_geodetic (and keeps NaN)."""
    rng = np.random.default_rng(3)
    lat = rng.uniform(-1.5, 1.5, (40, 25))
    lon = rng.uniform(-np.pi, np.pi, (40, 25))
    h = rng.uniform(-5e3, 2e6, (40, 25))
    t = np.linspace(0.0, 3000.0, 25)
    ecef = fr.geodetic_to_ecef(lat, lon, h)
    eci = fr.ecef_to_eci(ecef, t)
    eci[3, 10:] = np.nan
    ref_lat, ref_lon, ref_h = fr.ecef_to_geodetic(fr.eci_to_ecef(eci, t))
    got_lat, got_lon, got_h = fr.eci_grid_to_geodetic_deg(
        np.concatenate([eci, np.zeros_like(eci)], axis=-1), t, OMEGA_RAD_S
    )
    np.testing.assert_allclose(got_lat, np.degrees(ref_lat), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(got_lon, np.degrees(ref_lon), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(got_h, ref_h, rtol=1e-12, atol=1e-6)
    assert np.isnan(got_lat[3, 10:]).all() and np.isfinite(got_lat[3, :10]).all()


def test_eci_states_to_ecef_equals_the_general_rotation():
    """States on a common time grid (a propagated batch's samples) -> ECEF: the same floats as
    eci_to_ecef (positions and velocities, NaN kept); bit for bit with OpenBLAS's matrix-vector
    product (the summation order the kernel copies), else within an ulp or two."""
    rng = np.random.default_rng(12)
    t = np.concatenate([np.arange(0.0, 400.0), np.arange(400.0, 3001.0, 10.0)])
    st = np.concatenate(
        [rng.normal(size=(60, t.size, 3)) * 7e6, rng.normal(size=(60, t.size, 3)) * 5e3], axis=-1
    )
    st[4, 100:] = np.nan  # a trajectory after impact
    r_ref, v_ref = fr.eci_to_ecef(st[..., :3], np.broadcast_to(t, st.shape[:2]), v_eci=st[..., 3:])
    got = fr.eci_states_to_ecef(st, t)
    assert got.shape == st.shape
    ref = np.concatenate([r_ref, v_ref], axis=-1)
    assert np.array_equal(np.isnan(got), np.isnan(ref)) and np.isnan(got[4, 100:]).all()
    np.testing.assert_allclose(got, ref, rtol=3e-16, atol=1e-9)
    if "openblas" in str(np.__config__.CONFIG["Build Dependencies"]["blas"]["name"]).lower():
        np.testing.assert_array_equal(got, ref)
    with pytest.raises(ValueError, match="t_s"):
        fr.eci_states_to_ecef(st, t[:-1])


@pytest.mark.parametrize(("h_low", "h_high"), [(-10e3, 100e3), (100e3, 2e6), (2e6, 5e6)])
def test_path_conversion_recovers_truth_from_proj_ecef(h_low, h_high):
    """The paths' conversion (two Bowring steps, eci_point_geodetic_deg) returns the geodetic
    coordinates PROJ's exact forward transform started from, to a micrometre, poles included."""
    lat, lon, h = random_geodetic(20_000, h_low, h_high, seed=4)
    lat[:4] = [np.pi / 2, -np.pi / 2, np.pi / 2 - 1e-9, 0.0]
    xyz = np.stack(TO_ECEF.transform(np.degrees(lat), np.degrees(lon), h), axis=-1)
    t = np.zeros(1)
    got_lat, got_lon, got_h = fr.eci_grid_to_geodetic_deg(xyz[:, None, :], t)
    assert np.abs(got_h[:, 0] - h).max() < 1e-6
    err = horizontal_error_m(np.radians(got_lat[:, 0]), np.radians(got_lon[:, 0]), lat, lon, h)
    assert err.max() < 1e-6
