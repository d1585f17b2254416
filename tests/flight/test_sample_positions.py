"""``propagate_states(sample_positions=True)``: the kernel's position-only samples are the
positions of its full-state samples, bit for bit, and ``sample_geodetic`` is their conversion."""

import numpy as np

from launchwatch.earth import frames
from launchwatch.flight import integrate, propagate
from launchwatch.flight.propagate import make_controls
from launchwatch.flight.vehicles import vehicle_model


def test_positions_are_the_states_positions_and_convert_to_the_geodetic_samples():
    n = integrate.BLOCK + 5  # the parallel kernel
    kw = {"sample_times_s": np.linspace(-20.0, 2000.0, 17)}
    args = (vehicle_model("KN-23"), 40.0, 124.9, 95.0, make_controls(n, kick_rad=0.45))
    eci = propagate.propagate(*args, **kw)
    pos = propagate.propagate(*args, sample_positions=True, **kw)
    geo = propagate.propagate(*args, sample_geodetic=True, **kw)
    assert pos.samples_eci is None and pos.samples_geodetic is None
    assert geo.samples_positions is None and eci.samples_positions is None
    p = pos.samples_positions
    assert p is not None and p.shape == (3, n, 17)
    np.testing.assert_array_equal(np.moveaxis(p, 0, -1), eci.samples_eci[..., :3])
    assert np.isnan(p[:, :, 0]).all() and np.isnan(p[:, :, -1]).all()  # before start, after impact
    converted = frames.eci_positions_to_geodetic_deg(p.copy(), kw["sample_times_s"])
    np.testing.assert_array_equal(converted, geo.samples_geodetic)
