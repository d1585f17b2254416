"""Fixtures of the tracker tests: truth flown by the flight propagator (helpers in
track_helpers.py)."""

import numpy as np
import pytest
from track_helpers import DT

from launchwatch.flight.propagate import make_controls, propagate
from launchwatch.flight.vehicles import generic_boost


@pytest.fixture(scope="session")
def srbm_truth():
    """One generic-boost SRBM (30 s burn) from 39.8 N 124.9 E toward the east, sampled at
    10 Hz: (times, states (1, T, 6) ECEF, burnout time)."""
    times = np.arange(0.0, 400.0, DT)
    tr = propagate(
        generic_boost(30.0),
        39.8,
        124.9,
        90.0,
        make_controls(1, kick_rad=0.25),
        sample_times_s=times,
    )
    return times, tr.samples_ecef(), float(tr.t_burnout_s[0])


@pytest.fixture(scope="session")
def salvo_truth():
    """Eight generic-boost SRBMs from two sites 30 km apart, launched 0-21 s apart on
    azimuths 80-101 deg (their ground tracks cross), 10 Hz samples, 250 s."""
    times = np.arange(0.0, 250.0, DT)
    n = 8
    lat = np.where(np.arange(n) < 4, 39.8, 40.05)
    lon = np.where(np.arange(n) < 4, 124.9, 125.1)
    az = np.array([80.0, 86.0, 92.0, 98.0, 101.0, 95.0, 89.0, 83.0])
    t_launch = np.arange(n) * 3.0
    tr = propagate(
        generic_boost(30.0), lat, lon, az, make_controls(n, kick_rad=0.2), sample_times_s=times
    )
    s = tr.samples_ecef()
    src = np.arange(times.size)[None, :] - np.round(t_launch / DT).astype(int)[:, None]
    shifted = s[np.arange(n)[:, None], np.clip(src, 0, None)]  # missile i launched at t_i
    shifted[src < 0] = np.nan
    return times, shifted
