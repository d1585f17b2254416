"""Sense + track over a scenario: truth, sensor feeds, the stream gate, the tracker, the score.

:func:`run_simulation` is what ``launchwatch simulate`` runs: the scenario's launches are flown
(:mod:`launchwatch.sense.truth`), every sensor observes them with its noise, horizon, detection
probability and false alarms, the detections are streamed in one-second chunks through the
:class:`~launchwatch.sense.stream.StreamGate` into the
:class:`~launchwatch.track.tracker.Tracker`, and the tracks are scored against the truth.  One
seed (the scenario's) makes the run reproducible.  Everything is accounted for: each detection
ends in the gate's ledger (rejected, by reason) or in the tracker's (updated, started, cued,
unassociated).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import overload

import numpy as np

from ..sense.records import Truth
from ..sense.scenario import Scenario
from ..track import history as hist
from ..track.score import Score, score
from ..track.tracker import Tracker, TrackerConfig
from .feed import CHUNK_S, REORDER_WINDOW_S, Fusion, simulate_feed

__all__ = ["CHUNK_S", "REORDER_WINDOW_S", "SimulationResult", "run_simulation", "write_outputs"]


@dataclass
class SimulationResult:
    """Everything a run produced; ``summary()`` is the JSON of ``launchwatch simulate``."""

    scenario: Scenario
    truth: Truth
    descriptions: list[str]
    sensors: list
    detections: np.ndarray
    truth_ids: np.ndarray
    gate_ledger: dict
    tracker: Tracker
    score: Score
    seconds: dict = field(default_factory=dict)

    def first_detection_s(self) -> list[float | None]:
        """Per missile, seconds after its launch of its first detection by any sensor."""
        out = []
        for i, t_launch in enumerate(self.truth.launch_time_s):
            hit = self.detections["t_s"][self.truth_ids["missile"] == i]
            out.append(None if hit.size == 0 else round(float(hit.min() - t_launch), 2))
        return out

    def tracker_ledger_counts(self) -> dict:
        led = self.tracker.ledger()
        return {
            name: int(np.sum(led["outcome"] == code))
            for code, name in enumerate(hist.OUTCOME_NAMES)
        }

    def summary(self) -> dict:
        s = self.score
        hist_rows = self.tracker.history
        return {
            "scenario": self.scenario.name,
            "epoch": self.scenario.epoch.isoformat(),
            "seed": self.scenario.seed,
            "missiles": self.truth.n_missiles,
            "tracks": int(np.unique(hist_rows["track_id"][hist_rows["confirmed"]]).size),
            "tentative_tracks": int(np.unique(hist_rows["track_id"]).size),
            "false_tracks": s.n_false_tracks,
            "swaps": s.n_swaps,
            "breaks": s.n_breaks,
            "first_detection_s": self.first_detection_s(),
            "first_track_s": [
                None if np.isnan(x) else round(float(x), 2) for x in s.time_to_track_s
            ],
            "coverage": [round(float(x), 3) for x in s.coverage],
            "position_rmse_m": _num(s.pos_rmse_m),
            "velocity_rmse_m_s": _num(s.vel_rmse_m_s),
            "position_rmse_per_missile_m": [_num(x) for x in s.pos_rmse_per_missile_m],
            "ospa_mean_m": _num(s.ospa_mean_m),
            "detections": int(self.detections.size),
            "false_alarms": int(np.sum(self.truth_ids["missile"] < 0)),
            "ledger": {"gate": self.gate_ledger, "tracker": self.tracker_ledger_counts()},
            "sensors": [sensor.name for sensor in self.sensors],
            "launches": self.descriptions,
            "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
        }


def _num(x) -> float | None:
    return None if not np.isfinite(x) else round(float(x), 3)


#: ``progress(stage, fraction)``: told how far a long run is (fraction of the whole, 0..1).
Progress = Callable[[str, float], None]

#: Share of a simulation's wall time spent flying and sensing (the rest is tracking), measured
#: on the shipped scenarios; only the progress bar's pace depends on it.
SENSE_SHARE = 0.3


@overload
def scaled(progress: Progress, lo: float, hi: float) -> Progress: ...
@overload
def scaled(progress: Progress | None, lo: float, hi: float) -> Progress | None: ...
def scaled(progress: Progress | None, lo: float, hi: float) -> Progress | None:
    """``progress`` for a part of the work that spans ``lo..hi`` of the whole."""
    if progress is None:
        return None
    return lambda stage, f: progress(stage, lo + (hi - lo) * min(max(f, 0.0), 1.0))


def run_simulation(
    scenario: Scenario, *, config: TrackerConfig | None = None, progress: Progress | None = None
) -> SimulationResult:
    """Run sense + track over ``scenario`` (see module docstring); ``progress(stage,
    fraction)`` is told how far the run is."""
    if progress:
        progress("flying and sensing", 0.0)
    feed = simulate_feed(scenario)
    secs = dict(feed.seconds)
    detections = feed.detections
    fusion = Fusion(feed.sensor_kinds, config)
    t0 = time.perf_counter()
    if detections.size:
        edges = np.arange(0.0, float(detections["t_s"].max()) + CHUNK_S, CHUNK_S)
        cuts = np.searchsorted(detections["t_s"], edges[1:], side="left")
        chunks = np.split(detections, cuts)
        for k, chunk in enumerate(chunks):
            fusion.push(chunk)
            if progress and k % 10 == 0:
                progress("tracking", SENSE_SHARE + (1 - SENSE_SHARE) * k / len(chunks))
    fusion.flush()
    secs["track"] = time.perf_counter() - t0
    tracker = fusion.tracker
    t0 = time.perf_counter()
    if progress:
        progress("scoring tracks", 1.0)
    result_score = score(tracker.history, feed.truth)
    secs["score"] = time.perf_counter() - t0
    return SimulationResult(
        scenario=scenario,
        truth=feed.truth,
        descriptions=feed.descriptions,
        sensors=feed.sensors,
        detections=detections,
        truth_ids=feed.truth_ids,
        gate_ledger=fusion.gate.ledger.as_dict(),
        tracker=tracker,
        score=result_score,
        seconds=secs,
    )


def write_outputs(result: SimulationResult, out_dir: str | Path, run=None) -> list[Path]:
    """Write detections (with their truth ids), tracks and truth -- and a chain's assessments
    (``run``) -- as CSV and Parquet into ``out_dir``: named columns in stated units, positions
    as WGS84 latitude, longitude and altitude (:mod:`launchwatch.pipeline.export`)."""
    from .export import tables, write_tables

    return write_tables(tables(result, run), out_dir)
