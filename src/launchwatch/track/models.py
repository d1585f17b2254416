"""Motion models of a ballistic or quasi-ballistic target in ECEF and their batched numba kernels.

State (n = 8), frame WGS84 ECEF (rotating): position ``r`` (m), velocity ``v`` (m/s, relative to
the rotating Earth, hence to the air at rest), ``log_beta = ln(beta / (1 kg/m^2))`` with
``beta = m / (Cd A)`` the ballistic coefficient (kg/m^2), and ``lift``, the lift-to-drag ratio
``ell`` a quasi-ballistic body commands when it pulls up (dimensionless).  With
``omega = (0, 0, OMEGA_RAD_S)``, ``a_D = 0.5 rho(h) |v|^2 / beta`` the drag acceleration::

    r' = v
    v' = g_J2(r) - 2 omega x v - omega x (omega x r)          gravity, Coriolis, centrifugal
         - drag * a_D v / |v|                                  drag (h: height along the radius)
         + glide * ell f(gamma) a_D e_L                        lift (glide model)
         + a_thrust v / |v|                                    nominal thrust (boost model)
    log_beta' = 0, ell' = 0                                    (plus random walks)

Lift follows the pull-up law of the flight core's quasi-ballistic vehicles
(:mod:`launchwatch.flight.dynamics`), an assumption about the KN-23 class stated here: none
while climbing, growing with the dive to full authority at a 5 deg descent,
``f = clip(-sin(gamma) / sin(5 deg), 0, 1)`` (``gamma`` the flight-path angle against the
geocentric horizontal), perpendicular to the velocity in the vertical plane, pointing up
(``e_L``).  ``ell`` is then exactly the ``alpha`` control the impact predictor flies
(:func:`launchwatch.assess.lift.controls`): the assessment flies samples of this state.  Before
the first dive ``ell`` is unobservable and keeps its prior (wide: the honest answer); in vacuum
lift vanishes with the drag.  The kernels also accept the 7-state without ``lift`` (n = 7;
models without lift), as used by the filter tests.

Every model shares this state, so that an IMM can mix them; a model is the set of parameters of
:class:`MotionModel`, packed one row per filter row (``params`` ``(K, N_PARAMS)``):

* **coast** -- gravity + rotation + drag with the estimated ballistic coefficient, small white
  acceleration noise (unmodelled forces).
* **boost** -- no drag term (drag is part of the unknown net axial force) and an unknown thrust
  acceleration modelled as *large white-noise acceleration along the velocity* (``q_along``)
  plus a moderate isotropic part for the pitch program, around a nominal mean ``thrust_m_s2``.
  The tracker sets that mean per track to the track's own thrust estimate, a scalar filter
  beside the IMM fed by the boost model's speed changes (:func:`~.tracks.thrust_update_kernel`);
  chosen over an augmented thrust state so that every model keeps the same state vector (IMM
  mixing stays exact and cheap).
* **glide** -- coast plus lift with the estimated ``ell`` (random walk ``q_lift``), and
  white-noise acceleration in proportion to the drag (``q_aero``) for what the law does not
  capture (bank, changing angle of attack).
* **manoeuvre** -- coast plus large isotropic white-noise acceleration (kept for comparisons:
  the default IMM used it for pull-ups before the glide model).

Process noise is continuous white acceleration with intensity ``Qa = q_iso I + q_along u u^T``
(m^2/s^3; ``u`` the unit velocity, the radial unit vector below 50 m/s), where ``q_iso`` gains
``q_aero |a_drag|^2`` in the atmosphere (``q_aero`` in s): lift and drag-law errors scale with
the drag, so the coast model stays honest for re-entry bodies and quasi-ballistic gliders and
unchanged in vacuum.  (Measured on the KN-23 reference scenario: without it the coast model
over-trusted ballistic flight through the lifting glide -- 1.5 km errors against a claimed
275 m -- and the missile got three tracks instead of two.)  ``u u^T`` is the expectation over
the true direction as far as the track knows it, ``(1 - tau) u u^T + Pperp / |v|^2`` with
``Pperp`` the velocity covariance across ``u`` and ``tau = tr Pperp / |v|^2`` (at most 2/3):
a young boost track's direction is uncertain by 10-20 deg, and thrust along the true velocity
then pushes across the estimated one, where ``q_iso`` alone left its velocity overconfident
(boost-regime velocity NEES 9.7 of 3 on japan-overflights seed 1; see docs/measurements.md).
The UKF's one-step noise (:func:`process_noise`) has no covariance to read and keeps ``u u^T``.
It is discretised over a
(sub)step ``h`` as ``Qrr = Qa h^3/3, Qrv = Qa h^2/2, Qvv = Qa h``; ``log_beta`` random walk
``q_log_beta`` (1/s, below :data:`LOG_BETA_WALK_MAX_H_M` only).  Negative steps (small out-of-sequence lags) use ``|h|`` for the noise.

Kernels: the mean is integrated by RK4 with ``ceil(|dt| / max_step_s)`` equal substeps; the
covariance is propagated substep by substep with ``Phi = I + A h + A^2 h^2 / 2`` from the
analytic Jacobian ``A`` at the substep start (gravity gradient by forward differences of
:func:`launchwatch.earth.gravity.j2_accel`, drag and rotation terms in closed form), using the
block structure of ``A``.  Chosen by measurement (``tests/track/test_models.py``): against
central finite differences of the RK4 flow map, ``Phi P Phi^T`` agrees to 2e-8 (relative) in
vacuum and to 1.3e-4 at 30 km with drag for a 0.1 s step (2e-3 for 1 s); it adds 0.24 us per
row to the 0.24 us of the RK4 mean (750 rows in 0.37 ms), where batched forward differences
would need seven more mean propagations per row (~1.7 us).  The RK4 mean agrees with the flight
core's adaptive Dormand-Prince integrator to 0.2 mm over 60 s (down to 87 km, 1 s substeps).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import overload

import numpy as np
from numba import njit, prange
from numpy.typing import ArrayLike

from ..earth.atmosphere import atmosphere_tables, density_slope_njit
from ..earth.constants import OMEGA_RAD_S
from ..earth.gravity import j2_accel
from ..flight.dynamics import FASTMATH, height_above_ellipsoid_radial
from ..flight.dynamics import SIN_PULLUP_GAMMA as SIN_PULLUP_GAMMA_FLIGHT

N_STATE = 8
#: Index of ``log_beta`` and of the lift-to-drag ratio ``ell`` in the state.
I_LOG_BETA, I_LIFT = 6, 7
# Kernels use the flight core's LLVM fast-math setting, FASTMATH (none: the same floats
# whether a kernel was compiled in this process or loaded from numba's cache).
#: Column layout of the per-row model parameters.
P_DRAG, P_Q_ISO, P_Q_ALONG, P_THRUST, P_Q_LOG_BETA, P_Q_AERO, P_LIFT, P_Q_LIFT = range(8)
N_PARAMS = 8

#: Kernels run on one thread.  Measured on the 2-core machine: with numba's parallel loops
#: (OpenMP layer) and the other core busy, every parallel region of a frame waited a scheduler
#: quantum for its second thread -- 5,200 updates/s against 77,000 serial; a tracker runs
#: thousands of small regions per second and needs predictable latency, so serial it is.
PARALLEL = False
#: Rows per work item of the kernels (scratch arrays are allocated per block).
BLOCK = 32
#: Below this speed (m/s) the "along velocity" direction is the local radial instead.
_V_DIR_MIN = 50.0
#: Index into the packed upper triangle (00, 01, 02, 11, 12, 22) of a symmetric 3 x 3, row-major.
_SYM3 = (0, 1, 2, 1, 3, 4, 2, 4, 5)
_GRAD_STEP_M = 10.0
_OM = OMEGA_RAD_S
#: Pull-up law: full lift from this flight-path angle's sine down (the flight core's value).
SIN_PULLUP_GAMMA = SIN_PULLUP_GAMMA_FLIGHT
#: Height (m) above which ``log_beta`` takes no random walk.  The walk stands for the drag
#: coefficient's change with Mach number in the air; above ~100 km (density < 6e-7 kg/m^3)
#: nothing changes it and nothing measures it, so it keeps its prior until re-entry.  With the
#: walk everywhere, an exo-atmospheric track's ln beta sigma grew from its prior 0.75 to 0.9
#: over a 300 s SRBM coast (1.6 over an ICBM's 2,000 s) and set most of the impact ellipse:
#: the 95 % semi-major axis at +300 s was 6.0 km with it and 1.7 km without any ln beta spread
#: (campaign single-missile, seed 1, engagement 0, an SRBM).
LOG_BETA_WALK_MAX_H_M = 100e3


@dataclass(frozen=True, slots=True, kw_only=True)
class MotionModel:
    """One motion model.  ``q_*`` are white-noise intensities (m^2/s^3; ``q_log_beta`` and
    ``q_lift`` 1/s), ``thrust_m_s2`` a nominal thrust acceleration along the velocity (m/s^2),
    ``lift`` switches the lift law on (needs ``drag``)."""

    name: str
    drag: bool = True
    q_iso_m2_s3: float = 1.0
    q_along_m2_s3: float = 0.0
    thrust_m_s2: float = 0.0
    q_log_beta_per_s: float = 1e-4
    q_aero_s: float = 0.0
    lift: bool = False
    q_lift_per_s: float = 0.0

    def row(self) -> np.ndarray:
        return np.array(
            [
                float(self.drag),
                self.q_iso_m2_s3,
                self.q_along_m2_s3,
                self.thrust_m_s2,
                self.q_log_beta_per_s,
                self.q_aero_s,
                float(self.lift and self.drag),
                self.q_lift_per_s,
            ]
        )


# Defaults (estimates, checked in tests/track and on the shipped sense scenarios): the coast
# noise covers unmodelled forces (J3+, atmosphere); its aerodynamic part (q_aero = 0.5 s, i.e.
# lift/drag errors ~0.2 of the drag over a few seconds) suits ballistic re-entry bodies, the
# manoeuvre model's (20 s, lift ~1.5 x drag) quasi-ballistic gliders such as the KN-23; boost
# axial accelerations of 80-230 m/s^2 (generic boost, launchwatch.flight.vehicles) need
# q_along ~ 1e4 to follow at a 10 Hz update rate.  A white-noise model follows a sustained
# acceleration a at revisit T with q ~ a^2 T: 1e3 covers ~20 m/s^2 at 2 s revisits.
COAST = MotionModel(name="coast", drag=True, q_iso_m2_s3=0.5, q_log_beta_per_s=1e-3, q_aero_s=0.5)
# Boost noise sized from the boost accelerations it must follow (q ~ a^2 T at the ~2 s revisit
# of the radars that see boosts): a Hwasong-12-class IRBM's thrust reaches 137 m/s^2 along the
# velocity before burnout (flight core, irbm-hokkaido test scenario: 50 m/s^2 at 40 s, 111 at
# 70 s) -> q_along 5e4; its attitude hold puts 13-21 m/s^2 across the velocity -> q_iso 1e3.
# With the earlier 2e4 / 300 the cross-track velocity lagged by 340 m/s (5 sigma) at 72 s, the
# next detections fell outside the gate and the IRBM and the lofted ICBM got a second track
# during boost (measured on the cached detections of both: one break each; none with these).
BOOST = MotionModel(
    name="boost", drag=False, q_iso_m2_s3=1.0e3, q_along_m2_s3=5.0e4, q_log_beta_per_s=1e-3
)
MANOEUVRE = MotionModel(
    name="manoeuvre", drag=True, q_iso_m2_s3=1.0e3, q_log_beta_per_s=1e-2, q_aero_s=20.0
)
# Glide (estimates): the law carries the lift, so the white noise is small -- aerodynamic part
# 0.3 s (force errors ~ a third of the drag over a second: bank, angle-of-attack changes), ell
# random walk 3e-4 /s (0.17 over 100 s), ln beta random walk 3e-3 /s (the drag coefficient of a
# glider doubles from Mach 7 to Mach 2 in about 200 s: ln 2 / sqrt(200 s) ~ 0.05 /sqrt(s)).
# Measured against 1 s and 1e-3 /s on the KN-23 test scenarios: the 50 % impact ellipse held the
# truth in 96 % of glide-phase assessments (too wide); with these 78 % (kn23-eez) and 30 %
# (reference, across its 104 s gap) -- 59 % over both.
# The ell random walk is set by the same drag-coefficient change: the body's lift coefficient
# stays (the flight core's law, C_L = C_L,alpha alpha) while ln beta follows ln C_D, so the ratio
# ell = C_L / C_D the filter carries falls as C_D rises, d ln ell = d ln beta: 3e-3 /s at
# ell ~ 1 (was 3e-4: over a 96 s radar gap a KN-23 at Mach 2-3 and 17 km was predicted with
# ell 1.55 +- 0.17, 84 m/s off with a 35 m/s sigma after its first detection, and the glide
# broke into two tracks; campaign single-missile, seed 1, engagement 13).
GLIDE = MotionModel(
    name="glide",
    drag=True,
    q_iso_m2_s3=1.0,
    q_log_beta_per_s=3e-3,
    q_aero_s=0.3,
    lift=True,
    q_lift_per_s=3e-3,
)
DEFAULT_MODELS = (COAST, BOOST, GLIDE)
#: Prior of the lift-to-drag ratio of a new track (estimate): wide enough to hold the ballistic
#: case (ell <= 0 at 1 sigma) and slender gliders (ell ~ 2 at 1.7 sigma; the catalog's KN-23
#: flies at about 1.3).
LIFT_PRIOR_MEAN = 0.75
LIFT_PRIOR_SIGMA = 0.75


def params_array(models: Iterable[MotionModel]) -> np.ndarray:
    """(M, N_PARAMS) parameter rows of a sequence of :class:`MotionModel`."""
    return np.stack([m.row() for m in models])


_ATM = atmosphere_tables()


# ----------------------------------------------------------------------------- scalar kernels
@njit(cache=True, inline="always", error_model="numpy", fastmath=FASTMATH)
def lift_accel(
    x: float, y: float, z: float, vx: float, vy: float, vz: float, k: float
) -> tuple[float, float, float]:
    """Lift acceleration (m/s^2, 3 components) of the pull-up law (module docstring) with
    ``k = 0.5 rho ell / beta`` (1/m): ``ell f(gamma) a_D e_L``."""
    sp2 = vx * vx + vy * vy + vz * vz
    rn = math.sqrt(x * x + y * y + z * z)
    if sp2 <= 0.0 or k == 0.0:
        return 0.0, 0.0, 0.0
    ux, uy, uz = x / rn, y / rn, z / rn
    uv = ux * vx + uy * vy + uz * vz
    f = min(1.0, max(0.0, -uv / (math.sqrt(sp2) * SIN_PULLUP_GAMMA)))
    if f == 0.0:
        return 0.0, 0.0, 0.0
    d = uv / sp2
    nx, ny, nz = ux - d * vx, uy - d * vy, uz - d * vz
    nn = math.sqrt(nx * nx + ny * ny + nz * nz)
    if nn < 1e-12:
        return 0.0, 0.0, 0.0
    a = k * f * sp2 / nn
    return a * nx, a * ny, a * nz


@njit(cache=True, inline="always", error_model="numpy", fastmath=FASTMATH)
def deriv(
    s: np.ndarray,
    p: np.ndarray,
    inv_beta: float,
    logrho: np.ndarray,
    h0: float,
    dh: float,
    out: np.ndarray,
) -> None:
    """Write ds/dt (n,) of state ``s`` under model row ``p`` into ``out``; ``inv_beta`` is
    ``exp(-s[6])`` (constant over a step: the caller computes it once)."""
    x, y, z, vx, vy, vz = s[0], s[1], s[2], s[3], s[4], s[5]
    gx, gy, gz = j2_accel(x, y, z)
    ax = gx + 2.0 * _OM * vy + _OM * _OM * x
    ay = gy - 2.0 * _OM * vx + _OM * _OM * y
    az = gz
    sp = math.sqrt(vx * vx + vy * vy + vz * vz)
    if p[P_DRAG] != 0.0:
        rho, _ = density_slope_njit(height_above_ellipsoid_radial(x, y, z), logrho, h0, dh)
        k = 0.5 * rho * inv_beta * sp
        ax -= k * vx
        ay -= k * vy
        az -= k * vz
        if p[P_LIFT] != 0.0 and s.shape[0] > I_LIFT and rho > 0.0:
            lx, ly, lz = lift_accel(x, y, z, vx, vy, vz, 0.5 * rho * inv_beta * s[I_LIFT])
            ax += lx
            ay += ly
            az += lz
    if p[P_THRUST] != 0.0 and sp > 0.0:
        k = p[P_THRUST] / sp
        ax += k * vx
        ay += k * vy
        az += k * vz
    out[0], out[1], out[2] = vx, vy, vz
    out[3], out[4], out[5] = ax, ay, az
    for i in range(6, s.shape[0]):
        out[i] = 0.0


@njit(cache=True, inline="always", error_model="numpy", fastmath=FASTMATH)
def rk4_step(
    s: np.ndarray,
    h: float,
    p: np.ndarray,
    logrho: np.ndarray,
    h0: float,
    dh: float,
    k1: np.ndarray,
    k2: np.ndarray,
    k3: np.ndarray,
    k4: np.ndarray,
    tmp: np.ndarray,
) -> None:
    """One classical RK4 step of length ``h`` (s) on ``s`` in place."""
    n = s.shape[0]
    ib = math.exp(-s[6])
    deriv(s, p, ib, logrho, h0, dh, k1)
    for i in range(n):
        tmp[i] = s[i] + 0.5 * h * k1[i]
    deriv(tmp, p, ib, logrho, h0, dh, k2)
    for i in range(n):
        tmp[i] = s[i] + 0.5 * h * k2[i]
    deriv(tmp, p, ib, logrho, h0, dh, k3)
    for i in range(n):
        tmp[i] = s[i] + h * k3[i]
    deriv(tmp, p, ib, logrho, h0, dh, k4)
    for i in range(n):
        s[i] += h / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i])


@njit(cache=True, inline="always", error_model="numpy", fastmath=FASTMATH)
def jacobian(
    s: np.ndarray, p: np.ndarray, logrho: np.ndarray, h0: float, dh: float, A: np.ndarray
) -> None:
    """Write the n x n Jacobian d(ds/dt)/ds of model row ``p`` at ``s`` into ``A``."""
    A[:, :] = 0.0
    x, y, z, vx, vy, vz = s[0], s[1], s[2], s[3], s[4], s[5]
    for i in range(3):
        A[i, 3 + i] = 1.0
    g0 = j2_accel(x, y, z)
    for j in range(3):  # gravity gradient, forward differences of the J2 field
        xx, yy, zz = x, y, z
        if j == 0:
            xx += _GRAD_STEP_M
        elif j == 1:
            yy += _GRAD_STEP_M
        else:
            zz += _GRAD_STEP_M
        g1 = j2_accel(xx, yy, zz)
        for i in range(3):
            A[3 + i, j] = (g1[i] - g0[i]) / _GRAD_STEP_M
    A[3, 0] += _OM * _OM
    A[4, 1] += _OM * _OM
    A[3, 4] += 2.0 * _OM
    A[4, 3] -= 2.0 * _OM
    v = (vx, vy, vz)
    sp = math.sqrt(vx * vx + vy * vy + vz * vz)
    if p[P_DRAG] != 0.0 and sp > 0.0:
        r = math.sqrt(x * x + y * y + z * z)
        rho, dln = density_slope_njit(height_above_ellipsoid_radial(x, y, z), logrho, h0, dh)
        k = 0.5 * rho * math.exp(-s[6])
        for i in range(3):
            ad = -k * sp * v[i]
            A[3 + i, 6] = -ad
            A[3 + i, 0] += ad * dln * x / r
            A[3 + i, 1] += ad * dln * y / r
            A[3 + i, 2] += ad * dln * z / r
            for j in range(3):
                A[3 + i, 3 + j] -= k * v[i] * v[j] / sp
            A[3 + i, 3 + i] -= k * sp
        if p[P_LIFT] != 0.0 and A.shape[0] > I_LIFT and rho > 0.0:
            kl = 0.5 * rho * math.exp(-s[6])
            ell = s[I_LIFT]
            l1 = lift_accel(x, y, z, vx, vy, vz, kl)  # lift per unit ell
            for i in range(3):
                A[3 + i, I_LIFT] = l1[i]
                A[3 + i, 6] -= ell * l1[i]
                for j in range(3):  # density gradient along the radius
                    A[3 + i, j] += ell * l1[i] * dln * (x, y, z)[j] / r
            if ell != 0.0:
                dv = 1e-3 * sp + 1e-3
                for j in range(3):  # velocity columns: central differences (kinks in f)
                    ex = dv if j == 0 else 0.0
                    ey = dv if j == 1 else 0.0
                    ez = dv if j == 2 else 0.0
                    lp = lift_accel(x, y, z, vx + ex, vy + ey, vz + ez, kl * ell)
                    lm = lift_accel(x, y, z, vx - ex, vy - ey, vz - ez, kl * ell)
                    for i in range(3):
                        A[3 + i, 3 + j] += (lp[i] - lm[i]) / (2.0 * dv)
    if p[P_THRUST] != 0.0 and sp > 0.0:
        k = p[P_THRUST] / sp
        for i in range(3):
            for j in range(3):
                A[3 + i, 3 + j] -= k * v[i] * v[j] / (sp * sp)
            A[3 + i, 3 + i] += k


@njit(cache=True, inline="always", error_model="numpy", fastmath=FASTMATH)
def add_process_noise(
    s: np.ndarray,
    p: np.ndarray,
    h: float,
    P: np.ndarray,
    logrho: np.ndarray,
    h0: float,
    dh: float,
) -> None:
    """Add the discretised white-noise covariance of model ``p`` over ``|h|`` s to ``P``."""
    h = abs(h)
    sp = math.sqrt(s[3] * s[3] + s[4] * s[4] + s[5] * s[5])
    q_iso = p[P_Q_ISO]
    if p[P_Q_AERO] != 0.0 and p[P_DRAG] != 0.0:  # lift / drag-law uncertainty ~ drag
        rho, _ = density_slope_njit(height_above_ellipsoid_radial(s[0], s[1], s[2]), logrho, h0, dh)
        a_drag = 0.5 * rho * math.exp(-s[6]) * sp * sp
        q_iso += p[P_Q_AERO] * a_drag * a_drag
    if sp > _V_DIR_MIN:
        u0, u1, u2 = s[3] / sp, s[4] / sp, s[5] / sp
    else:
        r = math.sqrt(s[0] * s[0] + s[1] * s[1] + s[2] * s[2])
        u0, u1, u2 = s[0] / r, s[1] / r, s[2] / r
    u = (u0, u1, u2)
    c_rr, c_rv, c_vv = h * h * h / 3.0, h * h / 2.0, h
    # The thrust's direction is the true velocity's, known to the track only within its velocity
    # covariance: E[u u^T] ~ (1 - tau) u u^T + Pperp / |v|^2, Pperp = (I - u u^T) P_vv
    # (I - u u^T), tau = tr(Pperp) / |v|^2 (capped at 2/3: a direction not known at all); the
    # along-velocity intensity is shared out so (trace kept), read from P before it is written.
    q_al = p[P_Q_ALONG]
    w_al = q_al
    pp = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0)  # w * Pperp: (00, 01, 02, 11, 12, 22)
    if q_al != 0.0 and sp > _V_DIR_MIN:
        pu0 = P[3, 3] * u0 + P[3, 4] * u1 + P[3, 5] * u2
        pu1 = P[4, 3] * u0 + P[4, 4] * u1 + P[4, 5] * u2
        pu2 = P[5, 3] * u0 + P[5, 4] * u1 + P[5, 5] * u2
        upu = u0 * pu0 + u1 * pu1 + u2 * pu2
        tau = max(P[3, 3] + P[4, 4] + P[5, 5] - upu, 0.0) / (sp * sp)
        if tau > 0.0:
            tau_c = min(tau, 2.0 / 3.0)
            w = q_al * tau_c / (tau * sp * sp)
            w_al = q_al * (1.0 - tau_c)
            pp = (
                w * (P[3, 3] - 2.0 * u0 * pu0 + u0 * u0 * upu),
                w * (P[3, 4] - u0 * pu1 - pu0 * u1 + u0 * u1 * upu),
                w * (P[3, 5] - u0 * pu2 - pu0 * u2 + u0 * u2 * upu),
                w * (P[4, 4] - 2.0 * u1 * pu1 + u1 * u1 * upu),
                w * (P[4, 5] - u1 * pu2 - pu1 * u2 + u1 * u2 * upu),
                w * (P[5, 5] - 2.0 * u2 * pu2 + u2 * u2 * upu),
            )
    for i in range(3):
        for j in range(3):
            qa = w_al * u[i] * u[j] + pp[_SYM3[i * 3 + j]]
            if i == j:
                qa += q_iso
            P[i, j] += qa * c_rr
            P[i, 3 + j] += qa * c_rv
            P[3 + i, j] += qa * c_rv
            P[3 + i, 3 + j] += qa * c_vv
    if height_above_ellipsoid_radial(s[0], s[1], s[2]) < LOG_BETA_WALK_MAX_H_M:
        P[6, 6] += p[P_Q_LOG_BETA] * h
    if P.shape[0] > I_LIFT:
        P[I_LIFT, I_LIFT] += p[P_Q_LIFT] * h


@njit(cache=True, inline="always", error_model="numpy", fastmath=FASTMATH)
def cov_substep(
    s: np.ndarray,
    p: np.ndarray,
    h: float,
    P: np.ndarray,
    logrho: np.ndarray,
    h0: float,
    dh: float,
    A: np.ndarray,
    Phi: np.ndarray,
    T: np.ndarray,
) -> None:
    """P <- Phi P Phi^T + Q over one substep of ``h`` s, Phi = I + A h + A^2 h^2 / 2.

    Uses the block structure of A (rows: [0 I 0], [Gr Gv Ga], [0 0 0], with Ga the columns of
    the parameters ``log_beta`` and ``lift``): Phi's parameter rows are unit rows and only
    Gv Gr, Gv Gv, Gv Ga are needed for A^2; ~600 multiply-adds for n = 8, not ~1,500.
    """
    n = P.shape[0]
    jacobian(s, p, logrho, h0, dh, A)
    hh = 0.5 * h * h
    for i in range(3):
        for j in range(3):
            gvgr = 0.0
            gvgv = 0.0
            for k in range(3):
                gvgr += A[3 + i, 3 + k] * A[3 + k, j]
                gvgv += A[3 + i, 3 + k] * A[3 + k, 3 + j]
            d = 1.0 if i == j else 0.0
            Phi[i, j] = d + A[3 + i, j] * hh
            Phi[i, 3 + j] = d * h + A[3 + i, 3 + j] * hh
            Phi[3 + i, j] = A[3 + i, j] * h + gvgr * hh
            Phi[3 + i, 3 + j] = d + A[3 + i, 3 + j] * h + (A[3 + i, j] + gvgv) * hh
        for a in range(6, n):
            gvga = 0.0
            for k in range(3):
                gvga += A[3 + i, 3 + k] * A[3 + k, a]
            Phi[i, a] = A[3 + i, a] * hh
            Phi[3 + i, a] = A[3 + i, a] * h + gvga * hh
    # T = Phi P (rows 0-5; the parameter rows of Phi are unit rows), then P = T Phi^T
    # (symmetric; the parameter columns of Phi^T are unit ones).  Each element is the sum over
    # k in ascending order from 0.0; for the 8-state the eight sums of a row are carried side
    # by side in registers (independent chains of additions instead of one after another):
    # the same floats.
    if n == 8:
        for i in range(6):
            a0 = a1 = a2 = a3 = a4 = a5 = a6 = a7 = 0.0
            for k in range(8):
                f = Phi[i, k]
                a0 += f * P[k, 0]
                a1 += f * P[k, 1]
                a2 += f * P[k, 2]
                a3 += f * P[k, 3]
                a4 += f * P[k, 4]
                a5 += f * P[k, 5]
                a6 += f * P[k, 6]
                a7 += f * P[k, 7]
            T[i, 0], T[i, 1], T[i, 2], T[i, 3] = a0, a1, a2, a3
            T[i, 4], T[i, 5], T[i, 6], T[i, 7] = a4, a5, a6, a7
    else:
        for i in range(6):
            for j in range(n):
                acc = 0.0
                for k in range(n):
                    acc += Phi[i, k] * P[k, j]
                T[i, j] = acc
    for i in range(6):
        # the row's six sums side by side (those left of the diagonal are not written)
        b0 = b1 = b2 = b3 = b4 = b5 = 0.0
        for k in range(n):
            f = T[i, k]
            b0 += f * Phi[0, k]
            b1 += f * Phi[1, k]
            b2 += f * Phi[2, k]
            b3 += f * Phi[3, k]
            b4 += f * Phi[4, k]
            b5 += f * Phi[5, k]
        b = (b0, b1, b2, b3, b4, b5)
        for j in range(i, 6):
            P[i, j] = b[j]
            P[j, i] = b[j]
        for a in range(6, n):
            P[i, a] = T[i, a]
            P[a, i] = T[i, a]
    add_process_noise(s, p, h, P, logrho, h0, dh)


# ----------------------------------------------------------------------------- batch kernels
@njit(cache=True, parallel=PARALLEL, error_model="numpy", fastmath=FASTMATH)
def predict_kernel(
    x: np.ndarray,
    P: np.ndarray,
    dt: np.ndarray,
    params: np.ndarray,
    max_step_s: float,
    with_cov: bool,
    logrho: np.ndarray,
    h0: float,
    dh: float,
) -> None:
    """Propagate rows of ``x`` (K, n) [and ``P`` (K, n, n)] by ``dt`` (K,) s, in place."""
    n_rows, n = x.shape
    n_blocks = (n_rows + BLOCK - 1) // BLOCK
    for b in prange(n_blocks):
        k1 = np.empty(n)
        k2 = np.empty(n)
        k3 = np.empty(n)
        k4 = np.empty(n)
        tmp = np.empty(n)
        A = np.empty((n, n))
        Phi = np.empty((n, n))
        T = np.empty((n, n))
        for row in range(b * BLOCK, min(n_rows, (b + 1) * BLOCK)):
            t = dt[row]
            if t == 0.0:
                continue
            n_sub = max(1, int(math.ceil(abs(t) / max_step_s)))
            h = t / n_sub
            s = x[row]
            p = params[row]
            for _ in range(n_sub):
                if with_cov:
                    cov_substep(s, p, h, P[row], logrho, h0, dh, A, Phi, T)
                rk4_step(s, h, p, logrho, h0, dh, k1, k2, k3, k4, tmp)


@overload
def propagate(
    x: ArrayLike,
    dt: ArrayLike,
    params: ArrayLike,
    *,
    max_step_s: float = ...,
    P: None = ...,
    overwrite: bool = ...,
) -> np.ndarray: ...
@overload
def propagate(
    x: ArrayLike,
    dt: ArrayLike,
    params: ArrayLike,
    *,
    max_step_s: float = ...,
    P: ArrayLike,
    overwrite: bool = ...,
) -> tuple[np.ndarray, np.ndarray]: ...
def propagate(
    x: ArrayLike,
    dt: ArrayLike,
    params: ArrayLike,
    *,
    max_step_s: float = 1.0,
    P: ArrayLike | None = None,
    overwrite: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Batched prediction: ``x`` (K, 7) ECEF states, ``dt`` (K,) or scalar s, ``params``
    (K, N_PARAMS) or (N_PARAMS,).  Returns the new means, and covariances if ``P`` (K, 7, 7) is
    given (linearised, see module docstring).  Inputs are not modified unless ``overwrite``
    (then C-contiguous float arrays are propagated in place)."""
    x = np.array(x, dtype=float, order="C", ndmin=2, copy=None if overwrite else True)
    k = x.shape[0]
    dt = np.ascontiguousarray(np.broadcast_to(np.asarray(dt, float), (k,)))
    params = np.ascontiguousarray(np.broadcast_to(np.asarray(params, float), (k, N_PARAMS)))
    # read-only whether broadcast (views) or copied (a scalar dt, one row of params): the
    # kernel is compiled for one of the two
    dt.flags.writeable = False
    params.flags.writeable = False
    with_cov = P is not None
    Pc = (
        np.array(P, dtype=float, order="C", copy=None if overwrite else True)
        if with_cov
        else np.empty((k, 1, 1))
    )
    predict_kernel(x, Pc, dt, params, float(max_step_s), with_cov, *_atm())
    return (x, Pc) if with_cov else x


