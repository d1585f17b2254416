"""The receiving side: every incoming frame is verified, checked and counted, never trusted.

:meth:`Receiver.accept` takes the raw bytes of one frame and returns the decoded envelope and
body, or ``None``.  The checks, in order (the first failing one is the reason counted):

==============  ===============================================================================
reason          the frame ...
==============  ===============================================================================
oversized       is larger than ``max_frame_bytes`` (refused before anything is decoded)
malformed       is not a frame, or its envelope/body does not decode or breaks the schema
                (wrong version, unknown kind, inconsistent columns), or names another sender
                inside than outside
unsigned        carries no signature
unknown_sender  comes from a node id that is not in the keyring
bad_signature   has a signature that does not verify (tampered, or signed with another key)
not_releasable  has labels that do not name this node's partner id
stale           was sent (``sent_s``, wall clock) more than ``max_age_s`` ago or more than
                ``max_future_s`` ahead of this node's clock
replayed        has a ``seq`` already accepted from its sender, or one more than
                ``replay_window`` below the highest accepted
==============  ===============================================================================

The signature is checked before the envelope is decoded: a forged frame costs one verify and
is never parsed further.  The ledger holds ``received == accepted + sum(rejected)`` at all
times.  Replay protection is a sliding window over ``seq`` per sender (as in IPsec/DTLS): a
strict "above the last one" rule would drop a message that an at-least-once broker
(JetStream) redelivers after a newer one.  The window is the replay state; a node keeps it in its
checkpoint, so that a restarted node still refuses what it already took.  ``max_age_s`` is
wide by default (one hour) because a restarted node catches up on messages sent while it was
down; the sequence numbers, not the clock, stop replays inside that window.

A node restarted *without* its checkpoint (state folder lost or wiped) would have an empty
window; so the latest ``sent_s`` accepted from each sender is also kept in ``marks_file`` (next
to the node's keys, written atomically with mode 0600 at every new high), and a receiver that
starts without :meth:`Receiver.restore` refuses every frame sent at or before those marks. A
time, not the ``seq``: a sender that itself lost its state starts its sequence again at 1, and
its new frames must still get through.
:meth:`Receiver.state` / :meth:`Receiver.restore` give and take the replay state as plain data
(for the checkpoint); a restored window replaces the marks' floor, because the broker
redelivers what the checkpoint had not yet acknowledged.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import msgspec

from .messages import (
    DetectionBatch,
    Envelope,
    ImpactAssessment,
    SchemaError,
    TrackReport,
    body_detections,
    body_tracks,
    check_assessment,
    decode_body,
    decode_envelope,
    decode_frame,
)
from .signing import Keyring, write_private

if TYPE_CHECKING:
    import numpy as np

#: Largest frame accepted, bytes (a one-second chunk of a busy feed is a few hundred KB).
MAX_FRAME_BYTES = 4 << 20
MARKS_FORMAT = "launchwatch-replay-marks/1"

REASONS = (
    "oversized",
    "malformed",
    "unsigned",
    "unknown_sender",
    "bad_signature",
    "not_releasable",
    "stale",
    "replayed",
)


@dataclass
class ShareLedger:
    """Counts of what happened to every received frame."""

    received: int = 0
    accepted: int = 0
    rejected: Counter = field(default_factory=Counter)
    accepted_by_sender: Counter = field(default_factory=Counter)

    def as_dict(self) -> dict:
        return {
            "received": self.received,
            "accepted": self.accepted,
            "rejected": {r: int(self.rejected[r]) for r in REASONS if self.rejected[r]},
            "rejected_total": int(sum(self.rejected.values())),
            "accepted_by_sender": dict(self.accepted_by_sender),
        }

    def balanced(self) -> bool:
        return self.received == self.accepted + sum(self.rejected.values())


@dataclass(frozen=True, slots=True)
class Accepted:
    """A verified message: its envelope, typed body and, for detections and tracks, its rows
    (:data:`~launchwatch.sense.records.DETECTION_DTYPE` or
    :data:`~.messages.TRACK_REPORT_DTYPE`, times after the receiver's epoch) or, for an
    assessment, its checked arrays (:func:`~.messages.check_assessment`) with ``impact_t_s``
    and the assessment time ``t_s`` after the receiver's epoch."""

    envelope: Envelope
    body: msgspec.Struct
    rows: np.ndarray | dict[str, np.ndarray | float] | None = None


class Receiver:
    """Verify and check frames for the node of partner ``partner`` (see module docstring).

    ``keyring``: public keys of the known senders; ``clock``: wall clock in Unix seconds;
    ``epoch``: this node's time zero (times in bodies are shifted to it; ``None``: unchanged).
    """

    def __init__(
        self,
        partner: str,
        keyring: Keyring,
        *,
        max_age_s: float = 3600.0,
        max_future_s: float = 30.0,
        clock=time.time,
        epoch: dt.datetime | None = None,
        replay_window: int = 4096,
        max_frame_bytes: int = MAX_FRAME_BYTES,
        marks_file=None,
    ):
        self.partner = partner
        self.max_frame_bytes = int(max_frame_bytes)
        self.marks_file = marks_file
        #: per sender: every frame sent (``sent_s``) at or before this is refused (the marks
        #: of an earlier run); the latest ``sent_s`` accepted per sender
        self.floor: dict[str, float] = self._load_marks()
        self.last_sent: dict[str, float] = dict(self.floor)
        self.replay_window = int(replay_window)
        self.epoch = epoch
        self.keyring = keyring
        self.max_age_s = float(max_age_s)
        self.max_future_s = float(max_future_s)
        self.clock = clock
        self.ledger = ShareLedger()
        self.last_seq: dict[str, int] = {}  # highest accepted seq per sender
        self._seen: dict[str, set[int]] = {}  # accepted seqs within the window, per sender

    def state(self) -> dict:
        """The receive state as plain data: the ledger, the highest accepted ``seq`` and the
        replay window's accepted ``seq`` values per sender.  :meth:`restore` takes it back."""
        led = self.ledger
        return {
            "ledger": {
                "received": led.received,
                "accepted": led.accepted,
                "rejected": dict(led.rejected),
                "accepted_by_sender": dict(led.accepted_by_sender),
            },
            "last_seq": dict(self.last_seq),
            "seen": {s: sorted(seqs) for s, seqs in self._seen.items()},
        }

    def restore(self, state: dict) -> None:
        """Take back the state of :meth:`state`; ``ValueError`` when it is malformed."""
        try:
            led = state["ledger"]
            ledger = ShareLedger(
                int(led["received"]),
                int(led["accepted"]),
                Counter({str(k): int(v) for k, v in led["rejected"].items()}),
                Counter({str(k): int(v) for k, v in led["accepted_by_sender"].items()}),
            )
            last_seq = {str(k): int(v) for k, v in state["last_seq"].items()}
            seen = {str(k): {int(x) for x in v} for k, v in state["seen"].items()}
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ValueError(f"receiver state: {exc}") from None
        if not ledger.balanced():
            raise ValueError("receiver state: the ledger does not balance")
        if any(v < 0 for v in last_seq.values()):
            raise ValueError("receiver state: negative sequence number")
        self.ledger, self.last_seq, self._seen = ledger, last_seq, seen
        # the checkpoint's window governs now: the broker redelivers what it had not yet
        # acknowledged, and those frames must be taken again despite the marks
        self.floor = {}

    def _reject(self, reason: str) -> None:
        self.ledger.rejected[reason] += 1

    def accept(self, data) -> Accepted | None:
        """The verified message in ``data`` (bytes), or ``None`` (reason counted)."""
        self.ledger.received += 1
        try:
            reason, out = self._check(data)
        except Exception:  # noqa: BLE001 -- bad input must never take the node down
            reason, out = "malformed", None
        if out is None:
            self._reject(reason)
            return None
        env = out.envelope
        self._remember(env.sender, env.seq)
        if env.sent_s > self.last_sent.get(env.sender, -math.inf):
            self.last_sent[env.sender] = float(env.sent_s)
            self._save_marks()
        self.ledger.accepted += 1
        self.ledger.accepted_by_sender[env.sender] += 1
        return out

    def _check(self, data) -> tuple[str, Accepted | None]:
        if not isinstance(data, bytes | bytearray | memoryview):
            return "malformed", None
        if len(data) > self.max_frame_bytes:
            return "oversized", None
        try:
            frame = decode_frame(bytes(data))
        except SchemaError:
            return "malformed", None
        if not frame.signature:
            return "unsigned", None
        if frame.sender not in self.keyring:
            return "unknown_sender", None
        if not self.keyring.verify(frame):
            return "bad_signature", None
        try:
            env = decode_envelope(frame.envelope)
            if env.sender != frame.sender:
                return "malformed", None
            body = decode_body(env)
            rows = self._rows(body)
        except (SchemaError, ValueError):
            return "malformed", None
        if self.partner not in env.labels:
            return "not_releasable", None
        now = self.clock()
        if not (now - self.max_age_s <= env.sent_s <= now + self.max_future_s):
            return "stale", None
        if env.sent_s <= self.floor.get(env.sender, -math.inf) or self._replayed(
            env.sender, env.seq
        ):
            return "replayed", None
        return "", Accepted(env, body, rows)

    def _replayed(self, sender: str, seq: int) -> bool:
        high = self.last_seq.get(sender, 0)
        return seq <= high - self.replay_window or seq in self._seen.get(sender, ())

    # -- replay marks ---------------------------------------------------------------------
    def _load_marks(self) -> dict[str, float]:
        if self.marks_file is None:
            return {}
        try:
            with open(self.marks_file, "rb") as fh:
                if os.fstat(fh.fileno()).st_mode & 0o077:
                    raise ValueError(
                        f"{self.marks_file} is readable by others: chmod 600 {self.marks_file}"
                    )
                doc = json.loads(fh.read(1 << 20))
        except FileNotFoundError:
            return {}
        except (OSError, json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ValueError(f"{self.marks_file}: unreadable replay marks ({exc})") from None
        if (
            not isinstance(doc, dict)
            or doc.get("format") != MARKS_FORMAT
            or not isinstance(doc.get("high"), dict)
        ):
            raise ValueError(f"{self.marks_file}: not a replay-marks file")
        return {
            str(k): float(v)
            for k, v in doc["high"].items()
            if isinstance(v, int | float) and math.isfinite(v)
        }

    def _save_marks(self) -> None:
        if self.marks_file is None:
            return
        high = {k: v for k, v in self.last_sent.items() if math.isfinite(v)}
        write_private(
            self.marks_file, json.dumps({"format": MARKS_FORMAT, "high": high}).encode(), sync=False
        )

    def _remember(self, sender: str, seq: int) -> None:
        high = max(self.last_seq.get(sender, 0), seq)
        self.last_seq[sender] = high
        seen = self._seen.setdefault(sender, set())
        seen.add(seq)
        if len(seen) > 2 * self.replay_window:
            self._seen[sender] = {s for s in seen if s > high - self.replay_window}

    def _offset_s(self, epoch: str) -> float:
        if self.epoch is None:
            return 0.0
        theirs = dt.datetime.fromisoformat(epoch)
        if theirs.tzinfo is None:
            raise SchemaError("epoch without UTC offset")
        return (theirs - self.epoch).total_seconds()

    def _rows(self, body):
        if isinstance(body, DetectionBatch):
            return body_detections(body, t_offset_s=self._offset_s(body.epoch))
        if isinstance(body, TrackReport):
            return body_tracks(body, t_offset_s=self._offset_s(body.epoch))
        if isinstance(body, ImpactAssessment):
            off = self._offset_s(body.epoch)
            arrays = check_assessment(body)
            arrays["impact_t_s"] = arrays["impact_t_s"] + off
            arrays["t_s"] = body.t_s + off
            return arrays
        return None
