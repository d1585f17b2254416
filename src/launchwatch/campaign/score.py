"""Scores of one engagement from the chain's outputs (assessment history, tracks, warnings) and
its truth: one row per engagement, one per missile, and one per (assessment, track) pair.

Definitions (times s; "since first track" counts from the missile's first confirmed track):

* **Track to missile**: each track belongs to the missile nearest most of its confirmed
  estimates (:func:`launchwatch.pipeline.chain.track_truth`, scoring only).
* **Flight regime** of an assessment, from the truth of its missile at the assessment time:
  ``boost`` while a motor burns; ``glide`` after burnout for a missile that never climbs above
  ``EXO_ALT_M`` (100 km: quasi-ballistic glides and depressed SRBM arcs); otherwise ``exo``
  (above 100 km, or climbing after burnout) and ``reentry`` (descending below 100 km).
* **Containment**: the truth impact point is inside the reported 50 % / 95 % ellipse (centre,
  semi-axes, orientation as published: ``r2_50`` / ``r2_95``, the squared normalized radius,
  <= 1 inside).  ``d2`` (squared Mahalanobis distance under the reported covariance) and
  ``rank`` (the share of the assessment's own impact samples nearer the centre than the truth
  in that metric: uniform on [0, 1] when the predicted cloud is honest, whatever its shape) are
  kept per assessment so any level can be checked (calibration).
* **First prediction** of a missile: the first assessment of any of its tracks; its error,
  95 % semi-major axis, regime and whether its 95 % ellipse holds the truth.
* **Impact error at first track + 30/60/120 s**: the latest assessment of the missile's tracks
  made by then (NaN if none, or if the missile has landed by then).
* **Time to good**: first assessment within ``GOOD_KM`` of the truth impact with the truth inside
  its 95 % ellipse.
* **Verdict right**: the final verdict names the truth impact zone (kind, and country unless high
  seas); **class right**: the final range class equals the truth's, the class of the minimum-
  energy range of the truth's inertial speed at burnout (the assessor's own definition).
* **Warnings** come from the chain's warning score and summary, read defensively (lists of area
  codes or of records; lead and passed-over times as mappings or lists).
"""

from __future__ import annotations

import time

import numpy as np

from ..assess.assessment import ELLIPSE_LEVELS
from ..assess.impact import capability_class, east_north_m, ellipse_r2
from ..earth import frames, geodesy
from ..earth.constants import OMEGA_RAD_S
from ..flight.classes import RANGE_CLASS_NAMES
from ..pipeline.chain import track_truth

EXO_ALT_M = 100e3
GOOD_KM = 10.0
CHI2_50, CHI2_95 = 1.3862944, 5.9914645
I50, I95 = ELLIPSE_LEVELS.index(0.5), ELLIPSE_LEVELS.index(0.95)
REGIMES = ("boost", "glide", "exo", "reentry")
AFTER_FIRST_TRACK_S = (30, 60, 120)


def _regimes(truth) -> tuple[np.ndarray, np.ndarray]:
    """(M, T) regime codes on the truth grid (index into REGIMES) and (M,) apogee (m)."""
    st = truth.states_ecef
    m, n = st.shape[:2]
    flying = ~np.isnan(st[..., 0])
    h = np.full((m, n), np.nan)
    if flying.any():
        _, _, hh = frames.ecef_to_geodetic(st[flying][:, :3])
        h[flying] = hh
    apogee = np.nanmax(np.where(flying, h, -np.inf), axis=1)
    i_top = np.argmax(np.where(flying, h, -np.inf), axis=1)
    after_top = np.arange(n)[None, :] > i_top[:, None]
    code = np.where(h >= EXO_ALT_M, 2, np.where(after_top, 3, 2))
    code = np.where((apogee < EXO_ALT_M)[:, None], 1, code)
    code = np.where(truth.burning, 0, code)
    # outside the flight: before launch counts as boost, after impact as the last regime
    last = np.array(
        [code[i, np.flatnonzero(flying[i])[-1]] if flying[i].any() else 0 for i in range(m)]
    )
    before = np.cumsum(flying, axis=1) == 0
    code = np.where(flying, code, np.where(before, 0, last[:, None]))
    return code.astype(np.int8), apogee


def _truth_class(truth) -> list[str]:
    """Range class of each missile's minimum-energy range at burnout (inertial speed)."""
    out = []
    for i in range(truth.n_missiles):
        st, burn = truth.states_ecef[i], truth.burning[i]
        ok = ~np.isnan(st[:, 0])
        after = np.flatnonzero(ok & ~burn & (np.cumsum(burn) > 0))
        j = after[0] if after.size else np.flatnonzero(ok)[0]
        r, v = st[j, :3], st[j, 3:]
        v_i = v + np.cross([0.0, 0.0, OMEGA_RAD_S], r)
        _, cls = capability_class(r[None], v_i[None])
        out.append(RANGE_CLASS_NAMES[int(cls[0])])
    return out


