"""Landing descriptions -> points with uncertainty, against the shipped gazetteer."""

import numpy as np
import pytest

from launchwatch.earth import geodesy
from launchwatch.flight.landing import (
    LandingError,
    landmarks,
    parse_landing,
    rounding_halfwidth,
    zone_probabilities,
)

SUNAN = (39.224, 125.670)


@pytest.mark.parametrize(
    ("value", "half"),
    [(200, 50), (250, 25), (1000, 50), (6000, 500), (4140, 5), (999.2, 0.05), (37, 0.5), (450, 25)],
)
def test_rounding_halfwidth(value, half):
    assert rounding_halfwidth(value) == pytest.approx(half)


def test_distance_and_bearing_from_a_reference_point():
    e = parse_landing("fell about 200 km west of Oshima-Oshima, Hokkaido", *SUNAN)
    assert e.reference == "Oshima-Oshima" and e.bearing_deg == 270.0
    assert (e.distance_km, e.distance_halfwidth_km, e.bearing_halfwidth_deg) == (200, 50, 22.5)
    ref = landmarks()["oshimaoshima"]
    _, _, d = geodesy.inverse(ref.lat_deg, ref.lon_deg, e.sample_lat_deg, e.sample_lon_deg)
    az, _, _ = geodesy.inverse(ref.lat_deg, ref.lon_deg, e.sample_lat_deg, e.sample_lon_deg)
    assert 149.0 < np.min(d) / 1e3 and np.max(d) / 1e3 < 251.0  # the rounding of "200 km"
    assert np.all(np.abs(np.mod(az, 360.0) - 270.0) <= 22.6)  # the compass point's sector
    assert e.lon_deg < ref.lon_deg - 2.0 and abs(e.lat_deg - ref.lat_deg) < 0.2


def test_intercardinal_miles_and_off():
    nw = parse_landing("250 km north-west of Hegura-jima")
    assert nw.bearing_deg == 315.0 and nw.distance_km == 250
    mi = parse_landing("landed 100 miles west of Okushiri Island")
    assert mi.distance_km == pytest.approx(160.9344)
    off = parse_landing("about 150 km off Aomori", *SUNAN)
    # No bearing given: the seaward half-circle facing the launch site (west of Aomori).
    assert off.bearing_halfwidth_deg == 90.0 and 240.0 < off.bearing_deg < 300.0


def test_inland_province_and_nothing_to_read():
    e = parse_landing("the missile fell inland in North Hamgyong Province")
    assert e.reference == "North Hamgyong" and e.distance_km is None
    assert parse_landing("in the Sea of Japan") is None
    with pytest.raises(LandingError, match="unknown reference point"):
        parse_landing("about 200 km west of Atlantis")


def test_p_japan_eez_samples_the_uncertainty():
    """200 km west of Oshima-Oshima is inside Japan's EEZ (Japan MoD, 2022-11-18) for most of
    the spread; 250 km west of Okushiri is mostly outside (Japan MoD, 2023-07-12)."""
    e = parse_landing("about 200 km west of Oshima-Oshima")
    p = zone_probabilities(e.sample_lat_deg, e.sample_lon_deg)
    assert p["p_jpn_eez"] > 0.7 and p["p_land"] == 0.0
    o = parse_landing("some 250 km west of Okushiri Island")
    assert zone_probabilities(o.sample_lat_deg, o.sample_lon_deg)["p_jpn_eez"] < 0.5
