"""Scenario runs kept in the record (table ``runs``), so that a run cut short by a shutdown is
listed after a restart as ``interrupted`` instead of vanishing.

:class:`RunLog` writes a run's state each time it changes (``RunManager.on_state``); at start
it marks every run that was still queued, computing or replaying as ``interrupted`` (the
service that ran it has stopped) and gives the next run id, so ids never repeat; at shutdown
the runs still open are marked ``interrupted``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, update

from ..record.models import RunRow
from ..record.store import Store

OPEN = ("queued", "computing", "replaying")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class RunLog:
    """The ``runs`` table of ``store``."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def recover(self) -> int:
        """Mark runs left open by a stopped service as interrupted; the next free run id."""
        with self.store.sessions() as s, s.begin():
            s.execute(
                update(RunRow)
                .where(RunRow.state.in_(OPEN))
                .values(
                    state="interrupted",
                    error="the service stopped before the run ended",
                    updated_utc=_now(),
                )
            )
            return int(s.scalar(select(func.max(RunRow.id))) or 0) + 1

    def save(self, run) -> None:
        """Insert or update the row of ``run`` (a :class:`~.live.Run`)."""
        with self.store.sessions() as s, s.begin():
            row = s.get(RunRow, run.id)
            if row is None:
                row = RunRow(
                    id=run.id,
                    scenario=run.scenario[:80],
                    speed=float(run.speed),
                    created_utc=dt.datetime.fromtimestamp(run.created, dt.UTC).replace(tzinfo=None),
                    state=run.state,
                    updated_utc=_now(),
                )
                s.add(row)
            row.state, row.updated_utc = run.state[:16], _now()
            row.error = (run.error or None) and run.error[:300]
            row.event_id = run.event_id

    def interrupt(self, runs) -> None:
        """At shutdown: every run of ``runs`` not yet ended is recorded as interrupted."""
        for run in runs:
            if run.state in OPEN:
                run.state, run.error = "interrupted", "the service stopped before the run ended"
                self.save(run)

    def rows(self, limit: int = 200) -> list[dict]:
        """Stored runs, newest first, as :class:`~.app.RunInfo` dictionaries."""
        with self.store.sessions() as s:
            got = s.scalars(select(RunRow).order_by(RunRow.id.desc()).limit(limit))
            return [self.info(r) for r in got]

    def get(self, run_id: int) -> dict | None:
        with self.store.sessions() as s:
            row = s.get(RunRow, run_id)
            return self.info(row) if row is not None else None

    @staticmethod
    def info(row: RunRow) -> dict:
        return {
            "run_id": row.id,
            "scenario": row.scenario,
            "speed": row.speed,
            "state": row.state,
            "error": row.error,
            "messages": 0,
            "compute_s": None,
            "verdict": None,
            "no_warning": None,
            "event_id": row.event_id,
            "record_error": None,
        }
