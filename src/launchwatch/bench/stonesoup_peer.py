"""The peer of ``launchwatch bench tracking``: Stone Soup's EKF with its GNN associator.

Stone Soup (dstl/Stone-Soup, installed only with the ``bench`` extra, never at run time) has no
gravity-based ballistic model, so we give it one written in its own terms: a
``GaussianTransitionModel`` whose ``function`` integrates the same physics as ours (J2 gravity
and the rotating-frame terms, RK4) in the radar's local east-north-up frame, with white-noise
acceleration as process noise.  Its Jacobian is Stone Soup's default numerical one.  The
measurement model is Stone Soup's ``CartesianToElevationBearingRange`` in that frame, fed the
*same* noisy detections as launchwatch (bearing = pi/2 - azimuth).  Predictor and updater are
``ExtendedKalmanPredictor`` / ``ExtendedKalmanUpdater(force_symmetric_covariance=True)`` (it
diverges without). Association, two configurations (``associator``):

* ``"gnn2d"``: ``GNNWith2DAssignment`` over a Mahalanobis ``DistanceHypothesiser`` (every
  track against every detection: the configuration of Stone Soup's introductory tutorials);
* ``"kdtree"``: what Stone Soup provides for many targets, ``DetectionKDTreeGNN2D``
  (``stonesoup.dataassociator.tree``): a k-d tree over the scan's detections in measurement
  space, queried with each track's predicted measurement so that only detections within
  ``max_distance`` reach the hypothesiser, here additionally wrapped in a ``DistanceGater``
  (Mahalanobis, chi-square 99.9 % gate for 3 dof), then the same 2-D assignment. The measurement
  space is (elevation rad, bearing rad, range m), so the tree's Euclidean distance is in effect a
  range gate: ``max_distance`` 500 m (50 range sigmas; targets are kilometres apart).

Tracks start like launchwatch's, from the first two detections (two-point initiation, over one
second).
"""

from __future__ import annotations

import datetime as dt
import time

import numpy as np

from ..earth import frames
from ..earth.gravity import ecef_accel


