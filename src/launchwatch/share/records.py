"""JSON-ready records of what a node makes and receives: assessments per track, warning
notices.  Times are seconds after the node's epoch; distances in km where the key says so."""

from __future__ import annotations

import numpy as np

from .messages import ImpactAssessment, WarningNotice, check_assessment


def _num(x, nd: int = 4):
    x = float(x)
    return round(x, nd) if np.isfinite(x) else None


def assessment_records(body: ImpactAssessment, arrays: dict | None = None) -> dict[int, dict]:
    """Per track of an assessment body, a JSON-ready record (times after this node's epoch when
    ``arrays`` are the receiver's, see :class:`~.receive.Accepted`)."""
    if arrays is None:
        arrays = check_assessment(body)
        arrays["t_s"] = body.t_s
    levels = list(body.ellipse_levels)
    j = levels.index(0.95) if 0.95 in levels else len(levels) - 1
    out = {}
    for i, tid in enumerate(arrays["track_id"]):
        zp = body.zone_probs[i]
        out[int(tid)] = {
            "t_s": round(float(arrays["t_s"]), 3), "n_samples": int(body.n_samples),
            "impact_lat_deg": _num(arrays["impact_lat_deg"][i]),
            "impact_lon_deg": _num(arrays["impact_lon_deg"][i]),
            "impact_t_s": _num(arrays["impact_t_s"][i], 2),
            "impact_t_sigma_s": _num(arrays["impact_t_sigma_s"][i], 2),
            "ellipse_95_km": ([_num(arrays["ellipse_semi_major_m"][i, j] / 1e3, 2),
                               _num(arrays["ellipse_semi_minor_m"][i, j] / 1e3, 2)]
                              if levels else []),
            "verdict": {"kind": body.verdict_kind[i],
                        "country": body.verdict_country[i] or None},
            "zone_probs": dict(zp),
            "p_japan_eez": round(sum(p for z, p in zp.items() if z.endswith(":JPN")), 4),
            "range_class": body.range_class[i] or None,
            "apogee_km": _num(arrays["apogee_m"][i] / 1e3, 1)}
    return out


def notice_record(body: WarningNotice) -> dict:
    """A received warning notice as a JSON-ready record."""
    return {"identifier": body.identifier, "msg_type": body.msg_type, "sent": body.sent,
            "areas": list(body.area_codes), "track_id": list(body.track_id),
            "headline": body.headline}
