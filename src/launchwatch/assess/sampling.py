"""Gaussian samples of batched state estimates (leading axis K), shared by the impact
predictor and the lift evidence."""

from __future__ import annotations

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
