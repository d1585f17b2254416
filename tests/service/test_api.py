"""The service API in-process (FastAPI TestClient): every endpoint, good and bad input.

Scenario runs use a fast stand-in for the chain (``conftest.fake_messages``); the real chain
runs in the browser test.
"""

from __future__ import annotations

import time

import pytest

STATEMENT = """North Korea fires missile into East Sea, military says
2025.11.07 13:40
SEOUL, Nov. 7 (Test Wire) -- North Korea fired a short-range ballistic missile into the East
Sea on Friday, South Korea's Joint Chiefs of Staff (JCS) said.
The JCS said it detected the launch from the Taekwan area of North Pyongan Province at around
12:35 p.m. The missile flew about 700 kilometers (435 miles), it said.
"""

REPORT = {
    "launch_date": "2025-11-07",
    "launch_time_local": "12:35",
    "utc_offset": "+09:00",
    "site": "Taekwan",
    "missile_class": "SRBM",
    "range_km": 700.0,
    "landing_area": "East Sea",
    "authority": "ROK JCS",
    "eez_claim": "outside",
}


def test_openapi_and_docs(client):
    spec = client.get("/openapi.json").json()
    for path in (
        "/api/events",
        "/api/events/{event_id}",
        "/api/events/ingest",
        "/api/scenarios",
        "/api/scenarios/{name}/run",
        "/api/runs",
        "/api/sites",
        "/api/zones/lines",
        "/api/areas",
    ):
        assert path in spec["paths"], path
    assert client.get("/docs").status_code == 200


def test_dashboard_and_static_files(client):
    r = client.get("/")
    assert r.status_code == 200 and 'id="verdict"' in r.text and "leaflet.js" in r.text
    for f in (
        "app.js",
        "style.css",
        "vendor/leaflet.js",
        "vendor/leaflet.css",
        "vendor/topojson-client.min.js",
        "vendor/countries-50m.json",
    ):
        assert client.get(f"/static/{f}").status_code == 200, f
    # nothing on the page is fetched from another host
    assert "http://" not in r.text and "https://" not in r.text


def test_create_get_list_and_duplicate(client):
    r = client.post("/api/events", json=REPORT)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["duplicate"] is False
    ev = body["event"]
    assert ev["site_name"] == "Taekwan" and ev["site_lat_deg"] == pytest.approx(40.22)
    assert ev["launch_time_utc"] == "2025-11-07T03:35:00"
    assert ev["confidence"] == "confirmed"
    # the same body again: the same event and report, 200
    again = client.post("/api/events", json=REPORT)
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert again.json()["event_id"] == body["event_id"]
    # a second authority disagreeing about the range joins the event
    other = dict(REPORT, authority="Japan MoD", range_km=450.0, apogee_km=50.0, missile_class=None)
    r2 = client.post("/api/events", json=other)
    assert r2.status_code == 201 and r2.json()["event_id"] == body["event_id"]
    ev = client.get(f"/api/events/{body['event_id']}").json()
    assert len(ev["reports"]) == 2
    assert ev["authorities"] == ["Japan MoD", "ROK JCS"]
    assert any(d["field"] == "range_km" for d in ev["disagreements"])
    assert client.get("/api/health").json()["events"] == 1


