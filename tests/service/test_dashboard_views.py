"""The dashboard for the people who use it (issues 12 and 17), in a real browser (Debian's
chromium, headless, Playwright), every non-loopback request blocked:

* **late joiners** see the server's warning state: a page opened in the middle of a warning
  shows it active, a page opened after the run shows each area's final state (the same as the
  page that watched it live), and the warned area stays drawn, styled by its state;
* **three window sizes** (390x844 phone, 1280x720 laptop, 1920x1080): the map is on screen
  and big enough, the header does not wrap on laptops, the records table starts above the fold,
  the legend is not on the map; an event row opens the event (per-authority figures, ground
  tracks on the map, side view). Screenshots go to ``tests/service/artifacts/``.

The run is the real chain over ``overflight`` (the one ``simulate overflight --assess`` made for
tests/warn/test_chain.py, shared through ``cli_chain``), replayed by the service's own
RunManager.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
import pytest

from launchwatch.service.app import create_app
from launchwatch.service.live import Hub, RunManager

from .conftest import FAST, Held, LiveServer, bearer
from .test_dashboard import ARTIFACTS, CHROMIUM, browser, expect  # noqa: F401 (fixture)

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed")

STATEMENTS = __import__("pathlib").Path(__file__).parents[1] / "record" / "statements"


@pytest.fixture(scope="module")
def overflight_messages(cli_chain):
    """The service's messages of the overflight run that ``simulate overflight --assess`` made
    for tests/warn/test_chain.py (``cli_chain``), not a chain run of their own: the tests that
    read them name that run's xdist group (:data:`on_overflight`), so it is made once."""
    from launchwatch.service.messages import chain_messages

    return chain_messages(cli_chain("overflight", chain=True).chain)


on_overflight = pytest.mark.xdist_group("chain-overflight")


def _runs(messages, held: Held | None = None):
    def compute(name, progress=None):
        if progress is not None:  # the real chain reports stages; so does this stand-in
            for k in range(5):
                progress("tracking", k / 5)
        return messages

    return RunManager(Hub(), compute) if held is None else held.manager(compute)


def _page(browser, srv, outside, errors, size=(1280, 720)):  # noqa: F811
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})

    def offline(route):
        if urlsplit(route.request.url).hostname not in ("127.0.0.1", "localhost"):
            outside.append(route.request.url)
            return route.abort()
        return route.continue_()

    page.route("**/*", offline)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(srv.url + "/")
    page.wait_for_selector("path.lw-land", state="attached")
    return page


def _states(page) -> dict:
    return page.evaluate(
        "Object.fromEntries([...document.querySelectorAll('#warning-list li')]"
        ".map((li) => [li.dataset.code, li.dataset.state]))"
    )


@on_overflight
def test_late_joiners_see_the_servers_warning_state(
    store,
    browser,  # noqa: F811
    overflight_messages,  # noqa: F811
    keyring,
):
    warns = [m for m in overflight_messages if m["type"] == "warning"]
    assert [w["kind"] for w in warns][:2] == ["issue", "passed_over"], [w["kind"] for w in warns]
    final = overflight_messages[-1]["state"]
    final_states = {a["code"]: a["state"] for w in final["warnings"] for a in w["areas"]}
    assert final_states == {"JP-01": "fell"}, final_states
    outside, errors = [], []
    key = bearer(keyring.keys["operator"])
    # the replay holds after the warning's "issue", before its "passed over" (446 s later)
    held = Held(lambda log: any(m["type"] == "warning" and m["kind"] == "issue" for m in log))
    with LiveServer(
        create_app(store, runs=_runs(overflight_messages, held), keys=keyring, limits=FAST)
    ) as srv:
        live = _page(browser, srv, outside, errors)
        r = httpx.post(srv.url + "/api/scenarios/overflight/run?speed=30", timeout=30, headers=key)
        assert r.status_code == 202, r.text
        live.wait_for_selector(
            "#warning-list li[data-code='JP-01'][data-state='active']", timeout=120_000
        )
        assert held.holding.wait(60)  # the run is mid-warning, not past it
        # a page that opens now, mid-warning, shows the warning active and the area drawn
        mid = _page(browser, srv, outside, errors)
        mid.wait_for_selector("#warning-list li[data-code='JP-01']", timeout=60_000)
        assert _states(mid) == {"JP-01": "active"}
        mid.wait_for_selector("path.lw-warned-active", state="attached", timeout=60_000)
        assert mid.inner_text("#verdict").startswith("WARNING")
        held.release()
        live.wait_for_selector("body[data-run-state='done']", timeout=180_000)
        # the page that watched live and one that opens after the end agree with the server
        late = _page(browser, srv, outside, errors)
        late.wait_for_selector("body[data-run-state='done']", timeout=60_000)
        late.wait_for_selector("path.lw-warned", state="attached", timeout=60_000)
        assert _states(live) == _states(late) == final_states
        for p in (live, late):
            assert p.locator("path.lw-warned-fell").count() >= 1  # still drawn, as "fell"
            assert p.locator("path.lw-warned-active").count() == 0
            assert not p.inner_text("#verdict").startswith("WARNING")
        # the map kept the run in view: the track, the impact and the warned area
        box = live.evaluate(
            "(() => { const b = map.getBounds(); return [b.getSouth(), "
            "b.getWest(), b.getNorth(), b.getEast()]; })()"
        )
        s, w, n, e = box
        impact = [m for m in overflight_messages if m["type"] == "assessment"][-1]["predictions"][0]
        assert s <= impact["impact_lat"] <= n and w <= impact["impact_lon"] <= e
        assert s <= 43.0 <= n and w <= 142.5 <= e  # Hokkaido
        ARTIFACTS.mkdir(exist_ok=True)
        late.screenshot(path=str(ARTIFACTS / "late-joiner.png"))
    assert not outside, outside[:3]
    assert not errors, errors


