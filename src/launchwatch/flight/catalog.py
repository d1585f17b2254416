"""Vehicle and launch-site catalog: typed, validated views of ``flight/data/*.yaml``. Units are
SI (m, kg, s) unless a name says otherwise (``_km``, ``_deg``). Most stage figures are analyst or
launchwatch *estimates*, not facts; the YAML comments say which."""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from dataclasses import MISSING, dataclass, fields
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from launchwatch.earth.constants import G0_M_S2

from .classes import RANGE_CLASS_NAMES


class CatalogError(ValueError):
    """Invalid catalog data; the message names the vehicle or site and the field."""


class UnknownNameError(KeyError):
    """No vehicle or site has that name or alias; the message lists the known names."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0])


@dataclass(frozen=True, slots=True, kw_only=True)
class Stage:
    """One propulsive stage: burn time in s, masses in kg, vacuum specific impulse in s."""

    burn_time_s: float
    propellant_mass_kg: float
    dry_mass_kg: float
    isp_vac_s: float


@dataclass(frozen=True, slots=True, kw_only=True)
class LiftModel:
    """Linear lift of a quasi-ballistic body: ``CL = cl_alpha_per_rad * alpha`` (1/rad)."""

    cl_alpha_per_rad: float
    max_alpha_deg: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Report:
    """One authority's figures for a flight test (``None`` where it gave none)."""

    by: str
    apogee_km: float | None = None
    range_km: float | None = None
    flight_time_s: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class FlightTest:
    """A published flight test: primary apogee and range (km), flight time (s), reports."""

    date: dt.date
    apogee_km: float | None = None
    range_km: float | None = None
    flight_time_s: float | None = None
    lofted: bool
    launch_site: str | None = None
    note: str = ""
    reports: tuple[Report, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Vehicle:
    """A missile class; ``cd_mach`` = ((Mach, Cd), ...) refers to ``reference_area_m2`` (m^2)."""

    name: str
    aliases: tuple[str, ...] = ()
    range_class: str
    propellant: str
    quasi_ballistic: bool
    stages: tuple[Stage, ...]
    payload_mass_kg: float
    reference_area_m2: float
    cd_mach: tuple[tuple[float, float], ...]
    lift: LiftModel | None = None
    body_separates: bool = False
    length_m: float | None = None
    diameter_m: float | None = None
    launch_mass_range_kg: tuple[float, float] | None = None
    flight_tests: tuple[FlightTest, ...] = ()

    @property
    def launch_mass_kg(self) -> float:
        """Sum of stage propellant and dry masses plus payload, kg."""
        return self.payload_mass_kg + sum(s.propellant_mass_kg + s.dry_mass_kg for s in self.stages)

    @property
    def ideal_delta_v_m_s(self) -> float:
        """Tsiolkovsky vacuum delta-v over all stages (no gravity or drag losses), m/s."""
        mass, dv = self.launch_mass_kg, 0.0
        for s in self.stages:
            dv += s.isp_vac_s * G0_M_S2 * math.log(mass / (mass - s.propellant_mass_kg))
            mass -= s.propellant_mass_kg + s.dry_mass_kg
        return dv


@dataclass(frozen=True, slots=True, kw_only=True)
class Site:
    """A launch site or launch area: WGS84 geodetic latitude and longitude, degrees."""

    name: str
    aliases: tuple[str, ...] = ()
    province: str
    lat_deg: float
    lon_deg: float
    note: str = ""


# Closed bounds [lo, hi] for some numbers; every other number must be in (0, limit].
_BOUNDS = {"lat_deg": (-90.0, 90.0), "lon_deg": (-180.0, 180.0)}
_LIMITS = {"isp_vac_s": 500.0, "max_alpha_deg": 90.0}
_CHOICES = {"propellant": ("liquid", "solid"), "range_class": RANGE_CLASS_NAMES}
_NESTED = {c.__name__: c for c in (Stage, LiftModel, Report, FlightTest)}


def normalize_name(name: str) -> str:
    """Lookup key: case-folded, spaces, hyphens, apostrophes and other punctuation removed."""
    # ``[\W_]`` is exactly what ``str.isalnum`` refuses, so a name with nothing to remove
    # (most names, and a long hostile one) skips the regex: one C pass instead of a match tried
    # at each character (10,000 characters: 70 us, not 420 us); a name-sized one with
    # punctuation is remembered (the record compares every report's site names with each
    # other's on each request: the same few names again and again)
    if name.isalnum():
        return name.casefold()
    return _normalize_short(name) if len(name) <= 128 else _normalize(name)


def _normalize(name: str) -> str:
    return re.sub(r"[\W_]+", "", name).casefold()


# bounded: the names come from clients (at most 1,024 of at most 128 characters)
_normalize_short = lru_cache(maxsize=1024)(_normalize)


def _number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def _convert(kind: str, name: str, value: Any, owner: str) -> Any:
    """Check and convert one YAML value to the dataclass field type ``kind`` (a string)."""
    if kind == "float":
        lo, hi = _BOUNDS.get(name, (0.0, _LIMITS.get(name, math.inf)))
        if not _number(value) or not (lo <= value <= hi) or (name not in _BOUNDS and value == 0):
            raise ValueError(f"must be a number in {'[' if name in _BOUNDS else '('}{lo}, {hi}]")
        return float(value)
    if kind in ("str", "bool"):
        if (
            type(value).__name__ != kind
            or value == ""
            or (name in _CHOICES and value not in _CHOICES[name])
        ):
            raise ValueError(f"must be {' | '.join(_CHOICES.get(name, ('a ' + kind,)))}")
        return value
    if kind == "dt.date":
        if isinstance(value, dt.date) or re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(value)):
            return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
        raise ValueError("must be an ISO date YYYY-MM-DD")
    if kind in _NESTED:
        return _build(_NESTED[kind], value, f"{owner} {name}")
    if not isinstance(value, list):
        raise ValueError("must be a list")
    if (inner := kind.removeprefix("tuple[").removesuffix(", ...]")) in _NESTED and (
        value or name != "stages"
    ):
        label = f"{owner} {name.removesuffix('s').replace('_', ' ')}"
        return tuple(_build(_NESTED[inner], v, f"{label} {i}") for i, v in enumerate(value, 1))
    if kind == "tuple[str, ...]" and all(isinstance(a, str) and a.strip() for a in value):
        return tuple(value)
    if (
        kind == "tuple[float, float]"
        and len(value) == 2
        and all(map(_number, value))
        and 0 < value[0] <= value[1]
    ):
        return (float(value[0]), float(value[1]))
    if (
        kind == "tuple[tuple[float, float], ...]"
        and value
        and all(isinstance(p, list) and len(p) == 2 and all(map(_number, p)) for p in value)
    ):
        mach = [p[0] for p in value]
        if (
            mach[0] >= 0
            and all(b > a for a, b in zip(mach, mach[1:], strict=False))
            and all(p[1] > 0 for p in value)
        ):
            return tuple((float(m), float(c)) for m, c in value)
        raise ValueError("must have Mach >= 0 strictly increasing and Cd > 0")
    raise ValueError(f"must be a non-empty list matching {kind}")


