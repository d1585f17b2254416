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

Prior: half the mass on ``ell = 0`` (a ballistic re-entry vehicle), the rest spread evenly over
``(0, ELL_MAX]``; ``ELL_MAX = 2`` bounds the lift-to-drag ratios of slender manoeuvring bodies
at hypersonic speed (estimate; the catalog's KN-23 flies at about 1.3: C_L,alpha 3/rad at
10 deg, Cd ~0.3 plus induced drag).
"""

from __future__ import annotations

import numpy as np

from ..earth import frames
from ..flight.propagate import VehicleModel, make_controls, propagate_states

#: Lift-to-drag hypotheses (dimensionless) and their prior probabilities.
ELL_MAX = 2.0
LIFT_GRID = np.linspace(0.0, ELL_MAX, 9)
LIFT_PRIOR = np.r_[0.5, np.full(LIFT_GRID.size - 1, 0.5 / (LIFT_GRID.size - 1))]
#: C_L per radian of the unit body: large, so that the induced drag (C_L,alpha alpha^2 =
#: ell^2 / K) stays under 4 % of the drag for every hypothesis.
K_CL_ALPHA = 100.0
#: Samples per hypothesis and track for the evidence.
EVIDENCE_SAMPLES = 48


def unit_body(lifting: bool = True) -> VehicleModel:
    """A 1 kg, 1 m^2, Cd 1 body (ballistic coefficient 1 kg/m^2; the control's aerodynamic
    scale ``1 / beta`` gives each trajectory its own), with C_L,alpha = K_CL_ALPHA so that the
    angle of attack ``ell / K_CL_ALPHA`` gives lift ``ell`` times the drag."""
    body = VehicleModel.coasting_body(name="unit body", mass_kg=1.0, area_m2=1.0, cd=(1.0, 1.0))
    vs = body.vs.copy()
    vs[3] = K_CL_ALPHA if lifting else 0.0
    # Its (empty) motor burnt out long ago: flights may start at negative times (a state
    # older than the call's time origin) and still coast, with lift.
    stages = body.stages.copy()
    stages[0, 0] = -1.0e9
    return VehicleModel(name=body.name, stages=stages, vs=vs, mach=body.mach, cd=body.cd,
                        cd_slope=body.cd_slope)


def controls(log_beta: np.ndarray, ell: np.ndarray) -> np.ndarray:
    """Flight-core controls of coasting samples with ballistic coefficients ``exp(log_beta)``
    (kg/m^2) and lift-to-drag ratios ``ell``."""
    n = np.size(log_beta)
    return make_controls(n, t_vertical_s=0.0, kick_rad=0.0, t_kick_s=0.0,
                         alpha_rad=np.broadcast_to(ell, (n,)) / K_CL_ALPHA,
                         drag_scale=np.exp(-np.asarray(log_beta).reshape(-1)))


def lift_posterior(anchor_t_s, anchor_mean, anchor_cov, now_t_s, now_mean, now_cov, rng,
                   sample_states) -> np.ndarray:
    """(K, G) posterior over :data:`LIFT_GRID` for K tracks (rows with a NaN ``anchor_t_s``
    get the prior).  Means are ECEF ``[r, v, ln beta]`` (K, 7), covariances (K, 7, 7), times s
    after the epoch; ``sample_states`` is the predictor's Gaussian sampler."""
    anchor_t = np.asarray(anchor_t_s, float)
    k = anchor_t.size
    post = np.tile(LIFT_PRIOR, (k, 1))
    have = np.flatnonzero(np.isfinite(anchor_t))
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
                            ctrl=controls(log_beta, ell), t_max_s=1.0,
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
    loglik = np.where(n_ok >= 8, -0.5 * (maha + logdet), -np.inf)
    usable = np.isfinite(loglik).any(axis=1)
    top = np.max(np.where(usable[:, None], loglik, 0.0), axis=1, keepdims=True)
    weights = LIFT_PRIOR * np.exp(loglik - top)
    rows = have[usable]
    post[rows] = weights[usable] / weights[usable].sum(axis=1, keepdims=True)
    return post
