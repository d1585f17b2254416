"""The report's own rounding reaches the joint verdict: "about an hour" is +-450 s (read to the
quarter hour by the report reader), though its digits, 3,600 s, would say +-150 s."""

import pytest

from launchwatch.flight.catalog import get_site
from launchwatch.flight.reconstruct import reconstruct


@pytest.fixture(scope="module")
def pair():
    s = get_site("Sunan")
    kw = dict(
        lat_deg=s.lat_deg,
        lon_deg=s.lon_deg,
        range_km=1000.0,
        apogee_km=6000.0,
        flight_time_s=3600.0,
        azimuth_deg=80.0,
    )
    digits = reconstruct(**kw).as_dict()
    words = reconstruct(**kw, precision={"flight_time_s": 450.0}).as_dict()
    return digits, words


def test_the_stated_rounding_replaces_the_digits_rounding(pair):
    digits, words = pair
    t_digits = next(c for c in digits["checks"] if c["figure"] == "flight_time_s")
    t_words = next(c for c in words["checks"] if c["figure"] == "flight_time_s")
    assert t_digits["precision"] == 150.0 and t_words["precision"] == 450.0
    # the fitted shot is the same; the verdict's allowance grows by the 300 s difference
    assert words["fit"]["tolerance_s"] - digits["fit"]["tolerance_s"] == pytest.approx(300.0, abs=1)
    # the other figures keep the rounding of their digits
    assert [c["precision"] for c in words["checks"] if c["figure"] != "flight_time_s"] == [
        50.0,
        500.0,
    ]
