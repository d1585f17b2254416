"""What the tracker writes down: track estimates over time and the fate of every detection.

History (:func:`history_dtype`), one row per track update (and one at each track's birth):

===========  ============  ================================================================
field        type          meaning
===========  ============  ================================================================
t_s          float64       time of the estimate, s after the scenario epoch
track_id     int64         track number (1, 2, ... never reused)
det_id       int64         the detection that produced this estimate
state        float64[6]    ECEF position m, velocity m/s (IMM output estimate)
cov          float64[6,6]  its covariance (m^2, m^2/s, m^2/s^2); diagonal only if the tracker
                           is configured with ``history_covariance="diag"`` (field ``(6,)``)
log_beta     float64       ln of the ballistic coefficient estimate, ln(kg/m^2)
log_beta_sigma float64     its standard deviation
lift         float64       lift-to-drag ratio of the pull-up law (:mod:`.models`), estimate
lift_sigma   float64       its standard deviation
cov_aux      float64[2,8]  rows ``log_beta`` and ``lift`` of the full 8x8 covariance of
                           ``[r, v, log_beta, lift]`` (their correlations with the state);
                           only with ``history_covariance="full"``
mu           float64[M]    model probabilities, in the order of the tracker's models
confirmed    bool          the track was confirmed at this time
===========  ============  ================================================================

Ledger (:data:`LEDGER_DTYPE`), one row per detection handed to ``Tracker.step``, with an
outcome code (``OUTCOME_NAMES``) and the track it went to (-1 if none); ``PENDING`` rows are
still waiting (a radar detection for its initiation partner, an IR detection for a cue window)
and become ``UNASSOCIATED`` or ``STARTED``/``CUED`` later (or at ``Tracker.flush``).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

PENDING, UPDATED, STARTED, CUED, UNASSOCIATED, REJECTED = range(6)
OUTCOME_NAMES = ("pending", "updated", "started", "cued", "unassociated", "rejected")

LEDGER_DTYPE = np.dtype(
    [("det_id", np.int64), ("t_s", np.float64), ("outcome", np.int8), ("track_id", np.int64)]
)


def history_dtype(n_models: int, covariance: str = "full") -> np.dtype:
    if covariance not in ("full", "diag"):
        raise ValueError("history covariance must be 'full' or 'diag'")
    cov = (np.float64, (6, 6)) if covariance == "full" else (np.float64, (6,))
    aux = [("cov_aux", np.float64, (2, 8))] if covariance == "full" else []
    return np.dtype(
        [
            ("t_s", np.float64),
            ("track_id", np.int64),
            ("det_id", np.int64),
            ("state", np.float64, (6,)),
            ("cov",) + cov,
            ("log_beta", np.float64),
            ("log_beta_sigma", np.float64),
            ("lift", np.float64),
            ("lift_sigma", np.float64),
            *aux,
            ("mu", np.float64, (n_models,)),
            ("confirmed", np.bool_),
        ]
    )


class Blocks:
    """Append-only record array kept in preallocated blocks of ``block_rows`` rows: rows are
    written in place (:meth:`reserve`) and never copied as it grows (fresh memory is touched
    once: on a virtual machine a first touch costs ~10 ms per MB, measured); one array on read
    (concatenated and cached, like the history was kept before)."""

    def __init__(self, dtype: np.dtype, block_rows: int = 4096):
        self.dtype = dtype
        self.block_rows = int(block_rows)
        self._done: list[np.ndarray] = []  # full blocks (trimmed to their used rows)
        self._cur = np.zeros(0, dtype)
        self._used = 0
        self._cache: np.ndarray | None = None
        self.size = 0

    def reserve(self, k: int) -> np.ndarray:
        """Append ``k`` rows and return them (a view, to be filled in)."""
        if self._used + k > self._cur.size:
            if self._used:
                self._done.append(self._cur[: self._used])
            self._cur = np.zeros(max(k, self.block_rows), self.dtype)
            self._used = 0
        out = self._cur[self._used : self._used + k]
        self._used += k
        self.size += k
        self._cache = None
        return out

    def view(self) -> np.ndarray:
        """All rows as one array (cached until the next :meth:`reserve`)."""
        if self._cache is None:
            parts = self._done + ([self._cur[: self._used]] if self._used else [])
            if len(parts) == 1:
                self._cache = parts[0]
            else:
                self._cache = np.concatenate(parts) if parts else np.zeros(0, self.dtype)
                self._done = [self._cache] if self._cache.size else []
                self._cur, self._used = np.zeros(0, self.dtype), 0
        return self._cache

    def parts(self) -> list[np.ndarray]:
        """The rows so far as views of the blocks, in order (no copy; valid until the next
        :meth:`reserve` or :meth:`view`)."""
        return self._done + ([self._cur[: self._used]] if self._used else [])

    def relabel(self, old_id: int, new_id: int, field: str = "track_id") -> None:
        """Rows with ``field == old_id`` get ``new_id`` (in place)."""
        for part in self._done + [self._cur[: self._used]]:
            col = part[field]
            col[col == old_id] = new_id


class Growable:
    """Record array with amortised O(1) append (capacity doubling) and in-place updates."""

    def __init__(self, dtype: np.dtype, capacity: int = 1024):
        self._buf = np.zeros(capacity, dtype)
        self.size = 0

    @property
    def dtype(self) -> np.dtype:
        dtype: np.dtype = self._buf.dtype
        return dtype

    def reserve(self, k: int) -> np.ndarray:
        """Append ``k`` rows and return them (a view, to be filled in: valid until the next
        append; zeros unless written)."""
        start, end = self.size, self.size + k
        if end > self._buf.size:
            new = np.zeros(max(end, 2 * self._buf.size), self._buf.dtype)
            new[:start] = self._buf[:start]
            self._buf = new
        self.size = end
        return self._buf[start:end]

    def append(self, rows: np.ndarray) -> int:
        """Append rows; returns the index of the first appended row."""
        start = self.size
        self.reserve(rows.size)[:] = rows
        return start

    def relabel(self, old_id: int, new_id: int, field: str = "track_id") -> None:
        """Rows with ``field == old_id`` get ``new_id`` (in place)."""
        col = self.view()[field]
        col[col == old_id] = new_id

    def view(self) -> np.ndarray:
        """The rows so far (a view: valid until the next append)."""
        return self._buf[: self.size]

    def array(self) -> np.ndarray:
        return self.view().copy()


@njit(cache=True, inline="always")
def _sigma(var: float) -> float:
    """``sqrt(clip(var, 0, None))`` as NumPy computes it (NaN stays NaN, -0.0 becomes 0.0)."""
    return math.sqrt(var if (math.isnan(var) or var > 0.0) else 0.0)


@njit(cache=True)
def _record_common(out, rows, det_id, t, ids, xc, Pc, mu, confirmed):  # type: ignore[no-untyped-def]
    n = xc.shape[1]
    for k in range(rows.shape[0]):
        r = rows[k]
        o = out[k]
        o.t_s = t[r]
        o.track_id = ids[r]
        o.det_id = det_id[k]
        for i in range(6):
            o.state[i] = xc[r, i]
        o.log_beta = xc[r, 6]
        o.log_beta_sigma = _sigma(Pc[r, 6, 6])
        if n > 7:
            o.lift = xc[r, 7]
            o.lift_sigma = _sigma(Pc[r, 7, 7])
        else:
            o.lift = 0.0
            o.lift_sigma = 0.0
        for j in range(mu.shape[1]):
            o.mu[j] = mu[r, j]
        o.confirmed = confirmed[r]


@njit(cache=True)
def _record_full(out, rows, det_id, t, ids, xc, Pc, mu, confirmed):  # type: ignore[no-untyped-def]
    _record_common(out, rows, det_id, t, ids, xc, Pc, mu, confirmed)
    n = xc.shape[1]
    for k in range(rows.shape[0]):
        r = rows[k]
        o = out[k]
        for i in range(6):
            for j in range(6):
                o.cov[i, j] = Pc[r, i, j]
        for i in range(2):
            for j in range(8):
                o.cov_aux[i, j] = Pc[r, 6 + i, j] if n > 7 else 0.0  # as the NumPy path


@njit(cache=True)
def _record_diag(out, rows, det_id, t, ids, xc, Pc, mu, confirmed):  # type: ignore[no-untyped-def]
    _record_common(out, rows, det_id, t, ids, xc, Pc, mu, confirmed)
    for k in range(rows.shape[0]):
        r = rows[k]
        for i in range(6):
            out[k].cov[i] = Pc[r, i, i]


def record_rows(
    out: np.ndarray,
    rows: np.ndarray,
    det_id: np.ndarray,
    t: np.ndarray,
    ids: np.ndarray,
    xc: np.ndarray,
    Pc: np.ndarray,
    mu: np.ndarray,
    confirmed: np.ndarray,
) -> None:
    """Fill history rows ``out`` (:func:`history_dtype`, K rows) with the estimates of track
    rows ``rows`` (K,) of the track arrays ``t``, ``ids``, ``xc`` (N, n), ``Pc`` (N, n, n),
    ``mu`` (N, M), ``confirmed`` and the detections ``det_id`` (K,) that made them: one
    compiled pass over the rows (every field written)."""
    kernel = _record_full if "cov_aux" in (out.dtype.names or ()) else _record_diag
    kernel(out, rows, det_id, t, ids, xc, Pc, mu, confirmed)


@njit(cache=True)
def ledger_rows_kernel(det, good, out, ok_code: int, bad_code: int) -> None:  # type: ignore[no-untyped-def]
    """Ledger rows ``out`` (:data:`LEDGER_DTYPE`) of detections ``det``: their id and time,
    no track, outcome ``ok_code`` where ``good`` else ``bad_code``."""
    for k in range(det.shape[0]):
        o = out[k]
        o.det_id = det[k].det_id
        o.t_s = det[k].t_s
        o.outcome = ok_code if good[k] else bad_code
        o.track_id = -1
