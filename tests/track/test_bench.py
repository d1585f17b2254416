"""The throughput benchmark runs and tracks its targets (its speed is measured, not tested)."""

import numpy as np

from launchwatch.track.bench import bench_tracker, make_targets


def test_bench_tracker_small_run():
    res = bench_tracker(n_targets=30, rate_hz=10.0, duration_s=15.0, seed=1)
    assert res.n_tracks_started == 30  # one track per target, no duplicates
    assert res.n_updates > 0.99 * 30 * (res.n_scans - 2)
    assert res.updates_per_s > 0
    assert res.steady_pos_rmse_m < 100.0 and res.pos_rmse_m < 200.0


def test_bench_targets_stay_up():
    times = np.arange(0.0, 301.0, 10.0)
    truth = make_targets(50, times, seed=0)
    assert np.all(np.isfinite(truth))
    assert np.linalg.norm(truth[..., :3], axis=-1).min() > 6.4e6 + 1e5
