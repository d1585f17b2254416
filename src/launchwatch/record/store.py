"""The durable launch record: open (and migrate) a database, add reports idempotently, query.

SQLite by default, at ``records.sqlite3`` under ``platformdirs.user_data_dir("launchwatch")``;
``$LAUNCHWATCH_DB_URL`` or an explicit SQLAlchemy URL overrides it: the same migrations and
schema run on PostgreSQL (``postgresql://...`` means the psycopg 3 driver; tested against a
throw-away cluster in ``tests/record/test_postgres.py``). Opening runs the packaged Alembic
migrations up to ``head``. Strings are checked against their column lengths and freed of NUL
characters before they are written (:func:`clean_report`), so both back ends accept and refuse
the same reports.

SQLite runs in WAL mode with ``synchronous=FULL``: once :meth:`Store.add` has returned, the
commit is on disk and survives the process being killed (SIGKILL) or the machine losing power.

Idempotence: a report is identified by the hash of its normalised text (:func:`text_hash`); the
same text twice returns the stored event with ``duplicate=True``. An event is identified by its
``dedupe_key`` (local launch date and site); reports of the same date whose site is unknown
join the only event of that date, if there is exactly one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy import create_engine, event, select
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from ..flight.catalog import normalize_name
from .models import Event, Reconstruction, Report

#: Free-text columns that are shortened (with an ellipsis) rather than refused when too long.
CLIPPED = frozenset({"landing_area", "source"})

ENV_URL = "LAUNCHWATCH_DB_URL"
DB_FILE = "records.sqlite3"
#: Authorities whose statement makes an event "confirmed" (rather than press-"reported").
OFFICIAL = frozenset({"ROK JCS", "Japan MoD", "KCNA", "US INDOPACOM"})


class RecordError(ValueError):
    """Bad input to the record (unreadable database URL, unusable row): one-line message."""


def default_url() -> str:
    """``$LAUNCHWATCH_DB_URL``, else a SQLite file under the user's data directory."""
    if url := os.environ.get(ENV_URL):
        return url
    import platformdirs

    path = Path(platformdirs.user_data_dir("launchwatch")) / DB_FILE
    return f"sqlite:///{path}"


def text_hash(text: str) -> str:
    """sha256 (hex) of ``text`` case-folded with runs of whitespace collapsed to one space."""
    norm = re.sub(r"\s+", " ", text).strip().casefold()
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()


def dedupe_key(launch_date: dt.date, site: str | None) -> str:
    """``YYYY-MM-DD|site`` with the site normalised (``?`` when unknown)."""
    return f"{launch_date.isoformat()}|{normalize_name(site) if site else '?'}"


@dataclass(kw_only=True)
class NewReport:
    """Everything needed to add one report (and its event, if new) to the record.

    Figures as reported, in km and s; ``reconstruction`` is ``Reconstruction.as_dict()`` plus
    an optional ``path`` ([[t_s, lat_deg, lon_deg, h_m], ...]); ``zone`` is ``zone_of()`` of
    the derived impact point.
    """

    text_hash: str
    launch_date: dt.date
    launch_time_local: str | None = None
    utc_offset: str | None = None
    site_name: str | None = None
    site_lat_deg: float | None = None
    site_lon_deg: float | None = None
    missile_name: str | None = None
    missile_class: str | None = None
    n_missiles: int | None = None
    range_km: float | None = None
    apogee_km: float | None = None
    flight_time_s: float | None = None
    landing_area: str | None = None
    eez_claim: str = "unknown"
    authority: str | None = None
    outlet: str | None = None
    published_utc: dt.datetime | None = None
    source: str | None = None
    missing: list[str] = field(default_factory=list)
    details: dict = field(default_factory=dict)
    reconstruction: dict | None = None
    zone: dict | None = None
    #: Event columns to use when creating or filling the event (imports): they may differ
    #: from this report's own figures (another report of the event gave them). A
    #: ``confidence`` here is the new event's (e.g. ``simulated``).
    event: dict = field(default_factory=dict)
    #: An explicit event key (not starting with ``YYYY-MM-DD|``): the report joins only the
    #: event with this key, and reports without it never join that event (a simulated run
    #: and a real launch of the same date and place stay apart).
    event_key: str | None = None

    def event_site(self) -> tuple[str | None, float | None, float | None]:
        """(name, lat, lon) of the event's site: the event columns, else this report's."""
        e = self.event
        if e.get("site_name"):
            return e["site_name"], e.get("site_lat_deg"), e.get("site_lon_deg")
        return self.site_name, self.site_lat_deg, self.site_lon_deg


