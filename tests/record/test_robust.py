"""The record under hostile conditions: damaged files, racing first opens, half imports,
bad rows and dates out of range (findings 6, 7, 11 and 13 of the security issue).

The tests that take ``db_url`` run on SQLite here and on PostgreSQL in ``test_postgres.py``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import multiprocessing as mp
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from launchwatch.record import exchange
from launchwatch.record.store import DamagedRecord, NewReport, RecordError, Store

HASH = hashlib.sha256(b"row").hexdigest()


def _report(i: int = 0, **kw) -> NewReport:
    base = dict(
        text_hash=hashlib.sha256(f"r{i}".encode()).hexdigest(),
        launch_date=dt.date(2000, 1, 1) + dt.timedelta(days=i),
        site_name=f"s{i}",
        range_km=500.0,
        authority="ROK JCS",
    )
    base.update(kw)
    return NewReport(**base)


# -- damaged SQLite files ------------------------------------------------------------------
def _good_file(path: Path) -> bytes:
    with Store(f"sqlite:///{path}") as st:
        for i in range(40):
            st.add(_report(i, landing_area="x" * 200))
        st.engine.dispose()
    import sqlite3

    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.execute("PRAGMA journal_mode=DELETE")
    con.close()
    return path.read_bytes()


def _damage(kind: str, data: bytes) -> bytes:
    page = int.from_bytes(data[16:18], "big") or 65536
    if kind == "random":
        return os.urandom(len(data))
    if kind == "text":
        return b"not a database at all\n" * 100
    if kind == "truncated":
        return data[: len(data) // 3 + 100]
    if kind == "header":
        return b"\0" * 100 + data[100:]
    if kind == "page-zeroed":
        return data[: page * 2] + b"\0" * page + data[page * 3 :]
    if kind == "page-garbage":
        return data[: page * 3] + os.urandom(page) + data[page * 4 :]
    if kind == "btree-flag":
        b = bytearray(data)
        b[page * 2] = 0x77  # not a b-tree page type
        return bytes(b)
    raise ValueError(kind)


KINDS = ["random", "text", "truncated", "header", "page-zeroed", "page-garbage", "btree-flag"]


@pytest.mark.parametrize("kind", KINDS)
def test_damaged_file_one_line_and_untouched(tmp_path, kind):
    path = tmp_path / "records.sqlite3"
    bad = _damage(kind, _good_file(path))
    path.write_bytes(bad)
    with pytest.raises(RecordError) as exc:
        Store(f"sqlite:///{path}")
    msg = str(exc.value)
    assert "\n" not in msg and str(path) in msg and "move it aside" in msg
    assert isinstance(exc.value, DamagedRecord)
    assert path.read_bytes() == bad  # nothing written into it
    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0


def test_damaged_file_cli_and_service(tmp_path):
    """The CLI: one line, exit 2, file untouched (list, ingest, import, serve)."""
    path = tmp_path / "records.sqlite3"
    bad = _damage("page-garbage", _good_file(path))
    path.write_bytes(bad)
    stmt = tmp_path / "s.txt"
    stmt.write_text("North Korea fired a ballistic missile on 2025-11-07, the JCS said.")
    csv_file = tmp_path / "x.csv"
    csv_file.write_text("text_hash,launch_date\n" + HASH + ",2020-01-01\n")
    for args in (
        ["record", "list"],
        ["record", "ingest", str(stmt)],
        ["record", "import", str(csv_file)],
        ["record", "show", "1"],
        ["serve", "--port", "0"],
    ):
        res = subprocess.run(
            [sys.executable, "-m", "launchwatch.cli", *args, "--db", f"sqlite:///{path}"],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "LAUNCHWATCH_KEYS": str(tmp_path / "k.json")},
        )
        if args[0] == "serve" and "outside 1..65535" in res.stderr:
            res = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "launchwatch.cli",
                    "serve",
                    "--port",
                    "8",
                    "--db",
                    f"sqlite:///{path}",
                ],
                capture_output=True,
                text=True,
                timeout=120,
            )
        assert res.returncode == 2, (args, res.stderr)
        assert "Traceback" not in res.stderr and res.stderr.count("\n") == 1, res.stderr
        assert "damaged" in res.stderr, res.stderr
    assert path.read_bytes() == bad


def test_damage_met_while_serving_is_a_503(tmp_path):
    """A file damaged under a running service: 503 naming the file, never a 500."""
    import warnings

    from launchwatch.service.app import create_app
    from launchwatch.service.live import Hub, RunManager

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        from fastapi.testclient import TestClient

    path = tmp_path / "records.sqlite3"
    data = _good_file(path)
    st = Store(f"sqlite:///{path}")
    with TestClient(
        create_app(st, runs=RunManager(Hub(), lambda n: [])), raise_server_exceptions=False
    ) as c:
        assert c.get("/api/events").status_code == 200
        st.engine.dispose()
        path.write_bytes(_damage("page-garbage", data))
        codes = {c.get("/api/events", params={"limit": 1000}).status_code for _ in range(5)}
        r = c.get("/api/events", params={"limit": 1000})
    st.close()
    assert codes == {503}, codes
    assert "damaged" in r.json()["detail"] and str(path) in r.json()["detail"]


# -- migrations under a lock ---------------------------------------------------------------
def _open(url: str, q) -> None:
    try:
        with Store(url) as st:
            q.put(("ok", st.revision))
    except Exception as exc:  # noqa: BLE001 - reported to the parent
        q.put(("error", f"{type(exc).__name__}: {exc}"))


def first_opens(url: str, n: int = 40, at_once: int = 10) -> list:
    # This process opens a store of its own first (a file of its own, never ``url``): the forked
    # children inherit what any process loads on its first open (the migration scripts,
    # SQLAlchemy's mappers; ~0.1 s of CPU each), so each child's time goes to the race for the
    # new database itself.
    with tempfile.TemporaryDirectory() as warm:
        Store(f"sqlite:///{Path(warm) / 'warm.sqlite3'}").close()
    ctx = mp.get_context("fork")  # modules already imported: each child only opens
    q = ctx.Queue()
    out = []
    for start in range(0, n, at_once):
        procs = [ctx.Process(target=_open, args=(url, q)) for _ in range(min(at_once, n - start))]
        for p in procs:
            p.start()
        for p in procs:
            p.join(120)
        out += [q.get(timeout=10) for _ in procs]
    return out


def test_forty_first_opens_all_succeed(db_url):
    got = first_opens(db_url)
    assert len(got) == 40 and all(k == "ok" for k, _ in got), [g for g in got if g[0] != "ok"]
    assert len({rev for _, rev in got}) == 1


# -- imports: one transaction, the same validation everywhere ------------------------------
BAD_ROWS = [
    ("range_km", "-5"),
    ("report_n_missiles", "-3"),
    ("n_missiles", "0"),
    ("site_lon_deg", "1e300"),
    ("landing_lat_deg", "1000"),
    ("text_hash", "x" * 10_000),
    ("apogee_km", "nan"),
    ("flight_time_s", "inf"),
    ("report_launch_time_local", "25:99"),
    ("report_utc_offset", "+99:00"),
    ("derived_json", '{"impact_lat": NaN}'),
    ("report_missile_name", "M" * 500),
    ("report_n_missiles", "1.5"),
    ("launch_date", "9999-99-99"),
    ("eez_claim", "maybe"),
]


def _csv(rows: list[dict]) -> str:
    import csv
    import io

    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=exchange.COLUMNS)
    w.writeheader()
    for r in rows:
        w.writerow({c: r.get(c, "") for c in exchange.COLUMNS})
    return buf.getvalue()


def _row(i: int, **kw) -> dict:
    r = {
        "text_hash": hashlib.sha256(f"imp{i}".encode()).hexdigest(),
        "launch_date": (dt.date(1990, 1, 1) + dt.timedelta(days=i)).isoformat(),
        "site_name": f"site {i}",
        "range_km": "300",
        "authority": "ROK JCS",
    }
    r.update(kw)
    return r


@pytest.mark.parametrize(("field", "value"), BAD_ROWS, ids=[f for f, _ in BAD_ROWS])
def test_bad_row_refused_and_nothing_stored(db_url, field, value):
    rows = [_row(i) for i in range(5)] + [_row(5, **{field: value})]
    with Store(db_url) as st:
        with pytest.raises(RecordError) as exc:
            exchange.import_rows(st, exchange.read_csv(_csv(rows)))
        assert "row 7" in str(exc.value) and "\n" not in str(exc.value)
        assert st.count() == (0, 0)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("range_km", -5.0),
        ("n_missiles", -3),
        ("site_lon_deg", 1e300),
        ("apogee_km", float("nan")),
        ("text_hash", "x" * 10_000),
        ("flight_time_s", float("inf")),
    ],
)
def test_store_refuses_the_same_rows_whatever_the_caller(db_url, field, value):
    kw = {field: value}
    if field == "site_lon_deg":
        kw["site_lat_deg"] = 40.0
    with Store(db_url) as st:
        with pytest.raises(RecordError):
            st.add(_report(1, **kw))
        with pytest.raises(RecordError):
            st.add(_report(2, event={"landing_lat_deg": 1000.0, "landing_lon_deg": 0.0}))
        with pytest.raises(RecordError):
            st.add(_report(3, details={"x": [1.0, float("nan")]}))
        assert st.count() == (0, 0)


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_import_is_all_or_nothing_when_killed(tmp_path):
    """A 4,000-row import killed half-way (once it has spent 4 s of CPU: past start-up and
    parsing, some way into the rows; or once its WAL grows) leaves no rows at all."""
    path = tmp_path / "records.sqlite3"
    csv_file = tmp_path / "big.csv"
    csv_file.write_text(_csv([_row(i) for i in range(4000)]))
    Store(f"sqlite:///{path}").close()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "launchwatch.cli",
            "record",
            "import",
            str(csv_file),
            "--db",
            f"sqlite:///{path}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    import sqlite3

    wal = Path(f"{path}-wal")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if (wal.exists() and wal.stat().st_size > 0) or _cpu_s(proc.pid) > 4.0:
            break
        time.sleep(0.01)
    assert proc.poll() is None, "the import finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    con = sqlite3.connect(path)
    n = con.execute("SELECT count(*) FROM reports").fetchone()[0]
    con.close()
    assert n == 0, f"{n} rows of a killed import were kept"
    with Store(f"sqlite:///{path}") as st:  # the file is still a good record (quick_check)
        assert st.count() == (0, 0)


def test_hostile_geojson_and_csv_are_one_line_errors():
    for text in (
        '{"type": "FeatureCollection", "features": [1]}',
        '{"type": "FeatureCollection", "features": [{"properties": [1]}]}',
        '{"type": "FeatureCollection", "features": [{"properties": {"feature": '
        '"launch"}, "geometry": {"type": "Point", "coordinates": 5}}]}',
        '{"type": "FeatureCollection", "features": [{"properties": {"feature": '
        '"launch"}, "geometry": "x"}]}',
        "text_hash,launch_date\n\0\0,\0\n",
        "text_hash,launch_date\n" + "a" * 200_000,
        '{"type": "FeatureCollection", "features": [{"properties": {"feature": '
        '"launch", "text_hash": "' + HASH + '", "launch_date": "2020-01-01", '
        '"n_missiles": "Infinity"}}]}',
    ):
        with pytest.raises(RecordError):
            rows = exchange.read_any(text)
            [exchange._new_report(r, i) for i, r in enumerate(rows, 2)]


def test_launch_time_out_of_range_is_a_record_error(db_url):
    with Store(db_url) as st:
        for day, hhmm, off in (
            (dt.date(9999, 12, 31), "23:59", "-14:00"),
            (dt.date(1, 1, 1), "00:00", "+14:00"),
        ):
            with pytest.raises(RecordError, match="years 1..9999"):
                st.add(_report(0, launch_date=day, launch_time_local=hhmm, utc_offset=off))
        assert st.count() == (0, 0)
