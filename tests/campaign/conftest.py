"""A cheap campaign for the tests: short SRBM shots, two radars, few samples, sparse
assessments (a few seconds an engagement once the worker is warm)."""

import pytest
import yaml

from launchwatch.campaign.spec import spec_from_dict

CHEAP = {
    "name": "cheap",
    "description": "test campaign",
    "threat": {
        "sites": {"Kusong": 1, "Sunan": 1},
        "classes": {"srbm": 1},
        "salvo_size": {1: 3, 2: 1},
        "launch_spacing_s": [2, 5],
        "aim_spacing_km": [2, 10],
        "crossing": 0.5,
    },
    "sensors": {
        "fixed": {"TPY2-Shariki": 1.0, "GreenPine-Jincheon": 1.0},
        "outages": {"p": 0.3},
        "pd_scale": [0.9, 1.0],
        "noise_scale": [1.0, 1.2],
    },
    "chain": {"assess_interval_s": 20, "samples": 30},
}


@pytest.fixture
def cheap_spec():
    return spec_from_dict(CHEAP)


@pytest.fixture
def cheap_spec_path(tmp_path):
    p = tmp_path / "cheap.yaml"
    p.write_text(yaml.safe_dump(CHEAP, sort_keys=False))
    return p
