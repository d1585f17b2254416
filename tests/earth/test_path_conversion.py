"""The paths' geodetic conversion (frames.eci_positions_to_geodetic_deg): a numba pass of
rotation and Bowring steps, then numpy's vectorized arctangents, in place on (3, N, T)."""

import numpy as np
import pytest

from launchwatch.earth import frames as fr
from launchwatch.earth.constants import OMEGA_RAD_S


def _grid(n, t_count, seed, nan_from=None):
    rng = np.random.default_rng(seed)
    lat = rng.uniform(-1.57, 1.57, (n, t_count))
    lon = rng.uniform(-np.pi, np.pi, (n, t_count))
    h = rng.uniform(-10e3, 3e6, (n, t_count))
    t = np.linspace(0.0, 2400.0, t_count)
    eci = fr.ecef_to_eci(fr.geodetic_to_ecef(lat, lon, h), t)
    if nan_from is not None:  # paths after their impacts
        eci[np.arange(t_count)[None, :] >= nan_from[:, None]] = np.nan
    return eci, t


@pytest.mark.parametrize("n", [50, 3000])  # the serial and the parallel pass
def test_conversion_matches_the_closed_form_and_keeps_nan(n):
    """Against rotation + Vermeille's closed form (frames.ecef_to_geodetic; PROJ's inverse is
    one Bowring step, centimetres off at 3,000 km)."""
    rng = np.random.default_rng(1)
    eci, t = _grid(n, 80, seed=n, nan_from=rng.integers(0, 81, n))
    p = np.ascontiguousarray(np.moveaxis(eci, -1, 0))
    out = fr.eci_positions_to_geodetic_deg(p, t)
    assert out is p
    gone = np.isnan(eci[..., 0])
    assert gone.any() and (~gone).any()
    for q in out:
        np.testing.assert_array_equal(np.isnan(q), gone)
    ecef = fr.eci_to_ecef(eci[~gone], np.broadcast_to(t, gone.shape)[~gone])
    lat, lon, h = fr.ecef_to_geodetic(ecef)
    lat, lon = np.degrees(lat), np.degrees(lon)
    np.testing.assert_allclose(out[0][~gone], lat, rtol=0, atol=1e-11)
    dlon = (out[1][~gone] - lon + 180.0) % 360.0 - 180.0
    assert np.abs(dlon).max() < 1e-11
    np.testing.assert_allclose(out[2][~gone], h, rtol=0, atol=1e-6)


def test_grid_wrapper_and_in_place_conversion_agree_bit_for_bit():
    eci, t = _grid(40, 30, seed=7)
    eci = np.concatenate([eci, np.ones_like(eci)], axis=-1)  # velocities are ignored
    got = fr.eci_grid_to_geodetic_deg(eci, t, OMEGA_RAD_S)
    p = fr.eci_positions_to_geodetic_deg(np.ascontiguousarray(np.moveaxis(eci[..., :3], -1, 0)), t)
    for a, b in zip(got, p, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("serial", [False, True])
def test_rows_converted_in_parts_equal_the_whole(serial):
    eci, t = _grid(3000, 70, seed=5, nan_from=np.random.default_rng(6).integers(0, 71, 3000))
    whole = fr.eci_positions_to_geodetic_deg(np.ascontiguousarray(np.moveaxis(eci, -1, 0)), t)
    p = np.ascontiguousarray(np.moveaxis(eci, -1, 0))
    for rows in ((0, 1100), (1100, 1100), (1100, 3000)):
        fr.eci_positions_to_geodetic_deg(p, t, rows=rows, serial=serial)
    np.testing.assert_array_equal(p, whole)


def test_degrees_are_numpys_own():
    """The conversion multiplies by 180 / pi: np.degrees bit for bit."""
    x = np.random.default_rng(2).uniform(-np.pi, np.pi, 100_000)
    np.testing.assert_array_equal(x * (180.0 / np.pi), np.degrees(x))


def test_bad_shapes_raise():
    with pytest.raises(ValueError, match="3, N, T"):
        fr.eci_positions_to_geodetic_deg(np.zeros((2, 4, 5)), np.zeros(5))
    with pytest.raises(ValueError, match="3, N, T"):
        fr.eci_positions_to_geodetic_deg(np.zeros((3, 4, 5), order="F"), np.zeros(5))
    with pytest.raises(ValueError, match="rows"):
        fr.eci_positions_to_geodetic_deg(np.zeros((3, 4, 5)), np.zeros(5), rows=(2, 5))
    with pytest.raises(ValueError, match="t_s"):
        fr.eci_positions_to_geodetic_deg(np.zeros((3, 4, 5)), np.zeros(4))
