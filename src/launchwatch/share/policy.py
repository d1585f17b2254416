"""Releasability policy: which messages of a node may go to which partner (a YAML file).

::

    partners: [KOR, USA, JPN]        # every partner id this policy may name
    classes:                         # optional named groups ("policy classes")
      TRILATERAL: [KOR, USA, JPN]
    rules:                           # first matching rule wins; no match: released to nobody
      - kind: detections             # detections | tracks | assessment | warning | "*"
        sensors: [Aegis-SeaOfJapan]  # optional: only rows of these sensors (detections)
        to: [USA]
      - kind: tracks
        tracks: [7]                  # optional: only these track ids (tracks, assessment)
        to: [USA]
      - kind: "*"
        to: TRILATERAL               # partner ids and/or class names, or one of them

A message's ``labels`` are the partner ids its rule names (classes expanded), so the wire
carries explicit partner ids only.  A batch whose rows fall under different rules (detections
of several sensors, several tracks) is split by the sender: every row gets the labels of its
own rule and a partner receives only the rows whose labels name it (see :mod:`.send`).  Rules
are evaluated once per distinct sensor or track id, never per row.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .messages import KINDS


class PolicyError(ValueError):
    """A policy file with a mistake; the message is one line naming the field."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Rule(_Model):
    kind: Literal["detections", "tracks", "assessment", "warning", "*"]
    sensors: tuple[str, ...] | None = None
    tracks: tuple[int, ...] | None = None
    to: tuple[str, ...] = Field(default=())

    @model_validator(mode="before")
    @classmethod
    def _to_list(cls, raw):
        if isinstance(raw, dict) and isinstance(raw.get("to"), str):
            raw = {**raw, "to": (raw["to"],)}
        return raw


class PolicyFile(_Model):
    partners: tuple[str, ...] = Field(min_length=1)
    classes: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    rules: tuple[Rule, ...] = ()

    @model_validator(mode="after")
    def _names(self) -> PolicyFile:
        known = set(self.partners)
        for name, members in self.classes.items():
            if name in known:
                raise ValueError(f"class {name!r} has the name of a partner")
            bad = [m for m in members if m not in known]
            if bad:
                raise ValueError(f"class {name!r} names unknown partners {bad}")
        for i, rule in enumerate(self.rules):
            bad = [t for t in rule.to if t not in known and t not in self.classes]
            if bad:
                raise ValueError(f"rules.{i}.to: unknown partner or class {bad}")
        return self


class Policy:
    """A loaded policy (see module docstring)."""

    def __init__(self, spec: PolicyFile):
        self.spec = spec
        self.partners = spec.partners
        self._rules = [(r, self._expand(r.to)) for r in spec.rules]

    def _expand(self, names) -> tuple[str, ...]:
        out: set[str] = set()
        for name in names:
            out.update(self.spec.classes.get(name, (name,)))
        return tuple(sorted(out))

    @classmethod
    def from_dict(cls, raw, source: str = "policy") -> Policy:
        if not isinstance(raw, dict):
            raise PolicyError(f"{source}: a policy is a mapping with partners and rules")
        try:
            return cls(PolicyFile.model_validate(raw))
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(x) for x in err["loc"]) or "(top level)"
            raise PolicyError(
                f"{source}: {loc}: {err['msg'].removeprefix('Value error, ')}"
            ) from None

    @classmethod
    def load(cls, path: str | Path) -> Policy:
        try:
            raw = yaml.safe_load(Path(path).read_text())
        except OSError as exc:
            raise PolicyError(f"{path}: cannot read ({exc.strerror})") from None
        except yaml.YAMLError as exc:
            raise PolicyError(f"{path}: not valid YAML ({exc})") from None
        return cls.from_dict(raw, str(path))

    @classmethod
    def open_to_all(cls, partners) -> Policy:
        """Everything to every partner (a single trusted enclave)."""
        return cls.from_dict(
            {"partners": list(partners), "rules": [{"kind": "*", "to": list(partners)}]}
        )

    def labels(
        self, kind: str, *, sensor: str | None = None, track: int | None = None
    ) -> tuple[str, ...]:
        """Partner ids a message (or row) of ``kind`` from ``sensor`` / about ``track`` may go
        to: those of the first matching rule, or none."""
        if kind not in KINDS:
            raise ValueError(f"unknown message kind {kind!r}")
        for rule, to in self._rules:
            if rule.kind not in (kind, "*"):
                continue
            if rule.sensors is not None and sensor not in rule.sensors:
                continue
            if rule.tracks is not None and (track is None or int(track) not in rule.tracks):
                continue
            return to
        return ()

    def row_labels(
        self, kind: str, *, sensors: np.ndarray | None = None, tracks: np.ndarray | None = None
    ) -> tuple[list[tuple[str, ...]], np.ndarray]:
        """Labels of every row of a batch: the distinct label sets and, per row, the index of
        its set.  Give ``sensors`` (N,) names or ``tracks`` (N,) ids."""
        keys = sensors if sensors is not None else tracks
        if keys is None:
            raise ValueError("give sensors or tracks")
        uniq, inverse = np.unique(np.asarray(keys), return_inverse=True)
        per_key = [
            self.labels(kind, sensor=str(u))
            if sensors is not None
            else self.labels(kind, track=int(u))
            for u in uniq
        ]
        sets = sorted(set(per_key))
        index = np.array([sets.index(p) for p in per_key], dtype=np.int64)
        return sets, index[inverse.ravel()] if uniq.size else np.zeros(0, np.int64)
