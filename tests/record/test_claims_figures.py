"""Authorities that disagree on apogee or flight time (not only range): each flag carries its
numbers and the readings that apply.  Reports here are plain objects with stored results
written for the test (a parabola-like path), so the readings' arithmetic is checked exactly."""

from types import SimpleNamespace

import numpy as np

from launchwatch.record.compare import claim_flags


def _report(i, who, *, range_km=None, apogee_km=None, flight_time_s=None, result=None):
    rec = None if result is None else SimpleNamespace(result=result)
    return SimpleNamespace(
        id=i,
        authority=who,
        outlet=None,
        range_km=range_km,
        apogee_km=apogee_km,
        flight_time_s=flight_time_s,
        eez_claim="unknown",
        reconstruction=rec,
    )


def _path(t_end, apogee_km, lat0=39.0, lon0=125.7, lon1=136.0):
    t = np.linspace(0.0, t_end, 121)
    h = 4.0 * apogee_km * 1e3 * (t / t_end) * (1.0 - t / t_end)
    lon = lon0 + (lon1 - lon0) * t / t_end
    return [[float(a), lat0, float(b), float(c)] for a, b, c in zip(t, lon, h, strict=True)]


def test_flight_times_that_disagree_get_a_lost_track_reading():
    long_ = _report(
        1,
        "KCNA",
        range_km=1000.0,
        apogee_km=6000.0,
        flight_time_s=4052.0,
        result={"flight_time_s": 4050.0, "path": _path(4050.0, 6000.0)},
    )
    short = _report(2, "Japan MoD", flight_time_s=3600.0)
    flags = [f for f in claim_flags([long_, short]) if f["kind"] == "authorities_disagree"]
    assert [f["figure"] for f in flags] == ["flight_time_s"]
    f = flags[0]
    assert f["gap"] == 452.0 and {v["value"] for v in f["values"]} == {4052.0, 3600.0}
    lost = next(r for r in f["readings"] if r["reading"] == "lost track")
    x = 3600.0 / 4050.0
    # linear interpolation between 121 samples: within dt^2 h'' / 8 = 0.42 km of the parabola
    assert abs(lost["altitude_at_short_time_km"] - 4 * 6000.0 * x * (1 - x)) < 0.45
    assert "lost track" in f["summary"]


def test_apogees_that_disagree_are_read_against_a_reported_flight_time():
    low = _report(1, "ROK JCS", range_km=1000.0, apogee_km=4000.0, result={"flight_time_s": 3300.0})
    high = _report(
        2,
        "Japan MoD",
        range_km=1000.0,
        apogee_km=6000.0,
        flight_time_s=4140.0,
        result={"flight_time_s": 4150.0},
    )
    flags = [f for f in claim_flags([low, high]) if f["kind"] == "authorities_disagree"]
    assert [f["figure"] for f in flags] == ["apogee_km"]
    f = flags[0]
    assert f["gap"] == 2000.0
    fits = {r["reading"]: r["fits"] for r in f["readings"]}
    assert fits == {
        "4,000 km apogee flown in 3,300 s": False,
        "6,000 km apogee flown in 4,150 s": True,
    }
    assert "6,000 km apogee flown in 4,150 s" in f["summary"]


def test_figures_within_their_rounding_do_not_disagree():
    a = _report(1, "KCNA", range_km=999.2, apogee_km=6040.9, flight_time_s=4135.0)
    b = _report(2, "Japan MoD", range_km=1000.0, apogee_km=6000.0, flight_time_s=4140.0)
    assert not [f for f in claim_flags([a, b]) if f["kind"] == "authorities_disagree"]
