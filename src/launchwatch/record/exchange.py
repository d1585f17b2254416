"""Import and export of the record: CSV and GeoJSON both ways, CZML (Cesium) out.

* **CSV**: one row per report, with its event's columns, the reported figures, and the derived
  ones (``derived_*``; the whole reconstruction as JSON in ``derived_json``). Importing a file
  this module wrote gives back the same events and reports (``text_hash`` keeps it idempotent).
* **GeoJSON**: a FeatureCollection with, per report, a ``launch`` Point (the site; null
  geometry when unknown) carrying the CSV row as properties, and a ``landing`` Point (the
  derived impact point) and a ``ground_track`` LineString (the reconstructed flight's ground
  track) when there is a reconstruction. Numeric properties are JSON numbers (``range_km``,
  ``apogee_km``, ids ...). Coordinates are [lon, lat] (RFC 7946).
* **CZML**: a ``document`` packet, then per reconstructed report a time-tagged trajectory
  (cartographic degrees and metres, seconds after the UTC launch time) with a path, a launch
  point and an impact point. A reconstruction stored without a sampled path is flown again.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math

from .models import Event, Report
from .store import NewReport, RecordError, Store, clean_report
from .views import EVENT

#: Event columns of the exchange files: the record's event fields, the id as ``event_id``.
EVENT_COLS = ("event_id", *EVENT[1:])
REPORT_COLS = (
    "report_id",
    "text_hash",
    "authority",
    "outlet",
    "published_utc",
    "source",
    "report_launch_time_local",
    "report_utc_offset",
    "report_site_name",
    "report_missile_name",
    "report_missile_class",
    "report_n_missiles",
    "range_km",
    "apogee_km",
    "flight_time_s",
    "report_landing_area",
    "eez_claim",
    "missing",
)
DERIVED_COLS = (
    "derived_impact_lat",
    "derived_impact_lon",
    "derived_range_km",
    "derived_apogee_km",
    "derived_flight_time_s",
    "derived_min_energy_range_km",
    "derived_range_class",
    "derived_zone_kind",
    "derived_zone_country",
    "derived_json",
)
COLUMNS = EVENT_COLS + REPORT_COLS + DERIVED_COLS


def _s(v) -> str:
    if v is None:
        return ""
    if isinstance(v, dt.date | dt.datetime):
        return v.isoformat()
    return str(v)


def rows(events: list[Event]) -> list[dict]:
    """Flat rows (strings, '' for unknown): one per report, event columns repeated."""
    out = []
    for ev in events:
        base = {"event_id": ev.id, **{c: getattr(ev, c) for c in EVENT_COLS[1:]}}
        for r in ev.reports:
            row = dict(base)
            row.update(
                {
                    "report_id": r.id,
                    "text_hash": r.text_hash,
                    "authority": r.authority,
                    "outlet": r.outlet,
                    "published_utc": r.published_utc,
                    "source": r.source,
                    "report_launch_time_local": r.launch_time_local,
                    "report_utc_offset": r.utc_offset,
                    "report_site_name": r.site_name,
                    "report_missile_name": r.missile_name,
                    "report_missile_class": r.missile_class,
                    "report_n_missiles": r.n_missiles,
                    "range_km": r.range_km,
                    "apogee_km": r.apogee_km,
                    "flight_time_s": r.flight_time_s,
                    "report_landing_area": r.landing_area,
                    "eez_claim": r.eez_claim,
                    "missing": ";".join(r.missing or []),
                }
            )
            rec = r.reconstruction
            if rec is not None:
                row.update(
                    {
                        "derived_impact_lat": rec.impact_lat_deg,
                        "derived_impact_lon": rec.impact_lon_deg,
                        "derived_range_km": rec.range_km,
                        "derived_apogee_km": rec.apogee_km,
                        "derived_flight_time_s": rec.flight_time_s,
                        "derived_min_energy_range_km": rec.min_energy_range_km,
                        "derived_range_class": rec.range_class,
                        "derived_zone_kind": rec.zone_kind,
                        "derived_zone_country": rec.zone_country,
                        "derived_json": json.dumps(rec.result, separators=(",", ":")),
                    }
                )
            out.append({c: _s(row.get(c)) for c in COLUMNS})
    return out


def to_csv(events: list[Event]) -> str:
    """CSV text, header first (see :data:`COLUMNS`)."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    w.writeheader()
    w.writerows(rows(events))
    return buf.getvalue()


