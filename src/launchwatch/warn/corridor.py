"""The early "launch corridor" threat of a boosting track, before its ballistic prediction means
anything.

While a missile's motor burns, the ballistic prediction of its track (what
:class:`.threat.ThreatModel` judges) is only a lower bound on the range: a Hwasong-12's reaches
Hokkaido only near burnout, ~85 s after launch. The corridor answers the question a warning
officer asks at +40-60 s instead: *from this launch point, on this heading, with this
climb, where can the missile still go, and which areas does that cross?*

* **Launch point** -- the IR cue: each space-based infrared detection (az/el from GEO) is a line
  of sight, intersected with the ellipsoid raised by :data:`IR_CUE_HEIGHT_M` (a plume is first
  seen above ~8 km; from GEO at ~45 deg incidence a 1 km height error moves the point ~1 km).
  The earliest IR ground point within :data:`ASSOC_KM` of the track's first ground point is the
  cue; the template's climb through the IR floor comes within a revisit before it -- or, when a
  scan saw several plumes there (a salvo: the cue may be an earlier missile's), any time after
  it (:func:`several_plumes`). The plume's height at first sight is not known (a late cue
  comes from 40-50 km, and its parallax at 15 km moves it tens of km, nearer another site),
  so the candidate launch points are the catalog sites within :data:`SITE_KM` of the cue's
  whole line of sight between the IR floor and :data:`CUE_H_MAX_M`; the fan is matched from
  each, every template also weighed by how well it passes through the track's early IR lines
  of sight at their times and by how well its geodesic runs along the track's direction of
  motion (:func:`heading_term`: a salvo fired by turns from two nearby sites mixes their
  plumes, not their headings), and the site of the largest marginal likelihood is the launch
  point (none near: the cue itself). Without an IR cue: the launch-point estimate of
  :mod:`launchwatch.assess.launch_point` from the track's first estimate (then the site
  nearest to it within :data:`SITE_KM`, else the estimate itself).
* **Heading** -- the bearing from the launch point to the track's current ground point (the
  ground track of a boost is a great circle from the pad to well under a degree); its sigma from
  the track's position uncertainty over that distance (floor :data:`AZ_SIGMA_FLOOR_DEG`).
  A candidate site still within :data:`MIN_BASELINE_M` of that point gives no bearing: it is
  flown along the track's own direction of motion with that direction's sigma, and if it wins
  while the direction is unknown the corridor waits.
* **Fan** -- generic one-stage boosts (:func:`launchwatch.flight.vehicles.generic_boost`; burn
  times :data:`FAN_BURN_S`, pitch-over angles :data:`FAN_KICK_RAD`, thrust scales
  :data:`FAN_THRUST_SCALE`) *and* the multi-stage generic boosts of the boost catalog
  (:func:`launchwatch.flight.boosts.load_boosts`: liquid and solid, two and three stages, with
  their staging and burn times), each at :data:`FAN_STAGED_SCALES` thrust scales spanning the
  range bands of its classes (:data:`launchwatch.flight.classes.RANGE_CLASSES`: MRBM-IRBM
  boosts from 1,000 to 5,500 km, ICBM ones from 5,500 to :data:`FAN_ICBM_MAX_KM`), flown once
  per launch point and whole-degree azimuth by the flight core to impact (J2, rotating Earth,
  USSA-1976, drag).  A one-stage template cannot follow a staged flight: after the first
  stage burns out the thrust drops and the speed climbs again on the next stage, so a matched
  one-stage template either has burnt out (dropped as "coasting") or burns on at the wrong
  acceleration. Each template is matched where it first
  climbs through the track's height: Gaussian in speed, flight-path angle and downrange from the
  launch point (the track's own sigma plus template-scatter floors). Only templates *still
  burning* there are kept: they are the continuations the ballistic prediction does not have.
  ``n_draws`` draws by weight, each turned about the launch point by its own heading error, are
  flown on from the match in scenario time; :class:`.threat.ThreatModel` judges them exactly as
  it judges the ballistic samples (same areas, densification, entry/exit times).
* **Blend, then hand-over** -- per track, ``P = b * P_fan + (1 - b) * P_ballistic`` with ``b``
  the tracker's boost-model probability (the largest over the last :data:`BOOST_WINDOW_S`, so a
  momentary flicker of the filter does not drop a warning); once the track has burnt out ``b``
  falls to 0 and the ballistic prediction alone decides (the existing lifecycle, which keeps or
  cancels). The ballistic 95 % ellipse is not used while ``b`` is above the policy's gate.

* **IR burn evidence** (with the IR sensors known, :meth:`Corridor.set_ir_sensors`) -- ``b`` is
  1 from a plume on the track (from the last scan before its first radar row on,
  :data:`PLUME_LOOKBACK_REVISITS`); every scan read since (its detections
  :data:`IR_READ_LAG_S` old) that saw nothing where the track was weighs the odds of a burning
  motor by ``1 - Pd``, ``Pd`` the IR model's (:func:`launchwatch.sense.infrared.plume_pd`),
  against the radar's prior odds: the matched fan's share of templates still burning at the
  track's height among all that reach it (the speed change over the last rows tells a burning
  motor from a coasting body; every template equally likely a priori).  A motor burnt out
  since the last plume looks
  like one still burning to the fan, so an area that only a burning motor puts above
  ``p_issue`` waits for the next scan (again after a held scan that saw the plume) when the
  judgement after its read still comes within :data:`FIRST_WARNING_S` of the launch.

* **Before any radar track** -- the IR detections no confirmed radar track owns yet are judged
  alone, at each IR scan read, as pseudo-tracks (:mod:`.corridor_ir`, ``cues``): a radar track
  whose IR cue is in one joins its warning thread.

Feed it the tracker's rows and the IR detections as they come (:meth:`Corridor.feed`); it uses
only rows no later than the assessment it judges. Positions ECEF metres; times s after the
scenario epoch; angles in degrees where the name says ``_deg``.
"""

from __future__ import annotations

import functools
import warnings
from datetime import datetime
from typing import Protocol

import numpy as np
from scipy.special import ndtri

from ..assess.assessment import ELLIPSE_LEVELS, Assessment
from ..assess.burn import BOOST_HEADING_FACTOR
from ..assess.launch_point import estimate_launch
from ..earth import frames, geodesy
from ..earth.arrays import read_only
from ..earth.constants import A_M, B_M
from ..flight.boosts import load_boosts
from ..flight.catalog import load_sites
from ..flight.classes import RANGE_CLASSES
from ..flight.propagate import make_controls, propagate
from ..flight.vehicles import generic_boost
from ..sense.infrared import plume_pd
from ..sense.scenario import in_outage

__all__ = [
    "Corridor",
    "burn_posterior",
    "ir_ground_points",
    "fan",
    "FAN_BURN_S",
    "FAN_KICK_RAD",
    "FAN_THRUST_SCALE",
]

#: Fan of generic boosts (estimates spanning SRBM to ICBM boosts): burn times (s), pitch-over
#: angles (rad from vertical), thrust scales.  At thrust x0.6 the 30-60 s burns end at 2.0-2.1
#: km/s at the least (a minimum-energy range of ~450 km): with it the lowest, an SRBM or KN-25
#: of 300-450 km after burnout matched no burnt-out template and read as a long burner still
#: burning (a salvo's SRBM at 24 km and 1.5 km/s: radar odds 0.998 of a burn, Hokkaido
#: warned); x0.5 and x0.4 end at 1.6-1.7 and 1.1-1.3 km/s, below the band's 300 km
#: (docs/measurements.md; longer burns at these thrusts do not lift off).  A 20 s family (the
#: KN-25's catalog estimate) was tried before these: on dense-salvos seeds 1-2 it took 2 false
#: areas off one KN-25 salvo, and it tipped the IRBM with two missed scans
#: (``irbm-sunan-missed-scans``) from +51.9 s to +71.9 s.
FAN_BURN_S = (30.0, 45.0, 60.0, 85.0, 120.0, 180.0, 250.0)
FAN_KICK_RAD = tuple(np.linspace(0.03, 0.9, 12))
FAN_THRUST_SCALE = (0.4, 0.5, 0.6, 0.8, 1.0, 1.25, 1.5, 1.75, 2.0)
#: Thrust scales per multi-stage catalog boost (log-spaced over its classes' range bands).
FAN_STAGED_SCALES = 5
#: Upper end (km) of the ICBM band the fan spans (estimate: the longest public ICBM reach,
#: Hwasong-17/18 class, ~13,000-15,000 km).
FAN_ICBM_MAX_KM = 15000.0
#: Template time grid: 1 s through the boost (for the match), 10 s after (the flown-on paths).
T_FINE = np.arange(0.0, 400.0, 1.0)
_T_COARSE = np.arange(400.0, 3000.0 + 1.0, 10.0)
#: Height (m) at which an IR line of sight is put on the ground: plumes are first seen above
#: ~8 km (sense/infrared.py); the first cues of a launch come from 8-30 km.
IR_CUE_HEIGHT_M = 15e3
#: An IR cue belongs to a track when its ground point is within this of the track's first
#: ground point (km) and not later than the track's first row + ``ASSOC_LAG_S``.
ASSOC_KM = 150.0
ASSOC_LAG_S = 20.0
#: An IR detection lies on a track when within this (km) of it, plus this (km/s) per second the
#: track's row is carried by its velocity to the detection's time, both at the track's height
#: (:func:`_burn_gate_m`).  Measured by ``scripts/plume_gate.py`` (the corridor's own miss,
#: truth-labelled, on 33 simulated engagements: japan-overflights seeds 1-2, regional-2019-2025
#: seed 1, dense-salvos seed 2 engagements 0-3, the shipped crossing salvo): a track's own plumes
#: missed it by 1.7-2.5 km (median), 4.4-7.1 km (99 %), at most 7.8 km carried 8.6 s back before
#: its first row; another missile's of a salvo, seconds apart from the same or a nearby site, by
#: 9.3 km (1 %), 18 km (5 %), 37 km (median).  At the 40 km once used, a burnt-out SRBM read as
#: burning on a neighbour's plume, was matched to slow long-burn templates and warned Japan.
ASSOC_BURN_KM = 6.0
ASSOC_BURN_KM_S = 0.35
#: A radar update after the last IR plume with a boost-model probability below this: the filter
#: is sure of coasting (burnt out; on a climbing track still gaining speed with no missed IR
#: scan, the radar's word that the fan's match weighs, :meth:`Corridor.blend`).
COAST_BOOST_PROB = 0.05
#: A catalog site within this (km) of the cue (or launch estimate) is a candidate launch point.
SITE_KM = 40.0
#: The first cue's line of sight is put on the ground at heights from the IR floor up to this
#: (m) to find the candidate sites: the plume's height at first sight is not known (a cue at
#: +46 s comes from ~45 km, and at the fixed 15 km its ground point is ~30 km off the pad).
CUE_H_MAX_M = 100e3
#: At most this many candidate sites (the nearest to that line) are weighed per track.
MAX_SITES = 4
#: A candidate site whose share of the evidence (its marginal likelihood over all candidates)
#: falls below this is not weighed again for that track: each site costs one fan per heading
#: (0.2 s of CPU), and the lines of sight that separate the sites do not change once seen.
#: Estimate: at 1e-6 a dropped site would need a million-fold swing in the fan match to win.
SITE_DROP_SHARE = 1e-6
#: Miss (m) of an IR line of sight from a fan template's position at the detection's time:
#: the sensor's line-of-sight noise (25 urad at ~37,000 km, ~1 km) and the template grid's
#: scatter about the flight once matched at the track's height (estimate: the same order as
#: the match's downrange floor, :data:`SIGMA_RANGE_M`, over the shorter run back to the cue).
SIGMA_LOS_M = 8e3
#: A line of sight missing by more than this many sigma counts as this many (a false alarm or
#: another missile's plume must not rule a site out on its own).
LOS_CAP_SIGMA = 4.0
#: Template-scatter floors of the match: speed (m/s), flight-path angle (rad), downrange (m).
SIGMA_SPEED_M_S = 150.0
SIGMA_GAMMA_RAD = np.radians(5.0)
SIGMA_RANGE_M = 15e3
#: Slack (s) of the IR-timing match (scan jitter, the track's height error).
SIGMA_CUE_S = 3.0
#: Speed-change match: baseline (s) between the two rows, floor of its sigma (m/s).
ACCEL_BASE_S = 3.0
SIGMA_DV_M_S = 40.0
#: Heading sigma floor (deg); the heading needs the track this far from the launch point (m).
AZ_SIGMA_FLOOR_DEG = 0.7
#: Floor (deg) of the spread between a boosting track's ground-track direction (its Earth-
#: relative velocity's azimuth) and the geodesic from a candidate site through its ground point
#: (estimate: the fan's whole-degree headings, the Coriolis turn of a 1-2 km/s climb over its
#: first minute, ~0.3 deg, and yaw steering the templates do not fly).  A site ~25 km beside
#: the true pad (Sukchon and Sunan) puts the track's point 30-60 deg off its direction of
#: motion in the first minute: the direction tells the sites apart where a salvo's plumes,
#: seconds apart from both, do not.
SIGMA_TRACK_AZ_DEG = 3.0
MIN_BASELINE_M = 8e3
#: A plume on a track counts from this many IR revisits before the track's first row (the last
#: scan before the radar saw it; its line of sight within :data:`ASSOC_BURN_KM` of the track
#: carried back by its velocity).
PLUME_LOOKBACK_REVISITS = 1.0
#: Window (s) over which the largest boost-model probability of a track is taken.
BOOST_WINDOW_S = 12.0
#: Flown-on path step (s), as the assessment's.
PATH_DT_S = 10.0
#: Seconds after an IR scan before its detections are taken as all in, so that a scan with no
#: plume on a track counts as a miss: the chain's reorder window (``pipeline.feed``, 2 s).
IR_READ_LAG_S = 2.0
#: A track the IR says has burnt out is judged on its coasting samples only when at least this
#: many (:meth:`Corridor.burnt_out`): the binomial standard error of an overflight probability
#: at the policy's issue level (0.10) from n samples is sqrt(0.09 / n), a third of that level at
#: n = 81; the assessor flies a young track's samples on a remaining burn by the tracker's boost
#: probability, so a track it still holds boosting has few coasting ones (1-6 of 300 measured).
MIN_COAST_SAMPLES = 100
#: Issue 12's first-warning target (s after launch): a corridor warning that only a still-burning
#: motor makes waits for the IR scan that tests the burn when that scan is read by then.
FIRST_WARNING_S = 60.0


