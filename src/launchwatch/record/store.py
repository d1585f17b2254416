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

from sqlalchemy import String, create_engine, event, select
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
    cur.execute("PRAGMA busy_timeout=10000")  # first: switching to WAL may wait for a lock
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
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
                raise RecordError(f"cannot create the directory of {db}: {exc.strerror}") from None
    try:
        engine = create_engine(u, **kw)
    except (ArgumentError, ImportError) as exc:
        raise RecordError(f"cannot use database URL {url!r}: {exc}") from None
    if u.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


#: Key of the PostgreSQL advisory lock held while the schema is migrated ("lwrecord").
PG_LOCK_KEY = 0x6C77_7265_636F_7264


def upgrade(engine: Engine) -> str:
    """Run the packaged Alembic migrations up to head on ``engine``; returns the revision.

    One process at a time: on PostgreSQL under an advisory lock (``pg_advisory_lock``), so
    that any number of first opens of a new database succeed (SQLite files are locked by
    :class:`Store` around the whole open)."""
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy import text

    cfg = Config()
    cfg.set_main_option("script_location", "launchwatch.record:migrations")
    head = ScriptDirectory.from_config(cfg).get_current_head()
    assert head is not None  # the package ships its migrations
    pg = engine.dialect.name == "postgresql"
    with engine.connect() as conn:
        if pg:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": PG_LOCK_KEY})
            conn.commit()
        try:
            if MigrationContext.configure(conn).get_current_revision() != head:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
            conn.commit()
        finally:
            if pg:
                conn.rollback()
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": PG_LOCK_KEY})
                conn.commit()
    return head


class DamagedRecord(RecordError):
    """The database file is damaged: one line naming it and what to do."""


def damaged_message(where: str, why: str) -> str:
    why = " ".join(why.replace("*** in database main ***", "").split())[:200]
    return (
        f"the record at {where} is damaged ({why}); nothing was written to it: move it "
        f"aside and restore a backup, or give another --db / $LAUNCHWATCH_DB_URL"
    )


def _sqlite_path(url: str) -> Path | None:
    try:
        u = make_url(url)
    except ArgumentError:
        return None
    if u.get_backend_name() != "sqlite" or u.database in (None, "", ":memory:"):
        return None
    return Path(u.database).expanduser()


def check_sqlite_file(path: Path) -> None:
    """Refuse a damaged SQLite file (:class:`DamagedRecord`) after a read-only
    ``PRAGMA quick_check``; a missing or empty file is a new record and passes."""
    import sqlite3

    if path.is_dir():
        raise RecordError(f"the record at {path} is a directory, not a database file")
    try:
        if path.stat().st_size == 0:
            return
    except FileNotFoundError:
        return
    except OSError as exc:
        raise RecordError(f"cannot read the record at {path}: {exc.strerror}") from None
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=10)
    except sqlite3.Error as exc:
        raise RecordError(f"cannot open the record at {path}: {exc}") from None
    try:
        rows = con.execute("PRAGMA quick_check").fetchall()
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise RecordError(f"the record at {path} is busy, retry: {exc}") from None
        raise DamagedRecord(damaged_message(str(path), str(exc))) from None
    except sqlite3.DatabaseError as exc:
        raise DamagedRecord(damaged_message(str(path), str(exc))) from None
    finally:
        con.close()
    if [r[0] for r in rows] != ["ok"]:
        raise DamagedRecord(damaged_message(str(path), f"quick_check: {rows[0][0]}"))


class _DirLock:
    """An exclusive ``flock`` on the folder of ``path`` for the ``with`` block.

    The folder, not the database file: closing a second descriptor of the database file
    would drop SQLite's own POSIX locks on it in this process."""

    def __init__(self, path: Path | None) -> None:
        self.path, self.fd = path, None

    def __enter__(self):
        if self.path is None:
            return self
        import fcntl

        folder = self.path.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self.fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        except OSError as exc:
            raise RecordError(
                f"cannot use the folder of the record {folder}: {exc.strerror}"
            ) from None
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            import fcntl

            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None


