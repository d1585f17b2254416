"""Chi-squared quantiles for gates and fit tests, without importing :mod:`scipy.stats`.

``scipy.stats`` costs ~0.3 s of CPU to import (its whole distribution library) in every
process that tracks or assesses; the gates need one function of it.  :func:`chi2_quantile` is
the expression SciPy's ``chi2.ppf`` evaluates (``2 * gammaincinv(df / 2, p)``, the lower
regularized incomplete gamma function inverted), so it returns the same floats (tested).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import gammaincinv

__all__ = ["chi2_quantile"]


def chi2_quantile(p: ArrayLike, df: ArrayLike) -> np.ndarray:
    """The ``p`` quantile of the chi-squared distribution with ``df`` degrees of freedom
    (broadcast; NaN outside ``0 <= p <= 1``, inf at ``p = 1``), as ``scipy.stats.chi2.ppf``."""
    out: np.ndarray = 2.0 * gammaincinv(np.asarray(df, float) / 2.0, np.asarray(p, float))
    return out
