"""Detection batches on their way into the tracker: checks and frames.

A batch is an array of :data:`~launchwatch.sense.records.DETECTION_DTYPE` rows.  A row is
*usable* when its time, sensor position and angles are finite, its noise positive and its kind
``radar`` or ``ir`` (a radar row without range or range rate is an angle-only measurement);
other rows are recorded as rejected, never raised on.  A *frame* is the detections of one sensor
within ``window_s`` of the frame's first one (one scan).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit
from numpy.typing import ArrayLike

from ..earth.constants import A_M, B_M
from ..sense.records import DETECTION_DTYPE


def validate(detections: ArrayLike) -> np.ndarray:
    """The batch as a 1-D DETECTION_DTYPE array; a clear ``ValueError`` if it is not one."""
    det = np.asarray(detections)
    if det.dtype != DETECTION_DTYPE:
        names = det.dtype.names or ()
        missing = [n for n in DETECTION_DTYPE.names or () if n not in names]
        if missing:
            raise ValueError(f"detections need the DETECTION_DTYPE fields; missing {missing}")
        det = det.astype(DETECTION_DTYPE)
    return np.atleast_1d(det).ravel()


def usable(det: np.ndarray) -> np.ndarray:
    """(K,) True for rows the tracker can use (see module docstring)."""
    return screen(det)[0]


def screen(det: np.ndarray) -> tuple[np.ndarray, int, bool]:
    """:func:`usable` of a validated batch (one compiled pass over the records), the number of
    usable rows and whether their times are already in order (non-decreasing)."""
    ok = np.empty(det.shape[0], np.bool_)
    n_ok, in_order = _screen_kernel(det, ok)
    return ok, int(n_ok), bool(in_order)


@njit(cache=True)
def _finite_positive(z: float, sg: float) -> bool:
    return math.isfinite(z) and math.isfinite(sg) and sg > 0.0


@njit(cache=True)
def _screen_kernel(det, ok):  # type: ignore[no-untyped-def]
    """Per record: finite time and sensor position (norm above 1,000 km), finite angles with
    positive finite noise (IR: slots 0-1, radar: 1-2), kind ``radar`` or ``ir``."""
    n_ok = 0
    in_order = True
    t_last = -np.inf
    for k in range(det.shape[0]):
        d = det[k]
        ir = d.kind == "ir"
        a = 0 if ir else 1
        good = _finite_positive(d.z[a], d.sigma[a]) and _finite_positive(d.z[a + 1], d.sigma[a + 1])
        good = good and math.isfinite(d.t_s) and (ir or d.kind == "radar")
        s = d.sensor_ecef_m
        good = good and math.isfinite(s[0]) and math.isfinite(s[1]) and math.isfinite(s[2])
        good = good and math.sqrt(s[0] * s[0] + s[1] * s[1] + s[2] * s[2]) > 1e6
        ok[k] = good
        if good:
            n_ok += 1
            if d.t_s < t_last:
                in_order = False
            t_last = d.t_s
    return n_ok, in_order


def frames(det: np.ndarray, window_s: float) -> list[np.ndarray]:
    """Index arrays of frames: one sensor's detections within ``window_s`` of the frame's
    first, ordered by first time (``det`` is sorted by time)."""
    if det.size == 0:
        return []
    if _one_frame(det, window_s):  # one sensor's scan: no string comparisons in NumPy
        return [np.arange(det.size)]
    sensor = det["sensor"]
    t = det["t_s"]
    if (sensor == sensor[0]).all():  # one sensor (a scan): no string sort
        if t[-1] - t[0] <= window_s:  # and one frame
            return [np.arange(det.size)]
        code = np.zeros(det.size, np.int64)
    else:
        _, code = np.unique(sensor, return_inverse=True)
    out = []
    for c in np.unique(code):  # sensors
        idx = np.flatnonzero(code == c)
        ts = t[idx]
        start = 0
        while start < idx.size:  # scans of this sensor in the batch
            end = int(np.searchsorted(ts, ts[start] + window_s, side="right"))
            out.append(idx[start:end])
            start = end
    out.sort(key=lambda f: (t[f[0]], f[0]))
    return out


@njit(cache=True)
def _one_frame(det, window_s: float) -> bool:  # type: ignore[no-untyped-def]
    """All rows from the first row's sensor, the last within ``window_s`` of the first."""
    for k in range(1, det.shape[0]):
        if det[k].sensor != det[0].sensor:
            return False
    return bool(det[det.shape[0] - 1].t_s - det[0].t_s <= window_s)


_AB, _A2, _B2 = A_M * B_M, A_M**2, B_M**2


@njit(cache=True, error_model="numpy")
def height_kernel(r, out):  # type: ignore[no-untyped-def]
    for k in range(r.shape[0]):
        x, y, z = r[k, 0], r[k, 1], r[k, 2]
        norm = math.sqrt(x * x + y * y + z * z)
        out[k] = norm - _AB * norm / math.sqrt(_B2 * (x * x + y * y) + _A2 * (z * z))


def height_above_ellipsoid(r: np.ndarray) -> np.ndarray:
    """(N,) ``|r| - ellipsoid_radius(r)`` (m): height along the radius of ECEF points ``r``
    (N, 3), in one compiled pass (the NumPy expression's arithmetic, in its order)."""
    r = np.ascontiguousarray(r, float)
    out = np.empty(r.shape[0])
    height_kernel(r, out)
    return out


def ellipsoid_radius(r: np.ndarray) -> np.ndarray:
    """WGS84 ellipsoid radius (m) along the geocentric directions of ``r`` (N, 3)."""
    p2 = r[:, 0] ** 2 + r[:, 1] ** 2
    radius: np.ndarray = (
        A_M * B_M * np.linalg.norm(r, axis=1) / np.sqrt(B_M**2 * p2 + A_M**2 * r[:, 2] ** 2)
    )
    return radius
