"""The plain record formats of the sensing layer: truth and detections.

These are the contract between ``sense`` (which produces them, from simulation or from a real
feed converted into this form) and ``track`` (which consumes them).  Everything is a NumPy
structured array or a small dataclass of arrays; times are seconds after the scenario epoch
(an ISO 8601 instant kept with the scenario), positions are ECEF metres (WGS84).

Detection record (:data:`DETECTION_DTYPE`), one row per detection, time-ordered in a stream:

=============  ==========  ===================================================================
field          type        meaning
=============  ==========  ===================================================================
det_id         int64       unique id of the detection within the feed (duplicates share it)
sensor         U24         sensor id (e.g. ``"TPY2-Shariki"``, ``"SBIRS-GEO-1"``)
kind           U8          ``"radar"`` or ``"ir"``
t_s            float64     measurement time, s after the scenario epoch
z              float64[4]  radar: range m, azimuth rad, elevation rad, range rate m/s (NaN if
                           not measured); ir: azimuth rad, elevation rad, NaN, NaN
sigma          float64[4]  1-sigma noise of each ``z`` component (diagonal covariance), NaN
                           where ``z`` is NaN
sensor_ecef_m  float64[3]  sensor position at ``t_s`` (ECEF m), so a record is self-contained
=============  ==========  ===================================================================

Azimuth is clockwise from north in [0, 2 pi), elevation above the local horizontal, both in the
sensor's local geodetic (ENU) frame; for a space sensor that frame is the geodetic frame at the
satellite's own position (its "elevation" towards the Earth is negative).  Truth is kept apart
(:data:`TRUTH_ID_DTYPE`, aligned row by row) so that nothing downstream can peek at it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DETECTION_DTYPE = np.dtype(
    [
        ("det_id", np.int64),
        ("sensor", "U24"),
        ("kind", "U8"),
        ("t_s", np.float64),
        ("z", np.float64, (4,)),
        ("sigma", np.float64, (4,)),
        ("sensor_ecef_m", np.float64, (3,)),
    ]
)

#: Truth for a detection: the missile index it came from, -1 for a false alarm.
TRUTH_ID_DTYPE = np.dtype([("det_id", np.int64), ("missile", np.int64)])

Z_RANGE, Z_AZ, Z_EL, Z_RANGE_RATE = 0, 1, 2, 3
IR_AZ, IR_EL = 0, 1


def empty_detections(n: int = 0) -> np.ndarray:
    return np.zeros(n, dtype=DETECTION_DTYPE)


@dataclass(frozen=True, slots=True, kw_only=True)
class Truth:
    """True missile states on a common time grid.

    ``times_s`` (T,) s after the epoch; ``states_ecef`` (M, T, 6) ECEF position m and velocity
    m/s, NaN before launch and after impact; ``burning`` (M, T) True while a motor burns;
    ``launch_time_s`` and ``impact_time_s`` (M,); ``names`` (M,) labels; ``sensed_until_s``
    (M,) optional: no sensor detects the missile after this time (s after the epoch; the flight
    goes on unseen, e.g. a track lost right after detection).
    """

    times_s: np.ndarray
    states_ecef: np.ndarray
    burning: np.ndarray
    launch_time_s: np.ndarray
    impact_time_s: np.ndarray
    names: tuple[str, ...]
    sensed_until_s: np.ndarray | None = None

    @property
    def n_missiles(self) -> int:
        return self.states_ecef.shape[0]

    def in_flight(self) -> np.ndarray:
        """(M, T) True where the missile is airborne."""
        return ~np.isnan(self.states_ecef[..., 0])

    def at(self, t_s: float) -> np.ndarray:
        """(M, 6) states at time ``t_s`` by linear interpolation on the grid (NaN outside)."""
        times = self.times_s
        if not times[0] <= t_s <= times[-1]:
            return np.full((self.n_missiles, 6), np.nan)
        i = min(max(int(np.searchsorted(times, t_s, side="right")), 1), times.size - 1)
        t0, t1 = times[i - 1], times[i]
        w = (t_s - t0) / (t1 - t0)
        return (1.0 - w) * self.states_ecef[:, i - 1] + w * self.states_ecef[:, i]