def ir_lines_of_sight(det: np.ndarray):
    """Lines of sight of IR detections: ``(sensor ECEF (n, 3) m, unit direction ECEF (n, 3))``
    from the az/el in the satellite's ENU frame (``z[:, :2]``)."""
    s = np.asarray(det["sensor_ecef_m"], float).reshape(-1, 3)
    z = np.asarray(det["z"], float).reshape(-1, 4)
    if s.shape[0] == 0:
        return s, np.zeros((0, 3))
    lat, lon, _ = frames.ecef_to_geodetic(s)
    enu = frames.enu_matrix(lat, lon)  # (n, 3, 3) rows east, north, up
    az, el = z[:, 0], z[:, 1]
    d_enu = np.stack([np.cos(el) * np.sin(az), np.cos(el) * np.cos(az), np.sin(el)], axis=-1)
    return s, np.einsum("nji,nj->ni", enu, d_enu)  # ENU -> ECEF (transpose)


def ir_ground_points(det: np.ndarray, h_m: float | np.ndarray = IR_CUE_HEIGHT_M):
    """Ground points (lat, lon deg, (n,)) of IR detections: each line of sight (az/el in the
    satellite's ENU frame, ``z[:, :2]``) intersected with the ellipsoid raised by ``h_m`` (m,
    scalar or per detection; NaN where it misses)."""
    s, u = ir_lines_of_sight(det)
    if s.shape[0] == 0:
        return np.zeros(0), np.zeros(0)
    h = np.broadcast_to(np.asarray(h_m, float), (s.shape[0],))[:, None]
    scale = 1.0 / np.concatenate([A_M + h, A_M + h, B_M + h], axis=1)
    p, q = s * scale, u * scale
    qa = np.sum(q * q, axis=1)
    qb = 2.0 * np.sum(p * q, axis=1)
    qc = np.sum(p * p, axis=1) - 1.0
    disc = qb * qb - 4.0 * qa * qc
    with np.errstate(invalid="ignore"):
        t = (-qb - np.sqrt(disc)) / (2.0 * qa)
    t = np.where((disc >= 0) & (t > 0), t, np.nan)
    g_lat, g_lon, _ = frames.ecef_to_geodetic(s + t[:, None] * u)
    return np.degrees(g_lat), np.degrees(g_lon)


def _band_km(classes) -> tuple[float, float]:
    """Range band (km) of a set of range classes (:data:`RANGE_CLASSES`; SRBM from 300 km,
    ICBM up to :data:`FAN_ICBM_MAX_KM`)."""
    lo, hi, prev = np.inf, 0.0, 300.0
    for limit, name in RANGE_CLASSES:
        if name in classes:
            lo, hi = min(lo, prev), max(hi, min(limit, FAN_ICBM_MAX_KM))
        prev = limit
    return lo, hi


@functools.lru_cache(maxsize=1)
def staged_templates():
    """The fan's multi-stage members: ``[(name, vehicle model, thrust scales (n,), total burn
    s)]``, one per catalog boost, its thrust scales log-spaced from the scale that reaches the
    low end of its classes' band to the one that reaches the high end (minimum-energy arcs,
    :meth:`launchwatch.flight.boosts.Boost.thrust_scale_bounds`; x0.85 / x1.15 margins for
    the steering the kicks add)."""
    out = []
    for b in load_boosts():
        lo_km, hi_km = _band_km(b.classes)
        g_lo = b.thrust_scale_bounds(lo_km * 1e3, None)[0] / 0.5
        g_hi = b.thrust_scale_bounds(hi_km * 1e3, None)[0] / 0.5
        scales = np.geomspace(0.85 * g_lo, 1.15 * g_hi, FAN_STAGED_SCALES)
        read_only(scales)  # cached: shared by every caller
        out.append((b.name, b.model(), scales, b.total_burn_s))
    return tuple(out)


@functools.lru_cache(maxsize=1)
def _fan_members():
    """The fan's members, built once: ``((vehicle model, kicks (n,) rad, thrust scales (n,),
    burn time s), ...)``, a generic boost per burn time (every kick at every thrust scale),
    then the catalog's multi-stage boosts (:func:`staged_templates`).  Building the generic
    boosts' models at every fan was a tenth of its CPU."""
    kick, scale = np.meshgrid(FAN_KICK_RAD, FAN_THRUST_SCALE)
    members = [(generic_boost(b), kick.ravel(), scale.ravel(), b) for b in FAN_BURN_S]
    for _, model, scales, total in staged_templates():
        k2, s2 = np.meshgrid(FAN_KICK_RAD, scales)
        members.append((model, k2.ravel(), s2.ravel(), total))
    for _, k, sc, _ in members:
        read_only(k, sc)  # cached: shared by every caller
    return tuple(members)


