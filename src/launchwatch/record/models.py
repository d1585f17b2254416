"""ORM schema of the launch record (SQLAlchemy 2.0 declarative, portable SQLite/PostgreSQL).

In the spirit of the CNS North Korea Missile Test Database: one :class:`Event` per launch
event (a salvo is one event with ``n_missiles``), many :class:`Report` rows per event, one per
authority's statement or article, each keeping *its own* figures, and at most one
:class:`Reconstruction` per report (what launchwatch derived from those figures). Disagreeing
reports are never merged: see :mod:`launchwatch.record.compare`.

Units are in the column names (``_km``, ``_s``, ``_deg``). Times: ``launch_time_utc`` and
``published_utc`` are naive UTC datetimes (portable across back ends: :class:`UTCDateTime`
converts an aware datetime to UTC before it is stored, so neither SQLite, which would keep the
wall-clock digits, nor PostgreSQL, which would read them in the session's ``TimeZone``, drops
the offset); the local launch date, clock time and UTC offset are kept as reported
(``launch_date``, ``launch_time_local``, ``utc_offset``).

Strings are ``VARCHAR(n)``: PostgreSQL enforces ``n`` where SQLite does not, so the store checks
lengths itself (:func:`launchwatch.record.store.clean_report`) and both back ends agree.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class UTCDateTime(TypeDecorator):
    """A naive-UTC ``DateTime``: aware values are converted to UTC (and made naive) on the way
    in; naive values are taken as UTC already. Same DDL as ``DateTime`` (no migration)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            return value.astimezone(dt.UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            return value.astimezone(dt.UTC).replace(tzinfo=None)
        return value


class Base(DeclarativeBase):
    """Declarative base of the record schema (its metadata is what Alembic migrates)."""


class Event(Base):
    """One launch event: where, when, what, and the verdicts derived for it."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: ``YYYY-MM-DD|normalised site`` (``?`` for an unknown site): the idempotence key.
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True, index=True)
    launch_date: Mapped[dt.date] = mapped_column(Date, index=True)
    launch_time_local: Mapped[str | None] = mapped_column(String(8))  # "HH:MM"
    utc_offset: Mapped[str | None] = mapped_column(String(6))  # "+09:00"
    launch_time_utc: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    site_name: Mapped[str | None] = mapped_column(String(80), index=True)
    site_lat_deg: Mapped[float | None] = mapped_column(Float)
    site_lon_deg: Mapped[float | None] = mapped_column(Float)
    missile_name: Mapped[str | None] = mapped_column(String(80))
    missile_class: Mapped[str | None] = mapped_column(String(16), index=True)
    n_missiles: Mapped[int | None] = mapped_column(Integer)
    landing_area: Mapped[str | None] = mapped_column(String(300))
    landing_lat_deg: Mapped[float | None] = mapped_column(Float)
    landing_lon_deg: Mapped[float | None] = mapped_column(Float)
    #: Zone of the derived landing point: land | territorial_sea | eez | high_seas.
    zone_kind: Mapped[str | None] = mapped_column(String(20))
    zone_country: Mapped[str | None] = mapped_column(String(3))  # ISO 3166-1 alpha-3
    #: confirmed (a government or KCNA statement) | reported (press only).
    confidence: Mapped[str] = mapped_column(String(12), default="reported")
    created_utc: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=_utcnow)
    updated_utc: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=_utcnow, onupdate=_utcnow)

    reports: Mapped[list[Report]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="Report.id", lazy="selectin"
    )


class Report(Base):
    """One authority's account of an event, with the figures exactly as it gave them."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    #: sha256 of the case-folded, whitespace-collapsed text (or of the row, for imports).
    text_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    authority: Mapped[str | None] = mapped_column(String(40))  # "ROK JCS", "Japan MoD", ...
    outlet: Mapped[str | None] = mapped_column(String(40))  # wire agency carrying it, if any
    published_utc: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    source: Mapped[str | None] = mapped_column(String(500))  # URL or file name
    launch_time_local: Mapped[str | None] = mapped_column(String(8))
    utc_offset: Mapped[str | None] = mapped_column(String(6))
    site_name: Mapped[str | None] = mapped_column(String(80))
    missile_name: Mapped[str | None] = mapped_column(String(80))
    missile_class: Mapped[str | None] = mapped_column(String(16))
    n_missiles: Mapped[int | None] = mapped_column(Integer)
    range_km: Mapped[float | None] = mapped_column(Float)
    apogee_km: Mapped[float | None] = mapped_column(Float)
    flight_time_s: Mapped[float | None] = mapped_column(Float)
    landing_area: Mapped[str | None] = mapped_column(String(300))
    eez_claim: Mapped[str] = mapped_column(String(8), default="unknown")  # inside|outside|unknown
    #: Fields the extractor could not find (list of names); never guessed.
    missing: Mapped[list] = mapped_column(JSON, default=list)
    #: Extraction details: matched sentences, other claims in the text (JSON).
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    created_utc: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=_utcnow)

    event: Mapped[Event] = relationship(back_populates="reports")
    reconstruction: Mapped[Reconstruction | None] = relationship(
        back_populates="report", cascade="all, delete-orphan", uselist=False, lazy="selectin"
    )


class Reconstruction(Base):
    """Figures derived from one report by :func:`launchwatch.flight.reconstruct.reconstruct`."""

    __tablename__ = "reconstructions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), unique=True, index=True
    )
    impact_lat_deg: Mapped[float | None] = mapped_column(Float)
    impact_lon_deg: Mapped[float | None] = mapped_column(Float)
    range_km: Mapped[float | None] = mapped_column(Float)
    apogee_km: Mapped[float | None] = mapped_column(Float)
    flight_time_s: Mapped[float | None] = mapped_column(Float)
    min_energy_range_km: Mapped[float | None] = mapped_column(Float)
    range_class: Mapped[str | None] = mapped_column(String(8))
    zone_kind: Mapped[str | None] = mapped_column(String(20))
    zone_country: Mapped[str | None] = mapped_column(String(3))
    #: The whole ``Reconstruction.as_dict()`` plus ``path``: [[t_s, lat_deg, lon_deg, h_m], ...].
    result: Mapped[dict] = mapped_column(JSON)

    report: Mapped[Report] = relationship(back_populates="reconstruction")


class RunRow(Base):
    """A scenario run of the service (:mod:`launchwatch.service.runlog`): its last known state,
    ``interrupted`` when the service stopped before it ended."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    scenario: Mapped[str] = mapped_column(String(80))
    speed: Mapped[float] = mapped_column(Float)
    state: Mapped[str] = mapped_column(String(16), index=True)
    error: Mapped[str | None] = mapped_column(String(300))
    event_id: Mapped[int | None] = mapped_column(Integer)
    created_utc: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=_utcnow)
    updated_utc: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=_utcnow, onupdate=_utcnow)