def test_filters_and_search(client):
    client.post("/api/events", json=REPORT)
    client.post(
        "/api/events",
        json={
            "launch_date": "2023-07-12",
            "site": "Pyongyang",
            "missile_class": "ICBM",
            "missile_name": "Hwasong-18",
            "authority": "Japan MoD",
        },
    )
    client.post(
        "/api/events",
        json={
            "launch_date": "2022-11-18",
            "site_lat_deg": 39.2,
            "site_lon_deg": 125.7,
            "site": "Sunan",
            "missile_class": "ICBM",
            "landing_area": "west of Oshima",
        },
    )
    dates = lambda r: [e["launch_date"] for e in r.json()]  # noqa: E731
    assert dates(client.get("/api/events")) == ["2022-11-18", "2023-07-12", "2025-11-07"]
    assert dates(client.get("/api/events", params={"since": "2023-01-01"})) == [
        "2023-07-12",
        "2025-11-07",
    ]
    assert dates(client.get("/api/events", params={"class": "icbm"})) == [
        "2022-11-18",
        "2023-07-12",
    ]
    assert dates(client.get("/api/events", params={"site": "Taekwan"})) == ["2025-11-07"]
    assert dates(client.get("/api/events", params={"q": "hwasong"})) == ["2023-07-12"]
    assert dates(client.get("/api/events", params={"q": "OSHIMA"})) == ["2022-11-18"]
    assert dates(client.get("/api/events", params={"q": "rok jcs"})) == ["2025-11-07"]
    assert client.get("/api/events", params={"q": "nothing like it"}).json() == []
    assert dates(client.get("/api/events", params={"limit": 1, "offset": 1})) == ["2023-07-12"]
    lean = client.get("/api/events", params={"reports": "false"}).json()
    assert all("reports" not in e for e in lean)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "launch_date"),
        ({"launch_date": "2025-13-40"}, "launch_date"),
        (
            {"launch_date": "2025-11-07", "launch_time_local": "25:00", "utc_offset": "+09:00"},
            "launch_time_local",
        ),
        ({"launch_date": "2025-11-07", "launch_time_local": "12:35"}, "utc_offset"),
        ({"launch_date": "2025-11-07", "range_km": -5}, "range_km"),
        ({"launch_date": "2025-11-07", "site_lat_deg": 40.0}, "site_lon_deg"),
        ({"launch_date": "2025-11-07", "missile_class": "SPACE"}, "missile_class"),
        ({"launch_date": "2025-11-07", "eez_claim": "maybe"}, "eez_claim"),
        ({"launch_date": "2025-11-07", "colour": "red"}, "colour"),
        (
            {"launch_date": "2025-11-07", "landing_lat_deg": 91, "landing_lon_deg": 0},
            "landing_lat_deg",
        ),
    ],
)
def test_bad_event_bodies(client, body, field):
    r = client.post("/api/events", json=body)
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert isinstance(detail, str) and field in detail and "\n" not in detail
    assert client.get("/api/health").json()["events"] == 0


def test_bad_requests_are_4xx(client):
    assert (
        client.post(
            "/api/events", content=b"{not json", headers={"content-type": "application/json"}
        ).status_code
        == 422
    )
    assert client.post("/api/events", json=[1, 2]).status_code == 422
    r = client.get("/api/events/999")
    assert r.status_code == 404 and r.json()["detail"] == "no event 999"
    assert client.get("/api/events/abc").status_code == 422
    assert client.get("/api/events/0").status_code == 422
    assert client.get("/api/events", params={"since": "yesterday"}).status_code == 422
    assert client.get("/api/events", params={"limit": 0}).status_code == 422
    r = client.get("/api/areas", params={"code": "XX-99"})
    assert r.status_code == 404 and "XX-99" in r.json()["detail"]
    assert client.get("/api/areas", params={"code": "<script>"}).status_code == 422
    assert client.get("/api/runs/5").status_code == 404
    r = client.post("/api/scenarios/no-such-thing/run")
    assert r.status_code == 404 and "reference-2025-11-07" in r.json()["detail"]
    assert (
        client.post("/api/scenarios/reference-2025-11-07/run", params={"speed": 0}).status_code
        == 422
    )
    assert (
        client.post("/api/scenarios/reference-2025-11-07/run", params={"speed": "fast"}).status_code
        == 422
    )


