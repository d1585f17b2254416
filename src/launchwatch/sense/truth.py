"""Ground truth of a scenario: every launch shaped and flown by the flight core, sampled on one
common time grid (s after the scenario epoch), ECEF.

Each launch is shaped like an analyst's reconstruction (:func:`launchwatch.flight.shaping.shape`
on its catalog vehicle, or on the generic boost when none is named), or coasts from a given
burnout state, then flown once more with states sampled on the scenario grid.  The result is a
:class:`~launchwatch.sense.records.Truth`.
"""

from __future__ import annotations

import math

import numpy as np

from ..earth import frames, geodesy
from ..flight.catalog import get_site
from ..flight.propagate import VehicleModel, propagate, propagate_states
from ..flight.sea_areas import bearing_toward
from ..flight.shaping import ShapeError, shape
from ..flight.vehicles import shot_model
from .records import Truth
from .scenario import Launch, Scenario, ScenarioError

#: Re-entry body used for launches given as a burnout state (drag area and Cd; the mass follows
#: from the scenario's ballistic coefficient).
BURNOUT_BODY_AREA_M2 = 0.5
BURNOUT_BODY_CD = 0.2


def _aim(launch: Launch, lat: float, lon: float) -> tuple[float, float | None]:
    """(impact bearing deg, range m or None) of a launch."""
    if launch.target is not None:
        az, _, dist = geodesy.inverse(lat, lon, launch.target.lat_deg, launch.target.lon_deg)
        return float(az) % 360.0, float(dist)
    rng = None if launch.range_km is None else launch.range_km * 1e3
    if launch.toward is not None:
        return bearing_toward(lat, lon, launch.toward), rng
    assert launch.azimuth_deg is not None  # the validation: exactly one of the three aims
    return float(launch.azimuth_deg) % 360.0, rng


def _launch_states(launch: Launch, where: str, times_rel: np.ndarray):
    """Fly one launch; returns (samples ECEF (T, 6) on ``times_rel`` (s after lift-off, NaN
    outside the flight), burnout time s, impact time s, description)."""
    try:
        if launch.site is not None:
            site = get_site(launch.site)
            lat, lon = site.lat_deg, site.lon_deg
        else:
            assert launch.lat_deg is not None and launch.lon_deg is not None  # validated
            lat, lon = launch.lat_deg, launch.lon_deg
        az, rng = _aim(launch, lat, lon)
        if launch.burnout is not None:
            return _coast_from_burnout(launch, lat, lon, az, times_rel)
        apogee = None if launch.apogee_km is None else launch.apogee_km * 1e3
        assert rng is not None  # the scenario's validation: a range or a target point
        model, generic, bounds = shot_model(launch.vehicle, rng, apogee)
        shot = shape(
            model,
            lat,
            lon,
            rng,
            az,
            trajectory=launch.trajectory,
            apogee_m=apogee,
            generic=generic,
            energy_bounds=bounds,
        )
    except (KeyError, ShapeError, ValueError) as exc:
        raise ScenarioError(f"{where}: {str(exc).strip(chr(39))}") from None
    out = np.full((times_rel.size, 6), np.nan)
    n = int(np.searchsorted(times_rel, shot.flight_time_s + 1.0))
    tr = propagate(
        model,
        lat,
        lon,
        shot.launch_azimuth_deg,
        shot.ctrl[None, :],
        sample_times_s=times_rel[:n],
        t_max_s=shot.flight_time_s + 60.0,
    )
    out[:n] = tr.samples_ecef()[0]
    desc = (
        f"{launch.id}: {model.name} from {launch.site or f'{lat:.2f},{lon:.2f}'}, "
        f"{shot.range_m / 1e3:,.0f} km, apogee {shot.apogee_m / 1e3:,.0f} km, "
        f"{launch.trajectory}"
    )
    return out, float(tr.t_burnout_s[0]), float(tr.t_impact_s[0]), desc


