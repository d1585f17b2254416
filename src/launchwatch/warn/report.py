"""The report folder of a chain run: JSON summary, CAP messages, a map (PNG), a timeline.

``write_report(result, out_dir)`` writes

* ``summary.json`` -- ``ChainResult.summary()`` of :mod:`launchwatch.pipeline.chain` (the
  figures of ``simulate --assess``);
* ``cap/NNN-<identifier>.xml`` -- every CAP 1.2 message, in order;
* ``timeline.txt`` -- the timeline in local time (:func:`timeline`);
* ``map.png`` -- ground tracks (truth, and the final predicted median path), true impacts, the
  first and final 95 % impact ellipses and predicted impacts, the estimated launch point, smooth
  vector maritime zones (:mod:`.basemap`: land, 12 nmi territorial seas, 200 nmi EEZs and the
  median lines between them) and the warned areas; every mark is in the legend, and an inset
  zooms on the final ellipse(s) and the true impact(s);
* ``side.png`` -- altitude against ground range: truth and the first and final predictions;
* ``flight.kml`` -- ground tracks, ellipses and points for Google Earth (:mod:`.kml`).
"""

from __future__ import annotations

import json
import warnings
from datetime import timedelta
from pathlib import Path

import numpy as np

from ..earth.notation import latlon_text
from .areas import area_name, area_polygons


def timeline(result) -> list[tuple[float, str]]:
    """(seconds after the epoch, text) events of the run, in time order."""
    sim = result.sim
    s = sim.summary()
    ev = []
    for i, name in enumerate(sim.truth.names):
        t0 = float(sim.truth.launch_time_s[i])
        ev.append((t0, f"{name} launched (truth)"))
        if s["first_detection_s"][i] is not None:
            ir = sim.detections[(sim.truth_ids["missile"] == i) & (sim.detections["kind"] == "ir")]
            if ir.size:
                ev.append((float(ir["t_s"].min()), f"{name} IR launch cue ({ir['sensor'][0]})"))
        if s["first_track_s"][i] is not None:
            ev.append((t0 + s["first_track_s"][i], f"{name} first confirmed track"))
        rec = result.per_missile[i]
        if rec["first"]:
            f = rec["first"]
            v = f["verdict"]
            ev.append(
                (
                    t0 + f["t_s"],
                    f"{name} first impact prediction: "
                    f"{latlon_text(f['impact_lat'], f['impact_lon'])}, {f['range_class']}, verdict {_verdict(v)}, "
                    f"P(Japan EEZ) {f['p_japan_eez']:.2f} (error {f['impact_error_km']:.0f} "
                    f"km, 95 % ellipse {f['ellipse_95_km'][0]:.0f} km)",
                )
            )
        if rec["good_s"] is not None:
            ev.append(
                (
                    t0 + rec["good_s"],
                    f"{name} prediction within 10 km of the impact, truth inside the 95 % ellipse",
                )
            )
        ev.append(
            (
                float(sim.truth.impact_time_s[i]),
                f"{name} impact (truth) in {_verdict(rec['truth']['zone'])}",
            )
        )
    if result.policy.events:
        for e in result.policy.events:
            names = ", ".join(area_name(c) for c in e.areas) or "-"
            ev.append(
                (
                    e.t_s,
                    f"warning {e.kind} (J-Alert {e.code} {e.jalert}, CAP {e.msg_type}): {names}",
                )
            )
    else:
        ev.append(
            (
                float(sim.truth.impact_time_s.max()) + 1e-3,
                "no warning issued: no area "
                "was under the predicted path or near the predicted impact",
            )
        )
    return sorted(ev, key=lambda x: x[0])


def _verdict(v: dict) -> str:
    kind = str(v.get("kind", "?")).replace("_", " ")
    return kind + (f" of {v['country']}" if v.get("country") else "")


def timeline_lines(result) -> list[str]:
    epoch = result.sim.scenario.epoch
    return [
        f"{(epoch + timedelta(seconds=t)).strftime('%H:%M:%S')}  {text}"
        for t, text in timeline(result)
    ]


