"""The liquid short-range boost (issue 16): a report naming a Scud flies the Scud-B's single
62 s stage (boosts.yaml ``srbm_liquid``, cited), not the 30 s class estimate of the solid
KN-23 class; a report naming no missile keeps the class estimate.  No flight time is fitted or
asserted against a published figure here: the physics test compares the two boosts with each
other and with the closed-form flight-time floor."""

import pytest

from launchwatch.flight import boosts
from launchwatch.flight.reconstruct import flight_time_floor_s, reconstruct

R_M, H_M = 450e3, 120e3  # an SRBM-energy shot


def test_named_liquid_srbm_flies_the_scud_stage():
    b = boosts.pick(R_M, H_M, "liquid")
    assert b is boosts.liquid_srbm()
    assert b.total_burn_s == pytest.approx(62.0)
    assert b.n_stages == 1 and b.classes == ("SRBM",)
    # Scud-B figures: 5,860 kg at lift-off, of which 3,771 kg propellant.
    total = b.payload_mass_kg + sum(b.propellant_mass_kg) + sum(b.dry_mass_kg)
    assert total == pytest.approx(5860.0)


@pytest.mark.parametrize("prop", [None, "solid"])
def test_srbm_without_a_named_liquid_keeps_the_class_estimate(prop):
    b = boosts.pick(R_M, H_M, prop)
    assert b is not boosts.liquid_srbm()
    assert 20.0 < b.total_burn_s < 40.0  # the catalog's class estimate near 500 km (30 s)


def test_liquid_srbm_stays_out_of_the_boost_list_others_read():
    # warn/corridor.py and assess/burn.py read every entry of load_boosts(): unchanged.
    names = [b.name for b in boosts.load_boosts()]
    assert boosts.liquid_srbm().name not in names
    assert all("SRBM" not in b.classes for b in boosts.load_boosts())
    # Energies above SRBM pick as before, whatever the propellant.
    assert boosts.pick(800e3, 2000e3, "liquid").name.startswith("liquid one-stage (R-12")


@pytest.mark.parametrize(
    ("name", "prop"),
    [
        ("Scud-type", "liquid"),
        ("SCUD ER", "liquid"),
        ("scud-c", "liquid"),
        ("Pukguksong-2", "solid"),
        ("KN-15", "solid"),
        ("Hwasong-12", "liquid"),  # the vehicle catalog's
        ("Hwasong-18", "solid"),  # the vehicle catalog's
        ("ICBM-class", None),
        ("", None),
        (None, None),
    ],
)
def test_propellant_of_a_named_missile(name, prop):
    assert boosts.propellant_of(name) == prop


def test_longer_liquid_burn_lengthens_the_same_arc_and_stays_above_the_floor():
    """Same range, apogee and heading: the 62 s burn spends longer climbing than the 30 s one,
    so the flight lasts longer; both stay above the floor no missile can beat."""
    kw = dict(lat_deg=39.17, lon_deg=127.49, range_km=R_M / 1e3, azimuth_deg=80.0)
    t_liq = reconstruct(**kw, apogee_km=H_M / 1e3, propellant="liquid").shot.flight_time_s
    t_gen = reconstruct(**kw, apogee_km=H_M / 1e3).shot.flight_time_s
    floor = flight_time_floor_s(R_M, H_M, 80.0, 39.17)
    assert floor < t_gen < t_liq
    # ~0.5-0.8 s of flight per second of extra burn on such arcs (32 s more burn here).
    assert 8.0 < t_liq - t_gen < 32.0