class FineKinematics:
    """Earth-relative speed (m/s, ``what="speed"``) or flight-path angle (rad, ``"gamma"``) of
    a fan's templates on the fine grid, a (J, F) table computed where read (:meth:`at`), or
    whole (:meth:`table`, kept): a match reads a few points of each template.  From the ECEF
    positions (J, >= F, 3) m and velocities (J, F, 3) m/s, the floats of the whole table."""

    def __init__(self, pos: np.ndarray, vel: np.ndarray, what: str):
        if what not in ("speed", "gamma"):
            raise ValueError(f"what must be 'speed' or 'gamma', got {what!r}")
        self.pos, self.vel, self.what = pos, vel, what
        self.shape: tuple[int, int] = (int(vel.shape[0]), int(vel.shape[1]))
        self._table: np.ndarray | None = None

    def at(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """The speeds or angles at points ``(rows, cols)`` (integer arrays, broadcast)."""
        if self._table is not None:
            out_t: np.ndarray = self._table[rows, cols]
            return out_t
        return _speed_gamma(self.pos[rows, cols], self.vel[rows, cols], self.what)

    def table(self) -> np.ndarray:
        """The whole (J, F) table, computed once."""
        if self._table is None:
            t = _speed_gamma(self.pos[:, : self.shape[1]], self.vel, self.what)
            t.flags.writeable = False
            self._table = t
        return self._table


def _speed_gamma(pos: np.ndarray, vel: np.ndarray, what: str) -> np.ndarray:
    """Speed (m/s, ``what="speed"``) or flight-path angle (rad, ``"gamma"``; against the
    geocentric radial) of ECEF states: positions, velocities (..., 3)."""
    # norms and the radial speed by components: the floats of np.linalg.norm and np.sum
    # (the same products summed in the same order) without their temporaries
    vx, vy, vz = vel[..., 0], vel[..., 1], vel[..., 2]
    speed = np.sqrt(vx * vx + vy * vy + vz * vz)
    if what == "speed":
        return speed
    x, y, z = pos[..., 0], pos[..., 1], pos[..., 2]
    r = np.sqrt(x * x + y * y + z * z)
    v_up = (x / r) * vx + (y / r) * vy + (z / r) * vz
    gamma: np.ndarray = np.arcsin(np.clip(v_up / np.maximum(speed, 1e-9), -1.0, 1.0))
    return gamma


def _latlon_deg(pos: np.ndarray, rows: np.ndarray, cols: np.ndarray):
    """Geodetic latitude and longitude (deg) of ``pos[rows, cols]`` (ECEF m)."""
    lat, lon, _ = frames.ecef_to_geodetic(pos[rows, cols])
    return np.degrees(lat), np.degrees(lon)


#: Fans kept in memory (~24 MB each): ``tests/warn/test_chain.py`` in one process asks for 625
#: fans, 277 distinct; replayed, 64 entries fly 55 of them again after eviction, 96 one
#: (docs/measurements.md), at the memory 64 fans took while each held (J, T, 6) states.
FAN_CACHE_SIZE = 96


@functools.lru_cache(maxsize=FAN_CACHE_SIZE)
def fan(lat_deg: float, lon_deg: float, az_deg: float):
    """The template fan from a launch point on an azimuth (deg), flown to impact.

    Returns ``(times, ecef, h, d, speed, gamma, burn, t_impact, impact)``: the time grid (T,) s
    since lift-off, ECEF positions (J, T, 3) m (NaN after impact); on the fine grid only
    (``T_FINE``, the first F of the T times): geodetic height (J, F) m, and computed where
    read (``.at(rows, cols)``) or whole (``.table()``): downrange from the launch point (J, F) m
    (a :class:`~launchwatch.earth.geodesy.PathDistances`), Earth-relative speed (J, F) m/s and
    flight-path angle (J, F) rad (:class:`FineKinematics`);
    burn time (J,) s, impact time (J,) s (NaN: still flying at the grid's end) and impact point
    (J, 3) ECEF m."""
    times = np.concatenate([T_FINE, _T_COARSE])
    nf = T_FINE.size
    # (vehicle, kicks, thrust scales, burn time s): one propagate call each, all its kicks
    # and scales at once
    members = _fan_members()
    n_j = sum(k.size for _, k, _, _ in members)
    # kept: positions on the whole grid (the flown-on paths), velocities on the fine grid only
    # (the match); not the coarse grid's velocities (half the cached memory)
    pos = np.empty((n_j, times.size, 3))
    vel = np.empty((n_j, nf, 3))
    burns, t_imp, imp = np.empty(n_j), np.empty(n_j), np.empty((n_j, 3))
    lo = 0
    for vehicle, k, sc, burn in members:
        tr = propagate(
            vehicle,
            lat_deg,
            lon_deg,
            az_deg,
            make_controls(k.size, kick_rad=k, thrust_scale=sc),
            sample_times_s=times,
            t_max_s=float(times[-1]),
        )
        hi = lo + k.size
        # tr.samples_ecef() and tr.impact_ecef (the same floats), written where kept: no
        # whole states array to copy from, no impact velocities
        assert tr.omega_rad_s != 0.0 and tr.samples_eci is not None
        frames.eci_states_to_ecef_parts(tr.samples_eci, times, pos[lo:hi], vel[lo:hi])
        imp[lo:hi] = frames.eci_to_ecef(tr.impact_eci[:, :3], tr.t_impact_s)
        burns[lo:hi], t_imp[lo:hi] = burn, tr.t_impact_s
        lo = hi
    # the matching reads heights (the whole table: each template's first climb through the
    # track's height) and, at the points around that climb, downranges, speeds and angles on
    # the fine grid only; the coarse grid's positions fly the continuations on.  Heights only
    # where the template still flies (a third of the points have impacted, and the NaN there
    # cost the transcendental functions their slow paths)
    fine = pos[:, :nf]
    ok = np.isfinite(fine[..., 0]) & np.isfinite(fine[..., 1]) & np.isfinite(fine[..., 2])
    h = frames.ecef_to_height(fine, where=ok)
    # geodesics only where the template still flies; exact every 16 s of the climb, within
    # 2 cm between (geodesy.distances_from): a quarter of the exact geodesic's CPU per point.
    # Computed where read (geodesy.PathDistances, the same floats): a match reads two points
    # of each template, and the whole table (a quarter of a fan's CPU) only an IR-only fit;
    # so are the latitudes and longitudes of those points
    d = geodesy.PathDistances.of_points(
        lat_deg, lon_deg, functools.partial(_latlon_deg, pos), ok, every=16
    )
    read_only(times, pos, vel, h, burns, t_imp, imp)  # cached: shared by every caller
    speed, gamma = FineKinematics(pos, vel, "speed"), FineKinematics(pos, vel, "gamma")
    return (times, pos, h, d, speed, gamma, burns, t_imp, imp)


class Corridor:
    """Early threat of boosting tracks (module docstring); the ``early`` of a
    :class:`~.policy.WarningPolicy`.

    ``p_issue``: the overflight probability at which the corridor of a boosting track issues a
    warning (higher than the ballistic prediction's: its spread is the unknown rest of the burn).
    Set at 0.6 from ``scripts/warn_tradeoff.py`` over the shipped and history scenarios
    (docs/measurements.md): 0.3 warned Hokkaido beside the 2022-10-04 Aomori shot; 0.4-0.6 gave the
    same first warnings (48-60 s) with no false area; 0.7 cost 4 s on two flights.  0.6 keeps a
    margin above the false areas measured at 0.38-0.54; ``n_draws`` continuations per track; ``min_weight``: a
    fan whose best template matches worse than this (likelihood relative to a perfect match) is
    not used; ``ir_revisit_s`` / ``ir_min_height_m``: the IR sensor's revisit and the height
    above which it sees a plume (without a revisit, IR timing is not used).
    """

    def __init__(
        self,
        *,
        p_issue: float = 0.6,
        n_draws: int = 400,
        seed: int = 0,
        boost_index: int = 1,
        min_weight: float = 1e-3,
        ir_revisit_s: float | None = None,
        ir_min_height_m: float = 8e3,
        ir_only: bool = True,
        ir_p_issue: float | None = None,
    ):
        if n_draws < 1:
            raise ValueError("n_draws must be >= 1")
        if not 0.0 < p_issue <= 1.0:
            raise ValueError("p_issue must be in (0, 1]")
        self.p_issue = float(p_issue)
        if ir_revisit_s is not None and not ir_revisit_s > 0:
            raise ValueError("ir_revisit_s must be > 0")
        self.ir_revisit_s = None if ir_revisit_s is None else float(ir_revisit_s)
        self.ir_min_height_m = float(ir_min_height_m)
        self.ir_sensors: dict = {}  # name -> IR sensor (sense.sensors.IRSensor): scans and Pd
        self.ir_outages: dict[str, list[tuple[float, float]]] = {}  # name -> out of service
        self._prev_t: float | None = None  # time of the previous judgement (the cadence)
        self._held: dict[int, float] = {}  # track -> when the scan its warning waits for is read
        self.n_draws, self.boost_index = int(n_draws), int(boost_index)
        self.min_weight = float(min_weight)
        self.rng = np.random.default_rng(seed)
        self._rows: list[np.ndarray] = []
        self._ir: list[np.ndarray] = []
        self._cache_rows = None
        self._cache_ir = None
        self._launch: dict[int, tuple[float, float, str, float]] = {}
        self._sites: dict[int, list[tuple[float, float, str]]] = {}  # track -> candidate sites
        self._los: dict[int, np.ndarray | None] = {}  # track -> its early IR detections
        self._cue_shared: dict[int, bool] = {}  # track -> its cue may be another missile's
        self._dropped: dict[int, set[str]] = {}  # track -> sites no longer weighed
        self.last: dict[int, dict] = {}  # track -> what the corridor saw at its last judgement
        sites = load_sites()
        self.site_names = list(sites)
        self.site_lat = np.array([s.lat_deg for s in sites.values()])
        self.site_lon = np.array([s.lon_deg for s in sites.values()])
        self.epoch: datetime | None = (
            None  # the scenario's epoch (datetime), for IR-only judgements
        )
        #: IR-only pseudo-tracks (:mod:`.corridor_ir`): warnings before any radar track
        self.cues = None
        if ir_only:
            from .corridor_ir import IrCues  # it builds on this module

            self.cues = IrCues(self, p_issue=ir_p_issue)

    # ----------------------------------------------------------------------------------------
    # input

    def set_ir_sensors(self, sensors, outages=None) -> None:
        """Take the IR sensors of ``sensors`` (any sensor list; kind ``"ir"`` kept): their
        longest revisit and lowest plume floor (the IR timing of the match), and per sensor its
        scan period and detection model (:func:`launchwatch.sense.infrared.plume_pd`), so that a
        scan that saw no plume where the track is counts against a still-burning motor.
        ``outages``: sensor name -> ``[(start s, end s)]`` when it was out of service (the
        sensors' status, :func:`launchwatch.sense.scenario.outage_windows`): it made no scan
        then, so its silence is no evidence of a burnout (:meth:`scans`)."""
        ir = [s for s in sensors if getattr(s, "kind", "") == "ir"]
        self.ir_sensors = {str(s.name): s for s in ir}
        self.ir_outages = {
            str(n): [(float(a), float(b)) for a, b in w]
            for n, w in (outages or {}).items()
            if str(n) in self.ir_sensors
        }
        if ir:
            self.ir_revisit_s = max(float(s.revisit_s) for s in ir)
            self.ir_min_height_m = min(float(s.min_target_altitude_km) for s in ir) * 1e3
        else:
            self.ir_revisit_s, self.ir_min_height_m = None, 8e3

    def feed(self, track_rows=None, ir_detections=None) -> None:
        """Tracker history rows (:func:`launchwatch.track.history.history_dtype`) and IR
        detection records (kind ``ir``) as they arrive; any order, repeats are harmless."""
        if track_rows is not None and np.size(track_rows):
            self._rows.append(np.asarray(track_rows))
            self._cache_rows = None
        if ir_detections is not None and np.size(ir_detections):
            det = np.asarray(ir_detections)
            self._ir.append(det[det["kind"] == "ir"])
            self._cache_ir = None

    def replace(self, track_rows=None, ir_detections=None) -> None:
        """Start the inputs over with these (as :meth:`feed`): a live node hands the corridor
        its whole tracker history and fused IR detections at each assessment."""
        self._rows, self._ir = [], []
        self._cache_rows = self._cache_ir = None
        self.feed(track_rows, ir_detections)

    def all_rows(self):
        if self._cache_rows is None and self._rows:
            rows = np.concatenate(self._rows)  # tentative rows too: see :meth:`blend`
            self._cache_rows = rows[np.lexsort((rows["t_s"], rows["track_id"]))]
        return self._cache_rows

    def ir_det(self) -> np.ndarray | None:
        """Every IR detection fed so far, time-ordered (the order of :meth:`all_ir`)."""
        if not self._ir:
            return None
        det = np.concatenate(self._ir)
        return det[np.argsort(det["t_s"], kind="stable")]

    @property
    def has_ir(self) -> bool:
        """Whether any IR detection was fed."""
        return bool(self._ir)

    def all_ir(self):
        if self._cache_ir is None and self._ir:
            det = np.concatenate(self._ir)
            det = det[np.argsort(det["t_s"], kind="stable")]
            lat, lon = ir_ground_points(det)
            self._cache_ir = (det["t_s"].astype(float), lat, lon)
        return self._cache_ir

    # ----------------------------------------------------------------------------------------
    # the policy's hooks

    def judges(self, a: Assessment, k: int) -> bool:
        """Whether the corridor judged track ``k`` of ``a`` in the last :meth:`blend`."""
        info = self.last.get(int(a.track_id[k]))
        return bool(info and info["t_s"] == float(a.t_s) and info["used"])

    def burnt_out(self, a: Assessment, k: int, gate: float) -> bool:
        """Whether the IR says track ``k`` of ``a`` has burnt out, so that its ballistic
        prediction -- on its coasting samples (:meth:`_burnt_out`) -- may judge it although the
        tracker's boost model still says "boosting" (it lags a burnout by several updates:
        the speed must first stop growing).  The corridor's burn probability at the last
        :meth:`blend` is at most ``gate`` (the policy's, as it asks of the tracker) and rests
        on evidence, not on silence: a scan read since the last plume that could have seen a
        burning plume saw none (``Pd > 0``, outages excepted, :meth:`scans`), or the filter
        was sure of coasting after it; and the assessment flew at least
        :data:`MIN_COAST_SAMPLES` of its samples without a remaining burn."""
        info = self.last.get(int(a.track_id[k]))
        if not info or info["t_s"] != float(a.t_s) or info["used"]:
            return False
        if not (info.get("coasting_after_ir") or info.get("ir_missed")):
            return False
        if not info.get("b", 1.0) <= gate:
            return False
        burning = _sample_burning(a)
        n_coast = int((~burning[k]).sum()) if burning is not None else np.shape(a.path_lat_deg)[1]
        info["coasting_samples"] = n_coast
        return n_coast >= MIN_COAST_SAMPLES

    def blend(self, a: Assessment, th: dict, boost, model) -> dict:
        """``th`` (the ballistic threat of ``a``, (K, A) arrays) blended with the corridor of
        every track that may still be boosting (module docstring)."""
        rows = self.all_rows()
        t = float(a.t_s)
        prev, self._prev_t = self._prev_t, t
        cadence = t - prev if prev is not None and t > prev else 0.0
        if rows is None or a.n_tracks == 0:
            return th
        ks, fans, out_ks, mines = [], [], [], {}
        for k, tid in enumerate(np.asarray(a.track_id).astype(int)):
            # every row of a confirmed track, also those from before it was confirmed: live, the
            # tracker had them (a track confirmed on its third detection has a heading and a
            # speed change at once, not only after two more confirmed updates)
            mine = rows[(rows["track_id"] == tid) & (rows["t_s"] <= t + 1e-6)]
            info = {"t_s": t, "used": False, "b": 0.0}
            self.last[int(tid)] = info
            if mine.size == 0 or not mine["confirmed"].any():
                continue
            b = self.burning(int(tid), mine, t, info)
            info["b"] = b
            if info.get("ir_out"):
                out_ks.append(k)
            # scans missed since the last plume, or a filter sure of coasting since
            missed = 0.0 < info.get("ir_lr", 1.0) < 1.0 or bool(info.get("radar_coasting"))
            if b <= 0.02 and not missed:
                continue
            draws = self._continuations(int(tid), mine, t, info)
            if info.get("radar_coasting") and (draws is None or "p_radar" not in info):
                info["b"] = 0.0  # no fan to weigh the filter's word: it stands
            if draws is None:
                continue
            if (missed or (self.ir_sensors and b > 0.0)) and "p_radar" in info:
                # the radar's odds that the motor burns since the last plume, weighed by the
                # scans read since that missed it (none: the odds alone)
                b = info["b"] = burn_posterior(info["p_radar"], info.get("ir_lr", 1.0))
                if b <= 0.02:
                    continue
            info["used"] = True
            mines[k] = mine
            ks.append(k)
            fans.append(draws)
        th = self._burnt_out(a, th, model, out_ks)
        if not ks:
            return th
        fan_a = pseudo_assessment(
            a,
            [f[0] for f in fans],
            [f[1] for f in fans],
            [f[2] for f in fans],
            [f[3] for f in fans],
        )
        fth = model.threat(fan_a)
        out = {n: np.array(v, copy=True) for n, v in th.items()}
        out.setdefault("p_issue", np.full(a.n_tracks, np.nan))
        for j, k in enumerate(ks):
            b = self.last[int(a.track_id[k])]["b"]
            for n in ("p_over", "p_fall"):
                out[n][k] = b * fth[n][j] + (1.0 - b) * th[n][k]
            for n in ("t_entry_s", "t_exit_s"):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)
                    fn = np.fmin if n == "t_entry_s" else np.fmax
                    out[n][k] = fn(th[n][k], fth[n][j])
            out["ellipse"][k] = False
            out["p_issue"][k] = self.p_issue
        held = [k for k in ks if self.ir_sensors and np.any(out["p_over"][k] >= self.p_issue)]
        if held:
            # the burnt-out hypothesis: the ballistic prediction's coasting samples
            burning = _sample_burning(a)
            coast = th
            if burning is not None and burning.any():
                coast = model.threat(a, samples=~burning)
            for k in held:
                if self._hold(t, cadence, mines[k], out["p_over"][k], coast["p_over"][k]):
                    out["p_issue"][k] = np.inf  # no new area this time; open ones are kept
        return out

    def _hold(self, t: float, cadence: float, mine: np.ndarray, p_blend, p_coast) -> bool:
        """Whether a track's corridor waits before it issues: some area is at the corridor's
        ``p_issue`` only because the motor may still burn (not on ``p_coast``, the ballistic
        prediction's coasting samples: the motor burnt out at the latest), the motor's burn is
        still untested by an IR scan not yet read (:meth:`_next_read`: the first scan after
        the last one read that could see the plume) -- a motor burnt out since the last plume
        looks like one still burning (the fan has no state to tell them) and that scan
        weighs them (:meth:`_burning_scans`); once it is read the track is held again only
        if that scan saw the plume -- and the first assessment after it is read
        (the judgements' cadence) still comes within :data:`FIRST_WARNING_S` of the launch
        (the matched templates' median launch time)."""
        info = self.last[int(mine["track_id"][-1])]
        if not self.ir_sensors or not np.any(p_blend >= self.p_issue):
            return False
        if np.any(p_coast >= self.p_issue) or "t_launch_s" not in info:
            return False
        tid = int(mine["track_id"][-1])
        # the first held judgement fixes the scan it waits for (until that scan is read)
        t_read = self._held.get(tid, np.nan)
        if t >= t_read and info.get("last_plume_s", -np.inf) >= t_read - IR_READ_LAG_S - 0.5:
            # the scan it waited for saw the plume: the burn is untested again (a plume from
            # before the track's first row spent the hold at +32.9 s on an SRBM that burnt
            # out at +36.4 s, and Aomori and Akita were warned at +40.9 s)
            t_read = np.nan
        if np.isnan(t_read):
            t_read = self._next_read(mine, t)
        if not (np.isfinite(t_read) and t < t_read):
            return False
        t_issue = t + cadence * np.ceil((t_read - t) / cadence) if cadence > 0 else t_read
        info["t_read_s"] = round(t_read, 2)
        hold = bool(t_issue <= info["t_launch_s"] + FIRST_WARNING_S)
        info["hold"] = hold
        if hold:
            self._held[tid] = t_read
        return hold

    def _burnt_out(self, a: Assessment, th: dict, model, out_ks: list[int]) -> dict:
        """``th`` with the tracks ``out_ks`` -- the IR says their motor is out -- judged on
        their coasting samples only: the assessor flies a share of a young track's samples on
        a remaining burn (its boost probability, :mod:`launchwatch.assess.burn`), which the
        IR's silence rules out (measured: campaign SRBMs and KN-23s warned Aomori, Tohoku or
        Hokkaido at P 0.10-0.15 from those samples alone, 1,400-4,900 km 90th-percentile
        ranges against 470-660 km flights)."""
        burning = _sample_burning(a)
        if not out_ks or burning is None:
            return th
        out_ks = [k for k in out_ks if burning[k].any() and not burning[k].all()]
        for k in out_ks:
            self.last[int(a.track_id[k])]["coasting_samples"] = int((~burning[k]).sum())
        if not out_ks:
            return th
        coast = model.threat(a, samples=~burning)
        out = {n: np.array(v, copy=True) for n, v in th.items()}
        for n in ("p_over", "p_fall", "t_entry_s", "t_exit_s"):
            out[n][out_ks] = coast[n][out_ks]
        return out

    def burning(self, tid: int, mine: np.ndarray, t: float, info: dict) -> float:
        """Probability that the track's motor still burns at ``t``.

        With an IR cue and a known revisit: 1 when an IR detection of the last revisit (+1.5 s),
        made since the radar track began (a plume seen only before it may have burnt out just
        before the track: an SRBM's 30 s boost ends before its first radar track), lies on the
        track (its line of sight within :data:`ASSOC_BURN_KM` of the track, both
        put at the track's height) and no later radar update has the boost model below
        :data:`COAST_BOOST_PROB` (burnt out since), else 0 -- the sensor sees every burning
        plume above its floor height (pd ~0.95 a scan), so silence means burnout: then
        ``info["ir_out"]`` is set when no plume at all (since the track began or not) lies on
        the track over the last revisit, or the filter is sure of coasting after the last one
        (:meth:`_burnt_out`).  Otherwise the tracker's
        boost-model probability, the largest over the last :data:`BOOST_WINDOW_S` of the rows
        after the first two (whose model probabilities are still the filter's prior)."""
        _, _, _, t_cue = self.launch_point(tid, mine)
        ir = self.all_ir()
        if np.isfinite(t_cue) and self.ir_revisit_s is not None and ir is not None:
            conf = mine["t_s"][mine["confirmed"]]
            began = float(conf[0]) if conf.size else float(mine["t_s"][0])
            if self.ir_sensors:
                # since the track's first row, tentative ones too: the scans read since weigh
                # a plume seen before the track was confirmed (japan-overflights seed 1
                # engagement 9: a plume at +48.1 s between the first row, +40.4 s, and the
                # confirmation, +51.1 s, was dropped and the corridor waited for +58.6 s)
                # and the last scan before it: a plume seen a few seconds before the radar's
                # first row (japan-overflights seed 2: +34.2 s, +46.9 s and +39.2 s against
                # first rows at +38.9 s, +49.7 s and +49.1 s) is the same burning motor; left
                # out, the track read as burnt out until its next plume, 10-33 s later. A
                # motor that burnt out after it is still weighed by every scan read since.
                look = PLUME_LOOKBACK_REVISITS * self.ir_revisit_s
                return self._burning_scans(mine, t, float(mine["t_s"][0]) - look, info)
            t_on = self._plumes_on(mine, t, ir[0])
            info["ir_recent"] = int(np.sum(t_on >= began - 1.0))
            row = mine[-1]
            # radar after the plume: a filter sure of coasting means it has just burnt out
            coasting = bool(
                t_on.size
                and row["t_s"] > t_on.max()
                and row["mu"][self.boost_index] < COAST_BOOST_PROB
            )
            info["coasting_after_ir"] = coasting
            info["ir_out"] = coasting or t_on.size == 0
            return 1.0 if info["ir_recent"] and not coasting else 0.0
        rows = mine[2:]
        if rows.size == 0:
            return 0.0
        recent = rows[rows["t_s"] >= rows["t_s"][-1] - BOOST_WINDOW_S]
        return float(np.max(recent["mu"][:, self.boost_index]))

    def _burning_scans(self, mine: np.ndarray, t: float, began: float, info: dict) -> float:
        """:meth:`burning` from the IR sensors' scans: 0 without a plume on the track since its
        first row ``began`` (-1 s) or when a radar update after the last one has the boost model
        below :data:`COAST_BOOST_PROB` (unless the track still gains speed, below); else the
        chance that the motor that burnt at the last plume still burns given the scans read
        since (each at least :data:`IR_READ_LAG_S` old): every scan that saw nothing on the
        track weighs "still burning" by ``1 - Pd``, ``Pd`` the sensor's detection probability
        of a plume where the track was at the scan (:func:`launchwatch.sense.infrared.plume_pd`: 0 below its floor height or behind the
        Earth, so such a scan is no evidence) against 1 for "burnt out since".  Such a boost
        model on a track that climbs, gains speed by more than the change's sigma and has no
        missed scan since the plume sets ``info["radar_coasting"]``: :meth:`blend`
        then takes the burn from the fan's match (``p_radar``, the radar's odds) and the scans,
        0 when no fan weighs it."""
        t_on = self._plumes_since(mine, t, began - 1.0)
        info["ir_recent"] = int(t_on.size)
        if not t_on.size:
            info["coasting_after_ir"], info["ir_out"] = False, True
            return 0.0
        t_p = float(t_on.max())
        row = mine[-1]
        coasting = bool(row["t_s"] > t_p and row["mu"][self.boost_index] < COAST_BOOST_PROB)
        info["coasting_after_ir"] = coasting
        info["last_plume_s"] = round(t_p, 2)
        pds = [
            plume_pd(sen, _track_at(mine, ts))
            for sen, ts in self.scans(t_p + 1e-3, t - IR_READ_LAG_S, t)
            if ts.size
        ]
        pd = np.concatenate(pds) if pds else np.zeros(0)
        info["ir_missed"] = [round(float(x), 3) for x in pd[pd > 0]]
        # a filter sure of coasting while the track's own speed still grows (over the last
        # >= ACCEL_BASE_S: a climbing body that coasts loses speed) is the radar's word, not a
        # burnout: the tracker's boost model lags a young track (japan-overflights seed 2 e5:
        # a Hwasong-12 burning to ~+85 s read mu 0.01-0.05 at +46-55 s, its speed 300-500 m/s
        # behind the truth and growing, a plume 6 s before), so the fan's match weighs it
        # (:meth:`blend`).  A filter sure of coasting on a track slowing down stands (a Wonsan
        # SRBM burnt out before +47 s, regional-2019-2025 seed 1 e1: the fan's share of
        # burning templates, 0.95, warned Aomori and Akita falsely)
        # -- and only before a scan has missed the plume: the filter and a missed scan both
        # against the fan's share outweigh it (regional seed 1 e4, a Hamhung SRBM: Iwate
        # warned falsely at +84.1 s, a scan missed at Pd 0.95 and the fan's share at 0.99).
        # "Grows" means while climbing and by more than the speed change's own sigma: a body
        # past apogee gains speed as it falls, and noise alone makes half of all changes
        # positive (the shipped salvo scenario: four prefectures warned falsely with "> 0")
        prev = mine[mine["t_s"] <= row["t_s"] - ACCEL_BASE_S]
        obs = _observed(row, prev[-1]) if prev.size else None
        gaining = obs is not None and obs["gamma"] > 0.0 and obs["dv_obs"] > obs["sig_dv"]
        gaining = gaining and not np.any(pd > 0)
        info["radar_coasting"] = coasting and gaining
        b = 0.0 if coasting and not gaining else float(np.prod(1.0 - pd))
        info["ir_out"] = coasting or b < 1.0
        info["ir_lr"] = b  # likelihood ratio of the missed scans, burning : burnt out since
        return b

    def scans(self, t_lo: float, t_hi: float, t_now: float) -> list:
        """``[(sensor, scan times (n,) s)]``: the scans in ``(t_lo, t_hi]`` of every IR sensor
        whose scan phase is known (one of its detections, any, at or before ``t_now``): a
        sensor scans every ``revisit_s`` (:func:`launchwatch.sense.radar.scan_times`), except
        within its outages (:meth:`set_ir_sensors`): a sensor out of service saw nothing and
        missed nothing (japan-overflights seed 2 engagement 10: SBIRS out from +57.2 s, its
        silence read as a burnout while the Hwasong-12 burned to ~+85 s)."""
        det = self.ir_det()
        out: list = []
        if det is None or t_hi <= t_lo:
            return out
        det = det[det["t_s"] <= t_now + 1e-6]
        for name, sen in self.ir_sensors.items():
            seen = det["t_s"][det["sensor"] == name]
            if not seen.size:
                continue
            rev, ref = float(sen.revisit_s), float(seen[-1])
            n0 = np.ceil((t_lo - ref) / rev - 1e-9)
            n1 = np.floor((t_hi - ref) / rev + 1e-9)
            ts = ref + rev * np.arange(n0, n1 + 1.0)
            ts = ts[~in_outage(ts, self.ir_outages.get(name, ()))]
            out.append((sen, ts))
        return out

    def _next_read(self, mine: np.ndarray, t: float) -> float:
        """When (s) the first IR scan not yet read at ``t`` (later than ``t -``
        :data:`IR_READ_LAG_S`) and after its last plume that could see the track's plume (``Pd > 0`` where the track is
        then) is read; inf: none known within two revisits."""
        info = self.last.get(int(mine["track_id"][-1]), {})
        t0 = max(t - IR_READ_LAG_S, info.get("last_plume_s", -np.inf) + 1e-3)
        best = np.inf
        span = 2.0 * max(float(s.revisit_s) for s in self.ir_sensors.values())
        for sen, ts in self.scans(t0, t0 + span, t):
            ok = ts[plume_pd(sen, _track_at(mine, ts)) > 0]
            if ok.size:
                best = min(best, float(ok[0]) + IR_READ_LAG_S)
        return best

    def _plumes_since(self, mine: np.ndarray, t: float, t_from: float) -> np.ndarray:
        """Times (s) of the IR detections in ``(t_from, t]`` that lie on the track: line of
        sight within :data:`ASSOC_BURN_KM` of where the track was then (its row nearest in time,
        carried by its velocity), both at the track's height, and not nearer another track
        flying then (:meth:`_plumes_of_other_tracks`)."""
        det = self.ir_det()
        if det is None:
            return np.zeros(0)
        det = det[(det["t_s"] > t_from) & (det["t_s"] <= t + 1e-6)]
        if not det.size:
            return np.zeros(0)
        ts = det["t_s"].astype(float)
        pos, carry = _carried(mine, ts)
        d = _sight_miss_m(pos, det)
        near = d <= _carried_gate_m(carry)
        on, d_on = det[near], d[near]
        # a neighbour's plume is not this motor's burn (:meth:`_plumes_of_other_tracks`)
        on = on[~self._plumes_of_other_tracks(mine, on, d_on)]
        return on["t_s"].astype(float)

    def _plumes_on(self, mine: np.ndarray, t: float, ti: np.ndarray) -> np.ndarray:
        """Times (s) of the IR detections of the last revisit (+1.5 s) up to ``t`` that lie on
        the track (line of sight within :data:`ASSOC_BURN_KM` of the track's latest row carried
        to the detection's time, both put at the track's height)."""
        assert self.ir_revisit_s is not None  # called only with an IR revisit known
        sel = np.flatnonzero((ti > t - self.ir_revisit_s - 1.5) & (ti <= t + 1e-6))
        if not sel.size:
            return np.zeros(0)
        det = np.concatenate(self._ir)
        det = det[np.argsort(det["t_s"], kind="stable")][sel]
        row = mine[-1]
        dt = det["t_s"] - row["t_s"]
        pos = row["state"][None, :3] + dt[:, None] * row["state"][None, 3:6]
        return det["t_s"][_sight_miss_m(pos, det) <= _carried_gate_m(dt)].astype(float)

    # ----------------------------------------------------------------------------------------
    # geometry

    def launch_point(self, tid: int, mine: np.ndarray) -> tuple[float, float, str, float]:
        """Launch point (lat, lon deg), how it was found (site name, ``"ir"`` or
        ``"estimate"``) and the time of the first IR cue (NaN: none) of a track, from its
        earliest rows and the IR cues (module doc): before any fan is matched, the candidate
        site nearest to the cue's line of sight (:meth:`candidate_sites`; the fan's match
        weighs them all, :meth:`_continuations`)."""
        if tid not in self._launch:
            self._find_sites(tid, mine)
        return self._launch[tid]

    def candidate_sites(self, tid: int, mine: np.ndarray) -> list[tuple[float, float, str]]:
        """The candidate launch points ``[(lat, lon deg, name)]`` of a track, nearest first:
        the catalog sites within :data:`SITE_KM` of the first IR cue's line of sight put on
        the ground anywhere from the IR floor to :data:`CUE_H_MAX_M` (the plume's height at
        first sight is unknown; at most :data:`MAX_SITES`), else the one nearest the launch
        estimate; none near: the cue (at :data:`IR_CUE_HEIGHT_M`) or the estimate itself."""
        if tid not in self._launch:
            self._find_sites(tid, mine)
        return self._sites[tid]

    def _find_sites(self, tid: int, mine: np.ndarray) -> None:
        first = mine[0]
        lat_r, lon_r, _ = frames.ecef_to_geodetic(first["state"][:3])
        lat0, lon0 = float(np.degrees(lat_r)), float(np.degrees(lon_r))
        cue, trace = None, None
        self._los[tid] = None
        ir = self.all_ir()
        if ir is not None:
            ti, la, lo = ir
            ok = np.isfinite(la) & (ti <= first["t_s"] + ASSOC_LAG_S)
            if ok.any():
                _, _, dist = geodesy.inverse(
                    np.full(ok.sum(), lat0), np.full(ok.sum(), lon0), la[ok], lo[ok]
                )
                near = np.flatnonzero(dist <= ASSOC_KM * 1e3)
                if near.size:
                    j = near[np.argmin(ti[ok][near])]
                    cue = (float(la[ok][j]), float(lo[ok][j]), "ir", float(ti[ok][j]))
                    ir_det = self.ir_det()
                    assert ir_det is not None  # all_ir() found IR detections
                    det = ir_det[np.flatnonzero(ok)[near]]
                    self._los[tid] = det  # the track's early plumes: lines of sight
                    self._cue_shared[tid] = several_plumes(det)
                    hs = np.arange(self.ir_min_height_m, CUE_H_MAX_M + 1.0, 1e3)
                    first_det = ir_det[np.flatnonzero(ok)[j]]
                    trace = ir_ground_points(np.repeat(first_det[None], hs.size), hs)
        if cue is None:
            cov = np.zeros((1, 6, 6))
            c = np.asarray(first["cov"], float)
            cov[0] = c if c.ndim == 2 else np.diag(c)
            le = estimate_launch(
                np.array([first["t_s"]]),
                first["state"][None, :6],
                cov,
                rng=np.random.default_rng(0),
                n_draws=100,
            )
            if np.isfinite(le.lat_deg[0]):
                cue = (float(le.lat_deg[0]), float(le.lon_deg[0]), "estimate", np.nan)
        if cue is None:
            self._launch[tid], self._sites[tid] = (np.nan, np.nan, "", np.nan), []
            return
        if trace is None:  # no line of sight to weigh sites by: the site nearest the estimate
            trace = (np.array([cue[0]]), np.array([cue[1]]))
        tl, tn = trace
        ok = np.isfinite(tl)
        n_s, n_h = self.site_lat.size, int(ok.sum())
        _, _, ds = geodesy.inverse(
            np.repeat(self.site_lat, n_h),
            np.repeat(self.site_lon, n_h),
            np.tile(tl[ok], n_s),
            np.tile(tn[ok], n_s),
        )
        ds = ds.reshape(n_s, n_h).min(axis=1) if n_h else np.full(n_s, np.inf)
        n_max = MAX_SITES if self._los[tid] is not None else 1
        order = [int(i) for i in np.argsort(ds) if ds[i] <= SITE_KM * 1e3][:n_max]
        sites = [
            (float(self.site_lat[i]), float(self.site_lon[i]), self.site_names[i]) for i in order
        ]
        if not sites:
            sites = [(cue[0], cue[1], cue[2])]
        self._sites[tid] = sites
        self._launch[tid] = (sites[0][0], sites[0][1], sites[0][2], cue[3])

    def _plumes_of_other_tracks(
        self, mine: np.ndarray, det: np.ndarray, own_m: np.ndarray
    ) -> np.ndarray:
        """Per IR detection (n,) bool: it is another missile's plume -- its line of sight passes
        within :data:`ASSOC_BURN_KM` of another confirmed track whose rows span the detection's
        time within :data:`PLUME_LOOKBACK_REVISITS` IR revisits either side (the lookback this
        track's own plumes get), carried by its velocity from its row nearest in time, both at
        that track's height, and nearer to it than to this track (``mine``, whose latest row
        bounds the rows read; ``own_m`` (n,) m: each line of sight's miss of it, as
        :func:`_sight_miss_m`) so carried.  In a salvo fired seconds apart every neighbour's
        plume lies within :data:`ASSOC_BURN_KM` of a track, so a missile that had burnt out
        read as burning while any neighbour still burned (:meth:`_plumes_since`)."""
        tid = int(mine["track_id"][-1])
        rows = self.all_rows()
        out = np.zeros(det.size, bool)
        if rows is None or not det.size:
            return out
        t_now = float(mine["t_s"][-1])
        rows = rows[(rows["t_s"] <= t_now + 1e-6) & (rows["track_id"] != tid)]
        if not rows.size:
            return out
        ts = det["t_s"].astype(float)
        look = PLUME_LOOKBACK_REVISITS * (self.ir_revisit_s or 0.0)

        for other in np.unique(rows["track_id"]):  # tracks (a few to a few tens)
            theirs = rows[rows["track_id"] == other]
            if not theirs["confirmed"].any():
                continue
            a0, a1 = float(theirs["t_s"][0]), float(theirs["t_s"][-1])
            sel = (ts >= a0 - look) & (ts <= a1 + look) & ~out
            if not sel.any():
                continue
            d = np.full(det.size, np.inf)
            pos, carry = _carried(theirs, ts[sel])
            d[sel] = _sight_miss_m(pos, det[sel])
            gate = np.zeros(det.size)
            gate[sel] = _carried_gate_m(carry)
            out |= (d <= gate) & (d < own_m)
        return out

    def _continuations(self, tid: int, mine: np.ndarray, t: float, info: dict):
        """Draws of still-burning fan templates matched to the track's latest row, flown on in
        scenario time: ``(path_t, lat (S, P), lon (S, P), impact (lat, lon, t) arrays)`` or
        None.  The fan is matched from every candidate launch site (:meth:`candidate_sites`),
        each template also weighed by how well it passes through the track's early IR lines of
        sight; the draws come from all sites' templates by weight, so each site counts by its
        marginal likelihood (``info["sites"]``), not by its distance to the cue."""
        _, _, _, t_cue = self.launch_point(tid, mine)
        sites = self.candidate_sites(tid, mine)
        if not sites or not np.isfinite(sites[0][0]):
            info["launch"] = (np.nan, np.nan, "")
            return None
        info["launch"] = sites[0]
        row = mine[-1]
        prev = mine[mine["t_s"] <= row["t_s"] - ACCEL_BASE_S]
        if prev.size == 0:
            return None
        obs = _observed(row, prev[-1])
        # a burning track's filter is too sure of its heading (the assessor's measure,
        # assess.burn.BOOST_HEADING_FACTOR): its direction's sigma widened as the assessor
        # widens it, in proportion to the chance the motor still burns
        b = float(np.clip(np.nan_to_num(info.get("b", 1.0)), 0.0, 1.0))
        obs["sig_vaz_deg"] *= float(np.sqrt(1.0 + (BOOST_HEADING_FACTOR**2 - 1.0) * b))
        info["dv_obs_m_s"] = round(obs["dv_obs"], 1)
        los = self._los.get(tid)
        if los is not None:
            los = los[los["t_s"] <= t + 1e-6]
        dropped = self._dropped.setdefault(tid, set())
        weighed = [site for site in sites if site[2] not in dropped] or sites
        shared = self._cue_shared.get(tid, False)
        parts = [self._match(site, obs, t, t_cue, los, shared) for site in weighed]
        parts = [p for p in parts if p is not None]
        if not parts:
            return None
        logw = np.stack([p["logw"] for p in parts])  # (sites, J)
        burning = np.stack([p["burning"] for p in parts])
        fin = np.isfinite(logw)
        top = np.max(np.where(fin, logw, -np.inf))
        if not np.isfinite(top):
            return None
        # each site by its marginal likelihood over the whole fan (equal priors)
        mass = np.sum(np.where(fin, np.exp(logw - top), 0.0), axis=1)
        post = mass / mass.sum()
        best = int(np.argmax(post))
        dropped.update(  # not a site under the track: weighed on a heading still unsure
            p["site"][2]
            for p, q in zip(parts, post, strict=True)
            if q < SITE_DROP_SHARE and not p["over"]
        )
        bp = parts[best]
        info["launch"] = bp["site"]
        info["sites"] = {p["site"][2]: round(float(q), 3) for p, q in zip(parts, post, strict=True)}
        if bp["over"] and not np.isfinite(bp["sig_az"]):
            info["over_site"] = True  # launched from under the track, no heading yet: wait
            return None
        # the most likely site is the launch point: a mixture over sites would widen the
        # corridor by their heading spread, for a choice the lines of sight make sharply.
        # Its templates are weighed by the match alone, as from a site known in advance (the
        # lines of sight choose the site; the IR timing already sets the templates' clocks)
        parts = [bp]
        logw, burning = bp["logm"][None], burning[best : best + 1]
        # the radar's word on the burn: the matched share of the templates still burning at
        # the track's height against all that reach it (burnt out earlier, coasting: the
        # speed change over the last rows tells them apart), each template equally likely a
        # priori (the fan's grid spans SRBM to ICBM boosts) -- of those that still burned at
        # the last plume on the track, when the IR saw one: the plume rules out a motor out
        # before it, not one out since (a burnt-out KN-23 of a salvo, its last plume 9 s
        # before, was read as surely burning, matched to slow long-burn templates only and
        # warned four prefectures)
        fin_b = np.isfinite(logw)
        top_b = np.max(np.where(fin_b, logw, -np.inf))
        if np.isfinite(top_b):
            wa = np.where(fin_b, np.exp(logw - top_b), 0.0)
            t_p = info.get("last_plume_s")
            if t_p is not None and self.ir_sensors:
                was = fin_b & (bp["fan"][6] > bp["tau"] - (t - float(t_p)))
                wa = np.where(was, wa, 0.0)
            if wa.sum() > 0:
                info["p_radar"] = float(wa[burning].sum() / wa.sum())
        info.update(
            heading_deg=round(bp["az"], 2),
            sigma_az_deg=round(bp["sig_az"], 2),
            height_km=round(obs["h"] / 1e3, 1),
            speed_m_s=round(obs["speed"]),
            gamma_deg=round(float(np.degrees(obs["gamma"])), 1),
        )
        if not burning.any() or np.exp(np.max(logw[burning])) < self.min_weight:
            return None
        w = np.where(burning, np.exp(logw - np.max(logw[burning])), 0.0)
        w /= w.sum()
        tau = np.stack([p["tau"] for p in parts])
        # launch time by the matched templates' clocks: its weighted median (the deadline of a
        # hold). The 10th percentile was taken while the IR timing had its sign wrong (the
        # clocks ran a revisit late); set right, the clocks centre on the launch and their
        # spread is the fan's mismatch (a burnt-out SRBM matched by still-burning templates:
        # 10th percentile -11.3 s, median -4 s, truth 0)
        wf, lt = w.ravel(), (t - np.where(burning, tau, np.inf)).ravel()
        order = np.argsort(lt)
        cum = np.cumsum(wf[order])
        info["t_launch_s"] = float(lt[order][np.searchsorted(cum, 0.5)])
        info["t_launch_mean_s"] = round(float(t - np.sum(np.where(burning, w * tau, 0.0))), 2)
        wj = w.sum(axis=0)  # per template, over sites
        burn = parts[0]["fan"][6]
        n_one = len(FAN_BURN_S) * len(FAN_KICK_RAD) * len(FAN_THRUST_SCALE)
        info["burn_s"] = {
            float(b): round(float(wj[:n_one][burn[:n_one] == b].sum()), 3)
            for b in FAN_BURN_S
            if wj[:n_one][burn[:n_one] == b].sum() > 0
        }
        per = len(FAN_KICK_RAD) * FAN_STAGED_SCALES
        info["staged"] = {
            name: round(float(wj[n_one + i * per : n_one + (i + 1) * per].sum()), 3)
            for i, (name, *_) in enumerate(staged_templates())
        }
        pick = weighted_draws(self.rng, wf, self.n_draws)
        site_of, j_of = np.divmod(pick, logw.shape[1])
        times = parts[0]["fan"][0]
        path_t = t + np.arange(0.0, times[-1] + PATH_DT_S, PATH_DT_S)
        p_lat = np.full((self.n_draws, path_t.size), np.nan)
        p_lon = np.full_like(p_lat, np.nan)
        i_lat, i_lon, i_t = (np.full(self.n_draws, np.nan) for _ in range(3))
        noise = stratified_normal(self.rng, self.n_draws)
        for si, p in enumerate(parts):  # a few candidate sites, not draws
            sel = np.flatnonzero(site_of == si)
            if not sel.size:
                continue
            _, ecef, *_, t_imp, imp = p["fan"]
            # the draws of one template share its clock, so its path: each template's once
            uj, row = np.unique(j_of[sel], return_inverse=True)
            tau_u = p["tau"][uj]
            # flown on: template time tau + (path_t - t)
            tq = tau_u[:, None] + (path_t - t)[None, :]
            la, lo, _ = frames.ecef_to_geodetic(interp_rows(times, ecef[uj], tq))
            ila, ilo, _ = frames.ecef_to_geodetic(imp[uj])
            i_t[sel] = (t + t_imp[uj] - tau_u)[row]
            # each draw turned about its launch point by its own heading error
            dpsi = (p["az"] - p["az0"]) + p["sig_az"] * noise[sel]
            lat0, lon0 = p["site"][0], p["site"][1]
            p_lat[sel], p_lon[sel] = turn(
                lat0, lon0, np.degrees(la), np.degrees(lo), dpsi[:, None], rows=row
            )
            i_lat[sel], i_lon[sel] = turn(
                lat0, lon0, np.degrees(ila), np.degrees(ilo), dpsi, rows=row
            )
        return path_t, p_lat, p_lon, (i_lat, i_lon, i_t)

    def _match(self, site, obs: dict, t: float, t_cue: float, los, cue_shared: bool = False):
        """The fan from ``site`` (lat, lon deg, name) on the heading to the track's latest
        ground point -- or, with the track still over the site (``"over"``), on the track's
        own direction of motion -- matched to the track (``obs``, :func:`_observed`):
        ``{"over", "site", "az", "az0", "sig_az", "fan", "tau", "logw", "burning"}`` (per
        template: its time where it climbs through the track's height, its log-likelihood,
        still burning there) or None (the track below 5 km).  ``cue_shared``: the cue's scans saw
        several plumes near it (a salvo), so the cue may be an earlier missile's: it only bounds
        the template's floor crossing from below (not long before the cue unseen; any time
        after it: :func:`several_plumes`)."""
        lat_l, lon_l = site[0], site[1]
        az, back, dist = geodesy.inverse(lat_l, lon_l, obs["glat"], obs["glon"])
        az, dist = float(az), float(dist)
        if obs["h"] < 5e3:
            return None
        over = dist < MIN_BASELINE_M
        if over:
            # the track is still over this site: the bearing to it is no heading, the track's
            # own direction of motion is (possibly none yet).  Weighed like the others; the
            # corridor waits if it wins without a heading (_continuations).  Dropping it put the
            # launch at a site 25 km away whose bearing to a point over Sunan was 151 deg, for
            # an IRBM flying 77 deg: Seoul and Kyushu warned (japan-overflights seed 4, e0).
            az = float(obs["vaz_deg"]) % 360.0
            sig_az = float(obs["sig_vaz_deg"])
        else:
            sig_az = max(np.degrees(obs["pos_sig"] / dist), AZ_SIGMA_FLOOR_DEG)
        az0 = float(np.round(az))
        fan_t = fan(round(lat_l, 4), round(lon_l, 4), az0)
        times, ecef, h_tab, d_tab, s_tab, g_tab, burn, t_imp, imp = fan_t
        nf = T_FINE.size
        tgrid = np.broadcast_to(times[:nf], h_tab[:, :nf].shape)
        fidx = first_crossing(h_tab[:, :nf], obs["h"])
        tau = _at(tgrid, fidx)
        s_j = _at_points(s_tab, fidx)
        g_j = _at_points(g_tab, fidx)
        d_j = _at_points(d_tab, fidx)
        ss = np.hypot(obs["sig_s"], SIGMA_SPEED_M_S)
        sg = np.hypot(obs["sig_g"], SIGMA_GAMMA_RAD)
        sd = np.hypot(obs["pos_sig"], SIGMA_RANGE_M)
        logw = -0.5 * (
            ((obs["speed"] - s_j) / ss) ** 2
            + ((obs["gamma"] - g_j) / sg) ** 2
            + ((dist - d_j) / sd) ** 2
        )
        # the speed change over the last rows (>= ACCEL_BASE_S apart): a burning template
        # gains speed, a coasting body loses it
        tprev = np.clip(tau - obs["dt"], 0.0, T_FINE[-1])
        fprev = np.where(np.isfinite(tprev), tprev / (T_FINE[1] - T_FINE[0]), np.nan)
        dv_j = s_j - _at_points(s_tab, fprev)
        logw = logw - 0.5 * ((obs["dv_obs"] - dv_j) / obs["sig_dv"]) ** 2
        if np.isfinite(t_cue) and self.ir_revisit_s is not None and t_cue <= t:
            # the plume was first seen at t_cue, not at the scan before: it climbed through
            # the sensor's floor height within one revisit before t_cue
            tau8 = _at(tgrid, first_crossing(h_tab[:, :nf], self.ir_min_height_m))
            # seconds from the template's floor crossing to the cue: in [0, revisit)
            delay = (t_cue - t) + (tau - tau8)
            before = np.maximum(-delay, 0.0)  # the cue before the plume was above the floor
            excess = np.maximum(delay - self.ir_revisit_s, 0.0)
            if not cue_shared:
                # a salvo's first plume near the track is the first missile's: a later member
                # climbs through the floor after it (no lower bound on its clock), but not
                # long before it unseen (the missed scans below still hold)
                logw = logw - 0.5 * (before / SIGMA_CUE_S) ** 2
            slack = -0.5 * (excess / SIGMA_CUE_S) ** 2
            if self.ir_sensors:
                # or scans before t_cue had the plume in view and missed it: each one a
                # chance 1 - Pd (a revisit more of delay is one more missed scan)
                p_miss = max(1.0 - float(s.pd) for s in self.ir_sensors.values())
                missed = (excess / self.ir_revisit_s) * np.log(max(p_miss, 1e-12))
                slack = np.maximum(slack, missed)
            logw = logw + slack
        logm = logw
        # the site's word on the track's direction: a boost flies the geodesic from its pad, so
        # at the track's point it moves along that geodesic's azimuth (the back azimuth turned
        # round).  The same for every template of the site: it weighs the site, not the match
        if not over:
            logw = logw + heading_term(obs, float(back) + 180.0, sig_az)
        if los is not None and los.size:
            logw = logw + self._los_term(site, az - az0, fan_t, tau, t, los)
        return {
            "over": over,
            "logm": logm,
            "site": (float(lat_l), float(lon_l), str(site[2])),
            "az": az,
            "az0": az0,
            "sig_az": float(sig_az),
            "fan": fan_t,
            "tau": tau,
            "logw": logw,
            "burning": np.isfinite(logw) & (burn > tau + 1.0),
        }

    def _los_term(self, site, dpsi_deg: float, fan_t, tau, t: float, los) -> np.ndarray:
        """Per template (J,): log-likelihood of the track's early IR lines of sight ``los``
        (detections) given the template's position at each detection's time (its clock
        ``tau`` at ``t`` less the detection's age; turned about the site by ``dpsi_deg``):
        Gaussian in the line's miss, sigma :data:`SIGMA_LOS_M`, capped at
        :data:`LOS_CAP_SIGMA` (and the cap where the template was not yet flying)."""
        times, ecef = fan_t[0], fan_t[1]
        s, u = ir_lines_of_sight(los)  # (D, 3)
        tq = tau[:, None] - (t - np.asarray(los["t_s"], float))[None, :]  # (J, D)
        pos = interp_rows(times, ecef, np.where(np.isfinite(tq), tq, -1.0))  # (J, D, 3)
        k = frames.geodetic_to_ecef(np.radians(site[0]), np.radians(site[1]), 0.0)
        k = np.asarray(k, float).reshape(3)
        pos = _rotate(pos, k / np.linalg.norm(k), -np.radians(dpsi_deg))
        v = pos - s[None]
        miss = np.linalg.norm(v - np.sum(v * u[None], axis=-1)[..., None] * u[None], axis=-1)
        z2 = np.minimum(np.nan_to_num((miss / SIGMA_LOS_M) ** 2, nan=np.inf), LOS_CAP_SIGMA**2)
        z2 = np.where(tq >= 0.0, z2, LOS_CAP_SIGMA**2)
        return -0.5 * np.sum(z2, axis=1)


