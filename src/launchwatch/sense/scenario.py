"""Scenario files: launches and sensors, one seed for the whole run.

A scenario is a YAML file (the shipped ones live in ``launchwatch/sense/scenarios/``)::

    name: reference-2025-11-07
    epoch: "2025-11-07T12:35:00+09:00"   # time zero, ISO 8601 with offset
    seed: 20251107                      # makes the whole run reproducible
    time_step_s: 0.1                    # truth sampling
    rcs_m2: 0.05                        # radar cross-section of every target
    launches:
      - id: M1
        site: Taekwan                   # or lat_deg / lon_deg
        time_s: 0.0                     # launch time after the epoch
        vehicle: KN-23                  # catalog name; omit for the generic boost
        range_km: 700                   # with toward / azimuth_deg; or target: {lat_deg, lon_deg}
        toward: East Sea
        trajectory: min-energy          # min-energy | lofted | depressed (+ apogee_km)
    sensors:
      - TPY2-Shariki                    # a catalog sensor by name
      - {base: Aegis, id: Aegis-1, lat_deg: 38.6, lon_deg: 133.0}   # a catalog sensor, moved

Instead of a vehicle and a trajectory, a launch may give a ``burnout`` state
(``speed_km_s, angle_deg, altitude_km, time_s``) and coast from it.  Validation is strict: an
unknown key or a bad value is reported as one line naming the field (``launches.0.range_km: ...``).
"""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

Finite = Annotated[float, Field(allow_inf_nan=False)]


