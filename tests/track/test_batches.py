"""Frames of a batch and the per-site ENU cache: the fast paths equal the general ones."""

import numpy as np

from launchwatch.earth.frames import ecef_to_geodetic, enu_matrix, geodetic_to_ecef
from launchwatch.sense.records import DETECTION_DTYPE
from launchwatch.track.batches import frames
from launchwatch.track.measure import Measurements


def _batch(sensors):
    det = np.zeros(len(sensors), DETECTION_DTYPE)
    det["sensor"] = sensors
    det["t_s"] = np.sort(np.random.default_rng(0).uniform(0.0, 0.3, len(sensors)))
    return det


def test_one_sensor_frames_equal_the_general_split():
    det = _batch(["R0"] * 9)
    one = frames(det, 0.05)
    # The general path (several sensors) on the same rows plus one other sensor's row.
    mixed = np.concatenate([det, _batch(["R9"])])
    mixed = mixed[np.argsort(mixed["t_s"], kind="stable")]
    keep = np.flatnonzero(mixed["sensor"] == "R0")
    general = [f for f in frames(mixed, 0.05) if mixed["sensor"][f[0]] == "R0"]
    assert [list(f) for f in one] == [list(np.searchsorted(keep, g)) for g in general]
    assert sum(f.size for f in one) == det.size


def test_cached_site_rotation_equals_the_direct_one():
    site = geodetic_to_ecef(np.radians(36.1), np.radians(139.9), 120.0)
    det = np.zeros(3, DETECTION_DTYPE)
    det["sensor_ecef_m"] = site
    det["kind"] = "radar"
    for _ in range(2):  # first call fills the cache, the second reads it
        m = Measurements.from_detections(det)
        lat, lon, _ = ecef_to_geodetic(site)
        np.testing.assert_array_equal(m.enu, np.broadcast_to(enu_matrix(lat, lon), (3, 3, 3)))
        m.enu[0, 0, 0] = 5.0  # the measurements' copy is their own
