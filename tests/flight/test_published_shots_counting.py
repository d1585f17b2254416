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


def _below(ps, s):
    lat, _, az = ps._where(s)
    return ps._below_floor(s, az, lat)[1]


def test_only_reports_faster_than_any_arc_fall_below_the_floor(ps):
    below = [(str(s["date"]), s["by"]) for s in ps._shots() if _below(ps, s)]
    # KCNA's 4,052 s for 1,090 km / 6,248.5 km: the arc alone takes ~4,112 s on the rotating
    # Earth (4,075 s on a still one).  Every other report of the file leaves room for a
    # powered flight.
    assert below == [("2022-03-24", "KCNA")]


def test_floor_moves_with_the_rounding_of_range_and_apogee(ps):
    s = {"range_km": 1000.0, "apogee_km": 6000.0, "flight_time_s": 3700.0}
    floor, below = ps._below_floor(s, 80.0, 39.2)
    assert 3920.0 < floor < 4000.0  # the still-Earth arc (3,922 s) plus ~34 s of rotation
    # "6,000 km" is read to +-500 km: the lowest corner's arc is shorter than 3,700 s.
    assert not below
    floor2, below2 = ps._below_floor({**s, "apogee_km": 6000.5}, 80.0, 39.2)
    assert below2 and abs(floor2 - floor) < 1.0


def test_one_report_per_shot_is_the_most_precise_and_reads_no_reconstruction(ps):
    kcna = {"range_km": 1000.2, "apogee_km": 6045.0, "flight_time_s": 4151.0}
    japan = {"range_km": 1000.0, "apogee_km": 6000.0, "flight_time_s": 4200.0}
    assert ps._precision(kcna) < 0.01 < ps._precision(japan)
    rows = [
        {"date": "2023-03-16", "by": "Japan MoD", "precision": ps._precision(japan)},
        {"date": "2023-03-16", "by": "KCNA", "precision": ps._precision(kcna)},
        {"date": "2022-01-30", "by": "ROK JCS + Japan", "precision": 0.4},
        {"date": "2022-01-30", "by": "other", "precision": 0.4},  # a tie keeps the first
    ]
    picked = [(r["date"], r["by"]) for r in ps._one_per_shot(rows)]
    assert picked == [("2023-03-16", "KCNA"), ("2022-01-30", "ROK JCS + Japan")]


def test_views_split_the_counted_reports_without_reading_a_derived_time(ps):
    rows = [
        {
            "date": "a",
            "by": "KCNA",
            "precision": 0.001,
            "below_kepler_floor": False,
            "allowance_pct": 0.1,
        },
        {
            "date": "a",
            "by": "Japan MoD",
            "precision": 0.2,
            "below_kepler_floor": False,
            "allowance_pct": 9.0,
        },
        {
            "date": "b",
            "by": "KCNA",
            "precision": 0.001,
            "below_kepler_floor": True,
            "allowance_pct": 0.1,
        },
    ]
    v = {k: [(r["date"], r["by"]) for r in sub] for k, sub in ps._views(rows).items()}
    assert len(v["every report"]) == 3
    assert v["every report above its floor"] == [("a", "KCNA"), ("a", "Japan MoD")]
    assert v["one report per shot"] == [("a", "KCNA"), ("b", "KCNA")]
    assert v["one report per shot above its floor"] == [("a", "KCNA")]
    assert v["precise enough to test 3 %"] == [("a", "KCNA"), ("b", "KCNA")]
    assert v["precise enough to test 3 %, above its floor"] == [("a", "KCNA")]
    assert v["Japan's reports"] == [("a", "Japan MoD")]


def test_summary_counts_failures_and_misses(ps):
    rows = [
        {"err_unknown_pct": 1.0},
        {"err_unknown_pct": -4.0},
        {"err_unknown_pct": None},
        {"err_unknown_pct": 2.0, "no_boost_reconciles": True},
    ]
    v = ps._summary(rows, "unknown")
    assert (v["n"], v["within_3_pct"], v["failures"], v["no_boost_reconciles"]) == (4, 2, 1, 1)
    assert v["within_allowance"] == 0
    assert v["median_abs_err_pct"] == 2.0 and v["share_within_3_pct"] == 0.5
