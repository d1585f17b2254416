"""The current state of every warning, from the warning events so far (for a page that opens at
any moment: it draws this, not the history it happened to see).

:func:`current_state` folds events (:class:`~.policy.WarningEvent` or their JSON records,
:meth:`~.policy.WarningEvent.to_json`) in time order into one record per warning thread (track
and country) and per area:

* ``active`` -- warned (issue / update), shelter;
* ``tracking_lost`` -- still warned, the track was lost: shelter until the stated time;
* ``passed_over`` -- the missile passed over the area;
* ``fell`` -- the missile fell (into the sea, or in the area);
* ``all_clear`` -- lifted after a lost track's hold time;
* ``cancelled`` -- withdrawn before the missile reached it (the prediction moved away).

A thread is ``active`` while one of its areas is active or tracking_lost, else it takes the state
of its last message. Plain JSON (lists, dicts, strings, numbers).
"""

from __future__ import annotations

__all__ = ["current_state", "STATES"]

STATES = ("active", "tracking_lost", "passed_over", "fell", "all_clear", "cancelled")
_OF_KIND = {
    "issue": "active",
    "update": "active",
    "tracking_lost": "tracking_lost",
    "passed_over": "passed_over",
    "fell": "fell",
    "all_clear": "all_clear",
    "cancel": "cancelled",
}


def _record(e) -> dict:
    if isinstance(e, dict):
        return e
    return e.to_json()


def current_state(events, t_s: float | None = None) -> dict:
    """``{"t_s", "warnings": [{"thread", "track_ids", "country", "state", "since_s",
    "last_cap_id", "j_alert_code", "areas": [{"code", "state", "since_s", "j_alert_code"}]}],
    "active_areas": [...]}`` from the events up to ``t_s`` (all if None)."""
    threads: dict[str, dict] = {}
    recs = sorted((_record(e) for e in events), key=lambda r: float(r["t_s"]))
    for r in recs:
        if t_s is not None and float(r["t_s"]) > t_s:
            break
        kind = r["kind"]
        if kind not in _OF_KIND:
            raise ValueError(f"unknown warning event kind {kind!r}")
        tids = [int(x) for x in r.get("track_ids", [])]
        key = f"{'-'.join(map(str, tids))}:{r.get('country', '')}"
        th = threads.setdefault(
            key, {"thread": key, "track_ids": tids, "country": r.get("country", ""), "areas": {}}
        )
        state = _OF_KIND[kind]
        for code in r["areas"]:
            a = th["areas"].get(code)
            if (
                a is not None
                and a["state"] == state
                and state == "active"
                and a["j_alert_code"] == r["j_alert_code"]
            ):
                continue
            th["areas"][code] = {
                "code": code,
                "state": state,
                "since_s": float(r["t_s"]),
                "j_alert_code": int(r["j_alert_code"]),
            }
        th["last_cap_id"] = r.get("cap_id")
        th["j_alert_code"] = int(r["j_alert_code"])
        th["last_kind_state"] = state
        th["since_s"] = float(r["t_s"])
    out = []
    for th in threads.values():
        areas = list(th["areas"].values())
        live = [a for a in areas if a["state"] in ("active", "tracking_lost")]
        if any(a["state"] == "tracking_lost" for a in live):
            state = "tracking_lost"
        elif live:
            state = "active"
        else:
            state = th["last_kind_state"]
        out.append(
            {
                "thread": th["thread"],
                "track_ids": th["track_ids"],
                "country": th["country"],
                "state": state,
                "since_s": th["since_s"],
                "last_cap_id": th["last_cap_id"],
                "j_alert_code": th["j_alert_code"],
                "areas": areas,
            }
        )
    active = sorted(
        {a["code"] for w in out for a in w["areas"] if a["state"] in ("active", "tracking_lost")}
    )
    return {"t_s": t_s, "warnings": out, "active_areas": active}