def several_plumes(det: np.ndarray) -> bool:
    """Whether IR detections (a track's early plumes near its first ground point) hold two or
    more from one scan of one sensor: several missiles burning at once (a salvo), so the
    earliest of them need not be the track's own."""
    pairs = zip(det["sensor"], det["t_s"], strict=True)
    scans = {(str(sen), round(float(t), 3)) for sen, t in pairs}
    return len(scans) < det.size


def burn_posterior(p_radar: float, lr_ir: float) -> float:
    """Chance the motor still burns from the radar's match (``p_radar``, the prior odds) and the
    IR scans missed since the last plume (``lr_ir`` = prod(1 - Pd): the likelihood ratio,
    burning : burnt out since)."""
    num = p_radar * lr_ir
    den = num + (1.0 - p_radar)
    return float(num / den) if den > 0 else 0.0


def _sight_miss_m(pos: np.ndarray, det: np.ndarray) -> np.ndarray:
    """Per IR detection (n,) the ground distance (m) between a track's position (n, 3) ECEF at
    the detection's time and the detection's line of sight, both put at that position's height
    (:func:`ir_ground_points`); inf where the line of sight does not reach that height."""
    plat, plon, ph = frames.ecef_to_geodetic(pos)
    la, lo = ir_ground_points(det, np.maximum(ph, 0.0))
    d = np.full(len(det), np.inf)
    ok = np.isfinite(la)
    if ok.any():
        d[ok] = geodesy.inverse(np.degrees(plat[ok]), np.degrees(plon[ok]), la[ok], lo[ok])[2]
    return d