def write_report(result, out_dir) -> list[Path]:
    out = Path(out_dir)
    (out / "cap").mkdir(parents=True, exist_ok=True)
    paths = []
    p = out / "summary.json"
    p.write_text(json.dumps(result.summary(), indent=1, default=str))
    paths.append(p)
    camf = []
    for i, e in enumerate(result.policy.events):
        q = out / "cap" / f"{i:03d}-{e.identifier.replace(':', '_')}.xml"
        q.write_text(e.cap_xml, encoding="utf-8")
        paths.append(q)
        if e.camf_hex:
            camf.append(f"{e.t_s:9.2f} {e.code} {e.identifier} {e.camf_hex}")
    if camf:  # one QZSS DCX frame (63 hex digits) per message to Japanese areas
        p = out / "camf.txt"
        p.write_text("# t_s code cap_id dcx_frame_hex\n" + "\n".join(camf) + "\n")
        paths.append(p)
    p = out / "timeline.txt"
    p.write_text("\n".join(timeline_lines(result)) + "\n")
    paths.append(p)
    p = out / "map.png"
    draw_map(result, p)
    paths.append(p)
    p = out / "side.png"
    draw_side_view(result, p)
    paths.append(p)
    from .kml import write_kml

    p = out / "flight.kml"
    write_kml(result, p)
    paths.append(p)
    return paths


def polygon_parts(geom) -> list:
    """The polygons of any shapely geometry (Polygon, MultiPolygon, GeometryCollection of
    polygons and lines ...): lines and points have no area to fill and are left out."""
    import shapely

    parts = shapely.get_parts(geom)
    out = []
    for p in parts:
        if p.geom_type == "Polygon" and not p.is_empty:
            out.append(p)
        elif p.geom_type in ("MultiPolygon", "GeometryCollection"):
            out += polygon_parts(p)
    return out


def _plot_geom(ax, geom, **kw) -> None:
    """Fill every polygon of a shapely geometry (exterior minus holes) on a lon/lat axis.

    The patches are added with ``add_artist`` and the data limits grown by their vertices
    (the same limits: the paths are straight segments in data coordinates): ``add_patch``
    finds each path's extent through its Bezier segments, which was 4 of the 6.7 s of CPU
    of a map with every prefecture warned (the pixels are the same)."""
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as MplPath

    for g in polygon_parts(geom):
        rings = [np.asarray(g.exterior.coords)] + [np.asarray(r.coords) for r in g.interiors]
        verts = np.concatenate(rings)
        codes = np.concatenate(
            [
                [MplPath.MOVETO] + [MplPath.LINETO] * (len(r) - 2) + [MplPath.CLOSEPOLY]
                for r in rings
            ]
        )
        ax.add_artist(PathPatch(MplPath(verts, codes), **kw))
        ax.update_datalim(verts)


def ground_tracks(truth) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
    """Per missile: latitude, longitude (deg) and height (m) of the true flight."""
    from ..earth import frames

    lat_t, lon_t, h_t = [], [], []
    for m in range(truth.n_missiles):
        st = truth.states_ecef[m]
        ok = ~np.isnan(st[:, 0])
        la, lo, h = frames.ecef_to_geodetic(st[ok][:, :3])
        lat_t.append(np.degrees(la))
        lon_t.append(np.degrees(lo))
        h_t.append(h)
    return lat_t, lon_t, h_t


def predicted_path(a, j) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Median predicted path (lon, lat deg; height m) of track ``j`` of assessment ``a``."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return (
            np.nanmedian(a.path_lon_deg[j], axis=0),
            np.nanmedian(a.path_lat_deg[j], axis=0),
            np.nanmedian(a.path_h_m[j], axis=0),
        )


ZONE_COLOURS = {
    "land": "#dcd1b3",
    "territorial_sea": "#9ec7ea",
    "eez": "#d6e8f7",
    "high_seas": "#ffffff",
}


