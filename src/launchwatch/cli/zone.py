"""``launchwatch zone``: the maritime zone of one point, or of many (CSV file or stdin)."""

from __future__ import annotations

import csv
import io
import json
import math
import sys
from pathlib import Path
from typing import Annotated

import typer

from .common import console, fail

#: Header names accepted for the latitude and longitude columns (case-insensitive).
LAT_NAMES = ("lat", "lat_deg", "latitude", "y")
LON_NAMES = ("lon", "lon_deg", "lng", "long", "longitude", "x")
FIELDS = ("kind", "country", "distance_to_coast_km", "nearest_coast_country")
#: Most points read from one file (the classification itself handles 10^6 in seconds).
MAX_POINTS = 5_000_000


def zone(
    lat: Annotated[float | None, typer.Argument(help="Latitude, degrees north.")] = None,
    lon: Annotated[float | None, typer.Argument(help="Longitude, degrees east.")] = None,
    file: Annotated[
        str | None,
        typer.Option(
            "--file",
            "-f",
            help="CSV of points (columns lat, lon; or two columns without a "
            "header), or - for stdin; prints the rows with the zone columns added.",
        ),
    ] = None,
    json_out: Annotated[
        bool, typer.Option("--json", help="Print JSON (one object for a point, a list for a file).")
    ] = False,
) -> None:
    """Maritime zone: land, territorial sea, EEZ or high seas, and whose.

    One point: zone 41.5 137.2. Many: zone --file points.csv, or
    cat points.csv | launchwatch zone -f - (CSV out: the input columns plus kind, country,
    distance_to_coast_km, nearest_coast_country)."""
    if file is not None:
        if lat is not None:
            fail("give either LAT LON or --file, not both")
        _many(file, json_out)
        return
    if lat is None or lon is None:
        fail("give LAT and LON, or --file FILE (- for stdin)")
    if not (math.isfinite(lat) and math.isfinite(lon)):
        fail("latitude and longitude must be finite numbers")
    if not -90.0 <= lat <= 90.0:
        fail(f"latitude {lat:g} is outside [-90, 90]")
    from ..earth.zones import zone_of

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


def read_points(
    text: str, name: str
) -> tuple[list[str], list[list[str]], list[float], list[float]]:
    """Header, rows, latitudes and longitudes of a CSV text; ``ValueError`` with the line."""
    rows = [r for r in csv.reader(io.StringIO(text)) if any(c.strip() for c in r)]
    if not rows:
        raise ValueError(f"{name}: no points")
    head = [c.strip().lower() for c in rows[0]]
    ilat = next((head.index(n) for n in LAT_NAMES if n in head), None)
    ilon = next((head.index(n) for n in LON_NAMES if n in head), None)
    if ilat is None or ilon is None:
        if _numeric(rows[0][:2]):  # no header: lat, lon in the first two columns
            header, body, ilat, ilon, first_line = (
                ["lat", "lon"] + [f"col{j}" for j in range(2, len(rows[0]))],
                rows,
                0,
                1,
                1,
            )
        else:
            raise ValueError(
                f"{name}: no latitude/longitude columns (expected a header with "
                f"one of {', '.join(LAT_NAMES)} and one of {', '.join(LON_NAMES)}"
                ", or two numeric columns)"
            )
    else:
        header, body, first_line = rows[0], rows[1:], 2
    if len(body) > MAX_POINTS:
        raise ValueError(f"{name}: {len(body):,} points; at most {MAX_POINTS:,} per file")
    lats, lons = [], []
    for k, r in enumerate(body):
        try:
            la, lo = float(r[ilat]), float(r[ilon])
        except (ValueError, IndexError):
            raise ValueError(
                f"{name} line {k + first_line}: latitude/longitude "
                f"{r[ilat : ilat + 1]}, {r[ilon : ilon + 1]} are not numbers"
            ) from None
        if not (math.isfinite(la) and math.isfinite(lo) and -90.0 <= la <= 90.0):
            raise ValueError(
                f"{name} line {k + first_line}: latitude {la:g} / longitude {lo:g} out of range"
            )
        lats.append(la)
        lons.append(lo)
    return header, body, lats, lons


def _numeric(cells: list[str]) -> bool:
    try:
        return len(cells) == 2 and all(math.isfinite(float(c)) for c in cells)
    except ValueError:
        return False


def _many(file: str, json_out: bool) -> None:
    if file == "-":
        text, name = sys.stdin.read(), "stdin"
    else:
        try:
            text, name = Path(file).read_text(encoding="utf-8-sig"), file
        except (OSError, UnicodeDecodeError) as exc:
            fail(f"cannot read {file}: {getattr(exc, 'strerror', None) or exc}")
    try:
        header, body, lats, lons = read_points(text, name)
    except ValueError as exc:
        fail(str(exc))
    from ..earth.zones import classify

    z = classify(lats, lons)
    cols = (
        z.kind.tolist(),
        z.country.tolist(),
        [round(float(x), 3) for x in z.distance_to_coast_km],
        z.nearest_coast_country.tolist(),
    )
    if json_out:
        typer.echo(
            json.dumps(
                [
                    {
                        "lat": la,
                        "lon": lo,
                        "kind": k,
                        "country": c or None,
                        "distance_to_coast_km": d,
                        "nearest_coast_country": n or None,
                    }
                    for la, lo, k, c, d, n in zip(lats, lons, *cols, strict=True)
                ]
            )
        )
        return
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow([*header, *FIELDS])
    for r, *extra in zip(body, *cols, strict=True):
        out.writerow([*r, *extra])
