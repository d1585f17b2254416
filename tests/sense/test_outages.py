"""Sensor outages and performance overrides in a scenario."""

import pytest

from launchwatch.pipeline.feed import sensor_spec
from launchwatch.pipeline.simulate import run_simulation
from launchwatch.sense.scenario import Scenario, SensorRef
from launchwatch.sense.sensors import build_sensor


def _scenario(sensors):
    return Scenario.model_validate(
        {
            "name": "outage",
            "epoch": "2025-01-01T09:00:00+09:00",
            "seed": 3,
            "time_step_s": 0.2,
            "launches": [{"id": "M1", "site": "Kusong", "range_km": 400, "toward": "East Sea"}],
            "sensors": sensors,
        }
    )


def test_outage_removes_that_sensors_detections_only():
    base = run_simulation(_scenario(["TPY2-Shariki", "GreenPine-Jincheon"]))
    names = set(base.detections["sensor"].tolist())
    assert {"TPY2-Shariki", "GreenPine-Jincheon"} <= names
    t_split = float(base.detections["t_s"][base.detections["sensor"] == "TPY2-Shariki"][5])
    out = run_simulation(
        _scenario(
            [
                {"base": "TPY2-Shariki", "outages": [{"start_s": 0.0, "end_s": t_split}]},
                "GreenPine-Jincheon",
            ]
        )
    )
    sh_before = base.detections["sensor"] == "TPY2-Shariki"
    sh_after = out.detections["sensor"] == "TPY2-Shariki"
    assert sh_after.sum() > 0
    assert out.detections["t_s"][sh_after].min() > t_split
    assert (base.detections["t_s"][sh_before] > t_split).sum() == sh_after.sum()
    gp = "GreenPine-Jincheon"
    assert (base.detections["sensor"] == gp).sum() == (out.detections["sensor"] == gp).sum()


def test_overrides_reach_the_sensor():
    ref = SensorRef(base="TPY2-Shariki", pd=0.5, revisit_s=4.0, sigma_range_m=30.0)
    s = build_sensor(sensor_spec(ref))
    assert (s.pd, s.revisit_s, s.sigma_range_m) == (0.5, 4.0, 30.0)
    with pytest.raises(ValueError, match="pd"):
        build_sensor(sensor_spec(SensorRef(base="TPY2-Shariki", pd=1.5)))


def test_outage_window_must_be_ordered():
    with pytest.raises(ValueError, match="end_s must not be before start_s"):
        _scenario([{"base": "TPY2-Shariki", "outages": [{"start_s": 5, "end_s": 1}]}])