def _num(v: str | None, name: str, row_no: int, kind=float):
    if v in ("", None):
        return None
    try:
        x = float(v)
    except (TypeError, ValueError):
        raise RecordError(f"row {row_no}: {name} {str(v)[:40]!r} is not a number") from None
    if not math.isfinite(x):
        raise RecordError(f"row {row_no}: {name} must be finite")
    if kind is int:
        if x != int(x):
            raise RecordError(f"row {row_no}: {name} {str(v)[:40]!r} is not a whole number")
        return int(x)
    return x


def _new_report(row: dict, row_no: int) -> NewReport:
    """A :class:`NewReport` from one exported row (strings); bad values -> RecordError."""

    def g(k):
        v = row.get(k)
        return None if v in ("", None) else str(v)

    if not g("text_hash"):
        raise RecordError(f"row {row_no}: text_hash is required")
    try:
        day = dt.date.fromisoformat(g("launch_date") or "")
    except ValueError:
        raise RecordError(
            f"row {row_no}: launch_date {row.get('launch_date')!r} is not YYYY-MM-DD"
        ) from None
    try:
        published = dt.datetime.fromisoformat(g("published_utc")) if g("published_utc") else None
    except ValueError:
        raise RecordError(f"row {row_no}: published_utc is not ISO 8601") from None
    rec = None
    if g("derived_json"):
        try:
            rec = json.loads(g("derived_json"))
        except (json.JSONDecodeError, RecursionError):
            raise RecordError(f"row {row_no}: derived_json is not JSON") from None
        if not isinstance(rec, dict) or "impact_lat" not in rec:
            raise RecordError(f"row {row_no}: derived_json is not a reconstruction")
    zone = (
        {"kind": g("derived_zone_kind"), "country": g("derived_zone_country")}
        if g("derived_zone_kind")
        else None
    )
    lat = _num(row.get("site_lat_deg"), "site_lat_deg", row_no)
    if lat is not None and not -90 <= lat <= 90:
        raise RecordError(f"row {row_no}: site_lat_deg {lat} is outside [-90, 90]")
    eez = g("eez_claim") or "unknown"
    if eez not in ("inside", "outside", "unknown"):
        raise RecordError(f"row {row_no}: eez_claim must be inside, outside or unknown")
    return NewReport(
        text_hash=g("text_hash"),
        launch_date=day,
        launch_time_local=g("report_launch_time_local"),
        utc_offset=g("report_utc_offset"),
        site_name=g("report_site_name"),
        missile_name=g("report_missile_name"),
        missile_class=g("report_missile_class"),
        n_missiles=_num(row.get("report_n_missiles"), "report_n_missiles", row_no, int),
        range_km=_num(row.get("range_km"), "range_km", row_no),
        apogee_km=_num(row.get("apogee_km"), "apogee_km", row_no),
        flight_time_s=_num(row.get("flight_time_s"), "flight_time_s", row_no),
        landing_area=g("report_landing_area"),
        eez_claim=eez,
        authority=g("authority"),
        outlet=g("outlet"),
        published_utc=published,
        source=g("source"),
        missing=[m for m in (g("missing") or "").split(";") if m],
        details={"imported": True},
        reconstruction=rec,
        zone=zone,
        event={
            "launch_time_local": g("launch_time_local"),
            "utc_offset": g("utc_offset"),
            "site_name": g("site_name"),
            "site_lat_deg": lat,
            "site_lon_deg": _num(row.get("site_lon_deg"), "site_lon_deg", row_no),
            "missile_name": g("missile_name"),
            "missile_class": g("missile_class"),
            "n_missiles": _num(row.get("n_missiles"), "n_missiles", row_no, int),
            "landing_area": g("landing_area"),
            "landing_lat_deg": _num(row.get("landing_lat_deg"), "landing_lat_deg", row_no),
            "landing_lon_deg": _num(row.get("landing_lon_deg"), "landing_lon_deg", row_no),
            "zone_kind": g("zone_kind"),
            "zone_country": g("zone_country"),
        },
    )


def read_csv(text: str) -> list[dict]:
    """Rows of an exported CSV (header required: at least ``text_hash`` and ``launch_date``)."""
    try:
        reader = csv.DictReader(io.StringIO(text))
        if not reader.fieldnames or not {"text_hash", "launch_date"} <= set(reader.fieldnames):
            raise RecordError("CSV header must name at least text_hash and launch_date")
        return [{k: v for k, v in r.items() if k is not None} for r in reader]
    except csv.Error as exc:
        raise RecordError(f"not a readable CSV: {exc}") from None


