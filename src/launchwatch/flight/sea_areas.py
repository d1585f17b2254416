"""Named sea areas of launch reports ("East Sea", "Yellow Sea", ...) and the bearing towards
them: ``data/sea_areas.yaml`` (reference points with their sources) read in one place.

Names match case-, space- and punctuation-insensitively (:func:`~.catalog.normalize_name`).
Angles in degrees, WGS84.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import yaml

from ..earth import geodesy
from .catalog import UnknownNameError, normalize_name


@cache
def _entries() -> tuple[dict[str, Any], ...]:
    text = resources.files("launchwatch.flight.data").joinpath("sea_areas.yaml").read_text("utf-8")
    return tuple(yaml.safe_load(text)["sea_areas"])


@cache
def sea_areas() -> dict[str, tuple[float, float]]:
    """Normalized name or alias -> (lat_deg, lon_deg) of the area's reference point."""
    out = {}
    for entry in _entries():
        for name in (entry["name"], *entry.get("aliases", [])):
            out[normalize_name(name)] = (float(entry["lat_deg"]), float(entry["lon_deg"]))
    return out


def sea_area_names(*, aliases: bool = True) -> tuple[str, ...]:
    """The areas' names as written in the data file (and their aliases)."""
    out = []
    for entry in _entries():
        out += [entry["name"], *(entry.get("aliases", []) if aliases else [])]
    return tuple(out)


def bearing_toward(lat_deg: float, lon_deg: float, sea: str) -> float:
    """Geodesic azimuth (deg) from the launch point towards a named sea area's reference point."""
    point = sea_areas().get(normalize_name(sea))
    if point is None:
        names = ", ".join(sorted(sea_area_names(aliases=False)))
        raise UnknownNameError(f"unknown sea area {sea!r}; known: {names}")
    az, _, _ = geodesy.inverse(lat_deg, lon_deg, *point)
    return float(np.mod(az, 360.0))
