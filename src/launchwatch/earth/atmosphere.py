"""U.S. Standard Atmosphere 1976, 0 to 1,000 km geometric altitude, by table lookup.

Source: *U.S. Standard Atmosphere, 1976*, NOAA-S/T 76-1562 = NASA-TM-X-74335. The values come
from ``data/ussa1976_table.csv``, generated once by ``scripts/make_atmosphere_table.py`` with the
``ussa1976`` package (see the CSV header for version, grid and measured accuracy). This module
never imports ``ussa1976``; nothing is computed or downloaded at run time.

Altitude ``h_m`` is *geometric* height above mean sea level in metres. Passing the WGS84
ellipsoidal height instead is fine: the geoid separation (at most ~110 m) is far below the
model's meaning as a global annual mean.
The table is on a uniform grid, so a lookup is ``i = int((h - h0) / dh)`` with no search.
Interpolation is linear in ``log(density)`` and ``log(pressure)`` and linear in temperature and
speed of sound; it stays within 0.5 % of the package everywhere from 0 to 1,000 km (measured
6e-4 at worst, at a lapse-rate break). Out of range:

* below 0 m every quantity is clamped to its sea-level value;
* above 1,000 km density and pressure are 0, temperature and sound speed keep their 1,000 km
  values;
* NaN altitudes give NaN.

Above 86 km the standard does not define a speed of sound; the table continues
``sqrt(1.40 R* T / M)`` with the local mean molar mass (see the generator script).
"""

from __future__ import annotations

import math
from importlib import resources
from typing import NamedTuple

import numpy as np
from numba import njit
from numpy.typing import ArrayLike

from .arrays import ArrayOrScalar

__all__ = [
    "density",
    "pressure",
    "temperature",
    "speed_of_sound",
    "density_sound_njit",
    "density_sound_poly_njit",
    "atmosphere_tables",
    "kernel_tables",
    "AtmosphereTables",
    "H_MAX_M",
]

_COLUMNS = ("altitude_m", "temperature_K", "pressure_Pa", "density_kg_m3", "speed_of_sound_m_s")


def _load_table() -> np.ndarray:
    text = (
        resources.files("launchwatch.earth")
        .joinpath("data/ussa1976_table.csv")
        .read_text(encoding="utf-8")
    )
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    if tuple(lines[0].split(",")) != _COLUMNS:
        raise RuntimeError(f"unexpected columns in ussa1976_table.csv: {lines[0]!r}")
    data = np.loadtxt(lines[1:], delimiter=",", dtype=float)
    step = np.diff(data[:, 0])
    if not np.allclose(step, step[0], rtol=0.0, atol=1e-6) or data[0, 0] != 0.0:
        raise RuntimeError("ussa1976_table.csv must be on a uniform grid starting at 0 m")
    return data


_DATA = _load_table()
_ALT_M = _DATA[:, 0]
#: Grid start and step of the table, metres.
H0_M = float(_ALT_M[0])
DH_M = float(_ALT_M[1] - _ALT_M[0])
#: Top of the table (and of the 1976 standard), metres.
H_MAX_M = float(_ALT_M[-1])
_T_K = np.ascontiguousarray(_DATA[:, 1])
_LOG_P = np.ascontiguousarray(np.log(_DATA[:, 2]))
_LOG_RHO = np.ascontiguousarray(np.log(_DATA[:, 3]))
_A_M_S = np.ascontiguousarray(_DATA[:, 4])
for _arr in (_T_K, _LOG_P, _LOG_RHO, _A_M_S):
    _arr.flags.writeable = False
del _DATA, _arr


#: Density at the grid nodes (kg/m^3) and the step of ln(density) to the next node, for the
#: exp-free kernel lookup (:func:`density_sound_poly_njit`).
_RHO = np.ascontiguousarray(np.exp(_LOG_RHO))
_DLOG_RHO = np.ascontiguousarray(np.r_[np.diff(_LOG_RHO), 0.0])
for _arr in (_RHO, _DLOG_RHO):
    _arr.flags.writeable = False
del _arr


class AtmosphereTables(NamedTuple):
    """Read-only arrays and grid constants to pass into numba kernels.

    ``log_density`` is ln(kg/m^3), ``speed_of_sound_m_s`` in m/s, both sampled at
    ``h0_m + i * dh_m`` (geometric altitude, m).
    """

    log_density: np.ndarray
    speed_of_sound_m_s: np.ndarray
    h0_m: float
    dh_m: float


def atmosphere_tables() -> AtmosphereTables:
    """Tables for :func:`density_sound_njit`: ``(log_density, speed_of_sound_m_s, h0_m, dh_m)``."""
    return AtmosphereTables(_LOG_RHO, _A_M_S, H0_M, DH_M)


class KernelTables(NamedTuple):
    """Arrays and grid constants for :func:`density_sound_poly_njit`: density at the nodes
    (kg/m^3), the step of ln(density) from each node to the next, speed of sound (m/s), grid
    start and step (m)."""

    density: np.ndarray
    dlog_density: np.ndarray
    speed_of_sound_m_s: np.ndarray
    h0_m: float
    dh_m: float


def kernel_tables() -> KernelTables:
    """Tables for :func:`density_sound_poly_njit` (the propagator's force model)."""
    return KernelTables(_RHO, _DLOG_RHO, _A_M_S, H0_M, DH_M)