def _coast_from_burnout(
    launch: Launch, lat: float, lon: float, az: float, times_rel: np.ndarray
) -> tuple[np.ndarray, float, float, str]:
    b = launch.burnout
    assert b is not None  # called for launches given as a burnout state
    lat_r, lon_r = math.radians(lat), math.radians(lon)
    r = frames.geodetic_to_ecef(lat_r, lon_r, b.altitude_km * 1e3)
    enu = frames.enu_matrix(lat_r, lon_r)  # rows: east, north, up (ECEF -> ENU)
    g, a = math.radians(b.angle_deg), math.radians(az)
    v_enu = (
        b.speed_km_s
        * 1e3
        * np.array([math.cos(g) * math.sin(a), math.cos(g) * math.cos(a), math.sin(g)])
    )
    v = enu.T @ v_enu
    r_i, v_i = frames.ecef_to_eci(r, b.time_s, v_ecef=v)
    body = VehicleModel.coasting_body(
        mass_kg=b.beta_kg_m2 * BURNOUT_BODY_CD * BURNOUT_BODY_AREA_M2,
        area_m2=BURNOUT_BODY_AREA_M2,
        cd=(BURNOUT_BODY_CD, BURNOUT_BODY_CD),
    )
    y0 = np.concatenate([r_i, v_i])[None, :]
    first = propagate_states(body, y0, b.time_s, t_max_s=20_000.0)
    n = int(np.searchsorted(times_rel, float(first.t_impact_s[0]) + 1.0))
    tr = propagate_states(
        body,
        y0,
        b.time_s,
        sample_times_s=times_rel[:n],
        t_max_s=float(first.t_impact_s[0]) + 60.0,
        launch_lat_deg=lat,
        launch_lon_deg=lon,
    )
    out = np.full((times_rel.size, 6), np.nan)
    out[:n] = tr.samples_ecef()[0]
    desc = f"{launch.id}: coasting from burnout ({b.speed_km_s} km/s, {b.angle_deg} deg)"
    return out, float(b.time_s), float(tr.t_impact_s[0]), desc


def build_truth(scenario: Scenario, *, max_duration_s: float = 20_000.0) -> tuple[Truth, list[str]]:
    """Fly every launch; returns the truth and one description line per launch."""
    dt_s = scenario.time_step_s
    horizon = scenario.duration_s or max_duration_s
    times = np.arange(0.0, horizon + 0.5 * dt_s, dt_s)
    m = len(scenario.launches)
    states = np.full((m, times.size, 6), np.nan)
    burning = np.zeros((m, times.size), bool)
    t_launch = np.array([launch.time_s for launch in scenario.launches])
    t_impact = np.full(m, np.nan)
    descriptions = []
    for i, launch in enumerate(scenario.launches):
        j0 = int(np.searchsorted(times, launch.time_s - 1e-9))
        rel = times[j0:] - launch.time_s
        samples, t_bo, t_imp, desc = _launch_states(launch, f"launches.{i}", rel)
        if launch.breakup_s is not None and launch.breakup_s < t_imp:
            samples = np.where((rel > launch.breakup_s)[:, None], np.nan, samples)
            t_imp = launch.breakup_s
            desc += f", breaks up {launch.breakup_s:.0f} s after launch"
        if launch.sensed_until_s is not None:
            desc += f", unseen after {launch.sensed_until_s:.0f} s"
        states[i, j0:] = samples
        burning[i, j0:] = rel < t_bo
        t_impact[i] = launch.time_s + t_imp
        descriptions.append(desc)
    if scenario.duration_s is None:
        end = np.nanmax(t_impact) + 30.0 if np.any(np.isfinite(t_impact)) else horizon
        keep = times <= end
        times, states, burning = times[keep], states[:, keep], burning[:, keep]
    burning &= ~np.isnan(states[..., 0])
    until = np.array(
        [
            launch.time_s + launch.sensed_until_s if launch.sensed_until_s is not None else np.inf
            for launch in scenario.launches
        ]
    )
    return Truth(
        times_s=times,
        states_ecef=states,
        burning=burning,
        launch_time_s=t_launch,
        impact_time_s=t_impact,
        names=tuple(launch.id for launch in scenario.launches),
        sensed_until_s=until if np.isfinite(until).any() else None,
    ), descriptions
