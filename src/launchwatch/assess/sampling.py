"""Gaussian samples of batched state estimates (leading axis K), shared by the impact
predictor and the lift evidence, and the ``ln beta`` mixture drawn in place of their Gaussian
``ln beta`` (:mod:`.beta_prior`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def sample_states(
    mean: np.ndarray, cov: np.ndarray, n: int, rng: np.random.Generator
) -> np.ndarray:
    """(K, n, d) Gaussian samples of K d-dimensional estimates; sample 0 of each track is its
    mean.  A covariance that is not positive semi-definite (round-off) has its negative
    eigenvalues set to zero."""
    mean = np.asarray(mean, float)
    cov = 0.5 * (np.asarray(cov, float) + np.swapaxes(cov, -1, -2))
    w, v = np.linalg.eigh(cov)
    root = v * np.sqrt(np.clip(w, 0.0, None))[..., None, :]
    z = rng.standard_normal((mean.shape[0], n, mean.shape[1]))
    z[:, 0] = 0.0
    samples: np.ndarray = mean[:, None, :] + np.einsum("kij,ksj->ksi", root, z)
    return samples


@dataclass(frozen=True, slots=True)
class LogBetaMixture:
    """Per track (K rows) a Gaussian mixture over ``ln beta`` (beta in kg/m^2): component
    weights (K, B) (rows summing to one; a row of NaN: no mixture, the track's Gaussian
    stands), means (K, B) and sigmas (K, B)."""

    weight: np.ndarray
    mean: np.ndarray
    sigma: np.ndarray

    @staticmethod
    def none(k: int, b: int = 1) -> LogBetaMixture:
        """K rows without a mixture."""
        nan = np.full((k, b), np.nan)
        return LogBetaMixture(nan, nan.copy(), nan.copy())


def draw_log_beta(
    x: np.ndarray, cov: np.ndarray, mix: LogBetaMixture, rng: np.random.Generator
) -> np.ndarray:
    """Samples ``x`` (K, S, 8) of ``[r, v, ln beta, ell]`` drawn from ``N(mean, cov)`` (K, 8, 8)
    with ``ln beta`` drawn again from each track's mixture ``mix`` (rows without one, and
    sample 0, the mean, unchanged): every other component moves by its regression on
    ``ln beta``, which keeps it drawn from its Gaussian conditional given the new value (the
    measurements' picture of the state given ``ln beta`` does not depend on the prior)."""
    rows = np.flatnonzero(np.isfinite(mix.weight).all(axis=1))
    if rows.size == 0:
        return x
    x = np.array(x, float)
    w, mu, sg = mix.weight[rows], mix.mean[rows], mix.sigma[rows]
    k, s = rows.size, x.shape[1]
    cdf = np.cumsum(w, axis=1)
    u = rng.random((k, s))
    comp = np.minimum((u[:, :, None] > cdf[:, None, :]).sum(axis=2), w.shape[1] - 1)
    pick = np.arange(k)[:, None]
    new = mu[pick, comp] + sg[pick, comp] * rng.standard_normal((k, s))
    c = cov[rows]
    gain = c[:, :, 6] / np.maximum(c[:, 6, 6], 1e-12)[:, None]  # (k, 8), gain[:, 6] = 1
    shift = new - x[rows, :, 6]
    shift[:, 0] = 0.0
    x[rows] += shift[:, :, None] * gain[:, None, :]
    return x
