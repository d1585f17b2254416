"""Ingestion end to end (extraction, reconstruction, zone, store) and import/export.

The reconstructions take about a second each: one module-scoped record is built once."""

import datetime as dt
import json

import pytest

from launchwatch.record import exchange
from launchwatch.record.ingest import IngestError, ingest_text
from launchwatch.record.store import Store
from launchwatch.record.views import event_dict

from .conftest import statement

NAMES = ["rok_jcs_2025-11-07", "japan_mod_2025-11-07", "japan_mod_2022-11-18", "kcna_2022-11-19"]


@pytest.fixture(scope="module")
def record(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('rec') / 'records.sqlite3'}"
    st = Store(url)
    results = {n: ingest_text(st, statement(f"{n}.txt"), source=f"{n}.txt") for n in NAMES}
    yield st, results
    st.close()


def _without_ids(csv_text):
    """CSV rows without the database ids (a fresh database numbers events anew)."""
    import csv
    import io

    return [
        {k: v for k, v in r.items() if k not in ("event_id", "report_id")}
        for r in csv.DictReader(io.StringIO(csv_text))
    ]


def _fresh(tmp_path, name):
    return Store(f"sqlite:///{tmp_path / name}")


def test_events_and_reports(record):
    st, res = record
    assert st.count() == (2, 4)
    assert res["rok_jcs_2025-11-07"].event_id == res["japan_mod_2025-11-07"].event_id
    assert res["japan_mod_2022-11-18"].event_id == res["kcna_2022-11-19"].event_id
    ev = event_dict(st.event(res["rok_jcs_2025-11-07"].event_id))
    assert ev["launch_date"] == "2025-11-07" and ev["site_name"] == "Taekwan"
    assert ev["launch_time_utc"] == "2025-11-07T03:35:00" and ev["confidence"] == "confirmed"
    assert ev["authorities"] == ["Japan MoD", "ROK JCS"]
    assert [d["summary"] for d in ev["disagreements"]] == [
        "range 700 km (ROK JCS) vs 450 km (Japan MoD)"
    ]
    assert ev["landing_lat_deg"] is not None and ev["zone_kind"] is not None


def test_derived_figures(record):
    st, res = record
    ev = st.event(res["rok_jcs_2025-11-07"].event_id)
    jcs, mod = ev.reports
    d = jcs.reconstruction.result
    assert d["range_km"] == pytest.approx(700, rel=0.01) and d["range_class"] == "SRBM"
    assert d["impact_time"].startswith("2025-11-07T12:4")
    path = d["path"]
    assert len(path) >= 100 and path[0][0] == 0.0
    assert path[0][1] == pytest.approx(40.22, abs=0.01) and path[0][3] < 1.0
    assert path[-1][1] == pytest.approx(d["impact_lat"], abs=0.05)
    assert max(p[3] for p in path) == pytest.approx(d["apogee_km"] * 1e3, rel=0.02)
    m = mod.reconstruction.result
    assert m["apogee_km"] == pytest.approx(50, rel=0.02)  # the reported apogee is flown


def test_hwasong17_flight_time_and_zone(record):
    """Reconstructed from range and apogee only, the 2022-11-18 Hwasong-17 flies for ~69
    minutes as Japan reported, and lands in Japan's EEZ as Japan said."""
    st, res = record
    ev = st.event(res["japan_mod_2022-11-18"].event_id)
    mod = next(r for r in ev.reports if r.authority == "Japan MoD")
    rec = mod.reconstruction
    assert rec.flight_time_s == pytest.approx(69 * 60, rel=0.03)
    assert rec.range_class == "ICBM"
    assert (rec.zone_kind, rec.zone_country) == ("eez", "JPN")
    assert mod.eez_claim == "inside"
    kcna = next(r for r in ev.reports if r.authority == "KCNA")
    assert kcna.reconstruction.flight_time_s == pytest.approx(4135, rel=0.03)


def test_same_text_twice_is_a_duplicate(record):
    st, res = record
    again = ingest_text(st, statement("rok_jcs_2025-11-07.txt") + "\n\n")
    assert again.duplicate and again.event_id == res["rok_jcs_2025-11-07"].event_id
    assert again.report_ids == res["rok_jcs_2025-11-07"].report_ids
    assert st.count() == (2, 4)


def test_no_launch_stores_nothing(record):
    st, _ = record
    with pytest.raises(IngestError, match="no missile launch"):
        ingest_text(st, statement("no_launch.txt"))
    assert st.count() == (2, 4)


def test_wire_story_quoting_two_authorities_gives_two_reports(tmp_path):
    with _fresh(tmp_path, "wire.sqlite3") as st:
        r = ingest_text(st, statement("reuters_2025-11-07.txt"), reconstruct=False, zones=False)
        assert len(r.report_ids) == 2 and st.count() == (1, 2)
        ev = event_dict(st.event(r.event_id))
        assert [(x["authority"], x["outlet"]) for x in ev["reports"]] == [
            ("ROK JCS", "Reuters"),
            ("Japan MoD", "Reuters"),
        ]
        assert ev["reports"][1]["reported"]["eez_claim"] == "outside"
        assert [d["summary"] for d in ev["disagreements"]] == [
            "range 700 km (ROK JCS) vs 450 km (Japan MoD)"
        ]
        again = ingest_text(st, statement("reuters_2025-11-07.txt"))
        assert again.duplicate and again.report_ids == r.report_ids