@dataclass(frozen=True)
class Added:
    """Outcome of :meth:`Store.add`: the event and report ids, and whether it was known."""

    event_id: int
    report_id: int
    duplicate: bool


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def make_engine(url: str | None = None) -> Engine:
    """SQLAlchemy engine for ``url`` (default :func:`default_url`); SQLite gets WAL +
    synchronous=FULL + foreign keys on every connection, and its directory is created;
    ``postgresql://`` (no driver named) uses psycopg 3."""
    url = url or default_url()
    try:
        u = make_url(url)
    except ArgumentError:
        raise RecordError(f"not a database URL: {url!r}") from None
    kw: dict = {}
    if u.drivername in ("postgresql", "postgres"):  # psycopg 3 is the driver we install
        u = u.set(drivername="postgresql+psycopg")
    if u.get_backend_name() == "postgresql":
        kw = {"pool_pre_ping": True}
    if u.get_backend_name() == "sqlite":
        db = u.database or ""
        if db in ("", ":memory:"):
            kw = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
        else:
            try:
                Path(db).expanduser().parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise RecordError(f"cannot create the directory of {db}: {exc.strerror}") \
                    from None
    try:
        engine = create_engine(u, **kw)
    except (ArgumentError, ImportError) as exc:
        raise RecordError(f"cannot use database URL {url!r}: {exc}") from None
    if u.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def upgrade(engine: Engine) -> str:
    """Run the packaged Alembic migrations up to head on ``engine``; returns the revision."""
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", "launchwatch.record:migrations")
    head = ScriptDirectory.from_config(cfg).get_current_head()
    with engine.connect() as conn:
        if MigrationContext.configure(conn).get_current_revision() == head:
            return head
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return head


