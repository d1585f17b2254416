"""Offline API docs (issue 17): /docs (Swagger UI) and /redoc render in a real browser with
every non-loopback request blocked, from the assets vendored from npm."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from launchwatch.service.app import create_app

from .conftest import LiveServer
from .test_dashboard import ARTIFACTS, CHROMIUM, browser  # noqa: F401 (fixture)

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed")


def _offline_page(browser, outside):  # noqa: F811
    page = browser.new_page(viewport={"width": 1280, "height": 900})

    def offline(route):
        if urlsplit(route.request.url).hostname not in ("127.0.0.1", "localhost"):
            outside.append(route.request.url)
            return route.abort()
        return route.continue_()

    page.route("**/*", offline)
    return page


def test_docs_and_redoc_render_offline(app, browser):  # noqa: F811
    outside, errors = [], []
    with LiveServer(app) as srv:
        page = _offline_page(browser, outside)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(srv.url + "/docs")
        # Swagger UI drew the API from /openapi.json: operations of every tag are on the page
        page.wait_for_selector(".swagger-ui .opblock-tag", timeout=30_000)
        assert page.locator(".opblock").count() >= 5
        assert page.get_by_text("/api/events").first.is_visible()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "docs.png"))
        page.goto(srv.url + "/redoc")
        page.wait_for_selector("[role=search], .menu-content", timeout=30_000)
        page.wait_for_function("document.body.innerText.includes('/api/events')", timeout=30_000)
        page.screenshot(path=str(ARTIFACTS / "redoc.png"))
    assert outside == [], outside
    assert errors == [], errors


def test_docs_pages_reference_only_local_assets(client):
    for path in ("/docs", "/redoc"):
        html = client.get(path).text
        assert "cdn.jsdelivr" not in html and "fonts.googleapis" not in html
        assert "/static/vendor/" in html
    for asset in (
        "swagger-ui/swagger-ui-bundle.js",
        "swagger-ui/swagger-ui.css",
        "redoc/redoc.standalone.js",
    ):
        assert client.get(f"/static/vendor/{asset}").status_code == 200


def test_vendored_versions_are_recorded():
    vendor = Path(create_app.__code__.co_filename).parent / "static" / "vendor"
    versions = dict(line.split() for line in (vendor / "VERSIONS").read_text().splitlines())
    assert {"swagger-ui-dist", "redoc", "leaflet"} <= versions.keys()
    assert (vendor / "LICENSE-swagger-ui-dist").exists() and (vendor / "LICENSE-redoc").exists()