def test_csv_round_trip(record, tmp_path):
    st, _ = record
    text = exchange.to_csv(st.events())
    assert text.count("\n") == 5  # header + 4 reports
    with _fresh(tmp_path, "csv.sqlite3") as other:
        assert exchange.import_rows(other, exchange.read_any(text, "x.csv")) == (4, 0)
        assert _without_ids(exchange.to_csv(other.events())) == _without_ids(text)
        assert exchange.import_rows(other, exchange.read_csv(text)) == (0, 4)


def test_geojson_round_trip(record, tmp_path):
    st, _ = record
    text = exchange.to_geojson(st.events())
    doc = json.loads(text)
    kinds = [f["properties"]["feature"] for f in doc["features"]]
    assert kinds.count("launch") == 4 and kinds.count("landing") == 4
    assert kinds.count("ground_track") == 4
    launch = next(
        f
        for f in doc["features"]
        if f["properties"]["authority"] == "ROK JCS" and f["properties"]["feature"] == "launch"
    )
    assert launch["geometry"]["coordinates"] == pytest.approx([125.22, 40.22])
    assert launch["properties"]["range_km"] == 700.0  # numbers as numbers (issue 17)
    assert isinstance(launch["properties"]["event_id"], int)
    track = next(
        f
        for f in doc["features"]
        if f["properties"]["authority"] == "ROK JCS"
        and f["properties"]["feature"] == "ground_track"
    )
    line = track["geometry"]["coordinates"]
    assert track["geometry"]["type"] == "LineString" and len(line) > 10
    # the line starts at the launch site and ends at the landing point of the same report
    landing = next(
        f
        for f in doc["features"]
        if f["properties"]["authority"] == "ROK JCS" and f["properties"]["feature"] == "landing"
    )
    assert line[0] == pytest.approx([125.22, 40.22], abs=0.01)
    assert line[-1] == pytest.approx(landing["geometry"]["coordinates"], abs=0.05)
    assert track["properties"]["range_km"] == pytest.approx(700.0, rel=0.02)
    with _fresh(tmp_path, "geo.sqlite3") as other:
        assert exchange.import_rows(other, exchange.read_any(text, "x.geojson")) == (4, 0)
        assert _without_ids(exchange.to_csv(other.events())) == _without_ids(
            exchange.to_csv(st.events())
        )


def test_czml(record):
    st, _ = record
    packets = json.loads(exchange.to_czml(st.events()))
    assert packets[0]["id"] == "document" and packets[0]["version"] == "1.0"
    traj = [p for p in packets[1:] if "position" in p]
    assert len(traj) == 4
    for p in traj:
        xs = p["position"]["cartographicDegrees"]
        assert len(xs) % 4 == 0 and len(xs) >= 400
        times = xs[0::4]
        assert times == sorted(times) and times[0] == 0.0
        assert all(-90 <= lat <= 90 for lat in xs[2::4])
    jcs = next(p for p in traj if "ROK JCS" in p["name"])
    assert jcs["position"]["epoch"].startswith("2025-11-07T03:35:00")


def test_czml_flies_a_reconstruction_without_a_stored_path(record, tmp_path):
    st, res = record
    ev = st.event(res["rok_jcs_2025-11-07"].event_id)
    rows = [r for r in exchange.rows([ev]) if r["authority"] == "ROK JCS"]
    d = json.loads(rows[0]["derived_json"])
    stored = d.pop("path")
    rows[0]["derived_json"] = json.dumps(d)
    with _fresh(tmp_path, "nopath.sqlite3") as other:
        exchange.import_rows(other, rows)
        packets = json.loads(exchange.to_czml(other.events()))
    xs = packets[1]["position"]["cartographicDegrees"]
    assert xs[-3] == pytest.approx(stored[-1][2], abs=0.02)  # same impact longitude


def test_bad_rows_store_nothing(tmp_path):
    with _fresh(tmp_path, "bad.sqlite3") as st:
        good = {"text_hash": "a" * 64, "launch_date": "2025-11-07"}
        with pytest.raises(exchange.RecordError, match="row 3: range_km"):
            exchange.import_rows(st, [good, {**good, "text_hash": "b" * 64, "range_km": "far"}])
        with pytest.raises(exchange.RecordError, match="launch_date"):
            exchange.import_rows(st, [{**good, "launch_date": "7/11/2025"}])
        with pytest.raises(exchange.RecordError, match="FeatureCollection"):
            exchange.read_geojson('{"type": "Feature"}')
        assert st.count() == (0, 0)
        assert dt.date  # noqa: B018 (keeps the import honest for readers)
