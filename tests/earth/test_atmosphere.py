"""US Standard Atmosphere 1976 table: published values, an independent implementation of the
standard's lower-atmosphere equations, and (when installed) the ussa1976 package."""

import os
import subprocess
import sys

import numpy as np
import pytest

from launchwatch.earth import atmosphere as atm

# U.S. Standard Atmosphere 1976 (NOAA-S/T 76-1562), Table 4 and eqs. 18, 23, 33a/b, 42, 50.
G0, M0, R_STAR, R0_M, GAMMA = 9.80665, 0.0289644, 8.31432, 6_356_766.0, 1.40
LAYER_BASE_H_M = [0.0, 11e3, 20e3, 32e3, 47e3, 51e3, 71e3]
LAPSE_K_M = [-6.5e-3, 0.0, 1.0e-3, 2.8e-3, 0.0, -2.8e-3, -2.0e-3]


def standard_below_80_km(z_m):
    """(T K, p Pa, rho kg/m^3, a m/s) at geometric z_m < 80 km, straight from the standard."""
    h = R0_M * z_m / (R0_M + z_m)  # geopotential altitude, eq. 18
    t_b, p_b = 288.15, 101_325.0
    for k, (h_b, lapse) in enumerate(zip(LAYER_BASE_H_M, LAPSE_K_M, strict=True)):
        h_top = LAYER_BASE_H_M[k + 1] if k + 1 < len(LAYER_BASE_H_M) else np.inf
        dh = min(h, h_top) - h_b
        t = t_b + lapse * dh
        if lapse == 0.0:
            p = p_b * np.exp(-G0 * M0 * dh / (R_STAR * t_b))
        else:
            p = p_b * (t_b / t) ** (G0 * M0 / (R_STAR * lapse))
        if h <= h_top:
            return t, p, p * M0 / (R_STAR * t), np.sqrt(GAMMA * R_STAR * t / M0)
        t_b, p_b = t, p
    raise AssertionError("unreachable")


def test_sea_level():
    # Standard sea level: 288.15 K, 101325 Pa, 1.2250 kg/m^3, 340.29 m/s.
    assert atm.temperature(0.0) == pytest.approx(288.15, abs=1e-9)
    assert atm.pressure(0.0) == pytest.approx(101_325.0, abs=1e-6)
    assert atm.density(0.0) == pytest.approx(1.2250, abs=5e-5)
    assert atm.speed_of_sound(0.0) == pytest.approx(340.29, abs=5e-3)


def test_tropopause_11_km_geopotential():
    # Base of the standard's layer 1, H = 11 km geopotential (z = 11,019.07 m geometric):
    # T = 216.65 K, p = 22632 Pa, rho = 0.36392 kg/m^3. This sits on the lapse-rate break, the
    # worst place for linear interpolation on a 250 m grid; the error there is ~5e-4.
    z = R0_M * 11e3 / (R0_M - 11e3)
    assert atm.temperature(z) == pytest.approx(216.65, rel=1e-3)
    assert atm.pressure(z) == pytest.approx(22_632.0, rel=1e-4)
    assert atm.density(z) == pytest.approx(0.36392, rel=1e-3)


def test_grid_nodes_match_the_standard_equations():
    for z in np.arange(0.0, 80e3, 250.0 * 7):
        t, p, rho, a = standard_below_80_km(z)
        assert atm.temperature(z) == pytest.approx(t, rel=1e-6)
        assert atm.pressure(z) == pytest.approx(p, rel=1e-5)
        assert atm.density(z) == pytest.approx(rho, rel=1e-5)
        assert atm.speed_of_sound(z) == pytest.approx(a, rel=1e-6)


def test_between_nodes_matches_the_standard_equations():
    rng = np.random.default_rng(12)
    z = rng.uniform(0.0, 80e3, 500)
    ref = np.array([standard_below_80_km(zi) for zi in z])
    got = np.stack([atm.temperature(z), atm.pressure(z), atm.density(z), atm.speed_of_sound(z)], 1)
    assert np.abs(got / ref - 1.0).max() < 1e-3


