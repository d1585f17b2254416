"""The fidelity script's counting rule (scripts/published_shots.py), without flying anything:
which rows sit below the flight-time floor of their own range and apogee, and the share with
and without them.  The floor is closed-form; no reported flight time is fitted or asserted."""

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "published_shots.py"


@pytest.fixture(scope="module")
def ps():
    spec = importlib.util.spec_from_file_location("published_shots", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_only_reports_faster_than_any_arc_fall_below_the_floor(ps):
    below = [
        (str(s["date"]), s["by"]) for s in ps._shots() if ps._below_floor(s, ps._where(s)[2])[1]
    ]
    # KCNA's 4,052 s for 1,090 km / 6,248.5 km: the arc alone takes ~4,075 s.  Every other
    # report of the file leaves room for a powered flight.
    assert below == [("2022-03-24", "KCNA")]


def test_floor_moves_with_the_rounding_of_range_and_apogee(ps):
    s = {"range_km": 1000.0, "apogee_km": 6000.0, "flight_time_s": 3700.0}
    floor, below = ps._below_floor(s, 80.0)
    assert 3900.0 < floor < 4000.0
    # "6,000 km" is read to +-500 km: the lowest corner's arc is shorter than 3,700 s.
    assert not below
    floor2, below2 = ps._below_floor({**s, "apogee_km": 6000.5}, 80.0)
    assert below2 and abs(floor2 - floor) < 1.0


def test_summary_counts_failures_and_misses(ps):
    rows = [
        {"err_unknown_pct": 1.0},
        {"err_unknown_pct": -4.0},
        {"err_unknown_pct": None},
        {"err_unknown_pct": 2.0, "no_boost_reconciles": True},
    ]
    v = ps._summary(rows, "unknown")
    assert (v["n"], v["within_3_pct"], v["failures"], v["no_boost_reconciles"]) == (4, 2, 1, 1)
    assert v["median_abs_err_pct"] == 2.0 and v["share_within_3_pct"] == 0.5