class ScenarioError(ValueError):
    """A scenario file with a mistake; the message is one line naming the field."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TargetPoint(_Model):
    lat_deg: Annotated[Finite, Field(ge=-90, le=90)]
    lon_deg: Annotated[Finite, Field(ge=-180, le=360)]


class Burnout(_Model):
    """A burnout state: speed (Earth-relative), flight-path angle, altitude and time after
    launch; the body then coasts (ballistic coefficient from ``beta_kg_m2``)."""

    speed_km_s: Annotated[Finite, Field(gt=0, lt=11)]
    angle_deg: Annotated[Finite, Field(gt=-90, lt=90)]
    altitude_km: Annotated[Finite, Field(ge=0, le=2000)]
    time_s: Annotated[Finite, Field(ge=0, le=1000)] = 60.0
    beta_kg_m2: Annotated[Finite, Field(gt=0)] = 10_000.0


class Launch(_Model):
    id: str
    site: str | None = None
    lat_deg: Annotated[Finite, Field(ge=-90, le=90)] | None = None
    lon_deg: Annotated[Finite, Field(ge=-180, le=360)] | None = None
    time_s: Annotated[Finite, Field(ge=0)] = 0.0
    vehicle: str | None = None
    range_km: Annotated[Finite, Field(gt=0, lt=20_000)] | None = None
    apogee_km: Annotated[Finite, Field(gt=0)] | None = None
    trajectory: Literal["min-energy", "lofted", "depressed"] = "min-energy"
    toward: str | None = None
    azimuth_deg: Finite | None = None
    target: TargetPoint | None = None
    burnout: Burnout | None = None
    # the missile breaks up (vanishes) this many seconds after launch: the truth ends there
    breakup_s: Annotated[Finite, Field(gt=0)] | None = None
    # no sensor sees the missile after this many seconds after launch (it flies on unseen)
    sensed_until_s: Annotated[Finite, Field(gt=0)] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Launch:
        if (self.site is None) == (self.lat_deg is None or self.lon_deg is None):
            raise ValueError("give either site or both lat_deg and lon_deg")
        aims = sum(x is not None for x in (self.toward, self.azimuth_deg, self.target))
        if aims != 1:
            raise ValueError("give exactly one of toward, azimuth_deg, target")
        if self.burnout is None and self.range_km is None and self.target is None:
            raise ValueError("give range_km (or a target point, or a burnout state)")
        if self.burnout is not None and self.vehicle is not None:
            raise ValueError("give a vehicle or a burnout state, not both")
        if self.trajectory != "min-energy" and self.apogee_km is None and self.burnout is None:
            raise ValueError(f"a {self.trajectory} trajectory needs apogee_km")
        return self


class Outage(_Model):
    """A window (s after the epoch) in which a sensor reports nothing."""

    start_s: Annotated[Finite, Field(ge=0)]
    end_s: Annotated[Finite, Field(ge=0)]

    @model_validator(mode="after")
    def _ordered(self) -> Outage:
        if self.end_s < self.start_s:
            raise ValueError("end_s must not be before start_s")
        return self


class SensorRef(_Model):
    """A catalog sensor, optionally moved or re-pointed (ships, exercises), with its
    performance varied (``pd``, noise, ``revisit_s``: checked by the sensor catalog's ranges)
    and out of service in ``outages``."""

    base: str
    id: str | None = None
    lat_deg: Annotated[Finite, Field(ge=-90, le=90)] | None = None
    lon_deg: Annotated[Finite, Field(ge=-180, le=360)] | None = None
    height_m: Finite | None = None
    boresight_az_deg: Finite | None = None
    boresight_el_deg: Finite | None = None
    pd: Finite | None = None
    revisit_s: Finite | None = None
    sigma_range_m: Finite | None = None
    sigma_angle_mrad: Finite | None = None
    sigma_range_rate_m_s: Finite | None = None
    sigma_angle_urad: Finite | None = None
    false_alarms_per_scan: Finite | None = None
    outages: list[Outage] = []

    def sensor_spec(self) -> dict:
        """The mapping :func:`launchwatch.sense.sensors.build_sensor` takes (no outages)."""
        return {k: v for k, v in self.model_dump(exclude={"outages"}).items() if v is not None}


def outage_windows(scenario: Scenario, sensor_names: list[str]) -> dict[str, list[tuple]]:
    """Per reporting sensor name, its outage windows ``[(start s, end s)]`` (scenario time):
    when it made no scan at all, as an operator's sensor-status feed would say;
    ``sensor_names[i]`` is the name the i-th scenario sensor reports under."""
    out: dict[str, list[tuple]] = {}
    for ref, name in zip(scenario.sensors, sensor_names, strict=True):
        if isinstance(ref, SensorRef) and ref.outages:
            out.setdefault(str(name), []).extend(
                (float(o.start_s), float(o.end_s)) for o in ref.outages
            )
    return out


def drop_outages(scenario: Scenario, detections, truth_ids, sensor_names: list[str]):
    """Detections (and their aligned truth ids) without those a sensor made during one of its
    outages; ``sensor_names[i]`` is the name the i-th scenario sensor reports under."""
    import numpy as np

    keep = np.ones(detections.size, bool)
    for name, windows in outage_windows(scenario, sensor_names).items():
        keep &= ~((detections["sensor"] == name) & in_outage(detections["t_s"], windows))
    return detections[keep], truth_ids[keep]


def in_outage(t_s, windows):
    """Whether each time ``t_s`` (s, any shape) lies in one of ``windows`` ``[(start s, end
    s)]`` (:func:`outage_windows`), ends included: the one test of "out of service" for the
    detections dropped (:func:`drop_outages`) and the scans not made (the warning corridor)."""
    import numpy as np

    t = np.asarray(t_s, float)
    out = np.zeros(t.shape, bool)
    for start, end in windows:
        out |= (t >= start) & (t <= end)
    return out


class Scenario(_Model):
    name: str
    description: str = ""
    epoch: dt.datetime
    seed: int
    time_step_s: Annotated[Finite, Field(gt=0, le=10)] = 0.1
    duration_s: Annotated[Finite, Field(gt=0, le=20_000)] | None = None
    rcs_m2: Annotated[Finite, Field(gt=0)] = 0.1
    launches: Annotated[list[Launch], Field(min_length=1)]
    sensors: Annotated[list[str | SensorRef], Field(min_length=1)]

    @model_validator(mode="after")
    def _checks(self) -> Scenario:
        if self.epoch.tzinfo is None:
            raise ValueError("epoch needs a UTC offset, e.g. 2025-11-07T12:35:00+09:00")
        ids = [launch.id for launch in self.launches]
        if len(set(ids)) != len(ids):
            raise ValueError("launch ids must be unique")
        from ..flight.catalog import get_site, get_vehicle, normalize_name
        from ..flight.sea_areas import sea_area_names, sea_areas
        from .sensors import get_sensor  # it imports this module's neighbours: on use

        for i, launch in enumerate(self.launches):  # names the flight needs, before flying
            try:
                if launch.site is not None:
                    get_site(launch.site)
                if launch.vehicle is not None:
                    get_vehicle(launch.vehicle)
            except KeyError as exc:  # UnknownNameError: one line with the known names
                raise ValueError(f"launches.{i}: {exc.args[0] if exc.args else exc}") from None
            if launch.toward is not None and normalize_name(launch.toward) not in sea_areas():
                known = ", ".join(sorted(sea_area_names(aliases=False)))
                raise ValueError(
                    f"launches.{i}.toward: unknown sea area {launch.toward!r}; known: {known}"
                )

        for i, ref in enumerate(self.sensors):
            name = ref if isinstance(ref, str) else ref.base
            try:
                get_sensor(name)
            except KeyError as exc:  # UnknownNameError: one line with the known names
                raise ValueError(f"sensors.{i}: {exc.args[0] if exc.args else exc}") from None
        return self


def _one_line(exc: ValidationError, source: str) -> str:
    err = exc.errors()[0]
    loc = ".".join(str(x) for x in err["loc"]) or "(top level)"
    msg = err["msg"].removeprefix("Value error, ")
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{source}: {loc}: {msg}{more}"


def shipped_scenarios() -> list[str]:
    """Names of the scenarios shipped with launchwatch."""
    folder = resources.files("launchwatch.sense.scenarios")
    return sorted(
        p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml")
    )


#: Largest scenario file read, bytes.
MAX_SCENARIO_BYTES = 1 << 20


def load_scenario(name_or_path: str | Path) -> Scenario:
    """A shipped scenario by name, or a YAML file by path; :class:`ScenarioError` otherwise."""
    path = Path(name_or_path)
    try:
        is_file = path.suffix in (".yaml", ".yml") or path.exists()
    except (OSError, ValueError):  # a name too long for a path, a NUL in it
        raise ScenarioError(
            f"unknown scenario {str(name_or_path)[:80]!r}; shipped: "
            f"{', '.join(shipped_scenarios())}"
        ) from None
    if len(str(name_or_path)) > 4096:
        raise ScenarioError("the scenario name or path is longer than 4096 characters")
    if is_file:
        from ..files import InputFileError, read_text

        source = str(path)
        try:
            text = read_text(path, limit=MAX_SCENARIO_BYTES, what="scenario")
        except InputFileError as exc:
            raise ScenarioError(str(exc)) from None
    else:
        res = resources.files("launchwatch.sense.scenarios").joinpath(f"{name_or_path}.yaml")
        if str(name_or_path) not in shipped_scenarios() or not res.is_file():
            raise ScenarioError(
                f"unknown scenario {str(name_or_path)!r}; shipped: {', '.join(shipped_scenarios())}"
            )
        source, text = f"{name_or_path}.yaml", res.read_text()
    return parse_scenario(text, source)


#: Most YAML nodes a scenario may expand to (aliases counted each time they are used): a
#: small file cannot make the validator walk an exponential tree ("billion laughs").
MAX_SCENARIO_NODES = 200_000


def _expanded_nodes(text: str) -> int:
    """Nodes of the YAML document with every alias expanded, counted without expanding."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if root is None:
        return 0
    sizes: dict[int, int] = {}

    def size(node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        sizes[key] = 1  # a cycle counts once
        if isinstance(node, yaml.MappingNode):
            n = 1 + sum(size(k) + size(v) for k, v in node.value)
        elif isinstance(node, yaml.SequenceNode):
            n = 1 + sum(size(v) for v in node.value)
        else:
            n = 1
        sizes[key] = min(n, MAX_SCENARIO_NODES + 1)
        return sizes[key]

    return size(root)


def parse_scenario(text: str, source: str = "scenario") -> Scenario:
    """A scenario from YAML text (a file's, or one uploaded to the service), validated;
    :class:`ScenarioError` with one line naming ``source`` and the field otherwise."""
    try:
        if _expanded_nodes(text) > MAX_SCENARIO_NODES:
            raise ScenarioError(
                f"{source}: expands to more than {MAX_SCENARIO_NODES:,} YAML nodes (aliases)"
            )
        raw = yaml.safe_load(text)
    except RecursionError:
        raise ScenarioError(f"{source}: nested too deeply to be a scenario") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise ScenarioError(
            f"{source}:{where}: not valid YAML ({getattr(exc, 'problem', None) or exc})"
        ) from None
    if not isinstance(raw, dict):
        raise ScenarioError(
            f"{source}: a scenario is a mapping with name, epoch, seed, launches and sensors"
        )
    try:
        return Scenario.model_validate(raw)
    except ValidationError as exc:
        raise ScenarioError(_one_line(exc, source)) from None
