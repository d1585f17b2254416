"""Shared test vehicles: simple, fully specified models (independent of the catalog); one
reconstruction refusal that two files read; a call counter for the work-counting tests."""

import numpy as np
import pytest

from launchwatch.flight import integrate, lockstep, propagate
from launchwatch.flight.propagate import FULL_PHYSICS, VehicleModel

MACH = [0.0, 0.8, 1.2, 2.0, 5.0, 10.0]
CD = [0.30, 0.35, 0.50, 0.40, 0.30, 0.28]


@pytest.fixture
def count_calls(monkeypatch):
    """``count_calls(module, name)`` replaces ``module.name`` for the test by a wrapper that
    counts its calls in the returned dict's ``"calls"`` (the unit of work a test bounds: shots
    shaped, batches flown)."""

    def install(module, name: str) -> dict[str, int]:
        n = {"calls": 0}
        real = getattr(module, name)

        def counted(*a, **k):
            n["calls"] += 1
            return real(*a, **k)

        monkeypatch.setattr(module, name, counted)
        return n

    return install


@pytest.fixture(scope="session")
def low_flat_refusal() -> str:
    """The one-line refusal of 800 km at a 20 km apogee from Sunan toward the East Sea (lower
    than the KN-23 class flies at its limits; not even the pull-up glide class flies it that
    low): made once per worker for test_reach_sweep.py and test_joint_reconstruction.py, whose
    tests that read it name the xdist group ``reconstruct-low-flat``."""
    from launchwatch.flight.catalog import get_site
    from launchwatch.flight.reconstruct import ReconstructionError, reconstruct
    from launchwatch.flight.sea_areas import bearing_toward

    site = get_site("Sunan")
    az = bearing_toward(site.lat_deg, site.lon_deg, "East Sea")
    with pytest.raises(ReconstructionError) as err:
        reconstruct(
            lat_deg=site.lat_deg,
            lon_deg=site.lon_deg,
            azimuth_deg=az,
            range_km=800.0,
            apogee_km=20.0,
        )
    return str(err.value)


@pytest.fixture(scope="session")
def srbm() -> VehicleModel:
    return VehicleModel.from_stages(
        name="test-srbm",
        burn_time_s=[60.0],
        propellant_mass_kg=[4000.0],
        dry_mass_kg=[800.0],
        isp_vac_s=[250.0],
        payload_mass_kg=500.0,
        area_boost_m2=0.5,
        area_coast_m2=0.3,
        mach=MACH,
        cd=CD,
    )


@pytest.fixture(scope="session")
def icbm() -> VehicleModel:
    return VehicleModel.from_stages(
        name="test-icbm",
        burn_time_s=[130.0, 160.0],
        propellant_mass_kg=[40000.0, 10000.0],
        dry_mass_kg=[3500.0, 1200.0],
        isp_vac_s=[285.0, 310.0],
        payload_mass_kg=1000.0,
        area_boost_m2=3.0,
        area_coast_m2=0.5,
        mach=MACH,
        cd=CD,
    )


def _kernels_both(vehicle, y0, t0, ctrl, geo, *, t_max=7200.0, max_steps=20_000, group=None):
    """Event records of the same batch from ``integrate_batch_serial`` (the reference) and the
    lockstep kernel: ``(reference, lockstep)``, each (N, N_EV)."""
    n = y0.shape[0]
    model = vehicle.model_arrays(FULL_PHYSICS)
    tol = (propagate.DEFAULT_RTOL, propagate.DEFAULT_ATOL_POS_M, propagate.DEFAULT_ATOL_VEL_M_S)
    args = (y0, t0, ctrl, geo, vehicle.stages, model, t_max, *tol, max_steps)
    ref = np.full((n, integrate.N_EV), np.nan)
    integrate.integrate_batch_serial(*args, np.empty(0), np.empty((n, 0, 6)), ref)
    ev = np.full((n, integrate.N_EV), np.nan)
    lockstep.lockstep_batch(*args, ev, group=group)
    return ref, ev


@pytest.fixture(scope="session")
def kernels_both():
    """:func:`_kernels_both`: one batch through the reference kernel and the lockstep kernel."""
    return _kernels_both
