"""Scoring on hand-made histories: swaps, breaks, OSPA and RMSE in closed form."""

import numpy as np
import pytest
from track_helpers import make_truth

from launchwatch.track.history import history_dtype
from launchwatch.track.score import score

TIMES = np.arange(0.0, 101.0, 1.0)


def _truth():
    """Two missiles on straight lines 50 km apart, M1 launched at t = 10 s."""
    r0 = np.array([[-3.0e6, 4.0e6, 4.0e6], [-3.0e6, 4.05e6, 4.0e6]])
    v = np.array([[1000.0, 0.0, 500.0], [1000.0, 0.0, 500.0]])
    states = np.concatenate(
        [
            r0[:, None] + v[:, None] * TIMES[None, :, None],
            np.broadcast_to(v[:, None], (2, TIMES.size, 3)),
        ],
        axis=-1,
    )
    states[1, :10] = np.nan
    return make_truth(states, TIMES)


def _rows(truth, track_id, missile, t_from, t_to, offset_m=0.0, confirmed=True):
    k = np.flatnonzero((TIMES >= t_from) & (TIMES <= t_to))
    h = np.zeros(k.size, history_dtype(3))
    h["t_s"], h["track_id"], h["confirmed"] = TIMES[k], track_id, confirmed
    h["state"] = truth.states_ecef[missile, k]
    h["state"][:, 0] += offset_m
    h["cov"] = np.eye(6)
    return h


def test_perfect_tracks():
    tru = _truth()
    h = np.concatenate([_rows(tru, 1, 0, 2, 100), _rows(tru, 2, 1, 15, 100)])
    s = score(h, tru)
    assert s.n_swaps == 0 and s.n_breaks == 0 and s.n_false_tracks == 0
    assert s.pos_rmse_m == 0.0 and s.vel_rmse_m_s == 0.0
    assert np.allclose(s.time_to_track_s, [2.0, 5.0])
    assert np.all(s.ospa_m[(TIMES >= 15)] == 0.0)
    assert np.all(s.assignment[TIMES >= 15] == [1, 2])


def test_deliberate_swap_is_counted():
    tru = _truth()
    h = np.concatenate(
        [
            _rows(tru, 1, 0, 0, 50),
            _rows(tru, 1, 1, 51, 100),
            _rows(tru, 2, 1, 10, 50),
            _rows(tru, 2, 0, 51, 100),
        ]
    )
    s = score(h, tru)
    assert s.n_swaps == 2 and s.n_breaks == 0
    assert np.all(s.swaps_per_track == [1, 1])
    assert s.pos_rmse_m == 0.0  # a swap keeps every missile covered


def test_deliberate_break_is_counted():
    tru = _truth()
    h = np.concatenate(
        [_rows(tru, 1, 0, 0, 50), _rows(tru, 3, 0, 53, 100), _rows(tru, 2, 1, 10, 100)]
    )
    s = score(h, tru, stale_s=1.0)  # track 1 is gone from t = 52
    assert s.n_breaks == 1 and s.n_swaps == 0
    assert np.all(s.breaks_per_missile == [1, 0])
    assert np.isclose(s.coverage[0], 99 / 101)  # t = 51, 52 uncovered


def test_ospa_and_rmse_closed_form():
    tru = _truth()
    c, p = 10_000.0, 2.0
    h = np.concatenate(
        [_rows(tru, 1, 0, 0, 100, offset_m=100.0), _rows(tru, 7, 0, 0, 100, offset_m=3e5)]
    )  # a far false track
    s = score(h, tru, ospa_c_m=c, ospa_p=p)
    assert np.isclose(s.pos_rmse_m, 100.0)
    assert s.n_false_tracks == 1
    # t < 10: one missile, two estimates (one at 100 m, one beyond c)
    assert np.allclose(s.ospa_m[TIMES < 10], np.sqrt((100.0**2 + c**2) / 2))
    # t >= 10: two missiles, two estimates, M1 untracked, the far one beyond c
    assert np.allclose(s.ospa_m[TIMES >= 10], np.sqrt((100.0**2 + c**2) / 2))
    s1 = score(h, tru, ospa_c_m=c, ospa_p=1.0)
    assert np.allclose(s1.ospa_m, (100.0 + c) / 2)


def test_stale_and_unconfirmed_rows_are_ignored():
    tru = _truth()
    h = np.concatenate([_rows(tru, 1, 0, 0, 20), _rows(tru, 2, 1, 10, 100, confirmed=False)])
    s = score(h, tru, stale_s=1.0)
    assert np.all(s.assignment[TIMES > 21, 0] == -1)
    assert np.all(s.assignment[:, 1] == -1)
    assert np.isnan(s.time_to_track_s[1])
    s_all = score(h, tru, confirmed_only=False)
    assert np.all(s_all.assignment[TIMES >= 10, 1] == 2)


def test_empty_history():
    s = score(np.zeros(0, history_dtype(3)), _truth(), ospa_c_m=500.0)
    assert np.all(s.ospa_m == 500.0) and np.isnan(s.pos_rmse_m)
    assert s.n_breaks == 0 and s.n_swaps == 0


def test_bad_parameters():
    with pytest.raises(ValueError):
        score(np.zeros(0, history_dtype(3)), _truth(), ospa_p=0.5)


def test_default_staleness_follows_the_update_rate():
    tru = _truth()
    h = _rows(tru, 1, 0, 0, 100)
    assert score(h[::4], tru).coverage[0] == 1.0  # updates every 4 s still cover the missile
    assert score(h[::4], tru, stale_s=1.0).coverage[0] < 0.3


@pytest.mark.parametrize("block", [1, 7, 3 * 101])
def test_blocks_of_times_give_the_same_score(monkeypatch, block):
    """The track estimates are worked out for blocks of times at once (``ESTIMATE_BLOCK``
    track-time pairs): any block size, a block of one time or blocks that end mid-history,
    gives the score of the whole history in one block, field by field."""
    import dataclasses
    import importlib

    score_mod = importlib.import_module("launchwatch.track.score")  # the module, not score()

    tru = _truth()
    h = np.concatenate(
        [
            _rows(tru, 1, 0, 0, 50, offset_m=300.0),
            _rows(tru, 1, 1, 51, 100),
            _rows(tru, 2, 1, 10, 40),
            _rows(tru, 3, 0, 60, 100, offset_m=-200.0),
            _rows(tru, 4, 1, 20, 30, confirmed=False),
        ]
    )
    whole = score(h, tru)
    monkeypatch.setattr(score_mod, "ESTIMATE_BLOCK", block)  # pairs: 3 tracks x 101 times
    parts = score(h, tru)
    for f in dataclasses.fields(whole):
        a, b = getattr(whole, f.name), getattr(parts, f.name)
        if isinstance(a, np.ndarray):
            np.testing.assert_array_equal(a, b, err_msg=f.name)
        else:
            assert a == b or (a != a and b != b), f.name
