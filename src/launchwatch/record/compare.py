"""Disagreements between the reports of one event, shown side by side, never resolved.

Reported figures are rounded ("about 700 km"), so numbers count as the same within
:data:`REL_TOL` (10 %) of the larger one: KCNA's 999.2 km and Japan's "about 1,000 km" agree,
ROK JCS's 700 km and Japan's 450 km do not.
"""

from __future__ import annotations

from ..flight.catalog import normalize_name

REL_TOL = 0.10
#: (field, label, unit) compared between reports.
FIELDS = (("range_km", "range", "km"), ("apogee_km", "apogee", "km"),
          ("flight_time_s", "flight time", "s"), ("launch_time_local", "launch time", ""),
          ("site_name", "site", ""), ("missile_class", "class", ""),
          ("n_missiles", "missiles", ""), ("eez_claim", "EEZ", ""))


def _same(a, b) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float):
        return abs(a - b) <= REL_TOL * max(abs(a), abs(b))
    return normalize_name(str(a)) == normalize_name(str(b))


def _fmt(value, unit: str) -> str:
    if isinstance(value, float):
        return f"{value:,.0f} {unit}".strip() if value >= 100 else f"{value:g} {unit}".strip()
    return f"{value} {unit}".strip()


def disagreements(reports) -> list[dict]:
    """Fields on which the reports (ORM :class:`~.models.Report` rows, or objects with the same
    attributes) disagree: ``[{"field", "values": [{"value", "authority", "report_id"}],
    "summary": "range 700 km (ROK JCS) vs 450 km (Japan MoD)"}]``. Unknowns never disagree."""
    out = []
    for name, label, unit in FIELDS:
        values = []
        for r in reports:
            v = getattr(r, name, None)
            if v is None or v == "unknown":
                continue
            values.append({"value": v, "authority": r.authority or r.outlet or "unattributed",
                           "report_id": r.id})
        groups: list[list[dict]] = []
        for v in values:
            for g in groups:
                if _same(g[0]["value"], v["value"]):
                    g.append(v)
                    break
            else:
                groups.append([v])
        if len(groups) > 1:
            parts = [f"{_fmt(g[0]['value'], unit)} ("
                     + ", ".join(dict.fromkeys(x["authority"] for x in g)) + ")" for g in groups]
            out.append({"field": name, "values": values,
                        "summary": f"{label} " + " vs ".join(parts)})
    return out
