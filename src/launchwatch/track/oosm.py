"""Out-of-sequence measurements: fixed-lag re-processing.

Partner data arrives late (5-30 s behind the local feed).  A detection older than the track it
updates is not dropped and not applied to a state carried back in time (a backward prediction
adds process noise that the state at the later time already ruled out: measured on an SRBM
with a partner radar 20 s late, the position error grew from 59 m to 251 m); the track is
*re-processed*: its state is taken from the last snapshot before the late detection, and every
detection it took since, with the late one in its time place, is applied again in time order
(IMM mixing, prediction and update per detection, as live).  For an EKF this is the in-order
result exactly.

Storage, batched over tracks (no object per track): every ``snapshot_s`` of tracker time a copy
of the whole live track set (:class:`~.tracks.TrackSet`), kept for ``lag_s`` plus one interval;
and a log of the detections each track took (their :data:`~launchwatch.sense.records.
DETECTION_DTYPE` rows with the track id), kept as long.  At 1,000 tracks, 10 Hz, a 30 s lag and
5 s snapshots: ~13 MB of snapshots and ~35 MB of log.  A detection older than the oldest
snapshot (beyond the lag) is applied as before, by backward prediction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from ..sense.records import DETECTION_DTYPE
from .history import Blocks
from .measure import Measurements
from .tracks import TrackSet, thrust_inputs_kernel, thrust_update_kernel

if TYPE_CHECKING:
    from .imm import IMM

LOG_DTYPE = np.dtype([("track_id", np.int64), ("det", DETECTION_DTYPE)])
#: Rows per block of the log (240 bytes a row: ~4 MB blocks).  The log lives in blocks that
#: are never copied as it grows (it held up to ~3 million rows at 10,000 targets in 30 s, and
#: capacity doubling copied and first-touched ~1 GB along the way).
LOG_BLOCK_ROWS = 16384


@njit(cache=True)
def _log_kernel(out, track_ids, det, idx):  # type: ignore[no-untyped-def]
    """Log rows ``out`` (:data:`LOG_DTYPE`): track ``track_ids[k]`` took ``det[idx[k]]``."""
    for k in range(idx.shape[0]):
        o, d = out[k], det[idx[k]]
        o.track_id = track_ids[k]
        o.det.det_id = d.det_id
        o.det.sensor = d.sensor
        o.det.kind = d.kind
        o.det.t_s = d.t_s
        for j in range(4):
            o.det.z[j] = d.z[j]
            o.det.sigma[j] = d.sigma[j]
        for j in range(3):
            o.det.sensor_ecef_m[j] = d.sensor_ecef_m[j]


#: The one row of a replayed track's arrays.
_ROW0 = np.zeros(1, np.int64)


class LagBuffer:
    """Snapshots and detection log for re-processing (module docstring)."""

    def __init__(self, lag_s: float, snapshot_s: float):
        self.lag_s = float(lag_s)
        self.snapshot_s = float(snapshot_s)
        self._snaps: list[tuple[float, TrackSet]] = []
        self._log = Blocks(LOG_DTYPE, LOG_BLOCK_ROWS)
        self._next_snap = -np.inf

    @property
    def enabled(self) -> bool:
        return self.lag_s > 0

    def log(self, track_ids: np.ndarray, det: np.ndarray, idx: np.ndarray | None = None) -> None:
        """Record that tracks ``track_ids`` (K,) took detections ``det`` (K,), or ``det[idx]``
        when ``idx`` (K,) is given (copied record by record in one compiled pass)."""
        k = det.size if idx is None else idx.size
        if not self.enabled or k == 0:
            return
        rows = self._log.reserve(k)
        if idx is None:
            rows["track_id"], rows["det"] = track_ids, det
        else:
            _log_kernel(rows, track_ids, det, idx)

    def snapshot(self, tracks: TrackSet, t_now: float) -> None:
        """Take a snapshot if one is due at tracker time ``t_now``; drop what the lag no
        longer needs."""
        if not self.enabled or t_now < self._next_snap:
            return
        self._next_snap = t_now + self.snapshot_s
        self._snaps.append((t_now, tracks.take(np.arange(tracks.n))))
        keep_from = t_now - self.lag_s - self.snapshot_s
        while len(self._snaps) > 1 and self._snaps[1][0] <= keep_from:
            self._snaps.pop(0)
        parts = self._log.parts()
        if parts:  # compact once most of the log is older than the oldest snapshot
            oldest = self._snaps[0][0] - self.snapshot_s
            fresh = [p["det"]["t_s"] >= oldest for p in parts]
            n_fresh = sum(int(np.count_nonzero(f)) for f in fresh)
            if n_fresh < self._log.size // 2:
                kept = np.concatenate([p[f] for p, f in zip(parts, fresh, strict=True)])
                self._log = Blocks(LOG_DTYPE, LOG_BLOCK_ROWS)
                if kept.size:
                    self._log.reserve(kept.size)[:] = kept

    def replay(
        self, track_id: int, det: np.ndarray, imm: IMM
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, np.ndarray] | None:
        """Re-process track ``track_id`` with the late detection ``det`` (one row).  Returns
        ``(x (M, n), P (M, n, n), mu (M,), t, thrust (2,))`` of the track after all its
        detections (``thrust``: :func:`~.tracks.thrust_update_kernel`), or None
        when no snapshot of the track precedes ``det`` (then the caller falls back).  Later
        snapshots of the track are rewritten with the re-processed states, so that a snapshot
        stays "every detection up to its time" for the next late detection."""
        t_d = float(det["t_s"][0])
        start = None
        for j in range(len(self._snaps) - 1, -1, -1):
            t_snap, ts = self._snaps[j]
            if t_snap <= t_d:
                hit = np.flatnonzero(ts.ids == track_id)
                if hit.size and ts.t[hit[0]] <= t_d:
                    start = (j, int(hit[0]))
                break
        if start is None:
            return None
        j0, r = start
        ts = self._snaps[j0][1]
        x, P, mu, t = ts.x[r : r + 1], ts.P[r : r + 1], ts.mu[r : r + 1], float(ts.t[r])
        b = ts.thrust_model
        thr = ts.thrust[r : r + 1].copy()
        mine = np.concatenate(
            [
                p[(p["track_id"] == track_id) & (p["det"]["t_s"] > t)]["det"]
                for p in self._log.parts()
            ]
            or [np.zeros(0, DETECTION_DTYPE)]
        )
        seq = np.concatenate([mine, det])
        seq = seq[np.argsort(seq["t_s"], kind="stable")]
        meas = Measurements.from_detections(seq)
        later = self._snaps[j0 + 1 :]
        k = 0
        for i in range(seq.size + 1):  # time steps of one track
            t_next = float(meas.t_s[i]) if i < seq.size else np.inf
            while k < len(later) and later[k][0] < t_next:  # snapshots passed: rewrite
                self._rewrite(later[k][1], track_id, x, P, mu, t, thr)
                k += 1
            if i == seq.size:
                break
            dt = np.array([meas.t_s[i] - t])
            before = np.empty((1, 3))
            if b >= 0:
                thrust_inputs_kernel(x, P, np.array([t]), _ROW0, b, before)
            xp, Pp, cbar = imm.predict(x, P, mu, dt, thr if b >= 0 else None)
            x, P, mu, ll = imm.update(xp, Pp, cbar, meas, rows=np.array([i]))
            if not np.isfinite(ll[0]):  # a detection it cannot use now: keep the prediction
                x, P, mu = xp, Pp, cbar
            t = float(meas.t_s[i])
            if b >= 0:
                thrust_update_kernel(x, P, np.array([t]), _ROW0, b, before, thr)
        return x[0], P[0], mu[0], t, thr[0]

    @staticmethod
    def _rewrite(
        ts: TrackSet,
        track_id: int,
        x: np.ndarray,
        P: np.ndarray,
        mu: np.ndarray,
        t: float,
        thrust: np.ndarray,
    ) -> None:
        hit = np.flatnonzero(ts.ids == track_id)
        if hit.size:
            ts.x[hit[0]], ts.P[hit[0]], ts.mu[hit[0]], ts.t[hit[0]] = x[0], P[0], mu[0], t
            ts.thrust[hit[0]] = thrust[0]
