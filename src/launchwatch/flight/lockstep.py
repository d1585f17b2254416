"""Lockstep structure-of-arrays batch integrator: the force model of :mod:`.dynamics`, the
Dormand-Prince 5(4) step control of :func:`launchwatch.flight.integrate.integrate_one`, many
trajectories advanced together so that the force evaluation runs in SIMD registers.

Layout: a work item (``GROUP`` trajectories) is flown through ``LANES`` lanes.  Every lane
quantity is a row of one flat block (``B[row * LANES + lane]``: state, Runge-Kutta stages,
time, step, regime), each lane with its own time, step size, breakpoints and counters.  One
iteration makes one trial step in every lane: the stage combinations, the error norm and the
force evaluation run as loops over lanes that LLVM vectorizes (AVX-512 here: 8 lanes per
instruction); lanes whose step is rejected keep their state and retry with a smaller step in
the next iteration.  A lane whose trajectory ends (impact, time or step limit) takes the next
trajectory of its work item at once, so lanes idle only in a work item's tail.

A work item flies in two phases: first every trajectory's powered flight, a lane parking its
trajectory at burnout (the lane's carried rows, copied to a park block) and taking the next;
then the parked trajectories' coast.  The thrust pass (3 below) runs on all lanes whenever one
lane burns, so mixing boosting and coasting lanes made every coast step pay for it; a lane's
arithmetic does not depend on the other lanes, so the split changes no result.

Force evaluation per stage, in passes over the lanes (all vectorized but the last):

1. J2 gravity (:func:`launchwatch.earth.gravity.j2_accel`), radial height
   (:func:`.dynamics.height_above_ellipsoid_radial`), air-relative velocity, density and speed
   of sound (:func:`launchwatch.earth.atmosphere.density_sound_poly_njit`: a table and a
   polynomial, no ``exp``), mass and dynamic pressure over mass;
2. the drag coefficient: :func:`.dynamics.interp_table`'s cubic, one sweep per Mach-table
   interval; while a lane lifts, accel's pull-up law (angle of attack, induced drag, lift);
3. while any lane burns: the thrust direction of :func:`.dynamics.accel`'s pitch program, with
   series (:func:`_sincos`, :func:`_atan2_hpos`, :func:`_exp_neg`, :func:`_log1p_unit`) where
   accel calls libm, in short loops so that their dependent chains overlap across lanes;
4. drag, then lift or thrust, added to gravity in accel's order;
5. per lane, the full scalar :func:`.dynamics.accel` where the above is not the model: states
   below the ellipsoid, a burn later than 11 minutes.

Without thrust every lane evaluates accel's formulas in accel's order: coasting flights, lifting
or not, are identical bit for bit to ``integrate_batch``'s (tests/flight/test_lockstep.py).  Under thrust
the series differ from libm by a few units in the last place: over 4,000 SRBMs of ``bench
flight`` the impact points stay within 5 mm (median 1 um) of ``integrate_batch``'s, with the
same step counts.

The atmosphere tables are read from module constants (``kernel_tables()``, frozen into the
compiled code), not from the ``model`` tuple: loads from constant memory cannot alias the
lanes' stores, which is what lets LLVM vectorize the density look-up (gathers).  ``model`` must
therefore carry :func:`launchwatch.earth.atmosphere.kernel_tables` (every
:class:`~launchwatch.flight.propagate.VehicleModel` does); :func:`lockstep_batch` checks it.

Outputs: the event record of :mod:`.integrate` (``ev`` rows, ``N_EV``) and, if asked, samples at
common times from integrate_one's interpolant (states, or positions alone: an assessment's
paths), written as an accepted step passes them.  Below ``LANES`` trajectories a work item pays for
all its lanes (one trajectory costs 64): small batches belong to ``integrate_batch``.  Units:
seconds from lift-off, metres, m/s; frame: the launch inertial frame of :mod:`.dynamics`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import get_num_threads, njit, prange
from numpy.typing import ArrayLike

from ..earth.atmosphere import density_sound_poly_njit, kernel_tables
from ..earth.frames import geodetic_height_m
from ..earth.gravity import j2_accel
from .dynamics import (
    CTRL_ALPHA,
    CTRL_BURN_FRACTION,
    CTRL_DRAG_SCALE,
    CTRL_KICK,
    CTRL_T_KICK,
    CTRL_T_VERTICAL,
    CTRL_THRUST_SCALE,
    GEO_HDG,
    GEO_UP,
    PH_AERO,
    PH_J2,
    PH_OMEGA,
    SIN_PULLUP_GAMMA,
    SOFT_SWITCH_RAD,
    ST_M0,
    ST_MDOT,
    ST_T_END,
    ST_THRUST,
    VS_AREA_BOOST,
    VS_AREA_COAST,
    VS_CL_ALPHA,
    VS_MASS_COAST,
    accel,
    height_above_ellipsoid_radial,
)
from .integrate import (
    DP_A,
    DP_C,
    DP_E5,
    DP_NS,
    EV_H_APOGEE,
    EV_N_REJECT,
    EV_N_STEPS,
    EV_STATUS,
    EV_T_APOGEE,
    EV_T_BURNOUT,
    EV_Y_BURNOUT,
    FAC_MAX,
    FAC_MAX_START,
    FAC_MIN,
    H_FIRST,
    N_EV,
    PI_ALPHA,
    PI_BETA,
    SAFETY,
    STATUS_STEP_LIMIT,
    STATUS_TIMEOUT,
    apogee_in_step,
    entry_cap,
    hermite,
    hermite_pos,
    impact_in_step,
    njit_no_nrt,
)
from .propagate import (
    DEFAULT_ATOL_POS_M,
    DEFAULT_ATOL_VEL_M_S,
    DEFAULT_RTOL,
    FULL_PHYSICS,
    Physics,
    Trajectories,
    VehicleModel,
    launch_start,
    trajectories_from_events,
)

#: Lanes advanced together (a multiple of the 8 doubles of an AVX-512 register; 64 keeps a
#: lane block's stages, 21 kB, in the 48 kB L1 data cache).
LANES = 64
#: Trajectories per parallel work item (a lane block streams through them).
GROUP = 2048

_KT = kernel_tables()
_ATM_RHO = _KT.density
_ATM_DLOG = _KT.dlog_density
_ATM_A = _KT.speed_of_sound_m_s
_ATM_H0 = _KT.h0_m
_ATM_DH = _KT.dh_m


# Elementary functions as polynomials (multiplications, additions, square roots, divisions:
# LLVM vectorizes them; libm's sin, cos, atan2, exp and log1p it cannot, without SVML).  Each is
# a truncated series whose first omitted term is below 1e-19 on the stated range, so they agree
# with libm to a few units in the last place; the thrust direction is the only user.

#: Taylor coefficients of sin x / x and cos x in powers of x^2 (k = 0..13).
_SIN_C = np.array([(-1.0) ** k / np.prod(np.arange(1.0, 2 * k + 2)) for k in range(13)])
_COS_C = np.array([(-1.0) ** k / np.prod(np.arange(1.0, 2 * k + 1)) for k in range(14)])
#: atan series t - t^3/3 + ... (k = 0..11), and 2 atanh(z) = log1p for z = u / (2 + u).
_ATAN_C = np.array([(-1.0) ** k / (2 * k + 1) for k in range(12)])
_ATANH_C = np.array([1.0 / (2 * k + 1) for k in range(19)])
#: Taylor coefficients of exp (k = 0..18).
_EXP_C = np.array([1.0 / np.prod(np.arange(1.0, k + 1)) for k in range(19)])
#: Largest argument of :func:`_sincos` (the series' first omitted term is 1.2e-20 there).
SINCOS_MAX = 2.0
_COS_HALF_PI = float(np.cos(0.5 * np.pi))  # what libm gives for the vertical pitch angle
_SIN_HALF_PI = float(np.sin(0.5 * np.pi))


@njit(cache=True, inline="always", error_model="numpy")
def _sincos(x: float) -> tuple[float, float]:
    """(sin x, cos x) for |x| <= SINCOS_MAX by their Taylor series (Horner in x^2)."""
    x2 = x * x
    s = _SIN_C[12]
    for k in range(11, -1, -1):
        s = s * x2 + _SIN_C[k]
    c = _COS_C[13]
    for k in range(12, -1, -1):
        c = c * x2 + _COS_C[k]
    return x * s, c


#: Largest argument of :func:`_sincos_small` (first omitted term 1e-22 there): the Earth turns
#: by this angle in 11 minutes, longer than any boost; a lane burning later takes accel's path.
SINCOS_SMALL_MAX = 0.05


@njit(cache=True, inline="always", error_model="numpy")
def _sincos_small(x: float) -> tuple[float, float]:
    """(sin x, cos x) for |x| <= SINCOS_SMALL_MAX: the first terms of :func:`_sincos`."""
    x2 = x * x
    s = _SIN_C[4]
    for k in range(3, -1, -1):
        s = s * x2 + _SIN_C[k]
    c = _COS_C[5]
    for k in range(4, -1, -1):
        c = c * x2 + _COS_C[k]
    return x * s, c


@njit(cache=True, inline="always", error_model="numpy")
def _atan2_hpos(y: float, x: float) -> float:
    """atan2(y, x) for x > 0: three half-angle reductions (|argument| <= tan(pi / 16)), then
    the atan series."""
    t = y / (x + np.sqrt(x * x + y * y))
    t = t / (1.0 + np.sqrt(1.0 + t * t))
    t = t / (1.0 + np.sqrt(1.0 + t * t))
    t2 = t * t
    p = _ATAN_C[11]
    for k in range(10, -1, -1):
        p = p * t2 + _ATAN_C[k]
    return float(8.0 * t * p)


@njit(cache=True, inline="always", error_model="numpy")
def _exp_neg(u: float) -> float:
    """exp(u) for -40 <= u <= 0: the series at u / 64, squared six times (relative error
    ~64 ulp, 1.4e-14)."""
    v = u * (1.0 / 64.0)
    p = _EXP_C[18]
    for k in range(17, -1, -1):
        p = p * v + _EXP_C[k]
    for _ in range(6):
        p = p * p
    return float(p)


@njit(cache=True, inline="always", error_model="numpy")
def _log1p_unit(u: float) -> float:
    """log1p(u) for 0 <= u <= 1: 2 atanh(u / (2 + u)), |u / (2 + u)| <= 1/3."""
    z = u / (2.0 + u)
    z2 = z * z
    p = _ATANH_C[18]
    for k in range(17, -1, -1):
        p = p * z2 + _ATANH_C[k]
    return float(2.0 * z * p)


# The lane memory of a work item: one flat float64 block ``B`` of rows of LANES values, row
# ``r`` lane ``la`` at ``B[r * LANES + la]``.  One array with rows at compile-time offsets, not
# one array per quantity: LLVM cannot tell separate NumPy arrays apart (numba marks no argument
# ``noalias``) and gives up vectorizing a loop that would need a run-time overlap check for
# every pair; rows of one block at constant distances need none.
L = LANES
_R_Y = 0  # state at the step start (6 rows)
_R_F = 6  # its derivative (6)
_R_YT = 12  # stage input, after the last stage the new state (6)
_R_ACC = 18  # stage combination (6)
_R_FO = 24  # force output of the stage (6)
_R_T = 30  # step start time, s (also the regime time of the step's stages)
_R_H = 31  # trial step length, s
_R_STEP = 32  # proposed step, s
_R_TBO = 33  # burnout time of the lane's trajectory, s
_R_TGUARD = 34  # impact counts only after this time, s
_R_HLAUNCH = 35  # radial height at the start, m
_R_DSCALE = 36  # aerodynamic force scale (ctrl)
_R_TS = 37  # time of the stage being evaluated, s
_R_HGT = 38  # radial height of the stage state, m
_R_W = 39  # air-relative velocity, m/s (3 rows)
_R_SPD = 42  # its norm, m/s (1 where there is no drag)
_R_Q = 43  # dynamic pressure * area / mass (coasting body), m/s^2; 0 without drag
_R_MACH = 44
_R_CD = 45
_R_ERR = 46  # sum of squared scaled error components
_R_TOL = 47  # tolerance scale (0.2 under thrust, 1 after)
# Thrust of the step's regime (set per trial step for a burning lane) and the pitch program.
_R_M0 = 48  # mass at the stage's ignition, kg
_R_MDOT = 49  # mass flow, kg/s
_R_TST = 50  # stage ignition time, s
_R_ATHR = 51  # thrust scale * vacuum thrust, N
_R_AREA = 52  # reference area of the regime, m^2
_R_TV = 53  # vertical-rise time, s
_R_TK = 54  # kick duration, s
_R_KICK = 55  # kick angle, rad
_R_EHOLD = 56  # attitude-hold elevation, rad, and its cosine and sine (libm)
_R_CEH = 57
_R_SEH = 58
_R_UP = 59  # launch up and heading unit vectors (ECEF at t = 0), 3 rows each
_R_HDG = 62
_R_TH = 66  # thrust acceleration, m/s^2 (3 rows)
_R_MASS = 69  # mass, kg
_R_SRAW = 70  # air speed, m/s
_R_TMP = 71  # intermediate values of the thrust direction (12 rows)
_R_CAP = 83  # atmospheric-entry cap on the step (integrate_one's), s; inf where none
_R_EPREV = 84  # scaled error of the previous accepted step, at least 1e-4 (PI control)
_R_EN = 85  # error norm of the trial step
_R_HNEW = 86  # radial height at the step end, m
_R_RV0 = 87  # r . v at the step start and end, m^2/s
_R_RV1 = 88
_R_FAC = 89  # step-control factors of the trial step: if accepted (PI), if rejected
_R_FACR = 90
_R_K = 91  # Runge-Kutta stages, (DP_NS + 1) x 6 rows
# Lift of a quasi-ballistic trajectory (dynamics.accel's pull-up law, vectorized).
_R_ALPHA = _R_K + (DP_NS + 1) * 6  # commanded angle of attack after burnout (ctrl), rad
_R_ON = _R_ALPHA + 1  # 1 where the aerodynamic forces act (accel's condition), else 0
_R_LON = _R_ALPHA + 2  # 1 where the stage adds lift
_R_LF = _R_ALPHA + 3  # lift acceleration, m/s^2 (3 rows)
N_ROWS = _R_LF + 3

# Rows of the per-lane integer block ``I_`` (N_I, LANES).
_I_TRAJ = 0  # trajectory index in the batch, -1 for an idle lane
_I_IB = 1  # next breakpoint
_I_NSTEP = 2
_I_NREJ = 3
_I_HITBRK = 4  # the trial step ends on a breakpoint
_I_JREJ = 5  # the previous trial was rejected
_I_LIFT = 6  # the trajectory flies with an angle of attack
_I_NB = 7  # breakpoints of the trajectory (those after burnout dropped)
_I_IOUT = 8  # next output sample (index into the output times)
N_I = 9


@njit_no_nrt
def _force_lanes(
    B: np.ndarray,
    I_: np.ndarray,
    ctrl: np.ndarray,
    geo: np.ndarray,
    stages_l: np.ndarray,
    model: tuple[Any, ...],
    ybuf: np.ndarray,
    obuf: np.ndarray,
    any_burning: bool,
    any_lift: bool,
) -> None:
    """dy/dt of every lane into rows ``_R_FO``: ``accel(t_s, t_regime, y, ...)`` with ``t_s``
    from row ``_R_TS``, the regime time from ``_R_T``, ``y`` from rows ``_R_YT`` (the passes:
    module docstring)."""
    vs, phys = model[0], model[1]
    mach_tab, cd_tab, cd_slope = model[2], model[3], model[4]
    omega = phys[PH_OMEGA]
    j2s = phys[PH_J2]
    aero = phys[PH_AERO]
    mass_coast = vs[VS_MASS_COAST]
    # Pass 1 (vectorized): gravity, height, air-relative velocity, atmosphere, q / m.
    for la in range(L):
        x = B[(_R_YT + 0) * L + la]
        yy = B[(_R_YT + 1) * L + la]
        z = B[(_R_YT + 2) * L + la]
        vx = B[(_R_YT + 3) * L + la]
        vy = B[(_R_YT + 4) * L + la]
        vz = B[(_R_YT + 5) * L + la]
        ax, ay, az = j2_accel(x, yy, z, j2s)
        h = height_above_ellipsoid_radial(x, yy, z)
        wx = vx + omega * yy
        wy = vy - omega * x
        wz = vz
        s = np.sqrt(wx * wx + wy * wy + wz * wz)
        B[(_R_FO + 0) * L + la] = vx
        B[(_R_FO + 1) * L + la] = vy
        B[(_R_FO + 2) * L + la] = vz
        B[(_R_FO + 3) * L + la] = ax
        B[(_R_FO + 4) * L + la] = ay
        B[(_R_FO + 5) * L + la] = az
        B[_R_HGT * L + la] = h
        B[(_R_W + 0) * L + la] = wx
        B[(_R_W + 1) * L + la] = wy
        B[(_R_W + 2) * L + la] = wz
        B[_R_SRAW * L + la] = s
    for la in range(L):
        h = B[_R_HGT * L + la]
        s = B[_R_SRAW * L + la]
        t = B[_R_TS * L + la]
        burning = B[_R_T * L + la] < B[_R_TBO * L + la]
        mass = B[_R_M0 * L + la] - B[_R_MDOT * L + la] * (t - B[_R_TST * L + la])
        mass = mass if burning else mass_coast
        rho, a_snd = density_sound_poly_njit(
            max(h, 0.0), _ATM_RHO, _ATM_DLOG, _ATM_A, _ATM_H0, _ATM_DH
        )
        on = h < 1.0e6 and s > 1.0e-3 and aero > 0.0 and rho > 0.0
        q = 0.5 * aero * B[_R_DSCALE * L + la] * rho * s * s * B[_R_AREA * L + la] / mass
        B[_R_MASS * L + la] = mass
        B[_R_SPD * L + la] = s if on else 1.0
        B[_R_Q * L + la] = q if on else 0.0
        B[_R_ON * L + la] = 1.0 if on else 0.0
        B[_R_MACH * L + la] = s / a_snd
    # Pass 2 (vectorized): drag coefficient from the vehicle's Mach table (interp_table's
    # cubic, the same operations), one sweep per table interval with the interval's nodes held
    # in registers: loads from the vehicle's table inside the lane loop would be gathers LLVM
    # cannot prove free of the block's stores.
    n_tab = mach_tab.shape[0]
    x_lo, x_hi = mach_tab[0], mach_tab[n_tab - 1]
    y_lo, y_hi = cd_tab[0], cd_tab[n_tab - 1]
    for la in range(L):
        xm = B[_R_MACH * L + la]
        B[_R_CD * L + la] = y_lo if xm <= x_lo else y_hi
    for jn in range(1, n_tab):
        x0, x1 = mach_tab[jn - 1], mach_tab[jn]
        y0_, y1_ = cd_tab[jn - 1], cd_tab[jn]
        m0_, m1_ = cd_slope[jn - 1], cd_slope[jn]
        hh = x1 - x0
        for la in range(L):
            xm = B[_R_MACH * L + la]
            tt = (xm - x0) / hh
            t2 = tt * tt
            t3 = t2 * tt
            v = (
                (2.0 * t3 - 3.0 * t2 + 1.0) * y0_
                + (t3 - 2.0 * t2 + tt) * hh * m0_
                + (-2.0 * t3 + 3.0 * t2) * y1_
                + (t3 - t2) * hh * m1_
            )
            inside = xm > x0 and xm <= x1 and xm > x_lo and xm < x_hi
            B[_R_CD * L + la] = v if inside else B[_R_CD * L + la]
    # Pass 2b (vectorized, only while a lane lifts): dynamics.accel's pull-up law, its
    # formulas in its order: the angle of attack from the dive (none while burning or
    # climbing), the induced drag added to the drag coefficient (``cd + 0.0`` where there is
    # none: the same float), and the lift acceleration perpendicular to the air-relative
    # velocity in the vertical plane, added after the drag in pass 3.
    if any_lift:
        cla = vs[VS_CL_ALPHA]
        for la in range(L):
            x = B[(_R_YT + 0) * L + la]
            yy = B[(_R_YT + 1) * L + la]
            z = B[(_R_YT + 2) * L + la]
            wx = B[(_R_W + 0) * L + la]
            wy = B[(_R_W + 1) * L + la]
            wz = B[(_R_W + 2) * L + la]
            s = B[_R_SRAW * L + la]
            rn = np.sqrt(x * x + yy * yy + z * z)
            ux, uy, uz = x / rn, yy / rn, z / rn
            sin_gamma = (ux * wx + uy * wy + uz * wz) / s
            ca = B[_R_ALPHA * L + la]
            alpha = ca * min(1.0, max(0.0, -sin_gamma / SIN_PULLUP_GAMMA))
            use = (
                B[_R_ON * L + la] != 0.0 and ca != 0.0 and not B[_R_T * L + la] < B[_R_TBO * L + la]
            )
            alpha = alpha if use else 0.0
            B[_R_CD * L + la] = B[_R_CD * L + la] + cla * alpha * alpha
            d = (ux * wx + uy * wy + uz * wz) / (s * s)
            lx, ly, lz = ux - d * wx, uy - d * wy, uz - d * wz
            ln = np.sqrt(lx * lx + ly * ly + lz * lz)
            fl = B[_R_Q * L + la] * cla * alpha / ln
            add = alpha != 0.0 and ln > 1.0e-12
            B[_R_LON * L + la] = 1.0 if add else 0.0
            B[(_R_LF + 0) * L + la] = fl * lx if add else 0.0
            B[(_R_LF + 1) * L + la] = fl * ly if add else 0.0
            B[(_R_LF + 2) * L + la] = fl * lz if add else 0.0
    # Pass 1b (vectorized, only while a lane burns): thrust along dynamics.accel's pitch
    # program, the same formulas; the trigonometry by the series above where accel calls libm.
    # Split into short loops: each body's chains of dependent multiply-adds then overlap across
    # lanes (one loop holding all of them ran at the latency of its longest chain: 19 ns per
    # lane and evaluation, against 12 for the rest of the force model).
    if any_burning:
        # Geometry: radial and horizontal unit vectors, or during the pitch program the
        # launch-frame up and heading turned by omega t.
        for la in range(L):
            x = B[(_R_YT + 0) * L + la]
            yy = B[(_R_YT + 1) * L + la]
            z = B[(_R_YT + 2) * L + la]
            t = B[_R_TS * L + la]
            wx = B[(_R_W + 0) * L + la]
            wy = B[(_R_W + 1) * L + la]
            wz = B[(_R_W + 2) * L + la]
            s = B[_R_SRAW * L + la]
            sn, c = _sincos_small(omega * t)
            hd0 = B[(_R_HDG + 0) * L + la]
            hd1 = B[(_R_HDG + 1) * L + la]
            hx0 = c * hd0 - sn * hd1
            hy0 = sn * hd0 + c * hd1
            hz0 = B[(_R_HDG + 2) * L + la]
            inv = 1.0 / np.sqrt(x * x + yy * yy + z * z)  # (one division, not three)
            ux, uy, uz = x * inv, yy * inv, z * inv
            vu = ux * wx + uy * wy + uz * wz
            hx, hy, hz = wx - vu * ux, wy - vu * uy, wz - vu * uz
            hn = np.sqrt(hx * hx + hy * hy + hz * hz)
            B[(_R_TMP + 6) * L + la] = vu
            B[(_R_TMP + 7) * L + la] = hn
            if hn < 1.0e-6 * (s + 1.0):
                hx, hy, hz, hn = hx0, hy0, hz0, 1.0
            inv = 1.0 / hn
            hx, hy, hz = hx * inv, hy * inv, hz * inv
            if B[_R_T * L + la] < B[_R_TV * L + la] + B[_R_TK * L + la]:
                up0 = B[(_R_UP + 0) * L + la]
                up1 = B[(_R_UP + 1) * L + la]
                ux = c * up0 - sn * up1
                uy = sn * up0 + c * up1
                uz = B[(_R_UP + 2) * L + la]
                hx, hy, hz = hx0, hy0, hz0
            B[(_R_TMP + 0) * L + la] = ux
            B[(_R_TMP + 1) * L + la] = uy
            B[(_R_TMP + 2) * L + la] = uz
            B[(_R_TMP + 3) * L + la] = hx
            B[(_R_TMP + 4) * L + la] = hy
            B[(_R_TMP + 5) * L + la] = hz
        # Flight-path angle and its gap to the hold elevation.
        for la in range(L):
            hn = B[(_R_TMP + 7) * L + la]
            gamma = _atan2_hpos(B[(_R_TMP + 6) * L + la], hn)
            if hn < 1.0e-6 * (B[_R_SRAW * L + la] + 1.0):
                gamma = 0.5 * np.pi
            B[(_R_TMP + 8) * L + la] = gamma
        # Elevation: pitch-over line, or min(gamma, hold) less the soft switch.
        for la in range(L):
            gamma = B[(_R_TMP + 8) * L + la]
            e_hold = B[_R_EHOLD * L + la]
            gap = gamma - e_hold
            el = min(gamma, e_hold)
            el -= SOFT_SWITCH_RAD * _log1p_unit(_exp_neg(max(-abs(gap) / SOFT_SWITCH_RAD, -40.0)))
            t_v = B[_R_TV * L + la]
            if B[_R_T * L + la] < t_v + B[_R_TK * L + la]:
                el = (
                    0.5 * np.pi
                    - B[_R_KICK * L + la] * (B[_R_TS * L + la] - t_v) / B[_R_TK * L + la]
                )
            B[(_R_TMP + 9) * L + la] = el
        for la in range(L):
            se, ce = _sincos(B[(_R_TMP + 9) * L + la])
            B[(_R_TMP + 10) * L + la] = se
            B[(_R_TMP + 11) * L + la] = ce
        # Direction and thrust acceleration.
        for la in range(L):
            t_regime = B[_R_T * L + la]
            t_v = B[_R_TV * L + la]
            pitching = t_regime < t_v + B[_R_TK * L + la]
            gap = B[(_R_TMP + 8) * L + la] - B[_R_EHOLD * L + la]
            se = B[(_R_TMP + 10) * L + la]
            ce = B[(_R_TMP + 11) * L + la]
            if pitching and t_regime < t_v:
                se, ce = _SIN_HALF_PI, _COS_HALF_PI
            if not pitching and gap >= 36.0 * SOFT_SWITCH_RAD:
                se, ce = B[_R_SEH * L + la], B[_R_CEH * L + la]
            dx = se * B[(_R_TMP + 0) * L + la] + ce * B[(_R_TMP + 3) * L + la]
            dy = se * B[(_R_TMP + 1) * L + la] + ce * B[(_R_TMP + 4) * L + la]
            dz = se * B[(_R_TMP + 2) * L + la] + ce * B[(_R_TMP + 5) * L + la]
            if not pitching and gap < -36.0 * SOFT_SWITCH_RAD:
                inv = 1.0 / B[_R_SRAW * L + la]
                dx = B[(_R_W + 0) * L + la] * inv
                dy = B[(_R_W + 1) * L + la] * inv
                dz = B[(_R_W + 2) * L + la] * inv
            acc_t = B[_R_ATHR * L + la] / B[_R_MASS * L + la]
            B[(_R_TH + 0) * L + la] = acc_t * dx
            B[(_R_TH + 1) * L + la] = acc_t * dy
            B[(_R_TH + 2) * L + la] = acc_t * dz
    # Pass 3 (vectorized): drag, then lift or thrust (accel's order of the sums).
    if any_lift:
        for la in range(L):
            f = -B[_R_Q * L + la] * B[_R_CD * L + la] / B[_R_SPD * L + la]
            burning = B[_R_T * L + la] < B[_R_TBO * L + la]
            lifting = B[_R_LON * L + la] != 0.0
            for j in range(3):
                a = B[(_R_FO + 3 + j) * L + la] + f * B[(_R_W + j) * L + la]
                a = a + B[(_R_LF + j) * L + la] if lifting else a
                B[(_R_FO + 3 + j) * L + la] = a + B[(_R_TH + j) * L + la] if burning else a
    else:
        for la in range(L):
            f = -B[_R_Q * L + la] * B[_R_CD * L + la] / B[_R_SPD * L + la]
            burning = B[_R_T * L + la] < B[_R_TBO * L + la]
            for j in range(3):
                a = B[(_R_FO + 3 + j) * L + la] + f * B[(_R_W + j) * L + la]
                B[(_R_FO + 3 + j) * L + la] = a + B[(_R_TH + j) * L + la] if burning else a
    # Pass 4 (per lane, few): the full force model where the coasting body's is not enough.
    for la in range(L):
        i = I_[_I_TRAJ, la]
        if i < 0:
            continue
        if (B[_R_HGT * L + la] < 0.0 and aero > 0.0) or (
            B[_R_T * L + la] < B[_R_TBO * L + la]
            and abs(omega * B[_R_TS * L + la]) > SINCOS_SMALL_MAX
        ):
            for j in range(6):
                ybuf[j] = B[(_R_YT + j) * L + la]
            accel(
                B[_R_TS * L + la],
                B[_R_T * L + la],
                ybuf,
                ctrl[i],
                geo[i],
                stages_l[la],
                model,
                obuf,
            )
            for j in range(6):
                B[(_R_FO + j) * L + la] = obuf[j]


@njit_no_nrt
def _load_lane(
    la: int,
    i: int,
    y0: np.ndarray,
    t0: np.ndarray,
    ctrl: np.ndarray,
    geo: np.ndarray,
    stages_base: np.ndarray,
    model: tuple[Any, ...],
    ev: np.ndarray,
    B: np.ndarray,
    I_: np.ndarray,
    stages_l: np.ndarray,
    breaks_l: np.ndarray,
    ybuf: np.ndarray,
    obuf: np.ndarray,
    out_times: np.ndarray,
    out_states: np.ndarray,
) -> None:
    """Start trajectory ``i`` in lane ``la`` (the set-up part of ``integrate_one``; output
    rows before its start written NaN)."""
    n_st = stages_base.shape[0]
    st = stages_l[la]
    for a_ in range(n_st):
        for b_ in range(stages_base.shape[1]):
            st[a_, b_] = stages_base[a_, b_]
    last_start = 0.0 if n_st == 1 else st[n_st - 2, ST_T_END]
    frac = ctrl[i, CTRL_BURN_FRACTION]
    st[n_st - 1, ST_T_END] = last_start + frac * (st[n_st - 1, ST_T_END] - last_start)
    br = breaks_l[la]
    nb = 2 + n_st
    br[0] = ctrl[i, CTRL_T_VERTICAL]
    br[1] = ctrl[i, CTRL_T_VERTICAL] + ctrl[i, CTRL_T_KICK]
    for k in range(n_st):
        br[2 + k] = st[k, ST_T_END]
    for a_ in range(1, nb):
        v_ = br[a_]
        b_ = a_ - 1
        while b_ >= 0 and br[b_] > v_:
            br[b_ + 1] = br[b_]
            b_ -= 1
        br[b_ + 1] = v_
    t_burnout = st[n_st - 1, ST_T_END]
    while nb > 0 and br[nb - 1] > t_burnout + 1e-9:  # as integrate_one: none after burnout
        nb -= 1
    I_[_I_NB, la] = nb
    for j in range(6):
        B[(_R_Y + j) * L + la] = y0[i, j]
        ybuf[j] = y0[i, j]
    t = t0[i]
    accel(t, t, ybuf, ctrl[i], geo[i], st, model, obuf)
    for j in range(6):
        B[(_R_F + j) * L + la] = obuf[j]
    B[_R_T * L + la] = t
    B[_R_STEP * L + la] = H_FIRST
    B[_R_EPREV * L + la] = 1e-4
    B[_R_TBO * L + la] = st[n_st - 1, ST_T_END]
    B[_R_TGUARD * L + la] = br[0] if t <= 0.0 else t
    B[_R_HLAUNCH * L + la] = height_above_ellipsoid_radial(ybuf[0], ybuf[1], ybuf[2])
    B[_R_DSCALE * L + la] = ctrl[i, CTRL_DRAG_SCALE]
    B[_R_TV * L + la] = ctrl[i, CTRL_T_VERTICAL]
    B[_R_TK * L + la] = ctrl[i, CTRL_T_KICK]
    kick = ctrl[i, CTRL_KICK]
    B[_R_KICK * L + la] = kick
    e_hold = 0.5 * np.pi - kick
    B[_R_EHOLD * L + la] = e_hold
    B[_R_CEH * L + la] = np.cos(e_hold)
    B[_R_SEH * L + la] = np.sin(e_hold)
    for j in range(3):
        B[(_R_UP + j) * L + la] = geo[i, GEO_UP + j]
        B[(_R_HDG + j) * L + la] = geo[i, GEO_HDG + j]
    I_[_I_TRAJ, la] = i
    I_[_I_IB, la] = 0
    I_[_I_NSTEP, la] = 0
    I_[_I_NREJ, la] = 0
    I_[_I_JREJ, la] = 0
    I_[_I_LIFT, la] = 1 if ctrl[i, CTRL_ALPHA] != 0.0 else 0
    B[_R_ALPHA * L + la] = ctrl[i, CTRL_ALPHA]
    io = 0
    while io < out_times.shape[0] and out_times[io] < t:
        for j in range(out_states.shape[2]):
            out_states[i, io, j] = np.nan
        io += 1
    I_[_I_IOUT, la] = io
    e = ev[i]
    e[EV_H_APOGEE] = geodetic_height_m(np.sqrt(ybuf[0] * ybuf[0] + ybuf[1] * ybuf[1]), ybuf[2])
    e[EV_T_APOGEE] = t
    e[EV_STATUS] = STATUS_TIMEOUT


#: Rows of ``B`` that carry a lane's trajectory from one trial step to the next (the rest are
#: set afresh in every trial step): what a lane parks at burnout and takes back for the coast.
_PARK_ROWS = np.array(
    list(range(_R_Y, _R_F + 6))
    + [_R_T]
    + list(range(_R_STEP, _R_DSCALE + 1))
    + list(range(_R_M0, _R_HDG + 3))
    + [_R_EPREV, _R_ALPHA]
)
N_PARK_B: int = int(_PARK_ROWS.shape[0])


@njit(cache=True)
def n_park(n_stages: int) -> int:
    """Floats a parked trajectory of an ``n_stages``-stage vehicle takes (a row of the park
    block: the carried ``B`` rows, the integer rows, its stage table and breakpoints)."""
    return N_PARK_B + N_I + 4 * n_stages + 2 + n_stages


@njit_no_nrt
def _park_lane(
    la: int,
    row: np.ndarray,
    B: np.ndarray,
    I_: np.ndarray,
    stages_l: np.ndarray,
    breaks_l: np.ndarray,
) -> None:
    """Save lane ``la``'s trajectory into ``row`` (a row of the park block)."""
    for k in range(N_PARK_B):
        row[k] = B[_PARK_ROWS[k] * L + la]
    o = N_PARK_B
    for r in range(N_I):
        row[o + r] = I_[r, la]
    o += N_I
    st = stages_l[la]
    for a_ in range(st.shape[0]):
        for b_ in range(st.shape[1]):
            row[o] = st[a_, b_]
            o += 1
    br = breaks_l[la]
    for a_ in range(br.shape[0]):
        row[o + a_] = br[a_]


