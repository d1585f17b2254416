"""Fixtures of the service tests: a record on a temporary SQLite file, an app whose scenario
runs are a fast stand-in for the chain (API tests), and a real service on a loopback port."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from launchwatch.record.store import Store
from launchwatch.service.app import create_app
from launchwatch.service.auth import KeyRing
from launchwatch.service.guard import Limits
from launchwatch.service.live import Hub, RunManager

EPOCH = "2025-11-07T12:35:00+09:00"


def fake_messages(name: str) -> list[dict]:
    """A tiny run in the shape of :func:`launchwatch.service.messages.chain_messages` (of a
    shipped scenario's name, or of an uploaded scenario)."""
    name = getattr(name, "name", name)
    if name == "boom":
        raise RuntimeError("the chain failed")
    ring = [[133.0, 40.0], [133.1, 40.0], [133.1, 40.1], [133.0, 40.1]]
    return [
        {
            "type": "scenario",
            "t_s": 0.0,
            "time": EPOCH,
            "name": name,
            "description": "fake",
            "epoch": EPOCH,
            "utc_offset": "+09:00",
            "sensors": [],
            "launches": [{"id": "M1", "site": "Taekwan", "lat": 40.22, "lon": 125.22}],
        },
        {
            "type": "track",
            "t_s": 40.0,
            "time": EPOCH,
            "tracks": [
                {"track_id": 1, "lat": 40.2, "lon": 126.0, "height_km": 30.0, "speed_km_s": 2.0}
            ],
        },
        {
            "type": "assessment",
            "t_s": 42.0,
            "time": EPOCH,
            "predictions": [
                {
                    "track_id": 1,
                    "impact_lat": 40.05,
                    "impact_lon": 133.05,
                    "ellipse_95": ring,
                    "path": [[126.0, 40.2], [133.05, 40.05]],
                    "verdict": {"kind": "eez", "country": "RUS"},
                }
            ],
        },
        {
            "type": "summary",
            "t_s": 60.0,
            "time": EPOCH,
            "no_warning": True,
            "warned": [],
            "verdict": "no warning \u2014 predicted impact in the EEZ of RUS",
            "timeline": [],
            "missiles": [
                {
                    "missile": "M1",
                    "apogee_km": 49.2,
                    "range_class": "SRBM",
                    "verdict": {"kind": "eez", "country": "RUS"},
                }
            ],
            "summary": {
                "per_missile": [
                    {
                        "missile": "M1",
                        "apogee_km": 49.2,
                        "assessments": 1,
                        "final": {
                            "t_s": 460.0,
                            "track_id": 1,
                            "impact_lat": 40.05,
                            "impact_lon": 133.05,
                            "time_to_impact_s": 35.0,
                            "verdict": {"kind": "eez", "country": "RUS"},
                            "range_class": "SRBM",
                            "range_class_prob": 1.0,
                            "ellipse_95_km": [2.9, 1.5],
                            "impact_error_km": 1.8,
                        },
                        "truth": {
                            "impact_lat": 39.97,
                            "impact_lon": 133.43,
                            "apogee_km": 50.0,
                            "flight_time_s": 495.5,
                        },
                    }
                ]
            },
        },
    ]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def db_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'records.sqlite3'}"


@pytest.fixture
def store(db_url):
    with Store(db_url) as s:
        yield s


@pytest.fixture
def fake_runs():
    return RunManager(Hub(), fake_messages)


@pytest.fixture
def keyring():
    """API keys held in memory: ``keyring.keys[role]`` is a key of each role."""
    ring = KeyRing(None)
    ring.keys = {
        role: ring.create(role, f"test {role}")[0] for role in ("writer", "operator", "admin")
    }
    return ring


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


#: Rates high enough for tests that write a lot (the limits have their own tests).
FAST = Limits(key_rate=1e6, key_burst=10**6, addr_rate=1e6, addr_burst=10**6)


@pytest.fixture
def app(store, fake_runs, keyring):
    return create_app(store, runs=fake_runs, keys=keyring, limits=FAST)


def test_client(app, **kw):
    import warnings

    with warnings.catch_warnings():  # starlette's hint about httpx2, at import
        warnings.simplefilter("ignore", UserWarning)
        from fastapi.testclient import TestClient

    return TestClient(app, **kw)


test_client.__test__ = False  # a helper, not a test


@pytest.fixture
def client(app, keyring):
    """A client holding an operator key (it may write and start runs)."""
    with test_client(app, headers=bearer(keyring.keys["operator"])) as c:
        yield c


@pytest.fixture
def anon(app):
    """A client without a key."""
    with test_client(app) as c:
        yield c


class LiveServer:
    """uvicorn serving ``app`` on a free loopback port in a daemon thread."""

    def __init__(self, app):
        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        cfg = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", timeout_graceful_shutdown=2
        )
        self.server = uvicorn.Server(cfg)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the service did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(10)


class Held:
    """A RunManager ``sleep`` that replays without pauses until ``at(messages)`` accepts the
    messages replayed so far and holds the replay there until :meth:`release` (or ``limit_s``): a
    page sees that moment for as long as the test needs it, and no wall time goes to the
    scenario's own pace (waiting on it made these tests the suite's longest idle stretch; the
    pace itself is the service's arithmetic, :meth:`RunManager._replay`).  Its runs come from
    :meth:`manager`."""

    def __init__(self, at, limit_s: float = 120.0):
        self.at = at
        self.limit_s = limit_s
        self.runs: RunManager | None = None
        self.released = threading.Event()
        self.holding = threading.Event()

    def __call__(self, seconds: float) -> None:
        run = self.runs.latest() if self.runs is not None else None
        if run is not None and not self.released.is_set() and self.at(run.backlog):
            self.holding.set()
            self.released.wait(self.limit_s)

    def manager(self, compute) -> RunManager:
        """A RunManager of ``compute`` whose replays this holds."""
        self.runs = RunManager(Hub(), compute, sleep=self)
        return self.runs

    def release(self) -> None:
        self.released.set()
