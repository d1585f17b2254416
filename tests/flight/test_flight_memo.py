"""Within one computation each batch of the shaping search is flown once (shaping.flight_memo):
a shape asked again takes the first flight's result, and what it returns is the same float
for float as flying again, because each trajectory is integrated on its own whatever batch it
is in (the Newton search reuses its last trial's flight on that ground)."""

import numpy as np
import pytest

from launchwatch.flight import shaping
from launchwatch.flight.catalog import get_site
from launchwatch.flight.sea_areas import bearing_toward
from launchwatch.flight.vehicles import vehicle_model

SITE = get_site("Taekwan")
AZ = bearing_toward(SITE.lat_deg, SITE.lon_deg, "East Sea")


@pytest.fixture(scope="module")
def kn23():
    return vehicle_model("KN-23")


def _shot(model):
    return shaping.shape(
        model, SITE.lat_deg, SITE.lon_deg, 450e3, AZ, trajectory="depressed", apogee_m=50e3
    )


def test_a_shape_asked_again_within_the_memo_flies_nothing(kn23, count_calls):
    plain = _shot(kn23)  # no memo: flown as always
    n = count_calls(shaping, "propagate")  # the batches the shaping search flies
    with shaping.flight_memo():
        first = _shot(kn23)
        flown = n["calls"]
        again = _shot(kn23)
        assert n["calls"] == flown > 0  # nothing flown the second time
    # memoised results are the plain ones, float for float
    for s in (first, again):
        assert s.ctrl.tobytes() == plain.ctrl.tobytes()
        assert s.launch_azimuth_deg == plain.launch_azimuth_deg
        assert (s.range_m, s.apogee_m, s.flight_time_s) == (
            plain.range_m,
            plain.apogee_m,
            plain.flight_time_s,
        )
    # the memo is gone with its scope: the same shape flies again, every batch (within one
    # shape the memo also spares a few: a trial flown again as the shot)
    _shot(kn23)
    assert n["calls"] - flown > flown


def test_a_trajectory_flies_the_same_in_any_batch(kn23):
    """What the memo and the Newton reuse rest on: a row's result does not depend on the rows
    flown beside it (its own adaptive steps), also across the serial and parallel kernels."""
    from launchwatch.flight.propagate import make_controls, propagate

    n = 150  # over one block: the parallel kernel
    ctrl = make_controls(
        n,
        kick_rad=np.linspace(0.01, 1.2, n),
        burn_fraction=np.linspace(0.3, 1.0, n),
        alpha_rad=kn23.max_alpha_rad,
    )
    tr = propagate(kn23, SITE.lat_deg, SITE.lon_deg, AZ, ctrl, t_max_s=10_000.0)
    assert tr.impacted.sum() > 100
    for i in (0, 77, 149):
        one = propagate(kn23, SITE.lat_deg, SITE.lon_deg, AZ, ctrl[i : i + 1], t_max_s=10_000.0)
        for name in ("impact_eci", "apogee_m", "t_impact_s", "burnout_eci"):
            assert np.array_equal(getattr(one, name), getattr(tr, name)[i : i + 1], equal_nan=True)