def test_ingest_text_and_duplicate(client):
    r = client.post(
        "/api/events/ingest",
        content=STATEMENT.encode(),
        headers={"content-type": "text/plain"},
        params={"reconstruct": "false"},
    )
    assert r.status_code == 201, r.text
    ev = r.json()["event"]
    assert ev["launch_date"] == "2025-11-07" and ev["site_name"] == "Taekwan"
    assert ev["reports"][0]["reported"]["range_km"] == 700
    # the same text (JSON form, different whitespace) is the same report
    again = client.post(
        "/api/events/ingest",
        json={"text": STATEMENT.replace("\n", " ")},
        params={"reconstruct": "false"},
    )
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert again.json()["event_id"] == r.json()["event_id"]
    assert client.get("/api/health").json()["reports"] == 1


def test_ingest_bad_input(client):
    r = client.post(
        "/api/events/ingest",
        content=b"The weather in Seoul was mild today.",
        headers={"content-type": "text/plain"},
    )
    assert r.status_code == 422 and "nothing stored" in r.json()["detail"]
    assert (
        client.post(
            "/api/events/ingest", content=b"   ", headers={"content-type": "text/plain"}
        ).status_code
        == 422
    )
    assert (
        client.post(
            "/api/events/ingest", content=b"\xff\xfe", headers={"content-type": "text/plain"}
        ).status_code
        == 400
    )
    assert client.post("/api/events/ingest", json={"txt": "x"}).status_code == 422
    assert (
        client.post(
            "/api/events/ingest", content=b"x", headers={"content-type": "image/png"}
        ).status_code
        == 415
    )
    assert client.get("/api/health").json()["events"] == 0


def test_map_layers(client):
    sites = client.get("/api/sites").json()
    names = {f["properties"]["name"] for f in sites["features"]}
    assert "Taekwan" in names
    areas = client.get("/api/areas", params={"code": "JP-01,KR-11"}).json()
    assert [f["properties"]["code"] for f in areas["features"]] == ["JP-01", "KR-11"]
    assert areas["features"][0]["properties"]["name"] == "Hokkaido"


def test_zone_lines(client):
    """EEZ lines: Japan's outer limit and lateral lines exist and lie at sea, and the line
    between Japan and South Korea runs through the Korea Strait."""
    fc = client.get("/api/zones/lines").json()
    by = {(f["properties"]["country"], f["properties"]["kind"]): f for f in fc["features"]}
    assert ("JPN", "limit") in by and ("JPN", "lateral") in by and ("KOR", "lateral") in by
    from launchwatch.earth.zones import classify

    pts = [p for line in by[("JPN", "lateral")]["geometry"]["coordinates"] for p in line]
    lon = [p[0] for p in pts]
    lat = [p[1] for p in pts]
    z = classify(lat, lon)
    assert (z.kind != "land").mean() > 0.99
    strait = [(x, y) for x, y in pts if 128.5 < x < 130.0 and 34.0 < y < 35.0]
    assert strait, "no Japan-Korea line in the Korea Strait"


def test_run_and_live_feed(client):
    with client.websocket_connect("/ws/live") as ws:
        hello = ws.receive_json()
        assert hello["type"] == "hello"
        r = client.post("/api/scenarios/reference-2025-11-07/run", params={"speed": 1000})
        assert r.status_code == 202
        run_id = r.json()["run_id"]
        types, states = [], []
        for _ in range(50):
            m = ws.receive_json()
            assert m["run_id"] == run_id
            types.append(m["type"])
            if m["type"] == "run":
                states.append(m["state"])
                if m["state"] == "done":
                    break
    assert states == ["queued", "computing", "replaying", "done"]
    assert types[types.index("scenario") : types.index("summary") + 1] == [
        "scenario",
        "track",
        "assessment",
        "summary",
    ]
    info = client.get(f"/api/runs/{run_id}").json()
    assert info["state"] == "done" and info["no_warning"] is True
    assert info["verdict"].startswith("no warning")
    # a client connecting afterwards gets the last run's backlog
    with client.websocket_connect("/ws/live") as ws:
        assert ws.receive_json()["type"] == "hello"
        got = [ws.receive_json()["type"] for _ in range(len(types))]
    assert got == types