SIZES = {"phone": (390, 844), "laptop": (1280, 720), "desktop": (1920, 1080)}


def _rect(page, sel):
    return page.evaluate(
        f"(() => {{ const r = document.querySelector({sel!r})"
        ".getBoundingClientRect(); "
        "return [r.left, r.top, r.right, r.bottom]; })()"
    )


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@on_overflight
def test_three_window_sizes_and_an_event_opened(
    store,
    browser,  # noqa: F811
    overflight_messages,  # noqa: F811
    keyring,
):
    outside, errors = [], []
    key = bearer(keyring.keys["operator"])
    with LiveServer(
        create_app(store, runs=_runs(overflight_messages), keys=keyring, limits=FAST)
    ) as srv:
        for name in ("rok_jcs_2025-11-07.txt", "japan_mod_2025-11-07.txt"):
            r = httpx.post(
                srv.url + "/api/events/ingest",
                timeout=120,
                content=(STATEMENTS / name).read_text(),
                headers={"Content-Type": "text/plain", **key},
            )
            assert r.status_code == 201, r.text
        r = httpx.post(
            srv.url + "/api/scenarios/overflight/run?speed=10000", timeout=30, headers=key
        )
        assert r.status_code == 202
        for label, (w, h) in SIZES.items():
            page = _page(browser, srv, outside, errors, (w, h))
            page.wait_for_selector("body[data-run-state='done']", timeout=180_000)
            page.wait_for_selector("#events tbody tr", timeout=30_000)
            page.wait_for_timeout(300)
            m = _rect(page, "#map")
            assert m[3] - m[1] >= 0.4 * h and m[2] - m[0] >= 0.55 * w, (label, m)
            assert m[1] < 0.25 * h  # the map starts near the top: visible without scrolling
            header = _rect(page, "header")
            if w >= 1280:
                assert header[3] - header[1] < 50, (label, header)  # one line
                assert _rect(page, "#records")[1] < h, label  # the table is above the fold
                legend = _rect(page, "#legend")
                assert not _overlap(legend, m), label  # the legend is not on the map
            scale = _rect(page, ".leaflet-control-scale")
            attribution = _rect(page, ".leaflet-control-attribution")
            assert not _overlap(scale, attribution), label
            assert page.locator(".lw-graticule").count() >= 2
            # the launch sites' labels (left of the sites) are inside the map, not cut at its edge
            labels = page.evaluate(
                "[...document.querySelectorAll('#map .lw-label')].map((e) => {"
                " const r = e.getBoundingClientRect(); return [r.left, r.right]; })"
            )
            assert labels and all(m[0] <= a and b <= m[2] for a, b in labels), (label, labels, m)
            page.screenshot(path=str(ARTIFACTS / f"dashboard-{label}.png"))
            # an event row opens the event: two authorities' tracks, their figures, side view
            row = page.locator("#events tbody tr", has_text="Japan MoD").first
            row.scroll_into_view_if_needed()
            row.click()
            page.wait_for_selector("#event-detail:not([hidden])", timeout=30_000)
            page.wait_for_selector("#side-view svg.lw-side path.lw-profile", timeout=30_000)
            eid = int(row.get_attribute("data-id"))
            fc = httpx.get(f"{srv.url}/api/events/{eid}/map", timeout=30).json()
            tracks = [f for f in fc["features"] if f["properties"]["feature"] == "ground_track"]
            assert len({f["properties"]["authority"] for f in tracks}) >= 2
            assert page.locator("path.lw-event-track").count() == len(tracks)
            assert page.locator("#side-view svg.lw-side path.lw-profile").count() == len(tracks)
            rows = page.inner_text("#event-reports tbody")
            assert "ROK JCS" in rows and "Japan MoD" in rows
            assert "range" in page.inner_text("#event-disagreements")
            page.screenshot(path=str(ARTIFACTS / f"dashboard-{label}-event.png"))
            page.close()
    assert not outside, outside[:3]
    assert not errors, errors


