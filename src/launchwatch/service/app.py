"""The launchwatch service (FastAPI): launch records, scenario runs, live feed, dashboard.

``create_app(store)`` builds the application around an open
:class:`~launchwatch.record.store.Store`; ``launchwatch serve`` runs it with uvicorn. OpenAPI at
``/docs`` (and ``/openapi.json``); the dashboard at ``/``.

Endpoints (all JSON):

* ``GET /api/events`` -- events, filtered by ``since`` (local launch date), ``site`` (name or
  alias), ``class`` (SRBM ... ICBM), ``q`` (case-insensitive text in the event and its reports),
  paged by ``limit`` / ``offset``; ``GET /api/events/{id}``;
* ``POST /api/events`` -- one report as JSON (:class:`EventIn`): creates its event or joins the
  event of the same date and site; the same body twice is recognised (``duplicate``);
* ``POST /api/events/ingest`` -- a statement or article (``text/plain`` body, or JSON
  ``{"text": ...}``) through :func:`launchwatch.record.ingest.ingest_text`;
* ``GET /api/scenarios``; ``POST /api/scenarios/{name}/run?speed=20`` starts a run
  (:mod:`.live`); ``GET /api/runs``, ``GET /api/runs/{id}``; a finished run is stored in the
  record as a simulated launch event (:mod:`.archive`; ``event_id`` in the run's info);
* ``GET /api/sites``, ``GET /api/zones/lines``, ``GET /api/areas?code=JP-01`` -- map layers;
* ``WS /ws/live`` -- the live feed (:mod:`.live` describes the messages).

Writes are durable when acknowledged: :meth:`Store.add` commits (SQLite WAL, synchronous=FULL)
before the response is sent. Bad input gets a 4xx with a one-line ``detail``.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import json
import re
from importlib.resources import files
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, HTTPException, Path, Query, Request, WebSocket
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.staticfiles import StaticFiles
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from starlette.websockets import WebSocketDisconnect

from ..flight.classes import EVENT_CLASSES
from ..record.store import DamagedRecord, NewReport, RecordError, Store
from ..record.views import event_dict
from . import geo, uploads
from .archive import record_run
from .auth import Caller, KeyRing, role_at_least
from .docs import add_offline_docs
from .guard import Guard, Limits, RateLimiter, too_many
from .live import Hub, RunManager, RunsBusy, run_scenario
from .messages import jsonable
from .runlog import RunLog

#: Longest statement text accepted by the ingest endpoint, characters.
MAX_TEXT = 200_000
CLASSES = EVENT_CLASSES
STATIC = files("launchwatch.service") / "static"

Name = Annotated[str, Field(min_length=1, max_length=80)]


class EventIn(BaseModel):
    """One report of a launch event, with the figures as the authority gave them.

    The event is identified by its local launch date and site: a second report of the same
    date and site joins it (and its disagreements are kept). The same body twice is one report.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    launch_date: dt.date = Field(description="Local launch date, YYYY-MM-DD.")
    launch_time_local: str | None = Field(
        None, pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="Local clock time, HH:MM."
    )
    utc_offset: str | None = Field(
        None,
        pattern=r"^[+-](0\d|1[0-4]):[0-5]\d$",
        description="UTC offset of the local time, e.g. +09:00.",
    )
    site: Name | None = Field(
        None, description="Launch site or area (a catalog name or alias fills in its coordinates)."
    )
    site_lat_deg: float | None = Field(None, ge=-90, le=90)
    site_lon_deg: float | None = Field(None, ge=-180, le=180)
    missile_name: Name | None = None
    missile_class: Literal[CLASSES] | None = None  # type: ignore[valid-type]
    n_missiles: int | None = Field(None, ge=1, le=1000)
    range_km: float | None = Field(None, gt=0, lt=25_000)
    apogee_km: float | None = Field(None, gt=0, lt=20_000)
    flight_time_s: float | None = Field(None, gt=0, lt=20_000)
    landing_area: str | None = Field(None, max_length=300)
    landing_lat_deg: float | None = Field(None, ge=-90, le=90)
    landing_lon_deg: float | None = Field(None, ge=-180, le=180)
    eez_claim: Literal["inside", "outside", "unknown"] = "unknown"
    authority: str | None = Field(None, max_length=40, description="e.g. ROK JCS, Japan MoD.")
    outlet: str | None = Field(None, max_length=40)
    published_utc: dt.datetime | None = None
    source: str | None = Field(None, max_length=500, description="URL or file name.")

    @field_validator("published_utc")
    @classmethod
    def _in_utc_range(cls, v: dt.datetime | None) -> dt.datetime | None:
        if v is not None and v.tzinfo is not None:
            try:
                v.astimezone(dt.UTC)
            except OverflowError:
                raise ValueError("the time falls outside years 1..9999 in UTC") from None
        return v

    @model_validator(mode="after")
    def _pairs(self) -> EventIn:
        for a, b in (("site_lat_deg", "site_lon_deg"), ("landing_lat_deg", "landing_lon_deg")):
            if (getattr(self, a) is None) != (getattr(self, b) is None):
                raise ValueError(f"give both {a} and {b}, or neither")
        if (self.launch_time_local is None) != (
            self.utc_offset is None
        ) and self.launch_time_local is not None:
            raise ValueError("a launch_time_local needs its utc_offset (e.g. +09:00)")
        return self


class IngestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(
        min_length=1,
        max_length=MAX_TEXT,
        description="A plain-text statement or news article in English.",
    )
    source: str | None = Field(None, max_length=500)


class Added(BaseModel):
    event_id: int
    report_ids: list[int]
    duplicate: bool
    event: dict[str, Any]


class RunIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    speed: float = Field(
        20.0, gt=0, le=10_000, description="Replay speed-up over scenario time (20 = 20x)."
    )


class RunInfo(BaseModel):
    run_id: int
    scenario: str
    speed: float
    state: str
    error: str | None = None
    messages: int
    compute_s: float | None = None
    verdict: str | None = None
    no_warning: bool | None = None
    event_id: int | None = Field(
        None, description="The launch event the finished run was stored as in the record."
    )
    record_error: str | None = None
    progress: dict[str, Any] | None = Field(
        None, description="While computing: the latest {stage, percent, elapsed_s} of the chain."
    )
    uploaded: bool = Field(False, description="The run is of an uploaded scenario.")


def _one_line(errors) -> str:
    parts = []
    for err in errors[:3]:
        loc = ".".join(str(x) for x in err.get("loc", ()) if x != "body") or "body"
        msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        parts.append(f"{loc}: {msg}")
    more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
    return "; ".join(parts) + more


def _text_hash(body: dict) -> str:
    canon = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(("launchwatch-api:" + canon).encode("utf-8")).hexdigest()


def _new_report(ev: EventIn) -> NewReport:
    from ..flight.catalog import UnknownNameError, get_site

    site, lat, lon = ev.site, ev.site_lat_deg, ev.site_lon_deg
    if site is not None and lat is None:
        try:
            s = get_site(site)
            site, lat, lon = s.name, s.lat_deg, s.lon_deg
        except UnknownNameError:
            pass
    published = ev.published_utc
    if published is not None and published.tzinfo is not None:
        published = published.astimezone(dt.UTC).replace(tzinfo=None)
    event: dict = {}
    if ev.landing_lat_deg is not None and ev.landing_lon_deg is not None:
        from ..earth.zones import zone_of

        zone = zone_of(ev.landing_lat_deg, ev.landing_lon_deg)
        event.update(
            landing_lat_deg=ev.landing_lat_deg,
            landing_lon_deg=ev.landing_lon_deg,
            zone_kind=zone["kind"],
            zone_country=zone["country"],
        )
    missing = [
        f
        for f in (
            "launch_time_local",
            "site",
            "missile_class",
            "range_km",
            "apogee_km",
            "flight_time_s",
            "landing_area",
            "authority",
        )
        if getattr(ev, f) is None
    ]
    return NewReport(
        text_hash=_text_hash(ev.model_dump(mode="json")),
        launch_date=ev.launch_date,
        launch_time_local=ev.launch_time_local,
        utc_offset=ev.utc_offset,
        site_name=site,
        site_lat_deg=lat,
        site_lon_deg=lon,
        missile_name=ev.missile_name,
        missile_class=ev.missile_class,
        n_missiles=ev.n_missiles,
        range_km=ev.range_km,
        apogee_km=ev.apogee_km,
        flight_time_s=ev.flight_time_s,
        landing_area=ev.landing_area,
        eez_claim=ev.eez_claim,
        authority=ev.authority,
        outlet=ev.outlet,
        published_utc=published,
        source=ev.source,
        missing=missing,
        details={"notes": ["created through the API"]},
        event=event,
    )


