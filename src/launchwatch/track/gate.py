"""A frame's coarse gate and its settlement, each in one compiled pass.

:func:`scan_gate_kernel` -- the tracks extrapolated to the frame time (:func:`~.tracks.
extrapolate_kernel`) and, for a frame of radar rows with range (a scan), the detections'
positions and radii (:func:`~.measure.radar_gate_kernel`): the inputs of
:func:`~.associate.candidate_pairs`.

:func:`settle_kernel` -- after association: the ledger rows of the detections that updated a
track, the misses of tracks that the frame's sensor last updated and this frame did not, and the
detections left free (for initiation).  The rules are the tracker's (:mod:`.tracker`, steps 4-5);
these are their arithmetic without a NumPy call per step.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .measure import radar_gate_kernel
from .tracks import extrapolate_kernel


@njit(cache=True, error_model="numpy")
def scan_gate_kernel(  # type: ignore[no-untyped-def]
    xc, Pc, t, t_ref, n_sigma, max_accel, z, sg, valid, E, sensor, t_s, max_speed,
    r, trk_r, pos, det_r,
):  # fmt: skip
    """Tracks ``xc``/``Pc``/``t`` (N, ...) extrapolated to ``t_ref`` into ``r`` (N, 3) and
    ``trk_r`` (N,) (m); if every measurement row has range and both angles, their coarse
    positions into ``pos`` (K, 3) and radii into ``det_r`` (K,) and True, else False (``pos``
    and ``det_r`` unset)."""
    dt = np.empty(t.shape[0])
    for i in range(t.shape[0]):
        dt[i] = t_ref - t[i]
    extrapolate_kernel(xc, Pc, dt, n_sigma, max_accel, r, trk_r)
    for k in range(valid.shape[0]):
        if not (valid[k, 0] and valid[k, 1] and valid[k, 2]):
            return False
    radar_gate_kernel(z, sg, E, sensor, t_s, t_ref, n_sigma, max_speed, pos, det_r)
    return True


@njit(cache=True)
def settle_kernel(  # type: ignore[no-untyped-def]
    a_trk, a_det, n_det, last_sensor, sensor, misses, ids, led, ledger, updated_code, free
):  # fmt: skip
    """Pairs ``(a_trk[e], a_det[e])`` updated: ledger rows ``ledger[led[a_det[e]]]`` get
    ``updated_code`` and the track's id; every other track whose ``last_sensor`` is ``sensor``
    gets a miss; the indices of the ``n_det`` detections not taken go to ``free`` (ascending),
    their number is returned."""
    updated = np.zeros(last_sensor.shape[0], np.bool_)
    taken = np.zeros(n_det, np.bool_)
    for e in range(a_trk.shape[0]):
        updated[a_trk[e]] = True
        taken[a_det[e]] = True
        row = ledger[led[a_det[e]]]
        row.outcome = updated_code
        row.track_id = ids[a_trk[e]]
    for i in range(last_sensor.shape[0]):
        if last_sensor[i] == sensor and not updated[i]:
            misses[i] += 1
    n_free = 0
    for q in range(n_det):
        if not taken[q]:
            free[n_free] = q
            n_free += 1
    return n_free