def _guarded(method):
    """Turn a damaged database met by ``method`` into :class:`DamagedRecord` (an outage or a
    busy database stays an ``OperationalError``: retry)."""
    import functools

    from sqlalchemy.exc import DatabaseError

    @functools.wraps(method)
    def wrapper(self, *args, **kw):
        try:
            return method(self, *args, **kw)
        except OperationalError:
            raise
        except DatabaseError as exc:
            raise DamagedRecord(damaged_message(self.url, str(exc.orig).strip())) from None

    return wrapper


class Store:
    """A migrated launch record. Use as a context manager, or call :meth:`close`."""

    def __init__(self, url: str | None = None) -> None:
        from sqlalchemy.exc import DatabaseError

        self.url = url or default_url()
        path = _sqlite_path(self.url)
        # one opener at a time per SQLite file: checked, then migrated, then released
        with _DirLock(path):
            if path is not None:
                check_sqlite_file(path)
            self.engine = make_engine(self.url)
            try:
                self.revision = upgrade(self.engine)
            except OperationalError as exc:
                self.engine.dispose()
                raise RecordError(
                    f"cannot open the record at {self.url}: {' '.join(str(exc.orig).split())[:300]}"
                ) from None
            except DatabaseError as exc:
                self.engine.dispose()
                raise DamagedRecord(damaged_message(self.url, str(exc.orig).strip())) from None
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.engine.dispose()

    # -- writing -------------------------------------------------------------------------
    @_guarded
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

    @_guarded
    def add_many(self, news: list[NewReport]) -> list[Added]:
        """Add several reports in ONE transaction: all of them or, on any error (a bad row,
        the process killed), none. Every row is validated before anything is written."""
        news = [clean_report(n) for n in news]
        for attempt in range(3):
            try:
                with self.sessions() as s, s.begin():
                    return [self._add_in(s, n) for n in news]
            except IntegrityError:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _add(self, new: NewReport) -> Added:
        with self.sessions() as s, s.begin():
            return self._add_in(s, new)

    def _add_in(self, s: Session, new: NewReport) -> Added:
        known = s.scalar(select(Report).where(Report.text_hash == new.text_hash))
        if known is not None:
            return Added(known.event_id, known.id, True)
        if new.event_key is not None:
            ev = s.scalar(select(Event).where(Event.dedupe_key == new.event_key))
        else:
            ev = self._find_event(s, new)
        if ev is None:
            ev = Event(
                dedupe_key=new.event_key or dedupe_key(new.launch_date, new.event_site()[0]),
                launch_date=new.launch_date,
                confidence=new.event.get("confidence") or "reported",
            )
            s.add(ev)
        self._merge_event(ev, new)
        rep = Report(
            text_hash=new.text_hash,
            authority=new.authority,
            outlet=new.outlet,
            published_utc=new.published_utc,
            source=new.source,
            launch_time_local=new.launch_time_local,
            utc_offset=new.utc_offset,
            site_name=new.site_name,
            missile_name=new.missile_name,
            missile_class=new.missile_class,
            n_missiles=new.n_missiles,
            range_km=new.range_km,
            apogee_km=new.apogee_km,
            flight_time_s=new.flight_time_s,
            landing_area=new.landing_area,
            eez_claim=new.eez_claim or "unknown",
            missing=list(new.missing),
            details=dict(new.details),
        )
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
        for name in (
            "launch_time_local",
            "utc_offset",
            "missile_name",
            "missile_class",
            "n_missiles",
            "landing_area",
            "landing_lat_deg",
            "landing_lon_deg",
            "zone_kind",
            "zone_country",
        ):
            value = new.event.get(name, getattr(new, name, None))
            if getattr(ev, name) is None and value is not None:
                setattr(ev, name, value)
        if ev.launch_time_utc is None and ev.launch_time_local and ev.utc_offset:
            ev.launch_time_utc = launch_time_utc(
                ev.launch_date, ev.launch_time_local, ev.utc_offset
            )
        rec = new.reconstruction
        if ev.landing_lat_deg is None and rec is not None:
            ev.landing_lat_deg, ev.landing_lon_deg = rec["impact_lat"], rec["impact_lon"]
            if new.zone:
                ev.zone_kind, ev.zone_country = new.zone.get("kind"), new.zone.get("country")
        if new.authority in OFFICIAL:
            ev.confidence = "confirmed"

    # -- reading -------------------------------------------------------------------------
    @_guarded
    def events(
        self,
        *,
        since: dt.date | None = None,
        site: str | None = None,
        missile_class: str | None = None,
        q: str | None = None,
        limit: int | None = None,
        offset: int = 0,
        newest_first: bool = False,
        simulated: bool | None = None,
    ) -> list[Event]:
        """Events (with reports and reconstructions loaded), oldest first (or newest first),
        filtered by local launch date >= ``since``, site (name or alias), missile class (e.g.
        ``SRBM``), ``q`` (case-insensitive text in the event or any of its reports) and kind
        (``simulated=False`` only reported events, ``True`` only simulated runs, ``None``
        both), paged by ``limit`` / ``offset``. Filters, order and paging all run in SQL on indexed
        columns, so a page costs the same however large the record is."""
        stmt = self._filtered(
            select(Event),
            since=since,
            site=site,
            missile_class=missile_class,
            q=q,
            simulated=simulated,
        )
        if stmt is None:
            return []
        order = (
            (Event.launch_date.desc(), Event.id.desc())
            if newest_first
            else (Event.launch_date, Event.id)
        )
        stmt = stmt.order_by(*order).offset(max(0, int(offset)))
        if limit is not None:
            stmt = stmt.limit(max(0, int(limit)))
        with self.sessions() as s:
            return list(s.scalars(stmt))

    @_guarded
    def count_events(
        self,
        *,
        since: dt.date | None = None,
        site: str | None = None,
        missile_class: str | None = None,
        q: str | None = None,
        simulated: bool | None = None,
    ) -> int:
        """How many events :meth:`events` would return without paging."""
        from sqlalchemy import func

        stmt = self._filtered(
            select(func.count(Event.id)),
            since=since,
            site=site,
            missile_class=missile_class,
            q=q,
            simulated=simulated,
        )
        if stmt is None:
            return 0
        with self.sessions() as s:
            return int(s.scalar(stmt) or 0)

    def _filtered(self, stmt, *, since, site, missile_class, q, simulated=None):
        """``stmt`` with the filters of :meth:`events` as SQL; ``None`` when nothing matches."""
        from sqlalchemy import cast, exists, func, or_

        if simulated is not None:
            stmt = stmt.where(
                (Event.confidence == "simulated")
                if simulated
                else (Event.confidence != "simulated")
            )
        if since is not None:
            stmt = stmt.where(Event.launch_date >= since)
        if missile_class is not None:
            stmt = stmt.where(Event.missile_class == missile_class.upper())
        if site is not None:
            # the few distinct site names are normalised here, then matched in SQL
            want = _site_key(site)
            with self.sessions() as s:
                names = [
                    n
                    for n in s.scalars(select(Event.site_name).distinct())
                    if n and normalize_name(n) == want
                ]
            if not names:
                return None
            stmt = stmt.where(Event.site_name.in_(names))
        if q is not None and q.strip():
            needle = q.strip().lower()
            pat = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"

            def like(col):
                return func.lower(col).like(pat, escape="\\")

            ev_cols = (
                Event.site_name,
                Event.missile_name,
                Event.missile_class,
                Event.landing_area,
                Event.zone_kind,
                Event.zone_country,
                Event.confidence,
            )
            rep_cols = (
                Report.authority,
                Report.outlet,
                Report.source,
                Report.landing_area,
                Report.missile_name,
                Report.site_name,
            )
            in_reports = exists().where(
                Report.event_id == Event.id, or_(*(like(c) for c in rep_cols))
            )
            date_text = cast(Event.launch_date, String)
            stmt = stmt.where(or_(*(like(c) for c in ev_cols), like(date_text), in_reports))
        return stmt

    @_guarded
    def prune(self, confidence: str, keep: int) -> int:
        """Delete all but the newest ``keep`` events of this ``confidence`` (e.g. the
        ``simulated`` events of scenario runs), with their reports; the number deleted."""
        with self.sessions() as s, s.begin():
            old = list(
                s.scalars(
                    select(Event)
                    .where(Event.confidence == confidence)
                    .order_by(Event.id.desc())
                    .offset(max(0, int(keep)))
                )
            )
            for ev in old:
                s.delete(ev)
            return len(old)

    @_guarded
    def event(self, event_id: int) -> Event | None:
        """One event with its reports and reconstructions, or ``None``."""
        if not 1 <= int(event_id) <= 2**62:
            return None
        with self.sessions() as s:
            return s.get(Event, event_id)

    @_guarded
    def has_report(self, text_hash: str) -> Report | None:
        """The stored report with this text hash, or ``None``."""
        with self.sessions() as s:
            return s.scalar(select(Report).where(Report.text_hash == text_hash))

    @_guarded
    def count(self) -> tuple[int, int]:
        """(events, reports) in the record."""
        from sqlalchemy import func

        with self.sessions() as s:
            events = s.scalar(select(func.count(Event.id))) or 0
            reports = s.scalar(select(func.count(Report.id))) or 0
            return events, reports


