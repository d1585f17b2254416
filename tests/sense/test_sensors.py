"""Sensor catalog: provenance of every number, contents, lookup, validation, merged feed."""

import dataclasses
from importlib import resources

import numpy as np
import pytest
from pyproj import Geod

from launchwatch.flight.catalog import UnknownNameError
from launchwatch.flight.provenance import unmarked_numeric_lines
from launchwatch.sense.records import DETECTION_DTYPE
from launchwatch.sense.sensors import (
    IRSensor,
    RadarSensor,
    SensorConfigError,
    build_sensor,
    get_sensor,
    load_sensors,
    observe_all,
)

# The provenance rule and its checker live in launchwatch.flight.provenance.


def test_provenance_checker_can_fail() -> None:
    text = "\n".join(
        [
            "lat_deg: 40.9",  # bare number
            "pd: 0.9  # a plain comment",  # comment without a marker
            "range_ref_km: 1000.0  # source: Asahi 2013",  # marked: fine
            "pd: 0.9  # estimate: not public",  # marked: fine
            "revisit_s: 2  # estimate",  # marker without reasoning
            'name: "TPY2-Shariki"',  # quoted text: fine
            "name: SBIRS-GEO-1",  # identifier, not a number: fine
            "  <<: *tpy2_fbm",  # merge key: fine
        ]
    )
    assert [n for n, _ in unmarked_numeric_lines(text)] == [1, 2, 5]


def test_every_number_in_sensors_yaml_carries_a_marker() -> None:
    text = resources.files("launchwatch.sense").joinpath("data", "sensors.yaml").read_text("utf-8")
    bad = unmarked_numeric_lines(text)
    assert not bad, "sensors.yaml: numbers without '# source:/estimate:' comment:\n" + "\n".join(
        f"  line {n}: {line.strip()}" for n, line in bad
    )


# --- contents ------------------------------------------------------------------------------------
REQUIRED = {
    "TPY2-Shariki": RadarSensor,
    "TPY2-Kyogamisaki": RadarSensor,
    "THAAD-Seongju": RadarSensor,
    "GreenPine-Jincheon": RadarSensor,
    "GreenPine-SChungcheong": RadarSensor,
    "Aegis-SPY1D": RadarSensor,
    "SBIRS-GEO-1": IRSensor,
}
PYONGYANG = (125.75, 39.03)  # lon, lat deg


def test_required_sensors_present() -> None:
    sensors = load_sensors()
    for name, cls in REQUIRED.items():
        assert isinstance(sensors[name], cls), name
    assert sum(1 for s in sensors.values() if "Green Pine" in s.model) >= 2


@pytest.mark.parametrize(
    ("name", "box"),
    [
        ("TPY2-Shariki", (40.5, 41.3, 140.0, 140.6)),
        ("TPY2-Kyogamisaki", (35.6, 35.9, 135.0, 135.4)),
        ("THAAD-Seongju", (35.8, 36.2, 127.9, 128.4)),
        ("GreenPine-Jincheon", (36.0, 37.3, 127.2, 128.3)),  # North Chungcheong province
        ("GreenPine-SChungcheong", (35.9, 37.1, 126.1, 127.6)),  # South Chungcheong province
        ("GreenPine-Busan", (35.0, 35.4, 128.8, 129.3)),
    ],
)
def test_site_positions(name: str, box: tuple) -> None:
    s = get_sensor(name)
    assert box[0] < s.lat_deg < box[1] and box[2] < s.lon_deg < box[3]


def test_fixed_radars_face_north_korea() -> None:
    geod = Geod(ellps="WGS84")
    for s in load_sensors().values():
        if isinstance(s, RadarSensor) and not s.mobile:
            az, _, dist = geod.inv(s.lon_deg, s.lat_deg, *PYONGYANG)
            off = (az - s.boresight_az_deg + 180.0) % 360.0 - 180.0
            assert abs(off) < s.fov_half_az_deg, s.name
            assert dist < 1.5 * s.max_range_m(), s.name  # Pyongyang is within reach


def test_public_figures() -> None:
    assert get_sensor("TPY2-Shariki").range_ref_km >= 1000.0  # forward-based mode, 1,000+ km
    assert get_sensor("THAAD-Seongju").min_elevation_deg == 5.0  # ROK MND: "over five degrees"
    sbirs = get_sensor("SBIRS-GEO-1")
    assert sbirs.lat_deg == 0.0 and sbirs.altitude_km == 35786.0
    assert np.isclose(np.linalg.norm(sbirs.ecef_m), 42_164.137e3, atol=1.0)


