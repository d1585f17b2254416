"""How much a track glides: a posterior over the lift-to-drag ratio of a quasi-ballistic body.

A ballistic prediction of a KN-23-class missile, which pulls up and glides through the upper
atmosphere, falls hundreds of kilometres short (measured on the reference scenario: 220 km short
of a 700 km shot, with a 95 % ellipse 60 km long -- confidently wrong).  The predictor therefore
flies every sample with a lift-to-drag ratio ``ell`` drawn from a posterior over a grid of
hypotheses (:data:`LIFT_GRID`), with the flight core's pull-up law: no lift while climbing, full
lift from a 5 deg dive on, lift perpendicular to the air-relative velocity in the vertical plane
(:mod:`launchwatch.flight.dynamics`).  Lift acts only where the air is dense enough, so an
exo-atmospheric ballistic missile is unaffected until re-entry.

Evidence: the track's estimate ``x_a`` at an earlier time ``t_a`` (20-90 s back, after boost) is
flown to the current time ``t`` under every hypothesis (M samples of ``N(x_a, P_a)`` each, all
hypotheses and tracks in one batched propagator call); the likelihood of hypothesis ``ell`` is
the Gaussian density of the current position estimate under ``N(mean_ell, C_ell + P_now)``.
The two estimates come from the same filter and are positively correlated, so adding their
covariances overstates the spread of their difference: the posterior is, if anything, too wide
-- the safe side.  Before the pull-up (while climbing) every hypothesis explains the track
equally and the posterior is the prior: the impact cloud then spans the whole glide range, which
is the honest answer (the lift is not yet observable).

Prior, by flight regime: a track whose apogee (the highest of its observed heights and of the
Kepler apogee of its current state) stays below :data:`ENDO_APOGEE_M` flies inside the
atmosphere, like the quasi-ballistic KN-23 class: half the mass on ``ell = 0``, the rest spread
evenly over ``(0, ELL_MAX]`` (``ELL_MAX = 2`` bounds the lift-to-drag ratios of slender
manoeuvring bodies at hypersonic speed, an estimate; the catalog's KN-23 flies at about 1.3:
C_L,alpha 3/rad at 10 deg, Cd ~0.3 plus induced drag).  Above it the missile is exo-atmospheric
and its re-entry vehicle is taken to be ballistic (``ell = 0`` with certainty): a manoeuvring
re-entry vehicle or a glide vehicle released from a ballistic booster is not modelled, and its
prediction would be as overconfident as the ballistic one of a glider (a stated limit).
"""

from __future__ import annotations

import numpy as np

from ..earth import atmosphere, frames
from ..flight.propagate import VehicleModel, make_controls, propagate_states
from .sampling import sample_states

#: Lift-to-drag hypotheses (dimensionless) and their prior probabilities.
ELL_MAX = 3.0
LIFT_GRID = np.linspace(0.0, ELL_MAX, 13)
#: Tempering of the evidence: the log-likelihood is divided by this.  The predictor's body has a
#: constant drag coefficient and lift-to-drag ratio, a real glider's change with Mach number and
#: angle of attack; without it the posterior locked onto one hypothesis and the 95 % ellipse
#: missed the truth (measured on the KN-23 reference shot, 60 s windows in the glide).
EVIDENCE_TEMPER = 4.0
LIFT_PRIOR = np.r_[0.5, np.full(LIFT_GRID.size - 1, 0.5 / (LIFT_GRID.size - 1))]
#: Apogee (m) below which a track is treated as an endo-atmospheric, possibly gliding flight.
ENDO_APOGEE_M = 100e3
#: Prior of an exo-atmospheric (ballistic) track.
BALLISTIC_PRIOR = np.r_[1.0, np.zeros(LIFT_GRID.size - 1)]
#: C_L per radian of the unit body: large, so that the induced drag (C_L,alpha alpha^2 =
#: ell^2 / K) stays under 4 % of the drag for every hypothesis.
K_CL_ALPHA = 100.0
#: Samples per hypothesis and track for the evidence.
EVIDENCE_SAMPLES = 32


#: Drag-rise shape of the predictor's body, relative to its Mach 8 value (estimate: the common
#: shape of the catalog's generic slender-RV, blunt-RV and finned-body tables, vehicles.yaml:
#: a transonic peak about 2.5 times the hypersonic plateau).  A constant drag coefficient
#: predicted a gliding KN-23 30-45 km long: its Cd doubles from Mach 7 to Mach 1.
CD_SHAPE_MACH = (0.0, 0.8, 1.0, 1.2, 1.5, 2.0, 3.0, 5.0, 8.0, 12.0, 20.0)
CD_SHAPE = (1.4, 1.5, 2.3, 2.5, 2.3, 1.95, 1.5, 1.15, 1.0, 0.95, 0.9)


def cd_shape(mach) -> np.ndarray:
    return np.interp(mach, CD_SHAPE_MACH, CD_SHAPE)


def mach_number(r_ecef: np.ndarray, v_ecef: np.ndarray) -> np.ndarray:
    """Mach number of ECEF states (the atmosphere turns with the Earth)."""
    _, _, h = frames.ecef_to_geodetic(r_ecef)
    a = atmosphere.speed_of_sound(np.clip(h, 0.0, 84e3))
    return np.linalg.norm(v_ecef, axis=-1) / a


