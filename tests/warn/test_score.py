"""Scoring warnings against truth paths: overflights, false alarms, misses, lead times."""

import numpy as np
import pytest

from launchwatch.earth import geodesy
from launchwatch.earth.frames import geodetic_to_ecef
from launchwatch.sense.records import Truth
from launchwatch.warn.policy import WarningEvent, WarningPolicy
from launchwatch.warn.score import score_warnings, truth_overflights

from .conftest import SUNAN, make_assessment, noisy_impacts
from .test_policy import hwasong12_impact, hwasong12_run


def truth_path(end, flight_s=840.0, dt=10.0, launch_s=0.0):
    """A one-missile Truth on the geodesic SUNAN -> end, uniform ground speed, 550 km apogee."""
    t = np.arange(-30.0, flight_s + 60.0, dt)
    f = (t - launch_s) / flight_s
    az, _, dist = geodesy.inverse(SUNAN[0], SUNAN[1], end[0], end[1])
    lat, lon, _ = geodesy.direct(
        np.full(t.size, SUNAN[0]),
        np.full(t.size, SUNAN[1]),
        np.full(t.size, az),
        dist * np.clip(f, 0, 1),
    )
    h = 4 * 550e3 * f * (1 - f)
    xyz = geodetic_to_ecef(np.radians(lat), np.radians(lon), h)
    states = np.concatenate([xyz, np.zeros_like(xyz)], axis=-1)
    states[(f < 0) | (f > 1)] = np.nan
    return Truth(
        times_s=t,
        states_ecef=states[None],
        burning=np.zeros((1, t.size), bool),
        launch_time_s=np.array([launch_s]),
        impact_time_s=np.array([flight_s]),
        names=("hwasong-12",),
    )


CODES = {
    "issue": 128,
    "update": 132,
    "cancel": 135,
    "passed_over": 129,
    "fell": 130,
    "all_clear": 131,
    "tracking_lost": 128,
}


def event(t, kind, areas, code=None):
    return WarningEvent(
        t_s=t,
        kind=kind,
        code=code or CODES[kind],
        areas=tuple(areas),
        track_ids=(1,),
        identifier=f"x{t}",
        sent="",
        msg_type="Alert",
        references=(),
        open_areas=(),
    )


def test_truth_overflights_hwasong12():
    truth = truth_path(hwasong12_impact())
    over, imp = truth_overflights(truth.times_s, truth.states_ecef)
    assert "JP-01" in over and imp == {}
    assert 350.0 < over["JP-01"] < 600.0
    assert not any(c.startswith("KR") for c in over)


def test_constructed_counts():
    truth = truth_path(hwasong12_impact())
    over, _ = truth_overflights(truth.times_s, truth.states_ecef)
    others = sorted(c for c in over if c != "JP-01")
    events = [
        event(100.0, "issue", ["JP-01", "JP-13"]),  # Hokkaido right, Tokyo false alarm
        event(130.0, "update", ["JP-01"]),
        event(400.0, "cancel", ["JP-13"]),
        event(600.0, "passed_over", ["JP-01"]),
    ]
    if others:  # a late warning of another overflown area counts as a miss
        events.append(event(over[others[0]] + 5.0, "issue", [others[0]]))
    s = score_warnings(events, truth, 0.0)
    assert s["false_alarms"] == ["JP-13"]
    assert s["misses"] == others
    assert s["first_warning_s"] == pytest.approx(100.0)
    assert s["lead_time_s"]["JP-01"] == pytest.approx(over["JP-01"] - 100.0, abs=0.01)
    assert set(s["warned"]) == {"JP-01", "JP-13", *others[:1]}
    w = s["overflight_windows"]["JP-01"]
    assert s["passed_over_latency_s"]["JP-01"] == pytest.approx(600.0 - w[1], abs=0.01)
    assert s["wrong_messages"] == []


def test_wrong_messages():
    """J-Alert's failures, judged on truth: "passed over" an area never crossed (2022-11-03),
    or before the missile left it; "will not come to Japan" when it did; a code that does not
    belong to its kind."""
    truth = truth_path(hwasong12_impact())
    over, _ = truth_overflights(truth.times_s, truth.states_ecef)
    events = [
        event(100.0, "issue", ["JP-01", "JP-06"]),
        event(200.0, "passed_over", ["JP-06"]),  # never overflown
        event(over["JP-01"] + 1.0, "passed_over", ["JP-01"]),  # still over it
        event(700.0, "all_clear", ["JP-01"]),  # 131: but it did come to Japan
        event(710.0, "fell", ["JP-01"], code=128),
    ]  # wrong code for the kind
    s = score_warnings(events, truth, 0.0)
    why = [w["why"] for w in s["wrong_messages"]]
    assert len(why) == 4, why
    assert "never overflown" in why[0] and "before the missile left" in why[1]
    assert "will not come" in why[2] and "does not belong" in why[3]
    assert s["false_alarms"] == ["JP-06"]


def test_impact_on_land_counts():
    truth = truth_path((43.5, 142.5), flight_s=600.0)
    s = score_warnings([], truth, 0.0)
    assert s["impacted"] == {"JP-01": pytest.approx(600.0)}
    assert s["misses"] == ["JP-01"] and s["first_warning_s"] is None


def test_policy_against_truth(rng):
    policy = WarningPolicy()
    for a in hwasong12_run(rng):
        policy.update(a)
    policy.finish(900.0)
    s = score_warnings(policy.events, truth_path(hwasong12_impact()), 0.0)
    assert s["misses"] == []
    assert "JP-01" in s["warned"] and s["lead_time_s"]["JP-01"] > 240.0
    assert len(s["false_alarms"]) <= 3


def test_bad_truth():
    with pytest.raises(ValueError, match="truth"):
        score_warnings([], object(), 0.0)
    with pytest.raises(ValueError, match="states_ecef"):
        truth_overflights(np.arange(3.0), np.zeros((1, 4, 6)))


def test_no_warning_at_sea(rng):
    policy = WarningPolicy()
    imps = noisy_impacts((40.5, 134.5), 10e3, 100, rng)
    assert policy.update(make_assessment(100.0, SUNAN, imps, 500.0)) == []
