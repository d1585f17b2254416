"""One engagement, end to end, as a Dask task: draw it, run the chain, score it.

:func:`run_engagement` never raises: a failure (an unflyable draw, a bug in the chain) comes back
as a record with ``status: "error"``, the error and the seeds, so a campaign never stops for one
engagement.  The record is plain data (JSON-ready) so it crosses process boundaries and is kept
on disk as JSON, never pickled.
"""

from __future__ import annotations

import math
import time
import traceback

import numpy as np

from ..pipeline.chain import chain_policy, run_chain
from .generate import generate
from .score import score_engagement
from .spec import CampaignSpec

#: Decimal places kept per assessment column (enough for plots; keeps the files small).
_ROUND = {"t_s": 3, "error_km": 4, "semi_major_95_km": 3}


def _plain(x):
    """JSON-ready Python scalars (numpy scalars and arrays converted; NaN stays float)."""
    if isinstance(x, dict):
        return {str(k): _plain(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_plain(v) for v in x]
    if isinstance(x, np.ndarray):
        return _plain(x.tolist())
    if isinstance(x, np.bool_ | bool):
        return bool(x)
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, np.floating | float):
        return float(x)
    return x


def _columns(rows: dict[str, np.ndarray]) -> dict[str, list]:
    out = {}
    for k, v in rows.items():
        if k in _ROUND:
            v = np.round(v.astype(float), _ROUND[k])
        if k == "d2":  # inside/outside only matters up to huge distances; JSON has no inf
            v = np.minimum(v.astype(float), 1e30)
        out[k] = v.tolist()
    return out


def error_record(
    index: int, campaign_seed: int, error: str, scenario_seed=None, meta: dict | None = None
) -> dict:
    """The record of an engagement that failed."""
    eng = {
        "index": index,
        "status": "error",
        "error": error[:2000],
        "campaign_seed": campaign_seed,
        "scenario_seed": scenario_seed if scenario_seed is not None else -1,
        **(meta or {}),
    }
    return {
        "index": index,
        "status": "error",
        "engagement": _plain(eng),
        "missiles": [],
        "assessments": {},
    }


def run_engagement(spec: CampaignSpec, campaign_seed: int, index: int) -> dict:
    """Draw, run and score engagement ``index``; a record (see module docstring)."""
    t0 = time.perf_counter()
    eng = None
    try:
        eng = generate(spec, campaign_seed, index)
        c = eng.chain
        policy = chain_policy(  # the chain's policy, launch corridor included
            eng.scenario.seed,
            p_issue=c["p_issue"],
            p_keep=c["p_keep"],
            max_ellipse_m=c["max_ellipse_m"],
        )
        chain = run_chain(
            eng.scenario, interval_s=c["interval_s"], n_samples=c["n_samples"], policy=policy
        )
        row, missiles, rows = score_engagement(chain, eng)
    except Exception as exc:  # noqa: BLE001 - recorded, never stops the campaign
        tb = traceback.extract_tb(exc.__traceback__)
        where = f" at {tb[-1].filename.rsplit('/', 1)[-1]}:{tb[-1].lineno}" if tb else ""
        return error_record(
            index,
            campaign_seed,
            f"{type(exc).__name__}: {exc}{where}",
            eng.scenario.seed if eng else None,
            eng.meta if eng else None,
        )
    row["campaign_seed"] = campaign_seed
    row["seconds_total"] = time.perf_counter() - t0
    rec = {
        "index": index,
        "status": "ok",
        "engagement": _plain(row),
        "missiles": _plain(missiles),
        "assessments": _columns(rows),
    }
    for r in rec["missiles"]:
        for k, v in r.items():
            if isinstance(v, float) and math.isinf(v):
                r[k] = None
    return rec
