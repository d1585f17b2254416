"""Sensors measure through their own ``observe(truth, rng, noise=True)``; the measurement models
(radar.py, infrared.py) do not import the sensor catalog (no import cycle in sense/)."""

import ast
from pathlib import Path

import numpy as np

import launchwatch.sense as sense_pkg
from launchwatch.earth.frames import geodetic_to_ecef
from launchwatch.sense import radar
from launchwatch.sense.geometry import aer_from
from launchwatch.sense.records import Z_AZ, Z_EL, Z_RANGE
from launchwatch.sense.sensors import get_sensor


def test_a_sensor_observes_through_its_own_method(make_radar, make_truth):
    sensor = make_radar()
    truth = make_truth(geodetic_to_ecef(np.radians(35.5), np.radians(135.2), 80e3))
    own, own_ids = sensor.observe(truth, np.random.default_rng(5), rcs_m2=1.0)
    ref, ref_ids = radar.observe(sensor, truth, np.random.default_rng(5), rcs_m2=1.0)
    assert own.size > 50 and (own == ref).all() and (own_ids == ref_ids).all()


def test_noise_false_gives_the_true_measurement(make_radar, make_truth):
    sensor = make_radar()
    target = geodetic_to_ecef(np.radians(35.5), np.radians(135.2), 80e3)
    det, _ = sensor.observe(make_truth(target), np.random.default_rng(5), noise=False)
    r, az, el = aer_from(sensor.ecef_m, np.asarray(target)[None])
    assert np.allclose(det["z"][:, Z_RANGE], r[0], atol=1e-6)
    assert np.allclose(det["z"][:, Z_AZ], az[0], atol=1e-12)
    assert np.allclose(det["z"][:, Z_EL], el[0], atol=1e-12)
    noisy, _ = sensor.observe(make_truth(target), np.random.default_rng(5))
    assert np.abs(noisy["z"][:, Z_RANGE] - r[0]).max() > 1.0  # 10 m noise


def test_infrared_sensor_observes_too(make_truth):
    sbirs = get_sensor("SBIRS-GEO-1")
    truth = make_truth(geodetic_to_ecef(np.radians(40.0), np.radians(127.0), 20e3))
    det, ids = sbirs.observe(truth, np.random.default_rng(1))
    exact, _ = sbirs.observe(truth, np.random.default_rng(1), noise=False)
    assert det.size > 0 and (ids["missile"] >= -1).all()
    assert not np.array_equal(det["z"][:, :2], exact["z"][:, :2])


def test_measurement_models_do_not_import_the_catalog():
    folder = Path(sense_pkg.__file__).parent
    for name in ("radar.py", "infrared.py"):
        tree = ast.parse((folder / name).read_text())
        mods = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        mods |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        assert not any(m and m.endswith("sensors") for m in mods), (name, mods)
