"""Score warnings against the truth: which areas the missiles really overflew or hit, and when.

Truth ground points come from :class:`launchwatch.sense.records.Truth` (ECEF states, NaN when not
flying) via :func:`launchwatch.earth.frames.ecef_to_geodetic`; each flight segment between grid
times is densified to ``densify_km`` so that a narrow crossing between two samples is not missed.
An area is *overflown* while a ground point (any altitude) lies on its land: its *window* runs
from the first to the last such time. An area is *impacted* when a missile's last point (its
impact, or where it broke up) is on its land. A missile whose truth ends in the air (it broke up
or vanished) has no impact.

:func:`score_warnings` gives (times in seconds after the scenario epoch unless ``_s`` says after
launch):

* ``warned``: area -> time of its first warning (a shelter message: issue/update/tracking_lost);
* ``overflight_windows``: area -> ``[t_enter_s, t_exit_s]`` (the JSON contract's truth);
* ``false_alarms``: warned areas never overflown nor impacted (list);
* ``misses``: overflown/impacted areas with no warning by the time the missile reached them;
* ``first_warning_s``: first warning time minus the first launch time (None if none);
* ``lead_time_s``: per reached and warned area, reach time minus first warning time (negative
  when warned late);
* ``passed_over_latency_s``: per overflown, warned area, the time from the truth leaving it to
  its first clearing message (passed_over / fell / all_clear / cancel); None if it never came;
* ``wrong_messages``: messages whose J-Alert text was not true when sent (:func:`wrong_messages`).
"""

from __future__ import annotations

import numpy as np

from ..earth import geodesy
from ..earth.frames import ecef_to_geodetic
from . import jalert
from .areas import COUNTRIES, area_country, load_index

__all__ = [
    "truth_windows",
    "truth_overflights",
    "score_warnings",
    "wrong_messages",
    "SHELTER_KINDS",
    "CLEAR_KINDS",
]

SHELTER_KINDS = ("issue", "update", "tracking_lost")
CLEAR_KINDS = ("passed_over", "fell", "all_clear", "cancel")


def _ground_points(times_s, states_ecef, densify_km):
    t = np.asarray(times_s, float)
    x = np.asarray(states_ecef, float)
    if x.ndim == 2:
        x = x[None]
    if x.ndim != 3 or x.shape[1] != t.size or x.shape[2] < 3:
        raise ValueError(f"states_ecef must be (M, T={t.size}, 6), got {np.shape(states_ecef)}")
    lat_r, lon_r, _ = ecef_to_geodetic(x[..., :3])
    lat, lon = np.degrees(lat_r), np.degrees(lon_r)
    if t.size >= 2:
        dlat = np.diff(lat, axis=1)
        dlon = (np.diff(lon, axis=1) + 180.0) % 360.0 - 180.0
        step_m = geodesy.segment_lengths_m(lat[:, :-1], lon[:, :-1], lat[:, 1:], lon[:, 1:])
        n = geodesy.densify_count(step_m, densify_km * 1e3, 256)
        f = np.arange(n) / n
        la = (lat[:, :-1, None] + dlat[..., None] * f).reshape(lat.shape[0], -1)
        lo = (lon[:, :-1, None] + dlon[..., None] * f).reshape(lat.shape[0], -1)
        tt = (t[:-1, None] + np.diff(t)[:, None] * f).ravel()
        la = np.concatenate([la, lat[:, -1:]], axis=1)
        lo = np.concatenate([lo, lon[:, -1:]], axis=1)
        tt = np.concatenate([tt, t[-1:]])
    else:
        la, lo, tt = lat, lon, t
    return t, lat, lon, la, lo, tt


def truth_windows(
    times_s, states_ecef, *, countries=COUNTRIES, densify_km: float = 1.0, ground_m=None
):
    """``(windows, impacted)``: area -> ``(t_enter, t_exit)`` over its land (s after epoch);
    area -> impact time. ``ground_m`` (M,) optional: a missile whose last point is higher than
    this above the ellipsoid ended in the air (broke up) and has no impact (default 5 km)."""
    t, lat, lon, la, lo, tt = _ground_points(times_s, states_ecef, densify_km)
    index = load_index()
    ok = np.isfinite(la) & np.isfinite(lo)
    idx = np.full(la.shape, -1, dtype=np.int16)
    idx[ok] = index.index_of(la[ok], lo[ok], countries)
    m_i, p_i = np.nonzero(idx >= 0)
    windows: dict[str, tuple[float, float]] = {}
    if m_i.size:
        a_i = idx[m_i, p_i]
        first = np.full(len(index.codes), np.inf)
        last = np.full(len(index.codes), -np.inf)
        np.minimum.at(first, a_i, tt[p_i])
        np.maximum.at(last, a_i, tt[p_i])
        windows = {
            index.codes[a]: (float(first[a]), float(last[a]))
            for a in np.flatnonzero(np.isfinite(first))
        }
    x = np.asarray(states_ecef, float)
    x = x[None] if x.ndim == 2 else x
    limit = 5e3 if ground_m is None else float(ground_m)
    impacted: dict[str, float] = {}
    fin = np.isfinite(lat) & np.isfinite(lon)
    for m in np.flatnonzero(fin.any(axis=1)):
        j = np.flatnonzero(fin[m])[-1]
        if ecef_to_geodetic(x[m, j, :3])[2] > limit:
            continue  # ended in the air: broke up or vanished
        a = int(index.index_of(lat[m, j], lon[m, j], countries))
        if a >= 0:
            code = index.codes[a]
            impacted[code] = min(impacted.get(code, np.inf), float(t[j]))
    return dict(sorted(windows.items())), impacted


