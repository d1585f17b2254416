"""Tests for the vehicle / launch-site catalog and the provenance of every number in its data."""

from __future__ import annotations

import copy
import datetime as dt
import math
import re
from importlib import resources

import pytest
import yaml

from launchwatch.earth.constants import G0_M_S2, GM_M3_S2, R_MEAN_M
from launchwatch.flight.catalog import (
    CatalogError,
    UnknownNameError,
    Vehicle,
    get_site,
    get_vehicle,
    load_sites,
    load_vehicles,
)
from launchwatch.flight.provenance import unmarked_numeric_lines

DATA_FILES = (
    "vehicles.yaml",
    "sites.yaml",
    "boosts.yaml",
    "landmarks.yaml",
    "published_shots.yaml",
    "sea_areas.yaml",
)
REQUIRED_SITES = (
    "Taekwan",
    "Sunan",
    "Kusong",
    "Jangyon",
    "Wonsan-Kalma",
    "Hamhung",
    "Sinpo",
    "Sohae",
    "Kaechon",
    "Sukchon",
)
REQUIRED_VEHICLES = (
    "KN-23",
    "KN-25",
    "Hwasong-12",
    "Hwasong-15",
    "Hwasong-17",
    "Hwasong-18",
    "Hwasong-19",
)
REQUIRED_TESTS = {
    "Hwasong-12": ("2017-05-14", "2017-08-29", "2017-09-15", "2022-10-04"),
    "Hwasong-15": ("2017-11-29",),
    "Hwasong-17": ("2022-11-18",),
    "Hwasong-18": ("2023-04-13", "2023-07-12"),
    "Hwasong-19": ("2024-10-31",),
    "KN-23": ("2019-05-09", "2019-07-25", "2025-11-07"),
    "KN-25": ("2019-08-24", "2019-10-31"),
}
# Ideal (vacuum Tsiolkovsky) delta-v bands per range class, m/s.
# Ideal (Tsiolkovsky, vacuum) delta-v bands per class.  The upper ends allow for the fitted
# *effective* Isp values (scripts/fit_vehicles.py), which absorb the gravity and drag losses of
# the published lofted and depressed tests: a lofted ICBM shot with a 300 s burn loses well over
# 1.5 km/s to gravity, and the KN-23's 700 km at 50 km apogee is flown inside the atmosphere.
# An ICBM above 10 km/s or an SRBM above 4.5 km/s would no longer be a plausible vehicle.
DELTA_V_BANDS = {"SRBM": (1500.0, 4500.0), "IRBM": (4000.0, 6500.0), "ICBM": (6500.0, 10000.0)}

# The provenance rule and its checker live in launchwatch.flight.provenance.


def data_text(name: str) -> str:
    return resources.files("launchwatch.flight").joinpath("data", name).read_text("utf-8")


def test_provenance_checker_can_fail() -> None:
    text = "\n".join(
        [
            "a: 5",  # bare number
            "b: 5.0  # a plain comment",  # comment without a marker
            "date: 2019-05-09",  # dates are data too
            "c: [0.0, 0.2]   # source: KCNA, 2017",  # marked: fine
            "d: 7   # estimate: imagery scaling",  # marked: fine
            "e: 3   # fitted to 2017-11-29",  # marked: fine
            "f: 4   # estimate",  # marker without reasoning
            "g: 4   # source:",  # marker without a source
            'name: "Hwasong-15"',  # quoted text: fine
            "name: Hwasong-15",  # identifier, not a number: fine
            'note: "launched at 05:27 # not a comment"',
        ]
    )
    assert [n for n, _ in unmarked_numeric_lines(text)] == [1, 2, 3, 7, 8]


@pytest.mark.parametrize("name", DATA_FILES)
def test_every_number_in_data_files_carries_a_marker(name: str) -> None:
    bad = unmarked_numeric_lines(data_text(name))
    assert not bad, f"{name}: numbers without '# source:/estimate:/fitted' comment:\n" + "\n".join(
        f"  line {n}: {line.strip()}" for n, line in bad
    )


# --- contents ------------------------------------------------------------------------------------
def test_required_sites_and_vehicles_present() -> None:
    sites, vehicles = load_sites(), load_vehicles()
    assert set(REQUIRED_SITES) <= set(sites)
    assert set(REQUIRED_VEHICLES) <= set(vehicles)


def test_sites_lie_in_north_korea() -> None:
    for site in load_sites().values():
        assert 37.6 < site.lat_deg < 43.1 and 124.2 < site.lon_deg < 130.8, site.name


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Taegwan", "Taekwan"),
        ("taekwan area of north pyongan province", "Taekwan"),
        ("Pyongyang Sunan", "Sunan"),
        ("Tongchang-ri", "Sohae"),
        ("Sohae Satellite Launching Station", "Sohae"),
        ("KALMA", "Wonsan-Kalma"),
    ],
)
def test_site_alias_lookup(query: str, expected: str) -> None:
    assert get_site(query).name == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("hwasong15", "Hwasong-15"),
        ("KN-22", "Hwasong-15"),
        ("Hwasong 15", "Hwasong-15"),
        ("kn 23", "KN-23"),
        ("Hwasong-11Ga", "KN-23"),
        ("KN-17", "Hwasong-12"),
    ],
)
def test_vehicle_alias_lookup(query: str, expected: str) -> None:
    assert get_vehicle(query).name == expected


