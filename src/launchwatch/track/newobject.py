"""The association's "new object" alternative: may a detection be a missile not yet tracked?

A salvo flown as a train (one site, seconds apart, one trajectory) puts the next, untracked
missile a few km behind a young boost-phase track whose position sigma is 2-4 km.  When the
radar misses the tracked missile on one scan, the neighbour's detection often lies inside the
track's 0.999 gate (d^2 12.7 and 14.7 on 4 dof, campaign dense-salvos seed 2) and global
nearest neighbour, which has no other explanation for it, gives it to the track: a swap.

The other explanation is the initiator's evidence (:class:`~.parts.BirthEvidence`): an earlier
unassociated detection ``p`` of the same sensor that could start a track with this one.  For a
gated edge (track ``T``, detection ``d``) with such a partner the two hypotheses are

* H1: ``d`` is ``T``'s missile (detected), ``p``'s object missed this scan;
* H2: ``T``'s missile missed this scan, ``d`` is ``p``'s object seen again,

with the same detection and miss factors (``Pd (1 - Pd)``), so they compare by the likelihood
of ``d`` alone: ``N(d; h(x_T), S_T)`` against the likelihood under a new object that was at
``p`` at ``p``'s time and moves like ``T`` (the train: missiles from one site on one path share
the velocity's direction; the one behind is slower by its thrust acceleration times the launch
spacing, about 100-400 m/s in boost), i.e. a pseudo-state at ``p + v_T dt`` with covariance
``R_p + dt^2 (P_vv,T + sigma_v^2 I)``.  An edge whose cost ``d^2 + ln det S`` exceeds the best
new-object cost of its detection by more than ``margin`` is dropped before the assignment; the
detection then starts the new track with ``p`` (:mod:`.initiate`) and ``T`` records a miss.
Both costs are in the same measurement space (range, azimuth, elevation, range rate), so the
comparison is a likelihood ratio, not a second gate.

Only a partner from a frame that updated ``T`` with another detection is weighed against ``T``
(the tracker keeps which tracks recent frames updated): one object gives one detection a scan,
so such a ``p`` was not ``T``'s.  A pending detection of a frame that did not update ``T`` may be
``T``'s own, left out of its gate; moved with ``T``'s velocity it predicts ``T``'s next detection
better than ``T`` does, and in the tracking bench that started 47 duplicate tracks.

Units SI, frame ECEF.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .measure import Measurements
    from .parts import StateFilter

#: 1-sigma (m/s, per axis) of a train neighbour's velocity about the track's own (estimate:
#: thrust 30-50 m/s^2 times launch spacings of 2-8 s gives 60-400 m/s along the path).
TRAIN_VEL_SIGMA_M_S = 300.0


def join_edges(edge_det: np.ndarray, part_det: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All (edge, partner) index pairs with ``edge_det[e] == part_det[p]`` (sort-based join)."""
    order = np.argsort(edge_det, kind="stable")
    sd = edge_det[order]
    lo = np.searchsorted(sd, part_det, side="left")
    cnt = np.searchsorted(sd, part_det, side="right") - lo
    total = int(cnt.sum())
    pp = np.repeat(np.arange(part_det.size), cnt)
    offs = np.arange(total) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    return order[np.repeat(lo, cnt) + offs], pp


def new_object_cost(
    x: np.ndarray,
    P: np.ndarray,
    rows: np.ndarray,
    t_det: np.ndarray,
    partners: tuple[np.ndarray, ...],
    filt: StateFilter,
    meas: Measurements,
    *,
    sigma_v_m_s: float = TRAIN_VEL_SIGMA_M_S,
    track_id: np.ndarray | None = None,
) -> np.ndarray:
    """Per gated edge ``e`` (track state ``x[e]``/``P[e]`` (E, n)/(E, n, n) carried to its
    detection's time ``t_det[e]``, detection row ``rows[e]``): the least ``d^2 + ln det S`` of
    the detection under a new object started at one of its ``partners`` (``(k, pos, cov,
    t_s)`` of :meth:`~.parts.BirthEvidence.partners`) moving like the track; ``inf`` where the
    detection has no partner.  With ``track_id`` (E,) and a fifth member of ``partners`` (P,)
    (the track each partner may be weighed against), only matching pairs count."""
    if track_id is not None and len(partners) > 4:
        big = int(max(track_id.max(initial=0), partners[4].max(initial=0))) + 1
        e, p = join_edges(rows * big + track_id, partners[0] * big + partners[4])
    else:
        e, p = join_edges(rows, partners[0])
    alt = np.full(rows.size, np.inf)
    if e.size == 0:
        return alt
    p_pos, p_cov, p_t = partners[1:4]
    dt = t_det[e] - p_t[p]
    xa = x[e].copy()
    v = xa[:, 3:6]
    xa[:, :3] = p_pos[p] + v * dt[:, None]
    Pv = P[e, 3:6, 3:6] + sigma_v_m_s**2 * np.eye(3)
    Pa = np.zeros_like(P[e])
    idx = np.arange(6, P.shape[1])
    Pa[:, idx, idx] = P[e][:, idx, idx]
    d3 = dt[:, None, None]
    Pa[:, :3, :3] = p_cov[p] + d3**2 * Pv
    Pa[:, :3, 3:6] = Pa[:, 3:6, :3] = d3 * Pv
    Pa[:, 3:6, 3:6] = Pv
    d2, logdet, _ = filt.gate(xa, Pa, meas, rows=rows[e])
    np.minimum.at(alt, e, d2 + logdet)
    return alt
