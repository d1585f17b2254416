"""Geodesy wrappers against GeographicLib's own Python implementation (independent of PROJ's C
port) and against the worked examples in the GeographicLib documentation."""

import numpy as np
import pytest
from geographiclib.geodesic import Geodesic

from launchwatch.earth import geodesy

GEOD = Geodesic.WGS84


def test_documented_examples():
    # GeographicLib Python docs, "Examples": Wellington NZ to Salamanca, Spain, 19959679.267 m;
    # 20000 km south-west of Perth, Australia lands at (32.11195529 N, 63.95925278 W).
    _, _, dist = geodesy.inverse(-41.32, 174.81, 40.96, -5.50)
    assert dist == pytest.approx(19_959_679.267, abs=1e-3)
    lat, lon, _ = geodesy.direct(-32.06, 115.74, 225.0, 20_000e3)
    assert lat == pytest.approx(32.11195529, abs=1e-8)
    assert lon == pytest.approx(-63.95925278, abs=1e-8)


def test_inverse_and_direct_match_geographiclib_vectorized():
    rng = np.random.default_rng(11)
    n = 200
    lat1, lat2 = rng.uniform(-90, 90, (2, n))
    lon1, lon2 = rng.uniform(-180, 180, (2, n))
    az, baz, dist = geodesy.inverse(lat1, lon1, lat2, lon2)
    assert az.shape == baz.shape == dist.shape == (n,)
    az_d = rng.uniform(-180, 180, n)
    s = rng.uniform(0, 2e7, n)
    lat_d, lon_d, baz_d = geodesy.direct(lat1, lon1, az_d, s)
    for i in range(n):
        ref = GEOD.Inverse(lat1[i], lon1[i], lat2[i], lon2[i])
        assert dist[i] == pytest.approx(ref["s12"], abs=1e-6)
        if ref["s12"] > 1.0:  # azimuths are ill-defined for coincident points
            assert np.cos(np.radians(az[i] - ref["azi1"])) == pytest.approx(1.0, abs=1e-12)
            # back azimuth points from 2 to 1: the reverse of GeographicLib's forward azi2
            assert np.cos(np.radians(baz[i] - ref["azi2"] - 180.0)) == pytest.approx(1.0, abs=1e-12)
        ref = GEOD.Direct(lat1[i], lon1[i], az_d[i], s[i])
        assert lat_d[i] == pytest.approx(ref["lat2"], abs=1e-9)
        assert np.cos(np.radians(lon_d[i] - ref["lon2"])) == pytest.approx(1.0, abs=1e-12)


def test_scalar_and_broadcast_inputs():
    az, baz, dist = geodesy.inverse(39.8, 124.9, 40.5, 134.0)
    assert np.ndim(dist) == 0 and 7e5 < dist < 9e5
    _, _, dist = geodesy.inverse(39.8, 124.9, np.array([[40.5], [41.0]]), np.array([130.0, 134.0]))
    assert dist.shape == (2, 2)


def test_great_circle_points_lie_on_the_geodesic():
    lat, lon = geodesy.great_circle_points([39.8, -10.0], [124.9, 0.0], 40.5, [134.0, 170.0], 11)
    assert lat.shape == lon.shape == (2, 11)
    np.testing.assert_allclose(lat[:, 0], [39.8, -10.0])
    np.testing.assert_allclose(lat[:, -1], [40.5, 40.5], atol=1e-9)
    np.testing.assert_allclose(lon[:, -1], [134.0, 170.0], atol=1e-9)
    for k in range(2):
        total = GEOD.Inverse(lat[k, 0], lon[k, 0], lat[k, -1], lon[k, -1])["s12"]
        steps = [
            GEOD.Inverse(lat[k, j], lon[k, j], lat[k, j + 1], lon[k, j + 1])["s12"]
            for j in range(10)
        ]
        np.testing.assert_allclose(steps, total / 10, rtol=1e-9)  # equally spaced
        assert sum(steps) == pytest.approx(total, rel=1e-12)  # ...and on the shortest path


def test_bad_input_is_a_clear_error():
    with pytest.raises(ValueError, match="lat1_deg"):
        geodesy.inverse(91.0, 0.0, 0.0, 0.0)
    with pytest.raises(ValueError, match="lat_deg"):
        geodesy.direct(-95.0, 0.0, 0.0, 1.0)
    with pytest.raises(ValueError, match="npts"):
        geodesy.great_circle_points(0.0, 0.0, 1.0, 1.0, 1)


def _curved_paths(lat0, lon0, az0, n_paths, n_pts, step_m, rng):
    """Ground tracks (n_paths, n_pts) from (lat0, lon0): a geodesic on a heading near ``az0``
    bent sideways by a quadratic offset (as a rotating Earth bends a ballistic track), each
    cut at a random length (NaN after)."""
    s = step_m * np.arange(n_pts) ** 1.5 / np.sqrt(n_pts)  # slow start, as a climb
    az = az0 + rng.uniform(-20.0, 20.0, (n_paths, 1))
    lat, lon, baz = geodesy.direct(lat0, lon0, az, s)
    bend = rng.uniform(-2e-7, 2e-7, (n_paths, 1)) * s**2
    lat, lon, _ = geodesy.direct(lat, lon, baz + 180.0 + 90.0, bend)
    cut = rng.integers(2, n_pts + 1, n_paths)
    gone = np.arange(n_pts) >= cut[:, None]
    lat[gone] = lon[gone] = np.nan
    return lat, lon


