"""Reconstruction: from what an authority reports to a consistent trajectory, and the rest.

An analyst has a launch site, a range and one more figure (apogee, flight time, or only the
trajectory shape) and a heading or a named sea.  :func:`reconstruct` finds a flown trajectory
consistent with them (:mod:`.shaping` on a catalog vehicle, or on the generic boost model when
no vehicle is named) and reports what was not reported: flight time or apogee, burnout speed and
angle, impact point, and the *capability*: the range the same burnout energy reaches on a
minimum-energy trajectory, with its class.  Because that conversion depends strongly on the
assumed powered flight, it also returns a band over a stated range of burn-time assumptions.

Units: SI inside; the result dictionary uses the units named in its keys.  Burnout speed and
flight-path angle are Earth-relative (ECEF) at burnout.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import numpy as np
import yaml
from scipy.optimize import brentq

from ..earth import geodesy
from ..earth.constants import R_MEAN_M
from . import kepler
from .catalog import UnknownNameError, get_vehicle, normalize_name
from .propagate import propagate_states
from .shaping import ShapeError, Shot, shape
from .vehicles import (
    default_burn_time_s,
    generic_boost,
    generic_thrust_scale_bounds,
    vehicle_model,
)

#: Range classes by (minimum-energy) range, km: SRBM < 1000, MRBM 1000-3000, IRBM 3000-5500,
#: ICBM > 5500 (the US DoD / arms-control convention).
RANGE_CLASSES = ((1000.0, "SRBM"), (3000.0, "MRBM"), (5500.0, "IRBM"), (math.inf, "ICBM"))

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


def range_class(range_km: float) -> str:
    for limit, name in RANGE_CLASSES:
        if range_km < limit:
            return name
    return "ICBM"


@cache
def _sea_areas() -> dict[str, tuple[float, float]]:
    text = resources.files("launchwatch.flight.data").joinpath("sea_areas.yaml").read_text()
    out = {}
    for entry in yaml.safe_load(text)["sea_areas"]:
        for name in (entry["name"], *entry.get("aliases", [])):
            out[normalize_name(name)] = (float(entry["lat_deg"]), float(entry["lon_deg"]))
    return out


def bearing_toward(lat_deg: float, lon_deg: float, sea: str) -> float:
    """Geodesic azimuth (deg) from the launch point towards a named sea area's reference point."""
    point = _sea_areas().get(normalize_name(sea))
    if point is None:
        names = sorted({"East Sea", "West Sea", "East China Sea", "Pacific Ocean"})
        raise UnknownNameError(f"unknown sea area {sea!r}; known: {', '.join(names)}")
    az, _, _ = geodesy.inverse(lat_deg, lon_deg, *point)
    return float(np.mod(az, 360.0))


@dataclass(frozen=True, slots=True, kw_only=True)
class Reconstruction:
    """A reconstructed launch: the shot, and what it implies."""

    shot: Shot
    boost: str
    burn_time_s: float
    min_energy_range_m: float
    min_energy_range_band_m: tuple[float, float]
    band_burn_times_s: tuple[float, float]
    requested: dict = field(default_factory=dict)

    def burnout_ecef(self) -> np.ndarray:
        return self.shot.result.burnout_ecef[0]

    def as_dict(self) -> dict:
        """The contract of ``launchwatch reconstruct --json`` (units in the key names)."""
        tr = self.shot.result
        bo = self.burnout_ecef()
        r, v = bo[:3], bo[3:]
        speed = float(np.linalg.norm(v))
        gamma = math.degrees(math.asin(float(np.dot(r, v)) / (np.linalg.norm(r) * speed)))
        lat, lon = tr.impact_latlon_deg
        me_km = self.min_energy_range_m / 1e3
        return {
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
                "band": f"burn time x{BURN_TIME_BAND[0]} (at least {MIN_BAND_BURN_S:.0f} s) "
                        f"to x{BURN_TIME_BAND[1]}, same reported figures",
                "trajectory": self.requested.get("trajectory"),
                "capability": "same burnout speed and altitude, flight-path angle chosen for the "
                              "longest range, same heading, full physics",
                "earth": "WGS84, J2, rotating; US Standard Atmosphere 1976",
            },
            "requested": self.requested,
        }


