"""KML 2.2 of a chain run for Google Earth and GIS tools: true ground tracks (with altitude),
the final predicted paths, the first and final 95 % impact ellipses, predicted and true impact
points, the estimated launch points and the warned areas.

Written with :mod:`xml.etree.ElementTree`: every name and description is a text node (escaped
by the library), never concatenated markup. Coordinates are ``lon,lat,alt`` (degrees, metres
above the WGS84 ellipsoid; KML's ``absolute`` altitude mode for the flights).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np

from ..earth.geodesy import wrap_lon_deg
from .areas import area_name, area_polygons

KML_NS = "http://www.opengis.net/kml/2.2"
#: KML colours are aabbggrr.
STYLES = {
    "truth": ("ff000000", None),
    "predicted": ("ff2727d6", None),
    "first": ("ffbd679a", "55bd679a"),
    "final": ("ff2727d6", "552727d6"),
    "warned": ("ff0e7fff", "880e7fff"),
    "launch": ("ff2ca02c", None),
}


def _sub(parent, tag: str, text: str | None = None, **attrib) -> ET.Element:
    el = ET.SubElement(parent, tag, attrib)
    if text is not None:
        el.text = text
    return el


def _coords(lon, lat, alt=None) -> str:
    alt = np.zeros(len(lon)) if alt is None else alt
    ok = np.isfinite(lon) & np.isfinite(lat) & np.isfinite(alt)
    return " ".join(
        f"{x:.5f},{y:.5f},{z:.0f}"
        for x, y, z in zip(
            np.asarray(lon)[ok], np.asarray(lat)[ok], np.asarray(alt)[ok], strict=True
        )
    )


def _placemark(folder, name: str, style: str, description: str | None = None):
    pm = _sub(folder, "Placemark")
    _sub(pm, "name", name)
    if description:
        _sub(pm, "description", description)
    _sub(pm, "styleUrl", f"#{style}")
    return pm


def _line(pm, lon, lat, alt=None) -> None:
    ls = _sub(pm, "LineString")
    if alt is not None:
        _sub(ls, "altitudeMode", "absolute")
    else:
        _sub(ls, "tessellate", "1")
    _sub(ls, "coordinates", _coords(lon, lat, alt))


def _polygon(parent, ring: np.ndarray) -> None:
    poly = _sub(parent, "Polygon")
    _sub(poly, "tessellate", "1")
    outer = _sub(_sub(poly, "outerBoundaryIs"), "LinearRing")
    ring = np.asarray(ring)
    if len(ring) and not np.array_equal(ring[0], ring[-1]):
        ring = np.vstack([ring, ring[:1]])
    _sub(outer, "coordinates", _coords(wrap_lon_deg(ring[:, 0]), ring[:, 1]))  # KML: [-180, 180]


def _point(pm, lon: float, lat: float) -> None:
    _sub(_sub(pm, "Point"), "coordinates", f"{lon:.5f},{lat:.5f},0")


def kml_document(result) -> ET.Element:
    """The KML tree of a :class:`~launchwatch.pipeline.chain.ChainResult`."""
    from .report import ground_tracks, polygon_parts, predicted_path

    ET.register_namespace("", KML_NS)
    root = ET.Element("kml", xmlns=KML_NS)
    doc = _sub(root, "Document")
    _sub(doc, "name", f"launchwatch: {result.sim.scenario.name}")
    for sid, (line, fill) in STYLES.items():
        st = _sub(doc, "Style", id=sid)
        ls = _sub(st, "LineStyle")
        _sub(ls, "color", line)
        _sub(ls, "width", "2")
        ps = _sub(st, "PolyStyle")
        _sub(ps, "color", fill or "00ffffff")
        if sid == "launch":
            _sub(_sub(st, "IconStyle"), "color", line)
    truth = result.sim.truth
    lat_t, lon_t, h_t = ground_tracks(truth)
    flights = _sub(doc, "Folder")
    _sub(flights, "name", "true flights")
    for m in range(truth.n_missiles):
        _line(_placemark(flights, f"{truth.names[m]} (truth)", "truth"), lon_t[m], lat_t[m], h_t[m])
        _point(
            _placemark(flights, f"{truth.names[m]} true impact", "truth"),
            lon_t[m][-1],
            lat_t[m][-1],
        )
    pred = _sub(doc, "Folder")
    _sub(pred, "name", "predictions")
    for m in range(truth.n_missiles):
        rec = result.per_missile[m]
        for key in ("first", "final"):
            f = rec[key]
            if f is None:
                continue
            find = result.run.latest_for if key == "final" else result.run.first_for
            a, j = find(f["track_id"])
            desc = (
                f"{key} prediction at +{f['t_s']:.0f} s: impact {f['impact_lat']:.3f} N "
                f"{f['impact_lon']:.3f} E, 95 % ellipse {f['ellipse_95_km'][0]:.1f} x "
                f"{f['ellipse_95_km'][1]:.1f} km, verdict {f['verdict']['kind']}"
                + (f" of {f['verdict']['country']}" if f["verdict"]["country"] else "")
            )
            _polygon(
                _placemark(pred, f"{truth.names[m]} {key} 95 % impact ellipse", key, desc),
                a.ellipse_polygon(j, 0.95),
            )
            _point(
                _placemark(pred, f"{truth.names[m]} {key} predicted impact", key, desc),
                f["impact_lon"],
                f["impact_lat"],
            )
            if key == "final":
                plon, plat, ph = predicted_path(a, j)
                _line(
                    _placemark(
                        pred, f"{truth.names[m]} final predicted path (median)", "predicted"
                    ),
                    plon,
                    plat,
                    ph,
                )
        le = rec.get("launch_estimate")
        if le:
            _point(
                _placemark(
                    pred,
                    f"{truth.names[m]} estimated launch point",
                    "launch",
                    f"{le['error_km']:.1f} km from the true launch point",
                ),
                le["lon"],
                le["lat"],
            )
    warned = sorted(result.warn_score["warned"])
    if warned:
        folder = _sub(doc, "Folder")
        _sub(folder, "name", "warned areas")
        polys = area_polygons()
        for code in warned:
            geom = polys.get(code)
            if geom is None:
                continue
            pm = _placemark(folder, area_name(code), "warned")
            multi = _sub(pm, "MultiGeometry")
            for g in polygon_parts(geom):
                _polygon(multi, np.asarray(g.exterior.coords))
    return root


def write_kml(result, path) -> Path:
    path = Path(path)
    tree = ET.ElementTree(kml_document(result))
    ET.indent(tree)
    tree.write(path, encoding="utf-8", xml_declaration=True)
    return path