def _observed(row, prev) -> dict:
    """What the fan is matched to from a track's latest row and one >= :data:`ACCEL_BASE_S`
    earlier: ground point (deg), height (m), speed (m/s), flight-path angle (rad), their
    sigmas, the position sigma (m), the speed change (m/s) over ``dt`` (s) with its sigma, and
    the ground-track direction (azimuth of the horizontal velocity, deg) with its sigma (inf
    while the horizontal speed is within 3 sigma of 0)."""
    r, v = row["state"][:3], row["state"][3:6]
    lat, lon, h = frames.ecef_to_geodetic(r)
    c = np.asarray(row["cov"], float)
    c = c if c.ndim == 2 else np.diag(c)
    enu = frames.enu_matrix(lat, lon)
    cov_r = enu @ c[:3, :3] @ enu.T
    cov_v = enu @ c[3:6, 3:6] @ enu.T
    v_enu = enu @ v
    speed = float(np.linalg.norm(v))
    # ground-track direction: the horizontal velocity's azimuth, and its sigma from the
    # velocity's variance across it (none while the horizontal speed is within 3 sigma of 0)
    vh = float(np.hypot(v_enu[0], v_enu[1]))
    across = np.array([-v_enu[1], v_enu[0]]) / max(vh, 1e-9)
    sig_across = float(np.sqrt(max(across @ cov_v[:2, :2] @ across, 0.0)))
    sig_vaz = np.degrees(sig_across / vh) if vh > 3.0 * sig_across else np.inf
    sig_s = float(np.sqrt(max(v @ c[3:6, 3:6] @ v, 0.0))) / max(speed, 1.0)
    cp = np.asarray(prev["cov"], float)
    cp = cp if cp.ndim == 2 else np.diag(cp)
    v0 = prev["state"][3:6]
    n0 = float(np.linalg.norm(v0))
    sig_dv = np.hypot(
        np.hypot(sig_s, float(np.sqrt(max(v0 @ cp[3:6, 3:6] @ v0, 0.0))) / max(n0, 1.0)),
        SIGMA_DV_M_S,
    )
    return {
        "glat": float(np.degrees(lat)),
        "glon": float(np.degrees(lon)),
        "h": float(h),
        "speed": speed,
        "gamma": float(np.arcsin(np.clip(v_enu[2] / max(speed, 1e-9), -1.0, 1.0))),
        "pos_sig": float(np.sqrt(max(0.5 * (cov_r[0, 0] + cov_r[1, 1]), 0.0))),
        "sig_s": sig_s,
        "sig_g": float(np.sqrt(max(cov_v[2, 2], 0.0))) / max(speed, 1.0),
        "dt": float(row["t_s"] - prev["t_s"]),
        "dv_obs": speed - n0,
        "sig_dv": float(sig_dv),
        "vaz_deg": float(np.degrees(np.arctan2(v_enu[0], v_enu[1]))),
        "sig_vaz_deg": float(sig_vaz),
    }