def truth_overflights(times_s, states_ecef, *, countries=COUNTRIES, densify_km: float = 1.0):
    """``(overflown, impacted)``: area -> first time (s) over its land; area -> impact time."""
    windows, impacted = truth_windows(
        times_s, states_ecef, countries=countries, densify_km=densify_km
    )
    return {c: w[0] for c, w in windows.items()}, impacted


def _impact_points(truth):
    """Per missile: (lat, lon, t, on_land_of_country or "", ended_in_air)."""
    x = np.asarray(truth.states_ecef, float)
    out = []
    for m in range(x.shape[0]):
        ok = np.flatnonzero(np.isfinite(x[m, :, 0]))
        if not ok.size:
            continue
        j = ok[-1]
        lat, lon, h = ecef_to_geodetic(x[m, j, :3])
        out.append(
            (
                float(np.degrees(lat)),
                float(np.degrees(lon)),
                float(np.asarray(truth.times_s)[j]),
                bool(h > 5e3),
            )
        )
    return out


def wrong_messages(
    events, windows, impacted, *, fell_on_land: dict | None = None, ended_in_air: bool = False
) -> list[dict]:
    """Messages whose J-Alert text was not true when sent (truth only, after the run):

    * ``passed_over`` (129) for an area the missile never overflew, or before it had left it;
    * any clearing message (129/130/131/135) for an area before the missile left it (or, for an
      area it hit, before the impact);
    * 130 "fell into the sea" when it fell on that country's land, or it never fell (broke up in
      the air: the debris may be anywhere); 134 "fell around here" when it did not hit the area;
    * 131 "will not come to Japan" when it did reach the country's land; 135 "will not fall in
      Japan" when it fell there;
    * a shelter message whose code does not belong to its kind (:data:`jalert.KINDS`).
    """
    fell_on_land = fell_on_land or {}
    reached_country = {area_country(c) for c in list(windows) + list(impacted)}
    wrong = []
    for e in events:
        why = None
        code = int(e.code)
        if code not in jalert.KINDS.get(e.kind, ()):
            why = f"code {code} does not belong to a {e.kind} message"
        for c in e.areas:
            if why:
                break
            w = windows.get(c)
            country = area_country(c)
            if code == jalert.PASSED_OVER and w is None:
                why = f"{c} was never overflown"
            elif code in jalert.CLEARING and w is not None and e.t_s < w[1]:
                why = f"{c} cleared at {e.t_s:.0f} s, before the missile left it ({w[1]:.0f} s)"
            elif code in jalert.CLEARING and c in impacted and e.t_s < impacted[c]:
                why = f"{c} cleared before the impact on it"
            elif code == jalert.FELL_SEA and (fell_on_land.get(country) or ended_in_air):
                why = "'fell into the sea' but it " + (
                    "broke up in the air" if ended_in_air else "fell on land"
                )
            elif code == jalert.FELL_HERE and c not in impacted:
                why = f"'fell around this area' but it did not fall on {c}"
            elif code == jalert.NOT_COMING and country in reached_country:
                why = f"'will not come' but it reached {country}"
            elif code == jalert.NOT_FALLING and fell_on_land.get(country):
                why = f"'will not fall' but it fell on {country}"
        if why:
            wrong.append(
                {
                    "t_s": round(float(e.t_s), 2),
                    "kind": e.kind,
                    "code": code,
                    "areas": list(e.areas),
                    "why": why,
                }
            )
    return wrong


def score_warnings(events, truth, launch_time_s, *, countries=COUNTRIES) -> dict:
    """Score warning events against a Truth (see module docstring for the keys)."""
    if not hasattr(truth, "times_s") or not hasattr(truth, "states_ecef"):
        raise ValueError("truth must have times_s (T,) and states_ecef (M, T, 6)")
    launch = float(np.min(np.atleast_1d(np.asarray(launch_time_s, float))))
    if not np.isfinite(launch):
        raise ValueError("launch_time_s must be finite")
    windows, impacted = truth_windows(truth.times_s, truth.states_ecef, countries=countries)
    reached = {c: w[0] for c, w in windows.items()}
    for code, tt in impacted.items():
        reached[code] = min(reached.get(code, np.inf), tt)
    warned: dict[str, float] = {}
    cleared: dict[str, float] = {}
    for e in events:
        for code in e.areas:
            if e.kind in SHELTER_KINDS:
                warned[code] = min(warned.get(code, np.inf), float(e.t_s))
            elif e.kind in CLEAR_KINDS and code not in cleared:
                cleared[code] = float(e.t_s)
    false_alarms = sorted(c for c in warned if c not in reached)
    misses = sorted(c for c, tt in reached.items() if warned.get(c, np.inf) > tt)
    lead = {c: round(reached[c] - warned[c], 2) for c in sorted(warned) if c in reached}
    latency = {
        c: (round(cleared[c] - windows[c][1], 2) if c in cleared else None)
        for c in sorted(warned)
        if c in windows and c not in impacted
    }
    pts = _impact_points(truth)
    in_air = bool(pts) and all(p[3] for p in pts)
    fell_on_land = {area_country(c): True for c in impacted}
    return {
        "warned": dict(sorted(warned.items())),
        "overflown": {c: w[0] for c, w in windows.items()},
        "overflight_windows": {c: [round(w[0], 2), round(w[1], 2)] for c, w in windows.items()},
        "impacted": dict(sorted(impacted.items())),
        "false_alarms": false_alarms,
        "misses": misses,
        "first_warning_s": (round(min(warned.values()) - launch, 2)) if warned else None,
        "lead_time_s": lead,
        "passed_over_latency_s": latency,
        "wrong_messages": wrong_messages(
            events, windows, impacted, fell_on_land=fell_on_land, ended_in_air=in_air
        ),
    }
