"""Claim checking on stored events: the 2025-11-07 pair (ROK JCS ~700 km; Japan ~450 km and
~50 km apogee) and an EEZ claim that the landing description contradicts."""

import pytest

from launchwatch.record import compare
from launchwatch.record.ingest import ingest_text
from launchwatch.record.store import Store
from launchwatch.record.views import event_dict

from .conftest import statement

#: Japan's 2022-11-18 statement with its EEZ claim turned around: "outside", yet "about 200 km
#: west of Oshima-Oshima" lies in Japan's EEZ for most of its spread.
OUTSIDE_BUT_INSIDE = statement("japan_mod_2022-11-18.txt").replace(
    "inside Japan's EEZ", "outside Japan's EEZ"
)


@pytest.fixture(scope="module")
def events(tmp_path_factory):
    db = tmp_path_factory.mktemp("claims") / "record.db"
    with Store(f"sqlite:///{db}") as st:
        a = ingest_text(st, statement("rok_jcs_2025-11-07.txt"))
        j = ingest_text(st, statement("japan_mod_2025-11-07.txt"))
        b = ingest_text(st, OUTSIDE_BUT_INSIDE)
        stored = next(r for r in st.event(a.event_id).reports if r.id == j.report_ids[0])
        misses = compare._glide_shot.cache_info().misses
        views = event_dict(st.event(a.event_id)), event_dict(st.event(b.event_id))
        # viewing flew nothing: the glide reading was flown at ingestion and stored
        assert compare._glide_shot.cache_info().misses == misses
        yield (*views, stored.reconstruction.result)


def test_glide_reading_is_stored_at_ingestion(events):
    *_, japan = events
    (entry,) = japan["glide_readings"]
    assert entry["flyable"] and entry["quasi_ballistic"]
    assert entry["key"][3:] == [700.0, 50.0]  # ROK JCS's range at Japan's apogee
    assert len(entry["path"]) > 100


def test_2025_11_07_disagreement_with_a_physical_reading(events):
    ev, *_ = events
    kinds = {f["kind"] for f in ev["flags"]}
    assert "authorities_disagree" in kinds and "derived_vs_reported" in kinds
    dis = next(f for f in ev["flags"] if f["kind"] == "authorities_disagree")
    assert {v["value"] for v in dis["values"]} == {700.0, 450.0} and dis["gap"] == 250.0
    fitting = [r for r in dis["readings"] if r["fits"]]
    assert any(r["reading"] == "pull-up glide measured to different points" for r in fitting)
    glide = next(r for r in fitting if r["reading"].startswith("pull-up"))
    # The 700 km flight at Japan's 50 km apogee is still low in its glide at 450 km.
    assert 0.0 < glide["altitude_at_short_range_km"] < 60.0
    apo = next(f for f in ev["flags"] if f["kind"] == "derived_vs_reported")
    assert apo["figure"] == "apogee_km" and apo["reported"] == 50.0 and apo["derived"] > 100.0


def test_eez_claim_against_the_described_landing(events):
    _, ev, _ = events
    flag = next(f for f in ev["flags"] if f["kind"] == "eez_claim")
    assert flag["claim"] == "outside" and flag["p_jpn_eez"] > 0.5
    assert flag["basis"] == "described landing"
