"""A finished scenario run, stored in the launch record as a (simulated) launch event.

Built from the run's own messages (:func:`launchwatch.service.messages.chain_messages`): the
``scenario`` message gives the launches (site, position, time) and the local epoch, the
``summary`` message the per-missile figures of the chain. One event per run (its own key, so it
never merges with a real launch of the same date and place; confidence ``simulated``), one
report per missile: authority ``launchwatch simulation``, source ``scenario:<name>#<run id>``,
the launch site, the predicted class, the missile's apogee (highest over its tracks), the range
from the launch site to the final predicted impact, the predicted flight time, the predicted
impact point and its zone verdict. Truth figures of the simulation go into the report's
details, beside the prediction, never into its figures.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from ..earth.notation import latlon_text
from ..record.store import NewReport, Store

AUTHORITY = "launchwatch simulation"
CONFIDENCE = "simulated"
_ZONE = {
    "eez": "EEZ",
    "territorial_sea": "territorial sea",
    "land": "land",
    "high_seas": "high seas",
}


def _zone_text(v: dict | None) -> str | None:
    if not v or not v.get("kind"):
        return None
    return _ZONE.get(v["kind"], v["kind"]) + (f" of {v['country']}" if v.get("country") else "")


def _eez_claim(v: dict | None) -> str:
    """Japan's EEZ question, as the reports put it: inside (Japan's EEZ or nearer) or not."""
    if not v or not v.get("kind"):
        return "unknown"
    return "inside" if v.get("country") == "JPN" and v["kind"] != "high_seas" else "outside"


def run_reports(
    run_id: int, scenario: str, created: float, messages: list[dict]
) -> list[NewReport]:
    """The reports (one per missile, sharing one event) of a finished run; ``[]`` when the
    run has no scenario or summary message (nothing to record)."""
    head = next((m for m in messages if m.get("type") == "scenario"), None)
    tail = next((m for m in reversed(messages) if m.get("type") == "summary"), None)
    if head is None or tail is None:
        return []
    epoch = dt.datetime.fromisoformat(head["epoch"])
    launches = {x["id"]: x for x in head.get("launches", [])}
    per = (tail.get("summary") or {}).get("per_missile") or []
    if not per:  # a run without per-missile figures still records where and when
        per = [{"missile": k} for k in launches]
    source = f"scenario:{scenario}#{run_id}"
    run_key = hashlib.sha256(f"{source}@{created!r}".encode()).hexdigest()
    first: dict[str, Any] = min(launches.values(), key=lambda x: x.get("time_s") or 0.0, default={})
    t0 = epoch + dt.timedelta(seconds=float(first.get("time_s") or 0.0))
    off = epoch.strftime("%z")
    utc_offset = f"{off[:3]}:{off[3:]}" if off else None
    n = len(launches) or len(per)
    event = {
        "confidence": CONFIDENCE,
        "n_missiles": n,
        "site_name": first.get("site"),
        "site_lat_deg": first.get("lat"),
        "site_lon_deg": first.get("lon"),
        "launch_time_local": t0.strftime("%H:%M"),
        "utc_offset": utc_offset,
    }
    out = []
    for i, m in enumerate(per):
        launch = launches.get(m.get("missile")) or first
        final = m.get("final") or {}
        verdict = final.get("verdict")
        lat, lon = final.get("impact_lat"), final.get("impact_lon")
        range_km = flight_s = None
        if lat is not None and lon is not None and launch.get("lat") is not None:
            from ..earth import geodesy

            _, _, d = geodesy.inverse(launch["lat"], launch["lon"], lat, lon)
            range_km = round(float(d) / 1e3, 1)
        if final.get("t_s") is not None and final.get("time_to_impact_s") is not None:
            flight_s = round(final["t_s"] + final["time_to_impact_s"], 1)
        where = _zone_text(verdict)
        landing = (
            f"predicted: {where}, {latlon_text(lat, lon)}"
            if where and lat is not None and lon is not None
            else None
        )
        t_launch = epoch + dt.timedelta(seconds=float(launch.get("time_s") or 0.0))
        if i == 0:
            event.update(
                missile_class=final.get("range_class"),
                landing_area=landing,
                landing_lat_deg=lat,
                landing_lon_deg=lon,
                zone_kind=(verdict or {}).get("kind"),
                zone_country=(verdict or {}).get("country"),
            )
        out.append(
            NewReport(
                text_hash=hashlib.sha256(f"{run_key}|{m.get('missile')}|{i}".encode()).hexdigest(),
                launch_date=t0.date(),
                launch_time_local=t_launch.strftime("%H:%M"),
                utc_offset=utc_offset,
                site_name=launch.get("site"),
                site_lat_deg=launch.get("lat"),
                site_lon_deg=launch.get("lon"),
                missile_class=final.get("range_class"),
                n_missiles=n,
                range_km=range_km,
                apogee_km=m.get("apogee_km") or None,
                flight_time_s=flight_s,
                landing_area=landing,
                eez_claim=_eez_claim(verdict),
                authority=AUTHORITY,
                published_utc=dt.datetime.now(dt.UTC).replace(tzinfo=None),
                source=source,
                missing=[
                    k
                    for k, v in (
                        ("missile_class", final.get("range_class")),
                        ("range_km", range_km),
                        ("apogee_km", m.get("apogee_km")),
                        ("flight_time_s", flight_s),
                        ("landing_area", landing),
                    )
                    if not v
                ],
                details={
                    "notes": [
                        f"simulated run #{run_id} of scenario {scenario!r}: "
                        "launchwatch's own prediction, not a real launch"
                    ],
                    "run": {
                        "id": run_id,
                        "scenario": scenario,
                        "launch_id": m.get("missile"),
                        "verdict": tail.get("verdict"),
                        "no_warning": tail.get("no_warning"),
                        "warned": [a.get("code") for a in tail.get("warned", [])],
                    },
                    "prediction": {
                        "impact_lat": lat,
                        "impact_lon": lon,
                        "verdict": verdict,
                        "range_class_prob": final.get("range_class_prob"),
                        "ellipse_95_km": final.get("ellipse_95_km"),
                        "impact_error_km": final.get("impact_error_km"),
                    },
                    "truth": m.get("truth"),
                },
                event=dict(event),
                event_key=f"run:{run_key[:32]}",
            )
        )
    return out


def record_run(store: Store, run, messages: list[dict]) -> int | None:
    """Store a finished run (see the module docstring); its event id, or ``None`` when the
    run had nothing to record. Storing the same run again adds nothing."""
    event_id = None
    for new in run_reports(run.id, run.scenario, run.created, messages):
        added = store.add(new)
        event_id = added.event_id if event_id is None else event_id
    return event_id
