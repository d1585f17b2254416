"""chi2_quantile: SciPy's chi-squared quantiles without importing scipy.stats."""

import subprocess
import sys

import numpy as np
from scipy.stats import chi2

from launchwatch.track.quantiles import chi2_quantile


def test_chi2_quantile_is_scipys_ppf_float_for_float():
    p = np.array([0.0, 1e-6, 0.05, 0.5, 0.9, 0.95, 0.99, 0.997, 0.999, 0.9999, 1.0])[:, None]
    df = np.array([1, 2, 3, 4, 5, 6, 8, 12, 30])[None]
    assert np.array_equal(chi2_quantile(p, df), chi2.ppf(p, df))
    assert chi2_quantile(0.99, 6) == chi2.ppf(0.99, 6)
    assert np.isnan(chi2_quantile(1.5, 3)) and np.isnan(chi2_quantile(-0.1, 3))


def test_chi2_quantile_values():
    # textbook table values (e.g. NIST/SEMATECH e-Handbook, table 1.3.6.7.4)
    assert np.isclose(chi2_quantile(0.95, 1), 3.841, atol=5e-4)
    assert np.isclose(chi2_quantile(0.99, 4), 13.277, atol=5e-4)
    assert np.isclose(chi2_quantile(0.999, 6), 22.458, atol=5e-4)


def test_tracking_and_coast_fits_do_not_import_scipy_stats():
    """scipy.stats costs ~0.3 s of CPU per process to import; the gates use chi2_quantile."""
    code = (
        "import sys, launchwatch.track.tracker, launchwatch.track.tracks, "
        "launchwatch.assess.coastfit; print('scipy.stats' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
