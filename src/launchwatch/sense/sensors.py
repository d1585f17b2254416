"""Sensor catalog (typed, validated views of ``sense/data/sensors.yaml``) and the merged feed.

Units are SI unless a name says otherwise (``_deg``, ``_km``, ``_mrad``, ``_urad``); positions
are WGS84 geodetic (height above the ellipsoid) and, through ``ecef_m``, ECEF metres.  Most
performance figures are launchwatch *estimates*, not facts; the YAML comments say which.

Scenarios place and re-point sensors with :meth:`RadarSensor.with_overrides` (e.g. an Aegis ship
at a given position) or :func:`build_sensor` from a plain dict; every path validates, and bad
values raise :class:`SensorConfigError` naming the sensor and the field.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Mapping
from dataclasses import MISSING, dataclass, fields
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import yaml

from launchwatch.earth.frames import geodetic_to_ecef
from launchwatch.flight.catalog import UnknownNameError, normalize_name
from launchwatch.sense import infrared, radar
from launchwatch.sense.records import TRUTH_ID_DTYPE, Truth, empty_detections

__all__ = [
    "SensorConfigError",
    "RadarSensor",
    "IRSensor",
    "Sensor",
    "load_sensors",
    "get_sensor",
    "build_sensor",
    "observe_all",
]


class SensorConfigError(ValueError):
    """Invalid sensor configuration; the message names the sensor and the field."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RadarSensor:
    """A ground, ship or airborne radar at a fixed ECEF position (see sensors.yaml for fields).

    Detection range follows the radar equation: a target of ``rcs_ref_m2`` is detected out to
    ``range_ref_km``; :meth:`max_range_m` scales it by ``(rcs / rcs_ref) ** (1/4)``.
    """

    kind: ClassVar[str] = "radar"
    name: str
    aliases: tuple[str, ...] = ()
    model: str = ""
    note: str = ""
    mobile: bool = False
    lat_deg: float
    lon_deg: float
    height_m: float
    boresight_az_deg: float
    boresight_el_deg: float
    fov_half_az_deg: float
    fov_half_el_deg: float
    min_elevation_deg: float
    range_ref_km: float
    rcs_ref_m2: float
    sigma_range_m: float
    sigma_angle_mrad: float
    sigma_range_rate_m_s: float | None = None
    revisit_s: float
    pd: float
    false_alarms_per_scan: float

    @property
    def ecef_m(self) -> np.ndarray:
        """Sensor position, ECEF m, shape (3,)."""
        return geodetic_to_ecef(
            math.radians(self.lat_deg), math.radians(self.lon_deg), self.height_m
        )

    def max_range_m(self, rcs_m2=None):
        """Detection range (m) of a target of ``rcs_m2`` (m^2, scalar or array); default rcs_ref."""
        rcs = self.rcs_ref_m2 if rcs_m2 is None else np.asarray(rcs_m2, dtype=float)
        return self.range_ref_km * 1e3 * (rcs / self.rcs_ref_m2) ** 0.25

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> RadarSensor:
        """Validated sensor from a mapping with the YAML field names (``kind`` optional)."""
        return _build(cls, raw)

    def with_overrides(self, **changes: Any) -> RadarSensor:
        """Validated copy with some fields changed, e.g. ``lat_deg=..., boresight_az_deg=...``."""
        return _override(self, changes)

    def observe(
        self,
        truth: Truth,
        rng: np.random.Generator,
        noise: bool = True,
        *,
        rcs_m2=0.1,
        t_start_s: float = 0.0,
        first_det_id: int = 0,
    ) -> tuple[np.ndarray, np.ndarray]:
        """This radar's detections and truth ids of ``truth`` (:func:`.radar.observe`; target
        RCS ``rcs_m2``, m^2); ``noise=False``: exact measurements."""
        return radar.observe(
            self, truth, rng, noise, rcs_m2=rcs_m2, t_start_s=t_start_s, first_det_id=first_det_id
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class IRSensor:
    """A space-based infrared sensor at a fixed ECEF position (geostationary: lat 0).

    Measures azimuth and elevation of a burning booster in the satellite's own geodetic ENU
    frame, only above ``min_target_altitude_km``; line-of-sight noise ``sigma_angle_urad``.
    """

    kind: ClassVar[str] = "ir"
    name: str
    aliases: tuple[str, ...] = ()
    model: str = ""
    note: str = ""
    lat_deg: float = 0.0
    lon_deg: float
    altitude_km: float
    sigma_angle_urad: float
    revisit_s: float
    pd: float
    min_target_altitude_km: float
    false_alarms_per_scan: float

    @property
    def ecef_m(self) -> np.ndarray:
        """Satellite position, ECEF m, shape (3,)."""
        return geodetic_to_ecef(
            math.radians(self.lat_deg), math.radians(self.lon_deg), self.altitude_km * 1e3
        )

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> IRSensor:
        """Validated sensor from a mapping with the YAML field names (``kind`` optional)."""
        return _build(cls, raw)

    def with_overrides(self, **changes: Any) -> IRSensor:
        """Validated copy with some fields changed."""
        return _override(self, changes)

    def observe(
        self,
        truth: Truth,
        rng: np.random.Generator,
        noise: bool = True,
        *,
        rcs_m2=None,
        t_start_s: float = 0.0,
        first_det_id: int = 0,
    ) -> tuple[np.ndarray, np.ndarray]:
        """This satellite's detections and truth ids of ``truth`` (:func:`.infrared.observe`;
        ``rcs_m2`` is ignored: infrared sees the plume); ``noise=False``: exact lines of
        sight."""
        return infrared.observe(
            self, truth, rng, noise, t_start_s=t_start_s, first_det_id=first_det_id
        )


Sensor = RadarSensor | IRSensor
_KINDS: dict[str, type] = {"radar": RadarSensor, "ir": IRSensor}

# (low, high, low included, high included) for every number; units as in the field names.
_RANGES = {
    "lat_deg": (-90, 90, True, True),
    "lon_deg": (-180, 180, True, True),
    "height_m": (-500, 1e5, True, True),
    "boresight_az_deg": (-360, 360, True, True),
    "boresight_el_deg": (-90, 90, True, True),
    "fov_half_az_deg": (0, 180, False, True),
    "fov_half_el_deg": (0, 90, False, True),
    "min_elevation_deg": (-90, 90, True, True),
    "range_ref_km": (0, 5e4, False, True),
    "rcs_ref_m2": (0, 1e4, False, True),
    "sigma_range_m": (0, 1e5, False, True),
    "sigma_angle_mrad": (0, 1e3, False, True),
    "sigma_range_rate_m_s": (0, 1e4, False, True),
    "revisit_s": (0, 86400, False, True),
    "pd": (0, 1, False, True),
    "false_alarms_per_scan": (0, 1e3, True, True),
    "altitude_km": (0, 1e6, False, True),
    "sigma_angle_urad": (0, 1e6, False, True),
    "min_target_altitude_km": (0, 1e3, True, True),
}
NAME_MAX = 24  # the `sensor` field of a detection record is U24


def _convert(kind: str, name: str, value: Any) -> Any:
    """Check one value against the dataclass field type ``kind`` (annotation string)."""
    if kind == "float":
        lo, hi, lo_in, hi_in = _RANGES[name]
        ok = (
            isinstance(value, int | float)
            and not isinstance(value, bool)
            and math.isfinite(value)
            and (lo <= value if lo_in else lo < value)
            and (value <= hi if hi_in else value < hi)
        )
        if not ok:
            raise ValueError(
                f"must be a number in {'[' if lo_in else '('}{lo:g}, {hi:g}{']' if hi_in else ')'}"
            )
        return float(value) % 360.0 if name == "boresight_az_deg" else float(value)
    if kind == "bool":
        if not isinstance(value, bool):
            raise ValueError("must be true or false")
        return value
    if kind == "str":
        if not isinstance(value, str) or (
            name == "name" and not (value.strip() == value and 0 < len(value) <= NAME_MAX)
        ):
            raise ValueError(
                "must be a string"
                + (f" of 1-{NAME_MAX} characters without outer spaces" if name == "name" else "")
            )
        return value
    if isinstance(value, list | tuple) and all(isinstance(a, str) and a.strip() for a in value):
        return tuple(value)  # tuple[str, ...]
    raise ValueError("must be a list of non-empty strings")


def _id_as_name(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Scenarios may say ``id`` for ``name``; both at once must agree."""
    raw = dict(raw)
    if "id" in raw:
        if raw.get("name", raw["id"]) != raw["id"]:
            raise SensorConfigError(
                f"sensor {raw['name']!r}: give 'name' or 'id', not both (got id {raw['id']!r})"
            )
        raw["name"] = raw.pop("id")
    return raw


def _build(cls: Any, raw: Any) -> Any:
    """Construct and validate sensor class ``cls`` from a mapping of YAML field names (``id``
    is accepted for ``name``)."""
    if not isinstance(raw, Mapping):
        raise SensorConfigError(f"sensor: expected a mapping, got {type(raw).__name__}")
    raw = _id_as_name(raw)
    owner = f"sensor {raw.get('name')!r}"
    if raw.get("kind", cls.kind) != cls.kind:
        raise SensorConfigError(
            f"{owner}: field 'kind' must be {cls.kind!r} for "
            f"{cls.__name__} (got {raw.get('kind')!r})"
        )
    known = {f.name: f for f in fields(cls)}
    if unknown := sorted(set(map(str, raw)) - set(known) - {"kind"}):
        raise SensorConfigError(f"{owner}: unknown field(s) {', '.join(unknown)}")
    kwargs = {}
    for name, f in known.items():
        if raw.get(name) is None:
            if f.default is MISSING and "None" not in f.type:
                raise SensorConfigError(f"{owner}: field '{name}' is required")
            continue
        try:
            kwargs[name] = _convert(f.type.split(" | ")[0], name, raw[name])
        except ValueError as exc:
            raise SensorConfigError(f"{owner}: field '{name}' {exc} (got {raw[name]!r})") from None
    if cls is RadarSensor and kwargs["min_elevation_deg"] > (
        kwargs["boresight_el_deg"] + kwargs["fov_half_el_deg"]
    ):
        raise SensorConfigError(
            f"{owner}: field 'min_elevation_deg' is above the top of the "
            "elevation coverage (boresight_el_deg + fov_half_el_deg)"
        )
    return cls(**kwargs)


def _override(sensor: Any, changes: Mapping[str, Any]) -> Any:
    raw = {f.name: getattr(sensor, f.name) for f in fields(sensor)}
    changes = _id_as_name(changes)
    if "name" in changes and "aliases" not in changes:
        raw["aliases"] = ()  # the template's aliases do not name the new sensor
    return _build(type(sensor), {**raw, **changes})


def _from_raw(raw: Any, index: int) -> Sensor:
    kind = raw.get("kind") if isinstance(raw, Mapping) else None
    if kind not in _KINDS:
        name = raw.get("name") if isinstance(raw, Mapping) else None
        raise SensorConfigError(
            f"sensor {name or index!r}: field 'kind' must be {' | '.join(_KINDS)} (got {kind!r})"
        )
    return _build(_KINDS[kind], raw)


def load_sensors(path: str | Path | None = None) -> dict[str, Sensor]:
    """Sensors by canonical name from ``path`` (same YAML format) or the packaged catalog."""
    where = str(path) if path is not None else "packaged sensors.yaml"
    try:
        text = (
            Path(path).read_text(encoding="utf-8")
            if path is not None
            else resources.files("launchwatch.sense")
            .joinpath("data", "sensors.yaml")
            .read_text("utf-8")
        )
        doc = yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise SensorConfigError(f"cannot read sensor catalog {where}: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("sensors"), list) or not doc["sensors"]:
        raise SensorConfigError(f"sensor catalog {where}: expected a non-empty 'sensors:' list")
    out: dict[str, Sensor] = {}
    owners: dict[str, str] = {}
    for i, raw in enumerate(doc["sensors"], 1):
        sensor = _from_raw(raw, i)
        for alias in (sensor.name, *sensor.aliases):
            first = owners.setdefault(norm := normalize_name(alias), sensor.name)
            if not norm or first != sensor.name or (alias == sensor.name and sensor.name in out):
                why = "has no letters or digits" if not norm else f"is used by {first!r}"
                raise SensorConfigError(f"sensor {sensor.name!r}: name/alias {alias!r} {why}")
        out[sensor.name] = sensor
    return out


@cache
def _packaged() -> dict[str, Sensor]:
    return load_sensors()


def get_sensor(name: str) -> Sensor:
    """Packaged sensor by name or alias; case, spaces, hyphens and punctuation are ignored."""
    items = _packaged()
    index = {normalize_name(a): s.name for s in items.values() for a in (s.name, *s.aliases)}
    if (hit := index.get(normalize_name(str(name)))) is not None:
        return items[hit]
    close = difflib.get_close_matches(normalize_name(str(name)), index, n=1)
    hint = f" (did you mean {index[close[0]]!r}?)" if close else ""
    raise UnknownNameError(f"unknown sensor {name!r}{hint}; known: {', '.join(sorted(items))}")


def build_sensor(spec: str | Mapping[str, Any] | Sensor) -> Sensor:
    """A sensor from a scenario entry: a catalog name, ``{"base": name, **overrides}``, or a full
    mapping with ``kind``; ``id`` may stand for ``name``.  E.g. ``{"base": "Aegis", "id":
    "Aegis-East", "lat_deg": 37.9, "lon_deg": 131.2, "boresight_az_deg": 270}``."""
    if isinstance(spec, RadarSensor | IRSensor):
        return spec
    if isinstance(spec, str):
        return get_sensor(spec)
    if isinstance(spec, Mapping) and "base" in spec:
        try:
            base = get_sensor(spec["base"])
        except UnknownNameError as exc:
            raise SensorConfigError(str(exc)) from None
        return _override(base, {str(k): v for k, v in spec.items() if k != "base"})
    return _from_raw(spec, 1)


# --- the merged feed -----------------------------------------------------------------------------
def observe_all(
    sensors: Iterable[Sensor] | Mapping[str, Sensor],
    truth: Truth,
    rng: np.random.Generator,
    *,
    rcs_m2=0.1,
    t_start_s: float = 0.0,
    first_det_id: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """All sensors' detections merged into one time-ordered stream (stable: ties keep sensor
    order) with ids ``first_det_id, first_det_id + 1, ...`` in stream order, and the aligned
    truth ids.  Each sensor draws from its own child of ``rng`` (``rng.spawn``), so adding a
    sensor at the end does not change the others' detections."""
    items = list(sensors.values() if isinstance(sensors, Mapping) else sensors)
    if len({s.name for s in items}) != len(items):
        raise SensorConfigError("observe_all: sensor names must be unique")
    parts = [
        s.observe(truth, child, rcs_m2=rcs_m2, t_start_s=t_start_s)
        for s, child in zip(items, rng.spawn(len(items)), strict=True)
    ]
    det = np.concatenate([p[0] for p in parts]) if parts else empty_detections()
    ids = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, TRUTH_ID_DTYPE)
    until = getattr(truth, "sensed_until_s", None)
    if until is not None and det.size:  # missiles that go unseen after a time
        m = ids["missile"]
        lim = np.where(m >= 0, np.asarray(until, float)[np.maximum(m, 0)], np.inf)
        keep = det["t_s"] <= lim
        det, ids = det[keep], ids[keep]
    order = np.argsort(det["t_s"], kind="stable")
    det, ids = det[order], ids[order]
    det["det_id"] = ids["det_id"] = first_det_id + np.arange(det.size)
    return det, ids
