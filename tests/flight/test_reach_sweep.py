"""A coarse reachability sweep: shots a real missile flies reconstruct (also with their Kepler
flight time as a third figure), and figures no boost or lifting class flies give a one-line
error that names the closest reachable figures.  The grid is coarse on purpose (CPU);
``scripts/reach_sweep.py`` runs the fine one."""

import pytest

from launchwatch.earth.constants import R_MEAN_M
from launchwatch.flight import kepler
from launchwatch.flight.catalog import get_site
from launchwatch.flight.reconstruct import NO_CLOSEST, ReconstructionError, reconstruct
from launchwatch.flight.sea_areas import bearing_toward

SUNAN = get_site("Sunan")
AZ = bearing_toward(SUNAN.lat_deg, SUNAN.lon_deg, "East Sea")


def _rec(**kw):
    return reconstruct(lat_deg=SUNAN.lat_deg, lon_deg=SUNAN.lon_deg, azimuth_deg=AZ, **kw)


def test_a_short_low_rocket_shot_flies_ballistic():
    """100 km at a 20 km apogee is an ordinary ballistic arc (38 deg at burnout in vacuum): the
    low-apogee rule sends it to the lifting class first, which cannot fly it, so the generic
    ballistic boost does (it was refused with "closest flyable apogee about 37 km")."""
    d = _rec(range_km=100.0, apogee_km=20.0).as_dict()
    assert d["range_km"] == pytest.approx(100.0, abs=1.0)
    assert d["apogee_km"] == pytest.approx(20.0, abs=1.0)
    assert "flown by the generic ballistic boost" in d["requested"]["quasi_ballistic_class_refused"]
    assert d["range_class"] == "SRBM"


@pytest.mark.parametrize(("range_km", "apogee_km"), [(1500.0, 300.0), (8000.0, 1000.0)])
def test_reachable_pairs_with_their_kepler_time(range_km, apogee_km):
    """The pair and the flight time of its vacuum arc (rounded to 10 s): the boost's own powered
    flight makes the time differ, but never beyond the joint fit's reach."""
    _, _, t = kepler.arc_from_apogee(R_MEAN_M, apogee_km * 1e3, range_km * 1e3 / R_MEAN_M)
    d = _rec(range_km=range_km, apogee_km=apogee_km, flight_time_s=round(float(t), -1)).as_dict()
    assert d["verdict"]["status"] in ("consistent", "inconsistent")
    assert d["range_km"] == pytest.approx(range_km, rel=0.01)


@pytest.mark.parametrize(
    ("range_km", "apogee_km", "says"),
    [
        # far beyond any lifting class, and too low for an ICBM's arc: the ICBM's lowest apogee
        (15000.0, 300.0, "at 15,000 km the closest flyable apogee is about"),
        (8000.0, 20.0, "at 8,000 km the closest flyable apogee is about"),
    ],
)
def test_unreachable_figures_name_the_closest(range_km, apogee_km, says):
    with pytest.raises(ReconstructionError) as err:
        _rec(range_km=range_km, apogee_km=apogee_km)
    msg = str(err.value)
    assert "\n" not in msg and NO_CLOSEST not in msg
    assert says in msg


@pytest.mark.xdist_group("reconstruct-low-flat")
def test_lower_than_the_kn23_class_flies_names_the_closest_apogee(low_flat_refusal):
    """800 km at a 20 km apogee: lower than the KN-23 class flies at its limits.  (The refusal
    test_joint_reconstruction.py reads as well, made once: conftest.py.)"""
    msg = low_flat_refusal
    assert "\n" not in msg and NO_CLOSEST not in msg
    assert "at 800 km the closest flyable apogee is about" in msg


def test_apogee_and_a_lofted_time_near_the_shortest_range():
    """6,000 km apogee in 69 min (the 2022-11-18 figures without the range): the Kepler first
    guess lies below the shortest range the boost flies through that apogee (it was refused,
    naming a 17,844 km range).  A lofted arc's time hardly depends on its range, so the range
    derived this way is loose; it only has to exist."""
    d = _rec(apogee_km=6000.0, flight_time_s=4140.0).as_dict()
    assert d["apogee_km"] == pytest.approx(6000.0, rel=0.01)
    assert 100.0 < d["range_km"] < 1500.0
    assert abs(d["flight_time_s"] - 4140.0) < 60.0