def read_geojson(text: str) -> list[dict]:
    """Rows from the ``launch`` features of an exported FeatureCollection."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RecordError(f"not JSON: {exc.msg} at line {exc.lineno}") from None
    except RecursionError:
        raise RecordError("the JSON is nested too deeply to be GeoJSON") from None
    if (
        not isinstance(doc, dict)
        or doc.get("type") != "FeatureCollection"
        or not isinstance(doc.get("features"), list)
    ):
        raise RecordError("GeoJSON must be a FeatureCollection")
    out = []
    for n, f in enumerate(doc["features"], 1):
        if not isinstance(f, dict):
            raise RecordError(f"feature {n} is not a GeoJSON Feature object")
        props = f.get("properties") or {}
        if not isinstance(props, dict):
            raise RecordError(f"feature {n}: properties must be an object")
        if props.get("feature") != "launch":
            continue
        row = {str(k): "" if v is None else str(v) for k, v in props.items()}
        geom = f.get("geometry")
        if geom is not None and not isinstance(geom, dict):
            raise RecordError(f"feature {n}: geometry must be an object or null")
        if geom and geom.get("type") == "Point":
            c = geom.get("coordinates")
            if (
                not isinstance(c, list)
                or len(c) < 2
                or not all(isinstance(x, int | float) and not isinstance(x, bool) for x in c[:2])
            ):
                raise RecordError(f"feature {n}: Point coordinates must be [lon, lat]")
            row["site_lat_deg"], row["site_lon_deg"] = str(c[1]), str(c[0])
        out.append(row)
    return out


def read_any(text: str, name: str = "") -> list[dict]:
    """CSV or GeoJSON by content (a JSON object first) or name."""
    if name.lower().endswith((".json", ".geojson")) or text.lstrip().startswith("{"):
        return read_geojson(text)
    return read_csv(text)


def import_rows(store: Store, rows_: list[dict]) -> tuple[int, int]:
    """Add every row in one transaction (each validated first, the same way as the API's
    reports: a bad row, or an import killed half-way, stores nothing); (added, duplicates)."""
    news = [_new_report(r, i) for i, r in enumerate(rows_, 2)]
    for i, new in enumerate(news, 2):
        try:
            clean_report(new)
        except RecordError as exc:
            raise RecordError(f"row {i}: {exc}") from None
    got = store.add_many(news)
    dupes = sum(a.duplicate for a in got)
    return len(got) - dupes, dupes


def _point(lat, lon):
    if lat is None or lon is None:
        return None
    return {"type": "Point", "coordinates": [float(lon), float(lat)]}


#: Columns exported to GeoJSON as numbers (the rest are strings or null).
GEOJSON_INTS = {"event_id", "report_id", "n_missiles", "report_n_missiles"}
GEOJSON_FLOATS = {
    "site_lat_deg",
    "site_lon_deg",
    "landing_lat_deg",
    "landing_lon_deg",
    "range_km",
    "apogee_km",
    "flight_time_s",
    "derived_impact_lat",
    "derived_impact_lon",
    "derived_range_km",
    "derived_apogee_km",
    "derived_flight_time_s",
    "derived_min_energy_range_km",
}


def _typed(key: str, value: str):
    """A CSV cell as a GeoJSON property: numbers as numbers, '' as null."""
    if value == "":
        return None
    if key in GEOJSON_INTS:
        return int(value)
    if key in GEOJSON_FLOATS:
        return float(value)
    return value


def to_geojson(events: list[Event]) -> str:
    """FeatureCollection text (see the module docstring): per report a ``launch`` Point with the
    report's columns as properties (numbers as numbers), and, when it was reconstructed, a
    ``landing`` Point and a ``ground_track`` LineString of the reconstructed flight."""
    feats = []
    by_id = {(ev.id, r.id): r for ev in events for r in ev.reports}
    for row in rows(events):
        props = {k: _typed(k, v) for k, v in row.items() if k != "derived_json"}
        props["derived_json"] = row["derived_json"] or None
        feats.append(
            {
                "type": "Feature",
                "id": f"report-{row['report_id']}-launch",
                "geometry": _point(row["site_lat_deg"] or None, row["site_lon_deg"] or None),
                "properties": {"feature": "launch", **props},
            }
        )
        rep = by_id[(int(row["event_id"]), int(row["report_id"]))]
        if rep.reconstruction is not None:
            rc = rep.reconstruction
            common = {
                "event_id": props["event_id"],
                "report_id": props["report_id"],
                "authority": row["authority"] or None,
                "range_km": rc.range_km,
                "apogee_km": rc.apogee_km,
                "flight_time_s": rc.flight_time_s,
                "range_class": rc.range_class,
                "zone_kind": rc.zone_kind,
                "zone_country": rc.zone_country,
            }
            feats.append(
                {
                    "type": "Feature",
                    "id": f"report-{row['report_id']}-landing",
                    "geometry": _point(rc.impact_lat_deg, rc.impact_lon_deg),
                    "properties": {"feature": "landing", **common},
                }
            )
            path = report_path(rep)
            if len(path) >= 2:
                feats.append(
                    {
                        "type": "Feature",
                        "id": f"report-{row['report_id']}-ground-track",
                        "geometry": {
                            "type": "LineString",
                            "coordinates": [
                                [round(float(lon), 5), round(float(lat), 5)]
                                for _, lat, lon, _ in path
                            ],
                        },
                        "properties": {"feature": "ground_track", **common},
                    }
                )
    return json.dumps({"type": "FeatureCollection", "features": feats}, indent=1)


def report_path(rep: Report) -> list[list[float]]:
    """The sampled path of a report's reconstruction; flown again when not stored."""
    assert rep.reconstruction is not None, "a report without a reconstruction has no path"
    res = rep.reconstruction.result
    if res.get("path"):
        return res["path"]
    from ..flight.reconstruct import reconstruct
    from .ingest import sample_path

    q = res.get("requested") or {}
    kw = {
        k: q[k]
        for k in ("apogee_km", "flight_time_s", "trajectory", "vehicle")
        if q.get(k) is not None
    }
    rec = reconstruct(
        lat_deg=res["launch_lat"],
        lon_deg=res["launch_lon"],
        range_km=q.get("range_km", res["range_km"]),
        azimuth_deg=q.get("azimuth_deg", res["azimuth_deg"]),
        **kw,
    )
    return sample_path(rec.shot)


