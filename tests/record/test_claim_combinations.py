"""Claim checks on combinations written for these tests: a bound ("more than 1,000 km") is
not a figure, a miles figure keeps the rounding of its miles, an EEZ claim near the EEZ line
is not a disagreement, flight times given in minutes carry the minutes' rounding, and two
authorities' apogees are compared within both figures' rounding.  Reports here are plain
objects with the attributes claim_flags reads (no reconstruction flown), so each rule is seen
alone."""

import copy

import pytest

from launchwatch.flight import reconstruct as recon_mod
from launchwatch.flight.reconstruct import reported_halfwidth
from launchwatch.record.compare import claim_flags
from launchwatch.record.extract import extract

from .conftest import flag_kinds as _kinds
from .conftest import report as _rep

LEAD = "SEOUL, May 8, 2024 -- North Korea fired a ballistic missile from Sunan on Wednesday. "


# -- bounds ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "field", "bound"),
    [
        ("The missile flew more than 1,000 km, the JCS said.", "range_km", "lower"),
        ("It flew over 1,000 kilometres, the JCS said.", "range_km", "lower"),
        ("It reached an altitude of more than 6,000 km, the JCS said.", "apogee_km", "lower"),
        ("The missile flew up to 1,000 km, the JCS said.", "range_km", "upper"),
        ("The missile flew less than 500 km, the JCS said.", "range_km", "upper"),
        ("The missile flew about 1,000 km, the JCS said.", "range_km", None),
        ("The missile flew nearly 1,000 km, the JCS said.", "range_km", None),
    ],
)
def test_bounds_are_read_as_bounds(text, field, bound):
    e = extract(LEAD + text)
    assert getattr(e, field) is not None
    assert e.bounds.get(field) == bound


def test_a_lower_bound_agrees_with_a_figure_above_it():
    jcs = _rep(1, "ROK JCS", {"bounds": {"range_km": "lower"}}, range_km=500.0)
    mod = _rep(2, "Japan MoD", range_km=700.0)
    assert "authorities_disagree" not in _kinds(claim_flags([jcs, mod]))
    # The same two numbers as figures do disagree (200 km apart, rounding 25 + 50 km) ...
    jcs_fig = _rep(1, "ROK JCS", range_km=500.0)
    assert "authorities_disagree" in _kinds(claim_flags([jcs_fig, mod]))
    # ... and so does a lower bound above the other's figure.
    jcs_high = _rep(1, "ROK JCS", {"bounds": {"range_km": "lower"}}, range_km=900.0)
    flags = claim_flags([jcs_high, mod])
    (f,) = [f for f in flags if f["kind"] == "authorities_disagree"]
    assert "more than 900 km" in f["summary"]


def test_a_derived_figure_against_a_bound():
    derived = {"range_km": 1150.0, "apogee_km": 6000.0, "flight_time_s": 4100.0}
    a = _rep(1, "Japan MoD", result=derived, apogee_km=6000.0, flight_time_s=4100.0)
    more = _rep(2, "ROK JCS", {"bounds": {"range_km": "lower"}}, range_km=1000.0)
    about = _rep(2, "ROK JCS", range_km=1000.0)
    assert "derived_vs_reported" not in _kinds(claim_flags([a, more]))
    assert "derived_vs_reported" in _kinds(claim_flags([a, about]))


def test_a_bound_the_reports_own_figures_break_is_flagged():
    res = {
        "range_km": 1000.0,
        "apogee_km": 4200.0,
        "bounds": [
            {
                "figure": "apogee_km",
                "bound": "lower",
                "value": 6000.0,
                "derived": 4200.0,
                "holds": False,
                "flown": False,
            },
        ],
    }
    r = _rep(1, "ROK JCS", {"bounds": {"apogee_km": "lower"}}, result=res, apogee_km=6000.0)
    (f,) = [f for f in claim_flags([r]) if f["kind"] == "bound_violated"]
    assert f["value"] == 6000.0 and f["derived"] == 4200.0
    assert "more than 6,000 km" in f["summary"]


# -- figures in miles --------------------------------------------------------------------------
def test_miles_keep_their_rounding():
    e = extract(LEAD + "The missile flew some 600 miles, the JCS said.")
    assert e.range_km == pytest.approx(965.6, abs=0.1)
    assert e.precision["range_km"] == pytest.approx(50 * 1.609344, abs=0.1)
    km = extract(LEAD + "The missile flew some 600 km, the JCS said.")
    assert "range_km" not in km.precision
    # A derived 1,030 km is within "some 600 miles" (+-80 km) but not within 965.6 +- 0.05 km.
    derived = {"range_km": 1030.0}
    a = _rep(1, "Japan MoD", result=derived, apogee_km=6000.0)
    miles = _rep(2, "US officials", {"precision": {"range_km": 80.5}}, range_km=965.6)
    digits = _rep(2, "US officials", range_km=965.6)
    assert "derived_vs_reported" not in _kinds(claim_flags([a, miles]))
    assert "derived_vs_reported" in _kinds(claim_flags([a, digits]))