@njit(cache=True, parallel=PARALLEL, error_model="numpy", fastmath=FASTMATH)
def _noise_kernel(
    x: np.ndarray,
    dt: np.ndarray,
    params: np.ndarray,
    Q: np.ndarray,
    logrho: np.ndarray,
    h0: float,
    dh: float,
) -> None:
    for row in prange(x.shape[0]):
        add_process_noise(x[row], params[row], dt[row], Q[row], logrho, h0, dh)


def process_noise(x: ArrayLike, dt: ArrayLike, params: ArrayLike) -> np.ndarray:
    """(K, 7, 7) white-noise covariance over ``dt`` (K,) s for states ``x`` (K, 7) (one step
    of the continuous model, as the UKF uses it)."""
    x = np.ascontiguousarray(x, dtype=float)
    k = x.shape[0]
    Q = np.zeros((k, x.shape[1], x.shape[1]))
    _noise_kernel(
        x,
        np.ascontiguousarray(np.broadcast_to(np.asarray(dt, float), (k,))),
        np.ascontiguousarray(np.broadcast_to(np.asarray(params, float), (k, N_PARAMS))),
        Q,
        *_atm(),
    )
    return Q


@njit(cache=True, parallel=PARALLEL, error_model="numpy", fastmath=FASTMATH)
def _accel_kernel(
    x: np.ndarray, params: np.ndarray, logrho: np.ndarray, h0: float, dh: float, out: np.ndarray
) -> None:
    for row in prange(x.shape[0]):
        deriv(x[row], params[row], math.exp(-x[row, 6]), logrho, h0, dh, out[row])


