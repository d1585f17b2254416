"""One partner node: its own sensors, shared detections, verified partner data, one fused tracker.

A node runs a scenario in simulated time, in chunks of :data:`~launchwatch.pipeline.simulate.
CHUNK_S` seconds, exactly as :func:`~launchwatch.pipeline.simulate.run_simulation` does on one
machine, except that it only has the feeds of its own sensors.  For every chunk it

1. publishes its own detections of the chunk, one signed batch per partner holding the rows the
   policy releases to that partner (an empty batch when there are none: the partner then knows
   the chunk is complete);
2. waits (at most ``wait_s``) until every partner's batch for the chunk has arrived, verifying
   every frame (:class:`~.receive.Receiver`);
3. merges its own rows with the partners' (ordered by time and detection id) and pushes them
   through its :class:`~launchwatch.sense.stream.StreamGate` into its
   :class:`~launchwatch.track.tracker.Tracker`;
4. every ``commit_every`` chunks, waits until the bus has stored what it published, writes a
   checkpoint (tracker, gate, replay window, sequence counter, pending partner rows) when it
   has a ``state_dir``, and only then acknowledges the frames it consumed: a node killed at any
   point restarts from the checkpoint, republishes from there under the same sequence numbers
   (dropped as duplicates by the bus and the receivers) and the bus redelivers the rest.

Waiting for every partner's batch makes the fusion identical to the single-machine run at the
price of latency (a chunk is fused when the slowest partner has sent it); a partner that stays
silent longer than ``wait_s`` is counted in ``missed`` and its late rows go through the gate's
reorder window (or are rejected there as too late).  The empty heartbeat batches reveal to a
partner only that a chunk is over, never whether there were detections it may not see.  With
``pace_s`` the node's sensor clock runs at that many wall seconds per chunk (from
``start_unix_s``) and own chunks are published as they fall due, even while the node waits
for a partner -- but never beyond the next chunk whose fusion sends track reports or
assessments, so that the order of everything a node sends (hence its sequence numbers) does
not depend on timing and a restarted node resends exactly what it had sent.

Every ``track_report_every_s`` it also publishes its confirmed tracks (policy rules per track);
partners keep the latest report of each sender in :attr:`Node.partner_tracks` (not fused).

Every ``assess_every_s`` of scenario time (0: never) it assesses its fused tracks: the confirmed
tracks updated within the last ``assess_every_s`` are flown to impact together from their
latest estimates (:func:`launchwatch.assess.run.assess_history` over those tracks' history,
in one time bin: the anchors for the lift evidence and the highest heights come from the whole
history; ``assess_samples`` Monte Carlo samples, seeded by the scenario seed and the chunk so a
restarted node remakes the same assessment) and the summary is sent as ``assessment``
messages, split by the policy's rules per track (:meth:`~.send.Outbox.send_assessment`).  A node
with ``warn: true`` (Japan's, which issues J-Alert) also feeds every assessment to a
:class:`launchwatch.warn.policy.WarningPolicy` over the areas of ``warn_areas`` and sends each
warning event (CAP Alert/Update/Cancel) as a ``warning`` message; at the end of the scenario
the policy closes what is still open.  Receivers keep the latest assessment per sender and
track in :attr:`Node.partner_assessments` and every warning in :attr:`Node.partner_warnings`
(stored and counted, not fused); both are in :meth:`Node.summary`.

The sensor feeds are simulated from the scenario with its seed for all of the scenario's
sensors (so every node's own rows, detection ids and noise are those of the single-machine run)
and each node keeps the rows of its own sensors.  With a policy that releases every detection
to every partner, each node's fused tracks therefore equal the single-machine result.

Configuration (YAML; paths are relative to the file)::

    node_id: KOR-JCS
    partner: KOR
    private_key: keys/KOR-JCS.key
    partners:                          # the other nodes
      USA-INDOPACOM: {partner: USA, public_key: keys/USA-INDOPACOM.pub}
      JPN-MOD: {partner: JPN, public_key: keys/JPN-MOD.pub}
    policy: policy-open.yaml
    scenario: reference-2025-11-07     # shipped name or path
    sensors: [GreenPine-Jincheon, GreenPine-Busan]     # catalog names or aliases
    bus: {kind: nats, url: "nats://127.0.0.1:4222"}     # or {kind: inproc}
    state_dir: state/KOR-JCS           # checkpoint and outputs (optional)
    wait_s: 30                         # how long to wait for a partner's chunk
    track_report_every_s: 10
    assess_every_s: 10                 # impact assessments of the fused tracks (0: none)
    assess_samples: 300                # Monte Carlo samples per track and assessment
    warn: false                        # run the J-Alert-like warning policy (JPN: true)
    warn_areas: [JPN]                  # countries whose areas it warns (JPN, KOR)
    max_age_s: 3600                    # receive window on sent_s (replays stop on seq)
    pace_s: 0                          # wall seconds per chunk at least (1.0: real time)
    commit_every: 10                   # chunks between checkpoints (and acknowledgements)
    start_unix_s: 1762486500           # with pace: wall-clock Unix time of scenario time 0
                                       # (the same for all nodes; default: when started)
"""

