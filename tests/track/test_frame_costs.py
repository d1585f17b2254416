"""Cost cuts that must not change any output (issue 18): the sweep's outlier radii, the
out-of-sequence log kept in blocks, and the second deletion pass a frame skips when it cannot
delete anything.  Each is compared with the way it was done before, bit for bit."""

import numpy as np
import pytest
from test_oosm import PARTNER
from test_oosm import _run as run_late
from track_helpers import radar_scans

from launchwatch.track import associate as asc
from launchwatch.track import oosm
from launchwatch.track.tracker import Tracker, TrackerConfig


def _plain_sweep(ref, ref_r, q, q_r, axis):
    """The sweep before outliers were split off: every window spans the largest radius."""
    order = np.argsort(ref[:, axis], kind="quicksort")
    keys = ref[order, axis]
    r_max = ref_r.max()
    out_r, out_q = [], []
    for k in range(q.shape[0]):
        reach = q_r[k] + r_max
        lo = np.searchsorted(keys, q[k, axis] - reach)
        hi = np.searchsorted(keys, q[k, axis] + reach, side="right")
        for j in range(lo, hi):
            i = order[j]
            d2 = 0.0
            for c in range(ref.shape[1]):
                d2 += (ref[i, c] - q[k, c]) ** 2
            if d2 <= (ref_r[i] + q_r[k]) ** 2:
                out_r.append(i)
                out_q.append(k)
    return np.array(out_r, np.int64), np.array(out_q, np.int64)


def test_sweep_with_outlier_radii_gives_the_plain_sweeps_pairs_in_its_order():
    rng = np.random.default_rng(7)
    n_pairs = n_outlier_cases = 0
    for _ in range(300):
        n, k = int(rng.integers(2, 50)), int(rng.integers(1, 50))
        ref, q = rng.uniform(0.0, 100.0, (n, 3)), rng.uniform(0.0, 100.0, (k, 3))
        ref_r, q_r = rng.uniform(0.1, 3.0, n), rng.uniform(0.1, 3.0, k)
        n_big = int(rng.integers(0, 4))
        if n_big:  # a few long-coasting tracks: radii tens of times the rest
            ref_r[rng.choice(n, min(n_big, n - 1), replace=False)] = rng.uniform(30.0, 300.0)
        n_outlier_cases += bool(asc._outliers(ref_r)[0].any())
        axis = int(rng.integers(3))
        got = asc._sweep(ref, ref_r, q, q_r, axis)
        want = _plain_sweep(ref, ref_r, q, q_r, axis)
        # argsort ties aside (continuous random keys have none), the same pairs in order
        np.testing.assert_array_equal(got[0], want[0])
        np.testing.assert_array_equal(got[1], want[1])
        n_pairs += got[0].size
    assert n_pairs > 1000 and n_outlier_cases > 100


def test_outliers_are_few_and_far():
    r = np.full(100, 10.0)
    big, r_rest = asc._outliers(r)
    assert not big.any() and r_rest == 10.0
    r[[3, 50]] = [5e3, 2e4]
    big, r_rest = asc._outliers(r)
    assert np.flatnonzero(big).tolist() == [3, 50] and r_rest == 10.0
    r = np.ones(1000)
    r[: asc.MAX_OUTLIERS + 1] = 1e6  # too many to single out: the plain sweep's window
    big, r_rest = asc._outliers(r)
    assert not big.any() and r_rest == 1e6


@pytest.mark.parametrize("block_rows", [3, 64])
def test_oosm_log_in_small_blocks_replays_identically(two_radars_late, monkeypatch, block_rows):
    """Replays and log compaction read the log across block boundaries: blocks of 3 rows give
    the tracker outputs of one large block, bit for bit."""
    (a, b, times_a), ref = two_radars_late
    monkeypatch.setattr(oosm, "LOG_BLOCK_ROWS", block_rows)
    got = run_late(a, b, times_a, config=TrackerConfig(oosm_lag_s=20.0, oosm_snapshot_s=4.0))
    _assert_bytes_equal(got, ref)


@pytest.fixture(scope="module")
def two_radars_late(srbm_truth):
    """Own radar every 2 s, a partner 1 s later delivered 20 s late (as in test_oosm)."""
    times, states, _ = srbm_truth
    k = np.arange(600, 3000, 20)
    rng = np.random.default_rng(3)
    a = radar_scans(states[:, k], times[k], rng=rng, sigma=(50.0, 2e-3, 2e-3))
    b = radar_scans(
        states[:, k + 10], times[k + 10], rng=rng, sensor="P", site=PARTNER, first_id=10**6,
        sigma=(20.0, 5e-4, 5e-4),
    )  # fmt: skip
    times_k = times[k]
    ref = run_late(a, b, times_k, config=TrackerConfig(oosm_lag_s=20.0, oosm_snapshot_s=4.0))
    assert ref.n_updates > 100
    return (a, b, times_k), ref


def _assert_bytes_equal(x: Tracker, y: Tracker) -> None:
    assert x.n_updates == y.n_updates
    assert x.ledger().tobytes() == y.ledger().tobytes()
    assert x.history.tobytes() == y.history.tobytes()
    assert x.merges.tobytes() == y.merges.tobytes()
    for name in ("ids", "t", "x", "P", "mu", "hits", "misses", "confirmed"):
        assert getattr(x.tracks, name).tobytes() == getattr(y.tracks, name).tobytes()
        assert getattr(x.dormant, name).tobytes() == getattr(y.dormant, name).tobytes()


def test_skipped_second_deletion_pass_changes_nothing(salvo_truth, monkeypatch):
    """Frames that only update tracks at their time skip the end-of-frame deletion pass; with
    the pass forced on every frame the outputs are the same bytes (a salvo, one missile
    lost from view, a pd of 0.8 so that tracks miss scans, coasting limited to 20 s)."""
    times, states = salvo_truth
    states = states.copy()
    states[3, 1200:] = np.nan  # one missile unseen after 120 s: its track coasts, then ends
    batches = radar_scans(states, times, rng=np.random.default_rng(5), pd=0.8, min_el=0.02)

    def run(skip: bool) -> Tracker:
        monkeypatch.setattr(Tracker, "_deletes_unchanged", property(lambda self: skip))
        tracker = Tracker(TrackerConfig(max_coast_s=20.0))
        calls = []
        orig = tracker._delete
        tracker._delete = lambda t, **kw: (calls.append(t), orig(t, **kw))[1]
        for det in batches:
            tracker.step(det)
        tracker.flush()
        tracker.n_delete_calls = len(calls)
        return tracker

    skipped, forced = run(True), run(False)
    _assert_bytes_equal(skipped, forced)
    assert skipped.n_delete_calls < forced.n_delete_calls  # the skip happened
    assert np.setdiff1d(forced.history["track_id"], forced.tracks.ids).size  # tracks ended
