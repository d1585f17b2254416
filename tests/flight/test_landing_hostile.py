"""Figures and landing descriptions a hostile or careless user may give: distances that name no
point, a reported range that puts the landing elsewhere than the description, an apogee and a
flight time no flight joins. A clear error or a stated disagreement, never a traceback and never
a silently different number."""

from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from launchwatch.cli import app
from launchwatch.flight.catalog import get_site
from launchwatch.flight.landing import LandingError, parse_landing
from launchwatch.flight.reconstruct import landing_range_conflict, landing_zone, reconstruct
from launchwatch.record.compare import claim_flags

SUNAN = get_site("Sunan")


@pytest.mark.parametrize("text", ["0 km west of Oshima-Oshima", "25,000 km west of Oshima-Oshima"])
def test_a_distance_that_names_no_point_is_refused(text):
    with pytest.raises(LandingError, match="landing distance"):
        parse_landing(text, SUNAN.lat_deg, SUNAN.lon_deg)


@pytest.mark.parametrize(
    "text", ["99999999 km west of Oshima-Oshima", "1e9 km west of Oshima-Oshima"]
)
def test_the_tail_of_a_longer_number_is_not_read_as_the_distance(text):
    # "99999999 km" was read as "999 km", "1e9 km" as "9 km"
    assert parse_landing(text, SUNAN.lat_deg, SUNAN.lon_deg) is None


def test_cli_landing_errors_are_one_line_exit_2():
    for landing in ("0 km west of Oshima-Oshima", "1e9 km west of Oshima-Oshima"):
        res = CliRunner().invoke(
            app,
            ["reconstruct", "--site", "Sunan", "--range-km", "500", "--apogee-km", "100"]
            + ["--landing", landing],
        )
        assert res.exit_code == 2, res.output
        assert len(res.output.strip().splitlines()) == 1


@pytest.fixture(scope="module")
def short_range_far_landing():
    est = parse_landing("about 50 km north of Oshima-Oshima", SUNAN.lat_deg, SUNAN.lon_deg)
    rec = reconstruct(
        lat_deg=SUNAN.lat_deg, lon_deg=SUNAN.lon_deg, range_km=500, apogee_km=100, landing=est
    )
    return rec, est


def test_a_range_short_of_the_described_landing_is_a_stated_disagreement(short_range_far_landing):
    rec, est = short_range_far_landing
    c = landing_range_conflict(rec, est)
    # Sunan to Oshima-Oshima is about 1,190 km; "500 km" is read as 450-550 km
    assert c is not None and c["range_km"] == [450.0, 550.0]
    assert 1100 < c["described_range_km"][0] < c["described_range_km"][1] < 1300
    assert c["gap_km"] == pytest.approx(c["described_range_km"][0] - 550.0, abs=0.2)
    zone = landing_zone(rec, est)
    assert zone["described"]["range_conflict"] == c

    result = {"zone_probabilities": zone, **rec.as_dict()}
    stored = SimpleNamespace(
        id=1,
        authority="Japan MoD",
        outlet=None,
        details={},
        eez_claim="unknown",
        range_km=500.0,
        apogee_km=100.0,
        flight_time_s=None,
        reconstruction=SimpleNamespace(result=result),
    )
    (flag,) = [f for f in claim_flags([stored]) if f["kind"] == "range_vs_landing"]
    assert flag["gap_km"] == c["gap_km"] and "Japan MoD" in flag["summary"]


def test_a_range_that_reaches_the_described_landing_is_no_disagreement():
    est = parse_landing("about 200 km west of Oshima-Oshima", SUNAN.lat_deg, SUNAN.lon_deg)
    rec = reconstruct(
        lat_deg=SUNAN.lat_deg, lon_deg=SUNAN.lon_deg, range_km=1000, apogee_km=6000, landing=est
    )
    assert landing_range_conflict(rec, est) is None


@pytest.mark.parametrize("apogee_km, flight_time_s", [(100.0, 10.0), (5000.0, 300.0)])
def test_an_apogee_and_a_time_no_flight_joins_are_inconsistent(apogee_km, flight_time_s):
    # the range is solved for the time; a time it cannot meet was replaced silently
    rec = reconstruct(
        lat_deg=SUNAN.lat_deg,
        lon_deg=SUNAN.lon_deg,
        azimuth_deg=80.0,
        apogee_km=apogee_km,
        flight_time_s=flight_time_s,
    )
    v = rec.as_dict()["verdict"]
    assert v["status"] == "inconsistent" and v["conflict"]["against"] == "flight_time_s"
    assert v["conflict"]["off_s"] < -200  # far shorter than any flight through that apogee


def test_an_apogee_and_a_time_one_flight_joins_are_not_flagged():
    rec = reconstruct(
        lat_deg=SUNAN.lat_deg,
        lon_deg=SUNAN.lon_deg,
        azimuth_deg=80.0,
        apogee_km=100.0,
        flight_time_s=420.0,
    )
    assert rec.as_dict()["verdict"]["status"] == "not checked"