def create_app(
    store: Store,
    *,
    runs: RunManager | None = None,
    keys: KeyRing | None = None,
    limits: Limits | None = None,
) -> FastAPI:
    """The application around ``store`` (and a run manager, by default the real chain).

    ``keys`` holds the API keys that may write (default: none, so the service is read-only);
    ``limits`` the body, rate, WebSocket and origin limits (:class:`~.guard.Limits`)."""
    keys = keys if keys is not None else KeyRing(None)
    limits = limits or Limits()
    key_rate = RateLimiter(limits.key_rate, limits.key_burst)
    addr_rate = RateLimiter(limits.addr_rate, limits.addr_burst)
    hub = runs.hub if runs is not None else Hub()
    runs = runs or RunManager(hub, run_scenario)
    if runs.on_done is None:  # a finished run becomes a (simulated) launch event

        def on_done(run, msgs):
            event_id = record_run(store, run, msgs)
            if limits.keep_simulated is not None:  # retention of simulated runs
                store.prune("simulated", limits.keep_simulated)
            return event_id

        runs.on_done = on_done

    runlog: RunLog | None
    runlog = RunLog(store)
    try:  # runs left open by a service that stopped are listed as interrupted
        runs.continue_ids(runlog.recover())
        runs.on_state = runlog.save
    except (RecordError, SQLAlchemyError):
        runlog = None

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        yield
        runs.close()
        if runlog is not None:
            with contextlib.suppress(RecordError, SQLAlchemyError):
                runlog.interrupt(list(runs.runs.values()))

    app = FastAPI(
        title="launchwatch",
        version="0.1.0",
        lifespan=lifespan,
        description="Launch event records, scenario runs and the live feed of the "
        "launchwatch chain (sense, track, assess, warn). Dashboard at /.",
        docs_url=None,
        redoc_url=None,
    )  # offline docs: add_offline_docs below
    app.state.store, app.state.runs, app.state.hub = store, runs, hub
    app.state.keys, app.state.limits = keys, limits
    add_offline_docs(app)
    app.add_middleware(Guard, limits=limits)

    bearer_dep = Depends(
        HTTPBearer(
            auto_error=False,
            scheme_name="apiKey",
            description=(
                "An API key made by `launchwatch keys create --role writer|operator|admin`, sent as "
                "`Authorization: Bearer lw_...`. Reads need no key."
            ),
        )
    )

    def require(role: str):
        """Dependency: the caller holds a key of at least ``role`` (and is within its rate)."""

        def check(
            request: Request, cred: HTTPAuthorizationCredentials | None = bearer_dep
        ) -> Caller:
            addr = request.client.host if request.client else "unknown"
            if wait := addr_rate.take(addr):
                raise too_many(wait, "address")
            if cred is None:
                raise HTTPException(
                    401,
                    f"this needs an API key of role {role} or above (Authorization: Bearer lw_...)",
                    headers={"WWW-Authenticate": "Bearer"},
                )
            caller = keys.check(cred.credentials)
            if caller is None:
                raise HTTPException(
                    401, "the API key is unknown or revoked", headers={"WWW-Authenticate": "Bearer"}
                )
            if not role_at_least(caller.role, role):
                raise HTTPException(403, f"this needs role {role}; the key is a {caller.role}")
            if wait := key_rate.take(caller.key_id or ""):
                raise too_many(wait, "key")
            return caller

        return check

    as_writer, as_operator = Depends(require("writer")), Depends(require("operator"))
    auth_errors: dict[int | str, dict[str, Any]] = {
        401: {"description": "No API key, or an unknown or revoked one"},
        403: {"description": "The key's role may not do this"},
        429: {"description": "Too many writes; see Retry-After"},
    }

    @app.exception_handler(RequestValidationError)
    async def _invalid(_req, exc: RequestValidationError):
        errs = exc.errors()
        return JSONResponse(
            status_code=422,
            content={
                "detail": _one_line(errs),
                "errors": [
                    {"loc": [str(x) for x in e.get("loc", ())], "msg": str(e.get("msg"))}
                    for e in errs
                ],
            },
        )

    @app.exception_handler(DamagedRecord)
    async def _damaged(_req, exc: DamagedRecord):
        return JSONResponse(status_code=503, content={"detail": str(exc)})

    @app.exception_handler(RecordError)
    async def _record(_req, exc: RecordError):
        return JSONResponse(status_code=422, content={"detail": str(exc)})

    @app.exception_handler(OperationalError)
    async def _busy(_req, exc: OperationalError):
        return JSONResponse(
            status_code=503,
            content={"detail": f"the record is unavailable, retry: {str(exc.orig).strip()}"},
        )

    # -- events -----------------------------------------------------------------------------
    @app.get("/api/events", tags=["events"], response_model=list[dict[str, Any]])
    def list_events(
        since: Annotated[dt.date | None, Query(description="Local launch date >= this.")] = None,
        site: Annotated[str | None, Query(max_length=80, description="Site name or alias.")] = None,
        missile_class: Annotated[
            str | None,
            Query(alias="class", max_length=16, description="SRBM, MRBM, IRBM, ICBM ..."),
        ] = None,
        q: Annotated[str | None, Query(max_length=200, description="Text to search.")] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 200,
        offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
        reports: Annotated[bool, Query(description="Include each event's reports.")] = True,
        simulated: Annotated[
            bool,
            Query(
                description="Include simulated runs (the record "
                "lists reported events only by default)."
            ),
        ] = False,
        order: Annotated[
            Literal["asc", "desc"],
            Query(description="By local launch date: oldest (asc) or newest (desc) first."),
        ] = "asc",
    ):
        """Events, filtered and paged in the database (``X-Total-Count`` gives the number of
        matching events)."""
        filters = {
            "since": since,
            "site": site,
            "missile_class": missile_class,
            "q": q,
            "simulated": None if simulated else False,
        }
        evs = store.events(**filters, limit=limit, offset=offset, newest_first=order == "desc")
        out = [event_dict(e, reports=reports) for e in evs]
        total = store.count_events(**filters)
        return JSONResponse(jsonable(out), headers={"X-Total-Count": str(total)})

    @app.get(
        "/api/events/{event_id}",
        tags=["events"],
        response_model=dict[str, Any],
        responses={404: {"description": "No such event"}},
    )
    def get_event(event_id: Annotated[int, Path(ge=1, le=2**62)]):
        ev = store.event(event_id)
        if ev is None:
            raise HTTPException(404, f"no event {event_id}")
        return jsonable(event_dict(ev))

    @app.get(
        "/api/events/{event_id}/map",
        tags=["events"],
        response_model=dict[str, Any],
        responses={404: {"description": "No such event"}},
    )
    def get_event_map(event_id: Annotated[int, Path(ge=1, le=2**62)]):
        """The event on the map: site, per-authority landing points and reconstructed ground
        tracks with their side-view profiles (:mod:`.eventmap`)."""
        from .eventmap import event_map

        ev = store.event(event_id)
        if ev is None:
            raise HTTPException(404, f"no event {event_id}")
        return jsonable(event_map(ev))

    @app.get(
        "/api/events/{event_id}/czml",
        tags=["events"],
        response_class=Response,
        responses={
            200: {"content": {"application/json": {}}, "description": "CZML packets"},
            404: {"description": "No such event"},
        },
    )
    def get_event_czml(event_id: Annotated[int, Path(ge=1, le=2**62)]):
        """The event's reconstructed trajectories as CZML (one time-tagged path per report, its
        ground track), as ``record export --format czml`` writes them: for the 3-D view
        (``/static/globe.html?event=ID``) or any CZML reader such as CesiumJS."""
        from ..record.exchange import to_czml

        ev = store.event(event_id)
        if ev is None:
            raise HTTPException(404, f"no event {event_id}")
        return Response(to_czml([ev]), media_type="application/json")

    def _add(new: NewReport) -> JSONResponse:
        try:
            added = store.add(new)
        except DamagedRecord:
            raise
        except IntegrityError as exc:
            raise HTTPException(
                409,
                f"a concurrent write conflicted with this report; retry ({str(exc.orig).strip()})",
            ) from None
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from None
        except SQLAlchemyError as exc:
            if isinstance(exc, OperationalError):
                raise
            raise HTTPException(
                422, f"the record refused the report: {exc}".splitlines()[0]
            ) from None
        body = {
            "event_id": added.event_id,
            "report_ids": [added.report_id],
            "duplicate": added.duplicate,
            "event": jsonable(event_dict(store.event(added.event_id))),
        }
        return JSONResponse(status_code=200 if added.duplicate else 201, content=body)

    # The responses of the two routes that add a report (JSON or plain text).
    added_responses: dict[int | str, dict[str, Any]] = {
        200: {"model": Added, "description": "Already in the record"},
        **auth_errors,
    }

    @app.post(
        "/api/events",
        tags=["events"],
        status_code=201,
        response_model=Added,
        responses={**added_responses, 409: {"description": "Concurrent write conflict, retry"}},
    )
    def create_event(ev: EventIn, _caller: Caller = as_writer):
        """Add one report (JSON); 201 when new, 200 with ``duplicate`` when already stored."""
        return _add(_new_report(ev))

    @app.post(
        "/api/events/ingest",
        tags=["events"],
        status_code=201,
        response_model=Added,
        responses={**added_responses, 413: {"description": "The body is too large"}},
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "text/plain": {
                        "schema": {"type": "string", "minLength": 1, "maxLength": MAX_TEXT}
                    },
                    "application/json": {"schema": IngestIn.model_json_schema()},
                },
            }
        },
    )
    async def ingest(
        request: Request,
        _caller: Caller = as_writer,
        source: Annotated[str | None, Query(max_length=500)] = None,
        reconstruct: Annotated[
            bool, Query(description="Reconstruct the trajectory (slower).")
        ] = True,
    ):
        """Extract a launch from a statement or article and store it with its reconstruction;
        422 when the text holds no launch (nothing stored)."""
        from fastapi.concurrency import run_in_threadpool

        from ..record.ingest import IngestError, ingest_text

        raw = await request.body()
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        try:
            if ctype == "application/json":
                body = IngestIn.model_validate_json(raw)
                text, source = body.text, body.source or source
            elif ctype in ("text/plain", ""):
                text = raw.decode("utf-8")
            else:
                raise HTTPException(415, f"send text/plain or application/json, not {ctype}")
        except UnicodeDecodeError:
            raise HTTPException(400, "the text is not UTF-8") from None
        except ValidationError as exc:
            raise HTTPException(422, _one_line(exc.errors())) from None
        if not text.strip():
            raise HTTPException(422, "the text is empty")
        if len(text) > MAX_TEXT:
            raise HTTPException(413, f"the text is longer than {MAX_TEXT} characters")
        try:
            got = await run_in_threadpool(
                ingest_text, store, text, source=source, reconstruct=reconstruct
            )
        except IngestError as exc:
            raise HTTPException(422, str(exc)) from None
        ev = store.event(got.event_id)
        return JSONResponse(
            status_code=200 if got.duplicate else 201,
            content={
                "event_id": got.event_id,
                "report_ids": list(got.report_ids),
                "duplicate": got.duplicate,
                "event": jsonable(event_dict(ev)),
            },
        )

    # -- scenarios and runs -----------------------------------------------------------------
    @app.get("/api/scenarios", tags=["runs"], response_model=list[dict[str, Any]])
    def list_scenarios():
        from ..sense.scenario import load_scenario, shipped_scenarios

        out = []
        for name in shipped_scenarios():
            s = load_scenario(name)
            out.append(
                {
                    "name": name,
                    "title": s.name,
                    "description": s.description,
                    "epoch": s.epoch.isoformat(),
                    "launches": len(s.launches),
                    "sites": sorted({x.site for x in s.launches if x.site}),
                }
            )
        return out

    @app.post(
        "/api/scenarios/{name}/run",
        tags=["runs"],
        status_code=202,
        response_model=RunInfo,
        responses={
            404: {"description": "Unknown scenario"},
            **auth_errors,
            429: {"description": "Too many runs waiting, or too many writes"},
        },
    )
    def start_run(
        name: Annotated[str, Path(max_length=80)],
        _caller: Caller = as_operator,
        body: RunIn | None = None,
        speed: Annotated[float | None, Query(gt=0, le=10_000)] = None,
    ):
        """Start the chain over a shipped scenario; follow it on ``/ws/live``."""
        from ..sense.scenario import shipped_scenarios

        if name not in shipped_scenarios():
            raise HTTPException(
                404, f"unknown scenario {name!r}; shipped: {', '.join(shipped_scenarios())}"
            )
        sp = speed if speed is not None else (body.speed if body is not None else 20.0)
        try:
            run = runs.submit(name, sp)
        except RunsBusy as exc:
            raise HTTPException(429, str(exc)) from None
        return run.info()

    yaml_body = {
        "requestBody": {
            "required": True,
            "content": {
                t: {"schema": {"type": "string", "maxLength": uploads.MAX_UPLOAD_BYTES}}
                for t in ("application/yaml", "text/plain")
            },
        }
    }

    async def _uploaded(request: Request):
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype not in ("", "text/plain", "application/yaml", "application/x-yaml", "text/yaml"):
            raise HTTPException(415, f"send the scenario as application/yaml, not {ctype}")
        try:
            return uploads.check_upload(await request.body())
        except uploads.UploadError as exc:
            raise HTTPException(exc.status, str(exc)) from None

    @app.post(
        "/api/scenarios/check",
        tags=["runs"],
        response_model=dict[str, Any],
        responses={
            413: {"description": "Larger than the upload limit"},
            415: {"description": "Not YAML or plain text"},
            **auth_errors,
        },
        openapi_extra=yaml_body,
    )
    async def check_scenario(request: Request, _caller: Caller = as_writer):
        """Validate a scenario (YAML) with the command line's validator and the upload limits;
        returns what it holds, or a one-line 422 naming the field. Nothing is run."""
        return uploads.describe(await _uploaded(request))

    @app.post(
        "/api/scenarios/run",
        tags=["runs"],
        status_code=202,
        response_model=RunInfo,
        responses={
            413: {"description": "Larger than the upload limit"},
            415: {"description": "Not YAML or plain text"},
            **auth_errors,
            429: {"description": "Too many runs waiting, or too many writes"},
        },
        openapi_extra=yaml_body,
    )
    async def run_uploaded(
        request: Request,
        _caller: Caller = as_operator,
        speed: Annotated[float, Query(gt=0, le=10_000)] = 20.0,
    ):
        """Upload a scenario (YAML, as ``launchwatch simulate FILE`` reads it) and run the chain
        over it; follow it on ``/ws/live``. Starting a run needs an operator key."""
        sc = await _uploaded(request)
        try:
            run = runs.submit(sc.name, speed, source=sc)
        except RunsBusy as exc:
            raise HTTPException(429, str(exc)) from None
        return run.info()

    @app.get("/api/runs", tags=["runs"], response_model=list[RunInfo])
    def list_runs():
        """Runs of this service, then those of earlier ones kept in the record (interrupted
        or finished before a restart)."""
        live_runs = [r.info() for r in list(runs.runs.values())]
        ids = {r["run_id"] for r in live_runs}
        stored = [r for r in runlog.rows()] if runlog is not None else []
        return live_runs + [r for r in stored if r["run_id"] not in ids]

    @app.get(
        "/api/runs/{run_id}",
        tags=["runs"],
        response_model=RunInfo,
        responses={404: {"description": "No such run"}},
    )
    def get_run(run_id: Annotated[int, Path(ge=1, le=2**62)]):
        run = runs.get(run_id)
        if run is not None:
            return run.info()
        if runlog is not None and (row := runlog.get(run_id)) is not None:
            return row
        raise HTTPException(404, f"no run {run_id}")

    # -- map layers -------------------------------------------------------------------------
    @app.get("/api/sites", tags=["map"], response_model=dict[str, Any])
    def sites():
        return geo.sites_geojson()

    @app.get("/api/zones/lines", tags=["map"], response_model=dict[str, Any])
    def zone_lines():
        """Maritime zone lines (EEZ outer limits, lines between neighbours) as GeoJSON."""
        return geo.zone_lines_geojson()

    @app.get(
        "/api/areas",
        tags=["map"],
        response_model=dict[str, Any],
        responses={404: {"description": "Unknown area code"}},
    )
    def areas(
        code: Annotated[
            list[str] | None,
            Query(max_length=100, description="ISO 3166-2 codes, e.g. JP-01; all when absent."),
        ] = None,
    ):
        codes = None
        if code:
            codes = [c.strip().upper() for part in code for c in part.split(",") if c.strip()]
            bad = [c for c in codes if not re.fullmatch(r"[A-Z]{2}-[0-9A-Z]{1,3}", c)]
            if bad:
                raise HTTPException(422, f"not an area code: {bad[0]!r} (e.g. JP-01, KR-11)")
        try:
            return geo.areas_geojson(codes)
        except geo.UnknownAreaError as exc:
            raise HTTPException(404, f"unknown area code(s): {exc}") from None

    @app.get("/api/health", tags=["service"], response_model=dict[str, Any])
    def health():
        n_ev, n_rep = store.count()
        return {
            "status": "ok",
            "events": n_ev,
            "reports": n_rep,
            "subscribers": hub.n_subscribers,
            "record_revision": store.revision,
        }

    # -- live feed --------------------------------------------------------------------------
    @app.websocket("/ws/live")
    async def live(ws: WebSocket):
        if hub.n_subscribers >= limits.max_ws:
            await ws.close(code=1013, reason="too many live clients; try again later")
            return
        await ws.accept()
        sid, q = hub.subscribe()
        try:
            latest = runs.latest()
            await ws.send_json({"type": "hello", "runs": [r.info() for r in runs.runs.values()]})
            if latest is not None:
                seen = len(latest.backlog)
                for msg in list(latest.backlog[:seen]):
                    await ws.send_json(msg)
                # messages published while the backlog was sent are in the queue: skip repeats
                skip = {id(m) for m in latest.backlog[:seen]}
                if latest.state == "computing" and latest.progress is not None:
                    await ws.send_json(latest.progress)
            else:
                skip = set()
            receiver = asyncio.ensure_future(_drain(ws))
            while True:
                getter = asyncio.ensure_future(q.get())
                done, _ = await asyncio.wait(
                    {getter, receiver}, return_when=asyncio.FIRST_COMPLETED
                )
                if receiver in done:
                    getter.cancel()
                    break
                msg = getter.result()
                if id(msg) in skip:
                    continue
                await ws.send_json(msg)
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            hub.unsubscribe(sid)

    # -- dashboard --------------------------------------------------------------------------
    @app.get("/", include_in_schema=False)
    def index():
        return FileResponse(str(STATIC / "index.html"))

    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    return app


async def _drain(ws: WebSocket) -> None:
    """Read (and ignore) client messages until the client goes away."""
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        while True:
            await ws.receive_text()
