"""Hand-built truth and a fully specified test radar (independent of the sensor catalog)."""

import numpy as np
import pytest

from launchwatch.sense.records import Truth
from launchwatch.sense.sensors import RadarSensor

SITE = {"lat_deg": 35.0, "lon_deg": 135.0, "height_m": 0.0}


def _make_truth(
    pos_ecef, vel_ecef=None, t_end_s: float = 100.0, dt_s: float = 1.0, burning: bool = True
) -> Truth:
    """Missiles in straight-line motion ``pos + vel t`` (ECEF m, m/s) on a grid 0..t_end_s.

    ``pos_ecef`` is (3,) or (M, 3); linear interpolation of this truth is exact.
    """
    pos = np.atleast_2d(np.asarray(pos_ecef, dtype=float))
    vel = np.zeros_like(pos) if vel_ecef is None else np.atleast_2d(np.asarray(vel_ecef, float))
    times = np.arange(0.0, t_end_s + 0.5 * dt_s, dt_s)
    states = np.concatenate(
        [
            pos[:, None, :] + vel[:, None, :] * times[None, :, None],
            np.broadcast_to(vel[:, None, :], (pos.shape[0], times.size, 3)),
        ],
        axis=-1,
    )
    m = pos.shape[0]
    return Truth(
        times_s=times,
        states_ecef=states,
        burning=np.full((m, times.size), burning),
        launch_time_s=np.zeros(m),
        impact_time_s=np.full(m, times[-1]),
        names=tuple(f"m{i}" for i in range(m)),
    )


def _make_radar(**overrides) -> RadarSensor:
    """A radar at 35 N 135 E on the ellipsoid, hemispherical coverage, pd 1, no false alarms."""
    raw = {
        "name": "TestRadar",
        **SITE,
        "boresight_az_deg": 0.0,
        "boresight_el_deg": 45.0,
        "fov_half_az_deg": 180.0,
        "fov_half_el_deg": 45.0,
        "min_elevation_deg": 0.0,
        "range_ref_km": 1000.0,
        "rcs_ref_m2": 1.0,
        "sigma_range_m": 10.0,
        "sigma_angle_mrad": 1.0,
        "sigma_range_rate_m_s": 1.0,
        "revisit_s": 1.0,
        "pd": 1.0,
        "false_alarms_per_scan": 0.0,
    }
    return RadarSensor.from_dict({**raw, **overrides})


@pytest.fixture
def make_truth():
    return _make_truth


@pytest.fixture
def make_radar():
    return _make_radar


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20240607)
