"""The serial and the parallel batch kernels give identical trajectories."""

import numpy as np

from launchwatch.flight import integrate, propagate
from launchwatch.flight.propagate import make_controls
from launchwatch.flight.vehicles import vehicle_model


def _fly(kernel, monkeypatch):
    monkeypatch.setattr(propagate, "pick_batch_kernel", lambda n: kernel)
    n = 3 * integrate.BLOCK + 5  # several blocks, the last one partial
    kick = np.linspace(0.2, 0.6, n)
    return propagate.propagate(
        vehicle_model("KN-23"),
        40.0,
        124.9,
        95.0,
        make_controls(n, kick_rad=kick),
        sample_times_s=np.linspace(0.0, 400.0, 9),
    )


def test_serial_kernel_equals_parallel(monkeypatch):
    par = _fly(integrate.integrate_batch, monkeypatch)
    ser = _fly(integrate.integrate_batch_serial, monkeypatch)
    assert par.impacted.all()
    for name in ("t_impact_s", "impact_eci", "apogee_m", "n_steps", "samples_eci"):
        np.testing.assert_array_equal(getattr(ser, name), getattr(par, name))


def test_small_batches_run_serially():
    assert integrate.pick_batch_kernel(1) is integrate.integrate_batch_serial
    assert integrate.pick_batch_kernel(integrate.BLOCK) is integrate.integrate_batch_serial


def test_geodetic_samples_equal_the_converted_states():
    """Samples converted inside the kernel (``sample_geodetic``) are the ECI samples passed
    through frames.eci_grid_to_geodetic_deg, NaN after impact and before the start alike."""
    from launchwatch.earth import frames

    n = integrate.BLOCK + 3
    kw = {
        "sample_times_s": np.linspace(-20.0, 2000.0, 15),  # the first before lift-off
    }
    args = (vehicle_model("KN-23"), 40.0, 124.9, 95.0, make_controls(n, kick_rad=0.4))
    eci = propagate.propagate(*args, **kw)
    geo = propagate.propagate(*args, sample_geodetic=True, **kw)
    assert geo.samples_eci is None and eci.samples_geodetic is None
    assert eci.impacted.all() and np.isnan(eci.samples_eci[:, 0]).all()
    assert np.isnan(eci.samples_eci[:, -1]).all()  # after every impact
    np.testing.assert_array_equal(geo.impact_eci, eci.impact_eci)
    lat, lon, h = frames.eci_grid_to_geodetic_deg(eci.samples_eci, kw["sample_times_s"])
    for want, got in zip((lat, lon, h), geo.samples_geodetic, strict=True):
        np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    np.testing.assert_allclose(geo.samples_geodetic[0], lat, rtol=0, atol=1e-12)
    np.testing.assert_allclose(geo.samples_geodetic[1], lon, rtol=0, atol=1e-12)
    np.testing.assert_allclose(geo.samples_geodetic[2], h, rtol=0, atol=1e-6)
