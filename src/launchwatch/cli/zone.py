"""``launchwatch zone LAT LON``: the maritime zone of a point."""

from __future__ import annotations

import json
import math
from typing import Annotated

import typer

from .common import console, fail


def zone(
    lat: Annotated[float, typer.Argument(help="Latitude, degrees north.")],
    lon: Annotated[float, typer.Argument(help="Longitude, degrees east.")],
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Maritime zone of a point: land, territorial sea, EEZ or high seas, and whose."""
    from ..earth.zones import zone_of

    if not (math.isfinite(lat) and math.isfinite(lon)):
        fail("latitude and longitude must be finite numbers")
    if not -90.0 <= lat <= 90.0:
        fail(f"latitude {lat:g} is outside [-90, 90]")
    try:
        d = zone_of(lat, lon)
    except ValueError as exc:
        fail(str(exc))
    if json_out:
        typer.echo(json.dumps(d))
        return
    whose = f" of {d['country']}" if d["country"] else ""
    console.print(
        f"{lat:.4f}, {lon:.4f}: [bold]{d['kind'].replace('_', ' ')}[/bold]{whose}; "
        f"nearest coast {d['distance_to_coast_km']:,.1f} km away "
        f"({d['nearest_coast_country'] or 'unknown'})"
    )