def _build(cls: Any, raw: Any, owner: str) -> Any:
    """Construct dataclass ``cls`` from the YAML mapping ``raw``, validating every field."""
    if not isinstance(raw, dict):
        raise CatalogError(f"{owner}: expected a mapping, got {type(raw).__name__}")
    known = {f.name: f for f in fields(cls)}
    if unknown := sorted(set(map(str, raw)) - set(known)):
        raise CatalogError(f"{owner}: unknown field(s) {', '.join(unknown)}")
    kwargs = {}
    for name, f in known.items():
        if raw.get(name) is None:
            if f.default is MISSING and "None" not in f.type:
                raise CatalogError(f"{owner}: field '{name}' is required")
            continue
        try:  # f.type is the annotation string (postponed annotations), e.g. "float | None"
            kwargs[name] = _convert(f.type.split(" | ")[0], name, raw[name], owner)
        except (TypeError, ValueError) as exc:
            raise (
                exc
                if isinstance(exc, CatalogError)
                else CatalogError(f"{owner}: field '{name}' {exc} (got {raw[name]!r})")
            ) from None
    return cls(**kwargs)


def _load(path: str | Path | None, default: str, key: str, cls: Any) -> dict[str, Any]:
    where = str(path) if path is not None else f"packaged {default}"
    try:
        text = (
            Path(path).read_text(encoding="utf-8")
            if path is not None
            else resources.files("launchwatch.flight").joinpath("data", default).read_text("utf-8")
        )
        doc = yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise CatalogError(f"cannot read catalog {where}: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get(key), list) or not doc[key]:
        raise CatalogError(f"catalog {where}: expected a non-empty '{key}:' list")
    entries: dict[str, Any] = {}
    owners: dict[str, tuple[int, str]] = {}
    for i, raw in enumerate(doc[key], 1):
        name = raw.get("name") if isinstance(raw, dict) else None
        item = _build(cls, raw, f"{key[:-1]} {name or i!r}")
        for alias in (item.name, *item.aliases):
            first = owners.setdefault(norm := normalize_name(alias), (i, item.name))
            if not norm or first[0] != i:
                why = "has no letters or digits" if not norm else f"is used by {first[1]!r}"
                raise CatalogError(f"{key[:-1]} {item.name!r}: name/alias {alias!r} {why}")
        entries[item.name] = item
    return entries


def load_vehicles(path: str | Path | None = None) -> dict[str, Vehicle]:
    """Vehicles by canonical name from ``path`` (same YAML format) or the packaged catalog."""
    return _load(path, "vehicles.yaml", "vehicles", Vehicle)


def load_sites(path: str | Path | None = None) -> dict[str, Site]:
    """Launch sites by canonical name from ``path`` (same YAML format) or the packaged catalog."""
    return _load(path, "sites.yaml", "sites", Site)


@cache
def _packaged(kind: str) -> dict[str, Any]:
    return load_vehicles() if kind == "vehicle" else load_sites()


def packaged_vehicles() -> dict[str, Vehicle]:
    """The packaged vehicle catalog by canonical name, read once per process (the dictionary
    is shared: read it, do not change it)."""
    vehicles: dict[str, Vehicle] = _packaged("vehicle")
    return vehicles


@cache
def _index(kind: str) -> dict[str, str]:
    """Normalized name or alias -> canonical name, of the packaged catalog ``kind``."""
    items = _packaged(kind)
    return {normalize_name(a): v.name for v in items.values() for a in (v.name, *v.aliases)}


@cache
def _known(kind: str) -> str:
    """The canonical names of the packaged catalog ``kind``, sorted, for an error message."""
    return ", ".join(sorted(_packaged(kind)))


@lru_cache(maxsize=1024)  # bounded: the names come from clients (the record's site names)
def _closest(kind: str, key: str) -> tuple[str, ...]:
    return tuple(difflib.get_close_matches(key, _index(kind), n=1))


def _lookup(kind: str, name: str) -> Any:
    # The index and the near-miss hint are cached: the record's API compares every listed
    # report's site with the catalog (record/compare.py), once per report per request.
    items, index = _packaged(kind), _index(kind)
    key = normalize_name(str(name))
    if (hit := index.get(key)) is not None:
        return items[hit]
    # A hint only for name-sized keys: the cache holds at most 1,024 keys of <= 128 characters.
    close = _closest(kind, key) if len(key) <= 128 else ()
    hint = f" (did you mean {index[close[0]]!r}?)" if close else ""
    raise UnknownNameError(f"unknown {kind} {name!r}{hint}; known: {_known(kind)}")


def get_vehicle(name: str) -> Vehicle:
    """Packaged vehicle by name or alias; case, spaces and hyphens are ignored."""
    vehicle: Vehicle = _lookup("vehicle", name)
    return vehicle


def get_site(name: str) -> Site:
    """Packaged launch site by name or alias; case, spaces and hyphens are ignored."""
    site: Site = _lookup("site", name)
    return site
