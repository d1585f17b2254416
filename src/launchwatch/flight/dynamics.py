"""Equations of motion of a missile: 3-DOF point mass over the rotating WGS84 Earth.

Frame: the *launch inertial frame* (ECI below): an Earth-rotation-only inertial frame whose axes
coincide with ECEF at t = 0 (the launch epoch) and stay fixed while the Earth turns at
``OMEGA_RAD_S`` about z.  State ``y = [x, y, z, vx, vy, vz]`` in metres and m/s.

    r'' = g_J2(r) + a_thrust + a_drag + a_lift

* gravity: point mass + J2 (:func:`launchwatch.earth.gravity.j2_accel`);
* aerodynamics use the air-relative velocity ``v_rel = v - omega x r`` (the atmosphere turns
  with the Earth), US Standard Atmosphere 1976 density and speed of sound, and a drag
  coefficient tabulated against Mach (shape-preserving cubic interpolation); lift
  (quasi-ballistic vehicles only) acts perpendicular to ``v_rel`` in the vertical plane,
  ``C_L = C_L_alpha * alpha`` with induced drag ``C_L_alpha * alpha^2``; the angle of attack
  follows a pull-up law after burnout: zero while climbing, growing with the dive to the
  commanded value at a 5 deg descent (the vehicle pulls out and glides);
* thrust: constant vacuum thrust per stage, mass falling linearly at ``mdot``; direction from
  the pitch program: vertical rise, linear pitch-over (kick) in the launch azimuth plane, then
  hold of that attitude while the velocity is steeper, then gravity turn (thrust along
  ``v_rel``), joined by a smooth minimum so that the thrust direction has no kink.

Everything here is a numba scalar kernel so that the batched integrator
(:mod:`launchwatch.flight.integrate`) and the scipy reference (:mod:`launchwatch.flight.reference`)
evaluate exactly the same equations.

Per-trajectory control vector ``ctrl`` (see ``CTRL_*`` indices): vertical-rise time (s), kick
angle from vertical (rad), kick duration (s), burn fraction of the last stage (0..1], angle of
attack after burnout (rad, lifting vehicles only), thrust scale (exhaust velocity factor at
unchanged mass flow: the energy knob of the generic boost model, 1 for catalog vehicles), and an
aerodynamic force scale (1 for the vehicle as catalogued; the impact predictor flies a unit body
with ``1 / beta`` here so that every sample carries its own ballistic coefficient ``beta``).
Per-trajectory launch geometry ``geo``: launch position (ECEF = ECI at t=0, m), geodetic up
unit vector, horizontal unit vector along the launch azimuth.

Physics switches ``phys`` (see ``PH_*``): Earth rotation rate, J2 scale, aerodynamics scale; the
full model is ``[OMEGA_RAD_S, 1, 1]``; closed-form checks switch parts off.

Shared arrays travel as one tuple ``model`` (:func:`model_arrays`).  Vehicle arrays:
``stages[k] = [t_end_s, mdot_kg_s, thrust_n, m_ignition_kg]`` (``t_end`` cumulative from
lift-off); ``vs = [area_boost_m2, area_coast_m2, mass_coast_kg, cl_alpha_per_rad]``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit
from numpy.typing import ArrayLike

from ..earth.atmosphere import KernelTables, density_sound_poly_njit
from ..earth.constants import A_M, B_M
from ..earth.gravity import j2_accel

CTRL_T_VERTICAL = 0
CTRL_KICK = 1
CTRL_T_KICK = 2
CTRL_BURN_FRACTION = 3
CTRL_ALPHA = 4
CTRL_THRUST_SCALE = 5
CTRL_DRAG_SCALE = 6
N_CTRL = 7

GEO_R0 = 0
GEO_UP = 3
GEO_HDG = 6
N_GEO = 9

#: LLVM fast-math flags for the kernels: none.  With them ("reassoc", "contract", "afn",
#: "arcp") LLVM optimised a kernel compiled in the running process differently from the object
#: code numba writes to its on-disk cache, so a process that compiled a kernel computed other
#: floats (1e-8 relative in the flight core) than one that loaded it from the cache; the
#: adaptive steps and the tracker's gates grew that into different assessments (a campaign's
#: d2 of 1.10 in one process, 1.49 in another).  Without them both are bit-identical
#: (tests/flight/test_kernel_cache.py).  Kept as a name so the kernels share one setting.
FASTMATH: bool = False

PH_OMEGA = 0  # Earth rotation rate used by the dynamics, rad/s (OMEGA_RAD_S, or 0)
PH_J2 = 1  # scale of the J2 term (1 or 0)
PH_AERO = 2  # scale of aerodynamic forces (1 or 0)
N_PH = 3

VS_AREA_BOOST = 0
VS_AREA_COAST = 1
VS_MASS_COAST = 2
VS_CL_ALPHA = 3

#: Flight-path angle (sine) below which a lifting vehicle's pull-up uses its full angle of attack.
SIN_PULLUP_GAMMA = 0.08715574274765817  # sin(5 deg)

#: Width (rad) of the smooth switch from attitude hold to gravity turn.
SOFT_SWITCH_RAD = 0.01

ST_T_END = 0
ST_MDOT = 1
ST_THRUST = 2
ST_M0 = 3


@njit(cache=True, inline="always")
def height_above_ellipsoid_radial(x: float, y: float, z: float) -> float:
    """Height (m) above the WGS84 ellipsoid measured along the geocentric radius.

    Exactly zero on the ellipsoid (so ground impact is found exactly) and within 6e-6 * h of the
    geodetic (normal) height: under 0.6 m at 100 km.  The dynamics use it only to look up the
    atmosphere, where that difference is immaterial; it costs one square root where the exact
    conversion costs a cube root, four square roots and an arctangent.
    """
    p2 = x * x + y * y
    r2 = p2 + z * z
    r = np.sqrt(r2)
    # Ellipse radius at geocentric latitude phi_c: a b / sqrt(b^2 cos^2 + a^2 sin^2).
    h: float = r - A_M * B_M * r / np.sqrt(B_M * B_M * p2 + A_M * A_M * z * z)
    return h


@njit(cache=True, inline="always")
def interp_table(x: float, xs: np.ndarray, ys: np.ndarray, slopes: np.ndarray) -> float:
    """Piecewise-cubic Hermite interpolation in a short increasing table (slopes from
    :func:`pchip_slopes`: shape-preserving and C1, so an adaptive step never meets a kink),
    held constant outside the table."""
    n = xs.shape[0]
    if x <= xs[0]:
        first: float = ys[0]
        return first
    if x >= xs[n - 1]:
        last: float = ys[n - 1]
        return last
    j = 1
    while xs[j] < x:
        j += 1
    h = xs[j] - xs[j - 1]
    t = (x - xs[j - 1]) / h
    t2 = t * t
    t3 = t2 * t
    value: float = (
        (2.0 * t3 - 3.0 * t2 + 1.0) * ys[j - 1]
        + (t3 - 2.0 * t2 + t) * h * slopes[j - 1]
        + (-2.0 * t3 + 3.0 * t2) * ys[j]
        + (t3 - t2) * h * slopes[j]
    )
    return value


def pchip_slopes(xs: ArrayLike, ys: ArrayLike) -> np.ndarray:
    """Node slopes of scipy's monotone PCHIP interpolant (Fritsch & Carlson 1980), with zero
    slope at both ends so the table joins its constant extension smoothly."""
    from scipy.interpolate import PchipInterpolator

    xs = np.asarray(xs, float)
    ys = np.asarray(ys, float)
    if xs.size < 2:
        return np.zeros_like(xs)
    d = PchipInterpolator(xs, ys).derivative()(xs)
    d[0] = d[-1] = 0.0
    return np.ascontiguousarray(d)


def model_arrays(
    vs: np.ndarray,
    phys: np.ndarray,
    mach: np.ndarray,
    cd: np.ndarray,
    cd_slope: np.ndarray,
    atm: KernelTables,
) -> tuple[Any, ...]:
    """The shared (per-batch) arrays of the force model, packed once for the kernels:
    ``(vs, phys, mach, cd, cd_slope, density, dlog_density, speed_of_sound, h0_m, dh_m)``
    (``atm`` = :func:`launchwatch.earth.atmosphere.kernel_tables`)."""
    return (vs, phys, mach, cd, cd_slope, *atm)


@njit(cache=True, inline="always", error_model="numpy", fastmath=FASTMATH)
def accel(
    t: float,
    t_regime: float,
    y: np.ndarray,
    ctrl: np.ndarray,
    geo: np.ndarray,
    stages: np.ndarray,
    model: tuple[Any, ...],
    out: np.ndarray,
) -> float:
    """Write dy/dt into ``out`` (6,) for state ``y`` at time ``t`` (s after lift-off).

    ``t_regime`` selects the discontinuous parts of the model (stage, pitch-program segment,
    thrust on/off); integrators pass the start of the current step so that an evaluation at a
    breakpoint still belongs to the segment before it.  Returns the height used for the
    atmosphere (m, :func:`height_above_ellipsoid_radial`).  ``model`` is the tuple of
    :func:`model_arrays`.
    """
    vs, phys, mach_tab, cd_tab, cd_slope, atm_rho, atm_dlogrho, atm_a, atm_h0, atm_dh = model
    x, yy, z = y[0], y[1], y[2]
    vx, vy, vz = y[3], y[4], y[5]
    omega = phys[PH_OMEGA]
    ax, ay, az = j2_accel(x, yy, z, phys[PH_J2])
    h = height_above_ellipsoid_radial(x, yy, z)

    # Mass, thrust and stage from the regime time.
    n_st = stages.shape[0]
    k = 0
    while k < n_st and t_regime >= stages[k, ST_T_END]:
        k += 1
    burning = k < n_st
    if burning:
        t_start = 0.0 if k == 0 else stages[k - 1, ST_T_END]
        mass = stages[k, ST_M0] - stages[k, ST_MDOT] * (t - t_start)
        area = vs[VS_AREA_BOOST]
    else:
        mass = vs[VS_MASS_COAST]
        area = vs[VS_AREA_COAST]

    # Air-relative velocity (atmosphere co-rotating with the Earth).
    wx = vx + omega * yy
    wy = vy - omega * x
    wz = vz
    s = np.sqrt(wx * wx + wy * wy + wz * wz)

    if h < 1.0e6 and s > 1.0e-3 and phys[PH_AERO] > 0.0:
        if h >= 0.0:
            rho, a_snd = density_sound_poly_njit(h, atm_rho, atm_dlogrho, atm_a, atm_h0, atm_dh)
        else:
            # Below the ellipsoid (the last step before impact overshoots it): continue the
            # sea-level density gradient instead of clamping, so the step that crosses the
            # ground sees smooth forces and the integrator need not shrink it.
            rho, a_snd = density_sound_poly_njit(0.0, atm_rho, atm_dlogrho, atm_a, atm_h0, atm_dh)
            depth = min(-h, 20.0e3)
            rho *= np.exp(-atm_dlogrho[0] * depth / atm_dh)
        if rho > 0.0:
            cd = interp_table(s / a_snd, mach_tab, cd_tab, cd_slope)
            alpha = 0.0
            rn = np.sqrt(x * x + yy * yy + z * z)
            ux, uy, uz = x / rn, yy / rn, z / rn
            if not burning and ctrl[CTRL_ALPHA] != 0.0:
                # Pull-up law of a quasi-ballistic vehicle: angle of attack grows with the dive,
                # full authority from a 5 deg flight-path angle down; none while climbing.
                sin_gamma = (ux * wx + uy * wy + uz * wz) / s
                alpha = ctrl[CTRL_ALPHA] * min(1.0, max(0.0, -sin_gamma / SIN_PULLUP_GAMMA))
            cla = vs[VS_CL_ALPHA]
            q_over_m = 0.5 * phys[PH_AERO] * ctrl[CTRL_DRAG_SCALE] * rho * s * s * area / mass
            cd_tot = cd + cla * alpha * alpha
            f = -q_over_m * cd_tot / s
            ax += f * wx
            ay += f * wy
            az += f * wz
            if alpha != 0.0:
                # Lift: unit vector in the vertical plane, perpendicular to v_rel, pointing up.
                d = (ux * wx + uy * wy + uz * wz) / (s * s)
                lx, ly, lz = ux - d * wx, uy - d * wy, uz - d * wz
                ln = np.sqrt(lx * lx + ly * ly + lz * lz)
                if ln > 1.0e-12:
                    fl = q_over_m * cla * alpha / ln
                    ax += fl * lx
                    ay += fl * ly
                    az += fl * lz

    if burning:
        acc_t = ctrl[CTRL_THRUST_SCALE] * stages[k, ST_THRUST] / mass
        t_v = ctrl[CTRL_T_VERTICAL]
        t_k = ctrl[CTRL_T_KICK]
        kick = ctrl[CTRL_KICK]
        if t_regime < t_v + t_k:
            # Launch-frame directions, fixed to the Earth: rotate ECEF -> ECI by omega t.
            c = np.cos(omega * t)
            sn = np.sin(omega * t)
            hx0 = c * geo[GEO_HDG] - sn * geo[GEO_HDG + 1]
            hy0 = sn * geo[GEO_HDG] + c * geo[GEO_HDG + 1]
            hz0 = geo[GEO_HDG + 2]
            ux = c * geo[GEO_UP] - sn * geo[GEO_UP + 1]
            uy = sn * geo[GEO_UP] + c * geo[GEO_UP + 1]
            uz = geo[GEO_UP + 2]
            # Vertical rise, then pitch-over: elevation falls linearly to 90 deg - kick.
            el = 0.5 * np.pi if t_regime < t_v else 0.5 * np.pi - kick * (t - t_v) / t_k
            ce, se = np.cos(el), np.sin(el)
            dx, dy, dz = se * ux + ce * hx0, se * uy + ce * hy0, se * uz + ce * hz0
        else:
            # Hold the pitch-over attitude (elevation 90 deg - kick above the local horizontal,
            # in the flight plane) while the velocity climbs more steeply, then gravity turn
            # (thrust along the air-relative velocity).  The switch is a smooth minimum of the
            # two elevations (width SOFT_SWITCH_RAD), so the thrust direction has no kink for
            # the integrator to stumble on.  Far from the switch (beyond 36 widths, where the
            # smooth minimum equals the plain one to 1e-16 rad) the direction is taken directly.
            rn = np.sqrt(x * x + yy * yy + z * z)
            ux, uy, uz = x / rn, yy / rn, z / rn
            vu = ux * wx + uy * wy + uz * wz
            hx, hy, hz = wx - vu * ux, wy - vu * uy, wz - vu * uz
            hn = np.sqrt(hx * hx + hy * hy + hz * hz)
            e_hold = 0.5 * np.pi - kick
            if hn < 1.0e-6 * (s + 1.0):
                # Still vertical: the flight plane is the launch azimuth plane.
                c = np.cos(omega * t)
                sn = np.sin(omega * t)
                hx = c * geo[GEO_HDG] - sn * geo[GEO_HDG + 1]
                hy = sn * geo[GEO_HDG] + c * geo[GEO_HDG + 1]
                hz = geo[GEO_HDG + 2]
                hn = 1.0
                gamma = 0.5 * np.pi
            else:
                gamma = np.arctan2(vu, hn)
            gap = gamma - e_hold
            if gap < -36.0 * SOFT_SWITCH_RAD:
                dx, dy, dz = wx / s, wy / s, wz / s  # gravity turn
            else:
                el = min(gamma, e_hold)
                if gap < 36.0 * SOFT_SWITCH_RAD:
                    el -= SOFT_SWITCH_RAD * np.log1p(np.exp(-abs(gap) / SOFT_SWITCH_RAD))
                ce, se = np.cos(el), np.sin(el)
                dx = se * ux + ce * hx / hn
                dy = se * uy + ce * hy / hn
                dz = se * uz + ce * hz / hn
        ax += acc_t * dx
        ay += acc_t * dy
        az += acc_t * dz

    out[0] = vx
    out[1] = vy
    out[2] = vz
    out[3] = ax
    out[4] = ay
    out[5] = az
    return h
