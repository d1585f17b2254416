"""Landing descriptions phrased the way wires and ministries phrase them, written for these
tests: the reference point, distance (units converted), the distance's rounding, the bearing
and its sector, and where the words leave the point open.  Checked by rule (the compass rose,
the rounding of the last digit, 1 nmi = 1.852 km, 1 mile = 1.609344 km), not by a stored answer.
"""

import numpy as np
import pytest

from launchwatch.earth import geodesy
from launchwatch.earth.zones import classify
from launchwatch.flight.landing import (
    OFF_UNSTATED_MAX_KM,
    LandingError,
    landmarks,
    parse_landing,
    zone_probabilities,
)

SUNAN = (39.224, 125.670)
NMI, MI = 1.852, 1.609344

# (text, reference, distance km, rounding half-width km, bearing deg, bearing half-width deg)
CASES = [
    ("some 250 km north-west of Hegura Island", "Hegura-jima", 250, 25, 315, 22.5),
    (
        "in waters about 200 km west of Okushiri Island, Hokkaido",
        "Okushiri Island",
        200,
        50,
        270,
        22.5,
    ),
    (
        "within Japan's exclusive economic zone about 250 km west of Sado",
        "Sado Island",
        250,
        25,
        270,
        22.5,
    ),
    (
        "about 200 nautical miles west of Okushiri",
        "Okushiri Island",
        200 * NMI,
        50 * NMI,
        270,
        22.5,
    ),
    ("about 130 miles northwest of the Oki Islands", "Oki Islands", 130 * MI, 5 * MI, 315, 22.5),
    ("around 350 kilometres west of Cape Tappi", "Cape Tappi", 350, 25, 270, 22.5),
    (
        "roughly 300 kilometers west-northwest of the Oga Peninsula",
        "Oga Peninsula",
        300,
        50,
        292.5,
        11.25,
    ),
    ("about 1,180 km east of Cape Erimo", "Cape Erimo", 1180, 5, 90, 22.5),
    ("some 2,200 km east of Cape Erimo in Hokkaido", "Cape Erimo", 2200, 50, 90, 22.5),
    ("200 km west-southwest of Oshima-Oshima", "Oshima-Oshima", 200, 50, 247.5, 11.25),
    ("approximately 200km west of Oshima-Oshima", "Oshima-Oshima", 200, 50, 270, 22.5),
    ("about 250 km northwest of the Noto Peninsula", "Noto Peninsula", 250, 25, 315, 22.5),
    ("250km NW of Hegura-jima", "Hegura-jima", 250, 25, 315, 22.5),
    ("about 400 km WNW of Okushiri", "Okushiri Island", 400, 50, 292.5, 11.25),
    ("about 200 km WSW of Oshima-Oshima", "Oshima-Oshima", 200, 50, 247.5, 11.25),
    ("about 300 km north of the Noto peninsula", "Noto Peninsula", 300, 50, 0, 22.5),
    ("an estimated 350 kilometres north of Niigata", "Niigata", 350, 25, 0, 22.5),
    (
        "some 100 nautical miles northwest of Sado Island",
        "Sado Island",
        100 * NMI,
        5 * NMI,
        315,
        22.5,
    ),
    ("about 300 km west of the Shakotan Peninsula", "Shakotan Peninsula", 300, 50, 270, 22.5),
    ("in the sea about 150 km west of Cape Nyudo", "Cape Nyudo", 150, 25, 270, 22.5),
    ("150 km east of Ulleungdo", "Ulleung Island", 150, 25, 90, 22.5),
    ("landed 60 km north of Dokdo", "Liancourt Rocks", 60, 5, 0, 22.5),
    (
        "inside Japan's EEZ, approximately 250 km northwest of Cape Nyudozaki in Akita",
        "Cape Nyudo",
        250,
        25,
        315,
        22.5,
    ),
    (
        "fell into the sea 370 km west of Hokkaido's Okushiri island",
        "Okushiri Island",
        370,
        5,
        270,
        22.5,
    ),
    (
        "splashed down roughly 210 km west of Hokkaido's Oshima peninsula",
        "Oshima Peninsula",
        210,
        5,
        270,
        22.5,
    ),
    ("some 120 km west of Tsushima", "Tsushima", 120, 5, 270, 22.5),
    ("about 1,000 km east of Cape Erimo", "Cape Erimo", 1000, 50, 90, 22.5),
    ("about 380 km northwest of Tappi", "Cape Tappi", 380, 5, 315, 22.5),
    ("fell approximately 150km north of Noto", "Noto Peninsula", 150, 25, 0, 22.5),
    ("200 km to the west of Oshima-Oshima", "Oshima-Oshima", 200, 50, 270, 22.5),
    ("about 200 km west-south-west of Okushiri Island", "Okushiri Island", 200, 50, 247.5, 11.25),
    ("about 130 km north-northwest of Sado", "Sado Island", 130, 5, 337.5, 11.25),
    (
        "about 250 kilometres west of Sado island in Niigata Prefecture",
        "Sado Island",
        250,
        25,
        270,
        22.5,
    ),
    ("landed in the sea north of Hegura-jima, about 200 km", "Hegura-jima", 200, 50, 0, 22.5),
    ("east of Hokkaido some 1,200 km", "Hokkaido", 1200, 50, 90, 22.5),
    ("about 3,200 km east of Iwate prefecture", "Iwate Prefecture", 3200, 50, 90, 22.5),
]