def _index(h_m: ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cell index and weight on the uniform grid, with altitude clamped to [0, H_MAX_M]."""
    h = np.asarray(h_m, dtype=float)
    x = (np.clip(h, H0_M, H_MAX_M) - H0_M) / DH_M
    x = np.where(np.isnan(x), 0.0, x)
    i = np.minimum(x.astype(np.intp), _ALT_M.size - 2)
    return h, i, x - i


def _lookup(h_m: ArrayLike, table: np.ndarray, log: bool, above: float) -> ArrayOrScalar:
    """Interpolate ``table`` at ``h_m``: an array of ``h_m``'s shape (a NumPy scalar for a
    scalar)."""
    h, i, w = _index(h_m)
    v = table[i] * (1.0 - w) + table[i + 1] * w
    if log:
        v = np.exp(v)
    v = np.where(h > H_MAX_M, above, v)
    return np.where(np.isnan(h), np.nan, v)[()]


def density(h_m: ArrayLike) -> ArrayOrScalar:
    """Air density (kg/m^3) at geometric altitude ``h_m`` (m); any shape, NumPy in and out."""
    return _lookup(h_m, _LOG_RHO, True, 0.0)


def pressure(h_m: ArrayLike) -> ArrayOrScalar:
    """Air pressure (Pa) at geometric altitude ``h_m`` (m); any shape, NumPy in and out."""
    return _lookup(h_m, _LOG_P, True, 0.0)


def temperature(h_m: ArrayLike) -> ArrayOrScalar:
    """Kinetic air temperature (K) at geometric altitude ``h_m`` (m); any shape."""
    return _lookup(h_m, _T_K, False, _T_K[-1])


def speed_of_sound(h_m: ArrayLike) -> ArrayOrScalar:
    """Speed of sound (m/s) at geometric altitude ``h_m`` (m); any shape."""
    return _lookup(h_m, _A_M_S, False, _A_M_S[-1])


@njit(cache=True, inline="always")
def _cell(x: float, n: int) -> tuple[int, float]:
    """Cell index and weight of grid coordinate ``x`` (cells above the first node) on a table of
    ``n`` nodes, clamped to the first and last cells."""
    if x < 0.0:
        x = 0.0
    i = int(x)
    if i > n - 2:
        i = n - 2
    return i, x - i


@njit(cache=True, error_model="numpy")
def density_sound_njit(
    h_m: float, table_logrho: np.ndarray, table_a: np.ndarray, h0: float, dh: float
) -> tuple[float, float]:
    """numba scalar: ``(density kg/m^3, speed of sound m/s)`` at geometric altitude ``h_m`` (m).

    Pass the arrays and grid constants from :func:`atmosphere_tables`. Same interpolation and
    out-of-range rules as :func:`density` / :func:`speed_of_sound`, in O(1): the cell index is
    ``int((h - h0) / dh)``.
    """
    if h_m != h_m:
        return np.nan, np.nan
    n = table_logrho.shape[0]
    h_top = h0 + dh * (n - 1)
    if h_m > h_top:
        return 0.0, table_a[n - 1]
    i, w = _cell((h_m - h0) / dh, n)
    rho = np.exp(table_logrho[i] * (1.0 - w) + table_logrho[i + 1] * w)
    return rho, table_a[i] * (1.0 - w) + table_a[i + 1] * w


@njit(cache=True, inline="always", error_model="numpy")  # no fast-math: flight/dynamics.FASTMATH
def _exp_small(x: float) -> float:
    """exp(x) for |x| <= 0.05 by its degree-5 Taylor polynomial (relative error < 2e-11)."""
    return 1.0 + x * (1.0 + x * (0.5 + x * (1.0 / 6.0 + x * (1.0 / 24.0 + x * (1.0 / 120.0)))))


@njit(cache=True, inline="always", error_model="numpy")
def density_sound_poly_njit(
    h_m: float,
    table_rho: np.ndarray,
    table_dlogrho: np.ndarray,
    table_a: np.ndarray,
    h0: float,
    dh: float,
) -> tuple[float, float]:
    """numba scalar: :func:`density_sound_njit` without a per-call ``exp``.

    The same log-linear interpolation of density, written ``rho_i * exp(w * dlog_i)`` with the
    node density tabulated and the exponential of the small cell increment (|w dlog_i| <= 0.046
    on this table) evaluated as a degree-5 polynomial: equal to the ``exp`` form within 2e-11
    relative, and only multiplications and additions, which vectorize. Pass the arrays of
    :func:`kernel_tables`.
    """
    if h_m != h_m:
        return np.nan, np.nan
    n = table_rho.shape[0]
    h_top = h0 + dh * (n - 1)
    if h_m > h_top:
        return 0.0, table_a[n - 1]
    i, w = _cell((h_m - h0) / dh, n)
    rho = table_rho[i] * _exp_small(w * table_dlogrho[i])
    return rho, table_a[i] * (1.0 - w) + table_a[i + 1] * w


@njit(cache=True, inline="always", error_model="numpy")
def density_slope_njit(
    h_m: float, table_logrho: np.ndarray, h0: float, dh: float
) -> tuple[float, float]:
    """numba scalar: ``(density kg/m^3, d ln(density)/dh 1/m)`` at geometric altitude ``h_m``
    (m), the tracker's drag model: the log-linear interpolation of :func:`density` with the
    cell's slope; below the table the first node's density and no slope; above it (or NaN)
    no air. Pass ``log_density``, ``h0_m`` and ``dh_m`` of :func:`atmosphere_tables`."""
    n = table_logrho.shape[0]
    if h_m != h_m or h_m > h0 + dh * (n - 1):
        return 0.0, 0.0
    x = (h_m - h0) / dh
    if x < 0.0:
        return math.exp(table_logrho[0]), 0.0
    i, w = _cell(x, n)
    rho = math.exp(table_logrho[i] * (1.0 - w) + table_logrho[i + 1] * w)
    return rho, (table_logrho[i + 1] - table_logrho[i]) / dh
