"""The record on PostgreSQL: the same migrations, schema and store behaviour as on SQLite.

A throw-away cluster (Debian's ``postgresql`` server: ``/usr/lib/postgresql/<ver>/bin``) is
initialised in a temporary directory and started on a free loopback port for this module (as
the ``postgres`` user when the tests run as root: the server refuses to run as root), each test
gets a fresh database, and the cluster is stopped and deleted at the end. Skipped when the
server binaries or the ``psycopg`` driver are absent.
"""

from __future__ import annotations

import datetime as dt
import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from launchwatch.record import exchange
from launchwatch.record.store import NewReport, RecordError, Store, make_engine, text_hash
from launchwatch.record.views import event_dict

from . import test_robust, test_store
from .conftest import statement

pytest.importorskip("psycopg", reason="the psycopg driver is not installed")


def _bin_dir() -> Path | None:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    return Path(found[-1]).parent if found else None


BIN = _bin_dir()
pytestmark = pytest.mark.skipif(
    BIN is None, reason="PostgreSQL server binaries not installed (apt-get install postgresql)"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_user() -> tuple[list[str], int | None, int | None]:
    """Command prefix and uid/gid to run the server as: ``postgres`` when we are root."""
    if os.geteuid() != 0:
        return [], None, None
    import pwd

    try:
        pw = pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("running as root and there is no 'postgres' user to run the server as")
    runuser = shutil.which("runuser")
    if runuser:
        return [runuser, "-u", "postgres", "--"], pw.pw_uid, pw.pw_gid
    return (
        ["setpriv", f"--reuid={pw.pw_uid}", f"--regid={pw.pw_gid}", "--clear-groups"],
        pw.pw_uid,
        pw.pw_gid,
    )


class Cluster:
    """initdb + pg_ctl start on 127.0.0.1:<free port>, socket and data in a temp dir."""

    def __init__(self) -> None:
        self.prefix, uid, gid = _as_user()
        self.root = Path(tempfile.mkdtemp(prefix="launchwatch-pg-"))
        if uid is not None:
            os.chown(self.root, uid, gid)
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = _free_port()
        self._n = itertools.count(1)

    def _run(self, *args: str, timeout: float = 60) -> None:
        res = subprocess.run(
            [*self.prefix, *args], capture_output=True, text=True, timeout=timeout, cwd=self.root
        )
        if res.returncode != 0:
            log = self.log.read_text() if self.log.exists() else ""
            raise RuntimeError(f"{args[0]} failed ({res.returncode}): {res.stderr}\n{log}")

    def start(self) -> Cluster:
        self._run(
            str(BIN / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "lw",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
            "--no-instructions",
        )
        opts = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c TimeZone=Asia/Tokyo"
        )
        self._run(
            str(BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-o",
            opts,
            "-w",
            "-t",
            "30",
            "start",
        )
        return self

    def stop(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self._run(
                    str(BIN / "pg_ctl"),
                    "-D",
                    str(self.data),
                    "-m",
                    "immediate",
                    "-w",
                    "stop",
                    timeout=30,
                )
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, db: str = "postgres") -> str:
        return f"postgresql+psycopg://lw@127.0.0.1:{self.port}/{db}"

    def new_database(self) -> str:
        name = f"lw_{next(self._n)}"
        eng = create_engine(self.url(), isolation_level="AUTOCOMMIT")
        with eng.connect() as c:
            c.execute(text(f"CREATE DATABASE {name}"))
        eng.dispose()
        return self.url(name)


@pytest.fixture(scope="module")
def cluster():
    c = Cluster()
    try:
        c.start()
        yield c
    finally:
        c.stop()


@pytest.fixture
def db_url(cluster) -> str:
    """A fresh, empty PostgreSQL database (overrides the SQLite ``db_url`` of conftest)."""
    return cluster.new_database()


# The SQLite store tests, run here against PostgreSQL through the ``db_url`` fixture above.
test_same_report_twice_is_stored_once = test_store.test_same_report_twice_is_stored_once
test_reports_join_one_event_and_disagree = test_store.test_reports_join_one_event_and_disagree
test_unknown_site_joins_the_only_event_of_the_day = (
    test_store.test_unknown_site_joins_the_only_event_of_the_day
)


def _columns(engine) -> dict[str, dict[str, str]]:
    """{table: {column: generic type name and nullability}} of the record's tables."""
    insp = inspect(engine)
    out = {}
    for t in ("events", "reports", "reconstructions", "alembic_version"):
        cols = {}
        for c in insp.get_columns(t):
            try:
                kind = type(c["type"].as_generic()).__name__
            except NotImplementedError:
                kind = type(c["type"]).__name__
            if kind == "Double":  # PostgreSQL's FLOAT is double precision, as SQLite's REAL
                kind = "Float"
            length = getattr(c["type"], "length", None)
            cols[c["name"]] = f"{kind}({length}) {'NULL' if c['nullable'] else 'NOT NULL'}"
        out[t] = cols
    return out


def _indexes(engine) -> dict[str, set]:
    insp = inspect(engine)
    return {
        t: {(i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in insp.get_indexes(t)}
        for t in ("events", "reports", "reconstructions")
    }


def test_alembic_upgrade_from_empty_gives_the_sqlite_schema(db_url, tmp_path):
    with Store(db_url) as pg, Store(f"sqlite:///{tmp_path / 'ref.sqlite3'}") as lite:
        assert pg.engine.dialect.name == "postgresql" and pg.revision == "0002"
        assert set(inspect(pg.engine).get_table_names()) == set(
            inspect(lite.engine).get_table_names()
        )
        pg_cols, lite_cols = _columns(pg.engine), _columns(lite.engine)
        assert pg_cols == lite_cols
        assert "String(120) NOT NULL" == pg_cols["events"]["dedupe_key"]
        assert _indexes(pg.engine) == _indexes(lite.engine)
        fks = {
            t: [
                (f["referred_table"], f["constrained_columns"], f["options"].get("ondelete"))
                for f in inspect(pg.engine).get_foreign_keys(t)
            ]
            for t in ("reports", "reconstructions")
        }
        assert fks == {
            "reports": [("events", ["event_id"], "CASCADE")],
            "reconstructions": [("reports", ["report_id"], "CASCADE")],
        }
        with pg.engine.connect() as c:
            assert c.execute(text("select version_num from alembic_version")).all() == [("0002",)]
    with Store(db_url) as again:  # reopening an up-to-date database is a no-op
        assert again.count() == (0, 0)


def test_plain_postgresql_url_uses_psycopg(cluster):
    """``postgresql://`` without a driver means psycopg 3 (the driver installed with us)."""
    eng = make_engine(cluster.url().replace("+psycopg", ""))
    try:
        assert eng.dialect.driver == "psycopg"
        with eng.connect() as c:
            assert c.execute(text("select 1")).scalar() == 1
    finally:
        eng.dispose()


def test_unreachable_server_is_a_record_error(cluster):
    with pytest.raises(RecordError, match="cannot open the record"):
        Store(f"postgresql+psycopg://lw@127.0.0.1:{_free_port()}/nothing?connect_timeout=2")


REC = {
    "impact_lat": 39.9,
    "impact_lon": 133.4,
    "range_km": 702.5,
    "apogee_km": 49.8,
    "flight_time_s": 481.0,
    "min_energy_range_km": 640.0,
    "range_class": "SRBM",
    "launch_lat": 40.22,
    "launch_lon": 125.22,
    "azimuth_deg": 92.0,
    "requested": {"range_km": 700.0, "apogee_km": 50.0, "trajectory": None},
    "flags": [True, False],
    "note": "caf\u00e9 \u2014 \u6771\u6d77",
    "path": [[0.0, 40.22, 125.22, 0.0], [240.0, 40.1, 129.3, 49800.0], [481.0, 39.9, 133.4, 0.0]],
}


def _fill(st: Store) -> dict:
    """Two events, four reports (two disagreeing), a reconstruction with nested JSON, an
    aware publication time, non-ASCII text; returns the ``Added`` results by name."""
    new = test_store._new
    out = {
        "jcs": st.add(
            new(
                "jcs",
                site_name="Taekwan",
                site_lat_deg=40.22,
                site_lon_deg=125.22,
                authority="ROK JCS",
                range_km=700.0,
                launch_time_local="12:35",
                utc_offset="+09:00",
                missile_class="SRBM",
                published_utc=dt.datetime(
                    2025, 11, 7, 14, 5, tzinfo=dt.timezone(dt.timedelta(hours=9))
                ),
                landing_area="East Sea \u2014 \ub3d9\ud574",
                missing=["apogee_km"],
                details={"notes": ["a", "b"], "score": 0.5, "ok": True},
                reconstruction=REC,
                zone={"kind": "eez", "country": "JPN"},
            )
        ),
        "mod": st.add(
            new(
                "mod",
                site_name="Taekwan",
                site_lat_deg=40.22,
                site_lon_deg=125.22,
                authority="Japan MoD",
                range_km=450.0,
                apogee_km=50.0,
                eez_claim="outside",
                published_utc=dt.datetime(2025, 11, 7, 4, 30),
            )
        ),
        "ap": st.add(new("wire", outlet="AP", range_km=700.0)),
        "icbm": st.add(
            NewReport(
                text_hash=text_hash("icbm"),
                launch_date=dt.date(2023, 7, 12),
                site_name="Pyongyang",
                site_lat_deg=39.03,
                site_lon_deg=125.75,
                missile_class="ICBM",
                missile_name="Hwasong-18",
                authority="KCNA",
                flight_time_s=4491.0,
                apogee_km=6648.4,
                range_km=1001.2,
            )
        ),
    }
    return out


def test_store_on_postgres(db_url):
    with Store(db_url) as st:
        got = _fill(st)
        assert got["jcs"].event_id == got["mod"].event_id == got["ap"].event_id
        assert st.count() == (2, 4)
        ev = st.event(got["jcs"].event_id)
        assert ev.launch_time_utc == dt.datetime(2025, 11, 7, 3, 35)
        jcs = ev.reports[0]
        # an aware time is stored as naive UTC whatever the server's TimeZone (Asia/Tokyo)
        assert jcs.published_utc == dt.datetime(2025, 11, 7, 5, 5)
        assert jcs.details == {"notes": ["a", "b"], "score": 0.5, "ok": True}
        assert jcs.missing == ["apogee_km"] and jcs.landing_area.endswith("\ub3d9\ud574")
        assert jcs.reconstruction.result == REC
        assert (ev.landing_lat_deg, ev.zone_kind, ev.zone_country) == (39.9, "eez", "JPN")
        d = event_dict(ev)
        assert [x["summary"] for x in d["disagreements"]] == [
            "range 700 km (ROK JCS, AP) vs 450 km (Japan MoD)"
        ]
        assert d["reports"][0]["derived"]["flags"] == [True, False]
        # filters
        dates = lambda evs: [e.launch_date.isoformat() for e in evs]  # noqa: E731
        assert dates(st.events()) == ["2023-07-12", "2025-11-07"]
        assert dates(st.events(since=dt.date(2024, 1, 1))) == ["2025-11-07"]
        assert dates(st.events(missile_class="icbm")) == ["2023-07-12"]
        assert dates(st.events(site="Taegwan")) == ["2025-11-07"]  # alias
        assert dates(st.events(limit=1)) == ["2023-07-12"]
        assert st.event(10_000) is None
        # the same texts again: nothing new
        again = _fill(st)
        assert all(a.duplicate for a in again.values())
        assert {k: (a.event_id, a.report_id) for k, a in again.items()} == {
            k: (a.event_id, a.report_id) for k, a in got.items()
        }
        assert st.count() == (2, 4)


def test_too_long_and_nul_strings(db_url, tmp_path):
    """PostgreSQL enforces VARCHAR lengths and refuses NUL characters where SQLite takes
    anything: the store gives both back ends the same answer."""
    for url in (db_url, f"sqlite:///{tmp_path / 'x.sqlite3'}"):
        with Store(url) as st:
            with pytest.raises(RecordError, match="authority"):
                st.add(test_store._new("long", authority="A" * 41))
            a = st.add(test_store._new("nul", authority="ROK\x00 JCS", landing_area="East\x00 Sea"))
            rep = st.event(a.event_id).reports[0]
            assert (rep.authority, rep.landing_area) == ("ROK JCS", "East Sea")
            assert st.count() == (1, 1)


def _without_ids(csv_text):
    import csv
    import io

    return [
        {k: v for k, v in r.items() if k not in ("event_id", "report_id")}
        for r in csv.DictReader(io.StringIO(csv_text))
    ]


def test_csv_and_geojson_round_trip(cluster, tmp_path):
    """SQLite -> CSV/GeoJSON -> PostgreSQL -> CSV gives back the same rows, and importing
    them again adds nothing."""
    from launchwatch.record.ingest import ingest_text

    with Store(f"sqlite:///{tmp_path / 'src.sqlite3'}") as lite:
        _fill(lite)
        ingest_text(
            lite,
            statement("japan_mod_2022-11-18.txt"),
            source="mod.txt",
            reconstruct=False,
            zones=False,
        )
        ref = exchange.to_csv(lite.events())
        geo = exchange.to_geojson(lite.events())
    n = len(_without_ids(ref))
    for text_, name in ((ref, "x.csv"), (geo, "x.geojson")):
        with Store(cluster.new_database()) as pg:
            assert exchange.import_rows(pg, exchange.read_any(text_, name)) == (n, 0)
            assert _without_ids(exchange.to_csv(pg.events())) == _without_ids(ref)
            assert exchange.import_rows(pg, exchange.read_any(text_, name)) == (0, n)
            assert exchange.to_geojson(pg.events()).count('"feature": "landing"') == 1


def test_service_api_on_postgres(db_url):
    """The service's event endpoints over a PostgreSQL record, search case-insensitive."""
    import warnings

    from launchwatch.service.app import create_app
    from launchwatch.service.auth import KeyRing
    from launchwatch.service.live import Hub, RunManager

    keys = KeyRing(None)
    auth = {"Authorization": f"Bearer {keys.create('writer')[0]}"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        from fastapi.testclient import TestClient

    body = {
        "launch_date": "2025-11-07",
        "launch_time_local": "12:35",
        "utc_offset": "+09:00",
        "site": "Taekwan",
        "missile_class": "SRBM",
        "range_km": 700.0,
        "landing_area": "East Sea",
        "authority": "ROK JCS",
        "published_utc": "2025-11-07T14:05:00+09:00",
    }
    with (
        Store(db_url) as st,
        TestClient(
            create_app(st, runs=RunManager(Hub(), lambda name: []), keys=keys), headers=auth
        ) as client,
    ):
        r = client.post("/api/events", json=body)
        assert r.status_code == 201, r.text
        assert r.json()["event"]["reports"][0]["published_utc"] == "2025-11-07T05:05:00"
        assert client.post("/api/events", json=body).json()["duplicate"] is True
        r = client.post(
            "/api/events",
            json={**body, "authority": "Japan MoD", "range_km": 450.0, "missile_class": "ICBM"},
        )
        assert r.status_code == 201
        assert [
            e["launch_date"] for e in client.get("/api/events", params={"q": "EAST sea"}).json()
        ] == ["2025-11-07"]
        assert (
            client.get("/api/events", params={"class": "srbm"}).json()[0]["id"]
            == r.json()["event_id"]
        )
        assert (
            client.get("/api/events", params={"q": "japan mod"}).json()[0]["disagreements"][0][
                "field"
            ]
            == "range_km"
        )
        too_long = client.post(
            "/api/events", json={**body, "source": "x" * 500, "missile_name": "M" * 80}
        )
        assert too_long.status_code == 201
        assert client.get("/api/health").json()["reports"] == 3


# The robustness tests of the record, on PostgreSQL: 40 racing first opens of a new database
# (advisory lock), the same row validation, all-or-nothing imports, dates out of range.
test_forty_first_opens_all_succeed = test_robust.test_forty_first_opens_all_succeed
test_bad_row_refused_and_nothing_stored = test_robust.test_bad_row_refused_and_nothing_stored
test_store_refuses_the_same_rows_whatever_the_caller = (
    test_robust.test_store_refuses_the_same_rows_whatever_the_caller
)
test_launch_time_out_of_range_is_a_record_error = (
    test_robust.test_launch_time_out_of_range_is_a_record_error
)
