"""The tracker's replaceable parts and their array interfaces (like Stone Soup's DataAssociator,
Initiator and Deleter, but batched: every call takes and returns NumPy arrays over all tracks
or detections of a frame, never one object per track).

The :class:`~.tracker.Tracker` owns the track arrays (:class:`~.tracks.TrackSet`), the ledger and
the history; the parts decide:

* :class:`StateFilter` -- predict / update / gate K filter rows (``EKF``, ``UKF``);
* :class:`Associator` -- which gated (track, detection) pairs become updates;
* :class:`Initiator` -- which unassociated detections start tracks (and with what state);
* :class:`Deleter` -- which tracks end;
* :class:`Merger` -- which confirmed tracks are one object (duplicates, and a re-found track
  that takes over the identity of the coasting track it continues).

Each is passed to ``Tracker(config, filter=..., associator=..., initiator=..., deleter=...,
merger=...)`` by keyword; the defaults are built from :class:`~.tracker.TrackerConfig`.
Units SI, frame ECEF, times s after the scenario epoch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

if TYPE_CHECKING:
    from .imm import IMM
    from .measure import Measurements
    from .tracks import TrackSet

_EMPTY = np.zeros(0, np.int64)


@runtime_checkable
class StateFilter(Protocol):
    """Batched Bayesian filter on K rows: means (K, n), covariances (K, n, n)."""

    def predict(
        self,
        x: np.ndarray,
        P: np.ndarray,
        dt: np.ndarray,
        params: np.ndarray,
        *,
        overwrite: bool = False,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Rows predicted by ``dt`` (K,) s under model parameter rows ``params``."""
        ...

    def update(
        self,
        x: np.ndarray,
        P: np.ndarray,
        meas: Measurements,
        rows: np.ndarray | None = None,
        *,
        overwrite: bool = False,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Row ``i`` updated with measurement ``rows[i]``: ``(x, P, loglik, nis)``."""
        ...

    def gate(
        self, x: np.ndarray, P: np.ndarray, meas: Measurements, rows: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per row: NIS, ``ln det S`` and the measurement dimension (no state change)."""
        ...


@runtime_checkable
class Associator(Protocol):
    """Chooses updates among gated edges (track ``trk[e]``, detection ``det[e]``, ``cost[e]`` =
    ``d^2 + ln det S``); each track and detection is used at most once.  Returns the chosen
    ``(track indices, detection indices)``."""

    def associate(
        self, trk: np.ndarray, det: np.ndarray, cost: np.ndarray, n_tracks: int, n_dets: int
    ) -> tuple[np.ndarray, np.ndarray]: ...


@dataclass(slots=True)
class Births:
    """New tracks proposed by an :class:`Initiator` (K of them, track ids not yet given) and
    the ledger outcomes it decided (ledger indices, outcome codes of :mod:`.history`, and the
    birth each went to or -1).  ``cued`` (K,) marks births an IR cue lies on, confirmed or not
    (empty: none); the deleter holds such a tentative track longer (:mod:`.tracker`, rule 5)."""

    x: np.ndarray  # (K, M, n) model-conditioned means
    P: np.ndarray  # (K, M, n, n)
    mu: np.ndarray  # (K, M)
    t_s: np.ndarray  # (K,) time of the estimate
    hits: np.ndarray  # (K,) detections used
    confirmed: np.ndarray  # (K,) bool: confirmed at birth
    det_id: np.ndarray  # (K,) the detection of the estimate
    sensor: int = -1
    cued: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    ledger_idx: np.ndarray = field(default_factory=lambda: _EMPTY)
    ledger_outcome: np.ndarray = field(default_factory=lambda: _EMPTY)
    ledger_birth: np.ndarray = field(default_factory=lambda: _EMPTY)

    @property
    def n(self) -> int:
        return int(self.t_s.size)


@runtime_checkable
class Initiator(Protocol):
    """Starts tracks from detections no track took."""

    def new_frame(self, sensor: int) -> None:
        """A new frame of ``sensor`` begins (before :meth:`initiate`)."""
        ...

    def initiate(
        self, det: np.ndarray, meas: Measurements, ledger_idx: np.ndarray, sensor: int, imm: IMM
    ) -> Births:
        """Unassociated detections of one frame (DETECTION_DTYPE rows, their measurements
        and ledger indices) -> the tracks to start (possibly none)."""
        ...

    def expire(self, t_now: float) -> np.ndarray:
        """Ledger indices of held detections given up at ``t_now`` (become unassociated)."""
        ...


@runtime_checkable
class BirthEvidence(Protocol):
    """An :class:`Initiator` that can say which detections of a frame could start a new track
    (the association's "new object" alternative, :mod:`.newobject`).  Optional: the tracker
    asks only initiators that have it."""

    def partners(
        self, det: np.ndarray, meas: Measurements, sensor: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
        """``(k, pos, cov, t_s)``: for frame rows ``k`` (P,), an earlier unassociated detection
        each could start a track with: ECEF position (P, 3) m, covariance (P, 3, 3) m^2, time
        (P,) s.  None when there is none."""
        ...


@runtime_checkable
class LateCues(Protocol):
    """An :class:`Initiator` whose IR cues can also corroborate tracks born before them
    (:mod:`.initiate`).  Optional: without it only a cue older than a track's birth counts."""

    def cue_young(
        self, r: np.ndarray, v: np.ndarray, Prr: np.ndarray, Pvv: np.ndarray, t_s: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """``(k, ledger)``: the young tracks (positions (K, 3) m, velocities (K, 3) m/s,
        covariances (K, 3, 3), at times ``t_s`` (K,) s) a waiting cue lies on, and that
        cue's ledger index; matched cues leave the pool."""
        ...


@runtime_checkable
class HeldDetections(Protocol):
    """An :class:`Initiator` that can keep a young track's held detection as a possible first
    point of a new track and give it back (:mod:`.hold`).  Optional: without it the tracker
    holds nothing."""

    def wait(
        self, det: np.ndarray, meas: Measurements, ledger_idx: np.ndarray, sensor: int
    ) -> None:
        """Radar detections of ``sensor`` wait as first points, unpaired now."""
        ...

    def withdraw(self, ledger_idx: np.ndarray) -> None:
        """Waiting detections with these ledger indices are withdrawn (their track took them)."""
        ...


@runtime_checkable
class Deleter(Protocol):
    """(N,) mask of tracks to delete at ``t_now``; ``full`` asks for the costlier checks too
    (run once per ``merge_interval_s``)."""

    def dead(
        self, tracks: TrackSet, t_now: float, imm: IMM, *, full: bool = False
    ) -> np.ndarray: ...


@runtime_checkable
class Merger(Protocol):
    """Track identity: duplicates among live confirmed tracks, and re-found objects."""

    def duplicates(self, tracks: TrackSet, t_now: float, imm: IMM) -> tuple[np.ndarray, np.ndarray]:
        """(loser rows, winner rows): the loser is removed, the winner stays."""
        ...

    def reacquire(
        self, tracks: TrackSet, new_rows: np.ndarray, imm: IMM
    ) -> tuple[np.ndarray, np.ndarray]:
        """Newly confirmed tracks ``new_rows`` that continue an older confirmed track:
        (new rows, old rows).  The tracker gives the old track the new one's state and
        removes the new one, so the object keeps its first identity."""
        ...
