"""The gate in front of the tracker: every detection is checked, reordered or rejected, and
counted.

Real feeds deliver malformed records, unknown sensors, duplicates and timestamps a few seconds
out of order.  :class:`StreamGate` takes batches of :data:`~launchwatch.sense.records.
DETECTION_DTYPE` rows as they arrive and releases, in time order, only valid ones whose time is
at least ``window_s`` older than the newest time seen (a bounded reorder buffer).  Each rejected
row is counted under one reason; :class:`Ledger` accounts for every row that ever came in::

    received == released + rejected (by reason) + still buffered

A detection dated further ahead than ``max_ahead_s`` is rejected as ``future``: ahead of the
receiver's clock (``now`` given to :meth:`StreamGate.push`, or a ``clock``), or, with neither,
ahead of the newest time accepted so far and of the batch's own median time (so one row dated
a day or a millennium ahead cannot drag the release horizon forward and make the next valid
rows "too late"). A live feed should pass its clock: only then is a lone future row in a batch
of its own refused too.

Duplicates are found by ``det_id`` among the ids of the rows that could still be released: an
id is forgotten once its row is older than the release horizon by more than the window (a row
that old is refused as too late whatever its id), so memory and the cost of a push stay flat
however long the stream runs.

Vectorized: the checks are array masks over the batch, never a Python loop per detection.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from .records import DETECTION_DTYPE

REASONS = (
    "malformed",
    "non_finite",
    "out_of_range",
    "unknown_sensor",
    "duplicate",
    "future",
    "too_late",
)

#: Default of how far ahead (s) of the reference time a detection may be dated.
MAX_AHEAD_S = 60.0

#: Physical bounds of a plausible measurement.
MAX_RANGE_M = 1.0e8
MAX_RANGE_RATE_M_S = 2.0e4
MAX_SENSOR_RADIUS_M = 1.0e8
MIN_SENSOR_RADIUS_M = 6.3e6


@dataclass
class Ledger:
    """Counts of what happened to each received detection."""

    received: int = 0
    released: int = 0
    rejected: Counter = field(default_factory=Counter)

    def as_dict(self) -> dict:
        return {
            "received": self.received,
            "released": self.released,
            "rejected": dict(self.rejected),
            "rejected_total": sum(self.rejected.values()),
        }


class StreamGate:
    """Validate, de-duplicate and reorder a detection stream (see module docstring).

    ``sensors`` maps a sensor id to its kind (``"radar"`` or ``"ir"``); ``window_s`` is how far
    out of order a detection may arrive and still be used; ``max_ahead_s`` how far ahead of the
    reference time (``now``, ``clock()``, else the newest time and the batch median) it may be
    dated; ``clock`` returns the receiver's current time on the stream's time axis (s).
    """

    def __init__(
        self,
        sensors: dict[str, str],
        *,
        window_s: float = 5.0,
        max_ahead_s: float = MAX_AHEAD_S,
        clock=None,
    ):
        if window_s < 0 or not np.isfinite(window_s):
            raise ValueError("window_s must be a non-negative number")
        if not max_ahead_s >= 0:  # also refuses NaN
            raise ValueError("max_ahead_s must be a non-negative number")
        self.sensors = dict(sensors)
        self.window_s = float(window_s)
        self.max_ahead_s = float(max_ahead_s)
        self.clock = clock
        self.ledger = Ledger()
        self._seen = np.zeros(0, dtype=np.int64)  # sorted ids still remembered
        self._seen_t = np.zeros(0, dtype=np.float64)  # their times
        self._buffer = np.zeros(0, dtype=DETECTION_DTYPE)
        self._newest = -np.inf
        self._released_until = -np.inf

    def _reject(self, mask: np.ndarray, reason: str, alive: np.ndarray) -> np.ndarray:
        hit = mask & alive
        n = int(hit.sum())
        if n:
            self.ledger.rejected[reason] += n
        return alive & ~hit

    def push(self, batch, now: float | None = None) -> np.ndarray:
        """Take a batch (structured array, any order); return the detections now released,
        sorted by time.  A batch that is not a detection array at all counts its rows (or one,
        if it has none) as malformed. ``now``: the receiver's time on the stream's axis (s)."""
        arr = self._coerce(batch)
        if arr is None:
            return np.zeros(0, dtype=DETECTION_DTYPE)
        self.ledger.received += arr.size
        alive = np.ones(arr.size, bool)
        z, sig = arr["z"], arr["sigma"]
        radar = arr["kind"] == "radar"
        ir = arr["kind"] == "ir"
        alive = self._reject(~(radar | ir), "malformed", alive)
        # Known sensor of the right kind: one dictionary look-up per distinct sensor id.
        names, inverse = np.unique(arr["sensor"], return_inverse=True)
        kind_of = np.array([self.sensors.get(str(n), "") for n in names], dtype="U8")
        known = kind_of[inverse] == arr["kind"]
        alive = self._reject(~known, "unknown_sensor", alive)
        t_ok = np.isfinite(arr["t_s"])
        need = np.where(radar[:, None], [True, True, True, False], [True, True, False, False])
        vals_ok = np.all(np.isfinite(z) | ~need, axis=1) & np.all(np.isfinite(sig) | ~need, axis=1)
        pos_ok = np.all(np.isfinite(arr["sensor_ecef_m"]), axis=1)
        rr_given = radar & ~np.isnan(z[:, 3])
        rr_ok = ~rr_given | (np.isfinite(z[:, 3]) & np.isfinite(sig[:, 3]))
        alive = self._reject(~(t_ok & vals_ok & pos_ok & rr_ok), "non_finite", alive)
        with np.errstate(invalid="ignore"):
            r_sensor = np.linalg.norm(arr["sensor_ecef_m"], axis=1)
            # Angles sit at z[1], z[2] for a radar (after the range) and z[0], z[1] for IR.
            az = np.where(radar, z[:, 1], z[:, 0])
            el = np.where(radar, z[:, 2], z[:, 1])
            in_range = (
                (np.abs(el) <= 0.5 * np.pi + 1e-9)
                & (az >= 0.0)
                & (az < 2.0 * np.pi + 1e-9)
                & np.all((sig > 0.0) | ~need, axis=1)
                & (r_sensor >= MIN_SENSOR_RADIUS_M)
                & (r_sensor <= MAX_SENSOR_RADIUS_M)
                & (~radar | ((z[:, 0] > 0.0) & (z[:, 0] < MAX_RANGE_M)))
                & (~rr_given | (np.abs(z[:, 3]) < MAX_RANGE_RATE_M_S))
                & (arr["t_s"] >= 0.0)
            )
        alive = self._reject(~in_range, "out_of_range", alive)
        # Duplicates: seen before, or repeated within this batch (first one wins).
        ids = arr["det_id"]
        _, first = np.unique(ids, return_index=True)
        repeat = np.ones(arr.size, bool)
        repeat[first] = False
        seen = np.isin(ids, self._seen)
        alive = self._reject(repeat | seen, "duplicate", alive)
        ahead = arr["t_s"] > self._reference(now, arr["t_s"][alive]) + self.max_ahead_s
        alive = self._reject(ahead, "future", alive)
        late = arr["t_s"] < self._released_until
        alive = self._reject(late, "too_late", alive)
        good = arr[alive]
        self._remember(good)
        if good.size:
            self._newest = max(self._newest, float(good["t_s"].max()))
            self._buffer = np.concatenate([self._buffer, good])
        return self._release(self._newest - self.window_s)

    def _reference(self, now: float | None, t_alive: np.ndarray) -> float:
        """The time a detection may not be dated ``max_ahead_s`` beyond."""
        if now is None and self.clock is not None:
            now = self.clock()
        if now is not None:
            return float(now)
        med = float(np.median(t_alive)) if t_alive.size else -np.inf
        ref = max(self._newest, med)
        return ref if np.isfinite(ref) else np.inf

    def _remember(self, good: np.ndarray) -> None:
        """Add the accepted ids; forget those whose rows can no longer be accepted."""
        ids = np.concatenate([self._seen, good["det_id"].astype(np.int64)])
        ts = np.concatenate([self._seen_t, good["t_s"].astype(np.float64)])
        horizon = max(self._released_until, self._newest - self.window_s) - self.window_s
        keep = ts >= horizon
        order = np.argsort(ids[keep], kind="stable")
        self._seen, self._seen_t = ids[keep][order], ts[keep][order]

    @property
    def remembered(self) -> int:
        """Ids held for the duplicate check (bounded by the rows within the window)."""
        return int(self._seen.size)

    def flush(self) -> np.ndarray:
        """Release everything still buffered (end of stream)."""
        return self._release(np.inf)

    @property
    def buffered(self) -> int:
        return int(self._buffer.size)

    def _release(self, until: float) -> np.ndarray:
        if not self._buffer.size:
            return self._buffer[:0]
        order = np.argsort(self._buffer["t_s"], kind="stable")
        buf = self._buffer[order]
        k = int(np.searchsorted(buf["t_s"], until, side="right"))
        out, self._buffer = buf[:k], buf[k:]
        if k:
            self._released_until = max(self._released_until, float(out["t_s"][-1]))
            self.ledger.released += k
        return out

    def _coerce(self, batch):
        if isinstance(batch, np.ndarray) and batch.dtype == DETECTION_DTYPE:
            return batch.ravel()
        try:
            n = len(batch)
        except TypeError:
            n = 1
        self.ledger.received += max(n, 1)
        self.ledger.rejected["malformed"] += max(n, 1)
        return None
