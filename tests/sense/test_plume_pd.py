"""The IR model's per-scan detection probability of a burning plume at a place
(:func:`launchwatch.sense.infrared.plume_pd`): the same visibility as its ``observe``."""

from dataclasses import replace

import numpy as np

from launchwatch.earth import frames
from launchwatch.sense.infrared import observe, plume_pd
from launchwatch.sense.records import Truth
from launchwatch.sense.sensors import load_sensors


def _sbirs():
    return next(s for s in load_sensors().values() if s.kind == "ir")


def _at(lat_deg, lon_deg, h_m):
    return frames.geodetic_to_ecef(np.radians(lat_deg), np.radians(lon_deg), h_m)


def test_pd_above_the_floor_in_view_zero_below_or_behind_the_earth():
    ir = _sbirs()
    pos = np.stack(
        [
            _at(40.0, 130.0, 30e3),  # over the Sea of Japan, in view, above the floor
            _at(40.0, 130.0, 0.5 * ir.min_target_altitude_km * 1e3),  # under the floor
            _at(40.0, ir.lon_deg + 180.0, 30e3),  # the far side of the Earth
        ]
    )
    np.testing.assert_array_equal(plume_pd(ir, pos), [ir.pd, 0.0, 0.0])
    np.testing.assert_array_equal(plume_pd(replace(ir, pd=0.6), pos[:1]), [0.6])


def test_observe_detects_in_view_plumes_at_plume_pd():
    """Many scans of a plume held in view: the detected fraction is plume_pd (binomial 4 sigma);
    under the floor, never."""
    ir = replace(_sbirs(), pd=0.7, revisit_s=1.0, false_alarms_per_scan=0.0)
    t = np.arange(0.0, 2000.0, 0.5)
    states = np.zeros((2, t.size, 6))
    states[0, :, :3] = _at(40.0, 130.0, 30e3)
    states[1, :, :3] = _at(39.0, 131.0, 2e3)
    truth = Truth(
        times_s=t,
        states_ecef=states,
        burning=np.ones((2, t.size), bool),
        launch_time_s=np.zeros(2),
        impact_time_s=np.full(2, t[-1]),
        names=("high", "low"),
    )
    _, ids = observe(ir, truth, np.random.default_rng(3))
    who = ids["missile"]
    n_scans = int(np.floor((t[-1] - t[0]) / ir.revisit_s))
    p = plume_pd(ir, states[:, 0, :3])
    assert p[1] == 0.0 and np.sum(who == 1) == 0
    frac = np.sum(who == 0) / n_scans
    assert abs(frac - p[0]) < 4.0 * np.sqrt(p[0] * (1 - p[0]) / n_scans)
