"""A partner node's configuration: the YAML file, validated (pydantic), resolved into keys,
policy, scenario and own sensors (see :mod:`launchwatch.share.node` for the file's fields).

:func:`load_config` raises :class:`NodeConfigError` with one line naming the file and field.
Paths in the file are relative to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..pipeline.feed import sensor_spec
from ..sense.scenario import Scenario, ScenarioError, SensorRef, load_scenario
from ..sense.sensors import build_sensor
from .policy import Policy, PolicyError
from .signing import KeyFileError, Keyring, load_private_key, load_public_key

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


class NodeConfigError(ValueError):
    """A node configuration with a mistake; one line naming the field or file."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PartnerEntry(_Model):
    partner: str
    public_key: str


class BusSpec(_Model):
    kind: Literal["inproc", "nats"] = "inproc"
    url: str = "nats://127.0.0.1:4222"
    stream: str = "LAUNCHWATCH_SHARE"
    ack_wait_s: Annotated[float, Field(gt=0)] = 5.0


class NodeFile(_Model):
    node_id: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
    partner: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,32}$")]
    private_key: str
    partners: dict[str, PartnerEntry]
    policy: str | None = None
    scenario: str
    sensors: Annotated[list[str], Field(min_length=0)]
    bus: BusSpec = BusSpec()
    state_dir: str | None = None
    wait_s: Annotated[float, Field(ge=0)] = 30.0
    track_report_every_s: Annotated[float, Field(gt=0)] = 10.0
    assess_every_s: Annotated[float, Field(ge=0)] = 10.0
    assess_samples: Annotated[int, Field(ge=10, le=100_000)] = 300
    warn: bool = False
    warn_areas: Annotated[tuple[str, ...], Field(min_length=1)] = ("JPN",)
    max_age_s: Annotated[float, Field(gt=0)] = 3600.0
    pace_s: Annotated[float, Field(ge=0)] = 0.0
    commit_every: Annotated[int, Field(ge=1)] = 10
    start_unix_s: float | None = None


@dataclass
class NodeSetup:
    """A resolved configuration: keys loaded, policy loaded, scenario loaded."""

    spec: NodeFile
    key: Ed25519PrivateKey
    keyring: Keyring
    policy: Policy
    scenario: Scenario
    state_dir: Path | None
    sensors: tuple[str, ...]  # own sensors, canonical names
    #: replay marks (latest send time accepted per sender), next to the private key
    marks_file: Path | None = None


def _rel(base: Path, p: str) -> Path:
    path = Path(p).expanduser()
    return path if path.is_absolute() else base / path


def load_config(path: str | Path) -> NodeSetup:
    """Read and resolve a node configuration; :class:`NodeConfigError` (one line) if wrong."""
    from ..files import InputFileError, read_text

    path = Path(path)
    try:
        raw = yaml.safe_load(read_text(path, limit=1 << 20, what="node configuration"))
    except InputFileError as exc:
        raise NodeConfigError(str(exc)) from None
    except RecursionError:
        raise NodeConfigError(f"{path}: nested too deeply to be a node configuration") from None
    except yaml.YAMLError as exc:
        raise NodeConfigError(f"{path}: not valid YAML ({exc})") from None
    if not isinstance(raw, dict):
        raise NodeConfigError(f"{path}: a node configuration is a mapping")
    try:
        spec = NodeFile.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(x) for x in err["loc"]) or "(top level)"
        raise NodeConfigError(f"{path}: {loc}: {err['msg']}") from None
    base = path.parent
    try:
        key = load_private_key(_rel(base, spec.private_key))
        keyring = Keyring(
            {n: load_public_key(_rel(base, e.public_key)) for n, e in spec.partners.items()}
        )
        partners = sorted({spec.partner, *(e.partner for e in spec.partners.values())})
        policy = (
            Policy.load(_rel(base, spec.policy)) if spec.policy else Policy.open_to_all(partners)
        )
        scen = spec.scenario
        scenario = load_scenario(_rel(base, scen) if scen.endswith((".yaml", ".yml")) else scen)
    except (KeyFileError, PolicyError, ScenarioError) as exc:
        raise NodeConfigError(str(exc)) from None
    if spec.warn:
        from ..warn.areas import COUNTRIES

        bad = [c for c in spec.warn_areas if c not in COUNTRIES]
        if bad:
            raise NodeConfigError(
                f"{path}: warn_areas: {bad} have no warning areas (known: {', '.join(COUNTRIES)})"
            )
    missing = [p for p in partners if p not in policy.partners]
    if missing:
        raise NodeConfigError(
            f"{path}: policy: does not name partners {missing} of this node's configuration"
        )
    names = [_ref_name(r) for r in scenario.sensors]
    own = []
    for s in spec.sensors:
        canon = s if s in names else _canonical(s)
        if canon not in names:
            raise NodeConfigError(
                f"{path}: sensors: {s!r} is not a sensor of scenario "
                f"{scenario.name} ({', '.join(names)})"
            )
        own.append(canon)
    state = _rel(base, spec.state_dir) if spec.state_dir else None
    marks = _rel(base, spec.private_key).parent / f"{spec.node_id}.replay-marks.json"
    return NodeSetup(spec, key, keyring, policy, scenario, state, tuple(own), marks)


def _canonical(name: str) -> str:
    try:
        return build_sensor(name).name
    except (ValueError, KeyError):
        return name


def _ref_name(ref) -> str:
    if isinstance(ref, SensorRef):
        return ref.id or build_sensor(sensor_spec(ref)).name
    return build_sensor(ref).name
