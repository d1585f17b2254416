"""Scenario check of the tracker's single-target fast paths (one candidate pair, one gated edge,
a scan's time without a median): a target tracked alone gets bit for bit the estimates it gets
next to a second, far-away target (which takes the general paths: np.unique, the sparse
assignment over several edges)."""

import numpy as np

from launchwatch.bench.tracking import _noisy, _visible_targets
from launchwatch.sense.records import DETECTION_DTYPE
from launchwatch.track.bench import SIGMA
from launchwatch.track.tracker import Tracker, TrackerConfig


def _history(z, radar, times, ids):
    tracker = Tracker(TrackerConfig())
    n = z.shape[0]
    det = np.zeros(n, DETECTION_DTYPE)
    det["sensor"], det["kind"] = "R0", "radar"
    det["sigma"], det["sensor_ecef_m"] = SIGMA, radar
    for k in range(times.size):
        det["det_id"] = k * 10 + ids
        det["t_s"] = times[k]
        det["z"][:, :3] = z[:, k]
        det["z"][:, 3] = np.nan
        tracker.step(det)
    return tracker.history


def test_one_target_alone_equals_it_among_two():
    times = np.arange(0.0, 6.05, 0.1)
    truth, radar, z_true = _visible_targets(2, times, seed=3)
    sep = np.linalg.norm(truth[0, :, :3] - truth[1, :, :3], axis=1).min()
    assert sep > 50e3  # far apart: the second target cannot touch the first's track
    z = _noisy(z_true, seed=4)
    alone = _history(z[:1], radar, times, np.array([0]))
    both = _history(z, radar, times, np.array([0, 1]))
    mine = both[both["det_id"] % 10 == 0]
    assert alone.size == mine.size > 50
    for name in ("t_s", "state", "cov", "log_beta", "mu", "confirmed"):
        np.testing.assert_array_equal(alone[name], mine[name])
