"""A salvo's neighbour's plume is not a burnt-out missile's burn (issue 12, false-alarm areas).

In a salvo fired seconds apart from one site, the next missile's plume lies a few km behind the
first missile's track.  Read as the first missile's own plume it kept a burnt-out motor "still
burning", and the corridor's still-burning templates warned areas the missile never reached.
Here the reference scenario's KN-23 (burnt out at ~30 s) has a twin launched 10 s later on the
same path: its plumes (the KN-23's own simulated IR detections, 10 s later) and its track (the
KN-23's rows, 10 s later) fly beside the first track."""

from pathlib import Path

import numpy as np
import pytest

from launchwatch.pipeline.chain import run_chain
from launchwatch.pipeline.feed import simulate_feed
from launchwatch.sense.scenario import load_scenario
from launchwatch.warn.corridor import ASSOC_BURN_KM, ASSOC_BURN_KM_S, Corridor, _burn_gate_m
from launchwatch.warn.threat import ThreatModel

from .conftest import make_assessment, no_threat, truth_rows

DATA = Path(__file__).parent / "data"
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
    """The twin's plumes lie 10-20 km from the first track after its burnout, outside the
    on-track gate (``ASSOC_BURN_KM`` + ``ASSOC_BURN_KM_S`` per second carried), while the
    first track's own plumes, up to its last scan before burnout (+27.6 s), are inside it:
    with or without the twin's track beside them, the first track's burn reads exactly as
    without the twin (its own plumes, then the scans that missed it).  With the 40 km gate
    once used, the twin's plumes counted when no track explained them (last plume +37.6 s,
    burn probability 1.0 against 0.49 alone)."""
    b_alone, plume_alone = _b(_corridor(feed, twin=False, twin_track=False))
    assert b_alone < 0.5
    assert plume_alone == pytest.approx(27.57, abs=0.01)  # its own last plume, seen
    assert _b(_corridor(feed, twin=True, twin_track=False)) == (b_alone, plume_alone)
    assert _b(_corridor(feed, twin=True, twin_track=True)) == (b_alone, plume_alone)


def test_the_on_track_gate_grows_with_the_time_a_row_is_carried():
    rows = np.zeros(2, dtype=[("t_s", float)])
    rows["t_s"] = [40.0, 44.0]
    gate = _burn_gate_m(rows, np.array([40.0, 41.0, 36.0, 43.0, 54.0]))
    per_s = ASSOC_BURN_KM_S * 1e3
    assert gate == pytest.approx(ASSOC_BURN_KM * 1e3 + per_s * np.array([0, 1, 4, 1, 10]))


@pytest.mark.slow
def test_a_salvo_of_burnt_out_srbms_warns_no_area():
    """Ten 30 s-burn SRBMs fired by turns from two sites 28 km apart, 3.8 s apart, none able to
    reach Japan: every member's burn is read from its own plumes and the radar's odds since the
    last one, not from its neighbours' plumes.  (Was: Iwate, Akita, Fukushima and Niigata
    warned from +54.1 s, from members burnt out 12-20 s before, matched to templates burning
    85-250 s.)"""
    scenario = load_scenario(DATA / "salvo-kusong-taekwan-srbm.yaml")
    run = run_chain(scenario, interval_s=5.0, n_samples=200)
    s = run.warn_score
    assert not s["overflown"] and s["misses"] == []
    assert s["false_alarms"] == []
