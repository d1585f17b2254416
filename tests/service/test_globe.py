"""The 3-D view of a recorded event (issue 17): ``/api/events/ID/czml`` gives the event's
reconstructed trajectories as CZML, and ``/static/globe.html?event=ID`` shows them on CesiumJS
with its bundled imagery, in a real browser with every non-loopback request blocked. CesiumJS is
not committed (about 10 MB): ``make vendor-cesium`` copies it; without it the browser test is
skipped and the dashboard offers no 3-D view."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from launchwatch.service.app import STATIC, create_app

from .conftest import FAST, LiveServer, bearer
from .test_dashboard import ARTIFACTS, CHROMIUM, browser  # noqa: F401 (fixture)

STATEMENT = Path(__file__).parents[1] / "record" / "statements" / "japan_mod_2022-11-18.txt"
CESIUM = Path(str(STATIC)) / "vendor" / "cesium" / "Cesium.js"


def _ingest(url_or_client, key):
    post = url_or_client.post if not isinstance(url_or_client, str) else None
    body = STATEMENT.read_text()
    headers = {"Content-Type": "text/plain", **key}
    if post is not None:
        r = post("/api/events/ingest", content=body, headers=headers)
    else:
        r = httpx.post(url_or_client + "/api/events/ingest", content=body, headers=headers,
                       timeout=120)  # fmt: skip
    assert r.status_code == 201, r.text
    return r.json()["event_id"]


def test_event_czml(client, anon):
    eid = _ingest(client, {})
    r = anon.get(f"/api/events/{eid}/czml")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    packets = json.loads(r.text)
    assert packets[0]["id"] == "document"
    flights = [p for p in packets if "path" in p]
    assert len(flights) == 1
    # a lofted ICBM: the trajectory stands up thousands of km (heights in metres)
    heights = flights[0]["position"]["cartographicDegrees"][3::4]
    assert 4.0e6 < max(heights) < 8.0e6
    assert anon.get("/api/events/999/czml").status_code == 404
    assert anon.get("/api/events/0/czml").status_code == 422


def test_only_the_globe_page_may_eval(anon):
    globe = anon.get("/static/globe.html").headers["content-security-policy"]
    dash = anon.get("/").headers["content-security-policy"]
    assert "'unsafe-eval'" in globe and "'unsafe-eval'" not in dash
    for csp in (globe, dash):  # nothing from elsewhere either way
        assert "http" not in csp and "*" not in csp


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed")
@pytest.mark.skipif(not CESIUM.exists(), reason="CesiumJS not vendored: make vendor-cesium")
def test_globe_offline_from_the_dashboard(store, keyring, browser):  # noqa: F811
    outside, errors = [], []

    def offline(route):
        if urlsplit(route.request.url).hostname not in ("127.0.0.1", "localhost"):
            outside.append(route.request.url)
            return route.abort()
        return route.continue_()

    with LiveServer(create_app(store, keys=keyring, limits=FAST)) as srv:
        eid = _ingest(srv.url, bearer(keyring.keys["writer"]))
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.route("**/*", offline)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(srv.url + "/")
        row = page.locator(f"#events tbody tr[data-id='{eid}']")
        row.click()
        page.wait_for_selector("#event-3d", state="visible", timeout=30_000)
        href = page.get_attribute("#event-3d", "href")
        assert href == f"/static/globe.html?event={eid}"
        page.goto(srv.url + href)
        page.wait_for_selector("body[data-ready], body[data-error]", state="attached",
                               timeout=180_000)  # fmt: skip
        assert page.evaluate("document.body.dataset.error") is None, page.inner_text("body")
        assert page.inner_text("#globe-state") == "1 reconstructed trajectory"
        assert page.inner_text("#globe-title") == "2022-11-18 Pyongyang — ICBM"
        assert page.locator("canvas").count() >= 1
        page.wait_for_timeout(3000)  # imagery tiles
        page.screenshot(path=str(ARTIFACTS / "globe.png"))
        page.goto(srv.url + "/static/globe.html?event=abc")
        page.wait_for_selector("body[data-error]", state="attached", timeout=60_000)
        page.close()
    assert not outside, outside[:3]
    assert not errors, errors