def _numbers(x, keys=("lead_time_s", "latency_s", "passed_over_latency_s", "value", "s")):
    """Floats from a number, a mapping (its values), or a list of numbers or records."""
    if x is None:
        return []
    if isinstance(x, int | float):
        return [float(x)] if np.isfinite(x) else []
    if isinstance(x, dict):
        x = list(x.values())
    out = []
    for v in x:
        if isinstance(v, dict):
            v = next((v[k] for k in keys if isinstance(v.get(k), int | float)), None)
        if isinstance(v, int | float) and np.isfinite(v):
            out.append(float(v))
    return out


def _names(x) -> list[str]:
    """Area codes from a list of codes or of records (``area``/``code``)."""
    out: list[str] = []
    for v in x or []:
        if isinstance(v, dict):
            v = v.get("area") or v.get("code") or v.get("areas") or str(v)
        out.extend(v if isinstance(v, list | tuple) else [str(v)])
    return out


def _stat(values, q):
    v = np.asarray([x for x in values if x is not None and np.isfinite(x)], float)
    return float(np.quantile(v, q)) if v.size else float("nan")


def _sample_rank(a, ks: np.ndarray, cov: np.ndarray, d2: np.ndarray) -> np.ndarray:
    """(n,) share of track rows ``ks``'s impacted samples whose squared Mahalanobis distance
    (under ``cov`` (n, 2, 2), from the reported centre) is below the truth's ``d2`` (n,);
    NaN without samples."""
    lat, lon = a.sample_impact_lat_deg[ks], a.sample_impact_lon_deg[ks]
    ok = np.isfinite(lat) & np.isfinite(lon)
    if lat.ndim != 2 or not ok.any():
        return np.full(ks.size, np.nan)
    d = east_north_m(
        a.impact_lat_deg[ks][:, None],
        a.impact_lon_deg[ks][:, None],
        np.where(ok, lat, 0.0),
        np.where(ok, lon, 0.0),
    )
    with np.errstate(all="ignore"):
        inv = np.linalg.pinv(cov)
        sd2 = np.einsum("ksi,kij,ksj->ks", d, inv, d)
        n_ok = ok.sum(axis=1)
        below = ((sd2 < np.nan_to_num(d2, nan=np.inf)[:, None]) & ok).sum(axis=1)
        return np.where(n_ok > 0, below / np.maximum(n_ok, 1), np.nan)


def assessment_rows(chain, truth_of_track: dict[int, int]) -> dict[str, np.ndarray]:
    """Columns over (assessment, track) pairs whose track belongs to a missile: missile index,
    assessment time (s after epoch), error (km), d2, 95 % semi-major (km), regime code,
    verdict kind/country, range class."""
    truth = chain.sim.truth
    impacts = chain.truth_impacts
    codes, _ = _regimes(truth)
    cols: dict[str, list[np.ndarray]] = {
        k: []
        for k in (
            "missile",
            "t_s",
            "error_km",
            "d2",
            "r2_50",
            "r2_95",
            "rank",
            "semi_major_95_km",
            "regime",
            "verdict_kind",
            "verdict_country",
            "range_class",
        )
    }
    for a in chain.run.assessments:
        rows = [k for k, tid in enumerate(a.track_id) if int(tid) in truth_of_track]
        if not rows:
            continue
        ks = np.array(rows)
        ms = np.array([truth_of_track[int(a.track_id[k])] for k in ks])
        tlat = np.array([impacts[m]["lat"] for m in ms])
        tlon = np.array([impacts[m]["lon"] for m in ms])
        _, _, dist = geodesy.inverse(a.impact_lat_deg[ks], a.impact_lon_deg[ks], tlat, tlon)
        d = east_north_m(a.impact_lat_deg[ks], a.impact_lon_deg[ks], tlat, tlon)
        cov = a.impact_cov_en_m2[ks]
        with np.errstate(all="ignore"):
            try:
                sol = np.linalg.solve(cov, d[..., None])[..., 0]
                d2 = np.einsum("ki,ki->k", d, sol)
            except np.linalg.LinAlgError:
                d2 = np.full(ks.size, np.inf)
        r2 = ellipse_r2(
            a.impact_lat_deg[ks],
            a.impact_lon_deg[ks],
            a.ellipse_semi_major_m[ks],
            a.ellipse_semi_minor_m[ks],
            a.ellipse_orientation_deg[ks],
            tlat,
            tlon,
        )
        i = np.clip(np.searchsorted(truth.times_s, a.t_s), 0, truth.times_s.size - 1)
        cols["r2_50"].append(np.nan_to_num(r2[:, I50], nan=np.inf))
        cols["r2_95"].append(np.nan_to_num(r2[:, I95], nan=np.inf))
        cols["rank"].append(_sample_rank(a, ks, cov, d2))
        cols["missile"].append(ms)
        cols["t_s"].append(np.full(ks.size, a.t_s))
        cols["error_km"].append(np.atleast_1d(dist) / 1e3)
        cols["d2"].append(np.nan_to_num(d2, nan=np.inf))
        cols["semi_major_95_km"].append(a.ellipse_semi_major_m[ks, 1] / 1e3)
        cols["regime"].append(codes[ms, i])
        cols["verdict_kind"].append(np.asarray(a.verdict_kind)[ks].astype(str))
        cols["verdict_country"].append(np.asarray(a.verdict_country)[ks].astype(str))
        cols["range_class"].append(np.array([a.range_class[k] for k in ks], dtype=str))
    empty = {
        "missile": int,
        "regime": np.int8,
        "verdict_kind": str,
        "verdict_country": str,
        "range_class": str,
    }
    return {
        k: (np.concatenate(v) if v else np.zeros(0, empty.get(k, float))) for k, v in cols.items()
    }


