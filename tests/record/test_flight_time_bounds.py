"""Flight times stated as bounds or in rounded words, and derived figures that carry the
rounding of the figures they came from (issue 16).  The texts are written for these tests in
the phrasings wire reports use ("flew for more than 70 minutes", "about an hour"); reports
for the claim checks are plain objects with the attributes claim_flags reads."""

from types import SimpleNamespace

import pytest

from launchwatch.earth.constants import R_MEAN_M
from launchwatch.flight import kepler
from launchwatch.flight.reconstruct import derived_intervals, kepler_floor_s
from launchwatch.record.compare import claim_flags
from launchwatch.record.extract import WHOLE_HOURS_HALFWIDTH_S, extract
from launchwatch.record.ingest import bound_checks

from .conftest import flag_kinds as _kinds
from .conftest import report as _rep

LEAD = "TOKYO, March 3, 2025 -- North Korea fired a ballistic missile from Sunan on Monday. "


# -- reading ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "seconds", "bound", "precision"),
    [
        ("It flew for more than 70 minutes, a defence official said.", 4200.0, "lower", None),
        (
            "The missile stayed in the air for under 10 minutes, officials said.",
            600.0,
            "upper",
            None,
        ),
        ("It was airborne for at least 45 minutes, officials said.", 2700.0, "lower", None),
        ("It flew for over an hour, officials said.", 3600.0, "lower", WHOLE_HOURS_HALFWIDTH_S),
        (
            "It flew for less than an hour, officials said.",
            3600.0,
            "upper",
            WHOLE_HOURS_HALFWIDTH_S,
        ),
        ("It flew for about an hour, officials said.", 3600.0, None, WHOLE_HOURS_HALFWIDTH_S),
        ("It flew for about an hour and ten minutes, officials said.", 4200.0, None, None),
        ("The missile flew for some 40 minutes, officials said.", 2400.0, None, None),
        ("It flew for more than 1 hour and 10 minutes, officials said.", 4200.0, "lower", None),
        (
            "It flew for about an hour and a half, officials said.",
            5400.0,
            None,
            WHOLE_HOURS_HALFWIDTH_S,
        ),
        (
            "The missile was in the air for one and a half hours, officials said.",
            5400.0,
            None,
            WHOLE_HOURS_HALFWIDTH_S,
        ),
        ("It flew for 1.5 hours, officials said.", 5400.0, None, WHOLE_HOURS_HALFWIDTH_S),
        (
            "It flew for less than half an hour, officials said.",
            1800.0,
            "upper",
            WHOLE_HOURS_HALFWIDTH_S,
        ),
        (
            "It flew for two and a half hours, officials said.",
            9000.0,
            None,
            WHOLE_HOURS_HALFWIDTH_S,
        ),
    ],
)
def test_flight_times_are_read_as_bounds_or_roundings(text, seconds, bound, precision):
    e = extract(LEAD + text)
    assert e.flight_time_s == seconds
    assert e.bounds.get("flight_time_s") == bound
    assert e.precision.get("flight_time_s") == precision


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("State media said it flew for 47 minutes and 12 seconds, KCNA said.", 2832.0),
        ("It was in the air for one hour, 8 minutes and 55 seconds, KCNA said.", 4135.0),
        ("The missile flew for 53 minutes, and 20 seconds later a second one was fired.", 3180.0),
    ],
)
def test_minutes_and_seconds_are_read_together(text, seconds):
    """KCNA's telemetry times come as minutes and seconds: the seconds belong to the figure
    (read alone, "47 minutes" loses 12 s of a 2,832 s flight and the to-the-second rounding)."""
    assert extract(LEAD + text).flight_time_s == seconds


