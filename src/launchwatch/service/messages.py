"""The live messages of a chain run: JSON-ready dicts built from a
:class:`~launchwatch.pipeline.chain.ChainResult` (:func:`chain_messages`), the same for the
WebSocket, the run backlog and the record (:mod:`.archive`).

Messages (all have ``type``, ``run_id``; those of a run's content also ``t_s``, seconds after
the scenario epoch, and ``time``, ISO 8601 in the scenario's local time):

* ``run``: ``state`` (queued | computing | replaying | done | failed), ``scenario``, ``speed``,
  ``error`` when failed;
* ``scenario``: ``epoch``, ``utc_offset``, ``launches`` (id, site, lat, lon as configured),
  ``sensors`` (id, kind, lat, lon);
* ``track``: ``tracks`` = [{``track_id``, ``lat``, ``lon``, ``height_km``, ``speed_km_s``}] of
  the confirmed tracks updated in the last :data:`TRACK_STEP_S` of scenario time;
* ``assessment``: ``predictions`` = [{``track_id``, ``impact_lat``, ``impact_lon``,
  ``impact_time``, ``ellipse_95`` ([[lon, lat], ...]), ``ellipse_95_km`` (semi-axes),
  ``verdict`` {kind, country}, ``zone_probs``, ``p_japan_eez``, ``range_class``,
  ``range_class_prob``, ``apogee_km`` (of this track's current estimate), ``missile`` and
  ``missile_apogee_km`` (the missile's apogee so far: the highest of its tracks' latest
  apogees, so a track that took over after a break does not lower it; at the last assessment
  it equals ``summary()["per_missile"][i]["apogee_km"]``), ``path`` (median predicted ground
  path [[lon, lat]]) and ``path_h_km`` (its median heights, km: the side view)}];
* ``warning``: ``kind``, ``jalert``, ``areas`` / ``open_areas`` ([{code, name}]),
  ``identifier`` (CAP), ``msg_type``, ``sent``, ``track_ids``, ``p_over``, and ``state``: every
  warning's current state after this message (:func:`warning_state`), so that a page draws
  the server's state, not the history it happened to see;
* ``summary`` (last): ``summary`` (:meth:`ChainResult.summary`), ``missiles`` ([{missile,
  apogee_km, range_class, verdict}] from its ``per_missile``), ``warned`` ([{code, name}]),
  ``no_warning``, ``verdict`` (text), ``timeline`` ([{t_s, time, text}]), ``state`` (the
  warnings' final state).

Run progress while the chain computes (:mod:`.live`): ``progress`` with ``stage`` and
``percent``.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings

import numpy as np

from ..assess.summary import columns, prediction_record

#: Track messages: at most one position per track per this many seconds of scenario time.
TRACK_STEP_S = 1.0
#: Points of a predicted median ground path in an assessment message (at most).
PATH_POINTS = 60
#: Vertices of an impact ellipse polygon.
ELLIPSE_POINTS = 48


def jsonable(x):
    """Plain JSON values of ``x`` (NumPy scalars and arrays, datetimes; NaN/inf -> None)."""
    if isinstance(x, dict):
        return {str(k): jsonable(v) for k, v in x.items()}
    if isinstance(x, list | tuple | set | frozenset):
        return [jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return jsonable(x.tolist())
    if isinstance(x, np.generic):
        return jsonable(x.item())
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    if isinstance(x, dt.datetime | dt.date):
        return x.isoformat()
    return x


def _r(x, nd: int = 4):
    x = float(x)
    return round(x, nd) if math.isfinite(x) else None


def _local_time(epoch: dt.datetime, t_s: float) -> str:
    return (epoch + dt.timedelta(seconds=float(t_s))).isoformat(timespec="seconds")


def _scenario_message(scenario, sim) -> dict:
    from ..flight.catalog import get_site

    launches = []
    for launch in scenario.launches:
        if launch.site is not None:
            site = get_site(launch.site)
            lat, lon, name = site.lat_deg, site.lon_deg, site.name
        else:
            lat, lon, name = launch.lat_deg, launch.lon_deg, None
        launches.append(
            {"id": launch.id, "site": name, "lat": lat, "lon": lon, "time_s": launch.time_s}
        )
    sensors = []
    for s in sim.sensors:
        pos = getattr(s, "lat_deg", None), getattr(s, "lon_deg", None)
        sensors.append(
            {
                "id": getattr(s, "id", None) or getattr(s, "name", None),
                "kind": type(s).__name__,
                "lat": pos[0],
                "lon": pos[1],
            }
        )
    off = scenario.epoch.utcoffset() or dt.timedelta(0)
    hours, rem = divmod(int(off.total_seconds()), 3600)
    return {
        "type": "scenario",
        "name": scenario.name,
        "description": scenario.description,
        "epoch": scenario.epoch.isoformat(),
        "utc_offset": f"{hours:+03d}:{rem // 60:02d}",
        "launches": launches,
        "sensors": sensors,
    }


def track_messages(
    history: np.ndarray, epoch: dt.datetime, step_s: float = TRACK_STEP_S
) -> list[dict]:
    """Confirmed track estimates as ``track`` messages, at most one per track per ``step_s``
    (the latest estimate in each step), heights and speeds from the ECEF states."""
    from ..earth import frames

    rows = history[history["confirmed"]]
    if rows.size == 0:
        return []
    rows = rows[np.argsort(rows["t_s"], kind="stable")]
    step = np.floor(rows["t_s"] / step_s).astype(np.int64)
    key = np.stack([step, rows["track_id"]], axis=1)
    # the last row of each (step, track): unique on the reversed order
    _, first_rev = np.unique(key[::-1], axis=0, return_index=True)
    keep = np.sort(rows.size - 1 - first_rev)
    rows, step = rows[keep], step[keep]
    lat, lon, h = frames.ecef_to_geodetic(rows["state"][:, :3])
    speed = np.linalg.norm(rows["state"][:, 3:], axis=1)
    out = []
    for s in np.unique(step):
        sel = np.flatnonzero(step == s)
        t = float(rows["t_s"][sel].max())
        out.append(
            {
                "type": "track",
                "t_s": round(t, 2),
                "time": _local_time(epoch, t),
                "tracks": [
                    {
                        "track_id": int(rows["track_id"][i]),
                        "lat": _r(np.degrees(lat[i]), 5),
                        "lon": _r(np.degrees(lon[i]), 5),
                        "height_km": _r(h[i] / 1e3, 2),
                        "speed_km_s": _r(speed[i] / 1e3, 3),
                    }
                    for i in sel
                ],
            }
        )
    return out


def _median_path(a, k: int) -> tuple[list[list[float]], list[float]]:
    """The median predicted ground path [[lon, lat]] of track ``k`` and its median heights
    (km), at most PATH_POINTS points."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        lon = np.nanmedian(a.path_lon_deg[k], axis=0)
        lat = np.nanmedian(a.path_lat_deg[k], axis=0)
        h = np.nanmedian(a.path_h_m[k], axis=0) / 1e3
    ok = np.isfinite(lon) & np.isfinite(lat) & np.isfinite(h)
    lon, lat, h = lon[ok], lat[ok], h[ok]
    if lon.size > PATH_POINTS:
        idx = np.unique(np.linspace(0, lon.size - 1, PATH_POINTS).round().astype(int))
        lon, lat, h = lon[idx], lat[idx], h[idx]
    path = [[_r(x, 4), _r(y, 4)] for x, y in zip(lon, lat, strict=True)]
    return path, [_r(max(z, 0.0), 2) for z in h]