def score_engagement(chain, eng) -> tuple[dict, list[dict], dict]:
    """(engagement row, missile rows, assessment columns) of one chain run of ``eng``."""
    t0 = time.perf_counter()
    sim, truth = chain.sim, chain.sim.truth
    sc = sim.score
    summary = chain.summary()
    ws = chain.warn_score
    tt = track_truth(sim)
    rows = assessment_rows(chain, tt)
    tclass = _truth_class(truth)
    _, apogee = _regimes(truth)
    launch_t = truth.launch_time_s
    per_chain = chain.per_missile
    swaps_by_missile = np.zeros(truth.n_missiles, int)
    for tid, n_sw in zip(sc.track_ids, sc.swaps_per_track, strict=True):
        if int(tid) in tt:
            swaps_by_missile[tt[int(tid)]] += int(n_sw)
    missiles = []
    for m in range(truth.n_missiles):
        sel = rows["missile"] == m
        t = rows["t_s"][sel]
        err, reg = rows["error_km"][sel], rows["regime"][sel]
        in50, in95 = rows["r2_50"][sel] <= 1.0, rows["r2_95"][sel] <= 1.0
        ft = float(sc.time_to_track_s[m])
        ft_abs = launch_t[m] + ft
        imp = chain.truth_impacts[m]
        rec = {
            **eng.missiles[m],
            "engagement": eng.index,
            "missile_index": m,
            "flight_time_s": imp["t_s"] - imp["launch_t_s"],
            "apogee_km": apogee[m] / 1e3,
            "truth_class": tclass[m],
            "range_km": float(
                geodesy.inverse(imp["launch_lat"], imp["launch_lon"], imp["lat"], imp["lon"])[2]
            )
            / 1e3,
            "launch_time_s": float(launch_t[m]),
            "first_track_s": ft,
            "breaks": int(sc.breaks_per_missile[m]),
            "swaps": int(swaps_by_missile[m]),
            "coverage": float(sc.coverage[m]),
            "position_rmse_m": float(sc.pos_rmse_per_missile_m[m]),
            "assessments": int(sel.sum()),
        }
        for dt_s in AFTER_FIRST_TRACK_S:
            at = ft_abs + dt_s
            ok = t <= at
            rec[f"error_ft{dt_s}_km"] = (
                float(err[ok][-1])
                if np.isfinite(ft) and ok.any() and at < truth.impact_time_s[m]
                else float("nan")
            )
        good = np.flatnonzero((err <= GOOD_KM) & in95)
        rec["good_s"] = float(t[good[0]] - launch_t[m]) if good.size else float("nan")
        rec["good_after_track_s"] = (
            float(t[good[0]] - ft_abs) if good.size and np.isfinite(ft) else float("nan")
        )
        for j, name in enumerate(REGIMES):
            r = reg == j
            rec[f"n_{name}"] = int(r.sum())
            rec[f"in50_{name}"] = int(in50[r].sum())
            rec[f"in95_{name}"] = int(in95[r].sum())
        rec["in50_fraction"] = float(np.mean(in50)) if t.size else float("nan")
        rec["in95_fraction"] = float(np.mean(in95)) if t.size else float("nan")
        rec["first_error_km"] = float(err[0]) if t.size else float("nan")
        rec["first_in95"] = bool(in95[0]) if t.size else False
        rec["first_semi_major_95_km"] = (
            float(rows["semi_major_95_km"][sel][0]) if t.size else float("nan")
        )
        rec["first_r2_95"] = float(rows["r2_95"][sel][0]) if t.size else float("nan")
        rec["first_regime"] = REGIMES[int(reg[0])] if t.size else ""
        rec["final_error_km"] = float(err[-1]) if t.size else float("nan")
        zone = (per_chain[m].get("truth") or {}).get("zone") or {}
        rec["truth_zone"] = f"{zone.get('kind', '')}:{zone.get('country') or ''}"
        if t.size:
            vk = rows["verdict_kind"][sel][-1]
            vc = rows["verdict_country"][sel][-1]
            rec["verdict"] = f"{vk}:{vc}"
            rec["verdict_right"] = bool(
                vk == zone.get("kind") and (vk == "high_seas" or vc == (zone.get("country") or ""))
            )
            rec["range_class"] = str(rows["range_class"][sel][-1])
            rec["class_right"] = rec["range_class"] == tclass[m]
        else:
            rec.update(verdict="", verdict_right=None, range_class="", class_right=None)
        le = per_chain[m].get("launch_estimate") or {}
        rec["launch_error_km"] = float(le.get("error_km", float("nan")))
        missiles.append(rec)

    fa = _names(summary.get("false_alarms", ws.get("false_alarms")))
    misses = _names(summary.get("misses", ws.get("misses")))
    lead = _numbers(summary.get("lead_time_s", ws.get("lead_time_s")))
    passed = _numbers(summary.get("passed_over_latency_s", ws.get("passed_over_latency_s")))
    fw = summary.get("first_warning_s", ws.get("first_warning_s"))
    overflown = summary.get("overflown_areas", list(ws.get("overflown", {})))
    seconds = {**sim.seconds, **chain.seconds}

    def frac(key):
        v = [r[key] for r in missiles if r[key] is not None]
        return float(np.mean(v)) if v else float("nan")

    n_rows = rows["r2_95"].size
    row = {
        "index": eng.index,
        "status": "ok",
        "error": "",
        "scenario_seed": eng.scenario.seed,
        **eng.meta,
        "missiles": truth.n_missiles,
        "tracks": int(summary.get("tracks", 0)),
        "swaps": int(sc.n_swaps),
        "breaks": int(sc.n_breaks),
        "false_tracks": int(sc.n_false_tracks),
        "detections": int(sim.detections.size),
        "first_track_s_median": _stat([r["first_track_s"] for r in missiles], 0.5),
        "first_track_s_max": _stat([r["first_track_s"] for r in missiles], 1.0),
        **{
            f"error_ft{d}_km_median": _stat([r[f"error_ft{d}_km"] for r in missiles], 0.5)
            for d in AFTER_FIRST_TRACK_S
        },
        "good_after_track_s_max": (
            float("nan")
            if any(not np.isfinite(r["good_after_track_s"]) for r in missiles)
            else _stat([r["good_after_track_s"] for r in missiles], 1.0)
        ),
        "in50_fraction": float(np.mean(rows["r2_50"] <= 1.0)) if n_rows else float("nan"),
        "in95_fraction": float(np.mean(rows["r2_95"] <= 1.0)) if n_rows else float("nan"),
        "verdict_right_fraction": frac("verdict_right"),
        "class_right_fraction": frac("class_right"),
        "launch_error_km_median": _stat([r["launch_error_km"] for r in missiles], 0.5),
        "final_error_km_max": _stat([r["final_error_km"] for r in missiles], 1.0),
        "warned_areas": len(summary.get("warnings", ws.get("warned", {})) or []),
        "overflown_areas": len(overflown or []),
        "false_alarm_areas": len(fa),
        "false_alarm_names": ",".join(fa),
        "misses": len(misses),
        "miss_names": ",".join(misses),
        "first_warning_s": float(fw) if isinstance(fw, int | float) else float("nan"),
        "lead_time_min_s": min(lead) if lead else float("nan"),
        "lead_time_median_s": float(np.median(lead)) if lead else float("nan"),
        "lead_times_s": lead,
        "passed_over_latency_s": passed,
        **{f"seconds_{k}": float(v) for k, v in seconds.items()},
    }
    row["seconds_campaign_score"] = time.perf_counter() - t0
    return row, missiles, rows
