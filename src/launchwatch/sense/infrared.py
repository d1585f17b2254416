"""Space-based infrared measurement model (SBIRS-GEO-like launch detection).

Frames and units: the satellite is fixed in ECEF (a geostationary sensor); truth positions are
WGS84 ECEF metres.  A measurement is the line of sight as (azimuth, elevation) in radians in the
*satellite's own* geodetic ENU frame (:func:`launchwatch.sense.geometry.aer_from` from the
satellite's ECEF position): looking down, the elevation is negative (about -80 deg towards
Korea from GEO).  ``z = (az, el, NaN, NaN)``; no range is measured.  Times are seconds after the
scenario epoch.

Model, per scan (every ``revisit_s``, random phase), all missiles at once:

* visible = motor burning (``truth.burning``), geodetic altitude >= ``min_target_altitude_km``
  (plumes low in the atmosphere are hidden by cloud and water vapour), and the line of sight
  clear of the WGS84 ellipsoid (nothing is seen through the Earth);
* detected with probability ``pd``;
* line-of-sight noise ``sigma_angle_urad`` on the sky: elevation noise sigma, azimuth noise
  ``sigma / cos(el)`` (capped at pi), reported in ``sigma``;
* false alarms: Poisson(``false_alarms_per_scan``) per scan, directions uniform in solid angle
  over the Earth's disc as seen from the satellite; truth id -1.
"""

from __future__ import annotations

import numpy as np

from launchwatch.earth.constants import A_M
from launchwatch.earth.frames import ecef_to_geodetic
from launchwatch.sense.geometry import aer_from, los_clear
from launchwatch.sense.radar import pack_parts, sample_truth, scan_times
from launchwatch.sense.records import Truth

__all__ = ["observe", "earth_disc_directions", "plume_visible", "plume_pd"]

_TWO_PI = 2.0 * np.pi
_CHUNK_ELEMENTS = 1 << 19


def earth_disc_directions(sat_ecef, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` unit vectors (ECEF, ``(n, 3)``) from the satellite, uniform in solid angle within
    the cone of half-angle ``asin(a / |r_sat|)`` about nadir (the Earth's disc, a = WGS84
    equatorial radius)."""
    r = np.asarray(sat_ecef, dtype=float)
    nadir = -r / np.linalg.norm(r)
    u1 = np.cross(nadir, [0.0, 0.0, 1.0] if abs(nadir[2]) < 0.9 else [1.0, 0.0, 0.0])
    u1 /= np.linalg.norm(u1)
    u2 = np.cross(nadir, u1)
    cos_max = np.sqrt(1.0 - (A_M / np.linalg.norm(r)) ** 2)
    cos_t = rng.uniform(cos_max, 1.0, n)
    sin_t = np.sqrt(1.0 - cos_t * cos_t)
    phi = rng.uniform(0.0, _TWO_PI, n)
    return (
        cos_t[:, None] * nadir
        + (sin_t * np.cos(phi))[:, None] * u1
        + (sin_t * np.sin(phi))[:, None] * u2
    )


def plume_visible(sensor, pos_ecef) -> np.ndarray:
    """Where a *burning* plume at ``pos_ecef`` (ECEF m, ``(..., 3)``) is in the sensor's view:
    geodetic altitude at or above its ``min_target_altitude_km`` and the line of sight clear of
    the ellipsoid (the model's visibility, less the burning flag); NaN positions are not."""
    pos = np.asarray(pos_ecef, dtype=float)
    with np.errstate(invalid="ignore"):
        high = ecef_to_geodetic(pos)[2] >= sensor.min_target_altitude_km * 1e3
        return np.asarray(high & los_clear(sensor.ecef_m, pos), dtype=bool)


def plume_pd(sensor, pos_ecef) -> np.ndarray:
    """Probability that one scan of ``sensor`` detects a burning plume at ``pos_ecef`` (ECEF m,
    ``(..., 3)``): its ``pd`` where :func:`plume_visible`, else 0 -- the detection draw of
    :func:`observe`, so a scan that saw nothing there weighs a still-burning motor by ``1 -
    plume_pd``."""
    return np.where(plume_visible(sensor, pos_ecef), float(sensor.pd), 0.0)


def _measure(az, el, sig: float, rng: np.random.Generator, noisy: bool = True):
    """z (n, 4) and sigma (n, 4) from true azimuth and elevation (rad), LOS noise ``sig`` rad."""
    sig_az = np.minimum(sig / np.maximum(np.cos(el), 1e-12), np.pi)
    noise = rng.standard_normal((az.size, 2)) if noisy else np.zeros((az.size, 2))
    az_m = np.mod(az + sig_az * noise[:, 0], _TWO_PI)
    nan = np.full(az.size, np.nan)
    z = np.stack([np.where(az_m >= _TWO_PI, 0.0, az_m), el + sig * noise[:, 1], nan, nan], axis=-1)
    sigma = np.stack([sig_az, np.full(az.size, sig), nan, nan], axis=-1)
    return z, sigma


def observe(
    sensor,
    truth: Truth,
    rng: np.random.Generator,
    noise: bool = True,
    *,
    t_start_s: float = 0.0,
    first_det_id: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Simulated detections of burning boosters in ``truth`` by one space infrared sensor (a
    :class:`~launchwatch.sense.sensors.IRSensor`, which measures through this function);
    ``noise=False``: exact lines of sight (the detection draws and false alarms stay).

    Scans run from ``max(t_start_s, truth.times_s[0])`` plus a random phase to the end of the
    truth grid.  Returns ``(detections, truth_ids)``: time-ordered
    :data:`~launchwatch.sense.records.DETECTION_DTYPE` records (kind ``"ir"``) with ids
    ``first_det_id, ...`` and the aligned truth rows (missile index, -1 for false alarms).
    Deterministic for a given ``rng`` state.
    """
    if getattr(sensor, "kind", None) != "ir":
        raise TypeError(f"infrared.observe needs an IRSensor, got {type(sensor).__name__}")
    sat = sensor.ecef_m
    sig = sensor.sigma_angle_urad * 1e-6
    times = scan_times(sensor.revisit_s, truth, rng, t_start_s)
    chunks = max(1, _CHUNK_ELEMENTS // max(truth.n_missiles, 1))
    out_t, out_z, out_sigma, out_m = [], [], [], []
    for k0 in range(0, times.size, chunks):
        t = times[k0 : k0 + chunks]
        states, burning = sample_truth(truth, t)
        pos = states[..., :3]
        visible = burning & plume_visible(sensor, pos)
        hit = visible & (rng.random(visible.shape) < sensor.pd)
        mi, ki = np.nonzero(hit)
        _, az, el = aer_from(sat, pos[mi, ki])
        z, sigma = _measure(az, el, sig, rng, noisy=noise)

        n_fa = rng.poisson(sensor.false_alarms_per_scan, size=t.size)
        dirs = earth_disc_directions(sat, int(n_fa.sum()), rng)
        _, fa_az, fa_el = aer_from(sat, sat + 1e7 * dirs)
        fa_z, fa_sigma = _measure(fa_az, fa_el, sig, rng, noisy=False)

        out_t += [t[ki], np.repeat(t, n_fa)]
        out_z += [z, fa_z]
        out_sigma += [sigma, fa_sigma]
        out_m += [mi, np.full(fa_az.size, -1)]
    return pack_parts(sensor, out_t, out_z, out_sigma, out_m, rng, first_det_id)
