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
inlined rows of :mod:`.ekf` or :mod:`.models` needs a change here too, or a fresh cache.)
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ..flight.dynamics import FASTMATH
from .ekf import nis_logdet, update_row
from .imm import mode_probs_row
from .measure import cholesky_inplace, meas_innovation
from .models import cov_substep, rk4_step


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


@njit(cache=True, error_model="numpy")
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
) -> int:
    """Predict, gate and update the tracks of candidate pairs ``(ti[e], di[e])`` in place (see
    module docstring); ``Pi`` (K, M, M) the IMM transition matrix of each pair's step
    ``t_ref - tr_t[ti]``.  Writes the updated (track row, detection) pairs in pair order to
    ``a_trk``/``a_det`` and returns their number, or -1 (nothing changed) when the frame needs
    the general path."""
    n_pairs = ti.shape[0]
    seen_t = np.zeros(tr_t.shape[0], np.bool_)
    seen_d = np.zeros(t_meas.shape[0], np.bool_)
    for e in range(n_pairs):
        r, q = ti[e], di[e]
        if seen_t[r] or seen_d[q]:
            return -1
        seen_t[r] = True
        seen_d[q] = True
        if abs(t_meas[q] - t_ref) > 1e-9 or t_meas[q] < tr_t[r] - window_s:
            return -1
    _, M, n = tr_x.shape
    x0 = np.empty((M, n))
    P0 = np.empty((M, n, n))
    cbar = np.empty(M)
    wm = np.empty(M)
    ll = np.empty(M)
    xc = np.empty(n)
    Pc = np.empty((n, n))
    k1, k2, k3, k4, tmp = np.empty(n), np.empty(n), np.empty(n), np.empty(n), np.empty(n)
    A, Phi, T = np.empty((n, n)), np.empty((n, n)), np.empty((n, n))
    hx, nu, w = np.empty(4), np.empty(4), np.empty(4)
    Hf, H, S = np.empty((4, n)), np.empty((4, n)), np.empty((4, 4))
    PHt, K = np.empty((n, 4)), np.empty((n, 4))
    IKH, T2, Pold = np.empty((n, n)), np.empty((n, n)), np.empty((n, n))
    n_out = 0
    for e in range(n_pairs):
        r, q = ti[e], di[e]
        dt = t_ref - tr_t[r]
        _mix_track(tr_x[r], tr_P[r], tr_mu[r], Pi[e], x0, P0, cbar, wm)
        for j in range(M):
            _predict_row(
                x0[j], P0[j], dt, params[j], max_step_s, logrho, h0, dh,
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
        for j in range(M):
            ll[j] = update_row(
                x0[j], P0[j], z[q], sg[q], valid[q], sensor_ecef[q], E[q],
                hx, Hf, nu, H, S, w, PHt, K, IKH, T2, Pold, False,
            )[0]  # fmt: skip
        mode_probs_row(ll, cbar, tr_mu[r])
        mu = tr_mu[r]
        tr_x[r, :, :] = x0
        tr_P[r, :, :, :] = P0
        tr_t[r] = t_meas[q]
        _combine_track(x0, P0, mu, tr_xc[r], tr_Pc[r])
        tr_hits[r] += 1
        tr_misses[r] = 0
        tr_last_sensor[r] = sensor
        if tr_hits[r] >= confirm_hits:
            tr_confirmed[r] = True
        a_trk[n_out] = r
        a_det[n_out] = q
        n_out += 1
    return n_out


@njit(cache=True, error_model="numpy")
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
) -> None:
    """The general path's IMM prediction of track rows ``rows`` (C,) to ``t_ref`` in one pass,
    read from the track arrays in place (no gathered copies): mixing (``Pi`` (C, M, M)), each
    model row's EKF prediction and the combination, into ``xp`` (C, M, n), ``Pp`` (C, M, n,
    n), ``cbar`` (C, M), ``xc`` (C, n), ``Pc`` (C, n, n).  The arithmetic of :meth:`~.imm.IMM.
    mix`, :meth:`~.imm.IMM.predict_mixed` (EKF) and :meth:`~.imm.IMM.combine`, row by row."""
    M, n = tr_x.shape[1], tr_x.shape[2]
    wm = np.empty(M)
    k1, k2, k3, k4, tmp = np.empty(n), np.empty(n), np.empty(n), np.empty(n), np.empty(n)
    A, Phi, T = np.empty((n, n)), np.empty((n, n)), np.empty((n, n))
    for c in range(rows.shape[0]):
        r = rows[c]
        dt = t_ref - tr_t[r]
        _mix_track(tr_x[r], tr_P[r], tr_mu[r], Pi[c], xp[c], Pp[c], cbar[c], wm)
        for j in range(M):
            _predict_row(
                xp[c, j], Pp[c, j], dt, params[j], max_step_s, logrho, h0, dh,
                k1, k2, k3, k4, tmp, A, Phi, T,
            )  # fmt: skip
        _combine_track(xp[c], Pp[c], cbar[c], xc[c], Pc[c])


@njit(cache=True, error_model="numpy")
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
) -> None:
    """The general path's EKF update of assigned pairs in one pass: predicted track ``loc[e]``
    (rows of ``xp`` (C, M, n), ``Pp``, ``cbar``; updated in place) with measurement ``det[e]``,
    model probabilities, then written to track row ``trk[e]`` with its time ``t_det[e]``, its
    combined estimate, one more hit, no miss, ``sensor`` and confirmation.  The arithmetic of
    :meth:`~.imm.IMM.update` (EKF), :meth:`~.tracks.TrackSet.set_state` and
    :meth:`~.imm.IMM.combine`; pairs are one-to-one."""
    M, n = xp.shape[1], xp.shape[2]
    ll = np.empty(M)
    hx, nu, w = np.empty(4), np.empty(4), np.empty(4)
    Hf, H, S = np.empty((4, n)), np.empty((4, n)), np.empty((4, 4))
    PHt, K = np.empty((n, 4)), np.empty((n, 4))
    IKH, T2, Pold = np.empty((n, n)), np.empty((n, n)), np.empty((n, n))
    for e in range(loc.shape[0]):
        c, q, r = loc[e], det[e], trk[e]
        for j in range(M):
            ll[j] = update_row(
                xp[c, j], Pp[c, j], z[q], sg[q], valid[q], sensor_ecef[q], E[q],
                hx, Hf, nu, H, S, w, PHt, K, IKH, T2, Pold, False,
            )[0]  # fmt: skip
        mode_probs_row(ll, cbar[c], tr_mu[r])
        tr_x[r, :, :] = xp[c]
        tr_P[r, :, :, :] = Pp[c]
        tr_t[r] = t_det[e]
        _combine_track(xp[c], Pp[c], tr_mu[r], tr_xc[r], tr_Pc[r])
        tr_hits[r] += 1
        tr_misses[r] = 0
        tr_last_sensor[r] = sensor
        if tr_hits[r] >= confirm_hits:
            tr_confirmed[r] = True
