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
from launchwatch.warn.corridor import (
    ASSOC_BURN_KM,
    ASSOC_BURN_KM_S,
    FAN_BURN_S,
    Corridor,
    _burn_gate_m,
    fan,
    several_plumes,
)
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
    with or without the twin's track beside them, the first track's burn reads as without the
    twin (its own plumes, then the scans that missed it).  With the 40 km gate once used, the
    twin's plumes counted when no track explained them (last plume +37.6 s, burn probability
    1.0 against 0.49 alone).  The twin's plumes share the first track's scans, so its cue
    reads as a salvo's (the launch may come any time after the cue): the radar's odds
    move in the fifth decimal, not more."""
    b_alone, plume_alone = _b(_corridor(feed, twin=False, twin_track=False))
    assert b_alone < 0.5
    assert plume_alone == pytest.approx(27.57, abs=0.01)  # its own last plume, seen
    for twin_track in (False, True):
        b, plume = _b(_corridor(feed, twin=True, twin_track=twin_track))
        assert plume == plume_alone
        assert b == pytest.approx(b_alone, abs=1e-3)


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


def test_several_plumes_in_one_scan_mark_a_salvo():
    """One missile: one plume per scan of a sensor (two sensors may see it at once); a salvo:
    two or more in one scan, so the earliest plume near a track need not be its own."""
    dt = np.dtype([("sensor", "U24"), ("t_s", "f8")])
    one = np.array([("SBIRS-GEO-1", 24.6), ("SBIRS-GEO-1", 34.6)], dt)
    stereo = np.array([("SBIRS-GEO-1", 24.6), ("SBIRS-GEO-2", 24.6)], dt)
    salvo = np.array([("SBIRS-GEO-1", 24.6), ("SBIRS-GEO-1", 34.6), ("SBIRS-GEO-1", 34.6)], dt)
    assert not several_plumes(one[:1])
    assert not several_plumes(one)
    assert not several_plumes(stereo)
    assert several_plumes(salvo)


def test_every_burn_time_of_the_fan_reaches_down_to_a_300_km_srbm():
    """Each one-stage burn time of the fan up to 85 s has templates burning out slower than a
    300 km minimum-energy shot needs (sqrt(g R), 1.72 km/s), so a burnt-out SRBM or KN-25 of
    300-450 km matches burnt-out templates, not only long burners still burning.  (Was: the
    30-60 s burns' lowest thrust ended at 2.0-2.1 km/s at the least.)"""
    _, _, _, _, speed, _, burn, _, _ = fan(39.2239, 125.67, 70.0)
    table = speed.table()
    for b in [b for b in FAN_BURN_S if b <= 85.0]:
        rows = np.flatnonzero(np.abs(burn - b) < 0.5)
        v_out = table[rows, int(b) - 1]  # 1 s grid: the speed a second before burnout
        assert np.nanmin(v_out) < np.sqrt(9.80665 * 300e3), b


@pytest.mark.slow
@pytest.mark.parametrize(
    "name",
    [
        # five SRBMs, 5.4 s apart: a member burnt out at 1.5-1.7 km/s matched only templates
        # still burning (Hokkaido warned at +49.4 s)
        "salvo-sunan-srbm",
        # eighteen KN-25s, 4.4 s apart: each later member's clock was set by the first
        # missile's plume, tens of seconds early (Miyagi and Yamagata warned at +47.8 s)
        "salvo-kusong-kn25",
    ],
)
def test_salvo_members_burnt_out_warn_no_area(name):
    """Salvos into the East Sea that no member can carry to Japan warn no area."""
    run = run_chain(load_scenario(DATA / f"{name}.yaml"), interval_s=5.0, n_samples=200)
    s = run.warn_score
    assert not s["overflown"] and s["misses"] == []
    assert s["false_alarms"] == []