def _max_len(table, name: str) -> int | None:
    col = table.c.get(name)
    return getattr(col.type, "length", None) if col is not None else None


def _clean_str(value, name: str, limit: int | None):
    if not isinstance(value, str):
        return value
    value = value.replace("\x00", "")
    if limit is not None and len(value) > limit:
        if name in CLIPPED:
            return value[: limit - 1].rstrip() + "\u2026"
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
    from .validate import check_report

    try:
        check_report(new)
    except ValueError as exc:
        raise RecordError(str(exc)) from None
    rep, ev = Report.__table__, Event.__table__
    changes = {}
    for f in (
        "authority",
        "outlet",
        "source",
        "launch_time_local",
        "utc_offset",
        "site_name",
        "missile_name",
        "missile_class",
        "landing_area",
        "eez_claim",
    ):
        changes[f] = _clean_str(getattr(new, f), f, _max_len(rep, f))
    changes["missing"] = _clean_json(list(new.missing))
    changes["details"] = _clean_json(dict(new.details))
    if new.reconstruction is not None:
        changes["reconstruction"] = _clean_json(new.reconstruction)
    changes["event"] = {k: _clean_str(v, k, _max_len(ev, k)) for k, v in new.event.items()}
    if new.event_key is not None:
        changes["event_key"] = _clean_str(new.event_key, "event_key", _max_len(ev, "dedupe_key"))
    return replace(new, **changes)