def _height_km(r_ecef) -> float:
    from ..earth import frames

    _, _, h = frames.ecef_to_geodetic(np.asarray(r_ecef)[None, :])
    return float(h[0]) / 1e3


def _model(vehicle: str | None, burn_time_s: float | None, scale: float = 1.0):
    """(VehicleModel, generic?, description, burn time) for a named vehicle or the generic."""
    if vehicle is None:
        return generic_boost(burn_time_s * scale), True, f"generic one-stage boost, " \
            f"{burn_time_s * scale:.0f} s burn", burn_time_s * scale
    v = get_vehicle(vehicle)
    if scale != 1.0:
        v = dataclasses.replace(v, stages=tuple(
            dataclasses.replace(s, burn_time_s=s.burn_time_s * scale) for s in v.stages))
    burn = sum(s.burn_time_s for s in v.stages)
    return vehicle_model(v), False, f"{v.name} (catalog; burn times x{scale:g})", burn


def _shoot(model, generic, lat, lon, range_m, azimuth_deg, trajectory, apogee_m,
           flight_time_s, bounds) -> Shot:
    if flight_time_s is None:
        return shape(model, lat, lon, range_m, azimuth_deg, trajectory=trajectory,
                     apogee_m=apogee_m, generic=generic, energy_bounds=bounds)
    # Flight time given: find the apogee that gives it (lofted above the minimum-energy time,
    # depressed below).
    me = shape(model, lat, lon, range_m, azimuth_deg, generic=generic, energy_bounds=bounds)
    h_me, t_me = me.apogee_m, me.flight_time_s
    traj = "lofted" if flight_time_s > t_me else "depressed"
    shots: dict[float, Shot] = {}

    def miss(h):
        b = generic_thrust_scale_bounds(model.burn_time_s, range_m, h) if generic else None
        shots[h] = shape(model, lat, lon, range_m, azimuth_deg, trajectory=traj, apogee_m=h,
                         generic=generic, energy_bounds=b)
        return shots[h].flight_time_s - flight_time_s

    if abs(flight_time_s - t_me) < 1e-3 * t_me:
        return me
    lo, hi = (h_me * 1.0005, None) if traj == "lofted" else (None, h_me * 0.9995)
    # Bracket by walking away from the minimum-energy apogee.
    h = h_me
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
    if lo is None or hi is None:
        raise ReconstructionError(
            f"no trajectory of the {model.name} covers {range_m / 1e3:,.0f} km in "
            f"{flight_time_s:,.0f} s")
    h_star = brentq(miss, lo, hi, xtol=10.0, rtol=1e-6)
    if h_star not in shots:
        miss(h_star)
    return shots[h_star]


def capability_range_m(shot: Shot, n_angles: int = 48) -> float:
    """Longest range (m, from the launch point) reachable from the shot's burnout speed and
    altitude by choosing the flight-path angle, same heading, full physics: the minimum-energy
    range for that burnout energy."""
    tr = shot.result
    y = tr.burnout_eci[0]
    r, v = y[:3], y[3:]
    up = r / np.linalg.norm(r)
    horiz = v - np.dot(v, up) * up
    horiz /= np.linalg.norm(horiz)
    speed = np.linalg.norm(v)

    def ranges(angles):
        vel = speed * (np.cos(angles)[:, None] * horiz + np.sin(angles)[:, None] * up)
        y0 = np.concatenate([np.broadcast_to(r, vel.shape), vel], axis=1)
        ctrl = np.broadcast_to(shot.ctrl, (angles.size, shot.ctrl.size)).copy()
        res = propagate_states(shot.vehicle, y0, tr.t_burnout_s[0], ctrl=ctrl,
                               launch_lat_deg=shot.lat_deg, launch_lon_deg=shot.lon_deg,
                               t_max_s=30_000.0)
        return np.where(res.impacted, res.ground_range_m, -1.0)

    angles = np.linspace(0.02, 1.3, n_angles)
    rng = ranges(angles)
    i = int(np.argmax(rng))
    fine = np.linspace(angles[max(i - 1, 0)], angles[min(i + 1, n_angles - 1)], 17)
    return float(np.max(ranges(fine)))


