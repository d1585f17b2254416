"""One JSON record per track of an assessment: the summary every consumer serializes through.

The CLI and the report folder (the chain's per-missile figures), the service's ``assessment``
messages and the partner nodes' records of their own and received assessments all start from
:func:`prediction_record` and add only what is theirs (truth errors, polygons, paths).

A record: ``track_id``; ``impact_lat``, ``impact_lon`` (deg, WGS84); ``impact_t_s``,
``impact_t_sigma_s`` (s after the epoch of the times given); ``ellipse_95_km`` (semi-major,
semi-minor of the 95 % impact ellipse, km); ``verdict`` {``kind``, ``country``};
``zone_probs``; ``p_japan_eez`` (:func:`p_country`, Japan's land, territorial sea and EEZ);
``range_class`` and ``range_class_prob``; ``apogee_km``.  Non-finite numbers are ``None``.

Input is a mapping of per-track columns (:func:`columns` of an
:class:`~launchwatch.assess.assessment.Assessment`, or the checked arrays of a wire body) with
the same names as the Assessment's fields.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .assessment import ELLIPSE_LEVELS, Assessment

#: Per-track columns a record is made from (names of Assessment fields).
COLUMNS = (
    "track_id",
    "impact_lat_deg",
    "impact_lon_deg",
    "impact_t_s",
    "impact_t_sigma_s",
    "ellipse_semi_major_m",
    "ellipse_semi_minor_m",
    "zone_probs",
    "verdict_kind",
    "verdict_country",
    "range_class",
    "range_class_prob",
    "apogee_m",
)


def level_index(levels: Sequence[float] = ELLIPSE_LEVELS, level: float = 0.95) -> int:
    """Column of the ``level`` ellipse in ``ellipse_semi_*_m`` (``ValueError`` if absent)."""
    for j, p in enumerate(levels):
        if math.isclose(float(p), level):
            return j
    raise ValueError(f"no {level:g} ellipse among the levels {tuple(levels)}")


def p_country(zone_probs: Mapping[str, float], country: str = "JPN") -> float:
    """Probability that the impact is in ``country``'s zones (land, territorial sea, EEZ):
    the sum of ``zone_probs`` over keys ``"<kind>:<country>"``."""
    return float(sum(p for zone, p in zone_probs.items() if zone.endswith(f":{country}")))


def columns(a: Assessment) -> dict[str, Any]:
    """The per-track columns of an assessment that records are made from."""
    return {name: getattr(a, name) for name in COLUMNS}


def _r(x: Any, nd: int) -> float | None:
    x = float(x)
    return round(x, nd) if math.isfinite(x) else None


def _at(col: Sequence[Any], k: int) -> Any:
    """Entry ``k`` of an optional column (``None`` when the column is empty)."""
    return col[k] if len(col) > k else None


def prediction_record(
    cols: Mapping[str, Any], k: int, levels: Sequence[float] = ELLIPSE_LEVELS
) -> dict[str, Any]:
    """The record of track ``k`` (see module docstring); ``ellipse_95_km`` is ``None`` when
    ``levels`` has no 95 % ellipse (a partner's message may not)."""
    try:
        j = level_index(levels)
    except ValueError:
        j = None
    zp = {str(z): float(p) for z, p in cols["zone_probs"][k].items()}
    rc, rc_p, ap = (_at(cols[n], k) for n in ("range_class", "range_class_prob", "apogee_m"))
    return {
        "track_id": int(cols["track_id"][k]),
        "impact_lat": _r(cols["impact_lat_deg"][k], 4),
        "impact_lon": _r(cols["impact_lon_deg"][k], 4),
        "impact_t_s": _r(cols["impact_t_s"][k], 2),
        "impact_t_sigma_s": _r(cols["impact_t_sigma_s"][k], 2),
        "ellipse_95_km": None
        if j is None
        else [
            _r(cols["ellipse_semi_major_m"][k, j] / 1e3, 2),
            _r(cols["ellipse_semi_minor_m"][k, j] / 1e3, 2),
        ],
        "verdict": {
            "kind": str(cols["verdict_kind"][k]),
            "country": str(cols["verdict_country"][k]) or None,
        },
        "zone_probs": {z: round(p, 4) for z, p in zp.items()},
        "p_japan_eez": round(p_country(zp, "JPN"), 4),
        "range_class": str(rc) if rc else None,
        "range_class_prob": None if rc_p is None else _r(rc_p, 3),
        "apogee_km": None if ap is None else _r(np.asarray(ap) / 1e3, 1),
    }


def prediction_records(a: Assessment) -> list[dict[str, Any]]:
    """The records of all tracks of ``a``."""
    cols = columns(a)
    return [prediction_record(cols, k) for k in range(a.n_tracks)]