@pytest.mark.parametrize(
    "lat0, lon0, az0",
    [(39.66, 124.7, 90.0), (40.9, 129.7, 175.0), (-35.0, 150.0, 300.0), (68.0, 179.5, 40.0)],
)
def test_distances_from_match_the_exact_geodesic_along_paths(lat0, lon0, az0):
    # 1 s climbs like the corridor fan's: 400 points, up to ~2,500 km from the start, across
    # the date line for the last case; the bound is the docstring's
    rng = np.random.default_rng(5)
    lat, lon = _curved_paths(lat0, lon0, az0, 60, 400, 6.25e3, rng)
    d = geodesy.distances_from(lat0, lon0, lat, lon)
    ok = np.isfinite(lat)
    _, _, exact = geodesy.inverse(lat0, lon0, lat[ok], lon[ok])
    assert d.shape == lat.shape
    assert np.array_equal(np.isnan(d), ~ok)
    assert np.max(np.abs(d[ok] - exact)) < 0.02
    assert np.max(exact) > 2.0e6
    # every 16th point and each path's last one is exact
    knots = ok & ((np.arange(400) % 16 == 0) | (np.arange(400) == ok.sum(axis=1)[:, None] - 1))
    _, _, ek = geodesy.inverse(lat0, lon0, lat[knots], lon[knots])
    assert np.array_equal(d[knots], ek)


@pytest.mark.parametrize("lat0, lon0, az0", [(39.66, 124.7, 90.0), (68.0, 179.5, 40.0)])
def test_path_distances_at_points_are_the_tables_floats(lat0, lon0, az0):
    """``PathDistances.at`` computes only the points asked for (and their knots) and gives the
    very floats of ``distances_from``'s whole table there: at every point, at random points in
    any order and repeated, at knots and at the paths' last points."""
    rng = np.random.default_rng(7)
    lat, lon = _curved_paths(lat0, lon0, az0, 40, 400, 6.25e3, rng)
    table = geodesy.distances_from(lat0, lon0, lat, lon)
    dist = geodesy.PathDistances(lat0, lon0, lat, lon)
    rows, cols = np.indices(lat.shape)
    assert np.array_equal(dist.at(rows, cols), table, equal_nan=True)
    for _ in range(5):
        r, c = rng.integers(0, 40, 300), rng.integers(0, 400, 300)
        assert np.array_equal(dist.at(r, c), table[r, c], equal_nan=True)
    last = np.isfinite(lat).sum(axis=1) - 1
    assert np.array_equal(dist.at(np.arange(40), last), table[np.arange(40), last])
    assert np.array_equal(dist.table(), table, equal_nan=True)


def test_path_distances_with_gaps_read_the_whole_table():
    """Paths whose NaN points are not all at the end: the same floats, from the whole table."""
    rng = np.random.default_rng(8)
    lat, lon = _curved_paths(39.66, 124.7, 90.0, 10, 100, 6.25e3, rng)
    lat[:, 20:25] = np.nan
    table = geodesy.distances_from(39.66, 124.7, lat, lon)
    rows, cols = np.indices(lat.shape)
    got = geodesy.PathDistances(39.66, 124.7, lat, lon).at(rows, cols)
    assert np.array_equal(got, table, equal_nan=True)


def test_path_distances_of_points_read_only_the_points_asked_for():
    """``PathDistances.of_points`` (the points computed where read): the floats of the paths
    given as arrays, at points and whole, asking the function only for finite points, and
    for a match's few points not for the whole paths; with gaps, the whole table at once."""
    rng = np.random.default_rng(9)
    lat, lon = _curved_paths(39.66, 124.7, 90.0, 30, 400, 6.25e3, rng)
    asked = []

    def points(rows, cols):
        asked.append(rows.size)
        assert np.isfinite(lat[rows, cols]).all()
        return lat[rows, cols], lon[rows, cols]

    want = geodesy.PathDistances(39.66, 124.7, lat, lon)
    dist = geodesy.PathDistances.of_points(39.66, 124.7, points, np.isfinite(lat))
    assert asked == []
    r, c = rng.integers(0, 30, 60), rng.integers(0, 400, 60)
    assert np.array_equal(dist.at(r, c), want.at(r, c), equal_nan=True)
    assert sum(asked) <= 3 * 60
    rows, cols = np.indices(lat.shape)
    assert np.array_equal(dist.at(rows, cols), want.table(), equal_nan=True)
    assert np.array_equal(dist.table(), want.table(), equal_nan=True)
    lat[:, 20:25] = np.nan
    gaps = geodesy.PathDistances.of_points(39.66, 124.7, points, np.isfinite(lat))
    want = geodesy.distances_from(39.66, 124.7, lat, lon)
    assert np.array_equal(gaps.at(rows, cols), want, equal_nan=True)


def test_distances_from_edge_cases():
    assert geodesy.distances_from(40.0, 130.0, 40.0, 130.0) == 0.0
    _, _, ref = geodesy.inverse(40.0, 130.0, 41.0, 131.0)
    assert geodesy.distances_from(40.0, 130.0, 41.0, 131.0) == ref  # one point: a knot
    assert np.isnan(geodesy.distances_from(40.0, 130.0, [np.nan], [1.0])).all()
    assert geodesy.distances_from(40.0, 130.0, np.zeros((2, 0)), np.zeros((2, 0))).shape == (2, 0)
    with pytest.raises(ValueError):
        geodesy.distances_from(91.0, 0.0, 0.0, 0.0)
    with pytest.raises(ValueError):
        geodesy.distances_from(0.0, 0.0, 0.0, 0.0, every=0)
