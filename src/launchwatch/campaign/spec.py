"""Campaign specs: YAML, validated by pydantic, every mistake reported as one line.

A *distribution* (written ``Dist`` below) is one of

* a number: always that value;
* ``[low, high]``: uniform between the two (integers inclusive for integer fields);
* ``{value: weight, ...}``: one of the values with probability proportional to its weight.

Names (``sites``, ``classes``, ``sensors``) map to weights or probabilities.  Example::

    name: regional-2019-2025
    threat:
      sites: {Taekwan: 2, Sunan: 3}          # catalog sites, weights
      classes: {kn23-glide: 2, srbm: 3}      # campaign/classes.py, weights
      salvo_size: {1: 6, 2: 3, 4: 1}         # Dist, 1-24 missiles
      launch_spacing_s: [2, 20]              # Dist, s between launches of a salvo
      aim_spacing_km: [2, 20]                # Dist, km between neighbouring aim points
      crossing: 0.2                          # probability a salvo comes from two sites, crossing
      bearing_jitter_deg: 10                 # Dist, +- deg around the class's bearing
      launch_hour: [0, 24]                   # Dist, local hour of the first launch
      date: 2025-01-01                       # the day (local, utc_offset)
    sensors:
      fixed: {TPY2-Shariki: 1.0, SBIRS-GEO-1: 1.0}   # catalog sensors, probability present
      ships: [{id: Aegis-SeaOfJapan, lat_deg: [38.5, 39.5], lon_deg: [133.5, 135], p: 0.8}]
      outages: {p: 0.1, start_s: [0, 300], duration_s: [30, 180]}   # per sensor
      pd_scale: [0.9, 1.0]        # Dist, times the catalog Pd (capped at 1)
      noise_scale: [1.0, 1.5]     # Dist, times the catalog 1-sigma noise
      revisit_scale: [1.0, 1.5]   # Dist, times the catalog revisit time
    chain:
      assess_interval_s: 4        # Dist, s of scenario time between assessments
      samples: 300                # Dist (integer), Monte Carlo samples per track
      p_issue: 0.10               # Dist, warning issue threshold (WarningPolicy)
      p_keep: 0.03                # Dist, keep threshold (capped at p_issue)
      max_ellipse_km: 100         # Dist, ellipse rule's size limit
"""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..flight.catalog import UnknownNameError, get_site
from ..sense.sensors import get_sensor
from .classes import CLASSES

Finite = Annotated[float, Field(allow_inf_nan=False)]
Weight = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Probability = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
DistValue = Finite | tuple[Finite, Finite] | dict[Finite, Weight]


class SpecError(ValueError):
    """A campaign spec with a mistake; the message is one line naming the field."""


def _bounded(lo: float, hi: float, integer: bool = False):
    """Validator: every value a distribution can produce lies in [lo, hi] (and is an integer)."""

    def check(v: DistValue) -> DistValue:
        if isinstance(v, tuple):
            if v[0] > v[1]:
                raise ValueError("a range is [low, high] with low <= high")
            values = list(v)
        elif isinstance(v, dict):
            if not v or sum(v.values()) <= 0:
                raise ValueError("a choice needs at least one value with a positive weight")
            values = list(v)
        else:
            values = [v]
        for x in values:
            if not lo <= x <= hi:
                raise ValueError(f"values must lie in [{lo:g}, {hi:g}] (got {x:g})")
            if integer and x != int(x):
                raise ValueError(f"values must be integers (got {x:g})")
        return v

    return AfterValidator(check)


def draw(d: DistValue, rng: np.random.Generator, integer: bool = False) -> float:
    """One value of distribution ``d`` (see module docstring); consumes one draw of ``rng``
    whatever the form, so changing one field's form does not shift the others' streams."""
    u = rng.random()
    if isinstance(d, tuple):
        lo, hi = d
        if integer:
            return int(min(float(np.floor(lo + u * (hi - lo + 1))), hi))
        return float(lo + u * (hi - lo))
    if isinstance(d, dict):
        keys = list(d)
        w = np.array([d[k] for k in keys], float)
        i = min(int(np.searchsorted(np.cumsum(w) / w.sum(), u, side="right")), len(keys) - 1)
        return int(keys[i]) if integer else float(keys[i])
    return int(d) if integer else float(d)


