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
