"""Scenario runs for the service: the chain in a worker thread, replayed live to subscribers.

A run goes ``queued -> computing -> replaying -> done`` (or ``failed``). While computing, the
chain's progress goes to the pages as ``progress`` messages (stage, percent; not kept in the
backlog: ``run.progress`` holds the latest). *Computing* runs the
whole chain (:func:`launchwatch.pipeline.chain.run_chain`: sense -> track -> assess -> warn) in
one worker thread, one run at a time; its results become a list of JSON messages stamped with
scenario time (:func:`chain_messages`). *Replaying* publishes them paced by scenario time
divided by the run's ``speed`` (20 = twenty times faster than real time), so that a dashboard
animates as it would live. Every message goes to every subscriber of the :class:`Hub` (the
WebSocket ``/ws/live``) and into the run's backlog, which a client that connects late (or
reloads the page) receives first.

The messages themselves (types and fields) are built by :mod:`.messages`.
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
import queue
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .messages import chain_messages

#: Runs waiting for the worker (beyond the one computing) before new ones are refused.
MAX_QUEUED = 3
#: Longest pause between two replayed messages, s (wall clock), whatever the speed.
MAX_PAUSE_S = 5.0


#: Least change of a run's progress (percent) worth a message, and least wall time between two.
PROGRESS_STEP_PCT = 1.0
PROGRESS_EVERY_S = 0.5


def run_scenario(name, progress: Callable[[str, float], None] | None = None) -> list[dict]:
    """Run the chain over a shipped scenario (by name) or an uploaded one (a validated
    :class:`~launchwatch.sense.scenario.Scenario`), telling ``progress(stage, fraction)`` how
    far it is; return its messages."""
    from ..pipeline.chain import run_chain
    from ..sense.scenario import load_scenario

    scenario = load_scenario(name) if isinstance(name, str) else name
    return chain_messages(run_chain(scenario, progress=progress))


def _takes_progress(fn: Callable) -> bool:
    try:
        return "progress" in inspect.signature(fn).parameters
    except (TypeError, ValueError):  # pragma: no cover - builtins
        return False


# --------------------------------------------------------------------------------------------
# fan-out


class Hub:
    """Thread-safe fan-out of messages to asyncio subscribers (one queue per WebSocket)."""

    def __init__(self, max_queue: int = 20_000) -> None:
        self._subs: dict[int, tuple[asyncio.AbstractEventLoop, asyncio.Queue]] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.max_queue = max_queue

    def subscribe(self) -> tuple[int, asyncio.Queue]:
        q: asyncio.Queue = asyncio.Queue(self.max_queue)
        with self._lock:
            sid = next(self._ids)
            self._subs[sid] = (asyncio.get_running_loop(), q)
        return sid, q

    def unsubscribe(self, sid: int) -> None:
        with self._lock:
            self._subs.pop(sid, None)

    @property
    def n_subscribers(self) -> int:
        return len(self._subs)

    def publish(self, msg: dict) -> None:
        with self._lock:
            subs = list(self._subs.items())
        for sid, (loop, q) in subs:
            try:
                loop.call_soon_threadsafe(_put, q, msg)
            except RuntimeError:  # the subscriber's loop has closed
                self.unsubscribe(sid)


def _put(q: asyncio.Queue, msg: dict) -> None:
    try:
        q.put_nowait(msg)
    except asyncio.QueueFull:  # a stalled client: it gets an explicit gap marker
        pass


# --------------------------------------------------------------------------------------------
# runs


class RunsBusy(RuntimeError):
    """Too many runs waiting: the request should be retried later."""


@dataclass
class Run:
    id: int
    scenario: str
    speed: float
    state: str = "queued"
    created: float = field(default_factory=time.time)
    error: str | None = None
    backlog: list = field(default_factory=list)
    summary: dict | None = None
    compute_s: float | None = None
    #: The launch event the finished run was stored as (``None`` until then, or if not).
    event_id: int | None = None
    #: Why the finished run could not be stored in the record (the run is still done).
    record_error: str | None = None
    #: The latest ``progress`` message while computing (a page that opens then shows it).
    progress: dict | None = None
    #: An uploaded scenario (validated), run instead of the shipped one named ``scenario``.
    source: Any = field(default=None, repr=False)

    def info(self) -> dict:
        return {
            "run_id": self.id,
            "scenario": self.scenario,
            "speed": self.speed,
            "state": self.state,
            "error": self.error,
            "messages": len(self.backlog),
            "compute_s": self.compute_s,
            "verdict": (self.summary or {}).get("verdict"),
            "no_warning": (self.summary or {}).get("no_warning"),
            "event_id": self.event_id,
            "record_error": self.record_error,
            "progress": self.progress,
            "uploaded": self.source is not None,
        }


class RunManager:
    """Queue of scenario runs served by one worker thread (the chain uses both cores).

    ``on_done(run, messages)``, when set, is called once a run has been replayed in full and
    before its ``done`` state is published (the service stores the run in the launch record
    there: :func:`launchwatch.service.archive.record_run`); it returns the event id. Its
    failure is noted in ``run.record_error`` and does not fail the run."""

    def __init__(
        self,
        hub: Hub,
        compute: Callable[..., list[dict]] = run_scenario,
        sleep: Callable[[float], None] = time.sleep,
        on_done: Callable[[Run, list[dict]], int | None] | None = None,
    ) -> None:
        self.hub = hub
        self.compute = compute
        self.sleep = sleep
        self.on_done = on_done
        #: called with the run after each change of state (the service keeps runs in the
        #: record: :class:`launchwatch.service.runlog.RunLog`); its failure never fails a run
        self.on_state: Callable[[Run], None] | None = None
        self.runs: dict[int, Run] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._queue: queue.Queue[Run | None] = queue.Queue()
        self._worker: threading.Thread | None = None
        self._stop = threading.Event()

    # -- API --------------------------------------------------------------------------------
    def submit(self, scenario: str, speed: float, source: Any = None) -> Run:
        """Queue a run of the shipped scenario ``scenario``, or of ``source`` (an uploaded,
        validated scenario, named ``scenario``)."""
        with self._lock:
            waiting = sum(r.state == "queued" for r in self.runs.values())
            if waiting >= MAX_QUEUED:
                raise RunsBusy(f"{waiting} runs are already waiting; try again when one ends")
            run = Run(id=next(self._ids), scenario=scenario, speed=float(speed), source=source)
            self.runs[run.id] = run
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(
                    target=self._work, name="launchwatch-runs", daemon=True
                )
                self._worker.start()
        self._emit(run, {"type": "run", "state": "queued"})
        self._saved(run)
        self._queue.put(run)
        return run

    def continue_ids(self, first: int) -> None:
        """Number new runs from ``first`` on (the runs of an earlier service are kept in the
        record, so ids never repeat across restarts)."""
        with self._lock:
            self._ids = itertools.count(max(int(first), max(self.runs, default=0) + 1))

    def latest(self) -> Run | None:
        with self._lock:
            return self.runs[max(self.runs)] if self.runs else None

    def get(self, run_id: int) -> Run | None:
        return self.runs.get(run_id)

    def close(self) -> None:
        self._stop.set()
        self._queue.put(None)

    # -- worker -----------------------------------------------------------------------------
    def _emit(self, run: Run, msg: dict) -> None:
        msg = {**msg, "run_id": run.id}
        if msg["type"] == "run":
            msg.update(
                scenario=run.scenario,
                speed=run.speed,
                error=run.error,
                uploaded=run.source is not None,
            )
        with self._lock:
            run.backlog.append(msg)
        self.hub.publish(msg)

    def _state(self, run: Run, state: str) -> None:
        run.state = state
        self._emit(run, {"type": "run", "state": state})
        self._saved(run)

    def _saved(self, run: Run) -> None:
        if self.on_state is None:
            return
        try:
            self.on_state(run)
        except Exception:  # noqa: BLE001 - the record being unavailable must not stop runs
            traceback.print_exc()

    def _work(self) -> None:
        while not self._stop.is_set():
            run = self._queue.get()
            if run is None:
                return
            try:
                self._state(run, "computing")
                t0 = time.perf_counter()
                what = run.source if run.source is not None else run.scenario
                if _takes_progress(self.compute):
                    msgs = self.compute(what, progress=self._progress_fn(run))
                else:
                    msgs = self.compute(what)
                run.compute_s = round(time.perf_counter() - t0, 2)
                if self._stop.is_set():  # stopped while computing: nothing to replay
                    run.error = "the service stopped before the run ended"
                    self._state(run, "interrupted")
                    continue
                self._state(run, "replaying")
                self._replay(run, msgs)
                if self._stop.is_set():
                    run.error = "the service stopped before the run ended"
                    self._state(run, "interrupted")
                else:
                    self._record(run, msgs)
                    self._state(run, "done")
            except Exception as exc:  # a failed run is reported, never kills the worker
                run.error = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
                traceback.print_exc()
                self._state(run, "failed")

    def _progress_fn(self, run: Run) -> Callable[[str, float], None]:
        """``progress(stage, fraction)`` for the chain: a ``progress`` message to every page
        when the percentage moved by PROGRESS_STEP_PCT, at most every PROGRESS_EVERY_S."""
        last: dict[str, Any] = {"pct": -100.0, "at": 0.0, "stage": None}

        def progress(stage: str, fraction: float) -> None:
            pct = round(100.0 * min(max(float(fraction), 0.0), 1.0), 1)
            now = time.monotonic()
            if stage == last["stage"] and (
                pct - last["pct"] < PROGRESS_STEP_PCT or now - last["at"] < PROGRESS_EVERY_S
            ):
                return
            last.update(pct=pct, at=now, stage=stage)
            self._publish_progress(run, stage, pct)

        return progress

    def _publish_progress(self, run: Run, stage: str, pct: float) -> None:
        """Progress goes to the pages (and ``run.progress``), not to the run's backlog."""
        msg = {
            "type": "progress",
            "run_id": run.id,
            "stage": stage,
            "percent": pct,
            "elapsed_s": round(time.time() - run.created, 1),
        }
        run.progress = msg
        self.hub.publish(msg)

    def _record(self, run: Run, msgs: list[dict]) -> None:
        if self.on_done is None:
            return
        try:
            run.event_id = self.on_done(run, msgs)
        except Exception as exc:  # the run itself succeeded: keep it done, say why
            run.record_error = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
            traceback.print_exc()

    def _replay(self, run: Run, msgs: list[dict]) -> None:
        if not msgs:
            return
        t0 = msgs[0]["t_s"]
        start = time.monotonic()
        for msg in msgs:
            if self._stop.is_set():
                return
            due = start + (msg["t_s"] - t0) / run.speed
            wait = due - time.monotonic()
            if wait > MAX_PAUSE_S:  # long quiet spells are shortened, the rest shifts
                start -= wait - MAX_PAUSE_S
                wait = MAX_PAUSE_S
            if wait > 0:
                self.sleep(wait)
            if msg["type"] == "summary":
                run.summary = msg
            self._emit(run, msg)