@pytest.mark.parametrize(("text", "ref", "dist", "half", "bearing", "spread"), CASES)
def test_reference_distance_and_bearing(text, ref, dist, half, bearing, spread):
    e = parse_landing(text, *SUNAN)
    assert e is not None and e.reference == ref
    assert e.distance_km == pytest.approx(dist)
    assert e.distance_halfwidth_km == pytest.approx(half)
    assert e.bearing_deg == pytest.approx(bearing) and e.bearing_halfwidth_deg == spread


def test_samples_lie_within_the_words_from_a_point_reference():
    e = parse_landing("250km NW of Hegura-jima", *SUNAN)
    ref = landmarks()["hegurajima"]
    az, _, d = geodesy.inverse(ref.lat_deg, ref.lon_deg, e.sample_lat_deg, e.sample_lon_deg)
    assert 224.0 < np.min(d) / 1e3 and np.max(d) / 1e3 < 276.0
    assert np.all(np.abs(np.mod(az, 360.0) - 315.0) <= 22.6)


def test_a_prefecture_is_measured_from_its_coast():
    """ "150 km off the coast of Aomori Prefecture", launched from Sunan: the seaward side
    facing the site is the Sea of Japan coast (about 140.0-140.3 E at 40.8 N), so the point
    lies about 150 km west of it, not 150 km west of the prefecture's centre."""
    e = parse_landing("approximately 150 km off the coast of Aomori Prefecture", *SUNAN)
    assert e.reference == "Aomori Prefecture" and e.distance_km == 150
    centre = landmarks()["aomoriprefecture"]
    _, _, from_centre = geodesy.inverse(centre.lat_deg, centre.lon_deg, e.lat_deg, e.lon_deg)
    assert from_centre / 1e3 > 150.0 + 25.0  # the coast lies tens of km west of the centre
    assert 138.0 < e.lon_deg < 138.8


def test_off_samples_are_at_sea():
    for text in ("about 150 km off the coast of Aomori Prefecture", "about 300 km off Akita"):
        e = parse_landing(text, *SUNAN)
        assert np.all(np.asarray(classify(e.sample_lat_deg, e.sample_lon_deg).kind) != "land")


def test_off_without_a_distance():
    e = parse_landing("the missile came down off Cape Erimo", *SUNAN)
    assert e.reference == "Cape Erimo" and e.distance_km is None
    assert e.distance_halfwidth_km == OFF_UNSTATED_MAX_KM / 2
    ref = landmarks()["capeerimo"]
    _, _, d = geodesy.inverse(ref.lat_deg, ref.lon_deg, e.sample_lat_deg, e.sample_lon_deg)
    assert np.max(d) / 1e3 <= OFF_UNSTATED_MAX_KM + 1.0
    # A launch site serves as a reference point too.
    h = parse_landing("it fell in the waters off Hamhung", *SUNAN)
    assert h.reference == "Hamhung" and h.distance_km is None


@pytest.mark.parametrize(
    "text",
    [
        "fell inland in North Hamgyong",
        "crashed inland in North Hamgyong Province",
    ],
)
def test_inland_province(text):
    e = parse_landing(text, *SUNAN)
    assert e.reference == "North Hamgyong" and e.distance_km is None and e.bearing_deg is None


@pytest.mark.parametrize(
    "text",
    [
        "outside Japan's EEZ",
        "in the waters off the east coast",
        "landed in the East Sea",
        "it fell in the Sea of Japan, outside the exclusive economic zone",
    ],
)
def test_no_point_in_the_words(text):
    assert parse_landing(text, *SUNAN) is None


@pytest.mark.parametrize(
    "text", ["about 160 km west of Atlantis Reef", "about 550 km east of Nowhere Island"]
)
def test_unknown_reference_is_named(text):
    with pytest.raises(LandingError, match="unknown reference point"):
        parse_landing(text, *SUNAN)


@pytest.mark.parametrize(
    ("text", "lo", "hi"),
    [
        ("about 250 km west of Sado", 0.95, 1.0),  # Japan's EEZ well inside the median line
        ("about 150 km west of the Oga Peninsula", 0.95, 1.0),
        ("about 1,180 km east of Cape Erimo", 0.0, 0.0),  # the Pacific, beyond any EEZ
        ("some 250 km west of Okushiri Island", 0.05, 0.45),  # straddles the line
        ("about 300 km northwest of Hegura-jima", 0.3, 0.8),  # near the line: either claim
        ("about 200 km west of Oshima-Oshima", 0.75, 1.0),
    ],
)
def test_p_japan_eez_of_described_landings(text, lo, hi):
    e = parse_landing(text, *SUNAN)
    p = zone_probabilities(e.sample_lat_deg, e.sample_lon_deg)
    assert lo <= p["p_jpn_eez"] <= hi
