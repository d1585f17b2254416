"""The boost model's thrust noise follows the velocity's direction as far as it is known: a
young track whose velocity direction is uncertain spreads the along-velocity intensity across it
(first-order E[u u^T] of the true direction), checked against a Monte Carlo average of the true
direction's outer product."""

import numpy as np

from launchwatch.earth.frames import geodetic_to_ecef
from launchwatch.track import models

H_S = 2.0


def _added_noise(x: np.ndarray, P: np.ndarray, model: models.MotionModel) -> np.ndarray:
    """The process noise ``add_process_noise`` adds to ``P`` over ``H_S`` seconds."""
    P1 = P.copy()
    models.add_process_noise(x, model.row(), H_S, P1, *models.atmosphere_args())
    return P1 - P


def _state(v: np.ndarray) -> np.ndarray:
    r = geodetic_to_ecef(np.radians(40.0), np.radians(128.0), 40e3)
    return np.concatenate([np.ravel(r), v, [np.log(3000.0), 0.75]])


def _cov(P_vv: np.ndarray) -> np.ndarray:
    P = np.diag([1e6, 1e6, 1e6, 1.0, 1.0, 1.0, 0.5, 0.5])
    P[3:6, 3:6] = P_vv
    return P


def test_known_direction_keeps_the_along_velocity_noise():
    v = np.array([900.0, -300.0, 1100.0])
    u = v / np.linalg.norm(v)
    P_vv = 400.0**2 * np.outer(u, u)  # speed uncertain, direction exact
    Q = _added_noise(_state(v), _cov(P_vv), models.BOOST)[3:6, 3:6] / H_S
    want = models.BOOST.q_along_m2_s3 * np.outer(u, u) + models.BOOST.q_iso_m2_s3 * np.eye(3)
    assert np.allclose(Q, want, rtol=1e-9, atol=1e-6)


def test_uncertain_direction_matches_monte_carlo():
    rng = np.random.default_rng(7)
    v = np.array([900.0, -300.0, 1100.0])
    sp = np.linalg.norm(v)
    A = rng.normal(size=(3, 3))
    P_vv = (A @ A.T + np.eye(3)) * (0.05 * sp) ** 2 / 3.0  # ~5 % of the speed per axis
    draws = v + rng.multivariate_normal(np.zeros(3), P_vv, size=400_000)
    u_true = draws / np.linalg.norm(draws, axis=1, keepdims=True)
    want = models.BOOST.q_along_m2_s3 * np.einsum("ki,kj->ij", u_true, u_true) / len(draws)
    want += models.BOOST.q_iso_m2_s3 * np.eye(3)
    Q = _added_noise(_state(v), _cov(P_vv), models.BOOST)[3:6, 3:6] / H_S
    # first order in the direction's variance: agreement to a few per cent of q_along
    assert np.abs(Q - want).max() < 0.01 * models.BOOST.q_along_m2_s3
    # and the spread across the velocity is really there: Q without it misses it by far more
    u = v / sp
    old = models.BOOST.q_along_m2_s3 * np.outer(u, u) + models.BOOST.q_iso_m2_s3 * np.eye(3)
    assert np.abs(old - want).max() > 3 * np.abs(Q - want).max()
    assert np.isclose(np.trace(Q), np.trace(old))  # the intensity is shared out, not added


def test_unknown_direction_is_capped_at_isotropic():
    v = np.array([300.0, 0.0, 100.0])
    P_vv = 2000.0**2 * np.eye(3)  # direction not known at all
    Q = _added_noise(_state(v), _cov(P_vv), models.BOOST)[3:6, 3:6] / H_S
    q_al, q_iso = models.BOOST.q_along_m2_s3, models.BOOST.q_iso_m2_s3
    assert np.isclose(np.trace(Q), q_al + 3 * q_iso)
    w = np.linalg.eigvalsh(Q - q_iso * np.eye(3))
    assert np.allclose(w, q_al / 3.0, rtol=1e-9)  # a third of q_along on every axis
    assert np.all(np.linalg.eigvalsh(Q) > 0)


def test_models_without_along_noise_are_unchanged():
    v = np.array([900.0, -300.0, 1100.0])
    P_vv = 500.0**2 * np.eye(3)
    Q = _added_noise(_state(v), _cov(P_vv), models.COAST)[3:6, 3:6] / H_S
    assert np.allclose(Q - np.diag(np.diag(Q)), 0.0)  # isotropic only
