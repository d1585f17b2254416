"""Durability: SIGKILL the service while events are being written; every acknowledged event
survives the restart, and the same report sent again (also after the restart) is not stored
twice. The service is ``launchwatch serve`` in a subprocess on a SQLite file, loopback only."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time

import httpx
import pytest

from .conftest import free_port

#: Writers posting at the same time, and the most events each may post (a bound, not a goal).
WRITERS, MAX_PER_WRITER = 3, 400
#: Acknowledged events to wait for before the kill.
KILL_AFTER = 60

STATEMENT = """North Korea fires missile into East Sea, military says
2025.11.07 13:40
SEOUL, Nov. 7 (Test Wire) -- North Korea fired a short-range ballistic missile into the East
Sea on Friday, South Korea's Joint Chiefs of Staff (JCS) said. The JCS said it detected the
launch from the Taekwan area of North Pyongan Province at around 12:35 p.m.
"""


def _start(db_url: str, port: int, keys: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from launchwatch.cli import app; app()",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--db",
            db_url,
            "--log-level",
            "warning",
            "--keys",
            keys,
            "--write-rate",
            "10000",
        ],  # durability here, rate limits elsewhere
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the service exited: {proc.stderr.read().decode()[-500:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the service did not start in 60 s")


def _body(writer: int, i: int) -> dict:
    day = dt.date(1990, 1, 1) + dt.timedelta(days=writer * MAX_PER_WRITER + i)
    return {
        "launch_date": day.isoformat(),
        "site": "Sohae",
        "missile_class": "SRBM",
        "range_km": 100.0 + i,
        "authority": "ROK JCS",
        "source": f"durability {writer}/{i}",
    }


@pytest.fixture
def service_procs():
    procs: list[subprocess.Popen] = []
    yield procs
    for p in procs:
        if p.poll() is None:
            p.kill()
        p.wait(10)
        if p.stderr:
            p.stderr.close()


def test_sigkill_loses_no_acknowledged_event(tmp_path, service_procs):
    db = f"sqlite:///{tmp_path / 'records.sqlite3'}"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    from launchwatch.service.auth import KeyRing

    keys = str(tmp_path / "keys" / "api-keys.json")
    auth = {"Authorization": f"Bearer {KeyRing(keys).create('writer')[0]}"}
    proc = _start(db, port, keys)
    service_procs.append(proc)

    first = httpx.post(
        f"{base}/api/events/ingest",
        content=STATEMENT.encode(),
        headers={"content-type": "text/plain", **auth},
        params={"reconstruct": "false"},
        timeout=60,
    )
    assert first.status_code == 201, first.text

    acked: dict[tuple[int, int], int] = {}  # (writer, i) -> event id
    errors: list[str] = []
    lock = threading.Lock()

    def writer(w: int) -> None:
        with httpx.Client(base_url=base, timeout=10, headers=auth) as c:
            for i in range(MAX_PER_WRITER):
                try:
                    r = c.post("/api/events", json=_body(w, i))
                except httpx.TransportError:
                    return  # the service is gone: the request was not acknowledged
                if r.status_code != 201:
                    errors.append(f"{r.status_code} {r.text[:200]}")
                    return
                with lock:
                    acked[(w, i)] = r.json()["event_id"]

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(WRITERS)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 60
    while len(acked) < KILL_AFTER and time.monotonic() < deadline and not errors:
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)  # mid-stream: the writers are still posting
    proc.wait(10)
    for t in threads:
        t.join(30)
    assert not errors, errors
    assert len(acked) >= KILL_AFTER
    n_acked = len(acked)
    assert n_acked < WRITERS * MAX_PER_WRITER, "the kill came after the writers had finished"

    proc2 = _start(db, port, keys)
    service_procs.append(proc2)
    with httpx.Client(base_url=base, timeout=30, headers=auth) as c:
        events = c.get("/api/events", params={"limit": 1000, "reports": "false"}).json()
        by_id = {e["id"]: e for e in events}
        for (w, i), event_id in acked.items():
            assert event_id in by_id, f"acknowledged event {w}/{i} (id {event_id}) was lost"
            assert by_id[event_id]["launch_date"] == _body(w, i)["launch_date"]
        # at most the requests in flight at the kill were stored without an answer
        assert n_acked <= len(events) - 1 <= n_acked + WRITERS
        # the same report again, after the restart: recognised, not stored twice
        (w, i), event_id = next(iter(acked.items()))
        again = c.post("/api/events", json=_body(w, i))
        assert again.status_code == 200 and again.json()["duplicate"] is True
        assert again.json()["event_id"] == event_id
        text_again = c.post(
            "/api/events/ingest",
            content=STATEMENT.encode(),
            headers={"content-type": "text/plain", **auth},
            params={"reconstruct": "false"},
        )
        assert text_again.status_code == 200 and text_again.json()["duplicate"] is True
        assert text_again.json()["event_id"] == first.json()["event_id"]
        health = c.get("/api/health").json()
        assert health["events"] == len(events)
