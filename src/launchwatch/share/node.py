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
   checkpoint (:meth:`Node.state`: the chunks it fused, from which gate and tracker are
   rebuilt, replay window, sequence counter, pending partner rows, assessments and warnings;
   plain data in :mod:`.checkpoint` format) when it has a ``state_dir``, and only then
   acknowledges the frames it consumed: a node killed at any
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
:class:`launchwatch.warn.policy.WarningPolicy` over the areas of ``warn_areas`` -- the chain's
policy (:func:`launchwatch.pipeline.chain.chain_policy`), whose launch corridor judges boosting
tracks from what the node has fused (tracker history, IR rows; :func:`~launchwatch.pipeline.
chain.feed_policy`) -- and sends each warning event (CAP Alert/Update/Cancel) as a ``warning`` message; at the end of the scenario
the policy closes what is still open.  Receivers keep the latest assessment per sender and
track in :attr:`Node.partner_assessments` and every warning in :attr:`Node.partner_warnings`
(stored and counted, not fused); both are in :meth:`Node.summary`.

The sensor feeds are simulated from the scenario with its seed for all of the scenario's
sensors (so every node's own rows, detection ids and noise are those of the single-machine run)
and each node keeps the rows of its own sensors.  With a policy that releases every detection
to every partner, each node's fused tracks therefore equal the single-machine result.

The configuration is read by :mod:`.nodeconfig`, the feeds come from
:func:`launchwatch.pipeline.feed.simulate_feed` and go through a
:class:`launchwatch.pipeline.feed.Fusion`; :mod:`.runner` is the command line's side.

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
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from ..assess.run import assess_history
from ..assess.warm import warm_up
from ..pipeline.chain import chain_policy, feed_policy
from ..pipeline.feed import CHUNK_S, Feed, Fusion, chunk_index
from ..track.tracker import TrackerConfig
from .bus import Bus, inbox
from .checkpoint import CheckpointError, read_checkpoint, write_checkpoint
from .messages import (
    DetectionBatch,
    ImpactAssessment,
    TrackReport,
    WarningNotice,
    assessment_body,
    epoch_text,
    latest_per_track,
    warning_notice,
)
from .nodeconfig import NodeConfigError, NodeSetup
from .receive import Receiver
from .records import assessment_records, notice_record
from .send import Outbox

#: The checkpoint's file name in the node's state dir.
CHECKPOINT = "checkpoint.msgpack"


class Node:
    """One partner node (see module docstring)."""

    def __init__(
        self,
        setup: NodeSetup,
        bus: Bus,
        feed: Feed,
        *,
        clock=time.time,
        tracker_config: TrackerConfig | None = None,
    ):
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
        self.tracker_config = tracker_config
        self.fusion = Fusion(feed.sensor_kinds, tracker_config, keep_log=True)
        try:
            self.receiver = Receiver(
                spec.partner,
                setup.keyring,
                max_age_s=spec.max_age_s,
                clock=clock,
                epoch=feed.scenario.epoch,
                marks_file=setup.marks_file,
            )
        except ValueError as exc:  # unreadable replay marks: one line, exit 2
            raise NodeConfigError(str(exc)) from None
        self.outbox = Outbox(spec.node_id, spec.partner, setup.key, setup.policy, bus, clock=clock)
        self.pending: dict[str, dict[int, np.ndarray]] = {n: {} for n in self.partner_nodes}
        self.partner_tracks: dict[str, np.ndarray] = {}
        # received assessments: sender -> track id -> latest record (see .records); warnings
        self.partner_assessments: dict[str, dict[int, dict]] = {}
        self.partner_warnings: list[dict] = []
        # own assessments (latest record per track) and warnings issued
        self.assessments_made = 0
        self.own_assessments: dict[int, dict] = {}
        self.warnings_issued: list[dict] = []
        self.assess_seconds: list[float] = []  # compute time of each assessment (+ policy)
        self.warning_policy = None
        if spec.warn:  # the chain's policy, launch corridor included (pipeline.chain)
            self.warning_policy = chain_policy(
                int(feed.scenario.seed),
                feed.sensors,
                country_areas=spec.warn_areas,
                sender=f"{spec.node_id}@launchwatch.invalid",
                id_prefix=f"launchwatch-{spec.node_id}",
            )
        if spec.assess_every_s > 0:  # not in the middle of the first assessment: a paced
            warm_up()  # node would stall its partners (~3 s once per process)
        self.accepted: dict[str, Counter] = {n: Counter() for n in self.partner_nodes}
        self.missed: Counter[str] = Counter()  # chunks fused without a partner's batch, per partner
        self.late_rows = 0  # partner rows that arrived after their chunk was fused
        # chunk -> wall-clock Unix time its own batch was published / its fusion ended
        self.published_at: dict[int, float] = {}
        self.fused_at: dict[int, float] = {}
        if setup.state_dir is not None:
            state = read_checkpoint(
                setup.state_dir / CHECKPOINT, node_id=self.node_id, scenario=feed.scenario.name
            )
            if state is not None:
                try:
                    self.restore(state)
                except ValueError as exc:
                    raise CheckpointError(f"{setup.state_dir / CHECKPOINT}: {exc}") from None
        self.sub = bus.subscribe(inbox(spec.partner), durable=spec.node_id)
        self.ready_at = time.time()  # wall clock when the node was set up
        # the paced sensor clock: a shared wall-clock start, or resume where the node stands
        self._t0 = (
            time.monotonic() - (time.time() - spec.start_unix_s)
            if spec.start_unix_s is not None
            else time.monotonic() - self.next_publish * spec.pace_s
        )

    # ------------------------------------------------------------------ the steps
    def publish_chunk(self, k: int) -> int:
        """Publish own detections up to chunk ``k`` (each chunk once); returns frames sent."""
        n = 0
        for j in range(self.next_publish, k + 1):
            rows = self._own_rows(j)
            self.published_at[j] = time.time()
            n += self.outbox.send_detections(rows, epoch=self.epoch, chunk_end_s=(j + 1) * CHUNK_S)
            self.next_publish = j + 1
        return n

    def _own_rows(self, k: int) -> np.ndarray:
        if k >= self.feed.n_chunks:
            return self.own[:0]
        return self.own[self._own_bounds[k] : self._own_bounds[k + 1]]

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
                assert isinstance(got.rows, np.ndarray)  # a batch's rows (see Accepted)
                self.pending[sender][k] = got.rows
            elif isinstance(body, TrackReport):
                assert isinstance(got.rows, np.ndarray)  # a report's rows (see Accepted)
                self.partner_tracks[sender] = got.rows
            elif isinstance(body, ImpactAssessment):
                latest = self.partner_assessments.setdefault(sender, {})
                assert isinstance(got.rows, dict)  # an assessment's arrays (see Accepted)
                for tid, rec in assessment_records(body, got.rows).items():
                    if tid not in latest or rec["t_s"] >= latest[tid]["t_s"]:
                        latest[tid] = rec
            elif isinstance(body, WarningNotice):
                self.partner_warnings.append(
                    {"sender": sender, "seq": got.envelope.seq, **notice_record(body)}
                )
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
        self.fusion.push(chunk, now=(k + 1) * CHUNK_S)  # rows dated further ahead: refused
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
        if not conf.size:
            return 0
        # "the last assess_every_s" of the data the tracker has: the gate releases rows
        # seconds after their chunk (its reorder window), so counted back from the chunk's end
        # a 2 s period saw no update of a 4 s radar track at all (measured on overflight)
        since = min(t_end, float(h["t_s"].max())) - self.spec.assess_every_s
        alive = np.unique(conf["track_id"][conf["t_s"] >= since])
        if not alive.size:
            return 0
        t0 = time.perf_counter()
        # one time bin over those tracks' whole history: one assessment of their latest rows
        run = assess_history(
            h[np.isin(h["track_id"], alive)],
            self.feed.scenario.epoch,
            interval_s=1e9,
            n_samples=self.spec.assess_samples,
            seed=int(self.feed.scenario.seed) + k,
        )
        a = run.assessments[-1]
        self.assessments_made += 1
        self.own_assessments.update(assessment_records(assessment_body(a)))
        n = self.outbox.send_assessment(a)
        pol = self.warning_policy
        if pol is not None and (pol.last_t is None or a.t_s >= pol.last_t):
            # the corridor sees what this node fused so far (its own and partners' IR rows),
            # its draws seeded like the assessment's
            fused = self.fusion.log()["rows"]  # the node keeps its log (checkpoints)
            feed_policy(pol, h, fused[fused["t_s"] < t_end], seed=int(self.feed.scenario.seed) + k)
            n += self._send_warnings(pol.update(a))
        self.assess_seconds.append(time.perf_counter() - t0)
        return n

    def _send_warnings(self, events) -> int:
        n = 0
        for ev in events:
            self.warnings_issued.append(
                {
                    "t_s": float(ev.t_s),
                    "identifier": ev.identifier,
                    "kind": ev.kind,
                    "jalert": ev.jalert,
                    "msg_type": ev.msg_type,
                    "areas": list(ev.areas),
                    "open_areas": list(ev.open_areas),
                    "track_id": [int(t) for t in ev.track_ids],
                }
            )
            n += self.outbox.send_warning(warning_notice(ev))
        return n

    def commit(self) -> None:
        """Make sure what was published is stored by the bus, checkpoint (if there is a state
        dir), then acknowledge what was consumed.  A node killed before this point republishes
        from its checkpoint with the same sequence numbers (the bus and the receivers drop the
        duplicates) and is sent again what it had not acknowledged."""
        self.bus.flush()
        if self.setup.state_dir is not None:
            write_checkpoint(
                self.setup.state_dir / CHECKPOINT,
                node_id=self.node_id,
                scenario=self.feed.scenario.name,
                state=self.state(),
            )
        self.sub.ack()

    def finish(self) -> None:
        self.fusion.flush()
        pol = self.warning_policy
        if pol is not None:  # close what is still warned at the end of the scenario
            t_end = self.feed.n_chunks * CHUNK_S
            self._send_warnings(pol.finish(max(t_end, pol.last_t or t_end)))
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
        return {
            "node_id": self.node_id,
            "partner": self.partner,
            "sensors": list(self.setup.sensors),
            "own_detections": int(self.own.size),
            "tracks": int(np.unique(h["track_id"][h["confirmed"]]).size),
            "gate": self.gate.ledger.as_dict(),
            "receive": self.receiver.ledger.as_dict(),
            "sent": self.outbox.sent,
            "seq": self.outbox.seq,
            "accepted": {n: dict(c) for n, c in self.accepted.items()},
            "missed_chunks": dict(self.missed),
            "late_rows": self.late_rows,
            "partner_tracks": {
                s: [int(t) for t in r["track_id"]] for s, r in self.partner_tracks.items()
            },
            "assess": {
                "every_s": self.spec.assess_every_s,
                "samples": self.spec.assess_samples,
                "made": self.assessments_made,
                "ms_median": (
                    round(1e3 * float(np.median(self.assess_seconds)), 1)
                    if self.assess_seconds
                    else None
                ),
                "latest": {str(t): r for t, r in self.own_assessments.items()},
            },
            "warn": self.spec.warn,
            "warnings_issued": self.warnings_issued,
            "partner_assessments": {
                s: {str(t): r for t, r in d.items()} for s, d in self.partner_assessments.items()
            },
            "partner_warnings": self.partner_warnings,
        }

    def timing(self) -> dict[str, np.ndarray]:
        """Per chunk: own rows, wall-clock time of publishing them and of the chunk's fusion
        (Unix s; NaN where not done by this process, e.g. before a restart)."""
        n = self.feed.n_chunks
        pub, fused = np.full(n, np.nan), np.full(n, np.nan)
        for k, t in self.published_at.items():
            pub[k] = t
        for k, t in self.fused_at.items():
            fused[k] = t
        return {
            "own_rows": np.bincount(self._own_chunk, minlength=n)[:n],
            "published_at": pub,
            "fused_at": fused,
            "ready_at": np.array(self.ready_at),
        }

    def write_outputs(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / "history.npy", self.tracker.history)
        timing: dict[str, Any] = dict(self.timing())  # names only, never allow_pickle
        np.savez(folder / "timing.npz", **timing)
        (folder / "summary.json").write_text(json.dumps(self.summary(), indent=1))

    # ------------------------------------------------------------------ state
    @property
    def tracker(self):
        """The node's fused :class:`~launchwatch.track.tracker.Tracker`."""
        return self.fusion.tracker

    @property
    def gate(self):
        """The node's :class:`~launchwatch.sense.stream.StreamGate`."""
        return self.fusion.gate

    def state(self) -> dict:
        """Everything a restarted node needs, as plain data (str, numbers, lists, dicts and
        NumPy arrays of plain dtypes): the fusion's log (gate and tracker are rebuilt from it),
        chunk counters, pending partner rows, received and own products, the receiver's replay
        state, the sequence counter and the warning policy's state."""
        pol = self.warning_policy
        return {
            "next_chunk": self.next_chunk,
            "next_publish": self.next_publish,
            "fusion": self.fusion.log(),
            "pending": {
                n: {int(k): rows for k, rows in got.items()} for n, got in self.pending.items()
            },
            "partner_tracks": dict(self.partner_tracks),
            "missed": dict(self.missed),
            "late_rows": self.late_rows,
            "accepted": {n: dict(c) for n, c in self.accepted.items()},
            "partner_assessments": self.partner_assessments,
            "partner_warnings": self.partner_warnings,
            "assessments_made": self.assessments_made,
            "own_assessments": self.own_assessments,
            "warnings_issued": self.warnings_issued,
            "receiver": self.receiver.state(),
            "outbox": {"seq": self.outbox.seq, "sent": self.outbox.sent},
            "warning_policy": pol.state() if pol is not None else None,
        }

    def restore(self, state: dict) -> None:
        """Take back :meth:`state` (same configuration and feed); ``ValueError`` (one line)
        when it is malformed."""
        try:
            fusion = Fusion.replay(self.feed.sensor_kinds, state["fusion"], self.tracker_config)
            next_chunk, next_publish = int(state["next_chunk"]), int(state["next_publish"])
            pending = {
                str(n): {int(k): _rows(r, self.own.dtype) for k, r in got.items()}
                for n, got in state["pending"].items()
            }
            partner_tracks = {str(n): _rows(r) for n, r in state["partner_tracks"].items()}
            missed = Counter({str(n): int(v) for n, v in state["missed"].items()})
            accepted = {
                str(n): Counter({str(k): int(v) for k, v in c.items()})
                for n, c in state["accepted"].items()
            }
            partner_assessments = {
                str(s): {int(t): dict(r) for t, r in d.items()}
                for s, d in state["partner_assessments"].items()
            }
            own_assessments = {int(t): dict(r) for t, r in state["own_assessments"].items()}
            partner_warnings = [dict(w) for w in state["partner_warnings"]]
            warnings_issued = [dict(w) for w in state["warnings_issued"]]
            late_rows, made = int(state["late_rows"]), int(state["assessments_made"])
            seq = int(state["outbox"]["seq"])
            sent = {
                str(d): {str(k): int(v) for k, v in c.items()}
                for d, c in state["outbox"]["sent"].items()
            }
            self.receiver.restore(state["receiver"])
            if self.warning_policy is not None and state["warning_policy"] is not None:
                self.warning_policy.restore(state["warning_policy"])
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"node state: missing or wrong {exc}") from None
        if set(pending) != set(self.pending):
            raise ValueError(
                f"node state: partners {sorted(pending)}, configured {sorted(self.pending)}"
            )
        if not 0 <= next_chunk <= self.feed.n_chunks + 1 or not 0 <= next_publish:
            raise ValueError("node state: chunk counters out of range")
        self.fusion, self.next_chunk, self.next_publish = fusion, next_chunk, next_publish
        self.pending, self.partner_tracks, self.missed = pending, partner_tracks, missed
        self.accepted, self.late_rows = accepted, late_rows
        self.partner_assessments, self.own_assessments = partner_assessments, own_assessments
        self.partner_warnings, self.warnings_issued = partner_warnings, warnings_issued
        self.assessments_made = made
        self.outbox.seq, self.outbox.sent = seq, sent


def _rows(rows, dtype=None) -> np.ndarray:
    """A checkpoint's array, checked to be a structured array (of ``dtype`` when given)."""
    if (
        not isinstance(rows, np.ndarray)
        or rows.dtype.names is None
        or (dtype is not None and rows.dtype != dtype)
    ):
        raise ValueError("node state: rows of the wrong type")
    return rows


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