class Store:
    """A migrated launch record. Use as a context manager, or call :meth:`close`."""

    def __init__(self, url: str | None = None) -> None:
        self.url = url or default_url()
        self.engine = make_engine(self.url)
        try:
            self.revision = upgrade(self.engine)
        except OperationalError as exc:
            self.engine.dispose()
            raise RecordError(f"cannot open the record at {self.url}: "
                              f"{str(exc.orig).strip()}") from None
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.engine.dispose()

    # -- writing -------------------------------------------------------------------------
    def add(self, new: NewReport) -> Added:
        """Add a report (creating or joining its event) in one durable transaction.

        Raises :class:`RecordError` for a string longer than its column (see
        :func:`clean_report`)."""
        new = clean_report(new)
        for attempt in range(3):
            try:
                return self._add(new)
            except IntegrityError:  # a concurrent writer added the same event or report
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _add(self, new: NewReport) -> Added:
        with self.sessions() as s, s.begin():
            known = s.scalar(select(Report).where(Report.text_hash == new.text_hash))
            if known is not None:
                return Added(known.event_id, known.id, True)
            if new.event_key is not None:
                ev = s.scalar(select(Event).where(Event.dedupe_key == new.event_key))
            else:
                ev = self._find_event(s, new)
            if ev is None:
                ev = Event(dedupe_key=new.event_key
                           or dedupe_key(new.launch_date, new.event_site()[0]),
                           launch_date=new.launch_date,
                           confidence=new.event.get("confidence") or "reported")
                s.add(ev)
            self._merge_event(ev, new)
            rep = Report(
                text_hash=new.text_hash, authority=new.authority, outlet=new.outlet,
                published_utc=new.published_utc, source=new.source,
                launch_time_local=new.launch_time_local, utc_offset=new.utc_offset,
                site_name=new.site_name, missile_name=new.missile_name,
                missile_class=new.missile_class, n_missiles=new.n_missiles,
                range_km=new.range_km, apogee_km=new.apogee_km,
                flight_time_s=new.flight_time_s, landing_area=new.landing_area,
                eez_claim=new.eez_claim or "unknown", missing=list(new.missing),
                details=dict(new.details))
            ev.reports.append(rep)
            if new.reconstruction is not None:
                rep.reconstruction = _reconstruction_row(new.reconstruction, new.zone)
            s.flush()
            return Added(ev.id, rep.id, False)

    @staticmethod
    def _find_event(s: Session, new: NewReport) -> Event | None:
        key = dedupe_key(new.launch_date, new.event_site()[0])
        if (ev := s.scalar(select(Event).where(Event.dedupe_key == key))) is not None:
            return ev
        same_day = list(s.scalars(select(Event).where(Event.launch_date == new.launch_date)))
        # events with an explicit key (simulated runs) are never joined by date and place
        prefix = f"{new.launch_date.isoformat()}|"
        near = [e for e in same_day if e.dedupe_key.startswith(prefix) and _same_place(e, new)]
        return near[0] if len(near) == 1 else None

    @staticmethod
    def _merge_event(ev: Event, new: NewReport) -> None:
        """Fill the event's unknown fields from ``new``; never overwrite a known one."""
        site, lat, lon = new.event_site()
        if ev.site_name is None and site is not None:
            ev.site_name, ev.site_lat_deg, ev.site_lon_deg = site, lat, lon
            if new.event_key is None:
                ev.dedupe_key = dedupe_key(ev.launch_date, site)
        for name in ("launch_time_local", "utc_offset", "missile_name", "missile_class",
                     "n_missiles", "landing_area", "landing_lat_deg", "landing_lon_deg",
                     "zone_kind", "zone_country"):
            value = new.event.get(name, getattr(new, name, None))
            if getattr(ev, name) is None and value is not None:
                setattr(ev, name, value)
        if ev.launch_time_utc is None and ev.launch_time_local and ev.utc_offset:
            ev.launch_time_utc = launch_time_utc(ev.launch_date, ev.launch_time_local,
                                                 ev.utc_offset)
        rec = new.reconstruction
        if ev.landing_lat_deg is None and rec is not None:
            ev.landing_lat_deg, ev.landing_lon_deg = rec["impact_lat"], rec["impact_lon"]
            if new.zone:
                ev.zone_kind, ev.zone_country = new.zone.get("kind"), new.zone.get("country")
        if new.authority in OFFICIAL:
            ev.confidence = "confirmed"

    # -- reading -------------------------------------------------------------------------
    def events(self, *, since: dt.date | None = None, site: str | None = None,
               missile_class: str | None = None, limit: int | None = None,
               simulated: bool | None = None) -> list[Event]:
        """Events (with reports and reconstructions loaded), oldest first, filtered by local
        launch date >= ``since``, site (name or alias), missile class (e.g. ``SRBM``) and
        kind: ``simulated=False`` only reported events, ``True`` only simulated runs,
        ``None`` both."""
        q = select(Event).order_by(Event.launch_date, Event.id)
        if simulated is not None:
            q = q.where((Event.confidence == "simulated") if simulated
                        else (Event.confidence != "simulated"))
        if since is not None:
            q = q.where(Event.launch_date >= since)
        if missile_class is not None:
            q = q.where(Event.missile_class == missile_class.upper())
        with self.sessions() as s:
            rows = list(s.scalars(q))
        if site is not None:
            want = _site_key(site)
            rows = [e for e in rows if e.site_name and normalize_name(e.site_name) == want]
        return rows[:limit] if limit is not None else rows

    def event(self, event_id: int) -> Event | None:
        """One event with its reports and reconstructions, or ``None``."""
        with self.sessions() as s:
            return s.get(Event, event_id)

    def has_report(self, text_hash: str) -> Report | None:
        """The stored report with this text hash, or ``None``."""
        with self.sessions() as s:
            return s.scalar(select(Report).where(Report.text_hash == text_hash))

    def count(self) -> tuple[int, int]:
        """(events, reports) in the record."""
        from sqlalchemy import func

        with self.sessions() as s:
            return (s.scalar(select(func.count(Event.id))),
                    s.scalar(select(func.count(Report.id))))


