"""Motion and measurement models: physics against the flight propagator, linearisations against
finite differences, angles against launchwatch.sense.geometry (an independent implementation)."""

import numpy as np
import pytest
from track_helpers import RADAR_SITE, coast_truth, midcourse_state

from launchwatch.earth.frames import geodetic_to_ecef
from launchwatch.sense.geometry import aer_from, aer_jacobian
from launchwatch.track import models
from launchwatch.track.measure import predict_measurement

EPS = np.array([1.0, 1.0, 1.0, 1e-3, 1e-3, 1e-3, 1e-5])


def _states():
    r = geodetic_to_ecef(np.radians([40.0, 35.0]), np.radians([130.0, 140.0]), [30e3, 300e3])
    v = np.array([[2000.0, 1000.0, 500.0], [3000.0, -500.0, 1000.0]])
    return np.concatenate([r, v, np.log([3000.0, 3000.0])[:, None]], axis=1)


@pytest.mark.parametrize("model", models.DEFAULT_MODELS, ids=lambda m: m.name)
def test_jacobian_matches_finite_differences(model):
    x = _states()
    A = models.jacobian_batch(x, model.row())
    fd = np.empty_like(A)
    for j in range(7):  # seven state components, not tracks
        xp, xm = x.copy(), x.copy()
        xp[:, j] += EPS[j]
        xm[:, j] -= EPS[j]
        fd[:, :, j] = models.derivative(xp, model.row()) - models.derivative(xm, model.row())
        fd[:, :, j] /= 2 * EPS[j]
    # the density table is piecewise exponential: its slope jumps at the 250 m nodes
    assert np.allclose(A, fd, rtol=1e-4, atol=1e-5)
    assert np.abs(A[:, 3:6, 6]).max() > 0 if model.drag else np.all(A[:, 3:6, 6] == 0)


@pytest.mark.parametrize("dt", [0.1, 1.0])
def test_covariance_propagation_matches_flow_map(dt):
    """Phi of the kernel (Taylor from the analytic Jacobian) against central differences of
    the RK4 flow map: the measurement behind the module's choice."""
    x = _states()
    p = models.COAST.row().copy()
    p[[models.P_Q_ISO, models.P_Q_ALONG, models.P_Q_LOG_BETA, models.P_Q_AERO]] = 0.0
    _, P = models.propagate(x, dt, p, P=np.broadcast_to(np.eye(7), (2, 7, 7)))
    phi = np.empty((2, 7, 7))
    for j in range(7):
        xp, xm = x.copy(), x.copy()
        xp[:, j] += 10 * EPS[j]
        xm[:, j] -= 10 * EPS[j]
        phi[:, :, j] = models.propagate(xp, dt, p) - models.propagate(xm, dt, p)
        phi[:, :, j] /= 20 * EPS[j]
    ref = phi @ phi.transpose(0, 2, 1)
    rel = np.abs(P - ref).max(axis=(1, 2)) / np.abs(ref).max(axis=(1, 2))
    assert rel[1] < 1e-6  # 300 km: vacuum
    assert rel[0] < (3e-4 if dt == 0.1 else 5e-3)  # 30 km: drag, 2nd-order Taylor


def test_coast_model_matches_flight_propagator():
    """The tracker's RK4 coast model (0.5 s and 1 s substeps) against the flight core's adaptive
    integrator on the same physics (J2, rotation, drag of beta = 1000 / (0.2 * 0.1)), one body
    in vacuum and one descending through 120 km."""
    y0 = np.stack([midcourse_state(), midcourse_state(lat_deg=36.0, v_up=-300.0, h_m=120e3)])
    times = np.array([0.0, 60.0])
    ref = coast_truth(y0, times)[:, -1]
    x = np.concatenate([y0, np.full((2, 1), np.log(1000.0 / (0.2 * 0.1)))], axis=1)
    for max_step in (0.5, 1.0):
        got = models.propagate(x, 60.0, models.COAST.row(), max_step_s=max_step)
        # measured 0.2 mm and 8e-6 m/s (the descending body reaches 87 km)
        assert np.linalg.norm(got[:, :3] - ref[:, :3], axis=1).max() < 0.01
        assert np.linalg.norm(got[:, 3:6] - ref[:, 3:], axis=1).max() < 1e-4
    # dropping the Coriolis term alone moves the 60 s point by ~2 omega v t^2 / 2 ~ 1 km


def test_measurement_model_matches_sense_geometry():
    rng = np.random.default_rng(3)
    tgt = RADAR_SITE + rng.normal(0, 3e5, (50, 3)) + 2e5 * RADAR_SITE / np.linalg.norm(RADAR_SITE)
    x = np.concatenate([tgt, rng.normal(0, 2000, (50, 3)), np.zeros((50, 1))], axis=1)
    from launchwatch.earth.frames import ecef_to_geodetic, enu_matrix

    lat, lon, _ = ecef_to_geodetic(RADAR_SITE)
    E = np.broadcast_to(enu_matrix(lat, lon), (50, 3, 3))
    s = np.broadcast_to(RADAR_SITE, (50, 3))
    h, H = predict_measurement(x, s, E, jacobian=True)
    rng_m, az, el = aer_from(RADAR_SITE, tgt)
    assert np.allclose(h[:, 0], rng_m, rtol=1e-12)
    assert np.allclose(h[:, 1], az, atol=1e-12)
    assert np.allclose(h[:, 2], el, atol=1e-12)
    assert np.allclose(H[:, :3, :3], aer_jacobian(RADAR_SITE, tgt), rtol=1e-9, atol=1e-15)
    d = tgt - RADAR_SITE
    assert np.allclose(h[:, 3], np.sum(d * x[:, 3:6], 1) / rng_m)
    # range-rate row by finite differences
    for j in range(6):
        xp, xm = x.copy(), x.copy()
        xp[:, j] += 1.0
        xm[:, j] -= 1.0
        fd = (predict_measurement(xp, s, E)[:, 3] - predict_measurement(xm, s, E)[:, 3]) / 2
        assert np.allclose(H[:, 3, j], fd, rtol=1e-6, atol=1e-12)


def test_process_noise_along_velocity():
    x = _states()
    Q = models.process_noise(x, 1.0, models.BOOST.row())
    u = x[:, 3:6] / np.linalg.norm(x[:, 3:6], axis=1, keepdims=True)
    along = np.einsum("ki,kij,kj->k", u, Q[:, 3:6, 3:6], u)
    assert np.allclose(along, models.BOOST.q_along_m2_s3 + models.BOOST.q_iso_m2_s3)
    assert np.all(np.linalg.eigvalsh(Q[:, :6, :6]) > 0)