def run_stonesoup(
    truth_ecef: np.ndarray,
    times_s: np.ndarray,
    radar_ecef: np.ndarray,
    z_aer: np.ndarray,
    sigma: tuple[float, float, float],
    *,
    q_m2_s3: float = 1.0,
    associator: str = "gnn2d",
) -> dict:
    """Track ``N`` targets with Stone Soup.

    ``truth_ecef`` (N, T, 6) ECEF, ``times_s`` (T,), ``radar_ecef`` (3,), ``z_aer`` (N, T, 3)
    noisy (range m, azimuth rad, elevation rad) from the radar in its local ENU frame (NaN where
    no detection), ``sigma`` the 1-sigma noise (range m, azimuth rad, elevation rad).
    Returns updates, wall seconds, updates per second and position RMSE (m).
    """
    from stonesoup.dataassociator.neighbour import GNNWith2DAssignment
    from stonesoup.dataassociator.tree import DetectionKDTreeGNN2D
    from stonesoup.gater.distance import DistanceGater
    from stonesoup.hypothesiser.distance import DistanceHypothesiser
    from stonesoup.measures import Mahalanobis
    from stonesoup.models.base import TimeVariantModel
    from stonesoup.models.measurement.nonlinear import CartesianToElevationBearingRange
    from stonesoup.models.transition.base import TransitionModel
    from stonesoup.models.transition.nonlinear import GaussianTransitionModel
    from stonesoup.predictor.kalman import ExtendedKalmanPredictor
    from stonesoup.types.array import StateVector, StateVectors
    from stonesoup.types.detection import Detection
    from stonesoup.types.state import GaussianState
    from stonesoup.types.track import Track
    from stonesoup.updater.kalman import ExtendedKalmanUpdater

    lat, lon, h = frames.ecef_to_geodetic(radar_ecef[None, :])
    m = frames.enu_matrix(lat[0], lon[0])  # ECEF -> ENU rows

    class BallisticENU(GaussianTransitionModel, TimeVariantModel):
        """Ballistic motion under J2 in the rotating Earth frame, state [e, ve, n, vn, u, vu]
        in the radar's ENU frame, RK4 in two substeps, vectorized over state columns."""

        @property
        def ndim_state(self):
            return 6

        def function(self, state, noise=False, **kwargs):
            dt_s = kwargs["time_interval"].total_seconds()
            sv = np.asarray(state.state_vector, float)  # (6, ncols), all columns at once
            r = (m.T @ sv[[0, 2, 4]]).T + radar_ecef
            v = (m.T @ sv[[1, 3, 5]]).T
            hh = dt_s / 2.0
            for _ in range(2):
                k1r, k1v = v, ecef_accel(r, v)
                k2r, k2v = v + 0.5 * hh * k1v, ecef_accel(r + 0.5 * hh * k1r, v + 0.5 * hh * k1v)
                k3r, k3v = v + 0.5 * hh * k2v, ecef_accel(r + 0.5 * hh * k2r, v + 0.5 * hh * k2v)
                k4r, k4v = v + hh * k3v, ecef_accel(r + hh * k3r, v + hh * k3v)
                r = r + hh / 6.0 * (k1r + 2 * k2r + 2 * k3r + k4r)
                v = v + hh / 6.0 * (k1v + 2 * k2v + 2 * k3v + k4v)
            e = m @ (r - radar_ecef).T
            ve = m @ v.T
            out = np.stack([e[0], ve[0], e[1], ve[1], e[2], ve[2]], axis=1)
            res = StateVectors(np.array(out).T)
            if noise:
                res = res + self.rvs(num_samples=res.shape[1], **kwargs)
            return res if res.shape[1] > 1 else StateVector(res[:, 0])

        def covar(self, time_interval, **kwargs):
            t = time_interval.total_seconds()
            blk = q_m2_s3 * np.array([[t**3 / 3, t**2 / 2], [t**2 / 2, t]])
            return np.kron(np.eye(3), blk)

    assert issubclass(BallisticENU, TransitionModel)
    transition = BallisticENU()
    meas = CartesianToElevationBearingRange(
        ndim_state=6,
        mapping=(0, 2, 4),
        noise_covar=np.diag([sigma[2] ** 2, sigma[1] ** 2, sigma[0] ** 2]),
    )
    predictor = ExtendedKalmanPredictor(transition)
    updater = ExtendedKalmanUpdater(meas, force_symmetric_covariance=True)
    hyp = DistanceHypothesiser(predictor, updater, measure=Mahalanobis(), missed_distance=5.0)
    if associator == "gnn2d":
        assoc = GNNWith2DAssignment(hyp)
    elif associator == "kdtree":
        gated = DistanceGater(hyp, measure=Mahalanobis(), gate_threshold=16.27)  # chi2(3) 99.9 %
        assoc = DetectionKDTreeGNN2D(
            hypothesiser=gated, predictor=predictor, updater=updater, max_distance=500.0
        )
    else:
        raise ValueError(f"unknown associator {associator!r}")

    epoch = dt.datetime(2025, 1, 1)
    n, n_t = truth_ecef.shape[:2]
    enu = np.einsum("ij,ntj->nti", m, truth_ecef[..., :3] - radar_ecef)

    # Two-point initiation from detections one second apart (launchwatch pairs consecutive
    # scans; Stone Soup's EKF diverges from a 0.1 s baseline's km/s velocity uncertainty):
    # position from the second detection, velocity from the difference, covariance from the
    # measurement noise.
    def to_enu(zz):
        rr, az, el = zz[..., 0], zz[..., 1], zz[..., 2]
        return np.stack(
            [rr * np.cos(el) * np.sin(az), rr * np.cos(el) * np.cos(az), rr * np.sin(el)], axis=-1
        )

    k1 = int(np.searchsorted(times_s, times_s[0] + 1.0 - 1e-9))
    p0, p1 = to_enu(z_aer[:, 0]), to_enu(z_aer[:, k1])
    dt01 = float(times_s[k1] - times_s[0])
    vel0 = (p1 - p0) / dt01
    tracks = set()
    for i in range(n):
        rng_i = float(z_aer[i, k1, 0])
        s_pos = max(sigma[0], rng_i * max(sigma[1], sigma[2]))
        s_vel = np.sqrt(2.0) * s_pos / dt01
        sv = StateVector([p1[i, 0], vel0[i, 0], p1[i, 1], vel0[i, 1], p1[i, 2], vel0[i, 2]])
        tracks.add(
            Track(
                [
                    GaussianState(
                        sv,
                        np.diag([s_pos**2, s_vel**2] * 3),
                        timestamp=epoch + dt.timedelta(seconds=times_s[k1]),
                    )
                ]
            )
        )
    updates = 0
    sq, cnt = 0.0, 0
    t0 = time.perf_counter()
    for k in range(k1 + 1, n_t):
        stamp = epoch + dt.timedelta(seconds=float(times_s[k]))
        dets = set()
        for i in range(n):
            if np.isnan(z_aer[i, k, 0]):
                continue
            bearing = np.mod(0.5 * np.pi - z_aer[i, k, 1] + np.pi, 2 * np.pi) - np.pi
            dets.add(
                Detection(
                    StateVector([z_aer[i, k, 2], bearing, z_aer[i, k, 0]]),
                    timestamp=stamp,
                    measurement_model=meas,
                )
            )
        hyps = assoc.associate(tracks, dets, stamp)
        for track, hypothesis in hyps.items():
            if hypothesis:
                track.append(updater.update(hypothesis))
                updates += 1
            else:
                track.append(hypothesis.prediction)
    wall = time.perf_counter() - t0
    # Position RMSE over the second half of the window, each track against its nearest truth.
    half = n_t // 2
    for track in tracks:
        st = [
            s
            for s in track.states
            if s.timestamp >= epoch + dt.timedelta(seconds=float(times_s[half]))
        ]
        if not st:
            continue
        k0 = n_t - len(st)
        est = np.array(
            [[s.state_vector[0], s.state_vector[2], s.state_vector[4]] for s in st], float
        )
        d = np.linalg.norm(enu[:, k0 : k0 + est.shape[0]] - est[None], axis=-1)
        i = int(np.argmin(np.nanmean(d, axis=1)))
        sq += float(np.nansum(d[i] ** 2))
        cnt += int(np.sum(np.isfinite(d[i])))
    return {
        "updates": updates,
        "seconds": wall,
        "updates_per_s": updates / wall,
        "rmse_m": float(np.sqrt(sq / max(cnt, 1))),
    }
