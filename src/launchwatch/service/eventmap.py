"""One launch event on the map and in the side view: ``GET /api/events/{id}/map``.

A GeoJSON FeatureCollection: the event's ``site`` Point; per report with a reconstruction its
``landing`` Point (the derived impact) and its ``ground_track`` LineString ([lon, lat]) whose
``profile`` property is the side view, ``[[ground_range_km, altitude_km], ...]`` from the launch
point; per report with an event landing point only, that ``reported_landing`` Point. Every
feature carries ``report_id`` and ``authority`` so the page can tell the authorities apart.
"""

from __future__ import annotations

import numpy as np

from ..earth import geodesy
from ..record.exchange import report_path

#: Most points of a ground track / profile in the answer.
MAX_POINTS = 120


def _point(lon, lat, **props) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": props,
    }


def event_map(ev) -> dict:
    feats = []
    if ev.site_lat_deg is not None and ev.site_lon_deg is not None:
        feats.append(_point(ev.site_lon_deg, ev.site_lat_deg, feature="site", name=ev.site_name))
    if ev.landing_lat_deg is not None and ev.landing_lon_deg is not None:
        feats.append(
            _point(
                ev.landing_lon_deg,
                ev.landing_lat_deg,
                feature="reported_landing",
                name=ev.landing_area,
            )
        )
    for rep in ev.reports:
        who = rep.authority or rep.outlet or "unattributed"
        rc = rep.reconstruction
        if rc is None:
            continue
        common = {
            "report_id": rep.id,
            "authority": who,
            "range_km": rc.range_km,
            "apogee_km": rc.apogee_km,
            "flight_time_s": rc.flight_time_s,
            "range_class": rc.range_class,
            "zone_kind": rc.zone_kind,
            "zone_country": rc.zone_country,
        }
        feats.append(_point(rc.impact_lon_deg, rc.impact_lat_deg, feature="landing", **common))
        path = np.asarray(report_path(rep), dtype=float)
        if len(path) < 2:
            continue
        step = max(1, int(np.ceil(len(path) / MAX_POINTS)))
        path = np.vstack([path[::step], path[-1:]]) if (len(path) - 1) % step else path[::step]
        lat, lon, h = path[:, 1], path[:, 2], path[:, 3]
        rng = geodesy.inverse(lat[0], lon[0], lat, lon)[2] / 1e3
        feats.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "LineString",
                    "coordinates": np.round(np.column_stack([lon, lat]), 4).tolist(),
                },
                "properties": {
                    "feature": "ground_track",
                    **common,
                    "profile": np.round(np.column_stack([rng, h / 1e3]), 2).tolist(),
                },
            }
        )
    return {"type": "FeatureCollection", "features": feats}
