"""Landing descriptions -> an estimated landing point with its uncertainty.

Reports place a landing relative to a reference point: "about 200 km west of Oshima-Oshima",
"250 km north-west of Hegura-jima", "150 km off Aomori", "fell inland in North Hamgyong".
:func:`parse_landing` reads such a phrase against the shipped gazetteer
(``flight/data/landmarks.yaml``, every point with its source) and returns the point plus a cloud
of samples that carries what the words leave open:

* the distance's rounding: "200 km" is 150-250 km, "250 km" 225-275 km, "about 37 km"
  36.5-37.5 km (half the unit of its last non-zero digit, uniform);
* the bearing's spread: a compass point covers the sector to its neighbours on the 8-point
  rose (+-22.5 deg; +-11.25 deg for a 16-point name such as "west-northwest"), uniform;
* "off X" gives no bearing: the seaward half-circle facing the launch site (+-90 deg around the
  bearing from X towards the site), or the whole circle when the site is unknown;
* "in <province>": the province's centre with its stated radius.

Samples feed the zone verdict (P(Japan EEZ) = share of samples in Japan's territorial sea or
EEZ, :func:`zone_probabilities`) and the heading of a reconstruction. Units: degrees, km in
names with ``_km``; geodesics on WGS84 (:mod:`launchwatch.earth.geodesy`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import yaml
from numpy.typing import ArrayLike

from ..earth import geodesy
from .catalog import normalize_name

N_SAMPLES = 2000
KM_PER_MILE = 1.609344
KM_PER_NMI = 1.852

_POINTS16 = (
    "north",
    "north-northeast",
    "northeast",
    "east-northeast",
    "east",
    "east-southeast",
    "southeast",
    "south-southeast",
    "south",
    "south-southwest",
    "southwest",
    "west-southwest",
    "west",
    "west-northwest",
    "northwest",
    "north-northwest",
)
_BEARING = {name.replace("-", ""): i * 22.5 for i, name in enumerate(_POINTS16)}
_DIR = r"(north|south|east|west)(?:[- ]?(north|south|east|west))?(?:[- ]?(north|south|east|west))?"
_NUM = r"(\d{1,3}(?:,\d{3})*(?:\.\d+)?)"
_UNIT = r"(km|kilometers?|kilometres?|miles?|nautical miles?|nmi)"
_REL = re.compile(
    rf"{_NUM}\s*-?\s*{_UNIT}\s+(?:to the\s+)?{_DIR}(?:ward)?\s+(?:of|from)\s+"
    r"(?:the\s+)?(?P<ref>[A-Z][\w'\-]*(?:[ \-][A-Z][\w'\-]*)*)",
    re.I,
)
_OFF = re.compile(
    rf"{_NUM}\s*-?\s*{_UNIT}\s+off\s+(?:the\s+)?(?:coast\s+of\s+|shore\s+of\s+)?"
    r"(?P<ref>[A-Z][\w'\-]*(?:[ \-][A-Z][\w'\-]*)*)",
    re.I,
)
_IN = re.compile(
    r"\b(?:fell|landed|crashed|impacted)\s+(?:inland\s+)?(?:in|on)\s+(?:the\s+)?"
    r"(?P<ref>[A-Z][\w'\-]*(?:[ \-][A-Z][\w'\-]*)*)",
    re.I,
)


class LandingError(ValueError):
    """A landing description that names a reference point the gazetteer does not know."""


@dataclass(frozen=True, slots=True)
class Landmark:
    name: str
    kind: str
    lat_deg: float
    lon_deg: float
    radius_km: float | None = None


@dataclass(frozen=True)
class LandingEstimate:
    """A landing point from words: nominal point, its spread, and samples (degrees)."""

    text: str
    reference: str
    lat_deg: float
    lon_deg: float
    distance_km: float | None
    distance_halfwidth_km: float
    bearing_deg: float | None
    bearing_halfwidth_deg: float
    sample_lat_deg: np.ndarray = field(repr=False)
    sample_lon_deg: np.ndarray = field(repr=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "reference": self.reference,
            "lat": round(self.lat_deg, 4),
            "lon": round(self.lon_deg, 4),
            "distance_km": self.distance_km,
            "distance_halfwidth_km": round(self.distance_halfwidth_km, 2),
            "bearing_deg": self.bearing_deg,
            "bearing_halfwidth_deg": self.bearing_halfwidth_deg,
        }


@cache
def landmarks() -> dict[str, Landmark]:
    """Gazetteer by normalised name and alias."""
    text = resources.files("launchwatch.flight.data").joinpath("landmarks.yaml").read_text()
    out = {}
    for e in yaml.safe_load(text)["landmarks"]:
        lm = Landmark(
            e["name"],
            e["kind"],
            float(e["lat_deg"]),
            float(e["lon_deg"]),
            float(e["radius_km"]) if e.get("radius_km") else None,
        )
        for n in (e["name"], *e.get("aliases", [])):
            out[normalize_name(n)] = lm
    return out


#: A rounded figure is never read as looser than this share of itself ("about 1,000 km" is
#: 750-1,250 km, not 500-1,500 km).
MAX_ROUNDING_SHARE = 0.25


def rounding_halfwidth(value: float) -> float:
    """Half the unit of a reported figure's last non-zero digit (200 -> 50, 6,000 -> 500,
    999.2 -> 0.05, 4140 -> 5), reading 250, 750, 1,500 as halves of the next unit (25, 25,
    250) and a lone leading 1 to the next digit (1,000 -> 50), never more than
    :data:`MAX_ROUNDING_SHARE` of the value."""
    if value <= 0 or not math.isfinite(value):
        return 0.0
    return min(_halfwidth(value), MAX_ROUNDING_SHARE * value)


def _halfwidth(value: float) -> float:
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    if "." in text:
        return 0.5 * 10.0 ** -len(text.split(".")[1])
    digits = text.rstrip("0")
    unit = 10.0 ** (len(text) - len(digits))
    if digits == "1" and unit >= 10:
        unit /= 10.0  # "1,000 km" is read to the hundred (a leading 1 alone says little)
    if digits.endswith("5") and len(digits) > 1 and unit >= 10:
        return 0.25 * unit * 10  # 250, 750, 1,500: halves of the next unit
    return 0.5 * unit


def _lookup(ref: str) -> Landmark | None:
    words = ref.split()
    for n in range(len(words), 0, -1):  # longest known prefix: "Okushiri Island in Hokkaido"
        hit = landmarks().get(normalize_name(" ".join(words[:n])))
        if hit is not None:
            return hit
    return None


def _km(num: str, unit: str) -> float:
    x = float(num.replace(",", ""))
    u = unit.lower()
    if u.startswith("naut") or u == "nmi":
        return x * KM_PER_NMI
    if u.startswith("mile"):
        return x * KM_PER_MILE
    return x


def _bearing(m: re.Match[str]) -> tuple[float, float]:
    parts = [p.lower() for p in m.groups()[2:5] if p]
    key = "".join(parts)
    if key not in _BEARING:
        raise LandingError(f"cannot read the direction {'-'.join(parts)!r}")
    return _BEARING[key], 11.25 if len(parts) == 3 else 22.5


def parse_landing(
    text: str | None,
    site_lat_deg: float | None = None,
    site_lon_deg: float | None = None,
    *,
    n: int = N_SAMPLES,
    seed: int = 0,
) -> LandingEstimate | None:
    """The landing point a description gives, or ``None`` when it places the landing relative
    to nothing the parser reads.  Raises :class:`LandingError` for an unknown reference point."""
    if not text:
        return None
    rng = np.random.default_rng(seed)
    for pattern, kind in ((_REL, "rel"), (_OFF, "off"), (_IN, "in")):
        m = pattern.search(text)
        if m is None:
            continue
        ref = m.group("ref")
        lm = _lookup(ref)
        if lm is None:
            if kind == "in":
                continue  # "fell in the Sea of Japan" is a sea area, not a landmark
            known = ", ".join(sorted({v.name for v in landmarks().values()}))
            raise LandingError(
                f"unknown reference point {ref!r} in the landing description; known: {known}"
            )
        if kind == "in":
            if lm.radius_km is None:
                continue
            r = lm.radius_km * np.sqrt(rng.uniform(0, 1, n))
            az = rng.uniform(-180, 180, n)
            lat, lon, _ = geodesy.direct(lm.lat_deg, lm.lon_deg, az, r * 1e3)
            return LandingEstimate(
                text,
                lm.name,
                lm.lat_deg,
                lm.lon_deg,
                None,
                lm.radius_km,
                None,
                180.0,
                np.asarray(lat),
                np.asarray(lon),
            )
        dist = _km(m.group(1), m.group(2))
        half = (
            rounding_halfwidth(float(m.group(1).replace(",", "")))
            * dist
            / float(m.group(1).replace(",", ""))
        )
        if kind == "rel":
            bearing, spread = _bearing(m)
        elif site_lat_deg is not None and site_lon_deg is not None:
            az_site, _, _ = geodesy.inverse(lm.lat_deg, lm.lon_deg, site_lat_deg, site_lon_deg)
            bearing, spread = float(np.mod(az_site, 360.0)), 90.0
        else:
            bearing, spread = None, 180.0
        d = rng.uniform(max(dist - half, 0.0), dist + half, n)
        centre = 0.0 if bearing is None else bearing
        az = centre + rng.uniform(-spread, spread, n)
        lat, lon, _ = geodesy.direct(lm.lat_deg, lm.lon_deg, az, d * 1e3)
        if bearing is None:
            plat, plon = lm.lat_deg, lm.lon_deg
        else:
            plat, plon, _ = geodesy.direct(lm.lat_deg, lm.lon_deg, bearing, dist * 1e3)
        return LandingEstimate(
            text,
            lm.name,
            float(plat),
            float(plon),
            dist,
            half,
            bearing,
            spread,
            np.asarray(lat),
            np.asarray(lon),
        )
    return None


def zone_probabilities(
    lat_deg: ArrayLike, lon_deg: ArrayLike, country: str = "JPN"
) -> dict[str, float | int]:
    """Shares of sample points in ``country``'s territorial sea or EEZ, on land (any country),
    and on the high seas."""
    from ..earth.zones import classify

    z = classify(np.asarray(lat_deg), np.asarray(lon_deg))
    n = max(int(np.size(z.kind)), 1)
    return {
        f"p_{country.lower()}_eez": float(np.count_nonzero(z.within(country))) / n,
        "p_land": float(np.count_nonzero(z.kind == "land")) / n,
        "p_high_seas": float(np.count_nonzero(z.kind == "high_seas")) / n,
        "n_samples": n,
    }
