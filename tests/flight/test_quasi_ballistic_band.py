"""The quasi-ballistic class's capability band: pull-up and glide within its launch-mass range
and its lift limit, energy first (flight/reconstruct.py, ``_quasi_ballistic``).

Figures here are of shapes, not of published shots' flight times: 875 km with a 50 km apogee
is the 2023-06-15 report's range and apogee (an independent-set row; its time is measured by
scripts/published_shots.py, never asserted here), 700 km the class's own 2025-11-07 fit.
"""

import math

import pytest

from launchwatch.flight import reconstruct as recon_mod
from launchwatch.flight.catalog import get_site, get_vehicle
from launchwatch.flight.reconstruct import (
    QB_LIFT_TO_DRAG_MAX,
    ReconstructionError,
    lift_to_drag,
    lift_to_drag_max,
    reconstruct,
)
from launchwatch.flight.sea_areas import bearing_toward

SUNAN = get_site("Sunan")
AZ = bearing_toward(SUNAN.lat_deg, SUNAN.lon_deg, "East Sea")


def _rec(**kw):
    return reconstruct(lat_deg=SUNAN.lat_deg, lon_deg=SUNAN.lon_deg, azimuth_deg=AZ, **kw).as_dict()


def test_lift_to_drag_of_the_flight_core_law():
    kn23 = get_vehicle("KN-23")
    cla, cd0 = kn23.lift.cl_alpha_per_rad, kn23.cd_mach[-1][1]
    peak = math.sqrt(cd0 / cla)
    assert lift_to_drag(kn23, peak) == pytest.approx(lift_to_drag_max(kn23), rel=1e-12)
    assert lift_to_drag(kn23, 0.8 * peak) < lift_to_drag_max(kn23)
    assert lift_to_drag(kn23, 1.2 * peak) < lift_to_drag_max(kn23)
    assert lift_to_drag_max(kn23) < QB_LIFT_TO_DRAG_MAX  # the catalog body is inside the limit


def test_a_shot_the_catalog_body_flies_keeps_it():
    d = _rec(range_km=700.0, apogee_km=50.0)
    assert d["requested"]["quasi_ballistic_class"] == "KN-23"
    assert "manoeuvre" not in d  # no lift or energy raised


def test_a_reachable_low_long_shot_reconstructs_within_the_class(two_figures):
    d = two_figures
    m = d["manoeuvre"]
    assert d["requested"]["quasi_ballistic_class"] == "KN-23"
    assert abs(d["range_km"] - 875.0) < 1.0 and abs(d["apogee_km"] - 50.0) < 0.5
    assert m["within_class"] and m["glide_lift_to_drag"] <= QB_LIFT_TO_DRAG_MAX + 1e-6
    lo, hi = m["launch_mass_range_kg"]
    assert lo <= m["launch_mass_kg"] <= hi
    # Energy first: the catalog's lift, more propellant; said, not hidden, in the body's name.
    assert m["body"].startswith("KN-23 (") and "propellant" in m["body"]
    assert "L/D" not in m["body"] and m["lift_to_drag_max"] == m["catalog_lift_to_drag_max"]
    assert m["added_propellant_kg"] > 0
    assert d["verdict"]["status"] == "not checked"  # two figures: nothing fitted to a time


def _counting(call):
    """``call()`` with the shots it shapes counted (the unit of a reconstruction's work): its
    value and that count."""
    n = 0
    real = recon_mod.shape

    def shape(*a, **k):
        nonlocal n
        n += 1
        return real(*a, **k)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(recon_mod, "shape", shape)
        value = call()
    return value, n


@pytest.fixture(scope="module")
def two_figures_counted():
    """875 km with a 50 km apogee, reconstructed once for the module, and the shots that call
    shaped (each call has its own memo: the count is the same in any order)."""
    return _counting(lambda: _rec(range_km=875.0, apogee_km=50.0))


@pytest.fixture(scope="module")
def two_figures(two_figures_counted):
    return two_figures_counted[0]


@pytest.fixture(scope="module")
def too_slow(two_figures):
    """Three figures whose time is 300 s slower than the rule's body (beyond the class)."""
    t = two_figures["flight_time_s"] + 300.0
    return t, _rec(range_km=875.0, apogee_km=50.0, flight_time_s=t)


def test_a_time_slower_than_the_class_glides_is_inconsistent(two_figures, too_slow):
    t, d = too_slow
    # The body is the one range and apogee chose: the time did not move it.
    assert d["manoeuvre"]["body"] == two_figures["manoeuvre"]["body"]
    assert d["flight_time_s"] == pytest.approx(two_figures["flight_time_s"], abs=0.01)
    v = d["verdict"]
    assert v["status"] == "inconsistent" and v["conflict"]["off_s"] > 200
    ft = next(c for c in d["checks"] if c["figure"] == "flight_time_s")
    assert ft["reported"] == t and not ft["within"]


