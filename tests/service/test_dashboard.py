"""The dashboard in a real browser: Debian's chromium, headless, driven by Playwright.

The service runs the real chain over the reference scenario (2025-11-07, Taekwan, ~700 km into
the East Sea, no warning); the page must draw the confirmed track, the 95 % impact ellipse and
the "no warning" verdict, show the missile's apogee, and list the finished run in the records
table, with no request leaving the loopback interface. A screenshot is saved
to ``tests/service/artifacts/dashboard.png``.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from launchwatch.service.app import create_app

from .conftest import LiveServer

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).parent / "artifacts"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Debian chromium not installed: apt-get update && apt-get install -y chromium "
           "(.ci/run does)")


@pytest.fixture
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


def test_reference_run_in_the_dashboard(store, browser, tmp_path):
    with LiveServer(create_app(store)) as srv:
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        outside, errors = [], []

        def offline(route):
            host = urlsplit(route.request.url).hostname
            if host not in ("127.0.0.1", "localhost"):
                outside.append(route.request.url)
                return route.abort()
            return route.continue_()

        import httpx

        for body in ({"launch_date": "2025-11-07", "launch_time_local": "12:35",
                      "utc_offset": "+09:00", "site": "Taekwan", "missile_class": "SRBM",
                      "range_km": 700, "landing_area": "East Sea", "authority": "ROK JCS"},
                     {"launch_date": "2025-11-07", "site": "Taekwan", "range_km": 450,
                      "apogee_km": 50, "authority": "Japan MoD"},
                     {"launch_date": "2023-07-12", "launch_time_local": "10:00",
                      "utc_offset": "+09:00", "site": "Pyongyang", "missile_class": "ICBM",
                      "missile_name": "Hwasong-18", "landing_lat_deg": 40.5,
                      "landing_lon_deg": 134.2, "authority": "Japan MoD"}):
            assert httpx.post(srv.url + "/api/events", json=body, timeout=60).status_code == 201
        page.route("**/*", offline)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(srv.url + "/")
        page.wait_for_selector("#scenario option[value='reference-2025-11-07']", state="attached")
        page.wait_for_selector("path.lw-land", state="attached")  # the offline base map
        page.wait_for_selector("path.lw-eez", state="attached", timeout=60_000)
        page.select_option("#scenario", "reference-2025-11-07")
        page.fill("#speed", "120")
        page.click("#run")
        page.wait_for_selector("body[data-run-state='replaying']", timeout=150_000)
        page.wait_for_selector("path.lw-track", state="attached", timeout=60_000)
        page.wait_for_selector("body[data-run-state='done']", timeout=60_000)
        page.wait_for_timeout(500)  # fitBounds animation

        assert page.locator("path.lw-track").count() >= 1
        assert page.locator("path.lw-ellipse").count() >= 1
        assert page.locator("path.lw-predicted").count() >= 1
        assert page.locator("path.lw-warned").count() == 0
        verdict = page.inner_text("#verdict")
        assert verdict.startswith("no warning"), verdict
        assert "predicted impact in" in verdict
        # one ellipse (the track that broke early has no stale one), a closed path on the map
        assert page.locator("path.lw-ellipse").count() == 1
        d = page.get_attribute("path.lw-ellipse", "d")
        assert d and d.startswith("M") and d.endswith("z") and d.count("L") >= 2
        timeline = page.inner_text("#timeline")
        assert "first confirmed track" in timeline and "no warning" in timeline
        assert page.inner_text("#status").endswith("run finished")

        # the impact-prediction panel gives the missile's apogee (~50 km, seen by the first
        # track before it broke), not the ~21 km of the track that took over for the descent
        apogee = page.inner_text("#pred-apogee")
        assert 45 <= float(apogee.split()[0]) <= 55 and "(M1)" in apogee, apogee

        # the records table: the two events posted (the 2025-11-07 one with its range
        # disagreement) and the finished run, stored as its own simulated event
        page.wait_for_function("document.querySelectorAll('#events tbody tr').length === 3")
        rows = page.locator("#events tbody tr")
        texts = [rows.nth(i).inner_text() for i in range(3)]
        sim = [t for t in texts if "launchwatch simulation" in t]
        assert len(sim) == 1 and "Taekwan" in sim[0] and "SRBM" in sim[0], texts
        assert "EEZ of RUS" in sim[0], sim
        assert any("1 field" in t and "ROK JCS" in t for t in texts), texts
        shot = tmp_path / "dashboard.png"
        page.screenshot(path=str(shot))
        ARTIFACTS.mkdir(exist_ok=True)
        shutil.copy(shot, ARTIFACTS / "dashboard.png")
        page.fill("#event-search", "hwasong")
        page.wait_for_function("document.querySelectorAll('#events tbody tr').length === 1")
        assert "Pyongyang" in page.inner_text("#events tbody")
        assert not outside, f"requests left the machine: {outside[:3]}"
        assert not errors, errors
