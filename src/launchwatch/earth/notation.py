"""How points are written for people (no heavy imports: the CLI loads it at start)."""

from __future__ import annotations


def latlon_text(lat_deg: float, lon_deg: float, digits: int = 2) -> str:
    """A point for people: ``"40.05 N 133.05 E"``, ``"10.00 S 150.00 W"`` (degrees, hemisphere
    letters instead of signs; longitudes wrapped to (-180, 180])."""
    lon = (float(lon_deg) + 180.0) % 360.0 - 180.0
    lon = 180.0 if lon == -180.0 else lon
    ns = "N" if lat_deg >= 0 else "S"
    ew = "E" if lon >= 0 else "W"
    return f"{abs(lat_deg):.{digits}f} {ns} {abs(lon):.{digits}f} {ew}"
