"""Reconstruction: from what an authority reports to a consistent trajectory, and the rest.

An analyst has a launch site, any two or three of range, apogee and flight time (or a range and
a trajectory shape), and a heading: an azimuth, a named sea, or a landing point read from words
(:mod:`.landing`).  :func:`reconstruct` finds a flown trajectory consistent with them
(:mod:`.shaping` on a catalog vehicle, or on a generic boost of public staging picked from the
reported energy, :mod:`.boosts`) and reports what was not reported: flight time or apogee,
burnout speed and angle, impact point, and the *capability*: the range the same burnout energy
reaches on a minimum-energy trajectory, with its class, and a band over boost assumptions.

With all three figures the boost's burn-time scale is fitted so that range, apogee and flight
time agree (the burnout altitude and energy follow); the residuals and a verdict say whether
they agree within the reporting precision ("about" = the rounding of each figure, plus how far
the rounding of range and apogee moves the flight time) with a plausible boost, or which pair
conflicts with the third figure and by how much.  The fitted boost then narrows the capability
band: only the burns whose flight time stays within the precision are kept.

Units: SI inside; the result dictionary uses the units named in its keys.  Burnout speed and
flight-path angle are Earth-relative (ECEF) at burnout.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, TypeAlias, overload

import numpy as np
from scipy.optimize import brentq

from ..earth import geodesy
from ..earth.constants import R_MEAN_M
from . import boosts, kepler
from .boosts import Boost
from .catalog import Vehicle, get_vehicle
from .classes import RANGE_CLASS_NAMES, range_class
from .dynamics import CTRL_ALPHA, CTRL_BURN_FRACTION
from .landing import rounding_halfwidth
from .propagate import VehicleModel, propagate_states
from .shaping import ShapeError, Shot, flight_memo, shape
from .vehicles import vehicle_model

if TYPE_CHECKING:
    from .landing import LandingEstimate

#: The band of boost assumptions: the assumed total burn time times these factors, and never a
#: burn shorter than MIN_BAND_BURN_S (no ballistic missile burns out in a few seconds).
BURN_TIME_BAND = (0.2, 1.2)
MIN_BAND_BURN_S = 20.0


#: Half the WGS84 meridian circumference (the longest geodesic), km.
MAX_RANGE_KM = 20_003.9
#: Circular orbital speed at the surface, km/s: a flight covering its range faster is no arc.
ORBITAL_SPEED_KM_S = 7.9


class ReconstructionError(ValueError):
    """The reported figures cannot be met (the message names the problem)."""


#: Burn-time scales (x the generic boost's public burn times, or a catalog vehicle's estimates)
#: that a joint fit may use and still call the powered flight plausible; beyond them a fit is
#: a sign that the reported figures do not belong together.  The limits are where the search
#: stops.  Our choice (estimate): real missiles of one class differ by less than x1.6 in burn.
FIT_SCALE_PLAUSIBLE = (0.5, 1.6)
FIT_SCALE_LIMITS = (0.3, 2.5)
#: Heading spread (1 sigma, deg) when the heading comes only from a named sea area (estimate:
#: "towards the East Sea" covers roughly the 60-100 deg sector from the peninsula).
SEA_AREA_HEADING_SIGMA_DEG = 10.0
FIGURES = (
    ("range_km", "range", "km"),
    ("apogee_km", "apogee", "km"),
    ("flight_time_s", "flight time", "s"),
)


@overload
def reported_halfwidth(name: str, value: float, *, five_minutes: bool = True) -> float: ...
@overload
def reported_halfwidth(name: str, value: None, *, five_minutes: bool = True) -> None: ...
@overload
def reported_halfwidth(
    name: str, value: float | None, *, five_minutes: bool = True
) -> float | None: ...
def reported_halfwidth(
    name: str, value: float | None, *, five_minutes: bool = True
) -> float | None:
    """Reporting precision of a figure (half its rounding unit): flight times that are whole
    minutes are read to the rounding their minute count shows: a multiple of five minutes
    ("about 45 minutes", "some 70 minutes") as rounded to five minutes (+-150 s), any other
    whole minute to the minute (+-30 s); see :func:`.landing.rounding_halfwidth` for the rest.
    ``five_minutes=False``: every whole minute to the minute (the reading before issue 16's
    reporting-precision rule; ``scripts/published_shots.py`` keeps its fixed views on it)."""
    if value is None:
        return None
    if name == "flight_time_s" and value >= 60.0 and float(value) % 60.0 == 0.0:
        if five_minutes and float(value) % 300.0 == 0.0:
            return MINUTES_ROUNDED_TO_FIVE_S
        return 30.0
    return rounding_halfwidth(float(value))


#: Half-width (s) of a flight time given as a whole multiple of five minutes: read as rounded
#: to five minutes, as "about 250 km" is read to the 50 km (:func:`.landing.rounding_halfwidth`).
#: The rule is issue 16's ("about 45 min" = +-2.5 min), fixed before any derived time was read.
MINUTES_ROUNDED_TO_FIVE_S = 150.0


@dataclass(frozen=True)
class _Power:
    """A powered-flight assumption: the model flown and how to bound its energy knob."""

    model: VehicleModel
    generic: bool
    desc: str
    burn_s: float
    boost: Boost | None
    scale: float

    def bounds(self, range_m: float, apogee_m: float | None) -> tuple[float, float] | None:
        if self.boost is None:
            return None
        return self.boost.thrust_scale_bounds(range_m, apogee_m, self.scale)


def _power(vehicle: str | Vehicle | None, boost: Boost | None, scale: float = 1.0) -> _Power:
    if vehicle is None:
        if boost is None:
            raise ValueError("a generic powered flight needs a boost")
        return _Power(
            boost.model(scale),
            True,
            f"generic {boost.name}" + (f", burn times x{scale:.3g}" if scale != 1.0 else ""),
            boost.total_burn_s * scale,
            boost,
            scale,
        )
    v = vehicle if isinstance(vehicle, Vehicle) else get_vehicle(vehicle)
    if scale != 1.0:
        v = dataclasses.replace(
            v,
            stages=tuple(
                dataclasses.replace(s, burn_time_s=s.burn_time_s * scale) for s in v.stages
            ),
        )
    burn = sum(s.burn_time_s for s in v.stages)
    return _Power(
        vehicle_model(v), False, f"{v.name} (catalog; burn times x{scale:.3g})", burn, None, scale
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Reconstruction:
    """A reconstructed launch: the shot, and what it implies."""

    shot: Shot
    boost: str
    burn_time_s: float
    min_energy_range_m: float
    min_energy_range_band_m: tuple[float, float]
    band_burn_times_s: tuple[float, float]
    requested: dict[str, Any] = field(default_factory=dict)
    fit: dict[str, Any] | None = None
    checks: list[dict[str, Any]] = field(default_factory=list)
    verdict: dict[str, Any] = field(default_factory=dict)
    landing: dict[str, Any] | None = None
    band_note: str = ""
    manoeuvre_band_m: tuple[float, float] | None = None
    manoeuvre: dict[str, Any] | None = None

    def burnout_ecef(self) -> np.ndarray:
        state: np.ndarray = self.shot.result.burnout_ecef[0]
        return state

    def derived_spans(self, halfwidths: dict[str, float] | None = None) -> dict[str, list[float]]:
        """:func:`derived_intervals` of this reconstruction: the derived figure's span within
        the rounding of the two it came from (``halfwidths`` where the report's words give it,
        "about 600 miles"; a range measured to a described landing point is as loose as the
        description)."""
        hw: dict[str, float] = {}
        rng = self.requested.get("range_km")
        if rng is not None and self.landing and self.landing.get("distance_km") is not None:
            hw["range_km"] = max(
                reported_halfwidth("range_km", rng), float(self.landing["distance_halfwidth_km"])
            )
        derived = {
            "range_km": self.shot.range_m / 1e3,
            "apogee_km": self.shot.apogee_m / 1e3,
            "flight_time_s": self.shot.flight_time_s,
        }
        return derived_intervals(derived, self.requested, {**hw, **(halfwidths or {})})

    def as_dict(self) -> dict[str, Any]:
        """The contract of ``launchwatch reconstruct --json`` (units in the key names)."""
        tr = self.shot.result
        bo = self.burnout_ecef()
        r, v = bo[:3], bo[3:]
        speed = float(np.linalg.norm(v))
        gamma = math.degrees(math.asin(float(np.dot(r, v)) / (np.linalg.norm(r) * speed)))
        lat, lon = tr.impact_latlon_deg
        me_km = self.min_energy_range_m / 1e3
        out: dict[str, Any] = {
            "range_km": round(self.shot.range_m / 1e3, 3),
            "apogee_km": round(self.shot.apogee_m / 1e3, 3),
            "flight_time_s": round(self.shot.flight_time_s, 2),
            "burnout_time_s": round(float(tr.t_burnout_s[0]), 2),
            "burnout_altitude_km": round(_height_km(r), 3),
            "burnout_speed_km_s": round(speed / 1e3, 4),
            "burnout_angle_deg": round(gamma, 3),
            "launch_lat": self.shot.lat_deg,
            "launch_lon": self.shot.lon_deg,
            "impact_lat": round(float(lat[0]), 5),
            "impact_lon": round(float(lon[0]), 5),
            "azimuth_deg": round(float(tr.impact_azimuth_deg[0]), 3),
            "launch_azimuth_deg": round(self.shot.launch_azimuth_deg, 3),
            "min_energy_range_km": round(me_km, 1),
            "min_energy_range_band_km": [round(x / 1e3, 1) for x in self.min_energy_range_band_m],
            "range_class": range_class(me_km),
            "assumptions": {
                "boost": self.boost,
                "burn_time_s": round(self.burn_time_s, 1),
                "band_burn_time_s": [round(x, 1) for x in self.band_burn_times_s],
                "band": self.band_note,
                "trajectory": self.requested.get("trajectory"),
                "capability": "same burnout speed and altitude, flight-path angle chosen for the "
                "longest range, same heading, full physics",
                "earth": "WGS84, J2, rotating; US Standard Atmosphere 1976",
            },
            "requested": self.requested,
            "fit": self.fit,
            "checks": self.checks,
            "verdict": self.verdict,
        }
        if self.shot.vehicle.quasi_ballistic:
            ctrl = self.shot.ctrl
            out["assumptions"]["glide"] = {
                "alpha_deg": round(math.degrees(float(ctrl[CTRL_ALPHA])), 3),
                "nominal_alpha_deg": round(math.degrees(self.shot.vehicle.max_alpha_rad), 3),
                "last_stage_burn_fraction": round(float(ctrl[CTRL_BURN_FRACTION]), 4),
                "energy_knob": self.shot.energy_knob,
            }
        if self.manoeuvre_band_m is not None:
            out["manoeuvre_range_band_km"] = [round(x / 1e3, 1) for x in self.manoeuvre_band_m]
        if self.manoeuvre is not None:
            out["manoeuvre"] = self.manoeuvre
        if self.landing is not None:
            out["landing"] = self.landing
        spans = self.derived_spans()
        if spans:
            # the derived figure's span within the rounding of the figures it came from
            out["derived_intervals"] = spans
        return out


#: A powered-flight assumption as a function of the burn-time scale.
Maker: TypeAlias = Callable[[float], _Power]
#: (capability band m, band burn times s, note) of :func:`_band` and :func:`_joint`.
Band: TypeAlias = tuple[tuple[float, float], tuple[float, float], str]


def _height_km(r_ecef: np.ndarray) -> float:
    from ..earth import frames

    _, _, h = frames.ecef_to_geodetic(np.asarray(r_ecef)[None, :])
    return float(h[0]) / 1e3


@dataclass(frozen=True, slots=True)
class _Ask:
    """What one shot is flown through: launch point (deg), range (m), heading (deg), and what
    pins its shape: the apogee (m), else the flight time (s), else a trajectory shape name."""

    lat: float
    lon: float
    range_m: float
    az: float
    apogee_m: float | None = None
    flight_time_s: float | None = None
    trajectory: str | None = None

    def through(
        self,
        *,
        range_m: float | None = None,
        apogee_m: float | None = None,
        flight_time_s: float | None = None,
        trajectory: str | None = None,
    ) -> _Ask:
        """Same launch point and heading, at ``range_m`` (default: this range), pinned only
        by the figures given."""
        r = self.range_m if range_m is None else range_m
        return _Ask(self.lat, self.lon, r, self.az, apogee_m, flight_time_s, trajectory)


#: Most shaped shots one :func:`reconstruct` call may fly (each is a bounded batch of
#: trajectories, :mod:`.shaping`): a limit on the work one request (CLI, record ingest, the
#: service's upload) can make us do.  The heaviest reconstructions seen fly about 25 (a
#: three-figure quasi-ballistic fit, a beyond-reach error with its closest reachable figures).
MAX_SHOTS = 120


class _Shots(dict[tuple[Any, ...], "Shot | ShapeError"]):
    """Shots shaped during the current top-level :func:`reconstruct` call, by what was flown
    (the model's arrays, launch point, heading, range, shape and energy bounds): the
    quasi-ballistic band's search flies a body, then the result is reconstructed on it; the
    same shot is shaped once.  Failures are kept too (the exception, raised again).  Past
    :data:`MAX_SHOTS` every new shot fails at once and the call ends in a one-line error."""

    over = False

    def __init__(self) -> None:
        super().__init__()
        #: :func:`capability_range_m` of the shots of this call, by shot
        self.capability: dict[tuple[Any, ...], tuple[Shot, float]] = {}


_SHOTS: ContextVar[_Shots | None] = ContextVar("_SHOTS", default=None)


def _shape(
    power: _Power, ask: _Ask, trajectory: str = "min-energy", apogee_m: float | None = None
) -> Shot:
    """One shaped shot of ``power`` from the launch point over the range on the heading of
    ``ask`` (the energy knob searched within the boost's bounds for these figures)."""
    range_m = ask.range_m
    bounds = power.bounds(range_m, apogee_m)
    memo = _SHOTS.get()
    key = (
        power.model.cache_key(),
        power.generic,
        ask.lat,
        ask.lon,
        range_m,
        ask.az,
        trajectory,
        apogee_m,
        bounds,
    )
    if memo is not None and key in memo:
        hit = memo[key]
        if isinstance(hit, ShapeError):
            raise hit
        return hit
    if memo is not None and len(memo) >= MAX_SHOTS:
        memo.over = True
        raise ShapeError(f"more than {MAX_SHOTS} shaped shots")
    try:
        shot = shape(
            power.model,
            ask.lat,
            ask.lon,
            range_m,
            ask.az,
            trajectory=trajectory,
            apogee_m=apogee_m,
            generic=power.generic,
            energy_bounds=bounds,
        )
    except ShapeError as exc:
        if memo is not None:
            memo[key] = exc
        raise
    if memo is not None:
        memo[key] = shot
    return shot


def _fly(power: _Power, ask: _Ask) -> Shot:
    """Shape a shot of ``power`` through the figures of ``ask`` (apogee, or flight time, or
    shape)."""
    if ask.apogee_m is not None:
        try:
            return _shape(power, ask, "lofted", ask.apogee_m)
        except ShapeError:
            return _shape(power, ask, "depressed", ask.apogee_m)
    if ask.flight_time_s is None:
        assert ask.trajectory is not None, "one figure: the trajectory shape is required"
        return _shape(power, ask, ask.trajectory)
    return _shoot(power, ask, ask.flight_time_s)


class _TimeMiss:
    """Flight time minus the reported one (s) of the shot through apogee ``h`` (m), on one
    trajectory shape; every shot flown is kept, so the root's shot is not flown twice."""

    def __init__(self, power: _Power, ask: _Ask, traj: str, flight_time_s: float) -> None:
        self.power, self.ask, self.traj = power, ask, traj
        self.flight_time_s = flight_time_s
        self.shots: dict[float, Shot] = {}

    def __call__(self, h: float) -> float:
        self.shots[h] = _shape(self.power, self.ask, self.traj, h)
        return self.shots[h].flight_time_s - self.flight_time_s

    def root(self, lo: float | None, hi: float | None) -> Shot:
        """The shot whose flight time is the reported one, between apogees ``lo`` and ``hi``
        (m; ``None`` = the walk found no bracket: the one-line error)."""
        if lo is None or hi is None:
            raise ReconstructionError(
                f"no trajectory of the {self.power.model.name} covers "
                f"{self.ask.range_m / 1e3:,.0f} km in "
                f"{self.flight_time_s:,.0f} s"
            )
        h_star = float(brentq(self, lo, hi, xtol=10.0, rtol=1e-6))
        if h_star not in self.shots:
            self(h_star)
        return self.shots[h_star]


def _shoot(power: _Power, ask: _Ask, flight_time_s: float) -> Shot:
    """The shot over ``range_m`` that lasts ``flight_time_s``: find its apogee (lofted above
    the minimum-energy time, depressed below)."""
    try:
        me = _shape(power, ask)
    except ShapeError:
        # A long, heavy boost may not manage the minimum-energy shot of a short range: start
        # from the Kepler arc's apogee for the reported time instead (an overestimate, since the
        # powered flight adds time) and walk down.
        return _shoot_from_kepler(power, ask, flight_time_s)
    h_me, t_me = me.apogee_m, me.flight_time_s
    traj = "lofted" if flight_time_s > t_me else "depressed"
    miss = _TimeMiss(power, ask, traj, flight_time_s)
    if abs(flight_time_s - t_me) < 1e-3 * t_me:
        return me
    lo: float | None
    hi: float | None
    lo, hi = (h_me * 1.0005, None) if traj == "lofted" else (None, h_me * 0.9995)
    # Bracket by walking away from the minimum-energy apogee.
    for step in range(1, 40):
        h = h_me * 1.3**step if traj == "lofted" else h_me * 0.85**step
        if h <= 1e3:
            break
        try:
            m = miss(h)
        except ShapeError:
            break
        if (m > 0) == (traj == "lofted"):
            if traj == "lofted":
                hi = h
            else:
                lo = h
            break
        if traj == "lofted":
            lo = h
        else:
            hi = h
    return miss.root(lo, hi)


def _shoot_from_kepler(power: _Power, ask: _Ask, flight_time_s: float) -> Shot:
    range_m = ask.range_m
    psi = range_m / R_MEAN_M
    h_k = kepler.apogee_for_flight_time(R_MEAN_M, psi, flight_time_s)
    h_me = 0.25 * range_m  # minimum-energy apogee, about a quarter of the range (notes)
    traj = "lofted" if h_k > h_me else "depressed"
    miss = _TimeMiss(power, ask, traj, flight_time_s)
    hi, m_hi = h_k, miss(h_k)
    lo: float | None = None
    for _ in range(30):
        h = hi * 0.85
        try:
            m = miss(h)
        except ShapeError:
            break
        if (m < 0) == (m_hi > 0):
            lo = h
            break
        hi, m_hi = h, m
    return miss.root(lo, hi)


def _fit_scale(
    make: Maker, ask: _Ask, t_rep: float, tol_s: float, allow_s: float = 0.0
) -> tuple[float, Shot, _Power, dict[float, float]]:
    """Secant on the burn-time scale so that the range-and-apogee shot lasts ``t_rep``.
    Returns (scale, shot, power, {scale: flight time}) of the closest flight time found, unless
    that scale is outside :data:`FIT_SCALE_PLAUSIBLE` while a plausible scale tried flies within
    ``allow_s`` (the reporting precision) of ``t_rep``: then that one (the secant chasing the
    rounded figure to the second must not turn figures that agree into "inconsistent")."""
    seen: dict[float, tuple[Shot, _Power]] = {}

    def ft(f: float) -> tuple[float, float]:
        f = float(np.clip(f, *FIT_SCALE_LIMITS))
        if f not in seen:
            p = make(f)
            seen[f] = (_fly(p, ask), p)
        return f, seen[f][0].flight_time_s

    f0, t0 = ft(1.0)
    f1 = 1.3 if t0 < t_rep else 0.75
    try:
        f1, t1 = ft(f1)
    except ShapeError:
        f1, t1 = ft(0.5 * (1.0 + f1))
    for _ in range(6):
        if abs(t1 - t_rep) <= tol_s or t1 == t0:
            break
        f2 = f1 + (t_rep - t1) * (f1 - f0) / (t1 - t0)
        f2 = float(np.clip(f2, *FIT_SCALE_LIMITS))
        if f2 == f1:
            break
        try:
            f0, t0, (f1, t1) = f1, t1, ft(f2)
        except ShapeError:
            break
    times = {f: s.flight_time_s for f, (s, _) in seen.items()}
    lo, hi = FIT_SCALE_PLAUSIBLE

    def rank(f: float) -> tuple[bool, float, float]:
        # Out of the reporting precision: the closest time (as before); within it: a plausible
        # scale first, then the closest time.
        miss = abs(times[f] - t_rep)
        if miss > allow_s:
            return True, 0.0, miss
        return False, max(lo - f, f - hi, 0.0), miss

    best = min(times, key=rank)
    return best, seen[best][0], seen[best][1], times


def _slope(times: dict[float, float], f: float) -> float:
    """dT/dscale (s per unit scale) from the two evaluated scales nearest ``f``."""
    fs = sorted(times, key=lambda x: abs(x - f))[:2]
    if len(fs) < 2 or fs[0] == fs[1]:
        return math.nan
    return (times[fs[0]] - times[fs[1]]) / (fs[0] - fs[1])


def _kepler_time_spread(
    range_m: float, apogee_m: float, hw_range_m: float, hw_apogee_m: float
) -> float:
    """How much the flight time can move (s) within the range and apogee's reporting precision
    (surface-to-surface Kepler arcs; an allowance, not a fit)."""

    t = kepler_floor_s
    t0 = t(range_m, apogee_m)
    dr = abs(t(range_m + hw_range_m, apogee_m) - t0)
    dh = abs(t(range_m, apogee_m + hw_apogee_m) - t0)
    return math.hypot(dr, dh)


def kepler_floor_s(range_m: float, apogee_m: float) -> float:
    """Flight time (s) of the Kepler arc from surface to surface (mean-radius sphere, no
    rotation, no atmosphere) over ``range_m`` through ``apogee_m``."""
    return float(kepler.arc_from_apogee(R_MEAN_M, apogee_m, range_m / R_MEAN_M)[2])


def flight_time_floor_s(
    range_m: float, apogee_m: float, azimuth_deg: float, lat_deg: float
) -> float:
    """The shortest flight time (s) any missile can take over ``range_m`` (on the ground)
    through ``apogee_m`` on heading ``azimuth_deg`` from latitude ``lat_deg``: the Kepler arc
    from surface to surface that meets the impact point where the rotating Earth has carried it
    (:func:`.kepler.rotating_arc_time`).  On an eastward lofted shot the rotation adds time (34 s
    of a 70 min ICBM shot, 10 s of a 30 min IRBM shot); westward it takes a few seconds off.
    The flight core's own rotation effect agrees to a second (tests/flight/
    test_flight_time_floor.py).  A boost only adds time (its climb is slower than the arc's
    start: 0.6-0.9 s per s of burn on the lofted shots measured); apogee above the ellipsoid
    rather than above the mean sphere moves it by ~1 s, drag by < 1 s
    (``scripts/published_shots.py --sensitivity DATE`` measures each)."""
    return float(
        kepler.rotating_arc_time(R_MEAN_M, apogee_m, range_m / R_MEAN_M, lat_deg, azimuth_deg)
    )


def reporting_allowance_s(
    range_km: float, apogee_km: float, flight_time_s: float, *, five_minutes: bool = True
) -> float:
    """How far (s) a flight time may sit from the one derived from range and apogee and still
    agree within the reporting precision: the flight time's own rounding plus what the range
    and apogee's rounding moves the arc by (:func:`reported_halfwidth`, Kepler arcs;
    ``five_minutes`` as there)."""
    spread = _kepler_time_spread(
        range_km * 1e3,
        apogee_km * 1e3,
        1e3 * _figure_halfwidth("range_km", range_km),
        1e3 * _figure_halfwidth("apogee_km", apogee_km),
    )
    return _figure_halfwidth("flight_time_s", flight_time_s, five_minutes=five_minutes) + spread


#: Grids the derived intervals are read off (:func:`derived_intervals`): range angle (rad)
#: and apogee height (m) of surface-to-surface Kepler arcs, whose time grows with both.
_PSI_GRID = np.linspace(1e-4, math.pi * 0.999, 4001)
_APOGEE_GRID_M = np.geomspace(1e3, 50.0 * R_MEAN_M, 4001)


def derived_intervals(
    derived: dict[str, float],
    reported: dict[str, float | None],
    halfwidths: dict[str, float] | None = None,
) -> dict[str, list[float]]:
    """The span ``[lo, hi]`` of each figure derived from the two reported ones (km, s), when
    each reported figure moves within its rounding (``halfwidths``, else
    :func:`reported_halfwidth`): "about 70 minutes" (+-150 s) at a 6,000 km apogee leaves the
    range anywhere from a few hundred to a few thousand km.  ``derived`` holds the
    reconstruction's range, apogee and flight time; ``reported`` the figures it was given
    (``None`` for the derived one).  Read on surface-to-surface Kepler arcs through the
    corners of the reported figures' rounding box, each offset by what the boost adds to the
    arc through the derived figures (the reconstruction's time less its arc's): an allowance,
    not a fit.  Empty unless exactly two figures were reported."""
    names = ("range_km", "apogee_km", "flight_time_s")
    given = [n for n in names if reported.get(n) is not None]
    if len(given) != 2 or any(derived.get(n) is None for n in names):
        return {}
    hw = {
        n: float((halfwidths or {}).get(n, reported_halfwidth(n, reported[n])) or 0.0)
        for n in given
    }
    r_m, a_m, t_s = (float(derived[n]) * (1.0 if n == "flight_time_s" else 1e3) for n in names)
    boost_s = t_s - kepler_floor_s(r_m, a_m)
    (free,) = (n for n in names if n not in given)
    corners = np.array(
        [
            [derived[given[0]] + i * hw[given[0]], derived[given[1]] + j * hw[given[1]]]
            for i in (-1.0, 0.0, 1.0)
            for j in (-1.0, 0.0, 1.0)
        ]
    )
    corners = np.maximum(corners, 1e-3)
    if free == "flight_time_s":
        rng, apo = corners[:, 0] * 1e3, corners[:, 1] * 1e3
        vals = np.asarray(kepler.arc_from_apogee(R_MEAN_M, apo, rng / R_MEAN_M)[2], float) + boost_s
    elif free == "range_km":
        apo, t = corners[:, 0] * 1e3, corners[:, 1] - boost_s
        times = np.asarray(
            kepler.arc_from_apogee(R_MEAN_M, apo[:, None], _PSI_GRID[None, :])[2], float
        )
        vals = np.array(
            [
                np.interp(tt, row, _PSI_GRID) * R_MEAN_M / 1e3
                for tt, row in zip(t, times, strict=True)
            ]
        )
    else:  # the apogee, from range and flight time
        rng, t = corners[:, 0] * 1e3, corners[:, 1] - boost_s
        times = np.asarray(
            kepler.arc_from_apogee(R_MEAN_M, _APOGEE_GRID_M[None, :], (rng / R_MEAN_M)[:, None])[2],
            float,
        )
        vals = np.array(
            [np.interp(tt, row, _APOGEE_GRID_M) / 1e3 for tt, row in zip(t, times, strict=True)]
        )
    # the arcs' reading of the derived figure itself is the centre corner's; the interval is
    # carried around the reconstruction's own value
    centre = float(vals[4])
    value = float(derived[free])
    lo, hi = float(np.min(vals)) - centre + value, float(np.max(vals)) - centre + value
    return {free: [round(max(lo, 0.0), 1), round(hi, 1)]}


def _checks(shot: Shot, rep: dict[str, float | None]) -> list[dict[str, Any]]:
    derived = {
        "range_km": shot.range_m / 1e3,
        "apogee_km": shot.apogee_m / 1e3,
        "flight_time_s": shot.flight_time_s,
    }
    out = []
    for name, _label, _unit in FIGURES:
        v = rep.get(name)
        if v is None:
            continue
        hw = _figure_halfwidth(name, v)
        off = derived[name] - v
        out.append(
            {
                "figure": name,
                "reported": v,
                "derived": round(derived[name], 2),
                "precision": hw,
                "off": round(off, 2),
                "off_pct": round(100.0 * off / v, 2),
                "within": abs(off) <= hw + 1e-9,
            }
        )
    return out


def _apogee_time_verdict(checks: list[dict[str, Any]], shot: Shot) -> dict[str, Any] | None:
    """An apogee and a flight time with no range: the range is solved for the time, so the
    only check is whether the time was met.  ``None`` when it was (within its rounding); else
    the two figures cannot be one flight ("100 km apogee in 10 s": even a drop from the apogee
    takes longer), said with the closest flight found instead of replacing the reported time
    silently."""
    miss = next((c for c in checks if c["figure"] == "flight_time_s" and not c["within"]), None)
    if miss is None:
        return None
    return {
        "status": "inconsistent",
        "conflict": {
            "figures": ["apogee_km"],
            "against": "flight_time_s",
            "reported": miss["reported"],
            "derived_s": [miss["derived"], miss["derived"]],
            "off_s": round(miss["reported"] - miss["derived"], 0),
            "off_pct": round(100.0 * (miss["reported"] - miss["derived"]) / miss["reported"], 1),
        },
        "summary": f"flight time {miss['reported']:,.0f} s cannot go with apogee "
        f"{shot.apogee_m / 1e3:,.0f} km: the closest flight through that apogee found lasts "
        f"{miss['derived']:,.0f} s (range {shot.range_m / 1e3:,.0f} km)",
    }


def _solve_range(make: Maker, ask: _Ask, apogee_m: float, t_rep: float) -> float:
    """Range (m) at which a shot through ``apogee_m`` lasts ``t_rep``: a Kepler first guess
    (free flight = reported time less half the burn), then secant steps on the range."""
    p = make(1.0)
    t_free = max(t_rep - 0.5 * p.burn_s, 0.3 * t_rep)
    lo, hi = 1e-4, math.pi * 0.999
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        if float(kepler.arc_from_apogee(R_MEAN_M, apogee_m, mid)[2]) < t_free:
            lo = mid
        else:
            hi = mid
    r0 = max(0.5 * (lo + hi) * R_MEAN_M, 20e3)

    def fly(r: float) -> Shot:
        return _fly(make(1.0), ask.through(range_m=r, apogee_m=apogee_m))

    def ft(r: float) -> float:
        return fly(r).flight_time_s

    # A lofted arc's time barely grows with range near zero: the Kepler guess can fall below
    # the shortest range the boost flies through the apogee (6,000 km at 69 min: ~20 km,
    # where the boost's shortest is ~200 km); start from the first that flies.
    r0, s0 = _first_flying(fly, [r0, 2 * r0, 4 * r0, 8 * r0, 300e3, 1000e3])
    t0 = s0.flight_time_s
    r1 = r0 * (1.1 if t0 < t_rep else 0.9)
    try:
        t1 = ft(r1)
    except (ShapeError, ReconstructionError):
        r1 = r0 * (1.1 if r1 < r0 else 0.9)
        t1 = ft(r1)
    for _ in range(6):
        if abs(t1 - t_rep) < 1.0 or t1 == t0:
            break
        r2 = max(r1 + (t_rep - t1) * (r1 - r0) / (t1 - t0), 10e3)
        for _ in range(3):  # a step into what does not fly: halve it back towards r1
            try:
                t2 = ft(r2)
                break
            except (ShapeError, ReconstructionError):
                r2 = 0.5 * (r1 + r2)
        else:
            break  # r1 is the closest flyable range found
        r0, t0, r1, t1 = r1, t1, r2, t2
    return r1


def reconstruct(
    *,
    lat_deg: float,
    lon_deg: float,
    range_km: float | None = None,
    azimuth_deg: float | None = None,
    apogee_km: float | None = None,
    flight_time_s: float | None = None,
    trajectory: str | None = None,
    vehicle: str | Vehicle | None = None,
    propellant: str | None = None,
    landing: LandingEstimate | None = None,
    burn_time_s: float | None = None,
    glide: bool = False,
    precision: dict[str, float] | None = None,
) -> Reconstruction:
    """Reconstruct a launch from any two or three of range, apogee and flight time (or the
    range and a trajectory shape), a heading (``azimuth_deg``) or a landing estimate
    (:class:`.landing.LandingEstimate`, which also gives the range when none is reported);
    see the module docstring.  ``glide``: the report's words name a glide vehicle
    ("hypersonic", "glide"): a low, long shot then flies the catalog's glide class at any
    range (:func:`_quasi_ballistic_vehicle`).  ``precision``: half the rounding of a figure
    where the report's words give it and its digits do not (``{"flight_time_s": 450.0}`` for
    "about an hour", ``{"range_km": 80.5}`` for "about 600 miles"), used by the joint verdict
    and the checks instead of :func:`reported_halfwidth`.  ``burn_time_s`` is accepted for
    compatibility and ignored."""
    del burn_time_s
    args: dict[str, Any] = dict(
        lat_deg=lat_deg,
        lon_deg=lon_deg,
        range_km=range_km,
        azimuth_deg=azimuth_deg,
        apogee_km=apogee_km,
        flight_time_s=flight_time_s,
        trajectory=trajectory,
        vehicle=vehicle,
        propellant=propellant,
        landing=landing,
        glide=glide,
    )
    token = _PRECISION.set(dict(precision or {}))
    try:
        return _reconstruct_top(args)
    finally:
        _PRECISION.reset(token)


#: The report's own roundings for the top-level :func:`reconstruct` call (its ``precision``).
_PRECISION: ContextVar[dict[str, float]] = ContextVar("_PRECISION", default={})  # noqa: B039


def _figure_halfwidth(name: str, value: float, *, five_minutes: bool = True) -> float:
    """Half the rounding of reported figure ``name`` = ``value``: the report's own where
    :func:`reconstruct` was given it, else :func:`reported_halfwidth` (``five_minutes`` as
    there)."""
    stated = _PRECISION.get().get(name)
    if stated is not None:
        return float(stated)
    return reported_halfwidth(name, value, five_minutes=five_minutes)


def _reconstruct_top(args: dict[str, Any]) -> Reconstruction:
    """:func:`_reconstruct` with keyword arguments ``args``, within one request's limit on
    shaped shots (:data:`MAX_SHOTS`) when this is the top-level call."""
    if _SHOTS.get() is not None:
        return _reconstruct(**args)
    shots = _Shots()
    token = _SHOTS.set(shots)  # the top-level call: each shot shaped once within it
    try:
        with flight_memo():  # and each batch of trajectories flown once
            rec = _reconstruct(**args)
    except ReconstructionError:
        if not shots.over:
            raise
        rec = None
    finally:
        _SHOTS.reset(token)
    if shots.over:
        raise ReconstructionError(
            f"reconstructing these figures needs more than {MAX_SHOTS} shaped shots, the limit "
            "on one request's work: give fewer figures or a named vehicle"
        )
    assert rec is not None
    return rec


def _reconstruct(
    *,
    lat_deg: float,
    lon_deg: float,
    range_km: float | None,
    azimuth_deg: float | None,
    apogee_km: float | None,
    flight_time_s: float | None,
    trajectory: str | None,
    vehicle: str | Vehicle | None,
    propellant: str | None,
    landing: LandingEstimate | None,
    glide: bool = False,
    ballistic_only: bool = False,
) -> Reconstruction:
    if range_km is not None and range_km <= 0:
        raise ReconstructionError("range must be positive")
    if apogee_km is not None and apogee_km <= 0:
        raise ReconstructionError("apogee must be above zero")
    if flight_time_s is not None and flight_time_s <= 0:
        raise ReconstructionError("flight time must be positive")
    if not -90.0 <= lat_deg <= 90.0:
        raise ReconstructionError(f"latitude {lat_deg} is outside [-90, 90]")
    if azimuth_deg is None and landing is None:
        raise ReconstructionError("no heading: give an azimuth, a sea area or a landing point")
    if azimuth_deg is None:
        assert landing is not None  # checked just above
        az, _, dist = geodesy.inverse(lat_deg, lon_deg, landing.lat_deg, landing.lon_deg)
        azimuth_deg = float(np.mod(az, 360.0))
        if range_km is None and landing.distance_km is not None:
            range_km = float(dist) / 1e3
    if range_km is not None and range_km >= MAX_RANGE_KM:
        raise ReconstructionError(
            f"range {range_km:,.0f} km is beyond half the Earth's circumference "
            f"({MAX_RANGE_KM:,.0f} km): no ballistic arc is that long"
        )
    if (
        range_km is not None
        and flight_time_s is not None
        and (flight_time_s < range_km / ORBITAL_SPEED_KM_S)
    ):
        raise ReconstructionError(
            f"{range_km:,.0f} km in {flight_time_s:,.0f} s would need more than orbital speed "
            f"({ORBITAL_SPEED_KM_S} km/s): no ballistic arc is that fast"
        )
    n_fig = sum(x is not None for x in (range_km, apogee_km, flight_time_s))
    if range_km is None and n_fig < 2:
        raise ReconstructionError("give the range, or the apogee and the flight time")
    if n_fig == 1 and trajectory is None:
        trajectory = "min-energy"
    apogee_m = None if apogee_km is None else apogee_km * 1e3
    reported = {"range_km": range_km, "apogee_km": apogee_km, "flight_time_s": flight_time_s}
    range_given = range_km is not None
    hint_range_m = range_km * 1e3 if range_km is not None else None
    if hint_range_m is None:  # apogee + flight time: the Kepler range that lasts the time
        hint_range_m = 1000e3
    hint_apogee = apogee_m
    if hint_apogee is None and flight_time_s is not None:
        hint_apogee = kepler.apogee_for_flight_time(
            R_MEAN_M, hint_range_m / R_MEAN_M, flight_time_s
        )
    qb_class = None
    if (
        vehicle is None
        and not ballistic_only
        and apogee_m is not None
        and range_km is not None
        and apogee_m < QUASI_BALLISTIC_APOGEE_M
        and range_km * 1e3 > 3.0 * apogee_m
    ):
        # A low apogee over a long range is the quasi-ballistic (pull-up, gliding) regime: fly
        # the catalog's lifting class, and say so in the output.
        vehicle = qb_class = _quasi_ballistic_vehicle(range_km, glide)
    boost = None if vehicle is not None else boosts.pick(hint_range_m, hint_apogee, propellant)
    options: list[Boost | None]
    if boost is None:
        options = [None]
    else:
        # For the joint fit: every public staging of the allowed propellant(s), the picked one
        # first (a report rarely says how many stages burned, or for how long).
        props = [propellant] if propellant in boosts.PROPELLANTS else list(boosts.PROPELLANTS)
        extra = [
            b
            for p in props
            for b in (
                boosts.pick(hint_range_m, hint_apogee, p),
                *[x for x in boosts.load_boosts() if x.propellant == p],
            )
        ]
        options = list({b.name: b for b in [boost, *extra]}.values())

    def maker(b: Boost | None) -> Maker:
        return lambda f: _power(vehicle, b, f)

    make = maker(boost)
    requested = {
        "range_km": range_km,
        "apogee_km": apogee_km,
        "flight_time_s": flight_time_s,
        "trajectory": trajectory if apogee_m is None and flight_time_s is None else None,
        "azimuth_deg": azimuth_deg,
        "vehicle": None if qb_class else getattr(vehicle, "name", vehicle),
        "propellant": propellant,
    }
    if qb_class:
        requested["quasi_ballistic_class"] = qb_class
    ask = _Ask(lat_deg, lon_deg, hint_range_m, azimuth_deg, apogee_m, flight_time_s, trajectory)
    try:
        if range_km is None:
            # apogee and flight time (two figures without the range)
            assert apogee_m is not None and flight_time_s is not None
            ask = ask.through(
                range_m=_solve_range(make, ask, apogee_m, flight_time_s),
                apogee_m=apogee_m,
                flight_time_s=flight_time_s,
            )
        range_m = ask.range_m
        fit = None
        joint_band: Band | None = None
        if apogee_m is not None and flight_time_s is not None and range_given:
            fit, shot, power, joint_band = _joint(options, maker, ask, reported)
            make = maker(next(b for b in options if b is None or power.boost is b))
        else:
            power = make(1.0)
            shot = _fly(power, ask)
    except (ShapeError, ReconstructionError) as exc:
        qb = _quasi_ballistic_vehicle(range_km, glide)
        if (
            (vehicle is None or qb_class is not None)
            and not ballistic_only
            and apogee_m is not None
            and range_given
            and qb is not None
            and apogee_m < QUASI_BALLISTIC_APOGEE_M
            and range_m > 3.0 * apogee_m
        ):
            # A low apogee over a long range: no ballistic boost flies it; a quasi-ballistic
            # body with a pull-up glide does (the catalog's lifting class, its lift and energy
            # raised within the class's limits), said in the output.
            kw = {
                "lat_deg": lat_deg,
                "lon_deg": lon_deg,
                "range_km": range_km,
                "azimuth_deg": azimuth_deg,
                "apogee_km": apogee_km,
                "flight_time_s": flight_time_s,
                "landing": landing,
            }
            # The class the rule picks; when even its limits cannot fly range and apogee, the
            # other lifting classes, nearest first (every reachable shot reconstructs; the
            # output names the class flown and the one refused).
            order = _lifting_fallbacks(qb)
            first: _ClassLimitError | None = None
            for name in order:
                try:
                    rec = _quasi_ballistic(
                        name, kw, ask, exc, catalog_tried=qb_class is not None and name == qb
                    )
                except _ClassLimitError as err:
                    first = first or err
                    continue
                if name != qb:
                    rec.requested["quasi_ballistic_class_refused"] = (
                        f"{qb}: cannot fly these figures within its limits"
                    )
                return rec
            assert first is not None
            if qb_class is not None:
                # The rule picked a lifting class for a low shot, but none flies it: a short,
                # steep-enough arc ("100 km at 20 km apogee", a rocket's ordinary trajectory)
                # is flown by the generic ballistic boost; the lifting class's error stands
                # when that cannot fly it either (it names the closest reachable figures).
                try:
                    rec = _reconstruct(
                        lat_deg=lat_deg,
                        lon_deg=lon_deg,
                        range_km=range_km,
                        azimuth_deg=azimuth_deg,
                        apogee_km=apogee_km,
                        flight_time_s=flight_time_s,
                        trajectory=trajectory,
                        vehicle=None,
                        propellant=propellant,
                        landing=landing,
                        glide=glide,
                        ballistic_only=True,
                    )
                except ReconstructionError as ballistic:
                    # the lifting class's closest figures, unless it found none and the
                    # ballistic boost did (a long, low shot: the ICBM's lowest apogee)
                    keeps = f"at {range_km:,.0f} km the closest flyable apogee"
                    if (NO_CLOSEST in str(first) and NO_CLOSEST not in str(ballistic)) or (
                        keeps in str(ballistic) and keeps not in str(first)
                    ):
                        raise ReconstructionError(str(ballistic)) from None
                    raise ReconstructionError(str(first)) from None
                rec.requested["quasi_ballistic_class_refused"] = (
                    f"{qb_class} and the other lifting classes: cannot fly these figures "
                    "within their limits; flown by the generic ballistic boost"
                )
                return rec
            raise ReconstructionError(str(first)) from None
        raise ReconstructionError(_reach_message(exc, make, ask, range_given)) from None
    checks = _checks(shot, reported) if n_fig >= 2 else []
    verdict = (fit or {}).pop("verdict", None) if fit else None
    if verdict is None and not range_given and n_fig == 2:
        verdict = _apogee_time_verdict(checks, shot)
    if verdict is None:
        verdict = {
            "status": "not checked" if n_fig < 3 else "consistent",
            "summary": "two figures: the third is derived, nothing to check against"
            if n_fig == 2
            else "one figure: nothing to check",
        }
    cap = capability_range_m(shot)
    if joint_band is None:
        band, burns, note = _band(make, power, ask, cap)
    else:
        band, burns, note = joint_band
    manoeuvre = None
    if shot.vehicle.quasi_ballistic:
        manoeuvre = _manoeuvre_band(shot)
    return Reconstruction(
        shot=shot,
        boost=power.desc,
        burn_time_s=power.burn_s,
        min_energy_range_m=cap,
        min_energy_range_band_m=band,
        band_burn_times_s=burns,
        requested=requested,
        fit=fit,
        checks=checks,
        verdict=verdict,
        band_note=note,
        landing=None if landing is None else landing.as_dict(),
        manoeuvre_band_m=manoeuvre,
    )


#: Below this apogee a shot of more than three times its apogee in range is flown by a
#: quasi-ballistic (pull-up, gliding) class when no ballistic boost can (the KN-23 class flies
#: ~50 km apogees over 450-700 km; physics notes).
QUASI_BALLISTIC_APOGEE_M = 120e3


class _ClassLimitError(ReconstructionError):
    """A lifting class at its limits cannot fly the reported range and apogee."""


def _lifting_fallbacks(qb: str) -> list[str]:
    """``qb`` first, then the catalog's other lifting classes by range-class distance."""
    classes = _lifting_classes()
    rank = next(r for r, _, n in classes if n == qb)
    others = sorted((abs(r - rank), r, n) for r, _, n in classes if n != qb)
    return [qb, *(n for _, _, n in others)]


@cache
def _lifting_classes() -> tuple[tuple[int, bool, str], ...]:
    """The catalog's lifting (quasi-ballistic) bodies as (range-class rank, whether a glide
    vehicle separates, name), shortest range class first."""
    from .catalog import packaged_vehicles

    return tuple(
        sorted(
            (RANGE_CLASS_NAMES.index(v.range_class), v.body_separates, v.name)
            for v in packaged_vehicles().values()
            if v.quasi_ballistic
        )
    )


def _quasi_ballistic_vehicle(range_km: float | None = None, glide: bool = False) -> str | None:
    """The lifting class that flies a low, long shot of ``range_km``: the catalog's lifting body
    of the shortest range class that is not below the class of the range flown.  The rule
    (fixed before any flight time was compared): range classes go by a missile's maximum range
    (:mod:`.classes`), and a missile that flew ``range_km`` has a maximum range of at least
    that, so a shot of 1,000 km or more is no SRBM's, whatever its energy could do on another
    arc; below that the SRBM class (KN-23) flies it, at or above it the glide-IRBM class
    (a two-stage boost and a separating glide vehicle, vehicles.yaml).  With ``glide`` (the
    report's words name a glide vehicle) the shortest class whose glide vehicle separates, at
    any range.  ``None`` when the catalog has no lifting body."""
    classes = _lifting_classes()
    if not classes:
        return None
    need = 0 if range_km is None else RANGE_CLASS_NAMES.index(range_class(range_km))
    fits = [name for rank, sep, name in classes if rank >= need and (sep or not glide)]
    if glide and not fits:
        fits = [name for _, sep, name in classes if sep]
    return fits[0] if fits else classes[-1][2]


#: Largest peak lift-to-drag ratio a quasi-ballistic (KN-23 / Iskander-class) body's pull-up is
#: taken to reach: estimate (ours), the project's figure for slender manoeuvring bodies at
#: hypersonic speed ("stay below ~2", :data:`launchwatch.assess.lift.ELL_MAX`'s note).  Our
#: reasoning: a finned missile body is a slender cone-cylinder, not a lifting body shaped for
#: glide (purpose-built boost-glide vehicles are quoted higher; we could not confirm a published
#: figure, so none is given here), and the flight core's law (lift slope times angle of attack,
#: induced drag slope times its square) peaks at ``0.5 sqrt(C_L,alpha / Cd0)``: the catalog's
#: KN-23 (C_L,alpha 3.0 /rad, Cd 0.22 at Mach 10, both estimates) peaks at 1.85, and 2 is that
#: with about 17 % more lift slope, a modest margin rather than a new airframe.
QB_LIFT_TO_DRAG_MAX = 2.0
#: Bisection steps on the added propellant (each flies one shaped shot).
QB_ENERGY_STEPS = 6


def _hypersonic_cd(v: Vehicle) -> float:
    """Drag coefficient at the highest Mach of the vehicle's table (its lowest-drag glide)."""
    return float(v.cd_mach[-1][1])


def lift_to_drag_max(v: Vehicle) -> float:
    """Peak lift-to-drag ratio of a lifting vehicle's glide: ``C_L = C_L,alpha alpha`` with
    induced drag ``C_L,alpha alpha^2`` (the flight core's law) over the hypersonic drag
    ``Cd0``: ``0.5 sqrt(C_L,alpha / Cd0)`` at ``alpha = sqrt(Cd0 / C_L,alpha)``."""
    cla = v.lift.cl_alpha_per_rad if v.lift else 0.0
    return 0.5 * math.sqrt(cla / _hypersonic_cd(v))


def lift_to_drag(v: Vehicle, alpha_rad: float) -> float:
    """Lift-to-drag ratio of the glide at angle of attack ``alpha_rad`` (hypersonic drag)."""
    cla = v.lift.cl_alpha_per_rad if v.lift else 0.0
    return cla * alpha_rad / (_hypersonic_cd(v) + cla * alpha_rad**2)


def _launch_mass_kg(v: Vehicle) -> float:
    return v.payload_mass_kg + sum(s.propellant_mass_kg + s.dry_mass_kg for s in v.stages)


def _qb_variant(base: Vehicle, ld: float, added_kg: float) -> Vehicle:
    """The class body with its lift slope raised to a peak L/D of ``ld`` (when above the
    catalog's) and ``added_kg`` more propellant, spread over its stages in proportion and burnt
    in the same times (thrust rises with the mass flow), Isp and dry masses unchanged."""
    v = base
    changes = []
    if ld > lift_to_drag_max(base) + 1e-9:
        assert base.lift is not None
        cla = 4.0 * _hypersonic_cd(base) * ld * ld
        v = dataclasses.replace(v, lift=dataclasses.replace(base.lift, cl_alpha_per_rad=cla))
        changes.append(f"pull-up L/D up to {ld:.2g}")
    if added_kg > 0.0:
        total = sum(s.propellant_mass_kg for s in base.stages)
        v = dataclasses.replace(
            v,
            stages=tuple(
                dataclasses.replace(
                    s, propellant_mass_kg=s.propellant_mass_kg * (1.0 + added_kg / total)
                )
                for s in base.stages
            ),
        )
        changes.append(f"propellant +{added_kg:,.0f} kg")
    if changes:
        v = dataclasses.replace(v, name=f"{base.name} ({', '.join(changes)})")
    return v


def _quasi_ballistic(
    qb: str, kw: dict[str, Any], ask: _Ask, exc: Exception, catalog_tried: bool
) -> Reconstruction:
    """A low apogee over a long range, flown by the catalog's lifting class for that range
    (:func:`_quasi_ballistic_vehicle`).  The rule, from range and apogee alone (fixed before
    any flight time was compared): the class's catalog body first; if it cannot meet range and
    apogee, the least added propellant that can, within the class's launch-mass range
    (``launch_mass_range_kg``, its top), at the catalog's lift; if even the top of that range
    cannot, the least pull-up lift, up to the class's L/D limit (:data:`QB_LIFT_TO_DRAG_MAX`
    or the catalog's own when higher), at the top launch mass.  Energy before lift because that
    is what differs between the class's flights: its published shots keep their ~50 km apogee
    while the range varies from 270 to 700 km (2019-05-09, 2019-07-25, 2025-11-07 in
    vehicles.yaml), so one airframe (one lift) flies them with different energy (propellant
    load or burn), and the class's launch mass spans variants of that airframe, whereas a
    higher L/D is a different shape.  A reported flight time is only checked (three figures
    fit the energy along the class's band, :func:`_qb_joint`).  When even the top of the class
    cannot, the one-line error names the closest reachable figures."""
    base = get_vehicle(qb)
    geo = ask.through(apogee_m=ask.apogee_m)  # range and apogee only

    why: list[Exception] = []

    def flies(v: Vehicle) -> bool:
        try:
            _fly(_power(v, None), geo)
        except (ShapeError, ReconstructionError) as e:
            why.append(e)
            return False
        return True

    ld_cat = lift_to_drag_max(base)
    ld_lim = max(ld_cat, QB_LIFT_TO_DRAG_MAX)
    ld = ld_cat
    m_hi = base.launch_mass_range_kg[1] if base.launch_mass_range_kg else _launch_mass_kg(base)
    add_max = max(m_hi - _launch_mass_kg(base), 0.0)
    chosen: Vehicle | None = None
    added = 0.0
    if flies(base):
        if catalog_tried:  # range and apogee fly: what failed was the rest (the joint fit)
            make = lambda f: _power(base, None, f)  # noqa: E731
            raise ReconstructionError(_reach_message(exc, make, ask)) from None
        chosen = base
    elif add_max > 0.0 and flies(_qb_variant(base, ld_cat, add_max)):
        lo, hi = 0.0, add_max
        for _ in range(QB_ENERGY_STEPS):
            mid = 0.5 * (lo + hi)
            lo, hi = (lo, mid) if flies(_qb_variant(base, ld_cat, mid)) else (mid, hi)
        added = hi
        chosen = _qb_variant(base, ld_cat, added)
    elif ld_lim > ld_cat and flies(_qb_variant(base, ld_lim, add_max)):
        added = add_max
        lo_ld, hi_ld = ld_cat, ld_lim
        for _ in range(QB_ENERGY_STEPS):
            mid = 0.5 * (lo_ld + hi_ld)
            lo_ld, hi_ld = (lo_ld, mid) if flies(_qb_variant(base, mid, added)) else (mid, hi_ld)
        ld = hi_ld
        chosen = _qb_variant(base, ld, added)
    if chosen is None:
        top = _qb_variant(base, ld_lim, add_max)
        msg = _reach_message(why[-1] if why else exc, lambda f: _power(top, None, f), ask)
        raise _ClassLimitError(
            f"{msg} (the {qb} class at its limits: pull-up L/D {ld_lim:.2g}, launch mass "
            f"{m_hi:,.0f} kg)"
        )
    t_rep = kw.get("flight_time_s")
    if chosen is base or t_rep is None:
        rec = reconstruct(**kw, vehicle=chosen)
    else:
        # The body was chosen at the edge of what meets range and apogee: a burn-time fit
        # there has no room, and the flight time must not pick the body anyway.  Fly range and
        # apogee; the reported time is the check, within the reporting allowance.
        t_rule = _fly(_power(chosen, None), geo).flight_time_s  # flown in the search
        rec, added, chosen = _qb_joint(
            t_rule, kw, float(t_rep), base, (ld, ld_lim), added, add_max, geo
        )
    alpha = float(rec.shot.ctrl[CTRL_ALPHA])
    flown = _to_catalog_alpha(chosen, alpha)
    info = {
        "class": qb,
        "body": chosen.name,
        "rule": "catalog body; else the least added propellant within its launch-mass range "
        "at the catalog's lift; else, at the top launch mass, the least pull-up lift up to the "
        "class's L/D limit (range and apogee only)",
        "glide_alpha_deg": round(math.degrees(alpha), 2),
        "glide_lift_to_drag": round(lift_to_drag(chosen, alpha), 2),
        "catalog_alpha_deg_equivalent": None if flown is None else round(math.degrees(flown), 2),
        "lift_to_drag_max": round(lift_to_drag_max(chosen), 2),
        "catalog_lift_to_drag_max": round(ld_cat, 2),
        "lift_to_drag_limit": round(ld_lim, 2),
        "added_propellant_kg": round(added, 0),
        "launch_mass_kg": round(_launch_mass_kg(chosen), 0),
        "launch_mass_range_kg": list(base.launch_mass_range_kg or ()),
        "within_class": True,
    }
    rec.requested["vehicle"] = None
    rec.requested["quasi_ballistic_class"] = qb
    return dataclasses.replace(rec, manoeuvre=info)


#: Secant (Illinois) steps of the three-figure fit on the added propellant, and the flight-time
#: miss (s) that ends it: well inside any reporting allowance (tens of seconds).
QB_FIT_STEPS = 6
QB_FIT_TOL_S = 1.0


def _qb_joint(
    t_rule: float,
    kw: dict[str, Any],
    t_rep: float,
    base: Vehicle,
    lds: tuple[float, float],
    added: float,
    add_max: float,
    geo: _Ask,
) -> tuple[Reconstruction, float, Vehicle]:
    """Three figures on a quasi-ballistic body outside its catalog limits: as the joint fit of
    a ballistic shot fits its burn time, fit the class's energy so that range and apogee last
    the reported time, when the rule's body (``added`` kg at lift ``lds[0]``, flown from range
    and apogee in ``t_rule`` s) does not agree within the reporting allowance.  More energy
    flies the same range and apogee faster with less lift, so the class spans a band of times:
    its top energy at the rule's lift (the fastest) to the least energy that flies them at the
    lift limit ``lds[1]`` (the slowest).  A faster time fits the added propellant at the
    rule's lift, a slower one at the lift limit, between the rule's energy and the least; the
    flight time falls smoothly with the added mass: regula falsi (Illinois) from the ends, a
    few shots.  Returns (reconstruction with fit, verdict and checks; added kg; body)."""
    ld, ld_lim = lds
    r_km, h_km = float(kw["range_km"]), float(kw["apogee_km"])
    allow = reporting_allowance_s(r_km, h_km, t_rep)
    band = [t_rule, t_rule]
    if abs(t_rule - t_rep) > allow and t_rep < t_rule and add_max > added:

        def t_of(a: float) -> float:
            return _fly(_power(_qb_variant(base, ld, a), None), geo).flight_time_s

        try:
            t_top: float | None = t_of(add_max)
        except (ShapeError, ReconstructionError):
            t_top = None
        if t_top is not None:
            band[0] = t_top
            if t_top - allow <= t_rep:
                a_fit = add_max
                if t_top < t_rep:
                    a_fit = _qb_fit_added(t_of, t_rep, (added, t_rule), (add_max, t_top))
                added = a_fit
    elif abs(t_rule - t_rep) > allow and t_rep > t_rule and ld_lim > ld:
        slow = _qb_slowest(base, ld_lim, added, geo)
        if slow is not None:
            (a_min, t_slow), t_at_rule = slow
            band[1] = t_slow
            if t_rep <= t_slow + allow:
                a_fit = a_min
                if t_rep < t_slow:

                    def t_lim(a: float) -> float:
                        v = _qb_variant(base, ld_lim, a)
                        return _fly(_power(v, None), geo).flight_time_s

                    a_fit = _qb_fit_added(t_lim, t_rep, (a_min, t_slow), (added, t_at_rule))
                added, ld = a_fit, ld_lim
    chosen = _qb_variant(base, ld, added)
    rec = reconstruct(**{**kw, "flight_time_s": None}, vehicle=chosen)
    t = rec.shot.flight_time_s
    off = t - t_rep
    fit: dict[str, Any] = {
        "boost": rec.boost,
        "propellant": base.propellant,
        "burn_scale": 1.0,
        "burn_time_s": round(rec.burn_time_s, 1),
        "added_propellant_kg": round(added, 0),
        "flight_time_residual_s": round(off, 1),
        "tolerance_s": round(allow, 1),
        "rule_flight_time_s": round(t_rule, 1),
        "class_time_band_s": [round(band[0], 0), round(band[1], 0)],
        "fitted": "the class's energy (added propellant within its launch-mass range; at the "
        "rule's lift when faster than the rule's body, at the L/D limit when slower) for the "
        "reported time",
    }
    if abs(off) <= allow:
        verdict: dict[str, Any] = {
            "status": "consistent",
            "summary": f"range, apogee and flight time agree within reporting precision "
            f"(+-{allow:,.0f} s) with {rec.boost}: {t:,.0f} s against {t_rep:,.0f} s "
            f"(the class flies these range and apogee in {band[0]:,.0f}-{band[1]:,.0f} s)",
        }
    else:
        near = band[0] if t_rep < band[0] else band[1]
        verdict = {
            "status": "inconsistent",
            "conflict": {
                "figures": ["range_km", "apogee_km"],
                "against": "flight_time_s",
                "reported": t_rep,
                "derived_s": [round(band[0], 0), round(band[1], 0)],
                "off_s": round(t_rep - near, 0),
                "off_pct": round(100.0 * (t_rep - near) / t_rep, 1),
            },
            "summary": f"flight time {t_rep:,.0f} s conflicts with range {r_km:,g} km and "
            f"apogee {h_km:,g} km: the {base.name} class within its lift and launch-mass limits "
            f"flies them in {band[0]:,.0f}-{band[1]:,.0f} s ({t_rep - near:+,.0f} s, "
            f"{100.0 * (t_rep - near) / t_rep:+.1f} %; allowance +-{allow:,.0f} s)",
        }
    reported: dict[str, float | None] = {
        "range_km": r_km,
        "apogee_km": h_km,
        "flight_time_s": t_rep,
    }
    requested = {**rec.requested, "flight_time_s": t_rep}
    rec = dataclasses.replace(
        rec, checks=_checks(rec.shot, reported), verdict=verdict, requested=requested, fit=fit
    )
    return rec, added, chosen


def _qb_slowest(
    base: Vehicle, ld_lim: float, added: float, geo: _Ask
) -> tuple[tuple[float, float], float] | None:
    """The slow end of the class's band: the least added propellant (kg, bisected between none
    and ``added``) that flies range and apogee at the lift limit ``ld_lim``, with its flight
    time, and the time at ``added`` kg with that lift: ((kg, s), s), or ``None`` when the lift
    limit does not fly them even with ``added`` kg."""

    def t_lim(a: float) -> float | None:
        try:
            return _fly(_power(_qb_variant(base, ld_lim, a), None), geo).flight_time_s
        except (ShapeError, ReconstructionError):
            return None

    t_hi = t_lim(added)
    if t_hi is None:
        return None
    t_at = t_hi
    t0 = t_lim(0.0)
    if t0 is not None:
        return (0.0, t0), t_at
    lo, hi = 0.0, added
    for _ in range(QB_ENERGY_STEPS):
        mid = 0.5 * (lo + hi)
        t_mid = t_lim(mid)
        if t_mid is None:
            lo = mid
        else:
            hi, t_hi = mid, t_mid
    return (hi, t_hi), t_at


def _qb_fit_added(
    t_of: Callable[[float], float],
    t_rep: float,
    slow: tuple[float, float],
    fast: tuple[float, float],
) -> float:
    """The added propellant (kg) whose flight time is ``t_rep`` between a slower (added kg,
    time s) end and a faster one: regula falsi with the Illinois halving, at most
    :data:`QB_FIT_STEPS` shots; a shot that cannot be shaped counts as slow (as the
    bisection it replaces did)."""
    (a_s, t_s), (a_f, t_f) = slow, fast
    f_s, f_f = t_s - t_rep, t_f - t_rep  # > 0 and < 0
    best = (abs(f_f), a_f) if abs(f_f) < abs(f_s) else (abs(f_s), a_s)
    side = 0
    for _ in range(QB_FIT_STEPS):
        a = a_s + f_s * (a_f - a_s) / (f_s - f_f) if f_s != f_f else 0.5 * (a_s + a_f)
        try:
            f = t_of(a) - t_rep
        except (ShapeError, ReconstructionError):
            a_s, side = a, 0  # unflyable: treated as too slow; halve toward the fast end
            f_s = 0.5 * f_s
            continue
        if abs(f) < best[0]:
            best = (abs(f), a)
        if abs(f) <= QB_FIT_TOL_S:
            break
        if f > 0.0:
            a_s, f_s = a, f
            if side == 1:
                f_f *= 0.5
            side = 1
        else:
            a_f, f_f = a, f
            if side == -1:
                f_s *= 0.5
            side = -1
    return best[1]


def _to_catalog_alpha(v: Vehicle, alpha: float) -> float | None:
    """The catalog body's angle of attack giving the same lift coefficient (None when the
    catalog body has no lift)."""
    base = get_vehicle(v.name.split(" (")[0])
    if not base.lift or not v.lift or base.lift.cl_alpha_per_rad <= 0.0:
        return None
    return alpha * v.lift.cl_alpha_per_rad / base.lift.cl_alpha_per_rad


def _joint(
    options: list[Boost | None],
    maker: Callable[[Boost | None], Maker],
    ask: _Ask,
    reported: dict[str, float | None],
) -> tuple[dict[str, Any], Shot, _Power, Band]:
    """All three figures: fit the burn-time scale of each boost option; the verdict."""
    range_m, apogee_m, t_rep = ask.range_m, ask.apogee_m, ask.flight_time_s
    assert apogee_m is not None and t_rep is not None  # all three figures were reported
    hw_t = _figure_halfwidth("flight_time_s", t_rep)
    tol = max(min(hw_t / 3.0, 0.002 * t_rep), 0.5)
    range_km, apogee_km = reported["range_km"], reported["apogee_km"]
    assert range_km is not None and apogee_km is not None  # all three figures were reported
    spread = _kepler_time_spread(
        range_m,
        apogee_m,
        1e3 * _figure_halfwidth("range_km", range_km),
        1e3 * _figure_halfwidth("apogee_km", apogee_km),
    )
    fits: list[tuple[Boost | None, float, Shot, _Power, dict[float, float]]] = []
    for b in options:
        try:
            fits.append((b, *_fit_scale(maker(b), ask, t_rep, tol, hw_t + spread)))
        except ShapeError:
            continue
    if not fits:
        raise ShapeError(
            f"no generic boost flies {range_m / 1e3:,.0f} km with a {apogee_m / 1e3:,.0f} km apogee"
        )

    def badness(
        item: tuple[Boost | None, float, Shot, _Power, dict[float, float]],
    ) -> tuple[bool, float, float, float]:
        _, f, shot, _, _ = item
        lo, hi = FIT_SCALE_PLAUSIBLE
        return (
            abs(shot.flight_time_s - t_rep) > hw_t + spread,
            max(lo - f, f - hi, 0.0),
            abs(shot.flight_time_s - t_rep),
            abs(math.log(f)),
        )

    fits.sort(key=badness)
    b, f, shot, power, times = fits[0]
    resid = shot.flight_time_s - t_rep
    plausible = FIT_SCALE_PLAUSIBLE[0] <= f <= FIT_SCALE_PLAUSIBLE[1]
    ok = abs(resid) <= hw_t + spread and plausible
    bo = shot.result.burnout_ecef[0]
    fit: dict[str, Any] = {
        "boost": power.desc,
        "propellant": None if b is None else b.propellant,
        "burn_scale": round(f, 4),
        "burn_time_s": round(power.burn_s, 1),
        "burnout_time_s": round(float(shot.result.t_burnout_s[0]), 1),
        "burnout_altitude_km": round(_height_km(bo[:3]), 1),
        "burnout_speed_km_s": round(float(np.linalg.norm(bo[3:])) / 1e3, 4),
        "flight_time_residual_s": round(resid, 1),
        "plausible_burn_scale": list(FIT_SCALE_PLAUSIBLE),
        "tolerance_s": round(hw_t + spread, 1),
        "alternatives": [
            {
                "boost": x[3].desc,
                "burn_scale": round(x[1], 4),
                "flight_time_s": round(x[2].flight_time_s, 1),
            }
            for x in fits
        ],
    }
    slope = _slope(times, f)
    if ok:
        fit["verdict"] = {
            "status": "consistent",
            "summary": f"range, apogee and flight time agree within reporting precision "
            f"(+-{hw_t + spread:,.0f} s) with {power.desc}",
        }
    else:
        lo_f, hi_f = FIT_SCALE_PLAUSIBLE
        t_lo: float | None = None
        t_hi: float | None = None
        if math.isfinite(slope):
            t_lo = times[f] + slope * (lo_f - f)
            t_hi = times[f] + slope * (hi_f - f)
            t_lo, t_hi = sorted((t_lo, t_hi))
        near = t_hi if t_hi is not None and t_rep > t_hi else t_lo
        off = (t_rep - near) if near is not None else resid
        conflict = {
            "figures": ["range_km", "apogee_km"],
            "against": "flight_time_s",
            "reported": t_rep,
            "derived_s": None if t_lo is None or t_hi is None else [round(t_lo, 0), round(t_hi, 0)],
            "off_s": round(off, 0),
            "off_pct": round(100.0 * off / t_rep, 1),
        }
        band_txt = (
            f"{t_lo:,.0f}-{t_hi:,.0f} s" if t_lo is not None else f"{shot.flight_time_s:,.0f} s"
        )
        summary = (
            f"flight time {t_rep:,.0f} s conflicts with range "
            f"{range_km:,g} km and apogee {apogee_km:,g} km: "
            f"with plausible boosts (burn x{lo_f}-x{hi_f}) they imply {band_txt} "
            f"({off:+,.0f} s, {100.0 * off / t_rep:+.1f} %)"
        )
        # The shortest powered flight tried (every staging, down to its shortest burn): when
        # even it lasts longer than the reported time allows, no boost reconciles the figures.
        quick = min(fits, key=lambda x: x[2].flight_time_s)
        floor_s = quick[2].flight_time_s
        if t_rep + hw_t + spread < floor_s:
            conflict["shortest_boost"] = quick[3].desc
            conflict["shortest_boost_burn_s"] = round(quick[3].burn_s, 1)
            conflict["shortest_boost_flight_time_s"] = round(floor_s, 0)
            summary += (
                f"; even the shortest powered flight tried ({quick[3].burn_s:,.0f} s, "
                f"{quick[3].desc}) lasts {floor_s:,.0f} s, so no boost reconciles them"
            )
        # With no boost at all: the Kepler arc between surface points through the reported
        # apogee, the shortest flight any missile can make over that range and apogee.
        kepler_s = flight_time_floor_s(range_m, apogee_m, ask.az, ask.lat)
        if t_rep + hw_t + spread < kepler_s:
            conflict["kepler_floor_s"] = round(kepler_s, 0)
            summary += (
                f"; even with no powered flight the arc through that apogee lasts "
                f"{kepler_s:,.0f} s, so no missile flies the three figures together"
            )
        fit["verdict"] = {"status": "inconsistent", "conflict": conflict, "summary": summary}
    # Band: the burn scales the reported time allows within its own precision (for the range
    # and apogee as reported).
    if math.isfinite(slope) and slope != 0.0:
        dfs = abs((hw_t + tol) / slope)
    else:
        dfs = 0.1 * f
    f_lo = float(np.clip(f - dfs, *FIT_SCALE_LIMITS))
    f_hi = float(np.clip(f + dfs, *FIT_SCALE_LIMITS))
    make = maker(b)
    caps, burns = [], []
    for g in (f_lo, f_hi):
        try:
            s = _fly(make(g), ask)
            caps.append(capability_range_m(s))
        except ShapeError:
            caps.append(math.nan)
        burns.append(make(g).burn_s)
    cap0 = capability_range_m(shot)
    finite = [x for x in caps + [cap0] if math.isfinite(x)]
    note = (
        f"burn times x{f_lo:.3g}-x{f_hi:.3g}: the boosts whose flight time is within "
        f"+-{hw_t + tol:,.0f} s of the reported one (range and apogee as reported)"
    )
    return fit, shot, power, ((min(finite), max(finite)), (burns[0], burns[1]), note)


def _band(make: Maker, power: _Power, ask: _Ask, cap: float) -> Band:
    band: list[float] = []
    burns: list[float] = []
    lo_f = max(BURN_TIME_BAND[0], MIN_BAND_BURN_S / max(power.burn_s, 1e-9))
    for f in (lo_f, BURN_TIME_BAND[1]):
        try:
            p = make(f)
            s = _fly(p, ask)
            band.append(capability_range_m(s))
            burns.append(p.burn_s)
        except (ShapeError, ReconstructionError):
            band.append(math.nan)
            burns.append(power.burn_s * f)
    finite = [x for x in band + [cap] if math.isfinite(x)]
    note = (
        f"burn time x{BURN_TIME_BAND[0]} (at least {MIN_BAND_BURN_S:.0f} s) to "
        f"x{BURN_TIME_BAND[1]}, same reported figures"
    )
    return (min(finite), max(finite)), (burns[0], burns[1]), note


def _manoeuvre_band(shot: Shot) -> tuple[float, float]:
    """Quasi-ballistic classes: ground range (m) of the same burnout state flown with no lift
    (ballistic) and with the pull-up glide at twice the nominal angle-of-attack limit: the
    spread a pull-up manoeuvre puts on the range (ROK JCS revised a KN-23-class range from 450
    to 600 km in 2019 citing one)."""
    from .dynamics import CTRL_ALPHA

    tr = shot.result
    y = tr.burnout_eci[0]
    alphas = np.array([0.0, shot.vehicle.max_alpha_rad, 2.0 * shot.vehicle.max_alpha_rad])
    ctrl = np.broadcast_to(shot.ctrl, (alphas.size, shot.ctrl.size)).copy()
    ctrl[:, CTRL_ALPHA] = alphas
    res = propagate_states(
        shot.vehicle,
        np.broadcast_to(y, (alphas.size, 6)).copy(),
        tr.t_burnout_s[0],
        ctrl=ctrl,
        launch_lat_deg=shot.lat_deg,
        launch_lon_deg=shot.lon_deg,
        t_max_s=30_000.0,
    )
    rng = np.where(res.impacted, res.ground_range_m, np.nan)
    rng = np.append(rng[np.isfinite(rng)], shot.range_m)
    return float(np.min(rng)), float(np.max(rng))


#: The end of a beyond-reach message when no flyable figures were found near the request.
NO_CLOSEST = "no nearby flyable figures found"


def _reach_message(exc: Exception, make: Maker, ask: _Ask, range_given: bool = True) -> str:
    """One line for a shot no boost flies: what was asked, why, and the closest reachable
    figures (:func:`_closest_reachable`)."""
    range_m, apogee_m, flight_time_s = ask.range_m, ask.apogee_m, ask.flight_time_s
    asked = f"range {range_m / 1e3:,.0f} km" if range_given else "range free"
    asked += f", apogee {apogee_m / 1e3:,.0f} km" if apogee_m is not None else ""
    asked += f", flight time {flight_time_s:,.0f} s" if flight_time_s is not None else ""
    powers = [make(1.0)]
    if powers[0].generic:  # the boost picked for the reported energy, then the one that a
        # minimum-energy shot of the range (or the apogee's) would pick
        basis_m = range_m if range_given or apogee_m is None else 4.0 * apogee_m
        powers.append(_power(None, boosts.pick(basis_m)))
    closest = NO_CLOSEST
    for power in powers:
        try:
            closest = _closest_reachable(power, ask, range_given)
            break
        except (ShapeError, ReconstructionError, ValueError, ZeroDivisionError):
            continue
    return f"the reported figures cannot be flown ({asked}): {exc}; closest reachable: {closest}"


def _edge(
    fly: Callable[[float], Shot],
    p_ok: float,
    p_bad: float,
    shot_ok: Shot | None = None,
    n: int = 7,
    geometric: bool = False,
) -> tuple[float, Shot]:
    """Bisect a figure between a flyable value ``p_ok`` and an unflyable one ``p_bad``:
    (last flyable value, its shot)."""
    if shot_ok is None:
        shot_ok = fly(p_ok)
    for _ in range(n):
        mid = math.sqrt(p_ok * p_bad) if geometric else 0.5 * (p_ok + p_bad)
        try:
            shot_ok, p_ok = fly(mid), mid
        except (ShapeError, ReconstructionError):
            p_bad = mid
    return p_ok, shot_ok


def _closest_reachable(power: _Power, ask: _Ask, range_given: bool = True) -> str:
    """The flyable figures nearest to an unflyable request, with the same boost: keep the
    range and move the apogee (or flight time) to the edge of what flies, or, when the range
    itself is out of reach, the longest range; with no range, keep the apogee and move the
    flight time.  Each edge is bisected (7 shots) between a flyable and the requested value."""
    range_m, apogee_m, flight_time_s = ask.range_m, ask.apogee_m, ask.flight_time_s

    def f_range(r: float) -> Shot:
        return _fly(power, ask.through(range_m=r, trajectory="min-energy"))

    def f_apogee(h: float) -> Shot:
        return _fly(power, ask.through(apogee_m=h))

    if not range_given:  # apogee and flight time
        assert apogee_m is not None and flight_time_s is not None
        r0 = float(np.clip(4.0 * apogee_m, 50e3, 15_000e3))
        s0 = _fly(power, ask.through(range_m=r0, apogee_m=apogee_m))
        toward = 0.02 * r0 if flight_time_s > s0.flight_time_s else 19_000e3
        r, s = _edge(
            lambda x: _fly(power, ask.through(range_m=x, apogee_m=apogee_m)),
            r0,
            toward,
            s0,
            geometric=True,
        )
        return (
            f"at a {apogee_m / 1e3:,.0f} km apogee the closest flyable flight time is about "
            f"{s.flight_time_s:,.0f} s (range {r / 1e3:,.0f} km)"
        )
    try:
        me = f_range(range_m)
    except (ShapeError, ReconstructionError):
        if apogee_m is not None:
            shortest = _shortest_at_apogee(power, ask, apogee_m)
            if shortest is not None:
                r, s = shortest
                return (
                    f"with a {apogee_m / 1e3:,.0f} km apogee the shortest range of "
                    f"{power.desc} is about {r / 1e3:,.0f} km ({s.flight_time_s:,.0f} s)"
                )
            # the range flies on a higher arc (the shaping's minimum-energy family did not
            # reach it): keep the range, move the apogee up to the first that flies
            try:
                h0, s0 = _first_flying(f_apogee, [f * apogee_m for f in (2.0, 4.0, 8.0, 16.0)])
            except (ShapeError, ReconstructionError):
                pass
            else:
                h, s = _edge(f_apogee, h0, apogee_m, s0, geometric=True)
                return (
                    f"at {range_m / 1e3:,.0f} km the closest flyable apogee is about "
                    f"{h / 1e3:,.0f} km ({s.flight_time_s:,.0f} s)"
                )
        start = _first_flying(f_range, [f * range_m for f in (0.7, 0.5, 0.3, 0.15)] + [50e3])
        r, s = _edge(f_range, start[0], range_m, start[1], geometric=True)
        return (
            f"the longest range of {power.desc} is about {r / 1e3:,.0f} km (minimum "
            f"energy, apogee {s.apogee_m / 1e3:,.0f} km, {s.flight_time_s:,.0f} s)"
        )
    if apogee_m is not None:
        h, s = _edge(
            f_apogee,
            me.apogee_m,
            apogee_m,
            me,
            geometric=True,
        )
        return (
            f"at {range_m / 1e3:,.0f} km the closest flyable apogee is about "
            f"{h / 1e3:,.0f} km ({s.flight_time_s:,.0f} s)"
        )
    if flight_time_s is not None:
        if flight_time_s > me.flight_time_s:
            far = float(kepler.apogee_for_flight_time(R_MEAN_M, range_m / R_MEAN_M, flight_time_s))
            far = max(far, 2.0 * me.apogee_m)
        else:
            far = 1e3
        h, s = _edge(
            f_apogee,
            me.apogee_m,
            far,
            me,
            geometric=True,
        )
        return (
            f"at {range_m / 1e3:,.0f} km the closest flyable flight time is about "
            f"{s.flight_time_s:,.0f} s (apogee {h / 1e3:,.0f} km)"
        )
    return (
        f"{range_m / 1e3:,.0f} km flies on a minimum-energy trajectory ({me.flight_time_s:,.0f} s)"
    )


def _first_flying(fly: Callable[[float], Shot], values: list[float]) -> tuple[float, Shot]:
    """The first of ``values`` that flies, with its shot (a big boost does not fly a 50 km
    shot, so an edge search starts from the longest value that does); the last value's error
    when none does."""
    for v in values[:-1]:
        try:
            return v, fly(v)
        except (ShapeError, ReconstructionError):
            continue
    return values[-1], fly(values[-1])


def _shortest_at_apogee(power: _Power, ask: _Ask, apogee_m: float) -> tuple[float, Shot] | None:
    """A range too short for the body's least energy (a separating glider's least burn flies
    farther): the shortest range (m) it flies through ``apogee_m``, with its shot, bisected
    between the first longer range that flies (x1.25, x1.6, x2.5) and the requested one; None
    when none of those flies either (the range is not too short: the apogee is out of reach)."""

    def at(r: float) -> Shot:
        return _fly(power, ask.through(range_m=r, apogee_m=apogee_m))

    for f in (1.25, 1.6, 2.5):
        try:
            s0 = at(f * ask.range_m)
        except (ShapeError, ReconstructionError):
            continue
        return _edge(at, f * ask.range_m, ask.range_m, s0, n=6, geometric=True)
    return None


def impact_samples(
    rec: Reconstruction,
    n: int = 1000,
    seed: int = 0,
    heading_sigma_deg: float = SEA_AREA_HEADING_SIGMA_DEG,
    range_halfwidth_km: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(lat, lon) samples of the derived impact: the reported range's rounding (uniform) and
    the heading's spread (normal, ``heading_sigma_deg``), around the reconstructed impact."""
    rng = np.random.default_rng(seed)
    r_km = rec.shot.range_m / 1e3
    hw = (
        range_halfwidth_km
        if range_halfwidth_km is not None
        else (reported_halfwidth("range_km", rec.requested.get("range_km") or r_km))
    )
    d = rng.uniform(max(r_km - hw, 1.0), r_km + hw, n) * 1e3
    az0, _, _ = geodesy.inverse(
        rec.shot.lat_deg, rec.shot.lon_deg, *rec.shot.result.impact_latlon_deg
    )
    az = float(np.asarray(az0).ravel()[0]) + rng.normal(0.0, heading_sigma_deg, n)
    lat, lon, _ = geodesy.direct(rec.shot.lat_deg, rec.shot.lon_deg, az, d)
    return np.asarray(lat), np.asarray(lon)


def capability_range_m(shot: Shot, n_angles: int = 48) -> float:
    """Longest range (m, from the launch point) reachable from the shot's burnout speed and
    altitude by choosing the flight-path angle, same heading, full physics: the minimum-energy
    range for that burnout energy.  Within a :func:`reconstruct` call each shot's is flown once
    (the joint fit's band and the result both ask for the fitted shot's)."""
    memo = _SHOTS.get()
    key = ("capability", id(shot), n_angles)
    if memo is not None and key in memo.capability:
        return memo.capability[key][1]
    cap = _capability_range_m(shot, n_angles)
    if memo is not None:
        memo.capability[key] = (shot, cap)  # the shot kept: its id stays its own
    return cap


def _capability_range_m(shot: Shot, n_angles: int) -> float:
    tr = shot.result
    y = tr.burnout_eci[0]
    r, v = y[:3], y[3:]
    up = r / np.linalg.norm(r)
    horiz = v - np.dot(v, up) * up
    horiz /= np.linalg.norm(horiz)
    speed = np.linalg.norm(v)

    def ranges(angles: np.ndarray) -> np.ndarray:
        vel = speed * (np.cos(angles)[:, None] * horiz + np.sin(angles)[:, None] * up)
        y0 = np.concatenate([np.broadcast_to(r, vel.shape), vel], axis=1)
        ctrl = np.broadcast_to(shot.ctrl, (angles.size, shot.ctrl.size)).copy()
        res = propagate_states(
            shot.vehicle,
            y0,
            tr.t_burnout_s[0],
            ctrl=ctrl,
            launch_lat_deg=shot.lat_deg,
            launch_lon_deg=shot.lon_deg,
            t_max_s=30_000.0,
        )
        out: np.ndarray = np.where(res.impacted, res.ground_range_m, -1.0)
        return out

    angles = np.linspace(0.02, 1.3, n_angles)
    rng = ranges(angles)
    i = int(np.argmax(rng))
    fine = np.linspace(angles[max(i - 1, 0)], angles[min(i + 1, n_angles - 1)], 17)
    return float(np.max(ranges(fine)))


def landing_zone(
    rec: Reconstruction, landing: LandingEstimate | None = None, country: str = "JPN"
) -> dict[str, Any]:
    """Zone verdict of the landing with its probability: from the landing description's samples
    when there is one (what the authority said), and from the derived impact's samples
    (range rounding and heading spread): kind/country of the nominal point and P(in
    ``country``'s territorial sea or EEZ)."""
    from ..earth.zones import zone_of
    from .landing import zone_probabilities

    out: dict[str, Any] = {}
    lat, lon = impact_samples(rec)
    d = rec.as_dict()
    out["derived"] = {
        **zone_of(d["impact_lat"], d["impact_lon"]),
        **zone_probabilities(lat, lon, country),
    }
    if landing is not None:
        out["described"] = {
            **zone_of(landing.lat_deg, landing.lon_deg),
            **zone_probabilities(landing.sample_lat_deg, landing.sample_lon_deg, country),
        }
        if (conflict := landing_range_conflict(rec, landing)) is not None:
            out["described"]["range_conflict"] = conflict
    return out


def landing_range_conflict(rec: Reconstruction, landing: LandingEstimate) -> dict[str, Any] | None:
    """The reported range against the launch point's distance to a described landing: ``None``
    when the range's rounding span meets the distances of the description's samples (its
    distance rounding and bearing spread), else both spans (km) and the gap between them - the
    two reports place the landing in different places, and the derived impact follows the
    range alone."""
    reported = rec.requested.get("range_km")
    if reported is None:
        return None  # the range was measured to the landing: nothing to compare
    _, _, dist_m = geodesy.inverse(
        np.full(landing.sample_lat_deg.shape, rec.shot.lat_deg),
        np.full(landing.sample_lon_deg.shape, rec.shot.lon_deg),
        landing.sample_lat_deg,
        landing.sample_lon_deg,
    )
    d_lo, d_hi = float(np.min(dist_m)) / 1e3, float(np.max(dist_m)) / 1e3
    hw = reported_halfwidth("range_km", reported)
    r_lo, r_hi = reported - hw, reported + hw
    gap = max(d_lo - r_hi, r_lo - d_hi)
    if gap <= 0.0:
        return None
    return {
        "range_km": [round(r_lo, 1), round(r_hi, 1)],
        "described_range_km": [round(d_lo, 1), round(d_hi, 1)],
        "gap_km": round(gap, 1),
    }


def range_conflict_text(conflict: dict[str, Any], whose: str = "the reported") -> str:
    """The two spans of a :func:`landing_range_conflict` in words ("the described landing lies
    1,177-1,218 km from the launch point, the reported range is 475-525 km")."""
    d, r = conflict["described_range_km"], conflict["range_km"]
    return (
        f"the described landing lies {d[0]:,.0f}-{d[1]:,.0f} km from the launch point, "
        f"{whose} range is {r[0]:,.0f}-{r[1]:,.0f} km"
    )


def impact_time_iso(launch_time_iso: str, flight_time_s: float) -> str:
    """Launch time (ISO 8601 with offset) plus flight time, in the same offset."""
    import datetime as dt

    t0 = dt.datetime.fromisoformat(launch_time_iso)
    return (t0 + dt.timedelta(seconds=flight_time_s)).isoformat(timespec="seconds")