@njit_no_nrt
def _unpark_lane(
    la: int,
    row: np.ndarray,
    B: np.ndarray,
    I_: np.ndarray,
    stages_l: np.ndarray,
    breaks_l: np.ndarray,
) -> None:
    """Put the trajectory parked in ``row`` back into lane ``la``, as it was."""
    for k in range(N_PARK_B):
        B[_PARK_ROWS[k] * L + la] = row[k]
    o = N_PARK_B
    for r in range(N_I):
        I_[r, la] = np.int64(row[o + r])
    o += N_I
    st = stages_l[la]
    for a_ in range(st.shape[0]):
        for b_ in range(st.shape[1]):
            st[a_, b_] = row[o]
            o += 1
    br = breaks_l[la]
    for a_ in range(br.shape[0]):
        br[a_] = row[o + a_]


@njit(cache=True, inline="always")
def _end_out(i: int, io: int, out_states: np.ndarray) -> None:
    """Trajectory ``i`` has ended: its output rows from ``io`` on are NaN."""
    for k in range(io, out_states.shape[1]):
        for j in range(out_states.shape[2]):
            out_states[i, k, j] = np.nan


@njit_no_nrt
def _run_group(
    lo: int,
    hi: int,
    y0: np.ndarray,
    t0: np.ndarray,
    ctrl: np.ndarray,
    geo: np.ndarray,
    stages_base: np.ndarray,
    model: tuple[Any, ...],
    t_max: float,
    rtol: float,
    atol_pos: float,
    atol_vel: float,
    max_steps: int,
    out_times: np.ndarray,
    out_states: np.ndarray,
    ev: np.ndarray,
    B: np.ndarray,
    I_: np.ndarray,
    stages_l: np.ndarray,
    breaks_l: np.ndarray,
    W: np.ndarray,
    P: np.ndarray,
) -> None:
    """Fly trajectories ``lo`` to ``hi`` of the batch through the lanes (module docstring):
    first their powered flight, a lane parking each trajectory in a row of ``P`` at burnout
    and taking the next one; then the parked trajectories' coast, refilling from ``P``.  A
    lane's arithmetic does not depend on the other lanes, so the split changes no result; it
    keeps the thrust pass, which runs on every lane whenever one lane burns, out of the coast
    (half the trial steps of a 700 km SRBM)."""
    n_st = stages_base.shape[0]
    phys_aero = model[1][PH_AERO] > 0.0
    area_boost = model[0][VS_AREA_BOOST]
    area_coast = model[0][VS_AREA_COAST]
    ybuf, obuf = W[0], W[1]
    yb, fb, ynb, fnb, buf = W[2], W[3], W[4], W[5], W[6]
    traj, ib_, nst_, nrej_ = I_[_I_TRAJ], I_[_I_IB], I_[_I_NSTEP], I_[_I_NREJ]
    hitb_, jrej_ = I_[_I_HITBRK], I_[_I_JREJ]
    for k in range(N_ROWS * L):
        B[k] = 0.0
    nxt = lo
    n_active = 0
    for la in range(L):
        traj[la] = -1
        I_[_I_LIFT, la] = 0
        B[_R_Y * L + la] = 7.0e6  # an idle lane holds a harmless state (no 0/0 in the passes)
        B[_R_TOL * L + la] = 1.0
        B[_R_TBO * L + la] = -1.0
        B[_R_AREA * L + la] = area_coast
        B[_R_M0 * L + la] = 1.0
        B[_R_TK * L + la] = 1.0
        if nxt < hi:
            _load_lane(
                la, nxt, y0, t0, ctrl, geo, stages_base, model, ev,
                B, I_, stages_l, breaks_l, ybuf, obuf, out_times, out_states,
            )  # fmt: skip
            nxt += 1
            n_active += 1
    boost = True  # the powered phase: lanes park their trajectory at burnout
    n_parked = 0
    n_unparked = 0
    n_out = out_times.shape[0]
    n_comp = out_states.shape[2]
    while True:
        any_burning = False
        any_lift = False
        # The entry cap at the step start (vectorized; integrate_one's formulas).
        if phys_aero:
            for la in range(L):
                B[_R_CAP * L + la] = entry_cap(
                    B[(_R_Y + 0) * L + la],
                    B[(_R_Y + 1) * L + la],
                    B[(_R_Y + 2) * L + la],
                    B[(_R_Y + 3) * L + la],
                    B[(_R_Y + 4) * L + la],
                    B[(_R_Y + 5) * L + la],
                )
        # Per lane: finish what has ended, pick the trial step (integrate_one's loop head).
        for la in range(L):
            fresh = False
            while traj[la] >= 0:
                i = traj[la]
                done = False
                if not B[_R_T * L + la] < t_max:
                    done = True
                elif nst_[la] + nrej_[la] >= max_steps:
                    ev[i, EV_STATUS] = STATUS_STEP_LIMIT
                    done = True
                if not done and boost and not B[_R_T * L + la] < B[_R_TBO * L + la]:
                    _park_lane(la, P[n_parked], B, I_, stages_l, breaks_l)
                    n_parked += 1
                elif not done:
                    break
                else:
                    ev[i, EV_N_STEPS] = nst_[la]
                    ev[i, EV_N_REJECT] = nrej_[la]
                    _end_out(i, I_[_I_IOUT, la], out_states)
                if boost and nxt < hi:
                    _load_lane(
                        la, nxt, y0, t0, ctrl, geo, stages_base, model, ev,
                        B, I_, stages_l, breaks_l, ybuf, obuf, out_times, out_states,
                    )  # fmt: skip
                    nxt += 1
                    fresh = True
                elif not boost and n_unparked < n_parked:
                    _unpark_lane(la, P[n_unparked], B, I_, stages_l, breaks_l)
                    n_unparked += 1
                    fresh = True
                else:
                    traj[la] = -1
                    B[_R_H * L + la] = 0.0
                    n_active -= 1
            if traj[la] < 0:
                continue
            i_l = traj[la]
            if I_[_I_LIFT, la] != 0:
                any_lift = True
            t = B[_R_T * L + la]
            br = breaks_l[la]
            ib = ib_[la]
            nb = I_[_I_NB, la]
            while ib < nb and br[ib] <= t + 1e-9:
                ib += 1
            ib_[la] = ib
            hstep = min(B[_R_STEP * L + la], t_max - t)
            if phys_aero:
                if fresh:  # a trajectory loaded just now: not in the vectorized pass above
                    B[_R_CAP * L + la] = entry_cap(
                        B[(_R_Y + 0) * L + la],
                        B[(_R_Y + 1) * L + la],
                        B[(_R_Y + 2) * L + la],
                        B[(_R_Y + 3) * L + la],
                        B[(_R_Y + 4) * L + la],
                        B[(_R_Y + 5) * L + la],
                    )
                cap = B[_R_CAP * L + la]
                if cap < hstep:
                    hstep = cap
            hitb_[la] = 0
            if ib < nb and t + hstep >= br[ib] - 1e-9:
                hstep = br[ib] - t
                hitb_[la] = 1
            B[_R_H * L + la] = hstep
            B[_R_TOL * L + la] = 0.2 if t < B[_R_TBO * L + la] else 1.0
            # The regime of the step (accel's stage search at t_regime = t).
            sl = stages_l[la]
            k = 0
            while k < n_st and t >= sl[k, ST_T_END]:
                k += 1
            if k < n_st:
                any_burning = True
                B[_R_TST * L + la] = 0.0 if k == 0 else sl[k - 1, ST_T_END]
                B[_R_M0 * L + la] = sl[k, ST_M0]
                B[_R_MDOT * L + la] = sl[k, ST_MDOT]
                B[_R_ATHR * L + la] = ctrl[i_l, CTRL_THRUST_SCALE] * sl[k, ST_THRUST]
                B[_R_AREA * L + la] = area_boost
            else:
                B[_R_AREA * L + la] = area_coast
        if n_active == 0:
            if boost and n_parked > 0:  # the coast of the parked trajectories
                boost = False
                for la in range(L):
                    if n_unparked < n_parked:
                        _unpark_lane(la, P[n_unparked], B, I_, stages_l, breaks_l)
                        n_unparked += 1
                        n_active += 1
                continue
            break
        # Runge-Kutta stages over all lanes; K[0] is f at the step start (FSAL).
        for k in range(6 * L):
            B[_R_K * L + k] = B[_R_F * L + k]
        for st in range(1, DP_NS + 1):
            a0 = DP_A[st, 0]
            for k in range(6 * L):
                B[_R_ACC * L + k] = 0.0 + a0 * B[_R_K * L + k]
            for m in range(1, st):
                am = DP_A[st, m]
                off = (_R_K + 6 * m) * L
                for k in range(6 * L):
                    B[_R_ACC * L + k] += am * B[off + k]
            for j in range(6):
                for la in range(L):
                    B[(_R_YT + j) * L + la] = (
                        B[(_R_Y + j) * L + la] + B[_R_H * L + la] * B[(_R_ACC + j) * L + la]
                    )
            cst = DP_C[st]
            for la in range(L):
                B[_R_TS * L + la] = B[_R_T * L + la] + cst * B[_R_H * L + la]
            # bool(): one compiled _force_lanes (without it numba also compiles, and caches, a
            # specialisation for the flags' first literal value, False, never called)
            _force_lanes(
                B, I_, ctrl, geo, stages_l, model, ybuf, obuf, bool(any_burning), bool(any_lift)
            )
            off = (_R_K + 6 * st) * L
            for k in range(6 * L):
                B[off + k] = B[_R_FO * L + k]
        # Error norm (integrate_one's order of operations), vectorized over lanes.
        for k in range(6 * L):
            B[_R_ACC * L + k] = 0.0 + DP_E5[0] * B[_R_K * L + k]
        for m in range(1, DP_NS + 1):
            em = DP_E5[m]
            off = (_R_K + 6 * m) * L
            for k in range(6 * L):
                B[_R_ACC * L + k] += em * B[off + k]
        for la in range(L):
            B[_R_ERR * L + la] = 0.0
        for j in range(6):
            atol = atol_pos if j < 3 else atol_vel
            for la in range(L):
                sc = B[_R_TOL * L + la] * (
                    atol + rtol * max(abs(B[(_R_Y + j) * L + la]), abs(B[(_R_YT + j) * L + la]))
                )
                r = B[(_R_ACC + j) * L + la] / sc
                B[_R_ERR * L + la] += r * r
        # Error norm, height and r . v at both ends (vectorized; integrate_one's formulas).
        for la in range(L):
            B[_R_EN * L + la] = B[_R_H * L + la] * np.sqrt(B[_R_ERR * L + la] / 6.0)
            xn = B[(_R_YT + 0) * L + la]
            yn = B[(_R_YT + 1) * L + la]
            zn = B[(_R_YT + 2) * L + la]
            B[_R_HNEW * L + la] = height_above_ellipsoid_radial(xn, yn, zn)
            B[_R_RV0 * L + la] = (
                B[(_R_Y + 0) * L + la] * B[(_R_Y + 3) * L + la]
                + B[(_R_Y + 1) * L + la] * B[(_R_Y + 4) * L + la]
                + B[(_R_Y + 2) * L + la] * B[(_R_Y + 5) * L + la]
            )
            B[_R_RV1 * L + la] = (
                xn * B[(_R_YT + 3) * L + la]
                + yn * B[(_R_YT + 4) * L + la]
                + zn * B[(_R_YT + 5) * L + la]
            )
        # The step-control factors of both outcomes (integrate_one's expressions), in a loop
        # of their own: the lanes' independent pow calls overlap there, where in the branchy
        # loop below each one's latency stalled it.
        for la in range(L):
            fr = SAFETY * B[_R_EN * L + la] ** -PI_ALPHA
            B[_R_FACR * L + la] = fr
            B[_R_FAC * L + la] = fr * B[_R_EPREV * L + la] ** PI_BETA
        # Per lane: accept or reject, events, step control.
        for la in range(L):
            i = traj[la]
            if i < 0:
                continue
            hstep = B[_R_H * L + la]
            t = B[_R_T * L + la]
            err = B[_R_EN * L + la]
            step = B[_R_STEP * L + la]
            if not err <= 1.0 and hstep > 1e-6:
                nrej_[la] += 1
                B[_R_STEP * L + la] = hstep * max(FAC_MIN, B[_R_FACR * L + la])
                jrej_[la] = 1
                continue
            nst_[la] += 1
            hit_break = hitb_[la] != 0
            br = breaks_l[la]
            t_new = br[ib_[la]] if hit_break else t + hstep
            e = ev[i]
            h_new = B[_R_HNEW * L + la]
            rv0 = B[_R_RV0 * L + la]
            rv1 = B[_R_RV1 * L + la]
            apo = rv0 > 0.0 and rv1 <= 0.0
            impact = (
                t_new > B[_R_TGUARD * L + la] and h_new < 0.0 and h_new < B[_R_HLAUNCH * L + la]
            )
            io = I_[_I_IOUT, la]
            sampled = io < n_out and out_times[io] <= t + hstep
            if apo or impact or sampled:
                for j in range(6):
                    yb[j] = B[(_R_Y + j) * L + la]
                    fb[j] = B[(_R_F + j) * L + la]
                    ynb[j] = B[(_R_YT + j) * L + la]
                    fnb[j] = B[(_R_K + 6 * DP_NS + j) * L + la]
            if apo:
                apogee_in_step(yb, fb, ynb, fnb, hstep, t, e, buf)
            s_end = 1.0
            if impact:
                s_end = impact_in_step(yb, fb, ynb, fnb, hstep, t, h_new, e, buf)
            if sampled:  # output samples inside (t, t + s_end * hstep] (integrate_one's)
                t_stop = t + s_end * hstep
                while io < n_out and out_times[io] <= t_stop:
                    if n_comp == 3:
                        hermite_pos(yb, fb, ynb, fnb, hstep, (out_times[io] - t) / hstep, buf)
                        for j in range(3):
                            out_states[i, io, j] = buf[j]
                    else:
                        hermite(yb, fb, ynb, fnb, hstep, (out_times[io] - t) / hstep, buf)
                        for j in range(6):
                            out_states[i, io, j] = buf[j]
                    io += 1
                I_[_I_IOUT, la] = io
            if hit_break and abs(t_new - B[_R_TBO * L + la]) < 1e-9:
                e[EV_T_BURNOUT] = t_new
                for j in range(6):
                    e[EV_Y_BURNOUT + j] = B[(_R_YT + j) * L + la]
            if impact:
                e[EV_N_STEPS] = nst_[la]
                e[EV_N_REJECT] = nrej_[la]
                _end_out(i, io, out_states)
                if boost and nxt < hi:
                    _load_lane(
                        la, nxt, y0, t0, ctrl, geo, stages_base, model, ev,
                        B, I_, stages_l, breaks_l, ybuf, obuf, out_times, out_states,
                    )  # fmt: skip
                    nxt += 1
                elif not boost and n_unparked < n_parked:
                    _unpark_lane(la, P[n_unparked], B, I_, stages_l, breaks_l)
                    n_unparked += 1
                else:
                    traj[la] = -1
                    B[_R_H * L + la] = 0.0
                    n_active -= 1
                continue
            B[_R_T * L + la] = t_new
            for j in range(6):
                B[(_R_Y + j) * L + la] = B[(_R_YT + j) * L + la]
            if hit_break:
                for j in range(6):
                    ybuf[j] = B[(_R_YT + j) * L + la]
                accel(t_new, t_new, ybuf, ctrl[i], geo[i], stages_l[la], model, obuf)
                for j in range(6):
                    B[(_R_F + j) * L + la] = obuf[j]
            else:
                for j in range(6):
                    B[(_R_F + j) * L + la] = B[(_R_K + 6 * DP_NS + j) * L + la]
            # Step control (integrate_one's PI controller): no growth right after a rejection.
            fac_max = FAC_MAX if nrej_[la] > 0 else FAC_MAX_START
            if err < 1e-10:
                fac = fac_max
            else:
                fac = min(fac_max, max(FAC_MIN, B[_R_FAC * L + la]))
            B[_R_EPREV * L + la] = max(err, 1e-4)
            if jrej_[la] != 0:
                fac = min(fac, 1.0)
            jrej_[la] = 0
            B[_R_STEP * L + la] = max(hstep * fac, step) if hit_break else hstep * fac


