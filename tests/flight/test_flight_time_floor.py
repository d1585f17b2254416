"""What sets the flight time at a reported range and apogee, and the floor under it.

Synthetic figures of a lofted single-stage IRBM shot (800 km, 2,000 km apogee, as reported
for 2022-01-30); no reported flight time is used.  The floor is checked against the flight
core: every boost flies longer than the Kepler arc, on an eastward and on a westward heading;
and the Earth's rotation moves the flown time as much as it moves the closed-form arc (an
independent check of the flight core's rotating frame).
"""

import functools

import pytest

from launchwatch.flight import boosts, shaping
from launchwatch.flight.catalog import get_site
from launchwatch.flight.propagate import Physics
from launchwatch.flight.reconstruct import (
    _Ask,
    _fly,
    _power,
    flight_time_floor_s,
    kepler_floor_s,
)
from launchwatch.flight.sea_areas import bearing_toward

SITE = get_site("Mupyong-ri")
R_M, H_M = 800e3, 2000e3
EAST = bearing_toward(SITE.lat_deg, SITE.lon_deg, "East Sea")


def _t(az: float, scale: float = 1.0) -> float:
    boost = boosts.pick(R_M, H_M)
    shot = _fly(_power(None, boost, scale), _Ask(SITE.lat_deg, SITE.lon_deg, R_M, az, H_M))
    assert abs(shot.apogee_m - H_M) < 2e3 and abs(shot.range_m - R_M) < 2e3
    return shot.flight_time_s


@pytest.fixture(scope="module")
def east() -> dict[float, float]:
    return {f: _t(EAST, f) for f in (0.5, 1.0, 1.5)}


def test_every_boost_flies_longer_than_the_floor(east):
    floor = flight_time_floor_s(R_M, H_M, EAST, SITE.lat_deg)
    # Eastward the rotation carries the target away: the floor is above the still-Earth arc.
    assert kepler_floor_s(R_M, H_M) + 5.0 < floor < kepler_floor_s(R_M, H_M) + 20.0
    for t in east.values():
        assert floor < t < 1.2 * floor
    west = (EAST + 180.0) % 360.0
    t_west = _t(west)
    floor_west = flight_time_floor_s(R_M, H_M, west, SITE.lat_deg)
    assert floor_west < kepler_floor_s(R_M, H_M) < floor
    assert floor_west < t_west < east[1.0]  # rotation takes time back


def test_rotation_moves_the_flown_time_as_it_moves_the_closed_form_arc(east):
    """The flight core with and without the Earth's rotation, against the Kepler arc on the
    rotating Earth (kepler.rotating_arc_time) with and without it: the same few seconds each
    way (10 s eastward on this shot, 34 s on a 6,000 km ICBM shot; measured, not set)."""
    still = functools.partial(shaping.propagate, physics=Physics(earth_rotation=False))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(shaping, "propagate", still)
        t_still = {az: _t(az) for az in (EAST, (EAST + 180.0) % 360.0)}
    for az, t0 in t_still.items():
        flown = (east[1.0] if az == EAST else _t(az)) - t0
        arc = flight_time_floor_s(R_M, H_M, az, SITE.lat_deg) - kepler_floor_s(R_M, H_M)
        assert abs(flown - arc) < 2.0, (az, flown, arc)
        assert (flown > 5.0) == (az == EAST)


def test_flight_time_grows_with_the_burn_at_fixed_range_and_apogee(east):
    """The burn is the only assumption that moves the time by percent: 0.6-0.9 s per s of
    burn (the powered climb is slower than the free arc it replaces)."""
    burn = boosts.pick(R_M, H_M).total_burn_s
    slope = (east[1.5] - east[0.5]) / burn
    assert 0.6 < slope < 0.9
    assert east[0.5] < east[1.0] < east[1.5]