def test_unknown_name_is_a_key_error_listing_known_names() -> None:
    with pytest.raises(UnknownNameError) as info:
        get_vehicle("Hwasong-99")
    assert isinstance(info.value, KeyError)
    assert "Hwasong-19" in str(info.value) and "KN-23" in str(info.value)
    with pytest.raises(KeyError, match="Sunan"):
        get_site("Atlantis")


def test_required_flight_tests_present_with_published_figures() -> None:
    for name, dates in REQUIRED_TESTS.items():
        have = {t.date.isoformat() for t in get_vehicle(name).flight_tests}
        assert set(dates) <= have, name
    hs15 = get_vehicle("Hwasong-15").flight_tests[0]
    assert (hs15.apogee_km, hs15.range_km, hs15.flight_time_s) == (4475.0, 950.0, 3180.0)
    kn23 = {t.date: t for t in get_vehicle("KN-23").flight_tests}[dt.date(2025, 11, 7)]
    assert kn23.launch_site == "Taekwan" and kn23.range_km == 700.0
    assert {(r.by, r.apogee_km, r.range_km) for r in kn23.reports} == {("Japan MoD", 50.0, 450.0)}


def test_flight_test_sites_resolve() -> None:
    for vehicle in load_vehicles().values():
        for t in vehicle.flight_tests:
            if t.launch_site is not None:
                get_site(t.launch_site)


# --- physics sanity ----------------------------------------------------------------------------
def tsiolkovsky_m_s(v: Vehicle) -> float:
    """Independent ideal delta-v: stage by stage, upper stages and payload carried."""
    total, dv = v.payload_mass_kg, 0.0
    for s in v.stages:
        total += s.propellant_mass_kg + s.dry_mass_kg
    for s in v.stages:
        dv += s.isp_vac_s * G0_M_S2 * math.log(total / (total - s.propellant_mass_kg))
        total -= s.propellant_mass_kg + s.dry_mass_kg
    return dv


@pytest.mark.parametrize("name", REQUIRED_VEHICLES)
def test_ideal_delta_v_in_class_band(name: str) -> None:
    v = get_vehicle(name)
    dv = tsiolkovsky_m_s(v)
    assert v.ideal_delta_v_m_s == pytest.approx(dv, rel=1e-12)
    lo, hi = DELTA_V_BANDS[v.range_class]
    assert lo <= dv <= hi, f"{name}: ideal delta-v {dv:.0f} m/s outside {v.range_class} band"


@pytest.mark.parametrize("name", REQUIRED_VEHICLES)
def test_launch_mass_matches_published_band(name: str) -> None:
    v = get_vehicle(name)
    assert v.launch_mass_range_kg is not None
    lo, hi = v.launch_mass_range_kg
    assert lo <= v.launch_mass_kg <= hi
    assert v.launch_mass_kg == pytest.approx(
        v.payload_mass_kg + sum(s.propellant_mass_kg + s.dry_mass_kg for s in v.stages)
    )


@pytest.mark.parametrize("name", REQUIRED_VEHICLES)
def test_ideal_delta_v_can_reach_every_reported_apogee_and_range(name: str) -> None:
    """Losses only subtract: the ideal delta-v must exceed the vacuum energy needed for the
    highest reported apogee (vertical shot) and the longest reported range (minimum-energy arc,
    spherical non-rotating Earth)."""
    v = get_vehicle(name)
    figures = [f for t in v.flight_tests for f in (t, *t.reports)]
    apogee_m = max(f.apogee_km or 0.0 for f in figures) * 1e3
    range_m = max(f.range_km or 0.0 for f in figures) * 1e3
    r = R_MEAN_M
    v_apogee = math.sqrt(2 * GM_M3_S2 * (1 / r - 1 / (r + apogee_m)))
    s = math.sin(range_m / r / 2)
    v_range = math.sqrt(GM_M3_S2 / r * 2 * s / (1 + s))
    assert v.ideal_delta_v_m_s > max(v_apogee, v_range), name


def test_quasi_ballistic_vehicles_have_lift() -> None:
    for v in load_vehicles().values():
        assert (v.lift is not None) == v.quasi_ballistic, v.name
        assert v.diameter_m is None or v.reference_area_m2 <= math.pi * v.diameter_m**2 / 4 * 1.01


