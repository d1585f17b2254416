"""Association: the sparse global assignment against dense scipy, candidate pairs against brute
force, and GNN keeping two crossing targets apart."""

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment
from track_helpers import (
    DT,
    RADAR_SIGMA,
    RADAR_SITE,
    coast_truth,
    make_truth,
    midcourse_state,
    radar_scans,
)

from launchwatch.track import associate, models
from launchwatch.track.associate import assign_sparse, candidate_pairs
from launchwatch.track.score import score
from launchwatch.track.tracker import Tracker


@pytest.mark.parametrize("seed", range(20))
def test_assign_sparse_is_optimal(seed):
    rng = np.random.default_rng(seed)
    n_r, n_c = rng.integers(1, 30, 2)
    dense = rng.uniform(0.0, 10.0, (n_r, n_c))
    edge = rng.random((n_r, n_c)) < 0.15
    rows, cols = np.nonzero(edge)
    r, c = assign_sparse(rows, cols, dense[rows, cols], n_r, n_c)
    assert len(set(r.tolist())) == r.size and len(set(c.tolist())) == c.size
    assert np.all(edge[r, c])
    # reference: dense LSA with forbidden pairs at a prohibitive cost (max cardinality first)
    big = 1e6
    a, b = linear_sum_assignment(np.where(edge, dense, big))
    ok = edge[a, b]
    assert r.size == ok.sum()
    assert np.isclose(dense[r, c].sum(), dense[a[ok], b[ok]].sum())
    # optional edges (gains): only negative costs are worth taking
    gain = -dense
    r, c = assign_sparse(rows, cols, gain[rows, cols] + 5.0, n_r, n_c, optional=True)
    a, b = linear_sum_assignment(np.where(edge, np.minimum(gain + 5.0, 0.0), 0.0))
    assert np.isclose(
        (gain[r, c] + 5.0).sum(), np.minimum(np.where(edge, gain + 5.0, 0.0), 0.0)[a, b].sum()
    )


@pytest.mark.parametrize("spread_m", [2e6, 3e4])
def test_candidate_pairs_equal_brute_force(spread_m, monkeypatch):
    rng = np.random.default_rng(1)
    ref = rng.uniform(0, spread_m, (400, 3))
    q = rng.uniform(0, spread_m, (300, 3))
    ref[5] = np.nan  # never pairs
    r_ref, r_q = rng.uniform(0, 2000, 400), rng.uniform(0, 2000, 300)
    d = np.linalg.norm(ref[:, None] - q[None], axis=-1)
    want = set(zip(*np.nonzero(d <= r_ref[:, None] + r_q[None]), strict=True))
    for limit in (associate.SWEEP_MAX_CHECKS, 0):  # sweep, then forced k-d trees
        monkeypatch.setattr(associate, "SWEEP_MAX_CHECKS", limit)
        got = set(zip(*candidate_pairs(ref, r_ref, q, r_q), strict=True))
        assert got == want
    assert candidate_pairs(ref[:0], r_ref[:0], q, r_q)[0].size == 0


def _crossing(separation_m):
    """Two bodies whose paths pass ``separation_m`` apart at t = 20 s, 20 deg apart in
    heading; truth from the flight propagator."""
    a = midcourse_state()
    b = midcourse_state(v_east=2300.0, v_north=1600.0)
    up = a[:3] / np.linalg.norm(a[:3])
    side = np.cross(up, a[3:] / np.linalg.norm(a[3:]))
    b[:3] = a[:3] + separation_m * side
    x = np.concatenate([np.stack([a, b]), np.full((2, 1), 10.0)], axis=1)
    start = models.propagate(x, -20.0, models.COAST.row(), max_step_s=0.1)[:, :6]
    times = np.arange(0.0, 40.0 + DT / 2, DT)
    return times, coast_truth(start, times)


@pytest.mark.slow
def test_gnn_keeps_crossing_targets_apart():
    """Paths 300 m apart, mostly across the radar's line of sight (cross-range sigma ~135 m):
    the two chi-square gates overlap for several scans.  (At 200 m this radar cannot separate
    them: one scan is mis-associated and scored as two swaps -- the test can fail.)"""
    times, states = _crossing(300.0)
    sep = np.linalg.norm(states[0, :, :3] - states[1, :, :3], axis=1)
    cross_range = np.linalg.norm(states[0, :, :3] - RADAR_SITE, axis=1).min() * RADAR_SIGMA[1]
    assert sep.min() < 3.0 * cross_range
    tracker = Tracker()
    for det in radar_scans(states, times, rng=np.random.default_rng(4)):
        tracker.step(det)
    s = score(tracker.history, make_truth(states, times), gate_m=1000.0)
    assert s.n_swaps == 0 and s.n_breaks == 0
    assert np.all(s.coverage > 0.95)
    assert np.unique(s.assignment[s.assignment >= 0]).size == 2
    assert s.n_false_tracks == 0


def test_one_edge_fast_path_equals_the_general_assignment():
    from launchwatch.track import associate as asc

    for optional, cost in ((False, 3.0), (False, -1.0), (True, 2.0), (True, -2.0)):
        got = asc.assign_sparse([4], [7], [cost], 9, 9, optional=optional)
        # the general path: the same edge plus an unused far-away one in its own component
        ref = asc.assign_sparse([4, 8], [7, 8], [cost, -5.0], 9, 9, optional=optional)
        keep = ref[0] != 8
        np.testing.assert_array_equal(got[0], ref[0][keep])
        np.testing.assert_array_equal(got[1], ref[1][keep])
        assert got[0].dtype == np.int64


def test_one_by_one_candidate_pair_equals_the_sweep():
    from launchwatch.track import associate as asc

    rng = np.random.default_rng(11)
    for _ in range(300):
        a, b = rng.normal(0.0, 10.0, (1, 3)), rng.normal(0.0, 10.0, (1, 3))
        ra, rb = rng.uniform(0.0, 12.0, 1), rng.uniform(0.0, 12.0, 1)
        got = asc.candidate_pairs(a, ra, b, rb)
        ref = asc._sweep(a, ra, b, rb, 0)
        assert [g.tolist() for g in got] == [r.tolist() for r in ref]
    nan = np.full((1, 3), np.nan)
    assert asc.candidate_pairs(nan, np.ones(1), np.zeros((1, 3)), np.ones(1))[0].size == 0