def _max_len(table, name: str) -> int | None:
    col = table.c.get(name)
    return getattr(col.type, "length", None) if col is not None else None


def _clean_str(value, name: str, limit: int | None):
    if not isinstance(value, str):
        return value
    value = value.replace("\x00", "")
    if limit is not None and len(value) > limit:
        if name in CLIPPED:
            return value[:limit - 1].rstrip() + "\u2026"
        raise RecordError(f"{name} is longer than {limit} characters: {value[:40]!r}...")
    return value


def _clean_json(value):
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {_clean_json(k): _clean_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean_json(v) for v in value]
    return value


def clean_report(new: NewReport) -> NewReport:
    """``new`` with NUL characters removed from its strings (PostgreSQL refuses them) and its
    strings checked against the column lengths (PostgreSQL enforces them, SQLite does not):
    free text (:data:`CLIPPED`) is shortened with an ellipsis, anything else too long raises
    :class:`RecordError`. The same on every back end."""
    rep, ev = Report.__table__, Event.__table__
    changes = {}
    for f in ("authority", "outlet", "source", "launch_time_local", "utc_offset", "site_name",
              "missile_name", "missile_class", "landing_area", "eez_claim"):
        changes[f] = _clean_str(getattr(new, f), f, _max_len(rep, f))
    changes["missing"] = _clean_json(list(new.missing))
    changes["details"] = _clean_json(dict(new.details))
    if new.reconstruction is not None:
        changes["reconstruction"] = _clean_json(new.reconstruction)
    changes["event"] = {k: _clean_str(v, k, _max_len(ev, k)) for k, v in new.event.items()}
    if new.event_key is not None:
        changes["event_key"] = _clean_str(new.event_key, "event_key",
                                          _max_len(ev, "dedupe_key"))
    return replace(new, **changes)


#: Two named launch areas closer than this (km) on the same date are one event: authorities
#: name the same launch "the vicinity of Pyongyang" and "the Sunan area" (about 23 km apart).
SAME_PLACE_KM = 60.0


def _same_place(ev: Event, new: NewReport) -> bool:
    """Same launch area: either site unknown, or both known within :data:`SAME_PLACE_KM`."""
    _, lat, lon = new.event_site()
    if ev.site_lat_deg is None or lat is None:
        return True
    from ..earth import geodesy

    _, _, dist_m = geodesy.inverse(ev.site_lat_deg, ev.site_lon_deg, lat, lon)
    return float(dist_m) / 1e3 <= SAME_PLACE_KM


def _site_key(site: str) -> str:
    """Normalised canonical site name for a name or alias (the name itself if unknown)."""
    from ..flight.catalog import UnknownNameError, get_site

    try:
        return normalize_name(get_site(site).name)
    except UnknownNameError:
        return normalize_name(site)


def launch_time_utc(day: dt.date, hhmm: str, offset: str) -> dt.datetime:
    """Naive UTC datetime of local clock time ``hhmm`` on ``day`` at UTC ``offset``."""
    local = dt.datetime.fromisoformat(f"{day.isoformat()}T{hhmm}{offset}")
    return local.astimezone(dt.UTC).replace(tzinfo=None)


def _reconstruction_row(rec: dict, zone: dict | None) -> Reconstruction:
    return Reconstruction(
        impact_lat_deg=rec.get("impact_lat"), impact_lon_deg=rec.get("impact_lon"),
        range_km=rec.get("range_km"), apogee_km=rec.get("apogee_km"),
        flight_time_s=rec.get("flight_time_s"),
        min_energy_range_km=rec.get("min_energy_range_km"),
        range_class=rec.get("range_class"),
        zone_kind=(zone or {}).get("kind"), zone_country=(zone or {}).get("country"),
        result=rec)