def heading_term(obs: dict, path_az_deg: float, sig_az_deg: float) -> float:
    """Log-likelihood of a track's ground-track direction (``obs["vaz_deg"]``, sigma
    ``obs["sig_vaz_deg"]``; :func:`_observed`) given that it flies along ``path_az_deg`` (the
    azimuth, deg, at its ground point of the geodesic from a candidate site), with the site's
    bearing sigma ``sig_az_deg`` and :data:`SIGMA_TRACK_AZ_DEG`: 0 where the track's horizontal
    speed tells nothing (``sig_vaz_deg`` NaN or infinite)."""
    sig_v = obs.get("sig_vaz_deg", np.inf)
    if not np.isfinite(sig_v):
        return 0.0
    d = (obs["vaz_deg"] - path_az_deg + 180.0) % 360.0 - 180.0
    sig = np.sqrt(sig_v**2 + sig_az_deg**2 + SIGMA_TRACK_AZ_DEG**2)
    return float(-0.5 * (d / sig) ** 2)


def _rotate(p: np.ndarray, k: np.ndarray, ang: float) -> np.ndarray:
    """Points ``p`` (..., 3) rotated by ``ang`` rad about the unit axis ``k`` (3,) through the
    origin (Rodrigues)."""
    c, s = np.cos(ang), np.sin(ang)
    return p * c + np.cross(k, p) * s + np.sum(p * k, axis=-1, keepdims=True) * k * (1.0 - c)