def draw_map(result, path) -> None:
    """The report map (see module docstring): vector zones, warned areas, truth and predicted
    tracks, ellipses, launch estimate; an inset zoomed on the final 95 % ellipse(s)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from .basemap import basemap

    sim = result.sim
    truth = sim.truth
    lat_t, lon_t, _ = ground_tracks(truth)
    all_lat = np.concatenate(lat_t)
    all_lon = np.concatenate(lon_t)
    pad = 3.0
    lat0, lat1 = all_lat.min() - pad, all_lat.max() + pad
    lon0, lon1 = all_lon.min() - pad, all_lon.max() + pad
    bm = basemap(lon0, lon1, lat0, lat1)
    aspect = (lon1 - lon0) * np.cos(np.radians(0.5 * (lat0 + lat1))) / (lat1 - lat0)
    fig, ax = plt.subplots(figsize=(11.0, float(np.clip(8.0 / aspect + 1.0, 4.5, 9.0))), dpi=110)
    ax.set_facecolor(ZONE_COLOURS["high_seas"])

    def background(axis) -> None:
        _plot_geom(axis, bm.eez_outer, facecolor=ZONE_COLOURS["eez"], edgecolor="0.55", lw=0.5)
        for g in bm.territorial_sea.values():
            _plot_geom(axis, g, facecolor=ZONE_COLOURS["territorial_sea"], edgecolor="none")
        for g in bm.land.values():
            _plot_geom(axis, g, facecolor=ZONE_COLOURS["land"], edgecolor="0.35", lw=0.5)
        for lon, lat in bm.median_lines:
            axis.plot(lon, lat, color="0.45", lw=0.6, ls=(0, (4, 2)))

    background(ax)
    for lon, lat, text in bm.labels:
        if lon0 < lon < lon1 and lat0 < lat < lat1:
            ax.text(lon, lat, text, fontsize=7, color="0.3", ha="center")
    handles = [
        Patch(facecolor=ZONE_COLOURS["land"], edgecolor="0.35", label="land"),
        Patch(facecolor=ZONE_COLOURS["territorial_sea"], label="territorial sea (12 nmi)"),
        Patch(facecolor=ZONE_COLOURS["eez"], edgecolor="0.55", label="EEZ (200 nmi)"),
        Line2D([], [], color="0.45", lw=0.6, ls=(0, (4, 2)), label="median line between EEZs"),
    ]
    warned = sorted(result.warn_score["warned"])
    if warned:
        polys = area_polygons()
        for c in warned:
            geom = polys.get(c)
            if geom is not None:
                _plot_geom(ax, geom, facecolor="orange", alpha=0.6, edgecolor="none")
        handles.append(Patch(facecolor="orange", alpha=0.6, label="warned area"))
    for m in range(truth.n_missiles):
        ax.plot(lon_t[m], lat_t[m], "k-", lw=1.2)
        ax.plot(lon_t[m][-1], lat_t[m][-1], "*", color="k", ms=9)
    handles += [
        Line2D([], [], color="k", lw=1.2, label="truth ground track"),
        Line2D([], [], color="k", marker="*", ms=9, ls="none", label="true impact"),
    ]
    finals = []
    for rec, color, label in (("first", "tab:purple", "first"), ("final", "tab:red", "final")):
        drawn = False
        for k in range(truth.n_missiles):
            f = result.per_missile[k][rec]
            if f is None:
                continue
            find = result.run.latest_for if rec == "final" else result.run.first_for
            a, j = find(f["track_id"])
            poly = a.ellipse_polygon(j, 0.95)
            if rec == "first":  # an outline: the first ellipse may be continents wide and
                # a fill washed the whole map (land looked like sea) under it
                ax.plot(poly[:, 0], poly[:, 1], "--", color=color, lw=1.2)
            else:
                ax.fill(poly[:, 0], poly[:, 1], color=color, alpha=0.3)
            ax.plot(f["impact_lon"], f["impact_lat"], "x", color=color, ms=7, mew=1.5)
            drawn = True
            if rec == "final":
                plon, plat, _ = predicted_path(a, j)
                ax.plot(plon, plat, "--", color=color, lw=1.2)
                finals.append((poly, f, plon, plat))
        if drawn:
            handles += [
                Patch(facecolor=color, alpha=0.3, label=f"{label} 95 % impact ellipse")
                if rec == "final"
                else Patch(
                    facecolor="none",
                    edgecolor=color,
                    linestyle="--",
                    label=f"{label} 95 % impact ellipse (outline)",
                ),
                Line2D(
                    [],
                    [],
                    color=color,
                    marker="x",
                    ms=7,
                    mew=1.5,
                    ls="none",
                    label=f"{label} predicted impact (mean)",
                ),
            ]
            if rec == "final":
                handles.append(
                    Line2D(
                        [], [], color=color, ls="--", lw=1.2, label="final predicted path (median)"
                    )
                )
    launch_drawn = False
    for k in range(truth.n_missiles):
        le = result.per_missile[k].get("launch_estimate")
        if le:
            ax.plot(le["lon"], le["lat"], "^", color="tab:green", ms=8)
            launch_drawn = True
    if launch_drawn:
        handles.append(
            Line2D(
                [],
                [],
                color="tab:green",
                marker="^",
                ms=8,
                ls="none",
                label="estimated launch point",
            )
        )
    verdict = "no warning" if not warned else "warned: " + ", ".join(area_name(c) for c in warned)
    ax.set_title(f"{sim.scenario.name}: {verdict}", fontsize=10)
    ax.set_xlim(lon0, lon1)
    ax.set_ylim(lat0, lat1)
    ax.set_aspect(1.0 / np.cos(np.radians(0.5 * (lat0 + lat1))))
    ax.set_xlabel("longitude, deg E")
    ax.set_ylabel("latitude, deg N")
    if finals:
        _inset(ax, finals, lat_t, lon_t, background)
    ax.legend(
        handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, frameon=False
    )
    fig.savefig(path, bbox_inches="tight", pad_inches=0.15)
    plt.close(fig)


def _inset(ax, finals, lat_t, lon_t, background) -> None:
    """A zoom on the final 95 % ellipse(s) with the true impact(s), in the lower right."""
    pts = np.concatenate([p for p, *_ in finals])
    true_imp = np.array([[lo[-1], la[-1]] for la, lo in zip(lat_t, lon_t, strict=True)])
    box = np.concatenate([pts, true_imp])
    (x0, y0), (x1, y1) = box.min(axis=0), box.max(axis=0)
    half = max(x1 - x0, y1 - y0, 0.05) * 0.65
    cx, cy = 0.5 * (x0 + x1), 0.5 * (y0 + y1)
    ins = ax.inset_axes([0.64, 0.03, 0.34, 0.34])
    background(ins)
    for poly, f, plon, plat in finals:
        ins.fill(poly[:, 0], poly[:, 1], color="tab:red", alpha=0.3)
        ins.plot(f["impact_lon"], f["impact_lat"], "x", color="tab:red", ms=7, mew=1.5)
        ins.plot(plon, plat, "--", color="tab:red", lw=1.0)
    for la, lo in zip(lat_t, lon_t, strict=True):
        ins.plot(lo, la, "k-", lw=1.0)
        ins.plot(lo[-1], la[-1], "*", color="k", ms=9)
    k = np.cos(np.radians(cy))
    ins.set_xlim(cx - half / k, cx + half / k)
    ins.set_ylim(cy - half, cy + half)
    ins.set_aspect(1.0 / k)
    ins.tick_params(labelsize=6)
    ins.locator_params(nbins=3)
    ins.set_title(f"final ellipse, {2 * half * 111:.0f} km across", fontsize=7)
    ax.indicate_inset_zoom(ins, edgecolor="0.3")


def draw_side_view(result, path) -> None:
    """Altitude against ground range from the launch point: each missile's true flight and its
    first and final predicted paths (median), overlaid (lofted vs standard shots at a glance)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..earth import geodesy

    truth = result.sim.truth
    lat_t, lon_t, h_t = ground_tracks(truth)
    fig, ax = plt.subplots(figsize=(9, 4.5), dpi=110)
    for m in range(truth.n_missiles):
        rng = geodesy.inverse(lat_t[m][0], lon_t[m][0], lat_t[m], lon_t[m])[2] / 1e3
        ax.plot(rng, h_t[m] / 1e3, "k-", lw=1.4, label="truth" if m == 0 else None)
        for rec, color, style in (("first", "tab:purple", ":"), ("final", "tab:red", "--")):
            f = result.per_missile[m][rec]
            if f is None:
                continue
            find = result.run.latest_for if rec == "final" else result.run.first_for
            a, j = find(f["track_id"])
            plon, plat, ph = predicted_path(a, j)
            ok = np.isfinite(plon) & np.isfinite(plat) & np.isfinite(ph)
            if ok.sum() < 2:
                continue
            prng = geodesy.inverse(lat_t[m][0], lon_t[m][0], plat[ok], plon[ok])[2] / 1e3
            ax.plot(
                prng,
                ph[ok] / 1e3,
                style,
                color=color,
                lw=1.2,
                label=f"{rec} prediction (median path, from +{f['t_s']:.0f} s)" if m == 0 else None,
            )
        ax.annotate(
            truth.names[m],
            (rng[-1], 0),
            fontsize=7,
            ha="center",
            textcoords="offset points",
            xytext=(0, 4),
        )
    ax.set_xlabel("ground range from the launch point, km")
    ax.set_ylabel("altitude, km")
    ax.set_ylim(bottom=0)
    ax.set_xlim(left=0)
    ax.grid(alpha=0.3)
    ax.set_title(f"{result.sim.scenario.name}: side view", fontsize=10)
    ax.legend(fontsize=7, loc="upper right")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