def _t0(ev: Event) -> dt.datetime:
    if ev.launch_time_utc is not None:
        return ev.launch_time_utc.replace(tzinfo=dt.UTC)
    return dt.datetime.combine(ev.launch_date, dt.time(), tzinfo=dt.UTC)


def to_czml(events: list[Event]) -> str:
    """CZML text: a document packet, then trajectories of every reconstructed report."""
    from czml3 import Document, Packet
    from czml3.properties import (
        Clock,
        Color,
        Path,
        Point,
        Polyline,
        PolylineMaterial,
        Position,
        PositionList,
        SolidColorMaterial,
    )
    from czml3.types import TimeInterval

    packets = []
    starts, ends = [], []
    for ev in events:
        t0 = _t0(ev)
        for rep in ev.reports:
            if rep.reconstruction is None:
                continue
            path = report_path(rep)
            t1 = t0 + dt.timedelta(seconds=path[-1][0])
            starts.append(t0)
            ends.append(t1)
            who = rep.authority or rep.outlet or "unattributed"
            flat = [x for t, lat, lon, h in path for x in (t, lon, lat, h)]
            desc = (
                f"{ev.launch_date} {ev.site_name or ''}: {who} reported "
                f"{rep.range_km or '?'} km / apogee {rep.apogee_km or '?'} km"
                + ("" if ev.launch_time_utc else " (launch time unknown: 00:00 UTC)")
            )
            packets.append(
                Packet(
                    id=f"report-{rep.id}",
                    name=f"Event {ev.id} ({who})",
                    description=desc,
                    availability=TimeInterval(start=t0, end=t1),
                    position=Position(epoch=t0, cartographicDegrees=flat),
                    path=Path(
                        width=2,
                        leadTime=0,
                        trailTime=path[-1][0] + 60,
                        material=PolylineMaterial(
                            solidColor=SolidColorMaterial(color=Color(rgba=[255, 80, 40, 255]))
                        ),
                    ),
                    point=Point(pixelSize=6, color=Color(rgba=[255, 255, 255, 255])),
                )
            )
            packets.append(
                Packet(
                    id=f"report-{rep.id}-ground",
                    name=f"Event {ev.id} ground track ({who})",
                    polyline=Polyline(
                        positions=PositionList(
                            cartographicDegrees=[
                                x for _, lat, lon, _ in path for x in (lon, lat, 0.0)
                            ]
                        ),
                        width=1,
                        clampToGround=True,
                    ),
                )
            )
    if starts:
        span = TimeInterval(start=min(starts), end=max(ends))
        doc = Packet(
            id="document",
            name="launchwatch record",
            version="1.0",
            clock=Clock(interval=span, currentTime=min(starts), multiplier=30),
        )
    else:
        doc = Packet(id="document", name="launchwatch record", version="1.0")
    return Document(packets=[doc, *packets]).dumps()
