"""Each warning's current state from the events so far (what a late-joining page draws)."""

import pytest

from launchwatch.warn.state import current_state


def ev(t, kind, areas, code, tid=1):
    return {
        "t_s": t,
        "kind": kind,
        "areas": areas,
        "j_alert_code": code,
        "cap_id": f"c{t}",
        "track_ids": [tid],
        "country": "JPN",
    }


EVENTS = [
    ev(80, "issue", ["JP-01", "JP-02"], 128),
    ev(120, "cancel", ["JP-02"], 135),
    ev(528, "passed_over", ["JP-01"], 129),
    ev(900, "fell", ["JP-01", "JP-02"], 130),
    ev(100, "issue", ["JP-04"], 132, tid=2),
    ev(200, "tracking_lost", ["JP-04"], 132, tid=2),
]


def test_states_over_time():
    s = current_state(EVENTS, t_s=100)
    by = {w["thread"]: w for w in s["warnings"]}
    assert by["1:JPN"]["state"] == "active" and by["2:JPN"]["state"] == "active"
    assert s["active_areas"] == ["JP-01", "JP-02", "JP-04"]
    s = current_state(EVENTS, t_s=300)
    by = {w["thread"]: {a["code"]: a["state"] for a in w["areas"]} for w in s["warnings"]}
    assert by["1:JPN"] == {"JP-01": "active", "JP-02": "cancelled"}
    assert by["2:JPN"] == {"JP-04": "tracking_lost"}
    s = current_state(EVENTS)  # the end: a late joiner sees every area with its final state
    w = {x["thread"]: x for x in s["warnings"]}
    assert w["1:JPN"]["state"] == "fell" and w["2:JPN"]["state"] == "tracking_lost"
    assert {a["code"]: a["state"] for a in w["1:JPN"]["areas"]} == {
        "JP-01": "fell",
        "JP-02": "fell",
    }
    assert s["active_areas"] == ["JP-04"]


def test_unknown_kind():
    with pytest.raises(ValueError, match="kind"):
        current_state([ev(1, "boom", ["JP-01"], 128)])