def test_about_an_hour_keeps_the_rounding_of_the_hour():
    """ "About an hour" is rounded to the hour's quarter, not to five minutes: a time of 52.5
    minutes derived from another authority's figures is within it; it is not within "about
    60 minutes" (+-150 s, plus the 5 % model margin)."""
    hour = extract(LEAD + "The missile flew for about an hour, officials said.")
    minutes = extract(LEAD + "The missile flew for about 60 minutes, officials said.")
    derived = {"range_km": 800.0, "apogee_km": 2000.0, "flight_time_s": 3150.0}
    a = _rep(1, "KCNA", result=derived, range_km=800.0, apogee_km=2000.0)
    b_hour = _rep(2, "Japan MoD", {"precision": hour.precision}, flight_time_s=3600.0)
    b_min = _rep(2, "Japan MoD", {"precision": minutes.precision}, flight_time_s=3600.0)
    assert "derived_vs_reported" not in _kinds(claim_flags([a, b_hour]))
    assert "derived_vs_reported" in _kinds(claim_flags([a, b_min]))


# -- derived figures carry their sources' rounding ------------------------------------------------
def test_derived_range_span_meets_the_kepler_arcs_at_its_ends():
    """The range derived from an apogee and a lofted flight time spans what the two figures'
    rounding allows: at the span's ends, the Kepler arc through the corner apogee lasts the
    corner time less what the boost adds (checked here by bisection on the arc, independently
    of the grid the function reads)."""
    t = kepler_floor_s(3000e3, 3000e3) + 250.0  # the boost adds 250 s to the arc
    d = {"range_km": 3000.0, "apogee_km": 3000.0, "flight_time_s": t}
    rep = {"range_km": None, "apogee_km": 3000.0, "flight_time_s": t}
    (lo, hi) = derived_intervals(d, rep, {"apogee_km": 25.0, "flight_time_s": 30.0})["range_km"]

    def arc_range_km(apogee_km, t_s):
        a, b = 1e-4, 3.1
        for _ in range(100):
            m = 0.5 * (a + b)
            if float(kepler.arc_from_apogee(R_MEAN_M, apogee_km * 1e3, m)[2]) < t_s - 250.0:
                a = m
            else:
                b = m
        return 0.5 * (a + b) * R_MEAN_M / 1e3

    # a lower apogee and a longer time: the longest range; the reverse: the shortest
    assert hi == pytest.approx(arc_range_km(2975.0, t + 30.0), rel=2e-3)
    assert lo == pytest.approx(arc_range_km(3025.0, t - 30.0), rel=2e-3)
    assert lo < 3000.0 < hi and hi - lo > 1000.0
    # telemetry figures (to the 0.1 km and the second) leave it tight
    tight = derived_intervals(d, rep, {"apogee_km": 0.05, "flight_time_s": 0.5})["range_km"]
    assert tight[0] < 3000.0 < tight[1] and tight[1] - tight[0] < 0.05 * (hi - lo)
    # at a 6,000 km apogee, 30 s less than a 1,000 km arc's time reaches no range at all: the
    # span starts at the grid's shortest arc
    d6 = {"range_km": 1000.0, "apogee_km": 6000.0, "flight_time_s": 4200.0}
    rep6 = {"range_km": None, "apogee_km": 6000.0, "flight_time_s": 4200.0}
    assert derived_intervals(d6, rep6, {"apogee_km": 25.0, "flight_time_s": 30.0})["range_km"][
        0
    ] == pytest.approx(0.6, abs=0.1)
    # three reported figures: nothing is derived
    assert derived_intervals(d, {**rep, "range_km": 3000.0}) == {}


def test_a_range_bound_holds_anywhere_within_the_derived_span():
    """ "More than 1,000 km" against a range derived from an apogee and "about 70 minutes":
    the point value (800 km) misses the bound, but the rounding of the time lets the range
    reach past it; a span that ends below the bound's rounding still breaks it."""
    ex = SimpleNamespace(range_km=1000.0, bounds={"range_km": "lower"}, precision={})
    loose = {"range_km": 800.0, "derived_intervals": {"range_km": [300.0, 2500.0]}}
    (b,) = bound_checks(ex, loose, flown=False)
    assert b["holds"] and b["derived_interval"] == [300.0, 2500.0]
    short = {"range_km": 800.0, "derived_intervals": {"range_km": [700.0, 900.0]}}
    (b,) = bound_checks(ex, short, flown=False)
    assert not b["holds"]


