"""Report ingestion: text -> extracted fields -> reconstruction -> stored event.

:func:`ingest_text` extracts the launch a statement or article is about (:mod:`.extract`),
reconstructs it when the range, the launch site and a heading are known (the heading comes
from the named sea area of the landing, as ``launchwatch reconstruct --toward``), samples the
reconstructed trajectory for CZML, judges the zone of the derived impact point, and stores
everything in one transaction (:class:`~.store.Store`). Figures that a *second* authority gives
in the same article (a wire story quoting ROK JCS and Japan's MoD) become a second report of the
same event, so that the disagreement is kept.

The same text twice is recognised by its hash before any work is done (``duplicate=True``).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, replace

import numpy as np

from .extract import ANALYST, Extracted, NoLaunchError, extract, within_bound
from .store import NewReport, RecordError, Store, text_hash

#: Samples of a reconstructed trajectory kept for CZML (lift-off to impact, evenly in time).
PATH_SAMPLES = 121


class IngestError(RecordError):
    """The text cannot be stored (no launch in it, or no launch date): nothing was stored."""


@dataclass(frozen=True)
class Ingested:
    """Outcome: the event id, the ids of the reports made from the text, and whether the text
    was already in the record."""

    event_id: int
    report_ids: tuple[int, ...]
    duplicate: bool


def sample_path(shot, n: int = PATH_SAMPLES) -> list[list[float]]:
    """Fly ``shot`` again with samples: ``[[t_s, lat_deg, lon_deg, h_m], ...]`` to impact."""
    from ..earth import frames
    from ..flight.propagate import propagate

    t_end = shot.flight_time_s
    times = np.linspace(0.0, t_end, n)
    times[-1] = t_end * (1.0 - 1e-9)
    tr = propagate(
        shot.vehicle,
        shot.lat_deg,
        shot.lon_deg,
        shot.launch_azimuth_deg,
        shot.ctrl[None, :],
        sample_times_s=times,
    )
    ecef = tr.samples_ecef()[0]
    ok = np.all(np.isfinite(ecef), axis=1)
    lat, lon, h = frames.ecef_to_geodetic(ecef[ok, :3])
    return [
        [
            round(float(t), 2),
            round(math.degrees(a), 5),
            round(math.degrees(b), 5),
            round(max(float(c), 0.0), 1),
        ]
        for t, a, b, c in zip(times[ok], lat, lon, h, strict=True)
    ]


#: Words of a report that name a glide vehicle (a hypersonic glide warhead, the glide-IRBM
#: class): "hypersonic", "glide" / "gliding".
_GLIDE_WORDS = re.compile(r"hypersonic|glid(?:e|ing)", re.I)


def names_glide_vehicle(ex: Extracted) -> bool:
    """Whether the report's missile words (kind, name, class) name a glide vehicle: then a low,
    long shot is reconstructed on the catalog's glide class at any range
    (:func:`launchwatch.flight.reconstruct.reconstruct`'s ``glide``)."""
    words = (ex.missile_text, ex.missile_name, ex.missile_name_text, ex.missile_class)
    return any(_GLIDE_WORDS.search(w) for w in words if w) or ex.missile_class == "HGV"


def reconstruct_report(ex: Extracted, *, path: bool = True) -> tuple[dict | None, str | None]:
    """(reconstruction dict with ``path``, None) or (None, why it was not run).

    Every reported figure goes in (any two or three of range, apogee, flight time: with three
    the boost is fitted and the verdict says whether they agree); the heading comes from the
    landing description when it places the landing relative to a known point ("about 200 km
    west of Oshima-Oshima", :mod:`launchwatch.flight.landing`), else from the named sea area;
    a landing point also gives the range when none is reported.  The propellant of a named
    missile (the catalog's, else its family's: a Scud is liquid) picks the generic boost.  The zone verdict with P(Japan EEZ)
    (of the described landing and of the derived impact) is kept under ``zone_probabilities``.
    """
    from ..flight.boosts import propellant_of
    from ..flight.catalog import UnknownNameError
    from ..flight.landing import LandingError, LandingEstimate, parse_landing
    from ..flight.reconstruct import (
        ReconstructionError,
        landing_zone,
        reconstruct,
    )
    from ..flight.sea_areas import bearing_toward

    if ex.site_lat_deg is None or ex.site_lon_deg is None:
        return None, "no reconstruction: launch site unknown"
    text = ex.landing_text or ex.landing_area
    est: LandingEstimate | None
    why_landing: str | None
    try:
        est = parse_landing(text, ex.site_lat_deg, ex.site_lon_deg)
    except LandingError as exc:
        est, why_landing = None, str(exc)
    else:
        why_landing = None
    values = {k: getattr(ex, k) for k in ("range_km", "apogee_km", "flight_time_s")}
    bounded = {k: b for k, b in (getattr(ex, "bounds", None) or {}).items() if values.get(k)}
    firm = {k: v for k, v in values.items() if v is not None and k not in bounded}
    # A flight time stated as a bound checks against the time the other figures give only when
    # they are two (range and apogee): from a range alone the derived time is the minimum-
    # energy arc's, which says nothing about how lofted the shot was.
    time_bound_alone = "flight_time_s" in bounded and len(firm) < 2
    if (
        bounded
        and not time_bound_alone
        and (
            len(firm) >= 2
            or "range_km" in firm
            or (est is not None and est.distance_km is not None)
        )
    ):
        # "more than 1,000 km" is a bound, not a figure: reconstruct from the figures and
        # check the bound against what they give; only when the figures alone cannot
        # reconstruct is the bound flown as if it were the figure (said in the output).
        values = {k: (v if k in firm else None) for k, v in values.items()}
        bound_flown = False
    else:
        bound_flown = bool(bounded)
    range_km, apogee_km, flight_time_s = (
        values["range_km"],
        values["apogee_km"],
        values["flight_time_s"],
    )
    figures = [x is not None for x in (range_km, apogee_km, flight_time_s)]
    if range_km is None and est is None and sum(figures) < 2:
        return None, "no reconstruction: no reported range (nor apogee and flight time)"
    if est is None and ex.sea_area is None:
        return None, (
            "no reconstruction: no heading (no named sea area or landing point"
            + (f"; {why_landing}" if why_landing else "")
            + ")"
        )
    propellant = propellant_of(ex.missile_name)
    # the rounding the text shows where the digits do not ("about 600 miles", "about an
    # hour"), for the figures flown
    stated = {k: hw for k, hw in (getattr(ex, "precision", None) or {}).items() if values.get(k)}
    try:
        az = None
        if est is None:
            assert ex.sea_area is not None  # refused above without a landing point or sea area
            az = bearing_toward(ex.site_lat_deg, ex.site_lon_deg, ex.sea_area)
        kw: dict = {"apogee_km": apogee_km, "flight_time_s": flight_time_s}
        if sum(figures) == 1 and range_km is not None:
            kw = {"trajectory": "min-energy"}
        rec = reconstruct(
            lat_deg=ex.site_lat_deg,
            lon_deg=ex.site_lon_deg,
            range_km=range_km,
            azimuth_deg=az,
            propellant=propellant,
            landing=est,
            glide=names_glide_vehicle(ex),
            precision=stated,
            **kw,
        )
    except (UnknownNameError, ReconstructionError) as exc:
        return None, f"no reconstruction: {str(exc).strip(chr(39))}"
    out = rec.as_dict()
    if stated and out.get("derived_intervals"):
        out["derived_intervals"] = rec.derived_spans(stated)
    out["site"] = ex.site
    out["toward"] = ex.sea_area
    if bounded:
        out["bounds"] = bound_checks(ex, out, flown=bound_flown)
    try:
        out["zone_probabilities"] = landing_zone(rec, est)
    except ValueError:
        out["zone_probabilities"] = None
    if ex.launch_date and ex.launch_time_local and ex.utc_offset:
        from ..flight.reconstruct import impact_time_iso

        t0 = f"{ex.launch_date.isoformat()}T{ex.launch_time_local}:00{ex.utc_offset}"
        out["launch_time"] = t0
        out["impact_time"] = impact_time_iso(t0, out["flight_time_s"])
    if path:
        out["path"] = sample_path(rec.shot)
    return out, None


def bound_checks(ex: Extracted, rec: dict, *, flown: bool) -> list[dict]:
    """Each bound the report states ("more than 1,000 km") against the reconstruction's value
    of that figure: ``holds`` within the bound's rounding (the text's, ``ex.precision``, else
    :func:`reported_halfwidth`) and the derived figure's own span, what the rounding of the
    figures it came from allows (``rec["derived_intervals"]``: "about 70 minutes" at a
    6,000 km apogee gives a range anywhere in thousands of km)."""
    from ..flight.reconstruct import reported_halfwidth

    out = []
    spans = rec.get("derived_intervals") or {}
    for key, bound in ex.bounds.items():
        value = getattr(ex, key)
        derived = rec.get(key)
        if value is None or derived is None:
            continue
        hw = (ex.precision or {}).get(key) or reported_halfwidth(key, value) or 0.0
        span = spans.get(key)
        other = (float(span[0]), float(span[1])) if span else float(derived)
        holds = within_bound(bound, value, other, hw)
        check = {
            "figure": key,
            "bound": bound,
            "value": value,
            "derived": round(float(derived), 1),
            "holds": bool(holds),
            "flown": flown,
        }
        if span:
            check["derived_interval"] = [round(float(x), 1) for x in span]
        out.append(check)
    return out


def _zone(rec: dict | None) -> dict | None:
    if rec is None:
        return None
    from ..earth.zones import zone_of

    return zone_of(rec["impact_lat"], rec["impact_lon"])


def _new_report(
    ex: Extracted, h: str, source: str | None, rec: dict | None, why: str | None, zone: dict | None
) -> NewReport:
    assert ex.launch_date is not None  # ingest() refuses a text without one
    published = dt.datetime.combine(ex.published, dt.time()) if ex.published else None
    notes = [why] if why else []
    return NewReport(
        text_hash=h,
        launch_date=ex.launch_date,
        launch_time_local=ex.launch_time_local,
        utc_offset=ex.utc_offset,
        site_name=ex.site,
        site_lat_deg=ex.site_lat_deg,
        site_lon_deg=ex.site_lon_deg,
        missile_name=ex.missile_name,
        missile_class=ex.missile_class,
        n_missiles=ex.n_missiles,
        range_km=ex.range_km,
        apogee_km=ex.apogee_km,
        flight_time_s=ex.flight_time_s,
        landing_area=ex.landing_area,
        eez_claim=ex.eez_claim,
        authority=ex.authority,
        outlet=ex.outlet,
        published_utc=published,
        source=source,
        missing=list(ex.missing),
        details={
            "main_sentence": ex.main_sentence,
            "evidence": ex.evidence,
            "time_zone": ex.time_zone,
            "site_text": ex.site_text,
            "spans": {k: list(v) for k, v in ex.spans.items()},
            "bounds": dict(ex.bounds),
            "precision": dict(ex.precision),
            "missile_text": ex.missile_text,
            "landing_text": ex.landing_text,
            "date_inferred": ex.date_inferred,
            "year_inferred": ex.year_inferred,
            "launch_times": ex.launch_times,
            "other_claims": ex.other_claims,
            "other_events": ex.other_events,
            "missiles": ex.missiles,
            "notes": notes,
        },
        reconstruction=rec,
        zone=zone,
        # the class derived by the reconstruction is carried to the event when no report
        # names one (``record list --class ICBM`` finds a reconstructed ICBM)
        event={"missile_class": rec["range_class"]}
        if (rec and not ex.missile_class and rec.get("range_class"))
        else {},
    )


def _with_source_hash(new: NewReport, h: str) -> NewReport:
    new.details["source_hash"] = h
    return new


def secondary(ex: Extracted) -> list[Extracted]:
    """One :class:`Extracted` per other authority quoted with figures of its own in the text (an
    analyst's estimate is no authority's report and stays in ``other_claims``):
    the event fields (date, site, time) are shared, the figures are that authority's."""
    out = []
    for who in dict.fromkeys(
        c["authority"] for c in ex.other_claims if c["authority"] not in (None, ANALYST)
    ):
        claims = {c["field"]: c for c in ex.other_claims if c["authority"] == who}
        if not any(k in claims for k in ("range_km", "apogee_km", "flight_time_s")):
            continue
        other = replace(
            ex,
            authority=who,
            range_km=None,
            apogee_km=None,
            flight_time_s=None,
            eez_claim="unknown",
            eez_country=None,
            other_claims=[],
            evidence={},
            missing=[],
            spans={},
            bounds={},
            precision={},
            figure_authority={},
        )
        for k in ("range_km", "apogee_km", "flight_time_s"):
            if k in claims:
                v = claims[k]["value"]
                if isinstance(v, list):
                    other.spans[k] = (v[0], v[1])
                else:
                    setattr(other, k, v)
                other.evidence[k] = {
                    "sentence": claims[k].get("sentence", ""),
                    "stated": True,
                    "confidence": 0.8,
                    "basis": f"said by {who}",
                }
        if "eez_claim" in claims:
            other.eez_claim = claims["eez_claim"]["value"]
            other.eez_country = claims["eez_claim"].get("eez_country")
        other.missing = [
            f for f in ("range_km", "apogee_km", "flight_time_s") if getattr(other, f) is None
        ] + [f for f in ex.missing if f not in ("range_km", "apogee_km", "flight_time_s")]
        out.append(other)
    return out


def own_figures(ex: Extracted) -> Extracted:
    """``ex`` with only its own authority's figures: a figure another authority gave (and
    the text's authority did not) stays in ``other_claims`` for that authority's report."""
    for key, who in list(ex.figure_authority.items()):
        if who is not None and who != ex.authority:
            setattr(ex, key, None)
            ex.spans.pop(key, None)
            ex.bounds.pop(key, None)
            ex.precision.pop(key, None)
            if key not in ex.missing:
                ex.missing.append(key)
    return ex


def ingest_text(
    store: Store,
    text: str,
    *,
    source: str | None = None,
    reconstruct: bool = True,
    zones: bool = True,
    published: dt.date | None = None,
) -> Ingested:
    """Extract, reconstruct and store the launch ``text`` reports; see the module docstring.

    Raises :class:`IngestError` (nothing stored) when the text holds no launch or no date.
    """
    h = text_hash(text)
    if (known := store.has_report(h)) is not None:
        ev = store.event(known.event_id)
        ids = tuple(r.id for r in ev.reports if (r.details or {}).get("source_hash") == h)
        return Ingested(known.event_id, ids or (known.id,), True)
    try:
        ex = own_figures(extract(text, published=published))
    except NoLaunchError as exc:
        raise IngestError(f"{exc}; nothing stored") from None
    except OverflowError:  # e.g. a byline dated 9999.12.31 and a weekday after it
        raise IngestError(
            "a date in the text falls outside years 1..9999; nothing stored"
        ) from None
    if ex.launch_date is None:
        raise IngestError(
            "the text gives no launch date (no date in it or its byline); nothing stored"
        )
    items = [(ex, h)] + [
        (o, text_hash(f"{text}\n#authority: {normalize(o.authority)}")) for o in secondary(ex)
    ]
    event_id: int | None = None
    report_ids: list[int] = []
    done: list[tuple[Extracted, dict | None]] = []
    for item, key in items:
        rec, why = reconstruct_report(item) if reconstruct else (None, "reconstruction off")
        if rec is not None:
            rec["glide_readings"] = glide_readings(store, item, rec, done)
        done.append((item, rec))
        zone = _zone(rec) if zones else None
        added = store.add(_with_source_hash(_new_report(item, key, source, rec, why, zone), h))
        event_id = added.event_id if event_id is None else event_id
        report_ids.append(added.report_id)
    assert event_id is not None  # ``items`` holds the text's own report at least
    return Ingested(event_id, tuple(report_ids), False)


def glide_readings(
    store: Store, item: Extracted, rec: dict, earlier: list[tuple[Extracted, dict | None]]
) -> list[dict]:
    """The glide readings this report's claim checks will need against the reports already
    recorded for its launch day (and the earlier reports of the same text): flown now and
    stored with the reconstruction, so that viewing the event flies nothing
    (:func:`.compare.glide_entry`)."""
    from .compare import glide_entry, glide_pairs

    others = list(earlier)
    if item.launch_date is not None:
        for ev in store.events(since=item.launch_date):
            if ev.launch_date != item.launch_date:
                break
            others += [
                (r, r.reconstruction.result if r.reconstruction else None) for r in ev.reports
            ]
    keys = []
    for other, o_rec in others:
        if normalize(getattr(other, "authority", None)) == normalize(item.authority):
            continue
        keys += [k for k in glide_pairs(rec, item, o_rec, other) if k not in keys]
    return [glide_entry(*k) for k in keys]


def normalize(name: str | None) -> str:
    from ..flight.catalog import normalize_name

    return normalize_name(name or "unattributed")
