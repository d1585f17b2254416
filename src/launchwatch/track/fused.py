"""One frame's predict + gate + update + IMM mix/combine in a single numba call.

The general path of :meth:`~.tracker.Tracker._frame` runs about a dozen kernels and several
dozen NumPy calls per frame (mix, transition matrices, filter prediction of the N*M model rows,
combination, gate, assignment, update, model probabilities, combination, track-set writes); for
one target each of them costs more in Python dispatch than in arithmetic.
:func:`frame_update_kernel` does the same arithmetic, track by track, in one compiled call when
the frame's association is trivial:

* every candidate pair has its own track and its own detection (one-to-one: the global nearest
  neighbour assignment then takes every gated pair, :func:`~.associate.assign_sparse`);
* every paired detection is at the frame time (within 1e-9 s: no second prediction) and none
  is older than its track by more than the frame window (no out-of-sequence replay).

Otherwise it returns -1 and changes nothing; the caller takes the general path.  The arithmetic
is that of :mod:`.imm` (mixing, combination, model probabilities), :mod:`.models` (the EKF's
RK4 mean and ``Phi P Phi^T + Q`` substeps, compiled with the same fast-math flags) and
:mod:`.ekf` (gate and update; the tracker sends updates after a long coast, which it iterates,
the general way); a test holds the two paths to 1e-9 relative on a scenario.  (numba's cache of this kernel is keyed on this file only: a change to the
inlined rows of :mod:`.ekf` or :mod:`.models` needs a change here too, or a fresh cache; last:
model parameters per track: each track's own thrust estimate.)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numba import njit

from ..flight.dynamics import FASTMATH
from ..flight.integrate import njit_no_nrt
from .ekf import nis_logdet, update_row
from .imm import mode_probs_row
from .measure import cholesky_inplace, meas_innovation
from .models import cov_substep, rk4_step


def workspace_size(n_models: int, n_state: int) -> int:
    """float64 elements of the work space of :func:`frame_update_kernel` (:func:`_carve`)."""
    M, n = n_models, n_state
    return M * n + M * n * n + 3 * M + 22 * n + 7 * n * n + 28


def workspace(n_models: int, n_state: int) -> np.ndarray:
    """A work space for :func:`frame_update_kernel` (reused across calls; contents unused)."""
    return np.empty(workspace_size(n_models, n_state))


@njit(cache=True, inline="always", error_model="numpy")
def _carve(ws: np.ndarray, M: int, n: int) -> tuple[Any, ...]:
    """The scratch arrays of the fused step as C-contiguous views of ``ws`` (no allocation):
    ``x0`` (M, n), ``P0`` (M, n, n), ``cbar``, ``wm``, ``ll`` (M,), ``xc`` (n,), ``Pc`` (n, n),
    the RK4 stages ``k1..k4``, ``tmp`` (n,), ``A``, ``Phi``, ``T`` (n, n) and the update's
    ``(hx, Hf, nu, H, S, w, PHt, K, IKH, T2, Pold)``."""
    o = 0
    x0 = ws[o : o + M * n].reshape((M, n))
    o += M * n
    P0 = ws[o : o + M * n * n].reshape((M, n, n))
    o += M * n * n
    cbar = ws[o : o + M]
    wm = ws[o + M : o + 2 * M]
    ll = ws[o + 2 * M : o + 3 * M]
    o += 3 * M
    xc, k1, k2 = ws[o : o + n], ws[o + n : o + 2 * n], ws[o + 2 * n : o + 3 * n]
    k3, k4, tmp = ws[o + 3 * n : o + 4 * n], ws[o + 4 * n : o + 5 * n], ws[o + 5 * n : o + 6 * n]
    o += 6 * n
    Pc = ws[o : o + n * n].reshape((n, n))
    A = ws[o + n * n : o + 2 * n * n].reshape((n, n))
    Phi = ws[o + 2 * n * n : o + 3 * n * n].reshape((n, n))
    T = ws[o + 3 * n * n : o + 4 * n * n].reshape((n, n))
    IKH = ws[o + 4 * n * n : o + 5 * n * n].reshape((n, n))
    T2 = ws[o + 5 * n * n : o + 6 * n * n].reshape((n, n))
    Pold = ws[o + 6 * n * n : o + 7 * n * n].reshape((n, n))
    o += 7 * n * n
    hx, nu, w = ws[o : o + 4], ws[o + 4 : o + 8], ws[o + 8 : o + 12]
    S = ws[o + 12 : o + 28].reshape((4, 4))
    o += 28
    Hf = ws[o : o + 4 * n].reshape((4, n))
    H = ws[o + 4 * n : o + 8 * n].reshape((4, n))
    PHt = ws[o + 8 * n : o + 12 * n].reshape((n, 4))
    K = ws[o + 12 * n : o + 16 * n].reshape((n, 4))
    scratch = (hx, Hf, nu, H, S, w, PHt, K, IKH, T2, Pold)
    return x0, P0, cbar, wm, ll, xc, Pc, k1, k2, k3, k4, tmp, A, Phi, T, scratch


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def _predict_row(
    s: np.ndarray,
    P: np.ndarray,
    t: float,
    p: np.ndarray,
    max_step_s: float,
    logrho: np.ndarray,
    h0: float,
    dh: float,
    k1: np.ndarray,
    k2: np.ndarray,
    k3: np.ndarray,
    k4: np.ndarray,
    tmp: np.ndarray,
    A: np.ndarray,
    Phi: np.ndarray,
    T: np.ndarray,
) -> None:
    """One row of :func:`~.models.predict_kernel` with covariance (same substeps)."""
    if t == 0.0:
        return
    n_sub = max(1, int(math.ceil(abs(t) / max_step_s)))
    h = t / n_sub
    for _ in range(n_sub):
        cov_substep(s, p, h, P, logrho, h0, dh, A, Phi, T)
        rk4_step(s, h, p, logrho, h0, dh, k1, k2, k3, k4, tmp)


@njit(cache=True, inline="always", error_model="numpy")
def _mix_track(
    x: np.ndarray,
    P: np.ndarray,
    mu: np.ndarray,
    Pi: np.ndarray,
    x0: np.ndarray,
    P0: np.ndarray,
    cbar: np.ndarray,
    w: np.ndarray,
) -> None:
    """One track of :func:`~.imm._mix_kernel`: ``x`` (M, n), ``P`` (M, n, n), ``mu`` (M,)."""
    M, n = x.shape
    for j in range(M):
        c = 0.0
        for i in range(M):
            c += Pi[i, j] * mu[i]
        cbar[j] = c
        for i in range(M):
            w[i] = Pi[i, j] * mu[i] / c if c > 0.0 else (1.0 if i == j else 0.0)
        xj = x0[j]
        Pj = P0[j]
        xj[:] = 0.0
        Pj[:, :] = 0.0
        for i in range(M):
            if w[i] != 0.0:
                for k in range(n):
                    xj[k] += w[i] * x[i, k]
        for i in range(M):
            if w[i] == 0.0:
                continue
            xi = x[i]
            Pi_ = P[i]
            for k in range(n):
                dk = w[i] * (xi[k] - xj[k])
                for l in range(n):
                    Pj[k, l] += w[i] * Pi_[k, l] + dk * (xi[l] - xj[l])


@njit(cache=True, inline="always", error_model="numpy")
def _combine_track(
    x: np.ndarray, P: np.ndarray, mu: np.ndarray, xt: np.ndarray, Pt: np.ndarray
) -> None:
    """One track of :func:`~.imm._combine_kernel`."""
    M, n = x.shape
    xt[:] = 0.0
    Pt[:, :] = 0.0
    for j in range(M):
        for k in range(n):
            xt[k] += mu[j] * x[j, k]
    for j in range(M):
        wj = mu[j]
        xj = x[j]
        Pj = P[j]
        for k in range(n):
            dk = wj * (xj[k] - xt[k])
            for l in range(n):
                Pt[k, l] += wj * Pj[k, l] + dk * (xj[l] - xt[l])


@njit(cache=True, inline="always", error_model="numpy")
def _gate_row(
    x: np.ndarray,
    P: np.ndarray,
    z: np.ndarray,
    sg: np.ndarray,
    valid: np.ndarray,
    sensor: np.ndarray,
    E: np.ndarray,
    hx: np.ndarray,
    Hf: np.ndarray,
    nu: np.ndarray,
    H: np.ndarray,
    S: np.ndarray,
    PHt: np.ndarray,
    w: np.ndarray,
) -> tuple[float, int]:
    """NIS ``d2`` and measurement dimension of one row (:func:`~.ekf.gate_kernel`)."""
    m = meas_innovation(x, P, z, sg, valid, sensor, E, hx, Hf, nu, H, S, PHt)
    if m == 0 or not cholesky_inplace(S, m):
        return np.inf, m
    d2, _ = nis_logdet(S, nu, w, m)
    return d2, m


@njit(cache=True, inline="always", error_model="numpy")
def _update_and_write_track(
    xr: np.ndarray,
    Pr: np.ndarray,
    cbar: np.ndarray,
    q: int,
    meas: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    r: int,
    t_new: float,
    tracks: tuple[np.ndarray, ...],
    confirm_hits: int,
    sensor: int,
    ll: np.ndarray,
    scratch: tuple[np.ndarray, ...],
) -> None:
    """The common end of :func:`frame_update_kernel` and :func:`update_tracks_kernel`: each
    model row of the predicted track ``xr`` (M, n), ``Pr`` (M, n, n) updated in place with
    measurement row ``q`` of ``meas`` (``z, sg, valid, sensor_ecef, E``), model probabilities
    from ``cbar`` (M,), then written to track row ``r`` of ``tracks`` (``x, P, mu, t, xc, Pc,
    hits, misses, confirmed, last_sensor``) with time ``t_new``, its combined estimate, one
    more hit, no miss, ``sensor`` and confirmation.  ``ll`` (M,) and ``scratch`` (``hx, Hf, nu,
    H, S, w, PHt, K, IKH, T2, Pold``) are work space."""
    z, sg, valid, sensor_ecef, E = meas
    tr_x, tr_P, tr_mu, tr_t, tr_xc, tr_Pc, tr_hits, tr_misses, tr_confirmed, tr_last = tracks
    hx, Hf, nu, H, S, w, PHt, K, IKH, T2, Pold = scratch
    for j in range(xr.shape[0]):
        ll[j] = update_row(
            xr[j], Pr[j], z[q], sg[q], valid[q], sensor_ecef[q], E[q],
            hx, Hf, nu, H, S, w, PHt, K, IKH, T2, Pold, False,
        )[0]  # fmt: skip
    mode_probs_row(ll, cbar, tr_mu[r])
    M, n = xr.shape
    for j in range(M):  # copied by loops: a slice assignment may allocate an overlap copy
        for k in range(n):
            tr_x[r, j, k] = xr[j, k]
            for l in range(n):
                tr_P[r, j, k, l] = Pr[j, k, l]
    tr_t[r] = t_new
    _combine_track(xr, Pr, tr_mu[r], tr_xc[r], tr_Pc[r])
    tr_hits[r] += 1
    tr_misses[r] = 0
    tr_last[r] = sensor
    if tr_hits[r] >= confirm_hits:
        tr_confirmed[r] = True


@njit_no_nrt
def frame_update_kernel(
    tr_x: np.ndarray,
    tr_P: np.ndarray,
    tr_mu: np.ndarray,
    tr_t: np.ndarray,
    tr_xc: np.ndarray,
    tr_Pc: np.ndarray,
    tr_hits: np.ndarray,
    tr_misses: np.ndarray,
    tr_confirmed: np.ndarray,
    tr_last_sensor: np.ndarray,
    ti: np.ndarray,
    di: np.ndarray,
    Pi: np.ndarray,
    t_ref: float,
    window_s: float,
    params: np.ndarray,
    max_step_s: float,
    logrho: np.ndarray,
    h0: float,
    dh: float,
    z: np.ndarray,
    sg: np.ndarray,
    valid: np.ndarray,
    sensor_ecef: np.ndarray,
    E: np.ndarray,
    t_meas: np.ndarray,
    chi2_limit: np.ndarray,
    confirm_hits: int,
    sensor: int,
    a_trk: np.ndarray,
    a_det: np.ndarray,
    ws: np.ndarray,
) -> int:
    """Predict, gate and update the tracks of candidate pairs ``(ti[e], di[e])`` in place (see
    module docstring); ``Pi`` (K, M, M) the IMM transition matrix of each pair's step
    ``t_ref - tr_t[ti]``, ``params`` (K, M, N_PARAMS) each pair's model parameters.  Writes the updated (track row, detection) pairs in pair order to
    ``a_trk``/``a_det`` and returns their number, or -1 (nothing changed) when the frame needs
    the general path.  ``ws`` (:func:`workspace`) is the work space: the kernel allocates
    nothing and runs without numba's reference counting
    (:func:`launchwatch.flight.integrate.njit_no_nrt`: each array view taken in the loops would
    otherwise cost an atomic increment and decrement)."""
    n_pairs = ti.shape[0]
    for e in range(n_pairs):
        r, q = ti[e], di[e]
        for f in range(e):  # one-to-one (at most FUSED_MAX_PAIRS pairs: no marks allocated)
            if ti[f] == r or di[f] == q:
                return -1
        if abs(t_meas[q] - t_ref) > 1e-9 or t_meas[q] < tr_t[r] - window_s:
            return -1
    _, M, n = tr_x.shape
    x0, P0, cbar, wm, ll, xc, Pc, k1, k2, k3, k4, tmp, A, Phi, T, scratch = _carve(ws, M, n)
    hx, Hf, nu, H, S, w, PHt = scratch[:7]
    meas = (z, sg, valid, sensor_ecef, E)
    tracks = (tr_x, tr_P, tr_mu, tr_t, tr_xc, tr_Pc, tr_hits, tr_misses, tr_confirmed, tr_last_sensor)  # fmt: skip
    n_out = 0
    for e in range(n_pairs):
        r, q = ti[e], di[e]
        dt = t_ref - tr_t[r]
        _mix_track(tr_x[r], tr_P[r], tr_mu[r], Pi[e], x0, P0, cbar, wm)
        for j in range(M):
            _predict_row(
                x0[j], P0[j], dt, params[e, j], max_step_s, logrho, h0, dh,
                k1, k2, k3, k4, tmp, A, Phi, T,
            )  # fmt: skip
        _combine_track(x0, P0, cbar, xc, Pc)
        dtm = t_meas[q] - t_ref
        for i in range(3):
            xc[i] += xc[3 + i] * dtm
        d2, m = _gate_row(
            xc, Pc, z[q], sg[q], valid[q], sensor_ecef[q], E[q], hx, Hf, nu, H, S, PHt, w
        )
        if not d2 <= chi2_limit[m]:
            continue
        _update_and_write_track(
            x0, P0, cbar, q, meas, r, t_meas[q], tracks, confirm_hits, sensor, ll, scratch
        )
        a_trk[n_out] = r
        a_det[n_out] = q
        n_out += 1
    return n_out


@njit_no_nrt
def predict_tracks_kernel(
    tr_x: np.ndarray,
    tr_P: np.ndarray,
    tr_mu: np.ndarray,
    tr_t: np.ndarray,
    rows: np.ndarray,
    Pi: np.ndarray,
    t_ref: float,
    params: np.ndarray,
    max_step_s: float,
    logrho: np.ndarray,
    h0: float,
    dh: float,
    xp: np.ndarray,
    Pp: np.ndarray,
    cbar: np.ndarray,
    xc: np.ndarray,
    Pc: np.ndarray,
    ws: np.ndarray,
) -> None:
    """The general path's IMM prediction of track rows ``rows`` (C,) to ``t_ref`` in one pass,
    read from the track arrays in place (no gathered copies): mixing (``Pi`` (C, M, M)), each
    model row's EKF prediction (``params`` (C, M, N_PARAMS)) and the combination, into ``xp`` (C, M, n), ``Pp`` (C, M, n,
    n), ``cbar`` (C, M), ``xc`` (C, n), ``Pc`` (C, n, n).  The arithmetic of :meth:`~.imm.IMM.
    mix`, :meth:`~.imm.IMM.predict_mixed` (EKF) and :meth:`~.imm.IMM.combine`, row by row.
    ``ws`` (:func:`workspace`): work space; no allocation, no reference counting."""
    M, n = tr_x.shape[1], tr_x.shape[2]
    _, _, _, wm, _, _, _, k1, k2, k3, k4, tmp, A, Phi, T, _ = _carve(ws, M, n)
    for c in range(rows.shape[0]):
        r = rows[c]
        dt = t_ref - tr_t[r]
        _mix_track(tr_x[r], tr_P[r], tr_mu[r], Pi[c], xp[c], Pp[c], cbar[c], wm)
        for j in range(M):
            _predict_row(
                xp[c, j], Pp[c, j], dt, params[c, j], max_step_s, logrho, h0, dh,
                k1, k2, k3, k4, tmp, A, Phi, T,
            )  # fmt: skip
        _combine_track(xp[c], Pp[c], cbar[c], xc[c], Pc[c])


@njit_no_nrt
def update_tracks_kernel(
    xp: np.ndarray,
    Pp: np.ndarray,
    cbar: np.ndarray,
    loc: np.ndarray,
    z: np.ndarray,
    sg: np.ndarray,
    valid: np.ndarray,
    sensor_ecef: np.ndarray,
    E: np.ndarray,
    det: np.ndarray,
    t_det: np.ndarray,
    trk: np.ndarray,
    tr_x: np.ndarray,
    tr_P: np.ndarray,
    tr_mu: np.ndarray,
    tr_t: np.ndarray,
    tr_xc: np.ndarray,
    tr_Pc: np.ndarray,
    tr_hits: np.ndarray,
    tr_misses: np.ndarray,
    tr_confirmed: np.ndarray,
    tr_last_sensor: np.ndarray,
    confirm_hits: int,
    sensor: int,
    ws: np.ndarray,
) -> None:
    """The general path's EKF update of assigned pairs in one pass: predicted track ``loc[e]``
    (rows of ``xp`` (C, M, n), ``Pp``, ``cbar``; updated in place) with measurement ``det[e]``,
    model probabilities, then written to track row ``trk[e]`` with its time ``t_det[e]``, its
    combined estimate, one more hit, no miss, ``sensor`` and confirmation.  The arithmetic of
    :meth:`~.imm.IMM.update` (EKF), :meth:`~.tracks.TrackSet.set_state` and
    :meth:`~.imm.IMM.combine`; pairs are one-to-one.  ``ws`` (:func:`workspace`): work space;
    no allocation, no reference counting."""
    M, n = xp.shape[1], xp.shape[2]
    _, _, _, _, ll, _, _, _, _, _, _, _, _, _, _, scratch = _carve(ws, M, n)
    meas = (z, sg, valid, sensor_ecef, E)
    tracks = (
        tr_x,
        tr_P,
        tr_mu,
        tr_t,
        tr_xc,
        tr_Pc,
        tr_hits,
        tr_misses,
        tr_confirmed,
        tr_last_sensor,
    )
    for e in range(loc.shape[0]):
        c, q, r = loc[e], det[e], trk[e]
        _update_and_write_track(
            xp[c], Pp[c], cbar[c], q, meas, r, t_det[e], tracks, confirm_hits, sensor, ll, scratch
        )
