"""The multi-sensor, multi-missile tracker: one fused track per missile.

``Tracker.step(detections)`` takes a batch of :data:`~launchwatch.sense.records.DETECTION_DTYPE`
rows (any order; time-ordered across calls up to small lags) and processes it as *frames*: the
detections of one sensor within ``frame_window_s`` of the frame's first one (one scan), in time
order of their first detection, all sensors updating the same track set (centralised fusion,
sequential by time).  For each frame:

1. **Coarse gate** -- tracks are extrapolated to the frame time (``r + v dt + g dt^2/2``) and
   paired with detections within ``coarse_sigma`` standard deviations (sort-and-sweep, k-d
   trees in dense crowds: :func:`~.associate.candidate_pairs`; positions for radar detections
   with range, lines of sight for angle-only ones).  Tracks with no
   candidate are not touched (states stay at their last update time).
2. **Predict** the candidate tracks to the frame time (IMM mixing + one filter prediction for
   all model rows), **gate** each candidate pair exactly with the chi-square test of the
   innovation (``gate_probability``), cost ``d^2 + ln det S``.  The default 0.999 was chosen
   on the salvo scenario: at 0.9999 a young track whose missile went undetected took the next
   missile's detection (d^2 = 19.8 on 4 dof) -- a swap; in the bench 0.999 leaves 0.08 % of
   detections outside the gate, adds 8 one-row tentative tracks, no confirmed one.
3. **New object?** -- a gated edge whose detection an earlier unassociated detection of the
   same sensor explains better (a new object moving like the track, :mod:`.newobject`) is
   dropped (``new_object_alternative``): in a salvo flown as a train a young track whose
   missile a scan missed otherwise takes the untracked next missile's detection.
   A young track (fewer than ``birth_max_hits`` updates) keeps a full radar edge only if its
   IMM mixture likelihood beats the density of other objects' detections, set by the radar's
   recent starts (``birth_alternative``, :mod:`.birth`): in a salvo train the next missile's first
   sighting, with no earlier detection, otherwise fell into the wide gate of a young track
   whose missile the scan missed.
   After the assignment, a young track's full radar detection whose mixture cost exceeds
   ``hold_cost`` is *held* (``hold_young``, :mod:`.hold`): decided at the radar's next frame by two hypotheses
   (the track's own detection, or a new object's first sighting) over that frame's
   detections -- the first young track of a train has no other start yet to say a salvo is
   up, so only the next scan can tell its own boost detection from the next missile's.
   **Assign** globally (:func:`~.associate.assign_sparse`, per connected component), re-predict
   the few tracks whose detection time differs from the frame time, **update**.  A track not
   updated for ``iterate_after_s`` (20 s, longer than any radar's revisit: ordinary and
   boost-phase updates are untouched) gets the EKF's iterated update: re-found after minutes
   of coasting, its prior is tens of km off and the one-step update's linearisation error left
   it inconsistent, so the next detections missed its gate (:data:`~.ekf.ITERATE_TOL_M`).
4. Unassociated radar detections go to two-point **initiation**, unassociated IR ones become
   **cues** (:mod:`.initiate`).  A track is confirmed after ``confirm_hits`` updates (or at
   birth on an IR cue).  Angle-only detections update only tracks with ``ir_min_hits``
   updates: a GEO satellite's line of sight is kilometres wide, and in a salvo the detection
   of a not-yet-tracked neighbour fell into a young track's gate and dragged it (through its
   strong position-velocity correlation) by 2 km/s (measured on the salvo scenario).
5. **Misses and deletion** -- a track misses a frame of the sensor that last updated it if that
   frame does not update it (other sensors' frames never count: they may not cover it; when
   another sensor takes over it becomes the one that counts).  A *tentative* track dies after
   ``tentative_max_misses`` misses or ``init_max_dt_s`` without update -- unless an IR cue lies
   on it (``cued``, :mod:`.initiate`: a cue read before its birth, confirmed at birth or not,
   or one read while it is tentative, :meth:`Tracker._cue_young`): then after
   ``cued_max_misses`` misses or ``cued_max_dt_s``.  Each miss of a radar with pd ~0.9 cuts
   the odds that a track is real about tenfold; a two-point radar start that an independent
   sensor's line of sight also passes through (within a gate of ~1e-4 of the GEO sensor's
   field) starts with odds several powers of ten higher than a clutter pair, so it may miss
   several more scans before it is as doubtful as an uncued track after two (5 misses, and
   5 s a miss as ``init_max_dt_s`` allows two: 25 s).  Found on the overflight scenario: the
   cued start at +39.5 s missed two 4 s scans (pd 0.9, the missile well inside coverage) and
   was deleted; its successor was confirmed at +59.5 s, the first warning came at +68 s (with
   the hold: confirmed at +51.5 s, first warning +59.5 s).  A *confirmed* track
   coasts through sensor gaps (the ballistic prediction holds for minutes): it dies after
   ``delete_after_misses`` misses only once its predicted position sigma (linear, without
   process noise) exceeds ``lost_sigma_m``, after ``max_coast_s`` without update, or when the
   prediction is ``impact_margin_m`` below the ellipsoid (checked every ``merge_interval_s``).
   Deletion runs before association, so a stale track cannot take a detection.  (Found on the
   shipped scenarios and the bench: a 30 s coast limit could not bridge the 104 s gap between
   radars of the reference scenario -- the gliding KN-23 there still gets a second track, its
   flight is not ballistic, but a ballistic missile keeps its track over such gaps; a tentative
   track aged 38 s took a false alarm and was confirmed; counting frames of every sensor that
   had ever updated a track turned single outliers into breaks at radar hand-overs.)
6. **Re-acquisition** -- a track confirmed in this frame whose state agrees (chi-square,
   ``reacquire_probability``, 6 dof) with an older confirmed track not updated for at least
   ``reacquire_min_gap_s``, predicted by the IMM to its time (process noise included), is the
   same object found again: the old track takes its state and keeps its identity (recorded in
   :attr:`Tracker.merges`; ledger and history rows relabelled).  Confirmed tracks deleted
   while not predicted on the ground stay *dormant* for ``dormant_max_s`` (at most
   ``dormant_max_tracks``) and are candidates too: a lofted ICBM lost in boost and seen again
   70 minutes later by another radar keeps its track.
7. **Duplicates** -- every ``merge_interval_s``, confirmed tracks whose positions and velocities
   agree within a chi-square test are merged (the one with fewer updates is removed,
   :attr:`Tracker.merges`).  Without it, two tracks on one missile, each fed by another sensor,
   would both live for ever.

Out-of-sequence detections (older than the track they update by more than a frame window,
up to ``oosm_lag_s``, e.g. partner data 5-30 s late) are re-processed in their time place from
a snapshot (:mod:`.oosm`); older ones are applied by backward prediction.

Parts (:mod:`.parts`): association (step 3), initiation (step 4), deletion (step 5) and
merging (steps 6, 7) are components passed by keyword (``Tracker(config, associator=...,
initiator=..., deleter=..., merger=..., filter=...)``); the defaults implement the rules above.

Outputs: :attr:`Tracker.history` (estimates, :mod:`.history`) and :meth:`Tracker.ledger` (one
row per detection: updated / started / cued / unassociated / rejected / pending).
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import cast

import numpy as np
from numpy.typing import ArrayLike

from . import history as hist
from .associate import GNNAssociator, candidate_pairs
from .batches import frames, screen, validate
from .birth import BirthRate, birth_cost, mode_cost
from .ekf import EKF, meas_args
from .fused import frame_update_kernel, predict_tracks_kernel, update_tracks_kernel, workspace
from .gate import scan_gate_kernel, settle_kernel
from .hold import Holds, hypothesis_costs
from .imm import DEFAULT_TRANSITION, IMM
from .initiate import TwoPointInitiator
from .measure import Measurements
from .models import DEFAULT_MODELS, LIFT_PRIOR_MEAN, LIFT_PRIOR_SIGMA, MotionModel, atmosphere_args
from .newobject import TRAIN_VEL_SIGMA_M_S, new_object_cost
from .oosm import LagBuffer
from .parts import (
    Associator,
    BirthEvidence,
    Births,
    Deleter,
    HeldDetections,
    Initiator,
    LateCues,
    Merger,
    StateFilter,
)
from .quantiles import chi2_quantile
from .tracks import ChiSquareMerger, MissDeleter, TrackSet, predicted_height
from .ukf import UKF

#: Candidate pairs up to which a one-to-one frame takes the fused step (:mod:`.fused`).  Above,
#: the general path's batched kernels are as fast (measured side by side at 1,000 targets:
#: ~128,000 updates per CPU second either way); for one target the fused step gives ~1.5x.
FUSED_MAX_PAIRS = 16

#: Prior of a new track's ballistic coefficient, ``ln(beta / (1 kg/m^2))`` ~ N(mean, sigma^2)
#: (estimate, from the catalog's re-entry bodies at Mach 8, ``flight/data/vehicles.yaml`` and
#: the generic boost's payload: Hwasong-15 1,786, Hwasong-17 2,012, KN-25 4,614, Hwasong-12
#: 7,018, KN-23 7,052, Hwasong-18 7,368, Hwasong-19 9,420, generic SRBM 18,844 kg/m^2; ln mean
#: 8.64, sd 0.72).  Mean ln 6,000, sigma 0.75: every catalog body within 1.7 sigma, 2 sigma
#: spans 1,300-27,000 kg/m^2.  The earlier ln 3,000 +- 1.5 (2 sigma 150-60,000 kg/m^2) was
#: twice as wide as the bodies it tracks and centred on the light end: above the atmosphere
#: nothing measures beta, so the prior sets the re-entry part of an exo-atmospheric impact
#: prediction.  Measured (campaign single-missile, seed 1, 20 engagements): median impact error
#: 0.94 -> 0.47 km exo-atmospheric, 0.57 -> 0.18 km in re-entry.
INIT_LOG_BETA = math.log(6000.0)
INIT_LOG_BETA_SIGMA = 0.75

#: Birth alternative for young tracks (step 3, :mod:`.birth`): a radar's detection
#: probability assumed in the likelihood ratio (estimate: the campaigns' radars have 0.8-1.0)
#: and the window over which a radar's recent starts count as objects near a young track
#: (estimate: a young track, fewer than ``birth_max_hits`` = 10 updates at 2-4 s revisits, is
#: under 40 s old; a train 2-10 s apart puts 6-30 starts in 60 s).
BIRTH_PD = 0.9
BIRTH_WINDOW_S = 60.0

#: Deferred decision (step 3, :mod:`.hold`): a young track's full radar detection whose IMM
#: mixture cost exceeds this is decided at the radar's next frame (estimate, judged on
#: dense-salvos seeds 2 and 3: every young detection held on seed 2 engagement 7, the tracks'
#: own cost -10 to +5 and all were decided as their own; the two decided as new objects cost
#: 13.9 and 6.1.  Lower values only delay more correct updates by a scan).
HOLD_COST = 4.0

#: Radial jerk allowance of two-point pairing (:meth:`~.initiate.PendingPool.pair`: the range
#: change must match the trapezoid of the two range rates within noise plus ``jerk dt^2 / 12``),
#: m/s^3.  Measured on same-missile pairs of one radar 1-10 s apart, boost to impact (campaign
#: dense-salvos seeds 1 and 4: 296,000 pairs; japan-overflights seed 1, single-missile seed 2,
#: regional-2019-2025 seed 1: 25,000): with 8 the largest normalised residual is 4.4 in either
#: set (the gate is 6); with 5 two pairs of the second set exceeded 6
#: (``scripts/pair_residuals.py``).  The earlier 30 (estimate) allowed 40 m/s at a 4 s
#: baseline and 160 m/s at 8 s, and a salvo train's missile
#: missed on a scan was paired with a later one seen near its place (seed 1 engagement 4:
#: range change -17 m in 4 s against range rates of -119 and -157 m/s; seed 5 engagement 0:
#: +283 m against -160 and -160 m/s): the wrong start then took its neighbours' detections or
#: broke.
INIT_MAX_JERK_M_S3 = 8.0

#: Unknown acceleration (m/s^2, 1-sigma) that two-point pairing's range-rate turn test allows
#: (:func:`~.initiate.range_rate_turn_d2`): along the velocity, across it in the vertical
#: plane, sideways.  Estimates from the flight core's boosts (the generic boost thrusts at
#: 100-345 m/s^2 and steers at 12-17 m/s^2 in the vertical plane until burnout; a KN-23's
#: pull-up is in that plane too); with them the largest normalised mismatch of same-missile
#: pairs 1-10 s apart is 2.4 on dense-salvos seeds 2 and 5 (344,000 pairs) and 2.5 on
#: japan-overflights seed 1, regional seed 1 and single-missile seed 1 (32,000), the gate
#: being 6; 18 % of neighbouring missiles' pairs that pass the range-change test cost more
#: than 2 sigma (``scripts/pair_residuals.py --turn``).  A first version allowed 2 m/s^2 in
#: any direction across the velocity: a generic boost seen at +12 and +16 s was refused.
INIT_TURN_ACCEL_M_S2 = (100.0, 20.0, 2.0)

_NONE = np.zeros(0, np.int64)


@dataclass(frozen=True, slots=True, kw_only=True)
class TrackerConfig:
    """Tracker settings (SI units; see the module docstring for their roles)."""

    models: tuple[MotionModel, ...] = DEFAULT_MODELS
    transition: tuple[tuple[float, ...], ...] = DEFAULT_TRANSITION
    transition_period_s: float = 1.0
    initial_mode_probs: tuple[float, ...] = (0.45, 0.45, 0.10)
    filter: str = "ekf"
    max_step_s: float = 1.0
    frame_window_s: float = 0.05
    gate_probability: float = 0.999
    coarse_sigma: float = 6.0
    max_accel_m_s2: float = 300.0
    init_max_speed_m_s: float = 8000.0
    init_max_jerk_m_s3: float = INIT_MAX_JERK_M_S3
    init_turn_accel_m_s2: tuple[float, float, float] = INIT_TURN_ACCEL_M_S2
    init_cross_accel_m_s2: float = 30.0
    init_max_frames: int = 2
    init_max_dt_s: float = 10.0
    init_log_beta: float = INIT_LOG_BETA
    init_log_beta_sigma: float = INIT_LOG_BETA_SIGMA
    init_lift: float = LIFT_PRIOR_MEAN
    init_lift_sigma: float = LIFT_PRIOR_SIGMA
    confirm_hits: int = 3
    tentative_max_misses: int = 2
    cued_max_misses: int = 5
    cued_max_dt_s: float = 25.0
    delete_after_misses: int = 5
    lost_sigma_m: float = 30000.0
    max_coast_s: float = 300.0
    iterate_after_s: float = 20.0
    impact_margin_m: float = 2000.0
    cue_window_s: float = 10.0
    cue_sigma: float = 4.0
    cue_confirm_max_vel_sigma_m_s: float = 150.0
    ir_min_hits: int = 10
    merge_probability: float = 0.999
    merge_interval_s: float = 1.0
    reacquire_probability: float = 0.999
    reacquire_min_gap_s: float = 10.0
    dormant_max_s: float = 7200.0
    dormant_max_tracks: int = 256
    oosm_lag_s: float = 30.0
    oosm_snapshot_s: float = 5.0
    history_covariance: str = "full"
    new_object_alternative: bool = True
    new_object_margin: float = 0.0
    birth_alternative: bool = True
    birth_pd: float = BIRTH_PD
    birth_window_s: float = BIRTH_WINDOW_S
    birth_max_hits: int = 10
    hold_young: bool = True
    hold_cost: float = HOLD_COST
    thrust_estimate: bool = True

    def __post_init__(self) -> None:
        if self.filter not in ("ekf", "ukf"):
            raise ValueError("filter must be 'ekf' or 'ukf'")
        if len(self.initial_mode_probs) != len(self.models):
            raise ValueError("initial_mode_probs needs one probability per model")
        if not 0.0 < self.gate_probability < 1.0:
            raise ValueError("gate_probability must be in (0, 1)")
        if not 0.0 < self.birth_pd < 1.0:
            raise ValueError("birth_pd must be in (0, 1)")
        for name in (
            "frame_window_s", "max_step_s", "init_max_dt_s", "cued_max_dt_s", "max_coast_s",
            "birth_window_s",
        ):  # fmt: skip
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive")
        hist.history_dtype(len(self.models), self.history_covariance)


class Tracker:
    """Fused multi-target tracker (see module docstring).

    The parts (:mod:`.parts`) are passed by keyword; each defaults to the one built from
    ``config``: ``filter`` (a :class:`~.parts.StateFilter`, default :class:`~.ekf.EKF` or
    :class:`~.ukf.UKF` by ``config.filter``), ``associator`` (:class:`~.associate.
    GNNAssociator`), ``initiator`` (:class:`~.initiate.TwoPointInitiator`), ``deleter``
    (:class:`~.tracks.MissDeleter`) and ``merger`` (:class:`~.tracks.ChiSquareMerger`)."""

    def __init__(
        self,
        config: TrackerConfig | None = None,
        *,
        filter: StateFilter | None = None,
        associator: Associator | None = None,
        initiator: Initiator | None = None,
        deleter: Deleter | None = None,
        merger: Merger | None = None,
    ):
        self.config = cfg = config if config is not None else TrackerConfig()
        if filter is None:
            filter = (EKF if cfg.filter == "ekf" else UKF)(max_step_s=cfg.max_step_s)
        self.imm = IMM(
            cfg.models, transition=cfg.transition, period_s=cfg.transition_period_s, filter=filter
        )
        self.associator = associator if associator is not None else GNNAssociator()
        self.initiator = initiator if initiator is not None else TwoPointInitiator(cfg)
        self.deleter = deleter if deleter is not None else MissDeleter(cfg)
        self.merger = merger if merger is not None else ChiSquareMerger(cfg)
        self.tracks = TrackSet(len(cfg.models), self.imm.n_state, self._thrust_model(cfg))
        #: Frames whose association is one-to-one run predict/gate/update in one compiled call
        #: (:mod:`.fused`; same arithmetic as the general path) when the parts are the default
        #: EKF and GNN; False forces the general path (tests compare the two).
        self.fused_frames = type(filter) is EKF and type(self.associator) is GNNAssociator
        self._fused_max_step_s = filter.max_step_s if isinstance(filter, EKF) else 1.0
        self._fused_ws = workspace(len(cfg.models), self.imm.n_state)
        #: With the default EKF the general path predicts and updates in compiled passes over
        #: the track arrays (:func:`~.fused.predict_tracks_kernel`, :func:`~.fused.
        #: update_tracks_kernel`: the arithmetic of the filter's batched calls, bit for bit);
        #: False forces the batched calls (tests compare the two).
        self.compiled_ekf = type(filter) is EKF
        self.n_fused_frames = 0
        #: the initiator object the protocol checks below were made for, and their answers
        self._protocols_of: object = None
        self._protocols_are: dict[type, bool] = {}
        self._only_fused = True
        #: Confirmed tracks deleted while not predicted on the ground, kept for re-acquisition.
        self._dormant = TrackSet(len(cfg.models), self.imm.n_state, self._thrust_model(cfg))
        self._lag = LagBuffer(cfg.oosm_lag_s, cfg.oosm_snapshot_s)
        self._birth_rate = BirthRate(cfg.birth_window_s, cfg.birth_pd)
        self._holds = Holds()
        #: this frame's new holds: track rows, frame detection indices, mixture costs
        self._held_now: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        #: ids of tracks a held update confirmed (checked for re-acquisition by their frame)
        self._hold_confirmed: list[int] = []
        self._hist = hist.Blocks(hist.history_dtype(len(cfg.models), cfg.history_covariance))
        self._ledger = hist.Growable(hist.LEDGER_DTYPE)
        self._sensors: dict[str, int] = {}
        #: Per sensor, frame time -> ids of the tracks that frame updated, for frames that left
        #: detections free (recent frames only): a free detection of such a frame was not
        #: those tracks' object (one detection per object and scan).
        self._updated_with_free: dict[int, dict[float, np.ndarray]] = {}
        self._next_id = 1
        #: diagnostics, when a list: per frame that decides holds (:mod:`.hold`) its time, the
        #: tracks, held detection ids, held costs and the costs of H_a and H_b
        self.hold_log: (
            list[tuple[float, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] | None
        ) = None
        self._chi2 = np.concatenate([[-1.0], chi2_quantile(cfg.gate_probability, np.arange(1, 5))])
        self._last_merge_t = -np.inf
        self._merges: list[tuple[float, int, int]] = []
        self.t_s = -np.inf
        self.n_updates = 0
        #: Wall time (s) spent per phase: gate (coarse), predict, associate, update, initiate,
        #: manage (misses, deletion, ledger, history).
        self.timing: dict[str, float] = defaultdict(float)

    # ------------------------------------------------------------------ public API
    @property
    def history(self) -> np.ndarray:
        """All estimates so far (:func:`~.history.history_dtype` rows, in processing order)."""
        return self._hist.view()

    @property
    def dormant(self) -> TrackSet:
        """Lost confirmed tracks kept for re-acquisition (see module docstring, rule 6)."""
        return self._dormant

    def ledger(self) -> np.ndarray:
        """One :data:`~.history.LEDGER_DTYPE` row per detection received, in arrival order."""
        return self._ledger.array()

    @property
    def merges(self) -> np.ndarray:
        """Duplicate tracks removed: ``t_s``, ``removed`` track id, ``kept`` track id."""
        return np.array(
            self._merges, dtype=[("t_s", float), ("removed", np.int64), ("kept", np.int64)]
        )

    def step(self, detections: np.ndarray) -> np.ndarray:
        """Process a batch of detections; returns its ledger rows (as of now)."""
        det = validate(detections)
        good, n_good, in_order = screen(det)
        first = self._ledger.size
        hist.ledger_rows_kernel(
            det, good, self._ledger.reserve(det.size), hist.PENDING, hist.REJECTED
        )
        if n_good == det.size and in_order:  # every row usable, in time order: no copy
            idx, sel = np.arange(det.size), det
        else:
            idx = np.flatnonzero(good)
            if not in_order:
                idx = idx[np.argsort(det["t_s"][idx], kind="stable")]
            sel = det[idx]
        for f in frames(sel, self.config.frame_window_s):
            if f.size == idx.size:  # the whole batch is one frame
                self._frame(sel, first + idx)
            else:
                self._frame(sel[f], first + idx[f])
        return self._ledger.view()[first : first + det.size].copy()

    def flush(self) -> None:
        """End of stream: held detections go to their tracks (:mod:`.hold`), pending detections
        and cues become unassociated."""
        if len(self._holds):
            self._apply_holds(np.ones(len(self._holds), bool))
        self._expire(np.inf)

    # ------------------------------------------------------------------ one frame
    def _frame(self, det: np.ndarray, led: np.ndarray) -> None:
        tr = self.tracks
        t0 = time.perf_counter()
        meas = Measurements.from_detections(det)
        ts = meas.t_s
        # A scan's detections share one time: its median without a sort (a frame's rows come
        # in time order from step(), so they share one time when the first and last do).
        t_ref = float(ts[0]) if ts[0] == ts[-1] else float(np.median(ts))
        in_sequence = t_ref >= self.t_s
        self.t_s = max(self.t_s, t_ref)
        sensor = self._sensor(str(det["sensor"][0]))
        if len(self._holds):  # held detections decided (.hold) before anything else
            self._resolve_holds(det, meas, sensor, t_ref)
        self._delete(t_ref)
        if in_sequence:  # a snapshot holds every detection up to its time
            self._lag.snapshot(tr, t_ref)
        self.initiator.new_frame(sensor)
        self._expire(t_ref)
        n0, was_confirmed = tr.n, tr.confirmed.copy()
        a_trk = a_det = _NONE
        self._only_fused = True  # every update of this frame at its time (fused, or none)
        if tr.n:
            ti, di = self._candidates(meas, t_ref)
            t0 = self._lap("gate", t0)
            if ti.size:
                a_trk, a_det = self._associate_update(det, meas, ti, di, t_ref, sensor)
                t0 = time.perf_counter()
        free = np.empty(len(meas), np.int64)
        n_free = settle_kernel(
            a_trk, a_det, len(meas), tr.last_sensor, sensor, tr.misses, tr.ids, led,
            self._ledger.view(), hist.UPDATED, free,
        )  # fmt: skip
        free = free[:n_free]
        if self._held_now is not None:  # held, not free: no miss, wait as first points
            h_rows, h_det, h_cost = self._held_now
            self._held_now = None
            back = h_rows[tr.last_sensor[h_rows] == sensor]
            tr.misses[back] -= 1
            free = free[~np.isin(free, h_det)]
            n_free = free.size
            self._holds.add(tr.ids[h_rows], det[h_det], led[h_det], sensor, h_cost)
            cast(HeldDetections, self.initiator).wait(
                det[h_det], meas.take(h_det), led[h_det], sensor
            )
        t0 = self._lap("manage", t0)
        if free.size:
            n_born = tr.n
            self._initiate(det[free], meas.take(free), led[free], sensor, t_ref)
            self._birth_rate.started(sensor, t_ref, tr.ids[n_born:])
            # tracks this frame updated or started while it left detections free (.newobject)
            seen = self._updated_with_free.setdefault(sensor, {})
            seen[t_ref] = np.concatenate([tr.ids[a_trk], tr.ids[n_born:]])
            for t_old in [t for t in seen if t < t_ref - self.config.init_max_dt_s]:
                del seen[t_old]
        t0 = self._lap("initiate", t0)
        newly = tr.confirmed[:n0] & ~was_confirmed
        if self._hold_confirmed:  # confirmed by a held update at the start of this frame
            newly |= np.isin(tr.ids[:n0], self._hold_confirmed)
            self._hold_confirmed = []
        reacquired = False
        if tr.n > n0 or newly.any():  # tracks confirmed in this frame
            fresh = np.flatnonzero(tr.confirmed & (np.arange(tr.n) >= n0))
            fresh = np.concatenate([np.flatnonzero(newly), fresh])
            if fresh.size:
                self._reacquire(fresh, t_ref)
                reacquired = True
        if not (self._deletes_unchanged and not reacquired and n_free == 0 and self._only_fused
                and a_trk.size == n0 == tr.n):  # fmt: skip
            self._delete(t_ref)
        if t_ref - self._last_merge_t >= self.config.merge_interval_s:
            self._last_merge_t = t_ref
            self._delete(t_ref, impact=True)
            self._merge_duplicates(t_ref)
        self._lap("manage", t0)

    def _can_hold(self) -> bool:
        """Whether the initiator can keep held detections (:class:`~.parts.HeldDetections`)."""
        return self._initiator_is(HeldDetections)

    def _hold(
        self,
        meas: Measurements,
        cand: np.ndarray,
        a_loc: np.ndarray,
        a_det: np.ndarray,
        xp: np.ndarray,
        Pp: np.ndarray,
        cbar: np.ndarray,
        t_ref: float,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Assigned pairs of young tracks whose full radar detection costs more than
        ``hold_cost`` (IMM mixture) are held (:mod:`.hold`); returns the pairs left."""
        tr, cfg = self.tracks, self.config
        trk = cand[a_loc]
        e = np.flatnonzero(
            (tr.hits[trk] < cfg.birth_max_hits)
            & meas.valid[a_det].all(axis=1)
            & ~np.isin(tr.ids[trk], self._holds.track_id)
        )
        if e.size == 0:
            return a_loc, a_det
        cost = mode_cost(self.imm.filter, xp, Pp, cbar, a_loc[e], meas, a_det[e], t_ref)
        h = cost > cfg.hold_cost
        if not h.any():
            return a_loc, a_det
        self._held_now = (trk[e[h]], a_det[e[h]], cost[h])
        keep = np.ones(a_loc.size, bool)
        keep[e[h]] = False
        return a_loc[keep], a_det[keep]

    def _resolve_holds(
        self, det: np.ndarray, meas: Measurements, sensor: int, t_ref: float
    ) -> None:
        """Decide held detections (:mod:`.hold`) at the start of a frame: at their radar's next
        frame by the two hypotheses; as the track's own when another radar's frame may update
        the track first or they are older than ``init_max_dt_s``."""
        H, tr, cfg = self._holds, self.tracks, self.config
        live = np.isin(H.track_id, tr.ids)
        if not live.all():  # track gone: the detection simply stays pending
            H.take(~live)
            if len(H) == 0:
                return
        full = meas.valid[:, :3].all(axis=1) & (det["kind"] == "radar")
        old = t_ref - H.t_s > cfg.init_max_dt_s
        same = (H.sensor == sensor) & (H.t_s < t_ref - cfg.frame_window_s) & full.any() & ~old
        other = np.zeros(len(H), bool)
        if full.any():
            cand = np.flatnonzero((H.sensor != sensor) & ~old)
            if cand.size:
                other[cand] = self._near(self._rows_of(H.track_id[cand]), meas, full, t_ref)
        own = old | other
        if same.any():
            k = np.flatnonzero(same)
            own[k[~self._new_object_likelier(k, meas, full, sensor, t_ref)]] = True
            b = k[~own[k]]
            if b.size:  # H_b: the track missed; its frame did not update it (.newobject)
                seen = self._updated_with_free.setdefault(sensor, {})
                for t_k, tid in zip(H.t_s[b], H.track_id[b], strict=True):
                    seen[float(t_k)] = np.append(seen.get(float(t_k), _NONE), tid)
                H.take(np.isin(np.arange(len(H)), b))
                own = own[~np.isin(np.arange(own.size), b)]
        if own.any():
            self._apply_holds(own)

    def _rows_of(self, ids: np.ndarray) -> np.ndarray:
        tr = self.tracks
        order = np.argsort(tr.ids)
        return order[np.searchsorted(tr.ids, ids, sorter=order)]

    def _near(
        self, rows: np.ndarray, meas: Measurements, full: np.ndarray, t_ref: float
    ) -> np.ndarray:
        """Per track row: whether a full radar detection of the frame lies within its coarse
        gate (position predicted to ``t_ref``)."""
        tr, cfg = self.tracks, self.config
        pos, cov = meas.take(np.flatnonzero(full)).position_ecef()
        dt = t_ref - tr.t[rows]
        r = tr.xc[rows, :3] + tr.xc[rows, 3:6] * dt[:, None]
        Pc = tr.Pc[rows]
        rad = (
            cfg.coarse_sigma
            * np.sqrt(
                np.trace(Pc[:, :3, :3], axis1=1, axis2=2)
                + dt**2 * np.trace(Pc[:, 3:6, 3:6], axis1=1, axis2=2)
            )
            + 0.5 * cfg.max_accel_m_s2 * dt**2
        )
        sig = cfg.coarse_sigma * np.sqrt(np.trace(cov, axis1=1, axis2=2))
        d = np.linalg.norm(r[:, None, :] - pos[None, :, :], axis=2)
        out: np.ndarray = (d <= rad[:, None] + sig[None, :]).any(axis=1)
        return out

    def _new_object_likelier(
        self, k: np.ndarray, meas: Measurements, full: np.ndarray, sensor: int, t_ref: float
    ) -> np.ndarray:
        """For holds ``k`` of this frame's radar: whether H_b (a new object's first sighting)
        beats H_a (the track's own detection) over this frame's full radar detections."""
        H, tr, imm = self._holds, self.tracks, self.imm
        rows = self._rows_of(H.track_id[k])
        K = k.size
        t_k = H.t_s[k]
        # H_a's track: updated with the held detection at its time, then predicted to t_ref
        dt = t_k - tr.t[rows]
        x0, P0, cb = imm.mix(tr.x[rows], tr.P[rows], tr.mu[rows], dt)
        xa, Pa = imm.predict_mixed(x0, P0, dt, tr.thrust_of(rows))
        m1 = Measurements.from_detections(H.det[k])
        xa, Pa, mua = self._update_pairs(xa, Pa, cb, m1, np.arange(K), dt)  # as _apply_holds
        x0, P0, cba = imm.mix(xa, Pa, mua, np.full(K, t_ref) - t_k)
        xa, Pa = imm.predict_mixed(x0, P0, np.full(K, t_ref) - t_k, tr.thrust_of(rows))
        # H_b's track: as it was, predicted to t_ref
        dt = t_ref - tr.t[rows]
        x0, P0, cbb = imm.mix(tr.x[rows], tr.P[rows], tr.mu[rows], dt)
        xb, Pb = imm.predict_mixed(x0, P0, dt, tr.thrust_of(rows))
        xcb, Pcb = imm.combine(xb, Pb, cbb)
        xca, Pca = imm.combine(xa, Pa, cba)
        d = np.flatnonzero(full)
        # pairs within the coarse gate of the track or of a new object at the held detection
        # (moving like the track, :data:`~.newobject.TRAIN_VEL_SIGMA_M_S`): a few per hold
        pos_d, cov_d = meas.take(d).position_ecef()
        pos1, cov1 = m1.position_ecef()
        cs = self.config.coarse_sigma
        sig_d = np.sqrt(np.trace(cov_d, axis1=1, axis2=2))
        r_t = np.sqrt(np.trace(Pcb[:, :3, :3], axis1=1, axis2=2))
        r_n = np.sqrt(np.trace(cov1, axis1=1, axis2=2)) + TRAIN_VEL_SIGMA_M_S * (t_ref - t_k)
        near_t = np.linalg.norm(xcb[:, None, :3] - pos_d[None], axis=2) <= cs * (
            r_t[:, None] + sig_d[None]
        )
        at_n = pos1 + xcb[:, 3:6] * (t_ref - t_k)[:, None]
        near_n = np.linalg.norm(at_n[:, None] - pos_d[None], axis=2) <= cs * (
            r_n[:, None] + sig_d[None]
        )
        pk, col = np.nonzero(near_t | near_n)
        pd_ = d[col]
        shift = (meas.t_s[pd_] - t_ref)[:, None]
        xgb, xga = xcb[pk].copy(), xca[pk].copy()
        xgb[:, :3] += xgb[:, 3:6] * shift
        xga[:, :3] += xga[:, 3:6] * shift
        d2b, _, mb = imm.filter.gate(xgb, Pcb[pk], meas, rows=pd_)
        d2a, _, ma = imm.filter.gate(xga, Pca[pk], meas, rows=pd_)
        c_b = np.where(
            d2b <= self._chi2[mb], mode_cost(imm.filter, xb, Pb, cbb, pk, meas, pd_, t_ref), np.inf
        )
        c_a = np.where(
            d2a <= self._chi2[ma], mode_cost(imm.filter, xa, Pa, cba, pk, meas, pd_, t_ref), np.inf
        )
        tid = H.track_id[k]
        c_n = new_object_cost(
            xgb, Pcb[pk], pd_, meas.t_s[pd_], (pd_, pos1[pk], cov1[pk], t_k[pk], tid[pk]),
            imm.filter, meas, track_id=tid[pk],
        )  # fmt: skip
        lam = self._birth_rate.density(sensor, t_ref, tid)
        birth = -2.0 * np.log((2.0 * math.pi) ** 2 * lam)
        ca, cb_, cn = (np.full((K, d.size), np.inf) for _ in range(3))
        ca[pk, col], cb_[pk, col], cn[pk, col] = c_a, c_b, c_n
        h_a, h_b = hypothesis_costs(H.cost[k], ca, cb_, cn, birth, self.config.birth_pd)
        if self.hold_log is not None:
            self.hold_log.append(
                (t_ref, tid.copy(), H.det["det_id"][k].copy(), H.cost[k].copy(), h_a, h_b)
            )
        out: np.ndarray = h_b < h_a
        return out

    def _apply_holds(self, sel: np.ndarray) -> None:
        """Held detections of mask ``sel`` update their tracks at their times (H_a)."""
        H, tr, imm, cfg = self._holds, self.tracks, self.imm, self.config
        h = H.take(sel)
        rows = self._rows_of(h["track_id"])
        dt = h["t_s"] - tr.t[rows]
        ok = dt >= -cfg.frame_window_s
        rows, dt = rows[ok], np.maximum(dt[ok], 0.0)
        if rows.size == 0:
            return
        d = h["det"][ok]
        x0, P0, cb = imm.mix(tr.x[rows], tr.P[rows], tr.mu[rows], dt)
        xp, Pp = imm.predict_mixed(x0, P0, dt, tr.thrust_of(rows))
        x, P, mu = self._update_pairs(
            xp, Pp, cb, Measurements.from_detections(d), np.arange(rows.size), dt
        )
        was = tr.confirmed[rows].copy()
        tr.set_state(rows, x, P, mu, d["t_s"], imm.combine(x, P, mu))
        tr.hits[rows] += 1
        tr.misses[rows] = 0
        tr.last_sensor[rows] = h["sensor"][ok]
        tr.confirmed[rows] |= tr.hits[rows] >= cfg.confirm_hits
        self._hold_confirmed.extend(tr.ids[rows[tr.confirmed[rows] & ~was]].tolist())
        self.n_updates += rows.size
        self._lag.log(tr.ids[rows], d)
        self._record(rows, d["det_id"])
        self._ledger_set(h["ledger"][ok], hist.UPDATED, tr.ids[rows])
        cast(HeldDetections, self.initiator).withdraw(h["ledger"][ok])

    def _initiator_is(self, protocol: type) -> bool:
        """Whether the initiator implements the optional ``protocol`` (:mod:`.parts`; a runtime
        protocol check costs microseconds: asked once per initiator object and protocol)."""
        ini = self.initiator
        if ini is not self._protocols_of:
            self._protocols_of, self._protocols_are = ini, {}
        known = self._protocols_are.get(protocol)
        if known is None:
            known = self._protocols_are[protocol] = isinstance(ini, protocol)
        return known

    def _birth_evidence(self) -> bool:
        """Whether the initiator is a :class:`~.parts.BirthEvidence`."""
        return self._initiator_is(BirthEvidence)

    @property
    def _deletes_unchanged(self) -> bool:
        """The default deleter with thresholds of at least one miss: a track updated at the
        frame time (no miss, age below a frame window) cannot die at that time, so a frame
        that only updated tracks, missed none and started none needs no second deletion pass
        (:meth:`_frame`; its outcome would be the first pass's: nothing more)."""
        cfg = self.config
        return (
            type(self.deleter) is MissDeleter
            and min(cfg.tentative_max_misses, cfg.cued_max_misses, cfg.delete_after_misses) >= 1
            and min(cfg.init_max_dt_s, cfg.cued_max_dt_s, cfg.max_coast_s) > cfg.frame_window_s
        )

    def _lap(self, phase: str, t0: float) -> float:
        t1 = time.perf_counter()
        self.timing[phase] += t1 - t0
        return t1

    def _candidates(self, meas: Measurements, t_ref: float) -> tuple[np.ndarray, np.ndarray]:
        cfg, tr = self.config, self.tracks
        r, trk_r = np.empty((tr.n, 3)), np.empty(tr.n)
        pos, det_r = np.empty((len(meas), 3)), np.empty(len(meas))
        if scan_gate_kernel(
            tr.xc,
            tr.Pc,
            tr.t,
            t_ref,
            cfg.coarse_sigma,
            cfg.max_accel_m_s2,
            meas.z,
            meas.sigma,
            meas.valid,
            meas.enu,
            meas.sensor_ecef,
            meas.t_s,
            cfg.init_max_speed_m_s,
            r,
            trk_r,
            pos,
            det_r,
        ):  # radar rows only (a scan): one compiled pass
            return candidate_pairs(r, trk_r, pos, det_r)
        shift = np.abs(meas.t_s - t_ref) * cfg.init_max_speed_m_s
        has_range = meas.valid[:, :3].all(axis=1)
        out_t, out_d = [], []
        if has_range.any():
            sel = np.flatnonzero(has_range)
            pos, cov = (meas if sel.size == len(meas) else meas.take(sel)).position_ecef()
            det_r = cfg.coarse_sigma * np.sqrt(np.trace(cov, axis1=1, axis2=2)) + shift[sel]
            ti, di = candidate_pairs(r, trk_r, pos, det_r)
            out_t.append(ti)
            out_d.append(sel[di])
        ang = ~has_range & meas.valid[:, 1] & meas.valid[:, 2]
        young = tr.hits < cfg.ir_min_hits  # angle-only updates only for established tracks
        if ang.any() and not young.all():
            r, trk_r = r[~young], trk_r[~young]
            old = np.flatnonzero(~young)
            sel = np.flatnonzero(ang)
            s_mean = meas.sensor_ecef[sel].mean(axis=0)
            d = r - s_mean
            dist = np.linalg.norm(d, axis=1)
            los_t = d / dist[:, None]
            spread = np.linalg.norm(meas.sensor_ecef[sel] - s_mean, axis=1) + shift[sel]
            el = meas.z[sel, 2]
            sig_a = np.hypot(meas.sigma[sel, 1] * np.cos(el), meas.sigma[sel, 2])
            det_r = cfg.coarse_sigma * sig_a + spread / max(float(dist.min()), 1.0)
            ti, di = candidate_pairs(los_t, trk_r / dist, meas.take(sel).los_unit(), det_r)
            out_t.append(old[ti])
            out_d.append(sel[di])
        if not out_t:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        return np.concatenate(out_t), np.concatenate(out_d)

    def _associate_update(
        self,
        det: np.ndarray,
        meas: Measurements,
        ti: np.ndarray,
        di: np.ndarray,
        t_ref: float,
        sensor: int,
    ) -> tuple[np.ndarray, np.ndarray]:
        tr = self.tracks
        part: tuple[np.ndarray, ...] | None = None
        if self.config.new_object_alternative and self._birth_evidence():
            part = cast(BirthEvidence, self.initiator).partners(det, meas, sensor)
            if part is not None:  # only partners that were not the track's (see below)
                part = self._rival_partners(part, di, sensor)
        young = tr.hits[ti] < self.config.birth_max_hits
        birth = (
            self.config.birth_alternative
            and bool(young.any())
            and self._birth_rate.any_other(sensor, t_ref, tr.ids[ti[young]])
        )
        hold = (
            self.config.hold_young
            and bool(young.any())
            and bool(meas.valid[di, 3].any())  # full radar rows (range rate) only
            and self._can_hold()
        )
        if (
            part is None
            and not birth  # the birth alternative (step 3) runs on the general path
            and not hold  # so do held detections (.hold)
            and self.fused_frames
            and ti.size <= FUSED_MAX_PAIRS
            and not ((dt_ti := t_ref - tr.t[ti]) >= self.config.iterate_after_s).any()  # iterated
        ):
            done = self._fused_update(det, meas, ti, di, t_ref, sensor, dt_ti)
            if done is not None:
                return done
        self._only_fused = False
        tr, imm = self.tracks, self.imm
        t0 = time.perf_counter()
        if ti.size == 1:  # one pair (a single target): np.unique's answer without its sort
            cand, loc = ti, np.zeros(1, np.int64)
        else:
            cand, loc = np.unique(ti, return_inverse=True)
        dt = t_ref - tr.t[cand]
        if self.compiled_ekf:  # mix + predict + combine in one pass over the track arrays
            nc, (_, nm, n) = cand.size, tr.x.shape
            xp, Pp, cbar = np.empty((nc, nm, n)), np.empty((nc, nm, n, n)), np.empty((nc, nm))
            xcp, Pcp = np.empty((nc, n)), np.empty((nc, n, n))
            predict_tracks_kernel(
                tr.x, tr.P, tr.mu, tr.t, cand, imm.transition_matrix(dt), t_ref,
                imm.track_params(cand.size, tr.thrust_of(cand)),
                self._fused_max_step_s, *atmosphere_args(), xp, Pp, cbar, xcp, Pcp, self._fused_ws,
            )  # fmt: skip
        else:
            x0, P0, cbar = imm.mix(tr.x[cand], tr.P[cand], tr.mu[cand], dt)
            xp, Pp = imm.predict_mixed(x0, P0, dt, tr.thrust_of(cand))
            xcp, Pcp = imm.combine(xp, Pp, cbar)
        t0 = self._lap("predict", t0)
        xpair = xcp[loc]
        xpair[:, :3] += xpair[:, 3:6] * (meas.t_s[di] - t_ref)[:, None]
        d2, logdet, m = imm.filter.gate(xpair, Pcp[loc], meas, rows=di)
        ok = d2 <= self._chi2[m]
        if birth:  # young tracks against other objects (.birth): full radar rows only
            e = np.flatnonzero(ok & (m == 4) & (tr.hits[cand[loc]] < self.config.birth_max_hits))
            if e.size:
                lam = self._birth_rate.density(sensor, t_ref, tr.ids[cand[loc[e]]])
                salvo = lam > self._birth_rate.background  # else no gated edge loses (.birth)
                e = e[salvo]
                if e.size:
                    cost = mode_cost(imm.filter, xp, Pp, cbar, loc[e], meas, di[e], t_ref)
                    ok[e] = cost <= birth_cost(lam[salvo], self.config.birth_pd)
        if part is not None:  # the "new object" alternative (.newobject)
            e = np.flatnonzero(ok)
            alt = new_object_cost(
                xpair[e], Pcp[loc[e]], di[e], meas.t_s[di[e]], part, imm.filter, meas,
                track_id=tr.ids[cand[loc[e]]],
            )  # fmt: skip
            ok[e] = d2[e] + logdet[e] <= alt + self.config.new_object_margin
        a_loc, a_det = self.associator.associate(
            loc[ok], di[ok], (d2 + logdet)[ok], cand.size, len(meas)
        )
        if hold and a_loc.size:  # a young track's doubtful detection waits a scan (.hold)
            a_loc, a_det = self._hold(meas, cand, a_loc, a_det, xp, Pp, cbar, t_ref)
        t0 = self._lap("associate", t0)
        if a_loc.size == 0:
            return a_loc, a_det
        late = np.flatnonzero(meas.t_s[a_det] < tr.t[cand[a_loc]] - self.config.frame_window_s)
        done_trk, done_det = cand[a_loc[:0]], a_det[:0]
        if late.size and self._lag.enabled:  # out of sequence: re-processed (.oosm)
            done = late[
                self._late_updates(det[a_det[late]], cand[a_loc[late]], meas.det_id[a_det[late]])
            ]
            t0 = self._lap("update", t0)
            done_trk, done_det = cand[a_loc[done]], a_det[done]
            keep = np.ones(a_loc.size, bool)
            keep[done] = False
            a_loc, a_det = a_loc[keep], a_det[keep]
            if a_loc.size == 0:
                return done_trk, done_det
        trk = cand[a_loc]
        t_det = meas.t_s[a_det]
        off = np.abs(t_det - t_ref) > 1e-9
        long = t_det - tr.t[trk] >= self.config.iterate_after_s  # iterated: ekf.ITERATE_TOL_M
        if self.compiled_ekf and not long.any():  # update, model probabilities, writes, combine
            if off.any():  # detections off the frame time: their own prediction
                o = np.flatnonzero(off)
                dt_o = t_det[o] - tr.t[trk[o]]
                x0o, P0o, cbar[a_loc[o]] = imm.mix(tr.x[trk[o]], tr.P[trk[o]], tr.mu[trk[o]], dt_o)
                xp[a_loc[o]], Pp[a_loc[o]] = imm.predict_mixed(x0o, P0o, dt_o, tr.thrust_of(trk[o]))
            before = tr.thrust_inputs(trk)
            update_tracks_kernel(
                xp, Pp, cbar, a_loc, *meas_args(meas), a_det, t_det, trk, tr.x, tr.P, tr.mu,
                tr.t, tr.xc, tr.Pc, tr.hits, tr.misses, tr.confirmed, tr.last_sensor,
                self.config.confirm_hits, sensor, self._fused_ws,
            )  # fmt: skip
            tr.note_thrust(trk, before)
        else:
            xu, Pu, cb = xp[a_loc], Pp[a_loc], cbar[a_loc]
            if off.any():
                o = np.flatnonzero(off)
                dt_o = t_det[o] - tr.t[trk[o]]
                x0o, P0o, cb[o] = imm.mix(tr.x[trk[o]], tr.P[trk[o]], tr.mu[trk[o]], dt_o)
                xu[o], Pu[o] = imm.predict_mixed(x0o, P0o, dt_o, tr.thrust_of(trk[o]))
            x, P, mu = self._update_pairs(xu, Pu, cb, meas, a_det, t_det - tr.t[trk])
            tr.set_state(trk, x, P, mu, t_det, imm.combine(x, P, mu))
            tr.hits[trk] += 1
            tr.misses[trk] = 0
            tr.last_sensor[trk] = sensor
            tr.confirmed[trk] |= tr.hits[trk] >= self.config.confirm_hits
        self.n_updates += trk.size
        t0 = self._lap("update", t0)
        self._lag.log(tr.ids[trk], det, a_det)
        self._record(trk, meas.det_id[a_det])
        self._lap("manage", t0)
        return np.concatenate([trk, done_trk]), np.concatenate([a_det, done_det])

    def _thrust_model(self, cfg: TrackerConfig) -> int:
        return self.imm.thrust_model if cfg.thrust_estimate else -1

    def _update_pairs(
        self,
        xp: np.ndarray,
        Pp: np.ndarray,
        cbar: np.ndarray,
        meas: Measurements,
        rows: np.ndarray,
        coast_s: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """IMM update of N predicted tracks (``xp``, ``Pp``, ``cbar`` the mixed predictions at
        the detections' times), track ``i`` with ``meas`` row ``rows[i]``; ``coast_s`` (N,) the
        seconds since each track's last update.  The one update rule of the tracker's general
        path, of a held detection (:mod:`.hold`) and of the hold's H_a: a track not updated for
        ``iterate_after_s`` takes the EKF's iterated update (:data:`~.ekf.ITERATE_TOL_M`).
        Returns ``(x, P, mu)``; ``xp`` and ``Pp`` are overwritten."""
        imm = self.imm
        long = coast_s >= self.config.iterate_after_s  # after a long coast: iterated
        if long.any():
            lx, lP, lcb = xp[long], Pp[long], cbar[long]
        x, P, mu, _ = imm.update(xp, Pp, cbar, meas, rows=rows, overwrite=True)
        if long.any():
            x[long], P[long], mu[long], _ = imm.update(
                lx, lP, lcb, meas, rows=rows[long], overwrite=True, iterate=True
            )
        return x, P, mu

    def _rival_partners(
        self, part: tuple[np.ndarray, ...], di: np.ndarray, sensor: int
    ) -> tuple[np.ndarray, ...] | None:
        """Partners (:meth:`~.parts.BirthEvidence.partners`) of gated detections ``di``, each
        with the ids of the tracks its own frame updated or started with other detections
        (only those tracks may lose a detection to it: a pending detection of a frame that did
        not update the track may be the track's own, left out of its gate -- measured in the
        tracking bench: 47 duplicate starts without this rule).  None if nothing is left."""
        keep = np.isin(part[0], di)
        frames = self._updated_with_free.get(sensor)
        if not keep.any() or not frames:
            return None
        t_p = part[3]
        times = np.fromiter(frames.keys(), float, len(frames))
        j = np.abs(t_p[:, None] - times[None, :]).argmin(axis=1)
        near = np.abs(t_p - times[j]) <= self.config.frame_window_s
        keep &= near
        if not keep.any():
            return None
        k = np.flatnonzero(keep)
        ids = [frames[times[j[i]]] for i in k]
        owner = np.repeat(k, [a.size for a in ids])
        tid = np.concatenate(ids)
        return (part[0][owner], part[1][owner], part[2][owner], t_p[owner], tid)

    def _fused_update(
        self,
        det: np.ndarray,
        meas: Measurements,
        ti: np.ndarray,
        di: np.ndarray,
        t_ref: float,
        sensor: int,
        dt: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """:meth:`_associate_update` in one compiled call (:mod:`.fused`) for a frame whose
        candidate pairs are one-to-one at the frame time (``dt``: ``t_ref`` minus the pairs'
        track times); None (nothing changed) otherwise."""
        tr, imm = self.tracks, self.imm
        t0 = time.perf_counter()
        a_trk = np.empty(ti.size, np.int64)
        a_det = np.empty(ti.size, np.int64)
        before = tr.thrust_inputs(ti)
        k = frame_update_kernel(
            tr.x, tr.P, tr.mu, tr.t, tr.xc, tr.Pc, tr.hits, tr.misses, tr.confirmed,
            tr.last_sensor, ti, di, imm.transition_matrix(dt), t_ref,
            self.config.frame_window_s, imm.track_params(ti.size, tr.thrust_of(ti)),
            self._fused_max_step_s, *atmosphere_args(),
            *meas_args(meas), np.ascontiguousarray(meas.t_s), self._chi2,
            self.config.confirm_hits, sensor, a_trk, a_det, self._fused_ws,
        )  # fmt: skip
        if k < 0:
            return None
        self.n_fused_frames += 1
        trk, a_det = a_trk[:k], a_det[:k]
        if before is not None and k:  # the kernel writes the updated pairs in pair order
            tr.note_thrust(trk, before if k == ti.size else before[np.isin(ti, trk)])
        self.n_updates += k
        t0 = self._lap("update", t0)
        if k:
            self._lag.log(tr.ids[trk], det, a_det)
            self._record(trk, meas.det_id[a_det])
        self._lap("manage", t0)
        return trk, a_det

    def _late_updates(self, det: np.ndarray, rows: np.ndarray, det_id: np.ndarray) -> np.ndarray:
        """Out-of-sequence detections ``det`` assigned to track rows ``rows``: re-processed
        (:mod:`.oosm`); returns a mask of those done (the rest go the ordinary way)."""
        tr, imm = self.tracks, self.imm
        done = np.zeros(rows.size, bool)
        for i in range(rows.size):  # the few late detections of a frame
            r = int(rows[i])
            out = self._lag.replay(int(tr.ids[r]), det[i : i + 1], imm)
            if out is None or out[3] < tr.t[r] - 1e-9:
                continue
            x, P, mu, t, thrust = out
            xc, Pc = imm.combine(x[None], P[None], mu[None])
            tr.set_state(
                np.array([r]), x[None], P[None], mu[None], np.array([t]), (xc, Pc), thrust[None]
            )  # the replay's own thrust estimate
            tr.hits[r] += 1
            self._lag.log(tr.ids[r : r + 1], det[i : i + 1])
            self._record(np.array([r]), det_id[i : i + 1])
            done[i] = True
        self.n_updates += int(done.sum())
        return done

    # ------------------------------------------------------------------ initiation
    def _initiate(
        self, det: np.ndarray, meas: Measurements, led: np.ndarray, sensor: int, t_ref: float
    ) -> None:
        b = self.initiator.initiate(det, meas, led, sensor, self.imm)
        self._add_births(b)
        if self._initiator_is(LateCues) and not (det["kind"] == "radar").all():
            self._cue_young()

    def _cue_young(self) -> None:
        """Tentative tracks not yet cued that a new IR cue lies on become cued (held through
        more misses, rule 5); they are not confirmed by it (their velocity is a two-point
        start's)."""
        tr = self.tracks
        rows = np.flatnonzero(~tr.confirmed[: tr.n] & ~tr.cued[: tr.n])
        if rows.size == 0:
            return
        xc, Pc = tr.xc[rows], tr.Pc[rows]
        k, led = cast(LateCues, self.initiator).cue_young(
            xc[:, :3], xc[:, 3:6], Pc[:, :3, :3], Pc[:, 3:6, 3:6], tr.t[rows]
        )
        if k.size:
            tr.cued[rows[k]] = True
            self._ledger_set(led, hist.CUED, tr.ids[rows[k]])

    def _add_births(self, b: Births) -> None:
        ids = np.arange(self._next_id, self._next_id + b.n)
        self._next_id += b.n
        if b.ledger_idx.size:
            tid = np.where(
                b.ledger_birth >= 0, ids[np.maximum(b.ledger_birth, 0)] if b.n else -1, -1
            )
            for code in np.unique(b.ledger_outcome):
                sel = b.ledger_outcome == code
                self._ledger_set(b.ledger_idx[sel], int(code), tid[sel])
        if b.n == 0:
            return
        tr = self.tracks
        xc, Pc = self.imm.combine(b.x, b.P, b.mu)
        rows = tr.add(ids, b.x, b.P, b.mu, b.t_s, xc, Pc, hits=b.hits, sensor=b.sensor)
        tr.confirmed[rows] = b.confirmed
        if b.cued.size:
            tr.cued[rows] = b.cued
        self._record(rows, b.det_id)

    # ------------------------------------------------------------------ bookkeeping
    def _sensor(self, name: str) -> int:
        return self._sensors.setdefault(name, len(self._sensors))

    def _delete(self, t_now: float, *, impact: bool = False) -> None:
        tr = self.tracks
        if tr.n:
            dead = self.deleter.dead(tr, t_now, self.imm, full=impact)
            if dead.any():
                lost = np.flatnonzero(dead & tr.confirmed)
                if lost.size:  # not predicted on the ground: kept for re-acquisition
                    up = predicted_height(tr, lost, t_now, self.imm).max(axis=1)
                    self._dormant.extend(tr.take(lost[up >= -self.config.impact_margin_m]))
                tr.remove(dead)
        d = self._dormant
        if d.n:
            old = t_now - d.t > self.config.dormant_max_s
            old |= np.arange(d.n) < d.n - self.config.dormant_max_tracks
            if old.any():
                d.remove(old)

    def _merge_duplicates(self, t_now: float) -> None:
        tr = self.tracks
        lose, win = self.merger.duplicates(tr, t_now, self.imm)
        if lose.size:
            self._merges.extend(
                (t_now, int(a), int(b)) for a, b in zip(tr.ids[lose], tr.ids[win], strict=True)
            )
            gone = np.zeros(tr.n, bool)
            gone[lose] = True
            tr.remove(gone)

    def _reacquire(self, fresh: np.ndarray, t_now: float) -> None:
        """Newly confirmed tracks that continue an older, coasting one take its identity: the
        old row gets the new state, the new row goes, ledger and history rows are relabelled
        (:meth:`~.parts.Merger.reacquire`)."""
        tr = self.tracks
        n_live = tr.n
        if self._dormant.n:  # lost tracks are candidates too: appended after the live ones
            tr.extend(self._dormant)
        new, old = self.merger.reacquire(tr, fresh, self.imm)
        revived = old >= n_live
        if self._dormant.n:
            keep = np.ones(self._dormant.n, bool)
            keep[old[revived] - n_live] = False
            self._dormant.remove(~keep)
            back = np.zeros(tr.n, bool)
            back[n_live:] = True
            back[old[revived]] = False  # revived rows stay live (they take the new state)
            tr.remove(back)
            # revived rows now sit after the live ones, in the order of old[revived]
            order = np.argsort(old[revived])
            old = old.copy()
            old[np.flatnonzero(revived)[order]] = n_live + np.arange(int(revived.sum()))
        if new.size == 0:
            return
        for a, b in zip(new, old, strict=True):
            new_id, old_id = int(tr.ids[a]), int(tr.ids[b])
            self._merges.append((t_now, new_id, old_id))
            v = self._ledger.view()
            v["track_id"][v["track_id"] == new_id] = old_id
            self._hist.relabel(new_id, old_id)
        hits = tr.hits[old] + tr.hits[new]
        tr.set_state(
            old,
            tr.x[new],
            tr.P[new],
            tr.mu[new],
            tr.t[new],
            (tr.xc[new], tr.Pc[new]),
            tr.thrust[new],
        )  # fmt: skip  (the new track's thrust estimate: the gap is not one filter step)
        tr.hits[old], tr.misses[old] = hits, 0
        tr.last_sensor[old], tr.confirmed[old] = tr.last_sensor[new], True
        gone = np.zeros(tr.n, bool)
        gone[new] = True
        tr.remove(gone)

    def _expire(self, t_now: float) -> None:
        self._ledger_set(self.initiator.expire(t_now), hist.UNASSOCIATED, -1)

    def _ledger_set(self, idx: np.ndarray, outcome: int, track_id: ArrayLike) -> None:
        if np.size(idx):
            v = self._ledger.view()
            v["outcome"][idx] = outcome
            v["track_id"][idx] = track_id

    def _record(self, rows: np.ndarray, det_id: np.ndarray) -> None:
        tr = self.tracks
        hist.record_rows(
            self._hist.reserve(rows.size), rows, det_id,
            tr.t, tr.ids, tr.xc, tr.Pc, tr.mu, tr.confirmed,
        )  # fmt: skip