def test_failed_run_is_reported(client, fake_runs):
    import launchwatch.sense.scenario as sc

    fake_runs.compute = lambda name: (_ for _ in ()).throw(RuntimeError("the chain failed"))
    r = client.post("/api/scenarios/" + sc.shipped_scenarios()[0] + "/run")
    run_id = r.json()["run_id"]
    for _ in range(100):
        info = client.get(f"/api/runs/{run_id}").json()
        if info["state"] in ("done", "failed"):
            break
        time.sleep(0.05)
    assert info["state"] == "failed" and "the chain failed" in info["error"]
    # the worker survives a failed run
    fake_runs.compute = __import__("tests.service.conftest", fromlist=["x"]).fake_messages
    r = client.post("/api/scenarios/reference-2025-11-07/run", params={"speed": 1000})
    for _ in range(100):
        if client.get(f"/api/runs/{r.json()['run_id']}").json()["state"] == "done":
            break
        time.sleep(0.05)
    assert client.get(f"/api/runs/{r.json()['run_id']}").json()["state"] == "done"


def test_too_many_queued_runs(client, fake_runs):
    import threading

    gate = threading.Event()
    fake_runs.compute = lambda name: (gate.wait(5), [])[1]
    codes = [client.post("/api/scenarios/salvo/run").status_code for _ in range(6)]
    gate.set()
    assert codes[:4] == [202] * 4 and 429 in codes[4:]


def test_vendored_front_end_matches_the_lock_file():
    """The committed front-end files are the versions web/package-lock.json pins
    (``make vendor`` refreshes them)."""
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    lock = json.loads((root / "web" / "package-lock.json").read_text())["packages"]
    vendor = root / "src" / "launchwatch" / "service" / "static" / "vendor"
    versions = dict(line.split() for line in (vendor / "VERSIONS").read_text().splitlines())
    assert versions == {
        p: lock[f"node_modules/{p}"]["version"]
        for p in ("leaflet", "topojson-client", "world-atlas", "swagger-ui-dist", "redoc")
    }


def _wait_done(client, run_id):
    for _ in range(200):
        info = client.get(f"/api/runs/{run_id}").json()
        if info["state"] in ("done", "failed"):
            return info
        time.sleep(0.05)
    raise AssertionError(f"run {run_id} did not finish: {info}")