def _sample_burning(a: Assessment) -> np.ndarray | None:
    """The (K, S) flags of ``a``'s samples flown on a remaining burn
    (:mod:`launchwatch.assess.burn`), or None when it carries none for its samples."""
    burning = np.asarray(getattr(a, "sample_burning", np.zeros((0, 0))), bool)
    return burning if burning.shape == np.shape(a.path_lat_deg)[:2] else None


def _nearest_row(mine: np.ndarray, ts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per time of ``ts`` (n,) s: the index of the track's row (time-ordered) nearest in time,
    and the seconds from that row to the time (n,)."""
    ts = np.asarray(ts, float)
    rt = np.asarray(mine["t_s"], float)
    i = np.clip(np.searchsorted(rt, ts), 0, rt.size - 1)
    j = np.maximum(i - 1, 0)
    i = np.where(np.abs(rt[j] - ts) <= np.abs(rt[i] - ts), j, i)
    return i, ts - rt[i]


def _carried(mine: np.ndarray, ts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A track (its rows, time-ordered) at the times ``ts`` (n,) s: ECEF positions (n, 3) m,
    the row nearest in time carried by its velocity, and the seconds it was carried (n,)."""
    i, carry = _nearest_row(mine, ts)
    st = mine["state"][i]
    return st[:, :3] + carry[:, None] * st[:, 3:6], carry


def _track_at(mine: np.ndarray, ts: np.ndarray) -> np.ndarray:
    """ECEF positions (n, 3) m of a track (its rows, time-ordered) at the times ``ts`` (n,) s:
    the row nearest in time, carried by its velocity (:func:`_carried`)."""
    return _carried(mine, ts)[0]


def _burn_gate_m(mine: np.ndarray, ts: np.ndarray) -> np.ndarray:
    """Per time of ``ts`` (n,) s: the largest miss (m) of an IR line of sight on the track
    carried there by :func:`_track_at`: :data:`ASSOC_BURN_KM` plus :data:`ASSOC_BURN_KM_S` per
    second carried."""
    return _carried_gate_m(_nearest_row(mine, ts)[1])


def _carried_gate_m(carry_s: np.ndarray) -> np.ndarray:
    """The on-track gate (m) of an IR line of sight against a track row carried ``carry_s``
    (s, either sign) by its velocity: :data:`ASSOC_BURN_KM` + :data:`ASSOC_BURN_KM_S` per s."""
    return 1e3 * (ASSOC_BURN_KM + ASSOC_BURN_KM_S * np.abs(carry_s))


def turn(lat0, lon0, lat, lon, dpsi, rows=None):
    """Points (deg) turned about (lat0, lon0) (deg, each broadcast to the points) by ``dpsi``
    deg (broadcast); NaN stays NaN.

    ``rows`` (n,): the points turned are ``lat[rows]``, ``lon[rows]`` (``lat0``, ``lon0``
    broadcast to ``lat`` itself, ``dpsi`` to the result): the geodesic from the centre to
    each point of ``lat`` is solved once however many rows repeat it (draws of one template
    share its path), the same floats as turning the repeated rows."""
    lat, lon = np.array(lat, float), np.array(lon, float)
    ok = np.isfinite(lat) & np.isfinite(lon)
    la0 = np.broadcast_to(np.asarray(lat0, float), lat.shape)
    lo0 = np.broadcast_to(np.asarray(lon0, float), lat.shape)
    b_az, b_d = np.full(lat.shape, np.nan), np.full(lat.shape, np.nan)
    if ok.any():
        b_az[ok], _, b_d[ok] = geodesy.inverse(la0[ok], lo0[ok], lat[ok], lon[ok])
    if rows is not None:
        lat, lon, la0, lo0, b_az, b_d, ok = (x[rows] for x in (lat, lon, la0, lo0, b_az, b_d, ok))
    if ok.any():
        lat[ok], lon[ok], _ = geodesy.direct(
            la0[ok], lo0[ok], b_az[ok] + np.broadcast_to(dpsi, lat.shape)[ok], b_d[ok]
        )
    return lat, lon


def first_crossing(h_tab: np.ndarray, h: float) -> np.ndarray:
    """Per template (J,): fractional time index of the first upward crossing of ``h`` (NaN if
    never)."""
    above = h_tab >= h
    idx = np.argmax(above, axis=1)
    found = above.any(axis=1) & (idx > 0)
    i1 = np.maximum(idx, 1)
    rr = np.arange(h_tab.shape[0])
    h0, h1 = h_tab[rr, i1 - 1], h_tab[rr, i1]
    frac = (h - h0) / np.where(h1 > h0, h1 - h0, 1.0)
    return np.where(found, i1 - 1 + np.clip(frac, 0.0, 1.0), np.nan)


def _bracket(fidx: np.ndarray, n: int):
    """The points around (J,) fractional indices into rows of ``n``: ``(finite, rows, i0, i1,
    weight of i1)`` (index 0 where ``fidx`` is NaN)."""
    ok = np.isfinite(fidx)
    f = np.where(ok, fidx, 0.0)
    i0 = np.floor(f).astype(int)
    i1 = np.minimum(i0 + 1, n - 1)
    return ok, np.arange(fidx.shape[0]), i0, i1, f - i0


def _at(tab: np.ndarray, fidx: np.ndarray) -> np.ndarray:
    """Linear interpolation of (J, T) ``tab`` at (J,) fractional indices."""
    ok, rr, i0, i1, w = _bracket(fidx, tab.shape[1])
    return np.where(ok, tab[rr, i0] * (1.0 - w) + tab[rr, i1] * w, np.nan)


def _at_points(tab: geodesy.PathDistances | FineKinematics, fidx: np.ndarray) -> np.ndarray:
    """:func:`_at` of a fan's table computed where read (downranges,
    ``geodesy.PathDistances``; speeds or angles, :class:`FineKinematics`; (J, F)): the two
    points around each index computed, not the table."""
    ok, rr, i0, i1, w = _bracket(fidx, tab.shape[1])
    v0, v1 = np.split(tab.at(np.concatenate([rr, rr]), np.concatenate([i0, i1])), 2)
    return np.where(ok, v0 * (1.0 - w) + v1 * w, np.nan)


def interp_rows(times: np.ndarray, pos: np.ndarray, tq: np.ndarray) -> np.ndarray:
    """Positions (S, T, 3) on ``times`` interpolated linearly at per-row times ``tq`` (S, P);
    NaN outside the grid (or after impact)."""
    i1 = np.clip(np.searchsorted(times, tq, side="right"), 1, times.size - 1)
    i0 = i1 - 1
    w = ((tq - times[i0]) / (times[i1] - times[i0]))[..., None]
    rr = np.arange(pos.shape[0])[:, None]
    out = pos[rr, i0] * (1.0 - w) + pos[rr, i1] * w
    out[(tq < times[0]) | (tq > times[-1])] = np.nan
    return out


class _Clock(Protocol):
    """What :func:`pseudo_assessment` reads of the assessment it stands beside: its time (s
    after the epoch) and the scenario's epoch (an Assessment, or the IR corridor's stub)."""

    @property
    def t_s(self) -> float: ...

    @property
    def epoch(self) -> datetime: ...


def weighted_draws(rng: np.random.Generator, w: np.ndarray, n: int) -> np.ndarray:
    """``n`` indices into ``w`` (weights >= 0 summing to 1) by systematic resampling: one
    uniform offset and ``n`` evenly spaced points on the cumulative weight, so each index is
    drawn ``floor(n w)`` or ``ceil(n w)`` times.  A multinomial draw's counts scatter by
    ``sqrt(n w (1 - w))``: at 400 draws an overflight probability of 0.6 moved by +-0.025 from
    one seed to the next, and a first warning at the corridor's 0.6 level came a judgement
    (5-8 s) earlier or later with the seed (japan-overflights seed 2 e1: 0.616 / 0.573)."""
    c = np.cumsum(w, dtype=float)
    c /= c[-1]
    return np.minimum(
        np.searchsorted(c, (rng.random() + np.arange(n)) / n, side="right"), w.size - 1
    )


def stratified_normal(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` standard normal deviates, one from each of ``n`` equal-probability strata in a
    random order (each stratum's point uniform within it): their spread is the normal's at
    any ``n``, where independent draws scatter it by ``1 / sqrt(2 n)``."""
    return ndtri((rng.permutation(n) + rng.random(n)) / n)


def pseudo_assessment(a: _Clock, path_t, lat, lon, impacts) -> Assessment:
    """An Assessment-shaped record of the fan draws of several tracks (common path grid), for
    :meth:`.threat.ThreatModel.threat`: no ellipse, sample impacts where a draw landed."""
    P = max(p.size for p in path_t)
    grid = path_t[int(np.argmax([p.size for p in path_t]))]
    K, S = len(lat), lat[0].shape[0]
    plat = np.full((K, S, P), np.nan)
    plon = np.full((K, S, P), np.nan)
    for j in range(K):  # tracks (a few), not samples
        plat[j, :, : lat[j].shape[1]] = lat[j]
        plon[j, :, : lon[j].shape[1]] = lon[j]
    ilat = np.stack([i[0] for i in impacts])
    ilon = np.stack([i[1] for i in impacts])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        it = np.array([np.nanmean(i[2]) if np.isfinite(i[2]).any() else np.inf for i in impacts])
        mlat = np.nanmean(ilat, axis=1)
        mlon = np.nanmean(ilon, axis=1)
    nan_k = np.full(K, np.nan)
    L = len(ELLIPSE_LEVELS)
    return Assessment(
        t_s=float(a.t_s),
        epoch=a.epoch,
        track_id=np.arange(K),
        n_samples=S,
        impact_lat_deg=mlat,
        impact_lon_deg=mlon,
        impact_t_s=it,
        impact_t_sigma_s=nan_k,
        ellipse_semi_major_m=np.full((K, L), np.nan),
        ellipse_semi_minor_m=np.full((K, L), np.nan),
        ellipse_orientation_deg=nan_k,
        impact_cov_en_m2=np.full((K, 2, 2), np.nan),
        sample_impact_lat_deg=ilat,
        sample_impact_lon_deg=ilon,
        zone_probs=({},) * K,
        verdict_kind=np.array([""] * K),
        verdict_country=np.array([""] * K),
        path_t_s=grid,
        path_lat_deg=plat,
        path_lon_deg=plon,
        path_h_m=np.full((K, S, P), np.nan),
    )