# --- user files and validation -----------------------------------------------------------------
VEHICLE = {
    "name": "Test-1",
    "aliases": ["T1"],
    "range_class": "SRBM",
    "propellant": "solid",
    "quasi_ballistic": False,
    "payload_mass_kg": 500,
    "reference_area_m2": 0.5,
    "stages": [
        {"burn_time_s": 30, "propellant_mass_kg": 2000, "dry_mass_kg": 500, "isp_vac_s": 250}
    ],
    "cd_mach": [[0.0, 0.3], [1.2, 0.5], [5.0, 0.25]],
    "flight_tests": [
        {
            "date": "2020-01-02",
            "apogee_km": 50,
            "range_km": 400,
            "flight_time_s": None,
            "lofted": False,
            "launch_site": None,
        }
    ],
}
SITE = {
    "name": "Test Site",
    "aliases": ["TS"],
    "province": "Nowhere",
    "lat_deg": 40.0,
    "lon_deg": 125.0,
}


def write(tmp_path, key: str, entries: list) -> str:
    path = tmp_path / f"{key}.yaml"
    path.write_text(yaml.safe_dump({key: entries}), encoding="utf-8")
    return str(path)


def test_user_yaml_loads(tmp_path) -> None:
    vehicles = load_vehicles(write(tmp_path, "vehicles", [VEHICLE]))
    v = vehicles["Test-1"]
    assert v.launch_mass_kg == 3000.0 and v.stages[0].isp_vac_s == 250.0
    assert v.flight_tests[0].date == dt.date(2020, 1, 2) and v.lift is None
    assert v.ideal_delta_v_m_s == pytest.approx(250 * G0_M_S2 * math.log(3000 / 1000))
    sites = load_sites(write(tmp_path, "sites", [SITE]))
    assert sites["Test Site"].lat_deg == 40.0 and sites["Test Site"].aliases == ("TS",)


def mutated(path: tuple, value) -> dict:
    entry = copy.deepcopy(VEHICLE)
    *parents, last = path
    target = entry
    for p in parents:
        target = target[p]
    if value is KeyError:
        del target[last]
    else:
        target[last] = value
    return entry


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("stages", 0, "burn_time_s"), -1.0, "burn_time_s"),
        (("stages", 0, "propellant_mass_kg"), 0, "propellant_mass_kg"),
        (("stages", 0, "isp_vac_s"), True, "isp_vac_s"),
        (("stages", 0, "burntime_s"), 3.0, "burntime_s"),
        (("stages",), [], "stages"),
        (("cd_mach",), [[0.0, 0.3], [2.0, 0.5], [1.0, 0.4]], "cd_mach"),
        (("cd_mach",), [[0.0, -0.3]], "cd_mach"),
        (("propellant",), "gel", "propellant"),
        (("payload_mass_kg",), KeyError, "payload_mass_kg"),
        (("flight_tests", 0, "date"), "2019-13-40", "date"),
        (("flight_tests", 0, "range_km"), "far", "range_km"),
        (("launch_mass_range_kg",), [5000, 1000], "launch_mass_range_kg"),
    ],
)
def test_invalid_vehicle_names_vehicle_and_field(tmp_path, path, value, field) -> None:
    file = write(tmp_path, "vehicles", [mutated(path, value)])
    with pytest.raises(CatalogError, match=re.escape(field)) as info:
        load_vehicles(file)
    assert "Test-1" in str(info.value)


@pytest.mark.parametrize(
    ("key", "value"),
    [("lat_deg", 95.0), ("lon_deg", -200.0), ("lat_deg", "40N"), ("province", None)],
)
def test_invalid_site_names_site_and_field(tmp_path, key, value) -> None:
    file = write(tmp_path, "sites", [{**SITE, key: value}])
    with pytest.raises(CatalogError, match=key) as info:
        load_sites(file)
    assert "Test Site" in str(info.value)


def test_duplicate_alias_and_bad_files_rejected(tmp_path) -> None:
    other = {**SITE, "name": "Other", "aliases": ["t-s"]}
    with pytest.raises(CatalogError, match="alias 't-s'"):
        load_sites(write(tmp_path, "sites", [SITE, other]))
    bad = tmp_path / "bad.yaml"
    bad.write_text("vehicles: [\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="bad.yaml"):
        load_vehicles(bad)
    with pytest.raises(CatalogError, match="missing.yaml"):
        load_sites(tmp_path / "missing.yaml")
    with pytest.raises(CatalogError, match="sites"):
        load_sites(write(tmp_path, "vehicles", [VEHICLE]))


def test_normalize_name_is_the_regex_on_every_code_point():
    """normalize_name's short cuts (no regex for an all-alphanumeric name, remembered short
    keys) give exactly the definition's answer: code points alone, inside a name, and in a
    name too long to be remembered (every code point below U+0800 and every 61st above: all of
    them, checked once, take 16 s)."""
    import re

    from launchwatch.flight.catalog import normalize_name

    for c in (*range(0x800), *range(0x800, 0x110000, 61)):
        if 0xD800 <= c <= 0xDFFF:
            continue
        ch = chr(c)
        for name in (ch, f"a{ch}B", f"Sunan{ch}" * 30):
            assert normalize_name(name) == re.sub(r"[\W_]+", "", name).casefold(), hex(c)