def derivative(x: ArrayLike, params: ArrayLike) -> np.ndarray:
    """(K, 7) time derivative of states ``x`` (K, 7) under ``params`` (K or 1, N_PARAMS)."""
    x = np.array(x, dtype=float, order="C", ndmin=2)
    out = np.empty_like(x)
    _accel_kernel(
        x,
        np.ascontiguousarray(np.broadcast_to(np.asarray(params, float), (x.shape[0], N_PARAMS))),
        *_atm(),
        out,
    )
    return out


@njit(cache=True, parallel=PARALLEL, error_model="numpy", fastmath=FASTMATH)
def _jac_kernel(
    x: np.ndarray, params: np.ndarray, logrho: np.ndarray, h0: float, dh: float, out: np.ndarray
) -> None:
    for row in prange(x.shape[0]):
        jacobian(x[row], params[row], logrho, h0, dh, out[row])


def jacobian_batch(x: ArrayLike, params: ArrayLike) -> np.ndarray:
    """(K, 7, 7) analytic Jacobians of the dynamics at states ``x`` (K, 7)."""
    x = np.array(x, dtype=float, order="C", ndmin=2)
    out = np.empty((x.shape[0], x.shape[1], x.shape[1]))
    _jac_kernel(
        x,
        np.ascontiguousarray(np.broadcast_to(np.asarray(params, float), (x.shape[0], N_PARAMS))),
        *_atm(),
        out,
    )
    return out


def _atm() -> tuple[np.ndarray, float, float]:
    return _ATM.log_density, _ATM.h0_m, _ATM.dh_m


def atmosphere_args() -> tuple[np.ndarray, float, float]:
    """The atmosphere table arguments of the kernels: ln density (ln kg/m^3), first height
    and spacing (m)."""
    return _atm()