def pick(weights: dict[str, float], rng: np.random.Generator) -> str:
    """One name of ``weights`` with probability proportional to its weight."""
    names = list(weights)
    w = np.array([weights[n] for n in names], float)
    u = rng.random()
    return names[min(int(np.searchsorted(np.cumsum(w) / w.sum(), u, side="right")), len(names) - 1)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _positive_total(v: dict[str, float]) -> dict[str, float]:
    if not v or sum(v.values()) <= 0:
        raise ValueError("needs at least one name with a positive weight")
    return v


class Threat(_Model):
    sites: Annotated[dict[str, Weight], AfterValidator(_positive_total)]
    classes: Annotated[dict[str, Weight], AfterValidator(_positive_total)]
    salvo_size: Annotated[DistValue, _bounded(1, 24, integer=True)] = 1
    launch_spacing_s: Annotated[DistValue, _bounded(0, 600)] = 5.0
    aim_spacing_km: Annotated[DistValue, _bounded(0, 500)] = 10.0
    crossing: Probability = 0.0
    bearing_jitter_deg: Annotated[DistValue, _bounded(0, 60)] = 10.0
    launch_hour: Annotated[DistValue, _bounded(0, 24)] = (0.0, 24.0)
    date: dt.date = dt.date(2025, 1, 1)
    utc_offset: Annotated[str, Field(pattern=r"^[+-]\d\d:\d\d$")] = "+09:00"

    @field_validator("sites")
    @classmethod
    def _known_sites(cls, v: dict[str, float]) -> dict[str, float]:
        for name in v:
            try:
                get_site(name)
            except (UnknownNameError, KeyError) as exc:
                raise ValueError(str(exc).strip("'")) from None
        return v

    @field_validator("classes")
    @classmethod
    def _known_classes(cls, v: dict[str, float]) -> dict[str, float]:
        for name in v:
            if name not in CLASSES:
                raise ValueError(f"unknown threat class {name!r}; known: {', '.join(CLASSES)}")
        return v


class Ship(_Model):
    """A ship-borne radar (a catalog sensor moved), present with probability ``p``."""

    id: Annotated[str, Field(min_length=1, max_length=24)]
    base: str = "Aegis"
    lat_deg: Annotated[DistValue, _bounded(-90, 90)]
    lon_deg: Annotated[DistValue, _bounded(-180, 360)]
    boresight_az_deg: Finite | None = None
    p: Probability = 1.0

    @field_validator("base")
    @classmethod
    def _known_base(cls, v: str) -> str:
        _check_sensor(v)
        return v


class Outages(_Model):
    """Each sensor is out once with probability ``p``: from ``start_s`` after the first launch,
    for ``duration_s``."""

    p: Probability = 0.0
    start_s: Annotated[DistValue, _bounded(0, 20_000)] = (0.0, 300.0)
    duration_s: Annotated[DistValue, _bounded(0, 20_000)] = (30.0, 180.0)


def _check_sensor(name: str) -> None:
    try:
        get_sensor(name)
    except (UnknownNameError, KeyError) as exc:
        raise ValueError(str(exc).strip("'")) from None


class Sensors(_Model):
    fixed: Annotated[dict[str, Probability], Field(min_length=1)]
    ships: list[Ship] = []
    outages: Outages = Outages()
    pd_scale: Annotated[DistValue, _bounded(0.01, 10)] = 1.0
    noise_scale: Annotated[DistValue, _bounded(0.01, 100)] = 1.0
    revisit_scale: Annotated[DistValue, _bounded(0.1, 100)] = 1.0

    @field_validator("fixed")
    @classmethod
    def _known(cls, v: dict[str, float]) -> dict[str, float]:
        for name in v:
            _check_sensor(name)
        return v


class Chain(_Model):
    assess_interval_s: Annotated[DistValue, _bounded(0.5, 600)] = 2.0
    samples: Annotated[DistValue, _bounded(2, 100_000, integer=True)] = 1000
    p_issue: Annotated[DistValue, _bounded(0.001, 1)] = 0.10
    p_keep: Annotated[DistValue, _bounded(0.001, 1)] = 0.03
    max_ellipse_km: Annotated[DistValue, _bounded(1, 5000)] = 100.0


class CampaignSpec(_Model):
    name: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")]
    description: str = ""
    threat: Threat
    sensors: Sensors
    chain: Chain = Chain()


def _one_line(exc: ValidationError, source: str) -> str:
    err = exc.errors()[0]
    loc = ".".join(str(x) for x in err["loc"]) or "(top level)"
    msg = err["msg"].removeprefix("Value error, ")
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{source}: {loc}: {msg}{more}"


def shipped_specs() -> list[str]:
    """Names of the campaign specs shipped with launchwatch."""
    folder = resources.files("launchwatch.campaign").joinpath("specs")
    return sorted(
        p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml")
    )


def spec_from_dict(raw: Any, source: str = "spec") -> CampaignSpec:
    """Validate a mapping; :class:`SpecError` (one line) otherwise."""
    if not isinstance(raw, dict):
        raise SpecError(f"{source}: a campaign spec is a mapping with name, threat and sensors")
    try:
        return CampaignSpec.model_validate(raw)
    except ValidationError as exc:
        raise SpecError(_one_line(exc, source)) from None


def load_spec(name_or_path: str | Path) -> tuple[CampaignSpec, str]:
    """A shipped spec by name or a YAML file by path, and the text it came from.  A folder named
    like a shipped spec (``--out single-missile``, then ``--resume``) does not hide the spec."""
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") or path.is_file():
        source = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SpecError(
                f"{source}: cannot read ({getattr(exc, 'strerror', None) or exc})"
            ) from None
    else:
        res = resources.files("launchwatch.campaign").joinpath("specs", f"{name_or_path}.yaml")
        if not res.is_file():
            raise SpecError(
                f"unknown campaign spec {str(name_or_path)!r}; shipped: "
                f"{', '.join(shipped_specs())}"
            )
        source, text = f"{name_or_path}.yaml", res.read_text("utf-8")
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise SpecError(
            f"{source}:{where}: not valid YAML ({getattr(exc, 'problem', None) or exc})"
        ) from None
    return spec_from_dict(raw, source), text
