"""The association's birth alternative for young tracks: the track's mixture likelihood against
the density of other objects' detections.

In a salvo flown as a train the missiles rise over a radar's horizon one after another at one
place.  When a young track's missile is missed on a scan, the next missile's first sighting (no
earlier detection of it, so :mod:`.newobject` cannot act) falls into that track's gate, which is
wide while the track is young, and global nearest neighbour gives it to the track: a swap.

For a gated full radar edge (track ``T``, detection ``z``; range, azimuth, elevation, range
rate) the two hypotheses are

* H1: ``z`` is ``T``'s missile: ``Pd p_T(z)``;
* H0: ``T``'s missile was missed, ``z`` is another object's: ``(1 - Pd) lambda_b(z)``,

where ``p_T`` is the IMM's predicted measurement density, the mixture of its motion models'
Gaussians weighted by their predicted probabilities, ``sum_j cbar_j N(z; h(x_j), S_j)``
(:func:`mode_cost`; not the moment-matched Gaussian of the combined state, which spans the
coast and boost predictions of a boosting missile and is wider than either), and
``lambda_b`` the density of other objects' detections per unit measurement volume (m rad
rad m/s).  The edge
is kept if H1 is the likelier.  In cost form (``c = d^2 + ln det S``) it is kept if
``-2 ln sum_j cbar_j exp(-c_j / 2)`` is at most :func:`birth_cost` ``= 2 ln(Pd / (1 - Pd)) -
2 ln((2 pi)^2 lambda_b)``.

``lambda_b`` (:class:`BirthRate`) is measurement-driven, as in the adaptive birth intensity of
random-finite-set filters (Ristic, Clark, Vo & Vo, "Adaptive target birth intensity for PHD
and CPHD filters", IEEE Trans. AES 48(2), 2012): a radar's other objects are expected where
and as many as it has recently started tracks for.  Its two terms:

* background: :data:`BACKGROUND_DENSITY`, about one new object a scan anywhere in a radar's
  measurement volume (estimate: 1,000 km x 120 deg x 90 deg x +-8 km/s, 5e10 m rad^2 m/s);
* a salvo in progress: the ``n`` other tracks this radar started in the last ``window_s``
  are ``n`` objects, each detected with ``Pd``, spread over the region where a salvo's
  missiles are first seen (:data:`FIRST_SIGHTING_SIGMA`, measured), at its mean density
  ``Pd n / ((4 pi)^2 prod(sigma))`` (a 4-D Gaussian's density averaged over its own draws is a
  quarter of its peak).  Whether such an object is already tracked does not matter here: if
  it is, its own track's edge competes in the assignment; if not (its first sighting, or its
  track lost), the detection starts a new track.

With ``n`` others the threshold is ``c* = 10.0 - 2 ln n`` (Pd 0.9): 10.0, 8.6, 7.2 for 1, 2,
4 others.  A single missile (no other start) gets the background density, ~46 in cost, beyond
any gated edge: a boosting missile's detections, whose young track's likelihood is low (the
boost model's acceleration noise; mixture costs 9-14 at its 3rd-4th update, measured on the
Hokkaido IRBM and Japan overflights seed 1), are never taken from it (a fixed threshold of 8 on
the combined cost broke the IRBM's track in boost and two of six overflights).  The limit: the
first young track of a train has no other start yet, so the next missile's first sighting may
still fall to it.  Only young tracks (fewer than ``birth_max_hits`` updates) are weighed: they
are the ones near where objects are born.

Units SI, measurement space (m, rad, rad, m/s).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .measure import Measurements
    from .parts import StateFilter


#: New objects per unit measurement volume (per m rad rad m/s) anywhere in a radar's field:
#: about one a scan in 1,000 km x 2.1 rad x 1.6 rad x 16,000 m/s (estimate).
BACKGROUND_DENSITY = 2e-11

#: Spread (standard deviations: range m, azimuth rad, elevation rad, range rate m/s) of the
#: first detections of a salvo's missiles by one radar, measured on campaign dense-salvos seeds
#: 1 and 4 (not the seeds the rule was judged on): single-site salvos of 12-23 missiles, 21
#: salvo-radar pairs, median of each component (range 0.66-6.7 km, azimuth 2.9-23 mrad outside
#: two wrapped pairs, elevation 0.95-14 mrad, range rate 3-254 m/s).
FIRST_SIGHTING_SIGMA = (1990.0, 8.7e-3, 3.0e-3, 70.0)


class BirthRate:
    """Per radar, the tracks it started recently (times, ids): the density :meth:`density` of
    detections of objects other than a young track's own (see module docstring)."""

    def __init__(
        self,
        window_s: float,
        pd: float,
        sigma: tuple[float, float, float, float] = FIRST_SIGHTING_SIGMA,
        background: float = BACKGROUND_DENSITY,
    ) -> None:
        self.window_s = window_s
        self.background = background
        #: mean density over the first-sighting region of one object detected with ``pd``
        #: (per m rad^2 m/s)
        self.unit = pd / ((4.0 * math.pi) ** 2 * math.prod(sigma))
        self._t: dict[int, np.ndarray] = {}
        self._ids: dict[int, np.ndarray] = {}

    def started(self, sensor: int, t: float, ids: np.ndarray) -> None:
        """``sensor``'s frame at ``t`` s started tracks ``ids``."""
        if ids.size == 0:
            return
        t_old = self._t.get(sensor, np.zeros(0))
        id_old = self._ids.get(sensor, np.zeros(0, np.int64))
        keep = t_old >= t - self.window_s
        self._t[sensor] = np.concatenate([t_old[keep], np.full(ids.size, t)])
        self._ids[sensor] = np.concatenate([id_old[keep], ids])

    def _recent(self, sensor: int, t: float) -> np.ndarray | None:
        tb = self._t.get(sensor)
        if tb is None:
            return None
        recent: np.ndarray = self._ids[sensor][(tb >= t - self.window_s) & (tb < t)]
        return recent if recent.size else None

    def any_other(self, sensor: int, t: float, track_ids: np.ndarray) -> bool:
        """Whether ``sensor`` started, in the last ``window_s`` before ``t``, a track other
        than one of ``track_ids`` (else :meth:`density` is the background for all of them)."""
        recent = self._recent(sensor, t)
        return recent is not None and (recent.size >= 2 or not np.isin(track_ids, recent).all())

    def density(self, sensor: int, t: float, track_ids: np.ndarray) -> np.ndarray:
        """Density (per m rad rad m/s) of other objects' detections for a detection of
        ``sensor``'s frame at ``t`` gated with each of ``track_ids``: the background plus ``n``
        objects detected with ``pd`` over the first-sighting region, ``n`` the other tracks
        the sensor started in the last ``window_s`` (not the edge's own)."""
        out = np.full(track_ids.size, self.background)
        recent = self._recent(sensor, t)
        if recent is None:
            return out
        n = recent.size - np.isin(track_ids, recent)
        return np.asarray(out + n * self.unit, dtype=float)