def missile_apogees(assessments, track_missile: dict[int, int]) -> list[dict[int, float]]:
    """Per assessment, ``{missile index: apogee km so far}``: the highest, over the missile's
    tracks assessed so far, of each track's apogee at its latest assessment (the rule of
    :func:`launchwatch.pipeline.chain._missile_figures`, applied up to each assessment)."""
    latest: dict[int, tuple[int, float]] = {}  # track -> (missile, apogee at latest assessment)
    out = []
    for a in assessments:
        for k, tid in enumerate(a.track_id):
            m = track_missile.get(int(tid))
            if m is None or a.apogee_m.size <= k:
                continue
            latest[int(tid)] = (m, _r(a.apogee_m[k] / 1e3, 1) or 0.0)
        best: dict[int, float] = {}
        for m, ap in latest.values():
            best[m] = max(best.get(m, 0.0), ap)
        out.append(best)
    return out


def assessment_message(a, missiles: dict[int, tuple[str, float | None]] | None = None) -> dict:
    """One ``assessment`` message from an :class:`~launchwatch.assess.assessment.Assessment`;
    ``missiles`` maps a track id to (missile name, the missile's apogee so far, km)."""
    missiles = missiles or {}
    cols = columns(a)
    preds = []
    for k in range(a.n_tracks):
        if not (np.isfinite(a.impact_lat_deg[k]) and np.isfinite(a.impact_lon_deg[k])):
            continue
        poly = a.ellipse_polygon(k, 0.95, n=ELLIPSE_POINTS)
        missile, missile_apogee_km = missiles.get(int(a.track_id[k]), (None, None))
        path, path_h_km = _median_path(a, k)
        preds.append(
            {
                **prediction_record(cols, k),
                "impact_time": _local_time(a.epoch, a.impact_t_s[k])
                if np.isfinite(a.impact_t_s[k])
                else None,
                "ellipse_95": [[_r(x, 4), _r(y, 4)] for x, y in poly if np.isfinite(x + y)],
                "missile": missile,
                "missile_apogee_km": missile_apogee_km,
                "path": path,
                "path_h_km": path_h_km,
            }
        )
    return {
        "type": "assessment",
        "t_s": round(float(a.t_s), 2),
        "time": _local_time(a.epoch, a.t_s),
        "predictions": preds,
    }


