"""Radar measurement model: scans, visibility, detection draws, noise and false alarms.

Frames and units: truth and sensor positions are WGS84 ECEF metres (the sensor is fixed in
ECEF); a measurement ``z`` is (slant range m, azimuth rad in ``[0, 2 pi)`` clockwise from
north, elevation rad, range rate m/s) in the radar's local geodetic ENU frame, as in
:mod:`launchwatch.sense.records`.  Times are seconds after the scenario epoch.

Model, per scan (every ``revisit_s``, random phase), all missiles at once:

* visible = in flight, elevation >= ``min_elevation_deg``, inside the field of regard (azimuth
  within ``fov_half_az_deg`` of the boresight, wrapped; elevation within ``fov_half_el_deg`` of
  ``boresight_el_deg``), slant range <= ``R_max = range_ref (rcs / rcs_ref) ** (1/4)``, and the
  line of sight clear of the WGS84 ellipsoid (no refraction, no terrain);
* detected with probability ``pd`` (independent Bernoulli draws per scan and missile);
* ``z = true + N(0, sigma)``; the azimuth noise is ``sigma_angle / cos(el)`` so that the angular
  error is isotropic on the sky (capped at pi near the zenith), and the reported ``sigma``
  says so; elevation noise is not clipped at +-pi/2; range rate
  ``(r_t - r_s) . v_t / |r_t - r_s|`` (ECEF, sensor at rest), NaN when the radar has no
  ``sigma_range_rate_m_s``;
* false alarms: Poisson(``false_alarms_per_scan``) per scan, uniform in azimuth and elevation
  over the field of regard, range uniform in ``[0.1 R_max, R_max]`` (``R_max`` of the largest
  RCS given), range rate uniform in +-5 km/s; truth id -1.

The scan machinery (:func:`scan_times`, :func:`sample_truth`, :func:`pack_detections`) is shared
with :mod:`launchwatch.sense.infrared`.  Sensors are the catalog's
:class:`~launchwatch.sense.sensors.RadarSensor` (this module does not import the catalog: the
catalog's sensors measure through it, ``sensor.observe(truth, rng)``).
"""

from __future__ import annotations

import math

import numpy as np

from launchwatch.sense.geometry import aer_from, los_clear, wrap_pi
from launchwatch.sense.records import TRUTH_ID_DTYPE, Truth, empty_detections

__all__ = [
    "observe",
    "scan_times",
    "sample_truth",
    "pack_detections",
    "pack_parts",
    "FALSE_ALARM_RANGE_RATE_M_S",
    "CHUNK_ELEMENTS",
]

#: False alarms draw their range rate uniformly in +- this, m/s.
FALSE_ALARM_RANGE_RATE_M_S = 5000.0
#: Missiles x scans handled per vectorized block (bounds memory for large salvos).
CHUNK_ELEMENTS = 1 << 19
_TWO_PI = 2.0 * np.pi


# --- scan machinery, shared with the infrared model -----------------------------------------------
def scan_times(
    revisit_s: float, truth: Truth, rng: np.random.Generator, t_start_s: float = 0.0
) -> np.ndarray:
    """Scan instants (s): every ``revisit_s`` from a random phase in ``[0, revisit_s)`` after
    ``max(t_start_s, first truth time)``, up to the last truth time."""
    t0 = max(float(t_start_s), float(truth.times_s[0])) + rng.uniform(0.0, revisit_s)
    n = max(0, math.floor((float(truth.times_s[-1]) - t0) / revisit_s) + 1)
    return t0 + revisit_s * np.arange(n)


