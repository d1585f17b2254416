"""Extraction, field by field, from statements written in the styles of the ROK JCS, Japan's
Ministry of Defense, KCNA and wire agencies (tests/record/statements/)."""

import datetime as dt

import pytest

from launchwatch.record.extract import NoLaunchError, extract

from .conftest import statement


@pytest.fixture(scope="module")
def ex():
    names = [
        "rok_jcs_2025-11-07",
        "japan_mod_2025-11-07",
        "japan_mod_2022-11-18",
        "kcna_2022-11-19",
        "reuters_2025-11-07",
        "ap_2025-11-07",
        "yonhap_2025-11-07",
    ]
    return {n: extract(statement(f"{n}.txt")) for n in names}


def test_rok_jcs_statement(ex):
    e = ex["rok_jcs_2025-11-07"]
    assert e.launch_date == dt.date(2025, 11, 7)
    assert (e.launch_time_local, e.utc_offset, e.time_zone) == ("12:35", "+09:00", "KST")
    assert e.site == "Taekwan" and e.site_lat_deg == pytest.approx(40.22)
    assert e.n_missiles == 1 and e.missile_class == "SRBM"
    assert e.range_km == 700 and e.apogee_km is None and e.flight_time_s is None
    assert e.sea_area == "East Sea" and e.landing_area == "East Sea"
    assert e.eez_claim == "unknown" and e.authority == "ROK JCS" and e.outlet is None
    assert e.missing == ["missile_name", "apogee_km", "flight_time_s", "eez_claim"]


def test_japan_mod_statement_2025(ex):
    e = ex["japan_mod_2025-11-07"]
    assert e.launch_date == dt.date(2025, 11, 7)
    assert (e.launch_time_local, e.utc_offset, e.time_zone) == ("12:35", "+09:00", "JST")
    assert e.site == "Taekwan" and e.n_missiles == 1
    assert (e.range_km, e.apogee_km) == (450, 50)
    assert e.eez_claim == "outside" and e.eez_country == "Japan"
    assert e.sea_area == "Sea of Japan" and e.authority == "Japan MoD"
    # "ballistic missile" without a range word: the class is not guessed.
    assert "missile_class" in e.missing and e.missile_class is None


def test_japan_mod_hwasong17_2022(ex):
    e = ex["japan_mod_2022-11-18"]
    assert e.launch_date == dt.date(2022, 11, 18) and e.launch_time_local == "10:14"
    assert e.missile_class == "ICBM" and e.site == "Pyongyang"
    assert (e.range_km, e.apogee_km, e.flight_time_s) == (1000, 6000, 69 * 60)
    assert e.eez_claim == "inside"
    assert "about 200 km west of Oshima-Oshima" in e.landing_area
    assert e.missing == ["missile_name"]


def test_kcna_style(ex):
    e = ex["kcna_2022-11-19"]
    # The dateline says November 19 (publication); the launch was on November 18.
    assert e.launch_date == dt.date(2022, 11, 18) and e.published == dt.date(2022, 11, 19)
    assert e.authority == "KCNA" and e.missile_name == "Hwasong-17"
    assert e.missile_class == "ICBM"
    assert e.site == "Sunan"  # "Pyongyang International Airport" is a catalog alias
    assert (e.range_km, e.apogee_km, e.flight_time_s) == (999.2, 6040.9, 4135)
    assert e.sea_area == "East Sea"
    assert "launch_time" in e.missing and "n_missiles" in e.missing


def test_reuters_wire_story(ex):
    """Navigation, a photo caption about an older launch, a byline date, miles in
    parentheses, a background paragraph about May and 2022, and Japan's figures quoted."""
    e = ex["reuters_2025-11-07"]
    assert e.outlet == "Reuters" and e.authority == "ROK JCS"
    assert e.launch_date == dt.date(2025, 11, 7) and e.published == dt.date(2025, 11, 7)
    assert e.launch_time_local == "12:35" and e.utc_offset == "+09:00"
    assert e.site == "Taekwan" and e.missile_class == "SRBM"
    assert e.range_km == 700  # not 800 (May) nor 1,000 (2022) nor 450 (Japan)
    assert e.missile_name is None  # the Hwasong-17 is the 2022 background
    assert e.sea_area == "East Sea"  # "off its east coast"
    claims = {(c["field"], c["value"], c["authority"]) for c in e.other_claims}
    assert claims == {
        ("range_km", 450, "Japan MoD"),
        ("apogee_km", 50, "Japan MoD"),
        ("eez_claim", "outside", "Japan MoD"),
    }


def test_ap_story_miles_first_and_weekday(ex):
    e = ex["ap_2025-11-07"]
    assert e.outlet == "AP" and e.authority == "ROK JCS"
    assert e.launch_date == dt.date(2025, 11, 7)  # "on Friday" in the week of the byline
    assert e.range_km == 700  # "435 miles (700 kilometers)"
    assert e.site is None  # only "North Pyongan Province, north of Pyongyang"
    assert "site" in e.missing and "launch_time" in e.missing
    assert e.sea_area == "eastern waters"


def test_yonhap_story_ignores_the_previous_launch(ex):
    e = ex["yonhap_2025-11-07"]
    assert e.outlet == "Yonhap" and e.authority == "ROK JCS"
    assert e.published == dt.date(2025, 11, 7) and e.launch_date == dt.date(2025, 11, 7)
    assert e.site == "Taekwan" and e.range_km == 700 and e.n_missiles == 1


def test_no_launch():
    with pytest.raises(NoLaunchError):
        extract(statement("no_launch.txt"))
    with pytest.raises(NoLaunchError):
        extract("The weather in Seoul will be sunny on Friday.")
    with pytest.raises(NoLaunchError):
        extract("In 2022, North Korea fired a Hwasong-17 that flew about 1,000 km.")


@pytest.mark.parametrize(
    "text, fields",
    [
        (
            "Nov. 3, 2017. North Korea launched a ballistic missile at 3:17 a.m. local time. "
            "It flew 950 km.",
            {"launch_time_local": "03:17", "utc_offset": "+08:30"},
        ),
        (
            "March 1, 2024. North Korea fired two ballistic missiles at 7:44 a.m. (2244 GMT).",
            {"launch_time_local": "07:44", "utc_offset": "+09:00", "n_missiles": 2},
        ),
        (
            "Jan 5, 2024. North Korea fired a missile that flew some 1,100 kilometres and did not "
            "fall inside Japan's exclusive economic zone.",
            {"range_km": 1100, "eez_claim": "outside"},
        ),
        (
            "Jan 5, 2024. North Korea launched a missile that reached an altitude of about 100 km "
            "and flew 500 km, landing about 250 km off the coast of Aomori.",
            {"apogee_km": 100, "range_km": 500},
        ),
        (
            "Jan 5, 2024. The missile was launched and flew for about 1 hour and 9 minutes.",
            {"flight_time_s": 4140},
        ),
    ],
)
def test_phrasings(text, fields):
    e = extract(text)
    for k, v in fields.items():
        assert getattr(e, k) == v, k