def reconstruct(*, lat_deg: float, lon_deg: float, range_km: float, azimuth_deg: float,
                apogee_km: float | None = None, flight_time_s: float | None = None,
                trajectory: str | None = None, vehicle: str | None = None,
                burn_time_s: float | None = None) -> Reconstruction:
    """Reconstruct a launch from reported figures; see the module docstring."""
    if range_km <= 0:
        raise ReconstructionError("range must be positive")
    if apogee_km is not None and apogee_km <= 0:
        raise ReconstructionError("apogee must be above zero")
    if flight_time_s is not None and flight_time_s <= 0:
        raise ReconstructionError("flight time must be positive")
    if not -90.0 <= lat_deg <= 90.0:
        raise ReconstructionError(f"latitude {lat_deg} is outside [-90, 90]")
    if range_km >= MAX_RANGE_KM:
        raise ReconstructionError(
            f"range {range_km:,.0f} km is beyond half the Earth's circumference "
            f"({MAX_RANGE_KM:,.0f} km): no ballistic arc is that long")
    if flight_time_s is not None and flight_time_s < range_km / ORBITAL_SPEED_KM_S:
        raise ReconstructionError(
            f"{range_km:,.0f} km in {flight_time_s:,.0f} s would need more than orbital speed "
            f"({ORBITAL_SPEED_KM_S} km/s): no ballistic arc is that fast")
    if trajectory is None:
        trajectory = "min-energy"
    range_m = range_km * 1e3
    apogee_m = None if apogee_km is None else apogee_km * 1e3
    if apogee_m is not None:
        # The shape follows from the apogee: above the minimum-energy one it is lofted.
        trajectory = "lofted"
    if vehicle is None and burn_time_s is None:
        hint = apogee_m
        if hint is None and flight_time_s is not None:
            # The energy class from the Kepler arc that lasts the reported time.
            hint = kepler.apogee_for_flight_time(R_MEAN_M, range_m / R_MEAN_M, flight_time_s)
        burn_time_s = default_burn_time_s(range_m, hint)
    requested = {"range_km": range_km, "apogee_km": apogee_km, "flight_time_s": flight_time_s,
                 "trajectory": trajectory if apogee_m is None else None,
                 "azimuth_deg": azimuth_deg, "vehicle": vehicle}

    def run(scale):
        model, generic, desc, burn = _model(vehicle, burn_time_s, scale)
        bounds = (generic_thrust_scale_bounds(burn, range_m, apogee_m) if generic else None)
        try:
            if apogee_m is not None:
                try:
                    shot = shape(model, lat_deg, lon_deg, range_m, azimuth_deg,
                                 trajectory="lofted", apogee_m=apogee_m, generic=generic,
                                 energy_bounds=bounds)
                except ShapeError:
                    shot = shape(model, lat_deg, lon_deg, range_m, azimuth_deg,
                                 trajectory="depressed", apogee_m=apogee_m, generic=generic,
                                 energy_bounds=bounds)
            else:
                shot = _shoot(model, generic, lat_deg, lon_deg, range_m, azimuth_deg,
                              trajectory, None, flight_time_s, bounds)
        except ShapeError as exc:
            if flight_time_s is not None:
                raise ReconstructionError(
                    f"no trajectory of the {model.name} covers {range_km:,.0f} km in "
                    f"{flight_time_s:,.0f} s ({exc})") from exc
            raise ReconstructionError(str(exc)) from exc
        return shot, desc, burn

    shot, desc, burn = run(1.0)
    band, burns = [], []
    for f in (max(BURN_TIME_BAND[0], MIN_BAND_BURN_S / burn), BURN_TIME_BAND[1]):
        try:
            s, _, b = run(f)
            band.append(capability_range_m(s))
            burns.append(b)
        except ReconstructionError:
            band.append(math.nan)
            burns.append(burn * f)
    cap = capability_range_m(shot)
    finite = [x for x in band + [cap] if math.isfinite(x)]
    return Reconstruction(shot=shot, boost=desc, burn_time_s=burn, min_energy_range_m=cap,
                          min_energy_range_band_m=(min(finite), max(finite)),
                          band_burn_times_s=(burns[0], burns[1]), requested=requested)


def impact_time_iso(launch_time_iso: str, flight_time_s: float) -> str:
    """Launch time (ISO 8601 with offset) plus flight time, in the same offset."""
    import datetime as dt

    t0 = dt.datetime.fromisoformat(launch_time_iso)
    return (t0 + dt.timedelta(seconds=flight_time_s)).isoformat(timespec="seconds")
