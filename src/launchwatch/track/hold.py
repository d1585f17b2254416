"""A young track's doubtful detection decided over two scans, not one (deferred decision).

In a salvo flown as a train the first missile's young track, when a scan misses its missile,
takes the next missile's first sighting: nothing yet says that a second object is up (no other
track started, no earlier detection of it), so no rule that looks at one scan can tell that
detection from the track's own -- a boosting missile's own detections cost as much under its
young track (mixture costs 12-14, ``tests/track/test_boost_continuity.py``) as a neighbour's
first sighting (4-14, campaign dense-salvos seed 2, engagement 8).  The next scan of the same
radar can: it shows the track's missile again *and* the neighbour a few km behind, moving as
a new object started at the doubtful detection would.

So a young track's (fewer than ``birth_max_hits`` updates) full radar detection whose IMM
mixture cost (:func:`~.birth.mode_cost`) exceeds ``hold_cost`` is *held*: the track is neither
updated nor counted a miss, the detection waits in the initiator's pending pool as a possible
first point of a new track.  At that radar's next frame the two hypotheses are weighed with
all of that frame's detections ``D`` (cost ``c = -2 ln`` of a measurement density, without
``(2 pi)^2``; ``Pd`` the radar's detection probability; every detection of ``D`` that neither
hypothesis explains is a birth, as likely under both, so those factors cancel):

* H_a -- the held detection ``z1`` was the track's: ``c1 - 2 ln Pd``, then the track updated
  with ``z1`` takes its best detection of ``D`` (``c_a(z) - 2 ln Pd - B``) or misses
  (``-2 ln(1 - Pd)``);
* H_b -- the track missed (``-2 ln(1 - Pd)``), ``z1`` was a new object's first sighting (a
  birth, ``+B``); the track takes a detection ``z_b`` of ``D`` (``c_b(z_b) - 2 ln Pd - B``)
  or misses, the new object a different ``z'`` (``c_N(z') - 2 ln Pd - B``: :mod:`.newobject`'s
  pseudo-state started at ``z1`` moving like the track) or misses.

``B = -2 ln((2 pi)^2 lambda)`` is the cost of a birth at the density ``lambda`` of other
objects (:class:`~.birth.BirthRate`).  With both missiles seen again, ``B`` cancels and the
comparison is of likelihoods alone; with only one detection in ``D`` (a single boosting
missile), H_b pays an unexplained birth and H_a is kept.  H_a applies the held update at its
time by the tracker's one update rule (the iterated EKF update after a coast of
``iterate_after_s``, as an immediate update; the H_a state weighed above takes it too), then the
frame proceeds; H_b leaves the track as it was and ``z1`` pending, and records
that ``z1``'s frame did not update the track, so the "new object" alternative and two-point
initiation of the frame pair ``z1`` with ``z'``.  A held detection is decided at the next frame
of its radar, or as H_a when another radar's frame may update the track first or
``max_age_s`` passes.  The cost: one scan's delay of doubtful updates of young tracks.

Units SI, measurement space (m, rad, rad, m/s); frame ECEF.
"""

from __future__ import annotations

import math

import numpy as np

from ..sense.records import DETECTION_DTYPE


class Holds:
    """Held (track, detection) pairs: the track's id, the detection row, its ledger index, its
    sensor, its time and its mixture cost under the track."""

    _F = ("track_id", "det", "ledger", "sensor", "t_s", "cost")

    def __init__(self) -> None:
        self.track_id = np.zeros(0, np.int64)
        self.det = np.zeros(0, DETECTION_DTYPE)
        self.ledger = np.zeros(0, np.int64)
        self.sensor = np.zeros(0, np.int64)
        self.t_s = np.zeros(0)
        self.cost = np.zeros(0)

    def __len__(self) -> int:
        return int(self.t_s.size)

    def add(
        self, track_id: np.ndarray, det: np.ndarray, ledger: np.ndarray, sensor: int,
        cost: np.ndarray,
    ) -> None:  # fmt: skip
        self.track_id = np.concatenate([self.track_id, track_id])
        self.det = np.concatenate([self.det, det])
        self.ledger = np.concatenate([self.ledger, ledger])
        self.sensor = np.concatenate([self.sensor, np.full(det.size, sensor, np.int64)])
        self.t_s = np.concatenate([self.t_s, det["t_s"]])
        self.cost = np.concatenate([self.cost, cost])

    def take(self, sel: np.ndarray) -> dict[str, np.ndarray]:
        """Remove the rows of mask ``sel`` and return them (a dict of arrays)."""
        out = {f: getattr(self, f)[sel] for f in self._F}
        for f in self._F:
            setattr(self, f, getattr(self, f)[~sel])
        return out


def _two_smallest(c: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row of ``c`` (K, U): the smallest value, its column, and the second smallest."""
    k, u = c.shape
    if u == 0:
        inf = np.full(k, np.inf)
        return inf, np.full(k, -1), inf
    j = np.argmin(c, axis=1)
    first = c[np.arange(k), j]
    rest = c.copy()
    rest[np.arange(k), j] = np.inf
    return first, j, rest.min(axis=1)


def hypothesis_costs(
    c1: np.ndarray,
    c_a: np.ndarray,
    c_b: np.ndarray,
    c_n: np.ndarray,
    birth: np.ndarray,
    pd: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Costs (``-2 ln`` likelihood, up to terms common to both) of H_a and H_b (module
    docstring) for K held detections: ``c1`` (K,) the held detection's mixture cost under its
    track, ``c_a``, ``c_b``, ``c_n`` (K, U) the costs of the next frame's U detections under
    the track updated with it, under the track without it, and under a new object started at
    it (``inf`` where not gated), ``birth`` (K,) the birth cost ``B``."""
    miss, hit = -2.0 * math.log(1.0 - pd), -2.0 * math.log(pd)
    b = birth[:, None]
    a_best = np.minimum((c_a + hit - b).min(axis=1, initial=np.inf), miss)
    h_a = c1 + hit + a_best
    tb = c_b + hit - b  # the track's own term per detection
    tn = c_n + hit - b  # the new object's
    b1, jb, b2 = _two_smallest(tb)
    n1, jn, n2 = _two_smallest(tn)
    both = np.where(jb != jn, b1 + n1, np.minimum(b1 + n2, b2 + n1))
    pair = np.minimum.reduce([both, b1 + miss, n1 + miss, np.full_like(b1, 2.0 * miss)])
    h_b = miss + birth + pair
    return h_a, h_b
