"""A held detection (launchwatch.track.hold) takes the tracker's one update rule: after a coast of
``iterate_after_s`` or more the iterated EKF update, as the immediate path gives it
(``Tracker._update_pairs``).  The held path once applied the one-step update whatever the coast,
so the same detection left a track re-found after a long coast in two different states."""

from dataclasses import replace

import numpy as np
from test_new_object import _scan

from launchwatch.track import history as hist
from launchwatch.track.tracker import Tracker, TrackerConfig

T_LATE = 32.0  # s: the track's last update at 8 s, a 24 s coast (iterate_after_s 20 s)
DET_LATE = 32000  # test_new_object._scan's id of object 0's detection at T_LATE


def _coasted(hold: bool) -> tuple[np.ndarray, np.ndarray]:
    """Object 0 tracked at 0, 4 and 8 s (4 s scans), then seen again at ``T_LATE``; with
    ``hold`` every young track's detection is held from then on (``hold_cost`` -inf), so the
    late one waits and is applied at the end of the stream.  Its ledger row and the track's
    history row of it."""
    tr = Tracker(TrackerConfig(hold_young=hold))
    for t in (0.0, 4.0, 8.0):
        tr.step(_scan([(0, 0)], t))
    if hold:
        tr.config = replace(tr.config, hold_cost=-np.inf)
        tr.hold_log = []
    tr.step(_scan([(0, 0)], T_LATE))
    if hold:
        assert len(tr._holds) == 1, "the late detection was not held"
    tr.flush()
    led, h = tr.ledger(), tr.history
    return led[led["det_id"] == DET_LATE], h[h["det_id"] == DET_LATE]


def test_held_update_after_a_long_coast_matches_the_immediate_one():
    led_i, h_i = _coasted(False)
    led_h, h_h = _coasted(True)
    for led in (led_i, led_h):
        assert led.size == 1 and led["outcome"][0] == hist.UPDATED, led
    assert led_i["track_id"][0] == led_h["track_id"][0]
    assert h_i.size == h_h.size == 1
    assert h_i["t_s"][0] == h_h["t_s"][0] == T_LATE
    np.testing.assert_allclose(h_h["state"][0, :3], h_i["state"][0, :3], rtol=0, atol=1e-3)
    np.testing.assert_allclose(h_h["state"][0, 3:], h_i["state"][0, 3:], rtol=0, atol=1e-6)
    np.testing.assert_allclose(h_h["cov"][0], h_i["cov"][0], rtol=1e-6, atol=1e-6)