def test_finished_run_is_stored_as_a_launch_event(client):
    """A finished run becomes its own (simulated) event in the record, with the run's site,
    class, missile apogee, range, flight time, predicted impact and zone verdict; a real
    report of the same date and site does not join it, and each run is its own event."""
    from launchwatch.earth import geodesy

    real = client.post("/api/events", json=REPORT).json()["event_id"]
    r = client.post("/api/scenarios/reference-2025-11-07/run", params={"speed": 1000})
    info = _wait_done(client, r.json()["run_id"])
    assert info["state"] == "done" and info["record_error"] is None
    ev = client.get(f"/api/events/{info['event_id']}").json()
    assert info["event_id"] != real
    assert ev["confidence"] == "simulated" and ev["authorities"] == ["launchwatch simulation"]
    assert (ev["launch_date"], ev["launch_time_local"], ev["utc_offset"]) == (
        "2025-11-07",
        "12:35",
        "+09:00",
    )
    assert ev["launch_time_utc"] == "2025-11-07T03:35:00"
    assert (ev["site_name"], ev["site_lat_deg"], ev["site_lon_deg"]) == ("Taekwan", 40.22, 125.22)
    assert (ev["missile_class"], ev["n_missiles"]) == ("SRBM", 1)
    assert (ev["landing_lat_deg"], ev["landing_lon_deg"]) == (40.05, 133.05)
    assert (ev["zone_kind"], ev["zone_country"]) == ("eez", "RUS")
    assert ev["landing_area"] == "predicted: EEZ of RUS, 40.05 N 133.05 E"
    rep = ev["reports"][0]
    assert rep["source"] == f"scenario:reference-2025-11-07#{info['run_id']}"
    got = rep["reported"]
    _, _, d = geodesy.inverse(40.22, 125.22, 40.05, 133.05)
    assert got["range_km"] == pytest.approx(d / 1e3, abs=0.1)
    assert got["apogee_km"] == 49.2 and got["flight_time_s"] == 495.0
    assert got["eez_claim"] == "outside" and got["missile_class"] == "SRBM"
    assert "not a real launch" in rep["notes"][0]
    # the real event is untouched; the record lists reported events only unless simulated
    # runs are asked for (the dashboard's table asks), and search finds the run among them
    assert client.get(f"/api/events/{real}").json()["authorities"] == ["ROK JCS"]
    assert [e["id"] for e in client.get("/api/events").json()] == [real]
    assert len(client.get("/api/events", params={"simulated": True}).json()) == 2
    found = client.get(
        "/api/events", params={"q": "LAUNCHWATCH simulation", "simulated": True}
    ).json()
    assert [e["id"] for e in found] == [info["event_id"]]
    # a report posted later for the same date and site joins the real event, not the run's
    later = client.post(
        "/api/events", json=dict(REPORT, authority="Japan MoD", range_km=450.0)
    ).json()
    assert later["event_id"] == real
    # a second run of the same scenario is another event
    r2 = client.post("/api/scenarios/reference-2025-11-07/run", params={"speed": 1000})
    info2 = _wait_done(client, r2.json()["run_id"])
    assert info2["event_id"] not in (None, real, info["event_id"])
    assert client.get("/api/health").json()["events"] == 3


def test_run_that_cannot_be_recorded_is_still_done(client, fake_runs):
    fake_runs.on_done = lambda run, msgs: (_ for _ in ()).throw(RuntimeError("disk full"))
    r = client.post("/api/scenarios/reference-2025-11-07/run", params={"speed": 1000})
    info = _wait_done(client, r.json()["run_id"])
    assert info["state"] == "done" and info["event_id"] is None
    assert "disk full" in info["record_error"]


def test_run_without_a_summary_records_nothing(store):
    from types import SimpleNamespace

    from launchwatch.service.archive import record_run

    run = SimpleNamespace(id=1, scenario="x", created=0.0)
    assert record_run(store, run, []) is None
    assert record_run(store, run, [{"type": "run", "state": "done"}]) is None
    assert store.count() == (0, 0)


def test_same_run_stored_twice_is_one_event(store):
    from types import SimpleNamespace

    from launchwatch.service.archive import record_run

    from .conftest import fake_messages

    run = SimpleNamespace(id=7, scenario="reference-2025-11-07", created=1.5)
    a = record_run(store, run, fake_messages(run.scenario))
    assert record_run(store, run, fake_messages(run.scenario)) == a
    assert store.count() == (1, 1)


def test_missile_apogee_survives_a_track_break():
    """The reference run's first track saw the ~50 km apogee, then broke; the track that took
    over sees only ~21 km of the descent. The missile's apogee stays the highest so far."""
    from types import SimpleNamespace

    import numpy as np

    from launchwatch.service.messages import missile_apogees

    def a(t, tracks, apogees_km):
        return SimpleNamespace(
            t_s=t, track_id=np.array(tracks), apogee_m=np.array(apogees_km, float) * 1e3
        )

    seq = [
        a(36, [1], [43.2]),
        a(128, [1], [49.2]),
        a(314, [3], [20.5]),
        a(316, [3, 9], [20.4, 80.0]),
    ]
    got = missile_apogees(seq, {1: 0, 3: 0, 9: 1})
    assert got == [{0: 43.2}, {0: 49.2}, {0: 49.2}, {0: 49.2, 1: 80.0}]