@njit(cache=True, error_model="numpy")
def _group(
    g: int | np.int64,
    group: int,
    y0: np.ndarray,
    t0: np.ndarray,
    ctrl: np.ndarray,
    geo: np.ndarray,
    stages_base: np.ndarray,
    model: tuple[Any, ...],
    t_max: float,
    rtol: float,
    atol_pos: float,
    atol_vel: float,
    max_steps: int,
    out_times: np.ndarray,
    out_states: np.ndarray,
    ev: np.ndarray,
) -> None:
    """Work item ``g``: trajectories ``g * group`` to ``(g + 1) * group``, scratch allocated
    once for it."""
    n = ctrl.shape[0]
    lo = int(g) * group
    hi = min(n, lo + group)
    B = np.empty(N_ROWS * L)
    I_ = np.zeros((N_I, L), dtype=np.int64)
    stages_l = np.empty((L, stages_base.shape[0], stages_base.shape[1]))
    breaks_l = np.empty((L, 2 + stages_base.shape[0]))
    W = np.empty((7, 6))
    P = np.empty((max(hi - lo, 1), n_park(stages_base.shape[0])))
    _run_group(
        lo, hi, y0, t0, ctrl, geo, stages_base, model, t_max, rtol, atol_pos, atol_vel,
        max_steps, out_times, out_states, ev, B, I_, stages_l, breaks_l, W, P,
    )  # fmt: skip


