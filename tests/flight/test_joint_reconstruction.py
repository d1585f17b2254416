"""Joint reconstruction from range, apogee and flight time: the fitted boost, the verdict, the
band, and shots the old one-stage boost could not reach.

Shots named here: 2022-11-18 Hwasong-17 (Japan MoD: ~1,000 km, ~6,000 km, ~69 min), 2023-12-18
Hwasong-18 (KCNA: 1,002.3 km, 6,518.2 km); the inconsistent case changes the flight time of
the first on purpose.  Independent shots are measured by scripts/published_shots.py, not here.
"""

import pytest

from launchwatch.flight.catalog import get_site
from launchwatch.flight.reconstruct import ReconstructionError, reconstruct
from launchwatch.flight.sea_areas import bearing_toward

SUNAN = get_site("Sunan")
AZ = bearing_toward(SUNAN.lat_deg, SUNAN.lon_deg, "East Sea")


def _rec(**kw):
    return reconstruct(lat_deg=SUNAN.lat_deg, lon_deg=SUNAN.lon_deg, azimuth_deg=AZ, **kw).as_dict()


@pytest.fixture(scope="module")
def two_and_three():
    two = _rec(range_km=1000.0, apogee_km=6000.0)
    three = _rec(range_km=1000.0, apogee_km=6000.0, flight_time_s=4140.0)
    return two, three


def test_three_figures_consistent_with_a_fitted_boost(two_and_three):
    _, d = two_and_three
    assert d["verdict"]["status"] == "consistent"
    fit = d["fit"]
    assert 0.5 <= fit["burn_scale"] <= 1.6 and abs(fit["flight_time_residual_s"]) < 10.0
    assert fit["burnout_altitude_km"] > 100.0 and 5.0 < fit["burnout_speed_km_s"] < 8.0
    assert {c["figure"] for c in d["checks"]} == {"range_km", "apogee_km", "flight_time_s"}
    assert all(c["within"] for c in d["checks"])
    assert d["range_class"] == "ICBM"


def test_flight_time_narrows_the_capability_band(two_and_three):
    two, three = two_and_three
    w2 = two["min_energy_range_band_km"][1] - two["min_energy_range_band_km"][0]
    w3 = three["min_energy_range_band_km"][1] - three["min_energy_range_band_km"][0]
    assert w3 < 0.5 * w2
    assert two["verdict"]["status"] == "not checked"
    # A reconstruction that fits (69 min) names no floor.
    assert "kepler_floor_s" not in three["verdict"].get("conflict", {})


def test_inconsistent_figures_name_the_conflict():
    d = _rec(range_km=1000.0, apogee_km=6000.0, flight_time_s=3000.0)
    v = d["verdict"]
    assert v["status"] == "inconsistent"
    c = v["conflict"]
    assert c["figures"] == ["range_km", "apogee_km"] and c["against"] == "flight_time_s"
    assert c["off_s"] < -500 and c["off_pct"] < -15  # 3,000 s is far too short for the arc
    assert "3,000 s" in v["summary"]
    # Even the shortest powered flight tried is far longer: no boost reconciles the figures,
    # and the verdict says which boost that was and how long it flew.
    assert c["shortest_boost_flight_time_s"] > 3000.0 + 500.0
    assert 0.0 < c["shortest_boost_burn_s"] < 200.0
    assert "no boost reconciles" in v["summary"]
    # ... and even no powered flight at all: the Kepler arc through 6,000 km over 1,000 km
    # lasts ~3,950 s (closed form; tests/flight/test_flight_time_floor.py checks it).
    assert 3900.0 < c["kepler_floor_s"] < 4000.0
    assert "no missile flies the three figures together" in v["summary"]


def test_reachable_lofted_shot_never_fails():
    """Issue 16: the one-stage 251 s boost could not reach it (2023-12-18, KCNA figures)."""
    d = reconstruct(
        lat_deg=39.13,
        lon_deg=125.96,
        range_km=1002.3,
        apogee_km=6518.2,
        azimuth_deg=bearing_toward(39.13, 125.96, "East Sea"),
    ).as_dict()
    assert d["range_km"] == pytest.approx(1002.3, rel=2e-3)
    assert d["apogee_km"] == pytest.approx(6518.2, rel=2e-3)
    assert d["flight_time_s"] == pytest.approx(4415.0, rel=0.03)  # KCNA: 4,415 s


def test_apogee_and_flight_time_give_the_range():
    d = _rec(apogee_km=6000.0, flight_time_s=4180.0)
    assert d["range_km"] == pytest.approx(1000.0, rel=0.08)


@pytest.mark.parametrize(
    "kw, says, lo, hi",
    [
        # 1,000 km in 150 s is below orbital speed yet no powered flight does it (it crashed in
        # the kernel's min-energy search before): the closest flight time at that range
        (
            {"range_km": 1000.0, "flight_time_s": 150.0},
            "closest flyable flight time is about",
            200,
            500,
        ),
    ],
)
def test_unreachable_figures_name_the_closest_reachable_ones(kw, says, lo, hi):
    with pytest.raises(ReconstructionError) as err:
        reconstruct(lat_deg=SUNAN.lat_deg, lon_deg=SUNAN.lon_deg, azimuth_deg=AZ, **kw)
    _names_the_closest(str(err.value), says, lo, hi)


@pytest.mark.xdist_group("reconstruct-low-flat")
def test_a_20_km_apogee_over_800_km_names_the_closest_flyable_apogee(low_flat_refusal):
    """Not even the pull-up glide class flies it that low.  (The refusal test_reach_sweep.py
    reads as well, made once: conftest.py.)"""
    _names_the_closest(low_flat_refusal, "closest flyable apogee is about", 20, 120)


def _names_the_closest(msg: str, says: str, lo: float, hi: float) -> None:
    import re

    assert "\n" not in msg and says in msg
    value = float(re.search(says + r" ([\d,]+)", msg).group(1).replace(",", ""))
    assert lo < value < hi


def test_time_within_the_rounding_of_the_unscaled_boost_is_consistent():
    """A flight time given in whole minutes that the boost as published already meets within
    the rounding is consistent, even when matching it to the second would need a burn outside
    the plausible scales (the secant chased the rounded figure: "six minutes" for a 450 km /
    120 km Scud-class shot came out "inconsistent, burn x1.70")."""
    site = get_site("Wonsan")
    az = bearing_toward(site.lat_deg, site.lon_deg, "East Sea")
    kw = dict(lat_deg=site.lat_deg, lon_deg=site.lon_deg, azimuth_deg=az)
    t2 = reconstruct(range_km=450.0, apogee_km=120.0, **kw).as_dict()["flight_time_s"]
    t_rep = 60.0 * round(t2 / 60.0)  # the same flight, reported in whole minutes
    d = reconstruct(range_km=450.0, apogee_km=120.0, flight_time_s=t_rep, **kw).as_dict()
    assert d["verdict"]["status"] == "consistent", d["verdict"]
    assert 0.5 <= d["fit"]["burn_scale"] <= 1.6
    assert abs(d["fit"]["flight_time_residual_s"]) <= d["fit"]["tolerance_s"]