def test_a_time_inside_the_class_band_fits_its_energy(two_figures):
    t_rule = two_figures["flight_time_s"]
    t = 0.93 * t_rule  # faster: more energy and less lift, inside the launch-mass range
    d = _rec(range_km=875.0, apogee_km=50.0, flight_time_s=t)
    fit, m = d["fit"], d["manoeuvre"]
    lo, hi = fit["class_time_band_s"]
    assert lo < t < hi and hi == pytest.approx(t_rule, abs=1.0)
    assert d["verdict"]["status"] == "consistent"
    assert abs(d["flight_time_s"] - t) <= fit["tolerance_s"]
    assert fit["added_propellant_kg"] > two_figures["manoeuvre"]["added_propellant_kg"]
    assert m["launch_mass_range_kg"][0] <= m["launch_mass_kg"] <= m["launch_mass_range_kg"][1]
    assert m["glide_lift_to_drag"] <= QB_LIFT_TO_DRAG_MAX + 1e-6


def test_beyond_every_class_one_line_names_the_closest_reachable():
    # 950 km with a 15 km apogee: beyond the KN-23 class at its limits and beyond the glide
    # class tried next; the error is the rule's class's, with its closest reachable figures.
    with pytest.raises(ReconstructionError) as e:
        _rec(range_km=950.0, apogee_km=15.0)
    msg = str(e.value)
    assert "\n" not in msg and "closest reachable" in msg and "950 km" in msg
    assert "KN-23 class at its limits" in msg


def test_beyond_the_class_the_next_lifting_class_flies_it_and_says_so():
    # 990 km with a 30 km apogee: beyond the KN-23 class at its limits; the glide class flies it.
    d = _rec(range_km=990.0, apogee_km=30.0)
    assert d["requested"]["quasi_ballistic_class"] == "Hwasong-16B"
    assert d["requested"]["quasi_ballistic_class_refused"].startswith("KN-23:")
    assert abs(d["range_km"] - 990.0) < 1.0 and abs(d["apogee_km"] - 30.0) < 0.5


def test_a_time_slower_than_the_rule_inside_the_band_fits_at_the_lift_limit(two_figures, too_slow):
    # The slow end of the class's band: the least energy that flies range and apogee at the
    # lift limit.  A time between the rule's and that end fits there, with less propellant.
    t_rule = two_figures["flight_time_s"]
    lo, hi = too_slow[1]["fit"]["class_time_band_s"]
    assert hi > t_rule + 5.0  # the lift limit glides slower than the rule's body
    t = 0.5 * (t_rule + hi)
    d = _rec(range_km=875.0, apogee_km=50.0, flight_time_s=t)
    m, fit = d["manoeuvre"], d["fit"]
    assert d["verdict"]["status"] == "consistent"
    assert abs(d["flight_time_s"] - t) <= fit["tolerance_s"]
    assert m["lift_to_drag_max"] == pytest.approx(QB_LIFT_TO_DRAG_MAX, abs=0.01)
    assert fit["added_propellant_kg"] < two_figures["manoeuvre"]["added_propellant_kg"]


@pytest.fixture
def counted(count_calls):
    """Count the shots shaped (the unit of a reconstruction's work)."""
    return count_calls(recon_mod, "shape")


def test_the_band_search_shapes_each_shot_once(two_figures_counted):
    # Bisection on the added mass, the result reconstructed on the body found, its burn-time
    # band: without the per-call memo the same bodies are shaped again (26 shots).  The
    # module's two-figure call, counted as it ran.
    d, shots = two_figures_counted
    assert "propellant" in d["manoeuvre"]["body"]
    assert shots <= 23  # 22 with the memo, 26 without


def test_the_three_figure_fit_takes_a_few_shots(two_figures, counted):
    # Regula falsi from the band's ends: a handful of shots, not a bisection's seven plus a
    # second reconstruction.
    t = 0.95 * two_figures["flight_time_s"]
    d = _rec(range_km=875.0, apogee_km=50.0, flight_time_s=t)
    assert d["verdict"]["status"] == "consistent"
    assert counted["calls"] <= 28  # 26 now; 34 without the memo, more bisecting


def test_one_request_has_a_bounded_cost(monkeypatch, counted):
    monkeypatch.setattr(recon_mod, "MAX_SHOTS", 4)
    with pytest.raises(ReconstructionError) as e:
        _rec(range_km=875.0, apogee_km=50.0)
    msg = str(e.value)
    assert "\n" not in msg and "more than 4 shaped shots" in msg
    assert counted["calls"] <= 4
