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
  bearing from X towards the site), or the whole circle when the site is unknown; its samples
  are kept at sea ("off" puts the landing in the water); with no distance ("off Cape Erimo")
  the distance is anything up to :data:`OFF_UNSTATED_MAX_KM`;
* a region as the origin (a prefecture, Hokkaido: ``radius_km`` in the gazetteer) is measured
  from its coast along the bearing, not from its centre;
* the direction may be written as letters ("250 km NW of", "WNW"), the distance after the
  reference ("north of Hegura-jima, about 200 km"), the reference with its region in front
  ("Hokkaido's Okushiri Island"); a launch site of the catalog also serves as a reference
  ("off Hamhung");
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
_DIR = (
    r"(?P<dir>(?:north|south|east|west)(?:[- ]?(?:north|south|east|west)){0,2}"
    r"|(?-i:\b[NSEW]{1,3}\b))"
)
# a whole number as written: not the tail of a longer one ("99999 km" is not "999 km") nor of
# a token such as "1e9"
_NUM = r"(?<![\w.,])(?P<num>\d{1,3}(?:,\d{3})*(?:\.\d+)?)"
_UNIT = r"(?P<unit>km|kilometers?|kilometres?|miles?|nautical miles?|nmi)\b"
_REF = r"(?:the\s+)?(?P<ref>[A-Z][\w'\u2019\-]*(?:[ \-][A-Z][\w'\u2019\-]*)*)"
_QUAL = r"(?:(?:about|some|approximately|approx\.?|around|roughly|an estimated|nearly)\s+)?"
_REL = re.compile(
    rf"{_NUM}\s*-?\s*{_UNIT}\s+(?:to the\s+)?{_DIR}(?:ward|erly)?\s+(?:of|from)\s+{_REF}",
    re.I,
)
# The distance after the reference: "north of Hegura-jima, about 200 km", "east of Hokkaido
# some 1,200 km".
_REV = re.compile(
    rf"\b{_DIR}(?:ward|erly)?\s+(?:of|from)\s+{_REF},?\s+(?:by\s+)?{_QUAL}{_NUM}\s*-?\s*{_UNIT}",
    re.I,
)
_OFF = re.compile(
    rf"{_NUM}\s*-?\s*{_UNIT}\s+off\s+(?:the\s+)?(?:(?:\w+\s+)?coast\s+of\s+|shore\s+of\s+)?"
    rf"{_REF}",
    re.I,
)
# "off Cape Erimo", "in the waters off Hamhung": a reference point with no distance.
_OFF_ANY = re.compile(
    rf"\boff\s+(?:the\s+)?(?:(?:\w+\s+)?coast\s+of\s+|shore\s+of\s+)?{_REF}",
    re.I,
)
_IN = re.compile(
    r"\b(?:fell|landed|crashed|impacted)\s+(?:inland\s+)?(?:in|on)\s+(?:the\s+)?"
    r"(?P<ref>[A-Z][\w'\-]*(?:[ \-][A-Z][\w'\-]*)*)",
    re.I,
)
_COMPASS_LETTER = {"n": "north", "s": "south", "e": "east", "w": "west"}

#: "off X" with no distance: the landing is taken to lie within this distance of X's coast,
#: uniform (estimate: reports that give no distance use "off" for waters near the coast; the
#: wide spread says how little the words pin down).
OFF_UNSTATED_MAX_KM = 200.0

#: A region used as an origin ("150 km off the coast of Aomori Prefecture") is measured from
#: its coast: the last land along the bearing from its centre, searched this many radii out.
COAST_SEARCH_RADII = 2.0


#: The farthest a landing can lie from any point on the Earth: half the meridian
#: circumference (WGS84, 20,003.9 km); a larger offset names no point.
MAX_LANDING_OFFSET_KM = 20_003.9


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
    """The gazetteer's point for a reference, else a launch site of the catalog ("off
    Hamhung"); "Hokkaido's Okushiri island" is read as "Okushiri island"."""
    candidates = [ref]
    for apostrophe in ("'s ", "\u2019s "):
        if apostrophe in ref:
            candidates.append(ref.split(apostrophe, 1)[1])
    for find in (lambda key: landmarks().get(normalize_name(key)), _site):  # gazetteer first
        for cand in candidates:
            words = cand.split()
            for n in range(len(words), 0, -1):  # longest known prefix: "Okushiri Island in ..."
                hit = find(" ".join(words[:n]))
                if hit is not None:
                    return hit
    return None


def _site(name: str) -> Landmark | None:
    from .catalog import UnknownNameError, get_site

    try:
        s = get_site(name)
    except UnknownNameError:
        return None
    return Landmark(s.name, "site", s.lat_deg, s.lon_deg)


def _km(num: str, unit: str) -> float:
    x = float(num.replace(",", ""))
    u = unit.lower()
    if u.startswith("naut") or u == "nmi":
        return x * KM_PER_NMI
    if u.startswith("mile"):
        return x * KM_PER_MILE
    return x


