"""The assessment record: what ``assess`` hands to ``warn``, ``share`` and ``record``.

One :class:`Assessment` is the impact prediction for K tracks made at one time ``t_s`` from
their latest estimates.  Every array has a leading track axis K; sample arrays have a second
axis S (Monte Carlo samples of the track's state, flown to impact by the flight core).  Times
are seconds after the scenario epoch (``epoch``, an aware datetime); positions are geodetic
WGS84 degrees and metres.

Predicted paths are sampled on ``path_t_s`` (P,), from ``t_s`` to the latest predicted impact;
a sample's path is NaN after its impact.  ``path_lat_deg`` etc. (K, S, P) are the sub-satellite
(ground) points and heights of every sample; a warning policy decides from them which areas each
sample overflies and when.

Zone probabilities are the fractions of samples whose impact point falls in each zone, keyed
``"<kind>:<ISO3>"`` (``"eez:JPN"``, ``"territorial_sea:JPN"``, ``"land:PRK"``) or
``"high_seas"``; only non-zero entries are kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

#: Probability levels of the reported impact ellipses.
ELLIPSE_LEVELS = (0.5, 0.95)


@dataclass(frozen=True, slots=True, kw_only=True)
class Assessment:
    """Impact predictions of K tracks at one time (see module docstring)."""

    t_s: float
    epoch: datetime
    track_id: np.ndarray  # (K,) int
    n_samples: int
    impact_lat_deg: np.ndarray  # (K,) mean impact point (of the samples that impact)
    impact_lon_deg: np.ndarray  # (K,)
    impact_t_s: np.ndarray  # (K,) mean impact time, s after epoch
    impact_t_sigma_s: np.ndarray  # (K,)
    # impact ellipses in the local east-north plane at the mean impact point, one per level of
    # ELLIPSE_LEVELS, each holding that share of the samples: semi-axes (m) and orientation of
    # the major axis (deg clockwise from north)
    ellipse_semi_major_m: np.ndarray  # (K, L)
    ellipse_semi_minor_m: np.ndarray  # (K, L)
    ellipse_orientation_deg: np.ndarray  # (K,)
    # (K, 2, 2) east-north covariance of the impact points, scaled so that its chi2(2) 95 %
    # ellipse is the 95 % ellipse above (each level's ellipse holds its share of the samples)
    impact_cov_en_m2: np.ndarray
    sample_impact_lat_deg: np.ndarray  # (K, S), NaN for samples that did not impact
    sample_impact_lon_deg: np.ndarray  # (K, S)
    zone_probs: tuple[dict[str, float], ...]  # (K,) dicts
    verdict_kind: np.ndarray  # (K,) str: the most probable zone kind
    verdict_country: np.ndarray  # (K,) str ISO3 or ""
    path_t_s: np.ndarray  # (P,)
    path_lat_deg: np.ndarray  # (K, S, P)
    path_lon_deg: np.ndarray  # (K, S, P)
    path_h_m: np.ndarray  # (K, S, P)
    apogee_m: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (K,) predicted/observed
    range_class: tuple[str, ...] = ()  # (K,) SRBM/MRBM/IRBM/ICBM of the predicted range
    range_class_prob: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (K,)
    capability_range_m: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (K,) median
    impact_fraction: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (K,) samples
    boost_prob: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (K,) still boosting
    lift_to_drag: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (K,) mean flown
    lift_sigma: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (K,) its spread
    #: (K, S) bool: the sample flew a remaining burn (:mod:`.burn`); empty: not recorded
    sample_burning: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), bool))

    @property
    def n_tracks(self) -> int:
        return int(self.track_id.size)

    def time(self, t_s: float) -> datetime:
        """Absolute time of ``t_s`` seconds after the epoch."""
        return self.epoch + timedelta(seconds=float(t_s))

    def ellipse_polygon(self, k: int, level: float = 0.95, n: int = 72) -> np.ndarray:
        """(n, 2) lon/lat (deg) vertices of track ``k``'s impact ellipse at ``level``, the
        longitudes within 180 of the impact's (one ring also across the antimeridian: they may
        leave [-180, 180] by the ellipse's own extent; :func:`~launchwatch.earth.geodesy.
        wrap_lon_deg` for formats that require the range)."""
        from ..earth import geodesy

        j = ELLIPSE_LEVELS.index(level)
        a = float(self.ellipse_semi_major_m[k, j])
        b = float(self.ellipse_semi_minor_m[k, j])
        th = np.linspace(0.0, 2.0 * np.pi, n, endpoint=False)
        rot = np.radians(self.ellipse_orientation_deg[k])
        # along-major (x) and along-minor (y) -> north/east offsets
        x, y = a * np.cos(th), b * np.sin(th)
        north = x * np.cos(rot) - y * np.sin(rot)
        east = x * np.sin(rot) + y * np.cos(rot)
        az = np.degrees(np.arctan2(east, north))
        dist = np.hypot(east, north)
        lat0 = np.full(n, self.impact_lat_deg[k])
        lon0 = np.full(n, self.impact_lon_deg[k])
        lat, lon = geodesy.direct(lat0, lon0, az, dist)[:2]
        lon = geodesy.unwrap_lon_deg(lon, float(self.impact_lon_deg[k]))
        return np.stack([lon, lat], axis=1)
