"""Shared test vehicles: simple, fully specified models (independent of the catalog)."""

import pytest

from launchwatch.flight.propagate import VehicleModel

MACH = [0.0, 0.8, 1.2, 2.0, 5.0, 10.0]
CD = [0.30, 0.35, 0.50, 0.40, 0.30, 0.28]


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
