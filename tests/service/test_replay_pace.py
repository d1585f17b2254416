"""The replay's pace (:meth:`launchwatch.service.live.RunManager._replay`): a run's messages
go to the pages at the scenario's times divided by the speed, and a quiet spell longer than
``MAX_PAUSE_S`` of wall time is shortened to it.  (The browser tests hold their replays at the
moment they read instead of waiting on this pace: tests/service/conftest.py ``Held``.)"""

from __future__ import annotations

import time

import launchwatch.service.live as live
from launchwatch.service.live import Hub, Run, RunManager


def _replayed(times_s, speed):
    """Wall-clock offsets (s) at which each message of scenario times ``times_s`` went out."""
    manager = RunManager(Hub(), lambda name: [])
    sent = []
    manager.hub.publish = lambda msg: sent.append(time.monotonic())
    run = Run(id=1, scenario="pace", speed=speed)
    manager._replay(run, [{"type": "tick", "t_s": t} for t in times_s])
    return [s - sent[0] for s in sent]


def test_messages_go_out_at_scenario_time_over_speed():
    # 0, 60 and 150 s of scenario time at 500x: 0.12 and 0.30 s of wall time
    out = _replayed([0.0, 60.0, 150.0], 500.0)
    assert out[1] >= 0.12 and out[2] >= 0.30
    assert out[1] < 0.12 + 0.1 and out[2] < 0.30 + 0.1  # generous: a loaded machine


def test_a_quiet_spell_is_shortened_to_max_pause(monkeypatch):
    monkeypatch.setattr(live, "MAX_PAUSE_S", 0.2)
    # 1,000 s of silence at 1x would be 1,000 s; the next 50 s (0.1 s at 500x) keeps its pace
    out = _replayed([0.0, 1000.0], 1.0)
    assert 0.2 <= out[1] < 0.2 + 0.1
    # at 500x: 2 s of silence cut to 0.2 s, then the next 50 s (0.1 s) at the scenario's pace
    out = _replayed([0.0, 1000.0, 1050.0], 500.0)
    assert 0.2 <= out[1] < 0.3 and 0.3 <= out[2] < 0.3 + 0.1