def test_a_derived_range_is_compared_within_its_span():
    """Another authority's range inside what the first one's apogee and rounded time allow
    is no disagreement; one beyond it is flagged, with the span in the flag."""
    d = {"range_km": 700.0, "apogee_km": 6000.0, "flight_time_s": 4200.0}
    rep = {"range_km": None, "apogee_km": 6000.0, "flight_time_s": 4200.0}
    res = {**d, "derived_intervals": derived_intervals(d, rep, {"apogee_km": 100.0})}
    a = _rep(1, "Japan MoD", result=res, apogee_km=6000.0, flight_time_s=4200.0)
    inside = _rep(2, "ROK JCS", range_km=1000.0)
    assert "derived_vs_reported" not in _kinds(claim_flags([a, inside]))
    hi = res["derived_intervals"]["range_km"][1]
    beyond = _rep(2, "ROK JCS", range_km=round(2.0 * hi, -2))
    (f,) = [f for f in claim_flags([a, beyond]) if f["kind"] == "derived_vs_reported"]
    assert f["derived_interval"][1] == pytest.approx(hi, abs=0.1)
    assert "within their rounding" in f["summary"]


# -- ingestion ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("words", "bound", "holds"), [("more than 60", "lower", True), ("under 30", "upper", False)]
)
def test_a_flight_time_bound_is_checked_against_range_and_apogee(words, bound, holds):
    """A flight time stated as a bound, with a range and an apogee: the time is derived from
    the two figures and held against the bound (never flown as if it were the time)."""
    from launchwatch.record.ingest import reconstruct_report

    text = (
        LEAD + "It flew about 1,000 km into the East Sea, reaching an altitude of about "
        f"6,000 km, and was in the air for {words} minutes, the ministry said."
    )
    e = extract(text)
    assert e.bounds == {"flight_time_s": bound}
    rec, why = reconstruct_report(e, path=False)
    assert why is None
    assert rec["requested"]["flight_time_s"] is None  # derived, not flown at the bound
    (b,) = rec["bounds"]
    assert b["figure"] == "flight_time_s" and b["holds"] is holds and not b["flown"]
    r = _rep(1, "Japan MoD", {"bounds": e.bounds}, result=rec, flight_time_s=e.flight_time_s)
    assert ("bound_violated" in _kinds(claim_flags([r]))) is not holds


# -- whose figures ------------------------------------------------------------------------------
def test_a_broadcaster_citing_an_official_gives_the_officials_figures():
    """ "..., NHK reported, citing a Japanese defence ministry official": the figures are the
    ministry's, not a second source's beside it (read as two sources, the sentence did not
    count and the report took the JCS's name from a sentence without figures)."""
    text = (
        "SEOUL, March 3, 2025 -- North Korea fired a ballistic missile into the East Sea on "
        "Monday, South Korea's Joint Chiefs of Staff said. The missile flew about 1,200 km "
        "for 20 minutes, NHK reported, citing a Japanese defence ministry official."
    )
    e = extract(text)
    assert e.range_km == 1200.0 and e.flight_time_s == 1200.0
    assert e.authority == "Japan MoD"


def test_ingestion_gives_the_reconstruction_the_hours_rounding():
    """ "About an hour" with a range and an apogee: the joint verdict checks the time to the
    quarter hour the words say, not to the five minutes 3,600 s would."""
    from launchwatch.record.ingest import reconstruct_report

    text = (
        LEAD + "It flew about 1,000 km into the East Sea, reaching an altitude of about "
        "6,000 km, and was in the air for about an hour, the ministry said."
    )
    e = extract(text)
    rec, why = reconstruct_report(e, path=False)
    assert why is None
    (t,) = [c for c in rec["checks"] if c["figure"] == "flight_time_s"]
    assert t["precision"] == WHOLE_HOURS_HALFWIDTH_S
