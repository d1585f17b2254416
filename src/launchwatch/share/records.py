"""JSON-ready records of what a node makes and receives: assessments per track, warning
notices.  Times are seconds after the node's epoch; distances in km where the key says so."""

from __future__ import annotations

import numpy as np

from ..assess.summary import prediction_record
from .messages import ImpactAssessment, WarningNotice, check_assessment


def assessment_records(
    body: ImpactAssessment, arrays: dict[str, np.ndarray | float] | None = None
) -> dict[int, dict]:
    """Per track of an assessment body, its :func:`~launchwatch.assess.summary.
    prediction_record` with the assessment time ``t_s`` and ``n_samples`` (times after this
    node's epoch when ``arrays`` are the receiver's, see :class:`~.receive.Accepted`)."""
    if arrays is None:
        arrays = {**check_assessment(body), "t_s": body.t_s}
    cols = {
        **arrays,
        "zone_probs": body.zone_probs,
        "verdict_kind": body.verdict_kind,
        "verdict_country": body.verdict_country,
        "range_class": body.range_class,
    }
    t_s = round(float(arrays["t_s"]), 3)
    return {
        int(tid): {
            "t_s": t_s,
            "n_samples": int(body.n_samples),
            **prediction_record(cols, i, body.ellipse_levels),
        }
        for i, tid in enumerate(np.asarray(arrays["track_id"]))
    }


def notice_record(body: WarningNotice) -> dict:
    """A received warning notice as a JSON-ready record."""
    return {
        "identifier": body.identifier,
        "msg_type": body.msg_type,
        "sent": body.sent,
        "areas": list(body.area_codes),
        "track_id": list(body.track_id),
        "headline": body.headline,
    }
