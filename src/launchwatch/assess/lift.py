"""How much a track glides: the lift state of the tracker, a prior by flight regime, and the
body the impact predictor flies.

A ballistic prediction of a KN-23-class missile, which pulls up and glides through the upper
atmosphere, falls hundreds of kilometres short (measured on the reference scenario: 220 km short
of a 700 km shot, with a 95 % ellipse 60 km long -- confidently wrong).  The tracker therefore
estimates the lift-to-drag ratio ``ell`` of the flight core's pull-up law as part of the state
(:mod:`launchwatch.track.models`: no lift while climbing, full lift from a 5 deg dive on,
perpendicular to the air-relative velocity in the vertical plane), and the predictor flies
every sample of ``[r, v, ln beta, ell]`` with its own ``ell`` (:func:`controls`).  Before the
first dive ``ell`` is unobservable and keeps the tracker's prior
(:data:`launchwatch.track.models.LIFT_PRIOR_MEAN` +- ``LIFT_PRIOR_SIGMA``, clipped at 0): the
impact cloud then spans the glide range, which is the honest answer.  Samples below zero fly
ballistic (no negative lift in the law), so the prior keeps a ballistic share of about 16 %.

Prior by flight regime (:func:`regime_lift`): a track whose apogee (the highest of its observed
heights and of the Kepler apogee of its current state) reaches :data:`ENDO_APOGEE_M` is
exo-atmospheric and its re-entry vehicle is taken to be ballistic: the tracker's lift prior is
replaced by ``N(0, BALLISTIC_LIFT_SIGMA^2)`` while whatever the measurements said about
``ell`` is kept (Gaussian prior exchange on the ``ell`` marginal, the conditional of the rest
given ``ell`` unchanged).  A manoeuvring re-entry vehicle whose lift the radars have not seen
yet is therefore predicted ballistic (a stated limit).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ..earth import atmosphere, frames
from ..flight.dynamics import (
    CTRL_BURN_FRACTION,
    CTRL_KICK,
    CTRL_T_KICK,
    CTRL_T_VERTICAL,
    CTRL_THRUST_SCALE,
)
from ..flight.propagate import VehicleModel, make_controls
from ..track.models import LIFT_PRIOR_MEAN, LIFT_PRIOR_SIGMA

#: Largest lift-to-drag ratio flown (a sample above is clipped): slender manoeuvring bodies at
#: hypersonic speed stay below ~2 (estimate); the catalog's KN-23 flies at about 1.3.
ELL_MAX = 3.0
#: Apogee (m) from which a track is treated as exo-atmospheric (ballistic re-entry vehicle).
ENDO_APOGEE_M = 100e3
#: Prior sigma of the lift-to-drag ratio of an exo-atmospheric track (estimate: a re-entry
#: vehicle's trim lift from asymmetries, ~0.05).
BALLISTIC_LIFT_SIGMA = 0.05
#: Model-error random walk of ``ell`` over a prediction (1/s), fitted: without it an estimate
#: holding the truth's lift missed by 21 km over a 235 s glide (the KN-23's own drag table
#: against the body's generic drag-rise shape), outside its 95 % ellipse
#: (tests/assess/test_impact.py::test_lift_state_is_flown); 1e-3 covers it.
LIFT_MODEL_WALK_PER_S = 1e-3
#: C_L per radian of the unit body: large, so that the induced drag (C_L,alpha alpha^2 =
#: ell^2 / K) stays under 4 % of the drag for every ratio flown.
K_CL_ALPHA = 100.0


#: Drag-rise shape of the predictor's body, relative to its Mach 8 value (estimate: the common
#: shape of the catalog's generic slender-RV, blunt-RV and finned-body tables, vehicles.yaml:
#: a transonic peak about 2.5 times the hypersonic plateau).  A constant drag coefficient
#: predicted a gliding KN-23 30-45 km long: its Cd doubles from Mach 7 to Mach 1.
CD_SHAPE_MACH = (0.0, 0.8, 1.0, 1.2, 1.5, 2.0, 3.0, 5.0, 8.0, 12.0, 20.0)
CD_SHAPE = (1.4, 1.5, 2.3, 2.5, 2.3, 1.95, 1.5, 1.15, 1.0, 0.95, 0.9)


def cd_shape(mach: ArrayLike) -> np.ndarray:
    return np.asarray(np.interp(np.asarray(mach, float), CD_SHAPE_MACH, CD_SHAPE))


def mach_number(r_ecef: np.ndarray, v_ecef: np.ndarray) -> np.ndarray:
    """Mach number of ECEF states (the atmosphere turns with the Earth)."""
    _, _, h = frames.ecef_to_geodetic(r_ecef)
    a = atmosphere.speed_of_sound(np.clip(h, 0.0, 84e3))
    mach: np.ndarray = np.linalg.norm(v_ecef, axis=-1) / a
    return mach


def unit_body(lifting: bool = True) -> VehicleModel:
    """A 1 kg, 1 m^2 body with the drag-rise shape :data:`CD_SHAPE` (the control's
    aerodynamic scale gives each trajectory its ballistic coefficient), with C_L,alpha =
    K_CL_ALPHA so that a small angle of attack gives lift (see :func:`controls`)."""
    body = VehicleModel.coasting_body(
        name="unit body", mass_kg=1.0, area_m2=1.0, mach=CD_SHAPE_MACH, cd=CD_SHAPE
    )
    vs = body.vs.copy()
    vs[3] = K_CL_ALPHA if lifting else 0.0
    # Its (empty) motor burnt out long ago: flights may start at negative times (a state
    # older than the call's time origin) and still coast, with lift.
    stages = body.stages.copy()
    stages[0, 0] = -1.0e9
    return VehicleModel(
        name=body.name, stages=stages, vs=vs, mach=body.mach, cd=body.cd, cd_slope=body.cd_slope
    )


#: Longest remaining burn the burning body can fly, s (longer than any catalog burn).
BURN_BODY_T_S = 2000.0


def burning_body() -> VehicleModel:
    """The unit body (:func:`unit_body`) with a motor of 1 N on a constant 1 kg, burning from
    any start time up to :data:`BURN_BODY_T_S`: each trajectory's ``thrust_scale`` is then its
    thrust acceleration (m/s^2) and its ``burn_fraction`` ends its burn (see
    :func:`burn_controls`).  No drag while burning: the track's measured acceleration is net of
    it."""
    body = unit_body()
    stages = np.array([[BURN_BODY_T_S, 0.0, 1.0, 1.0]])
    vs = body.vs.copy()
    vs[0] = 0.0  # area while burning
    return VehicleModel(
        name="burning unit body",
        stages=stages,
        vs=vs,
        mach=body.mach,
        cd=body.cd,
        cd_slope=body.cd_slope,
    )


def burn_controls(
    ctrl: np.ndarray, t0_s: ArrayLike, t_burn_s: ArrayLike, dv_m_s: ArrayLike
) -> np.ndarray:
    """Controls ``ctrl`` (:func:`controls`) of samples starting at ``t0_s`` (s, the call's time
    origin) that burn ``t_burn_s`` more seconds, gaining ``dv_m_s`` along the air-relative
    velocity (gravity turn from the start: no pitch program), for :func:`burning_body`."""
    ctrl = np.array(ctrl, float)
    t_burn = np.maximum(np.asarray(t_burn_s, float), 1e-3)
    ctrl[:, CTRL_T_VERTICAL] = -1.0e9
    ctrl[:, CTRL_KICK] = 0.0
    ctrl[:, CTRL_T_KICK] = 0.0
    ctrl[:, CTRL_BURN_FRACTION] = np.clip(
        (np.asarray(t0_s, float) + t_burn) / BURN_BODY_T_S, 0.0, 1.0
    )
    ctrl[:, CTRL_THRUST_SCALE] = np.asarray(dv_m_s, float) / t_burn
    return ctrl


def controls(log_beta: np.ndarray, ell: np.ndarray, mach: ArrayLike = 8.0) -> np.ndarray:
    """Flight-core controls of coasting samples whose ballistic coefficient is
    ``exp(log_beta)`` (kg/m^2) and lift-to-drag ratio ``ell`` at their current Mach number
    ``mach``; both follow the drag-rise shape from there on (lift coefficient constant)."""
    n = np.size(log_beta)
    shape_now = cd_shape(np.broadcast_to(mach, (n,)))
    return make_controls(
        n,
        t_vertical_s=0.0,
        kick_rad=0.0,
        t_kick_s=0.0,
        alpha_rad=np.broadcast_to(ell, (n,)) * shape_now / K_CL_ALPHA,
        drag_scale=np.exp(-np.asarray(log_beta).reshape(-1)) / shape_now,
    )


def kepler_apogee_height_m(r_ecef: np.ndarray, v_ecef: np.ndarray) -> np.ndarray:
    """Apogee height (m above a sphere of the current radius's ellipsoid point) of the Kepler
    orbit through ECEF states (N, 3) (inertial velocity ``v + omega x r``); the current height
    if the state is already descending."""
    from ..earth.constants import GM_M3_S2

    r_i, v_i = frames.ecef_to_eci(r_ecef, 0.0, v_ecef=v_ecef)
    r = np.linalg.norm(r_i, axis=-1)
    v2 = np.sum(v_i * v_i, axis=-1)
    h = np.linalg.norm(np.cross(r_i, v_i), axis=-1)
    eps = 0.5 * v2 - GM_M3_S2 / r
    ecc = np.sqrt(np.clip(1.0 + 2.0 * eps * h * h / GM_M3_S2**2, 0.0, None))
    a = np.where(eps < 0.0, -GM_M3_S2 / (2.0 * np.minimum(eps, -1e-9)), np.inf)
    r_apo = a * (1.0 + ecc)
    climbing = np.sum(r_i * v_i, axis=-1) > 0.0
    _, _, height = frames.ecef_to_geodetic(r_ecef)
    return np.where(climbing, height + (r_apo - r), height)


def regime_lift(
    mean: np.ndarray, cov: np.ndarray, exo: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Means (K, 8) and covariances (K, 8, 8) of ``[r, v, ln beta, ell]`` with the prior of
    ``ell`` exchanged for the ballistic one in rows ``exo`` (K,) bool (module docstring).

    On the ``ell`` marginal ``N(m, s^2)`` of the tracker's posterior under its prior
    ``N(m0, s0^2)``: the information the measurements added, ``max(1/s^2 - 1/s0^2, 0)`` with
    mean term ``m/s^2 - m0/s0^2`` (none when that is not positive, e.g. after the random walk
    widened ``s``), is combined with ``N(0, sb^2)``; the other components keep their
    regression on ``ell``."""
    mean = np.array(mean, float)
    cov = np.array(cov, float)
    rows = np.flatnonzero(np.asarray(exo, bool))
    if rows.size == 0:
        return mean, cov
    m, v = mean[rows, 7], np.maximum(cov[rows, 7, 7], 1e-12)
    m0, v0, vb = LIFT_PRIOR_MEAN, LIFT_PRIOR_SIGMA**2, BALLISTIC_LIFT_SIGMA**2
    gain = 1.0 / v - 1.0 / v0
    info = np.where(gain > 0.0, gain, 0.0)
    info_mean = np.where(gain > 0.0, m / v - m0 / v0, 0.0)
    v_new = 1.0 / (info + 1.0 / vb)
    m_new = v_new * info_mean
    k = cov[rows, :, 7] / v[:, None]  # regression of every component on ell (k[7] = 1)
    mean[rows] += k * (m_new - m)[:, None]
    cov[rows] += np.einsum("ki,kj->kij", k, k) * (v_new - v)[:, None, None]
    return mean, cov


def future_lift_walk(
    t_flight_s: np.ndarray, endo: np.ndarray, n: int, rng: np.random.Generator
) -> np.ndarray:
    """(K, n) offsets of ``ell`` standing for the predictor's model error over the rest of the
    flight (its body's generic drag-rise shape and constant lift coefficient against the real
    vehicle's): a random walk of intensity :data:`LIFT_MODEL_WALK_PER_S` averaged over
    ``t_flight_s`` (K,) s, variance ``q T / 3`` (the mean of a Wiener process over [0, T]), for
    endo-atmospheric tracks ``endo`` (K,) only; sample 0 (the mean) gets none."""
    t = np.nan_to_num(np.asarray(t_flight_s, float), nan=0.0, posinf=0.0)
    sig = np.sqrt(LIFT_MODEL_WALK_PER_S * np.clip(t, 0.0, None) / 3.0) * np.asarray(endo, bool)
    out: np.ndarray = rng.standard_normal((t.size, n)) * sig[:, None]
    out[:, 0] = 0.0
    return out


def with_lift(mean: np.ndarray, cov: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Estimates without a lift state (K, 7) get the tracker's prior on it, independent of the
    rest; 8-state estimates are returned as they are."""
    mean = np.asarray(mean, float)
    cov = np.asarray(cov, float)
    if mean.shape[1] == 8:
        return mean, cov
    k = mean.shape[0]
    m8 = np.concatenate([mean, np.full((k, 1), LIFT_PRIOR_MEAN)], axis=1)
    c8 = np.zeros((k, 8, 8))
    c8[:, :7, :7] = cov
    c8[:, 7, 7] = LIFT_PRIOR_SIGMA**2
    return m8, c8
