"""Scoring a tracker's history against truth: assignment, RMSE, OSPA, latency, breaks, swaps.

Definitions (positions ECEF m, velocities m/s, times s after the epoch):

* **Evaluation times** are the truth grid (``Truth.times_s``) unless given.  At each time ``t``
  a track's *current estimate* is its latest history row with ``t - stale_s < t_row <= t``
  (confirmed rows only by default), carried to ``t`` by ``r + v dt + g dt^2 / 2`` (J2 gravity).
  By default ``stale_s`` is three median update intervals of the scored tracks (within 0.5-30
  s): 0.3 s for a 10 Hz radar, several seconds for radars revisiting every 2-6 s (a fixed 1 s
  made such tracks look absent most of the time).
* **Assignment**: at each time, tracks and airborne missiles are matched by global nearest
  neighbour on position distance within ``gate_m`` (sparse: candidate pairs, then
  :func:`~.associate.assign_sparse`); ``assignment[k, i]`` is the track id on missile ``i``
  (-1 if none).
* **RMSE** of position and velocity over all assigned (time, missile) pairs, and per missile.
* **OSPA** (Schuhmacher, Vo & Vo, IEEE TSP 56(8), 2008) with cut-off ``ospa_c_m`` and order
  ``ospa_p`` between the current estimates and the airborne missiles at each time; its optimal
  matching is solved on the sparse pairs closer than ``c`` (pairs at or beyond ``c`` cost the
  same as no pair).  0 when both sets are empty, ``c`` when exactly one is.
* **Time to track**: first time a missile is assigned a (confirmed) track, minus its launch time
  (NaN if never).
* **Break**: a missile's assigned track changes from ``a`` to ``b`` (gaps ignored) while ``a`` is
  assigned to no missile at that time -- coverage ended and a new track took over.
* **Swap**: a track's assigned missile changes (gaps ignored); two tracks exchanging missiles
  are two swaps and no break.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from ..earth.gravity import gravity_j2
from ..sense.records import Truth
from .associate import assign_sparse, candidate_pairs


@dataclass(frozen=True, slots=True, kw_only=True)
class Score:
    """Result of :func:`score` (see module docstring).  Arrays over evaluation times (T,),
    missiles (M,) or scored tracks (U,)."""

    times_s: np.ndarray
    assignment: np.ndarray  # (T, M) track id or -1
    pos_rmse_m: float
    vel_rmse_m_s: float
    pos_rmse_per_missile_m: np.ndarray
    vel_rmse_per_missile_m_s: np.ndarray
    coverage: np.ndarray  # (M,) fraction of airborne evaluation times with a track
    ospa_m: np.ndarray  # (T,)
    ospa_mean_m: float
    time_to_track_s: np.ndarray  # (M,)
    n_breaks: int
    n_swaps: int
    breaks_per_missile: np.ndarray  # (M,)
    track_ids: np.ndarray  # (U,) scored track ids
    swaps_per_track: np.ndarray  # (U,)
    n_false_tracks: int  # scored tracks never assigned to a missile


def score(
    history: np.ndarray,
    truth: Truth,
    *,
    gate_m: float = 10_000.0,
    ospa_c_m: float = 10_000.0,
    ospa_p: float = 2.0,
    stale_s: float | None = None,
    confirmed_only: bool = True,
    times_s: ArrayLike | None = None,
) -> Score:
    """Score ``history`` (rows of :func:`~.history.history_dtype`) against ``truth``."""
    h = history[history["confirmed"]] if confirmed_only else history
    if stale_s is None:
        stale_s = default_stale_s(h)
    if not (gate_m > 0 and ospa_c_m > 0 and ospa_p >= 1 and stale_s > 0):
        raise ValueError("gate_m, ospa_c_m, stale_s must be positive and ospa_p >= 1")
    if times_s is None:
        times, states = np.asarray(truth.times_s, float), truth.states_ecef
    else:
        times = np.atleast_1d(np.asarray(times_s, float))
        states = np.stack([truth.at(t) for t in times], axis=1)
    n_t, n_m = times.size, truth.n_missiles
    track_ids, tidx = np.unique(h["track_id"], return_inverse=True)
    n_u = track_ids.size
    order = np.lexsort((h["t_s"], tidx))
    h, tidx = h[order], tidx[order]
    # rows sorted by (track, time) have increasing keys: track * span + time offset
    t0 = float(h["t_s"].min()) if h.size else 0.0
    span = (float(np.ptp(h["t_s"])) if h.size else 0.0) + 2.0 * stale_s + 1.0
    key = tidx * span + (h["t_s"] - t0)

    assign = np.full((n_t, n_m), -1, np.int64)  # track ids
    assign_u = np.full((n_t, n_m), -1, np.int64)  # track indices
    err_p = np.full((n_t, n_m), np.nan)
    err_v = np.full((n_t, n_m), np.nan)
    ospa = np.zeros(n_t)
    c, p = float(ospa_c_m), float(ospa_p)
    steps = _track_estimates(h, tidx, key, span, t0, n_u, times, stale_s)
    for k, (u, row_state, r_est) in enumerate(steps):
        truth_k = states[:, k]
        air = np.flatnonzero(np.isfinite(truth_k[:, 0]))
        n_est, n_tru = u.size, air.size
        if n_est == 0 or n_tru == 0:
            ospa[k] = 0.0 if n_est == n_tru else c
            continue
        rad = 0.5 * max(gate_m, c)
        ei, ti = candidate_pairs(r_est, np.full(n_est, rad), truth_k[air, :3], np.full(n_tru, rad))
        d = np.linalg.norm(r_est[ei] - truth_k[air[ti], :3], axis=1)
        g = d <= gate_m
        a_e, a_t = assign_sparse(ei[g], ti[g], d[g], n_est, n_tru)
        miss = air[a_t]
        assign[k, miss] = track_ids[u[a_e]]
        assign_u[k, miss] = u[a_e]
        err_p[k, miss] = np.linalg.norm(r_est[a_e] - truth_k[miss, :3], axis=1)
        err_v[k, miss] = np.linalg.norm(row_state[a_e, 3:] - truth_k[miss, 3:], axis=1)
        o = d < c  # OSPA: only pairs closer than c can beat "unmatched"
        o_e, o_t = assign_sparse(ei[o], ti[o], d[o] ** p - c**p, n_est, n_tru, optional=True)
        d_match = np.linalg.norm(r_est[o_e] - truth_k[air[o_t], :3], axis=1)
        n_max = max(n_est, n_tru)
        ospa[k] = ((np.sum(d_match**p) + c**p * (n_max - o_e.size)) / n_max) ** (1.0 / p)

    airborne = np.isfinite(states[:, :, 0]).T
    has = assign >= 0
    n_has = has.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        rmse_p = np.sqrt(np.where(has, err_p**2, 0.0).sum(axis=0) / n_has)
        rmse_v = np.sqrt(np.where(has, err_v**2, 0.0).sum(axis=0) / n_has)
        coverage = n_has / airborne.sum(axis=0)
    first = np.where(has.any(axis=0), np.argmax(has, axis=0), -1)
    ttt = np.where(first >= 0, times[np.maximum(first, 0)] - truth.launch_time_s, np.nan)
    breaks_m, swaps_u = _breaks_swaps(assign_u, n_u)
    n_pairs = int(has.sum())
    return Score(
        times_s=times,
        assignment=assign,
        pos_rmse_m=float(np.sqrt(np.sum(err_p[has] ** 2) / n_pairs)) if n_pairs else np.nan,
        vel_rmse_m_s=float(np.sqrt(np.sum(err_v[has] ** 2) / n_pairs)) if n_pairs else np.nan,
        pos_rmse_per_missile_m=rmse_p,
        vel_rmse_per_missile_m_s=rmse_v,
        coverage=coverage,
        ospa_m=ospa,
        ospa_mean_m=float(ospa.mean()) if n_t else np.nan,
        time_to_track_s=ttt,
        n_breaks=int(breaks_m.sum()),
        n_swaps=int(swaps_u.sum()),
        breaks_per_missile=breaks_m,
        track_ids=track_ids,
        swaps_per_track=swaps_u,
        n_false_tracks=int(n_u - np.unique(assign_u[assign_u >= 0]).size),
    )


#: Track-time pairs per block of :func:`_track_estimates` (bounds its memory: ~100 bytes each).
ESTIMATE_BLOCK = 1 << 20


def _track_estimates(
    h: np.ndarray,
    tidx: np.ndarray,
    key: np.ndarray,
    span: float,
    t0: float,
    n_u: int,
    times: np.ndarray,
    stale_s: float,
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per time ``times[k]``, the tracks (indices into the unique ids) whose latest row at or
    before it is younger than ``stale_s``, that row's state (n, 6) and its position carried
    to the time under gravity (n, 3) m: ``(u, state, r_est)``.  Worked out for blocks of
    times at once (the lookup and the arithmetic of every step in one pass), then handed out
    step by step; the floats of the step-by-step form (the same operations per element)."""
    tracks = np.arange(n_u)
    step = max(1, ESTIMATE_BLOCK // max(n_u, 1))
    state_all, t_all = h["state"], h["t_s"]
    for k0 in range(0, times.size, step):
        tk = times[k0 : k0 + step]
        j = np.searchsorted(key, tracks[None, :] * span + (tk[:, None] - t0), side="right") - 1
        jj = np.maximum(j, 0)
        ok = (j >= 0) & (tidx[jj] == tracks[None, :]) & (t_all[jj] > tk[:, None] - stale_s)
        kk, uu = np.nonzero(ok)
        rows = j[kk, uu]
        st = state_all[rows]
        dt = (tk[kk] - t_all[rows])[:, None]
        r_est = st[:, :3] + st[:, 3:] * dt + 0.5 * gravity_j2(st[:, :3]).reshape(-1, 3) * dt**2
        bounds = np.searchsorted(kk, np.arange(tk.size + 1))
        for i in range(tk.size):
            a, b = bounds[i], bounds[i + 1]
            yield uu[a:b], st[a:b], r_est[a:b]


def default_stale_s(history: np.ndarray) -> float:
    """Three median update intervals (s) of the tracks in ``history``, within [0.5, 30]."""
    order = np.lexsort((history["t_s"], history["track_id"]))
    t, ids = history["t_s"][order], history["track_id"][order]
    gaps = np.diff(t)[(np.diff(ids) == 0) & (np.diff(t) > 0)]
    return float(np.clip(3.0 * np.median(gaps), 0.5, 30.0)) if gaps.size else 1.0


def _ffill_prev(a: np.ndarray) -> np.ndarray:
    """Per column, the last value >= 0 strictly before each row (-1 if none)."""
    n_t = a.shape[0]
    idx = np.where(a >= 0, np.arange(n_t)[:, None], -1)
    last = np.maximum.accumulate(idx, axis=0)
    prev_idx = np.vstack([np.full((1, a.shape[1]), -1), last[:-1]])
    cols = np.arange(a.shape[1])[None, :]
    return np.where(prev_idx >= 0, a[np.maximum(prev_idx, 0), cols], -1)


def _breaks_swaps(assign_u: np.ndarray, n_u: int) -> tuple[np.ndarray, np.ndarray]:
    """Breaks per missile and swaps per track from the (T, M) track-index assignment."""
    n_t, n_m = assign_u.shape
    prev = _ffill_prev(assign_u)
    change = (assign_u >= 0) & (prev >= 0) & (assign_u != prev)
    present = np.zeros((n_t, max(n_u, 1)), bool)
    kk, mm = np.nonzero(assign_u >= 0)
    present[kk, assign_u[kk, mm]] = True
    k_c, m_c = np.nonzero(change)
    old_gone = ~present[k_c, prev[k_c, m_c]]
    breaks = np.bincount(m_c[old_gone], minlength=n_m)
    by_track = np.full((n_t, max(n_u, 1)), -1, np.int64)
    by_track[kk, assign_u[kk, mm]] = mm
    prev_t = _ffill_prev(by_track)
    swaps = ((by_track >= 0) & (prev_t >= 0) & (by_track != prev_t)).sum(axis=0)[:n_u]
    return breaks, swaps
