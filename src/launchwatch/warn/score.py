"""Score warnings against the truth: which areas the missiles really overflew or hit, and when.

Truth ground points come from :class:`launchwatch.sense.records.Truth` (ECEF states, NaN when not
flying) via :func:`launchwatch.earth.frames.ecef_to_geodetic`; each flight segment between grid
times is densified to ``densify_km`` so that a narrow crossing between two samples is not missed.
An area is *overflown* when a ground point (any altitude) lies on its land, first at the
time reported; *impacted* when a missile's last point (its impact) is on its land.

* ``warned``: area -> time of its first ISSUE (or UPDATE naming it);
* ``false_alarms``: warned areas never overflown nor impacted;
* ``misses``: overflown/impacted areas with no warning issued by their first overflight time
  (warned late counts as missed);
* ``first_warning_s``: first warning time minus ``launch_time_s`` (None if nothing warned);
* ``lead_time_s``: per overflown and warned area, first overflight time minus first warning time
  (negative when warned late).

Times are seconds after the scenario epoch.
"""

from __future__ import annotations

import numpy as np

from ..earth.frames import ecef_to_geodetic
from .areas import COUNTRIES, load_index

__all__ = ["truth_overflights", "score_warnings"]


def truth_overflights(times_s, states_ecef, *, countries=COUNTRIES, densify_km: float = 1.0):
    """``(overflown, impacted)``: area -> first time (s) over its land; area -> impact time."""
    t = np.asarray(times_s, float)
    x = np.asarray(states_ecef, float)
    if x.ndim == 2:
        x = x[None]
    if x.ndim != 3 or x.shape[1] != t.size or x.shape[2] < 3:
        raise ValueError(f"states_ecef must be (M, T={t.size}, 6), got {np.shape(states_ecef)}")
    lat_r, lon_r, _ = ecef_to_geodetic(x[..., :3])
    lat, lon = np.degrees(lat_r), np.degrees(lon_r)
    index = load_index()
    overflown: dict[str, float] = {}
    impacted: dict[str, float] = {}
    if t.size >= 2:
        dlat = np.diff(lat, axis=1)
        dlon = (np.diff(lon, axis=1) + 180.0) % 360.0 - 180.0
        step = 111.2 * np.hypot(dlat, dlon * np.cos(np.radians(np.nan_to_num(lat[:, :-1]))))
        worst = np.nanmax(step) if np.isfinite(step).any() else 0.0
        n = int(np.clip(np.ceil(worst / densify_km), 1, 256))
        f = np.arange(n) / n
        la = (lat[:, :-1, None] + dlat[..., None] * f).reshape(lat.shape[0], -1)
        lo = (lon[:, :-1, None] + dlon[..., None] * f).reshape(lat.shape[0], -1)
        tt = (t[:-1, None] + np.diff(t)[:, None] * f).ravel()
        la = np.concatenate([la, lat[:, -1:]], axis=1)
        lo = np.concatenate([lo, lon[:, -1:]], axis=1)
        tt = np.concatenate([tt, t[-1:]])
    else:
        la, lo, tt = lat, lon, t
    ok = np.isfinite(la) & np.isfinite(lo)
    idx = np.full(la.shape, -1, dtype=np.int16)
    idx[ok] = index.index_of(la[ok], lo[ok], countries)
    m_i, p_i = np.nonzero(idx >= 0)
    if m_i.size:
        a_i = idx[m_i, p_i]
        first = np.full(len(index.codes), np.inf)
        np.minimum.at(first, a_i, tt[p_i])
        overflown = {index.codes[a]: float(first[a]) for a in np.flatnonzero(np.isfinite(first))}
    # impacts: each missile's last finite point
    fin = np.isfinite(lat) & np.isfinite(lon)
    for m in np.flatnonzero(fin.any(axis=1)):
        j = np.flatnonzero(fin[m])[-1]
        a = int(index.index_of(lat[m, j], lon[m, j], countries))
        if a >= 0:
            code = index.codes[a]
            impacted[code] = min(impacted.get(code, np.inf), float(t[j]))
    return overflown, impacted


def score_warnings(events, truth, launch_time_s, *, countries=COUNTRIES) -> dict:
    """Score warning events against a Truth (see module docstring for the keys)."""
    if not hasattr(truth, "times_s") or not hasattr(truth, "states_ecef"):
        raise ValueError("truth must have times_s (T,) and states_ecef (M, T, 6)")
    launch = float(np.min(np.atleast_1d(np.asarray(launch_time_s, float))))
    if not np.isfinite(launch):
        raise ValueError("launch_time_s must be finite")
    overflown, impacted = truth_overflights(truth.times_s, truth.states_ecef, countries=countries)
    reached = dict(overflown)
    for code, tt in impacted.items():
        reached[code] = min(reached.get(code, np.inf), tt)
    warned: dict[str, float] = {}
    for e in events:
        if e.kind in ("issue", "update") and e.jalert in ("launched", "may_fall"):
            for code in e.areas:
                warned[code] = min(warned.get(code, np.inf), float(e.t_s))
    false_alarms = sorted(c for c in warned if c not in reached)
    misses = sorted(c for c, tt in reached.items() if warned.get(c, np.inf) > tt)
    lead = {c: reached[c] - warned[c] for c in sorted(warned) if c in reached}
    return {
        "warned": dict(sorted(warned.items())),
        "overflown": dict(sorted(overflown.items())),
        "impacted": dict(sorted(impacted.items())),
        "false_alarms": false_alarms,
        "misses": misses,
        "first_warning_s": (min(warned.values()) - launch) if warned else None,
        "lead_time_s": lead,
    }
