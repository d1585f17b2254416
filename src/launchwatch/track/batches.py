"""Detection batches on their way into the tracker: checks and frames.

A batch is an array of :data:`~launchwatch.sense.records.DETECTION_DTYPE` rows.  A row is
*usable* when its time, sensor position and angles are finite, its noise positive and its kind
``radar`` or ``ir`` (a radar row without range or range rate is an angle-only measurement);
other rows are recorded as rejected, never raised on.  A *frame* is the detections of one sensor
within ``window_s`` of the frame's first one (one scan).
"""

from __future__ import annotations

import numpy as np
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
    z, sg = det["z"], det["sigma"]
    ok_z = np.isfinite(z) & np.isfinite(sg) & (sg > 0)
    ir = det["kind"] == "ir"
    angles = np.where(ir[:, None], ok_z[:, :2], ok_z[:, 1:3]).all(axis=1)
    ok: np.ndarray = (
        np.isfinite(det["t_s"])
        & np.isfinite(det["sensor_ecef_m"]).all(axis=1)
        & angles
        & ((det["kind"] == "radar") | ir)
        & (np.linalg.norm(det["sensor_ecef_m"], axis=1) > 1e6)
    )
    return ok


def frames(det: np.ndarray, window_s: float) -> list[np.ndarray]:
    """Index arrays of frames: one sensor's detections within ``window_s`` of the frame's
    first, ordered by first time (``det`` is sorted by time)."""
    if det.size == 0:
        return []
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


def ellipsoid_radius(r: np.ndarray) -> np.ndarray:
    """WGS84 ellipsoid radius (m) along the geocentric directions of ``r`` (N, 3)."""
    p2 = r[:, 0] ** 2 + r[:, 1] ** 2
    radius: np.ndarray = (
        A_M * B_M * np.linalg.norm(r, axis=1) / np.sqrt(B_M**2 * p2 + A_M**2 * r[:, 2] ** 2)
    )
    return radius