from __future__ import annotations

import json
import os
import pickle
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..assess.run import assess_history
from ..pipeline.simulate import CHUNK_S, REORDER_WINDOW_S
from ..sense.records import Truth
from ..sense.scenario import Scenario, ScenarioError, SensorRef, load_scenario
from ..sense.sensors import build_sensor, observe_all
from ..sense.stream import StreamGate
from ..sense.truth import build_truth
from ..track.tracker import Tracker, TrackerConfig
from .bus import Bus, BusError, InProcBus, NatsBus, inbox
from .messages import (
    DetectionBatch,
    ImpactAssessment,
    TrackReport,
    WarningNotice,
    assessment_body,
    check_assessment,
    epoch_text,
    latest_per_track,
    warning_notice,
)
from .policy import Policy, PolicyError
from .receive import Receiver
from .send import Outbox
from .signing import KeyFileError, Keyring, load_private_key, load_public_key


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
    key: object
    keyring: Keyring
    policy: Policy
    scenario: Scenario
    state_dir: Path | None
    sensors: tuple[str, ...]  # own sensors, canonical names


def _rel(base: Path, p: str) -> Path:
    path = Path(p).expanduser()
    return path if path.is_absolute() else base / path


def load_config(path: str | Path) -> NodeSetup:
    """Read and resolve a node configuration; :class:`NodeConfigError` (one line) if wrong."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text())
    except OSError as exc:
        raise NodeConfigError(f"{path}: cannot read ({exc.strerror})") from None
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
        keyring = Keyring({n: load_public_key(_rel(base, e.public_key))
                           for n, e in spec.partners.items()})
        partners = sorted({spec.partner, *(e.partner for e in spec.partners.values())})
        policy = (Policy.load(_rel(base, spec.policy)) if spec.policy
                  else Policy.open_to_all(partners))
        scen = spec.scenario
        scenario = load_scenario(_rel(base, scen) if scen.endswith((".yaml", ".yml")) else scen)
    except (KeyFileError, PolicyError, ScenarioError) as exc:
        raise NodeConfigError(str(exc)) from None
    if spec.warn:
        from ..warn.areas import COUNTRIES

        bad = [c for c in spec.warn_areas if c not in COUNTRIES]
        if bad:
            raise NodeConfigError(f"{path}: warn_areas: {bad} have no warning areas "
                                  f"(known: {', '.join(COUNTRIES)})")
    missing = [p for p in partners if p not in policy.partners]
    if missing:
        raise NodeConfigError(f"{path}: policy: does not name partners {missing} of this "
                              "node's configuration")
    names = [_ref_name(r) for r in scenario.sensors]
    own = []
    for s in spec.sensors:
        canon = s if s in names else _canonical(s)
        if canon not in names:
            raise NodeConfigError(f"{path}: sensors: {s!r} is not a sensor of scenario "
                                  f"{scenario.name} ({', '.join(names)})")
        own.append(canon)
    state = _rel(base, spec.state_dir) if spec.state_dir else None
    return NodeSetup(spec, key, keyring, policy, scenario, state, tuple(own))


def _canonical(name: str) -> str:
    try:
        return build_sensor(name).name
    except (ValueError, KeyError):
        return name


def _ref_name(ref) -> str:
    if isinstance(ref, SensorRef):
        return ref.id or build_sensor(_spec(ref)).name
    return build_sensor(ref).name


def _spec(ref):
    if isinstance(ref, SensorRef):
        return {k: v for k, v in ref.model_dump().items() if v is not None}
    return ref


@dataclass
class Feed:
    """A scenario's simulated sensor feeds: all detections (time-ordered, single-machine ids),
    truth, sensor kinds by name, and the number of chunks of the run."""

    scenario: Scenario
    truth: Truth
    detections: np.ndarray
    sensor_kinds: dict[str, str]
    n_chunks: int


def simulate_feed(scenario: Scenario) -> Feed:
    """Fly the scenario and observe it with all its sensors, exactly as ``run_simulation``."""
    truth, _ = build_truth(scenario)
    sensors = [build_sensor(_spec(ref)) for ref in scenario.sensors]
    rng = np.random.default_rng(scenario.seed)
    det, _ = observe_all(sensors, truth, rng, rcs_m2=scenario.rcs_m2)
    t_end = max(float(truth.times_s[-1]), float(det["t_s"].max()) if det.size else 0.0)
    return Feed(scenario, truth, det, {s.name: s.kind for s in sensors},
                int(np.floor(t_end / CHUNK_S)) + 1)


def chunk_index(t_s: np.ndarray) -> np.ndarray:
    """The chunk of each time (chunk k holds ``k * CHUNK_S <= t < (k + 1) * CHUNK_S``)."""
    return np.floor(np.asarray(t_s) / CHUNK_S).astype(np.int64)


class Node:
    """One partner node (see module docstring)."""

    def __init__(self, setup: NodeSetup, bus: Bus, feed: Feed, *, clock=time.time,
                 tracker_config: TrackerConfig | None = None):
        spec = setup.spec
        self.setup, self.spec, self.bus, self.feed, self.clock = setup, spec, bus, feed, clock
        self.node_id, self.partner = spec.node_id, spec.partner
        self.epoch = epoch_text(feed.scenario.epoch)
        own = np.isin(feed.detections["sensor"], list(setup.sensors))
        self.own = feed.detections[own]
        self._own_chunk = chunk_index(self.own["t_s"])  # non-decreasing: the feed is in time order
        self._own_bounds = np.searchsorted(self._own_chunk, np.arange(feed.n_chunks + 1))
        self.partner_nodes = tuple(sorted(spec.partners))
        # -- state (all of it goes into the checkpoint)
        self.next_chunk = 0  # the next chunk to fuse
        self.next_publish = 0  # the next chunk of own detections to publish
        self.tracker = Tracker(tracker_config)
        self.gate = StreamGate(feed.sensor_kinds, window_s=REORDER_WINDOW_S)
        self.receiver = Receiver(spec.partner, setup.keyring, max_age_s=spec.max_age_s,
                                 clock=clock, epoch=feed.scenario.epoch)
        self.outbox = Outbox(spec.node_id, spec.partner, setup.key, setup.policy, bus,
                             clock=clock)
        self.pending: dict[str, dict[int, np.ndarray]] = {n: {} for n in self.partner_nodes}
        self.partner_tracks: dict[str, np.ndarray] = {}
        # received assessments: sender -> track id -> latest record (see _records); warnings
        self.partner_assessments: dict[str, dict[int, dict]] = {}
        self.partner_warnings: list[dict] = []
        # own assessments (latest record per track) and warnings issued
        self.assessments_made = 0
        self.own_assessments: dict[int, dict] = {}
        self.warnings_issued: list[dict] = []
        self.assess_seconds: list[float] = []  # compute time of each assessment (+ policy)
        self.warning_policy = None
        if spec.warn:
            from ..warn.policy import WarningPolicy

            self.warning_policy = WarningPolicy(
                spec.warn_areas, sender=f"{spec.node_id}@launchwatch.invalid",
                id_prefix=f"launchwatch-{spec.node_id}")
        if spec.assess_every_s > 0:
            _warm_up_assessment()
        self.accepted: dict[str, Counter] = {n: Counter() for n in self.partner_nodes}
        self.missed = Counter()  # chunks fused without a partner's batch, per partner
        self.late_rows = 0  # partner rows that arrived after their chunk was fused
        # chunk -> wall-clock Unix time its own batch was published / its fusion ended
        self.published_at: dict[int, float] = {}
        self.fused_at: dict[int, float] = {}
        if setup.state_dir is not None:
            self._restore(setup.state_dir / "checkpoint.pkl")
        self.sub = bus.subscribe(inbox(spec.partner), durable=spec.node_id)
        self.ready_at = time.time()  # wall clock when the node was set up
        # the paced sensor clock: a shared wall-clock start, or resume where the node stands
        self._t0 = (time.monotonic() - (time.time() - spec.start_unix_s)
                    if spec.start_unix_s is not None
                    else time.monotonic() - self.next_publish * spec.pace_s)

    # ------------------------------------------------------------------ the steps
    def publish_chunk(self, k: int) -> int:
        """Publish own detections up to chunk ``k`` (each chunk once); returns frames sent."""
        n = 0
        for j in range(self.next_publish, k + 1):
            rows = self._own_rows(j)
            self.published_at[j] = time.time()
            n += self.outbox.send_detections(rows, epoch=self.epoch,
                                             chunk_end_s=(j + 1) * CHUNK_S)
            self.next_publish = j + 1
        return n

    def _own_rows(self, k: int) -> np.ndarray:
        if k >= self.feed.n_chunks:
            return self.own[:0]
        return self.own[self._own_bounds[k]:self._own_bounds[k + 1]]

    def receive(self, timeout_s: float = 0.0) -> int:
        """Fetch and verify what is in the inbox; returns the number of frames fetched."""
        frames = self.sub.fetch(max_msgs=1024, timeout_s=timeout_s)
        for data in frames:
            got = self.receiver.accept(data)
            if got is None:
                continue
            sender, body = got.envelope.sender, got.body
            self.accepted.setdefault(sender, Counter())[got.envelope.kind] += 1
            if isinstance(body, DetectionBatch):
                if sender not in self.pending:
                    continue  # a keyring sender that is not a partner of this scenario
                k = int(round(body.chunk_end_s / CHUNK_S)) - 1
                self.pending[sender][k] = got.rows
            elif isinstance(body, TrackReport):
                self.partner_tracks[sender] = got.rows
            elif isinstance(body, ImpactAssessment):
                latest = self.partner_assessments.setdefault(sender, {})
                for tid, rec in _records(body, got.rows).items():
                    if tid not in latest or rec["t_s"] >= latest[tid]["t_s"]:
                        latest[tid] = rec
            elif isinstance(body, WarningNotice):
                self.partner_warnings.append({"sender": sender, "seq": got.envelope.seq,
                                              **_notice_record(body)})
        return len(frames)

    def ready(self, k: int) -> bool:
        return all(k in self.pending[n] for n in self.partner_nodes)

    def wait_for(self, k: int, wait_s: float) -> bool:
        """Receive until every partner's chunk ``k`` is here or ``wait_s`` has passed; with a
        pace, meanwhile publish own chunks as the sensor clock makes them due."""
        self.receive()
        deadline = time.monotonic() + wait_s
        while not self.ready(k):
            self._publish_due()
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self.receive(timeout_s=min(left, 0.05 if self.spec.pace_s else 0.5))
        return True

    def _due(self) -> int:
        """Chunks whose time has come on the paced sensor clock (all of them without pace)."""
        if not self.spec.pace_s:
            return self.feed.n_chunks
        return min(int((time.monotonic() - self._t0) / self.spec.pace_s), self.feed.n_chunks)

    def _publish_due(self) -> None:
        due = min(self._due(), self._publish_limit())
        if self.spec.pace_s and due > self.next_publish:
            self.publish_chunk(due - 1)

    def _publish_limit(self) -> int:
        """Chunks that may be published before the node fuses further: up to and including the
        next chunk whose fusion may send (track report, assessment).  This fixes the order of
        all sends -- own chunks up to that one, then what its fusion sends -- whatever the
        timing, so a restarted node sends the same frames under the same sequence numbers as
        before its crash (the bus and the receivers drop them as duplicates); publishing ahead
        freely while waiting for a slow partner would interleave them by wall-clock time."""
        k = self.next_chunk
        every = [max(int(round(self.spec.track_report_every_s / CHUNK_S)), 1)]
        if self.spec.assess_every_s > 0:
            every.append(max(int(round(self.spec.assess_every_s / CHUNK_S)), 1))
        return min(-(-(k + 1) // e) * e for e in every)

    def fuse_chunk(self, k: int) -> None:
        parts = [self._own_rows(k)]
        for n in self.partner_nodes:
            got = self.pending[n]
            if k not in got:
                self.missed[n] += 1
            for j in [j for j in got if j <= k]:
                rows = got.pop(j)
                if j < k:
                    self.late_rows += rows.size
                parts.append(rows)
            got[k] = got.get(k, np.zeros(0, self.own.dtype))[:0]  # mark as consumed
        chunk = np.concatenate(parts)
        chunk = chunk[np.lexsort((chunk["det_id"], chunk["t_s"]))]
        released = self.gate.push(chunk)
        if released.size:
            self.tracker.step(released)
        self.fused_at[k] = time.time()
        self.next_chunk = k + 1
        every = max(int(round(self.spec.track_report_every_s / CHUNK_S)), 1)
        if (k + 1) % every == 0:
            self.report_tracks()
        if self.spec.assess_every_s > 0:
            every = max(int(round(self.spec.assess_every_s / CHUNK_S)), 1)
            if (k + 1) % every == 0:
                self.assess_tracks(k)

    def report_tracks(self) -> int:
        rows = latest_per_track(self.tracker.history)
        rows = rows[rows["confirmed"]] if rows.size else rows
        if not rows.size:
            return 0
        return self.outbox.send_tracks(rows, epoch=self.epoch)

    def assess_tracks(self, k: int) -> int:
        """Assess the confirmed tracks updated during the last ``assess_every_s`` before the end
        of chunk ``k``, send the assessment and, at a warning node, the policy's events (see
        module docstring); returns the number of frames published."""
        t_end = (k + 1) * CHUNK_S
        h = self.tracker.history
        conf = h[h["confirmed"]]
        alive = np.unique(conf["track_id"][conf["t_s"] >= t_end - self.spec.assess_every_s])
        if not alive.size:
            return 0
        t0 = time.perf_counter()
        # one time bin over those tracks' whole history: one assessment of their latest rows
        run = assess_history(h[np.isin(h["track_id"], alive)], self.feed.scenario.epoch,
                             interval_s=1e9, n_samples=self.spec.assess_samples,
                             seed=int(self.feed.scenario.seed) + k)
        a = run.assessments[-1]
        self.assessments_made += 1
        self.own_assessments.update(_records(assessment_body(a), None))
        n = self.outbox.send_assessment(a)
        pol = self.warning_policy
        if pol is not None and (pol._last_t is None or a.t_s >= pol._last_t):
            n += self._send_warnings(pol.update(a))
        self.assess_seconds.append(time.perf_counter() - t0)
        return n

    def _send_warnings(self, events) -> int:
        n = 0
        for ev in events:
            self.warnings_issued.append({
                "t_s": float(ev.t_s), "identifier": ev.identifier, "kind": ev.kind,
                "jalert": ev.jalert, "msg_type": ev.msg_type, "areas": list(ev.areas),
                "open_areas": list(ev.open_areas), "track_id": [int(t) for t in ev.track_ids]})
            n += self.outbox.send_warning(warning_notice(ev))
        return n

    def commit(self) -> None:
        """Make sure what was published is stored by the bus, checkpoint (if there is a state
        dir), then acknowledge what was consumed.  A node killed before this point republishes
        from its checkpoint with the same sequence numbers (the bus and the receivers drop the
        duplicates) and is sent again what it had not acknowledged."""
        self.bus.flush()
        if self.setup.state_dir is not None:
            self._save(self.setup.state_dir / "checkpoint.pkl")
        self.sub.ack()

    def finish(self) -> None:
        tail = self.gate.flush()
        if tail.size:
            self.tracker.step(tail)
        self.tracker.flush()
        pol = self.warning_policy
        if pol is not None:  # close what is still warned at the end of the scenario
            t_end = self.feed.n_chunks * CHUNK_S
            self._send_warnings(pol.finish(max(t_end, pol._last_t or t_end)))
        self.next_chunk = self.feed.n_chunks + 1

    def step(self, k: int, wait_s: float | None = None) -> None:
        """Publish, wait for partners, fuse and commit chunk ``k``."""
        self.publish_chunk(k)
        self.wait_for(k, self.spec.wait_s if wait_s is None else wait_s)
        self.fuse_chunk(k)
        if (k + 1) % self.spec.commit_every == 0:
            self.commit()

    def run(self, *, stop_after: int | None = None) -> None:
        """Run the scenario from where the node stands (``stop_after``: last chunk to do)."""
        last = self.feed.n_chunks - 1 if stop_after is None else stop_after
        for k in range(self.next_chunk, last + 1):
            while self._due() <= k:  # paced: the chunk is not over yet
                self.receive(timeout_s=0.01)
            self.step(k)
        if stop_after is None and self.next_chunk == self.feed.n_chunks:
            self.finish()
            self.commit()

    # ------------------------------------------------------------------ results
    def summary(self) -> dict:
        h = self.tracker.history
        return {"node_id": self.node_id, "partner": self.partner,
                "sensors": list(self.setup.sensors), "own_detections": int(self.own.size),
                "tracks": int(np.unique(h["track_id"][h["confirmed"]]).size),
                "gate": self.gate.ledger.as_dict(), "receive": self.receiver.ledger.as_dict(),
                "sent": self.outbox.sent, "seq": self.outbox.seq,
                "accepted": {n: dict(c) for n, c in self.accepted.items()},
                "missed_chunks": dict(self.missed), "late_rows": self.late_rows,
                "partner_tracks": {s: [int(t) for t in r["track_id"]]
                                   for s, r in self.partner_tracks.items()},
                "assess": {"every_s": self.spec.assess_every_s,
                           "samples": self.spec.assess_samples, "made": self.assessments_made,
                           "ms_median": (round(1e3 * float(np.median(self.assess_seconds)), 1)
                                         if self.assess_seconds else None),
                           "latest": {str(t): r for t, r in self.own_assessments.items()}},
                "warn": self.spec.warn, "warnings_issued": self.warnings_issued,
                "partner_assessments": {s: {str(t): r for t, r in d.items()}
                                        for s, d in self.partner_assessments.items()},
                "partner_warnings": self.partner_warnings}

    def timing(self) -> dict[str, np.ndarray]:
        """Per chunk: own rows, wall-clock time of publishing them and of the chunk's fusion
        (Unix s; NaN where not done by this process, e.g. before a restart)."""
        n = self.feed.n_chunks
        pub, fused = np.full(n, np.nan), np.full(n, np.nan)
        for k, t in self.published_at.items():
            pub[k] = t
        for k, t in self.fused_at.items():
            fused[k] = t
        return {"own_rows": np.bincount(self._own_chunk, minlength=n)[:n],
                "published_at": pub, "fused_at": fused, "ready_at": np.array(self.ready_at)}

    def write_outputs(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / "history.npy", self.tracker.history)
        np.savez(folder / "timing.npz", **self.timing())
        (folder / "summary.json").write_text(json.dumps(self.summary(), indent=1))

    # ------------------------------------------------------------------ checkpoint
    _STATE = ("next_chunk", "next_publish", "tracker", "gate", "pending", "partner_tracks",
              "missed", "late_rows", "accepted", "partner_assessments", "partner_warnings",
              "assessments_made", "own_assessments", "warnings_issued")
    #: the warning policy's state (its area index is rebuilt, not pickled)
    _POLICY_STATE = ("_threads", "_last_t", "_epoch", "events")

    def _save(self, path: Path) -> None:
        state = {name: getattr(self, name) for name in self._STATE}
        state["receiver"] = (self.receiver.ledger, self.receiver.last_seq, self.receiver._seen)
        state["outbox"] = (self.outbox.seq, self.outbox.sent)
        if self.warning_policy is not None:
            state["warning_policy"] = {n: getattr(self.warning_policy, n)
                                       for n in self._POLICY_STATE}
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with tmp.open("wb") as fh:
            pickle.dump(state, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)

    def _restore(self, path: Path) -> None:
        if not path.exists():
            return
        with path.open("rb") as fh:
            state = pickle.load(fh)  # noqa: S301 -- the node's own file
        for name in self._STATE:
            if name in state:  # a checkpoint of an older version may lack the newer parts
                setattr(self, name, state[name])
        self.receiver.ledger, self.receiver.last_seq, self.receiver._seen = state["receiver"]
        self.outbox.seq, self.outbox.sent = state["outbox"]
        if self.warning_policy is not None and "warning_policy" in state:
            for name, value in state["warning_policy"].items():
                setattr(self.warning_policy, name, value)


def run_lockstep(nodes: list[Node]) -> None:
    """Run several nodes of one scenario in one thread, chunk by chunk (all publish chunk k,
    then all fuse it): the in-process deployment and the reference for the tests.  At the end
    every node takes what the others sent last (assessments and warnings of the final chunk
    and of the end of the scenario)."""
    n = min(node.feed.n_chunks for node in nodes)
    for k in range(min(node.next_chunk for node in nodes), n):
        for node in nodes:
            node.publish_chunk(k)
        for node in nodes:
            if node.next_chunk == k:
                node.wait_for(k, 0.0)
                node.fuse_chunk(k)
                node.commit()
    for node in nodes:
        node.finish()
        node.commit()
    for node in nodes:
        node.receive()
        node.commit()


def _warm_up_assessment() -> None:
    """Load the zone tables and launch-point templates now (~3 s once per process) rather than
    in the middle of the first assessment, where a paced node would stall its partners."""
    from ..assess.launch_point import templates
    from ..earth.zones import zone_model

    zone_model()
    templates()


def _num(x, nd: int = 4):
    x = float(x)
    return round(x, nd) if np.isfinite(x) else None


def _records(body: ImpactAssessment, arrays: dict | None) -> dict[int, dict]:
    """Per track of an assessment body, a JSON-ready record (times after this node's epoch when
    ``arrays`` are the receiver's, see :class:`~.receive.Accepted`)."""
    if arrays is None:
        arrays = check_assessment(body)
        arrays["t_s"] = body.t_s
    levels = list(body.ellipse_levels)
    j = levels.index(0.95) if 0.95 in levels else len(levels) - 1
    out = {}
    for i, tid in enumerate(arrays["track_id"]):
        zp = body.zone_probs[i]
        out[int(tid)] = {
            "t_s": round(float(arrays["t_s"]), 3), "n_samples": int(body.n_samples),
            "impact_lat_deg": _num(arrays["impact_lat_deg"][i]),
            "impact_lon_deg": _num(arrays["impact_lon_deg"][i]),
            "impact_t_s": _num(arrays["impact_t_s"][i], 2),
            "impact_t_sigma_s": _num(arrays["impact_t_sigma_s"][i], 2),
            "ellipse_95_km": ([_num(arrays["ellipse_semi_major_m"][i, j] / 1e3, 2),
                               _num(arrays["ellipse_semi_minor_m"][i, j] / 1e3, 2)]
                              if levels else []),
            "verdict": {"kind": body.verdict_kind[i],
                        "country": body.verdict_country[i] or None},
            "zone_probs": dict(zp),
            "p_japan_eez": round(sum(p for z, p in zp.items() if z.endswith(":JPN")), 4),
            "range_class": body.range_class[i] or None,
            "apogee_km": _num(arrays["apogee_m"][i] / 1e3, 1)}
    return out


def _notice_record(body: WarningNotice) -> dict:
    return {"identifier": body.identifier, "msg_type": body.msg_type, "sent": body.sent,
            "areas": list(body.area_codes), "track_id": list(body.track_id),
            "headline": body.headline}


def make_bus(spec: BusSpec) -> Bus:
    if spec.kind == "nats":
        return NatsBus(spec.url, stream=spec.stream, ack_wait_s=spec.ack_wait_s)
    return InProcBus()


def run_node(config_path: str | Path) -> int:
    """``launchwatch node --config FILE``: run one partner node to the end of its scenario;
    writes ``history.npy``, ``timing.npz`` and ``summary.json`` into its state dir and prints
    the summary (JSON).  Returns the exit code (2 with a one-line message on a bad
    configuration or an unreachable broker).  With ``bus: {kind: inproc}`` partners in other
    processes cannot reach it: it runs alone (use :func:`run_nodes` for one process)."""
    try:
        setup = load_config(config_path)
        bus = make_bus(setup.spec.bus)
    except (NodeConfigError, BusError) as exc:
        print(f"launchwatch: error: {exc}", file=sys.stderr)
        return 2
    try:
        node = Node(setup, bus, simulate_feed(setup.scenario))
        if isinstance(bus, InProcBus) and setup.spec.partners:
            print("note: in-process bus: partners in other processes cannot reach this node; "
                  "it runs on its own sensors", file=sys.stderr)
            node.partner_nodes = ()
        node.run()
        if setup.state_dir is not None:
            node.write_outputs(setup.state_dir)
        print(json.dumps(node.summary()))
    except BusError as exc:
        print(f"launchwatch: error: {exc}", file=sys.stderr)
        return 2
    finally:
        bus.close()
    return 0


def run_nodes(config_paths) -> int:
    """Several nodes of one scenario in this process over one in-process bus, in lock-step
    (the single-machine deployment; their ``bus`` settings are ignored).  Writes each node's
    outputs and prints one JSON summary per node; returns the exit code like :func:`run_node`.
    """
    try:
        setups = [load_config(p) for p in config_paths]
        scenarios = {s.scenario.name for s in setups}
        if len(scenarios) != 1:
            raise NodeConfigError(f"nodes of different scenarios: {sorted(scenarios)}")
    except NodeConfigError as exc:
        print(f"launchwatch: error: {exc}", file=sys.stderr)
        return 2
    bus = InProcBus()
    feed = simulate_feed(setups[0].scenario)
    nodes = [Node(s, bus, feed) for s in setups]
    run_lockstep(nodes)
    for node in nodes:
        if node.setup.state_dir is not None:
            node.write_outputs(node.setup.state_dir)
        print(json.dumps(node.summary()))
    return 0