@njit(cache=True, parallel=True, error_model="numpy")
def _lockstep_parallel(
    group: int,
    y0: np.ndarray,
    t0: np.ndarray,
    ctrl: np.ndarray,
    geo: np.ndarray,
    stages_base: np.ndarray,
    model: tuple[Any, ...],
    t_max: float,
    rtol: float,
    atol_pos: float,
    atol_vel: float,
    max_steps: int,
    out_times: np.ndarray,
    out_states: np.ndarray,
    ev: np.ndarray,
) -> None:
    for g in prange((ctrl.shape[0] + group - 1) // group):
        _group(
            np.int64(g),  # prange's index may be unsigned: one compiled _group for both loops
            group, y0, t0, ctrl, geo, stages_base, model, t_max, rtol, atol_pos,
            atol_vel, max_steps, out_times, out_states, ev,
        )  # fmt: skip


@njit(cache=True, error_model="numpy")
def _lockstep_serial(
    group: int,
    y0: np.ndarray,
    t0: np.ndarray,
    ctrl: np.ndarray,
    geo: np.ndarray,
    stages_base: np.ndarray,
    model: tuple[Any, ...],
    t_max: float,
    rtol: float,
    atol_pos: float,
    atol_vel: float,
    max_steps: int,
    out_times: np.ndarray,
    out_states: np.ndarray,
    ev: np.ndarray,
) -> None:
    for g in range((ctrl.shape[0] + group - 1) // group):
        _group(
            g, group, y0, t0, ctrl, geo, stages_base, model, t_max, rtol, atol_pos,
            atol_vel, max_steps, out_times, out_states, ev,
        )  # fmt: skip


_NO_TIMES = np.empty(0)


def _no_states(n: int) -> np.ndarray:
    """An (n, 0, 3) output of the layout an assessment's positions have (a transposed view
    of (3, n, T)), so that a batch without samples runs the same compiled kernel."""
    return np.empty((3, n, 0)).transpose(1, 2, 0)


def lockstep_batch(
    y0: np.ndarray,
    t0: np.ndarray,
    ctrl: np.ndarray,
    geo: np.ndarray,
    stages_base: np.ndarray,
    model: tuple[Any, ...],
    t_max: float,
    rtol: float,
    atol_pos: float,
    atol_vel: float,
    max_steps: int,
    ev: np.ndarray,
    *,
    out_times: np.ndarray | None = None,
    out_states: np.ndarray | None = None,
    group: int | None = None,
) -> None:
    """Integrate N trajectories (arguments and ``ev`` rows as :func:`integrate_batch`'s; the
    samples at ``out_times`` (T,) into ``out_states`` (N, T, 6) states or (N, T, 3)
    positions, NaN where there is none, as ``integrate_batch`` writes them) in lanes of ``LANES``; work items of ``group`` trajectories (default: the
    batch cut into at least 2 items per numba thread, each of 8 * LANES to ``GROUP``), parallel
    over the numba threads when there is more than one item."""
    atm = model[5:10]
    if not (
        np.array_equal(atm[0], _ATM_RHO)
        and np.array_equal(atm[1], _ATM_DLOG)
        and np.array_equal(atm[2], _ATM_A)
        and atm[3] == _ATM_H0
        and atm[4] == _ATM_DH
    ):
        raise ValueError("lockstep_batch: model must carry atmosphere.kernel_tables()")
    n = ctrl.shape[0]
    threads = get_num_threads()
    if group is None:  # at least 8 lanes' worth per work item: a work item's tail idles lanes
        group = max(8 * LANES, min(GROUP, -(-n // (2 * threads))))
    if out_times is None or out_states is None:
        out_times, out_states = _NO_TIMES, _no_states(n)
    args = (
        int(group), y0, t0, ctrl, geo, stages_base, model, float(t_max),
        float(rtol), float(atol_pos), float(atol_vel), int(max_steps),
        out_times, out_states, ev,
    )  # fmt: skip
    if n <= group or threads == 1:
        _lockstep_serial(*args)
    else:
        _lockstep_parallel(*args)


def propagate_lockstep(
    vehicle: VehicleModel,
    lat_deg: ArrayLike,
    lon_deg: ArrayLike,
    azimuth_deg: ArrayLike,
    ctrl: ArrayLike,
    *,
    h_m: ArrayLike = 0.0,
    physics: Physics | None = None,
    t_max_s: float = 7200.0,
    rtol: float | None = None,
    atol_pos_m: float | None = None,
    atol_vel_m_s: float | None = None,
    max_steps: int = 20_000,
) -> Trajectories:
    """:func:`launchwatch.flight.propagate.propagate` (same arguments and defaults, no sampled
    states) flown by :func:`lockstep_batch`: a :class:`~launchwatch.flight.propagate.Trajectories`
    with the events."""
    physics = FULL_PHYSICS if physics is None else physics
    ctrl = np.ascontiguousarray(np.atleast_2d(np.asarray(ctrl, float)))
    n = ctrl.shape[0]
    geo, y0 = launch_start(lat_deg, lon_deg, azimuth_deg, h_m, n, physics.omega_rad_s)
    ev = np.full((n, N_EV), np.nan)
    lockstep_batch(
        y0,
        np.zeros(n),
        ctrl,
        geo,
        vehicle.stages,
        vehicle.model_arrays(physics),
        float(t_max_s),
        float(DEFAULT_RTOL if rtol is None else rtol),
        float(DEFAULT_ATOL_POS_M if atol_pos_m is None else atol_pos_m),
        float(DEFAULT_ATOL_VEL_M_S if atol_vel_m_s is None else atol_vel_m_s),
        int(max_steps),
        ev,
    )
    return trajectories_from_events(ev, lat_deg, lon_deg, physics.omega_rad_s)
