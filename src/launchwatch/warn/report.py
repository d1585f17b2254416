"""The report folder of a chain run: JSON summary, CAP messages, a map (PNG), a timeline.

``write_report(result, out_dir)`` writes

* ``summary.json`` -- ``ChainResult.summary()`` of :mod:`launchwatch.pipeline.chain` (the
  figures of ``simulate --assess``);
* ``cap/NNN-<identifier>.xml`` -- every CAP 1.2 message, in order;
* ``timeline.txt`` -- the timeline in local time (:func:`timeline`);
* ``map.png`` -- ground tracks (truth, and the final predicted mean path), the first and final
  95 % impact ellipses, the estimated launch point, maritime zones (land, territorial seas, EEZs
  of each country as a raster of :func:`launchwatch.earth.zones.classify` on the map extent, with
  the boundaries between zones drawn) and the warned areas.
"""

from __future__ import annotations

import json
import warnings
from datetime import timedelta
from pathlib import Path

import numpy as np

from ..earth.zones import classify
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
            ev.append((t0 + f["t_s"], f"{name} first impact prediction: {f['impact_lat']:.2f} N "
                       f"{f['impact_lon']:.2f} E, {f['range_class']}, verdict {_verdict(v)}, "
                       f"P(Japan EEZ) {f['p_japan_eez']:.2f} (error {f['impact_error_km']:.0f} "
                       f"km, 95 % ellipse {f['ellipse_95_km'][0]:.0f} km)"))
        if rec["good_s"] is not None:
            ev.append((t0 + rec["good_s"], f"{name} prediction within 10 km of the impact, "
                       "truth inside the 95 % ellipse"))
        ev.append((float(sim.truth.impact_time_s[i]),
                   f"{name} impact (truth) in {_verdict(rec['truth']['zone'])}"))
    if result.policy.events:
        for e in result.policy.events:
            names = ", ".join(area_name(c) for c in e.areas) or "-"
            ev.append((e.t_s, f"warning {e.kind} (J-Alert {e.code} {e.jalert}, CAP "
                       f"{e.msg_type}): {names}"))
    else:
        ev.append((float(sim.truth.impact_time_s.max()) + 1e-3, "no warning issued: no area "
                   "was under the predicted path or near the predicted impact"))
    return sorted(ev, key=lambda x: x[0])


def _verdict(v: dict) -> str:
    kind = str(v.get("kind", "?")).replace("_", " ")
    return kind + (f" of {v['country']}" if v.get("country") else "")


def timeline_lines(result) -> list[str]:
    epoch = result.sim.scenario.epoch
    return [f"{(epoch + timedelta(seconds=t)).strftime('%H:%M:%S')}  {text}"
            for t, text in timeline(result)]


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
    return paths


def _polygons(geom) -> list:
    """The polygons of any shapely geometry (Polygon, MultiPolygon, GeometryCollection of
    polygons and lines ...): lines and points have no area to fill and are left out."""
    import shapely

    parts = shapely.get_parts(geom)
    out = []
    for p in parts:
        if p.geom_type == "Polygon" and not p.is_empty:
            out.append(p)
        elif p.geom_type in ("MultiPolygon", "GeometryCollection"):
            out += _polygons(p)
    return out


def draw_map(result, path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sim = result.sim
    truth = sim.truth
    from ..earth import frames

    lat_t, lon_t = [], []
    for m in range(truth.n_missiles):
        st = truth.states_ecef[m]
        ok = ~np.isnan(st[:, 0])
        la, lo, _ = frames.ecef_to_geodetic(st[ok][:, :3])
        lat_t.append(np.degrees(la))
        lon_t.append(np.degrees(lo))
    all_lat = np.concatenate(lat_t)
    all_lon = np.concatenate(lon_t)
    pad = 3.0
    lat0, lat1 = all_lat.min() - pad, all_lat.max() + pad
    lon0, lon1 = all_lon.min() - pad, all_lon.max() + pad
    gy, gx = np.meshgrid(np.linspace(lat0, lat1, 260), np.linspace(lon0, lon1, 320),
                         indexing="ij")
    z = classify(gy, gx)
    key = np.char.add(np.char.add(z.kind.astype(str), ":"), z.country.astype(str))
    names, code = np.unique(key, return_inverse=True)
    code = code.reshape(gy.shape)
    kinds = np.array([n.split(":")[0] for n in names])
    colour = {"land": (0.86, 0.82, 0.70), "territorial_sea": (0.62, 0.78, 0.92),
              "eez": (0.82, 0.90, 0.97), "high_seas": (1.0, 1.0, 1.0)}
    img = np.array([colour.get(k, (1.0, 1.0, 1.0)) for k in kinds])[code]
    fig, ax = plt.subplots(figsize=(9, 7), dpi=110)
    ax.imshow(img, origin="lower", extent=(lon0, lon1, lat0, lat1), aspect="auto",
              interpolation="nearest")
    ax.contour(gx, gy, code, levels=np.arange(code.max()) + 0.5, colors="0.35",
               linewidths=0.5)
    for n in names:
        kind, _, country = n.partition(":")
        if kind == "eez" and country:
            sel = key == n
            ax.text(gx[sel].mean(), gy[sel].mean(), f"EEZ {country}", fontsize=7, color="0.3",
                    ha="center")
    warned = sorted(result.warn_score["warned"])
    if warned:
        polys = area_polygons()
        for c in warned:
            geom = polys.get(c)
            if geom is None:
                continue
            for g in _polygons(geom):
                x, y = g.exterior.xy
                ax.fill(x, y, color="orange", alpha=0.6, lw=0)
    for m in range(truth.n_missiles):
        ax.plot(lon_t[m], lat_t[m], "k-", lw=1.2, label="truth ground track" if m == 0 else None)
    for rec, color, label in (("first", "tab:purple", "first"), ("final", "tab:red", "final")):
        for k in range(truth.n_missiles):
            f = result.per_missile[k][rec]
            if f is None:
                continue
            find = result.run.latest_for if rec == "final" else result.run.first_for
            a, j = find(f["track_id"])
            poly = a.ellipse_polygon(j, 0.95)
            ax.fill(poly[:, 0], poly[:, 1], color=color, alpha=0.25,
                    label=f"{label} 95 % impact ellipse" if k == 0 else None)
            ax.plot(f["impact_lon"], f["impact_lat"], "x", color=color)
            if rec == "final":
                with np.errstate(all="ignore"), warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)
                    mean_path = np.nanmedian(a.path_lon_deg[j], axis=0), np.nanmedian(
                        a.path_lat_deg[j], axis=0)
                ax.plot(*mean_path, "--", color=color, lw=1,
                        label="final predicted path" if k == 0 else None)
    for k in range(truth.n_missiles):
        le = result.per_missile[k].get("launch_estimate")
        if le:
            ax.plot(le["lon"], le["lat"], "^", color="tab:green", ms=8,
                    label="estimated launch point" if k == 0 else None)
    verdict = "no warning" if not warned else "warned: " + ", ".join(area_name(c) for c in warned)
    ax.set_title(f"{sim.scenario.name}: {verdict}", fontsize=10)
    ax.set_xlim(lon0, lon1)
    ax.set_ylim(lat0, lat1)
    ax.set_xlabel("longitude, deg E")
    ax.set_ylabel("latitude, deg N")
    ax.legend(loc="lower left", fontsize=7)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)

