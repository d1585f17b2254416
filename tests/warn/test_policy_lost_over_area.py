"""A track lost while it crosses a warned area (issue 12, japan-overflights seed 2 engagement
11: the radars lost the Hwasong-12 1 s before it left Hokkaido, and "passed over" came 635 s
late, with the all-clear).  Lost *over* the area and leaving it by the prediction: "passed
over" when the loss is declared; lost before the area or with the area still ahead: no."""

import copy

import numpy as np
import pytest

from launchwatch.warn import jalert
from launchwatch.warn.policy import WarningPolicy

from .conftest import SUNAN, make_assessment, noisy_impacts
from .test_policy import hwasong12_impact


class _Policy(WarningPolicy):
    """The policy, keeping the threat numbers it computed for the last assessment it judged:
    the window is read from them, not from a second computation of the same numbers."""

    last_threat: dict | None = None

    def threat(self, a):
        self.last_threat = super().threat(a)
        return self.last_threat


#: Where each test's track is lost, from JP-01's predicted window (entry, exit) at the update
#: that is then the last: a few seconds before leaving Hokkaido; 30 s before entering it (the
#: 2022-11-03 case); just after entering it.
STOPS = {
    "before_leaving": lambda t, t_in, t_out: t_in <= t and t_out - t < 5.0,
    "before_entering": lambda t, t_in, t_out: t_in - t < 30.0,
    "after_entering": lambda t, t_in, t_out: t_in <= t,
}


@pytest.fixture(scope="module")
def lost_at():
    """Updates every 2 s from +60 s; at the first update where a stop of :data:`STOPS` holds
    (JP-01's predicted window at that update), a copy of the policy has its track lost there:
    nothing more, then ``finish``.  One pass of updates for all three (each copy's updates are
    exactly those a run that stopped there fed it; the threat model and the area index are read-only and shared).
    Per stop: the copy's events, the time of its last update and that window."""
    rng = np.random.default_rng(20170829)  # the ``rng`` fixture's seed
    imp = hwasong12_impact()
    policy = _Policy(lost_after_s=20.0)
    i = policy.codes.index("JP-01")
    events: list = []
    out: dict = {}
    for t in np.arange(60.0, 800.0, 2.0):
        a = make_assessment(t, SUNAN, noisy_impacts(imp, 20e3, 200, rng), 840.0)
        policy.last_threat = None
        events += policy.update(a)
        th = policy.last_threat
        assert th is not None  # every assessment here has its one track, judged
        win = (float(th["t_entry_s"][0, i]), float(th["t_exit_s"][0, i]))
        for name, stop in STOPS.items():
            if name not in out and stop(float(t), *win):
                shared = {id(x): x for x in (policy.model, policy.index)}
                lost = copy.deepcopy(policy, shared)
                out[name] = (events + lost.finish(1200.0), float(t), win)
        if len(out) == len(STOPS):
            break
    assert len(out) == len(STOPS), sorted(out)
    return out


def test_lost_just_before_leaving_is_passed_over_when_declared_lost(lost_at):
    events, t_last, (t_in, t_out) = lost_at["before_leaving"]
    assert t_in <= t_last < t_out  # lost over Hokkaido, a few seconds before leaving it
    kinds = [e.kind for e in events]
    passed = [e for e in events if e.kind == "passed_over"]
    assert len(passed) == 1 and "JP-01" in passed[0].areas
    assert passed[0].t_s - t_out <= 60.0  # within a minute of leaving, not at the all-clear
    assert passed[0].code == jalert.PASSED_OVER
    assert "all_clear" not in kinds and kinds[-1] == "fell"


def test_lost_with_the_area_still_ahead_keeps_the_warning(lost_at):
    """Lost 30 s before entering (2022-11-03's case): tracking lost, then the all-clear; and
    lost just after entering with the crossing outlasting the loss timeout: the same."""
    for name in ("before_entering", "after_entering"):
        events, t_last, (t_in, t_out) = lost_at[name]
        if t_in <= t_last:
            assert t_out > t_last + 20.0  # still over the area when the loss is declared
        kinds = [e.kind for e in events]
        assert "passed_over" not in kinds
        assert "tracking_lost" in kinds and kinds[-1] == "all_clear"