def _upload_runs(messages, uploaded, held: Held):
    """A RunManager whose chain is the overflight run computed once: it checks that it gets the
    scenario the page uploaded (validated, as the command line reads it), reports progress
    slowly enough for the page to show it, and names the run's messages after the upload; its
    replay is ``held``."""
    import time

    def compute(what, progress=None):
        assert not isinstance(what, str), "an uploaded run gets the validated scenario"
        uploaded.append(what)
        for k in range(1, 9):
            progress("tracking", k / 10)
            time.sleep(0.6)
        head = {**messages[0], "name": what.name, "description": what.description}
        return [head, *messages[1:]]

    return held.manager(compute)


@on_overflight
def test_upload_a_scenario_and_watch_its_side_view(
    store,
    browser,  # noqa: F811
    overflight_messages,  # noqa: F811
    keyring,
):
    """A scenario of one's own from the page: a mistake is refused in one line, markup in its
    name stays text, the run shows the chain's progress (stage, percent, time left) and then a
    side view of the tracks and predicted paths that grows during the replay; the next run
    starts with a clean clock and side view."""
    from launchwatch.sense.scenario import parse_scenario

    text = (STATEMENTS.parents[2] / "src/launchwatch/sense/scenarios/overflight.yaml").read_text()
    mine = text.replace("name: overflight", "name: my-overflight-drill")
    uploaded, outside, errors = [], [], []
    # the replay holds after the third assessment that predicts an impact, for the side view
    held = Held(
        lambda log: sum(m["type"] == "assessment" and bool(m["predictions"]) for m in log) >= 3
    )
    with LiveServer(
        create_app(
            store, runs=_upload_runs(overflight_messages, uploaded, held), keys=keyring, limits=FAST
        )
    ) as srv:
        page = _page(browser, srv, outside, errors, (1440, 1000))
        page.fill("#api-key", keyring.keys["operator"])
        page.click("#key-set")
        page.click("#upload-box summary")
        # a mistake: one line naming the field, nothing started
        page.fill("#upload-text", mine.replace("range_km: 2700", "range_km: -1"))
        page.click("#upload-check")
        page.wait_for_selector("#upload-state[data-ok='no']")
        msg = page.inner_text("#upload-state")
        assert msg.startswith("refused: upload: launches.0.range_km"), msg
        assert "\n" not in msg
        page.fill("#upload-text", mine)
        page.click("#upload-check")
        page.wait_for_selector("#upload-state[data-ok='yes']")
        assert page.inner_text("#upload-state").startswith(
            "valid: my-overflight-drill, 1 launch from Sunan"
        )
        page.fill("#speed", "60")
        page.click("#upload-run")
        page.wait_for_selector("body[data-run-state='computing']", timeout=30_000)
        expect(page.locator("#status")).to_contain_text("s left", timeout=30_000)
        status = page.inner_text("#status")
        assert "my-overflight-drill" in status and "% tracking, " in status, status
        assert 0 < page.locator("#run-progress").evaluate("(b) => b.value") < 100
        page.locator("header").screenshot(path=str(ARTIFACTS / "dashboard-computing.png"))
        page.wait_for_selector("body[data-run-state='replaying']", timeout=60_000)
        assert uploaded and uploaded[0] == parse_scenario(mine, "x")
        # the side view draws the track and its predicted path, and grows during the replay
        page.wait_for_selector("#run-side-view path.lw-side-track", timeout=60_000)
        page.wait_for_selector("#run-side-view path.lw-side-predicted", timeout=60_000)
        assert held.holding.wait(60)
        first = page.get_attribute("#run-side-view path.lw-side-track", "d").count("L")
        held.release()
        page.wait_for_selector("body[data-run-state='done']", timeout=120_000)
        later = page.get_attribute("#run-side-view path.lw-side-track", "d").count("L")
        assert later > first, (first, later)

        # the profile reaches the missile's apogee (~550 km): altitudes are the track's, in km
        # and the ground range the ~2,700 km of the flight
        def ticks(sel):
            return [float(t) for t in page.locator(sel).all_text_contents()]

        alt = ticks("#run-side-view svg text[text-anchor='end']:not(.legend)")
        rng = ticks("#run-side-view svg text[text-anchor='middle']:not(.axis)")
        assert 400 <= max(alt) <= 800 and 2000 <= max(rng) <= 3000, (alt, rng)  # tick steps
        assert page.inner_text("#status").startswith("my-overflight-drill #")
        page.locator("#run-side").screenshot(path=str(ARTIFACTS / "dashboard-live-side-view.png"))
        page.screenshot(path=str(ARTIFACTS / "dashboard-upload.png"))
        assert page.inner_text("#clock") != ""
        # markup in an uploaded scenario's name is shown as text, never run
        page.fill(
            "#upload-text",
            mine.replace("my-overflight-drill", "<img src=x onerror=window.__pwned=1>"),
        )
        page.click("#upload-run")
        page.wait_for_selector("body[data-run-state='computing']", timeout=30_000)
        # a new run: its own clock and side view (nothing of the last run's)
        assert page.inner_text("#clock") == ""
        assert page.locator("#run-side").is_hidden()
        expect(page.locator("#status")).to_contain_text("<img src=x", timeout=30_000)
        assert page.locator("header img, #timeline img").count() == 0
        assert page.evaluate("window.__pwned") is None
    assert not outside, outside[:3]
    assert not errors, errors


