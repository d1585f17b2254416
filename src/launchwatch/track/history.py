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

import numpy as np

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


class Chunks:
    """Append-only record array kept as a list of chunks; concatenated (and cached) on read."""

    def __init__(self, dtype: np.dtype):
        self.dtype = dtype
        self._chunks: list[np.ndarray] = []
        self._cache: np.ndarray | None = None
        self.size = 0

    def append(self, rows: np.ndarray) -> int:
        """Append rows; returns the index of the first appended row."""
        start = self.size
        if rows.size:
            self._chunks.append(rows)
            self.size += rows.size
            self._cache = None
        return start

    def array(self) -> np.ndarray:
        if self._cache is None:
            self._cache = np.concatenate(self._chunks) if self._chunks else np.zeros(0, self.dtype)
            self._chunks = [self._cache] if self._cache.size else []
        return self._cache

    def relabel(self, old_id: int, new_id: int, field: str = "track_id") -> None:
        """Rows with ``field == old_id`` get ``new_id`` (in place)."""
        arr = self.array()
        col = arr[field]
        col[col == old_id] = new_id


class Growable:
    """Record array with amortised O(1) append (capacity doubling) and in-place updates."""

    def __init__(self, dtype: np.dtype, capacity: int = 1024):
        self._buf = np.zeros(capacity, dtype)
        self.size = 0

    def append(self, rows: np.ndarray) -> int:
        """Append rows; returns the index of the first appended row."""
        start, end = self.size, self.size + rows.size
        if end > self._buf.size:
            new = np.zeros(max(end, 2 * self._buf.size), self._buf.dtype)
            new[:start] = self._buf[:start]
            self._buf = new
        self._buf[start:end] = rows
        self.size = end
        return start

    def view(self) -> np.ndarray:
        """The rows so far (a view: valid until the next append)."""
        return self._buf[: self.size]

    def array(self) -> np.ndarray:
        return self.view().copy()