def test_against_ussa1976_package():
    ussa1976 = pytest.importorskip("ussa1976")
    rng = np.random.default_rng(13)
    z = np.sort(np.concatenate([rng.uniform(0.0, 1e6, 3000), [0.0, 86e3, 86.1e3, 1e6]]))
    ds = ussa1976.compute(z=z, variables=["t", "p", "rho", "cs"])
    for ours, name in [(atm.temperature, "t"), (atm.pressure, "p"), (atm.density, "rho")]:
        assert np.abs(ours(z) / ds[name].values - 1.0).max() < 5e-3, name
    cs = ds["cs"].values
    defined = np.isfinite(cs)  # the standard defines sound speed only up to 86 km
    assert defined.sum() > 100
    assert np.abs(atm.speed_of_sound(z[defined]) / cs[defined] - 1.0).max() < 5e-3


def test_density_and_pressure_decrease_monotonically():
    z = np.linspace(0.0, 1e6, 40_001)
    assert np.all(np.diff(atm.density(z)) < 0.0)
    assert np.all(np.diff(atm.pressure(z)) < 0.0)


def test_out_of_range_and_shapes():
    z = np.array([[-500.0, 0.0], [1e6, 1.5e6]])
    rho, a = atm.density(z), atm.speed_of_sound(z)
    assert rho.shape == a.shape == (2, 2)
    assert rho[0, 0] == rho[0, 1] and a[0, 0] == a[0, 1]  # clamped to sea level
    assert rho[1, 1] == 0.0 and atm.pressure(2e6) == 0.0
    assert a[1, 1] == a[1, 0] and atm.temperature(5e6) == atm.temperature(1e6)
    assert np.isnan(atm.density(np.nan)) and np.isnan(atm.speed_of_sound(np.nan))
    assert np.ndim(atm.density(1e3)) == 0


def test_numba_scalar_agrees_with_vectorized():
    logrho, a_tab, h0, dh = atm.atmosphere_tables()
    rng = np.random.default_rng(14)
    z = np.concatenate(
        [
            rng.uniform(-1e3, 1.1e6, 2000),
            np.arange(0.0, 1e6 + 1, 50e3),
            [-1e-9, 1e6 - 1e-6, 1e6 + 1e-6],
        ]
    )
    rho_v, a_v = atm.density(z), atm.speed_of_sound(z)
    for zi, rv, av in zip(z, rho_v, a_v, strict=True):
        rho_s, a_s = atm.density_sound_njit(zi, logrho, a_tab, h0, dh)
        assert rho_s == pytest.approx(rv, rel=1e-13, abs=0.0)
        assert a_s == pytest.approx(av, rel=1e-13)
    rho_n, a_n = atm.density_sound_njit(np.nan, logrho, a_tab, h0, dh)
    assert np.isnan(rho_n) and np.isnan(a_n)


def test_exp_free_kernel_lookup_agrees_with_the_exp_form():
    rho_t, dlog_t, a_tab, h0, dh = atm.kernel_tables()
    rng = np.random.default_rng(15)
    z = np.concatenate([rng.uniform(-1e3, 1.1e6, 4000), np.arange(0.0, 1e6 + 1, 250.0 / 3)])
    rho_v, a_v = atm.density(z), atm.speed_of_sound(z)
    worst = 0.0
    for zi, rv, av in zip(z, rho_v, a_v, strict=True):
        rho_s, a_s = atm.density_sound_poly_njit(zi, rho_t, dlog_t, a_tab, h0, dh)
        if rv > 0.0:
            worst = max(worst, abs(rho_s / rv - 1.0))
        else:
            assert rho_s == 0.0
        assert a_s == pytest.approx(av, rel=1e-13)
    assert worst < 2e-11  # the degree-5 polynomial for exp of |x| <= 0.046
    rho_n, a_n = atm.density_sound_poly_njit(np.nan, rho_t, dlog_t, a_tab, h0, dh)
    assert np.isnan(rho_n) and np.isnan(a_n)


def test_runtime_does_not_import_ussa1976():
    code = "import sys, launchwatch.earth.atmosphere; assert 'ussa1976' not in sys.modules"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=120)
