"""The sending side: label by policy, sign, and publish only to the partners the labels name.

:class:`Outbox` owns the node's signing key and its sequence counter.  :meth:`Outbox.send`
publishes one envelope to each partner its labels name (never to another, never to itself).
:meth:`Outbox.send_detections` is the per-destination form used for detection sharing: for each
partner it keeps only the rows the policy releases to that partner (rules per sensor), and sends
exactly one batch per chunk (possibly empty: a heartbeat saying "nothing more from me before
``chunk_end_s``"), labelled with the partners that every row in it may go to.
:meth:`Outbox.send_tracks` does the same for track reports, rules per track id.
:meth:`Outbox.send_assessment` splits an assessment by the policy's rules per track: one
envelope per distinct label set, holding the tracks with those labels, so that every track's
prediction reaches exactly the partners its rule names (a restricted track does not hold back
the others).  :meth:`Outbox.send_warning` sends one envelope labelled with the partners every
track it is about may go to (the intersection of the per-track labels).
"""

from __future__ import annotations

import time

import numpy as np
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from .bus import Bus, inbox
from .messages import (
    WarningNotice,
    assessment_body,
    detections_body,
    make_envelope,
    tracks_body,
)
from .policy import Policy
from .signing import sign_envelope


class Outbox:
    """Signed, policy-filtered publishing for node ``node_id`` of partner ``partner``.

    ``seq`` is the last sequence number used (a restarted node resumes from its checkpoint).
    """

    def __init__(
        self,
        node_id: str,
        partner: str,
        key: Ed25519PrivateKey,
        policy: Policy,
        bus: Bus,
        *,
        clock=time.time,
        seq: int = 0,
    ):
        self.node_id, self.partner, self.key = node_id, partner, key
        self.policy, self.bus, self.clock = policy, bus, clock
        self.seq = int(seq)
        #: frames published per destination partner and message kind
        self.sent: dict[str, dict[str, int]] = {}

    def destinations(self) -> tuple[str, ...]:
        return tuple(p for p in self.policy.partners if p != self.partner)

    def send(self, body, labels) -> int:
        """Sign ``body`` under ``labels`` and publish it to every named partner but this one;
        returns the number of frames published."""
        labels = tuple(sorted(set(labels)))
        dests = [p for p in labels if p != self.partner]
        if not dests:
            return 0
        self.seq += 1
        env = make_envelope(
            sender=self.node_id, seq=self.seq, labels=labels, body=body, sent_s=self.clock()
        )
        frame = sign_envelope(self.key, env)
        for dest in dests:
            self._publish(dest, frame, env.msg_id, env.kind)
        return len(dests)

    def _publish(self, dest: str, frame: bytes, msg_id: str, kind: str) -> None:
        self.bus.publish(inbox(dest), frame, msg_id=f"{msg_id}>{dest}")
        per = self.sent.setdefault(dest, {})
        per[kind] = per.get(kind, 0) + 1

    def _per_destination(self, kind: str, rows: np.ndarray, body_of, **keys) -> int:
        if rows.size:
            sets, index = self.policy.row_labels(kind, **keys)
        n = 0
        for dest in self.destinations():
            if rows.size:
                mask = np.isin(index, [i for i, s in enumerate(sets) if dest in s])
                mine = rows[mask]
            else:
                mine = rows
            if mine.size:
                common = set.intersection(*(set(sets[i]) for i in np.unique(index[mask])))
            else:  # heartbeat: only says the chunk is over
                common = {dest}
            common.add(dest)
            self.seq += 1
            env = make_envelope(
                sender=self.node_id,
                seq=self.seq,
                labels=common,
                body=body_of(mine),
                sent_s=self.clock(),
            )
            self._publish(dest, sign_envelope(self.key, env), env.msg_id, env.kind)
            n += 1
        return n

    def send_detections(self, det: np.ndarray, *, epoch: str, chunk_end_s: float) -> int:
        """One batch per destination partner of the rows releasable to it (see module
        docstring); returns the number of frames published."""
        return self._per_destination(
            "detections",
            det,
            lambda rows: detections_body(rows, epoch=epoch, chunk_end_s=chunk_end_s),
            sensors=det["sensor"],
        )

    def send_tracks(self, rows: np.ndarray, *, epoch: str) -> int:
        """Track rows (one per track, history dtype) to each partner, filtered by the policy's
        track rules; a partner to which no track is releasable gets nothing."""
        sets, index = self.policy.row_labels("tracks", tracks=rows["track_id"])
        n = 0
        for dest in self.destinations():
            mask = np.isin(index, [i for i, s in enumerate(sets) if dest in s])
            if not mask.any():
                continue
            common = set.intersection(*(set(sets[i]) for i in np.unique(index[mask])))
            self.seq += 1
            env = make_envelope(
                sender=self.node_id,
                seq=self.seq,
                labels=common,
                body=tracks_body(rows[mask], epoch=epoch),
                sent_s=self.clock(),
            )
            self._publish(dest, sign_envelope(self.key, env), env.msg_id, env.kind)
            n += 1
        return n

    def send_assessment(self, assessment) -> int:
        """An :class:`~launchwatch.assess.assessment.Assessment` summary, one envelope per
        distinct label set of its tracks (see module docstring); returns frames published."""
        tid = np.asarray(assessment.track_id, np.int64)
        if not tid.size:
            return 0
        sets, index = self.policy.row_labels("assessment", tracks=tid)
        n = 0
        for i, labels in enumerate(sets):
            n += self.send(assessment_body(assessment, np.flatnonzero(index == i)), labels)
        return n

    def send_warning(self, notice: WarningNotice) -> int:
        """A warning notice to the partners that may receive every track it is about."""
        return self.send(notice, self._common("warning", np.asarray(notice.track_id)))

    def _common(self, kind: str, track_ids: np.ndarray) -> set[str]:
        if not np.size(track_ids):
            return set(self.policy.labels(kind))
        sets, index = self.policy.row_labels(kind, tracks=np.asarray(track_ids, np.int64))
        return set.intersection(*(set(sets[i]) for i in np.unique(index)))