#: Two named launch areas closer than this (km) on the same date are one event: authorities
#: name the same launch "the vicinity of Pyongyang" and "the Sunan area" (about 23 km apart).
SAME_PLACE_KM = 60.0


def _same_place(ev: Event, new: NewReport) -> bool:
    """Same launch area: either site unknown, or both known within :data:`SAME_PLACE_KM`."""
    _, lat, lon = new.event_site()
    if ev.site_lat_deg is None or ev.site_lon_deg is None or lat is None or lon is None:
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
    """Naive UTC datetime of local clock time ``hhmm`` on ``day`` at UTC ``offset``;
    :class:`RecordError` when it is not a time or falls outside years 1..9999 in UTC."""
    try:
        local = dt.datetime.fromisoformat(f"{day.isoformat()}T{hhmm}{offset}")
        return local.astimezone(dt.UTC).replace(tzinfo=None)
    except (ValueError, OverflowError):
        raise RecordError(
            f"{day} {hhmm} {offset} is not a time within years 1..9999 in UTC"
        ) from None


def _reconstruction_row(rec: dict, zone: dict | None) -> Reconstruction:
    return Reconstruction(
        impact_lat_deg=rec.get("impact_lat"),
        impact_lon_deg=rec.get("impact_lon"),
        range_km=rec.get("range_km"),
        apogee_km=rec.get("apogee_km"),
        flight_time_s=rec.get("flight_time_s"),
        min_energy_range_km=rec.get("min_energy_range_km"),
        range_class=rec.get("range_class"),
        zone_kind=(zone or {}).get("kind"),
        zone_country=(zone or {}).get("country"),
        result=rec,
    )