def test_max_range_scales_with_fourth_root_of_rcs() -> None:
    s = get_sensor("TPY2-Shariki")
    assert s.max_range_m() == pytest.approx(s.range_ref_km * 1e3)
    assert s.max_range_m(16 * s.rcs_ref_m2) == pytest.approx(2 * s.range_ref_km * 1e3)
    np.testing.assert_allclose(
        s.max_range_m(s.rcs_ref_m2 * np.array([1 / 81, 1.0, 625.0])),
        s.range_ref_km * 1e3 * np.array([1 / 3, 1.0, 5.0]),
    )


# --- lookup --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("shariki", "TPY2-Shariki"),
        ("TPY2 SHARIKI", "TPY2-Shariki"),
        ("Kyoga-misaki", "TPY2-Kyogamisaki"),
        ("tpy2 seongju", "THAAD-Seongju"),
        ("sbirs", "SBIRS-GEO-1"),
        ("aegis", "Aegis-SPY1D"),
        ("GreenPine-NChungcheong", "GreenPine-Jincheon"),
        ("GreenPine-Gyeongsang", "GreenPine-Busan"),
    ],
)
def test_lookup_ignores_case_and_punctuation(query: str, expected: str) -> None:
    assert get_sensor(query).name == expected


def test_unknown_sensor_suggests_a_name() -> None:
    with pytest.raises(UnknownNameError, match="did you mean 'TPY2-Shariki'"):
        get_sensor("TPY2-Shariky")
    with pytest.raises(KeyError):
        get_sensor("no such radar")


# --- validation ----------------------------------------------------------------------------------
def _raw(**changes):
    s = get_sensor("TPY2-Shariki")
    return {**{f.name: getattr(s, f.name) for f in dataclasses.fields(s)}, **changes}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"pd": 1.5}, "pd"),
        ({"pd": 0.0}, "pd"),
        ({"lat_deg": 91.0}, "lat_deg"),
        ({"range_ref_km": -5.0}, "range_ref_km"),
        ({"revisit_s": "fast"}, "revisit_s"),
        ({"false_alarms_per_scan": float("nan")}, "false_alarms_per_scan"),
        ({"revisit_s": None}, "revisit_s"),
        ({"mobile": "yes"}, "mobile"),
        ({"name": "A-very-long-sensor-name-over-24"}, "name"),
        ({"aliases": "Shariki"}, "aliases"),
        ({"min_elevation_deg": 70.0}, "min_elevation_deg"),
        ({"kind": "ir"}, "kind"),
    ],
)
def test_validation_names_sensor_and_field(changes: dict, field: str) -> None:
    with pytest.raises(SensorConfigError, match=rf"sensor '.*': field '{field}'"):
        RadarSensor.from_dict(_raw(**changes))


def test_unknown_field_and_not_a_mapping() -> None:
    with pytest.raises(SensorConfigError, match="TPY2-Shariki.*unknown field.*power_kw"):
        RadarSensor.from_dict(_raw(power_kw=300.0))
    with pytest.raises(SensorConfigError, match="expected a mapping"):
        RadarSensor.from_dict(["not", "a", "mapping"])
    assert issubclass(SensorConfigError, ValueError)


def test_sensors_are_frozen_and_overrides_validate() -> None:
    aegis = get_sensor("Aegis-SPY1D")
    with pytest.raises(dataclasses.FrozenInstanceError):
        aegis.lat_deg = 0.0
    ship = aegis.with_overrides(
        name="Aegis-East", lat_deg=37.9, lon_deg=131.2, boresight_az_deg=-90.0
    )
    assert (ship.name, ship.lat_deg, ship.boresight_az_deg, ship.aliases) == (
        "Aegis-East",
        37.9,
        270.0,
        (),
    )
    assert aegis.lat_deg != 37.9 and not np.allclose(ship.ecef_m, aegis.ecef_m)
    with pytest.raises(SensorConfigError, match="'Aegis-East': field 'pd'"):
        ship.with_overrides(pd=2.0)


def test_build_sensor_from_scenario_entries() -> None:
    assert build_sensor("Shariki") is get_sensor("TPY2-Shariki")
    ship = build_sensor(
        {"base": "Aegis-SPY1D", "name": "Aegis-West", "lat_deg": 36.0, "lon_deg": 124.5}
    )
    assert isinstance(ship, RadarSensor) and ship.name == "Aegis-West"
    geo = build_sensor(
        {
            "kind": "ir",
            "name": "GEO-test",
            "lon_deg": 100.0,
            "altitude_km": 35786,
            "sigma_angle_urad": 30,
            "revisit_s": 5,
            "pd": 0.9,
            "min_target_altitude_km": 10,
            "false_alarms_per_scan": 0,
        }
    )
    assert isinstance(geo, IRSensor) and geo.lat_deg == 0.0
    moved = build_sensor(
        {
            "base": "Aegis",
            "id": "Aegis-SeaOfJapan",
            "lat_deg": 39.0,
            "lon_deg": 134.5,
            "boresight_az_deg": 270,
        }
    )
    assert (moved.name, moved.lat_deg, moved.boresight_az_deg) == ("Aegis-SeaOfJapan", 39.0, 270.0)
    with pytest.raises(SensorConfigError, match="'name' or 'id', not both"):
        build_sensor({"base": "Aegis", "id": "A", "name": "B"})
    with pytest.raises(SensorConfigError, match="unknown sensor 'Nowhere'"):
        build_sensor({"base": "Nowhere"})
    with pytest.raises(SensorConfigError, match="field 'kind' must be radar | ir"):
        build_sensor({"kind": "lidar", "name": "X"})