def sample_truth(truth: Truth, times_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """States ``(M, K, 6)`` (ECEF m, m/s; linear interpolation, NaN outside flight) and burning
    flags ``(M, K)`` (nearest grid sample) of all missiles at the times ``(K,)`` s."""
    grid = np.asarray(truth.times_s, dtype=float)
    t = np.asarray(times_s, dtype=float)
    i = np.clip(np.searchsorted(grid, t, side="right") - 1, 0, grid.size - 2)
    w = ((t - grid[i]) / (grid[i + 1] - grid[i]))[None, :, None]
    left, right = truth.states_ecef[:, i], truth.states_ecef[:, i + 1]
    states = np.where(w == 0.0, left, np.where(w == 1.0, right, (1.0 - w) * left + w * right))
    states[:, (t < grid[0]) | (t > grid[-1])] = np.nan
    burning = np.where(w[..., 0] < 0.5, truth.burning[:, i], truth.burning[:, i + 1])
    return states, np.asarray(burning, dtype=bool) & np.isfinite(states[..., 0])


def pack_detections(
    sensor, t_s, z, sigma, missile, rng: np.random.Generator, first_det_id: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Detection and truth-id records, time-ordered, ids ``first_det_id, first_det_id + 1, ...``;
    detections of one scan are shuffled so that their order reveals nothing about truth."""
    t_s = np.asarray(t_s, dtype=float)
    order = np.lexsort((rng.random(t_s.size), t_s))
    det = empty_detections(t_s.size)
    det["det_id"] = first_det_id + np.arange(t_s.size)
    det["sensor"], det["kind"], det["sensor_ecef_m"] = sensor.name, sensor.kind, sensor.ecef_m
    det["t_s"], det["z"], det["sigma"] = t_s[order], z[order], sigma[order]
    truth_ids = np.zeros(t_s.size, dtype=TRUTH_ID_DTYPE)
    truth_ids["det_id"], truth_ids["missile"] = det["det_id"], np.asarray(missile)[order]
    return det, truth_ids


def pack_parts(
    sensor,
    t_parts,
    z_parts,
    sigma_parts,
    missile_parts,
    rng: np.random.Generator,
    first_det_id: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`pack_detections` of per-scan lists of arrays (times, ``(n, 4)`` measurements and
    sigmas, missile ids); empty lists give empty records."""
    if not t_parts:
        return pack_detections(
            sensor,
            np.zeros(0),
            np.zeros((0, 4)),
            np.zeros((0, 4)),
            np.zeros(0, dtype=np.int64),
            rng,
            first_det_id,
        )
    return pack_detections(
        sensor,
        np.concatenate(t_parts),
        np.concatenate(z_parts),
        np.concatenate(sigma_parts),
        np.concatenate(missile_parts),
        rng,
        first_det_id,
    )


# --- radar ----------------------------------------------------------------------------------------
def _rcs_table(rcs_m2, truth: Truth) -> np.ndarray:
    """RCS (m^2) as an ``(M, T)`` table on the truth grid from a scalar, ``(M,)`` or ``(M, T)``."""
    shape = truth.states_ecef.shape[:2]
    rcs = np.asarray(rcs_m2, dtype=float)
    if rcs.ndim == 1:
        rcs = rcs[:, None]
    try:
        table = np.broadcast_to(rcs, shape)
    except ValueError:
        table = None
    if table is None or rcs.ndim > 2 or not np.all(np.isfinite(rcs) & (rcs > 0.0)):
        raise ValueError(
            f"rcs_m2 must be positive: a number, one per missile {shape[:1]} or "
            f"one per missile and truth sample {shape}; got shape {rcs.shape}"
        )
    return table


def _measure(sensor, r, az, el, rr, rng: np.random.Generator, noisy: bool = True):
    """z (n, 4) and sigma (n, 4) from true range, az, el, range rate (each (n,)); noise added
    when ``noisy`` (false alarms are random already and are reported as drawn)."""
    sig_a = sensor.sigma_angle_mrad * 1e-3
    sig_az = np.minimum(sig_a / np.maximum(np.cos(el), 1e-12), np.pi)
    sig_rr = sensor.sigma_range_rate_m_s
    noise = rng.standard_normal((r.size, 4)) if noisy else np.zeros((r.size, 4))
    az_m = np.mod(az + sig_az * noise[:, 1], _TWO_PI)
    z = np.stack(
        [
            r + sensor.sigma_range_m * noise[:, 0],
            np.where(az_m >= _TWO_PI, 0.0, az_m),
            el + sig_a * noise[:, 2],
            rr + sig_rr * noise[:, 3] if sig_rr is not None else np.full(r.size, np.nan),
        ],
        axis=-1,
    )
    sigma = np.stack(
        np.broadcast_arrays(
            sensor.sigma_range_m, sig_az, sig_a, np.nan if sig_rr is None else sig_rr
        ),
        axis=-1,
    )
    return z, sigma


def observe(
    sensor,
    truth: Truth,
    rng: np.random.Generator,
    noise: bool = True,
    *,
    rcs_m2=0.1,
    t_start_s: float = 0.0,
    first_det_id: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Simulated detections of all missiles in ``truth`` by one radar (a
    :class:`~launchwatch.sense.sensors.RadarSensor`); ``noise=False``: exact measurements (the
    detection draws and false alarms stay).

    ``rcs_m2`` is the target radar cross-section (m^2): a scalar, one value per missile
    ``(M,)``, or one per missile and truth sample ``(M, T)`` (nearest sample; e.g. a booster
    body while ``truth.burning`` and a re-entry vehicle after).
    Scans run from ``max(t_start_s, truth.times_s[0])`` plus a random phase to the end of the
    truth grid.  Returns ``(detections, truth_ids)``: time-ordered
    :data:`~launchwatch.sense.records.DETECTION_DTYPE` records with ids ``first_det_id, ...``
    and the aligned :data:`~launchwatch.sense.records.TRUTH_ID_DTYPE` rows (missile index, -1
    for false alarms).  Deterministic for a given ``rng`` state.
    """
    if getattr(sensor, "kind", None) != "radar":
        raise TypeError(f"radar.observe needs a RadarSensor, got {type(sensor).__name__}")
    n_m = truth.n_missiles
    r_max_table = sensor.max_range_m(_rcs_table(rcs_m2, truth))  # (M, T) m
    times = scan_times(sensor.revisit_s, truth, rng, t_start_s)
    s_ecef = sensor.ecef_m
    bore_az, bore_el = math.radians(sensor.boresight_az_deg), math.radians(sensor.boresight_el_deg)
    half_az, half_el = math.radians(sensor.fov_half_az_deg), math.radians(sensor.fov_half_el_deg)
    el_lo = max(bore_el - half_el, math.radians(sensor.min_elevation_deg))
    el_hi = min(bore_el + half_el, 0.5 * np.pi)
    r_fa = float(np.max(r_max_table)) if r_max_table.size else float(sensor.max_range_m())
    grid = np.asarray(truth.times_s, dtype=float)

    chunks = max(1, CHUNK_ELEMENTS // max(n_m, 1))
    out_t, out_z, out_sigma, out_m = [], [], [], []
    for k0 in range(0, times.size, chunks):
        t = times[k0 : k0 + chunks]
        states, _ = sample_truth(truth, t)  # (M, K, 6)
        pos = states[..., :3]
        rng_m, az, el = aer_from(s_ecef, pos)
        j = np.clip(np.searchsorted(grid, t), 1, grid.size - 1)
        nearest = j - ((t - grid[j - 1]) < (grid[j] - t))  # nearest truth sample of each scan
        with np.errstate(invalid="ignore"):  # NaN (not in flight) compares False: not visible
            visible = (
                (np.abs(wrap_pi(az - bore_az)) <= half_az)
                & (el >= el_lo)
                & (el <= el_hi)
                & (rng_m <= r_max_table[:, nearest])
                & los_clear(s_ecef, pos)
            )
        hit = visible & (rng.random(visible.shape) < sensor.pd)
        mi, ki = np.nonzero(hit)
        r = rng_m[mi, ki]
        rr = np.einsum("ij,ij->i", pos[mi, ki] - s_ecef, states[mi, ki, 3:]) / r
        z, sigma = _measure(sensor, r, az[mi, ki], el[mi, ki], rr, rng, noisy=noise)

        n_fa = rng.poisson(sensor.false_alarms_per_scan, size=t.size)
        total = int(n_fa.sum())
        fa_az = np.mod(bore_az + rng.uniform(-half_az, half_az, total), _TWO_PI)
        fa_el = rng.uniform(el_lo, el_hi, total)
        fa_r = rng.uniform(0.1 * r_fa, r_fa, total)
        fa_rr = rng.uniform(-FALSE_ALARM_RANGE_RATE_M_S, FALSE_ALARM_RANGE_RATE_M_S, total)
        fa_z, fa_sigma = _measure(sensor, fa_r, fa_az, fa_el, fa_rr, rng, noisy=False)

        out_t += [t[ki], np.repeat(t, n_fa)]
        out_z += [z, fa_z]
        out_sigma += [sigma, fa_sigma]
        out_m += [mi, np.full(total, -1)]
    return pack_parts(sensor, out_t, out_z, out_sigma, out_m, rng, first_det_id)
