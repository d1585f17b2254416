"""Batched unscented Kalman filter on the ballistic state (ECEF, see :mod:`.models`).

Same interface as :class:`~.ekf.EKF`: K rows at a time, means (K, 7), covariances (K, 7, 7).
Sigma points are ``x +- sqrt(n + lambda) * columns of chol(P)`` (K, 2n+1, n), propagated with
the same batched RK4 kernel as the EKF mean (one call for all K (2n+1) points) and pushed through
the batched measurement model of :mod:`.measure`; the algebra is NumPy ``einsum`` over the batch.
Process noise is added once per prediction, from the continuous white-noise model over the whole
step at the predicted mean.  Azimuths are averaged as wrapped offsets from the central point.

Defaults ``alpha = 1, beta = 0, kappa = 0`` give ``lambda = 0``: the central point has zero
weight and the other 2n points weight ``1/(2n)``, i.e. the third-degree cubature rule, whose
weights are all positive (no indefinite covariances on a 7-state with a diffuse velocity).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import models
from .measure import Measurements, predict_measurement, wrap_pi

_LOG_2PI = math.log(2.0 * math.pi)


def _sqrt_psd(P: np.ndarray) -> np.ndarray:
    """Batched lower square roots of symmetric P; eigen-clipped fallback when not PD."""
    P = 0.5 * (P + np.swapaxes(P, -1, -2))
    try:
        return np.linalg.cholesky(P)
    except np.linalg.LinAlgError:
        w, V = np.linalg.eigh(P)
        root: np.ndarray = V * np.sqrt(np.clip(w, 0.0, None))[..., None, :]
        return root


@dataclass(frozen=True, slots=True, kw_only=True)
class UKF:
    """Batched UKF.  ``alpha``, ``beta``, ``kappa``: the scaled unscented transform's
    parameters; ``max_step_s``: longest RK4 substep (s)."""

    alpha: float = 1.0
    beta: float = 0.0
    kappa: float = 0.0
    max_step_s: float = 1.0

    def _weights(self, n: int) -> tuple[np.ndarray, np.ndarray, float]:
        lam = self.alpha**2 * (n + self.kappa) - n
        wm = np.full(2 * n + 1, 0.5 / (n + lam))
        wc = wm.copy()
        wm[0] = lam / (n + lam)
        wc[0] = wm[0] + 1.0 - self.alpha**2 + self.beta
        return wm, wc, math.sqrt(n + lam)

    def _sigma_points(self, x: np.ndarray, P: np.ndarray) -> np.ndarray:
        n = x.shape[-1]
        _, _, c = self._weights(n)
        L = _sqrt_psd(P) * c  # (K, n, n), columns are the offsets
        off = np.swapaxes(L, -1, -2)  # (K, n, n): row j = column j of L
        return np.concatenate([x[:, None, :], x[:, None, :] + off, x[:, None, :] - off], axis=1)

    def predict(
        self,
        x: np.ndarray,
        P: np.ndarray,
        dt: np.ndarray,
        params: np.ndarray,
        *,
        overwrite: bool = False,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Propagate K rows by ``dt`` (K,) s under ``params`` (K, N_PARAMS); new ``(x, P)``."""
        x = np.asarray(x, float)
        k, n = x.shape
        wm, wc, _ = self._weights(n)
        X = self._sigma_points(x, np.asarray(P, float))
        npts = X.shape[1]
        dt = np.broadcast_to(np.asarray(dt, float), (k,))
        prm = np.broadcast_to(np.asarray(params, float), (k, models.N_PARAMS))
        Xp = models.propagate(
            X.reshape(k * npts, n),
            np.repeat(dt, npts),
            np.repeat(prm, npts, axis=0),
            max_step_s=self.max_step_s,
        )
        Xp = Xp.reshape(k, npts, n)
        xm = np.einsum("p,kpi->ki", wm, Xp)
        d = Xp - xm[:, None, :]
        Pp = np.einsum("p,kpi,kpj->kij", wc, d, d) + models.process_noise(xm, dt, prm)
        return xm, 0.5 * (Pp + np.swapaxes(Pp, -1, -2))

    def _measurement_stats(
        self, x: np.ndarray, P: np.ndarray, meas: Measurements
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        k, n = x.shape
        wm, wc, _ = self._weights(n)
        X = self._sigma_points(x, P)
        npts = X.shape[1]
        Z = predict_measurement(
            X.reshape(k * npts, n),
            np.repeat(meas.sensor_ecef, npts, 0),
            np.repeat(meas.enu, npts, 0),
        ).reshape(k, npts, 4)
        Z[:, :, 1] = Z[:, :1, 1] + wrap_pi(Z[:, :, 1] - Z[:, :1, 1])
        zm = np.einsum("p,kpi->ki", wm, Z)
        valid = meas.valid
        dZ = np.where(valid[:, None, :], Z - zm[:, None, :], 0.0)
        S = np.einsum("p,kpi,kpj->kij", wc, dZ, dZ)
        S += np.eye(4) * np.where(valid, meas.sigma**2, 1.0)[:, None, :]
        Pxz = np.einsum("p,kpi,kpj->kij", wc, X - x[:, None, :], dZ)
        nu = np.where(valid, meas.z - zm, 0.0)
        nu[:, 1] = np.where(valid[:, 1], wrap_pi(nu[:, 1]), 0.0)
        return nu, S, Pxz, valid.sum(axis=1)

    def update(
        self,
        x: np.ndarray,
        P: np.ndarray,
        meas: Measurements,
        rows: np.ndarray | None = None,
        *,
        overwrite: bool = False,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Update K rows, row ``i`` with measurement ``rows[i]`` (default ``i``); returns
        ``(x, P, loglik, nis)``."""
        if rows is not None:
            meas = meas.take(rows)
        x = np.asarray(x, float)
        P = np.asarray(P, float)
        nu, S, Pxz, m = self._measurement_stats(x, P, meas)
        sign, logdet = np.linalg.slogdet(S)
        ok = (sign > 0) & (m > 0)
        S_safe = np.where(ok[:, None, None], S, np.eye(4))
        Sinv_nu = np.linalg.solve(S_safe, nu[..., None])[..., 0]
        d2 = np.einsum("ki,ki->k", nu, Sinv_nu)
        K = np.swapaxes(np.linalg.solve(S_safe, np.swapaxes(Pxz, -1, -2)), -1, -2)
        xn = x + np.einsum("kia,ka->ki", K, nu)
        Pn = P - np.einsum("kia,kab,kjb->kij", K, S_safe, K)
        Pn = 0.5 * (Pn + np.swapaxes(Pn, -1, -2))
        loglik = -0.5 * (d2 + logdet + m * _LOG_2PI)
        xn = np.where(ok[:, None], xn, x)
        Pn = np.where(ok[:, None, None], Pn, P)
        return xn, Pn, np.where(ok, loglik, -np.inf), np.where(ok, d2, np.inf)

    def gate(
        self, x: np.ndarray, P: np.ndarray, meas: Measurements, rows: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per row: NIS, ``ln det S`` and measurement dimension (no update)."""
        if rows is not None:
            meas = meas.take(rows)
        nu, S, _, m = self._measurement_stats(np.asarray(x, float), np.asarray(P, float), meas)
        sign, logdet = np.linalg.slogdet(S)
        ok = (sign > 0) & (m > 0)
        S_safe = np.where(ok[:, None, None], S, np.eye(4))
        d2 = np.einsum("ki,ki->k", nu, np.linalg.solve(S_safe, nu[..., None])[..., 0])
        return np.where(ok, d2, np.inf), np.where(ok, logdet, np.inf), m