def _areas(codes) -> list[dict]:
    from ..warn.areas import area_name

    return [{"code": c, "name": area_name(c)} for c in codes]


def warning_message(e, epoch: dt.datetime) -> dict:
    return {
        "type": "warning",
        "t_s": round(float(e.t_s), 2),
        "time": _local_time(epoch, e.t_s),
        "kind": e.kind,
        "jalert": e.jalert,
        "areas": _areas(e.areas),
        "open_areas": _areas(e.open_areas),
        "identifier": e.identifier,
        "msg_type": e.msg_type,
        "sent": e.sent,
        "track_ids": [int(t) for t in e.track_ids],
        "p_over": {k: round(float(v), 3) for k, v in e.p_over.items()},
    }


def warning_state(events, t_s: float | None = None) -> dict:
    """:func:`launchwatch.warn.state.current_state` of warning events, with area names:
    ``{"t_s", "warnings": [{thread, track_ids, country, state, since_s, areas: [{code, name,
    state, since_s, j_alert_code}]}], "active_areas"}``."""
    from ..warn.areas import area_name
    from ..warn.state import current_state

    st = current_state(events, t_s)
    for w in st["warnings"]:
        for a in w["areas"]:
            a["name"] = area_name(a["code"])
    return jsonable(st)


def verdict_text(summary: dict, warned: list[str]) -> str:
    """ "no warning - predicted impact in the EEZ of PRK" or "warning: Hokkaido, Aomori - ..."."""
    from ..warn.areas import area_name

    final = [m.get("final") or {} for m in summary.get("per_missile", [])]
    verdicts = []
    for f in final:
        v = f.get("verdict") or {}
        if v.get("kind"):
            kind = {
                "eez": "the EEZ",
                "territorial_sea": "the territorial sea",
                "land": "land",
                "high_seas": "the high seas",
            }.get(v["kind"], v["kind"])
            verdicts.append(kind + (f" of {v['country']}" if v.get("country") else ""))
    where = (
        ("predicted impact in " + "; ".join(dict.fromkeys(verdicts)))
        if verdicts
        else "no impact prediction"
    )
    head = "no warning" if not warned else "warning: " + ", ".join(area_name(c) for c in warned)
    return f"{head} \u2014 {where}"


def chain_messages(result) -> list[dict]:
    """Every message of a finished chain run, in scenario-time order (see module docstring);
    the ``scenario`` message first and the ``summary`` message last."""
    from ..pipeline.chain import track_truth
    from ..warn.report import timeline

    sim = result.sim
    epoch = sim.scenario.epoch
    t_first = float(np.min(sim.truth.launch_time_s))
    msgs = track_messages(sim.tracker.history, epoch)
    # track -> missile as the chain's scoring assigns them (its per-missile apogee uses it)
    track_missile = track_truth(sim)
    names = [m["missile"] for m in result.per_missile]
    for a, best in zip(
        result.run.assessments, missile_apogees(result.run.assessments, track_missile), strict=True
    ):
        missiles = {t: (names[m], best.get(m)) for t, m in track_missile.items()}
        msgs.append(assessment_message(a, missiles))
    events = result.policy.events
    for i, e in enumerate(events):
        msg = warning_message(e, epoch)
        msg["state"] = warning_state(events[: i + 1])  # the events so far: no time cut-off
        msg["state"]["t_s"] = msg["t_s"]
        msgs.append(msg)
    msgs.sort(key=lambda m: m["t_s"])
    summary = jsonable(result.summary())
    warned = sorted(result.warn_score["warned"])
    t_end = max([float(sim.truth.impact_time_s.max())] + [m["t_s"] for m in msgs])
    head = _scenario_message(sim.scenario, sim)
    head.update(t_s=t_first, time=_local_time(epoch, t_first))
    tail = {
        "type": "summary",
        "t_s": round(t_end, 2),
        "time": _local_time(epoch, t_end),
        "summary": summary,
        "missiles": [
            {
                "missile": m.get("missile"),
                "apogee_km": m.get("apogee_km"),
                "range_class": (m.get("final") or {}).get("range_class"),
                "verdict": (m.get("final") or {}).get("verdict"),
            }
            for m in summary.get("per_missile", [])
        ],
        "warned": _areas(warned),
        "no_warning": not warned,
        "verdict": verdict_text(summary, warned),
        "timeline": [
            {"t_s": round(t, 2), "time": _local_time(epoch, t), "text": text}
            for t, text in timeline(result)
        ],
        "state": warning_state(events),
    }
    return [head, *msgs, tail]