# -- EEZ claims near the line --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("claim", "p", "flagged"),
    [
        ("outside", 0.55, False),  # the description straddles the line: either claim holds
        ("inside", 0.45, False),
        ("outside", 0.90, True),  # the claim holds for a tenth of the described landing
        ("inside", 0.10, True),
        ("inside", 0.90, False),
        ("outside", 0.0, False),
    ],
)
def test_eez_claim_against_the_landing_spread(claim, p, flagged):
    res = {"zone_probabilities": {"described": {"p_jpn_eez": p}}}
    r = _rep(1, "Japan MoD", result=res, eez_claim=claim)
    assert ("eez_claim" in _kinds(claim_flags([r]))) is flagged


# -- flight times in minutes -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "seconds", "half"),
    [
        ("It flew for about 70 minutes, the JCS said.", 4200.0, 150.0),
        ("It flew for 71 minutes, the JCS said.", 4260.0, 30.0),
        ("It flew for about an hour and 10 minutes, the JCS said.", 4200.0, 150.0),
        ("It flew for about 1 hour 9 minutes, the JCS said.", 4140.0, 30.0),
    ],
)
def test_flight_time_in_minutes(text, seconds, half):
    e = extract(LEAD + text)
    assert e.flight_time_s == seconds
    assert reported_halfwidth("flight_time_s", e.flight_time_s) == half


def test_two_authorities_flight_times_within_their_minutes():
    # 69 min (+-30 s) against "about 70 minutes" (+-150 s): 60 s apart, no disagreement;
    # 66 min against 70 min: 240 s apart, beyond both roundings.
    a = _rep(1, "Japan MoD", flight_time_s=4140.0)
    b = _rep(2, "ROK JCS", flight_time_s=4200.0)
    c = _rep(2, "ROK JCS", flight_time_s=3960.0)
    assert "authorities_disagree" not in _kinds(claim_flags([a, b]))
    assert "authorities_disagree" not in _kinds(claim_flags([b, c]))  # 240 <= 150 + 150
    d = _rep(3, "US officials", flight_time_s=3600.0)
    assert "authorities_disagree" in _kinds(claim_flags([b, d]))


# -- two authorities' apogees ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("lo", "hi", "flagged"),
    [
        (6000.0, 6040.9, False),  # "about 6,000 km" and a figure to the tenth of a km
        (4475.0, 4500.0, False),
        (2000.0, 2800.0, True),
        (50.0, 100.0, True),
        (550.0, 560.0, False),
    ],
)
def test_two_authorities_apogees(lo, hi, flagged):
    a = _rep(1, "Japan MoD", apogee_km=lo)
    b = _rep(2, "KCNA", apogee_km=hi)
    flags = [f for f in claim_flags([a, b]) if f["kind"] == "authorities_disagree"]
    assert bool(flags) is flagged
    if flagged:
        assert flags[0]["gap"] == hi - lo and flags[0]["figure"] == "apogee_km"


def test_a_sea_area_heading_does_not_contradict_an_eez_claim():
    """The derived impact of a shot whose heading is only "towards the East Sea" says little
    about which side of the EEZ line it fell: no flag; with a landing point it does."""
    derived = {"derived": {"p_jpn_eez": 0.0}}
    sea = _rep(
        1,
        "ROK JCS",
        result={"zone_probabilities": derived, "toward": "East Sea"},
        eez_claim="inside",
    )
    assert "eez_claim" not in _kinds(claim_flags([sea]))
    aimed = _rep(
        1, "ROK JCS", result={"zone_probabilities": derived, "toward": None}, eez_claim="inside"
    )
    assert "eez_claim" in _kinds(claim_flags([aimed]))


@pytest.fixture(scope="module")
def reconstruct_once():
    """The flight reconstructions of this module's ingestion tests, each made once: both bounds'
    statements report the same range and flight time (the bound is not flown), so the second
    takes a copy of the first's reconstruction.  Calls with a landing description fly as
    usual (its sampled points are not a key)."""
    real = recon_mod.reconstruct
    made: dict[str, object] = {}

    def once(**kw):
        if kw.get("landing") is not None:
            return real(**kw)
        key = repr(sorted(kw.items()))
        if key not in made:
            made[key] = real(**kw)
        return copy.deepcopy(made[key])

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(recon_mod, "reconstruct", once)
        yield made


@pytest.mark.parametrize(("bound_km", "holds"), [(5000.0, True), (8000.0, False)])
def test_ingestion_reconstructs_from_the_figures_and_checks_the_bound(
    bound_km, holds, reconstruct_once
):
    """ "More than N km" apogee with a range and a flight time: the apogee is derived from the
    two figures (the bound is not flown), then held against the bound."""
    from launchwatch.record.ingest import reconstruct_report

    text = (
        LEAD + "It flew about 1,000 km into the East Sea, reaching an altitude of more than "
        f"{bound_km:,.0f} km, and was in the air for about 69 minutes, the JCS said."
    )
    e = extract(text)
    assert e.bounds == {"apogee_km": "lower"} and e.apogee_km == bound_km
    rec, why = reconstruct_report(e, path=False)
    assert why is None
    assert len(reconstruct_once) == 1  # the two bounds' statements share one reconstruction
    assert rec["requested"]["apogee_km"] is None  # derived, not flown at the bound
    (b,) = rec["bounds"]
    assert b["figure"] == "apogee_km" and b["holds"] is holds and not b["flown"]
    r = _rep(1, "ROK JCS", {"bounds": e.bounds}, result=rec, apogee_km=bound_km)
    assert ("bound_violated" in _kinds(claim_flags([r]))) is not holds