def _bearing(m: re.Match[str]) -> tuple[float, float]:
    """Compass bearing and its half-sector from the direction words ("west-northwest", "NW";
    +-22.5 deg for the 8-point rose, +-11.25 deg for a 16-point name)."""
    raw = m.group("dir")
    if raw.isupper() and len(raw) <= 3:  # "WNW": letters of the rose
        parts = [_COMPASS_LETTER[c] for c in raw.lower()]
    else:
        parts = re.findall(r"north|south|east|west", raw.lower())
    key = "".join(parts)
    if key not in _BEARING:
        raise LandingError(f"cannot read the direction {'-'.join(parts)!r}")
    return _BEARING[key], 11.25 if len(parts) == 3 else 22.5


def _coast_origin(lm: Landmark, bearing_deg: float) -> tuple[float, float]:
    """Where a region's coast is along ``bearing_deg`` from its centre: the last land point on
    the ray within :data:`COAST_SEARCH_RADII` radii (1 km steps); the centre when the ray finds
    no land.  Points and cities are their own origin."""
    if lm.radius_km is None:
        return lm.lat_deg, lm.lon_deg
    from ..earth.zones import classify

    span = np.arange(0.0, COAST_SEARCH_RADII * lm.radius_km + 1.0, 1.0)
    lat, lon, _ = geodesy.direct(
        lm.lat_deg, lm.lon_deg, np.full(span.shape, bearing_deg), span * 1e3
    )
    land = np.asarray(classify(np.asarray(lat), np.asarray(lon)).kind) == "land"
    if not land.any():
        return lm.lat_deg, lm.lon_deg
    i = int(np.flatnonzero(land)[-1])
    return float(np.asarray(lat)[i]), float(np.asarray(lon)[i])


def _seaward(
    lm: Landmark, site_lat_deg: float | None, site_lon_deg: float | None
) -> tuple[float | None, float]:
    """ "Off X" gives no bearing: the half-circle facing the launch site, or the whole circle."""
    if site_lat_deg is None or site_lon_deg is None:
        return None, 180.0
    az_site, _, _ = geodesy.inverse(lm.lat_deg, lm.lon_deg, site_lat_deg, site_lon_deg)
    return float(np.mod(az_site, 360.0)), 90.0


def _at_sea(
    lat: np.ndarray, lon: np.ndarray, n: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` of the samples that lie at sea ("off X" places the landing in the water): the
    first ``n`` sea points, topped up by drawing among them again; all of the first ``n``
    samples when none is at sea."""
    from ..earth.zones import classify

    sea = np.asarray(classify(lat, lon).kind) != "land"
    idx = np.flatnonzero(sea)
    if idx.size == 0:
        return lat[:n], lon[:n]
    if idx.size < n:
        idx = np.concatenate([idx, rng.choice(idx, n - idx.size)])
    idx = idx[:n]
    return lat[idx], lon[idx]


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
    for pattern, kind in (
        (_REL, "rel"),
        (_REV, "rel"),
        (_OFF, "off"),
        (_IN, "in"),
        (_OFF_ANY, "off"),
    ):
        m = pattern.search(text)
        if m is None:
            continue
        ref = m.group("ref")
        lm = _lookup(ref)
        if lm is None:
            if kind == "in" or pattern is _OFF_ANY:
                continue  # "fell in the Sea of Japan", "off the east coast": no point named
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
        dist: float | None
        if pattern is _OFF_ANY:
            dist, half = None, 0.5 * OFF_UNSTATED_MAX_KM
        else:
            value = float(m.group("num").replace(",", ""))
            dist = _km(m.group("num"), m.group("unit"))
            if not 0.0 < dist <= MAX_LANDING_OFFSET_KM:
                raise LandingError(
                    f"landing distance {dist:,.0f} km in {text!r} is not a distance from a "
                    f"reference point (above 0 and at most {MAX_LANDING_OFFSET_KM:,.0f} km)"
                )
            half = rounding_halfwidth(value) * dist / value
        bearing: float | None
        if kind == "rel":
            bearing, spread = _bearing(m)
        else:
            bearing, spread = _seaward(lm, site_lat_deg, site_lon_deg)
        olat, olon = (lm.lat_deg, lm.lon_deg) if bearing is None else _coast_origin(lm, bearing)
        mid = OFF_UNSTATED_MAX_KM / 2 if dist is None else dist
        m_draw = 3 * n if kind == "off" else n
        d = rng.uniform(max(mid - half, 0.0), mid + half, m_draw)
        centre = 0.0 if bearing is None else bearing
        az = centre + rng.uniform(-spread, spread, m_draw)
        lat, lon, _ = geodesy.direct(olat, olon, az, d * 1e3)
        if kind == "off":
            lat, lon = _at_sea(np.asarray(lat), np.asarray(lon), n, rng)
        if bearing is None:
            plat, plon = olat, olon
        else:
            plat, plon, _ = geodesy.direct(olat, olon, bearing, mid * 1e3)
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
