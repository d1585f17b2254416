"""The store: Alembic from empty, SQLite durability settings, idempotence, event matching,
disagreements (no reconstruction needed: fast)."""

import datetime as dt
import sqlite3

import pytest
from sqlalchemy import inspect

from launchwatch.record.compare import disagreements
from launchwatch.record.store import NewReport, RecordError, Store, text_hash
from launchwatch.record.views import event_dict


def _new(h, **kw):
    base = {"text_hash": text_hash(h), "launch_date": dt.date(2025, 11, 7)}
    return NewReport(**(base | kw))


def test_alembic_upgrade_from_empty_creates_the_schema(tmp_path):
    path = tmp_path / "empty.sqlite3"
    with Store(f"sqlite:///{path}") as st:
        assert st.revision == "0002"
        tables = set(inspect(st.engine).get_table_names())
    assert {"events", "reports", "reconstructions", "alembic_version"} <= tables
    con = sqlite3.connect(path)
    assert con.execute("select version_num from alembic_version").fetchall() == [("0002",)]
    assert con.execute("pragma journal_mode").fetchone()[0] == "wal"
    con.close()
    with Store(f"sqlite:///{path}") as st:  # reopening an up-to-date database is a no-op
        assert st.count() == (0, 0)


def test_sqlite_durability_pragmas(db_url):
    with Store(db_url) as st, st.engine.connect() as c:
        assert c.exec_driver_sql("pragma synchronous").scalar() == 2  # FULL
        assert c.exec_driver_sql("pragma foreign_keys").scalar() == 1


def test_default_url_honours_env(monkeypatch, tmp_path):
    from launchwatch.record.store import default_url

    monkeypatch.setenv("LAUNCHWATCH_DB_URL", f"sqlite:///{tmp_path}/x.db")
    assert default_url() == f"sqlite:///{tmp_path}/x.db"
    monkeypatch.delenv("LAUNCHWATCH_DB_URL")
    assert default_url().endswith("records.sqlite3") and "launchwatch" in default_url()


def test_bad_url():
    with pytest.raises(RecordError):
        Store("not a url")


def test_same_report_twice_is_stored_once(db_url):
    with Store(db_url) as st:
        a = st.add(
            _new(
                "JCS text",
                site_name="Taekwan",
                site_lat_deg=40.22,
                site_lon_deg=125.22,
                authority="ROK JCS",
                range_km=700.0,
            )
        )
        b = st.add(_new("  jcs   TEXT ", site_name="Taekwan", authority="ROK JCS"))
        assert (
            not a.duplicate
            and b.duplicate
            and (a.event_id, a.report_id) == (b.event_id, b.report_id)
        )
        assert st.count() == (1, 1)


def test_reports_join_one_event_and_disagree(db_url):
    with Store(db_url) as st:
        a = st.add(
            _new(
                "jcs",
                site_name="Taekwan",
                site_lat_deg=40.22,
                site_lon_deg=125.22,
                authority="ROK JCS",
                range_km=700.0,
                launch_time_local="12:35",
                utc_offset="+09:00",
            )
        )
        b = st.add(
            _new(
                "mod",
                site_name="Taekwan",
                site_lat_deg=40.22,
                site_lon_deg=125.22,
                authority="Japan MoD",
                range_km=450.0,
                apogee_km=50.0,
                eez_claim="outside",
            )
        )
        c = st.add(_new("wire", authority=None, outlet="AP", range_km=700.0))  # no site
        other = st.add(
            _new("elsewhere", site_name="Sinpo", site_lat_deg=40.03, site_lon_deg=128.19)
        )  # ~250 km away: another event
        assert a.event_id == b.event_id == c.event_id and other.event_id != a.event_id
        # With two events that day, a report without a site joins neither.
        assert st.add(_new("vague", outlet="AFP")).event_id not in (a.event_id, other.event_id)
        ev = st.event(a.event_id)
        assert ev.launch_time_utc == dt.datetime(2025, 11, 7, 3, 35)
        assert ev.confidence == "confirmed"
        d = event_dict(ev)
        summary = [x["summary"] for x in d["disagreements"]]
        assert summary == ["range 700 km (ROK JCS, AP) vs 450 km (Japan MoD)"]
        assert st.events(site="Taegwan")[0].id == a.event_id  # alias
        assert st.events(since=dt.date(2025, 11, 8)) == []


def test_unknown_site_joins_the_only_event_of_the_day(db_url):
    with Store(db_url) as st:
        a = st.add(_new("wire first", outlet="AP", range_km=700.0))
        b = st.add(
            _new(
                "jcs later",
                site_name="Taekwan",
                site_lat_deg=40.22,
                site_lon_deg=125.22,
                authority="ROK JCS",
            )
        )
        assert a.event_id == b.event_id
        assert st.event(a.event_id).site_name == "Taekwan"


def test_close_figures_do_not_disagree():
    class R:
        def __init__(self, i, who, **kw):
            self.id, self.authority, self.outlet = i, who, None
            for k in (
                "range_km",
                "apogee_km",
                "flight_time_s",
                "launch_time_local",
                "site_name",
                "missile_class",
                "n_missiles",
                "eez_claim",
            ):
                setattr(self, k, kw.get(k))

    same = [
        R(1, "KCNA", range_km=999.2, apogee_km=6040.9, flight_time_s=4135),
        R(2, "Japan MoD", range_km=1000, apogee_km=6000, flight_time_s=4140),
    ]
    assert disagreements(same) == []
    assert disagreements([R(1, "A", eez_claim="inside"), R(2, "B", eez_claim="unknown")]) == []


def test_a_site_named_by_its_city_does_not_disagree_with_the_site_in_it():
    class R:
        def __init__(self, i, who, site):
            self.id, self.authority, self.outlet = i, who, None
            for k in ("range_km", "apogee_km", "flight_time_s", "launch_time_local"):
                setattr(self, k, None)
            self.missile_class = self.n_missiles = self.eez_claim = None
            self.site_name = site

    # Sunan lies in Pyongyang: the city is the less precise reading, not another place.
    assert disagreements([R(1, "ROK JCS", "Pyongyang"), R(2, "Japan MoD", "Sunan")]) == []
    assert disagreements([R(1, "A", "Sunan area"), R(2, "B", "Pyongyang Sunan")]) == []
    # Two precisely named sites in one province still differ, as do sites far apart.
    (d,) = disagreements([R(1, "A", "Sunan"), R(2, "B", "Chunghwa")])
    assert d["summary"] == "site Sunan (A) vs Chunghwa (B)"
    (d,) = disagreements([R(1, "A", "Pyongyang"), R(2, "B", "Kusong")])
    assert d["field"] == "site_name"