def unit_body(lifting: bool = True) -> VehicleModel:
    """A 1 kg, 1 m^2 body with the drag-rise shape :data:`CD_SHAPE` (the control's
    aerodynamic scale gives each trajectory its ballistic coefficient), with C_L,alpha =
    K_CL_ALPHA so that a small angle of attack gives lift (see :func:`controls`)."""
    body = VehicleModel.coasting_body(name="unit body", mass_kg=1.0, area_m2=1.0,
                                      mach=CD_SHAPE_MACH, cd=CD_SHAPE)
    vs = body.vs.copy()
    vs[3] = K_CL_ALPHA if lifting else 0.0
    # Its (empty) motor burnt out long ago: flights may start at negative times (a state
    # older than the call's time origin) and still coast, with lift.
    stages = body.stages.copy()
    stages[0, 0] = -1.0e9
    return VehicleModel(name=body.name, stages=stages, vs=vs, mach=body.mach, cd=body.cd,
                        cd_slope=body.cd_slope)


def controls(log_beta: np.ndarray, ell: np.ndarray, mach=8.0) -> np.ndarray:
    """Flight-core controls of coasting samples whose ballistic coefficient is
    ``exp(log_beta)`` (kg/m^2) and lift-to-drag ratio ``ell`` at their current Mach number
    ``mach``; both follow the drag-rise shape from there on (lift coefficient constant)."""
    n = np.size(log_beta)
    shape_now = cd_shape(np.broadcast_to(mach, (n,)))
    return make_controls(n, t_vertical_s=0.0, kick_rad=0.0, t_kick_s=0.0,
                         alpha_rad=np.broadcast_to(ell, (n,)) * shape_now / K_CL_ALPHA,
                         drag_scale=np.exp(-np.asarray(log_beta).reshape(-1)) / shape_now)


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


def lift_prior(apogee_m: np.ndarray) -> np.ndarray:
    """(K, G) prior by flight regime (module docstring) for apogees (K,) in m."""
    endo = np.asarray(apogee_m, float) < ENDO_APOGEE_M
    return np.where(endo[:, None], LIFT_PRIOR[None, :], BALLISTIC_PRIOR[None, :])


def lift_posterior(anchor_t_s, anchor_mean, anchor_cov, now_t_s, now_mean, now_cov, rng,
                   prior: np.ndarray | None = None) -> np.ndarray:
    """(K, G) posterior over :data:`LIFT_GRID` for K tracks (rows with a NaN ``anchor_t_s``
    get the prior).  Means are ECEF ``[r, v, ln beta]`` (K, 7), covariances (K, 7, 7), times s
    after the epoch; ``prior`` (K, G)
    defaults to :data:`LIFT_PRIOR`."""
    anchor_t = np.asarray(anchor_t_s, float)
    k = anchor_t.size
    post = np.tile(LIFT_PRIOR, (k, 1)) if prior is None else np.array(prior, float)
    # only hypotheses with prior mass need evidence; a certain prior stays as it is
    have = np.flatnonzero(np.isfinite(anchor_t) & (np.count_nonzero(post, axis=1) > 1))
    if have.size == 0:
        return post
    g, m = LIFT_GRID.size, EVIDENCE_SAMPLES
    x = sample_states(anchor_mean[have], anchor_cov[have], m, rng)  # (H, M, 7)
    h = have.size
    x = np.repeat(x[:, None], g, axis=1)  # (H, G, M, 7): the same samples for each hypothesis
    dt = (np.asarray(now_t_s, float)[have] - anchor_t[have])  # > 0
    t0 = np.repeat(-dt, g * m)  # the call's inertial frame = ECEF at the current time
    r, v = frames.ecef_to_eci(x[..., :3].reshape(-1, 3), t0, v_ecef=x[..., 3:6].reshape(-1, 3))
    ell = np.broadcast_to(LIFT_GRID[None, :, None], (h, g, m)).reshape(-1)
    log_beta = np.clip(x[..., 6].reshape(-1), np.log(30.0), np.log(3.0e5))
    traj = propagate_states(unit_body(), np.concatenate([r, v], axis=1), t0,
                            ctrl=controls(log_beta, ell, mach_number(x[..., :3].reshape(-1, 3),
                                                                      x[..., 3:6].reshape(-1, 3))),
                            t_max_s=1.0,
                            sample_times_s=np.array([0.0]))
    pos = traj.samples_ecef()[:, 0, :3].reshape(h, g, m, 3)
    ok = np.all(np.isfinite(pos), axis=-1)  # a sample that landed before now explains nothing
    n_ok = ok.sum(axis=-1)  # (H, G)
    w = ok[..., None].astype(float)
    pos = np.where(ok[..., None], pos, 0.0)
    mu = (w * pos).sum(axis=2) / np.maximum(n_ok, 1)[..., None]
    d = (pos - mu[:, :, None, :]) * w
    c = np.einsum("hgmi,hgmj->hgij", d, d) / np.maximum(n_ok - 1, 1)[..., None, None]
    c += now_cov[have][:, None, :3, :3] + np.eye(3)
    innov = now_mean[have][:, None, :3] - mu  # (H, G, 3)
    _, logdet = np.linalg.slogdet(c)
    maha = np.einsum("hgi,hgi->hg", innov, np.linalg.solve(c, innov[..., None])[..., 0])
    loglik = np.where(n_ok >= 8, -0.5 * (maha + logdet) / EVIDENCE_TEMPER, -np.inf)
    usable = np.isfinite(loglik).any(axis=1)
    top = np.max(np.where(usable[:, None], loglik, 0.0), axis=1, keepdims=True)
    weights = post[have] * np.exp(loglik - top)
    rows = have[usable]
    post[rows] = weights[usable] / weights[usable].sum(axis=1, keepdims=True)
    return post