def test_load_sensors_rejects_bad_files(tmp_path) -> None:
    bad_yaml = tmp_path / "bad.yaml"
    bad_yaml.write_text("sensors: [\n", encoding="utf-8")
    with pytest.raises(SensorConfigError, match="cannot read"):
        load_sensors(bad_yaml)
    empty = tmp_path / "empty.yaml"
    empty.write_text("sensors: []\n", encoding="utf-8")
    with pytest.raises(SensorConfigError, match="non-empty 'sensors:'"):
        load_sensors(empty)
    dup = tmp_path / "dup.yaml"
    dup.write_text(
        "sensors:\n"
        "  - {kind: ir, name: A, aliases: [geo], lon_deg: 1, altitude_km: 35786,"
        " sigma_angle_urad: 1, revisit_s: 1, pd: 1, min_target_altitude_km: 1,"
        " false_alarms_per_scan: 0}\n"
        "  - {kind: ir, name: B, aliases: [GEO], lon_deg: 2, altitude_km: 35786,"
        " sigma_angle_urad: 1, revisit_s: 1, pd: 1, min_target_altitude_km: 1,"
        " false_alarms_per_scan: 0}\n",
        encoding="utf-8",
    )
    with pytest.raises(SensorConfigError, match="'GEO' is used by 'A'"):
        load_sensors(dup)


# --- merged feed ---------------------------------------------------------------------------------
def _salvo_truth(make_truth):
    """Two boosters rising over North Korea at 2 km/s, burning for the first 100 s of 300 s."""
    from launchwatch.earth.frames import geodetic_to_ecef

    p = geodetic_to_ecef(np.radians([39.0, 40.0]), np.radians([125.7, 127.5]), 50e3)
    up = p / np.linalg.norm(p, axis=1, keepdims=True)
    truth = make_truth(p, 2000.0 * up, t_end_s=300.0)
    truth.burning[:, 101:] = False
    return truth


def test_observe_all_merges_in_time_order_with_unique_ids(make_truth) -> None:
    sensors = load_sensors()
    truth = _salvo_truth(make_truth)
    det, ids = observe_all(sensors, truth, np.random.default_rng(11), first_det_id=1000)
    assert det.dtype == DETECTION_DTYPE and det.size == ids.size
    assert np.all(np.diff(det["t_s"]) >= 0.0)
    np.testing.assert_array_equal(det["det_id"], 1000 + np.arange(det.size))
    np.testing.assert_array_equal(ids["det_id"], det["det_id"])
    assert {"radar", "ir"} <= set(det["kind"])
    assert {"THAAD-Seongju", "SBIRS-GEO-1"} <= set(det["sensor"][ids["missile"] >= 0])
    assert set(ids["missile"]) <= {-1, 0, 1}
    ir = det["kind"] == "ir"
    assert np.all(det["t_s"][ir & (ids["missile"] >= 0)] <= 100.5)  # IR sees burning only


def test_observe_all_is_deterministic_and_sensor_streams_independent(make_truth) -> None:
    truth = _salvo_truth(make_truth)
    two = [get_sensor("THAAD-Seongju"), get_sensor("SBIRS-GEO-1")]
    a = observe_all(two, truth, np.random.default_rng(5))
    b = observe_all(two, truth, np.random.default_rng(5))
    for name in DETECTION_DTYPE.names:
        np.testing.assert_array_equal(a[0][name], b[0][name])
    np.testing.assert_array_equal(a[1], b[1])
    # Adding a sensor at the end leaves the first sensors' detections unchanged.
    three = observe_all([*two, get_sensor("GreenPine-Busan")], truth, np.random.default_rng(5))
    keep = three[0]["sensor"] != "GreenPine-Busan"
    np.testing.assert_array_equal(three[0]["z"][keep][:, :2], a[0]["z"][:, :2])
    with pytest.raises(SensorConfigError, match="unique"):
        observe_all([two[0], two[0]], truth, np.random.default_rng(5))
