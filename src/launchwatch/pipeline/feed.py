"""The front of the chain: a scenario's simulated sensor feeds, chunked, through gate and tracker.

* :func:`simulate_feed` flies the scenario's launches (:mod:`launchwatch.sense.truth`) and has
  every sensor observe them with its noise, horizon, detection probability and false alarms,
  all from one generator seeded by the scenario: the same detections, ids and noise wherever
  it runs (one machine, or each partner node keeping its own sensors' rows).
* Detections are handed over in chunks of :data:`CHUNK_S` seconds of feed, as a live stream
  would (:func:`chunk_index`); they may arrive up to :data:`REORDER_WINDOW_S` out of order.
* :class:`Fusion` is what a stream of chunks goes through: the
  :class:`~launchwatch.sense.stream.StreamGate` and then the
  :class:`~launchwatch.track.tracker.Tracker`.  It can keep the log of what it was pushed
  (plain arrays) and rebuild itself from such a log: both are deterministic, so replaying the
  same chunks gives the same gate and tracker (the partner nodes' checkpoints rely on this).

Times are seconds after the scenario epoch.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from ..sense.records import DETECTION_DTYPE, Truth
from ..sense.scenario import Scenario, SensorRef, drop_outages
from ..sense.sensors import build_sensor, observe_all
from ..sense.stream import StreamGate
from ..sense.truth import build_truth
from ..track.tracker import Tracker, TrackerConfig

#: Detections are handed over in chunks of this many seconds of feed, as a live stream would.
CHUNK_S = 1.0
#: How far out of order a detection may arrive and still be used (s).
REORDER_WINDOW_S = 2.0


@dataclass
class Feed:
    """A scenario's simulated sensor feeds: all detections (time-ordered, with their ids), the
    truth behind them (``truth_ids``: missile per detection, -1 for false alarms), the sensors,
    their kinds by name, and the number of :data:`CHUNK_S` chunks the run spans."""

    scenario: Scenario
    truth: Truth
    descriptions: list[str]
    sensors: list
    detections: np.ndarray
    truth_ids: np.ndarray
    sensor_kinds: dict[str, str]
    n_chunks: int
    seconds: dict = field(default_factory=dict)  # wall-clock seconds: truth, sense


def sensor_spec(ref):
    """A scenario's sensor entry as :func:`~launchwatch.sense.sensors.build_sensor` takes it
    (outage windows stay with the scenario: :func:`~launchwatch.sense.scenario.drop_outages`)."""
    return ref.sensor_spec() if isinstance(ref, SensorRef) else ref


def simulate_feed(scenario: Scenario) -> Feed:
    """Fly ``scenario`` and observe it with all its sensors (seeded by the scenario)."""
    secs = {}
    t0 = time.perf_counter()
    truth, descriptions = build_truth(scenario)
    secs["truth"] = time.perf_counter() - t0
    sensors = [build_sensor(sensor_spec(ref)) for ref in scenario.sensors]
    rng = np.random.default_rng(scenario.seed)
    t0 = time.perf_counter()
    det, truth_ids = observe_all(sensors, truth, rng, rcs_m2=scenario.rcs_m2)
    det, truth_ids = drop_outages(scenario, det, truth_ids, [s.name for s in sensors])
    secs["sense"] = time.perf_counter() - t0
    t_end = max(float(truth.times_s[-1]), float(det["t_s"].max()) if det.size else 0.0)
    return Feed(
        scenario,
        truth,
        descriptions,
        sensors,
        det,
        truth_ids,
        {s.name: s.kind for s in sensors},
        int(np.floor(t_end / CHUNK_S)) + 1,
        secs,
    )


def chunk_index(t_s: np.ndarray) -> np.ndarray:
    """The chunk of each time (chunk k holds ``k * CHUNK_S <= t < (k + 1) * CHUNK_S``)."""
    return np.floor(np.asarray(t_s) / CHUNK_S).astype(np.int64)


class Fusion:
    """Stream gate + tracker over ``sensor_kinds`` (sensor name -> ``"radar"`` / ``"ir"``).

    ``push(chunk)`` for every chunk in order, ``flush()`` at the end of the stream.  With
    ``keep_log`` every pushed chunk is kept (:meth:`log`), and :meth:`replay` rebuilds an
    identical fusion from such a log.
    """

    def __init__(
        self,
        sensor_kinds: dict[str, str],
        config: TrackerConfig | None = None,
        *,
        keep_log: bool = False,
    ):
        self.gate = StreamGate(sensor_kinds, window_s=REORDER_WINDOW_S)
        self.tracker = Tracker(config)
        self.flushed = False
        self._log: list[np.ndarray] | None = [] if keep_log else None
        self._nows: list[float] = []

    def push(self, chunk: np.ndarray, now: float | None = None) -> None:
        """Pass one chunk of detection rows through the gate and what it releases to the
        tracker; ``now``: the receiver's time on the stream's axis (s), which bounds how far
        ahead a row may be dated (see :class:`~launchwatch.sense.stream.StreamGate`)."""
        if self._log is not None:
            self._log.append(np.asarray(chunk, DETECTION_DTYPE))
            self._nows.append(np.nan if now is None else float(now))
        released = self.gate.push(chunk, now=now)
        if released.size:
            self.tracker.step(released)

    def flush(self) -> None:
        """End of stream: release the gate's buffer to the tracker, close the tracker."""
        tail = self.gate.flush()
        if tail.size:
            self.tracker.step(tail)
        self.tracker.flush()
        self.flushed = True

    def log(self) -> dict:
        """Plain data of everything pushed: ``rows`` (all chunks' rows, concatenated),
        ``counts`` (rows per chunk) and ``flushed``."""
        if self._log is None:
            raise RuntimeError("this fusion keeps no log (keep_log=False)")
        rows = np.concatenate(self._log) if self._log else np.zeros(0, DETECTION_DTYPE)
        return {
            "rows": rows,
            "counts": np.array([c.size for c in self._log], np.int64),
            "now": np.array(self._nows, np.float64),
            "flushed": self.flushed,
        }

    @classmethod
    def replay(
        cls, sensor_kinds: dict[str, str], log: dict, config: TrackerConfig | None = None
    ) -> Fusion:
        """A fusion rebuilt from :meth:`log` (keeping its log); ``ValueError`` if malformed."""
        rows, counts = log["rows"], np.asarray(log["counts"])
        if (
            not isinstance(rows, np.ndarray)
            or rows.dtype != DETECTION_DTYPE
            or counts.ndim != 1
            or counts.dtype.kind not in "iu"
            or (counts < 0).any()
            or int(counts.sum()) != rows.size
        ):
            raise ValueError("fusion log: rows and counts do not match")
        nows = np.asarray(log.get("now", np.full(counts.size, np.nan)), np.float64)
        if nows.shape != counts.shape:
            raise ValueError("fusion log: one receiver time per chunk expected")
        out = cls(sensor_kinds, config, keep_log=True)
        chunks = np.split(rows, np.cumsum(counts)[:-1]) if counts.size else []
        for chunk, now in zip(chunks, nows, strict=True):
            out.push(chunk, now=None if np.isnan(now) else float(now))
        if log["flushed"]:
            out.flush()
        return out