@on_overflight
def test_a_landed_missile_keeps_its_prediction_a_broken_track_does_not(
    store,
    browser,  # noqa: F811
    overflight_messages,  # noqa: F811
    keyring,
):
    """A salvo's predictions table lists every missile to the end: a track whose predicted
    impact time came keeps its last prediction; a track that went quiet in mid-flight (broken,
    taken over) is dropped. Two tracks are added to the real overflight run's assessments: T901
    predicted to land at the 5th assessment (then silent), T902 silent after it with its impact
    far ahead."""
    import copy

    msgs = copy.deepcopy(overflight_messages)
    assessments = [m for m in msgs if m["type"] == "assessment" and m["predictions"]]
    k = 4
    assert assessments[-1]["t_s"] - assessments[k]["t_s"] > 60  # long enough to go stale
    for m in assessments[: k + 1]:
        base = m["predictions"][0]
        m["predictions"] += [
            {**base, "track_id": 901, "impact_t_s": assessments[k]["t_s"] + 5.0},
            {**base, "track_id": 902, "impact_t_s": assessments[-1]["t_s"] + 1000.0},
        ]
    outside, errors = [], []
    key = bearer(keyring.keys["operator"])
    with LiveServer(create_app(store, runs=_runs(msgs), keys=keyring, limits=FAST)) as srv:
        r = httpx.post(
            srv.url + "/api/scenarios/overflight/run?speed=10000", timeout=30, headers=key
        )
        assert r.status_code == 202
        page = _page(browser, srv, outside, errors)
        page.wait_for_selector("body[data-run-state='done']", timeout=180_000)
        table = page.inner_text("#prediction")
        rows = {line.split()[0] for line in table.splitlines()[2:] if line.strip()}
        assert "T901" in rows, table
        assert "T902" not in rows, table
        assert f"T{assessments[-1]['predictions'][0]['track_id']}" in rows, table
        page.close()
    assert not outside, outside[:3]
    assert not errors, errors
