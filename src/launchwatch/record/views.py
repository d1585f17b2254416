"""Plain dictionaries (JSON-ready) of events and reports, for the CLI and the service."""

from __future__ import annotations

from .compare import claim_flags, disagreements
from .models import Event, Report

REPORTED = (
    "launch_time_local",
    "utc_offset",
    "site_name",
    "missile_name",
    "missile_class",
    "n_missiles",
    "range_km",
    "apogee_km",
    "flight_time_s",
    "landing_area",
    "eez_claim",
)
EVENT = (
    "id",
    "launch_date",
    "launch_time_local",
    "utc_offset",
    "launch_time_utc",
    "site_name",
    "site_lat_deg",
    "site_lon_deg",
    "missile_name",
    "missile_class",
    "n_missiles",
    "landing_area",
    "landing_lat_deg",
    "landing_lon_deg",
    "zone_kind",
    "zone_country",
    "confidence",
)


def _iso(v):
    return v.isoformat() if hasattr(v, "isoformat") else v


def derived_dict(rep: Report) -> dict | None:
    """The reconstruction of a report without its sampled path, plus the zone verdict."""
    rec = rep.reconstruction
    if rec is None:
        return None
    d = {k: v for k, v in rec.result.items() if k != "path"}
    d["zone"] = {"kind": rec.zone_kind, "country": rec.zone_country} if rec.zone_kind else None
    return d


def report_dict(rep: Report) -> dict:
    """One report: who, when, the figures as reported, what is missing, what was derived."""
    return {
        "id": rep.id,
        "event_id": rep.event_id,
        "authority": rep.authority,
        "outlet": rep.outlet,
        "published_utc": _iso(rep.published_utc),
        "source": rep.source,
        "reported": {k: getattr(rep, k) for k in REPORTED},
        "missing": list(rep.missing or []),
        "derived": derived_dict(rep),
        "notes": (rep.details or {}).get("notes", []),
        "evidence": (rep.details or {}).get("evidence", {}),
        "other_events": (rep.details or {}).get("other_events", []),
        "missiles": (rep.details or {}).get("missiles", []),
    }


def event_dict(ev: Event, *, reports: bool = True) -> dict:
    """One event with (optionally) its reports and the disagreements between them."""
    d = {k: _iso(getattr(ev, k)) for k in EVENT}
    d["authorities"] = sorted({r.authority or r.outlet or "unattributed" for r in ev.reports})
    d["disagreements"] = disagreements(ev.reports)
    d["flags"] = claim_flags(ev.reports)
    if reports:
        d["reports"] = [report_dict(r) for r in ev.reports]
    return d
