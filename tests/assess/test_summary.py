"""The one per-track assessment record (assess/summary.py), the one home of the missile classes
and sea areas, and the one geodesic path-step measure."""

import numpy as np
import pytest

from launchwatch.assess.summary import level_index, p_country, prediction_record
from launchwatch.earth import geodesy
from launchwatch.flight.classes import EVENT_CLASSES, RANGE_CLASS_NAMES, range_class
from launchwatch.flight.sea_areas import bearing_toward, sea_area_names


def _cols(levels=(0.5, 0.95)):
    return {
        "track_id": np.array([7, 8]),
        "impact_lat_deg": np.array([40.123456, np.nan]),
        "impact_lon_deg": np.array([134.5, 1.0]),
        "impact_t_s": np.array([400.004, 1.0]),
        "impact_t_sigma_s": np.array([3.0, 1.0]),
        "ellipse_semi_major_m": np.array([[5e3, 12_345.0], [1.0, 2.0]])[:, : len(levels)],
        "ellipse_semi_minor_m": np.array([[2e3, 6_789.0], [1.0, 2.0]])[:, : len(levels)],
        "zone_probs": (
            {"eez:JPN": 0.25, "territorial_sea:JPN": 0.05, "eez:KOR": 0.6, "high_seas": 0.1},
            {},
        ),
        "verdict_kind": ("eez", "high_seas"),
        "verdict_country": ("KOR", ""),
        "range_class": ("SRBM",),
        "range_class_prob": np.array([0.9]),
        "apogee_m": np.array([]),
    }


def test_prediction_record_uses_the_95_column_and_sums_japan():
    rec = prediction_record(_cols(), 0)
    assert rec["ellipse_95_km"] == [12.35, 6.79]  # column of 0.95, not of 0.5
    assert rec["p_japan_eez"] == 0.3 and rec["impact_lat"] == 40.1235
    assert rec["verdict"] == {"kind": "eez", "country": "KOR"} and rec["range_class"] == "SRBM"
    assert rec["apogee_km"] is None  # an empty optional column
    other = prediction_record(_cols(), 1)
    assert other["impact_lat"] is None and other["verdict"]["country"] is None
    assert other["range_class"] is None and other["range_class_prob"] is None
    # a partner's message with other ellipse levels: the 95 % column is found, or None
    assert prediction_record(_cols(), 0, (0.95, 0.5))["ellipse_95_km"] == [5.0, 2.0]
    assert prediction_record(_cols((0.5,)), 0, (0.5,))["ellipse_95_km"] is None


def test_level_index_and_p_country():
    assert level_index((0.5, 0.95)) == 1 and level_index((0.95,)) == 0
    with pytest.raises(ValueError, match="no 0.95 ellipse"):
        level_index((0.5, 0.99))
    assert p_country({"land:JPN": 0.1, "eez:JPN": 0.2, "eez:KOR": 0.7}) == pytest.approx(0.3)
    assert p_country({"eez:JPNX": 0.5, "high_seas": 0.5}) == 0.0


def test_one_home_for_classes_and_sea_areas():
    assert RANGE_CLASS_NAMES == ("SRBM", "MRBM", "IRBM", "ICBM")
    assert set(RANGE_CLASS_NAMES) < set(EVENT_CLASSES)
    assert [range_class(x) for x in (700, 1000, 2999, 4000, 13000)] == [
        "SRBM",
        "MRBM",
        "MRBM",
        "IRBM",
        "ICBM",
    ]
    names = sea_area_names()
    assert "East Sea" in names and "Sea of Japan" in names
    assert "Sea of Japan" not in sea_area_names(aliases=False)
    # the Sea of Japan lies east of Pyongyang, the Yellow Sea west
    assert 45 < bearing_toward(39.0, 125.75, "sea of japan") < 135
    assert 180 < bearing_toward(39.0, 125.75, "Yellow Sea") < 315


def test_segment_lengths_are_geodesic_and_gaps_are_handled():
    d = geodesy.segment_lengths_m(
        [0.0, 0.0, np.nan, 0.0], [0.0, 0.0, 0.0, np.inf], [1.0, 0.0, 1.0, 0.0], [0.0, 1.0, 0.0, 0.0]
    )
    # WGS84: one degree of meridian at the equator 110.574 km, of the equator 111.319 km
    assert d[0] == pytest.approx(110_574.4, abs=1.0) and d[1] == pytest.approx(111_319.5, abs=1)
    assert np.isnan(d[2]) and np.isinf(d[3])
    assert geodesy.densify_count(d, 2_000.0, 64) == 64  # the unmeasurable segment
    assert geodesy.densify_count(d[:2], 2_000.0, 64) == 56
    assert geodesy.densify_count([np.nan], 2_000.0, 64) == 1
