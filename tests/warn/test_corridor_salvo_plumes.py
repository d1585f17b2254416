"""A salvo's neighbour's plume is not a burnt-out missile's burn (issue 12, false-alarm areas).

In a salvo fired seconds apart from one site, the next missile's plume lies a few km behind the
first missile's track, well within the 40 km at which an IR line of sight counts as "on the
track".  Read as the first missile's own plume it kept a burnt-out motor "still burning", and
the corridor's still-burning templates warned areas the missile never reached.  Here the
reference scenario's KN-23 (burnt out at ~30 s) has a twin launched 10 s later on the same path:
its plumes (the KN-23's own simulated IR detections, 10 s later) and its track (the KN-23's
rows, 10 s later) fly beside the first track."""

import numpy as np
import pytest

from launchwatch.pipeline.feed import simulate_feed
from launchwatch.sense.scenario import load_scenario
from launchwatch.warn.corridor import Corridor
from launchwatch.warn.threat import ThreatModel

from .conftest import make_assessment, no_threat, truth_rows

LAG_S = 10.0  # the twin's launch after the first missile (s)


@pytest.fixture(scope="module")
def feed():
    return simulate_feed(load_scenario("reference-2025-11-07"))


def _corridor(feed, *, twin: bool, twin_track: bool) -> Corridor:
    ir = feed.detections[feed.detections["kind"] == "ir"]
    twin_ir = ir.copy()
    twin_ir["t_s"] = twin_ir["t_s"] + LAG_S
    first = truth_rows(feed.truth, [36.0, 40.0, 44.0], 0.45)
    corridor = Corridor(seed=1)
    corridor.set_ir_sensors(feed.sensors)
    corridor.feed(first, np.concatenate([ir, twin_ir]) if twin else ir)
    if twin_track:
        twin = truth_rows(feed.truth, np.array([26.0, 30.0, 34.0]), 0.95)
        twin["t_s"] = twin["t_s"] + LAG_S
        twin["track_id"] = 2
        corridor.feed(twin)
    return corridor


def _b(corridor) -> tuple[float, float]:
    """The first track's burn probability at +44 s and the time of its last plume (s)."""
    model = ThreatModel()
    a = make_assessment(44.0, (39.0, 125.7), [(39.5, 128.0)] * 10, 344.0)
    corridor.blend(a, no_threat(len(model.codes)), np.ones(1), model)
    info = corridor.last[1]
    return float(info["b"]), float(info["last_plume_s"])


def test_a_neighbours_plume_does_not_keep_a_burnt_out_motor_burning(feed):
    """The twin's plumes lie within 40 km of the first track after its burnout: with no track
    to explain them they still read as its burn (later last plume, higher burn probability);
    with the twin's track beside them they are the twin's, and the first track's burn reads
    exactly as without the twin (its own plumes, then the scans that missed it).  On main the
    twin's plumes counted either way (burn probability 1.0 against 0.41 alone)."""
    b_alone, plume_alone = _b(_corridor(feed, twin=False, twin_track=False))
    b_unexplained, plume_unexplained = _b(_corridor(feed, twin=True, twin_track=False))
    assert plume_unexplained > plume_alone + 5.0 and b_unexplained > b_alone
    assert b_alone < 0.5
    assert _b(_corridor(feed, twin=True, twin_track=True)) == (b_alone, plume_alone)
