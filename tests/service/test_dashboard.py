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
from launchwatch.service.live import run_scenario

from .conftest import FAST, Held, LiveServer, bearer

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).parent / "artifacts"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Debian chromium not installed: apt-get update && apt-get install -y chromium "
    "(.ci/run does)",
)


def expect(locator):
    from playwright.sync_api import expect as _expect

    return _expect(locator)


@pytest.fixture
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


def test_reference_run_in_the_dashboard(store, browser, tmp_path, keyring):
    # the service's own chain; the replay holds once a track is out, until the page drew it
    held = Held(lambda log: any(m["type"] == "assessment" and m["predictions"] for m in log))
    runs = held.manager(run_scenario)
    with LiveServer(create_app(store, runs=runs, keys=keyring, limits=FAST)) as srv:
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        outside, errors = [], []

        def offline(route):
            host = urlsplit(route.request.url).hostname
            if host not in ("127.0.0.1", "localhost"):
                outside.append(route.request.url)
                return route.abort()
            return route.continue_()

        import httpx

        for body in (
            {
                "launch_date": "2025-11-07",
                "launch_time_local": "12:35",
                "utc_offset": "+09:00",
                "site": "Taekwan",
                "missile_class": "SRBM",
                "range_km": 700,
                "landing_area": "East Sea",
                "authority": "ROK JCS",
            },
            {
                "launch_date": "2025-11-07",
                "site": "Taekwan",
                "range_km": 450,
                "apogee_km": 50,
                "authority": "Japan MoD",
            },
            {
                "launch_date": "2023-07-12",
                "launch_time_local": "10:00",
                "utc_offset": "+09:00",
                "site": "Pyongyang",
                "missile_class": "ICBM",
                "missile_name": "Hwasong-18",
                "landing_lat_deg": 40.5,
                "landing_lon_deg": 134.2,
                "authority": "Japan MoD",
            },
        ):
            assert (
                httpx.post(
                    srv.url + "/api/events",
                    json=body,
                    timeout=60,
                    headers=bearer(keyring.keys["writer"]),
                ).status_code
                == 201
            )
        page.route("**/*", offline)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(srv.url + "/")
        page.wait_for_selector("#scenario option[value='reference-2025-11-07']", state="attached")
        page.wait_for_selector("path.lw-land", state="attached")  # the offline base map
        page.wait_for_selector("path.lw-eez", state="attached", timeout=60_000)
        page.fill("#api-key", keyring.keys["operator"])  # a pasted key, kept for the tab
        page.click("#key-set")
        page.wait_for_selector("body[data-key='set']", state="attached")
        page.select_option("#scenario", "reference-2025-11-07")
        page.fill("#speed", "120")
        page.click("#run")
        page.wait_for_selector("body[data-run-state='replaying']", timeout=150_000)
        page.wait_for_selector("path.lw-track", state="attached", timeout=60_000)
        held.release()
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
        # disagreement); the finished run, stored as its own simulated event, only on request
        expect(page.locator("#events tbody tr")).to_have_count(2)  # (no eval: the CSP)
        assert "launchwatch simulation" not in page.inner_text("#events tbody")
        page.check("#show-simulated")
        expect(page.locator("#events tbody tr")).to_have_count(3)
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
        expect(page.locator("#events tbody tr")).to_have_count(1)
        assert "Pyongyang" in page.inner_text("#events tbody")
        assert not outside, f"requests left the machine: {outside[:3]}"
        assert not errors, errors


#: Each payload of the stored-XSS finding, aimed at ``window.__pwned``.
PAYLOADS = [
    "<img src=x onerror=\"window.__pwned='img'\">",
    "<iframe srcdoc=\"<script>parent.__pwned='iframe'</script>\"></iframe>",
    "<svg onload=\"window.__pwned='svg'\"></svg>",
    "<script>window.__pwned='script'</script>",
    "\"><img src=x onerror=window.__pwned='attr'>",
    "<a href=\"javascript:window.__pwned='href'\">x</a>",
]


def test_stored_xss_never_runs(store, browser, keyring, fake_runs):
    """Every payload stored through the API, in the fields the map tooltips and the records
    table show, reaches the page as text: hovering every marker runs none of them, the text is
    shown literally, and an inline script injected into the page is blocked by the CSP."""
    import httpx

    with LiveServer(create_app(store, runs=fake_runs, keys=keyring, limits=FAST)) as srv:
        for i, p in enumerate(PAYLOADS):
            body = {
                "launch_date": f"2024-01-{i + 1:02d}",
                "site": p[:80],
                "landing_area": p,
                "landing_lat_deg": 39.0 + i * 0.3,
                "landing_lon_deg": 131.0 + i * 0.3,
                "authority": p[:40],
                "missile_name": p[:80],
            }
            r = httpx.post(
                srv.url + "/api/events",
                json=body,
                timeout=60,
                headers=bearer(keyring.keys["writer"]),
            )
            assert r.status_code == 201, r.text
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        errors, violations = [], []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on(
            "console",
            lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
        )
        page.goto(srv.url + "/")
        n = len(PAYLOADS)
        expect(page.locator("#events tbody tr")).to_have_count(n)
        page.wait_for_selector("path.lw-event", state="attached")
        markers = page.locator("path.lw-event")
        assert markers.count() == n
        shown = page.inner_text("#events tbody")
        for i in range(n):  # each tooltip opens on hover (and closes on the next one)
            markers.nth(i).hover(force=True)
            tip = page.locator(".leaflet-tooltip").last
            tip.wait_for(state="attached")
            shown += " " + tip.inner_text()
        for p in PAYLOADS:
            assert p[:40] in shown  # shown as text, not markup
        assert (
            page.locator(
                "#events img, #events iframe, #events svg, #events script, "
                ".leaflet-tooltip img, .leaflet-tooltip iframe, "
                ".leaflet-tooltip svg"
            ).count()
            == 0
        )
        page.wait_for_timeout(300)
        assert page.evaluate("window.__pwned") is None
        # the CSP itself: an inline script added to the page does not run
        page.evaluate("""() => { const s = document.createElement('script');
                                 s.textContent = "window.__pwned = 'inline'";
                                 document.body.append(s); }""")
        page.wait_for_timeout(200)
        assert page.evaluate("window.__pwned") is None
        assert any("script-src" in v for v in violations), violations
        assert not errors, errors