def birth_cost(density: np.ndarray, pd: float) -> np.ndarray:
    """The cost ``-2 ln p_T(z)`` (measurement space, 4 dof, without ``(2 pi)^2``) at which a
    detection is as likely a missed track's new neighbour (``density``, per m rad rad m/s) as
    the track's own at detection probability ``pd``:
    ``2 ln(pd / (1 - pd)) - 2 ln((2 pi)^2 density)``."""
    out: np.ndarray = 2.0 * math.log(pd / (1.0 - pd)) - 2.0 * np.log(
        (2.0 * math.pi) ** 2 * np.asarray(density, float)
    )
    return out


def mode_cost(
    filt: StateFilter,
    xp: np.ndarray,
    Pp: np.ndarray,
    cbar: np.ndarray,
    loc: np.ndarray,
    meas: Measurements,
    rows: np.ndarray,
    t_ref: float,
) -> np.ndarray:
    """``-2 ln sum_j cbar_j exp(-(d_j^2 + ln det S_j) / 2)`` per edge: the IMM's predicted
    measurement density (without ``(2 pi)^{-m/2}``) of detection ``rows[k]`` under track
    ``loc[k]``'s models, predicted to ``t_ref`` (``xp`` (N, M, n), ``Pp`` (N, M, n, n), ``cbar``
    (N, M)) and moved along their velocity to the detection's time (as the gate does)."""
    k = loc.size
    _, nm, n = xp.shape
    x = xp[loc]
    x[:, :, :3] += x[:, :, 3:6] * (meas.t_s[rows] - t_ref)[:, None, None]
    d2, logdet, _ = filt.gate(
        x.reshape(k * nm, n), Pp[loc].reshape(k * nm, n, n), meas, rows=np.repeat(rows, nm)
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        lw = np.log(cbar[loc]) - 0.5 * (d2 + logdet).reshape(k, nm)
    lw = np.where(np.isfinite(lw), lw, -np.inf)
    top = lw.max(axis=1)
    fin = np.isfinite(top)
    out = np.full(k, np.inf)
    if fin.any():
        t = top[fin]
        out[fin] = -2.0 * (t + np.log(np.exp(lw[fin] - t[:, None]).sum(axis=1)))
    return out
