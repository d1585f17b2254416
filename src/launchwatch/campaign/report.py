"""The campaign report: summary figures, Parquet tables and an offline HTML page.

Files in the campaign's folder: ``summary.json`` (:func:`summarize`), ``engagements.parquet``
(one row per engagement, failed ones with their error and seeds), ``missiles.parquet`` (one row
per missile), ``assessments.parquet`` (one row per assessment of a missile's track: error, d2,
regime) and ``report.html``: plots as inline PNG (matplotlib, Agg; nothing loaded from the
network) and the worst engagements with the command that replays each.  Every value shown in the
page is escaped text.
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
from pathlib import Path

import numpy as np

from .generate import replay_command
from .score import AFTER_FIRST_TRACK_S, CHI2_50, CHI2_95, REGIMES

GOOD_WITHIN_S = 60.0


def _columns(rows: list[dict]) -> dict[str, list]:
    keys: dict[str, None] = {}
    for r in rows:
        keys.update(dict.fromkeys(r))
    return {k: [r.get(k) for r in rows] for k in keys}


def tables(records: dict[int, dict]) -> tuple[dict, dict, dict]:
    """Columns of the engagements, missiles and assessments tables (sorted by index)."""
    recs = [records[i] for i in sorted(records)]
    eng = _columns([r["engagement"] for r in recs])
    mis = _columns([m for r in recs for m in r["missiles"]])
    parts = [r for r in recs if r["assessments"] and r["assessments"].get("t_s")]
    ass: dict[str, list] = {"engagement": []}
    for r in parts:
        a = r["assessments"]
        ass["engagement"].extend([r["index"]] * len(a["t_s"]))
        for k, v in a.items():
            ass.setdefault(k, []).extend(v)
    # time since the missile's first track, for the error-vs-time plot
    first = {
        (e, i): lt + ft
        for e, i, lt, ft in zip(
            mis.get("engagement", []),
            mis.get("missile_index", []),
            mis.get("launch_time_s", []),
            mis.get("first_track_s", []),
            strict=True,
        )
    }
    ass["t_since_first_track_s"] = [
        round(t - first.get((e, m), math.nan), 3)
        for e, m, t in zip(
            ass["engagement"], ass.get("missile", []), ass.get("t_s", []), strict=True
        )
    ]
    return eng, mis, ass


def _arr(col, dtype=float) -> np.ndarray:
    return np.array([math.nan if v is None else v for v in col], dtype=dtype)


def _flat(col: list, mask) -> list[float]:
    """The numbers of a column of lists, over the rows where ``mask``."""
    return [float(x) for v, k in zip(col, mask, strict=True) if k for x in (v or [])]


def _q(v, q) -> float | None:
    v = np.asarray(v, float)
    v = v[np.isfinite(v)]
    return round(float(np.quantile(v, q)), 3) if v.size else None


def _frac(mask) -> float | None:
    mask = np.asarray(mask)
    return round(float(mask.mean()), 4) if mask.size else None


def inside(ass: dict, level: float) -> np.ndarray:
    """Whether each assessment's ``level`` (0.5 or 0.95) ellipse holds the truth: the reported
    ellipse (``r2_50`` / ``r2_95`` <= 1); records written before those columns: ``d2`` against
    the chi-square radius."""
    key = {0.5: "r2_50", 0.95: "r2_95"}[level]
    if ass.get(key):
        return _arr(ass[key]) <= 1.0
    return _arr(ass.get("d2", [])) <= {0.5: CHI2_50, 0.95: CHI2_95}[level]


def first_predictions(mis: dict) -> dict:
    """Figures of the missiles' first predictions: how many, the share whose 95 % ellipse holds
    the truth, and those that exclude it (count; their largest error and smallest 95 %
    semi-major axis, km; per regime of the first assessment)."""
    fin = np.array([bool(v) for v in mis.get("first_in95", [])], bool)
    err = _arr(mis.get("first_error_km", []))
    semi = _arr(mis.get("first_semi_major_95_km", []))
    has = np.isfinite(err)
    out = ~fin & has
    reg = np.array([v or "" for v in mis.get("first_regime", [""] * fin.size)], dtype=object)
    return {
        "n": int(has.sum()),
        "truth_in_95": _frac(fin[has]),
        "excluding_truth": int(out.sum()),
        "excluding_error_km_max": _q(err[out], 1.0),
        "excluding_semi_major_95_km_min": _q(semi[out], 0.0),
        "excluding_by_regime": {
            name: int((out & (reg == name)).sum())
            for name in REGIMES
            if (out & (reg == name)).any()
        },
    }


def summarize(run, eng: dict, mis: dict, ass: dict) -> dict:
    """Campaign figures (see the README's campaign section for the keys)."""
    status = eng.get("status", [])
    ok = np.array([s == "ok" for s in status], bool)
    failed = [
        {"index": i, "campaign_seed": run.seed, "scenario_seed": s, "error": e}
        for i, st, s, e in zip(
            eng.get("index", []),
            status,
            eng.get("scenario_seed", []),
            eng.get("error", []),
            strict=True,
        )
        if st != "ok"
    ]
    swaps, breaks = _arr(eng.get("swaps", []))[ok], _arr(eng.get("breaks", []))[ok]
    in50, in95 = inside(ass, 0.5), inside(ass, 0.95)
    reg = np.array(ass.get("regime", []), int)
    contain = {"all": {"n": int(in95.size), "in50": _frac(in50), "in95": _frac(in95)}}
    for j, name in enumerate(REGIMES):
        r = reg == j
        contain[name] = {"n": int(r.sum()), "in50": _frac(in50[r]), "in95": _frac(in95[r])}
    good = _arr(mis.get("good_after_track_s", []))
    qb = np.array(mis.get("quasi_ballistic", []), bool)
    good_ok = np.nan_to_num(good, nan=np.inf) <= GOOD_WITHIN_S
    impact_err = {
        f"first_track_plus_{d}s": {
            "median": _q(_arr(mis.get(f"error_ft{d}_km", [])), 0.5),
            "p90": _q(_arr(mis.get(f"error_ft{d}_km", [])), 0.9),
        }
        for d in AFTER_FIRST_TRACK_S
    }
    vr = [v for v in mis.get("verdict_right", []) if v is not None]
    cr = [v for v in mis.get("class_right", []) if v is not None]
    fw = _arr(eng.get("first_warning_s", []))[ok]
    lead = _flat(eng.get("lead_times_s", []), ok)
    passed = _flat(eng.get("passed_over_latency_s", []), ok)
    fa = _arr(eng.get("false_alarm_areas", []))[ok]
    ms = _arr(eng.get("misses", []))[ok]
    stages = sorted(k for k in eng if k.startswith("seconds_"))
    by_class = {}
    cls_e = np.array(eng.get("threat_class", [None] * len(status)), dtype=object)
    cls_m = np.array(mis.get("threat_class", []), dtype=object)
    for c in sorted({c for c in cls_e[ok] if c}):
        e = ok & (cls_e == c)
        m = cls_m == c
        by_class[c] = {
            "engagements": int(e.sum()),
            "missiles": int(m.sum()),
            "swaps": int(np.nansum(_arr(eng["swaps"])[e])),
            "breaks": int(np.nansum(_arr(eng["breaks"])[e])),
            "in95": _frac(in95[np.isin(_engagement_missile(ass), _keys(mis, m))]),
            "good_within_60s_after_track": _frac(good_ok[m]),
            "final_error_km_median": _q(_arr(mis["final_error_km"])[m], 0.5),
        }
    n_ok = int(ok.sum())
    return {
        "spec": run.spec.name,
        "spec_ref": run.spec_ref,
        "seed": run.seed,
        "n": run.n,
        "finished": len(status),
        "ok": n_ok,
        "failed": failed,
        "interrupted": run.interrupted,
        "where": run.where,
        "wall_s": round(run.wall_s, 2),
        "ran": run.ran,  # engagements run by this invocation (a --resume runs only the rest)
        "engagements_per_min": (
            round(60.0 * run.ran / run.wall_s, 2) if run.wall_s > 0 and run.ran else None
        ),
        "missiles": int(np.nansum(_arr(eng.get("missiles", []))[ok])),
        "tracks": int(np.nansum(_arr(eng.get("tracks", []))[ok])),
        "swaps": int(np.nansum(swaps)),
        "breaks": int(np.nansum(breaks)),
        "false_tracks": int(np.nansum(_arr(eng.get("false_tracks", []))[ok])),
        "engagements_without_swaps_or_breaks": _frac((swaps == 0) & (breaks == 0)),
        "first_track_s": {
            "median": _q(_arr(mis.get("first_track_s", [])), 0.5),
            "p90": _q(_arr(mis.get("first_track_s", [])), 0.9),
        },
        "impact_error_km": impact_err,
        "good_after_track_s": {"median": _q(good, 0.5), "p90": _q(good, 0.9)},
        "good_within_60s_after_track": {
            "all": _frac(good_ok),
            "ballistic": _frac(good_ok[~qb]),
            "quasi_ballistic": _frac(good_ok[qb]),
        },
        "containment": contain,
        "first_prediction_truth_in_95": _frac(np.array(mis.get("first_in95", []), bool)),
        "first_predictions": first_predictions(mis),
        "verdict_right": _frac(np.array(vr, bool)),
        "class_right": _frac(np.array(cr, bool)),
        "launch_error_km": {
            "median": _q(_arr(mis.get("launch_error_km", [])), 0.5),
            "p90": _q(_arr(mis.get("launch_error_km", [])), 0.9),
        },
        "warnings": {
            "engagements_warned": int(np.isfinite(fw).sum()),
            "false_alarm_areas": int(np.nansum(fa)),
            "engagements_with_false_alarms": int((fa > 0).sum()),
            "misses": int(np.nansum(ms)),
            "engagements_with_misses": int((ms > 0).sum()),
            "first_warning_s": {"median": _q(fw, 0.5), "p90": _q(fw, 0.9)},
            "lead_time_s": {"median": _q(lead, 0.5), "min": _q(lead, 0.0), "n": len(lead)},
            "passed_over_latency_s": {"median": _q(passed, 0.5), "n": len(passed)},
        },
        "seconds_per_stage_median": {
            k.removeprefix("seconds_"): _q(_arr(eng[k])[ok], 0.5) for k in stages
        },
        "by_class": by_class,
    }


def _engagement_missile(ass) -> np.ndarray:
    return np.array(
        [f"{e}:{m}" for e, m in zip(ass.get("engagement", []), ass.get("missile", []), strict=True)]
    )


def _keys(mis, mask) -> np.ndarray:
    return np.array(
        [
            f"{e}:{m}"
            for e, m, k in zip(mis["engagement"], mis["missile_index"], mask, strict=True)
            if k
        ]
    )


# --- files ---------------------------------------------------------------------------------------
def _write_parquet(path: Path, cols: dict[str, list]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrays = {}
    for k, v in cols.items():
        try:
            arrays[k] = pa.array(v)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            arrays[k] = pa.array([None if x is None else str(x) for x in v])
    pq.write_table(
        pa.table(arrays) if arrays else pa.table({"index": pa.array([], pa.int64())}), path
    )


def write_report(run) -> tuple[dict, list[Path]]:
    """Write the report files into ``run.out``; returns (summary, paths)."""
    out = Path(run.out)
    eng, mis, ass = tables(run.records)
    summary = summarize(run, eng, mis, ass)
    paths = []
    for name, cols in (("engagements", eng), ("missiles", mis), ("assessments", ass)):
        p = out / f"{name}.parquet"
        _write_parquet(p, cols)
        paths.append(p)
    p = out / "summary.json"
    p.write_text(json.dumps(summary, indent=1, default=str) + "\n", encoding="utf-8")
    paths.append(p)
    p = out / "report.html"
    p.write_text(render_html(run, summary, eng, mis, ass), encoding="utf-8")
    paths.append(p)
    return summary, paths


# --- the page ------------------------------------------------------------------------------------
def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=96, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _empty(ax, text: str, *, shared_y: bool = False) -> None:
    """A panel with nothing to plot says so; a panel that shares its y axis keeps the ticks (its
    neighbours' scale would vanish with them)."""
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="0.4")
    ax.set_xticks([])
    if not shared_y:
        ax.set_yticks([])


def plot_calibration(ass) -> str:
    import matplotlib.pyplot as plt

    # the truth's rank among the samples (an ellipse holding a share p of the samples holds the
    # truth when rank <= p); older records: d2 against the chi-square radii
    if ass.get("rank"):
        d2 = _arr(ass["rank"])
        thr = p = np.linspace(0.02, 0.99, 50)
    else:
        d2 = _arr(ass.get("d2", []))
        p = np.linspace(0.02, 0.99, 50)
        thr = -2.0 * np.log1p(-p)  # chi-square, 2 dof
    reg = np.array(ass.get("regime", []), int)
    fig, ax = plt.subplots(figsize=(5.6, 4.6))
    ax.plot([0, 1], [0, 1], color="0.6", ls="--", lw=1, label="ideal")
    if d2.size == 0:
        _empty(ax, "no assessments")
    else:
        ax.plot(p, (d2[:, None] <= thr).mean(axis=0), color="k", lw=2, label=f"all ({d2.size})")
        for j, name in enumerate(REGIMES):
            r = reg == j
            if r.sum() >= 5:
                ax.plot(
                    p, (d2[r, None] <= thr).mean(axis=0), lw=1.4, label=f"{name} ({int(r.sum())})"
                )
        for lv in (0.5, 0.95):
            ax.axvline(lv, color="0.85", lw=0.8, zorder=0)
        ax.set_xlim(0, 1)
        ax.set_ylim(-0.02, 1.02)  # a regime at 0 or 1 stays visible off the frame
        ax.legend(loc="upper left", fontsize=8)
    ax.set_xlabel("nominal probability of the impact ellipse")
    ax.set_ylabel("fraction of assessments with the truth inside")
    ax.set_title("Calibration of the impact ellipses")
    return _png(fig)


#: Tick marks of the time-since-first-track axis (s): plain numbers, not 2x10^1.
TIME_TICKS_S = (1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200)


def plot_error_vs_time(ass) -> str:
    return _png(error_vs_time_figure(ass))


def error_vs_time_figure(ass):
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FixedLocator, NullFormatter, NullLocator

    t = _arr(ass.get("t_since_first_track_s", []))
    e = _arr(ass.get("error_km", []))
    ok = np.isfinite(t) & np.isfinite(e) & (t >= 0)
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    if ok.sum() < 2:
        _empty(ax, "no assessments after a first track")
    else:
        t, e = t[ok], e[ok]
        # log-spaced bins: the first minutes matter most, and lofted ICBMs fly for an hour
        hi = max(float(t.max()), 20.0)
        edges = np.r_[0.0, np.geomspace(5.0, hi * 1.001, 28)]
        idx = np.digitize(t, edges) - 1
        mid, med, p90 = [], [], []
        for b in range(edges.size - 1):
            v = e[idx == b]
            mid.append(max(np.sqrt(edges[b] * edges[b + 1]), 2.5))
            enough = v.size >= 3
            med.append(np.median(v) if enough else np.nan)  # NaN: a gap, not a joined line
            p90.append(np.quantile(v, 0.9) if enough else np.nan)
        ax.plot(mid, med, "o-", ms=3, lw=1.6, label="median")
        ax.plot(mid, p90, "s--", ms=3, lw=1.2, label="90th percentile")
        ax.axhline(10.0, color="0.7", lw=0.8, ls=":", label="10 km")
        for x in (30, 60, 120):
            ax.axvline(x, color="0.9", lw=0.8, zorder=0)
        ax.set_xscale("log")
        ax.set_yscale("log")
        shown = [m for m, v in zip(mid, med, strict=True) if np.isfinite(v)] or mid
        lo, hi = min(shown) / 1.5, max(shown) * 1.5
        ax.set_xlim(lo, hi)
        ticks = [x for x in TIME_TICKS_S if lo <= x <= hi]
        ax.xaxis.set_major_locator(FixedLocator(ticks))
        ax.xaxis.set_major_formatter(lambda x, _pos: f"{x:g}")
        ax.xaxis.set_minor_locator(NullLocator())
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.legend(fontsize=8)
        ax.set_title(f"Impact error vs time since first track ({t.size} assessments)", fontsize=10)
    ax.set_xlabel("time since the missile's first track (s)")
    ax.set_ylabel("impact-point error (km)")
    return fig


def plot_warning_cdfs(eng) -> str:
    import matplotlib.pyplot as plt

    ok = np.array([s == "ok" for s in eng.get("status", [])], bool)
    fw = _arr(eng.get("first_warning_s", []))[ok]
    fw = fw[np.isfinite(fw)]
    lead = np.array(_flat(eng.get("lead_times_s", []), ok), float)
    fig, axes = plt.subplots(1, 2, figsize=(9.6, 3.8))
    for ax, v, what, label, none in (
        (
            axes[0],
            fw,
            "first warning after launch (s)",
            "first-warning latency",
            "no warning was issued in this campaign",
        ),
        (
            axes[1],
            lead,
            "lead time before overflight / impact (s)",
            "lead time per warned, reached area",
            "no warned area was overflown or hit\nin this campaign",
        ),
    ):
        if v.size == 0:
            _empty(ax, none)
        else:
            x = np.sort(v)
            ax.step(np.r_[x[0], x], np.r_[0.0, np.arange(1, x.size + 1) / x.size], where="post")
            ax.set_ylim(0, 1.02)
            ax.set_ylabel("fraction")
            ax.set_title(f"CDF of {label} (n={x.size})", fontsize=10)
        ax.set_xlabel(what)
    return _png(fig)


def _binned_means(x, ys, edges, integer=False):
    idx = np.digitize(x, edges) - 1
    labels, means = [], [[] for _ in ys]
    for b in range(len(edges) - 1):
        sel = idx == b
        if not sel.any():
            continue
        lo, hi = edges[b], edges[b + 1]
        if integer:
            span = f"{lo:g}" if hi - lo == 1 else f"{lo:g}-{hi - 1:g}"
        else:
            span = f"{lo:g}-{hi:g}" if np.isfinite(hi) else f">={lo:g}"
        labels.append(f"{span}\n(n={int(sel.sum())})")
        for j, y in enumerate(ys):
            means[j].append(float(np.mean(y[sel])))
    return labels, means


def plot_swaps_breaks(eng) -> str:
    return _png(swaps_breaks_figure(eng))


def swaps_breaks_figure(eng):
    import matplotlib.pyplot as plt

    ok = np.array([s == "ok" for s in eng.get("status", [])], bool)
    size = _arr(eng.get("salvo_size", []))[ok]
    sw, br = _arr(eng.get("swaps", []))[ok], _arr(eng.get("breaks", []))[ok]
    aim, gap = _arr(eng.get("aim_spacing_km", []))[ok], _arr(eng.get("launch_spacing_s", []))[ok]
    fig, axes = plt.subplots(1, 3, figsize=(13.5, 3.9), sharey=True)
    panels = (
        (axes[0], size, np.array([1, 2, 3, 5, 9, 17, 25]), "salvo size (missiles)", None),
        (
            axes[1],
            aim,
            np.array([0, 2, 5, 10, 20, np.inf]),
            "aim-point spacing (km), salvos",
            size >= 2,
        ),
        (
            axes[2],
            gap,
            np.array([0, 2, 5, 10, 30, np.inf]),
            "launch spacing (s), salvos",
            size >= 2,
        ),
    )
    top = 0.0
    for ax, x, edges, what, mask in panels:
        sel = np.ones(x.size, bool) if mask is None else mask
        if not sel.any():
            _empty(
                ax,
                "no salvos in this campaign" if mask is not None else "no engagements",
                shared_y=True,
            )
            ax.set_xlabel(what)
            continue
        labels, (msw, mbr) = _binned_means(
            x[sel], (sw[sel], br[sel]), edges, integer=what.startswith("salvo")
        )
        pos = np.arange(len(labels))
        for off, vals, name in ((-0.2, msw, "swaps"), (0.2, mbr, "breaks")):
            bars = ax.bar(pos + off, vals, 0.4, label=name)
            ax.bar_label(bars, fmt="%.2g", fontsize=7)
            top = max(top, *vals)
        ax.set_xticks(pos, labels, fontsize=8)
        ax.set_xlabel(what)
    # from 0 to at least 1 per engagement: a mean of 0.03 looks small, and the shared axis
    # keeps its scale
    axes[0].set_ylim(0.0, max(1.0, 1.15 * top))
    axes[0].set_ylabel("mean per engagement")
    axes[0].legend(fontsize=8)
    fig.suptitle(
        "Track swaps and breaks by salvo size and spacing (spacing bins include their lower edge)",
        fontsize=10,
    )
    return fig


def worst(eng: dict, n: int = 10) -> list[int]:
    """Row positions of the worst engagements: failed first, then by swaps and breaks, false
    alarms and misses, wrong verdicts, and the final impact error."""
    rows = range(len(eng.get("index", [])))

    def badness(i):
        if eng["status"][i] != "ok":
            return 1e9

        def g(k, d=0.0):
            v = eng.get(k, [None] * (i + 1))[i]
            return d if v is None or not np.isfinite(v) else v

        return (
            10 * (g("swaps") + g("breaks"))
            + 5 * (g("false_alarm_areas") + g("misses"))
            + 5 * g("missiles") * (1 - g("verdict_right_fraction", 1.0))
            + min(g("final_error_km_max"), 100.0) / 10
            + 3 * (1 - g("in95_fraction", 1.0))
        )

    return sorted(rows, key=badness, reverse=True)[:n]


def render_html(run, summary: dict, eng: dict, mis: dict, ass: dict) -> str:
    e = html.escape
    figs = [
        (
            "Calibration",
            plot_calibration(ass),
            "Each line: the fraction of assessments whose truth impact point lies inside the "
            "impact ellipse of a nominal probability (chi-square, 2 dof, from the predicted "
            "impact covariance), by flight regime of the missile at the assessment. On the "
            "dashed diagonal the ellipses are honest; below it they are too small.",
        ),
        (
            "Impact error vs time since first track",
            plot_error_vs_time(ass),
            "Distance of the predicted mean impact point from the true impact, over all "
            "assessments of all missiles, binned by time since that missile's first track.",
        ),
        (
            "Warnings",
            plot_warning_cdfs(eng),
            "First-warning latency: first warning after the first launch, per engagement with a "
            "warning. Lead time: first overflight (or impact) of an area minus its first "
            "warning, per warned area that was reached (negative: warned late).",
        ),
        (
            "Swaps and breaks",
            plot_swaps_breaks(eng),
            "Mean track swaps and breaks per engagement, by salvo size, and for salvos by "
            "aim-point spacing and by launch spacing.",
        ),
    ]
    cols = (
        "index",
        "threat_class",
        "salvo_size",
        "launch_spacing_s",
        "aim_spacing_km",
        "crossing",
        "swaps",
        "breaks",
        "false_alarm_areas",
        "misses",
        "in95_fraction",
        "final_error_km_max",
        "error",
    )
    head = "".join(f"<th>{e(c)}</th>" for c in (*cols, "replay"))
    body = []
    for i in worst(eng):
        cells = []
        for c in cols:
            v = eng.get(c, [None] * (i + 1))[i]
            if isinstance(v, float):
                v = "" if not np.isfinite(v) else f"{v:.3g}"
            cells.append(f"<td>{e(str('' if v is None else v))}</td>")
        cmd = replay_command(run.spec_ref, run.seed, int(eng["index"][i]))
        cells.append(f"<td><code>{e(cmd)}</code></td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    s = summary
    c = s["containment"]
    key = [
        ("engagements (ok / finished / asked)", f"{s['ok']} / {s['finished']} / {s['n']}"),
        ("missiles, tracks", f"{s['missiles']}, {s['tracks']}"),
        ("swaps, breaks, false tracks", f"{s['swaps']}, {s['breaks']}, {s['false_tracks']}"),
        ("engagements without swaps or breaks", s["engagements_without_swaps_or_breaks"]),
        (
            "first track (s after launch) median / p90",
            f"{s['first_track_s']['median']} / {s['first_track_s']['p90']}",
        ),
        (
            "truth in 50 % / 95 % ellipse (all assessments)",
            f"{c['all']['in50']} / {c['all']['in95']}",
        ),
        (
            "within 10 km, truth in 95 %, by 60 s after first track",
            json.dumps(s["good_within_60s_after_track"]),
        ),
        ("verdict right, class right", f"{s['verdict_right']}, {s['class_right']}"),
        (
            "launch point error (km) median / p90",
            f"{s['launch_error_km']['median']} / {s['launch_error_km']['p90']}",
        ),
        ("warnings", json.dumps(s["warnings"])),
        (
            "this invocation",
            f"{s['where']}: ran {s['ran']} of {s['finished']} engagements in {s['wall_s']} s"
            + (f", {s['engagements_per_min']} engagements/min" if s["engagements_per_min"] else ""),
        ),
    ]
    krows = "".join(f"<tr><th>{e(k)}</th><td>{e(str(v))}</td></tr>" for k, v in key)
    sections = "".join(
        f"<h2>{e(t)}</h2><p>{e(cap)}</p><img alt='{e(t)}' src='data:image/png;base64,{png}'>"
        for t, png, cap in figs
    )
    failed = "".join(
        f"<li>{e(str(f['index']))}: {e(str(f['error']))} (scenario seed "
        f"{e(str(f['scenario_seed']))})</li>"
        for f in s["failed"][:50]
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>launchwatch campaign {e(s["spec"])} (seed {e(str(s["seed"]))})</title>
<style>
body {{ font-family: sans-serif; margin: 1.5em auto; max-width: 1400px; color: #222; }}
table {{ border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.9em; }}
th, td {{ border: 1px solid #ccc; padding: 3px 6px; text-align: left; vertical-align: top; }}
code {{ font-size: 0.85em; }} img {{ max-width: 100%; }} p {{ max-width: 60em; }}
</style></head><body>
<h1>Campaign {e(s["spec"])}, seed {e(str(s["seed"]))}</h1>
<p>{e(run.spec.description)}</p>
<table>{krows}</table>
{sections}
<h2>Worst engagements</h2>
<table><tr>{head}</tr>{"".join(body)}</table>
<h2>Failed engagements</h2><ul>{failed or "<li>none</li>"}</ul>
</body></html>
"""
