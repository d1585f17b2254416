"""Helpers for the tracker tests: truth from the flight propagator and a tiny, independent
sensor noise model (angles from launchwatch.sense.geometry, not from the tracker's own kernels)."""

from __future__ import annotations

import numpy as np

from launchwatch.earth.frames import ecef_to_eci, geodetic_to_ecef
from launchwatch.flight.propagate import VehicleModel, propagate_states
from launchwatch.sense.geometry import aer_from
from launchwatch.sense.records import DETECTION_DTYPE, Truth

DT = 0.1
RADAR_SIGMA = (10.0, 3e-4, 3e-4)  # range m, azimuth rad, elevation rad
RADAR_SITE = geodetic_to_ecef(np.radians(38.5), np.radians(127.0), 100.0)


def make_truth(states_ecef, times, *, burning=None, names=None) -> Truth:
    states_ecef = np.asarray(states_ecef, float)
    m = states_ecef.shape[0]
    air = np.isfinite(states_ecef[..., 0])
    launch = np.array([times[np.argmax(a)] if a.any() else np.nan for a in air])
    impact = np.array([times[len(a) - 1 - np.argmax(a[::-1])] if a.any() else np.nan for a in air])
    return Truth(
        times_s=np.asarray(times, float),
        states_ecef=states_ecef,
        burning=np.zeros(air.shape, bool) if burning is None else burning,
        launch_time_s=launch,
        impact_time_s=impact,
        names=tuple(names or (f"M{i}" for i in range(m))),
    )


def radar_scans(
    states_k,
    times,
    *,
    site=RADAR_SITE,
    sigma=RADAR_SIGMA,
    rng,
    pd=1.0,
    sensor="R1",
    range_rate_sigma=None,
    first_id=0,
    min_el=0.0,
):
    """One detection batch per time: states (M, T, 6) ECEF seen from ``site``."""
    m = states_k.shape[0]
    batches = []
    for k, t in enumerate(times):
        tgt = states_k[:, k]
        alive = np.flatnonzero(np.isfinite(tgt[:, 0]))
        rng_m, az, el = aer_from(site, tgt[alive, :3])
        seen = (el > min_el) & (rng.random(alive.size) < pd)
        alive, rng_m, az, el = alive[seen], rng_m[seen], az[seen], el[seen]
        det = np.zeros(alive.size, DETECTION_DTYPE)
        det["det_id"] = first_id + k * m + alive
        det["sensor"], det["kind"], det["t_s"] = sensor, "radar", t
        noise = rng.standard_normal((alive.size, 4))
        det["z"][:, 0] = rng_m + sigma[0] * noise[:, 0]
        det["z"][:, 1] = np.mod(az + sigma[1] * noise[:, 1], 2 * np.pi)
        det["z"][:, 2] = el + sigma[2] * noise[:, 2]
        det["sigma"][:, :3] = sigma
        if range_rate_sigma is None:
            det["z"][:, 3] = det["sigma"][:, 3] = np.nan
        else:
            d = tgt[alive, :3] - site
            rr = np.sum(d * tgt[alive, 3:], axis=1) / np.linalg.norm(d, axis=1)
            det["z"][:, 3] = rr + range_rate_sigma * noise[:, 3]
            det["sigma"][:, 3] = range_rate_sigma
        det["sensor_ecef_m"] = site
        batches.append(det)
    return batches


def truth_ids(det, n_missiles):
    """Missile index of each detection made by :func:`radar_scans` (det_id = k*M + missile)."""
    return det["det_id"] % n_missiles


def coast_truth(y0_ecef, times):
    """(N, T, 6) ECEF truth of bodies coasting from ECEF states at t = 0 (flight propagator:
    adaptive Dormand-Prince, J2, rotation; drag of a 1,000 kg, 0.1 m^2 body)."""
    r, v = ecef_to_eci(y0_ecef[:, :3], 0.0, v_ecef=y0_ecef[:, 3:])
    traj = propagate_states(
        VehicleModel.coasting_body(mass_kg=1000.0, area_m2=0.1),
        np.concatenate([r, v], axis=1),
        0.0,
        sample_times_s=times,
        t_max_s=float(times[-1]) + 1.0,
    )
    return traj.samples_ecef()


def midcourse_state(
    lat_deg=39.0, lon_deg=131.0, h_m=250e3, v_east=2500.0, v_north=800.0, v_up=1200.0
):
    from launchwatch.earth.frames import enu_matrix

    lat, lon = np.radians(lat_deg), np.radians(lon_deg)
    r = geodetic_to_ecef(lat, lon, h_m)
    v = enu_matrix(lat, lon).T @ np.array([v_east, v_north, v_up])
    return np.concatenate([r, v])
