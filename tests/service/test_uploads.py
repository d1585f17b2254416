"""Scenarios uploaded to the service (issue 17): the command line's validator, limits on what
one upload may make the service compute, one-line 4xx errors, roles, and the run itself."""

from __future__ import annotations

import time

import pytest

from launchwatch.sense.scenario import load_scenario, parse_scenario
from launchwatch.service import uploads

from .conftest import bearer, test_client

GOOD = """\
name: my-exercise
description: One SRBM from Sunan towards the East Sea, for a drill.
epoch: "2025-11-07T12:35:00+09:00"
seed: 7
launches:
  - id: M1
    site: Sunan
    vehicle: KN-23
    range_km: 600
    toward: East Sea
sensors: [TPY2-Shariki, SBIRS-GEO-1]
"""
YAML = {"Content-Type": "application/yaml"}


def _wait_done(client, run_id, timeout=30):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        info = client.get(f"/api/runs/{run_id}").json()
        if info["state"] in ("done", "failed"):
            return info
        time.sleep(0.05)
    raise AssertionError(f"run {run_id} did not end: {info}")


def test_same_validator_as_the_command_line(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(GOOD)
    assert parse_scenario(GOOD, "x") == load_scenario(path)
    assert uploads.check_upload(GOOD.encode()) == load_scenario(path)


def test_an_uploaded_scenario_runs(client):
    r = client.post("/api/scenarios/check", content=GOOD, headers=YAML)
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "my-exercise" and r.json()["sites"] == ["Sunan"]
    r = client.post("/api/scenarios/run?speed=10000", content=GOOD, headers=YAML)
    assert r.status_code == 202, r.text
    info = r.json()
    assert info["scenario"] == "my-exercise" and info["uploaded"] is True
    done = _wait_done(client, info["run_id"])
    assert done["state"] == "done" and done["uploaded"] is True
    # the run's messages name the uploaded scenario (the page shows them as text)
    run = client.app.state.runs.get(info["run_id"])
    head = [m for m in run.backlog if m["type"] == "scenario"]
    assert [m["name"] for m in head] == ["my-exercise"]


@pytest.mark.parametrize(
    ("body", "status", "needle"),
    [
        ("", 422, "empty"),
        ("name: [unclosed", 422, "not valid YAML"),
        ("- a list", 422, "a scenario is a mapping"),
        (GOOD.replace("range_km: 600", "range_km: -5"), 422, "launches.0.range_km"),
        (GOOD.replace("KN-23", "Nope-9"), 422, "launches.0"),
        (GOOD.replace("seed: 7", "seed: 7\ncolour: red"), 422, "colour"),
        (GOOD.replace("sensors: [", "sensors: [Nowhere-1, "), 422, "sensors.0"),
        (GOOD.replace("time_s", "x") + "", 200, None),  # (no time_s: fine)
        (GOOD.replace("seed: 7", "seed: 7\ntime_step_s: 0.01"), 422, "time_step_s"),
        (GOOD.replace("range_km: 600", "range_km: 600\n    time_s: 99999"), 422, "time_s"),
        (
            GOOD.replace(
                "vehicle: KN-23\n    range_km: 600",
                "range_km: 900\n    trajectory: lofted\n    apogee_km: 90000",
            ),
            422,
            "apogee_km",
        ),
        (GOOD.replace("name: my-exercise", "name: " + "x" * 200), 422, "name"),
        (
            "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
            + "".join(
                f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
                for p, c in zip("abcdefg", "bcdefgh", strict=True)
            ),
            422,
            "aliases",
        ),
        ("x" * (uploads.MAX_UPLOAD_BYTES + 1), 413, "larger than"),
        (b"name: \xff\xfe", 422, "UTF-8"),
    ],
)
def test_bad_uploads_get_one_line_4xx(client, body, status, needle):
    for path in ("/api/scenarios/check", "/api/scenarios/run?speed=10000"):
        r = client.post(path, content=body, headers=YAML)
        want = 202 if status == 200 and path.endswith("10000") else status
        assert r.status_code == want, (path, r.text[:300])
        if needle:
            detail = r.json()["detail"]
            assert needle in detail and "\n" not in detail and len(detail) < 400, detail


def test_many_launches_refused(client):
    launch = "  - {id: M%d, site: Sunan, vehicle: KN-23, range_km: 600, toward: East Sea}\n"
    body = (
        GOOD.split("launches:")[0]
        + "launches:\n"
        + "".join(launch % i for i in range(uploads.MAX_LAUNCHES + 1))
        + "sensors: [TPY2-Shariki]\n"
    )
    r = client.post("/api/scenarios/run", content=body, headers=YAML)
    assert r.status_code == 422 and "launches: at most" in r.json()["detail"]


def test_roles_and_media_types(app, keyring):
    with test_client(app) as anon:
        assert anon.post("/api/scenarios/run", content=GOOD, headers=YAML).status_code == 401
        assert anon.post("/api/scenarios/check", content=GOOD, headers=YAML).status_code == 401
    with test_client(app, headers=bearer(keyring.keys["writer"])) as writer:
        # a writer may check a scenario; starting a run takes an operator (SECURITY.md)
        assert writer.post("/api/scenarios/check", content=GOOD, headers=YAML).status_code == 200
        r = writer.post("/api/scenarios/run", content=GOOD, headers=YAML)
        assert r.status_code == 403 and "operator" in r.json()["detail"]
    with test_client(app, headers=bearer(keyring.keys["operator"])) as op:
        r = op.post("/api/scenarios/run", content=GOOD, headers={"Content-Type": "image/png"})
        assert r.status_code == 415
