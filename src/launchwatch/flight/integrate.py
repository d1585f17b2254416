"""Batched adaptive integration of :func:`launchwatch.flight.dynamics.accel`.

One call integrates N trajectories, each with its own step size (Dormand-Prince 5(4) with
error control and a PI step-size controller), in a numba kernel parallel over the batch axis.  Steps land exactly on every
model breakpoint (end of vertical rise, end of pitch-over, each staging and burnout), so the
discontinuities of thrust and mass never fall inside a step.  Events:

* burnout: the state at the last stage's end;
* apogee: maximum geodetic height, located on the step's quintic Hermite interpolant;
* impact: the ellipsoid crossing (geodetic height 0) located on the same interpolant by
  Illinois root finding, not the last step;
* output samples at requested common times, from the same interpolant.

Units: seconds from lift-off, metres, m/s; frame: launch inertial frame (see dynamics).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numpy as np
from numba import get_num_threads, njit, prange

from ..earth.constants import GM_M3_S2
from ..earth.frames import geodetic_height_m
from .dynamics import (
    CTRL_BURN_FRACTION,
    CTRL_T_KICK,
    CTRL_T_VERTICAL,
    FASTMATH,
    PH_AERO,
    ST_T_END,
    accel,
    height_above_ellipsoid_radial,
)

# Event record layout, one row per trajectory.
EV_STATUS = 0  # 0 running/timeout, 1 impact, 2 step-limit
EV_T_BURNOUT = 1
EV_Y_BURNOUT = 2  # 6 values
EV_T_APOGEE = 8
EV_H_APOGEE = 9
EV_Y_APOGEE = 10  # 6 values
EV_T_IMPACT = 16
EV_Y_IMPACT = 17  # 6 values
EV_N_STEPS = 23
EV_N_REJECT = 24
N_EV = 25

STATUS_TIMEOUT = 0.0
STATUS_IMPACT = 1.0
STATUS_STEP_LIMIT = 2.0

_F = TypeVar("_F", bound=Callable[..., Any])


def njit_no_nrt(fn: _F) -> _F:
    """``njit`` (disk cache, numpy error model, the flight core's FASTMATH) without numba's
    reference counting (its ``_nrt`` option, which the type stubs of ``njit`` do not list): the
    function may not allocate."""
    options: dict[str, Any] = {"_nrt": False}
    return cast(_F, njit(cache=True, error_model="numpy", fastmath=FASTMATH, **options)(fn))


#: Trajectories per parallel work item.
BLOCK = 64

#: Atmospheric-entry step cap: a descending step may end at most ENTRY_DH_M below ENTRY_H_M.
ENTRY_H_M = 60.0e3
ENTRY_DH_M = 10.0e3

# Explicit embedded Runge-Kutta pair, FSAL form: stages 0..NS-1 give y_new = y + h sum B K,
# stage NS is f(t + h, y_new) (reused as the next step's first stage); the error estimate is
# h * sum E5 K.  Dormand-Prince 5(4) (Dormand & Prince 1980), as in scipy's RK45; chosen over
# DOP853 by measurement (docs/design.md).  Public: flight/lockstep.py steps with the same pair.
# DP_NS stages before the FSAL one; DP_C nodes, DP_A coefficients (its row DP_NS: the
# fifth-order weights, DP_B), DP_E5 the error-estimate weights (fifth minus fourth order).
DP_NS = 6
DP_C = np.array([0.0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1.0, 1.0])
DP_A = np.zeros((7, 7))
DP_A[1, :1] = [1 / 5]
DP_A[2, :2] = [3 / 40, 9 / 40]
DP_A[3, :3] = [44 / 45, -56 / 15, 32 / 9]
DP_A[4, :4] = [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729]
DP_A[5, :5] = [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656]
DP_A[6, :6] = [35 / 384, 0.0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84]
DP_B = DP_A[6, :6].copy()
DP_E5 = np.array([71 / 57600, 0.0, -71 / 16695, 71 / 1920, -17253 / 339200, 22 / 525, -1 / 40])

# Step-size control: PI (Gustafsson 1991; Hairer & Wanner, "Solving ODEs II", sec. IV.2, as in
# the "PI stabilisation" of Hairer's DOPRI5 code): after an accepted step with scaled error
# ``err``, the next step is ``h * SAFETY * err**-PI_ALPHA * err_prev**PI_BETA`` (``err_prev``
# the previous accepted step's, at least 1e-4), within [FAC_MIN, FAC_MAX] times ``h``; a
# rejected step is cut by the integral part alone.  The proportional part damps the
# accept/reject see-saw of a plain controller where the error's growth with the step changes
# fast (entering dense air).  PI_BETA is Hairer's DOPRI5 value; SAFETY 0.8 rather than 0.9 and
# the start's growth cap were chosen by measurement (scripts/step_control.py).
SAFETY = 0.8
PI_BETA = 0.04
PI_ALPHA = 0.2 - 0.75 * PI_BETA
FAC_MIN = 0.2
FAC_MAX = 2.5
#: Largest growth while no step has been rejected yet: the first step is a guess (H_FIRST, s),
#: far smaller than a coast allows (its error 1e-14 to 1e-7), and reaching a 100 s step
#: 2.5-fold at a time took four steps more.
FAC_MAX_START = 10.0
H_FIRST = 0.5


@njit(cache=True, inline="always")
def hermite(
    y0: np.ndarray,
    f0: np.ndarray,
    y1: np.ndarray,
    f1: np.ndarray,
    h: float,
    s: float,
    out: np.ndarray,
) -> None:
    """Quintic Hermite interpolation of position (value, velocity, acceleration at both ends)
    and its derivative for velocity, at fraction ``s`` of a step of length ``h``."""
    s2 = s * s
    s3 = s2 * s
    s4 = s3 * s
    s5 = s4 * s
    h0 = 1.0 - 10.0 * s3 + 15.0 * s4 - 6.0 * s5
    h1 = s - 6.0 * s3 + 8.0 * s4 - 3.0 * s5
    h2 = 0.5 * s2 - 1.5 * s3 + 1.5 * s4 - 0.5 * s5
    h3 = 10.0 * s3 - 15.0 * s4 + 6.0 * s5
    h4 = -4.0 * s3 + 7.0 * s4 - 3.0 * s5
    h5 = 0.5 * s3 - s4 + 0.5 * s5
    d0 = -30.0 * s2 + 60.0 * s3 - 30.0 * s4
    d1 = 1.0 - 18.0 * s2 + 32.0 * s3 - 15.0 * s4
    d2 = s - 4.5 * s2 + 6.0 * s3 - 2.5 * s4
    d3 = -d0
    d4 = -12.0 * s2 + 28.0 * s3 - 15.0 * s4
    d5 = 1.5 * s2 - 4.0 * s3 + 2.5 * s4
    hh = h * h
    for j in range(3):
        p0, v0, a0 = y0[j], f0[j] * h, f0[j + 3] * hh
        p1, v1, a1 = y1[j], f1[j] * h, f1[j + 3] * hh
        out[j] = h0 * p0 + h1 * v0 + h2 * a0 + h3 * p1 + h4 * v1 + h5 * a1
        out[j + 3] = (d0 * p0 + d1 * v0 + d2 * a0 + d3 * p1 + d4 * v1 + d5 * a1) / h


@njit(cache=True, inline="always")
def hermite_pos(
    y0: np.ndarray,
    f0: np.ndarray,
    y1: np.ndarray,
    f1: np.ndarray,
    h: float,
    s: float,
    out: np.ndarray,
) -> None:
    """The position part of :func:`hermite` alone (the same floats, ``out[:3]``), for where
    the velocity is not read: root and maximum searches, geodetic path samples."""
    s2 = s * s
    s3 = s2 * s
    s4 = s3 * s
    s5 = s4 * s
    h0 = 1.0 - 10.0 * s3 + 15.0 * s4 - 6.0 * s5
    h1 = s - 6.0 * s3 + 8.0 * s4 - 3.0 * s5
    h2 = 0.5 * s2 - 1.5 * s3 + 1.5 * s4 - 0.5 * s5
    h3 = 10.0 * s3 - 15.0 * s4 + 6.0 * s5
    h4 = -4.0 * s3 + 7.0 * s4 - 3.0 * s5
    h5 = 0.5 * s3 - s4 + 0.5 * s5
    hh = h * h
    for j in range(3):
        p0, v0, a0 = y0[j], f0[j] * h, f0[j + 3] * hh
        p1, v1, a1 = y1[j], f1[j] * h, f1[j + 3] * hh
        out[j] = h0 * p0 + h1 * v0 + h2 * a0 + h3 * p1 + h4 * v1 + h5 * a1


@njit(cache=True, inline="always")
def radial_height_at(
    y0: np.ndarray,
    f0: np.ndarray,
    y1: np.ndarray,
    f1: np.ndarray,
    h: float,
    s: float,
    buf: np.ndarray,
) -> float:
    """Radial height (:func:`.dynamics.height_above_ellipsoid_radial`, m) of the interpolated
    position at fraction ``s`` of the step (``buf`` receives it)."""
    hermite_pos(y0, f0, y1, f1, h, s, buf)
    return height_above_ellipsoid_radial(buf[0], buf[1], buf[2])


@njit(cache=True, inline="always")
def height_at(
    y0: np.ndarray,
    f0: np.ndarray,
    y1: np.ndarray,
    f1: np.ndarray,
    h: float,
    s: float,
    buf: np.ndarray,
) -> float:
    """Geodetic height (m) of the interpolated position at fraction ``s`` of the step
    (``buf`` receives the interpolated state)."""
    hermite(y0, f0, y1, f1, h, s, buf)
    return geodetic_height_m(np.sqrt(buf[0] * buf[0] + buf[1] * buf[1]), buf[2])


@njit(cache=True, inline="always", error_model="numpy")
def entry_cap(x: float, y: float, z: float, vx: float, vy: float, vz: float) -> float:
    """The atmospheric-entry cap on the next step (s; inf where none) from the state at the
    step start (launch inertial frame, m, m/s): integrate_one's and the lockstep kernel's.

    Entering the atmosphere from a long coast step, the step is capped so that it ends at most
    ENTRY_DH_M below ENTRY_H_M (values chosen by measurement), instead of letting a 100-second
    coast step plunge into dense air and be rejected several times over.  The time to that
    level is the fall of a parabola under the net radial acceleration (gravity less the
    centripetal term of the horizontal speed): a straight line from the radial speed alone
    overshot it by ~100 s from a 600 km apogee, costing a rejection.  Below ENTRY_H_M a
    descending step may fall at most ENTRY_DH_M at the current radial speed."""
    r2_ = x * x + y * y + z * z
    r_ = np.sqrt(r2_)
    rdot = (x * vx + y * vy + z * vz) / r_
    h_now = height_above_ellipsoid_radial(x, y, z)
    cap = np.inf
    if h_now > ENTRY_H_M:
        v2_ = vx * vx + vy * vy + vz * vz
        g_net = GM_M3_S2 / r2_ - (v2_ - rdot * rdot) / r_
        drop = h_now - ENTRY_H_M + ENTRY_DH_M
        if g_net > 0.0:
            cap = (rdot + np.sqrt(rdot * rdot + 2.0 * g_net * drop)) / g_net
        elif rdot < 0.0:
            cap = drop / -rdot
    elif rdot < 0.0:
        cap = (max(h_now - ENTRY_H_M, 0.0) + ENTRY_DH_M) / -rdot
    return cap


# ``_nrt=False``: compiled without numba's reference counting.  Inlined into this loop, every
# force evaluation took and dropped a reference on each of its dozen array arguments: atomic
# increments and decrements that cost more than the arithmetic (measured: 26 -> 11 us of CPU per
# assessment sample, bit-identical results).  Nothing here allocates: scratch comes from the
# caller, and the copies and the sort below are written as loops for that reason.
@njit(cache=True, inline="always")
def apogee_in_step(
    y0: np.ndarray,
    f0: np.ndarray,
    y1: np.ndarray,
    f1: np.ndarray,
    h: float,
    t: float,
    ev: np.ndarray,
    buf: np.ndarray,
) -> None:
    """The step ``(t, t + h)``'s highest point, kept in ``ev`` when above the one held there.

    A golden-section search on the radial height (24 iterations, one interpolant evaluation
    per iteration), then the geodetic height at the final bracket's middle."""
    gr = 0.6180339887498949
    a_s, b_s = 0.0, 1.0
    c1 = b_s - gr * (b_s - a_s)
    c2 = a_s + gr * (b_s - a_s)
    h1 = radial_height_at(y0, f0, y1, f1, h, c1, buf)
    h2 = radial_height_at(y0, f0, y1, f1, h, c2, buf)
    for _ in range(24):
        if h1 > h2:
            b_s, c2, h2 = c2, c1, h1
            c1 = b_s - gr * (b_s - a_s)
            h1 = radial_height_at(y0, f0, y1, f1, h, c1, buf)
        else:
            a_s, c1, h1 = c1, c2, h2
            c2 = a_s + gr * (b_s - a_s)
            h2 = radial_height_at(y0, f0, y1, f1, h, c2, buf)
    s_ap = 0.5 * (c1 + c2)
    h_ap = height_at(y0, f0, y1, f1, h, s_ap, buf)
    if h_ap > ev[EV_H_APOGEE]:
        ev[EV_H_APOGEE] = h_ap
        ev[EV_T_APOGEE] = t + s_ap * h
        for j in range(6):
            ev[EV_Y_APOGEE + j] = buf[j]


@njit(cache=True, inline="always")
def impact_in_step(
    y0: np.ndarray,
    f0: np.ndarray,
    y1: np.ndarray,
    f1: np.ndarray,
    h: float,
    t: float,
    h_end: float,
    ev: np.ndarray,
    buf: np.ndarray,
) -> float:
    """The step ``(t, t + h)``'s crossing of the ellipsoid (it ends at radial height
    ``h_end`` < 0): an Illinois regula falsi on the position interpolant, written to ``ev``
    (impact time, state, status); returns the crossing's fraction of the step."""
    sa, sb = 0.0, 1.0
    fa = height_above_ellipsoid_radial(y0[0], y0[1], y0[2])
    fb = h_end
    side = 0
    sc_ = 1.0
    for _ in range(60):
        sc_ = (sa * fb - sb * fa) / (fb - fa)
        hermite_pos(y0, f0, y1, f1, h, sc_, buf)
        fc = height_above_ellipsoid_radial(buf[0], buf[1], buf[2])
        if abs(fc) < 1e-6 or (sb - sa) < 1e-13:
            break
        if fc > 0.0:
            sa, fa = sc_, fc
            if side == 1:
                fb *= 0.5
            side = 1
        else:
            sb, fb = sc_, fc
            if side == -1:
                fa *= 0.5
            side = -1
    hermite(y0, f0, y1, f1, h, sc_, buf)
    ev[EV_T_IMPACT] = t + sc_ * h
    for j in range(6):
        ev[EV_Y_IMPACT + j] = buf[j]
    ev[EV_STATUS] = STATUS_IMPACT
    return sc_


@njit_no_nrt
def integrate_one(
    y0: np.ndarray,
    t0: float,
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
    stages: np.ndarray,
    breaks: np.ndarray,
    K: np.ndarray,
    work: np.ndarray,
) -> None:
    """Integrate one trajectory from lift-off to impact (or ``t_max``); see module docstring.

    Samples at ``out_times`` go to ``out_states``: (T, 6) the state, or (T, 3) the position
    alone (position-only Hermite; an assessment's paths, converted to geodetic afterwards in
    one vectorized pass: :func:`launchwatch.earth.frames.eci_positions_to_geodetic_deg`).  Rows
    without a state (before the start, after impact or ``t_max``) are written NaN.

    ``stages``, ``breaks``, ``K`` and ``work`` are scratch arrays owned by the caller (no
    allocation per trajectory: the batch kernel reuses them across a block of trajectories).
    """
    n_st = stages_base.shape[0]
    for a_ in range(n_st):
        for b_ in range(stages_base.shape[1]):
            stages[a_, b_] = stages_base[a_, b_]
    # The last stage may be cut short (energy management): scale its burn.
    last_start = 0.0 if n_st == 1 else stages[n_st - 2, ST_T_END]
    frac = ctrl[CTRL_BURN_FRACTION]
    stages[n_st - 1, ST_T_END] = last_start + frac * (stages[n_st - 1, ST_T_END] - last_start)
    t_burnout = stages[n_st - 1, ST_T_END]

    nb = 2 + n_st
    breaks[0] = ctrl[CTRL_T_VERTICAL]
    breaks[1] = ctrl[CTRL_T_VERTICAL] + ctrl[CTRL_T_KICK]
    for k in range(n_st):
        breaks[2 + k] = stages[k, ST_T_END]
    for a_ in range(1, nb):  # insertion sort of the few breakpoints
        v_ = breaks[a_]
        b_ = a_ - 1
        while b_ >= 0 and breaks[b_] > v_:
            breaks[b_ + 1] = breaks[b_]
            b_ -= 1
        breaks[b_ + 1] = v_
    # After burnout the forces do not depend on the regime time (no thrust, no pitch program):
    # a pitch-program breakpoint after it (a coasting body's, at its time origin) would only
    # cut a step short.
    while nb > 0 and breaks[nb - 1] > t_burnout + 1e-9:
        nb -= 1

    y = work[0]
    for j in range(6):
        y[j] = y0[j]

    ytmp = work[1]
    ynew = work[2]
    fnew = work[3]
    buf = work[4]
    f = work[5]

    t = t0
    phys_aero = model[1][PH_AERO] > 0.0
    accel(t, t, y, ctrl, geo, stages, model, f)
    h_alt = geodetic_height_m(np.sqrt(y[0] * y[0] + y[1] * y[1]), y[2])
    h_launch = height_above_ellipsoid_radial(y[0], y[1], y[2])
    # Ground impact counts only once the missile has left the pad (or from a given state).
    t_guard = breaks[0] if t0 <= 0.0 else t0
    step = H_FIRST
    err_prev = 1e-4
    n_out = out_times.shape[0]
    n_comp = out_states.shape[1]
    i_out = 0
    while i_out < n_out and out_times[i_out] < t:
        for j in range(n_comp):
            out_states[i_out, j] = np.nan
        i_out += 1
    ev[EV_H_APOGEE] = h_alt
    ev[EV_T_APOGEE] = t0
    ib = 0
    n_steps = 0
    n_rej = 0
    ev[EV_STATUS] = STATUS_TIMEOUT
    just_rejected = False
    while t < t_max:
        if n_steps + n_rej >= max_steps:
            ev[EV_STATUS] = STATUS_STEP_LIMIT
            break
        while ib < nb and breaks[ib] <= t + 1e-9:
            ib += 1
        hstep = min(step, t_max - t)
        # Entering the atmosphere from a long coast step: cap the step (entry_cap).
        if phys_aero:
            cap = entry_cap(y[0], y[1], y[2], y[3], y[4], y[5])
            if cap < hstep:
                hstep = cap
        hit_break = False
        if ib < nb and t + hstep >= breaks[ib] - 1e-9:
            hstep = breaks[ib] - t
            hit_break = True
        # Runge-Kutta stages; K[0] is f at the step start (FSAL), K[DP_NS] f at the step end.
        for j in range(6):
            K[0, j] = f[j]
        # Powered flight is held to a 5x tighter tolerance: a velocity error at burnout
        # grows linearly over the whole free flight, and boost steps are few.
        tol_scale = 0.2 if t < t_burnout else 1.0
        for st in range(1, DP_NS + 1):
            for j in range(6):
                acc = 0.0
                for m in range(st):
                    acc += DP_A[st, m] * K[m, j]
                ytmp[j] = y[j] + hstep * acc
            accel(t + DP_C[st] * hstep, t, ytmp, ctrl, geo, stages, model, buf)
            for j in range(6):
                K[st, j] = buf[j]
        # y_new was the input of the last stage; error from the embedded estimator.
        e5n = 0.0
        for j in range(6):
            ynew[j] = ytmp[j]
            e5 = 0.0
            for m in range(DP_NS + 1):
                e5 += DP_E5[m] * K[m, j]
            sc = tol_scale * (
                (atol_pos if j < 3 else atol_vel) + rtol * max(abs(y[j]), abs(ynew[j]))
            )
            e5n += (e5 / sc) ** 2
        err = hstep * np.sqrt(e5n / 6.0)
        if not err <= 1.0 and hstep > 1e-6:  # NaN (a wild trial step) is rejected too
            n_rej += 1
            step = hstep * max(FAC_MIN, SAFETY * err**-PI_ALPHA)
            just_rejected = True
            continue
        n_steps += 1
        t_new = breaks[ib] if hit_break else t + hstep
        for j in range(6):
            fnew[j] = K[DP_NS, j]
        # Ground test and impact root on the radial height: it vanishes exactly where the
        # geodetic height does (on the ellipsoid) and costs a fraction of it.
        h_new = height_above_ellipsoid_radial(ynew[0], ynew[1], ynew[2])

        # Apogee: radial velocity r.v changes sign from + to - within this step.
        rv0 = y[0] * y[3] + y[1] * y[4] + y[2] * y[5]
        rv1 = ynew[0] * ynew[3] + ynew[1] * ynew[4] + ynew[2] * ynew[5]
        if rv0 > 0.0 and rv1 <= 0.0:
            # Golden-section search for the maximum height on the interpolant (one new
            # evaluation per iteration), then the geodetic height at the final bracket's middle.
            # The search follows the radial height (one square root, not a closed-form
            # geodetic conversion: 26 of those were 15 % of an assessment sample's time); the
            # two heights differ by a slowly varying amount (under 6e-6 h), which moves the
            # maximum's time by ~1e-4 s and its height by ~1e-7 m (tests/flight).
            apogee_in_step(y, f, ynew, fnew, hstep, t, ev, buf)

        # Impact: first downward crossing of the ellipsoid after lift-off.
        impact = t_new > t_guard and h_new < 0.0 and h_new < h_launch
        s_end = 1.0
        if impact:
            s_end = impact_in_step(y, f, ynew, fnew, hstep, t, h_new, ev, buf)

        # Samples at requested output times inside (t, t + s_end * hstep].
        t_stop = t + s_end * hstep
        while i_out < n_out and out_times[i_out] <= t_stop:
            if n_comp == 3:
                hermite_pos(y, f, ynew, fnew, hstep, (out_times[i_out] - t) / hstep, buf)
                for j in range(3):
                    out_states[i_out, j] = buf[j]
            else:
                hermite(y, f, ynew, fnew, hstep, (out_times[i_out] - t) / hstep, buf)
                for j in range(6):
                    out_states[i_out, j] = buf[j]
            i_out += 1

        if hit_break and abs(t_new - t_burnout) < 1e-9:
            ev[EV_T_BURNOUT] = t_new
            for j in range(6):
                ev[EV_Y_BURNOUT + j] = ynew[j]
        if impact:
            break

        t = t_new
        for j in range(6):
            y[j] = ynew[j]
        if hit_break:
            accel(t, t, y, ctrl, geo, stages, model, f)
        else:
            for j in range(6):
                f[j] = fnew[j]
        # Step control (PI, see SAFETY): no growth right after a rejection.
        fac_max = FAC_MAX if n_rej > 0 else FAC_MAX_START
        if err < 1e-10:
            fac = fac_max
        else:
            fac = min(fac_max, max(FAC_MIN, SAFETY * err**-PI_ALPHA * err_prev**PI_BETA))
        err_prev = max(err, 1e-4)
        if just_rejected:
            fac = min(fac, 1.0)
        just_rejected = False
        # A step cut short to land on a breakpoint says nothing about the step size after it:
        # resume with the step proposed before the cut.
        step = max(hstep * fac, step) if hit_break else hstep * fac
    while i_out < n_out:
        for j in range(n_comp):
            out_states[i_out, j] = np.nan
        i_out += 1
    ev[EV_N_STEPS] = n_steps
    ev[EV_N_REJECT] = n_rej


@njit(cache=True, error_model="numpy")
def _integrate_block(
    b: int | np.int64,
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
    """Trajectories ``b * BLOCK`` to ``(b + 1) * BLOCK`` of a batch (see :func:`integrate_batch`),
    with scratch arrays allocated once for the block, so threads never contend on the allocator
    inside the hot loop."""
    n = ctrl.shape[0]
    stages = np.empty_like(stages_base)
    breaks = np.empty(2 + stages_base.shape[0])
    K = np.empty((DP_NS + 1, 6))
    work = np.empty((6, 6))
    for i in range(b * BLOCK, min(n, (b + 1) * BLOCK)):
        integrate_one(
            y0[i],
            t0[i],
            ctrl[i],
            geo[i],
            stages_base,
            model,
            t_max,
            rtol,
            atol_pos,
            atol_vel,
            max_steps,
            out_times,
            out_states[i],
            ev[i],
            stages,
            breaks,
            K,
            work,
        )


@njit(cache=True, parallel=True, error_model="numpy")
def integrate_batch(
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
    """Integrate N trajectories in parallel from initial states ``y0`` (N, 6) at times ``t0``
    (N,); ``ctrl`` (N, N_CTRL), ``geo`` (N, N_GEO), ``model`` the shared force-model arrays
    (:func:`launchwatch.flight.dynamics.model_arrays`), ``out_states`` (N, T, 6) states or
    (N, T, 3) positions (see :func:`integrate_one`; NaN where there is no state), ``ev``
    (N, N_EV).  The batch is cut into blocks of ``BLOCK`` trajectories, the
    parallel work items."""
    for b in prange((ctrl.shape[0] + BLOCK - 1) // BLOCK):
        _integrate_block(
            np.int64(b),  # prange's index may be unsigned: one compiled block for both loops
            y0,
            t0,
            ctrl,
            geo,
            stages_base,
            model,
            t_max,
            rtol,
            atol_pos,
            atol_vel,
            max_steps,
            out_times,
            out_states,
            ev,
        )


@njit(cache=True, error_model="numpy")
def integrate_batch_serial(
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
    """:func:`integrate_batch` on the calling thread only: for a batch of one block, or where
    the caller is itself one of several processes sharing the cores (a parallel region waits
    for every thread, and on a loaded machine a small one waits for a descheduled thread far
    longer than it computes: measured on a campaign engagement at load 13 on 2 cores, 82
    one-block calls took 1.6 s of wall time for 0.16 s of CPU).  A function of its own, not a
    second compilation of the same one: numba's on-disk cache keys a function by its name and
    line, not by its ``parallel`` flag."""
    for b in range((ctrl.shape[0] + BLOCK - 1) // BLOCK):
        _integrate_block(
            b,
            y0,
            t0,
            ctrl,
            geo,
            stages_base,
            model,
            t_max,
            rtol,
            atol_pos,
            atol_vel,
            max_steps,
            out_times,
            out_states,
            ev,
        )


def pick_batch_kernel(n: int) -> Callable[..., None]:
    """The batch kernel for ``n`` trajectories: serial for one block or one numba thread."""
    if n <= BLOCK or get_num_threads() == 1:
        return integrate_batch_serial
    return integrate_batch
