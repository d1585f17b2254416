"""The glide-IRBM class (vehicles.yaml ``Hwasong-16B``: a two-stage solid boost and a separating
glide vehicle) and the rule that sends a low, long shot to it (flight/reconstruct.py,
``_quasi_ballistic_vehicle``): classes go by maximum range, and a missile that flew 1,000 km or
more is no SRBM.  Figures here are shapes, not published flight times."""

import pytest

from launchwatch.flight.catalog import get_vehicle
from launchwatch.flight.classes import range_class
from launchwatch.flight.dynamics import VS_MASS_COAST
from launchwatch.flight.reconstruct import (
    _quasi_ballistic_vehicle,
    lift_to_drag,
    lift_to_drag_max,
    reconstruct,
)
from launchwatch.flight.sea_areas import bearing_toward
from launchwatch.flight.vehicles import vehicle_model

GLIDE = get_vehicle("hypersonic IRBM")


def test_the_glide_class_is_a_lifting_irbm_whose_glider_flies_alone():
    assert GLIDE.name == "Hwasong-16B" and GLIDE.quasi_ballistic and GLIDE.body_separates
    assert GLIDE.range_class == "IRBM" and len(GLIDE.stages) == 2
    lo, hi = GLIDE.launch_mass_range_kg
    assert lo <= GLIDE.launch_mass_kg <= hi
    assert 4000.0 <= GLIDE.ideal_delta_v_m_s <= 6500.0  # the IRBM band of tests/test_catalog.py
    # After burnout the glide vehicle alone coasts; a KN-23-class body keeps its spent motor.
    assert vehicle_model(GLIDE).vs[VS_MASS_COAST] == GLIDE.payload_mass_kg
    kn23 = get_vehicle("KN-23")
    assert vehicle_model(kn23).vs[VS_MASS_COAST] == pytest.approx(
        kn23.payload_mass_kg + kn23.stages[-1].dry_mass_kg
    )
    # Its nominal angle of attack is the glide's best L/D (flown for range).
    assert lift_to_drag_max(GLIDE) == pytest.approx(2.5, abs=0.01)
    assert lift_to_drag(GLIDE, GLIDE.lift.max_alpha_deg * 3.14159265 / 180.0) == pytest.approx(
        lift_to_drag_max(GLIDE), rel=1e-3
    )


@pytest.mark.parametrize(
    ("range_km", "expected"),
    [
        (450.0, "KN-23"),
        (875.0, "KN-23"),
        (999.0, "KN-23"),
        (1000.0, "Hwasong-16B"),
        (1100.0, "Hwasong-16B"),
        (4000.0, "Hwasong-16B"),
        (9000.0, "Hwasong-16B"),
    ],
)
def test_the_lifting_class_is_the_shortest_not_below_the_range_flown(range_km, expected):
    assert _quasi_ballistic_vehicle(range_km) == expected
    # Never a class below the range's own (the last, longest class when none reaches it).
    cls = get_vehicle(expected).range_class
    order = ("SRBM", "MRBM", "IRBM", "ICBM")
    assert order.index(cls) >= min(order.index(range_class(range_km)), order.index("IRBM"))


def test_a_low_long_shot_beyond_the_srbm_class_flies_the_glide_body():
    # 1,100 km with a 40 km apogee: beyond the KN-23 class at its limits (the error case of the
    # previous rule); the glide-IRBM class flies it with its own catalog body.
    lat, lon = 39.01944, 125.73806
    az = bearing_toward(lat, lon, "East Sea")
    d = reconstruct(
        lat_deg=lat, lon_deg=lon, azimuth_deg=az, range_km=1100.0, apogee_km=40.0
    ).as_dict()
    assert d["requested"]["quasi_ballistic_class"] == "Hwasong-16B"
    assert abs(d["range_km"] - 1100.0) < 1.0 and abs(d["apogee_km"] - 40.0) < 0.5
    assert "manoeuvre" not in d  # the catalog body, nothing raised
    lo, hi = d["manoeuvre_range_band_km"]
    assert lo <= d["range_km"] <= hi and lo < hi


@pytest.mark.parametrize(
    ("range_km", "apogee_km"),
    [
        (650.0, 100.0),  # Japan MoD's figures for the 2024-04-02 Hwasong-16B test (vehicles.yaml)
        (600.0, 101.1),  # ROK JCS's range with KCNA's first peak, the same test
    ],
)
def test_a_short_glide_irbm_shot_flies_its_own_class(range_km, apogee_km):
    # A report that names a glide vehicle sends a low shot to the glide class at any range.
    # 600-650 km at ~100 km needs less energy than the class's least burn delivers with its
    # glider at its best L/D: the glider bleeds the excess by flying below it (the angle of
    # attack is the second unknown at the least burn), so the class flies the figures itself
    # instead of handing them to the KN-23 class.
    lat, lon = 39.01944, 125.73806
    az = bearing_toward(lat, lon, "East Sea")
    d = reconstruct(
        lat_deg=lat, lon_deg=lon, azimuth_deg=az, range_km=range_km, apogee_km=apogee_km, glide=True
    ).as_dict()
    assert d["requested"]["quasi_ballistic_class"] == "Hwasong-16B"
    assert "quasi_ballistic_class_refused" not in d["requested"]
    assert abs(d["range_km"] - range_km) < 1.0 and abs(d["apogee_km"] - apogee_km) < 0.5
    # Below the best L/D (the nominal angle of attack) and at the least burn of the last stage.
    g = d["assumptions"]["glide"]
    assert g["energy_knob"] == "alpha" and 0.0 <= g["alpha_deg"] < g["nominal_alpha_deg"]
    assert g["last_stage_burn_fraction"] == pytest.approx(0.05)


def test_too_short_for_the_least_burn_the_error_names_the_shortest_range():
    # Shorter than the glider's ballistic fall from the least burn: no angle of attack brings
    # it in; the one line names the shortest range the body flies through that apogee.
    import re

    from launchwatch.flight.reconstruct import ReconstructionError

    lat, lon = 39.01944, 125.73806
    az = bearing_toward(lat, lon, "East Sea")
    with pytest.raises(ReconstructionError) as e:
        reconstruct(
            lat_deg=lat,
            lon_deg=lon,
            azimuth_deg=az,
            range_km=500.0,
            apogee_km=100.0,
            vehicle="Hwasong-16B",
        )
    msg = str(e.value)
    assert "\n" not in msg and "shortest range" in msg
    shortest = float(re.search(r"is about ([\d,]+) km", msg).group(1).replace(",", ""))
    assert 500.0 < shortest < 650.0  # the 600-650 km shots above fly
